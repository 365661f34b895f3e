/*-------------------------------------------------------------------------
 *
 * spi.c
 *	  The SPI side of the plpy module, with PL/Python's names, messages and
 *	  behaviour: plpy.execute, plpy.prepare and plan objects, plpy.cursor
 *	  and cursor objects, result objects, plpy.subtransaction() and
 *	  plpy.commit()/plpy.rollback().
 *
 *	  Rules kept by every function here:
 *	  - PostgreSQL code runs with the role's interpreter stepped out of
 *		(pls_suspend), so SQL reached from here never runs inside it;
 *		Python values are converted to Datums before, and results back to
 *		Python after (pls_resume).  plpy.execute's rows are converted as
 *		the executor produces them (a DestReceiver that steps back in for
 *		each row, running no user code), so no SPI tuple table is built.
 *	  - Cursor iteration prefetches rows in growing batches; a query that
 *		fails after some rows still delivers those rows first, so the
 *		loop body sees what PL/Python's row-at-a-time fetching shows.
 *	  - Every SPI call runs in an internal subtransaction, so an error
 *		rolls back just that call and comes back as a plpy.SPIError
 *		subclass; no PostgreSQL error ever longjmps over a Python frame.
 *	  - Conversion info is built once per result shape (a RowConv) and
 *		kept with the plan, the cursor, or a small per-interpreter cache,
 *		never looked up per row.
 *
 *-------------------------------------------------------------------------
 */
#include "plpy_int.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "nodes/params.h"
#include "parser/parse_type.h"
#include "tcop/pquery.h"
#include "utils/memutils.h"
#include "utils/portal.h"
#include "utils/resowner.h"

/* Cursor iteration prefetches this many rows, doubling up to the max. */
#define CURSOR_BATCH_MIN 10
#define CURSOR_BATCH_MAX 1000

/* Result shapes remembered per interpreter for plpy.execute(query). */
#define ROWCONV_CACHE_SIZE 16

/* ---------- state shared by the whole backend ---------- */

/*
 * Bumped whenever a portal may have gone away (subtransaction abort,
 * transaction end, any SPI call of ours): a cursor re-checks its portal by
 * name only when this moved since it last did.
 */
static uint64 portal_epoch = 1;

/*
 * Explicit subtransactions (plpy.subtransaction()), innermost first.  The
 * entries live in TopMemoryContext and are dropped at transaction end too,
 * so a stale entry can never be exited.
 */
typedef struct ExplicitSubxact
{
	SubTransactionId subid;
	uint64		serial;			/* matches the owning Python object */
	MemoryContext oldcontext;
	ResourceOwner oldowner;
	struct ExplicitSubxact *next;
} ExplicitSubxact;

static ExplicitSubxact *explicit_subxacts = NULL;
static int	explicit_depth = 0;
static uint64 subxact_serial = 0;

/*
 * Scratch memory for arguments and per-row conversion, one context per
 * nesting level of SPI calls (plsafepy -> SPI -> plsafepy ...), reset when
 * the level is entered again.
 */
static MemoryContext *scratch_cxt = NULL;
static int	scratch_alloc = 0;
static int	scratch_depth = 0;


/* ---------- conversion info for one result shape ---------- */

typedef struct RowConv
{
	MemoryContext mcxt;
	PLSInterp  *interp;			/* the keys belong to this interpreter */
	int			natts;
	Oid		   *typoids;		/* natts entries: the shape's signature */
	int32	   *typmods;
	bool	   *dropped;
	NameData   *names;
	int			nlive;
	int		   *live;			/* nlive attribute numbers (0-based) */
	PLSType    *types;			/* nlive entries */
	PyObject  **keys;			/* nlive column names (str) */
	int			pins;			/* rows_to_list calls using it now */
	bool		doomed;			/* replaced while pinned: free at unpin */
} RowConv;

typedef struct RowConvSlot
{
	RowConv    *rc;
	uint32		hash;
} RowConvSlot;

static RowConvSlot rowconv_cache[ROWCONV_CACHE_SIZE];
static int	rowconv_next = 0;

/* Cursors whose portal is open, of every interpreter (C data only). */
static struct PLSCursor *open_cursors = NULL;


/* ---------- Python object types ---------- */

typedef struct PLSResult
{
	PyObject_HEAD
	PyObject   *status;
	PyObject   *nrows;
	PyObject   *rows;
	RowConv    *rc;				/* the columns (pinned), or NULL */
} PLSResult;

typedef struct PLSPlan
{
	PyObject_HEAD
	SPIPlanPtr	plan;
	int			nargs;
	Oid		   *types;
	PLSType    *args;
	MemoryContext mcxt;
	RowConv    *rc;				/* last result shape */
} PLSPlan;

typedef struct PLSCursor
{
	PyObject_HEAD
	char	   *portalname;
	MemoryContext mcxt;
	bool		closed;
	uint64		epoch;			/* portal_epoch when last found valid */
	RowConv    *rc;
	PyObject   *buf;			/* prefetched rows (list) or NULL */
	Py_ssize_t	bufpos;
	long		batch;
	ErrorData  *pending;		/* error that ended the last prefetch, in
								 * mcxt: raised once the rows before it
								 * are consumed */
	struct PLSCursor *next_open;	/* open_cursors list */
	struct PLSCursor *prev_open;
} PLSCursor;

typedef struct PLSSubxact
{
	PyObject_HEAD
	bool		started;
	bool		exited;
	uint64		serial;
} PLSSubxact;

static PyTypeObject PLSResultType;
static PyTypeObject PLSPlanType;
static PyTypeObject PLSCursorType;
static PyTypeObject PLSSubxactType;


/* ---------- running PostgreSQL code from Python ---------- */

/*
 * State of one excursion into PostgreSQL.  Volatile because PG_CATCH reads
 * it after a longjmp.
 */
typedef struct PGRun
{
	MemoryContext oldcontext;
	ResourceOwner oldowner;
	PLSEntry	save;
	bool		suspended;
	bool		in_subxact;
	int			scratch_depth;
	MemoryContext errcxt;		/* where the error is copied, if not
								 * oldcontext */
} PGRun;

static void
run_init(volatile PGRun *r)
{
	r->oldcontext = CurrentMemoryContext;
	r->oldowner = CurrentResourceOwner;
	r->suspended = false;
	r->in_subxact = false;
	r->scratch_depth = scratch_depth;
	r->errcxt = NULL;
}

static void
run_suspend(volatile PGRun *r)
{
	pls_suspend((PLSEntry *) &r->save);
	r->suspended = true;
}

static void
run_resume(volatile PGRun *r)
{
	r->suspended = false;
	pls_resume((PLSEntry *) &r->save);
}

/*
 * Connect SPI for the running call and open the internal subtransaction
 * (PL/Python's PLy_spi_subtransaction_begin).  Suspended.
 */
static void
run_begin(volatile PGRun *r)
{
	MemoryContext cxt = CurrentMemoryContext;

	pls_spi_connect();
	/* SPI_connect switches to its own context: stay in the caller's */
	MemoryContextSwitchTo(cxt);
	r->oldcontext = cxt;
	BeginInternalSubTransaction(NULL);
	r->in_subxact = true;
	MemoryContextSwitchTo(r->oldcontext);
	portal_epoch++;
}

/* Release the internal subtransaction.  Suspended. */
static void
run_commit(volatile PGRun *r)
{
	ReleaseCurrentSubTransaction();
	r->in_subxact = false;
	MemoryContextSwitchTo(r->oldcontext);
	CurrentResourceOwner = r->oldowner;
}

/*
 * In PG_CATCH: save the error, roll back the internal subtransaction if
 * one is open, and come back into Python.  The caller raises the error
 * (raise_pg_error) or, when a Python exception is already set (a failed
 * conversion), just frees it.
 */
static ErrorData *
run_catch(volatile PGRun *r)
{
	ErrorData  *edata;

	MemoryContextSwitchTo(r->errcxt ? r->errcxt : r->oldcontext);
	edata = CopyErrorData();
	FlushErrorState();
	MemoryContextSwitchTo(r->oldcontext);
	if (!r->suspended)
		run_suspend(r);
	if (r->in_subxact)
	{
		RollbackAndReleaseCurrentSubTransaction();
		r->in_subxact = false;
		MemoryContextSwitchTo(r->oldcontext);
		CurrentResourceOwner = r->oldowner;
	}
	scratch_depth = r->scratch_depth;
	run_resume(r);
	return edata;
}

