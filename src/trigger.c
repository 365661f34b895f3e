/*-------------------------------------------------------------------------
 *
 * trigger.c
 *	  Calling a trigger function, as PL/Python does (PostgreSQL 15,
 *	  plpy_exec.c): the TD dict (event, when, level, name, table_name,
 *	  table_schema, relid, new, old, args) is the function's single
 *	  parameter; its result None/"OK", "SKIP" or "MODIFY" decides the row
 *	  handed back to the executor.  Transition tables are registered with SPI
 *	  so the function's queries can read them.  What does not depend on
 *	  where the Python runs is shared with process isolation
 *	  (process_trigger.c): TD's keys and values, the decision on the
 *	  result, the checks and messages of "MODIFY".
 *
 *-------------------------------------------------------------------------
 */
#include "plsafepy.h"
#include "pycall.h"
#include "trigger_int.h"

#include "access/htup_details.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

/* Name of the context holding a trigger function's row conversions. */
#define ROW_CXT_NAME "plsafepy trigger row type"

/*
 * The conversions for the relation's rows, kept in proc->result (a trigger
 * function has no other result type).  A function used by triggers on
 * several tables rebuilds them when the table changes; the context they
 * live in goes with them.  A nested call (the trigger's own SQL, or code run
 * while its result is converted, fired it again) must leave the outer call's
 * conversions alone: it gets its own, in *tmpcxt, freed after the call.
 */
PLSType *
pls_trigger_rowtype(PLSProc *proc, TupleDesc desc, MemoryContext *tmpcxt)
{
	PLSType    *t = &proc->result;
	bool		ours = (t->mcxt != NULL &&
						strcmp(t->mcxt->name, ROW_CXT_NAME) == 0);

	*tmpcxt = NULL;
	/* the call handler counts this call already */
	if (proc->calldepth > 1)
	{
		*tmpcxt = AllocSetContextCreate(CurrentMemoryContext,
										"plsafepy nested trigger row type",
										ALLOCSET_SMALL_SIZES);
		t = MemoryContextAllocZero(*tmpcxt, sizeof(PLSType));
		pls_type_init(t, desc->tdtypeid, -1, *tmpcxt, &proc->trf);
		return t;
	}

	if (!ours || t->typoid != desc->tdtypeid)
	{
		MemoryContext cxt;

		if (ours)
			MemoryContextDelete(t->mcxt);
		t->mcxt = NULL;
		t->typoid = InvalidOid;
		cxt = AllocSetContextCreate(proc->mcxt, ROW_CXT_NAME,
									ALLOCSET_SMALL_SIZES);
		pls_type_init(t, desc->tdtypeid, -1, cxt, &proc->trf);
	}
	return t;
}

/*
 * TD's keys in PL/Python's order, with what each holds.  Returns the row
 * the trigger hands back unless told otherwise.
 */
