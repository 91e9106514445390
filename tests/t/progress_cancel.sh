#!/usr/bin/env bash
# A long audit shows progress (rows, percent, rate) in psql, and a cancel
# (pg_cancel_backend, as Ctrl-C sends) stops it leaving no results and no
# run recorded.  Runs against the scratch cluster.
set -euo pipefail
db=traceaudit_progress_test
out=$(mktemp -d)
trap 'rm -rf "$out"; psql -qX -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true' EXIT
psql -qX -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null 2>&1
psql -qX -d $db -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION traceaudit CASCADE;
CREATE TABLE big AS
SELECT (i % 4000)::text AS trace_id, timestamptz '2024-05-01' + (i / 4000) * interval '10 s' AS ts,
	ST_SetSRID(ST_MakePoint(13.4 + (i % 4000) * 0.001 + (i / 4000) * 0.0001, 52.5), 4326) AS geom
FROM generate_series(1, 4000000) i;
ANALYZE big;
SQL

# 1. progress: a complete audit of a smaller copy, reporting every 0.1 s
psql -qX -d $db -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE TABLE small AS SELECT * FROM big WHERE trace_id::int < 1500;
ANALYZE small;
SQL
psql -qX -d $db -v ON_ERROR_STOP=1 -c "SELECT trace_audit('small', 'trace_id', 'ts', 'geom', '{\"progress\": 0.1}')" \
	>/dev/null 2>"$out/progress.txt"
progress=$(grep -cE 'phase [13]/3 [a-z ]+: ~?[0-9,]+ rows \([0-9]+% of [0-9]+\) in [0-9.]+ s, [0-9]+ rows/s' "$out/progress.txt" || true)
echo "progress notices in a complete audit of 1.5 M rows: $progress"
grep -E 'rows \(' "$out/progress.txt" | head -n 3 | sed 's/^/  /'

# trace_summary(geom, ts, profile) and trace_realism(geom, ts, profile) share
# one state: a notice every 16,384 calls of the transition function gives
# about 92 notices for 1.5 M rows when shared, 183 when not
shared=$(psql -qX -d $db -o /dev/null -c "SET traceaudit.progress_interval = 0.000001" \
	-c "SET traceaudit.progress_label = 'shared'" -c "SET max_parallel_workers_per_gather = 0" \
	-c "SELECT trace_id, trace_summary(geom, ts, 'walk'), trace_realism(geom, ts, 'walk') FROM small GROUP BY trace_id" \
	2>&1 | grep -c 'shared:' || true)
echo "progress notices of trace_summary + trace_realism over 1.5 M rows: $shared (serial plan; shared state: at most 92)"

# 2. cancel: start an audit, wait for its first progress notice, cancel it
psql -qX -d $db -c "SELECT trace_audit('big', 'trace_id', 'ts', 'geom', '{\"progress\": 0.1}')" \
	>/dev/null 2>"$out/cancel.txt" &
bg=$!
for _ in $(seq 1 600); do
	grep -q 'rows (' "$out/cancel.txt" && break
	sleep 0.05
done
seen=$(grep -c 'rows (' "$out/cancel.txt" || true)
psql -qXAt -d $db -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity
	WHERE datname = current_database() AND query LIKE 'SELECT trace_audit(%' AND pid <> pg_backend_pid()" >/dev/null
wait $bg || true
cancelled=$(grep -c 'canceling statement due to user request' "$out/cancel.txt" || true)
left=$(psql -qXAt -d $db -c "SELECT (SELECT count(*) FROM traceaudit_results.audit_run WHERE table_name = 'public.big')
	+ (SELECT count(*) FROM traceaudit_results.audit_trace t JOIN traceaudit_results.audit_run r ON r.id = t.run_id
	   WHERE r.table_name = 'public.big')")
echo "cancel: progress seen before cancel $seen, cancelled $cancelled, rows left behind $left"
[ "$progress" -ge 1 ] && [ "$shared" -ge 80 ] && [ "$shared" -le 92 ] && [ "$seen" -ge 1 ] && [ "$cancelled" -eq 1 ] && [ "$left" -eq 0 ]
