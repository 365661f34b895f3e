# sandbox.py: the compile-time policy and the restricted runtime.
#
# Trusted helper, run once in each role's interpreter while it is built
# (before lock-down), with the real builtins; after lock-down only to build
# the facade of a whitelisted module the first time a body imports it
# (through sandbox.c's loader).  Nothing defined here is
# reachable from user code except the objects setup() hands out: the
# restricted builtins dict, the policy callable, the module facades and the
# guarded replacements they contain.  Every one of those is written so that
# it never returns a module, frame, code object, traceback, the real
# builtins, or a function that evaluates strings or imports.
#
# The layers (docs/security.md): the policy (an AST allowlist, run by the
# validator and before first execution) rejects what it can see statically;
# the builtins and facades decide what exists at all; the guarded getattr
# family and the format guard cover what only run time can see; the C side
# (sandbox.c, audit.c) neuters OS primitives and denies audit events.  Each
# assumes the others have failed.

import ast
import sys
import types
import unicodedata
import _string

_real_builtins = __builtins__ if isinstance(__builtins__, dict) else __builtins__.__dict__
_getattr = getattr
_setattr = setattr
_delattr = delattr
_hasattr = hasattr
_type = type
_isinstance = isinstance
_str_format = str.format
_str_format_map = str.format_map
_normalize = unicodedata.normalize

SETTING = "plsafepy.allowed_modules"
HINT_MODULES = ('Modules are made available by a superuser with the "%s" '
                'setting.' % SETTING)
HINT_DUNDER = ("Names that begin and end with two underscores are reserved "
               "in plsafepy.")
HINT_INTERNALS = ("Frame, code, generator, coroutine and traceback internals "
                  "are not available in plsafepy.")


class PolicyError(Exception):
    """(message, line in the body, hint): raised by the policy."""


# Set by setup(): the C denial function (logs, then raises SandboxError).
_deny_c = None


def _deny(what, hint=None):
    """Raise the 42501 denial for `what` (logged by the C side)."""
    if _deny_c is not None:
        raise _deny_c(what, hint)
    raise PermissionError("%s is not allowed in plsafepy" % what)


# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------

def _is_dunder(name):
    return len(name) >= 4 and name[:2] == "__" and name[-2:] == "__"


# Attributes that lead to frames, code objects, the import system or the
# traceback chain, and their kin; none is a dunder, so they are listed.
# enum's _convert_ reads and writes sys.modules[<any name>].__dict__.
BLOCKED_ATTRS = frozenset("""
    f_back f_builtins f_code f_globals f_locals f_lasti f_lineno f_trace
    f_trace_lines f_trace_opcodes f_restricted f_exc_type f_exc_value
    f_exc_traceback
    tb_frame tb_next tb_lasti tb_lineno
    gi_frame gi_code gi_running gi_yieldfrom gi_suspended
    cr_frame cr_code cr_running cr_await cr_origin cr_suspended
    ag_frame ag_code ag_running ag_await ag_suspended
    func_globals func_code func_closure func_defaults func_dict func_name
    im_func im_self im_class
    mro
""".split())

# Methods that reach sys.modules[<a name the caller gives>].__dict__
# (enum's Enum._convert_ reads it and writes enum members into it).
MODULE_REACHING_ATTRS = frozenset(("_convert_", "_old_convert_"))
HINT_MODULE_REACH = ("This method reaches other modules' namespaces by "
                     "name.")


def _blocked_attr(name):
    """Why attribute `name` may not be used, or None."""
    if _is_dunder(name):
        return HINT_DUNDER
    if name in BLOCKED_ATTRS or name.startswith(("co_", "_co_")):
        return HINT_INTERNALS
    if name in MODULE_REACHING_ATTRS:
        return HINT_MODULE_REACH
    return None


# Dunder attributes that may be read: they hand out nothing new (a bound
# __init__, strings).
READABLE_DUNDER_ATTRS = frozenset(("__init__", "__name__", "__qualname__",
                                   "__doc__"))

# Dunder methods a class body may define: protocol methods of ordinary
# classes.  Not __del__ (runs at an arbitrary later moment), not the pickle,
# copy-state, metaclass, ABC and async hooks.
CLASS_DUNDER_METHODS = frozenset("""
    __init__ __new__ __repr__ __str__ __format__ __bytes__ __hash__ __bool__
    __eq__ __ne__ __lt__ __le__ __gt__ __ge__
    __len__ __length_hint__ __iter__ __next__ __reversed__ __contains__
    __getitem__ __setitem__ __delitem__ __missing__
    __call__ __enter__ __exit__ __getattr__
    __get__ __set__ __delete__ __set_name__ __init_subclass__
    __class_getitem__
    __add__ __radd__ __iadd__ __sub__ __rsub__ __isub__
    __mul__ __rmul__ __imul__ __matmul__ __rmatmul__ __imatmul__
    __truediv__ __rtruediv__ __itruediv__
    __floordiv__ __rfloordiv__ __ifloordiv__ __mod__ __rmod__ __imod__
    __divmod__ __rdivmod__ __pow__ __rpow__ __ipow__
    __lshift__ __rlshift__ __ilshift__ __rshift__ __rrshift__ __irshift__
    __and__ __rand__ __iand__ __xor__ __rxor__ __ixor__
    __or__ __ror__ __ior__
    __neg__ __pos__ __abs__ __invert__ __complex__ __int__ __float__
    __index__ __round__ __trunc__ __floor__ __ceil__
""".split())

