/*-------------------------------------------------------------------------
 *
 * spi_plan_serve.c
 *	  The PostgreSQL side of plpy.prepare and plan objects (spi_plan.c): a
 *	  plan (PLSHostPlan) holds the SPI plan, its argument types and their
 *	  conversions; preparing, resolving the argument shapes again and
 *	  freeing are door requests; the encoded arguments are decoded into
 *	  Datums of the plan's types inside the request that uses them.  Served
 *	  for inline mode (the host hooks) and for a worker (process_spi.c).
 *
 *-------------------------------------------------------------------------
 */
#include "plpy_int.h"

#include "parser/parse_type.h"
#include "utils/memutils.h"

/*
 * Plans dropped where no request could free them (outside a call): freed
 * by the next prepare or plan release.
 */
typedef struct PendingPlan
{
	SPIPlanPtr	plan;
	struct PendingPlan *next;
} PendingPlan;

static PendingPlan *pending_plans = NULL;

/* ---------- the requests ---------- */

static void
free_pending_plans(void)
{
	while (pending_plans != NULL)
	{
		PendingPlan *p = pending_plans;

		pending_plans = p->next;
		SPI_freeplan(p->plan);
		pfree(p);
	}
}

typedef struct PrepareReq
{
	const char *query;
	size_t		querylen;
	int			nargs;
	const char *const *typenames;	/* UTF-8, NULL: not a str */
	const size_t *typenamelens;
	PLSHostPlan *plan;			/* reply */
} PrepareReq;

static void
serve_prepare(void *arg)
{
	PrepareReq *req = (PrepareReq *) arg;
	MemoryContext scratch = pls_exec_scratch(pls_exec_ctx);
	MemoryContext mcxt;
	MemoryContext oldcxt;
	PLSHostPlan *plan;
	int32	   *typmods;
	SPIPlanPtr	spiplan;
	char	   *sql;
	int			nargs = req->nargs;

	MemoryContextReset(scratch);
	free_pending_plans();
	/* the plan's memory joins TopMemoryContext once all went well */
	mcxt = AllocSetContextCreate(scratch, "plsafepy plan", ALLOCSET_SMALL_SIZES);
	oldcxt = MemoryContextSwitchTo(mcxt);
	plan = palloc0(sizeof(PLSHostPlan));
	plan->types = nargs ? palloc0(sizeof(Oid) * nargs) : NULL;
	plan->args = nargs ? palloc0(sizeof(PLSType) * nargs) : NULL;
	plan->shapes = palloc0(sizeof(PLSShape *) * (nargs + 1));
	typmods = nargs ? palloc0(sizeof(int32) * nargs) : NULL;
	MemoryContextSwitchTo(scratch);
	for (int i = 0; i < nargs; i++)
	{
		char	   *name;

		if (req->typenames[i] == NULL)
			ereport(ERROR,
					(errmsg("plpy.prepare: type name at ordinal position %d is not a string", i)));
		name = pls_utf8_to_server(req->typenames[i], req->typenamelens[i]);
		parseTypeString(name, &plan->types[i], &typmods[i], false);
	}
	sql = pls_utf8_to_server(req->query, req->querylen);
	MemoryContextSwitchTo(oldcxt);

	/* the argument conversions, built once for the plan's life */
	for (int i = 0; i < nargs; i++)
	{
		pls_type_init(&plan->args[i], plan->types[i], typmods[i], mcxt,
					  pls_exec_trf());
		if (pls_type_has_row(&plan->args[i]))
		{
			pls_type_resolve(&plan->args[i]);
			plan->args_have_rows = true;
		}
		plan->shapes[i] = plan->args[i].shape;
	}

	spiplan = SPI_prepare(sql, nargs, plan->types);
	if (spiplan == NULL)
		elog(ERROR, "SPI_prepare failed: %s",
			 SPI_result_code_string(SPI_result));
	/* move the plan out of the SPI procedure context */
	if (SPI_keepplan(spiplan))
		elog(ERROR, "SPI_keepplan failed");

	MemoryContextSetParent(mcxt, TopMemoryContext);
	plan->mcxt = mcxt;
	plan->nargs = nargs;
	plan->plan = spiplan;
	req->plan = plan;
}

