/*-------------------------------------------------------------------------
 *
 * json_py.c
 *	  The Python side of the transforms (jsonb_plsafepy, hstore_plsafepy):
 *	  PLS_V_JSON tokens (door.h) as Python objects, and Python objects as
 *	  tokens, with PL/Python's rules and messages (PostgreSQL 15,
 *	  contrib/jsonb_plpython and contrib/hstore_plpython).
 *
 *	  jsonb: null as None, numbers as decimal.Decimal, strings as str,
 *	  booleans, arrays as lists, objects as dicts.  Back: None as null, str
 *	  as a string, bool, any number (str(), repr() of a float, which the
 *	  PostgreSQL side reads with numeric_in), any other sequence as an
 *	  array, a mapping as an object whose keys are str() of the Python keys
 *	  (None as ""); anything else is refused.  hstore: a dict of str to str
 *	  or None; back, any mapping, keys and values by str(), None as NULL.
 *
 *	  Walking an object runs user code (__len__, __getitem__, items(),
 *	  __str__): nothing of PostgreSQL is touched here, the tokens are built
 *	  in Python's memory, and nesting is bounded by the recursion limit.
 *	  Reading tokens runs no user code and needs no C recursion.  Part of
 *	  the Python side's core (pyhost.h): no PostgreSQL header.
 *
 *-------------------------------------------------------------------------
 */
#include "pyvalue.h"

#include <string.h>

#include "json_tokens.h"
#include "pyhost.h"

/* Items and tokens handled between two interrupt checks. */
#define JSON_INTERRUPT_STRIDE 4096

/* A value's tokens at most (1 GB - 1: PostgreSQL's largest allocation). */
#define JSON_MAX_BYTES ((size_t) 0x3fffffff)

/* ---------- Python objects -> tokens ---------- */

/* The tokens being written, in Python's memory (PyMem). */
typedef struct JsonOut
{
	PLSEncoder *e;
	const char *type;			/* "jsonb" or "hstore", for messages */
	char	   *data;
	size_t		len;
	size_t		cap;
	int			depth;			/* containers open */
	unsigned	items;			/* for the interrupt checks */
} JsonOut;

/* Room for n more bytes; false with the encoding failed. */
static bool
out_reserve(JsonOut *out, size_t n)
{
	size_t		cap;
	char	   *p;

	if (n <= out->cap - out->len)
		return true;
	if (n > JSON_MAX_BYTES - out->len)
		return pls_encoder_fail(out->e, PLS_ERRCODE_PROGRAM_LIMIT_EXCEEDED, NULL,
								"value too large to transform to %s", out->type);
	cap = out->cap < 256 ? 256 : out->cap;
	while (cap < out->len + n)
		cap = cap > JSON_MAX_BYTES / 2 ? JSON_MAX_BYTES : cap * 2;
	p = PyMem_Realloc(out->data, cap);
	if (p == NULL)
	{
		PyErr_NoMemory();
		out->e->pyexc = true;
		return false;
	}
	out->data = p;
	out->cap = cap;
	return true;
}

static bool
out_tag(JsonOut *out, char tag)
{
	if (!out_reserve(out, 1))
		return false;
	out->data[out->len++] = tag;
	return true;
}

/* A string or number token: tag, u32 length, the bytes. */
static bool
out_text(JsonOut *out, char tag, const char *s, size_t len)
{
	uint32_t	len32 = (uint32_t) len;

	/* JSON_MAX_BYTES < 4 GB: a length that fits the value fits a u32 */
	if (!out_reserve(out, 1 + sizeof(uint32_t) + len))
		return false;
	out->data[out->len++] = tag;
	memcpy(out->data + out->len, &len32, sizeof(uint32_t));
	out->len += sizeof(uint32_t);
	memcpy(out->data + out->len, s, len);
	out->len += len;
	return true;
}

/*
 * PL/Python's PLyObject_AsString: a str as it is, a float by repr() (str()
 * is lossy), anything else by str(); its UTF-8 (*utf8, *len, borrowed from
 * the returned str) must hold no NUL.  NULL with the encoding failed.
 */
