/*-------------------------------------------------------------------------
 *
 * pyerror.c
 *	  The pending Python exception as plain error fields (plpy_host.h), by
 *	  PL/Python's rules: "TypeName: message", the SQLSTATE a plpy.Error or
 *	  plpy.SPIError carries (38000 otherwise, 53200 for MemoryError), their
 *	  detail, hint and object names, plpy.Fatal, the host's interrupt, and
 *	  the traceback with body line numbers.  PostgreSQL-free: the backend
 *	  (errors.c) and the worker report from the same fields.
 *
 *-------------------------------------------------------------------------
 */
#include "plpy_host.h"
#include "pycall.h"

#include "frameobject.h"

#include <stdlib.h>
#include <string.h>

/* procedure.c names a function's code "<plsafepy function NAME>" */
#define PLS_FUNCTION_FILE_PREFIX "<plsafepy function "

/* ---------- SQLSTATE codes ---------- */

int
pls_sqlstate_pack(const char *s)
{
	if (s == NULL || strlen(s) != 5 ||
		strspn(s, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 5)
		return -1;
	return PLS_MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4]);
}

/* PostgreSQL's unpack_sql_state */
void
pls_sqlstate_unpack(int code, char buf[6])
{
	for (int i = 0; i < 5; i++)
	{
		buf[i] = (char) ((code & 0x3F) + '0');
		code >>= 6;
	}
	buf[5] = '\0';
}

/* ---------- strings in malloc'd memory ---------- */

typedef struct Buf
{
	char	   *data;
	size_t		len;
	size_t		cap;
	bool		failed;			/* out of memory: data is NULL */
} Buf;

