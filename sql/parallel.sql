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
