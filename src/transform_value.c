/*-------------------------------------------------------------------------
 *
 * transform_value.c
 *	  The PostgreSQL side of the transforms (transform.c says which a
 *	  function may use): jsonb and hstore Datums as PLS_V_JSON tokens
 *	  (door.h) for the Python side (json_py.c), and tokens back as Datums,
 *	  with PL/Python's results and errors (PostgreSQL 15,
 *	  contrib/jsonb_plpython, contrib/hstore_plpython).
 *
 *	  jsonb is read with its iterator and built with pushJsonbValue, as
 *	  jsonb_plpython does; a number's text from the Python side goes
 *	  through numeric_in, NaN and infinity refused.  hstore is read from
 *	  its output function's text and built by its input function, which
 *	  keeps one of repeated keys and checks lengths as hstore_plpython's
 *	  hstorePairs does; so plsafepy needs no hstore header or library
 *	  symbol.
 *
 *	  Tokens are input (from a worker they are hostile, if checked by the
 *	  wire): a decoder refuses what does not fit (08P01), never trusts it.
 *
 *-------------------------------------------------------------------------
 */
#include "convert_int.h"

#include "json_tokens.h"
#include "lib/stringinfo.h"
#include "utils/jsonb.h"

/* Tokens handled between two interrupt checks. */
#define TRF_INTERRUPT_STRIDE 4096

/* ---------- Datum -> tokens ---------- */

static void
put_text(StringInfo buf, char tag, const char *s, size_t len)
{
	uint32		len32 = (uint32) len;

	appendStringInfoChar(buf, tag);
	appendBinaryStringInfo(buf, (const char *) &len32, sizeof(uint32));
	appendBinaryStringInfo(buf, s, (int) len);
}

/* A string in the server encoding as a UTF-8 token. */
static void
put_server_text(StringInfo buf, char tag, const char *s, size_t len)
{
	size_t		utf8len;
	const char *utf8 = pls_server_to_utf8(s, len, &utf8len);

	put_text(buf, tag, utf8, utf8len);
	if (utf8 != s)
		pfree((char *) utf8);
}

static void
put_jsonb_scalar(StringInfo buf, JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			appendStringInfoChar(buf, PLS_J_NULL);
			break;
		case jbvBool:
			appendStringInfoChar(buf, v->val.boolean ? PLS_J_TRUE : PLS_J_FALSE);
			break;
		case jbvNumeric:
			{
				char	   *str = DatumGetCString(DirectFunctionCall1(numeric_out,
																	  NumericGetDatum(v->val.numeric)));

				put_text(buf, PLS_J_NUMBER, str, strlen(str));
				pfree(str);
				break;
			}
		case jbvString:
			put_server_text(buf, PLS_J_STRING, v->val.string.val,
							v->val.string.len);
			break;
		default:
			elog(ERROR, "unexpected jsonb value type: %d", v->type);
	}
}

