/*
 * fuzz_fingerprint.c
 *	  libFuzzer target for src/fingerprint.c.  Every input goes to the three
 *	  parsers of untrusted bytes:
 *	  - ta_fp_from_binary: an accepted value must re-encode to exactly the
 *	    input (one encoding per value), and its text must parse back to the
 *	    same binary;
 *	  - ta_fp_from_text: an accepted text must re-print to exactly the input,
 *	    and its binary must parse back to the same text;
 *	  - ta_fp_acc_deserialize (aggregate states): an accepted state must
 *	    finalize to a valid fingerprint, and survive serialize/deserialize.
 *	  Accepted fingerprints also go through the summary, the core, the
 *	  similarity with themselves (exactly 1), the per-cell and per-hour
 *	  differences and the cell polygons.  Finally the bytes are read as rows
 *	  (x, y, hour, device) fed to accumulators, and the whole must equal the
 *	  merge of two halves, also through serialized states.
 *
 * libFuzzer hands over an exact-size heap buffer, so AddressSanitizer
 * reports any read past the input; a failed invariant aborts.
 *
 *	  clang -fsanitize=fuzzer,address,undefined -I../../src fuzz_fingerprint.c ../../src/fingerprint.c -lm
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fingerprint.h"

#include "fuzz_alloc.h"

static uint8_t *
binary_of(const TAFingerprint *fp, size_t *len)
{
	size_t		n = ta_fp_to_binary(fp, NULL, 0);
	uint8_t    *b = malloc(n);

	REQUIRE(b != NULL);
	REQUIRE(ta_fp_to_binary(fp, b, n) == n);
	*len = n;
	return b;
}

static char *
text_of(const TAFingerprint *fp, size_t *len)
{
	size_t		n = ta_fp_to_text(fp, NULL, 0);
	char	   *t = malloc(n + 1);

	REQUIRE(t != NULL);
	REQUIRE(ta_fp_to_text(fp, t, n + 1) == n);
	REQUIRE(strlen(t) == n);
	*len = n;
	return t;
}

static int
same_binary(const TAFingerprint *a, const TAFingerprint *b)
{
	size_t		la,
				lb;
	uint8_t    *ba = binary_of(a, &la),
			   *bb = binary_of(b, &lb);
	int			same = la == lb && memcmp(ba, bb, la) == 0;

	free(ba);
	free(bb);
	return same;
}

/* everything a valid fingerprint must support */
static void
exercise(const TAFingerprint *fp)
{
	TAFpSummary s;
	TAFpHourDiff hd;
	TAFpDiffIter it;
	TAFpCellDiff d;
	TAFpError	err;
	double		sim;
	uint32_t	i,
				n = 0,
				ncore = 0;
	uint8_t    *is_core = malloc(fp->ncells ? fp->ncells : 1);
	double		xy[2 * TA_FP_POLYGON_NPOINTS(2)];

	REQUIRE(is_core != NULL);
	REQUIRE(ta_fp_summary(fp, &AL, &s) == TA_FP_OK);
	REQUIRE(s.cells == fp->ncells && s.points == fp->points);
	if (fp->ncells)
	{
		REQUIRE(s.gini >= -1e-9 && s.gini < 1.0);
		REQUIRE(s.entropy >= -1e-9 && s.entropy <= 1.0 + 1e-9);
		REQUIRE(s.top1_share > 0 && s.top1_share <= s.top10_share && s.top10_share <= 1.0);
		REQUIRE(s.core_share >= 0.5 && s.core_share <= 1.0);
		REQUIRE(s.core_cells >= 1 && s.core_cells <= fp->ncells);
	}
	REQUIRE(ta_fp_core(fp, &AL, is_core, &ncore) == TA_FP_OK);
	REQUIRE(ncore == s.core_cells);

	REQUIRE(ta_fp_similarity(fp, fp, &sim, &err) == TA_FP_OK);
	REQUIRE(fp->points == 0 ? isnan(sim) : sim == 1.0);
	REQUIRE(ta_fp_hour_diff(fp, fp, &AL, &hd, &err) == TA_FP_OK);
	ta_fp_diff_init(&it, fp, fp);
	while (ta_fp_diff_next(&it, &d))
	{
		REQUIRE(n < fp->ncells);
		REQUIRE(d.key == fp->cells[n].key);
		REQUIRE(d.points_a == d.points_b && d.share_a == d.share_b);
		n++;
	}
	REQUIRE(n == fp->ncells);
	/* a few polygons (every cell of a valid fingerprint is on the grid) */
	for (i = 0; i < fp->ncells && i < 16; i++)
		REQUIRE(ta_fp_cell_polygon(&fp->grid, fp->cells[i].key, 2, xy) ==
				TA_FP_POLYGON_NPOINTS(2));
	free(is_core);
}

