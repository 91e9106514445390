/*
 * test_geodesy.c
 *	  Unit tests of src/geodesy.c: Vincenty against published geodesic
 *	  distances, the local (< 20 km) formula against Vincenty, the date line,
 *	  planar units, and PROJ.4 text parsing.
 *
 * Reference distances: Vincenty (1975), Survey Review 23(176) p. 88-93,
 * test lines (a)-(e); Geoscience Australia's Vincenty worked example
 * (Flinders Peak -> Buninyong, GRS80); and for JFK -> LHR, the meridian
 * quadrant and the date-line pairs, PROJ 9.1.1 `geod -I` (Karney's
 * algorithm, accurate to nanometres), which agrees with every figure above
 * to 1 mm.
 */
#include "unit.h"

/*
 * The module itself, not only its header: the local formula (static
 * local_distance) is tested directly over its whole design range, whatever
 * TA_LOCAL_MAX_M is set to.  tests/unit/Makefile does not link geodesy.o
 * into this program.
 */
#include "geodesy.c"

#define GRS80_F (1.0 / 298.257222101)
#define INTL_A	6378388.0
#define INTL_F	(1.0 / 297.0)
#define BESSEL_A 6377397.155
#define BESSEL_F (1.0 / 299.1528128)

static double
dms(int sign, double d, double m, double s)
{
	return sign * (d + m / 60.0 + s / 3600.0);
}

static void
test_vincenty_known_lines(void)
{
	/* Flinders Peak -> Buninyong on GRS80: 54972.271 m */
	double		lat1 = dms(-1, 37, 57, 3.72030),
				lon1 = dms(1, 144, 25, 29.52440),
				lat2 = dms(-1, 37, 39, 10.15610),
				lon2 = dms(1, 143, 55, 35.38390);

	CHECK_NEAR(ta_geodesic_vincenty(TA_WGS84_A, GRS80_F, lon1, lat1, lon2, lat2),
			   54972.271, 0.001);
	CHECK_NEAR(ta_geodesic_vincenty(TA_WGS84_A, GRS80_F, lon2, lat2, lon1, lat1),
			   54972.271, 0.001);

	/* JFK (40.6413, -73.7781) -> LHR (51.4700, -0.4543) on WGS 84 */
	CHECK_NEAR(ta_geodesic_vincenty(TA_WGS84_A, TA_WGS84_F,
									-73.7781, 40.6413, -0.4543, 51.4700),
			   5554908.791, 0.002);

	/* Vincenty 1975 (a): Bessel, 55d45' -> -33d26', L = 108d13' */
	CHECK_NEAR(ta_geodesic_vincenty(BESSEL_A, BESSEL_F, 0, 55.75, 108 + 13 / 60.0, -(33 + 26 / 60.0)),
			   14110526.170, 0.002);
	/* (b) International */
	CHECK_NEAR(ta_geodesic_vincenty(INTL_A, INTL_F,
									0, dms(1, 37, 19, 54.95367),
									dms(1, 41, 28, 35.50729), dms(1, 26, 7, 42.83946)),
			   4085966.703, 0.002);
	/* (c) International */
	CHECK_NEAR(ta_geodesic_vincenty(INTL_A, INTL_F,
									0, dms(1, 35, 16, 11.24862),
									dms(1, 137, 47, 28.31435), dms(1, 67, 22, 14.77638)),
			   8084823.839, 0.002);
	/* (d) and (e) International, nearly antipodal */
	CHECK_NEAR(ta_geodesic_vincenty(INTL_A, INTL_F,
									0, 1.0,
									dms(1, 179, 17, 48.02997), dms(-1, 0, 59, 53.83076)),
			   19960000.000, 0.002);
	CHECK_NEAR(ta_geodesic_vincenty(INTL_A, INTL_F,
									0, 1.0,
									dms(1, 179, 46, 17.84244), dms(1, 1, 1, 15.18952)),
			   19780006.558, 0.002);

	/* WGS 84 meridian quadrant, equator -> pole: 10001965.729 m */
	CHECK_NEAR(ta_geodesic_vincenty(TA_WGS84_A, TA_WGS84_F, 0, 0, 0, 90),
			   10001965.729, 0.001);
	/* one degree of the equator is a * pi / 180 */
	CHECK_NEAR(ta_geodesic_vincenty(TA_WGS84_A, TA_WGS84_F, 10, 0, 11, 0),
			   TA_WGS84_A * M_PI / 180.0, 1e-6);
	/* coincident points */
	CHECK_INT(ta_geodesic_vincenty(TA_WGS84_A, TA_WGS84_F, 12.5, 41.9, 12.5, 41.9) == 0.0, 1);

	/* exactly antipodal: no convergence, still a finite half circumference */
	{
		double		d = ta_geodesic_vincenty(TA_WGS84_A, TA_WGS84_F, 0, 0, 180, 0);

		CHECKF(isfinite(d) && d > 19.9e6 && d < 20.1e6, "antipodal: %.3f", d);
	}

	/* the sphere: one degree of a great circle of radius 6371 km */
	CHECK_NEAR(ta_haversine(6371000.0, 0, 0, 0, 1), 6371000.0 * M_PI / 180.0, 1e-6);
}

