#!/bin/bash
# The denial log tells the truth (issue 9, item 7): a syntax error in a
# body logs no denial (CPython's error path used to look for a source file
# and the audit hook logged a false 'operation "open"'), and a body the
# policy refuses at CREATE FUNCTION is logged like a run-time denial, with
# role and function.  Needs the PG* environment of pg_virtualenv and an
# installed plsafepy.
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
	echo "denial_log: cannot find the server log" >&2
	exit 1
fi

start=$(stat -c %s "$log")
psql -X -q -v ON_ERROR_STOP=0 2>/dev/null <<'SQL'
CREATE DATABASE pls_denlog;
\c pls_denlog
CREATE EXTENSION plsafepy;
CREATE ROLE pls_denlog_user;
GRANT CREATE ON SCHEMA public TO pls_denlog_user;
SET ROLE pls_denlog_user;
-- syntax errors (parser, tokenizer, compiler): no denial
CREATE FUNCTION syn_paren() RETURNS int LANGUAGE plsafepy AS $$ x = ( $$;
CREATE FUNCTION syn_indent() RETURNS int LANGUAGE plsafepy AS $$
  x = 1
    y = 2
$$;
CREATE FUNCTION syn_break() RETURNS int LANGUAGE plsafepy AS $$ break $$;
DO LANGUAGE plsafepy $$ return ( $$;
-- denied by the policy at CREATE FUNCTION: logged
CREATE FUNCTION imp_os() RETURNS int LANGUAGE plsafepy AS $$ import os $$;
CREATE FUNCTION form_feed() RETURNS int LANGUAGE plsafepy AS E'return 1\n\fimport os';
-- denied at run time: logged the same way
CREATE FUNCTION run_open() RETURNS int LANGUAGE plsafepy AS $$ open('x') $$;
SELECT run_open();
RESET ROLE;
\c postgres
DROP DATABASE pls_denlog;
DROP ROLE pls_denlog_user;
SQL

sleep 0.5
new=$(tail -c +"$((start + 1))" "$log")
fail=0
expect() {
	# $1: the denial's message, $2: the function
	if ! grep -A1 -F "LOG:  plsafepy denied: $1" <<<"$new" |
		grep -q -F "DETAIL:  Role \"pls_denlog_user\", function \"$2\"."; then
		echo "denial_log: FAILED, no logged denial \"$1\" of function \"$2\""
		fail=1
	fi
}
expect 'import of module "os" is not allowed' imp_os
expect 'character U+000C (form feed) outside a string literal is not allowed in plsafepy' form_feed
expect 'open() is not allowed in plsafepy' run_open
n=$(grep -c -F "plsafepy denied:" <<<"$new" || true)
if [ "$n" != 3 ]; then
	echo "denial_log: FAILED, $n denials logged instead of 3:"
	grep -F "plsafepy denied:" <<<"$new" | head -10
	fail=1
fi
[ "$fail" = 0 ] || exit 1
echo "denial_log ($PLS_TEST_ISOLATION): syntax errors log no denial; policy and run-time denials are logged with role and function (checked $log)"
