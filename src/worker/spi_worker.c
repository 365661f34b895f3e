/*-------------------------------------------------------------------------
 *
 * spi_worker.c
 *	  The worker's host hooks of plpy's SPI (spi_host.h): each is a request
 *	  to the backend (wire.h's PLS_OP_EXECUTE ... PLS_OP_END_XACT, served
 *	  by process_spi.c), so the worker runs the same Python types and
 *	  module functions as inline mode.  Results come back as door values
 *	  and become the dicts inline mode builds (value_py.c); errors become
 *	  plpy.SPIError or its spiexceptions subclass with every field.
 *
 *	  Plans and cursors are the backend's tokens.  Python objects may be
 *	  freed at any moment (the garbage collector), also while a request is
 *	  being built or its reply read, so their release is queued and sent
 *	  with the next SPI request.  A cursor's validity is asked of the
 *	  backend only when a request or a call ran since it was last known.
 *
 *-------------------------------------------------------------------------
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "worker/worker.h"
#include "plpy_host.h"
#include "pyhost.h"
#include "pyvalue.h"
#include "spi_host.h"
#include "wire.h"

#include <stdlib.h>
#include <string.h>

/* The backend answers as it must: anything else ends the worker. */
static void broken(void) __attribute__((noreturn));
static void
broken(void)
{
	_exit(3);
}

/* ---------- memory that lives with a plan (its shapes) ---------- */

typedef struct Block
{
	struct Block *next;
	max_align_t data[];
} Block;

static void *
block_alloc(void *cx, size_t size)
{
	Block	  **list = (Block **) cx;
	Block	   *b = PyMem_RawMalloc(sizeof(Block) + (size ? size : 1));

	if (b == NULL)
		return NULL;
	b->next = *list;
	*list = b;
	return b->data;
}

static void
blocks_free(Block **list)
{
	while (*list != NULL)
	{
		Block	   *b = *list;

		*list = b->next;
		PyMem_RawFree(b);
	}
}

/* ---------- handles ---------- */

struct PLSHostPlan
{
	uint64_t	token;
	int			nargs;
	bool		resolve;		/* ask for the shapes before each use */
	const PLSShape **shapes;
	Block	   *mem;			/* the shapes' memory */
	PlsWireMem wmem;
};

struct PLSHostCursor
{
	uint64_t	token;
	uint64_t	valid_at;		/* pls_worker_epoch when last found valid */
};

struct PLSHostError
{
	PLSErrorFields f;
};

/*
 * A result's columns, shared by the results that have them and, for the
 * last ones the backend sent, by the worker (last_columns): the backend
 * leaves out of a reply the columns a request says the worker holds.
 */
typedef struct WorkerColumns
{
	PLSColumns	pub;
	uint32_t   *typoids;
	int32_t    *typmods;
	uint64_t	serial;			/* the backend's name for them; 0: none */
	PyObject   *keys;			/* the live columns' names, interned */
	int			refs;
} WorkerColumns;

static WorkerColumns *last_columns;

/* Releases to send with the next request. */
typedef struct Release
{
	uint8_t		kind;
	uint64_t	token;
} Release;

static Release *releases;
static size_t nreleases;
static size_t releases_cap;

static void
queue_release(uint8_t kind, uint64_t token)
{
	if (nreleases == releases_cap)
	{
		size_t		cap = releases_cap ? releases_cap * 2 : 16;
		Release    *grown = PyMem_RawRealloc(releases, cap * sizeof(Release));

		/* no memory: the backend frees it when the worker ends */
		if (grown == NULL)
			return;
		releases = grown;
		releases_cap = cap;
	}
	releases[nreleases].kind = kind;
	releases[nreleases].token = token;
	nreleases++;
}

/* ---------- requests ---------- */

/* The request's reply: a failure is raised (false). */
static bool
send_request(PlsWireReader *r)
{
	bool		ok;

	pls_worker_request(r, &ok);
	if (!ok)
	{
		PLSErrorFields f;

		pls_worker_reply_error(r, &f);
		if (!pls_wire_done(r))
			broken();
		if (!PyErr_Occurred())
			pls_plpy_raise_spierror(&f);
		pls_error_fields_free(&f);
	}
	return ok;
}

