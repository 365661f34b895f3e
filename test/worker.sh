#!/bin/bash
# test/worker.sh: the kernel layer alone (issue 11, first step).
#
# Starts plsafepy-worker through the backend's own launch code
# (src/worker_launch.c, driven by test/worker_driver.c) and attacks it with
# full, unrestricted Python: the test-only worker (plsafepy-worker-testing,
# built by `make worker-tests`, never installed) runs EXEC requests with the
# real builtins after it has locked itself in, as if every Python-level layer
# had failed.  Each case asserts the driver's whole output: how the worker
# died (the refused system call, by name) or the Python error, and that the
# driver (the worker's parent, standing in for the backend) is alive.
# Then: the installed production worker refuses EXEC; the worker dies with its
# parent (SIGKILL) and when its channel closes; RLIMIT_AS gives MemoryError;
# the Python side's core builds the sandbox without PostgreSQL; the
# backend's reading of the channel survives a hostile peer; the door's
# encoding and fragmenting (src/wire.c) refuse hostile bytes (test/wire_test).
#
# Needs no PostgreSQL server (run by test/run like every test/*.sh); the
# installed worker is found with pg_config.  Reading a non-dumpable
# process's /proc/PID/fd needs root (CI runs as root).
set -uo pipefail
cd "$(dirname "$0")/.."

PASSES=0
FAILS=0
pass() { PASSES=$((PASSES + 1)); echo "ok   $1"; }
fail() {
	FAILS=$((FAILS + 1))
	echo "FAIL $1"
	shift
	printf '     %s\n' "$@"
}

if ! make -s worker-tests >/tmp/worker-tests-build.$$ 2>&1; then
	cat /tmp/worker-tests-build.$$
	rm -f /tmp/worker-tests-build.$$
	echo "worker: 0 passed, 1 failed (could not build the test programs)"
	exit 1
fi
rm -f /tmp/worker-tests-build.$$

DRIVER=test/worker_driver
TESTING=src/worker/plsafepy-worker-testing
INSTALLED="$(${PG_CONFIG:-pg_config} --pkglibdir)/plsafepy-worker"

# expect NAME EXPECTED-OUTPUT DRIVER-ARGS...: the driver's whole output.
expect() {
	local name=$1 want=$2 got
	shift 2
	got=$(timeout 60 "$DRIVER" "$@" 2>&1)
	if [ "$got" == "$want" ]; then
		pass "$name"
	else
		fail "$name" "expected:" "$want" "got:" "$got"
	fi
}

# attack NAME "died: ..." CODE: full Python in the locked worker.
attack() {
	expect "$1" "$2
driver: alive" "$TESTING" "exec:$3"
}

sigsys() { echo "died: signal 31 (SIGSYS), system call $1"; }

# Python that runs x86-64 machine code (hex bytes) from the test worker's
# executable page: the attacker who owns the process.
machine_code() {
	echo "codepage.write(bytes.fromhex('$1'))
fn = ctypes.CFUNCTYPE(ctypes.c_long)(ctypes.addressof(ctypes.c_char.from_buffer(codepage)))
result = fn()"
}

# --- the walls that stand -------------------------------------------------
want="walls: seccomp"
if unshare --user --net --ipc --mount true 2>/dev/null; then
	want="$want userns netns ipcns mountns emptyroot"
fi
# landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION): 444
if [ "$(/usr/bin/python3 -c 'import ctypes; print(ctypes.CDLL(None).syscall(444, None, 0, 1))')" -ge 1 ]; then
	want="$want landlock"
fi
expect "walls: seccomp, and the namespaces and Landlock the kernel allows" \
	"$want
pong
driver: alive" "$TESTING" walls ping

# --- descriptors: the driver holds some open; the worker has the channel only
if [ "$(id -u)" -eq 0 ]; then
	expect "no inherited descriptor but the channel (fd 3)" "fds: 3
driver: alive" "$TESTING" fds 7</etc/passwd 8<>/tmp/worker-test-fd.$$ 9<&0
	rm -f /tmp/worker-test-fd.$$
else
	fail "no inherited descriptor but the channel" \
		"needs root: /proc/PID/fd of a non-dumpable process"
fi

# --- the filesystem: the worker's own root is an empty tmpfs --------------
if [ "$(id -u)" -ne 0 ]; then
	fail "the worker's root is empty" \
		"needs root: /proc/PID/root of a non-dumpable process"
elif unshare --user --mount true 2>/dev/null; then
	expect "the worker's root is empty (its mount namespace's own tmpfs)" \
		"root: empty
