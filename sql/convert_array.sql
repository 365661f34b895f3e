--
-- Type conversion of arrays: nested lists in, any sequence out, with
-- PL/Python's dimension rules and messages (checked against plpython3u).
--
CREATE ROLE regress_plsafepy_arr;
GRANT CREATE ON SCHEMA public TO regress_plsafepy_arr;
SET ROLE regress_plsafepy_arr;
\set SHOW_CONTEXT never

CREATE FUNCTION arr_try(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  r text;
  st text;
  msg text;
  det text;
  hin text;
BEGIN
  EXECUTE q INTO r;
  RETURN coalesce(r, '<NULL>');
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                          det = PG_EXCEPTION_DETAIL, hin = PG_EXCEPTION_HINT;
  RETURN st || ': ' || msg
         || CASE WHEN det <> '' THEN E'\nDETAIL: ' || det ELSE '' END
         || CASE WHEN hin <> '' THEN E'\nHINT: ' || hin ELSE '' END;
END $$;

--
-- SQL -> Python: nested lists, whatever the lower bounds
--
CREATE FUNCTION arr_in(a int[]) RETURNS text LANGUAGE plsafepy AS $$ return repr(a) $$;
SELECT arr_in('{1,2,3}'), arr_in('{}'), arr_in('{NULL,1}'), arr_in(NULL);
SELECT arr_in('{{1,2},{3,4},{5,6}}'), arr_in('[2:3]={7,8}'),
       arr_in('{{{1},{2}},{{3},{NULL}}}');
SELECT arr_in('{{{{{{1,2}}}}}}');

CREATE FUNCTION arr_types(t text[], n numeric[], b bytea[], f float8[],
                          bo bool[], d date[], i8 int8[], v varchar[])
RETURNS text LANGUAGE plsafepy AS $$
return '\n'.join([repr(x) for x in (t, n, b, f, bo, d, i8, v)])
$$;
SELECT arr_types('{a,"b c",NULL,""}', '{1.5,NaN,NULL}', '{"\\x00ff",NULL}',
                 '{0.1,-Infinity}', '{t,f,NULL}', '{2024-01-01}',
                 '{9223372036854775807}', '{x}');

-- arrays of domains and domains over arrays read as the base type
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
CREATE DOMAIN posints AS int[] CHECK (array_length(VALUE, 1) < 4);
CREATE FUNCTION dom_arr_in(a posint[], b posints) RETURNS text
LANGUAGE plsafepy AS $$ return repr(a) + ' ' + repr(b) $$;
SELECT dom_arr_in('{1,2}', '{3}');

-- int2vector and oidvector are arrays too
CREATE FUNCTION vec_in(a int2vector, b oidvector) RETURNS text
LANGUAGE plsafepy AS $$ return repr(a) + ' ' + repr(b) $$;
SELECT vec_in('1 2 3', '23 25');

--
-- Python -> SQL
--
CREATE FUNCTION arr_out(k text) RETURNS int[] LANGUAGE plsafepy AS $$
class Seq:
    def __len__(self):
        return 2
    def __getitem__(self, i):
        if i >= 2:
            raise IndexError(i)
        return i * 10
v = {
    'list': [1, 2, 3],
    'empty': [],
    'nulls': [None, 1, None],
    'tuple': (4, 5),
    'range': range(3),
    'seq': Seq(),
    '2d': [[1, 2], [3, 4]],
    '3d': [[[1], [2]], [[3], [4]]],
    '6d': [[[[[[1, 2]]]]]],
    'empty_2d': [[], []],
    'str': '123',
    'bytes': b'\x01\x02',
    'tuple_of_lists': ([1, 2], [3, 4]),
    'none': None,
}
return v[k]
$$;
SELECT k, arr_try(format('SELECT arr_out(%L)::text', k))
FROM unnest(ARRAY['list', 'empty', 'nulls', 'tuple', 'range', 'seq', '2d',
                  '3d', '6d', 'empty_2d', 'str', 'bytes', 'tuple_of_lists',
                  'none']) k;

-- dimension and element errors
CREATE FUNCTION arr_bad(k text) RETURNS int[] LANGUAGE plsafepy AS $$
class NoLen:
    def __getitem__(self, i):
        return 1
v = {
    'ragged': [[1, 2], [3]],
    'ragged_deep': [[[1]], [[2, 3]]],
    'list_after_scalar': [1, [2]],
    'scalar_after_list': [[1], 2],
    'short_after_empty': [[], [1]],
    '7d': [[[[[[[1]]]]]]],
    'int': 5,
    'dict': {1: 2},
    'set': {1, 2},
    'tuple_elem': [(1, 2)],
    'float_elem': [1.5],
    'bool_elem': [True],
    'str_elem': ['x'],
    'nolen': NoLen(),
    'generator': (x for x in [1, 2]),
}
return v[k]
$$;
SELECT k, arr_try(format('SELECT arr_bad(%L)::text', k))
FROM unnest(ARRAY['ragged', 'ragged_deep', 'list_after_scalar',
                  'scalar_after_list', 'short_after_empty', '7d', 'int',
                  'dict', 'set', 'tuple_elem', 'float_elem', 'bool_elem',
                  'str_elem', 'nolen', 'generator']) k;

-- element types
CREATE FUNCTION arr_text(k text) RETURNS text[] LANGUAGE plsafepy AS $$
return {'strs': ['a', 'b c', None, ''], 'str': 'abc', 'mixed': [1, 2.5, 'x', b'y'],
        '2d': [['a', 'b'], ['c', 'd']], 'tuples': [('a', 'b')]}[k]
$$;
SELECT k, arr_try(format('SELECT arr_text(%L)::text', k))
FROM unnest(ARRAY['strs', 'str', 'mixed', '2d', 'tuples']) k;

CREATE FUNCTION arr_numeric(a numeric[]) RETURNS numeric[] LANGUAGE plsafepy AS $$
return [x * 2 if x is not None else None for x in a] + [0.5]
$$;
CREATE FUNCTION arr_float(a float8[]) RETURNS float8[] LANGUAGE plsafepy AS $$
return a + [1/3, 10**20]
$$;
CREATE FUNCTION arr_bytea() RETURNS bytea[] LANGUAGE plsafepy AS $$
return [b'\x00\x01', None, bytearray(b'z')]
$$;
CREATE FUNCTION arr_bool() RETURNS bool[] LANGUAGE plsafepy AS $$
return [1, 0, None, 'x', '', ()]
$$;
CREATE FUNCTION arr_date() RETURNS date[] LANGUAGE plsafepy AS $$
return [['2024-01-01', None], ['2024-12-31', '2000-02-29']]
$$;
CREATE FUNCTION arr_int8() RETURNS int8[] LANGUAGE plsafepy AS $$
return [2**63 - 1, -2**63]
$$;
SELECT arr_numeric('{1.25,NULL}'), arr_float('{0.1}'), arr_bytea(),
       arr_bool(), arr_date(), arr_int8();
SELECT arr_try('SELECT arr_bytea()::text');

-- element domains are checked, element by element; so is a domain over an array
CREATE FUNCTION arr_dom(k text) RETURNS posint[] LANGUAGE plsafepy AS $$
return {'ok': [1, 2], 'bad': [1, -2], 'null': [None]}[k]
$$;
CREATE FUNCTION dom_arr(k text) RETURNS posints LANGUAGE plsafepy AS $$
return {'ok': [1, 2], 'long': [1, 2, 3, 4], 'bad_elem': ['x']}[k]
$$;
SELECT k, arr_try(format('SELECT arr_dom(%L)::text', k))
FROM unnest(ARRAY['ok', 'bad', 'null']) k;
SELECT k, arr_try(format('SELECT dom_arr(%L)::text', k))
FROM unnest(ARRAY['ok', 'long', 'bad_elem']) k;

-- round trip of an argument
CREATE FUNCTION arr_echo(a text[]) RETURNS text[] LANGUAGE plsafepy AS $$ return a $$;
SELECT arr_echo('{{a,b},{NULL,"d e"}}'), arr_echo('[0:1]={x,y}'), arr_echo('{}');

--
-- Arrays of bool, int2, int4, int8, oid, float4 and float8 without nulls
-- are read as C arrays; with nulls, element by element.  Both give the same
-- values, nesting and types.
--
CREATE FUNCTION flat_in(bo bool[], i2 int2[], i4 int4[], i8 int8[], o oid[],
                        f4 float4[], f8 float8[])
RETURNS text LANGUAGE plsafepy AS $$
return '\n'.join([repr(x) for x in (bo, i2, i4, i8, o, f4, f8)])
$$;
-- extremes, small and medium ints, special floats
SELECT flat_in('{t,f,t}', '{-32768,-5,0,256,257,32767}',
               '{-2147483648,-1073741824,-6,0,1,1073741823,1073741824,2147483647}',
               '{-9223372036854775808,-4294967296,0,4294967296,9223372036854775807}',
               '{0,1,4294967295}',
               '{1.5,-0,Infinity,-Infinity,NaN,3.4028235e+38,1e-45}',
               '{0.1,-0,1.7976931348623157e+308,5e-324,NaN,-Infinity}');
SELECT flat_in('{t,f,t,NULL}', '{-32768,-5,0,256,257,32767,NULL}',
               '{-2147483648,-1073741824,-6,0,1,1073741823,1073741824,2147483647,NULL}',
               '{-9223372036854775808,-4294967296,0,4294967296,9223372036854775807,NULL}',
               '{0,1,4294967295,NULL}',
               '{1.5,-0,Infinity,-Infinity,NaN,3.4028235e+38,1e-45,NULL}',
               '{0.1,-0,1.7976931348623157e+308,5e-324,NaN,-Infinity,NULL}');
-- empty, all null, NULL
SELECT flat_in('{}', '{}', '{}', '{}', '{}', '{}', '{}');
SELECT flat_in('{NULL}', '{NULL,NULL}', '{NULL}', '{NULL}', '{NULL}', '{NULL}',
               '{NULL}');
SELECT flat_in(NULL, NULL, NULL, NULL, NULL, NULL, NULL);
-- several dimensions, lower bounds other than 1
SELECT flat_in('{{t,f},{f,t}}', '{{1,2,3},{4,5,6}}', '{{{1,2}},{{3,4}},{{5,6}}}',
               '[-1:0][5:6]={{1,2},{3,4}}', '[0:2]={7,8,9}', '{{1.5},{2.5}}',
               '[0:1][0:0][0:2]={{{1,2,3}},{{4,5,6}}}');
SELECT flat_in('{{t,NULL},{f,t}}', '{{1,2,3},{4,NULL,6}}',
               '{{{1,2}},{{3,4}},{{5,NULL}}}', '[-1:0][5:6]={{NULL,2},{3,4}}',
               '[0:2]={7,NULL,9}', '{{1.5},{NULL}}',
               '[0:1][0:0][0:2]={{{1,2,3}},{{4,5,NULL}}}');
SELECT flat_in(NULL, NULL, '{{{{{{1,2}}}}},{{{{{3,4}}}}}}', NULL, NULL, NULL,
               '{{{{{{1.5}}}}}}');
-- a null bitmap without nulls (a slice of an array that has one)
SELECT flat_in(NULL, ('{1,2,NULL}'::int2[])[1:2], ('{1,2,NULL}'::int4[])[1:2],
               NULL, NULL, NULL, ('{{0.5,1},{NULL,2}}'::float8[])[1:1]);

-- domains over such arrays, arrays of domains over such types
CREATE DOMAIN posint8 AS int8 CHECK (VALUE > 0);
CREATE DOMAIN posint8s AS posint8[];
CREATE DOMAIN float8s AS float8[];
CREATE FUNCTION flat_dom(a posints, b posint8s, c posint[], d float8s)
RETURNS text LANGUAGE plsafepy AS $$
return '\n'.join([repr(x) for x in (a, b, c, d)])
$$;
SELECT flat_dom('{1,2,3}', '{{4},{5}}', '[3:4]={6,7}', '{0.25,-1e300}');
SELECT flat_dom('{1,NULL}', '{{4},{NULL}}', '{NULL}', '{NULL,0.25}');

-- arrays crossing the interrupt-check stride of the C array path
CREATE FUNCTION flat_val(kind text, i bigint) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
SELECT CASE kind
    WHEN 'bool' THEN (i % 3 = 0)::text
    WHEN 'int2' THEN (i * 6 - 32768)::text
    WHEN 'int4' THEN (i * 429496 - 2147483648)::text
    WHEN 'int8' THEN (i * 4294967296 - i)::text
    WHEN 'oid' THEN (i * 400000 + 3)::text
    WHEN 'float4' THEN (i * 0.5)::text
    WHEN 'float8' THEN (i / 4.0 - 100)::text
END
$$;
-- the literal of an array of shape dims, element number nullat NULL
CREATE FUNCTION flat_lit(kind text, dims int[], nullat int) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  sizes int[] := '{}';
  n int := 1;
BEGIN
  -- an element opens (closes) one brace per dimension it starts (ends)
  FOR d IN REVERSE cardinality(dims)..1 LOOP
    n := n * dims[d];
    sizes := n || sizes;
  END LOOP;
  RETURN (SELECT string_agg(repeat('{', (SELECT count(*) FROM unnest(sizes) s
                                         WHERE k % s = 0)::int)
                            || CASE WHEN k + 1 = nullat THEN 'NULL'
                                    ELSE flat_val(kind, k + 1) END
                            || repeat('}', (SELECT count(*) FROM unnest(sizes) s
                                            WHERE (k + 1) % s = 0)::int),
                            ',' ORDER BY k)
          FROM generate_series(0, n - 1) k);
END $$;
-- the same values built in Python, compared value, type and nesting
DO $do$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY '{bool,int2,int4,int8,oid,float4,float8}'::text[] LOOP
    EXECUTE format($f$
CREATE FUNCTION flat_big(a %s[], kind text, dims int[], nullat int)
RETURNS text LANGUAGE plsafepy AS $py$
def value(i):
    if i == nullat:
        return None
    return {'bool': i %% 3 == 0,
            'int2': i * 6 - 32768,
            'int4': i * 429496 - 2147483648,
            'int8': i * 4294967296 - i,
            'oid': i * 400000 + 3,
            'float4': i * 0.5,
            'float8': i / 4 - 100}[kind]
def build(dims, start):
    if len(dims) == 1:
        return [value(start + k) for k in range(dims[0])]
    step = 1
    for d in dims[1:]:
        step *= d
    return [build(dims[1:], start + k * step) for k in range(dims[0])]
def diff(got, want, where):
    if type(got) is not type(want):
        return '%%s: %%r is not %%r' %% (where, got, want)
    if isinstance(want, list):
        if len(got) != len(want):
            return '%%s: length %%d, not %%d' %% (where, len(got), len(want))
        for k in range(len(want)):
            d = diff(got[k], want[k], where + [k])
            if d:
                return d
    elif got != want:
        return '%%s: %%r is not %%r' %% (where, got, want)
    return None
return diff(a, build(dims, 1), []) or 'ok'
$py$
$f$, t);
  END LOOP;
END $do$;
CREATE FUNCTION flat_check(kind text, dims int[], nullat int) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  r text;
BEGIN
  EXECUTE format('SELECT flat_big(%L::%s[], %L, %L, %s)',
                 flat_lit(kind, dims, nullat), kind, kind, dims, nullat)
    INTO r;
  RETURN kind || ' ' || r;
END $$;
SELECT dims, nullat,
       string_agg(flat_check(kind, dims, nullat), ', ' ORDER BY kind) AS result
FROM (SELECT 1 AS n, unnest('{bool,int2,int4,int8,oid,float4,float8}'::text[])
               AS kind, '{4097}'::int[] AS dims, 0 AS nullat
      UNION ALL
      SELECT 2, unnest('{bool,int2,int4,int8,oid,float4,float8}'::text[]),
             '{3000,3}', 0
      UNION ALL
      SELECT n, 'int4', dims, nullat
      FROM (VALUES (3, '{4095}'::int[], 0), (4, '{4096}', 0), (5, '{10000}', 0),
                   (6, '{10000}', 9999), (7, '{3000,3}', 4097),
                   (8, '{10000,1}', 0), (9, '{1,10000}', 0),
                   (10, '{20,30,15}', 0), (11, '{2,2,2,2,2,2}', 0)) v(n, dims, nullat)) c
GROUP BY n, dims, nullat
ORDER BY n;

-- lists of plain ints (and floats, bools) become bool, int2, int4, int8 and
-- float8 arrays directly; any other item sends the whole list through the
-- element conversion, with its results and errors
DO $do$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY '{int2,int4,int8,float8,bool}'::text[] LOOP
    EXECUTE format($f$
CREATE FUNCTION flat_out_%s(k text) RETURNS %s[] LANGUAGE plsafepy AS $py$
class I(int):
    pass
return {
    'int2': [-32768, -5, 0, 256, 257, 32767],
    'int4': [-2147483648, -1073741824, -6, 0, 1, 1073741823, 1073741824,
             2147483647],
    'int8': [-2**63, -2**32, 0, 2**32, 2**63 - 1],
    'float8': [0.1, -0.0, float('inf'), float('nan'), 1, -2**53, 2**63 - 1],
    'bool': [True, False, True],
    'none': [1, None],
    'subclass': [1, I(2)],
    'bool_in_int': [1, True],
    'float_in_int': [1, 2.5],
    'str_in_int': [1, '2'],
    'int2_over': [1, 32768],
    'int4_over': [1, -2**31 - 1],
    'int8_over': [1, 2**63],
    'huge_in_float': [0.5, 10**20],
    'str_in_float': [0.5, '1.5'],
    'bool_in_float': [0.5, False],
    'int_in_bool': [True, 1, 0],
    'none_in_bool': [True, None],
    'nested': [[1, 2], [3, 4]],
    'range': list(range(-5000, 5000)),
    'late_none': list(range(5000)) + [None],
}[k]
$py$
$f$, t, t);
  END LOOP;
END $do$;
CREATE FUNCTION flat_out(t text, k text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  RETURN arr_try(format('SELECT flat_out_%s(%L)::text', t, k));
END $$;
SELECT k, flat_out('int2', k) AS int2, flat_out('int4', k) AS int4,
       flat_out('int8', k) AS int8
FROM unnest('{int2,int4,int8,none,subclass,bool_in_int,float_in_int,str_in_int,int2_over,int4_over,int8_over,nested}'::text[]) k;
SELECT k, flat_out('float8', k) AS float8, flat_out('bool', k) AS bool
FROM unnest('{float8,bool,int4,none,huge_in_float,str_in_float,bool_in_float,int_in_bool,none_in_bool,nested}'::text[]) k;
-- longer than the interrupt-check stride
SELECT t, cardinality(a), a[1], a[5000], a[10000], (SELECT sum(x) FROM unnest(a) x)
FROM (SELECT 'int4' t, flat_out_int4('range')::float8[] a
      UNION ALL SELECT 'int8', flat_out_int8('range')::float8[]
      UNION ALL SELECT 'float8', flat_out_float8('range')
      UNION ALL SELECT 'int2', flat_out_int2('range')::float8[]) s;
SELECT cardinality(a), a[5000], a[5001] FROM flat_out_int4('late_none') a;

-- an element that fails to convert (out of memory here) releases the list:
-- a second array, converted within the budget only if that memory was freed
CREATE FUNCTION flat_len(a int4[], b float8[]) RETURNS bigint
LANGUAGE plsafepy AS $$ return len(a or b) $$;
CREATE TEMP TABLE flat_huge AS
  SELECT array_agg(i) AS a, array_agg(i / 2.0::float8) AS f
  FROM generate_series(1, 1000000) i;
SET plsafepy.user_memory_limit = '32MB';
SELECT arr_try('SELECT flat_len(a, NULL) FROM flat_huge');
SELECT arr_try('SELECT flat_len(NULL, f) FROM flat_huge');
SELECT arr_try('SELECT flat_len(a || NULL::int, NULL) FROM flat_huge');
SELECT flat_len(a[1:300000], NULL), flat_len(NULL, f[1:300000]) FROM flat_huge;
RESET plsafepy.user_memory_limit;
SELECT flat_len(a, NULL), flat_len(NULL, f) FROM flat_huge;
DROP TABLE flat_huge;

RESET ROLE;
DROP OWNED BY regress_plsafepy_arr;
REVOKE CREATE ON SCHEMA public FROM regress_plsafepy_arr;
DROP ROLE regress_plsafepy_arr;
