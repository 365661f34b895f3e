/*-------------------------------------------------------------------------
 *
 * convert.c
 *	  Type conversion between PostgreSQL Datums and Python objects, with
 *	  PL/Python's rules and error messages (PostgreSQL 15, plpy_typeio.c):
 *	  NULL as None, bool, integers, floats, numeric as decimal.Decimal,
 *	  bytea as bytes, text-like types as str, every other scalar through its
 *	  text form, domains with their checks, arrays as nested lists, and
 *	  composites as dicts (out of Python also from sequences and objects).
 *
 *	  The conversion of a type is chosen once, in pls_type_init: the function
 *	  pointers in PLSType do the work per value with no catalog access.  The
 *	  common scalar types (int2/int4/int8, float8, text) have direct paths
 *	  that give the same results as PL/Python's round trip through the
 *	  type's text form, and fall back to that round trip for anything else.
 *	  Arrays of bool, int2/int4/int8, oid and float4/float8 without nulls
 *	  are read as C arrays, and lists of plain values written directly
 *	  into bool, integer and float8 arrays, again with the results of the
 *	  general path.
 *
 *	  Datum -> Python functions return a new reference, or NULL with a Python
 *	  exception set; they may also ereport (detoasting, output functions).
 *	  Python -> Datum functions ereport on a value that does not convert.
 *	  Both may run user Python code (__str__, __len__, __getitem__, ...), so
 *	  every reference held across a PostgreSQL call is released on error.
 *
 *-------------------------------------------------------------------------
 */
#include "plsafepy.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/typcache.h"

/* Server encoding is fixed for the life of the backend; -1 until known. */
static int	db_is_utf8 = -1;

static inline bool
server_is_utf8(void)
{
	if (unlikely(db_is_utf8 < 0))
		db_is_utf8 = (GetDatabaseEncoding() == PG_UTF8);
	return db_is_utf8 != 0;
}

/*
 * Row types in use by a Python -> row conversion.  Such a conversion runs
 * user code (__str__, __getitem__, ...), which may run SQL that calls the
 * same function again; that nested call must not rebuild the row type the
 * outer conversion is reading (it gets an error instead).
 */
#define MAX_BUSY_ROWTYPES 128
static PLSType *busy_rowtypes[MAX_BUSY_ROWTYPES];
static int	n_busy_rowtypes = 0;

static void
mark_rowtype_busy(PLSType *t)
{
	if (n_busy_rowtypes >= MAX_BUSY_ROWTYPES)
		ereport(ERROR,
				(errcode(ERRCODE_STATEMENT_TOO_COMPLEX),
				 errmsg("row values nested too deeply")));
	busy_rowtypes[n_busy_rowtypes++] = t;
}

static void
unmark_rowtype_busy(PLSType *t)
{
	Assert(n_busy_rowtypes > 0 && busy_rowtypes[n_busy_rowtypes - 1] == t);
	n_busy_rowtypes--;
}

static void
check_rowtype_not_busy(PLSType *t)
{
	for (int i = 0; i < n_busy_rowtypes; i++)
		if (busy_rowtypes[i] == t)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_IN_USE),
					 errmsg("row type changed while a value of it was being converted")));
}

/* ---------- errors ---------- */

/*
 * True if the pending Python exception must not be swallowed: an interrupt
 * unwinding, or a plpy error carrying its own SQLSTATE.  Those are reported
 * by errors.c, as if they had come out of the function itself.
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

/*
 * Forget a pending Python exception where PL/Python reports its own message
 * instead (a missing mapping key, a sequence without a length), unless it
 * must reach the caller.
 */
static void
clear_python_error(void)
{
	if (PyErr_Occurred())
	{
		if (exception_must_propagate())
			pls_elog_exception(ERROR, pls_current_proc);
		PyErr_Clear();
	}
}

/* "TypeName: message", as PL/Python puts a Python exception in DETAIL. */
static char *
describe_exception(PyObject *type, PyObject *value)
{
	StringInfoData buf;
	const char *tname = ((PyTypeObject *) type)->tp_name;
	const char *dot = strrchr(tname, '.');
	PyObject   *mod = PyObject_GetAttrString(type, "__module__");
	PyObject   *vstr;

	initStringInfo(&buf);
	if (mod != NULL && PyUnicode_Check(mod))
	{
		const char *m = PyUnicode_AsUTF8(mod);

		if (m && strcmp(m, "builtins") != 0 && strcmp(m, "__main__") != 0)
			appendStringInfo(&buf, "%s.", m);
	}
	PyErr_Clear();
	Py_XDECREF(mod);
	appendStringInfoString(&buf, dot ? dot + 1 : tname);

	vstr = value ? PyObject_Str(value) : NULL;
	if (vstr != NULL && PyUnicode_AsUTF8(vstr) != NULL)
		appendStringInfo(&buf, ": %s", PyUnicode_AsUTF8(vstr));
	else
		appendStringInfoString(&buf, ": unknown");
	PyErr_Clear();
	Py_XDECREF(vstr);
	return buf.data;
}

/*
 * Report a conversion that failed in Python: msg as the message, the Python
 * exception in DETAIL (PL/Python's PLy_elog(ERROR, msg)).  The exception is
 * cleared before the longjmp.
 */
static void
pg_attribute_noreturn()
conversion_error(const char *msg)
{
	PyObject   *type,
			   *value,
			   *tb;
	char	   *detail;
	bool		has_tb;
	int			code = ERRCODE_EXTERNAL_ROUTINE_EXCEPTION;

	if (!PyErr_Occurred())
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg_internal("%s", msg)));
	if (exception_must_propagate())
		pls_elog_exception(ERROR, pls_current_proc);

	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	if (PyErr_GivenExceptionMatches(type, PyExc_MemoryError))
		code = ERRCODE_OUT_OF_MEMORY;
	detail = describe_exception(type, value);
	has_tb = (tb != NULL);
	Py_XDECREF(type);
	Py_XDECREF(value);
	Py_XDECREF(tb);
	PyErr_Clear();

	/*
	 * An exception raised by Python code (a user's __getitem__, say) has a
	 * traceback; PL/Python prints its header, and only that, for these.
	 */
	ereport(ERROR,
			(errcode(code),
			 errmsg_internal("%s", msg),
			 errdetail_internal("%s", detail),
			 has_tb ? errcontext("Traceback (most recent call last):") : 0));
	pg_unreachable();
}

