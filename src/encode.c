/*-------------------------------------------------------------------------
 *
 * encode.c
 *	  Python side of Python -> Datum: a Python object becomes a door value
 *	  (door.h) for a type's shape, with PL/Python's rules and messages
 *	  (PostgreSQL 15, plpy_typeio.c): None as NULL, a truth value for bool,
 *	  ints and floats as themselves where the type takes them directly, str
 *	  and bytes as they are, any other value through its text form (str(),
 *	  repr() for a float), nested lists as arrays, and rows from a row
 *	  literal, a sequence, a mapping or an object's attributes.
 *
 *	  This is where user code runs (__str__, __bytes__, __bool__, __len__,
 *	  __getitem__, attribute getters): nothing of PostgreSQL is touched
 *	  here, no PostgreSQL error can be raised, and the values are plain C
 *	  (memory from Python's allocator, strings borrowed from str objects
 *	  the encoder holds).  decode.c turns them into Datums.  Part of the
 *	  Python side's core (pyhost.h), for the backend and the worker: no
 *	  PostgreSQL header, no PostgreSQL function.
 *
 *-------------------------------------------------------------------------
 */
#include "pyvalue.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pyhost.h"

#define enc_likely(x)	__builtin_expect((x) != 0, 1)
#define enc_noinline	__attribute__((noinline))
#define enc_inline		inline __attribute__((always_inline))
#define enc_lengthof(array) (sizeof(array) / sizeof((array)[0]))

/* Arena chunks: values and strings of one encoding. */
typedef struct PLSEncChunk
{
	struct PLSEncChunk *next;
	size_t		used;
	size_t		size;
	char		data[];
} PLSEncChunk;

#define ENC_CHUNK_SIZE 8192

/* Elements converted between two interrupt checks. */
#define ENC_INTERRUPT_STRIDE 4096

/* Row shapes being encoded now (see pls_shape_check_not_busy). */
#define MAX_BUSY_SHAPES 128
static const PLSShape *busy_shapes[MAX_BUSY_SHAPES];
static int	n_busy_shapes = 0;

void
pls_encoder_init(PLSEncoder *e)
{
	memset(e, 0, offsetof(PLSEncoder, inline_held));
}

void
pls_encoder_free(PLSEncoder *e)
{
	PLSEncChunk *c = e->chunks;

	while (c)
	{
		PLSEncChunk *next = c->next;

		PyMem_Free(c);
		c = next;
	}
	e->chunks = NULL;
	while (e->nheld > 0)
		Py_DECREF(e->inline_held[--e->nheld]);
	Py_CLEAR(e->held);
	/* only a failed encoding has them (PyMem_Free(NULL) is a call too) */
	if (e->message || e->detail || e->hint)
	{
		PyMem_Free(e->message);
		PyMem_Free(e->detail);
		PyMem_Free(e->hint);
		e->message = e->detail = e->hint = NULL;
	}
}

/* size bytes (8-aligned) of the encoder's memory; NULL: MemoryError set */
void *
pls_encoder_alloc(PLSEncoder *e, size_t size)
{
	PLSEncChunk *c = e->chunks;
	void	   *p;

	size = (size + 7) & ~((size_t) 7);
	if (e->chunks == NULL && sizeof(e->inline_buf) - e->inline_used >= size)
	{
		p = (char *) e->inline_buf + e->inline_used;
		e->inline_used += size;
		return p;
	}
	if (c == NULL || c->size - c->used < size)
	{
		size_t		csize = size > ENC_CHUNK_SIZE ? size : ENC_CHUNK_SIZE;

		c = PyMem_Malloc(offsetof(PLSEncChunk, data) + csize);
		if (c == NULL)
		{
			PyErr_NoMemory();
			e->pyexc = true;
			return NULL;
		}
		c->size = csize;
		c->used = 0;
		c->next = e->chunks;
		e->chunks = c;
	}
	p = c->data + c->used;
	c->used += size;
	return p;
}

/* Keep o alive as long as the values (they point into it). */
bool
pls_encoder_hold(PLSEncoder *e, PyObject *o)
{
	if (o == e->root)
		return true;
	if (e->nheld < (int) enc_lengthof(e->inline_held))
	{
		e->inline_held[e->nheld++] = Py_NewRef(o);
		return true;
	}
	if (e->held == NULL && (e->held = PyList_New(0)) == NULL)
	{
		e->pyexc = true;
		return false;
	}
	if (PyList_Append(e->held, o) < 0)
	{
		e->pyexc = true;
		return false;
	}
	return true;
}

