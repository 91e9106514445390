/*
 * test_fingerprint.c
 *	  Unit tests of src/fingerprint.c: the grid (cell sizes measured with
 *	  ta_distance, an independent numerical integration of the meridian arc
 *	  and band areas, edges, poles), the accumulator (exact device counts
 *	  against brute force, merges, state round trips, allocation failures),
 *	  summary numbers and similarity on hand-computed cases, and the binary
 *	  and text formats (round trips, every truncation and bit flip, malformed
 *	  text).
 */
#include "unit.h"

#include "fingerprint.h"
#include "geodesy.h"

/* ---------- allocators ---------- */

typedef struct Budget
{
	long		left;			/* allocations allowed; < 0 = unlimited */
} Budget;

static void *
t_alloc(void *ctx, size_t n)
{
	Budget	   *b = ctx;

	if (n == 0)
		abort();				/* the contract: never 0 */
	if (b && b->left == 0)
		return NULL;
	if (b && b->left > 0)
		b->left--;
	return malloc(n);
}

static void *
t_realloc(void *ctx, void *p, size_t n)
{
	Budget	   *b = ctx;

	if (n == 0 || p == NULL)
		abort();
	if (b && b->left == 0)
		return NULL;
	if (b && b->left > 0)
		b->left--;
	return realloc(p, n);
}

static void
t_free(void *ctx, void *p)
{
	(void) ctx;
	if (p == NULL)
		abort();				/* the contract: pfree(NULL) would crash */
	free(p);
}

static const TAFpAlloc AL = {t_alloc, t_realloc, t_free, NULL};

/* a deterministic generator (splitmix64) */
static uint64_t rng_state = 42;