void
pls_worker_spi_flush(void)
{
	if (nreleases > 0)
	{
		PlsWireReader r;
		size_t		mark = pls_worker_arena_mark();
		size_t		n = nreleases;
		bool		ok;

		nreleases = 0;
		pls_wire_buf_reset(&pls_worker_reqbuf);
		pls_wire_put_u8(&pls_worker_reqbuf, PLS_OP_RELEASE);
		pls_wire_put_u32(&pls_worker_reqbuf, (uint32_t) n);
		for (size_t i = 0; i < n; i++)
		{
			pls_wire_put_u8(&pls_worker_reqbuf, releases[i].kind);
			pls_wire_put_u64(&pls_worker_reqbuf, releases[i].token);
		}
		/* an error here has no one to go to: dropped */
		pls_worker_request(&r, &ok);
		if (ok && !pls_wire_done(&r))
			broken();
		pls_worker_arena_release(mark);
	}
}

/* Start a request of op, the queued releases sent first. */
static void
begin_request(uint8_t op)
{
	pls_worker_spi_flush();
	pls_wire_buf_reset(&pls_worker_reqbuf);
	pls_wire_put_u8(&pls_worker_reqbuf, op);
}

static void
put_stmt(const PLSSpiStmt *st)
{
	PlsWireStmt ws;

	memset(&ws, 0, sizeof(ws));
	if (st->plan == NULL)
	{
		ws.query = st->query;
		ws.querylen = st->querylen;
	}
	else
	{
		ws.plan = st->plan->token;
		ws.nargs = (uint32_t) st->plan->nargs;
		ws.args = st->args;
	}
	pls_wire_put_stmt(&pls_worker_reqbuf, &ws);
}

/* ---------- results ---------- */

/* NULL with a Python exception on failure. */
static WorkerColumns *
columns_new(const PlsWireColumns *wc, uint64_t serial)
{
	WorkerColumns *c = PyMem_RawCalloc(1, sizeof(WorkerColumns));
	Py_ssize_t	nlive = 0;

	if (c == NULL)
		return (WorkerColumns *) PyErr_NoMemory();
	c->refs = 1;
	c->serial = serial;
	for (uint32_t i = 0; i < wc->natts; i++)
		nlive += !wc->dropped[i];
	c->typoids = PyMem_RawMalloc(sizeof(uint32_t) * (wc->natts + 1));
	c->typmods = PyMem_RawMalloc(sizeof(int32_t) * (wc->natts + 1));
	c->pub.colnames = PyList_New(wc->natts);
	c->keys = PyTuple_New(nlive);
	c->pub.natts = (int) wc->natts;
	c->pub.typoids = c->typoids;
	c->pub.typmods = c->typmods;
	if (c->typoids == NULL || c->typmods == NULL ||
		c->pub.colnames == NULL || c->keys == NULL)
	{
		pls_host_columns_release(&c->pub);
		return (WorkerColumns *) (PyErr_Occurred() ? NULL : PyErr_NoMemory());
	}
	nlive = 0;
	for (uint32_t i = 0; i < wc->natts; i++)
	{
		PyObject   *name = PyUnicode_FromString(wc->names[i]);

		if (name == NULL)
		{
			pls_host_columns_release(&c->pub);
			return NULL;
		}
		PyList_SET_ITEM(c->pub.colnames, i, name);
		c->typoids[i] = wc->typoids[i];
		c->typmods[i] = wc->typmods[i];
		if (wc->dropped[i])
			continue;
		/* the same str object for every row: dict lookups hash it once */
		Py_INCREF(name);
		PyUnicode_InternInPlace(&name);
		PyTuple_SET_ITEM(c->keys, nlive++, name);
	}
	return c;
}

void
pls_host_columns_release(PLSColumns *cols)
{
	WorkerColumns *c = (WorkerColumns *) cols;

	if (--c->refs > 0)
		return;
	Py_XDECREF(c->pub.colnames);
	Py_XDECREF(c->keys);
	PyMem_RawFree(c->typoids);
	PyMem_RawFree(c->typmods);
	PyMem_RawFree(c);
}

/*
 * The columns held, named in the request being built ("columns held",
 * wire.h), and kept for its reply: a call nested in the request may be
 * sent others meanwhile.  Given back with pls_host_columns_release.
 */
static WorkerColumns *
put_columns_held(void)
{
	WorkerColumns *held = last_columns;

	pls_wire_put_u64(&pls_worker_reqbuf, held ? held->serial : 0);
	if (held != NULL)
		held->refs++;
	return held;
}

