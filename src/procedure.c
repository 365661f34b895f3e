/*-------------------------------------------------------------------------
 *
 * procedure.c
 *	  Compiled procedures: each body becomes a real Python function whose
 *	  parameters are the SQL argument names, compiled once per (function,
 *	  role) and cached until pg_proc changes.  Also the validator and DO
 *	  blocks, which compile the same way.
 *
 *-------------------------------------------------------------------------
 */
#include "plsafepy.h"

#include "worker_pool.h"

#include "access/htup_details.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

/*
 * Hash entries never move, so fn_extra may point at one; the procedure it
 * holds is replaced when pg_proc changes.
 */
typedef struct PLSProcEntry
{
	PLSProcKey	key;
	PLSProc    *proc;
} PLSProcEntry;

static HTAB *procs = NULL;

/* Replaced procedures still running when replaced, freed once they end. */
static List *retired_procs = NIL;

PLSProc    *pls_current_proc = NULL;

static void
proc_inval_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	HASH_SEQ_STATUS status;
	PLSProcEntry *entry;

	if (procs == NULL)
		return;
	hash_seq_init(&status, procs);
	while ((entry = hash_seq_search(&status)) != NULL)
	{
		if (entry->proc &&
			(hashvalue == 0 || entry->proc->hashvalue == hashvalue))
			entry->proc->valid = false;
	}
}

void
pls_proc_init(void)
{
	HASHCTL		ctl;

	ctl.keysize = sizeof(PLSProcKey);
	ctl.entrysize = sizeof(PLSProcEntry);
	ctl.hcxt = TopMemoryContext;
	procs = hash_create("plsafepy procedures", 64, &ctl,
						HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	CacheRegisterSyscacheCallback(PROCOID, proc_inval_callback, (Datum) 0);
}

/* Python identifiers are what the tokenizer accepts; keywords are not. */
static bool
is_python_identifier(const char *name)
{
	static const char *const keywords[] = {
		"False", "None", "True", "and", "as", "assert", "async", "await",
		"break", "class", "continue", "def", "del", "elif", "else", "except",
		"finally", "for", "from", "global", "if", "import", "in", "is",
		"lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try",
		"while", "with", "yield", NULL
	};
	const char *p;

	if (name == NULL || name[0] == '\0' || isdigit((unsigned char) name[0]))
		return false;
	for (p = name; *p; p++)
		if (!(isalnum((unsigned char) *p) || *p == '_'))
			return false;
	for (int i = 0; keywords[i]; i++)
		if (strcmp(name, keywords[i]) == 0)
			return false;
	return true;
}

static void
check_supported_type(Oid typoid, bool is_result, PLSProcKind kind)
{
	if (get_typtype(typoid) != TYPTYPE_PSEUDO)
		return;
	if (typoid == RECORDOID)
		return;
	if (is_result && (typoid == VOIDOID ||
					  (typoid == TRIGGEROID && kind == PLS_TRIGGER)))
		return;
	if (is_result && typoid == EVENT_TRIGGEROID)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("PL/SafePy functions cannot be used as event triggers")));
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg(is_result ? "PL/SafePy functions cannot return type %s"
					: "PL/SafePy functions cannot accept type %s",
					format_type_be(typoid))));
}

/*
 * The body did not compile: a syntax error, or the sandbox's policy denied
 * it (42501, logged like a denial at run time).  Anything else is an
 * internal error of the compiler and is reported as such.
 */
static void report_compile_error(PLSProc *proc) pg_attribute_noreturn();

static void
report_compile_error(PLSProc *proc)
{
	PLSCompileError err;
	char	   *msg;
	char	   *hint;

	pls_compile_error_take(proc->interp, &err);
	if (err.kind == PLS_COMPILE_OTHER)
		pls_elog_exception(ERROR, proc);

	/* the messages quote the body's names, which are in UTF-8 here */
	msg = err.message ? pstrdup(err.message) : NULL;
	hint = err.hint ? pstrdup(err.hint) : NULL;
	pls_compile_error_release(&err);
	if (msg == NULL)
		msg = "unknown error";
	else
		msg = pg_any_to_server(msg, strlen(msg), PG_UTF8);
	if (hint)
		hint = pg_any_to_server(hint, strlen(hint), PG_UTF8);

	/*
	 * A DO block is compiled before main.c pushes its context line; its
	 * errors have that line all the same, as in PL/Python.
	 */
	if (err.kind == PLS_COMPILE_DENIED)
	{
		/* as a denial at run time is: logged with role and function */
		pls_host_log_denial(msg, proc->name);
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("%s", msg),
				 errdetail(PLS_COMPILE_DENIED_DETAIL, err.line, proc->name),
				 hint ? errhint("%s", hint) : 0,
				 proc->kind == PLS_INLINE ? errcontext(PLS_INLINE_CONTEXT) : 0));
	}
	if (proc->kind == PLS_INLINE)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg(PLS_COMPILE_SYNTAX_INLINE_MSG),
				 errdetail("%s", msg),
				 errcontext(PLS_INLINE_CONTEXT)));
	ereport(ERROR,
			(errcode(ERRCODE_SYNTAX_ERROR),
			 errmsg(PLS_COMPILE_SYNTAX_MSG, proc->name),
			 errdetail("%s", msg)));
}

