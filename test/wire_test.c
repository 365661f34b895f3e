/*
 * test/wire_test.c: src/wire.c against its spec (src/wire.h), built with the
 * address and undefined-behaviour sanitizers (make worker-tests) and run by
 * test/worker.sh.  Never installed.
 *
 * Groups, one output line each (the counts are deterministic: a fixed seed):
 *	round trips	every value kind, nested arrays and rows, shapes, each
 *				record; NULL and empty strings; depth 64 read, 65 refused;
 *				6 dims read (7 are refused under writer and violations);
 *				JSON tokens (door.h) nested PLS_JSON_MAX_DEPTH deep read,
 *				one deeper refused
 *	writer		allocation failures and values the encoding cannot carry
 *				set failed, and later puts do nothing
 *	violations	each way hostile bytes can be wrong, refused, next to a
 *				valid twin that differs only there; counts are refused
 *				before anything is allocated; every allocation failure
 *	fuzz		valid encodings mutated: no sanitizer report, false exactly
 *				when bad, what is accepted encodes back to the same bytes,
 *				and allocation stays proportional to the input
 *	channel		messages over a real channel to a forked peer: fragmenting,
 *				max_len, a hostile peer's frames, a partial message kept
 *				across a timeout and a signal
 * A failed check prints "FAIL line: what" on stderr; the exit code is 1 then.
 */
#include "wire.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

static int	failures;

#define CHECK(cond, ...) \
	do { \
		if (!(cond)) \
		{ \
			failures++; \
			fprintf(stderr, "FAIL %d: ", __LINE__); \
			fprintf(stderr, __VA_ARGS__); \
			fputc('\n', stderr); \
		} \
	} while (0)

/* ---------- memory: an arena that counts, and can fail on demand ---------- */

typedef struct Arena
{
	void	  **ptrs;
	size_t		n;
	size_t		cap;
	long		allocs;			/* allocations and reallocations asked for */
	long		fail_at;		/* this one returns NULL; -1: none */
	size_t		bytes;			/* bytes asked for since the last reset */
} Arena;

static void
arena_track(Arena *a, void *p)
{
	if (a->n == a->cap)
	{
		a->cap = a->cap ? a->cap * 2 : 64;
		a->ptrs = realloc(a->ptrs, a->cap * sizeof(void *));
		if (a->ptrs == NULL)
			abort();
	}
	a->ptrs[a->n++] = p;
}

static size_t
arena_find(Arena *a, void *p)
{
	for (size_t i = a->n; i-- > 0;)
		if (a->ptrs[i] == p)
			return i;
	abort();					/* freeing what the arena never gave */
}

static bool
arena_refuses(Arena *a, size_t size)
{
	a->bytes += size;
	return a->allocs++ == a->fail_at;
}

static void *
arena_alloc(void *cx, size_t size)
{
	Arena	   *a = cx;
	void	   *p;

	if (arena_refuses(a, size))
		return NULL;
	p = malloc(size);
	if (p == NULL)
		abort();
	arena_track(a, p);
	return p;
}

static void *
arena_realloc(void *cx, void *p, size_t size)
{
	Arena	   *a = cx;
	size_t		i = arena_find(a, p);
	void	   *q;

	if (arena_refuses(a, size))
		return NULL;
	q = realloc(p, size);
	if (q == NULL)
		abort();
	a->ptrs[i] = q;
	return q;
}

static void
arena_free(void *cx, void *p)
{
	Arena	   *a = cx;
	size_t		i = arena_find(a, p);

	free(p);
	a->ptrs[i] = a->ptrs[--a->n];
}

static void
arena_reset(Arena *a, long fail_at)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->ptrs[i]);
	a->n = 0;
	a->allocs = 0;
	a->bytes = 0;
	a->fail_at = fail_at;
}

static void
arena_done(Arena *a)
{
	arena_reset(a, -1);
	free(a->ptrs);
	a->ptrs = NULL;
	a->cap = 0;
}

static Arena arena = {.fail_at = -1};
static const PlsWireMem amem = {arena_alloc, arena_realloc, arena_free, &arena};

/* plain heap memory for buffers that outlive an arena reset */
static void *
heap_alloc(void *cx, size_t size)
{
	return malloc(size);
}

static void *
heap_realloc(void *cx, void *p, size_t size)
{
	return realloc(p, size);
}

static void
heap_free(void *cx, void *p)
{
	free(p);
}

static const PlsWireMem hmem = {heap_alloc, heap_realloc, heap_free, NULL};

/* ---------- deterministic randomness ---------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t
rnd(void)
{
	uint64_t	x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static uint32_t
rnd_below(uint32_t n)
{
	return (uint32_t) (rnd() % n);
}

/* ---------- building values and shapes ---------- */

static PLSValue
v_kind(uint8_t kind)
{
	PLSValue	v;

	memset(&v, 0, sizeof(v));
	v.kind = kind;
	return v;
}

static PLSValue
v_bool(bool b)
{
	PLSValue	v = v_kind(PLS_V_BOOL);

	v.u.b = b;
	return v;
}

static PLSValue
v_int(int64_t i)
{
	PLSValue	v = v_kind(PLS_V_INT64);

	v.u.i = i;
	return v;
}

static PLSValue
v_float(double f)
{
	PLSValue	v = v_kind(PLS_V_FLOAT8);

	v.u.f = f;
	return v;
}

static PLSValue
v_str(uint8_t kind, const char *data, size_t len)
{
	PLSValue	v = v_kind(kind);

	v.u.str.data = data;
	v.u.str.len = len;
	return v;
}

static PLSValue
v_text(const char *s)
{
	return v_str(PLS_V_TEXT, s, strlen(s));
}

/*
 * JSON tokens (door.h) into t from a spec of space-separated items: a
 * tag ("n", "[", "}", ...), or "s=TEXT" / "d=TEXT" for a string or a
 * number (TEXT up to the next space; may hold any byte but NUL and space).
 */
static void
json_tokens(PlsWireBuf *t, const char *spec)
{
	while (*spec)
	{
		const char *end = strchr(spec, ' ');
		size_t		len = end ? (size_t) (end - spec) : strlen(spec);

		if (len >= 2 && spec[1] == '=')
		{
			pls_wire_put_u8(t, (uint8_t) spec[0]);
			pls_wire_put_bytes(t, spec + 2, len - 2);
		}
		else
			for (size_t i = 0; i < len; i++)
				pls_wire_put_u8(t, (uint8_t) spec[i]);
		spec += len;
		while (*spec == ' ')
			spec++;
	}
}

/* A JSON value of the tokens in t (which must outlive it). */
static PLSValue
v_json(const PlsWireBuf *t)
{
	return v_str(PLS_V_JSON, (const char *) t->data, t->len);
}

/* JSON arrays (or objects, their one key "k") nested depth deep */
static void
json_deep(PlsWireBuf *t, int depth, bool objects)
{
	for (int i = 0; i < depth; i++)
		json_tokens(t, objects ? "{ s=k" : "[");
	json_tokens(t, "n");
	for (int i = 0; i < depth; i++)
		json_tokens(t, objects ? "}" : "]");
}

static PLSValue
v_array(int ndims, const int *dims, PLSValue *elems)
{
	PLSValue	v = v_kind(PLS_V_ARRAY);
	size_t		n = ndims > 0 ? 1 : 0;

	v.u.array.ndims = ndims;
	for (int i = 0; i < ndims; i++)
	{
		v.u.array.dims[i] = dims[i];
		n *= (size_t) dims[i];
	}
	v.u.array.n = n;
	v.u.array.elems = elems;
	return v;
}

static PLSValue
v_packed(uint8_t elem, int ndims, const int *dims, const uint8_t *nulls,
		 const void *data)
{
	PLSValue	v = v_kind(PLS_V_PACKED);
	uint32_t	n = 1;

	v.u.packed.elem = elem;
	v.u.packed.ndims = (uint8_t) ndims;
	for (int i = 0; i < ndims; i++)
	{
		v.u.packed.dims[i] = dims[i];
		n *= (uint32_t) dims[i];
	}
	v.u.packed.n = n;
	v.u.packed.nulls = nulls;
	v.u.packed.data = data;
	return v;
}

static PLSValue
v_row(int natts, PLSValue *atts, const char *const *names)
{
	PLSValue	v = v_kind(PLS_V_ROW);

	v.u.row.natts = natts;
	v.u.row.atts = atts;
	v.u.row.names = names;
	return v;
}

static PLSShape
s_kind(uint8_t kind)
{
	PLSShape	s;

	memset(&s, 0, sizeof(s));
	s.kind = kind;
	return s;
}

/* ---------- comparing ---------- */

static bool
str_eq(const char *a, const char *b)
{
	return a == NULL ? b == NULL : (b != NULL && strcmp(a, b) == 0);
}

static bool
values_eq(const PLSValue *a, const PLSValue *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind)
	{
		case PLS_V_NULL:
			return true;
		case PLS_V_BOOL:
			return a->u.b == b->u.b;
		case PLS_V_INT64:
			return a->u.i == b->u.i;
		case PLS_V_FLOAT8:
			return memcmp(&a->u.f, &b->u.f, sizeof(double)) == 0;
		case PLS_V_TEXT:
		case PLS_V_BYTES:
		case PLS_V_NUMERIC:
		case PLS_V_JSON:
			return a->u.str.len == b->u.str.len &&
				(a->u.str.len == 0 ||
				 memcmp(a->u.str.data, b->u.str.data, a->u.str.len) == 0);
		case PLS_V_ARRAY:
			if (a->u.array.ndims != b->u.array.ndims ||
				a->u.array.n != b->u.array.n)
				return false;
			for (int i = 0; i < a->u.array.ndims; i++)
				if (a->u.array.dims[i] != b->u.array.dims[i])
					return false;
			for (size_t i = 0; i < a->u.array.n; i++)
				if (!values_eq(&a->u.array.elems[i], &b->u.array.elems[i]))
					return false;
			return true;
		case PLS_V_PACKED:
			{
				size_t		present = 0;

				if (a->u.packed.elem != b->u.packed.elem ||
					a->u.packed.ndims != b->u.packed.ndims ||
					a->u.packed.n != b->u.packed.n ||
					(a->u.packed.nulls == NULL) != (b->u.packed.nulls == NULL))
					return false;
				for (int i = 0; i < a->u.packed.ndims; i++)
					if (a->u.packed.dims[i] != b->u.packed.dims[i])
						return false;
				for (uint32_t i = 0; i < a->u.packed.n; i++)
				{
					bool		pa = !a->u.packed.nulls ||
						(a->u.packed.nulls[i / 8] & (1 << (i % 8)));
					bool		pb = !b->u.packed.nulls ||
						(b->u.packed.nulls[i / 8] & (1 << (i % 8)));

					if (pa != pb)
						return false;
					present += pa;
				}
				present *= pls_packed_width(a->u.packed.elem);
				return present == 0 ||
					memcmp(a->u.packed.data, b->u.packed.data, present) == 0;
			}
		case PLS_V_ROW:
			if (a->u.row.natts != b->u.row.natts ||
				(a->u.row.names == NULL) != (b->u.row.names == NULL))
				return false;
			for (int i = 0; i < a->u.row.natts; i++)
				if ((a->u.row.names &&
					 !str_eq(a->u.row.names[i], b->u.row.names[i])) ||
					!values_eq(&a->u.row.atts[i], &b->u.row.atts[i]))
					return false;
			return true;
	}
	return false;
}

static bool
shapes_eq(const PLSShape *a, const PLSShape *b)
{
	if (a->kind != b->kind)
		return false;
	if (a->kind == PLS_S_ARRAY)
		return shapes_eq(a->elem, b->elem);
	if (a->kind != PLS_S_ROW)
		return true;
	if (a->rowknown != b->rowknown)
		return false;
	if (!a->rowknown)
		return true;
	if (a->natts != b->natts)
		return false;
	for (int i = 0; i < a->natts; i++)
	{
		if ((a->atts[i] == NULL) != (b->atts[i] == NULL))
			return false;
		if (a->atts[i] == NULL)
		{
			/* a decoded dropped attribute has no name */
			if (b->attnames[i] != NULL)
				return false;
			continue;
		}
		if (!str_eq(a->attnames[i], b->attnames[i]) ||
			!shapes_eq(a->atts[i], b->atts[i]))
			return false;
	}
	return true;
}

static bool
init_eq(const PlsWireInit *a, const PlsWireInit *b)
{
	return str_eq(a->role, b->role) &&
		str_eq(a->allowed_modules, b->allowed_modules) &&
		a->recursion_limit == b->recursion_limit && a->flags == b->flags &&
		a->memory_limit_kb == b->memory_limit_kb;
}

static bool
call_eq(const PlsWireCall *a, const PlsWireCall *b)
{
	if (a->fn_oid != b->fn_oid || a->fn_gen != b->fn_gen ||
		a->flags != b->flags || a->memory_limit_kb != b->memory_limit_kb ||
		a->nargs != b->nargs ||
		(a->result == NULL) != (b->result == NULL) ||
		((a->flags & PLS_CALL_SETOF) && a->batch != b->batch))
		return false;
	if (a->flags & PLS_CALL_SOURCE)
	{
		if (!str_eq(a->name, b->name) || !str_eq(a->defname, b->defname) ||
			!str_eq(a->source, b->source) ||
			a->nargnames != b->nargnames)
			return false;
		for (uint32_t i = 0; i < a->nargnames; i++)
			if (!str_eq(a->argnames ? a->argnames[i] : NULL,
						b->argnames ? b->argnames[i] : NULL))
				return false;
	}
	for (uint32_t i = 0; i < a->nargs; i++)
		if (!values_eq(&a->args[i], &b->args[i]))
			return false;
	return a->result == NULL || shapes_eq(a->result, b->result);
}

