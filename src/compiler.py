# compiler.py: turns a function body into a real Python function.
#
# Trusted helper, run in each role's interpreter before lock-down; nothing
# in user code can reach this namespace.  The body is wrapped as PL/Python
# does (a def with every line indented by one tab, so bodies indented as a
# whole still parse), then line numbers are shifted back so that line 1 is
# the first line of the body.  The sandbox's policy sees the tree before
# anything is compiled.

import ast


class BodyError(Exception):
    """A body that does not parse: (message, line in the body)."""


def compile_body(name, params, body, filename, check, want_args):
    """Return (code, uses_args): code defines `name` when run.

    With want_args (functions and procedures, not DO blocks or triggers), a
    body that reads `args` gets it as one more parameter.
    """
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    src = "def %s(%s):\n\t%s\n" % (name, ", ".join(params),
                                   body.replace("\n", "\n\t"))
    try:
        tree = ast.parse(src, filename)
    except SyntaxError as e:
        line = (e.lineno or 1) - 1
        raise BodyError(e.msg, max(line, 1)) from None
    ast.increment_lineno(tree, -1)
    fn = tree.body[0]
    if check is not None:
        check(fn.body)
    uses_args = want_args and "args" not in params and any(
        isinstance(n, ast.Name) and n.id == "args" for n in ast.walk(fn))
    if uses_args:
        fn.args.args.append(ast.arg(arg="args"))
        ast.fix_missing_locations(tree)
    return compile(tree, filename, "exec", dont_inherit=True), uses_args
