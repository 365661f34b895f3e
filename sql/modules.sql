--
-- Modules of the default whitelist added for PL/Python code (issue 12
-- item 3), in real use as an unprivileged role; their attack surface is in
-- test/attacks/20_modules_more.txt, their review in docs/modules.md.
--
CREATE ROLE regress_plsafepy_mod;
GRANT CREATE ON SCHEMA public TO regress_plsafepy_mod;
SET ROLE regress_plsafepy_mod;
\set SHOW_CONTEXT never

-- time: clocks, formatting and parsing; sleep is the interruptible one
DO LANGUAGE plsafepy $$
import time
t0 = time.time(); m0 = time.monotonic(); p0 = time.perf_counter()
time.sleep(0.01)
plpy.notice("clocks advance: %s %s %s" % (time.time() > t0,
            time.monotonic() > m0, time.perf_counter() - p0 >= 0.01))
plpy.notice("process_time: %s" % (time.process_time() >= 0))
st = time.gmtime(86400 * 365)
plpy.notice(time.strftime("%Y-%m-%d %H:%M:%S", st))
plpy.notice(repr(time.strptime("2024-02-29 13:45", "%Y-%m-%d %H:%M")[:6]))
plpy.notice(str(time.mktime(time.localtime(1000000)) == 1000000))
plpy.notice(time.asctime(st))
$$;

-- a retry with backoff, as ported code writes it
CREATE FUNCTION mod_backoff(n int) RETURNS text AS $$
import time
waited = 0.0
for attempt in range(n):
    d = 0.001 * 2 ** attempt
    time.sleep(d)
    waited += d
return "%d attempts, %.3f s" % (n, waited)
$$ LANGUAGE plsafepy;
SELECT mod_backoff(3);

-- contextlib
DO LANGUAGE plsafepy $$
from contextlib import contextmanager, suppress, closing, nullcontext, ExitStack
log = []
@contextmanager
def tag(name):
    log.append("<" + name)
    try:
        yield name.upper()
    finally:
        log.append(name + ">")
with tag("a") as a, tag("b") as b:
    log.append(a + b)
with suppress(KeyError):
    {}["missing"]
class Res:
    def close(self):
        log.append("closed")
with closing(Res()):
    pass
with nullcontext(5) as five:
    log.append(str(five))
with ExitStack() as stack:
    stack.callback(log.append, "cb")
    stack.enter_context(tag("c"))
plpy.notice(" ".join(log))
$$;

-- abc, collections.abc, numbers
DO LANGUAGE plsafepy $$
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence, Iterable
import collections.abc as cabc
import numbers
class Shape(ABC):
    @abstractmethod
    def area(self): ...
class Sq(Shape):
    def __init__(self, s): self.s = s
    def area(self): return self.s ** 2
try:
    Shape()
except TypeError as e:
    plpy.notice("abstract: %s" % e)
plpy.notice("%s %s %s %s" % (Sq(3).area(), isinstance({}, Mapping),
            isinstance([], Sequence), isinstance(iter([]), cabc.Iterator)))
plpy.notice("%s %s %s" % (isinstance(1, numbers.Integral),
            isinstance(1.5, numbers.Real), isinstance(1j, numbers.Real)))
$$;

-- csv over lists of lines and a user writer
DO LANGUAGE plsafepy $$
import csv
rows = list(csv.reader(['a,b,"c,d"', '1,2,3']))
plpy.notice(repr(rows))
class Out:
    def __init__(self): self.parts = []
    def write(self, s): self.parts.append(s)
o = Out()
w = csv.writer(o, lineterminator="\n")
w.writerow(["x", 'say "hi"', 3])
d = csv.DictWriter(o, fieldnames=["k", "v"], lineterminator="\n")
d.writeheader(); d.writerow({"k": 1, "v": "a;b"})
plpy.notice(repr("".join(o.parts)))
plpy.notice(repr([dict(r) for r in csv.DictReader(["k;v", "1;2"], delimiter=";")]))
$$;

-- hmac with hashlib, secrets
CREATE FUNCTION mod_sign(msg text) RETURNS text AS $$
import hmac, hashlib
return hmac.new(b"key", msg.encode(), hashlib.sha256).hexdigest()
$$ LANGUAGE plsafepy;
SELECT mod_sign('The quick brown fox jumps over the lazy dog');
DO LANGUAGE plsafepy $$
import hmac, secrets
t = secrets.token_hex(16)
plpy.notice("%d %d %s" % (len(t), len(secrets.token_urlsafe(24)),
            hmac.compare_digest(t, t)))
plpy.notice(str(secrets.choice("abc") in "abc" and 0 <= secrets.randbelow(10) < 10))
$$;

-- ipaddress on inet values
CREATE FUNCTION mod_in_net(addr inet, net cidr) RETURNS bool AS $$
import ipaddress
return ipaddress.ip_address(addr) in ipaddress.ip_network(net)
$$ LANGUAGE plsafepy;
SELECT mod_in_net('10.1.2.3', '10.0.0.0/8'), mod_in_net('192.168.0.1', '10.0.0.0/8'),
       mod_in_net('2001:db8::1', '2001:db8::/32');
DO LANGUAGE plsafepy $$
import ipaddress
n = ipaddress.ip_network("192.168.0.0/30")
plpy.notice(repr([str(h) for h in n.hosts()]))
plpy.notice(repr([str(x) for x in ipaddress.collapse_addresses(
    [ipaddress.ip_network("10.0.0.0/25"), ipaddress.ip_network("10.0.0.128/25")])]))
$$;

-- urllib.parse, html, fnmatch, shlex
DO LANGUAGE plsafepy $$
from urllib.parse import urlparse, urlencode, parse_qs, quote, urljoin
u = urlparse("https://user@example.com:8080/a/b?x=1&y=2#frag")
plpy.notice("%s %s %s %s %s" % (u.scheme, u.hostname, u.port, u.path, parse_qs(u.query)))
plpy.notice(urlencode({"q": "a b&c", "n": 1}) + " " + quote("/ä x") + " " + urljoin("http://h/a/b", "../c"))
import html, fnmatch, shlex
plpy.notice(html.escape('<a href="x">&</a>') + " " + html.unescape("&lt;&eacute;&#x41;"))
plpy.notice(repr(fnmatch.filter(["a.py", "b.txt", "c.py"], "*.py")) + " " + str(fnmatch.fnmatch("Data.CSV", "*.csv")))
plpy.notice(repr(shlex.split("cmd --opt 'a b' \"c d\"")) + " " + shlex.join(["a b", "c"]) + " " + shlex.quote("it's"))
$$;

-- zlib
DO LANGUAGE plsafepy $$
import zlib
data = b"plsafepy " * 1000
c = zlib.compress(data, 9)
plpy.notice("%d -> %d, back: %s, crc %d adler %d" % (len(data), len(c),
            zlib.decompress(c) == data, zlib.crc32(b"abc"), zlib.adler32(b"abc")))
d = zlib.decompressobj()
plpy.notice(str(len(d.decompress(c, 100)) == 100))
$$;

-- types.SimpleNamespace
DO LANGUAGE plsafepy $$
from types import SimpleNamespace
ns = SimpleNamespace(a=1, b="x")
ns.c = [1, 2]
plpy.notice(repr(ns))
$$;

RESET ROLE;
DROP FUNCTION mod_backoff(int), mod_sign(text), mod_in_net(inet, cidr);
REVOKE CREATE ON SCHEMA public FROM regress_plsafepy_mod;
DROP ROLE regress_plsafepy_mod;
