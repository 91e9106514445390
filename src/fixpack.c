/*
 * fixpack.c
 *	  Sorted runs of fixes packed for the trip from a parallel worker to the
 *	  leader.
 *
 * A GROUP BY over 10 M point rows sends every fix from the workers to the
 * leader, which receives, copies and keeps them all before any final
 * function runs: on the benchmark that was the largest serial part of the
 * query (page faults on fresh memory, copies, waking workers blocked on full
 * queues), and each of those costs grows with the bytes.
 *
 * Neighbours in a sorted run are close in time and space, so the bit
 * patterns of their doubles are close as integers.  Each fix after the
 * first is the difference of its x, y and m bit patterns from the previous
 * fix's, modulo 2^64, in the fewest bytes that hold the run's largest
 * difference of that ordinate (sign-extended).  It is lossless for any
 * doubles, and at worst 27 bytes more than the raw 24 a fix.  Times in
 * whole seconds (most GPS logs) are differences of seconds instead: a byte
 * for fixes up to two minutes apart, where their bits took 4.  Fixes a few
 * hundred metres and seconds apart take 5 to 6 bytes a coordinate: about
 * 12 bytes a fix.
 *
 * Layout: widths of x, y and m (one byte each, 1 to 8; m's has TA_PACK_SECS
 * when its differences are seconds); the first fix's three bit patterns, 8
 * bytes each, little-endian; then for every further fix its three
 * differences, each in its width's bytes, little-endian.
 */
#include "fixpack.h"

#include <math.h>
#include <string.h>

_Static_assert(sizeof(TAFix) == 3 * sizeof(double) && sizeof(double) == 8,
			   "TAFix is not three doubles");

#define TWO_POW_52	4503599627370496.0

/*
 * Bytes that hold every difference sign-extended, 1 to 8: mag is the OR of
 * their magnitudes, so its top bit is the largest's.
 */
static inline unsigned
width_of(uint64_t mag)
{
	unsigned	bits = mag ? 65 - (unsigned) __builtin_clzll(mag) : 1;

	return (bits + 7) / 8;
}

static inline uint64_t
bits_of(double d)
{
	uint64_t	b;

	memcpy(&b, &d, 8);
	return b;
}

/* d ^ (d >> 63): d's magnitude in the bits a sign-extended d needs, less one */
static inline uint64_t
magnitude(uint64_t d)
{
	return d ^ (uint64_t) ((int64_t) d >> 63);
}

/*
 * m as whole seconds: exactly an integer below 2^52 in magnitude (so the
 * difference of two is below 2^53, exact as a double), not -0 (sums would
 * give +0), so that adding differences of seconds gives back its bits.
 * *secs is the integer.
 */
static inline bool
whole_seconds(double m, int64_t *secs)
{
	if (!(fabs(m) < TWO_POW_52))
		return false;
	*secs = (int64_t) m;
	return (double) *secs == m && !(m == 0.0 && signbit(m));
}

size_t
ta_pack_plan(const TAFix *fix, size_t n, TAPacking *pk)
{
	uint64_t	mx = 0,
				my = 0,
				mm = 0,
				ms = 0,
				px,
				py,
				pm;
	int64_t		ps = 0;
	bool		secs;
	size_t		i;

	if (n == 0)
	{
		pk->w[0] = pk->w[1] = pk->w[2] = 8;
		pk->secs = false;
		return 0;
	}
	px = bits_of(fix[0].x);
	py = bits_of(fix[0].y);
	pm = bits_of(fix[0].m);
	secs = whole_seconds(fix[0].m, &ps);
	for (i = 1; i < n; i++)
	{
		uint64_t	x = bits_of(fix[i].x),
					y = bits_of(fix[i].y),
					m = bits_of(fix[i].m);
		int64_t		s;

		mx |= magnitude(x - px);
		my |= magnitude(y - py);
		mm |= magnitude(m - pm);
		if (secs && whole_seconds(fix[i].m, &s))
		{
			ms |= magnitude((uint64_t) (s - ps));
			ps = s;
		}
		else
			secs = false;
		px = x;
		py = y;
		pm = m;
	}
	pk->w[0] = (uint8_t) width_of(mx);
	pk->w[1] = (uint8_t) width_of(my);
	pk->w[2] = (uint8_t) width_of(mm);
	pk->secs = secs && width_of(ms) < pk->w[2];
	if (pk->secs)
		pk->w[2] = (uint8_t) width_of(ms);
	return TA_PACK_HEAD + (n - 1) * (size_t) (pk->w[0] + pk->w[1] + pk->w[2]);
}

/* the low w bytes of v at p, little-endian */
static inline void
put_le(uint8_t *p, uint64_t v, unsigned w)
{
	unsigned	i;

	for (i = 0; i < w; i++)
		p[i] = (uint8_t) (v >> (8 * i));
}

/* the same in one 8-byte store: the bytes past w are overwritten later */
static inline void
put_le_fast(uint8_t *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	memcpy(p, &v, 8);
}

/* m's difference from the previous fix's: of bits, or of whole seconds */
static inline uint64_t
time_diff(double m, double prev, uint64_t mbits, uint64_t pbits, bool secs)
{
	if (secs)
		return (uint64_t) ((int64_t) m - (int64_t) prev);
	return mbits - pbits;
}

