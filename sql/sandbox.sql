-- The sandbox, positive side: ordinary Python and the default modules keep
-- working for an unprivileged role.  (The denials are in sandbox_policy and
-- in the red-team suite test/attacks.)
\set SHOW_CONTEXT never
CREATE ROLE pls_sbx_user;
CREATE SCHEMA pls_sbx AUTHORIZATION pls_sbx_user;
SET ROLE pls_sbx_user;
SET search_path = pls_sbx;

-- classes: __init__, __repr__, operators, inheritance, super(), properties,
-- classmethods, __slots__, class attributes
CREATE FUNCTION classes() RETURNS text LANGUAGE plsafepy AS $$
class Vec:
    __slots__ = ('x', 'y')
    def __init__(self, x, y):
        self.x = x
        self.y = y
    def __add__(self, other):
        return Vec(self.x + other.x, self.y + other.y)
    def __eq__(self, other):
        return (self.x, self.y) == (other.x, other.y)
    def __hash__(self):
        return hash((self.x, self.y))
    def __repr__(self):
        return '%s(%r, %r)' % (type(self).__name__, self.x, self.y)
    def __iter__(self):
        yield self.x
        yield self.y
    @property
    def norm1(self):
        return abs(self.x) + abs(self.y)
    @classmethod
    def zero(cls):
        return cls(0, 0)

class Vec3(Vec):
    __slots__ = ('z',)
    def __init__(self, x, y, z):
        super().__init__(x, y)
        self.z = z

class Counter:
    made = 0
    def __init__(self):
        Counter.made += 1

for _ in range(3):
    Counter()
v = Vec(1, 2) + Vec(3, -4)
return '%r %d %r %s %d %s %s' % (v, v.norm1, Vec.zero(), list(v), Counter.made,
                                 isinstance(Vec3(1, 2, 3), Vec),
                                 {Vec(1, 1), Vec(1, 1)} == {Vec(1, 1)})
$$;
SELECT classes();

-- "dataclass-style" code without dataclasses: __eq__/__lt__ via
-- functools.total_ordering, __repr__, defaults
CREATE FUNCTION records() RETURNS text LANGUAGE plsafepy AS $$
import functools
@functools.total_ordering
class Item:
    def __init__(self, name, price=0):
        self.name = name
        self.price = price
    def __eq__(self, other):
        return (self.price, self.name) == (other.price, other.name)
    def __lt__(self, other):
        return (self.price, self.name) < (other.price, other.name)
    def __repr__(self):
        return 'Item(%r, %r)' % (self.name, self.price)
items = sorted([Item('b', 2), Item('a', 2), Item('c')])
return '%r %s' % (items, Item('x', 1) >= Item('x', 1))
$$;
SELECT records();

-- generators, closures, comprehensions, lambdas, nonlocal, try/except/
-- finally, with, match, walrus, f-strings, str.format, unpacking
CREATE FUNCTION language_features(n int) RETURNS text LANGUAGE plsafepy AS $$
def fib():
    a, b = 0, 1
    while True:
        yield a
        a, b = b, a + b
def make_adder(k):
    return lambda x: x + k
def counter():
    c = 0
    def inc():
        nonlocal c
        c += 1
        return c
    return inc
class Ctx:
    def __enter__(self):
        log.append('enter')
        return self
    def __exit__(self, *exc):
        log.append('exit')
        return False
log = []
with Ctx():
    log.append('body')
inc = counter()
inc(); inc()
g = fib()
first = [next(g) for _ in range(n)]
squares = {x: x * x for x in range(4) if x % 2 == 0}
try:
    1 / 0
except ZeroDivisionError as e:
    err = type(e).__name__
finally:
    log.append('finally')
match first:
    case [0, 1, *rest]:
        shape = 'fib:%d' % len(rest)
    case _:
        shape = 'other'
if (m := max(first)) > 10:
    big = m
head, *tail = first
return (f"{first} {squares} {make_adder(10)(5)} {inc()} {err} {log} {shape} "
        f"{big:>5} {head} {len(tail)} " + "{0}-{1}-{x}".format(1, 2, x=3) +
        " {a}".format_map({'a': 'map'}))
$$;
SELECT language_features(10);

-- the default modules, used for real work
CREATE FUNCTION default_modules() RETURNS SETOF text LANGUAGE plsafepy AS $$
import math, cmath, decimal, fractions, statistics, random, itertools
import functools, operator, collections, heapq, bisect, re, string, json
import datetime, calendar, textwrap, unicodedata, hashlib, base64, binascii
import uuid, enum, copy, pprint, difflib, struct
out = []
out.append('math %s %s' % (math.isqrt(17), round(math.pi, 5)))
out.append('cmath %s' % cmath.sqrt(-4))
with decimal.localcontext() as ctx:
    ctx.prec = 5
    out.append('decimal %s' % (decimal.Decimal(1) / decimal.Decimal(7)))
out.append('fractions %s' % (fractions.Fraction(1, 3) + fractions.Fraction(1, 6)))
out.append('statistics %s %s' % (statistics.median([3, 1, 2]), statistics.pstdev([1, 1, 1])))
r = random.Random(42)
out.append('random %s' % sorted(r.sample(range(100), 3)))
out.append('itertools %s' % list(itertools.accumulate([1, 2, 3])))
out.append('functools %s' % functools.reduce(operator.mul, range(1, 6)))
out.append('operator %s %s' % (operator.itemgetter(1)('abc'), operator.attrgetter('real')(3)))
out.append('collections %s %s' % (collections.Counter('abracadabra').most_common(2),
                                  collections.OrderedDict(a=1)))
