/*-------------------------------------------------------------------------
 *
 * wire.h
 *	  The door (door.h) as bytes: the records a backend and its
 *	  plsafepy-worker exchange over the channel (worker/channel.h), and the
 *	  encoding of door values and shapes inside them.  Plain C, no
 *	  PostgreSQL and no Python header: compiled into the library and into
 *	  the worker.
 *
 *	  Encoding: fixed-width integers in the machine's byte order (both ends
 *	  run on one machine), strings and byte strings as a u32 length then the
 *	  bytes (no NUL), values as a kind byte then the kind's payload:
 *
 *		NULL						-
 *		BOOL						u8 (0 or 1)
 *		INT64						i64
 *		FLOAT8						f64
 *		TEXT, NUMERIC, BYTES, JSON	u32 len, bytes (JSON: tokens, door.h)
 *		ARRAY						u8 ndims (0..6), u32 dims[ndims], then
 *									product(dims) values, row-major
 *		ROW							u32 natts, u8 named; if named, natts
 *									strings (column names); then natts
 *									values
 *		PACKED						u8 elem, u8 ndims (1..6), u32
 *									dims[ndims] (each at least 1), u8
 *									nulls (0 or 1); if nulls, the null
 *									bitmap of product(dims) bits; then the
 *									raw elements that are not NULL
 *
 *	  A shape is a kind byte then: ARRAY its element shape; ROW u8 rowknown,
 *	  u32 natts, then for each attribute u8 present (0: dropped), and if
 *	  present a name string and the attribute's shape.
 *
 *	  Decoding treats every byte as hostile: each length is checked against
 *	  the bytes that remain before anything is allocated, counts are
 *	  bounded by the remaining bytes (every value takes at least one), ARRAY
 *	  dims must multiply to at most PLS_WIRE_MAX_ITEMS without overflow,
 *	  nesting is bounded by PLS_WIRE_MAX_DEPTH, unknown kinds and booleans
 *	  other than 0 or 1 are refused, TEXT/NUMERIC must be valid UTF-8
 *	  (no NUL), JSON's tokens must make one value (pls_wire_json_valid),
 *	  and a PACKED array's elements must be there for every bit of its
 *	  bitmap that is set (every element, without one).  A decoder returns
 *	  false on any violation and never reads outside the buffer; what it
 *	  allocated comes from the caller's arena and is freed with it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PLS_WIRE_H
#define PLS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "door.h"
#include "worker/channel.h"

#define PLS_WIRE_MAX_DEPTH 64
#define PLS_WIRE_MAX_ITEMS (1u << 28)
/* the largest message either side accepts, reassembled (a PostgreSQL value
 * is at most 1 GB; a record adds little) */
#define PLS_WIRE_MAX_MESSAGE ((size_t) 1100 * 1024 * 1024)

/* ---------- memory: supplied by each side ---------- */

/*
 * alloc returns NULL on failure (the worker: MemoryError) or does not
 * return (the backend: palloc's ERROR, outside any Python code).
 */
typedef struct PlsWireMem
{
	void	   *(*alloc) (void *cx, size_t size);
	void	   *(*realloc) (void *cx, void *p, size_t size);
	void		(*free) (void *cx, void *p);
	void	   *cx;
} PlsWireMem;

/* ---------- writing ---------- */

typedef struct PlsWireBuf
{
	unsigned char *data;
	size_t		len;
	size_t		cap;
	bool		failed;			/* an allocation failed: the buffer is void */
	const PlsWireMem *mem;
} PlsWireBuf;

extern void pls_wire_buf_init(PlsWireBuf *b, const PlsWireMem *mem);
extern void pls_wire_buf_reset(PlsWireBuf *b);	/* len = 0, keeps memory */
extern void pls_wire_buf_free(PlsWireBuf *b);
/* pls_wire_put_raw's way out: the buffer grown, or failed */
extern void pls_wire_put_grow(PlsWireBuf *b, const void *p, size_t n);

/*
 * Append n bytes.  Inline when there is room, in every file that writes
 * records, so that a field (a tag byte, a fixed-width number: an array of
 * them element by element) costs a store; growing is out of line.
 */
static inline void
pls_wire_put_raw(PlsWireBuf *b, const void *p, size_t n)
{
	if (__builtin_expect(!b->failed && n > 0 && n <= b->cap - b->len, 1))
	{
		memcpy(b->data + b->len, p, n);
		b->len += n;
		return;
	}
	pls_wire_put_grow(b, p, n);
}

