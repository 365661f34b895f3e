/*-------------------------------------------------------------------------
 *
 * sandbox_sql.c
 *	  The sandbox's PostgreSQL side: its settings (plsafepy.allowed_modules,
 *	  whose syntax whitelist.c reads and whitelist_setting.c checks, and
 *	  plsafepy.log_denials), the plsafepy_whitelist() function behind the
 *	  view of the effective whitelist (a role in process isolation asks its
 *	  worker: process_whitelist.c), and plsafepy_reach_check(), the
 *	  attack tests' walk over what user code can reach.  The sandbox
 *	  itself is the core's (sandbox.c, pyhost.h).
 *
 *-------------------------------------------------------------------------
 */
#include "plsafepy.h"

#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "process.h"
#include "sandbox_int.h"

PG_FUNCTION_INFO_V1(plsafepy_whitelist);
PG_FUNCTION_INFO_V1(plsafepy_reach_check);

char	   *pls_allowed_modules = NULL;
bool		pls_log_denials = true;

/*
 * At module load, before Python starts: the settings, and the class check
 * of the core (which must be in place before any interpreter exists).
 */
void
pls_sandbox_init(void)
{
	DefineCustomStringVariable("plsafepy.allowed_modules",
							   "Python modules plsafepy functions may import.",
							   "A comma-separated list of \"module\" (its reviewed "
							   "public names) or \"module:name\" entries: the "
							   "complete list, or, with every entry preceded by "
							   "\"+\" or \"-\", additions to and removals from "
							   "the defaults.  Read when "
							   "a role's interpreter is created (its first plsafepy "
							   "call in a session).",
							   &pls_allowed_modules,
							   PLS_DEFAULT_MODULES,
							   PGC_SUSET,
							   GUC_LIST_INPUT,
							   check_allowed_modules, NULL, NULL);
	DefineCustomBoolVariable("plsafepy.log_denials",
							 "Logs every capability plsafepy denies, with the role and function.",
							 NULL,
							 &pls_log_denials,
							 true,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);
	pls_type_check_install();
}

/*
 * The pending Python exception's text (or dflt, if it has none), the
 * exception cleared.
 */
static char *
take_error_text(char *dflt)
{
	PyObject   *type,
			   *value,
			   *tb;
	PyObject   *str;
	char	   *text = dflt;

	PyErr_Fetch(&type, &value, &tb);
	str = value ? PyObject_Str(value) : NULL;
	if (str && PyUnicode_AsUTF8(str))
		text = pstrdup(PyUnicode_AsUTF8(str));
	Py_XDECREF(str);
	Py_XDECREF(type);
	Py_XDECREF(value);
	Py_XDECREF(tb);
	PyErr_Clear();
	return text;
}

/*
 * plsafepy_reach_check([plant text]): sandbox/reach.py's walk over what
 * user code can reach in the current role's interpreter; "ok", or the
 * paths that end at something it must not reach.  The extension does not
 * declare it: only a superuser can (CREATE FUNCTION ... LANGUAGE C), as
 * test/attacks/18_reach.txt does.
 */
Datum
plsafepy_reach_check(PG_FUNCTION_ARGS)
{
	PLSInterp  *interp;
	PLSEntry	save;
	char	   *plant = PG_NARGS() > 0 && !PG_ARGISNULL(0) ?
		text_to_cstring(PG_GETARG_TEXT_PP(0)) : NULL;
	char	   *volatile result = NULL;
	char	   *volatile errtext = NULL;

	interp = pls_interp_for_role(GetUserId());
	pls_enter(interp, &save);
	/* the walk reads audited attributes (__code__, __defaults__) */
	pls_audit_forget(PyInterpreterState_Get());
	PG_TRY();
	{
		PyObject   *check = PyDict_GetItemString(interp->sandbox, "reach_check");
		PyObject   *r = check ? PyObject_CallFunction(check, "z", plant) : NULL;
		const char *u = r && PyUnicode_Check(r) ? PyUnicode_AsUTF8(r) : NULL;

		if (u != NULL)
			result = pstrdup(u);
		else
			errtext = pstrdup(PyErr_Occurred() ? "Python error" : "no result");
		if (PyErr_Occurred())
			errtext = take_error_text(errtext);
		Py_XDECREF(r);
	}
	PG_FINALLY();
	{
		/* its slot was just freed: locking it again allocates nothing */
		(void) pls_audit_lock(PyInterpreterState_Get());
		pls_leave(&save);
	}
	PG_END_TRY();

	if (result == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("could not walk what plsafepy code can reach"),
				 errdetail_internal("%s", errtext)));
	PG_RETURN_TEXT_P(cstring_to_text(result));
}

/*
 * plsafepy_whitelist(): every name the current role's interpreter
 * exposes, per module: the effective whitelist (the role's setting, as
 * settings.c resolved it when this role's interpreter was built in this
 * session).  A role in process isolation is asked through its worker
 * (process_whitelist.c), so that the backend starts no Python for it.
 */
static void
put_row(ReturnSetInfo *rsinfo, const char *module, const char *name,
		const char *kind)
{
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	values[0] = CStringGetTextDatum(pls_utf8_to_server(module, strlen(module)));
	values[1] = CStringGetTextDatum(pls_utf8_to_server(name, strlen(name)));
	values[2] = CStringGetTextDatum(kind);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/* The rows of the role's interpreter in this backend: (module, name, kind). */
static char **
describe_inline(Oid roleid, int *nrows)
{
	PLSInterp  *interp;
	PLSEntry	save;
	char	  **volatile rows = NULL;
	volatile int n = 0;
	char	   *volatile errtext = NULL;

	interp = pls_interp_for_role(roleid);
	pls_enter(interp, &save);
	PG_TRY();
	{
		PyObject   *list = pls_sandbox_describe(interp);

		if (list != NULL)
		{
			int			len = (int) PyList_GET_SIZE(list);

			rows = palloc(sizeof(char *) * 3 * (len + 1));
			for (n = 0; n < 3 * len; n++)
			{
				PyObject   *t = PyList_GET_ITEM(list, n / 3);
				const char *u = PyUnicode_AsUTF8(PyTuple_GET_ITEM(t, n % 3));

				if (u == NULL)
					break;
				rows[n] = pstrdup(u);
			}
			n = n == 3 * len ? len : -1;
			Py_DECREF(list);
		}
		else
			n = -1;
		if (n < 0 && PyErr_Occurred())
			errtext = take_error_text(NULL);
	}
	PG_FINALLY();
	{
		pls_leave(&save);
	}
	PG_END_TRY();

	if (n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("could not list the plsafepy module whitelist"),
				 errtext ? errdetail_internal("%s", errtext) : 0));
	*nrows = n;
	return rows;
}

Datum
plsafepy_whitelist(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			roleid = GetUserId();

	InitMaterializedSRF(fcinfo, 0);
	if (pls_isolation_is_process(roleid))
	{
		uint32		nrows;
		PlsWireWlRow *rows;

		pls_process_whitelist(roleid, &nrows, &rows);
		for (uint32 i = 0; i < nrows; i++)
			put_row(rsinfo, rows[i].module, rows[i].name,
					pls_wire_wl_kinds[rows[i].kind]);
	}
	else
	{
		int			nrows;
		char	  **rows = describe_inline(roleid, &nrows);

		for (int i = 0; i < nrows; i++)
			put_row(rsinfo, rows[3 * i], rows[3 * i + 1], rows[3 * i + 2]);
	}
	return (Datum) 0;
}