/*
 * Compile body into proc->func in proc->interp (pls_py_compile).  The
 * caller has entered the interpreter.  Any failure is reported with
 * ereport after the Python exception has been turned into text.
 */
static void
compile_python(PLSProc *proc, List *params)
{
	PLSInterp  *interp = proc->interp;
	PyObject   *pyparams = NULL;
	PLSCompiled compiled;
	const char *defname = proc->defname;
	char	   *filename;
	ListCell   *lc;
	int			rc;

	if (interp->builtins == NULL || interp->policy == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("plsafepy sandbox is not available")));

	filename = psprintf("<plsafepy function %s>", proc->name);

	pyparams = PyList_New(0);
	if (pyparams == NULL)
		pls_elog_exception(ERROR, proc);
	foreach(lc, params)
	{
		PyObject   *s = PyUnicode_FromString((char *) lfirst(lc));

		if (s == NULL || PyList_Append(pyparams, s) < 0)
		{
			Py_XDECREF(s);
			Py_DECREF(pyparams);
			pls_elog_exception(ERROR, proc);
		}
		Py_DECREF(s);
	}

	/* Python reads UTF-8; the body is in the server's encoding. */
	rc = pls_py_compile(interp, defname, pyparams,
						pg_server_to_any(proc->source, strlen(proc->source),
										 PG_UTF8),
						filename,
						proc->kind == PLS_FUNCTION || proc->kind == PLS_PROCEDURE,
						&compiled);
	Py_DECREF(pyparams);
	if (rc < 0)
		report_compile_error(proc);

	proc->func = compiled.func;
	proc->globals = compiled.globals;
	proc->SD = compiled.SD;
	proc->uses_args = compiled.uses_args;
	if (proc->uses_args)
		proc->npyargs++;
}

static void
free_proc(PLSProc *proc)
{
	if (proc->interp && (proc->func || proc->globals || proc->SD))
	{
		PLSEntry	e;
		PLSExecCtx *save_ctx = pls_exec_ctx;

		/*
		 * Finalizers of what SD held run user code, here possibly inside
		 * the caller's plpy.execute: SPI must not be used from them (see
		 * srf_cleanup in exec.c).
		 */
		pls_exec_ctx = NULL;
		pls_enter(proc->interp, &e);
		Py_CLEAR(proc->func);
		Py_CLEAR(proc->globals);
		Py_CLEAR(proc->SD);
		pls_leave(&e);
		pls_exec_ctx = save_ctx;
	}
	MemoryContextDelete(proc->mcxt);
}

/*
 * A copy of src in mcxt whose line ends are all \n: \r\n and a lone \r
 * become \n, everywhere (inside string literals too), which is exactly what
 * CPython's tokenizer would make of them.  The compiler and the traceback's
 * source lines (errors.c) then count the same lines.
 */
static char *
copy_source(MemoryContext mcxt, const char *src)
{
	char	   *out = MemoryContextAlloc(mcxt, strlen(src) + 1);
	char	   *o = out;

	for (; *src; src++)
	{
		if (*src != '\r')
			*o++ = *src;
		else if (src[1] != '\n')
			*o++ = '\n';
	}
	*o = '\0';
	return out;
}

static PLSProc *
new_proc(const char *name, const char *source, Oid roleid)
{
	MemoryContext mcxt;
	PLSProc    *proc;

	mcxt = AllocSetContextCreate(TopMemoryContext, "plsafepy procedure",
								 ALLOCSET_SMALL_SIZES);
	proc = MemoryContextAllocZero(mcxt, sizeof(PLSProc));
	proc->mcxt = mcxt;
	proc->key.roleid = roleid;
	proc->name = MemoryContextStrdup(mcxt, name);
	proc->source = copy_source(mcxt, source);
	MemoryContextSetIdentifier(mcxt, proc->name);
	return proc;
}

