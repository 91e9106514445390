/*
 * fingerprint_fmgr.c
 *	  SQL side of density fingerprints: the fingerprint type's I/O, the
 *	  density_fingerprint aggregates, and the functions that summarise,
 *	  compare and export a fingerprint.  The computation is in fingerprint.c.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "fingerprint.h"
#include "traceaudit.h"

/* input functions raise soft errors where the server supports them (PG16+) */
#if PG_VERSION_NUM >= 160000
#define TA_ERETURN(ctx, val, rest) ereturn(ctx, val, rest)
#else
#define TA_ERETURN(ctx, val, rest) ereport(ERROR, rest)
#endif

PG_FUNCTION_INFO_V1(fingerprint_in);
PG_FUNCTION_INFO_V1(fingerprint_out);
PG_FUNCTION_INFO_V1(fingerprint_recv);
PG_FUNCTION_INFO_V1(fingerprint_send);
PG_FUNCTION_INFO_V1(density_fingerprint_transfn);
PG_FUNCTION_INFO_V1(density_fingerprint_combine);
PG_FUNCTION_INFO_V1(density_fingerprint_serial);
PG_FUNCTION_INFO_V1(density_fingerprint_deserial);
PG_FUNCTION_INFO_V1(density_fingerprint_final);
PG_FUNCTION_INFO_V1(fingerprint_summary);
PG_FUNCTION_INFO_V1(fingerprint_hours);
PG_FUNCTION_INFO_V1(fingerprint_similarity);
PG_FUNCTION_INFO_V1(fingerprint_add);
PG_FUNCTION_INFO_V1(fingerprint_subtract);
PG_FUNCTION_INFO_V1(fingerprint_diff);
PG_FUNCTION_INFO_V1(fingerprint_hour_diff);
PG_FUNCTION_INFO_V1(fingerprint_cells);

/* ---------- memory: the core allocates through these ---------- */

static void *
fp_alloc(void *ctx, size_t size)
{
	return MemoryContextAllocExtended((MemoryContext) ctx, size,
									  MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
}

static void *
fp_realloc(void *ctx, void *ptr, size_t size)
{
	return repalloc_huge(ptr, size);
}

static void
fp_free(void *ctx, void *ptr)
{
	pfree(ptr);
}

static TAFpAlloc
fp_allocator(MemoryContext ctx)
{
	TAFpAlloc	al = {fp_alloc, fp_realloc, fp_free, ctx};

	return al;
}

/* raises the error for a core status */
static void
fp_check(TAFpStatus st, const TAFpError *err, const char *what)
{
	int			code;

	if (st == TA_FP_OK)
		return;
	switch (st)
	{
		case TA_FP_E_FORMAT:
			code = ERRCODE_INVALID_TEXT_REPRESENTATION;
			break;
		case TA_FP_E_NOMEM:
			code = ERRCODE_OUT_OF_MEMORY;
			break;
		case TA_FP_E_OVERFLOW:
		case TA_FP_E_TOO_MANY:
			code = ERRCODE_PROGRAM_LIMIT_EXCEEDED;
			break;
		default:
			code = ERRCODE_INVALID_PARAMETER_VALUE;
	}
	ereport(ERROR,
			(errcode(code),
			 errmsg("%s: %s", what,
					err && err->message[0] ? err->message : ta_fp_status_message(st)),
			 st == TA_FP_E_INCOMPATIBLE ?
			 errhint("Build both fingerprints with the same cell size from geometries of the same SRID.") :
			 st == TA_FP_E_FORMAT ?
			 errhint("Use a value written by fingerprint_out or fingerprint_send.") :
			 st == TA_FP_E_ARG ?
			 errhint("Use a cell size between 1 m and 10,000 km.") : 0));
}

/* ---------- the fingerprint type: stored as the core's binary format ---------- */

static bytea *
fp_to_datum(const TAFingerprint *fp)
{
	size_t		len = ta_fp_to_binary(fp, NULL, 0);
	bytea	   *v;

	if (len > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("fingerprint of %u cells is too large to store (%zu bytes)",
						fp->ncells, len),
				 errhint("Use a larger cell size.")));
	v = palloc(len + VARHDRSZ);
	SET_VARSIZE(v, len + VARHDRSZ);
	ta_fp_to_binary(fp, (uint8 *) VARDATA(v), len);
	return v;
}

