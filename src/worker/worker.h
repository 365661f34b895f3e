/*-------------------------------------------------------------------------
 *
 * worker.h
 *	  Declarations shared by the files of the plsafepy-worker program
 *	  (main.c, confine.c, seccomp.c, watchdog.c and, in the test-only build,
 *	  testing.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PLS_WORKER_WORKER_H
#define PLS_WORKER_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "worker/channel.h"

/* main.c */
extern void pls_worker_exception_text(char *buf, size_t len);

/* confine.c: the walls other than seccomp. */
extern uint32_t pls_confine_namespaces(void);
extern int	pls_confine_limits(uint64_t memory_limit, char *err, size_t errlen);
extern int	pls_confine_privileges(char *err, size_t errlen);
extern uint32_t pls_confine_landlock(uint32_t *abi);

/* seccomp.c: the system call allowlist, the last wall. */
extern int	pls_seccomp_install(char *err, size_t errlen);

/* watchdog.c: stops running Python code on the backend's interrupt. */
extern int	pls_watchdog_start(volatile uint32_t *interrupt_seq,
							   char *err, size_t errlen);
extern void pls_watchdog_call_begin(void);
extern void pls_watchdog_call_end(void);
extern bool pls_watchdog_interrupted(void);

#ifdef PLS_WORKER_TESTING
/* testing.c: full, unrestricted Python inside the locked worker. */
extern int	pls_testing_prepare(void);
extern uint32_t pls_testing_exec(const char *src, uint32_t len,
							 char *out, uint32_t outsize);
#endif

#endif							/* PLS_WORKER_WORKER_H */
