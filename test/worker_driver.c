/*
 * test/worker_driver.c: drives a plsafepy-worker for test/worker.sh, through
 * the backend's own launch code (src/worker_launch.c).  Never installed.
 *
 * Usage: worker_driver WORKER [--memory-limit=BYTES] [--unsandboxed] STEP...
 * Starts WORKER (an INIT, then its HELLO), then runs the steps in order, printing one line each:
 *	walls		the walls of the worker's HELLO
 *	fds			the worker's open descriptors (/proc/PID/fd)
 *	root		what the worker's root directory holds (/proc/PID/root)
 *	ping		a PING of 8 bytes: "pong" if echoed exactly
 *	exec:CODE	an EXEC (test-only worker; the production one answers
 *				"ERROR: unsupported request 5"); in CODE, {ppid} is this
 *				program's pid and {shmid} a System V segment it made
 *	close		closes the channel's socket and waits up to 5 s for the
 *				worker to exit
 *	orphan		prints "worker PID" and sleeps until killed
 *	fuzz		plays a hostile worker on a private segment: random reply
 *				heads and frames, checked by pls_chan_recv (and random
 *				tails for pls_chan_send); prints the count of each result
 * When the worker dies, prints how ("died: signal 31 (SIGSYS), system call
 * 257 (openat)") and stops.  Last line: "driver: alive".
 */
#include "worker_launch.h"

#include <dirent.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/shm.h>

static int	shmid = -1;

static void
remove_segment(void)
{
	if (shmid >= 0)
		shmctl(shmid, IPC_RMID, NULL);
}

static void
print_death(const PlsWorkerExit *how)
{
	if (how->exited == 1)
		printf("died: exited with code %d\n", how->code);
	else if (how->syscall_nr >= 0)
	{
		char	   *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE,
															how->syscall_nr);

		printf("died: signal %d (SIG%s), system call %d (%s)\n", how->signo,
			   sigabbrev_np(how->signo), how->syscall_nr,
			   name ? name : "?");
		free(name);
	}
	else
		printf("died: signal %d (SIG%s)\n", how->signo,
			   sigabbrev_np(how->signo) ? sigabbrev_np(how->signo) : "?");
}

/* Replace {ppid} and {shmid} in code. */
static char *
expand(const char *code)
{
	static char out[PLS_CHAN_MAX_PAYLOAD];
	size_t		o = 0;

	while (*code && o + 32 < sizeof(out))
	{
		if (strncmp(code, "{ppid}", 6) == 0)
		{
			o += snprintf(out + o, sizeof(out) - o, "%d", (int) getpid());
			code += 6;
		}
		else if (strncmp(code, "{shmid}", 7) == 0)
		{
			o += snprintf(out + o, sizeof(out) - o, "%d", shmid);
			code += 7;
		}
		else
			out[o++] = *code++;
	}
	out[o] = '\0';
	return out;
}

static void
print_walls(const PlsHello *h)
{
	printf("walls:%s%s%s%s%s%s%s\n",
		   h->walls & PLS_WALL_SECCOMP ? " seccomp" : "",
		   h->walls & PLS_WALL_USERNS ? " userns" : "",
		   h->walls & PLS_WALL_NETNS ? " netns" : "",
		   h->walls & PLS_WALL_IPCNS ? " ipcns" : "",
		   h->walls & PLS_WALL_MOUNTNS ? " mountns" : "",
		   h->walls & PLS_WALL_EMPTYROOT ? " emptyroot" : "",
		   h->walls & PLS_WALL_LANDLOCK ? " landlock" : "");
}

static void
print_fds(pid_t pid)
{
	char		path[64];
	DIR		   *d;
	struct dirent *e;
	int			fds[64];
	int			n = 0;
	int			i, j;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int) pid);
	d = opendir(path);
	if (d == NULL)
	{
		printf("fds: unreadable: %m\n");
		return;
	}
	while ((e = readdir(d)) != NULL && n < 64)
	{
		if (e->d_name[0] != '.')
			fds[n++] = atoi(e->d_name);
	}
	closedir(d);
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && fds[j - 1] > fds[j]; j--)
		{
			int			t = fds[j];

			fds[j] = fds[j - 1];
			fds[j - 1] = t;
		}
	printf("fds:");
	for (i = 0; i < n; i++)
		printf(" %d", fds[i]);
	printf("\n");
}

