#!/bin/bash
# Faults in process isolation end as an ERROR and the session lives on
# (issue 11, item 3): statement_timeout and pg_cancel_backend stop Python
# loops and sleeps in the worker (57014, the worker kept), a C-level
# runaway is killed after plsafepy.interrupt_grace (57014, a new worker
# next time), a worker killed from outside is an ERROR naming the signal,
# MemoryError at the worker's limit is 53200 and the worker goes on, the
# session's memory settings lower the worker's budget but never raise it, and
# pg_terminate_backend ends the worker with its backend.  Needs the PG*
# environment of pg_virtualenv and an installed plsafepy.
set -uo pipefail

DB=plsafepy_process
fail=0
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" || exit 1
psql -X -q -d $DB -v ON_ERROR_STOP=1 <<'SQL' || exit 1
CREATE EXTENSION plsafepy;
ALTER DATABASE plsafepy_process SET plsafepy.isolation = process;
ALTER DATABASE plsafepy_process SET plsafepy.allowed_modules = '+time';
SET plsafepy.isolation = process;
CREATE FUNCTION spin() RETURNS int LANGUAGE plsafepy AS $$
while True:
    pass
$$;
CREATE FUNCTION spin_catching() RETURNS int LANGUAGE plsafepy AS $$
n = 0
while True:
    try:
        while True:
            pass
    except BaseException:
        n += 1
$$;
CREATE FUNCTION runaway() RETURNS int LANGUAGE plsafepy AS $$
return sum(range(10 ** 13))
$$;
CREATE FUNCTION nap(s float8) RETURNS text LANGUAGE plsafepy AS $$
import time
time.sleep(s)
return 'rested'
$$;
CREATE FUNCTION counter() RETURNS int LANGUAGE plsafepy AS $$
SD['n'] = SD.get('n', 0) + 1
return SD['n']
$$;
CREATE FUNCTION big(mb int) RETURNS text LANGUAGE plsafepy AS $$
return 'x' * (mb * 1024 * 1024)
$$;
CREATE FUNCTION hog(mb int) RETURNS int LANGUAGE plsafepy AS $$
return len('x' * (mb * 1024 * 1024))
$$;
CREATE FUNCTION wpid() RETURNS int LANGUAGE sql AS $$
SELECT pid FROM plsafepy_workers()
$$;
SQL

