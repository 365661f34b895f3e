/*-------------------------------------------------------------------------
 *
 * spi_execute.c
 *	  plpy.execute(query[, limit]) and plpy.execute(plan[, args[, limit]]),
 *	  with PL/Python's names, messages and behaviour: the arguments are
 *	  parsed and encoded here, the statement runs in the host
 *	  (pls_host_spi_execute, spi_host.h).  Also plpy's table of SPI
 *	  functions and the readying of the SPI types.  PostgreSQL-free: shared
 *	  by every host.
 *
 *-------------------------------------------------------------------------
 */
#include "spi_host.h"

#include "pyhost.h"
#include "spi_py.h"

void
pls_spi_raise_status(bool plan, const char *code)
{
	PyErr_Format(pls_current->exc_spierror, "%s failed: %s",
				 plan ? "SPI_execute_plan" : "SPI_execute", code);
}

bool
pls_spi_check_call(void)
{
	if (!pls_host_spi_in_call())
	{
		PyErr_SetString(pls_current->exc_error,
						"plpy functions that use SPI can only run inside a plsafepy function call");
		return false;
	}
	return true;
}

static PyObject *
execute_stmt(const PLSSpiStmt *st, long limit)
{
	/* SPI_execute and SPI_execute_plan refuse a negative count */
	if (limit < 0)
	{
		pls_spi_raise_status(st->plan != NULL, "SPI_ERROR_ARGUMENT");
		return NULL;
	}
	return pls_host_spi_execute(st, limit);
}

static PyObject *
execute_query(PyObject *query, long limit)
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
	return execute_stmt(&st, limit);
}

static PyObject *
execute_with_args(PLSSpiStmt *st, void *arg)
{
	return execute_stmt(st, *(long *) arg);
}

PyObject *
pls_execute_plan(PyObject *plan, PyObject *list, long limit)
{
	return pls_plan_use(plan, list, "plpy.execute", execute_with_args, &limit);
}

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

/* plpy.execute(query[, limit]) or plpy.execute(plan[, args[, limit]]) */
static PyObject *
spi_execute(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
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
		return pls_execute_plan(args[0], nargs >= 2 ? args[1] : NULL, limit);

	PyErr_SetString(pls_current->exc_error,
					"plpy.execute expected a query or a plan");
	return NULL;
}

int
pls_spi_types_ready(void)
{
	if (PyType_Ready(&PLSResultType) < 0 ||
		PyType_Ready(&PLSPlanType) < 0 ||
		PyType_Ready(&PLSCursorType) < 0 ||
		PyType_Ready(&PLSSubxactType) < 0)
		return -1;
	return 0;
}

PyMethodDef pls_spi_methods[] = {
	{"prepare", pls_spi_prepare, METH_VARARGS, NULL},
	{"execute", (PyCFunction) (void (*) (void)) spi_execute, METH_FASTCALL | METH_KEYWORDS, NULL},
	{"subtransaction", pls_spi_subtransaction, METH_NOARGS, NULL},
	{"cursor", pls_spi_cursor, METH_VARARGS, NULL},
	{"commit", pls_spi_commit, METH_NOARGS, NULL},
	{"rollback", pls_spi_rollback, METH_NOARGS, NULL},
	{NULL, NULL, 0, NULL}
};
