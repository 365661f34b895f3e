# lockdown.py: the lock-down sandbox.c calls last: OS primitives replaced by
# denying stubs in every module dict, the codec search through the loader,
# the import system closed.

# OS-level modules whose functions have no audit event (or whose audit
# event we do not want to be the only fence): every function of these is
# replaced by a denying stub in every module dict that holds it.
NEUTER_MODULES = ("posix", "_posixsubprocess", "faulthandler", "fcntl",
                  "select", "mmap", "resource", "termios", "pwd", "grp",
                  "_socket", "_ctypes", "syslog", "_signal", "signal",
                  "_posixshmem", "_multiprocessing")
# What trusted code of the whitelisted modules needs and cannot misuse
# (_path_normpath: os.path.normpath's string computation, for zoneinfo).
NEUTER_KEEP = frozenset((
    "fspath", "strerror", "urandom", "getpid", "cpu_count", "fsencode",
    "_path_normpath",
    "fsdecode", "WIFEXITED", "WEXITSTATUS", "WIFSIGNALED", "WTERMSIG",
    "WIFSTOPPED", "WSTOPSIG", "WCOREDUMP", "WIFCONTINUED", "get_blocking",
    "default_int_handler", "getsignal", "strsignal", "valid_signals",
))
NEUTER_SYS = ("setrecursionlimit", "setswitchinterval", "setdlopenflags",
              "set_asyncgen_hooks", "set_coroutine_origin_tracking_depth",
              "settrace", "setprofile", "_getframe", "_current_frames",
              "_current_exceptions", "exit", "addaudithook",
              "_clear_type_cache", "breakpointhook", "call_tracing",
              "activate_stack_trampoline", "_debugmallocstats",
              "set_int_max_str_digits")
NEUTER_THREAD = ("start_new_thread", "start_new", "interrupt_main")


# Module constructors of the import system: none of them raises an audit
# event in 3.11 (_imp.create_builtin(spec) would build a fresh, un-neutered
# posix), and only importlib's loaders, inside sandbox_loader.c's loader, need
# them.
NEUTER_IMP = ("create_builtin", "exec_builtin", "create_dynamic",
              "exec_dynamic", "init_frozen", "get_frozen_object",
              "find_frozen", "_fix_co_filename",
              "_override_frozen_modules_for_tests")

# Stubs that call the real function while (and only while) sandbox_loader.c's
# loader has the import system open and the caller is not a function body
# (sandbox_loader.c, _loader_pass, decides from C state): the module constructors
# above, and what the module code of whitelisted modules calls while they
# are imported, after lock-down (random: os.register_at_fork; uuid, through
# platform: os.uname; zoneinfo, through sysconfig, which resolves its paths
# and its user base: os.getcwd, os.stat, os.lstat, os.readlink where
# sys.executable's path has a symbolic link (it is found on the server's
# PATH), os.getuid and, when HOME is not set, pwd.getpwuid).
LOADER_PASS = frozenset(["os.register_at_fork", "os.uname", "os.getcwd",
                         "os.stat", "os.lstat", "os.readlink", "os.getuid",
                         "pwd.getpwuid"] +
                        ["_imp." + n for n in NEUTER_IMP])


def _make_stub(qualname, real):
    if qualname in LOADER_PASS:
        return _loader_pass(qualname, real)
    return _neutered(qualname)


# Every primitive found so far (id -> (object, name)) and its stub: kept,
# so that a pass after a module was loaded still knows the real objects
# although the OS modules' own dicts hold stubs by then.
_targets = {}
_stubs = {}
_stub_ids = set()


