# policy.py: the compile-time policy.  It denies characters that change
# tokenisation outside string literals in a body's text, then runs an AST
# allowlist over every node of the whole module compiler.py parsed (the
# wrapping def, its arguments and the body), which also rewrites imports
# to facade lookups and the attribute loads only run time can decide to
# the guarded getattr, and compiles exactly the tree it checked.

_ALLOWED_NODES = frozenset(_getattr(ast, n) for n in """
    Module Expression Interactive
    FunctionDef ClassDef Return Delete Assign AugAssign AnnAssign For While
    If With Match Raise Try Assert Import ImportFrom Global Nonlocal Expr
    Pass Break Continue
    BoolOp NamedExpr BinOp UnaryOp Lambda IfExp Dict Set ListComp SetComp
    DictComp GeneratorExp Yield YieldFrom Compare Call FormattedValue
    JoinedStr Constant Attribute Subscript Starred Name List Tuple Slice
    Load Store Del And Or Add Sub Mult MatMult Div Mod Pow LShift RShift
    BitOr BitXor BitAnd FloorDiv Invert Not UAdd USub Eq NotEq Lt LtE Gt GtE
    Is IsNot In NotIn comprehension ExceptHandler arguments arg keyword
    alias withitem match_case MatchValue MatchSingleton MatchSequence
    MatchMapping MatchClass MatchStar MatchAs MatchOr
""".split())

_NODE_WORDS = {
    "AsyncFunctionDef": '"async def"', "AsyncFor": '"async for"',
    "AsyncWith": '"async with"', "Await": '"await"', "TryStar": '"except*"',
}


def _node_desc(node):
    n = _type(node).__name__
    return _NODE_WORDS.get(n, 'syntax "%s"' % n)


def _line(node, default=1):
    return max(_getattr(node, "lineno", default) or default, 1)


def _fail(node, message, hint, line=None):
    raise PolicyError(message, line if line is not None else _line(node), hint)


def _locate(new, like):
    new.lineno = like.lineno
    new.col_offset = like.col_offset
    new.end_lineno = _getattr(like, "end_lineno", like.lineno)
    new.end_col_offset = _getattr(like, "end_col_offset", like.col_offset)
    return new


def _mk_call(fname, args, like):
    """fname(*args), located at `like`; only the new nodes get locations."""
    for a in args:
        if _type(a) is ast.Constant and not _hasattr(a, "lineno"):
            _locate(a, like)
    return _locate(ast.Call(func=_locate(ast.Name(id=fname, ctx=ast.Load()),
                                         like),
                            args=args, keywords=[]), like)


def _is_super_call(node):
    """`super()` as written: the guarded getattr checks at run time that it
    gave a super object (the name may have been rebound)."""
    return (_type(node) is ast.Call and _type(node.func) is ast.Name and
            node.func.id == "super" and not node.args and not node.keywords)