/* ---------- strings ---------- */

/* A Python str from len bytes in the server encoding. */
static PyObject *
str_from_server(const char *s, Py_ssize_t len)
{
	char	   *utf8;
	PyObject   *o;

	if (server_is_utf8())
		return PyUnicode_DecodeUTF8(s, len, NULL);

	utf8 = pg_server_to_any(s, (int) len, PG_UTF8);
	if (utf8 == s)
		return PyUnicode_DecodeUTF8(s, len, NULL);
	o = PyUnicode_DecodeUTF8(utf8, strlen(utf8), NULL);
	pfree(utf8);
	return o;
}

/*
 * The server-encoded, palloc'd C string of a Python str.  As in PL/Python
 * (PLyUnicode_Bytes), the string ends at its first zero character.  s stays
 * the caller's.
 */
static char *
str_to_server(PyObject *s, Py_ssize_t *lenp)
{
	const char *utf8;
	Py_ssize_t	len;
	char	   *res;

	utf8 = PyUnicode_AsUTF8AndSize(s, &len);
	if (utf8 == NULL)
		conversion_error("could not convert Python Unicode object to bytes");
	len = strnlen(utf8, len);
	if (server_is_utf8())
		res = pnstrdup(utf8, len);
	else
	{
		/* pg_any_to_server validates, as pg_verifymbstr would */
		res = pg_any_to_server(utf8, (int) len, PG_UTF8);
		if (res == utf8)
			res = pnstrdup(utf8, len);
		len = strlen(res);
	}
	if (lenp)
		*lenp = len;
	return res;
}

/*
 * PL/Python's PLyObject_AsString: str as is, float by repr() (str() is
 * lossy), anything else by str().  Returns a palloc'd server string.
 */
static char *
object_to_cstring(PyObject *o, Py_ssize_t *lenp)
{
	PyObject   *volatile s;
	char	   *volatile res = NULL;

	if (PyUnicode_Check(o))
		return str_to_server(o, lenp);

	s = PyFloat_Check(o) ? PyObject_Repr(o) : PyObject_Str(o);
	if (s == NULL)
		conversion_error("could not create string representation of Python object");
	PG_TRY();
	{
		res = str_to_server(s, lenp);
	}
	PG_FINALLY();
	{
		Py_DECREF(s);
	}
	PG_END_TRY();
	return res;
}

/* ---------- Datum -> Python ---------- */

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
	PyObject   *decimal = pls_current->decimal ? pls_current->decimal :
		pls_sandbox_decimal(pls_current);
	char	   *str;
	PyObject   *s;
	PyObject   *res;

	if (decimal == NULL)
		return NULL;
	str = DatumGetCString(DirectFunctionCall1(numeric_out, d));
	s = PyUnicode_FromString(str);
	pfree(str);
	if (s == NULL)
		return NULL;
	res = PyObject_CallOneArg(decimal, s);
	Py_DECREF(s);
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

	res = str_from_server(VARDATA_ANY(p), VARSIZE_ANY_EXHDR(p));
	if (p != v)
		pfree(p);
	return res;
}

static PyObject *
name_to_py(PLSType *t, Datum d)
{
	const char *s = NameStr(*DatumGetName(d));

	return str_from_server(s, strlen(s));
}

/* Every other scalar: its text form, from the type's output function. */
static PyObject *
generic_to_py(PLSType *t, Datum d)
{
	char	   *str = OutputFunctionCall(&t->typoutput, d);
	PyObject   *res = str_from_server(str, strlen(str));

	pfree(str);
	return res;
}

/* A domain reads as its base type. */
static PyObject *
domain_to_py(PLSType *t, Datum d)
{
	return t->base->to_py(t->base, d);
}

/*
 * Element types whose arrays are read as C arrays when they have no null
 * bitmap: fixed length, passed by value, and aligned to their own length,
 * so the elements follow each other with no padding.  A domain over one
 * reads as its base type.  Returns the type, or InvalidOid.
 */
static Oid
flat_element_type(PLSType *elm)
{
	while (elm->typtype == TYPTYPE_DOMAIN)
		elm = elm->base;
	switch (elm->typoid)
	{
		case BOOLOID:
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case OIDOID:
		case FLOAT4OID:
		case FLOAT8OID:
			return elm->typoid;
		default:
			return InvalidOid;
	}
}

/* Where the conversion of one array to nested lists has got to. */
typedef struct ArrayReader
{
	PLSType    *elm;
	Oid			flattype;		/* flat_element_type() of elm if the array
								 * has no null bitmap, else InvalidOid */
	char	   *dataptr;		/* next element */
	bits8	   *bitmap;			/* null bitmap position, or NULL */
	int			bitmask;
	int			budget;			/* flat path: elements left before the
								 * next interrupt check */
} ArrayReader;

/*
 * Elements converted on the flat path between two interrupt checks: often
 * enough that a huge array is cancelled promptly, seldom enough to cost
 * nothing per element.
 */
#define FLAT_INTERRUPT_STRIDE 4096

/*
 * Convert the elements of a C array of ctype, from r->dataptr on, with
 * make (a CPython constructor) into the list slots item .. stop - 1; the
 * loop of array_fill_flat().  A failure leaves NULL in its slot.
 */
#define FLAT_FILL(ctype, make) \
	do { \
		const ctype *p = (const ctype *) r->dataptr; \
		\
		Assert(r->elm->typbyval && r->elm->typlen == sizeof(ctype)); \
		for (; item < stop; item++, p++) \
		{ \
			*item = make(*p); \
			if (unlikely(*item == NULL)) \
				return false; \
		} \
		r->dataptr = (char *) p; \
	} while (0)

/*
 * The n elements of the innermost dimension of an array without nulls,
 * read as a C array: no per-element call through the type's to_py, no
 * null test, no alignment arithmetic.  The interrupt-check budget carries
 * over from one innermost list to the next, so that a long array of short
 * rows is checked as seldom as a long 1-D array.  On failure the unfilled
 * slots stay NULL, which releasing the list skips.  Not inlined into
 * array_fill_list: alone, its loops keep everything in registers.
 */
