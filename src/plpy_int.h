/*-------------------------------------------------------------------------
 *
 * plpy_int.h
 *	  Private declarations of the backend's plpy files: plpy_serve.c (the
 *	  hooks of plpy.c for logging and quoting), errors.c (error fields
 *	  for the Python side), door.c (the door's inline transport and the
 *	  execution context), and the PostgreSQL side of plpy's SPI (spi_host.h),
 *	  one file per Python type or concern: spi_execute_serve.c (also the
 *	  hook adding the SPI functions to plpy), spi_plan_serve.c,
 *	  spi_cursor_serve.c, spi_subxact_serve.c, spi_xact_serve.c,
 *	  spi_rowconv.c (the row-shape cache and the row sink of inline mode),
 *	  and process_spi.c (the same requests served for a worker).  Nothing
 *	  else includes it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PLPY_INT_H
#define PLPY_INT_H

#include "plsafepy.h"

#include "executor/spi.h"
#include "tcop/dest.h"

#include "plpy_host.h"
#include "spi_host.h"

/* ---------- door.c ---------- */

/* Is the running call's function read-only (not volatile)? */
extern bool pls_exec_readonly(void);
/* The running request's scratch memory (reset per request). */
extern MemoryContext pls_exec_scratch(PLSExecCtx *ctx);
/* Memory for converting one row of a result (reset after each row). */
extern MemoryContext pls_exec_rowtmp(PLSExecCtx *ctx);
/* pls_door_call, the error kept in errcxt (a cursor's pending error) */
extern bool pls_door_call_keep(PLSDoorServe serve, void *request,
							   PLSDoorMode mode, PLSDoorError *err,
							   MemoryContext errcxt);
/* The PostgreSQL side of it alone, no Python current (process transport) */
extern bool pls_door_serve(PLSDoorServe serve, void *request,
						   PLSDoorMode mode, PLSDoorError *err,
						   MemoryContext errcxt);

/*
 * Either of those two: the serving code of a request is shared by the
 * inline hooks (pls_door_call_keep) and process_spi.c (pls_door_serve).
 */
typedef bool (*PLSDoorFn) (PLSDoorServe serve, void *request,
						   PLSDoorMode mode, PLSDoorError *err,
						   MemoryContext errcxt);

/*
 * PostgreSQL side, in a request of mode PLS_DOOR_XACT: what to undo if it
 * fails (run by the door's catch, before the error goes back).
 */
extern void pls_door_on_error(void (*fn) (void *), void *arg);

/*
 * The inline transport's row sink: inside a request, step back into the
 * Python side to hand it a row, and out again.  No user code may run in
 * between (the garbage collector is off).
 */
extern void pls_door_sink_enter(void);
extern void pls_door_sink_leave(void);

/* Bumped whenever a portal may have gone away (cursor validity). */
extern uint64 pls_portal_epoch;

/* ---------- spi_rowconv.c: conversion info per result shape ---------- */

typedef struct RowConv
{
	MemoryContext mcxt;
	PLSInterp  *interp;			/* the keys belong to this interpreter */
	PLSTrf		trf;			/* the transforms the types were built with */
	int			natts;
	Oid		   *typoids;		/* natts entries: the shape's signature */
	int32	   *typmods;
	bool	   *dropped;
	NameData   *names;
	int			nlive;
	int		   *live;			/* nlive attribute numbers (0-based) */
	PLSType    *types;			/* nlive entries */
	PyObject  **keys;			/* nlive column names (str) */
	PyObject   *colnames;		/* natts names (list of str) */
	PLSColumns	cols;			/* the above, for result objects */
	int			pins;			/* users now (results, conversions) */
	bool		doomed;			/* replaced while pinned: free at unpin */
} RowConv;

extern RowConv *pls_rowconv_get(RowConv **slot, TupleDesc desc);
extern void pls_rowconv_free(RowConv *rc);
extern void pls_rowconv_pin(RowConv *rc);
extern void pls_rowconv_unpin(RowConv *rc);
extern PyObject *pls_rows_to_list(RowConv **slot, HeapTuple *vals, uint64 n,
								  TupleDesc desc, MemoryContext scratch);

/*
 * The row sink of plpy.execute: a DestReceiver turning rows into Python
 * dicts as the executor produces them (no SPI tuple table, no copies).
 */
typedef struct PyReceiver
{
	DestReceiver pub;
	RowConv   **slot;			/* the plan's, or NULL for the cache */
	RowConv    *rc;				/* pinned; of the last statement */
	PyObject   *rows;			/* list, of the last statement */
	MemoryContext rowtmp;		/* reset after each row */
	bool		failed;			/* a Python exception is set */
} PyReceiver;

extern void pls_receiver_init(PyReceiver *rcv, RowConv **slot,
							  MemoryContext rowtmp);
extern void pls_receiver_cleanup(PyReceiver *rcv);

/* ---------- spi_execute_serve.c ---------- */

/* A statement and where its rows go. */
typedef struct PLSExecuteReq
{
	PLSSpiStmt	st;
	long		limit;
	/* in the request: the receiver of the rows, and a check after it ran */
	DestReceiver *(*dest) (struct PLSExecuteReq *req);
	void		(*after) (struct PLSExecuteReq *req);
	/* reply */
	uint64		processed;
	int			status;
} PLSExecuteReq;

