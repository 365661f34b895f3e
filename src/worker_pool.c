/*-------------------------------------------------------------------------
 *
 * worker_pool.c
 *	  The backend's plsafepy-workers (worker_pool.h): one per role whose
 *	  Python runs in process mode, their start (worker_launch.c), the wait
 *	  for their messages, their faults as ERRORs, their end; the settings
 *	  plsafepy.isolation and plsafepy.max_workers.  What the SQL functions
 *	  show of them is in worker_view.c.
 *
 * Start: the program is found next to this library (dladdr: $libdir, where
 * make install puts it, also under extension_destdir).  Its address space
 * is limited to the role's plsafepy.memory_limit (INIT's, which is also the
 * worker's memory budget, pymemory.c) plus PLS_WORKER_RUNTIME_AS for the
 * runtime itself (libpython, the preloaded modules, stacks: about 23 MB),
 * fixed at start.  Then INIT, then the wait for HELLO (the worker
 * builds its interpreter and locks itself in between), in slices that run
 * CHECK_FOR_INTERRUPTS (nothing of the user's runs yet).
 *
 * Waiting for a message: pls_wire_recv in slices of PLS_POOL_SLICE_MS (a
 * signal ends a slice early).  Between slices:
 *	- a cancel, a statement or lock timeout, a termination or a lost client
 *	  (QueryCancelPending, ProcDiePending, ClientConnectionLost): the first
 *	  time, the channel's interrupt word is incremented and woken (the
 *	  worker's watchdog stops its Python code, which answers RAISE with
 *	  origin PLS_ERR_INTERRUPT; the caller then runs CHECK_FOR_INTERRUPTS
 *	  and PostgreSQL raises its own error); CHECK_FOR_INTERRUPTS is not run
 *	  here then, so that the worker can stop and keep its state.  If no
 *	  message comes within plsafepy.interrupt_grace (C code that never
 *	  returns to the eval loop), the worker is ended and
 *	  CHECK_FOR_INTERRUPTS raises PostgreSQL's error (57014, or FATAL for a
 *	  termination).  Inline mode ends the whole backend in that case; here
 *	  only the worker goes;
 *	- any other interrupt (a barrier, a catch-up, a memory-context log
 *	  request): CHECK_FOR_INTERRUPTS.
 * An ERROR that leaves a wait (from CHECK_FOR_INTERRUPTS, or a fault) ends
 * the worker: it is mid-call and no longer in a defined state.  Likewise
 * pls_pool_unwind for an ERROR raised by the caller between messages.
 *
 * Faults: a worker that dies, breaks the protocol (a corrupt or too long
 * frame) or stops reading its messages is ended and reaped, logged with
 * its role and the function, and reported as an ERROR:
 *	- killed by SIGSYS after a refused system call: 42501
 *	  (insufficient_privilege), naming the call;
 *	- killed by SIGKILL that the backend did not send (the kernel's
 *	  out-of-memory killer): 53200 (out_of_memory);
 *	- another signal, or an exit: 38000 (external_routine_exception);
 *	- a malformed message: 08P01 (protocol_violation);
 *	- not reading its messages: 38000.
 * A worker that fails to start: 58000 (system_error) with the reason (its
 * ERROR text, or how it died); the program missing: 58P01.
 *
 * Records of ended workers are kept (marked ended, their channel, process
 * and function table released; about 200 bytes each): a caller may hold a
 * pointer across a fault, and it must then get an ERROR, never reach a
 * worker started later for another role in a reused record.  They are
 * freed at the end of a top-level transaction in which no call is in
 * progress (a procedure's COMMIT may end one inside a call): by then the
 * ERROR that ended a worker has left every call that held it, so that a
 * session with many faults does not grow (test/fuzz_backend.sh).
 *
 *-------------------------------------------------------------------------
 */
#include "plsafepy.h"

