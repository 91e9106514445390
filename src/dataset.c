/*
 * dataset.c
 *	  Dataset-level realism: per-trace items (realism verdict, clock,
 *	  precision, MinHash signature of the path), a mergeable and
 *	  serializable state of items plus density, and the dataset verdict.
 *	  See dataset.h for the formats and tests/eval/README.md for the
 *	  constants and what they were measured on.
 */
#include "dataset.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const ta_ds_feature_names[TA_DF_N] = {
	"trace_verdicts", "clone_share", "cadence_share", "digits_share",
	"density_gini", "density_top10_share", "core_hour_range"
};

const char *const ta_ds_verdict_names[4] = {"inconclusive", "real", "synthetic", "mixed"};

#define ITEM_MAGIC	"TADI"
#define STATE_MAGIC "TADS"
#define STATE_HEADER 24
#define MIN_CADENCE_STEPS 10	/* intervals for a trace's modal cadence */
#define BUCKET_COMPARE 32		/* comparisons per item within an LSH bucket */
#define TICK_MASK	4095

struct TADsState
{
	TAFpAlloc	al;
	size_t		n,
				cap;
	TADsItem   *items;
	int			mode;			/* 0 none, 1 accumulator, 2 fingerprint */
	TAFpAcc    *acc;
	uint8_t    *fp_bin;
	size_t		fp_len;
};

/* ---------- small helpers ---------- */

static inline uint64_t
mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
set_err(TADsError *err, TADsStatus st, const char *msg)
{
	if (err)
	{
		err->status = st;
		snprintf(err->message, sizeof(err->message), "%s", msg);
	}
}

static void
put_le(uint8_t *p, uint64_t v, int bytes)
{
	int			i;

	for (i = 0; i < bytes; i++)
		p[i] = (uint8_t) (v >> (8 * i));
}

static uint64_t
get_le(const uint8_t *p, int bytes)
{
	uint64_t	v = 0;
	int			i;

	for (i = 0; i < bytes; i++)
		v |= (uint64_t) p[i] << (8 * i);
	return v;
}

static void
put_f64(uint8_t *p, double d)
{
	uint64_t	v;

	memcpy(&v, &d, 8);
	put_le(p, v, 8);
}

static double
get_f64(const uint8_t *p)
{
	uint64_t	v = get_le(p, 8);
	double		d;

	memcpy(&d, &v, 8);
	return d;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t		x = *(const int64_t *) a,
				y = *(const int64_t *) b;

	return (x > y) - (x < y);
}

/* ---------- items ---------- */

/* a position rounded to about 1 m; 0 if it cannot be (not finite, huge) */
static int
round_pos(const TAMetric *mt, double x, double y, int64_t *qx, int64_t *qy)
{
	double		sx = mt->kind == TA_METRIC_GEODETIC ? x * 1e5 : x * mt->to_meter,
				sy = mt->kind == TA_METRIC_GEODETIC ? y * 1e5 : y * mt->to_meter;

	if (!(fabs(sx) < 1e15) || !(fabs(sy) < 1e15))
		return 0;
	*qx = (int64_t) llround(sx);
	*qy = (int64_t) llround(sy);
	return 1;
}

static void
signature(const TAFix *fix, size_t n, const TAMetric *mt, const TARealismEnv *env,
		  TADsItem *out)
{
	uint32_t	val[TA_DS_K];
	uint8_t		has[TA_DS_K] = {0};
	int64_t		px = 0,
				py = 0,
				qx,
				qy;
	int			have_prev = 0;
	uint64_t	moves = 0;
	size_t		i;
	int			j;

	for (j = 0; j < TA_DS_K; j++)
		val[j] = UINT32_MAX;
	for (i = 0; i < n; i++)
	{
		if (env && env->tick && (i & TICK_MASK) == TICK_MASK)
			env->tick(env->ctx);
		if (!round_pos(mt, fix[i].x, fix[i].y, &qx, &qy))
		{
			have_prev = 0;
			continue;
		}
		if (have_prev && (qx != px || qy != py))
		{
			uint64_t	h = mix64((uint64_t) qy ^ 0x5444534953ULL);
			uint32_t	b,
						v;

			h = mix64(h + (uint64_t) qx);
			h = mix64(h + (uint64_t) py);
			h = mix64(h + (uint64_t) px);
			b = (uint32_t) (h >> 59);	/* TA_DS_K = 32 bins */
			v = (uint32_t) h;
			if (!has[b] || v < val[b])
				val[b] = v;
			has[b] = 1;
			moves++;
		}
		px = qx;
		py = qy;
		have_prev = 1;
	}
	out->shingles = moves > UINT32_MAX ? UINT32_MAX : (uint32_t) moves;
	out->filled = 0;
	for (j = 0; j < TA_DS_K; j++)
		out->filled += has[j];
	for (j = 0; j < TA_DS_K; j++)
	{
		int			d;

		if (has[j] || out->filled == 0)
		{
			out->sig[j] = val[j];
			continue;
		}
		for (d = 1; d < TA_DS_K; d++)
			if (has[(j + d) % TA_DS_K])
				break;
		out->sig[j] = (uint32_t) mix64(((uint64_t) val[(j + d) % TA_DS_K] << 8) | (uint64_t) d);
	}
}

