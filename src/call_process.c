/*-------------------------------------------------------------------------
 *
 * call_process.c
 *	  The process transport of the door, backend side: a call of a
 *	  plsafepy function, procedure or DO block whose role runs in process
 *	  isolation is carried to the role's worker (worker_pool.c) as a CALL
 *	  record (wire.h), the worker's door requests are served here while it
 *	  runs, and its RETURN or RAISE ends the call.
 *
 *	  No Python runs in the backend on this path: arguments are encoded
 *	  from Datums (datum_value.c), the result is decoded into a Datum of
 *	  the result type (decode.c), and every byte the worker sent is read as
 *	  hostile input (wire.c's readers; a violation ends the worker).
 *	  Requests are served by pls_door_serve, so a PostgreSQL error inside
 *	  one is rolled back before it goes back to the worker, exactly as in
 *	  the inline transport.
 *
 *-------------------------------------------------------------------------
 */
#include "plpy_int.h"

#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "process.h"

/* ---------- errors ---------- */

/* The function a worker is serving, for the log of its faults. */
static const char *current_fname = NULL;

void
pls_process_broke(PLSWorker *w, const char *what)
{
	pls_process_broke_in(w, current_fname, what);
}

void
pls_process_broke_in(PLSWorker *w, const char *fname, const char *what)
{
	char	   *why = psprintf("a malformed %s", what);

	pls_pool_end(w, fname, why);
	ereport(ERROR,
			(errcode(ERRCODE_PROTOCOL_VIOLATION),
			 errmsg("plsafepy worker sent %s", why),
			 errdetail("The worker was ended; the next call starts a new one.")));
}

static char *
to_server(const char *utf8)
{
	return utf8 ? pls_utf8_to_server(utf8, strlen(utf8)) : NULL;
}

/*
 * The worker's RAISE as PostgreSQL's error: an interrupt that stopped the
 * code is PostgreSQL's own (the pending cancel or die is processed here),
 * anything else carries the fields the worker filled from the exception.
 */
void
pls_process_raise(const PlsWireError *e)
{
	int			code = e->sqlerrcode;

	if (e->origin == PLS_ERR_INTERRUPT)
	{
		/* a cancel that ended one of its requests, else the pending one */
		pls_process_spi_rethrow_interrupt();
		CHECK_FOR_INTERRUPTS();
		ereport(ERROR,
				(errcode(ERRCODE_QUERY_CANCELED),
				 errmsg("canceling statement due to user request")));
	}
	/* denials were logged when the worker reported them (PLS_OP_DENIAL) */
	if (code == 0)
		code = ERRCODE_EXTERNAL_ROUTINE_EXCEPTION;

	/*
	 * Inline mode compiles before the call's context line is pushed (the
	 * handler gets the procedure first); the worker compiles inside the
	 * call: the same error, without that line, but for a DO block's, which
	 * has it in both (procedure.c's report_compile_error).
	 */
	if (e->origin == PLS_ERR_COMPILE && error_context_stack != NULL &&
		error_context_stack->callback == pls_error_context &&
		((PLSProc *) error_context_stack->arg)->kind != PLS_INLINE)
		error_context_stack = error_context_stack->previous;
	ereport(e->origin == PLS_ERR_FATAL ? FATAL : ERROR,
			(errcode(code),
			 errmsg_internal("%s", e->message ? to_server(e->message) : "unknown error"),
			 e->detail ? errdetail_internal("%s", to_server(e->detail)) : 0,
			 e->hint ? errhint("%s", to_server(e->hint)) : 0,
			 e->query ? internalerrquery(to_server(e->query)) : 0,
			 e->position > 0 ? internalerrposition(e->position) : 0,
			 e->schema_name ? err_generic_string(PG_DIAG_SCHEMA_NAME, to_server(e->schema_name)) : 0,
			 e->table_name ? err_generic_string(PG_DIAG_TABLE_NAME, to_server(e->table_name)) : 0,
			 e->column_name ? err_generic_string(PG_DIAG_COLUMN_NAME, to_server(e->column_name)) : 0,
			 e->datatype_name ? err_generic_string(PG_DIAG_DATATYPE_NAME, to_server(e->datatype_name)) : 0,
			 e->constraint_name ? err_generic_string(PG_DIAG_CONSTRAINT_NAME, to_server(e->constraint_name)) : 0,
			 e->context ? errcontext("%s", to_server(e->context)) : 0));
	pg_unreachable();
}