/*
 * After a Python-side failure inside the subtransaction: roll it back,
 * keeping the Python exception.  Resumed on entry and exit.
 */
static void
run_abort_keep_exception(volatile PGRun *r)
{
	ErrorData  *edata = NULL;

	run_suspend(r);
	PG_TRY();
	{
		if (r->in_subxact)
		{
			r->in_subxact = false;
			RollbackAndReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(r->oldcontext);
			CurrentResourceOwner = r->oldowner;
		}
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(r->oldcontext);
		edata = CopyErrorData();
		FlushErrorState();
	}
	PG_END_TRY();
	scratch_depth = r->scratch_depth;
	run_resume(r);
	if (edata)
		FreeErrorData(edata);
}

static void
raise_pg_error(ErrorData *edata)
{
	/* a pending Python exception (from a conversion) wins */
	if (!PyErr_Occurred())
		pls_raise_pg_error(edata);
	FreeErrorData(edata);
}

/* Scratch context for this nesting level, reset before use. */
static MemoryContext
scratch_push(void)
{
	MemoryContext cxt;

	if (scratch_depth >= scratch_alloc)
	{
		int			n = scratch_alloc ? scratch_alloc * 2 : 16;

		if (scratch_cxt == NULL)
			scratch_cxt = MemoryContextAllocZero(TopMemoryContext,
												 sizeof(MemoryContext) * n);
		else
		{
			scratch_cxt = repalloc(scratch_cxt, sizeof(MemoryContext) * n);
			memset(scratch_cxt + scratch_alloc, 0,
				   sizeof(MemoryContext) * (n - scratch_alloc));
		}
		scratch_alloc = n;
	}
	cxt = scratch_cxt[scratch_depth];
	if (cxt == NULL)
	{
		cxt = AllocSetContextCreate(TopMemoryContext, "plsafepy SPI scratch",
									ALLOCSET_DEFAULT_SIZES);
		scratch_cxt[scratch_depth] = cxt;
	}
	else
		MemoryContextReset(cxt);
	scratch_depth++;
	return cxt;
}

/* Is there a call to run SPI for?  Raises plpy.Error if not. */
static bool
check_call(void)
{
	if (pls_current_call == NULL)
	{
		PyErr_SetString(pls_current->exc_error,
						"plpy functions that use SPI can only run inside a plsafepy function call");
		return false;
	}
	return true;
}

static bool
call_readonly(void)
{
	PLSCall    *call = pls_current_call;

	return call && call->proc && call->proc->readonly;
}


/* ---------- RowConv ---------- */

static uint32
desc_hash(TupleDesc desc)
{
	uint32		h = (uint32) desc->natts;
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		h = h * 31 + att->atttypid;
		h = h * 31 + (uint32) att->atttypmod;
		h = h * 31 + (uint32) NameStr(att->attname)[0];
	}
	return h;
}

static bool
rowconv_matches(RowConv *rc, TupleDesc desc)
{
	int			i;

	if (rc->interp != pls_current || rc->natts != desc->natts)
		return false;
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (rc->typoids[i] != att->atttypid ||
			rc->typmods[i] != att->atttypmod ||
			rc->dropped[i] != att->attisdropped ||
			strcmp(NameStr(rc->names[i]), NameStr(att->attname)) != 0)
			return false;
	}
	return true;
}

/*
 * Resumed, in the interpreter that built it.  One still converting rows
 * (a conversion ran code that replaced it) is freed when that is done.
 */
static void
rowconv_free(RowConv *rc)
{
	int			i;

	if (rc == NULL)
		return;
	if (rc->pins > 0)
	{
		rc->doomed = true;
		return;
	}
	for (i = 0; i < rc->nlive; i++)
		Py_XDECREF(rc->keys[i]);
	MemoryContextDelete(rc->mcxt);
}

/*
 * Build the conversion info for desc.  Resumed; may ereport (catalog
 * lookups), so call it inside PG_TRY.  Returns NULL with a Python
 * exception if a column name does not convert.
 */
static RowConv *
rowconv_build(TupleDesc desc)
{
	MemoryContext mcxt;
	MemoryContext oldcxt;
	RowConv    *rc;
	int			i;

	mcxt = AllocSetContextCreate(TopMemoryContext, "plsafepy row conversion",
								 ALLOCSET_SMALL_SIZES);
	oldcxt = MemoryContextSwitchTo(mcxt);
	rc = palloc0(sizeof(RowConv));
	rc->mcxt = mcxt;
	rc->interp = pls_current;
	rc->natts = desc->natts;
	rc->typoids = palloc(sizeof(Oid) * (desc->natts + 1));
	rc->typmods = palloc(sizeof(int32) * (desc->natts + 1));
	rc->dropped = palloc(sizeof(bool) * (desc->natts + 1));
	rc->names = palloc(sizeof(NameData) * (desc->natts + 1));
	rc->live = palloc(sizeof(int) * (desc->natts + 1));
	rc->types = palloc0(sizeof(PLSType) * (desc->natts + 1));
	rc->keys = palloc0(sizeof(PyObject *) * (desc->natts + 1));
	MemoryContextSwitchTo(oldcxt);

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		rc->typoids[i] = att->atttypid;
		rc->typmods[i] = att->atttypmod;
		rc->dropped[i] = att->attisdropped;
		rc->names[i] = att->attname;
		if (att->attisdropped)
			continue;
		pls_type_init(&rc->types[rc->nlive], att->atttypid, att->atttypmod, mcxt);
		rc->keys[rc->nlive] = pls_str_from_server(NameStr(att->attname));
		if (rc->keys[rc->nlive] == NULL)
		{
			rowconv_free(rc);
			return NULL;
		}
		/* the same str object for every row: dict lookups hash it once */
		PyUnicode_InternInPlace(&rc->keys[rc->nlive]);
		rc->live[rc->nlive] = i;
		rc->nlive++;
	}
	return rc;
}

/*
 * Conversion info for desc: *slot if it still fits, else a new one that
 * replaces it.  For plpy.execute(query) (slot == NULL) the per-interpreter
 * cache is used.  Resumed; may ereport.
 */
static RowConv *
rowconv_get(RowConv **slot, TupleDesc desc)
{
	uint32		hash;
	int			i;
	RowConv    *rc;

	if (slot != NULL)
	{
		if (*slot && rowconv_matches(*slot, desc))
			return *slot;
		rc = rowconv_build(desc);
		if (rc == NULL)
			return NULL;
		rowconv_free(*slot);
		*slot = rc;
		return rc;
	}

	hash = desc_hash(desc);
	for (i = 0; i < ROWCONV_CACHE_SIZE; i++)
	{
		RowConvSlot *s = &rowconv_cache[i];

		if (s->rc && s->hash == hash && rowconv_matches(s->rc, desc))
			return s->rc;
	}
	rc = rowconv_build(desc);
	if (rc == NULL)
		return NULL;

	/*
	 * Replace an empty slot or one of this interpreter's (another
	 * interpreter's keys may only be released with it current).
	 */
	for (i = 0; i < ROWCONV_CACHE_SIZE; i++)
	{
		RowConvSlot *s = &rowconv_cache[(rowconv_next + i) % ROWCONV_CACHE_SIZE];

		if (s->rc == NULL || s->rc->interp == pls_current)
		{
			rowconv_free(s->rc);
			s->rc = rc;
			s->hash = hash;
			rowconv_next = (rowconv_next + i + 1) % ROWCONV_CACHE_SIZE;
			return rc;
		}
	}
	/* cache full of other roles' shapes: this one is used once */
	rc->doomed = true;
	return rc;
}

static void
rowconv_pin(RowConv *rc)
{
	rc->pins++;
}

/* Resumed: may free it (its keys belong to the current interpreter). */
static void
rowconv_unpin(RowConv *rc)
{
	rc->pins--;
	if (rc->doomed && rc->pins == 0)
		rowconv_free(rc);
}

/*
 * One row (its Datums) as a dict.  Resumed.  Never ereports (pls_to_py
 * reports failure as a Python exception); allocations go to the current
 * memory context, which the caller resets.
 */
static PyObject *
rowconv_row(RowConv *rc, Datum *values, bool *nulls)
{
	PyObject   *dict;
	int			i;

	dict = _PyDict_NewPresized(rc->nlive);
	if (dict == NULL)
		return NULL;
	for (i = 0; i < rc->nlive; i++)
	{
		int			att = rc->live[i];
		PyObject   *v;

		if (nulls[att])
		{
			v = Py_None;
			Py_INCREF(v);
		}
		else
		{
			v = pls_to_py(&rc->types[i], values[att], false);
			if (v == NULL)
			{
				Py_DECREF(dict);
				return NULL;
			}
		}
		if (PyDict_SetItem(dict, rc->keys[i], v) < 0)
		{
			Py_DECREF(v);
			Py_DECREF(dict);
			return NULL;
		}
		Py_DECREF(v);
	}
	return dict;
}

