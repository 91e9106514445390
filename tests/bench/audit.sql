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
RESET client_min_messages;
\o

WITH best AS (SELECT name, min(ms) AS ms FROM bench_time GROUP BY name),
parts AS (SELECT sum(ms) AS ms FROM best WHERE name <> 'trace_audit')
SELECT name, round(ms) AS best_ms,
	round((ms / (SELECT ms FROM parts))::numeric, 2) AS x_sum_of_parts
FROM best ORDER BY ms;
-- the audits measured leave their results: remove them
DELETE FROM traceaudit_results.audit_run WHERE table_name LIKE '%bench_fixes%';
