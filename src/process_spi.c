/*-------------------------------------------------------------------------
 *
 * process_spi.c
 *	  The process transport of plpy's SPI, backend side: the worker's SPI
 *	  requests (wire.h's PLS_OP_EXECUTE ... PLS_OP_END_XACT) decoded as
 *	  hostile input and served by the same code as inline mode's hooks
 *	  (the spi_*_serve.c files) through pls_door_serve, so a PostgreSQL
 *	  error is rolled back before it goes back; rows go back as door values
 *	  (datum_value.c, process_spi_rows.c) with their columns, in the
 *	  request's reply.
 *
 *	  Handles cross as u64 tokens issued here: a slot number and a
 *	  generation, checked on every use against the worker it was issued
 *	  to.  Plans and cursors belong to the worker (its Python objects may
 *	  live in SD or GD, as in inline mode) until it releases them or ends;
 *	  a cursor whose portal is gone (its transaction ended) is invalid, as
 *	  inline.  A subtransaction's token is its entry's serial, which
 *	  spi_subxact_serve.c checks against the call's innermost one.
 *
 *	  A cancel that ends a request is kept here and the worker's Python
 *	  stopped with the pool's interrupt word; when the worker answers with
 *	  its interrupt, the kept error is raised (as limits.c does inline).
 *
 *-------------------------------------------------------------------------
 */
#include "plpy_int.h"

#include "access/htup_details.h"
#include "utils/memutils.h"

#include "wire.h"
#include "process_spi_rows.h"
#include "worker_pool.h"

/* ---------- handles ---------- */

typedef enum HandleKind
{
	H_FREE,
	H_PLAN,
	H_CURSOR
} HandleKind;

typedef struct Handle
{
	uint8		kind;
	uint32		gen;
	PLSWorker  *w;
	void	   *ptr;
} Handle;

static Handle *handles = NULL;
static uint32 nhandles = 0;
static uint32 handle_gen = 0;

/* A cancel that ended a worker's request (hold_interrupt). */
static ErrorData *held_interrupt = NULL;
static MemoryContext held_cxt = NULL;

/* The call a worker is serving now (0: none), for cursors. */
static uint64 current_call = 0;
static uint64 call_serial = 0;

static uint64
handle_issue(HandleKind kind, PLSWorker *w, void *ptr)
{
	uint32		i;

	for (i = 0; i < nhandles; i++)
		if (handles[i].kind == H_FREE)
			break;
	if (i == nhandles)
	{
		uint32		n = nhandles ? nhandles * 2 : 16;

		if (handles == NULL)
			handles = MemoryContextAllocZero(TopMemoryContext, sizeof(Handle) * n);
		else
		{
			handles = repalloc(handles, sizeof(Handle) * n);
			memset(&handles[nhandles], 0, sizeof(Handle) * (n - nhandles));
		}
		nhandles = n;
	}
	if (++handle_gen == 0)
		handle_gen = 1;
	handles[i].kind = kind;
	handles[i].gen = handle_gen;
	handles[i].w = w;
	handles[i].ptr = ptr;
	return ((uint64) handle_gen << 32) | (uint64) (i + 1);
}

/* The live handle of token, of kind, issued to w. */
static Handle *
handle_find(uint64 token, HandleKind kind, PLSWorker *w)
{
	uint64		slot = token & 0xFFFFFFFF;
	Handle	   *h;

	if (slot == 0 || slot > nhandles)
		return NULL;
	h = &handles[slot - 1];
	if (h->kind != kind || h->gen != (uint32) (token >> 32) || h->w != w)
		return NULL;
	return h;
}

static void
handle_drop(Handle *h)
{
	memset(h, 0, sizeof(*h));
}

/* The worker ended: its plans and cursors go (no request: none may run). */
void
pls_process_spi_forget(PLSWorker *w)
{
	for (uint32 i = 0; i < nhandles; i++)
	{
		Handle	   *h = &handles[i];

		if (h->kind == H_FREE || h->w != w)
			continue;
		if (h->kind == H_PLAN)
			pls_plan_free(NULL, (PLSHostPlan *) h->ptr);
		else
			pls_cursor_free((PLSHostCursor *) h->ptr);
		handle_drop(h);
	}
}

uint64
pls_process_spi_call_begin(void)
{
	uint64		prev = current_call;

	/* a kept cancel belongs to the statement that was interrupted */
	if (prev == 0)
		held_interrupt = NULL;
	current_call = ++call_serial;
	return prev;
}

/* The call is over (returned, raised, or ended by an error). */
void
pls_process_spi_call_end(uint64 prev)
{
	current_call = prev;
}

