#!/bin/bash
# The kernel layer alone, through SQL (issue 11, "Tests"): with the testing
# flavour installed (make PLSAFEPY_TESTING=1), plsafepy.testing_unsandboxed
# runs a role's function bodies as full Python (real builtins, os, socket,
# mmap, ctypes, ...) inside its locked-in worker, and each attack must end
# with the worker killed by the kernel (42501 naming the refused system
# call) or refused, the backend alive and the session usable with a new
# worker, nothing read, and no crash recovery of the cluster.
#
# With a production build installed, the test proves instead that the
# testing settings do not exist.  CI's testing stage (test/run-cassert
# --testing) sets PLSAFEPY_EXPECT_TESTING=1, so that a production build
# there fails the test rather than passing it for the other reason.
#
# Needs the PG* environment of a running cluster with a superuser as
# PGUSER, plsafepy installed, and root (to list the worker's descriptors
# and the server's System V segment from outside).
set -uo pipefail

DB=plsafepy_kernel
ROLE=pls_kernel
fail=0

ok() { echo "ok   $1"; }
bad() {
	echo "FAIL $1"
	[ $# -lt 2 ] || printf '%s\n' "--- expected:" "$2" "--- got:" "$3"
	fail=1
}
# check NAME EXPECTED GOT
check() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$@"; fi; }

su_psql() { psql -X -q -At -v VERBOSITY=default -v SHOW_CONTEXT=never "$@" 2>&1; }

psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" || exit 1
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "DROP ROLE IF EXISTS $ROLE" >/dev/null 2>&1' EXIT

# --- which build -------------------------------------------------------------
# plsafepy reserves its prefix once loaded: an unknown name under it is
# refused, where an unloaded prefix would take any name as a placeholder.
testing=$(su_psql -d $DB -c "LOAD 'plsafepy'" \
	-c "SELECT count(*) FROM pg_settings WHERE name LIKE 'plsafepy.testing%'")
if [ "$testing" = 0 ]; then
	for name in plsafepy.testing_unsandboxed plsafepy.testing_worker_path; do
		check "production build: SET $name is refused" \
			"ERROR:  invalid configuration parameter name \"$name\"
DETAIL:  \"plsafepy\" is a reserved prefix.
42602" "$(su_psql -d $DB -c "LOAD 'plsafepy'" -c "SET $name = on" -c '\echo :LAST_ERROR_SQLSTATE')"
		check "production build: SHOW $name is unknown" \
			"ERROR:  unrecognized configuration parameter \"$name\"
42704" "$(su_psql -d $DB -c "LOAD 'plsafepy'" -c "SHOW $name" -c '\echo :LAST_ERROR_SQLSTATE')"
	done
	if [ "${PLSAFEPY_EXPECT_TESTING:-0}" = 1 ]; then
		bad "the testing flavour is installed (PLSAFEPY_EXPECT_TESTING=1)"
	else
		echo "# production build: the kernel attacks need make PLSAFEPY_TESTING=1 (CI's testing stage)"
	fi
	exit $fail
fi
check "testing build: both settings" 2 "$testing"

# --- set-up -------------------------------------------------------------------
su_psql -d $DB -v ON_ERROR_STOP=1 >/dev/null <<SQL || exit 1
CREATE EXTENSION plsafepy;
DROP ROLE IF EXISTS $ROLE;
CREATE ROLE $ROLE;
ALTER ROLE $ROLE SET plsafepy.isolation = process;
GRANT CREATE ON SCHEMA public TO $ROLE;
SQL

check "a role cannot switch the sandbox off" \
	"ERROR:  permission denied to set parameter \"plsafepy.testing_unsandboxed\"
42501" "$(su_psql -d $DB -c "LOAD 'plsafepy'" -c "SET ROLE $ROLE" \
	-c "SET plsafepy.testing_unsandboxed = on" -c '\echo :LAST_ERROR_SQLSTATE')"
# Before the library is loaded, the name is a placeholder anyone may set:
# the library's load must refuse the role's value.
su_psql -d $DB -v ON_ERROR_STOP=1 >/dev/null <<SQL || exit 1
SET ROLE $ROLE;
CREATE FUNCTION k_sandboxed() RETURNS text LANGUAGE plsafepy AS \$\$
return open('/etc/passwd').read()
\$\$;
SQL
check "nor before the library is loaded" \
	"WARNING:  permission denied to set parameter \"plsafepy.testing_unsandboxed\"
ERROR:  SandboxError: open() is not allowed in plsafepy
42501
off" "$(su_psql -d $DB -c "SET ROLE $ROLE" -c "SET plsafepy.testing_unsandboxed = on" \
	-c "SELECT k_sandboxed()" -c '\echo :LAST_ERROR_SQLSTATE' -c "SHOW plsafepy.testing_unsandboxed")"

# The server's System V segment (PostgreSQL keeps a small one as an
# interlock even with mmap'ed shared memory): created by the postmaster.
postmaster=$(head -1 "$(su_psql -d $DB -c 'SHOW data_directory')/postmaster.pid")
shmid=$(awk -v p="$postmaster" '$5 == p { print $2; exit }' /proc/sysvipc/shm)
if [ -n "$shmid" ]; then
	ok "the server's System V segment: shmid $shmid (postmaster $postmaster)"
else
	bad "the server's System V segment of postmaster '$postmaster' not found"
	shmid=0
fi
started=$(su_psql -d $DB -c "SELECT pg_postmaster_start_time()")

# A session that must live through the whole test: crash recovery would
# end it.
PGAPPNAME=pls_kernel_sentinel psql -X -q -d $DB -c "SELECT pg_sleep(3600)" >/dev/null 2>&1 &
sentinel=$!

# --- the attacks --------------------------------------------------------------
# attack NAME EXPECTED BODY: BODY (full Python; bpid is the backend's pid,
# shmid the server's segment) in a function of the role, run unsandboxed
# in a session that called another function first; then that function
# again, which must answer from a new worker in the same backend.
# EXPECTED is what the attack's call prints (psql, default verbosity,
# then its SQLSTATE).
attack() {
	local name=$1 want=$2 body=$3 got
	got=$(su_psql -d $DB <<SQL
SET plsafepy.testing_unsandboxed = on;
SET ROLE $ROLE;
CREATE OR REPLACE FUNCTION k_ping() RETURNS text LANGUAGE plsafepy AS \$\$
return 'pong'
\$\$;
CREATE OR REPLACE FUNCTION k_attack(bpid int, shmid int) RETURNS text LANGUAGE plsafepy AS \$pls\$
$body
\$pls\$;
SELECT k_ping();
SELECT pid AS w1 FROM plsafepy_workers() \gset
SELECT pg_backend_pid() AS b1 \gset
SELECT k_attack(pg_backend_pid(), $shmid);
\echo :LAST_ERROR_SQLSTATE
SELECT k_ping(), pg_backend_pid() = :b1, (SELECT pid <> :w1 FROM plsafepy_workers());
SQL
)
	check "$name" "pong
$want
pong|t|t" "$got"
}

# A worker killed by the kernel for the system call $1.
sigsys() {
	printf '%s\n' "ERROR:  plsafepy worker for role \"$ROLE\" died" \
		"DETAIL:  It was killed by signal 31 (SIGSYS) after the refused system call \"$1\"." \
		"HINT:  The worker may make only the system calls of its allowlist (see docs/isolation.md)." \
		"42501"
}

attack "open('/etc/passwd')" "$(sigsys openat)" \
	"return open('/etc/passwd').read()"
attack "os.listdir('/')" "$(sigsys openat)" \
	"return repr(os.listdir('/'))"
attack "os.read(fd, 1) for every fd 0..1023" "$(sigsys read)" \
	"return repr([os.read(fd, 1) for fd in range(1024)])"
attack "os.read of the channel's socket (fd 3)" "$(sigsys read)" \
	"return repr(os.read(3, 1))"
attack "socket.socket().connect(('127.0.0.1', 5432))" "$(sigsys socket)" \
	"socket.socket().connect(('127.0.0.1', 5432))"
attack "os.fork()" "$(sigsys clone)" \
	"return repr(os.fork())"
attack "os.system('true')" "$(sigsys rt_sigaction)" \
	"return repr(os.system('true'))"
attack "os.execv('/bin/true', ['true'])" "$(sigsys execve)" \
	"os.execv('/bin/true', ['true'])"
attack "os.kill(os.getppid(), 9)" "$(sigsys getppid)" \
	"os.kill(os.getppid(), 9)"
attack "os.kill(<backend pid>, 9): the backend lives" "$(sigsys kill)" \
	"os.kill(bpid, 9)"
attack "open('/proc/<backend pid>/mem')" "$(sigsys openat)" \
	"return repr(open('/proc/%d/mem' % bpid, 'rb').read(1))"
attack "shmat on the server's System V segment (ctypes)" "$(sigsys shmat)" \
	"return repr(libc.shmat(shmid, None, 0))"
attack "ptrace(PTRACE_ATTACH) of the backend (ctypes)" "$(sigsys ptrace)" \
	"return repr(libc.ptrace(16, bpid, 0, 0))"
attack "mmap with PROT_EXEC" "$(sigsys mmap)" \
	"mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)"
attack "os.write(2, ...)" "$(sigsys write)" \
	"os.write(2, b'escaped')"
attack "raising a resource limit" "$(sigsys prlimit64)" \
	"resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))"
attack "ignoring SIGSYS" "$(sigsys rt_sigaction)" \
	"signal.signal(signal.SIGSYS, signal.SIG_IGN)"
attack "a raw syscall instruction (getpid) from machine code" "$(sigsys getpid)" \
	"codepage.write(b'\\xb8\\x27\\x00\\x00\\x00\\x0f\\x05\\xc3')
addr = ctypes.addressof(ctypes.c_char.from_buffer(codepage))
return repr(ctypes.CFUNCTYPE(ctypes.c_long)(addr)())"
attack "deep C recursion" \
	"ERROR:  plsafepy worker for role \"$ROLE\" died
DETAIL:  It was killed by signal 11 (SIGSEGV).
38000" \
	"sys.setrecursionlimit(10 ** 7)
l = []
for i in range(10 ** 6):
    l = [l]
return repr(l)"

# What a memory-safety bug gives an attacker: writes anywhere in the
# worker.  Here ctypes overwrites a live list's header (its reference
# count and type pointer) and then uses it: the worker dies, not the
# backend, and the backend's memory (its cached superuser flag, the
# session's role) was never within reach.
attack "memory corruption: a live object's header overwritten (ctypes)" \
	"ERROR:  plsafepy worker for role \"$ROLE\" died
DETAIL:  It was killed by signal 11 (SIGSEGV).
38000" \
	"x = [1, 2, 3]
ctypes.memset(id(x), 0x41, 32)
return repr(x)"
check "after the corruption: the role is still no superuser" "off|false" \
	"$(su_psql -d $DB -At -c "SET ROLE $ROLE" -c "SELECT current_setting('is_superuser') || '|' || rolsuper FROM pg_roles WHERE rolname = current_user")"

# Not fatal: the worker answers, and goes on (same worker).
got=$(su_psql -d $DB <<SQL
SET plsafepy.testing_unsandboxed = on;
SET ROLE $ROLE;
CREATE OR REPLACE FUNCTION k_env() RETURNS text LANGUAGE plsafepy AS \$\$
return repr(dict(os.environ))
\$\$;
CREATE OR REPLACE FUNCTION k_hog() RETURNS text LANGUAGE plsafepy AS \$\$
x = bytearray(2 << 30)
\$\$;
SELECT k_env();
SELECT pid AS w1 FROM plsafepy_workers() \gset
SELECT k_hog();
\echo :LAST_ERROR_SQLSTATE
SELECT k_env(), (SELECT pid = :w1 FROM plsafepy_workers());
SQL
)
check "os.environ is empty; 2 GB is a MemoryError at RLIMIT_AS, the worker goes on" "{}
ERROR:  MemoryError
53200
{}|t" "$got"

# What the worker holds, seen from outside while it lives: fd 3 only, and
# every wall.
PGAPPNAME=pls_kernel_fds psql -X -q -d $DB -c "SET plsafepy.testing_unsandboxed = on" \
	-c "SET ROLE $ROLE" -c "SELECT k_ping()" -c "SELECT pg_sleep(30)" >/dev/null 2>&1 &
holder=$!
wp=
for _ in $(seq 100); do
	bp=$(su_psql -d $DB -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'pls_kernel_fds' AND query LIKE '%pg_sleep%'")
	[ -n "$bp" ] && wp=$(pgrep -P "$bp" | head -1)
	[ -n "$wp" ] && break
	sleep 0.1
done
check "the worker's descriptors: the channel's socket only" "3" \
	"$([ -n "$wp" ] && ls /proc/"$wp"/fd | tr '\n' ' ' | sed 's/ $//')"
check "the worker is not dumpable, cannot gain privileges, is filtered" \
	"NoNewPrivs:	1
Seccomp:	2" "$([ -n "$wp" ] && grep -E '^(NoNewPrivs|Seccomp):' /proc/"$wp"/status)"
su_psql -d $DB -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pls_kernel_fds'" >/dev/null
wait "$holder" 2>/dev/null

# --- the production worker refuses full Python --------------------------------
libdir=$(su_psql -d $DB -c "SELECT setting FROM pg_config WHERE name = 'PKGLIBDIR'")
check "a production worker refuses an unsandboxed INIT" \
	"ERROR:  could not start a plsafepy worker for role \"$ROLE\"
DETAIL:  the worker failed to start: this worker has no unsandboxed mode
58000
pong" "$(su_psql -d $DB \
	-c "SET plsafepy.testing_worker_path = '$libdir/plsafepy-worker-production'" \
	-c "SET plsafepy.testing_unsandboxed = on" -c "SET ROLE $ROLE" \
	-c "SELECT k_env()" -c '\echo :LAST_ERROR_SQLSTATE' \
	-c "RESET ROLE" -c "SET plsafepy.testing_unsandboxed = off" -c "SET ROLE $ROLE" \
	-c "SELECT k_ping()")"

# --- the cluster --------------------------------------------------------------
check "no crash recovery: the postmaster is the same" "$started" \
	"$(su_psql -d $DB -c "SELECT pg_postmaster_start_time()")"
check "no crash recovery: the sentinel session lives" 1 \
	"$(su_psql -d $DB -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pls_kernel_sentinel'")"
su_psql -d $DB -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pls_kernel_sentinel'" >/dev/null
wait "$sentinel" 2>/dev/null
log=${PG_CLUSTER_LOG:-$(pg_lsclusters -h 2>/dev/null | awk -v p="${PGPORT:-5432}" '$3 == p { print $NF }')}
if [ -r "$log" ]; then
	check "the server log shows no crashed backend" "" \
		"$(grep -E 'terminated by signal|all server processes terminated|server process .* exited with' "$log")"
else
	bad "the server log '$log' is not readable"
fi
exit $fail
