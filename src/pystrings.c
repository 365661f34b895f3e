/*-------------------------------------------------------------------------
 *
 * pystrings.c
 *	  The Python side of strings: a str's UTF-8 as every request and report
 *	  sends it.  PostgreSQL-free (plpy_host.h); the server-encoding half is
 *	  strings.c.
 *
 *-------------------------------------------------------------------------
 */
#include "plpy_host.h"

#include <string.h>

/*
 * The UTF-8 of str o, borrowed from o; embedded NULs are refused as
 * PyArg_ParseTuple's "s" does.  NULL with a Python exception.
 */
const char *
pls_str_utf8(PyObject *o, Py_ssize_t *len)
{
	const char *utf8 = PyUnicode_AsUTF8AndSize(o, len);

	if (utf8 == NULL)
		return NULL;
	if ((Py_ssize_t) strlen(utf8) != *len)
	{
		PyErr_SetString(PyExc_ValueError, "embedded null character");
		return NULL;
	}
	return utf8;
}
