/*
 * unit.h
 *	  A tiny assertion helper for the pure-C unit tests.  Each test program is
 *	  one translation unit: it defines test functions, runs them with RUN()
 *	  from main() and ends with return unit_finish("name").
 *
 * A test passes when none of its checks failed.  A failed check prints its
 * file, line and expression (with the values for the numeric checks) and
 * lets the test go on, so one run shows every failure.  The last line of the
 * output is "NAME: N passed, M failed"; tests/unit/Makefile sums those.
 */
#ifndef TA_UNIT_H
#define TA_UNIT_H

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *unit_test_name = "";
static int	unit_test_failures;
static int	unit_passed;
static int	unit_failed;

static inline void
unit_fail_at(const char *file, int line)
{
	unit_test_failures++;
	fprintf(stderr, "%s:%d: [%s] ", file, line, unit_test_name);
}

#define CHECK(cond) \
	do { \
		if (!(cond)) \
		{ \
			unit_fail_at(__FILE__, __LINE__); \
			fprintf(stderr, "check failed: %s\n", #cond); \
		} \
	} while (0)

/* a check with a printf-style explanation */
#define CHECKF(cond, ...) \
	do { \
		if (!(cond)) \
		{ \
			unit_fail_at(__FILE__, __LINE__); \
			fprintf(stderr, "check failed: %s: ", #cond); \
			fprintf(stderr, __VA_ARGS__); \
			fputc('\n', stderr); \
		} \
	} while (0)

#define CHECK_INT(got, want) \
	do { \
		long long	unit_g_ = (long long) (got); \
		long long	unit_w_ = (long long) (want); \
		if (unit_g_ != unit_w_) \
		{ \
			unit_fail_at(__FILE__, __LINE__); \
			fprintf(stderr, "%s == %lld, expected %s == %lld\n", \
					#got, unit_g_, #want, unit_w_); \
		} \
	} while (0)

/* |got - want| <= tol; NaN never passes */
#define CHECK_NEAR(got, want, tol) \
	do { \
		double		unit_g_ = (double) (got); \
		double		unit_w_ = (double) (want); \
		double		unit_t_ = (double) (tol); \
		if (!(fabs(unit_g_ - unit_w_) <= unit_t_)) \
		{ \
			unit_fail_at(__FILE__, __LINE__); \
			fprintf(stderr, "%s == %.17g, expected %.17g +- %g (off by %.3g)\n", \
					#got, unit_g_, unit_w_, unit_t_, fabs(unit_g_ - unit_w_)); \
		} \
	} while (0)

/* bitwise equality of two doubles (NaN == NaN, 0.0 != -0.0) */
#define CHECK_SAME_DOUBLE(got, want) \
	do { \
		double		unit_g_ = (double) (got); \
		double		unit_w_ = (double) (want); \
		if (memcmp(&unit_g_, &unit_w_, sizeof(double)) != 0) \
		{ \
			unit_fail_at(__FILE__, __LINE__); \
			fprintf(stderr, "%s == %.17g, expected the same bits as %.17g\n", \
					#got, unit_g_, unit_w_); \
		} \
	} while (0)

#define RUN(fn) unit_run(#fn, fn)

static inline void
unit_run(const char *name, void (*fn) (void))
{
	unit_test_name = name;
	unit_test_failures = 0;
	fn();
	if (unit_test_failures)
	{
		unit_failed++;
		fprintf(stderr, "FAIL %s (%d failed checks)\n", name, unit_test_failures);
	}
	else
		unit_passed++;
}

static inline int
unit_finish(const char *suite)
{
	printf("%s: %d passed, %d failed\n", suite, unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}

/*
 * Hex text to bytes, ignoring spaces and '|' separators; returns the byte
 * count.  Aborts on malformed text (a bug in the test itself).
 */
static inline size_t
unit_hex(const char *hex, uint8_t *out, size_t cap)
{
	size_t		n = 0;
	int			hi = -1;

	for (; *hex; hex++)
	{
		int			c = (unsigned char) *hex;
		int			v;

		if (c == ' ' || c == '|' || c == '\n')
			continue;
		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		else
		{
			fprintf(stderr, "unit_hex: bad character '%c'\n", c);
			abort();
		}
		if (hi < 0)
			hi = v;
		else
		{
			if (n >= cap)
			{
				fprintf(stderr, "unit_hex: buffer too small\n");
				abort();
			}
			out[n++] = (uint8_t) (hi << 4 | v);
			hi = -1;
		}
	}
	if (hi >= 0)
	{
		fprintf(stderr, "unit_hex: odd number of digits\n");
		abort();
	}
	return n;
}

/* a heap copy of exactly len bytes, so ASan catches any read past the end */
static inline uint8_t *
unit_exact_copy(const uint8_t *src, size_t len)
{
	uint8_t    *p = malloc(len);	/* ASan gives malloc(0) a 0-byte block */

	if (!p && len)
		abort();
	if (len)
		memcpy(p, src, len);
	return p;
}

/* a deterministic xorshift64: the same numbers in every run */
static uint64_t unit_rng = 88172645463325252ULL;

static inline uint64_t
unit_rand_u64(void)
{
	unit_rng ^= unit_rng << 13;
	unit_rng ^= unit_rng >> 7;
	unit_rng ^= unit_rng << 17;
	return unit_rng;
}

/* uniform in [0, 1) */
static inline double
unit_rand01(void)
{
	return (double) (unit_rand_u64() >> 11) / 9007199254740992.0;
}

#endif							/* TA_UNIT_H */