/* parses a stored fingerprint into fp (arrays in the current context) */
static void
fp_from_datum(Datum d, TAFingerprint *fp)
{
	bytea	   *v = PG_DETOAST_DATUM_PACKED(d);
	TAFpAlloc	al = fp_allocator(CurrentMemoryContext);
	TAFpError	err;

	fp_check(ta_fp_from_binary((const uint8 *) VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v),
							   &al, fp, &err), &err, "invalid fingerprint");
}

Datum
fingerprint_in(PG_FUNCTION_ARGS)
{
	char	   *s = PG_GETARG_CSTRING(0);
	TAFpAlloc	al = fp_allocator(CurrentMemoryContext);
	TAFingerprint fp;
	TAFpError	err;
	TAFpStatus	st = ta_fp_from_text(s, strlen(s), &al, &fp, &err);

	if (st != TA_FP_OK)
		TA_ERETURN(fcinfo->context, (Datum) 0,
				(errcode(st == TA_FP_E_NOMEM ? ERRCODE_OUT_OF_MEMORY :
						 ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type fingerprint: %s", err.message),
				 errhint("Use a value written by fingerprint_out.")));
	PG_RETURN_BYTEA_P(fp_to_datum(&fp));
}

Datum
fingerprint_out(PG_FUNCTION_ARGS)
{
	TAFingerprint fp;
	size_t		len;
	char	   *s;

	fp_from_datum(PG_GETARG_DATUM(0), &fp);
	len = ta_fp_to_text(&fp, NULL, 0);
	if (len >= MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("fingerprint of %u cells is too large for text output", fp.ncells),
				 errhint("Use binary output (COPY ... BINARY) or a larger cell size.")));
	s = palloc(len + 1);
	ta_fp_to_text(&fp, s, len + 1);
	PG_RETURN_CSTRING(s);
}

Datum
fingerprint_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	TAFpAlloc	al = fp_allocator(CurrentMemoryContext);
	TAFingerprint fp;
	TAFpError	err;
	TAFpStatus	st;

	st = ta_fp_from_binary((const uint8 *) buf->data + buf->cursor,
						   buf->len - buf->cursor, &al, &fp, &err);
	if (st != TA_FP_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary fingerprint: %s", err.message)));
	buf->cursor = buf->len;
	PG_RETURN_BYTEA_P(fp_to_datum(&fp));
}

Datum
fingerprint_send(PG_FUNCTION_ARGS)
{
	bytea	   *v = PG_GETARG_BYTEA_P_COPY(0);

	/* the stored form is the binary format */
	PG_RETURN_BYTEA_P(v);
}

/* ---------- the aggregate ---------- */

typedef struct FpState
{
	TAFpAcc    *acc;
	TAFpAlloc	al;
	double		cell_m;
	unsigned	flags;
	int32		srid;
	/* for hours: the time zone, looked up once */
	pg_tz	   *tz;
	/* UTC offsets per quarter hour, so most rows need no time zone lookup */
	int64		zone_bucket[256];
	int32		zone_offset[256];
	/* the UTC quarter hour [hour_lo, hour_hi) last seen, all in local hour_of */
	int64		hour_lo,
				hour_hi;
	int			hour_of;
	FmgrInfo	hash;			/* extended hash of the device type */
	Oid			dev_type;		/* its base type; InvalidOid until the first device */
	bool		owned;			/* made by deserial for one combine call: may be taken over */
	int64		rejected;		/* empty or off-grid points (counted, not kept) */
} FpState;

static void
fp_zone_cache_reset(FpState *st)
{
	size_t		i;

	for (i = 0; i < lengthof(st->zone_bucket); i++)
		st->zone_bucket[i] = PG_INT64_MIN;
	st->hour_lo = st->hour_hi = 0;
}

