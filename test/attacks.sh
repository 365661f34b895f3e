#!/bin/sh
# Red-team suite of the plsafepy sandbox (issue 3): every attack in
# test/attacks/*.txt runs in its own session as an unprivileged role logged
# in as itself, and must end with exactly the SQLSTATE and message it names
# (or the output it names); the backend must survive each one and the
# cluster must never go through crash recovery.  Needs the PG* environment
# of pg_virtualenv and an installed plsafepy.
set -e
cd "$(dirname "$0")/.."
exec /usr/bin/python3 test/attacks_driver.py "$@"