int
ta_ds_item(const TAFix *fix, size_t n, const TAMetric *mt,
		   const TARealismEnv *env, TADsItem *out)
{
	TARealismFeatures f;
	TARealismResult r;
	int64_t    *dt = NULL;
	size_t		i,
				nd = 0;

	memset(out, 0, sizeof(*out));
	if (ta_realism_features(fix, n, mt, env, &f) != 0)
		return -1;
	ta_realism_score(&f, &r);
	out->score = r.score;
	out->verdict = (uint8_t) r.verdict;
	if (f.fixes >= TA_REALISM_MIN_FIXES && f.duration_s >= TA_REALISM_MIN_SECONDS)
		out->flags |= TA_DS_I_JUDGED;
	out->digits = f.valid[TA_RF_COORD_DIGITS] ? (uint8_t) f.value[TA_RF_COORD_DIGITS] : 255;
	out->fixes = n;
	out->t_start = n ? fix[0].m : 0.0;
	out->t_end = n ? fix[n - 1].m : 0.0;
	out->cadence_ms = -1;
	out->mode_share = NAN;

	/* the modal positive interval, to 1 ms */
	if (n > MIN_CADENCE_STEPS)
	{
		dt = env->alloc(env->ctx, (n - 1) * sizeof(int64_t));
		if (dt == NULL)
			return -1;
		for (i = 1; i < n; i++)
		{
			double		d = fix[i].m - fix[i - 1].m;

			if (d > 0 && d < 1e12)
				dt[nd++] = (int64_t) llround(d * 1000.0);
		}
		if (nd >= MIN_CADENCE_STEPS)
		{
			size_t		best = 0,
						run = 0;
			int64_t		mode = -1;

			qsort(dt, nd, sizeof(int64_t), cmp_i64);
			for (i = 0; i < nd; i++)
			{
				run = (i > 0 && dt[i] == dt[i - 1]) ? run + 1 : 1;
				if (run > best)
				{
					best = run;
					mode = dt[i];
				}
			}
			out->cadence_ms = mode;
			out->mode_share = (double) best / (double) nd;
		}
		env->free(env->ctx, dt);
	}
	signature(fix, n, mt, env, out);
	return 0;
}

void
ta_ds_item_encode(const TADsItem *it, uint8_t *p)
{
	int			j;

	memcpy(p, ITEM_MAGIC, 4);
	p[4] = TA_DS_ITEM_VERSION;
	p[5] = it->verdict;
	p[6] = it->flags;
	p[7] = it->digits;
	put_f64(p + 8, it->score);
	put_f64(p + 16, it->t_start);
	put_f64(p + 24, it->t_end);
	put_le(p + 32, it->fixes, 8);
	put_le(p + 40, (uint64_t) it->cadence_ms, 8);
	put_f64(p + 48, it->mode_share);
	put_le(p + 56, it->shingles, 4);
	put_le(p + 60, it->filled, 4);
	for (j = 0; j < TA_DS_K; j++)
		put_le(p + 64 + 4 * j, it->sig[j], 4);
}

TADsStatus
ta_ds_item_decode(const uint8_t *p, size_t len, TADsItem *it, TADsError *err)
{
	const char *why = NULL;
	int			j;

	memset(it, 0, sizeof(*it));
	if (len != TA_DS_ITEM_BYTES)
	{
		if (err)
		{
			err->status = TA_DS_E_FORMAT;
			snprintf(err->message, sizeof(err->message),
					 "a trace realism item has %d bytes, not %zu", TA_DS_ITEM_BYTES, len);
		}
		return TA_DS_E_FORMAT;
	}
	if (memcmp(p, ITEM_MAGIC, 4) != 0)
		why = "bad magic (not a trace realism item)";
	else if (p[4] != TA_DS_ITEM_VERSION)
		why = "unknown item version";
	else if (p[5] > TA_VERDICT_SYNTHETIC)
		why = "verdict out of range";
	else if (p[6] & ~TA_DS_I_ALL)
		why = "unknown flags";
	else if (p[7] > 17 && p[7] != 255)
		why = "digits out of range";
	if (why == NULL)
	{
		it->verdict = p[5];
		it->flags = p[6];
		it->digits = p[7];
		it->score = get_f64(p + 8);
		it->t_start = get_f64(p + 16);
		it->t_end = get_f64(p + 24);
		it->fixes = get_le(p + 32, 8);
		it->cadence_ms = (int64_t) get_le(p + 40, 8);
		it->mode_share = get_f64(p + 48);
		it->shingles = (uint32_t) get_le(p + 56, 4);
		it->filled = (uint32_t) get_le(p + 60, 4);
		for (j = 0; j < TA_DS_K; j++)
			it->sig[j] = (uint32_t) get_le(p + 64 + 4 * j, 4);
		if (!(it->score >= 0.0 && it->score <= 1.0))
			why = "score outside [0, 1]";
		else if (!isfinite(it->t_start) || !isfinite(it->t_end) || it->t_start > it->t_end)
			why = "bad time span";
		else if (it->fixes == 0 && (it->t_start != 0 || it->t_end != 0 || it->shingles != 0))
			why = "an item of no fixes with a time span or moves";
		else if ((it->flags & TA_DS_I_JUDGED) && it->fixes < TA_REALISM_MIN_FIXES)
			why = "a judged item of too few fixes";
		else if (!(it->flags & TA_DS_I_JUDGED) && it->verdict != TA_VERDICT_INCONCLUSIVE)
			why = "an unjudged item with a verdict";
		else if (it->cadence_ms == -1 ? !isnan(it->mode_share) :
				 (it->cadence_ms < 0 || !(it->mode_share > 0.0 && it->mode_share <= 1.0)))
			why = "bad cadence";
		else if (it->filled > TA_DS_K || (uint64_t) it->shingles + 1 > it->fixes + (it->fixes == 0) ||
				 (it->filled == 0) != (it->shingles == 0) || it->filled > it->shingles)
			why = "bad signature counts";
		else if (it->filled == 0)
		{
			for (j = 0; j < TA_DS_K; j++)
				if (it->sig[j] != UINT32_MAX)
					why = "a signature of no moves must be empty";
		}
	}
	if (why)
	{
		memset(it, 0, sizeof(*it));
		set_err(err, TA_DS_E_FORMAT, why);
		return TA_DS_E_FORMAT;
	}
	return TA_DS_OK;
}

