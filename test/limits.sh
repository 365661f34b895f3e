#!/bin/bash
# test/limits.sh: resource governance (issue 4) - interrupts.
#
# Runs under pg_virtualenv (PG* set, connected as a superuser).  Every case
# runs as the unprivileged role lim_user and asserts the exact SQLSTATE and
# message, a time bound (generous, but a 10 s hang fails), and that the
# session (or, where the backend is meant to end, the cluster) survives: a
# witness session stays connected throughout and the server log never shows
# a backend "terminated by signal" or a crash recovery.
#
# Also sourced by test/limits_mem.sh with LIMITS_LIB=1 for its helpers.
set -uo pipefail
# Inline isolation's own mechanisms (limits.c, memory.c, signals.c): every
# role inline.  Process isolation's are test/process.sh's.
[ "${PLS_TEST_ISOLATION:-}" = inline ] ||
	exec "$(dirname "$0")/in-isolation" inline bash "$0" "$@"

FAILS=0
PASSES=0
PSQL=(psql -X -q -v ON_ERROR_STOP=0 -v VERBOSITY=verbose)

say() { printf '%s\n' "$*"; }
pass() { PASSES=$((PASSES + 1)); say "ok   $1"; }
fail() { FAILS=$((FAILS + 1)); say "FAIL $1"; shift; for l in "$@"; do say "     $l"; done; }

now_ms() { date +%s%3N; }

# The server log of the pg_virtualenv cluster.
find_log() {
	local d
	if [ -n "${PGSYSCONFDIR:-}" ] && [ -d "$(dirname "$PGSYSCONFDIR")/log" ]; then
		d="$(dirname "$PGSYSCONFDIR")/log"
	else
		d=/var/log/postgresql
	fi
	ls -t "$d"/postgresql-"${PGVERSION:-15}"-regress.log 2>/dev/null | head -1
}
SERVER_LOG=$(find_log)
LOG_START=0
[ -n "$SERVER_LOG" ] && LOG_START=$(wc -c <"$SERVER_LOG")

su_sql() { "${PSQL[@]}" -At -c "$1" 2>&1; }

# Run SQL as lim_user in one session; stdout+stderr to stdout.
user_sql() {
	local t=$1
	shift
	timeout "$t" "${PSQL[@]}" -v ON_ERROR_STOP=0 \
		-c "SET SESSION AUTHORIZATION lim_user" -c "SET search_path = lim" "$@" 2>&1
}

setup() {
	"${PSQL[@]}" -f - >/dev/null 2>&1 <<'EOF'
CREATE EXTENSION IF NOT EXISTS plsafepy;
DO $$BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'lim_user') THEN
    CREATE ROLE lim_user LOGIN;
  END IF;
END$$;
DROP SCHEMA IF EXISTS lim CASCADE;
CREATE SCHEMA lim AUTHORIZATION lim_user;
EOF
	user_sql 60 -f - <<'EOF' | grep -E "ERROR|FATAL" && fail "setup" "see above"
CREATE FUNCTION loop_plain() RETURNS int LANGUAGE plsafepy AS $$
while True:
    pass
$$;
CREATE FUNCTION loop_bare_except() RETURNS int LANGUAGE plsafepy AS $$
while True:
    try:
        while True:
            pass
    except:
        pass
$$;
CREATE FUNCTION loop_base_exception() RETURNS int LANGUAGE plsafepy AS $$
n = 0
while True:
    try:
        while True:
            n += 1
    except BaseException as e:
        n = 0
$$;
CREATE FUNCTION loop_finally() RETURNS int LANGUAGE plsafepy AS $$
try:
    while True:
        pass
finally:
    while True:
        pass
$$;
CREATE FUNCTION loop_setof() RETURNS SETOF int LANGUAGE plsafepy AS $$
def gen():
    yield 1
    while True:
        try:
            while True:
                pass
        except BaseException:
            pass
