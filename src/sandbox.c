/*-------------------------------------------------------------------------
 *
 * sandbox.c
 *	  The sandbox's settings (plsafepy.allowed_modules, plsafepy.log_denials),
 *	  the set-up of each role interpreter's restricted runtime (run last by
 *	  build_interp: facades, builtins, policy, then lock-down), 42501
 *	  denials, and the plsafepy_whitelist() function behind the view
 *	  of the effective whitelist.
 *
 * The policy, builtins and facades themselves are Python (src/sandbox/,
 * trusted, compiled in); this file feeds them the role's whitelist
 * (resolved by settings.c), gives them the
 * C denial function, and closes the interpreter afterwards.  See
 * docs/security.md for the layers and what each assumes.
 *
 *-------------------------------------------------------------------------
 */
#include "sandbox_int.h"

#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include <ctype.h>

PG_FUNCTION_INFO_V1(plsafepy_whitelist);

/*
 * Must list the same modules as REVIEWED in sandbox/facades.py (the regression
 * test sandbox_whitelist checks that the view shows each of them).
 */
#define PLS_DEFAULT_MODULES \
	"math, cmath, decimal, fractions, statistics, random, itertools, " \
	"functools, operator, collections, heapq, bisect, re, string, json, " \
	"datetime, calendar, textwrap, unicodedata, hashlib, base64, binascii, " \
	"uuid, enum, copy, pprint, difflib, struct, dataclasses, typing, logging"

char	   *pls_allowed_modules = NULL;
bool		pls_log_denials = true;
uint64		pls_denial_count = 0;

/* Python-callable deny(what, hint): logs and raises SandboxError. */
static PyObject *py_deny(PyObject *self, PyObject *args);

static PyMethodDef deny_def = {
	"deny", py_deny, METH_VARARGS,
	"Raise plsafepy's 42501 denial (trusted helpers only)."
};

/*
 * Python-callable compile_checked(tree, filename): compile() of the tree the
 * policy has just checked, for sandbox/policy.py.  self is the
 * interpreter's real compile, taken while it was built.  While it runs the
 * audit hook lets its compile event pass and quietly refuses the open
 * CPython's error path makes to show a compile error's source line (there
 * is no such file, and no user code runs while a tree compiles).
 */
static PyObject *
py_compile_checked(PyObject *self, PyObject *args)
{
	PyObject   *tree;
	PyObject   *filename;
	PyObject   *code;

	if (!PyArg_ParseTuple(args, "OU", &tree, &filename))
		return NULL;
	pls_audit_compiling(true);
	code = PyObject_CallFunction(self, "OOsii", tree, filename, "exec", 0, 1);
	pls_audit_compiling(false);
	return code;
}

static PyMethodDef compile_checked_def = {
	"compile_checked", py_compile_checked, METH_VARARGS,
	"Compile the tree the policy has checked (trusted helpers only)."
};

/*
 * Python-callable load(name): the trusted loader of whitelisted modules,
 * for sandbox/facades.py.  Returns None: the caller takes the module from
 * sys.modules, so this function hands out nothing even if it leaked.
 */
static PyObject *py_load_module(PyObject *self, PyObject *name);

static PyMethodDef load_module_def = {
	"load_module", py_load_module, METH_O,
	"Import a whitelisted module after lock-down (trusted helpers only)."
};

/*
 * Entries are "module" (its reviewed names, or every public name of a
 * module plsafepy has not reviewed) or "module:name" (that name only);
 * module is a dotted Python identifier.
 */
static bool
check_allowed_modules(char **newval, void **extra, GucSource source)
{
	const char *p = *newval;

	if (p == NULL)
		return true;
	while (*p)
	{
		int			idents = 0;
		bool		colon = false;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (*p == '\0')
			break;
		for (;;)
		{
			if (!(isalpha((unsigned char) *p) || *p == '_'))
			{
				GUC_check_errdetail("Each entry must be \"module\" or \"module:name\" with Python identifiers, near \"%s\".", p);
				return false;
			}
			while (isalnum((unsigned char) *p) || *p == '_')
				p++;
			idents++;
			if (*p == '.' && !colon)
			{
				p++;
				continue;
			}
			if (*p == ':' && !colon)
			{
				colon = true;
				p++;
				continue;
			}
			break;
		}
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (*p == ',')
			p++;
		else if (*p != '\0')
		{
			GUC_check_errdetail("Each entry must be \"module\" or \"module:name\" with Python identifiers, near \"%s\".", p);
			return false;
		}
		(void) idents;
	}
	return true;
}