static FpState *
fp_state_new(MemoryContext ctx, int32 srid, double cell_m, unsigned flags)
{
	FpState    *st = MemoryContextAllocZero(ctx, sizeof(FpState));
	const TASridInfo *si = ta_srid_info(srid);
	TAFpGrid	grid;
	TAFpError	err;

	st->al = fp_allocator(ctx);
	fp_zone_cache_reset(st);
	st->cell_m = cell_m;
	st->flags = flags;
	st->srid = srid;
	if (si->metric.kind == TA_METRIC_GEODETIC)
		fp_check(ta_fp_grid_init(&grid, TA_FP_GEOGRAPHIC, srid, cell_m, 1.0, &err),
				 &err, "density_fingerprint");
	else
		fp_check(ta_fp_grid_init(&grid, TA_FP_PLANAR, srid, cell_m,
								 si->metric.to_meter, &err),
				 &err, "density_fingerprint");
	st->acc = ta_fp_acc_create(&grid, flags, &st->al);
	if (st->acc == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory for a density fingerprint")));
	return st;
}

/* seconds east of UTC at ts in the state's zone (the session's if none) */
static bool
fp_utc_offset(FpState *st, TimestampTz ts, int32 *off)
{
	struct pg_tm tm;
	fsec_t		fsec;
	int			tzoff;

	if (timestamp2tm(ts, &tzoff, &tm, &fsec, NULL, st->tz ? st->tz : session_timezone) != 0)
		return false;
	*off = (int32) tm.tm_gmtoff;
	return true;
}

/*
 * Hour of the day of ts in the state's zone.  Offsets are cached per UTC
 * quarter hour, and only when the offset is the same at both ends of it
 * (a zone cannot change twice within 15 minutes), so the cache is exact.
 */
static int
fp_hour(FpState *st, TimestampTz ts)
{
	const int64 q = INT64CONST(900000000);	/* 15 minutes in microseconds */
	const int64 hour_us = INT64CONST(3600000000);
	int64		b,
				local,
				h;
	int			slot;
	int32		off,
				off_end;

	if (ts >= st->hour_lo && ts < st->hour_hi)
		return st->hour_of;		/* the common case: the rows' times are close */
	if (TIMESTAMP_NOT_FINITE(ts))
		return -1;
	b = ts >= 0 ? ts / q : -((-ts - 1) / q) - 1;
	slot = (int) (b & 255);
	if (st->zone_bucket[slot] == b)
		off = st->zone_offset[slot];
	else
	{
		if (!fp_utc_offset(st, ts, &off))
			return -1;
		if (fp_utc_offset(st, b * q, &off_end) && off_end == off &&
			fp_utc_offset(st, b * q + q - 1, &off_end) && off_end == off)
		{
			st->zone_bucket[slot] = b;
			st->zone_offset[slot] = off;
		}
	}
	local = ts + (int64) off * 1000000;
	h = (local >= 0 ? local / hour_us : -((-local - 1) / hour_us) - 1) % 24;
	if (h < 0)
		h += 24;
	/* a whole quarter hour has one local hour if the offset is in quarters */
	if (st->zone_bucket[slot] == b && off % 900 == 0)
	{
		st->hour_lo = b * q;
		st->hour_hi = b * q + q;
		st->hour_of = (int) h;
	}
	return (int) h;
}

/*
 * The accumulator's key of the row's device (argument 3, not NULL).  An
 * integer id within +-2^58 is its own key, offset to be non-negative: exact,
 * and no hash function call per row.  Others are hashed to 64 bits, so
 * distinct devices are exact up to hash collisions (see fingerprint.h).
 */
static uint64
fp_device_key(FunctionCallInfo fcinfo, FpState *st, MemoryContext ctx)
{
	const int64 half = INT64CONST(1) << 58;
	int64		v;

	if (!OidIsValid(st->dev_type))
	{
		Oid			typ = get_fn_expr_argtype(fcinfo->flinfo, 3);
		TypeCacheEntry *tc = lookup_type_cache(typ, TYPECACHE_HASH_EXTENDED_PROC_FINFO);

		if (!OidIsValid(tc->hash_extended_proc))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FUNCTION),
					 errmsg("could not identify a hash function for type %s",
							format_type_be(typ)),
					 errhint("Cast the device id to text or bigint.")));
		fmgr_info_cxt(tc->hash_extended_proc, &st->hash, ctx);
		st->dev_type = getBaseType(typ);	/* a domain over an integer too */
	}
	switch (st->dev_type)
	{
		case INT2OID:
			return (uint64) ((int64) PG_GETARG_INT16(3) + half);
		case INT4OID:
			return (uint64) ((int64) PG_GETARG_INT32(3) + half);
		case INT8OID:
			v = PG_GETARG_INT64(3);
			if (v >= -half && v < half)
				return (uint64) (v + half);
			break;
	}
	return DatumGetUInt64(FunctionCall2Coll(&st->hash,
											OidIsValid(PG_GET_COLLATION()) ? PG_GET_COLLATION() : DEFAULT_COLLATION_OID,
											PG_GETARG_DATUM(3),
											UInt64GetDatum(0x5441)));
}

