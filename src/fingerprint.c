/*
 * fingerprint.c
 *	  Density fingerprints: the grid, the accumulator, the binary and text
 *	  formats, summary statistics and comparison.  See fingerprint.h for the
 *	  definitions; this file has no PostgreSQL headers and allocates only
 *	  through the caller's TAFpAlloc.
 */
#include "fingerprint.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FP_PI		3.14159265358979323846
#define DEG2RAD		(FP_PI / 180.0)
#define RAD2DEG		(180.0 / FP_PI)

/* WGS 84 and the series of the meridian arc (Helmert, to n^4) */
#define FP_AXIS		6378137.0
#define FP_FLAT		(1.0 / 298.257223563)
#define FP_E2		(FP_FLAT * (2.0 - FP_FLAT))
#define FP_N		(FP_FLAT / (2.0 - FP_FLAT))
#define FP_N2		(FP_N * FP_N)
#define FP_N3		(FP_N2 * FP_N)
#define FP_N4		(FP_N2 * FP_N2)
#define FP_ARC_A	(FP_AXIS / (1.0 + FP_N) * (1.0 + FP_N2 / 4.0 + FP_N4 / 64.0))
#define FP_QUARTER	(FP_ARC_A * FP_PI / 2.0)
#define FP_B2		(-(3.0 * FP_N / 2.0 - 9.0 * FP_N3 / 16.0))
#define FP_B4		(15.0 * FP_N2 / 16.0 - 15.0 * FP_N4 / 32.0)
#define FP_B6		(-35.0 * FP_N3 / 48.0)
#define FP_B8		(315.0 * FP_N4 / 512.0)
#define FP_D2		(3.0 * FP_N / 2.0 - 27.0 * FP_N3 / 32.0)
#define FP_D4		(21.0 * FP_N2 / 16.0 - 55.0 * FP_N4 / 32.0)
#define FP_D6		(151.0 * FP_N3 / 96.0)
#define FP_D8		(1097.0 * FP_N4 / 512.0)

#define BIN_MAGIC	"TAFP"
#define STATE_MAGIC "TAFS"
#define BIN_HEADER	28

/* a device-set element: device key << 5 | hour field (1..24 an hour, 25 any) */
#define HOUR_ANY	25u
#define HOUR_MASK	31u

static const char *const status_messages[] = {
	"ok",
	"invalid argument",
	"coordinate outside the grid",
	"out of memory",
	"counter overflow",
	"too many cells",
	"malformed fingerprint",
	"incompatible fingerprints"
};

const char *
ta_fp_status_message(TAFpStatus st)
{
	if ((unsigned) st < sizeof(status_messages) / sizeof(status_messages[0]))
		return status_messages[st];
	return "unknown status";
}

static TAFpStatus
set_error(TAFpError *err, TAFpStatus st, const char *fmt,...)
	__attribute__((format(printf, 3, 4)));

static TAFpStatus
set_error(TAFpError *err, TAFpStatus st, const char *fmt,...)
{
	va_list		ap;

	if (err)
	{
		err->status = st;
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
		va_end(ap);
	}
	return st;
}

/* err's message with prefix in front (copied first: vsnprintf must not overlap) */
static TAFpStatus
prefix_error(TAFpError *err, TAFpStatus st, const char *prefix)
{
	char		m[sizeof(err->message)];

	if (err == NULL)
		return st;
	memcpy(m, err->message, sizeof(m));
	m[sizeof(m) - 1] = '\0';
	return set_error(err, st, "%s%s", prefix, m);
}

/* ---------- memory ---------- */

static void *
mem_alloc(const TAFpAlloc *al, size_t n)
{
	return al->alloc(al->ctx, n ? n : 1);
}

static void *
mem_realloc(const TAFpAlloc *al, void *p, size_t n)
{
	if (p == NULL)
		return mem_alloc(al, n);
	return al->realloc(al->ctx, p, n ? n : 1);
}

static void
mem_free(const TAFpAlloc *al, void *p)
{
	if (p)
		al->free(al->ctx, p);
}

/* a * b, or SIZE_MAX on overflow (which no allocator satisfies) */
static size_t
size_mul(size_t a, size_t b)
{
	if (b && a > SIZE_MAX / b)
		return SIZE_MAX;
	return a * b;
}

/* ---------- grid ---------- */

static inline double
meridian_arc(double phi)
{
	double		s2 = sin(2.0 * phi),
				c2 = cos(2.0 * phi);
	double		s4 = 2.0 * s2 * c2,
				c4 = 1.0 - 2.0 * s2 * s2;
	double		s6 = s4 * c2 + c4 * s2,
				s8 = 2.0 * s4 * c4;

	return FP_ARC_A * (phi + FP_B2 * s2 + FP_B4 * s4 + FP_B6 * s6 + FP_B8 * s8);
}

/* latitude (radians) at meridian arc m from the equator, |m| <= Q */
static double
footpoint(double m)
{
	double		mu = m / FP_ARC_A;
	double		s2 = sin(2.0 * mu),
				c2 = cos(2.0 * mu);
	double		s4 = 2.0 * s2 * c2,
				c4 = 1.0 - 2.0 * s2 * s2;
	double		s6 = s4 * c2 + c4 * s2,
				s8 = 2.0 * s4 * c4;
	double		phi = mu + FP_D2 * s2 + FP_D4 * s4 + FP_D6 * s6 + FP_D8 * s8;

	if (phi > FP_PI / 2)
		phi = FP_PI / 2;
	if (phi < -FP_PI / 2)
		phi = -FP_PI / 2;
	return phi;
}

/* latitude (degrees) of the southern edge of band row (row = nbands: 90) */
static double
band_edge_lat(const TAFpGrid *g, int64_t row)
{
	double		m = (double) row * g->cell_m;

	if (m >= FP_QUARTER)
		return 90.0;
	if (m <= -FP_QUARTER)
		return -90.0;
	return footpoint(m) * RAD2DEG;
}

/* integral of the ellipsoid's area from the equator, over 2 pi b^2 */
static double
zone_g(double phi)
{
	double		e = sqrt(FP_E2);
	double		s = sin(phi);

	return s / (2.0 * (1.0 - FP_E2 * s * s)) + atanh(e * s) / (2.0 * e);
}

static uint32_t
geo_ncol(const TAFpGrid *g, int32_t row)
{
	double		lat1 = band_edge_lat(g, row) * DEG2RAD;
	double		lat2 = band_edge_lat(g, (int64_t) row + 1) * DEG2RAD;
	double		b2 = FP_AXIS * FP_AXIS * (1.0 - FP_E2);
	double		area = 2.0 * FP_PI * b2 * (zone_g(lat2) - zone_g(lat1));
	double		n = floor(area / (g->cell_m * g->cell_m) + 0.5);

	if (!(n >= 1.0))
		n = 1.0;
	if (n > 2147483647.0)
		n = 2147483647.0;
	return (uint32_t) n;
}

uint32_t
ta_fp_band_ncol(const TAFpGrid *g, int32_t row)
{
	if (g->kind != TA_FP_GEOGRAPHIC || row < -g->nbands || row >= g->nbands)
		return 0;
	return geo_ncol(g, row);
}

static inline int32_t
geo_row(const TAFpGrid *g, double lat)
{
	double		r = floor(meridian_arc(lat * DEG2RAD) / g->cell_m);

	if (r < (double) -g->nbands)
		r = (double) -g->nbands;
	if (r > (double) (g->nbands - 1))
		r = (double) (g->nbands - 1);
	return (int32_t) r;
}

static inline int32_t
geo_col(double lon, uint32_t ncol)
{
	double		c = floor((lon + 180.0) * ncol / 360.0);

	if (c < 0.0)
		c = 0.0;
	if (c > (double) (ncol - 1))
		c = (double) (ncol - 1);
	return (int32_t) c;
}

/*
 * geo_col without its division: the product with 1/360 is within 2 ulps
 * of the quotient (1e-8 for the 4e7 columns of 1 m cells), so it floors
 * the same unless it lies that close to an integer; then the definition
 * decides.
 */
static inline int32_t
geo_col_fast(double lon, uint32_t ncol)
{
	/* lon is in [-180, 180], so c is in [0, ncol] and truncation floors it */
	double		c = (lon + 180.0) * ncol * (1.0 / 360.0);
	int64_t		i = (int64_t) c;
	double		frac = c - (double) i;

	if (!(frac > 1e-6 && frac < 1.0 - 1e-6))
		return geo_col(lon, ncol);
	return (int32_t) (i < (int64_t) ncol - 1 ? i : (int64_t) ncol - 1);
}

static inline TAFpStatus
planar_key(const TAFpGrid *g, double x, double y, uint64_t *key)
{
	double		r = floor(y / g->cell_u),
				c = floor(x / g->cell_u);

	if (!(r >= -2147483648.0 && r <= 2147483647.0 &&
		  c >= -2147483648.0 && c <= 2147483647.0))
		return TA_FP_E_RANGE;
	*key = ta_fp_key((int32_t) r, (int32_t) c);
	return TA_FP_OK;
}

static inline int
geo_in_range(double x, double y)
{
	return x >= -180.0 && x <= 180.0 && y >= -90.0 && y <= 90.0;
}

TAFpStatus
ta_fp_grid_init(TAFpGrid *g, TAFpKind kind, int32_t srid, double cell_m,
				double to_meter, TAFpError *err)
{
	memset(g, 0, sizeof(*g));
	if (kind != TA_FP_GEOGRAPHIC && kind != TA_FP_PLANAR)
		return set_error(err, TA_FP_E_ARG, "unknown grid kind %d", (int) kind);
	if (srid < 0 || srid > TA_FP_MAX_SRID)
		return set_error(err, TA_FP_E_ARG, "SRID %d is outside 0..%d",
						 (int) srid, TA_FP_MAX_SRID);
	if (!(cell_m >= TA_FP_MIN_CELL_M && cell_m <= TA_FP_MAX_CELL_M))
		return set_error(err, TA_FP_E_ARG,
						 "cell size %g m is outside [%g, %g] m",
						 cell_m, TA_FP_MIN_CELL_M, TA_FP_MAX_CELL_M);
	if (kind == TA_FP_GEOGRAPHIC && to_meter != 1.0)
		return set_error(err, TA_FP_E_ARG,
						 "a geographic grid has to_meter 1, not %g", to_meter);
	if (!(to_meter > 0.0 && isfinite(to_meter)) ||
		!(cell_m / to_meter > 0.0 && isfinite(cell_m / to_meter)))
		return set_error(err, TA_FP_E_ARG,
						 "unit of %g m is not a positive finite number", to_meter);
	g->kind = kind;
	g->srid = srid;
	g->cell_m = cell_m;
	g->to_meter = to_meter;
	g->cell_u = cell_m / to_meter;
	g->nbands = kind == TA_FP_GEOGRAPHIC ? (int32_t) ceil(FP_QUARTER / cell_m) : 0;
	return TA_FP_OK;
}

int
ta_fp_grid_equal(const TAFpGrid *a, const TAFpGrid *b)
{
	return a->kind == b->kind && a->srid == b->srid &&
		memcmp(&a->cell_m, &b->cell_m, sizeof(double)) == 0 &&
		memcmp(&a->to_meter, &b->to_meter, sizeof(double)) == 0;
}

TAFpStatus
ta_fp_cell_of(const TAFpGrid *g, double x, double y, uint64_t *key)
{
	int32_t		row;

	if (g->kind == TA_FP_PLANAR)
		return planar_key(g, x, y, key);
	if (!geo_in_range(x, y))
		return TA_FP_E_RANGE;
	row = geo_row(g, y);
	*key = ta_fp_key(row, geo_col(x, geo_ncol(g, row)));
	return TA_FP_OK;
}

int
ta_fp_cell_valid(const TAFpGrid *g, uint64_t key)
{
	int32_t		row = ta_fp_key_row(key),
				col = ta_fp_key_col(key);

	if (g->kind == TA_FP_PLANAR)
		return 1;
	return col >= 0 && (uint32_t) col < ta_fp_band_ncol(g, row);
}

TAFpStatus
ta_fp_cell_bounds(const TAFpGrid *g, uint64_t key, double *xmin, double *ymin,
				  double *xmax, double *ymax)
{
	int32_t		row = ta_fp_key_row(key),
				col = ta_fp_key_col(key);

	if (g->kind == TA_FP_PLANAR)
	{
		*xmin = (double) col * g->cell_u;
		*xmax = ((double) col + 1.0) * g->cell_u;
		*ymin = (double) row * g->cell_u;
		*ymax = ((double) row + 1.0) * g->cell_u;
	}
	else
	{
		uint32_t	ncol = ta_fp_band_ncol(g, row);

		if (col < 0 || (uint32_t) col >= ncol)
			return TA_FP_E_RANGE;
		*xmin = (double) col * 360.0 / ncol - 180.0;
		*xmax = (uint32_t) col + 1 == ncol ? 180.0 :
			((double) col + 1.0) * 360.0 / ncol - 180.0;
		*ymin = band_edge_lat(g, row);
		*ymax = band_edge_lat(g, (int64_t) row + 1);
	}
	return TA_FP_OK;
}

uint32_t
ta_fp_cell_polygon(const TAFpGrid *g, uint64_t key, int per_edge, double *xy)
{
	double		x0,
				y0,
				x1,
				y1;
	double		cx[4],
				cy[4];
	uint32_t	n = 0;
	int			e,
				k;

	if (per_edge < 1 || per_edge > 1000 ||
		ta_fp_cell_bounds(g, key, &x0, &y0, &x1, &y1) != TA_FP_OK)
		return 0;
	/* counter-clockwise from the south-west corner */
	cx[0] = x0;
	cy[0] = y0;
	cx[1] = x1;
	cy[1] = y0;
	cx[2] = x1;
	cy[2] = y1;
	cx[3] = x0;
	cy[3] = y1;
	for (e = 0; e < 4; e++)
	{
		double		ax = cx[e],
					ay = cy[e],
					bx = cx[(e + 1) & 3],
					by = cy[(e + 1) & 3];

		for (k = 0; k < per_edge; k++)
		{
			double		t = (double) k / per_edge;

			xy[2 * n] = k == 0 ? ax : ax + (bx - ax) * t;
			xy[2 * n + 1] = k == 0 ? ay : ay + (by - ay) * t;
			n++;
		}
	}
	xy[2 * n] = x0;
	xy[2 * n + 1] = y0;
	return n + 1;
}

/* ---------- sorting (heapsort: no allocation, no recursion) ---------- */

