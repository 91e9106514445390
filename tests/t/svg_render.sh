#!/usr/bin/env bash
# SVG outputs render: fingerprint_svg of seeded data and trace_svg of a trace
# with two faults are turned into PNGs by
# rsvg-convert (librsvg), which fails on malformed SVG; the PNG must have the
# SVG's size, and the SVG must hold the map's cells.  Runs against the
# scratch cluster.
set -euo pipefail
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
db=traceaudit_svg_test
psql -qX -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null 2>&1
psql -qX -d $db -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION traceaudit CASCADE;
SELECT setseed(0.5);
CREATE TABLE p AS SELECT 'd' || (random() * 30)::int AS dev, now() AS ts,
	ST_SetSRID(ST_MakePoint(13.3 + 0.2 * random() ^ 2, 52.45 + 0.1 * random() ^ 2), 4326) AS geom
FROM generate_series(1, 5000);
SQL
psql -qXAt -d $db -c "SELECT fingerprint_svg(density_fingerprint(geom, ts, dev, 500), 3, 640) FROM p" > "$out/fp.svg" 2>/dev/null
rsvg-convert -o "$out/fp.png" "$out/fp.svg"
# one trace with a spike and a teleport, its findings marked
psql -qXAt -d $db -c "SELECT trace_svg(ST_SetSRID(ST_MakeLine(ARRAY(
	SELECT ST_MakePointM(13.4 + i * 0.001 + CASE WHEN i = 20 THEN 0.3 WHEN i > 40 THEN 0.5 ELSE 0 END,
		52.5 + 0.0005 * sin(i / 5.0), 1700000000 + i * 5) FROM generate_series(0, 60) i)), 4326), 'car', 500)" > "$out/trace.svg"
rsvg-convert -o "$out/trace.png" "$out/trace.svg"
tw=$(od -An -tu1 -j16 -N4 "$out/trace.png" | awk '{print $1*16777216+$2*65536+$3*256+$4}')
marks=$(grep -o '<circle ' "$out/trace.svg" | wc -l)
# PNG IHDR: width and height, big-endian, at bytes 16..23
w=$(od -An -tu1 -j16 -N4 "$out/fp.png" | awk '{print $1*16777216+$2*65536+$3*256+$4}')
h=$(od -An -tu1 -j20 -N4 "$out/fp.png" | awk '{print $1*16777216+$2*65536+$3*256+$4}')
svg_h=$(grep -o 'height="[0-9]*"' "$out/fp.svg" | head -n1 | tr -dc 0-9)
rects=$(grep -o '<rect ' "$out/fp.svg" | wc -l)
psql -qX -d postgres -c "DROP DATABASE $db" >/dev/null 2>&1
echo "fingerprint svg: ${rects} rects, png ${w}x${h}; trace svg: ${marks} circles (2 findings + 6 legend), png width ${tw}"
[ "$w" -eq 640 ] && [ "$h" -eq "$svg_h" ] && [ "$rects" -gt 20 ] && [ "$tw" -eq 500 ] && [ "$marks" -eq 8 ]
