/*-------------------------------------------------------------------------
 *
 * wire.c
 *	  The door as bytes (the encoding is described in wire.h): writing into
 *	  a growing buffer, reading hostile bytes back into door values and
 *	  shapes, and carrying messages of any length over the channel.  The
 *	  records built of them are wire_records.c's.
 *
 * Writing never fails loudly: when an allocation fails, or a value cannot
 * be carried by the encoding (a length of 4 GB or more, an array whose
 * element count is not the product of its dims, an unknown kind, an
 * attribute shape without a name), the buffer's failed flag is set and
 * every later put does nothing; the caller checks failed once, before it
 * sends.  A sender builds its trees itself, so such a value is its own bug,
 * never the peer's input.
 *
 * Reading: every get checks the bytes that remain before it reads or
 * allocates, and the first violation sets bad, after which every get fails.
 * Decoded value trees borrow from the buffer read: the bytes of TEXT,
 * NUMERIC, BYTES and JSON values and a PACKED array's bitmap and elements
 * point into it (not NUL-terminated, not aligned), so it must outlive the
 * tree.  Everything else (ARRAY elements, ROW attributes and
 * their names, shapes, the strings and arrays of records) is allocated from
 * the reader's mem; a decode that fails leaves what it allocated to the
 * caller's arena.  Nesting depth counts values (or shapes): the outermost
 * is at depth 1 and nothing deeper than PLS_WIRE_MAX_DEPTH is read.
 *
 * No PostgreSQL and no Python header: this file is also part of the worker.
 *
 *-------------------------------------------------------------------------
 */
#include "wire_int.h"

#include <limits.h>
#include <string.h>

#include "json_tokens.h"

/* the length that stands for a NULL string (pls_wire_put_cstr) */
#define WIRE_NULL_LEN 0xFFFFFFFFu


/* ---------- writing ---------- */

void
pls_wire_buf_init(PlsWireBuf *b, const PlsWireMem *mem)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->failed = false;
	b->mem = mem;
}

/* Empty the buffer for the next message; a failed buffer is usable again. */
void
pls_wire_buf_reset(PlsWireBuf *b)
{
	b->len = 0;
	b->failed = false;
}

