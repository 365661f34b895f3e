/*-------------------------------------------------------------------------
 *
 * door.c
 *	  The inline transport of the door (door.h) and the execution context
 *	  of each call.
 *
 *	  pls_door_call is the one place where a PostgreSQL error raised on
 *	  behalf of Python code is caught: the request runs inside an internal
 *	  subtransaction (PL/Python's PLy_spi_subtransaction_begin, pllua's
 *	  PLLUA_TRY), and an error is rolled back before it is copied into a
 *	  plain PLSDoorError for the Python side.
 *
 *	  An execution context (PL/Python's PLyExecutionContext) belongs to one
 *	  call of a plsafepy function, procedure, trigger or DO block; nested
 *	  calls push and pop it.  It owns the call's SPI connection, the scratch
 *	  memory of its requests, and the explicit subtransactions its code
 *	  entered (spi_subxact.c).  Nothing of a call lives in a global.
 *
 *-------------------------------------------------------------------------
 */
#include "plpy_int.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

PLSExecCtx *pls_exec_ctx = NULL;

uint64		pls_portal_epoch = 1;

/* The entry the running request left Python with (the row sink's way back) */
static PLSEntry *door_entry = NULL;

/* What the running request asked to be done if it fails. */
static void (*door_on_error_fn) (void *) = NULL;
static void *door_on_error_arg = NULL;

/* ---------- execution contexts ---------- */

/*
 * What a popped context still owns: explicit subtransactions still open
 * are gone with the error or were aborted by pls_subxact_abort_open, their
 * entries are forgotten; the request memory goes.
 */
void
pls_exec_release(PLSExecCtx *ctx)
{
	pls_subxact_forget(ctx);
	if (ctx->scratch)
		MemoryContextDelete(ctx->scratch);
	if (ctx->rowtmp)
		MemoryContextDelete(ctx->rowtmp);
	ctx->scratch = ctx->rowtmp = NULL;
}

void
pls_exec_spi_connect(PLSExecCtx *ctx)
{
	MemoryContext cxt = CurrentMemoryContext;
	int			rc;

	if (ctx->spi_connected)
		return;
	rc = SPI_connect_ext(ctx->nonatomic ? SPI_OPT_NONATOMIC : 0);
	if (rc != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(rc));
	ctx->spi_connected = true;
	/* SPI_connect switches to its own context: stay in the caller's */
	MemoryContextSwitchTo(cxt);
}