/* ---------- requests of the worker ---------- */

/* The reply to a request: ok with its fields, or the rolled-back error. */
static void
reply(PlsWireBuf *out, bool ok, PLSDoorError *err)
{
	pls_wire_buf_reset(out);
	pls_wire_put_u8(out, ok ? 1 : 0);
	if (!ok)
		pls_process_put_error(out, err);
}

/* A report's fields from the worker, into a PLSReport pointing at them. */
static bool
report_from_wire(PLSReport *rep, int32_t level, const PlsWireError *we)
{
	const char *f[PLS_RF_N];

	if (level < PLS_REPORT_DEBUG || level > PLS_REPORT_FATAL)
		return false;
	memset(rep, 0, sizeof(*rep));
	rep->level = level;
	rep->sqlerrcode = we->sqlerrcode;
	f[PLS_RF_MESSAGE] = we->message;
	f[PLS_RF_DETAIL] = we->detail;
	f[PLS_RF_HINT] = we->hint;
	f[PLS_RF_SCHEMA] = we->schema_name;
	f[PLS_RF_TABLE] = we->table_name;
	f[PLS_RF_COLUMN] = we->column_name;
	f[PLS_RF_DATATYPE] = we->datatype_name;
	f[PLS_RF_CONSTRAINT] = we->constraint_name;
	for (int i = 0; i < PLS_RF_N; i++)
	{
		rep->fields[i] = f[i];
		rep->lens[i] = f[i] ? strlen(f[i]) : 0;
	}
	return true;
}

bool
pls_process_serve_report(PlsWireReader *r, PlsWireBuf *out)
{
	PLSReport	rep;
	PlsWireError we;
	int32_t		level;
	PLSDoorError err;
	bool		ok;

	if (!pls_wire_get_i32(r, &level) ||
		!pls_wire_get_error(r, &we) || !pls_wire_done(r) ||
		!report_from_wire(&rep, level, &we))
		return false;
	ok = pls_door_serve(pls_serve_report, &rep, PLS_DOOR_LOCAL, &err, NULL);
	reply(out, ok, &err);
	return true;
}

static void
serve_request(PLSWorker *w, PLSProc *proc, PlsWireReader *r, PlsWireBuf *out)
{
	uint8_t		op;
	PLSDoorError err;
	bool		ok;

	if (!pls_wire_get_u8(r, &op))
		pls_process_broke(w, "request");
	switch (op)
	{
		case PLS_OP_REPORT:
			if (!pls_process_serve_report(r, out))
				pls_process_broke(w, "report request");
			break;
		case PLS_OP_QUOTE:
			{
				PLSQuoteReq q;
				uint8_t		kind;
				const char *s;
				size_t		len;

				if (!pls_wire_get_u8(r, &kind) ||
					(kind != PLS_QUOTE_LITERAL && kind != PLS_QUOTE_IDENT) ||
					!pls_wire_get_bytes(r, &s, &len) || !pls_wire_done(r))
					pls_process_broke(w, "quote request");
				memset(&q, 0, sizeof(q));
				q.str = s;
				q.len = len;
				q.ident = kind == PLS_QUOTE_IDENT;
				ok = pls_door_serve(pls_serve_quote, &q, PLS_DOOR_LOCAL, &err,
									NULL);
				reply(out, ok, &err);
				if (ok)
					pls_wire_put_bytes(out, q.quoted, strlen(q.quoted));
				break;
			}
		case PLS_OP_ZONE_DATA:
			{
				const char *key;
				size_t		len;
				char	   *data;
				int			n;

				if (!pls_wire_get_bytes(r, &key, &len) || !pls_wire_done(r))
					pls_process_broke(w, "zone data request");
				data = palloc(PLS_ZONE_DATA_MAX);
				n = pls_zone_data_read(key, len, data);
				reply(out, true, NULL);
				pls_wire_put_u8(out, n >= 0);
				if (n >= 0)
					pls_wire_put_bytes(out, data, n);
				pfree(data);
				break;
			}
		case PLS_OP_DENIAL:
			{
				char	   *msg;

				if (!pls_wire_get_cstr(r, &msg) || msg == NULL ||
					!pls_wire_done(r))
					pls_process_broke(w, "denial report");
				pls_host_log_denial(to_server(msg), proc->name);
				reply(out, true, NULL);
				break;
			}
		default:
			if (!pls_process_spi_serve(w, op, r, out))
				pls_process_broke(w, "request");
	}
}

