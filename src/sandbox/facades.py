# facades.py: module facades over the DBA's whitelist
# (plsafepy.allowed_modules): which names of each reviewed module are
# exposed and why the others are withheld, and loading a module on its
# first import (trusted; the facade class and the import functions user
# code calls are in guards.py).

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
    "collections": {    # abc: the facade of collections.abc
        "UserString": "its format() calls str.format outside the guard",
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
    "time": {"*only": (
        "time", "time_ns", "monotonic", "monotonic_ns", "perf_counter",
        "perf_counter_ns", "process_time", "process_time_ns", "sleep",
        "strftime", "strptime", "gmtime", "localtime", "mktime", "asctime",
        "ctime", "struct_time", "timezone", "altzone", "daylight", "tzname"),
        "tzset": "changes the time zone of the whole backend process",
        "clock_settime": "sets a system clock",
        "clock_settime_ns": "sets a system clock",
        "pthread_getcpuclockid": "thread internals"},
    "contextlib": {"*only": (
        "contextmanager", "suppress", "closing", "nullcontext", "ExitStack",
        "AbstractContextManager", "ContextDecorator"),
        "redirect_stdout": "replaces sys.stdout of the whole interpreter",
        "redirect_stderr": "replaces sys.stderr of the whole interpreter",
        "chdir": "changes the working directory of the backend process"},
    "abc": {"*only": (
        "ABC", "ABCMeta", "abstractmethod", "abstractclassmethod",
        "abstractstaticmethod", "abstractproperty",
        "update_abstractmethods")},
    "collections.abc": {},
    "numbers": {"*only": ("Number", "Complex", "Real", "Rational",
                          "Integral")},
    "csv": {"*only": (
        "reader", "writer", "DictReader", "DictWriter", "Dialect", "excel",
        "excel_tab", "unix_dialect", "Error", "QUOTE_ALL", "QUOTE_MINIMAL",
        "QUOTE_NONE", "QUOTE_NONNUMERIC", "register_dialect",
        "unregister_dialect", "get_dialect", "list_dialects", "Sniffer"),
        "field_size_limit": "sets a limit for every reader of the "
                            "interpreter (other functions of the role)"},
    "hmac": {"*only": ("HMAC", "new", "digest", "compare_digest")},
    "secrets": {"*only": (
        "token_bytes", "token_hex", "token_urlsafe", "choice", "randbelow",
        "randbits", "compare_digest"),
        "SystemRandom": "class whose instances are shared-state random "
                        "sources; use the functions"},
    "ipaddress": {"*only": (
        "ip_address", "ip_network", "ip_interface", "IPv4Address",
        "IPv4Network", "IPv4Interface", "IPv6Address", "IPv6Network",
        "IPv6Interface", "AddressValueError", "NetmaskValueError",
        "collapse_addresses", "summarize_address_range",
        "get_mixed_type_key", "v4_int_to_packed", "v6_int_to_packed",
        "IPV4LENGTH", "IPV6LENGTH")},
    "urllib.parse": {"*only": (
        "urlparse", "urlunparse", "urlsplit", "urlunsplit", "urljoin",
        "urldefrag", "urlencode", "parse_qs", "parse_qsl", "quote",
        "quote_plus", "quote_from_bytes", "unquote", "unquote_plus",
        "unquote_to_bytes", "ParseResult", "SplitResult", "DefragResult",
        "ParseResultBytes", "SplitResultBytes", "DefragResultBytes"),
        "clear_cache": "internal cache"},
    "html": {"*only": ("escape", "unescape")},
    "fnmatch": {"*only": ("fnmatch", "fnmatchcase", "filter", "translate")},
    "shlex": {"*only": ("split", "join", "quote"),
              "shlex": "its source hook opens files and, without a "
                       "stream, it reads the server's standard input"},
    "zlib": {},
    "errno": {},
    "ast": {"*only": ("literal_eval",)},    # moduleguards.py
    # the pure Python ZoneInfo (sandbox.c), its data from the host
    "zoneinfo": {"*only": ("ZoneInfo", "ZoneInfoNotFoundError"),
                 "available_timezones": "lists the server's time-zone "
                                        "directories; SELECT name FROM "
                                        "pg_timezone_names lists the zones",
                 "reset_tzpath": "changes the directories searched for "
                                 "time-zone files",
                 "TZPATH": "the server's time-zone directories"},
    # the pure Python implementation (sandbox.c); parsing strings only
    "xml.etree.ElementTree": {"*only": (
        "Element", "SubElement", "Comment", "ProcessingInstruction", "PI",
        "QName", "ParseError", "fromstring", "fromstringlist", "XML",
        "XMLID", "tostring", "tostringlist", "iselement", "indent",
        "register_namespace", "VERSION"),
        "parse": "reads the file its argument names",
        "iterparse": "reads the file its argument names",
        "ElementTree": "its parse() reads and its write() writes the file "
                       "their argument names; use fromstring() and "
                       "tostring()",
        "canonicalize": "its from_file reads a file and its out writes to "
                        "one",
        "dump": "prints to the server's standard output",
        "XMLParser": "calls a target's methods from inside expat's C "
                     "parser, which 3.11 does not guard against being "
                     "re-entered from them",
        "XMLPullParser": "a parser object (see XMLParser); fromstring() "
                         "parses",
        "TreeBuilder": "a parser's target (see XMLParser)",
        "C14NWriterTarget": "a parser's target (see XMLParser)"},
    "array": {"*only": ("array", "ArrayType", "typecodes")},  # safetypes.py
    "types": {"*only": ("SimpleNamespace",)},
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
    ("array", "array"): array,
    ("array", "ArrayType"): array,
    # whatever the whitelist says: the real one ignores cancels and timeouts
    ("time", "sleep"): sleep,
    # moduleguards.py
    ("shlex", "split"): shlex_split,
    ("ast", "literal_eval"): literal_eval,
    ("xml.etree.ElementTree", "XML"): etree_XML,
    ("xml.etree.ElementTree", "fromstring"): etree_XML,
    ("xml.etree.ElementTree", "XMLID"): etree_XMLID,
    ("xml.etree.ElementTree", "fromstringlist"): etree_fromstringlist,
    # records.py: the standard ones compile source text made of field names
    ("collections", "namedtuple"): namedtuple,
}
REPLACED.update((("dataclasses", n), v) for n, v in DATACLASSES.items())

