/*
 * geom.c
 *	  Geometry datums in and out: the PostgreSQL side of gser.c, with the
 *	  error reports a user sees for bad geometries.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#include "traceaudit.h"

const char *const ta_reject_names[TA_NREJECT] = {
	"empty", "nonfinite", "out_of_range", "bad_time"
};

const char *
ta_type_name(uint32 type)
{
	static const char *const names[] = {
		"unknown", "POINT", "LINESTRING", "POLYGON", "MULTIPOINT",
		"MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION",
		"CIRCULARSTRING", "COMPOUNDCURVE", "CURVEPOLYGON", "MULTICURVE",
		"MULTISURFACE", "POLYHEDRALSURFACE", "TRIANGLE", "TIN"
	};

	return type < lengthof(names) ? names[type] : "unknown";
}

/*
 * Decodes a geometry datum.  Short (1-byte header) values are read in place
 * without a copy; *detoasted is set to the value read, for PG_FREE_IF_COPY
 * style freeing by the caller if it wants.
 */
void
ta_parse_datum(Datum d, GserGeom *g, struct varlena **detoasted)
{
	struct varlena *v = PG_DETOAST_DATUM_PACKED(d);
	GserStatus	st = gser_parse_varlena((const uint8 *) v, VARSIZE_ANY(v), g);

	if (st == GSER_E_TYPE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("geometry type %s is not supported here", ta_type_name(g->type)),
				 errhint("Use POINT rows, or a LINESTRING M or MULTIPOINT M trace with time as M.")));
	if (st != GSER_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid serialized geometry: %s", gser_status_message(st)),
				 errhint("The value is corrupt or not a PostGIS geometry.")));
	if (detoasted)
		*detoasted = v;
}

/* classifies a coordinate pair; TA_NREJECT when it is fine */
TAReject
ta_check_fix(const TASridInfo *si, double x, double y)
{
	if (!isfinite(x) || !isfinite(y))
		return TA_REJ_NONFINITE;
	if (si->metric.kind == TA_METRIC_GEODETIC &&
		(x < -180.0 || x > 180.0 || y < -90.0 || y > 90.0))
		return TA_REJ_OUT_OF_RANGE;
	return TA_NREJECT;
}

/* raises the error for a rejected fix, naming its value */
void
ta_report_reject(TAReject r, const char *fn, const TASridInfo *si,
				 double x, double y, TimestampTz ts)
{
	switch (r)
	{
		case TA_REJ_EMPTY:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s cannot use an empty point", fn),
					 errdetail("The fix at %s is POINT EMPTY.", timestamptz_to_str(ts)),
					 errhint("Filter such rows with WHERE NOT ST_IsEmpty(geom), or use trace_summary, which counts them as rejected.")));
			break;
		case TA_REJ_NONFINITE:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("%s cannot use a non-finite coordinate (%g %g)", fn, x, y),
					 errhint("Filter such rows out, or use trace_summary, which counts them as rejected.")));
			break;
		case TA_REJ_OUT_OF_RANGE:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("%s: coordinate (%g %g) is out of range for longitude/latitude SRID %d",
							fn, x, y, si->srid),
					 errdetail("Longitude must be within [-180, 180] and latitude within [-90, 90]."),
					 errhint("The coordinates may be swapped (see ST_FlipCoordinates) or in a projected CRS (see ST_SetSRID).")));
			break;
		case TA_REJ_BAD_TIME:
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("%s cannot use an infinite timestamp", fn),
					 errhint("Filter rows with WHERE isfinite(ts), or use trace_summary, which counts them as rejected.")));
			break;
		default:
			elog(ERROR, "unexpected reject reason %d", (int) r);
	}
}

/* what: "trace" or "dataset", the thing that must have one SRID */
void
ta_check_srid_match(const char *what, int32 expect, int32 got)
{
	if (expect != got)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s mixes SRID %d and SRID %d", what, expect, got),
				 errhint("Transform every geometry of a %s to one SRID with ST_Transform.", what)));
}

