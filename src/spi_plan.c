/*-------------------------------------------------------------------------
 *
 * spi_plan.c
 *	  plpy.prepare and plan objects (PL/Python's PLyPlan): preparing is done
 *	  by the host (pls_host_spi_prepare, spi_host.h); a plan's argument
 *	  shapes, which the host gives, are what its arguments are encoded for
 *	  here before a statement uses them.  PostgreSQL-free: shared by every
 *	  host.
 *
 *-------------------------------------------------------------------------
 */
#include "spi_host.h"

#include "pyhost.h"
#include "pyvalue.h"
#include "spi_py.h"

typedef struct PLSPlan
{
	PyObject_HEAD
	PLSHostPlan *host;			/* the host's plan, NULL until prepared */
	int			nargs;
} PLSPlan;

/* ---------- arguments ---------- */

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

/* After an encoding failure: raise it (SPIError unless pyexc). */
static void
encoder_raise(PLSEncoder *e)
{
	PLSErrorFields f;

	if (e->pyexc)
		return;
	memset(&f, 0, sizeof(f));
	f.sqlerrcode = e->sqlerrcode;
	f.message = e->message;
	f.detail = e->detail;
	f.hint = e->hint;
	pls_plpy_raise_spierror(&f);
}

/*
 * The arguments as door values, for pls_plan_use; *items is set to a new
 * reference the values point into (the caller releases it after use).
 */
static PLSValue *
plan_encode_args(PLSPlan *plan, PyObject *list, const char *what,
				 PLSEncoder *e, PyObject **items)
{
	PLSValue   *values;
	const PLSShape *const *shapes;
	int			nargs;

	*items = NULL;
	nargs = plan_check_args(plan, list, what);
	if (nargs < 0)
		return NULL;

	shapes = pls_host_spi_plan_shapes(plan->host);
	if (shapes == NULL)
		return NULL;

	/* at least one entry: a non-NULL result means success */
	values = pls_encoder_alloc(e, sizeof(PLSValue) * (nargs > 0 ? nargs : 1));
	if (values == NULL || nargs == 0)
		return values;

	/* a copy: code run by an argument's conversion may change the list */
	if (PyTuple_CheckExact(list))
		*items = Py_NewRef(list);
	else
		*items = PySequence_Tuple(list);
	if (*items == NULL)
		return NULL;
	if (PyTuple_GET_SIZE(*items) != nargs)
	{
		PyErr_SetString(PyExc_TypeError,
						"argument sequence changed size during conversion");
		return NULL;
	}
	for (int i = 0; i < nargs; i++)
	{
		/* the tuple holds its items: values may point into them */
		e->root = PyTuple_GET_ITEM(*items, i);
		if (!pls_encode(e, shapes[i], e->root, &values[i]))
		{
			encoder_raise(e);
			return NULL;
		}
	}
	return values;
}

/*
 * Python side: encode list for plan, then use(request, values) while the
 * values are alive (the plan too, whatever the arguments' code does).
 */
PyObject *
pls_plan_use(PyObject *planobj, PyObject *list, const char *what,
			 PLSPlanUse use, void *arg)
{
	PLSPlan    *plan = (PLSPlan *) planobj;
	PLSEncoder	e;
	const PLSValue *values;
	PyObject   *items;
	PyObject   *ret = NULL;

	if (!pls_spi_check_call())
		return NULL;
	Py_INCREF(plan);
	pls_encoder_init(&e);
	values = plan_encode_args(plan, list, what, &e, &items);
	if (values != NULL)
	{
		PLSSpiStmt	st;

		memset(&st, 0, sizeof(st));
		st.plan = plan->host;
		st.args = values;
		ret = use(&st, arg);
	}
	pls_encoder_free(&e);
	Py_XDECREF(items);
	Py_DECREF(plan);
	return ret;
}

/* ---------- plan objects ---------- */

static void
plan_dealloc(PyObject *self)
{
	PLSPlan    *ob = (PLSPlan *) self;

	if (ob->host)
		pls_host_spi_plan_free(ob->host);
	ob->host = NULL;
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
	return pls_execute_plan(self, nargs >= 1 ? args[0] : NULL, limit);
}

static PyObject *
plan_cursor(PyObject *self, PyObject *args)
{
	PyObject   *planargs = NULL;

	if (!PyArg_ParseTuple(args, "|O:cursor", &planargs))
		return NULL;
	return pls_cursor_plan(self, planargs);
}

static PyMethodDef plan_methods[] = {
	{"cursor", plan_cursor, METH_VARARGS, NULL},
	{"execute", (PyCFunction) (void (*) (void)) plan_execute, METH_FASTCALL | METH_KEYWORDS, NULL},
	{"status", plan_status, METH_VARARGS, NULL},
	{NULL, NULL, 0, NULL}
};

PyTypeObject PLSPlanType = {
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
	PyObject   *items = NULL;
	PLSPlan    *plan;
	const char *sql;
	Py_ssize_t	sqllen;
	const char **typenames = NULL;
	size_t	   *lens = NULL;
	int			nargs = 0;
	PyObject   *ret = NULL;

	if (!PyArg_ParseTuple(args, "U|O:prepare", &query, &list))
		return NULL;
	if (list && !PySequence_Check(list))
	{
		PyErr_SetString(PyExc_TypeError,
						"second argument of plpy.prepare must be a sequence");
		return NULL;
	}
	if (!pls_spi_check_call())
		return NULL;

	sql = pls_str_utf8(query, &sqllen);
	if (sql == NULL)
		return NULL;
	if (list)
	{
		Py_ssize_t	n = PySequence_Length(list);

		if (n < 0)
			return NULL;
		nargs = (int) n;
	}

	/* the type names first, held in a tuple */
	items = PyTuple_New(nargs);
	if (items == NULL)
		return NULL;
	typenames = PyMem_Calloc(nargs > 0 ? nargs : 1, sizeof(char *));
	lens = PyMem_Calloc(nargs > 0 ? nargs : 1, sizeof(size_t));
	if (typenames == NULL || lens == NULL)
	{
		PyErr_NoMemory();
		goto done;
	}
	for (int i = 0; i < nargs; i++)
	{
		PyObject   *o = PySequence_GetItem(list, i);
		Py_ssize_t	len;

		if (o == NULL)
			goto done;
		PyTuple_SET_ITEM(items, i, o);
		if (PyUnicode_Check(o))
		{
			if ((typenames[i] = pls_str_utf8(o, &len)) == NULL)
				goto done;
			lens[i] = (size_t) len;
		}
	}

	plan = PyObject_New(PLSPlan, &PLSPlanType);
	if (plan == NULL)
		goto done;
	plan->host = NULL;
	plan->nargs = nargs;
	plan->host = pls_host_spi_prepare(sql, (size_t) sqllen, nargs,
									  typenames, lens);
	if (plan->host == NULL)
		Py_DECREF(plan);
	else
		ret = (PyObject *) plan;

done:
	PyMem_Free(typenames);
	PyMem_Free(lens);
	Py_DECREF(items);
	return ret;
}