double
ta_ds_similarity(const TADsItem *a, const TADsItem *b)
{
	int			j,
				eq = 0;

	if (a->filled == 0 || b->filled == 0)
		return 0.0;
	for (j = 0; j < TA_DS_K; j++)
		eq += a->sig[j] == b->sig[j];
	return (double) eq / TA_DS_K;
}

/* ---------- state ---------- */

TADsState *
ta_ds_create(const TAFpGrid *grid, const TAFpAlloc *al)
{
	TADsState  *st = al->alloc(al->ctx, sizeof(TADsState));

	if (st == NULL)
		return NULL;
	memset(st, 0, sizeof(*st));
	st->al = *al;
	if (grid)
	{
		st->acc = ta_fp_acc_create(grid, TA_FP_F_HOURS, al);
		if (st->acc == NULL)
		{
			al->free(al->ctx, st);
			return NULL;
		}
		st->mode = 1;
	}
	return st;
}

void
ta_ds_free(TADsState *st)
{
	if (st == NULL)
		return;
	if (st->acc)
		ta_fp_acc_free(st->acc);
	if (st->fp_bin)
		st->al.free(st->al.ctx, st->fp_bin);
	if (st->items)
		st->al.free(st->al.ctx, st->items);
	st->al.free(st->al.ctx, st);
}

static TADsStatus
reserve(TADsState *st, size_t more)
{
	size_t		need = st->n + more,
				cap;
	TADsItem   *p;

	if (need <= st->cap)
		return TA_DS_OK;
	if (need < st->n || need > SIZE_MAX / 2 / sizeof(TADsItem))
		return TA_DS_E_NOMEM;
	cap = st->cap * 2 > need ? st->cap * 2 : (need > 16 ? need : 16);
	p = st->items ? st->al.realloc(st->al.ctx, st->items, cap * sizeof(TADsItem))
		: st->al.alloc(st->al.ctx, cap * sizeof(TADsItem));
	if (p == NULL)
		return TA_DS_E_NOMEM;
	st->items = p;
	st->cap = cap;
	return TA_DS_OK;
}

TADsStatus
ta_ds_add_item(TADsState *st, const TADsItem *it)
{
	if (reserve(st, 1) != TA_DS_OK)
		return TA_DS_E_NOMEM;
	st->items[st->n++] = *it;
	return TA_DS_OK;
}

TAFpStatus
ta_ds_add_point(TADsState *st, double x, double y, int hour)
{
	if (st->acc == NULL)
		return TA_FP_E_ARG;
	return ta_fp_acc_add(st->acc, x, y, hour, NULL);
}

TADsStatus
ta_ds_set_fingerprint(TADsState *st, const uint8_t *bin, size_t len, TADsError *err)
{
	TAFingerprint fp;
	TAFpError	fe;
	TAFpStatus	s;

	if (st->mode == 1)
	{
		set_err(err, TA_DS_E_INCOMPATIBLE, "the state already has a density accumulator");
		return TA_DS_E_INCOMPATIBLE;
	}
	if (st->mode == 2)
	{
		if (len == st->fp_len && memcmp(bin, st->fp_bin, len) == 0)
			return TA_DS_OK;
		set_err(err, TA_DS_E_INCOMPATIBLE, "two different fingerprints for one dataset");
		return TA_DS_E_INCOMPATIBLE;
	}
	s = ta_fp_from_binary(bin, len, &st->al, &fp, &fe);
	if (s != TA_FP_OK)
	{
		set_err(err, s == TA_FP_E_NOMEM ? TA_DS_E_NOMEM : TA_DS_E_FP, fe.message);
		return s == TA_FP_E_NOMEM ? TA_DS_E_NOMEM : TA_DS_E_FP;
	}
	ta_fp_free(&fp, &st->al);
	st->fp_bin = st->al.alloc(st->al.ctx, len ? len : 1);
	if (st->fp_bin == NULL)
		return TA_DS_E_NOMEM;
	memcpy(st->fp_bin, bin, len);
	st->fp_len = len;
	st->mode = 2;
	return TA_DS_OK;
}

