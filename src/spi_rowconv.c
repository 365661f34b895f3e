/*-------------------------------------------------------------------------
 *
 * spi_rowconv.c
 *	  The row-shape cache and the row sink of plpy's results: conversion
 *	  info is built once per result shape (a RowConv) and kept with the
 *	  plan, the cursor, or a small per-interpreter cache, never looked up
 *	  per row; plpy.execute's rows are converted to dicts as the executor
 *	  produces them (PyReceiver, the inline transport's row sink), a
 *	  cursor's fetched rows in one batch (pls_rows_to_list).  Both run
 *	  inside a door request, with the Python side entered just for the
 *	  conversion: no user code runs (the garbage collector is off).
 *
 *-------------------------------------------------------------------------
 */
#include "plpy_int.h"

#include "access/htup_details.h"
#include "utils/memutils.h"

/* Result shapes remembered per interpreter for plpy.execute(query). */
#define ROWCONV_CACHE_SIZE 16

typedef struct RowConvSlot
{
	RowConv    *rc;
	uint32		hash;
} RowConvSlot;

static RowConvSlot rowconv_cache[ROWCONV_CACHE_SIZE];
static int	rowconv_next = 0;

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

/* The running function's transforms are what its results use (PL/Python's). */
static bool
rowconv_matches(RowConv *rc, TupleDesc desc)
{
	int			i;

	if (rc->interp != pls_current || rc->natts != desc->natts ||
		!pls_trf_equal(rc->trf, pls_exec_trf_value()))
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
void
pls_rowconv_free(RowConv *rc)
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
	Py_XDECREF(rc->colnames);
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
	rc->trf = pls_exec_trf_value();
	rc->natts = desc->natts;
	rc->typoids = palloc(sizeof(Oid) * (desc->natts + 1));
	rc->typmods = palloc(sizeof(int32) * (desc->natts + 1));
	rc->dropped = palloc(sizeof(bool) * (desc->natts + 1));
	rc->names = palloc(sizeof(NameData) * (desc->natts + 1));
	rc->live = palloc(sizeof(int) * (desc->natts + 1));
	rc->types = palloc0(sizeof(PLSType) * (desc->natts + 1));
	rc->keys = palloc0(sizeof(PyObject *) * (desc->natts + 1));
	MemoryContextSwitchTo(oldcxt);
	rc->colnames = PyList_New(desc->natts);

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		rc->typoids[i] = att->atttypid;
		rc->typmods[i] = att->atttypmod;
		rc->dropped[i] = att->attisdropped;
		rc->names[i] = att->attname;
		if (rc->colnames != NULL)
		{
			PyObject   *name = pls_str_from_server(NameStr(att->attname),
												   strlen(NameStr(att->attname)));

			if (name == NULL)
				Py_CLEAR(rc->colnames);
			else
				PyList_SET_ITEM(rc->colnames, i, name);
		}
		if (rc->colnames == NULL)
		{
			pls_rowconv_free(rc);
			return NULL;
		}
		if (att->attisdropped)
			continue;
		pls_type_init(&rc->types[rc->nlive], att->atttypid, att->atttypmod, mcxt,
					  &rc->trf);
		rc->keys[rc->nlive] = pls_str_from_server(NameStr(att->attname), strlen(NameStr(att->attname)));
		if (rc->keys[rc->nlive] == NULL)
		{
			pls_rowconv_free(rc);
			return NULL;
		}
		/* the same str object for every row: dict lookups hash it once */
		PyUnicode_InternInPlace(&rc->keys[rc->nlive]);
		rc->live[rc->nlive] = i;
		rc->nlive++;
	}
	rc->cols.natts = rc->natts;
	rc->cols.colnames = rc->colnames;
	rc->cols.typoids = rc->typoids;
	rc->cols.typmods = rc->typmods;
	return rc;
}

