#!/usr/bin/python3
# Driver of the plsafepy red-team suite (test/attacks.sh runs it).
#
# test/attacks/*.txt hold the attacks, one block each:
#
#   ### attack: short-name
#   ### expect: 42501: SandboxError: open() is not allowed in plsafepy
#   ### kind: function | do | sql      (default: function)
#   ### as: role                       (default: pls_attacker)
#   ### setup: SQL run first as the superuser (may repeat)
#   ### alive: no                      (the session may end, e.g. FATAL;
#                                       the cluster must still not restart)
#   ### body-escapes: yes              (decode \f \v \r \n \t \\ \xHH
#                                       \uHHHH in the body: characters a
#                                       text file cannot hold as written;
#                                       a literal backslash is then \\)
#   body...
#
# kind function: the body becomes a plsafepy function returning text, then
# is called; do: a DO block; sql: the body is SQL.  The expectation is the
# first error, as "SQLSTATE: message" (psql's verbose form), or "ok: X"
# where X is the query output (psql -At, lines joined with " | ").
# Every attack runs in a new session (a new interpreter), logged in as the
# role itself with a password, never through SET ROLE.  After each attack
# the same session must still answer (the backend survived), and at the
# end the postmaster must not have restarted (no crash recovery).
#
# The suite runs twice, with plsafepy.isolation set for the attack
# database: inline, then process (the default: every role's functions in
# its worker), with the same expectations, except the attacks listed in
# test/attacks/process-differences with their process-mode outcome and
# cause; a difference not listed, or a listed one that no longer occurs,
# fails.  Arguments: attack files (default: all), and --mode inline or
# --mode process for one pass only.
import glob
import os
import re
import subprocess
import sys

DB = "plsafepy_attacks"
ROLES = {"pls_attacker": "pls_attacker_pw", "pls_victim": "pls_victim_pw",
         "pls_other": "pls_other_pw"}

SETUP = """
DROP DATABASE IF EXISTS %(db)s;
CREATE DATABASE %(db)s;
""" % {"db": DB}

SETUP_DB = r"""
CREATE EXTENSION plsafepy;
CREATE EXTENSION plpython3u;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
CREATE SCHEMA atk AUTHORIZATION pls_attacker;
CREATE SCHEMA vic AUTHORIZATION pls_victim;
GRANT USAGE ON SCHEMA vic TO PUBLIC;
CREATE SCHEMA su;
GRANT USAGE ON SCHEMA su TO PUBLIC;
CREATE TABLE su.secret (s text);
INSERT INTO su.secret VALUES ('top secret');

-- a superuser's SECURITY DEFINER function: runs in the superuser's
-- interpreter whoever calls it
CREATE FUNCTION su.definer() RETURNS text LANGUAGE plsafepy
SECURITY DEFINER AS $$
import json, math
GD.setdefault('calls', 0)
GD['calls'] += 1
return "%s %s %s %s" % (json.dumps([1]), math.sqrt(16), GD.get('evil'),
                        sorted(k for k in GD))
$$;
GRANT EXECUTE ON FUNCTION su.definer() TO PUBLIC;
CREATE FUNCTION su.dec() RETURNS text LANGUAGE plsafepy
SECURITY DEFINER AS $$
import decimal, random
random.seed(7)
return "%s %s" % (decimal.Decimal(1) / decimal.Decimal(7), random.randint(1, 10**6))
$$;
GRANT EXECUTE ON FUNCTION su.dec() TO PUBLIC;

-- the victim's functions (owned by pls_victim, SECURITY DEFINER)
SET ROLE pls_victim;
CREATE FUNCTION vic.remember(v text) RETURNS text LANGUAGE plsafepy
SECURITY DEFINER AS $$
GD['secret'] = v
SD['secret'] = v
return 'stored'
$$;
CREATE FUNCTION vic.peek() RETURNS text LANGUAGE plsafepy
SECURITY DEFINER AS $$
import json, re
return "%s %s %s" % (GD.get('secret'), GD.get('evil'), json.dumps({'a': 1}))
$$;
RESET ROLE;
"""

TEARDOWN = "DROP DATABASE IF EXISTS %s;" % DB


