# records.py: collections.namedtuple and the dataclasses module, written
# without compiling any source text.  The standard ones build their methods
# by exec() of text made from the field names, which the sandbox refuses;
# here every method is a closure written once in this file, and a field name
# is only ever a string key (validated: an identifier, not a keyword, never
# a dunder or an internals name of names.py), never code.
#
# This part runs in the reachable namespace (names.py): everything here
# holds only classes, C functions and these closures in its globals, never
# a module, sys or the builtins dict.  _tuplegetter, _iskeyword and
# _deepcopy come from builtins.py's _reachable_namespace; the hook that
# adjusts the real typing module is facades.py's _load_typing.

_tuple_new = tuple.__new__
_object_setattr = object.__setattr__
_object_delattr = object.__delattr__


def _check_field_name(name, kind):
    """Reject a field name that is not a plain identifier (ValueError, as
    the standard modules do) or that names a dunder or an internals
    attribute (the denial, as the class-body rules of names.py)."""
    if _type(name) is not str:
        raise TypeError("%s names must be strings" % kind)
    if not name.isidentifier() or _iskeyword(name):
        raise ValueError("%s names must be valid identifiers and not "
                         "keywords: %r" % (kind, name))
    norm = name if name.isascii() else _nfkc(name)
    for n in (name, norm):
        why = _blocked_attr(n)
        if why is not None:
            _deny('%s name "%s"' % (kind, n), why)
    return name


# collections.namedtuple -------------------------------------------------

def namedtuple(typename, field_names, *, rename=False, defaults=None,
               module=None):
    """Returns a new subclass of tuple with named fields."""
    return _namedtuple_class(typename, field_names, rename, defaults, module,
                             (tuple,), {})


