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

import ast


class BodyError(Exception):
    """A body that does not parse: (message, line in the body)."""


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
        raise BodyError(e.msg, max((e.lineno or 1) - 1, 1)) from None
    tree = ast.Module(body=parsed.body, type_ignores=[])
    ast.increment_lineno(tree, -1)
    fn = tree.body[0]
    uses_args = want_args and "args" not in params and any(
        isinstance(n, ast.Name) and n.id == "args" for n in ast.walk(fn))
    if uses_args:
        fn.args.args.append(ast.arg(arg="args"))
        ast.fix_missing_locations(tree)
    try:
        code = policy.check_and_compile(tree, name, filename)
    except SyntaxError as e:
        # what only the compiler sees ("'break' outside loop", ...)
        raise BodyError(e.msg, max(e.lineno or 1, 1)) from None
    return code, uses_args
