/*
 * test_gser.c
 *	  Unit tests of src/gser.c against the byte layouts in
 *	  docs/STYLE.md section 3 (observed from PostGIS 3.3.2 with pageinspect).
 *
 * Every parse runs on an exact-size heap copy, so AddressSanitizer reports
 * any read past the end of the value.
 */
#include "unit.h"

#include "gser.h"

/* ---------------------------------------------------------------- helpers */

/* a value under construction; the union keeps the bytes 8-byte aligned */
typedef struct Buf
{
	union
	{
		uint8_t		b[1024];
		double		align;
	}			u;
	size_t		n;
} Buf;

static void
put(Buf *b, const void *p, size_t len)
{
	if (b->n + len > sizeof(b->u.b))
		abort();
	memcpy(b->u.b + b->n, p, len);
	b->n += len;
}

static void
put_u32(Buf *b, uint32_t v)
{
	put(b, &v, 4);
}

static void
put_f32(Buf *b, float v)
{
	put(b, &v, 4);
}

static void
put_f64(Buf *b, double v)
{
	put(b, &v, 8);
}

/* a 4-byte varlena header placeholder, the 3 SRID bytes and the flags */
static void
put_head(Buf *b, uint32_t srid_bits, uint8_t flags)
{
	uint8_t		h[8] = {0, 0, 0, 0,
		(uint8_t) (srid_bits >> 16), (uint8_t) (srid_bits >> 8),
	(uint8_t) srid_bits, flags};

	b->n = 0;
	put(b, h, 8);
}

/* sets the 4-byte varlena header to the current length (little-endian layout) */
static void
finish(Buf *b)
{
	uint32_t	h = (uint32_t) b->n << 2;

	memcpy(b->u.b, &h, 4);
}

/*
 * gser_point_xy takes exactly the plain v2 points (no box, no extended
 * flags, one point) that gser_parse_varlena reads, with the same SRID and
 * bits of x and y, and leaves everything else to it.  Every value the tests
 * parse goes through this check too.
 */
static void
check_point_xy(const uint8_t *bytes, size_t len)
{
	uint8_t    *p = unit_exact_copy(bytes, len);
	GserGeom	g;
	GserStatus	st = gser_parse_varlena(p, len, &g);
	int			plain = st == GSER_OK && g.type == GSER_POINT && g.npoints == 1 &&
		g.version == 2 && !(g.flags & (GSER_F_BBOX | GSER_F_EXTENDED));
	int32_t		srid = 0;
	double		x = 0,
				y = 0,
				gx,
				gy;
	int			fast = gser_point_xy(p, len, &srid, &x, &y);

	CHECK_INT(fast, plain);
	if (fast && plain)
	{
		gser_get_point(&g, 0, &gx, &gy, NULL, NULL);
		CHECK_INT(srid, g.srid);
		CHECK(memcmp(&x, &gx, sizeof(x)) == 0 && memcmp(&y, &gy, sizeof(y)) == 0);
	}
	free(p);
}

/* parses an exact-size copy with gser_parse_varlena */
static GserStatus
parse_copy(const uint8_t *bytes, size_t len, GserGeom *g)
{
	uint8_t    *p;
	GserStatus	st;

	check_point_xy(bytes, len);
	p = unit_exact_copy(bytes, len);
	st = gser_parse_varlena(p, len, g);

	/* the GserGeom points into p: callers only look at scalars after this */
	free(p);
	g->coords = NULL;
	return st;
}

/* parses with gser_parse_varlena, then reads point i; p stays allocated */
typedef struct Parsed
{
	uint8_t    *copy;
	GserGeom	g;
	GserStatus	st;
} Parsed;

static Parsed
parse_keep(const uint8_t *bytes, size_t len)
{
	Parsed		r;

	check_point_xy(bytes, len);
	r.copy = unit_exact_copy(bytes, len);
	r.st = gser_parse_varlena(r.copy, len, &r.g);
	return r;
}

/* reads point i of a parsed value; a failed parse is a failed check, not a crash */
#define point_at(r, i, x, y, z, m) point_at_(__FILE__, __LINE__, r, i, x, y, z, m)

static void
point_at_(const char *file, int line, const Parsed *r, uint32_t i,
		  double *x, double *y, double *z, double *m)
{
	if (r->st != GSER_OK || i >= r->g.npoints)
	{
		unit_fail_at(file, line);
		fprintf(stderr, "no point %u: status %d, %u points\n", i, r->st, r->g.npoints);
		*x = *y = NAN;
		if (z)
			*z = NAN;
		if (m)
			*m = NAN;
		return;
	}
	gser_get_point(&r->g, i, x, y, z, m);
}

/* ------------------------------------------------ STYLE.md's exact bytes */

/* SRID=4326;POINT(1 2) as stored on disk, with a 1-byte varlena header */
static const char POINT_1B[] =
	"3b|0010e6|40|01000000|01000000|000000000000f03f|0000000000000040";

/* SRID=4326;LINESTRINGM(0 0 10,1 1 11): 64 bytes detoasted, 61 on disk */
static const char LINEM2_1B[] =
	"7b|0010e6|42|02000000|02000000"
	"|0000000000000000|0000000000000000|0000000000002440"
	"|000000000000f03f|000000000000f03f|0000000000002640";

/* SRID=4326;LINESTRINGM(0 0 10,1 1 11,2 0 12): 112 bytes, bbox, 109 on disk */
static const char LINEM3_1B[] =
	"db|0010e6|46|00000000 00000040 00000000 0000803f 00002041 00004041"
	"|02000000|03000000"
	"|0000000000000000|0000000000000000|0000000000002440"
	"|000000000000f03f|000000000000f03f|0000000000002640"
	"|0000000000000040|0000000000000000|0000000000002840";

