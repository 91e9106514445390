/*
 * test_jumps.c
 *	  Unit tests of src/jumps.c: synthetic traces with one known defect each,
 *	  checking the exact findings (reason, fixes involved) and the summary.
 */
#include "unit.h"

#include "jumps.h"

#define MAXFOUND 1024

typedef struct Found
{
	TAFinding	f[MAXFOUND];
	int			n;
	int			ticks;
} Found;

static void
collect(void *ctx, const TAFinding *f)
{
	Found	   *c = ctx;

	if (c->n < MAXFOUND)
		c->f[c->n] = *f;
	c->n++;
}

static void
tick(void *ctx)
{
	((Found *) ctx)->ticks++;
}

static int
count(const Found *c, TAReason r)
{
	int			i,
				k = 0;

	for (i = 0; i < c->n && i < MAXFOUND; i++)
		if (c->f[i].reason == r)
			k++;
	return k;
}

static void
print_findings(const Found *c)
{
	int			i;

	for (i = 0; i < c->n && i < MAXFOUND; i++)
		fprintf(stderr, "    %s first=%u last=%u at=%u d=%.3f dt=%.3f v=%.3f a=%.3f\n",
				ta_reason_names[c->f[i].reason], c->f[i].first, c->f[i].last,
				c->f[i].at, c->f[i].distance_m, c->f[i].seconds,
				c->f[i].speed_mps, c->f[i].accel_mps2);
}

/* runs the scan and checks the summary counts agree with the findings */
static void
scan(const TAFix *fix, size_t n, const TAMetric *mt, const TAJumpParams *p,
	 Found *c, TAJumpSummary *sum)
{
	int			r;

	memset(c, 0, sizeof(*c));
	ta_find_jumps(fix, n, mt, p, collect, tick, c, sum);
	for (r = 0; r < TA_NREASONS; r++)
		CHECK_INT(sum->counts[r], count(c, (TAReason) r));
	CHECK_INT(sum->fixes, n);
}

static TAJumpParams
profile(const char *name)
{
	int			i = ta_profile_index(name);

	if (i < 0)
		abort();
	return ta_profiles[i].p;
}

/* sum of the lengths of consecutive segments, as the summary should have */
static double
path_length(const TAFix *fix, size_t n, const TAMetric *mt)
{
	double		s = 0;
	size_t		i;

	for (i = 1; i < n; i++)
		s += ta_distance(mt, fix[i - 1].x, fix[i - 1].y, fix[i].x, fix[i].y);
	return s;
}

/* metres to degrees of latitude / longitude near lat, on WGS 84 */
static double
m_per_deg_lat(double lat)
{
	return ta_geodesic_vincenty(TA_WGS84_A, TA_WGS84_F, 0, lat - 0.0005, 0, lat + 0.0005) / 0.001;
}

static double
m_per_deg_lon(double lat)
{
	return ta_geodesic_vincenty(TA_WGS84_A, TA_WGS84_F, 0, lat, 0.001, lat) / 0.001;
}

/*
 * A straight eastward trace in Berlin at speed m/s, one fix every dt s,
 * starting at epoch t0.
 */
#define LAT0 52.5
#define LON0 13.4
#define T0	 1700000000.0

static void
straight(TAFix *fix, size_t n, double speed, double dt)
{
	double		dlon = speed * dt / m_per_deg_lon(LAT0);
	size_t		i;

	for (i = 0; i < n; i++)
	{
		fix[i].x = LON0 + dlon * i;
		fix[i].y = LAT0;
		fix[i].m = T0 + dt * i;
	}
}

static TAMetric
wgs84(void)
{
	TAMetric	mt;

	ta_metric_geodetic(&mt, TA_WGS84_A, TA_WGS84_F);
	return mt;
}

static TAMetric
metres(void)
{
	TAMetric	mt;

	ta_metric_planar(&mt, 1.0);
	return mt;
}

/* ------------------------------------------------------------------ tests */

static void
test_profiles(void)
{
	CHECK(ta_profile_index("walk") >= 0);
	CHECK_INT(ta_profile_index("CAR"), ta_profile_index("car"));
	CHECK_INT(ta_profile_index("ca"), -1);
	CHECK_INT(ta_profile_index("cars"), -1);
	CHECK_INT(ta_profile_index(""), -1);
	CHECK_NEAR(profile("walk").max_speed, 7.0, 0);
	CHECK_NEAR(profile("walk").noise_m, 10.0, 0);
}

