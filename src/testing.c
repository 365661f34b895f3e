/*-------------------------------------------------------------------------
 *
 * testing.c
 *	  Test-only settings of the backend, compiled only into the testing
 *	  flavour (make PLSAFEPY_TESTING=1, which defines PLSAFEPY_TESTING and
 *	  installs the testing worker as plsafepy-worker); a production build
 *	  has neither setting (test/kernel.sh and test/fuzz_backend.sh prove
 *	  it).  Both are superuser-only:
 *	- plsafepy.testing_unsandboxed: process-mode calls run their body as
 *	  plain Python with the real builtins and modules, inside the locked-in
 *	  worker (worker_pool.c starts the role's worker with
 *	  PLS_INIT_TESTING_UNSANDBOXED, call_process.c marks its CALLs with
 *	  PLS_CALL_UNSANDBOXED): the kernel's walls alone, attacked with full
 *	  Python (test/kernel.sh).  A production worker refuses both flags;
 *	- plsafepy.testing_worker_path: the program started as the worker,
 *	  instead of $libdir/plsafepy-worker (test/fuzz_backend.sh points it at
 *	  a fake worker that answers with corrupt messages).
 *
 *-------------------------------------------------------------------------
 */
#include "plsafepy.h"

#include "utils/guc.h"

#include "worker_pool.h"

bool		pls_testing_unsandboxed = false;
char	   *pls_testing_worker_path = NULL;

void
pls_testing_init(void)
{
	DefineCustomBoolVariable("plsafepy.testing_unsandboxed",
							 "Test build only: runs process-mode calls without the Python-level sandbox, inside the locked-in worker.",
							 "Starts each role's worker anew in that mode; only a testing worker accepts it.",
							 &pls_testing_unsandboxed,
							 false,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);
	DefineCustomStringVariable("plsafepy.testing_worker_path",
							   "Test build only: the program started as a plsafepy worker (empty: $libdir/plsafepy-worker).",
							   NULL,
							   &pls_testing_worker_path,
							   "",
							   PGC_SUSET,
							   0,
							   NULL, NULL, NULL);
}
