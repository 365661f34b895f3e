/*-------------------------------------------------------------------------
 *
 * pycall.h
 *	  What both hosts do with a function's Python result beyond converting
 *	  it (pycall.c, part of the Python side's core: no PostgreSQL): a
 *	  set-returning function's iterator, and how a trigger function's
 *	  result and TD["new"] read.  The backend uses it inline (exec.c,
 *	  trigger.c), the worker in process isolation (worker/srf.c,
 *	  worker/trigger.c); the PostgreSQL side decides and reports
 *	  (trigger.c), with the messages below where the Python side reports.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PLS_PYCALL_H
#define PLS_PYCALL_H

#include <Python.h>

#include "door.h"

/* ---------- set-returning functions ---------- */

#define PLS_SRF_NOT_ITERABLE_MSG "returned object cannot be iterated"
#define PLS_SRF_NOT_ITERABLE_DETAIL "PL/SafePy set-returning functions must return an iterable object."
#define PLS_SRF_NEXT_MSG "error fetching next item from iterator"

/*
 * The iterator of a set-returning function's result (new reference), or
 * NULL, the exception cleared, if it has none: the host then reports
 * PLS_SRF_NOT_ITERABLE_* (42804).  Its items are taken with PyIter_Next;
 * an exception there is reported with PLS_SRF_NEXT_MSG as the message.
 */
extern PyObject *pls_srf_iter(PyObject *result);

/* ---------- triggers ---------- */

/* A trigger function's result as a PLSTrigResult; never fails. */
extern int	pls_trigger_result(PyObject *result);

/*
 * TD["new"] after "MODIFY", read as PL/Python reads it: begin returns
 * PLS_TDNEW_VALUE with *newrow and *keys (a list of its keys), both new
 * references, or PLS_TDNEW_MISSING / PLS_TDNEW_NOT_DICT; then for each
 * key in order, pls_td_new_key gives its UTF-8 (borrowed from keys) or
 * PLS_TDNEW_KEY_NOT_STR, and, once the host has checked the key,
 * pls_td_new_value its value (new reference) or PLS_TDNEW_CHANGED.  -1
 * with a Python exception set on a failure.
 */
extern int	pls_td_new_begin(PyObject *td, PyObject **newrow, PyObject **keys);
extern int	pls_td_new_key(PyObject *keys, Py_ssize_t i, const char **utf8);
extern int	pls_td_new_value(PyObject *newrow, PyObject *keys, Py_ssize_t i,
							 PyObject **value);

#endif							/* PLS_PYCALL_H */
