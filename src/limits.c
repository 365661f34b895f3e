/*-------------------------------------------------------------------------
 *
 * limits.c
 *	  Interrupts and stack depth, the normal-context side (the handlers,
 *	  timers and the SIGSEGV tripwire are in signals.c): statement_timeout,
 *	  pg_cancel_backend and pg_terminate_backend stop running Python code;
 *	  C-level code that never returns to the eval loop ends the backend
 *	  cleanly after a grace period; the recursion limit is derived from
 *	  max_stack_depth.  Owns the setting plsafepy.interrupt_grace.
 *
 * How an interrupt reaches Python code:
 *	- PostgreSQL's own handlers set its flags (QueryCancelPending,
 *	  ProcDiePending); signals.c's handler, chained onto them, queues one
 *	  Py_AddPendingCall in the running interpreter when delivery is open.
 *	  Delivery is opened here, in normal code, only once the running thread
 *	  state and pls_current agree and no call of ours is queued in that
 *	  interpreter; it is closed before either changes (the four switches
 *	  here: pls_enter/pls_leave, pls_suspend/pls_resume) and whenever we
 *	  queue ourselves.  A call of ours left queued in an interpreter we
 *	  left is run off (Py_MakePendingCalls) before delivery opens there
 *	  again.
 *	- The pending call runs at the eval loop's next check, raises
 *	  interp->exc_interrupted (a BaseException) and queues itself again for
 *	  as long as the interrupt is pending, so code that catches everything
 *	  keeps getting it until control is back in C.
 *	- Back in C, errors.c calls pls_limits_check(), which runs
 *	  CHECK_FOR_INTERRUPTS() so that PostgreSQL raises its own error.
 *	- A cancel that PostgreSQL raised inside SPI is caught there and reaches
 *	  pls_raise_pg_error() (errors.c), which hands it to
 *	  pls_limits_catch_error(): it is kept and exc_interrupted raised the
 *	  same way, so plpy.SPIError handlers cannot swallow it;
 *	  pls_limits_check() rethrows the kept error.
 *
 * C code that never reaches the eval loop (sum(range(10**12)), a
 * catastrophic regular expression, huge pow) cannot see the pending call.
 * The first delivery arms the grace timer; plsafepy.interrupt_grace later,
 * if the interrupt is still pending, signals.c leaves the handler for its
 * exit context, which calls pls_exit_after_escalation() here: the FATAL is
 * logged from normal code and proc_exit runs (exit status 1 after the
 * usual clean-up: the postmaster does not restart the cluster).  If the
 * eval loop is reached after the grace period, the pending call does the
 * same.  Either way no Python runs in this process again.
 *
 * With client_connection_check_interval set, the pending call also does
 * PostgreSQL's socket check (which only CHECK_FOR_INTERRUPTS would do), so
 * a runaway whose client has gone away ends with "connection to client
 * lost".
 *
 * Cost when nothing is pending: pls_limits_enter/leave update a counter and
 * a flag and test a few more; no system call.
 *
 *-------------------------------------------------------------------------
 */
#include "plsafepy.h"

#include "access/xact.h"
#include "miscadmin.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

int			pls_interrupt_grace_ms = 1000;

/* A cancel error caught in SPI, kept until control is back in C. */
static ErrorData *held_error = NULL;
static MemoryContext held_cxt = NULL;

/*
 * Python was stopped by an interrupt PostgreSQL has not raised yet (for
 * example a generator's finally run by executor shutdown, where nothing
 * may throw): raised at the latest before the transaction commits.
 */
static bool stopped_unraised = false;

static void limits_xact_callback(XactEvent event, void *arg);

/*
 * Queue the pending call in the running interpreter from normal code, if
 * none of ours is queued there.  Delivery is closed first, so a signal
 * cannot queue while Py_AddPendingCall holds the pending-call lock.
 */
