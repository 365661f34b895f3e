/*-------------------------------------------------------------------------
 *
 * worker.h
 *	  Declarations shared by the files of the plsafepy-worker program
 *	  (main.c, confine.c, seccomp.c, watchdog.c, pyhost_worker.c, call.c
 *	  and, in the test-only build, testing.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PLS_WORKER_WORKER_H
#define PLS_WORKER_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "worker/channel.h"

/* main.c */
extern void pls_worker_exception_text(char *buf, size_t len);

/* confine.c: the walls other than seccomp. */
extern uint32_t pls_confine_namespaces(void);
extern uint32_t pls_confine_empty_root(uint32_t walls);
extern int	pls_confine_limits(uint64_t memory_limit, char *err, size_t errlen);
extern int	pls_confine_privileges(char *err, size_t errlen);
extern uint32_t pls_confine_landlock(uint32_t *abi);

/* seccomp.c: the system call allowlist, the last wall. */
extern int	pls_seccomp_install(char *err, size_t errlen);

/*
 * pyhost_worker.c: the role's restricted interpreter, built by the core
 * (src/pyhost.h) in the worker's main interpreter (one role per worker).
 */
struct PLSInterp;
struct _object;					/* PyObject */

/*
 * Build interp for role (its name, for messages), with allowed_modules (the
 * role's complete whitelist, as the backend's settings.c resolved it) and
 * Python's recursion limit.  Call it once, after Python has started and
 * before lock-in (resource limits, Landlock, seccomp): every module the
 * whitelist names, and those of preload.h, is imported here, since no file
 * can be opened afterwards; the trusted loader later takes them from
 * sys.modules.  The audit hook and the class check are installed here if
 * the caller did not do it before Py_Initialize (pls_audit_install,
 * pls_type_check_install: better).  Sets pls_current to interp.  From then
 * on the audit hook denies every audited operation in the main interpreter
 * outside the loader and the compiling of bodies: the worker's own C code
 * must not import, exec or compile after this.  0, or -1 with a Python
 * exception set (the worker then reports it and exits).
 */
extern int	pls_worker_build_interp(struct PLSInterp *interp, const char *role,
									const char *allowed_modules,
									int recursion_limit);

/*
 * The memory budget of the role's code (pyhost.h's, pymemory.c), as inline
 * mode's: budget_init with INIT's plsafepy.memory_limit once the
 * interpreter is built (the budget refuses from then on: the role's code
 * can run), budget_call with each CALL's, which can only lower INIT's.
 * kB, 0: none.
 */
extern void pls_worker_budget_init(int memory_limit_kb);
extern void pls_worker_budget_call(int memory_limit_kb);

/*
 * The channel's interrupt word (PlsChanShm.interrupt_seq), set before the
 * first call: the sandbox's time.sleep waits on it with FUTEX_WAIT and
 * ends early when the backend's interrupt changes it.
 */
extern volatile uint32_t *pls_worker_interrupt_word;

/* The SQL name of the function running now (NULL: none), for denials. */
extern const char *pls_worker_function_name;

/*
 * What the integrator provides (the channel's side of the host hooks):
 * - report_denial: a denial (pyhost.h's pls_host_log_denial) for the
 *   backend's log; no Python, no failure;
 * - report_warning: a WARNING (a whitelisted module that is not
 *   installed, SQLSTATE 42704) while the interpreter is built; no Python;
 * - fatal: report message as the worker's ERROR and exit; never returns.
 */
extern void pls_worker_report_denial(const char *message,
									 const char *function_name);
extern void pls_worker_report_warning(const char *message, const char *detail,
									  const char *hint);
extern void pls_worker_fatal(const char *message) __attribute__((noreturn));

/*
 * call.c: the door's worker side.  take_init reads INIT (before lock-in)
 * and builds the role's interpreter; dispatch serves one message that runs
 * the role's code; the wire memory of the worker (plain malloc, outside
 * the memory budget of its Python).
 */
extern int	pls_worker_take_init(PlsChan *chan, char *err, size_t errlen);

/*
 * request.c: requests to the backend (the Python side's hooks use them).
 * requests_start at INIT; exit ends the worker when its backend broke the
 * protocol or memory for a message is gone; send_warnings sends the
 * interpreter build's warnings as reports, at the first call.
 */
