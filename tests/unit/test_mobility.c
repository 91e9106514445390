/*
 * test_mobility.c
 *	  Mobility profile histograms and the Jensen-Shannon divergence on
 *	  known answers.
 */
#include "mobility.h"
#include "unit.h"

static TAMetric planar;

static void
test_jsd(void)
{
	double		a[2] = {1, 1},
				b[2] = {1, 0},
				c[2] = {0, 1},
				z[2] = {0, 0},
				a2[2] = {5, 5};

	CHECK_NEAR(ta_mob_jsd(a, a, 2), 0.0, 1e-15);
	CHECK_NEAR(ta_mob_jsd(a, a2, 2), 0.0, 1e-15);	/* scale-free */
	CHECK_NEAR(ta_mob_jsd(b, c, 2), 1.0, 1e-15);	/* disjoint */
	/* by hand: 1/2 (1/2 log2(2/3) + 1/2 log2 2) + 1/2 log2(4/3) */
	CHECK_NEAR(ta_mob_jsd(a, b, 2), 0.31127812445913283, 1e-12);
	CHECK(ta_mob_jsd(a, b, 2) == ta_mob_jsd(b, a, 2));
	CHECK(isnan(ta_mob_jsd(z, a, 2)));
}

static void
test_bins(void)
{
	CHECK_NEAR(ta_mob_bin_lower(TA_MH_JUMP, 1), 1.0, 1e-12);
	CHECK_NEAR(ta_mob_bin_lower(TA_MH_JUMP, 9), 100.0, 1e-9);
	CHECK_NEAR(ta_mob_bin_lower(TA_MH_STAY, 1), 60.0, 1e-12);
	CHECK_NEAR(ta_mob_bin_lower(TA_MH_VISIT_RANK, 0), 1.0, 0);
}

/* a car at 10 m/s, a fix every 10 s for 20 min, then parked for an hour */
static void
test_trace(void)
{
	enum {N = 481};
	TAFix		fix[N];
	uint64_t	scratch[2 * N];
	TAMobility	p = {0};
	double		rank_total = 0;
	int			i;

	for (i = 0; i < N; i++)
	{
		fix[i].x = 500000 + (i < 120 ? i : 120) * 100.0;
		fix[i].y = 5000000;
		fix[i].m = 1700000000 + i * 10.0;
	}
	ta_mob_add_trace(&p, fix, N, &planar, scratch, NULL, NULL);
	CHECK_INT(p.traces, 1);
	CHECK_NEAR(p.count[TA_MH_JUMP][9], 120, 0);		/* 100 m jumps */
	CHECK_NEAR(p.count[TA_MH_STAY][9], 1, 0);		/* 3600 s: from 60 * 10^(8/5) */
	CHECK_NEAR(p.count[TA_MH_GYRATION][14], 1, 0);	/* some km: 10^(13/4) = 1778 m up */
	for (i = 0; i < TA_MH_NBINS; i++)
		rank_total += p.count[TA_MH_VISIT_RANK][i];
	CHECK_NEAR(rank_total, 1.0, 1e-12);				/* one trace's shares sum to 1 */

	/* merging is adding */
	{
		TAMobility	q = p;

		ta_mob_merge(&q, &p);
		CHECK_INT(q.traces, 2);
		CHECK_NEAR(q.count[TA_MH_JUMP][9], 240, 0);
	}
}

static void
test_edges(void)
{
	TAFix		one = {1, 2, 3};
	uint64_t	scratch[2];
	TAMobility	p = {0};

	ta_mob_add_trace(&p, NULL, 0, &planar, scratch, NULL, NULL);
	ta_mob_add_trace(&p, &one, 1, &planar, scratch, NULL, NULL);
	CHECK_INT(p.traces, 2);
	CHECK_NEAR(p.count[TA_MH_GYRATION][0], 1, 0);	/* a single fix: radius 0 */
	CHECK_NEAR(p.count[TA_MH_PLACES_PER_DAY][1], 1, 0);
}

int
main(void)
{
	ta_metric_planar(&planar, 1.0);
	RUN(test_jsd);
	RUN(test_bins);
	RUN(test_trace);
	RUN(test_edges);
	return unit_finish("mobility");
}