# Names a class body may assign.
CLASS_DUNDER_ASSIGN = frozenset(("__slots__",))

# Protocol names hasattr() may ask about: it only answers True/False.
HASATTR_DUNDERS = CLASS_DUNDER_METHODS | frozenset(("__name__", "__doc__",
                                                    "__qualname__"))

# Attribute loads the policy cannot decide statically: rewritten to the
# guarded getattr (str.format field lookups, AttributeError.obj).
DYNAMIC_ATTRS = frozenset(("format", "format_map", "obj"))


def _nfkc(name):
    return _normalize("NFKC", name)


_plain_names = set()            # names that passed and are not dunders


def check_attr_name(name, for_hasattr=False, write=False):
    """Raise the denial if attribute `name` is not allowed at run time."""
    if _type(name) is not str:
        if not _isinstance(name, str):
            raise TypeError("attribute name must be string, not '%s'"
                            % _type(name).__name__)
        name = str.__str__(name)
    elif name in _plain_names:
        return name
    norm = name if name.isascii() else _nfkc(name)
    dunder = False
    for n in (name, norm):
        if _is_dunder(n):
            dunder = True
        why = _blocked_attr(n)
        if why is None:
            continue
        if _is_dunder(n) and not write and (
                n in READABLE_DUNDER_ATTRS or
                (for_hasattr and n in HASATTR_DUNDERS)):
            continue
        _deny('attribute "%s"' % n, why)
    if not dunder:
        if len(_plain_names) > 4096:
            _plain_names.clear()
        _plain_names.add(name)
    return name


# ---------------------------------------------------------------------------
# Values handed out at run time
# ---------------------------------------------------------------------------

_UNSAFE_TYPES = (types.ModuleType, types.FrameType, types.CodeType,
                 types.TracebackType)
_module_dict_ids = set()        # filled at lock-down
_plpy_ids = set()               # plpy and plpy.spiexceptions: global anyway


def _fmt_method(s, guarded_map):
    if guarded_map:
        def format_map(mapping):
            return guarded_format_map(s, mapping)
        return format_map

    def format(*args, **kwargs):
        return guarded_format(s, *args, **kwargs)
    return format   # (guarded_format's self is positional-only)


def check_value(v, what):
    """The value `what` evaluated to, or a denial; str.format is wrapped."""
    t = _type(v)
    if t is types.BuiltinFunctionType:
        n = v.__name__
        if n == "format" or n == "format_map":
            s = v.__self__
            if _isinstance(s, str):
                return _fmt_method(s, n == "format_map")
        return v
    if t is types.MethodDescriptorType:
        if v is _str_format:
            return guarded_format
        if v is _str_format_map:
            return guarded_format_map
        return v
    if _isinstance(v, _UNSAFE_TYPES) and id(v) not in _plpy_ids:
        _deny(what + " (a %s object)" % t.__name__, HINT_INTERNALS)
    if t is dict and id(v) in _module_dict_ids:
        _deny(what + " (a module namespace)", HINT_INTERNALS)
    return v


# ---------------------------------------------------------------------------
# Guarded builtins
# ---------------------------------------------------------------------------

_MISSING = object()


def guarded_getattr(obj, name, default=_MISSING):
    name = check_attr_name(name)
    if default is _MISSING:
        v = _getattr(obj, name)
    else:
        v = _getattr(obj, name, default)
    return check_value(v, 'attribute "%s"' % name)


def guarded_hasattr(obj, name):
    name = check_attr_name(name, for_hasattr=True)
    return _hasattr(obj, name)


def guarded_setattr(obj, name, value):
    name = check_attr_name(name, write=True)
    if _isinstance(obj, types.ModuleType):
        _deny("setting attributes of a module", HINT_INTERNALS)
    _setattr(obj, name, value)


def guarded_delattr(obj, name):
    name = check_attr_name(name, write=True)
    if _isinstance(obj, types.ModuleType):
        _deny("deleting attributes of a module", HINT_INTERNALS)
    _delattr(obj, name)


guarded_getattr.__name__ = "getattr"
guarded_hasattr.__name__ = "hasattr"
guarded_setattr.__name__ = "setattr"
guarded_delattr.__name__ = "delattr"


