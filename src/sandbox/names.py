# names.py: what every part of the sandbox shares: the hints, the denial,
# and the rules for attribute names (which the policy applies at CREATE
# FUNCTION and the guards at run time).
#
# The sandbox's Python side is the parts of src/sandbox/, run in the order
# of the Makefile's SANDBOX_PY in two namespaces (sandbox.c,
# run_sandbox_parts):
#
# - the trusted namespace (builtins, facades, policy, lockdown, setup):
#   sys, the real builtins, sandbox_loader.c's loader, the real modules behind the
#   facades, the policy and the lock-down.  Run while each role's
#   interpreter is built (before lock-down), and after it only through the
#   C side (the loader, the policy, describe(), decimal).  Nothing in it is
#   handed to user code.
# - the reachable namespace (names, guards, safetypes, moduleguards, records,
#   logbridge): the globals of everything user
#   code can get hold of: the guarded builtins, the facade class and import
#   functions, the denying stubs.  Its globals hold nothing a body may not
#   have: the restricted builtins (its __builtins__), the guards
#   themselves, plain data, types, and C functions that carry no module
#   (sandbox.c's _detach) or that cross to one fixed trusted function and
#   hand back only what user code may have (_cross: the facade of a
#   whitelisted module, an NFKC string).  No real module, no sys, no real
#   builtins dict, no loader, in any global, closure cell or default, so a
#   policy broken by some future bug still finds nothing through
#   getattr.__globals__ (test/attacks/18_reach.txt walks it).
#
# After the reachable parts ran, their names are copied into the trusted
# namespace (the trusted parts use them); never the other way.
#
# The layers (docs/security.md): the policy (an AST allowlist, run by the
# validator and before first execution) rejects what it can see statically;
# the builtins and facades decide what exists at all; the guarded getattr
# family and the format guard cover what only run time can see; the C side
# (sandbox.c, audit.c) neuters OS primitives and denies audit events.  Each
# assumes the others have failed.

SETTING = "plsafepy.allowed_modules"
HINT_MODULES = ('Modules are made available by a superuser with the "%s" '
                'setting.' % SETTING)
HINT_DUNDER = ("Names that begin and end with two underscores are reserved "
               "in plsafepy.")
HINT_INTERNALS = ("Frame, code, generator, coroutine and traceback internals "
                  "are not available in plsafepy.")


class PolicyError(Exception):
    """(message, line in the body, hint): raised by the policy."""


def _deny(what, hint=None):
    """Raise the 42501 denial for `what` (_deny_c, sandbox.c's pls_deny,
    logs it and raises SandboxError)."""
    _deny_c(what, hint)
    raise PermissionError("%s is not allowed in plsafepy" % what)


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


# Dunder attributes that may be read as they are: they hand out nothing
# new.  __init__ (a bound method or the class's function), __name__,
# __qualname__, __module__ and __doc__ (strings, or what the class's own
# code put there), __next__, __enter__ and __exit__ (the methods next() and
# a with statement call anyway; plpy's subtransaction checks their order
# itself, as its enter()/exit() do).
READABLE_DUNDER_ATTRS = frozenset(("__init__", "__name__", "__qualname__",
                                   "__module__", "__doc__", "__next__",
                                   "__enter__", "__exit__"))

# Dunder attributes that may be read only through the guarded getattr
# (guards.py, dunder_read), which decides at run time from the object:
# __class__ is type(x); __dict__ only of instances of the user's own
# classes; __setattr__ and __delattr__ come wrapped in setattr()'s and
# delattr()'s checks; __new__ only of a super() object.  The policy
# rewrites every load of one of them to that guarded getattr.
GUARDED_DUNDER_READS = frozenset(("__class__", "__dict__", "__setattr__",
                                  "__delattr__", "__new__"))

# What to write instead of a refused dunder (the denial's HINT).
_PROTOCOL_INSTEAD = {
    "__len__": "len(x)", "__iter__": "iter(x)", "__getitem__": "x[key]",
    "__setitem__": "x[key] = value", "__delitem__": "del x[key]",
    "__contains__": "key in x", "__str__": "str(x)", "__repr__": "repr(x)",
    "__hash__": "hash(x)", "__bool__": "bool(x)", "__call__": "x(...)",
    "__format__": "format(x, spec)", "__int__": "int(x)",
    "__float__": "float(x)", "__eq__": "x == y", "__lt__": "x < y",
    "__reversed__": "reversed(x)", "__bytes__": "bytes(x)",
    "__abs__": "abs(x)", "__round__": "round(x)",
}
DUNDER_INSTEAD = {
    "__new__": 'Call "super().__new__(cls)" in a __new__ method, or the '
               'class itself.',
    "__dict__": "Only instances of your own classes have a readable "
                "__dict__; read other attributes by name with getattr().",
    "__class__": "An object's class cannot be changed; use type(x) to "
                 "read it.",
    "__getattribute__": "Define __getattr__, which is called for the "
                        "attributes that are not found.",
    "__subclasses__": "Use isinstance() and issubclass().",
    "__mro__": "Use isinstance() and issubclass().",
    "__bases__": "Use isinstance() and issubclass().",
    "__base__": "Use isinstance() and issubclass().",
    "__self__": "Keep a reference to the object yourself.",
    "__func__": "Keep a reference to the function yourself.",
    "__wrapped__": "Keep a reference to the wrapped function yourself.",
}
for _n, _w in _PROTOCOL_INSTEAD.items():
    DUNDER_INSTEAD[_n] = "Write %s instead of calling %s." % (_w, _n)