#include <dlfcn.h>
#include <limits.h>
#include <signal.h>
#include <unistd.h>
#include <linux/futex.h>
#include <seccomp.h>
#include <sys/syscall.h>

#include "access/xact.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "worker_launch.h"
#include "worker_pool.h"

/* A wait slice: how long a cancel may go unnoticed without a signal. */
#define PLS_POOL_SLICE_MS 10
/* From start to HELLO: Python's start, the imports, the lock-down. */
#define PLS_POOL_START_TIMEOUT_MS 30000
/* A worker that does not read its messages for this long is ended. */
#define PLS_POOL_SEND_TIMEOUT_MS 10000
/*
 * The worker's address space (RLIMIT_AS, the kernel's wall behind the
 * memory budget its allocator enforces): the role's limit twice (Python's
 * objects, counted by the budget, and a value's message buffer beside it as
 * it crosses, which is not) plus its runtime.
 */
#define PLS_WORKER_RUNTIME_AS ((uint64) 64 * 1024 * 1024)
#define PLS_WORKER_AS(limit_kb) \
	((uint64) (limit_kb) * 1024 * 2 + PLS_WORKER_RUNTIME_AS)

int			pls_isolation = PLS_ISOLATION_DEFAULT;
int			pls_max_workers = 8;

static const struct config_enum_entry isolation_options[] = {
	{"inline", PLS_ISOLATION_INLINE, false},
	{"process", PLS_ISOLATION_PROCESS, false},
	{NULL, 0, false}
};

struct PLSWorker
{
	PlsWorker	proc;			/* process and channel (worker_launch.h) */
	bool		live;			/* false once ended: the record stays */
	Oid			roleid;
	NameData	rolename;
	int			depth;			/* calls in progress */
	uint64		last_used;		/* pool_tick when last used */
	int64		calls;
	int64		messages;		/* sent and received, both ways */
	TimestampTz started;
	bool		interrupt_sent; /* the interrupt word was raised */
	TimestampTz interrupt_at;
	HTAB	   *known;			/* fn_oid -> fn_gen compiled in the worker */
	/* the function last found or put in known (generations start at 1) */
	uint32		last_oid;
	uint64		last_gen;		/* 0: none */
#ifdef PLSAFEPY_TESTING
	bool		unsandboxed;	/* started with PLS_INIT_TESTING_UNSANDBOXED */
#endif
};

typedef struct KnownFunction
{
	uint32		fn_oid;			/* key */
	uint64		fn_gen;
} KnownFunction;

/* The live workers, in TopMemoryContext. */
static PLSWorker **workers = NULL;
static int	nworkers = 0;
static int	maxslots = 0;

/* Every record, live or ended, in TopMemoryContext: ended ones are freed. */
static PLSWorker **records = NULL;
static int	nrecords = 0;
static int	maxrecords = 0;
static uint64 pool_tick = 0;
static char *worker_path = NULL;

static void report_fault(PLSWorker *w, const char *fname, int rc,
						 const PlsWorkerExit *how) pg_attribute_noreturn();
static void fault(PLSWorker *w, const char *fname, int rc) pg_attribute_noreturn();
static void start_failed(PLSWorker *w, const char *fname,
						 const char *reason) pg_attribute_noreturn();

/* cx: NULL (CurrentMemoryContext) or the address of a MemoryContext */
static void *
pool_alloc(void *cx, size_t size)
{
	return MemoryContextAllocHuge(cx ? *(MemoryContext *) cx :
								  CurrentMemoryContext, size);
}

static void *
pool_realloc(void *cx, void *p, size_t size)
{
	return repalloc_huge(p, size);
}

static void
pool_free(void *cx, void *p)
{
	pfree(p);
}

const PlsWireMem pls_pool_wire_mem = {pool_alloc, pool_realloc, pool_free, NULL};
const PlsWireMem pls_pool_session_wire_mem = {pool_alloc, pool_realloc, pool_free,
&TopMemoryContext};

