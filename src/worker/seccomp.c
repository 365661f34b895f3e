/*-------------------------------------------------------------------------
 *
 * seccomp.c
 *	  The worker's system call allowlist (seccomp-bpf, built with
 *	  libseccomp) and the SIGSYS handler that reports a refused call.
 *
 * Installed last, after Python has started and imported everything it
 * needs, and before any untrusted code runs.  Every call not allowed below
 * is refused before it runs; the worker then dies:
 *
 * Default action: SECCOMP_RET_TRAP, not KILL_PROCESS.  Both stop the call
 * before it runs; TRAP also delivers SIGSYS to the worker with the call's
 * number in siginfo (si_syscall), which nothing else gives the backend (the
 * kernel's audit log is not readable by postgres).  The handler writes a
 * fixed-size report (PlsSigsysReport) on the channel's socket with one
 * write(2) and then makes a call the filter refuses: SIGSYS is blocked
 * inside its own handler, so the kernel forces it with the default action
 * and the worker dies of SIGSYS, as the backend's waitpid() sees.  A
 * worker whose attacker has taken control of its memory could steer the
 * handler (or block SIGSYS, which only makes the kernel kill at once), but
 * the refused call never ran either way: TRAP gives it nothing KILL would
 * not, and the backend believes the report only as a number in range and
 * only when the kernel says the worker died of SIGSYS.  Calls made in
 * another architecture's convention (int 0x80 on x86_64) kill the process
 * outright (SCMP_FLTATR_ACT_BADARCH).
 *
 * The allowlist, each with why CPython (or the channel) needs it; checked
 * by test/worker.sh, which runs the 28 reviewed modules' work under it:
 *	- mmap: only anonymous private mappings without PROT_EXEC: malloc and
 *	  obmalloc's arenas.  No file mappings (no descriptor could serve one
 *	  anyway), no shared mappings, no executable memory.
 *	- mprotect: without PROT_EXEC: glibc's malloc commits heap pages of
 *	  its mmapped arenas this way.  Nothing can become executable.
 *	- munmap, mremap (realloc of large blocks), brk (the main heap).
 *	- madvise: MADV_DONTNEED and MADV_FREE only, what glibc's malloc uses
 *	  to return memory.
 *	- futex: FUTEX_WAIT, FUTEX_WAKE and their BITSET forms (with or without
 *	  the private and realtime-clock flags): the channel's wake-ups, and
 *	  glibc's locks.  Not the PI and requeue operations, the source of
 *	  past kernel exploits.
 *	- write: on the channel's socket only: the SIGSYS report.  The channel
 *	  itself is shared memory and needs no call.
 *	- recvfrom: on the channel's socket only, with exactly MSG_PEEK |
 *	  MSG_DONTWAIT: the liveness check (EOF: the backend is gone).
 *	- getrandom: os.urandom (uuid4, random's seeding).
 *	- clock_gettime: the channel's spin and timeouts and datetime/time read
 *	  the clock through the vDSO, which makes no system call on most
 *	  clocks; the kernel is called for the others (CPU-time clocks, or when
 *	  the clock source has no vDSO support).
 *	- exit_group: the worker's _exit.
 * Not allowed, though often listed for such sandboxes: read (nothing is
 * read from a descriptor after start-up), rt_sigreturn (no signal handler
 * returns: the only one, for SIGSYS, never does; it is also what
 * sigreturn-oriented programming needs), rt_sigprocmask and sigaltstack
 * (no caller), exit (the one thread besides the main one, the watchdog,
 * never ends), clock_nanosleep (no sleeping).
 *
 * The filter is installed with TSYNC: it applies to every thread of the
 * worker, the watchdog (watchdog.c) included, which was started before
 * lock-down and needs only futex afterwards.
 *
 *-------------------------------------------------------------------------
 */
#include "worker/worker.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/futex.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>