void
pls_sandbox_init(void)
{
	DefineCustomStringVariable("plsafepy.allowed_modules",
							   "Python modules plsafepy functions may import.",
							   "A comma-separated list of \"module\" (its reviewed "
							   "public names) or \"module:name\" entries.  Read when "
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
}

/*
 * Log one denial by function `fn` (NULL: none running).  May be called
 * with Python code on the stack, so no PostgreSQL error may escape: an
 * error while logging is swallowed (the denial itself still happens).
 */
void
pls_log_denial(const char *message, const char *fn)
{
	MemoryContext oldcxt = CurrentMemoryContext;

	pls_denial_count++;
	if (!pls_log_denials)
		return;
	PG_TRY();
	{
		const char *role = GetUserNameFromId(GetUserId(), true);

		ereport(LOG,
				(errmsg("plsafepy denied: %s", message),
				 errdetail("Role \"%s\", %s%s%s.",
						   role ? role : "?",
						   fn ? "function \"" : "no function running",
						   fn ? fn : "",
						   fn ? "\"" : ""),
				 errhidecontext(true)));
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcxt);
		FlushErrorState();
	}
	PG_END_TRY();
}

PyObject *
pls_deny(const char *what, const char *hint)
{
	char		message[1024];
	PyObject   *cls = NULL;
	PyObject   *exc;

	snprintf(message, sizeof(message), "%s is not allowed in plsafepy", what);
	pls_log_denial(message, pls_current_proc ? pls_current_proc->name : NULL);

	if (pls_current && pls_current->sandbox)
		cls = PyDict_GetItemString(pls_current->sandbox, "SandboxError");
	if (cls == NULL || cls == Py_None)
		cls = PyExc_PermissionError;

	exc = PyObject_CallFunction(cls, "s", message);
	if (exc == NULL)
		return NULL;
	if (hint)
	{
		PyObject   *h = PyUnicode_FromString(hint);

		if (h == NULL || PyObject_SetAttrString(exc, "hint", h) < 0)
		{
			Py_XDECREF(h);
			Py_DECREF(exc);
			return NULL;
		}
		Py_DECREF(h);
	}
	PyErr_SetObject((PyObject *) Py_TYPE(exc), exc);
	Py_DECREF(exc);
	return NULL;
}

static PyObject *
py_deny(PyObject *self, PyObject *args)
{
	const char *what;
	const char *hint = NULL;

	if (!PyArg_ParseTuple(args, "s|z", &what, &hint))
		return NULL;
	return pls_deny(what, hint);
}

/*
 * __pls_callattr__(obj, name, *args, **kw): what the policy compiles
 * obj.format(...) and obj.format_map(...) into.  Fast path in C for the
 * common case, a str whose format string the Python side has already
 * checked (it is in the set); everything else goes to the Python version
 * (sandbox.call_attr), which checks and remembers.  self is the tuple
 * (checked set, call_attr) of this interpreter.
 */
#define PLS_CALLATTR_STACK 16