/* The names in the worker's root directory, as the worker sees it. */
static void
print_root(pid_t pid)
{
	char		path[64];
	DIR		   *d;
	struct dirent *e;
	int			n = 0;

	snprintf(path, sizeof(path), "/proc/%d/root/", (int) pid);
	d = opendir(path);
	if (d == NULL)
	{
		printf("root: unreadable: %m\n");
		return;
	}
	printf("root:");
	while ((e = readdir(d)) != NULL)
	{
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (n++ < 5)
			printf(" %s", e->d_name);
	}
	closedir(d);
	printf(n == 0 ? " empty\n" : n > 5 ? " ... (%d names)\n" : "\n", n);
}

/* Send one message and print the answer; returns 0 if the worker lives. */
static int
request(PlsWorker *w, uint32_t tag, const char *payload, uint32_t len)
{
	static char reply[PLS_CHAN_MAX_PAYLOAD + 1];
	uint32_t	rtag;
	uint32_t	rlen;
	int			rc;
	PlsWorkerExit how;

	rc = pls_chan_send(&w->chan, tag, payload, len, 10000);
	if (rc == PLS_CHAN_OK)
	{
		do
			rc = pls_chan_recv(&w->chan, &rtag, reply, PLS_CHAN_MAX_PAYLOAD,
							   &rlen, 20000);
		while (rc == PLS_CHAN_INTR);
	}
	if (rc == PLS_CHAN_DEAD)
	{
		if (pls_worker_reap(w, 5000, &how) != 0)
			pls_worker_end(w, &how);
		print_death(&how);
		return -1;
	}
	if (rc != PLS_CHAN_OK)
	{
		printf("channel: %s\n", pls_chan_strerror(rc));
		pls_worker_end(w, &how);
		return -1;
	}
	reply[rlen] = '\0';
	if (rtag == PLS_MSG_PONG)
		printf("%s\n", rlen == len && memcmp(reply, payload, len) == 0 ?
			   "pong" : "pong (wrong bytes)");
	else if (rtag == PLS_MSG_ERROR)
		printf("ERROR: %s\n", reply);
	else if (rtag == PLS_MSG_RESULT)
		printf("%s\n", reply);
	else
		printf("unexpected tag %u\n", rtag);
	return 0;
}

/*
 * A hostile peer: random positions, sequence words and frame headers in
 * the backend's reply ring, random tails in its request ring.  Every call
 * must return without crashing, never report more bytes than the buffer
 * holds, and never move its own private position on an error.
 */
static void
fuzz(void)
{
	static PlsChanShm shm;
	static char buf[256];
	PlsChan		c;
	int			counts[8] = {0};
	int			bad = 0;
	int			i;

	srandom(1);
	pls_chan_init_shm(&shm);
	pls_chan_attach(&c, &shm, -1, PLS_CHAN_BACKEND);
	for (i = 0; i < 200000; i++)
	{
		uint32_t	tag;
		uint32_t	len = 0;
		uint32_t	hdr[4];
		uint32_t	tail_before = c.recv_tail;
		uint32_t	head_before = c.send_head;
		int			rc;

		c.recv_tail = (uint32_t) random() & ~(uint32_t) (PLS_CHAN_FRAME_ALIGN - 1);
		tail_before = c.recv_tail;
		shm.ctl[1].head = c.recv_tail + ((i & 1) ? (uint32_t) random() :
										 ((uint32_t) random() % 512) * 16);
		hdr[0] = (i & 2) ? (uint32_t) random() % (PLS_MSG_END + 1) :
			(uint32_t) random();
		hdr[1] = (i & 4) ? (uint32_t) random() % 600 : (uint32_t) random();
		/* the frame's own sequence word, none yet, or anything */
		hdr[2] = (i & 16) ? c.recv_tail + 1 : (i & 32) ? 0 : (uint32_t) random();
		hdr[3] = 0;
		memcpy(shm.data[1] + (c.recv_tail & (PLS_CHAN_RING_SIZE - 1)),
			   hdr, sizeof(hdr));
		rc = pls_chan_recv(&c, &tag, buf, sizeof(buf), &len, 0);
		if (rc == PLS_CHAN_OK && (len > sizeof(buf) || tag == 0 ||
								  tag >= PLS_MSG_END))
			bad++;
		if (rc != PLS_CHAN_OK && c.recv_tail != tail_before)
			bad++;
		counts[-rc]++;

		shm.ctl[0].tail = (i & 8) ? (uint32_t) random() :
			c.send_head - (uint32_t) random() % PLS_CHAN_RING_SIZE;
		/* the tail read last left no room: the send reads it again */
		c.send_tail = c.send_head - PLS_CHAN_RING_SIZE;
		rc = pls_chan_send(&c, PLS_MSG_PING, buf, (uint32_t) random() % 200, 0);
		if (rc != PLS_CHAN_OK && c.send_head != head_before)
			bad++;
		if (rc == PLS_CHAN_OK)
			shm.ctl[0].tail = c.send_head;
	}
	printf("fuzz: %d ok, %d timeout, %d corrupt, %d too big, %d bad\n",
		   counts[0], counts[1], counts[3], counts[4], bad);
}