return gen()
$$;
CREATE FUNCTION loop_spi_outer() RETURNS int LANGUAGE plsafepy AS $$
while True:
    try:
        plpy.execute("SELECT lim.loop_plain()")
    except BaseException:
        pass
$$;
CREATE FUNCTION loop_spi_swallow() RETURNS int LANGUAGE plsafepy AS $$
while True:
    try:
        plpy.execute("SELECT pg_sleep(1000)")
    except plpy.SPIError:
        pass
$$;
CREATE FUNCTION loop_spi_return() RETURNS int LANGUAGE plsafepy AS $$
try:
    plpy.execute("SELECT pg_sleep(1000)")
except BaseException:
    pass
return 1
$$;
CREATE FUNCTION loop_generator_swallow() RETURNS int LANGUAGE plsafepy AS $$
def g():
    while True:
        try:
            yield 1
        except BaseException:
            pass
n = 0
for x in g():
    n += x
$$;
CREATE FUNCTION loop_trigger() RETURNS trigger LANGUAGE plsafepy AS $$
while True:
    try:
        while True:
            pass
    except BaseException:
        pass
$$;
CREATE TABLE trig_t (a int);
CREATE TRIGGER trig_t_loop BEFORE INSERT ON trig_t
  FOR EACH ROW EXECUTE FUNCTION loop_trigger();
CREATE FUNCTION gen_finally_loop() RETURNS SETOF int LANGUAGE plsafepy AS $$
def gen():
    try:
        yield 1
        yield 2
    finally:
        while True:
            pass
return gen()
$$;
CREATE FUNCTION gen_finally_c() RETURNS SETOF int LANGUAGE plsafepy AS $$
def gen():
    r = range(10**12)
    try:
        yield 1
        yield 2
    finally:
        sum(r)
return gen()
$$;
CREATE FUNCTION ok() RETURNS int LANGUAGE plsafepy AS $$
return 42
$$;
CREATE FUNCTION spi_loop() RETURNS int LANGUAGE plsafepy AS $$
while True:
    plpy.execute("SELECT 1")
$$;
CREATE FUNCTION gen_finally_warn(marker text) RETURNS SETOF int LANGUAGE plsafepy AS $$
def gen():
    try:
        yield 1
        yield 2
    finally:
        plpy.warning(marker)
return gen()
$$;
CREATE FUNCTION c_stack() RETURNS int LANGUAGE plsafepy AS $$
t = ()
for i in range(10**6):
    t = (t,)
return hash(t)
$$;
CREATE FUNCTION c_sum() RETURNS int LANGUAGE plsafepy AS $$
return sum(range(10**12))
$$;
CREATE FUNCTION c_deque() RETURNS int LANGUAGE plsafepy AS $$
import collections
import itertools
return collections.deque(itertools.repeat(1, 10**7), maxlen=10**7).count(-1) + sum(1 for _ in itertools.repeat(None, 10**11) if False)
$$;
CREATE FUNCTION c_deque_count() RETURNS int LANGUAGE plsafepy AS $$
import collections
import itertools
d = collections.deque(itertools.repeat(1, 10**6))
n = 0
n += d.count(-1)
return len(list(itertools.islice(itertools.count(), 10**11, 10**11)))
$$;
CREATE FUNCTION c_regex() RETURNS int LANGUAGE plsafepy AS $$
import re
return 1 if re.match(r'(a+)+$', 'a' * 64 + 'b') else 0
$$;
CREATE FUNCTION c_pow() RETURNS int LANGUAGE plsafepy AS $$
return pow(3, 10**9, 10**100000 + 7)
$$;
CREATE FUNCTION c_factorial() RETURNS int LANGUAGE plsafepy AS $$
import math
return math.factorial(10**9) % 7
$$;
EOF
}

# Witness: a superuser session that must stay connected from start to end.
WITNESS_PID=
start_witness() {
	PGAPPNAME=lim_witness "${PSQL[@]}" -c "SELECT pg_sleep(3600)" >/dev/null 2>&1 &
	WITNESS_PID=$!
	local i
	for i in $(seq 50); do
		[ "$(su_sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'lim_witness'")" = 1 ] && break
		sleep 0.1
	done
	WITNESS_BACKEND=$(su_sql "SELECT pid FROM pg_stat_activity WHERE application_name = 'lim_witness'")
}

