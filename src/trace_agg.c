/*
 * trace_agg.c
 *	  The per-trace aggregates over point rows: trace_line (the fixes as a
 *	  LINESTRING M) and trace_summary (jump counts per trace).
 *
 * Both collect fixes in any order (in blocks, then in one array) and sort
 * them in the final function, so users need no ORDER BY; the partial states
 * of parallel workers travel sorted and packed (fixpack.c), are kept so as
 * runs, and are merged there too.
 * trace_line is lossless and raises an error for a fix it cannot keep;
 * trace_summary counts NULL and bad fixes instead, so an audit of a dirty
 * table completes and says what it left out.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "port/pg_bitutils.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "fixpack.h"
#include "traceaudit.h"

#define STATE_MAGIC		0x54415333	/* "TAS3": serialized state version */

typedef enum TASkip
{
	TA_SKIP_NULL_GEOM = 0,
	TA_SKIP_NULL_TIME,
	TA_NSKIP
} TASkip;

/*
 * Fixes arriving one row at a time go to a chain of blocks, not to one
 * doubling array: in a hash aggregate all traces grow in step, so each
 * doubling would free chunks of a size no trace asks for again, and the
 * states took three times the memory of their fixes (250 MB per worker on
 * 10 M rows, spilling to disk).  Blocks (256 to 2048 bytes, the smallest
 * first for short traces) come from the aggregate context's arena (arena.c)
 * and are never copied or freed one by one; whatever needs the fixes in one
 * array (combine, final) flattens them once.
 */
#define BLOCK_MIN_BYTES	256
#define BLOCK_MAX_BYTES	2048

/*
 * A partial state travels sorted and packed (fixpack.c: about 12 bytes a
 * fix instead of 24), and the leader keeps it packed, as received, in the
 * aggregate's arena: what it receives, copies and holds until the final
 * functions is what limits a parallel GROUP BY, and it grows with the bytes.
 */
typedef struct PackedRun
{
	const uint8 *data;			/* in the arena: never pfree'd */
	size_t		bytes;
	size_t		n;				/* fixes; 0 = no run */
} PackedRun;

/*
 * Partial states are combined by keeping their packed runs, not by merging
 * them: the leader combines serially after the workers are done, and each
 * merge wrote a new array of fresh memory (about 400 MB and 110,000 page
 * faults on 10 M fixes).  The final function unpacks and merges the runs
 * once, in buffers it reuses for every group, which stay in the CPU's
 * cache.  More partial states than this are merged into the state's array.
 */
#define STATE_MAX_RUNS	6

typedef struct TraceRuns
{
	int			n;
	PackedRun	run[STATE_MAX_RUNS];
} TraceRuns;

typedef struct FixBlock
{
	struct FixBlock *next;
	uint32		n;				/* set when full; the tail's is TraceState.tail_n */
	TAFix		fix[FLEXIBLE_ARRAY_MEMBER];
} FixBlock;

/*
 * A row reads only the first 64 bytes, and a state made by a transition
 * starts on a cache line (state_new_aligned): a row costs one cache line of
 * the state and a store into its tail block.  With 20,000 traces
 * interleaved both are cache misses; the second line of the state was a
 * third one.  (Stores do not stall the CPU; loads of a block header or of
 * the previous fix did, for a third of the time.)
 */
typedef struct TraceState
{
	TAFix		last;			/* the fix added last; -inf before the first */
	FixBlock   *tail;
	uint32		tail_n;			/* fixes in the tail block */
	uint32		tail_cap;
	size_t		nblocked;		/* fixes in the blocks, after fix[] */
	const TASridInfo *si;		/* backend-local, not serialized */
	int32		srid;			/* -1 until the first fix */
	bool		sorted;			/* the fixes are in ta_fix_cmp order */
	bool		owned;			/* made by deserial for one combine call: may be taken over */
	/* not read per row */
	int32		profile;		/* index in ta_profiles; -1 = default */
	size_t		n;				/* fixes in fix[] */
	MemoryContext ctx;			/* the aggregate's, where the state lives */
	size_t		cap;
	TAFix	   *fix;
	FixBlock   *head;
	PackedRun	packed;			/* deserial's: the fixes as received */
	TraceRuns  *runs;			/* other states' packed runs: combine, or NULL */
	int64		skipped[TA_NSKIP];
	int64		rejected[TA_NREJECT];
} TraceState;