/*
 * The local formula (used by ta_distance below TA_LOCAL_MAX_M) and
 * ta_distance itself, against Vincenty, over 10 m .. 19.9 km, 24 azimuths
 * and several latitudes.  The second point is placed with the radii of
 * curvature at the start, so the distances are close to the nominal ones.
 * local_distance may decline a segment (returns a non-finite value) that
 * ta_distance then hands to Vincenty.
 */
static void
test_local_vs_vincenty(void)
{
	static const double lats[] = {0, 45, 60, 80, -45, -80, 85, 89.5};
	static const double dists[] = {10, 100, 1000, 3000, 4990, 10000, 19900};
	double		e2 = TA_WGS84_F * (2.0 - TA_WGS84_F);
	TAMetric	mt;
	double		all_abs = 0,
				all_rel = 0;
	int			declined = 0;
	size_t		li,
				di;

	ta_metric_geodetic(&mt, TA_WGS84_A, TA_WGS84_F);
	for (li = 0; li < sizeof(lats) / sizeof(lats[0]); li++)
	{
		double		lat = lats[li];
		double		phi = lat * M_PI / 180.0;
		double		w = 1.0 - e2 * sin(phi) * sin(phi);
		double		N = TA_WGS84_A / sqrt(w);
		double		M = N * (1.0 - e2) / w;
		double		max_abs = 0,
					max_rel = 0,
					worst_d = 0,
					worst_az = 0;

		for (di = 0; di < sizeof(dists) / sizeof(dists[0]); di++)
		{
			int			az;

			for (az = 0; az < 360; az += 15)
			{
				double		a = az * M_PI / 180.0;
				double		d = dists[di];
				double		lon1 = 7.25,
							lat1 = lat;
				double		lat2 = lat1 + d * cos(a) / M * 180.0 / M_PI;
				double		lon2 = lon1 + d * sin(a) / (N * cos(phi)) * 180.0 / M_PI;
				double		loc,
							got,
							ref,
							err;

				if (lat2 > 90.0 || lat2 < -90.0)
					continue;
				ref = ta_geodesic_vincenty(TA_WGS84_A, TA_WGS84_F, lon1, lat1, lon2, lat2);
				/* near the pole the placement overshoots: keep to below 20 km */
				if (ref >= 20000.0)
					continue;
				loc = local_distance(&mt, lon1, lat1, lon2, lat2);
				got = ta_distance(&mt, lon1, lat1, lon2, lat2);
				CHECKF(fabs(got - ref) < 0.001,
					   "ta_distance at lat %g, %g m, azimuth %d: %.6f, Vincenty %.6f, off by %.3g m",
					   lat, d, az, got, ref, fabs(got - ref));
				if (!isfinite(loc))
				{
					declined++;
					continue;
				}
				err = fabs(loc - ref);
				if (err > max_abs)
				{
					max_abs = err;
					worst_d = d;
					worst_az = az;
				}
				if (err / ref > max_rel)
					max_rel = err / ref;
				CHECKF(err < 0.001, "local formula at lat %g, %g m, azimuth %d: %.6f, Vincenty %.6f, off by %.3g m",
					   lat, d, az, loc, ref, err);
			}
		}
		printf("geodesy: local formula vs Vincenty at lat %5.1f: max abs error %.3g m (at %g m, azimuth %g), max rel error %.3g\n",
			   lat, max_abs, worst_d, worst_az, max_rel);
		if (max_abs > all_abs)
			all_abs = max_abs;
		if (max_rel > all_rel)
			all_rel = max_rel;
	}
	printf("geodesy: local formula vs Vincenty below 20 km: max abs error %.3g m, max rel error %.3g (%d segments left to Vincenty)\n",
		   all_abs, all_rel, declined);
}

