/*-------------------------------------------------------------------------
 *
 * settings.c
 *	  Role-resolved settings: which value of a plsafepy setting applies to
 *	  a role's interpreter.
 *
 * An interpreter belongs to a role (interp.c), so the settings that shape
 * it, plsafepy.allowed_modules, plsafepy.memory_limit and
 * plsafepy.isolation (where it runs: worker_pool.c), are those configured
 * for that role, whoever the session user is:
 *
 *	- the session user's own interpreter: the session's current value (its
 *	  role and database settings applied at log-in, a superuser's SET);
 *	- any other role's (a SECURITY DEFINER function of another owner, SET
 *	  ROLE): the first of ALTER ROLE r IN DATABASE d SET, ALTER ROLE r SET,
 *	  ALTER DATABASE d SET and ALTER ROLE ALL SET, as stored in
 *	  pg_db_role_setting (the order process_settings applies them at
 *	  log-in), then the server's value (built-in default, postgresql.conf,
 *	  ALTER SYSTEM, the postmaster's command line).
 *
 * Stored entries are trusted as PostgreSQL 15 trusts them at log-in, where
 * it applies them with superuser rights: for these superuser-only settings
 * only a superuser, or a role a superuser granted SET ON PARAMETER, can
 * store one, also as a placeholder before the library is loaded.  A stored
 * value is checked as the setting checks it; an invalid one is an error,
 * not skipped (skipping it would let a less specific level apply).
 *
 * The session's reset value is the server's value unless the session
 * user's own settings (or a superuser's connection options) replaced it
 * before the library was loaded, in which case PostgreSQL keeps no trace
 * of it in this backend: it is then read from the configuration files, as
 * a reload would (postgresql.conf, postgresql.auto.conf), else it is the
 * built-in default.
 *
 * A plsafepy.allowed_modules value that adds to or removes from the
 * defaults ("+zlib, -random") is relative to plsafepy's reviewed defaults,
 * at every level: the level found replaces the less specific ones, as for
 * any setting, and is never applied on top of them.  What is handed back
 * is the complete list it stands for (whitelist.c's pls_whitelist_expand).
 *
 * plsafepy.user_memory_limit is the session's own tightening (memory.c);
 * it is never resolved per role.
 *
 *-------------------------------------------------------------------------
 */
#include "plsafepy.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_db_role_setting.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/guc_tables.h"
#include "utils/rel.h"
#include "worker_pool.h"

/* Where a resolved value came from, for messages. */
typedef struct Origin
{
	const char *name;			/* the setting */
	Oid			roleid;			/* the interpreter's role */
	const char *level;			/* the statement that stores it */
} Origin;

static void
origin_context(void *arg)
{
	Origin	   *o = (Origin *) arg;

	errcontext("%s of role \"%s\", from %s",
			   o->name, GetUserNameFromId(o->roleid, true), o->level);
}

/*
 * The value of name in one pg_db_role_setting row's setconfig, read as
 * ProcessGUCArray reads it (the last entry wins, names compare as GUC
 * names do), or NULL.
 */
static char *
array_value(ArrayType *array, const char *name)
{
	char	   *result = NULL;

	if (ARR_ELEMTYPE(array) != TEXTOID || ARR_NDIM(array) != 1 ||
		ARR_LBOUND(array)[0] != 1)
		elog(ERROR, "pg_db_role_setting.setconfig is not a one-dimensional text array");
	for (int i = 1; i <= ARR_DIMS(array)[0]; i++)
	{
		Datum		d;
		bool		isnull;
		char	   *s;
		char	   *n;
		char	   *v;

		d = array_ref(array, 1, &i, -1, -1, false, TYPALIGN_INT, &isnull);
		if (isnull)
			continue;
		s = TextDatumGetCString(d);
		ParseLongOption(s, &n, &v);
		pfree(s);
		if (v != NULL && pg_strcasecmp(n, name) == 0)
		{
			if (result)
				pfree(result);
			result = pstrdup(v);
		}
		free(n);
		if (v)
			free(v);
	}
	return result;
}

/* name as ALTER ROLE roleid [IN DATABASE databaseid] SET stored it, or NULL */
static char *
stored_value(Relation rel, Oid databaseid, Oid roleid, const char *name)
{
	ScanKeyData keys[2];
	SysScanDesc scan;
	HeapTuple	tup;
	char	   *result = NULL;

	ScanKeyInit(&keys[0], Anum_pg_db_role_setting_setdatabase,
				BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(databaseid));
	ScanKeyInit(&keys[1], Anum_pg_db_role_setting_setrole,
				BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(roleid));
	scan = systable_beginscan(rel, DbRoleSettingDatidRolidIndexId, true,
							  NULL, 2, keys);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		bool		isnull;
		Datum		d = heap_getattr(tup, Anum_pg_db_role_setting_setconfig,
									 RelationGetDescr(rel), &isnull);

		if (!isnull)
			result = array_value(DatumGetArrayTypeP(d), name);
	}
	systable_endscan(scan);
	return result;
}

static struct config_generic *
find_setting(const char *name)
{
	struct config_generic **vars = get_guc_variables();
	int			n = GetNumConfigOptions();

	for (int i = 0; i < n; i++)
		if (pg_strcasecmp(vars[i]->name, name) == 0)
			return vars[i];
	elog(ERROR, "setting \"%s\" is not defined", name);
	return NULL;				/* keep compiler quiet */
}

