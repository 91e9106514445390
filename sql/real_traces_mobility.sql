-- Mobility profiles of the real traces (loaded by real_traces.sql): two
-- halves of GeoLife's users move alike; straight lines driven at constant
-- speed through the same places do not.
SET extra_float_digits = 0;
CREATE TABLE real_mob AS
SELECT (SELECT mobility_profile(line) FROM real_lines WHERE source = 'geolife' AND trace_id < '005') AS geolife_a,
	(SELECT mobility_profile(line) FROM real_lines WHERE source = 'geolife' AND trace_id >= '005') AS geolife_b,
	(SELECT mobility_profile(straight) FROM (
		SELECT ST_SetSRID(ST_MakeLine(ST_MakePointM(
				ST_X(ST_StartPoint(line)) + (ST_X(ST_EndPoint(line)) - ST_X(ST_StartPoint(line))) * i / 200.0,
				ST_Y(ST_StartPoint(line)) + (ST_Y(ST_EndPoint(line)) - ST_Y(ST_StartPoint(line))) * i / 200.0,
				ST_M(ST_StartPoint(line)) + i * 5) ORDER BY i), 4326) AS straight
		FROM real_lines, generate_series(0, 200) i
		WHERE source = 'geolife' AND trace_id < '005' GROUP BY trace_id) l) AS straight;
SELECT (geolife_a->>'traces')::int AS traces_a, (geolife_b->>'traces')::int AS traces_b FROM real_mob;
SELECT r.histogram, round(r.jsd::numeric, 3) AS real_vs_real, round(s.jsd::numeric, 3) AS real_vs_straight,
	r.jsd < s.jsd AS real_closer
FROM real_mob, mobility_divergence(geolife_a, geolife_b) r
	JOIN mobility_divergence((SELECT geolife_a FROM real_mob), (SELECT straight FROM real_mob)) s USING (histogram)
ORDER BY 1;