/* jsonb_plpython's jsonb_to_plpython, as tokens: iterated, not recursive. */
static void
jsonb_to_value(PLSType *t, Datum d, PLSValue *out)
{
	Jsonb	   *jb = DatumGetJsonbP(d);
	JsonbIterator *it = JsonbIteratorInit(&jb->root);
	JsonbIteratorToken r;
	JsonbValue	v;
	StringInfoData buf;
	int			depth = 0;
	bool		raw = false;	/* a scalar, in its one-element array */
	uint32		n = 0;

	initStringInfo(&buf);
	while ((r = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
	{
		if (++n % TRF_INTERRUPT_STRIDE == 0)
			CHECK_FOR_INTERRUPTS();
		switch (r)
		{
			case WJB_BEGIN_ARRAY:
			case WJB_BEGIN_OBJECT:
				if (r == WJB_BEGIN_ARRAY && v.val.array.rawScalar)
				{
					raw = true;
					break;
				}
				if (++depth > PLS_JSON_MAX_DEPTH)
					ereport(ERROR,
							(errcode(ERRCODE_STATEMENT_TOO_COMPLEX),
							 errmsg("jsonb value nested too deeply to transform to Python"),
							 errdetail("PL/SafePy transforms values nested at most %d levels deep.",
									   PLS_JSON_MAX_DEPTH)));
				appendStringInfoChar(&buf, r == WJB_BEGIN_ARRAY ? PLS_J_ARRAY : PLS_J_OBJECT);
				break;
			case WJB_END_ARRAY:
				if (raw && depth == 0)
					break;
				depth--;
				appendStringInfoChar(&buf, PLS_J_END_ARRAY);
				break;
			case WJB_END_OBJECT:
				depth--;
				appendStringInfoChar(&buf, PLS_J_END_OBJECT);
				break;
			case WJB_KEY:
			case WJB_VALUE:
			case WJB_ELEM:
				put_jsonb_scalar(&buf, &v);
				break;
			default:
				elog(ERROR, "unexpected jsonb token: %d", r);
		}
	}
	out->kind = PLS_V_JSON;
	out->u.str.data = buf.data;
	out->u.str.len = buf.len;
}

/*
 * A quoted string of hstore_out's text at *p, unescaped into buf
 * (hstore_out puts a backslash before '"' and '\').  False if *p is not
 * one.
 */
static bool
hstore_quoted(const char **p, StringInfo buf)
{
	const char *s = *p;

	resetStringInfo(buf);
	if (*s++ != '"')
		return false;
	while (*s != '"')
	{
		if (*s == '\\')
			s++;
		if (*s == '\0')
			return false;
		appendStringInfoChar(buf, *s++);
	}
	*p = s + 1;
	return true;
}

/*
 * hstore_plpython's hstore_to_plpython, as tokens: an object of its pairs
 * in its order, read from hstore_out's text ("k"=>"v", "k2"=>NULL).
 */
static void
hstore_to_value(PLSType *t, Datum d, PLSValue *out)
{
	char	   *text = OutputFunctionCall(&t->typoutput, d);
	const char *p = text;
	StringInfoData buf;
	StringInfoData item;
	uint32		n = 0;

	initStringInfo(&buf);
	initStringInfo(&item);
	appendStringInfoChar(&buf, PLS_J_OBJECT);
	while (*p != '\0')
	{
		if (++n % TRF_INTERRUPT_STRIDE == 0)
			CHECK_FOR_INTERRUPTS();
		if (n > 1 && strncmp(p, ", ", 2) == 0)
			p += 2;
		else if (n > 1)
			break;
		if (!hstore_quoted(&p, &item) || strncmp(p, "=>", 2) != 0)
			break;
		p += 2;
		put_server_text(&buf, PLS_J_STRING, item.data, item.len);
		if (strncmp(p, "NULL", 4) == 0)
		{
			p += 4;
			appendStringInfoChar(&buf, PLS_J_NULL);
		}
		else if (hstore_quoted(&p, &item))
			put_server_text(&buf, PLS_J_STRING, item.data, item.len);
		else
			break;
	}
	if (*p != '\0')
		elog(ERROR, "unexpected output of type %s", format_type_be(t->typoid));
	appendStringInfoChar(&buf, PLS_J_END_OBJECT);
	pfree(item.data);
	pfree(text);
	out->kind = PLS_V_JSON;
	out->u.str.data = buf.data;
	out->u.str.len = buf.len;
}

/* Inline mode's Datum -> Python: the tokens, then json_py.c's objects. */
static PyObject *
trf_to_py(PLSType *t, Datum d)
{
	PLSValue	v;
	PyObject   *res;

	t->to_value(t, d, &v);
	res = pls_json_to_py(v.u.str.data, v.u.str.len);
	pfree((char *) v.u.str.data);
	return res;
}

/* ---------- tokens -> Datum ---------- */

/* A token's text, checked and converted to the server encoding. */
static char *
token_text(PLSType *t, const PLSJsonTok *tok)
{
	if (memchr(tok->data, '\0', tok->len) != NULL)
		pls_decode_malformed(t);
	return pls_utf8_to_server(tok->data, tok->len);
}

/*
 * jsonb_plpython's PLyNumber_ToJsonbValue: the number's text through
 * numeric_in (what it refuses: 42804 naming the text), then NaN and
 * infinity refused (22003).
 */
static void
jsonb_number(PLSType *t, const PLSJsonTok *tok, JsonbValue *jv)
{
	char	   *str = token_text(t, tok);
	MemoryContext cxt = CurrentMemoryContext;
	Numeric		num = NULL;

	PG_TRY();
	{
		num = DatumGetNumeric(DirectFunctionCall3(numeric_in,
												  CStringGetDatum(str),
												  ObjectIdGetDatum(InvalidOid),
												  Int32GetDatum(-1)));
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		/* numeric_in's own refusals only; it changes no state to undo */
		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		if (ERRCODE_TO_CATEGORY(edata->sqlerrcode) != ERRCODE_DATA_EXCEPTION)
			PG_RE_THROW();
		FlushErrorState();
		FreeErrorData(edata);
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("could not convert value \"%s\" to jsonb", str)));
	}
	PG_END_TRY();

	if (numeric_is_nan(num))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("cannot convert NaN to jsonb")));
	if (numeric_is_inf(num))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("cannot convert infinity to jsonb")));
	pfree(str);
	jv->type = jbvNumeric;
	jv->val.numeric = num;
}

