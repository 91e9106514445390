/*
 * bench.c
 *	  Time of ta_realism_features against ta_find_jumps over the same fixes
 *	  (default 10 million, a 1 Hz noisy walk with stops, in traces of 10,000
 *	  fixes as the SQL benchmark would call them): bench [NFIXES [PER_TRACE]].
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "jumps.h"
#include "realism.h"

static void *
a(void *c, size_t s)
{
	(void) c;
	return malloc(s);
}

static void
f(void *c, void *p)
{
	(void) c;
	free(p);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int
main(int argc, char **argv)
{
	size_t		n = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000,
				per = argc > 2 ? strtoull(argv[2], NULL, 10) : 10000,
				i,
				s;
	TAFix	   *fix = malloc(n * sizeof(TAFix));
	TAMetric	mt;
	TARealismEnv env = {a, f, NULL, NULL};
	uint64_t	st = 42;
	double		x = 0,
				y = 0,
				h = 0,
				t0,
				tj,
				tr,
				sink = 0;

	ta_metric_geodetic(&mt, TA_WGS84_A, TA_WGS84_F);
	for (i = 0; i < n; i++)
	{
		double		u;

		st = st * 6364136223846793005ULL + 1442695040888963407ULL;
		u = (double) (st >> 11) / 9007199254740992.0;
		h += (u - 0.5) * 0.4;
		if ((i / 500) % 5 != 4)	/* moving 4/5 of the time */
		{
			x += 8.0 * cos(h);
			y += 8.0 * sin(h);
		}
		fix[i].x = 8.5 + (x + 3.0 * (u - 0.5)) / 75000.0;
		fix[i].y = 47.3 + (y + 3.0 * (u - 0.5)) / 111000.0;
		fix[i].m = 1.6e9 + (double) i;
	}
	t0 = now();
	for (s = 0; s < n; s += per)
	{
		TAJumpSummary sum;
		size_t		m = n - s < per ? n - s : per;

		ta_find_jumps(fix + s, m, &mt, &ta_profiles[2].p, NULL, NULL, NULL, &sum);
		sink += sum.length_m;
	}
	tj = now() - t0;
	t0 = now();
	for (s = 0; s < n; s += per)
	{
		TARealismFeatures rf;
		TARealismResult rr;
		size_t		m = n - s < per ? n - s : per;

		ta_realism_features(fix + s, m, &mt, &env, &rf);
		ta_realism_score(&rf, &rr);
		sink += rr.score;
	}
	tr = now() - t0;
	printf("%zu fixes in traces of %zu: jumps %.3f s, realism %.3f s, ratio %.2f (%g)\n",
		   n, per, tj, tr, tr / tj, sink > 0 ? 0.0 : 1.0);
	free(fix);
	return 0;
}