static bool
error_eq(const PlsWireError *a, const PlsWireError *b)
{
	return a->sqlerrcode == b->sqlerrcode &&
		str_eq(a->message, b->message) && str_eq(a->detail, b->detail) &&
		str_eq(a->hint, b->hint) && str_eq(a->context, b->context) &&
		str_eq(a->schema_name, b->schema_name) &&
		str_eq(a->table_name, b->table_name) &&
		str_eq(a->column_name, b->column_name) &&
		str_eq(a->datatype_name, b->datatype_name) &&
		str_eq(a->constraint_name, b->constraint_name) &&
		str_eq(a->query, b->query) && a->position == b->position &&
		a->origin == b->origin;
}

static bool
rows_eq(const PlsWireRows *a, const PlsWireRows *b)
{
	if (a->handle != b->handle || a->nrows != b->nrows || a->end != b->end)
		return false;
	for (uint32_t i = 0; i < a->nrows; i++)
		if (!values_eq(&a->rows[i], &b->rows[i]))
			return false;
	if (a->end == PLS_ROWS_ERROR || a->end == PLS_ROWS_BAD_ROW)
		return error_eq(&a->error, &b->error);
	return true;
}

static bool
trig_eq(const PlsWireTrigResult *a, const PlsWireTrigResult *b)
{
	if (a->result != b->result || a->nitems != b->nitems || a->end != b->end)
		return false;
	for (uint32_t i = 0; i < a->nitems; i++)
		if (!str_eq(a->items[i].key, b->items[i].key) ||
			a->items[i].has_value != b->items[i].has_value ||
			(a->items[i].has_value &&
			 !values_eq(&a->items[i].value, &b->items[i].value)))
			return false;
	if (a->end == PLS_TDNEW_ERROR)
		return error_eq(&a->error, &b->error);
	return true;
}

static bool
wl_eq(uint32_t na, const PlsWireWlRow *a, uint32_t nb, const PlsWireWlRow *b)
{
	if (na != nb)
		return false;
	for (uint32_t i = 0; i < na; i++)
		if (!str_eq(a[i].module, b[i].module) || !str_eq(a[i].name, b[i].name) ||
			a[i].kind != b[i].kind)
			return false;
	return true;
}

/* ---------- one decoder for every kind of encoding ---------- */

typedef enum Dec
{
	DEC_VALUE, DEC_SHAPE, DEC_CSTR, DEC_BYTES, DEC_INIT, DEC_CALL, DEC_ERROR,
	DEC_FETCH, DEC_ROWS, DEC_TRIG, DEC_WHITELIST,
	DEC_COUNT
} Dec;

typedef struct Decoded
{
	PLSValue	value;
	PLSShape   *shape;
	char	   *cstr;
	const char *bytes;
	size_t		nbytes;
	PlsWireInit init;
	PlsWireCall call;
	PlsWireError error;
	uint32_t	handle;			/* FETCH */
	uint32_t	batch;
	PlsWireRows rows;
	PlsWireTrigResult trig;
	uint32_t	nwl;			/* WHITELIST's answer */
	PlsWireWlRow *wl;
} Decoded;

/* the rows a ROWS record may hold in these tests */
#define TEST_MAX_ROWS 4

static bool
decode(Dec dec, PlsWireReader *r, Decoded *d)
{
	switch (dec)
	{
		case DEC_VALUE:
			return pls_wire_get_value(r, &d->value);
		case DEC_SHAPE:
			return pls_wire_get_shape(r, &d->shape);
		case DEC_CSTR:
			return pls_wire_get_cstr(r, &d->cstr);
		case DEC_BYTES:
			return pls_wire_get_bytes(r, &d->bytes, &d->nbytes);
		case DEC_INIT:
			return pls_wire_get_init(r, &d->init);
		case DEC_CALL:
			return pls_wire_get_call(r, &d->call);
		case DEC_ERROR:
			return pls_wire_get_error(r, &d->error);
		case DEC_FETCH:
			return pls_wire_get_fetch(r, &d->handle, &d->batch);
		case DEC_ROWS:
			return pls_wire_get_rows(r, TEST_MAX_ROWS, &d->rows);
		case DEC_TRIG:
			return pls_wire_get_trig_result(r, true, &d->trig);
		case DEC_WHITELIST:
			return pls_wire_get_whitelist(r, &d->nwl, &d->wl);
		case DEC_COUNT:
			break;
	}
	abort();
}

static void
encode(Dec dec, PlsWireBuf *b, const Decoded *d)
{
	switch (dec)
	{
		case DEC_VALUE:
			pls_wire_put_value(b, &d->value);
			return;
		case DEC_SHAPE:
			pls_wire_put_shape(b, d->shape);
			return;
		case DEC_CSTR:
			pls_wire_put_cstr(b, d->cstr);
			return;
		case DEC_BYTES:
			pls_wire_put_bytes(b, d->bytes, d->nbytes);
			return;
		case DEC_INIT:
			pls_wire_put_init(b, &d->init);
			return;
		case DEC_CALL:
			pls_wire_put_call(b, &d->call);
			return;
		case DEC_ERROR:
			pls_wire_put_error(b, &d->error);
			return;
		case DEC_FETCH:
			pls_wire_put_fetch(b, d->handle, d->batch);
			return;
		case DEC_ROWS:
			pls_wire_put_u32(b, d->rows.handle);
			for (uint32_t i = 0; i < d->rows.nrows; i++)
				pls_wire_put_row(b, &d->rows.rows[i]);
			pls_wire_put_rows_end(b, d->rows.end, &d->rows.error);
			return;
		case DEC_TRIG:
			pls_wire_put_u8(b, d->trig.result);
			if (d->trig.result != PLS_TRIG_MODIFY)
				return;
			for (uint32_t i = 0; i < d->trig.nitems; i++)
				pls_wire_put_td_item(b, d->trig.items[i].key,
									 d->trig.items[i].has_value ?
									 &d->trig.items[i].value : NULL);
			pls_wire_put_td_end(b, d->trig.end, &d->trig.error);
			return;
		case DEC_WHITELIST:
			pls_wire_put_u32(b, d->nwl);
			for (uint32_t i = 0; i < d->nwl; i++)
				pls_wire_put_wl_row(b, d->wl[i].module, d->wl[i].name,
									d->wl[i].kind);
			return;
		case DEC_COUNT:
			break;
	}
	abort();
}

/*
 * Decode len bytes (copied to a buffer of exactly that size, so that the
 * sanitizer sees any read past it) from a fresh arena that fails its
 * fail_at-th allocation.  Checks that the result is false exactly when bad
 * is set, and that an accepted prefix encodes back to the same bytes.
 * Returns the decoder's result; *used is the bytes read.
 */
static bool
try_decode(Dec dec, const void *data, size_t len, long fail_at, size_t *used,
		   bool *done)
{
	unsigned char *copy = malloc(len);
	PlsWireReader r;
	Decoded		d;
	bool		ok;

	if (copy == NULL && len > 0)
		abort();
	if (len > 0)
		memcpy(copy, data, len);
	arena_reset(&arena, fail_at);
	memset(&d, 0, sizeof(d));
	pls_wire_reader_init(&r, copy, len, &amem);
	ok = decode(dec, &r, &d);
	CHECK(ok == !r.bad, "decoder %d returned %d with bad %d", dec, ok, r.bad);
	CHECK(r.left <= len, "decoder %d: %zu left of %zu", dec, r.left, len);
	/*
	 * Each byte read may justify a PLSValue or a PLSShape and a pointer;
	 * a refused value may have claimed the bytes left once more at each
	 * level of its nesting (a count is checked against them, before its
	 * elements claim them again).
	 */
	CHECK(arena.bytes <= 64 * (len + 1) * (ok ? 1 : PLS_WIRE_MAX_DEPTH),
		  "decoder %d allocated %zu bytes for %zu", dec, arena.bytes, len);
	if (ok)
	{
		PlsWireBuf	b;

		pls_wire_buf_init(&b, &hmem);
		encode(dec, &b, &d);
		CHECK(!b.failed && b.len == len - r.left &&
			  memcmp(b.data, copy, b.len) == 0,
			  "decoder %d: accepted bytes do not encode back", dec);
		pls_wire_buf_free(&b);
	}
	if (used)
		*used = len - r.left;
	if (done)
		*done = pls_wire_done(&r);
	free(copy);
	arena_reset(&arena, -1);
	return ok;
}

/* ---------- round trips ---------- */

static int	n_values,
			n_shapes,
			n_records;

/* seeds for the fuzzer: some of the round-tripped encodings */
#define MAX_SEEDS 32
static struct
{
	Dec			dec;
	unsigned char *data;
	size_t		len;
}			seeds[MAX_SEEDS];
static int	n_seeds;

static void
keep_seed(Dec dec, const PlsWireBuf *b)
{
	if (n_seeds == MAX_SEEDS)
		abort();
	seeds[n_seeds].dec = dec;
	seeds[n_seeds].data = malloc(b->len);
	memcpy(seeds[n_seeds].data, b->data, b->len);
	seeds[n_seeds].len = b->len;
	n_seeds++;
}

/* Encode, decode from an exact-size copy, compare; optionally keep as seed. */
static void
round_trip(Dec dec, const Decoded *in, bool seed, int line)
{
	PlsWireBuf	b;
	PlsWireReader r;
	Decoded		out;
	unsigned char *copy;
	bool		ok;
	bool		same = false;

	pls_wire_buf_init(&b, &hmem);
	encode(dec, &b, in);
	if (b.failed)
	{
		failures++;
		fprintf(stderr, "FAIL %d: writer failed\n", line);
		pls_wire_buf_free(&b);
		return;
	}
	copy = malloc(b.len);
	memcpy(copy, b.data, b.len);
	arena_reset(&arena, -1);
	memset(&out, 0, sizeof(out));
	pls_wire_reader_init(&r, copy, b.len, &amem);
	ok = decode(dec, &r, &out);
	if (ok && pls_wire_done(&r))
	{
		switch (dec)
		{
			case DEC_VALUE:
				same = values_eq(&in->value, &out.value);
				break;
			case DEC_SHAPE:
				same = shapes_eq(in->shape, out.shape);
				break;
			case DEC_CSTR:
				same = str_eq(in->cstr, out.cstr);
				break;
			case DEC_INIT:
				same = init_eq(&in->init, &out.init);
				break;
			case DEC_CALL:
				same = call_eq(&in->call, &out.call);
				break;
			case DEC_ERROR:
				same = error_eq(&in->error, &out.error);
				break;
			case DEC_FETCH:
				same = in->handle == out.handle && in->batch == out.batch;
				break;
			case DEC_ROWS:
				same = rows_eq(&in->rows, &out.rows);
				break;
			case DEC_TRIG:
				same = trig_eq(&in->trig, &out.trig);
				break;
			case DEC_WHITELIST:
				same = wl_eq(in->nwl, in->wl, out.nwl, out.wl);
				break;
			default:
				abort();
		}
	}
	if (!same)
	{
		failures++;
		fprintf(stderr, "FAIL %d: round trip (decoded %d, done %d)\n", line,
				ok, pls_wire_done(&r));
	}
	/* every proper prefix is refused (the encoding is self-delimiting) */
	for (size_t len = 0; len < b.len; len++)
		CHECK(!try_decode(dec, b.data, len, -1, NULL, NULL),
			  "line %d: prefix of %zu bytes of %zu accepted", line, len, b.len);
	if (seed)
		keep_seed(dec, &b);
	arena_reset(&arena, -1);
	free(copy);
	pls_wire_buf_free(&b);
	if (dec == DEC_VALUE)
		n_values++;
	else if (dec == DEC_SHAPE)
		n_shapes++;
	else
		n_records++;
}

#define RT_VALUE(v, seed) \
	do { Decoded d_; memset(&d_, 0, sizeof(d_)); d_.value = (v); \
		 round_trip(DEC_VALUE, &d_, seed, __LINE__); } while (0)
#define RT_SHAPE(s, seed) \
	do { Decoded d_; memset(&d_, 0, sizeof(d_)); d_.shape = (s); \
		 round_trip(DEC_SHAPE, &d_, seed, __LINE__); } while (0)

/* A value nested depth deep (rows of one attribute around a NULL). */
static PLSValue *
deep_value(int depth)
{
	PLSValue   *v = calloc(depth, sizeof(PLSValue));

	for (int i = 0; i < depth - 1; i++)
		v[i] = v_row(1, &v[i + 1], NULL);
	v[depth - 1] = v_kind(PLS_V_NULL);
	return v;
}

/* A shape nested depth deep (arrays around an int4). */
static PLSShape *
deep_shape(int depth)
{
	PLSShape   *s = calloc(depth, sizeof(PLSShape));

	for (int i = 0; i < depth - 1; i++)
	{
		s[i] = s_kind(PLS_S_ARRAY);
		s[i].elem = &s[i + 1];
	}
	s[depth - 1] = s_kind(PLS_S_INT4);
	return s;
}

/* Encode with the writer, then decode: true if read whole. */
static bool
reads_back(Dec dec, const Decoded *in)
{
	PlsWireBuf	b;
	bool		ok;
	bool		done;

	pls_wire_buf_init(&b, &hmem);
	encode(dec, &b, in);
	CHECK(!b.failed, "writer failed");
	ok = try_decode(dec, b.data, b.len, -1, NULL, &done);
	pls_wire_buf_free(&b);
	return ok && done;
}

