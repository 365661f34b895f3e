/*-------------------------------------------------------------------------
 *
 * plsafepy.h
 *	  Declarations shared by the plsafepy sources: the per-role interpreter,
 *	  the compiled procedure, type conversion, error translation, and the
 *	  entry points of each concern (sandbox, limits, SPI, triggers).
 *
 * Rules every source follows:
 *	- Python is entered only through pls_enter()/pls_leave(); between them
 *	  the current thread state is the role's interpreter.
 *	- A C function callable from Python never lets a PostgreSQL error
 *	  longjmp out of it: it wraps PostgreSQL calls in PG_TRY (or runs them in
 *	  a subtransaction) and turns the error into a Python exception.
 *	- Functions that return PyObject * return a new reference, or NULL with
 *	  a Python exception set.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PLSAFEPY_H
#define PLSAFEPY_H

#include "postgres.h"

/*
 * Python.h after postgres.h, as PL/Python does it (plpython_system.h):
 * pyconfig.h defines _POSIX_C_SOURCE and _XOPEN_SOURCE, which glibc's
 * features.h already set from PostgreSQL's -D_GNU_SOURCE (so drop ours to
 * avoid redefinition), and may redefine the printf family that
 * PostgreSQL's port.h maps to its own implementations (so put ours back).
 */
#undef _POSIX_C_SOURCE
#undef _XOPEN_SOURCE
#undef vsnprintf
#undef snprintf
#undef vsprintf
#undef sprintf
#undef vfprintf
#undef fprintf
#undef vprintf
#undef printf

#include <Python.h>

#undef vsnprintf
#undef snprintf
#undef vsprintf
#undef sprintf
#undef vfprintf
#undef fprintf
#undef vprintf
#undef printf
#define vsnprintf		pg_vsnprintf
#define snprintf		pg_snprintf
#define vsprintf		pg_vsprintf
#define sprintf			pg_sprintf
#define vfprintf		pg_vfprintf
#define fprintf			pg_fprintf
#define vprintf			pg_vprintf
#define printf(...)		pg_printf(__VA_ARGS__)

#include <signal.h>

#include "access/htup.h"
#include "access/tupdesc.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/guc.h"
#include "utils/hsearch.h"

/* the Python side's core, shared with plsafepy-worker */
#include "pyhost.h"

#define PLS_LANGNAME "plsafepy"

/* ---------- per-role interpreter (interp.c; PLSInterp in pyhost.h) ---------- */

extern PLSInterp *pls_interp_for_role(Oid roleid);
extern PyThreadState *pls_main_tstate(void);
/* main.c: start Python in this backend, if it has not started (interp.c) */
extern void pls_python_start(void);

/*
 * Enter and leave a role's interpreter (limits.c, with interrupt
 * delivery).  pls_enter saves the thread state to restore; calls nest
 * (plsafepy -> SPI -> plsafepy in another role).
 */
typedef struct PLSEntry
{
	PyThreadState *prev_tstate;
	PLSInterp  *prev_interp;
} PLSEntry;

extern void pls_enter(PLSInterp *interp, PLSEntry *save);
extern void pls_leave(PLSEntry *save);

/*
 * Step out of Python while PostgreSQL code runs (SPI, logging): the main
 * interpreter becomes current again, so another PL (plpython3u) called from
 * that SQL never runs inside a plsafepy interpreter, and interrupts are left
 * to PostgreSQL.  pls_resume undoes it.
 */
extern void pls_suspend(PLSEntry *save);
extern void pls_resume(PLSEntry *save);

/*
 * The execution context of one call (door.c): pushed by the handlers,
 * popped on every exit.  It owns the call's SPI connection (made lazily, by
 * the first request that needs it), the scratch memory of its requests and
 * the explicit subtransactions its code entered.
 */
typedef struct PLSExecCtx
{
	struct PLSProc *proc;
	bool		nonatomic;		/* CALL/DO outside a transaction block */
	bool		spi_connected;
	MemoryContext scratch;		/* the running request's memory, or NULL */
	MemoryContext rowtmp;		/* one result row's conversion, or NULL */
	bool		in_request;		/* a door request of this call is running */
	struct PLSSubxactEntry *subxacts;	/* explicit ones, innermost first */
	int			nsubxacts;
	struct PLSExecCtx *prev;
} PLSExecCtx;

/* The running call's context; NULL where no call may use SPI. */
extern PLSExecCtx *pls_exec_ctx;

extern void pls_exec_release(PLSExecCtx *ctx);

