--
-- The door: user code run while plpy's arguments are converted may do
-- anything (even commit) without harm, and every PostgreSQL error caught
-- in Python was rolled back first.
--

CREATE TABLE door_log (tag text);
CREATE FUNCTION door_boom(tag text) RETURNS int LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO door_log VALUES (tag);
    RAISE EXCEPTION 'boom %', tag;
END $$;
CREATE FUNCTION door_chk(v int) RETURNS bool LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO door_log VALUES ('chk ' || v);
    IF v < 0 THEN RAISE EXCEPTION 'neg'; END IF;
    RETURN true;
END $$;
CREATE DOMAIN door_posint AS int CHECK (door_chk(VALUE));

-- reproducer 1: plpy.commit() while a plan argument is converted
CREATE TABLE door_big (c text);
INSERT INTO door_big SELECT repeat('q', 3000) FROM generate_series(1, 50);
SET plan_cache_mode = force_generic_plan;
CREATE PROCEDURE door_p6() LANGUAGE plsafepy AS $$
class S:
    def __str__(self):
        plpy.commit()
        return 'x' * 200
plan = plpy.prepare("select $1 as t, c from door_big", ["text"])
r = plpy.execute(plan, [S()])
plpy.notice(len(r), len(r[0]["t"]), len(r[49]["c"]))
$$;
CALL door_p6();
RESET plan_cache_mode;

-- reproducer 2: a domain check that uses SPI fails in a plan argument
CREATE FUNCTION door_chk2(int) RETURNS bool LANGUAGE plpgsql AS
$$ BEGIN PERFORM 1; IF $1 < 0 THEN RAISE EXCEPTION 'neg'; END IF; RETURN true; END $$;
CREATE DOMAIN door_posint2 AS int CHECK (door_chk2(VALUE));
CREATE FUNCTION door_f7() RETURNS text LANGUAGE plsafepy AS $$
plan = plpy.prepare("select $1 as v", ["door_posint2"])
try:
    plpy.execute(plan, [-1])
except plpy.SPIError as e:
    plpy.notice("caught: %s" % e)
return str(plpy.execute("select 1 as x")[0])
$$;
SELECT door_f7();

-- variants: every hook of a plan argument, of the argument list, of a
-- cursor's arguments and of plpy.execute's limit commits the transaction
CREATE TABLE door_seen (v text);
CREATE PROCEDURE door_variants() LANGUAGE plsafepy AS $$
def commit():
    plpy.execute("insert into door_seen values ('c')")
    plpy.commit()

class Str:
    def __str__(self):
        commit()
        return '7'
class Flt:
    def __float__(self):
        commit()
        return 1.5
    def __str__(self):
        commit()
        return '2.5'
class Bool:
    def __bool__(self):
        commit()
        return True
class Seq:
    def __init__(self, *items):
        self.items = items
    def __len__(self):
        commit()
        return len(self.items)
    def __getitem__(self, i):
        commit()
        return self.items[i]
class It:
    def __init__(self, *items):
        self.items = items
    def __len__(self):
        return len(self.items)
    def __getitem__(self, i):
        return self.items[i]
    def __iter__(self):
        commit()
        return iter(self.items)

p = plpy.prepare("select $1::text as a, $2 as b, $3 as c, $4 as d",
                 ["text", "float8", "bool", "int4"])
for args in ([Str(), Flt(), Bool(), Str()],
             Seq(Str(), Flt(), Bool(), Str()),
             It('x', 1.0, False, 3)):
    r = plpy.execute(p, args)
    plpy.notice("execute", r[0]["a"], r[0]["b"], r[0]["c"], r[0]["d"])
    c = plpy.cursor(p, args)
    row = c.fetch(2)[0]
    plpy.notice("cursor", row["a"], row["b"], row["c"], row["d"])
    r = p.execute(args, 2)
    plpy.notice("plan.execute", len(r))
r = plpy.execute("select generate_series(1, 5) as g", 2)
plpy.notice("limit", len(r))
a = plpy.prepare("select $1 as a", ["int4[]"])
plpy.notice("array", plpy.execute(a, [[Str(), Str()]])[0]["a"])
r = plpy.execute("select count(*) as n from door_seen")[0]["n"]
plpy.notice("commits", r)
$$;
CALL door_variants();

-- in a function, the commit is refused, cleanly
CREATE FUNCTION door_variant_fn() RETURNS text LANGUAGE plsafepy AS $$
class Str:
    def __str__(self):
        try:
            plpy.commit()
        except plpy.SPIError as e:
            plpy.notice("commit refused: %s" % e)
        return 'ok'
p = plpy.prepare("select $1 as a", ["text"])
return plpy.execute(p, [Str()])[0]["a"]
$$;
SELECT door_variant_fn();

-- a row of a trigger whose value's __str__ runs SQL, and fails
CREATE TABLE door_trig (a int, b text);
CREATE FUNCTION door_trig_f() RETURNS trigger LANGUAGE plsafepy AS $$
class Str:
    def __str__(self):
        try:
            plpy.execute("select door_boom('trigger row')")
        except plpy.SPIError as e:
            plpy.notice("caught: %s" % e)
        return 'modified'
