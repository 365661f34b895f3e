/*-------------------------------------------------------------------------
 *
 * spi_xact_serve.c
 *	  The PostgreSQL side of plpy.commit() and plpy.rollback() (spi_xact.c):
 *	  requests without an internal subtransaction (they end the
 *	  transaction).  The open cursors' portals are pinned while it ends, so
 *	  SPI keeps them as holdable portals, as in PL/Python.  Served for
 *	  inline mode (the host hook) and for a worker (process_spi.c).
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

bool
pls_end_xact(PLSDoorFn door, bool commit, PLSDoorError *err)
{
	EndXactReq	req = {commit, NULL, 0};

	return door(serve_end_xact, &req, PLS_DOOR_XACT, err, NULL);
}

bool
pls_host_spi_end_xact(bool commit)
{
	PLSDoorError err;

	if (!pls_end_xact(pls_door_call_keep, commit, &err))
	{
		pls_door_raise(&err);
		pls_door_error_free(&err);
		return false;
	}
	return true;
}