extern bool pls_execute(PLSDoorFn door, PLSExecuteReq *req, PLSDoorError *err);
/* Does a result of this (positive) status carry rows, as SPI's tuple table? */
extern bool pls_spi_status_has_rows(int status);

/* ---------- spi_plan_serve.c ---------- */

struct PLSHostPlan
{
	SPIPlanPtr	plan;
	int			nargs;
	Oid		   *types;
	PLSType    *args;
	const PLSShape **shapes;	/* nargs entries: args[i].shape */
	bool		args_have_rows; /* shapes to resolve before each use */
	MemoryContext mcxt;			/* the plan's memory, this struct's too */
	RowConv    *rc;				/* last result shape (inline mode) */
};

extern PLSHostPlan *pls_plan_prepare(PLSDoorFn door, const char *query,
									 size_t querylen, int nargs,
									 const char *const *typenames,
									 const size_t *lens, PLSDoorError *err);
extern bool pls_plan_resolve(PLSDoorFn door, PLSHostPlan *plan,
							 PLSDoorError *err);
extern void pls_plan_free(PLSDoorFn door, PLSHostPlan *plan);
/* in a request: the encoded arguments as Datums and nulls ('n'/' ') */
extern void pls_plan_decode_args(PLSHostPlan *plan, const PLSValue *values,
								 Datum *datums, char *nulls);

/* ---------- spi_cursor_serve.c ---------- */

struct PLSHostCursor
{
	char	   *portalname;		/* the portal */
	MemoryContext mcxt;			/* this struct's memory */
	uint64		epoch;			/* pls_portal_epoch when last found valid */
	RowConv    *rc;				/* last result shape (inline mode) */
	struct PLSHostCursor *next_open;	/* the open cursors */
	struct PLSHostCursor *prev_open;
};

/*
 * A DestReceiver keeping copies of the rows a fetch produces, in memory
 * that outlives the fetch's subtransaction: if the query fails after some
 * rows, those rows are still delivered before the error, exactly as
 * PL/Python's row-at-a-time fetching would.
 */
typedef struct RowCollector
{
	DestReceiver pub;
	MemoryContext cxt;
	TupleDesc	desc;
	HeapTuple  *tuples;
	uint64		n;
	uint64		alloc;
} RowCollector;

typedef struct PLSFetchReq
{
	PLSHostCursor *cur;
	long		count;
	RowCollector *coll;			/* reply, in the request's scratch memory */
	MemoryContext rowtmp;
} PLSFetchReq;

extern PLSHostCursor *pls_cursor_open(PLSDoorFn door, const PLSSpiStmt *st,
									  PLSDoorError *err);
extern bool pls_cursor_valid(PLSHostCursor *cur);
extern bool pls_cursor_fetch(PLSDoorFn door, PLSFetchReq *req,
							 PLSDoorError *err);
extern void pls_cursor_close(PLSDoorFn door, PLSHostCursor *cur);
extern void pls_cursor_free(PLSHostCursor *cur);
/* Suspended: pin/unpin the open cursors' portals around commit/rollback */
extern char **pls_cursors_pin(int *n);
extern void pls_cursors_unpin(char **names, int n);

/* ---------- spi_subxact_serve.c ---------- */

extern bool pls_subxact_enter(PLSDoorFn door, uint64 *token,
							  PLSDoorError *err);
/* 1 done, 0 failed (*err), -1 token is not the call's innermost one */
extern int	pls_subxact_exit(PLSDoorFn door, uint64 token, bool commit,
							 PLSDoorError *err);
extern void pls_subxact_abort_entries(PLSExecCtx *ctx, int depth);
extern void pls_subxact_forget(PLSExecCtx *ctx);
extern void pls_subxact_register_callbacks(void);

/* ---------- spi_xact_serve.c ---------- */

extern bool pls_end_xact(PLSDoorFn door, bool commit, PLSDoorError *err);

/* ---------- process_spi.c: the SPI requests of a worker ---------- */

struct PLSWorker;
struct PlsWireReader;
struct PlsWireBuf;

extern bool pls_process_spi_serve(struct PLSWorker *w, uint8 op,
								  struct PlsWireReader *r,
								  struct PlsWireBuf *out);
/* around each call a worker serves: its cursors are forgotten at the end */
extern uint64 pls_process_spi_call_begin(void);
extern void pls_process_spi_call_end(uint64 prev);
extern void pls_process_spi_rethrow_interrupt(void);
/* a request's rolled-back error as a reply's PlsWireError (err freed) */
extern void pls_process_put_error(struct PlsWireBuf *out, PLSDoorError *err);

/* ---------- errors.c: errors for the Python side ---------- */

/* Server-encoded s as malloc'd UTF-8 (NULL: out of memory); no ereport */
extern char *pls_server_to_utf8_noerror(const char *s);
/* err's fields as UTF-8 in *f (free with pls_error_fields_free); false: OOM */
extern bool pls_error_fields_from_door(const PLSDoorError *err,
									   PLSErrorFields *f);

/* plpy_serve.c: the PostgreSQL side of reports and quoting */
typedef struct PLSQuoteReq
{
	const char *str;			/* UTF-8 */
	size_t		len;
	bool		ident;
	char	   *quoted;			/* reply, UTF-8, in the caller's memory */
} PLSQuoteReq;

extern void pls_serve_report(void *report);		/* a PLSReport */
extern void pls_serve_quote(void *request);		/* a PLSQuoteReq */

#endif							/* PLPY_INT_H */
