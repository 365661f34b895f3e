/*-------------------------------------------------------------------------
 *
 * spi_plan.c
 *	  plpy.prepare and plan objects (PL/Python's PLyPlan): preparing is a
 *	  door request; a plan's argument shapes are what the Python side
 *	  encodes its arguments for, and the PostgreSQL side decodes them into
 *	  Datums of the plan's types inside the request that uses them.
 *
 *-------------------------------------------------------------------------
 */
#include "plpy_int.h"

#include "parser/parse_type.h"
#include "utils/memutils.h"

/*
 * Plans dropped where no request could free them (outside a call): freed
 * by the next prepare or plan release.
 */
typedef struct PendingPlan
{
	SPIPlanPtr	plan;
	struct PendingPlan *next;
} PendingPlan;

static PendingPlan *pending_plans = NULL;

/* ---------- the requests ---------- */

static void
free_pending_plans(void)
{
	while (pending_plans != NULL)
	{
		PendingPlan *p = pending_plans;

		pending_plans = p->next;
		SPI_freeplan(p->plan);
		pfree(p);
	}
}

typedef struct PrepareReq
{
	const char *query;
	Py_ssize_t	querylen;
	int			nargs;
	const char **typenames;		/* UTF-8, NULL: not a str */
	Py_ssize_t *typenamelens;
	PLSPlan    *plan;			/* reply: filled in */
} PrepareReq;

/* PostgreSQL side */
static void
serve_prepare(void *arg)
{
	PrepareReq *req = (PrepareReq *) arg;
	PLSPlan    *plan = req->plan;
	MemoryContext scratch = pls_exec_scratch(pls_exec_ctx);
	MemoryContext mcxt;
	MemoryContext oldcxt;
	int32	   *typmods;
	Oid		   *types;
	PLSType    *args;
	SPIPlanPtr	spiplan;
	char	   *sql;
	int			nargs = req->nargs;

	MemoryContextReset(scratch);
	free_pending_plans();
	/* the plan's memory joins TopMemoryContext once all went well */
	mcxt = AllocSetContextCreate(scratch, "plsafepy plan", ALLOCSET_SMALL_SIZES);
	oldcxt = MemoryContextSwitchTo(mcxt);
	types = nargs ? palloc0(sizeof(Oid) * nargs) : NULL;
	args = nargs ? palloc0(sizeof(PLSType) * nargs) : NULL;
	typmods = nargs ? palloc0(sizeof(int32) * nargs) : NULL;
	MemoryContextSwitchTo(scratch);
	for (int i = 0; i < nargs; i++)
	{
		char	   *name;

		if (req->typenames[i] == NULL)
			ereport(ERROR,
					(errmsg("plpy.prepare: type name at ordinal position %d is not a string", i)));
		name = pls_utf8_to_server(req->typenames[i], req->typenamelens[i]);
		parseTypeString(name, &types[i], &typmods[i], false);
	}
	sql = pls_utf8_to_server(req->query, req->querylen);
	MemoryContextSwitchTo(oldcxt);

	/* the argument conversions, built once for the plan's life */
	plan->args_have_rows = false;
	for (int i = 0; i < nargs; i++)
	{
		pls_type_init(&args[i], types[i], typmods[i], mcxt);
		if (pls_type_has_row(&args[i]))
		{
			pls_type_resolve(&args[i]);
			plan->args_have_rows = true;
		}
	}

	spiplan = SPI_prepare(sql, nargs, types);
	if (spiplan == NULL)
		elog(ERROR, "SPI_prepare failed: %s",
			 SPI_result_code_string(SPI_result));
	/* move the plan out of the SPI procedure context */
	if (SPI_keepplan(spiplan))
		elog(ERROR, "SPI_keepplan failed");

	MemoryContextSetParent(mcxt, TopMemoryContext);
	plan->mcxt = mcxt;
	plan->types = types;
	plan->args = args;
	plan->nargs = nargs;
	plan->plan = spiplan;
}

typedef struct ResolveReq
{
	PLSPlan    *plan;
} ResolveReq;

/* PostgreSQL side: the row types of the arguments, looked up again */
static void
serve_resolve(void *arg)
{
	PLSPlan    *plan = ((ResolveReq *) arg)->plan;

	for (int i = 0; i < plan->nargs; i++)
		pls_type_resolve(&plan->args[i]);
}

typedef struct FreePlanReq
{
	SPIPlanPtr	plan;
} FreePlanReq;

/* PostgreSQL side */
static void
serve_free_plan(void *arg)
{
	FreePlanReq *req = (FreePlanReq *) arg;

	free_pending_plans();
	if (req->plan)
		SPI_freeplan(req->plan);
}

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

/*
 * The arguments as door values, for pls_plan_use; *items is set to a new
 * reference the values point into (the caller releases it after use).
 */