def _namedtuple_class(typename, field_names, rename, defaults, module, bases,
                      extra):
    """namedtuple's class; typing.NamedTuple adds bases and the class body's
    names (extra, checked by the policy as a class body) here, because the
    audit hook refuses setting __qualname__ or __doc__ afterwards."""
    if _isinstance(field_names, str):
        field_names = field_names.replace(",", " ").split()
    field_names = list(map(str, field_names))
    typename = str(typename)
    if rename:
        seen = set()
        for index, name in enumerate(field_names):
            if (not name.isidentifier() or _iskeyword(name)
                    or name.startswith("_") or name in seen):
                field_names[index] = "_%d" % index
            seen.add(name)
    for name in [typename] + field_names:
        if _type(name) is not str:
            raise TypeError("Type names and field names must be strings")
        if not name.isidentifier():
            raise ValueError("Type names and field names must be valid "
                             "identifiers: %r" % name)
        if _iskeyword(name):
            raise ValueError("Type names and field names cannot be a "
                             "keyword: %r" % name)
    seen = set()
    for name in field_names:
        if name.startswith("_") and not rename:
            raise ValueError("Field names cannot start with an underscore: "
                             "%r" % name)
        if name in seen:
            raise ValueError("Encountered duplicate field name: %r" % name)
        seen.add(name)
    for name in field_names:
        if not (rename and name[1:].isdigit()):
            _check_field_name(name, "field")
    _check_field_name(typename, "type")

    field_defaults = {}
    if defaults is not None:
        defaults = tuple(defaults)
        if len(defaults) > len(field_names):
            raise TypeError("Got more default values than field names")
        field_defaults = dict(reversed(list(zip(reversed(field_names),
                                                reversed(defaults)))))
    field_names = tuple(map(str, field_names))
    num_fields = len(field_names)
    arg_list = ", ".join(field_names)
    if num_fields == 1:
        arg_list += ","
    repr_fmt = "(" + ", ".join("%s=%%r" % n for n in field_names) + ")"

    def __new__(_cls, *args, **kwargs):
        if len(args) > num_fields:
            raise TypeError(_too_many(typename + ".__new__", num_fields,
                                      len(field_defaults), len(args)))
        values = list(args)
        for name in field_names[len(args):]:
            if name in kwargs:
                values.append(kwargs.pop(name))
            elif name in field_defaults:
                values.append(field_defaults[name])
            else:
                missing = [n for n in field_names[len(values):]
                           if n not in kwargs and n not in field_defaults]
                raise TypeError(
                    "%s.__new__() missing %d required positional argument%s: "
                    "%s" % (typename, len(missing),
                            "" if len(missing) == 1 else "s",
                            _join_names(missing)))
        for name in kwargs:
            if name in field_names:
                raise TypeError("%s.__new__() got multiple values for "
                                "argument %r" % (typename, name))
            raise TypeError("%s.__new__() got an unexpected keyword "
                            "argument %r" % (typename, name))
        return _tuple_new(_cls, values)

    __new__.__doc__ = "Create new instance of %s(%s)" % (typename, arg_list)

    @classmethod
    def _make(cls, iterable):
        result = _tuple_new(cls, iterable)
        if len(result) != num_fields:
            raise TypeError("Expected %d arguments, got %d"
                            % (num_fields, len(result)))
        return result

    _make.__func__.__doc__ = ("Make a new %s object from a sequence or "
                              "iterable" % typename)

    def _replace(self, /, **kwds):
        result = self._make(map(kwds.pop, field_names, self))
        if kwds:
            raise ValueError("Got unexpected field names: %r" % list(kwds))
        return result

    _replace.__doc__ = ("Return a new %s object replacing specified fields "
                        "with new values" % typename)

    def __repr__(self):
        "Return a nicely formatted representation string"
        return _type(self).__name__ + repr_fmt % self

    def _asdict(self):
        "Return a new dict which maps field names to their values."
        return dict(zip(self._fields, self))

    def __getnewargs__(self):
        "Return self as a plain tuple.  Used by copy and pickle."
        return tuple(self)

    class_namespace = {
        "__doc__": "%s(%s)" % (typename, arg_list),
        "__slots__": (),
        "_fields": field_names,
        "_field_defaults": field_defaults,
        "__new__": __new__,
        "_make": _make,
        "_replace": _replace,
        "__repr__": __repr__,
        "_asdict": _asdict,
        # in the namespace: the audit hook refuses setting it afterwards
        "__module__": "__main__" if module is None else module,
    }
    for index, name in enumerate(field_names):
        class_namespace[name] = _tuplegetter(
            index, "Alias for field number %d" % index)
    class_namespace.update(extra)
    result = _type(typename, bases, class_namespace)
    # not in the namespace: the class-namespace check (sandbox.c) refuses
    # them there, as it would in a user's class body; set by this trusted
    # code instead (no audit event for a class's ordinary attributes)
    _setattr(result, "__getnewargs__", __getnewargs__)
    _setattr(result, "__match_args__", field_names)
    for fn in (__new__, _make.__func__, _replace, __repr__, _asdict,
               __getnewargs__):
        fn.__qualname__ = "%s.%s" % (typename, fn.__name__)
    return result


namedtuple.__module__ = "collections"


def _too_many(qual, npos, ndefaults, given):
    if ndefaults:
        takes = "from %d to %d positional arguments" % (npos + 1 - ndefaults,
                                                        npos + 1)
    else:
        takes = "%d positional argument%s" % (npos + 1,
                                              "s" if npos else "")
    return "%s() takes %s but %d were given" % (qual, takes, given + 1)


def _join_names(names):
    quoted = ["'%s'" % n for n in names]
    if len(quoted) == 1:
        return quoted[0]
    if len(quoted) == 2:
        return "%s and %s" % tuple(quoted)
    return ", ".join(quoted[:-1]) + ", and " + quoted[-1]


# typing.NamedTuple: the real typing module's two callers of
# collections.namedtuple, replaced when typing is loaded (LOAD_HOOKS).

_NMT_PROHIBITED = frozenset(("__new__", "__init__", "__slots__",
                             "__getnewargs__", "_fields", "_field_defaults",
                             "_make", "_replace", "_asdict", "_source"))
_NMT_SPECIAL = frozenset(("__module__", "__name__", "__annotations__"))