/*
 * What both isolations need before the body is compiled: the def's name,
 * the Python parameters' names, a generation that tells a rebuilt
 * procedure from the one it replaces (the worker's cache key), and where
 * it runs.
 */
static void
prepare_proc(PLSProc *proc, List *params)
{
	static uint64 generations = 0;
	ListCell   *lc;
	int			i = 0;

	if (proc->kind == PLS_INLINE)
		proc->defname = proc->name;
	else if (is_python_identifier(proc->name) && strncmp(proc->name, "__", 2) != 0)
		proc->defname = proc->name;
	else
		proc->defname = "plsafepy_function";
	proc->argnames = MemoryContextAlloc(proc->mcxt,
										sizeof(char *) * (list_length(params) + 1));
	foreach(lc, params)
		proc->argnames[i++] = MemoryContextStrdup(proc->mcxt, (char *) lfirst(lc));
	proc->generation = ++generations;
	proc->process = pls_isolation_is_process(proc->key.roleid);
}

/*
 * Build a procedure from its pg_proc row, for the given role.  On error the
 * half-built procedure is freed.
 */
static PLSProc *
build_proc(Oid fn_oid, Oid roleid, bool is_trigger)
{
	HeapTuple	procTup;
	Form_pg_proc procStruct;
	Datum		prosrc;
	bool		isnull;
	PLSProc    *volatile proc;
	PLSEntry	e;
	volatile bool entered = false;
	PLSTrf		trf;

	procTup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn_oid));
	if (!HeapTupleIsValid(procTup))
		elog(ERROR, "cache lookup failed for function %u", fn_oid);
	procStruct = (Form_pg_proc) GETSTRUCT(procTup);
	prosrc = SysCacheGetAttr(PROCOID, procTup, Anum_pg_proc_prosrc, &isnull);
	if (isnull)
		elog(ERROR, "null prosrc");

	pls_trf_for_function(procTup, &trf);
	proc = new_proc(NameStr(procStruct->proname), TextDatumGetCString(prosrc),
					roleid);
	proc->trf = trf;
	proc->key.fn_oid = fn_oid;
	proc->hashvalue = GetSysCacheHashValue1(PROCOID, ObjectIdGetDatum(fn_oid));

	PG_TRY();
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(proc->mcxt);
		Oid		   *types;
		char	  **names;
		char	   *modes;
		int			total;
		List	   *params = NIL;
		Oid			rettype = procStruct->prorettype;

		if (procStruct->prokind == PROKIND_PROCEDURE)
			proc->kind = PLS_PROCEDURE;
		else if (rettype == TRIGGEROID || is_trigger)
			proc->kind = PLS_TRIGGER;
		else
			proc->kind = PLS_FUNCTION;
		proc->readonly = procStruct->provolatile != PROVOLATILE_VOLATILE;
		proc->is_setof = procStruct->proretset;

		check_supported_type(rettype, true, proc->kind);
		if (proc->kind == PLS_TRIGGER)
			params = list_make1(pstrdup("TD"));
		else
		{
			proc->is_record = (rettype == RECORDOID);
			if (rettype != VOIDOID)
				pls_type_init(&proc->result, rettype, -1, proc->mcxt,
							  &proc->trf);
			else
				proc->result.typoid = VOIDOID;

			total = get_func_arg_info(procTup, &types, &names, &modes);
			proc->argtypes = palloc0(sizeof(PLSType) * Max(total, 1));
			proc->argpos = palloc(sizeof(int) * (total + 1));
			for (int i = 0; i < total; i++)
			{
				char		mode = modes ? modes[i] : PROARGMODE_IN;

				if (mode == PROARGMODE_OUT || mode == PROARGMODE_TABLE)
					continue;
				check_supported_type(types[i], false, proc->kind);
				pls_type_init(&proc->argtypes[proc->nargs], types[i], -1,
							  proc->mcxt, &proc->trf);
				if (names && is_python_identifier(names[i]) &&
					strncmp(names[i], "__", 2) != 0 &&
					strcmp(names[i], "args") != 0)
				{
					proc->argpos[proc->npyargs++] = proc->nargs;
					params = lappend(params, names[i]);
				}
				proc->nargs++;
			}
			proc->argpos[proc->npyargs] = -1;	/* the args list, if used */
		}
		MemoryContextSwitchTo(oldcxt);

		prepare_proc(proc, params);
		/* in process isolation the worker compiles it: no Python here */
		if (!proc->process)
		{
			proc->interp = pls_interp_for_role(roleid);
			pls_enter(proc->interp, &e);
			entered = true;
			compile_python(proc, params);
			pls_leave(&e);
			entered = false;
		}
	}
	PG_CATCH();
	{
		if (entered)
			pls_leave(&e);
		ReleaseSysCache(procTup);
		free_proc(proc);
		PG_RE_THROW();
	}
	PG_END_TRY();

	ReleaseSysCache(procTup);
	proc->valid = true;
	return proc;
}