/* ---------- a kept interrupt ---------- */

/* A cancel ended the request: keep it, stop the worker's Python. */
static void
hold_interrupt(PLSWorker *w, const PLSDoorError *err)
{
	if (held_interrupt == NULL)
	{
		const ErrorData *src = (const ErrorData *) err->owner;
		MemoryContext old;
		ErrorData  *e;

		if (held_cxt == NULL)
			held_cxt = AllocSetContextCreate(TopMemoryContext,
											 "plsafepy held worker interrupt",
											 ALLOCSET_SMALL_SIZES);
		else
			MemoryContextReset(held_cxt);
		old = MemoryContextSwitchTo(held_cxt);
		e = palloc0(sizeof(ErrorData));
		e->elevel = ERROR;
		e->output_to_server = src->output_to_server;
		e->output_to_client = src->output_to_client;
		e->filename = src->filename;
		e->lineno = src->lineno;
		e->funcname = src->funcname;
		e->domain = src->domain;
		e->context_domain = src->context_domain;
		e->sqlerrcode = src->sqlerrcode;
		e->message_id = src->message_id;
		e->message = pstrdup(src->message ? src->message : "");
		e->detail = src->detail ? pstrdup(src->detail) : NULL;
		e->hint = src->hint ? pstrdup(src->hint) : NULL;
		e->saved_errno = src->saved_errno;
		MemoryContextSwitchTo(old);
		held_interrupt = e;
	}
	pls_pool_interrupt(w);
}

/* The worker stopped for an interrupt: raise the kept cancel, if any. */
void
pls_process_spi_rethrow_interrupt(void)
{
	ErrorData  *e = held_interrupt;

	if (e == NULL)
		return;
	held_interrupt = NULL;
	ReThrowError(e);
}

/* ---------- replies ---------- */

/* The rolled-back error of a request, as its reply (err is freed). */
void
pls_process_put_error(PlsWireBuf *out, PLSDoorError *err)
{
	PLSErrorFields f;
	PlsWireError we;

	memset(&we, 0, sizeof(we));
	we.origin = PLS_ERR_PLPY;
	we.sqlerrcode = err->sqlerrcode;
	if (pls_error_fields_from_door(err, &f))
	{
		we.message = f.message;
		we.detail = f.detail;
		we.hint = f.hint;
		we.schema_name = f.schema_name;
		we.table_name = f.table_name;
		we.column_name = f.column_name;
		we.datatype_name = f.datatype_name;
		we.constraint_name = f.constraint_name;
		we.query = f.query;
		we.position = f.position > 0 ? f.position : 0;
	}
	else
	{
		memset(&f, 0, sizeof(f));
		we.sqlerrcode = ERRCODE_OUT_OF_MEMORY;
		we.message = "out of memory";
	}
	pls_wire_put_error(out, &we);
	pls_error_fields_free(&f);
	pls_door_error_free(err);
}

static void
reply_ok(PlsWireBuf *out)
{
	pls_wire_buf_reset(out);
	pls_wire_put_u8(out, 1);
}

static void
reply_error(PLSWorker *w, PlsWireBuf *out, PLSDoorError *err)
{
	if (ERRCODE_TO_CATEGORY(err->sqlerrcode) == ERRCODE_OPERATOR_INTERVENTION &&
		err->owner != NULL)
		hold_interrupt(w, err);
	pls_wire_buf_reset(out);
	pls_wire_put_u8(out, 0);
	pls_process_put_error(out, err);
}

/* A request naming what was never issued to it: an error of the request. */
static void
serve_refusal(void *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROTOCOL_VIOLATION),
			 errmsg("plsafepy worker used an unknown %s", (const char *) what)));
}

static void
refuse(PLSWorker *w, PlsWireBuf *out, const char *what)
{
	PLSDoorError err;

	(void) pls_door_serve(serve_refusal, (void *) what, PLS_DOOR_LOCAL, &err,
						  NULL);
	reply_error(w, out, &err);
}

/* ---------- statements ---------- */

/* The statement's plan, checked; false: refused (reply written). */
static bool
stmt_resolve(PLSWorker *w, const PlsWireStmt *ws, PLSSpiStmt *st,
			 PlsWireBuf *out)
{
	memset(st, 0, sizeof(*st));
	if (ws->plan == 0)
	{
		st->query = ws->query;
		st->querylen = ws->querylen;
		return true;
	}
	else
	{
		Handle	   *h = handle_find(ws->plan, H_PLAN, w);

		if (h == NULL || ((PLSHostPlan *) h->ptr)->nargs != (int) ws->nargs)
		{
			refuse(w, out, "plan");
			return false;
		}
		st->plan = (PLSHostPlan *) h->ptr;
		st->args = ws->args;
		return true;
	}
}

