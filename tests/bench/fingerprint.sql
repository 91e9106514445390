-- Density fingerprints over the benchmark table, side by side in one run:
-- the scan floor, the ST_SnapToGrid ... GROUP BY query users write today
-- (points per ~1 km cell), and density_fingerprint with 1 km cells.  The
-- fingerprint with devices holds more (distinct devices per cell, and points
-- and devices per cell and hour), so it is also set against the SQL that
-- computes that much: GROUPING SETS with count(DISTINCT trace_id).
\pset footer off
\ir timing.sql

\o /dev/null
SELECT pg_temp.bench('count(*)', 'SELECT count(*) FROM bench_fixes', :runs);
SELECT pg_temp.bench('sum(ST_X(geom))', 'SELECT sum(ST_X(geom)) FROM bench_fixes', :runs);
SELECT pg_temp.bench('ST_SnapToGrid GROUP BY', $q$
	SELECT count(*), max(n) FROM (
		SELECT ST_SnapToGrid(geom, 0.01) AS cell, count(*) AS n FROM bench_fixes GROUP BY 1) c $q$, :runs);
SELECT pg_temp.bench('ST_SnapToGrid GROUP BY, devices and hours', $q$
	SELECT count(*), max(n), max(d) FROM (
		SELECT ST_SnapToGrid(geom, 0.01) AS cell, extract(hour FROM ts AT TIME ZONE 'UTC') AS h,
			count(*) AS n, count(DISTINCT trace_id) AS d
		FROM bench_fixes GROUP BY GROUPING SETS ((1), (1, 2))) c $q$, :runs);
SELECT pg_temp.bench('density_fingerprint(geom, 1000)', $q$
	SELECT fingerprint_summary(density_fingerprint(geom, 1000)) FROM bench_fixes $q$, :runs);
SELECT pg_temp.bench('density_fingerprint(geom, ts, trace_id, 1000)', $q$
	SELECT fingerprint_summary(density_fingerprint(geom, ts, trace_id, 1000)) FROM bench_fixes $q$, :runs);
\o

SELECT (fingerprint_summary(density_fingerprint(geom, 1000))).* FROM bench_fixes;

WITH best AS (SELECT name, min(ms) AS ms FROM bench_time GROUP BY name)
SELECT name, round(ms) AS best_ms,
	round((ms / (SELECT ms FROM best WHERE name = 'sum(ST_X(geom))'))::numeric, 2) AS x_sum_st_x,
	round(((SELECT ms FROM best WHERE name = 'ST_SnapToGrid GROUP BY') / ms)::numeric, 1) AS snaptogrid_over_this,
	round(((SELECT ms FROM best WHERE name = 'ST_SnapToGrid GROUP BY, devices and hours') / ms)::numeric, 1)
		AS snaptogrid_devices_hours_over_this
FROM best ORDER BY ms;
