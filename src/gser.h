/*
 * gser.h
 *	  Reading and writing PostGIS's serialized geometry (GSERIALIZED) without
 *	  PostgreSQL or PostGIS headers, so it can be unit tested and fuzzed alone.
 *
 * The layout is documented in docs (v1 and v2 headers, optional extended
 * flags and bounding box, native-endian body).  Every size is checked before
 * a coordinate is read; coordinates are read with memcpy because a datum with
 * a 1-byte varlena header is not 8-byte aligned.
 */
#ifndef TA_GSER_H
#define TA_GSER_H

#include <stddef.h>
#include <stdint.h>

/* geometry type numbers used by PostGIS */
#define GSER_POINT			1
#define GSER_LINESTRING		2
#define GSER_POLYGON		3
#define GSER_MULTIPOINT		4

/* gflags bits */
#define GSER_F_Z			0x01
#define GSER_F_M			0x02
#define GSER_F_BBOX			0x04
#define GSER_F_GEODETIC		0x08
#define GSER_F_EXTENDED		0x10	/* v2 only */
#define GSER_F_VERSION		0x40

typedef enum GserStatus
{
	GSER_OK = 0,
	GSER_E_SHORT,				/* fewer bytes than the header needs */
	GSER_E_VARLENA,				/* compressed, external or inconsistent varlena */
	GSER_E_SIZE,				/* body size does not match the point count */
	GSER_E_TYPE,				/* a geometry type this module does not read */
	GSER_E_SUBTYPE				/* a multipoint member that is not a point */
} GserStatus;

typedef struct GserGeom
{
	int32_t		srid;			/* 0 = unknown */
	uint8_t		flags;			/* raw gflags */
	uint8_t		version;		/* 1 or 2 */
	uint8_t		has_z;
	uint8_t		has_m;
	uint8_t		ndims;			/* 2, 3 or 4 */
	uint32_t	type;			/* GSER_POINT, GSER_LINESTRING or GSER_MULTIPOINT */
	uint32_t	npoints;		/* 0 = EMPTY */
	const uint8_t *coords;		/* first ordinate, possibly unaligned */
	/* for a multipoint, members are 8-byte headers followed by coordinates */
	uint32_t	stride;			/* bytes from one point to the next */
} GserGeom;

/*
 * A fix as traceaudit keeps it: x, y and time (epoch seconds).  Its layout is
 * exactly a LINESTRING M vertex, so a sorted array is the serialized body.
 */
typedef struct TAFix
{
	double		x;
	double		y;
	double		m;
} TAFix;

extern const char *gser_status_message(GserStatus st);

/* payload: bytes from the SRID on (a detoasted datum less its varlena header) */
extern GserStatus gser_parse(const uint8_t *payload, size_t len, GserGeom *g);

/* datum: raw varlena bytes with a 1-byte or 4-byte header, avail bytes readable */
extern GserStatus gser_parse_varlena(const uint8_t *datum, size_t avail, GserGeom *g);

/*
 * The common datum of a table of fixes, decoded in one step: a non-empty v2
 * POINT (any dimensions) without a bounding box or extended flags.  Sets
 * its SRID, x and y and returns 1; returns 0 for anything else, which
 * gser_parse_varlena then reads (or says what is wrong with it).
 */
extern int	gser_point_xy(const uint8_t *datum, size_t avail, int32_t *srid,
						  double *x, double *y);

/* reads the ordinates of point i (0-based); z or m is NAN when absent */
extern void gser_get_point(const GserGeom *g, uint32_t i,
						   double *x, double *y, double *z, double *m);

/* total size (with 4-byte varlena header) of a LINESTRING M of n vertices */
extern size_t gser_linestring_m_size(uint32_t n);

/*
 * Writes a LINESTRING M (v2 format, with a float bbox when n > 2, as PostGIS
 * writes it) into dst, which must hold gser_linestring_m_size(n) bytes and be
 * 8-byte aligned.  The 4-byte varlena header is written too (little-endian
 * layout, len << 2; big-endian hosts get their own layout).
 */
extern void gser_write_linestring_m(uint8_t *dst, int32_t srid,
									const TAFix *fix, uint32_t n);

/* a 2D POINT: 32 bytes with its header */
extern size_t gser_point_size(void);
extern void gser_write_point(uint8_t *dst, int32_t srid, double x, double y);

/* a 2D POLYGON of one closed ring of n vertices (xy pairs), with its bbox */
extern size_t gser_polygon_size(uint32_t n);
extern void gser_write_polygon(uint8_t *dst, int32_t srid,
							   const double *xy, uint32_t n);

#endif							/* TA_GSER_H */