def _typing_hooks(type_check, named_tuple_base, generic):
    def make_nmtuple(name, types, module, defaults=(), bases=(tuple,),
                     extra=None):
        fields = [n for n, t in types]
        types = {n: type_check(t, "field %s annotation must be a type" % n)
                 for n, t in types}
        ns = {"__annotations__": types}
        if extra:
            ns.update(extra)
        nm_tpl = _namedtuple_class(name, fields, False, defaults, module,
                                   bases, ns)
        nm_tpl.__new__.__annotations__ = types
        return nm_tpl

    def meta_new(cls, typename, bases, ns):
        if named_tuple_base not in bases:
            raise TypeError("can only inherit from a NamedTuple type and "
                            "Generic")
        for base in bases:
            if base is not named_tuple_base and base is not generic:
                raise TypeError("can only inherit from a NamedTuple type "
                                "and Generic")
        bases = tuple(tuple if base is named_tuple_base else base
                      for base in bases)
        types = ns.get("__annotations__", {})
        default_names = []
        for field_name in types:
            if field_name in ns:
                default_names.append(field_name)
            elif default_names:
                raise TypeError("Non-default namedtuple field %s cannot "
                                "follow default field%s %s" % (
                                    field_name,
                                    "s" if len(default_names) > 1 else "",
                                    ", ".join(default_names)))
        extra = {}
        for key in ns:
            if key in _NMT_PROHIBITED:
                raise AttributeError("Cannot overwrite NamedTuple attribute "
                                     + key)
            if key not in _NMT_SPECIAL and key not in types:
                extra[key] = ns[key]
        return make_nmtuple(typename, types.items(),
                            defaults=[ns[n] for n in default_names],
                            module=ns["__module__"], bases=bases,
                            extra=extra)
    return make_nmtuple, staticmethod(meta_new)




# dataclasses --------------------------------------------------------------

class FrozenInstanceError(AttributeError):
    pass


class _MissingType:
    def __repr__(self):
        return "MISSING"


MISSING = _MissingType()


class _KwOnlyType:
    def __repr__(self):
        return "KW_ONLY"


KW_ONLY = _KwOnlyType()


class _FieldKind:
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


_FIELD = _FieldKind("_FIELD")
_FIELD_CLASSVAR = _FieldKind("_FIELD_CLASSVAR")
_FIELD_INITVAR = _FieldKind("_FIELD_INITVAR")


class InitVar:
    __slots__ = ("type",)

    def __init__(self, type):
        self.type = type

    def __repr__(self):
        if _isinstance(self.type, type):
            type_name = self.type.__name__
        else:
            type_name = repr(self.type)
        return "dataclasses.InitVar[%s]" % type_name

    def __class_getitem__(cls, type):
        return InitVar(type)


class Field:
    __slots__ = ("name", "type", "default", "default_factory", "repr",
                 "hash", "init", "compare", "metadata", "kw_only",
                 "_field_type")

    def __init__(self, default, default_factory, init, repr, hash, compare,
                 metadata, kw_only):
        self.name = None
        self.type = None
        self.default = default
        self.default_factory = default_factory
        self.init = init
        self.repr = repr
        self.hash = hash
        self.compare = compare
        self.metadata = _EMPTY_METADATA if metadata is None else \
            _MappingProxyType(metadata)
        self.kw_only = kw_only
        self._field_type = None

    def __repr__(self):
        return ("Field(name=%r,type=%r,default=%r,default_factory=%r,"
                "init=%r,repr=%r,hash=%r,compare=%r,metadata=%r,kw_only=%r,"
                "_field_type=%r)" % (
                    self.name, self.type, self.default, self.default_factory,
                    self.init, self.repr, self.hash, self.compare,
                    self.metadata, self.kw_only, self._field_type))

    __class_getitem__ = classmethod(_GenericAlias)


_MappingProxyType = type(type.__dict__)
_EMPTY_METADATA = _MappingProxyType({})


class _DataclassParams:
    __slots__ = ("init", "repr", "eq", "order", "unsafe_hash", "frozen")

    def __init__(self, init, repr, eq, order, unsafe_hash, frozen):
        self.init = init
        self.repr = repr
        self.eq = eq
        self.order = order
        self.unsafe_hash = unsafe_hash
        self.frozen = frozen

    def __repr__(self):
        return ("_DataclassParams(init=%r,repr=%r,eq=%r,order=%r,"
                "unsafe_hash=%r,frozen=%r)" % (
                    self.init, self.repr, self.eq, self.order,
                    self.unsafe_hash, self.frozen))


