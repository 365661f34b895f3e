--
-- plpy.commit() and plpy.rollback() in procedures and DO blocks called
-- non-atomically, and their errors elsewhere (PL/Python's
-- plpython_transaction tests, ported, and more).  Outputs and messages are
-- PL/Python's (checked against plpython3u).  Runs as an unprivileged role.
--
CREATE ROLE regress_xact_user;
CREATE SCHEMA spi_xact AUTHORIZATION regress_xact_user;
SET ROLE regress_xact_user;
SET search_path = spi_xact;
\set SHOW_CONTEXT never

CREATE FUNCTION try_sql(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  st text; msg text;
BEGIN
  EXECUTE q;
  RETURN 'OK';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
  RETURN st || ': ' || msg;
END $$;

CREATE TABLE test1 (a int, b text);

CREATE PROCEDURE transaction_test1()
LANGUAGE plsafepy
AS $$
for i in range(0, 10):
    plpy.execute("INSERT INTO test1 (a) VALUES (%d)" % i)
    if i % 2 == 0:
        plpy.commit()
    else:
        plpy.rollback()
$$;

CALL transaction_test1();

SELECT * FROM test1;

TRUNCATE test1;

DO
LANGUAGE plsafepy
$$
for i in range(0, 10):
    plpy.execute("INSERT INTO test1 (a) VALUES (%d)" % i)
    if i % 2 == 0:
        plpy.commit()
    else:
        plpy.rollback()
$$;

SELECT * FROM test1;

TRUNCATE test1;

-- not allowed in a function
CREATE FUNCTION transaction_test2() RETURNS int
LANGUAGE plsafepy
AS $$
for i in range(0, 10):
    plpy.execute("INSERT INTO test1 (a) VALUES (%d)" % i)
    if i % 2 == 0:
        plpy.commit()
    else:
        plpy.rollback()
return 1
$$;

SELECT try_sql('SELECT transaction_test2()');

SELECT * FROM test1;

-- also not allowed if procedure is called from a function
CREATE FUNCTION transaction_test3() RETURNS int
LANGUAGE plsafepy
AS $$
plpy.execute("CALL transaction_test1()")
return 1
$$;

SELECT try_sql('SELECT transaction_test3()');

SELECT * FROM test1;

-- DO block inside function
CREATE FUNCTION transaction_test4() RETURNS int
LANGUAGE plsafepy
AS $$
plpy.execute("DO LANGUAGE plsafepy $x$ plpy.commit() $x$")
return 1
$$;

SELECT try_sql('SELECT transaction_test4()');

-- nor inside a transaction block
BEGIN;
SELECT try_sql('CALL transaction_test1()');
ROLLBACK;

-- commit inside subtransaction (prohibited)
SELECT try_sql($q$DO LANGUAGE plsafepy $$
s = plpy.subtransaction()
s.enter()
plpy.commit()
$$$q$);

-- caught, both errors leave the block running
DO LANGUAGE plsafepy $$
with plpy.subtransaction():
    try:
        plpy.commit()
    except plpy.SPIError as e:
        plpy.notice('%s: %s' % (type(e), e))
$$;
CREATE FUNCTION catch_commit() RETURNS text LANGUAGE plsafepy AS $$
try:
    plpy.rollback()
except plpy.spiexceptions.InvalidTransactionTermination as e:
    return '%s: %s' % (type(e), e)
$$;
SELECT catch_commit();

-- commit inside cursor loop
CREATE TABLE test2 (x int);
INSERT INTO test2 VALUES (0), (1), (2), (3), (4);

TRUNCATE test1;

DO LANGUAGE plsafepy $$
for row in plpy.cursor("SELECT * FROM test2 ORDER BY x"):
    plpy.execute("INSERT INTO test1 (a) VALUES (%s)" % row['x'])
    plpy.commit()
$$;

SELECT * FROM test1;

-- check that this doesn't leak a holdable portal
SELECT * FROM pg_cursors;

-- error in cursor loop with commit
TRUNCATE test1;

SELECT try_sql($q$DO LANGUAGE plsafepy $$
for row in plpy.cursor("SELECT * FROM test2 ORDER BY x"):
    plpy.execute("INSERT INTO test1 (a) VALUES (12/(%s-2))" % row['x'])
    plpy.commit()
$$$q$);

SELECT * FROM test1;

SELECT * FROM pg_cursors;

-- rollback inside cursor loop
TRUNCATE test1;

DO LANGUAGE plsafepy $$
for row in plpy.cursor("SELECT * FROM test2 ORDER BY x"):
    plpy.execute("INSERT INTO test1 (a) VALUES (%s)" % row['x'])
    plpy.rollback()
$$;

SELECT * FROM test1;

SELECT * FROM pg_cursors;

-- first commit then rollback inside cursor loop
TRUNCATE test1;

DO LANGUAGE plsafepy $$
for row in plpy.cursor("SELECT * FROM test2 ORDER BY x"):
    plpy.execute("INSERT INTO test1 (a) VALUES (%s)" % row['x'])
    if row['x'] % 2 == 0:
        plpy.commit()
    else:
        plpy.rollback()
$$;

SELECT * FROM test1;

SELECT * FROM pg_cursors;

-- a cursor on a plan, fetched across commits, in a procedure
TRUNCATE test1;
CREATE PROCEDURE copy_in_batches(batch int) LANGUAGE plsafepy AS $$
p = plpy.prepare("SELECT x FROM test2 WHERE x >= $1 ORDER BY x", ["int"])
ins = plpy.prepare("INSERT INTO test1 (a, b) VALUES ($1, $2)", ["int", "text"])
c = p.cursor([1])
n = 0
while True:
    rows = c.fetch(batch)
    if not rows:
        break
    n += 1
    for r in rows:
        ins.execute([r['x'], 'batch %d' % n])
    plpy.commit()
$$;
CALL copy_in_batches(2);
SELECT * FROM test1 ORDER BY a;

-- check handling of an error during COMMIT
CREATE TABLE testpk (id int PRIMARY KEY);
CREATE TABLE testfk(f1 int REFERENCES testpk DEFERRABLE INITIALLY DEFERRED);

SELECT try_sql($q$DO LANGUAGE plsafepy $$
# this insert will fail during commit:
plpy.execute("INSERT INTO testfk VALUES (0)")
plpy.commit()
plpy.warning('should not get here')
$$$q$);

SELECT * FROM testpk;
SELECT * FROM testfk;

DO LANGUAGE plsafepy $$
# this insert will fail during commit:
plpy.execute("INSERT INTO testfk VALUES (0)")
try:
    plpy.commit()
except Exception as e:
    plpy.info('sqlstate: %s' % (e.sqlstate))
# these inserts should work:
plpy.execute("INSERT INTO testpk VALUES (1)")
plpy.execute("INSERT INTO testfk VALUES (1)")
$$;

SELECT * FROM testpk;
SELECT * FROM testfk;

-- a cursor left open in GD does not stop the transaction from committing
CREATE FUNCTION keep_cursor() RETURNS int LANGUAGE plsafepy AS $$
GD['kept'] = plpy.cursor("SELECT x FROM test2 ORDER BY x")
return next(GD['kept'])['x']
$$;
SELECT keep_cursor();
SELECT name FROM pg_cursors;
DO LANGUAGE plsafepy $$
try:
    next(GD['kept'])
except ValueError as e:
    plpy.notice('%s: %s' % (type(e), e))
del GD['kept']
$$;

RESET ROLE;
DROP SCHEMA spi_xact CASCADE;
DROP ROLE regress_xact_user;
