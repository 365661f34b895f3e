/*
 * bench/channel.c: the round trip of a small request and reply (8 bytes each
 * way) between two processes, over plsafepy's channel (the shared-memory
 * rings with adaptive spinning and futex wake-ups, src/worker/channel.c)
 * and, for comparison, over a SOCK_SEQPACKET socketpair alone.
 *
 * The channel is measured against the real worker (started by
 * src/worker_launch.c, locked in, seccomp on), answering PING with PONG.
 * The socketpair against a forked echo process.  And, as the hardware's
 * floor under any shared-memory channel, two processes that only pass a
 * counter through two cache lines (one each way), spinning as the channel
 * spins: what the CPUs themselves charge for a round trip.  Each is measured idle,
 * with one busy process (the other core busy on a 2-CPU machine) and with
 * two (both busy).  Prints the median and the 10th and 90th percentiles
 * of the mean round trip over batches of 1000, in microseconds.
 *
 * Usage: bench/channel WORKER [ROUNDS [MAXLOAD [ring]]]   (make bench-channel)
 * MAXLOAD (0 to 2, default 2): the most busy processes measured; bench/run
 * measures only the first level (0: the machine as it is).  "ring": the
 * channel alone, which bench/run measures before each run of a workload
 * in process isolation (where the host puts the two CPUs changes its
 * round trip from one minute to the next).
 */
#include "worker_launch.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#define BATCH 1000

static int	rounds = 200;

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return (x > y) - (x < y);
}

static void
report(const char *what, double *batch)
{
	qsort(batch, rounds, sizeof(double), cmp_double);
	printf("  %-28s %8.2f   [%.2f .. %.2f]\n", what, batch[rounds / 2],
		   batch[rounds / 10], batch[rounds * 9 / 10]);
}

static int
ring_round_trip(PlsWorker *w)
{
	char		reply[64];
	uint32_t	tag;
	uint32_t	len;

	if (pls_chan_send(&w->chan, PLS_MSG_PING, "8 bytes!", 8, 10000) != 0 ||
		pls_chan_recv(&w->chan, &tag, reply, sizeof(reply), &len, 10000) != 0 ||
		tag != PLS_MSG_PONG || len != 8)
		return -1;
	return 0;
}

static void
bench_ring(PlsWorker *w, const char *what)
{
	double	   *batch = calloc(rounds, sizeof(double));
	int			r,
				i;

	for (i = 0; i < 10000; i++)
		if (ring_round_trip(w) != 0)
			exit(1);
	for (r = 0; r < rounds; r++)
	{
		double		t0 = now_us();

		for (i = 0; i < BATCH; i++)
			if (ring_round_trip(w) != 0)
				exit(1);
		batch[r] = (now_us() - t0) / BATCH;
	}
	report(what, batch);
	free(batch);
}

static void
bench_socketpair(const char *what)
{
	double	   *batch = calloc(rounds, sizeof(double));
	int			sv[2];
	char		buf[8];
	pid_t		pid;
	int			r,
				i;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) != 0)
		exit(1);
	pid = fork();
	if (pid == 0)
	{
		close(sv[0]);
		while (read(sv[1], buf, 8) == 8)
			if (write(sv[1], buf, 8) != 8)
				break;
		_exit(0);
	}
	close(sv[1]);
	for (r = -10; r < rounds; r++)	/* 10 batches of warm-up */
	{
		double		t0 = now_us();

		for (i = 0; i < BATCH; i++)
			if (write(sv[0], "8 bytes!", 8) != 8 || read(sv[0], buf, 8) != 8)
				exit(1);
		if (r >= 0)
			batch[r] = (now_us() - t0) / BATCH;
	}
	close(sv[0]);
	waitpid(pid, NULL, 0);
	report(what, batch);
	free(batch);
}

static inline void
relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

/*
 * The hardware's round trip: a forked process spins on the request line
 * and writes the same number into the reply line, each on its own cache
 * line of a shared mapping.
 */
