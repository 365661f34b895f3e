/*-------------------------------------------------------------------------
 *
 * pyvalue.h
 *	  The Python side of value conversion, shared by the backend library
 *	  (inline mode) and the worker: Python objects to door values for a
 *	  shape (encode.c) and door values to Python objects (value_py.c).
 *	  Includes no PostgreSQL header; what these files need of their process
 *	  is in pyhost.h (pls_current, pls_host_interrupt_pending).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PLS_PYVALUE_H
#define PLS_PYVALUE_H

#include <Python.h>

#include "door.h"

/* PostgreSQL's limits and SQLSTATEs (convert.c checks they are equal). */
#define PLS_MAXDIM			6	/* MAXDIM */
#define PLS_MAX_ARRAY_SIZE	((size_t) 0x3fffffff / sizeof(uint64_t))	/* MaxArraySize */

#define PLS_SIXBIT(ch)		(((ch) - '0') & 0x3F)
#define PLS_SQLSTATE(c1, c2, c3, c4, c5) \
	(PLS_SIXBIT(c1) + (PLS_SIXBIT(c2) << 6) + (PLS_SIXBIT(c3) << 12) + \
	 (PLS_SIXBIT(c4) << 18) + (PLS_SIXBIT(c5) << 24))

#define PLS_ERRCODE_FEATURE_NOT_SUPPORTED		PLS_SQLSTATE('0','A','0','0','0')
#define PLS_ERRCODE_DATA_EXCEPTION				PLS_SQLSTATE('2','2','0','0','0')
#define PLS_ERRCODE_INVALID_TEXT_REPRESENTATION	PLS_SQLSTATE('2','2','P','0','2')
#define PLS_ERRCODE_EXTERNAL_ROUTINE_EXCEPTION	PLS_SQLSTATE('3','8','0','0','0')
#define PLS_ERRCODE_UNDEFINED_COLUMN			PLS_SQLSTATE('4','2','7','0','3')
#define PLS_ERRCODE_WRONG_OBJECT_TYPE			PLS_SQLSTATE('4','2','8','0','9')
#define PLS_ERRCODE_DATATYPE_MISMATCH			PLS_SQLSTATE('4','2','8','0','4')
#define PLS_ERRCODE_OUT_OF_MEMORY				PLS_SQLSTATE('5','3','2','0','0')
#define PLS_ERRCODE_PROGRAM_LIMIT_EXCEEDED		PLS_SQLSTATE('5','4','0','0','0')
#define PLS_ERRCODE_STATEMENT_TOO_COMPLEX		PLS_SQLSTATE('5','4','0','0','1')

/*
 * Python side of a conversion: the values encoded for one request, and
 * what went wrong if encoding failed.  Values point into memory the
 * encoder owns (and into Python objects it holds) until pls_encoder_free.
 */
typedef struct PLSEncoder
{
	/* init clears only the fields before inline_held */
	struct PLSEncChunk *chunks;
	PyObject   *root;			/* held by the caller: needs no hold */
	PyObject   *held;			/* list of objects values point into,
								 * beyond inline_held */
	int			nheld;			/* used entries of inline_held */
	bool		pyexc;			/* failed: a Python exception is set and
								 * must propagate as itself */
	int			sqlerrcode;		/* failed otherwise: the error */
	char	   *message;
	char	   *detail;
	char	   *hint;
	bool		has_tb;			/* a Python traceback came with it */
	size_t		inline_used;	/* small encodings need no allocation */
	PyObject   *inline_held[8];
	double		inline_buf[64];
} PLSEncoder;

extern void pls_encoder_init(PLSEncoder *e);
extern void pls_encoder_free(PLSEncoder *e);
/* Memory and references the values live with (NULL/false: raised). */
extern void *pls_encoder_alloc(PLSEncoder *e, size_t size);
extern bool pls_encoder_hold(PLSEncoder *e, PyObject *o);
/* o as a value of shape s; false on failure (see PLSEncoder). */
extern bool pls_encode(PLSEncoder *e, const PLSShape *s, PyObject *o,
					   PLSValue *v);

/*
 * An encoding fails (all return false): with a PostgreSQL-style error
 * (hint may be NULL); with msg and the pending Python exception in DETAIL,
 * or that exception itself if it must propagate (an interrupt, a plpy
 * error); or with the interrupt exception if a cancel is pending
 * (pls_encoder_interrupted returns false, and sets nothing, if none is).
 */
extern bool pls_encoder_fail(PLSEncoder *e, int sqlerrcode, const char *hint,
							 const char *fmt,...) __attribute__((format(printf, 4, 5)));
extern bool pls_encoder_fail_python(PLSEncoder *e, const char *msg);
extern bool pls_encoder_interrupted(PLSEncoder *e);