static uint64_t
rng(void)
{
	uint64_t	z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double
urand(double lo, double hi)
{
	return lo + (hi - lo) * ((double) (rng() >> 11) / 9007199254740992.0);
}

static TAFpGrid
grid(TAFpKind kind, int32_t srid, double cell_m, double to_meter)
{
	TAFpGrid	g;
	TAFpError	err;

	if (ta_fp_grid_init(&g, kind, srid, cell_m, to_meter, &err) != TA_FP_OK)
	{
		fprintf(stderr, "grid: %s\n", err.message);
		abort();
	}
	return g;
}

static TAMetric
wgs84(void)
{
	TAMetric	mt;

	ta_metric_geodetic(&mt, TA_WGS84_A, TA_WGS84_F);
	return mt;
}

/* ---------- independent references for the grid ---------- */

#define E2 (TA_WGS84_F * (2.0 - TA_WGS84_F))

/* meridian arc by Simpson's rule on the meridional radius of curvature */
static double
meridian_numeric(double lat_deg)
{
	int			n = 20000,
				i;
	double		phi = lat_deg * M_PI / 180.0,
				h = phi / n,
				sum = 0;

	for (i = 0; i <= n; i++)
	{
		double		s = sin(i * h);
		double		m = TA_WGS84_A * (1 - E2) / pow(1 - E2 * s * s, 1.5);

		sum += m * (i == 0 || i == n ? 1 : (i % 2 ? 4 : 2));
	}
	return sum * h / 3;
}

/* area between two latitudes by Simpson's rule on 2 pi N cos(phi) M */
static double
zone_area_numeric(double lat1, double lat2)
{
	int			n = 20000,
				i;
	double		p1 = lat1 * M_PI / 180.0,
				h = (lat2 - lat1) * M_PI / 180.0 / n,
				sum = 0;

	for (i = 0; i <= n; i++)
	{
		double		phi = p1 + i * h;
		double		s = sin(phi);
		double		w = 1 - E2 * s * s;
		double		f = 2 * M_PI * TA_WGS84_A / sqrt(w) * cos(phi) *
			TA_WGS84_A * (1 - E2) / pow(w, 1.5);

		sum += f * (i == 0 || i == n ? 1 : (i % 2 ? 4 : 2));
	}
	return sum * h / 3;
}

/* ---------- grid tests ---------- */

static void
test_grid_init(void)
{
	TAFpGrid	g;
	TAFpError	err;

	CHECK_INT(ta_fp_grid_init(&g, TA_FP_GEOGRAPHIC, 4326, 1000, 1, &err), TA_FP_OK);
	CHECK_INT(g.nbands, 10002);
	CHECK_INT(ta_fp_grid_init(&g, TA_FP_GEOGRAPHIC, 4326, 1, 1, &err), TA_FP_OK);
	CHECK_INT(g.nbands, 10001966);
	CHECK_INT(ta_fp_grid_init(&g, TA_FP_GEOGRAPHIC, 4326, 0.5, 1, &err), TA_FP_E_ARG);
	CHECK(strstr(err.message, "cell size") != NULL);
	CHECK_INT(ta_fp_grid_init(&g, TA_FP_GEOGRAPHIC, 4326, NAN, 1, &err), TA_FP_E_ARG);
	CHECK_INT(ta_fp_grid_init(&g, TA_FP_GEOGRAPHIC, 4326, 1.5e7, 1, &err), TA_FP_E_ARG);
	CHECK_INT(ta_fp_grid_init(&g, TA_FP_GEOGRAPHIC, 4326, 1000, 2, &err), TA_FP_E_ARG);
	CHECK_INT(ta_fp_grid_init(&g, TA_FP_PLANAR, 2154, 1000, 0, &err), TA_FP_E_ARG);
	CHECK_INT(ta_fp_grid_init(&g, TA_FP_PLANAR, 2154, 1000, INFINITY, &err), TA_FP_E_ARG);
	CHECK_INT(ta_fp_grid_init(&g, TA_FP_PLANAR, 2154, 1000, 1e-320, &err), TA_FP_E_ARG);
	CHECK_INT(ta_fp_grid_init(&g, TA_FP_PLANAR, -1, 1000, 1, &err), TA_FP_E_ARG);
	CHECK_INT(ta_fp_grid_init(&g, TA_FP_PLANAR, 1000000, 1000, 1, &err), TA_FP_E_ARG);
	CHECK_INT(ta_fp_grid_init(&g, (TAFpKind) 7, 0, 1000, 1, &err), TA_FP_E_ARG);
	CHECK_INT(ta_fp_grid_init(&g, TA_FP_PLANAR, 2249, 100, 1200.0 / 3937.0, &err), TA_FP_OK);
	CHECK_NEAR(g.cell_u, 100 * 3937.0 / 1200.0, 1e-9);
}

static void
test_key_packing(void)
{
	int32_t		v[] = {INT32_MIN, -70000, -1, 0, 1, 12345, INT32_MAX};
	int			i,
				j,
				k,
				l;

	for (i = 0; i < 7; i++)
		for (j = 0; j < 7; j++)
		{
			uint64_t	key = ta_fp_key(v[i], v[j]);

			CHECK_INT(ta_fp_key_row(key), v[i]);
			CHECK_INT(ta_fp_key_col(key), v[j]);
			for (k = 0; k < 7; k++)
				for (l = 0; l < 7; l++)
				{
					int			less = v[i] < v[k] || (v[i] == v[k] && v[j] < v[l]);

					CHECK_INT(key < ta_fp_key(v[k], v[l]), less);
				}
		}
}

/*
 * The series against numerical integration: the row of a latitude and the
 * column count of its band.
 */
static void
test_grid_against_integration(void)
{
	double		lats[] = {0.0, 0.001, 12.5, -33.9, 45.0, 51.5, 69.99, 70.0, -80.0, 89.9};
	double		cells[] = {1, 100, 1000, 25000};
	size_t		i,
				j;

	/* the quarter meridian */
	CHECK_NEAR(meridian_numeric(90.0), 10001965.7293, 0.001);
	for (j = 0; j < sizeof(cells) / sizeof(cells[0]); j++)
	{
		TAFpGrid	g = grid(TA_FP_GEOGRAPHIC, 4326, cells[j], 1);

		for (i = 0; i < sizeof(lats) / sizeof(lats[0]); i++)
		{
			double		m = meridian_numeric(lats[i]);
			uint64_t	key;
			int32_t		row;
			double		x0,
						y0,
						x1,
						y1;

			CHECK_INT(ta_fp_cell_of(&g, 10.0, lats[i], &key), TA_FP_OK);
			row = ta_fp_key_row(key);
			/* unless within 1 mm of an edge, the row is exact */
			if (fabs(m / cells[j] - floor(m / cells[j] + 0.5)) * cells[j] > 0.001)
				CHECKF(row == (int32_t) floor(m / cells[j]), "lat %g cell %g: row %d, M %.4f",
					   lats[i], cells[j], row, m);
			CHECK_INT(ta_fp_cell_bounds(&g, key, &x0, &y0, &x1, &y1), TA_FP_OK);
			/* band edges sit at multiples of cell_m of meridian arc */
			CHECK_NEAR(meridian_numeric(y0), row * cells[j], 1e-6);
			if (y1 < 90.0)
				CHECK_NEAR(meridian_numeric(y1), (row + 1.0) * cells[j], 1e-6);
			/* the column count is the band's area over cell_m^2, rounded */
			if (cells[j] >= 100)
			{
				double		area = zone_area_numeric(y0, y1);
				double		want = floor(area / (cells[j] * cells[j]) + 0.5);

				CHECKF(ta_fp_band_ncol(&g, row) == (uint32_t) (want < 1 ? 1 : want),
					   "lat %g cell %g: ncol %u, area/c^2 %.6f", lats[i], cells[j],
					   ta_fp_band_ncol(&g, row), area / (cells[j] * cells[j]));
			}
		}
	}
}

/*
 * Cell sizes in metres measured with the geodesy module: height along the
 * meridian and width at the middle of the band are cell_m within
 * 0.5 / ncol (the rounding of the column count) plus 1 mm.
 */
static void
test_cell_size_metres(void)
{
	TAMetric	mt = wgs84();
	double		lats[] = {0.0, 45.0, 70.0, -45.0};
	double		cells[] = {10, 100, 1000, 10000};
	size_t		i,
				j;

	for (j = 0; j < sizeof(cells) / sizeof(cells[0]); j++)
	{
		TAFpGrid	g = grid(TA_FP_GEOGRAPHIC, 4326, cells[j], 1);

		for (i = 0; i < sizeof(lats) / sizeof(lats[0]); i++)
		{
			uint64_t	key;
			double		x0,
						y0,
						x1,
						y1,
						h,
						w,
						ym,
						tol;
			uint32_t	ncol;

			CHECK_INT(ta_fp_cell_of(&g, 23.456, lats[i], &key), TA_FP_OK);
			CHECK_INT(ta_fp_cell_bounds(&g, key, &x0, &y0, &x1, &y1), TA_FP_OK);
			ncol = ta_fp_band_ncol(&g, ta_fp_key_row(key));
			ym = (y0 + y1) / 2;
			h = ta_distance(&mt, x0, y0, x0, y1);
			w = ta_distance(&mt, x0, ym, x1, ym);
			tol = cells[j] * 0.5 / ncol + 0.001;
			CHECK_NEAR(h, cells[j], 0.001);
			CHECK_NEAR(w, cells[j], tol);
			if (cells[j] == 1000 && lats[i] >= 0)
				printf("  cell 1000 m at lat %4.0f: height %.4f m, width %.4f m (ncol %u, tolerance %.4f m)\n",
					   lats[i], h, w, ncol, tol);
		}
	}
}

/* the whole globe: band areas add up to the ellipsoid's area */
static void
test_globe_area(void)
{
	TAFpGrid	g = grid(TA_FP_GEOGRAPHIC, 4326, 10000, 1);
	double		cells = 0,
				worst = 0;
	int32_t		row;

	for (row = -g.nbands; row < g.nbands; row++)
	{
		uint32_t	n = ta_fp_band_ncol(&g, row);
		double		x0,
					y0,
					x1,
					y1;

		CHECK(n >= 1);
		cells += n;
		/* all but the polar bands have cells within 0.5 / ncol of c^2 */
		CHECK_INT(ta_fp_cell_bounds(&g, ta_fp_key(row, 0), &x0, &y0, &x1, &y1), TA_FP_OK);
		if (y0 > -89.9 && y1 < 89.9)
		{
			double		a = zone_area_numeric(y0, y1) / n;
			double		rel = fabs(a / 1e8 - 1);

			CHECKF(rel <= 0.5 / n + 1e-9, "row %d: cell area %.1f m2", row, a);
			if (rel > worst)
				worst = rel;
		}
	}
	CHECK_INT(ta_fp_band_ncol(&g, g.nbands), 0);
	CHECK_INT(ta_fp_band_ncol(&g, -g.nbands - 1), 0);
	/* 510 065 621.7 km2 for WGS 84 */
	CHECK_NEAR(cells * 1e8, 5.100656217e14, 5.100656217e14 * 1e-4);
	printf("  10 km grid: %.0f cells on the globe, worst area error %.2e outside the poles\n",
		   cells, worst);
}

static void
test_same_point_same_cell(void)
{
	TAFpGrid	g = grid(TA_FP_GEOGRAPHIC, 4326, 250, 1);
	TAFpGrid	p = grid(TA_FP_PLANAR, 2154, 250, 1);
	int			i;

	rng_state = 7;
	for (i = 0; i < 20000; i++)
	{
		double		x = urand(-180, 180),
					y = urand(-90, 90);
		uint64_t	k1,
					k2;
		double		x0,
					y0,
					x1,
					y1;

		CHECK_INT(ta_fp_cell_of(&g, x, y, &k1), TA_FP_OK);
		CHECK_INT(ta_fp_cell_of(&g, x, y, &k2), TA_FP_OK);
		CHECK(k1 == k2);
		CHECK(ta_fp_cell_valid(&g, k1));
		/* the point lies in its cell (to rounding) */
		CHECK_INT(ta_fp_cell_bounds(&g, k1, &x0, &y0, &x1, &y1), TA_FP_OK);
		CHECKF(x >= x0 - 1e-9 && x <= x1 + 1e-9 && y >= y0 - 1e-9 && y <= y1 + 1e-9,
			   "(%.12f %.12f) outside [%.12f %.12f] x [%.12f %.12f]", x, y, x0, x1, y0, y1);

		x = urand(-1e6, 1e6);
		y = urand(-1e6, 1e6);
		CHECK_INT(ta_fp_cell_of(&p, x, y, &k1), TA_FP_OK);
		CHECK_INT(ta_fp_cell_bounds(&p, k1, &x0, &y0, &x1, &y1), TA_FP_OK);
		CHECK(x >= x0 && x < x1 && y >= y0 && y < y1);
	}
}

/*
 * Adjacent cells share their edges exactly (no gap, no overlap): points
 * within a hair of an edge fall on one side or the other, inside the cell
 * they are given.
 */
static void
test_adjacent_cells(void)
{
	TAFpGrid	g = grid(TA_FP_GEOGRAPHIC, 4326, 1000, 1);
	int32_t		rows[] = {-10002, -5000, -1, 0, 1, 4999, 7777, 10001};
	size_t		i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
	{
		int32_t		row = rows[i];
		uint32_t	n = ta_fp_band_ncol(&g, row),
					c;
		double		a0,
					b0,
					a1,
					b1,
					prev_x1 = -180.0;

		CHECK(n > 0);
		for (c = 0; c < n; c += (n > 1000 ? n / 97 : 1))
		{
			double		x0,
						y0,
						x1,
						y1,
						ux0,
						uy0,
						ux1,
						uy1;
			uint64_t	k;

			CHECK_INT(ta_fp_cell_bounds(&g, ta_fp_key(row, (int32_t) c), &x0, &y0, &x1, &y1), TA_FP_OK);
			if (c == 0)
				CHECK(x0 == -180.0);
			if (c + 1 < n)
			{
				CHECK_INT(ta_fp_cell_bounds(&g, ta_fp_key(row, (int32_t) c + 1), &a0, &b0, &a1, &b1), TA_FP_OK);
				CHECK_SAME_DOUBLE(a0, x1);
				CHECK_SAME_DOUBLE(b0, y0);
				/* a point just east of the shared edge is in c + 1, just west in c */
				CHECK_INT(ta_fp_cell_of(&g, x1 + 1e-9, (y0 + y1) / 2, &k), TA_FP_OK);
				CHECK_INT(ta_fp_key_col(k), (int32_t) c + 1);
				CHECK_INT(ta_fp_cell_of(&g, x1 - 1e-9, (y0 + y1) / 2, &k), TA_FP_OK);
				CHECK_INT(ta_fp_key_col(k), (int32_t) c);
			}
			else
				CHECK(x1 == 180.0);
			CHECK(x0 >= prev_x1 || c == 0);
			prev_x1 = x1;
			/* the band above starts where this one ends */
			if (row + 1 < g.nbands)
			{
				CHECK_INT(ta_fp_cell_bounds(&g, ta_fp_key(row + 1, 0), &ux0, &uy0, &ux1, &uy1), TA_FP_OK);
				CHECK_SAME_DOUBLE(uy0, y1);
				CHECK_INT(ta_fp_cell_of(&g, x0 + 1e-9, y1 + 1e-9, &k), TA_FP_OK);
				CHECK_INT(ta_fp_key_row(k), row + 1);
				CHECK_INT(ta_fp_cell_of(&g, x0 + 1e-9, y1 - 1e-9, &k), TA_FP_OK);
				CHECK_INT(ta_fp_key_row(k), row);
			}
		}
	}
}

static void
test_poles_and_range(void)
{
	TAFpGrid	g = grid(TA_FP_GEOGRAPHIC, 4326, 1000, 1);
	TAFpGrid	big = grid(TA_FP_GEOGRAPHIC, 4326, 1e7, 1);
	TAFpGrid	p = grid(TA_FP_PLANAR, 3857, 100, 1);
	uint64_t	k;
	double		x0,
				y0,
				x1,
				y1;

	CHECK_INT(ta_fp_cell_of(&g, 0, 90, &k), TA_FP_OK);
	CHECK_INT(ta_fp_key_row(k), g.nbands - 1);
	CHECK_INT(ta_fp_cell_bounds(&g, k, &x0, &y0, &x1, &y1), TA_FP_OK);
	CHECK(y1 == 90.0);
	CHECK_INT(ta_fp_cell_of(&g, 0, -90, &k), TA_FP_OK);
	CHECK_INT(ta_fp_key_row(k), -g.nbands);
	CHECK_INT(ta_fp_cell_bounds(&g, k, &x0, &y0, &x1, &y1), TA_FP_OK);
	CHECK(y0 == -90.0);
	/* 180 belongs to the last column, -180 to the first */
	CHECK_INT(ta_fp_cell_of(&g, 180, 10, &k), TA_FP_OK);
	CHECK_INT(ta_fp_key_col(k), (int32_t) ta_fp_band_ncol(&g, ta_fp_key_row(k)) - 1);
	CHECK_INT(ta_fp_cell_of(&g, -180, 10, &k), TA_FP_OK);
	CHECK_INT(ta_fp_key_col(k), 0);
	CHECK_INT(ta_fp_cell_of(&g, 180.0000001, 10, &k), TA_FP_E_RANGE);
	CHECK_INT(ta_fp_cell_of(&g, 0, 90.0000001, &k), TA_FP_E_RANGE);
	CHECK_INT(ta_fp_cell_of(&g, NAN, 0, &k), TA_FP_E_RANGE);
	CHECK_INT(ta_fp_cell_of(&g, 0, NAN, &k), TA_FP_E_RANGE);
	CHECK_INT(ta_fp_cell_of(&g, INFINITY, 0, &k), TA_FP_E_RANGE);
	/* 10 000 km cells: two bands a hemisphere, the polar one 1 966 m high */
	CHECK_INT(big.nbands, 2);
	CHECK_INT(ta_fp_band_ncol(&big, 1), 1);
	CHECK_INT(ta_fp_band_ncol(&big, 0), 3);	/* 2.55e14 / 1e14 */
	CHECK(!ta_fp_cell_valid(&big, ta_fp_key(0, 3)));
	CHECK(ta_fp_cell_valid(&big, ta_fp_key(0, 2)));
	CHECK(!ta_fp_cell_valid(&big, ta_fp_key(0, -1)));
	CHECK(!ta_fp_cell_valid(&big, ta_fp_key(2, 0)));
	CHECK_INT(ta_fp_cell_bounds(&big, ta_fp_key(2, 0), &x0, &y0, &x1, &y1), TA_FP_E_RANGE);

	/* planar */
	CHECK_INT(ta_fp_cell_of(&p, -0.0001, 0, &k), TA_FP_OK);
	CHECK_INT(ta_fp_key_col(k), -1);
	CHECK_INT(ta_fp_key_row(k), 0);
	CHECK_INT(ta_fp_cell_of(&p, 214748364700.0, 0, &k), TA_FP_OK);
	CHECK_INT(ta_fp_key_col(k), INT32_MAX);
	CHECK_INT(ta_fp_cell_of(&p, 214748364800.0, 0, &k), TA_FP_E_RANGE);
	CHECK_INT(ta_fp_cell_of(&p, 0, -214748364800.0, &k), TA_FP_OK);
	CHECK_INT(ta_fp_cell_of(&p, 0, -214748364800.1, &k), TA_FP_E_RANGE);
	CHECK_INT(ta_fp_cell_of(&p, NAN, 0, &k), TA_FP_E_RANGE);
	CHECK_INT(ta_fp_cell_of(&p, 0, -INFINITY, &k), TA_FP_E_RANGE);
}

/*
 * Regression guard: the grid is part of the stored format, so these keys
 * must never change (a change would misalign old fingerprints).
 */
static void
test_grid_fixed_keys(void)
{
	TAFpGrid	g = grid(TA_FP_GEOGRAPHIC, 4326, 1000, 1);
	TAFpGrid	p = grid(TA_FP_PLANAR, 2154, 1000, 1);
	uint64_t	k;

	/* Paris, Notre-Dame */
	CHECK_INT(ta_fp_cell_of(&g, 2.3499, 48.8530, &k), TA_FP_OK);
	CHECK_INT(ta_fp_key_row(k), 5413);
	CHECK_INT(ta_fp_key_col(k), 13381);
	CHECK_INT(ta_fp_band_ncol(&g, 5413), 26418);
	/* Sydney Opera House */
	CHECK_INT(ta_fp_cell_of(&g, 151.2153, -33.8568, &k), TA_FP_OK);
	CHECK_INT(ta_fp_key_row(k), -3748);
	CHECK_INT(ta_fp_key_col(k), 30651);
	CHECK_INT(ta_fp_band_ncol(&g, -3748), 33315);
	/* Lambert-93 */
	CHECK_INT(ta_fp_cell_of(&p, 652469.0, 6862035.0, &k), TA_FP_OK);
	CHECK_INT(ta_fp_key_row(k), 6862);
	CHECK_INT(ta_fp_key_col(k), 652);
}

static void
test_polygon(void)
{
	TAFpGrid	g = grid(TA_FP_GEOGRAPHIC, 4326, 1000, 1);
	double		xy[2 * TA_FP_POLYGON_NPOINTS(3)];
	double		x0,
				y0,
				x1,
				y1,
				area2 = 0;
	uint64_t	k;
	uint32_t	n,
				i;

	CHECK_INT(ta_fp_cell_of(&g, 2.35, 48.85, &k), TA_FP_OK);
	CHECK_INT(ta_fp_cell_bounds(&g, k, &x0, &y0, &x1, &y1), TA_FP_OK);
	n = ta_fp_cell_polygon(&g, k, 1, xy);
	CHECK_INT(n, 5);
	CHECK(xy[0] == x0 && xy[1] == y0);
	CHECK(xy[2] == x1 && xy[3] == y0);
	CHECK(xy[4] == x1 && xy[5] == y1);
	CHECK(xy[6] == x0 && xy[7] == y1);
	CHECK(xy[8] == x0 && xy[9] == y0);

	n = ta_fp_cell_polygon(&g, k, 3, xy);
	CHECK_INT(n, 13);
	CHECK(xy[0] == xy[2 * (n - 1)] && xy[1] == xy[2 * (n - 1) + 1]);
	for (i = 0; i + 1 < n; i++)
	{
		double		x = xy[2 * i],
					y = xy[2 * i + 1];

		/* on the outline */
		CHECK(x >= x0 && x <= x1 && y >= y0 && y <= y1);
		CHECK(x == x0 || x == x1 || y == y0 || y == y1);
		area2 += xy[2 * i] * xy[2 * i + 3] - xy[2 * i + 2] * xy[2 * i + 1];
	}
	/* counter-clockwise, the rectangle's area */
	CHECK_NEAR(area2 / 2, (x1 - x0) * (y1 - y0), 1e-12);
	CHECK_INT(ta_fp_cell_polygon(&g, k, 0, xy), 0);
	CHECK_INT(ta_fp_cell_polygon(&g, ta_fp_key(0, -1), 1, xy), 0);
}

/* ---------- accumulators and fingerprints ---------- */

static TAFpAcc *
acc_new(TAFpKind kind, double cell_m, unsigned flags)
{
	TAFpGrid	g = grid(kind, kind == TA_FP_GEOGRAPHIC ? 4326 : 3857, cell_m, 1);
	TAFpAcc    *acc = ta_fp_acc_create(&g, flags, &AL);

	if (acc == NULL)
		abort();
	return acc;
}

static void
finalize(TAFpAcc *acc, TAFingerprint *fp)
{
	if (ta_fp_acc_finalize(acc, &AL, fp) != TA_FP_OK)
		abort();
}

/* planar 100 m cells, counts[i] points in column i of row 0 */
static void
fp_from_counts(TAFingerprint *fp, const int64_t *counts, int n)
{
	TAFpAcc    *acc = acc_new(TA_FP_PLANAR, 100, 0);
	int			i;
	int64_t		k;

	for (i = 0; i < n; i++)
		for (k = 0; k < counts[i]; k++)
			if (ta_fp_acc_add(acc, i * 100.0 + 50.0, 50.0, -1, NULL) != TA_FP_OK)
				abort();
	finalize(acc, fp);
	ta_fp_acc_free(acc);
}

/* binary of fp, malloc'd */
static uint8_t *
to_binary(const TAFingerprint *fp, size_t *len)
{
	size_t		n = ta_fp_to_binary(fp, NULL, 0);
	uint8_t    *b = malloc(n);

	if (b == NULL || ta_fp_to_binary(fp, b, n) != n)
		abort();
	*len = n;
	return b;
}

static char *
to_text(const TAFingerprint *fp)
{
	size_t		n = ta_fp_to_text(fp, NULL, 0);
	char	   *t = malloc(n + 1);

	if (t == NULL || ta_fp_to_text(fp, t, n + 1) != n || strlen(t) != n)
		abort();
	return t;
}

static int
same_fp(const TAFingerprint *a, const TAFingerprint *b)
{
	size_t		la,
				lb;
	uint8_t    *ba = to_binary(a, &la),
			   *bb = to_binary(b, &lb);
	int			same = la == lb && memcmp(ba, bb, la) == 0;

	free(ba);
	free(bb);
	return same;
}

/* a fingerprint is valid iff its binary parses back */
static int
valid_fp(const TAFingerprint *fp, TAFpError *err)
{
	size_t		len;
	uint8_t    *b = to_binary(fp, &len);
	TAFingerprint back;
	TAFpStatus	st = ta_fp_from_binary(b, len, &AL, &back, err);

	free(b);
	if (st == TA_FP_OK)
		ta_fp_free(&back, &AL);
	return st == TA_FP_OK;
}

static void
test_accumulator_args(void)
{
	TAFpAcc    *plain = acc_new(TA_FP_GEOGRAPHIC, 1000, 0);
	TAFpAcc    *full = acc_new(TA_FP_GEOGRAPHIC, 1000, TA_FP_F_ALL);
	TAFpGrid	g = grid(TA_FP_GEOGRAPHIC, 4326, 1000, 1);
	uint64_t	dev = 1;
	TAFingerprint fp;

	CHECK(ta_fp_acc_create(&g, 0x10, &AL) == NULL);
	CHECK_INT(ta_fp_acc_add(plain, 1, 1, 3, NULL), TA_FP_E_ARG);
	CHECK_INT(ta_fp_acc_add(plain, 1, 1, -1, &dev), TA_FP_E_ARG);
	CHECK_INT(ta_fp_acc_add(full, 1, 1, 24, &dev), TA_FP_E_ARG);
	CHECK_INT(ta_fp_acc_add(full, 1, 1, -2, &dev), TA_FP_E_ARG);
	CHECK_INT(ta_fp_acc_add(full, 1, 91, 3, &dev), TA_FP_E_RANGE);
	CHECK_INT(ta_fp_acc_add(full, 1, NAN, 3, &dev), TA_FP_E_RANGE);
	/* errors leave the accumulator usable and unchanged */
	CHECK_INT(ta_fp_acc_points(full), 0);
	CHECK_INT(ta_fp_acc_cells(full), 0);
	CHECK_INT(ta_fp_acc_add(full, 1, 1, 3, &dev), TA_FP_OK);
	CHECK_INT(ta_fp_acc_add(full, 1, 1, -1, NULL), TA_FP_OK);
	CHECK_INT(ta_fp_acc_add(plain, 1, 1, -1, NULL), TA_FP_OK);
	CHECK_INT(ta_fp_acc_points(full), 2);
	finalize(full, &fp);
	CHECK_INT(fp.ncells, 1);
	CHECK_INT(fp.points, 2);
	CHECK_INT(fp.devices, 1);
	CHECK_INT(fp.cells[0].devices, 1);
	CHECK_INT(fp.nhours, 1);
	CHECK_INT(fp.hours[0].hour, 3);
	CHECK_INT(fp.hour_devices[3], 1);
	ta_fp_free(&fp, &AL);
	/* empty */
	ta_fp_acc_free(plain);
	plain = acc_new(TA_FP_PLANAR, 1000, 0);
	finalize(plain, &fp);
	CHECK_INT(fp.ncells, 0);
	CHECK(fp.cells == NULL && fp.hours == NULL);
	CHECK(valid_fp(&fp, NULL));
	ta_fp_free(&fp, &AL);
	ta_fp_acc_free(plain);
	ta_fp_acc_free(full);
}

/* random rows, and what the fingerprint must say computed by brute force */
typedef struct Row
{
	double		x,
				y;
	int			hour;
	int			has_dev;
	uint64_t	dev;
} Row;

static void
random_rows(Row *rows, int n, int ndev, int spread, int seed)
{
	int			i;

	rng_state = (uint64_t) seed;
	for (i = 0; i < n; i++)
	{
		/* a few dense spots and a sprinkle, in lon/lat around Lyon */
		double		cx = 4.8 + 0.01 * (double) (rng() % (uint64_t) spread);
		double		cy = 45.7 + 0.01 * (double) (rng() % 3);

		rows[i].x = cx + urand(-0.004, 0.004);
		rows[i].y = cy + urand(-0.004, 0.004);
		rows[i].hour = rng() % 5 == 0 ? -1 : (int) (rng() % 24);
		rows[i].has_dev = rng() % 17 != 0;
		/* large device keys: only the low 59 bits must matter */
		rows[i].dev = (rng() % (uint64_t) ndev) * 0x100000001ULL + 3;
	}
}

static void
add_rows(TAFpAcc *acc, const Row *rows, int from, int to, int step)
{
	int			i;

	for (i = from; i < to; i += step)
		if (ta_fp_acc_add(acc, rows[i].x, rows[i].y, rows[i].hour,
						  rows[i].has_dev ? &rows[i].dev : NULL) != TA_FP_OK)
			abort();
}

typedef struct Triple
{
	uint64_t	cell;
	uint64_t	dev;
	int			hour;			/* 24 = any */
} Triple;

static int
cmp_triple(const void *pa, const void *pb)
{
	const Triple *a = pa,
			   *b = pb;

	if (a->cell != b->cell)
		return a->cell < b->cell ? -1 : 1;
	if (a->hour != b->hour)
		return a->hour < b->hour ? -1 : 1;
	if (a->dev != b->dev)
		return a->dev < b->dev ? -1 : 1;
	return 0;
}

/* distinct (cell, hour, dev) triples of rows, with cell = ~0 for "all cells" */
static size_t
distinct_triples(const TAFpGrid *g, const Row *rows, int n, Triple *t)
{
	size_t		m = 0,
				k,
				out = 0;
	int			i;

	for (i = 0; i < n; i++)
	{
		uint64_t	cell;

		if (!rows[i].has_dev)
			continue;
		if (ta_fp_cell_of(g, rows[i].x, rows[i].y, &cell) != TA_FP_OK)
			abort();
		t[m++] = (Triple) {cell, rows[i].dev, 24};
		t[m++] = (Triple) {~0ULL, rows[i].dev, 24};
		if (rows[i].hour >= 0)
		{
			t[m++] = (Triple) {cell, rows[i].dev, rows[i].hour};
			t[m++] = (Triple) {~0ULL, rows[i].dev, rows[i].hour};
		}
	}
	qsort(t, m, sizeof(Triple), cmp_triple);
	for (k = 0; k < m; k++)
		if (out == 0 || cmp_triple(&t[out - 1], &t[k]) != 0)
			t[out++] = t[k];
	return out;
}

static int64_t
count_triples(const Triple *t, size_t n, uint64_t cell, int hour)
{
	size_t		k;
	int64_t		c = 0;

	for (k = 0; k < n; k++)
		c += t[k].cell == cell && t[k].hour == hour;
	return c;
}

/*
 * Exact counts against brute force: ndev devices in random order (so the
 * per-device memo is rehashed, evicted by nothing, and hit and missed).
 */
static void
exact_counts(int ndev, int seed)
{
	enum
	{
	N = 6000};
	Row		   *rows = malloc(sizeof(Row) * N);
	Triple	   *t = malloc(sizeof(Triple) * 4 * N);
	TAFpAcc    *acc = acc_new(TA_FP_GEOGRAPHIC, 300, TA_FP_F_ALL);
	TAFingerprint fp;
	size_t		nt;
	uint32_t	i,
				k;
	int			h,
				r;
	int64_t		hp[TA_FP_NHOURS];
	TAFpError	err;

	random_rows(rows, N, ndev, 6, seed);
	add_rows(acc, rows, 0, N, 1);
	finalize(acc, &fp);
	CHECKF(valid_fp(&fp, &err), "%s", err.message);
	nt = distinct_triples(&fp.grid, rows, N, t);

	CHECK_INT(fp.points, N);
	CHECK_INT(fp.devices, count_triples(t, nt, ~0ULL, 24));
	for (h = 0; h < TA_FP_NHOURS; h++)
		CHECK_INT(fp.hour_devices[h], count_triples(t, nt, ~0ULL, h));
	for (i = 0; i < fp.ncells; i++)
	{
		const TAFpCell *c = &fp.cells[i];
		int64_t		pts = 0;

		memset(hp, 0, sizeof(hp));
		for (r = 0; r < N; r++)
		{
			uint64_t	key;

			ta_fp_cell_of(&fp.grid, rows[r].x, rows[r].y, &key);
			if (key != c->key)
				continue;
			pts++;
			if (rows[r].hour >= 0)
				hp[rows[r].hour]++;
		}
		CHECK_INT(c->points, pts);
		CHECK_INT(c->devices, count_triples(t, nt, c->key, 24));
		for (k = 0; k < c->hour_count; k++)
		{
			const TAFpHour *e = &fp.hours[c->hour_first + k];

			CHECK_INT(e->points, hp[e->hour]);
			CHECK_INT(e->devices, count_triples(t, nt, c->key, e->hour));
			hp[e->hour] = 0;
		}
		for (h = 0; h < TA_FP_NHOURS; h++)
			CHECK_INT(hp[h], 0);
	}
	printf("  %d rows: %u cells, %lld devices, %zu hour entries\n", N, fp.ncells,
		   (long long) fp.devices, fp.nhours);
	ta_fp_free(&fp, &AL);
	ta_fp_acc_free(acc);
	free(rows);
	free(t);
}

static void
test_exact_counts(void)
{
	exact_counts(40, 1);
	exact_counts(700, 5);
}

/* merging parts in any split gives the whole, byte for byte */
static void
test_merge(void)
{
	enum
	{
	N = 8000};
	Row		   *rows = malloc(sizeof(Row) * N);
	unsigned	flags[] = {0, TA_FP_F_HOURS, TA_FP_F_DEVICES, TA_FP_F_ALL};
	size_t		f;
	TAFpError	err;

	random_rows(rows, N, 60, 9, 2);
	for (f = 0; f < 4; f++)
	{
		TAFpAcc    *whole = acc_new(TA_FP_GEOGRAPHIC, 500, flags[f]);
		TAFpAcc    *a = acc_new(TA_FP_GEOGRAPHIC, 500, flags[f]);
		TAFpAcc    *b = acc_new(TA_FP_GEOGRAPHIC, 500, flags[f]);
		TAFpAcc    *parts[4];
		TAFpAcc    *empty = acc_new(TA_FP_GEOGRAPHIC, 500, flags[f]);
		TAFingerprint fw,
					fm,
					fq;
		int			i;
		Row		   *r = malloc(sizeof(Row) * N);

		/* rows without what the flags do not record */
		for (i = 0; i < N; i++)
		{
			r[i] = rows[i];
			if (!(flags[f] & TA_FP_F_HOURS))
				r[i].hour = -1;
			if (!(flags[f] & TA_FP_F_DEVICES))
				r[i].has_dev = 0;
		}
		add_rows(whole, r, 0, N, 1);
		finalize(whole, &fw);
		CHECK(valid_fp(&fw, NULL));

		/* two contiguous halves */
		add_rows(a, r, 0, N / 2, 1);
		add_rows(b, r, N / 2, N, 1);
		CHECK_INT(ta_fp_acc_merge(a, b, &err), TA_FP_OK);
		CHECK_INT(ta_fp_acc_merge(a, empty, &err), TA_FP_OK);
		finalize(a, &fm);
		CHECK(same_fp(&fw, &fm));

		/*
		 * four interleaved quarters, merged into an empty one; settled
		 * first, so a cell of the merged log is up to four sorted runs
		 */
		for (i = 0; i < 4; i++)
		{
			parts[i] = acc_new(TA_FP_GEOGRAPHIC, 500, flags[f]);
			add_rows(parts[i], r, i, N, 4);
			CHECK_INT(ta_fp_acc_settle(parts[i]), TA_FP_OK);
		}
		CHECK_INT(ta_fp_acc_merge(empty, parts[3], &err), TA_FP_OK);
		CHECK_INT(ta_fp_acc_merge(parts[1], parts[0], &err), TA_FP_OK);
		CHECK_INT(ta_fp_acc_merge(parts[2], parts[1], &err), TA_FP_OK);
		CHECK_INT(ta_fp_acc_merge(empty, parts[2], &err), TA_FP_OK);
		finalize(empty, &fq);
		CHECK(same_fp(&fw, &fq));
		CHECK_INT(ta_fp_acc_merge(empty, empty, &err), TA_FP_E_ARG);

		ta_fp_free(&fw, &AL);
		ta_fp_free(&fm, &AL);
		ta_fp_free(&fq, &AL);
		for (i = 0; i < 4; i++)
			ta_fp_acc_free(parts[i]);
		ta_fp_acc_free(whole);
		ta_fp_acc_free(a);
		ta_fp_acc_free(b);
		ta_fp_acc_free(empty);
		free(r);
	}
	/* different grids or flags */
	{
		TAFpAcc    *a = acc_new(TA_FP_GEOGRAPHIC, 500, 0);
		TAFpAcc    *b = acc_new(TA_FP_GEOGRAPHIC, 501, 0);
		TAFpAcc    *c = acc_new(TA_FP_GEOGRAPHIC, 500, TA_FP_F_HOURS);

		CHECK_INT(ta_fp_acc_merge(a, b, &err), TA_FP_E_INCOMPATIBLE);
		CHECK_INT(ta_fp_acc_merge(a, c, &err), TA_FP_E_INCOMPATIBLE);
		ta_fp_acc_free(a);
		ta_fp_acc_free(b);
		ta_fp_acc_free(c);
	}
	free(rows);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *) a,
				y = *(const uint64_t *) b;

	return x < y ? -1 : x > y;
}

