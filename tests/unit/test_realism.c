/*
 * test_realism.c
 *	  Unit tests of src/realism.c: known-answer traces (an interpolated
 *	  straight line, a stationary point with correlated or white noise,
 *	  coordinates rounded to 5, 6 and 7 decimals) and edge cases.
 */
#include "unit.h"

#include <time.h>

#include "jumps.h"
#include "realism.h"

/* ---- allocator and tick callbacks that count their calls ---- */

typedef struct Counts
{
	int			allocs;
	int			frees;
	int			ticks;
	int			fail;			/* make alloc return NULL */
} Counts;

static void *
t_alloc(void *ctx, size_t sz)
{
	Counts	   *c = ctx;

	c->allocs++;
	return c->fail ? NULL : malloc(sz);
}

static void
t_free(void *ctx, void *p)
{
	((Counts *) ctx)->frees++;
	free(p);
}

static void
t_tick(void *ctx)
{
	((Counts *) ctx)->ticks++;
}

static int
features(const TAFix *fix, size_t n, const TAMetric *mt, Counts *c,
		 TARealismFeatures *f)
{
	TARealismEnv env = {t_alloc, t_free, t_tick, c};

	memset(c, 0, sizeof(*c) - sizeof(c->fail));
	return ta_realism_features(fix, n, mt, &env, f);
}

/* ---- a deterministic PRNG (splitmix64) and Gaussian ---- */

static uint64_t prng = 12345;

