-- collections.namedtuple and dataclasses (src/sandbox/records.py): built
-- without compiling source text, used as PL/Python code uses them
CREATE ROLE pls_codegen_user;
CREATE SCHEMA pls_codegen AUTHORIZATION pls_codegen_user;
SET ROLE pls_codegen_user;
SET search_path = pls_codegen;

CREATE FUNCTION nt_basic() RETURNS text LANGUAGE plsafepy AS $$
from collections import namedtuple
Point = namedtuple('Point', 'x, y', defaults=[0])
p = Point(1)
q = p._replace(y=5)
out = [repr(p), repr(q), str(p._asdict()), repr(Point._make([3, 4])),
       str(Point._fields), str(Point._field_defaults), Point.__doc__,
       str(p == (1, 0)), str(hash(p) == hash((1, 0))), str(q.x + q.y),
       str(isinstance(p, tuple)), type(p).__name__]
x, y = q
out.append(str((x, y)))
match q:
    case Point(x=a, y=b):
        out.append('match %d %d' % (a, b))
return '\n'.join(out)
$$;
SELECT nt_basic();

CREATE FUNCTION nt_subclass() RETURNS text LANGUAGE plsafepy AS $$
import collections, copy
class Pair(collections.namedtuple('Pair', ['left', 'right'])):
    __slots__ = ()
    def total(self):
        return self.left + self.right
p = Pair(2, right=3)
return '%r %d %r %r' % (p, p.total(), copy.deepcopy(p), sorted([Pair(3, 1), p]))
$$;
SELECT nt_subclass();

CREATE FUNCTION nt_errors() RETURNS SETOF text LANGUAGE plsafepy AS $$
from collections import namedtuple
P = namedtuple('P', 'x y')
for args, kw in (((1, 2, 3), {}), ((), {}), ((1,), {'x': 2}), ((1, 2), {'z': 3})):
    try:
        P(*args, **kw)
    except TypeError as e:
        yield 'TypeError: %s' % e
for names in ('a b a', 'a _b', 'a class', 'a 1b', ['a-b']):
    try:
        namedtuple('Q', names)
    except ValueError as e:
        yield 'ValueError: %s' % e
yield str(namedtuple('R', 'a class _c a', rename=True)._fields)
$$;
SELECT * FROM nt_errors();

CREATE FUNCTION dc_basic() RETURNS text LANGUAGE plsafepy AS $$
from dataclasses import dataclass, field, asdict, astuple, replace, fields

@dataclass
class Item:
    name: str
    price: float = 0.0
    tags: list[str] = field(default_factory=list)
    note: str | None = field(default=None, repr=False, compare=False)
a = Item('pen', 1.5)
b = Item('pen', 1.5, note='x')
a.tags.append('office')
return '\n'.join([repr(a), str(a == b), str(asdict(a)),
                  str(astuple(b)), repr(replace(a, price=2.0)),
                  str([f.name for f in fields(Item)])])
$$;
SELECT dc_basic();

CREATE FUNCTION dc_frozen_order() RETURNS text LANGUAGE plsafepy AS $$
import dataclasses
@dataclasses.dataclass(frozen=True, order=True)
class Version:
    major: int
    minor: int = 0
v = Version(1, 2)
try:
    v.major = 3
    r = 'assigned'
except dataclasses.FrozenInstanceError as e:
    r = 'FrozenInstanceError: %s' % e
return '%s | %r | %s | %s' % (r, sorted([Version(2), v, Version(1)]),
                              {v: 'x'}[Version(1, 2)], Version(1) < v)
$$;
SELECT dc_frozen_order();

CREATE FUNCTION dc_post_init() RETURNS text LANGUAGE plsafepy AS $$
from dataclasses import dataclass, field, InitVar, KW_ONLY, is_dataclass
@dataclass
class Rect:
    w: int
    h: int
    scale: InitVar[int] = 1
    area: int = field(init=False)
    def __post_init__(self, scale):
        self.w *= scale
        self.h *= scale
        self.area = self.w * self.h
@dataclass
class Opts:
    path: str
    _: KW_ONLY
    verbose: bool = False
@dataclass
class Rect3(Rect):
    d: int = 1
out = [repr(Rect(2, 3)), repr(Rect(2, 3, 2)), repr(Opts('p', verbose=True)),
       repr(Rect3(1, 2, d=5)), str(is_dataclass(Rect)), str(is_dataclass(Rect(1, 1)))]
try:
    Opts('p', True)
except TypeError as e:
    out.append('TypeError: %s' % e)
try:
    Rect(1)
except TypeError as e:
    out.append('TypeError: %s' % e)
return '\n'.join(out)
$$;
SELECT dc_post_init();

