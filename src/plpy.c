/*-------------------------------------------------------------------------
 *
 * plpy.c
 *	  The plpy module of one role's interpreter: its creation, the
 *	  exception classes (Error, Fatal, SPIError, plpy.spiexceptions.*), the
 *	  logging functions (debug ... fatal), quote_literal/quote_nullable/
 *	  quote_ident, and the print() that sends its text to the client as a
 *	  NOTICE.  Names, messages and behaviour are PL/Python's.  The SPI side
 *	  of the module lives in spi.c.
 *
 *	  Every object built here belongs to one interpreter: roles never share
 *	  a mutable Python object.  Only the C types (spi.c) are shared, and
 *	  those are immutable.
 *
 *-------------------------------------------------------------------------
 */
#include "plpy_int.h"

#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/elog.h"
#include "utils/memutils.h"

/* plpy.spiexceptions, generated from errcodes.h at build time */
typedef struct SPIExceptionDef
{
	const char *name;
	const char *sqlstate;
} SPIExceptionDef;

static const SPIExceptionDef spi_exception_defs[] = {
#include "spiexceptions.h"
	{NULL, NULL}
};

static PyObject *plpy_debug(PyObject *self, PyObject *args, PyObject *kw);
static PyObject *plpy_log(PyObject *self, PyObject *args, PyObject *kw);
static PyObject *plpy_info(PyObject *self, PyObject *args, PyObject *kw);
static PyObject *plpy_notice(PyObject *self, PyObject *args, PyObject *kw);
static PyObject *plpy_warning(PyObject *self, PyObject *args, PyObject *kw);
static PyObject *plpy_error(PyObject *self, PyObject *args, PyObject *kw);
static PyObject *plpy_fatal(PyObject *self, PyObject *args, PyObject *kw);
static PyObject *plpy_quote_literal(PyObject *self, PyObject *args);
static PyObject *plpy_quote_nullable(PyObject *self, PyObject *args);
static PyObject *plpy_quote_ident(PyObject *self, PyObject *args);

static PyMethodDef plpy_methods[] = {
	{"debug", (PyCFunction) (void (*) (void)) plpy_debug, METH_VARARGS | METH_KEYWORDS, NULL},
	{"log", (PyCFunction) (void (*) (void)) plpy_log, METH_VARARGS | METH_KEYWORDS, NULL},
	{"info", (PyCFunction) (void (*) (void)) plpy_info, METH_VARARGS | METH_KEYWORDS, NULL},
	{"notice", (PyCFunction) (void (*) (void)) plpy_notice, METH_VARARGS | METH_KEYWORDS, NULL},
	{"warning", (PyCFunction) (void (*) (void)) plpy_warning, METH_VARARGS | METH_KEYWORDS, NULL},
	{"error", (PyCFunction) (void (*) (void)) plpy_error, METH_VARARGS | METH_KEYWORDS, NULL},
	{"fatal", (PyCFunction) (void (*) (void)) plpy_fatal, METH_VARARGS | METH_KEYWORDS, NULL},
	{"prepare", pls_spi_prepare, METH_VARARGS, NULL},
	{"execute", (PyCFunction) (void (*) (void)) pls_spi_execute, METH_FASTCALL | METH_KEYWORDS, NULL},
	{"quote_literal", plpy_quote_literal, METH_VARARGS, NULL},
	{"quote_nullable", plpy_quote_nullable, METH_VARARGS, NULL},
	{"quote_ident", plpy_quote_ident, METH_VARARGS, NULL},
	{"subtransaction", pls_spi_subtransaction, METH_NOARGS, NULL},
	{"cursor", pls_spi_cursor, METH_VARARGS, NULL},
	{"commit", pls_spi_commit, METH_NOARGS, NULL},
	{"rollback", pls_spi_rollback, METH_NOARGS, NULL},
	{NULL, NULL, 0, NULL}
};

