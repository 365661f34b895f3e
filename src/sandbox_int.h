/*-------------------------------------------------------------------------
 *
 * sandbox_int.h
 *	  Private declarations of the sandbox: shared by the core's sandbox.c
 *	  (builtins, policy, lock-down, loader), whitelist.c (reading
 *	  plsafepy.allowed_modules lists), audit.c (the C audit hook) and
 *	  pybuild.c, and by the backend's whitelist_setting.c (the setting's
 *	  check hook and expansion).  No PostgreSQL header: the worker builds
 *	  the core too (pyhost.h).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SANDBOX_INT_H
#define SANDBOX_INT_H

#include "pyhost.h"

/* sandbox.c: the restricted runtime, run last by pls_interp_build */
extern int	pls_sandbox_setup(PLSInterp *interp);


/*
 * xml_entities.c: _xml_entities_check, the bound on the entities a document
 * for xml.etree.ElementTree declares (a trusted helper).
 */
extern PyMethodDef pls_xml_entities_check_def;

/*
 * sandbox_loader.c: the trusted loader (load_module, _loader_pass for
 * sandbox.c to hand to the trusted namespace), its window, and the import
 * system saved open and closed for it.
 */
extern PyMethodDef pls_load_module_def;
extern PyMethodDef pls_loader_pass_def;
extern bool pls_loader_window_open(void);
extern int	pls_loader_save_import_system(PLSInterp *interp);
extern int	pls_loader_save_closed_import_system(PLSInterp *interp);

/* audit.c: the hook denies in an interpreter once it is locked. */
extern int	pls_audit_lock(PyInterpreterState *is);
extern void pls_audit_forget(PyInterpreterState *is);
extern bool pls_audit_is_locked(PyInterpreterState *is);
extern void pls_audit_compiling(bool on);
extern void pls_audit_loading(bool on);
extern bool pls_user_code_running(void);

/*
 * Must list the same modules as REVIEWED in sandbox/facades.py (the regression
 * test sandbox_whitelist checks that the view shows each of them).
 */
#define PLS_DEFAULT_MODULES \
	"math, cmath, decimal, fractions, statistics, random, itertools, " \
	"functools, operator, collections, heapq, bisect, re, string, json, " \
	"datetime, calendar, textwrap, unicodedata, hashlib, base64, binascii, " \
	"uuid, enum, copy, pprint, difflib, struct, time, contextlib, abc, " \
	"collections.abc, numbers, csv, hmac, secrets, ipaddress, urllib.parse, " \
	"html, fnmatch, shlex, zlib, errno, array, ast, zoneinfo, " \
	"xml.etree.ElementTree, types, dataclasses, typing, logging"

/*
 * whitelist.c: one entry of a plsafepy.allowed_modules value,
 * [+|-]module[:name], as pls_wl_next reads it.
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

/*
 * Read the entry at *p into e and move *p past it and its comma.  False at
 * the end of the value, or on a malformed entry (then *bad points at it).
 */
extern bool pls_wl_next(const char **p, WLEntry *e, const char **bad);
/* Does the list spec (no signs) name module (len bytes)? */
extern bool pls_wl_lists_module(const char *spec, const char *module, size_t len);
/* Why module name (len bytes, dotted) can never be whitelisted, or NULL. */
extern const char *pls_never_allowed_reason(const char *name, size_t len);
/* The module a "module:name" entry or submodule may not name, or NULL. */
extern const char *pls_whole_only_module(const char *name, size_t len);
/* Is module named in spec (a complete list)? */
extern bool pls_whitelist_has(const char *spec, const char *module);

/* Why a module may be whitelisted only whole (whitelist.c's types). */
#define PLS_WHY_OBJECTS "It hands out frames, code objects, raw memory, or every object of the interpreter."

#endif							/* SANDBOX_INT_H */
