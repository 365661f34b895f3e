/*-------------------------------------------------------------------------
 *
 * pybuild.c
 *	  Part of the core (pyhost.h): the trusted Python helpers compiled in
 *	  as bytecode, and the building of one role's restricted interpreter
 *	  from them (the compiler, the host's plpy module, the sandbox and its
 *	  lock-down).  Which interpreter, and when, is the host's: the
 *	  backend's interp.c (a sub-interpreter per role), the worker's
 *	  pyhost_worker.c (its main interpreter).
 *
 *-------------------------------------------------------------------------
 */
#include "sandbox_int.h"

#include "marshal.h"

/* the magic number of the Python that compiled the helpers */
extern const unsigned char pls_py_magic[4];

#include "embedded_py.h"

PLSInterp  *pls_current = NULL;

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
 * CPython 3.11 fills the free list of MemoryError instances of the main
 * interpreter only (preallocate_memerrors); another interpreter's starts
 * empty.  There, a MemoryError raised when the memory budget is spent and
 * pymalloc's arenas are full needs memory for its instance, and CPython,
 * failing 32 times to make it, aborts the process ("Cannot recover from
 * MemoryErrors while normalizing exceptions": inline, the backend, so the
 * cluster's crash recovery).  Instances made and dropped here fill this
 * interpreter's list (16 in 3.11), as CPython fills the main one's.
 */
#define PLS_MEMORY_ERRORS_KEPT 16

static int
fill_memory_errors(void)
{
	PyObject   *errors[PLS_MEMORY_ERRORS_KEPT];
	int			made;
	int			rc = 0;

	for (made = 0; made < PLS_MEMORY_ERRORS_KEPT; made++)
	{
		errors[made] = PyObject_CallNoArgs(PyExc_MemoryError);
		if (errors[made] == NULL)
		{
			rc = -1;
			break;
		}
	}
	while (made > 0)
		Py_DECREF(errors[--made]);
	return rc;
}

/*
 * Fill a new interpreter.  Everything that must be imported is imported
 * here, before pls_sandbox_setup locks the interpreter down.
 */
int
pls_interp_build(PLSInterp *interp)
{
	PyObject   *compiler;

	Py_SetRecursionLimit(pls_host_recursion_limit());
	if (fill_memory_errors() < 0 || pls_sandbox_block_modules() < 0)
		return -1;

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

	if (pls_host_plpy_create(interp) < 0)
		return -1;
	return pls_sandbox_setup(interp);
}
