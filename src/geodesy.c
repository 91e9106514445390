/*
 * geodesy.c
 *	  Metres between positions.
 *
 * Accuracy choice: lon/lat distances are ellipsoidal, not spherical.  A
 * sphere is off by up to 0.5% (a 100 km/h car read as 99.5 or 100.5), which
 * would shift findings near a limit and disagree with geography ST_Distance,
 * the figure auditors check against.  Short segments, nearly all of a trace,
 * use the mid-latitude formula with the ellipsoid's meridional and normal
 * radii of curvature plus its second-order curvature terms: a few
 * multiplications, a sine and cosine from a table (ta_sincos), two square
 * roots and a division, with an error below 1 mm up to 20 km at any
 * latitude (measured in tests/unit against Vincenty).
 * Segments spanning more than TA_LOCAL_MAX_DLON of longitude (near a pole,
 * or across it) and longer ones use Vincenty's inverse formula
 * (sub-millimetre), falling back to the great circle on the mean-radius
 * sphere for nearly antipodal pairs where Vincenty does not converge.
 */
#include "geodesy.h"
#include "vec2.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEG2RAD (M_PI / 180.0)

/*
 * Widest longitude difference (degrees) the local formula takes; beyond it
 * its series no longer holds to 1 mm within 20 km (only within a few
 * degrees of a pole) and ta_distance uses Vincenty.
 */
#define TA_LOCAL_MAX_DLON 2.0

void
ta_metric_geodetic(TAMetric *mt, double a, double f)
{
	mt->kind = TA_METRIC_GEODETIC;
	mt->a = a;
	mt->f = f;
	mt->to_meter = 1.0;
	mt->e2 = f * (2.0 - f);
	mt->k12 = 1.0 / (12.0 * a * a * (1.0 - mt->e2));
}

void
ta_metric_planar(TAMetric *mt, double to_meter)
{
	mt->kind = TA_METRIC_PLANAR;
	mt->a = TA_WGS84_A;
	mt->f = TA_WGS84_F;
	mt->to_meter = to_meter;
	mt->e2 = TA_WGS84_F * (2.0 - TA_WGS84_F);
	mt->k12 = 1.0 / (12.0 * mt->a * mt->a * (1.0 - mt->e2));
}

typedef struct NamedValue
{
	const char *name;
	double		a;				/* semi-major axis, or unit factor */
	double		rf;				/* inverse flattening; 0 for a sphere */
} NamedValue;

static const NamedValue ellipsoids[] = {
	{"WGS84", 6378137.0, 298.257223563},
	{"GRS80", 6378137.0, 298.257222101},
	{"WGS72", 6378135.0, 298.26},
	{"intl", 6378388.0, 297.0},
	{"bessel", 6377397.155, 299.1528128},
	{"clrk66", 6378206.4, 294.9786982},
	{"clrk80", 6378249.145, 293.465},
	{"clrk80ign", 6378249.2, 293.4660212936269},
	{"krass", 6378245.0, 298.3},
	{"airy", 6377563.396, 299.3249646},
	{"mod_airy", 6377340.189, 299.3249646},
	{"aust_SA", 6378160.0, 298.25},
	{"GRS67", 6378160.0, 298.247167427},
	{"helmert", 6378200.0, 298.3},
	{"evrstSS", 6377298.556, 300.8017},
	{"evrst30", 6377276.345, 300.8017},
	{"sphere", 6370997.0, 0.0},
	{NULL, 0, 0}
};

/* datum name -> ellipsoid name */
static const char *const datums[][2] = {
	{"WGS84", "WGS84"}, {"NAD83", "GRS80"}, {"NAD27", "clrk66"},
	{"potsdam", "bessel"}, {"OSGB36", "airy"}, {"ire65", "mod_airy"},
	{"carthage", "clrk80ign"}, {"hermannskogel", "bessel"},
	{"nzgd49", "intl"}, {"GGRS87", "GRS80"}, {NULL, NULL}
};

