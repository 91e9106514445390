/*
 * realism.c
 *	  Realism features of one time-sorted trace and their scoring.
 *
 * Passes over the fixes (each O(n); the stationary-window pass visits each
 * fix at most about twice):
 *	 A. clock and precision: intervals (collected in the scratch array for
 *		their median), sub-second timestamps, modal-interval candidates
 *		(Misra-Gries), decimal digits of every coordinate, exact repeats.
 *	 B. motion: segment vectors in local metres, turning angles, collinear
 *		runs, out-and-back spikes, constant-speed pairs, speed versus turn,
 *		accelerations (collected in the scratch array for quantiles).
 *	 C. stationary windows: noise radius, lag-1 autocorrelation of the
 *		offsets from the window centroid, stop durations.
 * Distances inside these features are short, so segment vectors come from a
 * local tangent plane (ellipsoidal radii of curvature at the mid-latitude)
 * rather than from ta_distance.
 */
#include "realism.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *const ta_realism_feature_names[TA_RF_N] = {
	"dt_median_s", "dt_cv", "dt_mode_share", "gap_share", "subsecond_share",
	"rest_noise_m", "rest_autocorr", "spike_ratio",
	"collinear_share", "turn_mean_deg", "turn_straight_share", "speed_turn_corr",
	"const_speed_share", "accel_p50", "accel_p95", "accel_kurtosis",
	"stops_per_hour", "stop_duration_cv",
	"coord_digits", "q5_share", "q6_share", "q7_share", "quantized_share",
	"repeat_share"
};

const char *const ta_realism_verdict_names[3] = {"inconclusive", "real", "synthetic"};

/* tuning constants (documented in tests/eval/README.md) */
#define REST_RADIUS_M		20.0	/* a stationary window stays this close to its first fix */
#define REST_MIN_FIXES		5
#define REST_MIN_SECONDS	30.0
#define REST_AC_MAX_DT		60.0	/* autocorrelation only for windows sampled this fast */
#define MOVE_MIN_M			2.0		/* a segment shorter than this is not "moving" */
#define COLLINEAR_TOL_M		0.01	/* plus 0.75 coordinate quantum */
#define STRAIGHT_DEG		0.5
#define SPIKE_MIN_M			10.0
#define SPIKE_RETURN		0.3		/* chord / shorter leg of an out-and-back */
#define GAP_FACTOR			3.0
#define GAP_MIN_STEPS		100
#define STOPS_MIN_SECONDS	1800.0	/* stops per hour on half an hour or more */
#define MG_K				16		/* Misra-Gries counters for the modal interval */
#define TICK_MASK			4095

/* ---------- small helpers ---------- */

static inline void
tick_maybe(const TARealismEnv *env, size_t i)
{
	if (env && env->tick && (i & TICK_MASK) == TICK_MASK)
		env->tick(env->ctx);
}

/*
 * Metres per unit of x and y on the local tangent plane: the ellipsoid's
 * radii of curvature at a reference latitude, recomputed only when the
 * latitude moves by more than LAT_STEP degrees (a relative scale error
 * below 2e-4 at 50 degrees; a triple of fixes shares one scale, so
 * collinearity and turning angles are unaffected).
 */
#define LAT_STEP 0.005

typedef struct LocalScale
{
	double		lat_ref;
	double		kx,
				ky;
} LocalScale;

static inline void
scale_init(LocalScale *ls, const TAMetric *mt)
{
	ls->lat_ref = NAN;
	ls->kx = ls->ky = mt->kind == TA_METRIC_PLANAR ? mt->to_meter : NAN;
}

static inline void
scale_at(LocalScale *ls, const TAMetric *mt, double lat_deg)
{
	const double d2r = M_PI / 180.0;
	double		e2,
				s,
				w,
				lat;

	if (mt->kind == TA_METRIC_PLANAR || fabs(lat_deg - ls->lat_ref) <= LAT_STEP)
		return;
	e2 = mt->f * (2.0 - mt->f);
	lat = lat_deg * d2r;
	s = sin(lat);
	w = 1.0 - e2 * s * s;
	ls->lat_ref = lat_deg;
	ls->kx = d2r * mt->a / sqrt(w) * cos(lat);	/* prime vertical */
	ls->ky = d2r * mt->a * (1.0 - e2) / (w * sqrt(w));	/* meridian */
}

/* vector from a to b in metres on the local tangent plane */
static inline void
local_delta(LocalScale *ls, const TAMetric *mt, const TAFix *a, const TAFix *b,
			double *dx, double *dy)
{
	double		ddx = b->x - a->x;

	if (mt->kind == TA_METRIC_GEODETIC)
	{
		scale_at(ls, mt, a->y);
		if (ddx > 180.0)
			ddx -= 360.0;
		else if (ddx < -180.0)
			ddx += 360.0;
	}
	*dx = ddx * ls->kx;
	*dy = (b->y - a->y) * ls->ky;
}

