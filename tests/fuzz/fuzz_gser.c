/*
 * fuzz_gser.c
 *	  libFuzzer target for src/gser.c: arbitrary bytes go to
 *	  gser_parse_varlena (as a datum with its varlena header) and gser_parse
 *	  (as a payload without one).  Whatever parses is read point by point,
 *	  and its points (a linestring's, or a point's or multipoint's too) are
 *	  written back with gser_write_linestring_m and parsed again, with the
 *	  coordinates compared bit for bit.
 *
 * libFuzzer hands over an exact-size heap buffer, so AddressSanitizer
 * reports any read past the value; a failed invariant aborts.
 *
 *	  clang -fsanitize=fuzzer,address,undefined -I../../src fuzz_gser.c ../../src/gser.c
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gser.h"

#include "fuzz_require.h"

static int
same_double(double a, double b)
{
	return memcmp(&a, &b, sizeof(double)) == 0;
}

/* volatile sink so the reads cannot be optimised away */
static volatile double sink;

/*
 * g parsed from a buffer ending at end: checks what the parser promised and
 * reads every ordinate of every point.
 */
static void
check_parsed(const GserGeom *g, const uint8_t *begin, const uint8_t *end)
{
	uint32_t	i;
	double		acc = 0;

	REQUIRE(g->type == GSER_POINT || g->type == GSER_LINESTRING ||
			g->type == GSER_MULTIPOINT);
	REQUIRE(g->ndims == 2 + g->has_z + g->has_m);
	REQUIRE(g->has_z == ((g->flags & GSER_F_Z) ? 1 : 0));
	REQUIRE(g->has_m == ((g->flags & GSER_F_M) ? 1 : 0));
	REQUIRE(g->version == ((g->flags & GSER_F_VERSION) ? 2 : 1));
	REQUIRE(g->srid >= -(1 << 20) && g->srid < (1 << 20));
	if (g->type == GSER_POINT)
		REQUIRE(g->npoints <= 1);
	if (g->npoints == 0)
		return;
	REQUIRE(g->coords >= begin);
	/* the last ordinate of the last point lies inside the buffer */
	REQUIRE((size_t) (end - g->coords) >=
			(size_t) (g->npoints - 1) * g->stride + (size_t) g->ndims * 8);

	for (i = 0; i < g->npoints; i++)
	{
		double		x,
					y,
					z,
					m;

		gser_get_point(g, i, &x, &y, &z, &m);
		REQUIRE(g->has_z || isnan(z));
		REQUIRE(g->has_m || isnan(m));
		acc += x + y + (g->has_z ? z : 0) + (g->has_m ? m : 0);
	}
	sink = acc;
}

/*
 * Writes the points of g as a LINESTRING M (M taken as 0 when absent) and
 * checks that it parses back to the same SRID and the same coordinates, and
 * that its box holds every coordinate.
 */
static void
round_trip(const GserGeom *g)
{
	uint32_t	n = g->npoints;
	TAFix	   *fix = malloc(sizeof(TAFix) * (n ? n : 1));
	size_t		size = gser_linestring_m_size(n);
	uint8_t    *buf = malloc(size);
	GserGeom	h;
	uint32_t	i;

	REQUIRE(fix && buf);
	for (i = 0; i < n; i++)
	{
		double		z,
					m;

		gser_get_point(g, i, &fix[i].x, &fix[i].y, &z, &m);
		fix[i].m = g->has_m ? m : 0.0;
	}
	gser_write_linestring_m(buf, g->srid, fix, n);
	REQUIRE(gser_parse_varlena(buf, size, &h) == GSER_OK);
	REQUIRE(gser_parse(buf + 4, size - 4, &h) == GSER_OK);
	REQUIRE(h.type == GSER_LINESTRING);
	REQUIRE(h.srid == g->srid);
	REQUIRE(h.version == 2 && h.has_m && !h.has_z);
	REQUIRE(h.npoints == n);
	REQUIRE((h.flags & GSER_F_BBOX) == (n > 2 ? GSER_F_BBOX : 0));
	for (i = 0; i < n; i++)
	{
		double		x,
					y,
					z,
					m;

		gser_get_point(&h, i, &x, &y, &z, &m);
		REQUIRE(same_double(x, fix[i].x));
		REQUIRE(same_double(y, fix[i].y));
		REQUIRE(same_double(m, fix[i].m));
		REQUIRE(isnan(z));
	}
	if (n > 2)
	{
		int			d;

		/* float box rounded outward: min <= every value <= max */
		for (d = 0; d < 3; d++)
		{
			float		lo,
						hi;

			memcpy(&lo, buf + 8 + 8 * d, 4);
			memcpy(&hi, buf + 12 + 8 * d, 4);
			for (i = 0; i < n; i++)
			{
				double		v = d == 0 ? fix[i].x : d == 1 ? fix[i].y : fix[i].m;

				if (isnan(v) || isnan(lo) || isnan(hi))
					continue;
				REQUIRE((double) lo <= v);
				REQUIRE((double) hi >= v);
			}
		}
	}
	free(buf);
	free(fix);
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GserGeom	g;
	GserStatus	st;

	/* as a datum with a 1-byte or 4-byte varlena header */
	st = gser_parse_varlena(data, size, &g);
	REQUIRE(st >= GSER_OK && st <= GSER_E_SUBTYPE);
	if (st == GSER_OK)
	{
		check_parsed(&g, data, data + size);
		round_trip(&g);
	}
	/* the one-step point reader takes plain v2 points only, and agrees */
	{
		int32_t		srid;
		double		x,
					y,
					gx,
					gy;

		if (gser_point_xy(data, size, &srid, &x, &y))
		{
			REQUIRE(st == GSER_OK && g.type == GSER_POINT && g.npoints == 1 && g.version == 2);
			gser_get_point(&g, 0, &gx, &gy, NULL, NULL);
			REQUIRE(srid == g.srid && memcmp(&x, &gx, sizeof(x)) == 0 &&
					memcmp(&y, &gy, sizeof(y)) == 0);
		}
	}

	/* as a bare payload (SRID, flags, ...) */
	st = gser_parse(data, size, &g);
	REQUIRE(st >= GSER_OK && st <= GSER_E_SUBTYPE);
	REQUIRE(strlen(gser_status_message(st)) > 0);
	if (st == GSER_OK)
	{
		check_parsed(&g, data, data + size);
		round_trip(&g);
	}
	return 0;
}