static const NamedValue units[] = {
	{"m", 1.0, 0}, {"km", 1000.0, 0}, {"dm", 0.1, 0}, {"cm", 0.01, 0},
	{"mm", 0.001, 0}, {"kmi", 1852.0, 0}, {"in", 0.0254, 0},
	{"ft", 0.3048, 0}, {"yd", 0.9144, 0}, {"mi", 1609.344, 0},
	{"fath", 1.8288, 0}, {"ch", 20.1168, 0}, {"link", 0.201168, 0},
	{"us-in", 1.0 / 39.37, 0}, {"us-ft", 1200.0 / 3937.0, 0},
	{"us-yd", 3600.0 / 3937.0, 0}, {"us-ch", 79200.0 / 3937.0, 0},
	{"us-mi", 6336000.0 / 3937.0, 0}, {"ind-yd", 0.91439523, 0},
	{"ind-ft", 0.30479841, 0}, {"ind-ch", 20.11669506, 0},
	{NULL, 0, 0}
};

/*
 * Finds "+key=" in a PROJ.4 string and copies its value; returns 1 if found.
 * A bare "+key" (no '=') yields an empty value.
 */
static int
proj4_param(const char *s, const char *key, char *val, size_t vlen)
{
	size_t		klen = strlen(key);
	const char *p = s;

	while ((p = strchr(p, '+')) != NULL)
	{
		p++;
		if (strncmp(p, key, klen) == 0 &&
			(p[klen] == '=' || p[klen] == ' ' || p[klen] == '\0'))
		{
			size_t		n = 0;

			p += klen;
			if (*p == '=')
				p++;
			while (p[n] && p[n] != ' ' && p[n] != '\t' && n + 1 < vlen)
			{
				val[n] = p[n];
				n++;
			}
			val[n] = '\0';
			return 1;
		}
	}
	return 0;
}

static const NamedValue *
lookup(const NamedValue *table, const char *name)
{
	for (; table->name; table++)
		if (strcmp(table->name, name) == 0)
			return table;
	return NULL;
}

/* a, f of the ellipsoid named by +ellps, +datum, +a/+b/+rf/+f/+R; WGS 84 if none */
static void
proj4_ellipsoid(const char *s, double *a, double *f)
{
	char		v[64];
	const NamedValue *e = NULL;
	int			i;

	*a = TA_WGS84_A;
	*f = TA_WGS84_F;
	if (proj4_param(s, "ellps", v, sizeof(v)))
		e = lookup(ellipsoids, v);
	else if (proj4_param(s, "datum", v, sizeof(v)))
	{
		for (i = 0; datums[i][0]; i++)
			if (strcmp(datums[i][0], v) == 0)
				e = lookup(ellipsoids, datums[i][1]);
	}
	if (e)
	{
		*a = e->a;
		*f = e->rf > 0 ? 1.0 / e->rf : 0.0;
	}
	if (proj4_param(s, "R", v, sizeof(v)))
	{
		*a = atof(v);
		*f = 0.0;
		return;
	}
	if (proj4_param(s, "a", v, sizeof(v)))
		*a = atof(v);
	if (proj4_param(s, "rf", v, sizeof(v)) && atof(v) > 0)
		*f = 1.0 / atof(v);
	else if (proj4_param(s, "f", v, sizeof(v)))
		*f = atof(v);
	else if (proj4_param(s, "b", v, sizeof(v)) && *a > 0)
		*f = (*a - atof(v)) / *a;
}

int
ta_metric_from_proj4(TAMetric *mt, const char *proj4)
{
	char		v[64];
	double		a,
				f;

	if (proj4 == NULL || !proj4_param(proj4, "proj", v, sizeof(v)))
		return -1;
	if (strcmp(v, "longlat") == 0 || strcmp(v, "latlong") == 0 ||
		strcmp(v, "lonlat") == 0 || strcmp(v, "latlon") == 0)
	{
		proj4_ellipsoid(proj4, &a, &f);
		if (!(a > 1.0e6 && a < 1.0e7) || !(f >= 0.0 && f < 0.01))
			return -1;
		ta_metric_geodetic(mt, a, f);
		return 0;
	}
	if (strcmp(v, "geocent") == 0)
		return -1;
	if (proj4_param(proj4, "to_meter", v, sizeof(v)))
	{
		double		t = atof(v);

		if (!(t > 0.0) || !isfinite(t))
			return -1;
		ta_metric_planar(mt, t);
		return 0;
	}
	if (proj4_param(proj4, "units", v, sizeof(v)))
	{
		const NamedValue *u = lookup(units, v);

		if (u == NULL)
			return -1;
		ta_metric_planar(mt, u->a);
		return 0;
	}
	/* PROJ's default linear unit is the metre */
	ta_metric_planar(mt, 1.0);
	return 0;
}

