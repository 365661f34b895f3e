/*-------------------------------------------------------------------------
 *
 * whitelist_setting.c
 *	  The setting plsafepy.allowed_modules in the backend: its check hook
 *	  (malformed entries, mixed readings, modules that can never be
 *	  allowed) and turning a change to the reviewed defaults into the
 *	  complete list the loader and the facades read.  The entries' syntax
 *	  is whitelist.c's.
 *
 *-------------------------------------------------------------------------
 */
#include "plsafepy.h"

#include "lib/stringinfo.h"
#include "utils/memutils.h"

#include "sandbox_int.h"

#define WL_ENTRY_DETAIL(where) "Each entry must be \"module\" or \"module:name\" with Python identifiers, optionally preceded by \"+\" or \"-\", " where "."

/*
 * A value is either a complete list (no entry has a sign: these modules
 * and no others, as shared_preload_libraries or search_path read) or a
 * change to plsafepy's reviewed defaults (every entry has one: "+" adds,
 * "-" removes a whole default module).  Entries are "module" (its reviewed
 * names, or every public name of a module plsafepy has not reviewed) or
 * "module:name" (that name only); module is a dotted Python identifier,
 * and not one whitelist.c never allows.  Refused values are SQLSTATE 22023
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
	while (pls_wl_next(&p, &e, &bad))
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
		whole = pls_whole_only_module(e.module, e.module_len);
		if (whole != NULL &&
			(e.name != NULL || memchr(e.module, '.', e.module_len) != NULL))
		{
			GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
			GUC_check_errmsg("module \"%s\" may be allowed only as a whole entry (its reviewed names)",
							 whole);
			GUC_check_errdetail("%s", PLS_WHY_OBJECTS);
			return false;
		}
		if (e.sign == '-' && e.name != NULL)
		{
			GUC_check_errdetail("Entry \"-%.*s\" removes a name: \"-\" removes a whole module of the defaults.",
								(int) e.text_len, e.text);
			return false;
		}
		if (e.sign == '-' &&
			!pls_wl_lists_module(PLS_DEFAULT_MODULES, e.module, e.module_len))
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

	while (pls_wl_next(&p, &e, &bad))
		relative |= (e.sign != '\0');
	if (!relative)
		return MemoryContextStrdup(TopMemoryContext, value);

	initStringInfo(&buf);
	p = PLS_DEFAULT_MODULES;
	while (pls_wl_next(&p, &e, &bad))
	{
		const char *q = value;
		WLEntry		change;
		bool		removed = false;

		while (pls_wl_next(&q, &change, &bad))
			removed |= (change.sign == '-' &&
						change.module_len == e.module_len &&
						strncmp(change.module, e.module, e.module_len) == 0);
		if (!removed)
			appendStringInfo(&buf, "%s%.*s", buf.len ? ", " : "",
							 (int) e.text_len, e.text);
	}
	p = value;
	while (pls_wl_next(&p, &e, &bad))
		if (e.sign == '+')
			appendStringInfo(&buf, "%s%.*s", buf.len ? ", " : "",
							 (int) e.text_len, e.text);
	result = MemoryContextStrdup(TopMemoryContext, buf.data);
	pfree(buf.data);
	return result;
}
