-- Jump detection over the benchmark table, side by side in one run:
-- the scan floor, the GROUP BY floor (grouping alone, no per-trace work), the LAG + ST_DistanceSphere query users write today, and
-- traceaudit's trace_summary, and trace_realism per trace (issue 4 asks it
-- to stay within 3x of the jump detection), each the best of :runs rounds.
\pset footer off
\ir timing.sql

\o /dev/null
-- in rounds; the LAG query (10 s, sorting to disk) last in each, so the
-- queries compared with the scan floor never run right after it
SELECT pg_temp.bench_rounds(ARRAY['count(*)', 'sum(ST_X(geom))', 'traceaudit trace_summary',
		'count(*) GROUP BY trace_id', 'traceaudit trace_realism', 'LAG + ST_DistanceSphere'],
	ARRAY['SELECT count(*) FROM bench_fixes',
		'SELECT sum(ST_X(geom)) FROM bench_fixes',
		$q$ SELECT sum((s).implausible), max((s).max_speed_mps) FROM (
			SELECT trace_id, trace_summary(geom, ts) AS s FROM bench_fixes GROUP BY trace_id) r $q$,
		$q$ SELECT sum(n) FROM (SELECT trace_id, count(*) AS n FROM bench_fixes GROUP BY trace_id) r $q$,
		$q$ SELECT count(*) FILTER (WHERE (r).verdict = 'real') FROM (
			SELECT trace_id, trace_realism(geom, ts) AS r FROM bench_fixes GROUP BY trace_id) x $q$,
		$q$ SELECT sum(jumps), max(max_speed) FROM (
			SELECT trace_id, count(*) FILTER (WHERE speed > 70) AS jumps, max(speed) AS max_speed
			FROM (SELECT trace_id,
					ST_DistanceSphere(geom, lag(geom) OVER w)
						/ nullif(extract(epoch FROM ts - lag(ts) OVER w), 0) AS speed
				  FROM bench_fixes WINDOW w AS (PARTITION BY trace_id ORDER BY ts)) s
			GROUP BY trace_id) r $q$], :runs);
\o
-- the answers agree on what matters: every trace with an injected teleport
SELECT count(*) FILTER (WHERE (s).implausible > 0) AS traces_flagged,
	count(*) FILTER (WHERE trace_id % 50 = 0 AND (s).speed + (s).spike > 0) AS teleports_found,
	count(*) FILTER (WHERE trace_id % 50 = 0) AS teleports_injected
FROM (SELECT trace_id, trace_summary(geom, ts) AS s FROM bench_fixes GROUP BY trace_id) r;

WITH best AS (SELECT name, min(ms) AS ms FROM bench_time GROUP BY name)
SELECT name, round(ms) AS best_ms,
	round((ms / (SELECT ms FROM best WHERE name = 'count(*)'))::numeric, 2) AS x_count,
	round((ms / (SELECT ms FROM best WHERE name = 'sum(ST_X(geom))'))::numeric, 2) AS x_sum_st_x,
	round(((SELECT ms FROM best WHERE name = 'LAG + ST_DistanceSphere') / ms)::numeric, 1) AS lag_query_over_this,
	round((ms / (SELECT ms FROM best WHERE name = 'traceaudit trace_summary'))::numeric, 2) AS x_trace_summary
FROM best ORDER BY ms;