def _neuter():
    """Replace OS primitives by stubs in every module dict (again after a
    module was loaded), and remember every module dict."""
    mods = dict(sys.modules)
    for mname in NEUTER_MODULES:
        m = mods.get(mname)
        if m is None:
            continue
        for n, v in list(vars(m).items()):
            if n in NEUTER_KEEP or n.startswith("__") or id(v) in _stub_ids:
                continue
            if callable(v) and not _isinstance(v, type):
                _targets[id(v)] = (v, "%s.%s" % (
                    "os" if mname == "posix" else mname, n))
    for mname, names in (("sys", NEUTER_SYS), ("_thread", NEUTER_THREAD),
                         ("_imp", NEUTER_IMP)):
        m = mods.get(mname)
        if m is None:
            continue
        for n in names:
            v = vars(m).get(n)
            if v is not None and id(v) not in _stub_ids:
                _targets[id(v)] = (v, "%s.%s" % (mname, n))
    for m in mods.values():
        d = _getattr(m, "__dict__", None)
        if not _isinstance(d, dict):
            continue
        _module_dict_ids.add(id(d))
        for n, v in list(d.items()):
            t = _targets.get(id(v))
            if t is not None and t[0] is v:
                s = _stubs.get(id(v))
                if s is None:
                    s = _stubs[id(v)] = _make_stub(t[1], t[0])
                    _stub_ids.add(id(s))
                d[n] = s


def _denied_write(*args, **kwargs):
    raise PermissionError("plsafepy's module loader does not write files")


def _private_os_for_loader():
    """The file system calls importlib's path finder makes (stat, listdir,
    getcwd), in an object of its own, so that sandbox_loader.c's loader can find
    modules once the OS module's own dict holds only stubs.  Only that
    machinery holds it; nothing hands it out (modules never are)."""
    posix = sys.modules["posix"]
    ns = types.SimpleNamespace(
        stat=posix.stat, getcwd=posix.getcwd, listdir=posix.listdir,
        fspath=posix.fspath, O_CREAT=posix.O_CREAT, O_EXCL=posix.O_EXCL,
        O_WRONLY=posix.O_WRONLY, open=_denied_write, mkdir=_denied_write,
        replace=_denied_write, unlink=_denied_write)
    vars(sys.modules["_frozen_importlib_external"])["_os"] = ns


_codec_misses = set()


def _codec_search(encoding):
    """The codec search function, in place of encodings.search_function,
    whose import of the codec module the closed import system would refuse:
    the module is loaded through sandbox_loader.c's loader first, then encodings'
    function finds it in sys.modules.  Importing the dozen codecs user code
    might want while every interpreter is built cost as much as the rest of
    its start-up."""
    if encoding in _codec_misses:
        return None
    norm = _encodings.normalize_encoding(encoding)
    for modname in (_encodings._aliases.get(norm)
                    or _encodings._aliases.get(norm.replace(".", "_")),
                    norm):
        if not modname or not modname.isidentifier():
            continue
        full = "encodings." + modname
        if full not in sys.modules:
            try:
                load_real(full)
            except ImportError:
                continue
        return _encodings.search_function(encoding)
    _codec_misses.add(encoding)
    return None


def _install_codec_search():
    global _encodings
    import codecs
    _encodings = sys.modules["encodings"]
    codecs.unregister(_encodings.search_function)
    codecs.register(_codec_search)


def lockdown():
    """Neuter OS primitives everywhere, then close the import system."""
    # posixpath.expanduser imports pwd on first use: a stub from the start,
    # whichever module's code asks for it later (LOADER_PASS)
    import pwd
    _install_codec_search()
    _private_os_for_loader()
    _neuter()
    # builtins module's own dict, and the main module's
    _module_dict_ids.add(id(_real_builtins))
    # Exceptions in finalizers would be printed into the server log: they
    # are dropped, by a hook in C that an interrupt cannot stop (limits.c).
    sys.unraisablehook = _drop_unraisable     # limits.c's, from sandbox.c
    # Close the import system: nothing new can be found or loaded.
    sys.meta_path[:] = []
    sys.path_hooks[:] = []
    sys.path[:] = []
    sys.path_importer_cache.clear()


