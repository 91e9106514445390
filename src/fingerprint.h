/*
 * fingerprint.h
 *	  Density fingerprints (issue 3): where and when points and devices
 *	  concentrate on a global, deterministic grid, in a form that compares
 *	  between datasets.  Pure C, no PostgreSQL headers: unit tested in
 *	  tests/unit and fuzzed in tests/fuzz.  Memory comes only from the
 *	  caller's allocator callbacks (TAFpAlloc).
 *
 * GRID
 *	  A cell is named by a row and a column (int32 each), packed into a 64-bit
 *	  key whose unsigned order is (row, col) order:
 *		key = (uint64)(row ^ 0x80000000) << 32 | (uint32)(col ^ 0x80000000)
 *	  The grid depends only on the kind, the cell size cell_m (metres, in
 *	  [TA_FP_MIN_CELL_M, TA_FP_MAX_CELL_M]) and, for planar grids, the CRS unit
 *	  to_meter, so every dataset with the same (kind, srid, cell_m, to_meter)
 *	  aligns cell for cell.
 *
 *	  Planar (projected SRIDs): squares of side u = cell_m / to_meter CRS
 *	  units, row = floor(y / u), col = floor(x / u); a coordinate whose
 *	  row or column falls outside int32 is out of range (TA_FP_E_RANGE).
 *
 *	  Geographic (lon/lat SRIDs): always on the WGS 84 ellipsoid, whatever
 *	  the SRID's datum (the cell edges are lon/lat lines; another ellipsoid
 *	  changes a cell's size in metres by less than 0.01%, and this keeps a
 *	  fingerprint self-contained).  Rows are latitude bands exactly cell_m
 *	  high along the meridian: with M(phi) the meridian arc from the equator,
 *		row = floor(M(phi) / cell_m)
 *	  clamped to [-nbands, nbands - 1], nbands = ceil(Q / cell_m), Q the
 *	  quarter meridian (10 001 965.729 m); the band touching a pole is
 *	  truncated there.  M uses Helmert's series in n = f / (2 - f):
 *		M(phi) = A (phi + b2 sin 2phi + b4 sin 4phi + b6 sin 6phi + b8 sin 8phi)
 *		A = a / (1 + n) (1 + n^2/4 + n^4/64), b2 = -(3n/2 - 9n^3/16),
 *		b4 = 15n^2/16 - 15n^4/32, b6 = -35n^3/48, b8 = 315n^4/512
 *	  (error ~1e-7 m; one sin and one cos per point, the higher multiples by
 *	  recurrence).  Band edges come back through the inverse series
 *	  (footpoint latitude).  Within band k, ncol(k) columns of equal width
 *	  in longitude:
 *		ncol(k) = max(1, round(area of band k on the ellipsoid / cell_m^2))
 *		col = floor((lon + 180) * ncol(k) / 360), clamped to ncol(k) - 1
 *	  so cells of a band have exactly equal areas, each within a factor
 *	  1 +- 0.5 / ncol(k) of cell_m^2 (except the truncated polar bands), and
 *	  are cell_m wide at the band's middle to the same tolerance (plus
 *	  ~(cell_m / R)^2 from the band's curvature): 1e-5 relative for 1 km
 *	  cells at 70 degrees.  ncol depends only on k, so the grid is global.
 *	  Longitude must lie in [-180, 180] (180 belongs to the last column)
 *	  and latitude in [-90, 90]; others are TA_FP_E_RANGE.  The formulas
 *	  above are the definition: an SQL re-computation agrees except for
 *	  points within ~1e-9 degree of a cell edge (floating-point rounding).
 *
 * ACCUMULATOR (TAFpAcc)
 *	  A sparse hash map cell -> points (int64), per-hour points (uint32) and
 *	  exact distinct devices, overall and per hour.  Device identity: the
 *	  caller passes a 64-bit key per row; only its low 59 bits are kept (the
 *	  other 5 hold the hour).  Pass a dense id below 2^59 and counts are
 *	  exact; pass a 64-bit hash of the trace id and two of n distinct devices
 *	  collide with probability about n^2 / 2^60 (1e-6 for a million
 *	  devices), a collision merging two devices into one.  add() is O(1)
 *	  amortised: one sin and cos per geographic point (column counts come
 *	  from a per-band cache), a memo of the last cell, and per device (a
 *	  hash map, 24 bytes a device) its current run: the (cell, hour) of its
 *	  last fix and the points since, so a device's run of fixes in one cell
 *	  and hour touches only its own entry even when the feed interleaves
 *	  devices.  A run ends by appending its (cell, device, hour) element
 *	  and points to a device log (24 bytes); the cells are looked up and
 *	  their points added in one pass at a flush.  Distinct devices per cell
 *	  and hour are counted when the accumulator settles (before finalize
 *	  and serialize, and when a log of a million entries or more is full
 *	  and holds 3x the settled elements): the log's elements and the settled
 *	  ones (8 bytes each, per cell ascending and distinct, in parts) are
 *	  gathered by cell, each cell's sorted and its repeats dropped, into
 *	  one part.  Merging adds a copy of the other accumulator's parts (and
 *	  its log), so the parallel combine step is exact and its settle merges
 *	  a few sorted runs per cell, not a hash probe per element.  Memory: 24
 *	  bytes per logged run (up to 3x the settled elements, or 2^20 entries,
 *	  before a compaction), 8 per settled element, and 16 per element
 *	  while settling, so a trace-like feed stays small, but rows of random
 *	  devices in random cells and hours cost 24 to about 64 bytes a row:
 *	  exactness costs memory.
 *
 * FINGERPRINT (TAFingerprint)
 *	  What finalize returns and what is stored: cells sorted by key with
 *	  points, distinct devices and, per hour with points, points and
 *	  distinct devices; dataset totals (points, distinct devices overall and
 *	  per hour).  The device sets are dropped, so two stored fingerprints
 *	  cannot be merged exactly; they are compared, never merged.  Merging
 *	  is done on accumulators (pre-finalisation), which is exact.
 *	  Flags: TA_FP_F_HOURS (per-hour data present: the time variant of the
 *	  aggregate) and TA_FP_F_DEVICES (device counts present).  A row with
 *	  no time (hour -1) or no device still counts as a point, so per-hour
 *	  sums may be below the cell total and devices may be 0.
 *	  Invariants both parsers enforce, with everything a hostile input can
 *	  get wrong (lengths, counts, order, duplicates, ranges):
 *	  - keys strictly increasing and on the grid (geographic: col < ncol);
 *	  - per cell: points >= 1; 0 <= devices <= points (0 without DEVICES);
 *	    hours strictly increasing in 0..23, points_h >= 1, sum of points_h
 *	    <= points, devices_h <= min(points_h, devices);
 *	  - totals: points = sum of cell points (no overflow);
 *	    max cell devices <= devices <= min(points, sum of cell devices);
 *	    per hour h, max cell devices_h <= hour_devices[h] <= min(devices,
 *	    sum of cell devices_h).
 *
 * BINARY FORMAT (send/recv and the stored value), little-endian:
 *	   0  "TAFP"              4 bytes
 *	   4  version = 1         u8
 *	   5  kind                u8   0 geographic, 1 planar
 *	   6  flags               u8   bit 0 hours, bit 1 devices, others 0
 *	   7  0                   u8
 *	   8  cell_m              f64
 *	  16  to_meter            f64  exactly 1 for geographic
 *	  24  srid                i32  0 .. TA_FP_MAX_SRID
 *	  28  ncells, points      varints (unsigned LEB128, shortest form only)
 *	      [devices]           distinct_devices, then [hours] 24 x hour_devices
 *	      per cell: key delta (the first cell: its key), points, [devices];
 *	      [hours] a 3-byte mask of the hours with points (bit h = hour h),
 *	      then per set bit, ascending: points_h, [devices] devices_h
 *	  The value ends exactly after the last cell.  Every valid value has one
 *	  encoding, so decode-encode gives the same bytes.
 *
 * TEXT FORMAT (in/out), one line, fields in this order, no spaces except
 * between cells:
 *	  v=1;kind=geographic;srid=4326;cell_m=1000;to_meter=1;hours=yes;
 *	  devices=yes;points=12;distinct_devices=3;hour_devices=0,...(24 values);
 *	  cells=4495:120:7:2@8=3/1,9=4/2 4495:121:5:1@8=5/1
 *	  A cell is row:col:points[:devices][@hour=points[/devices],...];
 *	  distinct_devices and devices only with devices=yes, hour_devices and
 *	  @-lists only with hours=yes (a cell with no timed points has no @).
 *	  Integers in shortest form (no sign on non-negatives, no leading
 *	  zeros), doubles in the shortest %.15g..%.17g form that reads back to
 *	  the same value.  The parser accepts exactly what the writer writes
 *	  (anything else is an error naming the byte offset), so text -> value
 *	  -> text is the identity, and so is text -> binary -> text.
 *
 * ALLOCATOR CONTRACT
 *	  alloc(ctx, n) and realloc(ctx, p, n) are never called with n == 0,
 *	  realloc and free never with NULL (palloc/repalloc/pfree are fine; use
 *	  the huge variants for states over 1 GB).  A NULL return is reported as
 *	  TA_FP_E_NOMEM.  After TA_FP_E_NOMEM, TA_FP_E_OVERFLOW or
 *	  TA_FP_E_TOO_MANY from an accumulator call, the accumulator refuses
 *	  everything but ta_fp_acc_free (its counts may be half-updated).
 */
