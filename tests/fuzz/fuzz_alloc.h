/*
 * fuzz_alloc.h
 *	  What the fingerprint and dataset fuzz targets share: REQUIRE
 *	  (fuzz_require.h) and a TAFpAlloc over malloc that checks the
 *	  allocator contract (never 0 bytes, never NULL to free).
 */
#ifndef FUZZ_ALLOC_H
#define FUZZ_ALLOC_H

#include <stdio.h>
#include <stdlib.h>

#include "fingerprint.h"
#include "fuzz_require.h"

static void *
f_alloc(void *ctx, size_t n)
{
	(void) ctx;
	REQUIRE(n > 0);
	return malloc(n);
}

static void *
f_realloc(void *ctx, void *p, size_t n)
{
	(void) ctx;
	REQUIRE(n > 0 && p != NULL);
	return realloc(p, n);
}

static void
f_free(void *ctx, void *p)
{
	(void) ctx;
	REQUIRE(p != NULL);
	free(p);
}

static const TAFpAlloc AL = {f_alloc, f_realloc, f_free, NULL};

#endif							/* FUZZ_ALLOC_H */
