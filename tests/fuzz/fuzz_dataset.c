/*
 * fuzz_dataset.c
 *	  libFuzzer target for the untrusted-byte parsers of src/dataset.c:
 *	  - ta_ds_item_decode (the bytea items users pass to dataset_realism):
 *	    an accepted item re-encodes to bytes that decode to the same item;
 *	  - ta_ds_deserialize (aggregate states): an accepted state survives
 *	    serialize/deserialize byte for byte, merges with its copy, and
 *	    evaluates to a score in [0, 1] with every explanation printable;
 *	  - the input cut into item-sized pieces, each accepted piece added to a
 *	    state that is then evaluated (clone search over odd signatures).
 *
 *	  clang -fsanitize=fuzzer,address,undefined -I../../src fuzz_dataset.c \
 *		../../src/{dataset,realism,jumps,geodesy,fingerprint}.c -lm
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"

#include "fuzz_alloc.h"

static void
check_result(TADsState *st)
{
	TADsResult	r;
	TADsError	err;
	char		buf[512];
	int			k;

	if (ta_ds_evaluate(st, NULL, NULL, &r, &err) != TA_DS_OK)
		return;
	REQUIRE(r.score >= 0.0 && r.score <= 1.0);
	REQUIRE(r.judged <= r.traces && r.real + r.synthetic <= r.judged);
	REQUIRE(r.clone_traces <= r.compared);
	for (k = 0; k < TA_DF_N; k++)
	{
		int			n = ta_ds_explain(&r, k, buf, sizeof(buf));

		REQUIRE(n >= 0);
	}
}

static void
fuzz_item(const uint8_t *data, size_t size)
{
	TADsItem	it,
				again;
	TADsError	err;
	uint8_t		e1[TA_DS_ITEM_BYTES],
				e2[TA_DS_ITEM_BYTES];

	if (ta_ds_item_decode(data, size, &it, &err) != TA_DS_OK)
		return;
	ta_ds_item_encode(&it, e1);
	REQUIRE(ta_ds_item_decode(e1, sizeof(e1), &again, &err) == TA_DS_OK);
	ta_ds_item_encode(&again, e2);
	REQUIRE(memcmp(e1, e2, sizeof(e1)) == 0);
	REQUIRE(ta_ds_similarity(&it, &it) >= 0.0 && ta_ds_similarity(&it, &it) <= 1.0);
}

static void
fuzz_state(const uint8_t *data, size_t size)
{
	TADsState  *st = NULL,
			   *copy = NULL;
	TADsError	err;
	size_t		len,
				len2;
	uint8_t    *b1,
			   *b2;

	if (ta_ds_deserialize(data, size, &AL, &st, &err) != TA_DS_OK)
		return;
	len = ta_ds_serialize(st, NULL, 0);
	b1 = malloc(len ? len : 1);
	REQUIRE(ta_ds_serialize(st, b1, len) == len);
	REQUIRE(ta_ds_deserialize(b1, len, &AL, &copy, &err) == TA_DS_OK);
	len2 = ta_ds_serialize(copy, NULL, 0);
	REQUIRE(len2 == len);
	b2 = malloc(len2 ? len2 : 1);
	REQUIRE(ta_ds_serialize(copy, b2, len2) == len2);
	REQUIRE(memcmp(b1, b2, len) == 0);
	if (ta_ds_merge(copy, st, &err) == TA_DS_OK)
		REQUIRE(ta_ds_count(copy) == 2 * ta_ds_count(st));
	check_result(st);
	check_result(copy);
	free(b1);
	free(b2);
	ta_ds_free(st);
	ta_ds_free(copy);
}

static void
fuzz_items(const uint8_t *data, size_t size)
{
	TADsState  *st = ta_ds_create(NULL, &AL);
	TADsError	err;
	size_t		off;

	REQUIRE(st != NULL);
	for (off = 0; off + TA_DS_ITEM_BYTES <= size; off += TA_DS_ITEM_BYTES)
	{
		TADsItem	it;

		if (ta_ds_item_decode(data + off, TA_DS_ITEM_BYTES, &it, &err) == TA_DS_OK)
			REQUIRE(ta_ds_add_item(st, &it) == TA_DS_OK);
	}
	check_result(st);
	ta_ds_free(st);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_item(data, size);
	fuzz_state(data, size);
	fuzz_items(data, size);
	return 0;
}
