--
-- plpy.cursor and cursor objects: iteration, fetch, close, plans with
-- arguments, misuse, cursors and subtransactions, errors while fetching.
-- Outputs and messages are PL/Python's (checked against plpython3u).
-- Runs as an unprivileged role.
--
CREATE ROLE regress_spi_cursor_user;
CREATE SCHEMA spi_cursor AUTHORIZATION regress_spi_cursor_user;
SET ROLE regress_spi_cursor_user;
SET search_path = spi_cursor;
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

CREATE TABLE users (fname text, lname text, userid int PRIMARY KEY);
INSERT INTO users VALUES ('jane', 'doe', 1), ('john', 'doe', 2),
  ('willem', 'doe', 3), ('rick', 'smith', 4);

-- PL/Python's own cursor tests
CREATE FUNCTION simple_cursor_test() RETURNS int LANGUAGE plsafepy AS $$
res = plpy.cursor("select fname, lname from users")
does = 0
for row in res:
    if row['lname'] == 'doe':
        does += 1
return does
$$;
SELECT simple_cursor_test();

CREATE FUNCTION double_cursor_close() RETURNS int LANGUAGE plsafepy AS $$
res = plpy.cursor("select fname, lname from users")
res.close()
res.close()
$$;
SELECT double_cursor_close();

CREATE FUNCTION cursor_fetch() RETURNS int LANGUAGE plsafepy AS $$
res = plpy.cursor("select fname, lname from users")
assert len(res.fetch(3)) == 3
assert len(res.fetch(3)) == 1
assert len(res.fetch(3)) == 0
assert len(res.fetch(3)) == 0
try:
    next(res)
except StopIteration:
    pass
else:
    assert False, "StopIteration not raised"
$$;
SELECT cursor_fetch();

CREATE FUNCTION cursor_mix_next_and_fetch() RETURNS int LANGUAGE plsafepy AS $$
res = plpy.cursor("select fname, lname from users order by fname")
assert len(res.fetch(2)) == 2
item = next(res)
assert item['fname'] == 'rick'
assert len(res.fetch(2)) == 1
$$;
SELECT cursor_mix_next_and_fetch();

CREATE FUNCTION fetch_after_close() RETURNS int LANGUAGE plsafepy AS $$
res = plpy.cursor("select fname, lname from users")
res.close()
try:
    res.fetch(1)
except ValueError:
    pass
else:
    assert False, "ValueError not raised"
$$;
SELECT fetch_after_close();

CREATE FUNCTION next_after_close() RETURNS int LANGUAGE plsafepy AS $$
res = plpy.cursor("select fname, lname from users")
res.close()
try:
    next(res)
except ValueError:
    pass
else:
    assert False, "ValueError not raised"
$$;
SELECT next_after_close();

CREATE FUNCTION cursor_fetch_next_empty() RETURNS int LANGUAGE plsafepy AS $$
res = plpy.cursor("select fname, lname from users where false")
assert len(res.fetch(1)) == 0
try:
    next(res)
except StopIteration:
    pass
else:
    assert False, "StopIteration not raised"
$$;
SELECT cursor_fetch_next_empty();

CREATE FUNCTION cursor_plan() RETURNS SETOF text LANGUAGE plsafepy AS $$
plan = plpy.prepare(
    "select fname, lname from users where fname like $1 || '%' order by fname",
    ["text"])
for row in plpy.cursor(plan, ["w"]):
    yield row['fname']
for row in plan.cursor(["j"]):
    yield row['fname']
$$;
SELECT cursor_plan();

CREATE FUNCTION cursor_plan_wrong_args() RETURNS SETOF text LANGUAGE plsafepy AS $$
plan = plpy.prepare("select fname, lname from users where fname like $1 || '%'",
                    ["text"])
c = plpy.cursor(plan, ["a", "b"])
$$;
SELECT try_sql('SELECT cursor_plan_wrong_args()');

CREATE TYPE test_composite_type AS (a1 int, a2 varchar);
CREATE FUNCTION plan_composite_args() RETURNS test_composite_type LANGUAGE plsafepy AS $$
plan = plpy.prepare("select $1 as c1", ["test_composite_type"])
res = plpy.execute(plan, [{"a1": 3, "a2": "label"}])
return res[0]["c1"]
$$;
SELECT plan_composite_args();

-- fetch results, and the same cursor read in several ways
DO $$
c = plpy.cursor("select g from generate_series(1, 30) g")
f = c.fetch(2)
plpy.notice(str(f), f.nrows(), f.status())
try:
    f.colnames()
except plpy.Error as e:
    plpy.notice('Error: %s' % e)
plpy.notice([next(c)['g'] for i in range(3)])
plpy.notice([r['g'] for r in c.fetch(4)])
plpy.notice([r['g'] for r in c][:3])
plpy.notice(str(c.fetch(5)))
c.close()
$$ LANGUAGE plsafepy;

-- a cursor over many rows, iterated and fetched in large steps
CREATE FUNCTION cursor_sum(n int) RETURNS bigint LANGUAGE plsafepy AS $$
total = 0
for row in plpy.cursor("select g from generate_series(1, %d) g" % n):
    total += row['g']
c = plpy.cursor("select g from generate_series(1, %d) g" % n)
while True:
    rows = c.fetch(777)
    if not rows:
        break
    total += sum(r['g'] for r in rows)
return total
$$;
SELECT cursor_sum(50000);

-- fetch counts of zero and below, as PL/Python passes them on
DO $$
c = plpy.cursor("select g from generate_series(1, 5) g")
plpy.notice(len(c.fetch(0)))
try:
    c.fetch(-1)
