/*-------------------------------------------------------------------------
 *
 * memory.c
 *	  The settings of the memory budget of plsafepy's Python (pymemory.c,
 *	  the core's): plsafepy.memory_limit (superuser; the running
 *	  interpreter's role's, see settings.c) and plsafepy.user_memory_limit
 *	  (anyone, the session's, can only lower the budget), and the budget's
 *	  installing in this backend.
 *
 * The session user's own interpreter has the session's budget, kept by the
 * assign hooks; another role's interpreter has its role's
 * plsafepy.memory_limit (settings.c), lowered the same way.  A role whose
 * Python runs in a worker gets the same budget there (pls_memory_call_kb).
 *
 *-------------------------------------------------------------------------
 */
#include "plsafepy.h"

#include "miscadmin.h"
#include "utils/guc.h"

int			pls_memory_limit_kb = 512 * 1024;
static int	pls_user_memory_limit_kb = 0;

static void
assign_memory_limit(int newval, void *extra)
{
	pls_budget_set(pls_budget_of(newval, pls_user_memory_limit_kb),
				   pls_user_memory_limit_kb);
}

static void
assign_user_memory_limit(int newval, void *extra)
{
	pls_budget_set(pls_budget_of(pls_memory_limit_kb, newval), newval);
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
 * Define the settings and wrap Python's allocators (pls_budget_install),
 * once: before Py_Initialize, or after it if plpython3u started Python
 * first.
 */
void
pls_memory_install(void)
{
	static bool installed = false;
	const char *why;

	if (installed)
		return;
	installed = true;
	define_settings();
	why = pls_budget_install();
	if (why != NULL)
		ereport(WARNING,
				(errmsg("plsafepy.memory_limit is not enforced: PYTHONMALLOC is set to \"%s\"", why)));
}

/*
 * The budget in kB (0: none) of a call of roleid's code in its worker, as
 * inline mode computes it for roleid's interpreter, without the role's own
 * plsafepy.memory_limit when it is not the session user: that one the
 * worker has from its INIT, fixed when it started as an interpreter's is
 * when it is built, and the worker keeps the smaller of the two.
 */
int
pls_memory_call_kb(Oid roleid)
{
	int			limit_kb = roleid == GetSessionUserId() ? pls_memory_limit_kb : 0;

	return (int) (pls_budget_of(limit_kb, pls_user_memory_limit_kb) / 1024);
}