def field(*, default=MISSING, default_factory=MISSING, init=True, repr=True,
          hash=None, compare=True, metadata=None, kw_only=MISSING):
    """Return an object to identify dataclass fields."""
    if default is not MISSING and default_factory is not MISSING:
        raise ValueError("cannot specify both default and default_factory")
    return Field(default, default_factory, init, repr, hash, compare,
                 metadata, kw_only)


for _c in (FrozenInstanceError, _MissingType, _KwOnlyType, InitVar, Field,
           _DataclassParams, field):
    _c.__module__ = "dataclasses"


def _special_form_name(a):
    """'ClassVar' for typing.ClassVar or ClassVar[...], 'InitVar' for
    dataclasses.InitVar or InitVar[...] (also as strings, which are matched,
    never evaluated), 'KW_ONLY' for the KW_ONLY marker, else None."""
    if a is KW_ONLY:
        return "KW_ONLY"
    if a is InitVar or _type(a) is InitVar:
        return "InitVar"
    if _isinstance(a, str):
        head = a.strip().split("[", 1)[0].strip()
        for prefix in ("typing.", "dataclasses.", "t.", "dc."):
            if head.startswith(prefix):
                head = head[len(prefix):]
        return head if head in ("ClassVar", "InitVar", "KW_ONLY") else None
    t = _type(a)
    if t.__module__ == "typing" and t.__name__ in ("_SpecialForm",
                                                  "_GenericAlias"):
        if t.__name__ == "_GenericAlias":
            a = _getattr(a, "__origin__", None)
        if _type(a).__name__ == "_SpecialForm" and \
                _getattr(a, "_name", None) == "ClassVar":
            return "ClassVar"
    return None


def _get_field(cls, name, a_type, default_kw_only):
    default = _getattr(cls, name, MISSING)
    if _isinstance(default, Field):
        f = default
    else:
        f = field(default=default)
    f.name = name
    f.type = a_type
    f._field_type = _FIELD
    special = _special_form_name(a_type)
    if special == "ClassVar":
        f._field_type = _FIELD_CLASSVAR
    elif special == "InitVar":
        f._field_type = _FIELD_INITVAR
    if f._field_type in (_FIELD_CLASSVAR, _FIELD_INITVAR):
        if f.default_factory is not MISSING:
            raise TypeError("field %s cannot have a default factory" % name)
    if f._field_type in (_FIELD, _FIELD_INITVAR):
        if f.kw_only is MISSING:
            f.kw_only = default_kw_only
    else:
        if f.kw_only is not MISSING:
            raise TypeError("field %s is a ClassVar but specifies kw_only"
                            % name)
    if f._field_type is _FIELD and \
            _type(f.default).__hash__ is None:
        raise ValueError("mutable default %s for field %s is not allowed: "
                         "use default_factory" % (_type(f.default), name))
    return f


def _field_init_value(f, self_kwargs):
    if f.name in self_kwargs:
        return self_kwargs[f.name]
    if f.default_factory is not MISSING:
        return f.default_factory()
    return f.default


