# builtins.py: the first trusted part: the restricted builtins dict every
# body runs with, and the reachable namespace the guards are defined in
# (names.py says why there are two namespaces).
#
# The restricted builtins hold the safe builtins, stubs that deny the rest
# by name (guards.py), and the guards.  A C function of the builtins module
# has that module as its __self__ (abs.__self__ is the real builtins
# module, and from any real module __spec__.loader reaches importlib), so
# every one handed out is a copy made by sandbox.c's _detach, whose
# __self__ is None.

import ast
import sys
import types
import unicodedata
import _string

_real_builtins = __builtins__ if isinstance(__builtins__, dict) else __builtins__.__dict__

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
    open exec eval compile globals locals input breakpoint help exit
    quit memoryview copyright credits license aiter anext
""".split()

# Set by sandbox.c before this part runs: _detach(f) (a copy of the C
# function f without its module), _cross(name) (a C function calling the
# trusted namespace's `name`), _deny_c(what, hint), _interruptible_sleep
# (limits.c's sleep on the latch, for time.sleep), _parse_eval (the syntax
# tree of an expression), _zone_data (a zone's time-zone file),
# _xml_entities_check (xml_entities.c: a document's text, or None if it
# declares too many entities).


def _safe(v):
    if _type(v) is types.BuiltinFunctionType:
        return _detach(v)
    return v


_getattr = _detach(getattr)
_setattr = _detach(setattr)
_delattr = _detach(delattr)
_hasattr = _detach(hasattr)
_type = type
_isinstance = _detach(isinstance)


def _shlex_split_real(s, comments, posix):
    """shlex.split, for moduleguards.py's replacement (through _cross):
    the real function's globals hold modules."""
    return sys.modules["shlex"].split(s, comments, posix)


def _literal_eval_real(s):
    """ast.literal_eval of a str, for moduleguards.py's replacement
    (through _cross): parsed by sandbox.c's _parse_eval (compile() is
    audited), evaluated by the real function, which compiles nothing
    when given the tree.  Hands back only the value.  The parser's
    SyntaxWarnings ("invalid decimal literal", one per occurrence) are
    dropped: they would be printed to the server's standard error
    (warnings is loaded with ast: facades.py's LOADED_WITH)."""
    warnings = sys.modules["warnings"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = _parse_eval(s)
    return ast.literal_eval(tree)


# xml.etree.ElementTree's functions that parse with its own parser.
_ETREE_PARSERS = ("XML", "XMLID", "fromstringlist")


def _etree_parse_real(name, items, parser):
    """xml.etree.ElementTree's XML (fromstring), XMLID or fromstringlist,
    for moduleguards.py's replacements (through _cross).  items: the list
    of what is fed (one text, or fromstringlist's).  With ElementTree's own
    parser (parser None), the text is fed only after _xml_entities_check
    counted the entities it declares, and the copy it checked."""
    et = sys.modules["xml.etree.ElementTree"]
    if name not in _ETREE_PARSERS:
        raise ValueError("not a parsing function: %r" % (name,))
    if parser is None:
        items = _xml_entities_check(items)
        if items is None:
            raise et.ParseError(
                "xml.etree.ElementTree in plsafepy parses documents that "
                "declare at most 1000 entities")
    text = items if name == "fromstringlist" else items[0]
    return getattr(et, name)(text, parser)


def _nfkc_real(name):
    """NFKC of a str, for the guards (through _cross: unicodedata's C
    functions need their module, which the guards may not hold)."""
    return unicodedata.normalize("NFKC", str.__str__(name))


def _reachable_namespace():
    """The restricted builtins and the namespace of the parts user code
    can reach (names.py to logbridge.py in SANDBOX_PY): only the restricted
    builtins, plain data, types and C functions without a module."""
    b = {}
    for n in SAFE_BUILTINS:
        b[n] = _safe(_real_builtins[n])
    for n, v in _real_builtins.items():
        if _isinstance(v, type) and issubclass(v, BaseException):
            b[n] = v
    b["__build_class__"] = _detach(_real_builtins["__build_class__"])
    import copy
    import functools
    import io
    import keyword
    import _collections
    import _struct
    import array
    return {
        "__builtins__": b, "__name__": "plsafepy",
        "_getattr": _getattr, "_setattr": _setattr, "_delattr": _delattr,
        "_hasattr": _hasattr, "_type": _type, "_isinstance": _isinstance,
        "_str_format": str.format, "_str_format_map": str.format_map,
        "_nfkc": _cross("_nfkc_real"),
        "_shlex_split_real": _cross("_shlex_split_real"),
        "_literal_eval_real": _cross("_literal_eval_real"),
        "_formatter_parser": _detach(_string.formatter_parser),
        "_formatter_field_name_split":
            _detach(_string.formatter_field_name_split),
        "_ModuleType": types.ModuleType,
        "_BuiltinFunctionType": types.BuiltinFunctionType,
        "_MethodDescriptorType": types.MethodDescriptorType,
        "_UNSAFE_TYPES": (types.ModuleType, types.FrameType, types.CodeType,
                          types.TracebackType),
        "_SimpleNamespace": types.SimpleNamespace,
        "_WRAPPER_ASSIGNMENTS": functools.WRAPPER_ASSIGNMENTS,
        "_WRAPPER_UPDATES": functools.WRAPPER_UPDATES,
        "_deny_c": _deny_c,
        "_interruptible_sleep": _interruptible_sleep,
        "_real_deque": _collections.deque, "_RealStruct": _struct.Struct,
        "_RealArray": array.array,
        "_tuplegetter": _collections._tuplegetter,
        "_iskeyword": keyword.iskeyword, "_deepcopy": copy.deepcopy,
        "_load_facade": _cross("_load"),
        "_zone_data": _zone_data, "_BytesIO": io.BytesIO,
        "_etree_parse_real": _cross("_etree_parse_real"),
        "_package_facade": _cross("package_facade"),
    }


def _make_builtins(b, print_fn):
    """Complete the restricted builtins with the stubs and the guards."""
    for n in DENIED_BUILTINS:
        b[n] = _denied_builtin(n)
    b["getattr"] = guarded_getattr
    b["hasattr"] = guarded_hasattr
    b["setattr"] = guarded_setattr
    b["delattr"] = guarded_delattr
    b["vars"] = guarded_vars
    b["print"] = print_fn
    # Names user code cannot spell (dunders): used by the compiled code.
    b["__import__"] = guarded_import
    b["__pls_import__"] = facade_import
    b["__pls_getattr__"] = guarded_getattr
    b["__pls_callattr__"] = call_attr
    return b
