/*-------------------------------------------------------------------------
 *
 * plpy_serve.c
 *	  The backend's implementation of plpy's host hooks for logging and
 *	  quoting (plpy_host.h): door requests (door.h), their PostgreSQL side
 *	  served here, the UTF-8 of the Python side converted to and from the
 *	  server encoding.
 *
 *-------------------------------------------------------------------------
 */
#include "plpy_int.h"

#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/elog.h"

#include "plpy_host.h"

/* plpy_host.h's SQLSTATE packing is PostgreSQL's */
StaticAssertDecl(PLS_SQLSTATE_EXTERNAL_ROUTINE_EXCEPTION == ERRCODE_EXTERNAL_ROUTINE_EXCEPTION &&
				 PLS_SQLSTATE_OUT_OF_MEMORY == ERRCODE_OUT_OF_MEMORY &&
				 PLS_SQLSTATE_QUERY_CANCELED == ERRCODE_QUERY_CANCELED &&
				 PLS_MAKE_SQLSTATE('Z', 'Z', '9', '9', '9') == MAKE_SQLSTATE('Z', 'Z', '9', '9', '9'),
				 "SQLSTATE packing differs from PostgreSQL's");

/* ---------- reports ---------- */

/* PL/Python's levels: plpy.debug is DEBUG2 */
static int
report_elevel(int level)
{
	switch (level)
	{
		case PLS_REPORT_DEBUG:
			return DEBUG2;
		case PLS_REPORT_LOG:
			return LOG;
		case PLS_REPORT_INFO:
			return INFO;
		case PLS_REPORT_NOTICE:
			return NOTICE;
		case PLS_REPORT_WARNING:
			return WARNING;
		case PLS_REPORT_ERROR:
			return ERROR;
		case PLS_REPORT_FATAL:
			return FATAL;
	}
	elog(ERROR, "plsafepy: invalid report level %d", level);
	return ERROR;				/* keep compiler quiet */
}

/*
 * PostgreSQL side: ereport, outside Python (hooks run outside it).  Also
 * serves the worker's reports (call_process.c): an invalid level is an
 * error of the request.
 */
void
pls_serve_report(void *arg)
{
	const PLSReport *r = (const PLSReport *) arg;
	int			elevel = report_elevel(r->level);
	char	   *f[PLS_RF_N];

	for (int i = 0; i < PLS_RF_N; i++)
		f[i] = r->fields[i] ? pls_utf8_to_server(r->fields[i], r->lens[i]) : NULL;
	ereport(elevel,
			(r->sqlerrcode != 0 ? errcode(r->sqlerrcode) : 0,
			 f[PLS_RF_MESSAGE] != NULL ? errmsg_internal("%s", f[PLS_RF_MESSAGE]) : 0,
			 f[PLS_RF_DETAIL] != NULL ? errdetail_internal("%s", f[PLS_RF_DETAIL]) : 0,
			 f[PLS_RF_HINT] != NULL ? errhint("%s", f[PLS_RF_HINT]) : 0,
			 f[PLS_RF_COLUMN] != NULL ?
			 err_generic_string(PG_DIAG_COLUMN_NAME, f[PLS_RF_COLUMN]) : 0,
			 f[PLS_RF_CONSTRAINT] != NULL ?
			 err_generic_string(PG_DIAG_CONSTRAINT_NAME, f[PLS_RF_CONSTRAINT]) : 0,
			 f[PLS_RF_DATATYPE] != NULL ?
			 err_generic_string(PG_DIAG_DATATYPE_NAME, f[PLS_RF_DATATYPE]) : 0,
			 f[PLS_RF_TABLE] != NULL ?
			 err_generic_string(PG_DIAG_TABLE_NAME, f[PLS_RF_TABLE]) : 0,
			 f[PLS_RF_SCHEMA] != NULL ?
			 err_generic_string(PG_DIAG_SCHEMA_NAME, f[PLS_RF_SCHEMA]) : 0));
}

bool
pls_host_report(const PLSReport *r, PLSErrorFields *err)
{
	PLSDoorError derr;

	if (pls_door_call(pls_serve_report, (void *) r, PLS_DOOR_LOCAL, &derr))
		return true;
	if (!pls_error_fields_from_door(&derr, err))
		PyErr_NoMemory();
	pls_door_error_free(&derr);
	return false;
}

/* ---------- quoting ---------- */

/* PostgreSQL side, also of the worker's requests (call_process.c) */
void
pls_serve_quote(void *arg)
{
	PLSQuoteReq *req = (PLSQuoteReq *) arg;
	char	   *s = pls_utf8_to_server(req->str, req->len);
	char	   *q = req->ident ? (char *) quote_identifier(s) : quote_literal_cstr(s);

	req->quoted = pg_server_to_any(q, strlen(q), PG_UTF8);
	if (req->quoted == q || req->quoted == s)
		req->quoted = pstrdup(q);
	if (q != s)
		pfree(q);
	pfree(s);
}

/* An error is raised here, as any door request's (pls_door_raise). */
PyObject *
pls_host_quote(int kind, const char *utf8, size_t len, PLSErrorFields *err)
{
	PLSQuoteReq req = {utf8, len, kind == PLS_QUOTE_IDENT, NULL};
	PLSDoorError derr;
	PyObject   *res;

	if (!pls_door_call(pls_serve_quote, &req, PLS_DOOR_LOCAL, &derr))
	{
		pls_door_raise(&derr);
		pls_door_error_free(&derr);
		return NULL;
	}
	res = PyUnicode_FromString(req.quoted);
	pfree(req.quoted);
	return res;
}
