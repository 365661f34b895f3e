--
-- Review fixes: a function replaced while it runs, row types of
-- set-returning functions returning record.
--
CREATE ROLE regress_plsafepy_review;
GRANT CREATE ON SCHEMA public TO regress_plsafepy_review;
SET ROLE regress_plsafepy_review;

-- A function replaced and called again by its own code after its Python
-- call returned (a generator's finally, run when the args list is
-- released): the running call keeps its own procedure, which used to be
-- freed under it (the result was converted with freed memory, or crashed).
CREATE FUNCTION rv_f(x text) RETURNS text LANGUAGE plsafepy AS $$
def gen():
    try:
        yield 1
    finally:
        plpy.execute("CREATE OR REPLACE FUNCTION rv_f(x text) RETURNS text "
                     "LANGUAGE plsafepy AS $b$ return 'new ' + x $b$")
        plpy.notice(plpy.execute("SELECT rv_f('inner') AS r")[0]["r"])
        for i in range(20):
            plpy.execute("CREATE OR REPLACE FUNCTION rv_g%d() RETURNS bytea "
                         "LANGUAGE plsafepy AS $b$ return b'zz' $b$" % i)
            plpy.execute("SELECT rv_g%d()" % i)
if x == 'outer':
    it = gen()
    next(it)
    args.append(it)
return 'old result ' + x
$$;
SELECT rv_f('outer');
SELECT rv_f('outer');

-- The same for a set-returning function replaced by its result's __iter__.
CREATE FUNCTION rv_s(x text) RETURNS SETOF text LANGUAGE plsafepy AS $$
class It:
    def __iter__(self):
        if x == 'outer':
            plpy.execute("CREATE OR REPLACE FUNCTION rv_s(x text) RETURNS SETOF text "
                         "LANGUAGE plsafepy AS $b$ return ['new ' + x] $b$")
            plpy.notice(plpy.execute("SELECT rv_s('inner') AS r")[0]["r"])
            for i in range(20):
                plpy.execute("CREATE OR REPLACE FUNCTION rv_h%d() RETURNS bytea "
                             "LANGUAGE plsafepy AS $b$ return b'zz' $b$" % i)
                plpy.execute("SELECT rv_h%d()" % i)
        return iter(['a', 'b'])
return It()
$$;
SELECT rv_s('outer');
SELECT rv_s('outer');

-- SETOF record: the row type is looked up once per scan; a nested scan of
-- the same function with another row type keeps its own.
CREATE FUNCTION rv_rs(n int, nested bool) RETURNS SETOF record LANGUAGE plsafepy AS $$
for i in range(n):
    if nested and i == 1:
        r = plpy.execute("SELECT * FROM rv_rs(2, false) AS t(x text, y text, z text)")
        plpy.notice(str([(row["x"], row["y"], row["z"]) for row in r]))
    yield {"a": i, "b": i * 2, "x": "x%d" % i, "y": "y%d" % i, "z": "z%d" % i}
$$;
SELECT * FROM rv_rs(3, true) AS t(a int, b int);
SELECT rv_rs(0, false);
SELECT rv_rs(1, false);
CREATE FUNCTION rv_out(n int, OUT a int, OUT b text) RETURNS SETOF record LANGUAGE plsafepy AS $$
return ((i, str(i * 2)) for i in range(n))
$$;
SELECT * FROM rv_out(3);
SELECT rv_out(2);
CREATE FUNCTION rv_tab(n int) RETURNS TABLE (a int, b text) LANGUAGE plsafepy AS $$
return ({"a": i, "b": "v%d" % i} for i in range(n))
$$;
SELECT * FROM rv_tab(2) JOIN rv_out(3) USING (a);

-- A set-returning function left unfinished (LIMIT) inside plpy.execute:
-- its generator's finally runs while that query shuts down, where SPI on
-- the caller's connection used to free memory the query still used (a
-- crash a few statements later).  plpy.execute raises there now.
CREATE FUNCTION rv_gfin(n int) RETURNS SETOF int LANGUAGE plsafepy AS $$
try:
    for i in range(n):
        yield i
finally:
    try:
        plpy.execute("SELECT 42")
        GD["fin"] = "ran"
    except plpy.Error as e:
        GD["fin"] = str(e)
$$;
CREATE FUNCTION rv_outer() RETURNS text LANGUAGE plsafepy AS $$
GD.pop("fin", None)
r = plpy.execute("SELECT rv_gfin(5) AS g LIMIT 2")
return "%d rows, finally: %s" % (len(r), GD.get("fin"))
$$;
SELECT rv_outer();
SELECT rv_outer();
SELECT rv_outer();

-- A statement timeout that stops a generator's finally during executor
-- shutdown is reported by that statement, not left to cancel the next one
-- (which used to make even the ROLLBACK below fail).
CREATE FUNCTION rv_gloop() RETURNS SETOF int LANGUAGE plsafepy AS $$
try:
    yield 1
    yield 2
finally:
    while True:
        pass
$$;
SET statement_timeout = '200ms';
SELECT rv_gloop() LIMIT 1;
SELECT 'next statement runs';
BEGIN;
SELECT rv_gloop() LIMIT 1;
ROLLBACK;
RESET statement_timeout;

RESET ROLE;
DROP OWNED BY regress_plsafepy_review;
DROP ROLE regress_plsafepy_review;

-- A database that is not UTF-8.  Compile and policy errors quote names from
-- the body: they are converted to its encoding (they came out as mojibake:
-- "modulÃ©").
\set regress_db :DBNAME
CREATE DATABASE regress_plsafepy_latin1 ENCODING 'LATIN1' LC_COLLATE 'C'
  LC_CTYPE 'C' TEMPLATE template0;
\c regress_plsafepy_latin1
SET client_encoding = 'UTF8';
CREATE EXTENSION plsafepy;
CREATE FUNCTION rv_enc() RETURNS int LANGUAGE plsafepy AS $$
import modulé
return 1
$$;
-- A PostgreSQL error caught around SPI carries its message in the server's
-- encoding: it becomes a catchable SPIError (it was a UnicodeDecodeError).
DO LANGUAGE plsafepy $$
try:
    plpy.execute("SELECT 'é'::int")
except plpy.SPIError as e:
    plpy.notice("caught %s: %s" % (type(e).__name__, e))
$$;
-- The fields of a plpy.error caught in Python, and an uncaught exception's
-- message and traceback (its source line), are converted too.
DO LANGUAGE plsafepy $$
try:
    plpy.error('é', detail='ü', hint='ß')
except plpy.Error as e:
    plpy.notice("caught %s / %s / %s / %s" % (e, e.detail, e.hint, e.sqlstate))
$$;
CREATE FUNCTION rv_enc_tb() RETURNS int LANGUAGE plsafepy AS $$
x = 'é'
raise ValueError('ü ' + x)
$$;
SELECT rv_enc_tb();
\c :regress_db
DROP DATABASE regress_plsafepy_latin1;