def _check_format_string(fmt, depth=0):
    """Deny attribute lookups in a format string that getattr would deny."""
    if depth > 2:
        raise ValueError("Max string recursion exceeded")
    for _lit, field, spec, _conv in _string.formatter_parser(fmt):
        if field is not None:
            _first, rest = _string.formatter_field_name_split(field)
            for is_attr, key in rest:
                if is_attr:
                    check_attr_name(key)
        if spec:
            _check_format_string(spec, depth + 1)


_checked_formats = set()        # format strings that passed (exact str)


def _check_format_cached(fmt):
    if fmt not in _checked_formats:
        _check_format_string(fmt)
        if len(_checked_formats) > 4096:
            _checked_formats.clear()
        _checked_formats.add(fmt)


def guarded_format(self, /, *args, **kwargs):
    if _type(self) is str:
        _check_format_cached(self)
    elif _isinstance(self, str):
        _check_format_string(self)
    return _str_format(self, *args, **kwargs)


def guarded_format_map(self, mapping, /):
    if _type(self) is str:
        _check_format_cached(self)
    elif _isinstance(self, str):
        _check_format_string(self)
    return _str_format_map(self, mapping)


def call_attr(obj, name, /, *args, **kwargs):
    """obj.name(*args, **kwargs) for the names the policy rewrites.

    The common case, a method call on a str, costs one call and a set
    lookup; everything else goes through the guarded getattr.
    """
    if _type(obj) is str:
        if name == "format":
            _check_format_cached(obj)
            return _str_format(obj, *args, **kwargs)
        if name == "format_map":
            _check_format_cached(obj)
            return _str_format_map(obj, *args, **kwargs)
    return guarded_getattr(obj, name)(*args, **kwargs)


guarded_format.__name__ = "format"
guarded_format_map.__name__ = "format_map"


class Formatter:
    """string.Formatter with guarded field lookups.

    Written out rather than subclassed, so that no base class with the
    unguarded get_field is reachable from it.
    """

    def format(self, format_string, /, *args, **kwargs):
        return self.vformat(format_string, args, kwargs)

    def vformat(self, format_string, args, kwargs):
        used_args = set()
        result, _ = self._vformat(format_string, args, kwargs, used_args, 2)
        self.check_unused_args(used_args, args, kwargs)
        return result

    def _vformat(self, format_string, args, kwargs, used_args,
                 recursion_depth, auto_arg_index=0):
        if recursion_depth < 0:
            raise ValueError("Max string recursion exceeded")
        result = []
        for literal_text, field_name, format_spec, conversion in \
                self.parse(format_string):
            if literal_text:
                result.append(literal_text)
            if field_name is not None:
                if field_name == "":
                    if auto_arg_index is False:
                        raise ValueError("cannot switch from manual field "
                                         "specification to automatic field "
                                         "numbering")
                    field_name = str(auto_arg_index)
                    auto_arg_index += 1
                elif field_name.isdigit():
                    if auto_arg_index:
                        raise ValueError("cannot switch from manual field "
                                         "specification to automatic field "
                                         "numbering")
                    auto_arg_index = False
                obj, arg_used = self.get_field(field_name, args, kwargs)
                used_args.add(arg_used)
                obj = self.convert_field(obj, conversion)
                format_spec, auto_arg_index = self._vformat(
                    format_spec, args, kwargs, used_args,
                    recursion_depth - 1, auto_arg_index=auto_arg_index)
                result.append(self.format_field(obj, format_spec))
        return "".join(result), auto_arg_index

    def get_value(self, key, args, kwargs):
        if _isinstance(key, int):
            return args[key]
        return kwargs[key]

    def check_unused_args(self, used_args, args, kwargs):
        pass

    def format_field(self, value, format_spec):
        return format(value, format_spec)

    def convert_field(self, value, conversion):
        if conversion is None:
            return value
        if conversion == "s":
            return str(value)
        if conversion == "r":
            return repr(value)
        if conversion == "a":
            return ascii(value)
        raise ValueError("Unknown conversion specifier %s" % conversion)

    def parse(self, format_string):
        return _string.formatter_parser(format_string)

    def get_field(self, field_name, args, kwargs):
        first, rest = _string.formatter_field_name_split(field_name)
        obj = self.get_value(first, args, kwargs)
        for is_attr, i in rest:
            if is_attr:
                obj = guarded_getattr(obj, i)
            else:
                obj = obj[i]
        return obj, first


Formatter.__module__ = "string"


class attrgetter:
    """operator.attrgetter through the guarded getattr."""

    __slots__ = ("_attrs",)

    def __init__(self, attr, *attrs):
        names = []
        for a in (attr,) + attrs:
            if not _isinstance(a, str):
                raise TypeError("attribute name must be a string")
            parts = a.split(".")
            for p in parts:
                check_attr_name(p)
            names.append(tuple(parts))
        self._attrs = tuple(names)

    def __call__(self, obj):
        res = []
        for parts in self._attrs:
            o = obj
            for p in parts:
                o = guarded_getattr(o, p)
            res.append(o)
        return res[0] if len(res) == 1 else tuple(res)

    def __repr__(self):
        return "operator.attrgetter(%s)" % ", ".join(
            repr(".".join(p)) for p in self._attrs)