void
pls_wire_buf_free(PlsWireBuf *b)
{
	if (b->data != NULL)
		b->mem->free(b->mem->cx, b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

/* Make room for n more bytes: false (and failed set) if there is none. */
static bool
buf_reserve(PlsWireBuf *b, size_t n)
{
	size_t		need;
	size_t		cap;
	unsigned char *p;

	if (b->failed)
		return false;
	if (n <= b->cap - b->len)
		return true;
	if (n > SIZE_MAX - b->len)
	{
		b->failed = true;
		return false;
	}
	need = b->len + n;
	cap = b->cap < 256 ? 256 : b->cap;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (b->data == NULL)
		p = b->mem->alloc(b->mem->cx, cap);
	else
		p = b->mem->realloc(b->mem->cx, b->data, cap);
	if (p == NULL)
	{
		b->failed = true;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

/* pls_wire_put_raw's way out: growing the buffer, or a failed one. */
void
pls_wire_put_grow(PlsWireBuf *b, const void *p, size_t n)
{
	if (n == 0 || !buf_reserve(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

/* A u32 length then the bytes; 0xFFFFFFFF and more cannot be carried. */
void
pls_wire_put_bytes(PlsWireBuf *b, const void *p, size_t len)
{
	if (len >= WIRE_NULL_LEN)
	{
		b->failed = true;
		return;
	}
	pls_wire_put_u32(b, (uint32_t) len);
	pls_wire_put_raw(b, p, len);
}

void
pls_wire_put_cstr(PlsWireBuf *b, const char *s)
{
	if (s == NULL)
		pls_wire_put_u32(b, WIRE_NULL_LEN);
	else
		pls_wire_put_bytes(b, s, strlen(s));
}

/*
 * u8 ndims and the u32 dims of an array of n elements, from lo (0 or 1)
 * dims up, each from lo to PLS_WIRE_MAX_ITEMS; false, and b failed, if
 * that is not what they are or n is not their product.
 */
static bool
put_dims(PlsWireBuf *b, int ndims, const int *dims, int lo, uint64_t n)
{
	uint64_t	product = ndims > 0 ? 1 : 0;

	if (ndims < lo || ndims > 6)
	{
		b->failed = true;
		return false;
	}
	for (int i = 0; i < ndims; i++)
	{
		if (dims[i] < lo || (uint64_t) dims[i] > PLS_WIRE_MAX_ITEMS)
		{
			b->failed = true;
			return false;
		}
		product *= (uint64_t) dims[i];
		if (product > PLS_WIRE_MAX_ITEMS)
		{
			b->failed = true;
			return false;
		}
	}
	if (product != n)
	{
		b->failed = true;
		return false;
	}
	pls_wire_put_u8(b, (uint8_t) ndims);
	for (int i = 0; i < ndims; i++)
		pls_wire_put_u32(b, (uint32_t) dims[i]);
	return true;
}

static void
put_array(PlsWireBuf *b, const PLSValue *v)
{
	if (!put_dims(b, v->u.array.ndims, v->u.array.dims, 0, v->u.array.n))
		return;
	for (size_t i = 0; i < v->u.array.n && !b->failed; i++)
		pls_wire_put_value(b, &v->u.array.elems[i]);
}

/*
 * The elements of a PACKED array that are not NULL: every one without a
 * bitmap, else the set bits among its first n (the rest of the last byte
 * means nothing).
 */
static size_t
packed_present(const uint8_t *nulls, uint32_t n)
{
	size_t		count = 0;
	uint32_t	full = n / 8;
	uint32_t	i = 0;

	if (nulls == NULL)
		return n;
	for (; i + 8 <= full; i += 8)
	{
		uint64_t	w;

		memcpy(&w, nulls + i, sizeof(w));
		count += (size_t) __builtin_popcountll(w);
	}
	for (; i < full; i++)
		count += (size_t) __builtin_popcount(nulls[i]);
	if (n % 8 != 0)
		count += (size_t) __builtin_popcount(nulls[full] & ((1u << (n % 8)) - 1));
	return count;
}

static void
put_packed(PlsWireBuf *b, const PLSValue *v)
{
	if (v->u.packed.elem > PLS_P_LAST)
	{
		b->failed = true;
		return;
	}
	pls_wire_put_u8(b, v->u.packed.elem);
	if (!put_dims(b, v->u.packed.ndims, v->u.packed.dims, 1, v->u.packed.n))
		return;
	pls_wire_put_u8(b, v->u.packed.nulls != NULL);
	if (v->u.packed.nulls != NULL)
		pls_wire_put_raw(b, v->u.packed.nulls, ((size_t) v->u.packed.n + 7) / 8);
	pls_wire_put_raw(b, v->u.packed.data,
			packed_present(v->u.packed.nulls, v->u.packed.n) *
			pls_packed_width(v->u.packed.elem));
}

static void
put_row(PlsWireBuf *b, const PLSValue *v)
{
	int			natts = v->u.row.natts;

	if (natts < 0)
	{
		b->failed = true;
		return;
	}
	pls_wire_put_u32(b, (uint32_t) natts);
	pls_wire_put_u8(b, v->u.row.names != NULL);
	if (v->u.row.names != NULL)
		for (int i = 0; i < natts; i++)
			pls_wire_put_cstr(b, v->u.row.names[i]);
	for (int i = 0; i < natts && !b->failed; i++)
		pls_wire_put_value(b, &v->u.row.atts[i]);
}

void
pls_wire_put_value(PlsWireBuf *b, const PLSValue *v)
{
	if (b->failed)
		return;
	pls_wire_put_u8(b, v->kind);
	switch ((PLSValueKind) v->kind)
	{
		case PLS_V_NULL:
			break;
		case PLS_V_BOOL:
			pls_wire_put_u8(b, v->u.b ? 1 : 0);
			break;
		case PLS_V_INT64:
			pls_wire_put_i64(b, v->u.i);
			break;
		case PLS_V_FLOAT8:
			pls_wire_put_f64(b, v->u.f);
			break;
		case PLS_V_TEXT:
		case PLS_V_BYTES:
		case PLS_V_NUMERIC:
		case PLS_V_JSON:
			pls_wire_put_bytes(b, v->u.str.data, v->u.str.len);
			break;
		case PLS_V_ARRAY:
			put_array(b, v);
			break;
		case PLS_V_ROW:
			put_row(b, v);
			break;
		case PLS_V_PACKED:
			put_packed(b, v);
			break;
		default:
			b->failed = true;
			break;
	}
}

void
pls_wire_put_shape(PlsWireBuf *b, const PLSShape *s)
{
	if (b->failed)
		return;
	pls_wire_put_u8(b, s->kind);
	switch ((PLSShapeKind) s->kind)
	{
		case PLS_S_TEXTFORM:
		case PLS_S_BOOL:
		case PLS_S_INT2:
		case PLS_S_INT4:
		case PLS_S_INT8:
		case PLS_S_FLOAT8:
		case PLS_S_TEXT:
		case PLS_S_BYTEA:
		case PLS_S_JSONB:
		case PLS_S_HSTORE:
			break;
		case PLS_S_ARRAY:
			if (s->elem == NULL)
				b->failed = true;
			else
				pls_wire_put_shape(b, s->elem);
			break;
		case PLS_S_ROW:
			{
				/* natts and atts mean something only when the row is known */
				int			natts = s->rowknown ? s->natts : 0;

				if (natts < 0)
				{
					b->failed = true;
					return;
				}
				pls_wire_put_u8(b, s->rowknown ? 1 : 0);
				pls_wire_put_u32(b, (uint32_t) natts);
				for (int i = 0; i < natts && !b->failed; i++)
				{
					const PLSShape *att = s->atts[i];

					pls_wire_put_u8(b, att != NULL);
					if (att == NULL)
						continue;
					if (s->attnames == NULL || s->attnames[i] == NULL)
					{
						b->failed = true;
						return;
					}
					pls_wire_put_cstr(b, s->attnames[i]);
					pls_wire_put_shape(b, att);
				}
			}
			break;
		default:
			b->failed = true;
			break;
	}
}

/* ---------- reading ---------- */

void
pls_wire_reader_init(PlsWireReader *r, const void *data, size_t len,
					 const PlsWireMem *mem)
{
	r->p = data;
	r->left = len;
	r->bad = false;
	r->mem = mem;
}

bool
pls_wire_refuse(PlsWireReader *r)
{
	r->bad = true;
	return false;
}

/* n bytes from mem, refusing what does not fit in a size_t */
void *
pls_wire_get_alloc(PlsWireReader *r, size_t count, size_t size)
{
	void	   *p;

	if (count > SIZE_MAX / size)
	{
		pls_wire_refuse(r);
		return NULL;
	}
	p = r->mem->alloc(r->mem->cx, count * size);
	if (p == NULL)
		pls_wire_refuse(r);
	return p;
}

/* a u8 that must be 0 or 1 */
bool
pls_wire_get_flag(PlsWireReader *r, bool *v)
{
	uint8_t		u;

	if (!pls_wire_get_u8(r, &u))
		return false;
	if (u > 1)
		return pls_wire_refuse(r);
	*v = u;
	return true;
}

bool
pls_wire_get_bytes(PlsWireReader *r, const char **p, size_t *len)
{
	uint32_t	n;

	if (!pls_wire_get_u32(r, &n))
		return false;
	if (n > r->left)
		return pls_wire_refuse(r);
	*p = (const char *) r->p;
	*len = n;
	r->p += n;
	r->left -= n;
	return true;
}

/*
 * Well-formed UTF-8 without NUL: no overlong forms, no surrogates, nothing
 * above U+10FFFF (the rules of PostgreSQL's pg_utf8_islegal).  Runs of
 * ASCII are checked eight bytes at a time.
 */
bool
pls_wire_utf8_valid(const unsigned char *s, size_t len)
{
	size_t		i = 0;

	while (i < len)
	{
		unsigned char c;
		unsigned char lo = 0x80;
		unsigned char hi = 0xBF;
		size_t		more;

		/*
		 * A word of bytes from 1 to 0x7F: none has its high bit set, and
		 * none borrows when 1 is taken from each (only a 0 byte does).
		 */
		while (len - i >= 8)
		{
			uint64_t	w;

			memcpy(&w, s + i, sizeof(w));
			if (((w | (w - 0x0101010101010101ull)) & 0x8080808080808080ull) != 0)
				break;
			i += 8;
		}
		if (i == len)
			break;
		c = s[i];
		if (c < 0x80)
		{
			if (c == 0)
				return false;
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			more = 1;
		else if (c >= 0xE0 && c <= 0xEF)
		{
			more = 2;
			if (c == 0xE0)
				lo = 0xA0;
			else if (c == 0xED)
				hi = 0x9F;
		}
		else if (c >= 0xF0 && c <= 0xF4)
		{
			more = 3;
			if (c == 0xF0)
				lo = 0x90;
			else if (c == 0xF4)
				hi = 0x8F;
		}
		else
			return false;
		if (more > len - i - 1)
			return false;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return false;
		for (size_t k = 2; k <= more; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
		i += more + 1;
	}
	return true;
}

bool
pls_wire_get_cstr(PlsWireReader *r, char **s)
{
	uint32_t	n;
	char	   *copy;

	if (!pls_wire_get_u32(r, &n))
		return false;
	if (n == WIRE_NULL_LEN)
	{
		*s = NULL;
		return true;
	}
	if (n > r->left)
		return pls_wire_refuse(r);
	if (!pls_wire_utf8_valid(r->p, n))
		return pls_wire_refuse(r);
	copy = pls_wire_get_alloc(r, (size_t) n + 1, 1);
	if (copy == NULL)
		return false;
	memcpy(copy, r->p, n);
	copy[n] = '\0';
	r->p += n;
	r->left -= n;
	*s = copy;
	return true;
}

/*
 * The bytes of a PLS_V_JSON value (door.h): exactly one value, known
 * tokens, lengths inside the bytes, UTF-8 without NUL, object keys that
 * are strings, each container closed by its own end, nested at most
 * PLS_JSON_MAX_DEPTH deep.  Allocates nothing: an open container's kind is
 * one bit.
 */
bool
pls_wire_json_valid(const char *data, size_t len)
{
	uint64_t	objects[PLS_JSON_MAX_DEPTH / 64];	/* bit set: an object */
	const char *p = data;
	const char *end = data + len;
	int			depth = 0;
	bool		want_key = false;	/* in an object, where a key or its end
									 * comes */
	bool		done = false;		/* the value is complete */

#define JSON_IN_OBJECT(d) ((objects[((d) - 1) / 64] >> (((d) - 1) % 64)) & 1)

	while (p < end)
	{
		PLSJsonTok	t;

		if (done || !pls_json_next(&p, end, &t))
			return false;
		if (want_key && t.tag == PLS_J_STRING)
		{
			if (!pls_wire_utf8_valid((const unsigned char *) t.data, t.len))
				return false;
			want_key = false;
			continue;
		}
		if (want_key != (t.tag == PLS_J_END_OBJECT))
			return false;
		switch (t.tag)
		{
			case PLS_J_NULL:
			case PLS_J_TRUE:
			case PLS_J_FALSE:
				break;
			case PLS_J_STRING:
			case PLS_J_NUMBER:
				if (!pls_wire_utf8_valid((const unsigned char *) t.data, t.len))
					return false;
				break;
			case PLS_J_ARRAY:
			case PLS_J_OBJECT:
				if (depth >= PLS_JSON_MAX_DEPTH)
					return false;
				if (t.tag == PLS_J_OBJECT)
					objects[depth / 64] |= (uint64_t) 1 << (depth % 64);
				else
					objects[depth / 64] &= ~((uint64_t) 1 << (depth % 64));
				depth++;
				want_key = (t.tag == PLS_J_OBJECT);
				continue;
			case PLS_J_END_ARRAY:
				if (depth == 0 || JSON_IN_OBJECT(depth))
					return false;
				depth--;
				break;
			case PLS_J_END_OBJECT:
				/* want_key: an object is open */
				depth--;
				break;
			default:
				return false;
		}
		/* a value is complete: the top one, an element, or a member's */
		if (depth == 0)
			done = true;
		else
			want_key = JSON_IN_OBJECT(depth);
	}
#undef JSON_IN_OBJECT
	return done;
}

static bool get_value_at(PlsWireReader *r, PLSValue *v, int depth);
static bool get_shape_at(PlsWireReader *r, PLSShape **s, int depth);

/*
 * u8 ndims and the u32 dims: from lo (0 or 1) dims up, each from lo to
 * PLS_WIRE_MAX_ITEMS, multiplying to at most PLS_WIRE_MAX_ITEMS (each
 * factor and each partial product are, so nothing overflows); *n is the
 * product (0 for no dims).
 */
static bool
get_dims(PlsWireReader *r, int lo, int *ndims, int *dims, uint64_t *n)
{
	uint8_t		nd;

	if (!pls_wire_get_u8(r, &nd))
		return false;
	if (nd < lo || nd > 6)
		return pls_wire_refuse(r);
	*n = nd > 0 ? 1 : 0;
	for (int i = 0; i < nd; i++)
	{
		uint32_t	d;

		if (!pls_wire_get_u32(r, &d))
			return false;
		if (d < (uint32_t) lo || d > PLS_WIRE_MAX_ITEMS)
			return pls_wire_refuse(r);
		*n *= d;
		if (*n > PLS_WIRE_MAX_ITEMS)
			return pls_wire_refuse(r);
		dims[i] = (int) d;
	}
	*ndims = nd;
	return true;
}

static bool
get_array(PlsWireReader *r, PLSValue *v, int depth)
{
	uint64_t	n;

	if (!get_dims(r, 0, &v->u.array.ndims, v->u.array.dims, &n))
		return false;
	/* every element takes at least its kind byte */
	if (n > r->left)
		return pls_wire_refuse(r);
	v->u.array.n = (size_t) n;
	v->u.array.elems = NULL;
	if (n == 0)
		return true;
	v->u.array.elems = pls_wire_get_alloc(r, (size_t) n, sizeof(PLSValue));
	if (v->u.array.elems == NULL)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!get_value_at(r, &v->u.array.elems[i], depth + 1))
			return false;
	return true;
}

/* Nothing is allocated: the bitmap and the elements stay in the buffer. */
static bool
get_packed(PlsWireReader *r, PLSValue *v)
{
	uint8_t		elem;
	int			ndims;
	bool		hasnulls;
	uint64_t	n;
	size_t		size;

	if (!pls_wire_get_u8(r, &elem))
		return false;
	if (elem > PLS_P_LAST)
		return pls_wire_refuse(r);
	if (!get_dims(r, 1, &ndims, v->u.packed.dims, &n) ||
		!pls_wire_get_flag(r, &hasnulls))
		return false;
	v->u.packed.elem = elem;
	v->u.packed.ndims = (uint8_t) ndims;
	v->u.packed.n = (uint32_t) n;
	v->u.packed.nulls = NULL;
	if (hasnulls)
	{
		size = (size_t) (n + 7) / 8;
		if (size > r->left)
			return pls_wire_refuse(r);
		v->u.packed.nulls = r->p;
		r->p += size;
		r->left -= size;
	}
	size = packed_present(v->u.packed.nulls, (uint32_t) n) *
		pls_packed_width(elem);
	if (size > r->left)
		return pls_wire_refuse(r);
	v->u.packed.data = (const char *) r->p;
	r->p += size;
	r->left -= size;
	return true;
}

static bool
get_row(PlsWireReader *r, PLSValue *v, int depth)
{
	uint32_t	natts;
	bool		named;
	PLSValue   *atts = NULL;

	if (!pls_wire_get_u32(r, &natts) || !pls_wire_get_flag(r, &named))
		return false;
	/* each attribute takes a kind byte, and a name's length if named */
	if (natts > INT_MAX || natts > r->left / (named ? 5 : 1))
		return pls_wire_refuse(r);
	v->u.row.natts = (int) natts;
	v->u.row.names = NULL;
	if (named)
	{
		/* one slot even for no attribute: names stays non-NULL */
		char	  **names = pls_wire_get_alloc(r, natts > 0 ? natts : 1, sizeof(char *));

		if (names == NULL)
			return false;
		for (uint32_t i = 0; i < natts; i++)
			if (!pls_wire_get_cstr(r, &names[i]))
				return false;
		v->u.row.names = (const char *const *) names;
	}
	if (natts > 0)
	{
		atts = pls_wire_get_alloc(r, natts, sizeof(PLSValue));
		if (atts == NULL)
			return false;
	}
	v->u.row.atts = atts;
	for (uint32_t i = 0; i < natts; i++)
		if (!get_value_at(r, &atts[i], depth + 1))
			return false;
	return true;
}

static bool
get_value_at(PlsWireReader *r, PLSValue *v, int depth)
{
	uint8_t		kind;

	if (depth > PLS_WIRE_MAX_DEPTH)
		return pls_wire_refuse(r);
	if (!pls_wire_get_u8(r, &kind))
		return false;
	memset(v, 0, sizeof(*v));
	v->kind = kind;
	switch ((PLSValueKind) kind)
	{
		case PLS_V_NULL:
			return true;
		case PLS_V_BOOL:
			return pls_wire_get_flag(r, &v->u.b);
		case PLS_V_INT64:
			return pls_wire_get_i64(r, &v->u.i);
		case PLS_V_FLOAT8:
			return pls_wire_get_f64(r, &v->u.f);
		case PLS_V_TEXT:
		case PLS_V_NUMERIC:
			if (!pls_wire_get_bytes(r, &v->u.str.data, &v->u.str.len))
				return false;
			if (!pls_wire_utf8_valid((const unsigned char *) v->u.str.data,
							v->u.str.len))
				return pls_wire_refuse(r);
			return true;
		case PLS_V_BYTES:
			return pls_wire_get_bytes(r, &v->u.str.data, &v->u.str.len);
		case PLS_V_JSON:
			if (!pls_wire_get_bytes(r, &v->u.str.data, &v->u.str.len))
				return false;
			if (!pls_wire_json_valid(v->u.str.data, v->u.str.len))
				return pls_wire_refuse(r);
			return true;
		case PLS_V_ARRAY:
			return get_array(r, v, depth);
		case PLS_V_ROW:
			return get_row(r, v, depth);
		case PLS_V_PACKED:
			return get_packed(r, v);
	}
	return pls_wire_refuse(r);
}

bool
pls_wire_get_value(PlsWireReader *r, PLSValue *v)
{
	return get_value_at(r, v, 1);
}

static bool
get_row_shape(PlsWireReader *r, PLSShape *s, int depth)
{
	uint32_t	natts;
	const PLSShape **atts;
	char	  **names;

	if (!pls_wire_get_flag(r, &s->rowknown) || !pls_wire_get_u32(r, &natts))
		return false;
	/* an unknown row has no attributes; each one takes its present byte */
	if ((!s->rowknown && natts != 0) || natts > INT_MAX || natts > r->left)
		return pls_wire_refuse(r);
	s->natts = (int) natts;
	if (natts == 0)
		return true;
	atts = pls_wire_get_alloc(r, natts, sizeof(PLSShape *));
	if (atts == NULL)
		return false;
	names = pls_wire_get_alloc(r, natts, sizeof(char *));
	if (names == NULL)
		return false;
	for (uint32_t i = 0; i < natts; i++)
	{
		bool		present;
		PLSShape   *att;

		atts[i] = NULL;
		names[i] = NULL;
		if (!pls_wire_get_flag(r, &present))
			return false;
		if (!present)
			continue;
		if (!pls_wire_get_cstr(r, &names[i]))
			return false;
		/* a present attribute has a name: encode.c looks columns up by it */
		if (names[i] == NULL)
			return pls_wire_refuse(r);
		if (!get_shape_at(r, &att, depth + 1))
			return false;
		atts[i] = att;
	}
	s->atts = atts;
	s->attnames = (const char *const *) names;
	return true;
}

static bool
get_shape_at(PlsWireReader *r, PLSShape **out, int depth)
{
	uint8_t		kind;
	PLSShape   *s;

	if (depth > PLS_WIRE_MAX_DEPTH)
		return pls_wire_refuse(r);
	if (!pls_wire_get_u8(r, &kind))
		return false;
	if (kind > PLS_S_HSTORE)
		return pls_wire_refuse(r);
	s = pls_wire_get_alloc(r, 1, sizeof(PLSShape));
	if (s == NULL)
		return false;
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	*out = s;
	if (kind == PLS_S_ARRAY)
	{
		PLSShape   *elem;

		if (!get_shape_at(r, &elem, depth + 1))
			return false;
		s->elem = elem;
		return true;
	}
	if (kind == PLS_S_ROW)
		return get_row_shape(r, s, depth);
	return true;
}

bool
pls_wire_get_shape(PlsWireReader *r, PLSShape **s)
{
	return get_shape_at(r, s, 1);
}

bool
pls_wire_done(const PlsWireReader *r)
{
	return !r->bad && r->left == 0;
}

/* ---------- messages over the channel ---------- */

/*
 * Every frame but the last is a full PLS_MSG_MORE frame.  A result other
 * than PLS_CHAN_OK may come after some frames went out: the peer then holds
 * part of a message, and the channel is of no further use.
 */
int
pls_wire_send(PlsChan *chan, uint32_t tag, const PlsWireBuf *b, int timeout_ms)
{
	const unsigned char *p = b->data;
	size_t		left = b->len;

	/* a void buffer never leaves: as if it were too long to build */
	if (b->failed)
		return PLS_CHAN_TOOBIG;
	while (left > PLS_CHAN_MAX_PAYLOAD)
	{
		int			rc = pls_chan_send(chan, PLS_MSG_MORE, p,
									   PLS_CHAN_MAX_PAYLOAD, timeout_ms);

		if (rc != PLS_CHAN_OK)
			return rc;
		p += PLS_CHAN_MAX_PAYLOAD;
		left -= PLS_CHAN_MAX_PAYLOAD;
	}
	return pls_chan_send(chan, tag, p, (uint32_t) left, timeout_ms);
}

void
pls_wire_recv_init(PlsWireRecv *rv, const PlsWireMem *mem)
{
	pls_wire_buf_init(&rv->buf, mem);
	rv->in_progress = false;
}

void
pls_wire_recv_free(PlsWireRecv *rv)
{
	pls_wire_buf_free(&rv->buf);
	rv->in_progress = false;
}

/*
 * Only the sender's own framing is accepted: MORE frames are full (so a
 * peer cannot keep the receiver busy with empty ones, and max_len is
 * reached after a bounded number of frames), and the last frame of a
 * fragmented message is not empty.  PLS_CHAN_TIMEOUT and PLS_CHAN_INTR keep
 * the partial message; any other failure drops it and leaves the channel
 * out of step (the rest of the message may still come), so the caller ends
 * the peer.
 */
int
pls_wire_recv(PlsChan *chan, PlsWireRecv *rv, uint32_t *tag, size_t max_len,
			  int timeout_ms)
{
	if (!rv->in_progress)
		pls_wire_buf_reset(&rv->buf);

	for (;;)
	{
		uint32_t	t;
		uint32_t	n;
		int			rc;

		/* each frame is copied out of the ring once: into the message */
		if (!buf_reserve(&rv->buf, PLS_CHAN_MAX_PAYLOAD))
		{
			rv->in_progress = false;
			return PLS_CHAN_TOOBIG;
		}
		rc = pls_chan_recv(chan, &t, rv->buf.data + rv->buf.len,
						   PLS_CHAN_MAX_PAYLOAD, &n, timeout_ms);
		if (rc == PLS_CHAN_TIMEOUT || rc == PLS_CHAN_INTR)
			return rc;
		rv->in_progress = false;
		if (rc != PLS_CHAN_OK)
			return rc;
		if (t == PLS_MSG_MORE ? n != PLS_CHAN_MAX_PAYLOAD :
			(rv->buf.len > 0 && n == 0))
			return PLS_CHAN_CORRUPT;
		if (rv->buf.len > max_len || n > max_len - rv->buf.len)
			return PLS_CHAN_TOOBIG;
		rv->buf.len += n;
		if (t != PLS_MSG_MORE)
		{
			*tag = t;
			return PLS_CHAN_OK;
		}
		rv->in_progress = true;
	}
}
