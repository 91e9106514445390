-- trace_line: the fixes of a trace as a LINESTRING M ordered by time.
-- Compared byte for byte with PostGIS's own ST_MakeLine of ST_MakePointM.
SET extra_float_digits = 0;

SELECT ST_AsText(trace_line(geom, ts)) AS line, ST_SRID(trace_line(geom, ts)) AS srid
FROM (VALUES
	('SRID=4326;POINT(1 1)'::geometry, '2024-01-01 00:00:10+00'::timestamptz),
	('SRID=4326;POINT(0 0)', '2024-01-01 00:00:00+00'),
	('SRID=4326;POINT(2 2)', '2024-01-01 00:00:20+00')) AS v(geom, ts);

-- M is epoch seconds, exactly extract(epoch from ts)
SELECT ST_M(ST_PointN(trace_line(geom, ts), 1)) = extract(epoch FROM '2024-05-06 07:08:09.123456+00'::timestamptz)::float8 AS m_is_epoch
FROM (VALUES ('SRID=4326;POINT(5 6)'::geometry, '2024-05-06 07:08:09.123456+00'::timestamptz)) v(geom, ts);

-- ties in time keep every fix, ordered by x then y (deterministic)
SELECT ST_AsText(trace_line(geom, ts))
FROM (VALUES
	('SRID=4326;POINT(3 0)'::geometry, '2024-01-01 00:00:00+00'::timestamptz),
	('SRID=4326;POINT(1 5)', '2024-01-01 00:00:00+00'),
	('SRID=4326;POINT(1 2)', '2024-01-01 00:00:00+00'),
	('SRID=4326;POINT(1 2)', '2024-01-01 00:00:00+00')) v(geom, ts);

-- Z and M of input points are dropped (M becomes the time)
SELECT ST_AsText(trace_line(geom, ts))
FROM (VALUES
	('SRID=4326;POINT Z (1 2 300)'::geometry, '1970-01-01 00:00:01+00'::timestamptz),
	('SRID=4326;POINT M (3 4 99)', '1970-01-01 00:00:02+00'),
	('SRID=4326;POINT ZM (5 6 7 8)', '1970-01-01 00:00:03+00')) v(geom, ts);

-- NULL geometry or time is skipped; no fixes at all gives NULL
SELECT ST_NPoints(trace_line(geom, ts))
FROM (VALUES ('SRID=4326;POINT(1 1)'::geometry, now()), (NULL, now()),
	('SRID=4326;POINT(2 2)', NULL)) v(geom, ts);
SELECT trace_line(geom, ts) IS NULL AS is_null
FROM (VALUES (NULL::geometry, now())) v(geom, ts);

-- projected SRIDs are kept as they are
SELECT ST_AsEWKT(trace_line(geom, ts))
FROM (VALUES ('SRID=3857;POINT(100 200)'::geometry, '1970-01-01 00:00:00+00'::timestamptz),
	('SRID=3857;POINT(150 250)', '1970-01-01 00:01:00+00')) v(geom, ts);

-- seeded random traces with shuffled rows and duplicate times: byte-identical
-- to ST_MakeLine(ST_MakePointM(...) ORDER BY ts, x, y), bounding box included
SELECT setseed(0.42);
CREATE TABLE gen_fixes AS
SELECT t AS trace_id,
	'2024-01-01'::timestamptz + make_interval(secs => floor(i * 5 + random() * 3)) AS ts,
	ST_SetSRID(ST_MakePoint(10 + t * 0.01 + i * 1e-4 + random() * 1e-5,
							50 + i * 1e-4 + random() * 1e-5), 4326) AS geom
FROM generate_series(1, 40) t, generate_series(1, (t * 37) % 200 + 1) i
ORDER BY random();

SELECT count(*) AS traces,
	count(*) FILTER (WHERE ours::bytea = theirs::bytea) AS identical_bytes,
	count(*) FILTER (WHERE ST_Equals(ours, theirs) AND ST_NPoints(ours) = ST_NPoints(theirs)) AS equal_geom
FROM (SELECT trace_id, trace_line(geom, ts) AS ours,
		ST_SetSRID(ST_MakeLine(ST_MakePointM(ST_X(geom), ST_Y(geom), extract(epoch FROM ts)::float8)
							   ORDER BY ts, ST_X(geom), ST_Y(geom)), 4326) AS theirs
	FROM gen_fixes GROUP BY trace_id) s;

-- the output is a valid trajectory for PostGIS
SELECT bool_and(ST_IsValidTrajectory(l)) AS valid_trajectories
FROM (SELECT trace_line(geom, ts) AS l FROM gen_fixes GROUP BY trace_id) s;

-- as many points out as non-NULL rows in
SELECT sum(ST_NPoints(l)) = (SELECT count(*) FROM gen_fixes) AS lossless
FROM (SELECT trace_line(geom, ts) AS l FROM gen_fixes GROUP BY trace_id) s;

-- as a window aggregate the state is finalized frame after frame, with rows
-- added in between: each frame's line is in time order and has every row
-- (a fix later than the latest sorted one must still be placed in order)
SELECT i, ST_AsText(trace_line(g, t) OVER (ORDER BY i)) AS running_line
FROM (VALUES (1, 'SRID=4326;POINT(13 52)'::geometry, '2024-01-01 00:00:10+00'::timestamptz),
	(2, 'SRID=4326;POINT(13.1 52)', '2024-01-01 00:00:05+00'),
	(3, 'SRID=4326;POINT(13.2 52)', '2024-01-01 00:00:07+00'),
	(4, 'SRID=4326;POINT(13.3 52)', '2024-01-01 00:00:20+00')) v(i, g, t);
SELECT count(*) AS frames,
	count(*) FILTER (WHERE ST_IsValidTrajectory(l) AND ST_NPoints(l) = k) AS ordered_complete_frames
FROM (SELECT trace_line(geom, ts) OVER w AS l, row_number() OVER w AS k
	FROM gen_fixes WHERE trace_id <= 8
	WINDOW w AS (PARTITION BY trace_id ORDER BY md5(ts::text)
				 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) s;