static void
test_round_trips(void)
{
	static const char *const names3[] = {"id", "", "ünïcode ☃"};
	static const char *const names_null[] = {"a", NULL};
	static const char *const argnames[] = {"x", "", NULL};
	static const char bytes[] = {'\0', '\xff', '\x01', 'a'};
	PLSValue	scalars[16];
	PLSValue	ints[6];
	PLSValue	grid[6];
	PLSValue	rowatts[3];
	PLSValue	rows[2];
	PLSValue	arr_rows;
	PLSValue	ones[64];
	PLSValue	inner[2];
	PLSValue	mid;
	PLSValue	outer[2];
	int			dims1[] = {3};
	int			dims23[] = {2, 3};
	int			dims2[] = {2};
	int			six1[] = {1, 1, 1, 1, 1, 1};
	int			six2[] = {2, 2, 2, 2, 2, 2};
	int			ns = 0;
	PLSShape	scal[8];
	PLSShape	a_int,
				aa_int,
				a_row;
	PLSShape	row_unknown,
				row_empty,
				row3;
	const PLSShape *row3_atts[3];
	const char *row3_names[] = {"id", "........pg.dropped.2........", "é"};
	PLSValue   *deep;
	PLSShape   *sdeep;
	Decoded		d;

	/* scalars */
	scalars[ns++] = v_kind(PLS_V_NULL);
	scalars[ns++] = v_bool(true);
	scalars[ns++] = v_bool(false);
	scalars[ns++] = v_int(0);
	scalars[ns++] = v_int(-1);
	scalars[ns++] = v_int(INT64_MIN);
	scalars[ns++] = v_int(INT64_MAX);
	scalars[ns++] = v_float(0.5);
	scalars[ns++] = v_float(-0.0);
	scalars[ns++] = v_float(__builtin_nan(""));
	scalars[ns++] = v_float(__builtin_inf());
	scalars[ns++] = v_text("");
	scalars[ns++] = v_text("héllo ☃ 𝄞");
	scalars[ns++] = v_str(PLS_V_NUMERIC, "-12.345e3", 9);
	scalars[ns++] = v_str(PLS_V_BYTES, bytes, sizeof(bytes));
	scalars[ns++] = v_str(PLS_V_BYTES, "", 0);
	for (int i = 0; i < ns; i++)
		RT_VALUE(scalars[i], i == 12 || i == 14);

	/* arrays */
	for (int i = 0; i < 6; i++)
		ints[i] = v_int(i * 1000);
	grid[0] = v_int(1);
	grid[1] = v_kind(PLS_V_NULL);
	grid[2] = v_text("x");
	grid[3] = v_int(4);
	grid[4] = v_kind(PLS_V_NULL);
	grid[5] = v_int(6);
	RT_VALUE(v_array(0, NULL, NULL), false);
	RT_VALUE(v_array(1, dims1, ints), false);
	RT_VALUE(v_array(2, dims23, grid), true);
	for (int i = 0; i < 64; i++)
		ones[i] = v_int(i);
	RT_VALUE(v_array(6, six1, ones), false);
	RT_VALUE(v_array(6, six2, ones), false);

	/* packed arrays: every element type, nulls, all nulls, many dims */
	{
		static const int32_t i4[] = {1, -2, INT32_MAX, INT32_MIN, 5};
		static const int16_t i2[] = {-32768, 7, 32767, 0, 1, -1, 2};
		static const uint8_t b1[] = {1, 0, 1};
		static const int64_t i8[] = {INT64_MIN, 0, INT64_MAX, 3};
		static const uint32_t oids[] = {0, UINT32_MAX};
		static const float f4[] = {1.5f, -0.0f};
		static const double f8[] = {0.25, -1e300};
		/* 2 x 5, elements 1, 3 and 9 NULL; the unused high bits are junk */
		static const uint8_t nulls10[] = {0xF5, 0xFD};
		static const uint8_t allnull[] = {0x00};
		/* 70 elements, every third NULL: past the 8-byte words of the count */
		static uint8_t nulls70[9];
		static int64_t i8_70[70];
		int			npresent = 0;

		for (int i = 0; i < 70; i++)
			if (i % 3 != 0)
			{
				nulls70[i / 8] |= 1 << (i % 8);
				i8_70[npresent++] = i;
			}
		RT_VALUE(v_packed(PLS_P_INT4, 1, (int[]) {5}, NULL, i4), true);
		RT_VALUE(v_packed(PLS_P_INT2, 2, (int[]) {2, 5}, nulls10, i2), true);
		RT_VALUE(v_packed(PLS_P_BOOL, 1, (int[]) {3}, NULL, b1), false);
		RT_VALUE(v_packed(PLS_P_INT8, 6, (int[]) {1, 2, 1, 1, 2, 1}, NULL, i8), false);
		RT_VALUE(v_packed(PLS_P_OID, 1, (int[]) {2}, NULL, oids), false);
		RT_VALUE(v_packed(PLS_P_FLOAT4, 1, (int[]) {2}, NULL, f4), false);
		RT_VALUE(v_packed(PLS_P_FLOAT8, 1, (int[]) {2}, NULL, f8), false);
		RT_VALUE(v_packed(PLS_P_FLOAT8, 1, (int[]) {3}, allnull, NULL), false);
		RT_VALUE(v_packed(PLS_P_INT8, 1, (int[]) {70}, nulls70, i8_70), true);
	}

	/* rows, named and not, and nested */
	rowatts[0] = v_int(7);
	rowatts[1] = v_text("seven");
	rowatts[2] = v_kind(PLS_V_NULL);
	RT_VALUE(v_row(3, rowatts, NULL), false);
	RT_VALUE(v_row(3, rowatts, names3), true);
	RT_VALUE(v_row(2, rowatts, names_null), false);
	RT_VALUE(v_row(0, NULL, NULL), false);
	RT_VALUE(v_row(0, NULL, names3), false);
	rows[0] = v_row(3, rowatts, names3);
	rows[1] = v_row(3, rowatts, NULL);
	arr_rows = v_array(1, dims2, rows);
	RT_VALUE(arr_rows, true);
	/* a row holding an array of rows holding an array */
	inner[0] = v_array(2, dims23, grid);
	inner[1] = v_str(PLS_V_NUMERIC, "NaN", 3);
	mid = v_row(2, inner, names3);
	outer[0] = v_array(1, (int[]) {1}, &mid);
	outer[1] = v_bool(true);
	RT_VALUE(v_row(2, outer, NULL), true);

	/* JSON tokens: scalars, containers, keys, a value in a row */
	{
		static const char *const specs[] = {
			"n", "t", "f", "s=", "d=-12.5e3", "s=h\xc3\xa9llo",
			"[ ]", "{ }", "[ n t f s=x d=1 [ ] { } ]",
			"{ s=a [ d=1 n { s= s=\xe2\x98\x83 } ] s=b t }",
			"{ s=k { s=k [ [ { } ] ] } s=k2 n }",
		};
		PlsWireBuf	t[sizeof(specs) / sizeof(specs[0])];
		PLSValue	jrow[2];

		for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		{
			pls_wire_buf_init(&t[i], &hmem);
			json_tokens(&t[i], specs[i]);
			RT_VALUE(v_json(&t[i]), i == 9);
		}
		jrow[0] = v_json(&t[10]);
		jrow[1] = v_kind(PLS_V_NULL);
		RT_VALUE(v_row(2, jrow, names3), true);
		for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
			pls_wire_buf_free(&t[i]);
	}
	/* JSON nesting: PLS_JSON_MAX_DEPTH containers read, one more refused */
	for (int objects = 0; objects < 2; objects++)
		for (int extra = 0; extra < 2; extra++)
		{
			PlsWireBuf	t;

			pls_wire_buf_init(&t, &hmem);
			json_deep(&t, PLS_JSON_MAX_DEPTH + extra, objects);
			memset(&d, 0, sizeof(d));
			d.value = v_json(&t);
			CHECK(reads_back(DEC_VALUE, &d) == !extra,
				  "JSON %s nested %d deep: %s", objects ? "objects" : "arrays",
				  PLS_JSON_MAX_DEPTH + extra, extra ? "read" : "refused");
			pls_wire_buf_free(&t);
		}

	/* depth: 64 nested values are read, 65 refused */
	deep = deep_value(PLS_WIRE_MAX_DEPTH);
	RT_VALUE(deep[0], false);
	free(deep);
	deep = deep_value(PLS_WIRE_MAX_DEPTH + 1);
	memset(&d, 0, sizeof(d));
	d.value = deep[0];
	CHECK(!reads_back(DEC_VALUE, &d), "a value 65 deep was read");
	free(deep);

	/* shapes */
	for (int k = PLS_S_TEXTFORM; k <= PLS_S_BYTEA; k++)
	{
		scal[k] = s_kind(k);
		RT_SHAPE(&scal[k], false);
	}
	for (int k = PLS_S_JSONB; k <= PLS_S_HSTORE; k++)
	{
		PLSShape	trf = s_kind(k);

		RT_SHAPE(&trf, false);
	}
	a_int = s_kind(PLS_S_ARRAY);
	a_int.elem = &scal[PLS_S_INT4];
	aa_int = s_kind(PLS_S_ARRAY);
	aa_int.elem = &a_int;
	RT_SHAPE(&aa_int, false);
	row_unknown = s_kind(PLS_S_ROW);
	RT_SHAPE(&row_unknown, false);
	row_empty = s_kind(PLS_S_ROW);
	row_empty.rowknown = true;
	RT_SHAPE(&row_empty, false);
	row3 = s_kind(PLS_S_ROW);
	row3.rowknown = true;
	row3.natts = 3;
	row3_atts[0] = &scal[PLS_S_INT8];
	row3_atts[1] = NULL;		/* dropped */
	row3_atts[2] = &aa_int;
	row3.atts = row3_atts;
	row3.attnames = row3_names;
	RT_SHAPE(&row3, true);
	a_row = s_kind(PLS_S_ARRAY);
	a_row.elem = &row3;
	RT_SHAPE(&a_row, true);
	sdeep = deep_shape(PLS_WIRE_MAX_DEPTH);
	RT_SHAPE(&sdeep[0], false);
	free(sdeep);
	sdeep = deep_shape(PLS_WIRE_MAX_DEPTH + 1);
	memset(&d, 0, sizeof(d));
	d.shape = &sdeep[0];
	CHECK(!reads_back(DEC_SHAPE, &d), "a shape 65 deep was read");
	free(sdeep);

	/* strings */
	memset(&d, 0, sizeof(d));
	d.cstr = NULL;
	round_trip(DEC_CSTR, &d, false, __LINE__);
	d.cstr = "";
	round_trip(DEC_CSTR, &d, false, __LINE__);
	d.cstr = "plpy ✓";
	round_trip(DEC_CSTR, &d, false, __LINE__);

	/* records */
	memset(&d, 0, sizeof(d));
	d.init.role = "alice";
	d.init.allowed_modules = "math, json, re";
	d.init.recursion_limit = 200;
	d.init.flags = PLS_INIT_TESTING_UNSANDBOXED;
	d.init.memory_limit_kb = INT32_MAX;
	round_trip(DEC_INIT, &d, true, __LINE__);
	d.init.role = NULL;
	d.init.allowed_modules = "";
	d.init.recursion_limit = -1;
	d.init.flags = 0;
	d.init.memory_limit_kb = 0;
	round_trip(DEC_INIT, &d, false, __LINE__);

	memset(&d, 0, sizeof(d));
	d.call.fn_oid = 16384;
	d.call.fn_gen = UINT64_C(0x0123456789abcdef);
	d.call.flags = PLS_CALL_SOURCE | PLS_CALL_SETOF;
	d.call.name = "f";
	d.call.defname = "__plpython_procedure_f_16384";
	d.call.source = "return [x] * 2\n";
	d.call.nargnames = 3;
	d.call.argnames = argnames;
	d.call.nargs = 2;
	d.call.args = outer;
	d.call.result = &row3;
	d.call.batch = 7;
	d.call.memory_limit_kb = 48 * 1024;
	round_trip(DEC_CALL, &d, true, __LINE__);
	d.call.name = NULL;
	d.call.defname = "";
	d.call.source = "";
	d.call.nargnames = 0;
	d.call.argnames = NULL;
	d.call.flags = PLS_CALL_SOURCE | PLS_CALL_PROCEDURE | PLS_CALL_COMPILE_ONLY;
	d.call.result = NULL;
	round_trip(DEC_CALL, &d, false, __LINE__);
	memset(&d, 0, sizeof(d));
	d.call.flags = PLS_CALL_DO | PLS_CALL_UNSANDBOXED;
	round_trip(DEC_CALL, &d, true, __LINE__);
	d.call.fn_oid = 1;
	d.call.flags = 0;
	d.call.nargs = 1;
	d.call.args = scalars;
	d.call.result = &scal[PLS_S_TEXT];
	round_trip(DEC_CALL, &d, false, __LINE__);

	memset(&d, 0, sizeof(d));
	d.error.sqlerrcode = 0x1234567;
	d.error.message = "division by zero";
	d.error.detail = "";
	d.error.hint = "Try ∞.";
	d.error.context = "PL/Python function \"f\", line 2";
	d.error.schema_name = "public";
	d.error.table_name = "t";
	d.error.column_name = "c";
	d.error.datatype_name = "int4";
	d.error.constraint_name = "t_pkey";
	d.error.query = "select 1/0";
	d.error.position = 9;
	d.error.origin = PLS_ERR_COMPILE;
	round_trip(DEC_ERROR, &d, true, __LINE__);
	memset(&d, 0, sizeof(d));
	round_trip(DEC_ERROR, &d, false, __LINE__);

	/* sets: FETCH, ROWS with each end */
	memset(&d, 0, sizeof(d));
	d.handle = 1;
	d.batch = PLS_WIRE_MAX_BATCH;
	round_trip(DEC_FETCH, &d, true, __LINE__);
	d.handle = UINT32_MAX;
	d.batch = 1;
	round_trip(DEC_FETCH, &d, false, __LINE__);
	memset(&d, 0, sizeof(d));
	d.rows.handle = 3;
	d.rows.nrows = 2;
	d.rows.rows = outer;
	d.rows.end = PLS_ROWS_MORE;
	round_trip(DEC_ROWS, &d, true, __LINE__);
	d.rows.nrows = TEST_MAX_ROWS;
	d.rows.rows = scalars;
	d.rows.end = PLS_ROWS_DONE;
	round_trip(DEC_ROWS, &d, false, __LINE__);
	d.rows.nrows = 0;
	d.rows.end = PLS_ROWS_ERROR;
	d.rows.error.message = "error fetching next item from iterator";
	d.rows.error.detail = "ValueError: boom";
	round_trip(DEC_ROWS, &d, true, __LINE__);
	d.rows.nrows = 1;
	d.rows.end = PLS_ROWS_BAD_ROW;
	round_trip(DEC_ROWS, &d, false, __LINE__);

	/* triggers: a result alone, TD["new"]'s items and each end */
	memset(&d, 0, sizeof(d));
	d.trig.result = PLS_TRIG_SKIP;
	round_trip(DEC_TRIG, &d, false, __LINE__);
	{
		PlsWireTdItem items[3];

		memset(items, 0, sizeof(items));
		items[0].key = "a";
		items[0].has_value = true;
		items[0].value = outer[0];
		items[1].key = "ünï";
		items[1].has_value = true;
		items[1].value = v_kind(PLS_V_NULL);
		items[2].key = "ctid";
		d.trig.result = PLS_TRIG_MODIFY;
		d.trig.items = items;
		d.trig.nitems = 3;
		d.trig.end = PLS_TDNEW_END;
		round_trip(DEC_TRIG, &d, true, __LINE__);
		d.trig.nitems = 1;
		d.trig.end = PLS_TDNEW_CHANGED;
		round_trip(DEC_TRIG, &d, false, __LINE__);
		d.trig.nitems = 2;
		d.trig.end = PLS_TDNEW_ERROR;
		d.trig.error.message = "invalid input";
		round_trip(DEC_TRIG, &d, true, __LINE__);
		d.trig.nitems = 0;
		d.trig.end = PLS_TDNEW_MISSING;
		round_trip(DEC_TRIG, &d, false, __LINE__);
	}

	/* the whitelist view's rows: none, and names in UTF-8 of each kind */
	memset(&d, 0, sizeof(d));
	round_trip(DEC_WHITELIST, &d, false, __LINE__);
	{
		PlsWireWlRow wl[4] = {
			{"json", "dumps", PLS_WL_FUNCTION},
			{"json", "JSONDecodeError", PLS_WL_CLASS},
			{"ünï", "côdé", PLS_WL_CONSTANT},
			{"os", "path", PLS_WL_MODULE},
		};

		d.nwl = 4;
		d.wl = wl;
		round_trip(DEC_WHITELIST, &d, true, __LINE__);
	}

	printf("round trips: %d values, %d shapes, %d strings and records; "
		   "depth %d read, %d refused; 6 dims read; JSON %d deep read, "
		   "%d refused\n",
		   n_values, n_shapes, n_records, PLS_WIRE_MAX_DEPTH,
		   PLS_WIRE_MAX_DEPTH + 1, PLS_JSON_MAX_DEPTH, PLS_JSON_MAX_DEPTH + 1);
}

