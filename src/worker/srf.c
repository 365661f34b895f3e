/*-------------------------------------------------------------------------
 *
 * srf.c
 *	  Set-returning functions in the worker (the protocol is in wire.h): the
 *	  iterator of a SETOF call kept under a handle between the backend's
 *	  calls, its items encoded for the row's shape and sent in batches
 *	  (ROWS), FETCH for the next batch and CLOSE for a set the backend
 *	  abandons.  As in inline mode (exec.c), an item is taken only when the
 *	  backend asks for rows, and releasing the iterator runs a generator's
 *	  finally; a batch lets the iterator run ahead of the executor by at
 *	  most the rows the backend asked for.
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

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* An open set: its handle (0: a free slot), iterator and function. */
typedef struct WorkerSrf
{
	uint32_t	handle;
	PyObject   *iter;
	PLSFuncInfo info;			/* copies: the function may be replaced */
	PlsWireBuf	shape;			/* the row's shape as the CALL carried it */
} WorkerSrf;

/* each open set allocated alone: Python code run meanwhile may open more */
static WorkerSrf **srfs;
static size_t nsrfs;
static uint32_t last_handle;

static WorkerSrf *
find_srf(uint32_t handle)
{
	for (size_t i = 0; i < nsrfs; i++)
		if (srfs[i] != NULL && srfs[i]->handle == handle)
			return srfs[i];
	return NULL;
}

/* A new open set with a new handle, or NULL when memory is gone. */
static WorkerSrf *
new_srf(void)
{
	WorkerSrf **slot = NULL;
	WorkerSrf  *s;

	for (size_t i = 0; slot == NULL && i < nsrfs; i++)
		if (srfs[i] == NULL)
			slot = &srfs[i];
	if (slot == NULL)
	{
		WorkerSrf **grown = realloc(srfs, (nsrfs + 1) * sizeof(WorkerSrf *));

		if (grown == NULL)
			return NULL;
		srfs = grown;
		slot = &srfs[nsrfs++];
		*slot = NULL;
	}
	s = calloc(1, sizeof(WorkerSrf));
	if (s == NULL)
		return NULL;
	/* handles are never 0 and not reused while one is open */
	do
		last_handle++;
	while (last_handle == 0 || find_srf(last_handle) != NULL);
	s->handle = last_handle;
	*slot = s;
	return s;
}

/*
 * Release the iterator (a generator's finally runs, and may make requests)
 * and free the slot.  Interruptible as a call, but no call for plpy's SPI,
 * which refuses there as in inline mode (exec.c's srf_release).
 */
static void
drop_srf(WorkerSrf *s)
{
	PyObject   *iter = s->iter;
	int			depth = pls_worker_call_depth;

	pls_worker_function_name = s->info.name;
	s->iter = NULL;
	s->handle = 0;
	pls_worker_call_depth = 0;
	pls_watchdog_call_begin();
	Py_XDECREF(iter);
	pls_watchdog_call_end();
	pls_worker_call_depth = depth;
	/* an exception of the finally was reported as unraisable */
	PyErr_Clear();
	free((char *) s->info.name);
	free((char *) s->info.source);
	pls_wire_buf_free(&s->shape);
	for (size_t i = 0; i < nsrfs; i++)
		if (srfs[i] == s)
			srfs[i] = NULL;
	free(s);
	pls_worker_function_name = NULL;
}

/*
 * Take up to batch items, encoded for shape, and send them as ROWS.  The
 * iterator is kept only if the set may go on.
 */