class methodcaller:
    """operator.methodcaller through the guarded getattr."""

    __slots__ = ("_name", "_args", "_kwargs")

    def __init__(self, name, /, *args, **kwargs):
        if not _isinstance(name, str):
            raise TypeError("method name must be a string")
        self._name = check_attr_name(name)
        self._args = args
        self._kwargs = kwargs

    def __call__(self, obj):
        return guarded_getattr(obj, self._name)(*self._args, **self._kwargs)

    def __repr__(self):
        return "operator.methodcaller(%r)" % (self._name,)


attrgetter.__module__ = methodcaller.__module__ = "operator"


import functools as _functools
_WRAPPER_ASSIGNMENTS = _functools.WRAPPER_ASSIGNMENTS
_WRAPPER_UPDATES = _functools.WRAPPER_UPDATES


def _check_wrapper_names(assigned, updated):
    """update_wrapper reads and writes these names with the real getattr."""
    assigned = tuple(assigned)
    updated = tuple(updated)
    for n in assigned:
        if n not in _WRAPPER_ASSIGNMENTS:
            check_attr_name(n)
    for n in updated:
        if n not in _WRAPPER_UPDATES:
            check_attr_name(n)
    return assigned, updated


def update_wrapper(wrapper, wrapped, assigned=_WRAPPER_ASSIGNMENTS,
                   updated=_WRAPPER_UPDATES):
    assigned, updated = _check_wrapper_names(assigned, updated)
    return _functools.update_wrapper(wrapper, wrapped, assigned, updated)


def wraps(wrapped, assigned=_WRAPPER_ASSIGNMENTS, updated=_WRAPPER_UPDATES):
    assigned, updated = _check_wrapper_names(assigned, updated)
    return _functools.wraps(wrapped, assigned, updated)


update_wrapper.__module__ = wraps.__module__ = "functools"


# ---------------------------------------------------------------------------
# Module facades
# ---------------------------------------------------------------------------

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
        "namedtuple": "builds its class by compiling source text (exec)",
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
}

DEFAULT_MODULES = ", ".join(REVIEWED)

# Replacements: facade name -> guarded object.
REPLACED = {
    ("string", "Formatter"): Formatter,
    ("operator", "attrgetter"): attrgetter,
    ("operator", "methodcaller"): methodcaller,
    ("functools", "update_wrapper"): update_wrapper,
    ("functools", "wraps"): wraps,
}

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
_drop_unraisable = None         # sandbox.c's C hook for sys.unraisablehook


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


# ---------------------------------------------------------------------------
# The policy
# ---------------------------------------------------------------------------

_ALLOWED_NODES = frozenset(_getattr(ast, n) for n in """
    Module Expression Interactive
    FunctionDef ClassDef Return Delete Assign AugAssign AnnAssign For While
    If With Match Raise Try Assert Import ImportFrom Global Nonlocal Expr
    Pass Break Continue
    BoolOp NamedExpr BinOp UnaryOp Lambda IfExp Dict Set ListComp SetComp
    DictComp GeneratorExp Yield YieldFrom Compare Call FormattedValue
    JoinedStr Constant Attribute Subscript Starred Name List Tuple Slice
    Load Store Del And Or Add Sub Mult MatMult Div Mod Pow LShift RShift
    BitOr BitXor BitAnd FloorDiv Invert Not UAdd USub Eq NotEq Lt LtE Gt GtE
    Is IsNot In NotIn comprehension ExceptHandler arguments arg keyword
    alias withitem match_case MatchValue MatchSingleton MatchSequence
    MatchMapping MatchClass MatchStar MatchAs MatchOr
""".split())

_NODE_WORDS = {
    "AsyncFunctionDef": '"async def"', "AsyncFor": '"async for"',
    "AsyncWith": '"async with"', "Await": '"await"', "TryStar": '"except*"',
}


def _node_desc(node):
    n = _type(node).__name__
    return _NODE_WORDS.get(n, 'syntax "%s"' % n)


def _line(node, default=1):
    return max(_getattr(node, "lineno", default) or default, 1)


def _fail(node, message, hint, line=None):
    raise PolicyError(message, line if line is not None else _line(node), hint)


def _locate(new, like):
    new.lineno = like.lineno
    new.col_offset = like.col_offset
    new.end_lineno = _getattr(like, "end_lineno", like.lineno)
    new.end_col_offset = _getattr(like, "end_col_offset", like.col_offset)
    return new


def _mk_call(fname, args, like):
    """fname(*args), located at `like`; only the new nodes get locations."""
    for a in args:
        if _type(a) is ast.Constant and not _hasattr(a, "lineno"):
            _locate(a, like)
    return _locate(ast.Call(func=_locate(ast.Name(id=fname, ctx=ast.Load()),
                                         like),
                            args=args, keywords=[]), like)


