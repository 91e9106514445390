/*
 * realism.h
 *	  Does a trace look like real recorded movement?  Per-trace features with
 *	  physical meaning (sampling clock, noise at rest, geometry of motion,
 *	  kinematics, coordinate precision) and an interpretable score built from
 *	  them.  No PostgreSQL headers: the SQL glue lives elsewhere.
 *
 * Usage: sort the fixes with ta_sort_fixes(), call ta_realism_features(),
 * then ta_realism_score().  Each feature has a name, a value and a validity
 * flag; an invalid feature (the trace cannot support it, e.g. no stationary
 * window for the noise features) has value NAN and contributes nothing but
 * its own "missing" evidence from the coefficient table.
 */
#ifndef TA_REALISM_H
#define TA_REALISM_H

#include <stddef.h>
#include <stdint.h>

#include "geodesy.h"
#include "gser.h"
#include "jumps.h"				/* TATick */

typedef enum TARealismFeature
{
	/* sampling clock */
	TA_RF_DT_MEDIAN = 0,		/* median positive interval, s */
	TA_RF_DT_CV,				/* coefficient of variation of non-gap intervals */
	TA_RF_DT_MODE_SHARE,		/* share of intervals equal (1 ms) to the modal one */
	TA_RF_GAP_SHARE,			/* share of intervals > 3 x median */
	TA_RF_SUBSEC_SHARE,			/* share of timestamps with a fractional second */
	/* positional noise at rest */
	TA_RF_REST_NOISE_M,			/* RMS radius around the window centroid, m */
	TA_RF_REST_AUTOCORR,		/* lag-1 autocorrelation of offsets at rest */
	TA_RF_SPIKE_RATIO,			/* out-and-back excursions per interior fix */
	/* geometry of motion */
	TA_RF_COLLINEAR_SHARE,		/* share of fixes in collinear runs of >= 3 segments */
	TA_RF_TURN_MEAN_DEG,		/* mean absolute turning angle while moving */
	TA_RF_TURN_STRAIGHT_SHARE,	/* share of turning angles below 0.5 degree */
	TA_RF_SPEED_TURN_CORR,		/* Pearson correlation of speed and |turn| */
	/* kinematics */
	TA_RF_CONST_SPEED_SHARE,	/* share of segment pairs with the same speed */
	TA_RF_ACCEL_P50,			/* median |acceleration|, m/s^2 */
	TA_RF_ACCEL_P95,			/* 95th percentile |acceleration|, m/s^2 */
	TA_RF_ACCEL_KURTOSIS,		/* excess kurtosis of acceleration */
	TA_RF_STOPS_PER_HOUR,		/* stationary windows per hour */
	TA_RF_STOP_DURATION_CV,		/* CV of stop durations (heavy tail: > 1) */
	/* coordinate precision */
	TA_RF_COORD_DIGITS,			/* decimals that 99% of coordinates need (17 = full) */
	TA_RF_Q5_SHARE,				/* share of coordinates that are multiples of 1e-5 */
	TA_RF_Q6_SHARE,				/* ... of 1e-6 */
	TA_RF_Q7_SHARE,				/* ... of 1e-7 */
	TA_RF_QUANTIZED_SHARE,		/* share on a device grid (<= 12 decimals or FIT semicircles) */
	TA_RF_REPEAT_SHARE,			/* share of fixes repeating the previous position exactly */
	TA_RF_N
} TARealismFeature;

extern const char *const ta_realism_feature_names[TA_RF_N];

typedef struct TARealismFeatures
{
	double		value[TA_RF_N];	/* NAN when invalid */
	uint8_t		valid[TA_RF_N];
	/* context, for the verdict and the evidence */
	size_t		fixes;
	double		duration_s;
	uint32_t	rest_windows;
	uint32_t	moving_triples;
} TARealismFeatures;

/*
 * Caller-provided memory and interrupt checks.  alloc is called at most once
 * per ta_realism_features call (for n doubles of scratch); free is called on
 * what it returned.  tick (may be NULL) is called every few thousand fixes.
 */
typedef struct TARealismEnv
{
	void	   *(*alloc) (void *ctx, size_t size);
	void		(*free) (void *ctx, void *ptr);
	TATick		tick;
	void	   *ctx;
} TARealismEnv;

/*
 * Computes the features of n fixes sorted by ta_sort_fixes.  Returns 0, or -1
 * when the scratch allocation failed (out is then all invalid).  O(n) expected
 * time: a few passes, quantiles by selection, not sorting.
 */
extern int	ta_realism_features(const TAFix *fix, size_t n, const TAMetric *mt,
								const TARealismEnv *env, TARealismFeatures *out);

/* ---- scoring ---- */

#define TA_RM_EDGES 7			/* bin edges per feature, so 8 bins */

/*
 * Per feature: bin edges (quantiles of calibration real traces), the
 * log-likelihood ratio log P(bin | real) / P(bin | synthetic) per bin, the
 * ratio when the feature is invalid, and the 5-95% range real traces show.
 */
typedef struct TARealismCoef
{
	double		edge[TA_RM_EDGES];
	double		llr[TA_RM_EDGES + 1];
	double		llr_invalid;
	double		real_lo;
	double		real_hi;
} TARealismCoef;

typedef struct TARealismModel
{
	double		bias;
	double		scale;			/* score = logistic(bias + scale * sum llr) */
	TARealismCoef coef[TA_RF_N];
} TARealismModel;

extern const TARealismModel ta_realism_default_model;

typedef enum TARealismVerdict
{
	TA_VERDICT_INCONCLUSIVE = 0,
	TA_VERDICT_REAL,
	TA_VERDICT_SYNTHETIC
} TARealismVerdict;

extern const char *const ta_realism_verdict_names[3];

/* below these a trace is too short to judge */
#define TA_REALISM_MIN_FIXES	20
#define TA_REALISM_MIN_SECONDS	120.0
/* score thresholds of the verdict */
#define TA_REALISM_REAL_AT		0.7
#define TA_REALISM_SYNTH_AT		0.3

typedef struct TARealismResult
{
	double		score;			/* [0, 1]; 0.5 when inconclusive for length */
	TARealismVerdict verdict;
	double		contribution[TA_RF_N];	/* scale * llr, on the logit scale */
	double		real_lo[TA_RF_N];
	double		real_hi[TA_RF_N];
} TARealismResult;

extern void ta_realism_score(const TARealismFeatures *f, TARealismResult *r);
extern void ta_realism_score_model(const TARealismModel *m,
								   const TARealismFeatures *f,
								   TARealismResult *r);

/* raw llr of one feature value under a model (for calibration tools) */
extern double ta_realism_llr(const TARealismCoef *c, int valid, double v);

/*
 * One sentence a journalist could quote about feature k, with its value and
 * the range real traces show; returns the snprintf length.
 */
extern int	ta_realism_explain(const TARealismFeatures *f,
							   const TARealismResult *r, int k,
							   char *buf, size_t len);

#endif							/* TA_REALISM_H */
