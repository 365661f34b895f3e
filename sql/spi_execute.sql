--
-- plpy.execute and result objects; SPI errors caught and uncaught.
-- Outputs and messages are PL/Python's (checked against plpython3u).
-- Runs as an unprivileged role.
--
CREATE ROLE regress_spi_user;
CREATE SCHEMA spi_execute AUTHORIZATION regress_spi_user;
SET ROLE regress_spi_user;
SET search_path = spi_execute;
\set SHOW_CONTEXT never

-- A statement's error as text: SQLSTATE, message and the fields set.
CREATE FUNCTION try_sql(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  st text; msg text; det text; hin text;
  sch text; tab text; col text; con text;
BEGIN
  EXECUTE q;
  RETURN 'OK';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
      det = PG_EXCEPTION_DETAIL, hin = PG_EXCEPTION_HINT,
      sch = SCHEMA_NAME, tab = TABLE_NAME, col = COLUMN_NAME,
      con = CONSTRAINT_NAME;
  RETURN st || ': ' || msg
         || CASE WHEN det <> '' THEN ' | detail: ' || det ELSE '' END
         || CASE WHEN hin <> '' THEN ' | hint: ' || hin ELSE '' END
         || CASE WHEN sch <> '' THEN ' | schema: ' || sch ELSE '' END
         || CASE WHEN tab <> '' THEN ' | table: ' || tab ELSE '' END
         || CASE WHEN col <> '' THEN ' | column: ' || col ELSE '' END
         || CASE WHEN con <> '' THEN ' | constraint: ' || con ELSE '' END;
END $$;

CREATE TABLE users (fname text NOT NULL, lname text, userid int PRIMARY KEY,
                    score numeric(5,2), tag varchar(10),
                    CONSTRAINT score_ok CHECK (score >= 0));
INSERT INTO users VALUES ('jane', 'doe', 1, 1.5, 'a'), ('john', 'doe', 2, 2.25, NULL),
  ('willem', 'doe', 3, NULL, 'c'), ('rick', 'smith', 4, 10, 'd');

--
-- results
--
DO $$
r = plpy.execute("SELECT fname, userid FROM users ORDER BY userid")
plpy.notice(str(r))
plpy.notice(len(r), r.nrows(), r.status())
plpy.notice(r[0], r[-1]['fname'], r[1:3], r[::2], r[5:])
plpy.notice([row['fname'] for row in r])
plpy.notice(r.colnames(), r.coltypes(), r.coltypmods())
r[0] = {'replaced': True}
plpy.notice(len(r), r[0], r.nrows())
try:
    r[10]
except IndexError as e:
    plpy.notice('IndexError: %s' % e)
$$ LANGUAGE plsafepy;

-- column types and typmods
DO $$
r = plpy.execute("SELECT score, tag, lname, 1::int8 AS big, NULL AS n FROM users LIMIT 1")
plpy.notice(r.colnames(), r.coltypes(), r.coltypmods())
plpy.notice(r[0])
$$ LANGUAGE plsafepy;

-- limit, no rows, an empty result still has columns
DO $$
r = plpy.execute("SELECT userid FROM users ORDER BY userid", 2)
plpy.notice(str(r))
r = plpy.execute("SELECT userid FROM users WHERE false")
plpy.notice(str(r), r.colnames())
r = plpy.execute("SELECT userid FROM users ORDER BY userid", 0)
plpy.notice(r.nrows())
$$ LANGUAGE plsafepy;

-- commands without a result set
DO $$
r = plpy.execute("CREATE TABLE scratch (a int)")
plpy.notice(str(r), r.nrows(), r.status())
r = plpy.execute("INSERT INTO scratch SELECT generate_series(1, 5)")
plpy.notice(str(r))
r = plpy.execute("UPDATE scratch SET a = a + 1 WHERE a > 2")
plpy.notice(str(r))
r = plpy.execute("DELETE FROM scratch WHERE a = 1")
plpy.notice(str(r))
r = plpy.execute("INSERT INTO scratch VALUES (100) RETURNING a, a * 2 AS b")
plpy.notice(str(r), r.colnames())
r = plpy.execute("DROP TABLE scratch")
plpy.notice(str(r))
for fn in ('colnames', 'coltypes', 'coltypmods'):
    try:
        getattr(r, fn)()
    except plpy.Error as e:
        plpy.notice('%s: %s' % (fn, e))
$$ LANGUAGE plsafepy;

-- utility commands, with and without rows; WITH ... RETURNING
DO $$
for q in ("SHOW datestyle", "EXPLAIN (COSTS OFF) SELECT 1",
          "CREATE TABLE ctas AS SELECT 1 AS a",
          "SELECT 2 AS b INTO si",
          "WITH w AS (INSERT INTO ctas VALUES (5) RETURNING a) SELECT a * 2 AS d FROM w",
          "DELETE FROM ctas RETURNING *", "SET LOCAL work_mem = '8MB'"):
    r = plpy.execute(q)
    try:
        cn = r.colnames()
    except plpy.Error as e:
        cn = str(e)
    plpy.notice(q, str(r), cn)
$$ LANGUAGE plsafepy;

-- several statements in one call: the last one's result
DO $$
plpy.notice(str(plpy.execute("SELECT 1 AS a; SELECT 2 AS b")))
$$ LANGUAGE plsafepy;

-- a function returning a query's rows
CREATE FUNCTION user_names(lname text) RETURNS SETOF text LANGUAGE plsafepy AS $$
for row in plpy.execute("SELECT fname FROM users WHERE lname = %s ORDER BY fname"
                        % plpy.quote_literal(lname)):
    yield row['fname']
$$;
SELECT * FROM user_names('doe');

-- many rows
CREATE FUNCTION sum_rows(n int) RETURNS bigint LANGUAGE plsafepy AS $$
rows = plpy.execute("SELECT g, g::text AS t FROM generate_series(1, %d) g" % n)
return sum(r['g'] for r in rows) + len(rows)
$$;
SELECT sum_rows(100000);

-- recursion through SPI
CREATE FUNCTION fib(n int) RETURNS bigint LANGUAGE plsafepy AS $$
if n < 2:
    return n
return (plpy.execute("SELECT fib(%d) AS f" % (n - 1))[0]['f'] +
        plpy.execute("SELECT fib(%d) AS f" % (n - 2))[0]['f'])
$$;
SELECT fib(12);

--
-- argument errors
--
DO $$
for a in ((), (1,), ('SELECT 1', 'x'), ('SELECT 1', 1.5), ('SELECT 1', 1, 2),
          (None,), ([],)):
    try:
        plpy.execute(*a)
    except Exception as e:
        plpy.notice('%r: %s: %s' % (a, type(e), e))
try:
    plpy.execute('SELECT 1', limit=1)
except TypeError as e:
    plpy.notice('TypeError: %s' % e)
$$ LANGUAGE plsafepy;
SELECT try_sql($q$DO $$ plpy.execute('SELECT 1', -1) $$ LANGUAGE plsafepy$q$);

--
-- SPI errors, caught: plpy.SPIError and the plpy.spiexceptions classes
--
DO $$
try:
    plpy.execute("SELECT 1/0")
except plpy.spiexceptions.DivisionByZero as e:
    plpy.notice('DivisionByZero: %s | %s' % (e, e.sqlstate))
try:
    plpy.execute("INSERT INTO users VALUES ('x', 'y', 1)")
except plpy.spiexceptions.UniqueViolation as e:
    plpy.notice('UniqueViolation: %s | %s' % (e, e.sqlstate))
    plpy.notice(e.spidata[1:])
try:
    plpy.execute("INSERT INTO users (fname, userid) VALUES (NULL, 99)")
except plpy.SPIError as e:
    plpy.notice('%s: %s | %s' % (type(e), e, e.sqlstate))
try:
    plpy.execute("SELCT 1")
except plpy.spiexceptions.SyntaxError as e:
    plpy.notice('SyntaxError: %s | %s | %s' % (e, e.sqlstate, e.spidata[3:5]))
try:
    plpy.execute("SELECT * FROM no_such_table")
except plpy.SPIError as e:
    plpy.notice('%s: %s' % (type(e), e))
try:
    plpy.execute("SELECT no_such_function(1)")
except plpy.SPIError as e:
    plpy.notice('%s: %s | hint: %s' % (type(e), e, e.spidata[2]))
$$ LANGUAGE plsafepy;

-- an error raised with a custom SQLSTATE by PL/pgSQL: plain SPIError
DO $$
try:
    plpy.execute("DO $x$ BEGIN RAISE EXCEPTION 'custom' USING ERRCODE = 'P1234', DETAIL = 'dd', HINT = 'hh'; END $x$")
except plpy.SPIError as e:
    plpy.notice('%s: %s' % (type(e), e))
    plpy.notice(e.spidata[1:3])
$$ LANGUAGE plsafepy;

-- a caught error rolls back only the failed statement
CREATE TABLE log (msg text);
DO $$
plpy.execute("INSERT INTO log VALUES ('before')")
try:
    plpy.execute("INSERT INTO log VALUES ('failing'), (1/0)")
except plpy.spiexceptions.DivisionByZero:
    plpy.execute("INSERT INTO log VALUES ('after')")
$$ LANGUAGE plsafepy;
SELECT * FROM log;

-- errors from a nested plsafepy function come back as SPIError
CREATE FUNCTION inner_fails() RETURNS int LANGUAGE plsafepy AS $$
raise ValueError("inner problem")
$$;
DO $$
try:
    plpy.execute("SELECT inner_fails()")
except plpy.SPIError as e:
    plpy.notice('%s: %s' % (type(e), e))
$$ LANGUAGE plsafepy;

--
-- SPI errors, uncaught: the statement fails with the original SQLSTATE
--
SELECT try_sql($q$DO $$ plpy.execute("SELECT 1/0") $$ LANGUAGE plsafepy$q$);
SELECT try_sql($q$DO $$ plpy.execute("INSERT INTO users VALUES ('x', 'y', 1)") $$ LANGUAGE plsafepy$q$);
SELECT try_sql($q$DO $$ plpy.execute("UPDATE users SET score = -1 WHERE userid = 1") $$ LANGUAGE plsafepy$q$);
SELECT try_sql($q$DO $$ plpy.execute("SELECT no_such_function(1)") $$ LANGUAGE plsafepy$q$);
SELECT try_sql($q$DO $$ plpy.execute("DO $x$ BEGIN RAISE EXCEPTION 'custom' USING ERRCODE = 'P1234', DETAIL = 'dd', HINT = 'hh'; END $x$") $$ LANGUAGE plsafepy$q$);
SELECT try_sql('SELECT sum_rows(NULL)');

-- shown by psql itself: the failing query and position
DO $$ plpy.execute("SELECT * FROM users WHERE nosuchcol = 1") $$ LANGUAGE plsafepy;

-- a caught-and-rethrown error keeps its SQLSTATE
SELECT try_sql($q$DO $$
try:
    plpy.execute("SELECT 1/0")
except plpy.SPIError as e:
    raise e
$$ LANGUAGE plsafepy$q$);

--
-- read-only functions cannot write
--
CREATE FUNCTION stable_writer() RETURNS int STABLE LANGUAGE plsafepy AS $$
plpy.execute("INSERT INTO log VALUES ('nope')")
return 1
$$;
SELECT try_sql('SELECT stable_writer()');
CREATE FUNCTION stable_reader() RETURNS bigint STABLE LANGUAGE plsafepy AS $$
return plpy.execute("SELECT count(*) AS n FROM log")[0]['n']
$$;
SELECT stable_reader();

-- SPI in a trigger-free, SQL-called function sees its caller's changes
CREATE FUNCTION count_log() RETURNS bigint LANGUAGE plsafepy AS $$
return plpy.execute("SELECT count(*) AS n FROM log")[0]['n']
$$;
BEGIN;
INSERT INTO log VALUES ('in transaction');
SELECT count_log();
ROLLBACK;
SELECT count_log();

RESET ROLE;
DROP SCHEMA spi_execute CASCADE;
DROP ROLE regress_spi_user;
