#!/bin/bash
# time.sleep in plsafepy is always the interruptible sleep (limits.c),
# whatever plsafepy.allowed_modules says (issue 9, item 3): a sleep of a
# minute from a whitelisted "time:sleep" or "time" is ended promptly, with
# SQLSTATE 57014, by statement_timeout and by pg_cancel_backend.  Needs the
# PG* environment of pg_virtualenv and an installed plsafepy.
set -uo pipefail
# inline's sleep (limits.c); process isolation's is test/process.sh's
[ "${PLS_TEST_ISOLATION:-}" = inline ] ||
	exec "$(dirname "$0")/in-isolation" inline bash "$0" "$@"

DB=plsafepy_sleep
fail=0
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" || exit 1
psql -X -q -d $DB -v ON_ERROR_STOP=1 <<'SQL' || exit 1
CREATE EXTENSION plsafepy;
SET plsafepy.allowed_modules = 'time';
CREATE FUNCTION sleep_from(spec text, secs float8) RETURNS text LANGUAGE plsafepy AS $$
import time
from time import sleep
if spec == 'module':
    time.sleep(secs)
else:
    sleep(secs)
return 'slept'
$$;
SQL

# run SQL with allowed_modules set; print "elapsed_ms SQLSTATE-or-ok"
run() {
	local modules=$1 sql=$2
	local start end out state
	start=$(date +%s%N)
	out=$(psql -X -q -At -d $DB -v VERBOSITY=verbose \
		-c "SET plsafepy.allowed_modules = '$modules'" -c "$sql" 2>&1)
	end=$(date +%s%N)
	state=$(printf '%s\n' "$out" | sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p' | head -1)
	echo "$(( (end - start) / 1000000 )) ${state:-ok:$out}"
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

for spec in "time:sleep" "time"; do
	for form in module name; do
		got=$(run "$spec" "SET statement_timeout = '300ms'; SELECT sleep_from('$form', 60)")
		check "statement_timeout, $spec, $form" "$got" 57014 3000
	done
done

# a short sleep completes
got=$(run "time:sleep" "SELECT sleep_from('name', 0.2)")
check "short sleep completes" "$got" "ok:slept" 3000

# pg_cancel_backend from another session
for spec in "time:sleep" "time"; do
	start=$(date +%s%N)
	psql -X -q -At -d $DB -v VERBOSITY=verbose \
		-c "SET plsafepy.allowed_modules = '$spec'" \
		-c "SET application_name = 'pls_sleep_test'" \
		-c "SELECT sleep_from('module', 60)" > /tmp/pls_sleep_out.$$ 2>&1 &
	pid=$!
	for _ in $(seq 50); do
		n=$(psql -X -q -At -d $DB -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pls_sleep_test' AND wait_event = 'Extension'")
		[ "$n" = 1 ] && break
		sleep 0.1
	done
	psql -X -q -At -d $DB -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'pls_sleep_test'" > /dev/null
	wait $pid
	end=$(date +%s%N)
	state=$(sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p' /tmp/pls_sleep_out.$$ | head -1)
	rm -f /tmp/pls_sleep_out.$$
	check "pg_cancel_backend, $spec" "$(( (end - start) / 1000000 )) ${state:-none}" 57014 8000
done

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB"
exit $fail