static PyObject *
py_callattr(PyObject *self, PyObject *const *args, size_t nargsf,
			PyObject *kwnames)
{
	Py_ssize_t	nargs = PyVectorcall_NARGS(nargsf);
	Py_ssize_t	nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
	PyObject   *checked = PyTuple_GET_ITEM(self, 0);
	PyObject   *slow = PyTuple_GET_ITEM(self, 1);

	if (nargs >= 2 && PyUnicode_CheckExact(args[0]) &&
		PyUnicode_CheckExact(args[1]) &&
		nargs - 1 + nkw <= PLS_CALLATTR_STACK &&
		(PyUnicode_CompareWithASCIIString(args[1], "format") == 0 ||
		 PyUnicode_CompareWithASCIIString(args[1], "format_map") == 0))
	{
		int			known = PySet_Contains(checked, args[0]);

		if (known < 0)
			return NULL;
		if (known)
		{
			PyObject   *stack[PLS_CALLATTR_STACK];

			stack[0] = args[0];
			memcpy(stack + 1, args + 2, (nargs - 2 + nkw) * sizeof(PyObject *));
			return PyObject_VectorcallMethod(args[1], stack, nargs - 1, kwnames);
		}
	}
	return PyObject_Vectorcall(slow, args, nargs, kwnames);
}

static PyMethodDef callattr_def = {
	"__pls_callattr__", (PyCFunction) (void (*) (void)) py_callattr,
	METH_FASTCALL | METH_KEYWORDS,
	"obj.format(...) through the format guard."
};

/* Replace the Python __pls_callattr__ in builtins by the C fast path. */
static int
install_callattr(PyObject *ns, PyObject *builtins)
{
	PyObject   *checked = PyDict_GetItemString(ns, "_checked_formats");
	PyObject   *slow = PyDict_GetItemString(ns, "call_attr");
	PyObject   *self;
	PyObject   *fn;
	int			rc;

	if (checked == NULL || slow == NULL || !PySet_Check(checked))
	{
		PyErr_SetString(PyExc_RuntimeError, "sandbox helper has no format guard");
		return -1;
	}
	self = PyTuple_Pack(2, checked, slow);
	if (self == NULL)
		return -1;
	fn = PyCFunction_New(&callattr_def, self);
	Py_DECREF(self);
	if (fn == NULL)
		return -1;
	rc = PyDict_SetItemString(builtins, "__pls_callattr__", fn);
	Py_DECREF(fn);
	return rc;
}

/*
 * Is module named in spec (a plsafepy.allowed_modules value, already
 * validated by check_allowed_modules)?
 */
static bool
module_in_spec(const char *spec, const char *module)
{
	size_t		len = strlen(module);
	const char *p = spec;

	while (*p)
	{
		const char *start;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == ',')
			p++;
		start = p;
		while (isalnum((unsigned char) *p) || *p == '_' || *p == '.')
			p++;
		if (p - start == len && strncmp(start, module, len) == 0)
			return true;
		while (*p && *p != ',')
			p++;
	}
	return false;
}

/*
 * What _datetime's C code imports on its own later (strftime, strptime;
 * sandbox/facades.py's C_LAZY_IMPORTS): loaded together with it.
 */
static const char *const datetime_dependencies[] = {"time", "_strptime", NULL};

/*
 * Loaded whatever the whitelist says, never handed out by this function:
 * those, decimal for numeric values (pls_sandbox_decimal), and the codecs
 * of the encodings package (sandbox/lockdown.py's _codec_search).
 */
