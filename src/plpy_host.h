/*-------------------------------------------------------------------------
 *
 * plpy_host.h
 *	  The PostgreSQL-free half of the plpy module (plpy.c) and of turning a
 *	  Python exception into error fields (pyerror.c), used by every host a
 *	  role's Python runs in (the backend inline, the worker process), and
 *	  the host hooks they call: each host implements them (the backend's
 *	  are in plpy_serve.c and spi_execute.c).
 *
 *	  Only Python.h and plain C headers: text is UTF-8, NUL-terminated;
 *	  SQLSTATEs are ints packed exactly as PostgreSQL's MAKE_SQLSTATE does,
 *	  so they equal its ERRCODE_* constants.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PLPY_HOST_H
#define PLPY_HOST_H

#include <Python.h>

#include <stdbool.h>
#include <stddef.h>

struct PLSInterp;

/* ---------- SQLSTATE codes (PostgreSQL's utils/elog.h packing) ---------- */

#define PLS_SQLSTATE_SIXBIT(ch)	(((ch) - '0') & 0x3F)
#define PLS_MAKE_SQLSTATE(c1, c2, c3, c4, c5) \
	(PLS_SQLSTATE_SIXBIT(c1) + (PLS_SQLSTATE_SIXBIT(c2) << 6) + \
	 (PLS_SQLSTATE_SIXBIT(c3) << 12) + (PLS_SQLSTATE_SIXBIT(c4) << 18) + \
	 (PLS_SQLSTATE_SIXBIT(c5) << 24))

#define PLS_SQLSTATE_EXTERNAL_ROUTINE_EXCEPTION PLS_MAKE_SQLSTATE('3', '8', '0', '0', '0')
#define PLS_SQLSTATE_OUT_OF_MEMORY		PLS_MAKE_SQLSTATE('5', '3', '2', '0', '0')
#define PLS_SQLSTATE_QUERY_CANCELED		PLS_MAKE_SQLSTATE('5', '7', '0', '1', '4')

/* Five characters of [0-9A-Z] packed, or -1 for anything else (NULL too). */
extern int	pls_sqlstate_pack(const char *s);
/* The five characters of a packed code, NUL-terminated, into buf. */
extern void pls_sqlstate_unpack(int code, char buf[6]);

/* ---------- an error as plain fields ---------- */

/* What raised it (pls_pyerror_fetch); a host error leaves it 0. */
typedef enum PLSErrorKind
{
	PLS_ERRK_PYTHON,			/* any other exception */
	PLS_ERRK_PLPY,				/* plpy.Error (plpy.error(), or raised) */
	PLS_ERRK_SPIERROR,			/* plpy.SPIError or a subclass */
	PLS_ERRK_MEMORY,			/* MemoryError */
	PLS_ERRK_INTERRUPT			/* the host's interrupt unwinding: no other
								 * field is set, the host raises its own */
} PLSErrorKind;

/*
 * The fields of an error, as a client sees them (PlsWireError, plus an
 * SPIError's query and position).  Every string is NULL (absent) or UTF-8
 * in memory of the C library's malloc, owned by the struct: free them with
 * pls_error_fields_free().  (Not Python's allocator: that one is held to
 * the role's memory budget, and the error being reported may be the
 * MemoryError of that budget.)
 */
typedef struct PLSErrorFields
{
	int			kind;			/* PLSErrorKind */
	bool		fatal;			/* plpy.Fatal: the session ends (FATAL) */
	int			sqlerrcode;		/* PLS_MAKE_SQLSTATE form; 0: unset */
	char	   *message;
	char	   *detail;
	char	   *hint;
	char	   *context;		/* the Python traceback */
	char	   *query;			/* SPIError: the internal query */
	int			position;		/* ... and the position in it, or 0 */
	char	   *schema_name;
	char	   *table_name;
	char	   *column_name;
	char	   *datatype_name;
	char	   *constraint_name;
} PLSErrorFields;

extern void pls_error_fields_free(PLSErrorFields *f);

/* ---------- pyerror.c: the pending exception as error fields ---------- */

/* The running function, for the traceback; kind is a PLS_FN_*. */
#define PLS_FN_FUNCTION		0	/* a function or trigger */
#define PLS_FN_PROCEDURE	1
#define PLS_FN_INLINE		2	/* a DO block */

typedef struct PLSFuncInfo
{
	const char *name;			/* SQL name, UTF-8 */
	const char *source;			/* the body, UTF-8 */
	int			kind;
} PLSFuncInfo;

