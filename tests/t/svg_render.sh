#!/usr/bin/env bash
# SVG outputs render: fingerprint_svg of seeded data is turned into a PNG by
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
# PNG IHDR: width and height, big-endian, at bytes 16..23
w=$(od -An -tu1 -j16 -N4 "$out/fp.png" | awk '{print $1*16777216+$2*65536+$3*256+$4}')
h=$(od -An -tu1 -j20 -N4 "$out/fp.png" | awk '{print $1*16777216+$2*65536+$3*256+$4}')
svg_h=$(grep -o 'height="[0-9]*"' "$out/fp.svg" | head -n1 | tr -dc 0-9)
rects=$(grep -o '<rect ' "$out/fp.svg" | wc -l)
psql -qX -d postgres -c "DROP DATABASE $db" >/dev/null 2>&1
echo "svg: ${rects} rects, png ${w}x${h}"
[ "$w" -eq 640 ] && [ "$h" -eq "$svg_h" ] && [ "$rects" -gt 20 ]
