/*-------------------------------------------------------------------------
 *
 * convert_int.h
 *	  Private declarations of the conversion files: convert.c (a type's
 *	  set-up, the entry points), convert_scalar.c, convert_array.c and
 *	  convert_row.c (Datum -> Python, one file per kind of type), encode.c
 *	  (Python side of Python -> Datum) and decode.c (PostgreSQL side).
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
extern PyObject *pls_composite_to_py(PLSType *t, Datum d);
/* decode.c: the decoder for t's kind */
extern PLSDecode pls_decoder_for(PLSType *t);

#endif							/* CONVERT_INT_H */