static void
test_clean_trace(void)
{
	static TAFix fix[200];
	TAMetric	mt = wgs84();
	const char *const profiles[] = {"bike", "car", "rail", "air"};
	size_t		p;
	Found		c;
	TAJumpSummary s;

	straight(fix, 200, 10.0, 1.0);
	for (p = 0; p < 4; p++)
	{
		TAJumpParams prm = profile(profiles[p]);

		scan(fix, 200, &mt, &prm, &c, &s);
		CHECKF(c.n == 0, "%s profile: %d findings", profiles[p], c.n);
		if (c.n)
			print_findings(&c);
		CHECK_INT(s.exact_duplicates, 0);
		CHECK_NEAR(s.length_m, 1990.0, 0.01);
		CHECK_NEAR(s.duration_s, 199.0, 0);
		CHECK_NEAR(s.t_start, T0, 0);
		CHECK_NEAR(s.t_end, T0 + 199, 0);
		/* 10 m/s less the noise allowance, never more than the true speed */
		CHECK(s.max_speed_mps >= 0 && s.max_speed_mps <= 10.0 + 1e-6);
	}

	/* at one fix every 5 s, 50 m less 2 * 10 m of noise in 5 s is 6 m/s */
	straight(fix, 200, 10.0, 5.0);
	{
		TAJumpParams prm = profile("car");

		scan(fix, 200, &mt, &prm, &c, &s);
		CHECK_INT(c.n, 0);
		CHECK_NEAR(s.max_speed_mps, 6.0, 1e-4);
		CHECK_NEAR(s.length_m, 9950.0, 0.05);
	}
}

static void
test_single_fix_spike(void)
{
	static TAFix fix[100];
	TAMetric	mt = wgs84();
	TAJumpParams prm = profile("car");
	Found		c;
	TAJumpSummary s;

	straight(fix, 100, 10.0, 1.0);
	fix[50].y += 30000.0 / m_per_deg_lat(LAT0);	/* 30 km north for one fix */
	scan(fix, 100, &mt, &prm, &c, &s);
	CHECK_INT(c.n, 1);
	CHECK_INT(count(&c, TA_SPIKE), 1);
	CHECK_INT(count(&c, TA_SPEED), 0);
	if (c.n == 1)
	{
		CHECK_INT(c.f[0].reason, TA_SPIKE);
		CHECK_INT(c.f[0].at, 50);
		CHECK_INT(c.f[0].first, 49);
		CHECK_INT(c.f[0].last, 51);
		CHECK_NEAR(c.f[0].distance_m, 30000.0, 20.0);
		CHECK_NEAR(c.f[0].seconds, 2.0, 0);
		CHECK(c.f[0].speed_mps > 29000.0);
	}
	else
		print_findings(&c);
	/* the length counts the excursion, as the raw path does */
	CHECK_NEAR(s.length_m, path_length(fix, 100, &mt), 1e-6);

	/* the same near the end of the trace */
	straight(fix, 100, 10.0, 1.0);
	fix[98].x += 30000.0 / m_per_deg_lon(LAT0);
	scan(fix, 100, &mt, &prm, &c, &s);
	CHECK_INT(c.n, 1);
	CHECK_INT(count(&c, TA_SPIKE), 1);
	if (c.n == 1)
		CHECK_INT(c.f[0].at, 98);
	CHECK_NEAR(s.length_m, path_length(fix, 100, &mt), 1e-6);
}

static void
test_two_fix_excursion(void)
{
	static TAFix fix[100];
	TAMetric	mt = wgs84();
	TAJumpParams prm = profile("car");
	Found		c;
	TAJumpSummary s;

	straight(fix, 100, 10.0, 1.0);
	fix[50].y += 30000.0 / m_per_deg_lat(LAT0);
	fix[51].y += 30000.0 / m_per_deg_lat(LAT0);
	scan(fix, 100, &mt, &prm, &c, &s);
	CHECK_INT(c.n, 1);
	CHECK_INT(count(&c, TA_SPIKE), 1);
	if (c.n == 1)
	{
		CHECK_INT(c.f[0].at, 50);
		CHECK_INT(c.f[0].first, 49);
		CHECK_INT(c.f[0].last, 52);
	}
	else
		print_findings(&c);
	CHECK_NEAR(s.length_m, path_length(fix, 100, &mt), 1e-6);

	/* two away fixes far from each other as well: still one excursion */
	straight(fix, 100, 10.0, 1.0);
	fix[50].y += 30000.0 / m_per_deg_lat(LAT0);
	fix[51].y -= 30000.0 / m_per_deg_lat(LAT0);
	scan(fix, 100, &mt, &prm, &c, &s);
	CHECK_INT(c.n, 1);
	CHECK_INT(count(&c, TA_SPIKE), 1);
	if (c.n == 1)
		CHECK_INT(c.f[0].last, 52);
	CHECK_NEAR(s.length_m, path_length(fix, 100, &mt), 1e-6);
}

