/*
 * eval.c
 *	  Offline evaluation of the realism score: reads real and generated trace
 *	  CSVs, computes features and scores per trace, and prints per synthetic
 *	  class the AUC of the score (real versus that class) and the verdict
 *	  shares, separately for the calibration and the held-out split.
 *
 *	  eval report    ITEM...	score with the model compiled into realism.c
 *	  eval calibrate ITEM...	fit the model on the calib items, print it
 *								as C to stdout, and report with it
 *	  eval dump      ITEM...	one line of features per trace (TSV)
 *
 * ITEM is SPLIT:CLASS:PATH[@PREFIX,PREFIX...], SPLIT = calib or held,
 * CLASS = real or a generator class letter; for real items the source name
 * is the file name, and @PREFIX keeps only trace_ids starting with one of
 * the prefixes (GeoLife users).  See README.md for the split used.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dataset.h"
#include "fingerprint.h"
#include "jumps.h"
#include "realism.h"
#include "tracecsv.h"

#define MAXSRC 64
#define LLR_CLIP 2.5		/* no one feature decides alone */
#define MIN_BIN 10.0		/* least weight of a bin, in traces */

typedef struct Item
{
	int			calib;			/* 1 calib, 0 held */
	int			real;
	char		cls[64];		/* source name for real, class letter otherwise */
	TARealismFeatures f;
	double		score;
	int			verdict;
	int			judged;			/* long enough to judge */
	char		id[128];
	TADsItem	ds;				/* the trace's item for the dataset verdict */
} Item;

/* each real source and each synthetic class of a split is one dataset */
typedef struct Group
{
	int			calib;
	char		cls[64];
	TAFpAcc    *acc;			/* density, 1 km cells, UTC hours */
} Group;

#define DS_CELL_M 1000.0
static Group groups[2 * MAXSRC];
static int	ngroups;

static Item *items;
static size_t nitems,
			capitems;

static void *
env_alloc(void *ctx, size_t sz)
{
	(void) ctx;
	return malloc(sz);
}

static void
env_free(void *ctx, void *p)
{
	(void) ctx;
	free(p);
}

static void *
fp_alloc(void *ctx, size_t sz)
{
	(void) ctx;
	return malloc(sz);
}

static void *
fp_realloc(void *ctx, void *p, size_t sz)
{
	(void) ctx;
	return realloc(p, sz);
}

static const TAFpAlloc fp_al = {fp_alloc, fp_realloc, env_free, NULL};

static Group *
group_of(int calib, const char *cls)
{
	int			g;
	TAFpGrid	grid;

	for (g = 0; g < ngroups; g++)
		if (groups[g].calib == calib && strcmp(groups[g].cls, cls) == 0)
			return &groups[g];
	if (ngroups == 2 * MAXSRC || ta_fp_grid_init(&grid, TA_FP_GEOGRAPHIC, 4326, DS_CELL_M, 1.0, NULL) != TA_FP_OK)
		exit(2);
	groups[ngroups].calib = calib;
	snprintf(groups[ngroups].cls, sizeof(groups[0].cls), "%s", cls);
	groups[ngroups].acc = ta_fp_acc_create(&grid, TA_FP_F_HOURS, &fp_al);
	if (groups[ngroups].acc == NULL)
		exit(2);
	return &groups[ngroups++];
}

static const char *
base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