/*
 * The accumulator's row cache (built after a few thousand points) and its
 * column without a division give the cells ta_fp_cell_of gives, also for
 * latitudes and longitudes on, just above and just below cell edges, at
 * several cell sizes (1 m cells: 4e7 columns at the equator).
 */
static void
test_row_cache(void)
{
	static const double sizes[] = {1000.0, 137.5, 50000.0, 7.0, 1.0};
	static const double offsets[] = {0.0, 1e-12, -1e-12, 1e-10, -1e-10, 1e-9, -1e-9, 2e-9, -2e-9, 1e-7, -1e-7};
	enum
	{
	NRAND = 6000, NEDGE = 400};
	size_t		z;

	for (z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++)
	{
		TAFpGrid	g = grid(TA_FP_GEOGRAPHIC, 4326, sizes[z], 1);
		TAFpAcc    *acc = acc_new(TA_FP_GEOGRAPHIC, sizes[z], 0);
		size_t		n = NRAND + NEDGE * (2 * (sizeof(offsets) / sizeof(offsets[0])) + 4),
					k = 0,
					i,
					c;
		uint64_t   *keys = malloc(n * sizeof(uint64_t));
		double	   *ys = malloc(n * sizeof(double));
		double	   *xs = malloc(n * sizeof(double));
		TAFingerprint fp;
		int			ok = 1;

		rng_state = 7 + z;
		/* random points first, so the cache exists when the edges come */
		for (i = 0; i < NRAND; i++, k++)
		{
			xs[k] = urand(4.0, 5.0);
			ys[k] = urand(45.0, fmin(89.0, 45.0 + 300.0 * sizes[z] / 111000.0));
		}
		for (i = 0; i < NEDGE; i++)
		{
			uint64_t	key;
			double		x0,
						y0,
						x1,
						y1;
			size_t		o;

			CHECK_INT(ta_fp_cell_of(&g, 4.5, ys[i], &key), TA_FP_OK);
			CHECK_INT(ta_fp_cell_bounds(&g, key, &x0, &y0, &x1, &y1), TA_FP_OK);
			for (o = 0; o < sizeof(offsets) / sizeof(offsets[0]); o++, k++)
			{
				xs[k] = 4.5;
				ys[k] = y0 + offsets[o];
			}
			/* column edges, at the random point's latitude */
			CHECK_INT(ta_fp_cell_of(&g, xs[i], ys[i], &key), TA_FP_OK);
			CHECK_INT(ta_fp_cell_bounds(&g, key, &x0, &y0, &x1, &y1), TA_FP_OK);
			for (o = 0; o < sizeof(offsets) / sizeof(offsets[0]); o++, k++)
			{
				xs[k] = x0 + offsets[o];
				ys[k] = ys[i];
			}
			xs[k] = nextafter(x0, -INFINITY);
			ys[k++] = ys[i];
			xs[k] = nextafter(x0, INFINITY);
			ys[k++] = ys[i];
			xs[k] = nextafter(x1, -INFINITY);
			ys[k++] = ys[i];
			xs[k] = x1;
			ys[k++] = ys[i];
		}
		for (i = 0; i < n; i++)
		{
			CHECK_INT(ta_fp_acc_add(acc, xs[i], ys[i], -1, NULL), TA_FP_OK);
			CHECK_INT(ta_fp_cell_of(&g, xs[i], ys[i], &keys[i]), TA_FP_OK);
		}
		finalize(acc, &fp);
		qsort(keys, n, sizeof(uint64_t), cmp_u64);
		/* the fingerprint's cells are the distinct keys with their counts */
		for (i = 0, c = 0; i < n; c++)
		{
			size_t		j = i;

			while (j < n && keys[j] == keys[i])
				j++;
			if (c >= fp.ncells || fp.cells[c].key != keys[i] ||
				fp.cells[c].points != (int64_t) (j - i))
				ok = 0;
			i = j;
		}
		CHECKF(ok && c == fp.ncells, "cell size %g m: the accumulator's cells differ from ta_fp_cell_of's", sizes[z]);
		ta_fp_free(&fp, &AL);
		ta_fp_acc_free(acc);
		free(keys);
		free(ys);
		free(xs);
	}
}