/* POINT EMPTY: 16 bytes (4-byte header 16 << 2 = 0x40) */
static const char POINT_EMPTY_4B[] = "40000000|000000|40|01000000|00000000";

/* the same value with the 4-byte header a detoasted copy has */
static size_t
to_4byte(const uint8_t *one, size_t n1, uint8_t *out)
{
	uint32_t	h = (uint32_t) (n1 + 3) << 2;

	memcpy(out, &h, 4);
	memcpy(out + 4, one + 1, n1 - 1);
	return n1 + 3;
}

static void
test_point_1byte_header(void)
{
	uint8_t		raw[64];
	size_t		n = unit_hex(POINT_1B, raw, sizeof(raw));
	Parsed		r;
	double		x,
				y,
				z,
				m;

	CHECK_INT(n, 29);
	CHECK_INT(raw[0] >> 1, 29);
	r = parse_keep(raw, n);
	CHECK_INT(r.st, GSER_OK);
	CHECK_INT(r.g.srid, 4326);
	CHECK_INT(r.g.version, 2);
	CHECK_INT(r.g.type, GSER_POINT);
	CHECK_INT(r.g.npoints, 1);
	CHECK_INT(r.g.ndims, 2);
	CHECK_INT(r.g.has_z, 0);
	CHECK_INT(r.g.has_m, 0);
	if (r.st == GSER_OK)
	{
		point_at(&r, 0, &x, &y, &z, &m);
		CHECK_SAME_DOUBLE(x, 1.0);
		CHECK_SAME_DOUBLE(y, 2.0);
		CHECK(isnan(z));
		CHECK(isnan(m));
		/* z and m may be NULL */
		gser_get_point(&r.g, 0, &x, &y, NULL, NULL);
		CHECK_SAME_DOUBLE(y, 2.0);
	}
	free(r.copy);
}

static void
test_point_1byte_header_unaligned(void)
{
	/* on disk the payload starts at an odd address; coordinates are unaligned */
	uint8_t		raw[64];
	size_t		n = unit_hex(POINT_1B, raw, sizeof(raw));
	uint8_t    *block = malloc(n + 1);
	GserGeom	g;
	double		x,
				y;

	memcpy(block + 1, raw, n);
	CHECK_INT(gser_parse_varlena(block + 1, n, &g), GSER_OK);
	gser_get_point(&g, 0, &x, &y, NULL, NULL);
	CHECK_SAME_DOUBLE(x, 1.0);
	CHECK_SAME_DOUBLE(y, 2.0);
	free(block);
}

static void
test_point_4byte_header_and_writer(void)
{
	uint8_t		raw[64],
				four[64];
	size_t		n = unit_hex(POINT_1B, raw, sizeof(raw));
	size_t		n4 = to_4byte(raw, n, four);
	union
	{
		uint8_t		b[32];
		double		d;
	}			w;
	Parsed		r;
	double		x,
				y;

	CHECK_INT(n4, 32);
	CHECK_INT(gser_point_size(), 32);
	r = parse_keep(four, n4);
	CHECK_INT(r.st, GSER_OK);
	CHECK_INT(r.g.srid, 4326);
	CHECK_INT(r.g.type, GSER_POINT);
	point_at(&r, 0, &x, &y, NULL, NULL);
	CHECK_SAME_DOUBLE(x, 1.0);
	CHECK_SAME_DOUBLE(y, 2.0);
	free(r.copy);

	/* the writer produces PostGIS's bytes exactly */
	memset(w.b, 0xAA, sizeof(w.b));
	gser_write_point(w.b, 4326, 1.0, 2.0);
	CHECK(memcmp(w.b, four, 32) == 0);
}

static void
test_linestring_m_64(void)
{
	uint8_t		raw[128],
				four[128];
	size_t		n = unit_hex(LINEM2_1B, raw, sizeof(raw));
	size_t		n4 = to_4byte(raw, n, four);
	static const double want[2][3] = {{0, 0, 10}, {1, 1, 11}};
	TAFix		fix[2] = {{0, 0, 10}, {1, 1, 11}};
	union
	{
		uint8_t		b[64];
		double		d;
	}			w;
	int			pass,
				i;

	CHECK_INT(n, 61);
	CHECK_INT(raw[0] >> 1, 61);
	CHECK_INT(n4, 64);
	for (pass = 0; pass < 2; pass++)
	{
		Parsed		r = pass ? parse_keep(four, n4) : parse_keep(raw, n);

		CHECK_INT(r.st, GSER_OK);
		CHECK_INT(r.g.srid, 4326);
		CHECK_INT(r.g.type, GSER_LINESTRING);
		CHECK_INT(r.g.npoints, 2);
		CHECK_INT(r.g.ndims, 3);
		CHECK_INT(r.g.has_m, 1);
		CHECK_INT(r.g.has_z, 0);
		for (i = 0; r.st == GSER_OK && i < 2; i++)
		{
			double		x,
						y,
						z,
						m;

			point_at(&r, (uint32_t) i, &x, &y, &z, &m);
			CHECK_SAME_DOUBLE(x, want[i][0]);
			CHECK_SAME_DOUBLE(y, want[i][1]);
			CHECK(isnan(z));
			CHECK_SAME_DOUBLE(m, want[i][2]);
		}
		free(r.copy);
	}

	CHECK_INT(gser_linestring_m_size(2), 64);
	gser_write_linestring_m(w.b, 4326, fix, 2);
	CHECK(memcmp(w.b, four, 64) == 0);
}

