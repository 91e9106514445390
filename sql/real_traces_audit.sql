-- trace_audit on the real traces (real_fixes, loaded by real_traces.sql):
-- point rows and a trajectory table built from them with trace_line give
-- the same results, and the same findings as trace_jumps run by hand.
SET extra_float_digits = 0;
SET client_min_messages = warning;

SELECT trace_audit('real_fixes', 'trace_id', 'ts', 'geom') AS real_points \gset
SELECT kind, rows_read, fixes, traces, rows_rejected, status
FROM traceaudit_results.audit_run WHERE id = :real_points;
-- findings by reason, with the car profile for every trace (real_traces.sql uses a
-- profile per source, so its counts differ: the ships here are judged as cars)
SELECT reason, count(*) AS findings, count(DISTINCT trace_id) AS traces
FROM traceaudit_results.audit_finding WHERE run_id = :real_points GROUP BY reason ORDER BY reason;
SELECT (SELECT count(*) FROM traceaudit_results.audit_finding WHERE run_id = :real_points) =
	   (SELECT count(*) FROM (SELECT trace_line(geom, ts) AS line FROM real_fixes GROUP BY trace_id) l,
			trace_jumps(l.line) j) AS same_as_trace_jumps;
-- the dataset verdict: dataset_realism over the per-trace items and the
-- fingerprint; its strongest evidence first
SELECT verdict, round(score::numeric, 3) AS score,
	(SELECT jsonb_object_agg(key, value) FROM jsonb_each(evidence)
	 WHERE key IN ('traces', 'judged', 'real', 'synthetic', 'inconclusive', 'share_real', 'implausible_per_1000_fixes')) AS counts
FROM traceaudit_results.audit_dataset WHERE run_id = :real_points;
SELECT e->>'feature' AS feature, round((e->>'contribution')::numeric, 2) AS contribution
FROM traceaudit_results.audit_dataset d, jsonb_array_elements(d.evidence->'features') e
WHERE d.run_id = :real_points;
SELECT points, devices, cells, round(gini::numeric, 3) AS gini, round(entropy::numeric, 3) AS entropy,
	round(top10_share::numeric, 3) AS top10_share, core_cells
FROM traceaudit_results.audit_dataset WHERE run_id = :real_points;

-- trajectories: one LINESTRING M per trace
CREATE TABLE real_trajectories AS
SELECT trace_id, trace_line(geom, ts) AS traj FROM real_fixes GROUP BY trace_id;
-- the audit's verdict and score are dataset_realism's over the traces themselves
SELECT (r).verdict = d.verdict AND (r).score = d.score AS same_as_dataset_realism
FROM (SELECT dataset_realism(traj) AS r FROM real_trajectories) x,
	traceaudit_results.audit_dataset d WHERE d.run_id = :real_points;
SELECT trace_audit('real_trajectories', 'trace_id', NULL, 'traj') AS real_lines \gset
SELECT kind, rows_read, fixes, traces, status FROM traceaudit_results.audit_run WHERE id = :real_lines;
SELECT count(*) AS traces,
	count(*) FILTER (WHERE l.fixes = p.fixes AND l.implausible = p.implausible AND l.gap = p.gap
		AND l.length_m = p.length_m AND l.realism_score = p.realism_score) AS same_as_points
FROM traceaudit_results.audit_trace l
JOIN traceaudit_results.audit_trace p ON p.run_id = :real_points AND p.trace_id = l.trace_id
WHERE l.run_id = :real_lines;
SELECT (SELECT count(*) FROM traceaudit_results.audit_finding WHERE run_id = :real_lines) =
	   (SELECT count(*) FROM traceaudit_results.audit_finding WHERE run_id = :real_points) AS same_findings,
	a.verdict = b.verdict AND a.evidence = b.evidence AS same_verdict,
	a.points = b.points AND a.cells = b.cells AND a.gini = b.gini AS same_density
FROM traceaudit_results.audit_dataset a, traceaudit_results.audit_dataset b
WHERE a.run_id = :real_lines AND b.run_id = :real_points;

-- the report (start time and duration masked)
\pset format unaligned
SELECT regexp_replace(regexp_replace(trace_audit_report(:real_points), 'started [^\n]*', 'started (masked)'),
	'^Audit [0-9]+', 'Audit N') AS report;
\pset format aligned
