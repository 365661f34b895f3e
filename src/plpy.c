/*-------------------------------------------------------------------------
 *
 * plpy.c
 *	  The plpy module of one role's interpreter: its creation, the
 *	  exception classes (Error, Fatal, SPIError, plpy.spiexceptions.*), the
 *	  logging functions (debug ... fatal), quote_literal/quote_nullable/
 *	  quote_ident, and the print() that sends its text to the client as a
 *	  NOTICE.  Names, messages and behaviour are PL/Python's.
 *
 *	  PostgreSQL-free (plpy_host.h), so every host builds the same module:
 *	  logging, quoting and the SPI side of the module are host hooks (the
 *	  backend's: door requests in plpy_serve.c and the spi_*.c files).
 *
 *	  Every object built here belongs to one interpreter: roles never share
 *	  a mutable Python object.  Only the C types (spi_*.c) are shared, and
 *	  those are immutable.
 *
 *-------------------------------------------------------------------------
 */
#include "pyhost.h"
#include "plpy_host.h"

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
	{"quote_literal", plpy_quote_literal, METH_VARARGS, NULL},
	{"quote_nullable", plpy_quote_nullable, METH_VARARGS, NULL},
	{"quote_ident", plpy_quote_ident, METH_VARARGS, NULL},
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
 * A host's UTF-8 text (an error's field) as str, None for NULL: bytes that
 * do not decode are replaced, nothing can fail but memory.
 */
