/*-------------------------------------------------------------------------
 *
 * convert_array.c
 *	  Arrays, Datum -> Python: nested lists, one per dimension.  Arrays of
 *	  bool, int2/int4/int8, oid and float4/float8 without nulls are read as
 *	  C arrays, with the results of the general path.
 *
 *-------------------------------------------------------------------------
 */
#include "convert_int.h"

/*
 * Element types whose arrays are read as C arrays when they have no null
 * bitmap: fixed length, passed by value, and aligned to their own length,
 * so the elements follow each other with no padding.  A domain over one
 * reads as its base type.  Returns the type, or InvalidOid.  Such arrays
 * also cross to a worker as they are stored (datum_value.c).
 */
Oid
pls_flat_element_type(PLSType *elm)
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
	Oid			flattype;		/* pls_flat_element_type() of elm if the array
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
 * An array as nested lists; flattype is pls_flat_element_type() of its
 * element type, or InvalidOid to convert every element through its to_py.
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

/* An array of a pls_flat_element_type(): the flat path unless it has nulls. */
static PyObject *
flat_array_to_py(PLSType *t, Datum d)
{
	return array_convert(t, d, pls_flat_element_type(t->elem));
}


/* The Datum -> Python conversion of arrays of elem. */
PLSToPy
pls_array_to_py_for(PLSType *elem)
{
	return OidIsValid(pls_flat_element_type(elem)) ? flat_array_to_py : array_to_py;
}