typedef struct ProcessExecute
{
	PLSExecuteReq req;
	PLSValueRows *vr;
} ProcessExecute;

static DestReceiver *
process_dest(PLSExecuteReq *req)
{
	ProcessExecute *pe = (ProcessExecute *) req;

	pe->vr = pls_rows_new();
	return (DestReceiver *) pe->vr;
}

static void
op_execute(PLSWorker *w, PlsWireReader *r, PlsWireBuf *out, bool *bad)
{
	PlsWireStmt ws;
	int64_t		limit;
	uint64_t	have;
	ProcessExecute pe;
	PLSDoorError err;
	int			status;
	bool		with_rows;

	if (!pls_wire_get_stmt(r, &ws) || !pls_wire_get_i64(r, &limit) ||
		!pls_wire_get_u64(r, &have) ||
		!pls_wire_done(r) || limit < LONG_MIN || limit > LONG_MAX)
	{
		*bad = true;
		return;
	}
	memset(&pe, 0, sizeof(pe));
	if (!stmt_resolve(w, &ws, &pe.req.st, out))
		return;
	pe.req.limit = (long) limit;
	pe.req.dest = process_dest;
	if (!pls_execute(pls_door_serve, &pe.req, &err))
	{
		reply_error(w, out, &err);
		return;
	}
	status = pe.req.status;
	reply_ok(out);
	pls_wire_put_i32(out, status);
	if (status < 0)
	{
		pls_wire_put_cstr(out, SPI_result_code_string(status));
		return;
	}
	with_rows = status > 0 && pe.vr != NULL && pe.vr->vc != NULL &&
		pls_spi_status_has_rows(status);
	/* SPI counts a utility command's rows only in its tuple table */
	pls_wire_put_u64(out, with_rows && status == SPI_OK_UTILITY ?
					 pe.vr->n : pe.req.processed);
	pls_wire_put_u8(out, with_rows ? 1 : 0);
	if (with_rows)
		pls_rows_put(out, pe.vr, have);
}

/* ---------- plans ---------- */

static void
put_shapes(PlsWireBuf *out, PLSHostPlan *plan)
{
	pls_wire_put_u32(out, (uint32) plan->nargs);
	pls_wire_put_u8(out, plan->args_have_rows ? 1 : 0);
	for (int i = 0; i < plan->nargs; i++)
		pls_wire_put_shape(out, plan->shapes[i]);
}

static void
op_prepare(PLSWorker *w, PlsWireReader *r, PlsWireBuf *out, bool *bad)
{
	char	   *query;
	uint32_t	nargs;
	char	  **names;
	size_t	   *lens;
	PLSHostPlan *plan;
	PLSDoorError err;

	if (!pls_wire_get_cstr(r, &query) || query == NULL ||
		!pls_wire_get_u32(r, &nargs) || nargs > r->left / 4)
	{
		*bad = true;
		return;
	}
	names = palloc0(sizeof(char *) * (nargs + 1));
	lens = palloc0(sizeof(size_t) * (nargs + 1));
	for (uint32 i = 0; i < nargs; i++)
	{
		if (!pls_wire_get_cstr(r, &names[i]))
		{
			*bad = true;
			return;
		}
		lens[i] = names[i] ? strlen(names[i]) : 0;
	}
	if (!pls_wire_done(r))
	{
		*bad = true;
		return;
	}
	plan = pls_plan_prepare(pls_door_serve, query, strlen(query), (int) nargs,
							(const char *const *) names, lens, &err);
	if (plan == NULL)
	{
		reply_error(w, out, &err);
		return;
	}
	reply_ok(out);
	pls_wire_put_u64(out, handle_issue(H_PLAN, w, plan));
	put_shapes(out, plan);
}

static void
op_plan_shapes(PLSWorker *w, PlsWireReader *r, PlsWireBuf *out, bool *bad)
{
	uint64_t	token;
	Handle	   *h;
	PLSDoorError err;

	if (!pls_wire_get_u64(r, &token) || !pls_wire_done(r))
	{
		*bad = true;
		return;
	}
	if ((h = handle_find(token, H_PLAN, w)) == NULL)
	{
		refuse(w, out, "plan");
		return;
	}
	if (!pls_plan_resolve(pls_door_serve, (PLSHostPlan *) h->ptr, &err))
	{
		reply_error(w, out, &err);
		return;
	}
	reply_ok(out);
	put_shapes(out, (PLSHostPlan *) h->ptr);
}

