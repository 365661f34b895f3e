/*-------------------------------------------------------------------------
 *
 * call.c
 *	  The process transport of the door, worker side: the role's restricted
 *	  interpreter built from INIT (before lock-down), and CALLs run in it,
 *	  answered with RETURN or RAISE.  The requests its code makes meanwhile
 *	  are request.c's.
 *
 *	  The worker runs one role's code, in its main interpreter: the same
 *	  restricted interpreter inline mode builds (pyhost.h), compiled bodies
 *	  kept per (function, generation) with their SD, one GD.
 *
 *-------------------------------------------------------------------------
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "worker/worker.h"
#include "plpy_host.h"
#include "pyhost.h"
#include "pyvalue.h"
#include "wire.h"

#include <stdlib.h>
#include <string.h>

static PlsChan *chan;
static PLSInterp interp;

/*
 * The worker's INIT asked for full Python (PLS_INIT_TESTING_UNSANDBOXED,
 * accepted by the testing worker only): every CALL must then carry
 * PLS_CALL_UNSANDBOXED, and no other worker accepts that flag.
 */
static bool unsandboxed = false;

/* ---------- functions ---------- */

/*
 * A compiled function: kept per oid (the latest generation), with the
 * mapping of its Python parameters to the SQL arguments (argpos, -1: the
 * args list), as procedure.c builds it for inline mode.  Each is allocated
 * on its own and counts the calls running it: a nested call (through SPI)
 * may compile a new generation of the same function, or add functions,
 * while an outer call still uses its entry, which is then freed when that
 * call ends (as procedure.c retires a procedure that is running).
 */
typedef struct WorkerFn
{
	uint32_t	oid;
	uint64_t	gen;
	PLSCompiled c;
	PLSFuncInfo info;			/* name, source (UTF-8, owned), kind */
	int			nargs;			/* SQL arguments */
	int			npyargs;		/* Python parameters */
	int		   *argpos;
	bool		direct;			/* argpos is 0 .. nargs - 1 */
	int			running;		/* calls using it now */
	bool		retired;		/* replaced: freed when running is 0 */
} WorkerFn;

static WorkerFn **fns;
static size_t nfns;

static WorkerFn *
find_fn(uint32_t oid)
{
	for (size_t i = 0; i < nfns; i++)
		if (fns[i]->oid == oid)
			return fns[i];
	return NULL;
}

static void
drop_fn(WorkerFn *f)
{
	Py_CLEAR(f->c.func);
	Py_CLEAR(f->c.globals);
	Py_CLEAR(f->c.SD);
	free((char *) f->info.name);
	free((char *) f->info.source);
	free(f->argpos);
	memset(f, 0, sizeof(*f));
}

/* ---------- replies of a call ---------- */

static PlsWireBuf outbuf;

/* Send message b: a failure ends the worker (the backend reports it). */
void
pls_worker_send(uint32_t tag, const PlsWireBuf *b)
{
	int			rc;

	/* what the call's objects let go of is released before it ends */
	if (tag == PLS_MSG_RETURN || tag == PLS_MSG_RAISE || tag == PLS_MSG_ROWS)
		pls_worker_spi_flush();

	if (b->failed)
		pls_worker_exit(4);
	rc = pls_wire_send(chan, tag, b, PLS_CHAN_NO_DEADLINE);
	if (rc == PLS_CHAN_DEAD)
		pls_worker_exit(0);
	if (rc != PLS_CHAN_OK)
		pls_worker_exit(3);
}

void
pls_worker_raise(const PlsWireError *we)
{
	pls_wire_buf_reset(&outbuf);
	pls_wire_put_error(&outbuf, we);
	pls_worker_send(PLS_MSG_RAISE, &outbuf);
}

/*
 * The pending Python exception as inline mode reports it (pyerror.c), in
 * *we, whose strings live in *f until pls_error_fields_free (next_item:
 * raised by a set's next item, see pls_pyerror_fetch).  The
 * watchdog lets go of the call first, so that the traceback's formatting
 * is not interrupted in turn.
 */
