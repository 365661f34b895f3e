/*-------------------------------------------------------------------------
 *
 * errors.c
 *	  Error translation in both directions: an uncaught Python exception
 *	  becomes a PostgreSQL error (PL/Python's message and SQLSTATE rules,
 *	  the traceback in CONTEXT with body line numbers), and a PostgreSQL
 *	  error caught around SPI becomes a plpy.SPIError subclass.
 *
 *-------------------------------------------------------------------------
 */
#include "plsafepy.h"

#include "frameobject.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "catalog/namespace.h"
#include "mb/pg_wchar.h"
#include "utils/memutils.h"
#include "utils/elog.h"

#define PLS_FUNCTION_FILE_PREFIX "<plsafepy function "

void
pls_error_context(void *arg)
{
	PLSProc    *proc = (PLSProc *) arg;

	if (proc->kind == PLS_INLINE)
		errcontext("PL/SafePy anonymous code block");
	else if (proc->kind == PLS_PROCEDURE)
		errcontext("PL/SafePy procedure \"%s\"", proc->name);
	else
		errcontext("PL/SafePy function \"%s\"", proc->name);
}

/* UTF-8 copy of str(o) in palloc'd memory, or NULL. */
static char *
py_str(PyObject *o)
{
	PyObject   *s;
	const char *u;
	char	   *res = NULL;

	if (o == NULL || o == Py_None)
		return NULL;
	s = PyObject_Str(o);
	if (s == NULL)
	{
		PyErr_Clear();
		return NULL;
	}
	u = PyUnicode_AsUTF8(s);
	if (u)
		res = pg_any_to_server(u, strlen(u), PG_UTF8);
	else
		PyErr_Clear();
	if (res == u)
		res = pstrdup(u);
	Py_DECREF(s);
	return res;
}

static char *
attr_str(PyObject *o, const char *name)
{
	PyObject   *a;
	char	   *res;

	a = PyObject_GetAttrString(o, name);
	if (a == NULL)
	{
		PyErr_Clear();
		return NULL;
	}
	res = py_str(a);
	Py_DECREF(a);
	return res;
}

/* Line n (1-based) of src, without its newline, or NULL. */
static char *
source_line(const char *src, long n)
{
	const char *p = src;
	const char *end;

	if (src == NULL || n < 1)
		return NULL;
	while (--n > 0)
	{
		p = strchr(p, '\n');
		if (p == NULL)
			return NULL;
		p++;
	}
	end = strchr(p, '\n');
	if (end == NULL)
		end = p + strlen(p);
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end)
		return NULL;
	return pnstrdup(p, end - p);
}

/*
 * PL/Python's traceback: one entry per frame of a plsafepy function, the
 * function's own frame shown as <module>, with the body's source line.
 */
static char *
format_traceback(PyObject *tb, PLSProc *proc)
{
	StringInfoData buf;
	bool		first = true;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "Traceback (most recent call last):");
	for (; tb != NULL && PyTraceBack_Check(tb);
		 tb = (PyObject *) ((PyTracebackObject *) tb)->tb_next)
	{
		PyTracebackObject *t = (PyTracebackObject *) tb;
		PyCodeObject *code = PyFrame_GetCode(t->tb_frame);
		const char *filename = PyUnicode_AsUTF8(code->co_filename);
		const char *fname = PyUnicode_AsUTF8(code->co_name);
		size_t		plen = strlen(PLS_FUNCTION_FILE_PREFIX);

		if (filename && fname &&
			strncmp(filename, PLS_FUNCTION_FILE_PREFIX, plen) == 0)
		{
			char	   *name = pnstrdup(filename + plen, strlen(filename) - plen - 1);
			bool		own = proc && strcmp(name, proc->name) == 0;
			char	   *line = own ? source_line(proc->source, t->tb_lineno) : NULL;

			if (own && proc->kind == PLS_INLINE)
				appendStringInfo(&buf, "\n  PL/SafePy anonymous code block, line %d, in %s",
								 t->tb_lineno, first ? "<module>" : fname);
			else
				appendStringInfo(&buf, "\n  PL/SafePy function \"%s\", line %d, in %s",
								 name, t->tb_lineno, first ? "<module>" : fname);
			if (line)
				appendStringInfo(&buf, "\n    %s", line);
		}
		PyErr_Clear();
		Py_DECREF(code);
		first = false;
	}
	return buf.data;
}

/* "TypeName: message", PL/Python style (module shown unless builtin). */
static char *
format_message(PyObject *type, PyObject *value)
{
	PyObject   *mod = PyObject_GetAttrString(type, "__module__");
	const char *tname = ((PyTypeObject *) type)->tp_name;
	const char *dot = strrchr(tname, '.');
	char	   *modname = mod ? py_str(mod) : NULL;
	char	   *vstr = py_str(value);
	StringInfoData buf;

	PyErr_Clear();
	Py_XDECREF(mod);
	initStringInfo(&buf);
	if (dot)
		tname = dot + 1;
	if (modname && strcmp(modname, "builtins") != 0 &&
		strcmp(modname, "__main__") != 0)
		appendStringInfo(&buf, "%s.", modname);
	appendStringInfoString(&buf, tname);
	if (vstr && vstr[0])
		appendStringInfo(&buf, ": %s", vstr);
	return buf.data;
}