PLSHostPlan *
pls_plan_prepare(PLSDoorFn door, const char *query, size_t querylen,
				 int nargs, const char *const *typenames, const size_t *lens,
				 PLSDoorError *err)
{
	PrepareReq	req;

	memset(&req, 0, sizeof(req));
	req.query = query;
	req.querylen = querylen;
	req.nargs = nargs;
	req.typenames = typenames;
	req.typenamelens = lens;
	if (!door(serve_prepare, &req, PLS_DOOR_SUBXACT, err, NULL))
		return NULL;
	return req.plan;
}

/* the row types of the arguments, looked up again */
static void
serve_resolve(void *arg)
{
	PLSHostPlan *plan = (PLSHostPlan *) arg;

	for (int i = 0; i < plan->nargs; i++)
	{
		pls_type_resolve(&plan->args[i]);
		plan->shapes[i] = plan->args[i].shape;
	}
}

bool
pls_plan_resolve(PLSDoorFn door, PLSHostPlan *plan, PLSDoorError *err)
{
	if (!plan->args_have_rows)
		return true;
	return door(serve_resolve, plan, PLS_DOOR_SUBXACT, err, NULL);
}

static void
serve_free_plan(void *arg)
{
	SPIPlanPtr	plan = (SPIPlanPtr) arg;

	free_pending_plans();
	if (plan)
		SPI_freeplan(plan);
}

/*
 * Free the plan: by a request (an error rolled back and dropped: there is
 * no one to tell), or, outside a call or without a door, by the next
 * request.  Never fails.
 */
void
pls_plan_free(PLSDoorFn door, PLSHostPlan *plan)
{
	if (plan->plan)
	{
		if (door == NULL || pls_exec_ctx == NULL ||
			!door(serve_free_plan, plan->plan, PLS_DOOR_SUBXACT, NULL, NULL))
		{
			PendingPlan *p = MemoryContextAllocExtended(TopMemoryContext,
														sizeof(PendingPlan),
														MCXT_ALLOC_NO_OOM);

			if (p != NULL)
			{
				p->plan = plan->plan;
				p->next = pending_plans;
				pending_plans = p;
			}
		}
		plan->plan = NULL;
	}
	MemoryContextDelete(plan->mcxt);
}

void
pls_plan_decode_args(PLSHostPlan *plan, const PLSValue *values, Datum *datums,
					 char *nulls)
{
	for (int i = 0; i < plan->nargs; i++)
	{
		bool		isnull;

		datums[i] = pls_decode(&plan->args[i], &values[i], &isnull);
		nulls[i] = isnull ? 'n' : ' ';
	}
}

/* ---------- the host hooks of inline mode ---------- */

PLSHostPlan *
pls_host_spi_prepare(const char *query, size_t querylen, int nargs,
					 const char *const *typenames, const size_t *lens)
{
	PLSDoorError err;
	PLSHostPlan *plan;

	plan = pls_plan_prepare(pls_door_call_keep, query, querylen, nargs,
							typenames, lens, &err);
	if (plan == NULL)
	{
		pls_door_raise(&err);
		pls_door_error_free(&err);
	}
	return plan;
}

const PLSShape *const *
pls_host_spi_plan_shapes(PLSHostPlan *plan)
{
	PLSDoorError err;

	if (!pls_plan_resolve(pls_door_call_keep, plan, &err))
	{
		pls_door_raise(&err);
		pls_door_error_free(&err);
		return NULL;
	}
	return plan->shapes;
}

void
pls_host_spi_plan_free(PLSHostPlan *plan)
{
	/* the result shape's keys belong to this interpreter */
	pls_rowconv_free(plan->rc);
	plan->rc = NULL;
	pls_plan_free(pls_door_call_keep, plan);
}