static inline void
pls_exec_push(PLSExecCtx *ctx, struct PLSProc *proc, bool nonatomic)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->proc = proc;
	ctx->nonatomic = nonatomic;
	ctx->prev = pls_exec_ctx;
	pls_exec_ctx = ctx;
}

/*
 * Pop ctx, on every exit of the call, error included (most calls made no
 * request: nothing to release).
 */
static inline void
pls_exec_pop(PLSExecCtx *ctx)
{
	if (unlikely(ctx->subxacts || ctx->scratch || ctx->rowtmp))
		pls_exec_release(ctx);
	pls_exec_ctx = ctx->prev;
}
/* Connect SPI for ctx if it is not yet (may ereport). */
extern void pls_exec_spi_connect(PLSExecCtx *ctx);
extern void pls_exec_spi_disconnect(PLSExecCtx *ctx, MemoryContext cxt);

/*
 * Disconnect it if it was connected; back to cxt (may ereport).  Inline:
 * most calls made no request.
 */
static inline void
pls_exec_spi_finish(PLSExecCtx *ctx, MemoryContext cxt)
{
	if (ctx != NULL && ctx->spi_connected)
		pls_exec_spi_disconnect(ctx, cxt);
}


/* ---------- role-resolved settings (settings.c) ---------- */

/*
 * The settings that shape roleid's interpreter: plsafepy.allowed_modules
 * (the complete list, in TopMemoryContext) and plsafepy.memory_limit (kB, or -1 for
 * the session user's own role, whose current value applies).  Needs a
 * transaction; ereports on an invalid stored value.
 */
extern void pls_settings_resolve(Oid roleid, char **allowed_modules,
								 int *memory_limit_kb);
/* plsafepy.isolation (a PLS_ISOLATION_* of worker_pool.h) for roleid */
extern int	pls_settings_isolation(Oid roleid);

/* ---------- type conversion (convert*.c, encode.c, decode.c) ---------- */

#include "door.h"

/*
 * The transforms a function's conversions use (transform.c): the types of
 * its TRANSFORM FOR TYPE clause whose transform is jsonb_plsafepy's or
 * hstore_plsafepy's (any other is refused).  Copied into each PLSType built
 * for the function (arguments, result, trigger rows, plpy's results and
 * plan arguments), which passes it on to its elements, base type and
 * columns, where PL/Python applies transforms.  All zero: none.
 */
typedef struct PLSTrf
{
	bool		jsonb;			/* jsonb, by jsonb_plsafepy's transform */
	Oid			hstore;			/* the type of hstore_plsafepy's transform,
								 * or InvalidOid */
} PLSTrf;

typedef struct PLSType PLSType;
typedef PyObject *(*PLSToPy) (PLSType *t, Datum d);
typedef Datum (*PLSDecode) (PLSType *t, const PLSValue *v, bool *isnull);
typedef void (*PLSToValue) (PLSType *t, Datum d, PLSValue *out);

/*
 * One type's conversions.  Datum -> Python (to_py) reads the Datum
 * directly; Python -> Datum is two steps across the door: the Python side
 * encodes the object for the type's shape into a PLSValue (encode.c), the
 * PostgreSQL side decodes that into a Datum (decode, decode.c).  For a
 * Python side in another process, Datum -> Python is two steps too: the
 * Datum as a PLSValue (to_value, datum_value.c), then that value as a
 * Python object (value_py.c), with to_py's result.
 */
struct PLSType
{
	Oid			typoid;
	int32		typmod;
	int16		typlen;
	bool		typbyval;
	char		typalign;
	char		typtype;		/* TYPTYPE_* of typoid itself */
	Oid			typioparam;
	MemoryContext mcxt;			/* where lazily built parts live */
	PLSTrf		trf;			/* the transforms in effect */
	PLSToPy		to_py;
	PLSToValue	to_value;
	PLSDecode	decode;
	FmgrInfo	typinput;
	FmgrInfo	typoutput;
	/* what the Python side encodes for (a domain: its base type's) */
	const PLSShape *shape;
	PLSShape	shape_data;
	/* domains: the base type's conversion, then domain_check */
	PLSType    *base;
	void	   *domain_info;
	/* arrays */
	PLSType    *elem;
	int16		elmlen;
	bool		elmbyval;
	char		elmalign;
	/* composites and RECORD */
	TupleDesc	tupdesc;		/* NULL for RECORD until known */
	PLSType    *atts;			/* natts entries */
	int			natts;
	MemoryContext attcxt;		/* atts and their shapes (child of mcxt) */
	bool		atts_have_rows; /* a column's shape has a row type */
	uint64		tupdesc_id;		/* to notice a changed row type */
};

