-- trace_audit: audits of whole tables into traceaudit_results, the report,
-- dashboard views, hostile names, bad columns, a cancelled audit, and a
-- role that reads results without access to the raw fixes.
SET extra_float_digits = 0;
-- progress NOTICEs carry elapsed seconds: not part of the expected output
SET client_min_messages = warning;
-- errors show message and hint; PL/pgSQL line numbers are not part of the contract
\set SHOW_CONTEXT never

-- point rows: one bus with a spike, a clean one, and dirty rows of each kind
CREATE TABLE audit_fixes (device text, ts timestamptz, geom geometry(Point, 4326));
INSERT INTO audit_fixes VALUES
  ('bus7', '2024-05-01 08:00:00+00', 'SRID=4326;POINT(-2.9850 53.4100)'),
  ('bus7', '2024-05-01 08:00:20+00', 'SRID=4326;POINT(-2.9830 53.4105)'),
  ('bus7', '2024-05-01 08:00:40+00', 'SRID=4326;POINT(-2.6000 53.6000)'),  -- 30 km away
  ('bus7', '2024-05-01 08:01:00+00', 'SRID=4326;POINT(-2.9790 53.4115)'),
  ('bus7', '2024-05-01 08:01:20+00', 'SRID=4326;POINT(-2.9770 53.4120)'),
  ('bus7', '2024-05-01 08:01:40+00', 'SRID=4326;POINT(-2.9770 153.4120)'), -- out of range
  ('bus7', NULL, 'SRID=4326;POINT(-2.9770 53.4120)'),
  ('bus7', '2024-05-01 08:02:00+00', NULL),
  ('bus7', '2024-05-01 08:02:20+00', 'SRID=4326;POINT EMPTY'),
  ('bus7', 'infinity', 'SRID=4326;POINT(-2.9770 53.4120)'),
  ('tram2', '2024-05-02 09:00:00+00', 'SRID=4326;POINT(-2.9850 53.4100)'),
  ('tram2', '2024-05-02 09:00:30+00', 'SRID=4326;POINT(-2.9840 53.4102)'),
  ('tram2', '2024-05-02 09:01:00+00', 'SRID=4326;POINT(-2.9830 53.4104)'),
  ('tram2', '2024-05-02 09:01:00+00', 'SRID=4326;POINT(-2.9820 53.4106)'),  -- same time elsewhere
  ('tram2', '2024-05-02 09:10:00+00', 'SRID=4326;POINT(-2.9810 53.4108)'),  -- 9 min gap
  (NULL, '2024-05-02 09:00:00+00', 'SRID=4326;POINT(-2.9850 53.4100)');

SELECT trace_audit('audit_fixes', 'device', 'ts', 'geom', '{"min_devices": 1}') AS points_audit \gset
SELECT table_name, trace_col, time_col, geom_col, kind, options, run_by = current_user AS run_by_me,
	finished >= started AS finished_after_start, duration_s >= 0 AS has_duration,
	rows_read, fixes, traces, rows_rejected, status
FROM traceaudit_results.audit_run WHERE id = :points_audit;
-- every row read is counted once: used, or rejected for one reason
SELECT rows_read = fixes + (SELECT sum(value::bigint) FROM jsonb_each_text(rows_rejected)) AS all_rows_counted
FROM traceaudit_results.audit_run WHERE id = :points_audit;
SELECT trace_id, fixes, implausible, speed, spike, acceleration, duplicate_time, time_backwards, gap,
	round(length_m::numeric) AS length_m, t_start, t_end, skipped_null_geom, skipped_null_time,
	rejected_empty, rejected_nonfinite, rejected_out_of_range, rejected_bad_time,
	realism_verdict, realism_evidence ? 'features' AS has_evidence
FROM traceaudit_results.audit_trace WHERE run_id = :points_audit ORDER BY trace_id;
-- the same as the aggregates run by hand
SELECT a.trace_id, a.implausible = (s).implausible AND a.fixes = (s).fixes AND a.length_m = (s).length_m
	AND a.realism_score IS NOT DISTINCT FROM (r).score AS same_as_aggregates
