/*-------------------------------------------------------------------------
 *
 * sandbox_int.h
 *	  Private declarations shared by sandbox.c (builtins, policy,
 *	  lock-down), whitelist.c (the syntax of plsafepy.allowed_modules) and
 *	  audit.c (the C audit hook).  Nothing else includes it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SANDBOX_INT_H
#define SANDBOX_INT_H

#include "plsafepy.h"

/* audit.c: the hook denies in an interpreter once it is locked. */
extern void pls_audit_lock(PyInterpreterState *is);
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
	"html, fnmatch, shlex, zlib, types, dataclasses, typing, logging"

/* whitelist.c: plsafepy.allowed_modules */
extern bool check_allowed_modules(char **newval, void **extra,
								  GucSource source);
extern const char *pls_never_allowed_reason(const char *name, size_t len);
extern bool pls_whitelist_has(const char *spec, const char *module);

/* sandbox.c: number of denials in this backend (for tests and logs). */
extern uint64 pls_denial_count;

#endif							/* SANDBOX_INT_H */
