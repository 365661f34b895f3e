/*-------------------------------------------------------------------------
 *
 * process_srf.c
 *	  Set-returning functions in process isolation, backend side (the
 *	  protocol is in wire.h): value per call, as inline mode (exec.c).  The
 *	  first call sends the CALL, the worker keeps the iterator and answers
 *	  with a batch of rows; each call hands out one row, decoded then (so a
 *	  row that does not convert fails at its own call); an exhausted batch
 *	  is followed by FETCH for the next, of twice as many rows up to
 *	  PLS_WIRE_MAX_BATCH, so a short scan makes the iterator run ahead of
 *	  the executor little, a long one makes few round trips.
 *
 *	  The worker keeps the iterator while a batch ends with MORE.  A scan
 *	  ended early (LIMIT, rescan) closes it at executor shutdown, as
 *	  exec.c's srf_shutdown releases it (a generator's finally runs then).
 *	  A scan ended by an error cannot talk to the worker during the abort:
 *	  its set is remembered and closed before the next message to that
 *	  worker while it is idle, so a generator's finally runs at the
 *	  beginning of the role's next call (never, if none comes).
 *
 *-------------------------------------------------------------------------
 */
#include "process.h"

#include "funcapi.h"
#include "miscadmin.h"
#include "utils/memutils.h"

typedef struct PLSProcSrf
{
	PLSSrfHead	head;			/* the procedure, counted as running */
	PLSWorker  *w;
	bool		counted;		/* head.proc->calldepth holds this scan */
	bool		open;			/* the worker keeps the iterator */
	uint32		handle;			/* the worker's; 0 before the first ROWS */
	uint32		batch;			/* rows asked for last */
	MemoryContext batchcxt;		/* the last ROWS and its values */
	PlsWireRows rows;
	uint32		next;			/* next row to hand out */
	TupleDesc	desc;			/* RETURNS record: the row type of this scan */
	bool		no_rowtype;		/* RETURNS record where none is given */
	MemoryContextCallback cb;
} PLSProcSrf;

/*
 * The shape sent for RETURNS record called where no row type is given:
 * inline mode reports that at the first row (none: no error), so the
 * items are only counted, each encoded as a row of no column.
 */
static const PLSShape no_rowtype_shape = {PLS_S_ROW, NULL, 0, NULL, NULL, true};

/* Sets an error abandoned while a worker held them, closed later. */
typedef struct PLSPendingClose
{
	PLSWorker  *w;
	Oid			roleid;
	uint32		handle;
	PLSProc    *proc;			/* counted as running until then */
} PLSPendingClose;

static PLSPendingClose *pending;
static int	npending;
static int	maxpending;
/* scans counted (PLSProcSrf.counted): each may need a pending entry */
static int	nscans;

/* The scan is over: the procedure may be freed once no call uses it. */
static void
uncount(PLSProcSrf *st)
{
	if (st->counted)
	{
		st->counted = false;
		nscans--;
		st->head.proc->calldepth--;
	}
}

/*
 * Send a CALL (call) or a FETCH and take the worker's ROWS into st, in
 * st->batchcxt (the previous batch is freed).
 */
static void
exchange(PLSProcSrf *st, const PlsWireCall *call, uint32 batch)
{
	PLSProc    *proc = st->head.proc;
	MemoryContext oldcxt;
	PlsWireBuf	out;
	PlsWireRecv rv;
	PlsWireReader r;
	uint32		tag = call ? PLS_MSG_CALL : PLS_MSG_FETCH;

	MemoryContextReset(st->batchcxt);
	memset(&st->rows, 0, sizeof(st->rows));
	st->next = 0;
	st->batch = batch;
	oldcxt = MemoryContextSwitchTo(st->batchcxt);
	pls_wire_buf_init(&out, &pls_pool_wire_mem);
	if (call)
		pls_wire_put_call(&out, call);
	else
		pls_wire_put_fetch(&out, st->handle, batch);
	pls_wire_recv_init(&rv, &pls_pool_wire_mem);
	/* whatever happens now, the worker keeps the iterator only after MORE */
	st->open = false;
	if (pls_process_run(st->w, proc, tag, &out, &rv, call) != PLS_MSG_ROWS)
		pls_process_broke(st->w, "set of rows");
	pls_wire_reader_init(&r, rv.buf.data, rv.buf.len, &pls_pool_wire_mem);
	if (!pls_wire_get_rows(&r, batch, &st->rows) || !pls_wire_done(&r) ||
		(st->handle != 0 && st->rows.handle != st->handle))
		pls_process_broke(st->w, "set of rows");
	st->handle = st->rows.handle;
	st->open = st->rows.end == PLS_ROWS_MORE;
	MemoryContextSwitchTo(oldcxt);
}