void
pls_pool_init(void)
{
	DefineCustomEnumVariable("plsafepy.isolation",
							 "Where a role's plsafepy Python runs: in the backend (inline) or in a worker process of its own (process).",
							 "Resolved for the role the function runs as, from its role, database and server settings.",
							 &pls_isolation,
							 PLS_ISOLATION_DEFAULT,
							 isolation_options,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);
	DefineCustomIntVariable("plsafepy.max_workers",
							"Most plsafepy worker processes one session keeps.",
							"Starting one more ends the least recently used; its role's SD and GD are lost.",
							&pls_max_workers,
							8, 1, 1000,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);
#ifdef PLSAFEPY_TESTING
	pls_testing_init();
#endif
}

bool
pls_isolation_is_process(Oid roleid)
{
	return pls_settings_isolation(roleid) == PLS_ISOLATION_PROCESS;
}

/* $libdir/plsafepy-worker: next to this library. */
static const char *
find_worker(void)
{
	Dl_info		info;
	char	   *dir;

#ifdef PLSAFEPY_TESTING
	if (pls_testing_worker_path != NULL && pls_testing_worker_path[0] != '\0')
		return pls_testing_worker_path;
#endif
	if (worker_path)
		return worker_path;
	if (dladdr((void *) pls_pool_get, &info) == 0 || info.dli_fname == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_SYSTEM_ERROR),
				 errmsg("could not find the directory of the plsafepy library")));
	dir = pstrdup(info.dli_fname);
	get_parent_directory(dir);
	worker_path = MemoryContextStrdup(TopMemoryContext,
									  psprintf("%s/plsafepy-worker", dir));
	pfree(dir);
	return worker_path;
}

/* Kill and reap every worker: the session ends. */
static void
pool_at_exit(int code, Datum arg)
{
	for (int i = 0; i < nworkers; i++)
	{
		PlsWorkerExit how;

		pls_worker_end(&workers[i]->proc, &how);
		workers[i]->live = false;
	}
	nworkers = 0;
}

/*
 * At the end of a top-level transaction without a call in progress, free
 * the records of ended workers (see the header).
 */
static void
free_ended_records(XactEvent event, void *arg)
{
	int			kept = 0;

	if (event != XACT_EVENT_COMMIT && event != XACT_EVENT_ABORT &&
		event != XACT_EVENT_PREPARE)
		return;
	for (int i = 0; i < nworkers; i++)
	{
		if (workers[i]->depth > 0)
			return;
	}
	for (int i = 0; i < nrecords; i++)
	{
		if (records[i]->live)
			records[kept++] = records[i];
		else
			pfree(records[i]);
	}
	nrecords = kept;
}

/* End w (if live) and take it out of the pool; how tells how it ended. */
static void
discard(PLSWorker *w, PlsWorkerExit *how)
{
	how->exited = -1;
	how->syscall_nr = -1;
	if (!w->live)
		return;
	pls_worker_end(&w->proc, how);
	w->live = false;
	w->depth = 0;
	pls_process_spi_forget(w);
	if (w->known)
		hash_destroy(w->known);
	w->known = NULL;
	w->last_gen = 0;
	for (int i = 0; i < nworkers; i++)
	{
		if (workers[i] == w)
		{
			workers[i] = workers[--nworkers];
			break;
		}
	}
}

static void
discard_quietly(PLSWorker *w)
{
	PlsWorkerExit how;

	discard(w, &how);
}

static const char *
signal_name(int signo)
{
	const char *abbrev = sigabbrev_np(signo);

	return abbrev ? psprintf("SIG%s", abbrev) : "unknown";
}

/*
 * ERROR for a worker ended after a fault: rc, the channel's code; for
 * PLS_CHAN_DEAD, how it died (from waitpid), else NULL.
 */
