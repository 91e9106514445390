/*
 * jumps.c
 *	  One pass over a trace's fixes, reporting implausible jumps.
 *
 * Speeds are judged after a noise allowance: a segment's length is reduced
 * by twice the typical positional error (both ends may be off) before it is
 * divided by its duration, so jitter at rest or at 1 Hz is not a jump.  An
 * excursion of up to spike_max_fixes fixes that leaves and returns at
 * impossible speed while the fixes around it are plausibly close is one
 * "spike" on the first away fix, not two "speed" findings.
 */
#include "jumps.h"

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#if defined(__GNUC__)
#define TA_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define TA_UNLIKELY(x) (x)
#endif

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define TA_HAVE_AVX512_SCAN 1
#endif

const char *const ta_reason_names[TA_NREASONS] = {
	"speed", "acceleration", "spike", "duplicate_time", "time_backwards", "gap"
};

/*
 * Defaults per mode of transport; documented in README.md.
 * max_speed, max_accel, noise_m, gap_s, spike_max_fixes
 */
const TAProfile ta_profiles[TA_NPROFILES + 1] = {
	{"walk", {7.0, 5.0, 10.0, 300.0, 3}},
	{"bike", {25.0, 5.0, 10.0, 300.0, 3}},
	{"car", {70.0, 12.0, 10.0, 300.0, 3}},
	{"rail", {100.0, 4.0, 20.0, 600.0, 3}},
	{"air", {350.0, 15.0, 50.0, 1800.0, 3}},
	{"vessel", {25.0, 2.0, 20.0, 3600.0, 3}},
	{NULL, {0, 0, 0, 0, 0}}
};

int
ta_profile_index(const char *name)
{
	int			i;

	for (i = 0; ta_profiles[i].name; i++)
	{
		const char *a = ta_profiles[i].name,
				   *b = name;

		/* ASCII case-insensitive compare, no locale */
		while (*a && *b && (*a | 0x20) == (*b | 0x20))
			a++, b++;
		if (*a == '\0' && *b == '\0')
			return i;
	}
	return -1;
}

static int
cmp_fix(const void *a, const void *b)
{
	return ta_fix_cmp(a, b);
}

void
ta_merge_fixes(const TAFix *a, size_t na, const TAFix *b, size_t nb, TAFix *out)
{
	size_t		i = 0,
				j = 0;

	/* ties take a's fix first; equal fixes are identical, so order is moot */
	while (i < na && j < nb)
		*out++ = ta_fix_cmp(&b[j], &a[i]) < 0 ? b[j++] : a[i++];
	while (i < na)
		*out++ = a[i++];
	while (j < nb)
		*out++ = b[j++];
}

/* the least of three heads; equal fixes: a's, then b's, then c's first */
static inline const TAFix *
least3(const TAFix *a, const TAFix *b, const TAFix *c)
{
	double		ma = a->m,
				mb = b->m,
				mc = c->m;
	uintptr_t	sb,
				sc,
				p;

	if (TA_UNLIKELY(ma == mb || ma == mc || mb == mc))
	{
		const TAFix *src = ta_fix_cmp(b, a) < 0 ? b : a;

		return ta_fix_cmp(c, src) < 0 ? c : src;
	}
	/* select by masks: a branch here mispredicts half the time */
	sb = mb < ma;
	sc = mc < (sb ? mb : ma);
	p = (uintptr_t) a;
	p ^= (p ^ (uintptr_t) b) & -sb;
	p ^= (p ^ (uintptr_t) c) & -sc;
	return (const TAFix *) p;
}

/* the greatest of three tails: the mirror of least3, so c's is last of equals */
static inline const TAFix *
greatest3(const TAFix *a, const TAFix *b, const TAFix *c)
{
	double		ma = a->m,
				mb = b->m,
				mc = c->m;
	uintptr_t	sb,
				sa,
				p;

	if (TA_UNLIKELY(ma == mb || ma == mc || mb == mc))
	{
		const TAFix *src = ta_fix_cmp(b, c) > 0 ? b : c;

		return ta_fix_cmp(a, src) > 0 ? a : src;
	}
	sb = mb > mc;
	sa = ma > (sb ? mb : mc);
	p = (uintptr_t) c;
	p ^= (p ^ (uintptr_t) b) & -sb;
	p ^= (p ^ (uintptr_t) a) & -sa;
	return (const TAFix *) p;
}

