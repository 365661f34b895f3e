/*-------------------------------------------------------------------------
 *
 * door.h
 *	  The door between plsafepy's two halves: the Python side (interpreter,
 *	  plpy objects, Python-object conversion) and the PostgreSQL side (SPI,
 *	  Datums, catalogs, transactions, errors).  Every plpy call that reaches
 *	  PostgreSQL crosses here, and only here, in two steps:
 *
 *	  1. On the Python side, the call's Python arguments become plain C
 *		 values: a request.  User code may run during this step (__str__,
 *		 __index__, __iter__, __len__, __float__, __bool__ of the arguments)
 *		 and may do anything, even plpy.commit(): nothing of PostgreSQL is
 *		 held across it.
 *	  2. pls_door_call() hands the request to the PostgreSQL side, which does
 *		 all of its work (decoding the values into Datums of the target
 *		 types, domain checks, input functions, SPI) inside an internal
 *		 subtransaction, with no Python code in between.  A PostgreSQL error
 *		 is rolled back and copied into a plain PLSDoorError before control
 *		 returns to the Python side, which raises it as a Python exception.
 *		 No other code path catches a PostgreSQL error into Python.
 *
 *	  What crosses is plain: integers, doubles, and byte strings with
 *	  explicit lengths (text in UTF-8).  A request is encoded once and then
 *	  only read; a transport that carries it to another process copies the
 *	  values out (PLSValue trees have no sharing and no cycles).  The inline
 *	  transport (pls_door_call) is a direct call and copies nothing.
 *
 *	  One exception remains in the inline transport: rows of a result are
 *	  handed to the Python side's row sink as the executor produces them, as
 *	  Datums with their row type (see PLSRowSink); a process transport
 *	  encodes them as PLSValue rows instead.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PLS_DOOR_H
#define PLS_DOOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------- values ---------- */

typedef enum PLSValueKind
{
	PLS_V_NULL,
	PLS_V_BOOL,
	PLS_V_INT64,
	PLS_V_FLOAT8,
	PLS_V_TEXT,					/* UTF-8: a text form for the type's input
								 * function (numeric, dates, ...), or the
								 * text of a text type */
	PLS_V_BYTES,				/* bytea contents */
	PLS_V_ARRAY,				/* elements in row-major order */
	PLS_V_ROW,					/* one value per attribute, dropped ones
								 * included (as NULL) */
	PLS_V_NUMERIC,				/* UTF-8 text form of a numeric: only from
								 * the PostgreSQL side (a Decimal in Python) */
	PLS_V_JSON,					/* a value of a type under a transform (jsonb,
								 * hstore) as JSON tokens, below */
	PLS_V_PACKED				/* an array of fixed-width scalars as their
								 * raw bytes: only from the PostgreSQL side
								 * (nested lists in Python, as ARRAY) */
} PLSValueKind;

/*
 * PLS_V_JSON's bytes (u.str): one JSON value as tokens, each a byte, with
 * u32 lengths in the machine's byte order (as on the wire, wire.h):
 *
 *	PLS_J_NULL, PLS_J_TRUE, PLS_J_FALSE
 *	PLS_J_STRING	u32 len, then len bytes of UTF-8 without NUL
 *	PLS_J_NUMBER	u32 len, then the number's text, UTF-8 without NUL:
 *					numeric_out's from the PostgreSQL side; from the Python
 *					side str() of the object (repr() of a float), which the
 *					PostgreSQL side reads with numeric_in
 *	PLS_J_ARRAY		values, then PLS_J_END_ARRAY
 *	PLS_J_OBJECT	pairs of a PLS_J_STRING key and a value, then
 *					PLS_J_END_OBJECT
 *
 * An hstore is an object whose values are strings or nulls.  Nesting is at
 * most PLS_JSON_MAX_DEPTH containers.  Numbers cross as text so that the
 * PostgreSQL side gives PL/Python's errors for what numeric_in refuses,
 * and strings with their lengths so that nothing needs escaping.
 */
#define PLS_J_NULL			'n'
#define PLS_J_TRUE			't'
#define PLS_J_FALSE			'f'
#define PLS_J_STRING		's'
#define PLS_J_NUMBER		'd'
#define PLS_J_ARRAY			'['
#define PLS_J_END_ARRAY		']'
#define PLS_J_OBJECT		'{'
#define PLS_J_END_OBJECT	'}'
#define PLS_JSON_MAX_DEPTH	65536

