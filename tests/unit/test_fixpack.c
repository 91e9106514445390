/*
 * test_fixpack.c
 *	  Unit tests of fixpack.c: packed runs unpack to the same bits, take the
 *	  fewest bytes the differences need, and malformed ones are refused.
 */
#include "fixpack.h"
#include "unit.h"

/* packs fix[0..n) into a buffer of exactly the planned size, unpacks, compares bits */
static size_t
roundtrip(const TAFix *fix, size_t n, int *bad)
{
	TAPacking	pk;
	size_t		bytes = ta_pack_plan(fix, n, &pk);
	uint8_t    *buf = malloc(bytes ? bytes : 1);
	TAFix	   *out = malloc((n ? n : 1) * sizeof(TAFix));

	ta_pack(fix, n, &pk, buf);
	if (!ta_unpack_valid(buf, bytes, n))
		(*bad)++;
	else
	{
		ta_unpack(buf, bytes, n, out);
		if (n > 0 && memcmp(out, fix, n * sizeof(TAFix)) != 0)
			(*bad)++;
	}
	free(buf);
	free(out);
	return bytes;
}

/* a car's run as a worker sees it: a fix every 5 to 20 s, about 15 m/s, GPS noise */
static void
car_run(TAFix *f, size_t n)
{
	double		x = 13.0 + unit_rand01() * 0.8,
				y = 52.3 + unit_rand01() * 0.4,
				m = 1714543200.0;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		double		dt = 5.0 * (1 + (int) (unit_rand01() * 4));

		m += dt;
		x += dt * 15.0 / 68000.0 + unit_rand01() * 0.00005;
		y += dt * 5.0 / 111000.0 + unit_rand01() * 0.00005;
		f[i].x = x;
		f[i].y = y;
		f[i].m = m;
	}
}

static void
test_roundtrip_car(void)
{
	static TAFix f[2000];
	size_t		sizes[] = {0, 1, 2, 3, 7, 170, 2000},
				s,
				bytes = 0,
				fixes = 0;
	int			bad = 0;

	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
	{
		car_run(f, sizes[s]);
		bytes += roundtrip(f, sizes[s], &bad);
		fixes += sizes[s];
	}
	CHECK_INT(bad, 0);
	/* the point of packing: half the raw 24 bytes a fix (seconds in a byte) */
	CHECK((double) bytes / (double) fixes < 13.0);
	CHECK((double) bytes / (double) fixes > 11.0);
}

/*
 * Times in whole seconds take differences of seconds, other times their
 * bits; either way they come back to the bit, near the limits of the
 * seconds mode too: 2^52 and 2^53, -0, negative and backwards times.
 */
static void
test_time_modes(void)
{
	static TAFix f[200];
	const double edge[] = {0.0, -0.0, -2.0, 1.0, 9007199254740991.0, 4503599627370495.0,
	-4503599627370495.0, 1.5, 4503599627370496.0, -4503599627370494.0};
	TAPacking	pk;
	int			trial,
				bad = 0,
				secs = 0,
				bits = 0;

	for (trial = 0; trial < 3000; trial++)
	{
		size_t		n = 1 + (size_t) (unit_rand_u64() % 200),
					i;

		for (i = 0; i < n; i++)
		{
			f[i].x = 13.0 + unit_rand01();
			f[i].y = 52.0 + unit_rand01();
			if (trial % 4 == 0)
				f[i].m = edge[unit_rand_u64() % 10];
			else if (trial % 4 == 1)	/* whole seconds, any order, far apart */
				f[i].m = (double) ((int64_t) (unit_rand_u64() % 2000001) - 1000000) *
					(trial % 8 == 1 ? 4503599627.0 : 1.0);
			else
				f[i].m = 1714543200.0 + (double) i * 5.0 + (trial % 4 == 3 ? 0.25 : 0.0);
		}
		ta_pack_plan(f, n, &pk);
		if (pk.secs)
			secs++;
		else
			bits++;
		roundtrip(f, n, &bad);
	}
	CHECK_INT(bad, 0);
	CHECK(secs > 500);
	CHECK(bits > 500);
	/* the modes chosen: seconds a byte apart, quarter seconds by bits, -0 never as seconds */
	f[0].m = 100.0;
	f[1].m = 105.0;
	CHECK_INT(ta_pack_plan(f, 2, &pk), TA_PACK_HEAD + pk.w[0] + pk.w[1] + 1);
	CHECK(pk.secs);
	f[1].m = 105.25;
	ta_pack_plan(f, 2, &pk);
	CHECK(!pk.secs);
	f[0].m = -0.0;
	f[1].m = 5.0;
	ta_pack_plan(f, 2, &pk);
	CHECK(!pk.secs);
}