/* One row (a ROW value, one value per live column) as a dict. */
static PyObject *
row_dict(const PLSValue *v, PyObject *keys)
{
	PyObject   *dict;

	if (v->kind != PLS_V_ROW || v->u.row.names != NULL ||
		v->u.row.natts != PyTuple_GET_SIZE(keys))
		broken();
	dict = PyDict_New();
	if (dict == NULL)
		return NULL;
	for (int i = 0; i < v->u.row.natts; i++)
	{
		PyObject   *o = pls_value_to_py(&v->u.row.atts[i]);

		if (o == NULL || PyDict_SetItem(dict, PyTuple_GET_ITEM(keys, i), o) < 0)
		{
			Py_XDECREF(o);
			Py_DECREF(dict);
			return NULL;
		}
		Py_DECREF(o);
	}
	return dict;
}

/*
 * Result rows of a reply as a new list of dicts; with cols, the columns
 * too.  held: what the request said it holds.  The garbage collector is
 * off meanwhile: a finalizer must not make a request while the reply is
 * read.
 */
static PyObject *
read_rows(PlsWireReader *r, WorkerColumns *held, PLSColumns **cols)
{
	uint64_t	serial;
	uint8_t		included;
	PlsWireColumns wc;
	uint64_t	n;
	const char *blob;
	size_t		bloblen;
	PlsWireReader rr;
	WorkerColumns *c;
	PyObject   *keys;
	PyObject   *list = NULL;

	if (!pls_wire_get_u64(r, &serial) || !pls_wire_get_u8(r, &included) ||
		included > 1 || (included && !pls_wire_get_columns(r, &wc)) ||
		!pls_wire_get_u64(r, &n) ||
		!pls_wire_get_bytes(r, &blob, &bloblen) || n > bloblen)
		broken();
	if (included)
	{
		if ((c = columns_new(&wc, serial)) == NULL)
			return NULL;
		if (serial != 0)
		{
			if (last_columns != NULL)
				pls_host_columns_release(&last_columns->pub);
			last_columns = c;
			c->refs++;
		}
	}
	else
	{
		/* left out only as the columns held */
		if (held == NULL || held->serial != serial)
			broken();
		c = held;
		c->refs++;
	}
	keys = c->keys;
	list = PyList_New((Py_ssize_t) n);
	if (list == NULL)
		goto done;
	pls_wire_reader_init(&rr, blob, bloblen, r->mem);
	for (uint64_t i = 0; i < n; i++)
	{
		size_t		mark = pls_worker_arena_mark();
		PLSValue	v;
		PyObject   *row;

		if (!pls_wire_get_value(&rr, &v))
			broken();
		row = row_dict(&v, keys);
		pls_worker_arena_release(mark);
		if (row == NULL)
		{
			Py_CLEAR(list);
			goto done;
		}
		PyList_SET_ITEM(list, (Py_ssize_t) i, row);
	}
	if (!pls_wire_done(&rr))
		broken();
done:
	if (cols != NULL && list != NULL)
		*cols = &c->pub;
	else
		pls_host_columns_release(&c->pub);
	return list;
}

/* ---------- the hooks ---------- */

bool
pls_host_spi_in_call(void)
{
	return pls_worker_call_depth > 0;
}

PyObject *
pls_host_spi_execute(const PLSSpiStmt *st, long limit)
{
	PlsWireReader r;
	WorkerColumns *held;
	size_t		mark = pls_worker_arena_mark();
	int			gc_was_enabled;
	int32_t		status;
	PyObject   *ret = NULL;

	begin_request(PLS_OP_EXECUTE);
	put_stmt(st);
	pls_wire_put_i64(&pls_worker_reqbuf, limit);
	held = put_columns_held();
	gc_was_enabled = PyGC_Disable();
	if (send_request(&r))
	{
		if (!pls_wire_get_i32(&r, &status))
			broken();
		if (status < 0)
		{
			char	   *code;

			if (!pls_wire_get_cstr(&r, &code) || code == NULL ||
				!pls_wire_done(&r))
				broken();
			pls_spi_raise_status(st->plan != NULL, code);
		}
		else
		{
			uint64_t	nrows;
			uint8_t		with_rows;
			PyObject   *rows = NULL;
			PLSColumns *cols = NULL;
			PyObject   *stobj;
			PyObject   *nrowsobj = NULL;

			if (!pls_wire_get_u64(&r, &nrows) ||
				!pls_wire_get_u8(&r, &with_rows) || with_rows > 1)
				broken();
			if (with_rows)
				rows = read_rows(&r, held, &cols);
			if (!pls_wire_done(&r))
				broken();
			stobj = PyLong_FromLong(status);
			if (status > 0)
				nrowsobj = PyLong_FromUnsignedLongLong(nrows);
			if ((with_rows && rows == NULL) || stobj == NULL ||
				(status > 0 && nrowsobj == NULL))
			{
				Py_XDECREF(rows);
				Py_XDECREF(stobj);
				Py_XDECREF(nrowsobj);
				if (cols)
					pls_host_columns_release(cols);
			}
			else
				ret = pls_result_new(stobj, nrowsobj, rows, cols);
		}
	}
	if (gc_was_enabled)
		PyGC_Enable();
	if (held != NULL)
		pls_host_columns_release(&held->pub);
	pls_worker_arena_release(mark);
	return ret;
}

