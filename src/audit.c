/*-------------------------------------------------------------------------
 *
 * audit.c
 *	  The tripwire: a C audit hook (PEP 578), added before Python starts so
 *	  no Python code can remove it, that denies every audited operation
 *	  except a short allowlist while a locked plsafepy interpreter is
 *	  running, and logs each denial with role and function.
 *
 * It is the last layer: the policy, the builtins and the facades should
 * have made every audited operation unreachable already, so any event that
 * gets here from a sandboxed interpreter is an escape in progress (or a
 * trusted module doing I/O it should not).  Scope: the hook looks at the
 * running interpreter, not at a process-wide flag, so plpython3u in the
 * same backend (main interpreter) and plsafepy's own work in the main
 * interpreter between calls (SPI, via pls_suspend) are never affected.
 *
 *-------------------------------------------------------------------------
 */
#include "sandbox_int.h"

#include <fcntl.h>
#include <string.h>

/*
 * Locked interpreters: a handful per backend (one per role that called
 * plsafepy), so a linear scan is cheaper than anything smarter.
 */
static PyInterpreterState **locked = NULL;
static int	nlocked = 0;
static int	maxlocked = 0;
static bool installed = false;

/*
 * Set while sandbox.c's compile_checked compiles the tree the policy has
 * just accepted.
 */
static bool compiling = false;

/*
 * Set while sandbox_loader.c's trusted loader imports a whitelisted module: the
 * stdlib's own import-time work (reading its files, running its module
 * code) must pass, and nothing else does.
 */
static bool loading = false;

void
pls_audit_compiling(bool on)
{
	compiling = on;
}

void
pls_audit_loading(bool on)
{
	loading = on;
}

bool
pls_audit_is_locked(PyInterpreterState *is)
{
	for (int i = 0; i < nlocked; i++)
		if (locked[i] == is)
			return true;
	return false;
}

/* 0, or -1 with MemoryError (is is then not locked). */
int
pls_audit_lock(PyInterpreterState *is)
{
	if (pls_audit_is_locked(is))
		return 0;
	if (nlocked == maxlocked)
	{
		int			n = maxlocked ? maxlocked * 2 : 8;
		PyInterpreterState **a = (PyInterpreterState **)
			PyMem_RawRealloc(locked, n * sizeof(PyInterpreterState *));

		if (a == NULL)
		{
			PyErr_NoMemory();
			return -1;
		}
		locked = a;
		maxlocked = n;
	}
	locked[nlocked++] = is;
	return 0;
}

void
pls_audit_forget(PyInterpreterState *is)
{
	for (int i = 0; i < nlocked; i++)
		if (locked[i] == is)
		{
			locked[i] = locked[--nlocked];
			return;
		}
}

static bool
is_dunder_arg(PyObject *args, Py_ssize_t i)
{
	PyObject   *name;
	const char *s;
	size_t		len;

	if (!PyTuple_Check(args) || PyTuple_GET_SIZE(args) <= i)
		return true;
	name = PyTuple_GET_ITEM(args, i);
	if (!PyUnicode_Check(name))
		return true;
	s = PyUnicode_AsUTF8(name);
	if (s == NULL)
	{
		PyErr_Clear();
		return true;
	}
	len = strlen(s);
	return len >= 4 && s[0] == '_' && s[1] == '_' &&
		s[len - 1] == '_' && s[len - 2] == '_';
}

/*
 * What importing a module raises (measured over the default whitelist):
 * finding and reading its files (read-only opens, directory listings, the
 * unmarshalling of cached bytecode), running its module code, compiling
 * and running what namedtuple and dataclasses generate, and setting class
 * attributes.  Sockets, processes, writes, ctypes and the rest stay denied
 * even then.
 */
static bool
load_event_allowed(const char *event, PyObject *args)
{
	if (strcmp(event, "open") == 0)
	{
		PyObject   *mode;
		PyObject   *flags;
		const char *m;

		if (!PyTuple_Check(args) || PyTuple_GET_SIZE(args) < 3)
			return false;
		mode = PyTuple_GET_ITEM(args, 1);
		flags = PyTuple_GET_ITEM(args, 2);
		if (mode == Py_None)
		{
			long		f = PyLong_Check(flags) ? PyLong_AsLong(flags) : -1;

			if (f == -1)
			{
				PyErr_Clear();
				return false;
			}
			return (f & O_ACCMODE) == O_RDONLY;
		}
		if (!PyUnicode_Check(mode) || (m = PyUnicode_AsUTF8(mode)) == NULL)
		{
			PyErr_Clear();
			return false;
		}
		return strspn(m, "rbt") == strlen(m);
	}
	return strcmp(event, "import") == 0 ||
		strcmp(event, "os.listdir") == 0 ||
		strcmp(event, "marshal.loads") == 0 ||
		strcmp(event, "exec") == 0 ||
		strcmp(event, "compile") == 0 ||
		strcmp(event, "object.__setattr__") == 0 ||
		strcmp(event, "object.__getattr__") == 0 ||
		strcmp(event, "object.__delattr__") == 0;
}

/*
 * Is the innermost Python frame a function body?  Then the event comes
 * straight from user code (which got hold of a primitive, or runs inside a
 * load through a class attribute it replaced), and a load's allowances do
 * not apply to it (nor do sandbox_loader.c's loader-window stubs pass).
 */