/*
 * n tuples of desc as a new list of dicts.  Resumed, may ereport
 * (conversion info), so inside PG_TRY.  scratch is reset after each row.
 */
static PyObject *
rows_to_list(RowConv **slot, HeapTuple *vals, uint64 n, TupleDesc desc,
			 MemoryContext scratch)
{
	RowConv    *rc;
	PyObject   *list;
	uint64		i;
	MemoryContext oldcxt;
	Datum		values_buf[64];
	bool		nulls_buf[64];
	Datum	   *values;
	bool	   *nulls;

	if (n > (uint64) PY_SSIZE_T_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("query result has too many rows to fit in a Python list")));

	rc = rowconv_get(slot, desc);
	if (rc == NULL)
		return NULL;

	/* per call, not in the RowConv: a conversion could nest another call */
	if (rc->natts <= 64)
	{
		values = values_buf;
		nulls = nulls_buf;
	}
	else
	{
		values = MemoryContextAlloc(rc->mcxt, sizeof(Datum) * rc->natts);
		nulls = MemoryContextAlloc(rc->mcxt, sizeof(bool) * rc->natts);
	}

	rowconv_pin(rc);
	list = PyList_New((Py_ssize_t) n);
	if (list != NULL)
	{
		oldcxt = MemoryContextSwitchTo(scratch);
		for (i = 0; i < n; i++)
		{
			PyObject   *row;

			heap_deform_tuple(vals[i], desc, values, nulls);
			row = rowconv_row(rc, values, nulls);
			if (row == NULL)
			{
				Py_CLEAR(list);
				break;
			}
			PyList_SET_ITEM(list, (Py_ssize_t) i, row);
			MemoryContextReset(scratch);
		}
		MemoryContextSwitchTo(oldcxt);
	}
	if (values != values_buf)
	{
		pfree(values);
		pfree(nulls);
	}
	rowconv_unpin(rc);
	return list;
}

/*
 * A DestReceiver turning the rows of plpy.execute straight into Python
 * dicts as the executor produces them: no SPI tuple table, no copies.
 * PostgreSQL runs it with the interpreter stepped out of; it steps back
 * in for each row.  Nothing here runs Python code of the user's (the
 * garbage collector is off meanwhile), and nothing ereports once Python is
 * current.
 */
typedef struct PyReceiver
{
	DestReceiver pub;
	volatile PGRun *run;
	RowConv   **slot;			/* the plan's, or NULL for the cache */
	RowConv    *rc;				/* pinned; of the last statement */
	PyObject   *rows;			/* list, of the last statement */
	MemoryContext rowtmp;		/* reset after each row */
	bool		failed;			/* a Python exception is set */
} PyReceiver;

static void
receiver_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
	PyReceiver *rcv = (PyReceiver *) self;

	if (rcv->failed)
		return;
	run_resume(rcv->run);
	PG_TRY();
	{
		/* a later statement of the same string: only the last one counts */
		Py_CLEAR(rcv->rows);
		if (rcv->rc)
		{
			rowconv_unpin(rcv->rc);
			rcv->rc = NULL;
		}
		rcv->rc = rowconv_get(rcv->slot, typeinfo);
		if (rcv->rc != NULL)
		{
			rowconv_pin(rcv->rc);
			rcv->rows = PyList_New(0);
		}
		if (rcv->rows == NULL)
			rcv->failed = true;
	}
	PG_CATCH();
	{
		run_suspend(rcv->run);
		PG_RE_THROW();
	}
	PG_END_TRY();
	run_suspend(rcv->run);
}

static bool
receiver_receive(TupleTableSlot *slot, DestReceiver *self)
{
	PyReceiver *rcv = (PyReceiver *) self;
	PyObject   *row;
	MemoryContext oldcxt;

	if (rcv->failed)
		return false;
	slot_getallattrs(slot);
	run_resume(rcv->run);
	oldcxt = MemoryContextSwitchTo(rcv->rowtmp);
	row = rowconv_row(rcv->rc, slot->tts_values, slot->tts_isnull);
	MemoryContextSwitchTo(oldcxt);
	MemoryContextReset(rcv->rowtmp);
	if (row == NULL || PyList_Append(rcv->rows, row) < 0)
		rcv->failed = true;
	Py_XDECREF(row);
	run_suspend(rcv->run);
	/* false stops the executor: the Python exception is reported after */
	return !rcv->failed;
}

static void
receiver_shutdown(DestReceiver *self)
{
}

static void
receiver_destroy(DestReceiver *self)
{
}

static void
receiver_init(PyReceiver *rcv, volatile PGRun *run, RowConv **slot,
			  MemoryContext rowtmp)
{
	memset(rcv, 0, sizeof(*rcv));
	rcv->pub.receiveSlot = receiver_receive;
	rcv->pub.rStartup = receiver_startup;
	rcv->pub.rShutdown = receiver_shutdown;
	rcv->pub.rDestroy = receiver_destroy;
	/* not DestNone: SPI reports SPI_OK_UTILITY for a SELECT sent there */
	rcv->pub.mydest = DestTuplestore;
	rcv->run = run;
	rcv->slot = slot;
	rcv->rowtmp = rowtmp;
}

/* Resumed: drop what the receiver holds (after a failure). */
static void
receiver_cleanup(PyReceiver *rcv)
{
	Py_CLEAR(rcv->rows);
	if (rcv->rc)
	{
		rowconv_unpin(rcv->rc);
		rcv->rc = NULL;
	}
}

/* ---------- result objects ---------- */

/*
 * A result object: status, nrows and rows given (references stolen; NULL
 * for PL/Python's initial None, -1 and []).  On failure the references
 * are released too.
 */
static PLSResult *
result_make(PyObject *status, PyObject *nrows, PyObject *rows)
{
	PLSResult  *ob;

	if (status == NULL)
	{
		status = Py_None;
		Py_INCREF(status);
	}
	if (nrows == NULL)
		nrows = PyLong_FromLong(-1);	/* a cached small int */
	if (rows == NULL)
		rows = PyList_New(0);
	ob = (nrows && rows) ? PyObject_New(PLSResult, &PLSResultType) : NULL;
	if (ob == NULL)
	{
		Py_DECREF(status);
		Py_XDECREF(nrows);
		Py_XDECREF(rows);
		return NULL;
	}
	ob->status = status;
	ob->nrows = nrows;
	ob->rows = rows;
	ob->rc = NULL;
	return ob;
}

static PLSResult *
result_new(void)
{
	return result_make(NULL, NULL, NULL);
}

static void
result_set(PLSResult *ob, PyObject **field, PyObject *value)
{
	PyObject   *old = *field;

	*field = value;
	Py_XDECREF(old);
}

static void
result_dealloc(PyObject *self)
{
	PLSResult  *ob = (PLSResult *) self;

	Py_XDECREF(ob->nrows);
	Py_XDECREF(ob->rows);
	Py_XDECREF(ob->status);
	if (ob->rc)
	{
		rowconv_unpin(ob->rc);
		ob->rc = NULL;
	}
	PyObject_Free(self);
}

static PyObject *
result_colinfo(PyObject *self, int which)
{
	PLSResult  *ob = (PLSResult *) self;
	PyObject   *list;
	int			i;

	if (ob->rc == NULL)
	{
		PyErr_SetString(pls_current->exc_error,
						"command did not produce a result set");
		return NULL;
	}
	list = PyList_New(ob->rc->natts);
	if (list == NULL)
		return NULL;
	for (i = 0; i < ob->rc->natts; i++)
	{
		PyObject   *v;

		if (which == 0)
			v = pls_str_from_server(NameStr(ob->rc->names[i]));
		else if (which == 1)
			v = PyLong_FromLong(ob->rc->typoids[i]);
		else
			v = PyLong_FromLong(ob->rc->typmods[i]);
		if (v == NULL)
		{
			Py_DECREF(list);
			return NULL;
		}
		PyList_SET_ITEM(list, i, v);
	}
	return list;
}

static PyObject *
result_colnames(PyObject *self, PyObject *unused)
{
	return result_colinfo(self, 0);
}

static PyObject *
result_coltypes(PyObject *self, PyObject *unused)
{
	return result_colinfo(self, 1);
}