static void
queue_pending_call(void)
{
	PLSInterp  *interp = pls_current;

	pls_delivery_open = 0;
	if (interp == NULL || interp->interrupt_queued)
		return;
	interp->interrupt_queued = 1;
	if (Py_AddPendingCall(pls_interrupt_pending_call, NULL) < 0)
		interp->interrupt_queued = 0;
}

/* Make running Python stop, and start the grace period. */
static void
request_interrupt(void)
{
	if (!pls_grace_armed)
		pls_grace_arm(pls_interrupt_grace_ms);
	queue_pending_call();
}

/* From libpq/libpq.h, which needs GSSAPI headers this build lacks. */
extern bool pq_check_connection(void);

/*
 * client_connection_check_interval: PostgreSQL checks the socket only in
 * CHECK_FOR_INTERRUPTS, which Python code never reaches; do the same check
 * here (pq_check_connection does not ereport), so a runaway whose client
 * has gone away is stopped.
 */
static void
check_client_connection(void)
{
	CheckClientConnectionPending = false;
	if (client_connection_check_interval <= 0 || ClientConnectionLost)
		return;
	if (!pq_check_connection())
	{
		ClientConnectionLost = true;
		InterruptPending = true;
	}
	else
		enable_timeout_after(CLIENT_CONNECTION_CHECK_TIMEOUT,
							 client_connection_check_interval);
}

/*
 * The pending call: runs in the eval loop of the running interpreter, with
 * the GIL, outside any signal handler.
 */
int
pls_interrupt_pending_call(void *arg)
{
	PLSInterp  *interp = pls_current;

	/* Whatever happens next, nothing of ours is queued here any more. */
	if (interp != NULL)
		interp->interrupt_queued = 0;

	if (pls_limits_active <= 0 || interp == NULL)
		return 0;

	/* The grace period ran out while C code had the eval loop's place. */
	if (pls_escalation_due)
		pls_exit_after_escalation();

	if (CheckClientConnectionPending)
		check_client_connection();

	if (!pls_interrupt_wanted())
	{
		/*
		 * Nothing to stop: let signals queue again.  The eval loop pops
		 * once more after a call returns 0, holding the pending-call lock
		 * for a moment; a signal that queues in that moment waits for the
		 * lock, and the grace timer armed before it ends the backend (see
		 * signals.c, grace_handler).
		 */
		pls_delivery_open = 1;
		return 0;
	}

	/* Keep raising until control is back in C. */
	request_interrupt();
	PyErr_SetNone(interp->exc_interrupted ? interp->exc_interrupted :
				  PyExc_KeyboardInterrupt);
	return -1;
}

static const char *
interrupt_reason(int *sqlstate)
{
	*sqlstate = ERRCODE_QUERY_CANCELED;
	if (ProcDiePending)
	{
		*sqlstate = ERRCODE_ADMIN_SHUTDOWN;
		return "a request to terminate the connection";
	}
	if (ClientConnectionLost)
	{
		*sqlstate = ERRCODE_CONNECTION_FAILURE;
		return "the loss of the client connection";
	}
	if (held_error != NULL)
		return "the cancellation of its query";
	if (get_timeout_indicator(STATEMENT_TIMEOUT, false))
		return "the statement timeout";
	if (pls_escalation_kind == PLS_ESCALATE_CLEANUP || pls_in_cleanup())
		return "being asked to clean up after an aborted transaction";
	if (get_timeout_indicator(LOCK_TIMEOUT, false))
		return "the lock timeout";
	return "a request to cancel the statement";
}

/*
 * End the backend after an escalation, in normal context: from signals.c's
 * exit context (its own stack, the handler left behind) or from the
 * pending call at a safe point.  Python is abandoned: nothing runs it
 * again, including proc_exit's transaction clean-up.
 */