/* ---------- the writer ---------- */

static void
test_writer(void)
{
	PlsWireBuf	b;
	PLSValue	v;
	PLSValue	elems[2];
	PLSShape	row;
	const PLSShape *atts[1];
	PLSShape	int4 = s_kind(PLS_S_INT4);
	char		big[PLS_CHAN_RING_SIZE];
	int			cases = 0;

	/* the first allocation fails: failed, and nothing is written after */
	arena_reset(&arena, 0);
	pls_wire_buf_init(&b, &amem);
	pls_wire_put_u32(&b, 1);
	CHECK(b.failed && b.len == 0, "first allocation: failed %d len %zu",
		  b.failed, b.len);
	arena_reset(&arena, -1);
	pls_wire_put_u32(&b, 2);
	CHECK(b.failed && b.len == 0 && arena.allocs == 0,
		  "a put after failure wrote or allocated");
	pls_wire_buf_reset(&b);
	CHECK(!b.failed && b.len == 0, "reset does not make the buffer usable");
	pls_wire_put_u32(&b, 3);
	CHECK(!b.failed && b.len == 4, "a put after reset: len %zu", b.len);
	pls_wire_buf_free(&b);
	cases++;

	/* growing fails: the bytes so far stay, later puts do nothing */
	arena_reset(&arena, 1);
	pls_wire_buf_init(&b, &amem);
	memset(big, 'x', sizeof(big));
	pls_wire_put_u8(&b, 1);
	pls_wire_put_bytes(&b, big, sizeof(big));
	/* the length fit in the first block, the bytes did not */
	CHECK(b.failed && b.len == 5, "growing: failed %d len %zu", b.failed, b.len);
	pls_wire_put_u8(&b, 2);
	CHECK(b.len == 5 && arena.allocs == 2, "a put after failure went on");
	pls_wire_buf_free(&b);
	arena_reset(&arena, -1);
	cases++;

	/* values the encoding cannot carry void the buffer */
#define VOIDS(put, what) \
	do { \
		pls_wire_buf_init(&b, &hmem); \
		put; \
		CHECK(b.failed, "%s was written", what); \
		pls_wire_buf_free(&b); \
		cases++; \
	} while (0)
	VOIDS(pls_wire_put_bytes(&b, big, (size_t) UINT32_MAX),
		  "a byte string of 4 GB - 1");
	VOIDS(pls_wire_put_bytes(&b, big, SIZE_MAX), "a byte string of SIZE_MAX");
	elems[0] = v_int(1);
	elems[1] = v_int(2);
	v = v_array(1, (int[]) {2}, elems);
	v.u.array.n = 1;
	VOIDS(pls_wire_put_value(&b, &v), "an array whose n is not its dims' product");
	v = v_array(6, (int[]) {1, 1, 1, 1, 1, 1}, elems);
	v.u.array.ndims = 7;
	VOIDS(pls_wire_put_value(&b, &v), "an array of 7 dims");
	v = v_array(1, (int[]) {-1}, elems);
	v.u.array.n = 0;
	VOIDS(pls_wire_put_value(&b, &v), "a negative dim");
	v = v_kind(PLS_V_PACKED + 1);
	VOIDS(pls_wire_put_value(&b, &v), "an unknown value kind");
	v = v_packed(PLS_P_LAST + 1, 1, (int[]) {1}, NULL, elems);
	VOIDS(pls_wire_put_value(&b, &v), "a packed array of an unknown element");
	v = v_packed(PLS_P_INT4, 0, NULL, NULL, elems);
	VOIDS(pls_wire_put_value(&b, &v), "a packed array of no dims");
	v = v_packed(PLS_P_INT4, 6, (int[]) {1, 1, 1, 1, 1, 1}, NULL, elems);
	v.u.packed.ndims = 7;
	VOIDS(pls_wire_put_value(&b, &v), "a packed array of 7 dims");
	v = v_packed(PLS_P_INT4, 2, (int[]) {1, 0}, NULL, elems);
	VOIDS(pls_wire_put_value(&b, &v), "a packed array with a dim of 0");
	v = v_packed(PLS_P_INT4, 1, (int[]) {2}, NULL, elems);
	v.u.packed.n = 1;
	VOIDS(pls_wire_put_value(&b, &v), "a packed array whose n is not its dims' product");
	row = s_kind(PLS_S_ROW);
	row.rowknown = true;
	row.natts = 1;
	atts[0] = &int4;
	row.atts = atts;
	row.attnames = NULL;
	VOIDS(pls_wire_put_shape(&b, &row), "a present attribute without a name");
	row = s_kind(PLS_S_HSTORE + 1);
	VOIDS(pls_wire_put_shape(&b, &row), "an unknown shape kind");
	row = s_kind(PLS_S_ARRAY);
	VOIDS(pls_wire_put_shape(&b, &row), "an array shape without elements");
#undef VOIDS

	printf("writer: %d failures set failed and stop later puts\n", cases);
}

/* ---------- violations: each refused beside a valid twin ---------- */

/*
 * A builder writes the valid encoding (bad false) or the one with exactly
 * one violation (bad true).
 */
typedef void (*Builder) (PlsWireBuf *b, bool bad);

static void
put_utf8_text(PlsWireBuf *b, uint8_t kind, const char *good, size_t glen,
			  const char *bad, size_t blen, bool isbad)
{
	pls_wire_put_u8(b, kind);
	if (isbad)
		pls_wire_put_bytes(b, bad, blen);
	else
		pls_wire_put_bytes(b, good, glen);
}

static void
b_short_int(PlsWireBuf *b, bool bad)
{
	int64_t		i = 42;

	pls_wire_put_u8(b, PLS_V_INT64);
	for (int k = 0; k < (bad ? 7 : 8); k++)
		pls_wire_put_u8(b, ((unsigned char *) &i)[k]);
}

static void
b_short_text(PlsWireBuf *b, bool bad)
{
	pls_wire_put_u8(b, PLS_V_TEXT);
	pls_wire_put_u32(b, 4);
	pls_wire_put_u8(b, 'a');
	pls_wire_put_u8(b, 'b');
	pls_wire_put_u8(b, 'c');
	if (!bad)
		pls_wire_put_u8(b, 'd');
}

static void
b_value_kind(PlsWireBuf *b, bool bad)
{
	pls_wire_put_u8(b, bad ? PLS_V_PACKED + 1 : PLS_V_NUMERIC);
	pls_wire_put_bytes(b, "1", 1);
}

/* a PACKED array's header: its element, dims and whether it has a bitmap */
static void
put_packed_head(PlsWireBuf *b, uint8_t elem, int ndims, const uint32_t *dims,
				uint8_t hasnulls)
{
	pls_wire_put_u8(b, PLS_V_PACKED);
	pls_wire_put_u8(b, elem);
	pls_wire_put_u8(b, (uint8_t) ndims);
	for (int i = 0; i < ndims; i++)
		pls_wire_put_u32(b, dims[i]);
	pls_wire_put_u8(b, hasnulls);
}

static void
b_packed_elem(PlsWireBuf *b, bool bad)
{
	put_packed_head(b, bad ? PLS_P_LAST + 1 : PLS_P_LAST, 1, (uint32_t[]) {1}, 0);
	pls_wire_put_f64(b, 1.0);
}

static void
b_packed_ndims0(PlsWireBuf *b, bool bad)
{
	put_packed_head(b, PLS_P_BOOL, bad ? 0 : 1, (uint32_t[]) {1}, 0);
	if (!bad)
		pls_wire_put_u8(b, 1);
}

static void
b_packed_ndims7(PlsWireBuf *b, bool bad)
{
	put_packed_head(b, PLS_P_BOOL, bad ? 7 : 6,
					(uint32_t[]) {1, 1, 1, 1, 1, 1, 1}, 0);
	pls_wire_put_u8(b, 1);
}

static void
b_packed_dim0(PlsWireBuf *b, bool bad)
{
	put_packed_head(b, PLS_P_BOOL, 2, (uint32_t[]) {1, bad ? 0 : 1}, 0);
	pls_wire_put_u8(b, 1);
}

/* 16385 x 16384: over PLS_WIRE_MAX_ITEMS, refused before the bitmap is read */
static void
b_packed_items(PlsWireBuf *b, bool bad)
{
	put_packed_head(b, PLS_P_INT8, 2, (uint32_t[]) {bad ? 16385 : 1, 16384}, 1);
	for (int i = 0; i < 16384 / 8; i++)
		pls_wire_put_u8(b, 0);
}

static void
b_packed_flag(PlsWireBuf *b, bool bad)
{
	put_packed_head(b, PLS_P_INT2, 1, (uint32_t[]) {1}, bad ? 2 : 1);
	pls_wire_put_u8(b, 0);
}

/* 9 elements take a bitmap of 2 bytes */
static void
b_packed_bitmap(PlsWireBuf *b, bool bad)
{
	put_packed_head(b, PLS_P_INT2, 1, (uint32_t[]) {9}, 1);
	pls_wire_put_u8(b, 0);
	if (!bad)
		pls_wire_put_u8(b, 0);
}

/* the bitmap says 3 elements are there: 3 x 4 bytes */
static void
b_packed_data(PlsWireBuf *b, bool bad)
{
	put_packed_head(b, PLS_P_INT4, 1, (uint32_t[]) {4}, 1);
	pls_wire_put_u8(b, 0x0B);
	pls_wire_put_u32(b, 1);
	pls_wire_put_u32(b, 2);
	if (bad)
		pls_wire_put_u8(b, 3);
	else
		pls_wire_put_u32(b, 3);
}

/*
 * One int2 is there: as the bitmap says (the bits past n count for
 * nothing), but without one all 3 must be
 */
static void
b_packed_data_nonulls(PlsWireBuf *b, bool bad)
{
	put_packed_head(b, PLS_P_INT2, 1, (uint32_t[]) {3}, bad ? 0 : 1);
	if (!bad)
		pls_wire_put_u8(b, 0xF9);
	pls_wire_put_u8(b, 7);
	pls_wire_put_u8(b, 0);
}

static void
b_value_kind_255(PlsWireBuf *b, bool bad)
{
	pls_wire_put_u8(b, bad ? 255 : PLS_V_NULL);
}

