/*-------------------------------------------------------------------------
 *
 * sandbox_loader.c
 *	  The trusted loader of whitelisted modules after lock-down (load(name),
 *	  for sandbox/facades.py), its window (the import system opened while
 *	  it runs, and closed again), the modules no interpreter may import
 *	  (C accelerators with process-wide state), and the stubs of OS
 *	  primitives that call the real function only inside that window and
 *	  not from a function body.  Part of the core (pyhost.h); sandbox.c
 *	  sets the interpreter up and hands these functions to the trusted
 *	  namespace.
 *
 *-------------------------------------------------------------------------
 */
#include "sandbox_int.h"
#include "plpy_host.h"

#include <string.h>

/*
 * Python-callable load(name): the trusted loader of whitelisted modules,
 * for sandbox/facades.py.  Returns None: the caller takes the module from
 * sys.modules, so this function hands out nothing even if it leaked.
 */
static PyObject *py_load_module(PyObject *self, PyObject *name);

PyMethodDef pls_load_module_def = {
	"load_module", py_load_module, METH_O,
	"Import a whitelisted module after lock-down (trusted helpers only)."
};

/*
 * C accelerators of 3.11 whose state is the process's, not the
 * interpreter's: static types, caches holding one interpreter's objects,
 * and pointers into whichever interpreter imported them last (_zoneinfo's
 * functions of zoneinfo._tzpath and zoneinfo._common, _elementtree's of
 * pyexpat's C API), which every role's interpreter and plpython3u's would
 * share and one interpreter's end would leave dangling.  sys.modules holds
 * None for them, so their packages take their pure Python implementation
 * (zoneinfo's ZoneInfo, xml.etree.ElementTree's Element and XMLParser), in
 * both isolations alike.
 */
static const char *const shared_state_modules[] = {"_zoneinfo", "_elementtree", NULL};

int
pls_sandbox_block_modules(void)
{
	PyObject   *modules = PyImport_GetModuleDict();

	for (int i = 0; shared_state_modules[i]; i++)
		if (PyDict_SetItemString(modules, shared_state_modules[i], Py_None) < 0)
			return -1;
	return 0;
}

/*
 * What _datetime's C code imports on its own later (strftime, strptime;
 * sandbox/facades.py's C_LAZY_IMPORTS): loaded together with it, and with
 * time, whose strptime imports _strptime.
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
 * Is s what a whitelisted module's own code imports later on its own
 * (sandbox/facades.py's LOADED_WITH: module -> its dependencies)?  Loaded
 * with that module, never handed out by this function.
 */
static bool
loaded_with_whitelisted(PLSInterp *interp, const char *s)
{
	PyObject   *table = PyDict_GetItemString(interp->sandbox, "LOADED_WITH");
	PyObject   *module;
	PyObject   *deps;
	Py_ssize_t	pos = 0;

	if (table == NULL || !PyDict_Check(table))
		return false;
	while (PyDict_Next(table, &pos, &module, &deps))
	{
		const char *m = PyUnicode_Check(module) ? PyUnicode_AsUTF8(module) : NULL;

		if (m == NULL || !PyTuple_Check(deps))
		{
			PyErr_Clear();
			continue;
		}
		if (!pls_whitelist_has(interp->allowed_modules, m))
			continue;
		for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(deps); i++)
		{
			PyObject   *dep = PyTuple_GET_ITEM(deps, i);

			if (PyUnicode_Check(dep) && PyUnicode_CompareWithASCIIString(dep, s) == 0)
				return true;
		}
	}
	return false;
}

/*
 * Loads in progress: a load can start another (a codec looked up by module
 * code, user code run through a class attribute it replaced); only the
 * outermost opens and closes the import system.
 */
static int	load_depth = 0;
static int	load_gc_was = 0;

/* The loader runs, and no function body is the innermost frame. */
bool
pls_loader_window_open(void)
{
	return load_depth > 0 && !pls_user_code_running();
}

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
int
pls_loader_save_import_system(PLSInterp *interp)
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
int
pls_loader_save_closed_import_system(PLSInterp *interp)
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
 * Import name in the loader's window.  An interpreter whose modules were
 * all imported when it was built (the worker, which can open no file once
 * locked in) takes it from sys.modules, and a module not there is an
 * ImportError: the import system would look for files.
 */
