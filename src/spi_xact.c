/*-------------------------------------------------------------------------
 *
 * spi_xact.c
 *	  plpy.commit() and plpy.rollback() in procedures and DO blocks, done
 *	  by the host (spi_host.h).  PostgreSQL-free: shared by every host.
 *
 *-------------------------------------------------------------------------
 */
#include "spi_host.h"

#include "spi_py.h"

static PyObject *
end_transaction(bool commit)
{
	if (!pls_spi_check_call())
		return NULL;
	if (!pls_host_spi_end_xact(commit))
		return NULL;
	Py_RETURN_NONE;
}

PyObject *
pls_spi_commit(PyObject *self, PyObject *unused)
{
	return end_transaction(true);
}

PyObject *
pls_spi_rollback(PyObject *self, PyObject *unused)
{
	return end_transaction(false);
}
