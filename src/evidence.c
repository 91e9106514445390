/*
 * evidence.c
 *	  The jsonb evidence of trace_realism and dataset_realism: numbers (null
 *	  when not finite) and the "features" array, one entry per feature with
 *	  its value, the range real data shows, its contribution to the score
 *	  and a sentence, strongest contribution first.
 */
#include "postgres.h"

#include <math.h>

#include "lib/stringinfo.h"
#include "utils/json.h"

#include "traceaudit.h"

void
ta_json_number(StringInfo s, double v)
{
	if (isfinite(v))
		appendStringInfo(s, "%.6g", v);
	else
		appendStringInfoString(s, "null");
}

/* ev->n feature indexes by |contribution|, largest first, ties by index */
static void
order_by_contribution(const TAEvidence *ev, int *order)
{
	int			i,
				j;

	for (i = 0; i < ev->n; i++)
	{
		int			k = i;
		double		c = fabs(ev->contribution[k]);

		for (j = i; j > 0 && fabs(ev->contribution[order[j - 1]]) < c; j--)
			order[j] = order[j - 1];
		order[j] = k;
	}
}

void
ta_json_features(StringInfo js, const TAEvidence *ev)
{
	int		   *order = palloc(sizeof(int) * ev->n);
	char		line[512];
	int			i;

	order_by_contribution(ev, order);
	appendStringInfoString(js, "\"features\": [");
	for (i = 0; i < ev->n; i++)
	{
		int			k = order[i];

		if (i > 0)
			appendStringInfoString(js, ", ");
		appendStringInfoString(js, "{\"feature\": ");
		escape_json(js, ev->names[k]);
		appendStringInfoString(js, ", \"value\": ");
		ta_json_number(js, ev->valid[k] ? ev->value[k] : NAN);
		appendStringInfoString(js, ", \"real_range\": [");
		ta_json_number(js, ev->real_lo[k]);
		appendStringInfoString(js, ", ");
		ta_json_number(js, ev->real_hi[k]);
		appendStringInfoString(js, "], \"contribution\": ");
		ta_json_number(js, ev->contribution[k]);
		ev->explain(ev->ctx, k, line, sizeof(line));
		appendStringInfoString(js, ", \"explanation\": ");
		escape_json(js, line);
		appendStringInfoChar(js, '}');
	}
	appendStringInfoChar(js, ']');
	pfree(order);
}
