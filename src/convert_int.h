/*-------------------------------------------------------------------------
 *
 * convert_int.h
 *	  Private declarations of the conversion files: convert.c (a type's
 *	  set-up, the entry points), convert_scalar.c, convert_array.c and
 *	  convert_row.c (Datum -> Python, one file per kind of type), encode.c
 *	  (Python side of Python -> Datum), decode.c (PostgreSQL side) and
 *	  datum_value.c (Datum -> door value, for a Python side elsewhere).
 *
 *-------------------------------------------------------------------------
 */
#ifndef CONVERT_INT_H
#define CONVERT_INT_H

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

extern void pls_scalar_init(PLSType *t, Oid typoid, int32 typmod,
							MemoryContext mcxt);
extern PyObject *pls_domain_to_py(PLSType *t, Datum d);
extern PLSToPy pls_array_to_py_for(PLSType *elem);
extern Oid	pls_flat_element_type(PLSType *elm);
extern PyObject *pls_composite_to_py(PLSType *t, Datum d);
/* convert_row.c: t's cached copy of row type typid/typmod */
extern TupleDesc pls_row_desc(PLSType *t, Oid typid, int32 typmod);

/* datum_value.c: Datum -> door value, one per kind of type */
extern void pls_bool_to_value(PLSType *t, Datum d, PLSValue *out);
extern void pls_int2_to_value(PLSType *t, Datum d, PLSValue *out);
extern void pls_int4_to_value(PLSType *t, Datum d, PLSValue *out);
extern void pls_int8_to_value(PLSType *t, Datum d, PLSValue *out);
extern void pls_oid_to_value(PLSType *t, Datum d, PLSValue *out);
extern void pls_float4_to_value(PLSType *t, Datum d, PLSValue *out);
extern void pls_float8_to_value(PLSType *t, Datum d, PLSValue *out);
extern void pls_numeric_to_value(PLSType *t, Datum d, PLSValue *out);
extern void pls_bytea_to_value(PLSType *t, Datum d, PLSValue *out);
extern void pls_text_to_value(PLSType *t, Datum d, PLSValue *out);
extern void pls_name_to_value(PLSType *t, Datum d, PLSValue *out);
extern void pls_generic_to_value(PLSType *t, Datum d, PLSValue *out);
extern void pls_domain_to_value(PLSType *t, Datum d, PLSValue *out);
extern PLSToValue pls_array_to_value_for(PLSType *elem);
extern void pls_composite_to_value(PLSType *t, Datum d, PLSValue *out);
/* decode.c: the decoder for t's kind */
extern PLSDecode pls_decoder_for(PLSType *t);
/* decode.c: a value that does not fit t (08P01) */
extern void pls_decode_malformed(PLSType *t) pg_attribute_noreturn();

/*
 * transform_value.c: if t's transforms cover typoid (a scalar), fill in
 * the transform's conversions and return true.
 */
extern bool pls_trf_type_init(PLSType *t, Oid typoid, int32 typmod,
							  MemoryContext mcxt);

#endif							/* CONVERT_INT_H */
