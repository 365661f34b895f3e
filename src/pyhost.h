/*-------------------------------------------------------------------------
 *
 * pyhost.h
 *	  The Python side's core, free of PostgreSQL: one role's restricted
 *	  interpreter (policy, restricted builtins, guards, facades, lock-down,
 *	  audit hook, trusted loader) and the compiling of function bodies,
 *	  compiled into both hosts that run it: the backend library (inline
 *	  mode) and plsafepy-worker (process mode, docs/isolation.md).
 *
 * Core files: pybuild.c (the embedded helpers, building an interpreter),
 * pycompile.c (bodies into functions, compile failures as plain values),
 * sandbox.c (the restricted runtime and its C functions), audit.c (the
 * audit hook), whitelist.c (reading plsafepy.allowed_modules lists),
 * pymemory.c (the memory budget).  They include no PostgreSQL header and
 * call no PostgreSQL function (the worker links them without PostgreSQL:
 * test/pycore_test.c proves it).
 *
 * What the core needs from its host is the HOST HOOKS below: each host
 * defines every one of them (the backend in pyhost_backend.c, limits.c,
 * signals.c and plpy.c; the worker in src/worker/pyhost_worker.c).
 *
 * Rules: functions returning int return 0, or -1 with a Python exception
 * set; functions returning PyObject * return a new reference, or NULL with
 * a Python exception set.  Every function is called with the GIL held and
 * the interpreter of pls_current current.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PLS_PYHOST_H
#define PLS_PYHOST_H

#include <Python.h>

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------- one role's interpreter ---------- */

typedef struct PLSInterp
{
	uint32_t	roleid;			/* the role's Oid (the backend's hash key) */
	PyThreadState *tstate;		/* the interpreter's only thread state */
	PyObject   *plpy;			/* this interpreter's plpy module object */
	PyObject   *GD;				/* dict shared by this role's functions */
	PyObject   *module_name;	/* __name__ of every function's globals */
	PyObject   *builtins;		/* restricted builtins dict */
	PyObject   *sandbox;		/* namespace of the src/sandbox/ helpers (trusted) */
	char	   *allowed_modules;	/* the role's complete whitelist when
									 * built (the backend's settings.c) */
	int			memory_limit_kb;	/* plsafepy.memory_limit of the role, or
									 * -1: the session's current value */
	bool		imports_preloaded;	/* every module the loader may load was
									 * imported when the interpreter was built
									 * (the worker, which can open no file
									 * afterwards): the loader takes modules
									 * from sys.modules only */
	PyObject   *preload_errors;	/* with imports_preloaded: the exception of
								 * each whitelisted module that failed to
								 * import then, raised again on its import */
	PyObject   *import_state;	/* (meta_path, path_hooks, path) as they
								 * were before lock-down, for the trusted
								 * loader of whitelisted modules */
	PyObject   *compile_body;	/* compiler.compile_body */
	PyObject   *body_error;		/* compiler.BodyError: (message, line) */
	PyObject   *policy;			/* check_source(body) and
								 * check_and_compile(tree, name, file),
								 * raising policy_error; set by the sandbox */
	PyObject   *policy_error;	/* exception class: (message, line, hint) */
	PyObject   *decimal;		/* decimal.Decimal (real class), or NULL
								 * until the first numeric value */
	PyObject   *exc_error;		/* plpy.Error */
	PyObject   *exc_fatal;		/* plpy.Fatal */
	PyObject   *exc_spierror;	/* plpy.SPIError */
	PyObject   *spiexc_module;	/* plpy.spiexceptions (classes made on
								 * first use) */
	PyObject   *spiexc_by_state;	/* dict: sqlstate str -> spiexceptions
									 * class made so far */
	PyObject   *exc_interrupted;	/* raised while an interrupt unwinds */
	volatile sig_atomic_t interrupt_queued; /* a call of limits.c's may be
											 * in this interpreter's
											 * pending-call queue */
} PLSInterp;

/*
 * The interpreter Python code is running in now (NULL outside plsafepy).
 * The host sets it: the backend around every entry (main.c), the worker
 * once (it has one role).
 */
extern PLSInterp *pls_current;

/* ---------- the embedded helpers (pybuild.c) ---------- */

/*
 * The trusted Python helpers as bytecode (tools/embed_py.py): src/NAME.py,
 * or the files of src/NAME/, as parts ending with one whose name is NULL.
 */
typedef struct PLSEmbedded
{
	const char *name;
	const unsigned char *code;	/* marshalled code object */
	size_t		len;
} PLSEmbedded;

extern const PLSEmbedded pls_py_compiler[];
extern const PLSEmbedded pls_py_sandbox[];

