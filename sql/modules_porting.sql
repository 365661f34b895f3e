--
-- Modules of issue 12 for ported PL/Python code beyond the first batch
-- (docs/modules.md): array, errno, ast.literal_eval, zoneinfo and
-- xml.etree.ElementTree, on by default, used as an unprivileged role; and
-- the forms of importing a dotted module.
--
CREATE ROLE regress_plsafepy_modp;
GRANT CREATE ON SCHEMA public TO regress_plsafepy_modp;
SET ROLE regress_plsafepy_modp;

-- array: the reviewed array type (sandbox/safetypes.py)
CREATE FUNCTION modp_array() RETURNS SETOF text LANGUAGE plsafepy AS $$
import array, copy
a = array.array('i', [3, 1, 2])
a.append(5)
a.insert(0, 9)
a.extend([7, 7])
a.extend(array.array('i', [8]))
a.fromlist([4])
yield repr(a)
yield "%s %s %s %s" % (a.typecode, a.itemsize, len(a), array.typecodes)
yield "%s %s %s %s" % (a[1:3], a[-1], a.count(7), a.index(5))
a.remove(7)
yield "%s %s %s" % (a.pop(), a.pop(0), a.tolist())
b = array.array('d', [1.5, 2.5]) * 2 + array.array('d', [0.25])
b[0] = 4
b[1:3] = array.array('d', [6.0])
del b[-1]
yield repr(b) + " " + str(b == array.array('d', [4.0, 6.0, 2.5]))
raw = array.array('h', [1, -2, 300]).tobytes()
c = array.array('h')
c.frombytes(raw)
c.byteswap()
c.byteswap()
yield "%s %s %s" % (c, bytes(array.array('B', b'AZ')), raw == bytes(c))
u = array.array('u', 'héllo')
u.fromunicode('!')
yield u.tounicode() + " " + str(sorted(array.array('b', [3, -1, 2])))
d = copy.deepcopy(a)
d.reverse()
yield "%s %s %s %s" % (d, copy.copy(a) == a, isinstance(d, array.array), array.ArrayType is array.array)
class Floaty:
    def __float__(self):
        return 0.5
e = array.array('f', [1])
e.append(Floaty())
yield repr(e)
for bad in (lambda: array.array('i', [1]).append('x'),
            lambda: array.array('d').append(None),
            lambda: array.array('z'),
            lambda: array.array('b', [300]),
            lambda: array.array('i', [1]) + array.array('d', [1.0])):
    try:
        bad()
    except Exception as ex:
        yield "%s: %s" % (type(ex).__name__, ex)
$$;
SELECT * FROM modp_array();

-- an array's items as a SQL array, its bytes as bytea
CREATE FUNCTION modp_array_out() RETURNS int[] LANGUAGE plsafepy AS $$
import array
return array.array('i', [1, 2, 3]).tolist()
$$;
CREATE FUNCTION modp_array_bytes() RETURNS bytea LANGUAGE plsafepy AS $$
import array
return bytes(array.array('B', [0, 255, 16]))
$$;
SELECT modp_array_out(), modp_array_bytes();

-- errno: the integer codes and their names
CREATE FUNCTION modp_errno() RETURNS text LANGUAGE plsafepy AS $$
import errno
from errno import EEXIST
return "%s %s %s %s" % (errno.ENOENT, errno.errorcode[errno.EACCES], EEXIST,
                        errno.errorcode.get(99999, "none"))
$$;
SELECT modp_errno();

-- ast.literal_eval: Python literals from text, and nothing else
CREATE FUNCTION modp_literal(s text) RETURNS text LANGUAGE plsafepy AS $$
from ast import literal_eval
try:
    v = literal_eval(s)
except Exception as ex:
    return "%s: %s" % (type(ex).__name__, str(ex).split(" at 0x")[0])
return "%s %r" % (type(v).__name__, v)
$$;
SELECT s, modp_literal(s) FROM unnest(ARRAY[
  '{''a'': [1, 2.5, -3], ''b'': (None, True)}', '  [1, {2, 3}, b''x'', 1+2j]',
  '-0.5e3', '''text''', 'Ellipsis', 'x + 1', '[1, 2', 'f(1)', '{1: [2]}']) s;

-- zoneinfo: zones read by the server (docs/modules.md), the same answers
-- as PostgreSQL's own time-zone conversion
CREATE FUNCTION modp_zone(epoch numeric, zone text) RETURNS text LANGUAGE plsafepy AS $$
import datetime
from zoneinfo import ZoneInfo
utc = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)
return utc.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S %Z")
$$;
SET timezone = 'UTC';
SELECT t, z, modp_zone(extract(epoch FROM t), z) AS python,
       to_char(t AT TIME ZONE z, 'YYYY-MM-DD HH24:MI:SS') AS postgres
FROM unnest(ARRAY['2024-03-31 00:59:59+00', '2024-03-31 01:00:00+00',
                  '2024-10-27 00:59:59+00', '2024-10-27 01:00:00+00',
                  '1950-06-01 12:00:00+00', '2099-07-01 12:00:00+00']::timestamptz[]) t,
     unnest(ARRAY['Europe/Paris', 'Australia/Lord_Howe']) z
ORDER BY z, t;
-- every conversion agrees with PostgreSQL's, over three years of zones
SELECT count(*) AS conversions,
       count(*) FILTER (WHERE left(modp_zone(extract(epoch FROM t), z), 19)
                        = to_char(t AT TIME ZONE z, 'YYYY-MM-DD HH24:MI:SS')) AS agree
