# names.py: what every part of the sandbox shares: the hints, the denial,
# and the rules for attribute names (which the policy applies at CREATE
# FUNCTION and the guards at run time).
#
# The sandbox's Python side is these files, run in this order in one
# namespace (sandbox.c, pls_py_sandbox): names, guards, safetypes, records,
# logbridge, facades, policy, builtins, lockdown, setup.  Trusted helpers,
# run in each role's interpreter while it is built (before lock-down), with
# the real builtins;
# after lock-down only to build the facade of a whitelisted module the
# first time a body imports it (through sandbox.c's loader).  Nothing
# defined here is reachable from user code except the objects setup()
# hands out: the restricted builtins dict, the policy callable, the module
# facades and the guarded replacements they contain.  Every one of those is
# written so that it never returns a module, frame, code object, traceback,
# the real builtins, or a function that evaluates strings or imports.
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
    __call__ __enter__ __exit__ __getattr__
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