static char *
enc_strdup(const char *s)
{
	size_t		len = strlen(s);
	char	   *r = PyMem_Malloc(len + 1);

	if (r)
		memcpy(r, s, len + 1);
	return r;
}

/*
 * Fail with a PostgreSQL-style error (no Python exception left set).
 * Always returns false.
 */
bool
pls_encoder_fail(PLSEncoder *e, int sqlerrcode, const char *hint,
				 const char *fmt,...)
{
	char		buf[1024];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	PyErr_Clear();
	PyMem_Free(e->message);
	PyMem_Free(e->detail);
	PyMem_Free(e->hint);
	e->detail = NULL;
	e->sqlerrcode = sqlerrcode;
	e->message = enc_strdup(buf);
	e->hint = hint ? enc_strdup(hint) : NULL;
	e->pyexc = false;
	return false;
}

/*
 * True if the pending Python exception must not be swallowed: an interrupt
 * unwinding, or a plpy error carrying its own SQLSTATE.
 */
static bool
exception_must_propagate(void)
{
	PLSInterp  *interp = pls_current;

	if (interp == NULL)
		return false;
	if (interp->exc_interrupted &&
		PyErr_ExceptionMatches(interp->exc_interrupted))
		return true;
	if (interp->exc_spierror && PyErr_ExceptionMatches(interp->exc_spierror))
		return true;
	if (interp->exc_error && PyErr_ExceptionMatches(interp->exc_error))
		return true;
	return false;
}

/* "TypeName: message", as PL/Python puts a Python exception in DETAIL. */
static char *
describe_exception(PyObject *type, PyObject *value)
{
	const char *tname = ((PyTypeObject *) type)->tp_name;
	const char *dot = strrchr(tname, '.');
	PyObject   *mod = PyObject_GetAttrString(type, "__module__");
	PyObject   *vstr;
	const char *m = NULL;
	const char *v = NULL;
	char		buf[1024];

	if (mod != NULL && PyUnicode_Check(mod))
	{
		m = PyUnicode_AsUTF8(mod);
		if (m && (strcmp(m, "builtins") == 0 || strcmp(m, "__main__") == 0))
			m = NULL;
	}
	PyErr_Clear();
	vstr = value ? PyObject_Str(value) : NULL;
	if (vstr != NULL)
		v = PyUnicode_AsUTF8(vstr);
	PyErr_Clear();
	snprintf(buf, sizeof(buf), "%s%s%s: %s", m ? m : "", m ? "." : "",
			 dot ? dot + 1 : tname, v ? v : "unknown");
	Py_XDECREF(mod);
	Py_XDECREF(vstr);
	return enc_strdup(buf);
}

/*
 * A conversion that failed in Python: msg as the message, the Python
 * exception in DETAIL (PL/Python's PLy_elog(ERROR, msg)), unless the
 * exception must propagate as itself.  Always returns false.
 */
bool
pls_encoder_fail_python(PLSEncoder *e, const char *msg)
{
	PyObject   *type,
			   *value,
			   *tb;
	int			code = PLS_ERRCODE_EXTERNAL_ROUTINE_EXCEPTION;

	if (!PyErr_Occurred())
		return pls_encoder_fail(e, code, NULL, "%s", msg);
	if (exception_must_propagate())
	{
		e->pyexc = true;
		return false;
	}
	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	if (PyErr_GivenExceptionMatches(type, PyExc_MemoryError))
		code = PLS_ERRCODE_OUT_OF_MEMORY;
	pls_encoder_fail(e, code, NULL, "%s", msg);
	PyMem_Free(e->detail);
	e->detail = describe_exception(type, value);
	e->has_tb = (tb != NULL);
	Py_XDECREF(type);
	Py_XDECREF(value);
	Py_XDECREF(tb);
	PyErr_Clear();
	return false;
}

/*
 * Forget a pending Python exception where PL/Python reports its own
 * message instead, unless it must propagate.  False if it must.
 */