class _Checker(ast.NodeTransformer):
    """Checks one body; rewrites imports and the dynamic attributes."""

    def __init__(self, whitelist_names):
        self.facades = whitelist_names
        self.line = 1
        self.in_class = False

    # -- generic --------------------------------------------------------
    def visit(self, node):
        if _type(node) not in _ALLOWED_NODES:
            _fail(node, "%s is not allowed in plsafepy" % _node_desc(node),
                  "This syntax is not supported by the plsafepy sandbox.",
                  line=_getattr(node, "lineno", None) or self.line)
        if _hasattr(node, "lineno"):
            self.line = max(node.lineno, 1)    # the def itself is line 0
        method = "visit_" + _type(node).__name__
        visitor = _getattr(self, method, None)
        if visitor is None:
            return self.generic_visit(node)
        return visitor(node)

    def name(self, node, name, allow=frozenset()):
        norm = _nfkc(name)
        for n in (name, norm):
            if _is_dunder(n) and n not in allow:
                _fail(node, 'name "%s" is not allowed in plsafepy' % n,
                      HINT_DUNDER, line=self.line)

    # -- names ----------------------------------------------------------
    def visit_Name(self, node):
        allow = frozenset(("__name__",)) if _type(node.ctx) is ast.Load \
            else frozenset()
        if self.in_class and _type(node.ctx) is ast.Store:
            allow = CLASS_DUNDER_ASSIGN
        self.name(node, node.id, allow)
        return node

    def visit_arg(self, node):
        self.name(node, node.arg)
        return self.generic_visit(node)

    def visit_keyword(self, node):
        if node.arg is not None:
            self.name(node, node.arg)
        return self.generic_visit(node)

    def visit_Global(self, node):
        for n in node.names:
            self.name(node, n)
        return node

    visit_Nonlocal = visit_Global

    def visit_ExceptHandler(self, node):
        if node.name is not None:
            self.name(node, node.name)
        return self.generic_visit(node)

    def visit_MatchAs(self, node):
        if node.name is not None:
            self.name(node, node.name)
        return self.generic_visit(node)

    def visit_MatchStar(self, node):
        if node.name is not None:
            self.name(node, node.name)
        return node

    def visit_MatchMapping(self, node):
        if node.rest is not None:
            self.name(node, node.rest)
        return self.generic_visit(node)

    def visit_MatchClass(self, node):
        # C(p1, p2) reads the attributes named by C.__match_args__, which a
        # class built with type() can set to anything: an unguarded getattr.
        if node.patterns:
            _fail(node, "positional sub-patterns in class patterns are not "
                  "allowed in plsafepy",
                  'Use keyword sub-patterns ("case C(x=p)") or "case C() as '
                  'name".', line=self.line)
        for a in node.kwd_attrs:
            self.attr(node, a, ast.Load(), rewritten=False)
        return self.generic_visit(node)

    def _scoped(self, in_class, visit, arg):
        """visit(arg) with self.in_class set to in_class (a class body's
        names may be protocol dunders; a function's, lambda's or
        comprehension's may not)."""
        saved = self.in_class
        self.in_class = in_class
        try:
            return visit(arg)
        finally:
            self.in_class = saved

    def visit_FunctionDef(self, node):
        allow = CLASS_DUNDER_METHODS if self.in_class else frozenset()
        self.name(node, node.name, allow)
        # decorators, defaults and annotations belong to the outer scope
        for d in node.decorator_list:
            self.visit(d)
        self.visit(node.args)
        if node.returns is not None:
            self.visit(node.returns)
        node.body = self._scoped(False, self._stmts, node.body)
        return node

    def visit_Lambda(self, node):
        return self._scoped(False, self.generic_visit, node)

    def visit_ClassDef(self, node):
        self.name(node, node.name)
        for d in node.decorator_list:
            self.visit(d)
        for b in node.bases:
            self.visit(b)
        for k in node.keywords:
            self.visit(k)
        node.body = self._scoped(True, self._stmts, node.body)
        return node

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = \
        visit_Lambda

    # -- attributes -----------------------------------------------------
    def attr(self, node, a, ctx, rewritten=True):
        """Check attribute name `a`; `rewritten`: a load of a guarded dunder
        will go through the guarded getattr (a class pattern's keyword
        reads it with the real one)."""
        load = _type(ctx) is ast.Load
        for n in (a, _nfkc(a)):
            why = _blocked_attr(n)
            if why is None:
                continue
            if _is_dunder(n):
                if load and (n in READABLE_DUNDER_ATTRS or
                             (rewritten and n in GUARDED_DUNDER_READS)):
                    continue
                why = dunder_hint(n, not load)
            _fail(node, 'attribute "%s" is not allowed in plsafepy' % n, why,
                  line=self.line)

    def visit_Call(self, node):
        f = node.func
        if _type(f) is ast.Attribute and _type(f.ctx) is ast.Load and \
                _nfkc(f.attr) in ("format", "format_map"):
            self.attr(f, f.attr, f.ctx)
            value = self.visit(f.value)
            args = [self.visit(a) for a in node.args]
            keywords = [self.visit(k) for k in node.keywords]
            call = _mk_call("__pls_callattr__",
                            [value, ast.Constant(value=f.attr)] + args, f)
            call.keywords = keywords
            return call
        return self.generic_visit(node)

    def visit_Attribute(self, node):
        self.attr(node, node.attr, node.ctx)
        name = _nfkc(node.attr)
        if name == "__new__" and not _is_super_call(node.value):
            _fail(node, 'attribute "__new__" is not allowed in plsafepy',
                  dunder_hint(name), line=self.line)
        node = self.generic_visit(node)
        if _type(node.ctx) is ast.Load and (name in DYNAMIC_ATTRS or
                                            name in GUARDED_DUNDER_READS):
            return _mk_call("__pls_getattr__",
                            [node.value, ast.Constant(value=node.attr)], node)
        return node

    # -- imports --------------------------------------------------------
    def _import_assign(self, node, target, args):
        self.name(node, target)
        a = ast.Assign(targets=[_locate(ast.Name(id=target, ctx=ast.Store()),
                                        node)],
                       value=_mk_call("__pls_import__",
                                      [ast.Constant(value=x) for x in args],
                                      node))
        return _locate(a, node)

    def _check_module(self, node, modname):
        if modname not in self.facades:
            _fail(node, 'import of module "%s" is not allowed' % modname,
                  HINT_MODULES, line=self.line)

    def visit_Import(self, node):
        out = []
        for al in node.names:
            modname = al.name
            self._check_module(node, modname)
            if "." in modname and al.asname is None:
                top = modname.split(".")[0]
                if top == "plpy":
                    # binds plpy, whose attribute the submodule is
                    out.append(self._import_assign(node, top, [top]))
                    continue
                # binds the top package, which leads to the submodule
                out.append(self._import_assign(node, top,
                                               [modname, None, True]))
                continue
            target = al.asname or modname
            out.append(self._import_assign(node, target, [modname]))
        return out

    def visit_ImportFrom(self, node):
        if node.level:
            _fail(node, "relative imports are not allowed in plsafepy",
                  HINT_MODULES, line=self.line)
        modname = node.module or ""
        out = []
        for al in node.names:
            # a whitelisted submodule, whether or not its package is
            # (from xml.etree import ElementTree)
            sub = modname + "." + al.name
            if al.name != "*" and sub in self.facades:
                self.name(node, al.name)
                out.append(self._import_assign(node, al.asname or al.name,
                                               [sub]))
                continue
            self._check_module(node, modname)
            if al.name == "*":
                _fail(node, '"from %s import *" is not allowed in plsafepy'
                      % modname, "Import the names you need.",
                      line=self.line)
            self.name(node, al.name)
            if al.name not in self.facades[modname]:
                _fail(node, 'import of "%s" from module "%s" is not allowed'
                      % (al.name, modname),
                      HINT_SYS if modname == "sys" else HINT_MODULES,
                      line=self.line)
            out.append(self._import_assign(node, al.asname or al.name,
                                           [modname, al.name]))
        return out

    # -- statements lists ----------------------------------------------
    def _stmts(self, stmts):
        out = []
        for s in stmts:
            r = self.visit(s)
            if r is None:
                continue
            if _isinstance(r, list):
                out.extend(r)
            else:
                out.append(r)
        return out

    def generic_visit(self, node):
        for field, old in ast.iter_fields(node):
            if _isinstance(old, list):
                if old and _isinstance(old[0], ast.stmt):
                    old[:] = self._stmts(old)
                    continue
                new = []
                for v in old:
                    if _isinstance(v, ast.AST):
                        v = self.visit(v)
                        if v is None:
                            continue
                        if _isinstance(v, list):
                            new.extend(v)
                            continue
                    new.append(v)
                old[:] = new
            elif _isinstance(old, ast.AST):
                new_node = self.visit(old)
                if new_node is None:
                    delattr(node, field)
                else:
                    _setattr(node, field, new_node)
        return node


