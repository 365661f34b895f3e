# facades.py: module facades over the DBA's whitelist
# (plsafepy.allowed_modules): which names of each reviewed module are
# exposed and why the others are withheld, loading a module on its first
# import, and the import functions user code's import statements call.

class module:
    """What `import m` gives: a plain object with m's reviewed names.

    Not a module: it has no __dict__ of the real module, no __name__,
    __loader__, __spec__ or __path__, and nothing in it is a module.
    """

    def __init__(self, name, ns):
        self.__dict__.update(ns)
        _facade_names[id(self)] = name

    def __repr__(self):
        return "<module %r (plsafepy)>" % _facade_names.get(id(self), "?")

    def __getattr__(self, name):
        modname = _facade_names.get(id(self), "?")
        why = _withheld_reason(modname, name)
        if why is not None:
            _deny('"%s.%s"' % (modname, name), why)
        raise AttributeError("module %r has no attribute %r"
                             % (modname, name))


_facade_names = {}

# Per default module: None = every public name except `withheld`; a set =
# exactly those names.  `withheld` says why, per name (docs/modules.md).
REVIEWED = {
    "math": {},
    "cmath": {},
    "decimal": {
        "DefaultContext": "one object shared by every interpreter of the "
                          "backend: changing it would change other roles' "
                          "decimal arithmetic",
        "BasicContext": "shared by every interpreter (see DefaultContext)",
        "ExtendedContext": "shared by every interpreter (see DefaultContext)",
    },
    "fractions": {"*only": ("Fraction",)},
    "statistics": {"*only": (
        "NormalDist", "StatisticsError", "LinearRegression", "correlation",
        "covariance", "fmean", "geometric_mean", "harmonic_mean",
        "linear_regression", "mean", "median", "median_grouped",
        "median_high", "median_low", "mode", "multimode", "pstdev",
        "pvariance", "quantiles", "stdev", "variance")},
    "random": {
        "SystemRandom": "reads the operating system's entropy source; use "
                        "gen_random_uuid() or pgcrypto in SQL",
    },
    "itertools": {},
    "functools": {
        "singledispatch": "evaluates string annotations "
                          "(typing.get_type_hints)",
        "singledispatchmethod": "evaluates string annotations",
        "namedtuple": "re-export of collections.namedtuple (compiles source "
                      "text)",
        "RLock": "threading primitive",
    },
    "operator": {},             # attrgetter/methodcaller replaced
    "collections": {
        "UserString": "its format() calls str.format outside the guard",
        "abc": "a module",
    },
    "heapq": {},
    "bisect": {},
    "re": {
        "DEBUG": "makes compile() print to the server's standard output",
        "T": "TEMPLATE flag (deprecated)",
        "TEMPLATE": "deprecated",
        "template": "deprecated",
    },
    "string": {},               # Formatter replaced
    "json": {"detect_encoding": "internal helper"},
    "datetime": {"datetime_CAPI": "C API capsule"},
    "calendar": {
        "LocaleTextCalendar": "calls setlocale(), which changes the locale "
                              "of the whole backend",
        "LocaleHTMLCalendar": "calls setlocale()",
        "different_locale": "calls setlocale()",
        "prcal": "prints to the server's standard output",
        "prmonth": "prints to the server's standard output",
        "prweek": "prints to the server's standard output",
        "format": "prints to the server's standard output",
        "main": "command-line entry point (reads argv, prints)",
        "c": "module-level TextCalendar instance shared by the functions",
    },
    "textwrap": {},
    "unicodedata": {},
    "hashlib": {
        "scrypt": "allocates its memory (maxmem) outside Python's allocator, "
                  "past plsafepy.memory_limit",
        "file_digest": "reads file objects",
    },
    "base64": {"main": "command-line entry point (reads files)",
               "test": "command-line self-test (reads files)"},
    "binascii": {},
    "uuid": {
        "uuid1": "may run ifconfig/ip or read system files for the MAC "
                 "address",
        "getnode": "may run ifconfig/ip or read system files",
        "Enum": "re-export of enum.Enum",
        "bytes_": "internal alias", "int_": "internal alias",
    },
    "enum": {
        "global_enum": "writes into sys.modules[cls.__module__].__dict__, "
                       "which could be the real builtins module",
        "global_enum_repr": "looks up sys.modules",
        "global_flag_repr": "looks up sys.modules",
        "global_str": "part of global_enum",
        "bin": "internal helper", "reduce": "re-export of functools.reduce",
        "MappingProxyType": "re-export of types.MappingProxyType",
    },
    "copy": {"dispatch_table": "copyreg's registry (global to the "
                               "interpreter)", "error": "alias of Error"},
    "pprint": {"pprint": "prints to the server's standard output",
               "pp": "prints to the server's standard output",
               "PrettyPrinter": "writes to the server's standard output by "
                                "default"},
    "difflib": {},
    "struct": {},
    "dataclasses": {"*only": tuple(DATACLASSES)},    # records.py
    "typing": {                 # NamedTuple: records.py's namedtuple
        "get_type_hints": "evaluates string annotations (eval) and reads "
                          "sys.modules[obj.__module__]",
        "ForwardRef": "compiles its string, and its _evaluate evaluates it",
        "reveal_type": "prints to the server's standard error",
        "NamedTupleMeta": "a metaclass whose namespace argument would "
                          "bypass the class-body rules",
        "io": "deprecated alias namespace",
        "re": "deprecated alias namespace",
    },
    # logbridge.py: records go to plpy; what writes files or the server's
    # standard error, and the interpreter-wide hooks, are left out
    "logging": {"*only": LOGGING_NAMES},
}