def _make_init(cls, fields, std_fields, kw_only_fields, frozen, has_post_init):
    qual = cls.__qualname__
    init_fields = [f for f in fields if f._field_type in (_FIELD,
                                                          _FIELD_INITVAR)]
    positional = [f.name for f in std_fields]
    keyword = [f.name for f in kw_only_fields]
    required = set(f.name for f in std_fields + kw_only_fields
                   if f.default is MISSING and f.default_factory is MISSING)
    required_pos = [n for n in positional if n in required]
    seen_default = False
    for f in std_fields:
        if f.default is not MISSING or f.default_factory is not MISSING:
            seen_default = True
        elif seen_default:
            raise TypeError("non-default argument %r follows default "
                            "argument" % f.name)
    setter = _object_setattr if frozen else setattr

    def __init__(self, *args, **kwargs):
        if len(args) > len(positional):
            raise TypeError(_too_many(qual + ".__init__", len(positional),
                                      len(positional) - len(required_pos),
                                      len(args)))
        given = dict(zip(positional, args))
        for name, value in kwargs.items():
            if name in given:
                raise TypeError("%s.__init__() got multiple values for "
                                "argument %r" % (qual, name))
            if name not in keyword and name not in positional:
                raise TypeError("%s.__init__() got an unexpected keyword "
                                "argument %r" % (qual, name))
            given[name] = value
        missing = [n for n in positional if n in required and n not in given]
        if missing:
            raise TypeError("%s.__init__() missing %d required positional "
                            "argument%s: %s" % (
                                qual, len(missing),
                                "" if len(missing) == 1 else "s",
                                _join_names(missing)))
        missing = [n for n in keyword if n in required and n not in given]
        if missing:
            raise TypeError("%s.__init__() missing %d required keyword-only "
                            "argument%s: %s" % (
                                qual, len(missing),
                                "" if len(missing) == 1 else "s",
                                _join_names(missing)))
        for f in fields:
            if f._field_type is not _FIELD:
                continue
            if f.init:
                setter(self, f.name, _field_init_value(f, given))
            elif f.default_factory is not MISSING:
                setter(self, f.name, f.default_factory())
        if has_post_init:
            self.__post_init__(*[_field_init_value(f, given)
                                 for f in init_fields
                                 if f._field_type is _FIELD_INITVAR])

    return __init__


def _make_repr(cls, fields):
    names = [f.name for f in fields if f.repr]

    def __repr__(self):
        key = id(self)
        if key in _repr_running:
            return "..."
        _repr_running.add(key)
        try:
            return "%s(%s)" % (_type(self).__qualname__, ", ".join(
                "%s=%r" % (n, _getattr(self, n)) for n in names))
        finally:
            _repr_running.discard(key)
    return __repr__


def _cmp_fn(name, op, compare_names):
    getter = _attrs_tuple(compare_names)

    def cmp(self, other):
        if other.__class__ is self.__class__:
            return op(getter(self), getter(other))
        return NotImplemented
    cmp.__name__ = name
    return cmp


def _attrs_tuple(names):
    def get(obj):
        return tuple(_getattr(obj, n) for n in names)
    return get


def _make_hash(compare_names):
    getter = _attrs_tuple(compare_names)

    def __hash__(self):
        return hash(getter(self))
    return __hash__


def _make_frozen(cls, field_names):
    names = frozenset(field_names)

    def __setattr__(self, name, value):
        if _type(self) is cls or name in names:
            raise FrozenInstanceError("cannot assign to field %r" % name)
        super(cls, self).__setattr__(name, value)

    def __delattr__(self, name):
        if _type(self) is cls or name in names:
            raise FrozenInstanceError("cannot delete field %r" % name)
        super(cls, self).__delattr__(name)
    return __setattr__, __delattr__


def _set_new_attribute(cls, name, value):
    if name in cls.__dict__:
        return True
    value.__qualname__ = "%s.%s" % (cls.__qualname__, name)
    _setattr(cls, name, value)
    return False


def _lt(a, b):
    return a < b


def _le(a, b):
    return a <= b


def _gt(a, b):
    return a > b


def _ge(a, b):
    return a >= b


def _eq(a, b):
    return a == b