check_cluster() {
	local name=$1 now log=""
	now=$(su_sql "SELECT pid FROM pg_stat_activity WHERE application_name = 'lim_witness'")
	if [ -z "$WITNESS_BACKEND" ] || [ "$now" != "$WITNESS_BACKEND" ]; then
		fail "$name: witness session lost (was ${WITNESS_BACKEND:-none}, now ${now:-none}): cluster restarted"
		return
	fi
	if [ -n "$SERVER_LOG" ]; then
		log=$(tail -c +"$((LOG_START + 1))" "$SERVER_LOG" |
			grep -E "terminated by signal|was terminated by|exited with exit code|all server processes terminated|database system was interrupted|reinitializing" || true)
		if [ -n "$log" ]; then
			fail "$name: server log shows a crash" "$log"
			return
		fi
	fi
	pass "$name: cluster intact${SERVER_LOG:+ (log $SERVER_LOG checked)}"
}

stop_witness() {
	su_sql "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'lim_witness'" >/dev/null
	wait "$WITNESS_PID" 2>/dev/null
}

# expect NAME OUTPUT ELAPSED_MS MAX_MS PATTERN...: each PATTERN (ERE) must match
expect() {
	local name=$1 out=$2 ms=$3 max=$4
	shift 4
	local p
	for p in "$@"; do
		if ! grep -Eq -- "$p" <<<"$out"; then
			fail "$name (${ms} ms)" "expected: $p" "got: $(head -c 1500 <<<"$out")"
			return 1
		fi
	done
	if [ "$ms" -gt "$max" ]; then
		fail "$name" "took ${ms} ms, bound ${max} ms" "got: $(head -c 600 <<<"$out")"
		return 1
	fi
	pass "$name (${ms} ms)"
}

# statement_timeout case: the query runs with a 200 ms timeout (after a
# first call that builds the role's interpreter), psql's \timing gives the
# time to stop, then the same session must still work (SELECT ok() = 42).
case_timeout() {
	local name=$1 stmt=$2 t0 out ms
	t0=$(now_ms)
	out=$(user_sql 30 -f - <<EOF
SELECT ok();
SET statement_timeout = '200ms';
\\timing on
$stmt;
\\timing off
RESET statement_timeout;
SELECT 'alive:' || ok();
EOF
)
	ms=$(grep -m1 -oE '^Time: [0-9]+' <<<"$out" | grep -oE '[0-9]+$')
	if [ -n "$ms" ] && [ "$ms" -gt 600 ]; then
		fail "timeout: $name" "stopped after ${ms} ms (timeout 200 ms, bound 600 ms)"
		return
	fi
	expect "timeout: $name [stopped at ${ms:-?} ms of 200]" "$out" $(($(now_ms) - t0)) 5000 \
		"ERROR:  57014: canceling statement due to statement timeout" "alive:42" "^Time: "
}

# Signal case: start STMT as lim_user in the background, then from another
# session run FUNC(pid) (pg_cancel_backend / pg_terminate_backend).
case_signal() {
	local name=$1 func=$2 stmt=$3
	shift 3
	local app="lim_sig_$$_$RANDOM" out f pid t0 i
	f=$(mktemp)
	PGAPPNAME=$app user_sql 30 -c "SELECT ok()" -c "$stmt" -c "SELECT 'alive:' || ok()" >"$f" &
	local bg=$!
	pid=
	for i in $(seq 100); do
		pid=$(su_sql "SELECT pid FROM pg_stat_activity WHERE application_name = '$app' AND state = 'active' AND query = \$q\$$stmt\$q\$")
		[ -n "$pid" ] && break
		sleep 0.05
	done
	if [ -z "$pid" ]; then
		wait $bg
		fail "$func: $name" "backend never became active" "$(cat "$f")"
		rm -f "$f"
		return
	fi
	sleep 0.3
	t0=$(now_ms)
	su_sql "SELECT $func($pid)" >/dev/null
	wait $bg
	out=$(cat "$f")
	rm -f "$f"
	expect "$func: $name" "$out" $(($(now_ms) - t0)) 3000 "$@"
}

