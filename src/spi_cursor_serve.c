/*-------------------------------------------------------------------------
 *
 * spi_cursor_serve.c
 *	  The PostgreSQL side of plpy.cursor (spi_cursor.c): a cursor
 *	  (PLSHostCursor) is its portal's name; opening, fetching and closing
 *	  are door requests.  A fetch collects copies of the rows first, so that
 *	  a query that fails after some rows still delivers them before its
 *	  error (kept with the cursor, rolled back).  Served for inline mode
 *	  (the host hooks: rows converted to dicts at once) and for a worker
 *	  (process_spi.c: rows as door values).
 *
 *-------------------------------------------------------------------------
 */
#include "plpy_int.h"

#include "tcop/pquery.h"
#include "utils/memutils.h"
#include "utils/portal.h"

/* Cursors whose portal is open, of every interpreter and worker. */
static PLSHostCursor *open_cursors = NULL;

/*
 * The cursor's portal, or NULL if it is gone (its subtransaction or
 * transaction ended).  Looked up by name only when pls_portal_epoch moved:
 * nothing else can drop it.
 */
static Portal
cursor_portal(PLSHostCursor *cur)
{
	Portal		portal = GetPortalByName(cur->portalname);

	if (!PortalIsValid(portal))
		return NULL;
	cur->epoch = pls_portal_epoch;
	return portal;
}

bool
pls_cursor_valid(PLSHostCursor *cur)
{
	if (cur->epoch == pls_portal_epoch)
		return true;
	return cursor_portal(cur) != NULL;
}

static void
cursor_link(PLSHostCursor *cur)
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
cursor_unlink(PLSHostCursor *cur)
{
	if (cur->prev_open)
		cur->prev_open->next_open = cur->next_open;
	else if (open_cursors == cur)
		open_cursors = cur->next_open;
	if (cur->next_open)
		cur->next_open->prev_open = cur->prev_open;
	cur->next_open = cur->prev_open = NULL;
}

/* ---------- the requests ---------- */

typedef struct OpenReq
{
	const PLSSpiStmt *st;
	PLSHostCursor *cur;			/* reply */
} OpenReq;

static void
serve_open(void *arg)
{
	OpenReq    *req = (OpenReq *) arg;
	const PLSSpiStmt *st = req->st;
	MemoryContext scratch = pls_exec_scratch(pls_exec_ctx);
	MemoryContext mcxt;
	PLSHostCursor *cur;
	Portal		portal;
	bool		readonly = pls_exec_readonly();

	MemoryContextReset(scratch);
	if (st->plan == NULL)
	{
		char	   *sql = pls_utf8_to_server(st->query, st->querylen);
		SPIPlanPtr	plan;

		plan = SPI_prepare(sql, 0, NULL);
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s",
				 SPI_result_code_string(SPI_result));
		portal = SPI_cursor_open(NULL, plan, NULL, NULL, readonly);
		SPI_freeplan(plan);
	}
	else
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(scratch);
		int			nargs = st->plan->nargs;
		Datum	   *values = palloc(sizeof(Datum) * (nargs + 1));
		char	   *nulls = palloc(sizeof(char) * (nargs + 1));

		pls_plan_decode_args(st->plan, st->args, values, nulls);
		MemoryContextSwitchTo(oldcxt);
		portal = SPI_cursor_open(NULL, st->plan->plan, values, nulls,
								 readonly);
	}
	if (portal == NULL)
		elog(ERROR, "SPI_cursor_open() failed: %s",
			 SPI_result_code_string(SPI_result));
	mcxt = AllocSetContextCreate(TopMemoryContext, "plsafepy cursor",
								 ALLOCSET_SMALL_SIZES);
	cur = MemoryContextAllocZero(mcxt, sizeof(PLSHostCursor));
	cur->mcxt = mcxt;
	cur->portalname = MemoryContextStrdup(mcxt, portal->name);
	cur->epoch = pls_portal_epoch;
	req->cur = cur;
}

/* Open st's portal; the cursor is linked to the open ones. */
PLSHostCursor *
pls_cursor_open(PLSDoorFn door, const PLSSpiStmt *st, PLSDoorError *err)
{
	OpenReq		req = {st, NULL};

	if (!door(serve_open, &req, PLS_DOOR_SUBXACT, err, NULL))
		return NULL;
	req.cur->epoch = pls_portal_epoch;
	cursor_link(req.cur);
	return req.cur;
}


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

