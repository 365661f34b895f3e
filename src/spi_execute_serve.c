/*-------------------------------------------------------------------------
 *
 * spi_execute_serve.c
 *	  The PostgreSQL side of plpy.execute (spi_execute.c): a door request
 *	  that decodes a plan's arguments and runs the statement inside the
 *	  door's subtransaction, its rows handed to a DestReceiver as the
 *	  executor produces them: inline mode's row sink (spi_rowconv.c: dicts
 *	  at once) or, for a worker, door values (process_spi_rows.c).  Also the
 *	  backend's hook adding the SPI functions to plpy (plpy_host.h).
 *
 *-------------------------------------------------------------------------
 */
#include "plpy_int.h"

#include "nodes/params.h"

/* spi_cursor.c's fetch status is SPI's */
StaticAssertDecl(SPI_OK_FETCH == 3, "SPI_OK_FETCH changed");

static void
serve_execute(void *arg)
{
	PLSExecuteReq *req = (PLSExecuteReq *) arg;
	SPIExecuteOptions options;
	PLSExecCtx *ctx = pls_exec_ctx;
	MemoryContext scratch = pls_exec_scratch(ctx);
	MemoryContext oldcxt;
	ParamListInfo params = NULL;
	PLSHostPlan *plan = req->st.plan;

	MemoryContextReset(scratch);
	memset(&options, 0, sizeof(options));
	options.read_only = pls_exec_readonly();
	options.tcount = req->limit;
	options.dest = req->dest(req);

	oldcxt = MemoryContextSwitchTo(scratch);
	if (plan && plan->nargs > 0)
	{
		Datum	   *values = palloc(sizeof(Datum) * plan->nargs);
		char	   *nulls = palloc(sizeof(char) * plan->nargs);

		pls_plan_decode_args(plan, req->st.args, values, nulls);
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

	if (plan)
		req->status = SPI_execute_plan_extended(plan->plan, &options);
	else
	{
		char	   *sql = pls_utf8_to_server(req->st.query, req->st.querylen);

		req->status = SPI_execute_extended(sql, &options);
	}
	req->processed = SPI_processed;
	if (req->after)
		req->after(req);
}

bool
pls_execute(PLSDoorFn door, PLSExecuteReq *req, PLSDoorError *err)
{
	return door(serve_execute, req, PLS_DOOR_SUBXACT, err, NULL);
}

bool
pls_spi_status_has_rows(int status)
{
	return status == SPI_OK_SELECT || status == SPI_OK_UTILITY ||
		status == SPI_OK_FETCH ||
		status == SPI_OK_INSERT_RETURNING ||
		status == SPI_OK_DELETE_RETURNING ||
		status == SPI_OK_UPDATE_RETURNING;
}

/* ---------- inline mode: the rows as dicts at once ---------- */

typedef struct InlineExecute
{
	PLSExecuteReq req;
	PyReceiver	rcv;
} InlineExecute;

static DestReceiver *
inline_dest(PLSExecuteReq *req)
{
	InlineExecute *ie = (InlineExecute *) req;

	pls_receiver_init(&ie->rcv, req->st.plan ? &req->st.plan->rc : NULL,
					  pls_exec_rowtmp(pls_exec_ctx));
	return (DestReceiver *) &ie->rcv;
}

/* a row that did not convert: undo the statement too */
static void
inline_after(PLSExecuteReq *req)
{
	if (((InlineExecute *) req)->rcv.failed)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("could not convert a result row to Python")));
}

/*
 * PL/Python's PLy_spi_execute_fetch_result, for rows a PyReceiver already
 * converted: the result object of an SPI call that returned status and
 * processed.  NULL with a Python exception on failure (also when the
 * receiver failed).
 */
static PyObject *
result_from_receiver(PyReceiver *rcv, uint64 processed, int status)
{
	PyObject   *st;
	PyObject   *nrows = NULL;
	PyObject   *rows = NULL;
	PLSColumns *cols = NULL;
	bool		with_rows;

	if (rcv->failed)
		return NULL;

	/* rows only from a command that returns them (as SPI's tuple table) */
	with_rows = (status > 0 && rcv->rc != NULL &&
				 pls_spi_status_has_rows(status));

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
		/* the receiver's pin goes to the result */
		cols = &rcv->rc->cols;
		rcv->rc = NULL;
	}
	return pls_result_new(st, nrows, rows, cols);
}

PyObject *
pls_host_spi_execute(const PLSSpiStmt *st, long limit)
{
	InlineExecute ie;
	PLSDoorError err;
	PyObject   *ret = NULL;
	int			gc_was_enabled;
	bool		ok;

	memset(&ie, 0, sizeof(ie));
	ie.req.st = *st;
	ie.req.limit = limit;
	ie.req.dest = inline_dest;
	ie.req.after = inline_after;
	/* no collection, hence no finalizer, runs while rows are converted */
	gc_was_enabled = PyGC_Disable();
	ok = pls_execute(pls_door_call_keep, &ie.req, &err);
	if (gc_was_enabled)
		PyGC_Enable();
	if (!ok)
	{
		/* a failed row conversion's Python exception wins */
		pls_door_raise(&err);
		pls_door_error_free(&err);
	}
	else if (ie.req.status < 0)
		pls_spi_raise_status(st->plan != NULL,
							 SPI_result_code_string(ie.req.status));
	else
		ret = result_from_receiver(&ie.rcv, ie.req.processed, ie.req.status);
	pls_receiver_cleanup(&ie.rcv);
	return ret;
}

bool
pls_host_spi_in_call(void)
{
	return pls_exec_ctx != NULL;
}

void
pls_host_columns_release(PLSColumns *cols)
{
	pls_rowconv_unpin((RowConv *) ((char *) cols - offsetof(RowConv, cols)));
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
	int			rc;

	if (done)
		return 0;

	prev = PyThreadState_Swap(pls_main_tstate());
	rc = pls_spi_types_ready();
	if (rc < 0)
		PyErr_Clear();
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

int
pls_host_plpy_add_spi(PyObject *module, PLSInterp *interp)
{
	if (spi_init() < 0)
		return -1;
	return PyModule_AddFunctions(module, pls_spi_methods);
}
