/*
 * progress.c
 *	  Progress of long aggregations for a person watching psql, and the
 *	  library's settings.
 *
 * traceaudit's transition functions count the rows they are fed.  Every
 * traceaudit.progress_interval seconds (0, the default, means never) the
 * backend raises a NOTICE with the label traceaudit.progress_label, the rows
 * done, the estimated share of traceaudit.progress_total and the rate.
 * trace_audit() sets the three per phase, locally to its transaction.
 *
 * In a parallel plan each participant scans its own blocks and nothing is
 * shared but the scan position, so only the leader reports: its own rows
 * times the number of participants (leader and workers attached to its lock
 * group) estimates the rows done.  That is an estimate, and it says so;
 * with parallel_leader_participation off there is no report until the end.
 */
#include "postgres.h"

#include "fmgr.h"
#include "access/parallel.h"
#include "storage/lock.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "traceaudit.h"

uint64		ta_progress_count = 0;

static double progress_interval = 0;
static double progress_total = 0;
static char *progress_label = NULL;

/* the phase being reported: its label, when it started, its first count */
static char phase_label[128];
static TimestampTz phase_start;
static TimestampTz phase_last;
static uint64 phase_base;

void		_PG_init(void);

void
_PG_init(void)
{
	DefineCustomRealVariable("traceaudit.progress_interval",
							 "Seconds between progress notices of traceaudit's aggregates (0 = none).",
							 "trace_audit sets it from its progress option.",
							 &progress_interval, 0, 0, 86400,
							 PGC_USERSET, GUC_UNIT_S, NULL, NULL, NULL);
	DefineCustomRealVariable("traceaudit.progress_total",
							 "Rows expected by the aggregation being reported (0 = unknown).",
							 NULL, &progress_total, 0, 0, 1e18,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("traceaudit.progress_label",
							   "What the progress notices are about.",
							   NULL, &progress_label, "",
							   PGC_USERSET, 0, NULL, NULL, NULL);
#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("traceaudit");
#else
	EmitWarningsOnPlaceholders("traceaudit");
#endif
}

/* participants of this backend's parallel query: 1 when not parallel */
static int
participants(void)
{
	PGPROC	   *leader = MyProc ? MyProc->lockGroupLeader : NULL;
	LWLock	   *lock;
	dlist_iter	it;
	int			n = 0;

	if (leader == NULL)
		return 1;
	lock = LockHashPartitionLockByProc(leader);
	LWLockAcquire(lock, LW_SHARED);
	dlist_foreach(it, &leader->lockGroupMembers)
		n++;
	LWLockRelease(lock);
	return n > 0 ? n : 1;
}

static void
thousands(char *buf, size_t len, uint64 v)
{
	char		raw[32];
	int			n,
				i,
				o = 0;

	n = snprintf(raw, sizeof(raw), UINT64_FORMAT, v);
	for (i = 0; i < n && o < (int) len - 1; i++)
	{
		if (i > 0 && (n - i) % 3 == 0 && o < (int) len - 2)
			buf[o++] = ',';
		buf[o++] = raw[i];
	}
	buf[o] = '\0';
}

/* called every TA_PROGRESS_EVERY rows fed to any traceaudit aggregate */
void
ta_progress_check(void)
{
	TimestampTz now;
	const char *label = progress_label ? progress_label : "";
	double		elapsed,
				rows;
	int			np;
	char		done[40],
				of[48];

	if (progress_interval <= 0 || IsParallelWorker())
		return;
	now = GetCurrentTimestamp();
	if (strncmp(label, phase_label, sizeof(phase_label) - 1) != 0)
	{
		strlcpy(phase_label, label, sizeof(phase_label));
		phase_start = phase_last = now;
		phase_base = ta_progress_count;
		return;
	}
	if (!TimestampDifferenceExceeds(phase_last, now, (int) (progress_interval * 1000)))
		return;
	phase_last = now;
	np = participants();
	rows = (double) (ta_progress_count - phase_base) * np;
	elapsed = (double) (now - phase_start) / USECS_PER_SEC;
	thousands(done, sizeof(done), (uint64) rows);
	of[0] = '\0';
	if (progress_total > 0)
		snprintf(of, sizeof(of), " (%.0f%% of %.0f)",
				 Min(99.0, 100.0 * rows / progress_total), progress_total);
	ereport(NOTICE,
			(errmsg("%s: %s%s rows%s in %.1f s, %.0f rows/s",
					label[0] ? label : "traceaudit", np > 1 ? "~" : "", done, of,
					elapsed, elapsed > 0 ? rows / elapsed : 0.0),
			 np > 1 ? errdetail("Estimated from the leader's rows times %d participants.", np) : 0));
}
