/*-------------------------------------------------------------------------
 *
 * pycore_test.c
 *	  The Python side's core (src/pyhost.h) and the worker's host hooks
 *	  (src/worker/pyhost_worker.c), linked with Python and nothing of
 *	  PostgreSQL: that it links proves the core calls no PostgreSQL
 *	  function.  This program stands in for the channel's side of the
 *	  worker (worker.h: denials and warnings; plpy_host.h: reports,
 *	  quoting, the SPI part of plpy; pyhost.h: zoneinfo's data), builds the
 *	  restricted interpreter as the worker does, and prints what each case
 *	  gave; test/worker.sh compares the whole output.
 *
 * Usage: pycore_test            the cases below, default whitelist
 *        pycore_test extra      the defaults, a module not installed and an
 *                               unreviewed one (colorsys)
 *
 *-------------------------------------------------------------------------
 */
#define PY_SSIZE_T_CLEAN
#include "pyhost.h"
#include "sandbox_int.h"

#include "plpy_host.h"
#include "worker/worker.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/syscall.h>

static PLSInterp interp;
static uint32_t interrupt_word = 0;

/* what the hooks were handed */
static char denials[1024];
static char warnings[1024];
static char printed[1024];

/* "open" audit events while counting (the loader must open no file) */
static int	counting_opens = 0;
static int	opens = 0;

/* ---------- the channel's side of the hooks (worker.h) ---------- */

void
pls_worker_report_denial(const char *message, const char *function_name)
{
	size_t		used = strlen(denials);

	snprintf(denials + used, sizeof(denials) - used, "%s (function %s)\n",
			 message, function_name ? function_name : "none");
}

void
pls_worker_report_warning(const char *message, const char *detail,
						  const char *hint)
{
	size_t		used = strlen(warnings);

	snprintf(warnings + used, sizeof(warnings) - used,
			 "WARNING: %s\nDETAIL: %s\nHINT: %s\n", message, detail, hint);
}

void
pls_worker_fatal(const char *message)
{
	printf("FATAL: %s\n", message);
	exit(1);
}

/* plpy's hooks (plpy_host.h): reports are what print() and plpy.* said */
bool
pls_host_report(const PLSReport *r, PLSErrorFields *err)
{
	size_t		used = strlen(printed);

	snprintf(printed + used, sizeof(printed) - used, "%.*s\n",
			 (int) r->lens[PLS_RF_MESSAGE],
			 r->fields[PLS_RF_MESSAGE] ? r->fields[PLS_RF_MESSAGE] : "");
	return true;
}

PyObject *
pls_host_quote(int kind, const char *utf8, size_t len, PLSErrorFields *err)
{
	return PyUnicode_FromFormat("'%s'", utf8);
}

int
pls_host_plpy_add_spi(PyObject *module, struct PLSInterp *in)
{
	return 0;
}

/* no time-zone files here: every key names no zone */
PyObject *
pls_host_zone_data(const char *key, size_t len)
{
	Py_RETURN_NONE;
}

/* the watchdog's (watchdog.c is not linked: no call is interrupted here) */
bool
pls_watchdog_pending(void)
{
	return false;
}

/* ---------- the cases ---------- */

static int
count_opens(const char *event, PyObject *args, void *data)
{
	if (counting_opens && strcmp(event, "open") == 0)
		opens++;
	return 0;
}

/* The pending Python exception as "Type: message"; clears it. */
static void
exception_text(char *buf, size_t len)
{
	PyObject   *type,
			   *value,
			   *tb;
	PyObject   *s = NULL;

	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	if (value != NULL)
		s = PyObject_Str(value);
	snprintf(buf, len, "%s: %s",
			 type ? ((PyTypeObject *) type)->tp_name : "?",
			 s && PyUnicode_AsUTF8(s) ? PyUnicode_AsUTF8(s) : "?");
	PyErr_Clear();
	Py_XDECREF(s);
	Py_XDECREF(type);
	Py_XDECREF(value);
	Py_XDECREF(tb);
}

/*
 * Compile body as function name with the given parameters, call it with
 * args (NULL: compile only), print "label: outcome".
 */
