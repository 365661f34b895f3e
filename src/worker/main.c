/*-------------------------------------------------------------------------
 *
 * main.c
 *	  plsafepy-worker: the process a backend starts (worker_launch.c) to run
 *	  a role's Python out of the backend's address space.  Start-up, in this
 *	  order:
 *	1. take the channel: its socket is at PLS_CHAN_FD (every other
 *	   descriptor closed again here, in case), the shared segment's memfd
 *	   arrives on it; map it and close the memfd; wait for the backend's
 *	   INIT;
 *	2. enter new namespaces (before Python: a user namespace needs a
 *	   single-threaded process, and nothing of Python's may see the host's
 *	   network or IPC);
 *	3. start CPython (isolated configuration: no environment, no site, no
 *	   signal handlers, no bytecode writing) and import every module the
 *	   sandbox may use while files can still be opened: the reviewed
 *	   modules of src/sandbox/facades.py and what they import later on
 *	   their own (preload.h is generated from it), the C accelerators
 *	   that keep process-wide state made unimportable first (sandbox.c);
 *	4. start the watchdog thread (watchdog.c), then lock in (confine.c,
 *	   seccomp.c): resource limits, no capabilities, no
 *	   new privileges, not dumpable, Landlock, and the seccomp filter last;
 *	5. send HELLO (which walls stand), then serve requests until the
 *	   channel closes.  A failure before HELLO is sent as an ERROR message
 *	   and ends the worker.
 *	No untrusted code runs before step 4 is complete.
 *
 * This step serves PING only (the channel's round trip); the door's
 * requests come next.  The production worker has no way to run arbitrary
 * Python: the test-only build (PLS_WORKER_TESTING, program
 * plsafepy-worker-testing, installed only by the testing flavour, make
 * PLSAFEPY_TESTING=1) adds EXEC for test/worker.sh and full Python for
 * unsandboxed calls (call.c, testing.c).
 *
 *-------------------------------------------------------------------------
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "pyhost.h"
#include "worker/worker.h"
#include "worker/preload.h"
#include "wire.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

static PlsChan chan;
static uint64_t memory_limit;
static char err[256];

#ifdef PLS_WORKER_TESTING
/* EXEC's source and result text: one frame each. */
static char req[PLS_CHAN_MAX_PAYLOAD];
static char rep[PLS_CHAN_MAX_PAYLOAD];
#endif

static void fail(void) __attribute__((noreturn));

/* Report err to the backend (once the channel is up) and end. */
static void
fail(void)
{
	if (chan.shm != NULL)
		(void) pls_chan_send(&chan, PLS_MSG_ERROR, err, (uint32_t) strlen(err),
							 1000);
	_exit(1);
}

