-- Bad input: each case raises an error naming the value with a hint
-- (trace_line, trace_jumps), or is counted (trace_summary over rows).
SET extra_float_digits = 0;
\set VERBOSITY default

-- NULL geometry or time: skipped and counted by trace_summary
SELECT (s).fixes, (s).skipped_null_geom, (s).skipped_null_time
FROM (SELECT trace_summary(geom, ts) AS s FROM (VALUES
	('SRID=4326;POINT(1 1)'::geometry, '2024-01-01 00:00:00+00'::timestamptz),
	(NULL, '2024-01-01 00:00:01+00'), ('SRID=4326;POINT(1 1)', NULL),
	(NULL, NULL)) v(geom, ts)) x;

-- an empty point
SELECT trace_line(geom, ts) FROM (VALUES
	('SRID=4326;POINT EMPTY'::geometry, '2024-01-01 00:00:00+00'::timestamptz)) v(geom, ts);
-- NaN and infinite coordinates
SELECT trace_line(ST_SetSRID(ST_MakePoint('NaN', 1), 4326), now());
SELECT trace_line(ST_SetSRID(ST_MakePoint(1, '-Infinity'), 3857), now());
-- longitude / latitude out of range in a geographic SRID (swapped axes)
SELECT trace_line(ST_SetSRID(ST_MakePoint(52.5, 213.4), 4326), now());
-- the same coordinate is fine in a projected SRID
SELECT ST_AsText(trace_line(ST_SetSRID(ST_MakePoint(52.5, 213.4), 3857), '2024-01-01 00:00:00+00'));
-- an infinite timestamp
SELECT trace_line('SRID=4326;POINT(1 1)'::geometry, 'infinity'::timestamptz);

-- trace_summary counts each of them as rejected, by reason, and goes on
SELECT (s).fixes, (s).rejected_empty, (s).rejected_nonfinite, (s).rejected_out_of_range,
	(s).rejected_bad_time
FROM (SELECT trace_summary(geom, ts) AS s FROM (VALUES
	('SRID=4326;POINT(1 1)'::geometry, '2024-01-01 00:00:00+00'::timestamptz),
	('SRID=4326;POINT EMPTY', '2024-01-01 00:00:01+00'),
	(ST_SetSRID(ST_MakePoint('NaN', 1), 4326), '2024-01-01 00:00:02+00'),
	(ST_SetSRID(ST_MakePoint(1, 'Infinity'), 4326), '2024-01-01 00:00:02+00'),
	('SRID=4326;POINT(181 1)', '2024-01-01 00:00:03+00'),
	('SRID=4326;POINT(1 -90.5)', '2024-01-01 00:00:03+00'),
	('SRID=4326;POINT(1 2)', '-infinity')) v(geom, ts)) x;

-- the wrong geometry type
SELECT trace_line('SRID=4326;LINESTRING(0 0, 1 1)'::geometry, now());
SELECT trace_summary('SRID=4326;POLYGON((0 0, 1 0, 1 1, 0 0))'::geometry, now());
SELECT * FROM trace_jumps('SRID=4326;POINT(1 1)'::geometry);
SELECT * FROM trace_jumps('SRID=4326;LINESTRING(0 0, 1 1)'::geometry);
SELECT * FROM trace_jumps('SRID=4326;MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)))'::geometry);
-- mixed SRIDs in one trace
SELECT trace_line(geom, ts) FROM (VALUES
	('SRID=4326;POINT(1 1)'::geometry, now()), ('SRID=3857;POINT(1 1)', now())) v(geom, ts);
-- SRID 0 (unknown)
SELECT trace_line('POINT(1 1)'::geometry, now());
SELECT * FROM trace_jumps('LINESTRING M (0 0 0, 1 1 1)'::geometry);
-- an SRID that is not in spatial_ref_sys, and one that is geocentric
SELECT trace_line('SRID=990001;POINT(1 1)'::geometry, now());
SELECT * FROM trace_jumps('SRID=4978;LINESTRING M (6378137 0 0, 6378137 10 1)'::geometry);
-- a non-finite M in a trace
SELECT * FROM trace_jumps(ST_SetSRID(ST_MakeLine(ST_MakePointM(0, 0, 0), ST_MakePointM(1, 1, 'NaN')), 32633));

-- limits and profiles
SELECT * FROM trace_jumps('SRID=32633;LINESTRING M (0 0 0, 1 1 1)'::geometry, 'teleport');
SELECT * FROM trace_jumps('SRID=32633;LINESTRING M (0 0 0, 1 1 1)'::geometry, max_speed_mps => -1);
SELECT * FROM trace_jumps('SRID=32633;LINESTRING M (0 0 0, 1 1 1)'::geometry, gap_s => 'NaN');
SELECT trace_summary(geom, ts, 'hovercraft') FROM (VALUES ('SRID=4326;POINT(1 1)'::geometry, now())) v(geom, ts);
-- profile names are case-insensitive
SELECT count(*) FROM trace_jumps('SRID=32633;LINESTRING M (0 0 0, 1 1 1)'::geometry, 'Walk');

-- corrupt serialized geometries never crash: an identity cast lets the test
-- hand raw bytes to the decoder
CREATE FUNCTION raw_geom(bytea, int) RETURNS geometry
	LANGUAGE internal IMMUTABLE STRICT AS 'bytea_substr_no_len';
-- a LINESTRING M header claiming 4294967295 points in 40 bytes
SELECT * FROM trace_jumps(raw_geom('\x0010e64202000000ffffffff000000000000000000000000000000000000000000000000'::bytea, 1));
-- a POINT with a truncated coordinate
SELECT trace_line(raw_geom('\x0010e6400100000001000000000000000000f03f00000000'::bytea, 1), now());
-- a header shorter than its fields
SELECT trace_line(raw_geom('\x0010'::bytea, 1), now());
-- a MULTIPOINT whose member is a LINESTRING
SELECT * FROM trace_jumps(raw_geom('\x0010e64204000000010000000200000001000000000000000000000000000000000000000000000000000000'::bytea, 1));
-- valid values in other layouts decode the same: PostGIS 2 (v1) format,
-- v2 with an extended-flags block, and v2 with a bounding box on 2 vertices
SELECT seq, distance_m, seconds FROM trace_segments(raw_geom('\x007f7902020000000200000000000000000000000000000000000000000000000000000000000000000008400000000000001040000000000000f03f'::bytea, 1));
SELECT seq, distance_m, seconds FROM trace_segments(raw_geom('\x007f79520000000000000000020000000200000000000000000000000000000000000000000000000000000000000000000008400000000000001040000000000000f03f'::bytea, 1));
SELECT seq, distance_m, seconds FROM trace_segments(raw_geom('\x007f794600000000000040400000000000008040000000000000803f020000000200000000000000000000000000000000000000000000000000000000000000000008400000000000001040000000000000f03f'::bytea, 1));
DROP FUNCTION raw_geom(bytea, int);

-- the profile of trace_summary must be the same for every row of a trace
SELECT trace_summary(geom, ts, p) FROM (VALUES
	('SRID=4326;POINT(1 1)'::geometry, '2024-01-01 00:00:00+00'::timestamptz, 'car'),
	('SRID=4326;POINT(1 1)', '2024-01-01 00:00:01+00', 'walk')) v(geom, ts, p);
