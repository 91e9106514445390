#!/usr/bin/env bash
# Scheduled incremental audits with pg_cron: the scratch cluster preloads
# pg_cron (cron.database_name = traceaudit_cron).  A full audit, then a job
# scheduled every minute with the README's one line; new fixes are inserted
# and the next scheduled run must audit exactly them.  pg_cron 1.4 schedules
# by the minute, so this waits up to about two minutes.
set -euo pipefail
db=traceaudit_cron
job=traceaudit-test-incremental
cleanup() {
	psql -qX -d $db -c "SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname = '$job'" >/dev/null 2>&1 || true
}
trap cleanup EXIT
preload=$(psql -qXAt -d postgres -c "SHOW shared_preload_libraries")
case "$preload" in *pg_cron*) ;; *) echo "pg_cron is not preloaded ($preload)"; exit 1 ;; esac
[ "$(psql -qXAt -d postgres -c "SELECT count(*) FROM pg_database WHERE datname = '$db'")" = 1 ] ||
	psql -qX -d postgres -c "CREATE DATABASE $db" >/dev/null
psql -qX -d $db -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_cron;
DROP EXTENSION IF EXISTS traceaudit CASCADE;
DROP SCHEMA IF EXISTS traceaudit_results CASCADE;
CREATE EXTENSION traceaudit CASCADE;
DROP TABLE IF EXISTS fixes;
CREATE TABLE fixes (device text, ts timestamptz, geom geometry(Point, 4326),
	received bigserial);
CREATE INDEX ON fixes (received);
INSERT INTO fixes (device, ts, geom)
SELECT 'bus' || d, timestamptz '2024-06-01 08:00+00' + i * interval '15 s',
	ST_SetSRID(ST_MakePoint(-2.98 + d * 0.01 + i * 0.0005, 53.40 + i * 0.0002), 4326)
FROM generate_series(1, 20) d, generate_series(0, 99) i;
SELECT trace_audit('fixes', 'device', 'ts', 'geom', '{"ingest_col": "received"}');
SQL
# the README's one line
psql -qX -d $db -v ON_ERROR_STOP=1 >/dev/null <<SQL
SELECT cron.schedule('$job', '* * * * *',
	\$\$SELECT trace_audit('fixes', 'device', 'ts', 'geom', '{"incremental": true}')\$\$);
SQL
# new fixes: 3 buses report on, one new bus
psql -qX -d $db -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
INSERT INTO fixes (device, ts, geom)
SELECT 'bus' || d, timestamptz '2024-06-01 08:00+00' + i * interval '15 s',
	ST_SetSRID(ST_MakePoint(-2.98 + d * 0.01 + i * 0.0005, 53.40 + i * 0.0002), 4326)
FROM generate_series(1, 3) d, generate_series(100, 139) i;
INSERT INTO fixes (device, ts, geom)
SELECT 'bus21', timestamptz '2024-06-01 09:00+00' + i * interval '15 s',
	ST_SetSRID(ST_MakePoint(-2.9 + i * 0.0005, 53.41), 4326)
FROM generate_series(0, 49) i;
SQL
start=$(date +%s)
runs=0
while [ $(( $(date +%s) - start )) -lt 150 ]; do
	runs=$(psql -qXAt -d $db -c "SELECT count(*) FROM traceaudit_results.audit_run WHERE mode = 'incremental'")
	[ "$runs" -ge 1 ] && break
	sleep 2
done
waited=$(( $(date +%s) - start ))
read -r new reaudited traces fixes status <<<"$(psql -qXAt -F ' ' -d $db -c "
	SELECT read_detail->>'new_rows', read_detail->>'traces_reaudited', traces, fixes, status
	FROM traceaudit_results.audit_run WHERE mode = 'incremental' ORDER BY id LIMIT 1")"
job_ok=$(psql -qXAt -d $db -c "SELECT count(*) FROM cron.job_run_details d JOIN cron.job j USING (jobid)
	WHERE j.jobname = '$job' AND d.status = 'succeeded'")
echo "pg_cron: first scheduled incremental run after ${waited} s: ${new:-none} new rows, ${reaudited:-0} traces re-audited, ${traces:-0} traces / ${fixes:-0} fixes in the audit, status ${status:-none}; succeeded job runs ${job_ok}"
[ "${new:-0}" = 170 ] && [ "${reaudited:-0}" = 4 ] && [ "${traces:-0}" = 21 ] && [ "${fixes:-0}" = 2170 ] &&
	[ "${status:-}" = done ] && [ "$job_ok" -ge 1 ]
