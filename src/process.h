/*-------------------------------------------------------------------------
 *
 * process.h
 *	  The backend's side of process isolation, shared by its files:
 *	  call_process.c (calls, the worker's requests, its errors),
 *	  process_srf.c (set-returning functions) and process_trigger.c
 *	  (triggers).  Backend only.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PLS_PROCESS_H
#define PLS_PROCESS_H

#include "plpy_int.h"

#include "wire.h"
#include "worker_pool.h"

/* call_process.c */
extern PLSWorker *pls_process_worker(PLSProc *proc);
/* roleid's worker, started if needed; fname names the use in its log */
extern PLSWorker *pls_process_role_worker(Oid roleid, const char *fname);
extern void pls_process_fill_call(PLSWorker *w, PLSProc *proc,
								  PlsWireCall *call);
extern void pls_process_args(PLSProc *proc, FunctionCallInfo fcinfo,
							 PlsWireCall *call);
/* a shape with its column names in UTF-8, as the worker reads them */
extern const PLSShape *pls_process_utf8_shape(const PLSShape *s);
extern uint32 pls_process_run(PLSWorker *w, PLSProc *proc, uint32 tag,
							  PlsWireBuf *out, PlsWireRecv *rv,
							  const PlsWireCall *call);
/* the worker's error as PostgreSQL's (an interrupt: PostgreSQL's own) */
extern void pls_process_raise(const PlsWireError *e) pg_attribute_noreturn();
/* the worker sent a malformed `what`: end it, 08P01 */
extern void pls_process_broke(PLSWorker *w, const char *what) pg_attribute_noreturn();
/* the same, outside a call: fname names what w was serving, for the log */
extern void pls_process_broke_in(PLSWorker *w, const char *fname,
								 const char *what) pg_attribute_noreturn();
/*
 * Serve a REPORT request (r after its op byte), its reply into out; false
 * if the request is malformed.
 */
extern bool pls_process_serve_report(PlsWireReader *r, PlsWireBuf *out);

/* process_whitelist.c: the whitelist view's rows from roleid's worker */
extern void pls_process_whitelist(Oid roleid, uint32 *nrows,
								  PlsWireWlRow **rows);

/* process_srf.c */
extern Datum pls_process_srf(PLSProc *proc, FunctionCallInfo fcinfo);
/* CLOSE the sets of w that an error abandoned (w idle) */
extern void pls_process_srf_flush(PLSWorker *w);

#endif							/* PLS_PROCESS_H */
