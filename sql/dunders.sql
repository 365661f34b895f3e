-- Dunders that hand out nothing new (docs/security.md, "The policy"), as an
-- unprivileged role: x.__class__, __name__/__qualname__/__module__,
-- __dict__ and vars() of the user's own instances, super().__new__(cls),
-- object.__setattr__ in a __setattr__, __next__, __enter__/__exit__.
CREATE ROLE pls_dunder_user;
CREATE SCHEMA pls_dunder AUTHORIZATION pls_dunder_user;
SET ROLE pls_dunder_user;
SET search_path = pls_dunder;
\set SHOW_CONTEXT never

CREATE FUNCTION class_names() RETURNS text LANGUAGE plsafepy AS $$
class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y
    def __repr__(self):
        return "%s(%r, %r)" % (self.__class__.__name__, self.x, self.y)
p = Point(1, 2)
return "%r %s %s %s %s %s" % (p, p.__class__ is type(p), Point.__qualname__,
                              Point.__module__, (1).__class__.__name__,
                              getattr(p, '__class__').__name__)
$$;
SELECT class_names();

CREATE FUNCTION instance_dict() RETURNS text LANGUAGE plsafepy AS $$
class Rec:
    def __init__(self, **kw):
        self.__dict__.update(kw)
r = Rec(a=1, b='x')
r.__dict__['c'] = 3
return "%s %s %s" % (sorted(vars(r).items()), r.c, hasattr(r, '__dict__'))
$$;
SELECT instance_dict();

CREATE FUNCTION new_and_setattr() RETURNS text LANGUAGE plsafepy AS $$
class Singleton:
    _it = None
    def __new__(cls):
        if cls._it is None:
            cls._it = super().__new__(cls)
        return cls._it
class Frozen:
    def __init__(self, v):
        object.__setattr__(self, 'v', v)
    def __setattr__(self, name, value):
        raise AttributeError("frozen")
    def __delattr__(self, name):
        raise AttributeError("frozen")
class Logged:
    def __setattr__(self, name, value):
        super().__setattr__(name, value.upper())
f = Frozen(5)
try:
    f.v = 6
except AttributeError as e:
    msg = str(e)
l = Logged()
l.name = 'abc'
return "%s %s %s %s" % (Singleton() is Singleton(), f.v, msg, l.name)
$$;
SELECT new_and_setattr();

CREATE FUNCTION protocol_calls() RETURNS text LANGUAGE plsafepy AS $$
it = iter([1, 2, 3])
first = it.__next__()
class Ctx:
    def __enter__(self):
        return 'in'
    def __exit__(self, *exc):
        return False
c = Ctx()
v = c.__enter__()
c.__exit__(None, None, None)
return "%s %s" % (first, v)
$$;
SELECT protocol_calls();

-- PostgreSQL's plpython suite: a subtransaction entered and exited by hand
CREATE TABLE dunder_tbl (i int);
CREATE FUNCTION subxact_by_hand(fail boolean) RETURNS text
LANGUAGE plsafepy AS $$
s = plpy.subtransaction()
s.__enter__()
try:
    plpy.execute("INSERT INTO dunder_tbl VALUES (1)")
    if fail:
        plpy.execute("INSERT INTO dunder_tbl VALUES ('oops')")
except plpy.SPIError as e:
    s.__exit__(type(e), e, None)
    return "rolled back"
else:
    s.__exit__(None, None, None)
return "committed"
$$;
SELECT subxact_by_hand(false), subxact_by_hand(true);
SELECT count(*) FROM dunder_tbl;

-- cursors: __next__ as PostgreSQL's suite calls it
CREATE FUNCTION cursor_next() RETURNS int LANGUAGE plsafepy AS $$
c = plpy.cursor("SELECT generate_series(1, 3) AS a")
n = c.__next__()['a'] + c.__next__()['a']
return n
$$;
SELECT cursor_next();

-- what stays refused says what to write instead
CREATE FUNCTION refused_len() RETURNS int LANGUAGE plsafepy AS $$
return [1, 2].__len__()
$$;
CREATE FUNCTION refused_class_dict() RETURNS text LANGUAGE plsafepy AS $$
class A:
    pass
return str(A.__dict__)
$$;
SELECT refused_class_dict();

RESET ROLE;
DROP SCHEMA pls_dunder CASCADE;
DROP ROLE pls_dunder_user;
