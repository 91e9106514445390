/*
 * geodesy.h
 *	  Distances in metres between two positions of one SRID: geodesic on an
 *	  ellipsoid for lon/lat CRSs, planar times a unit factor for projected
 *	  ones.  No PostgreSQL headers.
 */
#ifndef TA_GEODESY_H
#define TA_GEODESY_H

#include <stddef.h>

typedef enum TAMetricKind
{
	TA_METRIC_GEODETIC,			/* x = longitude, y = latitude, degrees */
	TA_METRIC_PLANAR			/* x, y in a linear unit of to_meter metres */
} TAMetricKind;

typedef struct TAMetric
{
	TAMetricKind kind;
	double		a;				/* semi-major axis, metres */
	double		f;				/* flattening */
	double		to_meter;		/* planar unit in metres */
	double		e2;				/* first eccentricity squared, f (2 - f) */
	double		k12;			/* 1 / (12 a^2 (1 - e2)): see local_distance */
} TAMetric;

/* WGS 84, the default ellipsoid */
#define TA_WGS84_A	6378137.0
#define TA_WGS84_F	(1.0 / 298.257223563)

/* Below this length the local (mid-latitude) formula is used; see geodesy.c */
#define TA_LOCAL_MAX_M	20000.0

extern void ta_metric_geodetic(TAMetric *mt, double a, double f);
extern void ta_metric_planar(TAMetric *mt, double to_meter);

/*
 * Parses a PROJ.4 definition (from spatial_ref_sys.proj4text) into a metric.
 * Returns 0 on success; -1 when the CRS is neither lon/lat nor projected
 * with a known linear unit (geocentric, unknown unit, empty text).
 */
extern int	ta_metric_from_proj4(TAMetric *mt, const char *proj4);

/* sin and cos of an angle in radians (table-driven below pi / 2) */
extern void ta_sincos(double phi, double *s, double *c);

extern double ta_distance(const TAMetric *mt, double x1, double y1,
						  double x2, double y2);

/* out[i] = ta_distance of points i and i + 1 of a strided array of n points */
extern void ta_path_lengths(const TAMetric *mt, const double *p, size_t stride,
							size_t n, double *out);

/*
 * Vector width of ta_path_lengths: lanes 2, 4 or 8 chooses that width if the
 * CPU runs it, anything else the widest it runs.  Returns the width in use
 * (1 without vector types).  ta_path_lengths chooses on its first call;
 * the unit tests call this to check every width.
 */
extern int	ta_path_lanes(int lanes);

/* ellipsoidal geodesic (Vincenty's inverse; spherical fallback near antipodes) */
extern double ta_geodesic_vincenty(double a, double f, double lon1, double lat1,
								   double lon2, double lat2);

/* great-circle distance on a sphere of radius r */
extern double ta_haversine(double r, double lon1, double lat1,
						   double lon2, double lat2);

#endif							/* TA_GEODESY_H */