static void
bench_cacheline(const char *what)
{
	double	   *batch = calloc(rounds, sizeof(double));
	volatile uint64_t *shared;
	volatile uint64_t *req;
	volatile uint64_t *rep;
	uint64_t	n = 0;
	pid_t		pid;
	int			r,
				i;

	shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		exit(1);
	req = shared;
	rep = shared + 64 / sizeof(uint64_t);
	pid = fork();
	if (pid == 0)
	{
		uint64_t	seen = 0;

		for (;;)
		{
			uint64_t	v;

			while ((v = __atomic_load_n(req, __ATOMIC_ACQUIRE)) == seen)
				relax();
			if (v == UINT64_MAX)
				_exit(0);
			seen = v;
			__atomic_store_n(rep, v, __ATOMIC_RELEASE);
		}
	}
	for (r = -10; r < rounds; r++)	/* 10 batches of warm-up */
	{
		double		t0 = now_us();

		for (i = 0; i < BATCH; i++)
		{
			__atomic_store_n(req, ++n, __ATOMIC_RELEASE);
			while (__atomic_load_n(rep, __ATOMIC_ACQUIRE) != n)
				relax();
		}
		if (r >= 0)
			batch[r] = (now_us() - t0) / BATCH;
	}
	__atomic_store_n(req, UINT64_MAX, __ATOMIC_RELEASE);
	waitpid(pid, NULL, 0);
	munmap((void *) shared, 4096);
	report(what, batch);
	free(batch);
}

static pid_t
start_busy(void)
{
	pid_t		pid = fork();

	if (pid == 0)
	{
		volatile unsigned long n = 0;

		for (;;)
			n++;
	}
	return pid;
}

int
main(int argc, char **argv)
{
	PlsWorker	w;
	PlsWorkerOptions opts = {512 * 1024 * 1024};
	PlsWireInit init = {"bench", "", 1000, 0};
	char		err[512];
	pid_t		busy[2];
	int			load;
	int			maxload = 2;
	int			ring_only = 0;
	PlsWorkerExit how;
	int			rc;

	if (argc < 2)
	{
		fprintf(stderr, "usage: %s WORKER [ROUNDS [MAXLOAD [ring]]]\n", argv[0]);
		return 2;
	}
	if (argc > 2)
		rounds = atoi(argv[2]) > 10 ? atoi(argv[2]) : 10;
	if (argc > 3)
		maxload = atoi(argv[3]) < 0 ? 0 : atoi(argv[3]) > 2 ? 2 : atoi(argv[3]);
	if (argc > 4)
		ring_only = strcmp(argv[4], "ring") == 0;
	if (pls_worker_start(&w, argv[1], &opts, err, sizeof(err), NULL) != 0)
	{
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (pls_worker_init(&w, &init, &pls_wire_malloc_mem, 20000) != PLS_CHAN_OK)
	{
		pls_worker_end(&w, &how);
		fprintf(stderr, "could not send INIT\n");
		return 1;
	}
	rc = pls_worker_await_hello(&w, 20000, err, sizeof(err), NULL);
	if (rc != 0)
	{
		if (rc > 0)
		{
			pls_worker_end(&w, &how);
			snprintf(err, sizeof(err), "no HELLO within 20 s");
		}
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	printf("round trip of 8 bytes each way, microseconds: median [p10 .. p90]"
		   " of %d batches of %d; %ld CPUs\n", rounds, BATCH,
		   sysconf(_SC_NPROCESSORS_ONLN));
	for (load = 0; load <= maxload; load++)
	{
		char		what[64];
		int			b;

		printf("%s:\n", load == 0 ? "idle" : load == 1 ?
			   "one busy process" : "two busy processes");
		for (b = 0; b < load; b++)
			busy[b] = start_busy();
		snprintf(what, sizeof(what), "shared-memory channel");
		bench_ring(&w, what);
		if (!ring_only)
		{
			bench_socketpair("socketpair (SOCK_SEQPACKET)");
			bench_cacheline("one cache line each way");
		}
		for (b = 0; b < load; b++)
		{
			kill(busy[b], SIGKILL);
			waitpid(busy[b], NULL, 0);
		}
	}
	pls_worker_end(&w, &how);
	return 0;
}