static void
test_linestring_m_112_bbox(void)
{
	uint8_t		raw[160],
				four[160];
	size_t		n = unit_hex(LINEM3_1B, raw, sizeof(raw));
	size_t		n4 = to_4byte(raw, n, four);
	static const double want[3][3] = {{0, 0, 10}, {1, 1, 11}, {2, 0, 12}};
	TAFix		fix[3] = {{0, 0, 10}, {1, 1, 11}, {2, 0, 12}};
	union
	{
		uint8_t		b[112];
		double		d;
	}			w;
	Parsed		r;
	int			i;

	CHECK_INT(n, 109);
	CHECK_INT(raw[0] >> 1, 109);
	CHECK_INT(n4, 112);
	r = parse_keep(raw, n);
	CHECK_INT(r.st, GSER_OK);
	CHECK_INT(r.g.flags, 0x46);
	CHECK_INT(r.g.type, GSER_LINESTRING);
	CHECK_INT(r.g.npoints, 3);
	for (i = 0; r.st == GSER_OK && i < 3; i++)
	{
		double		x,
					y,
					m;

		point_at(&r, (uint32_t) i, &x, &y, NULL, &m);
		CHECK_SAME_DOUBLE(x, want[i][0]);
		CHECK_SAME_DOUBLE(y, want[i][1]);
		CHECK_SAME_DOUBLE(m, want[i][2]);
	}
	free(r.copy);

	CHECK_INT(gser_linestring_m_size(3), 112);
	gser_write_linestring_m(w.b, 4326, fix, 3);
	CHECK(memcmp(w.b, four, 112) == 0);
}

static void
test_point_empty(void)
{
	uint8_t		raw[32];
	size_t		n = unit_hex(POINT_EMPTY_4B, raw, sizeof(raw));
	GserGeom	g;

	CHECK_INT(n, 16);
	CHECK_INT(parse_copy(raw, n, &g), GSER_OK);
	CHECK_INT(g.type, GSER_POINT);
	CHECK_INT(g.npoints, 0);
	CHECK_INT(g.srid, 0);

	/* the same with a 1-byte header: 13 bytes, (13 << 1) | 1 = 0x1b */
	raw[3] = 0x1b;
	CHECK_INT(parse_copy(raw + 3, 13, &g), GSER_OK);
	CHECK_INT(g.npoints, 0);

	/* a POINT cannot have two points */
	{
		Buf			b;

		put_head(&b, 0, 0x40);
		put_u32(&b, GSER_POINT);
		put_u32(&b, 2);
		put_f64(&b, 1);
		put_f64(&b, 2);
		put_f64(&b, 3);
		put_f64(&b, 4);
		finish(&b);
		CHECK_INT(parse_copy(b.u.b, b.n, &g), GSER_E_SIZE);
	}
}

/* ------------------------------------------------------ versions and flags */

static void
test_v1_format(void)
{
	Buf			b;
	Parsed		r;
	double		x,
				y;

	/* v1 2D point: flags 0x00, same size as v2 */
	put_head(&b, 4326, 0x00);
	put_u32(&b, GSER_POINT);
	put_u32(&b, 1);
	put_f64(&b, 3.5);
	put_f64(&b, -4.25);
	finish(&b);
	r = parse_keep(b.u.b, b.n);
	CHECK_INT(r.st, GSER_OK);
	CHECK_INT(r.g.version, 1);
	CHECK_INT(r.g.srid, 4326);
	point_at(&r, 0, &x, &y, NULL, NULL);
	CHECK_SAME_DOUBLE(x, 3.5);
	CHECK_SAME_DOUBLE(y, -4.25);
	free(r.copy);

	/* v1 0x10 is READONLY, not an extended-flags block: nothing is skipped */
	b.u.b[7] = 0x10;
	r = parse_keep(b.u.b, b.n);
	CHECK_INT(r.st, GSER_OK);
	CHECK_INT(r.g.version, 1);
	point_at(&r, 0, &x, &y, NULL, NULL);
	CHECK_SAME_DOUBLE(x, 3.5);
	free(r.copy);

	/* v1 0x20 is SOLID: also no extra bytes */
	b.u.b[7] = 0x30;
	CHECK_INT(parse_copy(b.u.b, b.n, &r.g), GSER_OK);

	/* v1 bbox starts at offset 8 even with READONLY set */
	put_head(&b, 4326, 0x14);
	put_f32(&b, 3.5f);
	put_f32(&b, 3.5f);
	put_f32(&b, -4.25f);
	put_f32(&b, -4.25f);
	put_u32(&b, GSER_POINT);
	put_u32(&b, 1);
	put_f64(&b, 3.5);
	put_f64(&b, -4.25);
	finish(&b);
	CHECK_INT(b.n, 48);
	r = parse_keep(b.u.b, b.n);
	CHECK_INT(r.st, GSER_OK);
	CHECK_INT(r.g.version, 1);
	CHECK_INT(r.g.type, GSER_POINT);
	point_at(&r, 0, &x, &y, NULL, NULL);
	CHECK_SAME_DOUBLE(x, 3.5);
	CHECK_SAME_DOUBLE(y, -4.25);
	free(r.copy);

	/* v1 LINESTRING M with bbox (flags 0x06) */
	put_head(&b, 4326, 0x06);
	put_f32(&b, 0);
	put_f32(&b, 1);
	put_f32(&b, 0);
	put_f32(&b, 1);
	put_f32(&b, 10);
	put_f32(&b, 11);
	put_u32(&b, GSER_LINESTRING);
	put_u32(&b, 2);
	put_f64(&b, 0);
	put_f64(&b, 0);
	put_f64(&b, 10);
	put_f64(&b, 1);
	put_f64(&b, 1);
	put_f64(&b, 11);
	finish(&b);
	r = parse_keep(b.u.b, b.n);
	CHECK_INT(r.st, GSER_OK);
	CHECK_INT(r.g.version, 1);
	CHECK_INT(r.g.npoints, 2);
	if (r.st == GSER_OK)
	{
		double		m;

		point_at(&r, 1, &x, &y, NULL, &m);
		CHECK_SAME_DOUBLE(x, 1.0);
		CHECK_SAME_DOUBLE(m, 11.0);
	}
	free(r.copy);
}

