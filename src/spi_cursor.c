/*-------------------------------------------------------------------------
 *
 * spi_cursor.c
 *	  plpy.cursor and cursor objects (PL/Python's PLyCursor).  Opening,
 *	  fetching and closing are door requests.  Iteration prefetches rows in
 *	  growing batches; a query that fails after some rows still delivers
 *	  those rows first (the error is kept with the cursor, rolled back), so
 *	  the loop body sees what PL/Python's row-at-a-time fetching shows.
 *
 *-------------------------------------------------------------------------
 */
#include "plpy_int.h"

#include "tcop/pquery.h"
#include "utils/memutils.h"
#include "utils/portal.h"

/* Cursor iteration prefetches this many rows, doubling up to the max. */
#define CURSOR_BATCH_MIN 10
#define CURSOR_BATCH_MAX 1000

typedef struct PLSCursor
{
	PyObject_HEAD
	char	   *portalname;		/* the cursor handle */
	MemoryContext mcxt;
	bool		closed;
	uint64		epoch;			/* pls_portal_epoch when last found valid */
	RowConv    *rc;
	PyObject   *buf;			/* prefetched rows (list) or NULL */
	Py_ssize_t	bufpos;
	long		batch;
	bool		has_pending;	/* pending: the error that ended the last
								 * prefetch, raised once the rows before it
								 * are consumed */
	PLSDoorError pending;
	struct PLSCursor *next_open;	/* open_cursors list */
	struct PLSCursor *prev_open;
} PLSCursor;

/* Cursors whose portal is open, of every interpreter (C data only). */
static PLSCursor *open_cursors = NULL;

/*
 * The cursor's portal, or NULL if it is gone (its subtransaction or
 * transaction ended).  Looked up by name only when pls_portal_epoch moved:
 * nothing else can drop it.
 */
static Portal
cursor_portal(PLSCursor *cur)
{
	Portal		portal = GetPortalByName(cur->portalname);

	if (!PortalIsValid(portal))
		return NULL;
	cur->epoch = pls_portal_epoch;
	return portal;
}

static bool
cursor_still_valid(PLSCursor *cur)
{
	if (cur->epoch == pls_portal_epoch)
		return true;
	return cursor_portal(cur) != NULL;
}

static void
cursor_link(PLSCursor *cur)
{
	/*
	 * Not pinned (unlike PL/Python): a cursor left open past the end of
	 * the transaction must not make COMMIT fail.  plpy.commit() pins the
	 * open cursors' portals just while it runs, so a commit inside a cursor
	 * loop keeps them (as holdable portals) as in PL/Python.
	 */
	cur->next_open = open_cursors;
	cur->prev_open = NULL;
	if (open_cursors)
		open_cursors->prev_open = cur;
	open_cursors = cur;
}

static void
cursor_unlink(PLSCursor *cur)
{
	if (cur->prev_open)
		cur->prev_open->next_open = cur->next_open;
	else if (open_cursors == cur)
		open_cursors = cur->next_open;
	if (cur->next_open)
		cur->next_open->prev_open = cur->prev_open;
	cur->next_open = cur->prev_open = NULL;
}

static void
cursor_drop_pending(PLSCursor *cur)
{
	if (cur->has_pending)
		pls_door_error_free(&cur->pending);
	cur->has_pending = false;
}

/* ---------- the requests ---------- */

typedef struct OpenReq
{
	const char *query;			/* a query, or a plan with its arguments */
	Py_ssize_t	querylen;
	PLSPlan    *plan;
	const PLSValue *args;
	bool		readonly;
	PLSCursor  *cur;			/* reply: its portal name (the handle) */
} OpenReq;