static void
test_permanent_shift(void)
{
	static TAFix fix[100];
	TAMetric	mt = wgs84();
	TAJumpParams prm = profile("car");
	Found		c;
	TAJumpSummary s;
	int			i;

	straight(fix, 100, 10.0, 1.0);
	for (i = 50; i < 100; i++)
		fix[i].y += 30000.0 / m_per_deg_lat(LAT0);
	scan(fix, 100, &mt, &prm, &c, &s);
	CHECK_INT(c.n, 1);
	CHECK_INT(count(&c, TA_SPEED), 1);
	if (c.n == 1)
	{
		CHECK_INT(c.f[0].reason, TA_SPEED);
		CHECK_INT(c.f[0].first, 49);
		CHECK_INT(c.f[0].last, 50);
		CHECK_NEAR(c.f[0].distance_m, 30000.0, 20.0);
		CHECK_NEAR(c.f[0].limit, 70.0, 0);
	}
	else
		print_findings(&c);

	/* a shift two fixes before the end cannot be told from a spike's start */
	straight(fix, 100, 10.0, 1.0);
	for (i = 98; i < 100; i++)
		fix[i].y += 30000.0 / m_per_deg_lat(LAT0);
	scan(fix, 100, &mt, &prm, &c, &s);
	CHECK_INT(c.n, 1);
	CHECK_INT(count(&c, TA_SPEED), 1);
}

static void
test_duplicate_time(void)
{
	static TAFix fix[102];
	TAMetric	mt = metres();
	TAJumpParams prm = profile("car");
	Found		c;
	TAJumpSummary s;
	int			i;

	/* planar metres, 10 m/s east; fix 21 repeats fix 20's time 5 m north */
	for (i = 0; i < 101; i++)
	{
		fix[i].x = 10.0 * i;
		fix[i].y = 0;
		fix[i].m = T0 + i;
	}
	memmove(fix + 21, fix + 20, sizeof(TAFix) * 81);
	fix[21].y = 5.0;
	scan(fix, 102, &mt, &prm, &c, &s);
	CHECK_INT(c.n, 1);
	CHECK_INT(count(&c, TA_DUPLICATE_TIME), 1);
	if (c.n == 1)
	{
		CHECK_INT(c.f[0].first, 20);
		CHECK_INT(c.f[0].last, 21);
		CHECK_NEAR(c.f[0].distance_m, 5.0, 1e-9);
	}
	else
		print_findings(&c);
	CHECK_INT(s.exact_duplicates, 0);

	/* exact duplicates are counted in the summary, not reported */
	for (i = 0; i < 100; i++)
	{
		fix[i].x = 10.0 * i;
		fix[i].y = 0;
		fix[i].m = T0 + i;
	}
	memmove(fix + 32, fix + 30, sizeof(TAFix) * 70);
	fix[31] = fix[30];
	fix[32] = fix[30];
	scan(fix, 102, &mt, &prm, &c, &s);
	CHECK_INT(c.n, 0);
	if (c.n)
		print_findings(&c);
	CHECK_INT(s.exact_duplicates, 2);
	CHECK_NEAR(s.length_m, 990.0, 1e-9);
	CHECK_NEAR(s.duration_s, 99.0, 0);

	/* the same with geodetic coordinates */
	{
		TAMetric	g = wgs84();

		straight(fix, 100, 10.0, 1.0);
		memmove(fix + 11, fix + 10, sizeof(TAFix) * 90);
		scan(fix, 101, &g, &prm, &c, &s);
		CHECK_INT(c.n, 0);
		CHECK_INT(s.exact_duplicates, 1);
	}
}