static void
from_binary(const uint8_t *data, size_t size)
{
	TAFingerprint fp,
				back;
	TAFpError	err;
	TAFpStatus	st = ta_fp_from_binary(data, size, &AL, &fp, &err);
	uint8_t    *b;
	char	   *t;
	size_t		bl,
				tl;

	if (st != TA_FP_OK)
	{
		REQUIRE(st == TA_FP_E_FORMAT);
		REQUIRE(fp.cells == NULL && fp.hours == NULL && fp.ncells == 0);
		REQUIRE(strlen(err.message) > 0);
		return;
	}
	b = binary_of(&fp, &bl);
	REQUIRE(bl == size && memcmp(b, data, size) == 0);
	t = text_of(&fp, &tl);
	REQUIRE(ta_fp_from_text(t, tl, &AL, &back, &err) == TA_FP_OK);
	REQUIRE(same_binary(&fp, &back));
	exercise(&fp);
	ta_fp_free(&back, &AL);
	ta_fp_free(&fp, &AL);
	free(b);
	free(t);
}

static void
from_text(const uint8_t *data, size_t size)
{
	TAFingerprint fp,
				back;
	TAFpError	err;
	TAFpStatus	st = ta_fp_from_text((const char *) data, size, &AL, &fp, &err);
	uint8_t    *b;
	char	   *t,
			   *t2;
	size_t		bl,
				tl;

	if (st != TA_FP_OK)
	{
		REQUIRE(st == TA_FP_E_FORMAT);
		REQUIRE(fp.cells == NULL && fp.hours == NULL && fp.ncells == 0);
		REQUIRE(strncmp(err.message, "text: ", 6) == 0);
		return;
	}
	t = text_of(&fp, &tl);
	REQUIRE(tl == size && memcmp(t, data, size) == 0);
	b = binary_of(&fp, &bl);
	REQUIRE(ta_fp_from_binary(b, bl, &AL, &back, &err) == TA_FP_OK);
	t2 = text_of(&back, &tl);
	REQUIRE(strcmp(t, t2) == 0);
	exercise(&fp);
	ta_fp_free(&back, &AL);
	ta_fp_free(&fp, &AL);
	free(b);
	free(t);
	free(t2);
}

static uint8_t *
state_of(TAFpAcc *acc, size_t *len)
{
	size_t		n = ta_fp_acc_serialize(acc, NULL, 0);
	uint8_t    *b = malloc(n);

	REQUIRE(b != NULL);
	REQUIRE(ta_fp_acc_serialize(acc, b, n) == n);
	REQUIRE(ta_fp_acc_serial_bound(acc) >= n);
	*len = n;
	return b;
}

static void
finalize_valid(TAFpAcc *acc, TAFingerprint *fp)
{
	TAFingerprint back;
	TAFpError	err;
	size_t		bl;
	uint8_t    *b;

	REQUIRE(ta_fp_acc_finalize(acc, &AL, fp) == TA_FP_OK);
	b = binary_of(fp, &bl);
	REQUIRE(ta_fp_from_binary(b, bl, &AL, &back, &err) == TA_FP_OK);
	ta_fp_free(&back, &AL);
	free(b);
}

