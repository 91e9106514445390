-- Every real trace in ../shared/data/real: trace_line against PostGIS's
-- ST_MakeLine, distances against ST_DistanceSphere and geography
-- ST_Distance, findings on the untouched traces, and injected teleports.
SET extra_float_digits = 0;
\set QUIET on
\i tests/sql/load_real.sql
\set QUIET off

SELECT source, count(*) AS fixes, count(DISTINCT trace_id) AS traces
FROM real_fixes GROUP BY source ORDER BY source;

-- trace_line is byte-identical to ST_MakeLine(ST_MakePointM ORDER BY time, x, y)
CREATE TABLE real_lines AS
SELECT source, trace_id, trace_line(geom, ts) AS line,
	ST_SetSRID(ST_MakeLine(ST_MakePointM(ST_X(geom), ST_Y(geom), extract(epoch FROM ts)::float8)
						   ORDER BY ts, ST_X(geom), ST_Y(geom)), 4326) AS postgis_line
FROM real_fixes GROUP BY source, trace_id;
SELECT count(*) AS traces, count(*) FILTER (WHERE line::bytea = postgis_line::bytea) AS identical,
	sum(ST_NPoints(line)) AS points
FROM real_lines;

-- Fixes in trace order, each with the next one
CREATE TABLE real_ranked AS
SELECT f.source, f.trace_id, f.ts, f.geom,
	row_number() OVER w AS k, count(*) OVER (PARTITION BY f.source, f.trace_id) AS n,
	lead(f.ts) OVER w AS next_ts, lead(f.geom) OVER w AS next_geom
FROM real_fixes f
WINDOW w AS (PARTITION BY f.source, f.trace_id ORDER BY f.ts, ST_X(f.geom), ST_Y(f.geom));
CREATE INDEX ON real_ranked (source, trace_id, k);

-- Distances of every consecutive pair of fixes (239,238 segments) against
-- geography ST_Distance on the WGS 84 spheroid, and ST_DistanceSphere
CREATE TABLE real_segments AS
SELECT l.source, l.trace_id, s.* FROM real_lines l, trace_segments(l.line) s;
ALTER TABLE real_segments ADD spheroid_m float8, ADD sphere_m float8, ADD postgis_seconds float8;
UPDATE real_segments s SET
	spheroid_m = ST_Distance(r.geom::geography, r.next_geom::geography),
	sphere_m = ST_DistanceSphere(r.geom, r.next_geom),
	postgis_seconds = extract(epoch FROM r.next_ts - r.ts)::float8
FROM real_ranked r WHERE r.source = s.source AND r.trace_id = s.trace_id AND r.k = s.seq;
-- PostGIS rounds geography distances to 1e-8 m, hence an absolute bound;
-- the sphere is off by up to 0.56% (ellipsoid flattening)
SELECT count(*) AS segments,
	max(abs(distance_m - spheroid_m)) < 0.001 AS within_1mm_of_spheroid,
	max(abs(distance_m - sphere_m) / nullif(sphere_m, 0)) < 0.0056 AS within_sphere_error,
	max(abs(distance_m - sphere_m) / nullif(sphere_m, 0)) > 0.001 AS differs_from_sphere,
	bool_and(abs(seconds - postgis_seconds) < 1e-6) AS same_seconds,
	max(abs(speed_mps * seconds - spheroid_m)) FILTER (WHERE seconds > 0) < 0.001 AS same_speed
FROM real_segments;

-- Profiles per source: what moved.  Garmin's Visnjan track is a car.
CREATE TABLE real_profile (source text PRIMARY KEY, profile text);
INSERT INTO real_profile VALUES ('evergiven_ais', 'vessel'), ('fitparse_sport', 'bike'),
	('garmin_gpx', 'walk'), ('geolife', 'car'), ('google_history', 'car'),
	('liverpool_bus', 'car'), ('movebank_fisher', 'walk'), ('posmo_app', 'car');
CREATE FUNCTION real_profile_of(src text, trace text) RETURNS text LANGUAGE sql STABLE AS
$$ SELECT CASE WHEN trace LIKE 'around-visnjan-with-car%' THEN 'car' ELSE profile END
   FROM real_profile WHERE source = src $$;

-- Findings on the untouched real traces.  Explanations, from SOURCES.md and
-- from reading each finding:
--  * duplicate_time: AIS timestamps are whole minutes, so a moving ship has
--    two positions in one minute; the FIT multisport file repeats
--    timestamps; GeoLife logs repeat a second.
--  * speed/spike/acceleration in GeoLife: real GPS jumps of 150-1500 m in
--    1-10 s (50-270 m/s), and user 010's 2007-08-05 trace travels at
--    75-95 m/s for an hour (a flight or its approach), beyond the car profile.
--  * Posmo: the source calls this trace noisy (199 km of path for 67 km).
--  * Garmin cerknicko trk4: a 184 m jump in 2 s and one 11.5 m/s step on foot.
--  * the fisher Ricky T: one 284 m step in 29 s (9.8 m/s) for an animal.
CREATE TABLE real_summary AS
SELECT source, trace_id, trace_summary(geom, ts, real_profile_of(source, trace_id)) AS s
FROM real_fixes GROUP BY source, trace_id;
SELECT source, count(*) AS traces, sum((s).fixes) AS fixes, sum((s).speed) AS speed,
	sum((s).spike) AS spike, sum((s).acceleration) AS accel,
	sum((s).duplicate_time) AS dup_time, sum((s).time_backwards) AS backwards,
	sum((s).gap) AS gaps, sum((s).exact_duplicates) AS exact_dups