static void
test_v2_extended_flags(void)
{
	Buf			b;
	Parsed		r;
	double		x,
				y;

	/* cu_gserialized2.c: a POINT with extended flags is 40 bytes */
	put_head(&b, 4326, 0x50);
	put_u32(&b, 1);				/* extended flags: IsSolid */
	put_u32(&b, 0);
	put_u32(&b, GSER_POINT);
	put_u32(&b, 1);
	put_f64(&b, 7);
	put_f64(&b, 8);
	finish(&b);
	CHECK_INT(b.n, 40);
	r = parse_keep(b.u.b, b.n);
	CHECK_INT(r.st, GSER_OK);
	CHECK_INT(r.g.version, 2);
	point_at(&r, 0, &x, &y, NULL, NULL);
	CHECK_SAME_DOUBLE(x, 7.0);
	CHECK_SAME_DOUBLE(y, 8.0);
	free(r.copy);

	/* extended flags, then bbox: 8 + 8 + 16 + 8 + 16 = 56 */
	put_head(&b, 4326, 0x54);
	put_u32(&b, 0);
	put_u32(&b, 0);
	put_f32(&b, 7);
	put_f32(&b, 7);
	put_f32(&b, 8);
	put_f32(&b, 8);
	put_u32(&b, GSER_POINT);
	put_u32(&b, 1);
	put_f64(&b, 7);
	put_f64(&b, 8);
	finish(&b);
	CHECK_INT(b.n, 56);
	r = parse_keep(b.u.b, b.n);
	CHECK_INT(r.st, GSER_OK);
	point_at(&r, 0, &x, &y, NULL, NULL);
	CHECK_SAME_DOUBLE(x, 7.0);
	CHECK_SAME_DOUBLE(y, 8.0);
	free(r.copy);

	/* the same bytes read with the flag cleared do not fit */
	b.u.b[7] = 0x44;
	CHECK(parse_copy(b.u.b, b.n, &r.g) != GSER_OK);
}

static void
test_bbox_on_point(void)
{
	Buf			b;
	Parsed		r;
	double		x,
				y;

	/* postgis_addbbox(point): flags 0x44, 48 bytes */
	put_head(&b, 4326, 0x44);
	put_f32(&b, 1);
	put_f32(&b, 1);
	put_f32(&b, 2);
	put_f32(&b, 2);
	put_u32(&b, GSER_POINT);
	put_u32(&b, 1);
	put_f64(&b, 1);
	put_f64(&b, 2);
	finish(&b);
	CHECK_INT(b.n, 48);
	r = parse_keep(b.u.b, b.n);
	CHECK_INT(r.st, GSER_OK);
	CHECK_INT(r.g.type, GSER_POINT);
	point_at(&r, 0, &x, &y, NULL, NULL);
	CHECK_SAME_DOUBLE(x, 1.0);
	CHECK_SAME_DOUBLE(y, 2.0);
	free(r.copy);

	/* geodetic (geography) bbox is always 6 floats, even in 2D: 8+24+8+16 */
	put_head(&b, 4326, 0x4C);
	put_f32(&b, 0);
	put_f32(&b, 0);
	put_f32(&b, 0);
	put_f32(&b, 0);
	put_f32(&b, 0);
	put_f32(&b, 0);
	put_u32(&b, GSER_POINT);
	put_u32(&b, 1);
	put_f64(&b, 1);
	put_f64(&b, 2);
	finish(&b);
	CHECK_INT(b.n, 56);
	r = parse_keep(b.u.b, b.n);
	CHECK_INT(r.st, GSER_OK);
	point_at(&r, 0, &x, &y, NULL, NULL);
	CHECK_SAME_DOUBLE(x, 1.0);
	CHECK_SAME_DOUBLE(y, 2.0);
	free(r.copy);
}

