-- Incremental audits: a re-run reads only what is new (by an ingestion
-- column or the time column), re-audits the traces that changed, leaves
-- the others alone, and ends with exactly the results a full audit of the
-- table would give.  Late fixes with old timestamps are caught by the
-- ingestion column, or by the verify scan of row counts per trace.
SET extra_float_digits = 0;
SET client_min_messages = warning;
\set SHOW_CONTEXT never

-- a full audit of a copy of a table (a copy, so that it does not become
-- the latest audit of the table, which the next incremental run continues)
CREATE FUNCTION pg_temp.full_audit_of_copy(tbl text, trace_col text, time_col text, geom_col text,
	options jsonb) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('DROP TABLE IF EXISTS %I', tbl || '_copy');
	EXECUTE format('CREATE TABLE %I AS SELECT * FROM %I', tbl || '_copy', tbl);
	RETURN trace_audit((tbl || '_copy')::regclass, trace_col, time_col, geom_col, options);
END
$$;

-- every per-trace result, finding and dataset figure of audit a that
-- differs from audit b (run ids and the run that computed a row aside)
CREATE FUNCTION pg_temp.differences(a bigint, b bigint) RETURNS text LANGUAGE sql AS $$
	WITH t AS (
		SELECT run_id, trace_id, fixes, implausible, speed, spike, acceleration, duplicate_time,
			time_backwards, gap, exact_duplicates, max_speed_mps, length_m, duration_s, t_start, t_end,
			skipped_null_geom, skipped_null_time, rejected_empty, rejected_nonfinite,
			rejected_out_of_range, rejected_bad_time, realism_score, realism_verdict, realism_evidence::text AS ev
		FROM traceaudit_results.audit_trace WHERE run_id IN (a, b)),
	f AS (
		SELECT run_id, trace_id, seq, reason, t_from, t_to, ST_AsEWKB(segment) AS seg, distance_m, seconds,
			speed_mps, accel_mps2, limit_value, detail
		FROM traceaudit_results.audit_finding WHERE run_id IN (a, b)),
	d AS (
		SELECT run_id, fingerprint::text AS fp, points, devices, cells, gini, verdict, evidence::text AS ev,
			null_trace_rows
		FROM traceaudit_results.audit_dataset WHERE run_id IN (a, b))
	SELECT coalesce(string_agg(what, '; '), 'none') FROM (
		SELECT 'trace ' || trace_id AS what FROM (
			(SELECT trace_id, fixes, implausible, speed, spike, acceleration, duplicate_time, time_backwards,
				gap, exact_duplicates, max_speed_mps, length_m, duration_s, t_start, t_end, skipped_null_geom,
				skipped_null_time, rejected_empty, rejected_nonfinite, rejected_out_of_range,
				rejected_bad_time, realism_score, realism_verdict, ev FROM t WHERE run_id = a
			 EXCEPT ALL
			 SELECT trace_id, fixes, implausible, speed, spike, acceleration, duplicate_time, time_backwards,
				gap, exact_duplicates, max_speed_mps, length_m, duration_s, t_start, t_end, skipped_null_geom,
				skipped_null_time, rejected_empty, rejected_nonfinite, rejected_out_of_range,
				rejected_bad_time, realism_score, realism_verdict, ev FROM t WHERE run_id = b)
			UNION
			(SELECT trace_id, fixes, implausible, speed, spike, acceleration, duplicate_time, time_backwards,
				gap, exact_duplicates, max_speed_mps, length_m, duration_s, t_start, t_end, skipped_null_geom,
				skipped_null_time, rejected_empty, rejected_nonfinite, rejected_out_of_range,
				rejected_bad_time, realism_score, realism_verdict, ev FROM t WHERE run_id = b
			 EXCEPT ALL
			 SELECT trace_id, fixes, implausible, speed, spike, acceleration, duplicate_time, time_backwards,
				gap, exact_duplicates, max_speed_mps, length_m, duration_s, t_start, t_end, skipped_null_geom,
				skipped_null_time, rejected_empty, rejected_nonfinite, rejected_out_of_range,
				rejected_bad_time, realism_score, realism_verdict, ev FROM t WHERE run_id = a)) x
		UNION
		SELECT 'finding ' || trace_id || ' ' || seq || ' ' || reason FROM (
			(SELECT trace_id, seq, reason, t_from, t_to, seg, distance_m, seconds, speed_mps, accel_mps2,
				limit_value, detail FROM f WHERE run_id = a
			 EXCEPT ALL
			 SELECT trace_id, seq, reason, t_from, t_to, seg, distance_m, seconds, speed_mps, accel_mps2,
				limit_value, detail FROM f WHERE run_id = b)
			UNION
			(SELECT trace_id, seq, reason, t_from, t_to, seg, distance_m, seconds, speed_mps, accel_mps2,
				limit_value, detail FROM f WHERE run_id = b
			 EXCEPT ALL
			 SELECT trace_id, seq, reason, t_from, t_to, seg, distance_m, seconds, speed_mps, accel_mps2,
				limit_value, detail FROM f WHERE run_id = a)) y
		UNION
		SELECT 'dataset' FROM (
			(SELECT fp, points, devices, cells, gini, verdict, ev, null_trace_rows FROM d WHERE run_id = a
			 EXCEPT SELECT fp, points, devices, cells, gini, verdict, ev, null_trace_rows FROM d WHERE run_id = b)
			UNION
			(SELECT fp, points, devices, cells, gini, verdict, ev, null_trace_rows FROM d WHERE run_id = b
			 EXCEPT SELECT fp, points, devices, cells, gini, verdict, ev, null_trace_rows FROM d WHERE run_id = a)) z
		ORDER BY 1) w