static void
run(const char *label, const char *name, const char *params, const char *body,
	PyObject *args)
{
	PyObject   *argnames = PyList_New(0);
	char		filename[256];
	PLSCompiled compiled;
	PyObject   *r;
	char		text[512];

	if (params != NULL)
	{
		PyObject   *p = PyUnicode_FromString(params);

		PyList_Append(argnames, p);
		Py_DECREF(p);
	}
	snprintf(filename, sizeof(filename), "<plsafepy function %s>", name);
	if (pls_py_compile(&interp, name, argnames, body, filename, true,
					   &compiled) < 0)
	{
		PLSCompileError err;

		Py_DECREF(argnames);
		pls_compile_error_take(&interp, &err);
		if (err.kind == PLS_COMPILE_OTHER)
		{
			exception_text(text, sizeof(text));
			printf("%s: not compiled: %s\n", label, text);
			return;
		}
		/* a syntax error's message has PL/Python's line in it */
		if (err.kind == PLS_COMPILE_DENIED)
			printf("%s: denied at line %ld: %s", label, err.line,
				   err.message ? err.message : "(none)");
		else
			printf("%s: syntax error: %s", label,
				   err.message ? err.message : "(none)");
		if (err.hint)
			printf("; hint: %s", err.hint);
		printf("\n");
		pls_compile_error_release(&err);
		return;
	}
	Py_DECREF(argnames);
	if (args == NULL)
		printf("%s: compiled\n", label);
	else
	{
		pls_worker_function_name = name;
		r = PyObject_Call(compiled.func, args, NULL);
		pls_worker_function_name = NULL;
		if (r == NULL)
		{
			exception_text(text, sizeof(text));
			printf("%s: raised %s\n", label, text);
		}
		else
		{
			PyObject   *repr = PyObject_Repr(r);

			printf("%s: returned %s\n", label, PyUnicode_AsUTF8(repr));
			Py_DECREF(repr);
			Py_DECREF(r);
		}
	}
	Py_DECREF(compiled.func);
	Py_DECREF(compiled.globals);
	Py_DECREF(compiled.SD);
}

static int
raise_interrupt(void *arg)
{
	PyErr_SetNone(interp.exc_interrupted);
	return -1;
}

