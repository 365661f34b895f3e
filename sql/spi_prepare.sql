--
-- plpy.prepare and plan objects: execute, cursor, status, argument types
-- and conversion, misuse.  Outputs and messages are PL/Python's (checked
-- against plpython3u).  Runs as an unprivileged role.
--
CREATE ROLE regress_spi_prep_user;
CREATE SCHEMA spi_prepare AUTHORIZATION regress_spi_prep_user;
SET ROLE regress_spi_prep_user;
SET search_path = spi_prepare;
\set SHOW_CONTEXT never

CREATE FUNCTION try_sql(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  st text; msg text; det text;
BEGIN
  EXECUTE q;
  RETURN 'OK';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
      det = PG_EXCEPTION_DETAIL;
  RETURN st || ': ' || msg
         || CASE WHEN det <> '' THEN ' | detail: ' || det ELSE '' END;
END $$;

CREATE TABLE users (fname text, lname text, userid int PRIMARY KEY);
INSERT INTO users VALUES ('jane', 'doe', 1), ('john', 'doe', 2),
  ('willem', 'doe', 3), ('rick', 'smith', 4);
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
CREATE TYPE pair AS (a1 int, a2 varchar);

--
-- plans
--
DO $$
p = plpy.prepare("SELECT fname FROM users WHERE lname = $1 ORDER BY userid", ["text"])
plpy.notice(str(type(p)), p.status())
plpy.notice(str(plpy.execute(p, ["doe"])))
plpy.notice(str(plpy.execute(p, ("smith",))))
plpy.notice(str(plpy.execute(p, ["doe"], 1)))
plpy.notice(str(p.execute(["doe"])))
plpy.notice(str(p.execute(["doe"], 2)))
plpy.notice(str(p.execute(["nobody"])))
q = plpy.prepare("SELECT count(*) AS n FROM users")
plpy.notice(q.execute()[0], plpy.execute(q)[0], q.execute([])[0])
$$ LANGUAGE plsafepy;

-- argument types: several, NULLs, typmods, domains, composites, arrays
DO $$
p = plpy.prepare("SELECT $1 AS a, $2 AS b, $3 AS c, $4 AS d",
                 ["int4", "text", "numeric(6,2)", "varchar(3)"])
plpy.notice(p.execute([1, "two", 3.14159, "abc"])[0])
plpy.notice(p.execute([None, None, None, None])[0])
r = p.execute([1, "x", 1, "x"])
plpy.notice(r.coltypes(), r.coltypmods())
p = plpy.prepare("SELECT $1 AS v", ["posint"])
plpy.notice(p.execute([5])[0])
p = plpy.prepare("SELECT ($1).a2 AS a2, $1 AS whole", ["pair"])
plpy.notice(p.execute([{"a1": 3, "a2": "label"}])[0])
p = plpy.prepare("SELECT array_length($1, 1) AS n, $1 AS arr", ["int[]"])
plpy.notice(p.execute([[1, 2, 3]])[0])
p = plpy.prepare("SELECT $1 AS v", ["spi_prepare.posint"])
plpy.notice(p.execute([7])[0])
$$ LANGUAGE plsafepy;

-- plans kept in SD and GD are reused across calls
CREATE FUNCTION by_lname(l text) RETURNS SETOF text LANGUAGE plsafepy AS $$
if "plan" not in SD:
    SD["plan"] = plpy.prepare("SELECT fname FROM users WHERE lname = $1 ORDER BY userid", ["text"])
    plpy.notice("prepared")
return [r["fname"] for r in SD["plan"].execute([l])]
$$;
SELECT by_lname('doe');
SELECT by_lname('smith');

CREATE FUNCTION gd_prepare() RETURNS void LANGUAGE plsafepy AS $$
GD["count_plan"] = plpy.prepare("SELECT count(*) AS n FROM users WHERE userid > $1", ["int"])
$$;
CREATE FUNCTION gd_use(n int) RETURNS bigint LANGUAGE plsafepy AS $$
return GD["count_plan"].execute([n])[0]["n"]
$$;
SELECT gd_prepare();
SELECT gd_use(1), gd_use(3);

-- a plan whose result changes shape (the table gains a column)
CREATE TABLE shape (a int);
INSERT INTO shape VALUES (1);
CREATE FUNCTION shape_rows() RETURNS text LANGUAGE plsafepy AS $$
if "p" not in SD:
    SD["p"] = plpy.prepare("SELECT * FROM shape")
r = SD["p"].execute()
return "%s %s" % (r.colnames(), r[0])
$$;
SELECT shape_rows();
ALTER TABLE shape ADD COLUMN b text DEFAULT 'bee';
SELECT shape_rows();
ALTER TABLE shape DROP COLUMN a;
SELECT shape_rows();

--
-- misuse
--
DO $$
p = plpy.prepare("SELECT $1::int AS x", ["int4"])
q = plpy.prepare("SELECT $1::int + $2 AS x", ["int4", "int4"])
for call in (lambda: p.execute([1, 2]),
             lambda: p.execute([]),
             lambda: p.execute(),
             lambda: q.execute([1]),
             lambda: plpy.execute(p),
             lambda: plpy.execute(p, "a"),
             lambda: plpy.execute(p, 1),
             lambda: plpy.execute(p, None),
             lambda: p.execute("a"),
             lambda: p.execute({"a": 1}),
             lambda: p.status(1),
             lambda: p.execute([1], "x"),
             lambda: plpy.prepare("SELECT 1", 1),
             lambda: plpy.prepare(1),
             lambda: plpy.prepare(),
             lambda: plpy.prepare("SELECT 1", [], 5)):
    try:
        call()
    except Exception as e:
        plpy.notice('%s: %s' % (type(e), e))
$$ LANGUAGE plsafepy;

-- errors raised by PostgreSQL while preparing or executing are SPIErrors
DO $$
for types in ([1], ["nosuchtype"], ["int", 2], ["int4[", "int"]):
    try:
        plpy.prepare("SELECT $1", types)
    except plpy.SPIError as e:
        plpy.notice('%s: %s' % (type(e), e))
try:
    plpy.prepare("SELEC 1")
except plpy.spiexceptions.SyntaxError as e:
    plpy.notice('%s: %s' % (type(e), e))
try:
    plpy.prepare("SELECT $1 + 'x'::text", ["int"])
except plpy.SPIError as e:
    plpy.notice('%s: %s' % (type(e), e))
p = plpy.prepare("SELECT 10 / $1 AS x", ["int"])
try:
    p.execute([0])
except plpy.spiexceptions.DivisionByZero as e:
    plpy.notice('%s: %s' % (type(e), e))
plpy.notice(p.execute([5])[0])
$$ LANGUAGE plsafepy;

-- values that do not convert to the parameter type
DO $$
for typ, val in (("int", "abc"), ("posint", -1), ("int", 2**40)):
    p = plpy.prepare("SELECT $1 AS v", [typ])
    try:
        p.execute([val])
    except Exception as e:
        plpy.notice('%s %r: %s: %s' % (typ, val, type(e), e))
$$ LANGUAGE plsafepy;

-- uncaught, with their SQLSTATEs
SELECT try_sql($q$DO $$ plpy.prepare("SELECT $1", ["nosuchtype"]) $$ LANGUAGE plsafepy$q$);
SELECT try_sql($q$DO $$ plpy.prepare("SELECT $1", [1]) $$ LANGUAGE plsafepy$q$);
SELECT try_sql($q$DO $$ plpy.prepare("SELECT $1::int", ["text"]).execute(["x"]) $$ LANGUAGE plsafepy$q$);
SELECT try_sql($q$DO $$ plpy.prepare("SELECT $1", ["posint"]).execute([0]) $$ LANGUAGE plsafepy$q$);
SELECT try_sql($q$DO $$ plpy.prepare("SELECT $1", ["int"]).execute([1, 2]) $$ LANGUAGE plsafepy$q$);

-- a failed execute leaves the plan usable
DO $$
p = plpy.prepare("INSERT INTO users VALUES ($1, 'new', $2)", ["text", "int"])
try:
    p.execute(["dup", 1])
except plpy.spiexceptions.UniqueViolation as e:
    plpy.notice('%s: %s' % (type(e), e))
r = p.execute(["fresh", 10])
plpy.notice(str(r))
$$ LANGUAGE plsafepy;
SELECT * FROM users ORDER BY userid;

-- composite and array values that do not convert (last: plpython3u fails
-- to turn these into Python exceptions and leaves its interpreter broken)
DO $$
for typ, val in (("pair", {"a1": 1, "nope": 2}), ("int[]", [[1], 2])):
    p = plpy.prepare("SELECT $1 AS v", [typ])
    try:
        p.execute([val])
    except Exception as e:
        plpy.notice('%s %r: %s: %s' % (typ, val, type(e), e))
$$ LANGUAGE plsafepy;

RESET ROLE;
DROP SCHEMA spi_prepare CASCADE;
DROP ROLE regress_spi_prep_user;