/*
 * density_fingerprint(geom, cell_m) and
 * density_fingerprint(geom, ts, device anyelement, cell_m [, tz text]).
 * NULL or empty geometries are skipped; a NULL time or device still counts
 * the point (without an hour or a device).
 */
Datum
density_fingerprint_transfn(PG_FUNCTION_ARGS)
{
	bool		timed = PG_NARGS() >= 5;
	int			cell_arg = timed ? 4 : 2;
	FpState    *st = PG_ARGISNULL(0) ? NULL : (FpState *) PG_GETARG_POINTER(0);
	/* a state (type internal) comes only from an aggregate: check once */
	MemoryContext ctx = st ? (MemoryContext) st->al.ctx :
		ta_agg_context(fcinfo, "density_fingerprint");
	GserGeom	g;
	double		x,
				y,
				cell_m;
	int			hour = -1;
	uint64		device;
	bool		has_device = false;
	TAFpStatus	s;

	ta_progress_row();
	if (PG_ARGISNULL(cell_arg))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("density_fingerprint cell size must not be NULL"),
				 errhint("Pass the cell size in metres, e.g. 1000.")));
	cell_m = PG_GETARG_FLOAT8(cell_arg);
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(st);
	ta_parse_datum(PG_GETARG_DATUM(1), &g, NULL);
	if (g.type != GSER_POINT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("density_fingerprint expects POINT geometries, got %s", ta_type_name(g.type)),
				 errhint("Pass one point per row; ST_DumpPoints splits a trajectory into points.")));
	if (st == NULL)
	{
		st = fp_state_new(ctx, g.srid, cell_m, timed ? TA_FP_F_ALL : 0);
		if (PG_NARGS() >= 6 && !PG_ARGISNULL(5))
		{
			char	   *tzname = text_to_cstring(PG_GETARG_TEXT_PP(5));

			st->tz = pg_tzset(tzname);
			if (st->tz == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("time zone \"%s\" not recognized", tzname),
						 errhint("Use a name from pg_timezone_names, e.g. 'Europe/Berlin'.")));
		}
	}
	else if (st->cell_m != cell_m)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("density_fingerprint got cell sizes %g and %g", st->cell_m, cell_m),
				 errhint("Pass one constant cell size per fingerprint.")));
	ta_check_srid_match("dataset", st->srid, g.srid);
	if (g.npoints == 0)
	{
		st->rejected++;
		PG_RETURN_POINTER(st);
	}
	gser_get_point(&g, 0, &x, &y, NULL, NULL);

	if (timed)
	{
		if (!PG_ARGISNULL(2))
			hour = fp_hour(st, PG_GETARG_TIMESTAMPTZ(2));
		if (!PG_ARGISNULL(3))
		{
			device = fp_device_key(fcinfo, st, ctx);
			has_device = true;
		}
	}
	s = ta_fp_acc_add(st->acc, x, y, hour, has_device ? &device : NULL);
	if (s == TA_FP_E_RANGE)
		st->rejected++;			/* NaN, infinite or off the grid */
	else
		fp_check(s, NULL, "density_fingerprint");
	PG_RETURN_POINTER(st);
}

