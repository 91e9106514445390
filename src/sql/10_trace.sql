
-- ---------------------------------------------------------------------------
-- Traces and implausible jumps
--
-- Volatility: every function here that judges coordinates reads
-- spatial_ref_sys (is the SRID lon/lat? in which unit?), so it is STABLE,
-- not IMMUTABLE.  NULL limits mean "the profile's default", so the
-- functions taking limits are not STRICT.
-- ---------------------------------------------------------------------------

CREATE TYPE trace_jump_summary AS (
	fixes					bigint,
	skipped_null_geom		bigint,
	skipped_null_time		bigint,
	rejected_empty			bigint,
	rejected_nonfinite		bigint,
	rejected_out_of_range	bigint,
	rejected_bad_time		bigint,
	implausible				int,
	speed					int,
	acceleration			int,
	spike					int,
	duplicate_time			int,
	time_backwards			int,
	gap						int,
	exact_duplicates		int,
	max_speed_mps			float8,
	duration_s				float8,
	length_m				float8,
	t_start					timestamptz,
	t_end					timestamptz
);
COMMENT ON TYPE trace_jump_summary IS
	'per-trace jump summary: fixes used, rows skipped (NULL) and rejected (by reason), findings per reason, max plausible speed, duration, length';

-- aggregate support (internal state: an array of fixes, merged by concatenation)
CREATE FUNCTION trace_line_transfn(internal, geometry, timestamptz)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION trace_summary_transfn(internal, geometry, timestamptz)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION trace_summary_transfn(internal, geometry, timestamptz, text)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION trace_state_combine(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION trace_state_serial(internal)
RETURNS bytea AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION trace_state_deserial(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION trace_line_final(internal)
RETURNS geometry AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION trace_summary_final(internal)
RETURNS trace_jump_summary AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;

-- The final functions sort the collected fixes in place; the state keeps
-- its meaning (a multiset of fixes), so READ_ONLY is truthful.
--
-- SSPACE, the planner's guess of a state's size: a trace's fixes take 24
-- bytes each, split between the processes of a parallel scan, so 4 kB is a
-- partial state of about 170 fixes.  Without it PostgreSQL guesses 8 kB for
-- any internal state: a parallel GROUP BY over 20,000 traces is then priced
-- as spilling to disk, which also makes JIT compile it with inlining and
-- optimisation, and its partial states are sorted on disk.  On 10 M fixes
-- in 20,000 traces trace_summary took 1,086-1,428 ms with 4096 against
-- 1,311-1,681 ms without (JIT on, the default; 12 runs each, alternating).
-- Either plan gives the same answers, and spills if memory runs out.
CREATE AGGREGATE trace_line(geometry, timestamptz) (
	SFUNC = trace_line_transfn,
	STYPE = internal,
	FINALFUNC = trace_line_final,
	COMBINEFUNC = trace_state_combine,
	SERIALFUNC = trace_state_serial,
	DESERIALFUNC = trace_state_deserial,
	SSPACE = 4096,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE trace_line(geometry, timestamptz) IS
	'the fixes of one trace as a LINESTRING M ordered by time (M = epoch seconds), lossless, SRID kept; no ORDER BY needed';

CREATE AGGREGATE trace_summary(geometry, timestamptz) (
	SFUNC = trace_summary_transfn,
	STYPE = internal,
	FINALFUNC = trace_summary_final,
	COMBINEFUNC = trace_state_combine,
	SERIALFUNC = trace_state_serial,
	DESERIALFUNC = trace_state_deserial,
	SSPACE = 4096,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE trace_summary(geometry, timestamptz) IS
	'per-trace jump summary over point rows (car profile), counting NULL and rejected rows';

CREATE AGGREGATE trace_summary(geometry, timestamptz, text) (
	SFUNC = trace_summary_transfn,
	STYPE = internal,
	FINALFUNC = trace_summary_final,
	COMBINEFUNC = trace_state_combine,
	SERIALFUNC = trace_state_serial,
	DESERIALFUNC = trace_state_deserial,
	SSPACE = 4096,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE trace_summary(geometry, timestamptz, text) IS
	'per-trace jump summary over point rows with a named profile (walk, bike, car, rail, air, vessel)';

CREATE FUNCTION trace_jumps(
	trace geometry,
	profile text DEFAULT 'car',
	max_speed_mps float8 DEFAULT NULL,
	max_accel_mps2 float8 DEFAULT NULL,
	noise_m float8 DEFAULT NULL,
	gap_s float8 DEFAULT NULL)
RETURNS TABLE (
	seq int,
	reason text,
	t_from timestamptz,
	t_to timestamptz,
	segment geometry,
	distance_m float8,
	seconds float8,
	speed_mps float8,
	accel_mps2 float8,
	limit_value float8,
	detail text)
AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE ROWS 10;
COMMENT ON FUNCTION trace_jumps(geometry, text, float8, float8, float8, float8) IS
	'implausible jumps in a LINESTRING M trace: speed, acceleration, spike, duplicate_time, time_backwards, gap; one row per finding with its evidence';

CREATE FUNCTION trace_summary(
	trace geometry,
	profile text DEFAULT 'car',
	max_speed_mps float8 DEFAULT NULL,
	max_accel_mps2 float8 DEFAULT NULL,
	noise_m float8 DEFAULT NULL,
	gap_s float8 DEFAULT NULL)
RETURNS trace_jump_summary
AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION trace_summary(geometry, text, float8, float8, float8, float8) IS
	'per-trace jump summary of a LINESTRING M trace';

CREATE FUNCTION trace_segments(trace geometry)
RETURNS TABLE (
	seq int,
	t_from timestamptz,
	t_to timestamptz,
	distance_m float8,
	seconds float8,
	speed_mps float8)
AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE ROWS 100;
COMMENT ON FUNCTION trace_segments(geometry) IS
	'consecutive fixes of a LINESTRING M trace: length in metres (geodesic for lon/lat), seconds and speed';
