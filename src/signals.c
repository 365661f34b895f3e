/*-------------------------------------------------------------------------
 *
 * signals.c
 *	  Every piece of plsafepy code that runs in signal context, in one place
 *	  and under one set of rules: the interrupt handler chained onto
 *	  PostgreSQL's (SIGINT, SIGTERM, SIGALRM, SIGUSR1), the grace timer's
 *	  handler and the SIGSEGV tripwire; their per-backend set-up; and the
 *	  exit context the two escalations leave signal context for.
 *
 * Rules for code that runs in a signal handler (everything reachable from
 * interrupt_handler, grace_handler and segv_handler):
 *	1. No ereport/elog, no palloc or malloc, no stdio, no Python code, no
 *	   PostgreSQL function except the handler we chain onto.
 *	2. System calls only from POSIX's async-signal-safe list
 *	   (timer_settime, setcontext's sigprocmask, signal).
 *	3. State shared with normal code is volatile sig_atomic_t, or written
 *	   only before the handlers are installed.
 *	4. One CPython function, Py_AddPendingCall, and only while
 *	   pls_delivery_open is set.  Normal code sets it only when the running
 *	   thread state is pls_current's (so the call lands in the interpreter
 *	   that is running) and no call of ours is queued there (the
 *	   interpreter's pending-call lock, which Py_AddPendingCall takes, is
 *	   held by the interrupted code only while it pops a queued call).  The
 *	   handler clears the flag before queueing.  The grace timer is armed
 *	   first, so even a queueing that could not complete ends within the
 *	   grace period (see grace_handler).
 *	5. A handler leaves signal context other than by returning only through
 *	   leave_for_exit(), and only when the interrupted instruction is
 *	   inside libpython or an extension module (so no libc, dynamic loader
 *	   or PostgreSQL state can be half-updated) and no critical section is
 *	   open.  From then on no Python runs in this process
 *	   (pls_python_abandoned).
 *	6. errno is saved and restored.
 *
 * Why the escalations end the backend with proc_exit(1), from normal
 * context, and not with _exit: the postmaster treats a backend that exits
 * with a status other than 0 or 1 as crashed, and also one that exits with
 * 1 without having run its shared-memory exit callbacks (ProcKill marks its
 * child slot inactive; a slot still active is a crash to the postmaster).
 * Either way every session is killed and crash recovery runs.  So the
 * handler does not end the process: it switches to a context prepared at
 * set-up (its own stack, the interrupted code's signal mask), in which
 * pls_exit_after_escalation() (limits.c) logs the FATAL and proc_exit runs
 * the usual clean-up.  The interrupted Python code is abandoned, not
 * unwound.
 *
 *-------------------------------------------------------------------------
 */
#include "plsafepy.h"

#include <link.h>
#include <signal.h>
#include <sys/resource.h>
#include <time.h>
#include <ucontext.h>

#include "miscadmin.h"
#include "utils/memutils.h"

/* ---------- state shared with normal code ---------- */

volatile sig_atomic_t pls_limits_active = 0;
volatile sig_atomic_t pls_python_abandoned = 0;
volatile sig_atomic_t pls_delivery_open = 0;
volatile sig_atomic_t pls_grace_armed = 0;
volatile sig_atomic_t pls_escalation_due = 0;
volatile sig_atomic_t pls_interrupt_held = 0;
volatile sig_atomic_t pls_escalation_kind = PLS_ESCALATE_NONE;

/* Set while interrupt_handler is inside Py_AddPendingCall. */
static volatile sig_atomic_t in_delivery = 0;

/* ---------- set-up state (written before the handlers exist) ---------- */

static bool backend_ready = false;
static bool timer_ok = false;
static timer_t grace_timer;

/* The handlers we chained onto, by signal number. */
static const int chained_signals[] = {SIGINT, SIGTERM, SIGALRM, SIGUSR1};
static pqsigfunc prev_handler[NSIG];

/* Re-check this often while the escalation waits for a safe point. */
#define GRACE_RETRY_MS 5

/* Executable ranges of libc, ld.so, postgres and plsafepy: not safe. */
#define MAX_UNSAFE_RANGES 32
typedef struct CodeRange
{
	uintptr_t	start;
	uintptr_t	end;
} CodeRange;
static CodeRange unsafe_ranges[MAX_UNSAFE_RANGES];
static int	n_unsafe_ranges = 0;

