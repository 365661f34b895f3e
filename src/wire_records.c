/*-------------------------------------------------------------------------
 *
 * wire_records.c
 *	  The door's records as bytes (wire.h): INIT, CALL, errors, the rows of
 *	  sets and a trigger's result, SPI statements and result columns, each
 *	  written in a fixed order of fields and read back as hostile bytes with
 *	  wire.c's readers (unknown flags, origins and markers refused, counts
 *	  bounded by the bytes that remain); the whitelist view's rows.
 *
 * No PostgreSQL and no Python header: this file is also part of the worker.
 *
 *-------------------------------------------------------------------------
 */
#include "wire_int.h"

#include <string.h>

/* flags a record may carry; any other bit is refused */
#define INIT_FLAGS_KNOWN PLS_INIT_TESTING_UNSANDBOXED
#define CALL_FLAGS_KNOWN (PLS_CALL_SOURCE | PLS_CALL_DO | PLS_CALL_PROCEDURE | \
						  PLS_CALL_SETOF | PLS_CALL_UNSANDBOXED | \
						  PLS_CALL_COMPILE_ONLY | PLS_CALL_TRIGGER)
/* the last PLS_ERR_* origin */
#define ERR_ORIGIN_MAX PLS_ERR_RESULT

/* ---------- records ----------
 *
 * Each record's fields in a fixed order, strings as cstr (NULL allowed
 * unless said):
 *	INIT	role, allowed_modules, i32 recursion_limit, u32 flags,
 *			i32 memory_limit_kb (not negative)
 *	CALL	u32 fn_oid, u64 fn_gen, u32 flags, i32 memory_limit_kb (not
 *			negative); with PLS_CALL_SOURCE: name,
 *			defname, source, u32 nargnames, the argnames; then u32 nargs,
 *			the values, u8 result present, the result shape; with
 *			PLS_CALL_SETOF: u32 batch (1..PLS_WIRE_MAX_BATCH)
 *	error	i32 sqlerrcode, message, detail, hint, context, schema_name,
 *			table_name, column_name, datatype_name, constraint_name,
 *			u8 origin
 * Unknown flag bits and origins are refused.  Decoded strings and arrays
 * are copies from the reader's mem; CALL's argument values are decoded as
 * by pls_wire_get_value (their bytes point into the buffer).
 */

void
pls_wire_put_init(PlsWireBuf *b, const PlsWireInit *m)
{
	pls_wire_put_cstr(b, m->role);
	pls_wire_put_cstr(b, m->allowed_modules);
	pls_wire_put_i32(b, m->recursion_limit);
	pls_wire_put_u32(b, m->flags);
	pls_wire_put_i32(b, m->memory_limit_kb);
}

bool
pls_wire_get_init(PlsWireReader *r, PlsWireInit *m)
{
	char	   *role;
	char	   *allowed;

	memset(m, 0, sizeof(*m));
	if (!pls_wire_get_cstr(r, &role) ||
		!pls_wire_get_cstr(r, &allowed) ||
		!pls_wire_get_i32(r, &m->recursion_limit) ||
		!pls_wire_get_u32(r, &m->flags) ||
		!pls_wire_get_i32(r, &m->memory_limit_kb))
		return false;
	if ((m->flags & ~(uint32_t) INIT_FLAGS_KNOWN) != 0 ||
		m->memory_limit_kb < 0)
		return pls_wire_refuse(r);
	m->role = role;
	m->allowed_modules = allowed;
	return true;
}

