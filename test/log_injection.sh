#!/bin/bash
# An exception raised in a finalizer (a generator's finally run when a
# set-returning function is cut short) must not reach the server's stderr:
# otherwise any user can write arbitrary text into the server log.  Needs the
# PG* environment of pg_virtualenv and an installed plsafepy.
set -euo pipefail

d="$(dirname "${PGSYSCONFDIR:-/nonexistent}")/log"
[ -d "$d" ] || d=/var/log/postgresql
log=$(ls -t "$d"/postgresql-"${PGVERSION:-15}"-regress.log 2>/dev/null | head -1)
if [ -z "$log" ]; then
	echo "log_injection: cannot find the server log" >&2
	exit 1
fi

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
echo "log_injection: finalizer exception kept out of the server log (checked $log)"
