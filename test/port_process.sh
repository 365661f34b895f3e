#!/bin/bash
# PostgreSQL's plpython suite (test/port.sh) again, every role in process
# isolation (issue 11: test/port passes in both modes), with the same known
# differences.  Needs the PG* environment of pg_virtualenv and an installed
# plsafepy.
cd "$(dirname "$0")/.." || exit 1
exec test/in-process-isolation bash test/port.sh
