-- Process isolation (docs/isolation.md): the role's Python runs in its
-- own sandboxed worker; calls, results, logging and errors cross the door
-- as records.  The same bodies give the same results as inline mode.
SET plsafepy.isolation = process;
SET client_min_messages = notice;

CREATE FUNCTION p_add(a int, b int) RETURNS int LANGUAGE plsafepy
AS $$ return None if a is None else a + b $$;
SELECT p_add(40, 2), p_add(NULL, 1) IS NULL AS null_in;

-- the call ran in a worker of this session, not in the backend
SELECT count(*) AS workers, bool_and(walls LIKE 'seccomp%') AS seccomp
  FROM plsafepy_workers();

-- values both ways
CREATE FUNCTION p_types(i int8, f float8, n numeric, t text, b bytea, ok bool)
RETURNS text LANGUAGE plsafepy AS $$
return repr((i, f, n, t, b, ok))
$$;
SELECT p_types(9223372036854775807, 1.5, 12.345, 'héllo', '\x00ff', true);
SELECT p_types(NULL, 'NaN', 'NaN', '', '', false);

CREATE FUNCTION p_num(n numeric) RETURNS numeric LANGUAGE plsafepy STRICT
AS $$ return n * 2 $$;
SELECT p_num(1.25), p_num(NULL);

CREATE FUNCTION p_arr(a int[]) RETURNS int[] LANGUAGE plsafepy
AS $$ return [[x * 10 if x is not None else None for x in row] for row in a] $$;
SELECT p_arr('{{1,2},{NULL,4}}');
SELECT p_arr('{}');

CREATE TYPE p_pair AS (name text, n int);
CREATE FUNCTION p_row(p p_pair) RETURNS p_pair LANGUAGE plsafepy
AS $$ return {'name': p['name'].upper(), 'n': p['n'] + 1} $$;
SELECT p_row(ROW('ab', 1)::p_pair);
CREATE FUNCTION p_out(x int, OUT doubled int, OUT label text) LANGUAGE plsafepy
AS $$ return (x * 2, 'x=%d' % x) $$;
SELECT * FROM p_out(21);

CREATE FUNCTION p_textarr(a text[]) RETURNS text LANGUAGE plsafepy
AS $$ return '|'.join(a) $$;
SELECT p_textarr(ARRAY['x', 'ü', '']);

-- a result that does not convert: the same error as inline
CREATE FUNCTION p_badint() RETURNS int LANGUAGE plsafepy
AS $$ return 'abc' $$;
SELECT p_badint();

-- None for a domain that refuses NULL: the domain's error, as inline
CREATE DOMAIN p_nn AS text NOT NULL;
CREATE FUNCTION p_dom_nn() RETURNS p_nn LANGUAGE plsafepy AS $$ return None $$;
SELECT p_dom_nn();
-- void, procedures, DO blocks
CREATE FUNCTION p_void() RETURNS void LANGUAGE plsafepy AS $$ return None $$;
SELECT p_void();
CREATE FUNCTION p_void_bad() RETURNS void LANGUAGE plsafepy AS $$ return 1 $$;
SELECT p_void_bad();
CREATE PROCEDURE p_proc(x int) LANGUAGE plsafepy AS $$ plpy.notice('proc %d' % x) $$;
CALL p_proc(7);
DO LANGUAGE plsafepy $$ plpy.notice('from a DO block') $$;

-- logging with its fields; plpy.error; quoting
CREATE FUNCTION p_log() RETURNS int LANGUAGE plsafepy AS $$
plpy.info('info', detail='some detail', hint='a hint')
plpy.warning('warn')
return 1
$$;
SELECT p_log();
CREATE FUNCTION p_err() RETURNS int LANGUAGE plsafepy AS $$
plpy.error('custom failure', sqlstate='P0123', detail='d', hint='h')
$$;
SELECT p_err();
CREATE FUNCTION p_quote(s text) RETURNS text LANGUAGE plsafepy AS $$
return plpy.quote_literal(s) + ' ' + plpy.quote_ident(s) + ' ' + plpy.quote_nullable(None)
$$;
SELECT p_quote('it''s A');

-- Python errors carry PL/Python's traceback
CREATE FUNCTION p_raise() RETURNS int LANGUAGE plsafepy AS $$
def inner(x):
    return 1 / x