/*
 * The transforms' encodings (json_py.c): o as a PLS_V_JSON value for
 * jsonb (PL/Python's jsonb_plpython3u) or hstore (hstore_plpython3u).
 */
extern bool pls_encode_jsonb(PLSEncoder *e, PyObject *o, PLSValue *v);
extern bool pls_encode_hstore(PLSEncoder *e, PyObject *o, PLSValue *v);

/*
 * The values that encode without user code, memory or an error: None for
 * any shape, and an exact int, float, bool, str or bytes for a scalar
 * shape that takes it as itself.  v may point into o: the caller keeps o
 * alive as long as v.  False: o is not such a value (no exception is left
 * set), pls_encode takes it.  Always inline: every function result and
 * most array elements and columns are such values.
 */
static inline __attribute__((always_inline)) bool
pls_encode_plain(const PLSShape *s, PyObject *o, PLSValue *v)
{
	if (o == Py_None)
	{
		v->kind = PLS_V_NULL;
		return true;
	}
	switch ((PLSShapeKind) s->kind)
	{
		case PLS_S_INT2:
		case PLS_S_INT4:
		case PLS_S_INT8:
		case PLS_S_FLOAT8:
			if (PyLong_CheckExact(o))
			{
				int			overflow;
				long long	x = PyLong_AsLongLongAndOverflow(o, &overflow);

				if (overflow || (x == -1 && PyErr_Occurred()))
				{
					/* too large: the text form says it, or its error */
					PyErr_Clear();
					return false;
				}
				if (s->kind == PLS_S_FLOAT8)
				{
					/* rounded to nearest, as strtod of its digits would be */
					v->kind = PLS_V_FLOAT8;
					v->u.f = (double) x;
					return true;
				}
				if ((s->kind == PLS_S_INT2 && (x < INT16_MIN || x > INT16_MAX)) ||
					(s->kind == PLS_S_INT4 && (x < INT32_MIN || x > INT32_MAX)))
					return false;
				v->kind = PLS_V_INT64;
				v->u.i = x;
				return true;
			}
			if (s->kind == PLS_S_FLOAT8 && PyFloat_CheckExact(o))
			{
				v->kind = PLS_V_FLOAT8;
				v->u.f = PyFloat_AS_DOUBLE(o);
				return true;
			}
			return false;
		case PLS_S_BOOL:
			if (o != Py_True && o != Py_False)
				return false;
			v->kind = PLS_V_BOOL;
			v->u.b = (o == Py_True);
			return true;
		case PLS_S_TEXT:
		case PLS_S_TEXTFORM:
			if (PyUnicode_CheckExact(o))
			{
				Py_ssize_t	len;
				const char *utf8 = PyUnicode_AsUTF8AndSize(o, &len);

				if (utf8 == NULL)
				{
					/* not encodable: pls_encode reports it */
					PyErr_Clear();
					return false;
				}
				/* cut at its first zero character, as PL/Python does */
				v->kind = PLS_V_TEXT;
				v->u.str.data = utf8;
				v->u.str.len = strnlen(utf8, len);
				return true;
			}
			return false;
		case PLS_S_BYTEA:
			if (!PyBytes_CheckExact(o))
				return false;
			v->kind = PLS_V_BYTES;
			v->u.str.data = PyBytes_AS_STRING(o);
			v->u.str.len = PyBytes_GET_SIZE(o);
			return true;
		case PLS_S_ARRAY:
		case PLS_S_ROW:
		case PLS_S_JSONB:
		case PLS_S_HSTORE:
			break;
	}
	return false;
}

/* Is row shape s being encoded now (user code below it may run SQL)? */
extern bool pls_shape_busy(const PLSShape *s);

/*
 * A door value as a new Python object: None, bool, int, float,
 * decimal.Decimal, str, bytes, nested lists, dicts (rows need their
 * column names).  NULL with a Python exception on a malformed value.
 */
extern PyObject *pls_value_to_py(const PLSValue *v);

/*
 * Raise the current interpreter's interrupt exception: a conversion stops
 * because pls_host_interrupt_pending() said so.
 */
extern void pls_value_interrupted(void);

/* A numeric's text form (UTF-8, len bytes) as a decimal.Decimal. */
extern PyObject *pls_numeric_to_py(const char *text, size_t len);

/*
 * A PLS_V_JSON value's tokens as a new Python object (json_py.c): dict,
 * list, str, decimal.Decimal, bool, None.  NULL with a Python exception
 * on malformed tokens.
 */
extern PyObject *pls_json_to_py(const char *data, size_t len);

#endif							/* PLS_PYVALUE_H */
