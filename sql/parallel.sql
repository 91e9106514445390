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

-- with the leader scanning too, a trace's fixes come from up to three
-- processes, merged at once in the final step, after a sort of the partial
-- states or in a hash table that gets them in any order
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = on;
CREATE TABLE par3_result AS
SELECT trace_id, md5(trace_line(geom, ts)::bytea::text) AS line,
	(trace_summary(geom, ts)).* FROM par_fixes GROUP BY trace_id;
SET enable_hashagg = off;
CREATE TABLE par3_sorted_result AS
SELECT trace_id, md5(trace_line(geom, ts)::bytea::text) AS line,
	(trace_summary(geom, ts)).* FROM par_fixes GROUP BY trace_id;
RESET enable_hashagg;
SELECT count(*) AS differing FROM (
	(SELECT * FROM par3_result EXCEPT SELECT * FROM ser_result)
	UNION ALL
	(SELECT * FROM ser_result EXCEPT SELECT * FROM par3_result)
	UNION ALL
	(SELECT * FROM par3_sorted_result EXCEPT SELECT * FROM ser_result)
	UNION ALL
	(SELECT * FROM ser_result EXCEPT SELECT * FROM par3_sorted_result)) d;

-- rows in arrival order whose later times come first in the table (as a
-- scan that started mid-table reads them): each process's fixes of a trace
-- are two sorted runs, which serial puts in order by rotating them
-- (ta_sort_fixes); and a trace whose rows are all in time order
CREATE TABLE rot_fixes AS
SELECT t AS trace_id,
	'2024-01-01'::timestamptz + make_interval(secs => (i + 200) % 400) AS ts,
	ST_SetSRID(ST_MakePoint(t * 1e-3 + ((i + 200) % 400) * 1e-5, 40 + random() * 1e-4), 4326) AS geom
FROM generate_series(0, 399) i, generate_series(1, 300) t
ORDER BY i, t;
INSERT INTO rot_fixes
SELECT 0, '2024-01-01'::timestamptz + make_interval(secs => i),
	ST_SetSRID(ST_MakePoint(i * 1e-5, 40), 4326)
FROM generate_series(0, 3999) i;
ANALYZE rot_fixes;
SET max_parallel_workers_per_gather = 2;
CREATE TABLE rot_par AS
SELECT trace_id, md5(trace_line(geom, ts)::bytea::text) AS line,
	(trace_summary(geom, ts)).* FROM rot_fixes GROUP BY trace_id;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE rot_ser AS
SELECT trace_id, md5(trace_line(geom, ts)::bytea::text) AS line,
	(trace_summary(geom, ts)).* FROM rot_fixes GROUP BY trace_id;
SELECT count(*) AS traces, sum(fixes) AS fixes FROM rot_par;
SELECT count(*) AS differing FROM (
	(SELECT * FROM rot_par EXCEPT SELECT * FROM rot_ser)
	UNION ALL
	(SELECT * FROM rot_ser EXCEPT SELECT * FROM rot_par)) d;

-- partitionwise aggregation: one partial state per partition, combined in
-- the same process
CREATE TABLE part_fixes (trace_id int, ts timestamptz, geom geometry, part int)
	PARTITION BY LIST (part);
CREATE TABLE part_fixes_0 PARTITION OF part_fixes FOR VALUES IN (0);
CREATE TABLE part_fixes_1 PARTITION OF part_fixes FOR VALUES IN (1);
CREATE TABLE part_fixes_2 PARTITION OF part_fixes FOR VALUES IN (2);
INSERT INTO part_fixes
SELECT trace_id, ts, geom, (extract(epoch FROM ts)::bigint / 7) % 3 FROM par_fixes;
ANALYZE part_fixes;
SET max_parallel_workers_per_gather = 0;
SET enable_partitionwise_aggregate = on;
EXPLAIN (COSTS OFF)
SELECT trace_id, trace_summary(geom, ts) FROM part_fixes GROUP BY trace_id;
CREATE TABLE part_result AS
SELECT trace_id, md5(trace_line(geom, ts)::bytea::text) AS line,
	(trace_summary(geom, ts)).* FROM part_fixes GROUP BY trace_id;