return inner(0)
$$;
SELECT p_raise();

-- SD and GD live in the worker, across calls
CREATE FUNCTION p_count() RETURNS int LANGUAGE plsafepy AS $$
SD['n'] = SD.get('n', 0) + 1
GD['total'] = GD.get('total', 0) + 1
return SD['n'] * 100 + GD['total']
$$;
SELECT p_count(), p_count(), p_count();

-- the Python-level sandbox stands in the worker: policy at CREATE ...
CREATE FUNCTION p_import() RETURNS text LANGUAGE plsafepy AS $$
import os
return os.getcwd()
$$;
CREATE FUNCTION p_syntax() RETURNS text LANGUAGE plsafepy AS $$
return (
$$;
-- ... and at run time
CREATE FUNCTION p_open() RETURNS text LANGUAGE plsafepy
AS $$ return open('/etc/passwd').read() $$;
SELECT p_open();
CREATE FUNCTION p_dunder() RETURNS text LANGUAGE plsafepy AS $$
def f():
    pass
return str(getattr(f, '__glob' + 'als__'))
$$;
SELECT p_dunder();
-- whitelisted modules work
CREATE FUNCTION p_json() RETURNS text LANGUAGE plsafepy AS $$
import json
return json.dumps({'a': [1, 2]})
$$;
SELECT p_json();

-- a replaced function is compiled again by the worker
CREATE OR REPLACE FUNCTION p_add(a int, b int) RETURNS int LANGUAGE plsafepy
AS $$ return a * b $$;
SELECT p_add(6, 7);

-- plpy's SPI, carried to the worker: results, columns, status
CREATE TABLE p_t (id int PRIMARY KEY, name text, n numeric, a int[]);
INSERT INTO p_t VALUES (1, 'one', 1.5, '{1,2}'), (2, 'two', NULL, NULL);
CREATE FUNCTION p_spi() RETURNS text LANGUAGE plsafepy AS $$
r = plpy.execute("select * from p_t order by id")
return "%s %s %s %s %s %s %s" % (r.status(), r.nrows(), len(r), r.colnames(),
    r.coltypes(), r.coltypmods(), list(r))
$$;
SELECT p_spi();
CREATE FUNCTION p_spi_str() RETURNS text LANGUAGE plsafepy AS $$
r = plpy.execute("select id from p_t order by id", 1)
u = plpy.execute("update p_t set name = name where id > 0")
return "%s | %s | %s | %s" % (r, r[0:1], u, u.nrows())
$$;
SELECT p_spi_str();
-- an SPI error with all its fields, caught, and uncaught with its query
CREATE FUNCTION p_spi_err() RETURNS text LANGUAGE plsafepy AS $$
try:
    plpy.execute("insert into p_t values (1, 'dup')")
except plpy.spiexceptions.UniqueViolation as e:
    return "%s | %s" % (e.sqlstate, e.spidata)
$$;
SELECT p_spi_err();
DO $$ plpy.execute("select nosuchcol from p_t") $$ LANGUAGE plsafepy;
-- plans (kept in SD across calls), plan.execute, cursors, fetch
CREATE FUNCTION p_plan(i int) RETURNS text LANGUAGE plsafepy AS $$
if "p" not in SD:
    SD["p"] = plpy.prepare("select name from p_t where id = $1", ["int"])
return plpy.execute(SD["p"], [i])[0]["name"] + SD["p"].execute([i])[0]["name"]
$$;
SELECT p_plan(1), p_plan(2);
CREATE FUNCTION p_cursor() RETURNS text LANGUAGE plsafepy AS $$
p = plpy.prepare("select g from generate_series(1, $1) g", ["int"])
c = plpy.cursor(p, [25])
first = c.fetch(3)
rest = [row["g"] for row in c]
c.close()
try:
    c.fetch(1)
except ValueError as e:
    closed = str(e)
return "%s %s %s %s %s" % (first, [r["g"] for r in first], len(rest), rest[-1], closed)
$$;
SELECT p_cursor();
-- a type name that is not a str: PL/Python's error
CREATE FUNCTION p_prepare_bad() RETURNS text LANGUAGE plsafepy AS $$
try:
    plpy.prepare("select $1", [42])
except plpy.SPIError as e:
    return str(e)
$$;
SELECT p_prepare_bad();
-- subtransactions and commit/rollback
CREATE FUNCTION p_subxact() RETURNS bigint LANGUAGE plsafepy AS $$
try:
    with plpy.subtransaction():
        plpy.execute("insert into p_t values (3, 'three')")
        plpy.execute("insert into p_t values (3, 'again')")
except plpy.SPIError:
    pass
with plpy.subtransaction():
    plpy.execute("insert into p_t values (4, 'four')")
s = plpy.subtransaction()
s.__enter__()
return plpy.execute("select count(*) as n from p_t")[0]["n"]
$$;
SELECT p_subxact();
SELECT id, name FROM p_t ORDER BY id;
CREATE PROCEDURE p_xact() LANGUAGE plsafepy AS $$
plpy.execute("insert into p_t values (5, 'kept')")
plpy.commit()
plpy.execute("insert into p_t values (6, 'gone')")
plpy.rollback()
$$;
CALL p_xact();
SELECT id, name FROM p_t WHERE id >= 5 ORDER BY id;
CREATE FUNCTION p_commit_fn() RETURNS text LANGUAGE plsafepy AS $$
try:
    plpy.commit()
except plpy.SPIError as e:
    return "%s: %s" % (e.sqlstate, e)
$$;
SELECT p_commit_fn();
-- a function of the same role called from SQL inside a request: nested
CREATE FUNCTION p_nested() RETURNS int LANGUAGE plsafepy AS $$
return plpy.execute("select p_add(2, 3) as v")[0]["v"]
$$;
SELECT p_nested();

-- set-returning functions: the worker keeps the iterator across the
-- backend's calls and sends rows in batches (1, 2, 4, ... up to 1024)
CREATE FUNCTION p_setof() RETURNS SETOF int LANGUAGE plsafepy
AS $$ return [1, None, 2] $$;
SELECT * FROM p_setof();
SELECT p_setof();
CREATE FUNCTION p_gen(n int) RETURNS SETOF text LANGUAGE plsafepy AS $$
try:
    for i in range(n):
        yield 'row %d' % i
finally:
    plpy.notice('finally of %d' % n)
$$;
SELECT * FROM p_gen(3);
SELECT count(*), min(g), max(g) FROM p_gen(5000) g;
-- a scan ended early closes the iterator: the generator's finally runs
SELECT p_gen(5) LIMIT 2;
SELECT p_gen(2), p_gen(3);
-- a rescan (the subquery runs once per outer row)
SELECT x, (SELECT count(*) FROM (SELECT p_gen(x) LIMIT 1) s)
  FROM generate_series(1, 2) x;
SELECT * FROM generate_series(1, 2) s, LATERAL p_gen(s);
-- RETURNS TABLE, OUT parameters, record, composite, arrays, args
CREATE FUNCTION p_tab(n int) RETURNS TABLE(a int, b text) LANGUAGE plsafepy AS $$
for i in range(n):
    yield (i, str(i * 2))
$$;
SELECT * FROM p_tab(3);
CREATE FUNCTION p_outs(n int, OUT a int, OUT b text) RETURNS SETOF record
LANGUAGE plsafepy AS $$ return [{'a': i, 'b': 'x'} for i in range(n)] $$;
SELECT * FROM p_outs(2);
CREATE FUNCTION p_recs(n int) RETURNS SETOF record LANGUAGE plsafepy
AS $$ return [(i, 'r%d' % i) for i in range(n)] $$;
SELECT * FROM p_recs(2) AS t(x int, y text);
-- record where no row type is given: an error at the first row, as inline
SELECT p_recs(0);
SELECT p_recs(1);
CREATE TYPE p_pt AS (x int, y text);
CREATE FUNCTION p_comps() RETURNS SETOF p_pt LANGUAGE plsafepy
AS $$ return [(1, 'a'), {'x': 2, 'y': None}, None] $$;
SELECT * FROM p_comps();
CREATE FUNCTION p_arrs() RETURNS SETOF int[] LANGUAGE plsafepy
AS $$ return [[1, 2], [], None] $$;
SELECT p_arrs();
CREATE FUNCTION p_setargs(a int, b text) RETURNS SETOF text LANGUAGE plsafepy
AS $$ return [b * a, args[1]] $$;
SELECT * FROM p_setargs(2, 'ab');
-- rows bigger than a batch's byte bound
CREATE FUNCTION p_wide(n int) RETURNS SETOF text LANGUAGE plsafepy AS $$
for i in range(n):
    yield str(i) * 100000
$$;
SELECT count(*), sum(length(w)) FROM p_wide(40) w;
-- SD is kept between calls
CREATE FUNCTION p_sdset() RETURNS SETOF int LANGUAGE plsafepy AS $$
SD['n'] = SD.get('n', 0) + 1
return [SD['n']] * 2
$$;
SELECT p_sdset();
SELECT p_sdset();
-- errors, each after the rows before it, as inline
CREATE FUNCTION p_notiter() RETURNS SETOF int LANGUAGE plsafepy AS $$ return 5 $$;
SELECT * FROM p_notiter();
CREATE FUNCTION p_raises() RETURNS SETOF int LANGUAGE plsafepy AS $$
yield 1
raise ValueError('boom')
$$;
SELECT * FROM p_raises();
CREATE FUNCTION p_badrow() RETURNS SETOF int LANGUAGE plsafepy AS $$
try:
    for x in [1, 'x', 3]:
        plpy.notice('item %r' % x)
        yield x
finally:
    plpy.notice('badrow finally')
$$;
-- the row fails in the backend: the iterator, still open in the worker, is
-- closed when the role's next call comes (its finally runs then).  The
-- second batch (two rows) took 3 before 'x' failed: a generator runs ahead
-- of the executor by at most one batch
SELECT p_badrow();
SELECT 1 AS next_statement;
SELECT * FROM p_setof();
-- the item fails in the worker: the iterator is released before the error
CREATE FUNCTION p_badobj() RETURNS SETOF int[] LANGUAGE plsafepy AS $$
try:
    yield [1]
    yield 5
finally:
    plpy.notice('badobj finally')
$$;
SELECT * FROM p_badobj();
-- a generator stopped by a timeout: the session goes on
CREATE FUNCTION p_spin() RETURNS SETOF int LANGUAGE plsafepy AS $$
yield 1
while True:
    pass
$$;
SET statement_timeout = '300ms';
SELECT * FROM p_spin();
RESET statement_timeout;
SELECT * FROM p_setof();

-- triggers: TD crosses as a value and becomes inline's dict in the worker;
-- the backend decides on the result as inline mode does
CREATE TABLE p_tt (id int, name varchar(5), gen int GENERATED ALWAYS AS (id * 10) STORED,
                   dropme int, vals int[]);
ALTER TABLE p_tt DROP COLUMN dropme;
CREATE FUNCTION p_show_td() RETURNS trigger LANGUAGE plsafepy AS $$
plpy.notice('%s %s %s %s.%s args=%r keys=%s relid=%s' % (
    TD['when'], TD['level'], TD['event'], TD['table_schema'],
    TD['table_name'], TD['args'], ','.join(TD.keys()),
    type(TD['relid']).__name__))
plpy.notice('  name=%s new=%r old=%r' % (TD['name'], TD['new'], TD['old']))
$$;
CREATE TRIGGER a_before_row BEFORE INSERT OR UPDATE OR DELETE ON p_tt
  FOR EACH ROW EXECUTE FUNCTION p_show_td('arg1', 'ü');
CREATE TRIGGER b_after_row AFTER INSERT OR UPDATE OR DELETE ON p_tt
  FOR EACH ROW EXECUTE FUNCTION p_show_td();
CREATE TRIGGER c_before_stmt BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON p_tt
  FOR EACH STATEMENT EXECUTE FUNCTION p_show_td('stmt');
INSERT INTO p_tt (id, name, vals) VALUES (1, 'one', '{1,2}');
UPDATE p_tt SET name = 'uno' WHERE id = 1;
DELETE FROM p_tt;
TRUNCATE p_tt;
DROP TRIGGER a_before_row ON p_tt;
DROP TRIGGER b_after_row ON p_tt;
DROP TRIGGER c_before_stmt ON p_tt;
CREATE VIEW p_tv AS SELECT id, name FROM p_tt;
CREATE TRIGGER v_instead INSTEAD OF INSERT ON p_tv
  FOR EACH ROW EXECUTE FUNCTION p_show_td();
INSERT INTO p_tv VALUES (5, 'five');
DROP VIEW p_tv;
-- the result: None, OK, SKIP, MODIFY with TD["new"]'s values converted
CREATE FUNCTION p_ret_trig() RETURNS trigger LANGUAGE plsafepy AS $$
what = TD['args'][0]
if what == 'none':
    return None
if what == 'modify':
    if TD['new'] is not None:
        TD['new']['name'] = 'mod'
        TD['new']['vals'] = [[1, 2], [3, 4]]
    return 'Modify'
if what == 'int':
    return 5
if what == 'str_nul':
    return 'OK\0'
if what == 'int_key':
    TD['new'][1] = 2
    return 'MODIFY'
if what == 'nosuch':
    TD['new']['nosuch'] = 1
    return 'MODIFY'
if what == 'ctid':
    TD['new']['ctid'] = '(0,1)'
    return 'MODIFY'
if what == 'gen':
    TD['new']['gen'] = 1
    return 'MODIFY'
if what == 'bad_value':
    TD['new']['id'] = 'not a number'
    return 'MODIFY'
if what == 'bad_array':
    TD['new']['vals'] = [[1], 2]
    return 'MODIFY'
if what == 'del_new':
    del TD['new']
    return 'MODIFY'
if what == 'str_raises':
    class S:
        def __str__(self):
            raise ValueError('no str')
    TD['new']['name'] = S()
    return 'MODIFY'
if what == 'changes':
    class S:
        def __str__(self):
            TD['new'].clear()
            return 'x'
    TD['new']['name'] = S()
    TD['new']['vals'] = None
    return 'MODIFY'
if what == 'empty_dict':
    TD['new'] = {}
    return 'MODIFY'
return what
$$;
CREATE FUNCTION p_trig_case(k text, op text DEFAULT 'insert', lvl text DEFAULT 'ROW')
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  st text;
  msg text;
  ctx text;
  rows text;
BEGIN
  DELETE FROM p_tt;
  INSERT INTO p_tt (id, name) VALUES (1, 'orig');
  EXECUTE format('CREATE TRIGGER p_case BEFORE INSERT OR UPDATE OR DELETE ON p_tt '
                 'FOR EACH %s EXECUTE FUNCTION p_ret_trig(%L)', lvl, k);
  BEGIN
    IF op = 'insert' THEN
      INSERT INTO p_tt (id, name) VALUES (2, 'two');
    ELSIF op = 'update' THEN
      UPDATE p_tt SET name = 'upd';
    ELSE
      DELETE FROM p_tt;
    END IF;
    st := 'ok';
  EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                            ctx = PG_EXCEPTION_CONTEXT;
    st := st || ': ' || msg || ' | ' || split_part(ctx, E'\n', 1);
  END;
  DROP TRIGGER p_case ON p_tt;
  SELECT string_agg(concat_ws('/', id, name, gen, vals), ' ' ORDER BY id)
    INTO rows FROM p_tt;
  RETURN st || ' => ' || coalesce(rows, 'empty');
END $$;
SELECT k, p_trig_case(k) AS on_insert, p_trig_case(k, 'update') AS on_update,
       p_trig_case(k, 'delete') AS on_delete
FROM unnest(ARRAY['none', 'OK', 'skip', 'modify']) k;
SELECT k, p_trig_case(k) AS on_insert
FROM unnest(ARRAY['bad', 'int', 'str_nul', 'int_key', 'nosuch', 'ctid', 'gen',
                  'bad_value', 'bad_array', 'del_new', 'str_raises',
                  'changes']) k;
-- a statement-level trigger has no row to modify (PL/Python crashes here)
SELECT p_trig_case('modify', 'insert', 'STATEMENT');
SELECT p_trig_case('empty_dict', 'insert', 'STATEMENT');
-- a trigger's only parameter is TD: no args list
CREATE FUNCTION p_trig_args() RETURNS trigger LANGUAGE plsafepy AS $$ return args $$;
CREATE TRIGGER p_args BEFORE INSERT ON p_tt FOR EACH ROW EXECUTE FUNCTION p_trig_args();
INSERT INTO p_tt (id) VALUES (3);
DROP TRIGGER p_args ON p_tt;
-- and a trigger function is only called as a trigger
SELECT p_ret_trig();
DROP TABLE p_tt;

-- sets and triggers with plpy's SPI: sets of this role's functions read
-- inside a request (CALL, FETCH and CLOSE nested), a generator running
-- queries and holding a cursor across the backend's calls, a finally run
-- by a scan's shutdown (no call: SPI refuses, as inline), a trigger's query
CREATE FUNCTION p_spi_sets() RETURNS text LANGUAGE plsafepy AS $$
a = plpy.execute("SELECT * FROM p_gen(3) g")
b = plpy.execute("SELECT p_gen(5) AS g LIMIT 2")
c = plpy.execute("SELECT p_gen(2) AS x, p_gen(3) AS y")
return '%s | %s | %s' % ([r['g'] for r in a], [r['g'] for r in b], [(r['x'], r['y']) for r in c])
$$;
SELECT p_spi_sets();
CREATE FUNCTION p_spi_gen() RETURNS SETOF int LANGUAGE plsafepy AS $$
for r in plpy.execute("SELECT g FROM generate_series(1, 3) g"):
    yield plpy.execute("SELECT %d * 10 AS v" % r['g'])[0]['v']
$$;
SELECT * FROM p_spi_gen();
SELECT p_spi_gen() LIMIT 2;
CREATE FUNCTION p_fin_spi() RETURNS SETOF int LANGUAGE plsafepy AS $$
try:
    yield 1
    yield 2
finally:
    try:
        plpy.execute("SELECT 1")
    except Exception as e:
        plpy.notice('finally: %s' % e)
$$;
SELECT p_fin_spi() LIMIT 1;
SELECT * FROM p_fin_spi();
CREATE TABLE p_log (msg text);
CREATE TABLE p_tt2 (id int);
CREATE FUNCTION p_log_trig() RETURNS trigger LANGUAGE plsafepy AS $$
plpy.execute("INSERT INTO p_log VALUES (%s)" % plpy.quote_literal('%s %s' % (TD['event'], TD['new'])))
$$;
CREATE TRIGGER p_log BEFORE INSERT ON p_tt2 FOR EACH ROW EXECUTE FUNCTION p_log_trig();
INSERT INTO p_tt2 VALUES (1), (2);
SELECT * FROM p_log;
CREATE FUNCTION p_cur_gen() RETURNS SETOF int LANGUAGE plsafepy AS $$
c = plpy.cursor("SELECT g FROM generate_series(1, 5) g")
while True:
    rows = c.fetch(2)
    if not rows:
        break
    for r in rows:
        yield r['g']
$$;
SELECT p_cur_gen(), p_gen(2);

-- a function replaced, and others compiled, by a call nested in its own:
-- the running one keeps its entry in the worker until it returns
CREATE FUNCTION p_re(fail bool) RETURNS text LANGUAGE plsafepy AS $$
for i in range(20):
    plpy.execute("CREATE OR REPLACE FUNCTION p_re_%d() RETURNS int LANGUAGE plsafepy AS 'return %d'" % (i, i))
    plpy.execute("SELECT p_re_%d()" % i)
plpy.execute("CREATE OR REPLACE FUNCTION p_re(fail bool) RETURNS text LANGUAGE plsafepy AS 'return \"new\"'")
r = plpy.execute("SELECT p_re(false) AS r")[0]['r']
if fail:
    raise ValueError('old saw ' + r)
return 'old saw ' + r
$$;
SELECT p_re(false);
CREATE OR REPLACE FUNCTION p_re(fail bool) RETURNS text LANGUAGE plsafepy AS $$
plpy.execute("CREATE OR REPLACE FUNCTION p_re(fail bool) RETURNS text LANGUAGE plsafepy AS 'return \"new\"'")
r = plpy.execute("SELECT p_re(false) AS r")[0]['r']
raise ValueError('old saw ' + r)
$$;
SELECT p_re(true);
SELECT p_re(true);

-- the worker ends with the session; back to inline for the next tests
RESET plsafepy.isolation;