void
pls_exit_after_escalation(void)
{
	int			kind = pls_escalation_kind;
	const char *reason;
	int			sqlstate;

	pls_python_abandoned = 1;
	pls_delivery_open = 0;
	pls_grace_disarm();

	/* Context callbacks would format Python tracebacks: not any more. */
	error_context_stack = NULL;

	if (kind == PLS_ESCALATE_C_STACK)
		ereport(FATAL,
				(errcode(ERRCODE_STATEMENT_TOO_COMPLEX),
				 errmsg("plsafepy function exhausted the C stack"),
				 errdetail("C code of the Python runtime recursed too deeply (for example hash() of a deeply nested tuple); the session ends to keep the server running.")));

	reason = interrupt_reason(&sqlstate);
	pls_limits_active = 0;
	ereport(FATAL,
			(errcode(sqlstate),
			 errmsg("terminating connection because a plsafepy function did not stop within %d ms of %s",
					pls_interrupt_grace_ms, reason),
			 errdetail("The function was running a long operation in C code (for example a huge computation or a regular expression) that cannot be interrupted."),
			 errhint("The grace period is set by plsafepy.interrupt_grace.")));
	pg_unreachable();
}

void
pls_limits_init(void)
{
	DefineCustomIntVariable("plsafepy.interrupt_grace",
							"Time running Python code is given to stop after an interrupt before the backend is ended.",
							"C code that never returns to the Python eval loop cannot be interrupted; "
							"after this long the connection is terminated with FATAL.",
							&pls_interrupt_grace_ms,
							1000, 10, 3600 * 1000,
							PGC_SUSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	RegisterXactCallback(limits_xact_callback, NULL);
	pls_segv_tripwire_install();

	/*
	 * Loaded by shared_preload_libraries, this runs in the postmaster; a
	 * backend installs its own handlers later, so chain on first use there.
	 */
	if (!(IsPostmasterEnvironment && !IsUnderPostmaster))
		pls_signals_backend_setup();
}

/*
 * The running thread state is pls_current's again: run off a call of ours
 * left queued in it, then open delivery, then look at what is already
 * pending (in that order: a signal after the opening queues by itself).
 */
static pg_noinline void
limits_open_slow(void)
{
	PLSInterp  *interp = pls_current;

	if (pls_python_abandoned)
		elog(FATAL, "plsafepy: Python was abandoned in this process");
	if (!pls_signals_backend_ready())
		pls_signals_backend_setup();

	if (interp->interrupt_queued)
	{
		PyObject   *type,
				   *value,
				   *tb;

		/* a re-queued call means the interrupt is still pending: fine */
		PyErr_Fetch(&type, &value, &tb);
		if (Py_MakePendingCalls() < 0)
			PyErr_Clear();
		PyErr_Restore(type, value, tb);
		if (interp->interrupt_queued)
			return;
	}

	pls_delivery_open = 1;
	if (CheckClientConnectionPending)
		check_client_connection();
	if (pls_interrupt_wanted())
		request_interrupt();
}

/*
 * After switching into pls_current's thread state (entering, resuming),
 * or back out to an interpreter that is still running (a nested leave).
 */
static inline void
limits_open(void)
{
	PLSInterp  *interp = pls_current;

	if (pls_limits_active <= 0 || interp == NULL)
		return;
	if (likely(!interp->interrupt_queued && !pls_python_abandoned &&
			   pls_signals_backend_ready()))
	{
		pls_delivery_open = 1;

		/*
		 * An interrupt that arrived while PostgreSQL code ran (nothing was
		 * queued then) must reach the Python code now starting; so must
		 * the end of the transaction (see pls_in_cleanup).
		 */
		if (likely(!(InterruptPending || InterruptHoldoffCount ||
					 pls_interrupt_held)))
			return;
	}
	limits_open_slow();
}

static pg_noinline void
limits_leave_slow(void)
{
	if (pls_grace_armed || pls_escalation_due)
		pls_grace_disarm();
	stopped_unraised = true;

	/*
	 * A kept cancel must also stop PostgreSQL code we return to (SPI, the
	 * rest of the statement), even if the Python code swallowed the
	 * exception and returned.
	 */
	if (held_error != NULL)
	{
		/*
		 * Replay it so that PostgreSQL's message is the same: a statement
		 * timeout by firing the statement timeout again (it sets the
		 * indicator ProcessInterrupts reads), anything else as a cancel.
		 */
		if (held_error->message_id != NULL &&
			strcmp(held_error->message_id,
				   "canceling statement due to statement timeout") == 0)
			enable_timeout_after(STATEMENT_TIMEOUT, 0);
		else
		{
			QueryCancelPending = true;
			InterruptPending = true;
		}
	}
}

/* Before switching out of pls_current's thread state (leaving, suspending). */
static inline void
limits_leave(void)
{
	pls_delivery_open = 0;
	pls_limits_active--;
	if (unlikely(pls_grace_armed || pls_escalation_due || held_error != NULL))
		limits_leave_slow();
}

/*
 * The four switches of the running thread state keep one order: delivery
 * of interrupts to Python is closed before the thread state and
 * pls_current change, and opened again only after both agree, so the
 * signal handler never queues its call in an interpreter other than the
 * one it records.  Every call passes through two of them: the checks of
 * the common case are inline here.
 */
void
pls_suspend(PLSEntry *save)
{
	limits_leave();
	save->prev_interp = pls_current;
	save->prev_tstate = PyThreadState_Swap(pls_main_tstate());
	pls_current = NULL;
}

void
pls_resume(PLSEntry *save)
{
	pls_delivery_open = 0;
	pls_current = save->prev_interp;
	PyThreadState_Swap(save->prev_tstate);
	pls_limits_active++;
	limits_open();
}

void
pls_enter(PLSInterp *interp, PLSEntry *save)
{
	pls_delivery_open = 0;
	save->prev_interp = pls_current;
	save->prev_tstate = PyThreadState_Swap(interp->tstate);
	pls_current = interp;
	pls_limits_active++;
	limits_open();
}

void
pls_leave(PLSEntry *save)
{
	limits_leave();
	pls_current = save->prev_interp;
	PyThreadState_Swap(save->prev_tstate);
	limits_open();
}

/*
 * Called by errors.c after a Python call failed with exc_interrupted (the
 * Python exception already cleared): let PostgreSQL raise its own error.
 * Returns if nothing is pending; the caller then reports a generic cancel.
 */
void
pls_limits_check(void)
{
	if (pls_grace_armed || pls_escalation_due)
		pls_grace_disarm();
	stopped_unraised = false;

	/* A termination wins over a kept cancel. */
	if (ProcDiePending || ClientConnectionLost)
		CHECK_FOR_INTERRUPTS();

	if (held_error != NULL)
	{
		ErrorData	edata = *held_error;

		held_error = NULL;
		pls_interrupt_held = 0;
		QueryCancelPending = false;
		ReThrowError(&edata);
	}

	CHECK_FOR_INTERRUPTS();
}

/* Deep copy of an ErrorData into the current memory context. */
static ErrorData *
copy_error_data(ErrorData *src)
{
	ErrorData  *e = palloc(sizeof(ErrorData));

	memcpy(e, src, sizeof(ErrorData));
#define DUP(f) (e->f = src->f ? pstrdup(src->f) : NULL)
	DUP(message);
	DUP(detail);
	DUP(detail_log);
	DUP(hint);
	DUP(context);
	DUP(backtrace);
	DUP(schema_name);
	DUP(table_name);
	DUP(column_name);
	DUP(datatype_name);
	DUP(constraint_name);
	DUP(internalquery);
#undef DUP
	e->elevel = ERROR;
	e->assoc_context = CurrentMemoryContext;
	return e;
}

/*
 * For C functions called from Python (spi.c), after PG_CATCH and the
 * subtransaction's rollback: if the error is an interrupt (SQLSTATE class
 * 57, e.g. 57014 statement timeout or cancel), keep it, raise
 * exc_interrupted and return true; the caller returns NULL to Python.
 * Otherwise return false and do nothing.
 */
bool
pls_limits_catch_error(ErrorData *edata)
{
	PLSInterp  *interp = pls_current;

	if (edata == NULL ||
		ERRCODE_TO_CATEGORY(edata->sqlerrcode) != ERRCODE_OPERATOR_INTERVENTION)
		return false;

	if (held_error == NULL)
	{
		MemoryContext old;

		if (held_cxt == NULL)
			held_cxt = AllocSetContextCreate(TopMemoryContext,
											 "plsafepy held interrupt",
											 ALLOCSET_SMALL_SIZES);
		else
			MemoryContextReset(held_cxt);
		old = MemoryContextSwitchTo(held_cxt);
		held_error = copy_error_data(edata);
		MemoryContextSwitchTo(old);
		pls_interrupt_held = 1;
	}

	if (pls_limits_active > 0)
		request_interrupt();
	if (interp && interp->exc_interrupted)
		PyErr_SetNone(interp->exc_interrupted);
	else
		PyErr_SetNone(PyExc_KeyboardInterrupt);
	return true;
}

/* The statement is over: nothing kept may leak into the next one. */
static void
limits_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_PRE_COMMIT || event == XACT_EVENT_PARALLEL_PRE_COMMIT ||
		event == XACT_EVENT_PRE_PREPARE)
	{
		if (stopped_unraised && (QueryCancelPending || ProcDiePending))
			CHECK_FOR_INTERRUPTS();
		return;
	}
	stopped_unraised = false;
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT ||
		event == XACT_EVENT_COMMIT || event == XACT_EVENT_PARALLEL_COMMIT ||
		event == XACT_EVENT_PREPARE)
	{
		held_error = NULL;
		pls_interrupt_held = 0;
		if (held_cxt != NULL)
			MemoryContextReset(held_cxt);
		if (pls_grace_armed || pls_escalation_due)
			pls_grace_disarm();
	}
}

