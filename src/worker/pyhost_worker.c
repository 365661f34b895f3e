/*-------------------------------------------------------------------------
 *
 * pyhost_worker.c
 *	  The worker's host hooks of the Python side's core (src/pyhost.h), and
 *	  the building of its one role's restricted interpreter in the main
 *	  interpreter, before lock-in.
 *
 * The worker is locked in once the interpreter is built: no file can be
 * opened, so every module the loader may hand out later is imported while
 * it is built (the loader then takes modules from sys.modules only:
 * PLSInterp.imports_preloaded); time.sleep waits on the channel's
 * interrupt word with a futex (clock_nanosleep is not on the seccomp
 * allowlist, and the backend's interrupt must end the wait); denials,
 * warnings, the plpy module and print go through functions of the
 * channel's side (worker.h).
 *
 *-------------------------------------------------------------------------
 */
#include "pyhost.h"
#include "sandbox_int.h"

#include "worker/worker.h"
#include "worker/preload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/syscall.h>

volatile uint32_t *pls_worker_interrupt_word = NULL;
const char *pls_worker_function_name = NULL;

/* the memory budget refuses once the role's code can run: pls_worker_budget_init */
volatile sig_atomic_t pls_limits_active = 0;

static char *role_name = NULL;
static int	recursion_limit = 1000;
static int	init_memory_limit_kb = 0;

void
pls_host_log_denial(const char *message, const char *function_name)
{
	pls_worker_report_denial(message, function_name);
}

const char *
pls_host_function_name(void)
{
	return pls_worker_function_name;
}

void
pls_host_module_unavailable(const char *module)
{
	char		message[512];
	char		detail[512];

	snprintf(message, sizeof(message), PLS_MODULE_UNAVAILABLE_MSG, module);
	snprintf(detail, sizeof(detail), PLS_MODULE_UNAVAILABLE_DETAIL,
			 role_name ? role_name : "?");
	pls_worker_report_warning(message, detail, PLS_MODULE_UNAVAILABLE_HINT);
}

void
pls_host_fatal(const char *message)
{
	pls_worker_fatal(message);
}

/* The worker has no tripwire on extension libraries. */
void
pls_host_extensions_loaded(void)
{
}

bool
pls_host_interrupt_pending(void)
{
	return pls_watchdog_pending();
}

int
pls_host_recursion_limit(void)
{
	return recursion_limit;
}

/*
 * Wait secs on the interrupt word: the backend increments it and wakes it
 * for a cancel or timeout.  Then the pending call that raises the
 * interrupt (queued by the worker's watchdog) runs now if it is queued
 * already; otherwise the sleep returns and the interrupt raises as soon as
 * it is.
 */
int
pls_host_sleep(double secs)
{
	volatile uint32_t *word = pls_worker_interrupt_word;
	struct timespec deadline;
	uint32_t	seen;
	bool		interrupted = false;

	if (word == NULL)
	{
		PyErr_SetString(PyExc_RuntimeError, "sleep is not available before the first call");
		return -1;
	}
	if (clock_gettime(CLOCK_MONOTONIC, &deadline) != 0)
	{
		PyErr_SetFromErrno(PyExc_OSError);
		return -1;
	}
	deadline.tv_sec += (time_t) secs;
	deadline.tv_nsec += (long) ((secs - (double) (time_t) secs) * 1e9);
	if (deadline.tv_nsec >= 1000000000L)
	{
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	seen = __atomic_load_n(word, __ATOMIC_SEQ_CST);

	Py_BEGIN_ALLOW_THREADS
	for (;;)
	{
		struct timespec now;
		struct timespec left;

		if (__atomic_load_n(word, __ATOMIC_SEQ_CST) != seen)
		{
			interrupted = true;
			break;
		}
		if (clock_gettime(CLOCK_MONOTONIC, &now) != 0)
			break;
		left.tv_sec = deadline.tv_sec - now.tv_sec;
		left.tv_nsec = deadline.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0)
		{
			left.tv_sec--;
			left.tv_nsec += 1000000000L;
		}
		if (left.tv_sec < 0)
			break;
		/* a shared word: not FUTEX_PRIVATE_FLAG */
		(void) syscall(SYS_futex, (uint32_t *) word, FUTEX_WAIT, seen, &left,
					   NULL, 0);
	}
	Py_END_ALLOW_THREADS

	if (!interrupted)
		return 0;

	/*
	 * The backend's interrupt for this call: raise it now.  The watchdog's
	 * pending call may not be queued yet (its thread waits for the GIL),
	 * and a sleep that returned normally would let the call finish as if
	 * nothing had happened.
	 */
	if (pls_watchdog_pending())
	{
		PyErr_SetNone(pls_current->exc_interrupted);
		return -1;
	}
	return Py_MakePendingCalls();
}

