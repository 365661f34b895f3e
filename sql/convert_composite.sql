--
-- Type conversion of composites: dicts in; dicts, sequences, objects and
-- row literals out; RECORD results, OUT and INOUT parameters, RETURNS TABLE.
-- Messages are PL/Python's (checked against plpython3u).
--
CREATE ROLE regress_plsafepy_comp;
GRANT CREATE ON SCHEMA public TO regress_plsafepy_comp;
SET ROLE regress_plsafepy_comp;
\set SHOW_CONTEXT never

CREATE FUNCTION comp_try(q text) RETURNS text LANGUAGE plpgsql AS $$
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

CREATE TYPE pair AS (a int, b text);
CREATE TYPE nested AS (id int8, p pair, ps pair[], tags text[], n numeric);
CREATE TABLE item (id int, name varchar(5), price numeric(6,2), tags text[],
                   dropme int, made date);
ALTER TABLE item DROP COLUMN dropme;

--
-- SQL -> Python: a dict in column order, dropped columns left out
--
CREATE FUNCTION comp_in(p pair) RETURNS text LANGUAGE plsafepy AS $$ return repr(p) $$;
SELECT comp_in((1, 'x')), comp_in((NULL, NULL)), comp_in(NULL);

CREATE FUNCTION nested_in(n nested) RETURNS text LANGUAGE plsafepy AS $$ return repr(n) $$;
SELECT nested_in((7, (1, 'a'), ARRAY[(2, 'b'), NULL, (NULL, 'c')]::pair[],
                  '{x,y}', 1.50)::nested);

CREATE FUNCTION item_in(i item) RETURNS text LANGUAGE plsafepy AS $$ return repr(i) $$;
SELECT item_in(ROW(1, 'abc', 9.99, '{t}', '2024-01-02')::item);


--
-- Python -> SQL
--
CREATE FUNCTION pair_out(k text) RETURNS pair LANGUAGE plsafepy AS $$
class Obj:
    def __init__(self, a, b):
        self.a = a
        self.b = b
class OnlyA:
    a = 1
class Getattr:
    def __getattr__(self, name):
        return name * 2
class Mapping:
    def __getitem__(self, key):
        return {'a': 5, 'b': 'via __getitem__'}[key]
    def keys(self):
        return ['a', 'b']
v = {
    'dict': {'a': 1, 'b': 'one'},
    'dict_extra': {'a': 2, 'b': 'two', 'c': 'ignored'},
    'dict_missing': {'a': 3},
    'dict_none': {'a': None, 'b': None},
    'tuple': (4, 'four'),
    'list': [5, 'five'],
    'short': (6,),
    'long': (7, 'seven', 'extra'),
    'obj': Obj(8, 'eight'),
    'obj_missing': OnlyA(),
    'getattr': Getattr(),
    'literal': '(9,nine)',
    'bad_literal': '9,nine',
    'none': None,
    'int': 10,
    'bad_type': {'a': 'x', 'b': 'y'},
    'nested_tuple': ((1, 2), 'b'),
    'mapping': Mapping(),
}
return v[k]
$$;
SELECT k, comp_try(format('SELECT pair_out(%L)::text', k))
FROM unnest(ARRAY['dict', 'dict_extra', 'dict_missing', 'dict_none', 'tuple',
                  'list', 'short', 'long', 'obj', 'obj_missing', 'getattr',
                  'literal', 'bad_literal', 'none', 'int', 'bad_type',
                  'nested_tuple', 'mapping']) k;
SELECT (pair_out('dict')).*, (pair_out('tuple')).b;

