/*
 * test/value_link_test.c: the Python side of value conversion (encode.c,
 * value_py.c) built and run with no PostgreSQL at all, as the worker will
 * link it: compiled without PostgreSQL's headers, linked with Python only,
 * with this file standing in for the core and its host (pyhost.h).
 * Converts Python objects to door values for shapes and door values back
 * to Python objects, and checks each outcome exactly: the values, the
 * objects' reprs, the errors (SQLSTATE, message, hint) and the Python
 * exceptions.
 *
 * Run by test/value_link.sh (make test/value_link_test).
 */
#include <Python.h>
#include <stdio.h>
#include <string.h>

#include "pyhost.h"
#include "pyvalue.h"

/* ---------- the test host ---------- */

/*
 * What encode.c and value_py.c take from the Python side's core and its
 * host: the current interpreter (its interrupt exception), the host's
 * interrupt flag, and decimal.Decimal (the core's trusted loader imports
 * it on first use; here a plain import does).
 */
static PLSInterp interp;
PLSInterp  *pls_current = &interp;
static bool interrupt_flag = false;
static int	decimal_imports = 0;

bool
pls_host_interrupt_pending(void)
{
	return interrupt_flag;
}

PyObject *
pls_sandbox_decimal(PLSInterp *in)
{
	PyObject   *mod = PyImport_ImportModule("decimal");

	if (mod == NULL)
		return NULL;
	decimal_imports++;
	in->decimal = PyObject_GetAttrString(mod, "Decimal");
	Py_DECREF(mod);
	return in->decimal;
}

/* ---------- checks ---------- */

static int	passed = 0;
static int	failed = 0;

static void
check(bool ok, const char *name, const char *got)
{
	if (ok)
	{
		passed++;
		printf("ok   %s\n", name);
	}
	else
	{
		failed++;
		printf("FAIL %s: got %s\n", name, got ? got : "(nothing)");
	}
}

static PyObject *globals;

static PyObject *
eval(const char *expr)
{
	PyObject   *o = PyRun_String(expr, Py_eval_input, globals, globals);

	if (o == NULL)
	{
		PyErr_Print();
		fprintf(stderr, "cannot evaluate %s\n", expr);
		exit(2);
	}
	return o;
}

/* repr(o), or the pending exception as "Type: message" (cleared) */
static char result[4096];

static const char *
describe(PyObject *o)
{
	PyObject   *type,
			   *value,
			   *tb,
			   *s;

	if (o != NULL)
	{
		s = PyObject_Repr(o);
		snprintf(result, sizeof(result), "%s", s ? PyUnicode_AsUTF8(s) : "?");
		Py_XDECREF(s);
		return result;
	}
	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	s = value ? PyObject_Str(value) : NULL;
	snprintf(result, sizeof(result), "%s: %s",
			 type ? ((PyTypeObject *) type)->tp_name : "no exception",
			 s ? PyUnicode_AsUTF8(s) : "");
	Py_XDECREF(s);
	Py_XDECREF(type);
	Py_XDECREF(value);
	Py_XDECREF(tb);
	return result;
}

