/*-------------------------------------------------------------------------
 *
 * exec.c
 *	  Calling a compiled procedure: arguments as fast locals, the result
 *	  converted back, set-returning functions (value per call, the
 *	  iterator kept across calls), procedures and DO blocks.  SPI is
 *	  connected lazily, by the first door request of a call that needs it
 *	  (door.c), and finished here once the result is built.
 *
 *-------------------------------------------------------------------------
 */
#include "plsafepy.h"
#include "pycall.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/memutils.h"

/* Up to this many parameters are passed without a palloc. */
#define PLS_STACK_ARGS 8

typedef struct PLSSrfState
{
	PLSSrfHead	head;			/* the procedure */
	PyObject   *iter;
	TupleDesc	desc;			/* RETURNS record: the row type of this scan */
	MemoryContextCallback cb;
} PLSSrfState;

PyObject *
pls_call(PLSProc *proc, PyObject *const *args, Py_ssize_t nargs)
{
	PyObject   *res;
	PLSProc    *save_proc = pls_current_proc;
	int			subxacts = pls_subxact_depth();

	pls_current_proc = proc;
	res = PyObject_Vectorcall(proc->func, args, nargs, NULL);
	pls_current_proc = save_proc;
	/* plpy.subtransaction()s the call entered and did not exit */
	pls_subxact_abort_open(subxacts);
	return res;
}

/*
 * The arguments of a call as Python objects.  call_with_args converts them
 * and releases them once the call returns; if a conversion throws (an
 * output function, detoasting, an encoding error), its caller's PG_CATCH
 * releases the ones converted before (call_args_release): the callers have
 * a PG_CATCH anyway, one more per call would cost a setjmp.
 */
typedef struct CallArgs
{
	PyObject   *stack[PLS_STACK_ARGS];
	PyObject  **argv;
	PyObject   *arglist;		/* the args list, if the body uses it */
	int			nconverted;		/* argv[0 .. nconverted - 1] are held */
} CallArgs;

static inline void
call_args_init(CallArgs *a)
{
	a->argv = a->stack;
	a->arglist = NULL;
	a->nconverted = 0;
}

static void
call_args_release(volatile CallArgs *a)
{
	while (a->nconverted > 0)
		Py_DECREF(a->argv[--a->nconverted]);
	Py_CLEAR(a->arglist);
}

/*
 * Convert the SQL arguments and call the function.  The interpreter has
 * been entered.  Returns the result (new reference); a Python exception
 * becomes an ereport.
 */
static PyObject *
call_with_args(PLSProc *proc, FunctionCallInfo fcinfo, volatile CallArgs *a)
{
	PyObject   *res = NULL;
	int			n = proc->npyargs;
	bool		ok = true;
	int			i;

	if (n > PLS_STACK_ARGS)
		a->argv = palloc(sizeof(PyObject *) * n);

	if (proc->uses_args)
	{
		a->arglist = PyList_New(proc->nargs);
		for (i = 0; a->arglist != NULL && i < proc->nargs; i++)
		{
			PyObject   *o = pls_to_py(&proc->argtypes[i], fcinfo->args[i].value,
									  fcinfo->args[i].isnull);

			if (o == NULL)
			{
				ok = false;
				break;
			}
			PyList_SET_ITEM(a->arglist, i, o);
		}
		if (a->arglist == NULL)
			ok = false;
	}

	for (i = 0; ok && i < n; i++)
	{
		int			pos = proc->argpos[i];

		if (pos < 0)
			a->argv[i] = Py_NewRef(a->arglist);
		else if (a->arglist)
			a->argv[i] = Py_NewRef(PyList_GET_ITEM(a->arglist, pos));
		else if ((a->argv[i] = pls_to_py(&proc->argtypes[pos],
										 fcinfo->args[pos].value,
										 fcinfo->args[pos].isnull)) == NULL)
			ok = false;
		if (ok)
			a->nconverted = i + 1;
	}

	if (ok)
		res = pls_call(proc, a->argv, n);
	call_args_release(a);
	if (res == NULL)
		pls_elog_exception(ERROR, proc);
	return res;
}

static void
result_error_context(void *arg)
{
	errcontext("while creating return value");
}

/*
 * PL/Python's context line for a function's result (not a procedure's):
 * an error while it is converted is in the value.
 */
void
pls_result_context_push(PLSProc *proc, ErrorContextCallback *cb)
{
	cb->callback = result_error_context;
	cb->arg = NULL;
	cb->previous = error_context_stack;
	if (proc->kind != PLS_PROCEDURE)
		error_context_stack = cb;
}

void
pls_result_context_pop(ErrorContextCallback *cb)
{
	error_context_stack = cb->previous;
}

/* The row type a RETURNS record function is called for. */
TupleDesc
pls_result_record_desc(FunctionCallInfo fcinfo)
{
	TupleDesc	desc;

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("function returning record called in context "
						"that cannot accept type record")));
	return desc;
}