/*
 * The elements of a PACKED array: PostgreSQL's in-memory form of bool,
 * int2, int4, int8, oid, float4 and float8, in the machine's byte order.
 */
typedef enum PLSPackedElem
{
	PLS_P_BOOL,					/* 1 byte: any nonzero byte is true */
	PLS_P_INT2,
	PLS_P_INT4,
	PLS_P_INT8,
	PLS_P_OID,					/* unsigned 32 bits */
	PLS_P_FLOAT4,				/* widened to a double */
	PLS_P_FLOAT8
} PLSPackedElem;

#define PLS_P_LAST PLS_P_FLOAT8

/* The bytes of one element of a PACKED array of elem (<= PLS_P_LAST). */
static inline size_t
pls_packed_width(uint8_t elem)
{
	static const uint8_t widths[] = {1, 2, 4, 8, 4, 4, 8};

	return widths[elem];
}

typedef struct PLSValue
{
	uint8_t		kind;			/* PLSValueKind */
	union
	{
		bool		b;
		int64_t		i;
		double		f;
		struct
		{
			const char *data;	/* not NUL-terminated */
			size_t		len;
		}			str;
		struct
		{
			int			ndims;	/* 0: empty array */
			int			dims[6];	/* MAXDIM */
			size_t		n;		/* product of dims */
			struct PLSValue *elems;
		}			array;
		struct
		{
			int			natts;
			struct PLSValue *atts;
			/* from the PostgreSQL side: column names (UTF-8), or NULL */
			const char *const *names;
		}			row;
		struct
		{
			uint8_t		elem;	/* PLSPackedElem */
			uint8_t		ndims;	/* 1..6 */
			int			dims[6];	/* each at least 1 */
			uint32_t	n;		/* product of dims */
			/* PostgreSQL's null bitmap (bit i clear: element i is NULL) */
			const uint8_t *nulls;	/* or NULL: no element is NULL */
			/* the elements that are not NULL, in order, unaligned */
			const char *data;
		}			packed;
	}			u;
} PLSValue;

/* ---------- shapes: what the Python side encodes a value for ---------- */

typedef enum PLSShapeKind
{
	PLS_S_TEXTFORM,				/* any scalar: str(o) (repr for a float) */
	PLS_S_BOOL,					/* Python truth value */
	PLS_S_INT2,					/* int in range, else text form */
	PLS_S_INT4,
	PLS_S_INT8,
	PLS_S_FLOAT8,				/* float or int64, else text form */
	PLS_S_TEXT,					/* str as is, else text form */
	PLS_S_BYTEA,				/* bytes(o) */
	PLS_S_ARRAY,				/* nested lists; elem gives the elements */
	PLS_S_ROW,					/* a str (row literal), a sequence, a mapping
								 * or an object's attributes */
	PLS_S_JSONB,				/* jsonb under jsonb_plsafepy's transform:
								 * dict, list, str, number, bool, None */
	PLS_S_HSTORE				/* hstore under hstore_plsafepy's transform:
								 * a mapping of str to str or None */
} PLSShapeKind;

typedef struct PLSShape
{
	uint8_t		kind;			/* PLSShapeKind */
	const struct PLSShape *elem;	/* PLS_S_ARRAY */
	int			natts;			/* PLS_S_ROW: attributes, dropped included */
	const struct PLSShape *const *atts; /* NULL for a dropped attribute */
	const char *const *attnames;	/* server-encoded column names */
	bool		rowknown;		/* PLS_S_ROW: natts/atts are filled in */
} PLSShape;

/* ---------- trigger results ---------- */

/*
 * What a trigger function's result says, read on the Python side
 * (pycall.c) and decided on the PostgreSQL side (trigger.c).
 */
typedef enum PLSTrigResult
{
	PLS_TRIG_NONE,				/* None: the row as it is */
	PLS_TRIG_OK,				/* "OK", any case */
	PLS_TRIG_SKIP,
	PLS_TRIG_MODIFY,
	PLS_TRIG_BAD_STRING,		/* another str */
	PLS_TRIG_NOT_STRING			/* not a str */
} PLSTrigResult;

