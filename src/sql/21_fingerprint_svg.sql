
-- fingerprint_svg: a heat map of a fingerprint as an SVG document, cells
-- coloured on a log scale of points (viridis), with a legend, the bounding
-- box, and the number of cells hidden for having too few devices.  Per
-- cell work in SQL is fine here: a picture has thousands of cells, not
-- millions of points.  search_path is pinned to this extension's and
-- PostGIS's schemas as they were at CREATE EXTENSION.
CREATE FUNCTION fingerprint_svg(fp fingerprint, min_devices int DEFAULT 5, width int DEFAULT 800)
RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path FROM CURRENT
-- the picture itself says how many cells it hides: no NOTICE as well
SET client_min_messages = warning
AS $$
DECLARE
	-- viridis, dark (few points) to bright (many)
	palette CONSTANT text[] := ARRAY['#440154', '#482878', '#3e4989', '#31688e', '#26828e',
		'#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725'];
	xmin float8; xmax float8; ymin float8; ymax float8; maxp bigint;
	nshown bigint; nsup bigint; psup bigint;
	geographic bool;
	sx float8; sy float8; h int; map_h int; body text; legend text;
	pad CONSTANT int := 10;
	legend_h CONSTANT int := 70;
BEGIN
	IF width < 100 OR width > 10000 THEN
		RAISE EXCEPTION USING ERRCODE = '22023',
			MESSAGE = format('fingerprint_svg width %s is out of range', width),
			HINT = 'Use a width between 100 and 10000 pixels.';
	END IF;
	geographic := fp::text LIKE 'v=1;kind=geographic;%';
	-- one call of fingerprint_cells (the CTE is used twice, so materialized);
	-- rects are written in data coordinates and placed by one transform
	WITH c AS (SELECT cell, points, suppressed_cells FROM fingerprint_cells(fp, min_devices)),
	s AS (SELECT ST_XMin(cell) AS x0, ST_YMin(cell) AS y0, ST_XMax(cell) AS x1, ST_YMax(cell) AS y1,
			points, max(points) OVER () AS top FROM c WHERE cell IS NOT NULL)
	SELECT (SELECT string_agg(format('<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>',
				x0, y0, x1 - x0, y1 - y0,
				palette[1 + least(9, floor(10 * ln(points) / greatest(ln(top), 1e-9))::int)]), '') FROM s),
		(SELECT min(x0) FROM s), (SELECT max(x1) FROM s), (SELECT min(y0) FROM s), (SELECT max(y1) FROM s),
		(SELECT max(points) FROM s), (SELECT count(*) FROM s),
		(SELECT coalesce(sum(suppressed_cells), 0) FROM c WHERE cell IS NULL),
		(SELECT coalesce(sum(points), 0) FROM c WHERE cell IS NULL)
	INTO body, xmin, xmax, ymin, ymax, maxp, nshown, nsup, psup;

	IF nshown = 0 THEN
		map_h := 40;
		body := format('<text x="%s" y="30" font-size="14">no cell is seen by %s or more devices</text>',
					   pad, min_devices);
	ELSE
		-- equirectangular, stretched by 1/cos(latitude) so shapes look right
		sx := (width - 2 * pad) / greatest(xmax - xmin, 1e-12);
		sy := CASE WHEN geographic THEN sx / greatest(cos(radians((ymin + ymax) / 2)), 0.01) ELSE sx END;
		map_h := ceil((ymax - ymin) * sy)::int;
		IF map_h > 4 * width THEN
			sy := sy * 4 * width / map_h; sx := sx * 4 * width / map_h; map_h := 4 * width;
		END IF;
		body := format('<g shape-rendering="crispEdges" transform="translate(%s %s) scale(%s %s) translate(%s %s)">',
					   pad, pad, sx, -sy, -xmin, -ymax) || body || '</g>';
	END IF;

	h := pad + map_h + legend_h;
	SELECT string_agg(format('<rect x="%s" y="%s" width="20" height="12" fill="%s"/>',
			pad + 20 * (i - 1), pad + map_h + 12, palette[i]), '')
	INTO legend FROM generate_series(1, 10) i;
	RETURN format('<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" font-family="sans-serif">', width, h, width, h)
		|| format('<rect width="%s" height="%s" fill="white"/>', width, h)
		|| body
		|| legend
		|| format('<text x="%s" y="%s" font-size="11">1</text>', pad, pad + map_h + 36)
		|| format('<text x="%s" y="%s" font-size="11" text-anchor="end">%s points per cell (log scale)</text>',
				  pad + 200, pad + map_h + 36, coalesce(maxp, 0))
		|| format('<text x="%s" y="%s" font-size="11">%s cells shown; %s cells (%s points) seen by fewer than %s devices hidden</text>',
				  pad + 215, pad + map_h + 22, nshown, nsup, psup, min_devices)
		|| format('<text x="%s" y="%s" font-size="11">%s [%s, %s], %s [%s, %s]</text>',
				  pad, pad + map_h + 56, CASE WHEN geographic THEN 'lon' ELSE 'x' END,
				  round(xmin::numeric, 5), round(xmax::numeric, 5),
				  CASE WHEN geographic THEN 'lat' ELSE 'y' END, round(ymin::numeric, 5), round(ymax::numeric, 5))
		|| '</svg>';
END
$$;
COMMENT ON FUNCTION fingerprint_svg(fingerprint, int, int) IS
	'heat map of a fingerprint as SVG: cells coloured by points on a log scale, legend, bounding box; cells seen by fewer than min_devices devices are hidden';