static void
sigsys_handler(int sig, siginfo_t *info, void *ucontext)
{
	PlsSigsysReport rep;

	memset(&rep, 0, sizeof(rep));
	rep.magic = PLS_SIGSYS_MAGIC;
	rep.syscall_nr = info->si_syscall;
	rep.arch = info->si_arch;
	(void) write(PLS_CHAN_FD, &rep, sizeof(rep));

	/* refused (SIGSYS is blocked here): the kernel kills us with SIGSYS */
	(void) syscall(SYS_getpid);
	_exit(128 + SIGSYS);
}

static int
add(scmp_filter_ctx ctx, int nr, unsigned int count, ...)
{
	struct scmp_arg_cmp args[4];
	va_list		ap;
	unsigned int i;

	va_start(ap, count);
	for (i = 0; i < count && i < 4; i++)
		args[i] = va_arg(ap, struct scmp_arg_cmp);
	va_end(ap);
	return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, count, args);
}

int
pls_seccomp_install(char *err, size_t errlen)
{
	static const int futex_ops[] = {
		FUTEX_WAIT, FUTEX_WAKE, FUTEX_WAIT_BITSET, FUTEX_WAKE_BITSET
	};
	static const int madvise_ok[] = {MADV_DONTNEED, MADV_FREE};
	struct sigaction sa;
	scmp_filter_ctx ctx;
	int			rc = 0;
	size_t		i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sigsys_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) != 0)
	{
		snprintf(err, errlen, "could not install the SIGSYS handler: %s",
				 strerror(errno));
		return -1;
	}

	ctx = seccomp_init(SCMP_ACT_TRAP);
	if (ctx == NULL)
	{
		snprintf(err, errlen, "could not initialise the system call filter");
		return -1;
	}
	rc |= seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
						   SCMP_ACT_KILL_PROCESS);
	/* every thread: the watchdog (watchdog.c) exists already */
	rc |= seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);

	rc |= add(ctx, SCMP_SYS(mmap), 2,
			  SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0),
			  SCMP_A3(SCMP_CMP_MASKED_EQ, MAP_ANONYMOUS | MAP_TYPE,
					  MAP_ANONYMOUS | MAP_PRIVATE));
	rc |= add(ctx, SCMP_SYS(mprotect), 1,
			  SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	rc |= add(ctx, SCMP_SYS(munmap), 0);
	rc |= add(ctx, SCMP_SYS(mremap), 0);
	rc |= add(ctx, SCMP_SYS(brk), 0);
	for (i = 0; i < sizeof(madvise_ok) / sizeof(madvise_ok[0]); i++)
		rc |= add(ctx, SCMP_SYS(madvise), 1,
				  SCMP_A2(SCMP_CMP_EQ, madvise_ok[i]));
	/* the command is the low 7 bits; the kernel rejects others set above */
	for (i = 0; i < sizeof(futex_ops) / sizeof(futex_ops[0]); i++)
		rc |= add(ctx, SCMP_SYS(futex), 1,
				  SCMP_A1(SCMP_CMP_MASKED_EQ, 0x7f, futex_ops[i]));
	rc |= add(ctx, SCMP_SYS(write), 1, SCMP_A0(SCMP_CMP_EQ, PLS_CHAN_FD));
	rc |= add(ctx, SCMP_SYS(recvfrom), 2,
			  SCMP_A0(SCMP_CMP_EQ, PLS_CHAN_FD),
			  SCMP_A3(SCMP_CMP_EQ, MSG_PEEK | MSG_DONTWAIT));
	rc |= add(ctx, SCMP_SYS(getrandom), 0);
	rc |= add(ctx, SCMP_SYS(clock_gettime), 0);
	rc |= add(ctx, SCMP_SYS(exit_group), 0);

	if (rc != 0)
	{
		seccomp_release(ctx);
		snprintf(err, errlen, "could not build the system call filter");
		return -1;
	}
	rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc != 0)
	{
		snprintf(err, errlen, "could not load the system call filter: %s",
				 strerror(-rc));
		return -1;
	}
	return 0;
}
