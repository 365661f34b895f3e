/*-------------------------------------------------------------------------
 *
 * spi_subxact.c
 *	  plpy.subtransaction() (PL/Python's PLySubtransaction): entering and
 *	  exiting are door requests that start and end a subtransaction; the
 *	  entries live in the execution context of the call that entered them,
 *	  so code can only exit the innermost subtransaction it entered itself
 *	  (never another call's, nor an internal one around a request), and
 *	  those left open are aborted when the call returns.
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
	uint64		serial;			/* matches the owning Python object */
	MemoryContext oldcontext;
	ResourceOwner oldowner;
	struct PLSSubxactEntry *next;
} PLSSubxactEntry;

typedef struct PLSSubxact
{
	PyObject_HEAD
	bool		started;
	bool		exited;
	uint64		serial;
} PLSSubxact;

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

/* ---------- Python side ---------- */

static void
subxact_dealloc(PyObject *self)
{
	PyObject_Free(self);
}

PyObject *
pls_spi_subtransaction(PyObject *self, PyObject *unused)
{
	PLSSubxact *ob;

	ob = PyObject_New(PLSSubxact, &PLSSubxactType);
	if (ob == NULL)
		return NULL;
	ob->started = false;
	ob->exited = false;
	ob->serial = 0;
	return (PyObject *) ob;
}

/* subxact.__enter__() or subxact.enter() */
static PyObject *
subxact_enter(PyObject *self, PyObject *unused)
{
	PLSSubxact *ob = (PLSSubxact *) self;
	EnterReq	req = {NULL};
	PLSDoorError err;

	if (ob->started)
	{
		PyErr_SetString(PyExc_ValueError, "this subtransaction has already been entered");
		return NULL;
	}
	if (ob->exited)
	{
		PyErr_SetString(PyExc_ValueError, "this subtransaction has already been exited");
		return NULL;
	}
	if (!pls_exec_check())
		return NULL;

	if (!pls_door_call(serve_enter, &req, PLS_DOOR_XACT, &err))
	{
		pls_door_raise(&err);
		pls_door_error_free(&err);
		return NULL;
	}
	ob->started = true;
	ob->serial = req.entry->serial;
	Py_INCREF(self);
	return self;
}

/*
 * subxact.__exit__(type, value, traceback) or subxact.exit(...): commit
 * if type is None, else roll back.  Only the innermost open subtransaction
 * of this call may be exited.
 */
static PyObject *
subxact_exit(PyObject *self, PyObject *args)
{
	PLSSubxact *ob = (PLSSubxact *) self;
	PyObject   *type;
	PyObject   *value;
	PyObject   *traceback;
	PLSExecCtx *ctx = pls_exec_ctx;
	ExitReq		req;
	PLSDoorError err;
	bool		ok;

	if (!PyArg_ParseTuple(args, "OOO", &type, &value, &traceback))
		return NULL;
	if (!ob->started)
	{
		PyErr_SetString(PyExc_ValueError, "this subtransaction has not been entered");
		return NULL;
	}
	if (ob->exited)
	{
		PyErr_SetString(PyExc_ValueError, "this subtransaction has already been exited");
		return NULL;
	}
	if (ctx == NULL || ctx->subxacts == NULL ||
		ctx->subxacts->serial != ob->serial ||
		ctx->subxacts->subid != GetCurrentSubTransactionId())
	{
		PyErr_SetString(PyExc_ValueError, "there is no subtransaction to exit from");
		return NULL;
	}

	ob->exited = true;
	req.entry = subxact_pop(ctx);
	req.commit = (type == Py_None);
	ok = pls_door_call(serve_exit, &req, PLS_DOOR_XACT, &err);
	pfree(req.entry);
	if (!ok)
	{
		pls_door_raise(&err);
		pls_door_error_free(&err);
		return NULL;
	}
	Py_RETURN_NONE;
}

static PyMethodDef subxact_methods[] = {
	{"__enter__", subxact_enter, METH_VARARGS, NULL},
	{"__exit__", subxact_exit, METH_VARARGS, NULL},
	/* user-friendly names, as PL/Python */
	{"enter", subxact_enter, METH_VARARGS, NULL},
	{"exit", subxact_exit, METH_VARARGS, NULL},
	{NULL, NULL, 0, NULL}
};

PyTypeObject PLSSubxactType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "PLySubtransaction",
	.tp_basicsize = sizeof(PLSSubxact),
	.tp_dealloc = subxact_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "PostgreSQL subtransaction context manager",
	.tp_methods = subxact_methods,
};

/*
 * At the end of a Python call: abort the explicit subtransactions it
 * opened and did not exit, with PL/Python's warning.  Called with the
 * interpreter current (no Python runs here); PostgreSQL code, not a door
 * request: an error here is the call's error.
 */
void
pls_subxact_abort_open_slow(int depth)
{
	PLSExecCtx *ctx = pls_exec_ctx;
	PLSEntry	save;

	pls_suspend(&save);
	PG_TRY();
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