static bool
enc_clear_python_error(PLSEncoder *e)
{
	if (PyErr_Occurred())
	{
		if (exception_must_propagate())
		{
			e->pyexc = true;
			return false;
		}
		PyErr_Clear();
	}
	return true;
}

/* A cancel or termination is pending: stop, as the eval loop would. */
bool
pls_encoder_interrupted(PLSEncoder *e)
{
	if (enc_likely(!pls_host_interrupt_pending()))
		return false;
	pls_value_interrupted();
	e->pyexc = true;
	return true;
}

/* ---------- scalars ---------- */

/* v = the text of str s, cut at its first zero character (PL/Python) */
static inline bool
enc_str(PLSEncoder *e, PyObject *s, PLSValue *v)
{
	const char *utf8;
	Py_ssize_t	len;

	utf8 = PyUnicode_AsUTF8AndSize(s, &len);
	if (utf8 == NULL)
		return pls_encoder_fail_python(e, "could not convert Python Unicode object to bytes");
	if (!pls_encoder_hold(e, s))
		return false;
	v->kind = PLS_V_TEXT;
	v->u.str.data = utf8;
	v->u.str.len = strnlen(utf8, len);
	return true;
}

/*
 * PL/Python's PLyObject_AsString: str as is, float by repr() (str() is
 * lossy), anything else by str().
 */
static bool
enc_textform(PLSEncoder *e, PyObject *o, PLSValue *v)
{
	PyObject   *s;
	bool		ok;

	if (PyUnicode_Check(o))
		return enc_str(e, o, v);
	s = PyFloat_Check(o) ? PyObject_Repr(o) : PyObject_Str(o);
	if (s == NULL)
		return pls_encoder_fail_python(e, "could not create string representation of Python object");
	ok = enc_str(e, s, v);
	Py_DECREF(s);
	return ok;
}

/* Python's truth value: the bool input function would not take most. */
static bool
enc_bool(PLSEncoder *e, PyObject *o, PLSValue *v)
{
	int			r = PyObject_IsTrue(o);

	if (r < 0)
		return pls_encoder_fail_python(e, "could not determine the truth value of Python object");
	v->kind = PLS_V_BOOL;
	v->u.b = (r != 0);
	return true;
}

/* bytes(o), as is: embedded zero bytes survive (bytes itself is plain). */
static bool
enc_bytea(PLSEncoder *e, PyObject *o, PLSValue *v)
{
	PyObject   *b;
	bool		ok;

	if (PyBytes_CheckExact(o))
		b = Py_NewRef(o);
	else if ((b = PyObject_Bytes(o)) == NULL)
		return pls_encoder_fail_python(e, "could not create bytes representation of Python object");
	ok = pls_encoder_hold(e, b);
	if (ok)
	{
		v->kind = PLS_V_BYTES;
		v->u.str.data = PyBytes_AS_STRING(b);
		v->u.str.len = PyBytes_GET_SIZE(b);
	}
	Py_DECREF(b);
	return ok;
}

/* ---------- arrays ---------- */

static enc_inline bool enc_value(PLSEncoder *e, const PLSShape *s,
								 PyObject *o, PLSValue *v, bool inarray);

/* State of one Python sequence -> array encoding. */
typedef struct ArrayBuild
{
	const PLSShape *elm;
	PLSValue   *elems;
	size_t		n;
	size_t		capacity;
	bool		have_scalars;	/* number of dimensions is frozen */
	int			ndims;
	int			dims[PLS_MAXDIM];
} ArrayBuild;

static bool
multidim_error(PLSEncoder *e)
{
	return pls_encoder_fail(e, PLS_ERRCODE_INVALID_TEXT_REPRESENTATION, NULL,
					 "multidimensional arrays must have array expressions with matching dimensions");
}

/*
 * PL/Python's PLySequence_ToArray_recurse: walk nested lists depth first;
 * the first list at a depth fixes that dimension's length, the first
 * scalar fixes the number of dimensions.  Only real lists nest: any other
 * sequence (tuple, str) below the top level is an element.
 */
