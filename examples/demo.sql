-- A short tour of plsafepy, run by ./try-it on a throwaway cluster.
\set VERBOSITY default
\pset footer off
\echo '== plsafepy demo: the extension is trusted, so an ordinary user installs nothing special'
CREATE EXTENSION plsafepy;
CREATE ROLE alice LOGIN;
CREATE SCHEMA demo AUTHORIZATION alice;
SET ROLE alice;
SET search_path = demo;

\echo '== a function: arguments are ordinary Python parameters'
CREATE FUNCTION pymax(a int, b int) RETURNS int LANGUAGE plsafepy AS $$
    if a is None or b is None:
        return None
    return max(a, b)
$$;
SELECT pymax(3, 7), pymax(NULL, 1);

\echo '== numeric arrives as decimal.Decimal, arrays as lists'
CREATE FUNCTION total(prices numeric[]) RETURNS numeric LANGUAGE plsafepy AS $$
    return sum(prices)
$$;
SELECT total(ARRAY[1.10, 2.20, 3.30]);

\echo '== set-returning function from a generator'
CREATE FUNCTION fib(n int) RETURNS SETOF bigint LANGUAGE plsafepy AS $$
    a, b = 0, 1
    for _ in range(n):
        yield a
        a, b = b, a + b
$$;
SELECT * FROM fib(10);

\echo '== SPI through plpy, as in PL/Python'
CREATE TABLE items (id int PRIMARY KEY, name text);
INSERT INTO items VALUES (1, 'apple'), (2, 'pear');
CREATE FUNCTION names() RETURNS text LANGUAGE plsafepy AS $$
    rows = plpy.execute("SELECT name FROM items ORDER BY id")
    return ", ".join(r["name"] for r in rows)
$$;
SELECT names();

\echo '== a trigger'
CREATE FUNCTION upper_name() RETURNS trigger LANGUAGE plsafepy AS $$
    TD["new"]["name"] = TD["new"]["name"].upper()
    return "MODIFY"
$$;
CREATE TRIGGER t BEFORE INSERT ON items FOR EACH ROW EXECUTE FUNCTION upper_name();
INSERT INTO items VALUES (3, 'plum');
SELECT * FROM items ORDER BY id;

\echo '== a DO block; print() goes to the client as a NOTICE'
DO $$
import math
print("sqrt(2) =", math.sqrt(2))
$$ LANGUAGE plsafepy;

\echo '== the sandbox: what SQL did not grant, Python does not give (errors expected)'
CREATE FUNCTION readfile() RETURNS text LANGUAGE plsafepy AS $$
    import os
    return os.listdir("/")
$$;
CREATE FUNCTION escape() RETURNS text LANGUAGE plsafepy AS $$
    return ().__class__.__base__.__subclasses__()
$$;
DO $$ open("/etc/passwd") $$ LANGUAGE plsafepy;

\echo '== resource limits: statement_timeout stops a runaway loop (error expected)'
SET statement_timeout = '500ms';
DO $$
while True:
    try:
        pass
    except BaseException:
        pass
$$ LANGUAGE plsafepy;
RESET statement_timeout;

\echo '== isolation: alice''s Python ran in a sandboxed worker process of its own'
SELECT role, walls, calls > 0 AS called
  FROM plsafepy_workers();
\echo '== done'
