/*
 * dataset_fmgr.c
 *	  dataset_realism: the realism verdict of a whole set of traces, and
 *	  trace_realism_item, the compact per-trace item it is built from.  The
 *	  work is done in dataset.c; this file is the SQL glue.
 *
 *	  Two paths give the same result:
 *	  - dataset_realism(trace geometry [, cell_m]) over LINESTRING M traces,
 *		one row per trace: each trace's item, and every fix into a density
 *		accumulator (hours in UTC);
 *	  - dataset_realism(item bytea, fp fingerprint) over the items of
 *		trace_realism_item(geom, ts), which shares its state with
 *		trace_summary and trace_realism in one GROUP BY, and the fingerprint
 *		of the whole table.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"

#include "dataset.h"
#include "traceaudit.h"

PG_FUNCTION_INFO_V1(trace_realism_item);
PG_FUNCTION_INFO_V1(dataset_realism_trace_transfn);
PG_FUNCTION_INFO_V1(dataset_realism_item_transfn);
PG_FUNCTION_INFO_V1(dataset_realism_combine);
PG_FUNCTION_INFO_V1(dataset_realism_serial);
PG_FUNCTION_INFO_V1(dataset_realism_deserial);
PG_FUNCTION_INFO_V1(dataset_realism_final);

#define DEFAULT_CELL_M 1000.0

/* ---------- memory ---------- */

static void *
ds_env_alloc(void *ctx, size_t size)
{
	return MemoryContextAllocExtended(CurrentMemoryContext, size,
									  MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
}

static void *
ds_alloc(void *ctx, size_t size)
{
	return MemoryContextAllocExtended((MemoryContext) ctx, size,
									  MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
}

static void *
ds_realloc(void *ctx, void *ptr, size_t size)
{
	return repalloc_huge(ptr, size);
}

static void
ds_free(void *ctx, void *ptr)
{
	pfree(ptr);
}

static TAFpAlloc
ds_allocator(MemoryContext ctx)
{
	TAFpAlloc	al = {ds_alloc, ds_realloc, ds_free, ctx};

	return al;
}

/* ---------- items ---------- */

static bytea *
item_bytea(const TAFix *fix, size_t n, const TAMetric *mt)
{
	TARealismEnv env = {ds_env_alloc, ds_free, ta_tick_interrupts, NULL};
	TADsItem	it;
	bytea	   *v;

	if (ta_ds_item(fix, n, mt, &env, &it) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory computing the realism item of a trace of %zu fixes", n)));
	v = palloc(VARHDRSZ + TA_DS_ITEM_BYTES);
	SET_VARSIZE(v, VARHDRSZ + TA_DS_ITEM_BYTES);
	ta_ds_item_encode(&it, (uint8 *) VARDATA(v));
	return v;
}

/* the item of fixes sorted by time (trace_realism_item(geom, ts)'s final) */
Datum
ta_ds_item_datum(const TAFix *fix, size_t n, const TAMetric *mt)
{
	return PointerGetDatum(item_bytea(fix, n, mt));
}

/* trace_realism_item(trace geometry) */
Datum
trace_realism_item(PG_FUNCTION_ARGS)
{
	const TASridInfo *si;
	size_t		n;
	TAFix	   *fix = ta_fixes_from_trace(PG_GETARG_DATUM(0), "trace_realism_item", &n, &si);

	if (n == 0)
		PG_RETURN_NULL();
	ta_sort_fixes(fix, n);
	PG_RETURN_BYTEA_P(item_bytea(fix, n, &si->metric));
}

/* ---------- the aggregate state ---------- */

typedef struct DsAgg
{
	TADsState  *st;
	TAFpAlloc	al;
	int32		srid;			/* trace path: -1 until the first trace */
	double		cell_m;			/* trace path: NAN until the first trace */
	const void *last_fp;		/* item path: the last fingerprint pointer seen */
} DsAgg;

static DsAgg *
agg_new(MemoryContext ctx)
{
	DsAgg	   *a = MemoryContextAllocZero(ctx, sizeof(DsAgg));

	a->al = ds_allocator(ctx);
	a->srid = -1;
	a->cell_m = NAN;
	return a;
}

/* a's dataset state, made on first use */
static void
agg_ensure_state(DsAgg *a)
{
	if (a->st == NULL)
		a->st = ta_ds_create(NULL, &a->al);
	if (a->st == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory for dataset_realism")));
}

static void
ds_check(TADsStatus s, const TADsError *err, const char *what)
{
	if (s == TA_DS_OK)
		return;
	if (s == TA_DS_E_NOMEM)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory in %s", what)));
	if (s == TA_DS_E_INCOMPATIBLE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s", what, err ? err->message : "incompatible inputs"),
				 errhint("Pass one fingerprint (the whole dataset's) for every row, and one cell size.")));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("%s: %s", what, err ? err->message : "malformed input"),
			 errhint("Pass values made by trace_realism_item and density_fingerprint.")));
}

/* the density grid of the trace path, from the first trace's SRID */
static void
agg_start_grid(DsAgg *a, MemoryContext ctx, const TASridInfo *si, double cell_m)
{
	TAFpGrid	grid;
	TAFpError	err;
	TAFpStatus	s;

	if (!isfinite(cell_m) || cell_m < TA_FP_MIN_CELL_M || cell_m > TA_FP_MAX_CELL_M)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("dataset_realism cell size %g is out of range", cell_m),
				 errhint("Use a cell size between 1 m and 10,000 km, e.g. 1000.")));
	if (si->metric.kind == TA_METRIC_GEODETIC)
		s = ta_fp_grid_init(&grid, TA_FP_GEOGRAPHIC, si->srid, cell_m, 1.0, &err);
	else
		s = ta_fp_grid_init(&grid, TA_FP_PLANAR, si->srid, cell_m, si->metric.to_meter, &err);
	if (s != TA_FP_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("dataset_realism: %s", err.message),
				 errhint("Use a cell size between 1 m and 10,000 km, e.g. 1000.")));
	a->st = ta_ds_create(&grid, &a->al);
	if (a->st == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory for dataset_realism")));
	a->srid = si->srid;
	a->cell_m = cell_m;
}