/* PostgreSQL side */
static void
serve_open(void *arg)
{
	OpenReq    *req = (OpenReq *) arg;
	PLSCursor  *cur = req->cur;
	MemoryContext scratch = pls_exec_scratch(pls_exec_ctx);
	Portal		portal;

	MemoryContextReset(scratch);
	if (req->plan == NULL)
	{
		char	   *sql = pls_utf8_to_server(req->query, req->querylen);
		SPIPlanPtr	plan;

		plan = SPI_prepare(sql, 0, NULL);
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s",
				 SPI_result_code_string(SPI_result));
		portal = SPI_cursor_open(NULL, plan, NULL, NULL, req->readonly);
		SPI_freeplan(plan);
	}
	else
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(scratch);
		int			nargs = req->plan->nargs;
		Datum	   *values = palloc(sizeof(Datum) * (nargs + 1));
		char	   *nulls = palloc(sizeof(char) * (nargs + 1));

		pls_plan_decode_args(req->plan, req->args, values, nulls);
		MemoryContextSwitchTo(oldcxt);
		portal = SPI_cursor_open(NULL, req->plan->plan, values, nulls,
								 req->readonly);
	}
	if (portal == NULL)
		elog(ERROR, "SPI_cursor_open() failed: %s",
			 SPI_result_code_string(SPI_result));
	if (cur->mcxt == NULL)
		cur->mcxt = AllocSetContextCreate(TopMemoryContext, "plsafepy cursor",
										  ALLOCSET_SMALL_SIZES);
	cur->portalname = MemoryContextStrdup(cur->mcxt, portal->name);
}

/*
 * A DestReceiver keeping copies of the rows a fetch produces, in memory
 * that outlives the fetch's subtransaction: if the query fails after some
 * rows, those rows are still delivered before the error, exactly as
 * PL/Python's row-at-a-time fetching would.
 */
typedef struct RowCollector
{
	DestReceiver pub;
	MemoryContext cxt;
	TupleDesc	desc;
	HeapTuple  *tuples;
	uint64		n;
	uint64		alloc;
} RowCollector;

static bool
collector_receive(TupleTableSlot *slot, DestReceiver *self)
{
	RowCollector *c = (RowCollector *) self;
	MemoryContext oldcxt = MemoryContextSwitchTo(c->cxt);

	if (c->n >= c->alloc)
	{
		c->alloc = c->alloc ? c->alloc * 2 : 64;
		if (c->tuples == NULL)
			c->tuples = palloc(sizeof(HeapTuple) * c->alloc);
		else
			c->tuples = repalloc_huge(c->tuples, sizeof(HeapTuple) * c->alloc);
	}
	c->tuples[c->n++] = ExecCopySlotHeapTuple(slot);
	MemoryContextSwitchTo(oldcxt);
	return true;
}

static void
collector_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
	RowCollector *c = (RowCollector *) self;
	MemoryContext oldcxt = MemoryContextSwitchTo(c->cxt);

	if (c->desc == NULL && typeinfo != NULL)
		c->desc = CreateTupleDescCopy(typeinfo);
	MemoryContextSwitchTo(oldcxt);
}

static void
collector_shutdown(DestReceiver *self)
{
}

static void
collector_destroy(DestReceiver *self)
{
}

typedef struct FetchReq
{
	PLSCursor  *cur;
	long		count;
	RowCollector *coll;			/* in the request's scratch memory */
	MemoryContext rowtmp;
	PyObject   *rows;			/* reply of the conversion */
} FetchReq;

/* PostgreSQL side: run the portal into the collector */
static void
serve_fetch(void *arg)
{
	FetchReq   *req = (FetchReq *) arg;
	MemoryContext scratch = pls_exec_scratch(pls_exec_ctx);
	RowCollector *coll;
	Portal		portal;

	MemoryContextReset(scratch);
	coll = MemoryContextAllocZero(scratch, sizeof(RowCollector));
	coll->pub.receiveSlot = collector_receive;
	coll->pub.rStartup = collector_startup;
	coll->pub.rShutdown = collector_shutdown;
	coll->pub.rDestroy = collector_destroy;
	coll->pub.mydest = DestNone;
	coll->cxt = AllocSetContextCreate(scratch, "plsafepy cursor rows",
									  ALLOCSET_DEFAULT_SIZES);
	req->rowtmp = pls_exec_rowtmp(pls_exec_ctx);
	req->coll = coll;

	portal = cursor_portal(req->cur);
	if (portal == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_CURSOR_STATE),
				 errmsg("cursor is gone")));
	(void) PortalRunFetch(portal, FETCH_FORWARD, req->count,
						  (DestReceiver *) coll);
}

/* PostgreSQL side: the collected rows as dicts, through the row sink */
static void
serve_convert(void *arg)
{
	FetchReq   *req = (FetchReq *) arg;
	RowCollector *coll = req->coll;

	pls_door_sink_enter();
	PG_TRY();
	{
		if (coll->n > 0 && coll->desc != NULL)
			req->rows = pls_rows_to_list(&req->cur->rc, coll->tuples, coll->n,
										 coll->desc, req->rowtmp);
		else
			req->rows = PyList_New(0);
	}
	PG_CATCH();
	{
		pls_door_sink_leave();
		PG_RE_THROW();
	}
	PG_END_TRY();
	pls_door_sink_leave();
	if (req->rows == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("could not convert a result row to Python")));
}

