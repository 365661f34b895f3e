/*-------------------------------------------------------------------------
 *
 * errors.c
 *	  Error translation in both directions, PostgreSQL side: an uncaught
 *	  Python exception, taken into plain fields by pyerror.c, is converted
 *	  to the server encoding and becomes a PostgreSQL error (PL/Python's
 *	  message and SQLSTATE rules, the traceback in CONTEXT with body line
 *	  numbers); a PostgreSQL error caught around SPI is converted to UTF-8
 *	  and raised by plpy.c as a plpy.SPIError subclass.
 *
 *-------------------------------------------------------------------------
 */
#include "plsafepy.h"

#include "miscadmin.h"
#include "catalog/namespace.h"
#include "mb/pg_wchar.h"
#include "utils/memutils.h"
#include "utils/elog.h"

#include "plpy_host.h"
#include "plpy_int.h"

void
pls_error_context(void *arg)
{
	PLSProc    *proc = (PLSProc *) arg;

	if (proc->kind == PLS_INLINE)
		errcontext(PLS_INLINE_CONTEXT);
	else if (proc->kind == PLS_PROCEDURE)
		errcontext("PL/SafePy procedure \"%s\"", proc->name);
	else
		errcontext("PL/SafePy function \"%s\"", proc->name);
}

/*
 * A field of the Python side (UTF-8) in the server encoding, palloc'd.  A
 * SQL_ASCII server takes the bytes as they are (a traceback's source line
 * is the body's own bytes, in any encoding).
 */
static char *
to_server(const char *utf8)
{
	if (utf8 == NULL)
		return NULL;
	if (GetDatabaseEncoding() == PG_SQL_ASCII)
		return pstrdup(utf8);
	return pls_utf8_to_server(utf8, strlen(utf8));
}

static void elog_exception(int elevel, PLSProc *proc, bool next_item)
			pg_attribute_noreturn();

void
pls_elog_exception(int elevel, PLSProc *proc)
{
	elog_exception(elevel, proc, false);
}

void
pls_elog_next_item_exception(PLSProc *proc)
{
	elog_exception(ERROR, proc, true);
}

static void
elog_exception(int elevel, PLSProc *proc, bool next_item)
{
	PLSInterp  *interp = pls_current;
	PLSErrorClasses classes = {0};
	PLSFuncInfo fn;
	PLSErrorFields f;
	char	   *fields[10];
	int			code;
	int			position;
	bool		ok;

	if (!PyErr_Occurred())
		elog(ERROR, "plsafepy: error reported without a Python exception");

	/*
	 * A pending interrupt ends with PostgreSQL's own error, also when code
	 * turned the interrupt into another exception (an except block that
	 * raises).
	 */
	if (QueryCancelPending || ProcDiePending)
	{
		PyObject   *t,
				   *v,
				   *b;

		PyErr_Fetch(&t, &v, &b);
		PG_TRY();
		{
			pls_limits_check();
		}
		PG_CATCH();
		{
			/* PostgreSQL's error wins: the exception is dropped */
			Py_XDECREF(t);
			Py_XDECREF(v);
			Py_XDECREF(b);
			PG_RE_THROW();
		}
		PG_END_TRY();
		PyErr_Restore(t, v, b);
	}

	if (interp)
	{
		classes.error = interp->exc_error;
		classes.fatal = interp->exc_fatal;
		classes.spierror = interp->exc_spierror;
		classes.interrupted = interp->exc_interrupted;
	}
	memset(&fn, 0, sizeof(fn));
	if (proc)
	{
		fn.name = pls_server_to_utf8_noerror(proc->name);
		fn.source = proc->source ? pls_server_to_utf8_noerror(proc->source) : NULL;
		fn.kind = proc->kind == PLS_INLINE ? PLS_FN_INLINE :
			proc->kind == PLS_PROCEDURE ? PLS_FN_PROCEDURE : PLS_FN_FUNCTION;
	}
	ok = pls_pyerror_fetch(&classes, proc ? &fn : NULL, next_item, &f);
	free((char *) fn.name);
	free((char *) fn.source);
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));

	/* An interrupt unwinding: PostgreSQL raises its own error. */
	if (f.kind == PLS_ERRK_INTERRUPT)
	{
		pls_limits_check();
		ereport(ERROR,
				(errcode(ERRCODE_QUERY_CANCELED),
				 errmsg("canceling statement due to user request")));
	}
	if (f.fatal)
		elevel = FATAL;

	/* the fields in palloc'd memory, server-encoded (may ereport) */
	code = f.sqlerrcode;
	position = f.position;
	PG_TRY();
	{
		char	   *utf8[lengthof(fields)] = {f.message, f.detail, f.hint,
			f.query, f.schema_name, f.table_name, f.column_name,
			f.datatype_name, f.constraint_name, f.context
		};

		for (int i = 0; i < lengthof(fields); i++)
			fields[i] = to_server(utf8[i]);
	}
	PG_FINALLY();
	{
		pls_error_fields_free(&f);
	}
	PG_END_TRY();

	ereport(elevel,
			(errcode(code),
			 errmsg_internal("%s", fields[0]),
			 fields[1] ? errdetail_internal("%s", fields[1]) : 0,
			 fields[2] ? errhint("%s", fields[2]) : 0,
			 fields[3] ? internalerrquery(fields[3]) : 0,
			 position ? internalerrposition(position) : 0,
			 fields[4] ? err_generic_string(PG_DIAG_SCHEMA_NAME, fields[4]) : 0,
			 fields[5] ? err_generic_string(PG_DIAG_TABLE_NAME, fields[5]) : 0,
			 fields[6] ? err_generic_string(PG_DIAG_COLUMN_NAME, fields[6]) : 0,
			 fields[7] ? err_generic_string(PG_DIAG_DATATYPE_NAME, fields[7]) : 0,
			 fields[8] ? err_generic_string(PG_DIAG_CONSTRAINT_NAME, fields[8]) : 0,
			 fields[9] ? errcontext("%s", fields[9]) : 0));
	pg_unreachable();
}