static bool
array_collect(PLSEncoder *e, ArrayBuild *b, PyObject *obj, Py_ssize_t len,
			  int depth)
{
	Py_ssize_t	i;

	if (len < 0)
		return pls_encoder_fail_python(e, "could not determine sequence length for function return value");

	for (i = 0; i < len; i++)
	{
		PyObject   *sub = PySequence_GetItem(obj, i);
		bool		ok = true;

		if (sub == NULL)
			return pls_encoder_fail_python(e, "could not get an item of the Python sequence");

		if (PyList_Check(sub))
		{
			Py_ssize_t	sublen = PySequence_Length(sub);

			if (i == 0 && b->ndims == depth)
			{
				if (b->have_scalars)
					ok = multidim_error(e);
				else if (depth >= PLS_MAXDIM)
					ok = pls_encoder_fail(e, PLS_ERRCODE_PROGRAM_LIMIT_EXCEEDED, NULL,
								   "number of array dimensions exceeds the maximum allowed (%d)",
								   PLS_MAXDIM);
				else
				{
					b->dims[b->ndims] = (int) sublen;
					b->ndims++;
				}
			}
			else if (depth >= b->ndims || sublen != b->dims[depth])
				ok = multidim_error(e);
			if (ok)
				ok = array_collect(e, b, sub, sublen, depth + 1);
		}
		else if (b->ndims != depth)
			ok = multidim_error(e);
		else
		{
			if (b->n % ENC_INTERRUPT_STRIDE == 0 && pls_encoder_interrupted(e))
				ok = false;
			else if (b->n >= b->capacity)
			{
				size_t		newcap = b->capacity * 2;
				PLSValue   *grown;

				if (newcap > PLS_MAX_ARRAY_SIZE)
					ok = pls_encoder_fail(e, PLS_ERRCODE_PROGRAM_LIMIT_EXCEEDED, NULL,
								   "array size exceeds the maximum allowed (%d)",
								   (int) PLS_MAX_ARRAY_SIZE);
				else if ((grown = pls_encoder_alloc(e, sizeof(PLSValue) * newcap)) == NULL)
					ok = false;
				else
				{
					memcpy(grown, b->elems, sizeof(PLSValue) * b->n);
					b->elems = grown;
					b->capacity = newcap;
				}
			}
			if (ok)
			{
				PLSValue   *v = &b->elems[b->n];

				if (sub == Py_None)
					v->kind = PLS_V_NULL;
				else
					ok = enc_value(e, b->elm, sub, v, true);
				b->n++;
				b->have_scalars = true;
			}
		}
		Py_DECREF(sub);
		if (!ok)
			return false;
	}
	return true;
}

static bool
enc_array(PLSEncoder *e, const PLSShape *s, PyObject *o, PLSValue *v)
{
	ArrayBuild	b;
	Py_ssize_t	len;

	if (!PySequence_Check(o))
		return pls_encoder_fail(e, PLS_ERRCODE_DATATYPE_MISMATCH, NULL,
						 "return value of function with array return type is not a Python sequence");

	memset(&b, 0, sizeof(b));
	b.elm = s->elem;
	b.ndims = 1;
	b.capacity = 16;
	b.elems = pls_encoder_alloc(e, sizeof(PLSValue) * b.capacity);
	if (b.elems == NULL)
		return false;
	len = PySequence_Length(o);
	b.dims[0] = (int) len;
	if (!array_collect(e, &b, o, len, 1))
		return false;

	v->kind = PLS_V_ARRAY;
	v->u.array.ndims = b.have_scalars ? b.ndims : 0;
	memcpy(v->u.array.dims, b.dims, sizeof(b.dims));
	v->u.array.n = b.n;
	v->u.array.elems = b.elems;
	return true;
}

/* ---------- rows ---------- */

/*
 * Column names that never reach getattr() when the sandbox's guard is not
 * there: dunders, frame and code internals (the sandbox's own list is used
 * when it is).
 */
static bool
attribute_name_reserved(const char *name)
{
	static const char *const reserved[] = {
		"gi_frame", "gi_code", "gi_yieldfrom", "cr_frame", "cr_code",
		"cr_await", "ag_frame", "ag_code", "ag_await", "tb_frame",
		"tb_next", "f_back", "f_globals", "f_locals", "f_builtins",
		"f_code", "f_trace", NULL
	};
	size_t		len = strlen(name);

	if (len >= 4 && strncmp(name, "__", 2) == 0 &&
		strcmp(name + len - 2, "__") == 0)
		return true;
	if (strncmp(name, "co_", 3) == 0 || strncmp(name, "_co_", 4) == 0)
		return true;
	for (int i = 0; reserved[i]; i++)
		if (strcmp(name, reserved[i]) == 0)
			return true;
	return false;
}

