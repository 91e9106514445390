-- histogram_jsd on hand-made histograms; mobility_profile on known traces.
SET extra_float_digits = 0;

SELECT histogram_jsd('{1,2,3}', '{1,2,3}') AS identical,
	histogram_jsd('{2,4,6}', '{1,2,3}') AS same_shape,
	histogram_jsd('{1,0}', '{0,1}') AS disjoint,
	round(histogram_jsd('{1,1}', '{1,0}')::numeric, 6) AS half,  -- 0.311278 by hand
	histogram_jsd('{1,1}', '{1,0}') = histogram_jsd('{1,0}', '{1,1}') AS symmetric,
	histogram_jsd('{0,0}', '{1,0}') IS NULL AS empty_is_null;
SELECT histogram_jsd('{1,2}', '{1,2,3}');
SELECT histogram_jsd('{1,NULL}', '{1,2}');
SELECT histogram_jsd('{1,-2}', '{1,2}');
SELECT histogram_jsd('{{1,2},{3,4}}', '{1,2}');

-- A car at 10 m/s with a fix every 10 s for 20 minutes, then parked for an
-- hour: 120 jumps of 100 m (bin from 10^2 m), one stay of 3600 s, and a
-- radius of gyration of a 12 km line (plus the parked end).
CREATE TABLE mob AS
SELECT ST_SetSRID(ST_MakeLine(ARRAY(
	SELECT ST_MakePointM(500000 + least(i, 120) * 100, 5000000, 1700000000 + i * 10)
	FROM generate_series(0, 480) i)), 32633) AS trace;
SELECT h.key AS histogram, (SELECT array_agg(ord - 1 || ':' || c) FROM jsonb_array_elements_text(h.value->'counts') WITH ORDINALITY e(c, ord) WHERE c::float8 <> 0) AS nonzero_bins
FROM mob, jsonb_each((SELECT mobility_profile(trace) FROM mob)->'histograms') h ORDER BY 1;
SELECT (mobility_profile(trace))->'histograms'->'jump_length_m'->'lower'->9 AS jump_bin_9_from,
	(mobility_profile(trace))->'traces' AS traces
FROM mob;

-- Profiles compare per feature: a dataset against itself, against the same
-- traces moved elsewhere (places and jumps alike), and against the same
-- route driven four times faster
CREATE TABLE mob_sets AS
SELECT (SELECT mobility_profile(trace) FROM mob) AS a,
	(SELECT mobility_profile(ST_Translate(trace, 30000, 20000)) FROM mob) AS moved,
	(SELECT mobility_profile(ST_SetSRID(ST_MakeLine(ARRAY(
		SELECT ST_MakePointM(500000 + least(i, 30) * 400, 5000000, 1700000000 + i * 10)
		FROM generate_series(0, 480) i)), 32633))) AS faster;
SELECT d.histogram, round(d.jsd::numeric, 3) AS self, round(m.jsd::numeric, 3) AS moved, round(f.jsd::numeric, 3) AS faster
FROM mob_sets, mobility_divergence(a, a) d
	JOIN mobility_divergence((SELECT a FROM mob_sets), (SELECT moved FROM mob_sets)) m USING (histogram)
	JOIN mobility_divergence((SELECT a FROM mob_sets), (SELECT faster FROM mob_sets)) f USING (histogram)
ORDER BY 1;

-- merging is adding: a profile of two traces equals the sum of two
SELECT (SELECT mobility_profile(t) FROM (SELECT trace FROM mob UNION ALL SELECT ST_Translate(trace, 5000, 0) FROM mob) x(t))->'traces' AS traces;

-- bad input: like the other trace functions
SELECT mobility_profile('SRID=32633;POINT(1 1)'::geometry);
