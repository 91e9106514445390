-- Loads every real trace file in ../shared/data/real into real_fixes
-- (source, trace_id, ts, geom SRID 4326).  Run with psql from the project
-- root (pg_regress and tests/demo.sh do); the files are read client-side.
CREATE TABLE real_fixes_raw (trace_id text, ts timestamptz, lon text, lat text, source text);
\copy real_fixes_raw (trace_id, ts, lon, lat) FROM PROGRAM 'gzip -dc ../shared/data/real/evergiven_ais_vesselsvalue.csv.gz' WITH (FORMAT csv, HEADER)
UPDATE real_fixes_raw SET source = 'evergiven_ais' WHERE source IS NULL;
\copy real_fixes_raw (trace_id, ts, lon, lat) FROM PROGRAM 'gzip -dc ../shared/data/real/fitparse_activities.csv.gz' WITH (FORMAT csv, HEADER)
UPDATE real_fixes_raw SET source = 'fitparse_sport' WHERE source IS NULL;
\copy real_fixes_raw (trace_id, ts, lon, lat) FROM PROGRAM 'gzip -dc ../shared/data/real/geolife_trackintel.csv.gz' WITH (FORMAT csv, HEADER)
UPDATE real_fixes_raw SET source = 'geolife' WHERE source IS NULL;
\copy real_fixes_raw (trace_id, ts, lon, lat) FROM PROGRAM 'gzip -dc ../shared/data/real/google_locationhistory_trackintel.csv.gz' WITH (FORMAT csv, HEADER)
UPDATE real_fixes_raw SET source = 'google_history' WHERE source IS NULL;
\copy real_fixes_raw (trace_id, ts, lon, lat) FROM PROGRAM 'gzip -dc ../shared/data/real/gpxpy_garmin_tracks.csv.gz' WITH (FORMAT csv, HEADER)
UPDATE real_fixes_raw SET source = 'garmin_gpx' WHERE source IS NULL;
\copy real_fixes_raw (trace_id, ts, lon, lat) FROM PROGRAM 'gzip -dc ../shared/data/real/liverpool_bus_bods.csv.gz' WITH (FORMAT csv, HEADER)
UPDATE real_fixes_raw SET source = 'liverpool_bus' WHERE source IS NULL;
\copy real_fixes_raw (trace_id, ts, lon, lat) FROM PROGRAM 'gzip -dc ../shared/data/real/movebank_fishers_move.csv.gz' WITH (FORMAT csv, HEADER)
UPDATE real_fixes_raw SET source = 'movebank_fisher' WHERE source IS NULL;
\copy real_fixes_raw (trace_id, ts, lon, lat) FROM PROGRAM 'gzip -dc ../shared/data/real/posmo_app_trackintel.csv.gz' WITH (FORMAT csv, HEADER)
UPDATE real_fixes_raw SET source = 'posmo_app' WHERE source IS NULL;

-- row_number keeps each trace's source order (rows stay in file order)
CREATE TABLE real_fixes AS
SELECT source, trace_id, ts,
	ST_SetSRID(ST_MakePoint(lon::float8, lat::float8), 4326) AS geom
FROM real_fixes_raw;
DROP TABLE real_fixes_raw;
ANALYZE real_fixes;