static double
unif(void)
{
	uint64_t	z = (prng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return ((double) (z >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

static double
gauss(void)
{
	return sqrt(-2.0 * log(unif())) * cos(2.0 * M_PI * unif());
}

static TAMetric
geodetic(void)
{
	TAMetric	mt;

	ta_metric_geodetic(&mt, TA_WGS84_A, TA_WGS84_F);
	return mt;
}

static TAMetric
planar(void)
{
	TAMetric	mt;

	ta_metric_planar(&mt, 1.0);
	return mt;
}

/* ---- known answers ---- */

/* 10 m/s due north-east at a fixed 5 s clock, full-precision lon/lat */
static void
test_straight_line(void)
{
	enum
	{
	N = 300};
	TAFix	   *fix = malloc(N * sizeof(TAFix));
	TAMetric	mt = geodetic();
	TARealismFeatures f;
	TARealismResult r;
	Counts		c = {0};
	int			i;
	char		buf[400];

	for (i = 0; i < N; i++)
	{
		double		s = 10.0 * 5.0 * i / sqrt(2.0);	/* metres east and north */

		fix[i].x = 10.0 + s / (111319.49 * cos(50.0 * M_PI / 180.0));
		fix[i].y = 50.0 + s / 111132.954;
		fix[i].m = 1.6e9 + 5.0 * i;
	}
	CHECK_INT(features(fix, N, &mt, &c, &f), 0);
	CHECK_INT(c.allocs, 1);
	CHECK_INT(c.frees, 1);
	CHECK(f.valid[TA_RF_COLLINEAR_SHARE]);
	CHECKF(f.value[TA_RF_COLLINEAR_SHARE] >= 0.99, "collinear %g", f.value[TA_RF_COLLINEAR_SHARE]);
	CHECK_NEAR(f.value[TA_RF_DT_MEDIAN], 5.0, 1e-9);
	CHECK_NEAR(f.value[TA_RF_DT_MODE_SHARE], 1.0, 0.0);
	CHECK_NEAR(f.value[TA_RF_DT_CV], 0.0, 1e-9);
	CHECK_NEAR(f.value[TA_RF_GAP_SHARE], 0.0, 0.0);
	CHECKF(f.value[TA_RF_CONST_SPEED_SHARE] >= 0.99, "const %g", f.value[TA_RF_CONST_SPEED_SHARE]);
	CHECKF(f.value[TA_RF_TURN_STRAIGHT_SHARE] >= 0.99, "straight %g", f.value[TA_RF_TURN_STRAIGHT_SHARE]);
	CHECK_NEAR(f.value[TA_RF_ACCEL_P95], 0.0, 1e-3);
	CHECK(!f.valid[TA_RF_REST_NOISE_M]);	/* never at rest */
	CHECK_INT(f.rest_windows, 0);
	CHECK_NEAR(f.value[TA_RF_COORD_DIGITS], 17.0, 0.0);

	ta_realism_score(&f, &r);
	CHECKF(r.score < 0.3, "score %g", r.score);
	CHECK_INT(r.verdict, TA_VERDICT_SYNTHETIC);
	/* the collinearity and clock evidence fire against realism */
	CHECKF(r.contribution[TA_RF_COLLINEAR_SHARE] < 0, "%g", r.contribution[TA_RF_COLLINEAR_SHARE]);
	CHECKF(r.contribution[TA_RF_DT_MODE_SHARE] < 0 || r.contribution[TA_RF_DT_CV] < 0,
		   "%g %g", r.contribution[TA_RF_DT_MODE_SHARE], r.contribution[TA_RF_DT_CV]);
	CHECKF(r.contribution[TA_RF_CONST_SPEED_SHARE] < 0, "%g", r.contribution[TA_RF_CONST_SPEED_SHARE]);
	ta_realism_explain(&f, &r, TA_RF_DT_MODE_SHARE, buf, sizeof(buf));
	CHECKF(strstr(buf, "100% of time steps have exactly the same length") != NULL, "%s", buf);
	ta_realism_explain(&f, &r, TA_RF_REST_NOISE_M, buf, sizeof(buf));
	CHECKF(strstr(buf, "not measurable") != NULL, "%s", buf);
	free(fix);
}

/* a point at rest for 10 min at 1 Hz with AR(1) (phi) or white noise */
static void
stationary(double phi, TARealismFeatures *f)
{
	enum
	{
	N = 600};
	TAFix		fix[N];
	TAMetric	mt = planar();
	Counts		c = {0};
	double		ex = 0,
				ey = 0,
				b = sqrt(1.0 - phi * phi);
	int			i;

	for (i = 0; i < N; i++)
	{
		ex = phi * ex + b * 2.0 * gauss();
		ey = phi * ey + b * 2.0 * gauss();
		fix[i].x = 500000.0 + ex;
		fix[i].y = 5000000.0 + ey;
		fix[i].m = 1.6e9 + i;
	}
	CHECK_INT(features(fix, N, &mt, &c, f), 0);
}

static void
test_rest_correlated(void)
{
	TARealismFeatures f;

	prng = 1;
	stationary(0.9, &f);
	CHECK(f.rest_windows >= 1);
	CHECK(f.valid[TA_RF_REST_AUTOCORR]);
	CHECKF(f.value[TA_RF_REST_AUTOCORR] > 0.5, "autocorr %g", f.value[TA_RF_REST_AUTOCORR]);
	CHECKF(f.value[TA_RF_REST_NOISE_M] > 1.0 && f.value[TA_RF_REST_NOISE_M] < 4.0,
		   "radius %g", f.value[TA_RF_REST_NOISE_M]);
}

static void
test_rest_white(void)
{
	TARealismFeatures f;

	prng = 2;
	stationary(0.0, &f);
	CHECK(f.rest_windows >= 1);
	CHECK(f.valid[TA_RF_REST_AUTOCORR]);
	CHECKF(fabs(f.value[TA_RF_REST_AUTOCORR]) < 0.15, "autocorr %g", f.value[TA_RF_REST_AUTOCORR]);
	CHECKF(f.value[TA_RF_REST_NOISE_M] > 2.0 && f.value[TA_RF_REST_NOISE_M] < 3.5,
		   "radius %g", f.value[TA_RF_REST_NOISE_M]);
}

/* a wandering trace whose coordinates went through printf("%.*f") */
static void
rounded(int digits, TARealismFeatures *f)
{
	enum
	{
	N = 400};
	TAFix		fix[N];
	TAMetric	mt = geodetic();
	Counts		c = {0};
	int			i;
	char		s[64];

	for (i = 0; i < N; i++)
	{
		snprintf(s, sizeof(s), "%.*f", digits, 7.123456789 + 1e-4 * i + 3e-5 * gauss());
		fix[i].x = strtod(s, NULL);
		snprintf(s, sizeof(s), "%.*f", digits, 46.987654321 + 1e-4 * i + 3e-5 * gauss());
		fix[i].y = strtod(s, NULL);
		fix[i].m = 1.6e9 + i;
	}
	CHECK_INT(features(fix, N, &mt, &c, f), 0);
}

static void
test_precision(void)
{
	TARealismFeatures f;

	prng = 3;
	rounded(5, &f);
	CHECK_NEAR(f.value[TA_RF_COORD_DIGITS], 5, 0);
	CHECK_NEAR(f.value[TA_RF_Q5_SHARE], 1.0, 0);
	CHECK_NEAR(f.value[TA_RF_Q7_SHARE], 1.0, 0);

	rounded(6, &f);
	CHECK_NEAR(f.value[TA_RF_COORD_DIGITS], 6, 0);
	CHECKF(f.value[TA_RF_Q5_SHARE] < 0.2, "q5 %g", f.value[TA_RF_Q5_SHARE]);
	CHECK_NEAR(f.value[TA_RF_Q6_SHARE], 1.0, 0);

	rounded(7, &f);
	CHECK_NEAR(f.value[TA_RF_COORD_DIGITS], 7, 0);
	CHECKF(f.value[TA_RF_Q6_SHARE] < 0.2, "q6 %g", f.value[TA_RF_Q6_SHARE]);
	CHECK_NEAR(f.value[TA_RF_Q7_SHARE], 1.0, 0);
	CHECK_NEAR(f.value[TA_RF_QUANTIZED_SHARE], 1.0, 0);

	rounded(15, &f);
	CHECK_NEAR(f.value[TA_RF_COORD_DIGITS], 17, 0);
	CHECKF(f.value[TA_RF_QUANTIZED_SHARE] < 0.05, "quantized %g", f.value[TA_RF_QUANTIZED_SHARE]);
}

/* float artefacts (1 ulp off a 7-decimal value) and the FIT semicircle grid */
static void
test_precision_artefacts(void)
{
	TAFix		fix[30];
	TAMetric	mt = geodetic();
	TARealismFeatures f;
	Counts		c = {0};
	int			i;

	for (i = 0; i < 30; i++)
	{
		fix[i].x = nextafter(6.6274445 + 1e-5 * i, 100.0);
		fix[i].y = (double) (560000000 + 1000 * i) * (180.0 / 2147483648.0);
		fix[i].m = 1.6e9 + i;
	}
	CHECK_INT(features(fix, 30, &mt, &c, &f), 0);
	/* x has 7 decimals; y needs all its digits but is on the FIT grid */
	CHECK_NEAR(f.value[TA_RF_Q7_SHARE], 0.5, 0);
	CHECK_NEAR(f.value[TA_RF_QUANTIZED_SHARE], 1.0, 0);
}

/* ---- edge cases ---- */

static void
test_empty_and_tiny(void)
{
	TAFix		fix[2] = {{7.0, 46.0, 1.6e9}, {7.001, 46.0, 1.6e9 + 10}};
	TAMetric	mt = geodetic();
	TARealismFeatures f;
	TARealismResult r;
	Counts		c = {0};
	int			k;
	size_t		n;

	for (n = 0; n <= 2; n++)
	{
		CHECK_INT(features(n ? fix : NULL, n, &mt, &c, &f), 0);
		CHECK_INT(f.fixes, n);
		CHECK_INT(c.allocs, n >= 2 ? 1 : 0);
		CHECK_INT(c.allocs, c.frees);
		for (k = 0; k < TA_RF_N; k++)
			CHECK(f.valid[k] ? isfinite(f.value[k]) : isnan(f.value[k]));
		CHECK(!f.valid[TA_RF_COLLINEAR_SHARE]);
		CHECK(!f.valid[TA_RF_REST_NOISE_M]);
		ta_realism_score(&f, &r);
		CHECK_INT(r.verdict, TA_VERDICT_INCONCLUSIVE);
		CHECK_NEAR(r.score, 0.5, 0);
	}
	/* two fixes: one interval */
	CHECK_NEAR(f.value[TA_RF_DT_MEDIAN], 10.0, 0);
	CHECK_NEAR(f.value[TA_RF_REPEAT_SHARE], 0.0, 0);
}

static void
test_one_time(void)
{
	enum
	{
	N = 100};
	TAFix		fix[N];
	TAMetric	mt = geodetic();
	TARealismFeatures f;
	TARealismResult r;
	Counts		c = {0};
	int			i;

	prng = 4;
	for (i = 0; i < N; i++)
	{
		fix[i].x = 7.0 + 1e-4 * gauss();
		fix[i].y = 46.0 + 1e-4 * gauss();
		fix[i].m = 1.6e9;
	}
	ta_sort_fixes(fix, N);
	CHECK_INT(features(fix, N, &mt, &c, &f), 0);
	CHECK(!f.valid[TA_RF_DT_MEDIAN]);
	CHECK(!f.valid[TA_RF_DT_MODE_SHARE]);
	CHECK(!f.valid[TA_RF_ACCEL_P50]);
	CHECK(!f.valid[TA_RF_STOPS_PER_HOUR]);
	CHECK_NEAR(f.duration_s, 0.0, 0);
	ta_realism_score(&f, &r);
	CHECK_INT(r.verdict, TA_VERDICT_INCONCLUSIVE);
}

static void
test_one_place(void)
{
	enum
	{
	N = 300};
	TAFix		fix[N];
	TAMetric	mt = geodetic();
	TARealismFeatures f;
	TARealismResult r;
	Counts		c = {0};
	int			i;

	for (i = 0; i < N; i++)
	{
		fix[i].x = 7.1;
		fix[i].y = 46.2;
		fix[i].m = 1.6e9 + 5.0 * i;
	}
	CHECK_INT(features(fix, N, &mt, &c, &f), 0);
	CHECK_NEAR(f.value[TA_RF_REPEAT_SHARE], 1.0, 0);
	CHECK_NEAR(f.value[TA_RF_REST_NOISE_M], 0.0, 0);
	CHECK(!f.valid[TA_RF_REST_AUTOCORR]);	/* no noise to correlate */
	CHECK(!f.valid[TA_RF_TURN_MEAN_DEG]);	/* never moving */
	CHECK_NEAR(f.value[TA_RF_COLLINEAR_SHARE], 0.0, 0);
	CHECK_INT(f.rest_windows, 1);
	ta_realism_score(&f, &r);
	CHECK(r.score >= 0.0 && r.score <= 1.0);
}

static void
test_alloc_failure(void)
{
	TAFix		fix[3] = {{0, 0, 0}, {1, 0, 1}, {2, 0, 2}};
	TAMetric	mt = planar();
	TARealismFeatures f;
	Counts		c = {0};
	int			k;

	c.fail = 1;
	CHECK_INT(features(fix, 3, &mt, &c, &f), -1);
	for (k = 0; k < TA_RF_N; k++)
		CHECK(!f.valid[k]);
}

/* 1e6 fixes of a noisy random walk: no crash, one allocation, ticks, bounded time */
static void
test_million(void)
{
	size_t		n = 1000000,
				i;
	TAFix	   *fix = malloc(n * sizeof(TAFix));
	TAMetric	mt = geodetic();
	TARealismFeatures f;
	TARealismResult r;
	Counts		c = {0};
	double		x = 0,
				y = 0,
				h = 0;
	clock_t		t0;
	double		secs;

	prng = 5;
	for (i = 0; i < n; i++)
	{
		h += 0.2 * gauss();
		x += 5.0 * cos(h) + gauss();
		y += 5.0 * sin(h) + gauss();
		fix[i].x = 8.5 + x / 75000.0;
		fix[i].y = 47.3 + y / 111000.0;
		fix[i].m = 1.6e9 + (double) i;
	}
	t0 = clock();
	CHECK_INT(features(fix, n, &mt, &c, &f), 0);
	secs = (double) (clock() - t0) / CLOCKS_PER_SEC;
	CHECK_INT(c.allocs, 1);
	CHECK(c.ticks >= 3 * (int) (n / 4096) - 3);
	CHECKF(secs < 10.0, "%.2f s for 1e6 fixes", secs);
	CHECK(f.valid[TA_RF_TURN_MEAN_DEG]);
	ta_realism_score(&f, &r);
	CHECK(r.score >= 0.0 && r.score <= 1.0);
	printf("test_million: %.2f s for 1e6 fixes (sanitizers on)\n", secs);
	free(fix);
}

int
main(void)
{
	RUN(test_straight_line);
	RUN(test_rest_correlated);
	RUN(test_rest_white);
	RUN(test_precision);
	RUN(test_precision_artefacts);
	RUN(test_empty_and_tiny);
	RUN(test_one_time);
	RUN(test_one_place);
	RUN(test_alloc_failure);
	RUN(test_million);
	return unit_finish("test_realism");
}
