/*
 * mobility.c
 *	  Mobility profile histograms of traces; see mobility.h.
 */
#include "mobility.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fingerprint.h"

const char *const ta_mob_hist_names[TA_MH_N] = {
	"jump_length_m", "radius_of_gyration_m", "stay_duration_s",
	"places_per_day", "visit_rank_share"
};

/*
 * Log bins: lengths from 1 m in quarter decades (bin 23 from 316 km),
 * stays from 60 s in fifth decades (bin 23 from 17 days); counts: bin b is
 * b places, or rank b + 1 (the last bin takes everything above).
 */
double
ta_mob_bin_lower(TAMobHist h, int b)
{
	switch (h)
	{
		case TA_MH_JUMP:
		case TA_MH_GYRATION:
			return b == 0 ? 0.0 : pow(10.0, (b - 1) / 4.0);
		case TA_MH_STAY:
			return b == 0 ? 0.0 : 60.0 * pow(10.0, (b - 1) / 5.0);
		case TA_MH_PLACES_PER_DAY:
			return (double) b;
		case TA_MH_VISIT_RANK:
			return (double) (b + 1);
		default:
			return NAN;
	}
}

static int
log_bin(double v, double base, double per_decade)
{
	double		b;

	if (!(v >= base))
		return 0;
	b = floor(log10(v / base) * per_decade) + 1;
	return b >= TA_MH_NBINS - 1 ? TA_MH_NBINS - 1 : (int) b;
}

static int
count_bin(size_t v)
{
	return v >= TA_MH_NBINS - 1 ? TA_MH_NBINS - 1 : (int) v;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *) a,
				y = *(const uint64_t *) b;

	return x < y ? -1 : x > y;
}

static int
cmp_u64_desc(const void *a, const void *b)
{
	return cmp_u64(b, a);
}

/* distinct values among n sorted keys */
static size_t
count_distinct(const uint64_t *k, size_t n)
{
	size_t		i,
				d = n > 0;

	for (i = 1; i < n; i++)
		d += k[i] != k[i - 1];
	return d;
}

void
ta_mob_add_trace(TAMobility *p, const TAFix *fix, size_t n, const TAMetric *mt,
				 uint64_t *scratch, void (*tick) (void *), void *ctx)
{
	uint64_t   *key = scratch;
	uint64_t   *tmp = scratch + n;
	TAFpGrid	grid;
	double		cx = 0,
				cy = 0,
				ss = 0;
	size_t		i,
				j,
				nvisits = 0;

	p->traces++;
	if (n == 0)
		return;

	/* jumps, and the centroid for the radius of gyration */
	for (i = 0; i < n; i++)
	{
		if (tick && (i & 4095) == 4095)
			tick(ctx);
		cx += fix[i].x;
		cy += fix[i].y;
		if (i > 0)
		{
			double		d = ta_distance(mt, fix[i - 1].x, fix[i - 1].y, fix[i].x, fix[i].y);

			if (d > 0)
				p->count[TA_MH_JUMP][log_bin(d, 1.0, 4.0)] += 1;
		}
	}
	cx /= n;
	cy /= n;
	for (i = 0; i < n; i++)
	{
		double		d = ta_distance(mt, cx, cy, fix[i].x, fix[i].y);

		ss += d * d;
	}
	p->count[TA_MH_GYRATION][log_bin(sqrt(ss / n), 1.0, 4.0)] += 1;

	/* stays: runs within the radius of their first fix, long enough */
	for (i = 0; i < n; i = j)
	{
		for (j = i + 1; j < n; j++)
			if (ta_distance(mt, fix[i].x, fix[i].y, fix[j].x, fix[j].y) > TA_MOB_STAY_RADIUS_M)
				break;
		if (fix[j - 1].m - fix[i].m >= TA_MOB_STAY_MIN_S)
			p->count[TA_MH_STAY][log_bin(fix[j - 1].m - fix[i].m, 60.0, 5.0)] += 1;
	}

	/* places: cells of the fingerprint grid (off-grid fixes are no place) */
	if (mt->kind == TA_METRIC_GEODETIC)
		ta_fp_grid_init(&grid, TA_FP_GEOGRAPHIC, 0, TA_MOB_PLACE_M, 1.0, NULL);
	else
		ta_fp_grid_init(&grid, TA_FP_PLANAR, 0, TA_MOB_PLACE_M, mt->to_meter, NULL);
	for (i = 0; i < n; i++)
		if (ta_fp_cell_of(&grid, fix[i].x, fix[i].y, &key[i]) != TA_FP_OK)
			key[i] = UINT64_MAX;

	/* distinct places per UTC day (fixes are in time order, days contiguous) */
	for (i = 0; i < n; i = j)
	{
		double		day = floor(fix[i].m / 86400.0);
		size_t		k = 0;

		for (j = i; j < n && floor(fix[j].m / 86400.0) == day; j++)
			if (key[j] != UINT64_MAX)
				tmp[k++] = key[j];
		if (k > 0)
		{
			qsort(tmp, k, sizeof(uint64_t), cmp_u64);
			p->count[TA_MH_PLACES_PER_DAY][count_bin(count_distinct(tmp, k))] += 1;
		}
	}

	/* visits: runs of fixes in one place; their counts per place, by rank */
	for (i = 0; i < n; i++)
		if (key[i] != UINT64_MAX && (i == 0 || key[i] != key[i - 1]))
			tmp[nvisits++] = key[i];
	if (nvisits > 0)
	{
		size_t		nplaces = 0;

		qsort(tmp, nvisits, sizeof(uint64_t), cmp_u64);
		/* reuse key[] for the visit count of each place */
		for (i = 0; i < nvisits; i = j)
		{
			for (j = i; j < nvisits && tmp[j] == tmp[i]; j++)
				;
			key[nplaces++] = j - i;
		}
		qsort(key, nplaces, sizeof(uint64_t), cmp_u64_desc);
		for (i = 0; i < nplaces; i++)
			p->count[TA_MH_VISIT_RANK][count_bin(i)] += (double) key[i] / nvisits;
	}
}

void
ta_mob_merge(TAMobility *dst, const TAMobility *src)
{
	int			h,
				b;

	dst->traces += src->traces;
	for (h = 0; h < TA_MH_N; h++)
		for (b = 0; b < TA_MH_NBINS; b++)
			dst->count[h][b] += src->count[h][b];
}

double
ta_mob_jsd(const double *a, const double *b, int nbins)
{
	double		ta = 0,
				tb = 0,
				jsd = 0;
	int			i;

	for (i = 0; i < nbins; i++)
	{
		ta += a[i];
		tb += b[i];
	}
	if (!(ta > 0) || !(tb > 0))
		return NAN;
	for (i = 0; i < nbins; i++)
	{
		double		p = a[i] / ta,
					q = b[i] / tb,
					m = 0.5 * (p + q);

		if (p > 0)
			jsd += 0.5 * p * log2(p / m);
		if (q > 0)
			jsd += 0.5 * q * log2(q / m);
	}
	return jsd < 0 ? 0 : (jsd > 1 ? 1 : jsd);
}