static void
report_fault(PLSWorker *w, const char *fname, int rc, const PlsWorkerExit *how)
{
	const char *role = NameStr(w->rolename);
	const char *func = fname ? fname : "?";

	if (rc == PLS_CHAN_CORRUPT || rc == PLS_CHAN_TOOBIG)
	{
		ereport(LOG,
				(errmsg("plsafepy worker for role \"%s\" broke the channel protocol in function \"%s\": %s; it was ended",
						role, func, pls_chan_strerror(rc))));
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("plsafepy worker for role \"%s\" broke the channel protocol", role),
				 errdetail("It sent a malformed message (%s) and was ended.",
						   pls_chan_strerror(rc))));
	}
	if (rc == PLS_CHAN_TIMEOUT)
	{
		ereport(LOG,
				(errmsg("plsafepy worker for role \"%s\" stopped reading its messages in function \"%s\"; it was ended",
						role, func)));
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("plsafepy worker for role \"%s\" stopped answering", role),
				 errdetail("It read no message for %d ms and was ended.",
						   PLS_POOL_SEND_TIMEOUT_MS)));
	}

	if (how == NULL)
		elog(ERROR, "plsafepy worker for role \"%s\": unexpected channel result %d",
			 role, rc);

	/* it died */
	if (how->exited == 0 && how->signo == SIGSYS && how->syscall_nr >= 0)
	{
		char	   *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE,
															how->syscall_nr);
		char	   *call = psprintf("%s", name ? name : "?");

		free(name);
		ereport(LOG,
				(errmsg("plsafepy worker for role \"%s\" was killed by signal %d (SIGSYS) after the refused system call \"%s\" (%d) in function \"%s\"",
						role, how->signo, call, how->syscall_nr, func)));
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("plsafepy worker for role \"%s\" died", role),
				 errdetail("It was killed by signal %d (SIGSYS) after the refused system call \"%s\".",
						   how->signo, call),
				 errhint("The worker may make only the system calls of its allowlist (see docs/isolation.md).")));
	}
	if (how->exited == 0 && how->signo == SIGKILL)
	{
		ereport(LOG,
				(errmsg("plsafepy worker for role \"%s\" was killed by signal %d (SIGKILL) in function \"%s\"",
						role, how->signo, func)));
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("plsafepy worker for role \"%s\" died", role),
				 errdetail("It was killed by signal %d (SIGKILL), as the kernel's out-of-memory killer does.",
						   how->signo)));
	}
	if (how->exited == 0)
	{
		ereport(LOG,
				(errmsg("plsafepy worker for role \"%s\" was killed by signal %d (%s) in function \"%s\"",
						role, how->signo, signal_name(how->signo), func)));
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("plsafepy worker for role \"%s\" died", role),
				 errdetail("It was killed by signal %d (%s).",
						   how->signo, signal_name(how->signo))));
	}
	ereport(LOG,
			(errmsg("plsafepy worker for role \"%s\" exited with code %d in function \"%s\"",
					role, how->code, func)));
	ereport(ERROR,
			(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
			 errmsg("plsafepy worker for role \"%s\" died", role),
			 errdetail("It exited with code %d.", how->code)));
}

/*
 * A channel error rc from w: end it and report.  A worker whose socket
 * closed (PLS_CHAN_DEAD) is reaped as it died; one that lingers after
 * closing it is killed.
 */
static void
fault(PLSWorker *w, const char *fname, int rc)
{
	PlsWorkerExit how;
	PlsWorkerExit ignored;

	if (rc != PLS_CHAN_DEAD)
	{
		discard(w, &ignored);
		report_fault(w, fname, rc, NULL);
	}
	if (pls_worker_reap(&w->proc, 1000, &how) == 0)
	{
		discard(w, &ignored);	/* reaped: only out of the pool now */
		report_fault(w, fname, rc, &how);
	}
	discard(w, &ignored);
	ereport(LOG,
			(errmsg("plsafepy worker for role \"%s\" closed its channel in function \"%s\"; it was ended",
					NameStr(w->rolename), fname ? fname : "?")));
	ereport(ERROR,
			(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
			 errmsg("plsafepy worker for role \"%s\" closed its channel",
					NameStr(w->rolename))));
}

