#!/usr/bin/env bash
# The demo audit, run by ./run.sh demo against its scratch cluster.
# Audits the real traces in ../shared/data/real (or the CSV files named on
# the command line: trace_id,ts,lon,lat with a header, gzip'd or not), or,
# where neither exists, traces it generates with injected faults.
set -euo pipefail
cd "$(dirname "$0")/.."
DB=traceaudit_demo
SHARED=${TRACEAUDIT_SHARED:-../shared/data/real}

files=("$@")
if [ ${#files[@]} -eq 0 ] && compgen -G "$SHARED/*.csv.gz" >/dev/null; then
	files=("$SHARED"/*.csv.gz)
fi

psql -qX -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
psql -qX -d $DB -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION traceaudit CASCADE;
CREATE TABLE fixes_raw (trace_id text, ts timestamptz, lon float8, lat float8, source text);
SQL

if [ ${#files[@]} -gt 0 ]; then
	echo "traceaudit demo: auditing ${#files[@]} file(s) of recorded traces"
	for f in "${files[@]}"; do
		[ -r "$f" ] || { echo "cannot read $f" >&2; exit 1; }
		src=$(basename "$f"); src=${src%%.*}
		# psql's \copy reads the file client-side; quote the path for it
		q=${f//\'/\'\'}
		psql -qX -d $DB -v ON_ERROR_STOP=1 >/dev/null <<-SQL
			\copy fixes_raw (trace_id, ts, lon, lat) FROM PROGRAM 'gzip -dcf -- ''$q''' WITH (FORMAT csv, HEADER)
			UPDATE fixes_raw SET source = '${src//\'/\'\'}' WHERE source IS NULL;
		SQL
	done
else
	echo "traceaudit demo: no real traces found at $SHARED and no file named;"
	echo "auditing 200 generated car traces with injected teleports instead."
	psql -qX -d $DB -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
SELECT setseed(0.2024);
INSERT INTO fixes_raw
SELECT 'car' || t, '2024-06-01 08:00+00'::timestamptz + make_interval(secs => i * 5),
	13.40 + t * 0.001 + i * 0.0012 + CASE WHEN i = 150 AND t % 4 = 0 THEN 0.4 ELSE 0 END,
	52.50 + 0.0003 * sin(i / 20.0) + random() * 0.00005, 'generated'
FROM generate_series(1, 200) t, generate_series(1, 300) i;
SQL
fi

psql -qX -d $DB -v ON_ERROR_STOP=1 <<'SQL'
\pset footer off
\pset null '-'
SET client_min_messages = warning;
CREATE TABLE fixes AS
SELECT source, trace_id, ts, ST_SetSRID(ST_MakePoint(lon, lat), 4326) AS geom FROM fixes_raw;
-- the jump profile follows what moved (README: profiles)
CREATE TABLE trace_profile AS
SELECT DISTINCT source, trace_id, CASE
	WHEN trace_id ~* 'car' THEN 'car'
	WHEN source ~* 'ais|vessel|ship' THEN 'vessel'
	WHEN source ~* 'fit|bike|cycl' THEN 'bike'
	WHEN source ~* 'movebank|fisher|garmin|gpx|walk' THEN 'walk'
	ELSE 'car' END AS profile
FROM fixes;

\echo
\echo '== What was read'
SELECT source, count(DISTINCT trace_id) AS traces, count(*) AS fixes,
	min(ts)::date AS first_day, max(ts)::date AS last_day
FROM fixes GROUP BY source ORDER BY source;

CREATE TABLE audit AS
SELECT f.source, f.trace_id, p.profile, trace_summary(f.geom, f.ts, p.profile) AS s
FROM fixes f JOIN trace_profile p USING (source, trace_id)
GROUP BY f.source, f.trace_id, p.profile;

\echo
\echo '== Implausible jumps per source (trace_summary, one GROUP BY)'
SELECT source, profile, count(*) AS traces, sum((s).fixes) AS fixes,
	sum((s).implausible) AS implausible, sum((s).speed) AS speed, sum((s).spike) AS spike,
	sum((s).acceleration) AS accel, sum((s).duplicate_time) AS dup_time,
	sum((s).gap) AS gaps, round(max((s).max_speed_mps)::numeric, 1) AS max_plausible_mps,
	round((sum((s).length_m) / 1000)::numeric) AS km
FROM audit GROUP BY source, profile ORDER BY source;

\echo
\echo '== Traces with the most implausible jumps per 1000 fixes'
SELECT source, trace_id, profile, (s).fixes, (s).implausible,
	round(1000.0 * (s).implausible / (s).fixes, 1) AS per_1000_fixes
FROM audit WHERE (s).implausible > 0
ORDER BY (s).implausible::float8 / (s).fixes DESC, trace_id LIMIT 10;

\echo
\echo '== The fastest impossible moves of each source, with their evidence (trace_jumps)'
SELECT source, trace_id, seq, reason, t_from, detail FROM (
	SELECT a.source, a.trace_id, j.*,
		row_number() OVER (PARTITION BY a.source ORDER BY j.speed_mps DESC NULLS LAST) AS r
	FROM audit a
	JOIN LATERAL (SELECT trace_line(geom, ts) AS line FROM fixes f
				  WHERE f.source = a.source AND f.trace_id = a.trace_id) l ON true,
		trace_jumps(l.line, a.profile) j
	WHERE (a.s).implausible > 0 AND j.reason IN ('speed', 'spike', 'acceleration')) x
WHERE r <= 3 ORDER BY source, speed_mps DESC;

\echo
\echo '== Does it look like real recorded movement? (trace_realism per trace)'
SELECT source, count(*) AS traces,
	count(*) FILTER (WHERE (r).verdict = 'real') AS real,
	count(*) FILTER (WHERE (r).verdict = 'synthetic') AS synthetic,
	count(*) FILTER (WHERE (r).verdict = 'inconclusive') AS inconclusive,
	round(avg((r).score)::numeric, 2) AS mean_score
FROM (SELECT source, trace_id, trace_realism(geom, ts) AS r FROM fixes GROUP BY 1, 2) x
GROUP BY source ORDER BY source;

\echo
\echo '== The strongest evidence for the least real-looking traces'
SELECT source, trace_id, round((r).score::numeric, 3) AS score, (r).verdict,
	(r).evidence->'features'->0->>'explanation' AS strongest_evidence
FROM (SELECT source, trace_id, trace_realism(geom, ts) AS r FROM fixes GROUP BY 1, 2) x
WHERE (r).verdict <> 'inconclusive' ORDER BY (r).score, trace_id LIMIT 5;

\echo
\echo '== Where the points concentrate (density_fingerprint, 1 km cells)'
SELECT source, (s).points, (s).devices, (s).cells, round((s).gini::numeric, 3) AS gini,
	round((s).entropy::numeric, 3) AS entropy, round((s).top10_share::numeric, 3) AS top10_share,
	round((s).zipf_slope::numeric, 2) AS zipf_slope, (s).core_cells
FROM (SELECT source, fingerprint_summary(density_fingerprint(geom, ts, trace_id, 1000)) AS s
	  FROM fixes GROUP BY source) x ORDER BY source;

\echo
\echo '== The whole table in one call: trace_audit, then trace_audit_report'
SET client_min_messages = warning;
SELECT trace_audit('fixes', 'trace_id', 'ts', 'geom') AS audit_id \gset
\pset format unaligned
\pset tuples_only on
SELECT trace_audit_report(:audit_id);
\pset tuples_only off
\pset format aligned

\echo
\echo '== New fixes arrive: an incremental re-run re-audits only the traces they touch'
-- a copy of three traces on other devices two days later (a cloned feed),
-- and one late fix of another trace with an old timestamp
INSERT INTO fixes (source, trace_id, ts, geom)
SELECT source, 'copy_' || trace_id, ts + interval '2 days', geom FROM fixes
WHERE trace_id IN (SELECT trace_id FROM fixes GROUP BY trace_id HAVING count(*) BETWEEN 200 AND 2000
				   ORDER BY trace_id LIMIT 3);
INSERT INTO fixes (source, trace_id, ts, geom)
SELECT source, trace_id, ts + interval '1 s', geom FROM fixes
WHERE trace_id = (SELECT min(trace_id) FROM fixes WHERE trace_id NOT LIKE 'copy_%') ORDER BY ts LIMIT 1;
SELECT trace_audit('fixes', 'trace_id', 'ts', 'geom', '{"incremental": true}') AS rerun_id \gset
-- copies with times below the watermark (the real traces span years) are
-- found, like the late fix, by the verify scan of row counts per trace
SELECT read_detail->>'new_rows' AS above_watermark, read_detail->>'traces_new' AS new_traces,
	read_detail->>'traces_late' AS late_traces, read_detail->>'traces_reaudited' AS reaudited,
	read_detail->>'fingerprint' AS fingerprint, round(duration_s::numeric, 2) AS seconds
FROM traceaudit_results.audit_run WHERE id = :rerun_id;
SELECT d.verdict, round(d.score::numeric, 3) AS score, f->>'explanation' AS clone_evidence
FROM traceaudit_results.audit_dataset d, jsonb_array_elements(d.evidence->'features') f
WHERE d.run_id = :audit_id AND f->>'feature' = 'clone_share';
SQL

cat <<EOF

The scratch cluster keeps running with this audit in database $DB:
  psql -h $PGHOST -p $PGPORT -U $PGUSER $DB
Stop it with ./run.sh stop.
EOF
