--
-- Triggers: TD as PL/Python builds it, the return values None/"OK"/"SKIP"/
-- "MODIFY" with PL/Python's errors, row and statement level, BEFORE/AFTER/
-- INSTEAD OF, INSERT/UPDATE/DELETE/TRUNCATE, transition tables.
-- Checked against plpython3u.
--
CREATE ROLE regress_plsafepy_trig;
GRANT CREATE ON SCHEMA public TO regress_plsafepy_trig;
SET ROLE regress_plsafepy_trig;
\set SHOW_CONTEXT never

CREATE FUNCTION trig_try(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  st text;
  msg text;
  det text;
  hin text;
BEGIN
  EXECUTE q;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                          det = PG_EXCEPTION_DETAIL, hin = PG_EXCEPTION_HINT;
  RETURN st || ': ' || msg
         || CASE WHEN det <> '' THEN E'\nDETAIL: ' || det ELSE '' END
         || CASE WHEN hin <> '' THEN E'\nHINT: ' || hin ELSE '' END;
END $$;

CREATE TABLE trig_t (id int, name varchar(5), gen int GENERATED ALWAYS AS (id * 10) STORED,
                     dropme int, vals int[]);
ALTER TABLE trig_t DROP COLUMN dropme;

-- TD, key by key (relid checked separately: it is an OID)
CREATE FUNCTION show_td() RETURNS trigger LANGUAGE plsafepy AS $$
GD['relid'] = TD['relid']
plpy.notice('%s %s %s %s.%s args=%r keys=%s' % (
    TD['when'], TD['level'], TD['event'], TD['table_schema'],
    TD['table_name'], TD['args'], ','.join(TD.keys())))
plpy.notice('  name=%s new=%r old=%r' % (TD['name'], TD['new'], TD['old']))
$$;
CREATE FUNCTION td_relid() RETURNS text LANGUAGE plsafepy AS $$ return GD['relid'] $$;

CREATE TRIGGER a_before_row BEFORE INSERT OR UPDATE OR DELETE ON trig_t
  FOR EACH ROW EXECUTE FUNCTION show_td('arg1', '2');
CREATE TRIGGER b_after_row AFTER INSERT OR UPDATE OR DELETE ON trig_t
  FOR EACH ROW EXECUTE FUNCTION show_td();
CREATE TRIGGER c_before_stmt BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON trig_t
  FOR EACH STATEMENT EXECUTE FUNCTION show_td('stmt');
CREATE TRIGGER d_after_stmt AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON trig_t
  FOR EACH STATEMENT EXECUTE FUNCTION show_td();

INSERT INTO trig_t (id, name, vals) VALUES (1, 'one', '{1,2}');
SELECT td_relid() = 'trig_t'::regclass::oid::text AS relid_ok;
UPDATE trig_t SET name = 'uno' WHERE id = 1;
DELETE FROM trig_t;
TRUNCATE trig_t;
DROP TRIGGER a_before_row ON trig_t;
DROP TRIGGER b_after_row ON trig_t;
DROP TRIGGER c_before_stmt ON trig_t;
DROP TRIGGER d_after_stmt ON trig_t;

-- INSTEAD OF triggers on a view
INSERT INTO trig_t (id, name, vals) VALUES (9, 'nine', '{}');
CREATE VIEW trig_v AS SELECT id, name FROM trig_t;
CREATE TRIGGER v_instead INSTEAD OF INSERT OR UPDATE OR DELETE ON trig_v
  FOR EACH ROW EXECUTE FUNCTION show_td();
INSERT INTO trig_v VALUES (5, 'five');
UPDATE trig_v SET name = 'x';
DELETE FROM trig_v;
DROP VIEW trig_v;

--
-- Return values
--
CREATE TABLE trig_r (id int, name varchar(5), gen int GENERATED ALWAYS AS (id * 10) STORED,
                     vals int[]);
CREATE FUNCTION ret_trig() RETURNS trigger LANGUAGE plsafepy AS $$
what = TD['args'][0]
if what == 'none':
    return None
if what in ('OK', 'ok', 'SKIP', 'skip', 'Skip', 'MODIFY', 'bad', ''):
    if what == 'MODIFY' and TD['new'] is not None:
        TD['new']['name'] = 'mod'
        TD['new']['vals'] = [[1, 2], [3, 4]]
    return what
if what == 'int':
    return 5
if what == 'bytes':
    return b'OK'
if what == 'modify_id':
    TD['new']['id'] = TD['new']['id'] + 100
    return 'Modify'
if what == 'del_new':
    del TD['new']
    return 'MODIFY'
if what == 'new_list':
    TD['new'] = [1, 2]
    return 'MODIFY'
if what == 'int_key':
    TD['new'][1] = 2
    return 'MODIFY'
if what == 'unknown_key':
    TD['new']['nosuch'] = 2
    return 'MODIFY'
if what == 'system_key':
    TD['new']['ctid'] = '(0,1)'
    return 'MODIFY'
if what == 'gen_key':
    TD['new']['gen'] = 1
    return 'MODIFY'
if what == 'bad_value':
    TD['new']['id'] = 'not a number'
    return 'MODIFY'
if what == 'too_long':
    TD['new']['name'] = 'too long'
    return 'MODIFY'
if what == 'bad_array':
    TD['new']['vals'] = [[1], 2]
    return 'MODIFY'
if what == 'replace_new':
    TD['new'] = {'id': 7, 'name': 'seven'}
    return 'MODIFY'
if what == 'raise':
    raise ValueError('trigger failed')
$$;

CREATE FUNCTION ret_case(k text, op text DEFAULT 'insert') RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  r text;
BEGIN
  DELETE FROM trig_r;
  INSERT INTO trig_r (id, name) VALUES (1, 'orig');
  EXECUTE format('CREATE TRIGGER t BEFORE INSERT OR UPDATE OR DELETE ON trig_r '
                 'FOR EACH ROW EXECUTE FUNCTION ret_trig(%L)', k);
  IF op = 'insert' THEN
    r := trig_try('INSERT INTO trig_r (id, name) VALUES (2, ''two'')');
  ELSIF op = 'update' THEN
    r := trig_try('UPDATE trig_r SET name = ''upd''');
  ELSE
    r := trig_try('DELETE FROM trig_r');
  END IF;
  EXECUTE 'DROP TRIGGER t ON trig_r';
  RETURN r || ' => ' || coalesce((SELECT string_agg(format('%s/%s/%s/%s', id, name, gen, vals), ' ' ORDER BY id)
                                  FROM trig_r), 'empty');
END $$;

SELECT k, ret_case(k, 'insert') AS on_insert, ret_case(k, 'update') AS on_update,
       ret_case(k, 'delete') AS on_delete
FROM unnest(ARRAY['none', 'OK', 'ok', 'SKIP', 'skip', 'Skip', 'MODIFY',
                  'modify_id', 'replace_new']) k;
SELECT k, ret_case(k) AS on_insert
FROM unnest(ARRAY['bad', '', 'int', 'bytes', 'del_new', 'new_list', 'int_key',
                  'unknown_key', 'system_key', 'gen_key', 'bad_value',
                  'too_long', 'bad_array', 'raise']) k;

-- "MODIFY" where there is no row to modify
CREATE TRIGGER t_stmt BEFORE INSERT ON trig_r FOR EACH STATEMENT
  EXECUTE FUNCTION ret_trig('MODIFY');
SELECT trig_try('INSERT INTO trig_r (id) VALUES (3)');
DROP TRIGGER t_stmt ON trig_r;
CREATE TRIGGER t_after AFTER INSERT ON trig_r FOR EACH ROW
  EXECUTE FUNCTION ret_trig('MODIFY');
INSERT INTO trig_r (id) VALUES (4);
SELECT id, name, vals FROM trig_r WHERE id = 4;
DROP TRIGGER t_after ON trig_r;
CREATE TRIGGER t_trunc BEFORE TRUNCATE ON trig_r FOR EACH STATEMENT
  EXECUTE FUNCTION ret_trig('MODIFY');
TRUNCATE trig_r;
DROP TRIGGER t_trunc ON trig_r;

-- one function on two tables, and a table changing under it
CREATE TABLE trig_o (x text, y numeric);
CREATE FUNCTION upper_trig() RETURNS trigger LANGUAGE plsafepy AS $$
for k, v in TD['new'].items():
    if isinstance(v, str):
        TD['new'][k] = v.upper()
return 'MODIFY'
$$;
CREATE TRIGGER up BEFORE INSERT ON trig_r FOR EACH ROW EXECUTE FUNCTION upper_trig();
CREATE TRIGGER up BEFORE INSERT ON trig_o FOR EACH ROW EXECUTE FUNCTION upper_trig();
INSERT INTO trig_r (id, name) VALUES (10, 'abc');
INSERT INTO trig_o VALUES ('xyz', 1.5);
INSERT INTO trig_r (id, name) VALUES (11, 'def');
ALTER TABLE trig_o ADD COLUMN z text;
INSERT INTO trig_o VALUES ('uvw', 2.5, 'new column');
ALTER TABLE trig_o DROP COLUMN x;
INSERT INTO trig_o VALUES (3.5, 'after drop');
SELECT id, name FROM trig_r WHERE id >= 10 ORDER BY id;
SELECT * FROM trig_o ORDER BY y;

-- transition tables are visible to the function's queries
CREATE TABLE trig_tt (id int, v text);
CREATE FUNCTION transition_trig() RETURNS trigger LANGUAGE plsafepy AS $$
if TD['event'] in ('INSERT', 'UPDATE'):
    rows = plpy.execute('SELECT count(*) AS n, string_agg(v, \',\' ORDER BY id) AS vs FROM newtab')
    plpy.notice('%s new: %d %s' % (TD['event'], rows[0]['n'], rows[0]['vs']))
if TD['event'] in ('DELETE', 'UPDATE'):
    rows = plpy.execute('SELECT count(*) AS n, string_agg(v, \',\' ORDER BY id) AS vs FROM oldtab')
    plpy.notice('%s old: %d %s' % (TD['event'], rows[0]['n'], rows[0]['vs']))
$$;
CREATE TRIGGER tt_ins AFTER INSERT ON trig_tt REFERENCING NEW TABLE AS newtab
  FOR EACH STATEMENT EXECUTE FUNCTION transition_trig();
CREATE TRIGGER tt_upd AFTER UPDATE ON trig_tt REFERENCING NEW TABLE AS newtab OLD TABLE AS oldtab
  FOR EACH STATEMENT EXECUTE FUNCTION transition_trig();
CREATE TRIGGER tt_del AFTER DELETE ON trig_tt REFERENCING OLD TABLE AS oldtab
  FOR EACH ROW EXECUTE FUNCTION transition_trig();
INSERT INTO trig_tt VALUES (1, 'a'), (2, 'b'), (3, 'c');
UPDATE trig_tt SET v = v || v WHERE id < 3;
DELETE FROM trig_tt WHERE id > 1;

-- a trigger whose own query fires it again
CREATE TABLE trig_rec (n int);
CREATE FUNCTION recursive_trig() RETURNS trigger LANGUAGE plsafepy AS $$
n = TD['new']['n']
if n < 3:
    plpy.execute('INSERT INTO trig_rec VALUES (%d)' % (n + 1))
TD['new']['n'] = n * 10
return 'MODIFY'
$$;
CREATE TRIGGER rec BEFORE INSERT ON trig_rec FOR EACH ROW EXECUTE FUNCTION recursive_trig();
INSERT INTO trig_rec VALUES (1);
SELECT * FROM trig_rec ORDER BY n;

-- a trigger function is only called as a trigger
SELECT trig_try('SELECT ret_trig()');

-- Beyond PL/Python (whose backend crashes here): code run while the new row
-- is converted may run SQL firing the same function on another table, or
-- replace the function; neither disturbs the row being built.
CREATE TABLE trig_na (x text, y int);
CREATE TABLE trig_nb (p int, q text, r text, s text);
CREATE FUNCTION nest_trig() RETURNS trigger LANGUAGE plsafepy AS $$
class S:
    def __str__(self):
        plpy.execute("INSERT INTO trig_nb VALUES (1, 'a', 'b', 'c')")
        plpy.execute("CREATE OR REPLACE FUNCTION nest_trig() RETURNS trigger "
                     "LANGUAGE plsafepy AS 'return None'")
        return 'from __str__'
if TD['table_name'] == 'trig_na':
    TD['new']['x'] = S()
    return 'MODIFY'
TD['new']['s'] = 'nested'
return 'MODIFY'
$$;
CREATE TRIGGER n BEFORE INSERT ON trig_na FOR EACH ROW EXECUTE FUNCTION nest_trig();
CREATE TRIGGER n BEFORE INSERT ON trig_nb FOR EACH ROW EXECUTE FUNCTION nest_trig();
INSERT INTO trig_na VALUES ('orig', 1);
INSERT INTO trig_na VALUES ('replaced', 2);
SELECT * FROM trig_na ORDER BY y;
SELECT * FROM trig_nb;

RESET ROLE;
DROP OWNED BY regress_plsafepy_trig;
REVOKE CREATE ON SCHEMA public FROM regress_plsafepy_trig;
DROP ROLE regress_plsafepy_trig;
