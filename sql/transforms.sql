-- TRANSFORM FOR TYPE jsonb and hstore (jsonb_plsafepy, hstore_plsafepy):
-- PL/Python's objects and errors in both directions, through arrays,
-- domains, rows, plpy's results and plans, and triggers; and the refusal
-- of every other transform (docs/transforms.md).  PostgreSQL's own
-- contrib/jsonb_plpython and contrib/hstore_plpython suites run in
-- test/port.sh.
CREATE EXTENSION jsonb_plsafepy;
CREATE EXTENSION hstore_plsafepy CASCADE;

-- jsonb -> Python: dict, list, str, Decimal (every number), bool, None
CREATE FUNCTION trf_show(v jsonb) RETURNS text TRANSFORM FOR TYPE jsonb
LANGUAGE plsafepy AS $$
def show(o):
    t = type(o).__name__
    if t == 'dict':
        return '{' + ', '.join('%r: %s' % (k, show(x)) for k, x in o.items()) + '}'
    if t == 'list':
        return '[' + ', '.join(show(x) for x in o) + ']'
    return repr(o) if t in ('Decimal', 'str', 'bool', 'NoneType') else 'a ' + t
return show(v)
$$;
SELECT trf_show('{"a": [1, -2.50, 1e3, null, true, false, "x"], "bb": {}, "c": []}');
SELECT trf_show('1'), trf_show('"ünï ☃"'), trf_show('true'), trf_show('[]');
-- a JSON null and SQL NULL are both None
SELECT trf_show('null'), trf_show(NULL);
-- keys in jsonb's order (shorter first), numbers exactly
SELECT trf_show('{"long key": 1, "b": 2, "a": 123456789012345678901234567890.000000000000000000001}');

-- Python -> jsonb
CREATE FUNCTION trf_make(k text) RETURNS jsonb TRANSFORM FOR TYPE jsonb
LANGUAGE plsafepy AS $$
import decimal
values = {
    'scalars': [None, True, False, 0, -7, 2**70, 0.1, 1e300, -0.0,
                decimal.Decimal('1.50'), decimal.Decimal('-1E+2'), 'x', ''],
    'keys': {None: 'none', 33: 'int', 1.5: 'float', True: 'bool', (1, 2): 'tuple', 'a': 'str'},
    'sequences': [(1, 'a'), range(3), b'AB', [], ()],
    'duplicate': {1: 'int', '1': 'str'},
    'none': None,
    'str': 'just a string',
    'unicode': {'ünï': '☃\t"\\'},
    'nested': {'a': [{'b': [[]]}]},
}
return values[k]
$$;
SELECT k, trf_make(k) FROM unnest(ARRAY['scalars', 'keys', 'sequences', 'duplicate',
  'none', 'str', 'unicode', 'nested']) AS k;
SELECT trf_make('none') IS NULL AS sql_null;

-- what jsonb cannot hold, with PL/Python's errors
CREATE FUNCTION trf_bad(k text) RETURNS jsonb TRANSFORM FOR TYPE jsonb
LANGUAGE plsafepy AS $$
import decimal
class Num(int):
    def __str__(self):
        return '12abc'
class BadKey:
    def __str__(self):
        raise ValueError('no key')
class NoLen(list):
    def __len__(self):
        raise TypeError('no length')
class Items(dict):
    def items(self):
        return [1, 2]
values = {
    'nan': lambda: float('nan'),
    'inf': lambda: [1, float('inf')],
    '-inf': lambda: {'a': float('-inf')},
    'decimal-nan': lambda: decimal.Decimal('NaN'),
    'snan': lambda: decimal.Decimal('sNaN'),
    'complex': lambda: 1 + 2j,
    'str-not-number': lambda: Num(5),
    'set': lambda: {'a': {1, 2}},
    'object': lambda: object(),
    'nul': lambda: ['a\0b'],
    'nul-key': lambda: {'a\0b': 1},
    'key-str-raises': lambda: {BadKey(): 1},
    'len-raises': lambda: NoLen([1]),
    'bad-items': lambda: Items(a=1),
    'overflow': lambda: decimal.Decimal('1e1000000'),
}
return values[k]()
$$;
SELECT trf_bad('nan');
SELECT trf_bad('inf');
SELECT trf_bad('-inf');
SELECT trf_bad('decimal-nan');
SELECT trf_bad('snan');
SELECT trf_bad('complex');
SELECT trf_bad('str-not-number');
SELECT trf_bad('set');
SELECT trf_bad('object');
SELECT trf_bad('nul');
SELECT trf_bad('nul-key');
SELECT trf_bad('key-str-raises');
SELECT trf_bad('len-raises');
SELECT trf_bad('bad-items');
SELECT trf_bad('overflow');