int
main(int argc, char **argv)
{
	PlsWorker	w;
	PlsWorkerOptions opts;
	PlsWireInit init;
	PlsWorkerExit how;
	char		errbuf[512];
	int			i = 2;
	int			rc;
	bool		unsandboxed = false;

	if (argc < 3)
	{
		fprintf(stderr, "usage: %s WORKER [--memory-limit=BYTES] [--unsandboxed] STEP...\n",
				argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	opts.memory_limit = 512 * 1024 * 1024;
	if (strncmp(argv[i], "--memory-limit=", 15) == 0)
		opts.memory_limit = strtoull(argv[i++] + 15, NULL, 10);
	/* ask any worker for full Python (only the test-only one may agree) */
	if (i < argc && strcmp(argv[i], "--unsandboxed") == 0)
	{
		unsandboxed = true;
		i++;
	}

	shmid = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	atexit(remove_segment);

	if (pls_worker_start(&w, argv[1], &opts, errbuf, sizeof(errbuf), &how) != 0)
	{
		printf("start failed: %s\n", errbuf);
		return 1;
	}
	init.role = "worker_driver";
	init.allowed_modules = "";
	init.recursion_limit = 1000;
	/* no budget: the kernel's RLIMIT_AS (--memory-limit) is the wall here */
	init.memory_limit_kb = 0;
	/* the test-only worker runs EXEC's full Python without the sandbox */
	init.flags = unsandboxed || strstr(argv[1], "plsafepy-worker-testing") ?
		PLS_INIT_TESTING_UNSANDBOXED : 0;
	if (pls_worker_init(&w, &init, &pls_wire_malloc_mem, 20000) != PLS_CHAN_OK)
	{
		pls_worker_end(&w, &how);
		printf("start failed: could not send INIT\n");
		return 1;
	}
	rc = pls_worker_await_hello(&w, 20000, errbuf, sizeof(errbuf), &how);
	if (rc != 0)
	{
		if (rc > 0)
		{
			pls_worker_end(&w, &how);
			snprintf(errbuf, sizeof(errbuf), "no HELLO within 20 s");
		}
		printf("start failed: %s\n", errbuf);
		return 1;
	}
	for (; i < argc; i++)
	{
		const char *step = argv[i];

		if (strcmp(step, "walls") == 0)
			print_walls(&w.hello);
		else if (strcmp(step, "fds") == 0)
			print_fds(w.pid);
		else if (strcmp(step, "root") == 0)
			print_root(w.pid);
		else if (strcmp(step, "ping") == 0)
		{
			if (request(&w, PLS_MSG_PING, "8 bytes!", 8) != 0)
				break;
		}
		else if (strncmp(step, "exec:", 5) == 0)
		{
			const char *code = expand(step + 5);

			if (request(&w, PLS_MSG_EXEC, code, strlen(code)) != 0)
				break;
		}
		else if (strcmp(step, "close") == 0)
		{
			close(w.sock);
			w.sock = -1;
			if (pls_worker_reap(&w, 5000, &how) == 0)
				print_death(&how);
			else
				printf("still running after the channel closed\n");
			break;
		}
		else if (strcmp(step, "fuzz") == 0)
			fuzz();
		else if (strcmp(step, "orphan") == 0)
		{
			printf("worker %d\n", (int) w.pid);
			for (;;)
				pause();
		}
		else
		{
			printf("unknown step %s\n", step);
			break;
		}
	}
	if (w.pid > 0)
		pls_worker_end(&w, &how);
	printf("driver: alive\n");
	return 0;
}
