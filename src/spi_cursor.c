/*-------------------------------------------------------------------------
 *
 * spi_cursor.c
 *	  plpy.cursor and cursor objects (PL/Python's PLyCursor).  Opening,
 *	  fetching and closing are done by the host (spi_host.h).  Iteration
 *	  prefetches rows in growing batches; a query that fails after some
 *	  rows still delivers those rows first (the host keeps the error with
 *	  the cursor), so the loop body sees what PL/Python's row-at-a-time
 *	  fetching shows.  PostgreSQL-free: shared by every host.
 *
 *-------------------------------------------------------------------------
 */
#include "spi_host.h"

#include "pyhost.h"
#include "spi_py.h"

/* Cursor iteration prefetches this many rows, doubling up to the max. */
#define CURSOR_BATCH_MIN 10
#define CURSOR_BATCH_MAX 1000

/* The status of a fetch's result: SPI_OK_FETCH (spi_execute_serve.c checks) */
#define PLS_SPI_OK_FETCH 3

typedef struct PLSCursor
{
	PyObject_HEAD
	PLSHostCursor *host;		/* NULL if opening failed */
	bool		closed;
	PyObject   *buf;			/* prefetched rows (list) or NULL */
	Py_ssize_t	bufpos;
	long		batch;
	PLSHostError *pending;		/* the error that ended the last prefetch,
								 * raised once the rows before it are
								 * consumed, or NULL */
} PLSCursor;

static void
cursor_drop_pending(PLSCursor *cur)
{
	if (cur->pending)
		pls_host_spi_error_free(cur->pending);
	cur->pending = NULL;
}

/*
 * Drop the portal.  An error (an active portal cannot be dropped) is
 * rolled back and dropped by the host: transaction end drops it then.
 */
static void
cursor_release(PLSCursor *cur)
{
	if (cur->closed || cur->host == NULL)
		return;
	cur->closed = true;
	pls_host_spi_cursor_close(cur->host);
}

static void
cursor_dealloc(PyObject *self)
{
	PLSCursor  *cur = (PLSCursor *) self;

	cursor_release(cur);
	Py_CLEAR(cur->buf);
	cursor_drop_pending(cur);
	if (cur->host)
		pls_host_spi_cursor_free(cur->host);
	cur->host = NULL;
	PyObject_Free(self);
}

static PyObject *
cursor_open(const PLSSpiStmt *st)
{
	PLSCursor  *cur;

	cur = PyObject_New(PLSCursor, &PLSCursorType);
	if (cur == NULL)
		return NULL;
	cur->host = NULL;
	cur->closed = true;
	cur->buf = NULL;
	cur->bufpos = 0;
	cur->batch = CURSOR_BATCH_MIN;
	cur->pending = NULL;
	cur->host = pls_host_spi_cursor_open(st);
	if (cur->host == NULL)
	{
		Py_DECREF(cur);
		return NULL;
	}
	cur->closed = false;
	return (PyObject *) cur;
}

static PyObject *
cursor_query(PyObject *query)
{
	PLSSpiStmt	st;
	Py_ssize_t	len;

	if (!pls_spi_check_call())
		return NULL;
	memset(&st, 0, sizeof(st));
	st.query = pls_str_utf8(query, &len);
	if (st.query == NULL)
		return NULL;
	st.querylen = (size_t) len;
	return cursor_open(&st);
}

static PyObject *
open_with_args(PLSSpiStmt *st, void *arg)
{
	return cursor_open(st);
}

PyObject *
pls_cursor_plan(PyObject *plan, PyObject *args)
{
	return pls_plan_use(plan, args, "plpy.cursor", open_with_args, NULL);
}

/* plpy.cursor(query) or plpy.cursor(plan[, args]) */
PyObject *
pls_spi_cursor(PyObject *self, PyObject *args)
{
	Py_ssize_t	n = PyTuple_GET_SIZE(args);

	if (n == 1 && PyUnicode_Check(PyTuple_GET_ITEM(args, 0)))
		return cursor_query(PyTuple_GET_ITEM(args, 0));
	if ((n == 1 || n == 2) && Py_IS_TYPE(PyTuple_GET_ITEM(args, 0), &PLSPlanType))
		return pls_cursor_plan(PyTuple_GET_ITEM(args, 0),
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
	PLSHostError *pending = NULL;
	PyObject   *rows;

	if (!pls_spi_check_call())
		return NULL;
	rows = pls_host_spi_cursor_fetch(cur->host, count, &pending);
	if (pending != NULL)
	{
		cursor_drop_pending(cur);
		cur->pending = pending;
	}
	return rows;
}

/* Raise the error a prefetch ended with.  Always returns NULL. */
static PyObject *
cursor_raise_pending(PLSCursor *cur)
{
	PLSHostError *err = cur->pending;

	cur->pending = NULL;
	pls_host_spi_error_raise(err);
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
	if (!pls_host_spi_cursor_valid(cur->host))
	{
		PyErr_SetString(PyExc_ValueError,
						"iterating a cursor in an aborted subtransaction");
		return NULL;
	}

	if (cur->buf == NULL || cur->bufpos >= PyList_GET_SIZE(cur->buf))
	{
		PyObject   *rows;

		Py_CLEAR(cur->buf);
		if (cur->pending)
			return cursor_raise_pending(cur);
		if (!pls_host_spi_cursor_valid(cur->host))
		{
			PyErr_SetString(PyExc_ValueError,
							"iterating a cursor in an aborted subtransaction");
			return NULL;
		}
		rows = cursor_fetch_rows(cur, cur->batch);
		if (rows == NULL)
			return NULL;
		if (cur->batch < CURSOR_BATCH_MAX)
			cur->batch = cur->batch * 2 < CURSOR_BATCH_MAX ?
				cur->batch * 2 : CURSOR_BATCH_MAX;
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
	PyObject   *rows = NULL;
	PyObject   *st;
	PyObject   *nrows;
	Py_ssize_t	nbuf = 0;

	if (!PyArg_ParseTuple(args, "i:fetch", &count))
		return NULL;
	if (cur->closed)
	{
		PyErr_SetString(PyExc_ValueError, "fetch from a closed cursor");
		return NULL;
	}
	if (!pls_host_spi_cursor_valid(cur->host))
	{
		PyErr_SetString(PyExc_ValueError,
						"iterating a cursor in an aborted subtransaction");
		return NULL;
	}

	/* rows already prefetched by iteration come first */
	if (cur->buf != NULL && count > 0)
	{
		Py_ssize_t	avail = PyList_GET_SIZE(cur->buf) - cur->bufpos;

		nbuf = avail < count ? avail : count;
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
		more = cursor_fetch_rows(cur, count - nbuf);
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

	st = PyLong_FromLong(PLS_SPI_OK_FETCH);
	if (st == NULL)
		goto fail;
	nrows = PyLong_FromSsize_t(PyList_GET_SIZE(rows));
	if (nrows == NULL)
	{
		Py_DECREF(st);
		goto fail;
	}
	return pls_result_new(st, nrows, rows, NULL);

fail:
	Py_XDECREF(rows);
	return NULL;
}

static PyObject *
cursor_close(PyObject *self, PyObject *unused)
{
	PLSCursor  *cur = (PLSCursor *) self;

	if (!cur->closed)
	{
		if (!pls_host_spi_cursor_valid(cur->host))
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
