"""Statement-level work of test/port.sh on PostgreSQL's plpython suite.

  corpus.py prepare SQLDIR EXPECTEDDIR ADAPTATIONS OUTDIR NAME...
      Copies SQLDIR/NAME.sql to OUTDIR/NAME.sql with our adaptations
      applied (each must match exactly once), and with a marker line
      "\\echo '@@port N'" before each statement N (1-based), so that psql's
      output can be cut into one part per statement; writes the first
      lines of the statements to OUTDIR/NAME.stmts, and PostgreSQL's
      expected outputs of NAME in EXPECTEDDIR ("-": none), adapted
      likewise, to OUTDIR/NAME.expected.N.
  corpus.py compare WORKDIR KNOWN NAME...
      Cuts WORKDIR/NAME.plpython3u.out and WORKDIR/NAME.plsafepy.out at the
      markers, compares them statement by statement, checks the result
      against the list of known differences KNOWN, prints every difference
      and a count by cause, and exits 1 on any new difference, any known
      difference that no longer occurs, or a plpython3u output that is not
      one of PostgreSQL's expected outputs of the file (which shows that
      the run is set up as pg_regress sets up its own).

Statements are cut as psql cuts them: at a semicolon outside quotes,
comments and parentheses, and at a backslash command (which ends at the end
of its line).
"""

import re
import sys

MARK = "@@port "
MARK_LINE = re.compile(r"^\\echo '@@port \d+'$")


