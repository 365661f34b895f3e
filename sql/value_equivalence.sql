--
-- Datum -> Python both ways: inline mode's to_py, and a door value
-- (datum_value.c) turned into Python (value_py.c), as a worker will get
-- its arguments.  plsafepy_value_check() converts its argument both ways in
-- the calling role's interpreter and says 'same' when the two objects have
-- the same types at every level and the same repr, or shows both.
--
CREATE FUNCTION value_check(anyelement) RETURNS text
	AS '$libdir/plsafepy', 'plsafepy_value_check' LANGUAGE C;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';

-- scalars
SELECT t, value_check(v) FROM (VALUES ('true', true), ('false', false), ('null', NULL)) s(t, v);
SELECT t, value_check(v) FROM (VALUES ('min', (-32768)::int2), ('max', 32767::int2), ('null', NULL)) s(t, v);
SELECT t, value_check(v) FROM (VALUES ('min', (-2147483648)::int4), ('max', 2147483647), ('null', NULL)) s(t, v);
SELECT t, value_check(v) FROM (VALUES ('min', (-9223372036854775808)::int8), ('max', 9223372036854775807::int8)) s(t, v);
SELECT t, value_check(v) FROM (VALUES ('zero', 0::oid), ('max', 4294967295::oid)) s(t, v);
SELECT t, value_check(v) FROM (VALUES ('1.1', 1.1::float4), ('-0', '-0'::float4),
	('nan', 'NaN'), ('inf', 'Infinity'), ('-inf', '-Infinity'), ('tiny', '1e-45'),
	('big', '3.4e38'), ('null', NULL)) s(t, v);
SELECT t, value_check(v) FROM (VALUES ('1.1', 1.1::float8), ('-0', '-0'::float8),
	('nan', 'NaN'), ('inf', 'Infinity'), ('-inf', '-Infinity'), ('denormal', '5e-324'),
	('big', '1.7976931348623157e308'), ('third', 1.0/3)) s(t, v);
SELECT t, value_check(v) FROM (VALUES ('1.50', 1.50::numeric), ('-0.000', '-0.000'),
	('nan', 'NaN'), ('inf', 'Infinity'), ('-inf', '-Infinity'), ('big', '1e100'),
	('long', '123456789012345678901234567890.123456789'), ('small', '-0.00000000001'),
	('typmod', 12.3::numeric(10,4)), ('null', NULL)) s(t, v);
SELECT t, value_check(v) FROM (VALUES ('zeros', '\x00ff0000'::bytea), ('empty', ''),
	('text', 'a\000b'::bytea)) s(t, v);
SELECT t, value_check(v) FROM (VALUES ('ascii', 'hello'::text), ('empty', ''),
	('non-ascii', 'héllo ☃ 𝄞 日本'), ('quotes', E'it''s\n"x"\t\\')) s(t, v);
SELECT value_check('ab'::varchar(5)), value_check('ab'::char(5)), value_check('ab'::bpchar),
	value_check('x'::"char"), value_check('ü'::"char"), value_check('näme'::name);
SELECT t, value_check(v) FROM (VALUES ('date', '2024-02-29'::date), ('infinity', 'infinity')) s(t, v);
SELECT value_check('2024-02-29 12:34:56.789'::timestamp),
	value_check('2024-02-29 12:34:56.789+02'::timestamptz),
	value_check('1 year 2 mons 3 days 04:05:06'::interval),
	value_check('12:34:56'::time), value_check('12:34:56+05'::timetz);
SELECT value_check('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid),
	value_check('192.168.1.5/24'::inet), value_check('10.0.0.0/8'::cidr),
	value_check('08:00:2b:01:02:03'::macaddr), value_check(12.34::money),
	value_check(B'1011'::bit(4)), value_check(B'10'::varbit), value_check('(1,2)'::point),
	value_check('((0,0),(1,1))'::box), value_check('pg_class'::regclass),
	value_check('a fat cat'::tsvector), value_check('a & é'::tsquery);
SELECT value_check('{"b": [1, 2.50, null], "a": "é"}'::jsonb),
	value_check('{"b": [1, 2.50], "a": "é"}'::json), value_check('null'::jsonb);
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'ünïcode');
SELECT value_check('ok'::mood), value_check('ünïcode'::mood);
SELECT value_check('[1,5)'::int4range), value_check('empty'::int4range),
	value_check('(1.5,)'::numrange), value_check('[2024-01-01,2024-02-01)'::daterange),
	value_check('{[1,3), [5,7)}'::int4multirange);