StaticAssertDecl(offsetof(TraceState, profile) <= 64, "a row reads more than a cache line");

PG_FUNCTION_INFO_V1(trace_line_transfn);
PG_FUNCTION_INFO_V1(trace_summary_transfn);
PG_FUNCTION_INFO_V1(trace_state_combine);
PG_FUNCTION_INFO_V1(trace_state_serial);
PG_FUNCTION_INFO_V1(trace_state_deserial);
PG_FUNCTION_INFO_V1(trace_line_final);
PG_FUNCTION_INFO_V1(trace_summary_final);
PG_FUNCTION_INFO_V1(trace_realism_final);
PG_FUNCTION_INFO_V1(trace_realism_item_final);

static void
state_init(TraceState *st, MemoryContext ctx)
{
	memset(st, 0, sizeof(TraceState));
	st->last.x = st->last.y = st->last.m = -INFINITY;
	st->ctx = ctx;
	st->srid = -1;
	st->profile = -1;
	st->sorted = true;
}

static TraceState *
state_new(MemoryContext ctx)
{
	TraceState *st = MemoryContextAlloc(ctx, sizeof(TraceState));

	state_init(st, ctx);
	return st;
}

/* a state on a cache line of its own, from the aggregate's arena */
static TraceState *
state_new_aligned(FunctionCallInfo fcinfo, MemoryContext ctx)
{
	TraceState *st = ta_arena_alloc(fcinfo, ctx, sizeof(TraceState), 64, true);

	state_init(st, ctx);
	return st;
}

static void
trace_too_large(size_t n)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("trace of %zu fixes is too large", n),
			 errhint("Split the trace, e.g. GROUP BY trace id and day.")));
}

/* fix becomes st's array (palloc'd in its context); the old one is freed */
static void
state_set_fix(TraceState *st, TAFix *fix)
{
	if (st->fix)
		pfree(st->fix);
	st->fix = fix;
}

/* room for more fixes; the array lives in the aggregate's context */
static void
state_reserve(TraceState *st, size_t more, MemoryContext ctx)
{
	size_t		need = st->n + more;
	size_t		cap;

	if (need <= st->cap)
		return;
	cap = Max(st->cap * 2, Max(need, 32));
	if (cap > MaxAllocHugeSize / sizeof(TAFix))
		trace_too_large(need);
	if (st->fix == NULL)
		st->fix = MemoryContextAllocHuge(ctx, cap * sizeof(TAFix));
	else
		st->fix = repalloc_huge(st->fix, cap * sizeof(TAFix));
	st->cap = cap;
}

/* all fixes of st: in fix[], the blocks, its packed run and the runs */
static size_t
state_count(const TraceState *st)
{
	size_t		n = st->n + st->nblocked + st->packed.n;
	int			i;

	for (i = 0; st->runs && i < st->runs->n; i++)
		n += st->runs->run[i].n;
	return n;
}

/*
 * One more fix at the end of the block chain.  The size limits are checked
 * when a block is added, not per row: strict (trace_line) fails within a
 * block of the limit, not after collecting.
 */
static inline TAFix *
state_push(TraceState *st, FunctionCallInfo fcinfo, bool strict)
{
	FixBlock   *b = st->tail;

	if (b == NULL || st->tail_n == st->tail_cap)
	{
		/* each block twice the chunk of the last, up to the largest */
		size_t		bytes = b == NULL ? BLOCK_MIN_BYTES :
			Min(2 * (size_t) pg_nextpower2_32(offsetof(FixBlock, fix) + st->tail_cap * sizeof(TAFix)),
				BLOCK_MAX_BYTES);
		size_t		total = state_count(st);

		if (strict)
			ta_check_line_size(total + 1);
		if (total >= MaxAllocHugeSize / sizeof(TAFix))
			trace_too_large(total + 1);	/* more than one array could hold */
		if (b)
			b->n = st->tail_n;
		b = ta_arena_alloc(fcinfo, st->ctx, bytes, MAXIMUM_ALIGNOF, true);
		b->next = NULL;
		if (st->tail)
			st->tail->next = b;
		else
			st->head = b;
		st->tail = b;
		st->tail_n = 0;
		st->tail_cap = (uint32) ((bytes - offsetof(FixBlock, fix)) / sizeof(TAFix));
	}
	st->nblocked++;
	return &b->fix[st->tail_n++];
}

