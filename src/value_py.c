/*-------------------------------------------------------------------------
 *
 * value_py.c
 *	  Door values (door.h) as Python objects, with the results inline mode
 *	  gives for the Datums they came from (convert_scalar.c, convert_array.c,
 *	  convert_row.c): None, bool, int, float, decimal.Decimal for numerics,
 *	  str, bytes, nested lists for arrays (lower bounds are not kept; a
 *	  packed one is read as convert_array.c reads a C array), dicts for
 *	  rows (their column names in order, dropped columns left out by the
 *	  PostgreSQL side), and the transforms' values (json_py.c).
 *
 *	  Part of the Python side's core (pyhost.h), for the backend and the
 *	  worker: no PostgreSQL header, no PostgreSQL function.
 *
 *-------------------------------------------------------------------------
 */
#include "pyvalue.h"

#include "pyhost.h"

/*
 * UTF-8 as a str: ASCII (checked a word at a time) copied into a new str
 * at once, anything else through the decoder (which refuses invalid
 * UTF-8; none comes from the wire's reader or the PostgreSQL side), and so
 * is a single character: the decoder gives CPython's shared one, whose
 * hash is kept (a one-letter column name is a dict key of every row).
 */
static PyObject *
utf8_to_py(const char *s, size_t len)
{
	uint64_t	high = 0;
	size_t		i = 0;
	PyObject   *o;

	for (; i + 8 <= len; i += 8)
	{
		uint64_t	w;

		memcpy(&w, s + i, sizeof(w));
		high |= w;
	}
	for (; i < len; i++)
		high |= (unsigned char) s[i];
	if ((high & 0x8080808080808080ull) != 0 || len <= 1)
		return PyUnicode_DecodeUTF8(s, (Py_ssize_t) len, NULL);
	o = PyUnicode_New((Py_ssize_t) len, 127);
	if (o != NULL)
		memcpy(PyUnicode_DATA(o), s, len);
	return o;
}

PyObject *
pls_numeric_to_py(const char *text, size_t len)
{
	PyObject   *decimal;
	PyObject   *s;
	PyObject   *res;

	if (pls_current == NULL)
	{
		PyErr_SetString(PyExc_RuntimeError, "no plsafepy interpreter is current");
		return NULL;
	}
	decimal = pls_current->decimal ? pls_current->decimal :
		pls_sandbox_decimal(pls_current);

	if (decimal == NULL)
		return NULL;
	s = utf8_to_py(text, len);
	if (s == NULL)
		return NULL;
	res = PyObject_CallOneArg(decimal, s);
	Py_DECREF(s);
	return res;
}

static PyObject *value_to_py(const PLSValue *v);

void
pls_value_interrupted(void)
{
	PyErr_SetNone(pls_current && pls_current->exc_interrupted ?
				  pls_current->exc_interrupted : PyExc_KeyboardInterrupt);
}

/* Elements converted between two interrupt checks. */
#define VALUE_INTERRUPT_STRIDE 4096

/* Fill the len slots of one innermost list; false with an exception set. */
typedef bool (*FillList) (void *walk, PyObject *list, int len);

/*
 * Dimension dim of an array as a list, inner dimensions as lists in it,
 * the innermost filled by fill.  On failure the unfilled slots stay NULL,
 * which releasing the list skips.
 */
static PyObject *
nested_lists(const int *dims, int ndims, int dim, FillList fill, void *walk)
{
	PyObject   *list = PyList_New(dims[dim]);

	if (list == NULL)
		return NULL;
	if (dim == ndims - 1)
	{
		if (!fill(walk, list, dims[dim]))
		{
			Py_DECREF(list);
			return NULL;
		}
		return list;
	}
	for (int i = 0; i < dims[dim]; i++)
	{
		PyObject   *sub = nested_lists(dims, ndims, dim + 1, fill, walk);

		if (sub == NULL)
		{
			Py_DECREF(list);
			return NULL;
		}
		PyList_SET_ITEM(list, i, sub);
	}
	return list;
}

/* Where the conversion of one array to nested lists has got to. */
typedef struct ArrayWalk
{
	const PLSValue *next;		/* next element */
	int			budget;			/* elements left before the next check */
} ArrayWalk;

static bool
array_fill(void *walk, PyObject *list, int len)
{
	ArrayWalk  *w = walk;

	for (int i = 0; i < len; i++)
	{
		PyObject   *item;

		if (--w->budget < 0 && pls_host_interrupt_pending())
		{
			pls_value_interrupted();
			return false;
		}
		if (w->budget < 0)
			w->budget = VALUE_INTERRUPT_STRIDE;
		item = value_to_py(w->next++);
		if (item == NULL)
			return false;
		PyList_SET_ITEM(list, i, item);
	}
	return true;
}

