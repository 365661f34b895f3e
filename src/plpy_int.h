/*-------------------------------------------------------------------------
 *
 * plpy_int.h
 *	  Private declarations of the backend's plpy files: plpy_serve.c (the
 *	  hooks of plpy.c for logging and quoting), errors.c (error fields
 *	  for the Python side), door.c (the door's inline transport and the
 *	  execution context), and the SPI side of plpy, one file per Python
 *	  type or concern: spi_execute.c (also the hook adding the SPI
 *	  functions to plpy), spi_result.c, spi_plan.c, spi_cursor.c,
 *	  spi_subxact.c, spi_xact.c and spi_rowconv.c (the row-shape cache and
 *	  the row sink).  Nothing else includes it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PLPY_INT_H
#define PLPY_INT_H

#include "plsafepy.h"

#include "executor/spi.h"
#include "tcop/dest.h"

#include "plpy_host.h"

/* ---------- door.c ---------- */

/* Is there a call to run SPI for?  Raises plpy.Error if not. */
extern bool pls_exec_check(void);
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

/* ---------- spi_result.c ---------- */

typedef struct PLSResult
{
	PyObject_HEAD
	PyObject   *status;
	PyObject   *nrows;
	PyObject   *rows;
	RowConv    *rc;				/* the columns (pinned), or NULL */
} PLSResult;

extern PyTypeObject PLSResultType;
extern PLSResult *pls_result_make(PyObject *status, PyObject *nrows,
								  PyObject *rows);
extern PyObject *pls_result_from_receiver(PyReceiver *rcv, uint64 processed,
										  int status);

/* ---------- spi_plan.c ---------- */

typedef struct PLSPlan
{
	PyObject_HEAD
	SPIPlanPtr	plan;			/* the plan handle */
	int			nargs;
	Oid		   *types;
	PLSType    *args;
	bool		args_have_rows; /* shapes to resolve before each use */
	MemoryContext mcxt;
	RowConv    *rc;				/* last result shape */
} PLSPlan;

extern PyTypeObject PLSPlanType;

/*
 * Python side: the plan's arguments as door values, then a request that
 * uses them (NULL: failed, raised).
 */
typedef PyObject *(*PLSPlanUse) (void *request, const PLSValue *values);
extern PyObject *pls_plan_use(PLSPlan *plan, PyObject *list, const char *what,
							  PLSPlanUse use, void *request);
/* PostgreSQL side: those values as Datums and nulls ('n'/' ') */
extern void pls_plan_decode_args(PLSPlan *plan, const PLSValue *values,
								 Datum *datums, char *nulls);
extern PyObject *pls_execute_plan(PLSPlan *plan, PyObject *list, long limit);

/* ---------- spi_cursor.c ---------- */

extern PyTypeObject PLSCursorType;
extern PyObject *pls_cursor_plan(PLSPlan *plan, PyObject *args);
/* Suspended: pin/unpin the open cursors' portals around commit/rollback */
extern char **pls_cursors_pin(int *n);
extern void pls_cursors_unpin(char **names, int n);

/* ---------- spi_subxact.c ---------- */

extern PyTypeObject PLSSubxactType;
extern void pls_subxact_forget(PLSExecCtx *ctx);
extern void pls_subxact_register_callbacks(void);

/* ---------- the module functions ---------- */

extern PyObject *pls_spi_execute(PyObject *self, PyObject *const *args,
								 Py_ssize_t nargs, PyObject *kwnames);
extern PyObject *pls_spi_prepare(PyObject *self, PyObject *args);
extern PyObject *pls_spi_cursor(PyObject *self, PyObject *args);
extern PyObject *pls_spi_subtransaction(PyObject *self, PyObject *unused);
extern PyObject *pls_spi_commit(PyObject *self, PyObject *unused);
extern PyObject *pls_spi_rollback(PyObject *self, PyObject *unused);

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