#ifndef TA_FINGERPRINT_H
#define TA_FINGERPRINT_H

#include <stddef.h>
#include <stdint.h>

#define TA_FP_NHOURS		24
#define TA_FP_MIN_CELL_M	1.0
#define TA_FP_MAX_CELL_M	1.0e7
#define TA_FP_MAX_CELLS		(1u << 27)	/* occupied cells in one fingerprint */
#define TA_FP_MAX_SRID		999999
#define TA_FP_VERSION		1

#define TA_FP_F_HOURS		0x01
#define TA_FP_F_DEVICES		0x02
#define TA_FP_F_ALL			(TA_FP_F_HOURS | TA_FP_F_DEVICES)

typedef enum TAFpStatus
{
	TA_FP_OK = 0,
	TA_FP_E_ARG,				/* bad cell size, to_meter, srid, flags or hour */
	TA_FP_E_RANGE,				/* a coordinate off the grid (see GRID) */
	TA_FP_E_NOMEM,				/* an allocator callback returned NULL */
	TA_FP_E_OVERFLOW,			/* a counter would overflow */
	TA_FP_E_TOO_MANY,			/* more than TA_FP_MAX_CELLS cells */
	TA_FP_E_FORMAT,				/* malformed binary or text input */
	TA_FP_E_INCOMPATIBLE		/* different grids (or flags, for a merge) */
} TAFpStatus;