/* the fixes in block b of st */
static inline uint32
block_count(const TraceState *st, const FixBlock *b)
{
	return b == st->tail ? st->tail_n : b->n;
}

/* moves the blocks' fixes to the end of fix[], so fix[] holds them all */
static void
state_flatten(TraceState *st, MemoryContext ctx)
{
	FixBlock   *b,
			   *next;

	if (st->nblocked == 0)
		return;
	state_reserve(st, st->nblocked, ctx);
	for (b = st->head; b; b = next)
	{
		uint32		bn = block_count(st, b);

		next = b->next;
		memcpy(st->fix + st->n, b->fix, bn * sizeof(TAFix));
		st->n += bn;
	}
	st->head = st->tail = NULL;
	st->tail_n = st->tail_cap = 0;
	st->nblocked = 0;
}

/*
 * fix[] was rewritten (sorted, merged, read): a later row, such as a window
 * aggregate's next frame, must be compared with its last fix.
 */
static inline void
state_sync_last(TraceState *st)
{
	if (st->n > 0)
		st->last = st->fix[st->n - 1];
}

static void
state_sort(TraceState *st)
{
	if (!st->sorted)
		ta_sort_fixes(st->fix, st->n);
	st->sorted = true;
	state_sync_last(st);
}

static void
state_set_srid(TraceState *st, int32 srid)
{
	if (st->srid == srid)
		return;
	if (st->srid != -1)
		ta_check_srid_match("trace", st->srid, srid);
	st->si = ta_srid_info(srid);
	st->srid = srid;
}

/* the profile is a per-row argument, so it must not change within a group */
static void
state_set_profile(TraceState *st, int32 p)
{
	if (st->profile != -1 && st->profile != p)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("trace_summary got profiles \"%s\" and \"%s\" in one trace",
						ta_profiles[st->profile].name, ta_profiles[p].name),
				 errhint("Pass one profile per group, e.g. a constant or a column of the GROUP BY key.")));
	st->profile = p;
}

/*
 * Appends b's fixes to a.  Partial states of a parallel scan are each in
 * time order when the table is; merging keeps the result sorted, so the
 * final function does not sort 10 million fixes again.
 */
static void
state_append(TraceState *a, const TAFix *bfix, size_t bn, bool bsorted,
			 MemoryContext ctx)
{
	size_t		n0 = a->n;

	if (bn == 0)
		return;
	state_sort(a);
	/* both sorted and interleaved in time: merge straight into a new array */
	if (bsorted && n0 > 0 && ta_fix_cmp(&a->fix[n0 - 1], &bfix[0]) > 0)
	{
		size_t		n = n0 + bn;
		TAFix	   *out;

		if (n > MaxAllocHugeSize / sizeof(TAFix))
			state_reserve(a, bn, ctx);	/* raises the size error */
		out = MemoryContextAllocHuge(ctx, n * sizeof(TAFix));
		ta_merge_fixes(a->fix, n0, bfix, bn, out);
		state_set_fix(a, out);
		a->n = a->cap = n;
		state_sync_last(a);
		return;
	}

	/*
	 * Otherwise b's fixes go after a's, are sorted there (in O(n) for the
	 * two runs of a scan that wrapped around, see ta_sort_fixes) and the
	 * two parts merged, so the final function finds the state sorted.
	 */
	state_reserve(a, bn, ctx);
	memcpy(a->fix + a->n, bfix, bn * sizeof(TAFix));
	a->n += bn;
	if (!bsorted)
		ta_sort_fixes(a->fix + n0, bn);
	a->sorted = true;
	if (n0 > 0 && ta_fix_cmp(&a->fix[n0 - 1], &a->fix[n0]) > 0)
	{
		TAFix	   *out = MemoryContextAllocHuge(ctx, a->cap * sizeof(TAFix));

		ta_merge_fixes(a->fix, n0, a->fix + n0, bn, out);
		state_set_fix(a, out);
	}
	state_sync_last(a);
}