driver: alive" "$TESTING" root
	expect "and it is the same after the worker ran code" \
		"ok: 'ok'
root: empty
driver: alive" "$TESTING" "exec:result = 'ok'" root
else
	fail "the worker's root is empty" "this kernel refuses a user and mount namespace"
fi

# --- attacks with full Python --------------------------------------------
attack "open('/etc/passwd')" "$(sigsys '257 (openat)')" \
	"result = open('/etc/passwd').read()"
attack "os.listdir('/')" "$(sigsys '257 (openat)')" \
	"result = os.listdir('/')"
attack "read every descriptor 0..1023" "$(sigsys '0 (read)')" \
	"result = [os.read(fd, 1) for fd in range(1024)]"
attack "read the channel's own socket" "$(sigsys '0 (read)')" \
	"result = os.read(3, 1)"
attack "socket().connect(('127.0.0.1', 5432))" "$(sigsys '41 (socket)')" \
	"s = socket.socket(); s.connect(('127.0.0.1', 5432))"
attack "os.fork()" "$(sigsys '56 (clone)')" "result = os.fork()"
# glibc's system() first sets SIGINT to SIG_IGN: refused before any clone
attack "os.system('true')" "$(sigsys '13 (rt_sigaction)')" \
	"result = os.system('true')"
attack "os.execv('/bin/true')" "$(sigsys '59 (execve)')" \
	"os.execv('/bin/true', ['true'])"
attack "os.kill(parent, SIGKILL)" "$(sigsys '62 (kill)')" "os.kill({ppid}, 9)"
attack "open('/proc/PARENT/mem')" "$(sigsys '257 (openat)')" \
	"result = open('/proc/{ppid}/mem', 'rb').read(1)"
attack "shmat on the parent's System V segment" "$(sigsys '30 (shmat)')" \
	"libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
result = libc.shmat({shmid}, None, 0)"
attack "mmap with PROT_EXEC" "$(sigsys '9 (mmap)')" \
	"m = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)"
attack "mprotect to PROT_EXEC" "$(sigsys '10 (mprotect)')" \
	"buf = ctypes.create_string_buffer(8192)
libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
result = libc.mprotect(ctypes.addressof(buf) & ~4095, 4096, 7)"
attack "mmap of a shared mapping" "$(sigsys '9 (mmap)')" \
	"m = mmap.mmap(-1, 4096, flags=mmap.MAP_SHARED)"
attack "write to fd 2" "$(sigsys '1 (write)')" "result = os.write(2, b'x')"
attack "ptrace" "$(sigsys '101 (ptrace)')" \
	"result = libc.ptrace(16, {ppid}, None, None)"
attack "futex requeue (not an allowed operation)" "$(sigsys '202 (futex)')" \
	"result = libc.syscall(202, None, 3, 0, None, None, 0)"
# mov eax, 39 (getpid); syscall; ret: machine code reaches the filter too
attack "a raw system call instruction" "$(sigsys '39 (getpid)')" \
	"$(machine_code 'b8 27 00 00 00 0f 05 c3')"
attack "unshare (namespaces are set before lock-down only)" \
	"$(sigsys '272 (unshare)')" "result = libc.unshare(0x10000000)"
# mov eax, 20 (getpid in the i386 table); int 0x80; ret.  The filter kills
# it (SIGSYS) where the kernel has the i386 entry; a kernel built without
# IA32 emulation faults the instruction itself (SIGSEGV) before any filter.
# Which one this kernel is, the same code run unconfined tells.
int80=$(/usr/bin/python3 - <<'PY'
import ctypes, mmap, os
pid = os.fork()
if pid == 0:
    page = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    page.write(bytes.fromhex('b8 14 00 00 00 cd 80 c3'))
    fn = ctypes.CFUNCTYPE(ctypes.c_long)(ctypes.addressof(ctypes.c_char.from_buffer(page)))
    os._exit(0 if fn() == os.getpid() else 1)
_, status = os.waitpid(pid, 0)
print("syscall" if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
      else "fault" if os.WIFSIGNALED(status) and os.WTERMSIG(status) == 11
      else "unknown %d" % status)
PY
)
case $int80 in
syscall) int80_death="died: signal 31 (SIGSYS)" ;;
fault) int80_death="died: signal 11 (SIGSEGV)" ;;
*) int80_death="(the unconfined probe of int 0x80 gave: $int80)" ;;
esac
attack "a 32-bit system call (int 0x80) kills without a report" \
	"$int80_death" "$(machine_code 'b8 14 00 00 00 cd 80 c3')"