static void
send_batch(WorkerSrf *s, const PLSShape *shape, uint32_t batch)
{
	PlsWireBuf	b;
	PlsWireError we;
	PLSErrorFields f;
	PLSEncoder	e;
	PyObject   *item = NULL;
	bool		encoder_failed = false;
	uint8_t		end = PLS_ROWS_MORE;

	memset(&we, 0, sizeof(we));
	memset(&f, 0, sizeof(f));
	pls_wire_buf_init(&b, &pls_worker_raw_mem);
	pls_wire_put_u32(&b, s->handle);
	for (uint32_t n = 0; n < batch && b.len < PLS_WIRE_BATCH_BYTES; n++)
	{
		PLSValue	v;

		item = PyIter_Next(s->iter);
		if (item == NULL)
		{
			if (PyErr_Occurred())
			{
				pls_worker_exception_error(&s->info, true, &we, &f);
				end = PLS_ROWS_ERROR;
			}
			else
				end = PLS_ROWS_DONE;
			break;
		}
		pls_encoder_init(&e);
		e.root = item;
		if (!pls_encode(&e, shape, item, &v))
		{
			/* the error's strings live in e until it is sent */
			pls_worker_encoder_error(&e, &s->info, &we, &f);
			encoder_failed = true;
			end = PLS_ROWS_BAD_ROW;
			break;
		}
		pls_wire_put_row(&b, &v);
		pls_encoder_free(&e);
		Py_CLEAR(item);
	}
	pls_wire_put_rows_end(&b, end, &we);
	pls_error_fields_free(&f);
	if (encoder_failed)
		pls_encoder_free(&e);
	Py_XDECREF(item);
	if (end != PLS_ROWS_MORE)
		drop_srf(s);
	pls_watchdog_call_end();
	pls_worker_send(PLS_MSG_ROWS, &b);
	pls_wire_buf_free(&b);
}

void
pls_worker_srf_begin(const PlsWireCall *call, PyObject *res,
					 const PLSFuncInfo *fn)
{
	PyObject   *iter;
	WorkerSrf  *s;
	PlsWireError we;

	if (call->result == NULL)
		_exit(3);				/* the backend always sends the row's shape */
	iter = pls_srf_iter(res);
	/* the iterator holds what it needs: res may go (its code runs now) */
	Py_DECREF(res);
	memset(&we, 0, sizeof(we));
	if (iter == NULL)
	{
		pls_watchdog_call_end();
		we.sqlerrcode = PLS_ERRCODE_DATATYPE_MISMATCH;
		we.message = PLS_SRF_NOT_ITERABLE_MSG;
		we.detail = PLS_SRF_NOT_ITERABLE_DETAIL;
		we.origin = PLS_ERR_PLPY;
		pls_worker_raise(&we);
		return;
	}
	s = new_srf();
	if (s != NULL)
	{
		s->iter = iter;
		s->info.kind = fn->kind;
		s->info.name = strdup(fn->name);
		s->info.source = strdup(fn->source);
		pls_wire_buf_init(&s->shape, &pls_worker_raw_mem);
		pls_wire_put_shape(&s->shape, call->result);
		if (s->info.name != NULL && s->info.source != NULL &&
			!s->shape.failed)
		{
			send_batch(s, call->result, call->batch);
			return;
		}
		drop_srf(s);
	}
	else
		Py_DECREF(iter);
	pls_watchdog_call_end();
	we.sqlerrcode = PLS_ERRCODE_OUT_OF_MEMORY;
	we.message = "out of memory";
	we.origin = PLS_ERR_MEMORY;
	pls_worker_raise(&we);
}

void
pls_worker_fetch(const void *data, size_t len)
{
	PlsWireReader r;
	uint32_t	handle;
	uint32_t	batch;
	WorkerSrf  *s;
	PLSShape   *shape;

	pls_wire_reader_init(&r, data, len, &pls_worker_arena_mem);
	if (!pls_wire_get_fetch(&r, &handle, &batch) || !pls_wire_done(&r) ||
		(s = find_srf(handle)) == NULL)
		_exit(3);
	/* the shape as the CALL gave it (this worker's own bytes) */
	pls_wire_reader_init(&r, s->shape.data, s->shape.len,
						 &pls_worker_arena_mem);
	if (!pls_wire_get_shape(&r, &shape) || !pls_wire_done(&r))
		_exit(4);
	pls_worker_function_name = s->info.name;
	pls_watchdog_call_begin();
	send_batch(s, shape, batch);
}

void
pls_worker_close(const void *data, size_t len)
{
	PlsWireReader r;
	PlsWireBuf	b;
	uint32_t	handle;
	WorkerSrf  *s;

	pls_wire_reader_init(&r, data, len, &pls_worker_arena_mem);
	if (!pls_wire_get_u32(&r, &handle) || !pls_wire_done(&r) ||
		(s = find_srf(handle)) == NULL)
		_exit(3);
	drop_srf(s);
	pls_wire_buf_init(&b, &pls_worker_raw_mem);
	pls_wire_put_u8(&b, 0);
	pls_worker_send(PLS_MSG_RETURN, &b);
	pls_wire_buf_free(&b);
}