/* any doubles: random bits, signed zeros, infinities, both ends of the range */
static void
test_roundtrip_any_bits(void)
{
	static TAFix f[300];
	const double special[] = {0.0, -0.0, 1e-310, -1e-310, 1e308, -1e308, INFINITY, -INFINITY, 180.0, -180.0};
	int			trial,
				bad = 0;

	for (trial = 0; trial < 2000; trial++)
	{
		size_t		n = (size_t) (unit_rand_u64() % 300),
					i;

		for (i = 0; i < n; i++)
		{
			uint64_t	b[3];
			int			k;

			for (k = 0; k < 3; k++)
			{
				double		d;

				b[k] = unit_rand_u64();
				/* some trials mostly special values, some near neighbours */
				if (trial % 3 == 0)
				{
					d = special[unit_rand_u64() % 10];
					memcpy(&b[k], &d, 8);
				}
				else if (trial % 3 == 1 && i > 0)
				{
					double		prev[3];

					memcpy(prev, &f[i - 1], sizeof(prev));
					memcpy(&b[k], &prev[k], 8);
					b[k] += (unit_rand_u64() % 2001) - 1000;
				}
			}
			memcpy(&f[i], b, sizeof(TAFix));
		}
		roundtrip(f, n, &bad);
	}
	CHECK_INT(bad, 0);
}

/* *to = the double whose bits are from's plus d */
static void
add_bits(double *to, const double *from, int64_t d)
{
	uint64_t	b;

	memcpy(&b, from, 8);
	b += (uint64_t) d;
	memcpy(to, &b, 8);
}

/* the widths are the fewest bytes of the largest difference, per ordinate */
static void
test_widths(void)
{
	TAFix		f[4] = {{1.0, 2.0, 3.0}, {1.0, 2.0, 3.0}, {1.0, 2.0, 3.0}, {1.0, 2.0, 3.0}};
	TAPacking	pk;

	CHECK_INT(ta_pack_plan(f, 4, &pk), TA_PACK_HEAD + 3 * 3);
	CHECK_INT(pk.w[0], 1);
	CHECK_INT(pk.w[1], 1);
	CHECK_INT(pk.w[2], 1);
	/* x's bits +127, 0, -128: one byte; y's +128: two; m's 2^40: six */
	add_bits(&f[1].x, &f[0].x, 127);
	add_bits(&f[2].x, &f[1].x, 0);
	add_bits(&f[3].x, &f[2].x, -128);
	add_bits(&f[3].y, &f[2].y, 128);
	add_bits(&f[3].m, &f[2].m, (int64_t) 1 << 40);
	ta_pack_plan(f, 4, &pk);
	CHECK_INT(pk.w[0], 1);
	CHECK_INT(pk.w[1], 2);
	CHECK_INT(pk.w[2], 6);
	/* from +inf to -inf: all 8 bytes */
	f[1].m = INFINITY;
	f[2].m = -INFINITY;
	ta_pack_plan(f, 4, &pk);
	CHECK_INT(pk.w[2], 8);
}

/* sizes and widths that disagree are refused, never read */
static void
test_invalid(void)
{
	static TAFix f[10];
	TAPacking	pk;
	uint8_t		buf[512];
	size_t		bytes,
				n;

	car_run(f, 10);
	bytes = ta_pack_plan(f, 10, &pk);
	ta_pack(f, 10, &pk, buf);
	CHECK(ta_unpack_valid(buf, bytes, 10));
	for (n = 0; n < 20; n++)
		if (n != 10)
			CHECK(!ta_unpack_valid(buf, bytes, n));
	CHECK(!ta_unpack_valid(buf, bytes - 1, 10));
	CHECK(!ta_unpack_valid(buf, bytes + 1, 10));
	CHECK(!ta_unpack_valid(buf, TA_PACK_HEAD - 1, 1));
	CHECK(!ta_unpack_valid(buf, 1, 0));
	CHECK(ta_unpack_valid(buf, 0, 0));
	buf[1] = 0;
	CHECK(!ta_unpack_valid(buf, bytes, 10));
	buf[1] = 9;
	CHECK(!ta_unpack_valid(buf, bytes, 10));
	/* a huge count that (n - 1) * record would overflow into a match */
	buf[0] = buf[1] = buf[2] = 8;
	CHECK(!ta_unpack_valid(buf, TA_PACK_HEAD + 24, (SIZE_MAX / 24) + 3));
	CHECK(ta_unpack_valid(buf, TA_PACK_HEAD + 24, 2));
}

int
main(void)
{
	RUN(test_roundtrip_car);
	RUN(test_roundtrip_any_bits);
	RUN(test_time_modes);
	RUN(test_widths);
	RUN(test_invalid);
	return unit_finish("fixpack");
}
