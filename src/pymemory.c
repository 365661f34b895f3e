/*-------------------------------------------------------------------------
 *
 * pymemory.c
 *	  The memory budget of the Python side's core (pyhost.h): a byte budget
 *	  over everything Python allocates in this process, for both hosts.
 *	  The backend sets it from plsafepy.memory_limit and
 *	  plsafepy.user_memory_limit (memory.c, settings.c), the worker from
 *	  its INIT and each CALL (src/worker/).
 *
 * Python allocates either through the RAW domain (malloc) or, for objects
 * of 512 bytes or less, from pymalloc's arenas, which come from the arena
 * allocator and never go through RAW; MEM and OBJ domains end in one of
 * these two.  We wrap both.  Blocks are measured with malloc_usable_size,
 * so no header is added and blocks allocated before we were installed
 * (plpython3u may have started Python first) can still be freed.  Arenas
 * are freed with their size.
 *
 * The budget is enforced only while plsafepy Python runs (the host's
 * pls_limits_active): over it, an allocation fails, Python raises
 * MemoryError (SQLSTATE 53200) and the interpreter stays usable, since the
 * failed request never happened.  Memory allocated while no plsafepy
 * Python runs (plpython3u, the runtime) is counted but never refused.
 *
 * Every allocation of the process's Python passes here: the check is kept
 * to a few loads and one compare.
 *
 *-------------------------------------------------------------------------
 */
#include "pyhost.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/*
 * The budget in bytes (0: none) of an interpreter whose memory_limit_kb is
 * -1 (the backend's session user's own), and the session's lowering of
 * every interpreter's (kB, 0: none): pls_budget_set.
 */
static int64_t session_budget = (int64_t) 512 * 1024 * 1024;
static int	user_limit_kb = 0;

/* Bytes Python holds now (allocated through us). */
static int64_t used_bytes = 0;

static bool installed = false;
static PyMemAllocatorEx prev_raw;

void
pls_budget_set(int64_t session_bytes, int user_kb)
{
	session_budget = session_bytes;
	user_limit_kb = user_kb;
}

static inline bool
over_budget(size_t add)
{
	PLSInterp  *interp;
	int64_t		budget;

	if (pls_limits_active <= 0)
		return false;
	interp = pls_current;
	budget = (interp == NULL || interp->memory_limit_kb < 0) ? session_budget :
		pls_budget_of(interp->memory_limit_kb, user_limit_kb);
	return budget > 0 &&
		(add > (size_t) budget ||
		 __atomic_load_n(&used_bytes, __ATOMIC_RELAXED) + (int64_t) add > budget);
}

/*
 * Atomic: the RAW domain may be used without the GIL (plpython3u threads).
 * Freeing blocks allocated before we were installed makes the count lower
 * than the truth by at most what Python held then.
 */
static inline void
account(int64_t delta)
{
	__atomic_add_fetch(&used_bytes, delta, __ATOMIC_RELAXED);
}

static void *
raw_malloc(void *ctx, size_t size)
{
	void	   *p;

	if (__builtin_expect(over_budget(size), 0))
		return NULL;
	p = prev_raw.malloc(prev_raw.ctx, size);
	if (p != NULL)
		account((int64_t) malloc_usable_size(p));
	return p;
}

static void *
raw_calloc(void *ctx, size_t nelem, size_t elsize)
{
	void	   *p;

	if (elsize != 0 && nelem > SIZE_MAX / elsize)
		return NULL;
	if (__builtin_expect(over_budget(nelem * elsize), 0))
		return NULL;
	p = prev_raw.calloc(prev_raw.ctx, nelem, elsize);
	if (p != NULL)
		account((int64_t) malloc_usable_size(p));
	return p;
}

static void *
raw_realloc(void *ctx, void *ptr, size_t size)
{
	size_t		old = ptr ? malloc_usable_size(ptr) : 0;
	void	   *p;

	if (size > old && __builtin_expect(over_budget(size - old), 0))
		return NULL;
	p = prev_raw.realloc(prev_raw.ctx, ptr, size);
	if (p != NULL)
		account((int64_t) malloc_usable_size(p) - (int64_t) old);
	return p;
}

static void
raw_free(void *ctx, void *ptr)
{
	if (ptr != NULL)
		account(-(int64_t) malloc_usable_size(ptr));
	prev_raw.free(prev_raw.ctx, ptr);
}

static void *
arena_alloc(void *ctx, size_t size)
{
	void	   *p;

	if (__builtin_expect(over_budget(size), 0))
		return NULL;

	/*
	 * Python's own arena allocator, plus MAP_POPULATE: the pages are mapped
	 * in one call instead of one page fault each, which is much of the cost
	 * of building big results (plpy.execute of 200k rows spends about a
	 * quarter of its time in page faults otherwise).
	 */
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED)
		p = NULL;
	if (p != NULL)
		account((int64_t) size);
	return p;
}

static void
arena_free(void *ctx, void *ptr, size_t size)
{
	if (ptr != NULL)
		account(-(int64_t) size);
	/* as Python's: arenas allocated before we were installed are alike */
	if (ptr != NULL)
		munmap(ptr, size);
}

/*
 * Wrap Python's allocators.  Called before Py_Initialize, or after it if
 * plpython3u started Python first (wrapping a running allocator is allowed;
 * replacing it is not, which is why we always call the previous one).
 */
const char *
pls_budget_install(void)
{
	PyMemAllocatorEx raw;
	PyObjectArenaAllocator arena;

	if (installed)
		return NULL;
	installed = true;

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
			return env;
	}

	PyMem_GetAllocator(PYMEM_DOMAIN_RAW, &prev_raw);
	raw.ctx = NULL;
	raw.malloc = raw_malloc;
	raw.calloc = raw_calloc;
	raw.realloc = raw_realloc;
	raw.free = raw_free;
	PyMem_SetAllocator(PYMEM_DOMAIN_RAW, &raw);

	arena.ctx = NULL;
	arena.alloc = arena_alloc;
	arena.free = arena_free;
	PyObject_SetArenaAllocator(&arena);
	return NULL;
}