static void
test_date_line(void)
{
	TAMetric	mt;
	double		d1,
				d2,
				ref;

	ta_metric_geodetic(&mt, TA_WGS84_A, TA_WGS84_F);

	/* 0.0002 degrees of the equator, across the date line: 22.264 m */
	d1 = ta_distance(&mt, 179.9999, 0, -179.9999, 0);
	d2 = ta_distance(&mt, -179.9999, 0, 179.9999, 0);
	CHECK_NEAR(d1, 0.0002 * TA_WGS84_A * M_PI / 180.0, 1e-6);
	CHECK_NEAR(d2, d1, 1e-9);

	/* off the equator: the same as the unwrapped pair */
	d1 = ta_distance(&mt, 179.9999, 50, -179.9999, 50.0001);
	ref = ta_geodesic_vincenty(TA_WGS84_A, TA_WGS84_F, 179.9999, 50, 180.0001, 50.0001);
	CHECK_NEAR(d1, 18.147, 0.001);
	CHECK_NEAR(d1, ref, 1e-6);

	/* a long segment across the date line goes through Vincenty */
	d1 = ta_distance(&mt, 179.5, 0, -179.5, 0);
	CHECK_NEAR(d1, TA_WGS84_A * M_PI / 180.0, 1e-5);
	d1 = ta_distance(&mt, -179.5, 0, 179.5, 0);
	CHECK_NEAR(d1, TA_WGS84_A * M_PI / 180.0, 1e-5);
	d1 = ta_distance(&mt, 179.8, 10, -179.9, 10.2);
	ref = ta_geodesic_vincenty(TA_WGS84_A, TA_WGS84_F, 179.8, 10, 180.1, 10.2);
	CHECK_NEAR(d1, ref, 1e-3);

	/* across a pole: 89.99N 0E -> 89.99N 180E is 2233.880 m over the pole */
	d1 = ta_distance(&mt, 0, 89.99, 180, 89.99);
	CHECK_NEAR(d1, 2233.880, 0.001);
	d1 = ta_distance(&mt, -90, -89.999, 90, -89.999);
	ref = ta_geodesic_vincenty(TA_WGS84_A, TA_WGS84_F, 0, -90, 0, -89.999) * 2;
	CHECK_NEAR(d1, ref, 0.001);
}

static void
test_planar(void)
{
	TAMetric	mt;

	ta_metric_planar(&mt, 1200.0 / 3937.0);
	CHECK_INT(mt.kind, TA_METRIC_PLANAR);
	/* 5000 US survey feet */
	CHECK_NEAR(ta_distance(&mt, 1000, 2000, 4000, 6000), 5000.0 * 1200.0 / 3937.0, 1e-9);
	CHECK_NEAR(ta_distance(&mt, 1000, 2000, 4000, 6000), 1524.003048006096, 1e-9);
	ta_metric_planar(&mt, 1.0);
	CHECK_NEAR(ta_distance(&mt, 0, 0, 3, 4), 5.0, 0);
	/* planar distances ignore any "date line" */
	CHECK_NEAR(ta_distance(&mt, 179.9999, 0, -179.9999, 0), 359.9998, 1e-9);
}

