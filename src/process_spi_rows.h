/*-------------------------------------------------------------------------
 *
 * process_spi_rows.h
 *	  SPI result rows as door values for the worker (process_spi_rows.c),
 *	  for process_spi.c.  Backend only.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PLS_PROCESS_SPI_ROWS_H
#define PLS_PROCESS_SPI_ROWS_H

#include "plpy_int.h"

#include "wire.h"

/*
 * The rows of a statement or a fetch as ROW values without names (one
 * value per live column), written to buf, with their conversion.  Lives
 * in the request's scratch memory, whose reset unpins the conversion.
 */
typedef struct PLSValueRows
{
	DestReceiver pub;
	MemoryContext mcxt;
	MemoryContext rowtmp;
	struct PLSValueCols *vc;	/* NULL: no result shape */
	MemoryContextCallback unpin;
	PLSValue   *atts;
	PlsWireBuf	buf;
	uint64		n;
} PLSValueRows;

/* In the running request's scratch memory, whose reset unpins it. */
extern PLSValueRows *pls_rows_new(void);
extern void pls_rows_columns(PLSValueRows *vr, TupleDesc desc);
extern void pls_rows_add(PLSValueRows *vr, Datum *values, bool *nulls);
/* The reply's rows (vr NULL: none); have: the columns the worker holds. */
extern void pls_rows_put(PlsWireBuf *out, PLSValueRows *vr, uint64 have);

#endif							/* PLS_PROCESS_SPI_ROWS_H */
