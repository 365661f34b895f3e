--
-- Type conversion, scalars and domains (arrays: convert_array; composites,
-- RECORD and OUT parameters: convert_composite).  Results and messages are
-- PL/Python's (checked against plpython3u).
--
CREATE ROLE regress_plsafepy_conv;
GRANT CREATE ON SCHEMA public TO regress_plsafepy_conv;
SET ROLE regress_plsafepy_conv;
\set SHOW_CONTEXT never

-- The result of a query as text, or its error: SQLSTATE, message, detail, hint.
CREATE FUNCTION conv_try(q text) RETURNS text LANGUAGE plpgsql AS $$
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
-- SQL -> Python
--
CREATE FUNCTION reprs(b bool, i2 int2, i4 int4, i8 int8, o oid, f4 float4,
                      f8 float8, n numeric, by bytea, t text, vc varchar,
                      bp char(4), nm name, d date, js jsonb, ip inet, u uuid,
                      ch "char", iv interval)
RETURNS text LANGUAGE plsafepy AS $$
return '\n'.join([repr(v) for v in args])
$$;

SELECT reprs(true, 1::int2, 2, 3, 4, 1.5, 2.25, 3.50, '\x00ff41'::bytea,
             'text', 'varchar', 'bp', 'name', '2024-02-29', '{"a": [1, null]}',
             '10.0.0.1/8', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'x',
             '1 day 2 hours');
SELECT reprs(false, '-32768'::int2, '-2147483648'::int4,
             '-9223372036854775808'::int8, 4294967295::oid, '-Infinity', '-0',
             'NaN', ''::bytea, ''::text, ''::varchar, ''::char(4), ''::name,
             'infinity'::date, 'null'::jsonb, '::1'::inet, NULL, NULL, NULL);