static void
test_proj4(void)
{
	TAMetric	mt;

	memset(&mt, 0, sizeof(mt));
	CHECK_INT(ta_metric_from_proj4(&mt, "+proj=longlat +datum=WGS84 +no_defs"), 0);
	CHECK_INT(mt.kind, TA_METRIC_GEODETIC);
	CHECK_NEAR(mt.a, 6378137.0, 0);
	CHECK_NEAR(mt.f, 1.0 / 298.257223563, 1e-18);

	CHECK_INT(ta_metric_from_proj4(&mt, "+proj=utm +zone=33 +datum=WGS84 +units=m +no_defs"), 0);
	CHECK_INT(mt.kind, TA_METRIC_PLANAR);
	CHECK_NEAR(mt.to_meter, 1.0, 0);

	/* EPSG:2236, NAD83 / Florida East (ftUS) */
	CHECK_INT(ta_metric_from_proj4(&mt,
								   "+proj=tmerc +lat_0=24.33333333333333 +lon_0=-81 +k=0.999941177 "
								   "+x_0=200000.0001016002 +y_0=0 +ellps=GRS80 "
								   "+towgs84=0,0,0,0,0,0,0 +units=us-ft +no_defs"), 0);
	CHECK_INT(mt.kind, TA_METRIC_PLANAR);
	CHECK_NEAR(mt.to_meter, 0.3048006096012192, 1e-16);

	/* EPSG:2227-style, unit given as a factor */
	CHECK_INT(ta_metric_from_proj4(&mt,
								   "+proj=lcc +lat_1=38.43333333333333 +lat_2=37.06666666666667 "
								   "+lat_0=36.5 +lon_0=-120.5 +x_0=2000000 +y_0=500000.0000000002 "
								   "+ellps=GRS80 +datum=NAD83 +to_meter=0.3048006096012192 +no_defs"), 0);
	CHECK_INT(mt.kind, TA_METRIC_PLANAR);
	CHECK_NEAR(mt.to_meter, 0.3048006096012192, 0);

	/* geocentric is neither lon/lat nor a map projection */
	CHECK_INT(ta_metric_from_proj4(&mt, "+proj=geocent +datum=WGS84 +units=m +no_defs"), -1);

	CHECK_INT(ta_metric_from_proj4(&mt, "+proj=longlat +ellps=intl"), 0);
	CHECK_INT(mt.kind, TA_METRIC_GEODETIC);
	CHECK_NEAR(mt.a, 6378388.0, 0);
	CHECK_NEAR(mt.f, 1.0 / 297.0, 1e-18);

	CHECK_INT(ta_metric_from_proj4(&mt, "+proj=longlat +a=6378137 +rf=298.257222101"), 0);
	CHECK_INT(mt.kind, TA_METRIC_GEODETIC);
	CHECK_NEAR(mt.a, 6378137.0, 0);
	CHECK_NEAR(mt.f, 1.0 / 298.257222101, 1e-18);

	/* more spellings and ellipsoids */
	CHECK_INT(ta_metric_from_proj4(&mt, "+proj=longlat +datum=NAD27 +no_defs"), 0);
	CHECK_NEAR(mt.a, 6378206.4, 0);
	CHECK_NEAR(mt.f, 1.0 / 294.9786982, 1e-18);
	CHECK_INT(ta_metric_from_proj4(&mt, "+proj=latlong +R=6371000"), 0);
	CHECK_NEAR(mt.a, 6371000.0, 0);
	CHECK_NEAR(mt.f, 0.0, 0);
	CHECK_INT(ta_metric_from_proj4(&mt, "+proj=longlat +a=6378137 +b=6356752.314245"), 0);
	CHECK_NEAR(mt.f, TA_WGS84_F, 1e-12);
	CHECK_INT(ta_metric_from_proj4(&mt, "+proj=longlat +no_defs"), 0);
	CHECK_NEAR(mt.a, TA_WGS84_A, 0);
	CHECK_INT(ta_metric_from_proj4(&mt, "+proj=tmerc +units=ft +no_defs"), 0);
	CHECK_NEAR(mt.to_meter, 0.3048, 0);
	CHECK_INT(ta_metric_from_proj4(&mt, "+proj=merc +datum=WGS84 +no_defs"), 0);
	CHECK_NEAR(mt.to_meter, 1.0, 0);

	/* rejected */
	CHECK_INT(ta_metric_from_proj4(&mt, NULL), -1);
	CHECK_INT(ta_metric_from_proj4(&mt, ""), -1);
	CHECK_INT(ta_metric_from_proj4(&mt, "+units=m"), -1);
	CHECK_INT(ta_metric_from_proj4(&mt, "+proj=tmerc +units=furlong"), -1);
	CHECK_INT(ta_metric_from_proj4(&mt, "+proj=tmerc +to_meter=0"), -1);
	CHECK_INT(ta_metric_from_proj4(&mt, "+proj=tmerc +to_meter=-1"), -1);
	CHECK_INT(ta_metric_from_proj4(&mt, "+proj=longlat +a=1000"), -1);

	/* the parsed metric measures: 1 km of 33N easting is 1 km */
	CHECK_INT(ta_metric_from_proj4(&mt, "+proj=utm +zone=33 +datum=WGS84 +units=m +no_defs"), 0);
	CHECK_NEAR(ta_distance(&mt, 500000, 0, 501000, 0), 1000.0, 0);
}

/*
 * ta_sincos against libm over every latitude, with table-step midpoints
 * (the largest Taylor argument), both signs and the ends of the table:
 * within 4e-16, a few ulps of values near 1.
 */
