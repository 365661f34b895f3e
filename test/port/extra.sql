-- Checks of the issue 2 list that PostgreSQL's plpython suite does not
-- make (written for this test, not taken from PostgreSQL).

-- SQLSTATE and message of a statement's error (psql's verbose form would
-- also print the C source location, which is not behaviour)
CREATE FUNCTION sqlstate_of(q text) RETURNS text AS $$
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$ LANGUAGE plpgsql;

-- scalar conversions at their edges
CREATE FUNCTION ret_text(x text, how text) RETURNS text AS $$
if how == 'int': return 123
if how == 'float': return 0.1
if how == 'bytes': return b'ab'
if how == 'list': return [1, 'a']
if how == 'dict': return {'a': 1}
if how == 'bool': return True
if how == 'decimal':
    import decimal
    return decimal.Decimal('1.50')
return x
$$ LANGUAGE plpython3u;
SELECT how, ret_text('x', how) FROM unnest(ARRAY['int','float','bytes','list','dict','bool','decimal','str']) how;

CREATE FUNCTION ret_int4(v text) RETURNS int4 AS $$
import decimal
return {'big': 2**40, 'float': 3.7, 'str': '42', 'badstr': 'x', 'dec': decimal.Decimal('2.5'), 'true': True}[v]
$$ LANGUAGE plpython3u;
SELECT ret_int4('float');
SELECT ret_int4('str');
SELECT ret_int4('dec');
SELECT ret_int4('true');
SELECT ret_int4('big');
SELECT ret_int4('badstr');

CREATE FUNCTION ret_int8(v text) RETURNS int8 AS $$
return {'max': 2**63 - 1, 'over': 2**63, 'neg': -2**63}[v]
$$ LANGUAGE plpython3u;
SELECT ret_int8('max');
SELECT ret_int8('neg');
SELECT ret_int8('over');

CREATE FUNCTION ret_float8(v text) RETURNS float8 AS $$
import decimal
return {'nan': float('nan'), 'inf': float('inf'), 'int': 10**20, 'dec': decimal.Decimal('0.1'), 'str': '1e3', 'tiny': 5e-324}[v]
$$ LANGUAGE plpython3u;
SELECT v, ret_float8(v) FROM unnest(ARRAY['nan','inf','int','dec','str','tiny']) v;

CREATE FUNCTION ret_numeric(v text) RETURNS numeric AS $$
import decimal
return {'nan': decimal.Decimal('NaN'), 'float': 0.1, 'int': 10**30, 'str': '1.2300', 'neg0': decimal.Decimal('-0.0')}[v]
$$ LANGUAGE plpython3u;
SELECT v, ret_numeric(v) FROM unnest(ARRAY['nan','float','int','str','neg0']) v;

CREATE FUNCTION ret_bool(v text) RETURNS bool AS $$
return {'none': None, 'str': 'f', 'empty': '', 'zero': 0.0, 'dict': {}, 'obj': object()}[v]
$$ LANGUAGE plpython3u;
SELECT v, ret_bool(v) FROM unnest(ARRAY['none','str','empty','zero','dict','obj']) v;

CREATE FUNCTION ret_bytea(v text) RETURNS bytea AS $$
return {'str': 'abc', 'bytearray': bytearray(b'\x00\x01'), 'int': 5, 'list': [1, 2]}[v]
$$ LANGUAGE plpython3u;
SELECT v, ret_bytea(v) FROM unnest(ARRAY['str','bytearray','int','list']) v;

