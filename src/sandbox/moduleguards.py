# moduleguards.py: replacements for names of the modules added to the
# default whitelist for ported PL/Python code (docs/modules.md), where the
# real function reaches something the sandbox refuses.
#
# As in safetypes.py, each replacement's globals hold only functions and
# types, never a module, sys or the builtins dict; the real function it
# wraps has a name user code cannot reach (no global of this file is
# reachable: facades hold the replacement itself).

from shlex import split as _real_shlex_split

_str = str
_type = type
_isinstance = isinstance


def shlex_split(s, comments=False, posix=True):
    """shlex.split: only of a string.  The real one, given None, reads the
    server process's standard input."""
    if not _isinstance(s, _str):
        raise TypeError("shlex.split() argument must be a string, not %s"
                        % _type(s).__name__)
    return _real_shlex_split(s, comments, posix)


shlex_split.__name__ = shlex_split.__qualname__ = "split"
shlex_split.__module__ = "shlex"