static void
b_shape_kind(PlsWireBuf *b, bool bad)
{
	pls_wire_put_u8(b, bad ? PLS_S_HSTORE + 1 : PLS_S_BYTEA);
}

static void
b_bool(PlsWireBuf *b, bool bad)
{
	pls_wire_put_u8(b, PLS_V_BOOL);
	pls_wire_put_u8(b, bad ? 2 : 1);
}

static void
b_ndims(PlsWireBuf *b, bool bad)
{
	int			nd = bad ? 7 : 6;

	pls_wire_put_u8(b, PLS_V_ARRAY);
	pls_wire_put_u8(b, nd);
	for (int i = 0; i < nd; i++)
		pls_wire_put_u32(b, 1);
	pls_wire_put_u8(b, PLS_V_NULL);
}

/* 65536 x 65536 x 0: the product is 0 once it wraps around 32 bits */
static void
b_dims_wrap32(PlsWireBuf *b, bool bad)
{
	pls_wire_put_u8(b, PLS_V_ARRAY);
	pls_wire_put_u8(b, 3);
	pls_wire_put_u32(b, bad ? 65536 : 0);
	pls_wire_put_u32(b, 65536);
	pls_wire_put_u32(b, bad ? 0 : 65536);
}

/* 65536^4: 0 once it wraps around 64 bits */
static void
b_dims_wrap64(PlsWireBuf *b, bool bad)
{
	pls_wire_put_u8(b, PLS_V_ARRAY);
	pls_wire_put_u8(b, 4);
	for (int i = 0; i < 4; i++)
		pls_wire_put_u32(b, bad ? 65536 : (i == 0 ? 1 : 0));
}

static void
b_dim_huge(PlsWireBuf *b, bool bad)
{
	pls_wire_put_u8(b, PLS_V_ARRAY);
	pls_wire_put_u8(b, 2);
	pls_wire_put_u32(b, 0);
	pls_wire_put_u32(b, bad ? UINT32_MAX : PLS_WIRE_MAX_ITEMS);
}

static void
b_array_count(PlsWireBuf *b, bool bad)
{
	pls_wire_put_u8(b, PLS_V_ARRAY);
	pls_wire_put_u8(b, 1);
	pls_wire_put_u32(b, 5);
	for (int i = 0; i < (bad ? 4 : 5); i++)
		pls_wire_put_u8(b, PLS_V_NULL);
}

static void
b_array_count_huge(PlsWireBuf *b, bool bad)
{
	pls_wire_put_u8(b, PLS_V_ARRAY);
	pls_wire_put_u8(b, 2);
	pls_wire_put_u32(b, bad ? 16384 : 1);
	pls_wire_put_u32(b, bad ? 16384 : 2);
	pls_wire_put_u8(b, PLS_V_NULL);
	pls_wire_put_u8(b, PLS_V_NULL);
}

static void
b_row_count(PlsWireBuf *b, bool bad)
{
	pls_wire_put_u8(b, PLS_V_ROW);
	pls_wire_put_u32(b, bad ? 0x7FFFFFFF : 2);
	pls_wire_put_u8(b, 0);
	pls_wire_put_u8(b, PLS_V_NULL);
	pls_wire_put_u8(b, PLS_V_NULL);
}

static void
b_row_count_int(PlsWireBuf *b, bool bad)
{
	pls_wire_put_u8(b, PLS_V_ROW);
	pls_wire_put_u32(b, bad ? 0x80000000u : 0);
	pls_wire_put_u8(b, 0);
}

/* named: every attribute takes a name's length too */
static void
b_row_named_count(PlsWireBuf *b, bool bad)
{
	pls_wire_put_u8(b, PLS_V_ROW);
	pls_wire_put_u32(b, 2);
	pls_wire_put_u8(b, 1);
	pls_wire_put_cstr(b, "");
	pls_wire_put_cstr(b, "");
	pls_wire_put_u8(b, PLS_V_NULL);
	if (!bad)
		pls_wire_put_u8(b, PLS_V_NULL);
}

static void
b_row_named_flag(PlsWireBuf *b, bool bad)
{
	pls_wire_put_u8(b, PLS_V_ROW);
	pls_wire_put_u32(b, 1);
	pls_wire_put_u8(b, bad ? 2 : 1);
	pls_wire_put_cstr(b, "a");
	pls_wire_put_u8(b, PLS_V_NULL);
}

static void
b_row_name_utf8(PlsWireBuf *b, bool bad)
{
	pls_wire_put_u8(b, PLS_V_ROW);
	pls_wire_put_u32(b, 1);
	pls_wire_put_u8(b, 1);
	pls_wire_put_cstr(b, bad ? "caf\xe9" : "caf\xc3\xa9");
	pls_wire_put_u8(b, PLS_V_NULL);
}

static void
b_text_nul(PlsWireBuf *b, bool bad)
{
	put_utf8_text(b, PLS_V_TEXT, "abc", 3, "a\0c", 3, bad);
}

static void
b_numeric_utf8(PlsWireBuf *b, bool bad)
{
	put_utf8_text(b, PLS_V_NUMERIC, "1.5", 3, "1\xff", 2, bad);
}

static void
b_numeric_nul(PlsWireBuf *b, bool bad)
{
	put_utf8_text(b, PLS_V_NUMERIC, "15", 2, "1\0", 2, bad);
}

/* the same bytes are fine as BYTES */
static void
b_bytes_any(PlsWireBuf *b, bool bad)
{
	pls_wire_put_u8(b, bad ? PLS_V_TEXT : PLS_V_BYTES);
	pls_wire_put_bytes(b, "\0\xff\xc0\xaf", 4);
}

static void
b_cstr_utf8(PlsWireBuf *b, bool bad)
{
	pls_wire_put_cstr(b, bad ? "\xed\xa0\x80" : "\xed\x9f\xbf");
}

static void
b_cstr_nul(PlsWireBuf *b, bool bad)
{
	pls_wire_put_bytes(b, bad ? "a\0" : "ab", 2);
}

static void
b_cstr_len(PlsWireBuf *b, bool bad)
{
	pls_wire_put_u32(b, bad ? 0xFFFFFFFE : 0xFFFFFFFF);
}

static void
b_shape_rowknown(PlsWireBuf *b, bool bad)
{
	pls_wire_put_u8(b, PLS_S_ROW);
	pls_wire_put_u8(b, bad ? 2 : 1);
	pls_wire_put_u32(b, 0);
}

static void
b_shape_unknown_atts(PlsWireBuf *b, bool bad)
{
	pls_wire_put_u8(b, PLS_S_ROW);
	pls_wire_put_u8(b, bad ? 0 : 1);
	pls_wire_put_u32(b, 1);
	pls_wire_put_u8(b, 0);
}

static void
b_shape_present(PlsWireBuf *b, bool bad)
{
	pls_wire_put_u8(b, PLS_S_ROW);
	pls_wire_put_u8(b, 1);
	pls_wire_put_u32(b, 1);
	pls_wire_put_u8(b, bad ? 2 : 1);
	pls_wire_put_cstr(b, "a");
	pls_wire_put_u8(b, PLS_S_INT4);
}

static void
b_shape_name_null(PlsWireBuf *b, bool bad)
{
	pls_wire_put_u8(b, PLS_S_ROW);
	pls_wire_put_u8(b, 1);
	pls_wire_put_u32(b, 1);
	pls_wire_put_u8(b, 1);
	pls_wire_put_cstr(b, bad ? NULL : "");
	pls_wire_put_u8(b, PLS_S_INT4);
}

static void
b_shape_name_utf8(PlsWireBuf *b, bool bad)
{
	pls_wire_put_u8(b, PLS_S_ROW);
	pls_wire_put_u8(b, 1);
	pls_wire_put_u32(b, 1);
	pls_wire_put_u8(b, 1);
	pls_wire_put_cstr(b, bad ? "\xc0\x80" : "\xc2\x80");
	pls_wire_put_u8(b, PLS_S_INT4);
}

static void
b_shape_count(PlsWireBuf *b, bool bad)
{
	pls_wire_put_u8(b, PLS_S_ROW);
	pls_wire_put_u8(b, 1);
	pls_wire_put_u32(b, bad ? 3 : 2);
	pls_wire_put_u8(b, 0);
	pls_wire_put_u8(b, 0);
}

static void
b_init_flags(PlsWireBuf *b, bool bad)
{
	PlsWireInit m = {"r", "math", 100, bad ? 0x02 : 0x01, 0};

	pls_wire_put_init(b, &m);
}

static void
b_init_role(PlsWireBuf *b, bool bad)
{
	PlsWireInit m = {bad ? "r\xf5" : "r\xf4\x8f\xbf\xbf", "", 100, 0, 0};

	pls_wire_put_init(b, &m);
}

static void
b_init_memory(PlsWireBuf *b, bool bad)
{
	PlsWireInit m = {"r", "", 100, 0, bad ? -1 : INT32_MAX};

	pls_wire_put_init(b, &m);
}

static void
put_call_head(PlsWireBuf *b, uint32_t flags)
{
	pls_wire_put_u32(b, 1);
	pls_wire_put_i64(b, 2);
	pls_wire_put_u32(b, flags);
	pls_wire_put_i32(b, 0);
}

static void
b_call_memory(PlsWireBuf *b, bool bad)
{
	pls_wire_put_u32(b, 1);
	pls_wire_put_i64(b, 2);
	pls_wire_put_u32(b, 0);
	pls_wire_put_i32(b, bad ? INT32_MIN : INT32_MAX);
	pls_wire_put_u32(b, 0);
	pls_wire_put_u8(b, 0);
}

static void
b_call_flags(PlsWireBuf *b, bool bad)
{
	put_call_head(b, bad ? 0x80 : PLS_CALL_COMPILE_ONLY);
	pls_wire_put_u32(b, 0);
	pls_wire_put_u8(b, 0);
}

static void
b_call_nargs(PlsWireBuf *b, bool bad)
{
	put_call_head(b, 0);
	pls_wire_put_u32(b, bad ? 0xFFFFFFF0 : 1);
	pls_wire_put_u8(b, PLS_V_NULL);
	pls_wire_put_u8(b, 0);
}

static void
b_call_argnames(PlsWireBuf *b, bool bad)
{
	put_call_head(b, PLS_CALL_SOURCE);
	pls_wire_put_cstr(b, NULL);
	pls_wire_put_cstr(b, NULL);
	pls_wire_put_cstr(b, NULL);
	/* 13 bytes follow: room for the lengths of 3 names, not of 4 */
	pls_wire_put_u32(b, bad ? 4 : 2);
	pls_wire_put_cstr(b, NULL);
	pls_wire_put_cstr(b, "");
	pls_wire_put_u32(b, 0);
	pls_wire_put_u8(b, 0);
}

static void
b_call_result_flag(PlsWireBuf *b, bool bad)
{
	put_call_head(b, 0);
	pls_wire_put_u32(b, 0);
	pls_wire_put_u8(b, bad ? 2 : 1);
	pls_wire_put_u8(b, PLS_S_TEXT);
}

static void
b_call_source_utf8(PlsWireBuf *b, bool bad)
{
	put_call_head(b, PLS_CALL_SOURCE);
	pls_wire_put_cstr(b, "f");
	pls_wire_put_cstr(b, "f_1");
	pls_wire_put_cstr(b, bad ? "return '\x80'" : "return '\xc2\x80'");
	pls_wire_put_u32(b, 0);
	pls_wire_put_u32(b, 0);
	pls_wire_put_u8(b, 0);
}

static void
b_call_batch(PlsWireBuf *b, bool bad)
{
	put_call_head(b, PLS_CALL_SETOF);
	pls_wire_put_u32(b, 0);
	pls_wire_put_u8(b, 1);
	pls_wire_put_u8(b, PLS_S_TEXT);
	pls_wire_put_u32(b, bad ? PLS_WIRE_MAX_BATCH + 1 : PLS_WIRE_MAX_BATCH);
}

static void
b_call_batch_zero(PlsWireBuf *b, bool bad)
{
	put_call_head(b, PLS_CALL_SETOF);
	pls_wire_put_u32(b, 0);
	pls_wire_put_u8(b, 0);
	pls_wire_put_u32(b, bad ? 0 : 1);
}

static void
b_fetch_handle(PlsWireBuf *b, bool bad)
{
	pls_wire_put_fetch(b, bad ? 0 : 1, 1);
}

static void
b_fetch_batch(PlsWireBuf *b, bool bad)
{
	pls_wire_put_fetch(b, 1, bad ? 0 : 1);
}

static void
b_rows_handle(PlsWireBuf *b, bool bad)
{
	pls_wire_put_u32(b, bad ? 0 : 1);
	pls_wire_put_rows_end(b, PLS_ROWS_DONE, NULL);
}

/* one row more than the reader asked for */
static void
b_rows_count(PlsWireBuf *b, bool bad)
{
	PLSValue	v = v_kind(PLS_V_NULL);

	pls_wire_put_u32(b, 1);
	for (int i = 0; i < TEST_MAX_ROWS + (bad ? 1 : 0); i++)
		pls_wire_put_row(b, &v);
	pls_wire_put_rows_end(b, PLS_ROWS_MORE, NULL);
}

static void
b_rows_end(PlsWireBuf *b, bool bad)
{
	pls_wire_put_u32(b, 1);
	pls_wire_put_u8(b, bad ? PLS_ROWS_BAD_ROW + 1 : PLS_ROWS_DONE);
}

static void
b_trig_result(PlsWireBuf *b, bool bad)
{
	pls_wire_put_u8(b, bad ? PLS_TRIG_NOT_STRING + 1 : PLS_TRIG_NOT_STRING);
}