/* adds a packed run's fixes to st (unpacked in passing) */
static void
state_append_packed(TraceState *st, const PackedRun *run, MemoryContext ctx)
{
	TAFix	   *tmp;

	if (run->n == 0)
		return;
	tmp = MemoryContextAllocHuge(ctx, run->n * sizeof(TAFix));
	ta_unpack(run->data, run->bytes, run->n, tmp);
	state_append(st, tmp, run->n, true, ctx);
	pfree(tmp);
}

/* merges st's packed run and runs into fix[], so it holds all its fixes, sorted */
static void
state_collapse(TraceState *st, MemoryContext ctx)
{
	TraceRuns  *r = st->runs;
	PackedRun	own = st->packed;
	int			i;

	if (r == NULL && own.n == 0)
		return;
	st->runs = NULL;
	st->packed.n = 0;
	state_flatten(st, ctx);
	state_append_packed(st, &own, ctx);
	for (i = 0; r && i < r->n; i++)
		state_append_packed(st, &r->run[i], ctx);
	if (r)
		pfree(r);
}

/*
 * Keeps b's packed run as a run of a, without copying it: only for b made
 * by trace_state_deserial, whose run nothing else refers to.  False when b
 * cannot be taken so.
 */
static bool
state_take_run(TraceState *a, TraceState *b, MemoryContext ctx)
{
	TraceRuns  *r = a->runs;

	if (!b->owned || b->n > 0 || b->nblocked > 0 || b->runs != NULL)
		return false;
	if (b->packed.n == 0)
		return true;
	if (r != NULL && r->n == STATE_MAX_RUNS)
	{
		state_collapse(a, ctx);
		r = NULL;
	}
	if (r == NULL)
		r = a->runs = MemoryContextAllocZero(ctx, sizeof(TraceRuns));
	r->run[r->n++] = b->packed;
	b->packed.n = 0;
	return true;
}

/*
 * Adds one row to the state.  strict: raise for a fix that cannot be kept
 * (trace_line); otherwise count it (trace_summary).
 */
static TraceState *
state_add(FunctionCallInfo fcinfo, const char *fn, bool strict)
{
	TraceState *st = PG_ARGISNULL(0) ?
		state_new_aligned(fcinfo, ta_agg_context(fcinfo, fn)) :
		(TraceState *) PG_GETARG_POINTER(0);	/* internal: only from an aggregate */
	GserGeom	g;
	const struct varlena *geom;
	int32		srid;
	bool		empty = false;
	TimestampTz ts;
	double		x,
				y;
	TAReject	r;

	ta_progress_row();
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		st->skipped[PG_ARGISNULL(1) ? TA_SKIP_NULL_GEOM : TA_SKIP_NULL_TIME]++;
		return st;
	}
	ts = PG_GETARG_TIMESTAMPTZ(2);
	geom = (const struct varlena *) DatumGetPointer(PG_GETARG_DATUM(1));
	/* the usual row is read in one step; the parser takes the others */
	if (!gser_point_xy((const uint8 *) geom, VARSIZE_ANY(geom), &srid, &x, &y))
	{
		ta_parse_datum(PG_GETARG_DATUM(1), &g, NULL);
		if (g.type != GSER_POINT)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s expects POINT geometries, got %s", fn, ta_type_name(g.type)),
					 errhint("Pass one fix per row; for a trajectory column use trace_jumps or trace_summary on the geometry itself.")));
		srid = g.srid;
		empty = g.npoints == 0;
		if (!empty)
			gser_get_point(&g, 0, &x, &y, NULL, NULL);
	}
	state_set_srid(st, srid);
	if (empty)
		r = TA_REJ_EMPTY;
	else if (TIMESTAMP_NOT_FINITE(ts))
		r = TA_REJ_BAD_TIME;
	else
		r = ta_check_fix(st->si, x, y);
	if (r != TA_NREJECT)
	{
		if (strict)
			ta_report_reject(r, fn, st->si, x, y, ts);
		st->rejected[r]++;
		return st;
	}
	{
		TAFix		f;

		f.x = x;
		f.y = y;
		f.m = ta_ts_to_epoch(ts);
		/* rows usually come in time order: then no sort is ever needed */
		if (st->sorted && ta_fix_cmp(&st->last, &f) > 0)
			st->sorted = false;
		*state_push(st, fcinfo, strict) = f;
		st->last = f;
	}
	return st;
}

