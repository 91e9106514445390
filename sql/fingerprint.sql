-- Density fingerprints: cell counts against plain SQL, summary numbers on
-- hand-computed cases, similarity properties, round trips, bad input.
SET extra_float_digits = 0;

-- Seeded points in UTM metres (SRID 32633): the grid is floor(x / cell),
-- floor(y / cell), so plain SQL computes the same cells.
SELECT setseed(0.11);
CREATE TABLE fp_pts AS
SELECT 'dev' || (random() * 40)::int AS device,
	'2024-02-01 00:00+00'::timestamptz + make_interval(secs => (random() * 86400 * 3)::int) AS ts,
	ST_SetSRID(ST_MakePoint(390000 + 20000 * random() ^ 2, 5800000 + 20000 * random() ^ 3), 32633) AS geom
FROM generate_series(1, 20000);

CREATE TABLE fp_sql AS
SELECT floor(ST_Y(geom) / 500)::int AS cell_row, floor(ST_X(geom) / 500)::int AS cell_col,
	count(*) AS points, count(DISTINCT device) AS devices
FROM fp_pts GROUP BY 1, 2;
CREATE TABLE fp_ours AS
SELECT cell_row, cell_col, points, devices, cell
FROM fingerprint_cells((SELECT density_fingerprint(geom, ts, device, 500) FROM fp_pts), 0);
SELECT (SELECT count(*) FROM fp_sql) AS cells_sql, (SELECT count(*) FROM fp_ours) AS cells_ours,
	(SELECT count(*) FROM (SELECT cell_row, cell_col, points, devices FROM fp_sql
		EXCEPT SELECT cell_row, cell_col, points, devices FROM fp_ours) d) AS missing,
	(SELECT count(*) FROM (SELECT cell_row, cell_col, points, devices FROM fp_ours
		EXCEPT SELECT cell_row, cell_col, points, devices FROM fp_sql) d) AS extra;
-- integer device ids are their own keys, but bigint ones beyond +-2^58,
-- which are hashed: whatever the type, the fingerprint is the text ids'
CREATE DOMAIN fp_device_id AS int;
WITH ids AS (SELECT geom, ts, substr(device, 4)::int AS n FROM fp_pts)
SELECT (SELECT density_fingerprint(geom, ts, n::int2, 500)::text FROM ids) = t AS int2_same,
	(SELECT density_fingerprint(geom, ts, n::fp_device_id, 500)::text FROM ids) = t AS domain_same,
	(SELECT density_fingerprint(geom, ts, n, 500)::text FROM ids) = t AS int4_same,
	(SELECT density_fingerprint(geom, ts, n - 20 - 288230376151711744, 500)::text FROM ids) = t AS int8_low_edge_same,
	(SELECT density_fingerprint(geom, ts, n - 20 + 288230376151711744, 500)::text FROM ids) = t AS int8_high_edge_same,
	(SELECT density_fingerprint(geom, ts, n * 100000000000000000, 500)::text FROM ids) = t AS int8_large_same
FROM (SELECT density_fingerprint(geom, ts, device, 500)::text AS t FROM fp_pts) x;
-- each cell is the 500 m square it names, in the data's SRID
SELECT bool_and(ST_Equals(cell, ST_MakeEnvelope(cell_col * 500, cell_row * 500,
		(cell_col + 1) * 500, (cell_row + 1) * 500, 32633))) AS squares
FROM fp_ours;

-- Lon/lat: every point lies in the polygon of its cell, with the same
-- points and distinct devices per cell as a spatial join computes
CREATE TABLE fp_geo AS
SELECT device, ts, ST_SetSRID(ST_MakePoint(13.1 + 0.5 * random() ^ 2, 52.35 + 0.3 * random() ^ 2), 4326) AS geom
FROM fp_pts;
CREATE TABLE fp_geo_cells AS
SELECT * FROM fingerprint_cells((SELECT density_fingerprint(geom, ts, device, 1000) FROM fp_geo), 0);
SELECT count(*) AS cells,
	count(*) FILTER (WHERE c.points = j.points AND c.devices = j.devices) AS same_counts