static PyObject *spiexc_getattr(PyObject *module, PyObject *name);
static PyObject *spiexc_dir(PyObject *module, PyObject *unused);

/* PEP 562: the classes are made on first use */
static PyMethodDef spiexc_methods[] = {
	{"__getattr__", spiexc_getattr, METH_O, NULL},
	{"__dir__", spiexc_dir, METH_NOARGS, NULL},
	{NULL, NULL, 0, NULL}
};

/*
 * m_size -1: the module keeps no per-module state; PyModule_Create builds
 * a new module object (and new function objects) for each interpreter.
 */
static struct PyModuleDef plpy_moduledef = {
	PyModuleDef_HEAD_INIT, "plpy", NULL, -1, plpy_methods
};

static struct PyModuleDef spiexc_moduledef = {
	PyModuleDef_HEAD_INIT, "spiexceptions", NULL, -1, spiexc_methods
};

static PyMethodDef pls_print_method = {
	"print", (PyCFunction) (void (*) (void)) pls_plpy_print,
	METH_FASTCALL | METH_KEYWORDS, NULL
};


/* ---------- strings ---------- */

/*
 * str -> palloc'd string in the server encoding, or NULL with a Python
 * exception.  Embedded NULs are refused as PyArg_ParseTuple's "s" does.
 */
char *
pls_str_to_server(PyObject *o)
{
	Py_ssize_t	len;
	const char *utf8;
	char	   *volatile res = NULL;
	ErrorData  *edata = NULL;
	MemoryContext oldcxt = CurrentMemoryContext;

	utf8 = PyUnicode_AsUTF8AndSize(o, &len);
	if (utf8 == NULL)
		return NULL;
	if ((Py_ssize_t) strlen(utf8) != len)
	{
		PyErr_SetString(PyExc_ValueError, "embedded null character");
		return NULL;
	}

	PG_TRY();
	{
		if (GetDatabaseEncoding() == PG_UTF8)
			res = pnstrdup(utf8, len);
		else
		{
			res = pg_any_to_server(utf8, len, PG_UTF8);
			if (res == utf8)
				res = pnstrdup(utf8, len);
		}
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
	}
	PG_END_TRY();

	if (edata)
	{
		pls_raise_pg_error(edata);
		FreeErrorData(edata);
		return NULL;
	}
	return res;
}

/* server-encoded string -> str (new reference), or NULL with an exception */
PyObject *
pls_str_from_server(const char *s)
{
	char	   *volatile utf8 = NULL;
	ErrorData  *edata = NULL;
	MemoryContext oldcxt = CurrentMemoryContext;
	PyObject   *res;

	if (GetDatabaseEncoding() == PG_UTF8 || GetDatabaseEncoding() == PG_SQL_ASCII)
		return PyUnicode_FromString(s);

	PG_TRY();
	{
		utf8 = pg_server_to_any(s, strlen(s), PG_UTF8);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
	}
	PG_END_TRY();

	if (edata)
	{
		pls_raise_pg_error(edata);
		FreeErrorData(edata);
		return NULL;
	}
	res = PyUnicode_FromString(utf8);
	if (utf8 != s)
		pfree(utf8);
	return res;
}


/* ---------- exceptions ---------- */

/* name is "module.Class", as PL/Python spells it; adds it to mod */
static PyObject *
create_exception(const char *name, PyObject *base, PyObject *dict,
				 const char *attrname, PyObject *mod)
{
	PyObject   *exc;

	exc = PyErr_NewException(name, base, dict);
	if (exc == NULL)
		return NULL;
	if (PyModule_AddObjectRef(mod, attrname, exc) < 0)
	{
		Py_DECREF(exc);
		return NULL;
	}
	return exc;
}

/*
 * plpy.spiexceptions.<Name> for def, made the first time it is used (by
 * name, or by an error of its SQLSTATE): making all 250 classes took a fifth
 * of a new interpreter's start-up, and a function uses a few at most.
 * Returns a borrowed reference.
 */