/* ---------- a call ---------- */

/*
 * The call's code is over: plpy.subtransaction()s it entered and did not
 * exit are rolled back with PL/Python's warning, before its result or
 * error is taken.
 */
static void
abort_open_subxacts(void)
{
	PLSExecCtx *ctx = pls_exec_ctx;

	if (ctx != NULL && ctx->nsubxacts > 0)
		pls_subxact_abort_entries(ctx, 0);
}

/*
 * Send out (a message of type tag: CALL, FETCH or CLOSE) and serve the
 * worker's requests until it ends the exchange: RETURN or ROWS, whose tag
 * is returned with the payload in rv; a RAISE is raised.  call is the
 * CALL sent, or NULL.  An error anywhere ends a worker left mid-call
 * (pls_pool_unwind).
 */
uint32
pls_process_run(PLSWorker *w, PLSProc *proc, uint32 tag, PlsWireBuf *out,
				PlsWireRecv *rv, const PlsWireCall *call)
{
	int			depth = pls_pool_depth(w);
	const char *volatile save_fname = current_fname;
	uint64		prev_call;

	/* sets abandoned by an error are closed while the worker is idle */
	if (depth == 0)
		pls_process_srf_flush(w);
	current_fname = proc->name;
	prev_call = pls_process_spi_call_begin();
	PG_TRY();
	{
		tag = pls_pool_exchange(w, tag, out, rv, proc->name);
		for (;;)
		{
			PlsWireReader r;

			pls_wire_reader_init(&r, rv->buf.data, rv->buf.len,
								 &pls_pool_wire_mem);
			if (tag == PLS_MSG_REQ)
			{
				serve_request(w, proc, &r, out);
				tag = pls_pool_exchange(w, PLS_MSG_REP, out, rv, proc->name);
				continue;
			}
			if (tag == PLS_MSG_RETURN || tag == PLS_MSG_ROWS)
			{
				if (call && (call->flags & PLS_CALL_SOURCE))
					pls_pool_learned(w, call->fn_oid, call->fn_gen);
				abort_open_subxacts();
				break;
			}
			if (tag == PLS_MSG_RAISE)
			{
				PlsWireError e;
				ErrorContextCallback result_cb;

				if (!pls_wire_get_error(&r, &e) || !pls_wire_done(&r))
					pls_process_broke(w, "error");
				/* a body that did not compile is not kept by the worker */
				if (call && (call->flags & PLS_CALL_SOURCE) &&
					e.origin != PLS_ERR_COMPILE)
					pls_pool_learned(w, call->fn_oid, call->fn_gen);
				abort_open_subxacts();
				/* the result did not convert: inline's context line */
				if (e.origin == PLS_ERR_RESULT)
					pls_result_context_push(proc, &result_cb);
				pls_process_raise(&e);
			}
			pls_process_broke(w, "message");
		}
	}
	PG_CATCH();
	{
		current_fname = save_fname;
		pls_process_spi_call_end(prev_call);
		pls_pool_unwind(w, depth);
		PG_RE_THROW();
	}
	PG_END_TRY();
	current_fname = save_fname;
	pls_process_spi_call_end(prev_call);
	return tag;
}