void
pls_worker_exception_error(const PLSFuncInfo *fn, bool next_item,
						   PlsWireError *we, PLSErrorFields *f)
{
	PLSErrorClasses cls = {interp.exc_error, interp.exc_fatal,
	interp.exc_spierror, interp.exc_interrupted};

	pls_watchdog_call_end();
	memset(we, 0, sizeof(*we));
	memset(f, 0, sizeof(*f));
	if (pls_watchdog_interrupted())
	{
		PyErr_Clear();
		we->origin = PLS_ERR_INTERRUPT;
		we->sqlerrcode = PLS_SQLSTATE_QUERY_CANCELED;
		we->message = "canceling statement due to user request";
		return;
	}
	if (!pls_pyerror_fetch(&cls, fn, next_item, f))
	{
		PyErr_Clear();
		memset(f, 0, sizeof(*f));
		we->origin = PLS_ERR_MEMORY;
		we->sqlerrcode = PLS_SQLSTATE_OUT_OF_MEMORY;
		we->message = "out of memory";
		return;
	}
	we->sqlerrcode = f->sqlerrcode;
	we->message = f->message;
	we->detail = f->detail;
	we->hint = f->hint;
	we->context = f->context;
	we->schema_name = f->schema_name;
	we->table_name = f->table_name;
	we->column_name = f->column_name;
	we->datatype_name = f->datatype_name;
	we->constraint_name = f->constraint_name;
	we->query = f->query;
	we->position = f->position > 0 ? f->position : 0;
	we->origin = f->kind == PLS_ERRK_INTERRUPT ? PLS_ERR_INTERRUPT :
		f->fatal ? PLS_ERR_FATAL :
		f->kind == PLS_ERRK_MEMORY ? PLS_ERR_MEMORY :
		(f->kind == PLS_ERRK_PLPY || f->kind == PLS_ERRK_SPIERROR) ? PLS_ERR_PLPY :
		PLS_ERR_PYTHON;
}

/* RAISE with the pending Python exception. */
static void
raise_exception(const PLSFuncInfo *fn)
{
	PLSErrorFields f;
	PlsWireError we;

	pls_worker_exception_error(fn, false, &we, &f);
	pls_worker_raise(&we);
	pls_error_fields_free(&f);
}

/*
 * RAISE for a body that did not compile, as procedure.c reports it: the
 * policy's denial (logged with the role and function, like one at run
 * time) or a syntax error.  Another failure is an exception of its own.
 */
static void
raise_compile_error(const PLSFuncInfo *fn)
{
	PLSCompileError ce;
	PlsWireError we;
	char		detail[512];
	char		message[512];
	const char *msg;

	pls_compile_error_take(&interp, &ce);
	if (ce.kind == PLS_COMPILE_OTHER)
	{
		raise_exception(fn);
		return;
	}
	msg = ce.message ? ce.message : "unknown error";
	memset(&we, 0, sizeof(we));
	we.origin = PLS_ERR_COMPILE;
	if (ce.kind == PLS_COMPILE_DENIED)
	{
		pls_host_log_denial(msg, fn->name);
		snprintf(detail, sizeof(detail), PLS_COMPILE_DENIED_DETAIL,
				 ce.line, fn->name);
		we.sqlerrcode = PLS_MAKE_SQLSTATE('4', '2', '5', '0', '1');
		we.message = msg;
		we.detail = detail;
		we.hint = ce.hint;
	}
	else
	{
		snprintf(message, sizeof(message), PLS_COMPILE_SYNTAX_MSG, fn->name);
		we.sqlerrcode = PLS_MAKE_SQLSTATE('4', '2', '6', '0', '1');
		we.message = fn->kind == PLS_FN_INLINE ?
			PLS_COMPILE_SYNTAX_INLINE_MSG : message;
		we.detail = msg;
	}
	pls_worker_raise(&we);
	pls_compile_error_release(&ce);
}

/* ---------- CALL ---------- */

#ifdef PLS_WORKER_TESTING
/*
 * Test build only: the body as plain Python (testing.c), with the real
 * builtins and the modules imported before lock-in, so that test/kernel.sh
 * attacks the kernel's walls alone.  Takes argnames.
 */
static bool
compile_unsandboxed(const PlsWireCall *call, PyObject *argnames,
					const char *filename, WorkerFn *nf)
{
	nf->c.func = pls_testing_function(call->defname, argnames, call->source,
									  filename);
	Py_DECREF(argnames);
	return nf->c.func != NULL;
}
#endif

/*
 * Compile the call's body into *nf; false with a RAISE sent (or a Python
 * exception set, for the caller to send).
 */
