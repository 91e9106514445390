
-- trace_svg: one trace drawn as SVG, its findings marked by reason, with a
-- scale bar and a legend.  Per-finding work in SQL: a picture of one trace.
CREATE FUNCTION trace_svg(trace geometry, profile text DEFAULT 'car', width int DEFAULT 800)
RETURNS text
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path FROM CURRENT
AS $$
DECLARE
	pad CONSTANT int := 10;
	legend_h CONSTANT int := 60;
	colours CONSTANT jsonb := '{"speed": "#d62728", "spike": "#e377c2", "acceleration": "#ff7f0e",
		"duplicate_time": "#1f77b4", "time_backwards": "#9467bd", "gap": "#7f7f7f"}';
	xmin float8; xmax float8; ymin float8; ymax float8; midy float8;
	sx float8; sy float8; map_h int; h int;
	m_per_unit float8; m_per_unit_y float8; bar_m float8; bar_px float8;
	path text; marks text; legend text; counts jsonb;
BEGIN
	IF width < 100 OR width > 10000 THEN
		RAISE EXCEPTION USING ERRCODE = '22023',
			MESSAGE = format('trace_svg width %s is out of range', width),
			HINT = 'Use a width between 100 and 10000 pixels.';
	END IF;
	IF ST_NPoints(trace) = 0 THEN
		RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = 'trace_svg cannot draw an empty trace',
			HINT = 'Build traces with trace_line(geom, ts).';
	END IF;
	xmin := ST_XMin(trace); xmax := ST_XMax(trace); ymin := ST_YMin(trace); ymax := ST_YMax(trace);
	midy := (ymin + ymax) / 2;
	-- metres per coordinate unit along x and y at the middle, with
	-- traceaudit's metric: true proportions in any CRS, lon/lat included
	SELECT s.distance_m / 1e-3 INTO m_per_unit
	FROM trace_segments(ST_SetSRID(ST_MakeLine(ST_MakePointM(xmin, midy, 0),
		ST_MakePointM(xmin + 1e-3, midy, 1)), ST_SRID(trace))) s;
	SELECT s.distance_m / 1e-3 INTO m_per_unit_y
	FROM trace_segments(ST_SetSRID(ST_MakeLine(ST_MakePointM(xmin, midy, 0),
		ST_MakePointM(xmin, midy + 1e-3, 1)), ST_SRID(trace))) s;

	sx := (width - 2 * pad) / greatest(xmax - xmin, ymax - ymin, 1e-9);
	sy := sx * m_per_unit_y / greatest(m_per_unit, 1e-12);
	map_h := greatest(ceil((ymax - ymin) * sy)::int, 20);
	IF map_h > 4 * width THEN
		sy := sy * 4 * width / map_h; sx := sx * 4 * width / map_h; map_h := 4 * width;
	END IF;
	h := pad + map_h + pad + legend_h;

	SELECT string_agg(format('%s,%s', round((pad + (ST_X(p.geom) - xmin) * sx)::numeric, 2),
							 round((pad + (ymax - ST_Y(p.geom)) * sy)::numeric, 2)), ' ' ORDER BY p.path)
	INTO path FROM ST_DumpPoints(trace) p;

	SELECT string_agg(format('<circle cx="%s" cy="%s" r="5" fill="none" stroke="%s" stroke-width="2"><title>%s at fix %s: %s</title></circle>',
			round((pad + (ST_X(c) - xmin) * sx)::numeric, 2), round((pad + (ymax - ST_Y(c)) * sy)::numeric, 2),
			colours->>j.reason, j.reason, j.seq,
			replace(replace(replace(j.detail, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')), ''),
		jsonb_object_agg(j.reason, 1)
	INTO marks, counts
	FROM trace_jumps(trace, profile) j,
		LATERAL (SELECT ST_PointN(j.segment, CASE WHEN j.reason = 'spike' THEN 2 ELSE 1 END)) s(c);

	-- a scale bar of a round length (1, 2 or 5 x 10^k m), about a fifth of the width
	bar_m := greatest(m_per_unit * (width - 2 * pad) / sx / 5, 1e-3);
	bar_m := power(10, floor(log(bar_m))) * CASE
		WHEN bar_m / power(10, floor(log(bar_m))) >= 5 THEN 5
		WHEN bar_m / power(10, floor(log(bar_m))) >= 2 THEN 2 ELSE 1 END;
	bar_px := bar_m / m_per_unit * sx;

	SELECT string_agg(format('<circle cx="%s" cy="%s" r="5" fill="none" stroke="%s" stroke-width="2"/><text x="%s" y="%s" font-size="11">%s</text>',
			pad + 6 + 120 * (o - 1), pad + map_h + pad + 40, colours->>r, pad + 14 + 120 * (o - 1), pad + map_h + pad + 44, r), '')
	INTO legend
	FROM unnest(ARRAY['speed', 'spike', 'acceleration', 'duplicate_time', 'time_backwards', 'gap']) WITH ORDINALITY u(r, o);

	RETURN format('<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" font-family="sans-serif">', width, h, width, h)
		|| format('<rect width="%s" height="%s" fill="white"/>', width, h)
		|| format('<polyline points="%s" fill="none" stroke="#333" stroke-width="1.2"/>', path)
		|| coalesce(marks, '')
		|| format('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="black" stroke-width="2"/>',
				  pad, pad + map_h + pad + 12, round((pad + bar_px)::numeric, 2), pad + map_h + pad + 12)
		|| format('<text x="%s" y="%s" font-size="11">%s</text>', round((pad + bar_px + 6)::numeric, 2),
				  pad + map_h + pad + 16,
				  CASE WHEN bar_m >= 1000 THEN (bar_m / 1000)::text || ' km' ELSE bar_m::text || ' m' END)
		|| format('<text x="%s" y="%s" font-size="11" text-anchor="end">%s fixes, profile %s, findings: %s</text>',
				  width - pad, pad + map_h + pad + 16, ST_NPoints(trace), profile,
				  coalesce((SELECT string_agg(k, ', ' ORDER BY k) FROM jsonb_object_keys(counts) k), 'none'))
		|| legend
		|| '</svg>';
END
$$;
COMMENT ON FUNCTION trace_svg(geometry, text, int) IS
	'one LINESTRING M trace as SVG with its trace_jumps findings marked by reason, a scale bar and a legend';
