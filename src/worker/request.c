/*-------------------------------------------------------------------------
 *
 * request.c
 *	  The worker's side of the door's requests: the memory of messages and
 *	  of what is decoded from them, a REQ sent to the backend and its REP
 *	  awaited (calls the backend makes meanwhile served, nested), and the
 *	  requests of the Python side's hooks: plpy's reports and quoting,
 *	  denials, the interpreter's warnings and zoneinfo's time-zone data.
 *
 *-------------------------------------------------------------------------
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "worker/worker.h"
#include "plpy_host.h"
#include "pyhost.h"
#include "wire.h"

#include <stdlib.h>
#include <string.h>

/*
 * ---------- memory for wire.c ----------
 *
 * Messages and the values decoded from them are the transport's, as the
 * backend's are PostgreSQL's: plain malloc, outside the memory budget of
 * the role's Python (pymemory.c), which counts them in neither mode.
 */

static void *
mem_alloc(void *cx, size_t size)
{
	return malloc(size ? size : 1);
}

static void *
mem_realloc(void *cx, void *p, size_t size)
{
	return realloc(p, size ? size : 1);
}

static void
mem_free(void *cx, void *p)
{
	free(p);
}

const PlsWireMem pls_worker_raw_mem = {mem_alloc, mem_realloc, mem_free, NULL};

/*
 * Decoded records point into, or were allocated alongside, the message:
 * an arena of allocations freed together after each message.  Small ones
 * come from a block kept across messages (a call's argument array and
 * result shape, every call), larger ones from allocations of their own.
 */
#define ARENA_BLOCK 8192
#define ARENA_SMALL 512

typedef struct Arena
{
	void	  **p;				/* the large allocations */
	size_t		n;
	size_t		cap;
	char	   *block;			/* the kept block, ARENA_BLOCK bytes */
	size_t		used;			/* bytes of it in use */
} Arena;

static Arena arena;

static void *
arena_alloc(void *cx, size_t size)
{
	void	   *p;
	size_t		aligned = (size + 15) & ~(size_t) 15;

	if (size <= ARENA_SMALL)
	{
		if (arena.block == NULL)
			arena.block = malloc(ARENA_BLOCK);
		if (arena.block != NULL && ARENA_BLOCK - arena.used >= aligned)
		{
			p = arena.block + arena.used;
			arena.used += aligned;
			return p;
		}
	}
	if (arena.n == arena.cap)
	{
		size_t		cap = arena.cap ? arena.cap * 2 : 64;
		void	  **np = realloc(arena.p, cap * sizeof(void *));

		if (np == NULL)
			return NULL;
		arena.p = np;
		arena.cap = cap;
	}
	p = malloc(size ? size : 1);
	if (p != NULL)
		arena.p[arena.n++] = p;
	return p;
}

/*
 * Where the arena stands, as one number: its large allocations and the
 * bytes of the block in use (n * (ARENA_BLOCK + 1) + used).  Marks nest
 * (a CALL served inside a request), so the block is used as a stack.
 */
size_t
pls_worker_arena_mark(void)
{
	return arena.n * (ARENA_BLOCK + 1) + arena.used;
}

void
pls_worker_arena_release(size_t mark)
{
	size_t		n = mark / (ARENA_BLOCK + 1);

	while (arena.n > n)
		free(arena.p[--arena.n]);
	arena.used = mark % (ARENA_BLOCK + 1);
}

const PlsWireMem pls_worker_arena_mem = {arena_alloc, NULL, NULL, NULL};

#define arena_mem pls_worker_arena_mem

/* The protocol is broken (or memory is gone): the backend ends us. */
void
pls_worker_exit(int code)
{
	_exit(code);
}

static PlsChan *chan;

/* ---------- requests to the backend ---------- */

PlsWireBuf	pls_worker_reqbuf;
static PlsWireRecv reprecv;

/* Requests go over c from now on (at INIT). */
void
pls_worker_requests_start(PlsChan *c)
{
	chan = c;
	pls_wire_buf_init(&pls_worker_reqbuf, &pls_worker_raw_mem);
	pls_wire_recv_init(&reprecv, &pls_worker_raw_mem);
}
uint64_t	pls_worker_epoch = 0;
int			pls_worker_call_depth = 0;

#define reqbuf pls_worker_reqbuf
#define request pls_worker_request

