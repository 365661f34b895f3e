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
 * len bytes in the server encoding as UTF-8: s itself when no conversion
 * is needed, else a palloc'd copy; *utf8len is its length.  May ereport
 * (an untranslatable character).
 */
const char *
pls_server_to_utf8(const char *s, size_t len, size_t *utf8len)
{
	char	   *utf8;

	*utf8len = len;
	if (GetDatabaseEncoding() == PG_UTF8)
		return s;
	utf8 = pg_server_to_any(s, (int) len, PG_UTF8);
	if (utf8 != s)
		*utf8len = strlen(utf8);
	return utf8;
}

/* pls_str_from_server in a database that is not UTF-8 */
static pg_noinline PyObject *
str_from_other_encoding(const char *s, Py_ssize_t len)
{
	size_t		utf8len;
	const char *utf8 = pls_server_to_utf8(s, len, &utf8len);
	PyObject   *o = PyUnicode_DecodeUTF8(utf8, utf8len, NULL);

	if (utf8 != s)
		pfree((char *) utf8);
	return o;
}

/*
 * len bytes in the server encoding as a new str.  PostgreSQL side of a
 * conversion: may ereport (an untranslatable character).  Every text
 * argument passes here: the common case is the first test.
 */
PyObject *
pls_str_from_server(const char *s, Py_ssize_t len)
{
	if (GetDatabaseEncoding() == PG_UTF8)
		return PyUnicode_DecodeUTF8(s, len, NULL);
	return str_from_other_encoding(s, len);
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

/*
 * The text of a door value (decode.c) as pls_utf8_to_server gives it.  Its
 * UTF-8 is valid already: Python's own inline, checked by the wire reader
 * from a worker (pls_wire_utf8_valid, PostgreSQL's rules); in a UTF-8
 * database it is copied as it is.
 */
char *
pls_value_text_to_server(const char *utf8, size_t len)
{
	if (GetDatabaseEncoding() == PG_UTF8)
		return pnstrdup(utf8, len);
	return pls_utf8_to_server(utf8, len);
}
