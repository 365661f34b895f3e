-- plsafepy.allowed_modules: a complete list, or changes to the reviewed
-- defaults ("+module" adds, "-module" removes); entries that name nothing
-- installed warn once, when the role's interpreter is built; a module
-- that fails to import fails only its own imports.
\set SHOW_CONTEXT never
CREATE ROLE pls_ws_add;
CREATE ROLE pls_ws_bad;
-- the setting exists once the library is loaded
DO LANGUAGE plsafepy $$ pass $$;

-- values the setting refuses, naming the entry
SET plsafepy.allowed_modules = 'math, +colorsys';
SET plsafepy.allowed_modules = '+colorsys, math';
SET plsafepy.allowed_modules = '-json:dumps';
SET plsafepy.allowed_modules = '-colorsys';
SET plsafepy.allowed_modules = '-randon';
SET plsafepy.allowed_modules = '+os';
SET plsafepy.allowed_modules = '+importlib.util';
SET plsafepy.allowed_modules = 'math, ctypes:CDLL';
SET plsafepy.allowed_modules = '+';
SET plsafepy.allowed_modules = '+ 1x';
-- accepted: spaces after a sign, list syntax
SET plsafepy.allowed_modules = '+ colorsys', '-random';
SHOW plsafepy.allowed_modules;
RESET plsafepy.allowed_modules;

-- add one module and one name, remove a default, without restating the
-- defaults
ALTER ROLE pls_ws_add SET plsafepy.allowed_modules = '+colorsys, +graphlib:TopologicalSorter, -random';
SET ROLE pls_ws_add;
SELECT module, count(*) > 0 AS listed FROM plsafepy.allowed_modules
 WHERE module IN ('colorsys', 'random', 'math', 'json') GROUP BY module ORDER BY module;
SELECT module, name FROM plsafepy.allowed_modules WHERE module = 'graphlib';
DO LANGUAGE plsafepy $$
import colorsys, math, json
from graphlib import TopologicalSorter
plpy.notice('%s %s %s %s' % (colorsys.rgb_to_hsv(1.0, 0.0, 0.0), math.floor(2.5),
            json.dumps([1]), list(TopologicalSorter({'b': {'a'}}).static_order())))
$$;
\set VERBOSITY terse
DO LANGUAGE plsafepy $$
import random
$$;
DO LANGUAGE plsafepy $$
from graphlib import CycleError
$$;
\set VERBOSITY default
RESET ROLE;

-- a misspelled entry and a module that cannot be imported here (turtle
-- needs tkinter, which Debian ships apart, in python3-tk): the first warns
-- when the interpreter is built, both fail only their own imports, and
-- every other function of the role keeps working
ALTER ROLE pls_ws_bad SET plsafepy.allowed_modules = '+colorsyss, +turtle';
SET ROLE pls_ws_bad;
DO LANGUAGE plsafepy $$
import math
plpy.notice('built: %s' % math.floor(1.5))
$$;
DO LANGUAGE plsafepy $$
import colorsyss
$$;
DO LANGUAGE plsafepy $$
try:
    import turtle
except ImportError as e:
    plpy.notice('caught: %s' % e)
$$;
DO LANGUAGE plsafepy $$
import turtle
$$;
DO LANGUAGE plsafepy $$
import json
plpy.notice('still works: %s' % json.dumps({'a': 1}))
$$;
SELECT count(*) AS listed FROM plsafepy.allowed_modules
 WHERE module IN ('colorsyss', 'turtle');
RESET ROLE;

ALTER ROLE pls_ws_add RESET plsafepy.allowed_modules;
ALTER ROLE pls_ws_bad RESET plsafepy.allowed_modules;
DROP ROLE pls_ws_add;
DROP ROLE pls_ws_bad;
