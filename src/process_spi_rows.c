/*-------------------------------------------------------------------------
 *
 * process_spi_rows.c
 *	  The rows of a statement or a cursor fetch that process_spi.c sends
 *	  the worker, as door values: the conversion of each result shape to
 *	  them, kept and named by a serial so that a worker's columns cross
 *	  once, and the DestReceiver and fetch path that write the rows into
 *	  the reply.  Backend only.
 *
 *-------------------------------------------------------------------------
 */
#include "plpy_int.h"

#include "access/htup_details.h"
#include "utils/memutils.h"

#include "process_spi_rows.h"
#include "worker_pool.h"

/*
 * The conversion of a result shape to door values: its columns as the
 * worker reads them and a PLSType per live column, built once per shape
 * and kept (as spi_rowconv.c keeps inline mode's), so that a plan run
 * again converts with what it had.  serial names it to the worker, which
 * keeps the columns it was sent last and says which in its next request:
 * they cross once while they stay the same.  Pinned by the results being
 * converted with it; one evicted meanwhile is freed at the last unpin.
 */
typedef struct PLSValueCols
{
	MemoryContext mcxt;
	uint64		serial;			/* never 0, never reused */
	int			pins;
	bool		doomed;
	PlsWireColumns cols;		/* UTF-8 names */
	NameData   *pgnames;		/* the server's, for matching */
	int			nlive;
	int		   *live;
	PLSType    *types;
	PLSTrf		trf;			/* the transforms the types were made with */
} ValueCols;

#define VALUE_COLS_CACHE_SIZE 8

static ValueCols *value_cols_cache[VALUE_COLS_CACHE_SIZE];
static int	value_cols_next = 0;
static uint64 value_cols_serial = 0;

/*
 * Columns of a transformed type convert by the reading function's
 * transforms, as in PL/Python, so a conversion is for one set of them.
 */
static bool
value_cols_match(const ValueCols *vc, TupleDesc desc)
{
	if (vc->cols.natts != (uint32) desc->natts ||
		!pls_trf_equal(vc->trf, pls_exec_trf_value()))
		return false;
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (vc->cols.typoids[i] != att->atttypid ||
			vc->cols.typmods[i] != att->atttypmod ||
			vc->cols.dropped[i] != att->attisdropped ||
			strcmp(NameStr(vc->pgnames[i]), NameStr(att->attname)) != 0)
			return false;
	}
	return true;
}

static void
value_cols_unpin(ValueCols *vc)
{
	if (--vc->pins == 0 && vc->doomed)
		MemoryContextDelete(vc->mcxt);
}

/*
 * Built in a context under mcxt (an error on the way frees it with that),
 * moved under TopMemoryContext once complete.  May ereport.
 */