double
ta_haversine(double r, double lon1, double lat1, double lon2, double lat2)
{
	double		p1 = lat1 * DEG2RAD;
	double		p2 = lat2 * DEG2RAD;
	double		sdp = sin((p2 - p1) / 2);
	double		sdl = sin((lon2 - lon1) * DEG2RAD / 2);
	double		h = sdp * sdp + cos(p1) * cos(p2) * sdl * sdl;

	if (h > 1.0)
		h = 1.0;
	return 2.0 * r * asin(sqrt(h));
}

double
ta_geodesic_vincenty(double a, double f, double lon1, double lat1,
					 double lon2, double lat2)
{
	double		b = a * (1.0 - f);
	double		L = (lon2 - lon1) * DEG2RAD;
	double		U1 = atan((1.0 - f) * tan(lat1 * DEG2RAD));
	double		U2 = atan((1.0 - f) * tan(lat2 * DEG2RAD));
	double		sinU1 = sin(U1),
				cosU1 = cos(U1);
	double		sinU2 = sin(U2),
				cosU2 = cos(U2);
	double		lambda = L,
				prev;
	double		sinSigma = 0,
				cosSigma = 0,
				sigma = 0,
				cosSqAlpha = 0,
				cos2SigmaM = 0;
	double		uSq,
				A,
				B,
				dSigma;
	int			iter = 0;

	if (lon1 == lon2 && lat1 == lat2)
		return 0.0;
	do
	{
		double		sinLambda = sin(lambda),
					cosLambda = cos(lambda);
		double		sinAlpha,
					C;

		sinSigma = sqrt((cosU2 * sinLambda) * (cosU2 * sinLambda) +
						(cosU1 * sinU2 - sinU1 * cosU2 * cosLambda) *
						(cosU1 * sinU2 - sinU1 * cosU2 * cosLambda));
		if (sinSigma == 0.0)
			return 0.0;			/* coincident points */
		cosSigma = sinU1 * sinU2 + cosU1 * cosU2 * cosLambda;
		sigma = atan2(sinSigma, cosSigma);
		sinAlpha = cosU1 * cosU2 * sinLambda / sinSigma;
		cosSqAlpha = 1.0 - sinAlpha * sinAlpha;
		cos2SigmaM = cosSqAlpha != 0.0 ?
			cosSigma - 2.0 * sinU1 * sinU2 / cosSqAlpha : 0.0;
		C = f / 16.0 * cosSqAlpha * (4.0 + f * (4.0 - 3.0 * cosSqAlpha));
		prev = lambda;
		lambda = L + (1.0 - C) * f * sinAlpha *
			(sigma + C * sinSigma * (cos2SigmaM + C * cosSigma *
									 (-1.0 + 2.0 * cos2SigmaM * cos2SigmaM)));
	} while (fabs(lambda - prev) > 1e-12 && ++iter < 200);

	if (iter >= 200 || !isfinite(lambda))
		return ta_haversine(a * (1.0 - f / 3.0), lon1, lat1, lon2, lat2);

	uSq = cosSqAlpha * (a * a - b * b) / (b * b);
	A = 1.0 + uSq / 16384.0 * (4096.0 + uSq * (-768.0 + uSq * (320.0 - 175.0 * uSq)));
	B = uSq / 1024.0 * (256.0 + uSq * (-128.0 + uSq * (74.0 - 47.0 * uSq)));
	dSigma = B * sinSigma * (cos2SigmaM + B / 4.0 *
							 (cosSigma * (-1.0 + 2.0 * cos2SigmaM * cos2SigmaM) -
							  B / 6.0 * cos2SigmaM * (-3.0 + 4.0 * sinSigma * sinSigma) *
							  (-3.0 + 4.0 * cos2SigmaM * cos2SigmaM)));
	return b * A * (sigma - dSigma);
}

/*
 * sin and cos of a latitude in radians, from a table at steps of 2^-10
 * rad and the angle-addition formula with short Taylor series for the rest
 * (|d| <= 2^-11: the first omitted terms are below 1e-22).  Within a few
 * ulps of libm's, at a quarter of the cost: the distance of every segment
 * of every trace needs one, in the serial final step of the aggregates.
 */
#define SC_STEPS	1024.0
#define SC_HALF		1610		/* > (pi / 2) * SC_STEPS */

static double sc_table[2 * SC_HALF + 1][2];
static int	sc_ready;