static bool
compile_call(const PlsWireCall *call, WorkerFn *nf)
{
	PyObject   *argnames;
	char		filename[300];

	memset(nf, 0, sizeof(*nf));
	nf->oid = call->fn_oid;
	nf->gen = call->fn_gen;
	nf->info.kind = (call->flags & PLS_CALL_DO) ? PLS_FN_INLINE :
		(call->flags & PLS_CALL_PROCEDURE) ? PLS_FN_PROCEDURE : PLS_FN_FUNCTION;
	nf->info.name = strdup(call->name);
	nf->info.source = strdup(call->source);
	nf->nargs = (int) call->nargnames;
	nf->argpos = malloc(sizeof(int) * (call->nargnames + 1));
	argnames = PyList_New(0);
	if (nf->info.name == NULL || nf->info.source == NULL ||
		nf->argpos == NULL || argnames == NULL)
	{
		Py_XDECREF(argnames);
		PyErr_NoMemory();
		return false;
	}
	for (uint32_t i = 0; i < call->nargnames; i++)
	{
		PyObject   *s;

		if (call->argnames[i] == NULL || call->argnames[i][0] == '\0')
			continue;
		s = PyUnicode_FromString(call->argnames[i]);
		if (s == NULL || PyList_Append(argnames, s) < 0)
		{
			Py_XDECREF(s);
			Py_DECREF(argnames);
			return false;
		}
		Py_DECREF(s);
		nf->argpos[nf->npyargs++] = (int) i;
	}
	snprintf(filename, sizeof(filename), "<plsafepy function %s>", call->name);
	pls_worker_function_name = nf->info.name;
#ifdef PLS_WORKER_TESTING
	if (unsandboxed)
		return compile_unsandboxed(call, argnames, filename, nf);
#endif
	/* a trigger's one parameter is TD, as a DO block has none: no args */
	if (pls_py_compile(&interp, call->defname, argnames, call->source,
					   filename,
					   nf->info.kind != PLS_FN_INLINE &&
					   !(call->flags & PLS_CALL_TRIGGER), &nf->c) < 0)
	{
		Py_DECREF(argnames);
		raise_compile_error(&nf->info);
		return false;
	}
	Py_DECREF(argnames);
	nf->direct = nf->npyargs == nf->nargs && !nf->c.uses_args;
	if (nf->c.uses_args)
		nf->argpos[nf->npyargs++] = -1;
	return true;
}

/* An entry no call uses any more, or a DO block's. */
static void
free_fn(WorkerFn *f)
{
	drop_fn(f);
	free(f);
}

/*
 * Keep nf as the function of its oid, replacing an older generation (freed
 * now, or retired if a call still runs it).  NULL: out of memory, nf kept.
 */
static WorkerFn *
keep_fn(WorkerFn *nf)
{
	WorkerFn   *f = malloc(sizeof(WorkerFn));
	size_t		i;

	if (f == NULL)
		return NULL;
	for (i = 0; i < nfns; i++)
		if (fns[i]->oid == nf->oid)
			break;
	if (i == nfns)
	{
		WorkerFn  **grown = realloc(fns, (nfns + 1) * sizeof(WorkerFn *));

		if (grown == NULL)
		{
			free(f);
			return NULL;
		}
		fns = grown;
		nfns++;
	}
	else if (fns[i]->running > 0)
		fns[i]->retired = true;
	else
		free_fn(fns[i]);
	*f = *nf;
	fns[i] = f;
	return f;
}

/*
 * The call's arguments as the Python parameters (and the args list).  A
 * body whose arguments all have names and that does not use args gets
 * them straight into stack (the caller's PLS_STACK_ARGS slots) if they fit;
 * otherwise they go through the args list into memory of their own.
 */
#define PLS_STACK_ARGS 8

static PyObject **
make_args(WorkerFn *f, const PlsWireCall *call, PyObject **stack,
		  Py_ssize_t *n)
{
	PyObject  **argv;
	PyObject   *all;

	if (call->nargs != (uint32_t) f->nargs)
		pls_worker_exit(3);	/* the backend sends what it declared */
	if (f->direct && f->nargs <= PLS_STACK_ARGS)
	{
		for (int i = 0; i < f->nargs; i++)
		{
			stack[i] = pls_value_to_py(&call->args[i]);
			if (stack[i] == NULL)
			{
				while (--i >= 0)
					Py_DECREF(stack[i]);
				return NULL;
			}
		}
		*n = f->nargs;
		return stack;
	}
	all = PyList_New(call->nargs);
	if (all == NULL)
		return NULL;
	for (uint32_t i = 0; i < call->nargs; i++)
	{
		PyObject   *o = pls_value_to_py(&call->args[i]);

		if (o == NULL)
		{
			Py_DECREF(all);
			return NULL;
		}
		PyList_SET_ITEM(all, i, o);
	}
	argv = PyMem_Calloc((size_t) f->npyargs + 1, sizeof(PyObject *));
	if (argv == NULL)
	{
		Py_DECREF(all);
		PyErr_NoMemory();
		return NULL;
	}
	for (int i = 0; i < f->npyargs; i++)
	{
		int			pos = f->argpos[i];

		argv[i] = Py_NewRef(pos < 0 ? all : PyList_GET_ITEM(all, pos));
	}
	Py_DECREF(all);
	*n = f->npyargs;
	return argv;
}

