/*
 * jumps.h
 *	  Implausible jumps in a trace: impossible speeds and accelerations,
 *	  single-fix spikes, duplicate and backwards timestamps, and gaps.
 *	  No PostgreSQL headers.
 */
#ifndef TA_JUMPS_H
#define TA_JUMPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "geodesy.h"
#include "gser.h"

typedef enum TAReason
{
	TA_SPEED = 0,
	TA_ACCELERATION,
	TA_SPIKE,
	TA_DUPLICATE_TIME,
	TA_TIME_BACKWARDS,
	TA_GAP,
	TA_NREASONS
} TAReason;

extern const char *const ta_reason_names[TA_NREASONS];

typedef struct TAJumpParams
{
	double		max_speed;		/* m/s */
	double		max_accel;		/* m/s^2 */
	double		noise_m;		/* typical positional error of one fix, m */
	double		gap_s;			/* silence reported as a gap, s */
	int			spike_max_fixes;	/* widest excursion reported as one spike */
} TAJumpParams;

typedef struct TAProfile
{
	const char *name;
	TAJumpParams p;
} TAProfile;

#define TA_NPROFILES 6
extern const TAProfile ta_profiles[TA_NPROFILES + 1];

/* index of a profile in ta_profiles by name (ASCII case-insensitive); -1 if unknown */
extern int	ta_profile_index(const char *name);

typedef struct TAFinding
{
	TAReason	reason;
	uint32_t	first;			/* 0-based index of the first fix involved */
	uint32_t	last;			/* 0-based index of the last fix involved */
	uint32_t	at;				/* 0-based index the finding is reported on */
	double		distance_m;
	double		seconds;
	double		speed_mps;		/* NAN when undefined */
	double		accel_mps2;		/* NAN when undefined */
	double		limit;			/* the limit exceeded, in the finding's unit */
} TAFinding;

typedef struct TAJumpSummary
{
	uint32_t	fixes;
	uint32_t	counts[TA_NREASONS];
	uint32_t	exact_duplicates;	/* same time and same position */
	double		max_speed_mps;	/* fastest segment not flagged, after the noise allowance */
	double		duration_s;
	double		length_m;		/* sum of all segment lengths */
	double		t_start;
	double		t_end;
} TAJumpSummary;

typedef void (*TAEmit) (void *ctx, const TAFinding *f);
typedef void (*TATick) (void *ctx);

/*
 * Scans fixes in their given order.  emit (may be NULL) is called for each
 * finding in order of position; tick (may be NULL) every few thousand fixes,
 * so the caller can check for interrupts.  sum may be NULL.
 */
extern void ta_find_jumps(const TAFix *fix, size_t n, const TAMetric *mt,
						  const TAJumpParams *prm, TAEmit emit, TATick tick,
						  void *ctx, TAJumpSummary *sum);

/*
 * Whether ta_find_jumps passes runs of plain legs eight at a time (AVX-512,
 * on AMD CPUs as ta_path_lanes): on = 1 where the CPU can, 0 never.
 * Returns whether it does; both ways give the same results to the bit.
 * ta_find_jumps chooses on its first call; the unit tests call this to
 * compare the two.
 */
extern bool ta_jumps_vector(int on);

/* order of fixes: by time, then x, then y (a deterministic order for ties) */
static inline int
ta_fix_cmp(const TAFix *a, const TAFix *b)
{
	if (a->m != b->m)
		return a->m < b->m ? -1 : 1;
	if (a->x != b->x)
		return a->x < b->x ? -1 : 1;
	if (a->y != b->y)
		return a->y < b->y ? -1 : 1;
	return 0;
}

/*
 * Merges two sorted runs a (na fixes) and b (nb) into out, which must not
 * overlap them.
 */
extern void ta_merge_fixes(const TAFix *a, size_t na, const TAFix *b, size_t nb,
						   TAFix *out);

/* the same for three runs, in one pass */
extern void ta_merge3_fixes(const TAFix *a, size_t na, const TAFix *b, size_t nb,
							const TAFix *c, size_t nc, TAFix *out);

/* sorts fixes in ta_fix_cmp order */
extern void ta_sort_fixes(TAFix *fix, size_t n);

#endif							/* TA_JUMPS_H */
