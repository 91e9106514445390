/*
 * jumps_fmgr.c
 *	  SQL entry points for jump detection on one trace geometry:
 *	  trace_jumps (one row per finding) and trace_summary (one row per trace).
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

#include "traceaudit.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(trace_jumps);
PG_FUNCTION_INFO_V1(trace_summary);
PG_FUNCTION_INFO_V1(trace_segments);

/* index of a named profile, or an error listing the known ones */
int
ta_lookup_profile(const char *name)
{
	int			i = ta_profile_index(name);

	if (i < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown jump profile \"%s\"", name),
				 errhint("Use one of walk, bike, car, rail, air or vessel.")));
	return i;
}

static double
limit_arg(FunctionCallInfo fcinfo, int arg, const char *name, double dflt, bool zero_ok)
{
	double		v;

	if (PG_NARGS() <= arg || PG_ARGISNULL(arg))
		return dflt;
	v = PG_GETARG_FLOAT8(arg);
	if (!isfinite(v) || v < 0.0 || (v == 0.0 && !zero_ok))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a positive finite number, not %g", name, v),
				 errhint("Pass NULL to use the profile's default.")));
	return v;
}

/*
 * Jump limits from the arguments at argoff: profile, max_speed_mps,
 * max_accel_mps2, noise_m, gap_s.  NULL means the profile's default.
 */
void
ta_jump_params(FunctionCallInfo fcinfo, int argoff, TAJumpParams *prm)
{
	int			pi = TA_DEFAULT_PROFILE;

	if (PG_NARGS() > argoff && !PG_ARGISNULL(argoff))
		pi = ta_lookup_profile(text_to_cstring(PG_GETARG_TEXT_PP(argoff)));
	*prm = ta_profiles[pi].p;
	prm->max_speed = limit_arg(fcinfo, argoff + 1, "max_speed_mps", prm->max_speed, false);
	prm->max_accel = limit_arg(fcinfo, argoff + 2, "max_accel_mps2", prm->max_accel, false);
	prm->noise_m = limit_arg(fcinfo, argoff + 3, "noise_m", prm->noise_m, true);
	prm->gap_s = limit_arg(fcinfo, argoff + 4, "gap_s", prm->gap_s, false);
}

typedef struct EmitCtx
{
	ReturnSetInfo *rsi;
	const TAFix *fix;
	int32		srid;
	const TAMetric *mt;
	double		noise_m;
} EmitCtx;

/* one sentence of evidence for a finding */
static char *
finding_detail(const TAFinding *f, const EmitCtx *e)
{
	switch (f->reason)
	{
		case TA_SPEED:
			return psprintf("%.0f m in %.3g s = %.1f m/s, above %.4g m/s after a %.4g m noise allowance",
							f->distance_m, f->seconds, f->speed_mps, f->limit, 2 * e->noise_m);
		case TA_SPIKE:
			return psprintf("%u fix%s %.0f m away, reached and left at up to %.1f m/s (limit %.4g m/s) while the fixes around %s %.0f m apart in %.3g s",
							f->last - f->first - 1, f->last - f->first > 2 ? "es" : "",
							f->distance_m, f->speed_mps, f->limit,
							f->last - f->first > 2 ? "them are" : "it are",
							ta_distance(e->mt,
										e->fix[f->first].x, e->fix[f->first].y,
										e->fix[f->last].x, e->fix[f->last].y),
							f->seconds);
		case TA_ACCELERATION:
			return psprintf("speed changed by %.1f m/s in %.3g s = %.1f m/s², above %.4g m/s² after the noise allowance",
							f->accel_mps2 * f->seconds, f->seconds, f->accel_mps2, f->limit);
		case TA_DUPLICATE_TIME:
			return psprintf("two fixes %.1f m apart at the same time", f->distance_m);
		case TA_TIME_BACKWARDS:
			return psprintf("time goes back %.3g s", -f->seconds);
		case TA_GAP:
			return psprintf("no fix for %.0f s (gap limit %.4g s), %.0f m moved meanwhile",
							f->seconds, f->limit, f->distance_m);
		default:
			return pstrdup("");
	}
}

static void
emit_finding(void *ctx, const TAFinding *f)
{
	EmitCtx    *e = ctx;
	Datum		values[11];
	bool		nulls[11] = {0};

	values[0] = Int32GetDatum((int32) f->at + 1);
	values[1] = CStringGetTextDatum(ta_reason_names[f->reason]);
	values[2] = TimestampTzGetDatum(ta_epoch_to_ts(e->fix[f->first].m));
	values[3] = TimestampTzGetDatum(ta_epoch_to_ts(e->fix[f->last].m));
	values[4] = ta_line_datum(e->srid, e->fix + f->first, f->last - f->first + 1);
	values[5] = Float8GetDatum(f->distance_m);
	values[6] = Float8GetDatum(f->seconds);
	values[7] = Float8GetDatum(f->speed_mps);
	nulls[7] = isnan(f->speed_mps) || isinf(f->speed_mps);
	values[8] = Float8GetDatum(f->accel_mps2);
	nulls[8] = isnan(f->accel_mps2);
	values[9] = Float8GetDatum(f->limit);
	nulls[9] = (f->reason == TA_DUPLICATE_TIME || f->reason == TA_TIME_BACKWARDS);
	values[10] = CStringGetTextDatum(finding_detail(f, e));
	tuplestore_putvalues(e->rsi->setResult, e->rsi->setDesc, values, nulls);
}

