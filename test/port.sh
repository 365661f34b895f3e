#!/bin/bash
# Porting test (issue 2, issue 12 items 5 and 6): PostgreSQL's own
# plpython regression suite, as published, must give plpython3u's output in
# plsafepy with only the language's name changed, statement by statement,
# except where a difference is listed as known.
#
# The suite is fetched, not copied: tools/pg-source.sh gives Debian's
# source of the installed server (cached in /var/cache/plsafepy), and the
# files of src/pl/plpython/sql run in the order of the REGRESS list of its
# Makefile, all in one database, as pg_regress runs them.  The suites of
# the transforms plsafepy implements, contrib/jsonb_plpython and
# contrib/hstore_plpython (TRANSFORM FOR TYPE, with the extensions
# jsonb_plpython3u and hstore_plpython3u, whose names become jsonb_plsafepy
# and hstore_plsafepy), run each in a database of its own, with hstore
# created first as their Makefiles' --load-extension does; the other
# contrib/*_plpython suites are said to be skipped.  Our own adaptations
# (test/port/adaptations: each for something the sandbox must refuse, with
# its reason) are applied to the fetched text; then test/port/extra.sql
# (ours: checks the suite does not make) runs in a database of its own
# after the suite's plpython_schema and plpython_populate.  The whole runs
# twice, side by side:
#   - as written, LANGUAGE plpython3u, as a superuser (it is untrusted);
#   - with "plpython3u" replaced by "plsafepy", as an unprivileged role that
#     owns the database and creates the (trusted) extension itself (the
#     suite's plpython_test.sql does).
# Both outputs (psql -a: statements, results, messages) are normalised for
# the language's name only ("PL/SafePy" -> "PL/Python", "plsafepy" ->
# "plpython3u"), cut into one part per statement (test/port/corpus.py) and
# compared.  Each statement whose part differs must be listed in
# test/port/known-differences with its cause, and each listed one must
# still differ: a new difference and a difference gone both fail the test
# (the list shrinks as issue 12 lands).
#
# Needs the PG* environment of a running cluster (test/run, pg_virtualenv)
# with a superuser as PGUSER, and plsafepy and plpython3u installed.
# Usage: test/port.sh [NAME...]   (NAME: plpython_types, types, extra,
# jsonb_plpython, hstore_plpython, ...; the suite's files before a named
# one run too, for their state, but only the named ones are compared).
# PORT_KEEP=DIR keeps the prepared files and both outputs in DIR.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
port="$here/port"

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
	if [ -n "${PORT_KEEP:-}" ]; then
		mkdir -p "$PORT_KEEP" && cp -r "$work"/. "$PORT_KEEP"/
	fi
	rm -rf "$work"
}
trap cleanup EXIT

if ! src=$("$here/../tools/pg-source.sh"); then
	echo "port.sh: no PostgreSQL source (tools/pg-source.sh failed)" >&2
	exit 2
fi
pl="$src/src/pl/plpython"
echo "# PostgreSQL's plpython suite from $(cat "$(dirname "$src")/.source")"

# The schedule: the REGRESS list of the suite's Makefile.
mapfile -t schedule < <(sed -n '/^REGRESS = /,/^$/p' "$pl/Makefile" |
	tr -s ' \t\\' '\n' | grep '^plpython_')
