/*-------------------------------------------------------------------------
 *
 * datum_value.c
 *	  PostgreSQL side of Datum -> Python for a Python side in another
 *	  process: a Datum becomes a door value (door.h) that value_py.c turns
 *	  into exactly the object to_py gives (convert_scalar.c, convert_array.c,
 *	  convert_row.c): bool, integers and oid as INT64, float4 and float8 as
 *	  FLOAT8, numeric as its text form (PLS_V_NUMERIC: a Decimal), bytea as
 *	  BYTES, every other scalar as the UTF-8 of its text form, a domain as
 *	  its base type, arrays without their lower bounds (arrays of bool,
 *	  integers, oid and floats as they are stored: PLS_V_PACKED), rows with
 *	  their column names and without dropped columns.
 *
 *	  Each type's function is chosen once, next to its to_py (pls_type_init).
 *	  Values are allocated in CurrentMemoryContext and may point into the
 *	  Datum's own memory (or its detoasted copy, which is kept).
 *
 *-------------------------------------------------------------------------
 */
#include "convert_int.h"

void
pls_datum_to_value(PLSType *t, Datum d, bool isnull, PLSValue *out)
{
	if (isnull)
		out->kind = PLS_V_NULL;
	else
		t->to_value(t, d, out);
}

/* ---------- scalars ---------- */

void
pls_bool_to_value(PLSType *t, Datum d, PLSValue *out)
{
	out->kind = PLS_V_BOOL;
	out->u.b = DatumGetBool(d);
}

void
pls_int2_to_value(PLSType *t, Datum d, PLSValue *out)
{
	out->kind = PLS_V_INT64;
	out->u.i = DatumGetInt16(d);
}

void
pls_int4_to_value(PLSType *t, Datum d, PLSValue *out)
{
	out->kind = PLS_V_INT64;
	out->u.i = DatumGetInt32(d);
}

void
pls_int8_to_value(PLSType *t, Datum d, PLSValue *out)
{
	out->kind = PLS_V_INT64;
	out->u.i = DatumGetInt64(d);
}

void
pls_oid_to_value(PLSType *t, Datum d, PLSValue *out)
{
	out->kind = PLS_V_INT64;
	out->u.i = DatumGetObjectId(d);
}

/* widened as PL/Python does: the float4's exact value, not its text */
void
pls_float4_to_value(PLSType *t, Datum d, PLSValue *out)
{
	out->kind = PLS_V_FLOAT8;
	out->u.f = DatumGetFloat4(d);
}

void
pls_float8_to_value(PLSType *t, Datum d, PLSValue *out)
{
	out->kind = PLS_V_FLOAT8;
	out->u.f = DatumGetFloat8(d);
}

/* numeric_out's text (ASCII: NaN, Infinity and -Infinity included) */
void
pls_numeric_to_value(PLSType *t, Datum d, PLSValue *out)
{
	char	   *str = DatumGetCString(DirectFunctionCall1(numeric_out, d));

	out->kind = PLS_V_NUMERIC;
	out->u.str.data = str;
	out->u.str.len = strlen(str);
}

void
pls_bytea_to_value(PLSType *t, Datum d, PLSValue *out)
{
	struct varlena *p = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(d));

	out->kind = PLS_V_BYTES;
	out->u.str.data = VARDATA_ANY(p);
	out->u.str.len = VARSIZE_ANY_EXHDR(p);
}

/* s (len bytes, server encoding) as TEXT */
static void
server_text(const char *s, size_t len, PLSValue *out)
{
	out->kind = PLS_V_TEXT;
	out->u.str.data = pls_server_to_utf8(s, len, &out->u.str.len);
}

/* text, varchar, bpchar: the stored string, as their output functions give */
void
pls_text_to_value(PLSType *t, Datum d, PLSValue *out)
{
	struct varlena *p = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(d));

	server_text(VARDATA_ANY(p), VARSIZE_ANY_EXHDR(p), out);
}

void
pls_name_to_value(PLSType *t, Datum d, PLSValue *out)
{
	const char *s = NameStr(*DatumGetName(d));

	server_text(s, strlen(s), out);
}

/* Every other scalar: its text form, from the type's output function. */
void
pls_generic_to_value(PLSType *t, Datum d, PLSValue *out)
{
	char	   *str = OutputFunctionCall(&t->typoutput, d);

	server_text(str, strlen(str), out);
	if (out->u.str.data != str)
		pfree(str);
}

/* A domain reads as its base type. */
void
pls_domain_to_value(PLSType *t, Datum d, PLSValue *out)
{
	t->base->to_value(t->base, d, out);
}

/* ---------- arrays ---------- */