static void
load_item(const char *arg)
{
	char		buf[2048],
			   *split,
			   *cls,
			   *path,
			   *prefixes;
	CsvSet		set = {0};
	size_t		k;
	TAMetric	mt;
	TARealismEnv env = {env_alloc, env_free, NULL, NULL};

	snprintf(buf, sizeof(buf), "%s", arg);
	split = buf;
	cls = strchr(split, ':');
	if (!cls)
		goto bad;
	*cls++ = '\0';
	path = strchr(cls, ':');
	if (!path)
		goto bad;
	*path++ = '\0';
	prefixes = strchr(path, '@');
	if (prefixes)
		*prefixes++ = '\0';
	if (csv_read(path, &set) < 0)
	{
		fprintf(stderr, "eval: cannot read %s\n", path);
		exit(2);
	}
	ta_metric_geodetic(&mt, TA_WGS84_A, TA_WGS84_F);
	for (k = 0; k < set.n; k++)
	{
		CsvTrace   *t = &set.t[k];
		Item	   *it;

		if (prefixes)
		{
			char		pb[512],
					   *p,
					   *save = NULL;
			int			ok = 0;

			snprintf(pb, sizeof(pb), "%s", prefixes);
			for (p = strtok_r(pb, ",", &save); p; p = strtok_r(NULL, ",", &save))
				if (strncmp(t->id, p, strlen(p)) == 0)
					ok = 1;
			if (!ok)
				continue;
		}
		if (nitems == capitems)
		{
			capitems = capitems ? 2 * capitems : 256;
			items = csv_xrealloc(items, capitems * sizeof(Item));
		}
		it = &items[nitems++];
		memset(it, 0, sizeof(*it));
		it->calib = strcmp(split, "calib") == 0;
		it->real = strcmp(cls, "real") == 0;
		if (it->real)
		{
			const char *b = base_name(path);
			size_t		l = strcspn(b, ".");

			snprintf(it->cls, sizeof(it->cls), "%.*s", (int) l, b);
		}
		else
			snprintf(it->cls, sizeof(it->cls), "%s", cls);
		snprintf(it->id, sizeof(it->id), "%s", t->id);
		ta_sort_fixes(t->fix, t->n);
		if (ta_realism_features(t->fix, t->n, &mt, &env, &it->f) != 0)
		{
			fprintf(stderr, "eval: allocation failed\n");
			exit(2);
		}
		it->judged = t->n >= TA_REALISM_MIN_FIXES &&
			it->f.duration_s >= TA_REALISM_MIN_SECONDS;
		if (ta_ds_item(t->fix, t->n, &mt, &env, &it->ds) != 0)
		{
			fprintf(stderr, "eval: allocation failed\n");
			exit(2);
		}
		{
			Group	   *g = group_of(it->calib, it->cls);
			size_t		i;

			for (i = 0; i < t->n; i++)
			{
				double		d = floor(t->fix[i].m / 86400.0);
				int			hour = (int) floor((t->fix[i].m - d * 86400.0) / 3600.0);
				TAFpStatus	fs = ta_fp_acc_add(g->acc, t->fix[i].x, t->fix[i].y,
											   hour < 0 || hour > 23 ? -1 : hour, NULL);

				if (fs != TA_FP_OK && fs != TA_FP_E_RANGE)
					exit(2);
			}
		}
	}
	csv_free(&set);
	return;
bad:
	fprintf(stderr, "eval: bad item %s (want SPLIT:CLASS:PATH[@PREFIXES])\n", arg);
	exit(2);
}

/* ---------- calibration ---------- */

typedef struct WV
{
	double		v,
				w;
} WV;

static int
cmp_wv(const void *a, const void *b)
{
	double		x = ((const WV *) a)->v,
				y = ((const WV *) b)->v;

	return (x > y) - (x < y);
}

/* weighted quantile of sorted wv */
static double
wquant(const WV *wv, size_t n, double total, double q)
{
	double		acc = 0.0;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		acc += wv[i].w;
		if (acc >= q * total)
			return wv[i].v;
	}
	return n ? wv[n - 1].v : 0.0;
}

/* per-item weights: each real source and each synthetic class weighs the same */
static void
weights(double *w)
{
	char		names[MAXSRC][64];
	size_t		counts[MAXSRC];
	int			nn = 0,
				j;
	size_t		i;
	double		nreal = 0,
				nsyn = 0,
				sr = 0,
				ss = 0;

	for (i = 0; i < nitems; i++)
	{
		w[i] = 0.0;
		if (!items[i].calib || !items[i].judged)
			continue;
		for (j = 0; j < nn; j++)
			if (strcmp(names[j], items[i].cls) == 0)
				break;
		if (j == nn)
		{
			snprintf(names[nn], 64, "%s", items[i].cls);
			counts[nn++] = 0;
		}
		counts[j]++;
		if (items[i].real)
			nreal++;
		else
			nsyn++;
	}
	for (i = 0; i < nitems; i++)
	{
		if (!items[i].calib || !items[i].judged)
			continue;
		for (j = 0; j < nn; j++)
			if (strcmp(names[j], items[i].cls) == 0)
				break;
		w[i] = 1.0 / (double) counts[j];
		if (items[i].real)
			sr += w[i];
		else
			ss += w[i];
	}
	/* rescale each side to its number of traces (the smoothing unit) */
	for (i = 0; i < nitems; i++)
		if (w[i] > 0)
			w[i] *= items[i].real ? nreal / sr : nsyn / ss;
}