static PyObject *
as_string(JsonOut *out, PyObject *o, const char **utf8, Py_ssize_t *len)
{
	PyObject   *s;

	if (PyUnicode_Check(o))
		s = Py_NewRef(o);
	else if ((s = PyFloat_Check(o) ? PyObject_Repr(o) : PyObject_Str(o)) == NULL)
	{
		/* the walk went as deep as it may: that is the error, not str() */
		if (PyErr_ExceptionMatches(PyExc_RecursionError))
			out->e->pyexc = true;
		else
			pls_encoder_fail_python(out->e, "could not create string representation of Python object");
		return NULL;
	}
	*utf8 = PyUnicode_AsUTF8AndSize(s, len);
	if (*utf8 == NULL)
		pls_encoder_fail_python(out->e, "could not convert Python Unicode object to bytes");
	else if (memchr(*utf8, '\0', *len) != NULL)
		pls_encoder_fail(out->e, PLS_ERRCODE_DATATYPE_MISMATCH, NULL,
						 "could not convert Python object into cstring: Python string representation appears to contain null bytes");
	else
		return s;
	Py_DECREF(s);
	return NULL;
}

/* o's PLyObject_AsString as a string or number token */
static bool
out_as_string(JsonOut *out, char tag, PyObject *o)
{
	const char *utf8;
	Py_ssize_t	len;
	PyObject   *s = as_string(out, o, &utf8, &len);
	bool		ok;

	if (s == NULL)
		return false;
	ok = out_text(out, tag, utf8, (size_t) len);
	Py_DECREF(s);
	return ok;
}

/* Every JSON_INTERRUPT_STRIDE items, a pending cancel stops the walk. */
static bool
out_item(JsonOut *out)
{
	return ++out->items % JSON_INTERRUPT_STRIDE != 0 ||
		!pls_encoder_interrupted(out->e);
}

/* Enter a container: bounded by the recursion limit and the format. */
static bool
out_enter(JsonOut *out)
{
	if (Py_EnterRecursiveCall(" while converting a Python object to jsonb"))
	{
		out->e->pyexc = true;
		return false;
	}
	if (out->depth >= PLS_JSON_MAX_DEPTH)
	{
		Py_LeaveRecursiveCall();
		return pls_encoder_fail(out->e, PLS_ERRCODE_STATEMENT_TOO_COMPLEX, NULL,
								"value nested too deeply to transform to jsonb");
	}
	out->depth++;
	return true;
}

static void
out_leave(JsonOut *out)
{
	out->depth--;
	Py_LeaveRecursiveCall();
}

/* One (key, value) item of a mapping, written as tokens. */
typedef bool (*JsonMember) (JsonOut *out, PyObject *key, PyObject *value);

/*
 * An object of mapping o's items as PyMapping_Items gives them: a list of
 * what should be (key, value) tuples, but a user's items() may give
 * anything, and keep the list and change it while user code runs below;
 * so each item is checked and held while it is written.
 */
static bool
mapping_object(JsonOut *out, PyObject *o, JsonMember member)
{
	PyObject   *items = PyMapping_Items(o);
	Py_ssize_t	n;
	bool		ok;

	if (items == NULL)
		return pls_encoder_fail_python(out->e, "could not get the items of a Python mapping");
	n = PyList_GET_SIZE(items);
	ok = out_tag(out, PLS_J_OBJECT);
	for (Py_ssize_t i = 0; ok && i < n; i++)
	{
		PyObject   *pair;

		if (PyList_GET_SIZE(items) != n)
			ok = pls_encoder_fail(out->e, PLS_ERRCODE_DATA_EXCEPTION, NULL,
								  "items of a Python mapping changed while they were converted");
		else if (!PyTuple_Check(pair = PyList_GET_ITEM(items, i)) ||
				 PyTuple_GET_SIZE(pair) != 2)
			ok = pls_encoder_fail(out->e, PLS_ERRCODE_DATATYPE_MISMATCH, NULL,
								  "items of a Python mapping must be (key, value) pairs");
		else
		{
			Py_INCREF(pair);
			ok = out_item(out) &&
				member(out, PyTuple_GET_ITEM(pair, 0), PyTuple_GET_ITEM(pair, 1));
			Py_DECREF(pair);
		}
	}
	Py_DECREF(items);
	return ok && out_tag(out, PLS_J_END_OBJECT);
}

static bool jsonb_value(JsonOut *out, PyObject *o);