/* a key without a column must be the last item */
static void
b_trig_after_key(PlsWireBuf *b, bool bad)
{
	PLSValue	v = v_kind(PLS_V_NULL);

	pls_wire_put_u8(b, PLS_TRIG_MODIFY);
	pls_wire_put_td_item(b, "nocolumn", NULL);
	if (bad)
		pls_wire_put_td_item(b, "a", &v);
	pls_wire_put_td_end(b, PLS_TDNEW_END, NULL);
}

static void
b_trig_end(PlsWireBuf *b, bool bad)
{
	pls_wire_put_u8(b, PLS_TRIG_MODIFY);
	pls_wire_put_u8(b, bad ? PLS_TDNEW_ERROR + 1 : PLS_TDNEW_CHANGED);
}

static void
b_trig_key_null(PlsWireBuf *b, bool bad)
{
	pls_wire_put_u8(b, PLS_TRIG_MODIFY);
	pls_wire_put_u8(b, PLS_TDNEW_KEY);
	pls_wire_put_cstr(b, bad ? NULL : "k");
	pls_wire_put_u8(b, PLS_TDNEW_END);
}

/* a count the bytes left cannot hold (a row takes at least 9) */
static void
b_wl_count(PlsWireBuf *b, bool bad)
{
	pls_wire_put_u32(b, bad ? 2 : 1);
	pls_wire_put_wl_row(b, "m", "n", PLS_WL_CLASS);
}

static void
b_wl_kind(PlsWireBuf *b, bool bad)
{
	pls_wire_put_u32(b, 1);
	pls_wire_put_wl_row(b, "m", "n", bad ? PLS_WL_END : PLS_WL_CONSTANT);
}

static void
b_wl_empty(PlsWireBuf *b, bool bad)
{
	pls_wire_put_u32(b, 1);
	pls_wire_put_wl_row(b, "m", bad ? "" : "n", PLS_WL_MODULE);
}

static void
b_wl_null(PlsWireBuf *b, bool bad)
{
	pls_wire_put_u32(b, 1);
	pls_wire_put_wl_row(b, bad ? NULL : "m", "n", PLS_WL_MODULE);
}

static void
b_wl_after(PlsWireBuf *b, bool bad)
{
	pls_wire_put_u32(b, 1);
	pls_wire_put_wl_row(b, "m", "n", PLS_WL_FUNCTION);
	if (bad)
		pls_wire_put_u8(b, 0);
}

static void
b_error_origin(PlsWireBuf *b, bool bad)
{
	PlsWireError m;

	memset(&m, 0, sizeof(m));
	m.message = "boom";
	m.origin = bad ? PLS_ERR_RESULT + 1 : PLS_ERR_RESULT;
	pls_wire_put_error(b, &m);
}

static void
b_error_position(PlsWireBuf *b, bool bad)
{
	PlsWireError m;

	memset(&m, 0, sizeof(m));
	m.message = "boom";
	m.query = "select x";
	m.position = bad ? -1 : 8;
	pls_wire_put_error(b, &m);
}

static void
b_error_query(PlsWireBuf *b, bool bad)
{
	PlsWireError m;

	memset(&m, 0, sizeof(m));
	m.message = "boom";
	m.query = bad ? "select '\xc3'" : "select '\xc3\xa9'";
	pls_wire_put_error(b, &m);
}

static void
b_error_detail(PlsWireBuf *b, bool bad)
{
	PlsWireError m;

	memset(&m, 0, sizeof(m));
	m.message = "boom";
	m.detail = bad ? "\xe2\x82" : "\xe2\x82\xac";
	pls_wire_put_error(b, &m);
}

/* A JSON value of the tokens of spec (json_tokens). */
static void
put_json(PlsWireBuf *b, const char *spec)
{
	PlsWireBuf	t;

	pls_wire_buf_init(&t, &hmem);
	json_tokens(&t, spec);
	pls_wire_put_u8(b, PLS_V_JSON);
	pls_wire_put_bytes(b, t.data, t.len);
	pls_wire_buf_free(&t);
}

#define JSON_BUILDER(name, good, bad) \
	static void name(PlsWireBuf *b, bool isbad) \
	{ \
		put_json(b, isbad ? (bad) : (good)); \
	}

JSON_BUILDER(b_json_tag, "[ n ]", "[ x ]")
JSON_BUILDER(b_json_empty, "n", "")
JSON_BUILDER(b_json_two, "[ n n ]", "n n")
JSON_BUILDER(b_json_after_end, "[ ]", "[ ] ]")
JSON_BUILDER(b_json_unclosed, "[ { s=a [ ] } ]", "[ { s=a [ ] }")
JSON_BUILDER(b_json_crossed, "[ { } ]", "[ { ] }")
JSON_BUILDER(b_json_end_alone, "n", "}")
JSON_BUILDER(b_json_key_kind, "{ s=1 n }", "{ d=1 n }")
JSON_BUILDER(b_json_key_container, "{ s=a [ ] }", "{ [ ] [ ] }")
JSON_BUILDER(b_json_no_value, "{ s=a n }", "{ s=a }")
JSON_BUILDER(b_json_string_utf8, "[ s=caf\xc3\xa9 ]", "[ s=caf\xe9 ]")
JSON_BUILDER(b_json_key_utf8, "{ s=\xed\x9f\xbf n }", "{ s=\xed\xa0\x80 n }")
JSON_BUILDER(b_json_number_utf8, "d=1", "d=1\xff")

/* a string token's length past the value's bytes, or a NUL in it */
static void
put_json_string(PlsWireBuf *b, uint32_t len, const char *s, size_t slen)
{
	PlsWireBuf	t;

	pls_wire_buf_init(&t, &hmem);
	pls_wire_put_u8(&t, PLS_J_STRING);
	pls_wire_put_u32(&t, len);
	for (size_t i = 0; i < slen; i++)
		pls_wire_put_u8(&t, (uint8_t) s[i]);
	pls_wire_put_u8(b, PLS_V_JSON);
	pls_wire_put_bytes(b, t.data, t.len);
	pls_wire_buf_free(&t);
}

static void
b_json_string_len(PlsWireBuf *b, bool bad)
{
	put_json_string(b, bad ? 3 : 2, "ab", 2);
}

static void
b_json_string_nul(PlsWireBuf *b, bool bad)
{
	put_json_string(b, 2, bad ? "a\0" : "ab", 2);
}

/* one container deeper than PLS_JSON_MAX_DEPTH */
static void
b_json_depth(PlsWireBuf *b, bool bad)
{
	PlsWireBuf	t;

	pls_wire_buf_init(&t, &hmem);
	json_deep(&t, PLS_JSON_MAX_DEPTH + (bad ? 1 : 0), false);
	pls_wire_put_u8(b, PLS_V_JSON);
	pls_wire_put_bytes(b, t.data, t.len);
	pls_wire_buf_free(&t);
}

/* a value nested one deeper than allowed, inside an array */
static void
b_depth(PlsWireBuf *b, bool bad)
{
	int			levels = bad ? PLS_WIRE_MAX_DEPTH : PLS_WIRE_MAX_DEPTH - 1;

	for (int i = 0; i < levels; i++)
	{
		pls_wire_put_u8(b, PLS_V_ARRAY);
		pls_wire_put_u8(b, 1);
		pls_wire_put_u32(b, 1);
	}
	pls_wire_put_u8(b, PLS_V_NULL);
}

typedef struct Violation
{
	const char *what;
	Dec			dec;
	Builder		build;
	bool		no_alloc;		/* refused before anything is allocated */
} Violation;

static const Violation violations[] = {
	{"short fixed-width field", DEC_VALUE, b_short_int, true},
	{"string longer than the buffer", DEC_VALUE, b_short_text, true},
	{"unknown value kind", DEC_VALUE, b_value_kind, true},
	{"value kind 255", DEC_VALUE, b_value_kind_255, true},
	{"unknown shape kind", DEC_SHAPE, b_shape_kind, true},
	{"bool 2", DEC_VALUE, b_bool, true},
	{"7 dims", DEC_VALUE, b_ndims, true},
	{"packed: unknown element", DEC_VALUE, b_packed_elem, true},
	{"packed: 0 dims", DEC_VALUE, b_packed_ndims0, true},
	{"packed: 7 dims", DEC_VALUE, b_packed_ndims7, true},
	{"packed: a dim of 0", DEC_VALUE, b_packed_dim0, true},
	{"packed: dims over PLS_WIRE_MAX_ITEMS", DEC_VALUE, b_packed_items, true},
	{"packed: nulls flag 2", DEC_VALUE, b_packed_flag, true},
	{"packed: bitmap cut short", DEC_VALUE, b_packed_bitmap, true},
	{"packed: elements cut short", DEC_VALUE, b_packed_data, true},
	{"packed: no bitmap, so every element", DEC_VALUE, b_packed_data_nonulls, true},
	{"dims whose product wraps at 32 bits", DEC_VALUE, b_dims_wrap32, true},
	{"dims whose product wraps at 64 bits", DEC_VALUE, b_dims_wrap64, true},
	{"a dim over PLS_WIRE_MAX_ITEMS", DEC_VALUE, b_dim_huge, true},
	{"array count one over the bytes left", DEC_VALUE, b_array_count, true},
	{"array count 2^28 in a few bytes", DEC_VALUE, b_array_count_huge, true},
	{"depth 65 inside arrays", DEC_VALUE, b_depth, false},
	{"row count over the bytes left", DEC_VALUE, b_row_count, true},
	{"row count over INT_MAX", DEC_VALUE, b_row_count_int, true},
	{"named row count over the bytes left", DEC_VALUE, b_row_named_count, true},
	{"row named flag 2", DEC_VALUE, b_row_named_flag, true},
	{"row name not UTF-8", DEC_VALUE, b_row_name_utf8, false},
	{"NUL in TEXT", DEC_VALUE, b_text_nul, true},
	{"NUMERIC not UTF-8", DEC_VALUE, b_numeric_utf8, true},
	{"NUL in NUMERIC", DEC_VALUE, b_numeric_nul, true},
	{"BYTES take any byte, TEXT not", DEC_VALUE, b_bytes_any, true},
	{"JSON unknown token", DEC_VALUE, b_json_tag, true},
	{"JSON without a value", DEC_VALUE, b_json_empty, true},
	{"JSON two values", DEC_VALUE, b_json_two, true},
	{"JSON token after the value", DEC_VALUE, b_json_after_end, true},
	{"JSON container not closed", DEC_VALUE, b_json_unclosed, true},
	{"JSON containers closed crosswise", DEC_VALUE, b_json_crossed, true},
	{"JSON end without a container", DEC_VALUE, b_json_end_alone, true},
	{"JSON key a number", DEC_VALUE, b_json_key_kind, true},
	{"JSON key a container", DEC_VALUE, b_json_key_container, true},
	{"JSON key without a value", DEC_VALUE, b_json_no_value, true},
	{"JSON string not UTF-8", DEC_VALUE, b_json_string_utf8, true},
	{"JSON key a surrogate", DEC_VALUE, b_json_key_utf8, true},
	{"JSON number not UTF-8", DEC_VALUE, b_json_number_utf8, true},
	{"JSON string longer than its value", DEC_VALUE, b_json_string_len, true},
	{"JSON string with a NUL", DEC_VALUE, b_json_string_nul, true},
	{"JSON nested one container too deep", DEC_VALUE, b_json_depth, true},
	{"string with a surrogate", DEC_CSTR, b_cstr_utf8, true},
	{"string with a NUL", DEC_CSTR, b_cstr_nul, true},
	{"string length 0xFFFFFFFE", DEC_CSTR, b_cstr_len, true},
	{"shape rowknown 2", DEC_SHAPE, b_shape_rowknown, false},
	{"unknown row shape with attributes", DEC_SHAPE, b_shape_unknown_atts, false},
	{"shape attribute present 2", DEC_SHAPE, b_shape_present, false},
	{"shape attribute without a name", DEC_SHAPE, b_shape_name_null, false},
	{"shape attribute name overlong", DEC_SHAPE, b_shape_name_utf8, false},
	{"shape count over the bytes left", DEC_SHAPE, b_shape_count, false},
	{"unknown INIT flag", DEC_INIT, b_init_flags, false},
	{"INIT role above U+10FFFF", DEC_INIT, b_init_role, false},
	{"INIT memory limit negative", DEC_INIT, b_init_memory, false},
	{"CALL memory limit negative", DEC_CALL, b_call_memory, true},
	{"unknown CALL flag", DEC_CALL, b_call_flags, true},
	{"CALL nargs over the bytes left", DEC_CALL, b_call_nargs, true},
	{"CALL argnames over the bytes left", DEC_CALL, b_call_argnames, true},
	{"CALL result flag 2", DEC_CALL, b_call_result_flag, true},
	{"CALL source not UTF-8", DEC_CALL, b_call_source_utf8, false},
	{"CALL batch over PLS_WIRE_MAX_BATCH", DEC_CALL, b_call_batch, false},
	{"CALL batch 0", DEC_CALL, b_call_batch_zero, true},
	{"FETCH handle 0", DEC_FETCH, b_fetch_handle, true},
	{"FETCH batch 0", DEC_FETCH, b_fetch_batch, true},
	{"ROWS handle 0", DEC_ROWS, b_rows_handle, true},
	{"ROWS with more rows than asked for", DEC_ROWS, b_rows_count, false},
	{"ROWS end unknown", DEC_ROWS, b_rows_end, true},
	{"trigger result unknown", DEC_TRIG, b_trig_result, true},
	{"TD[\"new\"] item after a key without a column", DEC_TRIG, b_trig_after_key, false},
	{"TD[\"new\"] end unknown", DEC_TRIG, b_trig_end, true},
	{"TD[\"new\"] key NULL", DEC_TRIG, b_trig_key_null, false},
	{"whitelist count over the bytes left", DEC_WHITELIST, b_wl_count, true},
	{"whitelist kind unknown", DEC_WHITELIST, b_wl_kind, false},
	{"whitelist name empty", DEC_WHITELIST, b_wl_empty, false},
	{"whitelist module NULL", DEC_WHITELIST, b_wl_null, false},
	{"whitelist bytes after the last row", DEC_WHITELIST, b_wl_after, false},
	{"error origin unknown", DEC_ERROR, b_error_origin, false},
	{"error detail cut inside a character", DEC_ERROR, b_error_detail, false},
	{"error position negative", DEC_ERROR, b_error_position, false},
	{"error query not UTF-8", DEC_ERROR, b_error_query, false},
};

