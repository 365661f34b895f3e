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

RESET ROLE;
DROP OWNED BY regress_plsafepy_arr;
REVOKE CREATE ON SCHEMA public FROM regress_plsafepy_arr;
DROP ROLE regress_plsafepy_arr;
