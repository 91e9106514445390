
-- ---------------------------------------------------------------------------
-- Dataset realism: does a whole set of traces look like real recordings?
-- Per-trace verdicts plus population evidence (cloned paths, the mix of
-- clocks and precisions, density concentration).  Two paths, one result:
-- dataset_realism(trace) over LINESTRING M traces, or
-- dataset_realism(trace_realism_item(geom, ts), fingerprint) over the items
-- of a GROUP BY of point rows and the fingerprint of the whole table.
-- ---------------------------------------------------------------------------

CREATE TYPE dataset_realism AS (
	score		float8,
	verdict		text,
	evidence	jsonb
);
COMMENT ON TYPE dataset_realism IS
	'realism of a dataset: score in [0, 1] (1 = looks recorded), verdict real/synthetic/mixed/inconclusive, and evidence';

-- the per-trace item: score, verdict, clock, precision, MinHash signature
CREATE FUNCTION trace_realism_item(trace geometry) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION trace_realism_item(geometry) IS
	'compact realism item of a LINESTRING M trace, for dataset_realism(item, fingerprint)';

CREATE FUNCTION trace_realism_item_final(internal)
RETURNS bytea AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;

-- the same state as trace_summary(geom, ts) and trace_realism(geom, ts)
CREATE AGGREGATE trace_realism_item(geometry, timestamptz) (
	SFUNC = trace_summary_transfn,
	STYPE = internal,
	FINALFUNC = trace_realism_item_final,
	COMBINEFUNC = trace_state_combine,
	SERIALFUNC = trace_state_serial,
	DESERIALFUNC = trace_state_deserial,
	SSPACE = 4096,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE trace_realism_item(geometry, timestamptz) IS
	'compact realism item of one trace from point rows, for dataset_realism(item, fingerprint)';

-- with a jump profile (unused), to share the state of
-- trace_summary(geom, ts, profile) and trace_realism(geom, ts, profile)
CREATE AGGREGATE trace_realism_item(geometry, timestamptz, text) (
	SFUNC = trace_summary_transfn,
	STYPE = internal,
	FINALFUNC = trace_realism_item_final,
	COMBINEFUNC = trace_state_combine,
	SERIALFUNC = trace_state_serial,
	DESERIALFUNC = trace_state_deserial,
	SSPACE = 4096,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE trace_realism_item(geometry, timestamptz, text) IS
	'compact realism item of one trace from point rows; the third argument (a jump profile) lets it share its state with trace_summary(geom, ts, profile)';

CREATE FUNCTION dataset_realism_trace_transfn(internal, geometry)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION dataset_realism_trace_transfn(internal, geometry, float8)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION dataset_realism_item_transfn(internal, bytea, fingerprint)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION dataset_realism_combine(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION dataset_realism_serial(internal)
RETURNS bytea AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION dataset_realism_deserial(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION dataset_realism_final(internal)
RETURNS dataset_realism AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE dataset_realism(trace geometry) (
	SFUNC = dataset_realism_trace_transfn, STYPE = internal,
	FINALFUNC = dataset_realism_final,
	COMBINEFUNC = dataset_realism_combine,
	SERIALFUNC = dataset_realism_serial, DESERIALFUNC = dataset_realism_deserial,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE dataset_realism(geometry) IS
	'realism verdict of a dataset of LINESTRING M traces (one per row), density on 1 km cells';

CREATE AGGREGATE dataset_realism(trace geometry, cell_m float8) (
	SFUNC = dataset_realism_trace_transfn, STYPE = internal,
	FINALFUNC = dataset_realism_final,
	COMBINEFUNC = dataset_realism_combine,
	SERIALFUNC = dataset_realism_serial, DESERIALFUNC = dataset_realism_deserial,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE dataset_realism(geometry, float8) IS
	'realism verdict of a dataset of LINESTRING M traces (one per row), density on cells of cell_m metres';

CREATE AGGREGATE dataset_realism(item bytea, fp fingerprint) (
	SFUNC = dataset_realism_item_transfn, STYPE = internal,
	FINALFUNC = dataset_realism_final,
	COMBINEFUNC = dataset_realism_combine,
	SERIALFUNC = dataset_realism_serial, DESERIALFUNC = dataset_realism_deserial,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE dataset_realism(bytea, fingerprint) IS
	'realism verdict of a dataset from trace_realism_item values and the dataset''s density fingerprint (the same for every row, or NULL)';