$$;

-- 40 devices moving 3 minutes each at 10 s steps, one with a spike; batch
-- 1 of an ingestion counter
SELECT setseed(0.42);
CREATE TABLE inc_fixes (device text, ts timestamptz, geom geometry(Point, 4326), batch int);
INSERT INTO inc_fixes
SELECT 'dev' || d, timestamptz '2024-06-01 08:00+00' + d * interval '7 min' + i * interval '10 s',
	ST_SetSRID(ST_MakePoint(4.83 + d * 0.002 + i * 0.0009 + (random() - 0.5) * 0.0001,
		45.76 + i * 0.0004 * (1 + d % 3) + (random() - 0.5) * 0.0001), 4326), 1
FROM generate_series(1, 40) d, generate_series(0, 35) i;
UPDATE inc_fixes SET geom = ST_Translate(geom, 0.3, 0) WHERE device = 'dev7' AND ts = '2024-06-01 08:52:00+00';
INSERT INTO inc_fixes VALUES (NULL, '2024-06-01 09:00+00', 'SRID=4326;POINT(4.8 45.7)', 1);

-- the first incremental run has nothing to continue: a full audit
SELECT trace_audit('inc_fixes', 'device', 'ts', 'geom',
	'{"incremental": true, "ingest_col": "batch", "min_devices": 1}') AS first \gset
SELECT mode, base_id = id AS own_results, watermark, read_detail, rows_read, traces, fixes
FROM traceaudit_results.audit_run WHERE id = :first;

-- batch 2: five devices report on, a new device appears, one fix of an
-- untouched device arrives late with an old timestamp, and a spike lands
-- in the middle of dev3's new fixes
INSERT INTO inc_fixes
SELECT 'dev' || d, timestamptz '2024-06-01 08:00+00' + d * interval '7 min' + i * interval '10 s',
	ST_SetSRID(ST_MakePoint(4.83 + d * 0.002 + i * 0.0009, 45.76 + i * 0.0004 * (1 + d % 3)), 4326), 2
