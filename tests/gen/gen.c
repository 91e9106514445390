/*
 * gen.c
 *	  Deterministic synthetic trace generators for calibrating and testing
 *	  the realism score.  Writes CSV trace_id,ts,lon,lat to stdout.
 *
 *	  gen CLASS SEED NTRACES [REAL.csv[.gz] ...]
 *
 * CLASS:
 *	 a  straight lines between random waypoints at constant speed, fixed clock
 *	 b  as a, plus white Gaussian noise, random stops, jittered clock
 *	 c  correlated random walk, fixed clock
 *	 d  real traces (from the CSV files given) translated, rotated and
 *		resampled by linear interpolation at a regular clock
 *	 e  careful: routes on a street grid, acceleration and braking, slowing
 *		in turns, stops of heavy-tailed length, AR(1) noise, clock with
 *		jitter and gaps, coordinates rounded to 6 decimals
 *	 f  cloned: real traces (from the CSV files given) each written 2-4
 *		times under other device ids, positions and clock untouched, each
 *		copy shifted in time by whole seconds (1 in 4 copies not shifted:
 *		a simultaneous duplicate)
 * The same CLASS SEED NTRACES (and inputs) always give the same bytes: the
 * PRNG is xoshiro256** seeded by splitmix64, never rand().
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracecsv.h"

/* ---------- PRNG ---------- */

static uint64_t rs[4];

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t	z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t
next64(void)
{
	uint64_t	r = rotl(rs[1] * 5, 7) * 9;
	uint64_t	t = rs[1] << 17;

	rs[2] ^= rs[0];
	rs[3] ^= rs[1];
	rs[1] ^= rs[2];
	rs[0] ^= rs[3];
	rs[2] ^= t;
	rs[3] = rotl(rs[3], 45);
	return r;
}

static void
seed_rng(uint64_t seed)
{
	int			i;

	for (i = 0; i < 4; i++)
		rs[i] = splitmix64(&seed);
}

/* uniform in [0, 1) */
static double
unif(void)
{
	return (double) (next64() >> 11) * (1.0 / 9007199254740992.0);
}

static double
uniform(double a, double b)
{
	return a + (b - a) * unif();
}

static int
irand(int n)
{
	return (int) (unif() * n);
}

