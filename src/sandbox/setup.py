# setup.py: the entry point sandbox.c calls while an interpreter is built:
# facades, builtins and policy for the role's whitelist.

SandboxError = None
# _reachable: the reachable namespace (builtins.py made it; sandbox.c ran
# names.py and guards.py in it and set it here).


def setup(spec, plpy, print_fn):
    """Build facades, builtins and policy; return (builtins, policy, error).

    _deny_c(what, hint) is sandbox.c's pls_deny: it logs the denial and
    raises SandboxError (42501), which it finds in this namespace.
    """
    global SandboxError

    class SandboxError(plpy.Error):
        """A capability plsafepy does not grant (SQLSTATE 42501)."""
        sqlstate = "42501"

    SandboxError.__module__ = "builtins"
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
    builtins = _make_builtins(_reachable["__builtins__"], print_fn)
    return builtins, make_policy(), PolicyError