typedef struct SortItem
{
	uint64_t	k;
	uint64_t	v;
} SortItem;

static inline int
item_less(const SortItem *a, const SortItem *b)
{
	return a->k < b->k || (a->k == b->k && a->v < b->v);
}

static void
sift_down(SortItem *a, size_t root, size_t n)
{
	SortItem	x = a[root];

	for (;;)
	{
		size_t		child = 2 * root + 1;

		if (child >= n)
			break;
		if (child + 1 < n && item_less(&a[child], &a[child + 1]))
			child++;
		if (!item_less(&x, &a[child]))
			break;
		a[root] = a[child];
		root = child;
	}
	a[root] = x;
}

/* ascending by (k, v) */
static void
sort_items(SortItem *a, size_t n)
{
	size_t		i;

	if (n < 2)
		return;
	for (i = n / 2; i-- > 0;)
		sift_down(a, i, n);
	for (i = n - 1; i > 0; i--)
	{
		SortItem	t = a[0];

		a[0] = a[i];
		a[i] = t;
		sift_down(a, 0, i);
	}
}

/* ---------- accumulator ---------- */

static inline uint64_t
mix64(uint64_t z)
{
	z ^= z >> 30;
	z *= 0xbf58476d1ce4e5b9ULL;
	z ^= z >> 27;
	z *= 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return z;
}

typedef struct AccCell
{
	uint64_t	key;
	int64_t		points;
	int64_t		devices;
} AccCell;

typedef struct CellSlot
{
	uint64_t	key;
	uint32_t	idx1;			/* dense index + 1; 0 = empty slot */
	uint32_t	pad;
} CellSlot;

#define BAND_CACHE 1024

/*
 * Rows without trigonometry: latitudes fall in buckets of 1/16 of the
 * smallest band height, and a bucket whose both ends (widened by 1e-9
 * degree) lie in one band maps to that band, geo_row being monotonic.  A
 * direct-mapped cache of buckets, built once an accumulator has seen
 * ROW_CACHE_AFTER points so small per-group fingerprints do not pay for it.
 */
#define ROW_CACHE 4096
#define ROW_CACHE_AFTER 4096
#define ROW_BUCKETS_PER_BAND 16.0
#define MAX_DEGREE_M 111694.0	/* longest meridian degree (at the poles), m */

typedef struct RowSlot
{
	int64_t		bucket;			/* -1 = empty */
	int32_t		row;
	uint32_t	ncol;			/* the row's columns; 0: the bucket is not in one band */
} RowSlot;

/*
 * Per device, the (cell, hour) of its last fix and the points it has had
 * there since: a device's run of fixes in one cell and hour touches only
 * this entry, even when the feed interleaves devices, and goes to the
 * device log when the run ends (or at a flush).  dev = device << 5 |
 * HOUR_ANY (0 = empty slot); pend = hour code << PEND_BITS | points, where
 * the code is that of the element (hour + 1, or HOUR_ANY), 0 = no run yet.
 */
#define PEND_BITS 16			/* a run longer than 65535 points is flushed as it goes */
#define PEND_MAX ((1u << PEND_BITS) - 1)

typedef struct DevMemo
{
	uint64_t	dev;
	uint64_t	cell;			/* the run's cell key */
	uint32_t	pend;
	uint32_t	pad;
} DevMemo;

/*
 * The device log: each run's (cell, device, hour) element and its points,
 * appended when the run ends: a sequential write where finding the cell
 * and adding the points to it would be cache misses.  A flush looks the
 * cells up and adds the points of the entries not yet applied in one pass
 * (where the misses overlap); a settle moves its elements to the
 * settled part (see Part) and empties it.
 */
#define UNRESOLVED UINT32_MAX

typedef struct LogEnt
{
	uint64_t	elem;
	uint64_t	key;			/* the cell, while idx is UNRESOLVED */
	uint32_t	idx;			/* dense cell index */
	uint32_t	points;			/* not yet in the cell; 0 once applied */
} LogEnt;

/* a device and the hours it was seen at (bit h), for the dataset totals */
typedef struct DevHours
{
	uint64_t	dev;			/* device << 5 | HOUR_ANY; 0 = empty slot */
	uint32_t	hours;
	uint32_t	pad;
} DevHours;

/*
 * Settled device elements, 8 bytes each: per group, a cell's distinct
 * elements ascending, el[goff[g] .. goff[g + 1]) for cell gcell[g].  A
 * settle leaves one part, a group per cell in index order (what a state
 * carries, and deserialize rebuilds); a merge adds copies of the other
 * accumulator's parts, their cells renumbered, so the settle after it
 * merges a few sorted runs per cell.
 */
typedef struct Part
{
	uint64_t   *el;
	size_t		nel;
	uint32_t   *gcell;
	size_t	   *goff;			/* ng + 1 entries */
	uint32_t	ng;
} Part;

#define LOG_MIN 4096
/*
 * A compaction pays only when the log holds repeats, and a feed that
 * interleaves devices makes few (0.8% in a worker's share of the
 * benchmark): a full log is compacted once it holds LOG_COMPACT_MIN entries
 * (24 MB) and 3x the settled elements.
 */
#define LOG_COMPACT_MIN ((size_t) 1 << 20)

struct TAFpAcc
{
	TAFpGrid	grid;
	unsigned	flags;
	TAFpStatus	failed;
	TAFpAlloc	al;
	/* geographic: columns per band, direct-mapped on row */
	int32_t		band_row[BAND_CACHE];
	uint32_t	band_ncol[BAND_CACHE];
	/* geographic: rows of latitude buckets (NULL until ROW_CACHE_AFTER points) */
	RowSlot    *rowc;
	double		bucket_deg,
				per_bucket_deg;	/* 1 / bucket_deg */
	/* cells, dense, with a hash index */
	AccCell    *cells;
	uint32_t   *hp;				/* [ncells][24] points per hour (HOURS) */
	uint32_t   *hd;				/* [ncells][24] devices per hour (HOURS|DEVICES) */
	uint32_t	ncells,
				cellcap;
	CellSlot   *cslots;
	size_t		cmask;			/* slot count - 1 */
	/* device log: the runs since the last settle */
	LogEnt	   *log;
	size_t		nlog,
				logcap,
				napplied;		/* entries before this have points 0 */
	/* settled device elements */
	Part	   *parts;
	uint32_t	nparts,
				partcap;
	size_t		npartel;		/* elements in all parts */
	int			settled;		/* flushed, the log empty, one part in cell order */
	int			counted;		/* and the device counts match it */
	/* per distinct device, its hours, rebuilt at each settle */
	DevHours   *gdev;
	size_t		gmask,
				ngdev;
	/* totals */
	int64_t		points;
	int64_t		devices;
	int64_t		hour_devices[TA_FP_NHOURS];
	/* memo of the last cell */
	int			have_memo;
	uint32_t	memo_idx;
	uint64_t	memo_key;
	/* per device, its current run */
	DevMemo    *dmemo;
	size_t		dmask,
				ndmemo;
	int			pending;		/* some run has points not yet in its cell */
};

/*
 * geo_row through the bucket cache; the same answer, bit for bit.  *ncol:
 * the row's columns when the bucket lies in one band, else 0.
 */
static int32_t
acc_row(TAFpAcc *acc, double lat, uint32_t *ncol)
{
	const TAFpGrid *g = &acc->grid;
	RowSlot    *s;
	int64_t		b;
	double		lo,
				hi;
	int32_t		r1;

	if (acc->rowc == NULL)
	{
		size_t		i;

		*ncol = 0;
		if (acc->points < ROW_CACHE_AFTER)
			return geo_row(g, lat);
		acc->rowc = mem_alloc(&acc->al, sizeof(RowSlot) * ROW_CACHE);
		if (acc->rowc == NULL)
			return geo_row(g, lat);	/* no memory for a cache: no cache */
		for (i = 0; i < ROW_CACHE; i++)
			acc->rowc[i].bucket = -1;
		acc->bucket_deg = g->cell_m / MAX_DEGREE_M / ROW_BUCKETS_PER_BAND;
		acc->per_bucket_deg = 1.0 / acc->bucket_deg;
	}
	/* lat + 90 >= 0; rounding here is far inside the bucket's 1e-9 margin */
	b = (int64_t) ((lat + 90.0) * acc->per_bucket_deg);
	s = &acc->rowc[(uint64_t) b & (ROW_CACHE - 1)];
	if (s->bucket != b)
	{
		lo = (double) b * acc->bucket_deg - 90.0 - 1e-9;
		hi = (double) (b + 1) * acc->bucket_deg - 90.0 + 1e-9;
		r1 = geo_row(g, lo < -90.0 ? -90.0 : lo);
		s->bucket = b;
		s->row = r1;
		s->ncol = r1 == geo_row(g, hi > 90.0 ? 90.0 : hi) ? geo_ncol(g, r1) : 0;
	}
	*ncol = s->ncol;
	return s->ncol ? s->row : geo_row(g, lat);
}

static TAFpStatus
acc_fail(TAFpAcc *acc, TAFpStatus st)
{
	acc->failed = st;
	return st;
}

TAFpAcc *
ta_fp_acc_create(const TAFpGrid *g, unsigned flags, const TAFpAlloc *al)
{
	TAFpAcc    *acc;
	TAFpGrid	check;
	int			i;

	if (flags & ~(unsigned) TA_FP_F_ALL)
		return NULL;
	if (ta_fp_grid_init(&check, g->kind, g->srid, g->cell_m, g->to_meter, NULL) != TA_FP_OK)
		return NULL;
	acc = mem_alloc(al, sizeof(TAFpAcc));
	if (acc == NULL)
		return NULL;
	memset(acc, 0, sizeof(*acc));
	acc->grid = check;
	acc->flags = flags;
	acc->al = *al;
	acc->settled = acc->counted = 1;
	for (i = 0; i < BAND_CACHE; i++)
		acc->band_row[i] = INT32_MIN;
	return acc;
}

static void
part_free(const TAFpAlloc *al, Part *p)
{
	mem_free(al, p->el);
	mem_free(al, p->gcell);
	mem_free(al, p->goff);
	memset(p, 0, sizeof(*p));
}

/* drops the parts (keeping the array of them) */
static void
parts_free(TAFpAcc *acc)
{
	uint32_t	i;

	for (i = 0; i < acc->nparts; i++)
		part_free(&acc->al, &acc->parts[i]);
	acc->nparts = 0;
	acc->npartel = 0;
}

/* a part of nel elements in ng groups, its arrays allocated; 0 or -1 */
static int
part_alloc(const TAFpAlloc *al, Part *p, size_t nel, uint32_t ng)
{
	memset(p, 0, sizeof(*p));
	p->el = mem_alloc(al, size_mul(nel ? nel : 1, sizeof(uint64_t)));
	p->gcell = mem_alloc(al, size_mul(ng ? ng : 1, sizeof(uint32_t)));
	p->goff = mem_alloc(al, size_mul((size_t) ng + 1, sizeof(size_t)));
	if (p->el == NULL || p->gcell == NULL || p->goff == NULL)
	{
		part_free(al, p);
		return -1;
	}
	p->nel = nel;
	p->ng = ng;
	return 0;
}

/* takes over part p (its arrays); 0 or -1 out of memory (p is freed) */
static int
parts_add(TAFpAcc *acc, Part *p)
{
	if (acc->nparts == acc->partcap)
	{
		uint32_t	cap = acc->partcap ? acc->partcap * 2 : 4;
		Part	   *a = acc->parts ? mem_realloc(&acc->al, acc->parts, size_mul(cap, sizeof(Part))) :
			mem_alloc(&acc->al, size_mul(cap, sizeof(Part)));

		if (a == NULL)
		{
			part_free(&acc->al, p);
			return -1;
		}
		acc->parts = a;
		acc->partcap = cap;
	}
	acc->parts[acc->nparts++] = *p;
	acc->npartel += p->nel;
	return 0;
}

void
ta_fp_acc_free(TAFpAcc *acc)
{
	TAFpAlloc	al;

	if (acc == NULL)
		return;
	al = acc->al;
	mem_free(&al, acc->cells);
	mem_free(&al, acc->hp);
	mem_free(&al, acc->hd);
	mem_free(&al, acc->cslots);
	mem_free(&al, acc->log);
	parts_free(acc);
	mem_free(&al, acc->parts);
	mem_free(&al, acc->gdev);
	mem_free(&al, acc->dmemo);
	mem_free(&al, acc->rowc);
	mem_free(&al, acc);
}

int64_t
ta_fp_acc_points(const TAFpAcc *acc)
{
	return acc->points;
}

uint32_t
ta_fp_acc_cells(const TAFpAcc *acc)
{
	return acc->ncells;
}

size_t
ta_fp_acc_memory(const TAFpAcc *acc)
{
	size_t		n = sizeof(TAFpAcc);
	uint32_t	i;

	n += (size_t) acc->cellcap * sizeof(AccCell);
	if (acc->hp)
		n += (size_t) acc->cellcap * TA_FP_NHOURS * sizeof(uint32_t);
	if (acc->hd)
		n += (size_t) acc->cellcap * TA_FP_NHOURS * sizeof(uint32_t);
	if (acc->cslots)
		n += (acc->cmask + 1) * sizeof(CellSlot);
	n += acc->logcap * sizeof(LogEnt);
	n += (size_t) acc->partcap * sizeof(Part);
	for (i = 0; i < acc->nparts; i++)
		n += acc->parts[i].nel * sizeof(uint64_t) +
			(size_t) acc->parts[i].ng * (sizeof(uint32_t) + sizeof(size_t)) + sizeof(size_t);
	if (acc->gdev)
		n += (acc->gmask + 1) * sizeof(DevHours);
	if (acc->dmemo)
		n += (acc->dmask + 1) * sizeof(DevMemo);
	return n;
}

/* dense index of the cell, or UINT32_MAX */
static inline uint32_t
acc_lookup(const TAFpAcc *acc, uint64_t key)
{
	size_t		i;

	if (acc->cslots == NULL)
		return UINT32_MAX;
	for (i = mix64(key) & acc->cmask;; i = (i + 1) & acc->cmask)
	{
		const CellSlot *s = &acc->cslots[i];

		if (s->idx1 == 0)
			return UINT32_MAX;
		if (s->key == key)
			return s->idx1 - 1;
	}
}

