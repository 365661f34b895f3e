# moduleguards.py: replacements for names of the modules added to the
# default whitelist for ported PL/Python code (docs/modules.md), where the
# real function reaches something the sandbox refuses.
#
# This part runs in the reachable namespace (names.py): each replacement's
# globals hold only functions and types, never a module, sys or the
# builtins dict.  The real function is called through a crossing
# (_shlex_split_real, builtins.py), which hands back only its result.

_str = str


def shlex_split(s, comments=False, posix=True):
    """shlex.split: only of a string.  The real one, given None, reads the
    server process's standard input."""
    if not _isinstance(s, _str):
        raise TypeError("shlex.split() argument must be a string, not %s"
                        % _type(s).__name__)
    return _shlex_split_real(s, comments, posix)


shlex_split.__name__ = shlex_split.__qualname__ = "split"
shlex_split.__module__ = "shlex"