FROM traceaudit_results.audit_trace a
JOIN (SELECT device, trace_summary(geom, ts, 'car') AS s, trace_realism(geom, ts) AS r
	  FROM audit_fixes GROUP BY device) x ON x.device = a.trace_id
WHERE a.run_id = :points_audit ORDER BY 1;
SELECT trace_id, seq, reason, t_from, t_to, ST_NPoints(segment) AS points, round(distance_m::numeric) AS distance_m,
	seconds, detail
FROM traceaudit_results.audit_finding WHERE run_id = :points_audit ORDER BY trace_id, seq, reason;
SELECT points, devices, cells, verdict, round(score::numeric, 3) AS score,
	(SELECT jsonb_object_agg(key, value) FROM jsonb_each(evidence)
	 WHERE key IN ('traces', 'judged', 'real', 'synthetic', 'inconclusive', 'implausible_per_1000_fixes')) AS counts,
	evidence->'clones'->>'groups' AS clone_groups, jsonb_array_length(evidence->'features') AS features,
	fingerprint IS NOT NULL AS has_fingerprint
FROM traceaudit_results.audit_dataset WHERE run_id = :points_audit;

-- the report (its start time and duration masked)
\pset format unaligned
SELECT regexp_replace(trace_audit_report(:points_audit), 'started [^\n]*', 'started (masked)') AS report;
\pset format aligned

-- dashboard views
SELECT trace_id, fixes, implausible, implausible_per_1000_fixes, spike, duplicate_time, gap, realism_verdict
FROM traceaudit_results.trace_scores WHERE run_id = :points_audit ORDER BY trace_id;
SELECT day, reason, findings, traces FROM traceaudit_results.findings_per_day
WHERE run_id = :points_audit ORDER BY day, reason;
SELECT trace_id, seq, reason, geojson->>'type' AS type, jsonb_array_length(geojson->'coordinates') AS points
FROM traceaudit_results.findings_geojson WHERE run_id = :points_audit ORDER BY trace_id, seq;
SELECT count(*) FILTER (WHERE cell IS NOT NULL) AS cells, sum(points) FILTER (WHERE cell IS NOT NULL) AS points,
	coalesce(sum(suppressed_cells), 0) AS suppressed
FROM traceaudit_results.fingerprint_cells WHERE run_id = :points_audit;
-- the run's min_devices (5 by default) hides cells seen by fewer devices
SELECT trace_audit('audit_fixes', 'device', 'ts', 'geom', '{"cell_m": 500, "tz": "Europe/London"}') AS default_audit \gset
SELECT options, (SELECT cell_m FROM traceaudit_results.audit_dataset WHERE run_id = id) AS cell_m
FROM traceaudit_results.audit_run WHERE id = :default_audit;
SELECT count(*) FILTER (WHERE cell IS NOT NULL) AS cells_shown, sum(suppressed_cells) AS suppressed
FROM traceaudit_results.fingerprint_cells WHERE run_id = :default_audit;

-- trajectories: LINESTRING M, one row per trace, time_col NULL
CREATE TABLE audit_lines AS
SELECT device AS id, trace_line(geom, ts) AS traj FROM audit_fixes
WHERE device IS NOT NULL AND ts IS NOT NULL AND isfinite(ts) AND NOT ST_IsEmpty(geom)
	AND abs(ST_Y(geom)) <= 90
GROUP BY device;
INSERT INTO audit_lines VALUES ('empty', NULL);
SELECT trace_audit('audit_lines', 'id', NULL, 'traj', '{"min_devices": 1}') AS lines_audit \gset
SELECT kind, time_col, rows_read, fixes, traces, rows_rejected, status
FROM traceaudit_results.audit_run WHERE id = :lines_audit;
-- the same per-trace results and findings as the point rows
SELECT l.trace_id, l.fixes = p.fixes AND l.implausible = p.implausible AND l.gap = p.gap
	AND l.length_m = p.length_m AND l.realism_score = p.realism_score AS same_as_points
