#!/usr/bin/env bash
# traceaudit's two commands (see README.md):
#   ./run.sh demo [FILE.csv.gz ...]   set up, build, install, audit real traces
#   ./run.sh test                     set up, build, install, run every test
#   ./run.sh start                    set up, build, install, start the cluster
#   ./run.sh stop                     stop the scratch cluster
#   ./run.sh bench                    set up, build, install, run tests/bench
#
# Runs as root or as a user with sudo.  Installs only missing Debian
# packages, and uses a scratch PostgreSQL cluster of its own (under /tmp,
# its own port, Unix socket only): no other cluster is touched.  Safe to run
# again: the cluster is reused, the extension rebuilt and reinstalled.
set -euo pipefail

cd "$(dirname "$0")"
ROOT=$PWD
PGVER=${PGVER:-15}
PGBIN=/usr/lib/postgresql/$PGVER/bin
PG_CONFIG=$PGBIN/pg_config
SHARED=${TRACEAUDIT_SHARED:-$ROOT/../shared/data/real}

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo

# one cluster per clone: its directory and port derive from the clone's path
TAG=$(printf '%s' "$ROOT" | md5sum | cut -c1-8)
CLUSTER=${TRACEAUDIT_CLUSTER:-/tmp/traceaudit-$TAG}
PORT=${TRACEAUDIT_PORT:-$((54000 + 0x${TAG:0:4} % 900))}
DATA=$CLUSTER/data

# PostgreSQL refuses to run as root: then the cluster runs as 'postgres'
if [ "$(id -u)" -eq 0 ]; then RUNAS=(runuser -u postgres --); OWNER=postgres
else RUNAS=(); OWNER=$(id -un); fi

export PGHOST=$CLUSTER PGPORT=$PORT PGUSER=postgres
export PGOPTIONS=${PGOPTIONS:-}

say() { printf '\n== %s\n' "$*"; }

install_packages() {
	local want=(make gcc clang libclang-rt-14-dev gzip
		"postgresql-$PGVER" "postgresql-server-dev-$PGVER"
		"postgresql-$PGVER-postgis-3" "postgresql-$PGVER-cron" librsvg2-bin)
	local missing=()
	for p in "${want[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		say "installing ${missing[*]}"
		$SUDO apt-get update -qq
		$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
	fi
}

build_install() {
	say "building and installing traceaudit"
	make -s PG_CONFIG="$PG_CONFIG" >/dev/null
	$SUDO make -s PG_CONFIG="$PG_CONFIG" install >/dev/null
}

cluster_running() {
	[ -f "$DATA/postmaster.pid" ] && "${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

start_cluster() {
	if [ ! -f "$DATA/PG_VERSION" ]; then
		say "creating scratch cluster in $CLUSTER (port $PORT)"
		mkdir -p "$CLUSTER"
		[ "$(id -u)" -eq 0 ] && chown "$OWNER" "$CLUSTER"
		"${RUNAS[@]}" "$PGBIN/initdb" -D "$DATA" -U postgres --auth=trust \
			-E UTF8 --locale=C >/dev/null
		cat >>"$DATA/postgresql.conf" <<-EOF
			# traceaudit scratch cluster
			listen_addresses = ''
			unix_socket_directories = '$CLUSTER'
			port = $PORT
			fsync = off
			synchronous_commit = off
			full_page_writes = off
			shared_buffers = 1GB
			work_mem = 64MB
			maintenance_work_mem = 512MB
			max_parallel_workers_per_gather = 2
			shared_preload_libraries = 'pg_cron'
			cron.database_name = 'traceaudit_cron'
			cron.host = '$CLUSTER'
			cron.use_background_workers = on
			max_worker_processes = 16
			timezone = 'UTC'
		EOF
	fi
	# a restart loads the freshly installed shared library everywhere
	if cluster_running; then
		"${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$DATA" -l "$CLUSTER/log" -w -m fast restart >/dev/null
	else
		"${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$DATA" -l "$CLUSTER/log" -w start >/dev/null
	fi
	say "scratch cluster up: psql -h $CLUSTER -p $PORT -U postgres"
}

stop_cluster() {
	if cluster_running; then
		"${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$DATA" -w -m fast stop >/dev/null
		say "scratch cluster stopped"
	fi
}

setup() {
	install_packages
	build_install
	start_cluster
}

cmd=${1:-}
case "$cmd" in
	demo)
		shift
		setup
		exec bash tests/demo.sh "$@"
		;;
	test)
		setup
		rc=0
		bash tests/run_tests.sh || rc=$?
		stop_cluster
		exit $rc
		;;
	bench)
		shift
		setup
		exec bash tests/bench/run.sh "$@"
		;;
	start)
		setup
		;;
	stop)
		stop_cluster
		;;
	*)
		echo "usage: $0 demo [FILE.csv.gz ...] | test | bench | start | stop" >&2
		exit 2
		;;
esac
