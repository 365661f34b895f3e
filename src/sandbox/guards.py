# guards.py: what user code can get hold of (the reachable namespace,
# names.py): the guarded replacements (the getattr family, str.format and
# string.Formatter with checked field lookups, operator.attrgetter/
# methodcaller, functools.update_wrapper/wraps), the check of values an
# attribute lookup hands out, the facade class and the import functions,
# and the stubs that deny a builtin or an OS primitive by name.

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
    if t is _BuiltinFunctionType:
        n = v.__name__
        if n == "format" or n == "format_map":
            s = v.__self__
            if _isinstance(s, str):
                return _fmt_method(s, n == "format_map")
        return v
    if t is _MethodDescriptorType:
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
    if name in GUARDED_DUNDER_READS:
        if default is _MISSING:
            return dunder_read(obj, name)
        try:
            return dunder_read(obj, name)
        except AttributeError:
            return default
    if default is _MISSING:
        v = _getattr(obj, name)
    else:
        v = _getattr(obj, name, default)
    return check_value(v, 'attribute "%s"' % name)


def guarded_hasattr(obj, name):
    name = check_attr_name(name, for_hasattr=True)
    return _hasattr(obj, name)


def _check_write(obj, name, verb):
    """setattr()'s and delattr()'s rules for attribute `name` of `obj`."""
    name = check_attr_name(name, write=True)
    if _isinstance(obj, _ModuleType):
        _deny("%s attributes of a module" % verb, HINT_INTERNALS)
    return name


def guarded_setattr(obj, name, value):
    _setattr(obj, _check_write(obj, name, "setting"), value)


def guarded_delattr(obj, name):
    _delattr(obj, _check_write(obj, name, "deleting"))


_super = super


def dunder_read(obj, name):
    """obj.<name> for the names of GUARDED_DUNDER_READS (names.py): the
    policy rewrites their loads to the guarded getattr, which comes here."""
    if name == "__class__":
        return _type(obj)
    if name == "__dict__":
        return instance_dict(obj, 'attribute "__dict__"')
    if name == "__new__":
        if _type(obj) is not _super:
            _deny('attribute "__new__" of a "%s" object' % _type(obj).__name__,
                  dunder_hint(name))
        return _getattr(obj, name)
    return _guarded_setter(obj, name)


def _guarded_setter(obj, name):
    """obj.__setattr__ / obj.__delattr__, with setattr()'s and delattr()'s
    checks on every call: unbound when read from a class
    (object.__setattr__(self, name, value)), else bound."""
    real = _getattr(obj, name)
    verb = "setting" if name == "__setattr__" else "deleting"
    if _isinstance(obj, type):
        def unbound(target, attr, /, *value):
            return real(target, _check_write(target, attr, verb), *value)
        unbound.__name__ = name
        return unbound
    target = _getattr(obj, "__self__") if _type(obj) is _super else obj

    def bound(attr, /, *value):
        return real(_check_write(target, attr, verb), *value)
    bound.__name__ = name
    return bound


def instance_dict(obj, what):
    """obj.__dict__ if obj is an instance of a class user code made (its
    __module__ is the body's "__main__"), else the denial.  A type's
    __dict__ (a mappingproxy), a module's, a function's, a facade's (a
    facade is an instance of guards.py's class) or a plpy object's is
    refused; an instance's own dict holds only what its attributes give."""
    t = _type(obj)
    m = _getattr(t, "__module__", None)
    if _isinstance(obj, (type, _ModuleType, module)) or \
            _type(m) is not str or m != "__main__":
        _deny('%s of a "%s" object' % (what, t.__name__),
              dunder_hint("__dict__"))
    d = _getattr(obj, "__dict__")
    if _type(d) is not dict or id(d) in _module_dict_ids:
        _deny('%s of a "%s" object' % (what, t.__name__),
              dunder_hint("__dict__"))
    return d


def guarded_vars(*args):
    """vars(obj): instance_dict's rule; vars() (the locals) is refused."""
    if not args:
        _deny("vars() without an argument", 'Pass the object: "vars(obj)".')
    if len(args) > 1:
        raise TypeError("vars expected at most 1 argument, got %d"
                        % len(args))
    try:
        return instance_dict(args[0], "vars()")
    except AttributeError:
        raise TypeError("vars() argument must have __dict__ attribute") \
            from None


guarded_getattr.__name__ = "getattr"
guarded_hasattr.__name__ = "hasattr"
guarded_setattr.__name__ = "setattr"
guarded_delattr.__name__ = "delattr"
guarded_vars.__name__ = "vars"