static pg_noinline bool
array_fill_flat(ArrayReader *r, PyObject *list, int n)
{
	PyObject  **item = ((PyListObject *) list)->ob_item;
	PyObject  **last = item + n;

	while (item < last)
	{
		PyObject  **stop;

		if (r->budget == 0)
		{
			CHECK_FOR_INTERRUPTS();
			r->budget = FLAT_INTERRUPT_STRIDE;
		}
		stop = item + Min(last - item, r->budget);
		r->budget -= stop - item;

		switch (r->flattype)
		{
			case BOOLOID:
				/* as DatumGetBool: any nonzero byte is true */
				FLAT_FILL(uint8, PyBool_FromLong);
				break;
			case INT2OID:
				FLAT_FILL(int16, PyLong_FromLong);
				break;
			case INT4OID:
				FLAT_FILL(int32, PyLong_FromLong);
				break;
			case INT8OID:
				FLAT_FILL(int64, PyLong_FromLongLong);
				break;
			case OIDOID:
				FLAT_FILL(Oid, PyLong_FromUnsignedLong);
				break;
			case FLOAT4OID:
				FLAT_FILL(float4, PyFloat_FromDouble);
				break;
			case FLOAT8OID:
				FLAT_FILL(float8, PyFloat_FromDouble);
				break;
			default:
				elog(ERROR, "unexpected flat array element type %u",
					 r->flattype);
		}
	}
	return true;
}

#undef FLAT_FILL

/*
 * One dimension of an array as a list; inner dimensions recurse.  Every
 * list is put into its parent before it is filled, so releasing the
 * outermost list releases everything built so far.
 */
static bool
array_fill_list(ArrayReader *r, PyObject *list, int *dims, int ndim, int dim)
{
	int			i;

	if (dim < ndim - 1)
	{
		for (i = 0; i < dims[dim]; i++)
		{
			PyObject   *sub = PyList_New(dims[dim + 1]);

			if (sub == NULL)
				return false;
			PyList_SET_ITEM(list, i, sub);
			if (!array_fill_list(r, sub, dims, ndim, dim + 1))
				return false;
		}
		return true;
	}

	if (OidIsValid(r->flattype))
		return array_fill_flat(r, list, dims[dim]);

	for (i = 0; i < dims[dim]; i++)
	{
		PyObject   *item;

		CHECK_FOR_INTERRUPTS();
		if (r->bitmap && (*r->bitmap & r->bitmask) == 0)
		{
			item = Py_None;
			Py_INCREF(item);
		}
		else
		{
			PLSType    *elm = r->elm;
			Datum		v = fetch_att(r->dataptr, elm->typbyval, elm->typlen);

			item = elm->to_py(elm, v);
			if (item == NULL)
				return false;
			r->dataptr = att_addlength_pointer(r->dataptr, elm->typlen,
											   r->dataptr);
			r->dataptr = (char *) att_align_nominal(r->dataptr,
													elm->typalign);
		}
		PyList_SET_ITEM(list, i, item);

		if (r->bitmap)
		{
			r->bitmask <<= 1;
			if (r->bitmask == 0x100)
			{
				r->bitmap++;
				r->bitmask = 1;
			}
		}
	}
	return true;
}

/*
 * An array as nested lists; flattype is flat_element_type() of its element
 * type, or InvalidOid to convert every element through its to_py.
 */
static PyObject *
array_convert(PLSType *t, Datum d, Oid flattype)
{
	ArrayType  *array = DatumGetArrayTypeP(d);
	PyObject   *volatile list = NULL;
	bool		ok = false;

	if (ARR_NDIM(array) == 0)
		list = PyList_New(0);
	else
	{
		int			ndim = ARR_NDIM(array);
		int		   *dims = ARR_DIMS(array);
		ArrayReader r;

		r.elm = t->elem;
		r.flattype = ARR_HASNULL(array) ? InvalidOid : flattype;
		r.dataptr = ARR_DATA_PTR(array);
		r.bitmap = ARR_NULLBITMAP(array);
		r.bitmask = 1;
		r.budget = 0;

		list = PyList_New(dims[0]);
		if (list != NULL)
		{
			PG_TRY();
			{
				ok = array_fill_list(&r, list, dims, ndim, 0);
			}
			PG_CATCH();
			{
				Py_DECREF(list);
				PG_RE_THROW();
			}
			PG_END_TRY();
			if (!ok)
				Py_CLEAR(list);
		}
	}
	if ((Pointer) array != DatumGetPointer(d))
		pfree(array);
	return list;
}

static PyObject *
array_to_py(PLSType *t, Datum d)
{
	return array_convert(t, d, InvalidOid);
}

/* An array of a flat_element_type(): the flat path unless it has nulls. */
static PyObject *
flat_array_to_py(PLSType *t, Datum d)
{
	return array_convert(t, d, flat_element_type(t->elem));
}

static void set_row_desc(PLSType *t, TupleDesc desc);
static bool setup_atts(PLSType *t, TupleDesc desc);

/*
 * The row type of a composite value of type typid/typmod, as t's cached
 * copy: rebuilt when the type changed (ALTER TYPE, ALTER TABLE), noticed by
 * the type cache's descriptor identifier.
 */
static TupleDesc
row_desc(PLSType *t, Oid typid, int32 typmod)
{
	if (typid != RECORDOID)
	{
		TypeCacheEntry *tc = lookup_type_cache(typid, TYPECACHE_TUPDESC);

		if (tc->tupDesc == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("type %s is not composite",
							format_type_be(typid))));
		if (t->tupdesc == NULL || t->tupdesc->tdtypeid != typid ||
			t->tupdesc_id != tc->tupDesc_identifier)
		{
			set_row_desc(t, tc->tupDesc);
			t->tupdesc_id = tc->tupDesc_identifier;
		}
	}
	else
	{
		/* a registered (blessed) record type never changes */
		if (t->tupdesc == NULL || t->tupdesc->tdtypeid != RECORDOID ||
			t->tupdesc->tdtypmod != typmod || typmod < 0)
		{
			TupleDesc	desc = lookup_rowtype_tupdesc(RECORDOID, typmod);

			set_row_desc(t, desc);
			ReleaseTupleDesc(desc);
			t->tupdesc_id = 0;
		}
	}
	return t->tupdesc;
}

