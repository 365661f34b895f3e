/*-------------------------------------------------------------------------
 *
 * limits.c
 *	  Interrupts and stack depth: statement_timeout, pg_cancel_backend and
 *	  pg_terminate_backend stop running Python code; C-level code that
 *	  never returns to the eval loop ends the backend cleanly after a grace
 *	  period; the recursion limit is derived from max_stack_depth.  Owns the
 *	  setting plsafepy.interrupt_grace and the interruptible sleep.
 *
 * How an interrupt reaches Python code:
 *	- PostgreSQL's own handlers for SIGINT, SIGTERM, SIGALRM and SIGUSR1 set
 *	  its flags (QueryCancelPending, ProcDiePending).  We chain onto them:
 *	  our handler calls the previous one first, then, if plsafepy Python is
 *	  running, queues one Py_AddPendingCall.  Python never runs inside a
 *	  signal handler.
 *	- The pending call runs at the eval loop's next check, raises
 *	  interp->exc_interrupted (a BaseException) and queues itself again for
 *	  as long as the interrupt is pending, so code that catches everything
 *	  keeps getting it until control is back in C.  Once the interrupt is no
 *	  longer pending (the statement is over) it does nothing.
 *	- Back in C, errors.c calls pls_limits_check(), which runs
 *	  CHECK_FOR_INTERRUPTS() so that PostgreSQL raises its own error.
 *	- A cancel that PostgreSQL raised inside SPI is caught there and reaches
 *	  pls_raise_pg_error() (errors.c), which hands it to
 *	  pls_limits_catch_error(): it is kept and exc_interrupted raised the
 *	  same way, so plpy.SPIError handlers cannot swallow it;
 *	  pls_limits_check() rethrows the kept error.
 *
 * Stack: Python's recursion limit is derived from max_stack_depth
 * (pls_recursion_limit); C recursion CPython does not count overflows into
 * sandbox.c's SIGSEGV tripwire, which ends the backend with FATAL.
 *
 * C code that never reaches the eval loop (sum(range(10**12)), a
 * catastrophic regular expression, huge pow) cannot see the pending call.
 * When the signal handler queues the call it also arms a POSIX timer
 * (timer_settime is async-signal-safe); if the interrupt is still pending
 * plsafepy.interrupt_grace later, the timer's handler ends the backend with
 * ereport(FATAL): proc_exit runs, the exit status is 1, and the postmaster
 * does not restart the cluster.  It does so only when the interrupted
 * instruction is outside libc, the dynamic loader, the postgres executable
 * and plsafepy itself, i.e. inside libpython or an extension module: then
 * no malloc, stdio or PostgreSQL state can be half-updated, and
 * PostgreSQL's exit path (which takes those locks) is safe.  Otherwise it
 * retries every few milliseconds.  PostgreSQL itself used to run die()'s
 * FATAL from the signal handler in the same way (ImmediateInterruptOK).
 *
 * With client_connection_check_interval set, the pending call also does
 * PostgreSQL's socket check (which only CHECK_FOR_INTERRUPTS would do), so
 * a runaway whose client has gone away ends with "connection to client
 * lost".
 *
 * Cost when nothing is pending: pls_limits_enter/leave update a counter and
 * test two flags; no system call.
 *
 *-------------------------------------------------------------------------
 */
#include "plsafepy.h"

#include <link.h>
#include <math.h>
#include <signal.h>
#include <time.h>
#include <ucontext.h>

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

/*
 * Nesting depth of plsafepy Python running now: pls_enter and pls_resume
 * add one, pls_leave and pls_suspend take it away, so it is zero while
 * PostgreSQL code runs (SPI), which handles interrupts itself.  Read by
 * signal handlers and by memory.c's allocator.
 */
volatile sig_atomic_t pls_limits_active = 0;

/* Set just before the escalation's FATAL: nothing may touch Python again. */
volatile sig_atomic_t pls_python_abandoned = 0;

/*
 * The interpreter our pending call was last queued in.  Pending calls are
 * per interpreter, and a signal handler must never call Py_AddPendingCall
 * while the interrupted code holds that interpreter's pending-call lock;
 * that only happens while a call of ours is queued there (being popped or
 * re-queued), so the handler queues only if none is.  A call left queued
 * in another interpreter is harmless: it does nothing unless an interrupt
 * is pending when it runs, and then raising is right.
 */
static PLSInterp *volatile queued_in = NULL;

/* A cancel error caught in SPI, kept until control is back in C. */
static ErrorData *held_error = NULL;
static MemoryContext held_cxt = NULL;