/*
 * After pls_encode failed: its error as a PlsWireError (strings in e, or
 * in *f for a Python exception, until both are freed).
 */
void
pls_worker_encoder_error(PLSEncoder *e, const PLSFuncInfo *fn,
						 PlsWireError *we, PLSErrorFields *f)
{
	if (e->pyexc)
	{
		pls_worker_exception_error(fn, false, we, f);
		return;
	}
	pls_watchdog_call_end();
	memset(f, 0, sizeof(*f));
	memset(we, 0, sizeof(*we));
	we->sqlerrcode = e->sqlerrcode;
	we->message = e->message ? e->message : "could not convert Python object";
	we->detail = e->detail;
	we->hint = e->hint;
	we->context = e->has_tb ? "Traceback (most recent call last):" : NULL;
	we->origin = PLS_ERR_PLPY;
}

/*
 * RETURN the function's result res (a reference this takes), encoded for
 * the call's result shape.  The buffer is filled only after encoding: code
 * run by it may have made nested calls, which answered through it.
 */
static void
return_result(const PlsWireCall *call, PyObject *res, WorkerFn *f)
{
	PLSEncoder	e;
	PLSValue	v;

	if (call->result == NULL || res == Py_None)
	{
		/* void: only whether it returned None */
		pls_wire_buf_reset(&outbuf);
		pls_wire_put_u8(&outbuf, res == Py_None ? 0 : 1);
		if (res != Py_None)
		{
			v.kind = PLS_V_NULL;
			pls_wire_put_value(&outbuf, &v);
		}
		Py_DECREF(res);
		pls_watchdog_call_end();
		pls_worker_send(PLS_MSG_RETURN, &outbuf);
		return;
	}
	pls_encoder_init(&e);
	e.root = res;
	if (!pls_encode(&e, call->result, res, &v))
	{
		PLSErrorFields ef;
		PlsWireError we;

		pls_worker_encoder_error(&e, &f->info, &we, &ef);
		if (we.origin != PLS_ERR_INTERRUPT && we.origin != PLS_ERR_FATAL)
			we.origin = PLS_ERR_RESULT;
		pls_wire_buf_reset(&outbuf);
		pls_wire_put_error(&outbuf, &we);
		pls_error_fields_free(&ef);
		pls_encoder_free(&e);
		Py_DECREF(res);
		pls_worker_send(PLS_MSG_RAISE, &outbuf);
		return;
	}
	pls_wire_buf_reset(&outbuf);
	pls_wire_put_u8(&outbuf, 1);
	pls_wire_put_value(&outbuf, &v);
	pls_encoder_free(&e);
	Py_DECREF(res);
	pls_watchdog_call_end();
	pls_worker_send(PLS_MSG_RETURN, &outbuf);
}