TD["new"]["b"] = Str()
return "MODIFY"
$$;
CREATE TRIGGER door_trig BEFORE INSERT ON door_trig
    FOR EACH ROW EXECUTE FUNCTION door_trig_f();
INSERT INTO door_trig VALUES (1, 'x');
SELECT * FROM door_trig;

-- every entry point: the error caught in Python was rolled back first
-- (door_boom's and door_chk's rows are gone), and no SPI warning follows
TRUNCATE door_log;
CREATE FUNCTION door_rollback() RETURNS SETOF text LANGUAGE plsafepy AS $$
def attempt(what, f):
    try:
        f()
        return "%s: no error" % what
    except plpy.SPIError as e:
        return "%s: %s" % (what, e)

yield attempt("execute", lambda: plpy.execute("select door_boom('execute')"))
p = plpy.prepare("select door_boom($1)", ["text"])
yield attempt("execute plan", lambda: plpy.execute(p, ["execute plan"]))
yield attempt("plan.execute", lambda: p.execute(["plan.execute"]))
d = plpy.prepare("select $1 as v", ["door_posint"])
yield attempt("argument", lambda: plpy.execute(d, [-1]))
yield attempt("cursor argument", lambda: plpy.cursor(d, [-2]))
yield attempt("prepare", lambda: plpy.prepare("select $1", ["no_such_type"]))
c = plpy.cursor("select door_boom('fetch')")
yield attempt("fetch", lambda: c.fetch(1))
c = plpy.cursor("select door_boom('iterate')")
yield attempt("iterate", lambda: list(c))
c = plpy.cursor(p, ["plan cursor"])
yield attempt("plan cursor", lambda: c.fetch(5))
def sub():
    with plpy.subtransaction():
        plpy.execute("insert into door_log values ('in subtransaction')")
        plpy.execute("select door_boom('subtransaction')")
yield attempt("subtransaction", sub)
try:
    plpy.error("mine", detail="d")
except plpy.Error as e:
    yield "plpy.error: %s (%s)" % (e, e.detail)
yield "log: %s" % plpy.execute("select count(*) as n from door_log")[0]["n"]
$$;
SELECT door_rollback();
SELECT count(*) FROM door_log;

-- commit in a procedure: a deferred constraint that fails at commit
CREATE TABLE door_def (a int);
CREATE FUNCTION door_def_f() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO door_log VALUES ('deferred');
    RAISE EXCEPTION 'deferred check failed';
END $$;
CREATE CONSTRAINT TRIGGER door_def_t AFTER INSERT ON door_def
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION door_def_f();
CREATE PROCEDURE door_commit() LANGUAGE plsafepy AS $$
plpy.execute("insert into door_def values (1)")
try:
    plpy.commit()
except plpy.SPIError as e:
    plpy.notice("commit: %s" % e)
plpy.notice("after: %s rows, %s logged" % (
    plpy.execute("select count(*) as n from door_def")[0]["n"],
    plpy.execute("select count(*) as n from door_log")[0]["n"]))
$$;
CALL door_commit();

-- plan and cursor freed while a statement of theirs is running
CREATE FUNCTION door_free() RETURNS text LANGUAGE plsafepy AS $$
p = plpy.prepare("select 1 as a")
c = plpy.cursor("select generate_series(1, 3) as g")
del p
del c
return "freed"
$$;
SELECT door_free();

-- print(flush=x) whose truth test raises
CREATE FUNCTION door_print() RETURNS text LANGUAGE plsafepy AS $$
class F:
    def write(self, s):
        pass
    def flush(self):
        pass
class B:
    def __bool__(self):
        raise ValueError("no truth")
try:
    print("x", file=F(), flush=B())
except ValueError as e:
    return "ValueError: %s" % e
return "no error"
$$;
SELECT door_print();

-- the row-shape cache of a RECORD function called with alternating column
-- lists does not grow
CREATE FUNCTION door_rec(n int) RETURNS record LANGUAGE plsafepy AS $$
return [n] * (n % 3 + 1)
$$;
CREATE FUNCTION door_rec_mem() RETURNS bigint LANGUAGE sql AS $$
SELECT sum(used_bytes)::bigint FROM pg_backend_memory_contexts
$$;
CREATE PROCEDURE door_rec_loop(n int) LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1..n LOOP
        PERFORM * FROM door_rec(0) AS (a int);
        PERFORM * FROM door_rec(1) AS (a int, b int);
        PERFORM * FROM door_rec(2) AS (a int, b int, c int);
    END LOOP;
END $$;
CALL door_rec_loop(10);
CREATE TEMP TABLE door_mem AS SELECT door_rec_mem() AS before;
CALL door_rec_loop(3000);
SELECT door_rec_mem() - before < 200000 AS bounded FROM door_mem;