static void
test_time_backwards(void)
{
	static TAFix fix[100];
	TAMetric	mt = wgs84();
	TAJumpParams prm = profile("car");
	Found		c;
	TAJumpSummary s;
	TAFix		t;

	straight(fix, 100, 10.0, 1.0);
	t = fix[40];
	fix[40] = fix[41];
	fix[41] = t;
	scan(fix, 100, &mt, &prm, &c, &s);
	CHECK_INT(c.n, 1);
	CHECK_INT(count(&c, TA_TIME_BACKWARDS), 1);
	if (c.n == 1)
	{
		CHECK_INT(c.f[0].first, 40);
		CHECK_INT(c.f[0].last, 41);
		CHECK_NEAR(c.f[0].seconds, -1.0, 0);
	}
	else
		print_findings(&c);
	/* the summary's time range does not depend on the order */
	CHECK_NEAR(s.t_start, T0, 0);
	CHECK_NEAR(s.t_end, T0 + 99, 0);
	CHECK_NEAR(s.duration_s, 99, 0);

	/* sorted, the trace is clean */
	ta_sort_fixes(fix, 100);
	scan(fix, 100, &mt, &prm, &c, &s);
	CHECK_INT(c.n, 0);

	/* a fix far back in time */
	straight(fix, 100, 10.0, 1.0);
	fix[0].m = T0 + 1000;
	scan(fix, 100, &mt, &prm, &c, &s);
	CHECK_INT(count(&c, TA_TIME_BACKWARDS), 1);
	CHECK_NEAR(s.t_start, T0 + 1, 0);
	CHECK_NEAR(s.t_end, T0 + 1000, 0);
}

/*
 * The time range is the earliest and latest fix whatever the order: random
 * traces with spikes, swapped, repeated and far-off times (ta_find_jumps
 * takes the ends without a pass when no leg went back in time).
 */
static void
test_time_range_random(void)
{
	static TAFix fix[80];
	TAMetric	mt;
	TAJumpParams prm = profile("car");
	TAJumpSummary s;
	int			trial,
				bad = 0,
				backwards = 0;

	ta_metric_geodetic(&mt, TA_WGS84_A, TA_WGS84_F);
	srand(11);
	for (trial = 0; trial < 3000; trial++)
	{
		size_t		n = 1 + rand() % 80,
					i;
		double		lo,
					hi;

		straight(fix, n, 10.0 + rand() % 30, 1.0 + rand() % 5);
		for (i = 0; i < n; i++)
		{
			int			r = rand() % 40;

			if (r == 0)
				fix[i].x += 0.5;	/* a teleport: spikes and speed */
			else if (r == 1 && i > 0)
				fix[i].m = fix[i - 1].m;	/* a repeated time */
			else if (r == 2 && i + 1 < n)
			{
				double		t = fix[i].m;	/* two times swapped */

				fix[i].m = fix[i + 1].m;
				fix[i + 1].m = t;
			}
			else if (r == 3)
				fix[i].m += (rand() % 2 ? 1 : -1) * 5000.0;	/* far off */
		}
		lo = hi = fix[0].m;
		for (i = 1; i < n; i++)
		{
			lo = fmin(lo, fix[i].m);
			hi = fmax(hi, fix[i].m);
		}
		ta_find_jumps(fix, n, &mt, &prm, NULL, NULL, NULL, &s);
		if (s.t_start != lo || s.t_end != hi || s.duration_s != hi - lo)
			bad++;
		backwards += s.counts[TA_TIME_BACKWARDS] > 0;
	}
	CHECK_INT(bad, 0);
	/* both ways of finding the range were taken */
	CHECK(backwards > 300 && backwards < 2700);
}

static void
test_gap(void)
{
	static TAFix fix[200];
	TAMetric	mt = wgs84();
	TAJumpParams prm = profile("car");
	Found		c;
	TAJumpSummary s;
	int			i;

	/* 10 m/s with no fix for 400 s (car gap_s is 300) */
	straight(fix, 200, 10.0, 1.0);
	for (i = 100; i < 200; i++)
		fix[i].m += 399.0;
	/* the position moves on as if the fixes were there */
	{
		double		dlon = 10.0 * 399.0 / m_per_deg_lon(LAT0);

		for (i = 100; i < 200; i++)
			fix[i].x += dlon;
	}
	scan(fix, 200, &mt, &prm, &c, &s);
	CHECK_INT(c.n, 1);
	CHECK_INT(count(&c, TA_GAP), 1);
	if (c.n == 1)
	{
		CHECK_INT(c.f[0].first, 99);
		CHECK_INT(c.f[0].last, 100);
		CHECK_NEAR(c.f[0].seconds, 400.0, 0);
		CHECK_NEAR(c.f[0].distance_m, 4000.0, 0.01);
		CHECK_NEAR(c.f[0].limit, 300.0, 0);
	}
	else
		print_findings(&c);
	CHECK_NEAR(s.duration_s, 199.0 + 399.0, 0);

	/* 300 s exactly is not a gap */
	straight(fix, 200, 0.0, 1.0);
	for (i = 100; i < 200; i++)
		fix[i].m += 299.0;
	scan(fix, 200, &mt, &prm, &c, &s);
	CHECK_INT(c.n, 0);
}