def psql(sql, user=None, db=DB, password=None):
    env = dict(os.environ)
    if user is not None:
        env["PGUSER"] = user
        env["PGPASSWORD"] = password
        env["PGHOST"] = env.get("PGHOST") or "localhost"
        if env["PGHOST"].startswith("/"):
            env["PGHOST"] = "localhost"
    p = subprocess.run(["psql", "-X", "-q", "-At", "-d", db,
                        "-v", "VERBOSITY=verbose", "-v", "SHOW_CONTEXT=never",
                        "-v", "ON_ERROR_STOP=0"],
                       input=sql, capture_output=True, text=True, env=env,
                       timeout=120)
    return p.returncode, p.stdout, p.stderr


def su(sql, db=DB):
    rc, out, err = psql("\\set ON_ERROR_STOP 1\n" + sql, db=db)
    if rc != 0:
        sys.exit("setup failed:\n%s\n%s" % (sql, err))
    return out


ESCAPES = {"f": "\f", "v": "\v", "r": "\r", "n": "\n", "t": "\t",
           "\\": "\\"}
ESCAPE_RE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|[fvrnt\\])")


def decode_escapes(body):
    """The body of a "body-escapes: yes" block; any other backslash is an
    error of the file."""
    if "\\" in ESCAPE_RE.sub("", body):
        sys.exit("unknown escape in body:\n%s" % body)
    return ESCAPE_RE.sub(lambda m: ESCAPES.get(m.group(1)) or
                         chr(int(m.group(1)[1:], 16)), body)


def parse(path):
    attacks = []
    cur = None
    with open(path) as f:
        for line in f:
            m = re.match(r"^### (\w[\w-]*):\s?(.*)$", line.rstrip("\n"))
            if m and m.group(1) == "attack":
                cur = {"name": m.group(2).strip(), "expect": None,
                       "alive": "yes",
                       "kind": "function", "as": "pls_attacker",
                       "setup": [], "body": [], "body-escapes": "no",
                       "file": os.path.basename(path)}
                attacks.append(cur)
            elif m and cur is not None and not cur["body"]:
                k, v = m.group(1), m.group(2)
                if k == "setup":
                    cur["setup"].append(v)
                elif k in ("expect", "kind", "as", "alive", "body-escapes"):
                    cur[k] = v.strip()
                else:
                    sys.exit("%s: unknown key %s" % (path, k))
            elif cur is not None:
                cur["body"].append(line)
    for a in attacks:
        while a["body"] and not a["body"][-1].strip():
            a["body"].pop()
        a["body"] = "".join(a["body"])
        if a["body-escapes"] == "yes":
            a["body"] = decode_escapes(a["body"])
        if not a["expect"]:
            sys.exit("%s: attack %s has no expect" % (path, a["name"]))
    return attacks


def script(a, n):
    body = a["body"]
    if a["kind"] == "function":
        fn = "atk.a%d" % n
        return ("CREATE FUNCTION %s() RETURNS text LANGUAGE plsafepy AS "
                "$pls$\n%s\n$pls$;\nSELECT %s();\n" % (fn, body, fn))
    if a["kind"] == "do":
        return "DO LANGUAGE plsafepy $pls$\n%s\n$pls$;\n" % body
    if a["kind"] == "sql":
        return body + "\n"
    sys.exit("attack %s: unknown kind %s" % (a["name"], a["kind"]))


def outcome(out, err):
    for line in err.splitlines():
        m = re.match(r"^(?:psql:[^:]*:\d+: )?(ERROR|FATAL|PANIC):  (.*)$", line)
        if m:
            return m.group(2)
        if "server closed the connection" in line or \
                "connection to server was lost" in line:
            return "CRASH: " + line
    lines = [l for l in out.splitlines() if l != "backend-alive"]
    return "ok: " + " | ".join(lines)


DIFFERENCES = "test/attacks/process-differences"


def known_differences():
    """{attack name: (outcome in process mode, cause)} from DIFFERENCES:
    lines "name | outcome | cause", # comments."""
    known = {}
    with open(DIFFERENCES) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.rstrip("\n").split(" | ")
            if len(parts) < 3 or parts[0] in known:
                sys.exit("%s: bad line: %s" % (DIFFERENCES, line))
            # an outcome may hold " | " (the lines of a result)
            known[parts[0]] = (" | ".join(parts[1:-1]), parts[-1])
    return known