void
ta_pack(const TAFix *fix, size_t n, const TAPacking *pk, uint8_t *out)
{
	unsigned	wx = pk->w[0],
				wy = pk->w[1],
				wm = pk->w[2];
	size_t		rec = (size_t) wx + wy + wm,
				i;
	uint8_t    *end;
	uint64_t	px,
				py,
				pm;

	if (n == 0)
		return;
	end = out + TA_PACK_HEAD + (n - 1) * rec;
	out[0] = (uint8_t) wx;
	out[1] = (uint8_t) wy;
	out[2] = (uint8_t) (wm | (pk->secs ? TA_PACK_SECS : 0));
	px = bits_of(fix[0].x);
	py = bits_of(fix[0].y);
	pm = bits_of(fix[0].m);
	put_le(out + 3, px, 8);
	put_le(out + 11, py, 8);
	put_le(out + 19, pm, 8);
	out += TA_PACK_HEAD;
	for (i = 1; i < n; i++)
	{
		uint64_t	x = bits_of(fix[i].x),
					y = bits_of(fix[i].y),
					m = bits_of(fix[i].m),
					dm = time_diff(fix[i].m, fix[i - 1].m, m, pm, pk->secs);

		/* 8-byte stores while they end within the run */
		if ((size_t) (end - out) >= (size_t) (wx + wy) + 8)
		{
			put_le_fast(out, x - px);
			put_le_fast(out + wx, y - py);
			put_le_fast(out + wx + wy, dm);
		}
		else
		{
			put_le(out, x - px, wx);
			put_le(out + wx, y - py, wy);
			put_le(out + wx + wy, dm, wm);
		}
		out += rec;
		px = x;
		py = y;
		pm = m;
	}
}

bool
ta_unpack_valid(const uint8_t *data, size_t bytes, size_t n)
{
	size_t		rec;
	int			k;

	if (n == 0)
		return bytes == 0;
	if (bytes < TA_PACK_HEAD)
		return false;
	for (k = 0; k < 3; k++)
	{
		unsigned	w = data[k] & ~(k == 2 ? TA_PACK_SECS : 0);

		if (w < 1 || w > 8)
			return false;
	}
	rec = (size_t) data[0] + data[1] + (data[2] & ~TA_PACK_SECS);
	/* n - 1 records exactly, without overflowing (n - 1) * rec */
	return (bytes - TA_PACK_HEAD) % rec == 0 &&
		(bytes - TA_PACK_HEAD) / rec == n - 1;
}

static inline uint64_t
get_le64(const uint8_t *p)
{
	uint64_t	v;

	memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/* the w-byte difference at p, sign-extended; reads 8 bytes */
static inline uint64_t
get_diff_fast(const uint8_t *p, unsigned shift)
{
	return (uint64_t) ((int64_t) (get_le64(p) << shift) >> shift);
}

/* the same, reading only its own w bytes: for the last records */
static inline uint64_t
get_diff_tail(const uint8_t *p, unsigned w)
{
	uint8_t		b[8] = {0};

	memcpy(b, p, w);
	return get_diff_fast(b, 64 - 8 * w);
}

static inline double
double_of(uint64_t b)
{
	double		d;

	memcpy(&d, &b, 8);
	return d;
}

/*
 * The rest of ta_unpack, for n >= 1; secs as in the header.  Inlined twice
 * with secs constant: no test of the mode per fix.
 */
static inline __attribute__((always_inline)) void
unpack_run(const uint8_t *data, size_t bytes, size_t n, TAFix *out, bool secs)
{
	const uint8_t *p = data + TA_PACK_HEAD,
			   *end = data + bytes;
	unsigned	wx = data[0],
				wy = data[1],
				wm = data[2] & ~TA_PACK_SECS,
				sx = 64 - 8 * wx,
				sy = 64 - 8 * wy,
				sm = 64 - 8 * wm;
	size_t		rec = (size_t) wx + wy + wm,
				i;
	uint64_t	x = get_le64(data + 3),
				y = get_le64(data + 11),
				m = get_le64(data + 19);
	double		t = double_of(m);

	out[0].x = double_of(x);
	out[0].y = double_of(y);
	out[0].m = t;
	/* 8-byte loads while a record and 8 bytes beyond it are in the data */
	for (i = 1; i < n && (size_t) (end - p) >= rec + 8; i++)
	{
		x += get_diff_fast(p, sx);
		y += get_diff_fast(p + wx, sy);
		if (secs)
			t += (double) (int64_t) get_diff_fast(p + wx + wy, sm);
		else
			t = double_of(m += get_diff_fast(p + wx + wy, sm));
		p += rec;
		out[i].x = double_of(x);
		out[i].y = double_of(y);
		out[i].m = t;
	}
	for (; i < n; i++)
	{
		x += get_diff_tail(p, wx);
		y += get_diff_tail(p + wx, wy);
		if (secs)
			t += (double) (int64_t) get_diff_tail(p + wx + wy, wm);
		else
			t = double_of(m += get_diff_tail(p + wx + wy, wm));
		p += rec;
		out[i].x = double_of(x);
		out[i].y = double_of(y);
		out[i].m = t;
	}
}

void
ta_unpack(const uint8_t *data, size_t bytes, size_t n, TAFix *out)
{
	if (n == 0)
		return;
	if (data[2] & TA_PACK_SECS)
		unpack_run(data, bytes, n, out, true);
	else
		unpack_run(data, bytes, n, out, false);
}