static void
test_z_m_zm_points(void)
{
	static const struct
	{
		uint8_t		flags;
		int			ndims;
		size_t		size;
		double		z,
					m;
	}			cases[] = {
		{0x41, 3, 40, 3.0, NAN},	/* POINT Z (1 2 3) */
		{0x42, 3, 40, NAN, 4.0},	/* POINT M (1 2 4) */
		{0x43, 4, 48, 3.0, 4.0},	/* POINT ZM (1 2 3 4) */
	};
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		Buf			b;
		Parsed		r;
		double		x,
					y,
					z,
					m;

		put_head(&b, 4326, cases[i].flags);
		put_u32(&b, GSER_POINT);
		put_u32(&b, 1);
		put_f64(&b, 1);
		put_f64(&b, 2);
		if (!isnan(cases[i].z))
			put_f64(&b, cases[i].z);
		if (!isnan(cases[i].m))
			put_f64(&b, cases[i].m);
		finish(&b);
		CHECK_INT(b.n, cases[i].size);
		r = parse_keep(b.u.b, b.n);
		CHECK_INT(r.st, GSER_OK);
		CHECK_INT(r.g.ndims, cases[i].ndims);
		point_at(&r, 0, &x, &y, &z, &m);
		CHECK_SAME_DOUBLE(x, 1.0);
		CHECK_SAME_DOUBLE(y, 2.0);
		CHECK_SAME_DOUBLE(z, cases[i].z);
		CHECK_SAME_DOUBLE(m, cases[i].m);
		free(r.copy);

		/* and with a bbox of 2 * ndims floats */
		{
			Buf			bb;
			int			d;

			put_head(&bb, 4326, cases[i].flags | 0x04);
			for (d = 0; d < 2 * cases[i].ndims; d++)
				put_f32(&bb, 0);
			put(&bb, b.u.b + 8, b.n - 8);
			finish(&bb);
			CHECK_INT(bb.n, cases[i].size + 8 * cases[i].ndims);
			r = parse_keep(bb.u.b, bb.n);
			CHECK_INT(r.st, GSER_OK);
			point_at(&r, 0, &x, &y, &z, &m);
			CHECK_SAME_DOUBLE(x, 1.0);
			CHECK_SAME_DOUBLE(z, cases[i].z);
			CHECK_SAME_DOUBLE(m, cases[i].m);
			free(r.copy);
		}
	}
}

static void
put_multipoint_m(Buf *b, uint8_t flags, int bad_member)
{
	int			i;

	put_head(b, 4326, flags);
	if (flags & 0x04)
	{
		put_f32(b, 0);
		put_f32(b, 5);
		put_f32(b, 1);
		put_f32(b, 6);
		put_f32(b, 100);
		put_f32(b, 101);
	}
	put_u32(b, GSER_MULTIPOINT);
	put_u32(b, 2);
	for (i = 0; i < 2; i++)
	{
		put_u32(b, (i == 1 && bad_member == 1) ? GSER_LINESTRING : GSER_POINT);
		put_u32(b, (i == 1 && bad_member == 2) ? 0 : 1);
		put_f64(b, i * 5.0);
		put_f64(b, 1 + i * 5.0);
		put_f64(b, 100 + i);
	}
	finish(b);
}

static void
test_multipoint_m(void)
{
	int			withbox;

	for (withbox = 0; withbox < 2; withbox++)
	{
		Buf			b;
		Parsed		r;
		GserGeom	g;
		uint32_t	i;

		put_multipoint_m(&b, withbox ? 0x46 : 0x42, 0);
		CHECK_INT(b.n, withbox ? 104 : 80);
		r = parse_keep(b.u.b, b.n);
		CHECK_INT(r.st, GSER_OK);
		CHECK_INT(r.g.type, GSER_MULTIPOINT);
		CHECK_INT(r.g.npoints, 2);
		CHECK_INT(r.g.stride, 32);
		for (i = 0; r.st == GSER_OK && i < 2; i++)
		{
			double		x,
						y,
						z,
						m;

			point_at(&r, i, &x, &y, &z, &m);
			CHECK_SAME_DOUBLE(x, i * 5.0);
			CHECK_SAME_DOUBLE(y, 1 + i * 5.0);
			CHECK(isnan(z));
			CHECK_SAME_DOUBLE(m, 100.0 + i);
		}
		free(r.copy);

		/* a member that is not a single point */
		put_multipoint_m(&b, withbox ? 0x46 : 0x42, 1);
		CHECK_INT(parse_copy(b.u.b, b.n, &g), GSER_E_SUBTYPE);
	}

	/* an empty member has no ordinates: the size no longer matches */
	{
		Buf			b;
		GserGeom	g;

		put_multipoint_m(&b, 0x42, 2);
		CHECK(parse_copy(b.u.b, b.n, &g) != GSER_OK);
	}

	/* MULTIPOINT EMPTY */
	{
		Buf			b;
		GserGeom	g;

		put_head(&b, 0, 0x40);
		put_u32(&b, GSER_MULTIPOINT);
		put_u32(&b, 0);
		finish(&b);
		CHECK_INT(parse_copy(b.u.b, b.n, &g), GSER_OK);
		CHECK_INT(g.npoints, 0);
	}
}

static void
test_srid(void)
{
	static const struct
	{
		uint32_t	bits;
		int32_t		srid;
	}			cases[] = {
		{0x0010e6, 4326},
		{0x0f423f, 999999},
		{0x000000, 0},
		{0x1fffff, -1},			/* sign bit 0x100000 set */
		{0x100000, -1048576},
		{0x0fffff, 1048575},
		{0xe010e6, 4326},		/* the top 3 bits of the first byte are not SRID */
		{0xffffff, -1},
	};
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		Buf			b;
		GserGeom	g;

		put_head(&b, cases[i].bits, 0x40);
		put_u32(&b, GSER_POINT);
		put_u32(&b, 0);
		finish(&b);
		CHECK_INT(parse_copy(b.u.b, b.n, &g), GSER_OK);
		CHECKF(g.srid == cases[i].srid, "bits %06x: srid %d, expected %d",
			   (unsigned) cases[i].bits, g.srid, cases[i].srid);
	}

	/* the writer stores 21 bits big-endian */
	{
		union
		{
			uint8_t		b[32];
			double		d;
		}			w;
		GserGeom	g;

		gser_write_point(w.b, 999999, 0, 0);
		CHECK_INT(w.b[4], 0x0f);
		CHECK_INT(w.b[5], 0x42);
		CHECK_INT(w.b[6], 0x3f);
		CHECK_INT(parse_copy(w.b, 32, &g), GSER_OK);
		CHECK_INT(g.srid, 999999);
		gser_write_point(w.b, -1, 0, 0);
		CHECK_INT(parse_copy(w.b, 32, &g), GSER_OK);
		CHECK_INT(g.srid, -1);
	}
}

