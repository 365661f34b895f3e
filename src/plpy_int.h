/*-------------------------------------------------------------------------
 *
 * plpy_int.h
 *	  Private declarations shared by plpy.c (the module, logging, quoting,
 *	  exceptions) and spi.c (execute, plans, cursors, results,
 *	  subtransactions, commit/rollback).  Nothing outside these two files
 *	  includes it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PLPY_INT_H
#define PLPY_INT_H

#include "plsafepy.h"

/* spi.c: module functions */
extern PyObject *pls_spi_execute(PyObject *self, PyObject *const *args,
								 Py_ssize_t nargs, PyObject *kwnames);
extern PyObject *pls_spi_prepare(PyObject *self, PyObject *args);
extern PyObject *pls_spi_cursor(PyObject *self, PyObject *args);
extern PyObject *pls_spi_subtransaction(PyObject *self, PyObject *unused);
extern PyObject *pls_spi_commit(PyObject *self, PyObject *unused);
extern PyObject *pls_spi_rollback(PyObject *self, PyObject *unused);

/* spi.c: readies the static types and registers transaction callbacks */
extern int	pls_spi_init(void);

/* plpy.c: strings between Python and the server encoding */
extern char *pls_str_to_server(PyObject *o);
extern PyObject *pls_str_from_server(const char *s);

#endif							/* PLPY_INT_H */