static void
calibrate(TARealismModel *m)
{
	double	   *w = calloc(nitems, sizeof(double));
	WV		   *wv = malloc(nitems * sizeof(WV));
	int			k,
				b;
	size_t		i;
	static const double qs[TA_RM_EDGES] = {0.02, 0.10, 0.25, 0.50, 0.75, 0.90, 0.98};
	double		best_ll = -INFINITY,
				bias,
				scale;

	weights(w);
	memset(m, 0, sizeof(*m));
	for (k = 0; k < TA_RF_N; k++)
	{
		TARealismCoef *c = &m->coef[k];
		size_t		n = 0;
		double		tot = 0.0,
					rb[TA_RM_EDGES + 1] = {0},
					sb[TA_RM_EDGES + 1] = {0},
					rinv = 0,
					sinv = 0,
					rtot = 0,
					stot = 0;
		const double alpha = 2.0;

		for (i = 0; i < nitems; i++)
			if (w[i] > 0 && items[i].real && items[i].f.valid[k])
			{
				wv[n].v = items[i].f.value[k];
				wv[n].w = w[i];
				tot += w[i];
				n++;
			}
		qsort(wv, n, sizeof(WV), cmp_wv);
		c->real_lo = n ? wquant(wv, n, tot, 0.05) : NAN;
		c->real_hi = n ? wquant(wv, n, tot, 0.95) : NAN;
		{
			/* distinct edges at real quantiles, then bin weights */
			double		ev[TA_RM_EDGES];
			int			ne = 0,
						e;

			for (b = 0; b < TA_RM_EDGES && n; b++)
			{
				double		q = wquant(wv, n, tot, qs[b]);

				if (ne == 0 || q > ev[ne - 1])
					ev[ne++] = q;
			}
			for (i = 0; i < nitems; i++)
			{
				const TARealismFeatures *f = &items[i].f;
				double	   *bins = items[i].real ? rb : sb;

				if (w[i] <= 0)
					continue;
				if (items[i].real)
					rtot += w[i];
				else
					stot += w[i];
				if (!f->valid[k])
				{
					if (items[i].real)
						rinv += w[i];
					else
						sinv += w[i];
					continue;
				}
				for (e = 0; e < ne; e++)
					if (f->value[k] <= ev[e])
						break;
				bins[e] += w[i];
			}

			/*
			 * Merge thin bins (under MIN_BIN traces' worth of weight, real
			 * and synthetic together) into their lighter neighbour, so that
			 * no log-likelihood ratio rests on a handful of traces.
			 */
			while (ne > 0)
			{
				int			thin = -1,
							j,
							t;
				double		least = MIN_BIN;

				for (e = 0; e <= ne; e++)
					if (rb[e] + sb[e] < least)
					{
						least = rb[e] + sb[e];
						thin = e;
					}
				if (thin < 0)
					break;
				if (thin == 0)
					j = 1;
				else if (thin == ne)
					j = ne - 1;
				else
					j = rb[thin - 1] + sb[thin - 1] < rb[thin + 1] + sb[thin + 1]
						? thin - 1 : thin + 1;
				j = j < thin ? j : thin;	/* merge bins j and j + 1 */
				rb[j] += rb[j + 1];
				sb[j] += sb[j + 1];
				for (t = j + 1; t < ne; t++)
				{
					rb[t] = rb[t + 1];
					sb[t] = sb[t + 1];
					ev[t - 1] = ev[t];
				}
				rb[ne] = sb[ne] = 0;
				ne--;
			}
			for (b = 0; b < TA_RM_EDGES; b++)
				c->edge[b] = b < ne ? ev[b] : HUGE_VAL;
			for (b = 0; b <= TA_RM_EDGES; b++)
			{
				double		l = log((rb[b] + alpha) / (rtot + alpha * 9)) -
					log((sb[b] + alpha) / (stot + alpha * 9));

				c->llr[b] = b <= ne ? fmax(-LLR_CLIP, fmin(LLR_CLIP, l)) : 0.0;
			}
		}
		c->llr_invalid = fmax(-LLR_CLIP, fmin(LLR_CLIP, log((rinv + alpha) / (rtot + alpha * 9)) -
											log((sinv + alpha) / (stot + alpha * 9))));
	}

	/* bias and scale by weighted log-likelihood, both sides weighing the same */
	{
		double		sr = 0,
					ss = 0;
		double	   *sum = calloc(nitems, sizeof(double));

		for (i = 0; i < nitems; i++)
		{
			if (w[i] <= 0)
				continue;
			if (items[i].real)
				sr += w[i];
			else
				ss += w[i];
			for (k = 0; k < TA_RF_N; k++)
				sum[i] += ta_realism_llr(&m->coef[k], items[i].f.valid[k],
										 items[i].f.value[k]);
		}
		bias = 0;
		scale = 1;
		for (double sc = 0.02; sc <= 1.0001; sc += 0.02)
			for (double bi = -4.0; bi <= 4.0001; bi += 0.1)
			{
				double		ll = 0;

				for (i = 0; i < nitems; i++)
				{
					double		z,
								p;

					if (w[i] <= 0)
						continue;
					z = bi + sc * sum[i];
					p = 1.0 / (1.0 + exp(-z));
					p = fmin(fmax(p, 1e-9), 1 - 1e-9);
					ll += (items[i].real ? w[i] / sr * log(p) : w[i] / ss * log(1 - p));
				}
				if (ll > best_ll)
				{
					best_ll = ll;
					bias = bi;
					scale = sc;
				}
			}
		free(sum);
	}
	m->bias = bias;
	m->scale = scale;
	free(w);
	free(wv);
}

