/*-------------------------------------------------------------------------
 *
 * convert_row.c
 *	  Rows (composite types and RECORD): a row as a dict (Datum -> Python),
 *	  the row type cached per PLSType and rebuilt when the type changes,
 *	  with its column conversions and the shape the Python side encodes a
 *	  row for (PLSShape), and making a type's shape current before a value
 *	  is encoded for it (pls_type_resolve).
 *
 *-------------------------------------------------------------------------
 */
#include "convert_int.h"

static void set_row_desc(PLSType *t, TupleDesc desc);
static bool setup_atts(PLSType *t, TupleDesc desc);

/*
 * User code run while a row is encoded may run SQL that calls the same
 * function again: that call must not rebuild the row shape being read.
 */
static void
check_shape_not_busy(const PLSShape *s)
{
	if (pls_shape_busy(s))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_IN_USE),
				 errmsg("row type changed while a value of it was being converted")));
}

/*
 * The row type of a composite value of type typid/typmod, as t's cached
 * copy: rebuilt when the type changed (ALTER TYPE, ALTER TABLE), noticed by
 * the type cache's descriptor identifier.
 */
TupleDesc
pls_row_desc(PLSType *t, Oid typid, int32 typmod)
{
	if (typid != RECORDOID)
	{
		TypeCacheEntry *tc = lookup_type_cache(typid, TYPECACHE_TUPDESC);

		if (tc->tupDesc == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("type %s is not composite",
							format_type_be(typid))));
		if (t->tupdesc == NULL || t->tupdesc->tdtypeid != typid ||
			t->tupdesc_id != tc->tupDesc_identifier)
		{
			set_row_desc(t, tc->tupDesc);
			t->tupdesc_id = tc->tupDesc_identifier;
		}
	}
	else
	{
		/* a registered (blessed) record type never changes */
		if (t->tupdesc == NULL || t->tupdesc->tdtypeid != RECORDOID ||
			t->tupdesc->tdtypmod != typmod || typmod < 0)
		{
			TupleDesc	desc = lookup_rowtype_tupdesc(RECORDOID, typmod);

			set_row_desc(t, desc);
			ReleaseTupleDesc(desc);
			t->tupdesc_id = 0;
		}
	}
	return t->tupdesc;
}

/*
 * The columns of tuple as a dict; generated columns only if asked (a BEFORE
 * trigger's new row has not computed them yet).  t->atts must match desc.
 */
static PyObject *
tuple_to_dict(PLSType *t, HeapTuple tuple, TupleDesc desc,
			  bool include_generated)
{
	PyObject   *volatile dict;
	Datum		values_buf[32];
	bool		nulls_buf[32];
	Datum	   *values = values_buf;
	bool	   *nulls = nulls_buf;
	bool		ok = true;

	dict = PyDict_New();
	if (dict == NULL)
		return NULL;

	PG_TRY();
	{
		int			i;

		/* one pass over the tuple, not one per column */
		if (desc->natts > lengthof(values_buf))
		{
			values = palloc(sizeof(Datum) * desc->natts);
			nulls = palloc(sizeof(bool) * desc->natts);
		}
		heap_deform_tuple(tuple, desc, values, nulls);

		for (i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute attr = TupleDescAttr(desc, i);
			PLSType    *att = &t->atts[i];
			const char *name;
			PyObject   *key;
			PyObject   *value;

			if (attr->attisdropped)
				continue;
			if (attr->attgenerated && !include_generated)
				continue;

			if (nulls[i])
			{
				value = Py_None;
				Py_INCREF(value);
			}
			else if ((value = att->to_py(att, values[i])) == NULL)
			{
				ok = false;
				break;
			}

			name = NameStr(attr->attname);
			key = pls_str_from_server(name, strlen(name));
			if (key == NULL || PyDict_SetItem(dict, key, value) < 0)
			{
				Py_XDECREF(key);
				Py_DECREF(value);
				ok = false;
				break;
			}
			Py_DECREF(key);
			Py_DECREF(value);
		}
		if (values != values_buf)
		{
			pfree(values);
			pfree(nulls);
		}
	}
	PG_CATCH();
	{
		Py_DECREF(dict);
		PG_RE_THROW();
	}
	PG_END_TRY();

	if (!ok)
	{
		Py_DECREF(dict);
		return NULL;
	}
	return dict;
}

PyObject *
pls_composite_to_py(PLSType *t, Datum d)
{
	HeapTupleHeader td = DatumGetHeapTupleHeader(d);
	HeapTupleData tmptup;
	TupleDesc	desc;
	PyObject   *res;

	desc = pls_row_desc(t, HeapTupleHeaderGetTypeId(td),
					HeapTupleHeaderGetTypMod(td));
	tmptup.t_len = HeapTupleHeaderGetDatumLength(td);
	ItemPointerSetInvalid(&tmptup.t_self);
	tmptup.t_tableOid = InvalidOid;
	tmptup.t_data = td;

	res = tuple_to_dict(t, &tmptup, desc, true);
	if ((Pointer) td != DatumGetPointer(d))
		pfree(td);
	return res;
}

/* Does every column of desc have its conversion in t->atts already? */
static bool
atts_match(PLSType *t, TupleDesc desc)
{
	if (t->atts == NULL || t->natts != desc->natts)
		return false;
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, i);
		PLSType    *att = &t->atts[i];

		if (attr->attisdropped ? att->to_py != NULL :
			(att->to_py == NULL || att->typoid != attr->atttypid ||
			 att->typmod != attr->atttypmod ||
			 strcmp(t->shape_data.attnames[i], NameStr(attr->attname)) != 0))
			return false;
	}
	return true;
}