-- round trips of values PostgreSQL made
CREATE FUNCTION trf_roundtrip(v jsonb) RETURNS jsonb TRANSFORM FOR TYPE jsonb
LANGUAGE plsafepy AS $$ return v $$;
SELECT trf_roundtrip(v) = v AS same, trf_roundtrip(v)
FROM (VALUES ('{"a": [1, 2.000, {"b": null}], "": "", "ü": "\u00e9\\"}'::jsonb),
             ('-0.000001'), ('[[[[[[[[[[[]]]]]]]]]]]'), ('"\t"')) AS t(v);

-- arrays of jsonb: lists of the transform's objects, as PL/Python
CREATE FUNCTION trf_array(v jsonb[]) RETURNS jsonb[] TRANSFORM FOR TYPE jsonb
LANGUAGE plsafepy AS $$
plpy.info(repr(v))
return [x for x in v if not isinstance(x, list)] + [{'added': [1]}, None]
$$;
SELECT trf_array(ARRAY['{"a": 1}'::jsonb, NULL, '[true]']);
-- a list in a result is a dimension of the array, not a JSON array (PL/Python)
CREATE FUNCTION trf_array2(v jsonb[]) RETURNS jsonb[] TRANSFORM FOR TYPE jsonb
LANGUAGE plsafepy AS $$ return v $$;
SELECT trf_array2(ARRAY[['1', '2'], ['3', '4']]::jsonb[]);
SELECT trf_array2(ARRAY['[1, 2]', '[3, 4]']::jsonb[]);
SELECT trf_array2(ARRAY['[1, 2]', '[3]']::jsonb[]);

-- domains over jsonb: the base type's transform, then the domain's check
CREATE DOMAIN trf_obj AS jsonb CHECK (jsonb_typeof(VALUE) = 'object');
CREATE FUNCTION trf_domain(v trf_obj) RETURNS trf_obj TRANSFORM FOR TYPE jsonb
LANGUAGE plsafepy AS $$
v['seen'] = True
return v if v.get('keep') else [v]
$$;
SELECT trf_domain('{"keep": 1}');
SELECT trf_domain('{"keep": 0}');

-- rows: a jsonb column is transformed, in and out, named and RECORD
CREATE TYPE trf_pair AS (id int, doc jsonb);
CREATE FUNCTION trf_row(p trf_pair) RETURNS trf_pair TRANSFORM FOR TYPE jsonb
LANGUAGE plsafepy AS $$
plpy.info(repr(p))
return (p['id'] + 1, {'was': p['doc']})
$$;
SELECT trf_row((1, '{"x": [1]}'));
CREATE FUNCTION trf_out(OUT a jsonb, OUT b text) TRANSFORM FOR TYPE jsonb
LANGUAGE plsafepy AS $$ return {'a': {'k': [None]}, 'b': {'k': 1}} $$;
SELECT * FROM trf_out();
CREATE FUNCTION trf_setof() RETURNS SETOF jsonb TRANSFORM FOR TYPE jsonb
LANGUAGE plsafepy AS $$
for i in range(3):
    yield {'i': i} if i != 1 else None
$$;
SELECT trf_setof();

-- without the TRANSFORM clause, jsonb is a str as before
CREATE FUNCTION trf_none(v jsonb) RETURNS jsonb LANGUAGE plsafepy AS $$
plpy.info(repr(v))
return '{"b": 2}'
$$;
SELECT trf_none('{"a": 1}');