static void
check_live(PLSWorker *w)
{
	if (!w->live)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("plsafepy worker for role \"%s\" ended earlier in this call",
						NameStr(w->rolename))));
}

/* Ask the worker's watchdog to stop its Python code. */
static void
raise_interrupt_word(PLSWorker *w)
{
	uint32	   *word = &w->proc.shm->interrupt_seq;

	__atomic_add_fetch(word, 1, __ATOMIC_SEQ_CST);
	(void) syscall(SYS_futex, word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
	w->interrupt_sent = true;
	w->interrupt_at = GetCurrentTimestamp();
}

void
pls_pool_interrupt(PLSWorker *w)
{
	if (w->live && !w->interrupt_sent)
		raise_interrupt_word(w);
}

/*
 * Between wait slices: a cancel or termination goes to the worker (then,
 * after the grace period, ends it); any other interrupt is processed here.
 */
static void
serve_interrupts(PLSWorker *w, const char *fname)
{
	if (!InterruptPending)
		return;
	if (QueryCancelPending || ProcDiePending || ClientConnectionLost)
	{
		if (!w->interrupt_sent)
		{
			raise_interrupt_word(w);
			return;
		}
		if (!TimestampDifferenceExceeds(w->interrupt_at, GetCurrentTimestamp(),
										pls_interrupt_grace_ms))
			return;
		ereport(LOG,
				(errmsg("plsafepy worker for role \"%s\" did not stop within %d ms of an interrupt in function \"%s\"; it was ended",
						NameStr(w->rolename), pls_interrupt_grace_ms,
						fname ? fname : "?")));
		discard_quietly(w);
		CHECK_FOR_INTERRUPTS();
		/* interrupts are held off: still, the call cannot go on */
		ereport(ERROR,
				(errcode(ERRCODE_QUERY_CANCELED),
				 errmsg("canceling statement because the plsafepy worker for role \"%s\" did not stop",
						NameStr(w->rolename))));
	}
	CHECK_FOR_INTERRUPTS();
}

/* Make room for one more worker: end the least recently used idle ones. */
static void
make_room(void)
{
	while (nworkers >= pls_max_workers)
	{
		PLSWorker  *lru = NULL;

		for (int i = 0; i < nworkers; i++)
		{
			if (workers[i]->depth == 0 &&
				(lru == NULL || workers[i]->last_used < lru->last_used))
				lru = workers[i];
		}
		if (lru == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
					 errmsg("all %d plsafepy workers of this session are in a call",
							nworkers),
					 errhint("Raise plsafepy.max_workers.")));
		ereport(DEBUG1,
				(errmsg_internal("ending the plsafepy worker of role \"%s\" (pid %d), least recently used: its SD and GD are lost",
								 NameStr(lru->rolename), (int) lru->proc.pid)));
		discard_quietly(lru);
	}
}

static void
start_failed(PLSWorker *w, const char *fname, const char *reason)
{
	ereport(LOG,
			(errmsg("could not start a plsafepy worker for role \"%s\" in function \"%s\": %s",
					NameStr(w->rolename), fname ? fname : "?", reason)));
	ereport(ERROR,
			(errcode(ERRCODE_SYSTEM_ERROR),
			 errmsg("could not start a plsafepy worker for role \"%s\"",
					NameStr(w->rolename)),
			 errdetail("%s", reason)));
}