/* raises the error for a trace too large for one LINESTRING M */
void
ta_check_line_size(size_t n)
{
	if (n > TA_MAX_LINE_FIXES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("trace of %zu fixes is too large for one geometry", n),
				 errdetail("A LINESTRING M holds at most %zu fixes.", (size_t) TA_MAX_LINE_FIXES),
				 errhint("Split the trace, e.g. GROUP BY trace id and day.")));
}

/* a LINESTRING M datum of the fixes, in the current memory context */
Datum
ta_line_datum(int32 srid, const TAFix *fix, size_t n)
{
	uint8	   *buf;

	ta_check_line_size(n);
	buf = palloc(gser_linestring_m_size((uint32) n));
	gser_write_linestring_m(buf, srid, fix, (uint32) n);
	return PointerGetDatum(buf);
}

/*
 * Fixes of a trace argument: a LINESTRING M or MULTIPOINT M whose M is epoch
 * seconds, in the order given.  Every coordinate is checked; a bad one is an
 * error (a trace is one value: there is no row to skip).
 */
TAFix *
ta_fixes_from_trace(Datum d, const char *fn, size_t *n, const TASridInfo **si)
{
	GserGeom	g;
	TAFix	   *fix;
	uint32		i;

	ta_parse_datum(d, &g, NULL);
	if (g.type != GSER_LINESTRING && g.type != GSER_MULTIPOINT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s expects a LINESTRING M or MULTIPOINT M trace, got %s",
						fn, ta_type_name(g.type)),
				 errhint("Build traces from point rows with trace_line(geom, ts).")));
	if (!g.has_m)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s expects time as the M ordinate, but the %s has no M",
						fn, ta_type_name(g.type)),
				 errhint("Build traces with trace_line(geom, ts), which sets M to epoch seconds.")));
	*si = ta_srid_info(g.srid);
	*n = g.npoints;
	fix = palloc_extended(Max(g.npoints, 1) * sizeof(TAFix), MCXT_ALLOC_HUGE);
	for (i = 0; i < g.npoints; i++)
	{
		double		x,
					y,
					m;
		TAReject	r;

		if ((i & 65535) == 65535)
			CHECK_FOR_INTERRUPTS();
		gser_get_point(&g, i, &x, &y, NULL, &m);
		r = ta_check_fix(*si, x, y);
		if (r != TA_NREJECT)
			ta_report_reject(r, fn, *si, x, y, ta_epoch_to_ts(m));
		if (!isfinite(m))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: vertex %u has a non-finite M (%g)", fn, i + 1, m),
					 errhint("M must be the fix's time in epoch seconds.")));
		fix[i].x = x;
		fix[i].y = y;
		fix[i].m = m;
	}
	return fix;
}

/* a TATick for the pure-C scanners: lets a long scan be cancelled */
void
ta_tick_interrupts(void *ctx)
{
	CHECK_FOR_INTERRUPTS();
}

/*
 * The composite result of a C function declared to return a row type of
 * natts columns.  A mismatch is an internal error: the install script and
 * the library disagree.
 */
Datum
ta_result_tuple(FunctionCallInfo fcinfo, Datum *values, bool *nulls, int natts)
{
	TupleDesc	td;

	if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE || td->natts != natts)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("%s returns a row of %d columns but is declared differently",
						fcinfo->flinfo && get_func_name(fcinfo->flinfo->fn_oid) ?
						get_func_name(fcinfo->flinfo->fn_oid) : "a traceaudit function", natts),
				 errhint("The installed library and SQL objects of traceaudit differ: run ALTER EXTENSION traceaudit UPDATE, or drop and create the extension.")));
	td = BlessTupleDesc(td);
	return HeapTupleGetDatum(heap_form_tuple(td, values, nulls));
}

/* the aggregate's memory context, or an error if not called as an aggregate */
MemoryContext
ta_agg_context(FunctionCallInfo fcinfo, const char *fn)
{
	MemoryContext ctx;

	if (!AggCheckCallContext(fcinfo, &ctx))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s called in non-aggregate context", fn)));
	return ctx;
}