/* The escalation timer. */
static bool backend_ready = false;
static bool timer_ok = false;
static timer_t grace_timer;
static int	grace_signo;
static volatile sig_atomic_t grace_armed = 0;

/* Re-check this often while the escalation waits for a safe point. */
#define GRACE_RETRY_MS 5

/* Code ranges in which the escalation must not stop the backend. */
#define MAX_UNSAFE_RANGES 32
static struct
{
	uintptr_t	start;
	uintptr_t	end;
}			unsafe_ranges[MAX_UNSAFE_RANGES];
static int	n_unsafe_ranges = 0;

/* The handlers we chained onto, by signal number. */
static const int chained_signals[] = {SIGINT, SIGTERM, SIGALRM, SIGUSR1};
static pqsigfunc prev_handler[NSIG];

static int	interrupt_pending_call(void *arg);
static void queue_pending_call(void);
static void limits_xact_callback(XactEvent event, void *arg);

/*
 * Python entered while PostgreSQL holds interrupts is cleanup code: a
 * generator's finally or a __del__ run by a memory context reset during
 * transaction or subtransaction abort (user functions are never called
 * with interrupts held).  statement_timeout is already off by then, and
 * PostgreSQL itself would not act on a cancel, so such code is stopped at
 * its first loop or call, and escalated like any runaway.
 */
static inline bool
in_cleanup(void)
{
	return InterruptHoldoffCount > 0 && pls_limits_active > 0;
}

/*
 * Whether running Python must stop now.  Holdoff counts are ignored on
 * purpose: stopping Python is always right; whether PostgreSQL acts on the
 * interrupt once back in C is its own decision.
 */
static inline bool
interrupt_wanted(void)
{
	return ProcDiePending || QueryCancelPending || ClientConnectionLost ||
		held_error != NULL || in_cleanup();
}

static void
arm_grace_timer(int ms)
{
	struct itimerspec its;

	if (!timer_ok)
		return;
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = ms / 1000;
	its.it_value.tv_nsec = (long) (ms % 1000) * 1000000L;
	if (ms <= 0)
		its.it_value.tv_nsec = 1;
	grace_armed = 1;
	(void) timer_settime(grace_timer, 0, &its, NULL);
}

static void
disarm_grace_timer(void)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	grace_armed = 0;
	if (timer_ok)
		(void) timer_settime(grace_timer, 0, &its, NULL);
}

/*
 * Queue the pending call in the running interpreter, if not yet queued
 * there.  Async-signal-safe under the conditions described at queued_in.
 */
static void
queue_pending_call(void)
{
	PLSInterp  *interp = pls_current;

	if (interp != NULL && queued_in != interp)
	{
		queued_in = interp;
		if (Py_AddPendingCall(interrupt_pending_call, NULL) < 0)
			queued_in = NULL;
	}
}