Datum
trace_line_transfn(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(state_add(fcinfo, "trace_line", true));
}

Datum
trace_summary_transfn(PG_FUNCTION_ARGS)
{
	TraceState *st = state_add(fcinfo, "trace_summary", false);

	if (PG_NARGS() > 3 && !PG_ARGISNULL(3))
	{
		text	   *t = PG_GETARG_TEXT_PP(3);
		const char *known = st->profile >= 0 ? ta_profiles[st->profile].name : NULL;

		/* the same profile as the trace's earlier rows: no lookup per row */
		if (known == NULL || VARSIZE_ANY_EXHDR(t) != strlen(known) ||
			memcmp(VARDATA_ANY(t), known, strlen(known)) != 0)
			state_set_profile(st, ta_lookup_profile(text_to_cstring(t)));
	}
	PG_RETURN_POINTER(st);
}

Datum
trace_state_combine(PG_FUNCTION_ARGS)
{
	MemoryContext ctx = ta_agg_context(fcinfo, "trace_state_combine");
	TraceState *a = PG_ARGISNULL(0) ? NULL : (TraceState *) PG_GETARG_POINTER(0);
	TraceState *b = PG_ARGISNULL(1) ? NULL : (TraceState *) PG_GETARG_POINTER(1);
	int			i;

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	/*
	 * A state not made by trace_state_deserial is copied, never adopted:
	 * something else may refer to it.  (PostgreSQL 15 passes none: partial
	 * states, partitionwise ones too, are serialized; sql/parallel.sql has
	 * both kinds of plan.)
	 */
	if (a == NULL && b->owned)
	{
		/* a deserialized state nothing else refers to: no copy */
		b->owned = false;
		PG_RETURN_POINTER(b);
	}
	if (a == NULL)
		a = state_new(ctx);
	if (b->srid != -1)
		state_set_srid(a, b->srid);
	if (b->profile != -1)
		state_set_profile(a, b->profile);
	for (i = 0; i < TA_NSKIP; i++)
		a->skipped[i] += b->skipped[i];
	for (i = 0; i < TA_NREJECT; i++)
		a->rejected[i] += b->rejected[i];
	if (!state_take_run(a, b, ctx))
	{
		/* copies: b may be referred to elsewhere */
		state_flatten(a, ctx);
		state_flatten(b, ctx);
		if (b->n > 0)
			state_append(a, b->fix, b->n, b->sorted, ctx);
		state_append_packed(a, &b->packed, ctx);
		for (i = 0; b->runs && i < b->runs->n; i++)
			state_append_packed(a, &b->runs->run[i], ctx);
	}
	if (b->owned)
		pfree(b);				/* made for this call alone; its run is in the arena */
	PG_RETURN_POINTER(a);
}

/*
 * Arrays of fixes a support function reuses for every group (fn_extra):
 * serial gathers a state in one, the final functions unpack and merge in
 * three.  They grow with the largest group up to FIX_BUF_MAX fixes (1.5 MB
 * each), so they stay in the CPU's cache; a longer trace goes another way.
 */
#define FIX_BUF_MAX		(1 << 16)
#define FIX_BUF_COUNT	3

typedef struct FixBufs
{
	TAFix	   *buf[FIX_BUF_COUNT];
	size_t		cap;
} FixBufs;