HeapTuple
pls_trigger_td_fields(TriggerData *tdata, PLSTdField *f)
{
	Relation	rel = tdata->tg_relation;
	Trigger    *tg = tdata->tg_trigger;
	TriggerEvent ev = tdata->tg_event;
	bool		before = TRIGGER_FIRED_BEFORE(ev);
	HeapTuple	rv = NULL;
	int			n = 0;

#define TD_STR(k, s) (f[n].key = (k), f[n].kind = PLS_TD_STR, f[n++].str = (s))
#define TD_NONE(k) (f[n].key = (k), f[n++].kind = PLS_TD_NONE)
#define TD_ROW(k, t, g) (f[n].key = (k), f[n].kind = PLS_TD_ROW, \
						 f[n].tuple = (t), f[n++].with_generated = (g))

	memset(f, 0, sizeof(PLSTdField) * PLS_TD_NFIELDS);
	TD_STR("name", tg->tgname);
	TD_STR("relid", psprintf("%u", RelationGetRelid(rel)));
	TD_STR("table_name", RelationGetRelationName(rel));
	TD_STR("table_schema", get_namespace_name(RelationGetNamespace(rel)));
	if (TRIGGER_FIRED_BEFORE(ev))
		TD_STR("when", "BEFORE");
	else if (TRIGGER_FIRED_AFTER(ev))
		TD_STR("when", "AFTER");
	else if (TRIGGER_FIRED_INSTEAD(ev))
		TD_STR("when", "INSTEAD OF");
	else
		elog(ERROR, "unrecognized WHEN tg_event: %u", ev);

	/*
	 * In a BEFORE trigger, stored generated columns are not computed yet, so
	 * they are left out of TD["new"] (as in PL/Python).
	 */
	if (TRIGGER_FIRED_FOR_ROW(ev))
	{
		TD_STR("level", "ROW");
		if (TRIGGER_FIRED_BY_INSERT(ev))
		{
			TD_NONE("old");
			TD_ROW("new", tdata->tg_trigtuple, !before);
			rv = tdata->tg_trigtuple;
		}
		else if (TRIGGER_FIRED_BY_DELETE(ev))
		{
			TD_NONE("new");
			TD_ROW("old", tdata->tg_trigtuple, true);
			rv = tdata->tg_trigtuple;
		}
		else if (TRIGGER_FIRED_BY_UPDATE(ev))
		{
			TD_ROW("new", tdata->tg_newtuple, !before);
			TD_ROW("old", tdata->tg_trigtuple, true);
			rv = tdata->tg_newtuple;
		}
		else
			elog(ERROR, "unrecognized OP tg_event: %u", ev);
	}
	else if (TRIGGER_FIRED_FOR_STATEMENT(ev))
	{
		TD_STR("level", "STATEMENT");
		TD_NONE("old");
		TD_NONE("new");
	}
	else
		elog(ERROR, "unrecognized LEVEL tg_event: %u", ev);

	if (TRIGGER_FIRED_BY_INSERT(ev))
		TD_STR("event", "INSERT");
	else if (TRIGGER_FIRED_BY_DELETE(ev))
		TD_STR("event", "DELETE");
	else if (TRIGGER_FIRED_BY_UPDATE(ev))
		TD_STR("event", "UPDATE");
	else if (TRIGGER_FIRED_BY_TRUNCATE(ev))
		TD_STR("event", "TRUNCATE");
	else
		elog(ERROR, "unrecognized OP tg_event: %u", ev);

	/* the arguments of CREATE TRIGGER, all strings; None if there are none */
	if (tg->tgnargs > 0)
	{
		f[n].key = "args";
		f[n++].kind = PLS_TD_ARGS;
	}
	else
		TD_NONE("args");
	Assert(n == PLS_TD_NFIELDS);
#undef TD_STR
#undef TD_NONE
#undef TD_ROW
	return rv;
}

/* Does TD's row leave attribute attr out (a BEFORE trigger's generated)? */
bool
pls_trigger_td_skips(const PLSTdField *f, Form_pg_attribute attr)
{
	return !f->with_generated && attr->attgenerated;
}

/*
 * Build TD as a dict from pls_trigger_td_fields.  *rv is the row the
 * trigger hands back unless told otherwise.  Returns NULL with a Python
 * exception set; may ereport (the dict is released then).
 */
static PyObject *
build_td(PLSProc *proc, TriggerData *tdata, PLSType *rowtype, HeapTuple *rv)
{
	TupleDesc	desc = RelationGetDescr(tdata->tg_relation);
	Trigger    *tg = tdata->tg_trigger;
	PyObject   *volatile td;
	volatile bool ok = false;

	td = PyDict_New();
	if (td == NULL)
		return NULL;

	PG_TRY();
	{
		PLSTdField	f[PLS_TD_NFIELDS];

		*rv = pls_trigger_td_fields(tdata, f);
		for (int i = 0; i < PLS_TD_NFIELDS; i++)
		{
			PyObject   *o = NULL;
			int			rc;

			switch (f[i].kind)
			{
				case PLS_TD_STR:
					o = pls_str_from_server(f[i].str, strlen(f[i].str));
					break;
				case PLS_TD_NONE:
					o = Py_NewRef(Py_None);
					break;
				case PLS_TD_ROW:
					o = pls_tuple_to_dict(rowtype, f[i].tuple, desc);
					for (int a = 0; o != NULL && a < desc->natts; a++)
					{
						Form_pg_attribute attr = TupleDescAttr(desc, a);

						if (!attr->attisdropped &&
							pls_trigger_td_skips(&f[i], attr) &&
							PyDict_DelItemString(o, NameStr(attr->attname)) < 0)
							PyErr_Clear();
					}
					break;
				case PLS_TD_ARGS:
					o = PyList_New(tg->tgnargs);
					for (int a = 0; o != NULL && a < tg->tgnargs; a++)
					{
						PyObject   *s = pls_str_from_server(tg->tgargs[a],
															strlen(tg->tgargs[a]));

						if (s == NULL)
							Py_CLEAR(o);
						else
							PyList_SET_ITEM(o, a, s);
					}
					break;
			}
			if (o == NULL)
				goto done;
			rc = PyDict_SetItemString(td, f[i].key, o);
			Py_DECREF(o);
			if (rc < 0)
				goto done;
		}
		ok = true;
done:
		;
	}
	PG_CATCH();
	{
		Py_DECREF(td);
		PG_RE_THROW();
	}
	PG_END_TRY();

	if (!ok)
	{
		Py_DECREF(td);
		return NULL;
	}
	return td;
}

