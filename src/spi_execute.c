/*-------------------------------------------------------------------------
 *
 * spi_execute.c
 *	  plpy.execute(query[, limit]) and plpy.execute(plan[, args[, limit]]),
 *	  with PL/Python's names, messages and behaviour, as door requests: the
 *	  Python side encodes the arguments first; the PostgreSQL side decodes
 *	  them and runs the statement inside the door's subtransaction, its rows
 *	  converted as the executor produces them (the row sink).  Also the
 *	  set-up of the SPI side of plpy: the backend's pls_host_plpy_add_spi
 *	  (plpy_host.h).
 *
 *-------------------------------------------------------------------------
 */
#include "plpy_int.h"

#include "mb/pg_wchar.h"
#include "nodes/params.h"

/* The request, filled on the Python side. */
typedef struct ExecuteReq
{
	/* query text (UTF-8) or a plan with its encoded arguments */
	const char *query;
	Py_ssize_t	querylen;
	PLSPlan    *plan;
	const PLSValue *args;
	long		limit;
	bool		readonly;
	/* reply */
	PyReceiver	rcv;			/* the rows, converted as they come */
	uint64		processed;
	int			status;
} ExecuteReq;

/* PostgreSQL side */
static void
serve_execute(void *arg)
{
	ExecuteReq *req = (ExecuteReq *) arg;
	SPIExecuteOptions options;
	PLSExecCtx *ctx = pls_exec_ctx;
	MemoryContext scratch = pls_exec_scratch(ctx);
	MemoryContext oldcxt;
	ParamListInfo params = NULL;

	MemoryContextReset(scratch);
	pls_receiver_init(&req->rcv, req->plan ? &req->plan->rc : NULL,
					  pls_exec_rowtmp(ctx));

	memset(&options, 0, sizeof(options));
	options.read_only = req->readonly;
	options.tcount = req->limit;
	options.dest = (DestReceiver *) &req->rcv;

	oldcxt = MemoryContextSwitchTo(scratch);
	if (req->plan && req->plan->nargs > 0)
	{
		PLSPlan    *plan = req->plan;
		Datum	   *values = palloc(sizeof(Datum) * plan->nargs);
		char	   *nulls = palloc(sizeof(char) * plan->nargs);

		pls_plan_decode_args(plan, req->args, values, nulls);
		params = makeParamList(plan->nargs);
		for (int i = 0; i < plan->nargs; i++)
		{
			ParamExternData *prm = &params->params[i];

			prm->value = values[i];
			prm->isnull = (nulls[i] == 'n');
			prm->pflags = PARAM_FLAG_CONST;
			prm->ptype = plan->types[i];
		}
	}
	options.params = params;
	MemoryContextSwitchTo(oldcxt);

	if (req->plan)
		req->status = SPI_execute_plan_extended(req->plan->plan, &options);
	else
	{
		char	   *sql = pls_utf8_to_server(req->query, req->querylen);

		req->status = SPI_execute_extended(sql, &options);
	}
	req->processed = SPI_processed;

	/* a row that did not convert: undo the statement too */
	if (req->rcv.failed)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("could not convert a result row to Python")));
}

/* Python side: send the request, make the result object. */
static PyObject *
execute_request(ExecuteReq *req)
{
	PLSDoorError err;
	PyObject   *ret = NULL;
	int			gc_was_enabled;
	bool		ok;

	/* SPI_execute and SPI_execute_plan refuse a negative count */
	if (req->limit < 0)
	{
		PyErr_Format(pls_current->exc_spierror, "%s failed: %s",
					 req->plan ? "SPI_execute_plan" : "SPI_execute",
					 SPI_result_code_string(SPI_ERROR_ARGUMENT));
		return NULL;
	}
	req->readonly = pls_exec_readonly();
	memset(&req->rcv, 0, sizeof(req->rcv));
	/* no collection, hence no finalizer, runs while rows are converted */
	gc_was_enabled = PyGC_Disable();
	ok = pls_door_call(serve_execute, req, PLS_DOOR_SUBXACT, &err);
	if (gc_was_enabled)
		PyGC_Enable();
	if (!ok)
	{
		/* a failed row conversion's Python exception wins */
		pls_door_raise(&err);
		pls_door_error_free(&err);
	}
	else if (req->status < 0)
		PyErr_Format(pls_current->exc_spierror, "%s failed: %s",
					 req->plan ? "SPI_execute_plan" : "SPI_execute",
					 SPI_result_code_string(req->status));
	else
		ret = pls_result_from_receiver(&req->rcv, req->processed, req->status);
	pls_receiver_cleanup(&req->rcv);
	return ret;
}

static PyObject *
execute_query(PyObject *query, long limit)
{
	ExecuteReq	req;

	if (!pls_exec_check())
		return NULL;
	memset(&req, 0, sizeof(req));
	req.query = pls_str_utf8(query, &req.querylen);
	if (req.query == NULL)
		return NULL;
	req.limit = limit;
	return execute_request(&req);
}

static PyObject *
execute_with_args(void *request, const PLSValue *values)
{
	ExecuteReq *req = (ExecuteReq *) request;

	req->args = values;
	return execute_request(req);
}

PyObject *
pls_execute_plan(PLSPlan *plan, PyObject *list, long limit)
{
	ExecuteReq	req;

	memset(&req, 0, sizeof(req));
	req.plan = plan;
	req.limit = limit;
	return pls_plan_use(plan, list, "plpy.execute", execute_with_args, &req);
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
		return pls_execute_plan((PLSPlan *) args[0], nargs >= 2 ? args[1] : NULL,
								limit);

	PyErr_SetString(pls_current->exc_error,
					"plpy.execute expected a query or a plan");
	return NULL;
}

/*
 * Once per backend: ready the static types in the main interpreter (they
 * are shared, so their dicts must not belong to a role's interpreter that
 * could go away) and register the transaction callbacks.
 */
static int
spi_init(void)
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

	pls_subxact_register_callbacks();
	done = true;
	return 0;
}

static PyMethodDef spi_methods[] = {
	{"prepare", pls_spi_prepare, METH_VARARGS, NULL},
	{"execute", (PyCFunction) (void (*) (void)) pls_spi_execute, METH_FASTCALL | METH_KEYWORDS, NULL},
	{"subtransaction", pls_spi_subtransaction, METH_NOARGS, NULL},
	{"cursor", pls_spi_cursor, METH_VARARGS, NULL},
	{"commit", pls_spi_commit, METH_NOARGS, NULL},
	{"rollback", pls_spi_rollback, METH_NOARGS, NULL},
	{NULL, NULL, 0, NULL}
};

int
pls_host_plpy_add_spi(PyObject *module, PLSInterp *interp)
{
	if (spi_init() < 0)
		return -1;
	return PyModule_AddFunctions(module, spi_methods);
}