-- column typmods apply, dropped columns are skipped
CREATE FUNCTION item_out(k text) RETURNS item LANGUAGE plsafepy AS $$
v = {
    'dict': {'id': 1, 'name': 'abc', 'price': 1.005, 'tags': ['a'], 'made': '2024-03-01'},
    'tuple': (2, 'xy', 3, None, None),
    'long_name': {'id': 3, 'name': 'abcdef', 'price': 1, 'tags': [], 'made': None},
    'big_price': {'id': 4, 'name': 'x', 'price': 123456, 'tags': None, 'made': None},
    'six': (1, 2, 3, 4, 5, 6),
    'dropped_key': {'id': 5, 'name': 'n', 'price': 0, 'tags': None, 'made': None,
                    'dropme': 1},
}
return v[k]
$$;
SELECT k, comp_try(format('SELECT item_out(%L)::text', k))
FROM unnest(ARRAY['dict', 'tuple', 'long_name', 'big_price', 'six',
                  'dropped_key']) k;

-- nested composites and arrays of composites
CREATE FUNCTION nested_out(k text) RETURNS nested LANGUAGE plsafepy AS $$
v = {
    'dicts': {'id': 1, 'p': {'a': 1, 'b': 'x'}, 'ps': [{'a': 2, 'b': 'y'}, None],
              'tags': ['t'], 'n': 2.5},
    'tuples': (2, (1, 'x'), [(2, 'y'), (3, 'z')], [], 0),
    'literals': (3, '(1,x)', ['(2,y)'], None, None),
    'bad_elem_str': (4, None, ['foo'], None, None),
    'bad_elem_int': (5, None, [[123, 'foo']], None, None),
    'elem_dict_missing': (6, None, [{'a': 1}], None, None),
    'echo': None,
}
return v[k]
$$;
SELECT k, comp_try(format('SELECT nested_out(%L)::text', k))
FROM unnest(ARRAY['dicts', 'tuples', 'literals', 'bad_elem_str',
                  'bad_elem_int', 'elem_dict_missing', 'echo']) k;

CREATE FUNCTION pairs_out(k text) RETURNS pair[] LANGUAGE plsafepy AS $$
return {'tuples': [(1, 'a'), (2, 'b')], '2d': [[(1, 'a')], [(2, 'b')]],
        'dicts': [{'a': 1, 'b': 'c'}], 'empty': []}[k]
$$;
SELECT k, comp_try(format('SELECT pairs_out(%L)::text', k))
FROM unnest(ARRAY['tuples', '2d', 'dicts', 'empty']) k;

-- a composite argument comes back unchanged
CREATE FUNCTION nested_echo(n nested) RETURNS nested LANGUAGE plsafepy AS $$ return n $$;
SELECT nested_echo((7, (1, 'a'), ARRAY[(2, 'b'), NULL]::pair[], '{x}', 1.50)::nested);

-- the row type is followed when it changes
CREATE TYPE growing AS (a int);
CREATE FUNCTION growing_out() RETURNS growing LANGUAGE plsafepy AS $$
return {'a': 1, 'b': 'new column'}
$$;
CREATE FUNCTION growing_in(g growing) RETURNS text LANGUAGE plsafepy AS $$ return repr(g) $$;
SELECT growing_out(), growing_in(ROW(1)::growing);
ALTER TYPE growing ADD ATTRIBUTE b text;
SELECT growing_out(), growing_in(ROW(1, 'b')::growing);
ALTER TYPE growing DROP ATTRIBUTE a;
SELECT growing_out(), growing_in(ROW('only b')::growing);

-- domains over composites: checked after the row is built, also in arrays
CREATE DOMAIN pospair AS pair CHECK ((VALUE).a > 0);
CREATE FUNCTION dp_in(x pospair) RETURNS text LANGUAGE plsafepy AS $$ return repr(x) $$;
CREATE FUNCTION dp_out(k int) RETURNS pospair LANGUAGE plsafepy AS $$ return (k, 'x') $$;
CREATE FUNCTION dp_arr(k int) RETURNS pospair[] LANGUAGE plsafepy AS $$
return [(k, 'x'), {'a': k + 1, 'b': 'y'}]
$$;
SELECT dp_in((1, 'a')::pair::pospair), dp_out(1), dp_arr(1);
SELECT comp_try('SELECT dp_out(0)'), comp_try('SELECT dp_arr(0)');