Datum
density_fingerprint_combine(PG_FUNCTION_ARGS)
{
	MemoryContext ctx = ta_agg_context(fcinfo, "density_fingerprint");
	FpState    *a = PG_ARGISNULL(0) ? NULL : (FpState *) PG_GETARG_POINTER(0);
	FpState    *b = PG_ARGISNULL(1) ? NULL : (FpState *) PG_GETARG_POINTER(1);
	TAFpError	err;

	if (b == NULL)
		PG_RETURN_POINTER(a);
	if (a == NULL && b->owned)
	{
		/* a deserialized state nothing else refers to: no copy */
		b->owned = false;
		PG_RETURN_POINTER(b);
	}
	if (a == NULL)
	{
		/* copy: b may live in another (partial) aggregate's memory */
		a = fp_state_new(ctx, b->srid, b->cell_m, b->flags);
		a->tz = b->tz;
	}
	if (a->cell_m != b->cell_m)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("density_fingerprint got cell sizes %g and %g", a->cell_m, b->cell_m),
				 errhint("Pass one constant cell size per fingerprint.")));
	ta_check_srid_match("dataset", a->srid, b->srid);
	fp_check(ta_fp_acc_merge(a->acc, b->acc, &err), &err, "density_fingerprint");
	a->rejected += b->rejected;
	PG_RETURN_POINTER(a);
}

/*
 * Serialized state: cell_m, srid, flags, time zone name, rejected count,
 * then the accumulator's own bytes.
 */
Datum
density_fingerprint_serial(PG_FUNCTION_ARGS)
{
	FpState    *st = (FpState *) PG_GETARG_POINTER(0);
	StringInfoData buf;
	size_t		len,
				cap;

	ta_agg_context(fcinfo, "density_fingerprint");
	fp_check(ta_fp_acc_compact(st->acc), NULL, "density_fingerprint");
	/* encoded once, into room for the largest it can be, if that fits */
	len = ta_fp_acc_serial_bound(st->acc);
	if (len > MaxAllocSize - 256)
		len = ta_fp_acc_serialize(st->acc, NULL, 0);
	if (len > MaxAllocSize - 256)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("density fingerprint state of %zu bytes is too large to pass between workers", len),
				 errhint("Use a larger cell size, or SET max_parallel_workers_per_gather = 0.")));
	pq_begintypsend(&buf);
	pq_sendfloat8(&buf, st->cell_m);
	pq_sendint32(&buf, st->srid);
	pq_sendint32(&buf, (int32) st->flags);
	pq_sendstring(&buf, st->tz ? pg_get_timezone_name(st->tz) : "");
	pq_sendint64(&buf, st->rejected);
	enlargeStringInfo(&buf, (int) len);
	cap = len;
	len = ta_fp_acc_serialize(st->acc, (uint8 *) buf.data + buf.len, cap);
	if (len > cap)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("density fingerprint state of %zu bytes exceeds its bound of %zu bytes", len, cap)));
	buf.len += (int) len;
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

Datum
density_fingerprint_deserial(PG_FUNCTION_ARGS)
{
	MemoryContext ctx = ta_agg_context(fcinfo, "density_fingerprint");
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	FpState    *st = MemoryContextAllocZero(ctx, sizeof(FpState));
	const char *tzname;
	TAFpError	err;

	buf.data = VARDATA_ANY(b);
	buf.len = VARSIZE_ANY_EXHDR(b);
	buf.maxlen = buf.len;
	buf.cursor = 0;
	st->al = fp_allocator(ctx);
	fp_zone_cache_reset(st);
	st->cell_m = pq_getmsgfloat8(&buf);
	st->srid = pq_getmsgint(&buf, 4);
	st->flags = (unsigned) pq_getmsgint(&buf, 4);
	tzname = pq_getmsgstring(&buf);
	st->tz = tzname[0] ? pg_tzset(tzname) : NULL;
	st->rejected = pq_getmsgint64(&buf);
	fp_check(ta_fp_acc_deserialize((const uint8 *) buf.data + buf.cursor,
								   buf.len - buf.cursor, &st->al, &st->acc, &err),
			 &err, "invalid density fingerprint state");
	st->owned = true;
	PG_RETURN_POINTER(st);
}

