/*-------------------------------------------------------------------------
 *
 * decode.c
 *	  PostgreSQL side of Python -> Datum: a door value (door.h), encoded by
 *	  encode.c for a type's shape, becomes a Datum of that type: directly
 *	  for bool, integers, float8, text and bytea, through the type's input
 *	  function for a text form, with domain_check for domains, and built
 *	  with construct_md_array / heap_form_tuple for arrays and rows.
 *
 *	  Values are input: one that does not fit its type (a kind the shape
 *	  never produces, a row of another width) is an error, never trusted.
 *	  Runs inside a door request or, for function results, after the
 *	  Python code has returned; ereports on a value that does not convert.
 *
 *-------------------------------------------------------------------------
 */
#include "convert_int.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

static void
pg_attribute_noreturn()
malformed(PLSType *t)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROTOCOL_VIOLATION),
			 errmsg("malformed value for type %s", format_type_be(t->typoid))));
}

/*
 * A TEXT value's string, NUL-terminated, in the server encoding.  Its
 * bytes are valid UTF-8 without NUL already: the wire's reader checked a
 * worker's, and the inline transport's are Python's own (encode.c cuts
 * them at a NUL), so a UTF-8 database takes them as they are.
 */
static char *
text_cstring(const PLSValue *v)
{
	if (GetDatabaseEncoding() == PG_UTF8)
		return pnstrdup(v->u.str.data, v->u.str.len);
	return pls_utf8_to_server(v->u.str.data, v->u.str.len);
}

/* The text form through the type's input function. */
static Datum
decode_input(PLSType *t, const PLSValue *v)
{
	char	   *str;
	Datum		res;

	if (v->kind != PLS_V_TEXT)
		malformed(t);
	str = text_cstring(v);
	res = InputFunctionCall(&t->typinput, str, t->typioparam, t->typmod);
	pfree(str);
	return res;
}

static Datum
decode_textform(PLSType *t, const PLSValue *v, bool *isnull)
{
	return decode_input(t, v);
}

static Datum
decode_bool(PLSType *t, const PLSValue *v, bool *isnull)
{
	if (v->kind != PLS_V_BOOL)
		malformed(t);
	return BoolGetDatum(v->u.b);
}

/* an int out of the type's range goes through the input function's error */
static Datum
decode_int(PLSType *t, const PLSValue *v, int64 min, int64 max)
{
	if (v->kind == PLS_V_INT64)
	{
		if (v->u.i < min || v->u.i > max)
		{
			char		buf[32];
			PLSValue	tv;

			snprintf(buf, sizeof(buf), INT64_FORMAT, (int64) v->u.i);
			tv.kind = PLS_V_TEXT;
			tv.u.str.data = buf;
			tv.u.str.len = strlen(buf);
			return decode_input(t, &tv);
		}
		return Int64GetDatum(v->u.i);
	}
	return decode_input(t, v);
}

static Datum
decode_int2(PLSType *t, const PLSValue *v, bool *isnull)
{
	if (v->kind == PLS_V_INT64 && v->u.i >= PG_INT16_MIN && v->u.i <= PG_INT16_MAX)
		return Int16GetDatum((int16) v->u.i);
	return decode_int(t, v, PG_INT16_MIN, PG_INT16_MAX);
}

static Datum
decode_int4(PLSType *t, const PLSValue *v, bool *isnull)
{
	if (v->kind == PLS_V_INT64 && v->u.i >= PG_INT32_MIN && v->u.i <= PG_INT32_MAX)
		return Int32GetDatum((int32) v->u.i);
	return decode_int(t, v, PG_INT32_MIN, PG_INT32_MAX);
}

static Datum
decode_int8(PLSType *t, const PLSValue *v, bool *isnull)
{
	if (v->kind == PLS_V_INT64)
		return Int64GetDatum(v->u.i);
	return decode_input(t, v);
}

static Datum
decode_float8(PLSType *t, const PLSValue *v, bool *isnull)
{
	if (v->kind == PLS_V_FLOAT8)
		return Float8GetDatum(v->u.f);
	return decode_input(t, v);
}

/* text and unconstrained varchar: the string itself, no input function */
static Datum
decode_text(PLSType *t, const PLSValue *v, bool *isnull)
{
	char	   *str;
	Datum		res;

	if (v->kind != PLS_V_TEXT)
		malformed(t);
	/* valid UTF-8 without NUL (text_cstring): a UTF-8 database's as it is */
	if (GetDatabaseEncoding() == PG_UTF8)
		return PointerGetDatum(cstring_to_text_with_len(v->u.str.data,
														(int) v->u.str.len));
	str = pls_utf8_to_server(v->u.str.data, v->u.str.len);
	res = PointerGetDatum(cstring_to_text(str));
	pfree(str);
	return res;
}

static Datum
decode_bytea(PLSType *t, const PLSValue *v, bool *isnull)
{
	bytea	   *res;

	if (v->kind != PLS_V_BYTES)
		malformed(t);
	if (v->u.str.len > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("bytes value too large")));
	res = palloc(v->u.str.len + VARHDRSZ);
	SET_VARSIZE(res, v->u.str.len + VARHDRSZ);
	memcpy(VARDATA(res), v->u.str.data, v->u.str.len);
	return PointerGetDatum(res);
}