/*
 * The server encoding's conversion to UTF-8, looked up where an error may
 * be thrown (pls_errors_prepare, before a role's interpreter runs), so that
 * converting error texts for Python later throws none: no PostgreSQL error
 * may be caught there without a subtransaction rollback.
 */
static FmgrInfo to_utf8;
static bool to_utf8_ready = false;

void
pls_errors_prepare(void)
{
	int			enc = GetDatabaseEncoding();
	Oid			proc;

	if (to_utf8_ready || enc == PG_UTF8 || enc == PG_SQL_ASCII)
		return;
	proc = FindDefaultConversionProc(enc, PG_UTF8);
	if (!OidIsValid(proc))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("default conversion function for encoding \"%s\" to \"%s\" does not exist",
						pg_encoding_to_char(enc), pg_encoding_to_char(PG_UTF8))));
	fmgr_info_cxt(proc, &to_utf8, TopMemoryContext);
	to_utf8_ready = true;
}

/*
 * Server-encoded text as UTF-8 for the Python side, in malloc'd memory
 * (NULL: out of memory): throws no PostgreSQL error.  The conversion runs
 * with noError (PostgreSQL 14's contract: it stops at the first byte it
 * cannot convert instead of throwing), and each such character becomes
 * U+FFFD.  Without the prepared conversion (none needed for UTF8 and
 * SQL_ASCII servers) the bytes are copied: the Python side decodes them
 * replacing what is not UTF-8.
 */
char *
pls_server_to_utf8_noerror(const char *s)
{
	int			enc = GetDatabaseEncoding();
	size_t		len = strlen(s);
	char	   *buf;
	char	   *out;

	if (!to_utf8_ready || len > (PY_SSIZE_T_MAX / 2 - 1) / MAX_CONVERSION_GROWTH)
	{
		buf = malloc(len + 1);
		if (buf != NULL)
			memcpy(buf, s, len + 1);
		return buf;
	}

	/* converted bytes, or 3 for U+FFFD per unconvertible source byte */
	buf = malloc(len * MAX_CONVERSION_GROWTH + 1);
	if (buf == NULL)
		return NULL;
	out = buf;
	*out = '\0';
	while (len > 0)
	{
		int			srclen = (int) Min(len, (size_t) MaxAllocSize / MAX_CONVERSION_GROWTH);
		int			done;

		done = DatumGetInt32(FunctionCall6(&to_utf8,
										   Int32GetDatum(enc),
										   Int32GetDatum(PG_UTF8),
										   CStringGetDatum(s),
										   CStringGetDatum(out),
										   Int32GetDatum(srclen),
										   BoolGetDatum(true)));
		out += strlen(out);
		s += done;
		len -= done;
		if (done < srclen)
		{
			int			skip = Min(pg_encoding_mblen_bounded(enc, s), (int) len);

			memcpy(out, "\xEF\xBF\xBD", 4);
			out += 3;
			s += Max(skip, 1);
			len -= Max(skip, 1);
		}
	}
	return buf;
}

bool
pls_error_fields_from_door(const PLSDoorError *err, PLSErrorFields *f)
{
	const char *src[] = {err->message, err->detail, err->hint, err->context,
		err->internalquery, err->schema_name, err->table_name,
		err->column_name, err->datatype_name, err->constraint_name
	};
	char	  **dst[] = {&f->message, &f->detail, &f->hint, &f->context,
		&f->query, &f->schema_name, &f->table_name, &f->column_name,
		&f->datatype_name, &f->constraint_name
	};

	StaticAssertStmt(lengthof(src) == lengthof(dst), "fields differ");
	memset(f, 0, sizeof(*f));
	f->sqlerrcode = err->sqlerrcode;
	f->position = err->internalpos;
	for (int i = 0; i < lengthof(src); i++)
		if (src[i] != NULL && (*dst[i] = pls_server_to_utf8_noerror(src[i])) == NULL)
		{
			pls_error_fields_free(f);
			return false;
		}
	return true;
}

void
pls_raise_pg_error(ErrorData *edata)
{
	PLSDoorError err;
	PLSErrorFields f;

	/* A cancel or termination is not for user code to catch (limits.c). */
	if (pls_limits_catch_error(edata))
		return;

	memset(&err, 0, sizeof(err));
	err.sqlerrcode = edata->sqlerrcode;
	err.message = edata->message;
	err.detail = edata->detail;
	err.hint = edata->hint;
	err.internalquery = edata->internalquery;
	err.internalpos = edata->internalpos;
	err.schema_name = edata->schema_name;
	err.table_name = edata->table_name;
	err.column_name = edata->column_name;
	err.datatype_name = edata->datatype_name;
	err.constraint_name = edata->constraint_name;
	if (!pls_error_fields_from_door(&err, &f))
	{
		PyErr_NoMemory();
		return;
	}
	pls_plpy_raise_spierror(&f);
	pls_error_fields_free(&f);
}