/* invalid UTF-8 in TEXT, one sequence at a time, each beside a valid one */
static const struct
{
	const char *bad;
	const char *good;
}			utf8_cases[] = {
	{"\x80", "\xc2\x80"},		/* stray continuation byte */
	{"\xc3", "\xc3\xa9"},		/* cut short */
	{"\xc3(", "\xc3\xa9("},		/* continuation missing */
	{"\xc0\xaf", "/"},			/* overlong / */
	{"\xc1\xbf", "\x7f"},		/* overlong DEL */
	{"\xe0\x80\xaf", "\xe0\xa0\x80"},	/* overlong, 3 bytes */
	{"\xf0\x80\x80\xaf", "\xf0\x90\x80\x80"},	/* overlong, 4 bytes */
	{"\xed\xa0\x80", "\xed\x9f\xbf"},	/* surrogate U+D800 */
	{"\xed\xbf\xbf", "\xee\x80\x80"},	/* surrogate U+DFFF */
	{"\xf4\x90\x80\x80", "\xf4\x8f\xbf\xbf"},	/* above U+10FFFF */
	{"\xf5\x80\x80\x80", "\xf4\x80\x80\x80"},	/* lead byte F5 */
	{"\xff", "y"},
	{"\xe2\x82", "\xe2\x82\xac"},	/* euro sign cut short */
	{"\xe2\x82\x2c", "\xe2\x82\xac"},	/* bad third byte */
	{"\xf0\x9f\x98", "\xf0\x9f\x98\x80"},	/* emoji cut short */
};

/* Decode good (must read whole) and bad (must be refused). */
static void
check_pair(const char *what, Dec dec, const PlsWireBuf *good,
		   const PlsWireBuf *bad, bool no_alloc)
{
	bool		done;
	bool		ok;

	CHECK(!good->failed && !bad->failed, "%s: builder failed", what);
	ok = try_decode(dec, good->data, good->len, -1, NULL, &done);
	CHECK(ok && done, "%s: the valid twin is refused", what);
	arena_reset(&arena, -1);
	{
		PlsWireReader r;
		Decoded		d;
		unsigned char *copy = malloc(bad->len);

		memcpy(copy, bad->data, bad->len);
		memset(&d, 0, sizeof(d));
		pls_wire_reader_init(&r, copy, bad->len, &amem);
		ok = decode(dec, &r, &d);
		CHECK(!ok && r.bad, "%s: accepted (ok %d, bad %d)", what, ok, r.bad);
		CHECK(!no_alloc || arena.allocs == 0,
			  "%s: %ld allocations before refusing", what, arena.allocs);
		/* once bad, every get fails, even on good bytes */
		{
			uint8_t		u;

			r.p = good->data;
			r.left = good->len;
			CHECK(!pls_wire_get_u8(&r, &u) && !pls_wire_done(&r),
				  "%s: a get after a violation succeeded", what);
		}
		free(copy);
		arena_reset(&arena, -1);
	}
}

/* dims of 2^28 + 1 elements with as many bytes left: MAX_ITEMS alone refuses */
static void
check_max_items(void)
{
	size_t		len = (size_t) PLS_WIRE_MAX_ITEMS + 64;
	unsigned char *buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
							  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	PlsWireReader r;
	PLSValue	v;
	uint32_t	dims[2] = {16385, 16384};
	bool		ok;

	if (buf == MAP_FAILED)
	{
		CHECK(false, "mmap: %s", strerror(errno));
		return;
	}
	/* the rest is zero bytes: PLS_V_NULL values */
	buf[0] = PLS_V_ARRAY;
	buf[1] = 2;
	memcpy(buf + 2, dims, sizeof(dims));
	arena_reset(&arena, -1);
	pls_wire_reader_init(&r, buf, len, &amem);
	ok = pls_wire_get_value(&r, &v);
	CHECK(!ok && r.bad && arena.allocs == 0,
		  "2^28 + 16384 elements, bytes enough: ok %d, %ld allocations", ok,
		  arena.allocs);
	/* one dim over the maximum, the other 0: each dim is bounded too */
	dims[0] = 0;
	dims[1] = PLS_WIRE_MAX_ITEMS + 1;
	memcpy(buf + 2, dims, sizeof(dims));
	pls_wire_reader_init(&r, buf, len, &amem);
	ok = pls_wire_get_value(&r, &v);
	CHECK(!ok && r.bad, "a dim of 2^28 + 1 was read");
	munmap(buf, len);
}

/* Every allocation of each seed's decoding fails in turn: refused cleanly. */
static int
check_alloc_failures(void)
{
	int			n = 0;

	for (int s = 0; s < n_seeds; s++)
	{
		for (long k = 0;; k++)
		{
			bool		done;
			bool		ok = try_decode(seeds[s].dec, seeds[s].data,
										seeds[s].len, k, NULL, &done);

			if (ok)
			{
				CHECK(done, "seed %d: read part only", s);
				break;
			}
			n++;
		}
	}
	return n;
}

static void
test_violations(void)
{
	int			n = 0;
	int			nalloc;

	for (size_t i = 0; i < sizeof(violations) / sizeof(violations[0]); i++)
	{
		PlsWireBuf	good;
		PlsWireBuf	bad;

		pls_wire_buf_init(&good, &hmem);
		pls_wire_buf_init(&bad, &hmem);
		violations[i].build(&good, false);
		violations[i].build(&bad, true);
		check_pair(violations[i].what, violations[i].dec, &good, &bad,
				   violations[i].no_alloc);
		pls_wire_buf_free(&good);
		pls_wire_buf_free(&bad);
		n++;
	}
	for (size_t i = 0; i < sizeof(utf8_cases) / sizeof(utf8_cases[0]); i++)
	{
		PlsWireBuf	good;
		PlsWireBuf	bad;
		char		what[64];

		pls_wire_buf_init(&good, &hmem);
		pls_wire_buf_init(&bad, &hmem);
		put_utf8_text(&good, PLS_V_TEXT, utf8_cases[i].good,
					  strlen(utf8_cases[i].good), NULL, 0, false);
		put_utf8_text(&bad, PLS_V_TEXT, NULL, 0, utf8_cases[i].bad,
					  strlen(utf8_cases[i].bad), true);
		snprintf(what, sizeof(what), "TEXT not UTF-8 (case %zu)", i);
		check_pair(what, DEC_VALUE, &good, &bad, true);
		pls_wire_buf_free(&good);
		pls_wire_buf_free(&bad);
		n++;
	}
	check_max_items();
	n++;
	{
		/* bytes left over: read, but not done */
		unsigned char two[2] = {PLS_V_NULL, PLS_V_NULL};
		size_t		used;
		bool		done;

		CHECK(try_decode(DEC_VALUE, two, 2, -1, &used, &done) && used == 1 &&
			  !done, "bytes left over count as done");
		n++;
	}
	nalloc = check_alloc_failures();
	printf("violations: %d refused beside their valid twins; "
		   "%d allocation failures refused\n", n, nalloc);
}

/* ---------- fuzz ---------- */

#define FUZZ_ITERATIONS 300000

static void
mutate(unsigned char *buf, size_t *len, size_t cap)
{
	static const uint32_t huge[] = {
		0xFFFFFFFF, 0xFFFFFFFE, 0x80000000, 0x7FFFFFFF, 0x10000000,
		0x10000001, 0x0FFFFFFF, 0x00010000, 0x40000000
	};
	int			ops = 1 + rnd_below(3);

	for (int k = 0; k < ops; k++)
	{
		switch (rnd_below(6))
		{
			case 0:				/* bit flips */
				for (int i = 1 + rnd_below(4); i > 0 && *len > 0; i--)
					buf[rnd_below(*len)] ^= 1 << rnd_below(8);
				break;
			case 1:				/* truncation */
				if (*len > 0)
					*len = rnd_below(*len);
				break;
			case 2:				/* random bytes */
				for (int i = 1 + rnd_below(8); i > 0 && *len > 0; i--)
					buf[rnd_below(*len)] = (unsigned char) rnd();
				break;
			case 3:				/* a huge or off-by-one length */
				if (*len >= 4)
				{
					uint32_t	v = rnd_below(2) ? huge[rnd_below(9)] :
						(uint32_t) (*len + rnd_below(3) - 1);

					memcpy(buf + rnd_below(*len - 3), &v, 4);
				}
				break;
			case 4:				/* a slice repeated */
				if (*len > 0 && *len < cap / 2)
				{
					size_t		from = rnd_below(*len);
					size_t		n = 1 + rnd_below(*len - from);
					size_t		at = rnd_below(*len + 1);
					unsigned char *slice = malloc(n);

					memcpy(slice, buf + from, n);
					memmove(buf + at + n, buf + at, *len - at);
					memcpy(buf + at, slice, n);
					free(slice);
					*len += n;
				}
				break;
			case 5:				/* random bytes only */
				*len = rnd_below(64);
				for (size_t i = 0; i < *len; i++)
					buf[i] = (unsigned char) rnd();
				break;
		}
	}
}

static void
test_fuzz(void)
{
	long		accepted = 0;
	long		refused = 0;
	long		truncations = 0;
	size_t		cap = 1 << 16;
	unsigned char *buf = malloc(cap);

	/* truncation at every length */
	for (int s = 0; s < n_seeds; s++)
		for (size_t len = 0; len < seeds[s].len; len++)
		{
			CHECK(!try_decode(seeds[s].dec, seeds[s].data, len, -1, NULL, NULL),
				  "seed %d cut at %zu accepted", s, len);
			truncations++;
		}

	for (long it = 0; it < FUZZ_ITERATIONS; it++)
	{
		int			s = rnd_below(n_seeds);
		size_t		len = seeds[s].len;
		Dec			dec = seeds[s].dec;
		long		fail_at = -1;

		memcpy(buf, seeds[s].data, len);
		mutate(buf, &len, cap);
		/* now and then the wrong decoder, or an allocation that fails */
		if (rnd_below(8) == 0)
			dec = (Dec) rnd_below(DEC_COUNT);
		if (rnd_below(16) == 0)
			fail_at = rnd_below(8);
		if (try_decode(dec, buf, len, fail_at, NULL, NULL))
			accepted++;
		else
			refused++;
	}
	free(buf);
	printf("fuzz: %d mutations (%ld accepted, %ld refused), "
		   "%ld truncations refused\n", FUZZ_ITERATIONS, accepted, refused,
		   truncations);
}

/* ---------- over a real channel ---------- */

#define CHAN_WAIT_MS 10000

typedef struct Peer
{
	pid_t		pid;
	PlsChanShm *shm;
	int			sock;
	int			sync;			/* the write end of the peer's go-ahead pipe */
	PlsChan		chan;
} Peer;

typedef void (*PeerMain) (PlsChan *chan, int sync);

/* A shared segment, a socketpair and a forked peer on the worker's side. */
static bool
peer_start(Peer *p, PeerMain fn)
{
	int			sv[2];
	int			pipefd[2];

	p->shm = mmap(NULL, sizeof(PlsChanShm), PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p->shm == MAP_FAILED || socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) != 0 ||
		pipe(pipefd) != 0)
	{
		CHECK(false, "channel set-up: %s", strerror(errno));
		exit(1);
	}
	pls_chan_init_shm(p->shm);
	fflush(stdout);
	fflush(stderr);
	p->pid = fork();
	if (p->pid < 0)
	{
		CHECK(false, "fork: %s", strerror(errno));
		exit(1);
	}
	if (p->pid == 0)
	{
		PlsChan		c;

		failures = 0;			/* the peer's own checks only */
		close(sv[0]);
		close(pipefd[1]);
		if (pls_chan_attach(&c, p->shm, sv[1], PLS_CHAN_WORKER) != PLS_CHAN_OK)
			_exit(90);
		fn(&c, pipefd[0]);
		_exit(failures ? 91 : 0);
	}
	close(sv[1]);
	close(pipefd[0]);
	p->sock = sv[0];
	p->sync = pipefd[1];
	return pls_chan_attach(&p->chan, p->shm, p->sock, PLS_CHAN_BACKEND) ==
		PLS_CHAN_OK;
}

/* End the peer (killing it if asked) and return how it ended. */
static int
peer_end(Peer *p, bool kill_it)
{
	int			status = 0;

	if (kill_it)
		kill(p->pid, SIGKILL);
	close(p->sock);
	close(p->sync);
	waitpid(p->pid, &status, 0);
	munmap(p->shm, sizeof(PlsChanShm));
	return status;
}

static void
peer_go(int sync)
{
	char		c;

	if (read(sync, &c, 1) != 1)
		_exit(92);
}

static void
fill(unsigned char *p, size_t len, uint64_t seed)
{
	uint64_t	x = seed * 2654435761u + 1;

	for (size_t i = 0; i < len; i++)
	{
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (unsigned char) x;
	}
}

