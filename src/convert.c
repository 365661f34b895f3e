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
			key = pls_str_from_server(name, strlen(name));
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

/* ---------- set-up ---------- */

/* Does every column of desc have its conversion in t->atts already? */
static bool
atts_match(PLSType *t, TupleDesc desc)
{
	if (t->atts == NULL || t->natts != desc->natts)
		return false;
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, i);
		PLSType    *att = &t->atts[i];

		if (attr->attisdropped ? att->to_py != NULL :
			(att->to_py == NULL || att->typoid != attr->atttypid ||
			 att->typmod != attr->atttypmod ||
			 strcmp(t->shape_data.attnames[i], NameStr(attr->attname)) != 0))
			return false;
	}
	return true;
}

/*
 * Per-column conversions for desc, with the row's shape.  They live in
 * their own context, rebuilt as a whole when the columns change, so that a
 * row type that keeps changing (a RECORD function called with alternating
 * column lists) does not grow memory.  Dropped columns get no conversion.
 * Returns true if anything changed.
 */
static bool
setup_atts(PLSType *t, TupleDesc desc)
{
	const PLSShape **shapes;
	const char **names;
	int			natts = desc->natts;

	if (atts_match(t, desc))
		return false;
	pls_shape_check_not_busy(&t->shape_data);

	if (t->attcxt)
		MemoryContextDelete(t->attcxt);
	t->atts = NULL;
	t->natts = 0;
	t->shape_data.rowknown = false;
	t->attcxt = AllocSetContextCreate(t->mcxt, "plsafepy row columns",
									  ALLOCSET_SMALL_SIZES);
	t->atts = MemoryContextAllocZero(t->attcxt, sizeof(PLSType) * Max(natts, 1));
	shapes = MemoryContextAllocZero(t->attcxt, sizeof(PLSShape *) * Max(natts, 1));
	names = MemoryContextAllocZero(t->attcxt, sizeof(char *) * Max(natts, 1));
	for (int i = 0; i < natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, i);

		names[i] = MemoryContextStrdup(t->attcxt, NameStr(attr->attname));
		if (attr->attisdropped)
			continue;
		pls_type_init(&t->atts[i], attr->atttypid, attr->atttypmod, t->attcxt);
		shapes[i] = t->atts[i].shape;
	}
	t->natts = natts;
	t->shape_data.natts = natts;
	t->shape_data.atts = shapes;
	t->shape_data.attnames = names;
	t->shape_data.rowknown = true;
	return true;
}

/* Make (a copy of) desc t's row type, with its column conversions. */
static void
set_row_desc(PLSType *t, TupleDesc desc)
{
	MemoryContext old;
	TupleDesc	copy;

	pls_shape_check_not_busy(&t->shape_data);
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

bool
pls_type_has_row(PLSType *t)
{
	while (t->base || t->elem)
		t = t->base ? t->base : t->elem;
	return t->shape_data.kind == PLS_S_ROW;
}

void
pls_type_resolve(PLSType *t)
{
	check_stack_depth();
	while (t->base || t->elem)
		t = t->base ? t->base : t->elem;
	if (t->shape_data.kind != PLS_S_ROW)
		return;
	if (t->typoid != RECORDOID)
		(void) row_desc(t, t->typoid, t->typmod);
	else if (t->tupdesc == NULL)
		return;					/* encoding says the row type is unknown */
	for (int i = 0; i < t->natts; i++)
		if (t->atts[i].to_py != NULL && pls_type_has_row(&t->atts[i]))
			pls_type_resolve(&t->atts[i]);
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
	t->shape = &t->shape_data;
	t->shape_data.kind = PLS_S_TEXTFORM;

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
		t->shape_data.kind = PLS_S_ROW;
		t->decode = pls_decoder_for(t);
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
		t->shape = t->base->shape;
		t->decode = pls_decoder_for(t);
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
		t->shape_data.kind = PLS_S_ARRAY;
		t->shape_data.elem = t->elem->shape;
		t->decode = pls_decoder_for(t);
		return;
	}

	if (tc->typtype == TYPTYPE_COMPOSITE)
	{
		t->typioparam = typoid;
		fmgr_info_cxt(F_RECORD_IN, &t->typinput, mcxt);
		t->to_py = composite_to_py;
		t->shape_data.kind = PLS_S_ROW;
		t->decode = pls_decoder_for(t);
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

	switch (typoid)
	{
		case BOOLOID:
			t->to_py = bool_to_py;
			t->shape_data.kind = PLS_S_BOOL;
			break;
		case INT2OID:
			t->to_py = int2_to_py;
			t->shape_data.kind = PLS_S_INT2;
			break;
		case INT4OID:
			t->to_py = int4_to_py;
			t->shape_data.kind = PLS_S_INT4;
			break;
		case INT8OID:
			t->to_py = int8_to_py;
			t->shape_data.kind = PLS_S_INT8;
			break;
		case OIDOID:
			t->to_py = oid_to_py;
			break;
		case FLOAT4OID:
			t->to_py = float4_to_py;
			break;
		case FLOAT8OID:
			t->to_py = float8_to_py;
			t->shape_data.kind = PLS_S_FLOAT8;
			break;
		case NUMERICOID:
			t->to_py = numeric_to_py;
			break;
		case BYTEAOID:
			t->to_py = bytea_to_py;
			t->shape_data.kind = PLS_S_BYTEA;
			break;
		case TEXTOID:
			t->to_py = text_to_py;
			t->shape_data.kind = PLS_S_TEXT;
			break;
		case VARCHAROID:
			t->to_py = text_to_py;
			/* a length limit needs varcharin */
			if (typmod < 0)
				t->shape_data.kind = PLS_S_TEXT;
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
	t->decode = pls_decoder_for(t);
}

/* ---------- entry points ---------- */

PyObject *
pls_to_py(PLSType *t, Datum d, bool isnull)
{
	if (isnull)
		Py_RETURN_NONE;
	return t->to_py(t, d);
}

/*
 * Both halves in one process: function results and trigger rows.  The
 * encoder holds nothing for a plain value (the caller holds o), so the
 * common case needs no PG_TRY.
 */
Datum
pls_from_py(PLSType *t, PyObject *o, bool *isnull)
{
	PLSEncoder	e;
	PLSValue	v;
	Datum		d;

	if (t->shape->kind == PLS_S_ROW || t->shape->kind == PLS_S_ARRAY)
		pls_type_resolve(t);
	pls_encoder_init(&e);
	e.root = o;
	if (!pls_encode(&e, t->shape, o, &v))
		pls_encoder_report(&e);
	if (e.chunks == NULL && e.held == NULL)
		return pls_decode(t, &v, isnull);
	PG_TRY();
	{
		d = pls_decode(t, &v, isnull);
	}
	PG_FINALLY();
	{
		pls_encoder_free(&e);
	}
	PG_END_TRY();
	return d;
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