/* Run the parts of one embedded helper, in order, in a fresh namespace. */
extern PyObject *pls_run_embedded(const PLSEmbedded *parts);
extern int	pls_run_part(const PLSEmbedded *part, PyObject *ns);

/* ---------- the core's entry points ---------- */

/*
 * Once per process, before Py_Initialize (also accepted after it, as the
 * backend does when plpython3u started Python first): the audit hook
 * (audit.c; -1 without a Python exception if it could not be added) and
 * the class-namespace check of type's tp_new (sandbox.c).
 */
extern int	pls_audit_install(void);
extern void pls_type_check_install(void);

/*
 * Make the C accelerators that keep process-wide state unimportable in the
 * current interpreter (sandbox.c): pls_interp_build does it first; the
 * worker, which imports its modules as soon as Python starts, before
 * those imports.  0, or -1 with an exception set.
 */
extern int	pls_sandbox_block_modules(void);

/*
 * Fill interp, whose interpreter is current and is pls_current: the
 * compiler helper, the host's plpy module, the restricted runtime for
 * interp->allowed_modules, then lock-down.  Everything is imported here,
 * before lock-down.  A failed interp must never be used (its interpreter
 * is ended, or the worker exits).
 */
extern int	pls_interp_build(PLSInterp *interp);

/* decimal.Decimal, imported by the trusted loader on first use (borrowed) */
extern PyObject *pls_sandbox_decimal(PLSInterp *interp);

/*
 * The whitelist view's rows (sandbox/facades.py's describe): a new list of
 * (module, name, kind) tuples of str, each checked; NULL with an exception
 * set.  Both hosts serve the view with it (sandbox_sql.c, worker/call.c).
 */
extern PyObject *pls_sandbox_describe(PLSInterp *interp);

/* 42501 denial: logged through the host, raised as SandboxError */
extern PyObject *pls_deny(const char *what, const char *hint_setting);

/*
 * Compile a body (UTF-8, line ends already \n) into a function named
 * defname in interp (pycompile.c): its parameters are argnames (a list of
 * str), plus "args" as the last one if want_args and the body reads it
 * (out->uses_args).  filename is "<plsafepy function NAME>" (the audit hook
 * and tracebacks know bodies by it).  On success out holds new references
 * to the function, its globals (__builtins__, __name__, plpy, GD, SD) and
 * SD.  On failure out is untouched; pls_compile_error_take says what the
 * failure was.
 */
typedef struct PLSCompiled
{
	PyObject   *func;
	PyObject   *globals;
	PyObject   *SD;
	bool		uses_args;
} PLSCompiled;

extern int	pls_py_compile(PLSInterp *interp, const char *defname,
						   PyObject *argnames, const char *utf8_source,
						   const char *filename, bool want_args,
						   PLSCompiled *out);

/*
 * After pls_py_compile failed, what both hosts report: the policy denied
 * the body (42501, logged as a denial; message, line in the body and a
 * hint, or NULL), or it does not parse (a syntax error; message is the
 * DETAIL as PL/Python words it: "SyntaxError: ... (<string>, line N)",
 * N counting PL/Python's def line), the exception taken (cleared).
 * Anything else is OTHER: an internal failure, its exception left set for
 * the host to report.
 * message and hint are UTF-8 owned by err, NULL if the exception had none;
 * pls_compile_error_release frees them.
 */
typedef enum PLSCompileErrorKind
{
	PLS_COMPILE_OTHER,
	PLS_COMPILE_DENIED,
	PLS_COMPILE_SYNTAX
} PLSCompileErrorKind;

typedef struct PLSCompileError
{
	PLSCompileErrorKind kind;
	PyObject   *exc;			/* the exception's args: hold message, hint */
	const char *message;
	const char *hint;
	long		line;
} PLSCompileError;

/* How both hosts word them (procedure.c, worker/call.c). */
#define PLS_COMPILE_DENIED_DETAIL "Denied by the plsafepy policy at line %ld of function \"%s\"."
#define PLS_COMPILE_SYNTAX_MSG "could not compile PL/SafePy function \"%s\""
#define PLS_COMPILE_SYNTAX_INLINE_MSG "could not compile anonymous PL/SafePy code block"

extern void pls_compile_error_take(PLSInterp *interp, PLSCompileError *err);
extern void pls_compile_error_release(PLSCompileError *err);

/* The WARNING for a whitelisted module that is not installed. */
#define PLS_MODULE_UNAVAILABLE_MSG "module \"%s\" in plsafepy.allowed_modules is not installed"
#define PLS_MODULE_UNAVAILABLE_DETAIL "Role \"%s\" cannot import it."
#define PLS_MODULE_UNAVAILABLE_HINT "Check the spelling of the entry."

