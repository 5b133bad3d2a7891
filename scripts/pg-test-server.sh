#!/usr/bin/env bash
# A throwaway PostgreSQL for the tests: `start` creates a cluster under /tmp, owned by
# the postgres user and listening on 127.0.0.1 only, and prints its admin URL;
# `stop` stops it and removes the cluster. Needs root and Debian's `postgresql`
# package (PostgreSQL 15). The tests create and drop their own databases in it.
#
#   scripts/pg-test-server.sh start   # prints postgres://postgres@127.0.0.1:55432/postgres
#   scripts/pg-test-server.sh stop
#   scripts/pg-test-server.sh url     # the URL, whether or not it runs
set -euo pipefail

PORT="${VELOX_PG_PORT:-55432}"
DATA="${VELOX_PG_DATA:-/tmp/velox-pg-${PORT}}"
BIN="${VELOX_PG_BIN:-/usr/lib/postgresql/15/bin}"
URL="postgres://postgres@127.0.0.1:${PORT}/postgres"

fail() {
	echo "pg-test-server: $*" >&2
	exit 1
}

as_postgres() {
	(cd / && runuser -u postgres -- "$@")
}

running() {
	[ -f "$DATA/postmaster.pid" ] && as_postgres "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

start() {
	[ "$(id -u)" = 0 ] || fail "must run as root (it runs PostgreSQL as the postgres user)"
	[ -x "$BIN/initdb" ] || fail "$BIN/initdb not found: apt-get install -y --no-install-recommends postgresql"
	id postgres >/dev/null 2>&1 || fail "no postgres user: apt-get install -y --no-install-recommends postgresql"
	if running; then
		echo "$URL"
		return
	fi
	rm -rf "$DATA"
	install -d -o postgres -g postgres -m 700 "$DATA"
	# Trust on loopback only: a test server, reachable from this machine alone. The C
	# locale sorts text byte by byte, as SQLite does, so list order is the same.
	as_postgres "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --locale=C --encoding=UTF8 >"$DATA.initdb.log" 2>&1 ||
		fail "initdb failed: $(tail -5 "$DATA.initdb.log")"
	# The socket goes into the data dir, so nothing under /var/run is needed.
	as_postgres "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 30 \
		-o "-c listen_addresses=127.0.0.1 -p $PORT -k $DATA -c max_connections=200 -c fsync=off" start >/dev/null ||
		fail "pg_ctl start failed: $(tail -5 "$DATA/server.log" 2>/dev/null)"
	echo "$URL"
}

stop() {
	if [ -d "$DATA" ]; then
		if running; then as_postgres "$BIN/pg_ctl" -D "$DATA" -m fast -w -t 30 stop >/dev/null; fi
		rm -rf "$DATA" "$DATA.initdb.log"
	fi
}

case "${1:-}" in
start) start ;;
stop) stop ;;
url) echo "$URL" ;;
*) fail "usage: $0 start|stop|url" ;;
esac