/* Wait for HELLO in slices; ERROR (the worker ended) on failure. */
static void
await_hello(PLSWorker *w, const char *fname)
{
	TimestampTz start = GetCurrentTimestamp();
	char		errbuf[512];
	PlsWorkerExit how;

	for (;;)
	{
		int			rc = pls_worker_await_hello(&w->proc, PLS_POOL_SLICE_MS,
												errbuf, sizeof(errbuf), &how);

		if (rc == 0)
			return;
		if (rc < 0)
		{
			discard(w, &how);	/* already ended: out of the pool */
			start_failed(w, fname, errbuf);
		}
		CHECK_FOR_INTERRUPTS();
		if (TimestampDifferenceExceeds(start, GetCurrentTimestamp(),
									   PLS_POOL_START_TIMEOUT_MS))
		{
			discard(w, &how);
			start_failed(w, fname,
						 psprintf("no answer within %d ms", PLS_POOL_START_TIMEOUT_MS));
		}
	}
}

static PLSWorker *
start_worker(Oid roleid, const PlsWireInit *init, const char *fname)
{
	static bool exit_hooked = false;
	const char *path = find_worker();
	PlsWorkerOptions opts;
	PlsWorkerExit how;
	PLSWorker  *w;
	char		errbuf[512];
	HASHCTL		ctl;
#ifdef PLSAFEPY_TESTING
	PlsWireInit testing_init;
#endif

	if (!exit_hooked)
	{
		on_proc_exit(pool_at_exit, (Datum) 0);
		RegisterXactCallback(free_ended_records, NULL);
		exit_hooked = true;
	}
	if (nrecords == maxrecords)
	{
		maxrecords = maxrecords ? maxrecords * 2 : 16;
		records = records ?
			repalloc(records, maxrecords * sizeof(PLSWorker *)) :
			MemoryContextAlloc(TopMemoryContext,
							   maxrecords * sizeof(PLSWorker *));
	}
	w = MemoryContextAllocZero(TopMemoryContext, sizeof(PLSWorker));
	records[nrecords++] = w;
	w->roleid = roleid;
	namestrcpy(&w->rolename, GetUserNameFromId(roleid, false));

	if (access(path, X_OK) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FILE),
				 errmsg("could not start a plsafepy worker for role \"%s\": %m",
						NameStr(w->rolename)),
				 errdetail("The program is \"%s\".", path),
				 errhint("\"make install\" installs it next to the plsafepy library.")));

	opts.memory_limit = init->memory_limit_kb > 0 ?
		PLS_WORKER_AS(init->memory_limit_kb) : 0;

#ifdef PLSAFEPY_TESTING
	testing_init = *init;
	if (pls_testing_unsandboxed)
		testing_init.flags |= PLS_INIT_TESTING_UNSANDBOXED;
	w->unsandboxed = pls_testing_unsandboxed;
	init = &testing_init;
#endif

	make_room();
	if (maxslots == 0)
	{
		maxslots = 16;
		workers = MemoryContextAlloc(TopMemoryContext,
									 maxslots * sizeof(PLSWorker *));
	}
	else if (nworkers == maxslots)
	{
		maxslots *= 2;
		workers = repalloc(workers, maxslots * sizeof(PLSWorker *));
	}

	if (pls_worker_start(&w->proc, path, &opts, errbuf, sizeof(errbuf),
						 &how) != 0)
		start_failed(w, fname, errbuf);
	/* in the pool from now on, so that the session's end kills it */
	w->live = true;
	workers[nworkers++] = w;

	PG_TRY();
	{
		int			rc = pls_worker_init(&w->proc, init, &pls_pool_wire_mem,
										 PLS_POOL_SEND_TIMEOUT_MS);

		if (rc != PLS_CHAN_OK)
		{
			discard(w, &how);
			start_failed(w, fname,
						 psprintf("could not send INIT: %s", pls_chan_strerror(rc)));
		}
		await_hello(w, fname);
	}
	PG_CATCH();
	{
		discard_quietly(w);
		PG_RE_THROW();
	}
	PG_END_TRY();

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(uint32);
	ctl.entrysize = sizeof(KnownFunction);
	ctl.hcxt = TopMemoryContext;
	w->known = hash_create("plsafepy worker functions", 64, &ctl,
						   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	w->started = GetCurrentTimestamp();
	return w;
}

