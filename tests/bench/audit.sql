-- A whole-table audit against the queries it is made of, run alone, in one
-- run: trace_audit of the benchmark table should take at most 2x the sum of
-- the jump, realism and fingerprint queries.
\pset footer off
\ir timing.sql

\o /dev/null
SELECT pg_temp.bench('jumps: trace_summary', $q$
	SELECT sum((s).implausible) FROM (SELECT trace_id, trace_summary(geom, ts) AS s FROM bench_fixes GROUP BY trace_id) r $q$, :runs);
SELECT pg_temp.bench('realism: trace_realism', $q$
	SELECT count(*) FILTER (WHERE (r).verdict = 'real') FROM (SELECT trace_id, trace_realism(geom, ts) AS r FROM bench_fixes GROUP BY trace_id) x $q$, :runs);
SELECT pg_temp.bench('fingerprint: density_fingerprint', $q$
	SELECT fingerprint_summary(density_fingerprint(geom, ts, trace_id, 1000, 'UTC')) FROM bench_fixes $q$, :runs);
SET client_min_messages = warning;
SELECT pg_temp.bench('trace_audit', $q$
	SELECT trace_audit('bench_fixes', 'trace_id', 'ts', 'geom') $q$, :runs);

-- incremental re-runs after 1% new fixes (a day more of 1% of the traces),
-- each rolled back so that every run sees the same new rows
CREATE OR REPLACE FUNCTION pg_temp.bench_rolled_back(name text, q text, runs int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz; ms float8; r int;
BEGIN
	FOR r IN 1 .. runs LOOP
		BEGIN
			t0 := clock_timestamp();
			EXECUTE q;
			ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
			RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'roll back';
		EXCEPTION WHEN raise_exception THEN
			INSERT INTO bench_time VALUES (name, r, ms);
		END;
	END LOOP;
END $$;
SELECT trace_audit('bench_fixes', 'trace_id', 'ts', 'geom');
INSERT INTO bench_fixes
SELECT trace_id, ts + interval '1 day', geom FROM bench_fixes
WHERE trace_id <= (SELECT max(trace_id) FROM bench_fixes) / 100;
ANALYZE bench_fixes;
SELECT pg_temp.bench_rolled_back('trace_audit incremental (verify)', $q$
	SELECT trace_audit('bench_fixes', 'trace_id', 'ts', 'geom', '{"incremental": true}') $q$, :runs);
SELECT pg_temp.bench_rolled_back('trace_audit incremental (no verify)', $q$
	SELECT trace_audit('bench_fixes', 'trace_id', 'ts', 'geom', '{"incremental": true, "verify": false}') $q$, :runs);
DELETE FROM bench_fixes WHERE ts >= '2024-05-02 06:00+00';
VACUUM ANALYZE bench_fixes;
RESET client_min_messages;
\o

WITH best AS (SELECT name, min(ms) AS ms FROM bench_time GROUP BY name),
parts AS (SELECT sum(ms) AS ms FROM best WHERE name NOT LIKE 'trace_audit%')
SELECT name, round(ms) AS best_ms,
	round((ms / (SELECT ms FROM parts))::numeric, 2) AS x_sum_of_parts,
	round((ms / (SELECT ms FROM best WHERE name = 'trace_audit'))::numeric, 2) AS x_full_audit
FROM best ORDER BY ms;
-- the audits measured leave their results: remove them
DELETE FROM traceaudit_results.audit_run WHERE table_name LIKE '%bench_fixes%';