static void
print_model(const TARealismModel *m)
{
	int			k,
				b;

	printf("const TARealismModel ta_realism_default_model = {\n");
	printf("\t%.4f, %.4f,\n\t{\n", m->bias, m->scale);
	for (k = 0; k < TA_RF_N; k++)
	{
		const TARealismCoef *c = &m->coef[k];

		printf("\t\t/* %s */\n\t\t{{", ta_realism_feature_names[k]);
		for (b = 0; b < TA_RM_EDGES; b++)
			if (isfinite(c->edge[b]))
				printf("%s%.6g", b ? ", " : "", c->edge[b]);
			else
				printf("%sHUGE_VAL", b ? ", " : "");
		printf("},\n\t\t {");
		for (b = 0; b <= TA_RM_EDGES; b++)
			printf("%s%.3f", b ? ", " : "", c->llr[b]);
		printf("},\n\t\t %.3f, %.6g, %.6g},\n", c->llr_invalid,
			   isfinite(c->real_lo) ? c->real_lo : 0.0,
			   isfinite(c->real_hi) ? c->real_hi : 0.0);
	}
	printf("\t}\n};\n");
}

/* ---------- report ---------- */

static void
score_all(const TARealismModel *m)
{
	size_t		i;

	for (i = 0; i < nitems; i++)
	{
		TARealismResult r;

		ta_realism_score_model(m, &items[i].f, &r);
		items[i].score = r.score;
		items[i].verdict = r.verdict;
	}
}

