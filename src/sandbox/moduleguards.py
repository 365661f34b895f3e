# moduleguards.py: replacements for names of the modules added to the
# default whitelist for ported PL/Python code (docs/modules.md), where the
# real function reaches something the sandbox refuses: shlex.split,
# ast.literal_eval, xml.etree.ElementTree's parsing functions; and what
# zoneinfo is given (its data from the host).
#
# This part runs in the reachable namespace (names.py): each replacement's
# globals hold only functions and types, never a module, sys or the
# builtins dict.  The real function is called through a crossing
# (_shlex_split_real, _literal_eval_real, _etree_parse_real: builtins.py),
# which hands back only its result.

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

# The longest text literal_eval parses: parsing is one C call that an
# interrupt cannot stop and whose syntax tree takes about a hundred times
# the text's size (100,000 characters: about 0.3 s and 40 MB at worst).
LITERAL_EVAL_MAX = 100000


def literal_eval(node_or_string):
    """ast.literal_eval of a string: only the value comes back (no syntax
    tree, no parser), and the text is bounded (LITERAL_EVAL_MAX); nesting
    is bounded by the parser's limits and the recursion limit."""
    if not _isinstance(node_or_string, _str):
        raise ValueError("malformed node or string: %r" % (node_or_string,))
    s = _str.lstrip(node_or_string, " \t")
    if "\0" in s:
        raise ValueError("source code string cannot contain null bytes")
    if len(s) > LITERAL_EVAL_MAX:
        raise ValueError("ast.literal_eval in plsafepy takes at most %d "
                         "characters, not %d" % (LITERAL_EVAL_MAX, len(s)))
    return _literal_eval_real(_str.__str__(s))


literal_eval.__module__ = "ast"


class _UserParser:
    """A parser given to xml.etree.ElementTree's XML and kin, as they see
    it: always true.  They take their own parser when the one given is
    false, so a __bool__ false the second time would have them parse a
    text no one checked."""

    __slots__ = ("_parser",)

    def __init__(self, parser):
        self._parser = parser

    def feed(self, data):
        return self._parser.feed(data)

    def close(self):
        return self._parser.close()


def _etree_parser(parser):
    return _UserParser(parser) if parser else None


def etree_XML(text, parser=None):
    """xml.etree.ElementTree.XML (and fromstring): expat expands a chain of
    entities by recursion, with no depth limit (CVE-2024-8176), so the
    document's entities are counted first (builtins.py's
    _etree_parse_real, xml_entities.c)."""
    return _etree_parse_real("XML", [text], _etree_parser(parser))


def etree_XMLID(text, parser=None):
    """xml.etree.ElementTree.XMLID: see etree_XML."""
    return _etree_parse_real("XMLID", [text], _etree_parser(parser))


def etree_fromstringlist(sequence, parser=None):
    """xml.etree.ElementTree.fromstringlist: see etree_XML.  The sequence
    is read once, before anything is parsed."""
    return _etree_parse_real("fromstringlist", list(sequence),
                             _etree_parser(parser))


for _f, _n in ((etree_XML, "XML"), (etree_XMLID, "XMLID"),
               (etree_fromstringlist, "fromstringlist")):
    _f.__name__ = _f.__qualname__ = _n
    _f.__module__ = "xml.etree.ElementTree"
del _f, _n


def _zoneinfo_hooks(validate, not_found, real_fromutc, datetime_type,
                   zoneinfo_type):
    """What facades.py's zoneinfo hook puts into the real modules: the pure
    Python ZoneInfo (sandbox.c blocks the C one) looks a key up with
    _tzpath.find_tzfile, which stats files, then opens the file it found or
    asks _common.load_tzdata; here find_tzfile only checks the key as the
    real one does (validate: its ValueErrors) and finds no file, and
    load_tzdata has the host read the zone's file (_zone_data: the
    backend, in both isolations).  Also the C ZoneInfo's repr and fromutc
    messages, which plpython3u shows."""

    def find_tzfile(key):
        validate(key)
        return None

    def load_tzdata(key):
        data = _zone_data(key) if _isinstance(key, _str) else None
        if data is None:
            raise not_found("No time zone found with key %s" % (key,))
        return _BytesIO(data)

    def zoneinfo_repr(self):
        t = _type(self)
        name = "zoneinfo.ZoneInfo" if t is zoneinfo_type else t.__name__
        if self._key is not None:
            return "%s(key=%r)" % (name, self._key)
        return "%s.from_file(%s)" % (name, self._file_repr)

    def fromutc(self, dt):
        if not _isinstance(dt, datetime_type):
            raise TypeError("fromutc: argument must be a datetime")
        if dt.tzinfo is not self:
            raise ValueError("fromutc: dt.tzinfo is not self")
        return real_fromutc(self, dt)

    zoneinfo_repr.__name__ = zoneinfo_repr.__qualname__ = "__repr__"
    fromutc.__qualname__ = "ZoneInfo.fromutc"
    return find_tzfile, load_tzdata, zoneinfo_repr, fromutc
