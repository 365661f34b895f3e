#!/bin/bash
# pg_regress again, every role in inline isolation (the suite passes in
# both modes; make installcheck runs the default, process).  Each test's
# output must equal its expected file, or differ from it by exactly the
# reviewed difference kept in test/inline-mode/NAME.diff (a unified diff of
# expected against the inline output, without its file header): a
# difference that changes, appears or disappears fails.  The isolation is
# set for the whole cluster (test/in-isolation), so that roles the tests
# switch to run inline too.  Needs the PG* environment of pg_virtualenv and an
# installed plsafepy.
#
#   test/regress_inline.sh            check
#   test/regress_inline.sh --accept   write the current differences
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

accept=0
[ "${1:-}" = --accept ] && accept=1
out=$(mktemp -d /tmp/plsafepy-regress-inline.XXXXXX)
known=test/inline-mode
fail=0

tests=$(make -s -f - print-regress <<'MAKE'
include Makefile
print-regress:
	@echo $(REGRESS)
MAKE
)
regress=$(dirname "$(pg_config --pgxs)")/../test/regress/pg_regress
test/in-isolation inline \
	"$regress" --inputdir=. --outputdir="$out" --bindir="$(pg_config --bindir)" \
	--load-extension=plsafepy --dbname=contrib_regression_inline \
	$tests > "$out/pg_regress.log" 2>&1

for t in $tests; do
	got=$(diff -u "expected/$t.out" "$out/results/$t.out" | tail -n +3)
	if [ $accept = 1 ]; then
		if [ -n "$got" ]; then
			printf '%s\n' "$got" > "$known/$t.diff"
		else
			rm -f "$known/$t.diff"
		fi
		continue
	fi
	want=
	[ -f "$known/$t.diff" ] && want=$(cat "$known/$t.diff")
	if [ "$got" = "$want" ]; then
		if [ -n "$want" ]; then
			echo "ok   $t (the reviewed difference)"
		else
			echo "ok   $t"
		fi
	else
		echo "FAIL $t: its inline output differs from the reviewed one:"
		diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") | head -40
		fail=1
	fi
done
for f in "$known"/*.diff; do
	[ -e "$f" ] || continue
	t=$(basename "$f" .diff)
	case " $tests " in
	*" $t "*) ;;
	*) echo "FAIL $f: no such test"; fail=1 ;;
	esac
done
[ $fail = 0 ] && rm -rf "$out"
exit $fail