/*
 * Conversion info for desc: *slot if it still fits, else a new one that
 * replaces it.  For plpy.execute(query) (slot == NULL) the per-interpreter
 * cache is used.  Resumed; may ereport.
 */
RowConv *
pls_rowconv_get(RowConv **slot, TupleDesc desc)
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
		pls_rowconv_free(*slot);
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
			pls_rowconv_free(s->rc);
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

void
pls_rowconv_pin(RowConv *rc)
{
	rc->pins++;
}

/* Resumed: may free it (its keys belong to the current interpreter). */
void
pls_rowconv_unpin(RowConv *rc)
{
	rc->pins--;
	if (rc->doomed && rc->pins == 0)
		pls_rowconv_free(rc);
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
PyObject *
pls_rows_to_list(RowConv **slot, HeapTuple *vals, uint64 n, TupleDesc desc,
			 MemoryContext scratch)
{
	RowConv    *rc;
	PyObject   *volatile list = NULL;
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

	rc = pls_rowconv_get(slot, desc);
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

	/* released on error too: a conversion may ereport (detoasting) */
	pls_rowconv_pin(rc);
	PG_TRY();
	{
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
	}
	PG_CATCH();
	{
		Py_XDECREF(list);
		pls_rowconv_unpin(rc);
		PG_RE_THROW();
	}
	PG_END_TRY();
	if (values != values_buf)
	{
		pfree(values);
		pfree(nulls);
	}
	pls_rowconv_unpin(rc);
	return list;
}

static void
receiver_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
	PyReceiver *rcv = (PyReceiver *) self;

	if (rcv->failed)
		return;
	pls_door_sink_enter();
	PG_TRY();
	{
		/* a later statement of the same string: only the last one counts */
		Py_CLEAR(rcv->rows);
		if (rcv->rc)
		{
			pls_rowconv_unpin(rcv->rc);
			rcv->rc = NULL;
		}
		rcv->rc = pls_rowconv_get(rcv->slot, typeinfo);
		if (rcv->rc != NULL)
		{
			pls_rowconv_pin(rcv->rc);
			rcv->rows = PyList_New(0);
		}
		if (rcv->rows == NULL)
			rcv->failed = true;
	}
	PG_CATCH();
	{
		pls_door_sink_leave();
		PG_RE_THROW();
	}
	PG_END_TRY();
	pls_door_sink_leave();
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
	pls_door_sink_enter();
	oldcxt = MemoryContextSwitchTo(rcv->rowtmp);
	PG_TRY();
	{
		/* a conversion may ereport (detoasting, an output function) */
		row = rowconv_row(rcv->rc, slot->tts_values, slot->tts_isnull);
	}
	PG_CATCH();
	{
		pls_door_sink_leave();
		PG_RE_THROW();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(oldcxt);
	MemoryContextReset(rcv->rowtmp);
	if (row == NULL || PyList_Append(rcv->rows, row) < 0)
		rcv->failed = true;
	Py_XDECREF(row);
	pls_door_sink_leave();
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

void
pls_receiver_init(PyReceiver *rcv, RowConv **slot, MemoryContext rowtmp)
{
	memset(rcv, 0, sizeof(*rcv));
	rcv->pub.receiveSlot = receiver_receive;
	rcv->pub.rStartup = receiver_startup;
	rcv->pub.rShutdown = receiver_shutdown;
	rcv->pub.rDestroy = receiver_destroy;
	/* not DestNone: SPI reports SPI_OK_UTILITY for a SELECT sent there */
	rcv->pub.mydest = DestTuplestore;
	rcv->slot = slot;
	rcv->rowtmp = rowtmp;
}

/* Python side: drop what the receiver still holds. */
void
pls_receiver_cleanup(PyReceiver *rcv)
{
	Py_CLEAR(rcv->rows);
	if (rcv->rc)
	{
		pls_rowconv_unpin(rcv->rc);
		rcv->rc = NULL;
	}
}