DEFAULT_MODULES = ", ".join(REVIEWED)

# Replacements: facade name -> guarded object.
REPLACED = {
    ("string", "Formatter"): Formatter,
    ("operator", "attrgetter"): attrgetter,
    ("operator", "methodcaller"): methodcaller,
    ("functools", "update_wrapper"): update_wrapper,
    ("functools", "wraps"): wraps,
    # safetypes.py: C objects that are memory-corruption gadgets in 3.11
    ("collections", "OrderedDict"): OrderedDict,
    ("collections", "deque"): deque,
    ("struct", "Struct"): Struct,
    ("itertools", "pairwise"): pairwise,
    # whatever the whitelist says: the real one ignores cancels and timeouts
    ("time", "sleep"): sleep,
    # records.py: the standard ones compile source text made of field names
    ("collections", "namedtuple"): namedtuple,
}
REPLACED.update((("dataclasses", n), v) for n, v in DATACLASSES.items())

# Imported while the interpreter is built because C code imports them on
# first use through a real import, which the closed import system would
# refuse.  _datetime's own (time, _strptime) come with datetime, from
# sandbox.c's loader; codecs through _codec_search.
LAZY_IMPORTS = ("copyreg", "numbers")


def parse_whitelist(spec):
    """'math, numpy:array' -> {module: (whole module?, set of extra names)}."""
    result = {}
    for entry in spec.split(","):
        entry = entry.strip()
        if not entry:
            continue
        if ":" in entry:
            mod, name = (p.strip() for p in entry.split(":", 1))
        else:
            mod, name = entry, None
        whole, names = result.get(mod, (False, set()))
        if name is None:
            whole = True
        else:
            names.add(name)
        result[mod] = (whole, names)
    return result


_dangerous_ids = set()


def _exposable(value):
    if _isinstance(value, _UNSAFE_TYPES):
        return False
    if id(value) in _dangerous_ids:
        return False
    return True


def _build_facade(modname, real, names, trust_public):
    ns = {}
    for n in names:
        if n.startswith("_"):
            continue
        repl = REPLACED.get((modname, n))
        if repl is not None:
            ns[n] = repl
            continue
        try:
            v = _getattr(real, n)
        except AttributeError:
            continue
        if _isinstance(v, types.ModuleType):
            if trust_public:
                sub = _facade_for(modname + "." + n, v, None, trust_public)
                if sub is not None:
                    ns[n] = sub
            continue
        if _exposable(v):
            ns[n] = v
    return module(modname, ns)


_facades = {}
_real_modules = {}
# Reviewed modules of the whitelist not imported yet: name -> (whole module?,
# extra names).  Importing all of them while the interpreter is built would
# triple its cost (pprint alone pulls in dataclasses and inspect); each is
# imported by sandbox.c's trusted loader the first time a body imports it.
_pending = {}
_load_module = None             # sandbox.c's loader, set before setup()


def _withheld_reason(modname, name):
    """Why a public name of a whitelisted module is not in its facade."""
    if _type(name) is not str or name.startswith("_"):
        return None
    real = _real_modules.get(modname)
    if real is None or not _hasattr(real, name):
        return None
    review = REVIEWED.get(modname)
    if review is not None and name in review:
        return "Withheld by plsafepy: %s." % review[name]
    if _isinstance(_getattr(real, name), types.ModuleType):
        return "Withheld by plsafepy: a module."
    return ("Not among the names plsafepy exposes from this module; a "
            'superuser can add it to "%s" as %s:%s.' % (SETTING, modname,
                                                        name))


