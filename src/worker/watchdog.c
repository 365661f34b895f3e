/*-------------------------------------------------------------------------
 *
 * watchdog.c
 *	  The worker's watchdog: one thread that waits on the channel's
 *	  interrupt word (PlsChanShm.interrupt_seq) and stops the running
 *	  Python code when the backend raises it (a cancel, a statement
 *	  timeout or a termination reached the backend during a call).
 *
 * The backend increments the word and FUTEX_WAKEs it (worker_pool.c); the
 * thread, asleep in FUTEX_WAIT (shared, not private: the backend is another
 * process), wakes, and if a call is running queues a pending call with
 * Py_AddPendingCall.  The pending call runs in the main thread at the eval
 * loop's next check, with the GIL, and raises plsafepy.Interrupted, a
 * BaseException (as inline mode's exc_interrupted, src/plpy.c: "except
 * Exception" does not catch it).  It queues itself again for as long as the
 * call runs, so code that catches everything keeps getting it until control
 * is back in the worker's C code.  C code that never returns to the eval
 * loop cannot be stopped this way: the backend kills the worker after
 * plsafepy.interrupt_grace.
 *
 * Which call an interrupt is for: the backend raises the word only while it
 * waits for the answer to a call it sent.  pls_watchdog_call_begin() takes
 * the word's value as the call's baseline, so a raise that came after the
 * previous call ended (the backend had not read its answer yet) does not
 * stop the next one.  The host must call it as soon as it has received the
 * CALL (the backend raises the word at the earliest one wait slice, 10 ms,
 * after sending it); a raise between the two is missed, and the backend
 * then kills the worker after the grace period, which is still correct.
 * pls_watchdog_call_end() must come before any other Python code runs
 * after the call (formatting its traceback), which would otherwise be
 * interrupted again.
 *
 * The thread is started before lock-down: creating it needs clone, a
 * stack mapping and more, and RLIMIT_NPROC 0 forbids new threads.  Then
 * it locks itself in as far as the process-wide walls do not reach it:
 * capabilities, the bounding set, no_new_privs and Landlock are
 * per-thread, so it drops its capabilities and enters a Landlock domain
 * itself (confine.c) before it waits.  The seccomp filter is installed
 * with TSYNC (seccomp.c), so it applies to this thread too.  After start
 * the thread makes only futex calls (FUTEX_WAIT, and FUTEX_WAKE inside
 * Py_AddPendingCall's lock), and allocates nothing: glibc would give a
 * second thread its own malloc arena, 64 MB of address space.
 *
 * The pending calls run in the main interpreter only (CPython 3.11 runs
 * them in the main thread, and Py_AddPendingCall from a thread without a
 * thread state targets the main interpreter): the host runs the role's
 * code there.
 *
 *-------------------------------------------------------------------------
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "worker/worker.h"
#include "pyhost.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/syscall.h>

/* The thread's stack: it needs little, and RLIMIT_AS counts it. */
#define PLS_WATCHDOG_STACK (64 * 1024)

static volatile uint32_t *seq_word;	/* the channel's interrupt_seq */
static PyObject *exc_interrupted;	/* plsafepy.Interrupted */
static PyThreadState *gil_tstate;	/* the thread's, made at start */

/* Shared between the thread and the main thread: atomics only. */
static uint32_t in_call;		/* a call runs */
static uint32_t baseline;		/* the word's value when it began */
static uint32_t interrupted;	/* the running (or last) call was stopped */
static uint32_t queued;			/* a pending call of ours is queued */

/* Start-up handshake: 0 starting, 1 waiting, -1 failed (err set). */
static int32_t thread_state;
static char thread_err[256];

static long
futex(volatile uint32_t *word, int op, uint32_t val)
{
	return syscall(SYS_futex, word, op, val, NULL, NULL, 0);
}

/*
 * The pending call: runs in the main thread with the GIL.  Raises while the
 * interrupted call runs, and queues itself again.
 */
static int
raise_interrupt(void *arg)
{
	(void) arg;
	if (!__atomic_load_n(&in_call, __ATOMIC_SEQ_CST) ||
		!__atomic_load_n(&interrupted, __ATOMIC_SEQ_CST))
	{
		__atomic_store_n(&queued, 0, __ATOMIC_SEQ_CST);
		return 0;
	}
	if (Py_AddPendingCall(raise_interrupt, NULL) < 0)
		__atomic_store_n(&queued, 0, __ATOMIC_SEQ_CST);
	PyErr_SetNone(exc_interrupted);
	return -1;
}

/*
 * Queue raise_interrupt unless one is queued already.
 *
 * From the watchdog thread, queueing is not enough: CPython 3.11 sets the
 * eval loop's breaker for a pending call only if the thread that queues it
 * could run it (the main thread), so the main thread would not look until
 * something else recomputes the breaker.  Taking the GIL once does that:
 * the main thread drops it at its next breaker check (our request), and
 * recomputes the breaker when it takes it back (bpo-40010), now seeing the
 * call.  A main thread stuck in C code never drops the GIL: the thread then
 * waits here, harmlessly, until the backend kills the worker.
 */