/* The backend's interrupt, 100 ms from now: queue the raise, wake. */
static void *
interrupter(void *arg)
{
	usleep(100 * 1000);
	Py_AddPendingCall(raise_interrupt, NULL);
	__atomic_add_fetch(&interrupt_word, 1, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &interrupt_word, FUTEX_WAKE, 1, NULL, NULL, 0);
	return NULL;
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
timed(const char *label, const char *body, double at_least, double below)
{
	PyObject   *noargs = PyTuple_New(0);
	double		start = now_seconds();
	double		took;

	run(label, "f_sleep", NULL, body, noargs);
	took = now_seconds() - start;
	Py_DECREF(noargs);
	if (took >= at_least && took < below)
		printf("%s: took between %.2f and %.2f s\n", label, at_least, below);
	else
		printf("%s: took %.3f s\n", label, took);
}

/*
 * sandbox/reach.py's walk (as plsafepy_reach_check() runs it in the
 * backend, test/attacks/18_reach.txt) over this interpreter, built and
 * preloaded as the worker builds it: what user code can reach in process
 * isolation.  plant: one more root, for the negative control.
 */
static void
reach(const char *label, const char *plant)
{
	PyObject   *check = PyDict_GetItemString(interp.sandbox, "reach_check");
	PyObject   *r;

	/* the walk reads audited attributes (__code__, __defaults__) */
	pls_audit_forget(PyInterpreterState_Get());
	r = check ? PyObject_CallFunction(check, "z", plant) : NULL;
	if (r != NULL && PyUnicode_Check(r))
		printf("%s: %s\n", label, PyUnicode_AsUTF8(r));
	else
	{
		char		text[512];

		exception_text(text, sizeof(text));
		printf("%s: failed: %s\n", label, text);
	}
	Py_XDECREF(r);
	if (pls_audit_lock(PyInterpreterState_Get()) < 0)
		printf("%s: could not lock the interpreter again\n", label);
}

int
main(int argc, char **argv)
{
	PyConfig	config;
	PyStatus	status;
	bool		extra = argc > 1 && strcmp(argv[1], "extra") == 0;
	PyObject   *args;
	pthread_t	thread;

	if (pls_audit_install() < 0 ||
		PySys_AddAuditHook(count_opens, NULL) < 0)
	{
		printf("could not add the audit hooks\n");
		return 1;
	}
	pls_type_check_install();
	PyConfig_InitIsolatedConfig(&config);
	config.install_signal_handlers = 0;
	config.site_import = 0;
	config.write_bytecode = 0;
	status = PyConfig_SetBytesString(&config, &config.home, PLS_PYTHON_HOME);
	if (!PyStatus_Exception(status))
		status = Py_InitializeFromConfig(&config);
	PyConfig_Clear(&config);
	if (PyStatus_Exception(status))
	{
		printf("could not start Python\n");
		return 1;
	}
	pls_worker_interrupt_word = &interrupt_word;

	/* as the worker's start-up does before it imports anything */
	if (pls_sandbox_block_modules() < 0)
	{
		printf("could not block the C accelerators\n");
		return 1;
	}
	if (pls_worker_build_interp(&interp, "pycore_role",
								extra ? PLS_DEFAULT_MODULES ", no_such_module, colorsys"
								: PLS_DEFAULT_MODULES, 500) < 0)
	{
		char		text[512];

		exception_text(text, sizeof(text));
		printf("build failed: %s\n", text);
		return 1;
	}
	printf("built: recursion limit %d, locked %d\n", Py_GetRecursionLimit(),
		   pls_audit_is_locked(PyInterpreterState_Get()));
	if (extra)
	{
		printf("%s", warnings);
		args = PyTuple_New(0);
		run("import no_such_module", "f_missing", NULL,
			"import no_such_module", args);
		counting_opens = 1;
		run("colorsys", "f_colorsys", NULL,
			"import colorsys\nreturn colorsys.rgb_to_hsv(1, 0, 0)", args);
		counting_opens = 0;
		printf("files opened by the loads: %d\n", opens);
		Py_DECREF(args);
		return 0;
	}
	printf("warnings: %s\n", warnings[0] ? warnings : "none");

	args = Py_BuildValue("(i)", 41);
	run("x + 1", "f_add", "x", "return x + 1", args);
	Py_DECREF(args);

	args = PyTuple_New(0);
	run("open", "f_open", NULL, "open('/etc/passwd')", args);
	printf("denials: %s", denials[0] ? denials : "none\n");
	run("import os", "f_os", NULL, "import os", NULL);
	run("import colorsys", "f_colorsys", NULL, "import colorsys", NULL);
	run("form feed", "f_ff", NULL, "x = 1\n\fimport os\nreturn x", NULL);
	run("syntax", "f_syntax", NULL, "x = 1\ny = (", NULL);
	{
		PyObject   *list_args = Py_BuildValue("([iii])", 1, 2, 3);

		run("args", "f_args", NULL, "return len(args)", list_args);
		Py_DECREF(list_args);
	}
	run("__globals__", "f_dunder", NULL, "return f.__globals__", NULL);

	counting_opens = 1;
	run("json", "f_json", NULL,
		"import json\nreturn json.dumps({'a': [1, 2.5, None]})", args);
	run("decimal", "f_decimal", NULL,
		"import decimal\nreturn str(decimal.Decimal('1.10') + 2)", args);
	run("datetime", "f_datetime", NULL,
		"import datetime\n"
		"return datetime.datetime.strptime('2024-02-29', '%Y-%m-%d').isoformat()",
		args);
	/*
	 * a codec not imported while the interpreter was built (the worker
	 * preloads all but the East Asian ones): none opened
	 */
	run("codec", "f_codec", NULL, "return 'x'.encode('shift_jis')", args);
	counting_opens = 0;
	printf("files opened by the loads: %d\n", opens);

	run("print", "f_print", NULL, "print('hello')", args);
	printf("printed: %s", printed[0] ? printed : "nothing\n");
	Py_DECREF(args);

	reach("reach", NULL);
	reach("reach, planted", "load_real");

	timed("sleep 0.05", "import time\ntime.sleep(0.05)", 0.05, 1.0);
	pthread_create(&thread, NULL, interrupter, NULL);
	timed("sleep 10, interrupted", "import time\ntime.sleep(10)", 0.1, 2.0);
	pthread_join(thread, NULL);
	return 0;
}