/* A void function or a procedure must return None: the call's isnull. */
bool
pls_result_void(PLSProc *proc, bool returned_none)
{
	if (!returned_none)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 proc->kind == PLS_PROCEDURE ?
				 errmsg("PL/SafePy procedure did not return None") :
				 errmsg("PL/SafePy function with return type \"void\" did not return None")));
	return proc->kind == PLS_PROCEDURE;
}

/* Python result -> Datum for a function or procedure result. */
static Datum
result_to_datum(PLSProc *proc, FunctionCallInfo fcinfo, PyObject *res,
				PLSSrfState *srf, bool *isnull)
{
	ErrorContextCallback errcb;
	Datum		result = (Datum) 0;

	pls_result_context_push(proc, &errcb);
	*isnull = false;
	if (proc->result.typoid == VOIDOID)
		*isnull = pls_result_void(proc, res == Py_None);
	else
	{
		if (proc->is_record)
		{
			/*
			 * A set's row type cannot change during the scan: look it up
			 * once, not per row (with OUT parameters, that builds a new
			 * descriptor from the catalog each time).
			 */
			TupleDesc	desc = srf ? srf->desc : NULL;

			if (desc == NULL)
			{
				desc = pls_result_record_desc(fcinfo);
				if (srf)
				{
					MemoryContext oldcxt;

					oldcxt = MemoryContextSwitchTo(GetMemoryChunkContext(srf));
					srf->desc = CreateTupleDescCopy(desc);
					MemoryContextSwitchTo(oldcxt);
				}
			}
			pls_type_set_tupdesc(&proc->result, desc);
		}
		result = pls_from_py(&proc->result, res, isnull);
	}
	pls_result_context_pop(&errcb);
	return result;
}

/* Release a set-returning function's iterator (runs a generator's finally). */
static void
srf_release(PLSSrfState *state)
{
	/* an abandoned interpreter is never run again: the iterator leaks */
	if (state->iter && !pls_python_abandoned)
	{
		PLSEntry	e;
		PLSExecCtx *save_ctx = pls_exec_ctx;

		/*
		 * Releasing the iterator runs user code (a generator's finally).
		 * It happens in executor shutdown, possibly of a query the
		 * caller's plpy.execute is still running: SPI used on the
		 * caller's connection from here would reset memory that query
		 * still uses.  So no call is current: plpy.execute raises.
		 */
		pls_exec_ctx = NULL;
		pls_enter(state->head.proc->interp, &e);
		Py_CLEAR(state->iter);
		pls_leave(&e);
		pls_exec_ctx = save_ctx;
		state->head.proc->calldepth--;
	}
}

/*
 * Executor shutdown of a scan cut short (LIMIT, rescan): release the
 * iterator here, before shutdown_MultiFuncCall deletes the state, because
 * this callback may throw: an interrupt that stopped the user code run
 * now is this statement's, raised at once (else it would be left pending
 * and cancel the session's next statement, even a ROLLBACK).
 */
static void
srf_shutdown(Datum arg)
{
	srf_release((PLSSrfState *) DatumGetPointer(arg));
	CHECK_FOR_INTERRUPTS();
}

/*
 * Memory context reset callback of the state, for the paths that skip
 * executor shutdown (transaction abort): must not throw, so an interrupt
 * stays pending for PostgreSQL (a no-op during abort anyway).
 */
static void
srf_cleanup(void *arg)
{
	srf_release((PLSSrfState *) arg);
}

/* Both isolations return one value per call: refuse another mode. */
void
pls_srf_check_mode(FunctionCallInfo fcinfo)
{
	ReturnSetInfo *rsi = (ReturnSetInfo *) fcinfo->resultinfo;

	if (rsi == NULL || !IsA(rsi, ReturnSetInfo) ||
		(rsi->allowedModes & SFRM_ValuePerCall) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("unsupported set function return mode"),
				 errdetail("PL/SafePy set-returning functions only support returning one value per call.")));
}

PLSProc *
pls_srf_proc(FunctionCallInfo fcinfo)
{
	FuncCallContext *funcctx;

	if (!fcinfo->flinfo->fn_retset || fcinfo->flinfo->fn_extra == NULL)
		return NULL;
	funcctx = (FuncCallContext *) fcinfo->flinfo->fn_extra;
	return ((PLSSrfHead *) funcctx->user_fctx)->proc;
}