/*
 * Send the REQ in reqbuf and wait for its REP; a reader over the reply's
 * fields after the ok byte in *r, whether ok in *ok.  While it is served,
 * the backend may call a function of this role (SQL that calls one): that
 * CALL (or FETCH or CLOSE of a set, or the whitelist view's WHITELIST) is
 * run here, nested, before the REP comes.  The backend answers
 * every request, so anything else is the end.
 */
void
pls_worker_request(PlsWireReader *r, bool *ok)
{
	uint32_t	tag;
	uint8_t		okb;
	int			rc;

	if (reqbuf.failed)
		pls_worker_exit(4);
	pls_worker_epoch++;
	rc = pls_wire_send(chan, PLS_MSG_REQ, &reqbuf, PLS_CHAN_NO_DEADLINE);
	for (;;)
	{
		void	   *nested;
		size_t		len;

		if (rc == PLS_CHAN_OK)
			rc = pls_wire_recv(chan, &reprecv, &tag, PLS_WIRE_MAX_MESSAGE,
							   PLS_CHAN_NO_DEADLINE);
		if (rc != PLS_CHAN_OK ||
			(tag != PLS_MSG_CALL && tag != PLS_MSG_FETCH &&
			 tag != PLS_MSG_CLOSE && tag != PLS_MSG_WHITELIST))
			break;
		/* its own requests reuse the buffers: run it from a copy */
		len = reprecv.buf.len;
		nested = malloc(len ? len : 1);
		if (nested == NULL)
			pls_worker_exit(4);
		memcpy(nested, reprecv.buf.data, len);
		pls_worker_dispatch(tag, nested, len);
		free(nested);
		/* the outer call goes on, interruptible again */
		pls_watchdog_call_begin();
	}
	if (rc == PLS_CHAN_DEAD)
		pls_worker_exit(0);
	if (rc != PLS_CHAN_OK || tag != PLS_MSG_REP)
		pls_worker_exit(3);
	pls_wire_reader_init(r, reprecv.buf.data, reprecv.buf.len, &arena_mem);
	if (!pls_wire_get_u8(r, &okb) || okb > 1)
		pls_worker_exit(3);
	*ok = okb == 1;
}

/*
 * The error of a failed request, as plpy_host.h's hooks return it: on
 * failure (out of memory) err is empty and MemoryError set.
 */
void
pls_worker_reply_error(PlsWireReader *r, PLSErrorFields *err)
{
	PlsWireError we;
	const char *const *src[] = {&we.detail, &we.hint, &we.query,
		&we.schema_name, &we.table_name, &we.column_name, &we.datatype_name,
		&we.constraint_name
	};
	char	  **dst[] = {&err->detail, &err->hint, &err->query,
		&err->schema_name, &err->table_name, &err->column_name,
		&err->datatype_name, &err->constraint_name
	};

	if (!pls_wire_get_error(r, &we))
		pls_worker_exit(3);
	memset(err, 0, sizeof(*err));
	err->kind = PLS_ERRK_PLPY;
	err->sqlerrcode = we.sqlerrcode;
	err->position = we.position;
	err->message = strdup(we.message ? we.message : "");
	for (size_t i = 0; i < sizeof(src) / sizeof(src[0]); i++)
		if (*src[i] != NULL && (*dst[i] = strdup(*src[i])) == NULL)
			err->message = NULL;
	if (err->message == NULL)
	{
		pls_error_fields_free(err);
		PyErr_NoMemory();
	}
}

static bool
reply_error(PlsWireReader *r, PLSErrorFields *err)
{
	pls_worker_reply_error(r, err);
	if (!pls_wire_done(r))
		pls_worker_exit(3);
	return false;
}

bool
pls_host_report(const PLSReport *rep, PLSErrorFields *err)
{
	PlsWireError we;
	PlsWireReader r;
	bool		ok;

	memset(&we, 0, sizeof(we));
	we.sqlerrcode = rep->sqlerrcode;
	we.message = rep->fields[PLS_RF_MESSAGE];
	we.detail = rep->fields[PLS_RF_DETAIL];
	we.hint = rep->fields[PLS_RF_HINT];
	we.schema_name = rep->fields[PLS_RF_SCHEMA];
	we.table_name = rep->fields[PLS_RF_TABLE];
	we.column_name = rep->fields[PLS_RF_COLUMN];
	we.datatype_name = rep->fields[PLS_RF_DATATYPE];
	we.constraint_name = rep->fields[PLS_RF_CONSTRAINT];
	pls_wire_buf_reset(&reqbuf);
	pls_wire_put_u8(&reqbuf, PLS_OP_REPORT);
	pls_wire_put_i32(&reqbuf, rep->level);
	pls_wire_put_error(&reqbuf, &we);
	request(&r, &ok);
	if (!ok)
		return reply_error(&r, err);
	if (!pls_wire_done(&r))
		pls_worker_exit(3);
	return true;
}