# A statement timeout that expires while the library loads cancels that
# statement only: plsafepy still works in the session, with no setting
# defined twice by a load cut short.  The load reports a WARNING when the
# session holds a placeholder value of a superuser-only setting (set
# before the load, as lim_user), and reporting runs PostgreSQL's interrupt
# check: the timeout (2 to 40 ms over 20 new sessions) has expired by then.
case_load_timeout() {
	local i out t0 cancelled=0
	t0=$(now_ms)
	for i in $(seq 20); do
		out=$(timeout 30 "${PSQL[@]}" -At -c "SET SESSION AUTHORIZATION lim_user" \
			-c "SET plsafepy.interrupt_grace = '2s'" \
			-c "SET statement_timeout = $((2 * i))" -c "SELECT lim.ok()" \
			-c "RESET statement_timeout" -c "SELECT 'again:' || lim.ok()" 2>&1)
		grep -q "ERROR:  57014: canceling statement due to statement timeout" <<<"$out" &&
			cancelled=$((cancelled + 1))
		if ! grep -qx "again:42" <<<"$out" || grep -q "XX000" <<<"$out"; then
			fail "statement timeout during the load" "session $i: $(head -c 600 <<<"$out")"
			return
		fi
	done
	if [ $cancelled -eq 0 ]; then
		fail "statement timeout during the load" "no session's first call was cancelled: the case tested nothing"
		return
	fi
	pass "statement timeout during the load: $cancelled of 20 first calls cancelled, every session works after ($(($(now_ms) - t0)) ms)"
}

run_interrupt_cases() {
	case_load_timeout
	case_timeout "plain loop" "SELECT loop_plain()"
	case_timeout "bare except loop" "SELECT loop_bare_except()"
	case_timeout "BaseException catch loop" "SELECT loop_base_exception()"
	case_timeout "finally loop" "SELECT loop_finally()"
	case_timeout "SETOF generator" "SELECT count(*) FROM loop_setof()"
	case_timeout "generator swallowing BaseException" "SELECT loop_generator_swallow()"
	case_timeout "nested SPI (plsafepy -> SQL -> plsafepy)" "SELECT loop_spi_outer()"
	case_timeout "cancel in SPI, SPIError swallowed" "SELECT loop_spi_swallow()"
	case_timeout "cancel in SPI, swallowed, function returns" "SELECT loop_spi_return()"
	case_timeout "DO block" "DO LANGUAGE plsafepy \$\$
while True:
    try:
        while True: pass
    except BaseException:
        pass
\$\$"
	case_timeout "trigger" "INSERT INTO trig_t VALUES (1)"
}

