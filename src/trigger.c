/*-------------------------------------------------------------------------
 *
 * trigger.c
 *	  Calling a trigger function, as PL/Python does (PostgreSQL 15,
 *	  plpy_exec.c): the TD dict (event, when, level, name, table_name,
 *	  table_schema, relid, new, old, args) is the function's single
 *	  parameter; its result None/"OK", "SKIP" or "MODIFY" decides the row
 *	  handed back to the executor.  Transition tables are registered with SPI
 *	  so the function's queries can read them.
 *
 *-------------------------------------------------------------------------
 */
#include "plsafepy.h"

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
static PLSType *
trigger_rowtype(PLSProc *proc, TupleDesc desc, MemoryContext *tmpcxt)
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
		pls_type_init(t, desc->tdtypeid, -1, *tmpcxt);
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
		pls_type_init(t, desc->tdtypeid, -1, cxt);
	}
	return t;
}

/* Put a new str value under key (the dict keeps its own reference). */
static bool
set_str(PyObject *dict, const char *key, const char *value)
{
	PyObject   *o = pls_str_from_server(value, strlen(value));
	int			rc;

	if (o == NULL)
		return false;
	rc = PyDict_SetItemString(dict, key, o);
	Py_DECREF(o);
	return rc == 0;
}

/*
 * A row as a dict.  In a BEFORE trigger, stored generated columns are not
 * computed yet, so they are left out of TD["new"] (as in PL/Python).
 */
static bool
set_row(PyObject *dict, const char *key, PLSType *rowtype, HeapTuple tuple,
		TupleDesc desc, bool include_generated)
{
	PyObject   *row = pls_tuple_to_dict(rowtype, tuple, desc);
	int			rc;

	if (row == NULL)
		return false;
	if (!include_generated && desc->constr && desc->constr->has_generated_stored)
	{
		for (int i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute attr = TupleDescAttr(desc, i);

			if (attr->attisdropped || !attr->attgenerated)
				continue;
			if (PyDict_DelItemString(row, NameStr(attr->attname)) < 0)
				PyErr_Clear();
		}
	}
	rc = PyDict_SetItemString(dict, key, row);
	Py_DECREF(row);
	return rc == 0;
}

/*
 * Build TD, with PL/Python's keys in PL/Python's order.  *rv is the row the
 * trigger hands back unless told otherwise.  Returns NULL with a Python
 * exception set; may ereport (the caller releases nothing of ours then:
 * the dict is released here).
 */
