/*-------------------------------------------------------------------------
 *
 * spi_subxact.c
 *	  plpy.subtransaction() (PL/Python's PLySubtransaction): entering and
 *	  exiting are done by the host (spi_host.h), which lets code exit only
 *	  the innermost subtransaction its own call entered.  PostgreSQL-free:
 *	  shared by every host.
 *
 *-------------------------------------------------------------------------
 */
#include "spi_host.h"

#include "spi_py.h"

typedef struct PLSSubxact
{
	PyObject_HEAD
	bool		started;
	bool		exited;
	uint64_t	token;			/* the host's, once entered */
} PLSSubxact;

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
	ob->token = 0;
	return (PyObject *) ob;
}

/* subxact.__enter__() or subxact.enter() */
static PyObject *
subxact_enter(PyObject *self, PyObject *unused)
{
	PLSSubxact *ob = (PLSSubxact *) self;
	uint64_t	token;

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
	if (!pls_spi_check_call())
		return NULL;
	if (!pls_host_spi_subxact_enter(&token))
		return NULL;
	ob->started = true;
	ob->token = token;
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
	int			rc;

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
	rc = pls_host_spi_in_call() ?
		pls_host_spi_subxact_exit(ob->token, type == Py_None) : -1;
	if (rc < 0)
	{
		PyErr_SetString(PyExc_ValueError, "there is no subtransaction to exit from");
		return NULL;
	}
	ob->exited = true;
	if (rc == 0)
		return NULL;
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