static PyObject *
result_coltypmods(PyObject *self, PyObject *unused)
{
	return result_colinfo(self, 2);
}

static PyObject *
result_nrows(PyObject *self, PyObject *args)
{
	PLSResult  *ob = (PLSResult *) self;

	Py_INCREF(ob->nrows);
	return ob->nrows;
}

static PyObject *
result_status(PyObject *self, PyObject *args)
{
	PLSResult  *ob = (PLSResult *) self;

	Py_INCREF(ob->status);
	return ob->status;
}

static Py_ssize_t
result_length(PyObject *self)
{
	return PyList_Size(((PLSResult *) self)->rows);
}

static PyObject *
result_item(PyObject *self, Py_ssize_t idx)
{
	PyObject   *rv = PyList_GetItem(((PLSResult *) self)->rows, idx);

	Py_XINCREF(rv);
	return rv;
}

static PyObject *
result_subscript(PyObject *self, PyObject *item)
{
	return PyObject_GetItem(((PLSResult *) self)->rows, item);
}

static int
result_ass_subscript(PyObject *self, PyObject *item, PyObject *value)
{
	if (value == NULL)
		return PyObject_DelItem(((PLSResult *) self)->rows, item);
	return PyObject_SetItem(((PLSResult *) self)->rows, item, value);
}

static PyObject *
result_iter(PyObject *self)
{
	return PyObject_GetIter(((PLSResult *) self)->rows);
}

static PyObject *
result_str(PyObject *self)
{
	PLSResult  *ob = (PLSResult *) self;

	return PyUnicode_FromFormat("<%s status=%S nrows=%S rows=%S>",
								Py_TYPE(ob)->tp_name,
								ob->status, ob->nrows, ob->rows);
}

static PySequenceMethods result_as_sequence = {
	.sq_length = result_length,
	.sq_item = result_item,
};

static PyMappingMethods result_as_mapping = {
	.mp_length = result_length,
	.mp_subscript = result_subscript,
	.mp_ass_subscript = result_ass_subscript,
};

static PyMethodDef result_methods[] = {
	{"colnames", result_colnames, METH_NOARGS, NULL},
	{"coltypes", result_coltypes, METH_NOARGS, NULL},
	{"coltypmods", result_coltypmods, METH_NOARGS, NULL},
	{"nrows", result_nrows, METH_VARARGS, NULL},
	{"status", result_status, METH_VARARGS, NULL},
	{NULL, NULL, 0, NULL}
};

/*
 * The C types are shared by every interpreter, so they are immutable and
 * not subclassable (a subclass would be listed in the shared type's
 * __subclasses__, visible to other roles).
 */
static PyTypeObject PLSResultType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "PLyResult",
	.tp_basicsize = sizeof(PLSResult),
	.tp_dealloc = result_dealloc,
	.tp_as_sequence = &result_as_sequence,
	.tp_as_mapping = &result_as_mapping,
	.tp_str = result_str,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "Results of a PostgreSQL query",
	.tp_iter = result_iter,
	.tp_methods = result_methods,
};

/*
 * PL/Python's PLy_spi_execute_fetch_result, for rows a PyReceiver already
 * converted: the result object of an SPI call that returned status and
 * processed.  Resumed.  NULL with a Python exception on failure (also when
 * the receiver failed).
 */
static PyObject *
make_result(PyReceiver *rcv, uint64 processed, int status)
{
	PLSResult  *result;
	PyObject   *st;
	PyObject   *nrows = NULL;
	PyObject   *rows = NULL;
	bool		with_rows;

	if (rcv->failed)
		return NULL;

	/* rows only from a command that returns them (as SPI's tuple table) */
	with_rows = (status > 0 && rcv->rc != NULL &&
				 (status == SPI_OK_SELECT || status == SPI_OK_UTILITY ||
				  status == SPI_OK_FETCH ||
				  status == SPI_OK_INSERT_RETURNING ||
				  status == SPI_OK_DELETE_RETURNING ||
				  status == SPI_OK_UPDATE_RETURNING));

	st = PyLong_FromLong(status);
	if (st == NULL)
		return NULL;
	if (status > 0)
	{
		/* SPI counts a utility command's rows only in its tuple table */
		if (with_rows && status == SPI_OK_UTILITY)
			nrows = PyLong_FromSsize_t(PyList_GET_SIZE(rcv->rows));
		else
			nrows = PyLong_FromUnsignedLongLong(processed);
		if (nrows == NULL)
		{
			Py_DECREF(st);
			return NULL;
		}
	}
	if (with_rows)
	{
		rows = rcv->rows;
		rcv->rows = NULL;
	}
	result = result_make(st, nrows, rows);
	if (result == NULL)
		return NULL;
	if (with_rows)
	{
		result->rc = rcv->rc;	/* the receiver's pin goes to the result */
		rcv->rc = NULL;
	}
	return (PyObject *) result;
}

/* ---------- plpy.execute ---------- */

/*
 * PyArg_ParseTuple's "l": an int (or __index__) that fits a long.  Only
 * "did it parse" matters here, as PL/Python falls through on failure.
 */
static bool
parse_long(PyObject *o, long *out)
{
	long		v;

	if (!PyLong_Check(o) && !PyIndex_Check(o))
		return false;
	if (PyFloat_Check(o))
		return false;
	v = PyLong_AsLong(o);
	if (v == -1 && PyErr_Occurred())
	{
		PyErr_Clear();
		return false;
	}
	*out = v;
	return true;
}

/*
 * Run a query (src) or a plan (with params) into a result object, rows
 * converted as they come.  Resumed on entry and exit.
 */
static PyObject *
execute_common(const char *src, PLSPlan *plan, ParamListInfo params,
			   long limit, volatile PGRun *r, MemoryContext scratch)
{
	PyReceiver	rcv;
	SPIExecuteOptions options;
	PyObject   *volatile ret = NULL;
	int			rv;
	int			gc_was_enabled;

	/* SPI_execute and SPI_execute_plan refuse a negative count */
	if (limit < 0)
	{
		PyErr_Format(pls_current->exc_spierror, "%s failed: %s",
					 plan ? "SPI_execute_plan" : "SPI_execute",
					 SPI_result_code_string(SPI_ERROR_ARGUMENT));
		return NULL;
	}

	receiver_init(&rcv, r, plan ? &plan->rc : NULL, scratch);
	memset(&options, 0, sizeof(options));
	options.params = params;
	options.read_only = call_readonly();
	options.tcount = limit;
	options.dest = (DestReceiver *) &rcv;

	/* no collection, hence no finalizer, runs while rows are converted */
	gc_was_enabled = PyGC_Disable();
	PG_TRY();
	{
		run_suspend(r);
		run_begin(r);
		if (plan)
			rv = SPI_execute_plan_extended(plan->plan, &options);
		else
		{
			pg_verifymbstr(src, strlen(src), false);
			rv = SPI_execute_extended(src, &options);
		}
		run_resume(r);

		ret = make_result(&rcv, SPI_processed, rv);

		run_suspend(r);
		if (ret != NULL)
			run_commit(r);
		run_resume(r);
		if (ret == NULL)
			run_abort_keep_exception(r);
		else if (rv < 0)
		{
			Py_CLEAR(ret);
			if (plan)
				PyErr_Format(pls_current->exc_spierror,
							 "SPI_execute_plan failed: %s",
							 SPI_result_code_string(rv));
			else
				PyErr_Format(pls_current->exc_spierror,
							 "SPI_execute failed: %s",
							 SPI_result_code_string(rv));
		}
	}
	PG_CATCH();
	{
		/* the caller's PG_CATCH does the rest: just tidy up Python */
		if (r->suspended)
			run_resume(r);
		Py_XDECREF(ret);
		receiver_cleanup(&rcv);
		if (gc_was_enabled)
			PyGC_Enable();
		if (!r->suspended)
			run_suspend(r);
		PG_RE_THROW();
	}
	PG_END_TRY();
	receiver_cleanup(&rcv);
	if (gc_was_enabled)
		PyGC_Enable();
	return ret;
}