/*
 * Python's recursion limit, from max_stack_depth (the host hook of
 * pyhost.h).  The recursion counter also counts C recursion (repr, hash,
 * comparison of nested containers); the costliest level measured with
 * CPython 3.11 is about 2.6 kB of C stack (sorted() with a key function
 * that sorts again), so allow 4 kB per level.  Python code then stays within max_stack_depth on top of what
 * PostgreSQL used before calling it, well inside the kernel's limit.
 */
int
pls_host_recursion_limit(void)
{
	int			limit = (int) (((long) max_stack_depth * 1024L) / 4096L);

	return Max(limit, 50);
}

/*
 * The host hook of time.sleep for sandboxed code (pyhost.h): waits on the
 * process latch, so a cancel, a statement timeout or a termination request
 * ends it at once.
 */
int
pls_host_sleep(double secs)
{
	TimestampTz deadline;
	MemoryContext cxt = CurrentMemoryContext;
	volatile bool failed = false;

	deadline = GetCurrentTimestamp() + (TimestampTz) (secs * 1000000.0);

	for (;;)
	{
		long		remain_ms;

		if (pls_interrupt_wanted())
		{
			PLSInterp  *interp = pls_current;

			if (pls_limits_active > 0)
				request_interrupt();
			PyErr_SetNone(interp && interp->exc_interrupted ?
						  interp->exc_interrupted : PyExc_KeyboardInterrupt);
			return -1;
		}
		remain_ms = (long) ((deadline - GetCurrentTimestamp() + 999) / 1000);
		if (remain_ms <= 0)
			break;
		if (remain_ms > INT_MAX)
			remain_ms = INT_MAX;

		PG_TRY();
		{
			int			rc = WaitLatch(MyLatch,
									   WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
									   remain_ms, PG_WAIT_EXTENSION);

			if (rc & WL_LATCH_SET)
				ResetLatch(MyLatch);
		}
		PG_CATCH();
		{
			MemoryContextSwitchTo(cxt);
			FlushErrorState();
			failed = true;
		}
		PG_END_TRY();
		if (failed)
		{
			PyErr_SetString(PyExc_OSError, "sleep failed");
			return -1;
		}
	}
	return 0;
}