extern void pls_wire_put_bytes(PlsWireBuf *b, const void *p, size_t len);
/* a NUL-terminated string, NULL written as length 0xFFFFFFFF */
extern void pls_wire_put_cstr(PlsWireBuf *b, const char *s);
extern void pls_wire_put_value(PlsWireBuf *b, const PLSValue *v);
extern void pls_wire_put_shape(PlsWireBuf *b, const PLSShape *s);

/* ---------- reading ---------- */

typedef struct PlsWireReader
{
	const unsigned char *p;
	size_t		left;
	bool		bad;			/* a violation was found: every get fails */
	const PlsWireMem *mem;		/* for decoded trees and strings */
} PlsWireReader;

extern void pls_wire_reader_init(PlsWireReader *r, const void *data,
								 size_t len, const PlsWireMem *mem);

/* n bytes into dst, if that many remain (else r is bad); inline as above */
static inline bool
pls_wire_get_raw(PlsWireReader *r, void *dst, size_t n)
{
	if (r->bad)
		return false;
	if (n > r->left)
	{
		r->bad = true;
		return false;
	}
	memcpy(dst, r->p, n);
	r->p += n;
	r->left -= n;
	return true;
}

/*
 * The fixed-width fields, written and read: pls_wire_put_u8 and
 * pls_wire_get_u8, and likewise u32, i32, u64, i64 and f64.
 */
#define PLS_WIRE_FIELD(name, type) \
static inline void \
pls_wire_put_##name(PlsWireBuf *b, type v) \
{ \
	pls_wire_put_raw(b, &v, sizeof(v)); \
} \
static inline bool \
pls_wire_get_##name(PlsWireReader *r, type *v) \
{ \
	return pls_wire_get_raw(r, v, sizeof(*v)); \
}

PLS_WIRE_FIELD(u8, uint8_t)
PLS_WIRE_FIELD(u32, uint32_t)
PLS_WIRE_FIELD(i32, int32_t)
PLS_WIRE_FIELD(u64, uint64_t)
PLS_WIRE_FIELD(i64, int64_t)
PLS_WIRE_FIELD(f64, double)

#undef PLS_WIRE_FIELD

/* points into the buffer: *p valid as long as the buffer */
extern bool pls_wire_get_bytes(PlsWireReader *r, const char **p, size_t *len);
/* a copy, NUL-terminated, valid UTF-8 without NUL; NULL for the NULL mark */
extern bool pls_wire_get_cstr(PlsWireReader *r, char **s);
extern bool pls_wire_get_value(PlsWireReader *r, PLSValue *v);
extern bool pls_wire_get_shape(PlsWireReader *r, PLSShape **s);
/* true if every byte was read and nothing was wrong */
extern bool pls_wire_done(const PlsWireReader *r);
/* a PLS_V_JSON value's bytes are one well-formed value (door.h)? */
extern bool pls_wire_json_valid(const char *data, size_t len);

/* ---------- records ---------- */

/* INIT, B->W, once, before the worker locks itself in. */
typedef struct PlsWireInit
{
	const char *role;			/* role name (messages, denial log) */
	const char *allowed_modules;	/* the role's resolved whitelist */
	int32_t		recursion_limit;
	uint32_t	flags;			/* PLS_INIT_* */
	int32_t		memory_limit_kb;	/* the role's plsafepy.memory_limit (0:
									 * none): the worker's memory budget
									 * (pymemory.c), never raised by a CALL */
} PlsWireInit;

#define PLS_INIT_TESTING_UNSANDBOXED 0x01	/* test build only: full Python */

/* CALL, B->W: run one function (or DO block, or procedure). */
typedef struct PlsWireCall
{
	uint32_t	fn_oid;			/* 0 for a DO block */
	uint64_t	fn_gen;			/* changes when the function changes */
	uint32_t	flags;			/* PLS_CALL_* */
	int32_t		memory_limit_kb;	/* this call's budget as the session's
									 * settings give it (0: none); the
									 * worker applies the smaller of it and
									 * INIT's */
	/* with PLS_CALL_SOURCE: what the worker compiles */
	const char *name;			/* for messages and tracebacks */
	const char *defname;		/* the Python name of the def */
	const char *source;
	uint32_t	nargnames;
	const char *const *argnames;	/* NULL or "" for an unnamed argument */
	/* always */
	uint32_t	nargs;
	const PLSValue *args;
	const PLSShape *result;		/* NULL: void (procedure, DO); a trigger:
								 * the row TD["new"] is read for */
	/* with PLS_CALL_SETOF: rows in the ROWS that answers the CALL */
	uint32_t	batch;
} PlsWireCall;