/*
 * Three runs in one pass: the final functions merge the partial states of a
 * leader and two workers, interleaved fix by fix when the table is in
 * arrival order.  Pairwise, two passes moved each fix 1.7 times and
 * mispredicted a branch on most; here the least of three times is chosen
 * without a branch (a tie in time takes the full comparison).  Each choice
 * waits for the one before it, so the least fixes are taken from the front
 * and the greatest from the back in the same loop: two chains the CPU runs
 * side by side (standalone, 20,000 traces of 500 fixes: pairwise 79 ms,
 * one chain 64, two 49).  The order is that of a stable merge: equal
 * fixes keep the order of the runs.
 */
void
ta_merge3_fixes(const TAFix *a, size_t na, const TAFix *b, size_t nb,
				const TAFix *c, size_t nc, TAFix *out)
{
	/* a..al, b..bl, c..cl: what is left of each run, both ends inclusive */
	const TAFix *al = a + na - 1,
			   *bl = b + nb - 1,
			   *cl = c + nc - 1;
	TAFix	   *back = out + na + nb + nc - 1;

	/* while every run has a fix left, front and back take different ones */
	while (a <= al && b <= bl && c <= cl)
	{
		const TAFix *lo = least3(a, b, c),
				   *hi = greatest3(al, bl, cl);

		*out++ = *lo;
		*back-- = *hi;
		a += lo == a;
		b += lo == b;
		c += lo == c;
		al -= hi == al;
		bl -= hi == bl;
		cl -= hi == cl;
	}
	/* one run is done: merge what is left of the other two, in run order */
	if (a > al)
		ta_merge_fixes(b, (size_t) (bl + 1 - b), c, (size_t) (cl + 1 - c), out);
	else if (b > bl)
		ta_merge_fixes(a, (size_t) (al + 1 - a), c, (size_t) (cl + 1 - c), out);
	else
		ta_merge_fixes(a, (size_t) (al + 1 - a), b, (size_t) (bl + 1 - b), out);
}

static void
reverse_fixes(TAFix *fix, size_t n)
{
	size_t		i;

	for (i = 0; i < n / 2; i++)
	{
		TAFix		t = fix[i];

		fix[i] = fix[n - 1 - i];
		fix[n - 1 - i] = t;
	}
}

void
ta_sort_fixes(TAFix *fix, size_t n)
{
	size_t		i,
				j;

	/* traces usually arrive in time order: skip the sort then */
	for (i = 1; i < n; i++)
		if (ta_fix_cmp(&fix[i - 1], &fix[i]) > 0)
			break;
	if (i == n)
		return;

	/*
	 * A synchronized or parallel sequential scan that started mid-table
	 * hands a time-ordered table over as two sorted runs, the later times
	 * first: rotate them into place in O(n) instead of sorting.
	 */
	for (j = i + 1; j < n; j++)
		if (ta_fix_cmp(&fix[j - 1], &fix[j]) > 0)
			break;
	if (j == n && ta_fix_cmp(&fix[n - 1], &fix[0]) <= 0)
	{
		reverse_fixes(fix, i);
		reverse_fixes(fix + i, n - i);
		reverse_fixes(fix, n);
		return;
	}
	qsort(fix, n, sizeof(TAFix), cmp_fix);
}

static inline double
seg_dist(const TAFix *fix, const TAMetric *mt, size_t i, size_t j)
{
	return ta_distance(mt, fix[i].x, fix[i].y, fix[j].x, fix[j].y);
}

/* speed after the noise allowance; infinite for a move in zero time */
static inline double
plausible_speed(double d, double dt, double noise2)
{
	double		e = d - noise2;

	if (e <= 0.0)
		return 0.0;
	return dt > 0.0 ? e / dt : INFINITY;
}

/* leg lengths, computed a block at a time by ta_path_lengths over x, y */
_Static_assert(offsetof(TAFix, y) == offsetof(TAFix, x) + sizeof(double) &&
			   sizeof(TAFix) % sizeof(double) == 0, "TAFix is not strided x, y");
