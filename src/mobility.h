/*
 * mobility.h
 *	  Mobility profiles, as generator-evaluation research compares datasets
 *	  (MoveSim, KDD 2020): histograms of jump lengths, radius of gyration,
 *	  stay durations, distinct places per day and visit-rank frequencies.
 *	  A profile is a set of fixed histograms, so profiles merge by adding
 *	  counts (parallel aggregation) and compare bin by bin (Jensen-Shannon).
 *	  No PostgreSQL headers.
 */
#ifndef TA_MOBILITY_H
#define TA_MOBILITY_H

#include <stddef.h>
#include <stdint.h>

#include "geodesy.h"
#include "gser.h"

typedef enum TAMobHist
{
	TA_MH_JUMP = 0,				/* metres between consecutive fixes that moved */
	TA_MH_GYRATION,				/* radius of gyration of a trace, metres */
	TA_MH_STAY,					/* stay durations, seconds */
	TA_MH_PLACES_PER_DAY,		/* distinct places a trace visits per UTC day */
	TA_MH_VISIT_RANK,			/* share of a trace's visits at place rank r */
	TA_MH_N
} TAMobHist;

#define TA_MH_NBINS		24

/* places are cells of this size; stays last this long within this radius */
#define TA_MOB_PLACE_M		250.0
#define TA_MOB_STAY_RADIUS_M	100.0
#define TA_MOB_STAY_MIN_S	300.0

typedef struct TAMobility
{
	int64_t		traces;
	double		count[TA_MH_N][TA_MH_NBINS];	/* visit ranks add shares */
} TAMobility;

extern const char *const ta_mob_hist_names[TA_MH_N];

/* lower edge of bin b of histogram h; bin 0 also takes anything below */
extern double ta_mob_bin_lower(TAMobHist h, int b);

/*
 * Adds one trace of n fixes sorted by time.  scratch must hold 2 * n
 * uint64_t; tick (may be NULL) is called every few thousand fixes.
 */
extern void ta_mob_add_trace(TAMobility *p, const TAFix *fix, size_t n,
							 const TAMetric *mt, uint64_t *scratch,
							 void (*tick) (void *), void *ctx);

extern void ta_mob_merge(TAMobility *dst, const TAMobility *src);

/*
 * Jensen-Shannon divergence (base 2, in [0, 1]) between the normalised
 * histograms h of a and b: 0 for the same shape, 1 for disjoint bins; NaN
 * when either histogram is empty.
 */
extern double ta_mob_jsd(const double *a, const double *b, int nbins);

#endif							/* TA_MOBILITY_H */