static PyObject *
str_lossy(const char *s)
{
	if (s == NULL)
		Py_RETURN_NONE;
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
	PyOS_snprintf(qualname, sizeof(qualname), "spiexceptions.%s", def->name);
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

	plpy = PyModule_Create(&plpy_moduledef);
	if (plpy == NULL)
		return -1;
	if (pls_host_plpy_add_spi(plpy, interp) < 0)
	{
		Py_DECREF(plpy);
		return -1;
	}

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


/* ---------- raising a host's error ---------- */

/* cls(message), a NULL message as "" */
static PyObject *
exception_new(PyObject *cls, const char *message)
{
	PyObject   *msg = str_lossy(message ? message : "");
	PyObject   *exc;

	if (msg == NULL)
		return NULL;
	exc = PyObject_CallOneArg(cls, msg);
	Py_DECREF(msg);
	return exc;
}

static bool
set_string_attr(PyObject *obj, const char *attrname, const char *str)
{
	PyObject   *val = str_lossy(str);
	int			rc;

	if (val == NULL)
		return false;
	rc = PyObject_SetAttrString(obj, attrname, val);
	Py_DECREF(val);
	return rc == 0;
}

/*
 * Raise plpy.Error for an error raised by plpy.error() (or a failed
 * report), with the attributes PL/Python gives it.
 */
static void
raise_error_with_details(const PLSErrorFields *err)
{
	PyObject   *exc_class = pls_current->exc_error;
	PyObject   *error;
	char		sqlstate[6];

	error = exception_new(exc_class, err->message);
	if (error == NULL)
		return;
	pls_sqlstate_unpack(err->sqlerrcode, sqlstate);
	if (!set_string_attr(error, "sqlstate", sqlstate) ||
		!set_string_attr(error, "detail", err->detail) ||
		!set_string_attr(error, "hint", err->hint) ||
		!set_string_attr(error, "query", err->query) ||
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

void
pls_plpy_raise_spierror(const PLSErrorFields *f)
{
	PLSInterp  *interp = pls_current;
	PyObject   *cls = NULL;
	PyObject   *exc;
	PyObject   *spidata;

	/* spidata: (sqlerrcode, detail, hint, query, position, schema ... ) */
	const char *texts[10] = {NULL, f->detail, f->hint, f->query, NULL,
		f->schema_name, f->table_name, f->column_name, f->datatype_name,
		f->constraint_name
	};

	if (interp->spiexc_module)
	{
		char		sqlstate[6];

		pls_sqlstate_unpack(f->sqlerrcode, sqlstate);
		cls = pls_spiexc_for_state(interp, sqlstate);
	}
	if (cls == NULL)
		cls = interp->exc_spierror;

	exc = exception_new(cls, f->message);
	if (exc == NULL)
		return;

	spidata = PyTuple_New(sizeof(texts) / sizeof(texts[0]));
	if (spidata == NULL)
	{
		Py_DECREF(exc);
		return;
	}
	for (int i = 0; i < (int) (sizeof(texts) / sizeof(texts[0])); i++)
	{
		PyObject   *o;

		if (i == 0)
			o = PyLong_FromLong(f->sqlerrcode);
		else if (i == 4)
			o = PyLong_FromLong(f->position);
		else
			o = str_lossy(texts[i]);
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


/* ---------- logging ---------- */

/* A report's keyword arguments: the report's fields, then sqlstate. */
#define KW_SQLSTATE PLS_RF_N
#define NKEYWORDS	(PLS_RF_N + 1)

static const char *const keywords[NKEYWORDS] = {
	[PLS_RF_MESSAGE] = "message",
	[PLS_RF_DETAIL] = "detail",
	[PLS_RF_HINT] = "hint",
	[KW_SQLSTATE] = "sqlstate",
	[PLS_RF_SCHEMA] = "schema_name",
	[PLS_RF_TABLE] = "table_name",
	[PLS_RF_COLUMN] = "column_name",
	[PLS_RF_DATATYPE] = "datatype_name",
	[PLS_RF_CONSTRAINT] = "constraint_name"
};

/* A report being built: the fields point into the strs it holds. */
typedef struct ReportArgs
{
	PLSReport	r;
	const char *sqlstate;		/* UTF-8, or NULL */
	PyObject   *held[NKEYWORDS];
} ReportArgs;

static void
report_args_init(ReportArgs *a, int level)
{
	memset(a, 0, sizeof(*a));
	a->r.level = level;
}

static void
report_args_free(ReportArgs *a)
{
	for (int i = 0; i < NKEYWORDS; i++)
		Py_XDECREF(a->held[i]);
}

/* str(obj)'s UTF-8 into keyword slot i, the str held; false: raised */
static bool
set_field(ReportArgs *a, int i, PyObject *obj)
{
	PyObject   *so = PyUnicode_CheckExact(obj) ? Py_NewRef(obj) : PyObject_Str(obj);
	Py_ssize_t	len;
	const char *utf8;

	if (so == NULL)
		return false;
	if (i != KW_SQLSTATE)
		a->r.fields[i] = NULL;
	Py_XSETREF(a->held[i], so);
	utf8 = pls_str_utf8(so, &len);
	if (utf8 == NULL)
		return false;
	if (i == KW_SQLSTATE)
		a->sqlstate = utf8;
	else
	{
		a->r.fields[i] = utf8;
		a->r.lens[i] = (size_t) len;
	}
	return true;
}

/*
 * Send the report.  An ERROR, or any failure to report, comes back as
 * plpy.Error.  FATAL does not return.
 */
static PyObject *
report(ReportArgs *a)
{
	PLSErrorFields err;
	const char *st = a->sqlstate;

	if (st != NULL)
	{
		a->r.sqlerrcode = pls_sqlstate_pack(st);
		if (a->r.sqlerrcode < 0)
		{
			PyErr_SetString(PyExc_ValueError, "invalid SQLSTATE code");
			return NULL;
		}
	}
	memset(&err, 0, sizeof(err));
	if (!pls_host_report(&a->r, &err))
	{
		if (err.message != NULL)
			raise_error_with_details(&err);
		pls_error_fields_free(&err);
		return NULL;
	}
	Py_RETURN_NONE;
}

/* PL/Python's PLy_output: plpy.notice(*args, message=, detail=, ...) */
static PyObject *
plpy_output(int level, PyObject *args, PyObject *kw)
{
	ReportArgs	a;
	PyObject   *key;
	PyObject   *value;
	Py_ssize_t	pos = 0;
	PyObject   *res = NULL;
	PyObject   *msg;

	report_args_init(&a, level);

	/* a single argument is reported without the ('tuple',) decoration */
	msg = PyTuple_GET_SIZE(args) == 1 ? PyTuple_GET_ITEM(args, 0) : args;
	if (!set_field(&a, PLS_RF_MESSAGE, msg))
	{
		static const char parse_failed[] = "could not parse error message in plpy.elog";

		PyErr_Clear();
		a.r.level = PLS_REPORT_ERROR;
		a.r.fields[PLS_RF_MESSAGE] = parse_failed;
		a.r.lens[PLS_RF_MESSAGE] = sizeof(parse_failed) - 1;
	}

	while (kw != NULL && PyDict_Next(kw, &pos, &key, &value))
	{
		const char *keyword = PyUnicode_AsUTF8(key);
		int			i;

		if (keyword == NULL)
			goto done;
		for (i = 0; i < NKEYWORDS; i++)
			if (strcmp(keyword, keywords[i]) == 0)
				break;
		if (i == NKEYWORDS)
		{
			PyErr_Format(PyExc_TypeError,
						 "'%s' is an invalid keyword argument for this function",
						 keyword);
			goto done;
		}
		/* the message must not be given twice */
		if (i == PLS_RF_MESSAGE && PyTuple_GET_SIZE(args) != 0)
		{
			PyErr_SetString(PyExc_TypeError,
							"argument 'message' given by name and position");
			goto done;
		}
		if (!set_field(&a, i, value))
			goto done;
	}

	res = report(&a);
done:
	report_args_free(&a);
	return res;
}

static PyObject *
plpy_debug(PyObject *self, PyObject *args, PyObject *kw)
{
	return plpy_output(PLS_REPORT_DEBUG, args, kw);
}

static PyObject *
plpy_log(PyObject *self, PyObject *args, PyObject *kw)
{
	return plpy_output(PLS_REPORT_LOG, args, kw);
}

static PyObject *
plpy_info(PyObject *self, PyObject *args, PyObject *kw)
{
	return plpy_output(PLS_REPORT_INFO, args, kw);
}

static PyObject *
plpy_notice(PyObject *self, PyObject *args, PyObject *kw)
{
	return plpy_output(PLS_REPORT_NOTICE, args, kw);
}

static PyObject *
plpy_warning(PyObject *self, PyObject *args, PyObject *kw)
{
	return plpy_output(PLS_REPORT_WARNING, args, kw);
}

static PyObject *
plpy_error(PyObject *self, PyObject *args, PyObject *kw)
{
	return plpy_output(PLS_REPORT_ERROR, args, kw);
}

static PyObject *
plpy_fatal(PyObject *self, PyObject *args, PyObject *kw)
{
	return plpy_output(PLS_REPORT_FATAL, args, kw);
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
		ReportArgs	a;
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

		report_args_init(&a, PLS_REPORT_NOTICE);
		if (set_field(&a, PLS_RF_MESSAGE, full))
			res = report(&a);
		Py_DECREF(full);
		report_args_free(&a);
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

static PyObject *
quote_with(const char *str, int kind)
{
	PLSErrorFields err;
	PyObject   *res;

	memset(&err, 0, sizeof(err));
	res = pls_host_quote(kind, str, strlen(str), &err);
	if (res == NULL && err.message != NULL)
		pls_plpy_raise_spierror(&err);
	pls_error_fields_free(&err);
	return res;
}

static PyObject *
plpy_quote_literal(PyObject *self, PyObject *args)
{
	const char *str;

	if (!PyArg_ParseTuple(args, "s:quote_literal", &str))
		return NULL;
	return quote_with(str, PLS_QUOTE_LITERAL);
}

static PyObject *
plpy_quote_nullable(PyObject *self, PyObject *args)
{
	const char *str;

	if (!PyArg_ParseTuple(args, "z:quote_nullable", &str))
		return NULL;
	if (str == NULL)
		return PyUnicode_FromString("NULL");
	return quote_with(str, PLS_QUOTE_LITERAL);
}

static PyObject *
plpy_quote_ident(PyObject *self, PyObject *args)
{
	const char *str;

	if (!PyArg_ParseTuple(args, "s:quote_ident", &str))
		return NULL;
	return quote_with(str, PLS_QUOTE_IDENT);
}
