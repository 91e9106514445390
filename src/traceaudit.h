/*
 * traceaudit.h
 *	  Shared declarations of the fmgr glue (PostgreSQL-side code).
 */
#ifndef TRACEAUDIT_H
#define TRACEAUDIT_H

#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "geodesy.h"
#include "gser.h"
#include "jumps.h"

/* most vertices of one LINESTRING M that fits in a varlena */
#define TA_MAX_LINE_FIXES	((MaxAllocSize - 64) / sizeof(TAFix))

/* what the backend knows of an SRID, looked up once per backend */
typedef struct TASridInfo
{
	int32		srid;
	TAMetric	metric;
} TASridInfo;

/* per-fix problems that trace_summary counts and trace_line reports */
typedef enum TAReject
{
	TA_REJ_EMPTY = 0,			/* POINT EMPTY */
	TA_REJ_NONFINITE,			/* NaN or infinite coordinate */
	TA_REJ_OUT_OF_RANGE,		/* lon/lat outside [-180,180] x [-90,90] */
	TA_REJ_BAD_TIME,			/* infinite timestamp */
	TA_NREJECT
} TAReject;

extern const char *const ta_reject_names[TA_NREJECT];

/* progress.c: every TA_PROGRESS_EVERY rows fed to an aggregate, a check */
#define TA_PROGRESS_EVERY	16384
extern uint64 ta_progress_count;
extern void ta_progress_check(void);

static inline void
ta_progress_row(void)
{
	if (unlikely(++ta_progress_count % TA_PROGRESS_EVERY == 0))
		ta_progress_check();
}

/* evidence.c: the evidence jsonb of the realism scores */
typedef struct TAEvidence
{
	int			n;				/* features */
	const char *const *names;
	const double *value;
	const uint8 *valid;
	const double *real_lo;
	const double *real_hi;
	const double *contribution;
	/* the sentence for feature k */
	void		(*explain) (const void *ctx, int k, char *buf, size_t len);
	const void *ctx;
} TAEvidence;

extern void ta_json_number(StringInfo s, double v);
extern void ta_json_features(StringInfo js, const TAEvidence *ev);

/* srid.c */
extern const TASridInfo *ta_srid_info(int32 srid);

/* geom.c */
extern void ta_parse_datum(Datum d, GserGeom *g, struct varlena **detoasted);
extern const char *ta_type_name(uint32 type);
extern TAReject ta_check_fix(const TASridInfo *si, double x, double y);
extern void ta_report_reject(TAReject r, const char *fn, const TASridInfo *si,
							 double x, double y, TimestampTz ts);
extern void ta_check_srid_match(const char *what, int32 expect, int32 got);
extern void ta_tick_interrupts(void *ctx);
extern Datum ta_result_tuple(FunctionCallInfo fcinfo, Datum *values, bool *nulls,
							 int natts);
extern MemoryContext ta_agg_context(FunctionCallInfo fcinfo, const char *fn);

/* arena.c: pieces that live as long as the aggregate context ctx */
extern void *ta_arena_alloc(FunctionCallInfo fcinfo, MemoryContext ctx, size_t bytes,
							 size_t align, bool huge_pages);
extern void ta_check_line_size(size_t n);
extern Datum ta_line_datum(int32 srid, const TAFix *fix, size_t n);
extern TAFix *ta_fixes_from_trace(Datum d, const char *fn, size_t *n,
								  const TASridInfo **si);

/*
 * M is Unix epoch seconds.  One rounding only (an exact int64 of microseconds
 * to double, then one division), so M equals extract(epoch from ts)::float8.
 */
#define TA_EPOCH_OFFSET_US	INT64CONST(946684800000000)

static inline double
ta_ts_to_epoch(TimestampTz ts)
{
	return (double) (ts + TA_EPOCH_OFFSET_US) / 1000000.0;
}

static inline TimestampTz
ta_epoch_to_ts(double m)
{
	return (TimestampTz) llround(m * 1000000.0) - TA_EPOCH_OFFSET_US;
}

/* jumps_fmgr.c */
#define TA_DEFAULT_PROFILE	2	/* "car" in ta_profiles */
extern int	ta_lookup_profile(const char *name);
extern void ta_jump_params(FunctionCallInfo fcinfo, int argoff, TAJumpParams *prm);
extern Datum ta_summary_tuple(FunctionCallInfo fcinfo, const TAJumpSummary *s,
							  const int64 *skipped, const int64 *rejected);

/* realism_fmgr.c */
extern Datum ta_realism_tuple(FunctionCallInfo fcinfo, const TAFix *fix, size_t n,
							  const TAMetric *mt);

/* dataset_fmgr.c: the trace_realism_item bytea of fixes sorted by time */
extern Datum ta_ds_item_datum(const TAFix *fix, size_t n, const TAMetric *mt);

#endif							/* TRACEAUDIT_H */
