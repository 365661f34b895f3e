-- The language itself: functions, arguments, SD/GD, caching and
-- recompilation, errors and tracebacks, DO blocks, SETOF, procedures.
-- Everything runs as an unprivileged role.
CREATE ROLE pls_base_user;
CREATE SCHEMA pls_base AUTHORIZATION pls_base_user;
SET ROLE pls_base_user;
SET search_path = pls_base;

CREATE FUNCTION add_one(x int) RETURNS int LANGUAGE plsafepy AS $$ return x + 1 $$;
SELECT add_one(41);
-- NULL arrives as None; a non-strict function sees it
CREATE FUNCTION is_null(x int) RETURNS bool LANGUAGE plsafepy AS $$ return x is None $$;
SELECT is_null(NULL), is_null(1);

-- bodies indented as a whole, as PL/Python allows
CREATE FUNCTION indented(a int, b int) RETURNS int LANGUAGE plsafepy AS $$
    if a > b:
        return a
    return b
$$;
SELECT indented(1, 2), indented(5, 3);

-- reassigning an argument needs no "global"
CREATE FUNCTION reassign(s text) RETURNS text LANGUAGE plsafepy AS $$
s = s.strip()
s = s + "!"
return s
$$;
SELECT reassign('  hi  ');

-- unnamed arguments through args; named ones are in args too
CREATE FUNCTION unnamed(int, b int, text) RETURNS text LANGUAGE plsafepy AS $$
return "%r %r %r %d" % (args[0], b, args[2], len(args))
$$;
SELECT unnamed(1, 2, 'three');

-- SD is per function, GD per role
CREATE FUNCTION counter() RETURNS int LANGUAGE plsafepy AS $$
SD["n"] = SD.get("n", 0) + 1
GD["last"] = SD["n"]
return SD["n"]
$$;
CREATE FUNCTION counter2() RETURNS int LANGUAGE plsafepy AS $$
SD["n"] = SD.get("n", 100) + 1
return SD["n"]
$$;
CREATE FUNCTION read_gd() RETURNS int LANGUAGE plsafepy AS $$ return GD.get("last") $$;
SELECT counter(), counter(), counter2(), read_gd();

-- CREATE OR REPLACE recompiles, and SD starts afresh
CREATE OR REPLACE FUNCTION counter() RETURNS int LANGUAGE plsafepy AS $$
SD["n"] = SD.get("n", 1000) + 1
return SD["n"]
$$;
SELECT counter();

-- globals set with "global" persist in the function's own namespace
CREATE FUNCTION glob() RETURNS int LANGUAGE plsafepy AS $$
global calls
try:
    calls += 1
except NameError:
    calls = 1
return calls
$$;
SELECT glob(), glob();

-- void functions must return None
CREATE FUNCTION void_ok() RETURNS void LANGUAGE plsafepy AS $$ pass $$;
CREATE FUNCTION void_bad() RETURNS void LANGUAGE plsafepy AS $$ return 1 $$;
SELECT void_ok();
SELECT void_bad();

-- uncaught exceptions: message, SQLSTATE 38000, traceback with body lines
CREATE FUNCTION sqlstate_of(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE q;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE;
END $$;
CREATE FUNCTION fails() RETURNS int LANGUAGE plsafepy AS $$
def inner(d):
    return 1 // d
x = 1
return inner(0)
$$;
SELECT fails();
CREATE FUNCTION raises_value() RETURNS int LANGUAGE plsafepy AS $$
class MyError(Exception):
    pass
raise MyError("custom")
$$;
SELECT raises_value();
SELECT sqlstate_of('SELECT fails()'), sqlstate_of('SELECT raises_value()');

-- syntax errors come at CREATE FUNCTION, with the body's line number
CREATE FUNCTION bad_syntax() RETURNS int LANGUAGE plsafepy AS $$
x = 1
y = (
$$;
CREATE FUNCTION bad_indent() RETURNS int LANGUAGE plsafepy AS $$
  x = 1
    y = 2
$$;
-- ... unless function bodies are not checked; then at the first call
SET check_function_bodies = off;
CREATE FUNCTION bad_later() RETURNS int LANGUAGE plsafepy AS $$ return ( $$;
RESET check_function_bodies;
SELECT bad_later();

-- DO blocks
DO $$ plpy.notice("from DO") $$ LANGUAGE plsafepy;
DO $$ raise ValueError("bad") $$ LANGUAGE plsafepy;
-- a DO block's own variable named args is just a variable
DO $$
args = [1, 2]
plpy.notice(str(len(args)))
$$ LANGUAGE plsafepy;

-- SETOF: from a list, a generator, any iterable; interleaved calls
CREATE FUNCTION gen(n int) RETURNS SETOF int LANGUAGE plsafepy AS $$
for i in range(n):
    yield i * 10
$$;
CREATE FUNCTION from_list() RETURNS SETOF text LANGUAGE plsafepy AS $$ return ["a", "b", None] $$;
CREATE FUNCTION from_tuple() RETURNS SETOF int LANGUAGE plsafepy AS $$ return (1, 2) $$;
CREATE FUNCTION not_iterable() RETURNS SETOF int LANGUAGE plsafepy AS $$ return 5 $$;
SELECT * FROM gen(3);
SELECT * FROM from_list();
SELECT from_tuple();
SELECT gen(2), gen(3);
SELECT * FROM gen(1000000) LIMIT 2;
SELECT not_iterable();

-- recursion (through SQL) works
CREATE FUNCTION fact(n int) RETURNS numeric LANGUAGE plsafepy AS $$
if n <= 1:
    return 1
return n * plpy.execute("SELECT fact(%d) AS f" % (n - 1))[0]["f"]
$$;
SELECT fact(20);

-- procedures, with and without OUT parameters
CREATE PROCEDURE proc_notice(msg text) LANGUAGE plsafepy AS $$ plpy.notice(msg) $$;
CALL proc_notice('called');
CREATE PROCEDURE proc_out(INOUT a int, OUT b text) LANGUAGE plsafepy AS $$ return (a * 2, "b=%d" % a) $$;
CALL proc_out(21, NULL);
CREATE PROCEDURE proc_bad() LANGUAGE plsafepy AS $$ return 1 $$;
CALL proc_bad();

-- event triggers are not supported: said at CREATE FUNCTION
CREATE FUNCTION evt() RETURNS event_trigger LANGUAGE plsafepy AS $$ pass $$;
-- other pseudo-types neither
CREATE FUNCTION poly(anyelement) RETURNS int LANGUAGE plsafepy AS $$ return 1 $$;

RESET ROLE;
DROP SCHEMA pls_base CASCADE;
DROP ROLE pls_base_user;