# run SQL; print "elapsed_ms SQLSTATE-or-ok:output"
run() {
	local start end out state
	start=$(date +%s%N)
	out=$(psql -X -q -At -d $DB -v VERBOSITY=verbose "$@" 2>&1)
	end=$(date +%s%N)
	state=$(printf '%s\n' "$out" | sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p' | head -1)
	echo "$(( (end - start) / 1000000 )) ${state:-ok:$(printf '%s' "$out" | tr '\n' ' ')}"
}

check() {
	local name=$1 got=$2 want=$3 max_ms=$4
	local ms=${got%% *} rest=${got#* }
	if [ "$rest" = "$want" ] && [ "$ms" -le "$max_ms" ]; then
		echo "ok   $name ($ms ms)"
	else
		echo "FAIL $name: got '$rest' after $ms ms, want '$want' within $max_ms ms"
		fail=1
	fi
}

# A backend whose code all runs in workers never starts Python itself: a
# function, a DO block, a trigger-free SPI call and a set in process
# isolation, then the first inline call starts it (main.c logs it at DEBUG1).
out=$(psql -X -q -At -d $DB 2>&1 <<'SQL' | grep -c "plsafepy: starting Python in this backend"
SET client_min_messages = debug1;
SELECT counter();
DO LANGUAGE plsafepy $$ plpy.execute("SELECT 1") $$;
SELECT count(*) FROM generate_series(1, 3) g WHERE g = counter();
SQL
)
if [ "$out" = 0 ]; then
	echo "ok   process isolation only: Python never starts in the backend"
else
	echo "FAIL process isolation only: the backend started Python ($out)"
	fail=1
fi
# The whitelist view asks the role's worker, the one its calls use (the
# first SELECT starts it): no Python in the backend for it either, at the
# top or from SPI inside a call; its rows are those inline mode gives.
view="SELECT md5(string_agg(format('%s.%s:%s', module, name, kind), ',' ORDER BY module, name, kind)) || ' ' || count(*) FROM plsafepy.allowed_modules"
out=$(psql -X -q -At -d $DB 2>&1 <<SQL
SET client_min_messages = debug1;
SELECT 'workers ' || count(*) FROM plsafepy_workers();
SELECT 'view ' || ($view);
SELECT 'workers ' || count(*) FROM plsafepy_workers();
SELECT wpid() AS before \gset
SELECT 'counter ' || counter();
SELECT 'same ' || (wpid() = :before);
DO LANGUAGE plsafepy \$\$
plpy.notice('nested %s' % plpy.execute("SELECT count(DISTINCT module) AS n FROM plsafepy.allowed_modules WHERE module = 'time'")[0]['n'])
\$\$;
SELECT 'view again ' || ($view);
SQL
)
inline_view=$(psql -X -q -At -d $DB -c "SET plsafepy.isolation = inline" -c "$view" 2>&1)
starts=$(printf '%s\n' "$out" | grep -c "plsafepy: starting Python in this backend")
got=$(printf '%s\n' "$out" | grep -E '^(workers|view|counter|same|NOTICE:  nested)' | tr '\n' '|')
want="workers 0|view $inline_view|workers 1|counter 1|same true|NOTICE:  nested 1|view again $inline_view|"
if [ "$starts" = 0 ] && [ "$got" = "$want" ]; then
	echo "ok   the whitelist view asks the role's worker; Python never starts in the backend"
else
	echo "FAIL the whitelist view in process isolation: $starts Python starts; got '$got', want '$want'"
	fail=1
fi
# The view first in a session gives the interpreter's warnings, as inline
# mode does when the view builds it, and the call after it none.
warn_session() {
	psql -X -q -At -d $DB 2>&1 <<SQL
SET plsafepy.isolation = $1;
SET plsafepy.allowed_modules = '+colorsyss';
SELECT count(*) FROM plsafepy.allowed_modules WHERE module = 'colorsyss';
SELECT counter();
SQL
}
want='WARNING:  module "colorsyss" in plsafepy.allowed_modules is not installed
DETAIL:  Role "'"$(psql -X -At -d $DB -c 'SELECT current_user')"'" cannot import it.
HINT:  Check the spelling of the entry.
0
1'
got_process=$(warn_session process)
got_inline=$(warn_session inline)
if [ "$got_process" = "$want" ] && [ "$got_inline" = "$want" ]; then
	echo "ok   the view first: the interpreter's warning once, in both isolations"
else
	printf 'FAIL the view first: want\n%s\n--- process:\n%s\n--- inline:\n%s\n' "$want" "$got_process" "$got_inline"
	fail=1
fi
out=$(psql -X -q -At -d $DB 2>&1 <<'SQL' | grep -c "plsafepy: starting Python in this backend"
SET plsafepy.isolation = inline;
SET client_min_messages = debug1;
SELECT counter();
SELECT counter();
SQL
)
if [ "$out" = 1 ]; then
	echo "ok   the first inline call starts Python in the backend, once"
else
	echo "FAIL the first inline call starts Python in the backend, once: $out times"
	fail=1
fi

# A Python loop stops at the interrupt; the same worker serves the next
# call, SD kept.
out=$(psql -X -q -At -d $DB 2>&1 <<'SQL' | tr '\n' ' '
SELECT counter();
SELECT pid AS before FROM plsafepy_workers() \gset
SET statement_timeout = '300ms';
SELECT spin();
RESET statement_timeout;
SELECT counter(), pid = :before FROM plsafepy_workers();
SQL
)
if [ "$out" = "1 ERROR:  canceling statement due to statement timeout CONTEXT:  PL/SafePy function \"spin\" 2|t " ]; then
	echo "ok   statement_timeout stops a Python loop; same worker, SD kept"
else
	echo "FAIL statement_timeout stops a Python loop: $out"
	fail=1
fi
got=$(run -c "SET statement_timeout = '300ms'" -c "SELECT spin()")
check "statement_timeout ends the loop promptly" "$got" 57014 2000

# user code that catches the interrupt is still stopped
got=$(run -c "SET statement_timeout = '300ms'" -c "SELECT spin_catching()")
check "except BaseException does not hold the interrupt" "$got" 57014 3000

# time.sleep in the worker is interruptible
got=$(run -c "SET statement_timeout = '300ms'" -c "SELECT nap(60)")
check "statement_timeout stops time.sleep" "$got" 57014 3000
got=$(run -c "SELECT nap(0.2)")
check "a short sleep completes" "$got" "ok:rested" 3000

# A C-level runaway is killed after the grace period; the next call gets a
# new worker (SD lost).
out=$(psql -X -q -At -d $DB 2>&1 <<'SQL' | tr '\n' ' '
SET plsafepy.interrupt_grace = 300;
SELECT counter();
SELECT pid AS before FROM plsafepy_workers() \gset
SET statement_timeout = '300ms';
SELECT runaway();
RESET statement_timeout;
SELECT counter();
SELECT pid <> :before FROM plsafepy_workers();
SQL
)
if [ "$out" = "1 ERROR:  canceling statement due to statement timeout CONTEXT:  PL/SafePy function \"runaway\" 1 t " ]; then
	echo "ok   C-level runaway: 57014, then a new worker"
else
	echo "FAIL C-level runaway: $out"
	fail=1
fi
got=$(run -c "SET plsafepy.interrupt_grace = 300" -c "SET statement_timeout = '300ms'" -c "SELECT runaway()")
check "C-level runaway ends within timeout + grace" "$got" 57014 2500

# pg_cancel_backend from another session
psql -X -q -At -d $DB -v VERBOSITY=verbose -c "SET application_name = 'pls_proc_test'" \
	-c "SET statement_timeout = '20s'" -c "SELECT spin()" > /tmp/pls_proc_out.$$ 2>&1 &
bg=$!
for _ in $(seq 100); do
	n=$(psql -X -q -At -d $DB -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pls_proc_test' AND state = 'active'")
	[ "$n" = 1 ] && break
	sleep 0.05
done
sleep 0.3
psql -X -q -At -d $DB -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'pls_proc_test'" > /dev/null
wait $bg
state=$(sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p' /tmp/pls_proc_out.$$ | head -1)
if [ "$state" = 57014 ]; then
	echo "ok   pg_cancel_backend stops the worker's loop"
else
	echo "FAIL pg_cancel_backend: $(cat /tmp/pls_proc_out.$$)"
	fail=1
fi
rm -f /tmp/pls_proc_out.$$

# A worker killed from outside: an ERROR naming the signal, the session
# goes on with a new worker.
psql -X -q -At -d $DB -c "SET application_name = 'pls_proc_kill'" -c "SELECT counter()" \
	-c "SET statement_timeout = '20s'" -c "SELECT spin()" -c "SELECT 'after ' || counter()" \
	> /tmp/pls_proc_out.$$ 2>&1 &
bg=$!
wp=
for _ in $(seq 100); do
	bp=$(psql -X -q -At -d $DB -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'pls_proc_kill' AND query LIKE '%spin%' AND state = 'active'")
	[ -n "$bp" ] && wp=$(pgrep -P "$bp" -f plsafepy-worker | head -1)
	[ -n "$wp" ] && break
	sleep 0.05
done
sleep 0.3
[ -n "$wp" ] && kill -9 "$wp"
wait $bg
out=$(tr '\n' ' ' < /tmp/pls_proc_out.$$)
rm -f /tmp/pls_proc_out.$$
case "$out" in
"1 ERROR:  plsafepy worker for role \""*"\" "*"SIGKILL"*"after 1 ")
	echo "ok   killed worker: ERROR, then a new worker" ;;
*)
	echo "FAIL killed worker: $out"
	fail=1 ;;
esac

# MemoryError at the worker's memory limit: 53200, and the worker goes on
out=$(psql -X -q -At -d $DB -v VERBOSITY=terse -c "SELECT counter()" -c "SELECT hog(2048)" \
	-c "SELECT counter(), hog(1)" 2>&1 | tr '\n' ' ')
if [ "$out" = "1 ERROR:  MemoryError 2|1048576 " ]; then
	echo "ok   MemoryError in the worker, which goes on"
else
	echo "FAIL MemoryError: $out"
	fail=1
fi

# the worker's memory budget is inline mode's, not only its RLIMIT_AS (twice
# the limit plus 64 MB): started with a 64 MB limit, 40 MB fit; the session's
# plsafepy.user_memory_limit lowers it for the next call and RESET restores
# it; a plsafepy.memory_limit raised after the start does not raise it (80
# MB would fit under RLIMIT_AS); the same worker throughout (counter)
out=$(psql -X -q -At -d $DB -v VERBOSITY=terse -c "SET plsafepy.memory_limit = '64MB'" \
	-c "SELECT counter(), hog(40)" -c "SET plsafepy.user_memory_limit = '16MB'" \
	-c "SELECT hog(20)" -c "RESET plsafepy.user_memory_limit" -c "SELECT hog(20)" \
	-c "SET plsafepy.memory_limit = '1GB'" -c "SELECT hog(80)" \
	-c "SELECT counter()" 2>&1 | tr '\n' ' ')
if [ "$out" = "1|41943040 ERROR:  MemoryError 20971520 ERROR:  MemoryError 2 " ]; then
	echo "ok   the worker's budget: the session's settings lower it, never raise it"
else
	echo "FAIL the worker's budget: $out"
	fail=1
fi

# a result of most of the budget crosses (its message buffer beside it is
# outside the budget, inside RLIMIT_AS), as inline returns it
out=$(psql -X -q -At -d $DB -v VERBOSITY=terse -c "SET plsafepy.memory_limit = '64MB'" \
	-c "SELECT length(big(45))" 2>&1 | tr '\n' ' ')
if [ "$out" = "47185920 " ]; then
	echo "ok   a 45 MB result under a 64 MB limit"
else
	echo "FAIL a 45 MB result under a 64 MB limit: $out"
	fail=1
fi

# pg_terminate_backend ends the session and its worker with it
psql -X -q -At -d $DB -c "SET application_name = 'pls_proc_term'" \
	-c "SET statement_timeout = '20s'" -c "SELECT spin()" > /dev/null 2>&1 &
bg=$!
wp=
for _ in $(seq 100); do
	bp=$(psql -X -q -At -d $DB -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'pls_proc_term' AND query LIKE '%spin%' AND state = 'active'")
	[ -n "$bp" ] && wp=$(pgrep -P "$bp" -f plsafepy-worker | head -1)
	[ -n "$wp" ] && break
	sleep 0.05
done
psql -X -q -At -d $DB -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pls_proc_term'" > /dev/null
wait $bg
sleep 0.5
if [ -n "$wp" ] && ! kill -0 "$wp" 2>/dev/null; then
	echo "ok   pg_terminate_backend ends the worker"
else
	echo "FAIL pg_terminate_backend: worker '$wp' still there"
	fail=1
fi

# A LATIN1 database: names, values, reports and errors cross in UTF-8 and
# come back in the server's encoding.
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS plsafepy_latin1" \
	-c "CREATE DATABASE plsafepy_latin1 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"
out=$(psql -X -q -At -d plsafepy_latin1 2>&1 <<'SQL' | tr '\n' ' '
CREATE EXTENSION plsafepy;
SET plsafepy.isolation = process;
CREATE TYPE tü AS ("naïve" text, n int);
CREATE FUNCTION lat(x tü) RETURNS tü LANGUAGE plsafepy AS $$
plpy.notice('ünïcode')
return {'naïve': x['naïve'] + 'é', 'n': x['n'] + 1}
$$;
SELECT lat(ROW('ä', 1)::tü);
SQL
)
if [ "$out" = "NOTICE:  ünïcode (äé,2) " ]; then
	echo "ok   LATIN1 database: names, values and reports"
else
	echo "FAIL LATIN1 database: $out"
	fail=1
fi
psql -X -q -d postgres -c "DROP DATABASE plsafepy_latin1" > /dev/null

psql -X -q -d postgres -c "DROP DATABASE $DB" > /dev/null
exit $fail
