
-- ---------------------------------------------------------------------------
-- Realism score: does a trace look like real recorded movement?
-- ---------------------------------------------------------------------------

CREATE TYPE trace_realism AS (
	score		float8,
	verdict		text,
	evidence	jsonb
);
COMMENT ON TYPE trace_realism IS
	'realism of a trace: score in [0, 1] (1 = looks recorded), verdict real/synthetic/inconclusive, and per-feature evidence';

CREATE FUNCTION trace_realism(trace geometry) RETURNS trace_realism
	AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION trace_realism(geometry) IS
	'realism of a LINESTRING M trace: score, verdict and evidence (clock, noise at rest, geometry, kinematics, coordinate precision)';

CREATE FUNCTION trace_realism_final(internal)
RETURNS trace_realism AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;

CREATE AGGREGATE trace_realism(geometry, timestamptz) (
	SFUNC = trace_summary_transfn,
	STYPE = internal,
	FINALFUNC = trace_realism_final,
	COMBINEFUNC = trace_state_combine,
	SERIALFUNC = trace_state_serial,
	DESERIALFUNC = trace_state_deserial,
	SSPACE = 4096,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE trace_realism(geometry, timestamptz) IS
	'realism of one trace from point rows (NULL and bad rows are left out)';

-- the same with the jump profile as a third argument, which realism does not
-- use: trace_summary(geom, ts, profile) and trace_realism(geom, ts, profile)
-- in one query then share one transition state, so each trace's fixes are
-- collected and sorted once (trace_audit relies on it)
CREATE AGGREGATE trace_realism(geometry, timestamptz, text) (
	SFUNC = trace_summary_transfn,
	STYPE = internal,
	FINALFUNC = trace_realism_final,
	COMBINEFUNC = trace_state_combine,
	SERIALFUNC = trace_state_serial,
	DESERIALFUNC = trace_state_deserial,
	SSPACE = 4096,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE trace_realism(geometry, timestamptz, text) IS
	'realism of one trace from point rows; the third argument (a jump profile) lets it share its state with trace_summary(geom, ts, profile)';