/* fingerprints of disjoint devices add up to the whole, and subtract back */
static void
test_add_subtract(void)
{
	enum
	{
	N = 6000};
	Row		   *rows = malloc(sizeof(Row) * N);
	unsigned	flags[] = {0, TA_FP_F_HOURS, TA_FP_F_DEVICES, TA_FP_F_ALL};
	size_t		f;
	TAFpError	err;

	random_rows(rows, N, 40, 9, 5);
	for (f = 0; f < 4; f++)
	{
		TAFpAcc    *whole = acc_new(TA_FP_GEOGRAPHIC, 500, flags[f]);
		TAFpAcc    *even = acc_new(TA_FP_GEOGRAPHIC, 500, flags[f]);
		TAFpAcc    *odd = acc_new(TA_FP_GEOGRAPHIC, 500, flags[f]);
		TAFpAcc    *none = acc_new(TA_FP_GEOGRAPHIC, 500, flags[f]);
		TAFingerprint fw,
					fe,
					fo,
					fn,
					sum,
					diff,
					zero;
		int			i;

		for (i = 0; i < N; i++)
		{
			Row			r = rows[i];

			if (!(flags[f] & TA_FP_F_HOURS))
				r.hour = -1;
			if (!(flags[f] & TA_FP_F_DEVICES))
				r.has_dev = 0;
			add_rows(whole, &r, 0, 1, 1);
			/* devices split by parity: disjoint sets */
			add_rows(((rows[i].dev / 0x100000001ULL) & 1) ? odd : even, &r, 0, 1, 1);
		}
		finalize(whole, &fw);
		finalize(even, &fe);
		finalize(odd, &fo);
		finalize(none, &fn);

		CHECK_INT(ta_fp_add(&fe, &fo, 1, &AL, &sum, &err), TA_FP_OK);
		CHECK(same_fp(&fw, &sum));
		CHECK_INT(ta_fp_add(&fw, &fo, -1, &AL, &diff, &err), TA_FP_OK);
		CHECK(same_fp(&fe, &diff));
		ta_fp_free(&diff, &AL);
		CHECK_INT(ta_fp_add(&fw, &fn, 1, &AL, &diff, &err), TA_FP_OK);
		CHECK(same_fp(&fw, &diff));
		ta_fp_free(&diff, &AL);
		CHECK_INT(ta_fp_add(&fw, &fw, -1, &AL, &zero, &err), TA_FP_OK);
		CHECK(same_fp(&fn, &zero));
		ta_fp_free(&zero, &AL);
		/* odd is not part of even: points go negative somewhere */
		CHECK_INT(ta_fp_add(&fe, &fo, -1, &AL, &diff, &err), TA_FP_E_ARG);
		CHECK(strstr(err.message, "not part of") != NULL);
		/* flags must match */
		if (f > 0)
		{
			TAFpAcc    *plain = acc_new(TA_FP_GEOGRAPHIC, 500, 0);
			TAFingerprint fp;

			finalize(plain, &fp);
			CHECK_INT(ta_fp_add(&fw, &fp, 1, &AL, &diff, &err), TA_FP_E_INCOMPATIBLE);
			ta_fp_free(&fp, &AL);
			ta_fp_acc_free(plain);
		}
		ta_fp_free(&sum, &AL);
		ta_fp_free(&fw, &AL);
		ta_fp_free(&fe, &AL);
		ta_fp_free(&fo, &AL);
		ta_fp_free(&fn, &AL);
		ta_fp_acc_free(whole);
		ta_fp_acc_free(even);
		ta_fp_acc_free(odd);
		ta_fp_acc_free(none);
	}
	/* different cell sizes */
	{
		TAFpAcc    *a = acc_new(TA_FP_GEOGRAPHIC, 500, 0);
		TAFpAcc    *b = acc_new(TA_FP_GEOGRAPHIC, 1000, 0);
		TAFingerprint fa,
					fb,
					out;

		finalize(a, &fa);
		finalize(b, &fb);
		CHECK_INT(ta_fp_add(&fa, &fb, 1, &AL, &out, &err), TA_FP_E_INCOMPATIBLE);
		ta_fp_free(&fa, &AL);
		ta_fp_free(&fb, &AL);
		ta_fp_acc_free(a);
		ta_fp_acc_free(b);
	}
	free(rows);
}