FROM generate_series(1, 5) d, generate_series(36, 60) i;
INSERT INTO inc_fixes
SELECT 'dev41', timestamptz '2024-06-01 13:00+00' + i * interval '10 s',
	ST_SetSRID(ST_MakePoint(4.85 + i * 0.0009, 45.75), 4326), 2
FROM generate_series(0, 30) i;
INSERT INTO inc_fixes VALUES
	('dev20', '2024-06-01 10:20:05+00', 'SRID=4326;POINT(4.8705 45.7602)', 2),
	('dev3', '2024-06-01 08:27:05+00', 'SRID=4326;POINT(5.2 45.9)', 2),
	(NULL, '2024-06-01 09:01+00', 'SRID=4326;POINT(4.8 45.7)', 2);

SELECT trace_audit('inc_fixes', 'device', 'ts', 'geom', '{"incremental": true}') AS second \gset
-- what it read: 159 new rows (5 x 25 + 31 + 2 fixes and one row without a
-- trace id), 7 traces re-audited, the options of the audit it continues
SELECT mode, base_id = :first AS continues_first, watermark, read_detail, rows_read, traces, fixes,
	options->>'ingest_col' AS ingest_col, options->>'min_devices' AS min_devices
FROM traceaudit_results.audit_run WHERE id = :second;
-- one row per trace, untouched traces keep the first run's results
SELECT audited_by = :first AS from_first_run, count(*) AS traces
FROM traceaudit_results.audit_trace WHERE run_id = :first GROUP BY 1 ORDER BY 1;
SELECT trace_id, fixes, spike FROM traceaudit_results.audit_trace
WHERE run_id = :first AND audited_by = :second ORDER BY trace_id;
-- and the results are those of a full audit of the same rows
SELECT pg_temp.full_audit_of_copy('inc_fixes', 'device', 'ts', 'geom', '{"min_devices": 1}') AS full_2 \gset
SELECT pg_temp.differences(:first, :full_2) AS differences_from_full;
-- the report of the incremental run describes it and shows the audit's results
\pset format unaligned
SELECT regexp_replace(line, '([Aa]udit) [0-9]+', '\1 N', 'g') AS line
FROM regexp_split_to_table(trace_audit_report(:second), E'\n') line
WHERE line ~ '^(Audit|  incremental|  rows read|Dataset|  traces real)';
\pset format aligned

-- nothing new: nothing re-audited, the fingerprint kept
SELECT trace_audit('inc_fixes', 'device', 'ts', 'geom', '{"incremental": true}') AS third \gset
SELECT read_detail->>'new_rows' AS new_rows, read_detail->>'traces_reaudited' AS reaudited,
	read_detail->>'fingerprint' AS fingerprint, rows_read
FROM traceaudit_results.audit_run WHERE id = :third;
SELECT pg_temp.differences(:first, :full_2) AS differences_from_full;

-- an incremental run cannot change the audit's options
\set VERBOSITY default
SELECT trace_audit('inc_fixes', 'device', 'ts', 'geom', '{"incremental": true, "cell_m": 250}');
SELECT trace_audit('inc_fixes', 'device', 'ts', 'geom', '{"incremental": true, "ingest_col": "ts"}');
SELECT trace_audit('inc_fixes', 'device', 'ts', 'geom', '{"ingest_col": "nope"}');
SELECT trace_audit('inc_fixes', 'device', 'ts', 'geom', '{"ingest_col": "geom"}');
SELECT trace_audit('inc_fixes', 'device', 'ts', 'geom', '{"incremental": true, "verify": "maybe"}');