/* fcinfo's nbuf arrays of at least n fixes each, n <= FIX_BUF_MAX */
static FixBufs *
fix_bufs(FunctionCallInfo fcinfo, int nbuf, size_t n)
{
	FixBufs    *fb = (FixBufs *) fcinfo->flinfo->fn_extra;
	int			i;

	Assert(n <= FIX_BUF_MAX && nbuf <= FIX_BUF_COUNT);
	if (fb == NULL)
		fb = fcinfo->flinfo->fn_extra =
			MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(FixBufs));
	if (fb->cap < n)
	{
		size_t		cap = Min(Max(pg_nextpower2_64(n), 1024), FIX_BUF_MAX);

		for (i = 0; i < nbuf; i++)
		{
			if (fb->buf[i])
				pfree(fb->buf[i]);
			fb->buf[i] = NULL;	/* in case the next allocation fails */
			fb->buf[i] = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, cap * sizeof(TAFix));
		}
		fb->cap = cap;
	}
	return fb;
}

/*
 * All of st's fixes in one sorted array, for serial: its reused array, or
 * for a longer trace a temporary one (*tmp, to pfree).  Sorting here spares
 * the leader: it sorts nothing the workers send.
 */
static TAFix *
state_gather(FunctionCallInfo fcinfo, TraceState *st, size_t n, TAFix **tmp)
{
	TAFix	   *fix;
	FixBlock   *b;
	size_t		k;

	*tmp = NULL;
	if (n > FIX_BUF_MAX)
		fix = *tmp = MemoryContextAllocHuge(CurrentMemoryContext, n * sizeof(TAFix));
	else
		fix = fix_bufs(fcinfo, 1, n)->buf[0];
	if (st->n > 0)
		memcpy(fix, st->fix, st->n * sizeof(TAFix));
	k = st->n;
	for (b = st->head; b; b = b->next)
	{
		uint32		bn = block_count(st, b);

		memcpy(fix + k, b->fix, bn * sizeof(TAFix));
		k += bn;
	}
	Assert(k == n);
	if (!st->sorted)
		ta_sort_fixes(fix, n);
	return fix;
}

Datum
trace_state_serial(PG_FUNCTION_ARGS)
{
	TraceState *st = (TraceState *) PG_GETARG_POINTER(0);
	StringInfoData buf;
	TAFix	   *fix,
			   *tmp;
	TAPacking	pk;
	size_t		n,
				bytes;
	int			i;

	/* a leader's combined state (PostgreSQL 15 serializes none): one array */
	state_collapse(st, ta_agg_context(fcinfo, "trace_state_serial"));
	n = st->n + st->nblocked;
	fix = state_gather(fcinfo, st, n, &tmp);
	bytes = ta_pack_plan(fix, n, &pk);
	if (bytes > MaxAllocSize - 256)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("partial state of a trace of %zu fixes is too large to send (%zu bytes)", n, bytes),
				 errhint("Split the trace, e.g. GROUP BY trace id and day, or SET max_parallel_workers_per_gather = 0.")));
	pq_begintypsend(&buf);
	pq_sendint32(&buf, STATE_MAGIC);
	pq_sendint32(&buf, st->srid);
	pq_sendint32(&buf, st->profile);
	for (i = 0; i < TA_NSKIP; i++)
		pq_sendint64(&buf, st->skipped[i]);
	for (i = 0; i < TA_NREJECT; i++)
		pq_sendint64(&buf, st->rejected[i]);
	pq_sendint64(&buf, (int64) n);
	/* the fixes sorted and packed: the state never leaves this server build */
	enlargeStringInfo(&buf, (int) bytes);
	ta_pack(fix, n, &pk, (uint8 *) buf.data + buf.len);
	buf.len += (int) bytes;
	buf.data[buf.len] = '\0';
	if (tmp)
		pfree(tmp);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