/* a door value, as text: kinds and contents */
static void
show_value(const PLSValue *v, char *buf, size_t size)
{
	size_t		used = strlen(buf);

	buf += used;
	size -= used;
	switch (v->kind)
	{
		case PLS_V_NULL:
			snprintf(buf, size, "NULL");
			break;
		case PLS_V_BOOL:
			snprintf(buf, size, "BOOL %s", v->u.b ? "t" : "f");
			break;
		case PLS_V_INT64:
			snprintf(buf, size, "INT64 %lld", (long long) v->u.i);
			break;
		case PLS_V_FLOAT8:
			snprintf(buf, size, "FLOAT8 %.17g", v->u.f);
			break;
		case PLS_V_TEXT:
		case PLS_V_NUMERIC:
		case PLS_V_BYTES:
			snprintf(buf, size, "%s %zu:",
					 v->kind == PLS_V_TEXT ? "TEXT" :
					 v->kind == PLS_V_BYTES ? "BYTES" : "NUMERIC",
					 v->u.str.len);
			for (size_t i = 0; i < v->u.str.len && strlen(buf) + 4 < size; i++)
				snprintf(buf + strlen(buf), size - strlen(buf),
						 (unsigned char) v->u.str.data[i] < 0x20 ? "\\%02x" : "%c",
						 (unsigned char) v->u.str.data[i]);
			break;
		case PLS_V_ARRAY:
			snprintf(buf, size, "ARRAY %d [", v->u.array.ndims);
			for (int i = 0; i < v->u.array.ndims; i++)
				snprintf(buf + strlen(buf), size - strlen(buf), "%s%d",
						 i ? "," : "", v->u.array.dims[i]);
			snprintf(buf + strlen(buf), size - strlen(buf), "] (");
			for (size_t i = 0; i < v->u.array.n; i++)
			{
				if (i)
					snprintf(buf + strlen(buf), size - strlen(buf), ", ");
				show_value(&v->u.array.elems[i], buf, size);
			}
			snprintf(buf + strlen(buf), size - strlen(buf), ")");
			break;
		case PLS_V_ROW:
			snprintf(buf, size, "ROW %d (", v->u.row.natts);
			for (int i = 0; i < v->u.row.natts; i++)
			{
				if (i)
					snprintf(buf + strlen(buf), size - strlen(buf), ", ");
				show_value(&v->u.row.atts[i], buf, size);
			}
			snprintf(buf + strlen(buf), size - strlen(buf), ")");
			break;
		default:
			snprintf(buf, size, "kind %d", v->kind);
	}
}

/* the outcome of encoding expr for s, as text */
static const char *
encode_outcome(const PLSShape *s, const char *expr, PLSEncoder *e, PLSValue *v)
{
	PyObject   *o = eval(expr);

	pls_encoder_init(e);
	e->root = o;
	if (pls_encode(e, s, o, v))
	{
		result[0] = '\0';
		show_value(v, result, sizeof(result));
	}
	else if (e->pyexc)
		describe(NULL);
	else
	{
		char		state[6];

		for (int i = 0; i < 5; i++)
			state[i] = '0' + ((e->sqlerrcode >> (6 * i)) & 0x3F);
		state[5] = '\0';
		snprintf(result, sizeof(result), "ERROR %s: %s%s%s%s%s", state,
				 e->message ? e->message : "",
				 e->detail ? " DETAIL: " : "", e->detail ? e->detail : "",
				 e->hint ? " HINT: " : "", e->hint ? e->hint : "");
	}
	Py_DECREF(o);
	return result;
}

/* encode expr for s, expect want; the value stays usable until freed */
static void
check_encode(const char *name, const PLSShape *s, const char *expr,
			 const char *want)
{
	PLSEncoder	e;
	PLSValue	v;
	const char *got = encode_outcome(s, expr, &e, &v);

	check(strcmp(got, want) == 0, name, got);
	pls_encoder_free(&e);
}

/*
 * encode expr for s, give a row the column names, convert back: expect
 * the object's repr to be want
 */
static void
check_roundtrip(const char *name, const PLSShape *s, const char *expr,
				const char *const *names, const char *want)
{
	PLSEncoder	e;
	PLSValue	v;
	PyObject   *back = NULL;
	PyObject   *o = eval(expr);

	pls_encoder_init(&e);
	e.root = o;
	if (pls_encode(&e, s, o, &v))
	{
		if (v.kind == PLS_V_ROW)
			v.u.row.names = names;
		back = pls_value_to_py(&v);
	}
	check(strcmp(describe(back), want) == 0, name, result);
	Py_XDECREF(back);
	Py_DECREF(o);
	pls_encoder_free(&e);
}

static void
check_to_py(const char *name, const PLSValue *v, const char *want)
{
	PyObject   *o = pls_value_to_py(v);

	check(strcmp(describe(o), want) == 0, name, result);
	Py_XDECREF(o);
}