/* A plan's shapes from a reply, replacing what it had. */
static void
read_shapes(PlsWireReader *r, PLSHostPlan *plan)
{
	uint32_t	nargs;
	uint8_t		resolve;
	const PlsWireMem *mem = r->mem;

	if (!pls_wire_get_u32(r, &nargs) || nargs != (uint32_t) plan->nargs ||
		!pls_wire_get_u8(r, &resolve) || resolve > 1)
		broken();
	blocks_free(&plan->mem);
	plan->resolve = resolve == 1;
	plan->shapes = block_alloc(&plan->mem, sizeof(PLSShape *) * (nargs + 1));
	if (plan->shapes == NULL)
		broken();
	r->mem = &plan->wmem;
	for (uint32_t i = 0; i < nargs; i++)
	{
		PLSShape   *s;

		if (!pls_wire_get_shape(r, &s))
			broken();
		plan->shapes[i] = s;
	}
	r->mem = mem;
	if (!pls_wire_done(r))
		broken();
}

PLSHostPlan *
pls_host_spi_prepare(const char *query, size_t querylen, int nargs,
					 const char *const *typenames, const size_t *lens)
{
	PlsWireReader r;
	size_t		mark = pls_worker_arena_mark();
	PLSHostPlan *plan = PyMem_RawCalloc(1, sizeof(PLSHostPlan));

	if (plan == NULL)
		return (PLSHostPlan *) PyErr_NoMemory();
	plan->nargs = nargs;
	plan->wmem.alloc = block_alloc;
	plan->wmem.cx = &plan->mem;
	begin_request(PLS_OP_PREPARE);
	pls_wire_put_cstr(&pls_worker_reqbuf, query);
	pls_wire_put_u32(&pls_worker_reqbuf, (uint32_t) nargs);
	for (int i = 0; i < nargs; i++)
		pls_wire_put_cstr(&pls_worker_reqbuf, typenames[i]);
	if (!send_request(&r))
	{
		pls_worker_arena_release(mark);
		PyMem_RawFree(plan);
		return NULL;
	}
	if (!pls_wire_get_u64(&r, &plan->token))
		broken();
	read_shapes(&r, plan);
	pls_worker_arena_release(mark);
	return plan;
}

const PLSShape *const *
pls_host_spi_plan_shapes(PLSHostPlan *plan)
{
	PlsWireReader r;
	size_t		mark;

	if (!plan->resolve)
		return plan->shapes;
	mark = pls_worker_arena_mark();
	begin_request(PLS_OP_PLAN_SHAPES);
	pls_wire_put_u64(&pls_worker_reqbuf, plan->token);
	if (!send_request(&r))
	{
		pls_worker_arena_release(mark);
		return NULL;
	}
	read_shapes(&r, plan);
	pls_worker_arena_release(mark);
	return plan->shapes;
}

void
pls_host_spi_plan_free(PLSHostPlan *plan)
{
	queue_release(PLS_RELEASE_PLAN, plan->token);
	blocks_free(&plan->mem);
	PyMem_RawFree(plan);
}

PLSHostCursor *
pls_host_spi_cursor_open(const PLSSpiStmt *st)
{
	PlsWireReader r;
	size_t		mark = pls_worker_arena_mark();
	PLSHostCursor *cur = PyMem_RawCalloc(1, sizeof(PLSHostCursor));

	if (cur == NULL)
		return (PLSHostCursor *) PyErr_NoMemory();
	begin_request(PLS_OP_CURSOR_OPEN);
	put_stmt(st);
	if (!send_request(&r))
	{
		pls_worker_arena_release(mark);
		PyMem_RawFree(cur);
		return NULL;
	}
	if (!pls_wire_get_u64(&r, &cur->token) || !pls_wire_done(&r))
		broken();
	cur->valid_at = pls_worker_epoch;
	pls_worker_arena_release(mark);
	return cur;
}

