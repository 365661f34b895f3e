/*-------------------------------------------------------------------------
 *
 * value_py.c
 *	  Door values (door.h) as Python objects, with the results inline mode
 *	  gives for the Datums they came from (convert_scalar.c, convert_array.c,
 *	  convert_row.c): None, bool, int, float, decimal.Decimal for numerics,
 *	  str, bytes, nested lists for arrays (lower bounds are not kept),
 *	  dicts for rows (their column names in order, dropped columns left
 *	  out by the PostgreSQL side), and the transforms' values (json_py.c).
 *
 *	  Part of the Python side's core (pyhost.h), for the backend and the
 *	  worker: no PostgreSQL header, no PostgreSQL function.
 *
 *-------------------------------------------------------------------------
 */
#include "pyvalue.h"

#include "pyhost.h"

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
	s = PyUnicode_DecodeUTF8(text, (Py_ssize_t) len, NULL);
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

/* Where the conversion of one array to nested lists has got to. */
typedef struct ArrayWalk
{
	const PLSValue *next;		/* next element */
	int			budget;			/* elements left before the next check */
} ArrayWalk;

/* One dimension of an array as a list; inner dimensions recurse. */
static PyObject *
array_list(const PLSValue *v, int dim, ArrayWalk *w)
{
	int			len = v->u.array.dims[dim];
	PyObject   *list = PyList_New(len);

	if (list == NULL)
		return NULL;
	for (int i = 0; i < len; i++)
	{
		PyObject   *item;

		if (dim < v->u.array.ndims - 1)
			item = array_list(v, dim + 1, w);
		else if (--w->budget < 0 && pls_host_interrupt_pending())
		{
			pls_value_interrupted();
			item = NULL;
		}
		else
		{
			if (w->budget < 0)
				w->budget = VALUE_INTERRUPT_STRIDE;
			item = value_to_py(w->next++);
		}
		if (item == NULL)
		{
			Py_DECREF(list);
			return NULL;
		}
		PyList_SET_ITEM(list, i, item);
	}
	return list;
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
	return array_list(v, 0, &w);

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
		key = PyUnicode_DecodeUTF8(name, (Py_ssize_t) strlen(name), NULL);
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
			return PyUnicode_DecodeUTF8(v->u.str.data,
										(Py_ssize_t) v->u.str.len, NULL);
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
	}
	PyErr_Format(PyExc_ValueError, "unknown value kind %d", (int) v->kind);
	return NULL;
}

PyObject *
pls_value_to_py(const PLSValue *v)
{
	return value_to_py(v);
}