typedef struct PLSErrFields
{
	int			sqlerrcode;
	char	   *detail;
	char	   *hint;
	char	   *query;
	int			position;
	char	   *schema_name;
	char	   *table_name;
	char	   *column_name;
	char	   *datatype_name;
	char	   *constraint_name;
} PLSErrFields;

static int
sqlstate_from_str(const char *s)
{
	if (s == NULL || strlen(s) != 5 || strspn(s, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 5)
		return 0;
	return MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4]);
}

/* plpy.SPIError: the fields of the PostgreSQL error it came from. */
static void
spierror_fields(PyObject *value, PLSErrFields *f)
{
	PyObject   *spidata = PyObject_GetAttrString(value, "spidata");
	PyObject   *o;

	if (spidata == NULL || !PyTuple_Check(spidata) || PyTuple_GET_SIZE(spidata) != 10)
	{
		/* raised by hand (no spidata): its class's sqlstate, as PL/Python */
		int			code = sqlstate_from_str(attr_str(value, "sqlstate"));

		PyErr_Clear();
		Py_XDECREF(spidata);
		if (code)
			f->sqlerrcode = code;
		return;
	}
	o = PyTuple_GET_ITEM(spidata, 0);
	if (PyLong_Check(o))
		f->sqlerrcode = (int) PyLong_AsLong(o);
	f->detail = py_str(PyTuple_GET_ITEM(spidata, 1));
	f->hint = py_str(PyTuple_GET_ITEM(spidata, 2));
	f->query = py_str(PyTuple_GET_ITEM(spidata, 3));
	o = PyTuple_GET_ITEM(spidata, 4);
	if (PyLong_Check(o))
		f->position = (int) PyLong_AsLong(o);
	f->schema_name = py_str(PyTuple_GET_ITEM(spidata, 5));
	f->table_name = py_str(PyTuple_GET_ITEM(spidata, 6));
	f->column_name = py_str(PyTuple_GET_ITEM(spidata, 7));
	f->datatype_name = py_str(PyTuple_GET_ITEM(spidata, 8));
	f->constraint_name = py_str(PyTuple_GET_ITEM(spidata, 9));
	PyErr_Clear();
	Py_DECREF(spidata);
}

/* plpy.Error raised by plpy.error(..., sqlstate=, detail=, ...). */
static void
plpy_error_fields(PyObject *value, PLSErrFields *f)
{
	int			code = sqlstate_from_str(attr_str(value, "sqlstate"));

	if (code)
		f->sqlerrcode = code;
	f->detail = attr_str(value, "detail");
	f->hint = attr_str(value, "hint");
	f->schema_name = attr_str(value, "schema_name");
	f->table_name = attr_str(value, "table_name");
	f->column_name = attr_str(value, "column_name");
	f->datatype_name = attr_str(value, "datatype_name");
	f->constraint_name = attr_str(value, "constraint_name");
}

void
pls_elog_exception(int elevel, PLSProc *proc)
{
	pls_elog_exception_msg(elevel, proc, NULL);
}