def split_statements(text):
    """Cuts SQL text into chunks (text, offset of the statement in it),
    each ending with one statement (the blank lines and comments before a
    statement belong to it); a last chunk may hold no statement (offset
    None)."""
    chunks = []
    start = 0
    i = 0
    n = len(text)
    depth = 0
    seen = None  # where the current chunk's statement starts, if it has begun

    def end_line(i):
        # the rest of a statement's last line stays with it, if blank or
        # a comment, so that the next statement starts on a line of its own
        m = re.compile(r"[ \t]*(--[^\n]*)?\n").match(text, i)
        return m.end() if m else i
    while i < n:
        c = text[i]
        if c == "-" and text.startswith("--", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if c == "/" and text.startswith("/*", i):
            nest = 1
            i += 2
            while i < n and nest:
                if text.startswith("/*", i):
                    nest += 1
                    i += 2
                elif text.startswith("*/", i):
                    nest -= 1
                    i += 2
                else:
                    i += 1
            continue
        if c == "\\":
            # a backslash command: runs to the end of its line and ends
            # the statement (\gset after a query, or a command of its own)
            j = text.find("\n", i)
            chunks.append((text[start:n if j < 0 else j + 1], (i if seen is None else seen) - start))
            i = start = n if j < 0 else j + 1
            seen = None
            depth = 0
            continue
        if c.isspace():
            i += 1
            continue
        if seen is None:
            seen = i
        if c == "'":
            escapes = i > 0 and text[i - 1] in "eE" and (
                i < 2 or not (text[i - 2].isalnum() or text[i - 2] == "_"))
            i += 1
            while i < n:
                if escapes and text[i] == "\\":
                    i += 2
                    continue
                if text[i] == "'":
                    if text.startswith("''", i):
                        i += 2
                        continue
                    break
                i += 1
            i += 1
            continue
        if c == '"':
            j = text.find('"', i + 1)
            i = n if j < 0 else j + 1
            continue
        if c == "$" and not (i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$").match(text, i)
            if m:
                j = text.find(m.group(0), m.end())
                i = n if j < 0 else j + len(m.group(0))
                continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth = max(depth - 1, 0)
        elif c == ";" and depth == 0:
            i = end_line(i + 1)
            chunks.append((text[start:i], seen - start))
            start = i
            seen = None
            continue
        i += 1
    if start < n:
        chunks.append((text[start:], None if seen is None else seen - start))
    return chunks


def first_line(text, offset):
    """The statement's first line, for people."""
    return text[offset:].split("\n", 1)[0].strip()


def read_adaptations(path):
    """Blocks of the adaptations file: "file: NAME", "because: ...", then
    lines "- " (the original text) and "+ " (what replaces it)."""
    blocks = []
    cur = None
    for num, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if line.startswith("#") or not line.strip():
            continue
        if line.startswith("file: "):
            cur = {"file": line[6:].strip(), "because": "", "old": [], "new": [], "line": num}
            blocks.append(cur)
        elif cur is None:
            sys.exit("%s:%d: text before the first \"file:\"" % (path, num))
        elif line.startswith("because: "):
            cur["because"] = line[9:].strip()
        elif line.startswith("-"):
            cur["old"].append(line[2:])
        elif line.startswith("+"):
            cur["new"].append(line[2:])
        else:
            sys.exit("%s:%d: not a file:, because:, - or + line" % (path, num))
    for b in blocks:
        if not b["because"] or not b["old"]:
            sys.exit("%s:%d: an adaptation needs a because: and - lines" % (path, b["line"]))
    return blocks


def adapt(text, blocks, name, where, adaptations):
    """The text with the adaptations of file NAME applied; None if one
    does not match exactly once (said on stdout)."""
    for b in blocks:
        if b["file"] != name:
            continue
        old = "\n".join(b["old"]) + "\n"
        new = "\n".join(b["new"]) + "\n" if b["new"] else ""
        if text.count(old) != 1:
            print("port: adaptation at %s:%d matches %s %d times, not once"
                  % (adaptations, b["line"], where, text.count(old)))
            return None
        text = text.replace(old, new)
    return text


def prepare(sqldir, expdir, adaptations, outdir, names):
    import glob
    import os

    blocks = read_adaptations(adaptations)
    failed = False
    for name in names:
        text = adapt(open("%s/%s.sql" % (sqldir, name), encoding="utf-8").read(),
                     blocks, name, "%s.sql" % name, adaptations)
        if text is None:
            failed = True
            continue
        out = []
        stmts = []
        for chunk, offset in split_statements(text):
            if offset is not None:
                stmts.append(first_line(chunk, offset))
                out.append("\\echo '%s%d'\n" % (MARK, len(stmts)))
            out.append(chunk)
        open("%s/%s.sql" % (outdir, name), "w", encoding="utf-8").write("".join(out))
        open("%s/%s.stmts" % (outdir, name), "w", encoding="utf-8").write(
            "".join(s + "\n" for s in stmts))
        # PostgreSQL's expected outputs (NAME.out and its alternatives
        # NAME_N.out), adapted likewise: their echo of the statements holds
        # the same text.
        if expdir == "-":
            continue
        found = sorted(glob.glob("%s/%s.out" % (expdir, name)) +
                       glob.glob("%s/%s_[0-9].out" % (expdir, name)))
        if not found:
            print("port: no expected output of %s in %s" % (name, expdir))
            failed = True
        for i, path in enumerate(found):
            exp = adapt(open(path, encoding="utf-8").read(), blocks, name,
                        os.path.basename(path), adaptations)
            if exp is None:
                failed = True
                continue
            open("%s/%s.expected.%d" % (outdir, name, i), "w", encoding="utf-8").write(exp)
    for b in blocks:
        if b["file"] not in names:
            print("port: adaptation at %s:%d names %s, which is not run"
                  % (adaptations, b["line"], b["file"]))
            failed = True
    return 1 if failed else 0


def matches_expected(workdir, name):
    """Whether plpython3u's output of NAME, markers removed, is one of
    PostgreSQL's expected outputs (True if NAME has none: extra.sql);
    otherwise prints the difference from the first and returns False."""
    import difflib
    import glob

    found = sorted(glob.glob("%s/%s.expected.[0-9]*" % (workdir, name)))
    if not found:
        return True
    got = [l for l in open("%s/%s.plpython3u.out" % (workdir, name), encoding="utf-8",
                           errors="replace").read().splitlines(True)
           if not MARK_LINE.match(l.rstrip("\n")) and not re.match(r"^@@port \d+$", l.rstrip("\n"))]
    for path in found:
        if open(path, encoding="utf-8").read().splitlines(True) == got:
            return True
    print("NOT AS PUBLISHED: plpython3u's output of %s is not PostgreSQL's expected "
          "output (the run is not set up as pg_regress sets it up):" % name)
    sys.stdout.writelines(list(difflib.unified_diff(
        open(found[0], encoding="utf-8").read().splitlines(True), got,
        "%s (PostgreSQL's expected)" % name, "%s (plpython3u here)" % name))[:60])
    return False


def parts(path):
    """Statement number -> its output (echo and results), cut at the
    markers; what comes before the first marker is part 0."""
    res = {0: []}
    cur = 0
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        if MARK_LINE.match(line):
            continue
        if line.startswith(MARK) and line[len(MARK):].isdigit():
            cur = int(line[len(MARK):])
            res[cur] = []
            continue
        res[cur].append(line)
    return res


def read_known(path):
    """Causes ("cause TAG: text") and known differences ("NAME N TAG |
    first line of the statement")."""
    causes = {}
    known = {}
    for num, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if line.startswith("#") or not line.strip():
            continue
        m = re.match(r"^cause (\S+): (.+)$", line)
        if m:
            causes[m.group(1)] = m.group(2)
            continue
        m = re.match(r"^(\S+) (\d+) (\S+) \| (.*)$", line)
        if not m:
            sys.exit("%s:%d: neither \"cause TAG: text\" nor \"NAME N TAG | statement\"" % (path, num))
        if m.group(3) not in causes:
            sys.exit("%s:%d: cause %s is not defined above it" % (path, num, m.group(3)))
        known[(m.group(1), int(m.group(2)))] = (m.group(3), m.group(4), num)
    return causes, known


def compare(workdir, known_path, names):
    import difflib

    causes, known = read_known(known_path)
    new = []
    seen = set()
    count = {}
    total = 0
    unlike_expected = [name for name in names if not matches_expected(workdir, name)]
    for name in names:
        u = parts("%s/%s.plpython3u.out" % (workdir, name))
        s = parts("%s/%s.plsafepy.out" % (workdir, name))
        stmts = open("%s/%s.stmts" % (workdir, name), encoding="utf-8").read().splitlines()
        text = dict(enumerate(stmts, 1))
        total += len(stmts)
        for k in sorted(set(u) | set(s)):
            if u.get(k) == s.get(k):
                continue
            stmt = text.get(k, "(before the first statement)")
            key = (name, k)
            if key in known and known[key][1] == stmt:
                seen.add(key)
                count[known[key][0]] = count.get(known[key][0], 0) + 1
                print("known difference %s %d (%s): %s" % (name, k, known[key][0], stmt))
                continue
            new.append("%s %d ? | %s" % (name, k, stmt))
            print("NEW DIFFERENCE %s %d: %s" % (name, k, stmt))
            sys.stdout.writelines(difflib.unified_diff(
                [l + "\n" for l in u.get(k, ["(no output)"])],
                [l + "\n" for l in s.get(k, ["(no output)"])],
                "%s %d (plpython3u)" % (name, k), "%s %d (plsafepy)" % (name, k)))
    gone = [k for k in known if k[0] in names and k not in seen]
    for k in sorted(gone):
        print("GONE: known difference %s %d (%s) no longer occurs: %s (remove it from %s)"
              % (k[0], k[1], known[k][0], known[k][1], known_path))
    ndiff = sum(count.values()) + len(new)
    print("port: plpython3u gives PostgreSQL's expected output in %d of %d files of the suite"
          % (len([n for n in names if n != "extra"]) - len(unlike_expected),
             len([n for n in names if n != "extra"])))
    print("port: %d statements in %d files; %d the same, %d differ: %d known, %d new; %d known gone"
          % (total, len(names), total - ndiff, ndiff, sum(count.values()), len(new), len(gone)))
    for tag in causes:
        if count.get(tag):
            print("port:   %3d  %s: %s" % (count[tag], tag, causes[tag]))
    if new:
        print("port: lines for %s, if a new difference is meant (cause to be filled in):" % known_path)
        for line in new:
            print("  " + line)
    return 1 if new or gone or unlike_expected else 0


def main(argv):
    if len(argv) >= 6 and argv[1] == "prepare":
        return prepare(argv[2], argv[3], argv[4], argv[5], argv[6:])
    if len(argv) >= 4 and argv[1] == "compare":
        return compare(argv[2], argv[3], argv[4:])
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