/*
 * Per-column conversions for desc, with the row's shape.  They live in
 * their own context, rebuilt as a whole when the columns change, so that a
 * row type that keeps changing (a RECORD function called with alternating
 * column lists) does not grow memory.  Dropped columns get no conversion.
 * Returns true if anything changed.
 */
static bool
setup_atts(PLSType *t, TupleDesc desc)
{
	const PLSShape **shapes;
	const char **names;
	int			natts = desc->natts;

	if (atts_match(t, desc))
		return false;
	check_shape_not_busy(&t->shape_data);

	if (t->attcxt)
		MemoryContextDelete(t->attcxt);
	t->atts = NULL;
	t->natts = 0;
	t->atts_have_rows = false;
	t->shape_data.rowknown = false;
	t->attcxt = AllocSetContextCreate(t->mcxt, "plsafepy row columns",
									  ALLOCSET_SMALL_SIZES);
	t->atts = MemoryContextAllocZero(t->attcxt, sizeof(PLSType) * Max(natts, 1));
	shapes = MemoryContextAllocZero(t->attcxt, sizeof(PLSShape *) * Max(natts, 1));
	names = MemoryContextAllocZero(t->attcxt, sizeof(char *) * Max(natts, 1));
	for (int i = 0; i < natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, i);

		names[i] = MemoryContextStrdup(t->attcxt, NameStr(attr->attname));
		if (attr->attisdropped)
			continue;
		pls_type_init(&t->atts[i], attr->atttypid, attr->atttypmod, t->attcxt,
					  &t->trf);
		shapes[i] = t->atts[i].shape;
		if (pls_type_has_row(&t->atts[i]))
			t->atts_have_rows = true;
	}
	t->natts = natts;
	t->shape_data.natts = natts;
	t->shape_data.atts = shapes;
	t->shape_data.attnames = names;
	t->shape_data.rowknown = true;
	return true;
}

/* Make (a copy of) desc t's row type, with its column conversions. */
static void
set_row_desc(PLSType *t, TupleDesc desc)
{
	MemoryContext old;
	TupleDesc	copy;

	check_shape_not_busy(&t->shape_data);
	old = MemoryContextSwitchTo(t->mcxt);
	copy = CreateTupleDescCopy(desc);
	MemoryContextSwitchTo(old);
	setup_atts(t, copy);
	if (t->tupdesc)
		FreeTupleDesc(t->tupdesc);
	t->tupdesc = copy;
}

/* Same column names and types, in the same places. */
static bool
same_row_shape(TupleDesc a, TupleDesc b)
{
	if (a->natts != b->natts)
		return false;
	for (int i = 0; i < a->natts; i++)
	{
		Form_pg_attribute x = TupleDescAttr(a, i);
		Form_pg_attribute y = TupleDescAttr(b, i);

		if (x->atttypid != y->atttypid || x->atttypmod != y->atttypmod ||
			x->attisdropped != y->attisdropped ||
			strcmp(NameStr(x->attname), NameStr(y->attname)) != 0)
			return false;
	}
	return true;
}

void
pls_type_set_tupdesc(PLSType *t, TupleDesc desc)
{
	/* called per call with the same row type: make that cheap */
	if (t->tupdesc != NULL && t->tupdesc->tdtypeid == desc->tdtypeid &&
		((desc->tdtypmod >= 0 && desc->tdtypmod == t->tupdesc->tdtypmod) ||
		 same_row_shape(t->tupdesc, desc)))
		return;

	set_row_desc(t, desc);

	/*
	 * A row built from it must carry a registered type: bless the copy (the
	 * registry keeps its own copy, so ours may go away later).
	 */
	if (t->tupdesc->tdtypeid == RECORDOID)
		BlessTupleDesc(t->tupdesc);
	t->tupdesc_id = 0;
}

bool
pls_type_has_row(PLSType *t)
{
	while (t->base || t->elem)
		t = t->base ? t->base : t->elem;
	return t->shape_data.kind == PLS_S_ROW;
}

void
pls_type_resolve(PLSType *t)
{
	check_stack_depth();
	while (t->base || t->elem)
		t = t->base ? t->base : t->elem;
	if (t->shape_data.kind != PLS_S_ROW)
		return;
	if (t->typoid != RECORDOID)
		(void) pls_row_desc(t, t->typoid, t->typmod);
	else if (t->tupdesc == NULL)
		return;					/* encoding says the row type is unknown */
	if (!t->atts_have_rows)
		return;
	for (int i = 0; i < t->natts; i++)
		if (t->atts[i].to_py != NULL && pls_type_has_row(&t->atts[i]))
			pls_type_resolve(&t->atts[i]);
}

PyObject *
pls_tuple_to_dict(PLSType *rowtype, HeapTuple tuple, TupleDesc desc)
{
	/* a cached row type the columns no longer match is dropped */
	if (setup_atts(rowtype, desc) && rowtype->tupdesc != NULL)
	{
		FreeTupleDesc(rowtype->tupdesc);
		rowtype->tupdesc = NULL;
		rowtype->tupdesc_id = 0;
	}
	return tuple_to_dict(rowtype, tuple, desc, true);
}