PLSAFEPY_TEST_MARKER=1 expect "os.environ is empty" "ok: {}
driver: alive" "$TESTING" "exec:result = dict(os.environ)"

# --- the worker's report of a refused call is hostile input -------------
# A forged report followed by a normal exit: not believed (no SIGSYS).
expect "a forged SIGSYS report without SIGSYS is ignored" \
	"died: exited with code 0
driver: alive" "$TESTING" \
	"exec:import struct
os.write(3, struct.pack('<IiII', 0x53595331, 59, 0xc000003e, 0))
os._exit(0)"
# A forged report with an out-of-range number, then a real SIGSYS: the
# number is not believed (the first report is the forged one).
expect "a SIGSYS report with an impossible number is not believed" \
	"died: signal 31 (SIGSYS)
driver: alive" "$TESTING" \
	"exec:import struct
os.write(3, struct.pack('<IiII', 0x53595331, 99999, 0xc000003e, 0))
open('/etc/passwd')"

# --- what CPython needs, it has -------------------------------------------
expect "the reviewed modules' work under the allowlist" \
	"ok: [True, '0.142857', '1', 2, 82, True, [1, 3, 6], 6, [('a', 2)], 1, 2, ['1', '22'], '1', {'k': [1, 2.5, None]}, '2024-02-29', True, '2024-01-01T00:00:00+00:00', True, 'hello [...]', 'LATIN SMALL LETTER E WITH ACUTE', '2d711642', '9dd4e461', b'aGk=', b'01', 4, '00000000', 'A', {'a': [1]}, \"{'a': 1}\", 0.6666666666666666, b'\\x01\\x00\\x00\\x00', 'Module', 200, 3011, (2024, 2, 29), True, 8, 'b60090e3', 891568578, [['a', 'b']], ['a', 'b c'], 'a%20b', '&lt;', True, '10.0.0.3', True, 1]
driver: alive" "$TESTING" "exec:$(cat test/worker_modules.py)"

expect "RLIMIT_AS: MemoryError, and the worker goes on" "ok: 104857600
error: MemoryError: 
ok: 2
error: MemoryError: 
ok: 'usable'
driver: alive" "$TESTING" --memory-limit=268435456 \
	'exec:x = bytearray(100 << 20); result = len(x)' \
	'exec:x = bytearray(512 << 20)' 'exec:result = 1 + 1' \
	'exec:x = [0] * (100 << 20)' 'exec:result = "usable"'

# --- the production worker ----------------------------------------------
if [ -x "$INSTALLED" ]; then
	expect "the installed worker has no EXEC (full Python)" \
		"ERROR: unsupported request 5
pong
driver: alive" "$INSTALLED" "exec:result = 1" ping
	expect "the installed worker refuses to start without its sandbox" \
		"start failed: the worker failed to start: this worker has no unsandboxed mode" \
		"$INSTALLED" --unsandboxed ping
	expect "the production build refuses to start without its sandbox" \
		"start failed: the worker failed to start: this worker has no unsandboxed mode" \
		src/worker/plsafepy-worker --unsandboxed ping
else
	fail "the installed worker has no EXEC" "not installed: $INSTALLED"
fi

# --- lifetime ---------------------------------------------------------------
expect "the worker exits when its channel closes" "died: exited with code 0
driver: alive" "$TESTING" close

# The driver starts a worker and waits; it is killed with SIGKILL, so it can
# do nothing for its worker: PR_SET_PDEATHSIG must end it.  A zombie (state
# Z: dead, waiting for a reaper) counts as gone.
out=/tmp/worker-orphan.$$
"$DRIVER" "$TESTING" orphan >"$out" 2>&1 &
dpid=$!
wpid=
for _ in $(seq 100); do
	wpid=$(sed -n 's/^worker \([0-9]*\)$/\1/p' "$out")
	[ -n "$wpid" ] && break
	sleep 0.1
done
rm -f "$out"
if [ -z "$wpid" ]; then
	fail "no orphan after the parent's SIGKILL" "the driver did not start a worker"
	kill -9 "$dpid" 2>/dev/null
else
	kill -9 "$dpid"
	wait "$dpid" 2>/dev/null
	state=alive
	for _ in $(seq 30); do
		st=$(cut -d' ' -f3 "/proc/$wpid/stat" 2>/dev/null)
		if [ -z "$st" ] || [ "$st" = Z ]; then
			state=gone
			break
		fi
		sleep 0.1
	done
	if [ "$state" = gone ]; then
		pass "no orphan after the parent's SIGKILL"
	else
		fail "no orphan after the parent's SIGKILL" "worker $wpid still running"
		kill -9 "$wpid" 2>/dev/null
	fi