#define PLS_CALL_SOURCE		0x01	/* name, source and argnames follow */
#define PLS_CALL_DO			0x02
#define PLS_CALL_PROCEDURE	0x04
#define PLS_CALL_SETOF		0x08	/* result shape is one row/element */
#define PLS_CALL_UNSANDBOXED 0x10	/* test build only, see PlsWireInit */
#define PLS_CALL_COMPILE_ONLY 0x20	/* validate: compile, keep nothing */
#define PLS_CALL_TRIGGER	0x40	/* one argument, TD; see below */

/*
 * RETURN, W->B: u8 present, then the value if present is 1.  present 0:
 * the function returned None (for a void result, 1 with a NULL value says
 * it returned something else).
 */

/*
 * RAISE, W->B, and the error half of REP, B->W: a PostgreSQL-style error
 * (PLSDoorError's fields that a client sees).  context carries a Python
 * traceback from the worker, or PostgreSQL's context from the backend.
 */
typedef struct PlsWireError
{
	int32_t		sqlerrcode;		/* MAKE_SQLSTATE form; 0: unset */
	const char *message;
	const char *detail;
	const char *hint;
	const char *context;
	const char *schema_name;
	const char *table_name;
	const char *column_name;
	const char *datatype_name;
	const char *constraint_name;
	const char *query;			/* an SPI error's internal query, or NULL */
	int32_t		position;		/* ... and the position in it, or 0 */
	uint8_t		origin;			/* PLS_ERR_* */
} PlsWireError;

#define PLS_ERR_PYTHON		0	/* an exception in the user's code */
#define PLS_ERR_PLPY		1	/* plpy.error or a re-raised SPIError */
#define PLS_ERR_INTERRUPT	2	/* the backend's interrupt stopped the code */
#define PLS_ERR_MEMORY		3	/* MemoryError at the worker's limit */
#define PLS_ERR_COMPILE		5	/* the body did not compile (syntax error,
								 * or the policy refused it: 42501); the
								 * worker did not keep it */