class _Checker(ast.NodeTransformer):
    """Checks one body; rewrites imports and the dynamic attributes."""

    def __init__(self, whitelist_names):
        self.facades = whitelist_names
        self.line = 1
        self.in_class = False

    # -- generic --------------------------------------------------------
    def visit(self, node):
        if _type(node) not in _ALLOWED_NODES:
            _fail(node, "%s is not allowed in plsafepy" % _node_desc(node),
                  "This syntax is not supported by the plsafepy sandbox.",
                  line=_getattr(node, "lineno", None) or self.line)
        if _hasattr(node, "lineno"):
            self.line = node.lineno
        method = "visit_" + _type(node).__name__
        visitor = _getattr(self, method, None)
        if visitor is None:
            return self.generic_visit(node)
        return visitor(node)

    def name(self, node, name, allow=frozenset()):
        norm = _nfkc(name)
        for n in (name, norm):
            if _is_dunder(n) and n not in allow:
                _fail(node, 'name "%s" is not allowed in plsafepy' % n,
                      HINT_DUNDER, line=self.line)

    # -- names ----------------------------------------------------------
    def visit_Name(self, node):
        allow = frozenset(("__name__",)) if _type(node.ctx) is ast.Load \
            else frozenset()
        if self.in_class and _type(node.ctx) is ast.Store:
            allow = CLASS_DUNDER_ASSIGN
        self.name(node, node.id, allow)
        return node

    def visit_arg(self, node):
        self.name(node, node.arg)
        return self.generic_visit(node)

    def visit_keyword(self, node):
        if node.arg is not None:
            self.name(node, node.arg)
        return self.generic_visit(node)

    def visit_Global(self, node):
        for n in node.names:
            self.name(node, n)
        return node

    visit_Nonlocal = visit_Global

    def visit_ExceptHandler(self, node):
        if node.name is not None:
            self.name(node, node.name)
        return self.generic_visit(node)

    def visit_MatchAs(self, node):
        if node.name is not None:
            self.name(node, node.name)
        return self.generic_visit(node)

    def visit_MatchStar(self, node):
        if node.name is not None:
            self.name(node, node.name)
        return node

    def visit_MatchMapping(self, node):
        if node.rest is not None:
            self.name(node, node.rest)
        return self.generic_visit(node)

    def visit_MatchClass(self, node):
        # C(p1, p2) reads the attributes named by C.__match_args__, which a
        # class built with type() can set to anything: an unguarded getattr.
        if node.patterns:
            _fail(node, "positional sub-patterns in class patterns are not "
                  "allowed in plsafepy",
                  'Use keyword sub-patterns ("case C(x=p)") or "case C() as '
                  'name".', line=self.line)
        for a in node.kwd_attrs:
            self.attr(node, a, ast.Load())
        return self.generic_visit(node)

    def _body_scope(self, node, in_class):
        saved = self.in_class
        self.in_class = in_class
        try:
            return self.generic_visit(node)
        finally:
            self.in_class = saved

    def visit_FunctionDef(self, node):
        allow = CLASS_DUNDER_METHODS if self.in_class else frozenset()
        self.name(node, node.name, allow)
        # decorators, defaults and annotations belong to the outer scope
        for d in node.decorator_list:
            self.visit(d)
        self.visit(node.args)
        if node.returns is not None:
            self.visit(node.returns)
        saved = self.in_class
        self.in_class = False
        try:
            node.body = self._stmts(node.body)
        finally:
            self.in_class = saved
        return node

    def visit_Lambda(self, node):
        saved = self.in_class
        self.in_class = False
        try:
            return self.generic_visit(node)
        finally:
            self.in_class = saved

    def visit_ClassDef(self, node):
        self.name(node, node.name)
        for d in node.decorator_list:
            self.visit(d)
        for b in node.bases:
            self.visit(b)
        for k in node.keywords:
            self.visit(k)
        saved = self.in_class
        self.in_class = True
        try:
            node.body = self._stmts(node.body)
        finally:
            self.in_class = saved
        return node

    def _comp(self, node):
        saved = self.in_class
        self.in_class = False
        try:
            return self.generic_visit(node)
        finally:
            self.in_class = saved

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comp

    # -- attributes -----------------------------------------------------
    def attr(self, node, a, ctx):
        for n in (a, _nfkc(a)):
            why = _blocked_attr(n)
            if why is None:
                continue
            if _is_dunder(n) and n in READABLE_DUNDER_ATTRS and \
                    _type(ctx) is ast.Load:
                continue
            _fail(node, 'attribute "%s" is not allowed in plsafepy' % n, why,
                  line=self.line)

    def visit_Call(self, node):
        f = node.func
        if _type(f) is ast.Attribute and _type(f.ctx) is ast.Load and \
                _nfkc(f.attr) in ("format", "format_map"):
            self.attr(f, f.attr, f.ctx)
            value = self.visit(f.value)
            args = [self.visit(a) for a in node.args]
            keywords = [self.visit(k) for k in node.keywords]
            call = _mk_call("__pls_callattr__",
                            [value, ast.Constant(value=f.attr)] + args, f)
            call.keywords = keywords
            return call
        return self.generic_visit(node)

    def visit_Attribute(self, node):
        self.attr(node, node.attr, node.ctx)
        node = self.generic_visit(node)
        if _type(node.ctx) is ast.Load and _nfkc(node.attr) in DYNAMIC_ATTRS:
            return _mk_call("__pls_getattr__",
                            [node.value, ast.Constant(value=node.attr)], node)
        return node

    # -- imports --------------------------------------------------------
    def _import_assign(self, node, target, args):
        self.name(node, target)
        a = ast.Assign(targets=[_locate(ast.Name(id=target, ctx=ast.Store()),
                                        node)],
                       value=_mk_call("__pls_import__",
                                      [ast.Constant(value=x) for x in args],
                                      node))
        return _locate(a, node)

    def _check_module(self, node, modname):
        if modname not in self.facades:
            _fail(node, 'import of module "%s" is not allowed' % modname,
                  HINT_MODULES, line=self.line)

    def visit_Import(self, node):
        out = []
        for al in node.names:
            modname = al.name
            self._check_module(node, modname)
            if "." in modname and al.asname is None:
                top = modname.split(".")[0]
                if top == "plpy":
                    # binds plpy, whose attribute the submodule is
                    out.append(self._import_assign(node, top, [top]))
                    continue
                _fail(node, 'import of module "%s" is not allowed' % modname,
                      'Use "import %s as name".' % modname, line=self.line)
            target = al.asname or modname
            out.append(self._import_assign(node, target, [modname]))
        return out

    def visit_ImportFrom(self, node):
        if node.level:
            _fail(node, "relative imports are not allowed in plsafepy",
                  HINT_MODULES, line=self.line)
        modname = node.module or ""
        self._check_module(node, modname)
        out = []
        for al in node.names:
            if al.name == "*":
                _fail(node, '"from %s import *" is not allowed in plsafepy'
                      % modname, "Import the names you need.",
                      line=self.line)
            self.name(node, al.name)
            if al.name not in self.facades[modname]:
                _fail(node, 'import of "%s" from module "%s" is not allowed'
                      % (al.name, modname), HINT_MODULES, line=self.line)
            out.append(self._import_assign(node, al.asname or al.name,
                                           [modname, al.name]))
        return out

    # -- statements lists ----------------------------------------------
    def _stmts(self, stmts):
        out = []
        for s in stmts:
            r = self.visit(s)
            if r is None:
                continue
            if _isinstance(r, list):
                out.extend(r)
            else:
                out.append(r)
        return out

    def generic_visit(self, node):
        for field, old in ast.iter_fields(node):
            if _isinstance(old, list):
                if old and _isinstance(old[0], ast.stmt):
                    old[:] = self._stmts(old)
                    continue
                new = []
                for v in old:
                    if _isinstance(v, ast.AST):
                        v = self.visit(v)
                        if v is None:
                            continue
                        if _isinstance(v, list):
                            new.extend(v)
                            continue
                    new.append(v)
                old[:] = new
            elif _isinstance(old, ast.AST):
                new_node = self.visit(old)
                if new_node is None:
                    delattr(node, field)
                else:
                    _setattr(node, field, new_node)
        return node


