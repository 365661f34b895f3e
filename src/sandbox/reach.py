# reach.py: the self-check of the rule names.py states: nothing user code
# can reach holds sys, the real builtins, a real module, the import
# machinery or the trusted namespace.  Run with full Python (it is trusted
# code) by plsafepy_reach_check() (sandbox.c), a C function the extension
# does not declare: only a superuser can create it (test/attacks/
# 18_reach.txt does), and it only reports (the audit hook is off for its
# interpreter while it runs: it reads __code__ and __defaults__).
#
# It starts from what a body is given (the restricted builtins, plpy, the
# facades of every whitelisted module, loaded now) and follows what a
# policy broken by some future bug would let it read: a function's
# __globals__, __builtins__, __closure__ cells, __defaults__,
# __kwdefaults__, __dict__ and __wrapped__; a method's __self__ and
# __func__; a C function's __self__; a class's __dict__; an instance's
# __dict__, slots and class; the items of containers.  It follows only
# plsafepy's own objects: the objects of whitelisted modules a facade
# exports are checked (a facade holding sys is found) but not followed, for
# what they reach (json.dumps.__globals__ is json's namespace,
# math.sqrt.__self__ the math module) is out of this rule's scope
# (docs/security.md).


def _ours(fn):
    """Is fn a function plsafepy's own Python code defined?"""
    if _type(fn) is not types.FunctionType:
        return False
    return fn.__globals__ is globals() or fn.__globals__ is _reachable or \
        fn.__code__.co_filename.startswith("<plsafepy ")


def _is_ours(v):
    """A function, class or instance of plsafepy's own code?"""
    if _ours(v):
        return True
    cls = v if _isinstance(v, type) else _type(v)
    return any(_ours(x) for x in vars(cls).values())


def _forbidden():
    """id -> what, for everything user code must not reach."""
    bad = {id(globals()): "the trusted namespace",
           id(_real_builtins): "the real builtins dict",
           id(sys.modules): "sys.modules", id(sys.meta_path): "sys.meta_path",
           id(sys.path_hooks): "sys.path_hooks",
           id(_targets): "the real OS primitives",
           id(_real_modules): "the real modules of the facades"}
    for n in ("_load_module", "_cross", "_detach", "_loader_pass",
              "_compile_checked", "_drop_unraisable", "_parse_eval",
              "_xml_entities_check"):
        v = globals().get(n)
        if v is not None:
            bad[id(v)] = "trusted helper %s" % n
    for name, m in list(sys.modules.items()):
        # None: a module no plsafepy interpreter imports (sandbox.c)
        if m is None or id(m) in _plpy_ids:
            continue
        bad[id(m)] = "module %s" % name
        d = _getattr(m, "__dict__", None)
        # a real dict only: sys.modules also holds classes (typing.io),
        # whose __dict__ is a new mappingproxy each time, whose id a later
        # one may reuse
        if _type(d) is dict:
            bad[id(d)] = "the namespace of module %s" % name
        for cls in ("BuiltinImporter", "FrozenImporter", "PathFinder",
                    "SourceFileLoader", "ExtensionFileLoader",
                    "SourcelessFileLoader", "FileFinder"):
            v = d.get(cls) if _isinstance(d, dict) else None
            if _isinstance(v, type):
                bad[id(v)] = "the import system's %s" % cls
    for (v, name) in _targets.values():
        bad[id(v)] = "the real %s" % name
    return bad


def _edges(obj):
    """(label, value) pairs a broken policy could read from obj."""
    t = _type(obj)
    if t is dict or t is types.MappingProxyType:
        for k, v in list(obj.items()):
            yield "[%r]" % (k,), v
            yield "<key %r>" % (k,), k
        return
    if t in (list, tuple, set, frozenset):
        for i, v in enumerate(obj):
            yield "[%d]" % i, v
        return
    if t is types.CellType:
        try:
            yield ".cell_contents", obj.cell_contents
        except ValueError:
            pass
        return
    if t is types.FunctionType:
        if not _ours(obj):
            return
        for a in ("__globals__", "__builtins__", "__closure__",
                  "__defaults__", "__kwdefaults__", "__dict__",
                  "__wrapped__"):
            v = _getattr(obj, a, None)
            if v is not None:
                yield "." + a, v
        return
    if t is types.MethodType:
        yield ".__self__", obj.__self__
        yield ".__func__", obj.__func__
        return
    if t is types.BuiltinFunctionType:
        yield ".__self__", obj.__self__
        return
    if _isinstance(obj, type):
        d = obj.__dict__
        if any(_ours(v) or _ours(_getattr(v, "__func__", None))
               for v in d.values()):
            yield ".__dict__", d
        return
    cls = t
    if any(_ours(v) for v in vars(cls).values()):
        yield ".__class__", cls
        d = _getattr(obj, "__dict__", None)
        if d is not None:
            yield ".__dict__", d
        for s in _getattr(cls, "__slots__", ()):
            v = _getattr(obj, s, None)
            if v is not None:
                yield "." + s, v


def _stub_check():
    """Call the loader-window stubs outside the window, after putting the
    import system's finders back into sys.meta_path as code that reached
    sys could: each must still deny (sandbox.c decides from its own state).
    """
    out = []
    saved = list(sys.meta_path)
    sys.meta_path[:] = [sys.modules["_frozen_importlib"].BuiltinImporter]
    try:
        for qualname in sorted(LOADER_PASS):
            mname, name = qualname.split(".")
            mod = sys.modules["posix" if mname == "os" else mname]
            try:
                _getattr(mod, name)()
                out.append("%s passed" % qualname)
            except SandboxError as e:
                out.append(str(e))
            except Exception as e:
                out.append("%s: %s" % (qualname, _type(e).__name__))
    finally:
        sys.meta_path[:] = saved
    return "\n".join(out)


def reach_check(plant=None):
    """The paths from what a body is given to something it must not
    reach, one a line; "ok" if there is none.  plant names an entry of the
    trusted namespace to add to the roots, to show that the walk finds
    what it looks for; ":stubs" checks the loader-window stubs instead."""
    if plant == ":stubs":
        return _stub_check()
    for modname in list(_pending):
        try:
            _load(modname)
        except Exception:
            pass                # not loadable: not importable either
    bad = _forbidden()
    roots = [("builtins", _reachable["__builtins__"])]
    roots += [("plpy(%s)" % n, m) for n, m in _plpy_modules.items()]
    roots += [("import %s" % n, f) for n, f in sorted(_facades.items())]
    if plant is not None:
        roots.append(("planted", globals()[plant]))
    seen = set()
    found = []
    todo = [(path, obj, False) for path, obj in roots]
    while todo:
        nxt = []
        for path, obj, exported in todo:
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            what = bad.get(id(obj))
            if what is None and _isinstance(obj, types.ModuleType) and \
                    id(obj) not in _plpy_ids:
                what = "a module"
            if what is not None:
                found.append("%s: %s" % (path, what))
                continue
            if exported and not _is_ours(obj):
                continue        # a whitelisted module's own object
            if id(obj) in _plpy_ids:
                edges = _edges(vars(obj))
            else:
                edges = _edges(obj)
            facade = _isinstance(obj, module)
            for label, v in edges:
                if facade and label == ".__dict__":
                    # what the facade exports: checked, not followed
                    seen.add(id(v))
                    nxt.extend((path + label + sub, x, True)
                               for sub, x in _edges(v))
                else:
                    nxt.append((path + label, v, False))
        todo = nxt
    return "\n".join(sorted(found)) or "ok"