def _process_class(cls, init, repr, eq, order, unsafe_hash, frozen,
                   match_args, kw_only, slots, weakref_slot):
    fields = {}
    _setattr(cls, "__dataclass_params__",
             _DataclassParams(init, repr, eq, order, unsafe_hash, frozen))
    any_frozen_base = False
    has_dataclass_bases = False
    for b in cls.__mro__[-1:0:-1]:
        base_fields = _getattr(b, "__dataclass_fields__", None)
        if base_fields is not None:
            has_dataclass_bases = True
            for f in base_fields.values():
                fields[f.name] = f
            if _getattr(b, "__dataclass_params__").frozen:
                any_frozen_base = True

    cls_annotations = cls.__dict__.get("__annotations__", {})
    cls_fields = []
    kw_only_seen = False
    for name, a_type in list(cls_annotations.items()):
        _check_field_name(name, "field")
        if _special_form_name(a_type) == "KW_ONLY":
            if kw_only_seen:
                raise TypeError("%r is KW_ONLY, but KW_ONLY has already "
                                "been specified" % name)
            kw_only_seen = True
            kw_only = True
        else:
            cls_fields.append(_get_field(cls, name, a_type, kw_only))
    for f in cls_fields:
        fields[f.name] = f
        if _isinstance(_getattr(cls, f.name, None), Field):
            if f.default is MISSING:
                _delattr(cls, f.name)
            else:
                _setattr(cls, f.name, f.default)
    for name, value in cls.__dict__.items():
        if _isinstance(value, Field) and name not in cls_annotations:
            raise TypeError("%r is a field but has no type annotation" % name)

    if has_dataclass_bases:
        if any_frozen_base and not frozen:
            raise TypeError("cannot inherit non-frozen dataclass from a "
                            "frozen one")
        if not any_frozen_base and frozen:
            raise TypeError("cannot inherit frozen dataclass from a "
                            "non-frozen one")
    _setattr(cls, "__dataclass_fields__", fields)

    class_hash = cls.__dict__.get("__hash__", MISSING)
    has_explicit_hash = not (class_hash is MISSING or
                             (class_hash is None and "__eq__" in cls.__dict__))
    if order and not eq:
        raise ValueError("eq must be true if order is true")

    all_fields = list(fields.values())
    init_fields = [f for f in all_fields
                   if f._field_type in (_FIELD, _FIELD_INITVAR) and f.init]
    std_fields = [f for f in init_fields if not f.kw_only]
    kw_only_fields = [f for f in init_fields if f.kw_only]
    real_fields = [f for f in all_fields if f._field_type is _FIELD]

    if init:
        _set_new_attribute(cls, "__init__", _make_init(
            cls, all_fields, std_fields, kw_only_fields,
            frozen, _hasattr(cls, "__post_init__")))
    if repr:
        _set_new_attribute(cls, "__repr__", _make_repr(cls, real_fields))
    compare_names = [f.name for f in real_fields if f.compare]
    if eq:
        _set_new_attribute(cls, "__eq__", _cmp_fn("__eq__", _eq,
                                                  compare_names))
    if order:
        for name, op in (("__lt__", _lt), ("__le__", _le), ("__gt__", _gt),
                         ("__ge__", _ge)):
            if _set_new_attribute(cls, name, _cmp_fn(name, op,
                                                     compare_names)):
                raise TypeError("Cannot overwrite attribute %s in class %s. "
                                "Consider using functools.total_ordering"
                                % (name, cls.__name__))
    if frozen:
        for fn in _make_frozen(cls, [f.name for f in real_fields]):
            if _set_new_attribute(cls, fn.__name__, fn):
                raise TypeError("Cannot overwrite attribute %s in class %s"
                                % (fn.__name__, cls.__name__))

    hash_names = [f.name for f in real_fields
                  if (f.compare if f.hash is None else f.hash)]
    if unsafe_hash:
        if has_explicit_hash:
            raise TypeError("Cannot overwrite attribute __hash__ in class %s"
                            % cls.__name__)
        cls.__hash__ = _make_hash(hash_names)
        cls.__hash__.__qualname__ = cls.__qualname__ + ".__hash__"
    elif eq and frozen:
        if not has_explicit_hash:
            cls.__hash__ = _make_hash(hash_names)
            cls.__hash__.__qualname__ = cls.__qualname__ + ".__hash__"
    elif eq:
        if not has_explicit_hash:
            cls.__hash__ = None

    if match_args:
        _set_new_attribute_plain(cls, "__match_args__",
                                 tuple(f.name for f in std_fields))
    if weakref_slot and not slots:
        raise TypeError("weakref_slot is True but slots is False")
    if slots:
        cls = _add_slots(cls, frozen, weakref_slot, real_fields)
    return cls


def _set_new_attribute_plain(cls, name, value):
    if name not in cls.__dict__:
        _setattr(cls, name, value)