/* AUC of real (higher) versus class cls in one split; ties count one half */
static double
auc(int calib, const char *cls, size_t *npos, size_t *nneg)
{
	size_t		i,
				j;
	double		s = 0;

	*npos = *nneg = 0;
	for (i = 0; i < nitems; i++)
		if (items[i].calib == calib && items[i].real && items[i].judged)
			(*npos)++;
	for (j = 0; j < nitems; j++)
		if (items[j].calib == calib && !items[j].real && items[j].judged &&
			strcmp(items[j].cls, cls) == 0)
			(*nneg)++;
	if (!*npos || !*nneg)
		return NAN;
	for (i = 0; i < nitems; i++)
	{
		if (!(items[i].calib == calib && items[i].real && items[i].judged))
			continue;
		for (j = 0; j < nitems; j++)
		{
			if (!(items[j].calib == calib && !items[j].real && items[j].judged &&
				  strcmp(items[j].cls, cls) == 0))
				continue;
			s += items[i].score > items[j].score ? 1.0 :
				items[i].score == items[j].score ? 0.5 : 0.0;
		}
	}
	return s / ((double) *npos * (double) *nneg);
}

/*
 * The dataset verdict (src/dataset.c) of every real source and every
 * synthetic class of one split, each taken as one dataset.  Items use the
 * model compiled into realism.c.
 */
static void
report_datasets(int calib)
{
	int			g,
				real_pass;

	printf("\ndataset verdicts, %s split (each real source and each class as one dataset; "
		   "%.0f m cells, UTC hours):\n", calib ? "calibration" : "held-out", DS_CELL_M);
	printf("%-36s %6s %7s %-12s %7s %6s %6s %7s %6s %6s %6s %6s\n", "dataset", "traces",
		   "score", "verdict", "balance", "clones", "maxJ", "cadence", "digits", "gini", "top10", "corehr");
	for (real_pass = 1; real_pass >= 0; real_pass--)
		for (g = 0; g < ngroups; g++)
		{
			Group	   *gr = &groups[g];
			TADsState  *st;
			TADsResult	r;
			TADsError	err;
			TAFingerprint fp;
			double		maxj;
			size_t		i;
			int			real = -1;
			char		label[96];
			uint8_t    *bin;
			size_t		len;

			if (gr->calib != calib)
				continue;
			for (i = 0; i < nitems; i++)
				if (items[i].calib == calib && strcmp(items[i].cls, gr->cls) == 0)
					real = items[i].real;
			if (real != real_pass)
				continue;
			/* the item path: items plus the finalized fingerprint's binary */
			st = ta_ds_create(NULL, &fp_al);
			if (st == NULL || ta_fp_acc_finalize(gr->acc, &fp_al, &fp) != TA_FP_OK)
				exit(2);
			len = ta_fp_to_binary(&fp, NULL, 0);
			bin = malloc(len);
			ta_fp_to_binary(&fp, bin, len);
			if (ta_ds_set_fingerprint(st, bin, len, &err) != TA_DS_OK)
			{
				fprintf(stderr, "eval: %s\n", err.message);
				exit(2);
			}
			for (i = 0; i < nitems; i++)
				if (items[i].calib == calib && strcmp(items[i].cls, gr->cls) == 0)
					ta_ds_add_item(st, &items[i].ds);
			if (ta_ds_evaluate(st, NULL, NULL, &r, &err) != TA_DS_OK)
			{
				fprintf(stderr, "eval: %s\n", err.message);
				exit(2);
			}
			{
				/* the most similar pair of compared traces, over all pairs */
				const TADsItem *its = ta_ds_items(st);
				size_t		n = ta_ds_count(st),
							j;

				maxj = NAN;
				for (i = 0; i < n; i++)
					for (j = i + 1; j < n; j++)
						if (its[i].filled >= TA_DS_MIN_FILLED && its[j].filled >= TA_DS_MIN_FILLED)
						{
							double		sj = ta_ds_similarity(&its[i], &its[j]);

							if (!(sj <= maxj))
								maxj = sj;
						}
			}
			snprintf(label, sizeof(label), "%s%.63s", real ? "real " : "class ", gr->cls);
			printf("%-36s %6llu %7.3f %-12s %7.2f %6.2f %6.2f %7.2f %6.2f %6.3f %6.3f %6.2f\n",
				   label, (unsigned long long) r.traces, r.score, ta_ds_verdict_names[r.verdict],
				   r.value[TA_DF_TRACE_BALANCE], r.value[TA_DF_CLONE_SHARE], maxj,
				   r.value[TA_DF_CADENCE_SHARE], r.value[TA_DF_DIGITS_SHARE],
				   r.value[TA_DF_DENSITY_GINI], r.value[TA_DF_DENSITY_TOP10],
				   r.value[TA_DF_CORE_HOUR_RANGE]);
			if (getenv("EVAL_DS_WHY"))
				for (i = 0; i < TA_DF_N; i++)
				{
					char		line[512];

					ta_ds_explain(&r, (int) i, line, sizeof(line));
					printf("    %+6.2f %-20s %s\n", r.contribution[i], ta_ds_feature_names[i], line);
				}
			free(bin);
			ta_fp_free(&fp, &fp_al);
			ta_ds_free(st);
		}
}