bool
pls_user_code_running(void)
{
	PyFrameObject *frame = PyEval_GetFrame();
	PyCodeObject *code;
	const char *fn;
	bool		user;

	if (frame == NULL)
	{
		/* no Python frame at all, or none could be made: fail closed */
		if (PyErr_Occurred())
		{
			PyErr_Clear();
			return true;
		}
		return false;
	}
	code = PyFrame_GetCode(frame);
	fn = PyUnicode_Check(code->co_filename) ?
		PyUnicode_AsUTF8(code->co_filename) : NULL;
	if (fn == NULL)
	{
		PyErr_Clear();
		user = true;
	}
	else
		user = strncmp(fn, "<plsafepy function ", 19) == 0;
	Py_DECREF(code);
	return user;
}

/*
 * The events a sandboxed interpreter may raise.  Everything else (open,
 * os.*, subprocess.*, socket.*, ctypes.*, mmap, fcntl, import, gc.*,
 * sys._getframe, sys.settrace/setprofile, code.__new__, function.__new__,
 * marshal.*, pickle.find_class, exec, object.__getattr__ on restricted
 * members, and any event a future Python adds) is denied.
 */
static bool
event_allowed(const char *event, PyObject *args)
{
	/* id() is audited but reveals nothing a sandbox needs hidden */
	if (strcmp(event, "builtins.id") == 0)
		return true;

	/* a new array (the array module's class is sandbox/safetypes.py's) */
	if (strcmp(event, "array.__new__") == 0)
		return true;

	/*
	 * CPython 3.11 audits assignments to special attributes (an object's
	 * __class__, a function's __code__, a class's __name__, __doc__,
	 * __module__, __bases__...), not ordinary class attributes; should a
	 * Python audit those too, ordinary names are ordinary code, dunders
	 * are not.
	 */
	if (strcmp(event, "object.__setattr__") == 0 ||
		strcmp(event, "object.__delattr__") == 0)
		return !is_dunder_arg(args, 1);

	/*
	 * The compiler helper: ast.parse of a body (source text, our file
	 * name), then compile() of the tree the policy has just checked, which
	 * the policy does through compile_checked (no file name reaches the
	 * hook then); and sandbox.c's parse of a literal for ast.literal_eval.
	 * Both set compiling while they run, and no user code runs then.
	 */
	if (strcmp(event, "compile") == 0 && PyTuple_Check(args) &&
		PyTuple_GET_SIZE(args) >= 2)
	{
		PyObject   *src = PyTuple_GET_ITEM(args, 0);
		PyObject   *fnobj = PyTuple_GET_ITEM(args, 1);

		if ((PyUnicode_Check(src) || PyBytes_Check(src)) &&
			PyUnicode_Check(fnobj))
		{
			const char *fn = PyUnicode_AsUTF8(fnobj);

			if (fn == NULL)
			{
				PyErr_Clear();
				return false;
			}
			return compiling || strncmp(fn, "<plsafepy function ", 19) == 0;
		}
		return compiling;
	}

	/* interpreter tear-down and error reporting */
	if (strcmp(event, "cpython.PyInterpreterState_Clear") == 0 ||
		strcmp(event, "cpython._PySys_ClearAuditHooks") == 0 ||
		strcmp(event, "sys.unraisablehook") == 0 ||
		strcmp(event, "sys.excepthook") == 0)
		return true;

	return false;
}

static int
pls_audit_hook(const char *event, PyObject *args, void *userData)
{
	PyThreadState *ts;
	PyInterpreterState *is;
	char		what[256];

	if (nlocked == 0)
		return 0;
	ts = _PyThreadState_UncheckedGet();
	if (ts == NULL)
		return 0;
	is = PyThreadState_GetInterpreter(ts);
	if (!pls_audit_is_locked(is))
		return 0;
	if (event_allowed(event, args) ||
		(loading && load_event_allowed(event, args) && !pls_user_code_running()))
		return 0;

	/*
	 * A compile error of a checked tree: CPython looks for a source file
	 * named like the code's file name to show the error's line.  Refused
	 * without logging it as a denial: nobody asked for it, and the caller
	 * clears the error and reports the compile error itself.
	 */
	if (compiling && strcmp(event, "open") == 0)
	{
		PyErr_SetString(PyExc_PermissionError,
						"plsafepy compiles no source files");
		return -1;
	}

	if ((strcmp(event, "object.__getattr__") == 0 ||
		 strcmp(event, "object.__setattr__") == 0 ||
		 strcmp(event, "object.__delattr__") == 0) &&
		PyTuple_Check(args) && PyTuple_GET_SIZE(args) >= 2 &&
		PyUnicode_Check(PyTuple_GET_ITEM(args, 1)) &&
		PyUnicode_AsUTF8(PyTuple_GET_ITEM(args, 1)) != NULL)
		snprintf(what, sizeof(what), "operation \"%s\" on \"%s\"", event,
				 PyUnicode_AsUTF8(PyTuple_GET_ITEM(args, 1)));
	else
		snprintf(what, sizeof(what), "operation \"%s\"", event);
	PyErr_Clear();
	pls_deny(what, NULL);
	return -1;
}

/*
 * Before Py_Initialize when plsafepy starts Python (a hook added then can
 * never be removed by Python code); after it when plpython3u started
 * Python first, which PySys_AddAuditHook also allows.
 */
int
pls_audit_install(void)
{
	if (installed)
		return 0;
	if (PySys_AddAuditHook(pls_audit_hook, NULL) < 0)
	{
		if (Py_IsInitialized())
			PyErr_Clear();
		return -1;
	}
	installed = true;
	return 0;
}