# Imported while the interpreter is built because C code imports them on
# first use through a real import, which the closed import system would
# refuse.  _datetime's own (time, _strptime) come with datetime, from
# sandbox_loader.c's loader; codecs through _codec_search.
LAZY_IMPORTS = ("copyreg", "numbers")

# Imported with a module by sandbox_loader.c's loader (by the worker before it
# locks itself in), never handed out: what the module's own code imports
# on first use, once the import system is closed (xml.etree.ElementTree's
# XMLParser imports xml.parsers.expat each time one is made), or what
# plsafepy's replacement of its names uses (ast.literal_eval: warnings).
LOADED_WITH = {"xml.etree.ElementTree": ("xml.parsers.expat",),
               "ast": ("warnings",)}


def parse_whitelist(spec):
    """'math, numpy:array' -> {module: (whole module?, set of extra names)}.

    spec is the complete list sandbox.c's pls_whitelist_expand made of the
    setting (a change to the defaults applied to them), checked there."""
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


def _module_whitelisted(name):
    """May a facade hold (the facade of) the module called name?  Only a
    module the DBA whitelisted whole and plsafepy has not reviewed, or a
    submodule of one: never one that came along as a module's global
    (urllib.parse's sys)."""
    return _type(name) is str and any(
        name == w or name.startswith(w + ".") for w in _trusted_whole)


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
            subname = _getattr(v, "__name__", None)
            # a submodule that refers back to a facade being built is left
            # out of it (an import of it still works)
            if (trust_public and _module_whitelisted(subname)
                    and subname not in _building):
                ns[n] = _facade_for(subname, v, None, trust_public)
            continue
        if _exposable(v):
            ns[n] = v
    _add_submodules(modname, ns)
    withheld = {}
    for n in dir(real):
        if n not in ns:
            why = _withheld_reason(modname, real, n)
            if why is not None:
                withheld[n] = why
    return module(modname, ns, withheld)


_facades = {}
_real_modules = {}
# Facades being built, for the submodules that refer back to them.
_building = set()
# Unreviewed modules the whitelist names whole (their submodules become
# facades too).
_trusted_whole = set()
# Modules of the whitelist not imported yet: name -> (whole module?, extra
# names).  Importing all of them while the interpreter is built would
# triple its cost (pprint alone pulls in dataclasses and inspect), and one
# that fails to import would stop every function of the role; each is
# imported by sandbox_loader.c's trusted loader the first time a body imports it,
# and one that fails makes only its own imports fail, naming it and why.
_pending = {}
# Modules of the whitelist (still in _pending) this installation cannot
# import: name -> why.  Importing one is an ImportError saying so.
_unavailable = {}
# The whitelist's modules that name nothing installed here (misspelled,
# say), which sandbox.c logs as WARNINGs once the interpreter is built.
whitelist_warnings = []
# _load_module: sandbox_loader.c's loader, set in this namespace before any part
# runs.