FROM fp_geo_cells c
JOIN (SELECT c.cell_row, c.cell_col, count(*) AS points, count(DISTINCT p.device) AS devices
	  FROM fp_geo_cells c JOIN fp_geo p ON ST_Intersects(c.cell, p.geom)
	  GROUP BY 1, 2) j USING (cell_row, cell_col);
-- the cells are near-equal in area: 1 km² within 1% at 52 degrees
SELECT round(min(ST_Area(cell::geography))) > 990000 AS min_ok, round(max(ST_Area(cell::geography))) < 1010000 AS max_ok
FROM fp_geo_cells;

-- Summary numbers on hand-computed cases
-- uniform: four cells of one point each
SELECT cells, gini, entropy, top10_share, zipf_slope, core_cells
FROM fingerprint_summary((SELECT density_fingerprint(geom, 100) FROM (VALUES
	('SRID=32633;POINT(50 50)'::geometry), ('SRID=32633;POINT(150 50)'),
	('SRID=32633;POINT(250 50)'), ('SRID=32633;POINT(350 50)')) v(geom)));
-- a single cell
SELECT cells, points, gini, entropy, top1_share, core_cells, core_share
FROM fingerprint_summary((SELECT density_fingerprint(geom, 100) FROM (VALUES
	('SRID=32633;POINT(50 50)'::geometry), ('SRID=32633;POINT(51 50)')) v(geom)));
-- two cells of 3 and 1 points: Gini 0.25, entropy H(3/4, 1/4) / ln 2 = 0.811278
SELECT cells, gini, round(entropy::numeric, 6) AS entropy, top1_share, core_cells, core_share,
	round(zipf_slope::numeric, 6) AS zipf_slope
FROM fingerprint_summary((SELECT density_fingerprint(geom, 100) FROM (VALUES
	('SRID=32633;POINT(50 50)'::geometry), ('SRID=32633;POINT(51 50)'),
	('SRID=32633;POINT(52 50)'), ('SRID=32633;POINT(150 50)')) v(geom)));
-- the seeded data concentrates (squares and cubes of uniform numbers)
SELECT points, devices, cells, round(gini::numeric, 3) AS gini, round(entropy::numeric, 3) AS entropy,
	round(top1_share::numeric, 3) AS top1, round(top10_share::numeric, 3) AS top10,
	round(zipf_slope::numeric, 3) AS zipf, core_cells
FROM fingerprint_summary((SELECT density_fingerprint(geom, ts, device, 500) FROM fp_pts));

-- hours of the day, in a time zone the user names (UTC+1 in February)
SELECT hour, points, devices, round(core_point_share::numeric, 3) AS core_points
FROM fingerprint_hours((SELECT density_fingerprint(geom, ts, device, 500, 'Europe/Berlin') FROM fp_pts))
WHERE hour IN (0, 1, 23);
SELECT sum(points) = 20000 AS all_timed,
	(SELECT count(*) FROM fp_pts WHERE extract(hour FROM ts AT TIME ZONE 'Europe/Berlin') = 1) =
	(SELECT points FROM fingerprint_hours((SELECT density_fingerprint(geom, ts, device, 500, 'Europe/Berlin') FROM fp_pts)) WHERE hour = 1) AS hour1_matches
FROM fingerprint_hours((SELECT density_fingerprint(geom, ts, device, 500, 'Europe/Berlin') FROM fp_pts));