/*
 * The columns of tuple as a dict; generated columns only if asked (a BEFORE
 * trigger's new row has not computed them yet).  t->atts must match desc.
 */
static PyObject *
tuple_to_dict(PLSType *t, HeapTuple tuple, TupleDesc desc,
			  bool include_generated)
{
	PyObject   *volatile dict;
	Datum		values_buf[32];
	bool		nulls_buf[32];
	Datum	   *values = values_buf;
	bool	   *nulls = nulls_buf;
	bool		ok = true;

	dict = PyDict_New();
	if (dict == NULL)
		return NULL;

	PG_TRY();
	{
		int			i;

		/* one pass over the tuple, not one per column */
		if (desc->natts > lengthof(values_buf))
		{
			values = palloc(sizeof(Datum) * desc->natts);
			nulls = palloc(sizeof(bool) * desc->natts);
		}
		heap_deform_tuple(tuple, desc, values, nulls);

		for (i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute attr = TupleDescAttr(desc, i);
			PLSType    *att = &t->atts[i];
			const char *name;
			PyObject   *key;
			PyObject   *value;

			if (attr->attisdropped)
				continue;
			if (attr->attgenerated && !include_generated)
				continue;

			if (nulls[i])
			{
				value = Py_None;
				Py_INCREF(value);
			}
			else if ((value = att->to_py(att, values[i])) == NULL)
			{
				ok = false;
				break;
			}

			name = NameStr(attr->attname);
			key = str_from_server(name, strlen(name));
			if (key == NULL || PyDict_SetItem(dict, key, value) < 0)
			{
				Py_XDECREF(key);
				Py_DECREF(value);
				ok = false;
				break;
			}
			Py_DECREF(key);
			Py_DECREF(value);
		}
		if (values != values_buf)
		{
			pfree(values);
			pfree(nulls);
		}
	}
	PG_CATCH();
	{
		Py_DECREF(dict);
		PG_RE_THROW();
	}
	PG_END_TRY();

	if (!ok)
	{
		Py_DECREF(dict);
		return NULL;
	}
	return dict;
}

static PyObject *
composite_to_py(PLSType *t, Datum d)
{
	HeapTupleHeader td = DatumGetHeapTupleHeader(d);
	HeapTupleData tmptup;
	TupleDesc	desc;
	PyObject   *res;

	desc = row_desc(t, HeapTupleHeaderGetTypeId(td),
					HeapTupleHeaderGetTypMod(td));
	tmptup.t_len = HeapTupleHeaderGetDatumLength(td);
	ItemPointerSetInvalid(&tmptup.t_self);
	tmptup.t_tableOid = InvalidOid;
	tmptup.t_data = td;

	res = tuple_to_dict(t, &tmptup, desc, true);
	if ((Pointer) td != DatumGetPointer(d))
		pfree(td);
	return res;
}

/* ---------- Python -> Datum ---------- */

static Datum composite_convert(PLSType *t, PyObject *o, bool *isnull,
							   bool inarray);
static Datum composite_from_py(PLSType *t, PyObject *o, bool *isnull);

/* Any other scalar: its text form through the type's input function. */
static Datum
generic_from_py(PLSType *t, PyObject *o, bool *isnull)
{
	char	   *str;
	Datum		res;

	if (o == Py_None)
	{
		*isnull = true;
		return (Datum) 0;
	}
	*isnull = false;
	str = object_to_cstring(o, NULL);
	res = InputFunctionCall(&t->typinput, str, t->typioparam, t->typmod);
	pfree(str);
	return res;
}

/*
 * Python's truth value: the bool input function would not accept most of
 * what Python considers true or false.
 */
static Datum
bool_from_py(PLSType *t, PyObject *o, bool *isnull)
{
	int			r;

	if (o == Py_None)
	{
		*isnull = true;
		return (Datum) 0;
	}
	*isnull = false;
	r = PyObject_IsTrue(o);
	if (r < 0)
		conversion_error("could not determine the truth value of Python object");
	return BoolGetDatum(r != 0);
}

/* bytes(o), copied as is: embedded zero bytes survive. */
static Datum
bytea_from_py(PLSType *t, PyObject *o, bool *isnull)
{
	PyObject   *volatile b;
	bytea	   *volatile res = NULL;

	if (o == Py_None)
	{
		*isnull = true;
		return (Datum) 0;
	}
	*isnull = false;

	if (PyBytes_CheckExact(o))
	{
		Py_ssize_t	len = PyBytes_GET_SIZE(o);

		res = palloc(len + VARHDRSZ);
		SET_VARSIZE(res, len + VARHDRSZ);
		memcpy(VARDATA(res), PyBytes_AS_STRING(o), len);
		return PointerGetDatum(res);
	}

	b = PyObject_Bytes(o);
	if (b == NULL)
		conversion_error("could not create bytes representation of Python object");
	PG_TRY();
	{
		Py_ssize_t	len = PyBytes_GET_SIZE(b);

		res = palloc(len + VARHDRSZ);
		SET_VARSIZE(res, len + VARHDRSZ);
		memcpy(VARDATA(res), PyBytes_AS_STRING(b), len);
	}
	PG_FINALLY();
	{
		Py_DECREF(b);
	}
	PG_END_TRY();
	return PointerGetDatum(res);
}

/*
 * Integers: a Python int in range is taken directly; anything else (bool,
 * float, str, out of range) goes through the input function, which gives
 * PL/Python's results and messages.
 */
static Datum
int2_from_py(PLSType *t, PyObject *o, bool *isnull)
{
	if (PyLong_CheckExact(o))
	{
		int			overflow;
		long		v = PyLong_AsLongAndOverflow(o, &overflow);

		if (!overflow && v >= PG_INT16_MIN && v <= PG_INT16_MAX)
		{
			*isnull = false;
			return Int16GetDatum((int16) v);
		}
		PyErr_Clear();
	}
	return generic_from_py(t, o, isnull);
}