static PyObject *
execute_query(PyObject *query, long limit)
{
	volatile PGRun r;
	PyObject   *volatile ret = NULL;
	char	   *volatile sql = NULL;
	ErrorData  *edata = NULL;

	if (!check_call())
		return NULL;

	run_init(&r);
	PG_TRY();
	{
		MemoryContext scratch = scratch_push();

		sql = pls_str_to_server(query);
		if (sql != NULL)
			ret = execute_common(sql, NULL, NULL, limit, &r, scratch);
		scratch_depth = r.scratch_depth;
	}
	PG_CATCH();
	{
		edata = run_catch(&r);
	}
	PG_END_TRY();

	if (sql)
		pfree(sql);
	if (edata)
	{
		Py_XDECREF(ret);
		raise_pg_error(edata);
		return NULL;
	}
	return ret;
}

static PyObject *execute_plan(PLSPlan *plan, PyObject *list, long limit);

/* plpy.execute(query[, limit]) or plpy.execute(plan[, args[, limit]]) */
PyObject *
pls_spi_execute(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
				PyObject *kwnames)
{
	long		limit = 0;

	/* PL/Python's is METH_VARARGS: same message */
	if (kwnames != NULL && PyTuple_GET_SIZE(kwnames) > 0)
	{
		PyErr_SetString(PyExc_TypeError, "execute() takes no keyword arguments");
		return NULL;
	}

	/* PL/Python tries "s|l" first, then "O|Ol" with a plan */
	if (nargs >= 1 && nargs <= 2 && PyUnicode_Check(args[0]) &&
		(nargs == 1 || parse_long(args[1], &limit)))
		return execute_query(args[0], limit);

	limit = 0;
	if (nargs >= 1 && nargs <= 3 &&
		Py_IS_TYPE(args[0], &PLSPlanType) &&
		(nargs < 3 || parse_long(args[2], &limit)))
		return execute_plan((PLSPlan *) args[0], nargs >= 2 ? args[1] : NULL,
							limit);

	PyErr_SetString(pls_current->exc_error,
					"plpy.execute expected a query or a plan");
	return NULL;
}


/* ---------- plans ---------- */

static void
plan_dealloc(PyObject *self)
{
	PLSPlan    *ob = (PLSPlan *) self;

	if (ob->plan)
	{
		MemoryContext oldcxt = CurrentMemoryContext;

		PG_TRY();
		{
			SPI_freeplan(ob->plan);
		}
		PG_CATCH();
		{
			MemoryContextSwitchTo(oldcxt);
			FlushErrorState();
		}
		PG_END_TRY();
		ob->plan = NULL;
	}
	rowconv_free(ob->rc);
	ob->rc = NULL;
	if (ob->mcxt)
	{
		MemoryContextDelete(ob->mcxt);
		ob->mcxt = NULL;
	}
	PyObject_Free(self);
}

static PyObject *
plan_status(PyObject *self, PyObject *args)
{
	if (!PyArg_ParseTuple(args, ":status"))
		return NULL;
	Py_RETURN_TRUE;
}

/* plan.execute([args[, limit]]): PyArg_ParseTuple "|Ol:execute" */
static PyObject *
plan_execute(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
			 PyObject *kwnames)
{
	long		limit = 0;

	if (kwnames != NULL && PyTuple_GET_SIZE(kwnames) > 0)
	{
		PyErr_SetString(PyExc_TypeError, "execute() takes no keyword arguments");
		return NULL;
	}
	if (nargs > 2)
	{
		PyErr_Format(PyExc_TypeError,
					 "execute() takes at most 2 arguments (%zd given)", nargs);
		return NULL;
	}
	if (nargs == 2)
	{
		if (PyFloat_Check(args[1]))
		{
			PyErr_SetString(PyExc_TypeError,
							"'float' object cannot be interpreted as an integer");
			return NULL;
		}
		limit = PyLong_AsLong(args[1]);
		if (limit == -1 && PyErr_Occurred())
			return NULL;
	}
	return execute_plan((PLSPlan *) self, nargs >= 1 ? args[0] : NULL, limit);
}

static PyObject *cursor_plan(PLSPlan *plan, PyObject *args);
static void cursor_unlink(struct PLSCursor *cur);

static PyObject *
plan_cursor(PyObject *self, PyObject *args)
{
	PyObject   *planargs = NULL;

	if (!PyArg_ParseTuple(args, "|O:cursor", &planargs))
		return NULL;
	return cursor_plan((PLSPlan *) self, planargs);
}

static PyMethodDef plan_methods[] = {
	{"cursor", plan_cursor, METH_VARARGS, NULL},
	{"execute", (PyCFunction) (void (*) (void)) plan_execute, METH_FASTCALL | METH_KEYWORDS, NULL},
	{"status", plan_status, METH_VARARGS, NULL},
	{NULL, NULL, 0, NULL}
};

static PyTypeObject PLSPlanType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "PLyPlan",
	.tp_basicsize = sizeof(PLSPlan),
	.tp_dealloc = plan_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "Store a PostgreSQL plan",
	.tp_methods = plan_methods,
};

/* plpy.prepare(query[, argtypes]) */
PyObject *
pls_spi_prepare(PyObject *self, PyObject *args)
{
	PyObject   *query;
	PyObject   *list = NULL;
	PLSPlan    *volatile plan;
	char	  **volatile typenames = NULL;
	char	   *volatile sql = NULL;
	volatile int nargs = 0;
	volatile PGRun r;
	ErrorData  *edata = NULL;
	volatile bool ok = false;
	int			i;

	if (!PyArg_ParseTuple(args, "U|O:prepare", &query, &list))
		return NULL;
	if (list && !PySequence_Check(list))
	{
		PyErr_SetString(PyExc_TypeError,
						"second argument of plpy.prepare must be a sequence");
		return NULL;
	}
	if (!check_call())
		return NULL;

	if (list)
	{
		Py_ssize_t	n = PySequence_Length(list);

		if (n < 0)
			return NULL;
		nargs = (int) n;
	}

	plan = PyObject_New(PLSPlan, &PLSPlanType);
	if (plan == NULL)
		return NULL;
	plan->plan = NULL;
	plan->nargs = 0;
	plan->types = NULL;
	plan->args = NULL;
	plan->rc = NULL;
	plan->mcxt = NULL;

	run_init(&r);
	PG_TRY();
	{
		MemoryContext oldcxt;

		plan->mcxt = AllocSetContextCreate(TopMemoryContext, "plsafepy plan",
										   ALLOCSET_SMALL_SIZES);
		oldcxt = MemoryContextSwitchTo(plan->mcxt);
		plan->types = nargs ? palloc0(sizeof(Oid) * nargs) : NULL;
		plan->args = nargs ? palloc0(sizeof(PLSType) * nargs) : NULL;
		typenames = nargs ? palloc0(sizeof(char *) * nargs) : NULL;
		MemoryContextSwitchTo(oldcxt);

		/* Python side first: the query and the type names as C strings */
		sql = pls_str_to_server(query);
		for (i = 0; sql != NULL && i < nargs; i++)
		{
			PyObject   *o = PySequence_GetItem(list, i);

			if (o == NULL)
				break;
			if (PyUnicode_Check(o))
			{
				MemoryContext c = MemoryContextSwitchTo(plan->mcxt);

				typenames[i] = pls_str_to_server(o);
				MemoryContextSwitchTo(c);
				if (typenames[i] == NULL)
				{
					Py_DECREF(o);
					break;
				}
			}
			Py_DECREF(o);
		}

		if (sql != NULL && i == nargs)
		{
			int32	   *typmods = nargs ? palloc(sizeof(int32) * nargs) : NULL;

			run_suspend(&r);
			run_begin(&r);
			for (i = 0; i < nargs; i++)
			{
				if (typenames[i] == NULL)
					ereport(ERROR,
							(errmsg("plpy.prepare: type name at ordinal position %d is not a string", i)));
				parseTypeString(typenames[i], &plan->types[i], &typmods[i], false);
			}
			pg_verifymbstr(sql, strlen(sql), false);
			plan->plan = SPI_prepare(sql, nargs, plan->types);
			if (plan->plan == NULL)
				elog(ERROR, "SPI_prepare failed: %s",
					 SPI_result_code_string(SPI_result));
			/* move the plan out of the SPI procedure context */
			if (SPI_keepplan(plan->plan))
				elog(ERROR, "SPI_keepplan failed");
			run_commit(&r);
			run_resume(&r);

			/* the argument conversions, built once for the plan's life */
			for (i = 0; i < nargs; i++)
				pls_type_init(&plan->args[i], plan->types[i], typmods[i], plan->mcxt);
			plan->nargs = nargs;
			ok = true;
		}
	}
	PG_CATCH();
	{
		edata = run_catch(&r);
	}
	PG_END_TRY();

	if (sql)
		pfree(sql);
	if (edata)
	{
		Py_DECREF(plan);
		raise_pg_error(edata);
		return NULL;
	}
	if (!ok)
	{
		Py_DECREF(plan);
		return NULL;
	}
	return (PyObject *) plan;
}