void
pls_wire_put_call(PlsWireBuf *b, const PlsWireCall *m)
{
	pls_wire_put_u32(b, m->fn_oid);
	pls_wire_put_u64(b, m->fn_gen);
	pls_wire_put_u32(b, m->flags);
	pls_wire_put_i32(b, m->memory_limit_kb);
	if (m->flags & PLS_CALL_SOURCE)
	{
		pls_wire_put_cstr(b, m->name);
		pls_wire_put_cstr(b, m->defname);
		pls_wire_put_cstr(b, m->source);
		pls_wire_put_u32(b, m->nargnames);
		for (uint32_t i = 0; i < m->nargnames; i++)
			pls_wire_put_cstr(b, m->argnames ? m->argnames[i] : NULL);
	}
	pls_wire_put_u32(b, m->nargs);
	for (uint32_t i = 0; i < m->nargs && !b->failed; i++)
		pls_wire_put_value(b, &m->args[i]);
	pls_wire_put_u8(b, m->result != NULL);
	if (m->result != NULL)
		pls_wire_put_shape(b, m->result);
	if (m->flags & PLS_CALL_SETOF)
		pls_wire_put_u32(b, m->batch);
}

static bool
get_call_source(PlsWireReader *r, PlsWireCall *m)
{
	char	   *name;
	char	   *defname;
	char	   *source;
	char	  **argnames;

	if (!pls_wire_get_cstr(r, &name) ||
		!pls_wire_get_cstr(r, &defname) ||
		!pls_wire_get_cstr(r, &source) ||
		!pls_wire_get_u32(r, &m->nargnames))
		return false;
	m->name = name;
	m->defname = defname;
	m->source = source;
	/* each name takes at least its length */
	if (m->nargnames > r->left / 4)
		return pls_wire_refuse(r);
	if (m->nargnames == 0)
		return true;
	argnames = pls_wire_get_alloc(r, m->nargnames, sizeof(char *));
	if (argnames == NULL)
		return false;
	for (uint32_t i = 0; i < m->nargnames; i++)
		if (!pls_wire_get_cstr(r, &argnames[i]))
			return false;
	m->argnames = (const char *const *) argnames;
	return true;
}

bool
pls_wire_get_call(PlsWireReader *r, PlsWireCall *m)
{
	PLSValue   *args;
	bool		has_result;

	memset(m, 0, sizeof(*m));
	if (!pls_wire_get_u32(r, &m->fn_oid) ||
		!pls_wire_get_u64(r, &m->fn_gen) ||
		!pls_wire_get_u32(r, &m->flags) ||
		!pls_wire_get_i32(r, &m->memory_limit_kb))
		return false;
	if ((m->flags & ~(uint32_t) CALL_FLAGS_KNOWN) != 0 ||
		m->memory_limit_kb < 0)
		return pls_wire_refuse(r);
	if ((m->flags & PLS_CALL_SOURCE) && !get_call_source(r, m))
		return false;
	if (!pls_wire_get_u32(r, &m->nargs))
		return false;
	/* each argument takes at least its kind byte */
	if (m->nargs > r->left)
		return pls_wire_refuse(r);
	if (m->nargs > 0)
	{
		args = pls_wire_get_alloc(r, m->nargs, sizeof(PLSValue));
		if (args == NULL)
			return false;
		for (uint32_t i = 0; i < m->nargs; i++)
			if (!pls_wire_get_value(r, &args[i]))
				return false;
		m->args = args;
	}
	if (!pls_wire_get_flag(r, &has_result))
		return false;
	if (has_result)
	{
		PLSShape   *result;

		if (!pls_wire_get_shape(r, &result))
			return false;
		m->result = result;
	}
	if (m->flags & PLS_CALL_SETOF)
	{
		if (!pls_wire_get_u32(r, &m->batch))
			return false;
		if (m->batch == 0 || m->batch > PLS_WIRE_MAX_BATCH)
			return pls_wire_refuse(r);
	}
	return true;
}

void
pls_wire_put_error(PlsWireBuf *b, const PlsWireError *m)
{
	pls_wire_put_i32(b, m->sqlerrcode);
	pls_wire_put_cstr(b, m->message);
	pls_wire_put_cstr(b, m->detail);
	pls_wire_put_cstr(b, m->hint);
	pls_wire_put_cstr(b, m->context);
	pls_wire_put_cstr(b, m->schema_name);
	pls_wire_put_cstr(b, m->table_name);
	pls_wire_put_cstr(b, m->column_name);
	pls_wire_put_cstr(b, m->datatype_name);
	pls_wire_put_cstr(b, m->constraint_name);
	pls_wire_put_cstr(b, m->query);
	pls_wire_put_i32(b, m->position);
	pls_wire_put_u8(b, m->origin);
}