TADsStatus
ta_ds_merge(TADsState *dst, const TADsState *src, TADsError *err)
{
	if (src->mode != 0 && dst->mode != 0 && src->mode != dst->mode)
	{
		set_err(err, TA_DS_E_INCOMPATIBLE, "merging a state with a density accumulator and one with a fingerprint");
		return TA_DS_E_INCOMPATIBLE;
	}
	if (src->mode == 1)
	{
		TAFpError	fe;
		TAFpStatus	s;

		if (dst->mode == 0)
		{
			/* adopt a copy of src's accumulator: serialize and read back */
			size_t		len = ta_fp_acc_serialize(src->acc, NULL, 0);
			uint8_t    *buf = len ? dst->al.alloc(dst->al.ctx, len) : NULL;

			if (buf == NULL)
				return TA_DS_E_NOMEM;
			ta_fp_acc_serialize(src->acc, buf, len);
			s = ta_fp_acc_deserialize(buf, len, &dst->al, &dst->acc, &fe);
			dst->al.free(dst->al.ctx, buf);
			if (s == TA_FP_OK)
				dst->mode = 1;
		}
		else
			s = ta_fp_acc_merge(dst->acc, src->acc, &fe);
		if (s != TA_FP_OK)
		{
			TADsStatus	ds = s == TA_FP_E_NOMEM ? TA_DS_E_NOMEM :
				s == TA_FP_E_INCOMPATIBLE ? TA_DS_E_INCOMPATIBLE : TA_DS_E_FP;

			set_err(err, ds, fe.message);
			return ds;
		}
	}
	else if (src->mode == 2)
	{
		TADsStatus	s = ta_ds_set_fingerprint(dst, src->fp_bin, src->fp_len, err);

		if (s != TA_DS_OK)
			return s;
	}
	if (reserve(dst, src->n) != TA_DS_OK)
		return TA_DS_E_NOMEM;
	if (src->n)
		memcpy(dst->items + dst->n, src->items, src->n * sizeof(TADsItem));
	dst->n += src->n;
	return TA_DS_OK;
}

size_t
ta_ds_count(const TADsState *st)
{
	return st->n;
}

const TADsItem *
ta_ds_items(const TADsState *st)
{
	return st->items;
}

size_t
ta_ds_serialize(const TADsState *st, uint8_t *dst, size_t cap)
{
	/* no device counts here, so the accumulator's settle cannot fail */
	size_t		fpl = st->mode == 1 ? ta_fp_acc_serialize(st->acc, NULL, 0) :
		st->mode == 2 ? st->fp_len : 0;
	size_t		total = STATE_HEADER + st->n * TA_DS_ITEM_BYTES + fpl,
				i;

	if (dst == NULL || cap < total)
		return total;
	memcpy(dst, STATE_MAGIC, 4);
	dst[4] = TA_DS_STATE_VERSION;
	dst[5] = (uint8_t) st->mode;
	dst[6] = dst[7] = 0;
	put_le(dst + 8, st->n, 8);
	put_le(dst + 16, fpl, 8);
	for (i = 0; i < st->n; i++)
		ta_ds_item_encode(&st->items[i], dst + STATE_HEADER + i * TA_DS_ITEM_BYTES);
	if (st->mode == 1)
		ta_fp_acc_serialize(st->acc, dst + STATE_HEADER + st->n * TA_DS_ITEM_BYTES, fpl);
	else if (st->mode == 2)
		memcpy(dst + STATE_HEADER + st->n * TA_DS_ITEM_BYTES, st->fp_bin, fpl);
	return total;
}

TADsStatus
ta_ds_deserialize(const uint8_t *buf, size_t len, const TAFpAlloc *al,
				  TADsState **out, TADsError *err)
{
	TADsState  *st;
	uint64_t	n,
				fpl;
	size_t		i;
	TADsStatus	s = TA_DS_OK;

	*out = NULL;
	if (len < STATE_HEADER || memcmp(buf, STATE_MAGIC, 4) != 0 ||
		buf[4] != TA_DS_STATE_VERSION || buf[5] > 2 || buf[6] != 0 || buf[7] != 0)
	{
		set_err(err, TA_DS_E_FORMAT, "bad header (not a dataset realism state)");
		return TA_DS_E_FORMAT;
	}
	n = get_le(buf + 8, 8);
	fpl = get_le(buf + 16, 8);
	if (n > (len - STATE_HEADER) / TA_DS_ITEM_BYTES ||
		fpl != len - STATE_HEADER - n * TA_DS_ITEM_BYTES ||
		(buf[5] == 0) != (fpl == 0))
	{
		set_err(err, TA_DS_E_FORMAT, "item count or fingerprint length does not match the size");
		return TA_DS_E_FORMAT;
	}
	st = ta_ds_create(NULL, al);
	if (st == NULL || reserve(st, (size_t) n) != TA_DS_OK)
	{
		ta_ds_free(st);
		set_err(err, TA_DS_E_NOMEM, "out of memory");
		return TA_DS_E_NOMEM;
	}
	for (i = 0; i < n && s == TA_DS_OK; i++)
	{
		s = ta_ds_item_decode(buf + STATE_HEADER + i * TA_DS_ITEM_BYTES,
							  TA_DS_ITEM_BYTES, &st->items[i], err);
		st->n = i + 1;
	}
	if (s == TA_DS_OK && buf[5] == 1)
	{
		TAFpError	fe;
		TAFpStatus	fs = ta_fp_acc_deserialize(buf + len - fpl, fpl, al, &st->acc, &fe);

		if (fs != TA_FP_OK)
		{
			s = fs == TA_FP_E_NOMEM ? TA_DS_E_NOMEM : TA_DS_E_FORMAT;
			set_err(err, s, fe.message);
		}
		else
			st->mode = 1;
	}
	else if (s == TA_DS_OK && buf[5] == 2)
		s = ta_ds_set_fingerprint(st, buf + len - fpl, fpl, err);
	if (s != TA_DS_OK)
	{
		if (s != TA_DS_E_NOMEM && err)
			err->status = TA_DS_E_FORMAT;
		ta_ds_free(st);
		return s == TA_DS_E_NOMEM ? s : TA_DS_E_FORMAT;
	}
	*out = st;
	return TA_DS_OK;
}