/* serialize -> deserialize of states, as a parallel plan does */
static void
test_state_round_trip(void)
{
	enum
	{
	N = 5000};
	Row		   *rows = malloc(sizeof(Row) * N);
	TAFpAcc    *whole = acc_new(TA_FP_GEOGRAPHIC, 400, TA_FP_F_ALL);
	TAFpAcc    *a = acc_new(TA_FP_GEOGRAPHIC, 400, TA_FP_F_ALL);
	TAFpAcc    *b = acc_new(TA_FP_GEOGRAPHIC, 400, TA_FP_F_ALL);
	TAFpAcc    *a2,
			   *b2;
	TAFingerprint fw,
				fm;
	size_t		la,
				lb,
				i;
	uint8_t    *sa,
			   *sb;
	TAFpError	err;
	int			accepted = 0,
				rejected = 0;

	random_rows(rows, N, 30, 5, 3);
	add_rows(whole, rows, 0, N, 1);
	add_rows(a, rows, 0, N, 2);
	add_rows(b, rows, 1, N, 2);
	la = ta_fp_acc_serialize(a, NULL, 0);
	CHECK(ta_fp_acc_serial_bound(a) >= la);
	sa = malloc(la);
	CHECK_INT(ta_fp_acc_serialize(a, sa, la), la);
	lb = ta_fp_acc_serialize(b, NULL, 0);
	CHECK(ta_fp_acc_serial_bound(b) >= lb);
	sb = malloc(lb);
	CHECK_INT(ta_fp_acc_serialize(b, sb, lb), lb);
	CHECK_INT(ta_fp_acc_deserialize(sa, la, &AL, &a2, &err), TA_FP_OK);
	CHECK_INT(ta_fp_acc_deserialize(sb, lb, &AL, &b2, &err), TA_FP_OK);
	if (a2 && b2)
	{
		CHECK_INT(ta_fp_acc_merge(a2, b2, &err), TA_FP_OK);
		/* the rebuilt state keeps accumulating */
		CHECK_INT(ta_fp_acc_add(a2, 4.8, 45.7, 5, &rows[0].dev), TA_FP_OK);
		CHECK_INT(ta_fp_acc_add(whole, 4.8, 45.7, 5, &rows[0].dev), TA_FP_OK);
		finalize(whole, &fw);
		finalize(a2, &fm);
		CHECK(same_fp(&fw, &fm));
		ta_fp_free(&fw, &AL);
		ta_fp_free(&fm, &AL);
	}
	ta_fp_acc_free(a2);
	ta_fp_acc_free(b2);

	/* truncations and bit flips of a state: rejected, or a valid state */
	for (i = 0; i < lb; i++)
	{
		uint8_t    *c = unit_exact_copy(sb, i);
		TAFpAcc    *x;

		CHECKF(ta_fp_acc_deserialize(c, i, &AL, &x, &err) == TA_FP_E_FORMAT,
			   "prefix %zu accepted", i);
		free(c);
	}
	for (i = 0; i < lb * 8; i += (lb > 4000 ? 7 : 1))
	{
		uint8_t    *c = unit_exact_copy(sb, lb);
		TAFpAcc    *x;
		TAFpStatus	st;

		c[i / 8] ^= (uint8_t) (1u << (i % 8));
		st = ta_fp_acc_deserialize(c, lb, &AL, &x, &err);
		if (st == TA_FP_OK)
		{
			TAFingerprint fx;

			accepted++;
			CHECK_INT(ta_fp_acc_finalize(x, &AL, &fx), TA_FP_OK);
			CHECK(valid_fp(&fx, NULL));
			ta_fp_free(&fx, &AL);
			ta_fp_acc_free(x);
		}
		else
		{
			rejected++;
			CHECK(x == NULL);
			CHECK(st == TA_FP_E_FORMAT);
		}
		free(c);
	}
	printf("  state of %zu bytes: %d bit flips accepted (still valid), %d rejected\n",
		   lb, accepted, rejected);
	ta_fp_acc_free(whole);
	ta_fp_acc_free(a);
	ta_fp_acc_free(b);
	free(sa);
	free(sb);
	free(rows);
}