# The client goes away while a loop runs: with client_connection_check_interval
# the backend notices and ends (FATAL 08006) instead of spinning forever.
case_client_gone() {
	local app="lim_gone_$$" pid= i t0 ms gone=
	PGAPPNAME=$app "${PSQL[@]}" -c "SET SESSION AUTHORIZATION lim_user" -c "SET search_path = lim" \
		-c "SELECT ok()" -c "SET client_connection_check_interval = '100ms'" \
		-c "SELECT loop_base_exception()" >/dev/null 2>&1 &
	local bg=$!
	for i in $(seq 100); do
		pid=$(su_sql "SELECT pid FROM pg_stat_activity WHERE application_name = '$app' AND state = 'active' AND query = 'SELECT loop_base_exception()'")
		[ -n "$pid" ] && break
		sleep 0.05
	done
	sleep 0.3
	t0=$(now_ms)
	kill -9 "$bg" 2>/dev/null
	wait "$bg" 2>/dev/null
	for i in $(seq 100); do
		if [ -n "$pid" ] && [ "$(su_sql "SELECT count(*) FROM pg_stat_activity WHERE pid = $pid")" = 0 ]; then
			gone=1
			break
		fi
		sleep 0.05
	done
	ms=$(($(now_ms) - t0))
	if [ -z "$gone" ]; then
		fail "client gone: backend ${pid:-?} still running after ${ms} ms"
		[ -n "$pid" ] && su_sql "SELECT pg_terminate_backend($pid)" >/dev/null
		return
	fi
	if [ -n "$SERVER_LOG" ] && ! grep -q "\[$pid\].*FATAL:  connection to client lost" "$SERVER_LOG"; then
		fail "client gone (${ms} ms)" "no 'FATAL:  connection to client lost' for pid $pid in $SERVER_LOG"
		return
	fi
	pass "client gone: loop ended with FATAL connection to client lost (${ms} ms)"
}

# A generator left suspended in an open cursor is closed when an error
# aborts the transaction; its finally then runs during abort cleanup, where
# statement_timeout is already off and PostgreSQL holds interrupts.  Such
# code is stopped at its first loop (or escalated if it runs C code).
case_abort_cleanup() {
	local t0 out
	t0=$(now_ms)
	out=$(user_sql 30 -c "SELECT ok()" -c "SET statement_timeout = '5s'" -c "BEGIN" \
		-c "DECLARE c CURSOR FOR SELECT gen_finally_loop()" -c "FETCH 1 FROM c" \
		-c "SELECT 1/0" -c "ROLLBACK" -c "SELECT 'alive:' || ok()")
	expect "abort cleanup: generator finally loop stopped" "$out" $(($(now_ms) - t0)) 3000 \
		"ERROR:  22012: division by zero" "alive:42"
	t0=$(now_ms)
	out=$(timeout 30 "${PSQL[@]}" -c "SET plsafepy.interrupt_grace = '500ms'" \
		-c "SET SESSION AUTHORIZATION lim_user" -c "SET search_path = lim" -c "SELECT ok()" \
		-c "BEGIN" -c "DECLARE c CURSOR FOR SELECT gen_finally_c()" -c "FETCH 1 FROM c" \
		-c "SELECT 1/0" 2>&1)
	# the client has its ERROR already; the FATAL is in the server log
	[ -n "$SERVER_LOG" ] && out+=$'\n'"$(tail -c +"$((LOG_START + 1))" "$SERVER_LOG" | grep FATAL)"
	expect "abort cleanup: generator finally in C code escalated" "$out" $(($(now_ms) - t0)) 4000 \
		"ERROR:  22012: division by zero" \
		"FATAL:  terminating connection because a plsafepy function did not stop within 500 ms of being asked to clean up after an aborted transaction"
}

run_signal_cases() {
	case_signal "plain loop" pg_cancel_backend "SELECT loop_plain()" \
		"ERROR:  57014: canceling statement due to user request" "alive:42"
	case_signal "BaseException catch loop" pg_cancel_backend "SELECT loop_base_exception()" \
		"ERROR:  57014: canceling statement due to user request" "alive:42"
	case_signal "cancel in SPI, SPIError swallowed" pg_cancel_backend "SELECT loop_spi_swallow()" \
		"ERROR:  57014: canceling statement due to user request" "alive:42"
	case_signal "plain loop" pg_terminate_backend "SELECT loop_plain()" \
		"FATAL:  57P01: terminating connection due to administrator command"
	case_signal "finally loop" pg_terminate_backend "SELECT loop_finally()" \
		"FATAL:  57P01: terminating connection due to administrator command"
	case_signal "nested SPI" pg_terminate_backend "SELECT loop_spi_outer()" \
		"FATAL:  57P01: terminating connection due to administrator command"
	case_client_gone
	case_abort_cleanup
}