def _facade_for(modname, real, names, trust_public, extra=()):
    if modname in _facades:
        return _facades[modname]
    if names is None:
        review = REVIEWED.get(modname)
        if review is not None:
            only = review.get("*only")
            if only is not None:
                names = list(only)
            else:
                names = [n for n in dir(real) if n not in review]
        else:
            names = [n for n in dir(real)]
    names = sorted(set(names) | set(extra))
    f = _build_facade(modname, real, names, trust_public)
    _facades[modname] = f
    return f


def _load(modname):
    """The facade of whitelisted module modname, imported now if need be."""
    f = _facades.get(modname)
    if f is not None:
        return f
    pending = _pending.get(modname)
    if pending is None:
        return None
    try:
        real = load_real(modname)
    except (MemoryError, RecursionError, SandboxError):
        raise
    except Exception as e:
        raise ImportError('could not load module "%s": %s: %s'
                          % (modname, _type(e).__name__, e)) from None
    hook = LOAD_HOOKS.get(modname)
    if hook is not None:
        hook(real)
    del _pending[modname]
    _real_modules[modname] = real
    return _facade_for(modname, real, None if pending[0] else [], False,
                       pending[1])


def load_real(modname):
    """The real module modname, imported through sandbox.c's loader (which
    decides whether it may be); also used by C code (decimal)."""
    _load_module(modname)
    # what it brought in may hold OS primitives the stubs have not replaced
    _neuter()
    return sys.modules[modname]


def _build_facades(spec):
    import importlib
    wl = parse_whitelist(spec)
    for modname, (whole, extra) in wl.items():
        if modname in REVIEWED:
            _facades.pop(modname, None)
            _pending[modname] = (whole, extra)
            continue
        try:
            real = importlib.import_module(modname)
        except Exception:
            continue            # not installed: imports of it are denied
        # A module plsafepy has not reviewed, allowed as a whole: every
        # public name, submodules as facades too (the DBA vouches for it).
        trust_public = whole and modname not in REVIEWED
        _facades.pop(modname, None)
        _real_modules[modname] = real
        _facade_for(modname, real, None if whole else [], trust_public,
                    extra)
    lazy = LAZY_IMPORTS
    if "_datetime" in sys.modules:      # brought in by an unreviewed module
        lazy += C_LAZY_IMPORTS
    for name in lazy:
        try:
            importlib.import_module(name)
        except Exception:
            pass


# plpy is every function's global already (PL/Python code also imports it:
# "from plpy import spiexceptions"); importing it gives the same objects.
_plpy_modules = {}


def facade_import(name, fromname=None):
    """`import name` / `from name import fromname`, at run time."""
    f = _load(name)
    if f is None:
        f = _plpy_modules.get(name)
        if f is not None:
            if fromname is None:
                return f
            try:
                return check_value(_getattr(f, fromname),
                                   'name "%s"' % fromname)
            except AttributeError:
                _deny('import of "%s" from module "%s"' % (fromname, name),
                      HINT_MODULES)
        _deny('import of module "%s"' % name, HINT_MODULES)
    if fromname is None:
        return f
    try:
        return f.__dict__[fromname]
    except KeyError:
        _deny('import of "%s" from module "%s"' % (fromname, name),
              HINT_MODULES)


# Modules that C code of the whitelisted modules imports lazily through
# PyImport_Import, which calls the __import__ of the *running frame's*
# builtins, that is, this one (_datetime: time, _strptime).  They are
# imported with datetime (sandbox.c's loader, or at build time if an
# unreviewed module brought it in); the real module goes back to that C
# caller.  User code never reaches this function: its import
# statements are compiled to __pls_import__, and it cannot name either.
C_LAZY_IMPORTS = ("time", "_strptime")


def guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
    if level != 0:
        _deny("relative import", HINT_MODULES)
    if _type(name) is not str:
        raise TypeError("module name must be a string")
    if name in C_LAZY_IMPORTS and name in sys.modules:
        return sys.modules[name]
    return facade_import(name)


guarded_import.__name__ = "__import__"


def describe():
    """[(module, name, kind)] of every exposed name, for the view."""
    rows = []
    for modname in sorted(_pending):
        try:
            _load(modname)
        except Exception:
            pass            # missing from the view, as from imports
    for modname in sorted(_facades):
        for n, v in sorted(_facades[modname].__dict__.items()):
            if _isinstance(v, module):
                kind = "module"
            elif _isinstance(v, type):
                kind = "class"
            elif callable(v):
                kind = "function"
            else:
                kind = "constant"
            rows.append((modname, n, kind))
    return rows