/* Plans and cursors the worker's objects let go of. */
static void
op_release(PLSWorker *w, PlsWireReader *r, PlsWireBuf *out, bool *bad)
{
	uint32_t	n;
	bool		unknown = false;

	if (!pls_wire_get_u32(r, &n) || n > r->left / 9)
	{
		*bad = true;
		return;
	}
	for (uint32 i = 0; i < n; i++)
	{
		uint8_t		kind;
		uint64_t	token;
		Handle	   *h;

		if (!pls_wire_get_u8(r, &kind) || !pls_wire_get_u64(r, &token) ||
			(kind != PLS_RELEASE_PLAN && kind != PLS_RELEASE_CURSOR))
		{
			*bad = true;
			return;
		}
		if (kind == PLS_RELEASE_PLAN)
		{
			if ((h = handle_find(token, H_PLAN, w)) == NULL)
			{
				unknown = true;
				continue;
			}
			pls_plan_free(pls_door_serve, (PLSHostPlan *) h->ptr);
		}
		else
		{
			if ((h = handle_find(token, H_CURSOR, w)) == NULL)
			{
				unknown = true;
				continue;
			}
			pls_cursor_close(pls_door_serve, (PLSHostCursor *) h->ptr);
			pls_cursor_free((PLSHostCursor *) h->ptr);
		}
		handle_drop(h);
	}
	if (!pls_wire_done(r))
	{
		*bad = true;
		return;
	}
	if (unknown)
		refuse(w, out, "plan or cursor");
	else
		reply_ok(out);
}

/* ---------- cursors ---------- */

static void
op_cursor_open(PLSWorker *w, PlsWireReader *r, PlsWireBuf *out, bool *bad)
{
	PlsWireStmt ws;
	PLSSpiStmt	st;
	PLSHostCursor *cur;
	PLSDoorError err;

	if (!pls_wire_get_stmt(r, &ws) || !pls_wire_done(r))
	{
		*bad = true;
		return;
	}
	if (!stmt_resolve(w, &ws, &st, out))
		return;
	cur = pls_cursor_open(pls_door_serve, &st, &err);
	if (cur == NULL)
	{
		reply_error(w, out, &err);
		return;
	}
	reply_ok(out);
	pls_wire_put_u64(out, handle_issue(H_CURSOR, w, cur));
}

/* The collected rows of a fetch as values, in a request of their own. */
typedef struct ValuesReq
{
	PLSFetchReq *fetch;
	PLSValueRows *vr;				/* reply */
} ValuesReq;

static void
serve_fetch_values(void *arg)
{
	ValuesReq  *req = (ValuesReq *) arg;
	RowCollector *coll = req->fetch->coll;
	PLSValueRows *vr = pls_rows_new();
	Datum	   *values;
	bool	   *nulls;

	if (coll->desc == NULL)
		return;
	pls_rows_columns(vr, coll->desc);
	values = MemoryContextAlloc(vr->mcxt, sizeof(Datum) * (coll->desc->natts + 1));
	nulls = MemoryContextAlloc(vr->mcxt, sizeof(bool) * (coll->desc->natts + 1));
	for (uint64 i = 0; i < coll->n; i++)
	{
		heap_deform_tuple(coll->tuples[i], coll->desc, values, nulls);
		pls_rows_add(vr, values, nulls);
	}
	req->vr = vr;
}

static void
op_cursor_fetch(PLSWorker *w, PlsWireReader *r, PlsWireBuf *out, bool *bad)
{
	uint64_t	token;
	int64_t		count;
	uint64_t	have;
	Handle	   *h;
	PLSFetchReq freq;
	PLSDoorError err;
	bool		fetched;

	if (!pls_wire_get_u64(r, &token) || !pls_wire_get_i64(r, &count) ||
		!pls_wire_get_u64(r, &have) ||
		!pls_wire_done(r) || count < LONG_MIN || count > LONG_MAX)
	{
		*bad = true;
		return;
	}
	if ((h = handle_find(token, H_CURSOR, w)) == NULL)
	{
		refuse(w, out, "cursor");
		return;
	}
	memset(&freq, 0, sizeof(freq));
	freq.cur = (PLSHostCursor *) h->ptr;
	freq.count = (long) count;
	fetched = pls_cursor_fetch(pls_door_serve, &freq, &err);

	/* the rows produced before a failure still come first */
	if (freq.coll != NULL && (fetched || freq.coll->n > 0))
	{
		ValuesReq	vreq = {&freq, NULL};
		PLSDoorError err2;

		if (!pls_door_serve(serve_fetch_values, &vreq, PLS_DOOR_SUBXACT,
							&err2, NULL))
		{
			if (!fetched)
				pls_door_error_free(&err);
			reply_error(w, out, &err2);
			return;
		}
		reply_ok(out);
		pls_rows_put(out, vreq.vr, have);
		pls_wire_put_u8(out, fetched ? 0 : 1);
		if (!fetched)
		{
			if (ERRCODE_TO_CATEGORY(err.sqlerrcode) == ERRCODE_OPERATOR_INTERVENTION)
				hold_interrupt(w, &err);
			pls_process_put_error(out, &err);
		}
		return;
	}
	if (!fetched)
	{
		reply_error(w, out, &err);
		return;
	}
	reply_ok(out);
	pls_rows_put(out, NULL, have);
	pls_wire_put_u8(out, 0);
}