static PyObject *
spiexc_make(PLSInterp *interp, const SPIExceptionDef *def)
{
	char		qualname[128];
	PyObject   *dict;
	PyObject   *exc;
	int			rc;

	exc = PyDict_GetItemString(interp->spiexc_by_state, def->sqlstate);
	if (exc != NULL)
		return exc;
	dict = Py_BuildValue("{s:s}", "sqlstate", def->sqlstate);
	if (dict == NULL)
		return NULL;
	snprintf(qualname, sizeof(qualname), "spiexceptions.%s", def->name);
	exc = create_exception(qualname, interp->exc_spierror, dict,
						   def->name, interp->spiexc_module);
	Py_DECREF(dict);
	if (exc == NULL)
		return NULL;
	rc = PyDict_SetItemString(interp->spiexc_by_state, def->sqlstate, exc);
	Py_DECREF(exc);
	return rc < 0 ? NULL : exc;
}

/* The class for sqlstate, or NULL (no error set) if it has none. */
PyObject *
pls_spiexc_for_state(PLSInterp *interp, const char *sqlstate)
{
	PyObject   *exc = PyDict_GetItemString(interp->spiexc_by_state, sqlstate);

	if (exc != NULL)
		return exc;
	for (const SPIExceptionDef *def = spi_exception_defs; def->name; def++)
		if (strcmp(def->sqlstate, sqlstate) == 0)
		{
			exc = spiexc_make(interp, def);
			if (exc == NULL)
				PyErr_Clear();	/* plpy.SPIError will do */
			return exc;
		}
	return NULL;
}

static PyObject *
spiexc_getattr(PyObject *module, PyObject *name)
{
	const char *s = PyUnicode_Check(name) ? PyUnicode_AsUTF8(name) : NULL;

	if (s != NULL && pls_current != NULL &&
		pls_current->spiexc_module == module)
		for (const SPIExceptionDef *def = spi_exception_defs; def->name; def++)
			if (strcmp(def->name, s) == 0)
				return Py_XNewRef(spiexc_make(pls_current, def));
	if (s == NULL && PyErr_Occurred())
		return NULL;
	PyErr_Format(PyExc_AttributeError,
				 "module 'spiexceptions' has no attribute '%U'", name);
	return NULL;
}

static PyObject *
spiexc_dir(PyObject *module, PyObject *unused)
{
	PyObject   *names = PyList_New(0);

	if (names == NULL)
		return NULL;
	for (const SPIExceptionDef *def = spi_exception_defs; def->name; def++)
	{
		PyObject   *n = PyUnicode_FromString(def->name);

		if (n == NULL || PyList_Append(names, n) < 0)
		{
			Py_XDECREF(n);
			Py_DECREF(names);
			return NULL;
		}
		Py_DECREF(n);
	}
	if (PyList_Sort(names) < 0)
	{
		Py_DECREF(names);
		return NULL;
	}
	return names;
}

int
pls_plpy_create(PLSInterp *interp)
{
	PyObject   *plpy;
	PyObject   *excmod;

	if (pls_spi_init() < 0)
		return -1;

	plpy = PyModule_Create(&plpy_moduledef);
	if (plpy == NULL)
		return -1;

	excmod = PyModule_Create(&spiexc_moduledef);
	if (excmod == NULL ||
		PyModule_AddObjectRef(plpy, "spiexceptions", excmod) < 0)
		goto fail;

	interp->exc_error = create_exception("plpy.Error", NULL, NULL, "Error", plpy);
	if (interp->exc_error == NULL)
		goto fail;
	interp->exc_fatal = create_exception("plpy.Fatal", NULL, NULL, "Fatal", plpy);
	if (interp->exc_fatal == NULL)
		goto fail;
	interp->exc_spierror = create_exception("plpy.SPIError", NULL, NULL,
											"SPIError", plpy);
	if (interp->exc_spierror == NULL)
		goto fail;
	interp->spiexc_by_state = PyDict_New();
	if (interp->spiexc_by_state == NULL)
		goto fail;
	interp->spiexc_module = Py_NewRef(excmod);

	/*
	 * Raised while an interrupt unwinds; deliberately a BaseException so
	 * "except Exception" does not catch it, and not reachable through plpy.
	 */
	interp->exc_interrupted = PyErr_NewException("plsafepy.Interrupted",
												 PyExc_BaseException, NULL);
	if (interp->exc_interrupted == NULL)
		goto fail;

	Py_DECREF(excmod);
	interp->plpy = plpy;
	return 0;

fail:
	Py_XDECREF(excmod);
	Py_DECREF(plpy);
	return -1;
}


