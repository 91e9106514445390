
-- ---------------------------------------------------------------------------
-- Density fingerprints
--
-- A fingerprint is stored in the binary format of src/fingerprint.h; its
-- text form is one line (see fingerprint_out).  The aggregates read
-- spatial_ref_sys (STABLE); the timed ones also read the session's TimeZone
-- when no zone is given.  Functions of stored fingerprints are IMMUTABLE.
-- ---------------------------------------------------------------------------

CREATE TYPE fingerprint;
CREATE FUNCTION fingerprint_in(cstring) RETURNS fingerprint
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION fingerprint_out(fingerprint) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION fingerprint_recv(internal) RETURNS fingerprint
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION fingerprint_send(fingerprint) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE fingerprint (
	INPUT = fingerprint_in,
	OUTPUT = fingerprint_out,
	RECEIVE = fingerprint_recv,
	SEND = fingerprint_send,
	INTERNALLENGTH = VARIABLE,
	STORAGE = extended
);
COMMENT ON TYPE fingerprint IS
	'density fingerprint: points and distinct devices per cell of a global equal-area grid, per hour of the day';

CREATE FUNCTION density_fingerprint_transfn(internal, geometry, float8)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION density_fingerprint_transfn(internal, geometry, timestamptz, anyelement, float8)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION density_fingerprint_transfn(internal, geometry, timestamptz, anyelement, float8, text)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION density_fingerprint_combine(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION density_fingerprint_serial(internal)
RETURNS bytea AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION density_fingerprint_deserial(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION density_fingerprint_final(internal)
RETURNS fingerprint AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;

CREATE AGGREGATE density_fingerprint(geom geometry, cell_m float8) (
	SFUNC = density_fingerprint_transfn, STYPE = internal,
	FINALFUNC = density_fingerprint_final,
	COMBINEFUNC = density_fingerprint_combine,
	SERIALFUNC = density_fingerprint_serial, DESERIALFUNC = density_fingerprint_deserial,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE density_fingerprint(geometry, float8) IS
	'density fingerprint of points on a grid of cell_m metres';

CREATE AGGREGATE density_fingerprint(geom geometry, ts timestamptz, device anyelement, cell_m float8) (
	SFUNC = density_fingerprint_transfn, STYPE = internal,
	FINALFUNC = density_fingerprint_final,
	COMBINEFUNC = density_fingerprint_combine,
	SERIALFUNC = density_fingerprint_serial, DESERIALFUNC = density_fingerprint_deserial,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE density_fingerprint(geometry, timestamptz, anyelement, float8) IS
	'density fingerprint with distinct devices and hours of the day (session time zone)';

CREATE AGGREGATE density_fingerprint(geom geometry, ts timestamptz, device anyelement, cell_m float8, tz text) (
	SFUNC = density_fingerprint_transfn, STYPE = internal,
	FINALFUNC = density_fingerprint_final,
	COMBINEFUNC = density_fingerprint_combine,
	SERIALFUNC = density_fingerprint_serial, DESERIALFUNC = density_fingerprint_deserial,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE density_fingerprint(geometry, timestamptz, anyelement, float8, text) IS
	'density fingerprint with distinct devices and hours of the day in time zone tz';

CREATE TYPE fingerprint_summary AS (
	cell_m		float8,
	points		bigint,
	devices		bigint,
	cells		bigint,
	gini		float8,
	entropy		float8,
	top1_share	float8,
	top10_share	float8,
	zipf_slope	float8,
	core_cells	bigint,
	core_share	float8,
	top1_cells	int,
	top10_cells	int
);

CREATE FUNCTION fingerprint_summary(fp fingerprint) RETURNS fingerprint_summary
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION fingerprint_summary(fingerprint) IS
	'points, devices, cells, Gini, normalised entropy, top 1%/10% shares, Zipf slope and urban core of a fingerprint';

CREATE FUNCTION fingerprint_hours(fp fingerprint)
RETURNS TABLE (hour int, points bigint, devices bigint, core_point_share float8, core_device_share float8)
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 24;
COMMENT ON FUNCTION fingerprint_hours(fingerprint) IS
	'per hour of the day: points, distinct devices, and the urban core''s share of points and device presences';

CREATE FUNCTION fingerprint_similarity(a fingerprint, b fingerprint) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION fingerprint_similarity(fingerprint, fingerprint) IS
	'1 - Jensen-Shannon divergence (base 2) of the point distributions over cells: 1 identical, 0 disjoint';

CREATE FUNCTION fingerprint_add(a fingerprint, b fingerprint) RETURNS fingerprint
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION fingerprint_add(fingerprint, fingerprint) IS
	'cell-by-cell sum of two fingerprints of disjoint devices (e.g. two sets of traces): exact for points, and for devices when no device is in both';

CREATE FUNCTION fingerprint_subtract(a fingerprint, b fingerprint) RETURNS fingerprint
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION fingerprint_subtract(fingerprint, fingerprint) IS
	'a minus b, where b fingerprints some of a''s devices with all of their points (an error otherwise)';

CREATE FUNCTION fingerprint_diff(a fingerprint, b fingerprint)
RETURNS TABLE (cell_row int, cell_col int, cell geometry, points_a bigint, points_b bigint,
	devices_a bigint, devices_b bigint, share_a float8, share_b float8, share_diff float8)
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 1000;
COMMENT ON FUNCTION fingerprint_diff(fingerprint, fingerprint) IS
	'every cell of a or b with both counts and shares (share_diff = share_b - share_a)';

CREATE FUNCTION fingerprint_hour_diff(a fingerprint, b fingerprint)
RETURNS TABLE (hour int, share_a float8, share_b float8, core_share_a float8, core_share_b float8,
	profile_similarity float8)
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 24;
COMMENT ON FUNCTION fingerprint_hour_diff(fingerprint, fingerprint) IS
	'per hour: each fingerprint''s share of timed points and its core''s share, and the daily profiles'' similarity';

CREATE FUNCTION fingerprint_cells(fp fingerprint, min_devices int DEFAULT 5)
RETURNS TABLE (cell_row int, cell_col int, cell geometry, points bigint, devices bigint,
	suppressed_cells bigint)
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 1000;
COMMENT ON FUNCTION fingerprint_cells(fingerprint, int) IS
	'cells as polygons in the data''s SRID, hiding cells seen by fewer than min_devices devices (summed in a last row with NULL cell)';
