#!/bin/bash
# The backend against a hostile worker (issue 11, item 2): with the testing
# flavour installed (make PLSAFEPY_TESTING=1), plsafepy.testing_worker_path
# points a role's calls at plsafepy-fake-worker (test/fake_worker.c), which
# answers each call with the corruption its arguments (scenario, seed)
# name: broken frames, broken records, values the wire refuses or that do
# not fit the result type, floods, an exit or a crash mid-call, malformed
# answers to the whitelist view's request.  In one
# session, thousands of calls (every scenario, seeds varying) must each end
# with the scenario's SQLSTATE and message (or its result), the backend
# must never crash (no crash recovery), and its memory must not grow from
# one round of calls to the next.
#
# With a production build installed, the test proves instead that the
# setting does not exist (PLSAFEPY_EXPECT_TESTING=1 makes that a failure,
# for CI's testing stage).  Needs the PG* environment of a running cluster
# with a superuser as PGUSER, and plsafepy installed.
# FUZZ_ROUNDS (default 6) rounds of FUZZ_REPEAT (default 20) calls of each
# scenario.
set -uo pipefail

DB=plsafepy_fuzz
ROLE=pls_fuzz
ROUNDS=${FUZZ_ROUNDS:-6}
REPEAT=${FUZZ_REPEAT:-20}
# growth allowed between the first round and the last: memory contexts
# (bytes) and private resident memory (RssAnon, kB: shared buffers the
# rounds' rows touch are not the backend's own)
MAX_CONTEXT_GROWTH=65536
MAX_RSS_GROWTH_KB=1024
fail=0