PyObject *
pls_host_quote(int kind, const char *in, size_t inlen, PLSErrorFields *err)
{
	PlsWireReader r;
	const char *q;
	size_t		qlen;
	bool		ok;

	pls_wire_buf_reset(&reqbuf);
	pls_wire_put_u8(&reqbuf, PLS_OP_QUOTE);
	pls_wire_put_u8(&reqbuf, (uint8_t) kind);
	pls_wire_put_bytes(&reqbuf, in, inlen);
	request(&r, &ok);
	if (!ok)
	{
		reply_error(&r, err);
		return NULL;
	}
	if (!pls_wire_get_bytes(&r, &q, &qlen) || !pls_wire_done(&r))
		pls_worker_exit(3);
	return PyUnicode_DecodeUTF8(q, (Py_ssize_t) qlen, NULL);
}

PyObject *
pls_host_zone_data(const char *key, size_t len)
{
	PlsWireReader r;
	bool		ok;
	uint8_t		found;
	const char *data = NULL;
	size_t		dlen = 0;

	pls_wire_buf_reset(&reqbuf);
	pls_wire_put_u8(&reqbuf, PLS_OP_ZONE_DATA);
	pls_wire_put_bytes(&reqbuf, key, len);
	request(&r, &ok);
	/* the backend always answers it */
	if (!ok || !pls_wire_get_u8(&r, &found) || found > 1 ||
		(found && !pls_wire_get_bytes(&r, &data, &dlen)) || !pls_wire_done(&r))
		pls_worker_exit(3);
	if (!found)
		Py_RETURN_NONE;
	return PyBytes_FromStringAndSize(data, (Py_ssize_t) dlen);
}

void
pls_worker_report_denial(const char *message, const char *function_name)
{
	PlsWireReader r;
	bool		ok;

	pls_wire_buf_reset(&reqbuf);
	pls_wire_put_u8(&reqbuf, PLS_OP_DENIAL);
	pls_wire_put_cstr(&reqbuf, message);
	request(&r, &ok);
}

/*
 * WARNINGs of the interpreter's build (a whitelisted module that is not
 * installed) come before the backend serves requests: they are kept and
 * sent as reports at the start of the first call.
 */
typedef struct PendingWarning
{
	char	   *message;
	char	   *detail;
	char	   *hint;
} PendingWarning;

static PendingWarning *warnings;
static int	nwarnings;

void
pls_worker_report_warning(const char *message, const char *detail,
						  const char *hint)
{
	PendingWarning *grown = realloc(warnings,
									sizeof(PendingWarning) * (nwarnings + 1));

	if (grown == NULL)
		return;
	warnings = grown;
	warnings[nwarnings].message = strdup(message);
	warnings[nwarnings].detail = detail ? strdup(detail) : NULL;
	warnings[nwarnings].hint = hint ? strdup(hint) : NULL;
	if (warnings[nwarnings].message != NULL)
		nwarnings++;
}

void
pls_worker_send_warnings(void)
{
	for (int i = 0; i < nwarnings; i++)
	{
		PLSReport	rep;
		PLSErrorFields err;

		memset(&rep, 0, sizeof(rep));
		rep.level = PLS_REPORT_WARNING;
		rep.sqlerrcode = PLS_MAKE_SQLSTATE('4', '2', '7', '0', '4');
		rep.fields[PLS_RF_MESSAGE] = warnings[i].message;
		rep.fields[PLS_RF_DETAIL] = warnings[i].detail;
		rep.fields[PLS_RF_HINT] = warnings[i].hint;
		for (int j = 0; j < PLS_RF_N; j++)
			rep.lens[j] = rep.fields[j] ? strlen(rep.fields[j]) : 0;
		if (!pls_host_report(&rep, &err))
			pls_error_fields_free(&err);
		free(warnings[i].message);
		free(warnings[i].detail);
		free(warnings[i].hint);
	}
	nwarnings = 0;
}

/*
 * The loader could not close the import system again: nothing of this
 * interpreter can be trusted any more.  The backend reports the exit.
 */
void
pls_worker_fatal(const char *message)
{
	_exit(5);
}