/*
 * The buffers of a call's messages.  The outermost call of the backend
 * keeps one set for the session (a trivial call would otherwise allocate
 * a frame of PLS_CHAN_MAX_PAYLOAD and two buffers, and free them, every
 * time); a call made while it holds them (a request whose SQL calls
 * plsafepy again, a type's input function run while its result is
 * decoded, the validator) gets its own in the call's memory context.  The
 * result a call returns points into its buffers, so they are held until
 * it is decoded.  Kept buffers a long message grew past
 * PLS_CALL_KEEP_BYTES are freed after it.
 */
typedef struct CallBufs
{
	PlsWireBuf	out;
	PlsWireRecv rv;
	bool		kept;
} CallBufs;

#define PLS_CALL_KEEP_BYTES (256 * 1024)

static CallBufs kept_bufs;
static bool kept_bufs_ready = false;
static bool kept_bufs_held = false;

static CallBufs *
call_bufs_own(CallBufs *own)
{
	pls_wire_buf_init(&own->out, &pls_pool_wire_mem);
	pls_wire_recv_init(&own->rv, &pls_pool_wire_mem);
	own->kept = false;
	return own;
}

/* For a call main.c's handler made (its context is pls_exec_ctx). */
static CallBufs *
call_bufs_take(CallBufs *own)
{
	/*
	 * The outermost plsafepy call (main.c pushed its context on an empty
	 * stack): nothing below it can hold the kept buffers, whatever an
	 * error left in kept_bufs_held.
	 */
	if (pls_exec_ctx != NULL && pls_exec_ctx->prev == NULL)
		kept_bufs_held = false;
	if (kept_bufs_held)
		return call_bufs_own(own);
	if (!kept_bufs_ready)
	{
		pls_wire_buf_init(&kept_bufs.out, &pls_pool_session_wire_mem);
		pls_wire_recv_init(&kept_bufs.rv, &pls_pool_session_wire_mem);
		kept_bufs.kept = true;
		kept_bufs_ready = true;
	}
	kept_bufs_held = true;
	/* an error may have left a message half sent or received */
	pls_wire_buf_reset(&kept_bufs.out);
	kept_bufs.rv.in_progress = false;
	return &kept_bufs;
}

static void
call_bufs_release(CallBufs *b)
{
	if (!b->kept)
		return;
	if (b->out.cap > PLS_CALL_KEEP_BYTES)
		pls_wire_buf_free(&b->out);
	if (b->rv.buf.cap > PLS_CALL_KEEP_BYTES)
		pls_wire_buf_free(&b->rv.buf);
	kept_bufs_held = false;
}

/*
 * Send the call and serve the worker until it ends it; the RETURN's value
 * in *value (false: no value, the function returned None), in the
 * caller's memory context, pointing into bufs.
 */
static bool
run_call(PLSWorker *w, PLSProc *proc, const PlsWireCall *call,
		 CallBufs *bufs, PLSValue *value)
{
	PlsWireBuf *out = &bufs->out;
	PlsWireRecv *rv = &bufs->rv;
	PlsWireReader r;
	uint8_t		p;

	pls_wire_put_call(out, call);
	if (pls_process_run(w, proc, PLS_MSG_CALL, out, rv, call) != PLS_MSG_RETURN)
		pls_process_broke(w, "result");
	pls_wire_reader_init(&r, rv->buf.data, rv->buf.len, &pls_pool_wire_mem);
	if (!pls_wire_get_u8(&r, &p) || p > 1 ||
		(p == 1 && !pls_wire_get_value(&r, value)) ||
		!pls_wire_done(&r))
		pls_process_broke(w, "result");
	return p == 1;
}

/* The worker of proc's role, started with the role's settings if needed. */
PLSWorker *
pls_process_worker(PLSProc *proc)
{
	return pls_process_role_worker(proc->key.roleid, proc->name);
}

