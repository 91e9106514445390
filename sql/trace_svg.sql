-- trace_svg: one marker per finding, a scale bar, a legend; bad input.
SET extra_float_digits = 0;
CREATE TABLE svg_trace AS
SELECT ST_SetSRID(ST_MakeLine(ARRAY(
	SELECT ST_MakePointM(13.4 + i * 0.001 + CASE WHEN i = 20 THEN 0.3 WHEN i > 40 THEN 0.5 ELSE 0 END,
		52.5 + 0.0005 * sin(i / 5.0), 1700000000 + i * 5 + CASE WHEN i > 50 THEN 900 ELSE 0 END)
	FROM generate_series(0, 60) i)), 4326) AS trace;
SELECT reason, seq FROM svg_trace, trace_jumps(trace) ORDER BY seq;
SELECT (length(svg) - length(replace(svg, '<circle ', ''))) / 8 - 6 AS finding_marks,
	(SELECT count(*) FROM svg_trace, trace_jumps(trace)) AS findings,
	svg ~ '<text[^>]*>[0-9.]+ k?m</text>' AS has_scale_bar,
	svg LIKE '%findings: gap, speed, spike</text>%' AS lists_reasons,
	svg LIKE '%<title>spike at fix 21: 1 fix %' AS marks_carry_evidence
FROM (SELECT trace_svg(trace) AS svg FROM svg_trace) x;
-- a projected trace gets a scale in metres too
SELECT trace_svg('SRID=32633;LINESTRING M (0 0 0, 300 400 60)'::geometry, 'walk', 300) LIKE '%>50 m</text>%' AS metres;
SELECT trace_svg(trace, 'car', 20) FROM svg_trace;
SELECT trace_svg('SRID=4326;LINESTRING M EMPTY'::geometry);