/*
 * Check the argument sequence against the plan: PL/Python's messages.
 * Returns the number of arguments, or -1 with an exception.
 */
static int
plan_check_args(PLSPlan *plan, PyObject *list, const char *what)
{
	Py_ssize_t	nargs = 0;

	if (list != NULL)
	{
		if (!PySequence_Check(list) || PyUnicode_Check(list))
		{
			PyErr_Format(PyExc_TypeError,
						 "%s takes a sequence as its second argument", what);
			return -1;
		}
		nargs = PySequence_Length(list);
		if (nargs < 0)
			return -1;
	}
	if (nargs != plan->nargs)
	{
		PyObject   *so = PyObject_Str(list);
		const char *sv;

		if (so == NULL)
			return -1;
		sv = PyUnicode_AsUTF8(so);
		if (sv == NULL)
		{
			Py_DECREF(so);
			return -1;
		}
		PyErr_Format(PyExc_TypeError,
					 plan->nargs == 1 ?
					 "Expected sequence of %d argument, got %d: %s" :
					 "Expected sequence of %d arguments, got %d: %s",
					 plan->nargs, (int) nargs, sv);
		Py_DECREF(so);
		return -1;
	}
	return (int) nargs;
}

/*
 * The arguments as Datums in the current memory context.  Resumed, inside
 * PG_TRY (pls_from_py ereports on a value that does not convert).  Returns
 * false with a Python exception if the items cannot be fetched.  A list is
 * copied to a tuple first: a conversion may run Python code that changes
 * the list under us.
 */
static bool
plan_convert_args(PLSPlan *plan, PyObject *list, int nargs,
				  Datum *values, char *nulls)
{
	PyObject   *volatile items = NULL;
	PyObject   *volatile item = NULL;
	int			j;

	if (nargs == 0)
		return true;

	/*
	 * A list is read item by item, each held while it converts: a
	 * conversion may run Python code that changes the list.
	 */
	if (PyTuple_CheckExact(list))
	{
		items = list;
		Py_INCREF(list);
	}
	else if (!PyList_CheckExact(list))
	{
		items = PySequence_Tuple(list);
		if (items == NULL)
			return false;
		if (PyTuple_GET_SIZE(items) != nargs)
		{
			Py_DECREF(items);
			PyErr_SetString(PyExc_TypeError,
							"argument sequence changed size during conversion");
			return false;
		}
	}

	PG_TRY();
	{
		for (j = 0; j < nargs; j++)
		{
			bool		isnull;

			if (items == NULL && j >= PyList_GET_SIZE(list))
				elog(ERROR, "argument list changed size during conversion");
			item = items ? PyTuple_GET_ITEM(items, j) : PyList_GET_ITEM(list, j);
			Py_INCREF(item);
			values[j] = pls_from_py(&plan->args[j], item, &isnull);
			nulls[j] = isnull ? 'n' : ' ';
			Py_DECREF(item);
			item = NULL;
		}
	}
	PG_FINALLY();
	{
		Py_XDECREF(item);
		Py_XDECREF(items);
	}
	PG_END_TRY();
	return true;
}

static PyObject *
execute_plan(PLSPlan *plan, PyObject *list, long limit)
{
	volatile PGRun r;
	PyObject   *volatile ret = NULL;
	ErrorData  *edata = NULL;
	int			nargs;

	nargs = plan_check_args(plan, list, "plpy.execute");
	if (nargs < 0)
		return NULL;
	if (!check_call())
		return NULL;

	run_init(&r);
	PG_TRY();
	{
		MemoryContext scratch = scratch_push();
		MemoryContext oldcxt;
		ParamListInfo params = NULL;
		bool		converted = true;

		if (nargs > 0)
		{
			Datum	   *values;
			char	   *nulls;
			int			i;

			oldcxt = MemoryContextSwitchTo(scratch);
			values = palloc(sizeof(Datum) * nargs);
			nulls = palloc(sizeof(char) * nargs);
			converted = plan_convert_args(plan, list, nargs, values, nulls);
			if (converted)
			{
				params = makeParamList(nargs);
				for (i = 0; i < nargs; i++)
				{
					ParamExternData *prm = &params->params[i];

					prm->value = values[i];
					prm->isnull = (nulls[i] == 'n');
					prm->pflags = PARAM_FLAG_CONST;
					prm->ptype = plan->types[i];
				}
			}
			MemoryContextSwitchTo(oldcxt);
		}

		/*
		 * The rows use the next scratch level: the arguments must live
		 * until the executor is done with them.
		 */
		if (converted)
			ret = execute_common(NULL, plan, params, limit, &r,
								 nargs > 0 ? scratch_push() : scratch);
		scratch_depth = r.scratch_depth;
	}
	PG_CATCH();
	{
		edata = run_catch(&r);
	}
	PG_END_TRY();

	if (edata)
	{
		Py_XDECREF(ret);
		raise_pg_error(edata);
		return NULL;
	}
	return ret;
}


/* ---------- cursors ---------- */

/*
 * The cursor's portal, or NULL if it is gone (its subtransaction or
 * transaction ended).  Looked up by name only when portal_epoch moved:
 * nothing else can drop it.
 */
static Portal
cursor_portal(PLSCursor *cur)
{
	Portal		portal = GetPortalByName(cur->portalname);

	if (!PortalIsValid(portal))
		return NULL;
	cur->epoch = portal_epoch;
	return portal;
}

static bool
cursor_still_valid(PLSCursor *cur)
{
	if (cur->epoch == portal_epoch)
		return true;
	return cursor_portal(cur) != NULL;
}

/* Drop the portal.  Resumed on entry and exit; never raises. */
static void
cursor_release(PLSCursor *cur)
{
	PLSEntry	save;
	MemoryContext oldcxt = CurrentMemoryContext;

	if (cur->closed || cur->portalname == NULL)
		return;
	cur->closed = true;
	cursor_unlink(cur);
	pls_suspend(&save);
	PG_TRY();
	{
		Portal		portal = GetPortalByName(cur->portalname);

		if (PortalIsValid(portal))
		{
			if (portal->portalPinned)
				UnpinPortal(portal);
			SPI_cursor_close(portal);
		}
	}
	PG_CATCH();
	{
		/* an active portal cannot be dropped: transaction end will */
		MemoryContextSwitchTo(oldcxt);
		FlushErrorState();
	}
	PG_END_TRY();
	pls_resume(&save);
	portal_epoch++;
}

static void
cursor_dealloc(PyObject *self)
{
	PLSCursor  *cur = (PLSCursor *) self;

	cursor_release(cur);
	cursor_unlink(cur);
	Py_CLEAR(cur->buf);
	rowconv_free(cur->rc);
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
	MemoryContext oldcxt = CurrentMemoryContext;
	ErrorData  *edata = NULL;

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
	cur->pending = NULL;
	cur->next_open = NULL;
	cur->prev_open = NULL;
	cur->mcxt = NULL;
	PG_TRY();
	{
		cur->mcxt = AllocSetContextCreate(TopMemoryContext, "plsafepy cursor",
										  ALLOCSET_SMALL_SIZES);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
	}
	PG_END_TRY();
	if (edata)
	{
		cur->closed = true;
		Py_DECREF(cur);
		raise_pg_error(edata);
		return NULL;
	}
	return cur;
}

