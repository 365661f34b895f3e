-- Whitelisted modules and codecs are imported the first time a body uses
-- them, through sandbox.c's trusted loader, after lock-down; decimal is
-- loaded by the first numeric value even when it is not whitelisted.
-- Each block runs in a fresh session (\c), so nothing is loaded before it.
CREATE ROLE pls_ld_user;
CREATE SCHEMA pls_ld AUTHORIZATION pls_ld_user;
DO LANGUAGE plsafepy $$ pass $$;

-- every reviewed module, each first imported here, in one body
\c
SET ROLE pls_ld_user;
SET search_path = pls_ld;
DO LANGUAGE plsafepy $$
import math, cmath, decimal, fractions, statistics, random, itertools
import functools, operator, collections, heapq, bisect, re, string, json
import datetime, calendar, textwrap, unicodedata, hashlib, base64
import binascii, uuid, enum, copy, pprint, difflib, struct
plpy.notice(json.dumps([str(fractions.Fraction(1, 3)), statistics.mean([1, 2, 4]),
                        hashlib.sha256(b"x").hexdigest()[:12], str(uuid.UUID(int=7)),
                        pprint.pformat({"k": (1, 2)}), calendar.isleap(2024),
                        datetime.datetime.strptime("2024-02-29", "%Y-%m-%d").strftime("%d.%m.%Y")]))
$$;

-- "from m import name" is checked, and m loaded, when the function is created
\c
SET ROLE pls_ld_user;
SET search_path = pls_ld;
CREATE FUNCTION digest(s text) RETURNS text LANGUAGE plsafepy AS $$
from hashlib import md5
return md5(s.encode()).hexdigest()
$$;
CREATE FUNCTION bad_name() RETURNS text LANGUAGE plsafepy AS $$
from hashlib import no_such_name
$$;
\c
SET ROLE pls_ld_user;
SET search_path = pls_ld;
SELECT digest('abc');

-- codecs, loaded on first use; unknown ones are LookupError, as in Python
\c
SET ROLE pls_ld_user;
SET search_path = pls_ld;
DO LANGUAGE plsafepy $$
plpy.notice('é'.encode('cp1252'), 'é'.encode('koi8_r', 'replace'), 'bücher.de'.encode('idna'),
            'x'.encode('utf-16-le'), b'\\x41'.decode('unicode_escape'), 'ü'.encode('latin-1'))
for name in ('no-such-codec', 'mbcs', 'zlib', '../os', 'encodings.os'):
    try:
        'x'.encode(name)
    except LookupError as e:
        plpy.notice(e)
$$;

-- a load that runs out of recursion depth is a RecursionError (the steps
-- just below the limit fail inside the import), and the next import loads
\c
SET ROLE pls_ld_user;
SET search_path = pls_ld;
DO LANGUAGE plsafepy $$
def f(d):
    if d == 0:
        import pprint
        return pprint.pformat([1])
    return f(d - 1)
failed = 0
for d in range(3000, 0, -7):
    try:
        r = f(d)
        break
    except RecursionError:
        failed += 1
plpy.notice(r, failed > 0)
$$;

-- a load started inside another (here by user code that pprint's import
-- reaches through a class attribute it replaced) leaves the outer one
-- open: both modules load
\c
SET ROLE pls_ld_user;
SET search_path = pls_ld;
DO LANGUAGE plsafepy $$
import enum
seen = []
def hook(*args):
    import json
    seen.append(json.dumps('inner'))
enum.EnumType._check_for_existing_members_ = hook
import pprint
plpy.notice(pprint.pformat(seen[:1]))
$$;

-- numeric values need decimal, which need not be whitelisted for that
\c
ALTER ROLE pls_ld_user SET plsafepy.allowed_modules = 'math';
SET ROLE pls_ld_user;
SET search_path = pls_ld;
CREATE FUNCTION twice(x numeric) RETURNS numeric LANGUAGE plsafepy AS $$
return x * 2
$$;
SELECT twice(1.25);
DO LANGUAGE plsafepy $$
import decimal
$$;
RESET ROLE;
DROP SCHEMA pls_ld CASCADE;
DROP ROLE pls_ld_user;
