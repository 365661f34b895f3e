/*-------------------------------------------------------------------------
 *
 * trigger_int.h
 *	  What calling a trigger function means apart from where its Python
 *	  runs (trigger.c), shared by inline mode (trigger.c) and process
 *	  isolation (process_trigger.c): TD's keys and values, the decision on
 *	  the function's result, the checks and messages of "MODIFY".  Backend
 *	  only.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PLS_TRIGGER_INT_H
#define PLS_TRIGGER_INT_H

#include "plsafepy.h"

#include "catalog/pg_attribute.h"

/* TD's keys, in PL/Python's order, and what each holds. */
typedef enum PLSTdKind
{
	PLS_TD_STR,					/* str: str, server-encoded */
	PLS_TD_NONE,				/* None */
	PLS_TD_ROW,					/* tuple as a dict */
	PLS_TD_ARGS					/* the trigger's arguments, a list of str */
} PLSTdKind;

typedef struct PLSTdField
{
	const char *key;
	PLSTdKind	kind;
	const char *str;
	HeapTuple	tuple;
	bool		with_generated; /* PLS_TD_ROW: stored generated columns too */
} PLSTdField;

#define PLS_TD_NFIELDS 10

/* TD's fields into f; returns the row handed back unless told otherwise. */
extern HeapTuple pls_trigger_td_fields(TriggerData *tdata, PLSTdField *f);
/* Does TD's row f leave attribute attr out? */
extern bool pls_trigger_td_skips(const PLSTdField *f, Form_pg_attribute attr);

/*
 * The conversions of the relation's rows (proc->result); a nested call
 * gets its own in *tmpcxt, which the caller deletes after the call.
 */
extern PLSType *pls_trigger_rowtype(PLSProc *proc, TupleDesc desc,
									MemoryContext *tmpcxt);

/* Register transition tables with SPI (connecting it) if there are any. */
extern void pls_trigger_spi_register(PLSExecCtx *call, TriggerData *tdata,
									 MemoryContext cxt);

/*
 * The row handed back after the result said `result` (a PLSTrigResult):
 * rv, or NULL for "SKIP"; for "MODIFY" in an INSERT or UPDATE trigger
 * *modify is set and the caller builds the row.  A bad result ereports.
 */
extern HeapTuple pls_trigger_decide(int result, TriggerData *tdata,
									HeapTuple rv, bool *modify);

/* "MODIFY": the context line, a key's column, TD["new"]'s problems, the row */
extern void pls_trigger_modify_context_push(ErrorContextCallback *cb);
extern int	pls_trigger_column(TupleDesc desc, const char *name);
extern void pls_trigger_tdnew_error(int status, int position) pg_attribute_noreturn();
extern HeapTuple pls_trigger_modified(HeapTuple otup, TupleDesc desc,
									  Datum *values, bool *nulls, bool *repls);

#endif							/* PLS_TRIGGER_INT_H */