static PyObject *
array_to_py(const PLSValue *v)
{
	int			ndims = v->u.array.ndims;
	size_t		n = 1;
	ArrayWalk	w = {v->u.array.elems, 0};

	if (ndims == 0)
	{
		if (v->u.array.n != 0)
			goto malformed;
		return PyList_New(0);
	}
	if (ndims < 0 || ndims > PLS_MAXDIM)
		goto malformed;
	for (int i = 0; i < ndims; i++)
	{
		if (v->u.array.dims[i] < 0 ||
			(v->u.array.dims[i] > 0 && n > SIZE_MAX / (size_t) v->u.array.dims[i]))
			goto malformed;
		n *= (size_t) v->u.array.dims[i];
	}
	if (n != v->u.array.n)
		goto malformed;
	return nested_lists(v->u.array.dims, ndims, 0, array_fill, &w);

malformed:
	PyErr_SetString(PyExc_ValueError,
					"array value's dimensions do not match its elements");
	return NULL;
}

/* Where the conversion of a PACKED array to nested lists has got to. */
typedef struct PackedWalk
{
	uint8_t		elem;
	const uint8_t *nulls;
	const char *data;			/* the next element that is not NULL */
	uint32_t	i;				/* the next element's index (with nulls) */
	int			budget;			/* elements left before the next check */
} PackedWalk;

/*
 * Fill slots of list from w->data on with make (a CPython constructor) of
 * elements of ctype: the loop of packed_fill for an array without nulls,
 * as convert_array.c's flat path (the bytes are not aligned).
 */
#define PACKED_FILL(ctype, make) \
	do { \
		for (; k < stop; k++) \
		{ \
			ctype		x; \
			PyObject   *o; \
			\
			memcpy(&x, w->data, sizeof(x)); \
			w->data += sizeof(x); \
			o = make(x); \
			if (o == NULL) \
				return false; \
			PyList_SET_ITEM(list, k, o); \
		} \
	} while (0)

/* Return make (a CPython constructor) of the ctype at p. */
#define PACKED_ITEM(ctype, make, p) \
	do { \
		ctype		x; \
		\
		memcpy(&x, (p), sizeof(x)); \
		return make(x); \
	} while (0)

/* One element (of a known PLSPackedElem) of a PACKED array at p. */
static PyObject *
packed_item(uint8_t elem, const char *p)
{
	switch ((PLSPackedElem) elem)
	{
		case PLS_P_BOOL:
			return PyBool_FromLong(*p != 0);
		case PLS_P_INT2:
			PACKED_ITEM(int16_t, PyLong_FromLong, p);
		case PLS_P_INT4:
			PACKED_ITEM(int32_t, PyLong_FromLong, p);
		case PLS_P_INT8:
			PACKED_ITEM(int64_t, PyLong_FromLongLong, p);
		case PLS_P_OID:
			PACKED_ITEM(uint32_t, PyLong_FromUnsignedLong, p);
		case PLS_P_FLOAT4:
			PACKED_ITEM(float, PyFloat_FromDouble, p);
		default:				/* PLS_P_FLOAT8: packed_to_py checked elem */
			PACKED_ITEM(double, PyFloat_FromDouble, p);
	}
}

#undef PACKED_ITEM

/*
 * The len elements of one innermost list, from w on.  Without nulls, a
 * loop per element type (no per-element switch or bitmap test); the
 * interrupt-check budget carries over from one list to the next.
 */
static bool
packed_fill(void *walk, PyObject *list, int len)
{
	PackedWalk *w = walk;
	int			k = 0;

	while (k < len)
	{
		int			stop;

		if (w->budget == 0)
		{
			if (pls_host_interrupt_pending())
			{
				pls_value_interrupted();
				return false;
			}
			w->budget = VALUE_INTERRUPT_STRIDE;
		}
		stop = k + (len - k < w->budget ? len - k : w->budget);
		w->budget -= stop - k;
		if (w->nulls != NULL)
		{
			for (; k < stop; k++, w->i++)
			{
				PyObject   *o;

				if ((w->nulls[w->i / 8] & (1 << (w->i % 8))) == 0)
					o = Py_NewRef(Py_None);
				else
				{
					o = packed_item(w->elem, w->data);
					if (o == NULL)
						return false;
					w->data += pls_packed_width(w->elem);
				}
				PyList_SET_ITEM(list, k, o);
			}
			continue;
		}
		switch ((PLSPackedElem) w->elem)
		{
			case PLS_P_BOOL:
				PACKED_FILL(uint8_t, PyBool_FromLong);
				break;
			case PLS_P_INT2:
				PACKED_FILL(int16_t, PyLong_FromLong);
				break;
			case PLS_P_INT4:
				PACKED_FILL(int32_t, PyLong_FromLong);
				break;
			case PLS_P_INT8:
				PACKED_FILL(int64_t, PyLong_FromLongLong);
				break;
			case PLS_P_OID:
				PACKED_FILL(uint32_t, PyLong_FromUnsignedLong);
				break;
			case PLS_P_FLOAT4:
				PACKED_FILL(float, PyFloat_FromDouble);
				break;
			default:			/* PLS_P_FLOAT8 */
				PACKED_FILL(double, PyFloat_FromDouble);
				break;
		}
	}
	return true;
}

