-- 12 seeded drives into table :"drives_table": varying speed, slow heading
-- changes, AR(1) noise, a 1 s clock with occasional gaps and stops; each is
-- judged real by trace_realism.  Used by sql/dataset.sql and
-- sql/audit_incremental.sql.
SELECT setseed(0.42);
CREATE TABLE :"drives_table" AS
WITH RECURSIVE w(d, i, x, y, h, v, ex, ey, t) AS (
	SELECT d, 0, 0.0::float8, 0.0::float8, random() * 6.28, 8.0::float8, 0.0::float8, 0.0::float8, 0.0::float8
	FROM generate_series(1, 12) d
	UNION ALL
	SELECT d, i + 1,
		x + v * cos(h), y + v * sin(h),
		h + (random() - 0.5) * 0.3 * (random() ^ 4),
		CASE WHEN i % 97 > 85 THEN greatest(0.0, v - 3) ELSE least(14.0, v + (random() - 0.45) * 0.3 * (random() ^ 6) * 8) END,
		0.95 * ex + (random() - 0.5) * 1.5, 0.95 * ey + (random() - 0.5) * 1.5,
		t + 1 + floor((random() ^ 12) * 8)
	FROM w WHERE i < 600)
SELECT 'w' || d AS device, '2024-03-01 07:00+00'::timestamptz + make_interval(hours => d, secs => t) AS ts,
	ST_SetSRID(ST_MakePoint(-2.98 + (x + ex) / 66000.0, 53.40 + (y + ey) / 111000.0), 4326) AS geom
FROM w;