/* CLOSE a set the worker keeps, if that worker still lives. */
static void
close_set(PLSWorker *w, Oid roleid, uint32 handle, PLSProc *proc)
{
	PlsWireBuf	out;
	PlsWireRecv rv;
	PlsWireReader r;
	uint8		p;

	if (pls_pool_find(roleid) != w)
		return;
	pls_wire_buf_init(&out, &pls_pool_wire_mem);
	pls_wire_put_u32(&out, handle);
	pls_wire_recv_init(&rv, &pls_pool_wire_mem);
	if (pls_process_run(w, proc, PLS_MSG_CLOSE, &out, &rv, NULL) != PLS_MSG_RETURN)
		pls_process_broke(w, "reply to close");
	pls_wire_reader_init(&r, rv.buf.data, rv.buf.len, &pls_pool_wire_mem);
	if (!pls_wire_get_u8(&r, &p) || p != 0 || !pls_wire_done(&r))
		pls_process_broke(w, "reply to close");
}

void
pls_process_srf_flush(PLSWorker *w)
{
	for (int i = 0; i < npending; i++)
	{
		PLSPendingClose pc = pending[i];

		if (pc.w != w)
			continue;
		/* off the list first: closing runs a call, which flushes again */
		pending[i] = pending[--npending];
		PG_TRY();
		{
			close_set(pc.w, pc.roleid, pc.handle, pc.proc);
		}
		PG_FINALLY();
		{
			pc.proc->calldepth--;
		}
		PG_END_TRY();
		i = -1;
	}
}

/*
 * Executor shutdown of a scan cut short (LIMIT, rescan): close the set now
 * (may throw, as exec.c's srf_shutdown; an interrupt that stopped the code
 * run then is this statement's).
 */
static void
srf_shutdown(Datum arg)
{
	PLSProcSrf *st = (PLSProcSrf *) DatumGetPointer(arg);

	if (st->open)
	{
		st->open = false;
		close_set(st->w, st->head.proc->key.roleid, st->handle,
				  st->head.proc);
	}
	uncount(st);
	CHECK_FOR_INTERRUPTS();
}

/*
 * Reset of the scan's memory without executor shutdown (an error): no
 * message may be exchanged now, so a set the worker keeps waits in the
 * pending list, holding the procedure.  Must not throw.
 */
static void
srf_cleanup(void *arg)
{
	PLSProcSrf *st = (PLSProcSrf *) arg;

	/* begin_scan made room: maxpending >= npending + nscans */
	if (st->open && st->counted)
	{
		PLSPendingClose *pc = &pending[npending++];

		st->open = false;
		pc->w = st->w;
		pc->roleid = st->head.proc->key.roleid;
		pc->handle = st->handle;
		pc->proc = st->head.proc;
		/* the pending entry holds the procedure now */
		st->counted = false;
		nscans--;
	}
	uncount(st);
}