static void
serve_call(const PlsWireCall *call)
{
	WorkerFn	nf;
	WorkerFn   *f;
	PyObject   *stack[PLS_STACK_ARGS];
	PyObject  **argv;
	Py_ssize_t	n = 0;
	PyObject   *res = NULL;
	PyObject   *td = NULL;
	const char *save_name;

	pls_worker_send_warnings();
	pls_watchdog_call_begin();
	if (call->flags & PLS_CALL_SOURCE)
	{
		if (!compile_call(call, &nf))
		{
			if (PyErr_Occurred())
				raise_exception(&nf.info);
			drop_fn(&nf);
			pls_worker_function_name = NULL;
			return;
		}
		if (call->flags & PLS_CALL_COMPILE_ONLY)
		{
			pls_watchdog_call_end();
			drop_fn(&nf);
			pls_worker_function_name = NULL;
			pls_wire_buf_reset(&outbuf);
			pls_wire_put_u8(&outbuf, 0);
			pls_worker_send(PLS_MSG_RETURN, &outbuf);
			return;
		}
		if (call->flags & PLS_CALL_DO)
		{
			f = malloc(sizeof(WorkerFn));
			if (f != NULL)
				*f = nf;
		}
		else
			f = keep_fn(&nf);
		if (f == NULL)
		{
			drop_fn(&nf);
			PyErr_NoMemory();
			raise_exception(NULL);
			return;
		}
	}
	else if ((f = find_fn(call->fn_oid)) == NULL || f->gen != call->fn_gen)
		pls_worker_exit(3);	/* the backend sends the source when needed */

	f->running++;
	save_name = pls_worker_function_name;
	pls_worker_function_name = f->info.name;
	argv = make_args(f, call, stack, &n);
	if (argv != NULL)
	{
		res = PyObject_Vectorcall(f->c.func, argv, n, NULL);
		/* a trigger's TD is read after the call: MODIFY */
		if (call->flags & PLS_CALL_TRIGGER)
			td = n == 1 ? Py_NewRef(argv[0]) : NULL;
		/* releasing the arguments may run code (a finally): in the call */
		for (Py_ssize_t i = 0; i < n; i++)
			Py_DECREF(argv[i]);
		if (argv != stack)
			PyMem_Free(argv);
	}

	/*
	 * Converting the result may run its code: still interruptible.  Each
	 * answer releases res (and td) before it is sent, as what they let go
	 * of may run code that makes requests.
	 */
	if (res == NULL)
	{
		Py_XDECREF(td);
		raise_exception(&f->info);
	}
	else if (call->flags & PLS_CALL_SETOF)
		pls_worker_srf_begin(call, res, &f->info);
	else if (call->flags & PLS_CALL_TRIGGER)
		pls_worker_trigger_end(call, res, td, &f->info);
	else
		return_result(call, res, f);
	pls_watchdog_call_end();
	pls_worker_function_name = save_name;
	if (--f->running == 0 && (f->retired || (call->flags & PLS_CALL_DO)))
		free_fn(f);
}

/* ---------- entry points ---------- */

/*
 * A CALL whose PLS_CALL_UNSANDBOXED flag is not this worker's mode: a
 * production worker never runs unsandboxed code, and an unsandboxed one
 * nothing else.
 */
static void
refuse_call_mode(void)
{
	PlsWireError we;

	memset(&we, 0, sizeof(we));
	we.sqlerrcode = PLS_MAKE_SQLSTATE('4', '2', '5', '0', '1');
	we.message = unsandboxed ?
		"this plsafepy worker runs only unsandboxed calls" :
		"this plsafepy worker has no unsandboxed mode";
	we.origin = PLS_ERR_PYTHON;
	pls_worker_raise(&we);
}

static void worker_call(const void *data, size_t len);
static void worker_whitelist(size_t len);

/*
 * A message that runs the role's code: CALL, or FETCH or CLOSE of an open
 * set (srf.c), at the top or nested in a request; and WHITELIST, which
 * runs the sandbox's own.  It counts as a call for the SPI hooks
 * (pls_worker_epoch, pls_worker_call_depth) as the CALL does, except CLOSE
 * and WHITELIST: releasing an iterator runs no call (exec.c's
 * srf_release), so plpy's SPI refuses there as in inline mode.
 */
void
pls_worker_dispatch(uint32_t tag, const void *data, size_t len)
{
	size_t		mark = pls_worker_arena_mark();
	const char *save_fname = pls_worker_function_name;
	int			depth = tag == PLS_MSG_CALL || tag == PLS_MSG_FETCH ? 1 : 0;

	pls_worker_epoch++;
	pls_worker_call_depth += depth;
	if (tag == PLS_MSG_CALL)
		worker_call(data, len);
	else if (tag == PLS_MSG_FETCH)
		pls_worker_fetch(data, len);
	else if (tag == PLS_MSG_WHITELIST)
		worker_whitelist(len);
	else
		pls_worker_close(data, len);
	pls_worker_call_depth -= depth;
	pls_worker_epoch++;
	pls_worker_function_name = save_fname;
	pls_worker_arena_release(mark);
}

/* One CALL message: run it, answered with RETURN or RAISE. */
static void
worker_call(const void *data, size_t len)
{
	PlsWireReader r;
	PlsWireCall call;

	pls_wire_reader_init(&r, data, len, &pls_worker_arena_mem);
	if (!pls_wire_get_call(&r, &call) || !pls_wire_done(&r))
		_exit(3);
	if (((call.flags & PLS_CALL_UNSANDBOXED) != 0) != unsandboxed)
	{
		refuse_call_mode();
		return;
	}
	pls_worker_budget_call(call.memory_limit_kb);
	serve_call(&call);
}