typedef struct CloseReq
{
	const char *portalname;
} CloseReq;

/* PostgreSQL side */
static void
serve_close(void *arg)
{
	Portal		portal = GetPortalByName(((CloseReq *) arg)->portalname);

	if (PortalIsValid(portal))
	{
		if (portal->portalPinned)
			UnpinPortal(portal);
		SPI_cursor_close(portal);
	}
}

/* ---------- Python side ---------- */

/*
 * Drop the portal.  An error (an active portal cannot be dropped) is
 * rolled back and dropped: transaction end drops it then.  Outside a call
 * there is no request to make; transaction end drops it too.
 */
static void
cursor_release(PLSCursor *cur)
{
	CloseReq	req;

	if (cur->closed || cur->portalname == NULL)
		return;
	cur->closed = true;
	cursor_unlink(cur);
	req.portalname = cur->portalname;
	if (pls_exec_ctx != NULL)
		(void) pls_door_call(serve_close, &req, PLS_DOOR_SUBXACT, NULL);
}

static void
cursor_dealloc(PyObject *self)
{
	PLSCursor  *cur = (PLSCursor *) self;

	cursor_release(cur);
	cursor_unlink(cur);
	Py_CLEAR(cur->buf);
	cursor_drop_pending(cur);
	pls_rowconv_free(cur->rc);
	cur->rc = NULL;
	if (cur->mcxt)
	{
		MemoryContextDelete(cur->mcxt);
		cur->mcxt = NULL;
	}
	PyObject_Free(self);
}

static PLSCursor *
cursor_new(void)
{
	PLSCursor  *cur;

	cur = PyObject_New(PLSCursor, &PLSCursorType);
	if (cur == NULL)
		return NULL;
	cur->portalname = NULL;
	cur->closed = false;
	cur->epoch = 0;
	cur->rc = NULL;
	cur->buf = NULL;
	cur->bufpos = 0;
	cur->batch = CURSOR_BATCH_MIN;
	cur->has_pending = false;
	cur->next_open = NULL;
	cur->prev_open = NULL;
	cur->mcxt = NULL;
	return cur;
}

static PyObject *
cursor_open(OpenReq *req)
{
	PLSCursor  *cur = cursor_new();
	PLSDoorError err;

	if (cur == NULL)
		return NULL;
	req->cur = cur;
	req->readonly = pls_exec_readonly();
	if (!pls_door_call(serve_open, req, PLS_DOOR_SUBXACT, &err))
	{
		cur->closed = true;
		Py_DECREF(cur);
		pls_door_raise(&err);
		pls_door_error_free(&err);
		return NULL;
	}
	cur->epoch = pls_portal_epoch;
	cursor_link(cur);
	return (PyObject *) cur;
}

static PyObject *
cursor_query(PyObject *query)
{
	OpenReq		req;

	if (!pls_exec_check())
		return NULL;
	memset(&req, 0, sizeof(req));
	req.query = pls_str_utf8(query, &req.querylen);
	if (req.query == NULL)
		return NULL;
	return cursor_open(&req);
}

static PyObject *
open_with_args(void *request, const PLSValue *values)
{
	OpenReq    *req = (OpenReq *) request;

	req->args = values;
	return cursor_open(req);
}

PyObject *
pls_cursor_plan(PLSPlan *plan, PyObject *args)
{
	OpenReq		req;

	memset(&req, 0, sizeof(req));
	req.plan = plan;
	return pls_plan_use(plan, args, "plpy.cursor", open_with_args, &req);
}

/* plpy.cursor(query) or plpy.cursor(plan[, args]) */
PyObject *
pls_spi_cursor(PyObject *self, PyObject *args)
{
	Py_ssize_t	n = PyTuple_GET_SIZE(args);

	if (n == 1 && PyUnicode_Check(PyTuple_GET_ITEM(args, 0)))
		return cursor_query(PyTuple_GET_ITEM(args, 0));
	if ((n == 1 || n == 2) && Py_IS_TYPE(PyTuple_GET_ITEM(args, 0), &PLSPlanType))
		return pls_cursor_plan((PLSPlan *) PyTuple_GET_ITEM(args, 0),
							   n == 2 ? PyTuple_GET_ITEM(args, 1) : NULL);

	PyErr_SetString(pls_current->exc_error,
					"plpy.cursor expected a query or a plan");
	return NULL;
}