/* varint helper for hand-made states */
static size_t
put_varint(uint8_t *p, uint64_t v)
{
	size_t		n = 0;

	while (v >= 0x80)
	{
		p[n++] = (uint8_t) (v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t) v;
	return n;
}

static void
test_overflow(void)
{
	TAFpAcc    *a = acc_new(TA_FP_PLANAR, 100, TA_FP_F_HOURS);
	TAFpAcc    *b = acc_new(TA_FP_PLANAR, 100, TA_FP_F_HOURS),
			   *big;
	uint8_t		st[512];
	size_t		n = ta_fp_acc_serialize(a, st, sizeof(st));
	TAFpError	err;
	int			h;

	/* a state with one cell holding 2^32 - 1 points at hour 8 */
	n -= 1;						/* drop "0 cells" */
	n += put_varint(st + n, 1);
	n += put_varint(st + n, ta_fp_key(0, 0));
	n += put_varint(st + n, UINT32_MAX);
	for (h = 0; h < TA_FP_NHOURS; h++)
		n += put_varint(st + n, h == 8 ? UINT32_MAX : 0);
	CHECK_INT(ta_fp_acc_deserialize(st, n, &AL, &big, &err), TA_FP_OK);
	if (big)
	{
		CHECK_INT(ta_fp_acc_points(big), UINT32_MAX);
		CHECK_INT(ta_fp_acc_add(b, 50, 50, 8, NULL), TA_FP_OK);
		CHECK_INT(ta_fp_acc_merge(big, b, &err), TA_FP_E_OVERFLOW);
		/* a failed accumulator refuses everything after */
		CHECK_INT(ta_fp_acc_add(big, 50, 50, 9, NULL), TA_FP_E_OVERFLOW);
		ta_fp_acc_free(big);
	}
	CHECK_INT(ta_fp_acc_deserialize(st, n, &AL, &big, &err), TA_FP_OK);
	if (big)
	{
		TAFingerprint fp;

		CHECK_INT(ta_fp_acc_add(big, 50, 50, 9, NULL), TA_FP_OK);
		CHECK_INT(ta_fp_acc_add(big, 50, 50, 8, NULL), TA_FP_E_OVERFLOW);
		CHECK_INT(ta_fp_acc_finalize(big, &AL, &fp), TA_FP_E_OVERFLOW);
		ta_fp_acc_free(big);
	}
	/* hour points above the cell's */
	st[n - 15] = 1;				/* hour 9 = 1 on top of hour 8 = 2^32 - 1 */
	CHECK_INT(ta_fp_acc_deserialize(st, n, &AL, &big, &err), TA_FP_E_FORMAT);
	ta_fp_acc_free(a);
	ta_fp_acc_free(b);

	/* a device's run overflows its hour when it reaches the cell */
	a = acc_new(TA_FP_PLANAR, 100, TA_FP_F_ALL);
	n = ta_fp_acc_serialize(a, st, sizeof(st)) - 2;	/* drop "0 cells, 0 elements" */
	n += put_varint(st + n, 1);
	n += put_varint(st + n, ta_fp_key(0, 0));
	n += put_varint(st + n, UINT32_MAX - 1);
	for (h = 0; h < TA_FP_NHOURS; h++)
		n += put_varint(st + n, h == 8 ? UINT32_MAX - 1 : 0);
	n += put_varint(st + n, 0);	/* no device elements */
	n += put_varint(st + n, 0);	/* none in the cell */
	CHECK_INT(ta_fp_acc_deserialize(st, n, &AL, &big, &err), TA_FP_OK);
	if (big)
	{
		TAFingerprint fp;
		uint64_t	dev = 5;

		CHECK_INT(ta_fp_acc_add(big, 50, 50, 8, &dev), TA_FP_OK);
		CHECK_INT(ta_fp_acc_add(big, 50, 50, 8, &dev), TA_FP_OK);
		CHECK_INT(ta_fp_acc_finalize(big, &AL, &fp), TA_FP_E_OVERFLOW);
		CHECK_INT(ta_fp_acc_add(big, 50, 50, 9, &dev), TA_FP_E_OVERFLOW);
		ta_fp_acc_free(big);
	}
	ta_fp_acc_free(a);
}

/*
 * Device runs and the device log: a run longer than the memo's counter, a
 * feed where every row starts a run (so the log compacts), and
 * finalize in the middle of a feed (a window aggregate), all against the
 * same rows added in an order of long runs.
 */
static int
cmp_row_run(const void *pa, const void *pb)
{
	const Row  *a = pa,
			   *b = pb;

	if (a->dev != b->dev)
		return a->dev < b->dev ? -1 : 1;
	if (a->x != b->x)
		return a->x < b->x ? -1 : 1;
	return a->hour - b->hour;
}

static void
test_runs_and_log(void)
{
	enum
	{
	N = 1500000};
	TAFpAcc    *acc = acc_new(TA_FP_GEOGRAPHIC, 1000, TA_FP_F_ALL);
	TAFpAcc    *runs;
	TAFingerprint fp,
				fr,
				mid;
	Row		   *rows = malloc(sizeof(Row) * N);
	uint64_t	dev = 7;
	int			i;

	/* one run of 200 000 points: flushed as it goes, counted once */
	for (i = 0; i < 200000; i++)
		CHECK_INT(ta_fp_acc_add(acc, 4.8, 45.7, 3, &dev), TA_FP_OK);
	CHECK_INT(ta_fp_acc_add(acc, 4.8, 45.7, 3, NULL), TA_FP_OK);
	finalize(acc, &fp);
	CHECK_INT(fp.ncells, 1);
	CHECK_INT(fp.cells[0].points, 200001);
	CHECK_INT(fp.cells[0].devices, 1);
	CHECK_INT(fp.nhours, 1);
	CHECK_INT(fp.hours[0].points, 200001);
	CHECK_INT(fp.hours[0].devices, 1);
	CHECK_INT(fp.devices, 1);
	CHECK_INT(fp.hour_devices[3], 1);
	ta_fp_free(&fp, &AL);
	ta_fp_acc_free(acc);

	/* 100 devices, each row in another of 3 cells than the device's last */
	for (i = 0; i < N; i++)
	{
		rows[i].x = 4.8 + 0.02 * ((i / 100) % 3);
		rows[i].y = 45.7;
		rows[i].hour = (i / 1000) % 24;
		rows[i].has_dev = 1;
		rows[i].dev = (uint64_t) (i % 100);
	}
	acc = acc_new(TA_FP_GEOGRAPHIC, 1000, TA_FP_F_ALL);
	add_rows(acc, rows, 0, N / 2, 1);
	finalize(acc, &mid);
	add_rows(acc, rows, N / 2, N, 1);
	finalize(acc, &fp);

	/*
	 * The same rows in one go: 1.5 million runs of 7 200 distinct elements.
	 * The log is compacted at a million entries (24 MB); uncompacted, it
	 * would take 48 MB.
	 */
	runs = acc_new(TA_FP_GEOGRAPHIC, 1000, TA_FP_F_ALL);
	add_rows(runs, rows, 0, N, 1);
	CHECKF(ta_fp_acc_memory(runs) < 32u << 20, "%zu bytes", ta_fp_acc_memory(runs));
	finalize(runs, &fr);
	CHECK(same_fp(&fp, &fr));
	ta_fp_free(&fr, &AL);
	ta_fp_acc_free(runs);

	runs = acc_new(TA_FP_GEOGRAPHIC, 1000, TA_FP_F_ALL);
	add_rows(runs, rows, 0, N / 2, 1);
	qsort(rows, N / 2, sizeof(Row), cmp_row_run);
	ta_fp_acc_free(runs);
	runs = acc_new(TA_FP_GEOGRAPHIC, 1000, TA_FP_F_ALL);
	add_rows(runs, rows, 0, N / 2, 1);
	finalize(runs, &fr);
	CHECK(same_fp(&mid, &fr));
	ta_fp_free(&fr, &AL);
	qsort(rows, N, sizeof(Row), cmp_row_run);
	ta_fp_acc_free(runs);
	runs = acc_new(TA_FP_GEOGRAPHIC, 1000, TA_FP_F_ALL);
	add_rows(runs, rows, 0, N, 1);
	finalize(runs, &fr);
	CHECK(same_fp(&fp, &fr));
	CHECK_INT(fp.devices, 100);
	CHECK_INT(fp.ncells, 3);
	CHECK_INT(fp.cells[0].devices, 100);
	printf("  %d rows in runs of one: %zu bytes\n", N, ta_fp_acc_memory(acc));
	ta_fp_free(&fp, &AL);
	ta_fp_free(&fr, &AL);
	ta_fp_free(&mid, &AL);
	ta_fp_acc_free(acc);
	ta_fp_acc_free(runs);
	free(rows);
}

/* every allocation failing in turn: an error, never a crash or a leak */
static void
test_out_of_memory(void)
{
	enum
	{
	N = 3000};
	Row		   *rows = malloc(sizeof(Row) * N);
	TAFpGrid	g = grid(TA_FP_GEOGRAPHIC, 4326, 200, 1);
	TAFpAcc    *ref = acc_new(TA_FP_GEOGRAPHIC, 200, TA_FP_F_ALL);
	TAFingerprint fref;
	size_t		blen;
	uint8_t    *bin;
	char	   *text;
	long		budget;
	int			nomem_add = 0,
				nomem_parse = 0;

	random_rows(rows, N, 50, 8, 4);
	add_rows(ref, rows, 0, N, 1);
	finalize(ref, &fref);
	bin = to_binary(&fref, &blen);
	text = to_text(&fref);
	for (budget = 0; budget < 40; budget++)
	{
		Budget		b = {budget};
		TAFpAlloc	al = {t_alloc, t_realloc, t_free, &b};
		TAFpAcc    *acc = ta_fp_acc_create(&g, TA_FP_F_ALL, &al);
		TAFingerprint fp;
		TAFpError	err;
		TAFpStatus	st = TA_FP_OK;
		int			i;

		if (acc)
		{
			for (i = 0; i < N && st == TA_FP_OK; i++)
				st = ta_fp_acc_add(acc, rows[i].x, rows[i].y, rows[i].hour,
								   rows[i].has_dev ? &rows[i].dev : NULL);
			if (st != TA_FP_OK)
			{
				nomem_add++;
				CHECK_INT(st, TA_FP_E_NOMEM);
				CHECK_INT(ta_fp_acc_add(acc, rows[0].x, rows[0].y, -1, NULL), TA_FP_E_NOMEM);
				CHECK_INT(ta_fp_acc_finalize(acc, &AL, &fp), TA_FP_E_NOMEM);
			}
			else
			{
				/* enough for adding: finalize may still run short */
				st = ta_fp_acc_finalize(acc, &al, &fp);
				CHECK(st == TA_FP_OK || st == TA_FP_E_NOMEM);
				if (st == TA_FP_OK)
				{
					CHECK(same_fp(&fp, &fref));
					ta_fp_free(&fp, &al);
				}
			}
			ta_fp_acc_free(acc);
		}
		b.left = budget / 4;
		st = ta_fp_from_binary(bin, blen, &al, &fp, &err);
		if (st == TA_FP_OK)
			ta_fp_free(&fp, &al);
		else
		{
			nomem_parse++;
			CHECK_INT(st, TA_FP_E_NOMEM);
			CHECK(fp.cells == NULL && fp.hours == NULL);
		}
		b.left = budget / 2;
		st = ta_fp_from_text(text, strlen(text), &al, &fp, &err);
		if (st == TA_FP_OK)
			ta_fp_free(&fp, &al);
		else
			CHECK_INT(st, TA_FP_E_NOMEM);
	}
	CHECK(nomem_add > 10);
	CHECK(nomem_parse > 0);
	ta_fp_free(&fref, &AL);
	ta_fp_acc_free(ref);
	free(bin);
	free(text);
	free(rows);
}

/* ---------- summary ---------- */

static void
summary_of(const int64_t *counts, int n, TAFpSummary *s)
{
	TAFingerprint fp;

	fp_from_counts(&fp, counts, n);
	CHECK_INT(ta_fp_summary(&fp, &AL, s), TA_FP_OK);
	ta_fp_free(&fp, &AL);
}

static void
test_summary_uniform(void)
{
	int64_t		c[200];
	TAFpSummary s;
	int			i;

	for (i = 0; i < 200; i++)
		c[i] = 1;
	summary_of(c, 10, &s);
	CHECK_INT(s.cells, 10);
	CHECK_INT(s.points, 10);
	CHECK_NEAR(s.gini, 0, 1e-15);
	CHECK_NEAR(s.entropy, 1, 1e-15);
	CHECK_INT(s.top1_cells, 1);
	CHECK_NEAR(s.top1_share, 0.1, 1e-15);
	CHECK_INT(s.top10_cells, 1);
	CHECK_NEAR(s.top10_share, 0.1, 1e-15);
	CHECK_NEAR(s.zipf_slope, 0, 1e-15);
	CHECK_INT(s.core_cells, 5);
	CHECK_NEAR(s.core_share, 0.5, 1e-15);
	for (i = 0; i < 24; i++)
		CHECK(isnan(s.hour_core_points[i]) && s.hour_points[i] == 0);

	/* 200 equal cells of 7 */
	for (i = 0; i < 200; i++)
		c[i] = 7;
	summary_of(c, 200, &s);
	CHECK_NEAR(s.gini, 0, 1e-15);
	CHECK_NEAR(s.entropy, 1, 1e-14);
	CHECK_INT(s.top1_cells, 2);
	CHECK_NEAR(s.top1_share, 0.01, 1e-15);
	CHECK_INT(s.top10_cells, 20);
	CHECK_NEAR(s.top10_share, 0.1, 1e-15);
	CHECK_INT(s.core_cells, 100);
}

static void
test_summary_single_and_two(void)
{
	int64_t		one[] = {7};
	int64_t		two[] = {3, 1};
	int64_t		two_rev[] = {1, 3};
	TAFpSummary s;
	TAFingerprint empty;
	TAFpAcc    *acc;

	summary_of(one, 1, &s);
	CHECK_INT(s.cells, 1);
	CHECK_NEAR(s.gini, 0, 0);
	CHECK_NEAR(s.entropy, 0, 0);
	CHECK_NEAR(s.top1_share, 1, 0);
	CHECK_NEAR(s.top10_share, 1, 0);
	CHECK(isnan(s.zipf_slope));
	CHECK_INT(s.core_cells, 1);
	CHECK_NEAR(s.core_share, 1, 0);

	summary_of(two, 2, &s);
	CHECK_NEAR(s.gini, 0.25, 1e-15);
	/* H(3/4, 1/4) in bits */
	CHECK_NEAR(s.entropy, 0.81127812445913283, 1e-15);
	CHECK_NEAR(s.top1_share, 0.75, 0);
	CHECK_NEAR(s.top10_share, 0.75, 0);
	CHECK_NEAR(s.zipf_slope, log(1.0 / 3.0) / log(2.0), 1e-15);
	CHECK_INT(s.core_cells, 1);
	CHECK_NEAR(s.core_share, 0.75, 0);
	summary_of(two_rev, 2, &s);
	CHECK_NEAR(s.gini, 0.25, 1e-15);

	acc = acc_new(TA_FP_PLANAR, 100, TA_FP_F_ALL);
	finalize(acc, &empty);
	CHECK_INT(ta_fp_summary(&empty, &AL, &s), TA_FP_OK);
	CHECK_INT(s.cells, 0);
	CHECK(isnan(s.gini) && isnan(s.entropy) && isnan(s.top1_share) &&
		  isnan(s.zipf_slope) && isnan(s.core_share));
	ta_fp_free(&empty, &AL);
	ta_fp_acc_free(acc);
}

static void
test_summary_known(void)
{
	int64_t		zipf[] = {120, 600, 100, 300, 150, 200};	/* 600 / rank, shuffled */
	int64_t		lin[200];
	int64_t		c101[101];
	TAFpSummary s;
	int			i;

	summary_of(zipf, 6, &s);
	CHECK_NEAR(s.zipf_slope, -1, 1e-12);

	/* 1..200: Gini (n - 1) / 3n, top 2 and top 20 by hand */
	for (i = 0; i < 200; i++)
		lin[i] = i + 1;
	summary_of(lin, 200, &s);
	CHECK_NEAR(s.gini, 199.0 / 600.0, 1e-14);
	CHECK_INT(s.top1_cells, 2);
	CHECK_NEAR(s.top1_share, 399.0 / 20100.0, 1e-15);
	CHECK_INT(s.top10_cells, 20);
	CHECK_NEAR(s.top10_share, 3810.0 / 20100.0, 1e-15);
	/* core: 200 + 199 + ... down to k reaching 10050: 200..142 sums 10089 */
	CHECK_INT(s.core_cells, 59);
	CHECK_NEAR(s.core_share, 10089.0 / 20100.0, 1e-15);

	/* 101 cells: ceil(1.01) = 2, ceil(10.1) = 11 */
	for (i = 0; i < 101; i++)
		c101[i] = 1;
	summary_of(c101, 101, &s);
	CHECK_INT(s.top1_cells, 2);
	CHECK_INT(s.top10_cells, 11);
	CHECK_INT(s.core_cells, 51);
}

static void
test_core_ties(void)
{
	int64_t		c[] = {1, 1, 1, 1};
	int64_t		d[] = {2, 5, 5, 1, 3};
	TAFingerprint fp;
	uint8_t		is_core[5];
	uint32_t	n;

	fp_from_counts(&fp, c, 4);
	CHECK_INT(ta_fp_core(&fp, &AL, is_core, &n), TA_FP_OK);
	CHECK_INT(n, 2);
	/* ties broken by key: the two western cells */
	CHECK(is_core[0] && is_core[1] && !is_core[2] && !is_core[3]);
	ta_fp_free(&fp, &AL);

	fp_from_counts(&fp, d, 5);
	CHECK_INT(ta_fp_core(&fp, &AL, is_core, &n), TA_FP_OK);
	CHECK_INT(n, 2);			/* 5 + 5 >= 16 / 2 */
	CHECK(!is_core[0] && is_core[1] && is_core[2] && !is_core[3] && !is_core[4]);
	ta_fp_free(&fp, &AL);
}

static void
test_summary_hours(void)
{
	TAFpAcc    *acc = acc_new(TA_FP_PLANAR, 100, TA_FP_F_ALL);
	TAFingerprint fp;
	TAFpSummary s;
	uint64_t	d1 = 1,
				d2 = 2,
				d3 = 3;
	int			i,
				h;

	/* core cell A (x 50): 6 points at 8h by d1, d2; 4 at 20h by d1 */
	for (i = 0; i < 6; i++)
		ta_fp_acc_add(acc, 50, 50, 8, i % 2 ? &d1 : &d2);
	for (i = 0; i < 4; i++)
		ta_fp_acc_add(acc, 50, 50, 20, &d1);
	/* B (x 150): 1 point at 8h by d3; 4 at 20h by d2, d3 */
	ta_fp_acc_add(acc, 150, 50, 8, &d3);
	for (i = 0; i < 4; i++)
		ta_fp_acc_add(acc, 150, 50, 20, i % 2 ? &d2 : &d3);
	/* C (x 250): 4 points without a time or device */
	for (i = 0; i < 4; i++)
		ta_fp_acc_add(acc, 250, 50, -1, NULL);
	finalize(acc, &fp);
	CHECK(valid_fp(&fp, NULL));
	CHECK_INT(ta_fp_summary(&fp, &AL, &s), TA_FP_OK);
	CHECK_INT(s.points, 19);
	CHECK_INT(s.devices, 3);
	CHECK_INT(s.core_cells, 1);
	CHECK_NEAR(s.core_share, 10.0 / 19.0, 1e-15);
	CHECK_INT(s.hour_points[8], 7);
	CHECK_INT(s.hour_points[20], 8);
	CHECK_INT(s.hour_devices[8], 3);
	CHECK_INT(s.hour_devices[20], 3);
	CHECK_NEAR(s.hour_core_points[8], 6.0 / 7.0, 1e-15);
	CHECK_NEAR(s.hour_core_devices[8], 2.0 / 3.0, 1e-15);
	CHECK_NEAR(s.hour_core_points[20], 4.0 / 8.0, 1e-15);
	CHECK_NEAR(s.hour_core_devices[20], 1.0 / 3.0, 1e-15);
	for (h = 0; h < 24; h++)
		if (h != 8 && h != 20)
			CHECK(isnan(s.hour_core_points[h]) && isnan(s.hour_core_devices[h]));
	ta_fp_free(&fp, &AL);
	ta_fp_acc_free(acc);
}

/* ---------- comparison ---------- */

static void
test_similarity(void)
{
	int64_t		a[] = {1, 1, 0, 0};
	int64_t		b[] = {2, 0, 0, 0};
	int64_t		c[] = {0, 0, 3, 5};
	int64_t		a3[] = {3, 3, 0, 0};
	int64_t		r1[] = {5, 1, 7, 2, 9, 0, 4};
	int64_t		r2[] = {0, 3, 7, 1, 1, 8, 2};
	TAFingerprint fa,
				fb,
				fc,
				fa3,
				f1,
				f2,
				other,
				empty;
	double		s,
				t;
	TAFpError	err;
	TAFpAcc    *acc;
	TAFpDiffIter it;
	TAFpCellDiff d;
	int			n = 0;

	fp_from_counts(&fa, a, 4);
	fp_from_counts(&fb, b, 4);
	fp_from_counts(&fc, c, 4);
	fp_from_counts(&fa3, a3, 4);
	fp_from_counts(&f1, r1, 7);
	fp_from_counts(&f2, r2, 7);

	CHECK_INT(ta_fp_similarity(&fa, &fa, &s, &err), TA_FP_OK);
	CHECK_SAME_DOUBLE(s, 1.0);
	CHECK_INT(ta_fp_similarity(&fa, &fa3, &s, &err), TA_FP_OK);
	CHECK_SAME_DOUBLE(s, 1.0);	/* same distribution, other totals */
	CHECK_INT(ta_fp_similarity(&fa, &fc, &s, &err), TA_FP_OK);
	CHECK_SAME_DOUBLE(s, 0.0);
	/* (1/2, 1/2) vs (1, 0): JSD = log2(2/3)/4 + 1/4 + log2(4/3)/2 */
	CHECK_INT(ta_fp_similarity(&fa, &fb, &s, &err), TA_FP_OK);
	CHECK_NEAR(s, 1 - (log2(2.0 / 3.0) / 4 + 0.25 + log2(4.0 / 3.0) / 2), 1e-15);
	CHECK_NEAR(s, 0.68872187554086717, 1e-15);
	CHECK_INT(ta_fp_similarity(&fb, &fa, &t, &err), TA_FP_OK);
	CHECK_SAME_DOUBLE(s, t);
	CHECK_INT(ta_fp_similarity(&f1, &f2, &s, &err), TA_FP_OK);
	CHECK_INT(ta_fp_similarity(&f2, &f1, &t, &err), TA_FP_OK);
	CHECK_SAME_DOUBLE(s, t);
	CHECK(s > 0 && s < 1);

	/* per-cell differences: the union in key order */
	ta_fp_diff_init(&it, &fa, &fc);
	while (ta_fp_diff_next(&it, &d))
	{
		CHECK_INT(ta_fp_key_col(d.key), n);
		CHECK_NEAR(d.share_a, n < 2 ? 0.5 : 0, 0);
		CHECK_NEAR(d.share_b, n == 2 ? 3.0 / 8 : n == 3 ? 5.0 / 8 : 0, 0);
		CHECK_INT(d.points_a, a[n]);
		CHECK_INT(d.points_b, c[n]);
		n++;
	}
	CHECK_INT(n, 4);
	n = 0;
	ta_fp_diff_init(&it, &f1, &f2);
	while (ta_fp_diff_next(&it, &d))
	{
		CHECK_INT(d.points_a, r1[ta_fp_key_col(d.key)]);
		CHECK_INT(d.points_b, r2[ta_fp_key_col(d.key)]);
		n++;
	}
	CHECK_INT(n, 7);

	/* incompatible grids */
	acc = acc_new(TA_FP_PLANAR, 200, 0);
	ta_fp_acc_add(acc, 1, 1, -1, NULL);
	finalize(acc, &other);
	ta_fp_acc_free(acc);
	CHECK_INT(ta_fp_similarity(&fa, &other, &s, &err), TA_FP_E_INCOMPATIBLE);
	CHECK(strstr(err.message, "cell sizes 100 m and 200 m") != NULL);
	CHECK(isnan(s));
	ta_fp_free(&other, &AL);
	acc = acc_new(TA_FP_GEOGRAPHIC, 100, 0);
	finalize(acc, &other);
	ta_fp_acc_free(acc);
	CHECK_INT(ta_fp_similarity(&fa, &other, &s, &err), TA_FP_E_INCOMPATIBLE);
	CHECK(strstr(err.message, "planar") != NULL);
	ta_fp_free(&other, &AL);

	/* empty */
	acc = acc_new(TA_FP_PLANAR, 100, 0);
	finalize(acc, &empty);
	ta_fp_acc_free(acc);
	CHECK_INT(ta_fp_similarity(&fa, &empty, &s, &err), TA_FP_OK);
	CHECK(isnan(s));
	ta_fp_free(&empty, &AL);

	ta_fp_free(&fa, &AL);
	ta_fp_free(&fb, &AL);
	ta_fp_free(&fc, &AL);
	ta_fp_free(&fa3, &AL);
	ta_fp_free(&f1, &AL);
	ta_fp_free(&f2, &AL);
}

static void
test_hour_diff(void)
{
	TAFpAcc    *a = acc_new(TA_FP_PLANAR, 100, TA_FP_F_HOURS);
	TAFpAcc    *b = acc_new(TA_FP_PLANAR, 100, TA_FP_F_HOURS);
	TAFingerprint fa,
				fb;
	TAFpHourDiff d;
	TAFpError	err;
	int			i;

	/* a: 3 points at 8h in one cell, 1 at 9h in another; b: all at 8h */
	for (i = 0; i < 3; i++)
		ta_fp_acc_add(a, 50, 50, 8, NULL);
	ta_fp_acc_add(a, 150, 50, 9, NULL);
	ta_fp_acc_add(b, 50, 50, 8, NULL);
	ta_fp_acc_add(b, 150, 50, 8, NULL);
	finalize(a, &fa);
	finalize(b, &fb);
	CHECK_INT(ta_fp_hour_diff(&fa, &fb, &AL, &d, &err), TA_FP_OK);
	CHECK_NEAR(d.share_a[8], 0.75, 0);
	CHECK_NEAR(d.share_a[9], 0.25, 0);
	CHECK_NEAR(d.share_b[8], 1, 0);
	CHECK_NEAR(d.share_b[9], 0, 0);
	CHECK_NEAR(d.core_a[8], 1, 0);
	CHECK_NEAR(d.core_a[9], 0, 0);
	CHECK_NEAR(d.core_b[8], 0.5, 0);	/* tie: the western cell is the core */
	CHECK(isnan(d.core_b[9]));
	/* (3/4, 1/4) vs (1, 0) */
	CHECK_NEAR(d.profile_similarity,
			   1 - (0.75 * log2(0.75 / 0.875) + 0.25 + log2(1 / 0.875)) / 2, 1e-15);
	CHECK_INT(ta_fp_hour_diff(&fa, &fa, &AL, &d, &err), TA_FP_OK);
	CHECK_SAME_DOUBLE(d.profile_similarity, 1.0);
	ta_fp_free(&fa, &AL);
	ta_fp_free(&fb, &AL);
	ta_fp_acc_free(a);
	ta_fp_acc_free(b);
}

/* ---------- formats ---------- */

static const char *const good_texts[] = {
	"v=1;kind=planar;srid=2154;cell_m=250;to_meter=1;hours=no;devices=no;points=3;"
	"cells=2680:3400:2 2680:3401:1",
	"v=1;kind=geographic;srid=4326;cell_m=1000;to_meter=1;hours=yes;devices=yes;"
	"points=12;distinct_devices=3;"
	"hour_devices=0,0,0,0,0,0,0,0,2,2,0,0,0,0,0,0,0,0,0,0,0,0,0,0;"
	"cells=5413:13381:7:2@8=3/1,9=4/2 5413:13382:5:1@8=5/1",
	"v=1;kind=planar;srid=2249;cell_m=100;to_meter=0.30480060960121924;hours=yes;devices=no;"
	"points=4;cells=-3:-7:4@0=1,23=2",
	"v=1;kind=planar;srid=0;cell_m=1.5;to_meter=1;hours=no;devices=yes;points=0;"
	"distinct_devices=0;cells=",
	"v=1;kind=planar;srid=3857;cell_m=10000000;to_meter=1;hours=no;devices=yes;"
	"points=9223372036854775807;distinct_devices=1;cells=-2147483648:2147483647:9223372036854775807:1",
};

static void
test_text_known(void)
{
	TAFingerprint fp;
	TAFpError	err;
	size_t		i;

	for (i = 0; i < sizeof(good_texts) / sizeof(good_texts[0]); i++)
	{
		const char *t = good_texts[i];
		uint8_t    *c = unit_exact_copy((const uint8_t *) t, strlen(t));

		CHECKF(ta_fp_from_text((const char *) c, strlen(t), &AL, &fp, &err) == TA_FP_OK,
			   "text %zu: %s", i, err.message);
		if (err.status == TA_FP_OK)
		{
			char	   *back = to_text(&fp);
			size_t		blen;
			uint8_t    *bin = to_binary(&fp, &blen);
			TAFingerprint fb;

			CHECKF(strcmp(back, t) == 0, "text %zu came back as %s", i, back);
			/* text -> binary -> text */
			CHECK_INT(ta_fp_from_binary(bin, blen, &AL, &fb, &err), TA_FP_OK);
			if (err.status == TA_FP_OK)
			{
				char	   *back2 = to_text(&fb);

				CHECK(strcmp(back2, t) == 0);
				free(back2);
				ta_fp_free(&fb, &AL);
			}
			free(back);
			free(bin);
			ta_fp_free(&fp, &AL);
		}
		free(c);
	}
	/* the second one in detail */
	CHECK_INT(ta_fp_from_text(good_texts[1], strlen(good_texts[1]), &AL, &fp, &err), TA_FP_OK);
	CHECK_INT(fp.ncells, 2);
	CHECK_INT(fp.nhours, 3);
	CHECK_INT(fp.cells[0].devices, 2);
	CHECK_INT(fp.hours[1].hour, 9);
	CHECK_INT(fp.hours[1].points, 4);
	CHECK_INT(fp.hours[1].devices, 2);
	CHECK_INT(fp.cells[1].hour_first, 2);
	CHECK_INT(fp.hour_devices[9], 2);
	ta_fp_free(&fp, &AL);
}

#define TP "v=1;kind=planar;srid=2154;cell_m=250;to_meter=1;hours=no;devices=no;"
#define TG "v=1;kind=geographic;srid=4326;cell_m=1000;to_meter=1;hours=no;devices=no;"
#define TD "v=1;kind=planar;srid=2154;cell_m=250;to_meter=1;hours=yes;devices=yes;"
#define HD8 "hour_devices=0,0,0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0;"
#define HDX(v8, v9) "hour_devices=0,0,0,0,0,0,0,0," v8 "," v9 ",0,0,0,0,0,0,0,0,0,0,0,0,0,0;"
#define HEAD(kind, rest) "v=1;kind=" kind ";srid=2154;cell_m=250;to_meter=1;hours=no;devices=no;" rest

static void
test_text_malformed(void)
{
	static const char *const bad[] = {
		"",
		"v=2;",
		"v=1;kind=planar;srid=2154;cell_m=250;to_meter=1;hours=no;devices=no",
		TP "points=01;cells=0:0:1",
		TP "points=1;cells=-0:0:1",
		TP "points=1;cells=0:0:1 ",
		TP "points=1;cells= 0:0:1",
		TP "points=1;cells=0:0:1;",
		TP "points=2;cells=0:1:1 0:0:1",	/* unsorted */
		TP "points=2;cells=0:0:1 0:0:1",	/* duplicate */
		TP "points=0;cells=0:0:0",	/* an empty cell */
		TP "points=2;cells=0:0:1",	/* total */
		TP "points=1;cells=0:0:1:0",	/* devices without the flag */
		TP "points=1;cells=0:0:1@3=1",	/* hours without the flag */
		TP "points=9223372036854775808;cells=",
		TP "points=18446744073709551617;cells=",
		TP "points=2;cells=0:0:9223372036854775807 0:1:9223372036854775807",
		TP "points=1;cells=0:2147483648:1",
		TP "points=1;cells=0:-2147483649:1",
		TP "points=1;cells=0:+1:1",
		TP "points=1;cells=0:0:1\n",
		TP "points=1;cells=0:0:1 x",
		TP " points=1;cells=0:0:1",
		"v=1;kind=planar;srid=2154;cell_m=250.0;to_meter=1;hours=no;devices=no;points=0;cells=",
		"v=1;kind=planar;srid=2154;cell_m=2.5e2;to_meter=1;hours=no;devices=no;points=0;cells=",
		"v=1;kind=planar;srid=2154;cell_m=250.;to_meter=1;hours=no;devices=no;points=0;cells=",
		"v=1;kind=planar;srid=2154;cell_m=+250;to_meter=1;hours=no;devices=no;points=0;cells=",
		"v=1;kind=planar;srid=2154;cell_m=inf;to_meter=1;hours=no;devices=no;points=0;cells=",
		"v=1;kind=planar;srid=2154;cell_m=0.5;to_meter=1;hours=no;devices=no;points=0;cells=",
		"v=1;kind=planar;srid=2154;cell_m=1-2;to_meter=1;hours=no;devices=no;points=0;cells=",
		"v=1;kind=planar;srid=2154;cell_m=12345678901234567890123456789012345678901;to_meter=1;hours=no;devices=no;points=0;cells=",
		"v=1;kind=planar;srid=-1;cell_m=250;to_meter=1;hours=no;devices=no;points=0;cells=",
		"v=1;kind=planar;srid=2154;cell_m=250;to_meter=0;hours=no;devices=no;points=0;cells=",
		"v=1;kind=geographic;srid=4326;cell_m=250;to_meter=2;hours=no;devices=no;points=0;cells=",
		"v=1;kind=planar;srid=2154;cell_m=250;to_meter=1;hours=maybe;devices=no;points=0;cells=",
		"v=1;kind=planar;srid=2154;cell_m=250;to_meter=1;devices=no;hours=no;points=0;cells=",
		HEAD("Planar", "points=0;cells="),
		TG "points=1;cells=10002:0:1",	/* band off the grid */
		TG "points=1;cells=-10003:0:1",
		TG "points=1;cells=5413:26418:1",	/* column off the band */
		TG "points=1;cells=5413:-1:1",
		TD "points=1;distinct_devices=1;cells=0:0:1:1",	/* hour_devices missing */
		TD "points=1;distinct_devices=2;" HD8 "cells=0:0:1:1",
		TD "points=1;distinct_devices=0;" HD8 "cells=0:0:1:1",
		TD "points=1;distinct_devices=1;" HD8 "cells=0:0:1:2",	/* devices > points */
		TD "points=1;distinct_devices=1;" HD8 "cells=0:0:1:1@8=2/1",	/* hour > cell */
		TD "points=1;distinct_devices=1;" HD8 "cells=0:0:1:1@8=1/2",
		TD "points=1;distinct_devices=1;" HD8 "cells=0:0:1:0@8=1/1",
		TD "points=1;distinct_devices=1;" HD8 "cells=0:0:1:1@8=0/0",
		TD "points=1;distinct_devices=1;" HD8 "cells=0:0:1:1@24=1/1",
		TD "points=1;distinct_devices=1;" HD8 "cells=0:0:1:1@",
		TD "points=1;distinct_devices=1;" HD8 "cells=0:0:1:1@8=1",
		TD "points=1;distinct_devices=1;" HD8 "cells=0:0:1:1@08=1/1",
		TD "points=2;distinct_devices=1;" HD8 "cells=0:0:2:1@8=1/1,8=1/1",
		TD "points=2;distinct_devices=1;" HDX("1", "1") "cells=0:0:2:1@9=1/1,8=1/1",
		TD "points=2;distinct_devices=1;" HDX("1", "0") "cells=0:0:2:1@8=1/1,9=1/0,",
		TD "points=1;distinct_devices=1;" HDX("1", "1") "cells=0:0:1:1@8=1/1",
		TD "points=2;distinct_devices=1;" HDX("2", "0") "cells=0:0:1:1@8=1/1 0:1:1:1@8=1/1",
		TD "points=2;distinct_devices=2;" HDX("1", "0") "cells=0:0:1:1 0:1:1:1",
		TD "points=2;distinct_devices=3;" HDX("0", "0") "cells=0:0:1:1 0:1:1:1",
	};
	size_t		i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		TAFingerprint fp;
		TAFpError	err;
		TAFpStatus	st;
		size_t		len = strlen(bad[i]);
		uint8_t    *c = unit_exact_copy((const uint8_t *) bad[i], len);

		st = ta_fp_from_text((const char *) c, len, &AL, &fp, &err);
		CHECKF(st == TA_FP_E_FORMAT, "case %zu accepted: %s", i, bad[i]);
		CHECK(fp.cells == NULL && fp.hours == NULL && fp.ncells == 0);
		CHECKF(strncmp(err.message, "text: ", 6) == 0, "case %zu: %s", i, err.message);
		free(c);
	}
	/* the same texts made valid are accepted (so each case fails for its own reason) */
	{
		static const char *const ok[] = {
			TP "points=1;cells=0:0:1",
			TP "points=2;cells=0:0:1 0:1:1",
			TD "points=2;distinct_devices=1;" HDX("1", "1") "cells=0:0:2:1@8=1/1,9=1/1",
			TD "points=2;distinct_devices=2;" HDX("2", "0") "cells=0:0:1:1@8=1/1 0:1:1:1@8=1/1",
			TD "points=2;distinct_devices=1;" HDX("0", "0") "cells=0:0:1:1 0:1:1:1",
			TD "points=2;distinct_devices=2;" HDX("0", "0") "cells=0:0:1:1 0:1:1:1",
			TG "points=1;cells=5413:26417:1",
			TG "points=1;cells=10001:0:1",
			TG "points=1;cells=-10002:0:1",
		};

		for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		{
			TAFingerprint fp;
			TAFpError	err;

			CHECKF(ta_fp_from_text(ok[i], strlen(ok[i]), &AL, &fp, &err) == TA_FP_OK,
				   "ok case %zu: %s", i, err.message);
			ta_fp_free(&fp, &AL);
		}
	}
	/* a NUL inside */
	{
		const char	t[] = TP "points=1;cells=0:0:1\0";
		TAFingerprint fp;
		TAFpError	err;

		CHECK_INT(ta_fp_from_text(t, sizeof(t) - 2, &AL, &fp, &err), TA_FP_OK);
		ta_fp_free(&fp, &AL);
		CHECK_INT(ta_fp_from_text(t, sizeof(t) - 1, &AL, &fp, &err), TA_FP_E_FORMAT);
	}
}

