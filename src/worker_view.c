/*-------------------------------------------------------------------------
 *
 * worker_view.c
 *	  What SQL shows of process isolation: plsafepy_workers(), this
 *	  session's live workers (worker_pool.c), and plsafepy.isolation_of(),
 *	  the isolation a role's functions run in.
 *
 *-------------------------------------------------------------------------
 */
#include "plsafepy.h"

#include <stdio.h>

#include "funcapi.h"
#include "lib/stringinfo.h"
#include "storage/fd.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "worker_pool.h"
#include "worker/channel.h"

PG_FUNCTION_INFO_V1(plsafepy_isolation_of);
PG_FUNCTION_INFO_V1(plsafepy_workers);

/* VmRSS of pid in kB, or -1. */
static int64
resident_kb(pid_t pid)
{
	char		path[64];
	char		line[256];
	FILE	   *f;
	int64		kb = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
	f = AllocateFile(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
	{
		long long	v;

		if (sscanf(line, "VmRSS: %lld kB", &v) == 1)
		{
			kb = v;
			break;
		}
	}
	FreeFile(f);
	return kb;
}

static char *
walls_text(uint32 bits)
{
	static const struct
	{
		uint32		bit;
		const char *name;
	}			walls[] = {
		{PLS_WALL_SECCOMP, "seccomp"},
		{PLS_WALL_USERNS, "userns"},
		{PLS_WALL_NETNS, "netns"},
		{PLS_WALL_IPCNS, "ipcns"},
		{PLS_WALL_MOUNTNS, "mountns"},
		{PLS_WALL_EMPTYROOT, "emptyroot"},
		{PLS_WALL_LANDLOCK, "landlock"},
	};
	StringInfoData s;

	initStringInfo(&s);
	for (int i = 0; i < lengthof(walls); i++)
	{
		if (bits & walls[i].bit)
			appendStringInfo(&s, "%s%s", s.len ? " " : "", walls[i].name);
	}
	return s.data;
}

/* plsafepy.isolation as it applies to a role's functions. */
Datum
plsafepy_isolation_of(PG_FUNCTION_ARGS)
{
	Oid			roleid = PG_GETARG_OID(0);

	PG_RETURN_TEXT_P(cstring_to_text(pls_isolation_is_process(roleid) ?
									 "process" : "inline"));
}

/* This session's live workers. */
Datum
plsafepy_workers(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; i < pls_pool_count(); i++)
	{
		PLSWorkerInfo info;
		Datum		values[7];
		bool		nulls[7] = {false};
		int64		kb;

		pls_pool_info(i, &info);
		kb = resident_kb(info.pid);
		values[0] = CStringGetTextDatum(info.rolename);
		values[1] = Int32GetDatum((int32) info.pid);
		values[2] = CStringGetTextDatum(walls_text(info.walls));
		values[3] = Int64GetDatum(kb);
		nulls[3] = kb < 0;
		values[4] = Int64GetDatum(info.calls);
		values[5] = Int64GetDatum(info.messages);
		values[6] = TimestampTzGetDatum(info.started);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