/*
 * jsonb_plpython's plpython_to_jsonb, from tokens: pushed as they come
 * (pushJsonbValue keeps the open containers, so no recursion here), each
 * checked against where it comes first (pushJsonbValue trusts its caller).
 */
static Datum
decode_jsonb(PLSType *t, const PLSValue *v, bool *isnull)
{
	JsonbParseState *state = NULL;
	JsonbValue *res = NULL;
	bool		after_key = false;	/* in an object, a key was pushed */
	const char *p = v->u.str.data;
	const char *end = p + v->u.str.len;
	uint32		n = 0;

	if (v->kind != PLS_V_JSON)
		pls_decode_malformed(t);
	while (p < end)
	{
		PLSJsonTok	tok;
		JsonbValue	jv;
		bool		in_object = state != NULL && state->contVal.type == jbvObject;
		JsonbIteratorToken r;
		JsonbValue *closed;

		if (res != NULL || !pls_json_next(&p, end, &tok))
			pls_decode_malformed(t);
		if (++n % TRF_INTERRUPT_STRIDE == 0)
			CHECK_FOR_INTERRUPTS();
		switch (tok.tag)
		{
			case PLS_J_ARRAY:
			case PLS_J_OBJECT:
				if (in_object && !after_key)
					pls_decode_malformed(t);
				(void) pushJsonbValue(&state, tok.tag == PLS_J_ARRAY ?
									  WJB_BEGIN_ARRAY : WJB_BEGIN_OBJECT, NULL);
				after_key = false;
				continue;
			case PLS_J_END_ARRAY:
			case PLS_J_END_OBJECT:
				if (state == NULL || in_object != (tok.tag == PLS_J_END_OBJECT) ||
					after_key)
					pls_decode_malformed(t);
				r = tok.tag == PLS_J_END_ARRAY ? WJB_END_ARRAY : WJB_END_OBJECT;
				closed = pushJsonbValue(&state, r, NULL);
				if (state == NULL)
					res = closed;
				continue;
			case PLS_J_NULL:
				jv.type = jbvNull;
				break;
			case PLS_J_TRUE:
			case PLS_J_FALSE:
				jv.type = jbvBool;
				jv.val.boolean = (tok.tag == PLS_J_TRUE);
				break;
			case PLS_J_STRING:
				jv.type = jbvString;
				jv.val.string.val = token_text(t, &tok);
				jv.val.string.len = strlen(jv.val.string.val);
				break;
			case PLS_J_NUMBER:
				jsonb_number(t, &tok, &jv);
				break;
			default:
				pls_decode_malformed(t);
		}

		/* a scalar: the whole value, a key, a member's value or an element */
		if (state == NULL)
		{
			res = palloc(sizeof(JsonbValue));
			*res = jv;
		}
		else if (!in_object)
			(void) pushJsonbValue(&state, WJB_ELEM, &jv);
		else if (after_key)
		{
			(void) pushJsonbValue(&state, WJB_VALUE, &jv);
			after_key = false;
		}
		else if (jv.type == jbvString)
		{
			(void) pushJsonbValue(&state, WJB_KEY, &jv);
			after_key = true;
		}
		else
			pls_decode_malformed(t);
	}
	if (res == NULL)
		pls_decode_malformed(t);
	return JsonbPGetDatum(JsonbValueToJsonb(res));
}