/* The interpreter's exception classes (any may be NULL: none yet). */
typedef struct PLSErrorClasses
{
	PyObject   *error;			/* plpy.Error */
	PyObject   *fatal;			/* plpy.Fatal */
	PyObject   *spierror;		/* plpy.SPIError */
	PyObject   *interrupted;	/* raised while an interrupt unwinds */
} PLSErrorClasses;

/*
 * Take the pending Python exception (there must be one) into *f, PL/Python's
 * way: message "TypeName: value", SQLSTATE 38000 unless the exception
 * carries one (plpy.Error's sqlstate, SPIError's spidata) or is a
 * MemoryError (53200), the traceback of fn's frames (fn may be NULL) in
 * context.  next_item: raised while the host took the next item of a set's
 * iterator; the message is then PLS_SRF_NEXT_MSG, the exception the
 * detail, and the traceback PL/Python's for such a call (NULL context
 * where it has none).  The exception is cleared.  False if memory ran
 * out (f then empty).
 */
extern bool pls_pyerror_fetch(const PLSErrorClasses *classes,
							  const PLSFuncInfo *fn, bool next_item,
							  PLSErrorFields *f);

/* ---------- plpy.c ---------- */

/*
 * Raise f as plpy.SPIError, or its plpy.spiexceptions subclass for f's
 * SQLSTATE, with PL/Python's spidata, in the current interpreter.
 */
extern void pls_plpy_raise_spierror(const PLSErrorFields *f);

/* pystrings.c: the UTF-8 of str o, borrowed from o, refusing embedded NULs */
extern const char *pls_str_utf8(PyObject *o, Py_ssize_t *len);

/* ---------- host hooks: each host implements these ---------- */

/* plpy.debug ... plpy.fatal and print() */
typedef enum PLSReportLevel
{
	PLS_REPORT_DEBUG,
	PLS_REPORT_LOG,
	PLS_REPORT_INFO,
	PLS_REPORT_NOTICE,
	PLS_REPORT_WARNING,
	PLS_REPORT_ERROR,
	PLS_REPORT_FATAL
} PLSReportLevel;

typedef enum PLSReportField
{
	PLS_RF_MESSAGE,
	PLS_RF_DETAIL,
	PLS_RF_HINT,
	PLS_RF_SCHEMA,
	PLS_RF_TABLE,
	PLS_RF_COLUMN,
	PLS_RF_DATATYPE,
	PLS_RF_CONSTRAINT,
	PLS_RF_N
} PLSReportField;

typedef struct PLSReport
{
	int			level;			/* PLSReportLevel */
	int			sqlerrcode;		/* PLS_MAKE_SQLSTATE form; 0: the level's */
	const char *fields[PLS_RF_N];	/* UTF-8 without NULs; NULL: absent */
	size_t		lens[PLS_RF_N];
} PLSReport;

/*
 * Quote kinds, numbered as PLS_OP_QUOTE's (wire.h); quote_nullable(None)
 * never reaches the host, any other quote_nullable is a literal.
 */
#define PLS_QUOTE_LITERAL	0
#define PLS_QUOTE_IDENT		2

/*
 * The hooks are called on the Python side with the role's interpreter
 * current.  A hook that fails returns false (NULL) with a Python exception
 * set (the host raised it: its interrupt, or a failure of the request
 * itself), or else with *err filled, which the caller raises and frees:
 * plpy.Error with err's fields for a report, plpy.SPIError for a quote.
 */

/* Send a report; an ERROR comes back as a failure.  FATAL never returns. */
extern bool pls_host_report(const PLSReport *r, PLSErrorFields *err);

/* quote_literal (PLS_QUOTE_LITERAL) or quote_ident of utf8, as a str */
extern PyObject *pls_host_quote(int kind, const char *utf8, size_t len,
								PLSErrorFields *err);

/*
 * Add the SPI side of plpy (execute, prepare, cursor, subtransaction,
 * commit, rollback) to module, the plpy of interp.  0, or -1 with a
 * Python exception set.
 */
extern int	pls_host_plpy_add_spi(PyObject *module, struct PLSInterp *interp);

/* plpy.c: the spiexceptions class of a SQLSTATE (made on first use) */
struct PLSInterp;
extern PyObject *pls_spiexc_for_state(struct PLSInterp *interp,
									  const char *sqlstate);

/*
 * print() for the sandbox's builtins: the text goes to the client as a
 * NOTICE.  pls_host_print_new returns a new callable for the current
 * interpreter (METH_FASTCALL | METH_KEYWORDS on pls_plpy_print).
 */
extern PyObject *pls_plpy_print(PyObject *self, PyObject *const *args,
								Py_ssize_t nargs, PyObject *kwnames);

#endif							/* PLPY_HOST_H */