static void
take_channel(void)
{
	struct stat st;
	int			fd;
	void	   *p;

	if (fstat(PLS_CHAN_FD, &st) != 0 || !S_ISSOCK(st.st_mode))
		_exit(2);
	for (fd = 0; fd < PLS_CHAN_FD; fd++)
		(void) close(fd);
	if (syscall(SYS_close_range, PLS_CHAN_FD + 1, ~0U, 0) != 0)
		_exit(2);

	fd = pls_chan_receive_fd(PLS_CHAN_FD);
	if (fd < 0 || fstat(fd, &st) != 0 || st.st_size != sizeof(PlsChanShm))
		_exit(2);
	p = mmap(NULL, sizeof(PlsChanShm), PROT_READ | PROT_WRITE, MAP_SHARED,
			 fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		_exit(2);
	if (pls_chan_attach(&chan, p, PLS_CHAN_FD, PLS_CHAN_WORKER) != PLS_CHAN_OK)
		_exit(2);
	/* the liveness check must never block */
	if (fcntl(PLS_CHAN_FD, F_SETFL, O_NONBLOCK) != 0)
	{
		snprintf(err, sizeof(err), "could not make the channel non-blocking");
		fail();
	}
}

/*
 * The Python exception now set, as "Type: message", into buf; clears it.
 * Shared with testing.c.
 */
void
pls_worker_exception_text(char *buf, size_t len)
{
	PyObject   *type;
	PyObject   *value;
	PyObject   *tb;
	PyObject   *str = NULL;
	const char *name = "unknown exception";
	const char *msg = NULL;

	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	if (type != NULL && PyType_Check(type))
		name = ((PyTypeObject *) type)->tp_name;
	if (value != NULL)
		str = PyObject_Str(value);
	if (str != NULL)
		msg = PyUnicode_AsUTF8(str);
	PyErr_Clear();
	snprintf(buf, len, "%s: %s", name, msg ? msg : "");
	Py_XDECREF(str);
	Py_XDECREF(type);
	Py_XDECREF(value);
	Py_XDECREF(tb);
}

/*
 * Read the local time zone now, while files can be opened.  With TZ unset
 * (the environment is empty) glibc looks at /etc/localtime again on every
 * mktime() and at every tzset() (a stat, refused once locked in: the
 * worker would die of time.mktime); with TZ set it reads the file once and
 * then only compares TZ with what it read.  Inline mode uses the same file
 * (a backend started without TZ).  After Python has started: its
 * os.environ, a copy taken then, stays empty.
 */
static void
take_timezone(void)
{
	if (setenv("TZ", ":/etc/localtime", 1) != 0)
	{
		snprintf(err, sizeof(err), "could not set the time zone");
		fail();
	}
	tzset();
}

static void
start_python(void)
{
	PyConfig	config;
	PyStatus	status;
	const char *const *name;

	/*
	 * Before Python allocates: the memory budget knows every block (it
	 * refuses only once the interpreter is built).  Installed always before
	 * Python runs, so no PYTHONMALLOC of a running runtime can stop it.
	 */
	(void) pls_budget_install();
	PyConfig_InitIsolatedConfig(&config);
	config.install_signal_handlers = 0;
	config.site_import = 0;
	config.write_bytecode = 0;
	config.faulthandler = 0;
	config.pathconfig_warnings = 0;
	status = PyConfig_SetBytesString(&config, &config.home, PLS_PYTHON_HOME);
	if (!PyStatus_Exception(status))
		status = PyConfig_SetBytesString(&config, &config.program_name,
										 "plsafepy-worker");
	if (!PyStatus_Exception(status))
		status = Py_InitializeFromConfig(&config);
	PyConfig_Clear(&config);
	if (PyStatus_Exception(status))
	{
		snprintf(err, sizeof(err), "could not start Python: %s",
				 status.err_msg ? status.err_msg : "unknown error");
		fail();
	}

	if (pls_sandbox_block_modules() < 0)
	{
		pls_worker_exception_text(err, sizeof(err));
		fail();
	}
	for (name = pls_preload_modules; *name != NULL; name++)
	{
		PyObject   *mod = PyImport_ImportModule(*name);
		char		text[200];

		if (mod == NULL)
		{
			pls_worker_exception_text(text, sizeof(text));
			snprintf(err, sizeof(err), "could not import %s: %s", *name, text);
			fail();
		}
		Py_DECREF(mod);
	}
}

static void
lock_in(PlsHello *hello)
{
	hello->walls |= pls_confine_empty_root(hello->walls);
	if (pls_confine_limits(memory_limit, err, sizeof(err)) != 0 ||
		pls_confine_privileges(err, sizeof(err)) != 0)
		fail();
	hello->walls |= pls_confine_landlock(&hello->landlock_abi);
	if (pls_seccomp_install(err, sizeof(err)) != 0)
		fail();
	hello->walls |= PLS_WALL_SECCOMP;
}

static void
parse_args(int argc, char **argv)
{
	int			i;

	for (i = 1; i < argc; i++)
	{
		const char *prefix = "--memory-limit=";
		char	   *end;

		if (strncmp(argv[i], prefix, strlen(prefix)) != 0)
			_exit(2);
		errno = 0;
		memory_limit = strtoull(argv[i] + strlen(prefix), &end, 10);
		if (errno != 0 || *end != '\0' || end == argv[i] + strlen(prefix))
			_exit(2);
	}
}

/*
 * Serve requests until the backend is gone: CALLs and WHITELIST (call.c),
 * FETCH and CLOSE of open sets (srf.c), PING, and in
 * the test-only build EXEC.  Anything else is answered with an ERROR.
 */
static void
serve(void)
{
	static PlsWireRecv in;

	pls_wire_recv_init(&in, &pls_worker_raw_mem);
	for (;;)
	{
		uint32_t	tag;
		int			rc;

		rc = pls_wire_recv(&chan, &in, &tag, PLS_WIRE_MAX_MESSAGE,
						   PLS_CHAN_NO_DEADLINE);
		if (rc == PLS_CHAN_DEAD)
			_exit(0);
		if (rc != PLS_CHAN_OK)
			_exit(3);
		switch (tag)
		{
			case PLS_MSG_CALL:
			case PLS_MSG_FETCH:
			case PLS_MSG_CLOSE:
			case PLS_MSG_WHITELIST:
				pls_worker_dispatch(tag, in.buf.data, in.buf.len);
				break;
			case PLS_MSG_PING:
				rc = pls_wire_send(&chan, PLS_MSG_PONG, &in.buf,
								   PLS_CHAN_NO_DEADLINE);
				break;
#ifdef PLS_WORKER_TESTING
			case PLS_MSG_EXEC:
				{
					uint32_t	len;

					if (in.buf.len >= sizeof(req))
						_exit(3);
					memcpy(req, in.buf.data, in.buf.len);
					len = pls_testing_exec(req, (uint32_t) in.buf.len, rep,
										   sizeof(rep));
					rc = pls_chan_send(&chan, PLS_MSG_RESULT, rep, len,
									   PLS_CHAN_NO_DEADLINE);
					break;
				}
#endif
			default:
				{
					char		text[64];
					uint32_t	len;

					len = (uint32_t) snprintf(text, sizeof(text),
											  "unsupported request %u", tag);
					rc = pls_chan_send(&chan, PLS_MSG_ERROR, text, len,
									   PLS_CHAN_NO_DEADLINE);
					break;
				}
		}
		if (rc == PLS_CHAN_DEAD)
			_exit(0);
		if (rc != PLS_CHAN_OK)
			_exit(3);
	}
}

int
main(int argc, char **argv)
{
	PlsHello	hello;

	parse_args(argc, argv);
	take_channel();
	memset(&hello, 0, sizeof(hello));
	hello.walls = pls_confine_namespaces();
	start_python();
	take_timezone();
	if (pls_worker_take_init(&chan, err, sizeof(err)) != 0)
		fail();
	if (pls_watchdog_start(&chan.shm->interrupt_seq, err, sizeof(err)) != 0)
		fail();
	lock_in(&hello);
	if (pls_chan_send(&chan, PLS_MSG_HELLO, &hello, sizeof(hello),
					  PLS_CHAN_NO_DEADLINE) != PLS_CHAN_OK)
		_exit(3);
	serve();
	return 0;
}