/* pls_exec_spi_finish of a call that connected SPI */
void
pls_exec_spi_disconnect(PLSExecCtx *ctx, MemoryContext cxt)
{
	int			rc;

	ctx->spi_connected = false;
	rc = SPI_finish();
	if (rc != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed: %s", SPI_result_code_string(rc));
	MemoryContextSwitchTo(cxt);
}

/*
 * Scratch memory of the running request: reset when the next request of
 * the same call starts.  Requests of one call never nest (a call's Python
 * code runs between its requests, never inside one), and a nested call has
 * its own context, so nothing else can reset it early; it outlives commit
 * and rollback.
 */
MemoryContext
pls_exec_scratch(PLSExecCtx *ctx)
{
	if (ctx->scratch == NULL)
		ctx->scratch = AllocSetContextCreate(TopMemoryContext,
											 "plsafepy request scratch",
											 ALLOCSET_DEFAULT_SIZES);
	return ctx->scratch;
}

/* Memory for converting one row of a result, reset after each row. */
MemoryContext
pls_exec_rowtmp(PLSExecCtx *ctx)
{
	if (ctx->rowtmp == NULL)
		ctx->rowtmp = AllocSetContextCreate(TopMemoryContext,
											"plsafepy row conversion",
											ALLOCSET_DEFAULT_SIZES);
	return ctx->rowtmp;
}

bool
pls_exec_readonly(void)
{
	return pls_exec_ctx && pls_exec_ctx->proc && pls_exec_ctx->proc->readonly;
}

/* ---------- the door ---------- */

static void
error_from_edata(PLSDoorError *err, ErrorData *edata)
{
	err->sqlerrcode = edata->sqlerrcode;
	err->message = edata->message;
	err->detail = edata->detail;
	err->hint = edata->hint;
	err->context = edata->context;
	err->internalquery = edata->internalquery;
	err->internalpos = edata->internalpos;
	err->schema_name = edata->schema_name;
	err->table_name = edata->table_name;
	err->column_name = edata->column_name;
	err->datatype_name = edata->datatype_name;
	err->constraint_name = edata->constraint_name;
	err->message_id = edata->message_id;
	err->filename = edata->filename;
	err->lineno = edata->lineno;
	err->funcname = edata->funcname;
	err->output_to_server = edata->output_to_server;
	err->output_to_client = edata->output_to_client;
	err->owner = edata;
}

bool
pls_door_call(PLSDoorServe serve, void *request, PLSDoorMode mode,
			  PLSDoorError *err)
{
	return pls_door_call_keep(serve, request, mode, err, NULL);
}

/* The same, the error kept in errcxt (NULL: the caller's memory). */
bool
pls_door_call_keep(PLSDoorServe serve, void *request, PLSDoorMode mode,
				   PLSDoorError *err, MemoryContext errcxt)
{
	PLSExecCtx *ctx = pls_exec_ctx;
	PLSEntry	save;
	PLSEntry   *prev_entry = door_entry;
	bool		ok;

	/* only the row sink runs Python inside a request, and never a request */
	if (ctx != NULL && ctx->in_request)
	{
		PyErr_SetString(PyExc_RuntimeError, "plpy request inside a request");
		if (err)
		{
			memset(err, 0, sizeof(*err));
			err->sqlerrcode = ERRCODE_INTERNAL_ERROR;
			err->message = "plpy request inside a request";
		}
		return false;
	}
	pls_suspend(&save);
	door_entry = &save;
	ok = pls_door_serve(serve, request, mode, err, errcxt);
	door_entry = prev_entry;
	pls_resume(&save);
	return ok;
}

/*
 * The PostgreSQL side of every transport: run serve(request) in the mode's
 * subtransaction, no Python current; an error is rolled back and copied
 * into *err (or dropped).  Called outside any Python by the process
 * transport (call_process.c), which has no interpreter to leave.
 */
bool
pls_door_serve(PLSDoorServe serve, void *request, PLSDoorMode mode,
			   PLSDoorError *err, MemoryContext errcxt)
{
	PLSExecCtx *ctx = pls_exec_ctx;
	MemoryContext volatile oldcxt = CurrentMemoryContext;
	ResourceOwner volatile oldowner = CurrentResourceOwner;
	volatile bool in_subxact = false;
	ErrorData  *edata = NULL;
	void		(*volatile prev_fn) (void *) = door_on_error_fn;
	void	   *volatile prev_arg = door_on_error_arg;

	if (ctx)
		ctx->in_request = true;
	door_on_error_fn = NULL;
	door_on_error_arg = NULL;
	PG_TRY();
	{
		/* not while a transaction is being aborted or committed */
		if (!IsTransactionState())
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TRANSACTION_STATE),
					 errmsg("cannot use plpy outside of a running transaction")));
		if (mode != PLS_DOOR_LOCAL)
		{
			if (ctx == NULL)
				elog(ERROR, "plsafepy: request outside of a function call");
			pls_exec_spi_connect(ctx);
		}
		if (mode != PLS_DOOR_XACT)
		{
			BeginInternalSubTransaction(NULL);
			in_subxact = true;
			MemoryContextSwitchTo(oldcxt);
		}
		serve(request);
		if (in_subxact)
		{
			ReleaseCurrentSubTransaction();
			in_subxact = false;
			MemoryContextSwitchTo(oldcxt);
			CurrentResourceOwner = oldowner;
		}
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(errcxt ? errcxt : oldcxt);
		edata = CopyErrorData();
		MemoryContextSwitchTo(oldcxt);
		FlushErrorState();
		if (door_on_error_fn)
			door_on_error_fn(door_on_error_arg);
		if (in_subxact)
		{
			RollbackAndReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(oldcxt);
			CurrentResourceOwner = oldowner;
		}
	}
	PG_END_TRY();
	if (ctx)
		ctx->in_request = false;
	door_on_error_fn = prev_fn;
	door_on_error_arg = prev_arg;
	/* the request may have dropped portals (cursors look again) */
	pls_portal_epoch++;

	if (edata == NULL)
		return true;
	if (err == NULL)
		FreeErrorData(edata);
	else
		error_from_edata(err, edata);
	return false;
}

void
pls_door_on_error(void (*fn) (void *), void *arg)
{
	door_on_error_fn = fn;
	door_on_error_arg = arg;
}

void
pls_door_sink_enter(void)
{
	pls_resume(door_entry);
}

void
pls_door_sink_leave(void)
{
	pls_suspend(door_entry);
}

void
pls_door_error_free(PLSDoorError *err)
{
	if (err->owner)
		FreeErrorData((ErrorData *) err->owner);
	err->owner = NULL;
}

void
pls_door_raise(const PLSDoorError *err)
{
	ErrorData	edata;

	/* a pending Python exception (a failed sink) wins */
	if (PyErr_Occurred())
		return;
	memset(&edata, 0, sizeof(edata));
	edata.elevel = ERROR;
	edata.sqlerrcode = err->sqlerrcode;
	edata.message = (char *) err->message;
	edata.detail = (char *) err->detail;
	edata.hint = (char *) err->hint;
	edata.context = (char *) err->context;
	edata.internalquery = (char *) err->internalquery;
	edata.internalpos = err->internalpos;
	edata.schema_name = (char *) err->schema_name;
	edata.table_name = (char *) err->table_name;
	edata.column_name = (char *) err->column_name;
	edata.datatype_name = (char *) err->datatype_name;
	edata.constraint_name = (char *) err->constraint_name;
	edata.message_id = err->message_id;
	edata.filename = err->filename;
	edata.lineno = err->lineno;
	edata.funcname = err->funcname;
	edata.output_to_server = err->output_to_server;
	edata.output_to_client = err->output_to_client;
	pls_raise_pg_error(&edata);
}