static PyObject *
import_now(PLSInterp *interp, const char *name)
{
	PyObject   *mod;

	if (!interp->imports_preloaded)
		return PyImport_ImportModule(name);
	mod = PyDict_GetItemString(PyImport_GetModuleDict(), name);
	if (mod == NULL)
	{
		PyObject   *failed = interp->preload_errors ?
			PyDict_GetItemString(interp->preload_errors, name) : NULL;

		/* the import failed when the interpreter was built: that error */
		if (failed != NULL)
			PyErr_SetObject((PyObject *) Py_TYPE(failed), failed);
		else
			PyErr_Format(PyExc_ImportError,
						 "module \"%s\" was not imported when the interpreter was built",
						 name);
		return NULL;
	}
	return Py_NewRef(mod);
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
		pls_never_allowed_reason(s, strlen(s)) != NULL ||
		(!always_loadable(s) && !loaded_with_whitelisted(interp, s) &&
		 !pls_whitelist_has(interp->allowed_modules, s)))
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
		mod = import_now(interp, s);
	if (mod != NULL &&
		(strcmp(s, "time") == 0 ||
		 PyDict_GetItemString(PyImport_GetModuleDict(), "_datetime") != NULL))
		for (int i = 0; datetime_dependencies[i] && mod != NULL; i++)
		{
			PyObject   *dep = import_now(interp, datetime_dependencies[i]);

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
		{
			char		message[1024];

			snprintf(message, sizeof(message),
					 "plsafepy could not close the import system after loading module \"%s\"", s);
			pls_host_fatal(message);
		}
		cache = PySys_GetObject("path_importer_cache");
		if (cache != NULL && PyDict_Check(cache))
			PyDict_Clear(cache);
		PyErr_Restore(exc_type, exc_value, exc_tb);
	}

	/* a new extension library may have been loaded */
	pls_host_extensions_loaded();

	if (mod == NULL)
		return NULL;
	Py_DECREF(mod);
	Py_RETURN_NONE;
}

/*
 * _loader_pass(qualname, real): the stub of an OS primitive or module
 * constructor that trusted import code needs (sandbox/lockdown.py's
 * LOADER_PASS): it calls real only while py_load_module's window is open
 * and the innermost frame is not a function body, both decided from C
 * state (not from sys.meta_path, which user code that reached sys could
 * refill), and is the 42501 denial otherwise.  real is held in a capsule,
 * the stub's __self__, which Python cannot open.
 */
#define LOADER_PASS_CAPSULE "plsafepy.loader_pass"

typedef struct LoaderPass
{
	PyObject   *real;
	char		what[128];
} LoaderPass;

static void
loader_pass_free(PyObject *capsule)
{
	LoaderPass *lp = PyCapsule_GetPointer(capsule, LOADER_PASS_CAPSULE);

	if (lp == NULL)
	{
		PyErr_Clear();
		return;
	}
	Py_XDECREF(lp->real);
	PyMem_Free(lp);
}

static PyObject *
py_loader_pass_call(PyObject *self, PyObject *args, PyObject *kwargs)
{
	LoaderPass *lp = PyCapsule_GetPointer(self, LOADER_PASS_CAPSULE);

	if (lp == NULL)
		return NULL;
	if (pls_loader_window_open())
		return PyObject_Call(lp->real, args, kwargs);
	return pls_deny(lp->what, NULL);
}

static PyMethodDef loader_pass_call_def = {
	"neutered", (PyCFunction) (void (*) (void)) py_loader_pass_call,
	METH_VARARGS | METH_KEYWORDS,
	"An OS primitive, available to plsafepy's module loader only."
};

static PyObject *
py_loader_pass(PyObject *self, PyObject *args)
{
	const char *qualname;
	PyObject   *real;
	LoaderPass *lp;
	PyObject   *capsule;
	PyObject   *fn;

	if (!PyArg_ParseTuple(args, "sO", &qualname, &real))
		return NULL;
	lp = PyMem_Malloc(sizeof(LoaderPass));
	if (lp == NULL)
		return PyErr_NoMemory();
	lp->real = Py_NewRef(real);
	snprintf(lp->what, sizeof(lp->what), "%s()", qualname);
	capsule = PyCapsule_New(lp, LOADER_PASS_CAPSULE, loader_pass_free);
	if (capsule == NULL)
	{
		Py_DECREF(real);
		PyMem_Free(lp);
		return NULL;
	}
	fn = PyCFunction_New(&loader_pass_call_def, capsule);
	Py_DECREF(capsule);
	return fn;
}

PyMethodDef pls_loader_pass_def = {
	"_loader_pass", py_loader_pass, METH_VARARGS,
	"The loader-window stub of an OS primitive (trusted helpers only)."
};