static void
test_acceleration(void)
{
	static TAFix fix[40];
	TAMetric	mt = metres();
	TAJumpParams prm = profile("car");
	Found		c;
	TAJumpSummary s;
	int			i;

	/* every 2 s: at rest, then 60 m/s from one fix to the next */
	prm.noise_m = 1.0;
	for (i = 0; i < 40; i++)
	{
		fix[i].x = i <= 10 ? 0.0 : 120.0 * (i - 10);
		fix[i].y = 0;
		fix[i].m = T0 + 2.0 * i;
	}
	scan(fix, 40, &mt, &prm, &c, &s);
	CHECK_INT(c.n, 1);
	CHECK_INT(count(&c, TA_ACCELERATION), 1);
	CHECK_INT(count(&c, TA_SPEED), 0);
	if (c.n == 1)
	{
		CHECK_INT(c.f[0].at, 10);
		CHECK_INT(c.f[0].first, 9);
		CHECK_INT(c.f[0].last, 11);
		CHECK_NEAR(c.f[0].accel_mps2, 30.0, 1e-9);
		CHECK_NEAR(c.f[0].limit, 12.0, 0);
	}
	else
		print_findings(&c);
	CHECK_NEAR(s.max_speed_mps, (120.0 - 2.0) / 2.0, 1e-9);

	/* the same stop from 60 m/s to rest */
	for (i = 0; i < 40; i++)
	{
		fix[i].x = i <= 10 ? 120.0 * i : 1200.0;
		fix[i].m = T0 + 2.0 * i;
	}
	scan(fix, 40, &mt, &prm, &c, &s);
	CHECK_INT(c.n, 1);
	CHECK_INT(count(&c, TA_ACCELERATION), 1);
	if (c.n == 1)
		CHECK_NEAR(c.f[0].accel_mps2, -30.0, 1e-9);

	/* 0 -> 60 m/s at 3 m/s^2 (20 s) is a fast car, not a finding */
	{
		double		x = 0,
					v = 0;

		for (i = 0; i < 40; i++)
		{
			fix[i].x = x;
			fix[i].m = T0 + i;
			x += v + 1.5;		/* v + a/2 over one second */
			v = fmin(v + 3.0, 60.0);
		}
		scan(fix, 40, &mt, &prm, &c, &s);
		CHECK_INT(c.n, 0);
		if (c.n)
			print_findings(&c);
	}
}

static void
test_stationary_noise(void)
{
	static TAFix fix[3600];
	TAJumpParams prm = profile("walk");
	Found		c;
	TAJumpSummary s;
	int			pass,
				i;

	/* max_speed 7 m/s, noise 10 m: jitter up to 10 m from the true point */
	CHECK_NEAR(prm.max_speed, 7.0, 0);
	CHECK_NEAR(prm.noise_m, 10.0, 0);
	for (pass = 0; pass < 4; pass++)
	{
		TAMetric	mt = pass < 2 ? metres() : wgs84();
		double		mlat = m_per_deg_lat(LAT0),
					mlon = m_per_deg_lon(LAT0);

		for (i = 0; i < 3600; i++)
		{
			double		r,
						a,
						dx,
						dy;

			if (pass % 2 == 0)
			{
				/* uniform in a 10 m disc */
				r = 10.0 * sqrt(unit_rand01());
				a = 2 * M_PI * unit_rand01();
			}
			else
			{
				/* worst case: 10 m to alternating sides, 20 m every second */
				r = 10.0;
				a = (i % 2) ? 0 : M_PI;
			}
			dx = r * cos(a);
			dy = r * sin(a);
			if (pass < 2)
			{
				fix[i].x = 500000.0 + dx;
				fix[i].y = 5800000.0 + dy;
			}
			else
			{
				fix[i].x = LON0 + dx / mlon;
				fix[i].y = LAT0 + dy / mlat;
			}
			fix[i].m = T0 + i;
		}
		scan(fix, 3600, &mt, &prm, &c, &s);
		CHECKF(count(&c, TA_SPEED) == 0, "pass %d: %d speed findings", pass, count(&c, TA_SPEED));
		CHECKF(count(&c, TA_SPIKE) == 0, "pass %d: %d spikes", pass, count(&c, TA_SPIKE));
		CHECKF(c.n == 0, "pass %d: %d findings", pass, c.n);
		if (c.n)
			print_findings(&c);
		CHECK(s.max_speed_mps < 0.01);
		/* the tick callback runs every 4096 segments at most */
		CHECK_INT(c.ticks, 0);
	}

	/* ... and a 10-fix trace in the same place gives no findings either */
	{
		TAMetric	mt = metres();

		scan(fix, 10, &mt, &prm, &c, &s);
		CHECK_INT(c.n, 0);
	}
}