Datum
density_fingerprint_final(PG_FUNCTION_ARGS)
{
	FpState    *st;
	TAFpAlloc	al = fp_allocator(CurrentMemoryContext);
	TAFingerprint fp;

	ta_agg_context(fcinfo, "density_fingerprint");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (FpState *) PG_GETARG_POINTER(0);
	if (st->rejected > 0)
		ereport(NOTICE,
				(errmsg("density_fingerprint left out " INT64_FORMAT " empty, non-finite or off-grid points",
						st->rejected)));
	fp_check(ta_fp_acc_finalize(st->acc, &al, &fp), NULL, "density_fingerprint");
	PG_RETURN_BYTEA_P(fp_to_datum(&fp));
}

/* ---------- summaries ---------- */

static Datum
float_or_null(double v, bool *isnull)
{
	*isnull = isnan(v);
	return Float8GetDatum(v);
}

Datum
fingerprint_summary(PG_FUNCTION_ARGS)
{
	TAFingerprint fp;
	TAFpSummary s;
	TAFpAlloc	al = fp_allocator(CurrentMemoryContext);
	Datum		v[13];
	bool		n[13] = {0};

	fp_from_datum(PG_GETARG_DATUM(0), &fp);
	fp_check(ta_fp_summary(&fp, &al, &s), NULL, "fingerprint_summary");
	v[0] = Float8GetDatum(fp.grid.cell_m);
	v[1] = Int64GetDatum(s.points);
	v[2] = Int64GetDatum(s.devices);
	n[2] = !(fp.flags & TA_FP_F_DEVICES);
	v[3] = Int64GetDatum(s.cells);
	v[4] = float_or_null(s.gini, &n[4]);
	v[5] = float_or_null(s.entropy, &n[5]);
	v[6] = float_or_null(s.top1_share, &n[6]);
	v[7] = float_or_null(s.top10_share, &n[7]);
	v[8] = float_or_null(s.zipf_slope, &n[8]);
	v[9] = Int64GetDatum(s.core_cells);
	v[10] = float_or_null(s.core_share, &n[10]);
	v[11] = Int32GetDatum(s.top1_cells);
	v[12] = Int32GetDatum(s.top10_cells);
	PG_RETURN_DATUM(ta_result_tuple(fcinfo, v, n, lengthof(v)));
}

Datum
fingerprint_hours(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsi = (ReturnSetInfo *) fcinfo->resultinfo;
	TAFingerprint fp;
	TAFpSummary s;
	TAFpAlloc	al = fp_allocator(CurrentMemoryContext);
	int			h;

	InitMaterializedSRF(fcinfo, 0);
	fp_from_datum(PG_GETARG_DATUM(0), &fp);
	if (!(fp.flags & TA_FP_F_HOURS))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("fingerprint has no times"),
				 errhint("Build it with density_fingerprint(geom, ts, device, cell_m).")));
	fp_check(ta_fp_summary(&fp, &al, &s), NULL, "fingerprint_hours");
	for (h = 0; h < TA_FP_NHOURS; h++)
	{
		Datum		v[5];
		bool		n[5] = {0};

		v[0] = Int32GetDatum(h);
		v[1] = Int64GetDatum(s.hour_points[h]);
		v[2] = Int64GetDatum(s.hour_devices[h]);
		v[3] = float_or_null(s.hour_core_points[h], &n[3]);
		v[4] = float_or_null(s.hour_core_devices[h], &n[4]);
		tuplestore_putvalues(rsi->setResult, rsi->setDesc, v, n);
	}
	return (Datum) 0;
}

/* ---------- comparison ---------- */