class _ModuleNames:
    """Importable module -> its names, for the policy; loads on demand."""

    def __init__(self, plpy_names):
        self._plpy = plpy_names

    def __contains__(self, modname):
        return (modname in _facades or modname in _pending
                or modname in self._plpy)

    def __getitem__(self, modname):
        names = self._plpy.get(modname)
        if names is not None:
            return names
        f = _load(modname)
        if f is None:
            raise KeyError(modname)
        return f.__dict__


# Characters a body may hold only inside string literals.  CPython 3.11's
# tokenizer resets the indentation column at a form feed, so a body line
# starting with one would leave the wrapping def; the other C0 and C1
# controls, DEL and the byte order mark are errors outside strings;
# \v, \f, \x1c-\x1e, U+0085, U+2028 and U+2029 are line breaks to
# str.splitlines (not to the tokenizer), so a reader of the source would
# count lines differently.  Outside strings (code and comments) each is
# denied, naming it.  Tab and newline are the only controls left; procedure.c
# has turned carriage returns into newlines, as the tokenizer would.
_BAD_CHARS = frozenset([chr(c) for c in range(0x20) if c not in (9, 10)] +
                       [chr(c) for c in range(0x7f, 0xa0)] +
                       ["\u2028", "\u2029", "\ufeff"])