static PLSValue *
plan_encode_args(PLSPlan *plan, PyObject *list, const char *what,
				 PLSEncoder *e, PyObject **items)
{
	PLSValue   *values;
	int			nargs;

	*items = NULL;
	nargs = plan_check_args(plan, list, what);
	if (nargs < 0)
		return NULL;

	if (plan->args_have_rows)
	{
		ResolveReq	req = {plan};
		PLSDoorError err;

		if (!pls_door_call(serve_resolve, &req, PLS_DOOR_SUBXACT, &err))
		{
			pls_door_raise(&err);
			pls_door_error_free(&err);
			return NULL;
		}
	}

	/* at least one entry: a non-NULL result means success */
	values = pls_encoder_alloc(e, sizeof(PLSValue) * Max(nargs, 1));
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
		if (!pls_encode(e, plan->args[i].shape, e->root, &values[i]))
		{
			pls_encoder_raise(e);
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
pls_plan_use(PLSPlan *plan, PyObject *list, const char *what,
			 PLSPlanUse use, void *request)
{
	PLSEncoder	e;
	const PLSValue *values;
	PyObject   *items;
	PyObject   *ret = NULL;

	if (!pls_exec_check())
		return NULL;
	Py_INCREF(plan);
	pls_encoder_init(&e);
	values = plan_encode_args(plan, list, what, &e, &items);
	if (values != NULL)
		ret = use(request, values);
	pls_encoder_free(&e);
	Py_XDECREF(items);
	Py_DECREF(plan);
	return ret;
}

void
pls_plan_decode_args(PLSPlan *plan, const PLSValue *values, Datum *datums,
					 char *nulls)
{
	for (int i = 0; i < plan->nargs; i++)
	{
		bool		isnull;

		datums[i] = pls_decode(&plan->args[i], &values[i], &isnull);
		nulls[i] = isnull ? 'n' : ' ';
	}
}

/* ---------- plan objects ---------- */

static void
plan_dealloc(PyObject *self)
{
	PLSPlan    *ob = (PLSPlan *) self;

	if (ob->plan)
	{
		FreePlanReq req = {ob->plan};

		/*
		 * Freed by a request (an error rolled back and dropped: there is no
		 * one to tell), or, outside a call, by the next request.
		 */
		if (pls_exec_ctx == NULL ||
			!pls_door_call(serve_free_plan, &req, PLS_DOOR_SUBXACT, NULL))
		{
			PendingPlan *p = MemoryContextAllocExtended(TopMemoryContext,
														sizeof(PendingPlan),
														MCXT_ALLOC_NO_OOM);

			if (p != NULL)
			{
				p->plan = ob->plan;
				p->next = pending_plans;
				pending_plans = p;
			}
		}
		ob->plan = NULL;
	}
	pls_rowconv_free(ob->rc);
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
	return pls_execute_plan((PLSPlan *) self, nargs >= 1 ? args[0] : NULL, limit);
}

static PyObject *
plan_cursor(PyObject *self, PyObject *args)
{
	PyObject   *planargs = NULL;

	if (!PyArg_ParseTuple(args, "|O:cursor", &planargs))
		return NULL;
	return pls_cursor_plan((PLSPlan *) self, planargs);
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
	PrepareReq	req;
	PLSDoorError err;
	PyObject   *ret = NULL;

	if (!PyArg_ParseTuple(args, "U|O:prepare", &query, &list))
		return NULL;
	if (list && !PySequence_Check(list))
	{
		PyErr_SetString(PyExc_TypeError,
						"second argument of plpy.prepare must be a sequence");
		return NULL;
	}
	if (!pls_exec_check())
		return NULL;

	memset(&req, 0, sizeof(req));
	req.query = pls_str_utf8(query, &req.querylen);
	if (req.query == NULL)
		return NULL;
	if (list)
	{
		Py_ssize_t	n = PySequence_Length(list);

		if (n < 0)
			return NULL;
		req.nargs = (int) n;
	}

	/* Python side first: the type names, held in a tuple */
	items = PyTuple_New(req.nargs);
	if (items == NULL)
		return NULL;
	req.typenames = PyMem_Calloc(Max(req.nargs, 1), sizeof(char *));
	req.typenamelens = PyMem_Calloc(Max(req.nargs, 1), sizeof(Py_ssize_t));
	if (req.typenames == NULL || req.typenamelens == NULL)
	{
		PyErr_NoMemory();
		goto done;
	}
	for (int i = 0; i < req.nargs; i++)
	{
		PyObject   *o = PySequence_GetItem(list, i);

		if (o == NULL)
			goto done;
		PyTuple_SET_ITEM(items, i, o);
		if (PyUnicode_Check(o) &&
			(req.typenames[i] = pls_str_utf8(o, &req.typenamelens[i])) == NULL)
			goto done;
	}

	plan = PyObject_New(PLSPlan, &PLSPlanType);
	if (plan == NULL)
		goto done;
	plan->plan = NULL;
	plan->nargs = 0;
	plan->types = NULL;
	plan->args = NULL;
	plan->args_have_rows = false;
	plan->rc = NULL;
	plan->mcxt = NULL;
	req.plan = plan;

	if (!pls_door_call(serve_prepare, &req, PLS_DOOR_SUBXACT, &err))
	{
		Py_DECREF(plan);
		pls_door_raise(&err);
		pls_door_error_free(&err);
	}
	else
		ret = (PyObject *) plan;

done:
	PyMem_Free(req.typenames);
	PyMem_Free(req.typenamelens);
	Py_DECREF(items);
	return ret;
}