static void
sc_init(void)
{
	int			i;

	for (i = -SC_HALF; i <= SC_HALF; i++)
	{
		sc_table[i + SC_HALF][0] = sin(i / SC_STEPS);
		sc_table[i + SC_HALF][1] = cos(i / SC_STEPS);
	}
	sc_ready = 1;
}

/*
 * The table entry nearest phi and the remainder *d = phi - entry, or NULL
 * when phi is beyond the table (within a step of a pole).
 */
static inline const double *
sc_entry(double phi, double *d)
{
	double		k;

	if (!(fabs(phi) < (SC_HALF - 1) / SC_STEPS))
		return NULL;
	if (!sc_ready)
		sc_init();
	k = (double) (int) (phi * SC_STEPS + (phi >= 0.0 ? 0.5 : -0.5));
	*d = phi - k / SC_STEPS;
	return sc_table[(int) k + SC_HALF];
}

static inline void
sincos_lat(double phi, double *s, double *c)
{
	double		d,
				d2,
				sd,
				cd;
	const double *t = sc_entry(phi, &d);

	if (t == NULL)
	{
		*s = sin(phi);
		*c = cos(phi);
		return;
	}
	d2 = d * d;
	/* constants as products: a division by 6.0 would stay a division */
	sd = d * (1.0 - d2 * (1.0 / 6.0) * (1.0 - d2 * (1.0 / 20.0)));
	cd = 1.0 - d2 * 0.5 * (1.0 - d2 * (1.0 / 12.0));
	*s = t[0] * cd + t[1] * sd;
	*c = t[1] * cd - t[0] * sd;
}

void
ta_sincos(double phi, double *s, double *c)
{
	sincos_lat(phi, s, c);
}

/*
 * Mid-latitude formula on the ellipsoid: the segment is measured in the
 * tangent plane at its middle, scaled by the meridional radius M and the
 * prime-vertical radius N there, less the second-order terms of the
 * surface's curvature (from the series of the haversine about the middle
 * latitude): without them the planar figure is too long by 2 mm at the
 * equator and 0.3 m at 80 degrees for 20 km, as parallels curve away from
 * the geodesic.  Returns INFINITY, which sends ta_distance to Vincenty, for
 * a segment of more than TA_LOCAL_MAX_DLON degrees of longitude.
 */
static inline double
local_distance(const TAMetric *mt, double lon1, double lat1,
			   double lon2, double lat2)
{
	double		dlon = lon2 - lon1;
	double		s,
				c,
				w,
				r,
				N,
				M,
				dn,
				de,
				dt;

	if (dlon > 180.0)
		dlon -= 360.0;
	else if (dlon < -180.0)
		dlon += 360.0;
	if (!(fabs(dlon) <= TA_LOCAL_MAX_DLON))
		return INFINITY;
	sincos_lat((lat1 + lat2) * (0.5 * DEG2RAD), &s, &c);
	w = 1.0 - mt->e2 * s * s;
	r = 1.0 / sqrt(w);
	N = mt->a * r;				/* a / sqrt(w) */
	M = N * (1.0 - mt->e2) * (r * r);	/* a (1 - e2) / w^1.5 */
	dn = (lat2 - lat1) * DEG2RAD * M;
	de = dlon * DEG2RAD * N * c;
	dt = dlon * DEG2RAD * N * s;	/* de * tan(phim), finite at the pole */
	/* 1 / (12 M N) = w^2 / (12 a^2 (1 - e2)): no division */
	return sqrt(dn * dn + de * de -
				(dn * dn * (de * de + 3.0 * dt * dt) + dt * dt * de * de) *
				(w * w * mt->k12));
}

/*
 * Many legs at a time where the compiler has vector types (vec2.h): a leg is
 * one long chain of dependent operations (table, polynomial, square root,
 * division, square root), and the CPU overlaps only a few legs' chains on
 * its own.  Two lanes everywhere (SSE2, NEON); four on x86-64 CPUs with
 * AVX2, eight on AMD CPUs with AVX-512, chosen at run time: path_lengths of
 * 10 M legs took 66 ms with two lanes, 45 ms with four and 37 ms with eight
 * on the test machine (an AMD Zen 5).  Intel cores before Ice Lake lower
 * their clock for a while after 512-bit floating point, and the rest of
 * the backend would pay for it: they keep four.  The
 * square root is the IEEE one in every width and no width fuses multiply
 * and add, so all give the same bits.
 */
