/*-------------------------------------------------------------------------
 *
 * sandbox.c
 *	  The set-up of each role interpreter's restricted runtime (run last by
 *	  pls_interp_build: facades, builtins, policy, then lock-down), 42501
 *	  denials, and the C functions that keep trusted objects out of what
 *	  user code can reach: module-less copies of C functions, the crossings
 *	  to the trusted namespace, and the class-namespace check of every
 *	  class made while user code runs.  The trusted loader of whitelisted
 *	  modules and its window are sandbox_loader.c's.
 *
 * The policy, builtins and facades themselves are Python (src/sandbox/,
 * trusted, compiled in, run in two namespaces: sandbox/names.py says
 * why); this file feeds them the role's whitelist, gives them the C
 * functions, and closes the interpreter afterwards.  See docs/security.md
 * for the layers and what each assumes.  Part of the core (pyhost.h): the
 * settings and SQL functions of the sandbox are sandbox_sql.c's.
 *
 *-------------------------------------------------------------------------
 */
#include "sandbox_int.h"
#include "plpy_host.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* type's own tp_new, and the one that checks class namespaces first. */
static newfunc type_new_orig = NULL;
static PyObject *pls_type_new(PyTypeObject *metatype, PyObject *args,
							  PyObject *kwargs);

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
 * Python-callable _parse_eval(s): the syntax tree of expression s, as
 * ast.parse(s, mode="eval") makes it, for the trusted side's
 * ast.literal_eval (sandbox/builtins.py).  The parse raises the audit
 * event "compile", which the hook lets pass while this runs (no user code
 * runs meanwhile); nothing is compiled to code.
 */
static PyObject *
py_parse_eval(PyObject *self, PyObject *arg)
{
	PyCompilerFlags flags = _PyCompilerFlags_INIT;
	const char *s;
	Py_ssize_t	len;
	PyObject   *tree;
	int			gc_was;

	if (!PyUnicode_Check(arg))
	{
		PyErr_SetString(PyExc_TypeError, "expression must be a str");
		return NULL;
	}
	if ((s = pls_str_utf8(arg, &len)) == NULL)
		return NULL;
	/*
	 * A str's coding cookie is ignored, as compile() of a str ignores it:
	 * the text would otherwise name the codec the parser decodes it with
	 */
	flags.cf_flags = PyCF_ONLY_AST | PyCF_SOURCE_IS_UTF8 | PyCF_IGNORE_COOKIE;
	/* the collector could run finalizers of user objects meanwhile */
	gc_was = PyGC_Disable();
	pls_audit_compiling(true);
	tree = Py_CompileStringExFlags(s, "<unknown>", Py_eval_input, &flags, -1);
	pls_audit_compiling(false);
	if (gc_was)
		PyGC_Enable();
	return tree;
}

static PyMethodDef parse_eval_def = {
	"_parse_eval", py_parse_eval, METH_O,
	"The syntax tree of an expression (trusted helpers only)."
};

/*
 * Python-callable _zone_data(key): the time-zone file of zone key (bytes),
 * or None if there is none, from the host (pls_host_zone_data), for
 * sandbox/moduleguards.py's zoneinfo.  A key the host could not be given
 * (not UTF-8, a NUL) or that is too long names no zone.
 */
static PyObject *
py_zone_data(PyObject *self, PyObject *key)
{
	const char *s;
	Py_ssize_t	len;

	if (!PyUnicode_Check(key))
	{
		PyErr_SetString(PyExc_TypeError, "zone key must be a str");
		return NULL;
	}
	if ((s = pls_str_utf8(key, &len)) == NULL)
	{
		/* a NUL or a lone surrogate (ValueErrors): no zone's name */
		if (!PyErr_ExceptionMatches(PyExc_ValueError))
			return NULL;
		PyErr_Clear();
		Py_RETURN_NONE;
	}
	if (len > PLS_ZONE_KEY_MAX)
		Py_RETURN_NONE;
	return pls_host_zone_data(s, (size_t) len);
}

static PyMethodDef zone_data_def = {
	"_zone_data", py_zone_data, METH_O,
	"The time-zone file of a zone key, or None (zoneinfo's data)."
};


/*
 * Every class made while user code runs gets the class-namespace check
 * (pls_type_new): once per process, before any plsafepy interpreter exists.
 */