static Datum
decode_value(PLSType *t, const PLSValue *v, bool *isnull)
{
	/* a domain checks NULL too (NOT NULL domains) */
	if (v->kind == PLS_V_NULL && t->typtype != TYPTYPE_DOMAIN)
	{
		*isnull = true;
		return (Datum) 0;
	}
	*isnull = false;
	return t->decode(t, v, isnull);
}

static Datum
decode_domain(PLSType *t, const PLSValue *v, bool *isnull)
{
	Datum		res = decode_value(t->base, v, isnull);

	domain_check(res, *isnull, t->typoid, &t->domain_info, t->mcxt);
	return res;
}

static void
multidim_error(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("multidimensional arrays must have array expressions with matching dimensions")));
}

static Datum
decode_array(PLSType *t, const PLSValue *v, bool *isnull)
{
	PLSType    *elm = t->elem;
	Oid			elmbasetype;
	Datum	   *values;
	bool	   *nulls;
	int			lbs[MAXDIM];
	int			ndims;
	size_t		i;

	if (v->kind != PLS_V_ARRAY)
		malformed(t);
	ndims = v->u.array.ndims;
	elmbasetype = elm->typtype == TYPTYPE_DOMAIN ? elm->base->typoid : elm->typoid;
	if (ndims == 0)
		return PointerGetDatum(construct_empty_array(elmbasetype));
	if (ndims < 0 || ndims > MAXDIM)
		malformed(t);
	for (i = 0; i < ndims; i++)
	{
		if (v->u.array.dims[i] < 0)
			malformed(t);
		lbs[i] = 1;
	}
	if ((size_t) ArrayGetNItems(ndims, v->u.array.dims) != v->u.array.n)
		multidim_error();

	values = palloc(sizeof(Datum) * Max(v->u.array.n, 1));
	nulls = palloc(sizeof(bool) * Max(v->u.array.n, 1));
	for (i = 0; i < v->u.array.n; i++)
	{
		if (i % 4096 == 0)
			CHECK_FOR_INTERRUPTS();
		values[i] = decode_value(elm, &v->u.array.elems[i], &nulls[i]);
	}
	return PointerGetDatum(construct_md_array(values, nulls, ndims,
											  (int *) v->u.array.dims, lbs,
											  elmbasetype, t->elmlen,
											  t->elmbyval, t->elmalign));
}

/* A row literal, read by record_in (encode.c checked it in an array). */
static Datum
decode_row_literal(PLSType *t, const PLSValue *v)
{
	char	   *str = text_cstring(v);
	int32		typmod = t->typmod;
	Datum		res;

	if (t->typoid == RECORDOID && t->tupdesc != NULL)
		typmod = t->tupdesc->tdtypmod;
	res = InputFunctionCall(&t->typinput, str, t->typoid, typmod);
	pfree(str);
	return res;
}

static Datum
decode_row(PLSType *t, const PLSValue *v, bool *isnull)
{
	TupleDesc	desc = t->tupdesc;
	Datum		values_buf[32];
	bool		nulls_buf[32];
	Datum	   *values = values_buf;
	bool	   *nulls = nulls_buf;
	HeapTuple	tuple;
	Datum		res;

	if (v->kind == PLS_V_TEXT)
		return decode_row_literal(t, v);
	if (v->kind != PLS_V_ROW)
		malformed(t);
	/* no stack check: rows nest as deep as the type, not the value */
	/* the row type may have changed since the value was encoded */
	if (desc == NULL || v->u.row.natts != desc->natts || t->natts != desc->natts)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_IN_USE),
				 errmsg("row type changed while a value of it was being converted")));

	if (desc->natts > lengthof(values_buf))
	{
		values = palloc(sizeof(Datum) * desc->natts);
		nulls = palloc(sizeof(bool) * desc->natts);
	}
	for (int i = 0; i < desc->natts; i++)
	{
		if (TupleDescAttr(desc, i)->attisdropped)
		{
			values[i] = (Datum) 0;
			nulls[i] = true;
			continue;
		}
		values[i] = decode_value(&t->atts[i], &v->u.row.atts[i], &nulls[i]);
	}
	tuple = heap_form_tuple(desc, values, nulls);
	res = heap_copy_tuple_as_datum(tuple, desc);
	heap_freetuple(tuple);
	if (values != values_buf)
	{
		pfree(values);
		pfree(nulls);
	}
	return res;
}

Datum
pls_decode(PLSType *t, const PLSValue *v, bool *isnull)
{
	return decode_value(t, v, isnull);
}

/* The decoder of a type of t's kind (pls_type_init). */
PLSDecode
pls_decoder_for(PLSType *t)
{
	if (t->typtype == TYPTYPE_DOMAIN)
		return decode_domain;
	if (t->elem != NULL)
		return decode_array;
	switch ((PLSShapeKind) t->shape_data.kind)
	{
		case PLS_S_BOOL:
			return decode_bool;
		case PLS_S_INT2:
			return decode_int2;
		case PLS_S_INT4:
			return decode_int4;
		case PLS_S_INT8:
			return decode_int8;
		case PLS_S_FLOAT8:
			return decode_float8;
		case PLS_S_TEXT:
			return decode_text;
		case PLS_S_BYTEA:
			return decode_bytea;
		case PLS_S_ROW:
			return decode_row;
		case PLS_S_ARRAY:
			return decode_array;
		case PLS_S_TEXTFORM:
			break;
	}
	return decode_textform;
}