except plpy.SPIError as e:
    plpy.notice('%s: %s' % (type(e), e))
$$ LANGUAGE plsafepy;

-- misuse
DO $$
c = plpy.cursor("select 1 as a")
for call in (lambda: c.fetch(), lambda: c.fetch('x'), lambda: c.close(1),
             lambda: plpy.cursor(), lambda: plpy.cursor(1),
             lambda: plpy.cursor("select 1", [1]),
             lambda: plpy.cursor(plpy.prepare("select $1", ["int"]), "x"),
             lambda: plpy.cursor(plpy.prepare("select $1", ["int"]))):
    try:
        call()
    except Exception as e:
        plpy.notice('%s: %s' % (type(e), e))
$$ LANGUAGE plsafepy;

-- errors in the cursor's query: when opening, and when fetching
DO $$
try:
    plpy.cursor("select * from no_such_table")
except plpy.SPIError as e:
    plpy.notice('%s: %s' % (type(e), e))
got = []
try:
    for row in plpy.cursor("select 10 / (5 - g) as x from generate_series(1, 8) g"):
        got.append(row['x'])
except plpy.spiexceptions.DivisionByZero as e:
    plpy.notice('%s: %s' % (type(e), e))
plpy.notice('rows before the error:', got)
c = plpy.cursor("select 10 / (3 - g) as x from generate_series(1, 8) g")
plpy.notice(len(c.fetch(2)))
try:
    c.fetch(2)
except plpy.spiexceptions.DivisionByZero as e:
    plpy.notice('%s: %s' % (type(e), e))
try:
    c.fetch(2)
except plpy.SPIError as e:
    plpy.notice(type(e), str(e).endswith('cannot be run'))
$$ LANGUAGE plsafepy;
SELECT try_sql($q$DO $$
for row in plpy.cursor("select 1 / (g - 3) from generate_series(1, 5) g"):
    pass
$$ LANGUAGE plsafepy$q$);

-- the loop body's side effects up to a failing row stay (PL/Python's order)
CREATE TABLE seen (x int);
DO $$
try:
    for row in plpy.cursor("select 10 / (5 - g) as x from generate_series(1, 8) g"):
        plpy.execute("insert into seen values (%d)" % row['x'])
except plpy.SPIError:
    pass
$$ LANGUAGE plsafepy;
SELECT * FROM seen;

-- cursors and subtransactions (PL/Python's tests)
CREATE FUNCTION cursor_in_subxact() RETURNS int LANGUAGE plsafepy AS $$
with plpy.subtransaction():
    cur = plpy.cursor("select * from generate_series(1, 20) as gen(i)")
    cur.fetch(10)
fetched = cur.fetch(10);
return int(fetched[5]["i"])
$$;
SELECT cursor_in_subxact();

CREATE FUNCTION cursor_aborted_subxact() RETURNS int LANGUAGE plsafepy AS $$
try:
    with plpy.subtransaction():
        cur = plpy.cursor("select 1")
        plpy.execute("select no_such_function()")
except plpy.SPIError:
    fetched = cur.fetch(10)
    return int(fetched[0]["?column?"])
return 1
$$;
SELECT try_sql('SELECT cursor_aborted_subxact()');

CREATE FUNCTION cursor_plan_aborted_subxact() RETURNS int LANGUAGE plsafepy AS $$
try:
    with plpy.subtransaction():
        plpy.execute('create temporary table tmp(i) '
                     'as select generate_series(1, 10)')
        plan = plpy.prepare("select i from tmp")
        cur = plpy.cursor(plan)
        plpy.execute("select no_such_function()")
except plpy.SPIError:
    fetched = cur.fetch(5)
    return fetched[2]["i"]
return 1
$$;
SELECT try_sql('SELECT cursor_plan_aborted_subxact()');

CREATE FUNCTION cursor_close_aborted_subxact() RETURNS boolean LANGUAGE plsafepy AS $$
try:
    with plpy.subtransaction():
        cur = plpy.cursor('select 1')
        plpy.execute("select no_such_function()")
except plpy.SPIError:
    cur.close()
    return True
return False  # not reached
$$;
SELECT try_sql('SELECT cursor_close_aborted_subxact()');

-- iterating after the subtransaction that opened the cursor rolled back
DO $$
s = plpy.subtransaction()
s.enter()
cur = plpy.cursor("select g from generate_series(1, 100) g")
first = next(cur)
s.exit(ValueError, ValueError('x'), None)
try:
    next(cur)
except ValueError as e:
    plpy.notice('%s: %s' % (type(e), e))
$$ LANGUAGE plsafepy;

-- a cursor kept in GD does not outlive its transaction
CREATE FUNCTION gd_cursor_open() RETURNS void LANGUAGE plsafepy AS $$
GD['c'] = plpy.cursor("select 1 as a")
GD['c'].close()
GD['c2'] = plpy.cursor("select 2 as a")
$$;
CREATE FUNCTION gd_cursor_use() RETURNS text LANGUAGE plsafepy AS $$
out = []
for k in ('c', 'c2'):
    try:
        out.append(str(GD[k].fetch(1)))
    except ValueError as e:
        out.append('%s: %s' % (type(e), e))
return ' / '.join(out)
$$;
BEGIN;
SELECT gd_cursor_open();
SELECT gd_cursor_use();
COMMIT;
SELECT gd_cursor_use();

RESET ROLE;
DROP SCHEMA spi_cursor CASCADE;
DROP ROLE regress_spi_cursor_user;