/*
 * Executable ranges of libpython, extension modules and libexpat (which
 * pyexpat calls; it holds no lock of libc's or PostgreSQL's either): the
 * tripwire.
 */
#define MAX_PYTHON_RANGES 256
static CodeRange python_ranges[MAX_PYTHON_RANGES];
static volatile sig_atomic_t n_python_ranges = 0;

/* The SIGSEGV tripwire's alternate stack, and where the C stack lies. */
#define ALTSTACK_SIZE (256 * 1024)
static uintptr_t stack_rlimit = 8 * 1024 * 1024;
static uintptr_t main_stack_base = 0;
static bool segv_installed = false;

/* The exit context: proc_exit may need PostgreSQL's whole stack depth. */
#define EXIT_STACK_SIZE (4 * 1024 * 1024)
static ucontext_t exit_context;
static bool exit_context_ok = false;

/* ---------- helpers callable from signal context ---------- */

/*
 * Python entered while PostgreSQL holds interrupts is cleanup code: a
 * generator's finally or a finalizer run by a memory context reset during
 * transaction or subtransaction abort (user functions are never called
 * with interrupts held).  statement_timeout is already off by then, and
 * PostgreSQL itself would not act on a cancel, so such code is stopped at
 * its first loop or call, and escalated like any runaway.
 */
bool
pls_in_cleanup(void)
{
	return InterruptHoldoffCount > 0 && pls_limits_active > 0;
}

/*
 * Whether running Python must stop now.  Holdoff counts are ignored on
 * purpose: stopping Python is always right; whether PostgreSQL acts on the
 * interrupt once back in C is its own decision.  Reads flags only.
 */
bool
pls_interrupt_wanted(void)
{
	return ProcDiePending || QueryCancelPending || ClientConnectionLost ||
		pls_interrupt_held || pls_in_cleanup();
}

/* timer_settime is async-signal-safe. */
void
pls_grace_arm(int ms)
{
	struct itimerspec its;

	if (!timer_ok)
		return;
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = ms / 1000;
	its.it_value.tv_nsec = (long) (ms % 1000) * 1000000L;
	if (ms <= 0)
		its.it_value.tv_nsec = 1;
	pls_grace_armed = 1;
	(void) timer_settime(grace_timer, 0, &its, NULL);
}

void
pls_grace_disarm(void)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	pls_grace_armed = 0;
	pls_escalation_due = 0;
	if (timer_ok)
		(void) timer_settime(grace_timer, 0, &its, NULL);
}

/*
 * Queue the interrupt's pending call in the running interpreter, if
 * delivery is open (rule 4).
 */
static void
queue_from_handler(void)
{
	PLSInterp  *interp = pls_current;

	if (!pls_delivery_open || interp == NULL)
		return;
	pls_delivery_open = 0;
	interp->interrupt_queued = 1;
	in_delivery = 1;
	if (Py_AddPendingCall(pls_interrupt_pending_call, NULL) < 0)
		interp->interrupt_queued = 0;
	in_delivery = 0;
}

static void
interrupt_handler(SIGNAL_ARGS)
{
	int			save_errno = errno;
	pqsigfunc	prev = NULL;

	if (postgres_signal_arg > 0 && postgres_signal_arg < NSIG)
		prev = prev_handler[postgres_signal_arg];
	if (prev != NULL)
		prev(postgres_signal_arg);

	if (pls_limits_active > 0 && !pls_python_abandoned)
	{
		if (pls_interrupt_wanted())
		{
			/* first the grace timer, then the delivery (rule 4) */
			if (!pls_grace_armed)
				pls_grace_arm(pls_interrupt_grace_ms);
			queue_from_handler();
		}
		else if (CheckClientConnectionPending)
			queue_from_handler();	/* the socket check is the call's */
	}

	errno = save_errno;
}

static void
interrupted_pc_sp(void *ucv, uintptr_t *pc, uintptr_t *sp)
{
	ucontext_t *uc = (ucontext_t *) ucv;

	*pc = 0;
	*sp = 0;
	if (uc == NULL)
		return;
#if defined(__x86_64__)
	*pc = (uintptr_t) uc->uc_mcontext.gregs[REG_RIP];
	*sp = (uintptr_t) uc->uc_mcontext.gregs[REG_RSP];
#elif defined(__aarch64__)
	*pc = (uintptr_t) uc->uc_mcontext.pc;
	*sp = (uintptr_t) uc->uc_mcontext.sp;
#endif
}