def _add_slots(cls, is_frozen, weakref_slot, real_fields):
    cls_dict = dict(cls.__dict__)
    field_names = tuple(f.name for f in real_fields)
    if "__slots__" in cls_dict:
        raise TypeError("%s already specifies __slots__" % cls.__name__)
    inherited = set()
    for base in cls.__mro__[1:-1]:
        inherited.update(_getattr(base, "__slots__", ()) or ())
    slots = [n for n in field_names if n not in inherited]
    if weakref_slot:
        slots.append("__weakref__")
    cls_dict["__slots__"] = tuple(slots)
    for n in field_names:
        cls_dict.pop(n, None)
    cls_dict.pop("__dict__", None)
    cls_dict.pop("__weakref__", None)
    qualname = cls_dict["__qualname__"] = cls.__qualname__
    cls = _type(cls)(cls.__name__, cls.__bases__, cls_dict)
    if is_frozen:
        # the frozen methods' closures name the old class: make new ones
        setattr_fn, delattr_fn = _make_frozen(cls, field_names)
        setattr_fn.__qualname__ = qualname + ".__setattr__"
        delattr_fn.__qualname__ = qualname + ".__delattr__"
        cls.__setattr__ = setattr_fn
        cls.__delattr__ = delattr_fn

        def __getstate__(self):
            return [_getattr(self, n) for n in field_names]

        def __setstate__(self, state):
            for n, v in zip(field_names, state):
                _object_setattr(self, n, v)
        cls.__getstate__ = __getstate__
        cls.__setstate__ = __setstate__
    return cls


def dataclass(cls=None, /, *, init=True, repr=True, eq=True, order=False,
              unsafe_hash=False, frozen=False, match_args=True,
              kw_only=False, slots=False, weakref_slot=False):
    """Add dunder methods based on the fields defined in the class."""
    def wrap(cls):
        if not _isinstance(cls, type):
            raise TypeError("dataclass() should be called on a class")
        return _process_class(cls, init, repr, eq, order, unsafe_hash,
                              frozen, match_args, kw_only, slots,
                              weakref_slot)
    if cls is None:
        return wrap
    return wrap(cls)


def _is_dataclass_instance(obj):
    return _hasattr(_type(obj), "__dataclass_fields__")


def is_dataclass(obj):
    """True if obj is a dataclass or an instance of one."""
    cls = obj if _isinstance(obj, type) else _type(obj)
    return _hasattr(cls, "__dataclass_fields__")


def fields(class_or_instance):
    """The fields of a dataclass (not its ClassVars or InitVars)."""
    try:
        fs = _getattr(class_or_instance, "__dataclass_fields__")
    except AttributeError:
        raise TypeError("must be called with a dataclass type or instance") \
            from None
    return tuple(f for f in fs.values() if f._field_type is _FIELD)


def _asdict_inner(obj, dict_factory):
    if _is_dataclass_instance(obj):
        return dict_factory([(f.name, _asdict_inner(_getattr(obj, f.name),
                                                    dict_factory))
                             for f in fields(obj)])
    if _isinstance(obj, tuple) and _hasattr(obj, "_fields"):
        return _type(obj)(*[_asdict_inner(v, dict_factory) for v in obj])
    if _isinstance(obj, (list, tuple)):
        return _type(obj)(_asdict_inner(v, dict_factory) for v in obj)
    if _isinstance(obj, dict):
        return _type(obj)((_asdict_inner(k, dict_factory),
                           _asdict_inner(v, dict_factory))
                          for k, v in obj.items())
    return _deepcopy(obj)


def asdict(obj, *, dict_factory=dict):
    """The fields of a dataclass instance as a new dict, recursively."""
    if not _is_dataclass_instance(obj):
        raise TypeError("asdict() should be called on dataclass instances")
    return _asdict_inner(obj, dict_factory)


