/*-------------------------------------------------------------------------
 *
 * worker_pool.h
 *	  The backend's workers (docs/isolation.md): one plsafepy-worker per
 *	  role whose Python runs in process mode, started on first use, ended
 *	  least recently used first beyond plsafepy.max_workers, on a fault,
 *	  and at session end; the exchange of messages with one, waiting in
 *	  slices that honour cancels, timeouts and terminations.  Backend only.
 *
 * Use by the call path, for one call:
 *
 *		PLSWorker  *w = pls_pool_get(roleid, &init, fname);
 *		int			depth = pls_pool_depth(w);
 *
 *		PG_TRY();
 *		{
 *			tag = pls_pool_exchange(w, PLS_MSG_CALL, &call, &reply, fname);
 *			while (tag == PLS_MSG_REQ)
 *			{
 *				... serve it, encode the answer into rep ...
 *				tag = pls_pool_exchange(w, PLS_MSG_REP, &rep, &reply, fname);
 *			}
 *			... PLS_MSG_RETURN, or PLS_MSG_RAISE (origin PLS_ERR_INTERRUPT:
 *			CHECK_FOR_INTERRUPTS(), so that PostgreSQL raises its own) ...
 *		}
 *		PG_CATCH();
 *		{
 *			pls_pool_unwind(w, depth);
 *			PG_RE_THROW();
 *		}
 *		PG_END_TRY();
 *
 * Every fault (the worker died, broke the protocol, stopped reading) ends
 * the worker and raises an ERROR naming the cause; the next call starts a
 * new one.  A PLSWorker pointer stays valid for the whole session (an
 * ended worker's record is kept, marked ended: any later use is an ERROR,
 * never a message to another role's worker).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PLS_WORKER_POOL_H
#define PLS_WORKER_POOL_H

#include <sys/types.h>

#include "datatype/timestamp.h"
#include "fmgr.h"
#include "wire.h"

/* plsafepy.isolation */
#define PLS_ISOLATION_INLINE	0	/* Python runs in the backend */
#define PLS_ISOLATION_PROCESS	1	/* in the role's worker process */
#define PLS_ISOLATION_DEFAULT	PLS_ISOLATION_PROCESS

extern int	pls_isolation;
extern int	pls_max_workers;

typedef struct PLSWorker PLSWorker;

/* Palloc-based wire memory (CurrentMemoryContext; ERROR when out of it). */
extern const PlsWireMem pls_pool_wire_mem;
/* The same in TopMemoryContext: buffers kept for the session. */
extern const PlsWireMem pls_pool_session_wire_mem;

/* Defines plsafepy.isolation and plsafepy.max_workers (from _PG_init). */
extern void pls_pool_init(void);

/* Does roleid's Python run in a worker (plsafepy.isolation, settings.c)? */
extern bool pls_isolation_is_process(Oid roleid);

/* A live worker as plsafepy_workers() shows it (worker_view.c). */
typedef struct PLSWorkerInfo
{
	const char *rolename;
	pid_t		pid;
	uint32		walls;			/* PLS_WALL_* of its HELLO */
	int64		calls;
	int64		messages;		/* sent and received, both ways */
	TimestampTz started;
} PLSWorkerInfo;

extern int	pls_pool_count(void);
extern void pls_pool_info(int i, PLSWorkerInfo *info);

/* roleid's live worker, or NULL (no catalog access: for every call). */
extern PLSWorker *pls_pool_find(Oid roleid);

/*
 * roleid's live worker, or a new one started with init (its INIT) and
 * locked in.  fname names the function for the log of a failure.
 */
extern PLSWorker *pls_pool_get(Oid roleid, const PlsWireInit *init,
							   const char *fname);

/*
 * Send one message; a CALL, FETCH, CLOSE or WHITELIST opens a call
 * (pls_pool_depth + 1), whose RETURN, ROWS or RAISE, received, closes it.
 */
extern void pls_pool_send(PLSWorker *w, uint32 tag, const PlsWireBuf *msg,
						  const char *fname);

/*
 * Wait for the worker's next message, into reply (from
 * pls_wire_recv_init); returns its tag.  A cancel or termination meanwhile
 * raises the interrupt word (the worker stops its Python code and answers
 * RAISE with origin PLS_ERR_INTERRUPT); without an answer within
 * plsafepy.interrupt_grace the worker is ended and PostgreSQL's own error
 * raised.
 */
extern uint32 pls_pool_receive(PLSWorker *w, PlsWireRecv *reply,
							   const char *fname);

/* pls_pool_send, then pls_pool_receive. */
extern uint32 pls_pool_exchange(PLSWorker *w, uint32 tag,
								const PlsWireBuf *msg, PlsWireRecv *reply,
								const char *fname);

/*
 * End w because the caller found its message malformed (why, logged with
 * the role and fname); the caller then raises its own error.
 */
extern void pls_pool_end(PLSWorker *w, const char *fname, const char *why);

/*
 * Stop w's Python code (its watchdog raises plsafepy.Interrupted): a
 * request of it was ended by a cancel that the backend keeps.
 */
extern void pls_pool_interrupt(PLSWorker *w);

/* process_spi.c: w ended, the plans and cursors it held go too */
extern void pls_process_spi_forget(PLSWorker *w);

/* Calls in progress in the worker (nested calls included). */
extern int	pls_pool_depth(PLSWorker *w);

/*
 * For the caller's PG_CATCH: an ERROR left the calls above depth (taken
 * before sending the CALL) unfinished, so the worker is mid-call: end it.
 */
extern void pls_pool_unwind(PLSWorker *w, int depth);

/* Which function versions the worker has compiled (cleared with it). */
extern bool pls_pool_knows(PLSWorker *w, uint32 fn_oid, uint64 fn_gen);
extern void pls_pool_learned(PLSWorker *w, uint32 fn_oid, uint64 fn_gen);

#ifdef PLSAFEPY_TESTING
/* testing.c: the test-only build's settings (make PLSAFEPY_TESTING=1) */
extern bool pls_testing_unsandboxed;
extern char *pls_testing_worker_path;
extern void pls_testing_init(void);

/* Was w started unsandboxed?  Then its CALLs carry PLS_CALL_UNSANDBOXED. */
extern bool pls_pool_unsandboxed(PLSWorker *w);
#endif

#endif							/* PLS_WORKER_POOL_H */
