/*
 * arena.c
 *	  Bump allocation of many small pieces that live as long as an
 *	  aggregate's memory context: the states of trace_line, trace_summary
 *	  and trace_realism that transitions make (each on a cache line of its
 *	  own) and their blocks of fixes.
 *
 * With 20,000 traces interleaved, every state grows by a block every few
 * dozen rows; taking those blocks from large chunks of the aggregate's
 * context (no per-piece header, no free lists) was faster than palloc, and
 * large chunks can be backed by transparent huge pages, which the kernel
 * fills in one fault per 2 MB instead of one per 4 kB: parallel workers
 * start with fresh memory for every query, and their faults had been a
 * visible part of the query's time.
 *
 * The chunks are ordinary allocations in the context, so the hash
 * aggregate's memory accounting sees them and spills as before; they go
 * away with the context.  Pieces are never freed one by one.
 */
#include "postgres.h"

#ifndef WIN32
#include <sys/mman.h>
#endif

#include "fmgr.h"
#include "utils/memutils.h"

#include "traceaudit.h"

#define ARENA_FIRST_CHUNK	(64 * 1024)
#define ARENA_MAX_CHUNK		(8 * 1024 * 1024)
#define HUGE_PAGE			(2 * 1024 * 1024)
#define ARENA_CACHE			4

typedef struct ArenaCache ArenaCache;

typedef struct Arena
{
	MemoryContext ctx;
	char	   *cur;
	char	   *end;
	size_t		next_chunk;
	bool		huge_pages;		/* ask for transparent huge pages */
	ArenaCache *cache;			/* the call site's cache that points to it */
	MemoryContextCallback cb;
} Arena;

/* per call site (fn_extra): the arenas of the contexts it allocated in */
struct ArenaCache
{
	Arena	   *arena[ARENA_CACHE];
	int			next;			/* slot to reuse when all are taken */
};

/* the context is being reset or deleted: forget its arena */
static void
arena_forget(void *arg)
{
	Arena	   *a = (Arena *) arg;
	int			i;

	for (i = 0; i < ARENA_CACHE; i++)
		if (a->cache->arena[i] == a)
			a->cache->arena[i] = NULL;
}

static Arena *
arena_for(FunctionCallInfo fcinfo, MemoryContext ctx, bool huge_pages)
{
	ArenaCache *c = (ArenaCache *) fcinfo->flinfo->fn_extra;
	Arena	   *a;
	int			i;

	if (c == NULL)
	{
		c = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(ArenaCache));
		fcinfo->flinfo->fn_extra = c;
	}
	for (i = 0; i < ARENA_CACHE; i++)
		if (c->arena[i] && c->arena[i]->ctx == ctx)
			return c->arena[i];

	/*
	 * A new arena in ctx.  The cache (in the call site's longer-lived
	 * context) forgets it when ctx is reset, before its memory goes; an
	 * arena pushed out of a full cache stays valid, just not found again.
	 */
	a = MemoryContextAllocZero(ctx, sizeof(Arena));
	a->ctx = ctx;
	a->next_chunk = ARENA_FIRST_CHUNK;
	a->huge_pages = huge_pages;
	a->cache = c;
	a->cb.func = arena_forget;
	a->cb.arg = a;
	MemoryContextRegisterResetCallback(ctx, &a->cb);
	for (i = 0; i < ARENA_CACHE && c->arena[i]; i++)
		;
	if (i == ARENA_CACHE)
		i = c->next++ % ARENA_CACHE;
	c->arena[i] = a;
	return a;
}

/* a new chunk of at least need bytes */
static void
arena_grow(Arena *a, size_t need)
{
	size_t		size = Max(a->next_chunk, need);
	char	   *p = MemoryContextAllocHuge(a->ctx, size);

#if defined(MADV_HUGEPAGE)
	if (a->huge_pages && size >= 2 * HUGE_PAGE)
	{
		/* the whole 2 MB pages inside the chunk; a hint, so errors are moot */
		uintptr_t	lo = TYPEALIGN(HUGE_PAGE, (uintptr_t) p);
		uintptr_t	hi = TYPEALIGN_DOWN(HUGE_PAGE, (uintptr_t) p + size);

		if (hi > lo)
			(void) madvise((void *) lo, hi - lo, MADV_HUGEPAGE);
	}
#endif
	a->cur = p;
	a->end = p + size;
	a->next_chunk = Min(a->next_chunk * 2, ARENA_MAX_CHUNK);
}

/*
 * bytes from the arena of the aggregate context ctx, for the aggregate
 * function called through fcinfo, at an address that is a multiple of align
 * (a power of two, at least MAXIMUM_ALIGNOF).  huge_pages: back its large
 * chunks with transparent huge pages (a call site passes the same value
 * every time).
 */
void *
ta_arena_alloc(FunctionCallInfo fcinfo, MemoryContext ctx, size_t bytes, size_t align,
			   bool huge_pages)
{
	Arena	   *a = arena_for(fcinfo, ctx, huge_pages);
	char	   *p = (char *) TYPEALIGN(align, a->cur);

	if (a->cur == NULL || p > a->end || (size_t) (a->end - p) < bytes)
	{
		arena_grow(a, bytes + align);
		p = (char *) TYPEALIGN(align, a->cur);
	}
	a->cur = p + MAXALIGN(bytes);
	return p;
}