/* hour of the day in UTC of epoch seconds m, as density_fingerprint counts it */
static int
utc_hour(double m)
{
	const int64 hour_us = INT64CONST(3600000000);
	TimestampTz ts;
	int64		h;

	if (!isfinite(m) || fabs(m) > 9e12)
		return -1;
	ts = ta_epoch_to_ts(m);
	h = (ts >= 0 ? ts / hour_us : -((-ts - 1) / hour_us) - 1) % 24;
	return (int) (h < 0 ? h + 24 : h);
}

/*
 * dataset_realism(trace geometry [, cell_m float8]): one LINESTRING M (or
 * MULTIPOINT M) trace per row.  NULL and empty traces are skipped.
 */
Datum
dataset_realism_trace_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext ctx = ta_agg_context(fcinfo, "dataset_realism");
	DsAgg	   *a = PG_ARGISNULL(0) ? agg_new(ctx) : (DsAgg *) PG_GETARG_POINTER(0);
	double		cell_m = DEFAULT_CELL_M;
	const TASridInfo *si;
	TAFix	   *fix;
	size_t		n,
				i;
	TADsItem	it;
	TARealismEnv env = {ds_env_alloc, ds_free, ta_tick_interrupts, NULL};

	if (PG_NARGS() > 2)
	{
		if (PG_ARGISNULL(2))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("dataset_realism cell size must not be NULL"),
					 errhint("Pass the cell size in metres, e.g. 1000, or leave it out.")));
		cell_m = PG_GETARG_FLOAT8(2);
	}
	if (!isnan(a->cell_m) && a->cell_m != cell_m)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("dataset_realism got cell sizes %g and %g", a->cell_m, cell_m),
				 errhint("Pass one constant cell size per dataset.")));
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(a);
	fix = ta_fixes_from_trace(PG_GETARG_DATUM(1), "dataset_realism", &n, &si);
	if (a->srid == -1)
		agg_start_grid(a, ctx, si, cell_m);
	else
		ta_check_srid_match("dataset", a->srid, si->srid);
	if (n == 0)
	{
		pfree(fix);
		PG_RETURN_POINTER(a);
	}
	ta_sort_fixes(fix, n);
	if (ta_ds_item(fix, n, &si->metric, &env, &it) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory computing the realism of a trace of %zu fixes", n)));
	ds_check(ta_ds_add_item(a->st, &it), NULL, "dataset_realism");
	for (i = 0; i < n; i++)
	{
		TAFpStatus	s = ta_ds_add_point(a->st, fix[i].x, fix[i].y, utc_hour(fix[i].m));

		if ((i & 4095) == 4095)
			CHECK_FOR_INTERRUPTS();
		/* off the grid: left out, as density_fingerprint does */
		if (s != TA_FP_OK && s != TA_FP_E_RANGE)
			ereport(ERROR,
					(errcode(s == TA_FP_E_NOMEM ? ERRCODE_OUT_OF_MEMORY : ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("dataset_realism density: %s", ta_fp_status_message(s)),
					 errhint("Use a larger cell size.")));
	}
	pfree(fix);
	PG_RETURN_POINTER(a);
}

/*
 * dataset_realism(item bytea, fp fingerprint): one trace_realism_item per
 * row and the fingerprint of the whole dataset (the same for every row;
 * NULL for no density evidence).  NULL items are skipped.
 */
Datum
dataset_realism_item_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext ctx = ta_agg_context(fcinfo, "dataset_realism");
	DsAgg	   *a = PG_ARGISNULL(0) ? agg_new(ctx) : (DsAgg *) PG_GETARG_POINTER(0);
	TADsItem	it;
	TADsError	err;

	agg_ensure_state(a);
	if (!PG_ARGISNULL(2))
	{
		Datum		d = PG_GETARG_DATUM(2);

		/* a constant or an InitPlan's value is the same pointer every row */
		if ((const void *) DatumGetPointer(d) != a->last_fp)
		{
			bytea	   *fp = PG_DETOAST_DATUM_PACKED(d);

			ds_check(ta_ds_set_fingerprint(a->st, (const uint8 *) VARDATA_ANY(fp),
										   VARSIZE_ANY_EXHDR(fp), &err),
					 &err, "dataset_realism fingerprint");
			a->last_fp = DatumGetPointer(d);
		}
	}
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(a);
	{
		bytea	   *b = PG_GETARG_BYTEA_PP(1);

		if (ta_ds_item_decode((const uint8 *) VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b), &it, &err) != TA_DS_OK)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid trace realism item of %d bytes: %s",
							(int) VARSIZE_ANY_EXHDR(b), err.message),
					 errhint("Pass values made by trace_realism_item(geom, ts) or trace_realism_item(trace).")));
	}
	ds_check(ta_ds_add_item(a->st, &it), NULL, "dataset_realism");
	PG_RETURN_POINTER(a);
}