# C-level runaway: after plsafepy.interrupt_grace the backend ends with
# FATAL (exit status 1: no crash recovery).
case_escalate() {
	local name=$1 stmt=$2 t0 out
	t0=$(now_ms)
	out=$(timeout 30 "${PSQL[@]}" -c "SET plsafepy.interrupt_grace = '500ms'" \
		-c "SET SESSION AUTHORIZATION lim_user" -c "SET search_path = lim" -c "SELECT ok()" \
		-c "SET statement_timeout = '1s'" -c "$stmt" 2>&1)
	expect "C-level runaway: $name" "$out" $(($(now_ms) - t0)) 5000 \
		"FATAL:  57014: terminating connection because a plsafepy function did not stop within 500 ms of the statement timeout"
}

run_escalation_cases() {
	case_escalate "sum(range(10**12))" "SELECT c_sum()"
	case_escalate "deque count" "SELECT c_deque_count()"
	case_escalate "regex backtracking" "SELECT c_regex()"
	case_escalate "huge pow" "SELECT c_pow()"
	case_escalate "huge factorial" "SELECT c_factorial()"
	# terminate of a C-level runaway: same, with the terminate reason
	local t0 out app="lim_esc_$$" f pid i
	f=$(mktemp)
	PGAPPNAME=$app timeout 30 "${PSQL[@]}" -c "SET plsafepy.interrupt_grace = '500ms'" \
		-c "SET SESSION AUTHORIZATION lim_user" -c "SELECT lim.ok()" -c "SELECT lim.c_sum()" >"$f" 2>&1 &
	local bg=$!
	for i in $(seq 100); do
		pid=$(su_sql "SELECT pid FROM pg_stat_activity WHERE application_name = '$app' AND query = 'SELECT lim.c_sum()' AND state = 'active'")
		[ -n "$pid" ] && break
		sleep 0.05
	done
	sleep 0.3
	t0=$(now_ms)
	su_sql "SELECT pg_terminate_backend(${pid:-0})" >/dev/null
	wait $bg
	out=$(cat "$f")
	rm -f "$f"
	expect "C-level runaway: pg_terminate_backend" "$out" $(($(now_ms) - t0)) 4000 \
		"FATAL:  57P01: terminating connection because a plsafepy function did not stop within 500 ms of a request to terminate the connection"
}

# 100 cases in a row, interrupts and escalations mixed: no crash recovery.
# Ten sessions; each runs nine interrupted statements (the session goes on
# after each) and ends with a C-level runaway (the backend ends with FATAL).
run_hundred() {
	local stmts=("SELECT loop_plain()" "SELECT loop_bare_except()" "SELECT loop_base_exception()"
		"SELECT loop_finally()" "SELECT count(*) FROM loop_setof()" "SELECT loop_spi_outer()"
		"SELECT loop_spi_swallow()" "INSERT INTO trig_t VALUES (1)" "SELECT loop_generator_swallow()")
	local i n=0 errs fatals out t0 args s
	t0=$(now_ms)
	for i in $(seq 10); do
		args=(-c "SET plsafepy.interrupt_grace = '100ms'" -c "SET SESSION AUTHORIZATION lim_user"
			-c "SET search_path = lim" -c "SELECT ok()" -c "SET statement_timeout = '50ms'")
		for s in "${stmts[@]}"; do args+=(-c "$s"); done
		args+=(-c "SELECT c_sum()")
		out=$(timeout 60 "${PSQL[@]}" "${args[@]}" 2>&1)
		errs=$(grep -c "ERROR:  57014: canceling statement due to statement timeout" <<<"$out")
		fatals=$(grep -c "FATAL:  57014: terminating connection because a plsafepy function did not stop within 100 ms of the statement timeout" <<<"$out")
		n=$((n + errs + fatals))
		[ $((errs + fatals)) -eq 10 ] || say "     session $i: $errs errors, $fatals fatals: $(grep -E 'ERROR|FATAL' <<<"$out" | head -5)"
	done
	if [ $n -eq 100 ]; then
		pass "100 cases in a row ($(($(now_ms) - t0)) ms)"
	else
		fail "100 cases in a row: only $n of 100 ended as expected"
	fi
}