/*
 * Free the retired procedures no call uses any more.  Freeing runs Python
 * finalizers, which may call functions and retire more procedures: the list
 * is detached while it is walked.
 */
static void
free_retired_procs(void)
{
	List	   *list = retired_procs;
	List	   *keep = NIL;
	ListCell   *lc;
	MemoryContext oldcxt;

	retired_procs = NIL;
	foreach(lc, list)
	{
		PLSProc    *proc = (PLSProc *) lfirst(lc);

		if (proc->calldepth == 0)
			free_proc(proc);
		else
		{
			oldcxt = MemoryContextSwitchTo(TopMemoryContext);
			keep = lappend(keep, proc);
			MemoryContextSwitchTo(oldcxt);
		}
	}
	list_free(list);
	oldcxt = MemoryContextSwitchTo(TopMemoryContext);
	retired_procs = list_concat(keep, retired_procs);
	MemoryContextSwitchTo(oldcxt);
}

PLSProc *
pls_proc_get(FunctionCallInfo fcinfo, PLSProcKind kind)
{
	/* A set-returning function's fn_extra belongs to funcapi. */
	bool		use_extra = !fcinfo->flinfo->fn_retset;
	PLSProcEntry *entry = use_extra ? (PLSProcEntry *) fcinfo->flinfo->fn_extra : NULL;
	Oid			roleid = GetUserId();
	PLSProcKey	key;
	bool		found;
	PLSProc    *old;

	if (entry && entry->key.roleid == roleid && entry->proc &&
		entry->proc->valid)
		return entry->proc;

	key.fn_oid = fcinfo->flinfo->fn_oid;
	key.roleid = roleid;
	entry = hash_search(procs, &key, HASH_ENTER, &found);
	if (!found)
		entry->proc = NULL;
	else if (entry->proc && entry->proc->valid)
	{
		if (use_extra)
			fcinfo->flinfo->fn_extra = entry;
		return entry->proc;
	}

	old = entry->proc;
	entry->proc = build_proc(key.fn_oid, roleid, kind == PLS_TRIGGER);
	if (use_extra)
		fcinfo->flinfo->fn_extra = entry;

	/* A running call (recursion, an open SETOF) keeps the old one alive. */
	if (old && old->calldepth > 0)
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(TopMemoryContext);

		retired_procs = lappend(retired_procs, old);
		MemoryContextSwitchTo(oldcxt);
		old = NULL;
	}
	if (retired_procs != NIL)
		free_retired_procs();
	if (old)
		free_proc(old);
	return entry->proc;
}

void
pls_proc_validate(Oid fn_oid)
{
	PLSProc    *proc;

	/*
	 * Compile for the creating role, as the first call would, so that
	 * syntax and policy errors come at CREATE FUNCTION.  The result is
	 * dropped: the catalog row is about to be invalidated anyway.
	 */
	proc = build_proc(fn_oid, GetUserId(), false);
	if (proc->process)
	{
		PG_TRY();
		{
			pls_process_validate(proc);
		}
		PG_FINALLY();
		{
			free_proc(proc);
		}
		PG_END_TRY();
		return;
	}
	free_proc(proc);
}

PLSProc *
pls_proc_inline(const char *source)
{
	PLSProc    *volatile proc;
	PLSEntry	e;
	volatile bool entered = false;

	/* PL/Python's name for the block's frame, as tracebacks show it */
	proc = new_proc("__plpython_inline_block", source, GetUserId());
	proc->kind = PLS_INLINE;
	proc->result.typoid = VOIDOID;
	proc->argpos = MemoryContextAlloc(proc->mcxt, sizeof(int));
	proc->argpos[0] = -1;
	PG_TRY();
	{
		prepare_proc(proc, NIL);
		if (!proc->process)
		{
			proc->interp = pls_interp_for_role(proc->key.roleid);
			pls_enter(proc->interp, &e);
			entered = true;
			compile_python(proc, NIL);
			pls_leave(&e);
			entered = false;
		}
	}
	PG_CATCH();
	{
		if (entered)
			pls_leave(&e);
		free_proc(proc);
		PG_RE_THROW();
	}
	PG_END_TRY();
	proc->valid = true;
	return proc;
}

void
pls_proc_release_inline(PLSProc *proc)
{
	free_proc(proc);
}
