/*-------------------------------------------------------------------------
 *
 * spi_result.c
 *	  The result object of plpy.execute and cursor.fetch (PL/Python's
 *	  PLyResult): status, nrows, the rows as a list of dicts, and the
 *	  column names and types of the row shape they came with (given by
 *	  the host, spi_host.h).  PostgreSQL-free: shared by every host.
 *
 *-------------------------------------------------------------------------
 */
#include "spi_host.h"

#include "pyhost.h"

typedef struct PLSResult
{
	PyObject_HEAD
	PyObject   *status;
	PyObject   *nrows;
	PyObject   *rows;
	PLSColumns *cols;			/* the host's, or NULL */
} PLSResult;

PyObject *
pls_result_new(PyObject *status, PyObject *nrows, PyObject *rows,
			   PLSColumns *cols)
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
		if (cols)
			pls_host_columns_release(cols);
		return NULL;
	}
	ob->status = status;
	ob->nrows = nrows;
	ob->rows = rows;
	ob->cols = cols;
	return (PyObject *) ob;
}

static void
result_dealloc(PyObject *self)
{
	PLSResult  *ob = (PLSResult *) self;

	Py_XDECREF(ob->nrows);
	Py_XDECREF(ob->rows);
	Py_XDECREF(ob->status);
	if (ob->cols)
	{
		pls_host_columns_release(ob->cols);
		ob->cols = NULL;
	}
	PyObject_Free(self);
}

static PyObject *
result_colinfo(PyObject *self, int which)
{
	PLSResult  *ob = (PLSResult *) self;
	PyObject   *list;
	int			i;

	if (ob->cols == NULL)
	{
		PyErr_SetString(pls_current->exc_error,
						"command did not produce a result set");
		return NULL;
	}
	if (which == 0)
		return PyList_GetSlice(ob->cols->colnames, 0, ob->cols->natts);
	list = PyList_New(ob->cols->natts);
	if (list == NULL)
		return NULL;
	for (i = 0; i < ob->cols->natts; i++)
	{
		PyObject   *v;

		if (which == 1)
			v = PyLong_FromLong(ob->cols->typoids[i]);
		else
			v = PyLong_FromLong(ob->cols->typmods[i]);
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
PyTypeObject PLSResultType = {
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