PLSWorker *
pls_process_role_worker(Oid roleid, const char *fname)
{
	PLSWorker  *w = pls_pool_find(roleid);
	PlsWireInit init;
	char	   *allowed;
	int			memory_kb;
	const char *role;
	ErrorContextCallback *save_context;

	if (w != NULL)
		return w;
	/* error texts go to the worker in UTF-8 (errors.c) */
	pls_errors_prepare();

	/*
	 * An invalid stored setting is reported as inline mode reports it when
	 * it builds the interpreter, before the call's context line.
	 */
	save_context = error_context_stack;
	if (error_context_stack != NULL &&
		error_context_stack->callback == pls_error_context)
		error_context_stack = error_context_stack->previous;
	pls_settings_resolve(roleid, &allowed, &memory_kb);
	error_context_stack = save_context;
	role = GetUserNameFromId(roleid, false);
	memset(&init, 0, sizeof(init));
	init.role = pg_server_to_any(role, strlen(role), PG_UTF8);
	init.allowed_modules = allowed;
	init.recursion_limit = pls_host_recursion_limit();
	init.memory_limit_kb = memory_kb >= 0 ? memory_kb : pls_memory_limit_kb;
	w = pls_pool_get(roleid, &init, fname);
	pfree(allowed);
	return w;
}

/*
 * The shape with its column names in UTF-8, as the worker reads them: a
 * copy in a database of another encoding, the shape itself otherwise.
 */
const PLSShape *
pls_process_utf8_shape(const PLSShape *s)
{
	PLSShape   *copy;

	if (s == NULL || GetDatabaseEncoding() == PG_UTF8 ||
		GetDatabaseEncoding() == PG_SQL_ASCII)
		return s;
	copy = palloc(sizeof(PLSShape));
	*copy = *s;
	if (s->elem)
		copy->elem = pls_process_utf8_shape(s->elem);
	if (s->kind == PLS_S_ROW && s->rowknown && s->natts > 0)
	{
		const PLSShape **atts = palloc(sizeof(PLSShape *) * s->natts);
		const char **names = palloc(sizeof(char *) * s->natts);

		for (int i = 0; i < s->natts; i++)
		{
			atts[i] = pls_process_utf8_shape(s->atts[i]);
			names[i] = s->attnames[i] ?
				pg_server_to_any(s->attnames[i], strlen(s->attnames[i]), PG_UTF8) :
				NULL;
		}
		copy->atts = atts;
		copy->attnames = names;
	}
	return copy;
}

/* UTF-8 copy of a server-encoded string, for the worker. */
static const char *
utf8(const char *s)
{
	return pg_server_to_any(s, strlen(s), PG_UTF8);
}

/*
 * The CALL of proc, with its source if the worker lacks this version, but
 * no arguments yet (pls_process_args).
 */
void
pls_process_fill_call(PLSWorker *w, PLSProc *proc, PlsWireCall *call)
{
	memset(call, 0, sizeof(*call));
	call->fn_oid = proc->key.fn_oid;
	call->fn_gen = proc->generation;
	call->memory_limit_kb = pls_memory_call_kb(proc->key.roleid);
	if (proc->kind == PLS_INLINE)
		call->flags |= PLS_CALL_DO;
	else if (proc->kind == PLS_PROCEDURE)
		call->flags |= PLS_CALL_PROCEDURE;
	else if (proc->kind == PLS_TRIGGER)
		call->flags |= PLS_CALL_TRIGGER;
#ifdef PLSAFEPY_TESTING
	if (pls_pool_unsandboxed(w))
		call->flags |= PLS_CALL_UNSANDBOXED;
#endif
	if (proc->kind == PLS_INLINE ||
		!pls_pool_knows(w, call->fn_oid, call->fn_gen))
	{
		const char **names = palloc0(sizeof(char *) * Max(proc->nargs, 1));

		call->flags |= PLS_CALL_SOURCE;
		call->name = utf8(proc->name);
		call->defname = utf8(proc->defname);
		call->source = utf8(proc->source);
		for (int i = 0; i < proc->npyargs; i++)
		{
			if (proc->argpos[i] >= 0)
				names[proc->argpos[i]] = utf8(proc->argnames[i]);
		}
		call->nargnames = proc->nargs;
		if (proc->kind == PLS_TRIGGER)
		{
			/* its one parameter, TD (procedure.c) */
			names[0] = utf8(proc->argnames[0]);
			call->nargnames = 1;
		}
		call->argnames = names;
	}
}