RESET enable_partitionwise_aggregate;
SELECT count(*) AS traces, count(*) FILTER (WHERE p IS DISTINCT FROM s) AS differing
FROM part_result p FULL JOIN ser_result s USING (trace_id);

-- the final function keeps up to six partial states apart as sorted runs
-- besides the first and merges them into a buffer it reuses: nine
-- partitions give more states than that, and trace 1000 is longer than the
-- buffer (65,536 fixes), so its runs are merged into its state instead
CREATE FUNCTION pg_temp.partial_aggs(q text) RETURNS int LANGUAGE plpgsql AS $$
DECLARE plan text;
BEGIN
	EXECUTE 'EXPLAIN (FORMAT JSON, COSTS OFF) ' || q INTO plan;
	RETURN (length(plan) - length(replace(plan, '"Partial Mode": "Partial"', '')))
		/ length('"Partial Mode": "Partial"');
END $$;
CREATE TABLE part9_fixes (trace_id int, ts timestamptz, geom geometry, part int)
	PARTITION BY LIST (part);
SELECT format('CREATE TABLE part9_fixes_%s PARTITION OF part9_fixes FOR VALUES IN (%s)', p, p)
FROM generate_series(0, 8) p \gexec
INSERT INTO part9_fixes
SELECT trace_id, ts, geom, (extract(epoch FROM ts)::bigint / 7) % 9 FROM par_fixes;
-- 90,000 fixes in three partitions by turns, two at each second
INSERT INTO part9_fixes
SELECT 1000, '2024-01-01'::timestamptz + make_interval(secs => i / 2),
	ST_SetSRID(ST_MakePoint(i * 1e-5, 41), 4326), i % 3
FROM generate_series(1, 90000) i;
-- 20,000 fixes in all nine partitions
INSERT INTO part9_fixes
SELECT 1001, '2024-01-01'::timestamptz + make_interval(secs => i),
	ST_SetSRID(ST_MakePoint(i * 1e-5, 42), 4326), i % 9
FROM generate_series(1, 20000) i;
ANALYZE part9_fixes;
-- a view is planned when used: partitionwise, then serial
CREATE TEMP VIEW part9_answers AS
SELECT trace_id, md5(trace_line(geom, ts)::bytea::text) AS line,
	md5(trace_realism(geom, ts)::text) AS realism,
	(trace_summary(geom, ts)).* FROM part9_fixes GROUP BY trace_id;
SET enable_partitionwise_aggregate = on;
SELECT pg_temp.partial_aggs('SELECT * FROM part9_answers') AS partial_aggregates;
CREATE TABLE part9_result AS SELECT * FROM part9_answers;
RESET enable_partitionwise_aggregate;
SELECT pg_temp.partial_aggs('SELECT * FROM part9_answers') AS partial_aggregates;
CREATE TABLE part9_serial AS SELECT * FROM part9_answers;
SELECT count(*) AS traces, count(*) FILTER (WHERE p IS DISTINCT FROM s) AS differing,
	max((p).fixes) AS longest
FROM part9_result p FULL JOIN part9_serial s USING (trace_id);
-- and trace 1000 as PostGIS makes it
SELECT line = md5(ST_SetSRID(ST_MakeLine(ST_MakePointM(ST_X(f.geom), ST_Y(f.geom),
		extract(epoch FROM f.ts)) ORDER BY f.ts, ST_X(f.geom)), 4326)::bytea::text) AS same_as_postgis
FROM part9_result, part9_fixes f WHERE part9_result.trace_id = 1000 AND f.trace_id = 1000
GROUP BY line;