/* Suspended, inside the internal subtransaction. */
static void
cursor_opened(PLSCursor *cur, Portal portal)
{
	if (portal == NULL)
		elog(ERROR, "SPI_cursor_open() failed: %s",
			 SPI_result_code_string(SPI_result));
	cur->portalname = MemoryContextStrdup(cur->mcxt, portal->name);

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

static PyObject *
cursor_query(PyObject *query)
{
	PLSCursor  *volatile cur;
	volatile PGRun r;
	ErrorData  *edata = NULL;
	char	   *volatile sql = NULL;

	if (!check_call())
		return NULL;
	cur = cursor_new();
	if (cur == NULL)
		return NULL;

	run_init(&r);
	PG_TRY();
	{
		sql = pls_str_to_server(query);
		if (sql != NULL)
		{
			SPIPlanPtr	plan;
			Portal		portal;

			run_suspend(&r);
			run_begin(&r);
			pg_verifymbstr(sql, strlen(sql), false);
			plan = SPI_prepare(sql, 0, NULL);
			if (plan == NULL)
				elog(ERROR, "SPI_prepare failed: %s",
					 SPI_result_code_string(SPI_result));
			portal = SPI_cursor_open(NULL, plan, NULL, NULL, call_readonly());
			SPI_freeplan(plan);
			cursor_opened(cur, portal);
			run_commit(&r);
			run_resume(&r);
			cur->epoch = portal_epoch;
		}
	}
	PG_CATCH();
	{
		edata = run_catch(&r);
	}
	PG_END_TRY();

	if (sql)
		pfree(sql);
	if (edata || cur->portalname == NULL)
	{
		cur->closed = true;
		Py_DECREF(cur);
		if (edata)
			raise_pg_error(edata);
		return NULL;
	}
	return (PyObject *) cur;
}

static PyObject *
cursor_plan(PLSPlan *plan, PyObject *args)
{
	PLSCursor  *volatile cur;
	volatile PGRun r;
	ErrorData  *edata = NULL;
	int			nargs;

	nargs = plan_check_args(plan, args, "plpy.cursor");
	if (nargs < 0)
		return NULL;
	if (!check_call())
		return NULL;
	cur = cursor_new();
	if (cur == NULL)
		return NULL;

	run_init(&r);
	PG_TRY();
	{
		MemoryContext scratch = scratch_push();
		MemoryContext oldcxt;
		Datum	   *values;
		char	   *nulls;
		bool		converted;

		oldcxt = MemoryContextSwitchTo(scratch);
		values = palloc(sizeof(Datum) * (nargs + 1));
		nulls = palloc(sizeof(char) * (nargs + 1));
		converted = plan_convert_args(plan, args, nargs, values, nulls);
		MemoryContextSwitchTo(oldcxt);

		if (converted)
		{
			Portal		portal;

			run_suspend(&r);
			run_begin(&r);
			portal = SPI_cursor_open(NULL, plan->plan, values, nulls,
									 call_readonly());
			cursor_opened(cur, portal);
			run_commit(&r);
			run_resume(&r);
			cur->epoch = portal_epoch;
		}
		scratch_depth = r.scratch_depth;
	}
	PG_CATCH();
	{
		edata = run_catch(&r);
	}
	PG_END_TRY();

	if (edata || cur->portalname == NULL)
	{
		cur->closed = true;
		Py_DECREF(cur);
		if (edata)
			raise_pg_error(edata);
		return NULL;
	}
	return (PyObject *) cur;
}

/* plpy.cursor(query) or plpy.cursor(plan[, args]) */
PyObject *
pls_spi_cursor(PyObject *self, PyObject *args)
{
	Py_ssize_t	n = PyTuple_GET_SIZE(args);

	if (n == 1 && PyUnicode_Check(PyTuple_GET_ITEM(args, 0)))
		return cursor_query(PyTuple_GET_ITEM(args, 0));
	if ((n == 1 || n == 2) && Py_IS_TYPE(PyTuple_GET_ITEM(args, 0), &PLSPlanType))
		return cursor_plan((PLSPlan *) PyTuple_GET_ITEM(args, 0),
						   n == 2 ? PyTuple_GET_ITEM(args, 1) : NULL);

	PyErr_SetString(pls_current->exc_error,
					"plpy.cursor expected a query or a plan");
	return NULL;
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

/*
 * Fetch up to count rows from the portal as a new list (possibly empty).
 * If the query fails, the rows produced before the failure are returned
 * and the error is kept in cur->pending; if there are none, it is raised
 * at once.  Resumed on entry and exit.
 */
static PyObject *
cursor_fetch_rows(PLSCursor *cur, Portal portal, long count)
{
	volatile PGRun r;
	PyObject   *volatile ret = NULL;
	ErrorData  *edata = NULL;
	RowCollector *volatile coll = NULL;
	MemoryContext volatile rowtmp = NULL;

	if (!check_call())
		return NULL;

	run_init(&r);
	/* an error that comes after some rows is kept with the cursor */
	r.errcxt = cur->mcxt;
	PG_TRY();
	{
		MemoryContext scratch = scratch_push();

		coll = MemoryContextAllocZero(scratch, sizeof(RowCollector));
		coll->pub.receiveSlot = collector_receive;
		coll->pub.rStartup = collector_startup;
		coll->pub.rShutdown = collector_shutdown;
		coll->pub.rDestroy = collector_destroy;
		coll->pub.mydest = DestNone;
		coll->cxt = AllocSetContextCreate(scratch, "plsafepy cursor rows",
										  ALLOCSET_DEFAULT_SIZES);
		rowtmp = AllocSetContextCreate(scratch, "plsafepy row conversion",
									   ALLOCSET_DEFAULT_SIZES);

		run_suspend(&r);
		run_begin(&r);
		(void) PortalRunFetch(portal, FETCH_FORWARD, count, (DestReceiver *) coll);
		run_resume(&r);

		if (coll->n > 0 && coll->desc != NULL)
			ret = rows_to_list(&cur->rc, coll->tuples, coll->n, coll->desc, rowtmp);
		else
			ret = PyList_New(0);

		run_suspend(&r);
		if (ret != NULL)
			run_commit(&r);
		run_resume(&r);
		if (ret == NULL)
			run_abort_keep_exception(&r);
		cur->epoch = portal_epoch;
		scratch_depth = r.scratch_depth;
	}
	PG_CATCH();
	{
		edata = run_catch(&r);
	}
	PG_END_TRY();

	if (edata == NULL)
		return ret;
	Py_XDECREF(ret);

	/* the rows produced before the failure still come first */
	if (coll != NULL && coll->n > 0 && coll->desc != NULL && rowtmp != NULL)
	{
		volatile PGRun r2;
		PyObject   *volatile rows = NULL;
		ErrorData  *edata2 = NULL;

		run_init(&r2);
		scratch_depth = r.scratch_depth + 1;	/* keep coll's scratch */
		PG_TRY();
		{
			rows = rows_to_list(&cur->rc, coll->tuples, coll->n, coll->desc,
								rowtmp);
		}
		PG_CATCH();
		{
			edata2 = run_catch(&r2);
		}
		PG_END_TRY();
		scratch_depth = r.scratch_depth;
		if (edata2)
			FreeErrorData(edata2);
		if (rows != NULL)
		{
			if (cur->pending)
				FreeErrorData(cur->pending);
			cur->pending = edata;
			return rows;
		}
		PyErr_Clear();
	}
	scratch_depth = r.scratch_depth;
	raise_pg_error(edata);
	return NULL;
}

/* Raise the error a prefetch ended with.  Always returns NULL. */
static PyObject *
cursor_raise_pending(PLSCursor *cur)
{
	ErrorData  *edata = cur->pending;

	cur->pending = NULL;
	raise_pg_error(edata);
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
		Portal		portal;
		PyObject   *rows;

		Py_CLEAR(cur->buf);
		if (cur->pending)
			return cursor_raise_pending(cur);
		portal = cursor_portal(cur);
		if (portal == NULL)
		{
			PyErr_SetString(PyExc_ValueError,
							"iterating a cursor in an aborted subtransaction");
			return NULL;
		}
		rows = cursor_fetch_rows(cur, portal, cur->batch);
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
	Portal		portal;
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
	portal = cursor_portal(cur);
	if (portal == NULL)
	{
		PyErr_SetString(PyExc_ValueError,
						"iterating a cursor in an aborted subtransaction");
		return NULL;
	}

	ret = result_new();
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
		if (cur->pending)
		{
			cursor_raise_pending(cur);
			goto fail;
		}
		more = cursor_fetch_rows(cur, portal, count - nbuf);
		if (more == NULL)
			goto fail;
		if (cur->pending)
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
	result_set(ret, &ret->status, v);
	v = PyLong_FromSsize_t(PyList_GET_SIZE(rows));
	if (v == NULL)
		goto fail;
	result_set(ret, &ret->nrows, v);
	result_set(ret, &ret->rows, rows);
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
		if (cur->pending)
		{
			FreeErrorData(cur->pending);
			cur->pending = NULL;
		}
	}
	Py_RETURN_NONE;
}

static PyMethodDef cursor_methods[] = {
	{"fetch", cursor_fetch, METH_VARARGS, NULL},
	{"close", cursor_close, METH_NOARGS, NULL},
	{NULL, NULL, 0, NULL}
};

static PyTypeObject PLSCursorType = {
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


/* ---------- explicit subtransactions ---------- */

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

/* Unlink the innermost entry; the caller ends the subtransaction. */
static ExplicitSubxact *
subxact_pop(void)
{
	ExplicitSubxact *e = explicit_subxacts;

	explicit_subxacts = e->next;
	explicit_depth--;
	return e;
}

/* subxact.__enter__() or subxact.enter() */
static PyObject *
subxact_enter(PyObject *self, PyObject *unused)
{
	PLSSubxact *ob = (PLSSubxact *) self;
	ExplicitSubxact *volatile e = NULL;
	volatile PGRun r;
	ErrorData  *edata = NULL;

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
	if (!check_call())
		return NULL;

	run_init(&r);
	run_suspend(&r);
	PG_TRY();
	{
		MemoryContext cxt = CurrentMemoryContext;

		/* SPI stays connected across the subtransaction, as in PL/Python */
		pls_spi_connect();
		MemoryContextSwitchTo(cxt);
		r.oldcontext = cxt;

		e = MemoryContextAlloc(TopMemoryContext, sizeof(ExplicitSubxact));
		e->oldcontext = cxt;
		e->oldowner = CurrentResourceOwner;
		BeginInternalSubTransaction(NULL);
		MemoryContextSwitchTo(cxt);
		e->subid = GetCurrentSubTransactionId();
		e->serial = ++subxact_serial;
		e->next = explicit_subxacts;
		explicit_subxacts = e;
		explicit_depth++;
		portal_epoch++;
	}
	PG_CATCH();
	{
		edata = run_catch(&r);
		if (e && (explicit_subxacts != e))
			pfree(e);
		e = NULL;
	}
	PG_END_TRY();
	if (r.suspended)
		run_resume(&r);

	if (edata)
	{
		raise_pg_error(edata);
		return NULL;
	}
	ob->started = true;
	ob->serial = e->serial;
	Py_INCREF(self);
	return self;
}

/*
 * subxact.__exit__(type, value, traceback) or subxact.exit(...): commit
 * if type is None, else roll back.  Only the innermost open subtransaction
 * of this call may be exited, so code can never end a subtransaction it
 * did not start (another function's, or an internal one around SPI).
 */
static PyObject *
subxact_exit(PyObject *self, PyObject *args)
{
	PLSSubxact *ob = (PLSSubxact *) self;
	PyObject   *type;
	PyObject   *value;
	PyObject   *traceback;
	ExplicitSubxact *e;
	volatile PGRun r;
	ErrorData  *edata = NULL;

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
	e = explicit_subxacts;
	if (e == NULL || e->serial != ob->serial ||
		e->subid != GetCurrentSubTransactionId())
	{
		PyErr_SetString(PyExc_ValueError, "there is no subtransaction to exit from");
		return NULL;
	}

	ob->exited = true;
	subxact_pop();

	run_init(&r);
	run_suspend(&r);
	PG_TRY();
	{
		if (type != Py_None)
			RollbackAndReleaseCurrentSubTransaction();
		else
			ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(e->oldcontext);
		CurrentResourceOwner = e->oldowner;
		r.oldcontext = e->oldcontext;
		r.oldowner = e->oldowner;
		portal_epoch++;
	}
	PG_CATCH();
	{
		/*
		 * Committing can fail (deferred work, a subxact callback): then
		 * roll the subtransaction back and report the error.
		 */
		r.in_subxact = (GetCurrentSubTransactionId() == e->subid);
		r.oldcontext = e->oldcontext;
		r.oldowner = e->oldowner;
		edata = run_catch(&r);
		portal_epoch++;
	}
	PG_END_TRY();
	if (r.suspended)
		run_resume(&r);
	pfree(e);

	if (edata)
	{
		raise_pg_error(edata);
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

static PyTypeObject PLSSubxactType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "PLySubtransaction",
	.tp_basicsize = sizeof(PLSSubxact),
	.tp_dealloc = subxact_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "PostgreSQL subtransaction context manager",
	.tp_methods = subxact_methods,
};

int
pls_subxact_depth(void)
{
	return explicit_depth;
}

/*
 * At the end of a Python call: abort the explicit subtransactions it
 * opened and did not exit, with PL/Python's warning.  Called with the
 * interpreter current (no Python runs here).
 */
void
pls_subxact_abort_open(int depth)
{
	PLSEntry	save;

	if (explicit_depth <= depth)
		return;
	pls_suspend(&save);
	PG_TRY();
	{
		while (explicit_depth > depth)
		{
			ExplicitSubxact *e = subxact_pop();

			ereport(WARNING,
					(errmsg("forcibly aborting a subtransaction that has not been exited")));
			if (GetCurrentSubTransactionId() == e->subid)
				RollbackAndReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(e->oldcontext);
			CurrentResourceOwner = e->oldowner;
			pfree(e);
			portal_epoch++;
		}
	}
	PG_FINALLY();
	{
		pls_resume(&save);
	}
	PG_END_TRY();
}


/* ---------- commit and rollback ---------- */

/*
 * Pin the portals of the open cursors (names returned), so SPI_commit and
 * SPI_rollback keep them as holdable portals.  Suspended; may ereport.
 */
static char **
pin_open_cursors(int *n)
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
static void
unpin_cursors(char **names, int n)
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

static PyObject *
end_transaction(bool commit)
{
	volatile PGRun r;
	ErrorData  *edata = NULL;
	char	  **volatile pinned = NULL;
	volatile int npinned = 0;

	if (!check_call())
		return NULL;

	run_init(&r);
	run_suspend(&r);
	PG_TRY();
	{
		MemoryContext cxt = CurrentMemoryContext;
		int			n;

		pls_spi_connect();
		MemoryContextSwitchTo(cxt);
		r.oldcontext = cxt;
		pinned = pin_open_cursors(&n);
		npinned = n;
		if (commit)
			SPI_commit();
		else
			SPI_rollback();
		portal_epoch++;
	}
	PG_CATCH();
	{
		/* SPI has already started the next transaction */
		edata = run_catch(&r);
		portal_epoch++;
	}
	PG_END_TRY();
	if (pinned)
		unpin_cursors(pinned, npinned);
	if (r.suspended)
		run_resume(&r);

	if (edata)
	{
		raise_pg_error(edata);
		return NULL;
	}
	Py_RETURN_NONE;
}

PyObject *
pls_spi_commit(PyObject *self, PyObject *unused)
{
	return end_transaction(true);
}

PyObject *
pls_spi_rollback(PyObject *self, PyObject *unused)
{
	return end_transaction(false);
}


/* ---------- set-up ---------- */

static void
xact_callback(XactEvent event, void *arg)
{
	portal_epoch++;
	switch (event)
	{
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PREPARE:
			/* whatever was left open is gone with the transaction */
			while (explicit_subxacts != NULL)
				pfree(subxact_pop());
			explicit_depth = 0;
			scratch_depth = 0;
			break;
		default:
			break;
	}
}

static void
subxact_callback(SubXactEvent event, SubTransactionId mySubid,
				 SubTransactionId parentSubid, void *arg)
{
	ExplicitSubxact **link;

	if (event != SUBXACT_EVENT_ABORT_SUB && event != SUBXACT_EVENT_COMMIT_SUB)
		return;
	if (event == SUBXACT_EVENT_ABORT_SUB)
		portal_epoch++;

	/* a subtransaction of ours ended by someone else: forget it */
	for (link = &explicit_subxacts; *link != NULL; link = &(*link)->next)
	{
		if ((*link)->subid == mySubid)
		{
			ExplicitSubxact *e = *link;

			*link = e->next;
			explicit_depth--;
			pfree(e);
			break;
		}
	}
}

/*
 * Once per backend: ready the static types in the main interpreter (they
 * are shared, so their dicts must not belong to a role's interpreter that
 * could go away) and register the transaction callbacks.
 */
int
pls_spi_init(void)
{
	static bool done = false;
	PyThreadState *prev;
	int			rc = 0;

	if (done)
		return 0;

	prev = PyThreadState_Swap(pls_main_tstate());
	if (PyType_Ready(&PLSResultType) < 0 ||
		PyType_Ready(&PLSPlanType) < 0 ||
		PyType_Ready(&PLSCursorType) < 0 ||
		PyType_Ready(&PLSSubxactType) < 0)
	{
		PyErr_Clear();
		rc = -1;
	}
	PyThreadState_Swap(prev);
	if (rc < 0)
	{
		PyErr_SetString(PyExc_RuntimeError, "could not initialize the plpy types");
		return -1;
	}

	RegisterXactCallback(xact_callback, NULL);
	RegisterSubXactCallback(subxact_callback, NULL);
	done = true;
	return 0;
}
