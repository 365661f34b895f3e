/*-------------------------------------------------------------------------
 *
 * spi_xact.c
 *	  plpy.commit() and plpy.rollback() in procedures and DO blocks: door
 *	  requests without an internal subtransaction (they end the
 *	  transaction).  The open cursors' portals are pinned while it ends,
 *	  so SPI keeps them as holdable portals, as in PL/Python.
 *
 *-------------------------------------------------------------------------
 */
#include "plpy_int.h"

typedef struct EndXactReq
{
	bool		commit;
	char	  **pinned;
	int			npinned;
} EndXactReq;

static void
unpin(EndXactReq *req)
{
	if (req->pinned)
		pls_cursors_unpin(req->pinned, req->npinned);
	req->pinned = NULL;
}

/* SPI has already started the next transaction when it fails */
static void
end_on_error(void *arg)
{
	unpin((EndXactReq *) arg);
}

/* PostgreSQL side */
static void
serve_end_xact(void *arg)
{
	EndXactReq *req = (EndXactReq *) arg;

	pls_door_on_error(end_on_error, req);
	req->pinned = pls_cursors_pin(&req->npinned);
	if (req->commit)
		SPI_commit();
	else
		SPI_rollback();
	unpin(req);
}

/* Python side */
static PyObject *
end_transaction(bool commit)
{
	EndXactReq	req = {commit, NULL, 0};
	PLSDoorError err;

	if (!pls_exec_check())
		return NULL;
	if (!pls_door_call(serve_end_xact, &req, PLS_DOOR_XACT, &err))
	{
		pls_door_raise(&err);
		pls_door_error_free(&err);
		return NULL;
	}
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