if [ ${#schedule[@]} -lt 10 ]; then
	echo "port.sh: no REGRESS list in $pl/Makefile" >&2
	exit 2
fi
for f in "$pl"/sql/*.sql; do
	n=$(basename "$f" .sql)
	printf '%s\n' "${schedule[@]}" | grep -qxF "$n" ||
		echo "# note: $n.sql is not in the suite's schedule, not run (as by pg_regress)"
done
# The transforms' suites plsafepy runs; each one's extensions, created
# before it as its Makefile's REGRESS_OPTS say.
transforms=(jsonb_plpython hstore_plpython)
declare -A preload=([jsonb_plpython]="" [hstore_plpython]="hstore")
for d in "$src"/contrib/*_plpython; do
	[ -d "$d" ] || continue
	n=$(basename "$d")
	printf '%s\n' "${transforms[@]}" | grep -qxF "$n" && continue
	echo "# skip - contrib/$n: TRANSFORM FOR TYPE of a type plsafepy has no transform for"
done
for n in "${transforms[@]}"; do
	if [ ! -f "$src/contrib/$n/sql/$n.sql" ]; then
		echo "port.sh: no contrib/$n/sql/$n.sql in the source" >&2
		exit 2
	fi
done

# What is compared: the named files, or all; what runs: the schedule up to
# the last named file of it.
compared=()
last=0
if [ $# -gt 0 ]; then
	for n in "$@"; do
		n=${n%.sql}
		[ "$n" = extra ] || [[ $n == plpython_* ]] || [[ $n == *_plpython ]] ||
			n="plpython_$n"
		compared+=("$n")
		[ "$n" = extra ] && continue
		[[ $n == *_plpython ]] && continue
		found=
		for i in "${!schedule[@]}"; do
			[ "${schedule[$i]}" = "$n" ] && found=$i
		done
		if [ -z "$found" ]; then
			echo "port.sh: $n is not in the suite's schedule" >&2
			exit 2
		fi
		[ "$found" -ge "$last" ] && last=$((found + 1))
	done
	run=("${schedule[@]:0:$last}")
else
	run=("${schedule[@]}")
	compared=("${schedule[@]}" extra "${transforms[@]}")
fi
runs_extra=
printf '%s\n' "${compared[@]}" | grep -qxF extra && runs_extra=1
runs_transforms=()
for n in "${transforms[@]}"; do
	printf '%s\n' "${compared[@]}" | grep -qxF "$n" && runs_transforms+=("$n")
done
for n in "${compared[@]}"; do
	[[ $n == *_plpython ]] || continue
	printf '%s\n' "${transforms[@]}" | grep -qxF "$n" && continue
	echo "port.sh: $n is not a transform suite plsafepy runs (${transforms[*]})" >&2
	exit 2
done

mkdir "$work/suite" "$work/extra" "$work/transforms" || exit 2
/usr/bin/python3 "$port/corpus.py" prepare "$pl/sql" "$pl/expected" \
	"$port/adaptations" "$work/suite" "${schedule[@]}" || exit 1
/usr/bin/python3 "$port/corpus.py" prepare "$port" - /dev/null "$work/extra" extra || exit 1
for n in "${runs_transforms[@]}"; do
	/usr/bin/python3 "$port/corpus.py" prepare "$src/contrib/$n/sql" \
		"$src/contrib/$n/expected" /dev/null "$work/transforms" "$n" || exit 1
done

# Only the language's name may differ between the two runs.  Applied to
# both outputs, so that text naming plsafepy in either matches.
normalise() {
	sed -e 's/PL\/SafePy/PL\/Python/g' \
		-e 's/plsafepy/plpython3u/g'
}

# A database set up as pg_regress sets up its own; $1 = language, $2 = name.
make_db() {
	local lang=$1 db=$2
	if [ "$lang" = plpython3u ]; then
		su_psql -d postgres -c "CREATE DATABASE \"$db\" TEMPLATE template0" >/dev/null || return 1
	else
		su_psql -d postgres -c "CREATE DATABASE \"$db\" TEMPLATE template0 OWNER $role" >/dev/null || return 1
	fi
	su_psql -d postgres >/dev/null <<-EOF || return 1
		ALTER DATABASE "$db" SET lc_messages TO 'C';
		ALTER DATABASE "$db" SET lc_monetary TO 'C';
		ALTER DATABASE "$db" SET lc_numeric TO 'C';
		ALTER DATABASE "$db" SET lc_time TO 'C';
		ALTER DATABASE "$db" SET bytea_output TO 'hex';
		ALTER DATABASE "$db" SET timezone_abbreviations TO 'Default';
	EOF
}

# Runs prepared files in database $2 as language $1's user; $3 = the
# prepared files' directory, then the names.  Output: $3/NAME.$1.out.
run_files() {
	local lang=$1 db=$2 dir=$3
	shift 3
	local -a as=()
	[ "$lang" = plsafepy ] && as=(env PGUSER="$role" PGPASSWORD="$rolepw")
	for name in "$@"; do
		sed -e "s/plpython3u/$lang/g" "$dir/$name.sql" |
			"${as[@]}" env PGTZ=PST8PDT PGDATESTYLE="Postgres, MDY" \
			psql -X -a -q -d "$db" -v HIDE_TABLEAM=on \
			-v HIDE_TOAST_COMPRESSION=on 2>&1 | normalise >"$dir/$name.$lang.out"
	done
}

# The whole run of one language: the suite, extra.sql, then each
# transform's suite in a database of its own.
run_lang() {
	local lang=$1 db="pls_port_${1}_$$" xdb="pls_port_x_${1}_$$" n tdb ext
	local -a as=()
	[ "$lang" = plsafepy ] && as=(env PGUSER="$role" PGPASSWORD="$rolepw")
	make_db "$lang" "$db" || return 1
	run_files "$lang" "$db" "$work/suite" "${run[@]}"
	if [ -n "$runs_extra" ]; then
		make_db "$lang" "$xdb" || return 1
		{
			echo "CREATE EXTENSION $lang;"
			cat "$pl/sql/plpython_schema.sql" "$pl/sql/plpython_populate.sql"
		} | "${as[@]}" psql -X -q -v ON_ERROR_STOP=1 -d "$xdb" >/dev/null || return 1
		run_files "$lang" "$xdb" "$work/extra" extra
	fi
	for n in "${runs_transforms[@]}"; do
		tdb="pls_port_${n}_${lang}_$$"
		make_db "$lang" "$tdb" || return 1
		for ext in ${preload[$n]}; do
			"${as[@]}" psql -X -q -v ON_ERROR_STOP=1 -d "$tdb" \
				-c "CREATE EXTENSION \"$ext\"" >/dev/null || return 1
		done
		run_files "$lang" "$tdb" "$work/transforms" "$n"
	done
}

if ! su_psql -d postgres -c "CREATE ROLE $role LOGIN PASSWORD '$rolepw'" >/dev/null; then
	echo "port.sh: cannot create role $role" >&2
	exit 2
fi
dbs=("pls_port_plpython3u_$$" "pls_port_plsafepy_$$" "pls_port_x_plpython3u_$$" "pls_port_x_plsafepy_$$")
for n in "${transforms[@]}"; do
	dbs+=("pls_port_${n}_plpython3u_$$" "pls_port_${n}_plsafepy_$$")
done

start=$SECONDS
run_lang plpython3u >"$work/setup.plpython3u.log" 2>&1 &
pid_u=$!
run_lang plsafepy >"$work/setup.plsafepy.log" 2>&1 &
pid_s=$!
rc_u=0 rc_s=0
wait $pid_u || rc_u=$?
wait $pid_s || rc_s=$?
if [ $rc_u -ne 0 ] || [ $rc_s -ne 0 ]; then
	echo "not ok - setting up the databases failed"
	cat "$work"/setup.*.log
	exit 1
fi
echo "# ran in $((SECONDS - start)) s"

# extra's and the transforms' outputs sit with the suite's for the
# comparison.
[ -n "$runs_extra" ] && cp "$work"/extra/extra.* "$work/suite/"
for n in "${runs_transforms[@]}"; do
	cp "$work/transforms/$n".* "$work/suite/"
done
/usr/bin/python3 "$port/corpus.py" compare "$work/suite" "$port/known-differences" "${compared[@]}"