static void
modify_error_context(void *arg)
{
	errcontext("while modifying trigger row");
}

/* PL/Python's context line for errors while TD["new"] is converted. */
void
pls_trigger_modify_context_push(ErrorContextCallback *cb)
{
	cb->callback = modify_error_context;
	cb->arg = NULL;
	cb->previous = error_context_stack;
	error_context_stack = cb;
}

/*
 * The attribute number of the column a key of TD["new"] names (in the
 * server encoding), checked as PL/Python's PLy_modify_tuple checks it.
 */
int
pls_trigger_column(TupleDesc desc, const char *name)
{
	int			attn = SPI_fnumber(desc, name);

	if (attn == SPI_ERROR_NOATTRIBUTE)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("key \"%s\" found in TD[\"new\"] does not exist as a column in the triggering row",
						name)));
	if (attn <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot set system attribute \"%s\"",
						name)));
	if (TupleDescAttr(desc, attn - 1)->attgenerated)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("cannot set generated column \"%s\"",
						name)));
	return attn;
}

/* A problem pycall.c found in TD["new"] (PLSTdNew), as PL/Python says it. */
void
pls_trigger_tdnew_error(int status, int position)
{
	switch (status)
	{
		case PLS_TDNEW_MISSING:
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("TD[\"new\"] deleted, cannot modify row")));
			break;
		case PLS_TDNEW_NOT_DICT:
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("TD[\"new\"] is not a dictionary")));
			break;
		case PLS_TDNEW_KEY_NOT_STR:
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("TD[\"new\"] dictionary key at ordinal position %d is not a string",
							position)));
			break;
		case PLS_TDNEW_CHANGED:
			/* PL/Python ends the backend then; an error is enough */
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("TD[\"new\"] changed while it was converted")));
			break;
	}
	elog(ERROR, "unexpected TD[\"new\"] status %d", status);
}

/*
 * "MODIFY": the row otup with the columns named in TD["new"] replaced
 * (PL/Python's PLy_modify_tuple, same checks and messages).
 */
static HeapTuple
modify_tuple(PLSType *rowtype, PyObject *td, TriggerData *tdata,
			 HeapTuple otup)
{
	TupleDesc	desc = RelationGetDescr(tdata->tg_relation);
	PyObject   *volatile newrow = NULL;
	PyObject   *volatile keys = NULL;
	PyObject   *volatile value = NULL;
	HeapTuple	rtup = NULL;
	ErrorContextCallback errcb;

	pls_trigger_modify_context_push(&errcb);
	PG_TRY();
	{
		Datum	   *values;
		bool	   *nulls;
		bool	   *repls;
		PyObject   *nr;
		PyObject   *ks;
		int			st;

		st = pls_td_new_begin(td, &nr, &ks);
		newrow = nr;
		keys = ks;
		if (st < 0)
			pls_elog_exception(ERROR, pls_current_proc);
		if (st != PLS_TDNEW_VALUE)
			pls_trigger_tdnew_error(st, 0);

		values = palloc0(sizeof(Datum) * Max(desc->natts, 1));
		nulls = palloc0(sizeof(bool) * Max(desc->natts, 1));
		repls = palloc0(sizeof(bool) * Max(desc->natts, 1));

		for (Py_ssize_t i = 0; i < PyList_GET_SIZE(keys); i++)
		{
			const char *name;
			PyObject   *v;
			int			attn;

			st = pls_td_new_key(keys, i, &name);
			if (st < 0)
				pls_elog_exception(ERROR, pls_current_proc);
			if (st != PLS_TDNEW_VALUE)
				pls_trigger_tdnew_error(st, (int) i);
			attn = pls_trigger_column(desc,
									  pg_any_to_server(name, strlen(name),
													   PG_UTF8));
			if (pls_td_new_value(newrow, keys, i, &v) != PLS_TDNEW_VALUE)
				pls_trigger_tdnew_error(PLS_TDNEW_CHANGED, (int) i);
			value = v;
			values[attn - 1] = pls_from_py(&rowtype->atts[attn - 1], value,
										   &nulls[attn - 1]);
			repls[attn - 1] = true;
			Py_CLEAR(value);
		}

		rtup = pls_trigger_modified(otup, desc, values, nulls, repls);
		pfree(values);
		pfree(nulls);
		pfree(repls);
	}
	PG_CATCH();
	{
		Py_XDECREF(newrow);
		Py_XDECREF(keys);
		Py_XDECREF(value);
		PG_RE_THROW();
	}
	PG_END_TRY();

	Py_DECREF(newrow);
	Py_DECREF(keys);
	error_context_stack = errcb.previous;
	return rtup;
}