/* a status and a one-line explanation, for ereport's errmsg/errdetail */
typedef struct TAFpError
{
	TAFpStatus	status;
	char		message[200];
} TAFpError;

typedef struct TAFpAlloc
{
	void	   *(*alloc) (void *ctx, size_t size);
	void	   *(*realloc) (void *ctx, void *ptr, size_t size);
	void		(*free) (void *ctx, void *ptr);
	void	   *ctx;
} TAFpAlloc;

typedef enum TAFpKind
{
	TA_FP_GEOGRAPHIC = 0,
	TA_FP_PLANAR = 1
} TAFpKind;

typedef struct TAFpGrid
{
	TAFpKind	kind;
	int32_t		srid;
	double		cell_m;			/* cell size, metres */
	double		to_meter;		/* CRS unit in metres; 1 for geographic */
	double		cell_u;			/* planar: cell side in CRS units */
	int32_t		nbands;			/* geographic: rows -nbands .. nbands - 1 */
} TAFpGrid;

/* per-hour data of a cell: only hours with points >= 1 are kept */
typedef struct TAFpHour
{
	int32_t		hour;			/* 0..23 */
	int32_t		pad;
	int64_t		points;
	int64_t		devices;		/* distinct devices in the cell in that hour */
} TAFpHour;

typedef struct TAFpCell
{
	uint64_t	key;
	int64_t		points;
	int64_t		devices;		/* distinct devices in the cell */
	uint32_t	hour_first;		/* index in TAFingerprint.hours */
	uint32_t	hour_count;		/* 0..24 */
} TAFpCell;

typedef struct TAFingerprint
{
	TAFpGrid	grid;
	unsigned	flags;			/* TA_FP_F_* */
	int64_t		points;
	int64_t		devices;		/* distinct devices in the dataset */
	int64_t		hour_devices[TA_FP_NHOURS]; /* distinct devices per hour */
	uint32_t	ncells;
	TAFpCell   *cells;			/* sorted by key; NULL when ncells == 0 */
	size_t		nhours;
	TAFpHour   *hours;			/* NULL when nhours == 0 */
} TAFingerprint;

extern const char *ta_fp_status_message(TAFpStatus st);

/* ---------- grid ---------- */