static bool
always_loadable(const char *s)
{
	if (strcmp(s, "decimal") == 0)
		return true;
	for (int i = 0; datetime_dependencies[i]; i++)
		if (strcmp(s, datetime_dependencies[i]) == 0)
			return true;
	return strncmp(s, "encodings.", 10) == 0 && s[10] != '\0' &&
		strspn(s + 10, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == strlen(s + 10);
}

/*
 * Loads in progress: a load can start another (a codec looked up by module
 * code, user code run through a class attribute it replaced); only the
 * outermost opens and closes the import system.
 */
static int	load_depth = 0;
static int	load_gc_was = 0;

static const char *const import_system_names[] = {"meta_path", "path_hooks", "path"};

/*
 * Point sys.meta_path, sys.path_hooks and sys.path at the three lists of
 * state starting at offset: replacing existing keys of the sys dict, which
 * allocates nothing, so closing cannot fail for want of memory.
 */
static int
set_import_system(PyObject *state, int offset)
{
	for (int i = 0; i < 3; i++)
		if (PySys_SetObject(import_system_names[i], PyTuple_GET_ITEM(state, offset + i)) < 0)
			return -1;
	return 0;
}

/* Copies of sys.meta_path, sys.path_hooks, sys.path before lock-down. */
static int
save_import_system(PLSInterp *interp)
{
	PyObject   *state = PyTuple_New(6);

	if (state == NULL)
		return -1;
	for (int i = 0; i < 3; i++)
	{
		PyObject   *copy = PySequence_List(PySys_GetObject(import_system_names[i]));

		if (copy == NULL)
		{
			Py_DECREF(state);
			return -1;
		}
		PyTuple_SET_ITEM(state, i, copy);
	}
	interp->import_state = state;
	return 0;
}

/* The emptied lists lock-down left in sys, which the loader puts back. */
static int
save_closed_import_system(PLSInterp *interp)
{
	for (int i = 0; i < 3; i++)
	{
		PyObject   *list = PySys_GetObject(import_system_names[i]);

		if (list == NULL || !PyList_Check(list) || PyList_GET_SIZE(list) != 0)
		{
			PyErr_SetString(PyExc_RuntimeError, "lock-down left the import system open");
			return -1;
		}
		PyTuple_SET_ITEM(interp->import_state, 3 + i, Py_NewRef(list));
	}
	return 0;
}

/*
 * Open the import system as it was before lock-down, import, and close it
 * again.  The closing is C with no Python in between, so it happens even
 * when the import was interrupted (statement_timeout raising in module
 * code) or ran out of memory.  The collector is off meanwhile: it could
 * otherwise run finalizers of user objects inside the window.
 */
static PyObject *
py_load_module(PyObject *self, PyObject *name)
{
	PLSInterp  *interp = pls_current;
	const char *s;
	PyObject   *mod = NULL;
	bool		ok = true;

	if (!PyUnicode_Check(name) || (s = PyUnicode_AsUTF8(name)) == NULL)
	{
		if (!PyErr_Occurred())
			PyErr_SetString(PyExc_TypeError, "module name must be a string");
		return NULL;
	}
	if (interp == NULL || interp->builtins == NULL ||
		(!always_loadable(s) && !module_in_spec(interp->allowed_modules, s)))
	{
		char		what[256];

		snprintf(what, sizeof(what), "import of module \"%s\"", s);
		return pls_deny(what, NULL);
	}

	if (load_depth++ == 0)
	{
		if (set_import_system(interp->import_state, 0) < 0)
			ok = false;
		load_gc_was = PyGC_Disable();
		pls_audit_loading(true);
	}
	if (ok)
		mod = PyImport_ImportModule(s);
	if (mod != NULL &&
		PyDict_GetItemString(PyImport_GetModuleDict(), "_datetime") != NULL)
		for (int i = 0; datetime_dependencies[i] && mod != NULL; i++)
		{
			PyObject   *dep = PyImport_ImportModule(datetime_dependencies[i]);

			if (dep == NULL)
				Py_CLEAR(mod);
			Py_XDECREF(dep);
		}
	if (--load_depth > 0)
	{
		if (mod == NULL)
			return NULL;
		Py_DECREF(mod);
		Py_RETURN_NONE;
	}
	pls_audit_loading(false);
	if (load_gc_was)
		PyGC_Enable();

	/* Close again, whatever happened.  An error here beats one before. */
	{
		PyObject   *exc_type,
				   *exc_value,
				   *exc_tb;
		PyObject   *cache;

		PyErr_Fetch(&exc_type, &exc_value, &exc_tb);
		if (set_import_system(interp->import_state, 3) < 0)
			ereport(FATAL,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("plsafepy could not close the import system after loading module \"%s\"", s)));
		cache = PySys_GetObject("path_importer_cache");
		if (cache != NULL && PyDict_Check(cache))
			PyDict_Clear(cache);
		PyErr_Restore(exc_type, exc_value, exc_tb);
	}

	/* a new extension library may have been loaded */
	pls_segv_tripwire_refresh();

	if (mod == NULL)
		return NULL;
	Py_DECREF(mod);
	Py_RETURN_NONE;
}

