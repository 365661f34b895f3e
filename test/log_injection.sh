#!/bin/bash
# An exception raised in a finalizer (a generator's finally run when a
# set-returning function is cut short) must not reach the server's stderr:
# otherwise any user can write arbitrary text into the server log.  Nor may
# the SyntaxWarnings of the parse ast.literal_eval makes (one per
# occurrence, as many as the text asks for).  Needs the PG* environment of
# pg_virtualenv and an installed plsafepy.
set -euo pipefail
# in both isolations, each set explicitly
if [ -z "${PLS_TEST_ISOLATION:-}" ]; then
	"$(dirname "$0")/in-isolation" process bash "$0" "$@"
	exec "$(dirname "$0")/in-isolation" inline bash "$0" "$@"
fi

d="$(dirname "${PGSYSCONFDIR:-/nonexistent}")/log"
[ -d "$d" ] || d=/var/log/postgresql
log=$(ls -t "$d"/postgresql-"${PGVERSION:-15}"-regress.log 2>/dev/null | head -1)
if [ -z "$log" ]; then
	echo "log_injection: cannot find the server log" >&2
	exit 1
fi

start=$(wc -c <"$log")
marker="plsafepy-log-injection-$$-$RANDOM"
psql -X -q -v ON_ERROR_STOP=1 <<SQL
CREATE DATABASE pls_logtest;
\c pls_logtest
CREATE EXTENSION plsafepy;
CREATE ROLE pls_log_user;
GRANT CREATE ON SCHEMA public TO pls_log_user;
SET ROLE pls_log_user;
CREATE FUNCTION gen() RETURNS SETOF int LANGUAGE plsafepy AS \$\$
try:
    yield 1
    yield 2
finally:
    raise ValueError("$marker")
\$\$;
SELECT gen() LIMIT 1;
SELECT 1;
-- a finally stopped by the statement timeout while the generator is
-- finalized: the exception is unraisable, and reporting it must not be
-- interrupted in turn (CPython would print that to stderr, bare)
CREATE FUNCTION gen_loop() RETURNS SETOF int LANGUAGE plsafepy AS \$\$
try:
    yield 1
    yield 2
finally:
    while True:
        pass
\$\$;
CREATE FUNCTION warn() RETURNS text LANGUAGE plsafepy AS \$\$
import ast
try:
    ast.literal_eval("0" + " 1if 1else 2" * 100)
except SyntaxError as e:
    return str(e)
\$\$;
SELECT warn();
SET statement_timeout = '200ms';
\set ON_ERROR_STOP 0
SELECT gen_loop() LIMIT 1;
SELECT gen_loop() LIMIT 1;
\set ON_ERROR_STOP 1
RESET statement_timeout;
RESET ROLE;
\c postgres
DROP DATABASE pls_logtest;
DROP ROLE pls_log_user;
SQL

sleep 0.5
if grep -q "$marker" "$log"; then
	echo "log_injection: FAILED, the finalizer's exception text reached the server log:"
	grep -n "$marker" "$log" | head -5
	exit 1
fi
# Every line the server wrote meanwhile is a formatted log line (it starts
# with log_line_prefix's timestamp) or the continuation of one (a tab).
bare=$(tail -c +"$((start + 1))" "$log" | grep -Ev '^[0-9]{4}-[0-9]{2}-[0-9]{2} |^	' || true)
if [ -n "$bare" ]; then
	echo "log_injection: FAILED, unformatted lines reached the server log:"
	head -5 <<<"$bare"
	exit 1
fi
echo "log_injection ($PLS_TEST_ISOLATION): finalizer exceptions and parser warnings kept out of the server log, no unformatted lines (checked $log)"