bool
pls_wire_get_error(PlsWireReader *r, PlsWireError *m)
{
	const char **fields[] = {
		&m->message, &m->detail, &m->hint, &m->context, &m->schema_name,
		&m->table_name, &m->column_name, &m->datatype_name,
		&m->constraint_name, &m->query
	};

	memset(m, 0, sizeof(*m));
	if (!pls_wire_get_i32(r, &m->sqlerrcode))
		return false;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
	{
		char	   *s;

		if (!pls_wire_get_cstr(r, &s))
			return false;
		*fields[i] = s;
	}
	if (!pls_wire_get_i32(r, &m->position))
		return false;
	if (m->position < 0)
		return pls_wire_refuse(r);
	if (!pls_wire_get_u8(r, &m->origin))
		return false;
	if (m->origin > ERR_ORIGIN_MAX)
		return pls_wire_refuse(r);
	return true;
}

/* ---------- sets and triggers (wire.h says how they are used) ---------- */

void
pls_wire_put_fetch(PlsWireBuf *b, uint32_t handle, uint32_t batch)
{
	pls_wire_put_u32(b, handle);
	pls_wire_put_u32(b, batch);
}

bool
pls_wire_get_fetch(PlsWireReader *r, uint32_t *handle, uint32_t *batch)
{
	if (!pls_wire_get_u32(r, handle) || !pls_wire_get_u32(r, batch))
		return false;
	if (*handle == 0 || *batch == 0 || *batch > PLS_WIRE_MAX_BATCH)
		return pls_wire_refuse(r);
	return true;
}

void
pls_wire_put_row(PlsWireBuf *b, const PLSValue *v)
{
	pls_wire_put_u8(b, PLS_ROWS_ROW);
	pls_wire_put_value(b, v);
}

void
pls_wire_put_rows_end(PlsWireBuf *b, uint8_t end, const PlsWireError *err)
{
	pls_wire_put_u8(b, end);
	if (end == PLS_ROWS_ERROR || end == PLS_ROWS_BAD_ROW)
		pls_wire_put_error(b, err);
}

bool
pls_wire_get_rows(PlsWireReader *r, uint32_t max_rows, PlsWireRows *m)
{
	uint32_t	cap;

	memset(m, 0, sizeof(*m));
	if (!pls_wire_get_u32(r, &m->handle))
		return false;
	if (m->handle == 0)
		return pls_wire_refuse(r);
	/* each row takes at least its mark and a kind byte */
	cap = max_rows;
	if (cap > r->left / 2)
		cap = (uint32_t) (r->left / 2);
	if (cap > 0 && (m->rows = pls_wire_get_alloc(r, cap, sizeof(PLSValue))) == NULL)
		return false;
	for (;;)
	{
		if (!pls_wire_get_u8(r, &m->end))
			return false;
		if (m->end != PLS_ROWS_ROW)
			break;
		if (m->nrows == cap)
			return pls_wire_refuse(r);
		if (!pls_wire_get_value(r, &m->rows[m->nrows]))
			return false;
		m->nrows++;
	}
	if (m->end == PLS_ROWS_ERROR || m->end == PLS_ROWS_BAD_ROW)
		return pls_wire_get_error(r, &m->error);
	if (m->end != PLS_ROWS_MORE && m->end != PLS_ROWS_DONE)
		return pls_wire_refuse(r);
	return true;
}

void
pls_wire_put_td_item(PlsWireBuf *b, const char *key, const PLSValue *v)
{
	pls_wire_put_u8(b, v != NULL ? PLS_TDNEW_VALUE : PLS_TDNEW_KEY);
	pls_wire_put_cstr(b, key);
	if (v != NULL)
		pls_wire_put_value(b, v);
}