static TAFpStatus
acc_rehash_cells(TAFpAcc *acc, size_t nslots)
{
	CellSlot   *t = mem_alloc(&acc->al, size_mul(nslots, sizeof(CellSlot)));
	uint32_t	j;

	if (t == NULL)
		return TA_FP_E_NOMEM;
	memset(t, 0, nslots * sizeof(CellSlot));
	for (j = 0; j < acc->ncells; j++)
	{
		size_t		i = mix64(acc->cells[j].key) & (nslots - 1);

		while (t[i].idx1)
			i = (i + 1) & (nslots - 1);
		t[i].key = acc->cells[j].key;
		t[i].idx1 = j + 1;
	}
	mem_free(&acc->al, acc->cslots);
	acc->cslots = t;
	acc->cmask = nslots - 1;
	return TA_FP_OK;
}

/* a new, empty cell (the key must be absent) */
static TAFpStatus
acc_new_cell(TAFpAcc *acc, uint64_t key, uint32_t *idx)
{
	size_t		i;

	if (acc->ncells >= TA_FP_MAX_CELLS)
		return TA_FP_E_TOO_MANY;
	if (acc->ncells == acc->cellcap)
	{
		uint32_t	cap = acc->cellcap ? acc->cellcap * 2 : 64;
		AccCell    *c = mem_realloc(&acc->al, acc->cells, size_mul(cap, sizeof(AccCell)));

		if (c == NULL)
			return TA_FP_E_NOMEM;
		acc->cells = c;
		if (acc->flags & TA_FP_F_HOURS)
		{
			size_t		row = TA_FP_NHOURS * sizeof(uint32_t);
			uint32_t   *h = mem_realloc(&acc->al, acc->hp, size_mul(cap, row));

			if (h == NULL)
				return TA_FP_E_NOMEM;
			acc->hp = h;
			memset(h + (size_t) acc->cellcap * TA_FP_NHOURS, 0,
				   (size_t) (cap - acc->cellcap) * row);
			if (acc->flags & TA_FP_F_DEVICES)
			{
				h = mem_realloc(&acc->al, acc->hd, size_mul(cap, row));
				if (h == NULL)
					return TA_FP_E_NOMEM;
				acc->hd = h;
				memset(h + (size_t) acc->cellcap * TA_FP_NHOURS, 0,
					   (size_t) (cap - acc->cellcap) * row);
			}
		}
		acc->cellcap = cap;
	}
	if (acc->cslots == NULL || ((size_t) acc->ncells + 1) * 2 > acc->cmask + 1)
	{
		TAFpStatus	st = acc_rehash_cells(acc, acc->cslots ? (acc->cmask + 1) * 2 : 128);

		if (st != TA_FP_OK)
			return st;
	}
	for (i = mix64(key) & acc->cmask; acc->cslots[i].idx1; i = (i + 1) & acc->cmask)
		;
	acc->cslots[i].key = key;
	acc->cslots[i].idx1 = acc->ncells + 1;
	acc->cells[acc->ncells].key = key;
	acc->cells[acc->ncells].points = 0;
	acc->cells[acc->ncells].devices = 0;
	*idx = acc->ncells++;
	return TA_FP_OK;
}

static inline TAFpStatus
acc_cell(TAFpAcc *acc, uint64_t key, uint32_t *idx)
{
	uint32_t	i = acc_lookup(acc, key);

	if (i != UINT32_MAX)
	{
		*idx = i;
		return TA_FP_OK;
	}
	return acc_new_cell(acc, key, idx);
}

/* the device map: open addressing, at most half full */
static int
acc_grow_gdev(TAFpAcc *acc)
{
	size_t		n = acc->gdev ? (acc->gmask + 1) * 2 : 64;
	DevHours   *t = mem_alloc(&acc->al, size_mul(n, sizeof(DevHours)));
	size_t		j;

	if (t == NULL)
		return -1;
	memset(t, 0, n * sizeof(DevHours));
	if (acc->gdev)
	{
		for (j = 0; j <= acc->gmask; j++)
		{
			size_t		i;

			if (acc->gdev[j].dev == 0)
				continue;
			for (i = mix64(acc->gdev[j].dev) & (n - 1); t[i].dev; i = (i + 1) & (n - 1))
				;
			t[i] = acc->gdev[j];
		}
		mem_free(&acc->al, acc->gdev);
	}
	acc->gdev = t;
	acc->gmask = n - 1;
	return 0;
}

/* ORs hours into device dev's entry, made if absent; -1 out of memory */
static inline int
gdev_add(TAFpAcc *acc, uint64_t dev, uint32_t hours)
{
	size_t		i;

	if ((acc->gdev == NULL || (acc->ngdev + 1) * 2 > acc->gmask + 1) &&
		acc_grow_gdev(acc) < 0)
		return -1;
	for (i = mix64(dev) & acc->gmask;; i = (i + 1) & acc->gmask)
	{
		DevHours   *d = &acc->gdev[i];

		if (d->dev == dev)
		{
			d->hours |= hours;
			return 0;
		}
		if (d->dev == 0)
		{
			d->dev = dev;
			d->hours = hours;
			acc->ngdev++;
			return 0;
		}
	}
}

/* ---------- sorting uint64 ---------- */

/* the end of the ascending run of a that starts at p */
static inline size_t
run_end(const uint64_t *a, size_t p, size_t n)
{
	for (p++; p < n && a[p - 1] <= a[p]; p++)
		;
	return p;
}

/* ascending, by insertion: for the short stretches a merge sort starts from */
static inline void
insertion_sort_u64(uint64_t *a, size_t n)
{
	size_t		i,
				j;

	for (i = 1; i < n; i++)
	{
		uint64_t	v = a[i];

		for (j = i; j > 0 && a[j - 1] > v; j--)
			a[j] = a[j - 1];
		a[j] = v;
	}
}

#define SORT_CHUNK 16

/*
 * Ascending, by natural merge sort through scratch (n entries): stretches
 * of SORT_CHUNK are put in order by insertion (a worker's cell holds a few
 * dozen elements in arrival order: half the time of merging from runs of
 * one or two), then the runs are merged two by two until one is left, so
 * a merged state's cell, one sorted run per state, costs a pass or two,
 * and any input at most log2(n / SORT_CHUNK) passes.
 */
static void
sort_u64(uint64_t *a, size_t n, uint64_t *scratch)
{
	uint64_t   *src = a,
			   *dst = scratch,
			   *t;
	size_t		merged = 0,
				p;

	if (n == 0 || run_end(a, 0, n) == n)
		return;
	if (n <= SORT_CHUNK)
	{
		insertion_sort_u64(a, n);
		return;
	}
	for (p = 0; p < n; p += SORT_CHUNK)
	{
		size_t		e = n - p < SORT_CHUNK ? n : p + SORT_CHUNK;

		if (run_end(a, p, e) != e)
			insertion_sort_u64(a + p, e - p);
	}
	while (merged != 1)
	{
		for (p = 0, merged = 0; p < n; merged++)
		{
			size_t		m = run_end(src, p, n),
						e = m < n ? run_end(src, m, n) : n,
						q = m,
						o = p;

			while (p < m && q < e)
				dst[o++] = src[q] < src[p] ? src[q++] : src[p++];
			while (p < m)
				dst[o++] = src[p++];
			while (q < e)
				dst[o++] = src[q++];
			p = e;
		}
		t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, n * sizeof(uint64_t));
}

/* ---------- device runs and the device log ---------- */

/* the device memo: an open-addressing map, at most 3/4 full */
static int
acc_grow_dmemo(TAFpAcc *acc)
{
	size_t		n = acc->dmemo ? (acc->dmask + 1) * 2 : 64;
	DevMemo    *t = mem_alloc(&acc->al, size_mul(n, sizeof(DevMemo)));
	size_t		j;

	if (t == NULL)
		return -1;
	memset(t, 0, n * sizeof(DevMemo));
	if (acc->dmemo)
	{
		for (j = 0; j <= acc->dmask; j++)
		{
			size_t		i;

			if (acc->dmemo[j].dev == 0)
				continue;
			for (i = mix64(acc->dmemo[j].dev) & (n - 1); t[i].dev; i = (i + 1) & (n - 1))
				;
			t[i] = acc->dmemo[j];
		}
		mem_free(&acc->al, acc->dmemo);
	}
	acc->dmemo = t;
	acc->dmask = n - 1;
	return 0;
}

/* the memo entry of device e_any, created empty if absent; NULL out of memory */
static inline DevMemo *
acc_dmemo(TAFpAcc *acc, uint64_t e_any)
{
	size_t		i;

	if ((acc->dmemo == NULL || (acc->ndmemo + 1) * 4 > (acc->dmask + 1) * 3) &&
		acc_grow_dmemo(acc) < 0)
		return NULL;
	for (i = mix64(e_any) & acc->dmask;; i = (i + 1) & acc->dmask)
	{
		DevMemo    *m = &acc->dmemo[i];

		if (m->dev == e_any)
			return m;
		if (m->dev == 0)
		{
			m->dev = e_any;
			m->cell = 0;
			m->pend = 0;
			m->pad = 0;
			acc->ndmemo++;
			return m;
		}
	}
}

/* the dense index of cell key, through the memo of the last cell */
static inline TAFpStatus
acc_cell_memo(TAFpAcc *acc, uint64_t key, uint32_t *idx)
{
	TAFpStatus	st;

	if (acc->have_memo && acc->memo_key == key)
	{
		*idx = acc->memo_idx;
		return TA_FP_OK;
	}
	if ((st = acc_cell(acc, key, idx)) != TA_FP_OK)
		return st;
	acc->have_memo = 1;
	acc->memo_key = key;
	acc->memo_idx = *idx;
	return TA_FP_OK;
}

/* room for n more log entries */
static TAFpStatus
log_reserve(TAFpAcc *acc, size_t n)
{
	size_t		cap;
	LogEnt	   *l;

	if (n <= acc->logcap - acc->nlog)
		return TA_FP_OK;
	cap = acc->logcap ? acc->logcap * 2 : LOG_MIN;
	if (cap < acc->nlog + n)
		cap = acc->nlog + n;
	l = mem_realloc(&acc->al, acc->log, size_mul(cap, sizeof(LogEnt)));
	if (l == NULL)
		return TA_FP_E_NOMEM;
	acc->log = l;
	acc->logcap = cap;
	return TA_FP_OK;
}

/*
 * Appends to the log, growing it (never compacting: see log_push): a cell
 * by its dense index idx, or, with idx UNRESOLVED, by its key.
 */
static TAFpStatus
log_append(TAFpAcc *acc, uint32_t idx, uint64_t key, uint64_t elem, uint32_t points)
{
	TAFpStatus	st;

	if (acc->nlog == acc->logcap && (st = log_reserve(acc, 1)) != TA_FP_OK)
		return st;
	acc->log[acc->nlog].elem = elem;
	acc->log[acc->nlog].key = key;
	acc->log[acc->nlog].idx = idx;
	acc->log[acc->nlog].points = points;
	acc->nlog++;
	acc->settled = acc->counted = 0;
	return TA_FP_OK;
}

/*
 * Cell counts made complete: the open runs go to the log, and the points
 * of the log entries not yet applied go to their cells and hours.
 */
static TAFpStatus
acc_flush(TAFpAcc *acc)
{
	size_t		j;
	TAFpStatus	st;

	if (acc->failed)
		return acc->failed;
	for (j = 0; acc->pending && j <= acc->dmask; j++)
	{
		DevMemo    *m = &acc->dmemo[j];
		uint32_t	n = m->pend & PEND_MAX;

		if (n == 0)
			continue;
		m->pend &= ~PEND_MAX;
		st = log_append(acc, UNRESOLVED, m->cell,
						(m->dev & ~(uint64_t) HOUR_MASK) | m->pend >> PEND_BITS, n);
		if (st != TA_FP_OK)
			return acc_fail(acc, st);
	}
	acc->pending = 0;
	for (j = acc->napplied; j < acc->nlog; j++)
	{
		LogEnt	   *e = &acc->log[j];
		unsigned	code = (unsigned) (e->elem & HOUR_MASK);

		if (e->idx == UNRESOLVED && (st = acc_cell_memo(acc, e->key, &e->idx)) != TA_FP_OK)
			return acc_fail(acc, st);
		if (e->points == 0)
			continue;
		acc->cells[e->idx].points += e->points;
		if (code != HOUR_ANY)
		{
			uint32_t   *h = &acc->hp[(size_t) e->idx * TA_FP_NHOURS + code - 1];

			if (e->points > UINT32_MAX - *h)
				return acc_fail(acc, TA_FP_E_OVERFLOW);
			*h += e->points;
		}
		e->points = 0;
	}
	acc->napplied = acc->nlog;
	return TA_FP_OK;
}

/*
 * Writes a cell's sorted elements e[0 .. n) to out[*nout ..] without
 * repeats (out may be e's array: it is written no further than read) and,
 * if count, counts them.
 */
static TAFpStatus
count_cell(TAFpAcc *acc, uint32_t idx, const uint64_t *e, size_t n,
		   uint64_t *out, size_t *nout, int count)
{
	size_t		k;
	uint32_t	hours = 0;
	uint64_t	prev = 0;

	for (k = 0; k < n; k++)
	{
		uint64_t	v = e[k];
		unsigned	code = (unsigned) (v & HOUR_MASK);

		if (k == 0 || v != prev)
		{
			out[(*nout)++] = v;
			prev = v;
			if (count && code != HOUR_ANY)
			{
				acc->hd[(size_t) idx * TA_FP_NHOURS + code - 1]++;
				hours |= 1u << (code - 1);
			}
		}
		/* elements sort by device, then hour: count at the device's last */
		if (count && (k + 1 == n || (e[k + 1] >> 5) != (v >> 5)))
		{
			acc->cells[idx].devices++;
			if (gdev_add(acc, (v & ~(uint64_t) HOUR_MASK) | HOUR_ANY, hours) < 0)
				return TA_FP_E_NOMEM;
			hours = 0;
		}
	}
	return TA_FP_OK;
}

/*
 * Flushes the runs, then makes the parts and the log one part: the
 * elements gathered by cell (a part's group is copied whole, a sorted run),
 * each cell's sorted and its repeats dropped.  With count, it also
 * recounts distinct devices per cell and hour, and overall, on the way;
 * without, the counts are left stale (a compaction, or a state about to be
 * serialized, for the merge that follows recounts).
 */