/* Elements in row-major order, as convert_array.c reads them. */
static void
array_elements(PLSType *t, ArrayType *array, PLSValue *out)
{
	PLSType    *elm = t->elem;
	int			ndim = ARR_NDIM(array);
	char	   *dataptr;
	bits8	   *bitmap;
	int			bitmask = 1;
	size_t		n;
	PLSValue   *elems;

	out->kind = PLS_V_ARRAY;
	out->u.array.ndims = ndim;
	out->u.array.n = 0;
	out->u.array.elems = NULL;
	if (ndim == 0)
		return;
	memcpy(out->u.array.dims, ARR_DIMS(array), sizeof(int) * ndim);
	n = ArrayGetNItems(ndim, ARR_DIMS(array));
	elems = MemoryContextAllocHuge(CurrentMemoryContext,
								   sizeof(PLSValue) * Max(n, 1));
	dataptr = ARR_DATA_PTR(array);
	bitmap = ARR_NULLBITMAP(array);
	for (size_t i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (bitmap && (*bitmap & bitmask) == 0)
			elems[i].kind = PLS_V_NULL;
		else
		{
			elm->to_value(elm, fetch_att(dataptr, elm->typbyval, elm->typlen),
						  &elems[i]);
			dataptr = att_addlength_pointer(dataptr, elm->typlen, dataptr);
			dataptr = (char *) att_align_nominal(dataptr, elm->typalign);
		}
		if (bitmap)
		{
			bitmask <<= 1;
			if (bitmask == 0x100)
			{
				bitmap++;
				bitmask = 1;
			}
		}
	}
	out->u.array.n = n;
	out->u.array.elems = elems;
}

static void
array_to_value(PLSType *t, Datum d, PLSValue *out)
{
	array_elements(t, DatumGetArrayTypeP(d), out);
}

/*
 * An array of a pls_flat_element_type() as it is stored: PACKED, its null
 * bitmap and elements pointing into the array (value_py.c makes of them
 * what convert_array.c does).  One without elements as any other.
 */
static void
flat_array_to_value(PLSType *t, Datum d, PLSValue *out)
{
	ArrayType  *array = DatumGetArrayTypeP(d);
	int			ndim = ARR_NDIM(array);
	int			n = ndim > 0 ? ArrayGetNItems(ndim, ARR_DIMS(array)) : 0;
	uint8		elem;

	if (n == 0)
	{
		array_elements(t, array, out);
		return;
	}
	switch (pls_flat_element_type(t->elem))
	{
		case BOOLOID:
			elem = PLS_P_BOOL;
			break;
		case INT2OID:
			elem = PLS_P_INT2;
			break;
		case INT4OID:
			elem = PLS_P_INT4;
			break;
		case INT8OID:
			elem = PLS_P_INT8;
			break;
		case OIDOID:
			elem = PLS_P_OID;
			break;
		case FLOAT4OID:
			elem = PLS_P_FLOAT4;
			break;
		case FLOAT8OID:
			elem = PLS_P_FLOAT8;
			break;
		default:
			elog(ERROR, "unexpected flat array element type %u",
				 pls_flat_element_type(t->elem));
	}
	out->kind = PLS_V_PACKED;
	out->u.packed.elem = elem;
	out->u.packed.ndims = (uint8) ndim;
	memcpy(out->u.packed.dims, ARR_DIMS(array), sizeof(int) * ndim);
	out->u.packed.n = (uint32) n;
	out->u.packed.nulls = ARR_NULLBITMAP(array);
	out->u.packed.data = ARR_DATA_PTR(array);
}

/* The Datum -> door value conversion of arrays of elem. */
PLSToValue
pls_array_to_value_for(PLSType *elem)
{
	return OidIsValid(pls_flat_element_type(elem)) ? flat_array_to_value :
		array_to_value;
}

/* ---------- rows ---------- */

/*
 * The columns as a row with names, as pls_composite_to_py's dict: dropped
 * columns left out, generated ones in.  The names are copied: an array of
 * records may change t's row type from one element to the next.
 */
void
pls_composite_to_value(PLSType *t, Datum d, PLSValue *out)
{
	HeapTupleHeader td = DatumGetHeapTupleHeader(d);
	HeapTupleData tmptup;
	TupleDesc	desc;
	Datum	   *values;
	bool	   *nulls;
	PLSValue   *atts;
	const char **names;
	int			natts = 0;

	desc = pls_row_desc(t, HeapTupleHeaderGetTypeId(td),
						HeapTupleHeaderGetTypMod(td));
	tmptup.t_len = HeapTupleHeaderGetDatumLength(td);
	ItemPointerSetInvalid(&tmptup.t_self);
	tmptup.t_tableOid = InvalidOid;
	tmptup.t_data = td;

	values = palloc(sizeof(Datum) * Max(desc->natts, 1));
	nulls = palloc(sizeof(bool) * Max(desc->natts, 1));
	heap_deform_tuple(&tmptup, desc, values, nulls);

	atts = palloc(sizeof(PLSValue) * Max(desc->natts, 1));
	names = palloc(sizeof(char *) * Max(desc->natts, 1));
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, i);
		const char *name = NameStr(attr->attname);
		size_t		len;
		const char *utf8;

		if (attr->attisdropped)
			continue;
		pls_datum_to_value(&t->atts[i], values[i], nulls[i], &atts[natts]);
		utf8 = pls_server_to_utf8(name, strlen(name), &len);
		names[natts] = utf8 != name ? utf8 : pnstrdup(name, len);
		natts++;
	}
	pfree(values);
	pfree(nulls);

	out->kind = PLS_V_ROW;
	out->u.row.natts = natts;
	out->u.row.atts = atts;
	out->u.row.names = names;
}
