-- trace_realism on traces with known evidence, and edge cases.
SET extra_float_digits = 0;

-- a straight line interpolated at constant speed on a perfect 5 s clock
CREATE TABLE straight AS
SELECT ST_SetSRID(ST_MakeLine(ARRAY(
	SELECT ST_MakePointM(13.4 + i * 0.0007, 52.5 + i * 0.0003, 1700000000 + i * 5)
	FROM generate_series(0, 400) i)), 4326) AS trace;
SELECT (r).verdict, (r).score < 0.3 AS low_score
FROM (SELECT trace_realism(trace) AS r FROM straight) x;
-- the evidence says why: the clock and the collinearity, among the strongest
SELECT e->>'feature' AS feature, round((e->>'value')::numeric, 3) AS value,
	(e->>'contribution')::float8 < 0 AS points_to_synthetic
FROM straight, jsonb_array_elements((trace_realism(trace)).evidence->'features') e
WHERE e->>'feature' IN ('dt_mode_share', 'dt_cv', 'collinear_share', 'const_speed_share')
ORDER BY 1;
SELECT (trace_realism(trace)).evidence->'features'->0->>'explanation' IS NOT NULL AS explained,
	jsonb_array_length((trace_realism(trace)).evidence->'features') AS features
FROM straight;

-- a device at rest with noise that has memory (AR(1)), on a jittered clock,
-- versus the same with white noise
SELECT setseed(0.3);
CREATE TABLE rest AS
WITH RECURSIVE w(i, ex, ny, t) AS (
	SELECT 0, 0.0::float8, 0.0::float8, 0.0::float8
	UNION ALL
	SELECT i + 1, 0.9 * ex + 2 * (random() - 0.5), 0.9 * ny + 2 * (random() - 0.5),
		t + 1 + random() * 0.4
	FROM w WHERE i < 600)
SELECT ST_SetSRID(ST_MakeLine(ARRAY(
	SELECT ST_MakePointM(8.54 + ex / 75000.0, 47.37 + ny / 111000.0, 1700000000 + t)
	FROM w ORDER BY i)), 4326) AS ar1,
	ST_SetSRID(ST_MakeLine(ARRAY(
	SELECT ST_MakePointM(8.54 + 4 * (random() - 0.5) / 75000.0, 47.37 + 4 * (random() - 0.5) / 111000.0,
						 1700000000 + i)
	FROM generate_series(0, 600) i)), 4326) AS white;
SELECT round((a->>'value')::numeric, 1) > 0.5 AS ar1_correlated,
	abs((w->>'value')::float8) < 0.2 AS white_uncorrelated
FROM rest,
	jsonb_path_query_first((trace_realism(ar1)).evidence, '$.features[*] ? (@.feature == "rest_autocorr")') a,
	jsonb_path_query_first((trace_realism(white)).evidence, '$.features[*] ? (@.feature == "rest_autocorr")') w;

-- edge cases: too short, one instant, one place, very long
SELECT (r).verdict, (r).score FROM (SELECT trace_realism('SRID=4326;LINESTRING M (1 1 0, 1.001 1 10)'::geometry) AS r) x;
SELECT (r).verdict FROM (SELECT trace_realism(ST_SetSRID(ST_MakeLine(ARRAY(
	SELECT ST_MakePointM(1 + i * 1e-4, 1, 1000) FROM generate_series(1, 50) i)), 4326)) AS r) x;
SELECT (r).verdict IS NOT NULL AS judged FROM (SELECT trace_realism(ST_SetSRID(ST_MakeLine(ARRAY(
	SELECT ST_MakePointM(1, 1, 1000 + i) FROM generate_series(1, 500) i)), 4326)) AS r) x;
SELECT (r).verdict IS NOT NULL AS judged, ((r).evidence->>'fixes')::int AS fixes
FROM (SELECT trace_realism(ST_SetSRID(ST_MakeLine(ARRAY(
	SELECT ST_MakePointM(10 + i * 1e-5, 50 + sin(i / 100.0) * 1e-3, 1000 + i) FROM generate_series(1, 200000) i)), 4326)) AS r) x;

-- the aggregate over point rows gives the same as the function over the line
SELECT (SELECT trace_realism(geom, ts) FROM (
		SELECT ST_SetSRID(ST_MakePoint(ST_X(p.geom), ST_Y(p.geom)), 4326) AS geom,
			to_timestamp(ST_M(p.geom)) AS ts
		FROM straight, ST_DumpPoints(trace) p) d)::text
	= (SELECT trace_realism(trace)::text FROM straight) AS same;

-- bad input: like the other trace functions
SELECT trace_realism('SRID=4326;POINT(1 1)'::geometry);
SELECT trace_realism('LINESTRING M (0 0 0, 1 1 1)'::geometry);