/*
 * getattr(o, name) for a column, through the sandbox's guarded getattr so
 * that a column name reaches nothing Python code could not reach itself.
 * NULL, with or without a Python exception, if there is no such attribute.
 */
static PyObject *
object_attribute(PyObject *o, const char *name)
{
	PyObject   *guard = NULL;

	if (pls_current && pls_current->sandbox &&
		PyDict_Check(pls_current->sandbox))
		guard = PyDict_GetItemString(pls_current->sandbox, "guarded_getattr");
	if (guard != NULL)
		return PyObject_CallFunction(guard, "Os", o, name);
	if (attribute_name_reserved(name))
		return NULL;
	return PyObject_GetAttrString(o, name);
}

bool
pls_shape_busy(const PLSShape *s)
{
	for (int i = 0; i < n_busy_shapes; i++)
		if (busy_shapes[i] == s)
			return true;
	return false;
}

/* The columns from a sequence, a mapping or attributes (in that order). */
static bool
enc_row_columns(PLSEncoder *e, const PLSShape *s, PyObject *o, bool inarray,
				PLSValue *atts)
{
	int			natts = s->natts;
	int			kind;
	int			idx = 0;

	if (PySequence_Check(o))
	{
		int			ncols = 0;
		Py_ssize_t	len;

		for (int i = 0; i < natts; i++)
			if (s->atts[i] != NULL)
				ncols++;
		len = PySequence_Length(o);
		if (len < 0 && !enc_clear_python_error(e))
			return false;
		if (len != ncols)
			return pls_encoder_fail(e, PLS_ERRCODE_DATATYPE_MISMATCH, NULL,
							 "length of returned sequence did not match number of columns in row");
		kind = 0;
	}
	else if (PyMapping_Check(o))
		kind = 1;
	else
		kind = 2;

	for (int i = 0; i < natts; i++)
	{
		const char *key = s->attnames[i];
		PyObject   *value;
		bool		ok;

		if (s->atts[i] == NULL)
		{
			atts[i].kind = PLS_V_NULL;
			continue;
		}
		if (kind == 0)
		{
			/* a tuple cannot change under user code: its length holds */
			value = PyTuple_CheckExact(o) ?
				Py_NewRef(PyTuple_GET_ITEM(o, idx)) :
				PySequence_GetItem(o, idx);
			if (value == NULL)
			{
				char		msg[64];

				snprintf(msg, sizeof(msg), "could not get element %d from sequence", idx);
				return pls_encoder_fail_python(e, msg);
			}
			idx++;
		}
		else if (kind == 1)
		{
			value = PyMapping_GetItemString(o, key);
			if (value == NULL)
			{
				if (!enc_clear_python_error(e))
					return false;
				return pls_encoder_fail(e, PLS_ERRCODE_UNDEFINED_COLUMN,
								 "To return null in a column, add the value None to the mapping with the key named after the column.",
								 "key \"%s\" not found in mapping", key);
			}
		}
		else
		{
			value = object_attribute(o, key);
			if (value == NULL)
			{
				if (!enc_clear_python_error(e))
					return false;
				return pls_encoder_fail(e, PLS_ERRCODE_UNDEFINED_COLUMN,
								 inarray ?
								 "To return a composite type in an array, return the composite type as a Python tuple, e.g., \"[('foo',)]\"." :
								 "To return null in a column, let the returned object have an attribute named after column with value None.",
								 "attribute \"%s\" does not exist in Python object", key);
			}
		}
		if (value == Py_None)
		{
			atts[i].kind = PLS_V_NULL;
			ok = true;
		}
		else if (kind == 0 && o == e->root && PyTuple_CheckExact(o))
		{
			/* the caller's tuple holds its items: no hold needed */
			e->root = value;
			ok = enc_value(e, s->atts[i], value, &atts[i], false);
			e->root = o;
		}
		else
			ok = enc_value(e, s->atts[i], value, &atts[i], false);
		Py_DECREF(value);
		if (!ok)
			return false;
	}
	return true;
}