static PyObject *
build_td(PLSProc *proc, TriggerData *tdata, PLSType *rowtype, HeapTuple *rv)
{
	Relation	rel = tdata->tg_relation;
	TupleDesc	desc = RelationGetDescr(rel);
	Trigger    *tg = tdata->tg_trigger;
	TriggerEvent ev = tdata->tg_event;
	PyObject   *volatile td;
	volatile bool ok = false;

	td = PyDict_New();
	if (td == NULL)
		return NULL;

	PG_TRY();
	{
		char		relid[16];
		const char *when;
		const char *event;
		bool		before = TRIGGER_FIRED_BEFORE(ev);

		snprintf(relid, sizeof(relid), "%u", RelationGetRelid(rel));

		if (TRIGGER_FIRED_BEFORE(ev))
			when = "BEFORE";
		else if (TRIGGER_FIRED_AFTER(ev))
			when = "AFTER";
		else if (TRIGGER_FIRED_INSTEAD(ev))
			when = "INSTEAD OF";
		else
			elog(ERROR, "unrecognized WHEN tg_event: %u", ev);

		if (TRIGGER_FIRED_BY_INSERT(ev))
			event = "INSERT";
		else if (TRIGGER_FIRED_BY_DELETE(ev))
			event = "DELETE";
		else if (TRIGGER_FIRED_BY_UPDATE(ev))
			event = "UPDATE";
		else if (TRIGGER_FIRED_BY_TRUNCATE(ev))
			event = "TRUNCATE";
		else
			elog(ERROR, "unrecognized OP tg_event: %u", ev);

		if (!set_str(td, "name", tg->tgname) ||
			!set_str(td, "relid", relid) ||
			!set_str(td, "table_name", RelationGetRelationName(rel)) ||
			!set_str(td, "table_schema",
					 get_namespace_name(RelationGetNamespace(rel))) ||
			!set_str(td, "when", when))
			goto done;

		if (TRIGGER_FIRED_FOR_ROW(ev))
		{
			if (!set_str(td, "level", "ROW"))
				goto done;
			if (TRIGGER_FIRED_BY_INSERT(ev))
			{
				if (PyDict_SetItemString(td, "old", Py_None) < 0 ||
					!set_row(td, "new", rowtype, tdata->tg_trigtuple, desc,
							 !before))
					goto done;
				*rv = tdata->tg_trigtuple;
			}
			else if (TRIGGER_FIRED_BY_DELETE(ev))
			{
				if (PyDict_SetItemString(td, "new", Py_None) < 0 ||
					!set_row(td, "old", rowtype, tdata->tg_trigtuple, desc,
							 true))
					goto done;
				*rv = tdata->tg_trigtuple;
			}
			else if (TRIGGER_FIRED_BY_UPDATE(ev))
			{
				if (!set_row(td, "new", rowtype, tdata->tg_newtuple, desc,
							 !before) ||
					!set_row(td, "old", rowtype, tdata->tg_trigtuple, desc,
							 true))
					goto done;
				*rv = tdata->tg_newtuple;
			}
			else
				elog(ERROR, "unrecognized OP tg_event: %u", ev);
		}
		else if (TRIGGER_FIRED_FOR_STATEMENT(ev))
		{
			if (!set_str(td, "level", "STATEMENT") ||
				PyDict_SetItemString(td, "old", Py_None) < 0 ||
				PyDict_SetItemString(td, "new", Py_None) < 0)
				goto done;
			*rv = NULL;
		}
		else
			elog(ERROR, "unrecognized LEVEL tg_event: %u", ev);

		if (!set_str(td, "event", event))
			goto done;

		/* the arguments of CREATE TRIGGER, all strings; None if there are none */
		if (tg->tgnargs > 0)
		{
			PyObject   *args = PyList_New(tg->tgnargs);
			int			rc;

			if (args == NULL)
				goto done;
			for (int i = 0; i < tg->tgnargs; i++)
			{
				PyObject   *a = pls_str_from_server(tg->tgargs[i], strlen(tg->tgargs[i]));

				if (a == NULL)
				{
					Py_DECREF(args);
					goto done;
				}
				PyList_SET_ITEM(args, i, a);
			}
			rc = PyDict_SetItemString(td, "args", args);
			Py_DECREF(args);
			if (rc < 0)
				goto done;
		}
		else if (PyDict_SetItemString(td, "args", Py_None) < 0)
			goto done;
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

	errcb.callback = modify_error_context;
	errcb.arg = NULL;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;

	PG_TRY();
	{
		Datum	   *values;
		bool	   *nulls;
		bool	   *repls;
		Py_ssize_t	nkeys;

		newrow = PyDict_GetItemString(td, "new");
		if (newrow == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("TD[\"new\"] deleted, cannot modify row")));
		Py_INCREF(newrow);
		if (!PyDict_Check(newrow))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("TD[\"new\"] is not a dictionary")));

		keys = PyDict_Keys(newrow);
		if (keys == NULL)
			pls_elog_exception(ERROR, pls_current_proc);
		nkeys = PyList_GET_SIZE(keys);

		values = palloc0(sizeof(Datum) * Max(desc->natts, 1));
		nulls = palloc0(sizeof(bool) * Max(desc->natts, 1));
		repls = palloc0(sizeof(bool) * Max(desc->natts, 1));

		for (Py_ssize_t i = 0; i < nkeys; i++)
		{
			PyObject   *key = PyList_GET_ITEM(keys, i);
			const char *name;
			int			attn;

			if (!PyUnicode_Check(key))
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("TD[\"new\"] dictionary key at ordinal position %d is not a string",
								(int) i)));
			name = PyUnicode_AsUTF8(key);
			if (name == NULL)
				pls_elog_exception(ERROR, pls_current_proc);
			name = pg_any_to_server(name, strlen(name), PG_UTF8);

			attn = SPI_fnumber(desc, name);
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

			/*
			 * Converting an earlier value may have run code that changed the
			 * dict; PL/Python ends the backend then, an error is enough.
			 */
			value = PyDict_GetItemWithError(newrow, key);
			if (value == NULL)
			{
				PyErr_Clear();
				ereport(ERROR,
						(errcode(ERRCODE_DATA_EXCEPTION),
						 errmsg("TD[\"new\"] changed while it was converted")));
			}
			Py_INCREF(value);
			values[attn - 1] = pls_from_py(&rowtype->atts[attn - 1], value,
										   &nulls[attn - 1]);
			repls[attn - 1] = true;
			Py_CLEAR(value);
		}

		rtup = heap_modify_tuple(otup, desc, values, nulls, repls);
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
	rowtype = trigger_rowtype(proc, desc, &tmpcxt);

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

		/*
		 * Transition tables are only visible to queries through SPI's
		 * registry, so connect now if there are any (otherwise SPI stays
		 * unconnected until the function uses it).
		 */
		if (tdata->tg_oldtable || tdata->tg_newtable)
		{
			int			rc;

			pls_exec_spi_connect(call);
			rc = SPI_register_trigger_data(tdata);
			if (rc < 0)
				elog(ERROR, "SPI_register_trigger_data failed: %s",
					 SPI_result_code_string(rc));
			MemoryContextSwitchTo(cxt);
		}

		td = build_td(proc, tdata, rowtype, &rv);
		if (td == NULL)
			pls_elog_exception(ERROR, proc);

		res = pls_call(proc, (PyObject **) &td, 1);
		if (res == NULL)
			pls_elog_exception(ERROR, proc);

		/* the row handed back must not live in SPI's memory */
		pls_exec_spi_finish(call, cxt);

		/* None means the row is fine as it is */
		if (res != Py_None)
		{
			const char *srv = NULL;
			Py_ssize_t	len;

			if (PyUnicode_Check(res))
				srv = PyUnicode_AsUTF8AndSize(res, &len);
			if (srv == NULL || strlen(srv) != (size_t) len)
			{
				PyErr_Clear();
				ereport(ERROR,
						(errcode(ERRCODE_DATA_EXCEPTION),
						 errmsg("unexpected return value from trigger procedure"),
						 errdetail(PyUnicode_Check(res) ?
								   "Expected None, \"OK\", \"SKIP\", or \"MODIFY\"." :
								   "Expected None or a string.")));
			}

			if (pg_strcasecmp(srv, "SKIP") == 0)
				rv = NULL;
			else if (pg_strcasecmp(srv, "MODIFY") == 0)
			{
				if (TRIGGER_FIRED_BY_INSERT(tdata->tg_event) ||
					TRIGGER_FIRED_BY_UPDATE(tdata->tg_event))
					rv = modify_tuple(rowtype, td, tdata, rv);
				else
					ereport(WARNING,
							(errmsg("PL/SafePy trigger function returned \"MODIFY\" in a DELETE trigger -- ignored")));
			}
			else if (pg_strcasecmp(srv, "OK") != 0)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_EXCEPTION),
						 errmsg("unexpected return value from trigger procedure"),
						 errdetail("Expected None, \"OK\", \"SKIP\", or \"MODIFY\".")));
		}

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
