/*-------------------------------------------------------------------------
 *
 * worker_launch.c
 *	  Starting and ending a plsafepy-worker from the backend: the channel's
 *	  shared segment (a sealed memfd: the worker can open nothing once it is
 *	  locked in, so the backend makes it), the socketpair, fork and exec of
 *	  a fresh image, the wait for the worker's HELLO (a separate step: the
 *	  worker locks itself in only after the backend's INIT), and how it
 *	  died.
 *
 * Used by the backend's pool of workers (worker_pool.c); the test driver
 * and the channel benchmark use it as it is, so it includes no PostgreSQL header and
 * reports failures in a caller's buffer; the backend turns them into
 * ereport()s.
 *
 * Between fork and exec the child runs only async-signal-safe system calls
 * (never PostgreSQL code, never malloc): the parent blocks every signal
 * around the fork, so no backend signal handler can run in the child, and
 * the child
 *	- resets every signal disposition to SIG_DFL (SIG_IGN would survive
 *	  exec) and, just before exec, empties its signal mask;
 *	- asks for SIGKILL when its parent dies (PR_SET_PDEATHSIG, kept across
 *	  exec) and checks the parent did not die before that;
 *	- calls setsid(): a backend is a process-group leader and the postmaster
 *	  and pg_signal_backend() signal its whole group (SIGHUP on every
 *	  configuration reload, SIGINT for pg_cancel_backend, SIGUSR1...); the
 *	  worker must not die of a reload or take a cancel as its own.  The
 *	  backend alone decides when its worker ends, and the worker dies with
 *	  it (PDEATHSIG; and the worker exits when the channel's socket closes);
 *	- moves its end of the socketpair to PLS_CHAN_FD and closes every other
 *	  descriptor, standard ones included (close_range where the kernel has
 *	  it): a backend holds relation files, WAL segments, the client socket
 *	  and the log;
 *	- execs the worker with an empty environment.
 * fork is glibc's _Fork where it exists: it runs no pthread_atfork
 * handlers of libraries loaded into the backend.
 *
 * Everything the worker sends is hostile: its HELLO is checked for length
 * and content, its error text is cut to the buffer and stripped to
 * printable ASCII, and its SIGSYS report is believed only when the kernel
 * says it died of SIGSYS, and then only as a number within bounds.
 *
 *-------------------------------------------------------------------------
 */
#include "worker_launch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/audit.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#if defined(__x86_64__)
#define PLS_NATIVE_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define PLS_NATIVE_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "plsafepy-worker: unsupported architecture"
#endif

/* The highest system call number a report may name (x86_64 has ~460). */
#define PLS_MAX_SYSCALL_NR 4096

/* The child: async-signal-safe system calls only, then exec. */
static void
exec_worker(const char *path, char *const argv[], int chan_fd, pid_t parent,
			int max_fd)
{
	static char *const empty_env[] = {NULL};
	struct sigaction dfl;
	sigset_t	none;
	int			sig;
	int			fd;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (sig = 1; sig < NSIG; sig++)
		(void) sigaction(sig, &dfl, NULL);	/* SIGKILL, SIGSTOP: EINVAL */

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(127);
	(void) setsid();

	if (chan_fd != PLS_CHAN_FD)
	{
		if (dup2(chan_fd, PLS_CHAN_FD) != PLS_CHAN_FD)
			_exit(127);
	}
	else if (fcntl(chan_fd, F_SETFD, 0) != 0)
		_exit(127);
	for (fd = 0; fd < PLS_CHAN_FD; fd++)
		(void) close(fd);
	if (syscall(SYS_close_range, PLS_CHAN_FD + 1, ~0U, 0) != 0)
	{
		for (fd = PLS_CHAN_FD + 1; fd < max_fd; fd++)
			(void) close(fd);
	}

	sigemptyset(&none);
	(void) sigprocmask(SIG_SETMASK, &none, NULL);
	execve(path, argv, empty_env);
	_exit(127);
}

static pid_t
fork_without_handlers(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
	return _Fork();
#else
	return fork();
#endif
}

