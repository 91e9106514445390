-- Density fingerprints of the real traces (loaded by real_traces.sql):
-- points and devices per cell equal a plain SQL computation of the same
-- grid, both in a projected CRS (floor of metres) and on the lon/lat grid
-- (each fix in its cell's polygon).
SET extra_float_digits = 0;

-- Web Mercator metres: the cells are floor(x / 2000), floor(y / 2000)
CREATE TABLE real_merc AS
SELECT source, trace_id, ts, ST_Transform(geom, 3857) AS geom FROM real_fixes;
CREATE TABLE real_merc_sql AS
SELECT floor(ST_Y(geom) / 2000)::int AS cell_row, floor(ST_X(geom) / 2000)::int AS cell_col,
	count(*) AS points, count(DISTINCT trace_id) AS devices
FROM real_merc GROUP BY 1, 2;
CREATE TABLE real_merc_fp AS
SELECT cell_row, cell_col, points, devices
FROM fingerprint_cells((SELECT density_fingerprint(geom, ts, trace_id, 2000) FROM real_merc), 0);
SELECT (SELECT count(*) FROM real_merc_sql) AS cells,
	(SELECT count(*) FROM ((SELECT * FROM real_merc_sql EXCEPT SELECT * FROM real_merc_fp)
		UNION ALL (SELECT * FROM real_merc_fp EXCEPT SELECT * FROM real_merc_sql)) d) AS differing;

-- lon/lat, 1 km cells: counts per cell equal those of a spatial join
CREATE TABLE real_fp AS
SELECT density_fingerprint(geom, ts, trace_id, 1000) AS fp FROM real_fixes;
CREATE TABLE real_fp_cells AS SELECT c.* FROM real_fp, fingerprint_cells(fp, 0) c;
CREATE INDEX ON real_fixes USING gist (geom);
ANALYZE real_fixes;
SELECT count(*) AS cells, sum(c.points) AS points,
	count(*) FILTER (WHERE c.points = j.points AND c.devices = j.devices) AS same_counts
FROM real_fp_cells c
JOIN (SELECT c.cell_row, c.cell_col, count(*) AS points, count(DISTINCT f.trace_id) AS devices
	  FROM real_fp_cells c JOIN real_fixes f ON ST_Intersects(c.cell, f.geom)
	  GROUP BY 1, 2) j USING (cell_row, cell_col);

-- per source: how the recorded data concentrates (1 km cells)
SELECT source, (s).points, (s).devices, (s).cells, round((s).gini::numeric, 3) AS gini,
	round((s).entropy::numeric, 3) AS entropy, round((s).top10_share::numeric, 3) AS top10,
	round((s).zipf_slope::numeric, 3) AS zipf, (s).core_cells
FROM (SELECT source, fingerprint_summary(density_fingerprint(geom, ts, trace_id, 1000)) AS s
	  FROM real_fixes GROUP BY source) x ORDER BY source;

-- two real datasets are far apart, and each is identical to itself
SELECT fingerprint_similarity(a, b) AS geolife_vs_fit, fingerprint_similarity(a, a) AS self
FROM (SELECT (SELECT density_fingerprint(geom, 1000) FROM real_fixes WHERE source = 'geolife') AS a,
	(SELECT density_fingerprint(geom, 1000) FROM real_fixes WHERE source = 'fitparse_sport') AS b) x;