/* Import name now, while files can be opened (a new reference dropped). */
static int
preload(const char *name)
{
	PyObject   *mod = PyImport_ImportModule(name);

	if (mod == NULL)
		return -1;
	Py_DECREF(mod);
	return 0;
}

/*
 * Every module of the whitelist: one that fails to import (or is not
 * installed: the build warns of it) is left out, its exception kept in
 * interp->preload_errors, and importing it later raises that exception,
 * as only its own imports fail in the backend.
 */
static int
preload_whitelist(PLSInterp *interp, const char *spec)
{
	const char *p = spec;
	const char *bad;
	WLEntry		e;

	while (pls_wl_next(&p, &e, &bad))
	{
		char		name[256];

		if (e.module_len >= sizeof(name) ||
			pls_never_allowed_reason(e.module, e.module_len) != NULL)
			continue;
		memcpy(name, e.module, e.module_len);
		name[e.module_len] = '\0';
		if (preload(name) < 0)
		{
			PyObject   *type,
					   *value,
					   *tb;

			if (PyErr_ExceptionMatches(PyExc_MemoryError))
				return -1;
			/* kept, to be raised again where inline mode would raise it */
			PyErr_Fetch(&type, &value, &tb);
			PyErr_NormalizeException(&type, &value, &tb);
			Py_XDECREF(type);
			Py_XDECREF(tb);
			if (value == NULL ||
				PyDict_SetItemString(interp->preload_errors, name, value) < 0)
			{
				Py_XDECREF(value);
				return -1;
			}
			Py_DECREF(value);
		}
	}
	if (bad != NULL)
	{
		PyErr_Format(PyExc_ValueError, "malformed whitelist near \"%.40s\"", bad);
		return -1;
	}
	return 0;
}

int
pls_worker_build_interp(PLSInterp *interp, const char *role,
						const char *allowed_modules, int limit)
{
	if (pls_audit_install() < 0)
	{
		PyErr_SetString(PyExc_RuntimeError, "could not install the plsafepy audit hook");
		return -1;
	}
	pls_type_check_install();

	memset(interp, 0, sizeof(*interp));
	role_name = strdup(role);
	interp->allowed_modules = strdup(allowed_modules);
	if (role_name == NULL || interp->allowed_modules == NULL)
	{
		PyErr_NoMemory();
		return -1;
	}
	recursion_limit = limit;
	interp->tstate = PyThreadState_Get();
	interp->memory_limit_kb = -1;
	interp->imports_preloaded = true;

	for (const char *const *name = pls_preload_modules; *name != NULL; name++)
		if (preload(*name) < 0)
			return -1;
	for (const char *const *name = pls_preload_codecs; *name != NULL; name++)
		if (preload(*name) < 0)
			return -1;
	interp->preload_errors = PyDict_New();
	if (interp->preload_errors == NULL ||
		preload_whitelist(interp, interp->allowed_modules) < 0)
		return -1;

	pls_current = interp;
	return pls_interp_build(interp);
}

/*
 * The memory budget (pymemory.c), as inline mode's for the role: INIT's
 * plsafepy.memory_limit, lowered for each call by the CALL's.  The worker's
 * interpreter has memory_limit_kb -1: the budget set here applies to it.
 */
void
pls_worker_budget_init(int memory_limit_kb)
{
	init_memory_limit_kb = memory_limit_kb;
	pls_budget_set(pls_budget_of(memory_limit_kb, 0), 0);
	pls_limits_active = 1;
}

void
pls_worker_budget_call(int memory_limit_kb)
{
	pls_budget_set(pls_budget_of(init_memory_limit_kb, memory_limit_kb), 0);
}
