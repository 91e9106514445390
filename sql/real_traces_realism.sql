-- trace_realism on every real trace (loaded by real_traces.sql): verdicts
-- per source.  The score was calibrated on part of these sources (see
-- tests/eval/README.md for the split and the held-out AUCs); this table
-- shows where it still errs on recorded data.
SET extra_float_digits = 0;
CREATE TABLE real_realism AS
SELECT source, trace_id, trace_realism(geom, ts) AS r FROM real_fixes GROUP BY 1, 2;
SELECT source, count(*) AS traces,
	count(*) FILTER (WHERE (r).verdict = 'real') AS real,
	count(*) FILTER (WHERE (r).verdict = 'synthetic') AS synthetic,
	count(*) FILTER (WHERE (r).verdict = 'inconclusive') AS inconclusive,
	round(avg((r).score)::numeric, 2) AS mean_score
FROM real_realism GROUP BY ROLLUP (source) ORDER BY source;
-- most inconclusive traces are short (under 20 fixes; the rest are under 2
-- minutes or scored between 0.3 and 0.7)
SELECT count(*) AS inconclusive_under_20_fixes FROM real_realism
WHERE (r).verdict = 'inconclusive' AND ((r).evidence->>'fixes')::int < 20;