#undef PACKED_FILL

static PyObject *
packed_to_py(const PLSValue *v)
{
	int			ndims = v->u.packed.ndims;
	uint64_t	n = 1;
	PackedWalk	w = {v->u.packed.elem, v->u.packed.nulls, v->u.packed.data, 0, 0};

	if (v->u.packed.elem > PLS_P_LAST)
	{
		PyErr_Format(PyExc_ValueError, "unknown packed element %d",
					 (int) v->u.packed.elem);
		return NULL;
	}
	if (ndims < 1 || ndims > PLS_MAXDIM)
		goto malformed;
	for (int i = 0; i < ndims && n <= UINT32_MAX; i++)
	{
		if (v->u.packed.dims[i] < 1)
			goto malformed;
		n *= (uint64_t) v->u.packed.dims[i];
	}
	if (n != v->u.packed.n)
		goto malformed;
	return nested_lists(v->u.packed.dims, ndims, 0, packed_fill, &w);

malformed:
	PyErr_SetString(PyExc_ValueError,
					"array value's dimensions do not match its elements");
	return NULL;
}

/* A row as a dict of its columns, in order (a repeated name: the last). */
static PyObject *
row_to_py(const PLSValue *v)
{
	PyObject   *dict;

	if (v->u.row.names == NULL && v->u.row.natts > 0)
	{
		PyErr_SetString(PyExc_TypeError, "row value has no column names");
		return NULL;
	}
	dict = PyDict_New();
	if (dict == NULL)
		return NULL;
	for (int i = 0; i < v->u.row.natts; i++)
	{
		const char *name = v->u.row.names[i];
		PyObject   *key;
		PyObject   *value;
		int			rc;

		if (name == NULL)
		{
			PyErr_SetString(PyExc_TypeError, "row value has no column names");
			goto fail;
		}
		if ((value = value_to_py(&v->u.row.atts[i])) == NULL)
			goto fail;
		key = utf8_to_py(name, strlen(name));
		if (key == NULL)
		{
			Py_DECREF(value);
			goto fail;
		}
		rc = PyDict_SetItem(dict, key, value);
		Py_DECREF(key);
		Py_DECREF(value);
		if (rc < 0)
			goto fail;
	}
	return dict;

fail:
	Py_DECREF(dict);
	return NULL;
}

static PyObject *
value_to_py(const PLSValue *v)
{
	PyObject   *res;

	switch ((PLSValueKind) v->kind)
	{
		case PLS_V_NULL:
			Py_RETURN_NONE;
		case PLS_V_BOOL:
			return PyBool_FromLong(v->u.b);
		case PLS_V_INT64:
			return PyLong_FromLongLong(v->u.i);
		case PLS_V_FLOAT8:
			return PyFloat_FromDouble(v->u.f);
		case PLS_V_NUMERIC:
			return pls_numeric_to_py(v->u.str.data, v->u.str.len);
		case PLS_V_TEXT:
			return utf8_to_py(v->u.str.data, v->u.str.len);
		case PLS_V_BYTES:
			return PyBytes_FromStringAndSize(v->u.str.data,
											 (Py_ssize_t) v->u.str.len);
		case PLS_V_JSON:
			return pls_json_to_py(v->u.str.data, v->u.str.len);
		case PLS_V_ARRAY:
		case PLS_V_ROW:
			if (Py_EnterRecursiveCall(" while converting a value"))
				return NULL;
			res = v->kind == PLS_V_ARRAY ? array_to_py(v) : row_to_py(v);
			Py_LeaveRecursiveCall();
			return res;
		case PLS_V_PACKED:
			return packed_to_py(v);
	}
	PyErr_Format(PyExc_ValueError, "unknown value kind %d", (int) v->kind);
	return NULL;
}

PyObject *
pls_value_to_py(const PLSValue *v)
{
	return value_to_py(v);
}