void
pls_wire_put_td_end(PlsWireBuf *b, uint8_t end, const PlsWireError *err)
{
	pls_wire_put_u8(b, end);
	if (end == PLS_TDNEW_ERROR)
		pls_wire_put_error(b, err);
}

bool
pls_wire_get_trig_result(PlsWireReader *r, bool with_new,
						 PlsWireTrigResult *m)
{
	uint32_t	cap = 0;

	memset(m, 0, sizeof(*m));
	m->end = PLS_TDNEW_END;
	if (!pls_wire_get_u8(r, &m->result))
		return false;
	if (m->result > PLS_TRIG_NOT_STRING)
		return pls_wire_refuse(r);
	if (m->result != PLS_TRIG_MODIFY || !with_new)
		return true;
	for (;;)
	{
		PlsWireTdItem *it;
		char	   *key;

		if (!pls_wire_get_u8(r, &m->end))
			return false;
		if (m->end != PLS_TDNEW_VALUE && m->end != PLS_TDNEW_KEY)
			break;
		if (m->nitems == cap)
		{
			/*
			 * Grown as items come (each took at least 6 bytes), by a copy:
			 * the reader's mem may have no realloc.
			 */
			PlsWireTdItem *grown;

			if (cap >= PLS_WIRE_MAX_ITEMS)
				return pls_wire_refuse(r);
			cap = cap ? cap * 2 : 1;
			if ((grown = pls_wire_get_alloc(r, cap, sizeof(PlsWireTdItem))) == NULL)
				return false;
			if (m->nitems > 0)
				memcpy(grown, m->items, m->nitems * sizeof(PlsWireTdItem));
			if (m->items != NULL && r->mem->free != NULL)
				r->mem->free(r->mem->cx, m->items);
			m->items = grown;
		}
		if (!pls_wire_get_cstr(r, &key))
			return false;
		if (key == NULL)
			return pls_wire_refuse(r);
		it = &m->items[m->nitems++];
		it->key = key;
		it->has_value = m->end == PLS_TDNEW_VALUE;
		if (!it->has_value)
		{
			/* a key without a column ends the items */
			if (!pls_wire_get_u8(r, &m->end))
				return false;
			if (m->end != PLS_TDNEW_END)
				return pls_wire_refuse(r);
			return true;
		}
		if (!pls_wire_get_value(r, &it->value))
			return false;
	}
	if (m->end == PLS_TDNEW_ERROR)
		return pls_wire_get_error(r, &m->error);
	if (m->end > PLS_TDNEW_ERROR)
		return pls_wire_refuse(r);
	return true;
}

/* ---------- SPI records ---------- */

void
pls_wire_put_stmt(PlsWireBuf *b, const PlsWireStmt *m)
{
	pls_wire_put_u64(b, m->plan);
	if (m->plan == 0)
	{
		pls_wire_put_bytes(b, m->query, m->querylen);
		return;
	}
	pls_wire_put_u32(b, m->nargs);
	for (uint32_t i = 0; i < m->nargs; i++)
		pls_wire_put_value(b, &m->args[i]);
}

bool
pls_wire_get_stmt(PlsWireReader *r, PlsWireStmt *m)
{
	memset(m, 0, sizeof(*m));
	if (!pls_wire_get_u64(r, &m->plan))
		return false;
	if (m->plan == 0)
	{
		if (!pls_wire_get_bytes(r, &m->query, &m->querylen))
			return false;
		if (!pls_wire_utf8_valid((const unsigned char *) m->query, m->querylen))
			return pls_wire_refuse(r);
		return true;
	}
	if (!pls_wire_get_u32(r, &m->nargs))
		return false;
	/* every value takes at least one byte */
	if (m->nargs > r->left)
		return pls_wire_refuse(r);
	{
		PLSValue   *args = pls_wire_get_alloc(r, (size_t) m->nargs + 1, sizeof(PLSValue));

		if (args == NULL)
			return false;
		for (uint32_t i = 0; i < m->nargs; i++)
			if (!pls_wire_get_value(r, &args[i]))
				return false;
		m->args = args;
	}
	return true;
}