static void
op_cursor(PLSWorker *w, uint8 op, PlsWireReader *r, PlsWireBuf *out,
		  bool *bad)
{
	uint64_t	token;
	Handle	   *h;

	if (!pls_wire_get_u64(r, &token) || !pls_wire_done(r))
	{
		*bad = true;
		return;
	}
	h = handle_find(token, H_CURSOR, w);
	reply_ok(out);
	if (op == PLS_OP_CURSOR_VALID)
		pls_wire_put_u8(out, h != NULL && pls_cursor_valid((PLSHostCursor *) h->ptr));
	else if (h != NULL)
		pls_cursor_close(pls_door_serve, (PLSHostCursor *) h->ptr);
}

/* ---------- transactions ---------- */

static void
op_subxact(PLSWorker *w, uint8 op, PlsWireReader *r, PlsWireBuf *out,
		   bool *bad)
{
	PLSDoorError err;

	if (op == PLS_OP_SUBXACT_ENTER)
	{
		uint64		token;

		if (!pls_wire_done(r))
		{
			*bad = true;
			return;
		}
		if (!pls_subxact_enter(pls_door_serve, &token, &err))
		{
			reply_error(w, out, &err);
			return;
		}
		reply_ok(out);
		pls_wire_put_u64(out, token);
	}
	else
	{
		uint64_t	token;
		uint8_t		commit;
		int			rc;

		if (!pls_wire_get_u64(r, &token) || !pls_wire_get_u8(r, &commit) ||
			commit > 1 || !pls_wire_done(r))
		{
			*bad = true;
			return;
		}
		rc = pls_subxact_exit(pls_door_serve, token, commit == 1, &err);
		if (rc == 0)
		{
			reply_error(w, out, &err);
			return;
		}
		reply_ok(out);
		pls_wire_put_u8(out, rc > 0 ? 1 : 0);
	}
}

static void
op_end_xact(PLSWorker *w, PlsWireReader *r, PlsWireBuf *out, bool *bad)
{
	uint8_t		commit;
	PLSDoorError err;

	if (!pls_wire_get_u8(r, &commit) || commit > 1 || !pls_wire_done(r))
	{
		*bad = true;
		return;
	}
	if (!pls_end_xact(pls_door_serve, commit == 1, &err))
	{
		reply_error(w, out, &err);
		return;
	}
	reply_ok(out);
}

/*
 * Serve one SPI request of w (op read already) into out.  False if op is
 * not an SPI request or its bytes are malformed: the caller ends w.
 */
bool
pls_process_spi_serve(PLSWorker *w, uint8 op, PlsWireReader *r,
					  PlsWireBuf *out)
{
	bool		bad = false;

	switch (op)
	{
		case PLS_OP_EXECUTE:
			op_execute(w, r, out, &bad);
			break;
		case PLS_OP_PREPARE:
			op_prepare(w, r, out, &bad);
			break;
		case PLS_OP_PLAN_SHAPES:
			op_plan_shapes(w, r, out, &bad);
			break;
		case PLS_OP_RELEASE:
			op_release(w, r, out, &bad);
			break;
		case PLS_OP_CURSOR_OPEN:
			op_cursor_open(w, r, out, &bad);
			break;
		case PLS_OP_CURSOR_FETCH:
			op_cursor_fetch(w, r, out, &bad);
			break;
		case PLS_OP_CURSOR_VALID:
		case PLS_OP_CURSOR_CLOSE:
			op_cursor(w, op, r, out, &bad);
			break;
		case PLS_OP_SUBXACT_ENTER:
		case PLS_OP_SUBXACT_EXIT:
			op_subxact(w, op, r, out, &bad);
			break;
		case PLS_OP_END_XACT:
			op_end_xact(w, r, out, &bad);
			break;
		default:
			return false;
	}
	return !bad;
}
