/*-------------------------------------------------------------------------
 *
 * pycall.c
 *	  A set-returning function's iterator and how a trigger function's
 *	  result and TD["new"] read, for both hosts (pycall.h).  Part of the
 *	  Python side's core: no PostgreSQL header, no PostgreSQL function.
 *
 *-------------------------------------------------------------------------
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <string.h>

#include "pycall.h"

PyObject *
pls_srf_iter(PyObject *result)
{
	PyObject   *iter = PyObject_GetIter(result);

	if (iter == NULL)
		PyErr_Clear();
	return iter;
}

/*
 * PL/Python compares the str's UTF-8 with pg_strcasecmp, which folds ASCII
 * letters itself (not by the locale, whose tolower may map 'I' elsewhere);
 * the words are ASCII, so no other byte can match them.
 */
static bool
ascii_caseeq(const char *s, const char *word)
{
	for (; *s && *word; s++, word++)
	{
		char		c = *s;

		if (c >= 'a' && c <= 'z')
			c -= 'a' - 'A';
		if (c != *word)
			return false;
	}
	return *s == *word;
}

/* A str that has no UTF-8, or holds a NUL, is none of the words. */
int
pls_trigger_result(PyObject *result)
{
	const char *s;
	Py_ssize_t	len;

	if (result == Py_None)
		return PLS_TRIG_NONE;
	if (!PyUnicode_Check(result))
		return PLS_TRIG_NOT_STRING;
	s = PyUnicode_AsUTF8AndSize(result, &len);
	if (s == NULL || strlen(s) != (size_t) len)
	{
		PyErr_Clear();
		return PLS_TRIG_BAD_STRING;
	}
	if (ascii_caseeq(s, "SKIP"))
		return PLS_TRIG_SKIP;
	if (ascii_caseeq(s, "MODIFY"))
		return PLS_TRIG_MODIFY;
	if (ascii_caseeq(s, "OK"))
		return PLS_TRIG_OK;
	return PLS_TRIG_BAD_STRING;
}

int
pls_td_new_begin(PyObject *td, PyObject **newrow, PyObject **keys)
{
	PyObject   *row = PyDict_GetItemString(td, "new");

	*newrow = NULL;
	*keys = NULL;
	if (row == NULL)
		return PLS_TDNEW_MISSING;
	if (!PyDict_Check(row))
		return PLS_TDNEW_NOT_DICT;
	*keys = PyDict_Keys(row);
	if (*keys == NULL)
		return -1;
	/* held: code run while the values convert may replace TD["new"] */
	*newrow = Py_NewRef(row);
	return PLS_TDNEW_VALUE;
}

int
pls_td_new_key(PyObject *keys, Py_ssize_t i, const char **utf8)
{
	PyObject   *key = PyList_GET_ITEM(keys, i);

	if (!PyUnicode_Check(key))
		return PLS_TDNEW_KEY_NOT_STR;
	*utf8 = PyUnicode_AsUTF8(key);
	if (*utf8 == NULL)
		return -1;
	return PLS_TDNEW_VALUE;
}

/*
 * Converting an earlier value may have run code that changed the dict;
 * PL/Python ends the backend then, an error is enough.
 */
int
pls_td_new_value(PyObject *newrow, PyObject *keys, Py_ssize_t i,
				 PyObject **value)
{
	*value = PyDict_GetItemWithError(newrow, PyList_GET_ITEM(keys, i));
	if (*value == NULL)
	{
		PyErr_Clear();
		return PLS_TDNEW_CHANGED;
	}
	Py_INCREF(*value);
	return PLS_TDNEW_VALUE;
}