/*
 * Fetch up to count rows from the portal as a new list (possibly empty).
 * If the query fails, the rows produced before the failure are returned
 * and the error is kept in cur->pending; if there are none, it is raised
 * at once.
 */
static PyObject *
cursor_fetch_rows(PLSCursor *cur, long count)
{
	FetchReq	req;
	PLSDoorError err;
	bool		fetched;

	if (!pls_exec_check())
		return NULL;
	memset(&req, 0, sizeof(req));
	req.cur = cur;
	req.count = count;
	/* an error that comes after some rows is kept with the cursor */
	fetched = pls_door_call_keep(serve_fetch, &req, PLS_DOOR_SUBXACT, &err,
								 cur->mcxt);

	/* the rows produced before a failure still come first */
	if (req.coll != NULL && (fetched || req.coll->n > 0))
	{
		int			gc_was_enabled = PyGC_Disable();
		bool		ok;
		PLSDoorError err2;

		/* the collected rows stay in scratch memory: no reset in between */
		ok = pls_door_call(serve_convert, &req, PLS_DOOR_SUBXACT, &err2);
		if (gc_was_enabled)
			PyGC_Enable();
		if (!ok)
		{
			if (!fetched)
				pls_door_error_free(&err);
			pls_door_raise(&err2);
			pls_door_error_free(&err2);
			return NULL;
		}
		if (!fetched)
		{
			cursor_drop_pending(cur);
			cur->pending = err;
			cur->has_pending = true;
		}
		cur->epoch = pls_portal_epoch;
		return req.rows;
	}
	if (fetched)
		return PyList_New(0);
	pls_door_raise(&err);
	pls_door_error_free(&err);
	return NULL;
}

/* Raise the error a prefetch ended with.  Always returns NULL. */
static PyObject *
cursor_raise_pending(PLSCursor *cur)
{
	pls_door_raise(&cur->pending);
	cursor_drop_pending(cur);
	return NULL;
}

static PyObject *
cursor_iternext(PyObject *self)
{
	PLSCursor  *cur = (PLSCursor *) self;
	PyObject   *row;

	if (cur->closed)
	{
		PyErr_SetString(PyExc_ValueError, "iterating a closed cursor");
		return NULL;
	}
	if (!cursor_still_valid(cur))
	{
		PyErr_SetString(PyExc_ValueError,
						"iterating a cursor in an aborted subtransaction");
		return NULL;
	}

	if (cur->buf == NULL || cur->bufpos >= PyList_GET_SIZE(cur->buf))
	{
		PyObject   *rows;

		Py_CLEAR(cur->buf);
		if (cur->has_pending)
			return cursor_raise_pending(cur);
		if (cursor_portal(cur) == NULL)
		{
			PyErr_SetString(PyExc_ValueError,
							"iterating a cursor in an aborted subtransaction");
			return NULL;
		}
		rows = cursor_fetch_rows(cur, cur->batch);
		if (rows == NULL)
			return NULL;
		if (cur->batch < CURSOR_BATCH_MAX)
			cur->batch = Min(cur->batch * 2, CURSOR_BATCH_MAX);
		if (PyList_GET_SIZE(rows) == 0)
		{
			Py_DECREF(rows);
			return NULL;		/* StopIteration */
		}
		/* (a nested call may have refilled it meanwhile) */
		Py_XSETREF(cur->buf, rows);
		cur->bufpos = 0;
	}
	row = PyList_GET_ITEM(cur->buf, cur->bufpos);
	Py_INCREF(row);
	cur->bufpos++;
	return row;
}

