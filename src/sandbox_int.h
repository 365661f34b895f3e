/*-------------------------------------------------------------------------
 *
 * sandbox_int.h
 *	  Private declarations shared by sandbox.c (whitelist, builtins,
 *	  policy, lock-down) and audit.c (the C audit hook).  Nothing else
 *	  includes it.
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

/* sandbox.c: number of denials in this backend (for tests and logs). */
extern uint64 pls_denial_count;

#endif							/* SANDBOX_INT_H */