Datum
fingerprint_similarity(PG_FUNCTION_ARGS)
{
	TAFingerprint a,
				b;
	TAFpError	err;
	double		sim;

	fp_from_datum(PG_GETARG_DATUM(0), &a);
	fp_from_datum(PG_GETARG_DATUM(1), &b);
	fp_check(ta_fp_similarity(&a, &b, &sim, &err), &err, "fingerprint_similarity");
	if (isnan(sim))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(sim);
}

/* a + sign * b: the shared body of fingerprint_add and fingerprint_subtract */
static Datum
fp_add_datum(FunctionCallInfo fcinfo, int sign, const char *what)
{
	TAFingerprint a,
				b,
				out;
	TAFpAlloc	al = fp_allocator(CurrentMemoryContext);
	TAFpError	err;
	TAFpStatus	st;

	fp_from_datum(PG_GETARG_DATUM(0), &a);
	fp_from_datum(PG_GETARG_DATUM(1), &b);
	st = ta_fp_add(&a, &b, sign, &al, &out, &err);
	if (st == TA_FP_E_INCOMPATIBLE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s", what, err.message),
				 errhint("Both fingerprints must come from the same form of density_fingerprint, with the same cell size and SRID.")));
	if (st == TA_FP_E_ARG)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s", what, err.message),
				 errhint("Subtract only a fingerprint of some of the first one's devices, with all of their points.")));
	fp_check(st, &err, what);
	PG_RETURN_BYTEA_P(fp_to_datum(&out));
}

Datum
fingerprint_add(PG_FUNCTION_ARGS)
{
	return fp_add_datum(fcinfo, 1, "fingerprint_add");
}

Datum
fingerprint_subtract(PG_FUNCTION_ARGS)
{
	return fp_add_datum(fcinfo, -1, "fingerprint_subtract");
}

/* the cell's polygon in the fingerprint's SRID */
static Datum
cell_polygon(const TAFingerprint *fp, uint64 key)
{
	/* lon/lat cells get 8 vertices an edge so they keep their shape */
	int			per_edge = fp->grid.kind == TA_FP_GEOGRAPHIC ? 8 : 1;
	uint32		npts = TA_FP_POLYGON_NPOINTS(per_edge);
	double	   *xy = palloc(sizeof(double) * 2 * npts);
	uint8	   *buf;

	npts = ta_fp_cell_polygon(&fp->grid, key, per_edge, xy);
	if (npts == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("fingerprint cell %d:%d is off its grid", ta_fp_key_row(key), ta_fp_key_col(key)),
				 errhint("Fingerprints are validated when read, so this is a bug; please report it with the fingerprint's text.")));
	buf = palloc(gser_polygon_size(npts));
	gser_write_polygon(buf, fp->grid.srid, xy, npts);
	pfree(xy);
	return PointerGetDatum(buf);
}

