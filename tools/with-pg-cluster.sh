#!/bin/bash
# Usage: tools/with-pg-cluster.sh PGBIN CMD [ARG...]
#
# pg_virtualenv for a PostgreSQL that is not Debian's packaged one (the
# assert-enabled build of tools/pg-cassert.sh): initdb's a throwaway
# cluster in a temporary directory with the binaries in PGBIN, starts it on
# a free port, runs CMD with the environment pg_virtualenv gives and the
# tests rely on, then stops and removes the cluster however CMD ends, and
# exits with CMD's status.
#
# Like pg_virtualenv's cluster: the server runs as postgres (when started
# as root), the superuser postgres has a random password (PGPASSWORD),
# clients connect over TCP to localhost with scram-sha-256 (so roles log in
# as themselves with passwords), local socket connections use peer, fsync
# is off, log lines are prefixed '%m [%p] %q%u@%d ', and the server log is
# $(dirname $PGSYSCONFDIR)/log/postgresql-$PGVERSION-regress.log.
# Exported: PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE PGSYSCONFDIR
# PGVERSION PG_CONFIG, PGBIN first on PATH, and PG_CLUSTER_LOG (the log).
# On failure the end of the log and a backtrace of any core file are
# printed, as pg_virtualenv does.
set -euo pipefail

if [ $# -lt 2 ]; then
	echo "usage: $0 PGBIN CMD [ARG...]" >&2
	exit 2
fi
PGBIN=$(cd "$1" && pwd)
shift
for b in initdb pg_ctl pg_config postgres; do
	[ -x "$PGBIN/$b" ] || { echo "$0: no $b in $PGBIN" >&2; exit 2; }
done
version=$("$PGBIN/pg_config" --version | sed -nE 's/^PostgreSQL ([0-9]+).*/\1/p')

if [ "$(id -u)" = 0 ]; then
	owner=postgres
	as_owner() { runuser -u postgres -- "$@"; }
else
	owner=$(id -un)
	as_owner() { "$@"; }
fi

work=$(mktemp -d -t pg-cluster.XXXXXX)
data="$work/data"
log="$work/log/postgresql-$version-regress.log"
mkdir "$work/log" "$work/postgresql-common" "$work/socket"
pwfile="$work/postgresql-common/pwfile"
PGPASSWORD=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
echo "$PGPASSWORD" >"$pwfile"
chmod 700 "$work"
chown -R "$owner" "$work"

cleanup() {
	set +e
	if [ -f "$data/postmaster.pid" ]; then
		as_owner "$PGBIN/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

(cd / && as_owner "$PGBIN/initdb" -D "$data" -U postgres --pwfile="$pwfile" \
	--auth-local=peer --auth-host=scram-sha-256 --nosync >"$work/initdb.log" 2>&1) || {
	cat "$work/initdb.log" >&2
	exit 1
}

# A port the kernel calls free right now; the rare race with another
# listener is met by trying again.
free_port() {
	/usr/bin/python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
cat >>"$data/postgresql.conf" <<EOF
listen_addresses = 'localhost'
unix_socket_directories = '$work/socket'
fsync = off
log_line_prefix = '%m [%p] %q%u@%d '
EOF
started=
for _ in 1 2 3 4 5; do
	port=$(free_port)
	# -c: core files allowed (core_pattern "core" puts them in the data
	# directory)
	if (cd / && as_owner "$PGBIN/pg_ctl" -D "$data" -l "$log" -o "-p $port" \
		-w -t 60 -c start >/dev/null); then
		started=1
		break
	fi
	grep -q "could not bind\|Address already in use" "$log" 2>/dev/null || break
done
if [ -z "$started" ]; then
	echo "$0: the cluster did not start:" >&2
	tail -20 "$log" >&2
	exit 1
fi

export PGHOST=localhost PGPORT="$port" PGUSER=postgres PGPASSWORD PGDATABASE=postgres
export PGSYSCONFDIR="$work/postgresql-common" PGVERSION="$version"
export PG_CONFIG="$PGBIN/pg_config" PATH="$PGBIN:$PATH" PG_CLUSTER_LOG="$log"
unset PGHOSTADDR PGSERVICE PGCLUSTER

status=0
"$@" || status=$?
if [ "$status" -ne 0 ]; then
	echo "*** $log (last 100 lines) ***"
	tail -100 "$log"
	for core in "$data"/core*; do
		[ -f "$core" ] || continue
		echo "*** $core ***"
		if command -v gdb >/dev/null; then
			gdb -batch -ex "bt full" "$PGBIN/postgres" "$core" 2>&1 | head -200
		fi
	done
fi
exit "$status"
