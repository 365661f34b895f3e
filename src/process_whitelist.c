/*-------------------------------------------------------------------------
 *
 * process_whitelist.c
 *	  The whitelist view (plsafepy.allowed_modules, sandbox_sql.c) of a
 *	  role whose Python runs in process isolation, backend side: WHITELIST
 *	  to the role's worker, the one its calls use (started if needed); the
 *	  warnings of its interpreter's build served as reports; the rows of its
 *	  RETURN read as hostile bytes (wire.h), a violation ending the worker
 *	  with 08P01.  So the view starts no Python in the backend.
 *
 *-------------------------------------------------------------------------
 */
#include "process.h"

/* what the exchange is, in the log of the worker's faults */
#define WL_FNAME "plsafepy.allowed_modules"

static void raise_error(PLSWorker *w, PlsWireReader *r) pg_attribute_noreturn();

/* The worker's RAISE: its interrupt is PostgreSQL's, else inline's error. */
static void
raise_error(PLSWorker *w, PlsWireReader *r)
{
	PlsWireError e;
	char	   *detail;

	if (!pls_wire_get_error(r, &e) || !pls_wire_done(r))
		pls_process_broke_in(w, WL_FNAME, "error");
	if (e.origin == PLS_ERR_INTERRUPT)
		pls_process_raise(&e);
	detail = e.message ? pls_utf8_to_server(e.message, strlen(e.message)) : NULL;
	ereport(ERROR,
			(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
			 errmsg("could not list the plsafepy module whitelist"),
			 detail ? errdetail_internal("%s", detail) : 0));
}

/*
 * roleid's whitelist as its worker's sandbox describes it: *nrows rows in
 * UTF-8, in the caller's memory context.
 */
void
pls_process_whitelist(Oid roleid, uint32 *nrows, PlsWireWlRow **rows)
{
	PLSWorker  *w = pls_process_role_worker(roleid, WL_FNAME);
	int			depth = pls_pool_depth(w);
	PlsWireBuf	out;
	PlsWireRecv rv;
	PlsWireReader r;
	uint32		tag;

	/* sets abandoned by an error are closed while the worker is idle */
	if (depth == 0)
		pls_process_srf_flush(w);
	pls_wire_buf_init(&out, &pls_pool_wire_mem);
	pls_wire_recv_init(&rv, &pls_pool_wire_mem);
	PG_TRY();
	{
		tag = pls_pool_exchange(w, PLS_MSG_WHITELIST, &out, &rv, WL_FNAME);
		while (tag == PLS_MSG_REQ)
		{
			uint8_t		op;

			pls_wire_reader_init(&r, rv.buf.data, rv.buf.len,
								 &pls_pool_wire_mem);
			if (!pls_wire_get_u8(&r, &op) || op != PLS_OP_REPORT)
				pls_process_broke_in(w, WL_FNAME, "request");
			if (!pls_process_serve_report(&r, &out))
				pls_process_broke_in(w, WL_FNAME, "report request");
			tag = pls_pool_exchange(w, PLS_MSG_REP, &out, &rv, WL_FNAME);
		}
	}
	PG_CATCH();
	{
		pls_pool_unwind(w, depth);
		PG_RE_THROW();
	}
	PG_END_TRY();

	pls_wire_reader_init(&r, rv.buf.data, rv.buf.len, &pls_pool_wire_mem);
	if (tag == PLS_MSG_RAISE)
		raise_error(w, &r);
	if (tag != PLS_MSG_RETURN)
		pls_process_broke_in(w, WL_FNAME, "message");
	if (!pls_wire_get_whitelist(&r, nrows, rows))
		pls_process_broke_in(w, WL_FNAME, "whitelist");
}
