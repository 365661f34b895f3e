/*-------------------------------------------------------------------------
 *
 * worker_launch.h
 *	  The backend's side of a plsafepy-worker's life: start it (fork and
 *	  exec of a fresh image, with the channel set up), wait for its HELLO
 *	  (sent once it has its INIT and has locked itself in), end it, and
 *	  learn how it died.  Plain C (no PostgreSQL header), so that the test driver
 *	  and the channel benchmark use the same code the backend will.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PLS_WORKER_LAUNCH_H
#define PLS_WORKER_LAUNCH_H

#include <stdint.h>
#include <sys/types.h>

#include "wire.h"
#include "worker/channel.h"

typedef struct PlsWorker
{
	pid_t		pid;			/* 0 once reaped */
	int			sock;			/* our end of the socketpair */
	PlsChanShm *shm;			/* our mapping of the channel segment */
	PlsChan		chan;
	PlsHello	hello;			/* what the worker reported at start */
} PlsWorker;

/* How a worker ended, from waitpid() and, for SIGSYS, its report. */
typedef struct PlsWorkerExit
{
	int			exited;			/* 1: exit status in code; 0: signal in signo */
	int			code;
	int			signo;
	int			syscall_nr;		/* the refused system call, or -1 */
} PlsWorkerExit;

/* Options a worker gets on its command line. */
typedef struct PlsWorkerOptions
{
	uint64_t	memory_limit;	/* RLIMIT_AS in bytes; 0: none */
} PlsWorkerOptions;

extern const PlsWireMem pls_wire_malloc_mem;

extern int	pls_worker_start(PlsWorker *w, const char *path,
							 const PlsWorkerOptions *opts,
							 char *errbuf, size_t errlen,
							 PlsWorkerExit *death);
extern int	pls_worker_init(PlsWorker *w, const PlsWireInit *init,
							const PlsWireMem *mem, int timeout_ms);
extern int	pls_worker_await_hello(PlsWorker *w, int timeout_ms,
								   char *errbuf, size_t errlen,
								   PlsWorkerExit *death);
extern void pls_worker_end(PlsWorker *w, PlsWorkerExit *how);
extern int	pls_worker_reap(PlsWorker *w, int timeout_ms, PlsWorkerExit *how);
extern void pls_worker_describe_exit(const PlsWorkerExit *how,
									 char *buf, size_t len);

#endif							/* PLS_WORKER_LAUNCH_H */
