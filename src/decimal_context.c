/*-------------------------------------------------------------------------
 *
 * decimal_context.c
 *	  Keeps each interpreter's decimal context its own: every role's
 *	  interpreter gets a thread state whose id no other thread state of the
 *	  backend has.
 *
 * CPython 3.11's _decimal keeps the current context in a ContextVar that is
 * a C static, one object for the whole process, shared by every
 * sub-interpreter and by plpython3u's main interpreter.  The value itself
 * lives in each thread state's own context, but a ContextVar caches the
 * last value it returned together with the id and context version of the
 * thread state that asked; thread state ids are counted per interpreter,
 * so the first thread state of every interpreter has id 1 and equal
 * versions are the rule.  A lookup in one interpreter is then answered
 * from the cache another filled: decimal.getcontext() returns another
 * role's context (or plpython3u's, or gives ours to it), and a
 * "getcontext().prec = 2" in one role changes another's arithmetic.
 *
 * With ids unique in the process the cache can only answer the thread
 * state that filled it, for this and any other C-level ContextVar, and a
 * call costs nothing more.  Ids are never reused: a cache entry of an
 * ended interpreter matches no later thread state.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "plsafepy.h"

/* The smallest id the next interpreter's thread state may have. */
static uint64 next_unique_id = 0;

/*
 * *ts is the current thread state of a new interpreter, just made by
 * Py_NewInterpreter.  Replace it, if need be, by a thread state of the same
 * interpreter with an id above every id handed out so far in this backend
 * (the main interpreter's included), and make that one current.  Returns
 * false if one could not be made; *ts is then still the current one.
 */
bool
pls_tstate_make_unique(PyThreadState **ts)
{
	PyInterpreterState *interp = PyThreadState_GetInterpreter(*ts);
	PyThreadState *t;

	/* the main interpreter's thread states (plpython3u's, ours) */
	for (t = PyInterpreterState_ThreadHead(PyInterpreterState_Main());
		 t != NULL; t = PyThreadState_Next(t))
		next_unique_id = Max(next_unique_id, PyThreadState_GetID(t) + 1);

	/* ids within an interpreter only grow: make new ones until high enough */
	while (PyThreadState_GetID(*ts) < next_unique_id)
	{
		PyThreadState *next = PyThreadState_New(interp);

		if (next == NULL)
			return false;
		PyThreadState_Swap(next);
		PyThreadState_Clear(*ts);
		PyThreadState_Delete(*ts);
		*ts = next;
	}
	next_unique_id = PyThreadState_GetID(*ts) + 1;
	return true;
}
