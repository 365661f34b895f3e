/*-------------------------------------------------------------------------
 *
 * spi_subxact_serve.c
 *	  The PostgreSQL side of plpy.subtransaction() (spi_subxact.c): entering
 *	  and exiting are door requests that start and end a subtransaction; the
 *	  entries live in the execution context of the call that entered them,
 *	  so code can only exit the innermost subtransaction it entered itself
 *	  (never another call's, nor an internal one around a request), and
 *	  those left open are aborted when the call returns.  A subtransaction's
 *	  token is its entry's serial, checked against the call's innermost
 *	  entry on exit.  Served for inline mode (the host hooks) and for a
 *	  worker (process_spi.c).
 *
 *-------------------------------------------------------------------------
 */
#include "plpy_int.h"

#include "access/xact.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

typedef struct PLSSubxactEntry
{
	SubTransactionId subid;
	uint64		serial;			/* the token of the Python object */
	MemoryContext oldcontext;
	ResourceOwner oldowner;
	struct PLSSubxactEntry *next;
} PLSSubxactEntry;

static uint64 subxact_serial = 0;

/* Unlink ctx's innermost entry; the caller ends the subtransaction. */
static PLSSubxactEntry *
subxact_pop(PLSExecCtx *ctx)
{
	PLSSubxactEntry *e = ctx->subxacts;

	ctx->subxacts = e->next;
	ctx->nsubxacts--;
	return e;
}

void
pls_subxact_forget(PLSExecCtx *ctx)
{
	while (ctx->subxacts != NULL)
		pfree(subxact_pop(ctx));
}

/* ---------- the requests ---------- */

typedef struct EnterReq
{
	PLSSubxactEntry *entry;		/* reply */
} EnterReq;

/* PostgreSQL side */
static void
serve_enter(void *arg)
{
	EnterReq   *req = (EnterReq *) arg;
	PLSExecCtx *ctx = pls_exec_ctx;
	MemoryContext cxt = CurrentMemoryContext;
	PLSSubxactEntry *e;

	e = MemoryContextAlloc(TopMemoryContext, sizeof(PLSSubxactEntry));
	e->oldcontext = cxt;
	e->oldowner = CurrentResourceOwner;
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	e->subid = GetCurrentSubTransactionId();
	e->serial = ++subxact_serial;
	e->next = ctx->subxacts;
	ctx->subxacts = e;
	ctx->nsubxacts++;
	req->entry = e;
}

bool
pls_subxact_enter(PLSDoorFn door, uint64 *token, PLSDoorError *err)
{
	EnterReq	req = {NULL};

	if (!door(serve_enter, &req, PLS_DOOR_XACT, err, NULL))
		return false;
	*token = req.entry->serial;
	return true;
}

typedef struct ExitReq
{
	PLSSubxactEntry *entry;		/* already unlinked */
	bool		commit;
} ExitReq;

/* An exit that failed to commit rolls the subtransaction back. */
static void
exit_on_error(void *arg)
{
	ExitReq    *req = (ExitReq *) arg;

	if (GetCurrentSubTransactionId() == req->entry->subid)
		RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(req->entry->oldcontext);
	CurrentResourceOwner = req->entry->oldowner;
}

/* PostgreSQL side */
static void
serve_exit(void *arg)
{
	ExitReq    *req = (ExitReq *) arg;

	/*
	 * Committing can fail (a subxact callback): then the door rolls the
	 * subtransaction back and reports the error.
	 */
	pls_door_on_error(exit_on_error, req);
	if (req->commit)
		ReleaseCurrentSubTransaction();
	else
		RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(req->entry->oldcontext);
	CurrentResourceOwner = req->entry->oldowner;
}

int
pls_subxact_exit(PLSDoorFn door, uint64 token, bool commit, PLSDoorError *err)
{
	PLSExecCtx *ctx = pls_exec_ctx;
	ExitReq		req;
	bool		ok;

	if (ctx == NULL || ctx->subxacts == NULL ||
		ctx->subxacts->serial != token ||
		ctx->subxacts->subid != GetCurrentSubTransactionId())
		return -1;
	req.entry = subxact_pop(ctx);
	req.commit = commit;
	ok = door(serve_exit, &req, PLS_DOOR_XACT, err, NULL);
	pfree(req.entry);
	return ok ? 1 : 0;
}

/* ---------- the host hooks of inline mode ---------- */

bool
pls_host_spi_subxact_enter(uint64_t *token)
{
	PLSDoorError err;
	uint64		t;

	if (!pls_subxact_enter(pls_door_call_keep, &t, &err))
	{
		pls_door_raise(&err);
		pls_door_error_free(&err);
		return false;
	}
	*token = t;
	return true;
}

int
pls_host_spi_subxact_exit(uint64_t token, bool commit)
{
	PLSDoorError err;
	int			rc = pls_subxact_exit(pls_door_call_keep, token, commit, &err);

	if (rc == 0)
	{
		pls_door_raise(&err);
		pls_door_error_free(&err);
	}
	return rc;
}

/*
 * At the end of a call's Python code: abort the explicit subtransactions
 * above depth it opened and did not exit, with PL/Python's warning.
 * PostgreSQL code, not a door request: an error here is the call's error.
 * No Python is current (process mode calls it directly).
 */
void
pls_subxact_abort_entries(PLSExecCtx *ctx, int depth)
{
	while (ctx->nsubxacts > depth)
	{
		PLSSubxactEntry *e = subxact_pop(ctx);

		ereport(WARNING,
				(errmsg("forcibly aborting a subtransaction that has not been exited")));
		if (GetCurrentSubTransactionId() == e->subid)
			RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(e->oldcontext);
		CurrentResourceOwner = e->oldowner;
		pfree(e);
		pls_portal_epoch++;
	}
}

/* The same, called with the interpreter current (inline mode). */
void
pls_subxact_abort_open_slow(int depth)
{
	PLSEntry	save;

	pls_suspend(&save);
	PG_TRY();
	{
		pls_subxact_abort_entries(pls_exec_ctx, depth);
	}
	PG_FINALLY();
	{
		pls_resume(&save);
	}
	PG_END_TRY();
}

/* ---------- transaction callbacks ---------- */

static void
xact_callback(XactEvent event, void *arg)
{
	pls_portal_epoch++;
	switch (event)
	{
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PREPARE:
			/* whatever was left open is gone with the transaction */
			for (PLSExecCtx *ctx = pls_exec_ctx; ctx; ctx = ctx->prev)
				pls_subxact_forget(ctx);
			break;
		default:
			break;
	}
}

static void
subxact_callback(SubXactEvent event, SubTransactionId mySubid,
				 SubTransactionId parentSubid, void *arg)
{
	if (event != SUBXACT_EVENT_ABORT_SUB && event != SUBXACT_EVENT_COMMIT_SUB)
		return;
	if (event == SUBXACT_EVENT_ABORT_SUB)
		pls_portal_epoch++;

	/* a subtransaction of ours ended by someone else: forget it */
	for (PLSExecCtx *ctx = pls_exec_ctx; ctx; ctx = ctx->prev)
	{
		PLSSubxactEntry **link;

		for (link = &ctx->subxacts; *link != NULL; link = &(*link)->next)
		{
			if ((*link)->subid == mySubid)
			{
				PLSSubxactEntry *e = *link;

				*link = e->next;
				ctx->nsubxacts--;
				pfree(e);
				return;
			}
		}
	}
}

void
pls_subxact_register_callbacks(void)
{
	RegisterXactCallback(xact_callback, NULL);
	RegisterSubXactCallback(subxact_callback, NULL);
}