/* A string, integer or enum setting's reset or built-in value, as text. */
static char *
setting_text(struct config_generic *gen, bool boot)
{
	if (gen->vartype == PGC_STRING)
	{
		struct config_string *conf = (struct config_string *) gen;
		const char *s = boot ? conf->boot_val : conf->reset_val;

		return pstrdup(s ? s : "");
	}
	if (gen->vartype == PGC_INT)
	{
		struct config_int *conf = (struct config_int *) gen;

		return psprintf("%d", boot ? conf->boot_val : conf->reset_val);
	}
	if (gen->vartype == PGC_ENUM)
	{
		struct config_enum *conf = (struct config_enum *) gen;

		return pstrdup(config_enum_lookup_by_value(conf, boot ? conf->boot_val :
												   conf->reset_val));
	}
	elog(ERROR, "setting \"%s\" has an unexpected type", gen->name);
	return NULL;				/* keep compiler quiet */
}

/* The last value of name in the configuration files, or NULL. */
static char *
config_file_value(const char *name)
{
	ConfigVariable *head = NULL;
	ConfigVariable *tail = NULL;
	char	   *result = NULL;

	if (ConfigFileName == NULL)
		return NULL;
	(void) ParseConfigFile(ConfigFileName, true, NULL, 0, 0, ERROR,
						   &head, &tail);
	if (DataDir)
		(void) ParseConfigFile(PG_AUTOCONF_FILENAME, false, NULL, 0, 0, ERROR,
							   &head, &tail);
	for (ConfigVariable *item = head; item; item = item->next)
		if (!item->ignore && pg_strcasecmp(item->name, name) == 0)
			result = item->value;
	if (result)
		result = pstrdup(result);
	FreeConfigVariables(head);
	return result;
}

/* The server's value of name: sources PGC_S_DEFAULT to PGC_S_ARGV. */
static char *
server_value(const char *name)
{
	struct config_generic *gen = find_setting(name);
	char	   *value;

	if (gen->reset_source <= PGC_S_ARGV)
		return setting_text(gen, false);
	value = config_file_value(name);
	return value ? value : setting_text(gen, true);
}

/*
 * The value of name for roleid's interpreter, checked as the setting
 * checks it (an invalid one is an error naming where it came from).
 */
static char *
resolve(Relation rel, const char *name, Oid roleid)
{
	struct
	{
		Oid			databaseid;
		Oid			roleid;
		const char *level;
	}			levels[] = {
		{MyDatabaseId, roleid, "ALTER ROLE ... IN DATABASE ... SET"},
		{InvalidOid, roleid, "ALTER ROLE ... SET"},
		{MyDatabaseId, InvalidOid, "ALTER DATABASE ... SET"},
		{InvalidOid, InvalidOid, "ALTER ROLE ALL SET"},
	};
	ErrorContextCallback errcb;
	Origin		origin;
	char	   *value = NULL;

	origin.name = name;
	origin.roleid = roleid;
	origin.level = "the server's configuration";
	for (int i = 0; i < lengthof(levels) && value == NULL; i++)
	{
		value = stored_value(rel, levels[i].databaseid, levels[i].roleid, name);
		if (value)
			origin.level = levels[i].level;
	}
	if (value == NULL)
		value = server_value(name);

	errcb.callback = origin_context;
	errcb.arg = &origin;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;
	(void) set_config_option(name, value, PGC_SUSET, PGC_S_TEST,
							 GUC_ACTION_SET, false, ERROR, false);
	error_context_stack = errcb.previous;
	return value;
}

void
pls_settings_resolve(Oid roleid, char **allowed_modules, int *memory_limit_kb)
{
	Relation	rel;
	char	   *modules;
	char	   *limit;

	if (roleid == GetSessionUserId())
	{
		*allowed_modules = pls_whitelist_expand(pls_allowed_modules ?
												pls_allowed_modules : "");
		*memory_limit_kb = -1;
		return;
	}

	rel = table_open(DbRoleSettingRelationId, AccessShareLock);
	modules = resolve(rel, "plsafepy.allowed_modules", roleid);
	limit = resolve(rel, "plsafepy.memory_limit", roleid);
	table_close(rel, AccessShareLock);

	/* checked by resolve(): a valid value in range */
	if (!parse_int(limit, memory_limit_kb, GUC_UNIT_KB, NULL) ||
		*memory_limit_kb < 0)
		elog(ERROR, "plsafepy.memory_limit \"%s\" did not parse", limit);
	*allowed_modules = pls_whitelist_expand(modules);
	pfree(modules);
	pfree(limit);
}

/* One setting's value for roleid, who is not the session user. */
static char *
resolve_one(const char *name, Oid roleid)
{
	Relation	rel;
	char	   *value;

	rel = table_open(DbRoleSettingRelationId, AccessShareLock);
	value = resolve(rel, name, roleid);
	table_close(rel, AccessShareLock);
	return value;
}

/*
 * plsafepy.isolation for roleid's Python (PLS_ISOLATION_*): where it runs,
 * in this backend or in a worker process (worker_pool.c).
 */
int
pls_settings_isolation(Oid roleid)
{
	char	   *value;
	int			result;

	if (roleid == GetSessionUserId())
		return pls_isolation;
	value = resolve_one("plsafepy.isolation", roleid);
	/* checked by resolve(): one of the two */
	result = pg_strcasecmp(value, "process") == 0 ? PLS_ISOLATION_PROCESS :
		PLS_ISOLATION_INLINE;
	pfree(value);
	return result;
}