static void
test_sincos(void)
{
	double		worst = 0;
	int			i;

	for (i = -1800000; i <= 1800000; i++)
	{
		double		phi = i * (M_PI / 2.0) / 1800000.0;
		double		s,
					c;

		ta_sincos(phi, &s, &c);
		worst = fmax(worst, fmax(fabs(s - sin(phi)), fabs(c - cos(phi))));
	}
	for (i = -1610; i <= 1610; i++)
	{
		double		phi = (i + 0.5) / 1024.0;
		double		s,
					c;

		ta_sincos(phi, &s, &c);
		worst = fmax(worst, fmax(fabs(s - sin(phi)), fabs(c - cos(phi))));
		ta_sincos(nextafter(phi, 0), &s, &c);
		worst = fmax(worst, fmax(fabs(s - sin(nextafter(phi, 0))),
								 fabs(c - cos(nextafter(phi, 0)))));
	}
	/* beyond the table (not a latitude): libm */
	{
		double		s,
					c;

		ta_sincos(3.0, &s, &c);
		CHECK_NEAR(s, sin(3.0), 0);
		CHECK_NEAR(c, cos(3.0), 0);
		ta_sincos(-1e300, &s, &c);
		CHECK_NEAR(s, sin(-1e300), 0);
	}
	CHECK(worst < 4e-16);
	if (!(worst < 4e-16))
		fprintf(stderr, "ta_sincos off by %.3g\n", worst);
}

/*
 * ta_path_lengths gives exactly ta_distance's figure for every leg: short
 * legs, legs over 20 km and across the date line (Vincenty), a pole, a
 * short leg of many degrees of longitude near one (Vincenty), and planar
 * paths, read with a stride of three doubles (x, y, m).  Sub-paths of every
 * start and many lengths put those legs at odd and even places of its
 * blocks of legs, and at their ends.
 */
static void
test_path_lengths(void)
{
	double		p[300][3];
	double		out[299];
	TAMetric	geo,
				pl;
	int			i,
				kind,
				lanes,
				widths = 0;

	ta_metric_geodetic(&geo, TA_WGS84_A, TA_WGS84_F);
	ta_metric_planar(&pl, 0.3048);
	srand(7);
	for (i = 0; i < 300; i++)
	{
		double		r = (double) rand() / RAND_MAX;

		p[i][0] = i == 0 ? 179.99 : p[i - 1][0] + (r - 0.5) * (i % 17 == 0 ? 3.0 : 0.002);
		p[i][1] = i == 0 ? 10.0 : fmax(-90, fmin(90, p[i - 1][1] + (r - 0.4) * (i % 23 == 0 ? 2.0 : 0.001)));
		if (p[i][0] > 180)
			p[i][0] -= 360;
		p[i][2] = i;
	}
	p[150][1] = 90.0;			/* a pole */
	/* near a pole, a leg of 2.5 degrees of longitude: 240 m, not for the table */
	p[200][1] = p[201][1] = p[202][1] = 89.95;
	p[201][0] = p[200][0] + 2.5;
	p[202][0] = p[201][0] + 0.001;
	/* every vector width this CPU runs, the widest last (it stays chosen) */
	for (lanes = 2; lanes <= 8; lanes *= 2)
	{
		if (ta_path_lanes(lanes) != lanes)
			continue;
		widths++;
		for (kind = 0; kind < 2; kind++)
		{
			const TAMetric *mt = kind == 0 ? &geo : &pl;
			int			bad = 0;
			int			start,
						n;

			for (start = 0; start < 40; start++)
				for (n = 2; start + n <= 300; n += (n < 140 ? 1 : 37))
				{
					ta_path_lengths(mt, &p[start][0], 3, n, out);
					for (i = 0; i + 1 < n; i++)
						if (out[i] != ta_distance(mt, p[start + i][0], p[start + i][1],
												  p[start + i + 1][0], p[start + i + 1][1]))
							bad++;
				}
			CHECK_INT(bad, 0);
		}
	}
	/* two lanes wherever the compiler has vector types */
	CHECK(widths >= 1 || ta_path_lanes(0) == 1);
	CHECK_INT(ta_path_lanes(0), ta_path_lanes(16));
	fprintf(stderr, "ta_path_lengths: %d vector widths checked, %d lanes in use\n",
			widths, ta_path_lanes(0));
	/* fewer than two points: no leg, nothing written */
	out[0] = -1;
	ta_path_lengths(&geo, &p[0][0], 3, 1, out);
	CHECK_NEAR(out[0], -1, 0);
}

int
main(void)
{
	RUN(test_path_lengths);
	RUN(test_sincos);
	RUN(test_vincenty_known_lines);
	RUN(test_local_vs_vincenty);
	RUN(test_date_line);
	RUN(test_planar);
	RUN(test_proj4);
	return unit_finish("geodesy");
}