static void
test_sort_fixes(void)
{
	TAFix		f[] = {
		{2, 1, 5}, {1, 9, 5}, {1, 3, 5}, {7, 7, 1}, {2, 0, 5}, {0, 0, 3}, {-1, 4, 5}
	};
	static const TAFix want[] = {
		{7, 7, 1}, {0, 0, 3}, {-1, 4, 5}, {1, 3, 5}, {1, 9, 5}, {2, 0, 5}, {2, 1, 5}
	};
	size_t		i;

	ta_sort_fixes(f, 7);
	for (i = 0; i < 7; i++)
	{
		CHECKF(f[i].m == want[i].m && f[i].x == want[i].x && f[i].y == want[i].y,
			   "position %zu: (%g %g %g), expected (%g %g %g)", i,
			   f[i].x, f[i].y, f[i].m, want[i].x, want[i].y, want[i].m);
	}

	/* sorted input stays as it is; an empty and a single array are fine */
	ta_sort_fixes(f, 7);
	CHECK(memcmp(f, want, sizeof(want)) == 0);
	ta_sort_fixes(f, 0);
	ta_sort_fixes(f, 1);
	CHECK(memcmp(f, want, sizeof(want)) == 0);

	/* a shuffled trace comes back in time order */
	{
		static TAFix big[5000];
		int			k;

		for (k = 0; k < 5000; k++)
		{
			big[k].x = k % 7;
			big[k].y = k % 3;
			big[k].m = (double) (k / 4);
		}
		for (k = 4999; k > 0; k--)
		{
			int			j = (int) (unit_rand01() * (k + 1));
			TAFix		t = big[k];

			big[k] = big[j];
			big[j] = t;
		}
		ta_sort_fixes(big, 5000);
		for (k = 1; k < 5000; k++)
		{
			const TAFix *a = &big[k - 1],
					   *b = &big[k];
			int			ordered = a->m < b->m ||
				(a->m == b->m && (a->x < b->x || (a->x == b->x && a->y <= b->y)));

			CHECKF(ordered, "positions %d, %d out of order", k - 1, k);
			if (!ordered)
				break;
		}
	}
}

/* a time-ordered trace read by a scan that wrapped around: two sorted runs,
 * the later first, at every split point, with ties at the seam */
static void
test_sort_rotated(void)
{
	enum
	{
	N = 50};
	TAFix		f[N];
	size_t		split,
				k;

	for (split = 1; split < N; split++)
	{
		int			ok = 1;

		for (k = 0; k < N; k++)
		{
			size_t		src = (k + split) % N;

			f[k].x = (double) (src % 2);
			f[k].y = 0;
			f[k].m = (double) (src / 2);	/* pairs of equal times */
		}
		ta_sort_fixes(f, N);
		for (k = 1; k < N; k++)
			if (ta_fix_cmp(&f[k - 1], &f[k]) > 0)
				ok = 0;
		CHECKF(ok, "rotated by %zu: not sorted", split);
	}
	/* three runs are not a rotation: still sorted (by the general sort) */
	for (k = 0; k < N; k++)
	{
		f[k].x = 0;
		f[k].y = 0;
		f[k].m = (double) ((k * 17) % N);
	}
	ta_sort_fixes(f, N);
	for (k = 1; k < N; k++)
		CHECK(f[k - 1].m <= f[k].m);
	/* two runs that overlap in time are not a rotation either */
	for (k = 0; k < N; k++)
	{
		f[k].x = 0;
		f[k].y = 0;
		f[k].m = k < N / 2 ? (double) (10 + k) : (double) (k - N / 2);
	}
	ta_sort_fixes(f, N);
	for (k = 1; k < N; k++)
		CHECK(f[k - 1].m <= f[k].m);
}

