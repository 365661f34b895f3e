/*-------------------------------------------------------------------------
 *
 * transform.c
 *	  Which transforms a function may use (TRANSFORM FOR TYPE): exactly the
 *	  two plsafepy implements, jsonb_plsafepy's for jsonb and
 *	  hstore_plsafepy's for hstore; any other is refused (0A000) at CREATE
 *	  FUNCTION and at call time.  Also the transforms' SQL functions, which
 *	  only name the transforms and refuse to be called.
 *
 *	  plsafepy never calls a transform function: a transform it accepts
 *	  selects its own conversion of the type (transform_value.c, json_py.c),
 *	  in both isolations.  So a transform is identified by what would run,
 *	  not by names, which anyone with CREATE on a schema can copy:
 *
 *	  - both its FROM SQL and TO SQL functions must be C functions whose
 *		code is this library's own functions for that transform (fmgr's
 *		address of the function, not its name).  A C function can only be
 *		made by a superuser; the extensions' scripts make these as the
 *		bootstrap superuser.
 *	  - jsonb: the type is jsonb itself.
 *	  - hstore: the type is a base type (only a superuser can make one)
 *		whose input and output functions are the hstore library's
 *		hstore_in and hstore_out.  CREATE TRANSFORM needs ownership of the
 *		type, and its TO SQL function must return the type; still, an
 *		extension script's search_path puts the target schema first, where
 *		a user could have made a composite type named hstore: that type is
 *		not the hstore library's, and is refused.
 *
 *	  A type listed without any transform, or with one that misses a
 *	  direction, is refused too.
 *
 *-------------------------------------------------------------------------
 */
#include "plsafepy.h"

#include "access/htup_details.h"
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "nodes/pg_list.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

PG_FUNCTION_INFO_V1(jsonb_to_plsafepy);
PG_FUNCTION_INFO_V1(plsafepy_to_jsonb);
PG_FUNCTION_INFO_V1(hstore_to_plsafepy);
PG_FUNCTION_INFO_V1(plsafepy_to_hstore);

/*
 * The transforms' SQL functions.  Their arguments are internal, so SQL
 * cannot call them; each refuses with its own name (distinct bodies keep
 * distinct addresses, which is what identifies them).
 */
static void
pg_attribute_noreturn()
refuse_call(const char *name)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("function %s only names a transform of PL/SafePy", name)));
}

Datum
jsonb_to_plsafepy(PG_FUNCTION_ARGS)
{
	refuse_call("jsonb_to_plsafepy");
	PG_RETURN_NULL();
}

Datum
plsafepy_to_jsonb(PG_FUNCTION_ARGS)
{
	refuse_call("plsafepy_to_jsonb");
	PG_RETURN_NULL();
}

Datum
hstore_to_plsafepy(PG_FUNCTION_ARGS)
{
	refuse_call("hstore_to_plsafepy");
	PG_RETURN_NULL();
}

Datum
plsafepy_to_hstore(PG_FUNCTION_ARGS)
{
	refuse_call("plsafepy_to_hstore");
	PG_RETURN_NULL();
}

/* The code of function fnoid if it is a C function, else NULL. */
static PGFunction
c_function(Oid fnoid)
{
	HeapTuple	tup;
	bool		is_c;
	FmgrInfo	finfo;

	if (!OidIsValid(fnoid))
		return NULL;
	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fnoid));
	if (!HeapTupleIsValid(tup))
		return NULL;
	is_c = ((Form_pg_proc) GETSTRUCT(tup))->prolang == ClanguageId;
	ReleaseSysCache(tup);
	if (!is_c)
		return NULL;
	fmgr_info(fnoid, &finfo);
	return finfo.fn_addr;
}

/* A base type read and written by the hstore library's functions? */
static bool
is_hstore_type(Oid typid)
{
	HeapTuple	tup;
	Form_pg_type typ;
	Oid			input;
	Oid			output;

	tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
	if (!HeapTupleIsValid(tup))
		return false;
	typ = (Form_pg_type) GETSTRUCT(tup);
	if (typ->typtype != TYPTYPE_BASE)
	{
		ReleaseSysCache(tup);
		return false;
	}
	input = typ->typinput;
	output = typ->typoutput;
	ReleaseSysCache(tup);
	return c_function(input) ==
		load_external_function("$libdir/hstore", "hstore_in", true, NULL) &&
		c_function(output) ==
		load_external_function("$libdir/hstore", "hstore_out", true, NULL);
}

void
pls_trf_for_function(HeapTuple procTup, PLSTrf *trf)
{
	Form_pg_proc procStruct = (Form_pg_proc) GETSTRUCT(procTup);
	bool		isnull;
	Datum		d;
	List	   *types;
	ListCell   *lc;

	memset(trf, 0, sizeof(PLSTrf));
	d = SysCacheGetAttr(PROCOID, procTup, Anum_pg_proc_protrftypes, &isnull);
	if (isnull)
		return;
	types = oid_array_to_list(d);
	foreach(lc, types)
	{
		Oid			typid = lfirst_oid(lc);
		PGFunction	from = c_function(get_transform_fromsql(typid, procStruct->prolang, types));
		PGFunction	to = c_function(get_transform_tosql(typid, procStruct->prolang, types));

		if (typid == JSONBOID && from == jsonb_to_plsafepy &&
			to == plsafepy_to_jsonb)
			trf->jsonb = true;
		else if (from == hstore_to_plsafepy && to == plsafepy_to_hstore &&
				 is_hstore_type(typid))
			trf->hstore = typid;
		else
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("PL/SafePy does not support TRANSFORM FOR TYPE %s",
							format_type_be(typid)),
					 errhint("PL/SafePy implements only the transforms of the extensions jsonb_plsafepy and hstore_plsafepy; without the TRANSFORM clause it converts values of the type itself.")));
	}
	list_free(types);
}