/*
 * Checks and fills a grid.  Geographic grids need to_meter == 1; planar ones
 * a finite positive to_meter.  srid in 0..TA_FP_MAX_SRID.  err may be NULL.
 */
extern TAFpStatus ta_fp_grid_init(TAFpGrid *g, TAFpKind kind, int32_t srid,
								  double cell_m, double to_meter, TAFpError *err);

/* same kind, srid, cell_m and to_meter (bit for bit) */
extern int	ta_fp_grid_equal(const TAFpGrid *a, const TAFpGrid *b);

static inline uint64_t
ta_fp_key(int32_t row, int32_t col)
{
	return (uint64_t) ((uint32_t) row ^ 0x80000000u) << 32 |
		(uint64_t) ((uint32_t) col ^ 0x80000000u);
}

static inline int32_t
ta_fp_key_row(uint64_t key)
{
	return (int32_t) ((uint32_t) (key >> 32) ^ 0x80000000u);
}

static inline int32_t
ta_fp_key_col(uint64_t key)
{
	return (int32_t) ((uint32_t) key ^ 0x80000000u);
}

/* the cell holding (x, y) in the grid's coordinates; TA_FP_E_RANGE if none */
extern TAFpStatus ta_fp_cell_of(const TAFpGrid *g, double x, double y,
								uint64_t *key);

/* geographic: number of columns of band row (0 if the row is off the grid) */
extern uint32_t ta_fp_band_ncol(const TAFpGrid *g, int32_t row);

/* 1 if the key names a cell of the grid */
extern int	ta_fp_cell_valid(const TAFpGrid *g, uint64_t key);

/*
 * The cell's bounds in the grid's coordinates (lon/lat degrees for
 * geographic grids).  TA_FP_E_RANGE for a key off the grid.
 */
extern TAFpStatus ta_fp_cell_bounds(const TAFpGrid *g, uint64_t key,
									double *xmin, double *ymin,
									double *xmax, double *ymax);

/*
 * The cell's outline as a closed counter-clockwise ring of
 * TA_FP_POLYGON_NPOINTS(per_edge) xy pairs written to xy, for
 * gser_write_polygon: per_edge (1..1000) vertices per edge, the extra ones
 * evenly spaced along it (lon/lat lines for geographic grids, so a cast to
 * geography keeps the shape).  Returns the vertex count, 0 for a key off
 * the grid or a bad per_edge.
 */
#define TA_FP_POLYGON_NPOINTS(per_edge) (4 * (uint32_t) (per_edge) + 1)
extern uint32_t ta_fp_cell_polygon(const TAFpGrid *g, uint64_t key,
								   int per_edge, double *xy);

/* ---------- accumulator ---------- */

typedef struct TAFpAcc TAFpAcc;

/* flags: TA_FP_F_*; NULL on a bad grid/flags or no memory */
extern TAFpAcc *ta_fp_acc_create(const TAFpGrid *g, unsigned flags,
								 const TAFpAlloc *al);
extern void ta_fp_acc_free(TAFpAcc *acc);

/*
 * Adds one point.  hour: 0..23, or -1 for no time (must be -1 without
 * TA_FP_F_HOURS).  device: the row's device key, or NULL for none (must be
 * NULL without TA_FP_F_DEVICES).  TA_FP_E_RANGE and TA_FP_E_ARG leave the
 * accumulator unchanged.
 */
extern TAFpStatus ta_fp_acc_add(TAFpAcc *acc, double x, double y, int hour,
								const uint64_t *device);

/*
 * dst += src, exactly (device sets are united).  Same grid and flags.  src
 * keeps its counts but is flushed (see ta_fp_acc_settle).
 */
extern TAFpStatus ta_fp_acc_merge(TAFpAcc *dst, TAFpAcc *src, TAFpError *err);

extern int64_t ta_fp_acc_points(const TAFpAcc *acc);
extern uint32_t ta_fp_acc_cells(const TAFpAcc *acc);
extern size_t ta_fp_acc_memory(const TAFpAcc *acc);	/* bytes held */

/*
 * Brings the counts up to date: the points of each device's current run go
 * to its cell, and distinct devices are counted from the device elements
 * (the log's and the settled ones, gathered per cell, sorted and their
 * repeats dropped).  What the accumulator counts does not change, and
 * adding may go on after it.  finalize settles by itself.
 */
extern TAFpStatus ta_fp_acc_settle(TAFpAcc *acc);