/*
 * WHITELIST: the rows of the view (wire.h) from the sandbox's describe,
 * as inline mode's; first the warnings of the interpreter's build that no
 * call has sent yet, which inline mode gives when the view builds the
 * interpreter.
 */
static void
worker_whitelist(size_t len)
{
	PyObject   *list;

	if (len != 0)
		pls_worker_exit(3);
	pls_worker_send_warnings();
	if (unsandboxed)
	{
		refuse_call_mode();
		return;
	}
	pls_watchdog_call_begin();
	list = pls_sandbox_describe(&interp);
	pls_wire_buf_reset(&outbuf);
	pls_wire_put_u32(&outbuf, list ? (uint32_t) PyList_GET_SIZE(list) : 0);
	for (Py_ssize_t i = 0; list != NULL && i < PyList_GET_SIZE(list); i++)
	{
		PyObject   *t = PyList_GET_ITEM(list, i);
		const char *s[3];		/* module, name, kind */
		int			j;
		uint8_t		k = 0;

		for (j = 0; j < 3; j++)
			if ((s[j] = PyUnicode_AsUTF8(PyTuple_GET_ITEM(t, j))) == NULL)
				break;
		while (j == 3 && k < PLS_WL_END &&
			   strcmp(s[2], pls_wire_wl_kinds[k]) != 0)
			k++;
		if (j == 3 && k == PLS_WL_END)
			PyErr_Format(PyExc_ValueError,
						 "unknown kind \"%s\" in the whitelist", s[2]);
		if (j < 3 || k == PLS_WL_END)
			Py_CLEAR(list);
		else
			pls_wire_put_wl_row(&outbuf, s[0], s[1], k);
	}
	if (list == NULL)
	{
		raise_exception(NULL);
		return;
	}
	Py_DECREF(list);
	pls_watchdog_call_end();
	pls_worker_send(PLS_MSG_RETURN, &outbuf);
}

/*
 * INIT, before lock-down: build the role's interpreter.  0, or -1 with the
 * reason in err.
 */
int
pls_worker_take_init(PlsChan *c, char *err, size_t errlen)
{
	uint32_t	tag;
	PlsWireReader r;
	PlsWireInit init;
	PlsWireRecv initrecv;

	chan = c;
	pls_worker_requests_start(c);
	pls_wire_buf_init(&outbuf, &pls_worker_raw_mem);
	pls_wire_recv_init(&initrecv, &pls_worker_raw_mem);
	if (pls_wire_recv(chan, &initrecv, &tag, 1024 * 1024, 10000) != PLS_CHAN_OK ||
		tag != PLS_MSG_INIT)
	{
		snprintf(err, errlen, "no INIT from the backend");
		return -1;
	}
	pls_wire_reader_init(&r, initrecv.buf.data, initrecv.buf.len,
						 &pls_worker_arena_mem);
	if (!pls_wire_get_init(&r, &init) || !pls_wire_done(&r) ||
		init.role == NULL || init.allowed_modules == NULL)
	{
		snprintf(err, errlen, "malformed INIT");
		return -1;
	}
	/* the record's strings are copies in the arena */
	pls_wire_recv_free(&initrecv);
	pls_worker_interrupt_word = &chan->shm->interrupt_seq;
	if (init.flags & ~PLS_INIT_TESTING_UNSANDBOXED)
	{
		snprintf(err, errlen, "unknown INIT flags 0x%x", init.flags);
		return -1;
	}
	if (init.flags & PLS_INIT_TESTING_UNSANDBOXED)
	{
#ifdef PLS_WORKER_TESTING
		/* full Python (EXEC, unsandboxed CALLs), no restricted interpreter */
		pls_worker_arena_release(0);
		if (pls_testing_prepare() != 0)
		{
			char		text[200];

			pls_worker_exception_text(text, sizeof(text));
			snprintf(err, errlen, "could not prepare full Python: %s", text);
			return -1;
		}
		unsandboxed = true;
		pls_worker_budget_init(init.memory_limit_kb);
		return 0;
#else
		snprintf(err, errlen, "this worker has no unsandboxed mode");
		return -1;
#endif
	}
	if (pls_worker_build_interp(&interp, init.role, init.allowed_modules,
								init.recursion_limit) < 0)
	{
		char		text[200];

		pls_worker_exception_text(text, sizeof(text));
		snprintf(err, errlen, "could not build the interpreter: %s", text);
		return -1;
	}
	pls_worker_arena_release(0);
	pls_worker_budget_init(init.memory_limit_kb);
	return 0;
}
