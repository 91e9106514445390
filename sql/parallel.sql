-- trace_line and trace_summary run as parallel partial aggregates, and give
-- the same answers as a serial plan.
SET extra_float_digits = 0;
SELECT setseed(0.7);
CREATE TABLE par_fixes AS
SELECT t % 50 AS trace_id,
	'2024-01-01'::timestamptz + make_interval(secs => i) AS ts,
	ST_SetSRID(ST_MakePoint(t * 1e-3 + i * 1e-5, 40 + random() * 1e-4), 4326) AS geom
FROM generate_series(1, 500) t, generate_series(1, 400) i;
ANALYZE par_fixes;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;

EXPLAIN (COSTS OFF)
SELECT trace_id, trace_line(geom, ts) FROM par_fixes GROUP BY trace_id;

EXPLAIN (COSTS OFF)
SELECT trace_id, trace_summary(geom, ts) FROM par_fixes GROUP BY trace_id;

CREATE TABLE par_result AS
SELECT trace_id, md5(trace_line(geom, ts)::bytea::text) AS line,
	(trace_summary(geom, ts)).* FROM par_fixes GROUP BY trace_id;

SET max_parallel_workers_per_gather = 0;
CREATE TABLE ser_result AS
SELECT trace_id, md5(trace_line(geom, ts)::bytea::text) AS line,
	(trace_summary(geom, ts)).* FROM par_fixes GROUP BY trace_id;

SELECT count(*) AS traces FROM par_result;
-- fails if the plans gave different rows
SELECT count(*) AS differing FROM (
	(SELECT * FROM par_result EXCEPT SELECT * FROM ser_result)
	UNION ALL
	(SELECT * FROM ser_result EXCEPT SELECT * FROM par_result)) d;

-- trace_realism with the profile argument gives the same as without (that
-- it shares trace_summary's state is checked in tests/t/progress_cancel.sh)
SET max_parallel_workers_per_gather = 0;
SELECT count(*) FILTER (WHERE a::text <> b::text) AS differing
FROM (SELECT trace_realism(geom, ts) AS a, trace_realism(geom, ts, 'walk') AS b
	  FROM par_fixes GROUP BY trace_id) r;