#ifdef TA_HAVE_VEC2
#define PATH_BLOCK 64

#define PB_NAME path_block2
#define PB_VEC v2d
#define PB_LANES 2
#define PB_SQRT v2_sqrt
#define PB_ATTR
#include "path_block.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define TA_HAVE_AVX2_PATH 1

typedef double v4d __attribute__((vector_size(32)));

__attribute__((target("avx2")))
static inline v4d
v4_sqrt(v4d x)
{
	return (v4d) _mm256_sqrt_pd((__m256d) x);
}

#define PB_NAME path_block4
#define PB_VEC v4d
#define PB_LANES 4
#define PB_SQRT v4_sqrt
#define PB_ATTR __attribute__((target("avx2")))
#include "path_block.h"

typedef double v8d __attribute__((vector_size(64)));

__attribute__((target("avx512f")))
static inline v8d
v8_sqrt(v8d x)
{
	return (v8d) _mm512_sqrt_pd((__m512d) x);
}

#define PB_NAME path_block8
#define PB_VEC v8d
#define PB_LANES 8
#define PB_SQRT v8_sqrt
#define PB_ATTR __attribute__((target("avx512f")))
#include "path_block.h"
#endif

typedef size_t (*PathBlockFn) (const TAMetric *mt, const double *p,
							   size_t stride, size_t n, double *out);

static PathBlockFn path_block;

int
ta_path_lanes(int lanes)
{
	int			best = 2;

#ifdef TA_HAVE_AVX2_PATH
	if (__builtin_cpu_supports("avx2"))
		best = 4;
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_is("amd"))
		best = 8;
#endif
	if ((lanes != 2 && lanes != 4 && lanes != 8) || lanes > best)
		lanes = best;
	path_block = path_block2;
#ifdef TA_HAVE_AVX2_PATH
	if (lanes == 4)
		path_block = path_block4;
	else if (lanes == 8)
		path_block = path_block8;
#endif
	return lanes;
}
#else
int
ta_path_lanes(int lanes)
{
	return 1;
}
#endif

/*
 * Lengths of the n - 1 legs of a path, out[i] from point i to point i + 1;
 * p[0] and p[1] are the first point's x and y, the next point's are stride
 * doubles further.  Same figures as ta_distance, leg by leg, but measured
 * many legs at a time (path_block), which takes half the time on a trace:
 * in the aggregates' final step, serial in the leader, it was most of the
 * work.
 */
void
ta_path_lengths(const TAMetric *mt, const double *p, size_t stride, size_t n,
				double *out)
{
	size_t		i = 0;

	if (n < 2)
		return;
	if (mt->kind == TA_METRIC_PLANAR)
	{
		for (i = 0; i + 1 < n; i++, p += stride)
			out[i] = ta_distance(mt, p[0], p[1], p[stride], p[stride + 1]);
		return;
	}
#ifdef TA_HAVE_VEC2
	if (path_block == NULL)
		ta_path_lanes(0);		/* the first call chooses the width */
#endif
	while (i + 1 < n)
	{
		size_t		m = 0;

#ifdef TA_HAVE_VEC2
		m = path_block(mt, p + i * stride, stride, n - i, out + i);
#endif
		if (m == 0)
		{
			/* a leg the table formula does not take (or no vector types) */
			out[i] = local_distance(mt, p[i * stride], p[i * stride + 1],
									p[(i + 1) * stride], p[(i + 1) * stride + 1]);
			m = 1;
		}
		i += m;
	}
	/* the rare long or polar leg */
	for (i = 0; i + 1 < n; i++)
		if (!(out[i] < TA_LOCAL_MAX_M))
			out[i] = ta_geodesic_vincenty(mt->a, mt->f, p[i * stride], p[i * stride + 1],
										  p[(i + 1) * stride], p[(i + 1) * stride + 1]);
}

double
ta_distance(const TAMetric *mt, double x1, double y1, double x2, double y2)
{
	double		d;

	if (mt->kind == TA_METRIC_PLANAR)
	{
		double		dx = x2 - x1,
					dy = y2 - y1;

		return sqrt(dx * dx + dy * dy) * mt->to_meter;
	}
	d = local_distance(mt, x1, y1, x2, y2);
	if (d < TA_LOCAL_MAX_M)
		return d;
	return ta_geodesic_vincenty(mt->a, mt->f, x1, y1, x2, y2);
}
