# compiler.py: turns a function body into a real Python function.
#
# Trusted helper, run in each role's interpreter before lock-down; nothing
# in user code can reach this namespace.  The body is wrapped as PL/Python
# does (a def with every line indented by one tab, so bodies indented as a
# whole still parse), then line numbers are shifted back so that line 1 is
# the first line of the body.  The sandbox's policy checks the body's text
# (characters that change tokenisation), then every node of the whole
# parsed module, and compiles exactly the tree it checked.
#
# procedure.c has already turned \r\n and lone \r line ends into \n, as
# CPython's tokenizer does (inside string literals too), so lines count the
# same for the tokenizer, this wrapper and the traceback's source lines.
#
# In PL/Python the arguments are globals of the function, so bodies write
# `global x; x = x.strip()`; here they are parameters, for which CPython
# refuses `global`.  A parameter named in a `global` statement stays a
# parameter: the statement is dropped from the function itself, and in a
# def or class nested in it becomes `nonlocal`, which reaches the same
# variable (the parameter's cell), one per call as PL/Python's saved
# arguments are one per call (two calls of one set-returning function in
# a query each see their own).  Python's own scope errors ("used prior to
# global declaration") are found first, by compiling (through the policy)
# the body as PL/Python shapes it, the parameter not being one; then the
# policy checks and compiles the rewritten tree, which is what runs.

import ast
import copy
import symtable


class BodyError(Exception):
    """A body that does not parse: (PL/Python's text of the error,)."""


def _body_error(e, shift):
    """BodyError of SyntaxError e, worded as PL/Python's DETAIL: its
    type, message, and the line of PL/Python's wrapped source compiled as
    "<string>" (the body's line + 1, counting the def).  shift turns e's
    line into that one: 0 for an error of the wrapped text, 1 for one of
    the tree whose lines count from the body's first."""
    where = "<string>"
    if e.lineno is not None:
        where += ", line %d" % (e.lineno + shift)
    return BodyError("%s: %s (%s)" % (type(e).__name__, e.msg, where))


def compile_body(name, params, body, filename, policy, want_args):
    """Return (code, uses_args): code defines `name` when run.

    With want_args (functions and procedures, not DO blocks or triggers), a
    body that reads `args` gets it as one more parameter.
    """
    policy.check_source(body)
    src = "def %s(%s):\n\t%s\n" % (name, ", ".join(params),
                                   body.replace("\n", "\n\t"))
    # "single" parses exactly one statement, so anything the body could
    # leave at top level is a syntax error at its line.  It also keeps
    # CPython from looking for a source file named `filename` to show a
    # syntax error's line, which "exec" mode does (an "open" the audit
    # hook would deny and log).  The statement nodes are those of "exec".
    try:
        parsed = ast.parse(src, filename, "single")
    except SyntaxError as e:
        raise _body_error(e, 0) from None
    tree = ast.Module(body=parsed.body, type_ignores=[])
    ast.increment_lineno(tree, -1)
    fn = tree.body[0]
    uses_args = want_args and "args" not in params and any(
        isinstance(n, ast.Name) and n.id == "args" for n in ast.walk(fn))
    if uses_args:
        fn.args.args.append(ast.arg(arg="args"))
        ast.fix_missing_locations(tree)
    _params_as_globals(fn, name, list(params) + ["args"] * uses_args, body,
                       filename, policy)
    try:
        code = policy.check_and_compile(tree, name, filename)
    except SyntaxError as e:
        # what only the compiler sees ("'break' outside loop", ...)
        raise _body_error(e, 1) from None
    return code, uses_args


def _params_as_globals(fn, name, params, body, filename, policy):
    """Rewrite `global p` of each parameter p (see the header comment)."""
    named = {n for node in ast.walk(fn) if type(node) is ast.Global
             for n in node.names}
    declared = named.intersection(params)
    if not declared:
        return
    # Python's verdict on the body with those names as globals, through the
    # policy's compile (CPython's error path looks for a source file, which
    # only that compile refuses quietly); its code is not used.
    probe = copy.deepcopy(fn)
    probe.args.args = [a for a in probe.args.args if a.arg not in declared]
    try:
        policy.check_and_compile(ast.Module(body=[probe], type_ignores=[]),
                                 name, filename)
    except SyntaxError as e:
        raise _body_error(e, 1) from None
    # the same source has no scope error now: symtable opens nothing
    src = "def %s(%s):\n\t%s\n" % (
        name, ", ".join(p for p in params if p not in declared),
        body.replace("\n", "\n\t"))
    table = symtable.symtable(src, filename, "exec").get_children()[0]
    _check_no_shadowing(table, declared, ())
    rw = _Rewriter(declared)
    rw.generic_visit(fn)


def _check_no_shadowing(table, declared, between):
    """`nonlocal p` reaches the parameter only if no function between
    binds p itself; such bodies are refused rather than run differently."""
    for child in table.get_children():
        for p in declared:
            try:
                sym = child.lookup(p)
            except KeyError:
                continue
            if sym.is_declared_global():
                for outer in between:
                    if p in outer.get_identifiers() and \
                            outer.lookup(p).is_local():
                        e = SyntaxError(
                            'plsafepy cannot declare argument "%s" global '
                            'inside a function nested in "%s", which has '
                            'its own "%s"' % (p, outer.get_name(), p))
                        e.lineno = child.get_lineno()
                        raise _body_error(e, 0)
        inner = between
        if child.get_type() == "function":
            inner = between + (child,)
        _check_no_shadowing(child, declared, inner)


class _Rewriter(ast.NodeTransformer):
    def __init__(self, declared):
        self.declared = declared
        self.top = True

    def visit_scope(self, node):
        top, self.top = self.top, False
        self.generic_visit(node)
        self.top = top
        return node

    visit_FunctionDef = visit_AsyncFunctionDef = visit_scope
    visit_ClassDef = visit_Lambda = visit_scope

    def visit_Global(self, node):
        mine = [n for n in node.names if n in self.declared]
        if not mine:
            return node
        rest = [n for n in node.names if n not in self.declared]
        new = [ast.Global(names=rest)] if rest else []
        if not self.top:
            new.append(ast.Nonlocal(names=mine))
        return [ast.copy_location(n, node) for n in new or [ast.Pass()]]