static Datum
int4_from_py(PLSType *t, PyObject *o, bool *isnull)
{
	if (PyLong_CheckExact(o))
	{
		int			overflow;
		long		v = PyLong_AsLongAndOverflow(o, &overflow);

		if (!overflow && v >= PG_INT32_MIN && v <= PG_INT32_MAX)
		{
			*isnull = false;
			return Int32GetDatum((int32) v);
		}
		PyErr_Clear();
	}
	return generic_from_py(t, o, isnull);
}

static Datum
int8_from_py(PLSType *t, PyObject *o, bool *isnull)
{
	if (PyLong_CheckExact(o))
	{
		int			overflow;
		long long	v = PyLong_AsLongLongAndOverflow(o, &overflow);

		if (!overflow && !(v == -1 && PyErr_Occurred()))
		{
			*isnull = false;
			return Int64GetDatum((int64) v);
		}
		PyErr_Clear();
	}
	return generic_from_py(t, o, isnull);
}

/*
 * float8: repr() of a float reads back as the same double, and an int64
 * converts with the same (round to nearest) result as strtod of its digits.
 */
static Datum
float8_from_py(PLSType *t, PyObject *o, bool *isnull)
{
	if (PyFloat_CheckExact(o))
	{
		*isnull = false;
		return Float8GetDatum(PyFloat_AS_DOUBLE(o));
	}
	if (PyLong_CheckExact(o))
	{
		int			overflow;
		long long	v = PyLong_AsLongLongAndOverflow(o, &overflow);

		if (!overflow && !(v == -1 && PyErr_Occurred()))
		{
			*isnull = false;
			return Float8GetDatum((double) v);
		}
		PyErr_Clear();
	}
	return generic_from_py(t, o, isnull);
}

/*
 * text (and unconstrained varchar): a str is copied without textin, cut at
 * its first zero character as PL/Python does.
 */
static Datum
text_from_py(PLSType *t, PyObject *o, bool *isnull)
{
	if (PyUnicode_CheckExact(o))
	{
		const char *utf8;
		Py_ssize_t	len;

		if (server_is_utf8() &&
			(utf8 = PyUnicode_AsUTF8AndSize(o, &len)) != NULL)
		{
			*isnull = false;
			return PointerGetDatum(cstring_to_text_with_len(utf8,
															(int) strnlen(utf8, len)));
		}
		PyErr_Clear();
	}
	return generic_from_py(t, o, isnull);
}

static Datum
domain_from_py(PLSType *t, PyObject *o, bool *isnull)
{
	Datum		res = t->base->from_py(t->base, o, isnull);

	domain_check(res, *isnull, t->typoid, &t->domain_info, t->mcxt);
	return res;
}

/* An array element: composites learn they are inside an array (hints). */
static Datum
element_from_py(PLSType *elm, PyObject *o, bool *isnull)
{
	if (elm->typtype == TYPTYPE_DOMAIN)
	{
		Datum		res = element_from_py(elm->base, o, isnull);

		domain_check(res, *isnull, elm->typoid, &elm->domain_info, elm->mcxt);
		return res;
	}
	if (elm->from_py == composite_from_py)
		return composite_convert(elm, o, isnull, true);
	return elm->from_py(elm, o, isnull);
}

/* State of one Python sequence -> array conversion. */
typedef struct ArrayBuild
{
	PLSType    *elm;
	Datum	   *values;
	bool	   *nulls;
	int			nelems;
	int			capacity;
	bool		have_scalars;	/* number of dimensions is frozen */
	int			ndims;
	int			dims[MAXDIM];
	PyObject   *held[MAXDIM + 1];	/* items being converted, per depth */
} ArrayBuild;

static void
multidim_error(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("multidimensional arrays must have array expressions with matching dimensions")));
}

/*
 * PL/Python's PLySequence_ToArray_recurse: walk nested lists depth first;
 * the first list at a depth fixes that dimension's length, the first
 * scalar fixes the number of dimensions.  Only real lists nest: any other
 * sequence (tuple, str) below the top level is an element.
 */
static void
array_collect(ArrayBuild *b, PyObject *obj, Py_ssize_t len, int depth)
{
	Py_ssize_t	i;

	check_stack_depth();
	if (len < 0)
		conversion_error("could not determine sequence length for function return value");

	for (i = 0; i < len; i++)
	{
		PyObject   *sub = PySequence_GetItem(obj, i);

		if (sub == NULL)
			conversion_error("could not get an item of the Python sequence");
		b->held[depth] = sub;

		if (PyList_Check(sub))
		{
			Py_ssize_t	sublen = PySequence_Length(sub);

			if (i == 0 && b->ndims == depth)
			{
				if (b->have_scalars)
					multidim_error();
				if (depth >= MAXDIM)
					ereport(ERROR,
							(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
							 errmsg("number of array dimensions exceeds the maximum allowed (%d)",
									MAXDIM)));
				b->dims[b->ndims] = (int) sublen;
				b->ndims++;
			}
			else if (depth >= b->ndims || sublen != b->dims[depth])
				multidim_error();
			array_collect(b, sub, sublen, depth + 1);
		}
		else
		{
			if (b->ndims != depth)
				multidim_error();
			CHECK_FOR_INTERRUPTS();
			if (b->nelems >= b->capacity)
			{
				if (b->capacity >= (int) (MaxAllocSize / sizeof(Datum) / 2))
					ereport(ERROR,
							(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
							 errmsg("array size exceeds the maximum allowed (%d)",
									(int) MaxArraySize)));
				b->capacity *= 2;
				b->values = repalloc(b->values, sizeof(Datum) * b->capacity);
				b->nulls = repalloc(b->nulls, sizeof(bool) * b->capacity);
			}
			b->values[b->nelems] = element_from_py(b->elm, sub,
												   &b->nulls[b->nelems]);
			b->nelems++;
			b->have_scalars = true;
		}

		b->held[depth] = NULL;
		Py_DECREF(sub);
	}
}

/*
 * Most items the flat output path takes: beyond, the generic path reports
 * the array as too large (its Datum array cannot double any more).
 */
#define FLAT_MAX_ITEMS ((Py_ssize_t) 1 << 26)

/*
 * One list item into the array data at dst, if it is a value the flat
 * output path takes: exactly what the element type's from_py makes of it,
 * found without running any Python code.
 */