FROM traceaudit_results.audit_trace l
JOIN traceaudit_results.audit_trace p ON p.run_id = :points_audit AND p.trace_id = l.trace_id
WHERE l.run_id = :lines_audit ORDER BY 1;
SELECT (SELECT array_agg(reason || ' ' || seq ORDER BY trace_id, seq) FROM traceaudit_results.audit_finding
		WHERE run_id = :lines_audit) =
	   (SELECT array_agg(reason || ' ' || seq ORDER BY trace_id, seq) FROM traceaudit_results.audit_finding
		WHERE run_id = :points_audit) AS same_findings;
SELECT a.points = b.points AND a.cells = b.cells AND a.gini = b.gini AS same_density
FROM traceaudit_results.audit_dataset a, traceaudit_results.audit_dataset b
WHERE a.run_id = :lines_audit AND b.run_id = :points_audit;

-- hostile names: quotes, spaces, capitals and SQL are audited, never run
CREATE TABLE sentinel (x int);
CREATE SCHEMA "Odd ""Schema""";
CREATE TABLE "Odd ""Schema""".";DROP TABLE sentinel; --" (
	"Trace ID""); DROP TABLE sentinel; --" text, "Time's Up" timestamptz, "GEOM" geometry);
INSERT INTO "Odd ""Schema""".";DROP TABLE sentinel; --"
SELECT device, ts, geom FROM audit_fixes;
SELECT trace_audit('"Odd ""Schema""".";DROP TABLE sentinel; --"', 'Trace ID"); DROP TABLE sentinel; --',
	'Time''s Up', 'GEOM') AS hostile_audit \gset
SELECT table_name, trace_col, time_col, geom_col, rows_read, traces, status
FROM traceaudit_results.audit_run WHERE id = :hostile_audit;
SELECT count(*) AS sentinel_still_there FROM sentinel;
SELECT (SELECT array_agg(row(trace_id, fixes, implausible, gap) ORDER BY trace_id) FROM traceaudit_results.audit_trace
		WHERE run_id = :hostile_audit)::text =
	   (SELECT array_agg(row(trace_id, fixes, implausible, gap) ORDER BY trace_id) FROM traceaudit_results.audit_trace
		WHERE run_id = :points_audit)::text AS same_as_plain_table;
\pset format unaligned
SELECT split_part(trace_audit_report(:hostile_audit), E'\n', 1) AS report_first_line;
\pset format aligned

-- bad names and options: errors naming them, with a hint
\set VERBOSITY default
SELECT trace_audit('no_such_table', 'device', 'ts', 'geom');
SELECT trace_audit('audit_fixes', 'Device', 'ts', 'geom');
SELECT trace_audit('audit_fixes', 'device', 'time', 'geom');
SELECT trace_audit('audit_fixes', 'device', 'ts', '"geom"');
SELECT trace_audit('audit_fixes', NULL, 'ts', 'geom');
SELECT trace_audit('audit_fixes', 'device', 'device', 'geom');
SELECT trace_audit('audit_fixes', 'device', 'ts', 'device');
SELECT trace_audit('audit_fixes', 'device', 'ts', 'geom', '{"profil": "walk"}');
SELECT trace_audit('audit_fixes', 'device', 'ts', 'geom', '{"profile": "rocket"}');
SELECT trace_audit('audit_fixes', 'device', 'ts', 'geom', '{"tz": "Mars/Olympus"}');
SELECT trace_audit_report(-1);
-- a failed audit leaves nothing behind
SELECT count(*) AS runs FROM traceaudit_results.audit_run;

-- a cancelled audit leaves no partial results: the audit runs in the
-- caller's transaction, so the timeout rolls back every row it wrote
CREATE TABLE audit_big AS
SELECT (i % 2000)::text AS trace_id, timestamptz '2024-05-01' + (i / 2000) * interval '10 s' AS ts,
	ST_SetSRID(ST_MakePoint(13.4 + (i % 2000) * 0.001 + (i / 2000) * 0.0001, 52.5), 4326) AS geom