PLSWorker *
pls_pool_find(Oid roleid)
{
	for (int i = 0; i < nworkers; i++)
	{
		if (workers[i]->roleid == roleid)
		{
#ifdef PLSAFEPY_TESTING
			/* a worker runs the mode it was started in: a new one */
			if (workers[i]->unsandboxed != pls_testing_unsandboxed &&
				workers[i]->depth == 0)
			{
				discard_quietly(workers[i]);
				return NULL;
			}
#endif
			workers[i]->last_used = ++pool_tick;
			return workers[i];
		}
	}
	return NULL;
}

#ifdef PLSAFEPY_TESTING
bool
pls_pool_unsandboxed(PLSWorker *w)
{
	return w->unsandboxed;
}
#endif

PLSWorker *
pls_pool_get(Oid roleid, const PlsWireInit *init, const char *fname)
{
	PLSWorker  *w = pls_pool_find(roleid);

	if (w == NULL)
	{
		w = start_worker(roleid, init, fname);
		w->last_used = ++pool_tick;
	}
	return w;
}

void
pls_pool_end(PLSWorker *w, const char *fname, const char *why)
{
	if (!w->live)
		return;
	ereport(LOG,
			(errmsg("plsafepy worker for role \"%s\" broke the door protocol in function \"%s\": %s; it was ended",
					NameStr(w->rolename), fname ? fname : "?", why)));
	discard_quietly(w);
}

/*
 * A send that did not go through at once (rc): retried between slices
 * until PLS_POOL_SEND_TIMEOUT_MS, interrupts served; any error ends the
 * worker.
 */
static void
send_retry(PLSWorker *w, uint32 tag, const PlsWireBuf *msg,
		   const char *fname, int rc)
{
	bool		one_frame = msg->len <= PLS_CHAN_MAX_PAYLOAD;
	TimestampTz start = 0;

	PG_TRY();
	{
		for (;;)
		{
			if (rc == PLS_CHAN_OK)
				break;
			if (!one_frame || (rc != PLS_CHAN_INTR && rc != PLS_CHAN_TIMEOUT))
				fault(w, fname, rc);
			if (start == 0)
				start = GetCurrentTimestamp();
			else if (TimestampDifferenceExceeds(start, GetCurrentTimestamp(),
												PLS_POOL_SEND_TIMEOUT_MS))
				fault(w, fname, PLS_CHAN_TIMEOUT);
			/* a worker that does not read is not running a call: no grace */
			CHECK_FOR_INTERRUPTS();
			rc = pls_wire_send(&w->proc.chan, tag, msg, PLS_POOL_SLICE_MS);
		}
	}
	PG_CATCH();
	{
		discard_quietly(w);
		PG_RE_THROW();
	}
	PG_END_TRY();
}

void
pls_pool_send(PLSWorker *w, uint32 tag, const PlsWireBuf *msg,
			  const char *fname)
{
	int			rc;

	check_live(w);
	if (msg->failed)
		elog(ERROR, "plsafepy: a message to the worker could not be encoded");

	/*
	 * One frame is sent whole or not at all, so it can be retried between
	 * slices; a longer message cannot be resumed once a frame of it went.
	 * The first try needs no PG_TRY: nothing in it can raise an error.
	 */
	rc = pls_wire_send(&w->proc.chan, tag, msg,
					   msg->len <= PLS_CHAN_MAX_PAYLOAD ? PLS_POOL_SLICE_MS :
					   PLS_POOL_SEND_TIMEOUT_MS);
	if (rc != PLS_CHAN_OK)
		send_retry(w, tag, msg, fname, rc);

	/*
	 * a FETCH or CLOSE of a set runs the function's code as a CALL does,
	 * and WHITELIST the sandbox's: each is answered with RETURN, RAISE or
	 * ROWS
	 */
	if (tag == PLS_MSG_CALL || tag == PLS_MSG_FETCH || tag == PLS_MSG_CLOSE ||
		tag == PLS_MSG_WHITELIST)
		w->depth++;
	if (tag == PLS_MSG_CALL)
		w->calls++;
	w->messages++;
	w->last_used = ++pool_tick;
}

