/*-------------------------------------------------------------------------
 *
 * interp.c
 *	  One Python sub-interpreter per SQL role: created on the role's first
 *	  call, chosen by GetUserId() at call time (so a SECURITY DEFINER
 *	  function runs in its owner's), never shared between roles, and
 *	  shaped by that role's settings (settings.c).
 *
 *-------------------------------------------------------------------------
 */
#include "plsafepy.h"

#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/memutils.h"

#include "marshal.h"

/* the magic number of the Python that compiled the helpers */
extern const unsigned char pls_py_magic[4];

#include "embedded_py.h"

PLSInterp  *pls_current = NULL;

static HTAB *interps = NULL;
static PLSInterp *last_interp = NULL;

/* One part of an embedded helper, run in ns. */
int
pls_run_part(const PLSEmbedded *part, PyObject *ns)
{
	PyObject   *code;
	PyObject   *res;
	long		magic = PyImport_GetMagicNumber();
	long		built = pls_py_magic[0] | (pls_py_magic[1] << 8) |
		(pls_py_magic[2] << 16) | ((long) pls_py_magic[3] << 24);

	/* bytecode written by another Python version must not be loaded */
	if (magic == -1)
		return -1;
	if (magic != built)
	{
		PyErr_Format(PyExc_ImportError,
					 "plsafepy was built for another Python version (helper %s)",
					 part->name);
		return -1;
	}
	code = PyMarshal_ReadObjectFromString((const char *) part->code,
										  (Py_ssize_t) part->len);
	if (code == NULL)
		return -1;
	if (!PyCode_Check(code))
	{
		Py_DECREF(code);
		PyErr_Format(PyExc_ImportError, "plsafepy helper %s is not code",
					 part->name);
		return -1;
	}
	res = PyEval_EvalCode(code, ns, ns);
	Py_DECREF(code);
	if (res == NULL)
		return -1;
	Py_DECREF(res);
	return 0;
}

PyObject *
pls_run_embedded(const PLSEmbedded *parts)
{
	PyObject   *ns;

	ns = PyDict_New();
	if (ns == NULL ||
		PyDict_SetItemString(ns, "__builtins__", PyEval_GetBuiltins()) < 0)
	{
		Py_XDECREF(ns);
		return NULL;
	}
	for (; parts->name != NULL; parts++)
	{
		if (pls_run_part(parts, ns) < 0)
		{
			Py_DECREF(ns);
			return NULL;
		}
	}
	return ns;
}

/*
 * Fill a new interpreter.  Everything that must be imported is imported
 * here, before pls_sandbox_setup locks the interpreter down.
 */
static int
build_interp(PLSInterp *interp)
{
	PyObject   *compiler;

	Py_SetRecursionLimit(pls_recursion_limit());

	interp->GD = PyDict_New();
	interp->module_name = PyUnicode_InternFromString("__main__");
	if (interp->GD == NULL || interp->module_name == NULL)
		return -1;

	compiler = pls_run_embedded(pls_py_compiler);
	if (compiler == NULL)
		return -1;
	interp->compile_body = PyDict_GetItemString(compiler, "compile_body");
	Py_XINCREF(interp->compile_body);
	interp->body_error = PyDict_GetItemString(compiler, "BodyError");
	Py_XINCREF(interp->body_error);
	Py_DECREF(compiler);
	if (interp->compile_body == NULL || interp->body_error == NULL)
	{
		PyErr_SetString(PyExc_RuntimeError, "compiler helper has no compile_body");
		return -1;
	}

	if (pls_plpy_create(interp) < 0)
		return -1;
	return pls_sandbox_setup(interp);
}

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
			rc = build_interp(interp);
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