/* The first call: the scan's state, then the CALL. */
static PLSProcSrf *
begin_scan(PLSProc *proc, FunctionCallInfo fcinfo)
{
	ReturnSetInfo *rsi = (ReturnSetInfo *) fcinfo->resultinfo;
	FuncCallContext *funcctx = SRF_FIRSTCALL_INIT();
	MemoryContext mcxt = funcctx->multi_call_memory_ctx;
	PLSProcSrf *st;
	PlsWireCall call;

	/* room for the set in the pending list, made while nothing is open */
	if (npending + nscans + 1 > maxpending)
	{
		int			n = Max(8, (npending + nscans + 1) * 2);

		pending = pending ?
			repalloc(pending, n * sizeof(PLSPendingClose)) :
			MemoryContextAlloc(TopMemoryContext, n * sizeof(PLSPendingClose));
		maxpending = n;
	}

	st = MemoryContextAllocZero(mcxt, sizeof(PLSProcSrf));
	st->head.proc = proc;
	st->w = pls_process_worker(proc);
	st->batchcxt = AllocSetContextCreate(mcxt, "plsafepy set rows",
										 ALLOCSET_DEFAULT_SIZES);
	pls_process_fill_call(st->w, proc, &call);
	call.flags |= PLS_CALL_SETOF;
	call.batch = 1;
	pls_process_args(proc, fcinfo, &call);
	if (proc->is_record)
	{
		TupleDesc	desc;

		/* the set's row type cannot change during the scan */
		if (get_call_result_type(fcinfo, NULL, &desc) == TYPEFUNC_COMPOSITE)
		{
			MemoryContext oldcxt = MemoryContextSwitchTo(mcxt);

			st->desc = CreateTupleDescCopy(desc);
			MemoryContextSwitchTo(oldcxt);
			pls_type_set_tupdesc(&proc->result, st->desc);
		}
		else
			st->no_rowtype = true;
	}
	call.result = st->no_rowtype ? &no_rowtype_shape :
		pls_process_utf8_shape(pls_type_shape(&proc->result));

	st->cb.func = srf_cleanup;
	st->cb.arg = st;
	MemoryContextRegisterResetCallback(mcxt, &st->cb);
	funcctx->user_fctx = st;
	/* after SRF_FIRSTCALL_INIT: runs before shutdown_MultiFuncCall */
	RegisterExprContextCallback(rsi->econtext, srf_shutdown,
								PointerGetDatum(st));
	/* the worker may run the function's code until the scan ends */
	proc->calldepth++;
	st->counted = true;
	nscans++;

	exchange(st, &call, call.batch);
	return st;
}

Datum
pls_process_srf(PLSProc *proc, FunctionCallInfo fcinfo)
{
	ReturnSetInfo *rsi = (ReturnSetInfo *) fcinfo->resultinfo;
	FuncCallContext *funcctx;
	PLSProcSrf *st;
	ErrorContextCallback errcb;
	Datum		result;
	bool		isnull;

	pls_srf_check_mode(fcinfo);
	if (SRF_IS_FIRSTCALL())
		begin_scan(proc, fcinfo);
	funcctx = SRF_PERCALL_SETUP();
	st = (PLSProcSrf *) funcctx->user_fctx;

	while (st->next == st->rows.nrows)
	{
		switch (st->rows.end)
		{
			case PLS_ROWS_MORE:
				exchange(st, NULL, Min(st->batch * 2, PLS_WIRE_MAX_BATCH));
				continue;
			case PLS_ROWS_DONE:
				UnregisterExprContextCallback(rsi->econtext, srf_shutdown,
											  PointerGetDatum(st));
				uncount(st);
				pls_exec_spi_finish(pls_exec_ctx, CurrentMemoryContext);
				SRF_RETURN_DONE(funcctx);
			default:
				/* BAD_ROW: the item did not convert, an error in the value */
				if (st->rows.end == PLS_ROWS_BAD_ROW)
				{
					pls_result_context_push(proc, &errcb);
					if (st->no_rowtype)
						(void) pls_result_record_desc(fcinfo);
				}
				pls_process_raise(&st->rows.error);
		}
	}

	pls_result_context_push(proc, &errcb);
	if (st->no_rowtype)
		(void) pls_result_record_desc(fcinfo);
	if (st->desc)
		pls_type_set_tupdesc(&proc->result, st->desc);
	result = pls_decode(&proc->result, &st->rows.rows[st->next++], &isnull);
	pls_result_context_pop(&errcb);
	pls_exec_spi_finish(pls_exec_ctx, CurrentMemoryContext);
	fcinfo->isnull = isnull;
	SRF_RETURN_NEXT(funcctx, result);
}
