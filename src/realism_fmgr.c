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

static void
append_num(StringInfo s, double v)
{
	if (isfinite(v))
		appendStringInfo(s, "%.6g", v);
	else
		appendStringInfoString(s, "null");
}

/* order of evidence: strongest contribution first */
static const TARealismResult *sort_result;

static int
cmp_contribution(const void *a, const void *b)
{
	double		x = fabs(sort_result->contribution[*(const int *) a]);
	double		y = fabs(sort_result->contribution[*(const int *) b]);

	if (x != y)
		return x > y ? -1 : 1;
	return *(const int *) a - *(const int *) b;
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
	int			order[TA_RF_N];
	int			i;
	char		line[512];

	if (ta_realism_features(fix, n, mt, &env, &f) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory computing the realism of a trace of %zu fixes", n)));
	ta_realism_score(&f, &r);

	for (i = 0; i < TA_RF_N; i++)
		order[i] = i;
	sort_result = &r;
	qsort(order, TA_RF_N, sizeof(int), cmp_contribution);

	initStringInfo(&js);
	appendStringInfo(&js, "{\"fixes\": %zu, \"duration_s\": ", f.fixes);
	append_num(&js, f.duration_s);
	appendStringInfoString(&js, ", \"features\": [");
	for (i = 0; i < TA_RF_N; i++)
	{
		int			k = order[i];

		if (i > 0)
			appendStringInfoString(&js, ", ");
		appendStringInfoString(&js, "{\"feature\": ");
		escape_json(&js, ta_realism_feature_names[k]);
		appendStringInfoString(&js, ", \"value\": ");
		append_num(&js, f.valid[k] ? f.value[k] : NAN);
		appendStringInfoString(&js, ", \"real_range\": [");
		append_num(&js, r.real_lo[k]);
		appendStringInfoString(&js, ", ");
		append_num(&js, r.real_hi[k]);
		appendStringInfoString(&js, "], \"contribution\": ");
		append_num(&js, r.contribution[k]);
		ta_realism_explain(&f, &r, k, line, sizeof(line));
		appendStringInfoString(&js, ", \"explanation\": ");
		escape_json(&js, line);
		appendStringInfoChar(&js, '}');
	}
	appendStringInfoString(&js, "]}");

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
