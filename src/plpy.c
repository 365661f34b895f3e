/*-------------------------------------------------------------------------
 *
 * plpy.c
 *	  The plpy module of one role's interpreter: its creation, the
 *	  exception classes (Error, Fatal, SPIError, plpy.spiexceptions.*), the
 *	  logging functions (debug ... fatal), quote_literal/quote_nullable/
 *	  quote_ident, and the print() that sends its text to the client as a
 *	  NOTICE.  Names, messages and behaviour are PL/Python's.  Logging and
 *	  quoting are door requests (door.h); the SPI side of the module lives
 *	  in the spi_*.c files.
 *
 *	  Every object built here belongs to one interpreter: roles never share
 *	  a mutable Python object.  Only the C types (spi_*.c) are shared, and
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
 * A server-encoded message (a door reply's error) as str, on the Python
 * side: undecodable bytes are replaced, nothing can fail but memory.
 */
PyObject *
pls_str_from_server_lossy(const char *s)
{
	return PyUnicode_DecodeUTF8(s, strlen(s), "replace");
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

/* The host hook (pyhost.h): this interpreter's plpy, exceptions included. */
int
pls_host_plpy_create(PLSInterp *interp)
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

static bool
set_string_attr(PyObject *obj, const char *attrname, const char *str)
{
	PyObject   *val;
	int			rc;

	if (str == NULL)
		return PyObject_SetAttrString(obj, attrname, Py_None) == 0;
	val = pls_str_from_server_lossy(str);
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
raise_error_with_details(const PLSDoorError *err)
{
	PyObject   *exc_class = pls_current->exc_error;
	PyObject   *msg;
	PyObject   *error;

	msg = pls_str_from_server_lossy(err->message ? err->message : "");
	if (msg == NULL)
		return;
	error = PyObject_CallOneArg(exc_class, msg);
	Py_DECREF(msg);
	if (error == NULL)
		return;
	if (!set_string_attr(error, "sqlstate", unpack_sql_state(err->sqlerrcode)) ||
		!set_string_attr(error, "detail", err->detail) ||
		!set_string_attr(error, "hint", err->hint) ||
		!set_string_attr(error, "query", err->internalquery) ||
		!set_string_attr(error, "schema_name", err->schema_name) ||
		!set_string_attr(error, "table_name", err->table_name) ||
		!set_string_attr(error, "column_name", err->column_name) ||
		!set_string_attr(error, "datatype_name", err->datatype_name) ||
		!set_string_attr(error, "constraint_name", err->constraint_name))
	{
		Py_DECREF(error);
		return;
	}
	PyErr_SetObject(exc_class, error);
	Py_DECREF(error);
}

/* The fields of a report, UTF-8 (NULL: absent); the request. */
enum
{
	F_MESSAGE, F_DETAIL, F_HINT, F_SQLSTATE, F_SCHEMA, F_TABLE, F_COLUMN,
	F_DATATYPE, F_CONSTRAINT, NFIELDS
};

static const char *const field_names[NFIELDS] = {
	"message", "detail", "hint", "sqlstate", "schema_name", "table_name",
	"column_name", "datatype_name", "constraint_name"
};

typedef struct ReportReq
{
	int			level;
	int			sqlstate;		/* 0: the level's default */
	const char *fields[NFIELDS];
	Py_ssize_t	lens[NFIELDS];
} ReportReq;

/* PostgreSQL side: ereport, outside Python (hooks run outside it) */
static void
serve_report(void *arg)
{
	ReportReq  *req = (ReportReq *) arg;
	char	   *f[NFIELDS];

	for (int i = 0; i < NFIELDS; i++)
		f[i] = req->fields[i] ? pls_utf8_to_server(req->fields[i], req->lens[i]) : NULL;
	ereport(req->level,
			(req->sqlstate != 0 ? errcode(req->sqlstate) : 0,
			 f[F_MESSAGE] != NULL ? errmsg_internal("%s", f[F_MESSAGE]) : 0,
			 f[F_DETAIL] != NULL ? errdetail_internal("%s", f[F_DETAIL]) : 0,
			 f[F_HINT] != NULL ? errhint("%s", f[F_HINT]) : 0,
			 f[F_COLUMN] != NULL ?
			 err_generic_string(PG_DIAG_COLUMN_NAME, f[F_COLUMN]) : 0,
			 f[F_CONSTRAINT] != NULL ?
			 err_generic_string(PG_DIAG_CONSTRAINT_NAME, f[F_CONSTRAINT]) : 0,
			 f[F_DATATYPE] != NULL ?
			 err_generic_string(PG_DIAG_DATATYPE_NAME, f[F_DATATYPE]) : 0,
			 f[F_TABLE] != NULL ?
			 err_generic_string(PG_DIAG_TABLE_NAME, f[F_TABLE]) : 0,
			 f[F_SCHEMA] != NULL ?
			 err_generic_string(PG_DIAG_SCHEMA_NAME, f[F_SCHEMA]) : 0));
}

/*
 * Python side: send the report.  An ERROR, or any failure to report,
 * comes back as plpy.Error.  FATAL does not return.
 */
static PyObject *
report(ReportReq *req)
{
	PLSDoorError err;
	const char *st = req->fields[F_SQLSTATE];

	if (st != NULL)
	{
		if (strlen(st) != 5 ||
			strspn(st, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 5)
		{
			PyErr_SetString(PyExc_ValueError, "invalid SQLSTATE code");
			return NULL;
		}
		req->sqlstate = MAKE_SQLSTATE(st[0], st[1], st[2], st[3], st[4]);
	}
	if (!pls_door_call(serve_report, req, PLS_DOOR_LOCAL, &err))
	{
		raise_error_with_details(&err);
		pls_door_error_free(&err);
		return NULL;
	}
	Py_RETURN_NONE;
}

/* str(obj)'s UTF-8 into field i, the str held by e; false: raised */
static bool
set_field(ReportReq *req, int i, PyObject *obj, PLSEncoder *e)
{
	PyObject   *so = PyUnicode_CheckExact(obj) ? Py_NewRef(obj) : PyObject_Str(obj);
	bool		ok;

	if (so == NULL)
		return false;
	ok = pls_encoder_hold(e, so) &&
		(req->fields[i] = pls_str_utf8(so, &req->lens[i])) != NULL;
	Py_DECREF(so);
	return ok;
}

/* PL/Python's PLy_output: plpy.notice(*args, message=, detail=, ...) */
static PyObject *
plpy_output(int level, PyObject *args, PyObject *kw)
{
	ReportReq	req;
	PLSEncoder	e;
	PyObject   *key;
	PyObject   *value;
	Py_ssize_t	pos = 0;
	PyObject   *res = NULL;
	PyObject   *msg;

	memset(&req, 0, sizeof(req));
	pls_encoder_init(&e);
	req.level = level;

	/* a single argument is reported without the ('tuple',) decoration */
	msg = PyTuple_GET_SIZE(args) == 1 ? PyTuple_GET_ITEM(args, 0) : args;
	if (!set_field(&req, F_MESSAGE, msg, &e))
	{
		PyErr_Clear();
		req.level = ERROR;
		req.fields[F_MESSAGE] = "could not parse error message in plpy.elog";
		req.lens[F_MESSAGE] = strlen(req.fields[F_MESSAGE]);
	}

	while (kw != NULL && PyDict_Next(kw, &pos, &key, &value))
	{
		const char *keyword = PyUnicode_AsUTF8(key);
		int			i;

		if (keyword == NULL)
			goto done;
		for (i = 0; i < NFIELDS; i++)
			if (strcmp(keyword, field_names[i]) == 0)
				break;
		if (i == NFIELDS)
		{
			PyErr_Format(PyExc_TypeError,
						 "'%s' is an invalid keyword argument for this function",
						 keyword);
			goto done;
		}
		/* the message must not be given twice */
		if (i == F_MESSAGE && PyTuple_GET_SIZE(args) != 0)
		{
			PyErr_SetString(PyExc_TypeError,
							"argument 'message' given by name and position");
			goto done;
		}
		if (!set_field(&req, i, value, &e))
			goto done;
	}

	res = report(&req);
done:
	pls_encoder_free(&e);
	return res;
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
		if (flush != NULL)
		{
			int			doflush = PyObject_IsTrue(flush);

			if (doflush < 0)
				goto done;
			if (doflush)
			{
				r = PyObject_CallMethod(file, "flush", NULL);
				if (r == NULL)
					goto done;
				Py_DECREF(r);
			}
		}
		res = Py_None;
		Py_INCREF(res);
	}
	else
	{
		ReportReq	req;
		PLSEncoder	e;
		PyObject   *full;
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

		memset(&req, 0, sizeof(req));
		pls_encoder_init(&e);
		req.level = NOTICE;
		if (set_field(&req, F_MESSAGE, full, &e))
			res = report(&req);
		Py_DECREF(full);
		pls_encoder_free(&e);
	}

done:
	Py_XDECREF(parts);
	Py_XDECREF(text);
	return res;
}

/* The host hook (pyhost.h): print() as a NOTICE. */
PyObject *
pls_host_print_new(void)
{
	return PyCFunction_New(&pls_print_method, NULL);
}


/* ---------- quoting ---------- */

typedef struct QuoteReq
{
	const char *str;			/* UTF-8 */
	bool		ident;
	char	   *quoted;			/* reply, UTF-8, in scratch memory */
} QuoteReq;

/* PostgreSQL side */
static void
serve_quote(void *arg)
{
	QuoteReq   *req = (QuoteReq *) arg;
	char	   *s = pls_utf8_to_server(req->str, strlen(req->str));
	char	   *q = req->ident ? (char *) quote_identifier(s) : quote_literal_cstr(s);

	req->quoted = pg_server_to_any(q, strlen(q), PG_UTF8);
	if (req->quoted == q || req->quoted == s)
		req->quoted = pstrdup(q);
	if (q != s)
		pfree(q);
	pfree(s);
}

/* Python side */
static PyObject *
quote_with(const char *str, bool ident)
{
	QuoteReq	req = {str, ident, NULL};
	PLSDoorError err;
	PyObject   *res;

	if (!pls_door_call(serve_quote, &req, PLS_DOOR_LOCAL, &err))
	{
		pls_door_raise(&err);
		pls_door_error_free(&err);
		return NULL;
	}
	res = PyUnicode_FromString(req.quoted);
	pfree(req.quoted);
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