-- hours across daylight-saving changes, in zones with half- and
-- quarter-hour offsets, and in 1920s Amsterdam (UTC+1:19:32 in summer, an
-- offset that is no whole number of quarter hours) equal PostgreSQL's own
-- AT TIME ZONE, hour by hour
CREATE TABLE fp_dst AS
SELECT ts, ST_SetSRID(ST_MakePoint(500, 500), 32633) AS geom
FROM generate_series('2024-03-30 20:00+00'::timestamptz, '2024-04-01 04:00+00', '7 minutes 13 seconds') ts
UNION ALL
SELECT ts, ST_SetSRID(ST_MakePoint(500, 500), 32633)
FROM generate_series('2024-10-26 20:00+00'::timestamptz, '2024-10-28 04:00+00', '7 minutes 13 seconds') ts
UNION ALL
SELECT ts, ST_SetSRID(ST_MakePoint(500, 500), 32633)
FROM generate_series('1920-06-01 08:00+00'::timestamptz, '1920-06-02 04:00+00', '7 minutes 13 seconds') ts;
SELECT z AS zone, bool_and(f.points = coalesce(s.points, 0)) AS hours_match
FROM unnest(ARRAY['Europe/Berlin', 'America/St_Johns', 'Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'Europe/Amsterdam']) z,
	LATERAL fingerprint_hours((SELECT density_fingerprint(geom, ts, 1, 1000, z) FROM fp_dst)) f
	LEFT JOIN LATERAL (SELECT extract(hour FROM ts AT TIME ZONE z)::int AS hour, count(*) AS points
					   FROM fp_dst GROUP BY 1) s USING (hour)
GROUP BY z ORDER BY z;

-- Similarity: identical 1, disjoint 0, symmetric
CREATE TABLE fp_vals AS
SELECT (SELECT density_fingerprint(geom, ts, device, 500) FROM fp_pts) AS a,
	(SELECT density_fingerprint(geom, ts, device, 500) FROM fp_pts WHERE device < 'dev2') AS b,
	(SELECT density_fingerprint(ST_Translate(geom, 100000, 0), ts, device, 500) FROM fp_pts) AS far;
SELECT fingerprint_similarity(a, a) AS identical, fingerprint_similarity(a, far) AS disjoint,
	fingerprint_similarity(a, b) = fingerprint_similarity(b, a) AS symmetric,
	fingerprint_similarity(a, b) BETWEEN 0.5 AND 0.999 AS partial
FROM fp_vals;
-- where they disagree: every cell of either, with shares summing to 1
SELECT count(*) AS cells, round(sum(share_a)::numeric, 9) AS sum_a, round(sum(share_b)::numeric, 9) AS sum_b
FROM fp_vals, fingerprint_diff(a, b);
SELECT count(*) AS hours, round(min(profile_similarity)::numeric, 3) > 0.9 AS similar_days
FROM fp_vals, fingerprint_hour_diff(a, b);

-- a parallel plan gives the same fingerprint as a serial one
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT density_fingerprint(geom, ts, device, 500) FROM fp_pts;
CREATE TABLE fp_par AS SELECT density_fingerprint(geom, ts, device, 500)::text AS t FROM fp_pts;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
SELECT t = (SELECT density_fingerprint(geom, ts, device, 500)::text FROM fp_pts) AS parallel_equals_serial FROM fp_par;

-- Round trips: text, and binary through COPY
SELECT a::text::fingerprint::text = a::text AS text_round_trip FROM fp_vals;
CREATE TABLE fp_bin (f fingerprint);
INSERT INTO fp_bin SELECT a FROM fp_vals;
\copy fp_bin TO 'results/fingerprint_copy.bin' WITH (FORMAT binary)
TRUNCATE fp_bin;
\copy fp_bin FROM 'results/fingerprint_copy.bin' WITH (FORMAT binary)
SELECT f::text = (SELECT a::text FROM fp_vals) AS binary_round_trip FROM fp_bin;
SELECT 'v=1;kind=planar;srid=32633;cell_m=100;to_meter=1;hours=no;devices=no;points=4;cells=0:0:3 0:1:1'::fingerprint;

-- Privacy: cells seen by fewer than min_devices devices are summed, not shown
SELECT count(*) FILTER (WHERE cell IS NOT NULL) AS shown, sum(suppressed_cells) AS suppressed,
	sum(points) = 20000 AS no_point_lost, bool_and(devices >= 15 OR cell IS NULL) AS k_respected
FROM fingerprint_cells((SELECT a FROM fp_vals), 15);
-- output works with PostGIS's exporters
SELECT length(ST_AsMVT(t, 'cells')) > 0 AS mvt,
	bool_and(ST_AsGeoJSON(t.cell) LIKE '{"type":"Polygon"%') AS geojson
FROM (SELECT ST_AsMVTGeom(ST_Transform(cell, 3857), ST_TileEnvelope(10, 550, 335)) AS geom, cell, points
	  FROM fingerprint_cells((SELECT a FROM fp_vals), 5) WHERE cell IS NOT NULL) t;

-- the heat map: one rect per shown cell, plus the background and 10 legend steps
SELECT svg LIKE '<svg xmlns="http://www.w3.org/2000/svg" width="500"%' AS is_svg,
	(length(svg) - length(replace(svg, '<rect ', ''))) / 6 - 11 =
		(SELECT count(*) FROM fingerprint_cells(a, 15) WHERE cell IS NOT NULL) AS one_rect_per_cell,
	svg LIKE '%1370 cells (8204 points) seen by fewer than 15 devices hidden%' AS says_what_is_hidden
FROM (SELECT a, fingerprint_svg(a, 15, 500) AS svg FROM fp_vals OFFSET 0) x;
SELECT fingerprint_svg(a, 5, 50) FROM fp_vals;

-- Bad input
SELECT 'v=1;kind=planar'::fingerprint;
SELECT 'v=1;kind=planar;srid=32633;cell_m=100;to_meter=1;hours=no;devices=yes;points=4;distinct_devices=1;cells=0:0:3:5 0:1:1:1'::fingerprint;
SELECT 'v=1;kind=planar;srid=32633;cell_m=100;to_meter=1;hours=no;devices=no;points=4;cells=0:1:1 0:0:3'::fingerprint;
SELECT 'garbage'::fingerprint;
SELECT fingerprint_similarity(a, (SELECT density_fingerprint(geom, 1000) FROM fp_pts)) FROM fp_vals;
SELECT density_fingerprint(geom, 0) FROM fp_pts;
SELECT density_fingerprint(geom, c) FROM (VALUES ('SRID=32633;POINT(1 1)'::geometry, 100), ('SRID=32633;POINT(1 1)', 200)) v(geom, c);
SELECT density_fingerprint(geom, ts, device, 500, 'Mars/Olympus') FROM fp_pts;
SELECT density_fingerprint(geom, NULL) FROM fp_pts;
SELECT density_fingerprint(geom, ts, point(1, 1), 500) FROM fp_pts;
SELECT density_fingerprint(geom, 100) FROM (VALUES ('SRID=4326;POINT(1 1)'::geometry), ('SRID=32633;POINT(1 1)')) v(geom);
SELECT * FROM fingerprint_cells((SELECT density_fingerprint(geom, 500) FROM fp_pts));
SELECT * FROM fingerprint_hours((SELECT density_fingerprint(geom, 500) FROM fp_pts));
-- empty and off-grid points are left out and counted in a NOTICE
SELECT density_fingerprint(geom, 100) FROM (VALUES ('SRID=4326;POINT(1 1)'::geometry),
	('SRID=4326;POINT EMPTY'), ('SRID=4326;POINT(200 1)')) v(geom);

-- fingerprints of disjoint devices add up to the whole and subtract back
WITH parts AS (
	SELECT density_fingerprint(geom, ts, device, 500) FILTER (WHERE right(device, 1)::int % 2 = 0) AS even,
		density_fingerprint(geom, ts, device, 500) FILTER (WHERE right(device, 1)::int % 2 = 1) AS odd,
		density_fingerprint(geom, ts, device, 500) AS whole
	FROM fp_pts)
SELECT fingerprint_add(even, odd)::text = whole::text AS add_is_whole,
	fingerprint_subtract(whole, odd)::text = even::text AS subtract_is_part,
	(fingerprint_summary(fingerprint_subtract(whole, whole))).points AS nothing_left
FROM parts;
SELECT fingerprint_subtract(density_fingerprint(geom, 500) FILTER (WHERE right(device, 1)::int % 2 = 0),
	density_fingerprint(geom, 500)) FROM fp_pts;
SELECT fingerprint_add(density_fingerprint(geom, 500), density_fingerprint(geom, 1000)) FROM fp_pts;
SELECT fingerprint_add(density_fingerprint(geom, 500), density_fingerprint(geom, ts, device, 500)) FROM fp_pts;