-- plpy's results and plans use the running function's transforms (its
-- results whatever the plan was prepared by, plan arguments as the
-- preparing function's): PL/Python's rules
CREATE FUNCTION trf_spi() RETURNS text TRANSFORM FOR TYPE jsonb
LANGUAGE plsafepy AS $$
r = plpy.execute("SELECT '{\"a\": [1]}'::jsonb AS j, 1 AS i")
plan = plpy.prepare("SELECT $1 AS j, $1::text AS t", ["jsonb"])
p = plpy.execute(plan, [{'k': None}])
c = plpy.cursor("SELECT '[2.5]'::jsonb AS j").fetch(1)
return '%r %r %r %r' % (r[0]['j'], p[0]['j'], p[0]['t'], c[0]['j'])
$$;
CREATE FUNCTION trf_spi_plain() RETURNS text LANGUAGE plsafepy AS $$
r = plpy.execute("SELECT '{\"a\": [1]}'::jsonb AS j, 1 AS i")
return repr(r[0]['j'])
$$;
SELECT trf_spi(), trf_spi_plain(), trf_spi();

-- triggers: TD's rows are transformed, and so is the row given back
CREATE TABLE trf_t (id int, doc jsonb, tags hstore);
CREATE FUNCTION trf_trig() RETURNS trigger TRANSFORM FOR TYPE jsonb, FOR TYPE hstore
LANGUAGE plsafepy AS $$
plpy.info('%s %r %r' % (TD['event'], TD['new']['doc'], TD['new']['tags']))
TD['new']['doc'] = {'old': TD['new']['doc'], 'n': 1}
TD['new']['tags'] = dict(TD['new']['tags'] or {}, seen='yes')
return 'MODIFY'
$$;
CREATE TRIGGER trf_trig BEFORE INSERT OR UPDATE ON trf_t
  FOR EACH ROW EXECUTE FUNCTION trf_trig();
INSERT INTO trf_t VALUES (1, '[1, "a"]', 'x=>1');
UPDATE trf_t SET id = 2;
SELECT * FROM trf_t;
DROP TABLE trf_t;

-- hstore -> Python: a dict of str to str or None, and back from any
-- mapping (keys and values by str(), None as NULL)
CREATE FUNCTION trf_hstore(h hstore) RETURNS hstore TRANSFORM FOR TYPE hstore
LANGUAGE plsafepy AS $$
plpy.info(sorted((h or {}).items()))
h = dict(h or {})
h.update({1: 2.5, None: None, 'q"\\': 'a"b\\c', 'ü': '☃'})
return h
$$;
SELECT trf_hstore('a=>1, b=>NULL, "x y"=>"z"');
SELECT trf_hstore('');
SELECT trf_hstore(NULL);
CREATE FUNCTION trf_hstore_bad(k text) RETURNS hstore TRANSFORM FOR TYPE hstore
LANGUAGE plsafepy AS $$
values = {'str': 'a=>1', 'list': [('a', 1)], 'nul': {'a': 'b\0'}, 'int': 5}
return values[k]
$$;
SELECT trf_hstore_bad('str');
SELECT trf_hstore_bad('list');
SELECT trf_hstore_bad('nul');
SELECT trf_hstore_bad('int');
CREATE FUNCTION trf_hstores(h hstore[]) RETURNS hstore[] TRANSFORM FOR TYPE hstore
LANGUAGE plsafepy AS $$ return h + [{'n': None}] $$;
SELECT trf_hstores(ARRAY['a=>1'::hstore, NULL]);

-- only jsonb_plsafepy's and hstore_plsafepy's transforms are accepted:
-- any other, made by a superuser, is refused at CREATE FUNCTION and at
-- call time (a transform's functions would get internal pointers)
CREATE FUNCTION trf_fake_from(internal) RETURNS internal
  LANGUAGE C STRICT IMMUTABLE AS '$libdir/plsafepy', 'jsonb_to_plsafepy';
CREATE FUNCTION trf_fake_to(internal) RETURNS json
  LANGUAGE C STRICT IMMUTABLE AS '$libdir/plsafepy', 'plsafepy_to_jsonb';
-- jsonb's functions, for another type
CREATE TRANSFORM FOR json LANGUAGE plsafepy (
  FROM SQL WITH FUNCTION trf_fake_from(internal),
  TO SQL WITH FUNCTION trf_fake_to(internal));
CREATE FUNCTION trf_json(v json) RETURNS json TRANSFORM FOR TYPE json
LANGUAGE plsafepy AS $$ return v $$;
SET check_function_bodies = off;
CREATE FUNCTION trf_json(v json) RETURNS json TRANSFORM FOR TYPE json
LANGUAGE plsafepy AS $$ return v $$;
RESET check_function_bodies;
SELECT trf_json('{}');
DROP FUNCTION trf_json(json);
DROP TRANSFORM FOR json LANGUAGE plsafepy;
DROP FUNCTION trf_fake_to(internal);
-- hstore's functions for a type that is not the hstore library's
CREATE FUNCTION trf_fake_to(internal) RETURNS text
  LANGUAGE C STRICT IMMUTABLE AS '$libdir/plsafepy', 'plsafepy_to_hstore';
CREATE FUNCTION trf_fake_from2(internal) RETURNS internal
  LANGUAGE C STRICT IMMUTABLE AS '$libdir/plsafepy', 'hstore_to_plsafepy';
CREATE TRANSFORM FOR text LANGUAGE plsafepy (
  FROM SQL WITH FUNCTION trf_fake_from2(internal),
  TO SQL WITH FUNCTION trf_fake_to(internal));
CREATE FUNCTION trf_text(v text) RETURNS text TRANSFORM FOR TYPE text
LANGUAGE plsafepy AS $$ return v $$;
DROP TRANSFORM FOR text LANGUAGE plsafepy;
-- one direction only, even plsafepy's own function for the right type
CREATE TRANSFORM FOR point LANGUAGE plsafepy (
  FROM SQL WITH FUNCTION trf_fake_from2(internal));
CREATE FUNCTION trf_point(v point) RETURNS text TRANSFORM FOR TYPE point
LANGUAGE plsafepy AS $$ return v $$;
DROP TRANSFORM FOR point LANGUAGE plsafepy;
DROP FUNCTION trf_fake_to(internal), trf_fake_from2(internal), trf_fake_from(internal);

-- an unprivileged look-alike: CREATE TRANSFORM needs ownership of the
-- type and of its functions, so a user's transform has functions of the
-- user's, never plsafepy's C functions; and a plsafepy function cannot
-- take internal (a TO SQL function)
CREATE ROLE regress_plsafepy_trf;
CREATE SCHEMA trf_own AUTHORIZATION regress_plsafepy_trf;
SET ROLE regress_plsafepy_trf;
CREATE TYPE trf_own.hstore AS (k text, v text);
CREATE TRANSFORM FOR trf_own.hstore LANGUAGE plsafepy (
  FROM SQL WITH FUNCTION hstore_to_plsafepy(internal));
CREATE FUNCTION trf_own.to_sql(v internal) RETURNS trf_own.hstore
LANGUAGE plsafepy AS $$ return v $$;
DROP TYPE trf_own.hstore;
RESET ROLE;
DROP SCHEMA trf_own;
DROP ROLE regress_plsafepy_trf;

DROP FUNCTION trf_show(jsonb), trf_make(text), trf_bad(text), trf_roundtrip(jsonb),
  trf_array(jsonb[]), trf_array2(jsonb[]), trf_domain(trf_obj), trf_row(trf_pair), trf_out(), trf_setof(),
  trf_none(jsonb), trf_spi(), trf_spi_plain(), trf_trig(), trf_hstore(hstore),
  trf_hstore_bad(text), trf_hstores(hstore[]);
DROP TYPE trf_pair;
DROP DOMAIN trf_obj;
DROP EXTENSION hstore_plsafepy, hstore, jsonb_plsafepy;