/*
 * decimal.Decimal for numeric values, imported the first time one is
 * converted (a quarter of an interpreter's start-up otherwise).
 */
PyObject *
pls_sandbox_decimal(PLSInterp *interp)
{
	PyObject   *load = PyDict_GetItemString(interp->sandbox, "load_real");
	PyObject   *mod;

	if (load == NULL)
	{
		PyErr_SetString(PyExc_RuntimeError, "sandbox helper has no load_real");
		return NULL;
	}
	mod = PyObject_CallFunction(load, "s", "decimal");
	if (mod == NULL)
		return NULL;
	interp->decimal = PyObject_GetAttrString(mod, "Decimal");
	Py_DECREF(mod);
	return interp->decimal;
}

/*
 * Fill interp->builtins, ->policy, ->policy_error.  They are set only once
 * everything, lock-down included, has succeeded: an interpreter without
 * them fails closed in procedure.c.
 */
int
pls_sandbox_setup(PLSInterp *interp)
{
	PyObject   *ns;
	PyObject   *setup;
	PyObject   *lockdown;
	PyObject   *deny = NULL;
	PyObject   *print_fn = NULL;
	PyObject   *res = NULL;
	PyObject   *r;

	/* A freed interpreter's address may come back: start unlocked. */
	pls_audit_forget(PyInterpreterState_Get());

	interp->builtins = NULL;
	interp->policy = NULL;
	interp->policy_error = NULL;

	ns = pls_run_embedded(pls_py_sandbox);
	if (ns == NULL)
		return -1;
	interp->sandbox = ns;

	setup = PyDict_GetItemString(ns, "setup");
	lockdown = PyDict_GetItemString(ns, "lockdown");
	if (setup == NULL || lockdown == NULL)
	{
		PyErr_SetString(PyExc_RuntimeError, "sandbox helper is incomplete");
		return -1;
	}

	deny = PyCFunction_New(&deny_def, NULL);
	if (deny == NULL)
		goto fail;
	r = PyDict_GetItemString(PyEval_GetBuiltins(), "compile");
	r = r ? PyCFunction_New(&compile_checked_def, r) : NULL;
	if (r == NULL || PyDict_SetItemString(ns, "_compile_checked", r) < 0)
	{
		Py_XDECREF(r);
		if (!PyErr_Occurred())
			PyErr_SetString(PyExc_RuntimeError, "builtins has no compile");
		goto fail;
	}
	Py_DECREF(r);
	r = PyCFunction_New(&load_module_def, NULL);
	if (r == NULL || PyDict_SetItemString(ns, "_load_module", r) < 0)
	{
		Py_XDECREF(r);
		goto fail;
	}
	Py_DECREF(r);
	/* time.sleep's replacement calls it (sandbox/safetypes.py) */
	r = PyCFunction_New(&pls_sleep_def, NULL);
	if (r == NULL || PyDict_SetItemString(ns, "_interruptible_sleep", r) < 0)
	{
		Py_XDECREF(r);
		goto fail;
	}
	Py_DECREF(r);
	r = PyCFunction_New(&pls_drop_unraisable_def, NULL);
	if (r == NULL || PyDict_SetItemString(ns, "_drop_unraisable", r) < 0)
	{
		Py_XDECREF(r);
		goto fail;
	}
	Py_DECREF(r);
	print_fn = pls_plpy_print_new();
	if (print_fn == NULL)
		goto fail;

	res = PyObject_CallFunction(setup, "sOOO", interp->allowed_modules,
								deny, interp->plpy, print_fn);
	if (res == NULL)
		goto fail;
	if (!PyTuple_Check(res) || PyTuple_GET_SIZE(res) != 3 ||
		!PyDict_Check(PyTuple_GET_ITEM(res, 0)))
	{
		PyErr_SetString(PyExc_RuntimeError, "sandbox setup returned an unexpected value");
		goto fail;
	}

	if (install_callattr(ns, PyTuple_GET_ITEM(res, 0)) < 0)
		goto fail;

	/* lock-down empties these lists: the loader reopens copies */
	if (save_import_system(interp) < 0)
		goto fail;
	r = PyObject_CallNoArgs(lockdown);
	if (r == NULL)
		goto fail;
	Py_DECREF(r);

	if (save_closed_import_system(interp) < 0)
		goto fail;

	pls_audit_lock(PyInterpreterState_Get());
	/* the whitelisted modules' extension libraries are loaded now */
	pls_segv_tripwire_refresh();

	interp->builtins = Py_NewRef(PyTuple_GET_ITEM(res, 0));
	interp->policy = Py_NewRef(PyTuple_GET_ITEM(res, 1));
	interp->policy_error = Py_NewRef(PyTuple_GET_ITEM(res, 2));
	Py_DECREF(res);
	Py_DECREF(deny);
	Py_DECREF(print_fn);
	return 0;

fail:
	Py_XDECREF(res);
	Py_XDECREF(deny);
	Py_XDECREF(print_fn);
	return -1;
}