class _ModuleNames:
    """Importable module -> its names, for the policy; loads on demand."""

    def __init__(self, plpy_names):
        self._plpy = plpy_names

    def __contains__(self, modname):
        return (modname in _facades or modname in _pending
                or modname in self._plpy)

    def __getitem__(self, modname):
        names = self._plpy.get(modname)
        if names is not None:
            return names
        f = _load(modname)
        if f is None:
            raise KeyError(modname)
        return f.__dict__


def make_policy():
    names = _ModuleNames({
        m: frozenset(n for n in dir(mod) if not n.startswith("_"))
        for m, mod in _plpy_modules.items()})

    def policy(stmts):
        """Check (and rewrite in place) the statements of a function body."""
        checker = _Checker(names)
        stmts[:] = checker._stmts(stmts)
        if not stmts:
            stmts.append(ast.Pass(lineno=1, col_offset=0, end_lineno=1,
                                  end_col_offset=0))
        # compiler.py compiles the tree next: let that one compile() pass
        # the audit hook (set in the namespace by sandbox.c)
        allow = globals().get("_allow_compile")
        if allow is not None:
            allow()
    return policy


# ---------------------------------------------------------------------------
# Builtins
# ---------------------------------------------------------------------------

SAFE_BUILTINS = """
    abs all any ascii bin bool bytearray bytes callable chr classmethod
    complex dict dir divmod enumerate filter float format frozenset hash hex
    id int isinstance issubclass iter len list map max min next object oct
    ord pow property range repr reversed round set slice sorted staticmethod
    str sum super tuple type zip
    Ellipsis NotImplemented None False True
""".split()