Datum
dataset_realism_combine(PG_FUNCTION_ARGS)
{
	MemoryContext ctx = ta_agg_context(fcinfo, "dataset_realism_combine");
	DsAgg	   *a = PG_ARGISNULL(0) ? NULL : (DsAgg *) PG_GETARG_POINTER(0);
	DsAgg	   *b = PG_ARGISNULL(1) ? NULL : (DsAgg *) PG_GETARG_POINTER(1);
	TADsError	err;

	if (b == NULL || b->st == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	/* b is copied, never adopted (it may be another partial state's) */
	if (a == NULL)
		a = agg_new(ctx);
	agg_ensure_state(a);
	if (b->srid != -1 && a->srid != -1)
		ta_check_srid_match("dataset", a->srid, b->srid);
	if (a->srid == -1)
	{
		a->srid = b->srid;
		a->cell_m = b->cell_m;
	}
	ds_check(ta_ds_merge(a->st, b->st, &err), &err, "dataset_realism");
	PG_RETURN_POINTER(a);
}

Datum
dataset_realism_serial(PG_FUNCTION_ARGS)
{
	DsAgg	   *a = (DsAgg *) PG_GETARG_POINTER(0);
	size_t		len;
	bytea	   *v;

	ta_agg_context(fcinfo, "dataset_realism_serial");
	agg_ensure_state(a);
	len = ta_ds_serialize(a->st, NULL, 0);
	if (len > MaxAllocHugeSize - VARHDRSZ - 16)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("dataset_realism state of %zu bytes is too large", len)));
	v = palloc_extended(VARHDRSZ + 12 + len, MCXT_ALLOC_HUGE);
	SET_VARSIZE(v, VARHDRSZ + 12 + len);
	/* srid and cell size of the trace path, then the core's state */
	memcpy(VARDATA(v), &a->srid, 4);
	memcpy(VARDATA(v) + 4, &a->cell_m, 8);
	ta_ds_serialize(a->st, (uint8 *) VARDATA(v) + 12, len);
	PG_RETURN_BYTEA_P(v);
}

Datum
dataset_realism_deserial(PG_FUNCTION_ARGS)
{
	MemoryContext ctx = ta_agg_context(fcinfo, "dataset_realism_deserial");
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	DsAgg	   *a = agg_new(ctx);
	size_t		len = VARSIZE_ANY_EXHDR(b);
	const uint8 *p = (const uint8 *) VARDATA_ANY(b);
	TADsError	err;
	TADsStatus	s;

	if (len < 12)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid dataset_realism state of %zu bytes", len),
				 errhint("States are made by dataset_realism_serial in parallel plans; they are never edited by hand.")));
	memcpy(&a->srid, p, 4);
	memcpy(&a->cell_m, p + 4, 8);
	if (a->srid < -1 || a->srid > TA_FP_MAX_SRID ||
		(a->srid == -1) != isnan(a->cell_m) ||
		(!isnan(a->cell_m) && !(a->cell_m >= TA_FP_MIN_CELL_M && a->cell_m <= TA_FP_MAX_CELL_M)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid dataset_realism state: SRID %d, cell size %g", a->srid, a->cell_m),
				 errhint("States are made by dataset_realism_serial in parallel plans; they are never edited by hand.")));
	s = ta_ds_deserialize(p + 12, len - 12, &a->al, &a->st, &err);
	if (s == TA_DS_E_NOMEM)
		ds_check(s, &err, "dataset_realism_deserial");
	if (s != TA_DS_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid dataset_realism state of %zu bytes: %s", len, err.message),
				 errhint("States are made by dataset_realism_serial in parallel plans; they are never edited by hand.")));
	PG_RETURN_POINTER(a);
}