static double
gauss(void)
{
	double		u1 = unif(),
				u2 = unif();

	if (u1 < 1e-300)
		u1 = 1e-300;
	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* ---------- output ---------- */

typedef struct Origin
{
	double		lon0,
				lat0;
	double		mx,				/* metres per degree of longitude */
				my;
} Origin;

static void
random_origin(Origin *o)
{
	/* somewhere inhabited-looking: mid latitudes of both hemispheres */
	o->lon0 = uniform(-120.0, 140.0);
	o->lat0 = uniform(-40.0, 60.0);
	o->my = 111132.954;
	o->mx = 111319.49 * cos(o->lat0 * M_PI / 180.0);
}

/* digits: decimals to print, or 0 for full precision (%.17g) */
static void
emit(const char *id, double t, double lon, double lat, int digits)
{
	char		ts[64];

	csv_format_ts(t, ts, sizeof(ts));
	if (digits > 0)
		printf("%s,%s,%.*f,%.*f\n", id, ts, digits, lon, digits, lat);
	else
		printf("%s,%s,%.17g,%.17g\n", id, ts, lon, lat);
}

static void
emit_xy(const char *id, const Origin *o, double t, double x, double y, int digits)
{
	emit(id, t, o->lon0 + x / o->mx, o->lat0 + y / o->my, digits);
}

static double
random_start_time(void)
{
	/* 2015-01-01 .. 2024-12-31, whole seconds */
	return floor(uniform(1420070400.0, 1735603200.0));
}

/* naive generators print 6, 7 decimals or full precision */
static int
naive_digits(void)
{
	static const int d[3] = {6, 7, 0};

	return d[irand(3)];
}

static double
random_speed(void)
{
	static const double v[4] = {1.4, 4.5, 12.0, 25.0};

	return v[irand(4)] * uniform(0.8, 1.2);
}

static double
random_clock(void)
{
	static const double c[6] = {1, 2, 5, 10, 30, 60};

	return c[irand(6)];
}

/* ---------- a and b: waypoints ---------- */

/* a clock interval with 10% Gaussian jitter, at least a fifth of it */
static double
jittered(double clock)
{
	double		f = 1.0 + 0.1 * gauss();

	return clock * (f > 0.2 ? f : 0.2);
}

static void
gen_waypoints(const char *id, int noisy)
{
	Origin		o;
	double		wx[10],
				wy[10];
	int			nw = 3 + irand(6),
				w,
				digits = naive_digits();
	double		v = random_speed(),
				clock = random_clock(),
				t0 = random_start_time(),
				sigma = uniform(2.0, 10.0),
				box = v * uniform(300.0, 1500.0);
	double		t = t0,
				next_sample = t0;
	int			nout = 0;

	random_origin(&o);
	for (w = 0; w < nw; w++)
	{
		wx[w] = uniform(-box, box);
		wy[w] = uniform(-box, box);
	}
	/* walk the polyline in continuous time, sampling at the clock */
	for (w = 0; w + 1 < nw && nout < 4000; w++)
	{
		double		dx = wx[w + 1] - wx[w],
					dy = wy[w + 1] - wy[w];
		double		len = hypot(dx, dy),
					dur = len / v,
					tstart = t,
					stop = 0.0;

		while (next_sample <= tstart + dur && nout < 4000)
		{
			double		f = (next_sample - tstart) / dur;
			double		x = wx[w] + f * dx,
						y = wy[w] + f * dy;

			if (noisy)
			{
				x += sigma * gauss();
				y += sigma * gauss();
			}
			emit_xy(id, &o, next_sample, x, y, digits);
			nout++;
			next_sample += noisy ? jittered(clock) : clock;
			/* keep ms resolution so the printed clock is what was meant */
			next_sample = round(next_sample * 1000.0) / 1000.0;
		}
		t = tstart + dur;
		if (noisy && unif() < 0.4)
			stop = uniform(30.0, 300.0);
		while (next_sample <= t + stop && nout < 4000)
		{
			emit_xy(id, &o, next_sample, wx[w + 1] + sigma * gauss(),
					wy[w + 1] + sigma * gauss(), digits);
			nout++;
			next_sample += jittered(clock);
			next_sample = round(next_sample * 1000.0) / 1000.0;
		}
		t += stop;
	}
}

/* ---------- c: correlated random walk ---------- */

static void
gen_crw(const char *id)
{
	Origin		o;
	int			n = 100 + irand(1500),
				i,
				digits = naive_digits();
	double		v = random_speed(),
				clock = random_clock(),
				t = random_start_time(),
				kappa = uniform(0.05, 0.6),	/* heading sd per step, rad */
				h = uniform(0, 2 * M_PI),
				x = 0,
				y = 0;

	random_origin(&o);
	for (i = 0; i < n; i++)
	{
		double		step = v * clock * exp(0.3 * gauss() - 0.045);

		emit_xy(id, &o, t, x, y, digits);
		h += kappa * gauss();
		x += step * cos(h);
		y += step * sin(h);
		t += clock;
	}
}

/* ---------- d: real traces moved and resampled ---------- */

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

static int
cmp_fix_time(const void *a, const void *b)
{
	return cmp_double(&((const TAFix *) a)->m, &((const TAFix *) b)->m);
}

static void
gen_resampled(const char *id, CsvTrace *src)
{
	double		lon0 = src->fix[0].x,
				lat0 = src->fix[0].y,
				mx = 111319.49 * cos(lat0 * M_PI / 180.0),
				my = 111132.954;
	double		dlon = uniform(-1.0, 1.0),
				dlat = uniform(-1.0, 1.0),
				ang = uniform(0, 2 * M_PI),
				ca = cos(ang),
				sa = sin(ang),
				tshift = floor(uniform(-3e7, 3e7));
	double	   *dts = malloc(src->n * sizeof(double));
	double		clock,
				t;
	size_t		i,
				nd = 0,
				j = 0;
	Origin		o;

	qsort(src->fix, src->n, sizeof(TAFix), cmp_fix_time);
	for (i = 1; i < src->n; i++)
		if (src->fix[i].m > src->fix[i - 1].m)
			dts[nd++] = src->fix[i].m - src->fix[i - 1].m;
	if (nd == 0)
	{
		free(dts);
		return;
	}
	qsort(dts, nd, sizeof(double), cmp_double);
	clock = round(dts[nd / 2]);
	if (clock < 1.0)
		clock = 1.0;
	free(dts);

	o.lon0 = lon0 + dlon;
	o.lat0 = lat0 + dlat;
	o.mx = 111319.49 * cos(o.lat0 * M_PI / 180.0);
	o.my = my;
	for (t = ceil(src->fix[0].m); t <= src->fix[src->n - 1].m; t += clock)
	{
		double		f,
					x0,
					y0,
					x1,
					y1,
					x,
					y;

		while (j + 1 < src->n && src->fix[j + 1].m < t)
			j++;
		if (j + 1 >= src->n)
			break;
		if (src->fix[j + 1].m <= src->fix[j].m)
			continue;
		f = (t - src->fix[j].m) / (src->fix[j + 1].m - src->fix[j].m);
		if (f < 0)
			f = 0;
		x0 = (src->fix[j].x - lon0) * mx;
		y0 = (src->fix[j].y - lat0) * my;
		x1 = (src->fix[j + 1].x - lon0) * mx;
		y1 = (src->fix[j + 1].y - lat0) * my;
		x = x0 + f * (x1 - x0);
		y = y0 + f * (y1 - y0);
		emit_xy(id, &o, t + tshift, ca * x - sa * y, sa * x + ca * y, 6);
	}
}

/* ---------- f: real traces cloned across devices ---------- */

/* the shortest %.15g..%.17g that reads back to v, so copies keep their digits */
static void
print_exact(double v)
{
	char		b[40];
	int			p;

	for (p = 15; p <= 17; p++)
	{
		snprintf(b, sizeof(b), "%.*g", p, v);
		if (strtod(b, NULL) == v)
			break;
	}
	fputs(b, stdout);
}

static void
gen_cloned(const char *id, CsvTrace *src)
{
	int			copies = 2 + irand(3),
				c;
	size_t		i;

	qsort(src->fix, src->n, sizeof(TAFix), cmp_fix_time);
	for (c = 0; c < copies; c++)
	{
		/* the first copy is the original; the others shifted or simultaneous */
		double		shift = c == 0 || unif() < 0.25 ? 0.0 :
			floor(uniform(1.0, 60.0)) * 86400.0 + floor(uniform(-3600.0, 3600.0));

		for (i = 0; i < src->n; i++)
		{
			char		ts[64];

			csv_format_ts(src->fix[i].m + shift, ts, sizeof(ts));
			printf("%s_%d,%s,", id, c, ts);
			print_exact(src->fix[i].x);
			putchar(',');
			print_exact(src->fix[i].y);
			putchar('\n');
		}
	}
}

/* ---------- e: careful street-grid routes ---------- */

typedef struct Sim
{
	double	   *t,
			   *x,
			   *y;
	size_t		n,
				cap;
} Sim;

static void
sim_push(Sim *s, double t, double x, double y)
{
	if (s->n == s->cap)
	{
		s->cap = s->cap ? 2 * s->cap : 4096;
		s->t = realloc(s->t, s->cap * sizeof(double));
		s->x = realloc(s->x, s->cap * sizeof(double));
		s->y = realloc(s->y, s->cap * sizeof(double));
		if (!s->t || !s->x || !s->y)
			exit(2);
	}
	s->t[s->n] = t;
	s->x[s->n] = x;
	s->y[s->n] = y;
	s->n++;
}

/* Pareto stop length, heavy-tailed, capped */
static double
stop_length(void)
{
	double		d = 5.0 * pow(1.0 - unif(), -1.0 / 1.2);

	return d > 900.0 ? 900.0 : d;
}

static void
gen_careful(const char *id)
{
	static const double vmaxs[3] = {1.4, 5.0, 13.9};
	static const double vturns[3] = {1.2, 3.0, 4.5};
	int			mode = irand(3);
	double		vmax = vmaxs[mode] * uniform(0.85, 1.15),
				vturn = vturns[mode],
				acc = mode == 0 ? 0.5 : uniform(1.0, 2.0),
				dec = mode == 0 ? 0.8 : uniform(1.5, 3.0),
				block = uniform(70.0, 200.0),
				gang = uniform(0, M_PI / 2),
				cg = cos(gang),
				sg = sin(gang);
	int			nedges = 8 + irand(25),
				e,
				hd = irand(4);	/* heading on the grid: 0 E, 1 N, 2 W, 3 S */
	double		gx = 0,
				gy = 0,			/* grid node position, m */
				v = 0,
				t = 0,
				dtsim = 0.1;
	Sim			s = {0};
	Origin		o;
	double		clock,
				sigma = uniform(1.5, 5.0),
				phi = uniform(0.85, 0.98),	/* AR(1) per second */
				t0 = random_start_time(),
				ts,
				ex = 0,
				ey = 0,
				last_t = 0;
	size_t		j = 0;

	random_origin(&o);
	{
		static const double c[4] = {1, 1, 2, 5};

		clock = c[irand(4)];
	}
	/* a first stop */
	for (ts = 0; ts < stop_length(); ts += dtsim)
		sim_push(&s, t += dtsim, gx, gy);
	for (e = 0; e < nedges; e++)
	{
		int			r = irand(10),
					nhd = hd,
					stop_at_end = unif() < 0.25 || e == nedges - 1;
		double		len = block * (1 + irand(3)),
					pos = 0,
					vend,
					ux,
					uy;

		/* the turn at the end of this edge decides the speed to arrive at */
		if (r < 2)
			nhd = (hd + 1) % 4;
		else if (r < 4)
			nhd = (hd + 3) % 4;
		vend = stop_at_end ? 0.0 : (nhd != hd ? vturn : vmax);
		ux = hd == 0 ? 1 : hd == 2 ? -1 : 0;
		uy = hd == 1 ? 1 : hd == 3 ? -1 : 0;
		while (pos < len)
		{
			double		remain = len - pos,
						vbrake = sqrt(vend * vend + 2.0 * dec * remain);
			double		target = vmax * (1.0 + 0.05 * sin(t / 7.0));

			if (vbrake < target)
				target = vbrake;
			if (v < target)
				v = fmin(target, v + acc * dtsim);
			else
				v = fmax(target, v - dec * dtsim);
			if (v < 0.05 && remain > 0.5)
				v = 0.05;
			pos += v * dtsim;
			if (pos > len)
				pos = len;
			t += dtsim;
			sim_push(&s, t, gx + ux * pos, gy + uy * pos);
		}
		gx += ux * len;
		gy += uy * len;
		hd = nhd;
		if (stop_at_end)
		{
			double		sl = stop_length();

			v = 0;
			for (ts = 0; ts < sl; ts += dtsim)
				sim_push(&s, t += dtsim, gx, gy);
		}
	}

	/* sample with jitter and gaps, AR(1) noise, 6 decimals */
	for (ts = ceil(s.t[0]); ts <= s.t[s.n - 1];)
	{
		double		x,
					y,
					gap = ts - last_t,
					a = pow(phi, gap > 0 ? gap : 1.0),
					b = sqrt(1.0 - a * a);

		while (j + 1 < s.n && s.t[j + 1] <= ts)
			j++;
		ex = a * ex + b * sigma * gauss();
		ey = a * ey + b * sigma * gauss();
		x = s.x[j] * cg - s.y[j] * sg + ex;
		y = s.x[j] * sg + s.y[j] * cg + ey;
		emit_xy(id, &o, t0 + ts, x, y, 6);
		last_t = ts;
		{
			double		u = unif();

			if (u < 0.02)
				ts += clock * (5 + irand(40));	/* a gap */
			else if (u < 0.08)
				ts += clock + 1;	/* a late fix */
			else if (u < 0.10 && clock > 1)
				ts += clock - 1;
			else
				ts += clock;
		}
	}
	free(s.t);
	free(s.x);
	free(s.y);
}

int
main(int argc, char **argv)
{
	char		cls;
	uint64_t	seed;
	int			ntr,
				i;
	char		id[64];

	if (argc < 4 || strlen(argv[1]) != 1 || argv[1][0] < 'a' || argv[1][0] > 'f')
	{
		fprintf(stderr, "usage: gen a|b|c|d|e|f SEED NTRACES [REAL.csv[.gz] ...]\n");
		return 2;
	}
	cls = argv[1][0];
	seed = strtoull(argv[2], NULL, 10);
	ntr = atoi(argv[3]);
	seed_rng(seed * 8 + (uint64_t) (cls - 'a'));
	printf("trace_id,ts,lon,lat\n");
	if (cls == 'd' || cls == 'f')
	{
		CsvSet		set = {0};
		size_t		k,
					used = 0;

		for (i = 4; i < argc; i++)
			if (csv_read(argv[i], &set) < 0)
			{
				fprintf(stderr, "gen: cannot read %s\n", argv[i]);
				return 2;
			}
		/* every real trace of at least 20 fixes, in order, up to NTRACES */
		for (k = 0; k < set.n && (int) used < ntr; k++)
		{
			if (set.t[k].n < 20)
				continue;
			snprintf(id, sizeof(id), "%c%llu_%zu", cls, (unsigned long long) seed, used);
			if (cls == 'd')
				gen_resampled(id, &set.t[k]);
			else
				gen_cloned(id, &set.t[k]);
			used++;
		}
		csv_free(&set);
		return 0;
	}
	for (i = 0; i < ntr; i++)
	{
		snprintf(id, sizeof(id), "%c%llu_%d", cls, (unsigned long long) seed, i);
		switch (cls)
		{
			case 'a':
				gen_waypoints(id, 0);
				break;
			case 'b':
				gen_waypoints(id, 1);
				break;
			case 'c':
				gen_crw(id);
				break;
			default:
				gen_careful(id);
				break;
		}
	}
	return 0;
}
