/*-------------------------------------------------------------------------
 *
 * spi_host.h
 *	  The SPI side of plpy, split as plpy.c is (plpy_host.h): the Python
 *	  types and module functions are PostgreSQL-free and shared by every
 *	  host a role's Python runs in (spi_execute.c, spi_result.c,
 *	  spi_plan.c, spi_cursor.c, spi_subxact.c, spi_xact.c), and reach
 *	  PostgreSQL only through the host hooks declared here.  The backend
 *	  implements them with door requests (the spi_*_serve.c files, inline
 *	  mode), the worker as requests over its channel (worker/spi_worker.c,
 *	  served by the backend in process_spi.c).
 *
 *	  Handles (plans, cursors, pending errors) are opaque to the Python
 *	  side: each host defines the structs.  Hooks are called with the
 *	  role's interpreter current; a hook that fails returns NULL (false)
 *	  with a Python exception set, raised as inline mode raises it
 *	  (plpy.SPIError or its spiexceptions subclass for a PostgreSQL error).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PLS_SPI_HOST_H
#define PLS_SPI_HOST_H

#include <Python.h>

#include <stdbool.h>
#include <stdint.h>

#include "door.h"

typedef struct PLSHostPlan PLSHostPlan;
typedef struct PLSHostCursor PLSHostCursor;
typedef struct PLSHostError PLSHostError;

/* A result's columns (colnames(), coltypes(), coltypmods()). */
typedef struct PLSColumns
{
	int			natts;			/* dropped columns included */
	PyObject   *colnames;		/* list of natts str */
	const uint32_t *typoids;
	const int32_t *typmods;
} PLSColumns;

/* A statement: a query, or a plan with its encoded arguments. */
typedef struct PLSSpiStmt
{
	const char *query;			/* UTF-8, or NULL for a plan */
	size_t		querylen;
	PLSHostPlan *plan;
	const PLSValue *args;		/* the plan's nargs values */
} PLSSpiStmt;

/* ---------- the Python side (PostgreSQL-free) ---------- */

extern PyTypeObject PLSResultType;
extern PyTypeObject PLSPlanType;
extern PyTypeObject PLSCursorType;
extern PyTypeObject PLSSubxactType;

/* Ready the four types (once, in the interpreter that owns them). */
extern int	pls_spi_types_ready(void);

/* plpy's SPI functions, for PyModule_AddFunctions */
extern PyMethodDef pls_spi_methods[];

/*
 * A result object (PL/Python's PLyResult): references to status, nrows
 * and rows are stolen (NULL: None, -1, []); cols (or NULL) is taken and
 * given back with pls_host_columns_release.  NULL on failure, everything
 * released.
 */
extern PyObject *pls_result_new(PyObject *status, PyObject *nrows,
								PyObject *rows, PLSColumns *cols);

/* "SPI_execute failed: SPI_ERROR_..." for a negative SPI status */
extern void pls_spi_raise_status(bool plan, const char *code);

/* ---------- host hooks ---------- */

/* Is there a call whose code may use SPI? */
extern bool pls_host_spi_in_call(void);

/* plpy.execute: the result object of st, at most limit rows (0: all) */
extern PyObject *pls_host_spi_execute(const PLSSpiStmt *st, long limit);

/*
 * plpy.prepare: query with nargs type names (UTF-8, lens[i] bytes; NULL:
 * the item was not a str, refused as PL/Python does).
 */
extern PLSHostPlan *pls_host_spi_prepare(const char *query, size_t querylen,
										 int nargs,
										 const char *const *typenames,
										 const size_t *lens);

/* The shapes to encode the plan's arguments for, made current. */
extern const PLSShape *const *pls_host_spi_plan_shapes(PLSHostPlan *plan);

/* The plan object is gone (never fails; the host may defer the work). */
extern void pls_host_spi_plan_free(PLSHostPlan *plan);

/* plpy.cursor: open a portal for st */
extern PLSHostCursor *pls_host_spi_cursor_open(const PLSSpiStmt *st);

/* Does the cursor's portal still exist (its (sub)transaction is alive)? */
extern bool pls_host_spi_cursor_valid(PLSHostCursor *cur);

/*
 * Up to count rows as a new list (possibly empty).  If the query fails
 * after some rows, those rows are returned and the error in *pending (to
 * be raised when they are consumed); if none came first, it is raised.
 */
extern PyObject *pls_host_spi_cursor_fetch(PLSHostCursor *cur, long count,
										   PLSHostError **pending);

/* Close the portal (never fails: an error is rolled back and dropped). */
extern void pls_host_spi_cursor_close(PLSHostCursor *cur);

/* The cursor object is gone (closed before if it was open). */
extern void pls_host_spi_cursor_free(PLSHostCursor *cur);

/* A pending error: raise it (then it is freed), or just free it. */
extern void pls_host_spi_error_raise(PLSHostError *err);
extern void pls_host_spi_error_free(PLSHostError *err);

/* A result is done with its columns. */
extern void pls_host_columns_release(PLSColumns *cols);

/* plpy.subtransaction(): enter one, its token in *token */
extern bool pls_host_spi_subxact_enter(uint64_t *token);

/*
 * Exit the subtransaction of token, committing it or rolling it back:
 * 1 done, 0 failed (raised), -1 it is not the innermost one this call
 * entered (nothing done, nothing raised).
 */
extern int	pls_host_spi_subxact_exit(uint64_t token, bool commit);

/* plpy.commit() / plpy.rollback() */
extern bool pls_host_spi_end_xact(bool commit);

#endif							/* PLS_SPI_HOST_H */