_CHAR_NAMES = {0x00: "NUL", 0x0b: "vertical tab", 0x0c: "form feed",
               0x0d: "carriage return", 0x1c: "file separator",
               0x1d: "group separator", 0x1e: "record separator",
               0x1f: "unit separator", 0x85: "next line",
               0x2028: "line separator", 0x2029: "paragraph separator",
               0xfeff: "byte order mark"}
HINT_CHARS = ("Control characters, line and paragraph separators and byte "
              "order marks may appear only inside string literals; write "
              "them as escapes (\"\\f\").")


def _deny_char(c, line):
    raise PolicyError("character U+%04X (%s) outside a string literal is not "
                      "allowed in plsafepy"
                      % (ord(c), _CHAR_NAMES.get(ord(c), "control character")),
                      line, HINT_CHARS)


def check_source(body):
    """Deny a character of _BAD_CHARS outside string literals.

    Strings are found as CPython 3.11 tokenises them (an f-string is one
    string token; a backslash escapes the next character, a newline too, in
    raw strings as well; a single-quoted string ends at a newline, where
    the tokenizer reports it unterminated).  Should this scan and the
    tokenizer ever disagree, the policy still checks every node of what
    was parsed, and "single" mode refuses anything outside the def.
    """
    if _BAD_CHARS.isdisjoint(body):
        return
    line, i, n = 1, 0, len(body)
    quote = None            # the open string's quote, or None
    comment = False
    while i < n:
        c = body[i]
        if c == "\n":
            line += 1
            comment = False
            if quote is not None and len(quote) == 1:
                quote = None
        elif quote is not None:
            if c == "\\":
                i += 1
                if i < n and body[i] == "\n":
                    line += 1
            elif body.startswith(quote, i):
                i += len(quote) - 1
                quote = None
        elif c in _BAD_CHARS:
            _deny_char(c, line)
        elif comment:
            pass
        elif c == "#":
            comment = True
        elif c == "'" or c == '"':
            quote = c * 3 if body.startswith(c * 3, i) else c
            i += len(quote) - 1
        i += 1


def _check_shape(tree, name):
    """The whole module must be the wrapping def and nothing else."""
    if len(tree.body) != 1 or _type(tree.body[0]) is not ast.FunctionDef \
            or tree.body[0].name != name:
        extra = tree.body[1] if len(tree.body) > 1 else tree.body[0]
        _fail(extra, "code outside the function body is not allowed in "
              "plsafepy", "The body of a function is indented as one block.")


class _Policy:
    """What compiler.py calls: check_source, then check_and_compile."""

    def __init__(self, names):
        self._names = names

    check_source = staticmethod(check_source)

    def check_and_compile(self, tree, name, filename):
        """Check (and rewrite in place) every node of the module `tree`,
        then compile exactly that tree."""
        _check_shape(tree, name)
        _Checker(self._names).visit(tree)
        return _compile_checked(tree, filename)


def make_policy():
    return _Policy(_ModuleNames({
        m: frozenset(n for n in dir(mod) if not n.startswith("_"))
        for m, mod in _plpy_modules.items()}))
