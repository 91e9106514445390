-- Benchmark data: :fixes fixes in :traces traces (default 10,000,000 in
-- 20,000), built with a fixed seed so every run measures the same table.
-- Cars weaving along straight headings around Berlin, a fix every 5 s, rows in
-- arrival order (traces interleaved, as a live feed writes them), and one
-- 40 km teleport in every 50th trace.  Reused when it already exists with
-- the same generator version and size (the table's comment says which).
\if :{?fixes}
\else
\set fixes 10000000
\endif
\if :{?traces}
\else
\set traces 20000
\endif
\set tag 'traceaudit bench data v2: ' :fixes ' fixes, ' :traces ' traces'
SELECT to_regclass('bench_fixes') IS NOT NULL AS have_table \gset
\set have_data f
\if :have_table
SELECT coalesce(obj_description('bench_fixes'::regclass, 'pg_class') = :'tag', false) AS have_data \gset
\endif
\if :have_data
\echo bench_fixes already holds :fixes rows
\else
DROP TABLE IF EXISTS bench_fixes;
SELECT setseed(0.31415) \g /dev/null
CREATE TABLE bench_fixes AS
WITH t AS (
	SELECT t AS trace_id, 13.0 + random() * 0.8 AS lon0, 52.3 + random() * 0.4 AS lat0,
		random() * 2 * pi() AS heading, 5 + random() * 20 AS speed
	FROM generate_series(1, :traces) t),
i AS (SELECT generate_series(0, :fixes / :traces - 1) AS i)
SELECT t.trace_id,
	'2024-05-01 06:00+00'::timestamptz + make_interval(secs => i.i * 5 + (t.trace_id % 4)) AS ts,
	ST_SetSRID(ST_MakePoint(
		t.lon0 + (t.speed * 5 * i.i * cos(t.heading) - 200 * sin(i.i / 40.0) * sin(t.heading)) / 68000.0
			+ random() * 0.00005 + CASE WHEN t.trace_id % 50 = 0 AND i.i = 250 THEN 0.6 ELSE 0 END,
		t.lat0 + (t.speed * 5 * i.i * sin(t.heading) + 200 * sin(i.i / 40.0) * cos(t.heading)) / 111000.0
			+ random() * 0.00005), 4326) AS geom
FROM i CROSS JOIN t
ORDER BY i.i, t.trace_id;
VACUUM ANALYZE bench_fixes;
COMMENT ON TABLE bench_fixes IS :'tag';
\endif
