# Work with each module the worker preloads, run as full Python inside the
# locked-in test worker by test/worker.sh: the allowlist must serve it all.
import math, cmath, decimal, fractions, statistics, random, itertools, functools, operator, collections, heapq, bisect, re, string, json, datetime, calendar, textwrap, unicodedata, hashlib, base64, binascii, uuid, enum, copy, pprint, difflib, struct, ast
import time, contextlib, abc, collections.abc, numbers, csv, hmac, secrets, ipaddress, urllib.parse, html, fnmatch, shlex, zlib, types
out = []
out.append(math.sqrt(2) > 1.41 and abs(cmath.exp(1j * math.pi) + 1) < 1e-9)
out.append(str(decimal.Decimal(1) / decimal.Decimal(7))[:8])
out.append(str(fractions.Fraction(3, 4) + fractions.Fraction(1, 4)))
out.append(statistics.median([3, 1, 2]))
r = random.Random(42); out.append(r.randint(1, 100)); random.seed(); out.append(0 <= random.random() < 1)
out.append(list(itertools.accumulate([1, 2, 3])))
out.append(functools.reduce(operator.add, [1, 2, 3]))
out.append(collections.Counter("abca").most_common(1))
h = [3, 1, 2]; heapq.heapify(h); out.append(h[0]); out.append(bisect.bisect([1, 2, 4], 3))
out.append(re.findall(r"\d+", "a1b22"))
out.append(string.Template("$x").substitute(x=1))
out.append(json.loads(json.dumps({"k": [1, 2.5, None]})))
out.append(datetime.datetime.strptime('2024-02-29', '%Y-%m-%d').date().isoformat()); out.append(datetime.datetime.now().year > 2000)
out.append(datetime.datetime(2024,1,1,tzinfo=datetime.timezone.utc).isoformat())
out.append(calendar.isleap(2024)); out.append(textwrap.shorten("hello world foo", 11))
out.append(unicodedata.name("é"))
out.append(hashlib.sha256(b"x").hexdigest()[:8]); out.append(hashlib.md5(b"x").hexdigest()[:8])
out.append(base64.b64encode(b"hi")); out.append(binascii.hexlify(b"\x01"))
out.append(uuid.uuid4().version); out.append(str(uuid.UUID(int=1))[:8])
class C(enum.Enum):
    A = 1
out.append(C.A.name); out.append(copy.deepcopy({"a": [1]})); out.append(pprint.pformat({"a": 1}))
out.append(difflib.SequenceMatcher(None, "abc", "abd").ratio()); out.append(struct.pack("<i", 1))
out.append(type(ast.parse("x = 1")).__name__)
big = [bytes(1 << 20) for i in range(200)]; out.append(len(big)); del big
out.append(len(str(2 ** 10000)))
out.append(time.strptime("2024-02-29", "%Y-%m-%d")[:3]); out.append(time.localtime().tm_year > 2000 and time.monotonic() > 0)
out.append(len(secrets.token_hex(4))); out.append(hmac.new(b"k", b"m", "sha256").hexdigest()[:8]); out.append(zlib.crc32(zlib.decompress(zlib.compress(b"abc"))))
out.append(list(csv.reader(["a,b"]))); out.append(shlex.split("a 'b c'")); out.append(urllib.parse.quote("a b")); out.append(html.escape("<")); out.append(fnmatch.fnmatch("a.py", "*.py"))
out.append(str(ipaddress.ip_network("10.0.0.0/30").broadcast_address)); out.append(isinstance({}, collections.abc.Mapping) and isinstance(1, numbers.Integral)); out.append(types.SimpleNamespace(a=1).a)
result = out