static void
buf_append(Buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap)
	{
		size_t		cap = b->cap ? b->cap : 128;
		char	   *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->data, cap);
		if (p == NULL)
		{
			free(b->data);
			b->data = NULL;
			b->failed = true;
			return;
		}
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void
buf_puts(Buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

static void
buf_putint(Buf *b, int i)
{
	char		num[16];

	PyOS_snprintf(num, sizeof(num), "%d", i);
	buf_puts(b, num);
}

static char *
dup_n(const char *s, size_t n)
{
	char	   *p = malloc(n + 1);

	if (p != NULL)
	{
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/*
 * A malloc'd UTF-8 copy of str(o), or NULL: o is NULL or None, str() failed
 * (cleared), or memory ran out (*oom set).
 */
static char *
py_str(PyObject *o, bool *oom)
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
	if (u != NULL)
	{
		res = dup_n(u, strlen(u));
		if (res == NULL)
			*oom = true;
	}
	else
		PyErr_Clear();
	Py_DECREF(s);
	return res;
}

static char *
attr_str(PyObject *o, const char *name, bool *oom)
{
	PyObject   *a;
	char	   *res;

	a = PyObject_GetAttrString(o, name);
	if (a == NULL)
	{
		PyErr_Clear();
		return NULL;
	}
	res = py_str(a, oom);
	Py_DECREF(a);
	return res;
}

/* Line n (1-based) of src, from its first non-blank, or NULL: none. */
static void
put_source_line(Buf *b, const char *src, long n)
{
	const char *p = src;
	const char *end;

	if (src == NULL || n < 1)
		return;
	while (--n > 0)
	{
		p = strchr(p, '\n');
		if (p == NULL)
			return;
		p++;
	}
	end = strchr(p, '\n');
	if (end == NULL)
		end = p + strlen(p);
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end)
		return;
	buf_puts(b, "\n    ");
	buf_append(b, p, end - p);
}

/*
 * PL/Python's traceback: one entry per frame of a plsafepy function, the
 * first one shown as <module>, with the body's source line.  PL/Python
 * calls a function through a frame of its own, which its traceback leaves
 * out, so the function's frame is the first shown; it calls a set's
 * iterator directly, and leaves out that call's first frame all the same
 * (a generator's own): so does next_item, and with no frame at all there
 * is no traceback (NULL, *oom false).
 */
static char *
format_traceback(PyObject *tb, const PLSFuncInfo *fn, bool next_item,
				 bool *oom)
{
	Buf			b = {0};
	bool		first = true;
	size_t		plen = strlen(PLS_FUNCTION_FILE_PREFIX);

	if (next_item)
	{
		if (tb == NULL || !PyTraceBack_Check(tb))
			return NULL;
		tb = (PyObject *) ((PyTracebackObject *) tb)->tb_next;
	}
	buf_puts(&b, "Traceback (most recent call last):");
	for (; tb != NULL && PyTraceBack_Check(tb);
		 tb = (PyObject *) ((PyTracebackObject *) tb)->tb_next)
	{
		PyTracebackObject *t = (PyTracebackObject *) tb;
		PyCodeObject *code = PyFrame_GetCode(t->tb_frame);
		const char *filename = PyUnicode_AsUTF8(code->co_filename);
		const char *fname = PyUnicode_AsUTF8(code->co_name);

		if (filename && fname &&
			strncmp(filename, PLS_FUNCTION_FILE_PREFIX, plen) == 0)
		{
			/* the name, without the closing '>' */
			const char *name = filename + plen;
			size_t		namelen = strlen(name);
			bool		own;

			if (namelen > 0)
				namelen--;
			own = fn != NULL && fn->name != NULL &&
				strlen(fn->name) == namelen &&
				strncmp(name, fn->name, namelen) == 0;
			if (own && fn->kind == PLS_FN_INLINE)
				buf_puts(&b, "\n  PL/SafePy anonymous code block, line ");
			else
			{
				buf_puts(&b, "\n  PL/SafePy function \"");
				buf_append(&b, name, namelen);
				buf_puts(&b, "\", line ");
			}
			buf_putint(&b, t->tb_lineno);
			buf_puts(&b, ", in ");
			buf_puts(&b, first ? "<module>" : fname);
			if (own)
				put_source_line(&b, fn->source, t->tb_lineno);
		}
		PyErr_Clear();
		Py_DECREF(code);
		first = false;
	}
	if (b.failed)
		*oom = true;
	return b.data;
}

/* "TypeName: message", PL/Python style (module shown unless builtin). */
static char *
format_message(PyObject *type, PyObject *value, bool *oom)
{
	PyObject   *mod = PyObject_GetAttrString(type, "__module__");
	const char *tname = ((PyTypeObject *) type)->tp_name;
	const char *dot = strrchr(tname, '.');
	char	   *modname = mod ? py_str(mod, oom) : NULL;
	char	   *vstr = py_str(value, oom);
	Buf			b = {0};

	PyErr_Clear();
	Py_XDECREF(mod);
	if (dot)
		tname = dot + 1;
	if (modname && strcmp(modname, "builtins") != 0 &&
		strcmp(modname, "__main__") != 0)
	{
		buf_puts(&b, modname);
		buf_puts(&b, ".");
	}
	buf_puts(&b, tname);
	if (vstr && vstr[0])
	{
		buf_puts(&b, ": ");
		buf_puts(&b, vstr);
	}
	free(modname);
	free(vstr);
	return b.data;
}

/* plpy.SPIError: the fields of the PostgreSQL error it came from. */
static void
spierror_fields(PyObject *value, PLSErrorFields *f, bool *oom)
{
	PyObject   *spidata = PyObject_GetAttrString(value, "spidata");
	PyObject   *o;

	if (spidata == NULL || !PyTuple_Check(spidata) || PyTuple_GET_SIZE(spidata) != 10)
	{
		/* raised by hand (no spidata): its class's sqlstate, as PL/Python */
		char	   *st = attr_str(value, "sqlstate", oom);
		int			code = pls_sqlstate_pack(st);

		free(st);
		PyErr_Clear();
		Py_XDECREF(spidata);
		if (code > 0)
			f->sqlerrcode = code;
		return;
	}
	o = PyTuple_GET_ITEM(spidata, 0);
	if (PyLong_Check(o))
		f->sqlerrcode = (int) PyLong_AsLong(o);
	f->detail = py_str(PyTuple_GET_ITEM(spidata, 1), oom);
	f->hint = py_str(PyTuple_GET_ITEM(spidata, 2), oom);
	f->query = py_str(PyTuple_GET_ITEM(spidata, 3), oom);
	o = PyTuple_GET_ITEM(spidata, 4);
	if (PyLong_Check(o))
		f->position = (int) PyLong_AsLong(o);
	f->schema_name = py_str(PyTuple_GET_ITEM(spidata, 5), oom);
	f->table_name = py_str(PyTuple_GET_ITEM(spidata, 6), oom);
	f->column_name = py_str(PyTuple_GET_ITEM(spidata, 7), oom);
	f->datatype_name = py_str(PyTuple_GET_ITEM(spidata, 8), oom);
	f->constraint_name = py_str(PyTuple_GET_ITEM(spidata, 9), oom);
	PyErr_Clear();
	Py_DECREF(spidata);
}

/* plpy.Error raised by plpy.error(..., sqlstate=, detail=, ...). */
static void
plpy_error_fields(PyObject *value, PLSErrorFields *f, bool *oom)
{
	char	   *st = attr_str(value, "sqlstate", oom);
	int			code = pls_sqlstate_pack(st);

	free(st);
	if (code > 0)
		f->sqlerrcode = code;
	f->detail = attr_str(value, "detail", oom);
	f->hint = attr_str(value, "hint", oom);
	f->schema_name = attr_str(value, "schema_name", oom);
	f->table_name = attr_str(value, "table_name", oom);
	f->column_name = attr_str(value, "column_name", oom);
	f->datatype_name = attr_str(value, "datatype_name", oom);
	f->constraint_name = attr_str(value, "constraint_name", oom);
}

bool
pls_pyerror_fetch(const PLSErrorClasses *classes, const PLSFuncInfo *fn,
				  bool next_item, PLSErrorFields *f)
{
	PyObject   *type,
			   *value,
			   *tb;
	bool		oom = false;

	memset(f, 0, sizeof(*f));

	/* An interrupt unwinding: the host raises its own error. */
	if (classes->interrupted &&
		PyErr_ExceptionMatches(classes->interrupted))
	{
		PyErr_Clear();
		f->kind = PLS_ERRK_INTERRUPT;
		return true;
	}

	f->kind = PLS_ERRK_PYTHON;
	f->sqlerrcode = PLS_SQLSTATE_EXTERNAL_ROUTINE_EXCEPTION;

	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	if (value == NULL)
	{
		value = Py_None;
		Py_INCREF(value);
	}

	if (classes->fatal && PyErr_GivenExceptionMatches(type, classes->fatal))
		f->fatal = true;
	if (classes->spierror &&
		PyErr_GivenExceptionMatches(type, classes->spierror))
	{
		f->kind = PLS_ERRK_SPIERROR;
		spierror_fields(value, f, &oom);
	}
	else if (classes->error &&
			 PyErr_GivenExceptionMatches(type, classes->error))
	{
		f->kind = PLS_ERRK_PLPY;
		plpy_error_fields(value, f, &oom);
	}
	else if (PyErr_GivenExceptionMatches(type, PyExc_MemoryError))
	{
		f->kind = PLS_ERRK_MEMORY;
		f->sqlerrcode = PLS_SQLSTATE_OUT_OF_MEMORY;
	}

	f->message = format_message(type, value, &oom);
	f->context = format_traceback(tb, fn, next_item, &oom);

	Py_XDECREF(type);
	Py_XDECREF(value);
	Py_XDECREF(tb);
	PyErr_Clear();

	/* The exception becomes the detail, as in PL/Python. */
	if (next_item)
	{
		free(f->detail);
		f->detail = f->message;
		f->message = dup_n(PLS_SRF_NEXT_MSG, strlen(PLS_SRF_NEXT_MSG));
	}

	if (oom || f->message == NULL)
	{
		pls_error_fields_free(f);
		return false;
	}
	return true;
}

void
pls_error_fields_free(PLSErrorFields *f)
{
	free(f->message);
	free(f->detail);
	free(f->hint);
	free(f->context);
	free(f->query);
	free(f->schema_name);
	free(f->table_name);
	free(f->column_name);
	free(f->datatype_name);
	free(f->constraint_name);
	memset(f, 0, sizeof(*f));
}