void
pls_type_check_install(void)
{
	if (type_new_orig == NULL)
	{
		type_new_orig = PyType_Type.tp_new;
		PyType_Type.tp_new = pls_type_new;
	}
}

PyObject *
pls_deny(const char *what, const char *hint)
{
	char		message[1024];
	PyObject   *cls = NULL;
	PyObject   *exc;

	snprintf(message, sizeof(message), "%s is not allowed in plsafepy", what);
	pls_host_log_denial(message, pls_host_function_name());

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
 * _detach(f): a copy of the C function f without its module.  A function of
 * a C module has the module as its __self__ (abs.__self__ is the builtins
 * module; from any real module, __spec__.loader reaches the import
 * system), so the restricted builtins and the guards' globals hold these
 * copies.  Only for functions whose C code does not use its module
 * argument (the builtins module's and _string's: they have no module
 * state); anything else is returned unchanged.
 */
static PyObject *
py_detach(PyObject *self, PyObject *fn)
{
	PyMethodDef *ml;
	PyObject   *mself;

	if (!PyCFunction_Check(fn))
		return Py_NewRef(fn);
	ml = ((PyCFunctionObject *) fn)->m_ml;
	mself = PyCFunction_GET_SELF(fn);
	if (mself == NULL || !PyModule_Check(mself) ||
		(ml->ml_flags & (METH_METHOD | METH_CLASS | METH_STATIC)) != 0)
		return Py_NewRef(fn);
	return PyCFunction_NewEx(ml, NULL, ((PyCFunctionObject *) fn)->m_module);
}

static PyMethodDef detach_def = {
	"_detach", py_detach, METH_O,
	"A copy of a module's C function without the module (trusted helpers only)."
};

/*
 * The trusted namespace of the interpreter running now, or NULL with an
 * exception set: the C side holds it, no Python object reachable from user
 * code does.
 */
static PyObject *
trusted_namespace(void)
{
	PLSInterp  *interp = pls_current;

	if (interp == NULL || interp->sandbox == NULL ||
		PyThreadState_GetInterpreter(interp->tstate) != PyInterpreterState_Get())
	{
		PyErr_SetString(PyExc_RuntimeError, "plsafepy sandbox is not available");
		return NULL;
	}
	return interp->sandbox;
}

/*
 * A crossing: a C function, its __self__ the name of one function of the
 * trusted namespace, that calls that function.  The guards use two
 * (names.py's _nfkc, guards.py's _load_facade), each returning only what
 * user code may have; _cross itself stays in the trusted namespace.
 */
static PyObject *
py_cross_call(PyObject *self, PyObject *args, PyObject *kwargs)
{
	PyObject   *ns = trusted_namespace();
	PyObject   *target;

	if (ns == NULL)
		return NULL;
	target = PyDict_GetItemWithError(ns, self);
	if (target == NULL)
	{
		if (!PyErr_Occurred())
			PyErr_SetString(PyExc_RuntimeError, "sandbox helper is incomplete");
		return NULL;
	}
	return PyObject_Call(target, args, kwargs);
}

static PyMethodDef cross_call_def = {
	"crossing", (PyCFunction) (void (*) (void)) py_cross_call,
	METH_VARARGS | METH_KEYWORDS,
	"Calls one function of plsafepy's trusted namespace."
};

static PyObject *
py_cross(PyObject *self, PyObject *name)
{
	if (!PyUnicode_CheckExact(name))
	{
		PyErr_SetString(PyExc_TypeError, "name must be a str");
		return NULL;
	}
	return PyCFunction_New(&cross_call_def, name);
}

static PyMethodDef cross_def = {
	"_cross", py_cross, METH_O,
	"A crossing to one function of the trusted namespace (trusted helpers only)."
};

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
 * Every class made in a locked interpreter while user code runs (outside
 * the loader's window, or inside it from a function body) gets the
 * class-body rule of the policy (sandbox/names.py's check_class_namespace):
 * type(name, bases, dict), type(int)(...), a metaclass of a whitelisted
 * module called directly (enum.EnumType, abc.ABCMeta through
 * type(fractions.Fraction)), a user metaclass, enum's functional API with
 * dunder member names.  They all end in type's tp_new, the one place that
 * sees the namespace that becomes the class, so that is where the check
 * is: PyType_Type.tp_new is replaced once per process, before any
 * plsafepy interpreter exists, so every metaclass of those interpreters
 * inherits the check.  The namespace is copied into an exact dict first
 * (what type_new would copy anyway), checked, and that copy is what the
 * class is made from: a dict subclass cannot show the check one set of
 * keys and type_new another.  One-argument type(x) never reaches here.
 */
static PyObject *
pls_type_new(PyTypeObject *metatype, PyObject *args, PyObject *kwargs)
{
	PyObject   *ns;
	PyObject   *trusted;
	PyObject   *check;
	PyObject   *copy;
	PyObject   *checked_args;
	PyObject   *r;

	if (!PyTuple_Check(args) || PyTuple_GET_SIZE(args) != 3 ||
		!PyDict_Check(PyTuple_GET_ITEM(args, 2)) ||
		!pls_audit_is_locked(PyInterpreterState_Get()) ||
		pls_loader_window_open())
		return type_new_orig(metatype, args, kwargs);

	ns = PyTuple_GET_ITEM(args, 2);
	trusted = trusted_namespace();
	if (trusted == NULL)
		return NULL;
	check = PyDict_GetItemString(trusted, "check_class_namespace");
	if (check == NULL)
	{
		PyErr_SetString(PyExc_RuntimeError, "sandbox helper has no class check");
		return NULL;
	}
	copy = PyDict_New();
	if (copy == NULL)
		return NULL;
	if (PyDict_Merge(copy, ns, 1) < 0 ||
		(r = PyObject_CallOneArg(check, copy)) == NULL)
	{
		Py_DECREF(copy);
		return NULL;
	}
	Py_DECREF(r);
	checked_args = PyTuple_Pack(3, PyTuple_GET_ITEM(args, 0),
								PyTuple_GET_ITEM(args, 1), copy);
	Py_DECREF(copy);
	if (checked_args == NULL)
		return NULL;
	r = type_new_orig(metatype, checked_args, kwargs);
	Py_DECREF(checked_args);
	return r;
}

/*
 * decimal.Decimal for numeric values, imported the first time one is
 * converted (a quarter of an interpreter's start-up otherwise).
 */
/* A function of the sandbox's namespace (borrowed), or NULL with an error. */
static PyObject *
sandbox_function(PLSInterp *interp, const char *name)
{
	PyObject   *f = PyDict_GetItemString(interp->sandbox, name);

	if (f == NULL)
		PyErr_Format(PyExc_RuntimeError, "sandbox helper has no %s", name);
	return f;
}

PyObject *
pls_sandbox_decimal(PLSInterp *interp)
{
	PyObject   *load = sandbox_function(interp, "load_real");
	PyObject   *mod;

	if (load == NULL)
		return NULL;
	mod = PyObject_CallFunction(load, "s", "decimal");
	if (mod == NULL)
		return NULL;
	interp->decimal = PyObject_GetAttrString(mod, "Decimal");
	Py_DECREF(mod);
	return interp->decimal;
}

PyObject *
pls_sandbox_describe(PLSInterp *interp)
{
	PyObject   *describe = sandbox_function(interp, "describe");
	PyObject   *list;

	if (describe == NULL)
		return NULL;
	list = PyObject_CallNoArgs(describe);
	if (list == NULL)
		return NULL;
	if (!PyList_Check(list))
		goto bad;
	for (Py_ssize_t i = 0; i < PyList_GET_SIZE(list); i++)
	{
		PyObject   *t = PyList_GET_ITEM(list, i);

		if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) != 3 ||
			!PyUnicode_Check(PyTuple_GET_ITEM(t, 0)) ||
			!PyUnicode_Check(PyTuple_GET_ITEM(t, 1)) ||
			!PyUnicode_Check(PyTuple_GET_ITEM(t, 2)))
			goto bad;
	}
	return list;

bad:
	Py_DECREF(list);
	PyErr_SetString(PyExc_TypeError,
					"describe() did not return (module, name, kind) tuples");
	return NULL;
}

/* Parts of pls_py_sandbox run in the reachable namespace (names.py). */
static bool
reachable_part(const char *name)
{
	return strcmp(name, "sandbox/names") == 0 ||
		strcmp(name, "sandbox/guards") == 0 ||
		strcmp(name, "sandbox/safetypes") == 0 ||
		strcmp(name, "sandbox/moduleguards") == 0 ||
		strcmp(name, "sandbox/records") == 0 ||
		strcmp(name, "sandbox/logbridge") == 0;
}

/* Set name in ns to a new C function of def (no self). */
static int
set_c_function(PyObject *ns, const char *name, PyMethodDef *def)
{
	PyObject   *fn = PyCFunction_New(def, NULL);
	int			rc;

	if (fn == NULL)
		return -1;
	rc = PyDict_SetItemString(ns, name, fn);
	Py_DECREF(fn);
	return rc;
}

/* _compile_checked: the real compile() as self (py_compile_checked) */
static int
set_compile_checked(PyObject *ns)
{
	PyObject   *compile = PyDict_GetItemString(PyEval_GetBuiltins(), "compile");
	PyObject   *fn;
	int			rc;

	if (compile == NULL)
	{
		PyErr_SetString(PyExc_RuntimeError, "builtins has no compile");
		return -1;
	}
	fn = PyCFunction_New(&compile_checked_def, compile);
	if (fn == NULL)
		return -1;
	rc = PyDict_SetItemString(ns, "_compile_checked", fn);
	Py_DECREF(fn);
	return rc;
}

/*
 * Run the parts of pls_py_sandbox: the trusted ones in interp->sandbox,
 * the reachable ones in the namespace builtins.py's _reachable_namespace()
 * makes; then the reachable names are copied into the trusted namespace
 * (sandbox/names.py).
 */
static int
run_sandbox_parts(PyObject *trusted)
{
	PyObject   *reachable = NULL;
	bool		merged = false;
	int			rc = -1;

	for (const PLSEmbedded *part = pls_py_sandbox; part->name; part++)
	{
		PyObject   *ns = trusted;

		if (reachable_part(part->name))
		{
			if (reachable == NULL)
			{
				PyObject   *make = PyDict_GetItemString(trusted, "_reachable_namespace");

				reachable = make ? PyObject_CallNoArgs(make) : NULL;
				if (reachable == NULL || !PyDict_Check(reachable))
				{
					if (!PyErr_Occurred())
						PyErr_SetString(PyExc_RuntimeError, "sandbox helper made no reachable namespace");
					goto done;
				}
			}
			ns = reachable;
		}
		else if (reachable != NULL && !merged)
		{
			if (PyDict_Merge(trusted, reachable, 0) < 0 ||
				PyDict_SetItemString(trusted, "_reachable", reachable) < 0)
				goto done;
			merged = true;
		}
		if (pls_run_part(part, ns) < 0)
			goto done;
	}
	if (!merged)
	{
		PyErr_SetString(PyExc_RuntimeError, "sandbox helper is incomplete");
		goto done;
	}
	rc = 0;
done:
	Py_XDECREF(reachable);
	return rc;
}

/*
 * A WARNING for each module of the whitelist that this installation does
 * not have (sandbox/facades.py's whitelist_warnings): once per role and
 * session, as the interpreter is built once.  Imports of it fail.
 */
static int
warn_unavailable(PyObject *ns)
{
	PyObject   *list = PyDict_GetItemString(ns, "whitelist_warnings");

	if (list == NULL || !PyList_Check(list))
	{
		PyErr_SetString(PyExc_RuntimeError, "sandbox helper is incomplete");
		return -1;
	}
	for (Py_ssize_t i = 0; i < PyList_GET_SIZE(list); i++)
	{
		const char *module = PyUnicode_AsUTF8(PyList_GET_ITEM(list, i));

		if (module == NULL)
			return -1;
		pls_host_module_unavailable(module);
	}
	return 0;
}

/*
 * time.sleep for sandboxed code: the host waits, ending early when its
 * interrupt comes (the backend's latch, the worker's futex).
 */
static bool
sleep_seconds(PyObject *arg, double *secs)
{
	*secs = PyFloat_AsDouble(arg);
	if (*secs == -1.0 && PyErr_Occurred())
		return false;
	if (isnan(*secs) || *secs < 0)
	{
		PyErr_SetString(PyExc_ValueError, "sleep length must be non-negative");
		return false;
	}
	if (*secs > 1e9)
		*secs = 1e9;
	return true;
}

static PyObject *
py_sleep(PyObject *self, PyObject *arg)
{
	double		secs;

	if (!sleep_seconds(arg, &secs) || pls_host_sleep(secs) < 0)
		return NULL;
	Py_RETURN_NONE;
}

static PyMethodDef sleep_def = {
	"sleep", py_sleep, METH_O,
	"sleep(seconds)\n--\n\nWait; a cancel or statement timeout ends the wait."
};

/*
 * sys.unraisablehook of every role's interpreter: exceptions in finalizers
 * (a generator's finally run at clean-up) would be printed to the host's
 * stderr (the backend's: into the log, bare and unbounded); they are
 * dropped.  In C, because a hook written in Python is stopped in turn by
 * the interrupt that stopped the finalizer, and CPython prints that
 * failure to stderr.
 */
static PyObject *
drop_unraisable(PyObject *self, PyObject *unraisable)
{
	Py_RETURN_NONE;
}

static PyMethodDef drop_unraisable_def = {
	"drop_unraisable", drop_unraisable, METH_O,
	"drop_unraisable(unraisable)\n--\n\nDrop an exception raised in a finalizer."
};

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
	PyObject   *print_fn = NULL;
	PyObject   *res = NULL;
	PyObject   *r;

	/* A freed interpreter's address may come back: start unlocked. */
	pls_audit_forget(PyInterpreterState_Get());

	interp->builtins = NULL;
	interp->policy = NULL;
	interp->policy_error = NULL;

	ns = PyDict_New();
	if (ns == NULL)
		return -1;
	/* set first: the crossings and pls_deny find it there */
	interp->sandbox = ns;
	if (PyDict_SetItemString(ns, "__builtins__", PyEval_GetBuiltins()) < 0 ||
		set_c_function(ns, "_deny_c", &deny_def) < 0 ||
		set_compile_checked(ns) < 0 ||
		set_c_function(ns, "_load_module", &pls_load_module_def) < 0 ||
		set_c_function(ns, "_interruptible_sleep", &sleep_def) < 0 ||
		set_c_function(ns, "_drop_unraisable", &drop_unraisable_def) < 0 ||
		set_c_function(ns, "_detach", &detach_def) < 0 ||
		set_c_function(ns, "_cross", &cross_def) < 0 ||
		set_c_function(ns, "_loader_pass", &pls_loader_pass_def) < 0 ||
		set_c_function(ns, "_parse_eval", &parse_eval_def) < 0 ||
		set_c_function(ns, "_zone_data", &zone_data_def) < 0 ||
		set_c_function(ns, "_xml_entities_check", &pls_xml_entities_check_def) < 0 ||
		run_sandbox_parts(ns) < 0)
		return -1;

	setup = PyDict_GetItemString(ns, "setup");
	lockdown = PyDict_GetItemString(ns, "lockdown");
	if (setup == NULL || lockdown == NULL)
	{
		PyErr_SetString(PyExc_RuntimeError, "sandbox helper is incomplete");
		return -1;
	}

	print_fn = pls_host_print_new();
	if (print_fn == NULL)
		goto fail;

	res = PyObject_CallFunction(setup, "sOO", interp->allowed_modules,
								interp->plpy, print_fn);
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
	if (pls_loader_save_import_system(interp) < 0)
		goto fail;
	r = PyObject_CallNoArgs(lockdown);
	if (r == NULL)
		goto fail;
	Py_DECREF(r);

	if (pls_loader_save_closed_import_system(interp) < 0)
		goto fail;

	if (pls_audit_lock(PyInterpreterState_Get()) < 0)
		goto fail;
	/* the whitelisted modules' extension libraries are loaded now */
	pls_host_extensions_loaded();

	if (warn_unavailable(ns) < 0)
		goto fail;

	interp->builtins = Py_NewRef(PyTuple_GET_ITEM(res, 0));
	interp->policy = Py_NewRef(PyTuple_GET_ITEM(res, 1));
	interp->policy_error = Py_NewRef(PyTuple_GET_ITEM(res, 2));
	Py_DECREF(res);
	Py_DECREF(print_fn);
	return 0;

fail:
	Py_XDECREF(res);
	Py_XDECREF(print_fn);
	return -1;
}