/* Make running Python stop, and start the grace period. */
static void
request_interrupt(void)
{
	queue_pending_call();
	if (!grace_armed)
		arm_grace_timer(pls_interrupt_grace_ms);
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
static int
interrupt_pending_call(void *arg)
{
	PLSInterp  *interp = pls_current;

	/* Whatever happens next, nothing of ours is queued here any more. */
	if (queued_in == interp)
		queued_in = NULL;

	if (CheckClientConnectionPending && pls_limits_active > 0)
		check_client_connection();

	if (pls_limits_active <= 0 || interp == NULL || !interrupt_wanted())
		return 0;

	/* Keep raising until control is back in C. */
	request_interrupt();
	if (interp->exc_interrupted)
		PyErr_SetNone(interp->exc_interrupted);
	else
		PyErr_SetNone(PyExc_KeyboardInterrupt);
	return -1;
}

/*
 * Chained onto PostgreSQL's handlers for SIGINT, SIGTERM, SIGALRM and
 * SIGUSR1: those set the flags, we only make running Python notice them.
 */
static void
limits_signal_handler(SIGNAL_ARGS)
{
	int			save_errno = errno;
	pqsigfunc	prev = NULL;

	if (postgres_signal_arg > 0 && postgres_signal_arg < NSIG)
		prev = prev_handler[postgres_signal_arg];
	if (prev != NULL)
		prev(postgres_signal_arg);

	if (pls_limits_active > 0 && !pls_python_abandoned)
	{
		if (interrupt_wanted())
			request_interrupt();
		else if (CheckClientConnectionPending)
			queue_pending_call();
	}

	errno = save_errno;
}

static uintptr_t
interrupted_pc(void *ucv)
{
	ucontext_t *uc = (ucontext_t *) ucv;

	if (uc == NULL)
		return 0;
#if defined(__x86_64__)
	return (uintptr_t) uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
	return (uintptr_t) uc->uc_mcontext.pc;
#else
	return 0;
#endif
}

static bool
pc_is_unsafe(uintptr_t pc)
{
	int			i;

	if (pc == 0)
		return false;			/* unknown platform: no way to tell */
	for (i = 0; i < n_unsafe_ranges; i++)
		if (pc >= unsafe_ranges[i].start && pc < unsafe_ranges[i].end)
			return true;
	return false;
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
	if (in_cleanup())
		return "being asked to clean up after an aborted transaction";
	if (get_timeout_indicator(LOCK_TIMEOUT, false))
		return "the lock timeout";
	return "a request to cancel the statement";
}

/*
 * The grace period is over.  Runs in a signal handler; see the header
 * comment for why the FATAL below is safe where it is allowed to happen.
 */
static void
grace_timer_handler(int signo, siginfo_t *info, void *ucv)
{
	int			save_errno = errno;
	ucontext_t *uc = (ucontext_t *) ucv;
	const char *reason;
	int			sqlstate;

	grace_armed = 0;
	if (pls_limits_active <= 0 || pls_python_abandoned || !interrupt_wanted())
	{
		errno = save_errno;
		return;
	}

	/* Not at a safe point yet: look again shortly. */
	if (CritSectionCount != 0 || pc_is_unsafe(interrupted_pc(ucv)))
	{
		arm_grace_timer(GRACE_RETRY_MS);
		errno = save_errno;
		return;
	}

	reason = interrupt_reason(&sqlstate);
	pls_python_abandoned = 1;
	pls_limits_active = 0;

	/* Leave signal-handler state: the mask the interrupted code had. */
	if (uc != NULL)
		sigprocmask(SIG_SETMASK, &uc->uc_sigmask, NULL);

	/* Context callbacks would format Python tracebacks: not any more. */
	error_context_stack = NULL;

	ereport(FATAL,
			(errcode(sqlstate),
			 errmsg("terminating connection because a plsafepy function did not stop within %d ms of %s",
					pls_interrupt_grace_ms, reason),
			 errdetail("The function was running a long operation in C code (for example a huge computation or a regular expression) that cannot be interrupted."),
			 errhint("The grace period is set by plsafepy.interrupt_grace.")));
}

/* Record the executable segments of libc, ld.so, postgres and plsafepy. */
static int
collect_unsafe_range(struct dl_phdr_info *info, size_t size, void *data)
{
	const char *name = info->dlpi_name ? info->dlpi_name : "";
	bool		unsafe;
	int			i;

	unsafe = (name[0] == '\0' ||	/* the main program: postgres */
			  strstr(name, "/libc.so") != NULL ||
			  strstr(name, "/libc-") != NULL ||
			  strstr(name, "ld-linux") != NULL ||
			  strstr(name, "/ld-") != NULL ||
			  strstr(name, "plsafepy") != NULL);
	if (!unsafe)
		return 0;
	for (i = 0; i < info->dlpi_phnum; i++)
	{
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		if (n_unsafe_ranges >= MAX_UNSAFE_RANGES)
			return 1;
		unsafe_ranges[n_unsafe_ranges].start = info->dlpi_addr + ph->p_vaddr;
		unsafe_ranges[n_unsafe_ranges].end =
			info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
		n_unsafe_ranges++;
	}
	return 0;
}

/*
 * Per-backend set-up: signal chaining and the timer (POSIX timers are not
 * inherited across fork, and the postmaster's handlers are not a backend's).
 */
static void
limits_backend_setup(void)
{
	struct sigaction sa;
	struct sigevent sev;
	int			i;

	backend_ready = true;

	for (i = 0; i < lengthof(chained_signals); i++)
	{
		int			signo = chained_signals[i];
		pqsigfunc	prev = pqsignal(signo, limits_signal_handler);

		if (prev == SIG_ERR || prev == SIG_IGN || prev == SIG_DFL ||
			prev == limits_signal_handler)
		{
			/* Nothing of PostgreSQL's to chain onto: leave it as it was. */
			if (prev != SIG_ERR && prev != limits_signal_handler)
				pqsignal(signo, prev);
			continue;
		}
		prev_handler[signo] = prev;
	}

	n_unsafe_ranges = 0;
	dl_iterate_phdr(collect_unsafe_range, NULL);

	grace_signo = SIGRTMIN + 3;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = grace_timer_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(grace_signo, &sa, NULL) != 0)
	{
		ereport(WARNING,
				(errmsg("plsafepy could not install the interrupt grace handler: %m")));
		return;
	}
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = grace_signo;
	if (timer_create(CLOCK_MONOTONIC, &sev, &grace_timer) != 0)
	{
		ereport(WARNING,
				(errmsg("plsafepy could not create the interrupt grace timer: %m")));
		return;
	}
	timer_ok = true;
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

	/*
	 * Loaded by shared_preload_libraries, this runs in the postmaster; a
	 * backend installs its own handlers later, so chain on first use there.
	 */
	if (!(IsPostmasterEnvironment && !IsUnderPostmaster))
		limits_backend_setup();
}