#define LEG_BLOCK 256

typedef struct Scan
{
	const TAFix *fix;
	size_t		n;
	size_t		leg_base;		/* leg[i] is the leg from fix leg_base + i */
	size_t		leg_count;
	double		leg[LEG_BLOCK];
	const TAMetric *mt;
	const TAJumpParams *prm;
	TAEmit		emit;
	void	   *ctx;
	TAJumpSummary *sum;
	bool		vector;			/* fill the fields below with each block of legs */
	/* per leg of the block: dt, speeds (see ta_find_jumps) and what is plain */
	double		dt[LEG_BLOCK];
	double		v[LEG_BLOCK];	/* plausible_speed */
	double		vraw[LEG_BLOCK];	/* d / dt */
	double		allow[LEG_BLOCK];	/* noise2 / dt */
	uint8_t		plain[LEG_BLOCK];	/* 0 < dt <= gap_s and v <= max_speed */
	uint8_t		smooth[LEG_BLOCK];	/* plain, and after the leg before no acceleration */
} Scan;

/* the last plausible leg, as the next one's change of speed is judged */
typedef struct PrevLeg
{
	double		v;				/* d / dt */
	double		allow;			/* noise2 / dt */
	double		dt;
} PrevLeg;

/*
 * Whether the acceleration between the plausible leg p and the next (its
 * d / dt, noise2 / dt and dt: v, a, dt) exceeds the limit, after both legs'
 * noise allowances, over the time between their middles.
 */
static inline bool
accel_exceeds(const PrevLeg *p, double v, double a, double dt, const TAJumpParams *prm)
{
	double		tmid = 0.5 * (p->dt + dt);

	return fabs(v - p->v) - (p->allow + a) > prm->max_accel * tmid;
}

#ifdef TA_HAVE_AVX512_SCAN
/* the first n lanes of eight (all for n >= 8) */
static inline uint8_t
first_lanes(size_t n)
{
	return (uint8_t) (0xffu >> (8 - (n < 8 ? n : 8)));
}

/*
 * Nearly every leg of a real trace is plain: time goes forward by less than
 * a gap, the speed is plausible, and so is the change of speed since the
 * leg before.  The scan judged each with three divisions and a dozen
 * branches, one leg after the other (in the leader's final step, 35 ms of
 * 10 M legs).  leg_speeds8 computes the same quotients eight legs at a time
 * with AVX-512 when a block of leg lengths is measured, with the same IEEE
 * operations in the same order, so each is the scalar code's to the bit
 * (tests/unit compares the two ways), and marks the plain legs; the scan
 * then steps over runs of them (smooth_run) and judges the rest as before.
 * AMD CPUs only, as ta_path_lengths's eight lanes, for the same reason.
 */
