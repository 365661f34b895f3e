/*-------------------------------------------------------------------------
 *
 * convert_scalar.c
 *	  Scalars, Datum -> Python, with PL/Python's results: NULL as None, bool,
 *	  integers, floats, numeric as decimal.Decimal, bytea as bytes,
 *	  text-like types as str, every other scalar through its text form;
 *	  a domain reads as its base type.  The common types have direct paths
 *	  that give the same results as PL/Python's round trip through the
 *	  type's text form.
 *
 *-------------------------------------------------------------------------
 */
#include "convert_int.h"

static PyObject *
bool_to_py(PLSType *t, Datum d)
{
	return PyBool_FromLong(DatumGetBool(d));
}

static PyObject *
int2_to_py(PLSType *t, Datum d)
{
	return PyLong_FromLong(DatumGetInt16(d));
}

static PyObject *
int4_to_py(PLSType *t, Datum d)
{
	return PyLong_FromLong(DatumGetInt32(d));
}

static PyObject *
int8_to_py(PLSType *t, Datum d)
{
	return PyLong_FromLongLong(DatumGetInt64(d));
}

static PyObject *
oid_to_py(PLSType *t, Datum d)
{
	return PyLong_FromUnsignedLong(DatumGetObjectId(d));
}

static PyObject *
float4_to_py(PLSType *t, Datum d)
{
	return PyFloat_FromDouble(DatumGetFloat4(d));
}

static PyObject *
float8_to_py(PLSType *t, Datum d)
{
	return PyFloat_FromDouble(DatumGetFloat8(d));
}

/* The interpreter's real decimal.Decimal, never a user-visible name. */
static PyObject *
numeric_to_py(PLSType *t, Datum d)
{
	char	   *str = DatumGetCString(DirectFunctionCall1(numeric_out, d));
	PyObject   *res = pls_numeric_to_py(str, strlen(str));

	pfree(str);
	return res;
}

static PyObject *
bytea_to_py(PLSType *t, Datum d)
{
	struct varlena *v = (struct varlena *) DatumGetPointer(d);
	struct varlena *p = pg_detoast_datum_packed(v);
	PyObject   *res;

	res = PyBytes_FromStringAndSize(VARDATA_ANY(p), VARSIZE_ANY_EXHDR(p));
	if (p != v)
		pfree(p);
	return res;
}

/*
 * text, varchar, bpchar: their output functions return the stored string
 * unchanged, so read it directly.
 */
static PyObject *
text_to_py(PLSType *t, Datum d)
{
	struct varlena *v = (struct varlena *) DatumGetPointer(d);
	struct varlena *p = pg_detoast_datum_packed(v);
	PyObject   *res;

	res = pls_str_from_server(VARDATA_ANY(p), VARSIZE_ANY_EXHDR(p));
	if (p != v)
		pfree(p);
	return res;
}

static PyObject *
name_to_py(PLSType *t, Datum d)
{
	const char *s = NameStr(*DatumGetName(d));

	return pls_str_from_server(s, strlen(s));
}

/* Every other scalar: its text form, from the type's output function. */
static PyObject *
generic_to_py(PLSType *t, Datum d)
{
	char	   *str = OutputFunctionCall(&t->typoutput, d);
	PyObject   *res = pls_str_from_server(str, strlen(str));

	pfree(str);
	return res;
}

/* A domain reads as its base type. */
PyObject *
pls_domain_to_py(PLSType *t, Datum d)
{
	return t->base->to_py(t->base, d);
}

/*
 * The conversions of scalar type typoid: a direct path for the common
 * types, the text form (input and output functions) for every other.
 */
void
pls_scalar_init(PLSType *t, Oid typoid, int32 typmod, MemoryContext mcxt)
{
	/* scalars: the text form is the fallback of every direct path */
	{
		Oid			func;
		bool		isvarlena;

		getTypeInputInfo(typoid, &func, &t->typioparam);
		fmgr_info_cxt(func, &t->typinput, mcxt);
		getTypeOutputInfo(typoid, &func, &isvarlena);
		fmgr_info_cxt(func, &t->typoutput, mcxt);
	}
	t->to_py = generic_to_py;
	t->to_value = pls_generic_to_value;

	switch (typoid)
	{
		case BOOLOID:
			t->to_py = bool_to_py;
			t->to_value = pls_bool_to_value;
			t->shape_data.kind = PLS_S_BOOL;
			break;
		case INT2OID:
			t->to_py = int2_to_py;
			t->to_value = pls_int2_to_value;
			t->shape_data.kind = PLS_S_INT2;
			break;
		case INT4OID:
			t->to_py = int4_to_py;
			t->to_value = pls_int4_to_value;
			t->shape_data.kind = PLS_S_INT4;
			break;
		case INT8OID:
			t->to_py = int8_to_py;
			t->to_value = pls_int8_to_value;
			t->shape_data.kind = PLS_S_INT8;
			break;
		case OIDOID:
			t->to_py = oid_to_py;
			t->to_value = pls_oid_to_value;
			break;
		case FLOAT4OID:
			t->to_py = float4_to_py;
			t->to_value = pls_float4_to_value;
			break;
		case FLOAT8OID:
			t->to_py = float8_to_py;
			t->to_value = pls_float8_to_value;
			t->shape_data.kind = PLS_S_FLOAT8;
			break;
		case NUMERICOID:
			t->to_py = numeric_to_py;
			t->to_value = pls_numeric_to_value;
			break;
		case BYTEAOID:
			t->to_py = bytea_to_py;
			t->to_value = pls_bytea_to_value;
			t->shape_data.kind = PLS_S_BYTEA;
			break;
		case TEXTOID:
			t->to_py = text_to_py;
			t->to_value = pls_text_to_value;
			t->shape_data.kind = PLS_S_TEXT;
			break;
		case VARCHAROID:
			t->to_py = text_to_py;
			t->to_value = pls_text_to_value;
			/* a length limit needs varcharin */
			if (typmod < 0)
				t->shape_data.kind = PLS_S_TEXT;
			break;
		case BPCHAROID:
			t->to_py = text_to_py;
			t->to_value = pls_text_to_value;
			break;
		case NAMEOID:
			t->to_py = name_to_py;
			t->to_value = pls_name_to_value;
			break;
		default:
			break;
	}
}