SELECT reprs(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
             NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

-- float4 goes through double, as in PL/Python; float8 keeps every bit
CREATE FUNCTION fl(a float4, b float8) RETURNS text LANGUAGE plsafepy AS $$
return repr(a) + ' ' + repr(b)
$$;
SELECT fl(0.1, 0.1), fl('NaN', 'Infinity'), fl(3.4e38, 1.7976931348623157e308),
       fl(1e-45, 5e-324);

-- numeric is the interpreter's real decimal.Decimal, with scale kept
CREATE FUNCTION num(n numeric) RETURNS text LANGUAGE plsafepy AS $$
return repr(n) + ' ' + repr(n + 1) + ' ' + str(isinstance(n, type(n)))
$$;
SELECT num(0), num(-1.000), num(123456789012345678901234567890.123456789),
       num('NaN'), num(1e-20);

-- text-like types are str, in the server encoding
CREATE FUNCTION txt(t text) RETURNS text LANGUAGE plsafepy AS $$
return '%d %r' % (len(t), t)
$$;
SELECT txt('añb€😀'), txt(''), txt(repeat('x', 3000));
SELECT txt(repeat('long text ', 300000)) = txt(repeat('long text ', 300000));

CREATE FUNCTION reassign(x int) RETURNS int LANGUAGE plsafepy AS $$
x = x * 2
return x
$$;

--
-- Python -> SQL
--
CREATE FUNCTION out_bool(k text) RETURNS bool LANGUAGE plsafepy AS $$
class Falsy:
    def __bool__(self):
        return False
v = {'true': True, 'one': 1, 'zero': 0, 'empty': [], 'list': [0],
     'str_f': 'f', 'empty_str': '', 'float0': 0.0, 'none': None,
     'falsy': Falsy()}
return v[k]
$$;
SELECT k, conv_try(format('SELECT out_bool(%L)::text', k))
FROM unnest(ARRAY['true', 'one', 'zero', 'empty', 'list', 'str_f',
                  'empty_str', 'float0', 'none', 'falsy']) k;

-- a numeric second argument supplies a Decimal
CREATE FUNCTION out_int(k text, d numeric DEFAULT 5) RETURNS int4
LANGUAGE plsafepy AS $$
class S:
    def __str__(self):
        return ' 17 '
v = {'int': 42, 'min': -2**31, 'max': 2**31 - 1, 'over': 2**31,
     'huge': 2**70, 'float': 1.0, 'str': ' 12 ', 'bad_str': '1x',
     'bool': True, 'none': None, 'obj': S(), 'decimal': d}
return v[k]
$$;
SELECT k, conv_try(format('SELECT out_int(%L)::text', k))
FROM unnest(ARRAY['int', 'min', 'max', 'over', 'huge', 'float', 'str',
                  'bad_str', 'bool', 'none', 'obj', 'decimal']) k;

CREATE FUNCTION out_int2(x int8) RETURNS int2 LANGUAGE plsafepy AS $$ return x $$;
CREATE FUNCTION out_int8(x numeric) RETURNS int8 LANGUAGE plsafepy AS $$ return int(x) $$;
SELECT out_int2(32767), out_int8(9223372036854775807), out_int8(-9223372036854775808);
SELECT conv_try('SELECT out_int2(32768)'), conv_try('SELECT out_int8(9223372036854775808)');

CREATE FUNCTION out_float8(k text) RETURNS float8 LANGUAGE plsafepy AS $$
v = {'float': 0.1, 'int': 3, 'big_int': 2**63 - 1, 'huge_int': 2**70,
     'too_big': 10**400, 'inf': float('inf'), 'nan': float('nan'),
     'negzero': -0.0, 'str': '1e3', 'bad': 'one', 'bool': False,
     'none': None}
return v[k]
$$;
SELECT k, conv_try(format('SELECT out_float8(%L)::text', k))
FROM unnest(ARRAY['float', 'int', 'big_int', 'huge_int', 'too_big', 'inf',
                  'nan', 'negzero', 'str', 'bad', 'bool', 'none']) k;

CREATE FUNCTION out_float4(k text) RETURNS float4 LANGUAGE plsafepy AS $$
v = {'third': 1/3, 'int': 7, 'big': 2**70, 'over': 1e39, 'tiny': 1e-50}
return v[k]
$$;
SELECT k, conv_try(format('SELECT out_float4(%L)::text', k))
FROM unnest(ARRAY['third', 'int', 'big', 'over', 'tiny']) k;

CREATE FUNCTION out_numeric(k text, d numeric DEFAULT 1.50) RETURNS numeric
LANGUAGE plsafepy AS $$
v = {'decimal': d, 'float': 0.1, 'int': 10**30, 'third': 1/3, 'str': '1e-3',
     'bad': 'abc', 'decimal_sum': d + d}
return v[k]
$$;
SELECT k, conv_try(format('SELECT out_numeric(%L)::text', k))
FROM unnest(ARRAY['decimal', 'float', 'int', 'third', 'str', 'bad',
                  'decimal_sum']) k;
SELECT out_numeric('decimal', 'NaN'), out_numeric('decimal', 1e-30);

CREATE FUNCTION out_bytea(k text) RETURNS bytea LANGUAGE plsafepy AS $$
class B:
    def __bytes__(self):
        return b'from __bytes__'
v = {'bytes': b'a\x00b\xff', 'bytearray': bytearray(b'xy'), 'list': [1, 2, 255],
     'str': 'text', 'int': 5, 'obj': B(), 'empty': b'', 'none': None}
return v[k]
$$;
SELECT k, conv_try(format('SELECT out_bytea(%L)::text', k))
FROM unnest(ARRAY['bytes', 'bytearray', 'list', 'str', 'int', 'obj', 'empty',
                  'none']) k;

CREATE FUNCTION out_text(k text) RETURNS text LANGUAGE plsafepy AS $$
class S:
    def __str__(self):
        return 'str of S'
v = {'str': 'añb€😀', 'int': 12, 'float': 0.1, 'big_float': 1e22,
     'bool': True, 'bytes': b'ab', 'list': [1, 'a'], 'dict': {'a': 1},
     'nul': 'a\x00b', 'surrogate': '\ud800', 'obj': S(), 'none': None,
     'empty': ''}
return v[k]
$$;
SELECT k, conv_try(format('SELECT out_text(%L)', k))
FROM unnest(ARRAY['str', 'int', 'float', 'big_float', 'bool', 'bytes',
                  'list', 'dict', 'nul', 'surrogate', 'obj', 'none', 'empty']) k;

-- other types take the text form of the value
CREATE FUNCTION out_date(x text) RETURNS date LANGUAGE plsafepy AS $$ return x $$;
CREATE FUNCTION out_jsonb(k text) RETURNS jsonb LANGUAGE plsafepy AS $$
return {'dict': {'a': 1}, 'text': '{"a": [1, 2]}', 'list': [1, None]}[k]
$$;
CREATE FUNCTION out_varchar(x text) RETURNS varchar LANGUAGE plsafepy AS $$ return x $$;
CREATE FUNCTION out_char(x text) RETURNS char(3) LANGUAGE plsafepy AS $$ return x $$;
CREATE FUNCTION out_name(x text) RETURNS name LANGUAGE plsafepy AS $$ return x * 20 $$;
SELECT out_date('2024-02-29'), out_jsonb('text'),
       out_varchar('abcdef'), out_char('ab') || '|', out_char('abcdef'),
       length(out_name('abcd'));
SELECT conv_try($$SELECT out_date('2024-02-30')$$),
       conv_try($$SELECT out_jsonb('dict')$$),
       conv_try($$SELECT out_jsonb('list')$$);

--
-- Domains: the base type's conversion, then the domain's checks
--
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
CREATE DOMAIN nn_text AS text NOT NULL;
CREATE DOMAIN short_text AS varchar(3);
CREATE DOMAIN posint2 AS posint CHECK (VALUE < 100);

CREATE FUNCTION dom_in(p posint, s short_text, q posint2) RETURNS text
LANGUAGE plsafepy AS $$ return repr(p) + ' ' + repr(s) + ' ' + repr(q) $$;
SELECT dom_in(5, 'abc', 7);

CREATE FUNCTION dom_posint(x int) RETURNS posint LANGUAGE plsafepy AS $$
return None if x == 0 else x
$$;
CREATE FUNCTION dom_posint2(x int) RETURNS posint2 LANGUAGE plsafepy AS $$ return x $$;
CREATE FUNCTION dom_nn(x text) RETURNS nn_text LANGUAGE plsafepy AS $$ return x $$;
CREATE FUNCTION dom_short(x text) RETURNS short_text LANGUAGE plsafepy AS $$ return x $$;
SELECT dom_posint(3), dom_posint(0) IS NULL AS null_ok, dom_posint2(99),
       dom_nn('x'), dom_short('abc');
SELECT conv_try('SELECT dom_posint(-1)'), conv_try('SELECT dom_posint2(100)'),
       conv_try('SELECT dom_posint2(-5)');
SELECT conv_try('SELECT dom_nn(NULL)'), conv_try($$SELECT dom_short('abcd')$$);

--
-- Deliberate differences from PL/Python: a __bool__ or __str__ that raises is
-- an error here (PL/Python 15 takes the value as true, leaving the exception
-- pending for the next statement, or crashes the backend on __str__).
--
CREATE FUNCTION out_broken(k text) RETURNS text LANGUAGE plsafepy AS $$
class Bad:
    def __str__(self):
        raise ValueError('no text form')
class NotStr:
    def __str__(self):
        return 5
return {'bad': Bad(), 'notstr': NotStr()}[k]
$$;
CREATE FUNCTION out_broken_bool() RETURNS bool LANGUAGE plsafepy AS $$
class Broken:
    def __bool__(self):
        raise ValueError('no truth')
return Broken()
$$;
SELECT conv_try($$SELECT out_broken('bad')$$), conv_try($$SELECT out_broken('notstr')$$);
SELECT conv_try('SELECT out_broken_bool()::text');
-- reassigning an argument works without "global" (UnboundLocalError in PL/Python)
SELECT reassign(21);

RESET ROLE;
DROP OWNED BY regress_plsafepy_conv;
REVOKE CREATE ON SCHEMA public FROM regress_plsafepy_conv;
DROP ROLE regress_plsafepy_conv;