static int
send_fd(int sock, int fd)
{
	struct msghdr msg;
	struct iovec iov;
	char		byte = 0;
	union
	{
		struct cmsghdr hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	}			control;
	struct cmsghdr *cmsg;

	memset(&msg, 0, sizeof(msg));
	memset(&control, 0, sizeof(control));
	iov.iov_base = &byte;
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control.buf;
	msg.msg_controllen = sizeof(control.buf);
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

/* Make the sealed shared segment and map it; -1 with errno on failure. */
static int
make_segment(PlsChanShm **shm)
{
	int			fd;
	void	   *p;

	fd = memfd_create("plsafepy-channel", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -1;
	if (ftruncate(fd, sizeof(PlsChanShm)) != 0 ||
		fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0)
	{
		int			save = errno;

		close(fd);
		errno = save;
		return -1;
	}
	p = mmap(NULL, sizeof(PlsChanShm), PROT_READ | PROT_WRITE, MAP_SHARED,
			 fd, 0);
	if (p == MAP_FAILED)
	{
		int			save = errno;

		close(fd);
		errno = save;
		return -1;
	}
	*shm = p;
	pls_chan_init_shm(*shm);
	return fd;
}

/* Copy hostile text into buf: bounded, printable ASCII only. */
static void
copy_printable(char *buf, size_t buflen, const char *src, size_t srclen)
{
	size_t		i;

	if (buflen == 0)
		return;
	for (i = 0; i < srclen && i + 1 < buflen; i++)
	{
		unsigned char c = (unsigned char) src[i];

		buf[i] = (c >= 0x20 && c < 0x7f) ? (char) c : '?';
	}
	buf[i] = '\0';
}

static void
fill_exit(PlsWorker *w, int status, PlsWorkerExit *how)
{
	PlsSigsysReport rep;

	how->exited = WIFEXITED(status) ? 1 : 0;
	how->code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
	how->signo = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	how->syscall_nr = -1;
	if (how->signo == SIGSYS &&
		recv(w->sock, &rep, sizeof(rep), MSG_DONTWAIT) == sizeof(rep) &&
		rep.magic == PLS_SIGSYS_MAGIC && rep.arch == PLS_NATIVE_AUDIT_ARCH &&
		rep.syscall_nr >= 0 && rep.syscall_nr < PLS_MAX_SYSCALL_NR)
		how->syscall_nr = rep.syscall_nr;
}

static void
release(PlsWorker *w)
{
	if (w->shm)
		munmap(w->shm, sizeof(PlsChanShm));
	w->shm = NULL;
	if (w->sock >= 0)
		close(w->sock);
	w->sock = -1;
}

/*
 * Start a worker: path is the plsafepy-worker program.  On success returns 0
 * once the worker runs and holds the channel; it has not locked itself in
 * yet: it waits for its INIT, and pls_worker_await_hello() then waits for
 * its HELLO.  On failure returns -1 with a message in errbuf, everything
 * released and the worker (if one was started) ended; if death is not NULL
 * it tells how the worker ended (death->exited == -1: no worker ran).
 */
int
pls_worker_start(PlsWorker *w, const char *path, const PlsWorkerOptions *opts,
				 char *errbuf, size_t errlen, PlsWorkerExit *death)
{
	char		limit_arg[64];
	char	   *argv[3];
	int			sv[2];
	int			memfd;
	int			max_fd;
	struct rlimit rl;
	sigset_t	all;
	sigset_t	old;
	pid_t		parent = getpid();
	pid_t		pid;
	PlsWorkerExit how;
	int			rc;

	memset(w, 0, sizeof(*w));
	w->sock = -1;
	how.exited = -1;
	how.code = how.signo = 0;
	how.syscall_nr = -1;
	if (death)
		*death = how;

	memfd = make_segment(&w->shm);
	if (memfd < 0)
	{
		snprintf(errbuf, errlen, "could not create the channel segment: %s",
				 strerror(errno));
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
	{
		snprintf(errbuf, errlen, "could not create the channel socket: %s",
				 strerror(errno));
		close(memfd);
		release(w);
		return -1;
	}
	w->sock = sv[0];

	/* everything the child needs is made before the fork */
	snprintf(limit_arg, sizeof(limit_arg), "--memory-limit=%llu",
			 (unsigned long long) opts->memory_limit);
	argv[0] = (char *) path;
	argv[1] = limit_arg;
	argv[2] = NULL;
	max_fd = 65536;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
		rl.rlim_cur < (rlim_t) max_fd)
		max_fd = (int) rl.rlim_cur;

	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = fork_without_handlers();
	if (pid == 0)
		exec_worker(path, argv, sv[1], parent, max_fd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(sv[1]);
	if (pid < 0)
	{
		snprintf(errbuf, errlen, "could not fork the worker: %s",
				 strerror(errno));
		close(memfd);
		release(w);
		return -1;
	}
	w->pid = pid;

	rc = send_fd(w->sock, memfd);
	close(memfd);
	if (rc != 0 || pls_chan_attach(&w->chan, w->shm, w->sock,
								   PLS_CHAN_BACKEND) != PLS_CHAN_OK)
	{
		pls_worker_end(w, &how);
		if (death)
			*death = how;
		snprintf(errbuf, errlen, "could not hand the channel to the worker");
		return -1;
	}
	return 0;
}

static void *
malloc_alloc(void *cx, size_t size)
{
	return malloc(size);
}

static void *
malloc_realloc(void *cx, void *p, size_t size)
{
	return realloc(p, size);
}

static void
malloc_free(void *cx, void *p)
{
	free(p);
}

/* Wire memory for programs other than the backend (test driver, bench). */
const PlsWireMem pls_wire_malloc_mem = {
	malloc_alloc, malloc_realloc, malloc_free, NULL
};

/*
 * Send a started worker its INIT (what it builds its interpreter from);
 * mem allocates the encoding.  Returns a PLS_CHAN_* code; anything but
 * PLS_CHAN_OK leaves the channel unusable: the caller ends the worker.
 */
int
pls_worker_init(PlsWorker *w, const PlsWireInit *init, const PlsWireMem *mem,
				int timeout_ms)
{
	PlsWireBuf	buf;
	int			rc;

	pls_wire_buf_init(&buf, mem);
	pls_wire_put_init(&buf, init);
	rc = buf.failed ? PLS_CHAN_TOOBIG :
		pls_wire_send(&w->chan, PLS_MSG_INIT, &buf, timeout_ms);
	pls_wire_buf_free(&buf);
	return rc;
}

/*
 * Wait up to timeout_ms for a started worker's HELLO (it is locked in), or
 * an ERROR, or its death.  Returns 0 with the HELLO in w->hello; 1 if
 * nothing came yet (a signal or the timeout: the caller may wait again);
 * -1 with a message in errbuf and the worker ended (death as for
 * pls_worker_start).  A worker whose HELLO lacks the system call filter is
 * refused.
 */
int
pls_worker_await_hello(PlsWorker *w, int timeout_ms, char *errbuf,
					   size_t errlen, PlsWorkerExit *death)
{
	PlsWorkerExit how;
	int			rc;
	uint32_t	tag;
	uint32_t	len;
	char		msg[512];

	rc = pls_chan_recv(&w->chan, &tag, msg, sizeof(msg), &len, timeout_ms);
	if (rc == PLS_CHAN_INTR || rc == PLS_CHAN_TIMEOUT)
		return 1;

	if (rc == PLS_CHAN_OK && tag == PLS_MSG_HELLO && len == sizeof(PlsHello))
	{
		memcpy(&w->hello, msg, sizeof(PlsHello));
		if (w->hello.walls & PLS_WALL_SECCOMP)
			return 0;
		snprintf(errbuf, errlen,
				 "the worker started without its system call filter");
	}
	else if (rc == PLS_CHAN_OK && tag == PLS_MSG_ERROR)
	{
		char		text[256];

		copy_printable(text, sizeof(text), msg, len);
		snprintf(errbuf, errlen, "the worker failed to start: %s", text);
	}
	else if (rc == PLS_CHAN_OK)
		snprintf(errbuf, errlen, "the worker sent an unexpected message");
	else if (rc == PLS_CHAN_DEAD)
		snprintf(errbuf, errlen, "the worker ended during start-up");
	else
		snprintf(errbuf, errlen, "no answer from the worker: %s",
				 pls_chan_strerror(rc));

	/* a worker that died by itself is reaped as it is: SIGKILL changes nothing */
	pls_worker_end(w, &how);
	if (death)
		*death = how;
	if (rc == PLS_CHAN_DEAD)
	{
		size_t		used = strlen(errbuf);

		if (used < errlen)
			pls_worker_describe_exit(&how, errbuf + used, errlen - used);
	}
	return -1;
}

/* End a worker now (SIGKILL), reap it and release the channel. */
void
pls_worker_end(PlsWorker *w, PlsWorkerExit *how)
{
	int			status;

	if (w->pid > 0)
	{
		(void) kill(w->pid, SIGKILL);
		while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
			;
		fill_exit(w, status, how);
		w->pid = 0;
	}
	release(w);
}

/*
 * Wait up to timeout_ms for a worker to end by itself; when it has, fill
 * *how, release the channel and return 0; otherwise return -1.
 */
int
pls_worker_reap(PlsWorker *w, int timeout_ms, PlsWorkerExit *how)
{
	int			status;
	int			waited = 0;

	for (;;)
	{
		pid_t		r = waitpid(w->pid, &status, WNOHANG);

		if (r == w->pid)
			break;
		if (r < 0 && errno != EINTR)
			return -1;
		if (waited >= timeout_ms)
			return -1;
		usleep(1000);
		waited++;
	}
	fill_exit(w, status, how);
	w->pid = 0;
	release(w);
	return 0;
}

/* ", killed by signal 31 (system call 257 refused)" and the like. */
void
pls_worker_describe_exit(const PlsWorkerExit *how, char *buf, size_t len)
{
	if (how->exited == 1)
		snprintf(buf, len, ": exited with code %d", how->code);
	else if (how->exited == 0 && how->syscall_nr >= 0)
		snprintf(buf, len, ": killed by signal %d (system call %d refused)",
				 how->signo, how->syscall_nr);
	else if (how->exited == 0)
		snprintf(buf, len, ": killed by signal %d", how->signo);
	else if (len > 0)
		buf[0] = '\0';
}
