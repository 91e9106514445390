#!/usr/bin/env bash
# Benchmarks, run by ../../run.sh bench against the scratch cluster:
#   ./run.sh bench [FIXES [TRACES [RUNS]]]   (default 10000000 20000 3)
set -euo pipefail
cd "$(dirname "$0")"
FIXES=${1:-10000000}
TRACES=${2:-20000}
RUNS=${3:-3}
DB=traceaudit_bench
psql -qX -d postgres -tc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1 ||
	psql -qX -d postgres -c "CREATE DATABASE $DB"
# the library may be newer than the SQL objects of the same version: recreate them
psql -qX -d $DB -c "SET client_min_messages = warning; DROP EXTENSION IF EXISTS traceaudit; CREATE EXTENSION traceaudit CASCADE"
psql -qX -d $DB -v ON_ERROR_STOP=1 -v fixes="$FIXES" -v traces="$TRACES" -f make_data.sql
for b in jumps.sql fingerprint.sql audit.sql; do
	echo "== $b ($FIXES fixes, $TRACES traces, best of $RUNS)"
	psql -qX -d $DB -v ON_ERROR_STOP=1 -v runs="$RUNS" -f "$b"
done