void
pls_elog_exception_msg(int elevel, PLSProc *proc, const char *msg)
{
	PLSInterp  *interp = pls_current;
	PyObject   *type,
			   *value,
			   *tb;
	PLSErrFields f;
	char	   *emsg;
	char	   *tbmsg;

	if (!PyErr_Occurred())
		elog(ERROR, "plsafepy: error reported without a Python exception");

	/* An interrupt unwinding: PostgreSQL raises its own error. */
	if (interp && interp->exc_interrupted &&
		PyErr_ExceptionMatches(interp->exc_interrupted))
	{
		PyErr_Clear();
		pls_limits_check();
		ereport(ERROR,
				(errcode(ERRCODE_QUERY_CANCELED),
				 errmsg("canceling statement due to user request")));
	}

	/*
	 * Code that turned the interrupt into another exception (an except
	 * block that raises) still ends with PostgreSQL's own error.
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

	memset(&f, 0, sizeof(f));
	f.sqlerrcode = ERRCODE_EXTERNAL_ROUTINE_EXCEPTION;

	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	if (value == NULL)
	{
		value = Py_None;
		Py_INCREF(value);
	}

	if (interp && interp->exc_fatal &&
		PyErr_GivenExceptionMatches(type, interp->exc_fatal))
		elevel = FATAL;
	if (interp && interp->exc_spierror &&
		PyErr_GivenExceptionMatches(type, interp->exc_spierror))
		spierror_fields(value, &f);
	else if (interp && interp->exc_error &&
			 PyErr_GivenExceptionMatches(type, interp->exc_error))
		plpy_error_fields(value, &f);
	else if (PyErr_GivenExceptionMatches(type, PyExc_MemoryError))
		f.sqlerrcode = ERRCODE_OUT_OF_MEMORY;

	emsg = format_message(type, value);
	tbmsg = format_traceback(tb, proc);

	Py_XDECREF(type);
	Py_XDECREF(value);
	Py_XDECREF(tb);
	PyErr_Clear();

	/* With msg, the exception becomes the detail, as in PL/Python. */
	if (msg)
	{
		f.detail = emsg;
		emsg = pstrdup(msg);
	}

	ereport(elevel,
			(errcode(f.sqlerrcode),
			 errmsg_internal("%s", emsg),
			 f.detail ? errdetail_internal("%s", f.detail) : 0,
			 f.hint ? errhint("%s", f.hint) : 0,
			 f.query ? internalerrquery(f.query) : 0,
			 f.position ? internalerrposition(f.position) : 0,
			 f.schema_name ? err_generic_string(PG_DIAG_SCHEMA_NAME, f.schema_name) : 0,
			 f.table_name ? err_generic_string(PG_DIAG_TABLE_NAME, f.table_name) : 0,
			 f.column_name ? err_generic_string(PG_DIAG_COLUMN_NAME, f.column_name) : 0,
			 f.datatype_name ? err_generic_string(PG_DIAG_DATATYPE_NAME, f.datatype_name) : 0,
			 f.constraint_name ? err_generic_string(PG_DIAG_CONSTRAINT_NAME, f.constraint_name) : 0,
			 errcontext("%s", tbmsg)));
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
 * A str from server-encoded text (None for NULL), for a C function called
 * from Python: throws no PostgreSQL error.  The conversion runs with
 * noError (PostgreSQL 14's contract: it stops at the first byte it cannot
 * convert instead of throwing), each such character becomes U+FFFD, and
 * the buffer is Python's.  Without the prepared conversion (none needed
 * for UTF8 and SQL_ASCII servers) the bytes are decoded as UTF-8, an
 * undecodable one replaced.  NULL with a Python exception set on failure.
 */
static PyObject *
str_from_server_noerror(const char *s)
{
	int			enc = GetDatabaseEncoding();
	size_t		len;
	char	   *buf;
	char	   *out;
	PyObject   *o;

	if (s == NULL)
		Py_RETURN_NONE;
	len = strlen(s);
	if (!to_utf8_ready || len > (PY_SSIZE_T_MAX / 2 - 1) / MAX_CONVERSION_GROWTH)
		return PyUnicode_DecodeUTF8(s, len, "replace");

	/* converted bytes, or 3 for U+FFFD per unconvertible source byte */
	buf = PyMem_Malloc(len * MAX_CONVERSION_GROWTH + 1);
	if (buf == NULL)
		return PyErr_NoMemory();
	out = buf;
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

			memcpy(out, "\xEF\xBF\xBD", 3);
			out += 3;
			s += Max(skip, 1);
			len -= Max(skip, 1);
		}
	}
	o = PyUnicode_DecodeUTF8(buf, out - buf, "replace");
	PyMem_Free(buf);
	return o;
}

void
pls_raise_pg_error(ErrorData *edata)
{
	PLSInterp  *interp = pls_current;
	PyObject   *cls = NULL;
	PyObject   *exc;
	PyObject   *spidata;
	PyObject   *msg;
	/* spidata: (sqlerrcode, detail, hint, query, position, schema ... ) */
	const char *texts[10] = {NULL, edata->detail, edata->hint,
		edata->internalquery, NULL, edata->schema_name, edata->table_name,
		edata->column_name, edata->datatype_name, edata->constraint_name
	};

	/* A cancel or termination is not for user code to catch (limits.c). */
	if (pls_limits_catch_error(edata))
		return;

	if (interp->spiexc_module)
		cls = pls_spiexc_for_state(interp, unpack_sql_state(edata->sqlerrcode));
	if (cls == NULL)
		cls = interp->exc_spierror;

	/* the texts are in the server's encoding, Python's str needs UTF-8 */
	msg = str_from_server_noerror(edata->message ? edata->message : "");
	if (msg == NULL)
		return;
	exc = PyObject_CallOneArg(cls, msg);
	Py_DECREF(msg);
	if (exc == NULL)
		return;

	spidata = PyTuple_New(lengthof(texts));
	if (spidata == NULL)
	{
		Py_DECREF(exc);
		return;
	}
	for (int i = 0; i < lengthof(texts); i++)
	{
		PyObject   *o;

		if (i == 0)
			o = PyLong_FromLong(edata->sqlerrcode);
		else if (i == 4)
			o = PyLong_FromLong(edata->internalpos);
		else
			o = str_from_server_noerror(texts[i]);
		if (o == NULL)
		{
			Py_DECREF(spidata);
			Py_DECREF(exc);
			return;
		}
		PyTuple_SET_ITEM(spidata, i, o);
	}
	if (PyObject_SetAttrString(exc, "spidata", spidata) < 0)
	{
		Py_DECREF(spidata);
		Py_DECREF(exc);
		return;
	}
	Py_DECREF(spidata);
	PyErr_SetObject(cls, exc);
	Py_DECREF(exc);
}