fi

# --- the Python side's core, linked without PostgreSQL -------------------
# test/pycore_test: src/pyhost.h's core with the worker's hooks and Python
# only (that it links is the proof), the interpreter built as the worker
# builds it; the same outcomes as inline mode (expected/sandbox*.out), and
# sandbox/reach.py's walk over it (preloaded as the worker preloads,
# nothing user code can reach holds sys, the real builtins, a real module,
# the loader or the trusted namespace; test/attacks/18_reach.txt walks the
# backend's interpreter), with its negative control.
expect_program() {
	local name=$1 want=$2 got
	shift 2
	got=$(timeout 60 "$@" 2>&1)
	if [ "$got" == "$want" ]; then
		pass "$name"
	else
		fail "$name" "expected:" "$want" "got:" "$got"
	fi
}

expect_program "core: bodies compile, run and are denied as inline" \
'built: recursion limit 500, locked 1
warnings: none
x + 1: returned 42
open: raised SandboxError: open() is not allowed in plsafepy
denials: open() is not allowed in plsafepy (function f_open)
import os: denied at line 1: import of module "os" is not allowed; hint: Modules are made available by a superuser with the "plsafepy.allowed_modules" setting.
import colorsys: denied at line 1: import of module "colorsys" is not allowed; hint: Modules are made available by a superuser with the "plsafepy.allowed_modules" setting.
form feed: denied at line 2: character U+000C (form feed) outside a string literal is not allowed in plsafepy; hint: Control characters, line and paragraph separators and byte order marks may appear only inside string literals; write them as escapes ("\f").
syntax: syntax error: SyntaxError: '\''('\'' was never closed (<string>, line 3)
args: returned 3
__globals__: denied at line 1: attribute "__globals__" is not allowed in plsafepy; hint: Names that begin and end with two underscores are reserved in plsafepy.
json: returned '\''{"a": [1, 2.5, null]}'\''
decimal: returned '\''3.10'\''
datetime: returned '\''2024-02-29T00:00:00'\''
codec: raised LookupError: unknown encoding: shift_jis
files opened by the loads: 0
print: returned None
printed: hello
reach: ok
reach, planted: planted.__builtins__: the namespace of module builtins
planted.__globals__: the trusted namespace
sleep 0.05: returned None
sleep 0.05: took between 0.05 and 1.00 s
sleep 10, interrupted: raised Interrupted: 
sleep 10, interrupted: took between 0.10 and 2.00 s' test/pycore_test

expect_program "core: whitelisted modules are imported when built, a missing one warns" \
'built: recursion limit 500, locked 1
WARNING: module "no_such_module" in plsafepy.allowed_modules is not installed
DETAIL: Role "pycore_role" cannot import it.
HINT: Check the spelling of the entry.
import no_such_module: raised ImportError: could not load module "no_such_module": no such module is installed
colorsys: returned (0.0, 1.0, 1)
files opened by the loads: 0' test/pycore_test extra

# --- the channel against a hostile peer (no crash, no overread) ----------
expect "channel: corrupt positions and frames from the peer are refused" \
	"fuzz: 9608 ok, 55 timeout, 177570 corrupt, 12767 too big, 0 bad
driver: alive" "$TESTING" fuzz

# --- the door as bytes (src/wire.c) against hostile bytes and peers --------
# test/wire_test runs under ASan and UBSan; its counts come from a fixed seed.
want="round trips: 50 values, 16 shapes, 24 strings and records; depth 64 read, 65 refused; 6 dims read; JSON 65536 deep read, 65537 refused
writer: 16 failures set failed and stop later puts
violations: 102 refused beside their valid twins; 119 allocation failures refused
fuzz: 300000 mutations (31173 accepted, 268827 refused), 1826 truncations refused
channel: 7 sizes from 0 to 5 MB echoed both ways; max_len holds on both sides and against endless MORE frames; 3 bad framings refused; a partial message kept across a timeout and a signal"
got=$(timeout 60 test/wire_test 2>&1)
rc=$?
if [ "$rc" -eq 0 ] && [ "$got" == "$want" ]; then
	pass "wire: round trips, refused violations, fuzz, messages over a channel"
else
	fail "wire: round trips, refused violations, fuzz, messages over a channel" \
		"exit code $rc, expected:" "$want" "got:" "$got"
fi

echo "worker: $PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