static PLSValue
text_value(PLSValueKind kind, const char *s)
{
	PLSValue	v;

	v.kind = kind;
	v.u.str.data = s;
	v.u.str.len = strlen(s);
	return v;
}

int
main(void)
{
	static const PLSShape int4 = {PLS_S_INT4};
	static const PLSShape int2 = {PLS_S_INT2};
	static const PLSShape text = {PLS_S_TEXT};
	static const PLSShape textform = {PLS_S_TEXTFORM};
	static const PLSShape float8 = {PLS_S_FLOAT8};
	static const PLSShape boolean = {PLS_S_BOOL};
	static const PLSShape bytea = {PLS_S_BYTEA};
	static const PLSShape int4s = {PLS_S_ARRAY, &int4};
	static const PLSShape *const pair_atts[] = {&int4, &text};
	static const char *const pair_names[] = {"a", "b"};
	static const PLSShape pair = {PLS_S_ROW, NULL, 2, pair_atts, pair_names, true};
	static const PLSShape *const gone_atts[] = {&int4, NULL, &text};
	static const char *const gone_names[] = {"a", "gone", "b"};
	static const PLSShape gone = {PLS_S_ROW, NULL, 3, gone_atts, gone_names, true};
	static const PLSShape pairs = {PLS_S_ARRAY, &pair};
	PyConfig	config;
	PyStatus	status;

	PyConfig_InitIsolatedConfig(&config);
	status = Py_InitializeFromConfig(&config);
	PyConfig_Clear(&config);
	if (PyStatus_Exception(status))
		Py_ExitStatusException(status);
	interp.exc_interrupted = PyErr_NewException("plsafepy.Interrupted",
												PyExc_BaseException, NULL);
	globals = PyDict_New();
	PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins());
	PyRun_String("class Obj:\n"
				 "    a = 5\n"
				 "    b = 'attr'\n"
				 "class Bad:\n"
				 "    def __str__(self):\n"
				 "        raise ValueError('no str')\n",
				 Py_file_input, globals, globals);

	/* Python -> door value (encode.c) */
	check_encode("int", &int4, "42", "INT64 42");
	check_encode("int out of int2 range: text form", &int2, "40000", "TEXT 5:40000");
	check_encode("int beyond int64: text form", &int4, "2**70",
				 "TEXT 22:1180591620717411303424");
	check_encode("float", &float8, "1.5", "FLOAT8 1.5");
	check_encode("int as float8", &float8, "-3", "FLOAT8 -3");
	check_encode("float for text: repr", &textform, "0.1", "TEXT 3:0.1");
	check_encode("str, cut at a zero character", &text, "'ab\\0cd'", "TEXT 2:ab");
	check_encode("non-ASCII str as UTF-8", &text, "'h\\xe9'", "TEXT 3:h\xc3\xa9");
	check_encode("truth value", &boolean, "[]", "BOOL f");
	check_encode("bytes with zeros", &bytea, "b'\\x00a\\x00'", "BYTES 3:\\00a\\00");
	check_encode("None", &int4, "None", "NULL");
	check_encode("2-D array with a null", &int4s, "[[1, None], [3, 4]]",
				 "ARRAY 2 [2,2] (INT64 1, NULL, INT64 3, INT64 4)");
	check_encode("empty list", &int4s, "[]", "ARRAY 0 [] ()");
	check_encode("ragged array", &int4s, "[[1], [2, 3]]",
				 "ERROR 22P02: multidimensional arrays must have array expressions with matching dimensions");
	check_encode("too many dimensions", &int4s, "[[[[[[[1]]]]]]]",
				 "ERROR 54000: number of array dimensions exceeds the maximum allowed (6)");
	check_encode("array not a sequence", &int4s, "5",
				 "ERROR 42804: return value of function with array return type is not a Python sequence");
	check_encode("row from a tuple", &pair, "(1, 'x')", "ROW 2 (INT64 1, TEXT 1:x)");
	check_encode("row from a mapping, dropped column", &gone,
				 "{'a': 1, 'b': 'y'}", "ROW 3 (INT64 1, NULL, TEXT 1:y)");
	check_encode("row from an object", &pair, "Obj()", "ROW 2 (INT64 5, TEXT 4:attr)");
	check_encode("row: missing key", &pair, "{'a': 1}",
				 "ERROR 42703: key \"b\" not found in mapping HINT: To return null in a column, add the value None to the mapping with the key named after the column.");
	check_encode("row: wrong length", &pair, "[1]",
				 "ERROR 42804: length of returned sequence did not match number of columns in row");
	check_encode("row literal in an array", &pairs, "['x']",
				 "ERROR 22P02: malformed record literal: \"x\" DETAIL: Missing left parenthesis. HINT: To return a composite type in an array, return the composite type as a Python tuple, e.g., \"[('foo',)]\".");
	check_encode("failing __str__", &textform, "Bad()",
				 "ERROR 38000: could not create string representation of Python object DETAIL: ValueError: no str");

	/* the host's interrupt stops a long conversion */
	interrupt_flag = true;
	check_encode("interrupt while encoding", &int4s, "list(range(10))",
				 "Interrupted: ");
	{
		PLSValue	elems[2] = {{PLS_V_INT64, {.i = 1}}, {PLS_V_INT64, {.i = 2}}};
		PLSValue	arr = {PLS_V_ARRAY};

		arr.u.array.ndims = 1;
		arr.u.array.dims[0] = 2;
		arr.u.array.n = 2;
		arr.u.array.elems = elems;
		check_to_py("interrupt while converting to Python", &arr, "Interrupted: ");
		interrupt_flag = false;
		check_to_py("array", &arr, "[1, 2]");
		arr.u.array.n = 3;
		check_to_py("array with the wrong count", &arr,
					"ValueError: array value's dimensions do not match its elements");
	}

	/* packed arrays: what convert_array.c's C-array path gives */
	{
		static const int32_t i4[] = {1, -2, 3, 2147483647, -2147483647 - 1};
		static const int16_t i2[] = {-32768, 32767};
		static const uint8_t bools[] = {1, 0, 2};
		static const int64_t i8[] = {INT64_MIN, INT64_MAX};
		static const uint32_t oids[] = {0, UINT32_MAX};
		static const float f4[] = {1.1f, -0.0f};
		static const double f8[] = {0.5, -1e300};
		/* 2 x 3: elements 1 and 4 NULL (the bits past 6 mean nothing) */
		static const uint8_t nulls[] = {0xED};
		static const struct
		{
			const char *what;
			uint8_t		elem;
			int			n;
			const void *data;
			const char *repr;
		}			cases[] = {
			{"packed int4", PLS_P_INT4, 5, i4, "[1, -2, 3, 2147483647, -2147483648]"},
			{"packed int2", PLS_P_INT2, 2, i2, "[-32768, 32767]"},
			{"packed int8", PLS_P_INT8, 2, i8, "[-9223372036854775808, 9223372036854775807]"},
			{"packed oid", PLS_P_OID, 2, oids, "[0, 4294967295]"},
			{"packed float4, widened", PLS_P_FLOAT4, 2, f4, "[1.100000023841858, -0.0]"},
			{"packed float8", PLS_P_FLOAT8, 2, f8, "[0.5, -1e+300]"},
			{"packed bool: any nonzero byte is true", PLS_P_BOOL, 3, bools, "[True, False, True]"},
		};
		PLSValue	p = {PLS_V_PACKED};

		p.u.packed.ndims = 1;
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		{
			p.u.packed.elem = cases[i].elem;
			p.u.packed.dims[0] = cases[i].n;
			p.u.packed.n = (uint32_t) cases[i].n;
			p.u.packed.data = cases[i].data;
			check_to_py(cases[i].what, &p, cases[i].repr);
		}
		p.u.packed.n = 4;
		check_to_py("packed array with the wrong count", &p,
					"ValueError: array value's dimensions do not match its elements");
		p.u.packed.n = 3;
		p.u.packed.elem = PLS_P_LAST + 1;
		check_to_py("packed array of an unknown element", &p,
					"ValueError: unknown packed element 7");
		p.u.packed.elem = PLS_P_INT4;
		p.u.packed.ndims = 2;
		p.u.packed.dims[0] = 2;
		p.u.packed.dims[1] = 3;
		p.u.packed.n = 6;
		p.u.packed.nulls = nulls;
		p.u.packed.data = (const char *) i4;
		check_to_py("packed int4, 2-D with nulls", &p,
					"[[1, None, -2], [3, None, 2147483647]]");
		interrupt_flag = true;
		check_to_py("interrupt while converting a packed array", &p,
					"Interrupted: ");
		interrupt_flag = false;
	}

	/* both ways */
	check_roundtrip("int", &int4, "7", NULL, "7");
	check_roundtrip("float", &float8, "float('-inf')", NULL, "-inf");
	check_roundtrip("str", &text, "'\\u2603 \\U0001d11e'", NULL, "'\xe2\x98\x83 \xf0\x9d\x84\x9e'");
	check_roundtrip("bytes", &bytea, "b'\\x00\\xff'", NULL, "b'\\x00\\xff'");
	check_roundtrip("bool", &boolean, "'x'", NULL, "True");
	check_roundtrip("2-D array", &int4s, "[[1, None], [3, 4]]", NULL, "[[1, None], [3, 4]]");
	check_roundtrip("empty array", &int4s, "[]", NULL, "[]");
	check_roundtrip("row with names", &pair, "(1, 'x')", pair_names, "{'a': 1, 'b': 'x'}");
	check_roundtrip("row without names", &pair, "(1, 'x')", NULL,
					"TypeError: row value has no column names");

	/* door values from the PostgreSQL side (value_py.c) */
	{
		PLSValue	v = text_value(PLS_V_NUMERIC, "1.50");
		PLSValue	atts[2];
		static const char *const names[] = {"\xc3\xa7", "\xc3\xa7"};
		PLSValue	row = {PLS_V_ROW};
		PLSValue   *chain;

		check_to_py("numeric", &v, "Decimal('1.50')");
		v = text_value(PLS_V_NUMERIC, "NaN");
		check_to_py("numeric NaN", &v, "Decimal('NaN')");
		v = text_value(PLS_V_NUMERIC, "-Infinity");
		check_to_py("numeric -Infinity", &v, "Decimal('-Infinity')");
		check(decimal_imports == 1, "decimal imported once", NULL);
		v = text_value(PLS_V_TEXT, "\xff");
		check_to_py("invalid UTF-8", &v,
					"UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte");
		v.kind = 42;
		check_to_py("unknown kind", &v, "ValueError: unknown value kind 42");

		/* a repeated column name: the last value, at the first's place */
		atts[0] = text_value(PLS_V_TEXT, "first");
		atts[1] = text_value(PLS_V_TEXT, "last");
		row.u.row.natts = 2;
		row.u.row.atts = atts;
		row.u.row.names = names;
		check_to_py("repeated column name", &row, "{'\xc3\xa7': 'last'}");

		/* rows nested deeper than the recursion limit */
		chain = PyMem_Calloc(100000, sizeof(PLSValue));
		for (int i = 0; i < 100000; i++)
		{
			chain[i].kind = PLS_V_ROW;
			chain[i].u.row.natts = i < 99999 ? 1 : 0;
			chain[i].u.row.atts = &chain[i + 1];
			chain[i].u.row.names = names;
		}
		check_to_py("deep nesting", chain,
					"RecursionError: maximum recursion depth exceeded while converting a value");
		PyMem_Free(chain);
	}

	printf("value_link: %d passed, %d failed\n", passed, failed);
	Py_DECREF(globals);
	Py_CLEAR(interp.decimal);
	Py_CLEAR(interp.exc_interrupted);
	if (Py_FinalizeEx() < 0)
		return 1;
	return failed ? 1 : 0;
}