/*
 * Fill *t for a value of type typoid/typmod, with the transforms trf (NULL:
 * none).  Conversion functions may ereport(ERROR) on bad input (after the
 * Python call has returned, or inside a door request).
 */
extern void pls_type_init(PLSType *t, Oid typoid, int32 typmod,
						  MemoryContext mcxt, const PLSTrf *trf);

/*
 * PostgreSQL side: make t's shape current (row types looked up again, a
 * RECORD's row type given by pls_type_set_tupdesc), before a value is
 * encoded for it.  May ereport.
 */
extern void pls_type_resolve(PLSType *t);
/*
 * PostgreSQL side: the shape a Python value for t is encoded for, made
 * current (pls_type_resolve where t has row types; a RECORD result's row
 * type must have been given first).  May ereport.
 */
extern const PLSShape *pls_type_shape(PLSType *t);
/* Does t's shape contain a row type (so needs resolving per use)? */
extern bool pls_type_has_row(PLSType *t);

/*
 * Datum -> new Python reference, or NULL with a Python exception set.  It
 * may also ereport (detoasting, output functions): callers with Python
 * frames above them wrap it in PG_TRY.
 */
extern PyObject *pls_to_py(PLSType *t, Datum d, bool isnull);

/*
 * Python -> Datum in one process, for function results and trigger rows:
 * resolve, encode, decode.  Ereports on a value that does not convert.
 */
extern Datum pls_from_py(PLSType *t, PyObject *o, bool *isnull);

/*
 * PostgreSQL side: Datum d of t as a door value for value_py.c, allocated
 * in CurrentMemoryContext (strings may point into d's memory: the value
 * lives as long as both).  Detoasts as to_py does; may ereport (output
 * functions, encoding conversion).
 */
extern void pls_datum_to_value(PLSType *t, Datum d, bool isnull, PLSValue *out);

/* PostgreSQL side: a door value as a Datum of t (ereports). */
extern Datum pls_decode(PLSType *t, const PLSValue *v, bool *isnull);

/* Give a RECORD type its row type for this call (copied into t->mcxt). */
extern void pls_type_set_tupdesc(PLSType *t, TupleDesc desc);

/* A whole tuple as a dict (composite argument, SPI row, TD["new"]). */
extern PyObject *pls_tuple_to_dict(PLSType *rowtype, HeapTuple tuple, TupleDesc desc);

/* Python side: the encoder and door values as Python objects. */
#include "pyvalue.h"

/* After an encoding failure: ereport it (frees e first). */
extern void pls_encoder_report(PLSEncoder *e) pg_attribute_noreturn();

/* Server encoding <-> Python str (strings.c). */
extern PyObject *pls_str_from_server(const char *s, Py_ssize_t len);
extern const char *pls_server_to_utf8(const char *s, size_t len,
									  size_t *utf8len);
extern char *pls_utf8_to_server(const char *utf8, size_t len);
/* the same for a door value's text, whose UTF-8 is known valid */
extern char *pls_value_text_to_server(const char *utf8, size_t len);
/* A str's UTF-8 (borrowed), refusing embedded NULs; NULL with exception */
extern const char *pls_str_utf8(PyObject *o, Py_ssize_t *len);


/* ---------- compiled procedures (procedure.c) ---------- */

typedef enum PLSProcKind
{
	PLS_FUNCTION,
	PLS_PROCEDURE,
	PLS_TRIGGER,
	PLS_INLINE
} PLSProcKind;

typedef struct PLSProcKey
{
	Oid			fn_oid;
	Oid			roleid;
} PLSProcKey;

typedef struct PLSProc
{
	PLSProcKey	key;			/* hash key */
	bool		valid;			/* cleared by pg_proc invalidation */
	uint32		hashvalue;		/* syscache hash of the pg_proc row */
	PLSProcKind kind;
	char	   *name;			/* SQL name, for messages */
	char	   *source;			/* the body, for tracebacks */
	MemoryContext mcxt;
	PLSInterp  *interp;
	PyObject   *func;			/* the compiled Python function */
	PyObject   *globals;		/* its globals (SD, GD, plpy, builtins) */
	PyObject   *SD;
	int			nargs;			/* SQL arguments passed in */
	int			npyargs;		/* Python parameters (named args + args/TD) */
	bool		uses_args;		/* pass the args list as the last parameter */
	int		   *argpos;			/* Python parameter -> SQL arg, -1 for args */
	PLSTrf		trf;			/* its TRANSFORM FOR TYPE clause */
	PLSType    *argtypes;		/* nargs entries (input arguments only) */
	PLSType		result;
	bool		is_setof;
	bool		is_record;		/* RETURNS record / OUT params */
	bool		readonly;		/* volatility != volatile */
	int			calldepth;		/* nested calls running now */
	/* process isolation: the role's worker runs it (call_process.c) */
	bool		process;
	uint64		generation;		/* unique per build: the worker's key */
	const char *defname;		/* the Python name of the def */
	char	  **argnames;		/* npyargs entries: Python parameter names */
} PLSProc;