#define PLS_ERR_FATAL		6	/* plpy.fatal: the backend ends the session */
#define PLS_ERR_RESULT		7	/* the function's result did not convert
								 * (raised under inline's context line) */

/*
 * REQ, W->B: u8 opcode then its fields; REP, B->W: u8 ok, then on success
 * the opcode's reply fields, else a PlsWireError.
 */
typedef enum PlsWireOp
{
	PLS_OP_REPORT = 1,			/* i32 elevel, PlsWireError fields -> - */
	PLS_OP_QUOTE,				/* u8 kind (0 literal, 1 nullable, 2 ident),
								 * bytes -> bytes */
	PLS_OP_DENIAL,				/* string: a sandbox denial to log with the
								 * role and function -> - */
	/* plpy's SPI (spi_host.h); handles are u64 tokens of the backend */
	PLS_OP_EXECUTE,				/* stmt, i64 limit, u64 columns held ->
								 * i32 status; if < 0 string (SPI's code
								 * name), else u64 nrows, u8 with_rows, if
								 * 1: result rows */
	PLS_OP_PREPARE,				/* bytes query, u32 nargs, nargs times u8
								 * is_str and bytes -> u64 plan, plan shapes */
	PLS_OP_PLAN_SHAPES,			/* u64 plan -> plan shapes */
	PLS_OP_RELEASE,				/* u32 n, n times u8 kind (PLS_RELEASE_*)
								 * and u64 token -> - */
	PLS_OP_CURSOR_OPEN,			/* stmt -> u64 cursor */
	PLS_OP_CURSOR_VALID,		/* u64 cursor -> u8 valid */
	PLS_OP_CURSOR_FETCH,		/* u64 cursor, i64 count, u64 columns held
								 * -> result rows, u8 pending, if 1 an error
								 * (the query's, after those rows) */
	PLS_OP_CURSOR_CLOSE,		/* u64 cursor -> - */
	PLS_OP_SUBXACT_ENTER,		/* - -> u64 subtransaction */
	PLS_OP_SUBXACT_EXIT,		/* u64 subtransaction, u8 commit -> u8
								 * innermost (0: not the call's innermost,
								 * nothing done) */
	PLS_OP_END_XACT,			/* u8 commit -> - */
	PLS_OP_ZONE_DATA,			/* bytes key -> u8 found, if 1 bytes (the
								 * zone's time-zone file: zone_data.c) */
	PLS_OP_END
} PlsWireOp;

/*
 * Set-returning functions (PLS_CALL_SETOF).  The worker calls the
 * function, keeps its iterator under a handle and answers the CALL with
 * ROWS (not RETURN): at most call->batch rows, fewer once the message
 * passes PLS_WIRE_BATCH_BYTES, then how the set goes on.  The backend
 * hands the rows out one per call of the function (value per call) and
 * asks for the next batch with FETCH, answered with ROWS again; so the
 * iterator runs ahead of the rows the executor took by at most one batch.
 * An error after some rows ends the ROWS: the rows before it are returned
 * first, as in inline mode.  The worker keeps the iterator only after a
 * ROWS that ends with MORE; the backend ends one it abandons (LIMIT,
 * rescan, an error) with CLOSE, answered with RETURN (no value).  REQs may
 * come during a FETCH or CLOSE as during a CALL.
 *
 *	FETCH	u32 handle, u32 batch (1..PLS_WIRE_MAX_BATCH)
 *	CLOSE	u32 handle
 *	ROWS	u32 handle (not 0), then per row u8 PLS_ROWS_ROW and the value,
 *			then u8 MORE or DONE, or u8 ERROR or BAD_ROW and a PlsWireError
 */
#define PLS_WIRE_MAX_BATCH 1024
#define PLS_WIRE_BATCH_BYTES (256 * 1024)

typedef enum PlsRowsMark
{
	PLS_ROWS_MORE,				/* the iterator has more: FETCH */
	PLS_ROWS_ROW,				/* a row follows */
	PLS_ROWS_DONE,				/* the iterator is exhausted */
	PLS_ROWS_ERROR,				/* the iterator raised */
	PLS_ROWS_BAD_ROW			/* the next item did not convert */
} PlsRowsMark;

typedef struct PlsWireRows
{
	uint32_t	handle;
	uint32_t	nrows;
	PLSValue   *rows;
	uint8_t		end;			/* MORE, DONE, ERROR or BAD_ROW */
	PlsWireError error;			/* ERROR, BAD_ROW */
} PlsWireRows;

extern void pls_wire_put_fetch(PlsWireBuf *b, uint32_t handle, uint32_t batch);
extern bool pls_wire_get_fetch(PlsWireReader *r, uint32_t *handle,
							   uint32_t *batch);
extern void pls_wire_put_row(PlsWireBuf *b, const PLSValue *v);
extern void pls_wire_put_rows_end(PlsWireBuf *b, uint8_t end,
								  const PlsWireError *err);
/* a ROWS record of at most max_rows rows */
extern bool pls_wire_get_rows(PlsWireReader *r, uint32_t max_rows,
							  PlsWireRows *m);

/*
 * The whitelist view (plsafepy.allowed_modules) of a role in process
 * isolation.  WHITELIST, B->W, has no payload; it comes when the worker is
 * idle, or nested in a request as a CALL does.  The worker first sends the
 * warnings of its interpreter's build that no call has sent yet (REQ,
 * PLS_OP_REPORT), then answers RETURN: u32 n, then n times the module and
 * the name (strings, not empty) and u8 PlsWlKind; or RAISE.
 */
typedef enum PlsWlKind
{
	PLS_WL_MODULE,
	PLS_WL_CLASS,
	PLS_WL_FUNCTION,
	PLS_WL_CONSTANT,
	PLS_WL_END
} PlsWlKind;

/* the view's text of each kind ("module", ...), as sandbox/facades.py's */
extern const char *const pls_wire_wl_kinds[PLS_WL_END];

typedef struct PlsWireWlRow
{
	char	   *module;			/* UTF-8 */
	char	   *name;			/* UTF-8 */
	uint8_t		kind;			/* PlsWlKind */
} PlsWireWlRow;

extern void pls_wire_put_wl_row(PlsWireBuf *b, const char *module,
								const char *name, uint8_t kind);
/* a whole WHITELIST answer (the RETURN's payload): *nrows rows */
extern bool pls_wire_get_whitelist(PlsWireReader *r, uint32_t *nrows,
								   PlsWireWlRow **rows);

/*
 * Triggers (PLS_CALL_TRIGGER): the one argument is TD, a ROW with
 * PL/Python's keys as names; the result shape, present for an INSERT or
 * UPDATE trigger only, is the table's row with its generated
 * columns left out (as dropped ones).  RETURN: u8 PLSTrigResult (door.h);
 * after PLS_TRIG_MODIFY with a result shape, TD["new"]'s items in the
 * dict's order: u8 PLS_TDNEW_VALUE, the key, the value encoded for that
 * column; or u8 PLS_TDNEW_KEY, the key (no column of that name in the
 * shape: the last item); ended by u8 PLS_TDNEW_END, a problem of
 * TD["new"] (PLS_TDNEW_MISSING .. CHANGED), or u8 PLS_TDNEW_ERROR and a
 * PlsWireError.
 */
typedef struct PlsWireTdItem
{
	const char *key;			/* UTF-8 */
	bool		has_value;		/* PLS_TDNEW_VALUE */
	PLSValue	value;
} PlsWireTdItem;

typedef struct PlsWireTrigResult
{
	uint8_t		result;			/* PLSTrigResult */
	uint32_t	nitems;
	PlsWireTdItem *items;
	uint8_t		end;			/* PLSTdNew: END, a problem, or ERROR */
	PlsWireError error;			/* ERROR */
} PlsWireTrigResult;

extern void pls_wire_put_td_item(PlsWireBuf *b, const char *key,
								 const PLSValue *v);
extern void pls_wire_put_td_end(PlsWireBuf *b, uint8_t end,
								const PlsWireError *err);
/* with_new: the CALL had a result shape, so MODIFY carries TD["new"] */
extern bool pls_wire_get_trig_result(PlsWireReader *r, bool with_new,
									 PlsWireTrigResult *m);

/*
 * Plan shapes: u32 nargs, u8 resolve (row types: ask PLAN_SHAPES before
 * each use), nargs shapes.  Result rows: u64 the columns' serial (0: no
 * columns), u8 included and if 1 the columns, then u64 n and a bytes
 * string of n ROW values without names, one value per live column.  A
 * serial names columns the backend will not change: the worker keeps the
 * last it was sent and names it as "columns held" (0: none) in its next
 * EXECUTE or CURSOR_FETCH, which leaves them out of the reply if they
 * are the result's.
 */
#define PLS_RELEASE_PLAN	1
#define PLS_RELEASE_CURSOR	2

/* A statement: a query, or a plan token with its argument values. */
typedef struct PlsWireStmt
{
	uint64_t	plan;			/* 0: a query */
	const char *query;			/* UTF-8 without NUL */
	size_t		querylen;
	uint32_t	nargs;
	const PLSValue *args;
} PlsWireStmt;

/* A result's columns, dropped ones included. */
typedef struct PlsWireColumns
{
	uint32_t	natts;
	const char *const *names;	/* UTF-8 */
	const uint32_t *typoids;
	const int32_t *typmods;
	const uint8_t *dropped;
} PlsWireColumns;

extern void pls_wire_put_stmt(PlsWireBuf *b, const PlsWireStmt *m);
extern bool pls_wire_get_stmt(PlsWireReader *r, PlsWireStmt *m);
extern void pls_wire_put_columns(PlsWireBuf *b, const PlsWireColumns *m);
extern bool pls_wire_get_columns(PlsWireReader *r, PlsWireColumns *m);

extern void pls_wire_put_init(PlsWireBuf *b, const PlsWireInit *m);
extern bool pls_wire_get_init(PlsWireReader *r, PlsWireInit *m);
extern void pls_wire_put_call(PlsWireBuf *b, const PlsWireCall *m);
extern bool pls_wire_get_call(PlsWireReader *r, PlsWireCall *m);
extern void pls_wire_put_error(PlsWireBuf *b, const PlsWireError *m);
extern bool pls_wire_get_error(PlsWireReader *r, PlsWireError *m);

/* ---------- messages over the channel ---------- */

/*
 * Send a message of any length: frames of at most PLS_CHAN_MAX_PAYLOAD,
 * PLS_MSG_MORE for all but the last.  Returns a PLS_CHAN_* code.
 */
extern int	pls_wire_send(PlsChan *chan, uint32_t tag, const PlsWireBuf *b,
						  int timeout_ms);

/*
 * Receive one message into b (reset first), reassembling fragments up to
 * max_len bytes; *tag is the final frame's tag.  More than max_len, a MORE
 * frame where none may be, or an allocation failure: PLS_CHAN_TOOBIG or
 * PLS_CHAN_CORRUPT.  timeout_ms applies to each frame (PLS_CHAN_INTR and
 * PLS_CHAN_TIMEOUT may be returned between frames; the partial message is
 * then kept in *partial state*, and the next call continues it).
 */
typedef struct PlsWireRecv
{
	PlsWireBuf	buf;			/* the message so far; frames are received
								 * straight into it, so it has room for a
								 * whole frame (PLS_CHAN_MAX_PAYLOAD) more */
	bool		in_progress;	/* fragments received, final frame not yet */
} PlsWireRecv;

extern void pls_wire_recv_init(PlsWireRecv *rv, const PlsWireMem *mem);
extern void pls_wire_recv_free(PlsWireRecv *rv);
extern int	pls_wire_recv(PlsChan *chan, PlsWireRecv *rv, uint32_t *tag,
						  size_t max_len, int timeout_ms);

#endif							/* PLS_WIRE_H */
