/*
 * gser.c
 *	  PostGIS serialized geometry: validation, reading, and writing of the
 *	  few shapes traceaudit returns.  No PostgreSQL headers: unit tested in
 *	  tests/unit and fuzzed in tests/fuzz.
 */
#include "gser.h"

#include <math.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define GSER_BIG_ENDIAN 1
#endif

const char *
gser_status_message(GserStatus st)
{
	switch (st)
	{
		case GSER_OK:
			return "ok";
		case GSER_E_SHORT:
			return "geometry is shorter than its header";
		case GSER_E_VARLENA:
			return "geometry datum is compressed, external or has an inconsistent length";
		case GSER_E_SIZE:
			return "geometry size does not match its number of points";
		case GSER_E_TYPE:
			return "geometry type is not a point, linestring or multipoint";
		case GSER_E_SUBTYPE:
			return "multipoint member is not a single point";
	}
	return "unknown geometry decoding error";
}

static inline uint32_t
read_u32(const uint8_t *p)
{
	uint32_t	v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline double
read_f64(const uint8_t *p)
{
	double		v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* SRID: 21 bits, big-endian in three bytes, sign-extended */
static inline int32_t
read_srid(const uint8_t *p)
{
	int32_t		srid = ((p[0] & 0x1F) << 16) | (p[1] << 8) | p[2];

	if (srid & 0x100000)
		srid -= 0x200000;
	return srid;
}

static inline void
write_srid(uint8_t *p, int32_t srid)
{
	p[0] = (uint8_t) ((srid >> 16) & 0x1F);
	p[1] = (uint8_t) ((srid >> 8) & 0xFF);
	p[2] = (uint8_t) (srid & 0xFF);
}

/* bytes of the optional bounding box for these flags */
static inline size_t
bbox_size(uint8_t flags)
{
	size_t		ndims = 2 + (flags & GSER_F_Z ? 1 : 0) + (flags & GSER_F_M ? 1 : 0);

	if (!(flags & GSER_F_BBOX))
		return 0;
	if (flags & GSER_F_GEODETIC)
		return 6 * sizeof(float);
	return 2 * ndims * sizeof(float);
}

GserStatus
gser_parse(const uint8_t *payload, size_t len, GserGeom *g)
{
	size_t		off = 4;
	size_t		body;
	size_t		ptsize;
	uint32_t	i;

	memset(g, 0, sizeof(*g));
	if (len < 4)
		return GSER_E_SHORT;
	g->srid = read_srid(payload);
	g->flags = payload[3];
	g->version = (g->flags & GSER_F_VERSION) ? 2 : 1;
	g->has_z = (g->flags & GSER_F_Z) ? 1 : 0;
	g->has_m = (g->flags & GSER_F_M) ? 1 : 0;
	g->ndims = 2 + g->has_z + g->has_m;

	/* v1's 0x10 bit means read-only, not an extended-flags block */
	if (g->version == 2 && (g->flags & GSER_F_EXTENDED))
		off += 8;
	off += bbox_size(g->flags);
	if (len < off + 8)
		return GSER_E_SHORT;

	g->type = read_u32(payload + off);
	g->npoints = read_u32(payload + off + 4);
	body = len - off - 8;
	ptsize = (size_t) g->ndims * sizeof(double);

	switch (g->type)
	{
		case GSER_POINT:
		case GSER_LINESTRING:
			/* compare by division first so a huge npoints cannot overflow */
			if (g->npoints > body / ptsize || (size_t) g->npoints * ptsize != body)
				return GSER_E_SIZE;
			if (g->type == GSER_POINT && g->npoints > 1)
				return GSER_E_SIZE;
			g->coords = payload + off + 8;
			g->stride = (uint32_t) ptsize;
			return GSER_OK;

		case GSER_MULTIPOINT:
			/* members: type, npoints, then one point's ordinates each */
			ptsize += 8;
			if (g->npoints > body / ptsize || (size_t) g->npoints * ptsize != body)
				return GSER_E_SIZE;
			for (i = 0; i < g->npoints; i++)
			{
				const uint8_t *m = payload + off + 8 + (size_t) i * ptsize;

				if (read_u32(m) != GSER_POINT || read_u32(m + 4) != 1)
					return GSER_E_SUBTYPE;
			}
			g->coords = payload + off + 8 + 8;
			g->stride = (uint32_t) ptsize;
			return GSER_OK;

		default:
			return GSER_E_TYPE;
	}
}

/*
 * The varlena header of a datum: its total size and the header's (1 or 4
 * bytes), checked against the avail bytes there are.
 */
static GserStatus
varlena_span(const uint8_t *datum, size_t avail, size_t *total_out, size_t *hdr_out)
{
	size_t		total;
	size_t		hdr;

	if (avail < 1)
		return GSER_E_SHORT;
#ifdef GSER_BIG_ENDIAN
	if (datum[0] & 0x80)
	{
		if (datum[0] == 0x80)
			return GSER_E_VARLENA;	/* external TOAST pointer */
		total = datum[0] & 0x7F;
		hdr = 1;
	}
	else
	{
		uint32_t	h;

		if (avail < 4)
			return GSER_E_SHORT;
		if (datum[0] & 0x40)
			return GSER_E_VARLENA;	/* compressed */
		h = ((uint32_t) datum[0] << 24) | (datum[1] << 16) | (datum[2] << 8) | datum[3];
		total = h & 0x3FFFFFFF;
		hdr = 4;
	}
#else
	if (datum[0] & 0x01)
	{
		if (datum[0] == 0x01)
			return GSER_E_VARLENA;	/* external TOAST pointer */
		total = datum[0] >> 1;
		hdr = 1;
	}
	else
	{
		if (avail < 4)
			return GSER_E_SHORT;
		if (datum[0] & 0x02)
			return GSER_E_VARLENA;	/* compressed */
		total = read_u32(datum) >> 2;
		hdr = 4;
	}
#endif
	if (total < hdr || total > avail)
		return GSER_E_VARLENA;
	*total_out = total;
	*hdr_out = hdr;
	return GSER_OK;
}

GserStatus
gser_parse_varlena(const uint8_t *datum, size_t avail, GserGeom *g)
{
	size_t		total;
	size_t		hdr;
	GserStatus	st;

	memset(g, 0, sizeof(*g));
	st = varlena_span(datum, avail, &total, &hdr);
	if (st != GSER_OK)
		return st;
	return gser_parse(datum + hdr, total - hdr, g);
}

int
gser_point_xy(const uint8_t *datum, size_t avail, int32_t *srid, double *x, double *y)
{
	size_t		total,
				hdr;
	const uint8_t *p;
	uint8_t		flags;

	if (varlena_span(datum, avail, &total, &hdr) != GSER_OK || total < hdr + 28)
		return 0;
	p = datum + hdr;
	flags = p[3];
	/* v2 without box or extended flags: the type follows the SRID and flags */
	if ((flags & (GSER_F_VERSION | GSER_F_BBOX | GSER_F_EXTENDED)) != GSER_F_VERSION ||
		read_u32(p + 4) != GSER_POINT || read_u32(p + 8) != 1 ||
		total - hdr != 12 + 8 * (size_t) (2 + (flags & GSER_F_Z) + ((flags & GSER_F_M) >> 1)))
		return 0;
	*srid = read_srid(p);
	*x = read_f64(p + 12);
	*y = read_f64(p + 20);
	return 1;
}

void
gser_get_point(const GserGeom *g, uint32_t i,
			   double *x, double *y, double *z, double *m)
{
	const uint8_t *p = g->coords + (size_t) i * g->stride;

	*x = read_f64(p);
	*y = read_f64(p + 8);
	if (z)
		*z = g->has_z ? read_f64(p + 16) : NAN;
	if (m)
		*m = g->has_m ? read_f64(p + 8 * (2 + g->has_z)) : NAN;
}

/*
 * PostGIS stores bounding boxes as floats rounded outward, so that the box
 * always contains the exact coordinates.
 */
static float
float_down(double d)
{
	float		f = (float) d;

	if ((double) f <= d)
		return f;
	return nextafterf(f, -INFINITY);
}

static float
float_up(double d)
{
	float		f = (float) d;

	if ((double) f >= d)
		return f;
	return nextafterf(f, INFINITY);
}

static void
write_header(uint8_t *dst, size_t size, int32_t srid, uint8_t flags)
{
#ifdef GSER_BIG_ENDIAN
	uint32_t	h = (uint32_t) size & 0x3FFFFFFF;

	dst[0] = h >> 24;
	dst[1] = h >> 16;
	dst[2] = h >> 8;
	dst[3] = h;
#else
	uint32_t	h = (uint32_t) size << 2;

	memcpy(dst, &h, 4);
#endif
	write_srid(dst + 4, srid);
	dst[7] = flags;
}

static inline void
write_u32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* writes float bbox pairs (min, max) for each of ndims ordinates */
static uint8_t *
write_bbox(uint8_t *p, const double *coords, uint32_t n, int ndims)
{
	int			d;
	uint32_t	i;

	for (d = 0; d < ndims; d++)
	{
		double		lo = coords[d];
		double		hi = coords[d];
		float		f;

		for (i = 1; i < n; i++)
		{
			double		v = coords[(size_t) i * ndims + d];

			if (v < lo)
				lo = v;
			if (v > hi)
				hi = v;
		}
		f = float_down(lo);
		memcpy(p, &f, 4);
		f = float_up(hi);
		memcpy(p + 4, &f, 4);
		p += 8;
	}
	return p;
}

size_t
gser_linestring_m_size(uint32_t n)
{
	return 8 + (n > 2 ? 24 : 0) + 8 + (size_t) n * sizeof(TAFix);
}

void
gser_write_linestring_m(uint8_t *dst, int32_t srid, const TAFix *fix, uint32_t n)
{
	uint8_t		flags = GSER_F_VERSION | GSER_F_M;
	uint8_t    *p = dst + 8;

	/* PostGIS adds a box to lines of more than two vertices; so do we */
	if (n > 2)
		flags |= GSER_F_BBOX;
	write_header(dst, gser_linestring_m_size(n), srid, flags);
	if (n > 2)
		p = write_bbox(p, (const double *) fix, n, 3);
	write_u32(p, GSER_LINESTRING);
	write_u32(p + 4, n);
	if (n > 0)
		memcpy(p + 8, fix, (size_t) n * sizeof(TAFix));
}

size_t
gser_point_size(void)
{
	return 32;
}

void
gser_write_point(uint8_t *dst, int32_t srid, double x, double y)
{
	write_header(dst, 32, srid, GSER_F_VERSION);
	write_u32(dst + 8, GSER_POINT);
	write_u32(dst + 12, 1);
	memcpy(dst + 16, &x, 8);
	memcpy(dst + 24, &y, 8);
}

size_t
gser_polygon_size(uint32_t n)
{
	/* header, 2D box, type, nrings, one ring count and its padding, points */
	return 8 + 16 + 8 + 8 + (size_t) n * 16;
}

void
gser_write_polygon(uint8_t *dst, int32_t srid, const double *xy, uint32_t n)
{
	uint8_t    *p = dst + 8;

	write_header(dst, gser_polygon_size(n), srid, GSER_F_VERSION | GSER_F_BBOX);
	p = write_bbox(p, xy, n, 2);
	write_u32(p, GSER_POLYGON);
	write_u32(p + 4, 1);
	write_u32(p + 8, n);
	write_u32(p + 12, 0);		/* pad to 8 bytes after an odd ring count */
	memcpy(p + 16, xy, (size_t) n * 16);
}