/* ---------- logging ---------- */

/* str(obj) as a palloc'd server string; NULL with a Python exception */
static char *
object_to_string(PyObject *obj)
{
	PyObject   *so = PyObject_Str(obj);
	char	   *res;

	if (so == NULL)
		return NULL;
	res = pls_str_to_server(so);
	Py_DECREF(so);
	return res;
}

static bool
set_string_attr(PyObject *obj, const char *attrname, const char *str)
{
	PyObject   *val;
	int			rc;

	if (str == NULL)
		return PyObject_SetAttrString(obj, attrname, Py_None) == 0;
	val = pls_str_from_server(str);
	if (val == NULL)
		return false;
	rc = PyObject_SetAttrString(obj, attrname, val);
	Py_DECREF(val);
	return rc == 0;
}

/*
 * Raise plpy.Error for a PostgreSQL error raised by plpy.error() (or a
 * failed report), with the attributes PL/Python gives it.
 */
static void
raise_error_with_details(ErrorData *edata)
{
	PyObject   *exc_class = pls_current->exc_error;
	PyObject   *msg;
	PyObject   *error;

	msg = pls_str_from_server(edata->message ? edata->message : "");
	if (msg == NULL)
		return;
	error = PyObject_CallOneArg(exc_class, msg);
	Py_DECREF(msg);
	if (error == NULL)
		return;
	if (!set_string_attr(error, "sqlstate", unpack_sql_state(edata->sqlerrcode)) ||
		!set_string_attr(error, "detail", edata->detail) ||
		!set_string_attr(error, "hint", edata->hint) ||
		!set_string_attr(error, "query", edata->internalquery) ||
		!set_string_attr(error, "schema_name", edata->schema_name) ||
		!set_string_attr(error, "table_name", edata->table_name) ||
		!set_string_attr(error, "column_name", edata->column_name) ||
		!set_string_attr(error, "datatype_name", edata->datatype_name) ||
		!set_string_attr(error, "constraint_name", edata->constraint_name))
	{
		Py_DECREF(error);
		return;
	}
	PyErr_SetObject(exc_class, error);
	Py_DECREF(error);
}

typedef struct ReportFields
{
	char	   *message;
	char	   *detail;
	char	   *hint;
	char	   *sqlstate;
	char	   *schema_name;
	char	   *table_name;
	char	   *column_name;
	char	   *datatype_name;
	char	   *constraint_name;
} ReportFields;

/*
 * ereport at level, outside Python (so a client or log hook, or an error
 * context callback, never runs inside the role's interpreter).  An ERROR,
 * or any failure to report, comes back as plpy.Error.  FATAL does not
 * return.
 */