h = [5, 1, 3]
heapq.heapify(h)
out.append('heapq %s bisect %s' % (heapq.heappop(h), bisect.bisect([1, 2, 4], 3)))
out.append('re %s' % re.findall(r'\d+', 'a1b22c333'))
out.append('string %s %s' % (string.Template('$x!').substitute(x='hi'),
                             string.Formatter().format('{0}+{k}', 1, k=2)))
out.append('json %s' % json.dumps({'a': [1, 2.5, None]}, sort_keys=True))
d = datetime.datetime(2024, 2, 29, 12, 30) + datetime.timedelta(days=1)
out.append('datetime %s %s' % (d.isoformat(), datetime.datetime.strptime('2020-01-02', '%Y-%m-%d').date()))
out.append('calendar %s %s' % (calendar.isleap(2024), calendar.monthrange(2024, 2)))
out.append('textwrap %s' % textwrap.wrap('the quick brown fox', 10))
out.append('unicodedata %s' % unicodedata.normalize('NFKC', 'ﬁ'))
out.append('hashlib %s' % hashlib.sha256(b'abc').hexdigest()[:16])
out.append('base64 %s binascii %s' % (base64.b64encode(b'hi').decode(), binascii.hexlify(b'\x01\xff')))
out.append('uuid %s %s' % (uuid.uuid5(uuid.NAMESPACE_DNS, 'example.org'), len(str(uuid.uuid4()))))
class Color(enum.Enum):
    RED = 1
    GREEN = 2
out.append('enum %s %s' % (Color(2).name, [c.name for c in Color]))
src = {'a': [1, [2]]}
dup = copy.deepcopy(src)
dup['a'][1].append(3)
out.append('copy %s %s' % (src, dup))
out.append('pprint %s' % pprint.pformat({'b': 1, 'a': 2}))
out.append('difflib %s' % difflib.get_close_matches('appel', ['ape', 'apple', 'peach']))
out.append('struct %s' % (struct.unpack('<hI', struct.pack('<hI', -2, 7)),))
return out
$$;
SELECT * FROM default_modules();

-- from-imports, aliases, imports inside nested functions
CREATE FUNCTION import_forms() RETURNS text LANGUAGE plsafepy AS $$
from math import floor as fl, ceil
import json as j
def inner():
    from decimal import Decimal
    return Decimal('1.10') * 2
return '%s %s %s %s' % (fl(2.7), ceil(2.1), j.loads('[1]'), inner())
$$;
SELECT import_forms();

-- plpy can be imported as PL/Python code does (it is a global anyway)
CREATE FUNCTION plpy_imports() RETURNS text LANGUAGE plsafepy AS $$
import plpy
import plpy.spiexceptions
from plpy import spiexceptions, Error
from plpy.spiexceptions import DivisionByZero
import plpy.spiexceptions as sx
try:
    plpy.execute("SELECT 1/0")
except spiexceptions.DivisionByZero as e:
    caught = type(e).__name__
return '%s %s %s %s' % (caught, DivisionByZero is sx.DivisionByZero,
                        issubclass(DivisionByZero, Error),
                        plpy.spiexceptions.DivisionByZero is DivisionByZero)
$$;
SELECT plpy_imports();

-- getattr/setattr/hasattr/delattr on ordinary names, print() as NOTICE
CREATE FUNCTION dynamic_attrs() RETURNS text LANGUAGE plsafepy AS $$
class A:
    pass
a = A()
setattr(a, 'x', 5)
has = hasattr(a, 'x'), hasattr(a, 'y'), hasattr(a, '__len__')
v = getattr(a, 'x') + getattr(a, 'y', 10)
delattr(a, 'x')
print('dynamic', v, sep=': ')
return '%s %s %s' % (has, v, hasattr(a, 'x'))
$$;
SELECT dynamic_attrs();

-- monkeypatching a module is allowed and stays within the role
CREATE FUNCTION patch_json() RETURNS text LANGUAGE plsafepy AS $$
import json
json.dumps = lambda o, **kw: 'patched'
return json.dumps([1])
$$;
CREATE FUNCTION use_json() RETURNS text LANGUAGE plsafepy AS $$
import json
return json.dumps([1])
$$;
SELECT use_json(), patch_json(), use_json();
RESET ROLE;
-- another role's interpreter never saw the patch
CREATE ROLE pls_sbx_other;
GRANT USAGE ON SCHEMA pls_sbx TO pls_sbx_other;
SET ROLE pls_sbx_other;
SELECT pls_sbx.use_json();
RESET ROLE;

-- a denial caught by user code is still a denial (and is logged)
SET ROLE pls_sbx_user;
DO LANGUAGE plsafepy $$
try:
    open('/etc/passwd')
except plpy.Error as e:
    plpy.notice('caught: %s' % e)
$$;
RESET ROLE;

DROP SCHEMA pls_sbx CASCADE;
DROP ROLE pls_sbx_user;
DROP ROLE pls_sbx_other;
