#!/bin/bash
# Builds PostgreSQL 15 with assertions (--enable-cassert --enable-debug)
# from Debian's own source package of the installed server, into a prefix
# kept between runs under /var/cache/plsafepy, and prints that prefix on
# stdout (everything else goes to stderr).  A prefix whose stamp file
# (written last) matches this build's version and configure options is
# reused as it is.  Run as root: it adds deb-src entries made from the
# machine's apt sources and installs the few build dependencies it lacks.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

CACHE=/var/cache/plsafepy
SERVER_PKG=postgresql-15
# The build dependencies of a server with assertions and PL/Python, and
# of fetching and unpacking a Debian source package.
BUILD_DEPS="gcc make perl bison flex libreadline-dev zlib1g-dev python3-dev dpkg-dev"
# --with-python: the attack suite creates plpython3u next to plsafepy.
CONFIGURE_OPTS=(--enable-cassert --enable-debug --with-python
	PYTHON=/usr/bin/python3)
# Contrib modules the tests use: the attack suite's sql-dblink asserts that
# the untrusted dblink cannot be created by the attacker.
CONTRIB="dblink"

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

# deb-src entries for every active deb entry of the machine's apt sources
# (one-line *.list and deb822 *.sources), in files of our own, so that
# apt-get source reaches the archives the server came from.
srcdir=/etc/apt/sources.list.d
own_list="$srcdir/plsafepy-deb-src.list"
own_sources="$srcdir/plsafepy-deb-src.sources"
others=()
for f in /etc/apt/sources.list "$srcdir"/*.list "$srcdir"/*.sources; do
	[ -f "$f" ] && [ "$f" != "$own_list" ] && [ "$f" != "$own_sources" ] && others+=("$f")
done
lists=() sources=()
for f in "${others[@]}"; do
	case $f in *.sources) sources+=("$f") ;; *) lists+=("$f") ;; esac
done
new_list=$( ((${#lists[@]})) && cat "${lists[@]}" |
	sed -nE 's/^[[:space:]]*deb[[:space:]]+/deb-src /p' | sort -u |
	grep -vxF -f <(cat "${lists[@]}" | sed -nE 's/^[[:space:]]*(deb-src[[:space:]].*)$/\1/p' |
		sed -E 's/^deb-src[[:space:]]+/deb-src /') || true)
# deb822: a stanza is a paragraph; copy each enabled one whose Types has
# deb but not deb-src, as a deb-src stanza (other fields kept, Types and
# Architectures dropped; continuation lines stay with their field).
new_sources=$( ((${#sources[@]})) && awk '
	BEGIN { RS = ""; FS = "\n" }
	{
		types = ""; enabled = "yes"; out = ""; skip = 0
		for (i = 1; i <= NF; i++) {
			line = $i
			if (line ~ /^#/) continue
			if (line ~ /^[ \t]/) { if (!skip) out = out line "\n"; continue }
			key = tolower(line); sub(/:.*/, "", key)
			val = line; sub(/^[^:]*:[ \t]*/, "", val)
			skip = (key == "types" || key == "architectures")
			if (key == "types") types = " " val " "
			else if (key == "enabled") enabled = tolower(val)
			else if (!skip) out = out line "\n"
		}
		if (types ~ /[ \t]deb[ \t]/ && types !~ /[ \t]deb-src[ \t]/ && enabled != "no")
			printf "Types: deb-src\n%s\n", out
	}' "${sources[@]}" || true)

changed=
srcparts=$(mktemp -d)
trap 'rm -rf "$srcparts"' EXIT
for pair in "$own_list:new_list" "$own_sources:new_sources"; do
	file=${pair%%:*} var=${pair##*:}
	text=${!var}
	if [ -z "$text" ]; then
		[ -e "$file" ] && { rm -f "$file"; changed=1; }
		continue
	fi
	if [ ! -f "$file" ] || [ "$(cat "$file")" != "$text" ]; then
		printf '%s\n' "$text" >"$file"
		changed=1
	fi
	cp "$file" "$srcparts/"
done
[ -n "$new_list$new_sources" ] ||
	say "note: no deb entries found in the apt sources; relying on existing deb-src entries"
# Only the Sources indexes are fetched (other lists are left as they are).
say "updating the deb-src indexes${changed:+ (entries written to $srcdir/plsafepy-deb-src.*)}"
apt-get update -qq -o Dir::Etc::sourcelist=/dev/null -o APT::Get::List-Cleanup=0 \
	-o Dir::Etc::sourceparts="$srcparts" >&2

# Debian's source of exactly the installed version; where the archive
# does not serve it (a mirror may carry the security suite's binaries but
# not its sources), the newest version it does serve, said loudly and
# recorded in the prefix's .source.
work=$(mktemp -d "$CACHE/build.XXXXXX")
trap 'rm -rf "$srcparts" "$work"' EXIT
cd "$work"
got=
for v in "$version" $(apt-cache showsrc --only-source "$srcpkg" |
	sed -n 's/^Version: //p' | sort -rV | grep -vxF "$version"); do
	if apt-get source -qq --only-source "$srcpkg=$v" >"$work/fetch.log" 2>&1; then
		got=$v
		break
	fi
	say "the archive does not serve the source of $srcpkg $v:"
	grep -E '^E: ' "$work/fetch.log" | head -3 >&2 || true
	rm -rf "${work:?}"/*
done
[ -n "$got" ] || { say "no source of $srcpkg could be fetched"; exit 1; }
note="$srcpkg $got"
if [ "$got" != "$version" ]; then
	note="$note (the installed server is $version, whose source the archive does not serve)"
	say "WARNING: building $note"
fi
tree=$(find . -mindepth 1 -maxdepth 1 -type d -name "postgresql-*" | head -1)
[ -n "$tree" ] || { say "apt-get source left no source tree in $work"; exit 1; }
cd "$tree"

say "building $note into $prefix"
rm -rf "$prefix"
start=$SECONDS
./configure -q --prefix="$prefix" "${CONFIGURE_OPTS[@]}" >&2
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