# Statement timeouts that land in SPI code, hundreds in a row, each a chance
# for a signal to arrive while plpy.execute switches between the role's
# interpreter and the main one: afterwards the role's plain loop must still
# be stopped by the timeout (57014), not escalated to FATAL.
case_switch_gap() {
	local n=600 t0 out errs
	t0=$(now_ms)
	out=$( {
		echo "SET statement_timeout = 20;"
		for _ in $(seq $n); do echo "SELECT spi_loop();"; done
		echo "SET statement_timeout = 300;"
		echo "SELECT loop_plain();"
		echo "RESET statement_timeout;"
		echo "SELECT 'alive:' || ok();"
	} | timeout 120 "${PSQL[@]}" -c "SET plsafepy.interrupt_grace = '2s'" \
		-c "SET SESSION AUTHORIZATION lim_user" -c "SET search_path = lim" -f - 2>&1)
	errs=$(grep -c "ERROR:  57014: canceling statement due to statement timeout" <<<"$out")
	if [ "$errs" -ne $((n + 1)) ]; then
		fail "switch gap: $errs of $((n + 1)) statements ended with 57014" "$(grep -E 'FATAL|ERROR' <<<"$out" | grep -v 57014 | head -3)"
		return
	fi
	expect "switch gap: $n timeouts in SPI, then a plain loop" "$out" $(($(now_ms) - t0)) 90000 \
		"alive:42"
}

# After an escalation (grace period over, or the C stack exhausted) Python
# is abandoned: the suspended generator of an open cursor is not finalized
# during the backend's exit (its finally would log a WARNING), and the exit
# is clean (check_cluster: no crash recovery).
case_abandoned() {
	local name=$1 timeout=$2 stmt=$3 fatal=$4 marker="plsafepy-abandoned-$$-$RANDOM" out t0
	t0=$(now_ms)
	out=$(timeout 30 "${PSQL[@]}" -c "SET plsafepy.interrupt_grace = '300ms'" \
		-c "SET SESSION AUTHORIZATION lim_user" -c "SET search_path = lim" -c "SELECT ok()" \
		-c "BEGIN" -c "DECLARE c CURSOR FOR SELECT gen_finally_warn('$marker')" -c "FETCH 1 FROM c" \
		-c "SET statement_timeout = '$timeout'" -c "$stmt" 2>&1)
	expect "abandoned after $name: FATAL" "$out" $(($(now_ms) - t0)) 20000 "$fatal" || return
	sleep 0.3
	if [ -n "$SERVER_LOG" ] && grep -q "$marker" "$SERVER_LOG"; then
		fail "abandoned after $name: a generator's finally ran after the escalation" \
			"$(grep "$marker" "$SERVER_LOG" | head -2)"
		return
	fi
	pass "abandoned after $name: no Python ran during the exit${SERVER_LOG:+ ($SERVER_LOG checked)}"
}

run_abandon_cases() {
	case_abandoned "the grace period" 200ms "SELECT c_sum()" \
		"FATAL:  57014: terminating connection because a plsafepy function did not stop within 300 ms of the statement timeout"
	case_abandoned "a C stack overflow" 0 "SELECT c_stack()" \
		"FATAL:  54001: plsafepy function exhausted the C stack"
}

finish() {
	say "limits: $PASSES passed, $FAILS failed"
	[ "$FAILS" -eq 0 ]
}

if [ -z "${LIMITS_LIB:-}" ]; then
	setup
	start_witness
	run_interrupt_cases
	run_signal_cases
	check_cluster "after interrupt cases"
	run_escalation_cases
	check_cluster "after C-level runaways"
	run_hundred
	check_cluster "after 100 cases"
	run_abandon_cases
	check_cluster "after abandoned interpreters"
	case_switch_gap
	check_cluster "after the switch gap"
	stop_witness
	finish
	exit $?
fi