static PyObject *
cursor_fetch(PyObject *self, PyObject *args)
{
	PLSCursor  *cur = (PLSCursor *) self;
	int			count;
	PLSResult  *ret;
	PyObject   *rows = NULL;
	PyObject   *v;
	Py_ssize_t	nbuf = 0;

	if (!PyArg_ParseTuple(args, "i:fetch", &count))
		return NULL;
	if (cur->closed)
	{
		PyErr_SetString(PyExc_ValueError, "fetch from a closed cursor");
		return NULL;
	}
	if (cursor_portal(cur) == NULL)
	{
		PyErr_SetString(PyExc_ValueError,
						"iterating a cursor in an aborted subtransaction");
		return NULL;
	}

	ret = pls_result_make(NULL, NULL, NULL);
	if (ret == NULL)
		return NULL;

	/* rows already prefetched by iteration come first */
	if (cur->buf != NULL && count > 0)
	{
		Py_ssize_t	avail = PyList_GET_SIZE(cur->buf) - cur->bufpos;

		nbuf = Min(avail, count);
		rows = PyList_GetSlice(cur->buf, cur->bufpos, cur->bufpos + nbuf);
		if (rows == NULL)
			goto fail;
		cur->bufpos += nbuf;
		if (cur->bufpos >= PyList_GET_SIZE(cur->buf))
			Py_CLEAR(cur->buf);
	}
	if (count <= 0 || nbuf < count)
	{
		PyObject   *more;

		/* the query failed within the rows asked for: so does the fetch */
		if (cur->has_pending)
		{
			cursor_raise_pending(cur);
			goto fail;
		}
		more = cursor_fetch_rows(cur, count - nbuf);
		if (more == NULL)
			goto fail;
		if (cur->has_pending)
		{
			Py_DECREF(more);
			cursor_raise_pending(cur);
			goto fail;
		}
		if (rows == NULL)
			rows = more;
		else
		{
			int			rc = PyList_SetSlice(rows, nbuf, nbuf, more);

			Py_DECREF(more);
			if (rc < 0)
				goto fail;
		}
	}

	v = PyLong_FromLong(SPI_OK_FETCH);
	if (v == NULL)
		goto fail;
	Py_XSETREF(ret->status, v);
	v = PyLong_FromSsize_t(PyList_GET_SIZE(rows));
	if (v == NULL)
		goto fail;
	Py_XSETREF(ret->nrows, v);
	Py_XSETREF(ret->rows, rows);
	return (PyObject *) ret;

fail:
	Py_XDECREF(rows);
	Py_DECREF(ret);
	return NULL;
}

static PyObject *
cursor_close(PyObject *self, PyObject *unused)
{
	PLSCursor  *cur = (PLSCursor *) self;

	if (!cur->closed)
	{
		if (cursor_portal(cur) == NULL)
		{
			PyErr_SetString(PyExc_ValueError,
							"closing a cursor in an aborted subtransaction");
			return NULL;
		}
		cursor_release(cur);
		Py_CLEAR(cur->buf);
		cursor_drop_pending(cur);
	}
	Py_RETURN_NONE;
}

static PyMethodDef cursor_methods[] = {
	{"fetch", cursor_fetch, METH_VARARGS, NULL},
	{"close", cursor_close, METH_NOARGS, NULL},
	{NULL, NULL, 0, NULL}
};

PyTypeObject PLSCursorType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "PLyCursor",
	.tp_basicsize = sizeof(PLSCursor),
	.tp_dealloc = cursor_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "Wrapper around a PostgreSQL cursor",
	.tp_iter = PyObject_SelfIter,
	.tp_iternext = cursor_iternext,
	.tp_methods = cursor_methods,
};


/* ---------- commit and rollback keep the open cursors ---------- */

/*
 * Pin the portals of the open cursors (names returned), so SPI_commit and
 * SPI_rollback keep them as holdable portals.  Suspended; may ereport.
 */
char **
pls_cursors_pin(int *n)
{
	PLSCursor  *cur;
	char	  **names;
	int			count = 0;

	for (cur = open_cursors; cur; cur = cur->next_open)
		count++;
	names = MemoryContextAllocZero(TopMemoryContext, sizeof(char *) * (count + 1));
	*n = 0;
	for (cur = open_cursors; cur; cur = cur->next_open)
	{
		Portal		portal = GetPortalByName(cur->portalname);

		if (PortalIsValid(portal) && !portal->portalPinned)
		{
			names[*n] = MemoryContextStrdup(TopMemoryContext, cur->portalname);
			(*n)++;
			PinPortal(portal);
		}
	}
	return names;
}

/* Undo pin_open_cursors for the portals still there.  Never fails. */
void
pls_cursors_unpin(char **names, int n)
{
	int			i;

	for (i = 0; i < n; i++)
	{
		Portal		portal = GetPortalByName(names[i]);

		if (PortalIsValid(portal) && portal->portalPinned)
			UnpinPortal(portal);
		pfree(names[i]);
	}
	pfree(names);
}