/* PL/Python's PLySequence_ToJsonbValue: any sequence but str, in order. */
static bool
jsonb_sequence(JsonOut *out, PyObject *o)
{
	Py_ssize_t	n = PySequence_Size(o);
	bool		ok;

	if (n < 0)
		return pls_encoder_fail_python(out->e, "could not determine the length of Python sequence");
	if (!out_enter(out))
		return false;
	ok = out_tag(out, PLS_J_ARRAY);
	for (Py_ssize_t i = 0; ok && i < n; i++)
	{
		PyObject   *item = PySequence_GetItem(o, i);

		if (item == NULL)
		{
			ok = pls_encoder_fail_python(out->e, "could not get an item of the Python sequence");
			break;
		}
		ok = out_item(out) && jsonb_value(out, item);
		Py_DECREF(item);
	}
	out_leave(out);
	return ok && out_tag(out, PLS_J_END_ARRAY);
}

/*
 * PL/Python's PLyMapping_ToJsonbValue: an object of its items; a None key
 * is "", any other key its str().  A key given twice keeps its last value
 * (the PostgreSQL side's pushJsonbValue, as in PL/Python).
 */
static bool
jsonb_member(JsonOut *out, PyObject *key, PyObject *value)
{
	if (key == Py_None ? !out_text(out, PLS_J_STRING, "", 0) :
		!out_as_string(out, PLS_J_STRING, key))
		return false;
	return jsonb_value(out, value);
}

static bool
jsonb_mapping(JsonOut *out, PyObject *o)
{
	bool		ok;

	if (!out_enter(out))
		return false;
	ok = mapping_object(out, o, jsonb_member);
	out_leave(out);
	return ok;
}

/* PL/Python's PLyObject_ToJsonbValue, in its order of checks. */
static bool
jsonb_value(JsonOut *out, PyObject *o)
{
	if (!PyUnicode_Check(o))
	{
		if (PySequence_Check(o))
			return jsonb_sequence(out, o);
		if (PyMapping_Check(o))
			return jsonb_mapping(out, o);
	}
	if (o == Py_None)
		return out_tag(out, PLS_J_NULL);
	if (PyUnicode_Check(o))
		return out_as_string(out, PLS_J_STRING, o);
	/* PyNumber_Check is true for bools */
	if (PyBool_Check(o))
		return out_tag(out, o == Py_True ? PLS_J_TRUE : PLS_J_FALSE);
	if (PyNumber_Check(o))
		return out_as_string(out, PLS_J_NUMBER, o);

	/* the type by its str(), as PL/Python names it */
	{
		const char *name;
		Py_ssize_t	len;
		PyObject   *s = as_string(out, (PyObject *) Py_TYPE(o), &name, &len);

		if (s == NULL)
			return false;
		pls_encoder_fail(out->e, PLS_ERRCODE_FEATURE_NOT_SUPPORTED, NULL,
						 "Python type \"%s\" cannot be transformed to jsonb", name);
		Py_DECREF(s);
		return false;
	}
}

/*
 * PL/Python's plpython_to_hstore: a mapping (not a sequence), each key by
 * str() (None too), each value by str() or None as NULL.  Repeated keys
 * are the PostgreSQL side's (hstore_in keeps one, as hstorePairs does).
 */
static bool
hstore_member(JsonOut *out, PyObject *key, PyObject *value)
{
	if (!out_as_string(out, PLS_J_STRING, key))
		return false;
	if (value == Py_None)
		return out_tag(out, PLS_J_NULL);
	return out_as_string(out, PLS_J_STRING, value);
}

static bool
hstore_mapping(JsonOut *out, PyObject *o)
{
	if (PySequence_Check(o) || !PyMapping_Check(o))
		return pls_encoder_fail(out->e, PLS_ERRCODE_WRONG_OBJECT_TYPE, NULL,
								"not a Python mapping");
	return mapping_object(out, o, hstore_member);
}

/* The walk's tokens as v, in the encoder's memory. */
static bool
out_finish(JsonOut *out, bool ok, PLSValue *v)
{
	char	   *copy = NULL;

	if (ok && (copy = pls_encoder_alloc(out->e, out->len > 0 ? out->len : 1)) != NULL)
	{
		memcpy(copy, out->data, out->len);
		v->kind = PLS_V_JSON;
		v->u.str.data = copy;
		v->u.str.len = out->len;
	}
	PyMem_Free(out->data);
	return copy != NULL;
}

bool
pls_encode_jsonb(PLSEncoder *e, PyObject *o, PLSValue *v)
{
	JsonOut		out = {e, "jsonb"};

	return out_finish(&out, jsonb_value(&out, o), v);
}

