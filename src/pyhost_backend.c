/*-------------------------------------------------------------------------
 *
 * pyhost_backend.c
 *	  The backend's host hooks of the Python side's core (pyhost.h), where
 *	  they are not another file's own concern: denials logged with role and
 *	  function, the WARNING for a whitelisted module that is not installed,
 *	  the FATAL of an interpreter that cannot be trusted any more, and the
 *	  segfault tripwire told of new extension libraries.  limits.c has the
 *	  sleep and the recursion limit, plpy.c the plpy module and print().
 *
 *-------------------------------------------------------------------------
 */
#include "plsafepy.h"

#include "miscadmin.h"
#include "utils/acl.h"

/*
 * Log one denial by function `fn` (NULL: none running), if
 * plsafepy.log_denials is on.  Called with Python code on the stack, so no
 * PostgreSQL error may escape: an error while logging is swallowed (the
 * denial itself still happens).
 */
void
pls_host_log_denial(const char *message, const char *fn)
{
	MemoryContext oldcxt = CurrentMemoryContext;

	if (!pls_log_denials)
		return;
	PG_TRY();
	{
		const char *role = GetUserNameFromId(GetUserId(), true);

		ereport(LOG,
				(errmsg("plsafepy denied: %s", message),
				 errdetail("Role \"%s\", %s%s%s.",
						   role ? role : "?",
						   fn ? "function \"" : "no function running",
						   fn ? fn : "",
						   fn ? "\"" : ""),
				 errhidecontext(true)));
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcxt);
		FlushErrorState();
	}
	PG_END_TRY();
}

bool
pls_host_interrupt_pending(void)
{
	return QueryCancelPending || ProcDiePending;
}

const char *
pls_host_function_name(void)
{
	return pls_current_proc ? pls_current_proc->name : NULL;
}

/*
 * Once per role and session, as the interpreter is built once; inside
 * interp.c's PG_TRY, which ends the half-built interpreter should the
 * WARNING throw.
 */
void
pls_host_module_unavailable(const char *module)
{
	ereport(WARNING,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg(PLS_MODULE_UNAVAILABLE_MSG, module),
			 errdetail(PLS_MODULE_UNAVAILABLE_DETAIL,
					   GetUserNameFromId(pls_current->roleid, true)),
			 errhint(PLS_MODULE_UNAVAILABLE_HINT)));
}

void
pls_host_fatal(const char *message)
{
	ereport(FATAL,
			(errcode(ERRCODE_INTERNAL_ERROR),
			 errmsg("%s", message)));
	pg_unreachable();
}

void
pls_host_extensions_loaded(void)
{
	pls_segv_tripwire_refresh();
}