/*
 * What reading TD["new"] after "MODIFY" found (pycall.c), item by item;
 * the PostgreSQL side checks each key and reports the problems.
 */
typedef enum PLSTdNew
{
	PLS_TDNEW_END,				/* every item read */
	PLS_TDNEW_VALUE,			/* an item: its key and value */
	PLS_TDNEW_KEY,				/* an item whose key names no column the
								 * Python side was told of (the last) */
	PLS_TDNEW_MISSING,			/* TD["new"] was deleted */
	PLS_TDNEW_NOT_DICT,			/* TD["new"] is not a dict */
	PLS_TDNEW_KEY_NOT_STR,		/* the next item's key is not a str */
	PLS_TDNEW_CHANGED,			/* the dict changed while it was read */
	PLS_TDNEW_ERROR				/* a value did not convert (wire.h) */
} PLSTdNew;

/* ---------- errors ---------- */

/*
 * A PostgreSQL error, rolled back, as plain fields (PL/Python's SPIError
 * attributes).  Strings are NUL-terminated, in the server encoding, and
 * live until pls_door_error_free().
 */
typedef struct PLSDoorError
{
	int			sqlerrcode;
	const char *message;
	const char *detail;
	const char *hint;
	const char *context;
	const char *internalquery;
	int			internalpos;
	const char *schema_name;
	const char *table_name;
	const char *column_name;
	const char *datatype_name;
	const char *constraint_name;
	/* how PostgreSQL reports it if it is rethrown (a kept cancel) */
	const char *message_id;		/* untranslated message */
	const char *filename;
	int			lineno;
	const char *funcname;
	bool		output_to_server;
	bool		output_to_client;
	void	   *owner;			/* transport's storage (inline: ErrorData) */
} PLSDoorError;

/* ---------- requests ---------- */

/*
 * The requests (one struct each, declared by the PostgreSQL-side file that
 * serves it, all plain values or handles returned by an earlier reply):
 *
 *	execute			query text, limit					-> status, rows
 *	execute_plan	plan handle, argument values, limit	-> status, rows
 *	prepare			query text, type names				-> plan handle, shapes
 *	plan_free		plan handle
 *	cursor_open		query text | plan handle + values	-> cursor handle
 *	cursor_fetch	cursor handle, count				-> rows
 *	cursor_close	cursor handle
 *	commit, rollback
 *	subxact_begin								-> subtransaction handle
 *	subxact_end		handle, commit or roll back
 *	report			level and message fields (plpy.notice ... plpy.error)
 *	quote			literal or identifier, text			-> text
 *	type_resolve	shapes of a type (row types are looked up again)
 *
 * A handle is a token issued by the PostgreSQL side.  In the inline
 * transport the handles are that side's own pointers and names, and the
 * Python side still reads three things directly: the shapes of a plan's
 * arguments, a cursor's portal (its validity check), and the call's
 * innermost subtransaction entry (to refuse exiting another one).  A
 * channel transport sends shapes with the prepare reply and answers the
 * other two from its own bookkeeping.
 */

/* How the PostgreSQL side runs a request. */
typedef enum PLSDoorMode
{
	PLS_DOOR_SUBXACT,			/* inside an internal subtransaction */
	PLS_DOOR_LOCAL,				/* the same, needing neither SPI nor a call
								 * (logging, quoting) */
	PLS_DOOR_XACT				/* transaction control (commit, rollback,
								 * explicit subtransactions): no internal
								 * subtransaction, the request ends or
								 * starts one itself */
} PLSDoorMode;

/* The PostgreSQL side of one request: may ereport. */
typedef void (*PLSDoorServe) (void *request);

/*
 * Inline transport, called on the Python side with the role's interpreter
 * current: leaves Python, runs serve(request) on the PostgreSQL side, comes
 * back.  Returns true, or false with *err filled (the error rolled back).
 * *err may be NULL: then the error is rolled back and dropped.
 */
extern bool pls_door_call(PLSDoorServe serve, void *request, PLSDoorMode mode,
						  PLSDoorError *err);
extern void pls_door_error_free(PLSDoorError *err);

/* Python side: raise err as plpy.SPIError (or the subclass of its SQLSTATE). */
extern void pls_door_raise(const PLSDoorError *err);

#endif							/* PLS_DOOR_H */