def setup(mode):
    """A fresh database and roles without settings, for one pass."""
    su(SETUP, db="postgres")
    for r, pw in ROLES.items():
        su("""DO $$ BEGIN
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '%s') THEN
                CREATE ROLE %s LOGIN PASSWORD '%s';
              END IF; END $$;
              ALTER ROLE %s RESET ALL;""" % (r, r, pw, r), db="postgres")
    su(SETUP_DB)
    # explicit in both passes: the pass tests its mode whatever the default
    su("ALTER DATABASE %s SET plsafepy.isolation = %s;" % (DB, mode),
       db="postgres")


def run_pass(attacks, mode, known):
    """Every attack once in mode; the names of those that failed."""
    setup(mode)
    failed = []
    for n, a in enumerate(attacks, 1):
        for s in a["setup"]:
            su(s)
        user = a["as"]
        rc, out, err = psql(script(a, n) + "SELECT 'backend-alive';\n",
                            user=user, password=ROLES[user])
        got = outcome(out, err)
        alive = "backend-alive" in out.splitlines()
        if a["alive"] == "no" and not alive:
            # the session ended on purpose: the cluster must still accept
            # a new session at once (no crash recovery)
            rc2, out2, err2 = psql("SELECT 'backend-alive';\n")
            alive = "backend-alive" in out2.splitlines()
        expect = a["expect"]
        if mode == "process" and a["name"] in known:
            expect = known[a["name"]][0]
            if got == a["expect"]:
                expect = "a difference (listed in %s: %s)" % (
                    DIFFERENCES, known[a["name"]][1])
        ok = got == expect and alive
        status = "ok  " if ok else "FAIL"
        print("%s %-7s %-22s %s" % (status, mode, a["file"][:-4], a["name"]))
        if not ok:
            failed.append("%s (%s)" % (a["name"], mode))
            print("     expected: %s\n     got:      %s%s" % (
                expect, got, "" if alive else "\n     (backend died)"))
            if os.environ.get("ATTACKS_VERBOSE"):
                print(err)
    return failed


def main():
    args = sys.argv[1:]
    modes = ["inline", "process"]
    if len(args) >= 2 and args[0] == "--mode":
        modes = [args[1]]
        args = args[2:]
    files = args or sorted(glob.glob("test/attacks/*.txt"))
    attacks = []
    for f in files:
        attacks.extend(parse(f))
    known = known_differences()
    names = set(a["name"] for a in attacks)
    if len(names) != len(attacks):
        sys.exit("attack names are not unique")
    if not args:
        for name in known:
            if name not in names:
                sys.exit("%s: no attack %s" % (DIFFERENCES, name))

    # A session that must live through the whole suite: crash recovery
    # would end it.
    env = dict(os.environ, PGAPPNAME="pls_sentinel")
    sentinel = subprocess.Popen(["psql", "-X", "-q", "-d", "postgres", "-c",
                                 "SELECT pg_sleep(86400)"], env=env,
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    import time
    for _ in range(50):
        if su("SELECT count(*) FROM pg_stat_activity WHERE "
              "application_name = 'pls_sentinel';", db="postgres").strip() == "1":
            break
        time.sleep(0.1)

    failed = []
    for mode in modes:
        failed.extend(run_pass(attacks, mode, known))

    alive = su("SELECT count(*) FROM pg_stat_activity WHERE "
               "application_name = 'pls_sentinel';", db="postgres").strip()
    su("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
       "application_name = 'pls_sentinel';", db="postgres")
    sentinel.wait()
    cats = sorted(set(a["file"][:-4] for a in attacks))
    print("%d attacks in %d categories, %s, %d failed" % (
        len(attacks), len(cats), " and ".join(modes), len(failed)))
    if alive != "1":
        print("FAIL: the sentinel session died: a backend crashed and the "
              "cluster went through crash recovery")
        failed.append("postmaster restart")
    if not os.environ.get("ATTACKS_KEEP"):
        su(TEARDOWN, db="postgres")
        for r in ROLES:
            su("DROP ROLE IF EXISTS %s;" % r, db="postgres")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
