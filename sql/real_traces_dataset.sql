-- dataset_realism on the real traces (loaded by real_traces.sql): every
-- source, taken as one dataset, is judged real, through both paths; the
-- Liverpool buses (16 buses on shared routes) show no clone; the same buses
-- with copies shifted by a day are flagged.
SET extra_float_digits = 0;
CREATE TABLE real_ds_traces AS
SELECT source, trace_id, trace_line(geom, ts) AS trace,
	trace_realism_item(geom, ts) AS item
FROM real_fixes GROUP BY 1, 2;
CREATE TABLE real_ds AS
SELECT source, dataset_realism(trace) AS r FROM real_ds_traces GROUP BY source;
SELECT source, (r).verdict, round((r).score::numeric, 2) AS score,
	(r).evidence->>'traces' AS traces, (r).evidence->>'real' AS "real",
	(r).evidence->>'synthetic' AS synthetic,
	(r).evidence->'clones'->>'compared' AS compared,
	(r).evidence->'clones'->>'groups' AS clone_groups
FROM real_ds ORDER BY source;
-- the item path with each source's fingerprint gives the same results
SELECT bool_and(i.r::text = d.r::text) AS item_path_equals_trace_path, count(*) AS sources
FROM real_ds d JOIN (
	SELECT t.source, dataset_realism(t.item, f.fp) AS r
	FROM real_ds_traces t JOIN (
		SELECT source, density_fingerprint(geom, ts, trace_id, 1000, 'UTC') AS fp
		FROM real_fixes GROUP BY source) f USING (source)
	GROUP BY t.source) i USING (source);
-- all sources together
SELECT (r).verdict, round((r).score::numeric, 2) AS score, (r).evidence->'clones'->>'groups' AS clone_groups
FROM (SELECT dataset_realism(trace) AS r FROM real_ds_traces) x;
-- the buses and copies of 5 of them one day later under other ids
SELECT (r).verdict, round((r).score::numeric, 2) AS score,
	(r).evidence->'clones'->>'groups' AS clone_groups,
	(r).evidence->'clones'->>'shifted_groups' AS shifted
FROM (SELECT dataset_realism(trace) AS r FROM (
	SELECT trace FROM real_ds_traces WHERE source = 'liverpool_bus'
	UNION ALL
	SELECT ST_SetSRID(ST_MakeLine(ARRAY(
		SELECT ST_MakePointM(ST_X(p.geom), ST_Y(p.geom), ST_M(p.geom) + 86400)
		FROM ST_DumpPoints(trace) p ORDER BY p.path)), 4326)
	FROM (SELECT trace FROM real_ds_traces WHERE source = 'liverpool_bus'
		  ORDER BY trace_id LIMIT 5) b) t) x;