ok() { echo "ok   $1"; }
bad() {
	echo "FAIL $1"
	[ $# -lt 2 ] || printf '%s\n' "--- expected:" "$2" "--- got:" "$3"
	fail=1
}
check() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$@"; fi; }
su_psql() { psql -X -q -At -v VERBOSITY=default -v SHOW_CONTEXT=never "$@" 2>&1; }

psql -X -q -d postgres -c "SET client_min_messages = warning" \
	-c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" || exit 1
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "DROP ROLE IF EXISTS $ROLE" >/dev/null 2>&1' EXIT

testing=$(su_psql -d $DB -c "LOAD 'plsafepy'" \
	-c "SELECT count(*) FROM pg_settings WHERE name = 'plsafepy.testing_worker_path'")
if [ "$testing" = 0 ]; then
	check "production build: plsafepy.testing_worker_path is unknown" \
		"ERROR:  unrecognized configuration parameter \"plsafepy.testing_worker_path\"" \
		"$(su_psql -d $DB -c "LOAD 'plsafepy'" -c "SHOW plsafepy.testing_worker_path")"
	if [ "${PLSAFEPY_EXPECT_TESTING:-0}" = 1 ]; then
		bad "the testing flavour is installed (PLSAFEPY_EXPECT_TESTING=1)"
	else
		echo "# production build: the fuzz needs make PLSAFEPY_TESTING=1 (CI's testing stage)"
	fi
	exit $fail
fi

libdir=$(su_psql -d $DB -c "SELECT setting FROM pg_config WHERE name = 'PKGLIBDIR'")
fake="$libdir/plsafepy-fake-worker"
[ -x "$fake" ] || { bad "no fake worker at $fake"; exit 1; }

su_psql -d $DB -v ON_ERROR_STOP=1 >/dev/null <<SQL || exit 1
CREATE EXTENSION plsafepy;
DROP ROLE IF EXISTS $ROLE;
CREATE ROLE $ROLE;
ALTER ROLE $ROLE SET plsafepy.isolation = process;
GRANT CREATE ON SCHEMA public TO $ROLE;
SET ROLE $ROLE;
CREATE TYPE fz_pair AS (a int, b text);
CREATE FUNCTION fz_int(s int, seed int) RETURNS int LANGUAGE plsafepy AS 'pass';
CREATE FUNCTION fz_text(s int, seed int) RETURNS text LANGUAGE plsafepy AS 'pass';
CREATE FUNCTION fz_arr(s int, seed int) RETURNS int[] LANGUAGE plsafepy AS 'pass';
CREATE FUNCTION fz_row(s int, seed int) RETURNS fz_pair LANGUAGE plsafepy AS 'pass';
-- scenarios 41 to 45: a call arms the fake worker, the view's WHITELIST
-- then gets the scenario's answer (the names of its module "fz")
CREATE FUNCTION fz_wl(s int, seed int) RETURNS text LANGUAGE plpgsql AS \$\$
BEGIN
	PERFORM fz_int(s, seed);
	RETURN (SELECT string_agg(name, ',') FROM plsafepy.allowed_modules
			WHERE module = 'fz');
END
\$\$;
-- each scenario of test/fake_worker.c: the call (\$1 scenario, \$2 seed),
-- the SQLSTATE it must end with (a regular expression) and its message
-- (LIKE; SEED stands for the seed), or for 00000 the result
CREATE TABLE fz_scenario (id int PRIMARY KEY, call text, state text, msg text);
INSERT INTO fz_scenario VALUES
 (0, 'fz_int(\$1, \$2)', '00000', 'SEED'),
 (1, 'fz_int(\$1, \$2)', '08P01', 'plsafepy worker for role "$ROLE" broke the channel protocol'),
 (2, 'fz_int(\$1, \$2)', '08P01', 'plsafepy worker for role "$ROLE" broke the channel protocol'),
 (3, 'fz_int(\$1, \$2)', '08P01', 'plsafepy worker for role "$ROLE" broke the channel protocol'),
 (4, 'fz_int(\$1, \$2)', '08P01', 'plsafepy worker for role "$ROLE" broke the channel protocol'),
 (5, 'fz_int(\$1, \$2)', '08P01', 'plsafepy worker for role "$ROLE" broke the channel protocol'),
 (6, 'fz_int(\$1, \$2)', '08P01', 'plsafepy worker sent a malformed message'),
 (7, 'fz_int(\$1, \$2)', '08P01', 'plsafepy worker sent a malformed result'),
 (8, 'fz_text(\$1, \$2)', '08P01', 'plsafepy worker sent a malformed result'),
 (9, 'fz_int(\$1, \$2)', '08P01', 'plsafepy worker sent a malformed error'),
 (10, 'fz_int(\$1, \$2)', '08P01', 'plsafepy worker sent a malformed error'),
 (11, 'fz_int(\$1, \$2)', '08P01', 'plsafepy worker sent a malformed request'),
 (12, 'fz_int(\$1, \$2)', '08P01', 'plsafepy worker sent a malformed report request'),
 (13, 'fz_int(\$1, \$2)', '08P01', 'plsafepy worker sent a malformed report request'),
 (14, 'fz_int(\$1, \$2)', '08P01', 'plsafepy worker sent a malformed quote request'),
 (15, 'fz_int(\$1, \$2)', '08P01', 'plsafepy worker sent a malformed denial report'),
 (16, 'fz_arr(\$1, \$2)', '08P01', 'plsafepy worker sent a malformed result'),
 (17, 'fz_arr(\$1, \$2)', '08P01', 'plsafepy worker sent a malformed result'),
 (18, 'fz_text(\$1, \$2)', '08P01', 'plsafepy worker sent a malformed result'),
 (19, 'fz_int(\$1, \$2)', '08P01', 'plsafepy worker sent a malformed result'),
 (20, 'fz_text(\$1, \$2)', '08P01', 'plsafepy worker sent a malformed result'),
 (21, 'fz_text(\$1, \$2)', '08P01', 'plsafepy worker sent a malformed result'),
 (22, 'fz_arr(\$1, \$2)', '08P01', 'plsafepy worker sent a malformed result'),
 (23, 'fz_int(\$1, \$2)', '22003', 'value "%" is out of range for type integer'),
 (24, 'fz_int(\$1, \$2)', '22P02', 'invalid input syntax for type integer: "x%"'),
 (25, 'fz_int(\$1, \$2)', '08P01', 'malformed value for type integer'),
 (26, 'fz_arr(\$1, \$2)', '22P02', 'invalid input syntax for type integer: "y%"'),
 (27, '(SELECT array_ndims(a) || '' '' || (SELECT bool_and(x = \$2) FROM unnest(a) x) FROM fz_arr(\$1, \$2) a)', '00000', '6 true'),
 (28, 'fz_row(\$1, \$2)', '55006', 'row type changed while a value of it was being converted'),
 (29, 'fz_row(\$1, \$2)', '22P02', 'invalid input syntax for type integer: "z%"'),
 (30, 'fz_text(\$1, \$2)', '08P01', 'malformed value for type text'),
 (31, 'fz_int(\$1, \$2)', '00000', 'SEED'),
 (32, 'fz_int(\$1, \$2)', '38000', 'plsafepy worker for role "$ROLE" died'),
 (33, 'fz_int(\$1, \$2)', '38000', 'plsafepy worker for role "$ROLE" died'),
 (34, 'fz_int(\$1, \$2)', '08P01', 'plsafepy worker sent a malformed result'),
 (35, 'fz_int(\$1, \$2)', '22012', 'fuzz %'),
 (36, 'fz_text(\$1, \$2)', '^(00000|08P01)\$', '%'),
 (37, 'fz_arr(\$1, \$2)', '08P01', 'malformed value for type integer[]'),
 (38, 'fz_arr(\$1, \$2)', '08P01', 'plsafepy worker sent a malformed result'),
 (39, 'fz_int(\$1, \$2)', '00000', 'SEED'),
 (40, 'fz_int(\$1, \$2)', '08P01', 'plsafepy worker sent a malformed zone data request'),
 (41, 'fz_wl(\$1, \$2)', '08P01', 'plsafepy worker sent a malformed whitelist'),
 (42, 'fz_wl(\$1, \$2)', '00000', 'SEED'),
 (43, 'fz_wl(\$1, \$2)', '08P01', 'plsafepy worker sent a malformed request'),
 (44, 'fz_wl(\$1, \$2)', '38000', 'could not list the plsafepy module whitelist'),
 (45, 'fz_wl(\$1, \$2)', '08P01', 'plsafepy worker sent a malformed message');
CREATE TABLE fz_outcome (n int, id int, seed int, state text, msg text, ok bool);
-- one round: every scenario REPEAT times, seeds from seed0
CREATE PROCEDURE fz_round(seed0 int, repeat int) LANGUAGE plpgsql AS \$\$
DECLARE
	sc record;
	st text;
	msg text;
	seed int := seed0;
BEGIN
	FOR i IN 1..repeat LOOP
		FOR sc IN SELECT * FROM fz_scenario ORDER BY id LOOP
			seed := seed + 1;
			BEGIN
				EXECUTE 'SELECT (' || sc.call || ')::text' INTO msg USING sc.id, seed;
				st := '00000';
			EXCEPTION WHEN OTHERS THEN
				GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
			END;
			INSERT INTO fz_outcome VALUES (seed, sc.id, seed, st, msg,
				st ~ sc.state AND (st <> '00000' OR sc.id = 36 OR
								   msg = replace(sc.msg, 'SEED', seed::text))
				AND (st = '00000' OR msg LIKE sc.msg));
		END LOOP;
	END LOOP;
END
\$\$;
SQL

# One session: the rounds, and the backend's memory after each (memory
# contexts and private resident set), read as the superuser between rounds.
script=$(mktemp)
{
	echo "SET plsafepy.testing_worker_path = '$fake';"
	echo "SET client_min_messages = warning;"
	echo "SELECT pg_backend_pid() AS bpid \\gset"
	for r in $(seq "$ROUNDS"); do
		echo "SET ROLE $ROLE;"
		echo "CALL fz_round($(((r - 1) * 100000)), $REPEAT);"
		echo "RESET ROLE;"
		echo "SELECT 'mem $r ' || sum(total_bytes) FROM pg_backend_memory_contexts;"
		echo "SELECT 'rss $r ' || substring(pg_read_file('/proc/self/status') FROM 'RssAnon:\\s*(\\d+) kB');"
	done
	echo "SELECT 'backend ' || (pg_backend_pid() = :bpid);"
} >"$script"
t=$SECONDS
out=$(su_psql -d $DB -f "$script")
rm -f "$script"
secs=$((SECONDS - t))

calls=$(su_psql -d $DB -c "SELECT count(*) FROM fz_outcome")
want=$((ROUNDS * REPEAT * $(su_psql -d $DB -c "SELECT count(*) FROM fz_scenario")))
check "$want calls in one session ($secs s)" "$want" "$calls"
check "every call ended with its scenario's SQLSTATE and message" "" \
	"$(su_psql -d $DB -c "SELECT format('scenario %s seed %s: %s %s', id, seed, state, msg) FROM fz_outcome WHERE NOT ok ORDER BY n LIMIT 20")"
echo "# outcomes: $(su_psql -d $DB -c "SELECT string_agg(state || ' x' || c, ', ' ORDER BY state) FROM (SELECT state, count(*) c FROM fz_outcome GROUP BY state) s")"
check "the same backend throughout" "backend true" "$(printf '%s\n' "$out" | grep '^backend ')"
printf '%s\n' "$out" | grep -E '^(mem|rss) ' | sed 's/^/# /'
mem1=$(printf '%s\n' "$out" | awk '$1 == "mem" && $2 == 1 { print $3 }')
memN=$(printf '%s\n' "$out" | awk -v r="$ROUNDS" '$1 == "mem" && $2 == r { print $3 }')
rss1=$(printf '%s\n' "$out" | awk '$1 == "rss" && $2 == 1 { print $3 }')
rssN=$(printf '%s\n' "$out" | awk -v r="$ROUNDS" '$1 == "rss" && $2 == r { print $3 }')
if [ -n "$mem1" ] && [ -n "$memN" ] && [ $((memN - mem1)) -le $MAX_CONTEXT_GROWTH ]; then
	ok "memory contexts after round 1: $mem1 bytes, after round $ROUNDS: $memN"
else
	bad "memory contexts grew: '$mem1' -> '$memN' bytes (at most $MAX_CONTEXT_GROWTH)"
fi
if [ -n "$rss1" ] && [ -n "$rssN" ] && [ $((rssN - rss1)) -le $MAX_RSS_GROWTH_KB ]; then
	ok "private resident memory after round 1: $rss1 kB, after round $ROUNDS: $rssN kB"
else
	bad "private resident memory grew: '$rss1' -> '$rssN' kB (at most $MAX_RSS_GROWTH_KB)"
fi

# The heavy two, once each: MORE frames up to the largest message (1.1 GB
# reassembled, then refused), and a worker that never answers (ended after
# statement_timeout and plsafepy.interrupt_grace).
check "MORE frames beyond the largest message" \
	"ERROR:  plsafepy worker for role \"$ROLE\" broke the channel protocol
DETAIL:  It sent a malformed message (message too long) and was ended.
08P01
1" "$(su_psql -d $DB -c "SET plsafepy.testing_worker_path = '$fake'" -c "SET ROLE $ROLE" \
	-c "SELECT fz_int(90, 1)" -c '\echo :LAST_ERROR_SQLSTATE' -c "SELECT fz_int(0, 1)")"
check "a worker that never answers" \
	"ERROR:  canceling statement due to statement timeout
57014
2" "$(su_psql -d $DB -c "SET plsafepy.testing_worker_path = '$fake'" \
	-c "SET plsafepy.interrupt_grace = 100" -c "SET ROLE $ROLE" \
	-c "SET statement_timeout = '200ms'" -c "SELECT fz_int(91, 1)" -c '\echo :LAST_ERROR_SQLSTATE' \
	-c "RESET statement_timeout" -c "SELECT fz_int(0, 2)")"

log=${PG_CLUSTER_LOG:-$(pg_lsclusters -h 2>/dev/null | awk -v p="${PGPORT:-5432}" '$3 == p { print $NF }')}
if [ -r "$log" ]; then
	check "the server log shows no crashed backend" "" \
		"$(grep -E 'terminated by signal|all server processes terminated|server process .* exited with' "$log")"
else
	bad "the server log '$log' is not readable"
fi
exit $fail