/*
 * |atan2(a, b)| in degrees for a >= 0, without libm: a minimax polynomial
 * for atan on [0, 1] (Abramowitz and Stegun 4.4.49, error below 1e-5 rad,
 * 6e-4 degrees) and the octant folded around it.
 */
static inline double
abs_angle_deg(double a, double b)
{
	double		ab = fabs(b),
				z,
				z2,
				t,
				r;
	int			swap = a > ab;

	if (a == 0.0 && b == 0.0)
		return 0.0;
	z = swap ? ab / a : a / ab;
	z2 = z * z;
	t = z * (0.9998660 + z2 * (-0.3302995 + z2 * (0.1801410 + z2 * (-0.0851330 + z2 * 0.0208351))));
	r = swap ? M_PI / 2 - t : t;	/* angle of (|b|, a) */
	if (b < 0.0)
		r = M_PI - r;
	return r * (180.0 / M_PI);
}

/* k-th smallest of v[0..n) (0-based), reordering v: Wirth's selection */
static double
select_kth(double *v, size_t n, size_t k)
{
	ptrdiff_t	l = 0,
				m = (ptrdiff_t) n - 1,
				kk = (ptrdiff_t) k;

	while (l < m)
	{
		double		a = v[l],
					b = v[l + (m - l) / 2],
					c = v[m];
		double		x = (a < b) ? ((b < c) ? b : ((a < c) ? c : a))
			: ((a < c) ? a : ((b < c) ? c : b));
		ptrdiff_t	i = l,
					j = m;

		do
		{
			while (v[i] < x)
				i++;
			while (x < v[j])
				j--;
			if (i <= j)
			{
				double		t = v[i];

				v[i] = v[j];
				v[j] = t;
				i++;
				j--;
			}
		} while (i <= j);
		if (j < kk)
			l = i;
		if (kk < i)
			m = j;
	}
	return v[k];
}

/* q-quantile (nearest rank) of v[0..n), reordering v */
static double
quantile(double *v, size_t n, double q)
{
	size_t		k = (size_t) floor(q * (double) (n - 1) + 0.5);

	return select_kth(v, n, k);
}

/*
 * Decimal digits of v as its shortest round-trip decimal would print: the
 * least d such that v is (within 2 ulps, to forgive float artefacts such as
 * 6.627444500000001) the double nearest k / 10^d.  Returns 0..12, or 17
 * for full precision.
 */
static const double pow10tab[13] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12
};

/*
 * v has at most d decimals when v * 10^d is within 3 ulps of an integer:
 * the product is rounded once, and v itself may be off the decimal by the
 * float artefacts we forgive.  No division.
 */
static inline int
fits_digits(double v, int d)
{
	double		p = v * pow10tab[d];

	return fabs(p - nearbyint(p)) <= 3.0 * 2.220446049250313e-16 * fabs(p);
}