-- without an ingestion column the time column is the watermark.  A late fix
-- (a timestamp below the watermark) is caught by the verify scan, which
-- compares each trace's rows with what the audit accounted for; so are
-- deleted rows and a deleted trace.
CREATE TABLE inc_time AS SELECT device, ts, geom FROM inc_fixes WHERE batch = 1;
SELECT trace_audit('inc_time', 'device', 'ts', 'geom', '{"min_devices": 1}') AS t_first \gset
INSERT INTO inc_time SELECT device, ts, geom FROM inc_fixes WHERE batch = 2;
DELETE FROM inc_time WHERE device = 'dev30';
DELETE FROM inc_time WHERE device = 'dev31' AND ts > '2024-06-01 11:39:00+00';
SELECT trace_audit('inc_time', 'device', 'ts', 'geom', '{"incremental": true}') AS t_second \gset
SELECT read_detail - 'from' - 'to' AS read_detail, watermark FROM traceaudit_results.audit_run WHERE id = :t_second;
SELECT pg_temp.full_audit_of_copy('inc_time', 'device', 'ts', 'geom', '{"min_devices": 1}') AS t_full \gset
SELECT pg_temp.differences(:t_first, :t_full) AS differences_from_full;

-- with "verify": false only rows above the watermark are read: a late fix
-- goes unseen (the reason to name an ingestion column)
INSERT INTO inc_time VALUES ('dev25', '2024-06-01 10:55:05+00', 'SRID=4326;POINT(4.9 45.77)');
INSERT INTO inc_time VALUES ('dev26', '2024-06-01 15:00:00+00', 'SRID=4326;POINT(4.9 45.78)');
SELECT trace_audit('inc_time', 'device', 'ts', 'geom', '{"incremental": true, "verify": false}') AS t_noverify \gset
SELECT read_detail - 'from' - 'to' AS read_detail FROM traceaudit_results.audit_run WHERE id = :t_noverify;
SELECT pg_temp.full_audit_of_copy('inc_time', 'device', 'ts', 'geom', '{"min_devices": 1}') AS t_full2 \gset
SELECT pg_temp.differences(:t_first, :t_full2) AS missed_without_verify;
-- the next verified run catches it
SELECT trace_audit('inc_time', 'device', 'ts', 'geom', '{"incremental": true}') AS t_verified \gset
SELECT read_detail->>'traces_late' AS late, read_detail->>'fingerprint' AS fingerprint
FROM traceaudit_results.audit_run WHERE id = :t_verified;
SELECT pg_temp.differences(:t_first, :t_full2) AS differences_from_full;

-- trajectories: an ingestion column is required; new trajectories are added
CREATE TABLE inc_lines AS
SELECT device AS id, trace_line(geom, ts) AS traj, 1 AS batch FROM inc_fixes
WHERE device IS NOT NULL AND batch = 1 GROUP BY device;
SELECT trace_audit('inc_lines', 'id', NULL, 'traj', '{"incremental": true}');
SELECT trace_audit('inc_lines', 'id', NULL, 'traj', '{"ingest_col": "batch", "min_devices": 1}') AS l_first \gset
INSERT INTO inc_lines SELECT device, trace_line(geom, ts), 2 FROM inc_fixes WHERE device = 'dev41' GROUP BY device;
SELECT trace_audit('inc_lines', 'id', NULL, 'traj', '{"incremental": true}') AS l_second \gset
SELECT read_detail - 'from' - 'to' AS read_detail FROM traceaudit_results.audit_run WHERE id = :l_second;
SELECT pg_temp.full_audit_of_copy('inc_lines', 'id', NULL, 'traj', '{"min_devices": 1}') AS l_full \gset
SELECT pg_temp.differences(:l_first, :l_full) AS differences_from_full;
-- a replaced trajectory (a new row version above the watermark)
UPDATE inc_lines SET traj = (SELECT trace_line(geom, ts) FROM inc_fixes WHERE device = 'dev2'), batch = 3
WHERE id = 'dev2';
SELECT trace_audit('inc_lines', 'id', NULL, 'traj', '{"incremental": true}') AS l_third \gset
SELECT read_detail->>'traces_reaudited' AS reaudited, read_detail->>'fingerprint' AS fingerprint
FROM traceaudit_results.audit_run WHERE id = :l_third;
SELECT pg_temp.full_audit_of_copy('inc_lines', 'id', NULL, 'traj', '{"min_devices": 1}') AS l_full2 \gset
SELECT pg_temp.differences(:l_first, :l_full2) AS differences_from_full;