def _astuple_inner(obj, tuple_factory):
    if _is_dataclass_instance(obj):
        return tuple_factory([_astuple_inner(_getattr(obj, f.name),
                                             tuple_factory)
                              for f in fields(obj)])
    if _isinstance(obj, tuple) and _hasattr(obj, "_fields"):
        return _type(obj)(*[_astuple_inner(v, tuple_factory) for v in obj])
    if _isinstance(obj, (list, tuple)):
        return _type(obj)(_astuple_inner(v, tuple_factory) for v in obj)
    if _isinstance(obj, dict):
        return _type(obj)((_astuple_inner(k, tuple_factory),
                           _astuple_inner(v, tuple_factory))
                          for k, v in obj.items())
    return _deepcopy(obj)


def astuple(obj, *, tuple_factory=tuple):
    """The fields of a dataclass instance as a new tuple, recursively."""
    if not _is_dataclass_instance(obj):
        raise TypeError("astuple() should be called on dataclass instances")
    return _astuple_inner(obj, tuple_factory)


def replace(obj, /, **changes):
    """A new object of obj's class with fields replaced from changes."""
    if not _is_dataclass_instance(obj):
        raise TypeError("replace() should be called on dataclass instances")
    for f in _getattr(obj, "__dataclass_fields__").values():
        if f._field_type is _FIELD_CLASSVAR:
            continue
        if not f.init:
            if f.name in changes:
                raise ValueError("field %s is declared with init=False, it "
                                 "cannot be specified with replace()"
                                 % f.name)
            continue
        if f.name not in changes:
            if f._field_type is _FIELD_INITVAR and f.default is MISSING:
                raise ValueError("InitVar %r must be specified with "
                                 "replace()" % f.name)
            changes[f.name] = _getattr(obj, f.name)
    return obj.__class__(**changes)


def make_dataclass(cls_name, fields, *, bases=(), namespace=None, init=True,
                   repr=True, eq=True, order=False, unsafe_hash=False,
                   frozen=False, match_args=True, kw_only=False, slots=False,
                   weakref_slot=False, module=None):
    """A new dataclass named cls_name with the given fields; namespace
    follows the class-body rules (names.py) like a class statement."""
    ns = {}
    if namespace is not None:
        for k, v in dict(namespace).items():
            if _type(k) is not str:
                raise TypeError("namespace keys must be strings")
            if _is_dunder(k) and k not in CLASS_DUNDER_METHODS and \
                    k not in CLASS_DUNDER_ASSIGN:
                _deny('class attribute "%s"' % k, HINT_DUNDER)
            ns[k] = v
    cls_name = str(cls_name)
    _check_field_name(cls_name, "type")
    seen = set()
    annotations = {}
    for item in fields:
        if _isinstance(item, str):
            name, tp = item, "typing.Any"
        elif len(item) == 2:
            name, tp = item
        elif len(item) == 3:
            name, tp, spec = item
            ns[name] = spec
        else:
            raise TypeError("Invalid field: %r" % (item,))
        if not _isinstance(name, str) or not name.isidentifier():
            raise TypeError("Field names must be valid identifiers: %r"
                            % (name,))
        if _iskeyword(name):
            raise TypeError("Field names must not be keywords: %r" % (name,))
        if name in seen:
            raise TypeError("Field name duplicated: %r" % (name,))
        _check_field_name(name, "field")
        seen.add(name)
        annotations[name] = tp
    ns["__annotations__"] = annotations
    ns["__module__"] = "__main__" if module is None else module
    ns.setdefault("__qualname__", cls_name)
    cls = _type(cls_name, tuple(bases), ns)
    return dataclass(cls, init=init, repr=repr, eq=eq, order=order,
                     unsafe_hash=unsafe_hash, frozen=frozen,
                     match_args=match_args, kw_only=kw_only, slots=slots,
                     weakref_slot=weakref_slot)


for _c in (dataclass, is_dataclass, fields, asdict, astuple, replace,
           make_dataclass):
    _c.__module__ = "dataclasses"
del _c

# the dataclasses facade: every public name, replaced by the one above
DATACLASSES = {
    "dataclass": dataclass, "field": field, "Field": Field,
    "FrozenInstanceError": FrozenInstanceError, "InitVar": InitVar,
    "KW_ONLY": KW_ONLY, "MISSING": MISSING, "fields": fields,
    "asdict": asdict, "astuple": astuple, "make_dataclass": make_dataclass,
    "replace": replace, "is_dataclass": is_dataclass,
}