/*
 * ta_merge3_fixes gives what sorting the three runs together gives: random
 * runs (some empty) whose fixes share times often, and positions too, so
 * both its branch-free choices and its ties are taken.  Fixes that compare
 * equal may still differ in their bits (0.0 and -0.0): they must come in
 * the order of the runs, as from two stable pairwise merges.
 */
static void
test_merge3(void)
{
	static TAFix r[3][40],
				all[120],
				ab[80],
				ref[120],
				buf[122];
	TAFix	   *out = buf + 1;
	size_t		n[3];
	int			trial,
				bad = 0,
				unstable = 0,
				ties = 0;

	srand(5);
	for (trial = 0; trial < 5000; trial++)
	{
		size_t		total = 0,
					i;
		int			k;

		for (k = 0; k < 3; k++)
		{
			n[k] = (size_t) (rand() % 41);
			for (i = 0; i < n[k]; i++)
			{
				/* few distinct times (ties) on most trials */
				r[k][i].m = (double) (rand() % (trial % 3 ? 200 : 30));
				r[k][i].x = (double) (rand() % 3);
				/* the run's own zero: equal to the others', not the same bits */
				r[k][i].y = rand() % 2 ? 1.0 : (k == 1 ? -0.0 : 0.0);
				all[total++] = r[k][i];
			}
			ta_sort_fixes(r[k], n[k]);
		}
		ta_sort_fixes(all, total);
		ta_merge_fixes(r[0], n[0], r[1], n[1], ab);
		ta_merge_fixes(ab, n[0] + n[1], r[2], n[2], ref);
		buf[0].m = out[total].m = -1;	/* canaries at both ends */
		ta_merge3_fixes(r[0], n[0], r[1], n[1], r[2], n[2], out);
		for (i = 0; i < total; i++)
		{
			if (ta_fix_cmp(&out[i], &all[i]) != 0)
				bad++;
			if (memcmp(&out[i], &ref[i], sizeof(TAFix)) != 0)
				unstable++;
			if (i > 0 && out[i].m == out[i - 1].m)
				ties++;
		}
		if (out[total].m != -1 || buf[0].m != -1)
			bad++;
	}
	CHECK_INT(bad, 0);
	CHECK_INT(unstable, 0);
	CHECK(ties > 10000);
}

static void
test_summary(void)
{
	static TAFix fix[5000];
	TAMetric	mt = metres();
	TAJumpParams prm = profile("car");
	Found		c;
	TAJumpSummary s;
	int			i;

	/* 3 4 5 triangles: 5 m per 1 s segment */
	for (i = 0; i < 101; i++)
	{
		fix[i].x = 3.0 * i;
		fix[i].y = 4.0 * i;
		fix[i].m = 1000.0 + i;
	}
	scan(fix, 101, &mt, &prm, &c, &s);
	CHECK_INT(c.n, 0);
	CHECK_NEAR(s.length_m, 500.0, 1e-9);
	CHECK_NEAR(s.duration_s, 100.0, 0);
	CHECK_NEAR(s.t_start, 1000.0, 0);
	CHECK_NEAR(s.t_end, 1100.0, 0);

	/* a NULL summary and NULL callbacks are allowed */
	ta_find_jumps(fix, 101, &mt, &prm, NULL, NULL, NULL, NULL);

	/* no fixes, one fix */
	scan(fix, 0, &mt, &prm, &c, &s);
	CHECK_INT(c.n, 0);
	CHECK(isnan(s.t_start));
	CHECK(isnan(s.max_speed_mps));
	CHECK_NEAR(s.length_m, 0, 0);
	scan(fix, 1, &mt, &prm, &c, &s);
	CHECK_INT(c.n, 0);
	CHECK_NEAR(s.length_m, 0, 0);
	CHECK_NEAR(s.duration_s, 0, 0);
	CHECK_NEAR(s.t_start, 1000.0, 0);

	/* the tick callback runs on long traces */
	for (i = 0; i < 5000; i++)
	{
		fix[i].x = i;
		fix[i].y = 0;
		fix[i].m = i;
	}
	scan(fix, 5000, &mt, &prm, &c, &s);
	CHECK_INT(c.n, 0);
	CHECK_INT(c.ticks, 1);
	CHECK_NEAR(s.length_m, 4999.0, 1e-6);
}

/*
 * The scan with and without its AVX-512 pass over plain legs gives the same
 * findings and summaries to the bit, on random traces that have every kind
 * of defect and legs right at the limits (dt exactly the gap, speeds and
 * changes of speed about the limits).
 */