del _n, _w


def dunder_hint(name, write=False):
    """The HINT of a refused dunder: what to write instead, if anything."""
    if write and name != "__class__" and (name in READABLE_DUNDER_ATTRS or
                                          name in GUARDED_DUNDER_READS):
        return HINT_DUNDER + " This one may be read, not assigned or deleted."
    instead = DUNDER_INSTEAD.get(name)
    if instead is None:
        return HINT_DUNDER
    return HINT_DUNDER + " " + instead


# Dunder methods a class body may define: protocol methods of ordinary
# classes, and the hook dataclasses' __init__ calls (records.py).  Not __del__ (runs at an arbitrary later moment), not the pickle,
# copy-state, metaclass, ABC and async hooks; not __index__: C code of 3.11
# calls it between reading a bytearray's buffer and using it
# (bytearray[i] = v, count/find/index/in and their start/end arguments), so
# a user __index__ that resizes the bytearray reads and writes freed memory
# (gh-91153, gh-142558/9/60; docs/security.md).
CLASS_DUNDER_METHODS = frozenset("""
    __init__ __new__ __repr__ __str__ __format__ __bytes__ __hash__ __bool__
    __eq__ __ne__ __lt__ __le__ __gt__ __ge__
    __len__ __length_hint__ __iter__ __next__ __reversed__ __contains__
    __getitem__ __setitem__ __delitem__ __missing__
    __call__ __enter__ __exit__ __getattr__ __setattr__ __delattr__
    __get__ __set__ __delete__ __set_name__ __init_subclass__
    __class_getitem__ __post_init__
    __add__ __radd__ __iadd__ __sub__ __rsub__ __isub__
    __mul__ __rmul__ __imul__ __matmul__ __rmatmul__ __imatmul__
    __truediv__ __rtruediv__ __itruediv__
    __floordiv__ __rfloordiv__ __ifloordiv__ __mod__ __rmod__ __imod__
    __divmod__ __rdivmod__ __pow__ __rpow__ __ipow__
    __lshift__ __rlshift__ __ilshift__ __rshift__ __rrshift__ __irshift__
    __and__ __rand__ __iand__ __xor__ __rxor__ __ixor__
    __or__ __ror__ __ior__
    __neg__ __pos__ __abs__ __invert__ __complex__ __int__ __float__
    __round__ __trunc__ __floor__ __ceil__
""".split())

# Names a class body may assign.
CLASS_DUNDER_ASSIGN = frozenset(("__slots__",))

# Keys the compiler itself puts in a class namespace (a docstring,
# annotations, the class cell, the bases before __mro_entries__).
CLASS_IMPLICIT_KEYS = frozenset(("__module__", "__qualname__", "__doc__",
                                 "__classcell__", "__annotations__",
                                 "__orig_bases__"))


def check_class_namespace(ns):
    """The class-body rule for a namespace that did not come from a class
    body the policy saw: type(name, bases, dict), a metaclass called
    directly, enum's functional API.  sandbox.c calls it for every class
    made while user code runs, with an exact dict copied from the one
    given; a class body's own namespace passes it unchanged."""
    for key in ns:
        if _type(key) is not str:
            _deny('a class attribute named by a "%s" object'
                  % _type(key).__name__, HINT_DUNDER)
        norm = key if key.isascii() else _nfkc(key)
        for n in (key, norm):
            if _is_dunder(n) and n not in CLASS_DUNDER_METHODS and \
                    n not in CLASS_DUNDER_ASSIGN and \
                    n not in CLASS_IMPLICIT_KEYS:
                _deny('name "%s"' % n, HINT_DUNDER)


# Protocol names hasattr() may ask about: it only answers True/False.
HASATTR_DUNDERS = (CLASS_DUNDER_METHODS | READABLE_DUNDER_ATTRS |
                   GUARDED_DUNDER_READS)

# Attribute loads the policy cannot decide statically: rewritten to the
# guarded getattr (str.format field lookups, AttributeError.obj).
DYNAMIC_ATTRS = frozenset(("format", "format_map", "obj"))


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
        if _is_dunder(n):
            if not write and (n in READABLE_DUNDER_ATTRS or
                              n in GUARDED_DUNDER_READS or
                              (for_hasattr and n in HASATTR_DUNDERS)):
                continue
            why = dunder_hint(n, write)
        _deny('attribute "%s"' % n, why)
    if not dunder:
        if len(_plain_names) > 4096:
            _plain_names.clear()
        _plain_names.add(name)
    return name


