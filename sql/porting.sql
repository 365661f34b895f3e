--
-- PL/Python bodies that run unchanged: "global" on an argument, as the
-- PostgreSQL manual teaches (arguments are globals in PL/Python).  Each
-- result is plpython3u's.
--
CREATE ROLE regress_plsafepy_port;
GRANT CREATE ON SCHEMA public TO regress_plsafepy_port;
SET ROLE regress_plsafepy_port;
\set SHOW_CONTEXT never

-- the manual's example (plpython-funcs)
CREATE FUNCTION port_strip(x text) RETURNS text AS $$
global x
x = x.strip()  # ok now
return x
$$ LANGUAGE plsafepy;
SELECT '[' || port_strip('  padded  ') || ']' AS stripped;

-- several arguments, one of them global, with a non-argument global
CREATE FUNCTION port_mixed(a int, b int) RETURNS text AS $$
global a, counter
counter = 10
a = a + b + counter
return "%d %d %d" % (a, b, counter)
$$ LANGUAGE plsafepy;
SELECT port_mixed(1, 2);

-- declared in a nested def: the nested def changes the argument
CREATE FUNCTION port_nested(x int) RETURNS int AS $$
def double():
    global x
    x = x * 2
double()
double()
return x
$$ LANGUAGE plsafepy;
SELECT port_nested(3);

-- in a class body and a method
CREATE FUNCTION port_class(x int) RETURNS int AS $$
class Bump:
    global x
    x += 1
    def again(self):
        global x
        x += 100
Bump().again()
return x
$$ LANGUAGE plsafepy;
SELECT port_class(1);

-- set-returning (PostgreSQL's plpython_setof "ugly"): two calls in one
-- query each see their own argument
CREATE FUNCTION port_ugly(x int, lim int) RETURNS SETOF int AS $$
global x
while x <= lim:
    yield x
    x = x + 1
$$ LANGUAGE plsafepy;
SELECT port_ugly(1, 5);
SELECT port_ugly(1, 3), port_ugly(7, 8);

-- args, a global of PL/Python too
CREATE FUNCTION port_args(a int, b int) RETURNS text AS $$
global args
args = args + [3]
return repr(args)
$$ LANGUAGE plsafepy;
SELECT port_args(1, 2);

-- each call starts from its own argument (no value kept between calls)
SELECT port_nested(1), port_nested(10);

-- "global" after a use is still Python's SyntaxError, at its line
CREATE FUNCTION port_late(x int) RETURNS int AS $$
y = x
global x
return y
$$ LANGUAGE plsafepy;
CREATE FUNCTION port_late_nested(x int) RETURNS int AS $$
def f():
    x = 1
    global x
return x
$$ LANGUAGE plsafepy;
-- a parameter of a nested def declared global stays an error, as in Python
CREATE FUNCTION port_param_nested(x int) RETURNS int AS $$
def f(x):
    global x
return x
$$ LANGUAGE plsafepy;
-- a def nested in one that has its own x cannot reach the argument
CREATE FUNCTION port_shadowed(x int) RETURNS int AS $$
def g():
    x = 1
    def h():
        global x
        x = 3
    h()
return x
$$ LANGUAGE plsafepy;

-- the policy checks every rewritten body as any other
CREATE FUNCTION port_policy(x text) RETURNS text AS $$
def f():
    global x
    return x.__globals__
return f()
$$ LANGUAGE plsafepy;

-- DO blocks and triggers have no arguments but TD: "global" works
DO LANGUAGE plsafepy $$
global counter
counter = 1
def more():
    global counter
    counter += 1
more()
plpy.notice("counter %d" % counter)
$$;

CREATE TABLE port_t (a int, b text);
CREATE FUNCTION port_trig() RETURNS trigger AS $$
global TD
def upper():
    global TD
    TD["new"]["b"] = TD["new"]["b"].upper()
upper()
return "MODIFY"
$$ LANGUAGE plsafepy;
CREATE TRIGGER port_trig BEFORE INSERT ON port_t
  FOR EACH ROW EXECUTE FUNCTION port_trig();
INSERT INTO port_t VALUES (1, 'abc');
SELECT * FROM port_t;

RESET ROLE;
DROP TABLE port_t;
DROP FUNCTION port_strip(text), port_args(int, int), port_mixed(int, int), port_nested(int),
  port_class(int), port_ugly(int, int), port_trig();
REVOKE CREATE ON SCHEMA public FROM regress_plsafepy_port;
DROP ROLE regress_plsafepy_port;

-- A TRANSFORM clause plsafepy does not implement is refused, never
-- silently ignored (the function would get other objects than it expects).
CREATE FUNCTION port_trf_from(internal) RETURNS internal
  LANGUAGE internal IMMUTABLE STRICT AS 'int4in';
CREATE TRANSFORM FOR int4 LANGUAGE plsafepy (FROM SQL WITH FUNCTION port_trf_from(internal));
CREATE FUNCTION port_trf(i int) RETURNS int TRANSFORM FOR TYPE int4
  LANGUAGE plsafepy AS $$ return i $$;
SET check_function_bodies = off;
CREATE FUNCTION port_trf(i int) RETURNS int TRANSFORM FOR TYPE int4
  LANGUAGE plsafepy AS $$ return i $$;
RESET check_function_bodies;
SELECT port_trf(1);
DROP FUNCTION port_trf(int);
DROP TRANSFORM FOR int4 LANGUAGE plsafepy;
DROP FUNCTION port_trf_from(internal);
