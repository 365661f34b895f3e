-- plsafepy.allowed_modules: superuser-only, read when a role's interpreter
-- is created; the view plsafepy.allowed_modules shows the effective
-- whitelist of the calling role.
\set SHOW_CONTEXT never
CREATE ROLE pls_wl_user;
CREATE ROLE pls_wl_narrow;
CREATE ROLE pls_wl_wide;
CREATE SCHEMA pls_wl AUTHORIZATION pls_wl_user;
GRANT USAGE ON SCHEMA pls_wl TO pls_wl_narrow, pls_wl_wide;

-- the setting exists once the library is loaded
DO LANGUAGE plsafepy $$ pass $$;
SHOW plsafepy.allowed_modules;

-- the default whitelist as the view shows it
SET ROLE pls_wl_user;
SELECT module, count(*) AS names FROM plsafepy.allowed_modules GROUP BY module ORDER BY module;
SELECT name, kind FROM plsafepy.allowed_modules WHERE module = 'string' ORDER BY name;
-- withheld names are not listed
SELECT count(*) FROM plsafepy.allowed_modules
 WHERE (module, name) IN (('functools', 'namedtuple'), ('decimal', 'DefaultContext'),
                          ('functools', 'singledispatch'), ('uuid', 'uuid1'),
                          ('calendar', 'LocaleTextCalendar'), ('hashlib', 'scrypt'));

-- only a superuser may change the setting
SET plsafepy.allowed_modules = 'math, os';
RESET ROLE;

-- malformed values are rejected
SET plsafepy.allowed_modules = 'math; os';
SET plsafepy.allowed_modules = 'math, 1bad';

-- a narrower whitelist, a name-level entry and a module plsafepy has not
-- reviewed (zlib: every public name), for a role whose interpreter does
-- not exist yet (a role's interpreter takes the role's setting, see
-- settings.sql)
ALTER ROLE pls_wl_narrow SET plsafepy.allowed_modules = 'math, zlib, html:escape, statistics:mean';
SET ROLE pls_wl_narrow;
SELECT module, name FROM plsafepy.allowed_modules WHERE module <> 'zlib' ORDER BY 1, 2;
SELECT count(*) > 5 AS zlib_names FROM plsafepy.allowed_modules WHERE module = 'zlib';
DO LANGUAGE plsafepy $$
import math, zlib
from html import escape
from statistics import mean
plpy.notice('%s %s %s %s' % (math.floor(1.5), zlib.crc32(b'abc'), escape('<a>'), mean([1, 3])))
$$;
\set VERBOSITY terse
DO LANGUAGE plsafepy $$
import json
$$;
\set VERBOSITY default
DO LANGUAGE plsafepy $$
import html
html.unescape('&amp;')
$$;
RESET ROLE;
-- the interpreter keeps what it was built with for the session
ALTER ROLE pls_wl_narrow RESET plsafepy.allowed_modules;
SET ROLE pls_wl_narrow;
SELECT count(*) FROM plsafepy.allowed_modules WHERE module = 'json';
RESET ROLE;
-- a role that starts later gets the default
SET ROLE pls_wl_wide;
SELECT count(*) > 0 AS has_json FROM plsafepy.allowed_modules WHERE module = 'json';
RESET ROLE;

-- per role and per database, by a superuser
ALTER ROLE pls_wl_wide SET plsafepy.allowed_modules = 'math';
ALTER ROLE pls_wl_wide RESET plsafepy.allowed_modules;

-- plpython3u in the same session keeps working: the audit hook and the
-- lock-down only concern plsafepy's interpreters
CREATE EXTENSION IF NOT EXISTS plpython3u;
-- (an error inside a plsafepy interpreter, at compile time and at run
-- time, must leave the main interpreter current afterwards)
\set VERBOSITY terse
DO LANGUAGE plsafepy $$
import os
$$;
\set VERBOSITY default
DO LANGUAGE plsafepy $$
1 / 0
$$;
DO LANGUAGE plsafepy $$
try:
    open('/dev/null')
except plpy.Error as e:
    plpy.notice('plsafepy: %s' % e)
$$;
DO LANGUAGE plpython3u $$
import os, sys
with open('/dev/null') as f:
    f.read()
plpy.notice('plpython3u: open works, os.getpid() > 0 is %s, sys imported' % (os.getpid() > 0))
$$;
DO LANGUAGE plsafepy $$
plpy.notice('plsafepy again: %s' % (1 + 1))
$$;
DROP EXTENSION plpython3u;

DROP SCHEMA pls_wl CASCADE;
DROP ROLE pls_wl_user;
DROP ROLE pls_wl_narrow;
DROP ROLE pls_wl_wide;
