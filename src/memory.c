/*-------------------------------------------------------------------------
 *
 * memory.c
 *	  A byte budget over everything Python allocates in this backend: the
 *	  settings plsafepy.memory_limit (superuser; the running interpreter's
 *	  role's, see settings.c) and plsafepy.user_memory_limit (anyone, the
 *	  session's, can only lower the budget).
 *
 * Python allocates either through the RAW domain (malloc) or, for objects
 * of 512 bytes or less, from pymalloc's arenas, which come from the arena
 * allocator and never go through RAW; MEM and OBJ domains end in one of
 * these two.  We wrap both.  Blocks are measured with malloc_usable_size,
 * so no header is added and blocks allocated before we were installed
 * (plpython3u may have started Python first) can still be freed.  Arenas
 * are freed with their size.
 *
 * The budget is enforced only while plsafepy Python runs: over it, an
 * allocation fails, Python raises MemoryError (reported as SQLSTATE 53200
 * by errors.c) and the interpreter stays usable, since the failed request
 * never happened.  Memory of plpython3u or the main interpreter is counted
 * (it is the same process) but never refused.
 *
 *-------------------------------------------------------------------------
 */
#include "plsafepy.h"

#include <malloc.h>
#include <sys/mman.h>

#include "utils/guc.h"

int			pls_memory_limit_kb = 512 * 1024;
int			pls_user_memory_limit_kb = 0;

/*
 * The session's budget in bytes (0: none), kept by the assign hooks: for
 * the session user's own interpreter.  Another role's interpreter has its
 * role's plsafepy.memory_limit (settings.c), lowered the same way.
 */
static int64 budget_bytes = (int64) 512 * 1024 * 1024;

/* Bytes Python holds now (allocated through us). */
static int64 used_bytes = 0;

static bool installed = false;
static PyMemAllocatorEx prev_raw;
static PyObjectArenaAllocator prev_arena;

static inline int64
budget_of(int limit_kb, int user_kb)
{
	int64		b = (int64) limit_kb * 1024;

	if (user_kb > 0 && (b == 0 || (int64) user_kb * 1024 < b))
		b = (int64) user_kb * 1024;
	return b;
}

static void
assign_memory_limit(int newval, void *extra)
{
	budget_bytes = budget_of(newval, pls_user_memory_limit_kb);
}

static void
assign_user_memory_limit(int newval, void *extra)
{
	budget_bytes = budget_of(pls_memory_limit_kb, newval);
}

static inline bool
over_budget(size_t add)
{
	PLSInterp  *interp;
	int64		budget;

	if (pls_limits_active <= 0)
		return false;
	interp = pls_current;
	budget = (interp == NULL || interp->memory_limit_kb < 0) ? budget_bytes :
		budget_of(interp->memory_limit_kb, pls_user_memory_limit_kb);
	return budget > 0 &&
		(add > (size_t) budget ||
		 __atomic_load_n(&used_bytes, __ATOMIC_RELAXED) + (int64) add > budget);
}

/*
 * Atomic: the RAW domain may be used without the GIL (plpython3u threads).
 * Freeing blocks allocated before we were installed makes the count lower
 * than the truth by at most what Python held then.
 */
static inline void
account(int64 delta)
{
	__atomic_add_fetch(&used_bytes, delta, __ATOMIC_RELAXED);
}

static void *
raw_malloc(void *ctx, size_t size)
{
	void	   *p;

	if (unlikely(over_budget(size)))
		return NULL;
	p = prev_raw.malloc(prev_raw.ctx, size);
	if (p != NULL)
		account((int64) malloc_usable_size(p));
	return p;
}

static void *
raw_calloc(void *ctx, size_t nelem, size_t elsize)
{
	void	   *p;

	if (elsize != 0 && nelem > SIZE_MAX / elsize)
		return NULL;
	if (unlikely(over_budget(nelem * elsize)))
		return NULL;
	p = prev_raw.calloc(prev_raw.ctx, nelem, elsize);
	if (p != NULL)
		account((int64) malloc_usable_size(p));
	return p;
}