Datum
fingerprint_diff(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsi = (ReturnSetInfo *) fcinfo->resultinfo;
	TAFingerprint a,
				b;
	TAFpError	err;
	TAFpDiffIter it;
	TAFpCellDiff d;
	uint32		i = 0;

	InitMaterializedSRF(fcinfo, 0);
	fp_from_datum(PG_GETARG_DATUM(0), &a);
	fp_from_datum(PG_GETARG_DATUM(1), &b);
	fp_check(ta_fp_compatible(&a, &b, &err), &err, "fingerprint_diff");
	ta_fp_diff_init(&it, &a, &b);
	while (ta_fp_diff_next(&it, &d))
	{
		Datum		v[10];
		bool		n[10] = {0};

		if ((++i & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
		v[0] = Int32GetDatum(ta_fp_key_row(d.key));
		v[1] = Int32GetDatum(ta_fp_key_col(d.key));
		v[2] = cell_polygon(&a, d.key);
		v[3] = Int64GetDatum(d.points_a);
		v[4] = Int64GetDatum(d.points_b);
		v[5] = Int64GetDatum(d.devices_a);
		n[5] = !(a.flags & TA_FP_F_DEVICES);
		v[6] = Int64GetDatum(d.devices_b);
		n[6] = !(b.flags & TA_FP_F_DEVICES);
		v[7] = Float8GetDatum(d.share_a);
		v[8] = Float8GetDatum(d.share_b);
		v[9] = Float8GetDatum(d.share_b - d.share_a);
		tuplestore_putvalues(rsi->setResult, rsi->setDesc, v, n);
	}
	return (Datum) 0;
}

Datum
fingerprint_hour_diff(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsi = (ReturnSetInfo *) fcinfo->resultinfo;
	TAFingerprint a,
				b;
	TAFpError	err;
	TAFpHourDiff d;
	TAFpAlloc	al = fp_allocator(CurrentMemoryContext);
	int			h;

	InitMaterializedSRF(fcinfo, 0);
	fp_from_datum(PG_GETARG_DATUM(0), &a);
	fp_from_datum(PG_GETARG_DATUM(1), &b);
	fp_check(ta_fp_hour_diff(&a, &b, &al, &d, &err), &err, "fingerprint_hour_diff");
	for (h = 0; h < TA_FP_NHOURS; h++)
	{
		Datum		v[6];
		bool		n[6] = {0};

		v[0] = Int32GetDatum(h);
		v[1] = float_or_null(d.share_a[h], &n[1]);
		v[2] = float_or_null(d.share_b[h], &n[2]);
		v[3] = float_or_null(d.core_a[h], &n[3]);
		v[4] = float_or_null(d.core_b[h], &n[4]);
		v[5] = float_or_null(d.profile_similarity, &n[5]);
		tuplestore_putvalues(rsi->setResult, rsi->setDesc, v, n);
	}
	return (Datum) 0;
}

/* ---------- export ---------- */

/*
 * fingerprint_cells(fp, min_devices): every cell seen by at least
 * min_devices devices, as a polygon; the cells below are not shown one by
 * one (k-anonymity) but summed in one last row with a NULL geometry, and
 * counted in a NOTICE, so nothing is dropped silently.
 */
Datum
fingerprint_cells(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsi = (ReturnSetInfo *) fcinfo->resultinfo;
	TAFingerprint fp;
	int32		min_devices = PG_GETARG_INT32(1);
	int64		sup_cells = 0,
				sup_points = 0;
	uint32		i;
	Datum		v[6];
	bool		n[6] = {0};

	InitMaterializedSRF(fcinfo, 0);
	fp_from_datum(PG_GETARG_DATUM(0), &fp);
	if (min_devices > 1 && !(fp.flags & TA_FP_F_DEVICES))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("fingerprint has no device counts to suppress cells by"),
				 errhint("Build it with density_fingerprint(geom, ts, device, cell_m), or pass min_devices => 0 for a fingerprint of points only.")));
	for (i = 0; i < fp.ncells; i++)
	{
		const TAFpCell *c = &fp.cells[i];

		if ((i & 1023) == 1023)
			CHECK_FOR_INTERRUPTS();
		if (c->devices < min_devices)
		{
			sup_cells++;
			sup_points += c->points;
			continue;
		}
		v[0] = Int32GetDatum(ta_fp_key_row(c->key));
		v[1] = Int32GetDatum(ta_fp_key_col(c->key));
		v[2] = cell_polygon(&fp, c->key);
		v[3] = Int64GetDatum(c->points);
		v[4] = Int64GetDatum(c->devices);
		n[4] = !(fp.flags & TA_FP_F_DEVICES);
		v[5] = Int64GetDatum(0);
		tuplestore_putvalues(rsi->setResult, rsi->setDesc, v, n);
	}
	if (sup_cells > 0)
	{
		ereport(NOTICE,
				(errmsg("fingerprint_cells suppressed " INT64_FORMAT " cells (" INT64_FORMAT " points) seen by fewer than %d devices",
						sup_cells, sup_points, min_devices)));
		memset(n, 0, sizeof(n));
		n[0] = n[1] = n[2] = n[4] = true;
		v[3] = Int64GetDatum(sup_points);
		v[5] = Int64GetDatum(sup_cells);
		tuplestore_putvalues(rsi->setResult, rsi->setDesc, v, n);
	}
	return (Datum) 0;
}