# Present as stubs that deny, so the error names what was refused.
DENIED_BUILTINS = """
    open exec eval compile globals locals vars input breakpoint help exit
    quit memoryview copyright credits license aiter anext
""".split()


def _denied_builtin(name):
    def denied(*args, **kwargs):
        _deny("%s()" % name)
    denied.__name__ = name
    denied.__qualname__ = name
    return denied


def _make_builtins(print_fn):
    b = {}
    for n in SAFE_BUILTINS:
        b[n] = _real_builtins[n]
    for n, v in _real_builtins.items():
        if _isinstance(v, type) and issubclass(v, BaseException):
            b[n] = v
    for n in DENIED_BUILTINS:
        b[n] = _denied_builtin(n)
    b["getattr"] = guarded_getattr
    b["hasattr"] = guarded_hasattr
    b["setattr"] = guarded_setattr
    b["delattr"] = guarded_delattr
    b["print"] = print_fn
    # Names user code cannot spell (dunders): used by the compiled code.
    b["__build_class__"] = _real_builtins["__build_class__"]
    b["__import__"] = guarded_import
    b["__pls_import__"] = facade_import
    b["__pls_getattr__"] = guarded_getattr
    b["__pls_callattr__"] = call_attr
    return b


def _fallback_print(plpy):
    notice = plpy.notice

    def print(*args, sep=" ", end="\n", file=None, flush=False):
        if sep is None:
            sep = " "
        text = sep.join(str(a) for a in args)
        notice(text)
    return print


# ---------------------------------------------------------------------------
# Lock-down (called last by sandbox.c)
# ---------------------------------------------------------------------------

# OS-level modules whose functions have no audit event (or whose audit
# event we do not want to be the only fence): every function of these is
# replaced by a denying stub in every module dict that holds it.
NEUTER_MODULES = ("posix", "_posixsubprocess", "faulthandler", "fcntl",
                  "select", "mmap", "resource", "termios", "pwd", "grp",
                  "_socket", "_ctypes", "syslog", "_signal", "signal",
                  "_posixshmem", "_multiprocessing")
# What trusted code of the whitelisted modules needs and cannot misuse.
NEUTER_KEEP = frozenset((
    "fspath", "strerror", "urandom", "getpid", "cpu_count", "fsencode",
    "fsdecode", "WIFEXITED", "WEXITSTATUS", "WIFSIGNALED", "WTERMSIG",
    "WIFSTOPPED", "WSTOPSIG", "WCOREDUMP", "WIFCONTINUED", "get_blocking",
    "default_int_handler", "getsignal", "strsignal", "valid_signals",
))
NEUTER_SYS = ("setrecursionlimit", "setswitchinterval", "setdlopenflags",
              "set_asyncgen_hooks", "set_coroutine_origin_tracking_depth",
              "settrace", "setprofile", "_getframe", "_current_frames",
              "_current_exceptions", "exit", "addaudithook",
              "_clear_type_cache", "breakpointhook", "call_tracing",
              "activate_stack_trampoline", "_debugmallocstats",
              "set_int_max_str_digits")
NEUTER_THREAD = ("start_new_thread", "start_new", "interrupt_main")


# Called by the module code of whitelisted modules while they are imported
# (random: os.register_at_fork; uuid, through platform: os.uname), which
# happens after lock-down: their stubs call the real function while
# sandbox.c's loader has the import system open, and deny otherwise.
LOADER_PASS = frozenset(("os.register_at_fork", "os.uname"))


def _neutered(qualname, real):
    if qualname in LOADER_PASS:
        def neutered(*args, **kwargs):
            if sys.meta_path:       # open only inside sandbox.c's loader
                return real(*args, **kwargs)
            _deny("%s()" % qualname)
    elif qualname == "sys._getframe":
        # Trusted helpers (enum's functional API) look for their caller's
        # module this way and cope with a shallow stack.
        def neutered(*args, **kwargs):
            raise ValueError("call stack is not deep enough")
    else:
        def neutered(*args, **kwargs):
            _deny("%s()" % qualname)
    neutered.__name__ = qualname.rsplit(".", 1)[-1]
    neutered.__qualname__ = qualname
    return neutered


# Every primitive found so far (id -> (object, name)) and its stub: kept,
# so that a pass after a module was loaded still knows the real objects
# although the OS modules' own dicts hold stubs by then.
_targets = {}
_stubs = {}
_stub_ids = set()


