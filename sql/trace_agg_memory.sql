-- The aggregates over point rows take their blocks of fixes from an arena in
-- the aggregate's memory context (src/arena.c).  The answers must not depend
-- on how the executor uses those contexts: a hash aggregate that spills and
-- resets its context between batches, grouping sets (hashed and sorted sets
-- have contexts of their own), window partitions, and a trace long enough
-- for the arena's largest chunks.
SET extra_float_digits = 0;
SET max_parallel_workers_per_gather = 0;
SELECT setseed(0.5);
CREATE TABLE mem_fixes AS
SELECT t AS trace_id, '2024-01-01'::timestamptz + make_interval(secs => i * 3) AS ts,
	ST_SetSRID(ST_MakePoint(13 + t * 1e-3 + i * 1e-5 + random() * 1e-5,
							52 + random() * 1e-5), 4326) AS geom
FROM generate_series(1, 2000) t, generate_series(1, 40) i
ORDER BY i, t;
ANALYZE mem_fixes;

-- the reference: a sorted aggregate, one trace at a time
SET enable_hashagg = off;
CREATE TABLE mem_ref AS
SELECT trace_id, md5(trace_line(geom, ts)::bytea::text) AS line,
	(trace_summary(geom, ts)).* FROM mem_fixes GROUP BY trace_id;
RESET enable_hashagg;

-- a hash aggregate in 64 kB: it spills, and its context is reset between
-- batches; the arena must not outlive it
CREATE FUNCTION pg_temp.hash_batches(q text) RETURNS int LANGUAGE plpgsql AS $$
DECLARE plan json;
BEGIN
	EXECUTE 'EXPLAIN (ANALYZE, FORMAT JSON, COSTS OFF, TIMING OFF) ' || q INTO plan;
	RETURN (plan->0->'Plan'->>'HashAgg Batches')::int;
END $$;
SET work_mem = '64kB';
SET enable_sort = off;
SELECT pg_temp.hash_batches($$SELECT trace_id, trace_line(geom, ts), trace_summary(geom, ts)
	FROM mem_fixes GROUP BY trace_id$$) > 1 AS spilled;
CREATE TABLE mem_spilled AS
SELECT trace_id, md5(trace_line(geom, ts)::bytea::text) AS line,
	(trace_summary(geom, ts)).* FROM mem_fixes GROUP BY trace_id;
RESET work_mem;
RESET enable_sort;
SELECT count(*) AS traces, count(*) FILTER (WHERE r IS DISTINCT FROM s) AS differing
FROM mem_ref r FULL JOIN mem_spilled s USING (trace_id);

-- grouping sets: per trace, per group of traces and in all (hashed sets and
-- a sorted one, in two contexts, row after row), against the reference and
-- the known counts
EXPLAIN (COSTS OFF)
SELECT trace_id, trace_id % 7, trace_line(geom, ts)
FROM mem_fixes GROUP BY GROUPING SETS ((trace_id), (trace_id % 7), ());
CREATE TABLE mem_sets AS
SELECT trace_id, trace_id % 7 AS grp, GROUPING(trace_id, trace_id % 7) AS g,
	md5(trace_line(geom, ts)::bytea::text) AS line, (trace_summary(geom, ts)).fixes
FROM mem_fixes GROUP BY GROUPING SETS ((trace_id), (trace_id % 7), ());
SELECT count(*) AS sets_rows,
	count(*) FILTER (WHERE g = 1 AND line = (SELECT line FROM mem_ref r WHERE r.trace_id = s.trace_id))
		AS traces_equal,
	count(*) FILTER (WHERE g = 2 AND fixes = 40 * (SELECT count(*) FROM generate_series(1, 2000) t
												  WHERE t % 7 = s.grp)) AS groups_complete,
	count(*) FILTER (WHERE g = 3 AND fixes = 80000) AS total_complete
FROM mem_sets s;

-- window partitions: the context is reset for each trace; the last frame of
-- each equals the trace's line
SELECT count(*) AS traces,
	count(*) FILTER (WHERE md5(l::bytea::text) = (SELECT line FROM mem_ref r WHERE r.trace_id = w.trace_id))
		AS last_frames_equal
FROM (SELECT trace_id, trace_line(geom, ts) OVER w AS l, row_number() OVER w AS k
	  FROM mem_fixes WHERE trace_id <= 200
	  WINDOW w AS (PARTITION BY trace_id ORDER BY ts)) w
WHERE k = 40;

-- one trace of 300,000 fixes (7 MB of fixes, the arena's chunks up to their
-- largest): byte-identical to ST_MakeLine, and every fix counted
CREATE TABLE mem_long AS
SELECT '2024-01-01'::timestamptz + make_interval(secs => i) AS ts,
	ST_SetSRID(ST_MakePoint(13 + i * 1e-6, 52 + (i % 100) * 1e-6), 4326) AS geom
FROM generate_series(1, 300000) i ORDER BY (i::bigint * 7919) % 300000;
SELECT ST_NPoints(ours) AS points,
	ours::bytea = theirs::bytea AS identical_bytes,
	(SELECT (trace_summary(geom, ts)).fixes FROM mem_long) AS summary_fixes
FROM (SELECT trace_line(geom, ts) AS ours,
		ST_SetSRID(ST_MakeLine(ST_MakePointM(ST_X(geom), ST_Y(geom), extract(epoch FROM ts)::float8)
							   ORDER BY ts), 4326) AS theirs
	  FROM mem_long) s;