static void
test_vector_scan(void)
{
	static TAFix fix[3000];
	static Found a,
				b;
	TAJumpSummary sa,
				sb;
	int			trace,
				differ = 0;

	if (!ta_jumps_vector(1))
	{
		fprintf(stderr, "  (no AVX-512 scan on this CPU: nothing to compare)\n");
		ta_jumps_vector(0);
		return;
	}
	for (trace = 0; trace < 400; trace++)
	{
		TAJumpParams prm = ta_profiles[trace % TA_NPROFILES].p;
		TAMetric	mt = trace % 3 ? wgs84() : metres();
		double		mlat = trace % 3 ? m_per_deg_lat(LAT0) : 1.0,
					mlon = trace % 3 ? m_per_deg_lon(LAT0) : 1.0,
					v = prm.max_speed * unit_rand01(),
					dt = 1.0 + 10.0 * unit_rand01();
		size_t		n = 2 + (size_t) (unit_rand01() * 2998),
					i;
		bool		away = false;

		fix[0].x = trace % 3 ? LON0 : 500000.0;
		fix[0].y = trace % 3 ? LAT0 : 5800000.0;
		fix[0].m = T0;
		for (i = 1; i < n; i++)
		{
			double		u = unit_rand01(),
						step = dt;

			/* speed drifts, now and then by more than the acceleration limit */
			v = fmin(fmax(0.0, v + (unit_rand01() - 0.5) * prm.max_accel * (u < 0.02 ? 8.0 : 1.0)),
					 0.9 * prm.max_speed);
			if (u < 0.01)
				step = prm.gap_s;	/* exactly the gap: still plain */
			else if (u < 0.015)
				step = prm.gap_s + 1.0;
			fix[i].m = fix[i - 1].m + step;
			fix[i].x = fix[i - 1].x + v * step / mlon +
				(unit_rand01() - 0.5) * prm.noise_m / mlon;
			fix[i].y = fix[i - 1].y + (unit_rand01() - 0.5) * prm.noise_m / mlat;
			if (away)
			{
				/* back on course after one or two fixes away: a spike */
				fix[i].x -= 40000.0 / mlon;
				away = false;
				continue;
			}
			u = unit_rand01();
			if (u < 0.006)
			{
				fix[i].x += 40000.0 / mlon; /* a teleport, mostly a spike's */
				away = unit_rand01() < 0.7;
			}
			else if (u < 0.012)
				fix[i].m = fix[i - 1].m;	/* duplicate time */
			else if (u < 0.016)
				fix[i] = fix[i - 1];	/* exact duplicate */
			else if (u < 0.019)
				fix[i].m -= 2.0 * step; /* time backwards */
			else if (u < 0.025)
			{
				/* after the noise allowance, within 0.5 m/s of the limit */
				fix[i].x = fix[i - 1].x + (prm.max_speed * step + 2.0 * prm.noise_m +
										   (unit_rand01() - 0.5) * step) / mlon;
				fix[i].y = fix[i - 1].y;
			}
		}
		ta_jumps_vector(0);
		scan(fix, n, &mt, &prm, &a, &sa);
		ta_jumps_vector(1);
		scan(fix, n, &mt, &prm, &b, &sb);
		if (a.n != b.n || memcmp(&sa, &sb, sizeof(sa)) != 0 ||
			memcmp(a.f, b.f, sizeof(TAFinding) * (size_t) (a.n < MAXFOUND ? a.n : MAXFOUND)) != 0)
		{
			if (differ++ < 3)
				fprintf(stderr, "    trace %d (%zu fixes, %s): %d findings one by one, %d with AVX-512\n",
						trace, n, ta_profiles[trace % TA_NPROFILES].name, a.n, b.n);
		}
	}
	CHECKF(differ == 0, "%d of 400 traces differ", differ);
}

int
main(void)
{
	RUN(test_profiles);
	RUN(test_clean_trace);
	RUN(test_single_fix_spike);
	RUN(test_two_fix_excursion);
	RUN(test_permanent_shift);
	RUN(test_duplicate_time);
	RUN(test_time_backwards);
	RUN(test_time_range_random);
	RUN(test_gap);
	RUN(test_acceleration);
	RUN(test_stationary_noise);
	RUN(test_sort_fixes);
	RUN(test_sort_rotated);
	RUN(test_merge3);
	RUN(test_summary);
	RUN(test_vector_scan);
	return unit_finish("jumps");
}