def _add_submodules(modname, ns):
    """A whitelisted submodule is an attribute of its package's facade
    (collections.abc of collections), whether or not the package's real
    module has it yet, as after an import of it in Python."""
    prefix = modname + "."
    for sub in sorted(set(_pending) | set(_facades)):
        rest = sub[len(prefix):]
        if not sub.startswith(prefix) or "." in rest or sub in _building:
            continue
        try:
            f = _load(sub)
        except ImportError:
            continue            # its own imports say why
        if f is not None:
            ns[rest] = f


def package_facade(name):
    """`import a.b.c` binds a: a's facade, whose attribute b (b's facade, or
    a package facade holding only b's) leads to the facade of a.b.c, as in
    Python.  Packages not whitelisted themselves (urllib of urllib.parse)
    get a package facade of their whitelisted submodules only."""
    child = _load(name)
    parts = name.split(".")
    for i in range(len(parts) - 1, 0, -1):
        parent_name = ".".join(parts[:i])
        parent = _load(parent_name)
        if parent is None:
            parent = _package_facades.get(parent_name)
            if parent is None:
                parent = _package_facades[parent_name] = module(
                    parent_name, {}, {})
        vars(parent)[parts[i]] = child
        child = parent
    return child


# Package facades (package_facade) by the package's name.
_package_facades = {}


def _withheld_reason(modname, real, name):
    """Why a public name of a whitelisted module is not in its facade."""
    if _type(name) is not str or name.startswith("_"):
        return None
    review = REVIEWED.get(modname)
    if review is not None and name in review:
        return "Withheld by plsafepy: %s." % review[name]
    try:
        v = _getattr(real, name)
    except AttributeError:
        return None
    if _isinstance(v, types.ModuleType):
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
    _building.add(modname)
    try:
        f = _build_facade(modname, real, names, trust_public)
    finally:
        _building.discard(modname)
    _facades[modname] = f
    return f



def _load_typing(real):
    """typing's NamedTuple through records.py's namedtuple (the real one
    compiles source text), its OrderedDict and Deque over plsafepy's."""
    make_nmtuple, meta_new = _typing_hooks(real._type_check,
                                           real._NamedTuple, real.Generic)
    real._make_nmtuple = make_nmtuple
    real.NamedTupleMeta.__new__ = meta_new
    # typing.OrderedDict() and typing.Deque() made the C classes, the
    # memory-corruption gadgets plsafepy replaces (safetypes.py)
    real.OrderedDict = real._alias(OrderedDict, 2)
    real.Deque = real._alias(deque, 1, name="Deque")
    # its caller's module, read through frames: none here (sys._getframe's
    # stand-in names "__main__", which would refuse the protocol checks
    # typing allows when abc or functools asks)
    real._caller = _no_caller


def _no_caller(depth=1, default="__main__"):
    return None


def _no_frame():
    return None


def _load_logging(real):
    """logging's records to plpy (logbridge.py)."""
    plpy = _plpy_modules["plpy"]
    style, fmt_exc, fmt_stack, handler, basic_config = _logging_bridge(
        real, (plpy.debug, plpy.info, plpy.warning), guarded_format)
    real._STYLES["{"] = (style, real._STYLES["{"][1])
    real.Formatter.formatException = fmt_exc
    real.Formatter.formatStack = fmt_stack
    real.lastResort = handler(real.WARNING)
    # Handler.handleError prints to the server's standard error otherwise
    real.raiseExceptions = False
    # shutdown() at interpreter end would run user handlers' flush/close
    real.atexit.unregister(real.shutdown)
    # findCaller walks frames; without one it reports "(unknown file)"
    real.currentframe = _no_frame
    # a record's process id would be the backend's, or call getpid, which
    # a worker may not (docs/isolation.md): records carry None, in both
    real.logProcesses = False
    # logging.info() and kin call the module's basicConfig themselves
    real.basicConfig = basic_config
    REPLACED[("logging", "basicConfig")] = basic_config


class _ZoneinfoCollections:
    """What zoneinfo._zoneinfo uses of its global collections."""
    OrderedDict = OrderedDict


def _load_zoneinfo(real):
    """zoneinfo's data from the host (moduleguards.py's _zoneinfo_hooks),
    and plsafepy's OrderedDict for the class's strong cache: the cache is a
    class attribute (type(ZoneInfo._strong_cache) gave user code the C
    OrderedDict, a memory-corruption gadget: safetypes.py), and every
    subclass makes its own with the module's collections.OrderedDict."""
    tzpath = sys.modules["zoneinfo._tzpath"]
    common = sys.modules["zoneinfo._common"]
    sys.modules["zoneinfo._zoneinfo"].collections = _ZoneinfoCollections
    cls = real.ZoneInfo
    cls._strong_cache = OrderedDict()
    if _getattr(cls, "_find_tzfile", None) is None:
        raise ImportError("zoneinfo's ZoneInfo is not its Python one")
    find, load, zrepr, fromutc = _zoneinfo_hooks(
        tzpath._validate_tzfile_path, real.ZoneInfoNotFoundError,
        cls.fromutc, sys.modules["datetime"].datetime, cls)
    tzpath.find_tzfile = find
    common.load_tzdata = load
    cls.__repr__ = zrepr
    cls.fromutc = fromutc