-- a cancelled incremental run leaves the audit as it was
SELECT count(*) AS trace_rows, max(audited_by) AS last_writer FROM traceaudit_results.audit_trace
WHERE run_id = :first \gset before_
INSERT INTO inc_fixes SELECT device, ts + interval '1 day', geom, 3 FROM inc_fixes WHERE batch = 1;
BEGIN;
SELECT trace_audit('inc_fixes', 'device', 'ts', 'geom', '{"incremental": true}') > 0 AS ran;
ROLLBACK;
SELECT count(*) = :before_trace_rows AS same_rows, max(audited_by) = :before_last_writer AS same_writer
FROM traceaudit_results.audit_trace WHERE run_id = :first;
SELECT count(*) AS runs_of_first FROM traceaudit_results.audit_run WHERE base_id = :first;

-- the dataset verdict comes from dataset_realism over the stored per-trace
-- items, so an incremental run weighs the traces it did not re-read too:
-- 12 real-looking drives are judged real; copies of six of them arriving
-- later on other devices, two days on, turn the verdict
\set drives_table inc_drives
\i tests/sql/drives.sql
SELECT trace_audit('inc_drives', 'device', 'ts', 'geom') AS d_first \gset
SELECT verdict, evidence->>'real' AS real_traces, evidence->'clones'->>'groups' AS clone_groups
FROM traceaudit_results.audit_dataset WHERE run_id = :d_first;
INSERT INTO inc_drives SELECT 'copy_' || device, ts + interval '2 days 17 s', geom
FROM inc_drives WHERE device IN ('w1', 'w2', 'w3', 'w4', 'w5', 'w6');
SELECT trace_audit('inc_drives', 'device', 'ts', 'geom', '{"incremental": true}') AS d_second \gset
SELECT r.read_detail->>'traces_reaudited' AS reaudited, d.verdict, d.evidence->>'real' AS real_traces,
	d.evidence->'clones'->>'groups' AS clone_groups, d.evidence->'clones'->>'shifted_groups' AS shifted
FROM traceaudit_results.audit_run r JOIN traceaudit_results.audit_dataset d ON d.run_id = r.base_id
WHERE r.id = :d_second;
SELECT pg_temp.full_audit_of_copy('inc_drives', 'device', 'ts', 'geom', '{}') AS d_full \gset
SELECT pg_temp.differences(:d_first, :d_full) AS differences_from_full;

-- hostile names in an incremental run: the watermark, ingestion and trace
-- columns are quoted, never run
CREATE TABLE inc_sentinel (x int);
CREATE TABLE "inc ""odd"" table" ("dev'); DROP TABLE inc_sentinel; --" int, "When?" timestamptz,
	"G" geometry, "Got It" bigint);
INSERT INTO "inc ""odd"" table"
SELECT right(device, -3)::int, ts, geom, batch FROM inc_fixes WHERE device IS NOT NULL AND batch = 1;
SELECT trace_audit('"inc ""odd"" table"', 'dev''); DROP TABLE inc_sentinel; --', 'When?', 'G',
	'{"ingest_col": "Got It", "min_devices": 1}') AS h_first \gset
INSERT INTO "inc ""odd"" table"
SELECT right(device, -3)::int, ts, geom, batch FROM inc_fixes WHERE device IS NOT NULL AND batch = 2;
SELECT trace_audit('"inc ""odd"" table"', 'dev''); DROP TABLE inc_sentinel; --', 'When?', 'G',
	'{"incremental": true}') AS h_second \gset
SELECT read_detail->>'new_rows' AS new_rows, read_detail->>'traces_reaudited' AS reaudited,
	read_detail->>'watermark_col' AS watermark_col, traces
FROM traceaudit_results.audit_run WHERE id = :h_second;
SELECT count(*) AS sentinel_still_there FROM inc_sentinel;