FROM generate_series(1, 400000) i;
SELECT max(id) AS last_run, (SELECT count(*) FROM traceaudit_results.audit_trace) AS trace_rows
FROM traceaudit_results.audit_run \gset
\set VERBOSITY terse
SET statement_timeout = '50ms';
SELECT trace_audit('audit_big', 'trace_id', 'ts', 'geom');
RESET statement_timeout;
\set VERBOSITY default
SELECT count(*) AS runs_after_last FROM traceaudit_results.audit_run WHERE id > :last_run;
SELECT count(*) - :trace_rows AS new_trace_rows FROM traceaudit_results.audit_trace;
SELECT count(*) AS orphan_findings FROM traceaudit_results.audit_finding WHERE run_id > :last_run;
-- inside an explicit transaction, the same: the caller's ROLLBACK undoes it
BEGIN;
SELECT trace_audit('audit_fixes', 'device', 'ts', 'geom') > :last_run AS audited;
ROLLBACK;
SELECT count(*) AS runs_after_last FROM traceaudit_results.audit_run WHERE id > :last_run;

-- a role that reads results and dashboards, but not the raw fixes
CREATE ROLE regress_audit_reader;
GRANT USAGE ON SCHEMA traceaudit_results TO regress_audit_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA traceaudit_results TO regress_audit_reader;
SET ROLE regress_audit_reader;
SELECT count(*) AS traces FROM traceaudit_results.trace_scores WHERE run_id = :points_audit;
SELECT count(*) AS days FROM traceaudit_results.findings_per_day WHERE run_id = :points_audit;
SELECT count(*) AS cells FROM traceaudit_results.fingerprint_cells WHERE run_id = :points_audit;
SELECT count(*) AS findings FROM traceaudit_results.audit_finding WHERE run_id = :points_audit;
SELECT length(trace_audit_report(:points_audit)) > 0 AS reads_report;
SELECT count(*) FROM audit_fixes;
-- and cannot audit it either (SECURITY INVOKER)
SELECT trace_audit('audit_fixes', 'device', 'ts', 'geom');
RESET ROLE;
REVOKE ALL ON ALL TABLES IN SCHEMA traceaudit_results FROM regress_audit_reader;
REVOKE ALL ON SCHEMA traceaudit_results FROM regress_audit_reader;
DROP ROLE regress_audit_reader;

-- auditing needs no superuser: SELECT on the table, and the grants on the
-- results documented in README.md
CREATE ROLE regress_audit_auditor;
GRANT USAGE ON SCHEMA traceaudit_results TO regress_audit_auditor;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA traceaudit_results TO regress_audit_auditor;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA traceaudit_results TO regress_audit_auditor;
GRANT SELECT ON audit_fixes TO regress_audit_auditor;
SET ROLE regress_audit_auditor;
SELECT trace_audit('audit_fixes', 'device', 'ts', 'geom') AS auditor_audit \gset
RESET ROLE;
SELECT run_by, status, traces FROM traceaudit_results.audit_run WHERE id = :auditor_audit;
REVOKE ALL ON ALL TABLES IN SCHEMA traceaudit_results FROM regress_audit_auditor;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA traceaudit_results FROM regress_audit_auditor;
REVOKE ALL ON SCHEMA traceaudit_results FROM regress_audit_auditor;
REVOKE ALL ON audit_fixes FROM regress_audit_auditor;
DROP ROLE regress_audit_auditor;

-- a trajectory table repeating a trace id is refused, and leaves nothing
INSERT INTO audit_lines SELECT id, traj FROM audit_lines WHERE id = 'bus7';
SELECT trace_audit('audit_lines', 'id', NULL, 'traj');
SELECT count(*) AS runs_after_auditor FROM traceaudit_results.audit_run WHERE id > :auditor_audit;

-- the function is SECURITY INVOKER with a pinned search_path
SELECT p.proname, p.prosecdef, p.proconfig IS NOT NULL AND p.proconfig[1] LIKE 'search_path=%' AS path_pinned
FROM pg_proc p WHERE p.proname IN ('trace_audit', 'trace_audit_report') ORDER BY 1;
-- results are extension members
SELECT count(*) AS member_tables FROM pg_depend d JOIN pg_class c ON c.oid = d.objid
WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_extension'::regclass
	AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'traceaudit')
	AND c.relnamespace = 'traceaudit_results'::regnamespace AND c.relkind IN ('r', 'v');
