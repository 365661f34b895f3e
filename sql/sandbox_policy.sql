-- The compile-time policy: denials come at CREATE FUNCTION (the validator)
-- as SQLSTATE 42501 with the line of the body, and again before the first
-- execution when bodies were not checked at creation.
CREATE ROLE pls_pol_user;
CREATE SCHEMA pls_pol AUTHORIZATION pls_pol_user;
SET ROLE pls_pol_user;
SET search_path = pls_pol;
\set SHOW_CONTEXT never

-- dunder attribute, line 4 of the body (it starts with a newline)
CREATE FUNCTION f1() RETURNS text LANGUAGE plsafepy AS $$
x = 1
y = 2
return x.__globals__
$$;
-- dunder name
CREATE FUNCTION f2() RETURNS text LANGUAGE plsafepy AS $$return __builtins__$$;
-- frame attribute, NFKC-normalised identifier
CREATE FUNCTION f3() RETURNS text LANGUAGE plsafepy AS $$
g = (i for i in [1])
return g.gi_ｆｒａｍｅ
$$;
-- import of a module that is not whitelisted
CREATE FUNCTION f4() RETURNS text LANGUAGE plsafepy AS $$
import json
import os
$$;
-- a name of sys beyond its facade: the hint names no setting (none helps)
CREATE FUNCTION f4s() RETURNS text LANGUAGE plsafepy AS $$
from sys import modules
$$;
-- syntax that is not on the allowlist
CREATE FUNCTION f5() RETURNS text LANGUAGE plsafepy AS $$
async def f():
    pass
$$;
-- a class may define protocol methods but not __del__
CREATE FUNCTION f6() RETURNS text LANGUAGE plsafepy AS $$
class A:
    def __init__(self):
        pass
    def __del__(self):
        pass
$$;
-- DO blocks go through the same policy
\set VERBOSITY terse
DO LANGUAGE plsafepy $$
import os
$$;
\set VERBOSITY default

-- bodies not checked at creation are checked before the first call
SET check_function_bodies = off;
CREATE FUNCTION f7() RETURNS text LANGUAGE plsafepy AS $$
return (lambda: 0).__code__
$$;
SET check_function_bodies = on;
SELECT f7();

-- run-time denials: 42501 too, with what was denied
CREATE FUNCTION r1() RETURNS text LANGUAGE plsafepy AS $$
return getattr(len, '__self__')
$$;
SELECT r1();
CREATE FUNCTION r2() RETURNS text LANGUAGE plsafepy AS $$
return eval('1')
$$;
SELECT r2();
CREATE FUNCTION r3() RETURNS text LANGUAGE plsafepy AS $$
return '{0.__globals__}'.format(1)
$$;
SELECT r3();
CREATE FUNCTION r4() RETURNS text LANGUAGE plsafepy AS $$
import collections
return collections.UserString
$$;
SELECT r4();

-- characters that change tokenisation are denied outside string literals,
-- naming the character and the body's line: a form feed at the start of a
-- line would end the wrapping def
CREATE FUNCTION c1() RETURNS text LANGUAGE plsafepy AS E'x = 1\n\fimport os\nreturn x';
CREATE FUNCTION c2() RETURNS text LANGUAGE plsafepy AS E'x = 1 # \u2028\nreturn x';
-- ... also at first execution
SET check_function_bodies = off;
CREATE FUNCTION c3() RETURNS text LANGUAGE plsafepy AS E'\n\n\x0breturn 1';
SET check_function_bodies = on;
SELECT c3();
-- inside string literals they are data, as in PL/Python
CREATE FUNCTION c4() RETURNS text LANGUAGE plsafepy AS E'
s = ''a\fb''
t = """\f\x0b\u2028"""
return "%r %r" % (s, t)
';
SELECT c4();
-- \r\n and lone \r end lines as in Python (inside strings too); lines
-- still count from the first line of the body
CREATE FUNCTION c5() RETURNS text LANGUAGE plsafepy AS E'x = 1\r\ny = 2\r\nreturn str(x + y)';
SELECT c5();
CREATE FUNCTION c6() RETURNS text LANGUAGE plsafepy AS E'x = 1\r\ry = 2\rreturn x.__globals__';
CREATE FUNCTION c7() RETURNS text LANGUAGE plsafepy AS E'x = 1\r\r\ny = (';
-- a runtime error's traceback shows the right source line
CREATE FUNCTION c8() RETURNS text LANGUAGE plsafepy AS E'x = 1\ry = 0\rreturn str(x / y)';
\set SHOW_CONTEXT always
SELECT c8();
\set SHOW_CONTEXT never
-- what only the compiler finds is a syntax error at its line too
CREATE FUNCTION c9() RETURNS text LANGUAGE plsafepy AS $$
x = 1
break
$$;

-- the SQLSTATE of both kinds of denial
\set VERBOSITY sqlstate
SELECT f7();
SELECT r2();
SELECT c3();
\set VERBOSITY default
RESET ROLE;
DROP SCHEMA pls_pol CASCADE;
DROP ROLE pls_pol_user;