bool
pls_host_spi_cursor_valid(PLSHostCursor *cur)
{
	PlsWireReader r;
	size_t		mark;
	uint8_t		valid;

	if (cur->valid_at == pls_worker_epoch)
		return true;
	mark = pls_worker_arena_mark();
	begin_request(PLS_OP_CURSOR_VALID);
	pls_wire_put_u64(&pls_worker_reqbuf, cur->token);
	if (!send_request(&r))
		broken();				/* the backend always answers it */
	if (!pls_wire_get_u8(&r, &valid) || valid > 1 || !pls_wire_done(&r))
		broken();
	pls_worker_arena_release(mark);
	if (valid)
		cur->valid_at = pls_worker_epoch;
	return valid == 1;
}

PyObject *
pls_host_spi_cursor_fetch(PLSHostCursor *cur, long count,
						  PLSHostError **pending)
{
	PlsWireReader r;
	WorkerColumns *held;
	size_t		mark = pls_worker_arena_mark();
	int			gc_was_enabled;
	PyObject   *rows = NULL;
	uint8_t		failed;

	begin_request(PLS_OP_CURSOR_FETCH);
	pls_wire_put_u64(&pls_worker_reqbuf, cur->token);
	pls_wire_put_i64(&pls_worker_reqbuf, count);
	held = put_columns_held();
	gc_was_enabled = PyGC_Disable();
	if (send_request(&r))
	{
		rows = read_rows(&r, held, NULL);
		if (!pls_wire_get_u8(&r, &failed) || failed > 1)
			broken();
		if (failed)
		{
			PLSHostError *e = PyMem_RawMalloc(sizeof(PLSHostError));

			if (e == NULL)
				broken();
			pls_worker_reply_error(&r, &e->f);
			if (PyErr_Occurred())
			{
				PyMem_RawFree(e);
				Py_CLEAR(rows);
			}
			else if (rows == NULL)
				pls_host_spi_error_free(e);
			else
				*pending = e;
		}
		if (!pls_wire_done(&r))
			broken();
		cur->valid_at = pls_worker_epoch;
	}
	if (gc_was_enabled)
		PyGC_Enable();
	if (held != NULL)
		pls_host_columns_release(&held->pub);
	pls_worker_arena_release(mark);
	return rows;
}

void
pls_host_spi_cursor_close(PLSHostCursor *cur)
{
	queue_release(PLS_RELEASE_CURSOR, cur->token);
}

void
pls_host_spi_cursor_free(PLSHostCursor *cur)
{
	PyMem_RawFree(cur);
}

void
pls_host_spi_error_raise(PLSHostError *err)
{
	pls_plpy_raise_spierror(&err->f);
	pls_host_spi_error_free(err);
}

void
pls_host_spi_error_free(PLSHostError *err)
{
	pls_error_fields_free(&err->f);
	PyMem_RawFree(err);
}

bool
pls_host_spi_subxact_enter(uint64_t *token)
{
	PlsWireReader r;
	size_t		mark = pls_worker_arena_mark();
	bool		ok;

	begin_request(PLS_OP_SUBXACT_ENTER);
	ok = send_request(&r);
	if (ok && (!pls_wire_get_u64(&r, token) || !pls_wire_done(&r)))
		broken();
	pls_worker_arena_release(mark);
	return ok;
}

int
pls_host_spi_subxact_exit(uint64_t token, bool commit)
{
	PlsWireReader r;
	size_t		mark = pls_worker_arena_mark();
	uint8_t		innermost = 1;
	bool		ok;

	begin_request(PLS_OP_SUBXACT_EXIT);
	pls_wire_put_u64(&pls_worker_reqbuf, token);
	pls_wire_put_u8(&pls_worker_reqbuf, commit ? 1 : 0);
	ok = send_request(&r);
	if (ok && (!pls_wire_get_u8(&r, &innermost) || innermost > 1 ||
			   !pls_wire_done(&r)))
		broken();
	pls_worker_arena_release(mark);
	return !ok ? 0 : innermost ? 1 : -1;
}

bool
pls_host_spi_end_xact(bool commit)
{
	PlsWireReader r;
	size_t		mark = pls_worker_arena_mark();
	bool		ok;

	begin_request(PLS_OP_END_XACT);
	pls_wire_put_u8(&pls_worker_reqbuf, commit ? 1 : 0);
	ok = send_request(&r);
	if (ok && !pls_wire_done(&r))
		broken();
	pls_worker_arena_release(mark);
	return ok;
}

int
pls_host_plpy_add_spi(PyObject *module, struct PLSInterp *interp)
{
	if (pls_spi_types_ready() < 0)
		return -1;
	return PyModule_AddFunctions(module, pls_spi_methods);
}
