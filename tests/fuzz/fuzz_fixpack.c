/*
 * fuzz_fixpack.c
 *	  libFuzzer target for src/fixpack.c, the packed runs of fixes that
 *	  trace_state_deserial accepts: the input is a fix count (2 bytes) and
 *	  the packed bytes.  A run ta_unpack_valid accepts unpacks without
 *	  reading past its bytes (ASan) or undefined arithmetic (UBSan), packs
 *	  with the planned (fewest) widths to a run that unpacks to the same
 *	  bits, and, when its times are differences of bits, packs again to the
 *	  same bytes with its own widths, and the plan takes no more.
 *	  (Differences of seconds from a forged header need not: the first time
 *	  may not be whole seconds.)
 *
 *	  clang -fsanitize=fuzzer,address,undefined -I../../src fuzz_fixpack.c \
 *		../../src/fixpack.c
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixpack.h"

#include "fuzz_require.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t		n,
				bytes,
				planned;
	uint8_t    *run,
			   *again;
	TAFix	   *fix,
			   *fix2;
	TAPacking	pk;

	if (size < 2)
		return 0;
	n = (size_t) data[0] | (size_t) data[1] << 8;
	bytes = size - 2;
	/* an exact copy, so ASan sees any read past the run */
	run = malloc(bytes ? bytes : 1);
	memcpy(run, data + 2, bytes);
	if (!ta_unpack_valid(run, bytes, n))
	{
		free(run);
		return 0;
	}
	fix = malloc((n ? n : 1) * sizeof(TAFix));
	fix2 = malloc((n ? n : 1) * sizeof(TAFix));
	again = malloc(bytes ? bytes : 1);
	ta_unpack(run, bytes, n, fix);
	if (n > 0 && !(run[2] & TA_PACK_SECS))
	{
		memcpy(pk.w, run, 3);
		pk.secs = false;
		ta_pack(fix, n, &pk, again);
		REQUIRE(memcmp(again, run, bytes) == 0);
	}
	planned = ta_pack_plan(fix, n, &pk);
	/* the fewest bytes: no more than the input's, if it was packed by bits */
	REQUIRE(planned <= bytes || (run[2] & TA_PACK_SECS));
	free(again);
	again = malloc(planned ? planned : 1);
	ta_pack(fix, n, &pk, again);
	REQUIRE(ta_unpack_valid(again, planned, n));
	ta_unpack(again, planned, n, fix2);
	REQUIRE(n == 0 || memcmp(fix, fix2, n * sizeof(TAFix)) == 0);
	free(again);
	free(fix2);
	free(fix);
	free(run);
	return 0;
}
