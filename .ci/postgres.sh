#!/usr/bin/env bash
# .ci/postgres.sh: a throwaway PostgreSQL cluster for the store tests.
#
# The cluster lives in a fresh temporary directory, listens on 127.0.0.1 on
# a free private port (55432 upwards) and has durability switched off
# (fsync, synchronous_commit, full_page_writes) because its data is worthless,
# unless COGNATE_PG_DURABLE=1.
# PostgreSQL refuses to run as root, so as root the server runs as the
# "postgres" user (runuser); as any other user it runs as that user. If the
# binaries are missing and we are root, it installs Debian's postgresql.
#
# How to call it:
#
#   Sourced (what .ci/run should do):
#       . .ci/postgres.sh            # starts a cluster, exports the variables below
#       trap '.ci/postgres.sh stop' EXIT
#       go test ./...
#     Sourcing returns non-zero if the cluster could not start (so `set -e`
#     in the caller stops there). It does not change the caller's shell
#     options.
#
#   Executed:
#       eval "$(.ci/postgres.sh start)"   # prints export lines on stdout
#       .ci/postgres.sh stop              # stops and deletes it
#     `stop` uses $COGNATE_TEST_POSTGRES_DIR, or the directory given as its
#     argument; it only ever deletes a directory this script created.
#
# Exported by start:
#   COGNATE_TEST_POSTGRES_DSN  postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable
#                              (a superuser, trust auth: tests create and drop
#                              their own databases with it)
#   COGNATE_TEST_POSTGRES_DIR  the cluster's directory, for stop
#
# Environment it reads:
#   COGNATE_PG_BIN   directory of initdb/pg_ctl (default: the newest
#                    /usr/lib/postgresql/*/bin, preferring 15)
#   COGNATE_PG_PORT  first port to try (default 55432)
#   COGNATE_PG_DURABLE=1  keep fsync, synchronous_commit and full_page_writes
#                    on (benchmarks: scripts/benchmarks.sh)
#
# Logs go to stderr; the server log is $COGNATE_TEST_POSTGRES_DIR/server.log.

_cognate_pg_log() { printf '.ci/postgres.sh: %s\n' "$*" >&2; }

