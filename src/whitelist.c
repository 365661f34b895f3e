/*-------------------------------------------------------------------------
 *
 * whitelist.c
 *	  The syntax of plsafepy.allowed_modules lists: reading their entries,
 *	  the modules that can never be allowed or only as a whole entry, and
 *	  whether a complete list names a module (for the trusted loader).
 *	  Part of the core (pyhost.h); the setting's check hook and the
 *	  expansion of changes to the defaults are the backend's
 *	  (whitelist_setting.c).
 *
 *-------------------------------------------------------------------------
 */
#include "sandbox_int.h"

#include <ctype.h>
#include <string.h>

/*
 * Modules no entry may name, nor any of their submodules, whoever sets the
 * value (docs/modules.md gives the reasons per module): their purpose is
 * what the sandbox exists to withhold, so a facade of them would be an
 * escape however few of their names it held.
 */
typedef struct NeverAllowed
{
	const char *module;
	const char *why;
} NeverAllowed;

#define WHY_INTERNALS "It reaches the interpreter's internals or the import system."
#define WHY_OS "It gives access to files, descriptors, memory or the process."
#define WHY_PROCESS "It starts processes or threads, handles signals, or runs code at interpreter exit."
#define WHY_NET "It opens sockets or waits on descriptors."
#define WHY_OBJECTS PLS_WHY_OBJECTS

static const NeverAllowed never_allowed[] = {
	{"sys", WHY_INTERNALS}, {"builtins", WHY_INTERNALS},
	{"__main__", WHY_INTERNALS}, {"_imp", WHY_INTERNALS},
	{"importlib", WHY_INTERNALS}, {"imp", WHY_INTERNALS},
	{"_frozen_importlib", WHY_INTERNALS},
	{"_frozen_importlib_external", WHY_INTERNALS},
	{"zipimport", WHY_INTERNALS}, {"runpy", WHY_INTERNALS},
	{"pkgutil", WHY_INTERNALS}, {"site", WHY_INTERNALS},
	{"os", WHY_OS}, {"posix", WHY_OS}, {"nt", WHY_OS}, {"io", WHY_OS},
	{"_io", WHY_OS}, {"shutil", WHY_OS}, {"tempfile", WHY_OS},
	{"pathlib", WHY_OS}, {"glob", WHY_OS}, {"fileinput", WHY_OS},
	{"mmap", WHY_OS}, {"fcntl", WHY_OS}, {"termios", WHY_OS},
	{"tty", WHY_OS}, {"pty", WHY_OS}, {"resource", WHY_OS},
	{"faulthandler", WHY_OS},
	{"subprocess", WHY_PROCESS}, {"_posixsubprocess", WHY_PROCESS},
	{"multiprocessing", WHY_PROCESS}, {"_multiprocessing", WHY_PROCESS},
	{"_posixshmem", WHY_PROCESS}, {"concurrent", WHY_PROCESS},
	{"signal", WHY_PROCESS}, {"_signal", WHY_PROCESS},
	{"_thread", WHY_PROCESS}, {"threading", WHY_PROCESS},
	{"atexit", WHY_PROCESS},
	{"socket", WHY_NET}, {"_socket", WHY_NET}, {"ssl", WHY_NET},
	{"_ssl", WHY_NET}, {"select", WHY_NET}, {"selectors", WHY_NET},
	{"asyncio", WHY_NET}, {"_asyncio", WHY_NET},
	{"gc", WHY_OBJECTS}, {"inspect", WHY_OBJECTS},
	{"ctypes", WHY_OBJECTS}, {"_ctypes", WHY_OBJECTS},
	{"marshal", WHY_OBJECTS}, {"pickle", WHY_OBJECTS},
	{"_pickle", WHY_OBJECTS}, {"code", WHY_OBJECTS},
	{"codeop", WHY_OBJECTS}, {"_testcapi", WHY_OBJECTS},
	{"_testinternalcapi", WHY_OBJECTS}, {"_xxsubinterpreters", WHY_OBJECTS},
	{NULL, NULL}
};

/*
 * Modules that may be whitelisted only as a whole entry, which gives their
 * reviewed facade (sandbox/facades.py): a "module:name" entry or a
 * submodule would add a name of what the facade withholds (types: only
 * SimpleNamespace; the rest makes functions, code objects and frames).
 */
static const char *const whole_only[] = {"types", NULL};

const char *
pls_whole_only_module(const char *name, size_t len)
{
	const char *dot = memchr(name, '.', len);
	size_t		top = dot ? (size_t) (dot - name) : len;

	for (int i = 0; whole_only[i]; i++)
		if (strlen(whole_only[i]) == top && strncmp(name, whole_only[i], top) == 0)
			return whole_only[i];
	return NULL;
}

/*
 * Why the module called name (len bytes, dotted) can never be whitelisted,
 * or NULL.
 */
const char *
pls_never_allowed_reason(const char *name, size_t len)
{
	for (const NeverAllowed *n = never_allowed; n->module; n++)
	{
		size_t		mlen = strlen(n->module);

		if (len >= mlen && strncmp(name, n->module, mlen) == 0 &&
			(len == mlen || name[mlen] == '.'))
			return n->why;
	}
	return NULL;
}

static bool
wl_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

bool
pls_wl_next(const char **p, WLEntry *e, const char **bad)
{
	const char *s = *p;

	*bad = NULL;
	while (wl_space(*s))
		s++;
	if (*s == '\0')
		return false;
	e->sign = (*s == '+' || *s == '-') ? *s++ : '\0';
	while (wl_space(*s))
		s++;
	e->text = e->module = s;
	e->name = NULL;
	for (;;)
	{
		if (!(isalpha((unsigned char) *s) || *s == '_'))
		{
			*bad = s;
			return false;
		}
		while (isalnum((unsigned char) *s) || *s == '_')
			s++;
		if (*s == '.' && e->name == NULL)
			s++;
		else if (*s == ':' && e->name == NULL)
		{
			e->module_len = s - e->module;
			e->name = ++s;
		}
		else
			break;
	}
	if (e->name == NULL)
		e->module_len = s - e->module;
	else
		e->name_len = s - e->name;
	e->text_len = s - e->text;
	while (wl_space(*s))
		s++;
	if (*s == ',')
		s++;
	else if (*s != '\0')
	{
		*bad = s;
		return false;
	}
	*p = s;
	return true;
}

/* As a whole or by a name. */
bool
pls_wl_lists_module(const char *spec, const char *module, size_t len)
{
	WLEntry		e;
	const char *bad;

	while (pls_wl_next(&spec, &e, &bad))
		if (e.module_len == len && strncmp(e.module, module, len) == 0)
			return true;
	return false;
}

/*
 * Is module named in spec (a complete plsafepy.allowed_modules list, as
 * pls_whitelist_expand made it)?
 */
bool
pls_whitelist_has(const char *spec, const char *module)
{
	return pls_wl_lists_module(spec, module, strlen(module));
}