static TAFpStatus
acc_settle(TAFpAcc *acc, int count)
{
	size_t	   *pos;
	uint64_t   *scratch;
	size_t		total,
				j,
				out = 0;
	uint32_t	i,
				k,
				g;
	Part		np;
	TAFpStatus	st = acc_flush(acc);

	if (st != TA_FP_OK || (acc->settled && (acc->counted || !count)))
		return st;
	if (!(acc->flags & TA_FP_F_DEVICES))
		return TA_FP_OK;		/* no elements, device counts stay 0 */
	total = acc->npartel + acc->nlog;
	pos = mem_alloc(&acc->al, size_mul((size_t) acc->ncells + 1, sizeof(size_t)));
	scratch = mem_alloc(&acc->al, size_mul(total ? total : 1, sizeof(uint64_t)));
	if (pos == NULL || scratch == NULL || part_alloc(&acc->al, &np, total, acc->ncells) < 0)
	{
		mem_free(&acc->al, pos);
		mem_free(&acc->al, scratch);
		return acc_fail(acc, TA_FP_E_NOMEM);
	}

	/* np.goff[i]: where cell i's elements start; pos: where the next goes */
	memset(np.goff, 0, ((size_t) acc->ncells + 1) * sizeof(size_t));
	for (k = 0; k < acc->nparts; k++)
		for (g = 0; g < acc->parts[k].ng; g++)
			np.goff[acc->parts[k].gcell[g] + 1] += acc->parts[k].goff[g + 1] - acc->parts[k].goff[g];
	for (j = 0; j < acc->nlog; j++)
		np.goff[acc->log[j].idx + 1]++;
	for (i = 0; i < acc->ncells; i++)
		np.goff[i + 1] += np.goff[i];
	memcpy(pos, np.goff, ((size_t) acc->ncells + 1) * sizeof(size_t));
	for (k = 0; k < acc->nparts; k++)
	{
		const Part *p = &acc->parts[k];

		for (g = 0; g < p->ng; g++)
		{
			size_t		n = p->goff[g + 1] - p->goff[g];

			memcpy(np.el + pos[p->gcell[g]], p->el + p->goff[g], n * sizeof(uint64_t));
			pos[p->gcell[g]] += n;
		}
	}
	for (j = 0; j < acc->nlog; j++)
		np.el[pos[acc->log[j].idx]++] = acc->log[j].elem;

	if (count)
	{
		for (i = 0; i < acc->ncells; i++)
			acc->cells[i].devices = 0;
		if (acc->hd)
			memset(acc->hd, 0, (size_t) acc->ncells * TA_FP_NHOURS * sizeof(uint32_t));
		if (acc->gdev)
			memset(acc->gdev, 0, (acc->gmask + 1) * sizeof(DevHours));
		acc->ngdev = 0;
	}
	for (i = 0; i < acc->ncells && st == TA_FP_OK; i++)
	{
		size_t		b = np.goff[i],
					n = np.goff[i + 1] - b;

		np.gcell[i] = i;
		np.goff[i] = out;
		sort_u64(np.el + b, n, scratch + b);
		st = count_cell(acc, i, np.el + b, n, np.el, &out, count);
	}
	np.goff[acc->ncells] = out;
	mem_free(&acc->al, pos);
	mem_free(&acc->al, scratch);
	if (st != TA_FP_OK)
	{
		part_free(&acc->al, &np);
		return acc_fail(acc, st);
	}
	if (out < total)
	{
		uint64_t   *el = mem_realloc(&acc->al, np.el, size_mul(out ? out : 1, sizeof(uint64_t)));

		if (el)
			np.el = el;
	}
	np.nel = out;
	parts_free(acc);
	acc->nlog = acc->napplied = 0;
	if (parts_add(acc, &np) < 0)
		return acc_fail(acc, TA_FP_E_NOMEM);
	acc->settled = 1;
	if (!count)
		return TA_FP_OK;
	acc->devices = (int64_t) acc->ngdev;
	memset(acc->hour_devices, 0, sizeof(acc->hour_devices));
	for (j = 0; acc->gdev && j <= acc->gmask; j++)
	{
		uint32_t	h = acc->gdev[j].hours;

		for (; h; h &= h - 1)
			acc->hour_devices[__builtin_ctz(h)]++;
	}
	acc->counted = 1;
	return TA_FP_OK;
}

TAFpStatus
ta_fp_acc_settle(TAFpAcc *acc)
{
	return acc_settle(acc, 1);
}

TAFpStatus
ta_fp_acc_compact(TAFpAcc *acc)
{
	return acc_settle(acc, 0);
}

/*
 * Appends a run's element; first compacts the log if it is (but for room
 * for the open runs, which the settle appends) full, of LOG_COMPACT_MIN
 * entries or more, and holds 3x the settled elements.
 */
static TAFpStatus
log_push(TAFpAcc *acc, uint32_t idx, uint64_t key, uint64_t elem, uint32_t points)
{
	TAFpStatus	st;

	if (acc->nlog + acc->ndmemo >= acc->logcap && acc->logcap >= LOG_COMPACT_MIN &&
		acc->nlog >= 3 * acc->npartel &&
		(st = acc_settle(acc, 0)) != TA_FP_OK)
		return st;
	return log_append(acc, idx, key, elem, points);
}

/*
 * A point of device dev: counted in the device's run when it stays in the
 * cell and hour (one memo probe, no cell touched), else the run ends in the
 * log and a new one starts.
 */
static inline TAFpStatus
add_device(TAFpAcc *acc, uint64_t key, int hour, uint64_t dev)
{
	uint64_t	e_any = dev << 5 | HOUR_ANY;
	unsigned	code = hour >= 0 ? (unsigned) hour + 1 : HOUR_ANY;
	DevMemo    *m = acc_dmemo(acc, e_any);
	uint32_t	n;
	int			same;
	TAFpStatus	st;

	if (m == NULL)
		return acc_fail(acc, TA_FP_E_NOMEM);
	n = m->pend & PEND_MAX;
	same = m->cell == key && (m->pend >> PEND_BITS) == code;
	if (!same || n == PEND_MAX)
	{
		uint64_t	elem = (e_any & ~(uint64_t) HOUR_MASK) | m->pend >> PEND_BITS;

		/* zeroed first: a compaction in log_push flushes the open runs */
		m->pend &= ~PEND_MAX;
		if (n > 0 && (st = log_push(acc, UNRESOLVED, m->cell, elem, n)) != TA_FP_OK)
			return acc_fail(acc, st);
		if (!same)
		{
			m->cell = key;
			m->pend = code << PEND_BITS;
		}
	}
	m->pend++;
	acc->points++;
	acc->pending = 1;
	return TA_FP_OK;
}

TAFpStatus
ta_fp_acc_add(TAFpAcc *acc, double x, double y, int hour, const uint64_t *device)
{
	uint64_t	key;
	uint32_t	idx;
	TAFpStatus	st;

	if (acc->failed)
		return acc->failed;
	if (hour != -1 && (!(acc->flags & TA_FP_F_HOURS) || hour < 0 || hour >= TA_FP_NHOURS))
		return TA_FP_E_ARG;
	if (device && !(acc->flags & TA_FP_F_DEVICES))
		return TA_FP_E_ARG;

	if (acc->grid.kind == TA_FP_GEOGRAPHIC)
	{
		int32_t		row;
		uint32_t	slot,
					ncol;

		if (!geo_in_range(x, y))
			return TA_FP_E_RANGE;
		row = acc_row(acc, y, &ncol);
		if (ncol == 0)
		{
			/* not from the row cache: from the band cache */
			slot = (uint32_t) row & (BAND_CACHE - 1);
			if (acc->band_row[slot] != row)
			{
				acc->band_row[slot] = row;
				acc->band_ncol[slot] = geo_ncol(&acc->grid, row);
			}
			ncol = acc->band_ncol[slot];
		}
		key = ta_fp_key(row, geo_col_fast(x, ncol));
	}
	else if ((st = planar_key(&acc->grid, x, y, &key)) != TA_FP_OK)
		return st;

	if (acc->points == INT64_MAX)
		return acc_fail(acc, TA_FP_E_OVERFLOW);
	if (device)
		return add_device(acc, key, hour, *device);
	if ((st = acc_cell_memo(acc, key, &idx)) != TA_FP_OK)
		return acc_fail(acc, st);
	if (hour >= 0 && acc->hp[(size_t) idx * TA_FP_NHOURS + hour] == UINT32_MAX)
		return acc_fail(acc, TA_FP_E_OVERFLOW);
	acc->cells[idx].points++;
	acc->points++;
	if (hour >= 0)
		acc->hp[(size_t) idx * TA_FP_NHOURS + hour]++;
	return TA_FP_OK;
}

TAFpStatus
ta_fp_acc_merge(TAFpAcc *dst, TAFpAcc *src, TAFpError *err)
{
	uint32_t	i,
				k,
			   *remap = NULL;
	size_t		j;
	TAFpStatus	st;

	if (dst->failed || src->failed)
		return set_error(err, dst->failed ? dst->failed : src->failed,
						 "merging a failed accumulator");
	if (dst == src)
		return set_error(err, TA_FP_E_ARG, "an accumulator merged into itself");
	if (!ta_fp_grid_equal(&dst->grid, &src->grid) || dst->flags != src->flags)
		return set_error(err, TA_FP_E_INCOMPATIBLE,
						 "accumulators of different grids or flags");
	if (src->points > INT64_MAX - dst->points)
		return set_error(err, acc_fail(dst, TA_FP_E_OVERFLOW), "point count overflow");
	if ((st = acc_flush(src)) != TA_FP_OK || (st = acc_flush(dst)) != TA_FP_OK)
		return set_error(err, st, "%s", ta_fp_status_message(st));
	if ((src->nlog || src->npartel) &&
		(remap = mem_alloc(&dst->al, size_mul(src->ncells, sizeof(uint32_t)))) == NULL)
		return set_error(err, acc_fail(dst, TA_FP_E_NOMEM), "out of memory");

	for (i = 0; i < src->ncells; i++)
	{
		uint32_t	d;
		int			h;

		if ((st = acc_cell(dst, src->cells[i].key, &d)) != TA_FP_OK)
			break;
		if (remap)
			remap[i] = d;
		dst->cells[d].points += src->cells[i].points;
		if (dst->flags & TA_FP_F_HOURS)
			for (h = 0; h < TA_FP_NHOURS && st == TA_FP_OK; h++)
			{
				uint32_t   *a = &dst->hp[(size_t) d * TA_FP_NHOURS + h];
				uint32_t	b = src->hp[(size_t) i * TA_FP_NHOURS + h];

				if (b > UINT32_MAX - *a)
					st = TA_FP_E_OVERFLOW;
				else
					*a += b;
			}
		if (st != TA_FP_OK)
			break;
	}
	dst->points += src->points;
	/*
	 * src's device elements join dst's, settled ones as copies of its parts
	 * (sorted runs for dst's settle to merge), the others in dst's log;
	 * dst recounts at its settle
	 */
	for (k = 0; st == TA_FP_OK && k < src->nparts; k++)
	{
		const Part *sp = &src->parts[k];
		Part		np;
		uint32_t	g;

		if (sp->nel == 0)
			continue;
		if (part_alloc(&dst->al, &np, sp->nel, sp->ng) < 0)
		{
			st = TA_FP_E_NOMEM;
			break;
		}
		memcpy(np.el, sp->el, sp->nel * sizeof(uint64_t));
		memcpy(np.goff, sp->goff, ((size_t) sp->ng + 1) * sizeof(size_t));
		for (g = 0; g < sp->ng; g++)
			np.gcell[g] = remap[sp->gcell[g]];
		if (parts_add(dst, &np) < 0)
		{
			st = TA_FP_E_NOMEM;
			break;
		}
		dst->settled = dst->counted = 0;
	}
	if (st == TA_FP_OK && src->nlog && (st = log_reserve(dst, src->nlog)) == TA_FP_OK)
	{
		LogEnt	   *d = dst->log + dst->nlog;

		for (j = 0; j < src->nlog; j++)
		{
			d[j].elem = src->log[j].elem;
			d[j].key = 0;
			d[j].idx = remap[src->log[j].idx];
			d[j].points = 0;
		}
		dst->nlog += src->nlog;
		dst->napplied = dst->nlog;
		dst->settled = dst->counted = 0;
	}
	mem_free(&dst->al, remap);
	if (st != TA_FP_OK)
		return set_error(err, acc_fail(dst, st), "%s", ta_fp_status_message(st));
	return TA_FP_OK;
}

void
ta_fp_free(TAFingerprint *fp, const TAFpAlloc *al)
{
	mem_free(al, fp->cells);
	mem_free(al, fp->hours);
	memset(fp, 0, sizeof(*fp));
}

TAFpStatus
ta_fp_acc_finalize(TAFpAcc *acc, const TAFpAlloc *al, TAFingerprint *fp)
{
	SortItem   *items;
	size_t		nh = 0,
				k;
	uint32_t	i;
	int			h;
	TAFpStatus	st;

	memset(fp, 0, sizeof(*fp));
	if ((st = ta_fp_acc_settle(acc)) != TA_FP_OK)
		return st;
	fp->grid = acc->grid;
	fp->flags = acc->flags;
	fp->points = acc->points;
	fp->devices = acc->devices;
	memcpy(fp->hour_devices, acc->hour_devices, sizeof(fp->hour_devices));
	if (acc->ncells == 0)
		return TA_FP_OK;

	items = mem_alloc(al, size_mul(acc->ncells, sizeof(SortItem)));
	if (items == NULL)
		return TA_FP_E_NOMEM;
	for (i = 0; i < acc->ncells; i++)
	{
		items[i].k = acc->cells[i].key;
		items[i].v = i;
	}
	sort_items(items, acc->ncells);
	if (acc->hp)
		for (k = 0; k < (size_t) acc->ncells * TA_FP_NHOURS; k++)
			nh += acc->hp[k] != 0;

	fp->cells = mem_alloc(al, size_mul(acc->ncells, sizeof(TAFpCell)));
	fp->hours = nh ? mem_alloc(al, size_mul(nh, sizeof(TAFpHour))) : NULL;
	if (fp->cells == NULL || (nh && fp->hours == NULL))
	{
		mem_free(al, items);
		ta_fp_free(fp, al);
		return TA_FP_E_NOMEM;
	}
	fp->ncells = acc->ncells;
	nh = 0;
	for (i = 0; i < acc->ncells; i++)
	{
		uint32_t	d = (uint32_t) items[i].v;
		TAFpCell   *c = &fp->cells[i];

		c->key = acc->cells[d].key;
		c->points = acc->cells[d].points;
		c->devices = acc->cells[d].devices;
		c->hour_first = (uint32_t) nh;
		c->hour_count = 0;
		if (acc->hp)
			for (h = 0; h < TA_FP_NHOURS; h++)
			{
				size_t		o = (size_t) d * TA_FP_NHOURS + h;

				if (acc->hp[o] == 0)
					continue;
				fp->hours[nh].hour = h;
				fp->hours[nh].pad = 0;
				fp->hours[nh].points = acc->hp[o];
				fp->hours[nh].devices = acc->hd ? acc->hd[o] : 0;
				nh++;
				c->hour_count++;
			}
	}
	fp->nhours = nh;
	mem_free(al, items);
	return TA_FP_OK;
}