_cognate_pg_bin() {
	if [[ -n "${COGNATE_PG_BIN:-}" ]]; then
		printf '%s\n' "$COGNATE_PG_BIN"
		return
	fi
	if [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then
		printf '%s\n' /usr/lib/postgresql/15/bin
		return
	fi
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	[[ -n "$d" ]] && printf '%s\n' "$d"
}

# _cognate_pg_as_server runs a command as the user the server runs as.
_cognate_pg_as_server() {
	if [[ $(id -u) -eq 0 ]]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

_cognate_pg_port_busy() {
	# bash's /dev/tcp connects, so success means something is listening.
	(: >"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

_cognate_pg_install() {
	if [[ $(id -u) -ne 0 ]]; then
		_cognate_pg_log "PostgreSQL binaries not found and not root: install postgresql or set COGNATE_PG_BIN"
		return 1
	fi
	_cognate_pg_log "PostgreSQL binaries not found: installing Debian's postgresql"
	DEBIAN_FRONTEND=noninteractive apt-get update >&2 &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql >&2
}

# _cognate_pg_start starts a cluster and sets (does not export) _COGNATE_PG_DSN
# and _COGNATE_PG_DIR. It reports failure by its status and never calls exit
# or relies on set -e, so that it behaves the same when sourced.
_cognate_pg_start() {
	local bin dir port tries
	bin=$(_cognate_pg_bin)
	if [[ -z "$bin" || ! -x "$bin/initdb" ]]; then
		_cognate_pg_install || return 1
		bin=$(_cognate_pg_bin)
		if [[ -z "$bin" || ! -x "$bin/initdb" ]]; then
			_cognate_pg_log "no initdb found even after installing postgresql"
			return 1
		fi
	fi
	if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
		_cognate_pg_log "running as root but there is no postgres user to run the server as"
		return 1
	fi

	dir=$(mktemp -d "${TMPDIR:-/tmp}/cognate-pg.XXXXXX") || return 1
	# The marker lets stop refuse to delete a directory it did not create.
	: >"$dir/.cognate-ci-postgres" || return 1
	if [[ $(id -u) -eq 0 ]]; then
		chown -R postgres:postgres "$dir" || return 1
	fi
	chmod 700 "$dir"

	# cd somewhere the server user can read: initdb and pg_ctl complain when
	# they cannot access the current directory (e.g. a root-only checkout).
	if ! (cd "$dir" && _cognate_pg_as_server "$bin/initdb" -D "$dir/data" -A trust -U postgres \
		-E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1); then
		_cognate_pg_log "initdb failed:"
		cat "$dir/initdb.log" >&2
		rm -rf "$dir"
		return 1
	fi

	# Command-line settings outrank ALTER SYSTEM, so durability is chosen
	# here: off for tests, on (PostgreSQL's defaults) for benchmarks.
	local durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	if [[ "${COGNATE_PG_DURABLE:-}" == 1 ]]; then
		durability="-c fsync=on -c synchronous_commit=on -c full_page_writes=on"
	fi
	port=${COGNATE_PG_PORT:-55432}
	for ((tries = 0; tries < 20; tries++, port++)); do
		if _cognate_pg_port_busy "$port"; then
			continue
		fi
		# A port that looked free can be taken before the server binds it;
		# then start fails and the next port is tried.
		if (cd "$dir" && _cognate_pg_as_server "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
			-o "-c listen_addresses=127.0.0.1 -p $port -k $dir $durability -c max_connections=300" \
			>/dev/null); then
			_COGNATE_PG_DIR=$dir
			_COGNATE_PG_DSN="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
			_cognate_pg_log "PostgreSQL ($bin) listening on 127.0.0.1:$port, data in $dir"
			return 0
		fi
		_cognate_pg_log "could not start on port $port; server log:"
		tail -n 20 "$dir/server.log" >&2 2>/dev/null
	done
	_cognate_pg_log "giving up: no port in ${COGNATE_PG_PORT:-55432}..$((port - 1)) worked"
	rm -rf "$dir"
	return 1
}

_cognate_pg_stop() {
	local dir=${1:-${COGNATE_TEST_POSTGRES_DIR:-}} bin
	if [[ -z "$dir" ]]; then
		_cognate_pg_log "stop: no directory (set COGNATE_TEST_POSTGRES_DIR or pass it)"
		return 1
	fi
	if [[ ! -e "$dir/.cognate-ci-postgres" ]]; then
		_cognate_pg_log "stop: $dir was not created by this script; leaving it alone"
		return 1
	fi
	bin=$(_cognate_pg_bin)
	if [[ -f "$dir/data/postmaster.pid" && -n "$bin" ]]; then
		(cd "$dir" && _cognate_pg_as_server "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null) ||
			_cognate_pg_log "stop: pg_ctl stop failed; removing $dir anyway"
	fi
	rm -rf "$dir"
	_cognate_pg_log "stopped and removed $dir"
}

if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
	# Sourced: start unless told otherwise, and export into the caller.
	case "${1:-start}" in
	start)
		if _cognate_pg_start; then
			export COGNATE_TEST_POSTGRES_DSN=$_COGNATE_PG_DSN COGNATE_TEST_POSTGRES_DIR=$_COGNATE_PG_DIR
			unset _COGNATE_PG_DSN _COGNATE_PG_DIR
			_cognate_pg_log "COGNATE_TEST_POSTGRES_DSN=$COGNATE_TEST_POSTGRES_DSN"
		else
			return 1
		fi
		;;
	stop)
		_cognate_pg_stop "${2:-}" || return 1
		unset COGNATE_TEST_POSTGRES_DSN COGNATE_TEST_POSTGRES_DIR
		;;
	*)
		_cognate_pg_log "usage: . .ci/postgres.sh [start|stop [DIR]]"
		return 2
		;;
	esac
else
	set -uo pipefail
	case "${1:-}" in
	start)
		_cognate_pg_start || exit 1
		printf 'export COGNATE_TEST_POSTGRES_DSN=%q\n' "$_COGNATE_PG_DSN"
		printf 'export COGNATE_TEST_POSTGRES_DIR=%q\n' "$_COGNATE_PG_DIR"
		;;
	stop)
		_cognate_pg_stop "${2:-}" || exit 1
		;;
	*)
		_cognate_pg_log "usage: $0 start|stop [DIR]"
		exit 2
		;;
	esac
fi