/*
 * The transforms of the running call's function, which plpy's results and
 * plans use as PL/Python does; NULL outside a call.
 */
static inline const PLSTrf *
pls_exec_trf(void)
{
	return pls_exec_ctx && pls_exec_ctx->proc ? &pls_exec_ctx->proc->trf : NULL;
}

/* The same as a value: none outside a call (conversions cached by them). */
static inline PLSTrf
pls_exec_trf_value(void)
{
	const PLSTrf *trf = pls_exec_trf();
	PLSTrf		none = {0};

	return trf ? *trf : none;
}

static inline bool
pls_trf_equal(PLSTrf a, PLSTrf b)
{
	return a.jsonb == b.jsonb && a.hstore == b.hstore;
}

/*
 * The transforms of the function in pg_proc row procTup (transform.c);
 * ereports on a TRANSFORM FOR TYPE whose transform plsafepy does not
 * implement.
 */
extern void pls_trf_for_function(HeapTuple procTup, PLSTrf *trf);

extern PLSProc *pls_proc_get(FunctionCallInfo fcinfo, PLSProcKind kind);
extern PLSProc *pls_proc_inline(const char *source);
extern void pls_proc_release_inline(PLSProc *proc);
extern void pls_proc_validate(Oid fn_oid);
extern void pls_proc_init(void);

/* ---------- calling (exec.c, trigger.c) ---------- */

extern Datum pls_exec_function(PLSProc *proc, FunctionCallInfo fcinfo);

/*
 * A set-returning function's scan keeps its state in funcctx->user_fctx,
 * in both isolations; the state starts with this.
 */
typedef struct PLSSrfHead
{
	PLSProc    *proc;			/* counted as running while the scan lasts */
} PLSSrfHead;

extern PLSProc *pls_srf_proc(FunctionCallInfo fcinfo);
extern void pls_srf_check_mode(FunctionCallInfo fcinfo);
extern HeapTuple pls_exec_trigger(PLSProc *proc, FunctionCallInfo fcinfo);
extern void pls_exec_inline(PLSProc *proc);

/* The result's context line and the void check (exec.c), both modes. */
extern void pls_result_context_push(PLSProc *proc, ErrorContextCallback *cb);
extern void pls_result_context_pop(ErrorContextCallback *cb);
extern bool pls_result_void(PLSProc *proc, bool returned_none);
extern TupleDesc pls_result_record_desc(FunctionCallInfo fcinfo);

/* Process isolation (call_process.c): the call carried to the worker. */
extern Datum pls_process_function(PLSProc *proc, FunctionCallInfo fcinfo);
extern void pls_process_inline(PLSProc *proc);
extern void pls_process_validate(PLSProc *proc);
extern HeapTuple pls_process_trigger(PLSProc *proc, FunctionCallInfo fcinfo);

/* Call proc->func with a prepared argument vector; NULL on exception. */
extern PyObject *pls_call(PLSProc *proc, PyObject *const *args, Py_ssize_t nargs);

/* ---------- errors (errors.c) ---------- */

/*
 * Turn the pending Python exception into ereport(elevel).  Never returns for
 * ERROR.  Clears the Python exception first, so no Python frame is active
 * when the longjmp happens.  Call it with the role's interpreter current.
 */
extern void pls_elog_exception(int elevel, PLSProc *proc) pg_attribute_noreturn();

/*
 * The same (ERROR) for an exception raised by the next item of a set's
 * iterator (pls_pyerror_fetch's next_item).
 */
extern void pls_elog_next_item_exception(PLSProc *proc) pg_attribute_noreturn();

/*
 * Inside a C function called from Python, after PG_CATCH: copy the error,
 * flush it, and raise the matching plpy.SPIError subclass.  Use it after
 * rolling back the subtransaction.
 */
extern void pls_raise_pg_error(ErrorData *edata);
/* Once per backend, before Python runs: what pls_raise_pg_error needs. */
extern void pls_errors_prepare(void);


/* Error context callback argument: which procedure is running. */
extern void pls_error_context(void *arg);

/* The context line of a DO block's errors. */
#define PLS_INLINE_CONTEXT "PL/SafePy anonymous code block"

