
-- ---------------------------------------------------------------------------
-- Mobility profiles: compare how a dataset moves with a reference, feature
-- by feature (jump lengths, radius of gyration, stays, places per day,
-- visit ranks), as generator-evaluation research does (MoveSim, KDD 2020).
-- ---------------------------------------------------------------------------

CREATE FUNCTION histogram_jsd(a float8[], b float8[]) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION histogram_jsd(float8[], float8[]) IS
	'Jensen-Shannon divergence (base 2) of two histograms with the same bins: 0 same shape, 1 disjoint';

CREATE FUNCTION mobility_profile_transfn(internal, geometry)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION mobility_profile_combine(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mobility_profile_serial(internal)
RETURNS bytea AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mobility_profile_deserial(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mobility_profile_final(internal)
RETURNS jsonb AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE mobility_profile(trace geometry) (
	SFUNC = mobility_profile_transfn, STYPE = internal,
	FINALFUNC = mobility_profile_final,
	COMBINEFUNC = mobility_profile_combine,
	SERIALFUNC = mobility_profile_serial, DESERIALFUNC = mobility_profile_deserial,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE mobility_profile(geometry) IS
	'mobility profile of a set of LINESTRING M traces: histograms of jump lengths, radius of gyration, stay durations, places per day and visit ranks (jsonb)';

CREATE FUNCTION mobility_divergence(a jsonb, b jsonb)
RETURNS TABLE (histogram text, jsd float8)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path FROM CURRENT
AS $$
	SELECT h, histogram_jsd(
		ARRAY(SELECT jsonb_array_elements_text(a->'histograms'->h->'counts')::float8),
		ARRAY(SELECT jsonb_array_elements_text(b->'histograms'->h->'counts')::float8))
	FROM jsonb_object_keys(a->'histograms') h
	ORDER BY h
$$;
COMMENT ON FUNCTION mobility_divergence(jsonb, jsonb) IS
	'per histogram of two mobility profiles, their Jensen-Shannon divergence (0 moves alike, 1 nothing in common)';