/* ---------- byte sinks and sources ---------- */

typedef struct Sink
{
	uint8_t    *dst;
	size_t		cap;
	size_t		len;
} Sink;

static inline void
put_byte(Sink *s, uint8_t b)
{
	if (s->len < s->cap)
		s->dst[s->len] = b;
	s->len++;
}

static void
put_bytes(Sink *s, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t		i;

	for (i = 0; i < n; i++)
		put_byte(s, b[i]);
}

static void
put_le(Sink *s, uint64_t v, int n)
{
	int			i;

	for (i = 0; i < n; i++)
		put_byte(s, (uint8_t) (v >> (8 * i)));
}

static void
put_f64(Sink *s, double d)
{
	uint64_t	v;

	memcpy(&v, &d, 8);
	put_le(s, v, 8);
}

static inline void
put_varint(Sink *s, uint64_t v)
{
	while (v >= 0x80)
	{
		put_byte(s, (uint8_t) (v | 0x80));
		v >>= 7;
	}
	put_byte(s, (uint8_t) v);
}

typedef struct Source
{
	const uint8_t *begin;
	const uint8_t *p;
	const uint8_t *end;
} Source;

static uint64_t
get_le(Source *r, int n)
{
	uint64_t	v = 0;
	int			i;

	for (i = 0; i < n; i++)
		v |= (uint64_t) r->p[i] << (8 * i);
	r->p += n;
	return v;
}

static double
get_f64(Source *r)
{
	uint64_t	v = get_le(r, 8);
	double		d;

	memcpy(&d, &v, 8);
	return d;
}

/*
 * shortest-form LEB128: 0 ok, -1 truncated, -2 overlong or over 64 bits.
 * Inline, with the one-byte case first: a state holds millions of them.
 */
static inline int
get_varint(Source *r, uint64_t *out)
{
	uint64_t	v = 0;
	int			i;

	if (r->p < r->end && *r->p < 0x80)
	{
		*out = *r->p++;
		return 0;
	}
	*out = 0;
	for (i = 0; i < 10; i++)
	{
		uint8_t		b;

		if (r->p >= r->end)
			return -1;
		b = *r->p++;
		if (i == 9 && b > 1)
			return -2;
		v |= (uint64_t) (b & 0x7f) << (7 * i);
		if (!(b & 0x80))
		{
			if (b == 0 && i > 0)
				return -2;
			*out = v;
			return 0;
		}
	}
	return -2;
}

/* a varint <= max, with an error naming what it is */
static inline TAFpStatus
get_count(Source *r, uint64_t max, uint64_t *v, const char *what, TAFpError *err)
{
	const uint8_t *p = r->p;
	int			rc = get_varint(r, v);
	size_t		at = (size_t) (p - r->begin);

	if (rc == 0 && *v <= max)
		return TA_FP_OK;
	if (rc == -1)
		return set_error(err, TA_FP_E_FORMAT, "binary: truncated at byte %zu (%s)", at, what);
	if (rc < 0)
		return set_error(err, TA_FP_E_FORMAT, "binary: bad varint at byte %zu (%s)", at, what);
	return set_error(err, TA_FP_E_FORMAT, "binary: %s %llu at byte %zu exceeds %llu",
					 what, (unsigned long long) *v, at, (unsigned long long) max);
}

/* ---------- validation of a fingerprint ---------- */

static const char *
kind_name(TAFpKind k)
{
	return k == TA_FP_GEOGRAPHIC ? "geographic" : "planar";
}

/*
 * Every invariant of fingerprint.h.  The parsers build fp from their input
 * with only the checks memory safety needs, then call this.
 */
static TAFpStatus
fp_validate(const TAFingerprint *fp, TAFpError *err)
{
	TAFpGrid	g;
	uint32_t	i;
	size_t		hpos = 0;
	int32_t		ncol_row = INT32_MIN;
	uint32_t	ncol = 0;
	int64_t		sum_points = 0,
				sum_devices = 0,
				max_devices = 0;
	int64_t		hsum[TA_FP_NHOURS],
				hmax[TA_FP_NHOURS];
	int			devices = (fp->flags & TA_FP_F_DEVICES) != 0;
	int			hours = (fp->flags & TA_FP_F_HOURS) != 0;
	int			h;

	if (ta_fp_grid_init(&g, fp->grid.kind, fp->grid.srid, fp->grid.cell_m,
						fp->grid.to_meter, err) != TA_FP_OK)
		return prefix_error(err, TA_FP_E_FORMAT, "");
	if (fp->flags & ~(unsigned) TA_FP_F_ALL)
		return set_error(err, TA_FP_E_FORMAT, "unknown flags 0x%x", fp->flags);
	if (fp->ncells > TA_FP_MAX_CELLS)
		return set_error(err, TA_FP_E_FORMAT, "%u cells, more than %u",
						 fp->ncells, TA_FP_MAX_CELLS);
	memset(hsum, 0, sizeof(hsum));
	memset(hmax, 0, sizeof(hmax));

	for (i = 0; i < fp->ncells; i++)
	{
		const TAFpCell *c = &fp->cells[i];
		int32_t		row = ta_fp_key_row(c->key),
					col = ta_fp_key_col(c->key);
		int64_t		hp_sum = 0;
		int			prev_hour = -1;
		uint32_t	k;

		if (i > 0 && c->key <= fp->cells[i - 1].key)
			return set_error(err, TA_FP_E_FORMAT,
							 "cell %d:%d is not after cell %d:%d (cells must be sorted and distinct)",
							 row, col, ta_fp_key_row(fp->cells[i - 1].key),
							 ta_fp_key_col(fp->cells[i - 1].key));
		if (g.kind == TA_FP_GEOGRAPHIC)
		{
			if (row != ncol_row)
			{
				ncol_row = row;
				ncol = ta_fp_band_ncol(&g, row);
			}
			if (ncol == 0)
				return set_error(err, TA_FP_E_FORMAT,
								 "cell %d:%d: band %d is off the grid (%d..%d)",
								 row, col, row, -g.nbands, g.nbands - 1);
			if (col < 0 || (uint32_t) col >= ncol)
				return set_error(err, TA_FP_E_FORMAT,
								 "cell %d:%d: band %d has columns 0..%u",
								 row, col, row, ncol - 1);
		}
		if (c->points < 1)
			return set_error(err, TA_FP_E_FORMAT, "cell %d:%d has no points", row, col);
		if (c->devices < 0 || c->devices > c->points || (!devices && c->devices != 0))
			return set_error(err, TA_FP_E_FORMAT,
							 "cell %d:%d: %lld devices for %lld points",
							 row, col, (long long) c->devices, (long long) c->points);
		if (c->points > INT64_MAX - sum_points)
			return set_error(err, TA_FP_E_FORMAT, "total points overflow");
		sum_points += c->points;
		if (c->devices > INT64_MAX - sum_devices)
			return set_error(err, TA_FP_E_FORMAT, "total devices overflow");
		sum_devices += c->devices;
		if (c->devices > max_devices)
			max_devices = c->devices;

		if (c->hour_first != hpos || c->hour_count > TA_FP_NHOURS ||
			c->hour_count > fp->nhours - hpos || (!hours && c->hour_count))
			return set_error(err, TA_FP_E_FORMAT, "cell %d:%d: bad hour list", row, col);
		for (k = 0; k < c->hour_count; k++)
		{
			const TAFpHour *e = &fp->hours[hpos + k];

			if (e->hour <= prev_hour || e->hour >= TA_FP_NHOURS)
				return set_error(err, TA_FP_E_FORMAT,
								 "cell %d:%d: hours must be increasing in 0..23", row, col);
			prev_hour = e->hour;
			if (e->points < 1 || e->points > c->points - hp_sum)
				return set_error(err, TA_FP_E_FORMAT,
								 "cell %d:%d hour %d: %lld points (the cell has %lld, %lld in earlier hours)",
								 row, col, e->hour, (long long) e->points,
								 (long long) c->points, (long long) hp_sum);
			hp_sum += e->points;
			if (e->devices < 0 || e->devices > e->points || e->devices > c->devices)
				return set_error(err, TA_FP_E_FORMAT,
								 "cell %d:%d hour %d: %lld devices for %lld points and %lld devices in the cell",
								 row, col, e->hour, (long long) e->devices,
								 (long long) e->points, (long long) c->devices);
			if (e->devices > INT64_MAX - hsum[e->hour])
				return set_error(err, TA_FP_E_FORMAT, "hourly devices overflow");
			hsum[e->hour] += e->devices;
			if (e->devices > hmax[e->hour])
				hmax[e->hour] = e->devices;
		}
		hpos += c->hour_count;
	}
	if (hpos != fp->nhours)
		return set_error(err, TA_FP_E_FORMAT, "%zu hour entries, %zu used",
						 fp->nhours, hpos);
	if (fp->points != sum_points)
		return set_error(err, TA_FP_E_FORMAT, "points=%lld but the cells hold %lld",
						 (long long) fp->points, (long long) sum_points);
	if (fp->devices < max_devices || fp->devices > sum_devices ||
		fp->devices > fp->points)
		return set_error(err, TA_FP_E_FORMAT,
						 "%lld distinct devices, but cells hold %lld at most in one and %lld in all",
						 (long long) fp->devices, (long long) max_devices,
						 (long long) sum_devices);
	for (h = 0; h < TA_FP_NHOURS; h++)
	{
		int64_t		v = fp->hour_devices[h];

		if ((!(devices && hours) && v != 0) || v < hmax[h] || v > hsum[h] ||
			v > fp->devices)
			return set_error(err, TA_FP_E_FORMAT,
							 "hour %d: %lld distinct devices, but cells hold %lld at most in one and %lld in all",
							 h, (long long) v, (long long) hmax[h], (long long) hsum[h]);
	}
	return TA_FP_OK;
}

/* ---------- binary format ---------- */

size_t
ta_fp_to_binary(const TAFingerprint *fp, uint8_t *dst, size_t cap)
{
	Sink		s = {dst, cap, 0};
	uint32_t	i,
				k;
	uint64_t	prev = 0;
	int			devices = (fp->flags & TA_FP_F_DEVICES) != 0;
	int			hours = (fp->flags & TA_FP_F_HOURS) != 0;
	int			h;

	put_bytes(&s, BIN_MAGIC, 4);
	put_byte(&s, TA_FP_VERSION);
	put_byte(&s, (uint8_t) fp->grid.kind);
	put_byte(&s, (uint8_t) fp->flags);
	put_byte(&s, 0);
	put_f64(&s, fp->grid.cell_m);
	put_f64(&s, fp->grid.to_meter);
	put_le(&s, (uint32_t) fp->grid.srid, 4);
	put_varint(&s, fp->ncells);
	put_varint(&s, (uint64_t) fp->points);
	if (devices)
	{
		put_varint(&s, (uint64_t) fp->devices);
		if (hours)
			for (h = 0; h < TA_FP_NHOURS; h++)
				put_varint(&s, (uint64_t) fp->hour_devices[h]);
	}
	for (i = 0; i < fp->ncells; i++)
	{
		const TAFpCell *c = &fp->cells[i];

		put_varint(&s, c->key - prev);
		prev = c->key;
		put_varint(&s, (uint64_t) c->points);
		if (devices)
			put_varint(&s, (uint64_t) c->devices);
		if (hours)
		{
			uint32_t	mask = 0;

			for (k = 0; k < c->hour_count; k++)
				mask |= 1u << fp->hours[c->hour_first + k].hour;
			put_le(&s, mask, 3);
			for (k = 0; k < c->hour_count; k++)
			{
				const TAFpHour *e = &fp->hours[c->hour_first + k];

				put_varint(&s, (uint64_t) e->points);
				if (devices)
					put_varint(&s, (uint64_t) e->devices);
			}
		}
	}
	return s.len;
}

/* room for one more hour entry, growing the array geometrically */
static TAFpStatus
reserve_hours(TAFingerprint *fp, size_t *cap, const TAFpAlloc *al, TAFpError *err)
{
	if (fp->nhours == *cap)
	{
		size_t		n = *cap ? *cap * 2 : 64;
		TAFpHour   *p = mem_realloc(al, fp->hours, size_mul(n, sizeof(TAFpHour)));

		if (p == NULL)
			return set_error(err, TA_FP_E_NOMEM, "out of memory");
		fp->hours = p;
		*cap = n;
	}
	return TA_FP_OK;
}

static TAFpStatus
reserve_cells(TAFingerprint *fp, uint32_t *cap, const TAFpAlloc *al, TAFpError *err)
{
	if (fp->ncells == *cap)
	{
		uint32_t	n = *cap ? *cap * 2 : 64;
		TAFpCell   *p;

		if (fp->ncells >= TA_FP_MAX_CELLS)
			return set_error(err, TA_FP_E_FORMAT, "more than %u cells", TA_FP_MAX_CELLS);
		if (n > TA_FP_MAX_CELLS)
			n = TA_FP_MAX_CELLS;
		p = mem_realloc(al, fp->cells, size_mul(n, sizeof(TAFpCell)));
		if (p == NULL)
			return set_error(err, TA_FP_E_NOMEM, "out of memory");
		fp->cells = p;
		*cap = n;
	}
	return TA_FP_OK;
}

