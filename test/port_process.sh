#!/bin/bash
# PostgreSQL's plpython suite (test/port.sh) again, every role in process
# isolation (issue 11: test/port passes in both modes), with the same known
# differences.  The isolation is set for the whole cluster (ALTER SYSTEM)
# and reset at the end.  Needs the PG* environment of pg_virtualenv and an
# installed plsafepy.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

reset() {
	psql -X -q -d postgres -c "ALTER SYSTEM RESET plsafepy.isolation" \
		-c "SELECT pg_reload_conf()" > /dev/null
}
trap reset EXIT
psql -X -q -d postgres -c "LOAD 'plsafepy'" \
	-c "ALTER SYSTEM SET plsafepy.isolation = 'process'" \
	-c "SELECT pg_reload_conf()" > /dev/null || exit 1
bash test/port.sh