static bool
in_ranges(const CodeRange *r, int n, uintptr_t pc)
{
	for (int i = 0; i < n; i++)
		if (pc >= r[i].start && pc < r[i].end)
			return true;
	return false;
}

/*
 * Leave signal context for the exit context, with the interrupted code's
 * signal mask (rule 5).  Python is abandoned first: nothing may run it
 * again, on any path (transaction clean-up, finalizers, a generator's
 * finally).  Returns only if there is no exit context.
 */
static void
leave_for_exit(ucontext_t *uc, int kind)
{
	if (!exit_context_ok)
		return;
	pls_python_abandoned = 1;
	pls_delivery_open = 0;
	pls_limits_active = 0;
	pls_escalation_kind = kind;
	if (uc != NULL)
		exit_context.uc_sigmask = uc->uc_sigmask;
	(void) setcontext(&exit_context);
}

/*
 * The grace period is over.  If the interrupted instruction is in Python's
 * code (rule 5), leave for the exit context; otherwise note that the
 * escalation is due (the pending call acts on it if the eval loop is
 * reached first) and look again shortly.  The one exception to the
 * instruction test: the interrupted code is our own interrupt_handler
 * waiting in Py_AddPendingCall, which can only be for the pending-call lock
 * held by CPython code that was popping a call (rule 4): no libc or
 * PostgreSQL state is half-updated there either.
 */
static void
grace_handler(int signo, siginfo_t *info, void *ucv)
{
	int			save_errno = errno;
	uintptr_t	pc,
				sp;

	pls_grace_armed = 0;
	if (pls_limits_active <= 0 || pls_python_abandoned ||
		!pls_interrupt_wanted())
	{
		errno = save_errno;
		return;
	}

	interrupted_pc_sp(ucv, &pc, &sp);
	if (in_delivery ||
		(CritSectionCount == 0 && pc != 0 &&
		 !in_ranges(unsafe_ranges, n_unsafe_ranges, pc)))
		leave_for_exit((ucontext_t *) ucv,
					   pls_in_cleanup() ? PLS_ESCALATE_CLEANUP : PLS_ESCALATE_GRACE);

	pls_escalation_due = 1;
	pls_grace_arm(GRACE_RETRY_MS);
	errno = save_errno;
}

/*
 * Deep C recursion that CPython 3.11 does not count (hash() of a tuple
 * nested a million deep, next() through a million nested map/filter/zip/
 * enumerate/itertools.chain objects) overflows the C stack with a SIGSEGV,
 * which would take the whole cluster through crash recovery.  No check can
 * see it coming, so the fault itself is caught, on an alternate stack:
 * when plsafepy's Python is running, the faulting address is in the guard
 * region next to the stack pointer and the faulting instruction is inside
 * libpython or an extension module, the backend leaves for the exit
 * context (rule 5).  Any other SIGSEGV gets the default action.
 */
static void
segv_handler(int signo, siginfo_t *info, void *ucv)
{
	uintptr_t	addr = (uintptr_t) info->si_addr;
	uintptr_t	base = main_stack_base;
	uintptr_t	pc,
				sp;

	interrupted_pc_sp(ucv, &pc, &sp);
	if (pls_current != NULL && !pls_python_abandoned && pc != 0 &&
		base != 0 && addr < base && addr + stack_rlimit + 1024 * 1024 > base &&
		addr + 65536 > sp && in_ranges(python_ranges, n_python_ranges, pc))
		leave_for_exit((ucontext_t *) ucv, PLS_ESCALATE_C_STACK);

	/* Not a stack overflow of sandboxed code: the default action. */
	signal(SIGSEGV, SIG_DFL);
}

/* ---------- set-up (normal context) ---------- */

/* The exit context's entry: normal code from here on (limits.c). */
static void
exit_context_main(void)
{
	/* PostgreSQL's stack checks measure the stack we now run on. */
	(void) set_stack_base();
	pls_exit_after_escalation();
}

static void
prepare_exit_context(void)
{
	if (exit_context_ok)
		return;
	if (getcontext(&exit_context) != 0)
		return;
	exit_context.uc_stack.ss_sp = MemoryContextAlloc(TopMemoryContext,
													 EXIT_STACK_SIZE);
	exit_context.uc_stack.ss_size = EXIT_STACK_SIZE;
	exit_context.uc_link = NULL;
	makecontext(&exit_context, exit_context_main, 0);
	exit_context_ok = true;
}

