# guards.py: the guarded replacements handed to user code: the getattr
# family, str.format and string.Formatter with checked field lookups,
# operator.attrgetter/methodcaller, functools.update_wrapper/wraps, and the
# check of values an attribute lookup hands out.

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