-- domains
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
CREATE DOMAIN posint2 AS posint CHECK (VALUE < 100);
CREATE DOMAIN posints AS int[] CHECK (array_length(VALUE, 1) < 4);
CREATE DOMAIN nums AS numeric[];
CREATE DOMAIN short_text AS varchar(3);
SELECT value_check(5::posint), value_check(7::posint2), value_check(NULL::posint),
	value_check('{1,2,NULL}'::posints), value_check('{}'::posints),
	value_check('{1.5,NaN}'::nums), value_check('abc'::short_text);
SELECT value_check(ARRAY[1, 2]::posint[]), value_check(ARRAY[NULL, 3::posint2]);

-- arrays
SELECT t, value_check(v) FROM (VALUES ('empty', '{}'::int[]), ('nulls', '{1,NULL,3}'),
	('2-D', '{{1,2},{3,NULL}}'), ('lower bounds', '[0:2]={1,2,3}'),
	('negative bounds', '[-2:-1][3:4]={{1,2},{3,4}}'), ('3-D', '{{{1},{2}},{{3},{4}}}'),
	('6-D', '{{{{{{1,2}}}}}}'), ('all null', '{NULL,NULL}'), ('null', NULL)) s(t, v);
SELECT value_check('{t,f,NULL}'::bool[]), value_check('{-32768,32767}'::int2[]),
	value_check('{-9223372036854775808,NULL}'::int8[]), value_check('{0,4294967295}'::oid[]),
	value_check('{1.1,NaN,-Infinity,-0}'::float4[]), value_check('{1.1,NULL,-0}'::float8[]),
	value_check('{1.10,NaN,NULL,-Infinity}'::numeric[]);
SELECT value_check(ARRAY['é', NULL, '', 'a"b', 'c,d']), value_check('{}'::text[]),
	value_check(ARRAY['\x00'::bytea, NULL]), value_check('{{a,b},{c,d}}'::varchar[]),
	value_check(ARRAY['{"a": 1}'::jsonb, NULL]), value_check(ARRAY['ok'::mood, 'sad']),
	value_check(ARRAY['[1,2)'::int4range, 'empty']), value_check(ARRAY['x'::name]),
	value_check(ARRAY['2024-01-01'::date, 'infinity']), value_check(ARRAY[1.5::money]);
SELECT value_check(array_agg(i)) FROM generate_series(1, 10000) i;
-- arrays of bool, integers, oid and floats cross to a worker as stored
SELECT value_check(array_agg(CASE WHEN i % 7 = 0 THEN NULL ELSE i END))
FROM generate_series(1, 10000) i;
SELECT value_check('{{t,NULL,f},{NULL,t,t}}'::bool[]), value_check('[2:3]={1.5,NULL}'::float4[]),
	value_check(ARRAY[NULL::int8]), value_check('{{{NULL}}}'::int2[]),
	value_check(ARRAY[1, NULL, 3]::posint[]);
SELECT value_check(array_agg(CASE WHEN i % 7 = 0 THEN NULL ELSE i::text END))
FROM generate_series(1, 10000) i;

-- rows
CREATE TYPE pair AS (a int, b text);
CREATE TYPE nested AS (id int8, p pair, ps pair[], tags text[], n numeric, d posint);
CREATE TYPE "ünï" AS ("çol" int, "two words" text);
SELECT value_check(ROW(1, 'é')::pair), value_check(ROW(NULL, NULL)::pair),
	value_check(NULL::pair), value_check(ROW(1, 'x')::"ünï");