static void *
raw_realloc(void *ctx, void *ptr, size_t size)
{
	size_t		old = ptr ? malloc_usable_size(ptr) : 0;
	void	   *p;

	if (size > old && unlikely(over_budget(size - old)))
		return NULL;
	p = prev_raw.realloc(prev_raw.ctx, ptr, size);
	if (p != NULL)
		account((int64) malloc_usable_size(p) - (int64) old);
	return p;
}

static void
raw_free(void *ctx, void *ptr)
{
	if (ptr != NULL)
		account(-(int64) malloc_usable_size(ptr));
	prev_raw.free(prev_raw.ctx, ptr);
}

static void *
arena_alloc(void *ctx, size_t size)
{
	void	   *p;

	if (unlikely(over_budget(size)))
		return NULL;
	/*
	 * Python's own arena allocator, plus MAP_POPULATE: the pages are
	 * mapped in one call instead of one page fault each, which is much of
	 * the cost of building big results (plpy.execute of 200k rows spends
	 * about a quarter of its time in page faults otherwise).
	 */
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED)
		p = NULL;
	if (p != NULL)
		account((int64) size);
	return p;
}

static void
arena_free(void *ctx, void *ptr, size_t size)
{
	if (ptr != NULL)
		account(-(int64) size);
	/* as Python's: arenas allocated before we were installed are alike */
	if (ptr != NULL)
		munmap(ptr, size);
}

static void
define_settings(void)
{
	DefineCustomIntVariable("plsafepy.memory_limit",
							"Most memory Python code of plsafepy may hold in one backend.",
							"Over it, allocations fail with MemoryError (SQLSTATE 53200). 0 means no limit.",
							&pls_memory_limit_kb,
							512 * 1024, 0, INT_MAX,
							PGC_SUSET,
							GUC_UNIT_KB,
							NULL, assign_memory_limit, NULL);
	DefineCustomIntVariable("plsafepy.user_memory_limit",
							"A lower memory limit any user may set for plsafepy in this session.",
							"The smaller of this and plsafepy.memory_limit applies. 0 means no extra limit.",
							&pls_user_memory_limit_kb,
							0, 0, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_KB,
							NULL, assign_user_memory_limit, NULL);
}

/*
 * Wrap Python's allocators.  Called before Py_Initialize, or after it if
 * plpython3u started Python first (wrapping a running allocator is allowed;
 * replacing it is not, which is why we always call the previous one).
 */
void
pls_memory_install(void)
{
	PyMemAllocatorEx raw;
	PyObjectArenaAllocator arena;

	if (installed)
		return;
	installed = true;
	define_settings();

	/*
	 * malloc_usable_size is only valid on plain malloc blocks: with debug
	 * hooks (PYTHONMALLOC=debug, honoured if plpython3u started Python)
	 * the blocks carry Python's own headers.
	 */
	if (Py_IsInitialized())
	{
		const char *env = getenv("PYTHONMALLOC");

		if (env != NULL && *env != '\0' &&
			strcmp(env, "malloc") != 0 && strcmp(env, "pymalloc") != 0)
		{
			ereport(WARNING,
					(errmsg("plsafepy.memory_limit is not enforced: PYTHONMALLOC is set to \"%s\"", env)));
			return;
		}
	}

	PyMem_GetAllocator(PYMEM_DOMAIN_RAW, &prev_raw);
	raw.ctx = NULL;
	raw.malloc = raw_malloc;
	raw.calloc = raw_calloc;
	raw.realloc = raw_realloc;
	raw.free = raw_free;
	PyMem_SetAllocator(PYMEM_DOMAIN_RAW, &raw);

	PyObject_GetArenaAllocator(&prev_arena);
	arena.ctx = NULL;
	arena.alloc = arena_alloc;
	arena.free = arena_free;
	PyObject_SetArenaAllocator(&arena);
}
