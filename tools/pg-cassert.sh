#!/bin/bash
# Builds PostgreSQL 15 with assertions (--enable-cassert --enable-debug)
# from Debian's own source package of the installed server (fetched and
# kept by tools/pg-source.sh), into a prefix
# kept between runs under /var/cache/plsafepy, and prints that prefix on
# stdout (everything else goes to stderr).  A prefix whose stamp file
# (written last) matches this build's version and configure options is
# reused as it is.  Run as root: it installs the few build dependencies it
# lacks (and pg-source.sh may fetch the source).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

CACHE=/var/cache/plsafepy
SERVER_PKG=postgresql-15
# The build dependencies of a server with assertions and PL/Python.
BUILD_DEPS="gcc make perl bison flex libreadline-dev zlib1g-dev python3-dev"
# --with-python: the attack suite creates plpython3u next to plsafepy.
CONFIGURE_OPTS=(--enable-cassert --enable-debug --with-python
	PYTHON=/usr/bin/python3)
# Contrib modules the tests use: the attack suite's sql-dblink asserts that
# the untrusted dblink cannot be created by the attacker; hstore_plsafepy
# needs hstore (sql/transforms.sql, test/attacks/23_transforms.txt).
CONTRIB="dblink hstore"

say() { echo "pg-cassert: $*" >&2; }

version=$(dpkg-query -W -f='${Version}' "$SERVER_PKG" 2>/dev/null) ||
	{ say "$SERVER_PKG is not installed (tools/install-deps.sh installs it)"; exit 1; }
srcpkg=$(dpkg-query -W -f='${source:Package}' "$SERVER_PKG")
# "postgresql" in the prefix matters: Debian's 50-per-version-dirs.patch
# sends the server's modules to /usr/lib/postgresql/15/lib (the system
# server's!) unless libdir names postgres or pgsql.
prefix="$CACHE/postgresql-15-cassert-$version"
stamp_text="$srcpkg $version ${CONFIGURE_OPTS[*]} contrib: $CONTRIB"

mkdir -p "$CACHE"
# One build at a time; a second caller waits and then reuses it.
exec 9>"$CACHE/.build.lock"
flock 9

if [ -f "$prefix/.complete" ] && [ "$(cat "$prefix/.complete")" = "$stamp_text" ]; then
	say "reusing $prefix: $(cat "$prefix/.source" 2>/dev/null)"
	echo "$prefix"
	exit 0
fi

# Left by a build that was killed (we hold the lock: none is running).
rm -rf "$CACHE"/build.*

missing=$(for p in $BUILD_DEPS; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done)
if [ -n "$missing" ]; then
	say "installing build dependencies:" $missing
	apt-get update -qq >&2
	# shellcheck disable=SC2086
	apt-get install -y -qq $missing >/dev/null
fi

# The cached source tree stays untouched: the build is out of tree.
tree=$("$(dirname "$0")/pg-source.sh")
note=$(cat "$(dirname "$tree")/.source")
work=$(mktemp -d "$CACHE/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/build"
cd "$work/build"

say "building $note into $prefix"
rm -rf "$prefix"
start=$SECONDS
"$tree/configure" -q --prefix="$prefix" "${CONFIGURE_OPTS[@]}" >&2
make -s -j2 >&2
for m in $CONTRIB; do make -s -j2 -C "contrib/$m" >&2; done
# Installed into a staging root first: anything outside the prefix is a
# path patch at work, and the system's PostgreSQL must not be touched.
stage="$work/stage"
make -s install DESTDIR="$stage" >&2
for m in $CONTRIB; do make -s -C "contrib/$m" install DESTDIR="$stage" >&2; done
stray=$(cd "$stage" && find . -mindepth 1 ! -type d | grep -v "^\.$prefix/" | head -5 || true)
if [ -n "$stray" ]; then
	say "the install wrote outside $prefix:" $stray
	exit 1
fi
mv "$stage$prefix" "$prefix"
echo "$note" >"$prefix/.source"
echo "$stamp_text" >"$prefix/.complete"
say "built in $((SECONDS - start)) s"
# Builds for servers no longer installed.
find "$CACHE" -mindepth 1 -maxdepth 1 -name 'postgresql-15-cassert-*' ! -path "$prefix" -exec rm -rf {} +
echo "$prefix"
