/*-------------------------------------------------------------------------
 *
 * interp.c
 *	  One Python sub-interpreter per SQL role: created on the role's first
 *	  call, chosen by GetUserId() at call time (so a SECURITY DEFINER
 *	  function runs in its owner's), never shared between roles, and
 *	  shaped by that role's settings (settings.c).  What fills it is the
 *	  core's (pybuild.c).
 *
 *-------------------------------------------------------------------------
 */
#include "plsafepy.h"

#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/memutils.h"

static HTAB *interps = NULL;
static PLSInterp *last_interp = NULL;

static char *
fetch_python_error(void)
{
	PyObject   *type,
			   *value,
			   *tb;
	PyObject   *s;
	char	   *msg = "unknown error";

	PyErr_Fetch(&type, &value, &tb);
	if (value != NULL && (s = PyObject_Str(value)) != NULL)
	{
		const char *u = PyUnicode_AsUTF8(s);

		if (u)
			msg = pstrdup(u);
		Py_DECREF(s);
	}
	PyErr_Clear();
	Py_XDECREF(type);
	Py_XDECREF(value);
	Py_XDECREF(tb);
	return msg;
}

PLSInterp *
pls_interp_for_role(Oid roleid)
{
	PLSInterp  *interp;
	char	   *allowed_modules;
	int			memory_limit_kb;
	PyThreadState *prev;
	PyThreadState *ts;
	char	   *msg;

	if (last_interp && last_interp->roleid == roleid)
		return last_interp;
	pls_python_start();

	if (interps == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(PLSInterp);
		ctl.hcxt = TopMemoryContext;
		interps = hash_create("plsafepy interpreters", 16, &ctl,
							  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	interp = hash_search(interps, &roleid, HASH_FIND, NULL);
	if (interp != NULL)
	{
		last_interp = interp;
		return interp;
	}

	/* before the entry exists: may fail */
	pls_errors_prepare();
	/* the role's settings (settings.c) */
	pls_settings_resolve(roleid, &allowed_modules, &memory_limit_kb);
	interp = hash_search(interps, &roleid, HASH_ENTER, NULL);
	memset(((char *) interp) + sizeof(Oid), 0, sizeof(PLSInterp) - sizeof(Oid));
	interp->allowed_modules = allowed_modules;
	interp->memory_limit_kb = memory_limit_kb;

	prev = PyThreadState_Swap(pls_main_tstate());
	ts = Py_NewInterpreter();
	if (ts != NULL && !pls_tstate_make_unique(&ts))
	{
		Py_EndInterpreter(ts);
		ts = NULL;
	}
	if (ts == NULL)
	{
		PyThreadState_Swap(prev);
		hash_search(interps, &roleid, HASH_REMOVE, NULL);
		pfree(allowed_modules);
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("could not create a Python interpreter for role \"%s\"",
						GetUserNameFromId(roleid, true))));
	}
	interp->tstate = ts;

	{
		PLSInterp  *save_current = pls_current;
		int			rc = -1;

		pls_current = interp;
		PG_TRY();
		{
			rc = pls_interp_build(interp);
		}
		PG_CATCH();
		{
			/* out of memory, say: the half-built interpreter is ended */
			PyErr_Clear();
			Py_EndInterpreter(ts);
			pls_current = save_current;
			PyThreadState_Swap(prev);
			hash_search(interps, &roleid, HASH_REMOVE, NULL);
			pfree(allowed_modules);
			PG_RE_THROW();
		}
		PG_END_TRY();
		pls_current = save_current;
		if (rc == 0)
		{
			PyThreadState_Swap(prev);
			last_interp = interp;
			return interp;
		}
	}

	/* A half-built interpreter is never used: end it and report why. */
	msg = fetch_python_error();
	Py_EndInterpreter(ts);
	PyThreadState_Swap(prev);
	hash_search(interps, &roleid, HASH_REMOVE, NULL);
	pfree(allowed_modules);
	ereport(ERROR,
			(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
			 errmsg("could not set up the Python interpreter for role \"%s\"",
					GetUserNameFromId(roleid, true)),
			 errdetail("%s", msg)));
	return NULL;				/* keep compiler quiet */
}
