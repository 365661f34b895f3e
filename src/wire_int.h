/*-------------------------------------------------------------------------
 *
 * wire_int.h
 *	  What wire.c's readers share with wire_records.c: the refusal that
 *	  sets a reader bad, allocation bounded by the bytes that remain, the
 *	  0-or-1 flag, and the UTF-8 check.  Not for the door's users (wire.h).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PLS_WIRE_INT_H
#define PLS_WIRE_INT_H

#include "wire.h"

/* Mark r bad; returns false, for "return pls_wire_refuse(r);". */
extern bool pls_wire_refuse(PlsWireReader *r);

/* count * size bytes from r's mem, or NULL with r bad (overflow, memory). */
extern void *pls_wire_get_alloc(PlsWireReader *r, size_t count, size_t size);

/* A u8 that must be 0 or 1. */
extern bool pls_wire_get_flag(PlsWireReader *r, bool *v);

/* Valid UTF-8 without NUL (PostgreSQL's pg_utf8_islegal rules)? */
extern bool pls_wire_utf8_valid(const unsigned char *s, size_t len);

#endif							/* PLS_WIRE_INT_H */
