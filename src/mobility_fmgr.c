/*
 * mobility_fmgr.c
 *	  SQL side of mobility profiles: the mobility_profile aggregate over
 *	  traces, and histogram_jsd, the divergence of two histograms.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"

#include "mobility.h"
#include "traceaudit.h"

PG_FUNCTION_INFO_V1(mobility_profile_transfn);
PG_FUNCTION_INFO_V1(mobility_profile_combine);
PG_FUNCTION_INFO_V1(mobility_profile_serial);
PG_FUNCTION_INFO_V1(mobility_profile_deserial);
PG_FUNCTION_INFO_V1(mobility_profile_final);
PG_FUNCTION_INFO_V1(histogram_jsd);

/* mobility_profile(trace geometry): adds one LINESTRING M trace */
Datum
mobility_profile_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext ctx = ta_agg_context(fcinfo, "mobility_profile");
	TAMobility *p = PG_ARGISNULL(0) ? NULL : (TAMobility *) PG_GETARG_POINTER(0);
	const TASridInfo *si;
	TAFix	   *fix;
	uint64	   *scratch;
	size_t		n;

	if (p == NULL)
		p = MemoryContextAllocZero(ctx, sizeof(TAMobility));
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(p);
	/* per-trace work in the current (per-row) context */
	fix = ta_fixes_from_trace(PG_GETARG_DATUM(1), "mobility_profile", &n, &si);
	ta_sort_fixes(fix, n);
	scratch = palloc_extended(Max(n, 1) * 2 * sizeof(uint64), MCXT_ALLOC_HUGE);
	ta_mob_add_trace(p, fix, n, &si->metric, scratch, ta_tick_interrupts, NULL);
	pfree(scratch);
	pfree(fix);
	PG_RETURN_POINTER(p);
}

Datum
mobility_profile_combine(PG_FUNCTION_ARGS)
{
	MemoryContext ctx = ta_agg_context(fcinfo, "mobility_profile");
	TAMobility *a = PG_ARGISNULL(0) ? NULL : (TAMobility *) PG_GETARG_POINTER(0);
	TAMobility *b = PG_ARGISNULL(1) ? NULL : (TAMobility *) PG_GETARG_POINTER(1);

	if (b == NULL)
		PG_RETURN_POINTER(a);
	if (a == NULL)
		a = MemoryContextAllocZero(ctx, sizeof(TAMobility));
	ta_mob_merge(a, b);
	PG_RETURN_POINTER(a);
}

/* the state is plain numbers of this server build: copied as bytes */
Datum
mobility_profile_serial(PG_FUNCTION_ARGS)
{
	TAMobility *p = (TAMobility *) PG_GETARG_POINTER(0);
	bytea	   *v = palloc(VARHDRSZ + sizeof(TAMobility));

	ta_agg_context(fcinfo, "mobility_profile");
	SET_VARSIZE(v, VARHDRSZ + sizeof(TAMobility));
	memcpy(VARDATA(v), p, sizeof(TAMobility));
	PG_RETURN_BYTEA_P(v);
}

Datum
mobility_profile_deserial(PG_FUNCTION_ARGS)
{
	MemoryContext ctx = ta_agg_context(fcinfo, "mobility_profile");
	bytea	   *v = PG_GETARG_BYTEA_PP(0);
	TAMobility *p;

	if (VARSIZE_ANY_EXHDR(v) != sizeof(TAMobility))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid mobility profile state of %zu bytes",
						(size_t) VARSIZE_ANY_EXHDR(v))));
	p = MemoryContextAlloc(ctx, sizeof(TAMobility));
	memcpy(p, VARDATA_ANY(v), sizeof(TAMobility));
	PG_RETURN_POINTER(p);
}

/*
 * The profile as jsonb: {"traces": n, "histograms": {name: {"lower":
 * [bin lower edges], "counts": [...]}, ...}}.
 */
Datum
mobility_profile_final(PG_FUNCTION_ARGS)
{
	TAMobility *p;
	StringInfoData js;
	int			h,
				b;

	ta_agg_context(fcinfo, "mobility_profile");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	p = (TAMobility *) PG_GETARG_POINTER(0);
	initStringInfo(&js);
	appendStringInfo(&js, "{\"traces\": " INT64_FORMAT ", \"histograms\": {", p->traces);
	for (h = 0; h < TA_MH_N; h++)
	{
		appendStringInfo(&js, "%s\"%s\": {\"lower\": [", h ? ", " : "", ta_mob_hist_names[h]);
		for (b = 0; b < TA_MH_NBINS; b++)
			appendStringInfo(&js, "%s%.6g", b ? ", " : "", ta_mob_bin_lower((TAMobHist) h, b));
		appendStringInfoString(&js, "], \"counts\": [");
		for (b = 0; b < TA_MH_NBINS; b++)
			appendStringInfo(&js, "%s%.10g", b ? ", " : "", p->count[h][b]);
		appendStringInfoString(&js, "]}");
	}
	appendStringInfoString(&js, "}}");
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(js.data)));
}

/* the values of a one-dimensional float8 array without NULLs */
static double *
histogram_arg(ArrayType *a, const char *name, int *n)
{
	Datum	   *elems;
	bool	   *nulls;
	double	   *v;
	int			i;

	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("histogram %s must be one-dimensional, not %d-dimensional", name, ARR_NDIM(a)),
				 errhint("Pass the bin counts as float8[].")));
	deconstruct_array(a, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, &nulls, n);
	v = palloc(Max(*n, 1) * sizeof(double));
	for (i = 0; i < *n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("histogram %s has a NULL count in bin %d", name, i + 1),
					 errhint("Use 0 for an empty bin.")));
		v[i] = DatumGetFloat8(elems[i]);
		if (!isfinite(v[i]) || v[i] < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("histogram %s has count %g in bin %d", name, v[i], i + 1),
					 errhint("Counts must be finite and not negative.")));
	}
	return v;
}

/*
 * histogram_jsd(a float8[], b float8[]): Jensen-Shannon divergence with
 * base-2 logarithms of the two histograms, normalised: 0 same shape, 1 no
 * bin in common; NULL if either is all zeros.
 */
Datum
histogram_jsd(PG_FUNCTION_ARGS)
{
	int			na,
				nb;
	double	   *a = histogram_arg(PG_GETARG_ARRAYTYPE_P(0), "a", &na);
	double	   *b = histogram_arg(PG_GETARG_ARRAYTYPE_P(1), "b", &nb);
	double		jsd;

	if (na != nb)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("histograms have %d and %d bins", na, nb),
				 errhint("Compare histograms with the same bins.")));
	jsd = ta_mob_jsd(a, b, na);
	if (isnan(jsd))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(jsd);
}