__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl")))
static void
leg_speeds8(Scan *s, size_t k, size_t m)
{
	const TAJumpParams *prm = s->prm;
	const double *tm = &s->fix[k].m;
	const __m512d zero = _mm512_setzero_pd(),
				noise2 = _mm512_set1_pd(2.0 * prm->noise_m),
				gap = _mm512_set1_pd(prm->gap_s),
				vlim = _mm512_set1_pd(prm->max_speed),
				alim = _mm512_set1_pd(prm->max_accel),
				half = _mm512_set1_pd(0.5),
				nosign = _mm512_castsi512_pd(_mm512_set1_epi64(INT64_MAX));
	/* the times of eight fixes, TAFix's three doubles apart */
	const __m512i stride = _mm512_setr_epi64(0, 3, 6, 9, 12, 15, 18, 21);
	size_t		i;
	__m512d		t0,
				tn;

	_Static_assert(sizeof(TAFix) == 3 * sizeof(double), "TAFix is not x, y, m");
	/* the m + 1 times, eight at a time: each vector and the next's first */
	tn = _mm512_mask_i64gather_pd(zero, first_lanes(m + 1), stride, tm, 8);
	for (i = 0; i < m; i += 8)
	{
		__mmask8	lanes = first_lanes(m - i),
					next = m < i + 8 ? 0 : first_lanes(m + 1 - (i + 8));
		__m512d		t1,
					d = _mm512_maskz_loadu_pd(lanes, s->leg + i),
					dt,
					e,
					v;
		__mmask8	plain;

		t0 = tn;
		tn = _mm512_mask_i64gather_pd(zero, next, stride, tm + 3 * (i + 8), 8);
		t1 = _mm512_castsi512_pd(_mm512_alignr_epi64(_mm512_castpd_si512(tn),
													 _mm512_castpd_si512(t0), 1));
		dt = _mm512_sub_pd(t1, t0);
		e = _mm512_sub_pd(d, noise2);
		/* plausible_speed: 0 where e <= 0, else e / dt (dt > 0 where it counts) */
		v = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(e, zero, _CMP_LE_OQ),
								 _mm512_div_pd(e, dt), zero);
		plain = _mm512_cmp_pd_mask(dt, zero, _CMP_GT_OQ) &
			_mm512_cmp_pd_mask(dt, gap, _CMP_LE_OQ) &
			_mm512_cmp_pd_mask(v, vlim, _CMP_LE_OQ);
		_mm512_mask_storeu_pd(s->dt + i, lanes, dt);
		_mm512_mask_storeu_pd(s->v + i, lanes, v);
		_mm512_mask_storeu_pd(s->vraw + i, lanes, _mm512_div_pd(d, dt));
		_mm512_mask_storeu_pd(s->allow + i, lanes, _mm512_div_pd(noise2, dt));
		_mm_mask_storeu_epi8(s->plain + i, lanes, _mm_maskz_set1_epi8(plain, 1));
	}
	/* accel_exceeds between each leg and the one before, in the block */
	s->smooth[0] = s->plain[0];
	for (i = 1; i < m; i += 8)
	{
		__mmask8	lanes = first_lanes(m - i);
		__m512d		pdt = _mm512_maskz_loadu_pd(lanes, s->dt + i - 1),
					dt = _mm512_maskz_loadu_pd(lanes, s->dt + i),
					pv = _mm512_maskz_loadu_pd(lanes, s->vraw + i - 1),
					v = _mm512_maskz_loadu_pd(lanes, s->vraw + i),
					pa = _mm512_maskz_loadu_pd(lanes, s->allow + i - 1),
					a = _mm512_maskz_loadu_pd(lanes, s->allow + i),
					tmid = _mm512_mul_pd(half, _mm512_add_pd(pdt, dt)),
					dv = _mm512_and_pd(_mm512_sub_pd(v, pv), nosign);
		__mmask8	jerk = _mm512_cmp_pd_mask(_mm512_sub_pd(dv, _mm512_add_pd(pa, a)),
											  _mm512_mul_pd(alim, tmid), _CMP_GT_OQ);
		__m128i		plain = _mm_maskz_loadu_epi8(lanes, s->plain + i);
		__mmask16	smooth = _mm_test_epi8_mask(plain, plain) & (__mmask16) (uint8_t) ~jerk;

		_mm_mask_storeu_epi8(s->smooth + i, lanes, _mm_maskz_set1_epi8(smooth, 1));
	}
}

static int	scan_vector = -1;	/* -1: not chosen yet */

bool
ta_jumps_vector(int on)
{
	scan_vector = on && __builtin_cpu_supports("avx512f") &&
		__builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw") &&
		__builtin_cpu_supports("avx512vl") && __builtin_cpu_is("amd");
	return scan_vector;
}
#else
bool
ta_jumps_vector(int on)
{
	return false;
}
#endif

/* length of the leg from fix k to fix k + 1 */
static inline double
leg_len(Scan *s, size_t k)
{
	if (k - s->leg_base >= s->leg_count)
	{
		size_t		m = s->n - k;

		if (m > LEG_BLOCK + 1)
			m = LEG_BLOCK + 1;
		ta_path_lengths(s->mt, &s->fix[k].x, sizeof(TAFix) / sizeof(double), m, s->leg);
		s->leg_base = k;
		s->leg_count = m - 1;
#ifdef TA_HAVE_AVX512_SCAN
		if (s->vector)
			leg_speeds8(s, k, m - 1);
#endif
	}
	return s->leg[k - s->leg_base];
}