static PyObject *
report(int level, ReportFields *f)
{
	int			sqlstate = 0;
	MemoryContext oldcxt = CurrentMemoryContext;
	ErrorData  *edata = NULL;
	PLSEntry	save;

	if (f->sqlstate != NULL)
	{
		if (strlen(f->sqlstate) != 5 ||
			strspn(f->sqlstate, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 5)
		{
			PyErr_SetString(PyExc_ValueError, "invalid SQLSTATE code");
			return NULL;
		}
		sqlstate = MAKE_SQLSTATE(f->sqlstate[0], f->sqlstate[1], f->sqlstate[2],
								 f->sqlstate[3], f->sqlstate[4]);
	}

	pls_suspend(&save);
	PG_TRY();
	{
		ereport(level,
				(sqlstate != 0 ? errcode(sqlstate) : 0,
				 f->message != NULL ? errmsg_internal("%s", f->message) : 0,
				 f->detail != NULL ? errdetail_internal("%s", f->detail) : 0,
				 f->hint != NULL ? errhint("%s", f->hint) : 0,
				 f->column_name != NULL ?
				 err_generic_string(PG_DIAG_COLUMN_NAME, f->column_name) : 0,
				 f->constraint_name != NULL ?
				 err_generic_string(PG_DIAG_CONSTRAINT_NAME, f->constraint_name) : 0,
				 f->datatype_name != NULL ?
				 err_generic_string(PG_DIAG_DATATYPE_NAME, f->datatype_name) : 0,
				 f->table_name != NULL ?
				 err_generic_string(PG_DIAG_TABLE_NAME, f->table_name) : 0,
				 f->schema_name != NULL ?
				 err_generic_string(PG_DIAG_SCHEMA_NAME, f->schema_name) : 0));
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
	}
	PG_END_TRY();
	pls_resume(&save);

	if (edata)
	{
		raise_error_with_details(edata);
		FreeErrorData(edata);
		return NULL;
	}
	Py_RETURN_NONE;
}

/* PL/Python's PLy_output: plpy.notice(*args, message=, detail=, ...) */
static PyObject *
plpy_output(int level, PyObject *args, PyObject *kw)
{
	ReportFields f;
	PyObject   *so;
	PyObject   *key;
	PyObject   *value;
	Py_ssize_t	pos = 0;
	PyObject   *res;
	MemoryContext cxt;
	MemoryContext oldcxt;

	memset(&f, 0, sizeof(f));

	/* the strings live only for this report */
	cxt = AllocSetContextCreate(CurrentMemoryContext, "plsafepy report",
								ALLOCSET_SMALL_SIZES);
	oldcxt = MemoryContextSwitchTo(cxt);

	/* a single argument is reported without the ('tuple',) decoration */
	if (PyTuple_GET_SIZE(args) == 1)
		so = PyObject_Str(PyTuple_GET_ITEM(args, 0));
	else
		so = PyObject_Str(args);
	if (so == NULL || (f.message = pls_str_to_server(so)) == NULL)
	{
		PyErr_Clear();
		level = ERROR;
		f.message = "could not parse error message in plpy.elog";
	}
	Py_XDECREF(so);

	if (kw != NULL)
	{
		while (PyDict_Next(kw, &pos, &key, &value))
		{
			const char *keyword = PyUnicode_AsUTF8(key);
			char	  **slot;

			if (keyword == NULL)
				goto fail;
			if (strcmp(keyword, "message") == 0)
			{
				/* the message must not be given twice */
				if (PyTuple_GET_SIZE(args) != 0)
				{
					PyErr_SetString(PyExc_TypeError,
									"argument 'message' given by name and position");
					goto fail;
				}
				slot = &f.message;
			}
			else if (strcmp(keyword, "detail") == 0)
				slot = &f.detail;
			else if (strcmp(keyword, "hint") == 0)
				slot = &f.hint;
			else if (strcmp(keyword, "sqlstate") == 0)
				slot = &f.sqlstate;
			else if (strcmp(keyword, "schema_name") == 0)
				slot = &f.schema_name;
			else if (strcmp(keyword, "table_name") == 0)
				slot = &f.table_name;
			else if (strcmp(keyword, "column_name") == 0)
				slot = &f.column_name;
			else if (strcmp(keyword, "datatype_name") == 0)
				slot = &f.datatype_name;
			else if (strcmp(keyword, "constraint_name") == 0)
				slot = &f.constraint_name;
			else
			{
				PyErr_Format(PyExc_TypeError,
							 "'%s' is an invalid keyword argument for this function",
							 keyword);
				goto fail;
			}
			if ((*slot = object_to_string(value)) == NULL)
				goto fail;
		}
	}

	res = report(level, &f);
	MemoryContextSwitchTo(oldcxt);
	MemoryContextDelete(cxt);
	return res;

fail:
	MemoryContextSwitchTo(oldcxt);
	MemoryContextDelete(cxt);
	return NULL;
}

static PyObject *
plpy_debug(PyObject *self, PyObject *args, PyObject *kw)
{
	return plpy_output(DEBUG2, args, kw);
}

static PyObject *
plpy_log(PyObject *self, PyObject *args, PyObject *kw)
{
	return plpy_output(LOG, args, kw);
}

static PyObject *
plpy_info(PyObject *self, PyObject *args, PyObject *kw)
{
	return plpy_output(INFO, args, kw);
}

static PyObject *
plpy_notice(PyObject *self, PyObject *args, PyObject *kw)
{
	return plpy_output(NOTICE, args, kw);
}

static PyObject *
plpy_warning(PyObject *self, PyObject *args, PyObject *kw)
{
	return plpy_output(WARNING, args, kw);
}

static PyObject *
plpy_error(PyObject *self, PyObject *args, PyObject *kw)
{
	return plpy_output(ERROR, args, kw);
}

static PyObject *
plpy_fatal(PyObject *self, PyObject *args, PyObject *kw)
{
	return plpy_output(FATAL, args, kw);
}

/*
 * print(*objects, sep=' ', end='\n', file=None, flush=False): the text goes
 * to the client as a NOTICE (one trailing newline dropped), or to
 * file.write() when a file is given.
 */
PyObject *
pls_plpy_print(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
			   PyObject *kwnames)
{
	PyObject   *sep = NULL;
	PyObject   *end = NULL;
	PyObject   *file = NULL;
	PyObject   *flush = NULL;
	PyObject   *parts = NULL;
	PyObject   *text = NULL;
	PyObject   *res = NULL;
	Py_ssize_t	nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
	Py_ssize_t	i;

	for (i = 0; i < nkw; i++)
	{
		PyObject   *name = PyTuple_GET_ITEM(kwnames, i);
		PyObject   *val = args[nargs + i];

		if (PyUnicode_CompareWithASCIIString(name, "sep") == 0)
			sep = val;
		else if (PyUnicode_CompareWithASCIIString(name, "end") == 0)
			end = val;
		else if (PyUnicode_CompareWithASCIIString(name, "file") == 0)
			file = val;
		else if (PyUnicode_CompareWithASCIIString(name, "flush") == 0)
			flush = val;
		else
		{
			PyErr_Format(PyExc_TypeError,
						 "'%U' is an invalid keyword argument for print()", name);
			return NULL;
		}
	}
	if (sep == Py_None)
		sep = NULL;
	if (end == Py_None)
		end = NULL;
	if (file == Py_None)
		file = NULL;
	if (sep != NULL && !PyUnicode_Check(sep))
	{
		PyErr_Format(PyExc_TypeError, "sep must be None or a string, not %.200s",
					 Py_TYPE(sep)->tp_name);
		return NULL;
	}
	if (end != NULL && !PyUnicode_Check(end))
	{
		PyErr_Format(PyExc_TypeError, "end must be None or a string, not %.200s",
					 Py_TYPE(end)->tp_name);
		return NULL;
	}

	parts = PyList_New(nargs);
	if (parts == NULL)
		return NULL;
	for (i = 0; i < nargs; i++)
	{
		PyObject   *s = PyObject_Str(args[i]);

		if (s == NULL)
			goto done;
		PyList_SET_ITEM(parts, i, s);
	}
	if (sep == NULL)
	{
		sep = PyUnicode_FromString(" ");
		if (sep == NULL)
			goto done;
		text = PyUnicode_Join(sep, parts);
		Py_DECREF(sep);
	}
	else
		text = PyUnicode_Join(sep, parts);
	if (text == NULL)
		goto done;

	if (file != NULL)
	{
		PyObject   *full;
		PyObject   *r;

		if (end == NULL)
		{
			PyObject   *nl = PyUnicode_FromString("\n");

			if (nl == NULL)
				goto done;
			full = PyUnicode_Concat(text, nl);
			Py_DECREF(nl);
		}
		else
			full = PyUnicode_Concat(text, end);
		if (full == NULL)
			goto done;
		r = PyObject_CallMethod(file, "write", "O", full);
		Py_DECREF(full);
		if (r == NULL)
			goto done;
		Py_DECREF(r);
		if (flush != NULL && PyObject_IsTrue(flush) == 1)
		{
			r = PyObject_CallMethod(file, "flush", NULL);
			if (r == NULL)
				goto done;
			Py_DECREF(r);
		}
		res = Py_None;
		Py_INCREF(res);
	}
	else
	{
		ReportFields f;
		PyObject   *full;
		MemoryContext cxt;
		MemoryContext oldcxt;
		Py_ssize_t	len;

		if (end != NULL)
			full = PyUnicode_Concat(text, end);
		else
		{
			full = text;
			Py_INCREF(full);
		}
		if (full == NULL)
			goto done;
		/* a NOTICE is a line already: drop one trailing newline */
		len = PyUnicode_GET_LENGTH(full);
		if (len > 0 && PyUnicode_READ_CHAR(full, len - 1) == '\n')
		{
			PyObject   *cut = PyUnicode_Substring(full, 0, len - 1);

			Py_DECREF(full);
			full = cut;
			if (full == NULL)
				goto done;
		}

		memset(&f, 0, sizeof(f));
		cxt = AllocSetContextCreate(CurrentMemoryContext, "plsafepy print",
									ALLOCSET_SMALL_SIZES);
		oldcxt = MemoryContextSwitchTo(cxt);
		f.message = pls_str_to_server(full);
		Py_DECREF(full);
		if (f.message != NULL)
			res = report(NOTICE, &f);
		MemoryContextSwitchTo(oldcxt);
		MemoryContextDelete(cxt);
	}

done:
	Py_XDECREF(parts);
	Py_XDECREF(text);
	return res;
}

PyObject *
pls_plpy_print_new(void)
{
	return PyCFunction_New(&pls_print_method, NULL);
}


/* ---------- quoting ---------- */

/*
 * quote_literal_cstr and quote_identifier only palloc; the PG_TRY keeps
 * even an out-of-memory error from crossing the Python frame.
 */
static PyObject *
quote_with(const char *str, bool ident)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	char	   *volatile quoted = NULL;
	ErrorData  *edata = NULL;
	PyObject   *res;

	PG_TRY();
	{
		if (ident)
			quoted = (char *) quote_identifier(str);
		else
			quoted = quote_literal_cstr(str);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
	}
	PG_END_TRY();
	if (edata)
	{
		pls_raise_pg_error(edata);
		FreeErrorData(edata);
		return NULL;
	}
	res = PyUnicode_FromString(quoted);
	if (quoted != str)
		pfree(quoted);
	return res;
}

static PyObject *
plpy_quote_literal(PyObject *self, PyObject *args)
{
	const char *str;

	if (!PyArg_ParseTuple(args, "s:quote_literal", &str))
		return NULL;
	return quote_with(str, false);
}

static PyObject *
plpy_quote_nullable(PyObject *self, PyObject *args)
{
	const char *str;

	if (!PyArg_ParseTuple(args, "z:quote_nullable", &str))
		return NULL;
	if (str == NULL)
		return PyUnicode_FromString("NULL");
	return quote_with(str, false);
}

static PyObject *
plpy_quote_ident(PyObject *self, PyObject *args)
{
	const char *str;

	if (!PyArg_ParseTuple(args, "s:quote_ident", &str))
		return NULL;
	return quote_with(str, true);
}