static TAFpStatus
from_binary(const uint8_t *buf, size_t len, const TAFpAlloc *al,
			TAFingerprint *fp, TAFpError *err)
{
	Source		r = {buf, buf, buf + len};
	uint64_t	v,
				ncells,
				prev = 0;
	unsigned	kind,
				flags;
	double		cell_m,
				to_meter;
	int32_t		srid;
	size_t		hcap = 0,
				min_cell;
	uint32_t	i;
	int			devices,
				hours,
				h;
	TAFpStatus	st;

	if (len < BIN_HEADER)
		return set_error(err, TA_FP_E_FORMAT,
						 "binary: %zu bytes, shorter than the %d-byte header", len, BIN_HEADER);
	if (memcmp(buf, BIN_MAGIC, 4) != 0)
		return set_error(err, TA_FP_E_FORMAT, "binary: not a fingerprint (bad magic)");
	if (buf[4] != TA_FP_VERSION)
		return set_error(err, TA_FP_E_FORMAT, "binary: version %u, this build reads %d",
						 buf[4], TA_FP_VERSION);
	kind = buf[5];
	flags = buf[6];
	if (kind > TA_FP_PLANAR || (flags & ~(unsigned) TA_FP_F_ALL) || buf[7] != 0)
		return set_error(err, TA_FP_E_FORMAT, "binary: bad kind, flags or reserved byte");
	r.p = buf + 8;
	cell_m = get_f64(&r);
	to_meter = get_f64(&r);
	srid = (int32_t) (uint32_t) get_le(&r, 4);
	if (ta_fp_grid_init(&fp->grid, (TAFpKind) kind, srid, cell_m, to_meter, err) != TA_FP_OK)
		return prefix_error(err, TA_FP_E_FORMAT, "binary: ");
	fp->flags = flags;
	devices = (flags & TA_FP_F_DEVICES) != 0;
	hours = (flags & TA_FP_F_HOURS) != 0;

	if ((st = get_count(&r, TA_FP_MAX_CELLS, &ncells, "cell count", err)) != TA_FP_OK)
		return st;
	if ((st = get_count(&r, INT64_MAX, &v, "points", err)) != TA_FP_OK)
		return st;
	fp->points = (int64_t) v;
	if (devices)
	{
		if ((st = get_count(&r, INT64_MAX, &v, "distinct devices", err)) != TA_FP_OK)
			return st;
		fp->devices = (int64_t) v;
		if (hours)
			for (h = 0; h < TA_FP_NHOURS; h++)
			{
				if ((st = get_count(&r, INT64_MAX, &v, "hour devices", err)) != TA_FP_OK)
					return st;
				fp->hour_devices[h] = (int64_t) v;
			}
	}
	/* each cell takes at least this many bytes: bound the allocation */
	min_cell = 2 + (size_t) devices + (hours ? 3 : 0);
	if (ncells > (size_t) (r.end - r.p) / min_cell)
		return set_error(err, TA_FP_E_FORMAT,
						 "binary: %llu cells cannot fit in the %zu bytes left",
						 (unsigned long long) ncells, (size_t) (r.end - r.p));
	if (ncells)
	{
		fp->cells = mem_alloc(al, size_mul((size_t) ncells, sizeof(TAFpCell)));
		if (fp->cells == NULL)
			return set_error(err, TA_FP_E_NOMEM, "out of memory");
	}
	for (i = 0; i < ncells; i++)
	{
		TAFpCell   *c = &fp->cells[i];
		uint64_t	delta;

		if ((st = get_count(&r, UINT64_MAX, &delta, "cell key", err)) != TA_FP_OK)
			return st;
		if (i > 0 && (delta == 0 || delta > UINT64_MAX - prev))
			return set_error(err, TA_FP_E_FORMAT,
							 "binary: cell %u: keys must be strictly increasing", i);
		c->key = prev + delta;
		prev = c->key;
		if ((st = get_count(&r, INT64_MAX, &v, "cell points", err)) != TA_FP_OK)
			return st;
		c->points = (int64_t) v;
		c->devices = 0;
		if (devices)
		{
			if ((st = get_count(&r, INT64_MAX, &v, "cell devices", err)) != TA_FP_OK)
				return st;
			c->devices = (int64_t) v;
		}
		c->hour_first = (uint32_t) fp->nhours;
		c->hour_count = 0;
		fp->ncells = i + 1;
		if (hours)
		{
			uint32_t	mask;

			if (r.end - r.p < 3)
				return set_error(err, TA_FP_E_FORMAT,
								 "binary: truncated at byte %zu (hour mask)",
								 (size_t) (r.p - r.begin));
			mask = (uint32_t) get_le(&r, 3);
			for (h = 0; h < TA_FP_NHOURS; h++)
			{
				TAFpHour   *e;

				if (!(mask & (1u << h)))
					continue;
				if ((st = reserve_hours(fp, &hcap, al, err)) != TA_FP_OK)
					return st;
				e = &fp->hours[fp->nhours];
				e->hour = h;
				e->pad = 0;
				e->devices = 0;
				if ((st = get_count(&r, INT64_MAX, &v, "hour points", err)) != TA_FP_OK)
					return st;
				e->points = (int64_t) v;
				if (devices)
				{
					if ((st = get_count(&r, INT64_MAX, &v, "hour devices", err)) != TA_FP_OK)
						return st;
					e->devices = (int64_t) v;
				}
				fp->nhours++;
				c->hour_count++;
			}
		}
	}
	if (r.p != r.end)
		return set_error(err, TA_FP_E_FORMAT, "binary: %zu bytes after the last cell",
						 (size_t) (r.end - r.p));
	if ((st = fp_validate(fp, err)) != TA_FP_OK)
		return prefix_error(err, st, "binary: ");
	return TA_FP_OK;
}

TAFpStatus
ta_fp_from_binary(const uint8_t *buf, size_t len, const TAFpAlloc *al,
				  TAFingerprint *fp, TAFpError *err)
{
	TAFpStatus	st;

	memset(fp, 0, sizeof(*fp));
	st = from_binary(buf, len, al, fp, err);
	if (st != TA_FP_OK)
		ta_fp_free(fp, al);
	else if (err)
	{
		err->status = TA_FP_OK;
		err->message[0] = '\0';
	}
	return st;
}

/* ---------- text format ---------- */

