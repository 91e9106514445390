-- dataset_realism: the verdict of a whole set of traces, on seeded generated
-- data: a real-looking mix, the same with cloned copies, uniform random
-- density, parallel and serial plans, the item path against the trace path,
-- edge cases and bad input.
SET extra_float_digits = 0;

-- 12 real-looking drives (tests/sql/drives.sql)
\set drives_table ds_fixes
\i tests/sql/drives.sql
CREATE TABLE ds_traces AS SELECT device, trace_line(geom, ts) AS trace FROM ds_fixes GROUP BY device;
SELECT count(*) FILTER (WHERE (trace_realism(trace)).verdict = 'real') AS real_traces FROM ds_traces;

-- a summary of a result: verdict, score, counts and the clone evidence
CREATE FUNCTION ds_show(r dataset_realism) RETURNS TABLE (
	verdict text, score numeric, traces int, "real" int, synthetic int,
	clone_groups int, clone_traces int, shifted int, simultaneous int)
LANGUAGE sql IMMUTABLE AS $$
	SELECT r.verdict, round(r.score::numeric, 2),
		(r.evidence->>'traces')::int, (r.evidence->>'real')::int, (r.evidence->>'synthetic')::int,
		(r.evidence->'clones'->>'groups')::int, (r.evidence->'clones'->>'traces')::int,
		(r.evidence->'clones'->>'shifted_groups')::int, (r.evidence->'clones'->>'simultaneous_groups')::int
$$;

-- the real-looking mix: judged real, no clones
SELECT (ds_show(dataset_realism(trace))).* FROM ds_traces;
-- every population feature has a value, a real range, a contribution and a sentence
SELECT e->>'feature' AS feature, round((e->>'value')::numeric, 2) AS value,
	round((e->>'contribution')::numeric, 2) AS contribution,
	e->'real_range' IS NOT NULL AND length(e->>'explanation') > 40 AS explained
FROM (SELECT dataset_realism(trace) AS r FROM ds_traces) x,
	jsonb_array_elements((r).evidence->'features') e ORDER BY 1;

-- cloned: six of the drives copied to other devices 2 days and 17 s later,
-- one copied at the same times (a simultaneous duplicate)
CREATE TABLE ds_cloned AS
SELECT device, trace FROM ds_traces
UNION ALL
SELECT 'copy_' || device,
	ST_SetSRID(ST_MakeLine(ARRAY(
		SELECT ST_MakePointM(ST_X(p.geom), ST_Y(p.geom), ST_M(p.geom) + 2 * 86400 + 17)
		FROM ST_DumpPoints(trace) p ORDER BY p.path)), 4326)
FROM ds_traces WHERE device IN ('w1', 'w2', 'w3', 'w4', 'w5', 'w6')
UNION ALL
SELECT 'twin_w7', trace FROM ds_traces WHERE device = 'w7';
-- every copy looks real on its own; the dataset does not
SELECT (ds_show(dataset_realism(trace))).* FROM ds_cloned;
SELECT e->>'explanation' AS clone_evidence
FROM (SELECT dataset_realism(trace) AS r FROM ds_cloned) x,
	jsonb_array_elements((r).evidence->'features') e WHERE e->>'feature' = 'clone_share';
-- the same copies with 3 m of noise on every fix are not caught (a limit of
-- the method, documented): the shingles are positions rounded to about 1 m
SELECT (ds_show(dataset_realism(trace))).* FROM (
	SELECT trace FROM ds_traces
	UNION ALL
	SELECT ST_SetSRID(ST_MakeLine(ARRAY(
		SELECT ST_MakePointM(ST_X(p.geom) + (random() - 0.5) * 6e-5, ST_Y(p.geom) + (random() - 0.5) * 4e-5,
			ST_M(p.geom) + 86400)
		FROM ST_DumpPoints(trace) p ORDER BY p.path)), 4326)
	FROM ds_traces WHERE device IN ('w1', 'w2', 'w3')) t;

-- uniform random density: 40 traces of fixes scattered uniformly over a
-- 20 km square (each trace is also judged synthetic on its own)
SELECT setseed(0.11);
CREATE TABLE ds_uniform AS
SELECT d AS device, ST_SetSRID(ST_MakeLine(ARRAY(
	SELECT ST_MakePointM(13.2 + random() * 0.3, 52.4 + random() * 0.18, 1700000000 + d * 7 + i * 10)
	FROM generate_series(1, 300) i WHERE d > 0)), 4326) AS trace
FROM generate_series(1, 40) d;
SELECT (ds_show(dataset_realism(trace))).* FROM ds_uniform;
SELECT round((e->>'value')::numeric, 1) AS gini, round((e->>'contribution')::numeric, 2) AS contribution
FROM (SELECT dataset_realism(trace) AS r FROM ds_uniform) x,
	jsonb_array_elements((r).evidence->'features') e WHERE e->>'feature' = 'density_gini';