--
-- RECORD results, OUT and INOUT parameters, RETURNS TABLE
--
CREATE FUNCTION rec_out(k text) RETURNS record LANGUAGE plsafepy AS $$
return {'tuple': (1, 'a'), 'dict': {'x': 2, 'y': 'b'}, 'literal': '(3,c)',
        'short': (1,)}[k]
$$;
SELECT * FROM rec_out('tuple') AS (x int, y text);
SELECT * FROM rec_out('dict') AS (x int, y text);
SELECT * FROM rec_out('literal') AS (x int, y text);
SELECT comp_try($$SELECT rec_out('tuple')$$);
SELECT comp_try($$SELECT x FROM rec_out('short') AS (x int, y text)$$);
SELECT comp_try($$SELECT y FROM rec_out('dict') AS (x int, z text)$$);

CREATE FUNCTION out_params(a int, OUT b int, OUT c text) LANGUAGE plsafepy AS $$
if a == 0:
    return None
if a == 1:
    return {'b': 10, 'c': 'ten'}
if a == 2:
    return [20, 'twenty']
return (a,)
$$;
SELECT * FROM out_params(1);
SELECT * FROM out_params(2);
SELECT (out_params(0)).* ;
SELECT comp_try('SELECT (out_params(3)).c');

CREATE FUNCTION inout_param(INOUT a int, OUT b text) LANGUAGE plsafepy AS $$
return (a * 2, str(a))
$$;
SELECT * FROM inout_param(21);

CREATE FUNCTION single_out(OUT x numeric) LANGUAGE plsafepy AS $$ return 1.5 $$;
SELECT single_out();

CREATE FUNCTION table_out(n int) RETURNS TABLE (i int, sq text) LANGUAGE plsafepy AS $$
return [(i, str(i * i)) for i in range(n)] + [{'i': n, 'sq': None}]
$$;
SELECT * FROM table_out(3);

CREATE FUNCTION setof_pair(n int) RETURNS SETOF pair LANGUAGE plsafepy AS $$
for i in range(n):
    yield {'a': i, 'b': 'r%d' % i}
yield None
$$;
SELECT * FROM setof_pair(2);

CREATE FUNCTION setof_rec() RETURNS SETOF record LANGUAGE plsafepy AS $$
return [(1, 'x'), (2, 'y')]
$$;
SELECT * FROM setof_rec() AS (n int, t text);

CREATE PROCEDURE proc_out(INOUT a int, OUT b text) LANGUAGE plsafepy AS $$
return (a + 1, 'b%d' % a)
$$;
CALL proc_out(1, NULL);

-- Unlike PL/Python, an argument may be an anonymous record
CREATE FUNCTION rec_in(r record) RETURNS text LANGUAGE plsafepy AS $$ return repr(r) $$;
SELECT rec_in(ROW(1, 'two', 3.0)), rec_in((1, 'x')::pair);

-- A nested call may not change the row type of a value being converted
-- (here a RECORD result, from __getitem__ while the outer row is built);
-- PL/Python 15 crashes the backend here
CREATE FUNCTION rec_nest(n int) RETURNS record LANGUAGE plsafepy AS $$
class Row:
    def __len__(self):
        return 2
    def __getitem__(self, i):
        if i == 0 and n == 0:
            r = plpy.execute("SELECT * FROM rec_nest(1) AS (a text, b text, c text)")
            return len(r)
        return i
if n == 0:
    return Row()
return ('x', 'y', 'z')
$$;
SELECT comp_try('SELECT a FROM rec_nest(0) AS (a int, b int)');
SELECT * FROM rec_nest(1) AS (a text, b text, c text);

RESET ROLE;
DROP OWNED BY regress_plsafepy_comp;
REVOKE CREATE ON SCHEMA public FROM regress_plsafepy_comp;
DROP ROLE regress_plsafepy_comp;