/* The call's arguments, from fcinfo's Datums. */
void
pls_process_args(PLSProc *proc, FunctionCallInfo fcinfo, PlsWireCall *call)
{
	PLSValue   *args = palloc(sizeof(PLSValue) * Max(proc->nargs, 1));

	for (int i = 0; i < proc->nargs; i++)
		pls_datum_to_value(&proc->argtypes[i], fcinfo->args[i].value,
						   fcinfo->args[i].isnull, &args[i]);
	call->nargs = proc->nargs;
	call->args = args;
}

Datum
pls_process_function(PLSProc *proc, FunctionCallInfo fcinfo)
{
	PLSWorker  *w;
	PlsWireCall call;
	PLSValue	value;
	Datum		result = (Datum) 0;
	bool		present;
	ErrorContextCallback errcb;
	CallBufs	own;
	CallBufs   *bufs;
	TupleDesc	desc = NULL;

	if (proc->is_setof)
		return pls_process_srf(proc, fcinfo);

	w = pls_process_worker(proc);
	pls_process_fill_call(w, proc, &call);
	pls_process_args(proc, fcinfo, &call);
	if (proc->result.typoid != VOIDOID)
	{
		if (proc->is_record)
		{
			desc = pls_result_record_desc(fcinfo);
			pls_type_set_tupdesc(&proc->result, desc);
		}
		call.result = pls_process_utf8_shape(pls_type_shape(&proc->result));
	}

	bufs = call_bufs_take(&own);
	present = run_call(w, proc, &call, bufs, &value);

	/* a nested call of the same function may have set another row type */
	if (desc != NULL)
		pls_type_set_tupdesc(&proc->result, desc);

	pls_result_context_push(proc, &errcb);
	fcinfo->isnull = false;
	if (proc->result.typoid == VOIDOID)
		fcinfo->isnull = pls_result_void(proc, !present);
	else
	{
		/* None too: a domain's NOT NULL and CHECK see it */
		if (!present)
			value.kind = PLS_V_NULL;
		result = pls_decode(&proc->result, &value, &fcinfo->isnull);
	}
	pls_result_context_pop(&errcb);
	call_bufs_release(bufs);
	pls_exec_spi_finish(pls_exec_ctx, CurrentMemoryContext);
	/* a cancel that reached the worker too late is this statement's */
	CHECK_FOR_INTERRUPTS();
	return result;
}

/*
 * A call with neither arguments nor result: a DO block, or the validator's
 * compile-only call (CREATE FUNCTION compiles in the creating role's
 * worker, so syntax and policy errors come then, as inline).
 */
static void
call_bare(PLSProc *proc, uint32 flags)
{
	PLSWorker  *w = pls_process_worker(proc);
	PlsWireCall call;
	PLSValue	value;
	CallBufs	own;
	CallBufs   *bufs;

	pls_process_fill_call(w, proc, &call);
	call.flags |= flags;
	/* the validator runs outside main.c's calls, maybe inside a request */
	bufs = (flags & PLS_CALL_COMPILE_ONLY) ? call_bufs_own(&own) :
		call_bufs_take(&own);
	(void) run_call(w, proc, &call, bufs, &value);
	call_bufs_release(bufs);
}

void
pls_process_inline(PLSProc *proc)
{
	call_bare(proc, 0);
	pls_exec_spi_finish(pls_exec_ctx, CurrentMemoryContext);
	/* a cancel that reached the worker too late is this statement's */
	CHECK_FOR_INTERRUPTS();
}

void
pls_process_validate(PLSProc *proc)
{
	call_bare(proc, PLS_CALL_SOURCE | PLS_CALL_COMPILE_ONLY);
}