/*
 * After the plausible leg prev, the run of plain legs from k that the scan
 * would pass without a finding: adds their lengths and speeds to *length
 * and *vmax, leaves the last one in prev, and returns how many there were
 * (0: judge leg k one by one).
 */
static size_t
smooth_run(Scan *s, size_t k, PrevLeg *prev, double *length, double *vmax)
{
	size_t		i,
				j;
	double		len = *length,
				top = *vmax;

	(void) leg_len(s, k);		/* measures k's block if it is not yet */
	i = k - s->leg_base;
	if (!s->plain[i] ||
		accel_exceeds(prev, s->vraw[i], s->allow[i], s->dt[i], s->prm))
		return 0;
	for (j = i + 1; j < s->leg_count && s->smooth[j]; j++)
		;
	/* in order, as the one-by-one scan adds them: the same sum to the bit */
	for (; i < j; i++)
	{
		len += s->leg[i];
		if (isnan(top) || s->v[i] > top)
			top = s->v[i];
	}
	*length = len;
	*vmax = top;
	prev->v = s->vraw[j - 1];
	prev->allow = s->allow[j - 1];
	prev->dt = s->dt[j - 1];
	return j - (k - s->leg_base);
}

static void
report(Scan *s, TAReason r, size_t first, size_t last, size_t at,
	   double d, double dt, double speed, double accel, double limit)
{
	TAFinding	f;

	s->sum->counts[r]++;
	if (!s->emit)
		return;
	f.reason = r;
	f.first = (uint32_t) first;
	f.last = (uint32_t) last;
	f.at = (uint32_t) at;
	f.distance_m = d;
	f.seconds = dt;
	f.speed_mps = speed;
	f.accel_mps2 = accel;
	f.limit = limit;
	s->emit(s->ctx, &f);
}

/*
 * Segment k leaves at impossible speed.  Looks for a fix j a few fixes later
 * that is plausibly reachable from k and that the trace returns to at
 * impossible speed; returns j, or 0 if the excursion is not a spike.
 */
static size_t
find_spike_end(Scan *s, size_t k, size_t n, double noise2, double *back_speed,
			   double *back_len)
{
	const TAFix *fix = s->fix;
	size_t		j;
	size_t		jmax = k + 1 + (size_t) s->prm->spike_max_fixes;

	for (j = k + 2; j <= jmax && j < n; j++)
	{
		double		dt_back = fix[j].m - fix[j - 1].m;
		double		dt_bridge = fix[j].m - fix[k].m;
		double		vback,
					vbridge,
					dback;

		if (dt_back < 0.0)
			return 0;			/* time order broken: not a clean excursion */
		dback = leg_len(s, j - 1);
		vback = plausible_speed(dback, dt_back, noise2);
		if (vback <= s->prm->max_speed)
			continue;
		vbridge = plausible_speed(seg_dist(fix, s->mt, k, j), dt_bridge, noise2);
		if (vbridge <= s->prm->max_speed)
		{
			*back_speed = dt_back > 0 ? dback / dt_back : INFINITY;
			*back_len = dback;
			return j;
		}
	}
	return 0;
}