-- other types travel through their text form
CREATE FUNCTION echo_types(a date, b timestamptz, c json, d uuid, e interval, f inet, g money, h char(3), i varchar(2), j name, k point)
RETURNS text AS $$
return repr([a, b, c, d, e, f, g, h, i, j, k])
$$ LANGUAGE plpython3u;
SELECT echo_types('2020-02-29', '2020-02-29 12:34:56+00', '{"a": [1, 2]}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '1 day 2 hours', '10.1.2.3/16', 12.5, 'ab', 'xy', 'nm', '(1,2)');

CREATE FUNCTION ret_varchar2(v text) RETURNS varchar(2) AS $$
return v
$$ LANGUAGE plpython3u;
SELECT ret_varchar2('abc');

CREATE FUNCTION ret_json() RETURNS json AS $$
return '{"k": [1, 2, null]}'
$$ LANGUAGE plpython3u;
SELECT ret_json();

CREATE FUNCTION ret_date(v text) RETURNS date AS $$
import datetime
return {'obj': datetime.date(2021, 1, 2), 'str': '2021-01-03', 'bad': 'nope'}[v]
$$ LANGUAGE plpython3u;
SELECT ret_date('obj');
SELECT ret_date('str');
SELECT ret_date('bad');

-- arrays
CREATE FUNCTION arr_in(x text[], y float8[], z bool[]) RETURNS text AS $$
return repr((x, y, z))
$$ LANGUAGE plpython3u;
SELECT arr_in(ARRAY[['a', NULL], ['c', 'd']], '{1.5,NaN,-Infinity}', '{t,f,NULL}');
SELECT arr_in('[0:1]={x,y}', '{}', NULL);

CREATE FUNCTION arr_out(v text) RETURNS int[] AS $$
return {'gen': (i for i in range(3)), 'range': range(3), 'tuple': (1, None), 'nested_tuple': ((1, 2), (3, 4)),
        'empty': [], 'none_inner': [None, [1]], 'str': 'abc', 'set': {1}, 'bytes': b'\x01\x02'}[v]
$$ LANGUAGE plpython3u;
SELECT v, arr_out(v) FROM unnest(ARRAY['range','tuple','nested_tuple','empty']) v;
SELECT arr_out('gen');
SELECT arr_out('none_inner');
SELECT arr_out('str');
SELECT arr_out('set');
SELECT arr_out('bytes');

CREATE FUNCTION arr_text_out() RETURNS text[] AS $$
return [['a', None], ['b', 'c']]
$$ LANGUAGE plpython3u;
SELECT arr_text_out();

-- composites
CREATE TYPE inner_t AS (a int, b text[]);
CREATE TYPE outer_t AS (x inner_t, y inner_t[], z numeric);
CREATE FUNCTION comp_in(o outer_t) RETURNS text AS $$
return repr(sorted(o.items()))
$$ LANGUAGE plpython3u;
SELECT comp_in(ROW(ROW(1, '{p,q}'), ARRAY[ROW(2, NULL)::inner_t], 1.5)::outer_t);
SELECT comp_in(NULL);

CREATE FUNCTION comp_out(v text) RETURNS outer_t AS $$
if v == 'dict': return {'x': {'a': 1, 'b': ['u']}, 'y': [(2, None)], 'z': 3}
if v == 'seq': return [(1, ['v']), [{'a': 5, 'b': None}], None]
if v == 'str': return '("(1,{w})",,7)'
if v == 'missing': return {'x': None}
if v == 'short': return (None,)
if v == 'int': return 5
$$ LANGUAGE plpython3u;
SELECT v, comp_out(v) FROM unnest(ARRAY['dict','seq','str']) v;
SELECT comp_out('missing');
SELECT comp_out('short');
SELECT comp_out('int');

-- RETURNS TABLE, SETOF record with OUT parameters, interleaved calls
CREATE FUNCTION tab(n int) RETURNS TABLE(i int, sq int8, label text) AS $$
for i in range(n):
    yield {'i': i, 'sq': i * i, 'label': 'n%d' % i}
$$ LANGUAGE plpython3u;
SELECT * FROM tab(3);
SELECT tab(2), tab(3);

CREATE FUNCTION gen_err(n int) RETURNS SETOF int AS $$
for i in range(n):
    if i == 2:
        raise ValueError('stop at %d' % i)
    yield i
$$ LANGUAGE plpython3u;
-- port: plsafepy's traceback shows the generator's frame, PL/Python's none
-- (README); the message and detail are compared.
\set SHOW_CONTEXT never
SELECT gen_err(5);
\set SHOW_CONTEXT errors

CREATE FUNCTION setof_none() RETURNS SETOF int AS $$
return None
$$ LANGUAGE plpython3u;
SELECT setof_none();

-- args, SD, GD
CREATE FUNCTION args_test(a int, int, c text DEFAULT 'dflt') RETURNS text AS $$
return repr(args)
$$ LANGUAGE plpython3u;
SELECT args_test(1, 2);
SELECT args_test(NULL, NULL, NULL);

CREATE FUNCTION sd_gd(k text) RETURNS text AS $$
SD[k] = SD.get(k, 0) + 1
GD.setdefault('calls', 0)
GD['calls'] += 1
return '%s %s %s' % (k, SD[k], GD['calls'])
$$ LANGUAGE plpython3u;
SELECT sd_gd('a'), sd_gd('a'), sd_gd('b');
CREATE OR REPLACE FUNCTION sd_gd(k text) RETURNS text AS $$
return repr((sorted(SD), GD.get('calls')))
$$ LANGUAGE plpython3u;
SELECT sd_gd('a');

-- plpy functions
CREATE FUNCTION plpy_misc() RETURNS void AS $$
r = plpy.execute("SELECT generate_series(1, 5) AS g", 2)
plpy.notice(r.nrows(), r.status(), len(r), r.colnames(), r.coltypes(), r.coltypmods())
plpy.notice(str(r))
plpy.notice(r[0], r[-1], r[:1])
p = plpy.prepare("SELECT $1::int + $2 AS s, $3 AS t", ['int4', 'int8', 'text'])
plpy.notice(p.execute([1, 2, 'x'])[0], plpy.execute(p, (3, 4, None))[0])
c = plpy.cursor(p, [5, 6, 'y'])
plpy.notice([dict(row) for row in c])
plpy.notice(plpy.quote_literal("it's"), plpy.quote_nullable(None), plpy.quote_ident('Mixed Case'))
u = plpy.execute("UPDATE users SET username = username WHERE lname = 'doe'")
plpy.notice(u.nrows(), u.status(), len(u))
try:
    u.colnames()
except Exception as e:
    plpy.notice(type(e).__name__, str(e))
$$ LANGUAGE plpython3u;
SELECT plpy_misc();

CREATE FUNCTION spi_errors() RETURNS void AS $$
try:
    plpy.execute("SELECT 1/0")
except plpy.spiexceptions.DivisionByZero as e:
    plpy.notice(type(e).__name__, e.sqlstate, str(e), e.spidata is not None)
try:
    plpy.execute("SELECT * FROM no_such_table")
except plpy.SPIError as e:
    plpy.notice(type(e).__name__, e.sqlstate, e.args)
try:
    plpy.prepare("SELECT $1", ['no_such_type'])
except plpy.SPIError as e:
    plpy.notice(type(e).__name__, e.sqlstate, str(e))
try:
    plpy.execute(plpy.prepare("SELECT $1", ['int']), [])
except Exception as e:
    plpy.notice(type(e).__name__, str(e))
try:
    plpy.execute(plpy.prepare("SELECT $1", ['int']), ['notanint'])
except plpy.SPIError as e:
    plpy.notice(type(e).__name__, e.sqlstate, str(e))
plpy.notice(issubclass(plpy.SPIError, plpy.Error), issubclass(plpy.spiexceptions.UniqueViolation, plpy.SPIError))
$$ LANGUAGE plpython3u;
SELECT spi_errors();

CREATE FUNCTION raise_custom(kind text) RETURNS void AS $$
if kind == 'error':
    plpy.error('custom', detail='d', hint='h', sqlstate='P0001')
if kind == 'Error':
    raise plpy.Error('plain Error')
if kind == 'spi':
    e = plpy.SPIError('spi message')
    raise e
if kind == 'key':
    {}['nokey']
if kind == 'zero':
    return 1 / 0
if kind == 'nested':
    def inner():
        raise RuntimeError('deep')
    def outer():
        inner()
    outer()
$$ LANGUAGE plpython3u;
SELECT raise_custom('error');
SELECT raise_custom('Error');
SELECT raise_custom('spi');
SELECT raise_custom('key');
SELECT raise_custom('zero');
SELECT raise_custom('nested');
SELECT k, sqlstate_of(format('SELECT raise_custom(%L)', k))
  FROM unnest(ARRAY['error', 'Error', 'spi', 'key', 'zero', 'nested']) k;

-- a PostgreSQL error not caught in Python keeps its SQLSTATE
CREATE FUNCTION uncaught_spi() RETURNS void AS $$
plpy.execute("SELECT 'x'::int")
$$ LANGUAGE plpython3u;
SELECT uncaught_spi();
SELECT sqlstate_of('SELECT uncaught_spi()');

-- triggers: statement level, AFTER, TRUNCATE, OK/SKIP, transition tables
CREATE TABLE trg_t (id int, v text);
CREATE FUNCTION trg_show() RETURNS trigger AS $$
plpy.notice(TD['event'], TD['when'], TD['level'], TD['name'], TD['table_name'], TD['table_schema'], TD['args'], TD['new'], TD['old'])
if TD['level'] == 'ROW' and TD['when'] == 'BEFORE' and TD['new'] and TD['new']['v'] == 'skip':
    return 'SKIP'
return 'OK'
$$ LANGUAGE plpython3u;
CREATE TRIGGER t1 BEFORE INSERT OR UPDATE OR DELETE ON trg_t FOR EACH ROW EXECUTE FUNCTION trg_show('a', 'b');
CREATE TRIGGER t2 AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON trg_t FOR EACH STATEMENT EXECUTE FUNCTION trg_show();
INSERT INTO trg_t VALUES (1, 'one'), (2, 'skip');
UPDATE trg_t SET v = 'uno';
DELETE FROM trg_t;
TRUNCATE trg_t;
SELECT * FROM trg_t;


CREATE FUNCTION trg_modify_after() RETURNS trigger AS $$
TD['new']['v'] = 'changed'
return 'MODIFY'
$$ LANGUAGE plpython3u;
CREATE TRIGGER t3 AFTER INSERT ON trg_t FOR EACH ROW EXECUTE FUNCTION trg_modify_after();
INSERT INTO trg_t VALUES (3, 'three');
SELECT * FROM trg_t;
DROP TRIGGER t3 ON trg_t;

CREATE FUNCTION trg_bad_type() RETURNS trigger AS $$
TD['new']['id'] = 'notanumber'
return 'MODIFY'
$$ LANGUAGE plpython3u;
CREATE TRIGGER t4 BEFORE INSERT ON trg_t FOR EACH ROW EXECUTE FUNCTION trg_bad_type();
INSERT INTO trg_t VALUES (4, 'four');
DROP TRIGGER t4 ON trg_t;

-- event triggers are not supported
-- port: only the SQLSTATE is compared.  Both refuse the function at CREATE
-- FUNCTION (README.md, "Porting from plpython3u"), PL/Python with "trigger
-- functions can only be called as triggers", plsafepy with a message that
-- says what is not supported.
SELECT sqlstate_of($q$CREATE FUNCTION evt() RETURNS event_trigger AS 'pass' LANGUAGE plpython3u$q$) ~ '^0A000: ' AS refused;

-- procedures: OUT parameters and transaction control
CREATE PROCEDURE proc_out(a int, INOUT b int, OUT c text) AS $$
return (a + b, 'c=%d' % a)
$$ LANGUAGE plpython3u;
CALL proc_out(1, 2, NULL);
CREATE PROCEDURE proc_bad_out(INOUT b int) AS $$
return 5
$$ LANGUAGE plpython3u;
CALL proc_bad_out(1);

CREATE TABLE tx (i int);
CREATE PROCEDURE proc_tx() AS $$
plpy.execute("INSERT INTO tx VALUES (1)")
plpy.commit()
plpy.execute("INSERT INTO tx VALUES (2)")
plpy.rollback()
try:
    with plpy.subtransaction():
        plpy.commit()
except Exception as e:
    plpy.notice(type(e).__name__, str(e))
$$ LANGUAGE plpython3u;
CALL proc_tx();
SELECT * FROM tx;
BEGIN;
CALL proc_tx();
ROLLBACK;

-- DO blocks
DO $$
plpy.notice('in DO', plpy.execute("SELECT 1 AS one")[0]['one'])
$$ LANGUAGE plpython3u;
DO $$
x = 1
def f():
    return x + 1
plpy.notice(f())
$$ LANGUAGE plpython3u;

-- sequences whose length matches but whose __getitem__ raises must give
-- an error, not crash the backend: a composite result, and the arguments
-- and type names of plpy.prepare(), plpy.execute() and plpy.cursor()
CREATE TYPE seq_record AS (first text, second int4);
CREATE FUNCTION composite_type_as_broken_sequence() RETURNS seq_record AS $$
class C:
    def __len__(self):
        return 2
    def __getitem__(self, i):
        raise ValueError('getitem failed')
return C()
$$ LANGUAGE plpython3u;
SELECT * FROM composite_type_as_broken_sequence();

CREATE FUNCTION plan_broken_arg_sequence() RETURNS void AS $$
plan = plpy.prepare("select $1", ["int4"])
class C:
    def __len__(self):
        return 1
    def __getitem__(self, i):
        raise ValueError('getitem failed')
plpy.execute(plan, C())
$$ LANGUAGE plpython3u;
CREATE FUNCTION prepare_broken_type_sequence() RETURNS void AS $$
class C:
    def __len__(self):
        return 1
    def __getitem__(self, i):
        raise ValueError('getitem failed')
plpy.prepare("select $1", C())
$$ LANGUAGE plpython3u;
CREATE FUNCTION cursor_broken_arg_sequence() RETURNS void AS $$
plan = plpy.prepare("select $1", ["int4"])
class C:
    def __len__(self):
        return 1
    def __getitem__(self, i):
        raise ValueError('getitem failed')
plpy.cursor(plan, C())
$$ LANGUAGE plpython3u;

-- port: plsafepy lets the exception from __getitem__ propagate as itself
-- (README); PL/Python wraps it in ExternalRoutineException.  Both are
-- SQLSTATE 38000, which is what is compared.
\set VERBOSITY sqlstate
SELECT plan_broken_arg_sequence();
SELECT prepare_broken_type_sequence();
SELECT cursor_broken_arg_sequence();
\set VERBOSITY default

-- syntax errors: the DETAIL names "<string>" and counts PL/Python's def
-- line, with the error's own type
CREATE FUNCTION syn_paren() RETURNS int AS $$
x = 1
return (x
$$ LANGUAGE plpython3u;
CREATE FUNCTION syn_indent() RETURNS int AS $$
x = 1
  y = 2
$$ LANGUAGE plpython3u;
CREATE FUNCTION syn_tabs(x int) RETURNS int AS $$
if x:
	if x:
        return 1
$$ LANGUAGE plpython3u;
CREATE FUNCTION syn_break() RETURNS int AS $$
x = 1
break
$$ LANGUAGE plpython3u;
CREATE FUNCTION syn_global(x int) RETURNS int AS $$
y = x
x = 2
global x
return x
$$ LANGUAGE plpython3u;
DO $$
if True:
pass
$$ LANGUAGE plpython3u;

-- errors while a set's items are taken: PL/Python's traceback leaves out
-- the iterator's own frame, and shows none for an iterator without one
CREATE FUNCTION srf_gen_helper() RETURNS SETOF int AS $$
def helper(i):
    return 10 // i
for i in (1, 0):
    yield helper(i)
$$ LANGUAGE plpython3u;
SELECT srf_gen_helper();
CREATE FUNCTION srf_gen_raise() RETURNS SETOF int AS $$
yield 1
raise ValueError('second')
$$ LANGUAGE plpython3u;
SELECT srf_gen_raise();
CREATE FUNCTION srf_iter_class() RETURNS SETOF int AS $$
class It:
    def __iter__(self):
        return self
    def __next__(self):
        raise KeyError('next')
return It()
$$ LANGUAGE plpython3u;
SELECT srf_iter_class();
CREATE FUNCTION srf_c_iter() RETURNS SETOF int AS $$
return map(int, ['1', 'x'])
$$ LANGUAGE plpython3u;
SELECT srf_c_iter();
CREATE FUNCTION srf_list_raise() RETURNS SETOF int AS $$
def items():
    return [1 // 0]
return items()
$$ LANGUAGE plpython3u;
SELECT srf_list_raise();

-- The ordinary functions of issue 12's "Why", unchanged (here as the
-- database owner, an unprivileged role, in plsafepy): the same results
-- as plpython3u.  Values that change between runs (clocks, tokens) are
-- compared by their shape.
CREATE FUNCTION why_global(x text) RETURNS text AS $$
global x
x = x.strip()
return x
$$ LANGUAGE plpython3u;
SELECT why_global('  padded  ');

CREATE FUNCTION why_class_name() RETURNS text AS $$
class Money:
    def __init__(self, cents):
        self.cents = cents
    def __repr__(self):
        return "%s(%d)" % (self.__class__.__name__, self.cents)
return repr(Money(250)) + " " + type(Money(1)).__name__
$$ LANGUAGE plpython3u;
SELECT why_class_name();

CREATE FUNCTION why_records() RETURNS text AS $$
from dataclasses import dataclass, field, asdict
from collections import namedtuple
from typing import List, Optional, NamedTuple
@dataclass(order=True)
class Item:
    sku: str
    qty: int = 0
    tags: List[str] = field(default_factory=list)
    note: Optional[str] = None
Point = namedtuple("Point", "x y")
class Pair(NamedTuple):
    a: int
    b: str = "b"
items = sorted([Item("b", 2), Item("a", 5, ["x"])])
return repr([asdict(i) for i in items]) + repr(Point(1, 2)._replace(y=3)) + repr(Pair(1))
$$ LANGUAGE plpython3u;
SELECT why_records();

CREATE FUNCTION why_backoff() RETURNS text AS $$
import time
start = time.time()
t0 = time.monotonic()
attempts = 0
for i in range(3):
    attempts += 1
    time.sleep(0.01 * 2 ** i)
return "%d %s %s %s" % (attempts, start > 1.6e9, time.monotonic() - t0 >= 0.07,
                        time.strftime("%Y-%m-%d", time.gmtime(0)))
$$ LANGUAGE plpython3u;
SELECT why_backoff();

CREATE FUNCTION why_hmac(payload text, key text) RETURNS text AS $$
import hmac, hashlib
sig = hmac.new(key.encode(), payload.encode(), hashlib.sha256).hexdigest()
return sig + " " + str(hmac.compare_digest(sig, hmac.new(key.encode(), payload.encode(), "sha256").hexdigest()))
$$ LANGUAGE plpython3u;
SELECT why_hmac('{"order": 42}', 's3cret');

CREATE FUNCTION why_csv(doc text) RETURNS SETOF text AS $$
import csv
for row in csv.DictReader(doc.splitlines()):
    yield "%s=%s" % (row["name"], int(row["qty"]) * 2)
$$ LANGUAGE plpython3u;
SELECT why_csv(E'name,qty\nbolt,3\n"nut, hex",10');

CREATE FUNCTION why_inet(addr inet) RETURNS text AS $$
import ipaddress
iface = ipaddress.ip_interface(addr)
net = iface.network
return "%s %s %s %d %s" % (iface.ip, net, iface.ip.is_private, net.num_addresses,
                           ipaddress.ip_address("10.0.0.1") in net)
$$ LANGUAGE plpython3u;
SELECT why_inet('10.1.2.3/16'), why_inet('2001:db8::1/64');

CREATE FUNCTION why_url(u text) RETURNS text AS $$
from urllib.parse import urlparse, parse_qs, urlencode, quote
p = urlparse(u)
return "%s|%s|%s|%s|%s" % (p.scheme, p.netloc, p.path, sorted(parse_qs(p.query).items()),
                           urlencode({"q": "a b", "n": 1}) + " " + quote("/x y"))
$$ LANGUAGE plpython3u;
SELECT why_url('https://example.com/a/b?x=1&y=2&x=3#frag');

CREATE FUNCTION why_html(s text) RETURNS text AS $$
import html
return html.escape(s) + " " + html.unescape("&lt;&eacute;&#x41;")
$$ LANGUAGE plpython3u;
SELECT why_html('<a href="x">Tom & "Jerry"</a>');

CREATE FUNCTION why_abc() RETURNS text AS $$
import abc, numbers
from decimal import Decimal
from fractions import Fraction
class Shape(abc.ABC):
    @abc.abstractmethod
    def area(self): ...
class Sq(Shape):
    def __init__(self, s):
        self.s = s
    def area(self):
        return self.s ** 2
try:
    Shape()
except TypeError as e:
    err = str(e)
return "%s | %s | %s" % (err, Sq(3).area(),
    [isinstance(v, numbers.Real) for v in (1, 2.5, Decimal(1), Fraction(1, 2), 1j)])
$$ LANGUAGE plpython3u;
SELECT why_abc();

CREATE FUNCTION why_contextmanager() RETURNS text AS $$
from contextlib import contextmanager, suppress
log = []
@contextmanager
def step(name):
    log.append("enter " + name)
    try:
        yield name.upper()
    finally:
        log.append("exit " + name)
with step("a") as a, suppress(KeyError):
    log.append(a)
    {}["missing"]
return ", ".join(log)
$$ LANGUAGE plpython3u;
SELECT why_contextmanager();

CREATE FUNCTION why_zone(ts text, zone text) RETURNS text AS $$
import datetime
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError
utc = datetime.datetime.fromisoformat(ts).astimezone(datetime.timezone.utc)
try:
    local = utc.astimezone(ZoneInfo(zone))
except ZoneInfoNotFoundError as e:
    return repr(e)
return "%s %s %s %s" % (local.isoformat(), local.tzname(), local.dst(), repr(local.tzinfo))
$$ LANGUAGE plpython3u;
SELECT why_zone('2024-03-31 00:30:00+00', 'Europe/Paris'),
       why_zone('2024-03-31 01:30:00+00', 'Europe/Paris'),
       why_zone('2024-11-03 05:30:00+00', 'America/New_York');
SELECT why_zone('2024-01-01 00:00:00+00', 'Mars/Olympus_Mons');

CREATE FUNCTION why_secrets() RETURNS text AS $$
import secrets, string
tok = secrets.token_urlsafe(16)
hexs = secrets.token_hex(8)
pin = "".join(secrets.choice(string.digits) for _ in range(6))
return "%d %d %s %s %s" % (len(tok), len(hexs), all(c in string.hexdigits for c in hexs),
                           pin.isdigit() and len(pin) == 6, 0 <= secrets.randbelow(10) < 10)
$$ LANGUAGE plpython3u;
SELECT why_secrets();

-- port: logging's records go to the client in plsafepy (plpy's levels,
-- docs/modules.md) and to the server's standard error in plpython3u; the
-- messages are not compared, the results are.
CREATE FUNCTION why_logging(n int) RETURNS text AS $$
import logging
log = logging.getLogger("orders")
log.setLevel(logging.INFO)
log.info("processing %d orders", n)
if n > 10:
    log.warning("large batch: %d", n)
return "%s %s %d" % (log.name, logging.getLevelName(log.getEffectiveLevel()), n)
$$ LANGUAGE plpython3u;
SET client_min_messages = error;
SELECT why_logging(3), why_logging(12);
RESET client_min_messages;

CREATE FUNCTION why_imports() RETURNS text AS $$
import array, errno, ast
import collections.abc
import xml.etree.ElementTree as ET
a = array.array("i", [1, 2, 3])
a.append(4)
doc = ET.fromstring('<order id="7"><line sku="a" qty="2"/><line sku="b" qty="1"/></order>')
return "%s %s %s %s %s %s" % (
    a.tolist(), errno.errorcode[errno.ENOENT], ast.literal_eval("{'k': [1, (2, 3)]}"),
    isinstance({}, collections.abc.Mapping),
    [(l.get("sku"), int(l.get("qty"))) for l in doc.iter("line")],
    ET.tostring(doc.find("line"), encoding="unicode"))
$$ LANGUAGE plpython3u;
SELECT why_imports();
