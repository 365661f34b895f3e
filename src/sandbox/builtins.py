# builtins.py: the restricted builtins dict every body runs with: the safe
# builtins, stubs that deny the rest by name, and the guards.

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