/* Echo every PING back as a PONG; an ERROR message ends it. */
static void
peer_echo(PlsChan *chan, int sync)
{
	PlsWireRecv rv;

	pls_wire_recv_init(&rv, &hmem);
	for (;;)
	{
		uint32_t	tag;
		int			rc = pls_wire_recv(chan, &rv, &tag, 6 << 20, CHAN_WAIT_MS);

		if (rc != PLS_CHAN_OK)
		{
			/* tell the other side what happened, then stop */
			PlsWireBuf	b;
			const char *msg = pls_chan_strerror(rc);

			pls_wire_buf_init(&b, &hmem);
			pls_wire_put_cstr(&b, msg);
			pls_wire_send(chan, PLS_MSG_ERROR, &b, CHAN_WAIT_MS);
			pls_wire_buf_free(&b);
			_exit(0);
		}
		if (tag == PLS_MSG_ERROR)
			_exit(0);
		if (pls_wire_send(chan, PLS_MSG_PONG, &rv.buf, CHAN_WAIT_MS) != PLS_CHAN_OK)
			_exit(93);
	}
}

/* Send a message of len bytes from a fixed pattern. */
static int
send_pattern(PlsChan *chan, uint32_t tag, size_t len, uint64_t seed)
{
	PlsWireBuf	b;
	int			rc;

	pls_wire_buf_init(&b, &hmem);
	b.data = malloc(len ? len : 1);
	b.cap = len;
	b.len = len;
	fill(b.data, len, seed);
	rc = pls_wire_send(chan, tag, &b, CHAN_WAIT_MS);
	pls_wire_buf_free(&b);
	return rc;
}

/* Was the message received the pattern of len bytes? */
static bool
is_pattern(const PlsWireBuf *b, size_t len, uint64_t seed)
{
	unsigned char *want = malloc(len ? len : 1);
	bool		same;

	fill(want, len, seed);
	same = b->len == len && !b->failed &&
		(len == 0 || memcmp(b->data, want, len) == 0);
	free(want);
	return same;
}

/* 1 MB exactly, then 1 MB + 1: the backend reads both with max_len 1 MB. */
static void
peer_big(PlsChan *chan, int sync)
{
	send_pattern(chan, PLS_MSG_RETURN, 1 << 20, 1);
	send_pattern(chan, PLS_MSG_RETURN, (1 << 20) + 1, 2);
	peer_go(sync);
}

/* A hostile peer: full MORE frames, forever. */
static void
peer_more_forever(PlsChan *chan, int sync)
{
	static unsigned char frame[PLS_CHAN_MAX_PAYLOAD];

	while (pls_chan_send(chan, PLS_MSG_MORE, frame, sizeof(frame),
						 CHAN_WAIT_MS) == PLS_CHAN_OK)
		;
}

/* Framings a sender never makes, then one good message. */
static void
peer_bad_frames(PlsChan *chan, int sync)
{
	static unsigned char frame[PLS_CHAN_MAX_PAYLOAD];

	pls_chan_send(chan, PLS_MSG_MORE, frame, 100, CHAN_WAIT_MS);
	pls_chan_send(chan, PLS_MSG_MORE, frame, 0, CHAN_WAIT_MS);
	pls_chan_send(chan, PLS_MSG_MORE, frame, sizeof(frame), CHAN_WAIT_MS);
	pls_chan_send(chan, PLS_MSG_RETURN, frame, 0, CHAN_WAIT_MS);
	pls_chan_send(chan, PLS_MSG_RETURN, "ok", 2, CHAN_WAIT_MS);
	peer_go(sync);
}

/* Twice: a first fragment, then the rest once the backend says so. */
static void
peer_pause(PlsChan *chan, int sync)
{
	unsigned char *msg = malloc(PLS_CHAN_MAX_PAYLOAD + 5);

	for (int round = 0; round < 2; round++)
	{
		fill(msg, PLS_CHAN_MAX_PAYLOAD + 5, 10 + round);
		if (pls_chan_send(chan, PLS_MSG_MORE, msg, PLS_CHAN_MAX_PAYLOAD,
						  CHAN_WAIT_MS) != PLS_CHAN_OK)
			_exit(94);
		peer_go(sync);
		if (pls_chan_send(chan, PLS_MSG_RAISE, msg + PLS_CHAN_MAX_PAYLOAD, 5,
						  CHAN_WAIT_MS) != PLS_CHAN_OK)
			_exit(95);
	}
	free(msg);
}

static void
on_alarm(int signo)
{
}

static bool
exited_ok(int status)
{
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static bool
was_killed(int status)
{
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

static void
test_channel(void)
{
	static const size_t sizes[] = {
		0, 1, PLS_CHAN_MAX_PAYLOAD, PLS_CHAN_MAX_PAYLOAD + 1,
		2 * PLS_CHAN_MAX_PAYLOAD, 1 << 20, 5 << 20
	};
	int			nsizes = sizeof(sizes) / sizeof(sizes[0]);
	Peer		p;
	PlsWireRecv rv;
	uint32_t	tag;
	int			rc;
	int			status;
	char	   *text;
	PlsWireReader r;
	PlsWireBuf	b;
	struct sigaction sa;
	struct itimerval tv;

	pls_wire_recv_init(&rv, &hmem);

	/* echoed both ways: fragmented and reassembled identically */
	peer_start(&p, peer_echo);
	for (int i = 0; i < nsizes; i++)
	{
		rc = send_pattern(&p.chan, PLS_MSG_PING, sizes[i], i);
		CHECK(rc == PLS_CHAN_OK, "send %zu: %s", sizes[i], pls_chan_strerror(rc));
		rc = pls_wire_recv(&p.chan, &rv, &tag, 6 << 20, CHAN_WAIT_MS);
		CHECK(rc == PLS_CHAN_OK && tag == PLS_MSG_PONG && !rv.in_progress &&
			  is_pattern(&rv.buf, sizes[i], i),
			  "echo of %zu bytes: %s, tag %u, %zu bytes", sizes[i],
			  pls_chan_strerror(rc), tag, rv.buf.len);
	}
	/* a void buffer is not sent: the next message is still echoed */
	pls_wire_buf_init(&b, &hmem);
	b.failed = true;
	rc = pls_wire_send(&p.chan, PLS_MSG_PING, &b, CHAN_WAIT_MS);
	CHECK(rc == PLS_CHAN_TOOBIG, "a failed buffer: %s", pls_chan_strerror(rc));
	pls_wire_buf_reset(&b);
	pls_wire_put_cstr(&b, "after");
	rc = pls_wire_send(&p.chan, PLS_MSG_PING, &b, CHAN_WAIT_MS);
	CHECK(rc == PLS_CHAN_OK, "send after a failed buffer: %s", pls_chan_strerror(rc));
	rc = pls_wire_recv(&p.chan, &rv, &tag, 6 << 20, CHAN_WAIT_MS);
	CHECK(rc == PLS_CHAN_OK && rv.buf.len == b.len &&
		  memcmp(rv.buf.data, b.data, b.len) == 0,
		  "echo after a failed buffer: %s", pls_chan_strerror(rc));
	pls_wire_buf_free(&b);
	/* 7 MB to a peer that takes 6 MB: it stops, says why and exits */
	rc = send_pattern(&p.chan, PLS_MSG_PING, 7 << 20, 7);
	CHECK(rc == PLS_CHAN_DEAD, "7 MB to a 6 MB peer: %s", pls_chan_strerror(rc));
	rc = pls_wire_recv(&p.chan, &rv, &tag, 1024, CHAN_WAIT_MS);
	pls_wire_reader_init(&r, rv.buf.data, rv.buf.len, &hmem);
	text = NULL;
	CHECK(rc == PLS_CHAN_OK && tag == PLS_MSG_ERROR &&
		  pls_wire_get_cstr(&r, &text) && pls_wire_done(&r) &&
		  strcmp(text, "message too long") == 0,
		  "the peer's report of 7 MB: %s, tag %u, \"%s\"",
		  pls_chan_strerror(rc), tag, text ? text : "");
	free(text);
	status = peer_end(&p, false);
	CHECK(exited_ok(status), "echo peer: status %#x", status);

	/* max_len: exactly is fine, one byte more is not */
	peer_start(&p, peer_big);
	rc = pls_wire_recv(&p.chan, &rv, &tag, 1 << 20, CHAN_WAIT_MS);
	CHECK(rc == PLS_CHAN_OK && tag == PLS_MSG_RETURN &&
		  is_pattern(&rv.buf, 1 << 20, 1),
		  "1 MB with max_len 1 MB: %s", pls_chan_strerror(rc));
	rc = pls_wire_recv(&p.chan, &rv, &tag, 1 << 20, CHAN_WAIT_MS);
	CHECK(rc == PLS_CHAN_TOOBIG && !rv.in_progress && rv.buf.len <= 1 << 20,
		  "1 MB + 1 with max_len 1 MB: %s, %zu bytes kept",
		  pls_chan_strerror(rc), rv.buf.len);
	status = peer_end(&p, true);
	CHECK(was_killed(status), "big peer: status %#x", status);

	/* MORE frames forever: stopped at max_len */
	peer_start(&p, peer_more_forever);
	rc = pls_wire_recv(&p.chan, &rv, &tag, 4 << 20, CHAN_WAIT_MS);
	CHECK(rc == PLS_CHAN_TOOBIG && !rv.in_progress && rv.buf.len <= 4 << 20 &&
		  rv.buf.len > (4 << 20) - PLS_CHAN_MAX_PAYLOAD,
		  "endless MORE frames: %s, %zu bytes", pls_chan_strerror(rc),
		  rv.buf.len);
	status = peer_end(&p, true);
	CHECK(was_killed(status), "endless peer: status %#x", status);

	/* framings the sender never makes */
	peer_start(&p, peer_bad_frames);
	for (int i = 0; i < 3; i++)
	{
		rc = pls_wire_recv(&p.chan, &rv, &tag, 1 << 20, CHAN_WAIT_MS);
		CHECK(rc == PLS_CHAN_CORRUPT && !rv.in_progress,
			  "bad framing %d: %s", i, pls_chan_strerror(rc));
	}
	rc = pls_wire_recv(&p.chan, &rv, &tag, 1 << 20, CHAN_WAIT_MS);
	CHECK(rc == PLS_CHAN_OK && tag == PLS_MSG_RETURN && rv.buf.len == 2 &&
		  memcmp(rv.buf.data, "ok", 2) == 0,
		  "a good message after bad framings: %s", pls_chan_strerror(rc));
	CHECK(write(p.sync, "g", 1) == 1, "sync");
	status = peer_end(&p, false);
	CHECK(exited_ok(status), "bad-framing peer: status %#x", status);

	/* a partial message is kept across a timeout, then across a signal */
	peer_start(&p, peer_pause);
	rc = pls_wire_recv(&p.chan, &rv, &tag, 1 << 20, 100);
	CHECK(rc == PLS_CHAN_TIMEOUT && rv.in_progress &&
		  rv.buf.len == PLS_CHAN_MAX_PAYLOAD,
		  "pause: %s, in progress %d, %zu bytes", pls_chan_strerror(rc),
		  rv.in_progress, rv.buf.len);
	CHECK(write(p.sync, "g", 1) == 1, "sync");
	rc = pls_wire_recv(&p.chan, &rv, &tag, 1 << 20, CHAN_WAIT_MS);
	CHECK(rc == PLS_CHAN_OK && tag == PLS_MSG_RAISE &&
		  is_pattern(&rv.buf, PLS_CHAN_MAX_PAYLOAD + 5, 10),
		  "after the timeout: %s, %zu bytes", pls_chan_strerror(rc),
		  rv.buf.len);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART: the wait sees EINTR */
	sigaction(SIGALRM, &sa, NULL);
	memset(&tv, 0, sizeof(tv));
	tv.it_value.tv_usec = 50000;
	tv.it_interval.tv_usec = 50000;
	setitimer(ITIMER_REAL, &tv, NULL);
	rc = pls_wire_recv(&p.chan, &rv, &tag, 1 << 20, CHAN_WAIT_MS);
	memset(&tv, 0, sizeof(tv));
	setitimer(ITIMER_REAL, &tv, NULL);
	CHECK(rc == PLS_CHAN_INTR && rv.in_progress &&
		  rv.buf.len == PLS_CHAN_MAX_PAYLOAD,
		  "signal: %s, in progress %d, %zu bytes", pls_chan_strerror(rc),
		  rv.in_progress, rv.buf.len);
	CHECK(write(p.sync, "g", 1) == 1, "sync");
	rc = pls_wire_recv(&p.chan, &rv, &tag, 1 << 20, CHAN_WAIT_MS);
	CHECK(rc == PLS_CHAN_OK && tag == PLS_MSG_RAISE &&
		  is_pattern(&rv.buf, PLS_CHAN_MAX_PAYLOAD + 5, 11),
		  "after the signal: %s, %zu bytes", pls_chan_strerror(rc),
		  rv.buf.len);
	status = peer_end(&p, false);
	CHECK(exited_ok(status), "pausing peer: status %#x", status);

	pls_wire_recv_free(&rv);
	printf("channel: %d sizes from 0 to 5 MB echoed both ways; max_len holds "
		   "on both sides and against endless MORE frames; 3 bad framings "
		   "refused; a partial message kept across a timeout and a signal\n",
		   nsizes);
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_round_trips();
	test_writer();
	test_violations();
	test_fuzz();
	test_channel();
	for (int i = 0; i < n_seeds; i++)
		free(seeds[i].data);
	arena_done(&arena);
	if (failures)
	{
		printf("wire: %d checks failed\n", failures);
		return 1;
	}
	return 0;
}
