/*-------------------------------------------------------------------------
 *
 * json_tokens.h
 *	  Reading one token of a PLS_V_JSON value (door.h): shared by the
 *	  wire's check of a worker's bytes (wire.c), the Python side's reader
 *	  (json_py.c) and the PostgreSQL side's decoders (transform_value.c).
 *	  Plain C, no PostgreSQL and no Python header.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PLS_JSON_TOKENS_H
#define PLS_JSON_TOKENS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "door.h"

typedef struct PLSJsonTok
{
	uint8_t		tag;			/* PLS_J_* (unchecked: the caller's switch) */
	const char *data;			/* PLS_J_STRING, PLS_J_NUMBER: the bytes */
	uint32_t	len;
} PLSJsonTok;

/*
 * The token at *p (before end) into *t, *p moved past it.  False, *p
 * unmoved, if none is there or its length runs past end.
 */
static inline bool
pls_json_next(const char **p, const char *end, PLSJsonTok *t)
{
	const char *s = *p;

	if (s >= end)
		return false;
	t->tag = (uint8_t) *s++;
	t->data = NULL;
	t->len = 0;
	if (t->tag == PLS_J_STRING || t->tag == PLS_J_NUMBER)
	{
		if ((size_t) (end - s) < sizeof(uint32_t))
			return false;
		memcpy(&t->len, s, sizeof(uint32_t));
		s += sizeof(uint32_t);
		if ((size_t) (end - s) < t->len)
			return false;
		t->data = s;
		s += t->len;
	}
	*p = s;
	return true;
}

#endif							/* PLS_JSON_TOKENS_H */
