/*
 * srid.c
 *	  What an SRID means for distances, read from PostGIS's spatial_ref_sys
 *	  once per backend and kept for the backend's life.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "traceaudit.h"

typedef struct SridEntry
{
	int32		srid;			/* hash key */
	TASridInfo	info;
} SridEntry;

static HTAB *srid_cache = NULL;

/* fetches proj4text (palloc'd in the caller's context) or NULL if no row */
static char *
fetch_proj4(int32 srid)
{
	MemoryContext caller = CurrentMemoryContext;
	char	   *result = NULL;
	char	   *schema;
	StringInfoData q;
	Oid			argtypes[1] = {INT4OID};
	Datum		args[1];
	int			ret;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "traceaudit: SPI_connect failed");

	/* spatial_ref_sys lives in PostGIS's schema, whatever search_path says */
	ret = SPI_execute("SELECT n.nspname FROM pg_catalog.pg_extension e "
					  "JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace "
					  "WHERE e.extname = 'postgis'", true, 1);
	if (ret != SPI_OK_SELECT || SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("extension \"postgis\" is not installed"),
				 errhint("Run CREATE EXTENSION postgis.")));
	schema = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

	initStringInfo(&q);
	appendStringInfo(&q, "SELECT proj4text, srtext FROM %s.spatial_ref_sys WHERE srid = $1",
					 quote_identifier(schema));
	args[0] = Int32GetDatum(srid);
	ret = SPI_execute_with_args(q.data, 1, argtypes, args, NULL, true, 1);
	if (ret == SPI_OK_SELECT && SPI_processed == 1)
	{
		char	   *p = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		char	   *s = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
		MemoryContext old = MemoryContextSwitchTo(caller);

		/* with no PROJ.4 text, a WKT GEOGCS means degrees on WGS 84 */
		if ((p == NULL || p[0] == '\0') && s &&
			(strncmp(s, "GEOGCS", 6) == 0 || strncmp(s, "GEOGCRS", 7) == 0))
			p = "+proj=longlat +datum=WGS84";
		result = pstrdup(p ? p : "");
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	return result;
}

/*
 * Returns what traceaudit needs of srid, or raises an error a user can act
 * on: unknown SRID 0, an SRID missing from spatial_ref_sys, or a CRS that is
 * neither lon/lat nor projected in a known linear unit.
 */
const TASridInfo *
ta_srid_info(int32 srid)
{
	SridEntry  *e;
	bool		found;
	char	   *proj4;
	TAMetric	mt;

	if (srid == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("geometry has unknown SRID 0"),
				 errdetail("Distances in metres need to know what the coordinates mean."),
				 errhint("Set the SRID the coordinates are in, e.g. ST_SetSRID(geom, 4326) for longitude/latitude.")));

	if (srid_cache == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(int32);
		ctl.entrysize = sizeof(SridEntry);
		ctl.hcxt = TopMemoryContext;
		srid_cache = hash_create("traceaudit SRID cache", 16, &ctl,
								 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	e = hash_search(srid_cache, &srid, HASH_FIND, NULL);
	if (e)
		return &e->info;

	proj4 = fetch_proj4(srid);
	if (proj4 == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("SRID %d is not in spatial_ref_sys", srid),
				 errhint("Use an SRID that PostGIS knows, or add it to spatial_ref_sys.")));
	if (ta_metric_from_proj4(&mt, proj4) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("SRID %d is neither a longitude/latitude nor a projected CRS in a known unit", srid),
				 errdetail("Its PROJ definition is \"%s\".", proj4),
				 errhint("Transform the geometries with ST_Transform(geom, 4326) first.")));

	/* enter only after success, so an error leaves no half-made entry */
	e = hash_search(srid_cache, &srid, HASH_ENTER, &found);
	e->info.srid = srid;
	e->info.metric = mt;
	return &e->info;
}