/* ---------- evaluation ---------- */

static int
cmp_u64(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

static uint64_t
dbits(double d)
{
	uint64_t	v;

	memcpy(&v, &d, 8);
	return v;
}

/* a total order on items: the result never depends on the input order */
static int
cmp_item(const void *pa, const void *pb)
{
	const TADsItem *a = pa,
			   *b = pb;
	int			c,
				j;

	for (j = 0; j < TA_DS_K; j++)
		if ((c = cmp_u64(a->sig[j], b->sig[j])) != 0)
			return c;
	if ((c = cmp_u64(dbits(a->t_start), dbits(b->t_start))) != 0 ||
		(c = cmp_u64(dbits(a->t_end), dbits(b->t_end))) != 0 ||
		(c = cmp_u64(a->fixes, b->fixes)) != 0 ||
		(c = cmp_u64(dbits(a->score), dbits(b->score))) != 0 ||
		(c = cmp_u64((uint64_t) a->cadence_ms, (uint64_t) b->cadence_ms)) != 0 ||
		(c = cmp_u64(dbits(a->mode_share), dbits(b->mode_share))) != 0 ||
		(c = cmp_u64(a->shingles, b->shingles)) != 0 ||
		(c = cmp_u64(a->filled, b->filled)) != 0 ||
		(c = cmp_u64(a->verdict, b->verdict)) != 0 ||
		(c = cmp_u64(a->flags, b->flags)) != 0)
		return c;
	return cmp_u64(a->digits, b->digits);
}

typedef struct BandEntry
{
	uint64_t	key;
	uint64_t	idx;
} BandEntry;

static int
cmp_band(const void *pa, const void *pb)
{
	const BandEntry *a = pa,
			   *b = pb;
	int			c = cmp_u64(a->key, b->key);

	return c ? c : cmp_u64(a->idx, b->idx);
}

static uint64_t
uf_find(uint64_t *parent, uint64_t i)
{
	while (parent[i] != i)
	{
		parent[i] = parent[parent[i]];
		i = parent[i];
	}
	return i;
}

static void
uf_union(uint64_t *parent, uint64_t a, uint64_t b)
{
	a = uf_find(parent, a);
	b = uf_find(parent, b);
	if (a != b)
	{
		/* the smaller index is the root: deterministic */
		if (a < b)
			parent[b] = a;
		else
			parent[a] = b;
	}
}

/* clone groups among items sorted by cmp_item */
static TADsStatus
find_clones(const TADsItem *items, size_t n, const TAFpAlloc *al,
			TATick tick, void *tick_ctx, TADsResult *r)
{
	uint64_t   *parent = NULL;
	BandEntry  *be = NULL;
	double	   *tmin = NULL,
			   *tmax = NULL;
	uint64_t   *size = NULL;
	size_t		i,
				m = 0,
				b;
	TADsStatus	s = TA_DS_E_NOMEM;

	for (i = 0; i < n; i++)
		if (items[i].filled >= TA_DS_MIN_FILLED)
			m++;
	r->compared = m;
	if (m < 2)
		return TA_DS_OK;
	parent = al->alloc(al->ctx, n * sizeof(uint64_t));
	be = al->alloc(al->ctx, m * sizeof(BandEntry));
	tmin = al->alloc(al->ctx, n * sizeof(double));
	tmax = al->alloc(al->ctx, n * sizeof(double));
	size = al->alloc(al->ctx, n * sizeof(uint64_t));
	if (!parent || !be || !tmin || !tmax || !size)
		goto done;
	for (i = 0; i < n; i++)
		parent[i] = i;
	for (b = 0; b < TA_DS_BANDS; b++)
	{
		size_t		k = 0,
					lo,
					hi;

		for (i = 0; i < n; i++)
		{
			const TADsItem *it = &items[i];

			if (it->filled < TA_DS_MIN_FILLED)
				continue;
			be[k].key = mix64(((uint64_t) it->sig[b * TA_DS_BAND_ROWS] << 32 |
							   it->sig[b * TA_DS_BAND_ROWS + 1]) ^ (uint64_t) b);
			be[k].idx = i;
			k++;
		}
		qsort(be, m, sizeof(BandEntry), cmp_band);
		for (lo = 0; lo < m; lo = hi)
		{
			for (hi = lo + 1; hi < m && be[hi].key == be[lo].key; hi++)
				;
			for (i = lo; i < hi; i++)
			{
				size_t		j;

				if (tick && (i & TICK_MASK) == TICK_MASK)
					tick(tick_ctx);
				for (j = i + 1; j < hi && j <= i + BUCKET_COMPARE; j++)
					if (ta_ds_similarity(&items[be[i].idx], &items[be[j].idx]) >= TA_DS_CLONE_JACCARD)
						uf_union(parent, be[i].idx, be[j].idx);
			}
		}
	}
	for (i = 0; i < n; i++)
	{
		size[i] = 0;
		tmin[i] = INFINITY;
		tmax[i] = -INFINITY;
	}
	for (i = 0; i < n; i++)
	{
		uint64_t	root = uf_find(parent, i);

		size[root]++;
		if (items[i].t_start < tmin[root])
			tmin[root] = items[i].t_start;
		if (items[i].t_start > tmax[root])
			tmax[root] = items[i].t_start;
	}
	for (i = 0; i < n; i++)
	{
		if (size[i] < 2)
			continue;
		r->clone_groups++;
		r->clone_traces += size[i];
		if (size[i] > r->largest_group)
			r->largest_group = size[i];
		if (tmax[i] - tmin[i] > TA_DS_SIMULTANEOUS_S)
			r->groups_shifted++;
		else
			r->groups_simultaneous++;
		if (tmax[i] - tmin[i] > r->max_shift_s)
			r->max_shift_s = tmax[i] - tmin[i];
	}
	s = TA_DS_OK;
done:
	if (parent)
		al->free(al->ctx, parent);
	if (be)
		al->free(al->ctx, be);
	if (tmin)
		al->free(al->ctx, tmin);
	if (tmax)
		al->free(al->ctx, tmax);
	if (size)
		al->free(al->ctx, size);
	return s;
}

/*
 * The ranges the 10 real datasets of tests/eval show (each real source of
 * both splits, 1 km cells; see its README), and the weights of the
 * evidence.  Hand-set, not fitted: there are only ten real datasets.
 * The core's range over the hours is reported but not weighed: real and
 * generated datasets overlap on it (0.00-1.00 against 0.10-0.92).
 */
static const double real_lo[TA_DF_N] = {0.50, 0.0, 0.34, 0.90, 0.36, 0.27, 0.00};
static const double real_hi[TA_DF_N] = {1.00, 0.0, 0.81, 1.00, 0.90, 0.87, 1.00};

#define W_TRACES		4.0		/* logit per unit of (real - synthetic) share */
#define W_CLONE_MIN		1.0		/* any clone group */
#define W_CLONE_SHARE	10.0	/* per unit of clone share */
#define W_CLONE_MAX		8.0
#define W_UNIFORM		0.5		/* one clock and one precision everywhere */
#define GINI_UNIFORM	0.3		/* below this the density looks uniform */
#define W_GINI			2.5
#define MIN_DENSITY_CELLS 20
#define MIN_DENSITY_POINTS 1000
#define MIN_MIX_TRACES	10

TADsStatus
ta_ds_evaluate_items(TADsItem *items, size_t n, const TAFpSummary *den,
					 const TAFpAlloc *al, TATick tick, void *tick_ctx,
					 TADsResult *r)
{
	size_t		i;
	int64_t		score_sum = 0;	/* in 1e-12: exact, order-free */
	double		z = 0.0;
	int			k,
				any = 0;
	TADsStatus	s;

	memset(r, 0, sizeof(*r));
	for (k = 0; k < TA_DF_N; k++)
	{
		r->value[k] = NAN;
		r->real_lo[k] = real_lo[k];
		r->real_hi[k] = real_hi[k];
	}
	r->mean_score = NAN;
	r->modal_cadence_ms = -1;
	r->modal_digits = -1;
	r->cell_m = NAN;
	r->core_share = NAN;
	r->traces = n;
	if (n > 1)
		qsort(items, n, sizeof(TADsItem), cmp_item);

	/* per-trace verdicts */
	for (i = 0; i < n; i++)
	{
		const TADsItem *it = &items[i];

		if (it->flags & TA_DS_I_JUDGED)
		{
			r->judged++;
			score_sum += (int64_t) llround(it->score * 1e12);
		}
		if (it->verdict == TA_VERDICT_REAL)
			r->real++;
		else if (it->verdict == TA_VERDICT_SYNTHETIC)
			r->synthetic++;
		else
			r->inconclusive++;
	}
	if (r->judged > 0)
	{
		double		nj = (double) r->judged;

		r->mean_score = (double) score_sum / 1e12 / nj;
		r->valid[TA_DF_TRACE_BALANCE] = 1;
		r->value[TA_DF_TRACE_BALANCE] = ((double) r->real - (double) r->synthetic) / nj;
		r->contribution[TA_DF_TRACE_BALANCE] =
			W_TRACES * r->value[TA_DF_TRACE_BALANCE] * nj / (nj + 1.0);
	}

	/* clones */
	s = find_clones(items, n, al, tick, tick_ctx, r);
	if (s != TA_DS_OK)
		return s;
	if (r->compared >= 2)
	{
		double		c = (double) r->clone_traces / (double) r->compared;

		r->valid[TA_DF_CLONE_SHARE] = 1;
		r->value[TA_DF_CLONE_SHARE] = c;
		if (r->clone_groups > 0)
			r->contribution[TA_DF_CLONE_SHARE] =
				-fmin(W_CLONE_MAX, W_CLONE_MIN + W_CLONE_SHARE * c);
	}

	/* clocks and precision */
	{
		int64_t    *cad = NULL;
		size_t		nc = 0,
					best = 0,
					run = 0,
					bestd = 0;

		for (i = 0; i < n; i++)
			if (items[i].cadence_ms >= 0)
				nc++;
		if (nc > 0)
		{
			cad = al->alloc(al->ctx, nc * sizeof(int64_t));
			if (cad == NULL)
				return TA_DS_E_NOMEM;
			nc = 0;
			for (i = 0; i < n; i++)
				if (items[i].cadence_ms >= 0)
					cad[nc++] = items[i].cadence_ms;
			qsort(cad, nc, sizeof(int64_t), cmp_i64);
			for (i = 0; i < nc; i++)
			{
				run = (i > 0 && cad[i] == cad[i - 1]) ? run + 1 : 1;
				if (run == 1)
					r->distinct_cadences++;
				if (run > best)
				{
					best = run;
					r->modal_cadence_ms = cad[i];
				}
			}
			al->free(al->ctx, cad);
		}
		r->with_cadence = nc;
		for (i = 0; i < n; i++)
			if (items[i].digits <= 17)
			{
				r->digits_count[items[i].digits]++;
				r->with_digits++;
			}
		for (k = 0; k <= 17; k++)
			if (r->digits_count[k] > bestd)
			{
				bestd = r->digits_count[k];
				r->modal_digits = k;
			}
		if (nc >= MIN_MIX_TRACES)
		{
			r->valid[TA_DF_CADENCE_SHARE] = 1;
			r->value[TA_DF_CADENCE_SHARE] = (double) best / (double) nc;
		}
		if (r->with_digits >= MIN_MIX_TRACES)
		{
			r->valid[TA_DF_DIGITS_SHARE] = 1;
			r->value[TA_DF_DIGITS_SHARE] = (double) bestd / (double) r->with_digits;
		}
		/* one clock to the millisecond and one precision in every trace */
		if (r->valid[TA_DF_CADENCE_SHARE] && r->valid[TA_DF_DIGITS_SHARE] &&
			r->value[TA_DF_CADENCE_SHARE] >= 0.95 && r->value[TA_DF_DIGITS_SHARE] >= 0.95)
		{
			r->contribution[TA_DF_CADENCE_SHARE] = -W_UNIFORM / 2;
			r->contribution[TA_DF_DIGITS_SHARE] = -W_UNIFORM / 2;
		}
	}

	/* density */
	if (den)
	{
		r->points = den->points;
		r->cells = den->cells;
		r->core_share = den->core_share;
		if (den->cells >= MIN_DENSITY_CELLS && den->points >= MIN_DENSITY_POINTS)
		{
			double		lo = INFINITY,
						hi = -INFINITY;
			int64_t		timed = 0;
			int			h;

			r->valid[TA_DF_DENSITY_GINI] = 1;
			r->value[TA_DF_DENSITY_GINI] = den->gini;
			r->valid[TA_DF_DENSITY_TOP10] = 1;
			r->value[TA_DF_DENSITY_TOP10] = den->top10_share;
			if (den->gini < GINI_UNIFORM)
				r->contribution[TA_DF_DENSITY_GINI] =
					-W_GINI * (GINI_UNIFORM - den->gini) / GINI_UNIFORM - 0.5;
			for (h = 0; h < TA_FP_NHOURS; h++)
				timed += den->hour_points[h];
			/* hours holding at least 2% of the timed points */
			for (h = 0; h < TA_FP_NHOURS; h++)
				if (timed > 0 && den->hour_points[h] * 50 >= timed &&
					isfinite(den->hour_core_points[h]))
				{
					lo = fmin(lo, den->hour_core_points[h]);
					hi = fmax(hi, den->hour_core_points[h]);
				}
			if (hi >= lo)
			{
				r->valid[TA_DF_CORE_HOUR_RANGE] = 1;
				r->value[TA_DF_CORE_HOUR_RANGE] = hi - lo;
			}
		}
	}

	for (k = 0; k < TA_DF_N; k++)
	{
		z += r->contribution[k];
		any |= r->valid[k] && r->contribution[k] != 0.0;
	}
	r->score = 1.0 / (1.0 + exp(-z));
	if (r->judged == 0 && !any)
	{
		r->score = 0.5;
		r->verdict = TA_DS_INCONCLUSIVE;
	}
	else if (r->score >= TA_DS_REAL_AT)
		r->verdict = TA_DS_REAL;
	else if (r->score <= TA_DS_SYNTH_AT)
		r->verdict = TA_DS_SYNTHETIC;
	else
		r->verdict = TA_DS_MIXED;
	return TA_DS_OK;
}

TADsStatus
ta_ds_evaluate(TADsState *st, TATick tick, void *tick_ctx, TADsResult *r,
			   TADsError *err)
{
	TAFingerprint fp;
	TAFpSummary sum;
	TAFpError	fe;
	TAFpStatus	fs = TA_FP_OK;
	TADsStatus	s;
	int			have = 0;

	memset(&fp, 0, sizeof(fp));
	if (st->mode == 1)
		fs = ta_fp_acc_finalize(st->acc, &st->al, &fp);
	else if (st->mode == 2)
		fs = ta_fp_from_binary(st->fp_bin, st->fp_len, &st->al, &fp, &fe);
	if (fs == TA_FP_OK && st->mode != 0)
	{
		fs = ta_fp_summary(&fp, &st->al, &sum);
		have = fs == TA_FP_OK;
	}
	if (fs != TA_FP_OK)
	{
		ta_fp_free(&fp, &st->al);
		set_err(err, fs == TA_FP_E_NOMEM ? TA_DS_E_NOMEM : TA_DS_E_FP,
				ta_fp_status_message(fs));
		return fs == TA_FP_E_NOMEM ? TA_DS_E_NOMEM : TA_DS_E_FP;
	}
	s = ta_ds_evaluate_items(st->items, st->n, have ? &sum : NULL, &st->al,
							 tick, tick_ctx, r);
	if (have)
		r->cell_m = fp.grid.cell_m;
	ta_fp_free(&fp, &st->al);
	if (s != TA_DS_OK)
		set_err(err, s, "out of memory");
	return s;
}

/* ---------- explanations ---------- */

int
ta_ds_explain(const TADsResult *r, int k, char *buf, size_t len)
{
	double		v = r->value[k < 0 || k >= TA_DF_N ? 0 : k];

	if (k < 0 || k >= TA_DF_N)
		return snprintf(buf, len, "unknown feature");
	if (!r->valid[k])
	{
		switch ((TADsFeature) k)
		{
			case TA_DF_TRACE_BALANCE:
				return snprintf(buf, len, "no trace is long enough to judge (%d fixes and %.0f s)",
								TA_REALISM_MIN_FIXES, TA_REALISM_MIN_SECONDS);
			case TA_DF_CLONE_SHARE:
				return snprintf(buf, len, "fewer than 2 traces move enough to compare their paths");
			case TA_DF_CADENCE_SHARE:
			case TA_DF_DIGITS_SHARE:
				return snprintf(buf, len, "%s: fewer than %d traces to compare",
								ta_ds_feature_names[k], MIN_MIX_TRACES);
			default:
				return snprintf(buf, len, "%s: no density fingerprint of at least %d cells and %d points",
								ta_ds_feature_names[k], MIN_DENSITY_CELLS, MIN_DENSITY_POINTS);
		}
	}
	switch ((TADsFeature) k)
	{
		case TA_DF_TRACE_BALANCE:
			return snprintf(buf, len, "of %llu traces long enough to judge, %llu look recorded and %llu generated "
							"(balance %.2f); real datasets show %.2f to %.2f",
							(unsigned long long) r->judged, (unsigned long long) r->real,
							(unsigned long long) r->synthetic, v, r->real_lo[k], r->real_hi[k]);
		case TA_DF_CLONE_SHARE:
			if (r->clone_groups == 0)
				return snprintf(buf, len, "no two of the %llu traces compared follow the same path fix for fix; "
								"real datasets show no such copies",
								(unsigned long long) r->compared);
			return snprintf(buf, len, "%llu of %llu traces compared (%.0f%%) repeat another trace's path fix for fix, "
							"in %llu groups (%llu shifted in time, by up to %.0f s; %llu simultaneous); "
							"real datasets show no such copies",
							(unsigned long long) r->clone_traces, (unsigned long long) r->compared,
							100.0 * v, (unsigned long long) r->clone_groups,
							(unsigned long long) r->groups_shifted, r->max_shift_s,
							(unsigned long long) r->groups_simultaneous);
		case TA_DF_CADENCE_SHARE:
			return snprintf(buf, len, "%.0f%% of traces sample on the same clock (%.3f s; distinct clocks: %llu); "
							"real datasets show %.0f%% to %.0f%%, and one recorder type can be as uniform",
							100.0 * v, (double) r->modal_cadence_ms / 1000.0,
							(unsigned long long) r->distinct_cadences,
							100.0 * r->real_lo[k], 100.0 * r->real_hi[k]);
		case TA_DF_DIGITS_SHARE:
			return snprintf(buf, len, "%.0f%% of traces give coordinates with %d decimals%s; "
							"real datasets show %.0f%% to %.0f%%, and one recorder type can be as uniform",
							100.0 * v, r->modal_digits, r->modal_digits == 17 ? " (full precision)" : "",
							100.0 * r->real_lo[k], 100.0 * r->real_hi[k]);
		case TA_DF_DENSITY_GINI:
			return snprintf(buf, len, "points over %llu cells of %.0f m have a Gini coefficient of %.2f; "
							"real datasets show %.2f to %.2f, uniform random points near 0",
							(unsigned long long) r->cells, r->cell_m, v, r->real_lo[k], r->real_hi[k]);
		case TA_DF_DENSITY_TOP10:
			return snprintf(buf, len, "the densest 10%% of cells hold %.0f%% of the points; "
							"real datasets show %.0f%% to %.0f%%, uniform random points about 10%%",
							100.0 * v, 100.0 * r->real_lo[k], 100.0 * r->real_hi[k]);
		case TA_DF_CORE_HOUR_RANGE:
			return snprintf(buf, len, "the densest cells' share of the points varies by %.2f over the hours of the day; "
							"real datasets show %.2f to %.2f (not weighed: generated ones overlap)",
							v, r->real_lo[k], r->real_hi[k]);
		default:
			break;
	}
	return snprintf(buf, len, "unknown feature");
}