static void
dataset_explain(const void *ctx, int k, char *buf, size_t len)
{
	ta_ds_explain((const TADsResult *) ctx, k, buf, len);
}

/*
 * The dataset_realism composite.  Evidence: per-trace verdict counts, the
 * clone groups, clocks and precision, density, then "features": one
 * {"feature", "value", "real_range", "contribution", "explanation"} per
 * population feature, strongest contribution first.  NULL for no trace.
 */
Datum
dataset_realism_final(PG_FUNCTION_ARGS)
{
	DsAgg	   *a;
	TADsResult	r;
	TADsError	err;
	StringInfoData js;
	Datum		v[3];
	bool		nulls[3] = {0};
	TAEvidence	ev;
	int			i;
	bool		first = true;

	ta_agg_context(fcinfo, "dataset_realism");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	a = (DsAgg *) PG_GETARG_POINTER(0);
	if (a->st == NULL || ta_ds_count(a->st) == 0)
		PG_RETURN_NULL();
	ds_check(ta_ds_evaluate(a->st, ta_tick_interrupts, NULL, &r, &err), &err, "dataset_realism");

	initStringInfo(&js);
	appendStringInfo(&js, "{\"traces\": " UINT64_FORMAT ", \"judged\": " UINT64_FORMAT
					 ", \"real\": " UINT64_FORMAT ", \"synthetic\": " UINT64_FORMAT
					 ", \"inconclusive\": " UINT64_FORMAT ", \"mean_score\": ",
					 r.traces, r.judged, r.real, r.synthetic, r.inconclusive);
	ta_json_number(&js, r.mean_score);
	appendStringInfo(&js, ", \"clones\": {\"compared\": " UINT64_FORMAT ", \"groups\": " UINT64_FORMAT
					 ", \"traces\": " UINT64_FORMAT ", \"largest_group\": " UINT64_FORMAT
					 ", \"shifted_groups\": " UINT64_FORMAT ", \"simultaneous_groups\": " UINT64_FORMAT
					 ", \"max_shift_s\": ",
					 r.compared, r.clone_groups, r.clone_traces, r.largest_group,
					 r.groups_shifted, r.groups_simultaneous);
	ta_json_number(&js, r.max_shift_s);
	appendStringInfoString(&js, "}, \"clocks\": {\"traces\": ");
	appendStringInfo(&js, UINT64_FORMAT ", \"modal_cadence_s\": ", r.with_cadence);
	ta_json_number(&js, r.modal_cadence_ms >= 0 ? (double) r.modal_cadence_ms / 1000.0 : NAN);
	appendStringInfo(&js, ", \"distinct_cadences\": " UINT64_FORMAT "}, \"precision\": {\"traces\": "
					 UINT64_FORMAT ", \"digits\": {", r.distinct_cadences, r.with_digits);
	for (i = 0; i <= 17; i++)
		if (r.digits_count[i] > 0)
		{
			appendStringInfo(&js, "%s\"%d\": " UINT64_FORMAT, first ? "" : ", ", i, r.digits_count[i]);
			first = false;
		}
	appendStringInfoString(&js, "}}, \"density\": {\"cell_m\": ");
	ta_json_number(&js, r.cell_m);
	appendStringInfo(&js, ", \"points\": " INT64_FORMAT ", \"cells\": %u, \"core_share\": ",
					 r.points, r.cells);
	ta_json_number(&js, r.core_share);
	appendStringInfoString(&js, "}, ");
	ev.n = TA_DF_N;
	ev.names = ta_ds_feature_names;
	ev.value = r.value;
	ev.valid = r.valid;
	ev.real_lo = r.real_lo;
	ev.real_hi = r.real_hi;
	ev.contribution = r.contribution;
	ev.explain = dataset_explain;
	ev.ctx = &r;
	ta_json_features(&js, &ev);
	appendStringInfoChar(&js, '}');

	v[0] = Float8GetDatum(r.score);
	v[1] = CStringGetTextDatum(ta_ds_verdict_names[r.verdict]);
	v[2] = DirectFunctionCall1(jsonb_in, CStringGetDatum(js.data));
	return ta_result_tuple(fcinfo, v, nulls, lengthof(v));
}