/*
 * The same without counting (the counts are left stale until a settle):
 * what serialize needs, for the merge that follows recounts.  serialize
 * compacts by itself; its own use is to learn why serialize returned 0.
 */
extern TAFpStatus ta_fp_acc_compact(TAFpAcc *acc);

/*
 * The finalized fingerprint, its arrays allocated with al; the accumulator
 * is settled, otherwise unchanged (a final function may run more than once).
 */
extern TAFpStatus ta_fp_acc_finalize(TAFpAcc *acc, const TAFpAlloc *al,
									 TAFingerprint *fp);

/*
 * The whole state as bytes, for an aggregate's serialfn/deserialfn
 * (parallel plans).  serialize writes at most cap bytes to dst (which may be
 * NULL when cap is 0) and returns the full size, like snprintf; it settles
 * first and returns 0 if that fails.  The state: the cells with their
 * points, then per cell its distinct (device, hour) elements ascending.
 * deserialize validates everything and rebuilds the cell index.
 */
extern size_t ta_fp_acc_serialize(TAFpAcc *acc, uint8_t *dst, size_t cap);

/*
 * At least the size serialize returns, found without encoding (so a caller
 * can encode once into a buffer this large); it compacts first and returns
 * 0 if that fails.
 */
extern size_t ta_fp_acc_serial_bound(TAFpAcc *acc);
extern TAFpStatus ta_fp_acc_deserialize(const uint8_t *buf, size_t len,
										const TAFpAlloc *al, TAFpAcc **out,
										TAFpError *err);

/* ---------- stored fingerprints ---------- */

/* frees the arrays of fp (allocated with al) and zeroes it */
extern void ta_fp_free(TAFingerprint *fp, const TAFpAlloc *al);

/* binary and text encodings: write at most cap bytes, return the full size */
extern size_t ta_fp_to_binary(const TAFingerprint *fp, uint8_t *dst, size_t cap);
/* the text and its terminating NUL: returns strlen; cap counts the NUL */
extern size_t ta_fp_to_text(const TAFingerprint *fp, char *dst, size_t cap);

/*
 * Parse untrusted input (len bytes, no terminator needed).  On error fp is
 * left zeroed with nothing allocated, and err says what and where.
 */
extern TAFpStatus ta_fp_from_binary(const uint8_t *buf, size_t len,
									const TAFpAlloc *al, TAFingerprint *fp,
									TAFpError *err);
extern TAFpStatus ta_fp_from_text(const char *text, size_t len,
								  const TAFpAlloc *al, TAFingerprint *fp,
								  TAFpError *err);

/* ---------- summary ---------- */

/*
 * Over occupied cells only (a sparse grid has no empty cells to count),
 * x_i the points of cell i, T their sum, n the number of cells.
 *
 *	gini		sum_i (2i - n - 1) x_(i) / (n T), x_(i) ascending: the
 *				population Gini, 0 when every cell holds as many points (a
 *				single cell included), towards 1 - 1/n when one cell holds
 *				nearly all.  3 and 1 points: 0.25.
 *	entropy		-sum p_i ln p_i / ln n, p_i = x_i / T: 1 for equal cells,
 *				0 for a single cell (no spread at all).
 *	top1, top10	share of T in the ceil(n / 100) and ceil(n / 10) densest
 *				cells (so at least one cell each; with fewer than 100
 *				cells top1 is the densest cell's share).
 *	zipf_slope	least-squares slope of ln x against ln rank (rank 1 the
 *				densest; ties in key order), NaN for n < 2: about -1 for
 *				counts 1/rank, 0 for equal cells.
 *	core		the densest cells (ties by key) whose points first reach at
 *				least half of T.  Per hour h: the core's share of the
 *				points timed at hour h, and of the device presences at
 *				hour h (sum over core cells of devices_h / the same sum
 *				over all cells: a device seen at hour h in two core cells
 *				counts twice; exact distinct devices of a set of cells
 *				would need the sets that finalization drops).  NaN where
 *				the hour has no points (no devices).
 *
 * How to read them: uniform random points over a region give gini near 0
 * (Poisson noise only), entropy near 1, top10 near 0.1, zipf near 0 and a
 * core of almost half the cells.  Real populations concentrate: gini 0.6-0.9,
 * entropy well below 1, top 10% of cells holding most points, a Zipf slope
 * near -1, a core of a few percent of cells, and core shares that move
 * with the hour (commutes) but stay similar between real datasets of one
 * region.  Figures depend on cell_m: compare fingerprints of one size.
 */
