/*-------------------------------------------------------------------------
 *
 * value_check.c
 *	  plsafepy_value_check(anyelement): a test of the two ways a Datum
 *	  becomes a Python object.  Inline mode's to_py, and the way of a
 *	  Python side in another process (datum_value.c, then value_py.c),
 *	  must give the same object: same types all the way down, same repr.
 *	  The extension does not declare the function: only a superuser can
 *	  (CREATE FUNCTION ... LANGUAGE C), as sql/value_equivalence.sql does.
 *
 *-------------------------------------------------------------------------
 */
#include "plsafepy.h"

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

PG_FUNCTION_INFO_V1(plsafepy_value_check);

/* repr(o) as a palloc'd string (a failure to make it, described). */
static char *
repr_of(PyObject *o)
{
	PyObject   *r = PyObject_Repr(o);
	const char *u = r ? PyUnicode_AsUTF8(r) : NULL;
	char	   *res = pstrdup(u ? u : "<no repr>");

	PyErr_Clear();
	Py_XDECREF(r);
	return res;
}

/* The same object: exact types at every level, same items, same repr. */
static bool
same_object(PyObject *a, PyObject *b)
{
	if (Py_TYPE(a) != Py_TYPE(b))
		return false;
	if (PyList_CheckExact(a))
	{
		if (PyList_GET_SIZE(a) != PyList_GET_SIZE(b))
			return false;
		for (Py_ssize_t i = 0; i < PyList_GET_SIZE(a); i++)
			if (!same_object(PyList_GET_ITEM(a, i), PyList_GET_ITEM(b, i)))
				return false;
		return true;
	}
	if (PyDict_CheckExact(a))
	{
		Py_ssize_t	pa = 0,
					pb = 0;
		PyObject   *ka,
				   *va,
				   *kb,
				   *vb;

		if (PyDict_GET_SIZE(a) != PyDict_GET_SIZE(b))
			return false;
		/* in the same order: a dict's order is its columns' */
		while (PyDict_Next(a, &pa, &ka, &va) && PyDict_Next(b, &pb, &kb, &vb))
			if (!same_object(ka, kb) || !same_object(va, vb))
				return false;
		return true;
	}
	return strcmp(repr_of(a), repr_of(b)) == 0;
}

/* The pending Python exception as "Type: message", cleared. */
static char *
exception_text(void)
{
	PyObject   *type,
			   *value,
			   *tb;
	char	   *res;

	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	res = psprintf("%s: %s", type ? ((PyTypeObject *) type)->tp_name : "?",
				   value ? repr_of(value) : "");
	Py_XDECREF(type);
	Py_XDECREF(value);
	Py_XDECREF(tb);
	return res;
}

Datum
plsafepy_value_check(PG_FUNCTION_ARGS)
{
	Oid			typoid = get_fn_expr_argtype(fcinfo->flinfo, 0);
	MemoryContext cxt;
	MemoryContext old;
	PLSType    *t;
	PLSInterp  *interp;
	PLSEntry	save;
	char	   *volatile result = NULL;

	if (!OidIsValid(typoid))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("could not determine the argument's type")));
	cxt = AllocSetContextCreate(CurrentMemoryContext, "plsafepy value check",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	t = palloc(sizeof(PLSType));
	pls_type_init(t, typoid, -1, cxt, NULL);

	interp = pls_interp_for_role(GetUserId());
	pls_enter(interp, &save);
	PG_TRY();
	{
		PyObject   *a = pls_to_py(t, PG_GETARG_DATUM(0), PG_ARGISNULL(0));
		char	   *aerr = a ? NULL : exception_text();
		PLSValue	v;
		PyObject   *b;
		char	   *berr;

		pls_datum_to_value(t, PG_GETARG_DATUM(0), PG_ARGISNULL(0), &v);
		b = pls_value_to_py(&v);
		berr = b ? NULL : exception_text();

		if (a && b && same_object(a, b))
			result = "same";
		else
			result = psprintf("inline %s, value %s",
							  a ? repr_of(a) : aerr, b ? repr_of(b) : berr);
		Py_XDECREF(a);
		Py_XDECREF(b);
	}
	PG_FINALLY();
	{
		pls_leave(&save);
	}
	PG_END_TRY();

	MemoryContextSwitchTo(old);
	result = pstrdup(result);
	MemoryContextDelete(cxt);
	PG_RETURN_TEXT_P(cstring_to_text(result));
}