SELECT value_check(ROW(7, ROW(1, 'a'), ARRAY[ROW(2, 'b')::pair, NULL, ROW(NULL, 'c')::pair],
	ARRAY['x', NULL], 'NaN', 3)::nested);
SELECT value_check(ROW(7, NULL, '{}', NULL, NULL, NULL)::nested);
-- what inline mode gives for one, for reference (the check compares with it)
CREATE FUNCTION show(f float4, n nested) RETURNS text LANGUAGE plsafepy
	AS $$ return repr((f, n)) $$;
SELECT show(1.1, ROW(7, ROW(1, 'a'), ARRAY[ROW(2, 'b')::pair, NULL], ARRAY['x', NULL],
	'NaN', 3)::nested);
SELECT value_check(ARRAY[ROW(1, 'a')::pair, NULL]), value_check('{}'::pair[]),
	value_check(ARRAY[[ROW(1, 'a')::pair], [ROW(2, 'b')::pair]]);
-- a dropped column is left out, a generated one is in
CREATE TABLE dropped (a int, gone text, b text, c int GENERATED ALWAYS AS (a * 2) STORED);
ALTER TABLE dropped DROP COLUMN gone;
INSERT INTO dropped VALUES (1, 'x'), (NULL, NULL);
SELECT value_check(d), value_check(ARRAY[d]) FROM dropped d;
-- RECORD: anonymous rows, repeated column names, arrays of records
SELECT value_check(ROW(1, 'a', NULL)), value_check(ROW()),
	value_check(ARRAY[ROW(1, 'x'), ROW(2, 'y')]);
SELECT value_check(s) FROM (SELECT 1 AS a, 2 AS a, 'é' AS "ç") s;
-- domain over a row type
CREATE DOMAIN pospair AS pair CHECK ((VALUE).a > 0);
SELECT value_check(ROW(1, 'z')::pospair), value_check(ARRAY[ROW(1, 'z')::pospair]);

-- stored, toasted values (detoasted as inline mode does)
CREATE TABLE big (t text, b bytea, a int[], j jsonb, r pair);
ALTER TABLE big ALTER COLUMN t SET STORAGE external;
INSERT INTO big SELECT repeat('é', 100000), decode(repeat('00ff', 50000), 'hex'),
	(SELECT array_agg(i) FROM generate_series(1, 50000) i),
	(SELECT jsonb_agg(i) FROM generate_series(1, 5000) i),
	ROW(1, repeat('x', 100000))::pair;
SELECT value_check(t), value_check(b), value_check(a), value_check(j), value_check(r),
	value_check(big) FROM big;

DROP TABLE big, dropped;
DROP DOMAIN pospair;
DROP FUNCTION show(float4, nested);
DROP TYPE nested, pair, "ünï";
DROP DOMAIN posint2, posint, posints, nums, short_text;
DROP TYPE mood;
DROP FUNCTION value_check(anyelement);

-- A database that is not UTF-8: text, names and text forms are converted.
\set regress_db :DBNAME
CREATE DATABASE regress_plsafepy_values_latin1 ENCODING 'LATIN1' LC_COLLATE 'C'
  LC_CTYPE 'C' TEMPLATE template0;
\c regress_plsafepy_values_latin1
SET client_encoding = 'UTF8';
CREATE FUNCTION value_check(anyelement) RETURNS text
	AS '$libdir/plsafepy', 'plsafepy_value_check' LANGUAGE C;
CREATE TYPE "ünï" AS ("çol" text, "é" name);
CREATE TYPE mood AS ENUM ('ünïcode');
SELECT value_check('héllo'::text), value_check('ç'::varchar), value_check('ÿ'::char(3)),
	value_check('näme'::name), value_check('{"é": "ü"}'::jsonb), value_check('ünïcode'::mood),
	value_check(ROW('à', 'ö')::"ünï"), value_check(ARRAY['é', NULL]),
	value_check(s) FROM (SELECT 'é' AS "ç") s;
\c :regress_db
DROP DATABASE regress_plsafepy_values_latin1;