static pg_noinline void
limits_enter_slow(void)
{
	if (!backend_ready)
		limits_backend_setup();
	if (pls_python_abandoned)
		return;
	if (interrupt_wanted())
		request_interrupt();
	else if (CheckClientConnectionPending)
		queue_pending_call();
}

void
pls_limits_enter(void)
{
	pls_limits_active++;

	/*
	 * An interrupt that arrived while PostgreSQL code ran (no pending call
	 * was queued then) must reach the Python code now starting; so must
	 * the end of the transaction (see in_cleanup).
	 */
	if (unlikely(InterruptPending || InterruptHoldoffCount ||
				 held_error != NULL || !backend_ready))
		limits_enter_slow();
}

static pg_noinline void
limits_leave_slow(void)
{
	if (grace_armed)
		disarm_grace_timer();

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

void
pls_limits_leave(void)
{
	pls_limits_active--;
	if (unlikely(grace_armed || held_error != NULL))
		limits_leave_slow();
}

/*
 * Called by errors.c after a Python call failed with exc_interrupted (the
 * Python exception already cleared): let PostgreSQL raise its own error.
 * Returns if nothing is pending; the caller then reports a generic cancel.
 */
void
pls_limits_check(void)
{
	if (grace_armed)
		disarm_grace_timer();

	/* A termination wins over a kept cancel. */
	if (ProcDiePending || ClientConnectionLost)
		CHECK_FOR_INTERRUPTS();

	if (held_error != NULL)
	{
		ErrorData	edata = *held_error;

		held_error = NULL;
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
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT ||
		event == XACT_EVENT_COMMIT || event == XACT_EVENT_PARALLEL_COMMIT ||
		event == XACT_EVENT_PREPARE)
	{
		held_error = NULL;
		if (held_cxt != NULL)
			MemoryContextReset(held_cxt);
		if (grace_armed)
			disarm_grace_timer();
	}
}

/*
 * Python's recursion limit, from max_stack_depth.  The recursion counter
 * also counts C recursion (repr, hash, comparison of nested containers);
 * the costliest level measured with CPython 3.11 is about 2.6 kB of C stack
 * (sorted() with a key function that sorts again), so allow 4 kB per
 * level.  Python code then stays within max_stack_depth on top of what
 * PostgreSQL used before calling it, well inside the kernel's limit.
 */
int
pls_recursion_limit(void)
{
	int			limit = (int) (((long) max_stack_depth * 1024L) / 4096L);

	return Max(limit, 50);
}

/*
 * time.sleep for sandboxed code: waits on the process latch, so a cancel,
 * a statement timeout or a termination request ends it at once.
 */
static PyObject *
pls_sleep_impl(PyObject *self, PyObject *arg)
{
	double		secs = PyFloat_AsDouble(arg);
	TimestampTz deadline;
	MemoryContext cxt = CurrentMemoryContext;
	volatile bool failed = false;

	if (secs == -1.0 && PyErr_Occurred())
		return NULL;
	if (isnan(secs) || secs < 0)
	{
		PyErr_SetString(PyExc_ValueError, "sleep length must be non-negative");
		return NULL;
	}
	if (secs > 1e9)
		secs = 1e9;
	deadline = GetCurrentTimestamp() + (TimestampTz) (secs * 1000000.0);

	for (;;)
	{
		long		remain_ms;

		if (interrupt_wanted())
		{
			PLSInterp  *interp = pls_current;

			if (pls_limits_active > 0)
				request_interrupt();
			PyErr_SetNone(interp && interp->exc_interrupted ?
						  interp->exc_interrupted : PyExc_KeyboardInterrupt);
			return NULL;
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
			return NULL;
		}
	}
	Py_RETURN_NONE;
}

PyMethodDef pls_sleep_def = {
	"sleep", pls_sleep_impl, METH_O,
	"sleep(seconds)\n--\n\nWait; a cancel or statement timeout ends the wait."
};
