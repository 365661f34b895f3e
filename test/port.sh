#!/bin/bash
# Porting test (issue 2): a plain port of PL/Python code, with only the
# language name changed, must give the same results as plpython3u.
#
# The corpus, test/port/plpython_*.sql, is PostgreSQL's own plpython
# regression suite (src/pl/plpython/sql), in its Python 3 form;
# test/port/extra.sql adds checks of the issue's list that the suite does
# not make (conversion edges, plpy, triggers, procedures).  Every file
# runs twice, each time in a fresh database of the running cluster after
# test/port/setup.sql (PostgreSQL's plpython_schema.sql and
# plpython_populate.sql):
#   - as written, LANGUAGE plpython3u, as a superuser (it is untrusted);
#   - with "plpython3u" replaced by "plsafepy", as an unprivileged role that
#     owns the database and installs the (trusted) extension itself.
# Both outputs (psql -a: statements, results, messages) are normalised for
# the language's name only ("PL/SafePy" -> "PL/Python", "plsafepy" ->
# "plpython3u") and must be identical; any difference is printed as a
# unified diff and fails the test.
#
# Statements that plsafepy refuses on purpose (the sandbox: dunder
# attributes, sys, os, open, modules off the whitelist; the differences
# README.md lists under "Porting from plpython3u") are adapted in the corpus,
# each with a "port:" comment saying why; nothing else is.
#
# Needs the PG* environment of a running cluster (test/run, pg_virtualenv)
# with a superuser as PGUSER, and plsafepy and plpython3u installed.
# Usage: test/port.sh [NAME...]   (NAME: plpython_types, types, extra, ...)
# PORT_KEEP=DIR keeps each file's two outputs and the diff in DIR.
set -uo pipefail
cd "$(dirname "$0")/port" || exit 2

role="pls_port_$$"
rolepw="pls_port_pw_$$"
work=$(mktemp -d)
dbs=()

su_psql() {
	psql -X -q -v ON_ERROR_STOP=1 "$@"
}

cleanup() {
	local db
	for db in "${dbs[@]}"; do
		su_psql -d postgres -c "DROP DATABASE IF EXISTS \"$db\"" >/dev/null 2>&1
	done
	su_psql -d postgres -c "DROP ROLE IF EXISTS $role" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

# Only the language's name may differ between the two runs.  Applied to
# both outputs, so that the corpus's own comments naming plsafepy match.
normalise() {
	sed -e 's/PL\/SafePy/PL\/Python/g' \
		-e 's/plsafepy/plpython3u/g'
}

# Runs a corpus file in a fresh database; $1 = language, $2 = file,
# $3 = database, $4 = output.  Same settings for both runs (pg_regress's).
run_file() {
	local lang=$1 file=$2 db=$3 out=$4
	local -a as=()

	if [ "$lang" = plpython3u ]; then
		su_psql -d postgres -c "CREATE DATABASE \"$db\" TEMPLATE template0" >/dev/null || return 1
		su_psql -d "$db" -c "CREATE EXTENSION plpython3u" >/dev/null || return 1
	else
		su_psql -d postgres -c "CREATE DATABASE \"$db\" TEMPLATE template0 OWNER $role" >/dev/null || return 1
		as=(env PGUSER="$role" PGPASSWORD="$rolepw")
		"${as[@]}" psql -X -q -v ON_ERROR_STOP=1 -d "$db" \
			-c "CREATE EXTENSION plsafepy" >/dev/null || return 1
	fi
	su_psql -d postgres -c "ALTER DATABASE \"$db\" SET lc_messages = 'C'" >/dev/null || return 1
	sed -e "s/plpython3u/$lang/g" setup.sql |
		"${as[@]}" env PGTZ=PST8PDT PGDATESTYLE="Postgres, MDY" \
		psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null || return 1
	sed -e "s/plpython3u/$lang/g" "$file" |
		"${as[@]}" env PGTZ=PST8PDT PGDATESTYLE="Postgres, MDY" \
		psql -X -a -q -d "$db" -v HIDE_TABLEAM=on \
		-v HIDE_TOAST_COMPRESSION=on 2>&1 | normalise >"$out"
	su_psql -d postgres -c "DROP DATABASE \"$db\"" >/dev/null 2>&1
	return 0
}

if ! su_psql -d postgres -c "CREATE ROLE $role LOGIN PASSWORD '$rolepw'" >/dev/null; then
	echo "port.sh: cannot create role $role" >&2
	exit 2
fi

files=()
if [ $# -gt 0 ]; then
	for n in "$@"; do
		n=${n%.sql}
		[ -f "$n.sql" ] || n="plpython_$n"
		files+=("$n.sql")
	done
else
	files=(plpython_*.sql extra.sql)
fi

failed=()
passed=0
for f in "${files[@]}"; do
	name=${f%.sql}
	if [ ! -f "$f" ]; then
		echo "port.sh: no corpus file $f" >&2
		failed+=("$name")
		continue
	fi
	short=${name#plpython_}
	# the two runs are independent: run them side by side
	dbs+=("pls_port_u_${short}_$$" "pls_port_s_${short}_$$")
	run_file plpython3u "$f" "pls_port_u_${short}_$$" "$work/$name.plpython3u.out" &
	pid_u=$!
	run_file plsafepy "$f" "pls_port_s_${short}_$$" "$work/$name.plsafepy.out" &
	pid_s=$!
	rc_u=0
	rc_s=0
	wait $pid_u || rc_u=$?
	wait $pid_s || rc_s=$?
	if [ $rc_u -ne 0 ] || [ $rc_s -ne 0 ]; then
		echo "not ok - $name (set-up failed)"
		failed+=("$name")
		continue
	fi
	if diff -u --label "$name (plpython3u)" --label "$name (plsafepy)" \
		"$work/$name.plpython3u.out" "$work/$name.plsafepy.out" >"$work/$name.diff"; then
		echo "ok - $name"
		passed=$((passed + 1))
	else
		echo "not ok - $name"
		cat "$work/$name.diff"
		failed+=("$name")
	fi
done

if [ -n "${PORT_KEEP:-}" ]; then
	mkdir -p "$PORT_KEEP" && cp "$work"/* "$PORT_KEEP"/
fi

echo "port: ${passed} passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