/* the shortest of %.15g, %.16g, %.17g that reads back to d */
static void
format_double(double d, char *buf, size_t len)
{
	int			prec;

	for (prec = 15; prec <= 17; prec++)
	{
		snprintf(buf, len, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
}

static void
put_str(Sink *s, const char *str)
{
	put_bytes(s, str, strlen(str));
}

static void
put_u64(Sink *s, uint64_t v)
{
	char		b[24];
	int			n = 0;

	do
	{
		b[n++] = (char) ('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		put_byte(s, (uint8_t) b[--n]);
}

static void
put_i64(Sink *s, int64_t v)
{
	if (v < 0)
	{
		put_byte(s, '-');
		put_u64(s, (uint64_t) 0 - (uint64_t) v);
	}
	else
		put_u64(s, (uint64_t) v);
}

size_t
ta_fp_to_text(const TAFingerprint *fp, char *dst, size_t cap)
{
	Sink		s = {(uint8_t *) dst, cap ? cap - 1 : 0, 0};
	char		num[40];
	uint32_t	i,
				k;
	int			devices = (fp->flags & TA_FP_F_DEVICES) != 0;
	int			hours = (fp->flags & TA_FP_F_HOURS) != 0;
	int			h;

	put_str(&s, "v=1;kind=");
	put_str(&s, kind_name(fp->grid.kind));
	put_str(&s, ";srid=");
	put_i64(&s, fp->grid.srid);
	put_str(&s, ";cell_m=");
	format_double(fp->grid.cell_m, num, sizeof(num));
	put_str(&s, num);
	put_str(&s, ";to_meter=");
	format_double(fp->grid.to_meter, num, sizeof(num));
	put_str(&s, num);
	put_str(&s, hours ? ";hours=yes" : ";hours=no");
	put_str(&s, devices ? ";devices=yes" : ";devices=no");
	put_str(&s, ";points=");
	put_i64(&s, fp->points);
	if (devices)
	{
		put_str(&s, ";distinct_devices=");
		put_i64(&s, fp->devices);
		if (hours)
		{
			put_str(&s, ";hour_devices=");
			for (h = 0; h < TA_FP_NHOURS; h++)
			{
				if (h)
					put_byte(&s, ',');
				put_i64(&s, fp->hour_devices[h]);
			}
		}
	}
	put_str(&s, ";cells=");
	for (i = 0; i < fp->ncells; i++)
	{
		const TAFpCell *c = &fp->cells[i];

		if (i)
			put_byte(&s, ' ');
		put_i64(&s, ta_fp_key_row(c->key));
		put_byte(&s, ':');
		put_i64(&s, ta_fp_key_col(c->key));
		put_byte(&s, ':');
		put_i64(&s, c->points);
		if (devices)
		{
			put_byte(&s, ':');
			put_i64(&s, c->devices);
		}
		for (k = 0; k < c->hour_count; k++)
		{
			const TAFpHour *e = &fp->hours[c->hour_first + k];

			put_byte(&s, k ? ',' : '@');
			put_i64(&s, e->hour);
			put_byte(&s, '=');
			put_i64(&s, e->points);
			if (devices)
			{
				put_byte(&s, '/');
				put_i64(&s, e->devices);
			}
		}
	}
	if (cap)
		dst[s.len < cap ? s.len : cap - 1] = '\0';
	return s.len;
}

typedef struct Text
{
	const char *s;
	size_t		pos;
	size_t		len;
	TAFpError  *err;
} Text;

static TAFpStatus
text_error(Text *t, const char *what)
{
	return set_error(t->err, TA_FP_E_FORMAT, "text: at offset %zu: %s", t->pos, what);
}

static int
text_peek(const Text *t)
{
	return t->pos < t->len ? (unsigned char) t->s[t->pos] : -1;
}

/* consumes lit if the text continues with it */
static int
text_accept(Text *t, const char *lit)
{
	size_t		n = strlen(lit);

	if (t->len - t->pos >= n && memcmp(t->s + t->pos, lit, n) == 0)
	{
		t->pos += n;
		return 1;
	}
	return 0;
}

static TAFpStatus
text_expect(Text *t, const char *lit)
{
	char		m[64];

	if (text_accept(t, lit))
		return TA_FP_OK;
	snprintf(m, sizeof(m), "expected \"%s\"", lit);
	return text_error(t, m);
}

/* an unsigned integer in shortest form, <= max */
static TAFpStatus
text_uint(Text *t, uint64_t max, uint64_t *out)
{
	uint64_t	v = 0;
	size_t		start = t->pos;
	int			c;

	while ((c = text_peek(t)) >= '0' && c <= '9')
	{
		if (t->pos > start && v == 0)
			return text_error(t, "leading zero");
		if (v > (max - (uint64_t) (c - '0')) / 10)
			return text_error(t, "number out of range");
		v = v * 10 + (uint64_t) (c - '0');
		t->pos++;
	}
	if (t->pos == start)
		return text_error(t, "expected a number");
	*out = v;
	return TA_FP_OK;
}

static TAFpStatus
text_int32(Text *t, int32_t *out)
{
	uint64_t	v;
	TAFpStatus	st;

	if (text_accept(t, "-"))
	{
		if (text_peek(t) == '0')
			return text_error(t, "\"-0\" is not canonical");
		if ((st = text_uint(t, 2147483648u, &v)) != TA_FP_OK)
			return st;
		*out = (int32_t) (-(int64_t) v);
		return TA_FP_OK;
	}
	if ((st = text_uint(t, 2147483647u, &v)) != TA_FP_OK)
		return st;
	*out = (int32_t) v;
	return TA_FP_OK;
}

static TAFpStatus
text_count(Text *t, int64_t *out)
{
	uint64_t	v;
	TAFpStatus	st = text_uint(t, INT64_MAX, &v);

	if (st == TA_FP_OK)
		*out = (int64_t) v;
	return st;
}

/* a double exactly as format_double writes it */
static TAFpStatus
text_double(Text *t, double *out)
{
	char		tok[40],
				canon[40];
	size_t		n = 0;
	char	   *end;
	int			c;

	while ((c = text_peek(t)) != -1 &&
		   ((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == '-' || c == '+'))
	{
		if (n + 1 >= sizeof(tok))
			return text_error(t, "number too long");
		tok[n++] = (char) c;
		t->pos++;
	}
	tok[n] = '\0';
	if (n == 0)
		return text_error(t, "expected a number");
	*out = strtod(tok, &end);
	if (*end != '\0' || !isfinite(*out))
		return text_error(t, "malformed number");
	format_double(*out, canon, sizeof(canon));
	if (strcmp(canon, tok) != 0)
		return text_error(t, "number not in its shortest form");
	return TA_FP_OK;
}

static TAFpStatus
text_yes_no(Text *t, int *out)
{
	if (text_accept(t, "yes"))
		*out = 1;
	else if (text_accept(t, "no"))
		*out = 0;
	else
		return text_error(t, "expected yes or no");
	return TA_FP_OK;
}

#define TRY(expr) do { TAFpStatus st_ = (expr); if (st_ != TA_FP_OK) return st_; } while (0)

static TAFpStatus
from_text(Text *t, const TAFpAlloc *al, TAFingerprint *fp)
{
	TAFpKind	kind;
	int32_t		srid;
	double		cell_m,
				to_meter;
	int			hours,
				devices,
				h;
	uint32_t	ccap = 0;
	size_t		hcap = 0;
	TAFpStatus	st;

	TRY(text_expect(t, "v=1;kind="));
	if (text_accept(t, "geographic"))
		kind = TA_FP_GEOGRAPHIC;
	else if (text_accept(t, "planar"))
		kind = TA_FP_PLANAR;
	else
		return text_error(t, "expected geographic or planar");
	TRY(text_expect(t, ";srid="));
	TRY(text_int32(t, &srid));
	TRY(text_expect(t, ";cell_m="));
	TRY(text_double(t, &cell_m));
	TRY(text_expect(t, ";to_meter="));
	TRY(text_double(t, &to_meter));
	st = ta_fp_grid_init(&fp->grid, kind, srid, cell_m, to_meter, t->err);
	if (st != TA_FP_OK)
		return prefix_error(t->err, TA_FP_E_FORMAT, "text: ");
	TRY(text_expect(t, ";hours="));
	TRY(text_yes_no(t, &hours));
	TRY(text_expect(t, ";devices="));
	TRY(text_yes_no(t, &devices));
	fp->flags = (hours ? TA_FP_F_HOURS : 0) | (devices ? TA_FP_F_DEVICES : 0);
	TRY(text_expect(t, ";points="));
	TRY(text_count(t, &fp->points));
	if (devices)
	{
		TRY(text_expect(t, ";distinct_devices="));
		TRY(text_count(t, &fp->devices));
		if (hours)
		{
			TRY(text_expect(t, ";hour_devices="));
			for (h = 0; h < TA_FP_NHOURS; h++)
			{
				if (h)
					TRY(text_expect(t, ","));
				TRY(text_count(t, &fp->hour_devices[h]));
			}
		}
	}
	TRY(text_expect(t, ";cells="));
	while (t->pos < t->len)
	{
		TAFpCell   *c;
		int32_t		row,
					col;

		if (fp->ncells > 0)
			TRY(text_expect(t, " "));
		TRY(reserve_cells(fp, &ccap, al, t->err));
		c = &fp->cells[fp->ncells];
		TRY(text_int32(t, &row));
		TRY(text_expect(t, ":"));
		TRY(text_int32(t, &col));
		TRY(text_expect(t, ":"));
		c->key = ta_fp_key(row, col);
		TRY(text_count(t, &c->points));
		c->devices = 0;
		if (devices)
		{
			TRY(text_expect(t, ":"));
			TRY(text_count(t, &c->devices));
		}
		c->hour_first = (uint32_t) fp->nhours;
		c->hour_count = 0;
		fp->ncells++;
		if (hours && text_accept(t, "@"))
		{
			do
			{
				TAFpHour   *e;
				uint64_t	hv;

				if (c->hour_count >= TA_FP_NHOURS)
					return text_error(t, "more than 24 hours in a cell");
				TRY(reserve_hours(fp, &hcap, al, t->err));
				e = &fp->hours[fp->nhours];
				TRY(text_uint(t, TA_FP_NHOURS - 1, &hv));
				e->hour = (int32_t) hv;
				e->pad = 0;
				e->devices = 0;
				TRY(text_expect(t, "="));
				TRY(text_count(t, &e->points));
				if (devices)
				{
					TRY(text_expect(t, "/"));
					TRY(text_count(t, &e->devices));
				}
				fp->nhours++;
				c->hour_count++;
			} while (text_accept(t, ","));
		}
	}
	st = fp_validate(fp, t->err);
	if (st != TA_FP_OK)
		return prefix_error(t->err, st, "text: ");
	return st;
}

TAFpStatus
ta_fp_from_text(const char *text, size_t len, const TAFpAlloc *al,
				TAFingerprint *fp, TAFpError *err)
{
	Text		t = {text, 0, len, err};
	TAFpStatus	st;

	memset(fp, 0, sizeof(*fp));
	st = from_text(&t, al, fp);
	if (st != TA_FP_OK)
		ta_fp_free(fp, al);
	else if (err)
	{
		err->status = TA_FP_OK;
		err->message[0] = '\0';
	}
	return st;
}

/* ---------- accumulator state (serialfn / deserialfn) ---------- */

size_t
ta_fp_acc_serial_bound(TAFpAcc *acc)
{
	size_t		per_cell = 2 * 10 + (acc->hp ? TA_FP_NHOURS * 5 : 0);

	if (acc_settle(acc, 0) != TA_FP_OK)
		return 0;
	/* varints of at most 10 bytes, 5 for a uint32 */
	per_cell += acc->flags & TA_FP_F_DEVICES ? 10 : 0;
	return BIN_HEADER + 20 + (size_t) acc->ncells * per_cell + acc->npartel * 10;
}

size_t
ta_fp_acc_serialize(TAFpAcc *acc, uint8_t *dst, size_t cap)
{
	Sink		s = {dst, cap, 0};
	uint32_t	i;
	size_t		j;
	int			h;
	const Part *p;

	if (acc_settle(acc, 0) != TA_FP_OK)
		return 0;
	/* settled: no part (no device ever), or one with a group per cell */
	p = acc->nparts ? &acc->parts[0] : NULL;
	put_bytes(&s, STATE_MAGIC, 4);
	put_byte(&s, TA_FP_VERSION);
	put_byte(&s, (uint8_t) acc->grid.kind);
	put_byte(&s, (uint8_t) acc->flags);
	put_byte(&s, 0);
	put_f64(&s, acc->grid.cell_m);
	put_f64(&s, acc->grid.to_meter);
	put_le(&s, (uint32_t) acc->grid.srid, 4);
	put_varint(&s, acc->ncells);
	for (i = 0; i < acc->ncells; i++)
	{
		put_varint(&s, acc->cells[i].key);
		put_varint(&s, (uint64_t) acc->cells[i].points);
		if (acc->hp)
			for (h = 0; h < TA_FP_NHOURS; h++)
				put_varint(&s, acc->hp[(size_t) i * TA_FP_NHOURS + h]);
	}
	/* their number, then per cell its device elements ascending, as deltas */
	if (acc->flags & TA_FP_F_DEVICES)
	{
		put_varint(&s, acc->npartel);
		for (i = 0; i < acc->ncells; i++)
		{
			size_t		b = p && i < p->ng ? p->goff[i] : 0,
						e = p && i < p->ng ? p->goff[i + 1] : 0;
			uint64_t	prev = 0;

			put_varint(&s, e - b);
			for (j = b; j < e; j++)
			{
				put_varint(&s, p->el[j] - prev);
				prev = p->el[j];
			}
		}
	}
	return s.len;
}

static int
elem_ok(uint64_t e, unsigned flags)
{
	unsigned	h = (unsigned) (e & HOUR_MASK);

	if (h == HOUR_ANY)
		return 1;
	return h >= 1 && h <= TA_FP_NHOURS && (flags & TA_FP_F_HOURS);
}

/*
 * Per cell, its distinct device elements, ascending; with no more devices
 * than points in the cell and in each hour (what add() guarantees), the
 * fingerprint the state finalizes to is valid.  The counts themselves are
 * left to the settle that follows a merge.
 */
static TAFpStatus
read_device_elements(Source *r, TAFpAcc *acc, TAFpError *err)
{
	Part		np,
			   *part;
	size_t		nel = 0;
	uint64_t	n,
				v,
				i,
				total;
	int			h;
	TAFpStatus	st;

	/* a part, its size bounded by the bytes left (an element takes one or more) */
	if ((st = get_count(r, (size_t) (r->end - r->p), &total, "device elements", err)) != TA_FP_OK)
		return st;
	if (part_alloc(&acc->al, &np, (size_t) total, acc->ncells) < 0 || parts_add(acc, &np) < 0)
		return set_error(err, acc_fail(acc, TA_FP_E_NOMEM), "out of memory");
	part = &acc->parts[0];
	for (i = 0; i < acc->ncells; i++)
	{
		uint64_t	k,
					prev = 0;
		int64_t		devices = 0;
		uint32_t	dh[TA_FP_NHOURS] = {0};

		part->gcell[i] = (uint32_t) i;
		part->goff[i] = nel;
		if ((st = get_count(r, total - nel, &n, "cell device count", err)) != TA_FP_OK)
			return st;
		for (k = 0; k < n; k++)
		{
			unsigned	code;

			if ((st = get_count(r, UINT64_MAX, &v, "device element", err)) != TA_FP_OK)
				return st;
			if (k > 0 && (v == 0 || v > UINT64_MAX - prev))
				return set_error(err, TA_FP_E_FORMAT, "state: device elements not increasing");
			v += prev;
			if (!elem_ok(v, acc->flags))
				return set_error(err, TA_FP_E_FORMAT, "state: bad device element");
			part->el[nel++] = v;
			devices += k == 0 || (v >> 5) != (prev >> 5);
			code = (unsigned) (v & HOUR_MASK);
			if (code != HOUR_ANY)
				dh[code - 1]++;
			prev = v;
		}
		if (devices > acc->cells[i].points)
			return set_error(err, TA_FP_E_FORMAT, "state: more devices than points");
		for (h = 0; acc->hp && h < TA_FP_NHOURS; h++)
			if (dh[h] > acc->hp[i * TA_FP_NHOURS + h])
				return set_error(err, TA_FP_E_FORMAT, "state: more devices than points");
	}
	part->goff[acc->ncells] = nel;
	if (nel != total)
		return set_error(err, TA_FP_E_FORMAT, "state: %zu device elements, not %llu",
						 nel, (unsigned long long) total);
	/* settled (one part in cell order), to be counted at the settle after a merge */
	acc->counted = 0;
	return TA_FP_OK;
}

static TAFpStatus
acc_deserialize(const uint8_t *buf, size_t len, TAFpAcc *acc, TAFpError *err)
{
	Source		r = {buf, buf + BIN_HEADER, buf + len};
	uint64_t	n,
				v,
				i;
	int64_t		sum = 0;
	int			h;
	TAFpStatus	st;

	/* cells */
	if ((st = get_count(&r, TA_FP_MAX_CELLS, &n, "cell count", err)) != TA_FP_OK)
		return st;
	if (n > (size_t) (r.end - r.p) / 2)
		return set_error(err, TA_FP_E_FORMAT, "state: too many cells for its size");
	for (i = 0; i < n; i++)
	{
		uint32_t	idx;
		uint64_t	hsum = 0;

		if ((st = get_count(&r, UINT64_MAX, &v, "cell key", err)) != TA_FP_OK)
			return st;
		if (!ta_fp_cell_valid(&acc->grid, v) || acc_lookup(acc, v) != UINT32_MAX)
			return set_error(err, TA_FP_E_FORMAT, "state: bad or repeated cell");
		if ((st = acc_new_cell(acc, v, &idx)) != TA_FP_OK)
			return set_error(err, st, "%s", ta_fp_status_message(st));
		if ((st = get_count(&r, INT64_MAX, &v, "cell points", err)) != TA_FP_OK)
			return st;
		if (v < 1 || (int64_t) v > INT64_MAX - sum)
			return set_error(err, TA_FP_E_FORMAT, "state: bad point count");
		acc->cells[idx].points = (int64_t) v;
		sum += (int64_t) v;
		if (acc->hp)
			for (h = 0; h < TA_FP_NHOURS; h++)
			{
				uint64_t	p;

				if ((st = get_count(&r, UINT32_MAX, &p, "hour points", err)) != TA_FP_OK)
					return st;
				acc->hp[(size_t) idx * TA_FP_NHOURS + h] = (uint32_t) p;
				hsum += p;
			}
		if (hsum > v)
			return set_error(err, TA_FP_E_FORMAT, "state: hourly points exceed the cell's");
	}
	acc->points = sum;

	if ((acc->flags & TA_FP_F_DEVICES) && (st = read_device_elements(&r, acc, err)) != TA_FP_OK)
		return st;
	if (r.p != r.end)
		return set_error(err, TA_FP_E_FORMAT, "state: trailing bytes");
	return TA_FP_OK;
}

TAFpStatus
ta_fp_acc_deserialize(const uint8_t *buf, size_t len, const TAFpAlloc *al,
					  TAFpAcc **out, TAFpError *err)
{
	TAFpGrid	g;
	Source		r = {buf, buf + 8, buf + len};
	double		cell_m,
				to_meter;
	int32_t		srid;
	TAFpAcc    *acc;
	TAFpStatus	st;

	*out = NULL;
	if (len < BIN_HEADER || memcmp(buf, STATE_MAGIC, 4) != 0 ||
		buf[4] != TA_FP_VERSION || buf[5] > TA_FP_PLANAR ||
		(buf[6] & ~(unsigned) TA_FP_F_ALL) || buf[7] != 0)
		return set_error(err, TA_FP_E_FORMAT, "state: bad header");
	cell_m = get_f64(&r);
	to_meter = get_f64(&r);
	srid = (int32_t) (uint32_t) get_le(&r, 4);
	if (ta_fp_grid_init(&g, (TAFpKind) buf[5], srid, cell_m, to_meter, err) != TA_FP_OK)
		return prefix_error(err, TA_FP_E_FORMAT, "state: ");
	acc = ta_fp_acc_create(&g, buf[6], al);
	if (acc == NULL)
		return set_error(err, TA_FP_E_NOMEM, "out of memory");
	st = acc_deserialize(buf, len, acc, err);
	if (st != TA_FP_OK)
	{
		ta_fp_acc_free(acc);
		return st;
	}
	*out = acc;
	if (err)
	{
		err->status = TA_FP_OK;
		err->message[0] = '\0';
	}
	return TA_FP_OK;
}

/* ---------- summary ---------- */

/* cells by points descending, then key ascending: v is the cell index */
static SortItem *
by_density(const TAFingerprint *fp, const TAFpAlloc *al)
{
	SortItem   *items = mem_alloc(al, size_mul(fp->ncells, sizeof(SortItem)));
	uint32_t	i;

	if (items == NULL)
		return NULL;
	for (i = 0; i < fp->ncells; i++)
	{
		items[i].k = (uint64_t) (INT64_MAX - fp->cells[i].points);
		items[i].v = i;
	}
	sort_items(items, fp->ncells);
	return items;
}

static uint32_t
mark_core(const TAFingerprint *fp, const SortItem *items, uint8_t *is_core)
{
	int64_t		cum = 0;
	uint32_t	k = 0;

	memset(is_core, 0, fp->ncells);
	while (k < fp->ncells && cum < fp->points - cum)
	{
		cum += fp->cells[items[k].v].points;
		is_core[items[k].v] = 1;
		k++;
	}
	return k;
}

TAFpStatus
ta_fp_core(const TAFingerprint *fp, const TAFpAlloc *al, uint8_t *is_core,
		   uint32_t *ncore)
{
	SortItem   *items;

	*ncore = 0;
	if (fp->ncells == 0)
		return TA_FP_OK;
	items = by_density(fp, al);
	if (items == NULL)
		return TA_FP_E_NOMEM;
	*ncore = mark_core(fp, items, is_core);
	mem_free(al, items);
	return TA_FP_OK;
}

/* per hour: points, and the core's share of points and device presences */
static void
hour_shares(const TAFingerprint *fp, const uint8_t *is_core, int64_t *points,
			double *core_points, double *core_devices)
{
	double		cp[TA_FP_NHOURS],
				ap[TA_FP_NHOURS],
				cd[TA_FP_NHOURS],
				ad[TA_FP_NHOURS];
	uint32_t	i,
				k;
	int			h;

	memset(cp, 0, sizeof(cp));
	memset(ap, 0, sizeof(ap));
	memset(cd, 0, sizeof(cd));
	memset(ad, 0, sizeof(ad));
	for (h = 0; h < TA_FP_NHOURS; h++)
		points[h] = 0;
	for (i = 0; i < fp->ncells; i++)
		for (k = 0; k < fp->cells[i].hour_count; k++)
		{
			const TAFpHour *e = &fp->hours[fp->cells[i].hour_first + k];

			points[e->hour] += e->points;
			ap[e->hour] += (double) e->points;
			ad[e->hour] += (double) e->devices;
			if (is_core[i])
			{
				cp[e->hour] += (double) e->points;
				cd[e->hour] += (double) e->devices;
			}
		}
	for (h = 0; h < TA_FP_NHOURS; h++)
	{
		core_points[h] = ap[h] > 0 ? cp[h] / ap[h] : NAN;
		if (core_devices)
			core_devices[h] = ad[h] > 0 ? cd[h] / ad[h] : NAN;
	}
}

TAFpStatus
ta_fp_summary(const TAFingerprint *fp, const TAFpAlloc *al, TAFpSummary *s)
{
	SortItem   *items;
	uint8_t    *is_core;
	uint32_t	n = fp->ncells,
				i;
	double		total = (double) fp->points;
	double		gsum = 0,
				hsum = 0;
	int64_t		top = 0;
	int			h;

	memset(s, 0, sizeof(*s));
	s->points = fp->points;
	s->devices = fp->devices;
	s->cells = n;
	memcpy(s->hour_devices, fp->hour_devices, sizeof(s->hour_devices));
	s->gini = s->entropy = s->top1_share = s->top10_share = NAN;
	s->zipf_slope = s->core_share = NAN;
	for (h = 0; h < TA_FP_NHOURS; h++)
		s->hour_core_points[h] = s->hour_core_devices[h] = NAN;
	if (n == 0)
		return TA_FP_OK;

	items = by_density(fp, al);
	is_core = mem_alloc(al, n);
	if (items == NULL || is_core == NULL)
	{
		mem_free(al, items);
		mem_free(al, is_core);
		return TA_FP_E_NOMEM;
	}

	/* Gini over ascending order: the i-th densest is ascending n - i */
	for (i = 0; i < n; i++)
	{
		double		x = (double) fp->cells[items[i].v].points;
		double		p = x / total;

		gsum += (2.0 * (double) (n - i) - n - 1.0) * x;
		hsum -= p * log(p);
	}
	s->gini = gsum / ((double) n * total);
	s->entropy = n > 1 ? hsum / log((double) n) : 0.0;

	s->top1_cells = (n + 99) / 100;
	s->top10_cells = (n + 9) / 10;
	for (i = 0; i < s->top10_cells; i++)
	{
		top += fp->cells[items[i].v].points;
		if (i + 1 == s->top1_cells)
			s->top1_share = (double) top / total;
	}
	s->top10_share = (double) top / total;

	if (n >= 2)
	{
		double		mx = 0,
					my = 0,
					sxy = 0,
					sxx = 0;

		for (i = 0; i < n; i++)
		{
			mx += log((double) i + 1.0);
			my += log((double) fp->cells[items[i].v].points);
		}
		mx /= n;
		my /= n;
		for (i = 0; i < n; i++)
		{
			double		dx = log((double) i + 1.0) - mx;
			double		dy = log((double) fp->cells[items[i].v].points) - my;

			sxy += dx * dy;
			sxx += dx * dx;
		}
		s->zipf_slope = sxy / sxx;
	}

	s->core_cells = mark_core(fp, items, is_core);
	{
		int64_t		cum = 0;

		for (i = 0; i < s->core_cells; i++)
			cum += fp->cells[items[i].v].points;
		s->core_share = (double) cum / total;
	}
	hour_shares(fp, is_core, s->hour_points, s->hour_core_points,
				(fp->flags & TA_FP_F_DEVICES) ? s->hour_core_devices : NULL);
	mem_free(al, items);
	mem_free(al, is_core);
	return TA_FP_OK;
}

/* ---------- comparison ---------- */

TAFpStatus
ta_fp_compatible(const TAFingerprint *a, const TAFingerprint *b, TAFpError *err)
{
	if (a->grid.kind != b->grid.kind)
		return set_error(err, TA_FP_E_INCOMPATIBLE,
						 "a %s fingerprint cannot be compared with a %s one",
						 kind_name(a->grid.kind), kind_name(b->grid.kind));
	if (a->grid.srid != b->grid.srid)
		return set_error(err, TA_FP_E_INCOMPATIBLE,
						 "fingerprints of SRID %d and SRID %d cannot be compared",
						 (int) a->grid.srid, (int) b->grid.srid);
	if (memcmp(&a->grid.cell_m, &b->grid.cell_m, sizeof(double)) != 0)
		return set_error(err, TA_FP_E_INCOMPATIBLE,
						 "fingerprints of cell sizes %.17g m and %.17g m cannot be compared",
						 a->grid.cell_m, b->grid.cell_m);
	if (memcmp(&a->grid.to_meter, &b->grid.to_meter, sizeof(double)) != 0)
		return set_error(err, TA_FP_E_INCOMPATIBLE,
						 "fingerprints of units %.17g m and %.17g m cannot be compared",
						 a->grid.to_meter, b->grid.to_meter);
	return TA_FP_OK;
}

/* p log2(p / m), 0 for p = 0 */
static inline double
jsd_term(double p, double m)
{
	return p > 0 ? p * log2(p / m) : 0.0;
}

/* 1 - JSD over two count vectors walked in step (counts sum to ta, tb) */
static double
js_similarity(const int64_t *xa, const int64_t *xb, size_t n, double ta, double tb)
{
	double		jsd = 0;
	int			shared = 0;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		double		p = (double) xa[i] / ta,
					q = (double) xb[i] / tb,
					m = (p + q) / 2.0;

		if (xa[i] && xb[i])
			shared = 1;
		jsd += jsd_term(p, m) / 2.0 + jsd_term(q, m) / 2.0;
	}
	if (!shared)
		return 0.0;
	jsd = 1.0 - jsd;
	return jsd < 0.0 ? 0.0 : jsd > 1.0 ? 1.0 : jsd;
}

/* a + sign * b without overflow; 0 on overflow */
static int
add_count(int64_t a, int64_t b, int sign, int64_t *out)
{
	if (sign > 0)
	{
		if (b > INT64_MAX - a)
			return 0;
		*out = a + b;
	}
	else
		*out = a - b;
	return 1;
}

/* merges the hour lists of two cells (either may be NULL) into out */
static int
add_hours(const TAFingerprint *a, const TAFpCell *ca, const TAFingerprint *b,
		  const TAFpCell *cb, int sign, TAFpHour *out, uint32_t *nout)
{
	uint32_t	i = 0,
				j = 0,
				ni = ca ? ca->hour_count : 0,
				nj = cb ? cb->hour_count : 0,
				n = 0;

	while (i < ni || j < nj)
	{
		const TAFpHour *ha = i < ni ? &a->hours[ca->hour_first + i] : NULL;
		const TAFpHour *hb = j < nj ? &b->hours[cb->hour_first + j] : NULL;
		TAFpHour	h = {0};

		if (ha && (hb == NULL || ha->hour <= hb->hour))
		{
			h.hour = ha->hour;
			h.points = ha->points;
			h.devices = ha->devices;
			i++;
		}
		if (hb && (ha == NULL || hb->hour <= ha->hour))
		{
			h.hour = hb->hour;
			if (!add_count(h.points, hb->points, sign, &h.points) ||
				!add_count(h.devices, hb->devices, sign, &h.devices))
				return 0;
			j++;
		}
		if (h.points != 0 || h.devices != 0)
			out[n++] = h;
	}
	*nout = n;
	return 1;
}

TAFpStatus
ta_fp_add(const TAFingerprint *a, const TAFingerprint *b, int sign,
		  const TAFpAlloc *al, TAFingerprint *out, TAFpError *err)
{
	TAFpDiffIter it;
	TAFpCellDiff d;
	TAFpStatus	st;
	const char *what = sign > 0 ? "added" : "subtracted";
	int			h;

	memset(out, 0, sizeof(*out));
	if ((st = ta_fp_compatible(a, b, err)) != TA_FP_OK)
		return st;
	if (a->flags != b->flags)
		return set_error(err, TA_FP_E_INCOMPATIBLE,
						 "a fingerprint %s hours and devices cannot be %s to one %s them",
						 (a->flags & TA_FP_F_HOURS) ? "with" : "without", what,
						 (b->flags & TA_FP_F_HOURS) ? "with" : "without");
	out->grid = a->grid;
	out->flags = a->flags;
	if (!add_count(a->points, b->points, sign, &out->points) ||
		!add_count(a->devices, b->devices, sign, &out->devices))
		return set_error(err, TA_FP_E_OVERFLOW, "the sum overflows a counter");
	for (h = 0; h < TA_FP_NHOURS; h++)
		if (!add_count(a->hour_devices[h], b->hour_devices[h], sign, &out->hour_devices[h]))
			return set_error(err, TA_FP_E_OVERFLOW, "the sum overflows a counter");
	if ((size_t) a->ncells + b->ncells > 0)
	{
		out->cells = mem_alloc(al, size_mul((size_t) a->ncells + b->ncells, sizeof(TAFpCell)));
		if (out->cells == NULL)
			return TA_FP_E_NOMEM;
	}
	if (a->nhours + b->nhours > 0)
	{
		out->hours = mem_alloc(al, size_mul(a->nhours + b->nhours, sizeof(TAFpHour)));
		if (out->hours == NULL)
		{
			ta_fp_free(out, al);
			return TA_FP_E_NOMEM;
		}
	}
	ta_fp_diff_init(&it, a, b);
	while (it.i < a->ncells || it.j < b->ncells)
	{
		const TAFpCell *ca = it.i < a->ncells ? &a->cells[it.i] : NULL;
		const TAFpCell *cb = it.j < b->ncells ? &b->cells[it.j] : NULL;
		TAFpCell	c = {0};
		uint32_t	nh;

		ta_fp_diff_next(&it, &d);
		if (ca && ca->key != d.key)
			ca = NULL;
		if (cb && cb->key != d.key)
			cb = NULL;
		c.key = d.key;
		if (!add_count(d.points_a, d.points_b, sign, &c.points) ||
			!add_count(d.devices_a, d.devices_b, sign, &c.devices) ||
			!add_hours(a, ca, b, cb, sign, out->hours + out->nhours, &nh))
		{
			ta_fp_free(out, al);
			return set_error(err, TA_FP_E_OVERFLOW, "the sum overflows a counter");
		}
		if (c.points == 0 && c.devices == 0 && nh == 0)
			continue;			/* all of the cell was subtracted */
		c.hour_first = (uint32_t) out->nhours;
		c.hour_count = nh;
		out->nhours += nh;
		out->cells[out->ncells++] = c;
	}
	/* a difference of a fingerprint that does not contain b fails here */
	if ((st = fp_validate(out, err)) != TA_FP_OK)
	{
		ta_fp_free(out, al);
		if (sign < 0)
			return prefix_error(err, TA_FP_E_ARG, "the subtracted fingerprint is not part of the first: ");
		return st;
	}
	return TA_FP_OK;
}

void
ta_fp_diff_init(TAFpDiffIter *it, const TAFingerprint *a, const TAFingerprint *b)
{
	it->a = a;
	it->b = b;
	it->i = 0;
	it->j = 0;
}

int
ta_fp_diff_next(TAFpDiffIter *it, TAFpCellDiff *d)
{
	const TAFingerprint *a = it->a,
			   *b = it->b;
	const TAFpCell *ca = it->i < a->ncells ? &a->cells[it->i] : NULL;
	const TAFpCell *cb = it->j < b->ncells ? &b->cells[it->j] : NULL;

	if (ca == NULL && cb == NULL)
		return 0;
	memset(d, 0, sizeof(*d));
	if (ca && (cb == NULL || ca->key <= cb->key))
	{
		d->key = ca->key;
		d->points_a = ca->points;
		d->devices_a = ca->devices;
		d->share_a = (double) ca->points / (double) a->points;
		it->i++;
	}
	if (cb && (ca == NULL || cb->key <= ca->key))
	{
		d->key = cb->key;
		d->points_b = cb->points;
		d->devices_b = cb->devices;
		d->share_b = (double) cb->points / (double) b->points;
		it->j++;
	}
	return 1;
}

TAFpStatus
ta_fp_similarity(const TAFingerprint *a, const TAFingerprint *b, double *sim,
				 TAFpError *err)
{
	TAFpDiffIter it;
	TAFpCellDiff d;
	double		jsd = 0;
	int			shared = 0;
	TAFpStatus	st;

	*sim = NAN;
	if ((st = ta_fp_compatible(a, b, err)) != TA_FP_OK)
		return st;
	if (a->points == 0 || b->points == 0)
		return TA_FP_OK;
	ta_fp_diff_init(&it, a, b);
	while (ta_fp_diff_next(&it, &d))
	{
		double		m = (d.share_a + d.share_b) / 2.0;

		if (d.points_a && d.points_b)
			shared = 1;
		jsd += jsd_term(d.share_a, m) / 2.0 + jsd_term(d.share_b, m) / 2.0;
	}
	if (!shared)
		*sim = 0.0;
	else
	{
		double		s = 1.0 - jsd;

		*sim = s < 0.0 ? 0.0 : s > 1.0 ? 1.0 : s;
	}
	return TA_FP_OK;
}

TAFpStatus
ta_fp_hour_diff(const TAFingerprint *a, const TAFingerprint *b,
				const TAFpAlloc *al, TAFpHourDiff *d, TAFpError *err)
{
	const TAFingerprint *fps[2] = {a, b};
	int64_t		points[2][TA_FP_NHOURS];
	double		total[2] = {0, 0};
	int			f,
				h;
	TAFpStatus	st;

	if ((st = ta_fp_compatible(a, b, err)) != TA_FP_OK)
		return st;
	for (f = 0; f < 2; f++)
	{
		const TAFingerprint *fp = fps[f];
		double	   *core = f ? d->core_b : d->core_a;
		double	   *share = f ? d->share_b : d->share_a;
		uint8_t    *is_core = NULL;
		uint32_t	ncore;

		if (fp->ncells)
		{
			is_core = mem_alloc(al, fp->ncells);
			if (is_core == NULL)
				return set_error(err, TA_FP_E_NOMEM, "out of memory");
			if ((st = ta_fp_core(fp, al, is_core, &ncore)) != TA_FP_OK)
			{
				mem_free(al, is_core);
				return set_error(err, st, "out of memory");
			}
			hour_shares(fp, is_core, points[f], core, NULL);
			mem_free(al, is_core);
		}
		else
			for (h = 0; h < TA_FP_NHOURS; h++)
			{
				points[f][h] = 0;
				core[h] = NAN;
			}
		for (h = 0; h < TA_FP_NHOURS; h++)
			total[f] += (double) points[f][h];
		for (h = 0; h < TA_FP_NHOURS; h++)
			share[h] = total[f] > 0 ? (double) points[f][h] / total[f] : NAN;
	}
	d->profile_similarity = total[0] > 0 && total[1] > 0 ?
		js_similarity(points[0], points[1], TA_FP_NHOURS, total[0], total[1]) : NAN;
	return TA_FP_OK;
}
