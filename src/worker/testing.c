/*-------------------------------------------------------------------------
 *
 * testing.c
 *	  Test-only: full, unrestricted Python inside the locked-in worker, so
 *	  that tests can attack the kernel's walls alone (as if every
 *	  Python-level layer had failed).  Compiled only into
 *	  plsafepy-worker-testing (-DPLS_WORKER_TESTING), which test/worker.sh
 *	  drives with EXEC and which the testing flavour of the extension
 *	  (make PLSAFEPY_TESTING=1) installs as plsafepy-worker, for
 *	  test/kernel.sh's unsandboxed calls; test/worker.sh proves the
 *	  production worker refuses EXEC, and call.c refuses unsandboxed INIT
 *	  and CALLs in it.
 *
 * pls_testing_prepare runs before lock-down, only for an INIT with
 * PLS_INIT_TESTING_UNSANDBOXED, and imports what the attacks use (os, sys,
 * socket, mmap, ctypes with libc's handle, resource, signal, ...), since
 * nothing can be imported from files afterwards, and maps one writable and
 * executable page (codepage), so that a test can run machine code of its
 * own: the attacker who has taken over the process, with every system call
 * instruction at hand.  EXEC runs its source in a fresh copy of those
 * globals with the real builtins and answers "ok: repr(result)" or
 * "error: Type: message"; pls_testing_function makes a CALL's body a
 * plain function over such a copy.
 *
 *-------------------------------------------------------------------------
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "worker/worker.h"

#include <stdio.h>
#include <string.h>

static PyObject *template_globals;

int
pls_testing_prepare(void)
{
	PyObject   *r;

	template_globals = PyDict_New();
	if (template_globals == NULL ||
		PyDict_SetItemString(template_globals, "__builtins__",
							 PyEval_GetBuiltins()) != 0)
		return -1;
	r = PyRun_String("import os, sys, socket, mmap, ctypes, errno, resource,"
					 " signal, struct, select, fcntl\n"
					 "libc = ctypes.CDLL(None, use_errno=True)\n"
					 "codepage = mmap.mmap(-1, 4096, prot=mmap.PROT_READ |"
					 " mmap.PROT_WRITE | mmap.PROT_EXEC)\n"
					 "def _pls_function(defname, argnames, source, filename):\n"
					 "    body = source.splitlines() or ['pass']\n"
					 "    text = 'def %s(%s):\\n%s\\n' % (defname, ', '.join(argnames),"
					 " '\\n'.join('    ' + line for line in body))\n"
					 "    ns = dict(globals())\n"
					 "    exec(compile(text, filename, 'exec'), ns)\n"
					 "    return ns[defname]\n",
					 Py_file_input, template_globals, template_globals);
	if (r == NULL)
		return -1;
	Py_DECREF(r);
	return 0;
}

uint32_t
pls_testing_exec(const char *src, uint32_t len, char *out, uint32_t outsize)
{
	PyObject   *text;
	PyObject   *globals = NULL;
	PyObject   *r = NULL;
	PyObject   *result;
	PyObject   *repr = NULL;
	const char *code;
	int			n;

	text = PyUnicode_DecodeUTF8(src, len, "strict");
	code = text ? PyUnicode_AsUTF8(text) : NULL;
	if (code != NULL)
		globals = PyDict_Copy(template_globals);
	if (globals != NULL)
		r = PyRun_String(code, Py_file_input, globals, globals);
	if (r == NULL)
	{
		char		exc[1024];

		pls_worker_exception_text(exc, sizeof(exc));
		n = snprintf(out, outsize, "error: %s", exc);
	}
	else
	{
		result = PyDict_GetItemString(globals, "result");	/* borrowed */
		repr = result ? PyObject_Repr(result) : NULL;
		if (repr != NULL && PyUnicode_AsUTF8(repr) != NULL)
			n = snprintf(out, outsize, "ok: %s", PyUnicode_AsUTF8(repr));
		else
		{
			PyErr_Clear();
			n = snprintf(out, outsize, "ok");
		}
	}
	Py_XDECREF(repr);
	Py_XDECREF(r);
	Py_XDECREF(globals);
	Py_XDECREF(text);
	if (n < 0)
		n = 0;
	return (uint32_t) n >= outsize ? outsize - 1 : (uint32_t) n;
}

PyObject *
pls_testing_function(const char *defname, PyObject *argnames,
					 const char *source, const char *filename)
{
	PyObject   *make = PyDict_GetItemString(template_globals,
											"_pls_function");	/* borrowed */

	if (make == NULL)
	{
		PyErr_SetString(PyExc_RuntimeError, "full Python was not prepared");
		return NULL;
	}
	return PyObject_CallFunction(make, "sOss", defname, argnames, source,
								 filename);
}