/*
 * plsafepy_whitelist(): every name the current role's interpreter
 * exposes, per module: the effective whitelist (the role's setting, as
 * settings.c resolved it when this role's interpreter was built in this
 * session).
 */
typedef struct WLRow
{
	char	   *module;
	char	   *name;
	char	   *kind;
} WLRow;

static char *
tuple_item_str(PyObject *t, Py_ssize_t i)
{
	PyObject   *o = PyTuple_GetItem(t, i);
	const char *s;

	if (o == NULL)
		return NULL;
	s = PyUnicode_AsUTF8(o);
	return s ? pstrdup(s) : NULL;
}

Datum
plsafepy_whitelist(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	PLSInterp  *interp;
	PLSEntry	save;
	WLRow	   *rows = NULL;
	volatile int nrows = 0;
	volatile bool failed = false;
	char	   *errtext = NULL;
	int			i;

	InitMaterializedSRF(fcinfo, 0);

	interp = pls_interp_for_role(GetUserId());
	pls_enter(interp, &save);
	PG_TRY();
	{
		PyObject   *describe = PyDict_GetItemString(interp->sandbox, "describe");
		PyObject   *list = describe ? PyObject_CallNoArgs(describe) : NULL;

		if (list == NULL || !PyList_Check(list))
			failed = true;
		else
		{
			Py_ssize_t	n = PyList_GET_SIZE(list);

			rows = palloc0(sizeof(WLRow) * (n + 1));
			for (Py_ssize_t j = 0; j < n && !failed; j++)
			{
				PyObject   *t = PyList_GET_ITEM(list, j);

				if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) != 3 ||
					(rows[j].module = tuple_item_str(t, 0)) == NULL ||
					(rows[j].name = tuple_item_str(t, 1)) == NULL ||
					(rows[j].kind = tuple_item_str(t, 2)) == NULL)
					failed = true;
				nrows = j + 1;
			}
		}
		Py_XDECREF(list);
		if (failed)
		{
			if (PyErr_Occurred())
			{
				PyObject   *type,
						   *value,
						   *tb;
				PyObject   *s;

				PyErr_Fetch(&type, &value, &tb);
				s = value ? PyObject_Str(value) : NULL;
				if (s && PyUnicode_AsUTF8(s))
					errtext = pstrdup(PyUnicode_AsUTF8(s));
				Py_XDECREF(s);
				Py_XDECREF(type);
				Py_XDECREF(value);
				Py_XDECREF(tb);
			}
			PyErr_Clear();
		}
	}
	PG_FINALLY();
	{
		pls_leave(&save);
	}
	PG_END_TRY();

	if (failed)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("could not list the plsafepy module whitelist"),
				 errtext ? errdetail_internal("%s", errtext) : 0));

	for (i = 0; i < nrows; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = CStringGetTextDatum(rows[i].module);
		values[1] = CStringGetTextDatum(rows[i].name);
		values[2] = CStringGetTextDatum(rows[i].kind);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
