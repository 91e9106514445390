/*
 * dataset.h
 *	  Dataset-level realism (issue 4, part 3): does a whole set of traces look
 *	  like real recordings?  Combines the per-trace realism verdicts with
 *	  population evidence no single trace shows:
 *	  - cloned paths: the same path (positions only, time ignored) in several
 *		traces, found with MinHash signatures and LSH banding;
 *	  - the mix of sampling clocks and coordinate precisions across traces;
 *	  - density concentration, from a density fingerprint (fingerprint.h).
 *	  Pure C, no PostgreSQL headers: unit tested in tests/unit and used by
 *	  tests/eval.  Memory only through the caller's TAFpAlloc.
 *
 * ITEMS
 *	  One TADsItem per trace, built by ta_ds_item() from the trace's fixes
 *	  sorted by ta_sort_fixes: the realism score and verdict
 *	  (ta_realism_features + ta_realism_score), the modal sampling interval
 *	  to 1 ms, the decimals of the coordinates, the time span, and a MinHash
 *	  signature of the path.
 *
 *	  Signature: every fix is rounded to a grid of about 1 m (1e-5 degree in
 *	  lon/lat SRIDs, 1 m in projected ones); a shingle is a pair of
 *	  consecutive rounded positions that differ (time is not used, so a copy
 *	  shifted in time has the same shingles; a trace at rest adds none).
 *	  The signature is a one-permutation MinHash of the shingle set: each
 *	  shingle's 64-bit hash picks one of TA_DS_K bins by its top bits and the
 *	  bin keeps the least of the low 32 bits; empty bins are filled from the
 *	  next non-empty bin to the right, circularly, with the distance mixed in
 *	  (densified one-permutation hashing, Shrivastava and Li, 2014).  The
 *	  share of equal bins of two signatures estimates the Jaccard similarity
 *	  of their shingle sets.  Two real recordings of the same route have
 *	  different sampling points and noise, so their rounded positions rarely
 *	  coincide; an exact or time-shifted copy has the same set.
 *
 * ITEM BINARY FORMAT (TA_DS_ITEM_BYTES bytes, little-endian)
 *	   0  "TADI"   4 bytes
 *	   4  version = 1   u8
 *	   5  verdict  u8 (TARealismVerdict)
 *	   6  flags    u8 (TA_DS_I_*)
 *	   7  digits   u8 (0..17, 255 unknown)
 *	   8  score f64, 16 t_start f64, 24 t_end f64 (epoch seconds)
 *	  32  fixes u64, 40 cadence_ms i64 (-1 none), 48 mode_share f64
 *	  56  shingles u32, 60 filled u32 (bins filled before densification,
 *	      0..TA_DS_K), 64 sig[TA_DS_K] u32
 *	  Decoding validates every field (see ta_ds_item_decode).
 *
 * STATE
 *	  A set of items plus, optionally, either a density fingerprint
 *	  accumulator (the dataset_realism(trace) path adds every fix) or the
 *	  binary of a finalized fingerprint given by the caller (the item path).
 *	  Merging concatenates the items and merges the accumulators exactly;
 *	  the result does not depend on the order of items (ta_ds_evaluate sorts
 *	  them first), so parallel and serial plans give the same bits.
 *
 * STATE BINARY FORMAT (little-endian)
 *	   0  "TADS" 4 bytes, 4 version = 1 u8, 5 mode u8 (0 none, 1 accumulator,
 *	   2 fingerprint), 6..7 zero, 8 items u64, 16 fingerprint bytes u64,
 *	  24  items x TA_DS_ITEM_BYTES, then the accumulator
 *	  (ta_fp_acc_serialize) or fingerprint (ta_fp_to_binary) bytes.
 */
#ifndef TA_DATASET_H
#define TA_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "fingerprint.h"
#include "geodesy.h"
#include "gser.h"
#include "realism.h"

#define TA_DS_K				32	/* MinHash bins */
#define TA_DS_BAND_ROWS		2	/* LSH: 16 bands of 2 bins */
#define TA_DS_BANDS			(TA_DS_K / TA_DS_BAND_ROWS)
#define TA_DS_MIN_FILLED	16	/* fewer bins filled (about 20 distinct
								 * shingles): the trace is not compared */
#define TA_DS_CLONE_JACCARD	0.5 /* estimated Jaccard of a clone pair */
#define TA_DS_SIMULTANEOUS_S 1.0	/* copies starting within this: simultaneous */
#define TA_DS_ITEM_BYTES	(64 + 4 * TA_DS_K)
#define TA_DS_ITEM_VERSION	1
#define TA_DS_STATE_VERSION 1

/* item flags */
#define TA_DS_I_JUDGED		0x01	/* long enough for a per-trace verdict */
#define TA_DS_I_ALL			0x01

typedef struct TADsItem
{
	double		score;			/* per-trace realism score */
	uint8_t		verdict;		/* TARealismVerdict */
	uint8_t		flags;			/* TA_DS_I_* */
	uint8_t		digits;			/* decimals 99% of coordinates need; 255 unknown */
	double		t_start;
	double		t_end;
	uint64_t	fixes;
	int64_t		cadence_ms;		/* modal interval to 1 ms, -1 under 10 intervals */
	double		mode_share;		/* share of intervals on it; NAN without cadence */
	uint32_t	shingles;		/* moves between rounded positions (capped) */
	uint32_t	filled;			/* signature bins filled before densification */
	uint32_t	sig[TA_DS_K];
} TADsItem;

typedef enum TADsStatus
{
	TA_DS_OK = 0,
	TA_DS_E_NOMEM,
	TA_DS_E_FORMAT,				/* malformed item or state bytes */
	TA_DS_E_INCOMPATIBLE,		/* merging states of different grids/fingerprints */
	TA_DS_E_FP					/* a fingerprint error (see the message) */
} TADsStatus;

