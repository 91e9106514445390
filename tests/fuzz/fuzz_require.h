/*
 * fuzz_require.h
 *	  REQUIRE for the fuzz targets: a failed invariant aborts, which
 *	  libFuzzer reports with the input.
 */
#ifndef FUZZ_REQUIRE_H
#define FUZZ_REQUIRE_H

#include <stdio.h>
#include <stdlib.h>

#define REQUIRE(cond) \
	do { \
		if (!(cond)) \
		{ \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

#endif							/* FUZZ_REQUIRE_H */