extern void pls_worker_requests_start(PlsChan *chan);
extern void pls_worker_exit(int code) __attribute__((noreturn));
extern void pls_worker_send_warnings(void);
/* CALL, FETCH, CLOSE or WHITELIST, at the top or nested in a request */
extern void pls_worker_dispatch(uint32_t tag, const void *data, size_t len);
extern const struct PlsWireMem pls_worker_raw_mem;

/*
 * call.c, for the SPI hooks (spi_worker.c): a request is built in
 * pls_worker_reqbuf, sent by pls_worker_request, which serves the nested
 * calls that come first and then reads its REP (whether ok, and a reader
 * over the fields after that byte, in the arena); pls_worker_reply_error
 * takes a failed reply's error.  pls_worker_epoch counts requests and
 * calls (anything that may have changed the backend's portals); the
 * arena is released down to a mark once a reply has been read.
 */
struct PlsWireBuf;
struct PlsWireReader;
struct PLSErrorFields;
extern struct PlsWireBuf pls_worker_reqbuf;
extern void pls_worker_request(struct PlsWireReader *r, bool *ok);
extern void pls_worker_reply_error(struct PlsWireReader *r,
								   struct PLSErrorFields *err);
extern uint64_t pls_worker_epoch;
extern int	pls_worker_call_depth;
extern size_t pls_worker_arena_mark(void);
extern void pls_worker_arena_release(size_t mark);

/* spi_worker.c: send the queued releases of plans and cursors now */
extern void pls_worker_spi_flush(void);

/*
 * call.c, for srf.c and trigger.c: the arena decoded messages live in
 * (released to its mark after each message by pls_worker_dispatch);
 * sending a message (a failure ends the worker); RAISE; the pending Python exception (next_item: raised
 * by a set's next item, see pls_pyerror_fetch) or an encoder's failure as a
 * PlsWireError, the watchdog let go first, whose strings live in *f (and
 * in e) until pls_error_fields_free.
 */
struct PlsWireError;
struct PlsWireCall;
struct PLSFuncInfo;
struct PLSEncoder;

extern const struct PlsWireMem pls_worker_arena_mem;
extern void pls_worker_send(uint32_t tag, const struct PlsWireBuf *b);
extern void pls_worker_raise(const struct PlsWireError *we);
extern void pls_worker_exception_error(const struct PLSFuncInfo *fn,
									   bool next_item,
									   struct PlsWireError *we,
									   struct PLSErrorFields *f);
extern void pls_worker_encoder_error(struct PLSEncoder *e,
									 const struct PLSFuncInfo *fn,
									 struct PlsWireError *we,
									 struct PLSErrorFields *f);

/*
 * srf.c: set-returning functions (wire.h).  srf_begin answers a SETOF
 * CALL whose function returned res (a reference it takes): the iterator
 * kept under a new handle, the first ROWS; fetch and close serve FETCH and
 * CLOSE messages.
 */
extern void pls_worker_srf_begin(const struct PlsWireCall *call,
								 struct _object *res,
								 const struct PLSFuncInfo *fn);
extern void pls_worker_fetch(const void *data, size_t len);
extern void pls_worker_close(const void *data, size_t len);


/* watchdog.c: stops running Python code on the backend's interrupt. */
extern int	pls_watchdog_start(volatile uint32_t *interrupt_seq,
							   char *err, size_t errlen);
extern void pls_watchdog_call_begin(void);
extern void pls_watchdog_call_end(void);
extern bool pls_watchdog_interrupted(void);
extern bool pls_watchdog_pending(void);

/*
 * trigger.c: answers a trigger's CALL whose function returned res, td
 * being the TD dict it was given (references it takes; td NULL: the call
 * had no argument).
 */
extern void pls_worker_trigger_end(const struct PlsWireCall *call,
								   struct _object *res, struct _object *td,
								   const struct PLSFuncInfo *fn);

#ifdef PLS_WORKER_TESTING
/*
 * testing.c: full, unrestricted Python inside the locked worker, for an
 * INIT with PLS_INIT_TESTING_UNSANDBOXED (call.c prepares it then).
 * pls_testing_function: "def defname(argnames): source" as plain Python,
 * compiled under filename, in a fresh copy of the prepared globals (a new
 * reference, or NULL with a Python exception).
 */
extern int	pls_testing_prepare(void);
extern uint32_t pls_testing_exec(const char *src, uint32_t len,
							 char *out, uint32_t outsize);
extern struct _object *pls_testing_function(const char *defname,
											struct _object *argnames,
											const char *source,
											const char *filename);
#endif

#endif							/* PLS_WORKER_WORKER_H */