/* a random fingerprint with everything in it, its binary and its text */
static void
random_fp(TAFingerprint *fp, unsigned flags, int n, int seed)
{
	Row		   *rows = malloc(sizeof(Row) * (size_t) n);
	TAFpAcc    *acc = acc_new(TA_FP_GEOGRAPHIC, 700, flags);
	int			i;

	random_rows(rows, n, 25, 7, seed);
	for (i = 0; i < n; i++)
	{
		if (!(flags & TA_FP_F_HOURS))
			rows[i].hour = -1;
		if (!(flags & TA_FP_F_DEVICES))
			rows[i].has_dev = 0;
	}
	add_rows(acc, rows, 0, n, 1);
	finalize(acc, fp);
	ta_fp_acc_free(acc);
	free(rows);
}

static void
test_round_trips(void)
{
	unsigned	f;

	for (f = 0; f < 4; f++)
	{
		TAFingerprint fp,
					fb,
					ft;
		TAFpError	err;
		size_t		blen;
		uint8_t    *bin;
		char	   *text;

		random_fp(&fp, f, 3000, 10 + (int) f);
		bin = to_binary(&fp, &blen);
		text = to_text(&fp);
		CHECK_INT(ta_fp_from_binary(bin, blen, &AL, &fb, &err), TA_FP_OK);
		CHECK_INT(ta_fp_from_text(text, strlen(text), &AL, &ft, &err), TA_FP_OK);
		CHECK(same_fp(&fp, &fb));
		CHECK(same_fp(&fp, &ft));
		{
			char	   *t2 = to_text(&fb);

			CHECK(strcmp(t2, text) == 0);
			free(t2);
		}
		/* snprintf-like truncation of both writers */
		{
			uint8_t		small[40];
			char		st[40];

			memset(small, 0xAB, sizeof(small));
			CHECK_INT(ta_fp_to_binary(&fp, small, 30), blen);
			CHECK(small[30] == 0xAB);
			CHECK_INT(ta_fp_to_text(&fp, st, sizeof(st)), strlen(text));
			CHECK(strlen(st) == sizeof(st) - 1 && strncmp(st, text, sizeof(st) - 1) == 0);
		}
		if (f == 3)
			printf("  %u cells, %zu hour entries: binary %zu bytes, text %zu bytes\n",
				   fp.ncells, fp.nhours, blen, strlen(text));
		ta_fp_free(&fp, &AL);
		ta_fp_free(&fb, &AL);
		ta_fp_free(&ft, &AL);
		free(bin);
		free(text);
	}
}

