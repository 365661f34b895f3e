#!/bin/bash
# PostgreSQL's plpython suite (test/port.sh) again, every role in inline
# isolation (test/port passes in both modes; port.sh runs the default,
# process), with the same known differences.  Needs the PG* environment of
# pg_virtualenv and an installed plsafepy.
cd "$(dirname "$0")/.." || exit 1
exec test/in-isolation inline bash test/port.sh