static void
report_plain(void)
{
	int			calib;

	for (calib = 1; calib >= 0; calib--)
	{
		char		names[MAXSRC][64];
		int			nn = 0,
					j,
					real_pass;
		size_t		i;

		printf("\n== %s split ==\n", calib ? "calibration" : "held-out");
		printf("%-36s %6s %6s %7s %7s %7s %7s %7s\n", "group", "traces", "judged",
			   "mean", "real", "synth", "inconc", "AUC");
		for (i = 0; i < nitems; i++)
		{
			if (items[i].calib != calib)
				continue;
			for (j = 0; j < nn; j++)
				if (strcmp(names[j], items[i].cls) == 0)
					break;
			if (j == nn && nn < MAXSRC)
				snprintf(names[nn++], 64, "%s", items[i].cls);
		}
		for (real_pass = 1; real_pass >= 0; real_pass--)
			for (j = 0; j < nn; j++)
			{
				size_t		n = 0,
							nj = 0,
							v[3] = {0, 0, 0},
							np = 0,
							ng = 0;
				double		ms = 0,
							a = NAN;
				int			real = -1;
				char		label[96];

				for (i = 0; i < nitems; i++)
				{
					if (items[i].calib != calib || strcmp(items[i].cls, names[j]) != 0)
						continue;
					real = items[i].real;
					n++;
					v[items[i].verdict]++;
					if (items[i].judged)
					{
						nj++;
						ms += items[i].score;
					}
				}
				if (real != real_pass)
					continue;
				if (!real)
					a = auc(calib, names[j], &np, &ng);
				snprintf(label, sizeof(label), "%s%.63s", real ? "real " : "class ", names[j]);
				printf("%-36s %6zu %6zu %7.3f %6.1f%% %6.1f%% %6.1f%% %7.3f\n",
					   label, n, nj, nj ? ms / nj : NAN,
					   100.0 * v[TA_VERDICT_REAL] / n, 100.0 * v[TA_VERDICT_SYNTHETIC] / n,
					   100.0 * v[TA_VERDICT_INCONCLUSIVE] / n, a);
			}
		report_datasets(calib);
	}
	printf("\nAUC: real (judged traces of the split) versus the class; "
		   "verdict shares over all traces (short ones are inconclusive)\n"
		   "dataset: balance (real - synthetic) / judged traces, clones share of compared traces in\n"
		   "clone groups, maxJ the highest estimated Jaccard of any two compared traces, cadence and\n"
		   "digits the share of traces on the modal clock and decimals, gini and top10 of points over\n"
		   "cells, corehr the range of the core's share over the hours (nan: not measurable)\n");
}

static void
dump(void)
{
	size_t		i;
	int			k;

	printf("split\tclass\tid\tn\tdur\tscore");
	for (k = 0; k < TA_RF_N; k++)
		printf("\t%s", ta_realism_feature_names[k]);
	printf("\n");
	for (i = 0; i < nitems; i++)
	{
		printf("%s\t%s\t%s\t%zu\t%.0f\t%.3f", items[i].calib ? "calib" : "held",
			   items[i].cls, items[i].id, items[i].f.fixes, items[i].f.duration_s,
			   items[i].score);
		for (k = 0; k < TA_RF_N; k++)
			printf("\t%.4g", items[i].f.value[k]);
		printf("\n");
	}
}

