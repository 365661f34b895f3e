--
-- plpy.subtransaction(): the context manager, explicit enter/exit, and
-- their misuse (PL/Python's plpython_subtransaction tests, ported).
-- Outputs and messages are PL/Python's (checked against plpython3u).
-- Runs as an unprivileged role.
--
CREATE ROLE regress_subxact_user;
CREATE SCHEMA spi_subxact AUTHORIZATION regress_subxact_user;
SET ROLE regress_subxact_user;
SET search_path = spi_subxact;
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

CREATE TABLE subtransaction_tbl (i integer);

-- Test subtransaction successfully committed
CREATE FUNCTION subtransaction_ctx_test(what_error text = NULL) RETURNS text
LANGUAGE plsafepy AS $$
with plpy.subtransaction():
    plpy.execute("INSERT INTO subtransaction_tbl VALUES (1)")
    plpy.execute("INSERT INTO subtransaction_tbl VALUES (2)")
    if what_error == "SPI":
        plpy.execute("INSERT INTO subtransaction_tbl VALUES ('oops')")
    elif what_error == "Python":
        raise Exception("Python exception")
$$;

SELECT subtransaction_ctx_test();
SELECT * FROM subtransaction_tbl;
TRUNCATE subtransaction_tbl;
SELECT try_sql($$SELECT subtransaction_ctx_test('SPI')$$);
SELECT * FROM subtransaction_tbl;
TRUNCATE subtransaction_tbl;
SELECT try_sql($$SELECT subtransaction_ctx_test('Python')$$);
SELECT * FROM subtransaction_tbl;
TRUNCATE subtransaction_tbl;

-- Nested subtransactions
CREATE FUNCTION subtransaction_nested_test(swallow boolean = 'f') RETURNS text
LANGUAGE plsafepy AS $$
plpy.execute("INSERT INTO subtransaction_tbl VALUES (1)")
with plpy.subtransaction():
    plpy.execute("INSERT INTO subtransaction_tbl VALUES (2)")
    try:
        with plpy.subtransaction():
            plpy.execute("INSERT INTO subtransaction_tbl VALUES (3)")
            plpy.execute("error")
    except plpy.SPIError as e:
        if not swallow:
            raise
        plpy.notice("Swallowed %s(%r)" % (type(e), e.args[0]))
return "ok"
$$;

SELECT try_sql('SELECT subtransaction_nested_test()');
SELECT * FROM subtransaction_tbl;
TRUNCATE subtransaction_tbl;

SELECT subtransaction_nested_test('t');
SELECT * FROM subtransaction_tbl;
TRUNCATE subtransaction_tbl;

-- Nested subtransactions that recursively call code dealing with
-- subtransactions
CREATE FUNCTION subtransaction_deeply_nested_test() RETURNS text
LANGUAGE plsafepy AS $$
plpy.execute("INSERT INTO subtransaction_tbl VALUES (1)")
with plpy.subtransaction():
    plpy.execute("INSERT INTO subtransaction_tbl VALUES (2)")
    plpy.execute("SELECT subtransaction_nested_test('t')")
return "ok"
$$;

SELECT subtransaction_deeply_nested_test();
SELECT * FROM subtransaction_tbl;
TRUNCATE subtransaction_tbl;

-- Error conditions from not opening/closing subtransactions (enter() and
-- exit() for __enter__() and __exit__(), which plsafepy code cannot name)
CREATE FUNCTION subtransaction_exit_without_enter() RETURNS void
LANGUAGE plsafepy AS $$
plpy.subtransaction().exit(None, None, None)
$$;

CREATE FUNCTION subtransaction_enter_without_exit() RETURNS void
LANGUAGE plsafepy AS $$
plpy.subtransaction().enter()
$$;

CREATE FUNCTION subtransaction_exit_twice() RETURNS void
LANGUAGE plsafepy AS $$
plpy.subtransaction().enter()
plpy.subtransaction().exit(None, None, None)
plpy.subtransaction().exit(None, None, None)
$$;

CREATE FUNCTION subtransaction_enter_twice() RETURNS void
LANGUAGE plsafepy AS $$
plpy.subtransaction().enter()
plpy.subtransaction().enter()
$$;

CREATE FUNCTION subtransaction_exit_same_subtransaction_twice() RETURNS void
LANGUAGE plsafepy AS $$
s = plpy.subtransaction()
s.enter()
s.exit(None, None, None)
s.exit(None, None, None)
$$;

CREATE FUNCTION subtransaction_enter_same_subtransaction_twice() RETURNS void
LANGUAGE plsafepy AS $$
s = plpy.subtransaction()
s.enter()
s.enter()
s.exit(None, None, None)
$$;

-- No warnings here, as the subtransaction gets indeed closed
CREATE FUNCTION subtransaction_enter_subtransaction_in_with() RETURNS void
LANGUAGE plsafepy AS $$
with plpy.subtransaction() as s:
    s.enter()
$$;

CREATE FUNCTION subtransaction_exit_subtransaction_in_with() RETURNS void
LANGUAGE plsafepy AS $$
try:
    with plpy.subtransaction() as s:
        s.exit(None, None, None)
except ValueError as e:
    raise ValueError(e)
$$;

SELECT try_sql('SELECT subtransaction_exit_without_enter()');
SELECT subtransaction_enter_without_exit();
SELECT try_sql('SELECT subtransaction_exit_twice()');
SELECT subtransaction_enter_twice();
SELECT try_sql('SELECT subtransaction_exit_same_subtransaction_twice()');
SELECT try_sql('SELECT subtransaction_enter_same_subtransaction_twice()');
SELECT try_sql('SELECT subtransaction_enter_subtransaction_in_with()');
SELECT try_sql('SELECT subtransaction_exit_subtransaction_in_with()');

-- Make sure we don't get a "current transaction is aborted" error
SELECT 1 as test;

-- Mix explicit subtransactions and normal SPI calls
CREATE FUNCTION subtransaction_mix_explicit_and_implicit() RETURNS void
LANGUAGE plsafepy AS $$
p = plpy.prepare("INSERT INTO subtransaction_tbl VALUES ($1)", ["integer"])
try:
    with plpy.subtransaction():
        plpy.execute("INSERT INTO subtransaction_tbl VALUES (1)")
        plpy.execute(p, [2])
        plpy.execute(p, ["wrong"])
except plpy.SPIError:
    plpy.warning("Caught a SPI error from an explicit subtransaction")

try:
    plpy.execute("INSERT INTO subtransaction_tbl VALUES (1)")
    plpy.execute(p, [2])
    plpy.execute(p, ["wrong"])
except plpy.SPIError:
    plpy.warning("Caught a SPI error")
$$;

SELECT subtransaction_mix_explicit_and_implicit();
SELECT * FROM subtransaction_tbl;
TRUNCATE subtransaction_tbl;

-- Alternative method names for Python <2.6
CREATE FUNCTION subtransaction_alternative_names() RETURNS void
LANGUAGE plsafepy AS $$
s = plpy.subtransaction()
s.enter()
s.exit(None, None, None)
$$;

SELECT subtransaction_alternative_names();

-- try/catch inside a subtransaction block
CREATE FUNCTION try_catch_inside_subtransaction() RETURNS void
LANGUAGE plsafepy AS $$
with plpy.subtransaction():
     plpy.execute("INSERT INTO subtransaction_tbl VALUES (1)")
     try:
         plpy.execute("INSERT INTO subtransaction_tbl VALUES ('a')")
     except plpy.SPIError:
         plpy.notice("caught")
$$;

SELECT try_catch_inside_subtransaction();
SELECT * FROM subtransaction_tbl;
TRUNCATE subtransaction_tbl;

ALTER TABLE subtransaction_tbl ADD PRIMARY KEY (i);

CREATE FUNCTION pk_violation_inside_subtransaction() RETURNS void
LANGUAGE plsafepy AS $$
with plpy.subtransaction():
     plpy.execute("INSERT INTO subtransaction_tbl VALUES (1)")
     try:
         plpy.execute("INSERT INTO subtransaction_tbl VALUES (1)")
     except plpy.SPIError:
         plpy.notice("caught")
$$;

SELECT pk_violation_inside_subtransaction();
SELECT * FROM subtransaction_tbl;

DROP TABLE subtransaction_tbl;

--
-- beyond PL/Python's tests
--
CREATE TABLE t (i int);

-- explicit exit with an exception type rolls back; exit arguments
DO $$
s = plpy.subtransaction()
s.enter()
plpy.execute("INSERT INTO t VALUES (1)")
s.exit(ValueError, ValueError("x"), None)
s2 = plpy.subtransaction()
s2.enter()
plpy.execute("INSERT INTO t VALUES (2)")
s2.exit(None, None, None)
for call in (lambda: plpy.subtransaction().exit(None, None),
             lambda: plpy.subtransaction(1)):
    try:
        call()
    except TypeError as e:
        plpy.notice('TypeError: %s' % e)
$$ LANGUAGE plsafepy;
SELECT * FROM t;

-- a subtransaction left open by a function is aborted when it returns,
-- with a warning; the caller's state is intact
CREATE FUNCTION leave_open() RETURNS int LANGUAGE plsafepy AS $$
s = plpy.subtransaction()
s.enter()
plpy.execute("INSERT INTO t VALUES (100)")
GD['open_subxact'] = s
return 1
$$;
DO $$
with plpy.subtransaction():
    plpy.execute("INSERT INTO t VALUES (3)")
    plpy.execute("SELECT leave_open()")
    plpy.execute("INSERT INTO t VALUES (4)")
$$ LANGUAGE plsafepy;
SELECT * FROM t ORDER BY i;

-- a subtransaction object kept from an earlier call cannot exit anybody
-- else's subtransaction
DO $$
s = GD['open_subxact']
with plpy.subtransaction():
    try:
        s.exit(None, None, None)
    except ValueError as e:
        plpy.notice('ValueError: %s' % e)
    plpy.execute("INSERT INTO t VALUES (5)")
$$ LANGUAGE plsafepy;
SELECT * FROM t ORDER BY i;

-- a nested function cannot exit its caller's subtransaction
CREATE FUNCTION exit_callers() RETURNS int LANGUAGE plsafepy AS $$
try:
    GD['outer_subxact'].exit(None, None, None)
except ValueError as e:
    plpy.notice('ValueError: %s' % e)
return 1
$$;
DO $$
s = plpy.subtransaction()
GD['outer_subxact'] = s
s.enter()
plpy.execute("INSERT INTO t VALUES (6)")
plpy.execute("SELECT exit_callers()")
plpy.execute("INSERT INTO t VALUES (7)")
s.exit(None, None, None)
$$ LANGUAGE plsafepy;
SELECT * FROM t ORDER BY i;

-- an exception raised inside "with" is not swallowed
SELECT try_sql($q$DO $$
with plpy.subtransaction():
    plpy.execute("INSERT INTO t VALUES (8)")
    raise plpy.Error("stop")
$$ LANGUAGE plsafepy$q$);
SELECT * FROM t ORDER BY i;

-- a subtransaction in a set-returning function's generator is closed
-- before each row goes back to the executor
CREATE FUNCTION gen_subxact() RETURNS SETOF int LANGUAGE plsafepy AS $$
s = plpy.subtransaction()
s.enter()
yield 1
yield 2
$$;
SELECT * FROM gen_subxact();

RESET ROLE;
DROP SCHEMA spi_subxact CASCADE;
DROP ROLE regress_subxact_user;