# Entity expansion is bounded by expat itself from 2.4.0 (a billion laughs
# or a quadratic blow-up ends with "limit on input amplification factor"
# after 8 MiB of output); without that the module is not loaded.
EXPAT_MIN = (2, 4, 0)


def _load_etree(real):
    """xml.etree.ElementTree: its Python implementation (sandbox.c blocks
    _elementtree), over an expat that bounds entity expansion."""
    if real.Element is not _getattr(real, "_Element_Py", None):
        raise ImportError("xml.etree.ElementTree's Element is not its "
                          "Python one")
    version = sys.modules["pyexpat"].version_info
    if version < EXPAT_MIN:
        raise ImportError("expat %d.%d.%d does not bound entity expansion "
                          "(%d.%d.%d or later does)"
                          % (tuple(version) + EXPAT_MIN))


# Run by _load when a reviewed module is loaded, before its facade is
# built: for the real module's own callers of what plsafepy replaces, and
# to refuse a module that is not the implementation reviewed.
LOAD_HOOKS = {"typing": _load_typing, "logging": _load_logging,
              "zoneinfo": _load_zoneinfo,
              "xml.etree.ElementTree": _load_etree}

def _load(modname):
    """The facade of whitelisted module modname, imported now if need be."""
    f = _facades.get(modname)
    if f is not None:
        return f
    why = _unavailable.get(modname)
    if why is not None:
        raise ImportError('could not load module "%s": %s' % (modname, why))
    pending = _pending.get(modname)
    if pending is None:
        return None
    try:
        real = load_real(modname)
        for dep in LOADED_WITH.get(modname, ()):
            load_real(dep)
        hook = LOAD_HOOKS.get(modname)
        if hook is not None:
            hook(real)
        f = _facade_for(modname, real, None if pending[0] else [],
                        pending[0] and modname not in REVIEWED, pending[1])
    except (MemoryError, RecursionError, SandboxError):
        # the caller's (a deep caller's recursion, the memory limit, a
        # denial): the next import tries again
        raise
    except Exception as e:
        raise ImportError('could not load module "%s": %s: %s'
                          % (modname, _type(e).__name__, e)) from None
    del _pending[modname]
    _real_modules[modname] = real
    return f


def load_real(modname):
    """The real module modname, imported through sandbox_loader.c's loader (which
    decides whether it may be); also used by C code (decimal)."""
    _load_module(modname)
    # what it brought in may hold OS primitives the stubs have not replaced
    _neuter()
    return sys.modules[modname]


def _installed(modname):
    """Can modname's top-level package be found (without importing it)?"""
    import importlib.util
    return importlib.util.find_spec(modname.split(".")[0]) is not None


# `import sys` gives these copies, whatever the whitelist says (sys itself
# can never be whitelisted: sandbox.c's check hook): plain values and two
# read-only structseqs, nothing that reaches the interpreter.
SYS_EXPOSED = ("version", "version_info", "maxsize", "float_info",
               "byteorder")
# the HINT for another name of sys: no setting can change what it offers
HINT_SYS = ('Of module "sys", plsafepy offers only %s; no setting adds to '
            'them.' % ", ".join(SYS_EXPOSED))


def _sys_facade():
    withheld = {n: ("Withheld by plsafepy: of sys only %s are exposed."
                    % ", ".join(SYS_EXPOSED))
                for n in dir(sys) if not n.startswith("__")
                and n not in SYS_EXPOSED}
    return module("sys", {n: _getattr(sys, n) for n in SYS_EXPOSED},
                  withheld)


def _build_facades(spec):
    import importlib
    _facades["sys"] = _sys_facade()
    wl = parse_whitelist(spec)
    _trusted_whole.update(m for m, (whole, _x) in wl.items()
                          if whole and m not in REVIEWED)
    for modname, (whole, extra) in wl.items():
        _facades.pop(modname, None)
        if modname not in REVIEWED:
            try:
                found = _installed(modname)
            except Exception:
                found = False
            if not found:
                _unavailable[modname] = "no such module is installed"
                whitelist_warnings.append(modname)
        _pending[modname] = (whole, extra)
    for name in LAZY_IMPORTS:
        try:
            importlib.import_module(name)
        except Exception:
            pass


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


