#!/bin/bash
# test/value_link.sh: encode.c and value_py.c, the Python side of value
# conversion that the worker links, built with no PostgreSQL header and
# linked with no PostgreSQL code (test/value_link_test.c is their host), then
# run: Python objects to door values for shapes, door values to Python.
# Needs no PostgreSQL server.
set -uo pipefail
cd "$(dirname "$0")/.."

if ! make -s test/value_link_test >/tmp/value-link-build.$$ 2>&1; then
	cat /tmp/value-link-build.$$
	rm -f /tmp/value-link-build.$$
	echo "value_link: 0 passed, 1 failed (could not build test/value_link_test)"
	exit 1
fi
rm -f /tmp/value-link-build.$$
exec test/value_link_test
