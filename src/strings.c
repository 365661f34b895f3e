/*-------------------------------------------------------------------------
 *
 * strings.c
 *	  Strings between Python (str, UTF-8) and the server encoding: the
 *	  PostgreSQL side of every conversion (pystrings.c has the Python side).
 *
 *-------------------------------------------------------------------------
 */
#include "plsafepy.h"

#include "mb/pg_wchar.h"

/*
 * len bytes in the server encoding as a new str.  PostgreSQL side of a
 * conversion: may ereport (an untranslatable character).
 */
PyObject *
pls_str_from_server(const char *s, Py_ssize_t len)
{
	char	   *utf8;
	PyObject   *o;

	if (GetDatabaseEncoding() == PG_UTF8)
		return PyUnicode_DecodeUTF8(s, len, NULL);
	utf8 = pg_server_to_any(s, (int) len, PG_UTF8);
	if (utf8 == s)
		return PyUnicode_DecodeUTF8(s, len, NULL);
	o = PyUnicode_DecodeUTF8(utf8, strlen(utf8), NULL);
	pfree(utf8);
	return o;
}

/*
 * UTF-8 from the Python side as a palloc'd, NUL-terminated string in the
 * server encoding.  PostgreSQL side: ereports on an untranslatable
 * character or invalid UTF-8.
 */
char *
pls_utf8_to_server(const char *utf8, size_t len)
{
	char	   *res;

	if (GetDatabaseEncoding() == PG_UTF8)
	{
		(void) pg_verify_mbstr(PG_UTF8, utf8, (int) len, false);
		return pnstrdup(utf8, len);
	}
	res = pg_any_to_server(utf8, (int) len, PG_UTF8);
	if (res == utf8)
		res = pnstrdup(utf8, len);
	return res;
}