-- the item path: trace_realism_item(geom, ts) per trace in the same GROUP BY
-- as trace_summary and trace_realism, and the table's fingerprint, give the
-- same result as dataset_realism(trace), bit for bit
CREATE TABLE ds_items AS
SELECT device, trace_summary(geom, ts) AS s, trace_realism(geom, ts) AS r,
	trace_realism_item(geom, ts) AS item
FROM ds_fixes GROUP BY device;
SELECT count(*) AS items, min(length(item)) AS item_bytes,
	bool_and(item = trace_realism_item(trace)) AS same_as_from_trace
FROM ds_items JOIN ds_traces USING (device);
SELECT (SELECT dataset_realism(item, (SELECT density_fingerprint(geom, ts, device, 1000, 'UTC') FROM ds_fixes))
		FROM ds_items)::text
	= (SELECT dataset_realism(trace)::text FROM ds_traces) AS item_path_equals_trace_path;
-- without a fingerprint there is no density evidence
SELECT (e->>'value') IS NULL AS no_gini
FROM (SELECT dataset_realism(item, NULL) AS r FROM ds_items) x,
	jsonb_array_elements((r).evidence->'features') e WHERE e->>'feature' = 'density_gini';
-- a cell size of 250 m is another grid
SELECT (dataset_realism(trace, 250)).evidence->'density'->>'cell_m' AS cell_m FROM ds_traces;

-- parallel plans give the same result as serial ones
CREATE TABLE ds_many AS
SELECT g, device || '_' || g AS device, trace FROM ds_cloned, generate_series(1, 8) g;
ALTER TABLE ds_many SET (parallel_workers = 2);
ANALYZE ds_many;
CREATE TABLE ds_serial AS SELECT dataset_realism(trace)::text AS r FROM ds_many;
CREATE TABLE ds_serial_items AS
SELECT dataset_realism(trace_realism_item(trace), NULL)::text AS r FROM ds_many;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT dataset_realism(trace) FROM ds_many;
SELECT dataset_realism(trace)::text = (SELECT r FROM ds_serial) AS parallel_equals_serial FROM ds_many;
SELECT dataset_realism(trace_realism_item(trace), NULL)::text = (SELECT r FROM ds_serial_items)
	AS parallel_items_equal_serial FROM ds_many;
SELECT (ds_show(dataset_realism(trace))).* FROM ds_many;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;

-- edge cases: no rows, only NULLs, one trace, traces too short to judge
SELECT dataset_realism(trace) IS NULL AS empty_is_null FROM ds_traces WHERE false;
SELECT dataset_realism(NULL::geometry) IS NULL AS nulls_are_null FROM generate_series(1, 3);
SELECT (ds_show(dataset_realism(trace))).* FROM ds_traces WHERE device = 'w1';
SELECT (ds_show(dataset_realism(ST_SetSRID(ST_MakeLine(ARRAY(
	SELECT ST_MakePointM(13.4 + i * 1e-4, 52.5, 1700000000 + i) FROM generate_series(1, 5) i)), 4326)))).*
FROM generate_series(1, 3);
SELECT (dataset_realism(trace)).evidence->'features'->0->>'explanation' AS explanation
FROM (VALUES ('SRID=4326;LINESTRING M (13.4 52.5 0, 13.401 52.5 10)'::geometry)) v(trace);
-- an empty trace is skipped like a NULL one
SELECT (dataset_realism(trace)).evidence->>'traces' AS traces
FROM (VALUES ('SRID=4326;LINESTRING M EMPTY'::geometry), ('SRID=4326;LINESTRING M (13.4 52.5 0, 13.401 52.5 10)')) v(trace);

-- bad input: errors with a code, a message naming the value, and a hint
\set VERBOSITY default
SELECT dataset_realism(trace, NULL) FROM ds_traces;
SELECT dataset_realism(trace, 0.5) FROM ds_traces;
SELECT dataset_realism(trace, c) FROM ds_traces, (VALUES (1000.0::float8), (500.0)) v(c);
SELECT dataset_realism(g) FROM (VALUES ('SRID=4326;POINT(1 2)'::geometry)) v(g);
SELECT dataset_realism(g) FROM (VALUES ('SRID=4326;LINESTRING(1 2, 2 3)'::geometry)) v(g);
SELECT dataset_realism(g) FROM (VALUES ('SRID=4326;LINESTRING M (1 2 0, 1.1 2 10)'::geometry),
	('SRID=3857;LINESTRING M (1 2 0, 100 2 10)'::geometry)) v(g);
SELECT dataset_realism('\x00'::bytea, NULL);
SELECT dataset_realism(overlay(item placing '\x09'::bytea from 6), NULL) FROM ds_items;
SELECT dataset_realism(overlay(item placing '\x5858'::bytea from 1), NULL) FROM ds_items;
-- two different fingerprints for one dataset
SELECT dataset_realism(item, fp) FROM ds_items,
	(SELECT density_fingerprint(geom, 1000) AS fp FROM ds_fixes
	 UNION ALL SELECT density_fingerprint(geom, 500) FROM ds_fixes) f;
-- a malformed fingerprint is refused by the fingerprint type itself
SELECT dataset_realism(item, 'v=1;garbage'::fingerprint) FROM ds_items;
\set VERBOSITY terse