typedef struct TAFpSummary
{
	int64_t		points;
	int64_t		devices;
	uint32_t	cells;
	double		gini;
	double		entropy;
	uint32_t	top1_cells;
	double		top1_share;
	uint32_t	top10_cells;
	double		top10_share;
	double		zipf_slope;
	uint32_t	core_cells;
	double		core_share;		/* share of points in the core (>= 0.5) */
	int64_t		hour_points[TA_FP_NHOURS];	/* points timed at hour h */
	int64_t		hour_devices[TA_FP_NHOURS]; /* distinct devices at hour h */
	double		hour_core_points[TA_FP_NHOURS];
	double		hour_core_devices[TA_FP_NHOURS];
} TAFpSummary;

/* all NaN/0 for an empty fingerprint */
extern TAFpStatus ta_fp_summary(const TAFingerprint *fp, const TAFpAlloc *al,
								TAFpSummary *s);

/* is_core[i] = 1 for core cells (fp->ncells entries); *ncore their number */
extern TAFpStatus ta_fp_core(const TAFingerprint *fp, const TAFpAlloc *al,
							 uint8_t *is_core, uint32_t *ncore);

/* ---------- comparison ---------- */

/* TA_FP_OK if the grids match; else TA_FP_E_INCOMPATIBLE with a message */
extern TAFpStatus ta_fp_compatible(const TAFingerprint *a,
								   const TAFingerprint *b, TAFpError *err);

/*
 * 1 - JSD(P, Q), P and Q the distributions of points over cells, JSD the
 * Jensen-Shannon divergence with base-2 logarithms:
 *	JSD = 1/2 sum p log2(p / m) + 1/2 sum q log2(q / m), m = (p + q) / 2
 * in [0, 1]: 1 for identical distributions, 0 (exactly) when no cell is
 * shared, symmetric bit for bit.  NaN if either fingerprint is empty.
 */
extern TAFpStatus ta_fp_similarity(const TAFingerprint *a,
								   const TAFingerprint *b, double *sim,
								   TAFpError *err);

/*
 * a + b (sign 1) or a - b (sign -1), cell by cell and hour by hour, into out
 * (arrays from al).  Device counts add, which is exact when the two
 * fingerprints count disjoint sets of devices (e.g. different traces) and
 * an upper bound otherwise.  A difference is exact when b counts a subset
 * of a's devices with all of their points; a b that is not part of a gives
 * TA_FP_E_ARG.  The grids and flags must match.
 */
extern TAFpStatus ta_fp_add(const TAFingerprint *a, const TAFingerprint *b,
							int sign, const TAFpAlloc *al, TAFingerprint *out,
							TAFpError *err);

/* per-cell differences: every cell of a or b, in key order */
typedef struct TAFpCellDiff
{
	uint64_t	key;
	int64_t		points_a,
				points_b,
				devices_a,
				devices_b;
	double		share_a,		/* points_a / a's total (0 if absent) */
				share_b;
} TAFpCellDiff;

typedef struct TAFpDiffIter
{
	const TAFingerprint *a,
			   *b;
	uint32_t	i,
				j;
} TAFpDiffIter;

/* the iterator needs compatible fingerprints (see ta_fp_compatible) */
extern void ta_fp_diff_init(TAFpDiffIter *it, const TAFingerprint *a,
							const TAFingerprint *b);
/* 1 and fills d while cells remain, else 0 */
extern int	ta_fp_diff_next(TAFpDiffIter *it, TAFpCellDiff *d);

/*
 * Per hour: the share of each fingerprint's timed points falling in that
 * hour (its daily profile), its core's share of the hour's points (each
 * fingerprint's own core), and 1 - JSD of the two daily profiles.  NaN
 * where undefined (no timed points, no points in the hour).
 */
typedef struct TAFpHourDiff
{
	double		share_a[TA_FP_NHOURS];
	double		share_b[TA_FP_NHOURS];
	double		core_a[TA_FP_NHOURS];
	double		core_b[TA_FP_NHOURS];
	double		profile_similarity;
} TAFpHourDiff;

extern TAFpStatus ta_fp_hour_diff(const TAFingerprint *a,
								  const TAFingerprint *b, const TAFpAlloc *al,
								  TAFpHourDiff *d, TAFpError *err);

#endif							/* TA_FINGERPRINT_H */