bool
pls_encode_hstore(PLSEncoder *e, PyObject *o, PLSValue *v)
{
	JsonOut		out = {e, "hstore"};

	return out_finish(&out, hstore_mapping(&out, o), v);
}

/* ---------- tokens -> Python objects ---------- */

/* An open container: the list, or the dict and the key read for it. */
typedef struct JsonFrame
{
	PyObject   *container;		/* borrowed: its parent (or root) holds it */
	PyObject   *key;			/* a dict's key waiting for its value */
} JsonFrame;

static PyObject *
json_malformed(void)
{
	PyErr_SetString(PyExc_ValueError, "malformed JSON value");
	return NULL;
}

/* A scalar token as an object; NULL with an exception. */
static PyObject *
json_scalar(const PLSJsonTok *t)
{
	switch (t->tag)
	{
		case PLS_J_NULL:
			Py_RETURN_NONE;
		case PLS_J_TRUE:
			Py_RETURN_TRUE;
		case PLS_J_FALSE:
			Py_RETURN_FALSE;
		case PLS_J_STRING:
			return PyUnicode_DecodeUTF8(t->data, (Py_ssize_t) t->len, NULL);
		case PLS_J_NUMBER:
			return pls_numeric_to_py(t->data, t->len);
	}
	return json_malformed();
}

/*
 * Read the tokens with a stack of open containers (no C recursion, so any
 * depth the PostgreSQL side sends is read), adding each value to the
 * innermost one as it comes.
 */
PyObject *
pls_json_to_py(const char *data, size_t len)
{
	const char *p = data;
	const char *end = data + len;
	PyObject   *root = NULL;
	JsonFrame  *stack = NULL;
	size_t		depth = 0;
	size_t		cap = 0;
	unsigned	ntok = 0;

	while (p < end)
	{
		PLSJsonTok	t;
		JsonFrame  *top = depth > 0 ? &stack[depth - 1] : NULL;
		PyObject   *item;
		bool		in_dict = top != NULL && PyDict_CheckExact(top->container);
		int			rc;

		if (!pls_json_next(&p, end, &t) || (top == NULL && root != NULL))
			goto malformed;
		if (++ntok % JSON_INTERRUPT_STRIDE == 0 && pls_host_interrupt_pending())
		{
			pls_value_interrupted();
			goto fail;
		}
		if (t.tag == PLS_J_END_ARRAY || t.tag == PLS_J_END_OBJECT)
		{
			if (top == NULL || in_dict != (t.tag == PLS_J_END_OBJECT) ||
				top->key != NULL)
				goto malformed;
			depth--;
			continue;
		}
		if (in_dict && top->key == NULL)
		{
			if (t.tag != PLS_J_STRING)
				goto malformed;
			if ((top->key = json_scalar(&t)) == NULL)
				goto fail;
			continue;
		}
		if (t.tag == PLS_J_ARRAY)
			item = PyList_New(0);
		else if (t.tag == PLS_J_OBJECT)
			item = PyDict_New();
		else
			item = json_scalar(&t);
		if (item == NULL)
			goto fail;

		/* the new value joins its container (or is the root) */
		if (top == NULL)
		{
			root = item;
			rc = 0;
		}
		else
		{
			rc = in_dict ? PyDict_SetItem(top->container, top->key, item) :
				PyList_Append(top->container, item);
			if (in_dict)
				Py_CLEAR(top->key);
			Py_DECREF(item);
		}
		if (rc < 0)
			goto fail;
		if (t.tag == PLS_J_ARRAY || t.tag == PLS_J_OBJECT)
		{
			if (depth == cap)
			{
				size_t		newcap = cap ? cap * 2 : 16;
				JsonFrame  *grown = PyMem_Realloc(stack, newcap * sizeof(JsonFrame));

				if (grown == NULL)
				{
					PyErr_NoMemory();
					goto fail;
				}
				stack = grown;
				cap = newcap;
			}
			stack[depth].container = item;
			stack[depth].key = NULL;
			depth++;
		}
	}
	if (depth == 0 && root != NULL)
	{
		PyMem_Free(stack);
		return root;
	}

malformed:
	json_malformed();
fail:
	while (depth > 0)
		Py_XDECREF(stack[--depth].key);
	PyMem_Free(stack);
	Py_XDECREF(root);
	return NULL;
}