int
main(int argc, char **argv)
{
	int			i;
	TARealismModel m;

	if (argc < 3)
	{
		fprintf(stderr, "usage: eval report|calibrate|dump SPLIT:CLASS:PATH[@PREFIXES]...\n");
		return 2;
	}
	for (i = 2; i < argc; i++)
		load_item(argv[i]);
	if (strcmp(argv[1], "calibrate") == 0)
	{
		calibrate(&m);
		print_model(&m);
		score_all(&m);
		fflush(stdout);
		{
			/* the table goes to stderr, the model to stdout */
			int			saved = dup(1);

			dup2(2, 1);
			report_plain();
			fflush(stdout);
			dup2(saved, 1);
			close(saved);
		}
	}
	else if (strcmp(argv[1], "ablate") == 0)
	{
		/* held-out AUC per class with one feature's evidence removed */
		static const char *cls[5] = {"a", "b", "c", "d", "e"};
		int			k,
					c;

		printf("%-22s", "without");
		for (c = 0; c < 5; c++)
			printf("  AUC %s", cls[c]);
		printf("\n");
		for (k = -1; k < TA_RF_N; k++)
		{
			m = ta_realism_default_model;
			if (k >= 0)
			{
				memset(m.coef[k].llr, 0, sizeof(m.coef[k].llr));
				m.coef[k].llr_invalid = 0;
			}
			score_all(&m);
			printf("%-22s", k < 0 ? "(nothing)" : ta_realism_feature_names[k]);
			for (c = 0; c < 5; c++)
			{
				size_t		np,
							ng;

				printf("  %5.3f", auc(0, cls[c], &np, &ng));
			}
			printf("\n");
		}
		{
			/* whole groups: clock, rest, geometry, kinematics, precision */
			static const struct
			{
				const char *name;
				int			first,
							last;
			}			grp[5] = {
				{"[clock]", TA_RF_DT_MEDIAN, TA_RF_SUBSEC_SHARE},
				{"[noise at rest]", TA_RF_REST_NOISE_M, TA_RF_SPIKE_RATIO},
				{"[geometry]", TA_RF_COLLINEAR_SHARE, TA_RF_SPEED_TURN_CORR},
				{"[kinematics]", TA_RF_CONST_SPEED_SHARE, TA_RF_STOP_DURATION_CV},
				{"[precision]", TA_RF_COORD_DIGITS, TA_RF_REPEAT_SHARE},
			};
			int			g;

			for (g = 0; g < 5; g++)
			{
				m = ta_realism_default_model;
				for (k = grp[g].first; k <= grp[g].last; k++)
				{
					memset(m.coef[k].llr, 0, sizeof(m.coef[k].llr));
					m.coef[k].llr_invalid = 0;
				}
				score_all(&m);
				printf("%-22s", grp[g].name);
				for (c = 0; c < 5; c++)
				{
					size_t		np,
								ng;

					printf("  %5.3f", auc(0, cls[c], &np, &ng));
				}
				printf("\n");
			}
		}
	}
	else if (strcmp(argv[1], "why") == 0)
	{
		/* the evidence of every real trace judged below 0.7 and every
		 * synthetic one above 0.3 */
		size_t		j;

		for (j = 0; j < nitems; j++)
		{
			TARealismResult r;
			Item	   *it = &items[j];
			int			k;

			ta_realism_score(&it->f, &r);
			if (!it->judged || (it->real ? r.score >= 0.7 : r.score <= 0.3))
				continue;
			printf("%s %s %s n=%zu score=%.3f\n", it->calib ? "calib" : "held",
				   it->cls, it->id, it->f.fixes, r.score);
			for (k = 0; k < TA_RF_N; k++)
			{
				char		buf[400];

				if (fabs(r.contribution[k]) < 0.2)
					continue;
				ta_realism_explain(&it->f, &r, k, buf, sizeof(buf));
				printf("   %+6.2f %-20s %s\n", r.contribution[k],
					   ta_realism_feature_names[k], buf);
			}
		}
	}
	else if (strcmp(argv[1], "dump") == 0)
	{
		score_all(&ta_realism_default_model);
		dump();
	}
	else
	{
		score_all(&ta_realism_default_model);
		report_plain();
	}
	free(items);
	for (i = 0; i < ngroups; i++)
		ta_fp_acc_free(groups[i].acc);
	return 0;
}