/* s (UTF-8, len bytes) as an hstore literal's quoted string */
static void
hstore_put_quoted(StringInfo buf, const char *s, size_t len)
{
	appendStringInfoChar(buf, '"');
	for (size_t i = 0; i < len; i++)
	{
		if (s[i] == '"' || s[i] == '\\')
			appendStringInfoChar(buf, '\\');
		appendStringInfoChar(buf, s[i]);
	}
	appendStringInfoChar(buf, '"');
}

/*
 * hstore_plpython's plpython_to_hstore, from tokens (an object of strings
 * and nulls): as hstore's text, read by its input function.  Built in
 * UTF-8, whose multibyte characters hold no '"' or '\', then converted.
 */
static Datum
decode_hstore(PLSType *t, const PLSValue *v, bool *isnull)
{
	const char *p = v->u.str.data;
	const char *end = p + v->u.str.len;
	PLSJsonTok	tok;
	StringInfoData buf;
	char	   *str;
	Datum		res;
	uint32		n = 0;

	if (v->kind != PLS_V_JSON || !pls_json_next(&p, end, &tok) ||
		tok.tag != PLS_J_OBJECT)
		pls_decode_malformed(t);
	initStringInfo(&buf);
	for (;;)
	{
		if (!pls_json_next(&p, end, &tok))
			pls_decode_malformed(t);
		if (tok.tag == PLS_J_END_OBJECT)
			break;
		if (++n % TRF_INTERRUPT_STRIDE == 0)
			CHECK_FOR_INTERRUPTS();
		if (tok.tag != PLS_J_STRING || memchr(tok.data, '\0', tok.len) != NULL)
			pls_decode_malformed(t);
		if (n > 1)
			appendStringInfoString(&buf, ", ");
		hstore_put_quoted(&buf, tok.data, tok.len);
		appendStringInfoString(&buf, "=>");
		if (!pls_json_next(&p, end, &tok))
			pls_decode_malformed(t);
		if (tok.tag == PLS_J_NULL)
			appendStringInfoString(&buf, "NULL");
		else if (tok.tag == PLS_J_STRING && memchr(tok.data, '\0', tok.len) == NULL)
			hstore_put_quoted(&buf, tok.data, tok.len);
		else
			pls_decode_malformed(t);
	}
	if (p != end)
		pls_decode_malformed(t);
	str = pls_utf8_to_server(buf.data, buf.len);
	res = InputFunctionCall(&t->typinput, str, t->typioparam, t->typmod);
	pfree(buf.data);
	pfree(str);
	return res;
}

/* ---------- set-up ---------- */

bool
pls_trf_type_init(PLSType *t, Oid typoid, int32 typmod, MemoryContext mcxt)
{
	bool		jsonb = (t->trf.jsonb && typoid == JSONBOID);

	if (!jsonb && (!OidIsValid(t->trf.hstore) || typoid != t->trf.hstore))
		return false;
	/* the scalar's input and output functions (hstore's are used) */
	pls_scalar_init(t, typoid, typmod, mcxt);
	t->to_py = trf_to_py;
	t->to_value = jsonb ? jsonb_to_value : hstore_to_value;
	t->shape_data.kind = jsonb ? PLS_S_JSONB : PLS_S_HSTORE;
	t->decode = jsonb ? decode_jsonb : decode_hstore;
	return true;
}
