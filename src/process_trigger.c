/*-------------------------------------------------------------------------
 *
 * process_trigger.c
 *	  Trigger functions in process isolation, backend side (the protocol
 *	  is in wire.h).  TD crosses as a value: a row whose names are
 *	  PL/Python's keys, in PL/Python's order (trigger.c's
 *	  pls_trigger_td_fields), its rows as named rows of the table's row
 *	  type (datum_value.c), so that the worker's value_py.c makes the dict
 *	  inline mode builds.  The worker answers with how the result reads
 *	  and, after "MODIFY", TD["new"]'s items, each value encoded for its
 *	  column; the decision, the column checks and the messages are inline
 *	  mode's own (trigger.c).
 *
 *-------------------------------------------------------------------------
 */
#include "process.h"

#include "access/htup_details.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "trigger_int.h"

/* A server-encoded string as a TEXT value in UTF-8. */
static void
text_value(const char *s, PLSValue *v)
{
	size_t		len;

	v->kind = PLS_V_TEXT;
	v->u.str.data = pls_server_to_utf8(s, strlen(s), &len);
	v->u.str.len = len;
}

/* TD's row field f as a named row, without what TD leaves out. */
static void
row_value(PLSType *rowtype, TupleDesc desc, const PLSTdField *f, PLSValue *v)
{
	PLSValue	all;
	PLSValue   *atts;
	const char **names;
	int			k = 0;

	pls_datum_to_value(rowtype, heap_copy_tuple_as_datum(f->tuple, desc),
					   false, &all);
	atts = palloc(sizeof(PLSValue) * Max(all.u.row.natts, 1));
	names = palloc(sizeof(char *) * Max(all.u.row.natts, 1));
	v->kind = PLS_V_ROW;
	v->u.row.natts = 0;
	v->u.row.atts = atts;
	v->u.row.names = names;
	/* all's attributes are the ones not dropped, in order */
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, i);

		if (attr->attisdropped)
			continue;
		if (!pls_trigger_td_skips(f, attr))
		{
			atts[v->u.row.natts] = all.u.row.atts[k];
			names[v->u.row.natts++] = all.u.row.names[k];
		}
		k++;
	}
}

/* TD as the worker's one argument. */
static HeapTuple
td_value(TriggerData *tdata, PLSType *rowtype, PLSValue *td)
{
	TupleDesc	desc = RelationGetDescr(tdata->tg_relation);
	Trigger    *tg = tdata->tg_trigger;
	PLSTdField	f[PLS_TD_NFIELDS];
	PLSValue   *atts = palloc0(sizeof(PLSValue) * PLS_TD_NFIELDS);
	const char **names = palloc(sizeof(char *) * PLS_TD_NFIELDS);
	HeapTuple	rv = pls_trigger_td_fields(tdata, f);

	for (int i = 0; i < PLS_TD_NFIELDS; i++)
	{
		names[i] = f[i].key;	/* ASCII */
		switch (f[i].kind)
		{
			case PLS_TD_STR:
				text_value(f[i].str, &atts[i]);
				break;
			case PLS_TD_NONE:
				atts[i].kind = PLS_V_NULL;
				break;
			case PLS_TD_ROW:
				row_value(rowtype, desc, &f[i], &atts[i]);
				break;
			case PLS_TD_ARGS:
				atts[i].kind = PLS_V_ARRAY;
				atts[i].u.array.ndims = 1;
				atts[i].u.array.dims[0] = tg->tgnargs;
				atts[i].u.array.n = tg->tgnargs;
				atts[i].u.array.elems = palloc(sizeof(PLSValue) * tg->tgnargs);
				for (int a = 0; a < tg->tgnargs; a++)
					text_value(tg->tgargs[a], &atts[i].u.array.elems[a]);
				break;
		}
	}
	td->kind = PLS_V_ROW;
	td->u.row.natts = PLS_TD_NFIELDS;
	td->u.row.atts = atts;
	td->u.row.names = names;
	return rv;
}

/*
 * The shape TD["new"]'s values are encoded for: the table's row, its
 * generated columns left out (as dropped ones), so that a key naming one
 * comes back without a value and trigger.c's check refuses it first.
 */