uint32
pls_pool_receive(PLSWorker *w, PlsWireRecv *reply, const char *fname)
{
	uint32		tag = 0;

	check_live(w);
	pgstat_report_wait_start(PG_WAIT_EXTENSION);
	PG_TRY();
	{
		for (;;)
		{
			int			rc = pls_wire_recv(&w->proc.chan, reply, &tag,
										   PLS_WIRE_MAX_MESSAGE,
										   PLS_POOL_SLICE_MS);

			if (rc == PLS_CHAN_OK)
			{
				/*
				 * A worker whose requests follow each other (a loop of
				 * plpy.quote_literal or ZoneInfo.no_cache) leaves no wait
				 * to time out: a cancel reaches it here, or never.
				 */
				if (tag == PLS_MSG_REQ)
					serve_interrupts(w, fname);
				break;
			}
			if (rc != PLS_CHAN_INTR && rc != PLS_CHAN_TIMEOUT)
				fault(w, fname, rc);
			serve_interrupts(w, fname);
		}
	}
	PG_CATCH();
	{
		pgstat_report_wait_end();
		discard_quietly(w);
		PG_RE_THROW();
	}
	PG_END_TRY();
	pgstat_report_wait_end();

	if ((tag == PLS_MSG_RETURN || tag == PLS_MSG_RAISE ||
		 tag == PLS_MSG_ROWS) && w->depth > 0)
	{
		w->depth--;
		w->interrupt_sent = false;
	}
	w->messages++;
	w->last_used = ++pool_tick;
	return tag;
}

uint32
pls_pool_exchange(PLSWorker *w, uint32 tag, const PlsWireBuf *msg,
				  PlsWireRecv *reply, const char *fname)
{
	pls_pool_send(w, tag, msg, fname);
	return pls_pool_receive(w, reply, fname);
}

int
pls_pool_depth(PLSWorker *w)
{
	return w->depth;
}

void
pls_pool_unwind(PLSWorker *w, int depth)
{
	if (w->live && w->depth > depth)
	{
		ereport(DEBUG1,
				(errmsg_internal("ending the plsafepy worker of role \"%s\" (pid %d): an error left it in a call",
								 NameStr(w->rolename), (int) w->proc.pid)));
		discard_quietly(w);
	}
}

/* The same function called again needs no look-up (a call per row). */
bool
pls_pool_knows(PLSWorker *w, uint32 fn_oid, uint64 fn_gen)
{
	KnownFunction *k;

	if (!w->live)
		return false;
	if (w->last_gen == fn_gen && w->last_oid == fn_oid)
		return true;
	k = hash_search(w->known, &fn_oid, HASH_FIND, NULL);
	if (k == NULL || k->fn_gen != fn_gen)
		return false;
	w->last_oid = fn_oid;
	w->last_gen = fn_gen;
	return true;
}

void
pls_pool_learned(PLSWorker *w, uint32 fn_oid, uint64 fn_gen)
{
	KnownFunction *k;

	check_live(w);
	k = hash_search(w->known, &fn_oid, HASH_ENTER, NULL);
	k->fn_gen = fn_gen;
	w->last_oid = fn_oid;
	w->last_gen = fn_gen;
}

/*
 * The i-th live worker (0 <= i < pls_pool_count()) as plsafepy_workers()
 * shows it (worker_view.c).
 */
int
pls_pool_count(void)
{
	return nworkers;
}

void
pls_pool_info(int i, PLSWorkerInfo *info)
{
	PLSWorker  *w = workers[i];

	info->rolename = NameStr(w->rolename);
	info->pid = w->proc.pid;
	info->walls = w->proc.hello.walls;
	info->calls = w->calls;
	info->messages = w->messages;
	info->started = w->started;
}