static Datum
exec_srf(PLSProc *proc, FunctionCallInfo fcinfo)
{
	FuncCallContext *funcctx;
	PLSSrfState *state;
	ReturnSetInfo *rsi = (ReturnSetInfo *) fcinfo->resultinfo;
	PyObject   *volatile item = NULL;
	Datum		result = (Datum) 0;
	bool		isnull = false;
	PLSEntry	e;
	CallArgs	args;
	MemoryContext cxt = CurrentMemoryContext;

	pls_srf_check_mode(fcinfo);
	if (SRF_IS_FIRSTCALL())
	{
		funcctx = SRF_FIRSTCALL_INIT();
		state = MemoryContextAllocZero(funcctx->multi_call_memory_ctx,
									   sizeof(PLSSrfState));
		state->head.proc = proc;
		state->cb.func = srf_cleanup;
		state->cb.arg = state;
		MemoryContextRegisterResetCallback(funcctx->multi_call_memory_ctx,
										   &state->cb);
		funcctx->user_fctx = state;
		/* after SRF_FIRSTCALL_INIT: runs before shutdown_MultiFuncCall */
		RegisterExprContextCallback(rsi->econtext, srf_shutdown,
									PointerGetDatum(state));
	}
	funcctx = SRF_PERCALL_SETUP();
	state = (PLSSrfState *) funcctx->user_fctx;

	call_args_init(&args);
	pls_enter(proc->interp, &e);
	PG_TRY();
	{
		if (state->iter == NULL)
		{
			PyObject   *res = call_with_args(proc, fcinfo, &args);

			state->iter = pls_srf_iter(res);
			Py_DECREF(res);
			if (state->iter == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg(PLS_SRF_NOT_ITERABLE_MSG),
						 errdetail(PLS_SRF_NOT_ITERABLE_DETAIL)));
			/* the iterator may run the function's code on later calls */
			proc->calldepth++;
		}

		{
			PLSProc    *save_proc = pls_current_proc;
			int			subxacts = pls_subxact_depth();

			pls_current_proc = proc;
			item = PyIter_Next(state->iter);
			pls_current_proc = save_proc;
			pls_subxact_abort_open(subxacts);
		}
		if (item == NULL)
		{
			if (PyErr_Occurred())
				pls_elog_next_item_exception(proc);
			Py_CLEAR(state->iter);
			proc->calldepth--;
		}
		if (item != NULL)
		{
			/* in our context: SPI_connect may have switched to its own */
			MemoryContextSwitchTo(cxt);
			result = result_to_datum(proc, fcinfo, item, state, &isnull);
			Py_CLEAR(item);
		}
		pls_exec_spi_finish(pls_exec_ctx, cxt);
	}
	PG_CATCH();
	{
		call_args_release(&args);
		Py_XDECREF(item);
		pls_leave(&e);
		PG_RE_THROW();
	}
	PG_END_TRY();
	pls_leave(&e);

	if (state->iter == NULL)
	{
		UnregisterExprContextCallback(rsi->econtext, srf_shutdown,
									  PointerGetDatum(state));
		SRF_RETURN_DONE(funcctx);
	}
	fcinfo->isnull = isnull;
	SRF_RETURN_NEXT(funcctx, result);
}

Datum
pls_exec_function(PLSProc *proc, FunctionCallInfo fcinfo)
{
	PyObject   *volatile res = NULL;
	Datum		result = (Datum) 0;
	bool		isnull = false;
	PLSEntry	e;
	CallArgs	args;
	MemoryContext cxt = CurrentMemoryContext;

	if (proc->is_setof)
		return exec_srf(proc, fcinfo);

	call_args_init(&args);
	pls_enter(proc->interp, &e);
	PG_TRY();
	{
		res = call_with_args(proc, fcinfo, &args);

		/*
		 * Converting the result may run the function's own code (__str__,
		 * __iter__, ...), which may use SPI: SPI is finished only afterwards
		 * (the call handler keeps the procedure alive meanwhile).  The
		 * result is built in our context, not in SPI's.
		 */
		MemoryContextSwitchTo(cxt);
		result = result_to_datum(proc, fcinfo, res, NULL, &isnull);
		Py_CLEAR(res);
		pls_exec_spi_finish(pls_exec_ctx, cxt);
	}
	PG_CATCH();
	{
		call_args_release(&args);
		Py_XDECREF(res);
		pls_leave(&e);
		PG_RE_THROW();
	}
	PG_END_TRY();
	pls_leave(&e);

	fcinfo->isnull = isnull;
	return result;
}

void
pls_exec_inline(PLSProc *proc)
{
	PyObject   *res;
	PLSEntry	e;
	MemoryContext cxt = CurrentMemoryContext;

	pls_enter(proc->interp, &e);
	PG_TRY();
	{
		res = pls_call(proc, NULL, 0);
		if (res == NULL)
			pls_elog_exception(ERROR, proc);
		Py_DECREF(res);
		pls_exec_spi_finish(pls_exec_ctx, cxt);
	}
	PG_CATCH();
	{
		pls_leave(&e);
		PG_RE_THROW();
	}
	PG_END_TRY();
	pls_leave(&e);
}