/* ------------------------------------------------------ malformed values */

/* every valid sample value used by the truncation test (4-byte headers) */
static size_t
sample(int k, Buf *b)
{
	uint8_t		raw[256];
	size_t		n;
	TAFix		fix[4] = {{0.1, 0.2, 1}, {0.3, 0.4, 2}, {0.5, 0.6, 3}, {0.7, 0.8, 4}};

	switch (k)
	{
		case 0:
			n = unit_hex(POINT_1B, raw, sizeof(raw));
			b->n = to_4byte(raw, n, b->u.b);
			return b->n;
		case 1:
			n = unit_hex(LINEM2_1B, raw, sizeof(raw));
			b->n = to_4byte(raw, n, b->u.b);
			return b->n;
		case 2:
			n = unit_hex(LINEM3_1B, raw, sizeof(raw));
			b->n = to_4byte(raw, n, b->u.b);
			return b->n;
		case 3:
			b->n = unit_hex(POINT_EMPTY_4B, b->u.b, sizeof(b->u.b));
			return b->n;
		case 4:
			put_multipoint_m(b, 0x46, 0);
			return b->n;
		case 5:
			put_multipoint_m(b, 0x42, 0);
			return b->n;
		case 6:
			b->n = gser_linestring_m_size(4);
			gser_write_linestring_m(b->u.b, 4326, fix, 4);
			return b->n;
		case 7:
			/* v2 ZM point with extended flags and bbox */
			put_head(b, 3857, 0x57);
			put_u32(b, 0);
			put_u32(b, 0);
			{
				int			d;

				for (d = 0; d < 8; d++)
					put_f32(b, 0);
			}
			put_u32(b, GSER_POINT);
			put_u32(b, 1);
			put_f64(b, 1);
			put_f64(b, 2);
			put_f64(b, 3);
			put_f64(b, 4);
			finish(b);
			return b->n;
		case 8:
			/* v1 line Z with bbox and READONLY */
			put_head(b, 4326, 0x15);
			{
				int			d;

				for (d = 0; d < 6; d++)
					put_f32(b, 0);
			}
			put_u32(b, GSER_LINESTRING);
			put_u32(b, 2);
			{
				int			d;

				for (d = 0; d < 6; d++)
					put_f64(b, d);
			}
			finish(b);
			return b->n;
	}
	return 0;
}

#define NSAMPLES 9

static void
test_truncations(void)
{
	int			k;

	for (k = 0; k < NSAMPLES; k++)
	{
		Buf			b;
		size_t		full = sample(k, &b);
		size_t		len;
		GserGeom	g;

		CHECKF(parse_copy(b.u.b, full, &g) == GSER_OK, "sample %d", k);

		/* a datum may be followed by other bytes: only its own length counts */
		{
			uint8_t		more[1100];

			memcpy(more, b.u.b, full);
			memset(more + full, 0x55, 16);
			CHECKF(parse_copy(more, full + 16, &g) == GSER_OK, "sample %d + 16", k);
		}

		for (len = 0; len < full; len++)
		{
			uint8_t    *p;
			uint32_t	h;
			GserStatus	st;

			/* fewer bytes readable than the header declares */
			st = parse_copy(b.u.b, len, &g);
			CHECKF(st != GSER_OK, "sample %d, %zu of %zu bytes readable", k, len, full);

			/* a header that declares the shorter length */
			if (len >= 4)
			{
				p = unit_exact_copy(b.u.b, len);
				h = (uint32_t) len << 2;
				memcpy(p, &h, 4);
				st = gser_parse_varlena(p, len, &g);
				CHECKF(st != GSER_OK, "sample %d, declared %zu of %zu bytes", k, len, full);
				free(p);
			}

			/* a 1-byte header that declares the shorter length */
			if (len >= 4 && len - 3 <= 127)
			{
				size_t		n1 = len - 3;

				p = unit_exact_copy(b.u.b + 3, n1);
				p[0] = (uint8_t) (n1 << 1 | 1);
				st = gser_parse_varlena(p, n1, &g);
				CHECKF(st != GSER_OK, "sample %d, 1-byte header, %zu bytes", k, n1);
				free(p);
			}

			/* gser_parse on a truncated payload */
			if (len >= 4)
			{
				p = unit_exact_copy(b.u.b + 4, len - 4);
				st = gser_parse(p, len - 4, &g);
				CHECKF(st != GSER_OK, "sample %d, payload %zu of %zu", k, len - 4, full - 4);
				free(p);
			}
		}
	}
}

static void
test_trailing_bytes(void)
{
	int			k;

	/* bytes after the last point but inside the datum: sizes must match exactly */
	for (k = 0; k < NSAMPLES; k++)
	{
		Buf			b;
		GserGeom	g;

		sample(k, &b);
		put_f64(&b, 0);
		finish(&b);
		CHECKF(parse_copy(b.u.b, b.n, &g) == GSER_E_SIZE, "sample %d + 8 bytes", k);
		CHECKF(gser_parse(b.u.b + 4, b.n - 4, &g) == GSER_E_SIZE, "payload %d + 8 bytes", k);
		b.n -= 4;
		finish(&b);
		CHECKF(parse_copy(b.u.b, b.n, &g) != GSER_OK, "sample %d + 4 bytes", k);
	}
}