void
pls_wire_put_columns(PlsWireBuf *b, const PlsWireColumns *m)
{
	pls_wire_put_u32(b, m->natts);
	for (uint32_t i = 0; i < m->natts; i++)
	{
		pls_wire_put_cstr(b, m->names[i]);
		pls_wire_put_u32(b, m->typoids[i]);
		pls_wire_put_i32(b, m->typmods[i]);
		pls_wire_put_u8(b, m->dropped[i]);
	}
}

bool
pls_wire_get_columns(PlsWireReader *r, PlsWireColumns *m)
{
	char	  **names;
	uint32_t   *typoids;
	int32_t    *typmods;
	uint8_t    *dropped;

	memset(m, 0, sizeof(*m));
	if (!pls_wire_get_u32(r, &m->natts))
		return false;
	/* each column takes at least 13 bytes */
	if (m->natts > r->left / 13)
		return pls_wire_refuse(r);
	names = pls_wire_get_alloc(r, (size_t) m->natts + 1, sizeof(char *));
	typoids = pls_wire_get_alloc(r, (size_t) m->natts + 1, sizeof(uint32_t));
	typmods = pls_wire_get_alloc(r, (size_t) m->natts + 1, sizeof(int32_t));
	dropped = pls_wire_get_alloc(r, (size_t) m->natts + 1, 1);
	if (names == NULL || typoids == NULL || typmods == NULL || dropped == NULL)
		return false;
	for (uint32_t i = 0; i < m->natts; i++)
	{
		if (!pls_wire_get_cstr(r, &names[i]) ||
			!pls_wire_get_u32(r, &typoids[i]) ||
			!pls_wire_get_i32(r, &typmods[i]) ||
			!pls_wire_get_u8(r, &dropped[i]))
			return false;
		if (names[i] == NULL || dropped[i] > 1)
			return pls_wire_refuse(r);
	}
	m->names = (const char *const *) names;
	m->typoids = typoids;
	m->typmods = typmods;
	m->dropped = dropped;
	return true;
}

/* ---------- the whitelist view ---------- */

const char *const pls_wire_wl_kinds[PLS_WL_END] = {
	"module", "class", "function", "constant"
};

/* the smallest row: two empty strings' lengths and the kind */
#define WL_ROW_MIN_BYTES 9

void
pls_wire_put_wl_row(PlsWireBuf *b, const char *module, const char *name,
					uint8_t kind)
{
	pls_wire_put_cstr(b, module);
	pls_wire_put_cstr(b, name);
	pls_wire_put_u8(b, kind);
}

/*
 * u32 n, then n rows; every string UTF-8 without NUL and not empty, every
 * kind known, nothing after the last row.
 */
bool
pls_wire_get_whitelist(PlsWireReader *r, uint32_t *nrows, PlsWireWlRow **rows)
{
	uint32_t	n;
	PlsWireWlRow *m = NULL;

	*nrows = 0;
	*rows = NULL;
	if (!pls_wire_get_u32(r, &n))
		return false;
	if (n > r->left / WL_ROW_MIN_BYTES)
		return pls_wire_refuse(r);
	if (n > 0 && (m = pls_wire_get_alloc(r, n, sizeof(PlsWireWlRow))) == NULL)
		return false;
	for (uint32_t i = 0; i < n; i++)
	{
		if (!pls_wire_get_cstr(r, &m[i].module) ||
			!pls_wire_get_cstr(r, &m[i].name) ||
			!pls_wire_get_u8(r, &m[i].kind))
			return false;
		if (m[i].module == NULL || m[i].module[0] == '\0' ||
			m[i].name == NULL || m[i].name[0] == '\0' ||
			m[i].kind >= PLS_WL_END)
			return pls_wire_refuse(r);
	}
	if (!pls_wire_done(r))
		return pls_wire_refuse(r);
	*nrows = n;
	*rows = m;
	return true;
}