static void
from_state(const uint8_t *data, size_t size)
{
	TAFpAcc    *acc,
			   *again;
	TAFpError	err;
	TAFpStatus	st = ta_fp_acc_deserialize(data, size, &AL, &acc, &err);
	TAFingerprint f1,
				f2;
	uint8_t    *s;
	size_t		sl;

	if (st != TA_FP_OK)
	{
		REQUIRE(st == TA_FP_E_FORMAT);
		REQUIRE(acc == NULL);
		return;
	}
	finalize_valid(acc, &f1);
	s = state_of(acc, &sl);
	REQUIRE(ta_fp_acc_deserialize(s, sl, &AL, &again, &err) == TA_FP_OK);
	finalize_valid(again, &f2);
	REQUIRE(same_binary(&f1, &f2));
	exercise(&f1);
	ta_fp_free(&f1, &AL);
	ta_fp_free(&f2, &AL);
	ta_fp_acc_free(acc);
	ta_fp_acc_free(again);
	free(s);
}

/*
 * The input as rows of 6 bytes: x and y (16 bits each, scaled to a small
 * region so cells repeat), an hour byte (>= 24 is no time) and a device
 * byte (0 is no device).  The whole must equal the merge of two halves.
 */
static void
as_rows(const uint8_t *data, size_t size)
{
	size_t		nrows = size / 6,
				half,
				i,
				sl;
	int			kind;

	if (nrows == 0)
		return;
	half = data[0] % (nrows + 1);
	for (kind = 0; kind < 2; kind++)
	{
		TAFpGrid	g;
		TAFpAcc    *whole,
				   *a,
				   *b,
				   *b2;
		TAFingerprint fw,
					fm;
		TAFpError	err;
		uint8_t    *s;

		if (kind == 0)
			REQUIRE(ta_fp_grid_init(&g, TA_FP_GEOGRAPHIC, 4326, 100, 1, &err) == TA_FP_OK);
		else
			REQUIRE(ta_fp_grid_init(&g, TA_FP_PLANAR, 3857, 50, 0.3048, &err) == TA_FP_OK);
		whole = ta_fp_acc_create(&g, TA_FP_F_ALL, &AL);
		a = ta_fp_acc_create(&g, TA_FP_F_ALL, &AL);
		b = ta_fp_acc_create(&g, TA_FP_F_ALL, &AL);
		REQUIRE(whole && a && b);
		for (i = 0; i < nrows; i++)
		{
			const uint8_t *r = data + 6 * i;
			double		u = (r[0] | r[1] << 8) / 65535.0,
						v = (r[2] | r[3] << 8) / 65535.0;
			double		x = kind == 0 ? 2.0 + 0.05 * u : 5000.0 * (u - 0.5);
			double		y = kind == 0 ? 48.0 + 0.05 * v : 5000.0 * (v - 0.5);
			int			hour = r[4] < 24 ? r[4] : -1;
			uint64_t	dev = (uint64_t) r[5] * 0x0123456789abcdefULL;

			/* the poles and the date line now and then */
			if (kind == 0 && r[4] == 255)
				x = r[5] & 1 ? 180.0 : -180.0;
			if (kind == 0 && r[4] == 254)
				y = r[5] & 1 ? 90.0 : -90.0;
			REQUIRE(ta_fp_acc_add(whole, x, y, hour, r[5] ? &dev : NULL) == TA_FP_OK);
			REQUIRE(ta_fp_acc_add(i < half ? a : b, x, y, hour, r[5] ? &dev : NULL) == TA_FP_OK);
		}
		/* b travels as a serialized state, as from a parallel worker */
		s = state_of(b, &sl);
		REQUIRE(ta_fp_acc_deserialize(s, sl, &AL, &b2, &err) == TA_FP_OK);
		REQUIRE(ta_fp_acc_merge(a, b2, &err) == TA_FP_OK);
		finalize_valid(whole, &fw);
		finalize_valid(a, &fm);
		REQUIRE(same_binary(&fw, &fm));
		REQUIRE(fw.points == (int64_t) nrows);
		ta_fp_free(&fw, &AL);
		ta_fp_free(&fm, &AL);
		ta_fp_acc_free(whole);
		ta_fp_acc_free(a);
		ta_fp_acc_free(b);
		ta_fp_acc_free(b2);
		free(s);
	}
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	from_binary(data, size);
	from_text(data, size);
	from_state(data, size);
	if (size <= 1200)
		as_rows(data, size);
	return 0;
}