/*
 * trace_jumps(trace geometry, profile text, max_speed_mps, max_accel_mps2,
 *			   noise_m, gap_s) returns setof findings, in trace order.
 * Not STRICT: NULL limits mean the profile's defaults; a NULL trace has none.
 */
Datum
trace_jumps(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsi = (ReturnSetInfo *) fcinfo->resultinfo;
	TAJumpParams prm;
	const TASridInfo *si;
	EmitCtx		e;
	TAFix	   *fix;
	size_t		n;

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(0))
		return (Datum) 0;
	ta_jump_params(fcinfo, 1, &prm);
	fix = ta_fixes_from_trace(PG_GETARG_DATUM(0), "trace_jumps", &n, &si);
	e.rsi = rsi;
	e.fix = fix;
	e.srid = si->srid;
	e.mt = &si->metric;
	e.noise_m = prm.noise_m;
	ta_find_jumps(fix, n, &si->metric, &prm, emit_finding, ta_tick_interrupts, &e, NULL);
	return (Datum) 0;
}

/* the trace_jump_summary composite for a summary and row counts */
Datum
ta_summary_tuple(FunctionCallInfo fcinfo, const TAJumpSummary *s,
				 const int64 *skipped, const int64 *rejected)
{
	Datum		v[20];
	bool		nulls[20] = {0};
	int			i = 0,
				r;
	int32		implausible = 0;

	for (r = 0; r < TA_NREASONS; r++)
		if (r != TA_GAP)
			implausible += (int32) s->counts[r];
	v[i++] = Int64GetDatum(s->fixes);
	v[i++] = Int64GetDatum(skipped ? skipped[0] : 0);
	v[i++] = Int64GetDatum(skipped ? skipped[1] : 0);
	for (r = 0; r < TA_NREJECT; r++)
		v[i++] = Int64GetDatum(rejected ? rejected[r] : 0);
	v[i++] = Int32GetDatum(implausible);
	for (r = 0; r < TA_NREASONS; r++)
		v[i++] = Int32GetDatum((int32) s->counts[r]);
	v[i++] = Int32GetDatum((int32) s->exact_duplicates);
	nulls[i] = isnan(s->max_speed_mps);
	v[i++] = Float8GetDatum(s->max_speed_mps);
	nulls[i] = s->fixes == 0;
	v[i++] = Float8GetDatum(s->duration_s);
	v[i++] = Float8GetDatum(s->length_m);
	nulls[i] = s->fixes == 0;
	v[i++] = TimestampTzGetDatum(s->fixes ? ta_epoch_to_ts(s->t_start) : 0);
	nulls[i] = s->fixes == 0;
	v[i++] = TimestampTzGetDatum(s->fixes ? ta_epoch_to_ts(s->t_end) : 0);
	Assert(i == lengthof(v));
	return ta_result_tuple(fcinfo, v, nulls, lengthof(v));
}

/*
 * trace_summary(trace geometry, profile, limits...): the per-trace summary
 * of a LINESTRING M trace.  The aggregate of the same name works on point
 * rows and also counts skipped and rejected rows.
 */
Datum
trace_summary(PG_FUNCTION_ARGS)
{
	TAJumpParams prm;
	const TASridInfo *si;
	TAJumpSummary sum;
	TAFix	   *fix;
	size_t		n;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	ta_jump_params(fcinfo, 1, &prm);
	fix = ta_fixes_from_trace(PG_GETARG_DATUM(0), "trace_summary", &n, &si);
	ta_find_jumps(fix, n, &si->metric, &prm, NULL, ta_tick_interrupts, NULL, &sum);
	PG_RETURN_DATUM(ta_summary_tuple(fcinfo, &sum, NULL, NULL));
}

/*
 * trace_segments(trace geometry): one row per pair of consecutive fixes, in
 * trace order, with its length in metres, duration and speed.  The raw
 * material of the jump checks, for users to inspect or plot.
 */
Datum
trace_segments(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsi = (ReturnSetInfo *) fcinfo->resultinfo;
	const TASridInfo *si;
	TAFix	   *fix;
	size_t		n,
				i;

	InitMaterializedSRF(fcinfo, 0);
	fix = ta_fixes_from_trace(PG_GETARG_DATUM(0), "trace_segments", &n, &si);
	for (i = 0; i + 1 < n; i++)
	{
		Datum		v[6];
		bool		nulls[6] = {0};
		double		d = ta_distance(&si->metric, fix[i].x, fix[i].y,
									fix[i + 1].x, fix[i + 1].y);
		double		dt = fix[i + 1].m - fix[i].m;

		if ((i & 4095) == 4095)
			CHECK_FOR_INTERRUPTS();
		v[0] = Int32GetDatum((int32) i + 1);
		v[1] = TimestampTzGetDatum(ta_epoch_to_ts(fix[i].m));
		v[2] = TimestampTzGetDatum(ta_epoch_to_ts(fix[i + 1].m));
		v[3] = Float8GetDatum(d);
		v[4] = Float8GetDatum(dt);
		v[5] = Float8GetDatum(dt > 0 ? d / dt : 0);
		nulls[5] = !(dt > 0);
		tuplestore_putvalues(rsi->setResult, rsi->setDesc, v, nulls);
	}
	return (Datum) 0;
}