static inline bool
flat_item_from_py(Oid flattype, PyObject *o, char *dst)
{
	int			overflow;
	long		v;
	long long	ll;

	switch (flattype)
	{
		case BOOLOID:
			if (o != Py_True && o != Py_False)
				return false;
			*(bool *) dst = (o == Py_True);
			return true;
		case INT2OID:
		case INT4OID:
			if (!PyLong_CheckExact(o))
				return false;
			v = PyLong_AsLongAndOverflow(o, &overflow);
			if (overflow || (v == -1 && PyErr_Occurred()))
				break;
			if (flattype == INT2OID)
			{
				if (v < PG_INT16_MIN || v > PG_INT16_MAX)
					return false;
				*(int16 *) dst = (int16) v;
			}
			else
			{
				if (v < PG_INT32_MIN || v > PG_INT32_MAX)
					return false;
				*(int32 *) dst = (int32) v;
			}
			return true;
		case INT8OID:
		case FLOAT8OID:
			if (flattype == FLOAT8OID && PyFloat_CheckExact(o))
			{
				*(float8 *) dst = PyFloat_AS_DOUBLE(o);
				return true;
			}
			if (!PyLong_CheckExact(o))
				return false;
			ll = PyLong_AsLongLongAndOverflow(o, &overflow);
			if (overflow || (ll == -1 && PyErr_Occurred()))
				break;
			if (flattype == INT8OID)
				*(int64 *) dst = (int64) ll;
			else
				*(float8 *) dst = (float8) ll;
			return true;
		default:
			return false;
	}
	PyErr_Clear();
	return false;
}

/*
 * Python -> array for a list of plain ints (floats too for float8, True and
 * False for bool) into an array of bool, int2, int4, int8 or float8: the
 * values go straight into a new 1-D array, with no Datum array, no call per
 * item and no second pass in construct_md_array.  Returns false, having
 * kept nothing, at the first item it does not take (None, a nested list,
 * another type, a value out of range): the generic path then converts the
 * whole list again, with its results and errors.  No Python code runs
 * here, so the list cannot change while it is read.  Element domains are
 * left to the generic path (each value needs its check); oid and float4
 * too, whose Python values go through their input functions.
 */
static bool
flat_array_from_list(PLSType *t, PyObject *list, Datum *result)
{
	PLSType    *elm = t->elem;
	Py_ssize_t	n = PyList_GET_SIZE(list);
	Oid			flattype = elm->typoid;
	ArrayType  *array;
	char	   *dst;
	Size		nbytes;
	Py_ssize_t	i;

	if (flattype != BOOLOID && flattype != INT2OID && flattype != INT4OID &&
		flattype != INT8OID && flattype != FLOAT8OID)
		return false;
	/* the generic path's: the empty array, and the size error */
	if (n == 0 || n > FLAT_MAX_ITEMS)
		return false;

	Assert(elm->typbyval && elm->typlen > 0 && elm->typlen == t->elmlen);
	nbytes = ARR_OVERHEAD_NONULLS(1) + (Size) n * elm->typlen;
	array = (ArrayType *) palloc0(nbytes);
	SET_VARSIZE(array, nbytes);
	array->ndim = 1;
	array->dataoffset = 0;
	array->elemtype = flattype;
	ARR_DIMS(array)[0] = (int) n;
	ARR_LBOUND(array)[0] = 1;

	dst = ARR_DATA_PTR(array);
	for (i = 0; i < n; i++, dst += elm->typlen)
	{
		if (i % FLAT_INTERRUPT_STRIDE == 0)
			CHECK_FOR_INTERRUPTS();
		if (!flat_item_from_py(flattype, PyList_GET_ITEM(list, i), dst))
		{
			pfree(array);
			return false;
		}
	}

	*result = PointerGetDatum(array);
	return true;
}

static Datum
array_from_py(PLSType *t, PyObject *o, bool *isnull)
{
	ArrayBuild	b;
	PLSType    *elm = t->elem;
	Oid			elmbasetype;
	int			lbs[MAXDIM];
	int			i;

	if (o == Py_None)
	{
		*isnull = true;
		return (Datum) 0;
	}
	*isnull = false;

	if (!PySequence_Check(o))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("return value of function with array return type is not a Python sequence")));

	if (PyList_CheckExact(o))
	{
		Datum		res;

		if (flat_array_from_list(t, o, &res))
			return res;
	}

	memset(&b, 0, sizeof(b));
	b.elm = elm;
	b.ndims = 1;
	b.capacity = 16;
	b.values = palloc(sizeof(Datum) * b.capacity);
	b.nulls = palloc(sizeof(bool) * b.capacity);

	PG_TRY();
	{
		Py_ssize_t	len = PySequence_Length(o);

		b.dims[0] = (int) len;
		array_collect(&b, o, len, 1);
	}
	PG_CATCH();
	{
		for (i = 0; i <= MAXDIM; i++)
			Py_XDECREF(b.held[i]);
		PG_RE_THROW();
	}
	PG_END_TRY();

	elmbasetype = elm->typtype == TYPTYPE_DOMAIN ? elm->base->typoid : elm->typoid;
	if (!b.have_scalars)
		return PointerGetDatum(construct_empty_array(elmbasetype));

	if (ArrayGetNItems(b.ndims, b.dims) != b.nelems)
		multidim_error();
	for (i = 0; i < b.ndims; i++)
		lbs[i] = 1;
	return PointerGetDatum(construct_md_array(b.values, b.nulls, b.ndims,
											  b.dims, lbs, elmbasetype,
											  t->elmlen, t->elmbyval,
											  t->elmalign));
}

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

/*
 * Fill values/nulls for desc from a sequence, a mapping or an object's
 * attributes, in PL/Python's order of preference.
 */
