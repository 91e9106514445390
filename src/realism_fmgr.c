/*
 * realism_fmgr.c
 *	  trace_realism: does a trace look like real recorded movement?  The
 *	  features and the score are computed in realism.c; this file turns them
 *	  into a composite (score, verdict, evidence jsonb) for SQL.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"

#include "realism.h"
#include "traceaudit.h"

PG_FUNCTION_INFO_V1(trace_realism);

static void *
rl_alloc(void *ctx, size_t size)
{
	return MemoryContextAllocExtended(CurrentMemoryContext, size,
									  MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
}

static void
rl_free(void *ctx, void *ptr)
{
	pfree(ptr);
}

/* the sentence for feature k of a trace */
typedef struct RealismExplain
{
	const TARealismFeatures *f;
	const TARealismResult *r;
} RealismExplain;

static void
realism_explain(const void *ctx, int k, char *buf, size_t len)
{
	const RealismExplain *e = ctx;

	ta_realism_explain(e->f, e->r, k, buf, len);
}

/*
 * The trace_realism composite for fixes sorted by time.  Evidence:
 * {"fixes", "duration_s", "features": [{"feature", "value", "real_range",
 * "contribution", "explanation"}, ...]}, strongest contribution first.
 */
Datum
ta_realism_tuple(FunctionCallInfo fcinfo, const TAFix *fix, size_t n,
				 const TAMetric *mt)
{
	TARealismEnv env = {rl_alloc, rl_free, ta_tick_interrupts, NULL};
	TARealismFeatures f;
	TARealismResult r;
	StringInfoData js;
	Datum		v[3];
	bool		nulls[3] = {0};
	RealismExplain ex;
	TAEvidence	ev;

	if (ta_realism_features(fix, n, mt, &env, &f) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory computing the realism of a trace of %zu fixes", n)));
	ta_realism_score(&f, &r);

	ex.f = &f;
	ex.r = &r;
	ev.n = TA_RF_N;
	ev.names = ta_realism_feature_names;
	ev.value = f.value;
	ev.valid = f.valid;
	ev.real_lo = r.real_lo;
	ev.real_hi = r.real_hi;
	ev.contribution = r.contribution;
	ev.explain = realism_explain;
	ev.ctx = &ex;

	initStringInfo(&js);
	appendStringInfo(&js, "{\"fixes\": %zu, \"duration_s\": ", f.fixes);
	ta_json_number(&js, f.duration_s);
	appendStringInfoString(&js, ", ");
	ta_json_features(&js, &ev);
	appendStringInfoChar(&js, '}');

	v[0] = Float8GetDatum(r.score);
	v[1] = CStringGetTextDatum(ta_realism_verdict_names[r.verdict]);
	v[2] = DirectFunctionCall1(jsonb_in, CStringGetDatum(js.data));
	return ta_result_tuple(fcinfo, v, nulls, lengthof(v));
}

/* trace_realism(trace geometry): the realism of a LINESTRING M trace */
Datum
trace_realism(PG_FUNCTION_ARGS)
{
	const TASridInfo *si;
	size_t		n;
	TAFix	   *fix = ta_fixes_from_trace(PG_GETARG_DATUM(0), "trace_realism", &n, &si);

	ta_sort_fixes(fix, n);
	PG_RETURN_DATUM(ta_realism_tuple(fcinfo, fix, n, &si->metric));
}