static void
test_npoints_overflow(void)
{
	static const uint32_t counts[] = {
		0xFFFFFFFFu, 0x80000000u, 0x10000000u, 0x08000000u, 0x0AAAAAABu, 2, 0
	};
	static const uint32_t types[] = {GSER_POINT, GSER_LINESTRING, GSER_MULTIPOINT};
	static const uint8_t flags[] = {0x40, 0x41, 0x42, 0x43};
	size_t		c,
				t,
				f;

	for (c = 0; c < sizeof(counts) / sizeof(counts[0]); c++)
		for (t = 0; t < 3; t++)
			for (f = 0; f < 4; f++)
			{
				Buf			b;
				GserGeom	g;
				GserStatus	st;

				/* one 2D/3D/4D point's worth of body: never enough for these counts */
				put_head(&b, 4326, flags[f]);
				put_u32(&b, types[t]);
				put_u32(&b, counts[c]);
				if (counts[c] != 2 && counts[c] != 0)
				{
					put_f64(&b, 1);
					put_f64(&b, 2);
				}
				finish(&b);
				st = parse_copy(b.u.b, b.n, &g);
				if (counts[c] == 0)
					CHECK_INT(st, GSER_OK);
				else
					CHECKF(st == GSER_E_SIZE,
						   "npoints %u type %u flags %02x: status %d",
						   counts[c], types[t], flags[f], st);
			}

	/* npoints * 16 wraps to 0 in 32 bits: must not pass as an empty body */
	{
		Buf			b;
		GserGeom	g;

		put_head(&b, 4326, 0x40);
		put_u32(&b, GSER_LINESTRING);
		put_u32(&b, 0x10000000u);
		finish(&b);
		CHECK_INT(parse_copy(b.u.b, b.n, &g), GSER_E_SIZE);
	}
}

static void
test_varlena_headers(void)
{
	uint8_t		raw[64];
	size_t		n = unit_hex(POINT_1B, raw, sizeof(raw));
	uint8_t		four[64];
	size_t		n4 = to_4byte(raw, n, four);
	GserGeom	g;
	uint8_t		v[64];

	/* 4-byte header with the compressed bit (0x02 on little-endian) */
	memcpy(v, four, n4);
	v[0] |= 0x02;
	CHECK_INT(parse_copy(v, n4, &g), GSER_E_VARLENA);

	/* a TOAST pointer: 1-byte header 0x01, then the tag */
	v[0] = 0x01;
	v[1] = 18;					/* VARTAG_ONDISK */
	memset(v + 2, 0, 18);
	CHECK_INT(parse_copy(v, 20, &g), GSER_E_VARLENA);
	CHECK_INT(parse_copy(v, 1, &g), GSER_E_VARLENA);

	/* a declared length beyond the readable bytes */
	memcpy(v, raw, n);
	CHECK_INT(parse_copy(v, n - 1, &g), GSER_E_VARLENA);

	/* a 4-byte header declaring fewer than 4 bytes */
	memcpy(v, four, n4);
	v[0] = 3 << 2;
	v[1] = v[2] = v[3] = 0;
	CHECK_INT(parse_copy(v, n4, &g), GSER_E_VARLENA);

	/* a 4-byte header declaring a huge length */
	memcpy(v, four, n4);
	v[0] = 0xFC;
	v[1] = v[2] = v[3] = 0xFF;
	CHECK_INT(parse_copy(v, n4, &g), GSER_E_VARLENA);

	/* nothing at all, and fewer than 4 bytes of a 4-byte header */
	CHECK_INT(parse_copy(v, 0, &g), GSER_E_SHORT);
	memcpy(v, four, n4);
	CHECK_INT(parse_copy(v, 3, &g), GSER_E_SHORT);

	/* payload shorter than its header; an unknown type */
	CHECK_INT(gser_parse(four + 4, 3, &g), GSER_E_SHORT);
	memcpy(v, four, n4);
	v[8] = 9;
	CHECK_INT(parse_copy(v, n4, &g), GSER_E_TYPE);
	v[8] = 0;
	CHECK_INT(parse_copy(v, n4, &g), GSER_E_TYPE);

	/* every status has a message */
	{
		int			s;

		for (s = GSER_OK; s <= GSER_E_SUBTYPE; s++)
			CHECK(strlen(gser_status_message((GserStatus) s)) > 1);
	}
}

/* ------------------------------------------------------------- writers */

/* deterministic doubles that floats cannot represent */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static double
rnd(double lo, double hi)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return lo + (hi - lo) * ((double) (rng_state >> 11) / 9007199254740992.0);
}

static void
check_bbox(const uint8_t *box, const double *coords, uint32_t n, int ndims,
		   const char *what)
{
	int			d;

	for (d = 0; d < ndims; d++)
	{
		double		lo = INFINITY,
					hi = -INFINITY;
		float		flo,
					fhi;
		uint32_t	i;

		for (i = 0; i < n; i++)
		{
			double		v = coords[(size_t) i * ndims + d];

			lo = v < lo ? v : lo;
			hi = v > hi ? v : hi;
		}
		memcpy(&flo, box + 8 * d, 4);
		memcpy(&fhi, box + 8 * d + 4, 4);
		/* outward ... */
		CHECKF((double) flo <= lo, "%s dim %d: float min %.9g > min %.17g", what, d, flo, lo);
		CHECKF((double) fhi >= hi, "%s dim %d: float max %.9g < max %.17g", what, d, fhi, hi);
		/* ... and the nearest float that way */
		CHECKF((double) nextafterf(flo, INFINITY) > lo, "%s dim %d: min not tight", what, d);
		CHECKF((double) nextafterf(fhi, -INFINITY) < hi, "%s dim %d: max not tight", what, d);
	}
}

