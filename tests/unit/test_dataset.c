/*
 * test_dataset.c
 *	  Unit tests of src/dataset.c: items and their MinHash signatures (an
 *	  exact copy shifted in time matches, a second noisy recording of the same
 *	  route does not), clone groups, the item and state formats against
 *	  corrupt input, merging in any order, and the verdict's edge cases.
 */
#include "unit.h"

#include "dataset.h"
#include "jumps.h"

static TAMetric geo;

static void *
u_alloc(void *ctx, size_t sz)
{
	(void) ctx;
	return malloc(sz);
}

static void *
u_realloc(void *ctx, void *p, size_t sz)
{
	(void) ctx;
	return realloc(p, sz);
}

static void
u_free(void *ctx, void *p)
{
	(void) ctx;
	free(p);
}

static const TAFpAlloc al = {u_alloc, u_realloc, u_free, NULL};
static const TARealismEnv env = {u_alloc, u_free, NULL, NULL};

/* a deterministic PRNG (splitmix64) for noise */
static uint64_t rng = 42;

static double
unif(void)
{
	uint64_t	z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (double) ((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
}

/*
 * A drive along a curved road near Liverpool: n fixes every dt s from t0,
 * with noise of sigma metres (0: none), coordinates at 7 decimals.
 */
static void
drive(TAFix *fix, int n, double t0, double dt, double sigma, double phase)
{
	int			i;

	for (i = 0; i < n; i++)
	{
		double		s = (i + phase) * dt * 8.0; /* metres along the road */
		double		x = -2.98 + s / 66000.0,
					y = 53.40 + 0.002 * sin(s / 400.0);

		x += sigma * (unif() - 0.5) / 66000.0;
		y += sigma * (unif() - 0.5) / 111000.0;
		fix[i].x = round(x * 1e7) / 1e7;
		fix[i].y = round(y * 1e7) / 1e7;
		fix[i].m = t0 + i * dt;
	}
}

static void
make_item(const TAFix *fix, int n, TADsItem *it)
{
	CHECK(ta_ds_item(fix, (size_t) n, &geo, &env, it) == 0);
}

static void
test_item(void)
{
	enum {N = 300};
	TAFix		a[N],
				b[N],
				c[N];
	TADsItem	ia,
				ib,
				ic;
	int			i,
				j;

	drive(a, N, 1.7e9, 5.0, 3.0, 0);
	memcpy(b, a, sizeof(a));
	for (i = 0; i < N; i++)
		b[i].m += 86400.0 * 3 + 17;	/* the same path three days later */
	drive(c, N, 1.7e9 + 600, 5.0, 3.0, 0.37);	/* another bus, same road */
	make_item(a, N, &ia);
	make_item(b, N, &ib);
	make_item(c, N, &ic);
	CHECK_INT(ia.fixes, N);
	CHECK(ia.flags & TA_DS_I_JUDGED);
	CHECK_INT(ia.cadence_ms, 5000);
	CHECK_NEAR(ia.mode_share, 1.0, 0);
	CHECK_INT(ia.digits, 7);
	CHECK_INT(ia.filled, TA_DS_K);
	CHECK_NEAR(ia.t_end - ia.t_start, 5.0 * (N - 1), 1e-6);
	CHECK(memcmp(ia.sig, ib.sig, sizeof(ia.sig)) == 0);
	CHECK_NEAR(ta_ds_similarity(&ia, &ib), 1.0, 0);
	CHECKF(ta_ds_similarity(&ia, &ic) < 0.2, "%g", ta_ds_similarity(&ia, &ic));
	/* the same noisy recording once more: not a copy */
	rng = 7;
	drive(c, N, 1.7e9, 5.0, 3.0, 0);
	make_item(c, N, &ic);
	CHECKF(ta_ds_similarity(&ia, &ic) < 0.2, "%g", ta_ds_similarity(&ia, &ic));

	/* at rest: no moves, an empty signature, never compared */
	for (i = 0; i < N; i++)
	{
		c[i].x = -2.98;
		c[i].y = 53.4;
		c[i].m = 1.7e9 + i;
	}
	make_item(c, N, &ic);
	CHECK_INT(ic.shingles, 0);
	CHECK_INT(ic.filled, 0);
	for (j = 0; j < TA_DS_K; j++)
		CHECK(ic.sig[j] == UINT32_MAX);
	CHECK_NEAR(ta_ds_similarity(&ic, &ic), 0.0, 0);

	/* no fixes, one fix */
	make_item(c, 0, &ic);
	CHECK_INT(ic.fixes, 0);
	CHECK_INT(ic.cadence_ms, -1);
	CHECK(isnan(ic.mode_share));
	CHECK_INT(ic.verdict, TA_VERDICT_INCONCLUSIVE);
	CHECK(!(ic.flags & TA_DS_I_JUDGED));
	make_item(c, 1, &ic);
	CHECK_INT(ic.fixes, 1);
	CHECK_INT(ic.filled, 0);

	/* planar: 1 m rounding */
	{
		TAMetric	pl;
		TAFix		p[40];
		TADsItem	ip;

		ta_metric_planar(&pl, 1.0);
		for (i = 0; i < 40; i++)
		{
			p[i].x = 500000 + 10.0 * i;
			p[i].y = 5000000 + 3.0 * i * i;
			p[i].m = 1e9 + i;
		}
		CHECK(ta_ds_item(p, 40, &pl, &env, &ip) == 0);
		CHECK_INT(ip.shingles, 39);
		CHECK(ip.filled >= 16);
	}
}

static void
test_item_format(void)
{
	enum {N = 100};
	TAFix		a[N];
	TADsItem	it,
				back;
	uint8_t		buf[TA_DS_ITEM_BYTES],
				bad[TA_DS_ITEM_BYTES];
	TADsError	err;
	size_t		i;
	int			bit,
				accepted = 0;

	drive(a, N, 1.7e9, 2.0, 2.0, 0);
	make_item(a, N, &it);
	ta_ds_item_encode(&it, buf);
	CHECK(ta_ds_item_decode(buf, sizeof(buf), &back, &err) == TA_DS_OK);
	CHECK(memcmp(&it.sig, &back.sig, sizeof(it.sig)) == 0);
	CHECK_SAME_DOUBLE(back.score, it.score);
	CHECK_INT(back.fixes, it.fixes);
	{
		uint8_t		again[TA_DS_ITEM_BYTES];

		ta_ds_item_encode(&back, again);
		CHECK(memcmp(again, buf, sizeof(buf)) == 0);
	}
	/* wrong lengths */
	CHECK(ta_ds_item_decode(buf, sizeof(buf) - 1, &back, &err) == TA_DS_E_FORMAT);
	CHECK(strstr(err.message, "bytes") != NULL);
	CHECK(ta_ds_item_decode(buf, 0, &back, &err) == TA_DS_E_FORMAT);
	/* named corruptions */
	memcpy(bad, buf, sizeof(buf));
	bad[0] = 'X';
	CHECK(ta_ds_item_decode(bad, sizeof(bad), &back, &err) == TA_DS_E_FORMAT);
	CHECK(strstr(err.message, "magic") != NULL);
	memcpy(bad, buf, sizeof(buf));
	bad[5] = 7;
	CHECK(ta_ds_item_decode(bad, sizeof(bad), &back, &err) == TA_DS_E_FORMAT);
	memcpy(bad, buf, sizeof(buf));
	bad[8 + 7] = 0x7f;			/* score's exponent: huge */
	bad[8 + 6] = 0xf8;			/* NaN */
	CHECK(ta_ds_item_decode(bad, sizeof(bad), &back, &err) == TA_DS_E_FORMAT);
	CHECK(strstr(err.message, "score") != NULL);
	memcpy(bad, buf, sizeof(buf));
	bad[60] = TA_DS_K + 1;		/* filled */
	CHECK(ta_ds_item_decode(bad, sizeof(bad), &back, &err) == TA_DS_E_FORMAT);
	/* every single-bit flip either decodes to a valid item or is refused */
	for (i = 0; i < sizeof(buf); i++)
		for (bit = 0; bit < 8; bit++)
		{
			memcpy(bad, buf, sizeof(buf));
			bad[i] ^= (uint8_t) (1 << bit);
			if (ta_ds_item_decode(bad, sizeof(bad), &back, &err) == TA_DS_OK)
			{
				accepted++;
				CHECK(back.score >= 0 && back.score <= 1);
				CHECK(back.t_start <= back.t_end);
				CHECK(back.filled <= TA_DS_K);
			}
			else
				CHECK(err.message[0] != '\0');
		}
	CHECK(accepted > 0);		/* e.g. a flipped signature bit is valid */
}

/* n distinct drives, then copies of drive 0 */
static TADsState *
dataset(int n, int copies, double shift, unsigned seed)
{
	TADsState  *st = ta_ds_create(NULL, &al);
	TAFix		fix[200];
	TADsItem	it;
	int			k;

	rng = seed;
	for (k = 0; k < n; k++)
	{
		drive(fix, 200, 1.7e9 + 3600.0 * k, 3.0, 4.0, k * 0.31);
		make_item(fix, 200, &it);
		CHECK(ta_ds_add_item(st, &it) == TA_DS_OK);
		if (k == 0)
		{
			int			c;

			for (c = 1; c <= copies; c++)
			{
				it.t_start += shift;
				it.t_end += shift;
				CHECK(ta_ds_add_item(st, &it) == TA_DS_OK);
			}
		}
	}
	return st;
}

static void
test_clones(void)
{
	TADsState  *st = dataset(12, 3, 86400.0, 1);
	TADsResult	r;
	TADsError	err;
	char		line[512];

	CHECK(ta_ds_evaluate(st, NULL, NULL, &r, &err) == TA_DS_OK);
	CHECK_INT(r.traces, 15);
	CHECK_INT(r.compared, 15);
	CHECK_INT(r.clone_groups, 1);
	CHECK_INT(r.clone_traces, 4);
	CHECK_INT(r.largest_group, 4);
	CHECK_INT(r.groups_shifted, 1);
	CHECK_INT(r.groups_simultaneous, 0);
	CHECK_NEAR(r.max_shift_s, 3 * 86400.0, 1e-6);
	CHECK_NEAR(r.value[TA_DF_CLONE_SHARE], 4.0 / 15.0, 1e-12);
	CHECK(r.contribution[TA_DF_CLONE_SHARE] < -3.0);
	ta_ds_explain(&r, TA_DF_CLONE_SHARE, line, sizeof(line));
	CHECKF(strstr(line, "4 of 15 traces") != NULL, "%s", line);
	ta_ds_free(st);

	/* simultaneous copies (another device id, the same times) */
	st = dataset(12, 1, 0.0, 1);
	CHECK(ta_ds_evaluate(st, NULL, NULL, &r, &err) == TA_DS_OK);
	CHECK_INT(r.clone_groups, 1);
	CHECK_INT(r.groups_simultaneous, 1);
	CHECK_INT(r.groups_shifted, 0);
	ta_ds_free(st);

	/* no copies: no groups, no clone evidence */
	st = dataset(12, 0, 0.0, 1);
	CHECK(ta_ds_evaluate(st, NULL, NULL, &r, &err) == TA_DS_OK);
	CHECK_INT(r.clone_groups, 0);
	CHECK_NEAR(r.value[TA_DF_CLONE_SHARE], 0.0, 0);
	CHECK_NEAR(r.contribution[TA_DF_CLONE_SHARE], 0.0, 0);
	ta_ds_free(st);
}

static void
test_merge_and_format(void)
{
	TADsState  *a = dataset(6, 2, 3600.0, 3),
			   *b = dataset(5, 0, 0.0, 4),
			   *ab = ta_ds_create(NULL, &al),
			   *ba = ta_ds_create(NULL, &al),
			   *back = NULL;
	TADsResult	r1,
				r2,
				r3;
	TADsError	err;
	size_t		len,
				i;
	uint8_t    *buf;

	CHECK(ta_ds_merge(ab, a, &err) == TA_DS_OK);
	CHECK(ta_ds_merge(ab, b, &err) == TA_DS_OK);
	CHECK(ta_ds_merge(ba, b, &err) == TA_DS_OK);
	CHECK(ta_ds_merge(ba, a, &err) == TA_DS_OK);
	CHECK_INT(ta_ds_count(ab), 13);
	len = ta_ds_serialize(ab, NULL, 0);
	CHECK_INT(len, 24 + 13 * TA_DS_ITEM_BYTES);
	buf = malloc(len);
	CHECK_INT(ta_ds_serialize(ab, buf, len), len);
	CHECK(ta_ds_deserialize(buf, len, &al, &back, &err) == TA_DS_OK);
	CHECK(ta_ds_evaluate(ab, NULL, NULL, &r1, &err) == TA_DS_OK);
	CHECK(ta_ds_evaluate(ba, NULL, NULL, &r2, &err) == TA_DS_OK);
	CHECK(ta_ds_evaluate(back, NULL, NULL, &r3, &err) == TA_DS_OK);
	CHECK(memcmp(&r1, &r2, sizeof(r1)) == 0);	/* bit for bit, any order */
	CHECK(memcmp(&r1, &r3, sizeof(r1)) == 0);
	CHECK_INT(r1.clone_groups, 1);
	CHECK_INT(r1.clone_traces, 3);

	/* every truncation and a bad header are refused */
	for (i = 0; i < len; i += 7)
	{
		TADsState  *t = NULL;

		CHECK(ta_ds_deserialize(buf, i, &al, &t, &err) == TA_DS_E_FORMAT);
		CHECK(t == NULL);
	}
	buf[4] = 9;
	{
		TADsState  *t = NULL;

		CHECK(ta_ds_deserialize(buf, len, &al, &t, &err) == TA_DS_E_FORMAT);
		CHECK(t == NULL);
		CHECK(strstr(err.message, "header") != NULL);
	}
	buf[4] = TA_DS_STATE_VERSION;
	buf[24 + 5] = 9;			/* the first item's verdict */
	{
		TADsState  *t = NULL;

		CHECK(ta_ds_deserialize(buf, len, &al, &t, &err) == TA_DS_E_FORMAT);
		CHECK(t == NULL);
		CHECK(strstr(err.message, "verdict") != NULL);
	}
	free(buf);
	ta_ds_free(a);
	ta_ds_free(b);
	ta_ds_free(ab);
	ta_ds_free(ba);
	ta_ds_free(back);
}

static void
test_density(void)
{
	TAFpGrid	grid;
	TADsState  *st,
			   *st2,
			   *m;
	TADsResult	r,
				r2;
	TADsError	err;
	TAFingerprint fp;
	int			i;
	uint8_t    *bin,
			   *sbuf;
	size_t		len,
				slen;

	CHECK(ta_fp_grid_init(&grid, TA_FP_GEOGRAPHIC, 4326, 1000.0, 1.0, NULL) == TA_FP_OK);
	/* uniform: 50 points in each of 100 cells of a 10 x 10 km square */
	st = ta_ds_create(&grid, &al);
	for (i = 0; i < 5000; i++)
		CHECK(ta_ds_add_point(st, 13.0 + 0.0015 * (i % 100 % 10) * 10 + 0.0001,
							  52.0 + 0.009 * (i % 100 / 10) + 0.0001, i % 24) == TA_FP_OK);
	CHECK(ta_ds_evaluate(st, NULL, NULL, &r, &err) == TA_DS_OK);
	CHECK(r.valid[TA_DF_DENSITY_GINI]);
	CHECKF(r.value[TA_DF_DENSITY_GINI] < 0.05, "%g", r.value[TA_DF_DENSITY_GINI]);
	CHECK(r.contribution[TA_DF_DENSITY_GINI] < -2.5);
	CHECK_INT(r.verdict, TA_DS_SYNTHETIC);	/* density is the only evidence */
	CHECK_NEAR(r.cell_m, 1000.0, 0);

	/* the same through a fingerprint (the item path) */
	{
		/* build the fingerprint the way the SQL item path gets it */
		TAFpAcc    *acc = ta_fp_acc_create(&grid, TA_FP_F_ALL, &al);
		uint64_t	dev = 1;

		for (i = 0; i < 5000; i++)
			ta_fp_acc_add(acc, 13.0 + 0.0015 * (i % 100 % 10) * 10 + 0.0001,
						  52.0 + 0.009 * (i % 100 / 10) + 0.0001, i % 24, &dev);
		CHECK(ta_fp_acc_finalize(acc, &al, &fp) == TA_FP_OK);
		ta_fp_acc_free(acc);
	}
	len = ta_fp_to_binary(&fp, NULL, 0);
	bin = malloc(len);
	ta_fp_to_binary(&fp, bin, len);
	st2 = ta_ds_create(NULL, &al);
	CHECK(ta_ds_set_fingerprint(st2, bin, len, &err) == TA_DS_OK);
	CHECK(ta_ds_set_fingerprint(st2, bin, len, &err) == TA_DS_OK);	/* the same again */
	CHECK(ta_ds_evaluate(st2, NULL, NULL, &r2, &err) == TA_DS_OK);
	CHECK_SAME_DOUBLE(r2.value[TA_DF_DENSITY_GINI], r.value[TA_DF_DENSITY_GINI]);
	CHECK_SAME_DOUBLE(r2.score, r.score);
	/* serialization keeps the fingerprint */
	slen = ta_ds_serialize(st2, NULL, 0);
	sbuf = malloc(slen);
	ta_ds_serialize(st2, sbuf, slen);
	{
		TADsState  *t = NULL;

		CHECK(ta_ds_deserialize(sbuf, slen, &al, &t, &err) == TA_DS_OK);
		CHECK(ta_ds_evaluate(t, NULL, NULL, &r2, &err) == TA_DS_OK);
		CHECK_SAME_DOUBLE(r2.score, r.score);
		ta_ds_free(t);
		sbuf[slen - 1] ^= 0x55;	/* corrupt the fingerprint */
		CHECK(ta_ds_deserialize(sbuf, slen, &al, &t, &err) == TA_DS_E_FORMAT);
		CHECK(t == NULL);
	}
	/* a different fingerprint, a garbage one, and mixing modes are refused */
	bin[len - 1] ^= 1;
	CHECK(ta_ds_set_fingerprint(st2, bin, len, &err) != TA_DS_OK);
	m = ta_ds_create(NULL, &al);
	CHECK(ta_ds_set_fingerprint(m, (const uint8_t *) "TAFPxx", 6, &err) == TA_DS_E_FP);
	CHECK(ta_ds_merge(st, st2, &err) == TA_DS_E_INCOMPATIBLE);
	/* accumulators merge exactly */
	CHECK(ta_ds_merge(m, st, &err) == TA_DS_OK);
	CHECK(ta_ds_merge(m, st, &err) == TA_DS_OK);
	CHECK(ta_ds_evaluate(m, NULL, NULL, &r2, &err) == TA_DS_OK);
	CHECK_INT(r2.points, 10000);
	CHECK_SAME_DOUBLE(r2.value[TA_DF_DENSITY_GINI], r.value[TA_DF_DENSITY_GINI]);
	ta_ds_free(m);
	slen = ta_ds_serialize(st, NULL, 0);
	free(sbuf);
	sbuf = malloc(slen);
	ta_ds_serialize(st, sbuf, slen);
	{
		TADsState  *t = NULL;

		CHECK(ta_ds_deserialize(sbuf, slen, &al, &t, &err) == TA_DS_OK);
		CHECK(ta_ds_evaluate(t, NULL, NULL, &r2, &err) == TA_DS_OK);
		CHECK(memcmp(&r, &r2, sizeof(r)) == 0);
		ta_ds_free(t);
	}
	free(sbuf);
	free(bin);
	ta_fp_free(&fp, &al);
	ta_ds_free(st);
	ta_ds_free(st2);
}

static void
test_edges(void)
{
	TADsState  *st = ta_ds_create(NULL, &al);
	TADsResult	r;
	TADsError	err;
	TADsItem	it;
	TAFix		fix[10];
	char		line[512];
	int			k;

	/* empty */
	CHECK(ta_ds_evaluate(st, NULL, NULL, &r, &err) == TA_DS_OK);
	CHECK_INT(r.verdict, TA_DS_INCONCLUSIVE);
	CHECK_NEAR(r.score, 0.5, 0);
	CHECK(isnan(r.mean_score));
	for (k = 0; k < TA_DF_N; k++)
	{
		CHECK(!r.valid[k]);
		CHECK(ta_ds_explain(&r, k, line, sizeof(line)) > 0);
	}
	CHECK(strcmp(ta_ds_verdict_names[TA_DS_MIXED], "mixed") == 0);
	/* traces too short to judge: still inconclusive */
	drive(fix, 10, 1.7e9, 1.0, 0.0, 0);
	make_item(fix, 10, &it);
	ta_ds_add_item(st, &it);
	ta_ds_add_item(st, &it);
	CHECK(ta_ds_evaluate(st, NULL, NULL, &r, &err) == TA_DS_OK);
	CHECK_INT(r.traces, 2);
	CHECK_INT(r.judged, 0);
	CHECK_INT(r.verdict, TA_DS_INCONCLUSIVE);
	CHECK(ta_ds_explain(&r, 99, line, sizeof(line)) > 0);
	ta_ds_free(st);

	/* one long real-looking trace: its verdict carries, shrunk */
	st = dataset(1, 0, 0, 5);
	CHECK(ta_ds_evaluate(st, NULL, NULL, &r, &err) == TA_DS_OK);
	CHECK_INT(r.traces, 1);
	CHECK(!r.valid[TA_DF_CLONE_SHARE]);
	CHECK_NEAR(fabs(r.contribution[TA_DF_TRACE_BALANCE]), r.judged ? 2.0 * fabs(r.value[TA_DF_TRACE_BALANCE]) : 0, 1e-12);
	ta_ds_free(st);
}

int
main(void)
{
	ta_metric_geodetic(&geo, TA_WGS84_A, TA_WGS84_F);
	RUN(test_item);
	RUN(test_item_format);
	RUN(test_clones);
	RUN(test_merge_and_format);
	RUN(test_density);
	RUN(test_edges);
	return unit_finish("dataset");
}