/* run the portal into the collector */
static void
serve_fetch(void *arg)
{
	PLSFetchReq *req = (PLSFetchReq *) arg;
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

/*
 * Run the portal for up to req->count rows, collected in req->coll (in the
 * request's scratch memory, kept until the next request).  False with the
 * error in *err (kept in the cursor's memory) if the query failed; rows
 * it produced before may still have been collected.
 */
bool
pls_cursor_fetch(PLSDoorFn door, PLSFetchReq *req, PLSDoorError *err)
{
	return door(serve_fetch, req, PLS_DOOR_SUBXACT, err, req->cur->mcxt);
}

/* inline mode: the collected rows as dicts, through the row sink */
typedef struct ConvertReq
{
	PLSFetchReq *fetch;
	PyObject   *rows;			/* reply */
} ConvertReq;

static void
serve_convert(void *arg)
{
	ConvertReq *creq = (ConvertReq *) arg;
	PLSFetchReq *req = creq->fetch;
	RowCollector *coll = req->coll;

	pls_door_sink_enter();
	PG_TRY();
	{
		if (coll->n > 0 && coll->desc != NULL)
			creq->rows = pls_rows_to_list(&req->cur->rc, coll->tuples, coll->n,
										  coll->desc, req->rowtmp);
		else
			creq->rows = PyList_New(0);
	}
	PG_CATCH();
	{
		pls_door_sink_leave();
		PG_RE_THROW();
	}
	PG_END_TRY();
	pls_door_sink_leave();
	if (creq->rows == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("could not convert a result row to Python")));
}

static void
serve_close(void *arg)
{
	Portal		portal = GetPortalByName((const char *) arg);

	if (PortalIsValid(portal))
	{
		if (portal->portalPinned)
			UnpinPortal(portal);
		SPI_cursor_close(portal);
	}
}

/*
 * Drop the portal.  An error (an active portal cannot be dropped) is
 * rolled back and dropped: transaction end drops it then.  Outside a call
 * there is no request to make; transaction end drops it too.
 */
void
pls_cursor_close(PLSDoorFn door, PLSHostCursor *cur)
{
	cursor_unlink(cur);
	if (pls_exec_ctx != NULL)
		(void) door(serve_close, cur->portalname, PLS_DOOR_SUBXACT, NULL, NULL);
}

/* Forget the cursor (closed before, or its portal left to transaction end). */
void
pls_cursor_free(PLSHostCursor *cur)
{
	cursor_unlink(cur);
	MemoryContextDelete(cur->mcxt);
}

/* ---------- the host hooks of inline mode ---------- */

/* a pending error: the door's, kept in the cursor's memory */
struct PLSHostError
{
	PLSDoorError err;
};

PLSHostCursor *
pls_host_spi_cursor_open(const PLSSpiStmt *st)
{
	PLSDoorError err;
	PLSHostCursor *cur = pls_cursor_open(pls_door_call_keep, st, &err);

	if (cur == NULL)
	{
		pls_door_raise(&err);
		pls_door_error_free(&err);
	}
	return cur;
}

bool
pls_host_spi_cursor_valid(PLSHostCursor *cur)
{
	return pls_cursor_valid(cur);
}

PyObject *
pls_host_spi_cursor_fetch(PLSHostCursor *cur, long count,
						  PLSHostError **pending)
{
	PLSFetchReq req;
	PLSDoorError err;
	bool		fetched;

	memset(&req, 0, sizeof(req));
	req.cur = cur;
	req.count = count;
	/* an error that comes after some rows is kept with the cursor */
	fetched = pls_cursor_fetch(pls_door_call_keep, &req, &err);

	/* the rows produced before a failure still come first */
	if (req.coll != NULL && (fetched || req.coll->n > 0))
	{
		int			gc_was_enabled = PyGC_Disable();
		ConvertReq	creq = {&req, NULL};
		bool		ok;
		PLSDoorError err2;

		/* the collected rows stay in scratch memory: no reset in between */
		ok = pls_door_call(serve_convert, &creq, PLS_DOOR_SUBXACT, &err2);
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
			PLSHostError *e = malloc(sizeof(PLSHostError));

			if (e == NULL)
			{
				pls_door_error_free(&err);
				Py_DECREF(creq.rows);
				return PyErr_NoMemory();
			}
			e->err = err;
			*pending = e;
		}
		cur->epoch = pls_portal_epoch;
		return creq.rows;
	}
	if (fetched)
		return PyList_New(0);
	pls_door_raise(&err);
	pls_door_error_free(&err);
	return NULL;
}

void
pls_host_spi_error_raise(PLSHostError *e)
{
	pls_door_raise(&e->err);
	pls_host_spi_error_free(e);
}

void
pls_host_spi_error_free(PLSHostError *e)
{
	pls_door_error_free(&e->err);
	free(e);
}

void
pls_host_spi_cursor_close(PLSHostCursor *cur)
{
	pls_cursor_close(pls_door_call_keep, cur);
}

void
pls_host_spi_cursor_free(PLSHostCursor *cur)
{
	/* the result shape's keys belong to this interpreter */
	pls_rowconv_free(cur->rc);
	cur->rc = NULL;
	pls_cursor_free(cur);
}

/* ---------- commit and rollback keep the open cursors ---------- */

/*
 * Pin the portals of the open cursors (names returned), so SPI_commit and
 * SPI_rollback keep them as holdable portals.  Suspended; may ereport.
 */
char **
pls_cursors_pin(int *n)
{
	PLSHostCursor  *cur;
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