static void
test_linestring_round_trip(void)
{
	static const uint32_t sizes[] = {0, 1, 2, 3, 4, 17, 1000};
	size_t		s;

	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
	{
		uint32_t	n = sizes[s];
		TAFix	   *fix = malloc(sizeof(TAFix) * (n ? n : 1));
		size_t		size = gser_linestring_m_size(n);
		uint8_t    *w = malloc(size);
		GserGeom	g;
		uint32_t	i;
		char		what[32];

		snprintf(what, sizeof(what), "n=%u", n);
		for (i = 0; i < n; i++)
		{
			fix[i].x = rnd(-180, 180);
			fix[i].y = rnd(-90, 90);
			fix[i].m = 1.7e9 + rnd(0, 1e6);
		}
		if (n == 4)
		{
			/* negative, tiny, large and float-exact values */
			fix[0].x = -0.1;
			fix[1].x = 1e-30;
			fix[2].y = 1e30;
			fix[3].m = 0.5;
		}
		CHECK_INT(size, 16 + (n > 2 ? 24 : 0) + 24 * (size_t) n);
		gser_write_linestring_m(w, 4326, fix, n);
		CHECK_INT(gser_parse_varlena(w, size, &g), GSER_OK);
		CHECK_INT(g.srid, 4326);
		CHECK_INT(g.type, GSER_LINESTRING);
		CHECK_INT(g.flags, n > 2 ? 0x46 : 0x42);
		CHECK_INT(g.npoints, n);
		CHECK_INT(g.has_m, 1);
		CHECK_INT(g.has_z, 0);
		for (i = 0; i < n && g.npoints == n; i++)
		{
			double		x,
						y,
						z,
						m;

			gser_get_point(&g, i, &x, &y, &z, &m);
			CHECK_SAME_DOUBLE(x, fix[i].x);
			CHECK_SAME_DOUBLE(y, fix[i].y);
			CHECK_SAME_DOUBLE(m, fix[i].m);
			CHECK(isnan(z));
		}
		if (n > 2)
			check_bbox(w + 8, (const double *) fix, n, 3, what);

		/* the body is the fix array itself */
		CHECK(n == 0 || memcmp(w + size - 24 * (size_t) n, fix, 24 * (size_t) n) == 0);
		free(w);
		free(fix);
	}
}

static void
test_bbox_huge_values(void)
{
	/* beyond float range: the box must still contain the values */
	TAFix		fix[3] = {{-1e300, 0, 0}, {1e300, 1, 1}, {0, 2, 2}};
	size_t		size = gser_linestring_m_size(3);
	uint8_t    *w = malloc(size);
	float		f;

	gser_write_linestring_m(w, 0, fix, 3);
	memcpy(&f, w + 8, 4);
	CHECK((double) f <= -1e300);
	memcpy(&f, w + 12, 4);
	CHECK((double) f >= 1e300);
	free(w);
}

static void
test_polygon_writer(void)
{
	static const double ring[] = {
		0.1, 0.1, 10.3, 0.1, 10.3, 20.7, 0.1, 20.7, 0.1, 0.1
	};
	uint32_t	n = 5;
	size_t		size = gser_polygon_size(n);
	uint8_t    *w = malloc(size);
	GserGeom	g;
	uint32_t	u;
	int			i;

	/* header 8, bbox 16, type 4, nrings 4, ring count 4, pad 4, 5 * 16 */
	CHECK_INT(size, 120);
	gser_write_polygon(w, 4326, ring, n);
	memcpy(&u, w, 4);
	CHECK_INT(u >> 2, 120);
	CHECK_INT(w[4], 0x00);
	CHECK_INT(w[5], 0x10);
	CHECK_INT(w[6], 0xe6);
	CHECK_INT(w[7], 0x44);
	memcpy(&u, w + 24, 4);
	CHECK_INT(u, GSER_POLYGON);
	memcpy(&u, w + 28, 4);
	CHECK_INT(u, 1);			/* nrings */
	memcpy(&u, w + 32, 4);
	CHECK_INT(u, 5);			/* points in the ring */
	memcpy(&u, w + 36, 4);
	CHECK_INT(u, 0);			/* padding after an odd ring count */
	for (i = 0; i < 10; i++)
	{
		double		d;

		memcpy(&d, w + 40 + 8 * i, 8);
		CHECK_SAME_DOUBLE(d, ring[i]);
	}
	check_bbox(w + 8, ring, n, 2, "polygon");

	/* the reader does not take polygons */
	CHECK_INT(gser_parse(w + 4, size - 4, &g), GSER_E_TYPE);
	CHECK_INT(gser_parse_varlena(w, size, &g), GSER_E_TYPE);
	free(w);
}

int
main(void)
{
	RUN(test_point_1byte_header);
	RUN(test_point_1byte_header_unaligned);
	RUN(test_point_4byte_header_and_writer);
	RUN(test_linestring_m_64);
	RUN(test_linestring_m_112_bbox);
	RUN(test_point_empty);
	RUN(test_v1_format);
	RUN(test_v2_extended_flags);
	RUN(test_bbox_on_point);
	RUN(test_z_m_zm_points);
	RUN(test_multipoint_m);
	RUN(test_srid);
	RUN(test_truncations);
	RUN(test_trailing_bytes);
	RUN(test_npoints_overflow);
	RUN(test_varlena_headers);
	RUN(test_linestring_round_trip);
	RUN(test_bbox_huge_values);
	RUN(test_polygon_writer);
	return unit_finish("gser");
}
