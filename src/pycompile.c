/*-------------------------------------------------------------------------
 *
 * pycompile.c
 *	  Part of the core (pyhost.h): a body into a real Python function of
 *	  the role's interpreter, through the compiler helper and the sandbox's
 *	  policy, and a failure to compile as plain values (a policy denial, a
 *	  syntax error, or something else) that each host reports the same way
 *	  (the backend's procedure.c).
 *
 *-------------------------------------------------------------------------
 */
#include "sandbox_int.h"

int
pls_py_compile(PLSInterp *interp, const char *defname, PyObject *argnames,
			   const char *utf8_source, const char *filename, bool want_args,
			   PLSCompiled *out)
{
	PyObject   *res;
	PyObject   *globals = NULL;
	PyObject   *SD = NULL;
	PyObject   *run;
	PyObject   *func;
	bool		uses_args;

	res = PyObject_CallFunction(interp->compile_body, "sOssOO",
								defname, argnames, utf8_source, filename,
								interp->policy, want_args ? Py_True : Py_False);
	if (res == NULL)
		return -1;
	if (!PyTuple_Check(res) || PyTuple_GET_SIZE(res) != 2)
	{
		Py_DECREF(res);
		PyErr_SetString(PyExc_RuntimeError,
						"plsafepy compiler returned an unexpected value");
		return -1;
	}
	uses_args = PyObject_IsTrue(PyTuple_GET_ITEM(res, 1)) == 1;

	SD = PyDict_New();
	globals = PyDict_New();
	if (SD == NULL || globals == NULL ||
		PyDict_SetItemString(globals, "__builtins__", interp->builtins) < 0 ||
		PyDict_SetItemString(globals, "__name__", interp->module_name) < 0 ||
		PyDict_SetItemString(globals, "plpy", interp->plpy) < 0 ||
		PyDict_SetItemString(globals, "GD", interp->GD) < 0 ||
		PyDict_SetItemString(globals, "SD", SD) < 0)
		goto fail;

	run = PyEval_EvalCode(PyTuple_GET_ITEM(res, 0), globals, globals);
	if (run == NULL)
		goto fail;
	Py_DECREF(run);

	/* The def's name is not left in the globals: it is ours, not theirs. */
	func = PyDict_GetItemString(globals, defname);
	if (func == NULL)
	{
		PyErr_SetString(PyExc_RuntimeError,
						"plsafepy compiler did not define the function");
		goto fail;
	}
	Py_INCREF(func);
	if (PyDict_DelItemString(globals, defname) < 0)
	{
		Py_DECREF(func);
		goto fail;
	}
	Py_DECREF(res);
	out->func = func;
	out->globals = globals;
	out->SD = SD;
	out->uses_args = uses_args;
	return 0;

fail:
	Py_DECREF(res);
	Py_XDECREF(globals);
	Py_XDECREF(SD);
	return -1;
}

/* A str argument of a compiler exception as UTF-8 (borrowed), or NULL. */
static const char *
exc_arg_utf8(PyObject *eargs, Py_ssize_t i)
{
	const char *u;

	if (PyTuple_GET_SIZE(eargs) <= i ||
		!PyUnicode_Check(PyTuple_GET_ITEM(eargs, i)))
		return NULL;
	u = PyUnicode_AsUTF8(PyTuple_GET_ITEM(eargs, i));
	if (u == NULL)
		PyErr_Clear();
	return u;
}

/*
 * The compiler helper raises body_error(message, line) for a body that
 * does not parse and the policy policy_error(message, line, hint); any
 * other exception is an internal error of the compiler, left set.
 */
void
pls_compile_error_take(PLSInterp *interp, PLSCompileError *err)
{
	PyObject   *type,
			   *value,
			   *tb;

	memset(err, 0, sizeof(*err));
	if (PyErr_ExceptionMatches(interp->policy_error))
		err->kind = PLS_COMPILE_DENIED;
	else if (PyErr_ExceptionMatches(interp->body_error))
		err->kind = PLS_COMPILE_SYNTAX;
	else
	{
		err->kind = PLS_COMPILE_OTHER;
		return;
	}

	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	if (value && PyObject_TypeCheck(value, (PyTypeObject *) PyExc_BaseException) &&
		((PyBaseExceptionObject *) value)->args != NULL &&
		PyTuple_Check(((PyBaseExceptionObject *) value)->args))
	{
		PyObject   *eargs = ((PyBaseExceptionObject *) value)->args;

		err->exc = Py_NewRef(eargs);
		err->message = exc_arg_utf8(eargs, 0);
		if (PyTuple_GET_SIZE(eargs) > 1 &&
			PyLong_Check(PyTuple_GET_ITEM(eargs, 1)))
			err->line = PyLong_AsLong(PyTuple_GET_ITEM(eargs, 1));
		err->hint = exc_arg_utf8(eargs, 2);
	}
	PyErr_Clear();
	Py_XDECREF(type);
	Py_XDECREF(value);
	Py_XDECREF(tb);
}

void
pls_compile_error_release(PLSCompileError *err)
{
	Py_CLEAR(err->exc);
	err->message = NULL;
	err->hint = NULL;
}
