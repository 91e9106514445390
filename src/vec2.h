/*
 * vec2.h
 *	  Two doubles per operation, for the loop the serial final steps spent
 *	  most of their time in (leg lengths, geodesy.c).  x86-64 always has SSE2 and
 *	  AArch64 has NEON; other targets run the same code lane by lane.  Only
 *	  element-wise IEEE operations: a lane's result is the scalar code's to
 *	  the bit when the operations come in the same order.  No PostgreSQL
 *	  headers.
 */
#ifndef TA_VEC2_H
#define TA_VEC2_H

#if defined(__GNUC__)
#define TA_HAVE_VEC2 1

#include <math.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#elif defined(__aarch64__)
#include <arm_neon.h>
#endif

typedef double v2d __attribute__((vector_size(16)));

static inline v2d
v2_sqrt(v2d x)
{
#if defined(__SSE2__)
	return (v2d) _mm_sqrt_pd((__m128d) x);
#elif defined(__aarch64__)
	return (v2d) vsqrtq_f64((float64x2_t) x);
#else
	return (v2d) {sqrt(x[0]), sqrt(x[1])};
#endif
}
#endif							/* __GNUC__ */

#endif							/* TA_VEC2_H */