/*
 * Every truncation of a valid binary is rejected; every single-bit flip is
 * rejected, or accepted and then re-encodes to exactly the flipped bytes
 * (one encoding per value), read from exact-size copies under ASan.
 */
static void
test_binary_mutations(void)
{
	unsigned	f;

	for (f = 0; f < 4; f++)
	{
		TAFingerprint fp;
		size_t		len,
					i;
		uint8_t    *bin;
		int			accepted = 0,
					rejected = 0;

		random_fp(&fp, f, 150, 20 + (int) f);
		bin = to_binary(&fp, &len);
		for (i = 0; i < len; i++)
		{
			uint8_t    *c = unit_exact_copy(bin, i);
			TAFingerprint x;
			TAFpError	err;

			CHECKF(ta_fp_from_binary(c, i, &AL, &x, &err) == TA_FP_E_FORMAT,
				   "flags %u: prefix of %zu bytes accepted", f, i);
			CHECK(x.cells == NULL && x.hours == NULL);
			free(c);
		}
		for (i = 0; i < len * 8; i++)
		{
			uint8_t    *c = unit_exact_copy(bin, len);
			TAFingerprint x;
			TAFpError	err;
			TAFpStatus	st;

			c[i / 8] ^= (uint8_t) (1u << (i % 8));
			st = ta_fp_from_binary(c, len, &AL, &x, &err);
			if (st == TA_FP_OK)
			{
				size_t		l2;
				uint8_t    *b2 = to_binary(&x, &l2);

				accepted++;
				CHECKF(l2 == len && memcmp(b2, c, len) == 0,
					   "flags %u: flip of bit %zu accepted but re-encodes differently", f, i);
				free(b2);
				ta_fp_free(&x, &AL);
			}
			else
			{
				rejected++;
				CHECK_INT(st, TA_FP_E_FORMAT);
				CHECK(strncmp(err.message, "binary: ", 8) == 0);
			}
			free(c);
		}
		printf("  flags %u: %zu bytes, every prefix rejected, %d bit flips accepted (canonical), %d rejected\n",
			   f, len, accepted, rejected);
		ta_fp_free(&fp, &AL);
		free(bin);
	}
}

static void
test_binary_malformed(void)
{
	TAFingerprint fp;
	TAFpError	err;
	uint8_t		b[128];
	size_t		n;
	const char *text = "v=1;kind=planar;srid=2154;cell_m=250;to_meter=1;hours=no;devices=no;points=3;"
		"cells=2680:3400:2 2680:3401:1";
	uint8_t    *good;
	size_t		glen;

	CHECK_INT(ta_fp_from_text(text, strlen(text), &AL, &fp, &err), TA_FP_OK);
	good = to_binary(&fp, &glen);
	ta_fp_free(&fp, &AL);
	/* header 28, ncells 2, points 3, key 10 bytes (bit 63 set for row >= 0), 2, delta 1, 1 */
	CHECK_INT(glen, 28 + 1 + 1 + 10 + 1 + 1 + 1);

	/* a trailing byte */
	memcpy(b, good, glen);
	b[glen] = 0;
	CHECK_INT(ta_fp_from_binary(b, glen + 1, &AL, &fp, &err), TA_FP_E_FORMAT);
	CHECK(strstr(err.message, "after the last cell") != NULL);
	/* an overlong varint for points (3 as 0x83 0x00) */
	n = 0;
	memcpy(b, good, 29);
	n = 29;
	b[n++] = 0x83;
	b[n++] = 0x00;
	memcpy(b + n, good + 30, glen - 30);
	n += glen - 30;
	CHECK_INT(ta_fp_from_binary(b, n, &AL, &fp, &err), TA_FP_E_FORMAT);
	CHECK(strstr(err.message, "bad varint") != NULL);
	/* a cell count far beyond the bytes */
	memcpy(b, good, 28);
	n = 28 + put_varint(b + 28, TA_FP_MAX_CELLS);
	b[n++] = 0;
	CHECK_INT(ta_fp_from_binary(b, n, &AL, &fp, &err), TA_FP_E_FORMAT);
	n = 28 + put_varint(b + 28, UINT64_MAX);
	CHECK_INT(ta_fp_from_binary(b, n, &AL, &fp, &err), TA_FP_E_FORMAT);
	/* a zero key delta: a duplicate cell */
	memcpy(b, good, glen);
	b[glen - 2] = 0;
	CHECK_INT(ta_fp_from_binary(b, glen, &AL, &fp, &err), TA_FP_E_FORMAT);
	CHECK(strstr(err.message, "strictly increasing") != NULL);
	/* not a fingerprint, another version */
	memcpy(b, good, glen);
	b[0] = 'X';
	CHECK_INT(ta_fp_from_binary(b, glen, &AL, &fp, &err), TA_FP_E_FORMAT);
	memcpy(b, good, glen);
	b[4] = 2;
	CHECK_INT(ta_fp_from_binary(b, glen, &AL, &fp, &err), TA_FP_E_FORMAT);
	CHECK_INT(ta_fp_from_binary(b, 0, &AL, &fp, &err), TA_FP_E_FORMAT);
	free(good);
}

int
main(void)
{
	RUN(test_grid_init);
	RUN(test_key_packing);
	RUN(test_grid_against_integration);
	RUN(test_cell_size_metres);
	RUN(test_globe_area);
	RUN(test_same_point_same_cell);
	RUN(test_adjacent_cells);
	RUN(test_poles_and_range);
	RUN(test_grid_fixed_keys);
	RUN(test_polygon);
	RUN(test_accumulator_args);
	RUN(test_exact_counts);
	RUN(test_merge);
	RUN(test_add_subtract);
	RUN(test_row_cache);
	RUN(test_state_round_trip);
	RUN(test_overflow);
	RUN(test_runs_and_log);
	RUN(test_out_of_memory);
	RUN(test_summary_uniform);
	RUN(test_summary_single_and_two);
	RUN(test_summary_known);
	RUN(test_core_ties);
	RUN(test_summary_hours);
	RUN(test_similarity);
	RUN(test_hour_diff);
	RUN(test_text_known);
	RUN(test_text_malformed);
	RUN(test_round_trips);
	RUN(test_binary_mutations);
	RUN(test_binary_malformed);
	return unit_finish("test_fingerprint");
}