typedef struct TADsError
{
	TADsStatus	status;
	char		message[200];
} TADsError;

/*
 * The item of one trace: n fixes sorted by ta_sort_fixes, mt its metric.
 * env as for ta_realism_features (its alloc is called for scratch space).
 * Returns 0, or -1 when an allocation failed.
 */
extern int	ta_ds_item(const TAFix *fix, size_t n, const TAMetric *mt,
					   const TARealismEnv *env, TADsItem *out);

extern void ta_ds_item_encode(const TADsItem *it, uint8_t *dst);	/* TA_DS_ITEM_BYTES */
extern TADsStatus ta_ds_item_decode(const uint8_t *buf, size_t len, TADsItem *it,
									TADsError *err);

/* estimated Jaccard similarity of two items' shingle sets, in [0, 1] */
extern double ta_ds_similarity(const TADsItem *a, const TADsItem *b);

/* ---------- state ---------- */

typedef struct TADsState TADsState;

/* grid NULL: no density (add a fingerprint with ta_ds_set_fingerprint) */
extern TADsState *ta_ds_create(const TAFpGrid *grid, const TAFpAlloc *al);
extern void ta_ds_free(TADsState *st);
extern TADsStatus ta_ds_add_item(TADsState *st, const TADsItem *it);
/* a fix for the density accumulator: hour 0..23 or -1 */
extern TAFpStatus ta_ds_add_point(TADsState *st, double x, double y, int hour);
/* a finalized fingerprint's binary (validated; copied) */
extern TADsStatus ta_ds_set_fingerprint(TADsState *st, const uint8_t *bin,
										size_t len, TADsError *err);
extern TADsStatus ta_ds_merge(TADsState *dst, const TADsState *src, TADsError *err);
extern size_t ta_ds_count(const TADsState *st);
extern const TADsItem *ta_ds_items(const TADsState *st);

extern size_t ta_ds_serialize(const TADsState *st, uint8_t *dst, size_t cap);
extern TADsStatus ta_ds_deserialize(const uint8_t *buf, size_t len,
									const TAFpAlloc *al, TADsState **out,
									TADsError *err);

/* ---------- the verdict ---------- */

typedef enum TADsFeature
{
	TA_DF_TRACE_BALANCE = 0,	/* (real - synthetic) / judged traces */
	TA_DF_CLONE_SHARE,			/* share of compared traces in clone groups */
	TA_DF_CADENCE_SHARE,		/* share of traces on the modal cadence (1 ms) */
	TA_DF_DIGITS_SHARE,			/* share of traces at the modal digit count */
	TA_DF_DENSITY_GINI,			/* Gini of points over occupied cells */
	TA_DF_DENSITY_TOP10,		/* share of points in the densest 10% of cells */
	TA_DF_CORE_HOUR_RANGE,		/* range of the core's share of points by hour */
	TA_DF_N
} TADsFeature;

extern const char *const ta_ds_feature_names[TA_DF_N];

typedef enum TADsVerdict
{
	TA_DS_INCONCLUSIVE = 0,
	TA_DS_REAL,
	TA_DS_SYNTHETIC,
	TA_DS_MIXED
} TADsVerdict;

extern const char *const ta_ds_verdict_names[4];

#define TA_DS_REAL_AT		0.7
#define TA_DS_SYNTH_AT		0.3

typedef struct TADsResult
{
	double		score;			/* [0, 1] */
	TADsVerdict verdict;
	double		value[TA_DF_N];	/* NAN when not measurable */
	uint8_t		valid[TA_DF_N];
	double		contribution[TA_DF_N];	/* logit scale */
	double		real_lo[TA_DF_N];
	double		real_hi[TA_DF_N];
	/* per-trace counts */
	uint64_t	traces,
				judged,
				real,
				synthetic,
				inconclusive;
	double		mean_score;		/* over judged traces; NAN if none */
	/* clones */
	uint64_t	compared;		/* traces with >= TA_DS_MIN_FILLED bins filled */
	uint64_t	clone_groups,
				clone_traces,
				largest_group,
				groups_shifted, /* members start more than 1 s apart */
				groups_simultaneous;
	double		max_shift_s;	/* largest start-time difference within a group */
	/* clocks and precision */
	uint64_t	with_cadence;
	int64_t		modal_cadence_ms;
	uint64_t	distinct_cadences;
	uint64_t	with_digits;
	int			modal_digits;
	uint64_t	digits_count[18];
	/* density (from the fingerprint summary) */
	int64_t		points;
	uint32_t	cells;
	double		cell_m;
	double		core_share;
} TADsResult;

/*
 * Evaluates a state: sorts its items into a canonical order (so the result
 * is the same for any order of adding and merging), finds clone groups,
 * reads the density fingerprint.  tick (may be NULL) is called every few
 * thousand items.  TA_DS_E_NOMEM or TA_DS_E_FP on failure.
 */
extern TADsStatus ta_ds_evaluate(TADsState *st, TATick tick, void *tick_ctx,
								 TADsResult *r, TADsError *err);

/* the same from a summary the caller has (NULL: no density evidence) */
extern TADsStatus ta_ds_evaluate_items(TADsItem *items, size_t n,
									   const TAFpSummary *density,
									   const TAFpAlloc *al, TATick tick,
									   void *tick_ctx, TADsResult *r);

/* one sentence a journalist could quote about feature k; snprintf length */
extern int	ta_ds_explain(const TADsResult *r, int k, char *buf, size_t len);

#endif							/* TA_DATASET_H */