static const PLSShape *
modify_shape(PLSType *rowtype, TupleDesc desc)
{
	const PLSShape *row = pls_type_shape(rowtype);
	PLSShape   *s = palloc(sizeof(PLSShape));
	const PLSShape **atts = palloc0(sizeof(PLSShape *) * Max(row->natts, 1));

	*s = *row;
	for (int i = 0; i < row->natts; i++)
		if (i >= desc->natts || !TupleDescAttr(desc, i)->attgenerated)
			atts[i] = row->atts[i];
	s->atts = atts;
	return pls_process_utf8_shape(s);
}

/* "MODIFY": otup with the columns of TD["new"]'s items replaced. */
static HeapTuple
modify_row(PLSWorker *w, PLSType *rowtype, TriggerData *tdata,
		   const PlsWireTrigResult *res, HeapTuple otup)
{
	TupleDesc	desc = RelationGetDescr(tdata->tg_relation);
	Datum	   *values = palloc0(sizeof(Datum) * Max(desc->natts, 1));
	bool	   *nulls = palloc0(sizeof(bool) * Max(desc->natts, 1));
	bool	   *repls = palloc0(sizeof(bool) * Max(desc->natts, 1));
	ErrorContextCallback errcb;
	HeapTuple	rtup;

	pls_trigger_modify_context_push(&errcb);
	for (uint32 i = 0; i < res->nitems; i++)
	{
		const PlsWireTdItem *it = &res->items[i];
		int			attn;

		attn = pls_trigger_column(desc, pls_utf8_to_server(it->key,
														   strlen(it->key)));
		/* the worker had this column's shape: it must have sent a value */
		if (!it->has_value)
			pls_process_broke(w, "trigger row");
		values[attn - 1] = pls_decode(&rowtype->atts[attn - 1], &it->value,
									  &nulls[attn - 1]);
		repls[attn - 1] = true;
	}
	if (res->end == PLS_TDNEW_ERROR)
		pls_process_raise(&res->error);
	if (res->end != PLS_TDNEW_END)
		pls_trigger_tdnew_error(res->end, (int) res->nitems);
	rtup = pls_trigger_modified(otup, desc, values, nulls, repls);
	error_context_stack = errcb.previous;
	return rtup;
}

HeapTuple
pls_process_trigger(PLSProc *proc, FunctionCallInfo fcinfo)
{
	TriggerData *tdata = (TriggerData *) fcinfo->context;
	TupleDesc	desc = RelationGetDescr(tdata->tg_relation);
	MemoryContext cxt = CurrentMemoryContext;
	MemoryContext tmpcxt;
	PLSType    *rowtype;
	HeapTuple	rv = NULL;

	rowtype = pls_trigger_rowtype(proc, desc, &tmpcxt);
	PG_TRY();
	{
		PLSWorker  *w = pls_process_worker(proc);
		PlsWireCall call;
		PLSValue	td;
		PlsWireBuf	out;
		PlsWireRecv rvc;
		PlsWireReader r;
		PlsWireTrigResult res;
		bool		modify;

		pls_trigger_spi_register(pls_exec_ctx, tdata, cxt);
		rv = td_value(tdata, rowtype, &td);
		pls_process_fill_call(w, proc, &call);
		call.nargs = 1;
		call.args = &td;
		/* TD["new"] can only be used by an INSERT or UPDATE trigger */
		if (TRIGGER_FIRED_BY_INSERT(tdata->tg_event) ||
			TRIGGER_FIRED_BY_UPDATE(tdata->tg_event))
			call.result = modify_shape(rowtype, desc);

		pls_wire_buf_init(&out, &pls_pool_wire_mem);
		pls_wire_put_call(&out, &call);
		pls_wire_recv_init(&rvc, &pls_pool_wire_mem);
		if (pls_process_run(w, proc, PLS_MSG_CALL, &out, &rvc, &call) != PLS_MSG_RETURN)
			pls_process_broke(w, "trigger result");
		pls_wire_reader_init(&r, rvc.buf.data, rvc.buf.len, &pls_pool_wire_mem);
		if (!pls_wire_get_trig_result(&r, call.result != NULL, &res) ||
			!pls_wire_done(&r))
			pls_process_broke(w, "trigger result");

		/* the row handed back must not live in SPI's memory */
		pls_exec_spi_finish(pls_exec_ctx, cxt);
		rv = pls_trigger_decide(res.result, tdata, rv, &modify);
		if (modify)
			rv = modify_row(w, rowtype, tdata, &res, rv);
	}
	PG_FINALLY();
	{
		if (tmpcxt)
			MemoryContextDelete(tmpcxt);
	}
	PG_END_TRY();
	return rv;
}