def _neuter():
    """Replace OS primitives by stubs in every module dict (again after a
    module was loaded), and remember every module dict."""
    mods = dict(sys.modules)
    for mname in NEUTER_MODULES:
        m = mods.get(mname)
        if m is None:
            continue
        for n, v in list(vars(m).items()):
            if n in NEUTER_KEEP or n.startswith("__") or id(v) in _stub_ids:
                continue
            if callable(v) and not _isinstance(v, type):
                _targets[id(v)] = (v, "%s.%s" % (
                    "os" if mname == "posix" else mname, n))
    for mname, names in (("sys", NEUTER_SYS), ("_thread", NEUTER_THREAD)):
        m = mods.get(mname)
        if m is None:
            continue
        for n in names:
            v = vars(m).get(n)
            if v is not None and id(v) not in _stub_ids:
                _targets[id(v)] = (v, "%s.%s" % (mname, n))
    for m in mods.values():
        d = _getattr(m, "__dict__", None)
        if not _isinstance(d, dict):
            continue
        _module_dict_ids.add(id(d))
        for n, v in list(d.items()):
            t = _targets.get(id(v))
            if t is not None and t[0] is v:
                s = _stubs.get(id(v))
                if s is None:
                    s = _stubs[id(v)] = _neutered(t[1], t[0])
                    _stub_ids.add(id(s))
                d[n] = s


def _denied_write(*args, **kwargs):
    raise PermissionError("plsafepy's module loader does not write files")


def _private_os_for_loader():
    """The file system calls importlib's path finder makes (stat, listdir,
    getcwd), in an object of its own, so that sandbox.c's loader can find
    modules once the OS module's own dict holds only stubs.  Only that
    machinery holds it; nothing hands it out (modules never are)."""
    posix = sys.modules["posix"]
    ns = types.SimpleNamespace(
        stat=posix.stat, getcwd=posix.getcwd, listdir=posix.listdir,
        fspath=posix.fspath, O_CREAT=posix.O_CREAT, O_EXCL=posix.O_EXCL,
        O_WRONLY=posix.O_WRONLY, open=_denied_write, mkdir=_denied_write,
        replace=_denied_write, unlink=_denied_write)
    vars(sys.modules["_frozen_importlib_external"])["_os"] = ns


_codec_misses = set()


def _codec_search(encoding):
    """The codec search function, in place of encodings.search_function,
    whose import of the codec module the closed import system would refuse:
    the module is loaded through sandbox.c's loader first, then encodings'
    function finds it in sys.modules.  Importing the dozen codecs user code
    might want while every interpreter is built cost as much as the rest of
    its start-up."""
    if encoding in _codec_misses:
        return None
    norm = _encodings.normalize_encoding(encoding)
    for modname in (_encodings._aliases.get(norm)
                    or _encodings._aliases.get(norm.replace(".", "_")),
                    norm):
        if not modname or not modname.isidentifier():
            continue
        full = "encodings." + modname
        if full not in sys.modules:
            try:
                load_real(full)
            except ImportError:
                continue
        return _encodings.search_function(encoding)
    _codec_misses.add(encoding)
    return None


def _install_codec_search():
    global _encodings
    import codecs
    _encodings = sys.modules["encodings"]
    codecs.unregister(_encodings.search_function)
    codecs.register(_codec_search)


def lockdown():
    """Neuter OS primitives everywhere, then close the import system."""
    _install_codec_search()
    _private_os_for_loader()
    _neuter()
    # builtins module's own dict, and the main module's
    _module_dict_ids.add(id(_real_builtins))
    # Exceptions in finalizers would be printed into the server log: they
    # are dropped, by a hook in C that an interrupt cannot stop (limits.c).
    sys.unraisablehook = _drop_unraisable
    # Close the import system: nothing new can be found or loaded.
    sys.meta_path[:] = []
    sys.path_hooks[:] = []
    sys.path[:] = []
    sys.path_importer_cache.clear()


SandboxError = None


def setup(spec, deny, plpy, print_fn):
    """Build facades, builtins and policy; return (builtins, policy, error).

    deny(what, hint) is sandbox.c's pls_deny: it logs the denial and raises
    SandboxError (42501).
    """
    global _deny_c, SandboxError

    class SandboxError(plpy.Error):
        """A capability plsafepy does not grant (SQLSTATE 42501)."""
        sqlstate = "42501"

    SandboxError.__module__ = "builtins"
    _deny_c = deny
    _plpy_ids.add(id(plpy))
    _plpy_modules["plpy"] = plpy
    spiexc = _getattr(plpy, "spiexceptions", None)
    if spiexc is not None:
        _plpy_ids.add(id(spiexc))
        _plpy_modules["plpy.spiexceptions"] = spiexc
    for n in ("eval", "exec", "compile", "open", "__import__", "globals",
              "locals", "vars", "input", "breakpoint", "getattr", "setattr",
              "delattr", "hasattr", "memoryview"):
        _dangerous_ids.add(id(_real_builtins[n]))
    for n in ("import_module", "__import__", "reload"):
        try:
            import importlib
            _dangerous_ids.add(id(_getattr(importlib, n)))
        except Exception:
            pass
    # CVE-2020-10735: quadratic int<->str conversion; the default limit,
    # whatever the embedding configured (sys is closed to user code).
    sys.set_int_max_str_digits(4300)
    _build_facades(spec)
    if print_fn is None:
        print_fn = _fallback_print(plpy)
    builtins = _make_builtins(print_fn)
    return builtins, make_policy(), PolicyError