/* Record the executable segments of libc, ld.so, postgres and plsafepy. */
static int
collect_unsafe_range(struct dl_phdr_info *info, size_t size, void *data)
{
	const char *name = info->dlpi_name ? info->dlpi_name : "";
	bool		unsafe;

	unsafe = (name[0] == '\0' ||	/* the main program: postgres */
			  strstr(name, "/libc.so") != NULL ||
			  strstr(name, "/libc-") != NULL ||
			  strstr(name, "ld-linux") != NULL ||
			  strstr(name, "/ld-") != NULL ||
			  strstr(name, "plsafepy") != NULL);
	if (!unsafe)
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++)
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
 * Per-backend set-up: chaining onto PostgreSQL's handlers and the grace
 * timer (POSIX timers are not inherited across fork, and the postmaster's
 * handlers are not a backend's), and the exit context.
 */
void
pls_signals_backend_setup(void)
{
	struct sigaction sa;
	struct sigevent sev;
	int			grace_signo = SIGRTMIN + 3;

	if (backend_ready)
		return;
	backend_ready = true;

	prepare_exit_context();

	for (int i = 0; i < lengthof(chained_signals); i++)
	{
		int			signo = chained_signals[i];
		pqsigfunc	prev = pqsignal(signo, interrupt_handler);

		if (prev == SIG_ERR || prev == SIG_IGN || prev == SIG_DFL ||
			prev == interrupt_handler)
		{
			/* Nothing of PostgreSQL's to chain onto: leave it as it was. */
			if (prev != SIG_ERR && prev != interrupt_handler)
				pqsignal(signo, prev);
			continue;
		}
		prev_handler[signo] = prev;
	}

	n_unsafe_ranges = 0;
	dl_iterate_phdr(collect_unsafe_range, NULL);

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = grace_handler;
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

bool
pls_signals_backend_ready(void)
{
	return backend_ready;
}

static int
collect_python_code(struct dl_phdr_info *info, size_t size, void *data)
{
	int		   *n = (int *) data;
	const char *name = info->dlpi_name;

	/* libexpat: pyexpat's, whose recursion has no depth limit */
	if (name == NULL || (strstr(name, "libpython3") == NULL &&
						 strstr(name, "/lib-dynload/") == NULL &&
						 strstr(name, "/libexpat.so") == NULL))
		return 0;
	for (int i = 0; i < info->dlpi_phnum && *n < MAX_PYTHON_RANGES; i++)
	{
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		python_ranges[*n].start = info->dlpi_addr + ph->p_vaddr;
		python_ranges[*n].end = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
		(*n)++;
	}
	return 0;
}

/*
 * Where libpython and the extension modules lie; called again after a
 * module may have loaded a new extension library.  The handler reads the
 * count, which is zero while the table is being rewritten.
 */
void
pls_segv_tripwire_refresh(void)
{
	int			n = 0;

	n_python_ranges = 0;
	dl_iterate_phdr(collect_python_code, &n);
	n_python_ranges = n;
}

/*
 * The SIGSEGV tripwire, installed at library load (also in the postmaster
 * under shared_preload_libraries: a forked backend inherits the handler and
 * the alternate stack).  The exit context is prepared here too, since a
 * backend may fault before its first interrupt set-up.
 */
void
pls_segv_tripwire_install(void)
{
	stack_t		ss;
	struct sigaction sa;
	struct rlimit rl;
	pg_stack_base_t pg_base;

	if (segv_installed)
		return;
	/* read stack_base_ptr (static in postgres.c) without changing it */
	pg_base = set_stack_base();
	restore_stack_base(pg_base);
	main_stack_base = (uintptr_t) pg_base;
	if (main_stack_base == 0)
	{
		char		here;

		main_stack_base = (uintptr_t) &here;
	}
	if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		stack_rlimit = (uintptr_t) rl.rlim_cur;
	else
		stack_rlimit = (uintptr_t) 64 * 1024 * 1024;

	prepare_exit_context();

	ss.ss_sp = MemoryContextAlloc(TopMemoryContext, ALTSTACK_SIZE);
	ss.ss_size = ALTSTACK_SIZE;
	ss.ss_flags = 0;
	if (sigaltstack(&ss, NULL) < 0)
	{
		elog(WARNING, "plsafepy: could not install an alternate signal stack: %m");
		return;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = segv_handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, NULL) < 0)
	{
		elog(WARNING, "plsafepy: could not install the SIGSEGV handler: %m");
		return;
	}
	pls_segv_tripwire_refresh();
	segv_installed = true;
}
