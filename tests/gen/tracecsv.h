/*
 * tracecsv.h
 *	  Reading and writing trace CSV (trace_id,ts,lon,lat; ISO-8601 UTC ts),
 *	  shared by the generators (tests/gen) and the evaluation (tests/eval).
 *	  A header-only helper: every function is static.
 */
#ifndef TA_TRACECSV_H
#define TA_TRACECSV_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gser.h"				/* TAFix */

typedef struct CsvTrace
{
	char		id[128];
	TAFix	   *fix;
	size_t		n;
	size_t		cap;
} CsvTrace;

typedef struct CsvSet
{
	CsvTrace   *t;
	size_t		n;
	size_t		cap;
} CsvSet;

static inline void *
csv_xrealloc(void *p, size_t sz)
{
	void	   *q = realloc(p, sz ? sz : 1);

	if (!q)
	{
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	return q;
}

/* days since 1970-01-01 of a civil date (Howard Hinnant's algorithm) */
static inline long
csv_days_from_civil(long y, long m, long d)
{
	long		era,
				yoe,
				doy,
				doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* "YYYY-MM-DDTHH:MM:SS[.fff...][Z]" to epoch seconds; NAN when malformed */
static inline double
csv_parse_ts(const char *s)
{
	long		Y,
				M,
				D,
				h,
				mi;
	double		sec;
	int			used = 0;

	if (sscanf(s, "%ld-%ld-%ldT%ld:%ld:%n", &Y, &M, &D, &h, &mi, &used) != 5 || !used)
		return NAN;
	sec = strtod(s + used, NULL);
	return (double) (csv_days_from_civil(Y, M, D) * 86400L + h * 3600L + mi * 60L) + sec;
}

/* epoch seconds to ISO-8601 UTC; milliseconds only when not whole */
static inline void
csv_format_ts(double t, char *buf, size_t len)
{
	double		whole = floor(t);
	long		ms = lround((t - whole) * 1000.0);
	time_t		tt;
	struct tm	tm;

	if (ms >= 1000)
	{
		whole += 1.0;
		ms -= 1000;
	}
	tt = (time_t) whole;
	gmtime_r(&tt, &tm);
	if (ms)
		snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
				 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
				 tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
	else
		snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ",
				 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
				 tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static inline void
csv_push(CsvTrace *t, double x, double y, double m)
{
	if (t->n == t->cap)
	{
		t->cap = t->cap ? 2 * t->cap : 64;
		t->fix = csv_xrealloc(t->fix, t->cap * sizeof(TAFix));
	}
	t->fix[t->n].x = x;
	t->fix[t->n].y = y;
	t->fix[t->n].m = m;
	t->n++;
}

/*
 * Appends the traces of one CSV (gzip when the name ends in .gz, "-" for
 * stdin) to set; rows of one trace_id must be consecutive.  Returns the
 * number of rows read, or -1 if the file cannot be opened.
 */
static inline long
csv_read(const char *path, CsvSet *set)
{
	FILE	   *f;
	int			gz = 0;
	char		line[1024];
	long		rows = 0;
	size_t		len = strlen(path);

	if (strcmp(path, "-") == 0)
		f = stdin;
	else if (len > 3 && strcmp(path + len - 3, ".gz") == 0)
	{
		char		cmd[2048];

		snprintf(cmd, sizeof(cmd), "gzip -dc '%s'", path);
		f = popen(cmd, "r");
		gz = 1;
	}
	else
		f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
	{
		char	   *id = line,
				   *ts,
				   *lon,
				   *lat,
				   *e;
		double		x,
					y,
					m;

		if (strncmp(line, "trace_id,", 9) == 0)
			continue;
		ts = strchr(id, ',');
		if (!ts)
			continue;
		*ts++ = '\0';
		lon = strchr(ts, ',');
		if (!lon)
			continue;
		*lon++ = '\0';
		lat = strchr(lon, ',');
		if (!lat)
			continue;
		*lat++ = '\0';
		x = strtod(lon, &e);
		y = strtod(lat, NULL);
		m = csv_parse_ts(ts);
		if (!isfinite(m) || e == lon)
			continue;
		if (set->n == 0 || strncmp(set->t[set->n - 1].id, id, sizeof(set->t[0].id) - 1) != 0)
		{
			if (set->n == set->cap)
			{
				set->cap = set->cap ? 2 * set->cap : 64;
				set->t = csv_xrealloc(set->t, set->cap * sizeof(CsvTrace));
			}
			memset(&set->t[set->n], 0, sizeof(CsvTrace));
			{
				size_t		l = strlen(id);

				if (l > sizeof(set->t[0].id) - 1)
					l = sizeof(set->t[0].id) - 1;
				memcpy(set->t[set->n].id, id, l);
				set->t[set->n].id[l] = '\0';
			}
			set->n++;
		}
		csv_push(&set->t[set->n - 1], x, y, m);
		rows++;
	}
	if (gz)
		pclose(f);
	else if (f != stdin)
		fclose(f);
	return rows;
}

static inline void
csv_free(CsvSet *set)
{
	size_t		i;

	for (i = 0; i < set->n; i++)
		free(set->t[i].fix);
	free(set->t);
	memset(set, 0, sizeof(*set));
}

#endif							/* TA_TRACECSV_H */
