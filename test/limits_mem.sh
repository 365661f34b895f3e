#!/bin/bash
# test/limits_mem.sh: resource governance (issue 4) - memory and stack.
#
# Memory over plsafepy.memory_limit fails as MemoryError, reported with
# SQLSTATE 53200, and the same session keeps working; deep recursion in
# Python or through C ends as RecursionError or PostgreSQL's stack-depth
# error, never SIGSEGV.  As test/limits.sh: run as lim_user, time-bounded,
# witness session and server log checked for crashes.
set -uo pipefail
LIMITS_LIB=1
# shellcheck source=test/limits.sh
. "$(dirname "$0")/limits.sh"

setup_mem() {
	user_sql 60 -f - <<'EOF' | grep -E "ERROR|FATAL" && fail "setup_mem" "see above"
CREATE FUNCTION mem_str() RETURNS int LANGUAGE plsafepy AS $$
return len('a' * 10**10)
$$;
CREATE FUNCTION mem_str_step() RETURNS int LANGUAGE plsafepy AS $$
s = 'a'
while True:
    s = s + s
$$;
CREATE FUNCTION mem_list() RETURNS int LANGUAGE plsafepy AS $$
return len([0] * 10**9)
$$;
CREATE FUNCTION mem_bytearrays() RETURNS int LANGUAGE plsafepy AS $$
x = []
while True:
    x.append(bytearray(10**6))
$$;
CREATE FUNCTION mem_tuples() RETURNS int LANGUAGE plsafepy AS $$
x = []
while True:
    x.append((len(x), len(x) + 1))
$$;
CREATE FUNCTION mem_dict() RETURNS int LANGUAGE plsafepy AS $$
d = {}
i = 0
while True:
    d[i] = str(i)
    i += 1
$$;
CREATE FUNCTION mem_caught() RETURNS text LANGUAGE plsafepy AS $$
try:
    x = [bytearray(10**6) for i in range(10**6)]
except MemoryError:
    return 'caught'
$$;
CREATE FUNCTION mem_alloc_mb(mb int) RETURNS int LANGUAGE plsafepy AS $$
x = bytearray(mb * 2**20)
return len(x) // 2**20
$$;
CREATE FUNCTION imp_pprint() RETURNS text LANGUAGE plsafepy AS $$
import pprint
return pprint.pformat({'a': [1]})
$$;
CREATE FUNCTION fill_budget(headroom_kb int) RETURNS text LANGUAGE plsafepy AS $$
GD['ballast'] = b = []
try:
    while True:
        b.append(bytearray(65536))
except MemoryError:
    pass
del b[-(headroom_kb // 64):]
return 'filled'
$$;
CREATE FUNCTION drop_ballast() RETURNS text LANGUAGE plsafepy AS $$
del GD['ballast']
return 'dropped'
$$;
CREATE FUNCTION rec_python() RETURNS int LANGUAGE plsafepy AS $$
def f(n):
    return f(n + 1)
return f(0)
$$;
CREATE FUNCTION rec_list_repr() RETURNS int LANGUAGE plsafepy AS $$
l = []
for i in range(10**6):
    l = [l]
return len(repr(l))
$$;
CREATE FUNCTION rec_dict_repr() RETURNS int LANGUAGE plsafepy AS $$
d = {}
for i in range(10**6):
    d = {1: d}
return len(str(d))
$$;
CREATE FUNCTION rec_user_repr() RETURNS int LANGUAGE plsafepy AS $$
class A:
    def __repr__(self):
        return repr(self)
return len(repr(A()))
$$;
CREATE FUNCTION rec_compare() RETURNS bool LANGUAGE plsafepy AS $$
a = []
b = []
for i in range(10**6):
    a = [a]
    b = [b]
return a == b
$$;
CREATE FUNCTION rec_hash() RETURNS int LANGUAGE plsafepy AS $$
t = ()
for i in range(10**6):
    t = (t,)
return hash(t) & 1
$$;
CREATE FUNCTION rec_iterators() RETURNS int LANGUAGE plsafepy AS $$
it = iter([1])
for i in range(10**6):
    it = map(abs, it)
return next(it)
$$;
CREATE FUNCTION rec_sorted_key() RETURNS int LANGUAGE plsafepy AS $$
def k(x):
    return sorted([1, 2], key=k)
return len(k(0))
$$;
CREATE FUNCTION rec_json() RETURNS int LANGUAGE plsafepy AS $$
import json
l = []
for i in range(10**6):
    l = [l]
return len(json.dumps(l))
$$;
CREATE FUNCTION rec_spi(n int) RETURNS int LANGUAGE plsafepy AS $$
return plpy.execute("SELECT lim.rec_spi(%d) AS r" % (n + 1))[0]["r"]
$$;
EOF
}

# case_err NAME STMT PATTERN: STMT fails with PATTERN; the session still works.
case_err() {
	local name=$1 stmt=$2 pat=$3 t0 out
	t0=$(now_ms)
	out=$(user_sql 60 -c "$stmt" -c "SELECT 'alive:' || ok()")
	expect "$name" "$out" $(($(now_ms) - t0)) 20000 "$pat" "alive:42"
}

MEMERR='ERROR:  53200: MemoryError'
run_memory_cases() {
	case_err "memory: 'a' * 10**10" "SELECT mem_str()" "$MEMERR"
	case_err "memory: doubling string" "SELECT mem_str_step()" "$MEMERR"
	case_err "memory: [0] * 10**9" "SELECT mem_list()" "$MEMERR"
	case_err "memory: list of 1 MB bytearrays" "SELECT mem_bytearrays()" "$MEMERR"
	case_err "memory: list of small tuples (pymalloc arenas)" "SELECT mem_tuples()" "$MEMERR"
	case_err "memory: growing dict" "SELECT mem_dict()" "$MEMERR"

	local t0 out
	t0=$(now_ms)
	out=$(user_sql 60 -c "SELECT mem_caught()" -c "SELECT 'after:' || mem_alloc_mb(200)")
	expect "memory: MemoryError caught, then 200 MB allocate fine (memory returned)" "$out" \
		$(($(now_ms) - t0)) 20000 "caught" "after:200"

	t0=$(now_ms)
	out=$(user_sql 60 -c "SELECT mem_bytearrays()" -c "SELECT mem_bytearrays()" \
		-c "SELECT mem_bytearrays()" -c "SELECT 'after:' || mem_alloc_mb(300)")
	expect "memory: three MemoryErrors in one session, then 300 MB" "$out" \
		$(($(now_ms) - t0)) 30000 "after:300"

	t0=$(now_ms)
	out=$(user_sql 60 -c "SET plsafepy.user_memory_limit = '32MB'" \
		-c "SELECT 'small:' || mem_alloc_mb(8)" -c "SELECT mem_alloc_mb(64)" \
		-c "RESET plsafepy.user_memory_limit" -c "SELECT 'big:' || mem_alloc_mb(64)")
	expect "memory: plsafepy.user_memory_limit lowers the budget" "$out" \
		$(($(now_ms) - t0)) 20000 "small:8" "$MEMERR" "big:64"

	t0=$(now_ms)
	out=$(user_sql 60 -c "SELECT ok()" -c "SET plsafepy.memory_limit = '4GB'" \
		-c "SET plsafepy.interrupt_grace = '1h'" -c "SHOW plsafepy.memory_limit" \
		-c "SHOW plsafepy.interrupt_grace")
	expect "memory: plsafepy.memory_limit and interrupt_grace are superuser-only" "$out" \
		$(($(now_ms) - t0)) 20000 \
		'ERROR:  42501: permission denied to set parameter "plsafepy.memory_limit"' \
		'ERROR:  42501: permission denied to set parameter "plsafepy.interrupt_grace"' "512MB" " 1s"

	# set before the library is loaded: PostgreSQL refuses it at load time
	t0=$(now_ms)
	out=$(user_sql 60 -c "SET plsafepy.memory_limit = '4GB'" -c "SELECT ok()" \
		-c "SHOW plsafepy.memory_limit")
	expect "memory: plsafepy.memory_limit set by a user before load is refused" "$out" \
		$(($(now_ms) - t0)) 20000 \
		'WARNING:  42501: permission denied to set parameter "plsafepy.memory_limit"' "512MB"

	t0=$(now_ms)
	out=$(timeout 60 "${PSQL[@]}" -c "SET plsafepy.memory_limit = '64MB'" \
		-c "SET SESSION AUTHORIZATION lim_user" -c "SET search_path = lim" \
		-c "SELECT mem_alloc_mb(100)" -c "SELECT 'ok:' || mem_alloc_mb(32)" 2>&1)
	expect "memory: superuser-set plsafepy.memory_limit = 64MB" "$out" \
		$(($(now_ms) - t0)) 20000 "$MEMERR" "ok:32"
}

case_stack_fatal() {
	local name=$1 stmt=$2 t0 out
	t0=$(now_ms)
	out=$(user_sql 60 -c "SELECT ok()" -c "$stmt")
	expect "$name" "$out" $(($(now_ms) - t0)) 20000 \
		'FATAL:  54001: plsafepy function exhausted the C stack'
}

# Whitelisted modules are imported the first time a body imports one
# (sandbox.c's loader): a load that runs out of memory or is cancelled must
# leave the import system closed and be retried by the next import.
run_loader_cases() {
	local t0 out
	t0=$(now_ms)
	out=$(user_sql 60 -c "SET plsafepy.user_memory_limit = '64MB'" \
		-c "SELECT fill_budget(128)" -c "SELECT imp_pprint()" \
		-c "SELECT drop_ballast()" -c "SELECT 'loaded:' || imp_pprint()")
	expect "loader: out of memory while importing a module, then the import works" "$out" \
		$(($(now_ms) - t0)) 20000 "filled" "$MEMERR" '^    import pprint$' "dropped" \
		"loaded:\\{'a': \\[1\\]\\}"

	t0=$(now_ms)
	out=$(user_sql 60 -c "SELECT ok()" -c "SET statement_timeout = '2ms'" \
		-c "SELECT imp_pprint()" -c "RESET statement_timeout" \
		-c "SELECT 'loaded:' || imp_pprint()" -c "SELECT 'alive:' || ok()")
	expect "loader: statement_timeout while importing a module, then the import works" "$out" \
		$(($(now_ms) - t0)) 20000 \
		"ERROR:  57014: canceling statement due to statement timeout" \
		"loaded:\\{'a': \\[1\\]\\}" "alive:42"
}

RECERR='ERROR:  38000: RecursionError: maximum recursion depth exceeded'
run_stack_cases() {
	case_err "stack: Python recursion" "SELECT rec_python()" "$RECERR"
	case_err "stack: repr of nested lists" "SELECT rec_list_repr()" "$RECERR"
	case_err "stack: str of nested dicts" "SELECT rec_dict_repr()" "$RECERR"
	case_err "stack: recursive __repr__" "SELECT rec_user_repr()" "$RECERR"
	case_err "stack: comparison of nested lists" "SELECT rec_compare()" "$RECERR"
	# CPython 3.11 has no recursion check here: the stack overflows, and
	# the backend ends with FATAL (sandbox.c's SIGSEGV guard) instead of
	# crashing the cluster.
	case_stack_fatal "stack: hash of nested tuples (no recursion check in CPython)" "SELECT rec_hash()"
	case_stack_fatal "stack: nested map iterators (no recursion check in CPython)" "SELECT rec_iterators()"
	case_err "stack: sorted() key recursion" "SELECT rec_sorted_key()" "$RECERR"
	case_err "stack: json.dumps of nested lists" "SELECT rec_json()" "$RECERR"
	case_err "stack: recursion through SPI" "SELECT rec_spi(0)" \
		'ERROR:  (54001: stack depth limit exceeded|38000: .*RecursionError: maximum recursion depth exceeded)'

	# the largest max_stack_depth the kernel limit allows: still no crash
	local t0 out
	t0=$(now_ms)
	out=$(timeout 60 "${PSQL[@]}" -c "SET max_stack_depth = '7MB'" \
		-c "SET SESSION AUTHORIZATION lim_user" -c "SET search_path = lim" \
		-c "SELECT rec_sorted_key()" -c "SELECT rec_user_repr()" -c "SELECT rec_list_repr()" \
		-c "SELECT rec_spi(0)" -c "SELECT 'alive:' || ok()" 2>&1)
	expect "stack: max_stack_depth = 7MB (fresh interpreter)" "$out" \
		$(($(now_ms) - t0)) 30000 "$RECERR" "alive:42"
}

setup
setup_mem
start_witness
run_memory_cases
run_loader_cases
run_stack_cases
check_cluster "after memory and stack cases"
stop_witness
finish