static ValueCols *
value_cols_build(TupleDesc desc, MemoryContext mcxt)
{
	MemoryContext cxt = AllocSetContextCreate(mcxt, "plsafepy result columns",
											  ALLOCSET_SMALL_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	int			natts = desc->natts;
	ValueCols  *vc = palloc0(sizeof(ValueCols));
	const char **names = palloc(sizeof(char *) * (natts + 1));
	uint32	   *typoids = palloc(sizeof(uint32) * (natts + 1));
	int32	   *typmods = palloc(sizeof(int32) * (natts + 1));
	uint8	   *dropped = palloc(sizeof(uint8) * (natts + 1));

	vc->mcxt = cxt;
	vc->trf = pls_exec_trf_value();
	vc->pgnames = palloc(sizeof(NameData) * (natts + 1));
	vc->live = palloc(sizeof(int) * (natts + 1));
	vc->types = palloc0(sizeof(PLSType) * (natts + 1));
	for (int i = 0; i < natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		const char *name = NameStr(att->attname);
		size_t		len;

		vc->pgnames[i] = att->attname;
		names[i] = pls_server_to_utf8(name, strlen(name), &len);
		if (names[i] == name)
			names[i] = pnstrdup(name, len);
		typoids[i] = att->atttypid;
		typmods[i] = att->atttypmod;
		dropped[i] = att->attisdropped;
		if (att->attisdropped)
			continue;
		pls_type_init(&vc->types[vc->nlive], att->atttypid, att->atttypmod,
					  cxt, &vc->trf);
		vc->live[vc->nlive++] = i;
	}
	vc->cols.natts = natts;
	vc->cols.names = names;
	vc->cols.typoids = typoids;
	vc->cols.typmods = typmods;
	vc->cols.dropped = dropped;
	MemoryContextSwitchTo(old);
	MemoryContextSetParent(cxt, TopMemoryContext);
	vc->serial = ++value_cols_serial;
	return vc;
}

/* The conversion of desc, pinned; building one may ereport. */
static ValueCols *
value_cols_get(TupleDesc desc, MemoryContext mcxt)
{
	ValueCols  *vc = NULL;
	ValueCols **slot;

	for (int i = 0; i < VALUE_COLS_CACHE_SIZE; i++)
	{
		if (value_cols_cache[i] && value_cols_match(value_cols_cache[i], desc))
		{
			vc = value_cols_cache[i];
			break;
		}
	}
	if (vc == NULL)
	{
		vc = value_cols_build(desc, mcxt);
		slot = &value_cols_cache[value_cols_next];
		value_cols_next = (value_cols_next + 1) % VALUE_COLS_CACHE_SIZE;
		if (*slot != NULL)
		{
			(*slot)->doomed = true;
			if ((*slot)->pins == 0)
				MemoryContextDelete((*slot)->mcxt);
		}
		*slot = vc;
	}
	vc->pins++;
	return vc;
}


static void
rows_unpin(void *arg)
{
	PLSValueRows  *vr = (PLSValueRows *) arg;

	if (vr->vc != NULL)
		value_cols_unpin(vr->vc);
	vr->vc = NULL;
}

void
pls_rows_columns(PLSValueRows *vr, TupleDesc desc)
{
	ValueCols  *vc = value_cols_get(desc, vr->mcxt);

	rows_unpin(vr);
	vr->vc = vc;
	vr->atts = MemoryContextAlloc(vr->mcxt, sizeof(PLSValue) * (vc->nlive + 1));
	pls_wire_buf_reset(&vr->buf);
	vr->n = 0;
}

void
pls_rows_add(PLSValueRows *vr, Datum *values, bool *nulls)
{
	MemoryContext old = MemoryContextSwitchTo(vr->rowtmp);
	ValueCols  *vc = vr->vc;
	PLSValue	row;

	for (int i = 0; i < vc->nlive; i++)
	{
		int			att = vc->live[i];

		pls_datum_to_value(&vc->types[i], values[att], nulls[att],
						   &vr->atts[i]);
	}
	row.kind = PLS_V_ROW;
	row.u.row.natts = vc->nlive;
	row.u.row.atts = vr->atts;
	row.u.row.names = NULL;
	MemoryContextSwitchTo(vr->mcxt);
	pls_wire_put_value(&vr->buf, &row);
	MemoryContextSwitchTo(old);
	MemoryContextReset(vr->rowtmp);
	vr->n++;
}

static void
vr_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
	/* a later statement of the same string: only the last one counts */
	pls_rows_columns((PLSValueRows *) self, typeinfo);
}

static bool
vr_receive(TupleTableSlot *slot, DestReceiver *self)
{
	slot_getallattrs(slot);
	pls_rows_add((PLSValueRows *) self, slot->tts_values, slot->tts_isnull);
	return true;
}

static void
vr_shutdown(DestReceiver *self)
{
}

PLSValueRows *
pls_rows_new(void)
{
	PLSExecCtx *ctx = pls_exec_ctx;
	MemoryContext scratch = pls_exec_scratch(ctx);
	PLSValueRows  *vr = MemoryContextAllocZero(scratch, sizeof(PLSValueRows));

	vr->pub.receiveSlot = vr_receive;
	vr->pub.rStartup = vr_startup;
	vr->pub.rShutdown = vr_shutdown;
	vr->pub.rDestroy = vr_shutdown;
	/* not DestNone: SPI reports SPI_OK_UTILITY for a SELECT sent there */
	vr->pub.mydest = DestTuplestore;
	vr->mcxt = scratch;
	vr->rowtmp = pls_exec_rowtmp(ctx);
	vr->unpin.func = rows_unpin;
	vr->unpin.arg = vr;
	MemoryContextRegisterResetCallback(scratch, &vr->unpin);
	pls_wire_buf_init(&vr->buf, &pls_pool_wire_mem);
	return vr;
}

/*
 * Result rows: u64 the columns' serial (0: none), u8 whether the columns
 * follow (not if the worker said it has them: have), the columns, u64 n
 * and the rows as one bytes string.
 */
void
pls_rows_put(PlsWireBuf *out, PLSValueRows *vr, uint64 have)
{
	static const PlsWireColumns none = {0};
	ValueCols  *vc = vr ? vr->vc : NULL;
	uint64		serial = vc ? vc->serial : 0;

	pls_wire_put_u64(out, serial);
	pls_wire_put_u8(out, serial == 0 || serial != have);
	if (serial == 0 || serial != have)
		pls_wire_put_columns(out, vc ? &vc->cols : &none);
	pls_wire_put_u64(out, vr ? vr->n : 0);
	pls_wire_put_bytes(out, vr ? (const char *) vr->buf.data : "",
					   vr ? vr->buf.len : 0);
}