def _check_format_string(fmt, depth=0):
    """Deny attribute lookups in a format string that getattr would deny."""
    if depth > 2:
        raise ValueError("Max string recursion exceeded")
    for _lit, field, spec, _conv in _formatter_parser(fmt):
        if field is not None:
            _first, rest = _formatter_field_name_split(field)
            for is_attr, key in rest:
                if is_attr:
                    key = check_attr_name(key)
                    if key in GUARDED_DUNDER_READS and key != "__class__":
                        _deny('attribute "%s" in a format string' % key,
                              dunder_hint(key))
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
        return _formatter_parser(format_string)

    def get_field(self, field_name, args, kwargs):
        first, rest = _formatter_field_name_split(field_name)
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
    """functools.update_wrapper for names the attribute check accepts.

    Written out (as functools writes it) rather than calling functools',
    whose globals are functools' module namespace."""
    assigned, updated = _check_wrapper_names(assigned, updated)
    for n in assigned:
        try:
            value = _getattr(wrapped, n)
        except AttributeError:
            pass
        else:
            _setattr(wrapper, n, value)
    for n in updated:
        _getattr(wrapper, n).update(_getattr(wrapped, n, {}))
    wrapper.__wrapped__ = wrapped
    return wrapper


def wraps(wrapped, assigned=_WRAPPER_ASSIGNMENTS, updated=_WRAPPER_UPDATES):
    assigned, updated = _check_wrapper_names(assigned, updated)

    def decorating(wrapper):
        return update_wrapper(wrapper, wrapped, assigned, updated)
    return decorating


update_wrapper.__module__ = wraps.__module__ = "functools"


# ---------------------------------------------------------------------------
# Stubs
# ---------------------------------------------------------------------------

def _denied_builtin(name):
    def denied(*args, **kwargs):
        _deny("%s()" % name)
    denied.__name__ = name
    denied.__qualname__ = name
    return denied


def _fallback_print(plpy):
    notice = plpy.notice

    def print(*args, sep=" ", end="\n", file=None, flush=False):
        if sep is None:
            sep = " "
        text = sep.join(str(a) for a in args)
        notice(text)
    return print


def _frame_stand_in(*args, **kwargs):
    """sys._getframe for the trusted modules that ask for their caller's
    module (enum's functional API): the caller is a function body, whose
    globals' __name__ is "__main__".  Nothing else of a frame."""
    return _SimpleNamespace(f_globals={"__name__": "__main__"})


def _neutered(qualname):
    """The stub that replaces an OS primitive (lockdown.py): a denial
    naming it.  The ones trusted import code needs while sandbox_loader.c's loader
    runs are C functions (sandbox_loader.c, _loader_pass)."""
    if qualname == "sys._getframe":
        return _frame_stand_in

    def neutered(*args, **kwargs):
        _deny("%s()" % qualname)
    neutered.__name__ = qualname.rsplit(".", 1)[-1]
    neutered.__qualname__ = qualname
    return neutered


# ---------------------------------------------------------------------------
# Facades and imports
# ---------------------------------------------------------------------------

class module:
    """What `import m` gives: a plain object with m's reviewed names.

    Not a module: it has no __dict__ of the real module, no __name__,
    __loader__, __spec__ or __path__, and nothing in it is a module.
    """

    def __init__(self, name, ns, withheld):
        self.__dict__.update(ns)
        _facade_info[id(self)] = (name, withheld)

    def __repr__(self):
        return "<module %r (plsafepy)>" % _facade_info.get(id(self),
                                                           ("?",))[0]

    def __getattr__(self, name):
        modname, withheld = _facade_info.get(id(self), ("?", {}))
        why = withheld.get(name) if _type(name) is str else None
        if why is not None:
            _deny('"%s.%s"' % (modname, name), why)
        raise AttributeError("module %r has no attribute %r"
                             % (modname, name))


# id(facade) -> (module name, {withheld public name: why}), written when
# the trusted side builds the facade (facades.py), so that explaining a
# withheld name needs nothing but these strings.
_facade_info = {}
# The facades imported so far, by module name (sandbox.c's _cross to the
# trusted _load finds or builds one the first time).
_facade_cache = {}

# plpy is every function's global already (PL/Python code also imports it:
# "from plpy import spiexceptions"); importing it gives the same objects.
_plpy_modules = {}


def facade_import(name, fromname=None, package=False):
    """`import name` / `from name import fromname`, at run time; package:
    `import a.b` without "as", which binds a (facades.py's
    package_facade)."""
    f = _facade_cache.get(name)
    if f is None:
        f = _load_facade(name)
        if f is not None:
            _facade_cache[name] = f
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
    if package:
        return _package_facade(name)
    if fromname is None:
        return f
    try:
        return f.__dict__[fromname]
    except KeyError:
        _deny('import of "%s" from module "%s"' % (fromname, name),
              HINT_MODULES)


# Modules that C code of the whitelisted modules imports lazily through
# PyImport_Import, which calls the __import__ of the *running frame's*
# builtins, that is, this one (_datetime: time, _strptime), and then takes
# the module from sys.modules itself, ignoring what __import__ returned.
# They are imported with datetime (sandbox_loader.c's loader, or at build time if
# an unreviewed module brought it in); this function hands out nothing for
# them.  User code never reaches this function: its import statements are
# compiled to __pls_import__, and it cannot name either.
C_LAZY_IMPORTS = ("time", "_strptime")


def guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
    if level != 0:
        _deny("relative import", HINT_MODULES)
    if _type(name) is not str:
        raise TypeError("module name must be a string")
    if name in C_LAZY_IMPORTS:
        return None
    return facade_import(name)


guarded_import.__name__ = "__import__"