/* ---------- the memory budget (pymemory.c) ---------- */

/*
 * A byte budget over everything Python allocates in the process: over it,
 * while pls_limits_active, an allocation fails with MemoryError (53200)
 * and the interpreter goes on.  The budget of the running interpreter
 * (pls_current) is its memory_limit_kb lowered by the session's user_kb
 * (pls_budget_of), or, for an interpreter whose memory_limit_kb is -1 (and
 * outside any), the session's budget.
 */

/* limit_kb lowered by user_kb, in bytes; 0 for either means none */
static inline int64_t
pls_budget_of(int limit_kb, int user_kb)
{
	int64_t		b = (int64_t) limit_kb * 1024;

	if (user_kb > 0 && (b == 0 || (int64_t) user_kb * 1024 < b))
		b = (int64_t) user_kb * 1024;
	return b;
}

/*
 * Wrap Python's RAW and arena allocators, once per process, before
 * Py_Initialize (or after it: the running allocator is then wrapped).
 * NULL when installed; else the value of PYTHONMALLOC (debug hooks of a
 * runtime another PL started) that keeps the budget from being enforced.
 */
extern const char *pls_budget_install(void);

/*
 * The session's budget in bytes (0: none) and the session's lowering of
 * every interpreter's limit (kB, 0: none).  Not while Python allocates.
 */
extern void pls_budget_set(int64_t session_bytes, int user_kb);

/* ---------- HOST HOOKS: defined by each host ---------- */

/*
 * Nesting depth of plsafepy Python running now: the memory budget refuses
 * only while it is positive.  A variable (read on every allocation); the
 * backend's is also shared with its signal handlers (signals.c).
 */
extern volatile sig_atomic_t pls_limits_active;

/*
 * A denial (message: "... is not allowed in plsafepy") by function
 * function_name (NULL: none running), for the log with role and function.
 * Called with Python frames on the stack: it calls no Python, never fails,
 * never longjmps, never sets a Python exception.
 */
extern void pls_host_log_denial(const char *message, const char *function_name);

/* The SQL name of the function running now, or NULL; no Python, no failure. */
extern const char *pls_host_function_name(void);

/*
 * Module `module` of the role's whitelist is not installed: a WARNING of
 * PLS_MODULE_UNAVAILABLE_* (role name in the detail), while the
 * interpreter is built.  Calls no Python.  The backend's may throw a
 * PostgreSQL error (its build runs inside PG_TRY); the worker's returns.
 */
extern void pls_host_module_unavailable(const char *module);

/*
 * The interpreter cannot be trusted any more (the loader could not close
 * the import system): end the session or the process.  Never returns.
 */
extern void pls_host_fatal(const char *message) __attribute__((noreturn));

/* New extension libraries may have been loaded (no Python, no failure). */
extern void pls_host_extensions_loaded(void);

/*
 * A cancel or termination is pending: a long conversion (encode.c,
 * value_py.c) stops and raises pls_current->exc_interrupted.  No Python,
 * no failure; cheap (called every few thousand elements).
 */
extern bool pls_host_interrupt_pending(void);

/* The recursion limit to set while an interpreter is built (no failure). */
extern int	pls_host_recursion_limit(void);

/*
 * time.sleep for sandboxed code, secs already checked (non-negative, at
 * most 1e9): wait, ending early when the host's interrupt comes.  0 after the wait; -1 with an exception
 * set when interrupted (or the wait failed).  May release the GIL.
 */
extern int	pls_host_sleep(double secs);

/*
 * Create interp->plpy: a module with at least Error (the base of
 * SandboxError), Fatal, SPIError, debug, info, warning, and the classes
 * interp->exc_error, exc_fatal, exc_spierror, exc_interrupted.  0 or -1.
 */
extern int	pls_host_plpy_create(PLSInterp *interp);

/* print() for the restricted builtins: a new callable, or NULL. */
extern PyObject *pls_host_print_new(void);

/*
 * zoneinfo's data (sandbox.c's _zone_data): the time-zone file of zone
 * key (len bytes of UTF-8), a new bytes object; None if there is no such
 * zone; NULL with an exception set on a failure.  The backend reads it
 * (zone_data.c), also for the worker, which asks with a door request.
 * No key longer than PLS_ZONE_KEY_MAX bytes names a zone: sandbox.c asks
 * for none (a worker would send the backend all of it).
 */
#define PLS_ZONE_KEY_MAX 255
extern PyObject *pls_host_zone_data(const char *key, size_t len);

#endif							/* PLS_PYHOST_H */
