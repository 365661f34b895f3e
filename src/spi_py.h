/*-------------------------------------------------------------------------
 *
 * spi_py.h
 *	  Private declarations of the Python side of plpy's SPI (the
 *	  PostgreSQL-free spi_*.c files, spi_host.h): what one of them uses of
 *	  another.  Nothing else includes it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PLS_SPI_PY_H
#define PLS_SPI_PY_H

#include "plpy_host.h"
#include "spi_host.h"

/* spi_execute.c: is there a call?  Raises plpy.Error if not. */
extern bool pls_spi_check_call(void);
extern PyObject *pls_execute_plan(PyObject *plan, PyObject *list, long limit);

/*
 * spi_plan.c: encode list's items for plan (a PLyPlan), then
 * use(statement, arg) while the values are alive (NULL: failed, raised).
 */
typedef PyObject *(*PLSPlanUse) (PLSSpiStmt *st, void *arg);
extern PyObject *pls_plan_use(PyObject *plan, PyObject *list, const char *what,
							  PLSPlanUse use, void *arg);

/* spi_cursor.c */
extern PyObject *pls_cursor_plan(PyObject *plan, PyObject *args);

/* the module functions */
extern PyObject *pls_spi_prepare(PyObject *self, PyObject *args);
extern PyObject *pls_spi_cursor(PyObject *self, PyObject *args);
extern PyObject *pls_spi_subtransaction(PyObject *self, PyObject *unused);
extern PyObject *pls_spi_commit(PyObject *self, PyObject *unused);
extern PyObject *pls_spi_rollback(PyObject *self, PyObject *unused);

#endif							/* PLS_SPI_PY_H */