static void
deliver(bool from_watchdog)
{
	uint32_t	expected = 0;

	if (!__atomic_compare_exchange_n(&queued, &expected, 1, false,
									 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return;
	if (from_watchdog)
		PyEval_RestoreThread(gil_tstate);
	if (Py_AddPendingCall(raise_interrupt, NULL) < 0)
		__atomic_store_n(&queued, 0, __ATOMIC_SEQ_CST);
	if (from_watchdog)
		(void) PyEval_SaveThread();
}

/* Interrupt the running call if the word moved past its baseline. */
static void
check_word(bool from_watchdog)
{
	if (__atomic_load_n(&in_call, __ATOMIC_SEQ_CST) &&
		__atomic_load_n(seq_word, __ATOMIC_SEQ_CST) !=
		__atomic_load_n(&baseline, __ATOMIC_SEQ_CST))
	{
		__atomic_store_n(&interrupted, 1, __ATOMIC_SEQ_CST);
		deliver(from_watchdog);
	}
}

static void *
watchdog_main(void *arg)
{
	uint32_t	abi;

	(void) arg;
	if (pls_confine_privileges(thread_err, sizeof(thread_err)) != 0)
	{
		__atomic_store_n(&thread_state, -1, __ATOMIC_SEQ_CST);
		futex((volatile uint32_t *) &thread_state, FUTEX_WAKE_PRIVATE, 1);
		return NULL;
	}
	(void) pls_confine_landlock(&abi);
	__atomic_store_n(&thread_state, 1, __ATOMIC_SEQ_CST);
	futex((volatile uint32_t *) &thread_state, FUTEX_WAKE_PRIVATE, 1);

	for (;;)
	{
		uint32_t	seen = __atomic_load_n(seq_word, __ATOMIC_SEQ_CST);

		check_word(true);
		/* EAGAIN (moved since), EINTR: look again */
		(void) futex(seq_word, FUTEX_WAIT, seen);
	}
	return NULL;
}

/*
 * Start the watchdog on the channel's interrupt word.  Python must be
 * running (the exception type is made here) and the process not locked in
 * yet.  Returns 0 once the thread has locked itself in and waits, or -1
 * with a message in err.
 */
int
pls_watchdog_start(volatile uint32_t *interrupt_seq, char *err, size_t errlen)
{
	pthread_attr_t attr;
	pthread_t	thread;
	int			rc;

	seq_word = interrupt_seq;
	/* the interpreter's own class when there is one: pyerror.c knows it */
	if (pls_current != NULL && pls_current->exc_interrupted != NULL)
		exc_interrupted = Py_NewRef(pls_current->exc_interrupted);
	else
		exc_interrupted = PyErr_NewException("plsafepy.Interrupted",
											 PyExc_BaseException, NULL);
	/* the thread's own state, to take the GIL with (see deliver) */
	gil_tstate = PyThreadState_New(PyInterpreterState_Main());
	if (exc_interrupted == NULL || gil_tstate == NULL)
	{
		pls_worker_exception_text(err, errlen);
		return -1;
	}

	if (pthread_attr_init(&attr) != 0)
	{
		snprintf(err, errlen, "could not start the watchdog thread");
		return -1;
	}
	rc = pthread_attr_setstacksize(&attr, PLS_WATCHDOG_STACK);
	if (rc == 0)
		rc = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (rc == 0)
		rc = pthread_create(&thread, &attr, watchdog_main, NULL);
	pthread_attr_destroy(&attr);
	if (rc != 0)
	{
		snprintf(err, errlen, "could not start the watchdog thread: %s",
				 strerror(rc));
		return -1;
	}

	/*
	 * Wait until it waits: glibc's thread start-up (signal mask, rseq,
	 * robust list) must be over before the seccomp filter reaches it.
	 */
	while (__atomic_load_n(&thread_state, __ATOMIC_SEQ_CST) == 0)
		futex((volatile uint32_t *) &thread_state, FUTEX_WAIT_PRIVATE, 0);
	if (thread_state < 0)
	{
		snprintf(err, errlen, "watchdog thread: %s", thread_err);
		return -1;
	}
	return 0;
}

/* A call starts: interrupts from now on are for it. */
void
pls_watchdog_call_begin(void)
{
	__atomic_store_n(&interrupted, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&baseline, __atomic_load_n(seq_word, __ATOMIC_SEQ_CST),
					 __ATOMIC_SEQ_CST);
	__atomic_store_n(&in_call, 1, __ATOMIC_SEQ_CST);
	/* a raise before in_call was set found no call: look ourselves */
	check_word(false);
}

/* The call is over: nothing more is raised in it. */
void
pls_watchdog_call_end(void)
{
	__atomic_store_n(&in_call, 0, __ATOMIC_SEQ_CST);
}

/*
 * Has the backend raised the word during the running call?  For long
 * conversions in C (encode.c, value_py.c), which run no bytecode and so no
 * pending call: they stop themselves (pyhost.h's interrupt hook).
 */
bool
pls_watchdog_pending(void)
{
	if (!__atomic_load_n(&in_call, __ATOMIC_SEQ_CST) ||
		__atomic_load_n(seq_word, __ATOMIC_SEQ_CST) ==
		__atomic_load_n(&baseline, __ATOMIC_SEQ_CST))
		return false;
	__atomic_store_n(&interrupted, 1, __ATOMIC_SEQ_CST);
	return true;
}

/* Did an interrupt stop the call that ended last (or runs)? */
bool
pls_watchdog_interrupted(void)
{
	return __atomic_load_n(&interrupted, __ATOMIC_SEQ_CST) != 0;
}