void
ta_find_jumps(const TAFix *fix, size_t n, const TAMetric *mt,
			  const TAJumpParams *prm, TAEmit emit, TATick tick,
			  void *ctx, TAJumpSummary *sum)
{
	TAJumpSummary local;
	Scan		s;
	double		noise2 = 2.0 * prm->noise_m;
	PrevLeg		prev = {0, 0, 0};
	double		t_start,
				t_end,
				length = 0,
				vmax = NAN;
	int			prev_ok = 0;
	size_t		k,
				i;

	if (!sum)
		sum = &local;
	*sum = (TAJumpSummary)
	{
		0
	};
	sum->fixes = (uint32_t) n;
	sum->max_speed_mps = NAN;
	sum->t_start = sum->t_end = NAN;
	if (n == 0)
		return;
	s.fix = fix;
	s.n = n;
	s.leg_base = 0;
	s.leg_count = 0;
	s.mt = mt;
	s.prm = prm;
	s.emit = emit;
	s.ctx = ctx;
	s.sum = sum;
#ifdef TA_HAVE_AVX512_SCAN
	if (scan_vector < 0)
		ta_jumps_vector(1);
	s.vector = scan_vector;
#else
	s.vector = false;
#endif

	k = 0;
	while (k + 1 < n)
	{
		double		d,
					dt,
					v;

		if (prev_ok && s.vector)
		{
			size_t		run = smooth_run(&s, k, &prev, &length, &vmax);

			if (run)
			{
				if (tick && ((k ^ (k + run)) >> 12))
					tick(ctx);
				k += run;
				continue;
			}
		}
		d = leg_len(&s, k);
		dt = fix[k + 1].m - fix[k].m;
		if (tick && (k & 4095) == 4095)
			tick(ctx);
		length += d;

		if (dt < 0.0)
		{
			report(&s, TA_TIME_BACKWARDS, k, k + 1, k, d, dt, NAN, NAN, 0.0);
			prev_ok = 0;
			k++;
			continue;
		}
		if (dt == 0.0)
		{
			/* an exact repeat is transparent: keep the speed history */
			if (d > 0.0)
			{
				report(&s, TA_DUPLICATE_TIME, k, k + 1, k, d, 0.0, NAN, NAN, 0.0);
				prev_ok = 0;
			}
			else
				sum->exact_duplicates++;
			k++;
			continue;
		}
		if (dt > prm->gap_s)
			report(&s, TA_GAP, k, k + 1, k, d, dt, d / dt, NAN, prm->gap_s);

		v = plausible_speed(d, dt, noise2);
		if (v > prm->max_speed)
		{
			double		vback = 0,
						dback = 0;
			size_t		j = find_spike_end(&s, k, n, noise2, &vback, &dback);

			if (j)
			{
				double		excursion = 0;

				/* how far the away fixes went from the nearer anchor */
				for (i = k + 1; i < j; i++)
				{
					double		a = seg_dist(fix, mt, k, i);
					double		b = seg_dist(fix, mt, j, i);
					double		e = a < b ? a : b;

					if (e > excursion)
						excursion = e;
					if (i + 1 < j)
						length += leg_len(&s, i);
				}
				length += dback;
				report(&s, TA_SPIKE, k, j, k + 1, excursion, fix[j].m - fix[k].m,
					   fmax(d / dt, vback), NAN, prm->max_speed);
				prev_ok = 0;
				k = j;
				continue;
			}
			report(&s, TA_SPEED, k, k + 1, k, d, dt, d / dt, NAN, prm->max_speed);
			prev_ok = 0;
			k++;
			continue;
		}

		/*
		 * A plausible segment: judge the change of speed since the last one.
		 * Its quotients are kept for the next segment, not computed twice.
		 */
		{
			double		vraw = d / dt;
			double		allow = noise2 / dt;

			if (prev_ok && dt <= prm->gap_s &&
				accel_exceeds(&prev, vraw, allow, dt, prm))
			{
				double		tmid = 0.5 * (prev.dt + dt);

				report(&s, TA_ACCELERATION, k - 1, k + 1, k, d, tmid, vraw,
					   (vraw - prev.v) / tmid, prm->max_accel);
			}
			prev.v = vraw;
			prev.allow = allow;
		}
		if (isnan(vmax) || v > vmax)
			vmax = v;
		prev_ok = dt <= prm->gap_s;
		prev.dt = dt;
		k++;
	}
	sum->length_m = length;
	sum->max_speed_mps = vmax;

	/*
	 * Every leg was checked for time going backwards (the scan's own legs,
	 * and find_spike_end's inside a spike): without one, the times never
	 * decrease and the ends are the first and last fix.  Otherwise one more
	 * pass finds them.
	 */
	if (sum->counts[TA_TIME_BACKWARDS] == 0)
	{
		t_start = fix[0].m;
		t_end = fix[n - 1].m;
	}
	else
	{
		/* in locals: stores through sum could alias fix, so went to memory */
		t_start = t_end = fix[0].m;
		for (i = 1; i < n; i++)
		{
			if (fix[i].m < t_start)
				t_start = fix[i].m;
			if (fix[i].m > t_end)
				t_end = fix[i].m;
		}
	}
	sum->t_start = t_start;
	sum->t_end = t_end;
	sum->duration_s = t_end - t_start;
}