CREATE FUNCTION dc_make() RETURNS text LANGUAGE plsafepy AS $$
import dataclasses
Row = dataclasses.make_dataclass('Row', ['id', ('label', str, dataclasses.field(default='-'))],
                                 namespace={'key': lambda self: '%s:%s' % (self.id, self.label)})
r = Row(7)
try:
    @dataclasses.dataclass
    class Bad:
        items: list = []
except ValueError as e:
    err = 'ValueError: %s' % e
return '%r %s %s' % (r, r.key(), err)
$$;
SELECT dc_make();

-- a dataclass as a set-returning function's rows
CREATE FUNCTION dc_rows() RETURNS TABLE (name text, qty int) LANGUAGE plsafepy AS $$
from dataclasses import dataclass, astuple
@dataclass
class Line:
    name: str
    qty: int
return [astuple(Line('a', 1)), astuple(Line('b', 2))]
$$;
SELECT * FROM dc_rows();

RESET ROLE;
DROP SCHEMA pls_codegen CASCADE;
DROP OWNED BY pls_codegen_user;
DROP ROLE pls_codegen_user;
RESET search_path;
-- typing: annotations, NamedTuple (on records.py's namedtuple), TypedDict,
-- Protocol; nothing that evaluates strings
CREATE ROLE pls_codegen_typing;
CREATE SCHEMA pls_codegen_t AUTHORIZATION pls_codegen_typing;
SET ROLE pls_codegen_typing;
SET search_path = pls_codegen_t;
CREATE FUNCTION ty_use(n int) RETURNS text LANGUAGE plsafepy AS $$
from typing import (Any, Dict, List, NamedTuple, Optional, Protocol,
                    TypedDict, TypeVar, Generic, Union, Callable, cast,
                    get_args, get_origin, runtime_checkable)
import typing
class Employee(NamedTuple):
    """An employee."""
    name: str
    id: int = 3
    def label(self) -> str:
        return '%s#%d' % (self.name, self.id)
Pair = NamedTuple('Pair', [('a', int), ('b', int)])
class Movie(TypedDict, total=False):
    title: str
    year: int
@runtime_checkable
class Named(Protocol):
    name: str
T = TypeVar('T')
class Box(Generic[T]):
    def __init__(self, item: T) -> None:
        self.item = item
def scale(xs: List[float], k: Optional[float] = None) -> Dict[str, Any]:
    return {'sum': sum(xs) * (k or 1)}
e = Employee('ann')
m: Movie = {'title': 'x'}
return '\n'.join([repr(e), e.label(), repr(Employee._make(['bob', n])),
                  repr(Pair(1, 2)), str(Employee._field_defaults),
                  str(isinstance(e, Named)), str(isinstance(1, Named)),
                  repr(m), str(Box[int](5).item), str(scale([1.0, 2.0], 2)),
                  str(get_args(Union[int, str])), str(get_origin(List[int])),
                  str(cast(int, '7')), str(typing.TYPE_CHECKING)])
$$;
SELECT ty_use(4);
RESET ROLE;
DROP SCHEMA pls_codegen_t CASCADE;
DROP OWNED BY pls_codegen_typing;
DROP ROLE pls_codegen_typing;
RESET search_path;
-- logging: records go to plpy's levels (ERROR too goes to WARNING: it logs,
-- it does not abort)
SET client_min_messages = info;
CREATE ROLE pls_codegen_log;
CREATE SCHEMA pls_codegen_l AUTHORIZATION pls_codegen_log;
SET ROLE pls_codegen_log;
SET search_path = pls_codegen_l;
CREATE FUNCTION log_use() RETURNS text LANGUAGE plsafepy AS $$
import logging
log = logging.getLogger('app')
log.info('dropped: below the default WARNING level')
log.warning('disk at %d%%', 91)
logging.basicConfig(level=logging.INFO)
log.debug('dropped: below INFO')
log.info('info with basicConfig')
logging.error('error %s', 'logged, not raised')
try:
    {}['k']
except KeyError:
    log.exception('failed')
h = logging.NullHandler()
log.addHandler(h)
f = logging.Formatter('{levelname}|{name}|{message}', style='{')
class Collect(logging.Handler):
    def __init__(self):
        logging.Handler.__init__(self)
        self.lines = []
    def emit(self, record):
        self.lines.append(self.format(record))
c = Collect()
c.setFormatter(f)
log.addHandler(c)
log.warning('to both')
return ' / '.join(c.lines)
$$;
SELECT log_use();
RESET ROLE;
RESET client_min_messages;
DROP SCHEMA pls_codegen_l CASCADE;
DROP OWNED BY pls_codegen_log;
DROP ROLE pls_codegen_log;
RESET search_path;