/* hint: the previous answer for this axis (usually right again) */
static inline int
coord_digits(double v, int hint)
{
	int			lo,
				hi;

	if (!isfinite(v) || fabs(v) > 1e9)
		return 17;
	if (hint >= 1 && hint <= 9 && fits_digits(v, hint) && !fits_digits(v, hint - 1))
		return hint;
	if (!fits_digits(v, 9))
		return fits_digits(v, 12) ? 12 : 17;
	/* binary search: fits at d implies fits at d + 1 */
	lo = 0;
	hi = 9;
	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (fits_digits(v, mid))
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* on the FIT grid: an int32 number of semicircles (180 / 2^31 degrees) */
static inline int
on_semicircle_grid(double v)
{
	double		s = v * (2147483648.0 / 180.0);

	return fabs(s - nearbyint(s)) <= 1e-6;
}

static inline void
set(TARealismFeatures *out, TARealismFeature k, double v)
{
	if (isfinite(v))
	{
		out->value[k] = v;
		out->valid[k] = 1;
	}
}

/* ---------- the features ---------- */

int
ta_realism_features(const TAFix *fix, size_t n, const TAMetric *mt,
					const TARealismEnv *env, TARealismFeatures *out)
{
	double	   *scratch = NULL;
	size_t		i,
				k;
	int			rc = 0;
	LocalScale	ls;

	scale_init(&ls, mt);

	for (k = 0; k < TA_RF_N; k++)
	{
		out->value[k] = NAN;
		out->valid[k] = 0;
	}
	out->fixes = n;
	out->duration_s = n ? fix[n - 1].m - fix[0].m : 0.0;
	out->rest_windows = 0;
	out->moving_triples = 0;
	if (n == 0)
		return 0;
	if (n >= 2)
	{
		scratch = env->alloc(env->ctx, n * sizeof(double));
		if (!scratch)
			return -1;
	}

	/* ---- pass A: clock, precision, repeats ---- */
	{
		size_t		npos = 0,
					subsec = 0,
					repeats = 0,
					ncoord = 0,
					q5 = 0,
					q6 = 0,
					q7 = 0,
					quant = 0;
		size_t		dig_hist[18];
		int64_t		mg_key[MG_K];
		size_t		mg_cnt[MG_K];
		int			geodetic = mt->kind == TA_METRIC_GEODETIC;
		int			hint[2] = {0, 0};
		int			last_slot = 0;

		memset(dig_hist, 0, sizeof(dig_hist));
		memset(mg_cnt, 0, sizeof(mg_cnt));
		memset(mg_key, 0, sizeof(mg_key));

		for (i = 0; i < n; i++)
		{
			double		c[2];
			int			j;
			double		frac = fix[i].m - floor(fix[i].m);

			tick_maybe(env, i);
			if (frac > 1e-4 && frac < 1.0 - 1e-4)
				subsec++;
			c[0] = fix[i].x;
			c[1] = fix[i].y;
			for (j = 0; j < 2; j++)
			{
				int			d = coord_digits(c[j], hint[j]);

				hint[j] = d;
				dig_hist[d]++;
				ncoord++;
				if (d <= 5)
					q5++;
				if (d <= 6)
					q6++;
				if (d <= 7)
					q7++;
				if (d <= 12 || (geodetic && on_semicircle_grid(c[j])))
					quant++;
			}
			if (i == 0)
				continue;
			if (fix[i].x == fix[i - 1].x && fix[i].y == fix[i - 1].y)
				repeats++;
			{
				double		dt = fix[i].m - fix[i - 1].m;
				int64_t		key;
				int			slot = -1,
							empty = -1;

				if (!(dt > 0.0) || !isfinite(dt))
					continue;
				scratch[npos++] = dt;
				key = (int64_t) (dt * 1000.0 + 0.5);
				if (mg_cnt[last_slot] && mg_key[last_slot] == key)
				{
					mg_cnt[last_slot]++;
					continue;
				}
				for (j = 0; j < MG_K; j++)
				{
					if (mg_cnt[j] && mg_key[j] == key)
						slot = j;
					else if (!mg_cnt[j] && empty < 0)
						empty = j;
				}
				if (slot >= 0)
					mg_cnt[last_slot = slot]++;
				else if (empty >= 0)
				{
					mg_key[empty] = key;
					mg_cnt[last_slot = empty] = 1;
				}
				else
					for (j = 0; j < MG_K; j++)
						mg_cnt[j]--;
			}
		}

		set(out, TA_RF_SUBSEC_SHARE, (double) subsec / (double) n);
		if (n >= 2)
			set(out, TA_RF_REPEAT_SHARE, (double) repeats / (double) (n - 1));
		{
			size_t		acc = 0;
			int			d;

			for (d = 0; d < 18; d++)
			{
				acc += dig_hist[d];
				if ((double) acc >= 0.99 * (double) ncoord)
					break;
			}
			set(out, TA_RF_COORD_DIGITS, (double) d);
		}
		set(out, TA_RF_Q5_SHARE, (double) q5 / (double) ncoord);
		set(out, TA_RF_Q6_SHARE, (double) q6 / (double) ncoord);
		set(out, TA_RF_Q7_SHARE, (double) q7 / (double) ncoord);
		set(out, TA_RF_QUANTIZED_SHARE, (double) quant / (double) ncoord);

		if (npos >= 1)
		{
			double		med;
			double		sum = 0.0,
						sum2 = 0.0;
			size_t		ngap = 0,
						nin = 0,
						best = 0;
			size_t		exact[MG_K];
			double		rep[MG_K];	/* an interval of each candidate */
			int64_t		cand[MG_K];
			int			ncand = 0,
						ibest = -1,
						j;

			memset(exact, 0, sizeof(exact));
			for (j = 0; j < MG_K; j++)
				if (mg_cnt[j])
					cand[ncand++] = mg_key[j];
			/* exact counts of the modal candidates */
			for (i = 0; i < npos; i++)
			{
				int64_t		key = (int64_t) (scratch[i] * 1000.0 + 0.5);

				tick_maybe(env, i);
				for (j = 0; j < ncand; j++)
					if (cand[j] == key)
					{
						if (!exact[j]++)
							rep[j] = scratch[i];
						break;
					}
			}
			for (j = 0; j < ncand; j++)
				if (exact[j] > best)
				{
					best = exact[j];
					ibest = j;
				}
			/* a mode of more than half the intervals is the median (to 1 ms) */
			if (ibest >= 0 && 2 * best > npos)
				med = rep[ibest];
			else
				med = quantile(scratch, npos, 0.5);
			set(out, TA_RF_DT_MEDIAN, med);
			/* scratch may be reordered but still holds every interval */
			for (i = 0; i < npos; i++)
			{
				double		dt = scratch[i];

				tick_maybe(env, i);
				if (dt > GAP_FACTOR * med)
					ngap++;
				else
				{
					sum += dt;
					sum2 += dt * dt;
					nin++;
				}
			}
			set(out, TA_RF_DT_MODE_SHARE, (double) best / (double) npos);
			/* a short trace without a gap says little: judge gaps on 100+ steps */
			if (npos >= GAP_MIN_STEPS)
				set(out, TA_RF_GAP_SHARE, (double) ngap / (double) npos);
			if (nin >= 2)
			{
				double		mean = sum / (double) nin;
				double		var = sum2 / (double) nin - mean * mean;

				set(out, TA_RF_DT_CV, sqrt(var > 0.0 ? var : 0.0) / mean);
			}
		}
	}

	/* ---- pass B: geometry and kinematics ---- */
	if (n >= 3)
	{
		double		qdeg,
					qm,
					coll_tol;
		size_t		nacc = 0,
					nturn = 0,
					nstraight = 0,
					npairs = 0,
					nconst = 0,
					nspike = 0,
					ncoll_fixes = 0,
					run = 0;
		size_t		last_counted = 0;	/* fixes below this index are counted */
		double		turn_sum = 0.0;
		double		sx = 0,
					sy = 0,
					sxx = 0,
					syy = 0,
					sxy = 0;
		double		pdx = 0,
					pdy = 0,
					pd = 0,
					pdt = 0;
		int			have_prev = 0;

		/*
		 * The coordinate quantum in metres, from the 99% digits, or the FIT
		 * semicircle when full-precision coordinates all sit on that grid.
		 * Rounding to the quantum moves a point off a line by up to about
		 * 0.7 quantum, so the collinearity tolerance allows that much.
		 */
		if (out->value[TA_RF_COORD_DIGITS] <= 12)
			qdeg = pow(10.0, -out->value[TA_RF_COORD_DIGITS]);
		else if (mt->kind == TA_METRIC_GEODETIC && out->value[TA_RF_QUANTIZED_SHARE] >= 0.99)
			qdeg = 180.0 / 2147483648.0;
		else
			qdeg = 0.0;
		qm = mt->kind == TA_METRIC_PLANAR ? qdeg * mt->to_meter : qdeg * 111320.0;
		coll_tol = COLLINEAR_TOL_M + 0.75 * qm;

		for (i = 1; i < n; i++)
		{
			double		dx,
						dy,
						d,
						dt;

			tick_maybe(env, i);
			local_delta(&ls, mt, &fix[i - 1], &fix[i], &dx, &dy);
			d = sqrt(dx * dx + dy * dy);
			dt = fix[i].m - fix[i - 1].m;

			if (have_prev)
			{
				int			collinear = 0;
				double		cross = pdx * dy - pdy * dx;
				double		dot = pdx * dx + pdy * dy;
				double		chord = sqrt((pdx + dx) * (pdx + dx) + (pdy + dy) * (pdy + dy));

				/* out-and-back: two long legs, a short chord */
				if (pd > SPIKE_MIN_M && d > SPIKE_MIN_M &&
					chord < SPIKE_RETURN * (pd < d ? pd : d))
					nspike++;

				if (pd > MOVE_MIN_M && d > MOVE_MIN_M)
				{
					double		turn = abs_angle_deg(fabs(cross), dot);

					nturn++;
					turn_sum += turn;
					if (turn < STRAIGHT_DEG)
						nstraight++;
					/* fix i-1 lies on the chord from i-2 to i, going forward */
					if (dot > 0.0 && fabs(cross) / chord <= coll_tol)
						collinear = 1;
					if (pdt > 0.0 && dt > 0.0)
					{
						double		v = (pd + d) / (pdt + dt);

						sx += v;
						sy += turn;
						sxx += v * v;
						syy += turn * turn;
						sxy += v * turn;
					}
				}
				if (pdt > 0.0 && dt > 0.0 && (pd > MOVE_MIN_M || d > MOVE_MIN_M))
				{
					double		v1 = pd / pdt,
								v2 = d / dt;
					double		tol = 0.01 + 0.002 * (v1 > v2 ? v1 : v2) +
						qm / (pdt < dt ? pdt : dt);

					double		acc = (v2 - v1) / (0.5 * (pdt + dt));

					npairs++;
					if (fabs(v2 - v1) <= tol)
						nconst++;
					if (isfinite(acc))
						scratch[nacc++] = acc;
				}

				/* collinear runs over interior fixes i-1 */
				if (collinear)
					run++;
				else
				{
					if (run >= 2)
					{
						/* interior fixes i-1-run .. i-2, plus both ends */
						size_t		first = i - 1 - run - 1,
									last = i - 1;

						if (first < last_counted)
							first = last_counted;
						ncoll_fixes += last + 1 - first;
						last_counted = last + 1;
					}
					run = 0;
				}
			}
			pdx = dx;
			pdy = dy;
			pd = d;
			pdt = dt;
			have_prev = 1;
		}
		if (run >= 2)
		{
			size_t		first = n - 1 - run - 1,
						last = n - 1;

			if (first < last_counted)
				first = last_counted;
			ncoll_fixes += last + 1 - first;
		}

		out->moving_triples = (uint32_t) (nturn > UINT32_MAX ? UINT32_MAX : nturn);
		set(out, TA_RF_SPIKE_RATIO, (double) nspike / (double) (n - 2));
		set(out, TA_RF_COLLINEAR_SHARE, (double) ncoll_fixes / (double) n);
		if (nturn >= 5)
		{
			double		m = (double) nturn;

			set(out, TA_RF_TURN_MEAN_DEG, turn_sum / m);
			set(out, TA_RF_TURN_STRAIGHT_SHARE, (double) nstraight / m);
		}
		if (nturn >= 10)
		{
			double		m = (double) nturn;
			double		vx = sxx / m - (sx / m) * (sx / m);
			double		vy = syy / m - (sy / m) * (sy / m);
			double		cxy = sxy / m - (sx / m) * (sy / m);

			if (vx > 1e-12 && vy > 1e-12)
				set(out, TA_RF_SPEED_TURN_CORR, cxy / sqrt(vx * vy));
			else
				set(out, TA_RF_SPEED_TURN_CORR, 0.0);
		}
		if (npairs >= 5)
			set(out, TA_RF_CONST_SPEED_SHARE, (double) nconst / (double) npairs);
		if (nacc >= 5)
		{
			double		mean = 0.0,
						m2 = 0.0,
						m4 = 0.0;

			for (k = 0; k < nacc; k++)
				mean += scratch[k];
			mean /= (double) nacc;
			for (k = 0; k < nacc; k++)
			{
				double		e = scratch[k] - mean,
							e2 = e * e;

				m2 += e2;
				m4 += e2 * e2;
				scratch[k] = fabs(scratch[k]);
			}
			m2 /= (double) nacc;
			m4 /= (double) nacc;
			set(out, TA_RF_ACCEL_KURTOSIS, m2 > 1e-18 ? m4 / (m2 * m2) - 3.0 : 0.0);
			{
				size_t		k95 = (size_t) floor(0.95 * (double) (nacc - 1) + 0.5),
							k50 = (size_t) floor(0.5 * (double) (nacc - 1) + 0.5);

				/* after selecting k95, the k50-th smallest is below it */
				set(out, TA_RF_ACCEL_P95, select_kth(scratch, nacc, k95));
				set(out, TA_RF_ACCEL_P50, select_kth(scratch, k95 + 1, k50));
			}
		}
	}

	/* ---- pass C: stationary windows ---- */
	if (n >= REST_MIN_FIXES)
	{
		double		r2sum = 0.0,
					acsum = 0.0,
					acnorm = 0.0,
					dsum = 0.0,
					dsum2 = 0.0;
		size_t		r2n = 0,
					acn = 0,
					nwin = 0;

		size_t		work = 0;	/* fixes visited, for the ticks */

		i = 0;
		while (i + REST_MIN_FIXES <= n)
		{
			size_t		j = i + 1;

			while (j < n)
			{
				double		dx,
							dy;

				tick_maybe(env, work++);
				local_delta(&ls, mt, &fix[i], &fix[j], &dx, &dy);
				if (dx * dx + dy * dy > REST_RADIUS_M * REST_RADIUS_M)
					break;
				j++;
			}
			if (j - i >= REST_MIN_FIXES && fix[j - 1].m - fix[i].m >= REST_MIN_SECONDS)
			{
				double		cx = 0.0,
							cy = 0.0,
							px = 0.0,
							py = 0.0,
							dur = fix[j - 1].m - fix[i].m;
				size_t		t;

				/* noise decorrelates over minutes: judge memory at short clocks only */
				int			short_clock = dur / (double) (j - i - 1) <= REST_AC_MAX_DT;

				for (t = i; t < j; t++)
				{
					double		dx,
								dy;

					tick_maybe(env, work++);
					local_delta(&ls, mt, &fix[i], &fix[t], &dx, &dy);
					cx += dx;
					cy += dy;
				}
				cx /= (double) (j - i);
				cy /= (double) (j - i);
				for (t = i; t < j; t++)
				{
					double		dx,
								dy;

					tick_maybe(env, work++);
					local_delta(&ls, mt, &fix[i], &fix[t], &dx, &dy);
					dx -= cx;
					dy -= cy;
					r2sum += dx * dx + dy * dy;
					r2n++;
					if (short_clock)
					{
						acnorm += dx * dx + dy * dy;
						acn++;
						if (t > i)
							acsum += dx * px + dy * py;
					}
					px = dx;
					py = dy;
				}
				nwin++;
				dsum += dur;
				dsum2 += dur * dur;
				i = j;
			}
			else
			{
				/* skip half the failed run: keeps the pass linear */
				size_t		step = (j - i) / 2;

				i += step > 1 ? step : 1;
			}
		}
		out->rest_windows = (uint32_t) nwin;
		if (out->duration_s >= STOPS_MIN_SECONDS)
			set(out, TA_RF_STOPS_PER_HOUR, (double) nwin * 3600.0 / out->duration_s);
		if (r2n > 0)
		{
			set(out, TA_RF_REST_NOISE_M, sqrt(r2sum / (double) r2n));
			if (acnorm > 1e-12 && acn >= 10)
				set(out, TA_RF_REST_AUTOCORR, acsum / acnorm);
		}
		if (nwin >= 3)
		{
			double		mean = dsum / (double) nwin;
			double		var = dsum2 / (double) nwin - mean * mean;

			set(out, TA_RF_STOP_DURATION_CV, sqrt(var > 0.0 ? var : 0.0) / mean);
		}
	}

	if (scratch)
		env->free(env->ctx, scratch);
	return rc;
}

/* ---------- scoring ---------- */

double
ta_realism_llr(const TARealismCoef *c, int valid, double v)
{
	int			b;

	if (!valid || !isfinite(v))
		return c->llr_invalid;
	for (b = 0; b < TA_RM_EDGES; b++)
		if (v <= c->edge[b])
			break;
	return c->llr[b];
}

void
ta_realism_score_model(const TARealismModel *m, const TARealismFeatures *f,
					   TARealismResult *r)
{
	double		z = m->bias;
	int			k;

	for (k = 0; k < TA_RF_N; k++)
	{
		double		c = m->scale * ta_realism_llr(&m->coef[k], f->valid[k], f->value[k]);

		r->contribution[k] = c;
		r->real_lo[k] = m->coef[k].real_lo;
		r->real_hi[k] = m->coef[k].real_hi;
		z += c;
	}
	if (f->fixes < TA_REALISM_MIN_FIXES || !(f->duration_s >= TA_REALISM_MIN_SECONDS))
	{
		r->score = 0.5;
		r->verdict = TA_VERDICT_INCONCLUSIVE;
		return;
	}
	r->score = 1.0 / (1.0 + exp(-z));
	if (r->score >= TA_REALISM_REAL_AT)
		r->verdict = TA_VERDICT_REAL;
	else if (r->score <= TA_REALISM_SYNTH_AT)
		r->verdict = TA_VERDICT_SYNTHETIC;
	else
		r->verdict = TA_VERDICT_INCONCLUSIVE;
}

void
ta_realism_score(const TARealismFeatures *f, TARealismResult *r)
{
	ta_realism_score_model(&ta_realism_default_model, f, r);
}

/*
 * One sentence per feature: what was measured, and what real recordings
 * show.  In the templates @v is the value, @l and @h the range real traces
 * show, each printed in the feature's number style (fixed formats, so no
 * format string comes from data).
 */
static const struct
{
	double		mul;			/* value shown = value * mul */
	int			style;			/* 0 %.0f, 1 %.1f, 2 %.2f, 3 %.2g, 4 %.3g */
	const char *what;
	const char *real;
} explain_tab[TA_RF_N] = {
	{1, 4, "the median time between fixes is @v s", "real traces show @l to @h s"},
	{1, 3, "the spacing of timestamps varies by @v (coefficient of variation)", "real recorders show @l to @h"},
	{100, 0, "@v% of time steps have exactly the same length", "real recorders show @l% to @h%, with jitter and gaps"},
	{100, 1, "@v% of time steps are gaps over 3x the usual interval", "real traces show @l% to @h%"},
	{100, 0, "@v% of timestamps have a fraction of a second", "real traces show @l% to @h%"},
	{1, 3, "when stationary, fixes scatter @v m around their centre", "real receivers scatter @l to @h m"},
	{1, 2, "when stationary, each position error carries over to the next with correlation @v", "real positioning errors are correlated in time: @l to @h"},
	{100, 2, "@v% of fixes are out-and-back spikes", "real traces show @l% to @h%"},
	{100, 0, "@v% of fixes lie on perfectly straight runs of 3 or more segments", "real traces show @l% to @h%"},
	{1, 3, "while moving the heading changes by @v degrees per fix on average", "real traces show @l to @h degrees"},
	{100, 0, "@v% of turns are under half a degree", "real traces show @l% to @h%"},
	{1, 2, "speed and sharpness of turns correlate at @v", "real vehicles slow in turns: @l to @h"},
	{100, 0, "@v% of consecutive segments have exactly the same speed", "real traces show @l% to @h%"},
	{1, 3, "the median acceleration is @v m/s2", "real traces show @l to @h m/s2"},
	{1, 3, "the 95th percentile of acceleration is @v m/s2", "real traces show @l to @h m/s2"},
	{1, 3, "acceleration has excess kurtosis @v", "real traces are heavy-tailed: @l to @h"},
	{1, 3, "the trace stops @v times per hour", "real traces show @l to @h"},
	{1, 3, "stop durations vary by @v (coefficient of variation)", "real stops are heavy-tailed: @l to @h"},
	{1, 0, "coordinates carry @v decimals (17 = full floating point)", "real devices record @l to @h"},
	{100, 0, "@v% of coordinates are multiples of 0.00001", "real traces show @l% to @h%"},
	{100, 0, "@v% of coordinates are multiples of 0.000001", "real traces show @l% to @h%"},
	{100, 0, "@v% of coordinates are multiples of 0.0000001", "real traces show @l% to @h%"},
	{100, 0, "@v% of coordinates sit on a device grid (decimal or FIT semicircles)", "real traces show @l% to @h%"},
	{100, 1, "@v% of fixes repeat the previous position exactly", "real traces show @l% to @h%"},
};

static void
put_number(char *buf, size_t len, int style, double v)
{
	switch (style)
	{
		case 0:
			snprintf(buf, len, "%.0f", v);
			break;
		case 1:
			snprintf(buf, len, "%.1f", v);
			break;
		case 2:
			snprintf(buf, len, "%.2f", v);
			break;
		case 3:
			snprintf(buf, len, "%.2g", v);
			break;
		default:
			snprintf(buf, len, "%.3g", v);
			break;
	}
}

/* expands a template into buf[*pos..len), keeping it NUL-terminated */
static void
expand(char *buf, size_t len, size_t *pos, const char *tpl, int style,
	   double v, double lo, double hi)
{
	const char *p;

	for (p = tpl; *p; p++)
	{
		char		num[64];
		const char *src = num;

		if (p[0] == '@' && (p[1] == 'v' || p[1] == 'l' || p[1] == 'h'))
		{
			put_number(num, sizeof(num), style, p[1] == 'v' ? v : p[1] == 'l' ? lo : hi);
			p++;
		}
		else
		{
			num[0] = *p;
			num[1] = '\0';
		}
		for (; *src; src++)
		{
			if (*pos + 1 < len)
				buf[*pos] = *src;
			(*pos)++;
		}
	}
	if (len)
		buf[*pos < len ? *pos : len - 1] = '\0';
}

int
ta_realism_explain(const TARealismFeatures *f, const TARealismResult *r, int k,
				   char *buf, size_t len)
{
	size_t		pos = 0;
	double		mul;

	if (k < 0 || k >= TA_RF_N)
		return snprintf(buf, len, "unknown feature");
	mul = explain_tab[k].mul;
	if (!f->valid[k])
		return snprintf(buf, len, "%s: not measurable on this trace",
						ta_realism_feature_names[k]);
	expand(buf, len, &pos, explain_tab[k].what, explain_tab[k].style,
		   f->value[k] * mul, 0, 0);
	expand(buf, len, &pos, "; ", 0, 0, 0, 0);
	expand(buf, len, &pos, explain_tab[k].real, explain_tab[k].style,
		   0, r->real_lo[k] * mul, r->real_hi[k] * mul);
	return (int) pos;
}

/*
 * The coefficient table, written by `tests/eval/eval calibrate` from the
 * calibration split (see tests/eval/README.md) and pasted between the
 * markers by tests/eval/paste_model.sh.
 */
/* BEGIN MODEL */
const TARealismModel ta_realism_default_model = {
	1.4000, 0.8000,
	{
		/* dt_median_s */
		{{1, 2, 9, 660, 902.001, 1260, HUGE_VAL},
		 {0.149, -0.937, 0.266, -0.303, 0.870, 0.061, 0.145, 0.000},
		 0.480, 1, 1200},
		/* dt_cv */
		{{0.0633587, 0.0856644, 0.178574, 0.371941, 0.499662, 0.629836, HUGE_VAL},
		 {-2.329, 1.489, -0.599, 1.266, 2.500, 2.500, 2.500, 0.000},
		 0.480, 0.0633587, 0.700479},
		/* dt_mode_share */
		{{0, 0.0183097, 0.105882, 0.315096, 0.869231, 0.992877, 0.993528},
		 {2.255, -0.549, 0.990, 2.500, 2.500, 0.003, 2.500, -2.500},
		 0.480, 0, 0.993528},
		/* gap_share */
		{{0, 0.000712251, 0.00384579, 0.016538, 0.0930233, HUGE_VAL, HUGE_VAL},
		 {-2.500, 2.500, 2.500, 0.952, 0.592, 2.500, 0.000, 0.000},
		 0.192, 0.000712251, 0.155186},
		/* subsecond_share */
		{{0, 0.750816, 0.754409, HUGE_VAL, HUGE_VAL, HUGE_VAL, HUGE_VAL},
		 {-0.021, 2.500, 2.500, -2.500, 0.000, 0.000, 0.000, 0.000},
		 0.480, 0, 0.754409},
		/* rest_noise_m */
		{{5.35189, 6.37022, 7.0985, 7.9022, 7.98275, 9.85008, HUGE_VAL},
		 {-0.495, 0.783, 1.462, 0.887, 2.500, -0.731, -0.945, 0.000},
		 -0.820, 3.95838, 8.76799},
		/* rest_autocorr */
		{{0.383817, 0.499216, 0.524628, 0.69391, 0.883685, 0.916086, HUGE_VAL},
		 {-2.010, 0.966, 2.168, 0.844, 0.874, 1.169, -1.502, 0.000},
		 -0.200, 0.447756, 0.916086},
		/* spike_ratio */
		{{0, 0.025, 0.0414395, HUGE_VAL, HUGE_VAL, HUGE_VAL, HUGE_VAL},
		 {-0.233, -0.404, 2.166, 0.152, 0.000, 0.000, 0.000, 0.000},
		 0.480, 0, 0.0414395},
		/* collinear_share */
		{{0, 0.0170879, 0.0898192, 0.347676, HUGE_VAL, HUGE_VAL, HUGE_VAL},
		 {0.094, 0.897, 0.614, -0.688, -2.275, 0.000, 0.000, 0.000},
		 0.480, 0, 0.102564},
		/* turn_mean_deg */
		{{2.11865, 4.86839, 7.834, 19.0024, 80.5627, 93.4819, HUGE_VAL},
		 {-0.811, -0.378, 0.757, -0.275, -0.316, 2.500, -0.252, 0.000},
		 -0.844, 2.11865, 93.4819},
		/* turn_straight_share */
		{{0, 0.00445663, 0.00686499, 0.0470488, 0.123596, 0.311935, 0.370968},
		 {0.745, 0.423, 1.054, -0.340, 0.663, 0.581, 0.359, -2.361},
		 -0.844, 0, 0.36},
		/* speed_turn_corr */
		{{-0.680687, -0.554986, -0.448115, -0.322463, -0.231111, 0.205797, 0.239678},
		 {-2.250, 0.032, 0.665, 1.182, 1.685, -0.806, 1.905, -0.765},
		 -1.152, -0.614156, 0.239678},
		/* const_speed_share */
		{{0, 0.02, 0.0482456, 0.0770917, 0.166667, 0.324236, 0.709352},
		 {0.757, -1.279, -0.196, 1.110, 1.506, 1.388, -0.273, -2.345},
		 -0.782, 0.00943396, 0.563889},
		/* accel_p50 */
		{{6.49282e-06, 2.17719e-05, 0.000583778, 0.0130034, 0.181504, 0.286592, 0.445458},
		 {-1.833, 0.829, -0.169, 1.028, 0.264, 1.234, -0.033, -2.500},
		 -0.782, 1.60692e-05, 0.301012},
		/* accel_p95 */
		{{6.21436e-05, 0.000484121, 0.0051652, 0.049023, 0.941809, 1.52212, 4.23811},
		 {-1.186, 0.972, 0.083, 0.629, -0.046, 1.323, -1.202, -1.592},
		 -0.782, 0.000484121, 1.91379},
		/* accel_kurtosis */
		{{0.2054, 2.06342, 4.47615, 24.9845, 107.599, 278.801, 564.748},
		 {-1.843, -1.492, 1.380, 0.222, 0.537, 1.425, 0.459, -0.509},
		 -0.782, 0.61718, 564.748},
		/* stops_per_hour */
		{{0, 0.0711744, 0.224073, 2.85866, 5.71623, HUGE_VAL, HUGE_VAL},
		 {-0.981, 0.155, 1.192, 0.108, 0.198, 1.625, 0.000, 0.000},
		 -0.214, 0, 7.60234},
		/* stop_duration_cv */
		{{0.172933, 0.316527, 0.741109, 1.07361, 1.6773, HUGE_VAL, HUGE_VAL},
		 {-0.949, 0.688, 0.094, 2.500, 2.500, 2.128, 0.000, 0.000},
		 -0.633, 0.256125, 2.25932},
		/* coord_digits */
		{{5, 6, 7, 9, HUGE_VAL, HUGE_VAL, HUGE_VAL},
		 {2.500, -1.113, 0.033, 2.500, 0.130, 0.000, 0.000, 0.000},
		 0.480, 5, 17},
		/* q5_share */
		{{0, 0.0111074, 0.156584, HUGE_VAL, HUGE_VAL, HUGE_VAL, HUGE_VAL},
		 {0.644, 0.354, -1.430, 2.500, 0.000, 0.000, 0.000, 0.000},
		 0.480, 0, 1},
		/* q6_share */
		{{0, 0.100653, HUGE_VAL, HUGE_VAL, HUGE_VAL, HUGE_VAL, HUGE_VAL},
		 {0.677, 0.655, -0.574, 0.000, 0.000, 0.000, 0.000, 0.000},
		 0.480, 0, 1},
		/* q7_share */
		{{0, HUGE_VAL, HUGE_VAL, HUGE_VAL, HUGE_VAL, HUGE_VAL, HUGE_VAL},
		 {0.347, -0.136, 0.000, 0.000, 0.000, 0.000, 0.000, 0.000},
		 0.480, 0, 1},
		/* quantized_share */
		{{HUGE_VAL, HUGE_VAL, HUGE_VAL, HUGE_VAL, HUGE_VAL, HUGE_VAL, HUGE_VAL},
		 {-0.021, 0.000, 0.000, 0.000, 0.000, 0.000, 0.000, 0.000},
		 0.480, 1, 1},
		/* repeat_share */
		{{0, 0.00970874, 0.0446429, HUGE_VAL, HUGE_VAL, HUGE_VAL, HUGE_VAL},
		 {-0.349, 0.483, 2.500, 1.778, 0.000, 0.000, 0.000, 0.000},
		 0.480, 0, 0.0653595},
	}
};
/* END MODEL */