Datum
trace_state_deserial(PG_FUNCTION_ARGS)
{
	MemoryContext ctx = ta_agg_context(fcinfo, "trace_state_deserial");
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	TraceState *st = state_new(ctx);
	int64		n;
	size_t		bytes;
	const uint8 *data;
	int			i;

	buf.data = VARDATA_ANY(b);
	buf.len = VARSIZE_ANY_EXHDR(b);
	buf.maxlen = buf.len;
	buf.cursor = 0;
	if (pq_getmsgint(&buf, 4) != STATE_MAGIC)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid traceaudit aggregate state")));
	st->srid = pq_getmsgint(&buf, 4);
	st->profile = pq_getmsgint(&buf, 4);
	for (i = 0; i < TA_NSKIP; i++)
		st->skipped[i] = pq_getmsgint64(&buf);
	for (i = 0; i < TA_NREJECT; i++)
		st->rejected[i] = pq_getmsgint64(&buf);
	n = pq_getmsgint64(&buf);
	data = (const uint8 *) buf.data + buf.cursor;
	bytes = (size_t) (buf.len - buf.cursor);
	if (n < 0 || (uint64) n > MaxAllocHugeSize / sizeof(TAFix) ||
		!ta_unpack_valid(data, bytes, (size_t) n) ||
		st->profile < -1 || st->profile >= TA_NPROFILES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid traceaudit aggregate state of %d bytes", buf.len)));
	if (st->srid != -1)
		st->si = ta_srid_info(st->srid);
	if (n > 0)
	{
		/*
		 * Kept packed, in an arena: exact sizes, no header, nothing freed
		 * one by one.  Its memory is fresh in the leader, which holds all
		 * partial states: in the benchmark, with huge pages (a fresh one
		 * cost about 2 ms on the test machine, a virtual one) deserializing
		 * took 47 to 273 ms, with 4 kB pages a steady 108 to 119 ms.
		 */
		uint8	   *copy = ta_arena_alloc(fcinfo, ctx, bytes, MAXIMUM_ALIGNOF, false);

		memcpy(copy, data, bytes);
		st->packed.data = copy;
		st->packed.bytes = bytes;
		st->packed.n = (size_t) n;
	}
	st->owned = true;
	PG_RETURN_POINTER(st);
}

/*
 * The fixes of st in order: fix[] itself, or fix[] and the packed runs
 * unpacked and merged in the final function's reused arrays (fix_bufs: two
 * to merge into, one to unpack into).  A longer trace's runs are merged
 * into its state instead.
 */

/*
 * Asks for a run's memory before it is unpacked: the leader wrote it long
 * ago, and a trace's runs lie apart, each too short for the CPU's own
 * prefetcher to get going before its end.  (Leader's profile, 5 runs of the
 * benchmark's trace_summary: unpacking took 39 ms a run, with this 16 ms
 * and 6 ms for the rest of state_fixes.)
 */
static inline void
prefetch_run(const PackedRun *run)
{
#ifdef __GNUC__
	size_t		off;

	for (off = 0; off < run->bytes; off += 64)
		__builtin_prefetch(run->data + off);
#endif
}

/* unpacks run at *dec and lists it as a source; *dec moves past it */
static void
add_source(const PackedRun *run, TAFix **dec, const TAFix **src, size_t *len, int *nsrc)
{
	if (run->n == 0)
		return;
	ta_unpack(run->data, run->bytes, run->n, *dec);
	src[*nsrc] = *dec;
	len[(*nsrc)++] = run->n;
	*dec += run->n;
}

static const TAFix *
state_fixes(FunctionCallInfo fcinfo, TraceState *st, MemoryContext ctx, size_t *n)
{
	const TAFix *src[STATE_MAX_RUNS + 2];
	size_t		len[STATE_MAX_RUNS + 2];
	int			nsrc = 0,
				i,
				k;
	size_t		total = state_count(st);
	FixBufs    *fb;
	TAFix	   *dec;
	const TAFix *cur;

	if (total > FIX_BUF_MAX)
		state_collapse(st, ctx);
	if (st->packed.n == 0 && st->runs == NULL)
	{
		*n = st->n;
		return st->fix;
	}
	fb = fix_bufs(fcinfo, FIX_BUF_COUNT, total);
	dec = fb->buf[2];
	prefetch_run(&st->packed);
	for (i = 0; st->runs && i < st->runs->n; i++)
		prefetch_run(&st->runs->run[i]);
	if (st->n > 0)
	{
		src[nsrc] = st->fix;
		len[nsrc++] = st->n;
	}
	add_source(&st->packed, &dec, src, len, &nsrc);
	for (i = 0; st->runs && i < st->runs->n; i++)
		add_source(&st->runs->run[i], &dec, src, len, &nsrc);
	/* three at a time: a leader's and two workers' states in one pass */
	cur = src[0];
	*n = len[0];
	for (i = 1, k = 0; i < nsrc; k++)
	{
		TAFix	   *out = fb->buf[k & 1];

		if (i + 1 < nsrc)
		{
			ta_merge3_fixes(cur, *n, src[i], len[i], src[i + 1], len[i + 1], out);
			*n += len[i] + len[i + 1];
			i += 2;
		}
		else
		{
			ta_merge_fixes(cur, *n, src[i], len[i], out);
			*n += len[i];
			i++;
		}
		cur = out;
	}
	return cur;
}

/*
 * The final functions sort the state in place and may merge its runs.
 * That keeps its meaning (a multiset of fixes), so further transitions and a
 * second final call stay correct: the default FINALFUNC_MODIFY = READ_ONLY
 * is truthful.
 *
 * final_state: the state of a final function, or NULL; *fix and *n its
 * fixes in order.
 */
static TraceState *
final_state(FunctionCallInfo fcinfo, const char *fn, const TAFix **fix, size_t *n)
{
	TraceState *st;
	MemoryContext ctx = ta_agg_context(fcinfo, fn);

	*fix = NULL;
	*n = 0;
	if (PG_ARGISNULL(0))
		return NULL;
	st = (TraceState *) PG_GETARG_POINTER(0);
	state_flatten(st, ctx);
	state_sort(st);
	*fix = state_fixes(fcinfo, st, ctx, n);
	return st;
}

Datum
trace_line_final(PG_FUNCTION_ARGS)
{
	const TAFix *fix;
	size_t		n;
	TraceState *st = final_state(fcinfo, "trace_line", &fix, &n);

	if (n == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(ta_line_datum(st->srid, fix, n));
}

Datum
trace_summary_final(PG_FUNCTION_ARGS)
{
	const TAFix *fix;
	size_t		n;
	TraceState *st = final_state(fcinfo, "trace_summary_final", &fix, &n);
	TAJumpSummary sum;
	const TAJumpParams *prm;

	if (st == NULL)
		PG_RETURN_NULL();
	prm = &ta_profiles[st->profile >= 0 ? st->profile : TA_DEFAULT_PROFILE].p;
	if (n > 0)
		ta_find_jumps(fix, n, &st->si->metric, prm, NULL,
					  ta_tick_interrupts, NULL, &sum);
	else
		ta_find_jumps(NULL, 0, NULL, prm, NULL, NULL, NULL, &sum);
	PG_RETURN_DATUM(ta_summary_tuple(fcinfo, &sum, st->skipped, st->rejected));
}

/* trace_realism(geom, ts): the realism of one trace from point rows */
Datum
trace_realism_final(PG_FUNCTION_ARGS)
{
	const TAFix *fix;
	size_t		n;
	TraceState *st = final_state(fcinfo, "trace_realism", &fix, &n);

	if (n == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(ta_realism_tuple(fcinfo, fix, n, &st->si->metric));
}

/*
 * trace_realism_item(geom, ts): the compact per-trace item dataset_realism
 * combines (dataset_fmgr.c), from the same state as trace_summary and
 * trace_realism, so one GROUP BY computes all three.
 */
Datum
trace_realism_item_final(PG_FUNCTION_ARGS)
{
	const TAFix *fix;
	size_t		n;
	TraceState *st = final_state(fcinfo, "trace_realism_item", &fix, &n);

	if (n == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(ta_ds_item_datum(fix, n, &st->si->metric));
}