static void
py_to_values(PLSType *t, TupleDesc desc, PyObject *o, bool inarray,
			 Datum *values, bool *nulls)
{
	PyObject   *volatile held = NULL;
	int			natts = desc->natts;
	int			kind;

	if (PySequence_Check(o))
	{
		int			ncols = 0;
		Py_ssize_t	len;

		for (int i = 0; i < natts; i++)
			if (!TupleDescAttr(desc, i)->attisdropped)
				ncols++;
		len = PySequence_Length(o);
		if (len < 0)
			clear_python_error();
		if (len != ncols)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("length of returned sequence did not match number of columns in row")));
		kind = 0;
	}
	else if (PyMapping_Check(o))
		kind = 1;
	else
		kind = 2;

	mark_rowtype_busy(t);
	PG_TRY();
	{
		int			idx = 0;

		for (int i = 0; i < natts; i++)
		{
			Form_pg_attribute attr = TupleDescAttr(desc, i);
			PLSType    *att = &t->atts[i];
			char	   *key = NameStr(attr->attname);
			PyObject   *value;

			if (attr->attisdropped)
			{
				values[i] = (Datum) 0;
				nulls[i] = true;
				continue;
			}

			if (kind == 0)
			{
				value = PySequence_GetItem(o, idx);
				if (value == NULL)
					conversion_error(psprintf("could not get element %d from sequence", idx));
				idx++;
			}
			else if (kind == 1)
			{
				value = PyMapping_GetItemString(o, key);
				if (value == NULL)
				{
					clear_python_error();
					ereport(ERROR,
							(errcode(ERRCODE_UNDEFINED_COLUMN),
							 errmsg("key \"%s\" not found in mapping", key),
							 errhint("To return null in a column, "
									 "add the value None to the mapping with the key named after the column.")));
				}
			}
			else
			{
				value = object_attribute(o, key);
				if (value == NULL)
				{
					clear_python_error();
					ereport(ERROR,
							(errcode(ERRCODE_UNDEFINED_COLUMN),
							 errmsg("attribute \"%s\" does not exist in Python object", key),
							 inarray ?
							 errhint("To return a composite type in an array, return the composite type as a Python tuple, e.g., \"[('foo',)]\".") :
							 errhint("To return null in a column, let the returned object have an attribute named after column with value None.")));
				}
			}
			held = value;
			values[i] = att->from_py(att, value, &nulls[i]);
			held = NULL;
			Py_DECREF(value);
		}
	}
	PG_CATCH();
	{
		unmark_rowtype_busy(t);
		Py_XDECREF(held);
		PG_RE_THROW();
	}
	PG_END_TRY();
	unmark_rowtype_busy(t);
}

/* The row type to build a composite of t into (RECORD: given per call). */
static TupleDesc
output_row_desc(PLSType *t)
{
	if (t->typoid == RECORDOID)
	{
		if (t->tupdesc == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("function returning record called in context "
							"that cannot accept type record")));
		return t->tupdesc;
	}
	return row_desc(t, t->typoid, t->typmod);
}

/* A str is a row literal, read by record_in (PL/Python's rule). */
static Datum
string_to_composite(PLSType *t, PyObject *o, bool inarray)
{
	char	   *str = object_to_cstring(o, NULL);
	int32		typmod = t->typmod;
	Datum		res;

	/*
	 * In an array, a str that is no row literal most likely comes from
	 * code written for PostgreSQL < 10, where [['a', 'b']] was a 1-D array
	 * of rows; say so.
	 */
	if (inarray)
	{
		char	   *p = str;

		while (*p && isspace((unsigned char) *p))
			p++;
		if (*p != '(')
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("malformed record literal: \"%s\"", str),
					 errdetail("Missing left parenthesis."),
					 errhint("To return a composite type in an array, return the composite type as a Python tuple, e.g., \"[('foo',)]\".")));
	}
	if (t->typoid == RECORDOID && t->tupdesc != NULL)
		typmod = t->tupdesc->tdtypmod;
	res = InputFunctionCall(&t->typinput, str, t->typoid, typmod);
	pfree(str);
	return res;
}

static Datum
composite_convert(PLSType *t, PyObject *o, bool *isnull, bool inarray)
{
	TupleDesc	desc;
	Datum	   *values;
	bool	   *nulls;
	HeapTuple	tuple;
	Datum		res;

	if (o == Py_None)
	{
		*isnull = true;
		return (Datum) 0;
	}
	*isnull = false;

	if (PyUnicode_Check(o))
		return string_to_composite(t, o, inarray);

	check_stack_depth();
	desc = output_row_desc(t);
	values = palloc(sizeof(Datum) * Max(desc->natts, 1));
	nulls = palloc(sizeof(bool) * Max(desc->natts, 1));
	py_to_values(t, desc, o, inarray, values, nulls);
	tuple = heap_form_tuple(desc, values, nulls);
	res = heap_copy_tuple_as_datum(tuple, desc);
	heap_freetuple(tuple);
	pfree(values);
	pfree(nulls);
	return res;
}

static Datum
composite_from_py(PLSType *t, PyObject *o, bool *isnull)
{
	return composite_convert(t, o, isnull, false);
}

/* ---------- set-up ---------- */

/*
 * Per-column conversions for desc, reusing the entries whose column type is
 * unchanged.  Dropped columns get no conversion.  Returns true if anything
 * changed.
 */
static bool
setup_atts(PLSType *t, TupleDesc desc)
{
	int			i;
	bool		changed = false;

	if (t->natts != desc->natts || t->atts == NULL)
	{
		check_rowtype_not_busy(t);
		t->atts = MemoryContextAllocZero(t->mcxt,
										 sizeof(PLSType) * Max(desc->natts, 1));
		t->natts = desc->natts;
		changed = true;
	}
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, i);
		PLSType    *att = &t->atts[i];

		if (attr->attisdropped)
		{
			if (att->to_py != NULL)
			{
				check_rowtype_not_busy(t);
				changed = true;
			}
			att->typoid = InvalidOid;
			att->to_py = NULL;
			att->from_py = NULL;
			continue;
		}
		if (att->to_py != NULL && att->typoid == attr->atttypid &&
			att->typmod == attr->atttypmod)
			continue;
		check_rowtype_not_busy(t);
		pls_type_init(att, attr->atttypid, attr->atttypmod, t->mcxt);
		changed = true;
	}
	return changed;
}

