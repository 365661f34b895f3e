/*-------------------------------------------------------------------------
 *
 * main.c
 *	  Module load (Python start-up, settings) and the three SQL entry points:
 *	  the call handler, the inline handler (DO) and the validator.
 *
 *-------------------------------------------------------------------------
 */
#include "plsafepy.h"

#include <dlfcn.h>

#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "worker_pool.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(plsafepy_call_handler);
PG_FUNCTION_INFO_V1(plsafepy_inline_handler);
PG_FUNCTION_INFO_V1(plsafepy_validator);

void		_PG_init(void);

/* The main interpreter's thread state: current whenever plsafepy is not. */
static PyThreadState *main_tstate;

/*
 * plpython3u registers its "plpy" module with PyImport_AppendInittab, which
 * CPython 3.11 only honours before Py_Initialize.  When plsafepy starts
 * Python first, this entry stands in for it: it finds plpython3's own init
 * function once that library is loaded (PostgreSQL loads with RTLD_GLOBAL).
 * It refuses inside plsafepy's interpreters, which must never see it.
 */
static PyObject *
plpython_plpy_trampoline(void)
{
	PyObject   *(*init) (void);

	if (pls_current != NULL)
	{
		PyErr_SetString(PyExc_ImportError, "plpy is not importable here");
		return NULL;
	}
	init = (PyObject *(*) (void)) dlsym(RTLD_DEFAULT, "PyInit_plpy");
	if (init == NULL)
	{
		PyErr_SetString(PyExc_ImportError, "plpython3 is not loaded");
		return NULL;
	}
	return init();
}

/*
 * Python starts in the backend only when a role's code runs inline (or the
 * whitelist view or the reach check needs an interpreter): a backend whose
 * roles all run in process isolation never starts it.  The allocator
 * budget and the audit hook are installed at load, before any runtime
 * exists (or chained onto plpython3u's, if it started Python first).
 */
void
pls_python_start(void)
{
	PyConfig	config;
	PyStatus	status;

	if (main_tstate != NULL)
		return;
	ereport(DEBUG1,
			(errmsg_internal("plsafepy: starting Python in this backend")));
	if (Py_IsInitialized())
	{
		main_tstate = PyThreadState_Get();
		return;
	}

	/*
	 * Isolated: no environment variables, no user site, no current
	 * directory on sys.path, and no Python signal handlers (PostgreSQL owns
	 * the signals).
	 */
	if (PyImport_AppendInittab("plpy", plpython_plpy_trampoline) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("could not register the plpy module for plpython3u")));
	PyConfig_InitIsolatedConfig(&config);
	config.install_signal_handlers = 0;
	config.site_import = 0;
	config.write_bytecode = 0;
	config.user_site_directory = 0;
	config.parse_argv = 0;
	config.pathconfig_warnings = 0;
	status = Py_InitializeFromConfig(&config);
	PyConfig_Clear(&config);
	if (PyStatus_Exception(status))
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("could not initialize Python: %s",
						status.err_msg ? status.err_msg : "unknown error")));
	main_tstate = PyThreadState_Get();
}

void
_PG_init(void)
{
	static bool inited = false;

	if (inited)
		return;

	/*
	 * A cancel or statement timeout must not cut the load short: the
	 * settings defined before it would stay defined, and every later load
	 * in the session would fail to define them again.  Loading Python can
	 * outlast a short statement_timeout on a busy machine.
	 */
	HOLD_INTERRUPTS();
	pls_limits_init();
	pls_sandbox_init();
	pls_pool_init();
	pls_memory_install();
	if (pls_audit_install() < 0)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("could not install the plsafepy audit hook")));
	pls_proc_init();
	MarkGUCPrefixReserved("plsafepy");
	inited = true;
	RESUME_INTERRUPTS();
}

/* Used by interp.c to build a new interpreter from a known state. */
PyThreadState *
pls_main_tstate(void)
{
	return main_tstate;
}

Datum
plsafepy_call_handler(PG_FUNCTION_ARGS)
{
	Datum		retval = (Datum) 0;
	PLSProc    *proc;
	PLSExecCtx	ctx;
	ErrorContextCallback errcb;

	if (CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("PL/SafePy functions cannot be used as event triggers")));

	/* A set-returning function in progress keeps the procedure it began with. */
	proc = pls_srf_proc(fcinfo);
	if (proc == NULL)
		proc = pls_proc_get(fcinfo,
							CALLED_AS_TRIGGER(fcinfo) ? PLS_TRIGGER : PLS_FUNCTION);

	if (proc->kind == PLS_TRIGGER && !CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("trigger functions can only be called as triggers")));

	errcb.callback = pls_error_context;
	errcb.arg = proc;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;

	/*
	 * The procedure counts as running for the whole call: user code run
	 * while arguments and results are converted or released (__iter__, a
	 * generator's finally) may replace the function and call it again, and
	 * the new call must not free the procedure this one still uses.
	 */
	proc->calldepth++;
	pls_exec_push(&ctx, proc,
				  proc->kind == PLS_PROCEDURE && fcinfo->context &&
				  IsA(fcinfo->context, CallContext) &&
				  !castNode(CallContext, fcinfo->context)->atomic);
	PG_TRY();
	{
		if (proc->kind == PLS_TRIGGER)
			retval = PointerGetDatum(proc->process ?
									 pls_process_trigger(proc, fcinfo) :
									 pls_exec_trigger(proc, fcinfo));
		else if (proc->process)
			retval = pls_process_function(proc, fcinfo);
		else
			retval = pls_exec_function(proc, fcinfo);
	}
	PG_FINALLY();
	{
		pls_exec_pop(&ctx);
		proc->calldepth--;
	}
	PG_END_TRY();

	error_context_stack = errcb.previous;
	return retval;
}

Datum
plsafepy_inline_handler(PG_FUNCTION_ARGS)
{
	LOCAL_FCINFO(fake_fcinfo, 0);
	InlineCodeBlock *codeblock = (InlineCodeBlock *) DatumGetPointer(PG_GETARG_DATUM(0));
	PLSProc    *proc;
	PLSExecCtx	ctx;
	ErrorContextCallback errcb;

	MemSet(fake_fcinfo, 0, SizeForFunctionCallInfo(0));

	proc = pls_proc_inline(codeblock->source_text);

	errcb.callback = pls_error_context;
	errcb.arg = proc;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;

	pls_exec_push(&ctx, proc, !codeblock->atomic);
	PG_TRY();
	{
		if (proc->process)
			pls_process_inline(proc);
		else
			pls_exec_inline(proc);
	}
	PG_FINALLY();
	{
		pls_exec_pop(&ctx);
		pls_proc_release_inline(proc);
	}
	PG_END_TRY();

	error_context_stack = errcb.previous;
	PG_RETURN_VOID();
}

Datum
plsafepy_validator(PG_FUNCTION_ARGS)
{
	Oid			fn_oid = PG_GETARG_OID(0);

	if (!CheckFunctionValidatorAccess(fcinfo->flinfo->fn_oid, fn_oid))
		PG_RETURN_VOID();
	if (!check_function_bodies)
		PG_RETURN_VOID();
	pls_proc_validate(fn_oid);
	PG_RETURN_VOID();
}
