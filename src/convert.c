/*-------------------------------------------------------------------------
 *
 * convert.c
 *	  Type conversion between PostgreSQL Datums and Python objects, with
 *	  PL/Python's rules and error messages (PostgreSQL 15, plpy_typeio.c).
 *	  This file chooses a type's conversions once, in pls_type_init (the
 *	  function pointers and the shape in PLSType then do the work per value
 *	  with no catalog access), and holds the entry points.  The work is in
 *	  convert_scalar.c, convert_array.c and convert_row.c (Datum -> Python),
 *	  encode.c (Python side of Python -> Datum: objects to door values,
 *	  where user code runs) and decode.c (PostgreSQL side: door values to
 *	  Datums).
 *
 *	  Datum -> Python functions return a new reference, or NULL with a Python
 *	  exception set; they may also ereport (detoasting, output functions).
 *
 *-------------------------------------------------------------------------
 */
#include "convert_int.h"

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

/* pyvalue.h's plain copies of PostgreSQL's constants, for encode.c */
StaticAssertDecl(PLS_MAXDIM == MAXDIM, "PLS_MAXDIM differs from MAXDIM");
StaticAssertDecl(PLS_MAX_ARRAY_SIZE == MaxArraySize,
				 "PLS_MAX_ARRAY_SIZE differs from MaxArraySize");
StaticAssertDecl(PLS_ERRCODE_FEATURE_NOT_SUPPORTED == ERRCODE_FEATURE_NOT_SUPPORTED &&
				 PLS_ERRCODE_DATA_EXCEPTION == ERRCODE_DATA_EXCEPTION &&
				 PLS_ERRCODE_INVALID_TEXT_REPRESENTATION == ERRCODE_INVALID_TEXT_REPRESENTATION &&
				 PLS_ERRCODE_EXTERNAL_ROUTINE_EXCEPTION == ERRCODE_EXTERNAL_ROUTINE_EXCEPTION &&
				 PLS_ERRCODE_UNDEFINED_COLUMN == ERRCODE_UNDEFINED_COLUMN &&
				 PLS_ERRCODE_WRONG_OBJECT_TYPE == ERRCODE_WRONG_OBJECT_TYPE &&
				 PLS_ERRCODE_DATATYPE_MISMATCH == ERRCODE_DATATYPE_MISMATCH &&
				 PLS_ERRCODE_OUT_OF_MEMORY == ERRCODE_OUT_OF_MEMORY &&
				 PLS_ERRCODE_PROGRAM_LIMIT_EXCEEDED == ERRCODE_PROGRAM_LIMIT_EXCEEDED &&
				 PLS_ERRCODE_STATEMENT_TOO_COMPLEX == ERRCODE_STATEMENT_TOO_COMPLEX,
				 "a PLS_ERRCODE_ differs from PostgreSQL's");

/* ---------- set-up ---------- */

void
pls_type_init(PLSType *t, Oid typoid, int32 typmod, MemoryContext mcxt,
			  const PLSTrf *trf)
{
	TypeCacheEntry *tc;

	check_stack_depth();

	memset(t, 0, sizeof(PLSType));
	if (trf != NULL)
		t->trf = *trf;
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
		t->to_py = pls_composite_to_py;
		t->to_value = pls_composite_to_value;
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
		pls_type_init(t->base, tc->domainBaseType, tc->domainBaseTypmod, mcxt,
					  &t->trf);
		t->to_py = pls_domain_to_py;
		t->to_value = pls_domain_to_value;
		t->shape = t->base->shape;
		t->decode = pls_decoder_for(t);
		return;
	}

	if (IsTrueArrayType(tc))
	{
		t->elem = MemoryContextAllocZero(mcxt, sizeof(PLSType));
		pls_type_init(t->elem, tc->typelem, typmod, mcxt, &t->trf);
		get_typlenbyvalalign(tc->typelem, &t->elmlen, &t->elmbyval,
							 &t->elmalign);
		t->to_py = pls_array_to_py_for(t->elem);
		t->to_value = pls_array_to_value_for(t->elem);
		t->shape_data.kind = PLS_S_ARRAY;
		t->shape_data.elem = t->elem->shape;
		t->decode = pls_decoder_for(t);
		return;
	}

	/* as PL/Python: after domains and arrays, before rows and scalars */
	if (pls_trf_type_init(t, typoid, typmod, mcxt))
		return;

	if (tc->typtype == TYPTYPE_COMPOSITE)
	{
		t->typioparam = typoid;
		fmgr_info_cxt(F_RECORD_IN, &t->typinput, mcxt);
		t->to_py = pls_composite_to_py;
		t->to_value = pls_composite_to_value;
		t->shape_data.kind = PLS_S_ROW;
		t->decode = pls_decoder_for(t);
		return;
	}

	pls_scalar_init(t, typoid, typmod, mcxt);
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
static pg_noinline Datum
decode_then_free(PLSType *t, PLSEncoder *e, const PLSValue *v, bool *isnull)
{
	Datum		d;

	PG_TRY();
	{
		d = pls_decode(t, v, isnull);
	}
	PG_FINALLY();
	{
		pls_encoder_free(e);
	}
	PG_END_TRY();
	return d;
}

const PLSShape *
pls_type_shape(PLSType *t)
{
	/* a RECORD's row type was given for this call, its columns are plain */
	if ((t->shape->kind == PLS_S_ROW || t->shape->kind == PLS_S_ARRAY) &&
		!(t->typoid == RECORDOID && !t->atts_have_rows))
		pls_type_resolve(t);
	return t->shape;
}

/* The encoder's way, for the values pls_encode_plain does not take. */
static pg_noinline Datum
from_py_encoded(PLSType *t, const PLSShape *shape, PyObject *o, bool *isnull)
{
	PLSEncoder	e;
	PLSValue	v;

	pls_encoder_init(&e);
	e.root = o;
	if (unlikely(!pls_encode(&e, shape, o, &v)))
		pls_encoder_report(&e);
	if (likely(e.chunks == NULL && e.held == NULL && e.nheld == 0))
		return pls_decode(t, &v, isnull);
	return decode_then_free(t, &e, &v, isnull);
}

Datum
pls_from_py(PLSType *t, PyObject *o, bool *isnull)
{
	const PLSShape *shape = pls_type_shape(t);
	PLSValue	v;

	/* the caller holds o, which a plain value may point into */
	if (likely(pls_encode_plain(shape, o, &v)))
		return pls_decode(t, &v, isnull);
	return from_py_encoded(t, shape, o, isnull);
}

void
pls_encoder_report(PLSEncoder *e)
{
	int			code = e->sqlerrcode;
	char	   *msg;
	char	   *detail;
	char	   *hint;
	bool		has_tb = e->has_tb;

	if (e->pyexc)
	{
		pls_encoder_free(e);
		pls_elog_exception(ERROR, pls_current_proc);
	}
	msg = pstrdup(e->message ? e->message : "could not convert Python object");
	detail = e->detail ? pstrdup(e->detail) : NULL;
	hint = e->hint ? pstrdup(e->hint) : NULL;
	pls_encoder_free(e);

	/*
	 * An exception raised by Python code (a user's __getitem__, say) has a
	 * traceback; PL/Python prints its header, and only that, for these.
	 */
	ereport(ERROR,
			(errcode(code),
			 errmsg_internal("%s", msg),
			 detail ? errdetail_internal("%s", detail) : 0,
			 hint ? errhint("%s", hint) : 0,
			 has_tb ? errcontext("Traceback (most recent call last):") : 0));
	pg_unreachable();
}