/* The current procedure, for messages and the audit log (NULL if none). */
extern PLSProc *pls_current_proc;

/* ---------- the plpy module (plpy.c, spi.c) ---------- */

/* (pls_host_plpy_create builds an interpreter's plpy module) */

/*
 * Explicit subtransactions (plpy.subtransaction()) a Python call left
 * open: take pls_subxact_depth() before the call and pass it to
 * pls_subxact_abort_open() after it returns (PL/Python's
 * PLy_abort_open_subtransactions: WARNING, then roll them back).
 */
extern void pls_subxact_abort_open_slow(int depth);

static inline int
pls_subxact_depth(void)
{
	return pls_exec_ctx ? pls_exec_ctx->nsubxacts : 0;
}

static inline void
pls_subxact_abort_open(int depth)
{
	if (unlikely(pls_exec_ctx != NULL && pls_exec_ctx->nsubxacts > depth))
		pls_subxact_abort_open_slow(depth);
}

/* ---------- sandbox settings (sandbox_sql.c, whitelist_setting.c) ---------- */

extern char *pls_allowed_modules;
extern void pls_sandbox_init(void);
extern bool check_allowed_modules(char **newval, void **extra,
								  GucSource source);
extern char *pls_whitelist_expand(const char *value);

/*
 * Give a new interpreter a thread state whose id is unique in the backend,
 * so that C-level ContextVar caches (decimal's context) never answer for
 * another interpreter (decimal_context.c).
 */
extern bool pls_tstate_make_unique(PyThreadState **ts);

/*
 * zoneinfo's data (zone_data.c): the time-zone file of zone key (len
 * bytes), at most PLS_ZONE_DATA_MAX bytes of it read into buf: its
 * length, or -1 if there is no such zone.  No PostgreSQL error.  The
 * largest time-zone files are a few kilobytes.
 */
#define PLS_ZONE_DATA_MAX (64 * 1024)
extern int	pls_zone_data_read(const char *key, size_t len, char *buf);


/* ---------- resource limits (limits.c, signals.c, memory.c) ---------- */

extern int	pls_memory_limit_kb;
extern int	pls_interrupt_grace_ms;
extern void pls_memory_install(void);
/* the budget of a call of roleid's code in its worker, kB (0: none) */
extern int	pls_memory_call_kb(Oid roleid);
extern void pls_limits_init(void);

/* after a Python call failed: rethrow a pending PostgreSQL interrupt */
extern void pls_limits_check(void);

/*
 * In a C function called from Python, after PG_CATCH and the rollback of
 * its subtransaction (spi.c): an interrupt (SQLSTATE class 57) is kept to
 * be rethrown once back in C, exc_interrupted is raised and true returned
 * (return NULL to Python); otherwise false, nothing done.
 */
extern bool pls_limits_catch_error(ErrorData *edata);

/* The pending call that raises exc_interrupted (limits.c). */
extern int	pls_interrupt_pending_call(void *arg);

/* Log the escalation's FATAL and end the backend, from normal context. */
extern void pls_exit_after_escalation(void) pg_attribute_noreturn();

/*
 * State shared with signal handlers (signals.c, under its rules).
 * pls_limits_active (pyhost.h): nesting depth of plsafepy Python running
 * now (zero while PostgreSQL code runs).  pls_python_abandoned: set before
 * the backend is ended with Python stuck; nothing may run Python again.
 * pls_delivery_open: the handler may queue the pending call.
 */
extern volatile sig_atomic_t pls_python_abandoned;
extern volatile sig_atomic_t pls_delivery_open;
extern volatile sig_atomic_t pls_grace_armed;
extern volatile sig_atomic_t pls_escalation_due;
extern volatile sig_atomic_t pls_interrupt_held;	/* limits.c keeps a
													 * cancel */
extern volatile sig_atomic_t pls_escalation_kind;

#define PLS_ESCALATE_NONE		0
#define PLS_ESCALATE_GRACE		1
#define PLS_ESCALATE_CLEANUP	2
#define PLS_ESCALATE_C_STACK	3

extern bool pls_in_cleanup(void);
extern bool pls_interrupt_wanted(void);
extern void pls_grace_arm(int ms);
extern void pls_grace_disarm(void);
extern void pls_signals_backend_setup(void);
extern bool pls_signals_backend_ready(void);
extern void pls_segv_tripwire_install(void);
extern void pls_segv_tripwire_refresh(void);

/* plsafepy.log_denials (sandbox_sql.c): log each denial with role and function */
extern bool pls_log_denials;

#endif							/* PLSAFEPY_H */