static bool
enc_row(PLSEncoder *e, const PLSShape *s, PyObject *o, PLSValue *v,
		bool inarray)
{
	PLSValue   *atts;
	bool		ok;

	/* a str is a row literal, read by record_in (PL/Python's rule) */
	if (PyUnicode_Check(o))
	{
		if (!enc_textform(e, o, v))
			return false;

		/*
		 * In an array, a str that is no row literal most likely comes from
		 * code written for PostgreSQL < 10, where [['a', 'b']] was a 1-D
		 * array of rows: say so here, before later elements are converted
		 * (decode.c checks it again).
		 */
		if (inarray)
		{
			size_t		i = 0;

			while (i < v->u.str.len && isspace((unsigned char) v->u.str.data[i]))
				i++;
			if (i == v->u.str.len || v->u.str.data[i] != '(')
			{
				pls_encoder_fail(e, PLS_ERRCODE_INVALID_TEXT_REPRESENTATION,
						  "To return a composite type in an array, return the composite type as a Python tuple, e.g., \"[('foo',)]\".",
						  "malformed record literal: \"%.*s\"",
						  (int) (v->u.str.len < 900 ? v->u.str.len : 900),
						  v->u.str.data);
				e->detail = enc_strdup("Missing left parenthesis.");
				return false;
			}
		}
		return true;
	}
	if (!s->rowknown)
		return pls_encoder_fail(e, PLS_ERRCODE_FEATURE_NOT_SUPPORTED, NULL,
						 "function returning record called in context that cannot accept type record");
	if (Py_EnterRecursiveCall(" while converting a row"))
	{
		e->pyexc = true;
		return false;
	}
	if (n_busy_shapes >= MAX_BUSY_SHAPES)
	{
		Py_LeaveRecursiveCall();
		return pls_encoder_fail(e, PLS_ERRCODE_STATEMENT_TOO_COMPLEX, NULL,
						 "row values nested too deeply");
	}
	atts = pls_encoder_alloc(e, sizeof(PLSValue) * (s->natts > 0 ? s->natts : 1));
	if (atts == NULL)
	{
		Py_LeaveRecursiveCall();
		return false;
	}

	/*
	 * User code run below may run SQL that calls the same function again;
	 * that call must not rebuild the row shape read here.
	 */
	busy_shapes[n_busy_shapes++] = s;
	ok = enc_row_columns(e, s, o, inarray, atts);
	n_busy_shapes--;
	Py_LeaveRecursiveCall();
	if (!ok)
		return false;
	v->kind = PLS_V_ROW;
	v->u.row.natts = s->natts;
	v->u.row.atts = atts;
	v->u.row.names = NULL;
	return true;
}

/* ---------- entry points ---------- */

/* The values pls_encode_plain does not take. */
static enc_noinline bool
enc_other(PLSEncoder *e, const PLSShape *s, PyObject *o, PLSValue *v,
		  bool inarray)
{
	switch ((PLSShapeKind) s->kind)
	{
		case PLS_S_BOOL:
			return enc_bool(e, o, v);
		case PLS_S_BYTEA:
			return enc_bytea(e, o, v);
		case PLS_S_ARRAY:
			return enc_array(e, s, o, v);
		case PLS_S_ROW:
			return enc_row(e, s, o, v, inarray);
		case PLS_S_JSONB:
			return pls_encode_jsonb(e, o, v);
		case PLS_S_HSTORE:
			return pls_encode_hstore(e, o, v);
		case PLS_S_INT2:
		case PLS_S_INT4:
		case PLS_S_INT8:
		case PLS_S_FLOAT8:
		case PLS_S_TEXT:
		case PLS_S_TEXTFORM:
			break;
	}
	/* an int out of range, another number, any other object: its text */
	return enc_textform(e, o, v);
}

/* Inline: most values, columns and elements are plain. */
static enc_inline bool
enc_value(PLSEncoder *e, const PLSShape *s, PyObject *o, PLSValue *v,
		  bool inarray)
{
	if (pls_encode_plain(s, o, v))
	{
		/* the value of a str or bytes points into it */
		if (v->kind == PLS_V_TEXT || v->kind == PLS_V_BYTES)
			return pls_encoder_hold(e, o);
		return true;
	}
	return enc_other(e, s, o, v, inarray);
}

bool
pls_encode(PLSEncoder *e, const PLSShape *s, PyObject *o, PLSValue *v)
{
	/* items of o are held: code run by a later item may drop them */
	return enc_value(e, s, o, v, false);
}