FROM generate_series('2023-01-01 00:30:00+00'::timestamptz, '2025-12-31', '7 days 3 hours') t,
     unnest(ARRAY['Europe/Paris', 'America/New_York', 'America/Sao_Paulo', 'Asia/Kolkata',
                  'Australia/Lord_Howe', 'Pacific/Chatham', 'Africa/Casablanca', 'UTC']) z;
RESET timezone;

CREATE FUNCTION modp_zone_more() RETURNS SETOF text LANGUAGE plsafepy AS $$
import datetime, zoneinfo
from zoneinfo import ZoneInfo
paris = ZoneInfo('Europe/Paris')
yield "%r %s %s" % (paris, paris, paris.key)
yield str(ZoneInfo('Europe/Paris') is paris) + " " + str(ZoneInfo.no_cache('Europe/Paris') is paris)
gap = datetime.datetime(2024, 3, 31, 2, 30, tzinfo=paris)
fold0 = datetime.datetime(2024, 10, 27, 2, 30, tzinfo=paris)
fold1 = fold0.replace(fold=1)
yield "%s %s %s" % (gap.utcoffset(), fold0.tzname(), fold1.tzname())
yield repr(datetime.datetime(2024, 7, 1, 12, tzinfo=datetime.timezone.utc).astimezone(paris))
yield repr(ZoneInfo('US/Eastern')) + " " + repr(ZoneInfo('Etc/GMT+5').utcoffset(None))
for key in ('Mars/Base', 'Europe', '/etc/localtime', 'a/../b', ''):
    try:
        ZoneInfo(key)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as ex:
        yield "%s: %s" % (type(ex).__name__, ex)
$$;
SELECT * FROM modp_zone_more();

-- xml.etree.ElementTree: parsing and writing text
CREATE FUNCTION modp_xml(doc text) RETURNS SETOF text LANGUAGE plsafepy AS $$
import xml.etree.ElementTree as ET
root = ET.fromstring(doc)
yield "%s %s %s" % (root.tag, sorted(root.attrib.items()), len(root))
for item in root.iter('{urn:shop}item'):
    yield "%s %s %s" % (item.get('sku'), item.findtext('{urn:shop}name'),
                        float(item.find('{urn:shop}price').text))
ns = {'s': 'urn:shop'}
yield str([e.get('sku') for e in root.findall("s:item[@kind='tool']", ns)])
yield str([e.text for e in root.iterfind('.//s:name', ns)])
$$;
SELECT * FROM modp_xml($x$<?xml version="1.0"?>
<shop xmlns="urn:shop" id="7">
  <item sku="a1" kind="tool"><name>Hammer &amp; nails</name><price>9.5</price></item>
  <item sku="b2" kind="food"><name><![CDATA[<Bread>]]></name><price>2</price></item>
</shop>$x$);

CREATE FUNCTION modp_xml_build() RETURNS SETOF text LANGUAGE plsafepy AS $$
import xml.etree.ElementTree as ET
ET.register_namespace('s', 'urn:shop')
order = ET.Element('{urn:shop}order', id='42')
for sku, qty in (('a1', 2), ('b2', 1)):
    line = ET.SubElement(order, '{urn:shop}line', sku=sku)
    line.text = str(qty)
order.append(ET.Comment(' total: 3 '))
yield ET.tostring(order, encoding='unicode')
ET.indent(order)
yield ET.tostring(order, encoding='unicode')
yield ET.tostring(ET.fromstringlist(['<a>', 'é', '</a>']), encoding='utf-8', xml_declaration=True).decode()
tree, ids = ET.XMLID('<r><x id="one">1</x><x id="two">2</x></r>')
yield str(sorted((k, v.text) for k, v in ids.items())) + " " + str(ET.iselement(tree))
try:
    ET.fromstring('<a><b></a>')
except ET.ParseError as ex:
    yield "ParseError: %s %s" % (ex, ex.position)
$$;
SELECT * FROM modp_xml_build();

-- importing dotted modules: every form Python has
CREATE FUNCTION modp_imports() RETURNS text LANGUAGE plsafepy AS $$
import collections.abc
import urllib.parse
import xml.etree.ElementTree
from collections import abc
from urllib import parse
from xml.etree import ElementTree as ET
import collections
return "%s %s %s %s %s %s" % (
    isinstance([], collections.abc.Sequence), abc is collections.abc,
    urllib.parse.quote('a b'), parse is urllib.parse,
    xml.etree.ElementTree is ET, ET.fromstring('<x/>').tag)
$$;
SELECT modp_imports();
CREATE FUNCTION modp_import_bad() RETURNS text LANGUAGE plsafepy AS $$
import xml.dom.minidom
return 'imported'
$$;
CREATE FUNCTION modp_from_bad() RETURNS text LANGUAGE plsafepy AS $$
from urllib import request
return 'imported'
$$;

RESET ROLE;
DROP FUNCTION modp_array(), modp_array_out(), modp_array_bytes(), modp_errno(),
  modp_literal(text), modp_zone(numeric, text), modp_zone_more(), modp_xml(text),
  modp_xml_build(), modp_imports();
REVOKE CREATE ON SCHEMA public FROM regress_plsafepy_modp;
DROP ROLE regress_plsafepy_modp;
