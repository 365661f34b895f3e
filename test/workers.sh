#!/bin/bash
# Process mode's workers (worker_pool.c, docs/isolation.md): every role
# whose functions run in one session gets a worker of its own; beyond
# plsafepy.max_workers the least recently used is ended; none outlives its
# session, whether it ends normally or its backend is killed with SIGKILL.
# Needs the PG* environment of pg_virtualenv and an installed plsafepy.
set -uo pipefail

DB=plsafepy_workers
ROLES=50
fail=0
pass() { echo "ok   $1"; }
bad() { echo "FAIL $1: got '$2', want '$3'"; fail=1; }
check() { if [ "$2" = "$3" ]; then pass "$1"; else bad "$1" "$2" "$3"; fi; }

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" || exit 1
{
	echo "CREATE EXTENSION plsafepy;"
	echo "CREATE SCHEMA w; GRANT USAGE, CREATE ON SCHEMA w TO PUBLIC;"
	for i in $(seq $ROLES); do
		echo "DROP ROLE IF EXISTS pls_w$i; CREATE ROLE pls_w$i;"
		echo "ALTER ROLE pls_w$i SET plsafepy.isolation = process;"
		echo "SET ROLE pls_w$i;"
		echo "CREATE FUNCTION w.f$i() RETURNS int LANGUAGE plsafepy SECURITY DEFINER AS 'return 1';"
		echo "RESET ROLE;"
	done
} | psql -X -q -d $DB -v ON_ERROR_STOP=1 >/dev/null || exit 1

calls() {
	local from=$1 to=$2 i
	for i in $(seq "$from" "$to"); do echo "SELECT w.f$i();"; done
}

# one session: 49 roles, 49 workers; then max_workers 8 and a 50th role
out=$( {
	echo "SET plsafepy.max_workers = 1000;"
	calls 1 $((ROLES - 1))
	echo "SELECT 'workers', count(*), count(DISTINCT pid), count(DISTINCT role), sum(calls) FROM plsafepy_workers();"
	echo "SELECT 'walls', walls FROM plsafepy_workers() GROUP BY walls;"
	echo "SELECT 'memory', bool_and(memory_kb > 0) FROM plsafepy_workers();"
	calls 1 1
	echo "SELECT 'again', count(*), sum(calls) FROM plsafepy_workers();"
	echo "SET plsafepy.max_workers = 8;"
	calls $ROLES $ROLES
	echo "SELECT 'evicted', count(*), bool_or(role = 'pls_w$ROLES'), bool_or(role = 'pls_w1'), bool_or(role = 'pls_w2'), bool_or(role = 'pls_w44'), bool_or(role = 'pls_w43') FROM plsafepy_workers();"
	echo "SELECT 'pids', string_agg(pid::text, ' ') FROM plsafepy_workers();"
} | psql -X -q -At -F ' ' -d $DB 2>&1)

n=$((ROLES - 1))
check "every call returned 1" "$(printf '%s\n' "$out" | grep -c '^1$')" $((n + 2))
check "one worker per role" "$(printf '%s\n' "$out" | grep '^workers ')" "workers $n $n $n $n"
check "every worker has its walls" "$(printf '%s\n' "$out" | grep '^walls ')" \
	"walls seccomp userns netns ipcns mountns emptyroot landlock"
check "resident memory reported" "$(printf '%s\n' "$out" | grep '^memory ')" "memory t"
check "a role's next call uses its worker" "$(printf '%s\n' "$out" | grep '^again ')" "again $n $((n + 1))"
# used last to first: 1 (again), 49 .. 2; a new worker for 50 leaves room
# for the 7 most recent: 1 and 49 .. 44
check "max_workers: the least recently used are ended" \
	"$(printf '%s\n' "$out" | grep '^evicted ')" "evicted 8 t t f t f"

# no worker outlives its session
pids=$(printf '%s\n' "$out" | sed -n 's/^pids //p')
alive=""
for _ in $(seq 30); do
	alive=""
	for p in $pids; do
		st=$(cut -d' ' -f3 "/proc/$p/stat" 2>/dev/null)
		[ -n "$st" ] && [ "$st" != Z ] && alive="$alive $p"
	done
	[ -z "$alive" ] && break
	sleep 0.1
done
check "no worker after the session ended" "${alive:-none}" none
[ -n "$pids" ] || bad "the session had workers to check" "none" "8 pids"

# SIGKILL of the backend: PR_SET_PDEATHSIG ends its workers
psql -X -q -At -d $DB -c "SET application_name = 'pls_workers_kill'" \
	-c "SELECT w.f1(), w.f2(), w.f3()" -c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
client=$!
bpid=""
for _ in $(seq 100); do
	bpid=$(psql -X -q -At -d $DB -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'pls_workers_kill' AND wait_event = 'PgSleep'")
	[ -n "$bpid" ] && break
	sleep 0.1
done
if [ -z "$bpid" ]; then
	bad "a backend with workers to kill" "none" "a backend"
else
	wpids=$(ps -o pid= --ppid "$bpid" | tr -s ' \n' ' ')
	check "the killed backend had 3 workers" "$(echo $wpids | wc -w)" 3
	kill -9 "$bpid"
	wait $client 2>/dev/null
	alive=""
	for _ in $(seq 30); do
		alive=""
		for p in $wpids; do
			st=$(cut -d' ' -f3 "/proc/$p/stat" 2>/dev/null)
			[ -n "$st" ] && [ "$st" != Z ] && alive="$alive $p"
		done
		[ -z "$alive" ] && break
		sleep 0.1
	done
	check "no worker after SIGKILL of its backend" "${alive:-none}" none
fi

# the postmaster restarts after a backend's SIGKILL: wait for it
for _ in $(seq 100); do
	psql -X -q -At -d postgres -c "SELECT 1" >/dev/null 2>&1 && break
	sleep 0.1
done
psql -X -q -d postgres -c "DROP DATABASE $DB" >/dev/null
for i in $(seq $ROLES); do echo "DROP ROLE pls_w$i;"; done | psql -X -q -d postgres >/dev/null
[ $fail = 0 ] && echo "workers: all passed"
exit $fail