/* Make (a copy of) desc t's row type, with its column conversions. */
static void
set_row_desc(PLSType *t, TupleDesc desc)
{
	MemoryContext old;
	TupleDesc	copy;

	check_rowtype_not_busy(t);
	old = MemoryContextSwitchTo(t->mcxt);
	copy = CreateTupleDescCopy(desc);
	MemoryContextSwitchTo(old);
	setup_atts(t, copy);
	if (t->tupdesc)
		FreeTupleDesc(t->tupdesc);
	t->tupdesc = copy;
}

/* Same column names and types, in the same places. */
static bool
same_row_shape(TupleDesc a, TupleDesc b)
{
	if (a->natts != b->natts)
		return false;
	for (int i = 0; i < a->natts; i++)
	{
		Form_pg_attribute x = TupleDescAttr(a, i);
		Form_pg_attribute y = TupleDescAttr(b, i);

		if (x->atttypid != y->atttypid || x->atttypmod != y->atttypmod ||
			x->attisdropped != y->attisdropped ||
			strcmp(NameStr(x->attname), NameStr(y->attname)) != 0)
			return false;
	}
	return true;
}

void
pls_type_set_tupdesc(PLSType *t, TupleDesc desc)
{
	/* called per call with the same row type: make that cheap */
	if (t->tupdesc != NULL && t->tupdesc->tdtypeid == desc->tdtypeid &&
		((desc->tdtypmod >= 0 && desc->tdtypmod == t->tupdesc->tdtypmod) ||
		 same_row_shape(t->tupdesc, desc)))
		return;

	set_row_desc(t, desc);

	/*
	 * A row built from it must carry a registered type: bless the copy (the
	 * registry keeps its own copy, so ours may go away later).
	 */
	if (t->tupdesc->tdtypeid == RECORDOID)
		BlessTupleDesc(t->tupdesc);
	t->tupdesc_id = 0;
}

void
pls_type_init(PLSType *t, Oid typoid, int32 typmod, MemoryContext mcxt)
{
	TypeCacheEntry *tc;

	check_stack_depth();

	memset(t, 0, sizeof(PLSType));
	t->typoid = typoid;
	t->typmod = typmod;
	t->mcxt = mcxt;

	if (typoid == RECORDOID)
	{
		/* the row type comes with each value, or per call for results */
		t->typlen = -1;
		t->typbyval = false;
		t->typalign = TYPALIGN_DOUBLE;
		t->typtype = TYPTYPE_PSEUDO;
		t->typioparam = RECORDOID;
		fmgr_info_cxt(F_RECORD_IN, &t->typinput, mcxt);
		t->to_py = composite_to_py;
		t->from_py = composite_from_py;
		return;
	}

	tc = lookup_type_cache(typoid, TYPECACHE_DOMAIN_BASE_INFO);
	t->typlen = tc->typlen;
	t->typbyval = tc->typbyval;
	t->typalign = tc->typalign;
	t->typtype = tc->typtype;

	if (tc->typtype == TYPTYPE_DOMAIN)
	{
		/* every level of a domain nest is checked by domain_check */
		t->base = MemoryContextAllocZero(mcxt, sizeof(PLSType));
		pls_type_init(t->base, tc->domainBaseType, tc->domainBaseTypmod, mcxt);
		t->to_py = domain_to_py;
		t->from_py = domain_from_py;
		return;
	}

	if (IsTrueArrayType(tc))
	{
		t->elem = MemoryContextAllocZero(mcxt, sizeof(PLSType));
		pls_type_init(t->elem, tc->typelem, typmod, mcxt);
		get_typlenbyvalalign(tc->typelem, &t->elmlen, &t->elmbyval,
							 &t->elmalign);
		t->to_py = OidIsValid(flat_element_type(t->elem)) ?
			flat_array_to_py : array_to_py;
		t->from_py = array_from_py;
		return;
	}

	if (tc->typtype == TYPTYPE_COMPOSITE)
	{
		t->typioparam = typoid;
		fmgr_info_cxt(F_RECORD_IN, &t->typinput, mcxt);
		t->to_py = composite_to_py;
		t->from_py = composite_from_py;
		return;
	}

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
	t->from_py = generic_from_py;

	switch (typoid)
	{
		case BOOLOID:
			t->to_py = bool_to_py;
			t->from_py = bool_from_py;
			break;
		case INT2OID:
			t->to_py = int2_to_py;
			t->from_py = int2_from_py;
			break;
		case INT4OID:
			t->to_py = int4_to_py;
			t->from_py = int4_from_py;
			break;
		case INT8OID:
			t->to_py = int8_to_py;
			t->from_py = int8_from_py;
			break;
		case OIDOID:
			t->to_py = oid_to_py;
			break;
		case FLOAT4OID:
			t->to_py = float4_to_py;
			break;
		case FLOAT8OID:
			t->to_py = float8_to_py;
			t->from_py = float8_from_py;
			break;
		case NUMERICOID:
			t->to_py = numeric_to_py;
			break;
		case BYTEAOID:
			t->to_py = bytea_to_py;
			t->from_py = bytea_from_py;
			break;
		case TEXTOID:
			t->to_py = text_to_py;
			t->from_py = text_from_py;
			break;
		case VARCHAROID:
			t->to_py = text_to_py;
			/* a length limit needs varcharin */
			if (typmod < 0)
				t->from_py = text_from_py;
			break;
		case BPCHAROID:
			t->to_py = text_to_py;
			break;
		case NAMEOID:
			t->to_py = name_to_py;
			break;
		default:
			break;
	}
}

/* ---------- entry points ---------- */

PyObject *
pls_to_py(PLSType *t, Datum d, bool isnull)
{
	if (isnull)
		Py_RETURN_NONE;
	return t->to_py(t, d);
}

Datum
pls_from_py(PLSType *t, PyObject *o, bool *isnull)
{
	return t->from_py(t, o, isnull);
}

PyObject *
pls_tuple_to_dict(PLSType *rowtype, HeapTuple tuple, TupleDesc desc)
{
	/* a cached row type the columns no longer match is dropped */
	if (setup_atts(rowtype, desc) && rowtype->tupdesc != NULL)
	{
		FreeTupleDesc(rowtype->tupdesc);
		rowtype->tupdesc = NULL;
		rowtype->tupdesc_id = 0;
	}
	return tuple_to_dict(rowtype, tuple, desc, true);
}