FROM real_summary GROUP BY ROLLUP (source) ORDER BY source;

-- the set-returning function finds the same counts as the summary
SELECT count(*) AS findings,
	count(*) = (SELECT sum((s).implausible + (s).gap) FROM real_summary) AS same_as_summary
FROM real_lines l, trace_jumps(l.line, real_profile_of(l.source, l.trace_id)) j;

-- Injected faults.  In every trace of 10 or more fixes, two places where the
-- trace is plausible (dt in (0, 600] s, speed under half the profile's limit,
-- neighbours plausible too) get:
--  * a single-fix spike: a fix 50 km north, inserted min(1 s, dt/2) after fix p;
--  * a teleport: every fix after fix q moved 0.5 degrees (about 55 km) north.
CREATE TABLE real_ok_segments AS
SELECT * FROM (
	SELECT s.source, s.trace_id, s.seq AS k,
		bool_and(ok) OVER (PARTITION BY s.source, s.trace_id ORDER BY s.seq ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS ok3,
		count(*) OVER (PARTITION BY s.source, s.trace_id) + 1 AS n
	FROM (SELECT s.*, s.seconds BETWEEN 0.001 AND 600 AND s.speed_mps * 2 < CASE real_profile_of(s.source, s.trace_id)
			WHEN 'walk' THEN 7 WHEN 'bike' THEN 25 WHEN 'car' THEN 70 WHEN 'vessel' THEN 25 END AS ok
		  FROM real_segments s) s) w
WHERE ok3 AND n >= 10 AND k > 1 AND k < n - 1;

CREATE TABLE real_inject AS
SELECT source, trace_id,
	(SELECT min(k) FROM real_ok_segments o WHERE o.source = t.source AND o.trace_id = t.trace_id AND o.k >= t.n / 4) AS q,
	(SELECT min(k) FROM real_ok_segments o WHERE o.source = t.source AND o.trace_id = t.trace_id AND o.k >= 3 * t.n / 4) AS p
FROM (SELECT DISTINCT source, trace_id, n FROM real_ok_segments) t;
DELETE FROM real_inject WHERE p IS NULL OR q IS NULL OR p <= q + 2;

CREATE TABLE real_injected AS
SELECT r.source, r.trace_id, r.ts,
	CASE WHEN r.k > i.q THEN ST_Translate(r.geom, 0, 0.5) ELSE r.geom END AS geom
FROM real_ranked r JOIN real_inject i USING (source, trace_id)
UNION ALL
SELECT r.source, r.trace_id,
	r.ts + least(interval '1 second', (r.next_ts - r.ts) / 2),
	ST_Project(ST_Translate(r.geom, 0, 0.5)::geography, 50000, 0)::geometry
FROM real_ranked r JOIN real_inject i USING (source, trace_id) WHERE r.k = i.p;

CREATE TABLE real_injected_findings AS
SELECT l.source, l.trace_id, j.*
FROM (SELECT source, trace_id, trace_line(geom, ts) AS line FROM real_injected GROUP BY 1, 2) l,
	trace_jumps(l.line, real_profile_of(l.source, l.trace_id)) j;

-- every injected fault is found, on the right fix, with the right reason
SELECT count(*) AS traces_injected,
	count(*) FILTER (WHERE EXISTS (SELECT 1 FROM real_injected_findings f JOIN real_ranked r
		ON r.source = f.source AND r.trace_id = f.trace_id AND r.k = i.p
		WHERE f.source = i.source AND f.trace_id = i.trace_id AND f.reason = 'spike'
		  AND f.t_from = r.ts AND f.t_to = r.next_ts AND f.distance_m > 45000)) AS spikes_found,
	count(*) FILTER (WHERE EXISTS (SELECT 1 FROM real_injected_findings f JOIN real_ranked r
		ON r.source = f.source AND r.trace_id = f.trace_id AND r.k = i.q
		WHERE f.source = i.source AND f.trace_id = i.trace_id AND f.reason = 'speed'
		  AND f.t_from = r.ts AND f.t_to = r.next_ts)) AS teleports_found
FROM real_inject i;

-- and the spike is one finding, not two speeds: nothing else changed except
-- findings whose segment touches an injected place
SELECT count(*) AS findings_away_from_injections_that_changed FROM (
	(SELECT source, trace_id, reason, t_from, t_to FROM real_injected_findings
	 EXCEPT
	 SELECT l.source, l.trace_id, j.reason, j.t_from, j.t_to
	 FROM real_lines l JOIN real_inject USING (source, trace_id),
		trace_jumps(l.line, real_profile_of(l.source, l.trace_id)) j)) d
WHERE NOT EXISTS (SELECT 1 FROM real_inject i JOIN real_ranked r USING (source, trace_id)
	WHERE i.source = d.source AND i.trace_id = d.trace_id AND r.k IN (i.p, i.q) AND r.ts = d.t_from);
