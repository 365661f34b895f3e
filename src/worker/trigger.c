/*-------------------------------------------------------------------------
 *
 * trigger.c
 *	  Trigger functions in the worker (the protocol is in wire.h): the
 *	  function ran with TD, the dict value_py.c made of the backend's TD
 *	  row; its result is read (pycall.c) and sent back, and after "MODIFY"
 *	  so is TD["new"], each value encoded for its column's shape.  The
 *	  backend decides, checks the columns and reports, as inline mode does
 *	  (src/trigger.c).
 *
 *-------------------------------------------------------------------------
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "worker/worker.h"
#include "plpy_host.h"
#include "pycall.h"
#include "pyvalue.h"
#include "wire.h"

#include <string.h>
#include <unistd.h>

/* The attribute of row shape s named key, or -1. */
static int
column_of(const PLSShape *s, const char *key)
{
	for (int i = 0; i < s->natts; i++)
		if (s->atts[i] != NULL && s->attnames[i] != NULL &&
			strcmp(s->attnames[i], key) == 0)
			return i;
	return -1;
}

/* TD["new"]'s items into b, in the dict's order, then how they ended. */
static void
put_td_new(PlsWireBuf *b, const PLSShape *row, PyObject *td,
		   const PLSFuncInfo *fn)
{
	PyObject   *newrow = NULL;
	PyObject   *keys = NULL;
	PlsWireError we;
	PLSErrorFields f;
	int			st;

	memset(&we, 0, sizeof(we));
	memset(&f, 0, sizeof(f));
	st = pls_td_new_begin(td, &newrow, &keys);
	for (Py_ssize_t i = 0; st == PLS_TDNEW_VALUE; i++)
	{
		const char *key;
		PyObject   *value;
		PLSEncoder	e;
		PLSValue	v;
		int			att;

		if (i == PyList_GET_SIZE(keys))
		{
			st = PLS_TDNEW_END;
			break;
		}
		if ((st = pls_td_new_key(keys, i, &key)) != PLS_TDNEW_VALUE)
			break;
		if ((att = column_of(row, key)) < 0)
		{
			/* the backend says why it is not a column it can set */
			pls_wire_put_td_item(b, key, NULL);
			st = PLS_TDNEW_END;
			break;
		}
		if ((st = pls_td_new_value(newrow, keys, i, &value)) != PLS_TDNEW_VALUE)
			break;
		pls_encoder_init(&e);
		e.root = value;
		if (!pls_encode(&e, row->atts[att], value, &v))
		{
			pls_worker_encoder_error(&e, fn, &we, &f);
			pls_wire_put_td_end(b, PLS_TDNEW_ERROR, &we);
			pls_error_fields_free(&f);
			pls_encoder_free(&e);
			Py_DECREF(value);
			Py_XDECREF(newrow);
			Py_XDECREF(keys);
			return;
		}
		pls_wire_put_td_item(b, key, &v);
		pls_encoder_free(&e);
		Py_DECREF(value);
	}
	if (st < 0)
	{
		pls_worker_exception_error(fn, false, &we, &f);
		st = PLS_TDNEW_ERROR;
	}
	pls_wire_put_td_end(b, (uint8_t) st, &we);
	pls_error_fields_free(&f);
	Py_XDECREF(newrow);
	Py_XDECREF(keys);
}

void
pls_worker_trigger_end(const PlsWireCall *call, PyObject *res, PyObject *td,
					   const PLSFuncInfo *fn)
{
	PlsWireBuf	b;
	int			result = pls_trigger_result(res);

	if (td == NULL || (call->result != NULL &&
					   (call->result->kind != PLS_S_ROW ||
						!call->result->rowknown)))
		_exit(3);				/* the backend sends TD and a known row */
	pls_wire_buf_init(&b, &pls_worker_raw_mem);
	pls_wire_put_u8(&b, (uint8_t) result);
	if (result == PLS_TRIG_MODIFY && call->result != NULL)
		put_td_new(&b, call->result, td, fn);
	/* what they let go of may run code that makes requests: before RETURN */
	Py_DECREF(res);
	Py_DECREF(td);
	pls_watchdog_call_end();
	pls_worker_send(PLS_MSG_RETURN, &b);
	pls_wire_buf_free(&b);
}
