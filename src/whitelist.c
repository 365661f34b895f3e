/*-------------------------------------------------------------------------
 *
 * whitelist.c
 *	  The syntax of plsafepy.allowed_modules: reading its entries, the
 *	  check hook (malformed entries, mixed readings, modules that can never
 *	  be allowed), and turning a change to the reviewed defaults into the
 *	  complete list the loader and the facades read.
 *
 *-------------------------------------------------------------------------
 */
#include "sandbox_int.h"

#include "lib/stringinfo.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#include <ctype.h>

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
#define WHY_OBJECTS "It hands out frames, code objects, raw memory, or every object of the interpreter."

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

static const char *
whole_only_module(const char *name, size_t len)
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

/*
 * One entry of a plsafepy.allowed_modules value: [+|-]module[:name].
 */
typedef struct WLEntry
{
	char		sign;			/* '+', '-' or '\0' */
	const char *module;			/* not terminated: module_len bytes */
	size_t		module_len;
	const char *name;			/* NULL, or name_len bytes */
	size_t		name_len;
	const char *text;			/* the entry without its sign */
	size_t		text_len;
} WLEntry;

#define WL_ENTRY_DETAIL(where) "Each entry must be \"module\" or \"module:name\" with Python identifiers, optionally preceded by \"+\" or \"-\", " where "."

static bool
wl_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/*
 * Read the entry at *p into e and move *p past it and its comma.  False at
 * the end of the value, or on a malformed entry (then *bad points at it).
 */
static bool
wl_next(const char **p, WLEntry *e, const char **bad)
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

/* Does the list spec (no signs) name module, as a whole or by a name? */
static bool
wl_lists_module(const char *spec, const char *module, size_t len)
{
	WLEntry		e;
	const char *bad;

	while (wl_next(&spec, &e, &bad))
		if (e.module_len == len && strncmp(e.module, module, len) == 0)
			return true;
	return false;
}

/*
 * A value is either a complete list (no entry has a sign: these modules
 * and no others, as shared_preload_libraries or search_path read) or a
 * change to plsafepy's reviewed defaults (every entry has one: "+" adds,
 * "-" removes a whole default module).  Entries are "module" (its reviewed
 * names, or every public name of a module plsafepy has not reviewed) or
 * "module:name" (that name only); module is a dotted Python identifier,
 * and not one never_allowed names.  Refused values are SQLSTATE 22023
 * like any invalid value: a never-allowed module is refused for everyone,
 * superusers included, so it is not a privilege question (42501 would
 * suggest a role that may set it).  Whether a module is installed is not
 * known here (no Python may be running): an interpreter warns of the
 * entries it cannot find when it is built.
 */
bool
check_allowed_modules(char **newval, void **extra, GucSource source)
{
	const char *p = *newval;
	const char *bad;
	WLEntry		e;
	int			signed_entries = 0;
	int			bare_entries = 0;

	if (p == NULL)
		return true;
	while (wl_next(&p, &e, &bad))
	{
		const char *why = pls_never_allowed_reason(e.module, e.module_len);
		const char *whole;

		if (why != NULL)
		{
			GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
			GUC_check_errmsg("module \"%.*s\" can never be allowed in plsafepy",
							 (int) e.module_len, e.module);
			GUC_check_errdetail("%s", why);
			return false;
		}
		whole = whole_only_module(e.module, e.module_len);
		if (whole != NULL &&
			(e.name != NULL || memchr(e.module, '.', e.module_len) != NULL))
		{
			GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
			GUC_check_errmsg("module \"%s\" may be allowed only as a whole entry (its reviewed names)",
							 whole);
			GUC_check_errdetail("%s", WHY_OBJECTS);
			return false;
		}
		if (e.sign == '-' && e.name != NULL)
		{
			GUC_check_errdetail("Entry \"-%.*s\" removes a name: \"-\" removes a whole module of the defaults.",
								(int) e.text_len, e.text);
			return false;
		}
		if (e.sign == '-' &&
			!wl_lists_module(PLS_DEFAULT_MODULES, e.module, e.module_len))
		{
			GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
			GUC_check_errmsg("module \"%.*s\" is not among plsafepy's default modules",
							 (int) e.module_len, e.module);
			GUC_check_errdetail("Only a default module can be removed with \"-\".");
			return false;
		}
		if (e.sign)
			signed_entries++;
		else
			bare_entries++;
		if (signed_entries > 0 && bare_entries > 0)
		{
			GUC_check_errdetail("Entry \"%.*s\" has no sign: in a value whose entries add (\"+\") to or remove (\"-\") from the defaults, every entry has one.",
								(int) e.text_len, e.text);
			GUC_check_errhint("A list without signs names every allowed module.");
			return false;
		}
	}
	if (bad != NULL)
	{
		if (*bad)
			GUC_check_errdetail(WL_ENTRY_DETAIL("near \"%s\""), bad);
		else
			GUC_check_errdetail(WL_ENTRY_DETAIL("at the end"));
		return false;
	}
	return true;
}

/*
 * The complete list a checked plsafepy.allowed_modules value stands for,
 * in TopMemoryContext: a change to the defaults applied to them.
 */
char *
pls_whitelist_expand(const char *value)
{
	StringInfoData buf;
	const char *p = value;
	const char *bad;
	WLEntry		e;
	bool		relative = false;
	char	   *result;

	while (wl_next(&p, &e, &bad))
		relative |= (e.sign != '\0');
	if (!relative)
		return MemoryContextStrdup(TopMemoryContext, value);

	initStringInfo(&buf);
	p = PLS_DEFAULT_MODULES;
	while (wl_next(&p, &e, &bad))
	{
		const char *q = value;
		WLEntry		change;
		bool		removed = false;

		while (wl_next(&q, &change, &bad))
			removed |= (change.sign == '-' &&
						change.module_len == e.module_len &&
						strncmp(change.module, e.module, e.module_len) == 0);
		if (!removed)
			appendStringInfo(&buf, "%s%.*s", buf.len ? ", " : "",
							 (int) e.text_len, e.text);
	}
	p = value;
	while (wl_next(&p, &e, &bad))
		if (e.sign == '+')
			appendStringInfo(&buf, "%s%.*s", buf.len ? ", " : "",
							 (int) e.text_len, e.text);
	result = MemoryContextStrdup(TopMemoryContext, buf.data);
	pfree(buf.data);
	return result;
}

/*
 * Is module named in spec (a complete plsafepy.allowed_modules list, as
 * pls_whitelist_expand made it)?
 */
bool
pls_whitelist_has(const char *spec, const char *module)
{
	return wl_lists_module(spec, module, strlen(module));
}
