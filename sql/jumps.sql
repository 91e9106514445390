-- trace_jumps on traces with known answers.
SET extra_float_digits = 0;

-- A car driving east at 20 m/s, a fix every 5 s, in UTM metres (SRID 32633),
-- with faults injected: a 30 km single-fix spike at fix 30, a permanent
-- 50 km shift from fix 60 on, a second fix 40 m away at the same time as
-- fix 80, and a 600 s silence after fix 90.
CREATE TABLE car AS
SELECT i, ts, ST_SetSRID(ST_MakePoint(x, 5000000), 32633) AS geom FROM (
	SELECT i,
		'2024-03-01 12:00:00+00'::timestamptz + make_interval(secs => i * 5 + CASE WHEN i > 90 THEN 600 ELSE 0 END) AS ts,
		500000 + i * 100
			+ CASE WHEN i = 30 THEN 30000 ELSE 0 END
			+ CASE WHEN i >= 60 THEN 50000 ELSE 0 END
			+ CASE WHEN i > 90 THEN 12000 ELSE 0 END AS x
	FROM generate_series(1, 120) i) s
UNION ALL
SELECT 1000, '2024-03-01 12:00:00+00'::timestamptz + make_interval(secs => 80 * 5),
	ST_SetSRID(ST_MakePoint(500000 + 80 * 100 + 50000, 5000040), 32633);

SELECT seq, reason, to_char(t_from AT TIME ZONE 'UTC', 'HH24:MI:SS') AS t_from,
	to_char(t_to AT TIME ZONE 'UTC', 'HH24:MI:SS') AS t_to, ST_NPoints(segment) AS npts,
	round(distance_m) AS distance_m, round(seconds::numeric, 1) AS seconds,
	round(speed_mps::numeric, 1) AS speed_mps, limit_value
FROM trace_jumps((SELECT trace_line(geom, ts) FROM car));

SELECT detail FROM trace_jumps((SELECT trace_line(geom, ts) FROM car)) ORDER BY seq;

-- the same trace summarised from the point rows
SELECT fixes, implausible, speed, acceleration, spike, duplicate_time, time_backwards, gap,
	round(max_speed_mps::numeric, 1) AS max_speed, duration_s, round(length_m) AS length_m
FROM trace_summary((SELECT trace_line(geom, ts) FROM car));
SELECT (s).fixes, (s).implausible, (s).spike, (s).speed, (s).gap
FROM (SELECT trace_summary(geom, ts) AS s FROM car) x;

-- the segment of a finding is a LINESTRING M in the trace's SRID
SELECT reason, ST_AsEWKT(segment) FROM trace_jumps((SELECT trace_line(geom, ts) FROM car)) WHERE reason = 'spike';

-- Limits: a named profile changes them; explicit limits override it
SELECT count(*) FILTER (WHERE reason = 'speed') AS speed_findings
FROM trace_jumps((SELECT trace_line(geom, ts) FROM car WHERE i < 25), 'walk');
SELECT count(*) AS findings
FROM trace_jumps((SELECT trace_line(geom, ts) FROM car WHERE i < 25), 'walk', max_speed_mps => 25);
SELECT count(*) FILTER (WHERE reason = 'gap') AS gaps
FROM trace_jumps((SELECT trace_line(geom, ts) FROM car), gap_s => 1000);

-- Positional noise is not a jump: a walker standing still, fixes every
-- second scattered 10 m around one place (lon/lat)
CREATE TABLE standing AS
SELECT '2024-03-01 08:00:00+00'::timestamptz + make_interval(secs => i) AS ts,
	ST_SetSRID(ST_MakePoint(13.4 + 10 * cos(i * 2.4) / 75500.0,
							52.5 + 10 * sin(i * 2.4) / 111300.0), 4326) AS geom
FROM generate_series(1, 600) i;
SELECT count(*) AS findings FROM trace_jumps((SELECT trace_line(geom, ts) FROM standing), 'walk');
-- without the noise allowance the same scatter is 20 m/s of "speed"
SELECT count(*) > 100 AS flagged_without_allowance
FROM trace_jumps((SELECT trace_line(geom, ts) FROM standing), 'walk', noise_m => 0);

-- Acceleration: plausible speeds (0 then 60 m/s) reached in 2 s
SELECT seq, reason, round(accel_mps2::numeric, 1) AS accel_mps2, limit_value
FROM trace_jumps(ST_SetSRID(ST_MakeLine(ARRAY(
	SELECT ST_MakePointM(CASE WHEN i <= 5 THEN 0 ELSE (i - 5) * 120 END, 0, i * 2)
	FROM generate_series(0, 10) i)), 32633));

-- Time going backwards and duplicate times are read from the line as given
SELECT seq, reason, seconds, round(distance_m) AS distance_m
FROM trace_jumps('SRID=32633;LINESTRING M (0 0 0, 10 0 10, 20 0 5, 30 0 15, 40 0 15, 40 0 15, 50 0 20)'::geometry);

-- MULTIPOINT M traces are read too
SELECT seq, reason FROM trace_jumps('SRID=32633;MULTIPOINT M (0 0 0, 100000 0 1, 20 0 2)'::geometry);

-- trace_segments: metres, seconds and speed per pair of fixes
SELECT seq, round(distance_m::numeric, 3) AS distance_m, seconds, round(speed_mps::numeric, 3) AS speed_mps
FROM trace_segments('SRID=32633;LINESTRING M (0 0 0, 3 4 1, 3 4 1, 3 10 4)'::geometry);
-- US survey feet are converted to metres (SRID 2263, NAD83 / New York Long Island (ftUS))
SELECT round(distance_m::numeric, 6) AS distance_m
FROM trace_segments('SRID=2263;LINESTRING M (0 0 0, 3937 0 1)'::geometry);

-- a NULL trace has no findings; defaults may be passed as NULL
SELECT count(*) FROM trace_jumps(NULL);
SELECT count(*) FROM trace_jumps((SELECT trace_line(geom, ts) FROM car), NULL, NULL, NULL, NULL, NULL);