/*
 * The row otup with the replaced columns: a statement-level trigger has
 * none (PL/Python would crash here, given a dict in TD["new"]).
 */
HeapTuple
pls_trigger_modified(HeapTuple otup, TupleDesc desc, Datum *values,
					 bool *nulls, bool *repls)
{
	if (otup == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("a statement-level trigger has no row to modify")));
	return heap_modify_tuple(otup, desc, values, nulls, repls);
}

/*
 * Transition tables are only visible to queries through SPI's registry,
 * so connect now if there are any (otherwise SPI stays unconnected until
 * the function uses it).
 */
void
pls_trigger_spi_register(PLSExecCtx *call, TriggerData *tdata,
						 MemoryContext cxt)
{
	int			rc;

	if (!tdata->tg_oldtable && !tdata->tg_newtable)
		return;
	pls_exec_spi_connect(call);
	rc = SPI_register_trigger_data(tdata);
	if (rc < 0)
		elog(ERROR, "SPI_register_trigger_data failed: %s",
			 SPI_result_code_string(rc));
	MemoryContextSwitchTo(cxt);
}

/*
 * The row a trigger hands back after its result said `result` (a
 * PLSTrigResult): rv as it is, NULL for "SKIP"; for "MODIFY" in an INSERT
 * or UPDATE trigger, *modify is set and the caller builds the row.
 */
HeapTuple
pls_trigger_decide(int result, TriggerData *tdata, HeapTuple rv, bool *modify)
{
	*modify = false;
	switch (result)
	{
		case PLS_TRIG_NONE:
		case PLS_TRIG_OK:
			return rv;
		case PLS_TRIG_SKIP:
			return NULL;
		case PLS_TRIG_MODIFY:
			if (TRIGGER_FIRED_BY_INSERT(tdata->tg_event) ||
				TRIGGER_FIRED_BY_UPDATE(tdata->tg_event))
				*modify = true;
			else
				ereport(WARNING,
						(errmsg("PL/SafePy trigger function returned \"MODIFY\" in a DELETE trigger -- ignored")));
			return rv;
	}
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("unexpected return value from trigger procedure"),
			 errdetail(result == PLS_TRIG_BAD_STRING ?
					   "Expected None, \"OK\", \"SKIP\", or \"MODIFY\"." :
					   "Expected None or a string.")));
	return NULL;
}

HeapTuple
pls_exec_trigger(PLSProc *proc, FunctionCallInfo fcinfo)
{
	TriggerData *tdata = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	PLSType    *rowtype;
	PyObject   *volatile td = NULL;
	PyObject   *volatile res = NULL;
	HeapTuple	rv = NULL;
	MemoryContext cxt = CurrentMemoryContext;
	MemoryContext tmpcxt;
	PLSEntry	e;

	desc = RelationGetDescr(tdata->tg_relation);
	rowtype = pls_trigger_rowtype(proc, desc, &tmpcxt);

	/*
	 * The call handler counts the function as running until its row is
	 * built, so that it is neither freed (CREATE OR REPLACE run by code
	 * called from the conversion) nor has its row conversions rebuilt by a
	 * nested call.
	 */
	pls_enter(proc->interp, &e);
	PG_TRY();
	{
		PLSExecCtx *call = pls_exec_ctx;
		bool		modify;

		pls_trigger_spi_register(call, tdata, cxt);

		td = build_td(proc, tdata, rowtype, &rv);
		if (td == NULL)
			pls_elog_exception(ERROR, proc);

		res = pls_call(proc, (PyObject **) &td, 1);
		if (res == NULL)
			pls_elog_exception(ERROR, proc);

		/* the row handed back must not live in SPI's memory */
		pls_exec_spi_finish(call, cxt);

		rv = pls_trigger_decide(pls_trigger_result(res), tdata, rv, &modify);
		if (modify)
			rv = modify_tuple(rowtype, td, tdata, rv);

		/* code run by the conversion (__str__ ...) may have used SPI again */
		pls_exec_spi_finish(call, cxt);
	}
	PG_CATCH();
	{
		Py_XDECREF(td);
		Py_XDECREF(res);
		pls_leave(&e);
		if (tmpcxt)
			MemoryContextDelete(tmpcxt);
		PG_RE_THROW();
	}
	PG_END_TRY();

	Py_DECREF(td);
	Py_DECREF(res);
	pls_leave(&e);
	if (tmpcxt)
		MemoryContextDelete(tmpcxt);
	return rv;
}
