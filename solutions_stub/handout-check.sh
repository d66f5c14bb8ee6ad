#!/bin/sh
# solutions_stub/handout-check.sh - prove the course honest, lab by lab.
#
# usage: handout-check.sh [LAB...]	(default: every ready lab of the manifest)
#
# For each lab N: export its handout to obj/handout-check/labN, build it
# with warnings as errors (CI=1), grade every earlier lab on it (each must
# pass: their solutions are in the handout), and grade lab N with
# GRADE_EXPECT=fail (every lab-N test must fail on the stubs).  Labs are
# checked HANDOUT_JOBS (default 2) at a time; each one's whole output goes
# to obj/handout-check/labN.log, and a table sums up.  Exits non-zero if
# any check failed.
set -eu

SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
cd "$(dirname "$0")/.."
OUT=${OBJDIR:-obj}/handout-check
JOBS=${HANDOUT_JOBS:-2}

now() { date +%s%N | cut -c1-13; }	# milliseconds
secs() { echo "$1" | awk '{ printf "%.1fs", $1 / 1000 }'; }

# A make in the handout, as if a student typed it there: the make that runs
# us passes down no flags and no choice of lab or test (GRADE_TIMEOUT_SCALE
# and the like still come through the environment).
student_make() {	# DIR ARGS...
	dir=$1; shift
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u LAB -u TEST -u DEST \
		-u GRADE_EXPECT -u SOL make --no-print-directory -C "$dir" "$@"
}

# What the last `make grade` in DIR said of suite labK, from results.json
# (one test per line): "15 passed", "14 failed, 1 not gradable", ...
grade_counts() {	# DIR K
	json=$1/results.json
	[ -f "$json" ] || { echo "no results.json"; return 0; }
	grep "\"name\": \"lab$2/" "$json" | awk '
		/"not_gradable": true/ { ng++; next }
		/"status": "passed"/ { p++; next }
		{ f++ }
		END {
			s = (p ? p " passed" : "")
			if (f) s = s (s ? ", " : "") f " failed"
			if (ng) s = s (s ? ", " : "") ng " not gradable"
			print (s ? s : "no tests")
		}'
}

# One check of one lab: run it, log it, record it.  Returns its status.
# After a grade, the details say how many tests passed and failed.
step() {	# NAME GRADED-LAB|- COMMAND...
	name=$1 graded=$2; shift 2
	start=$(now)
	echo "=== $name: $*" >> "$log"
	rm -f "$dir/results.json"
	if "$@" > "$log.step" 2>&1; then result=ok; else result=FAIL; fi
	took=$(( $(now) - start ))
	cat "$log.step" >> "$log"
	details=
	[ "$graded" = - ] || details=$(grade_counts "$dir" "$graded")
	printf '%s\t%s\t%s\t%s\t%s\n' "$lab" "$name" "$result" "$took" "$details" >> "$res"
	echo "handout-check: lab $lab: $name: $result ($(secs $took))${details:+: $details}"
	# A failure shows its last words here too: enough to see which kind.
	[ $result = ok ] || tail -n 8 "$log.step" | sed "s/^/    lab $lab | /"
	rm -f "$log.step"
	[ $result = ok ]
}

check_lab() {	# LAB
	lab=$1
	dir=$OUT/lab$lab log=$OUT/lab$lab.log res=$OUT/lab$lab.result
	rm -rf "$dir" "$log" "$res"
	step "export" - sh solutions_stub/handout.sh "$lab" "$dir" &&
	step "build (CI=1)" - student_make "$dir" -j2 CI=1 || return 0
	for k in $READY; do
		[ "$k" -lt "$lab" ] || continue
		step "lab $k tests pass" "$k" student_make "$dir" grade LAB="$k" || true
	done
	step "lab $lab tests fail on the stubs" "$lab" \
		student_make "$dir" grade LAB="$lab" GRADE_EXPECT=fail || true
}

READY=$(sh solutions_stub/handout.sh --labs | awk -F '\t' '$2 == "ready" { printf "%s ", $1 }')

# Internal entry point: check one lab (run in parallel by the code below).
if [ "${1:-}" = --lab ]; then
	check_lab "$2"
	exit 0
fi

LABS=${*:-$READY}
for n in $LABS; do
	echo " $READY " | grep -q " $n " || {
		echo "handout-check: lab $n is not a ready lab of solutions_stub/manifest" >&2
		exit 2
	}
done

if ! grep -qs '^grade:' grade/Makefrag && ! grep -qs '^grade ' grade/Makefrag; then
	echo "handout-check: grade/Makefrag has no \`grade\` target yet; nothing to check against" >&2
	exit 1
fi

# The manifest and the regions first, once: errors stop here, notes show.
sh solutions_stub/handout.sh --check >/dev/null

mkdir -p "$OUT"
start=$(now)
echo "handout-check: checking labs $(echo $LABS | sed "s/ /, /g") ($JOBS at a time); logs in $OUT/labN.log"
for n in $LABS; do echo "$n"; done | xargs -P "$JOBS" -I{} sh "$SELF" --lab {} || true

# The table, lab by lab in order.
total=0 failed=0 logs=
echo
printf '%-4s  %-32s  %-6s  %6s  %s\n' lab check result time tests
for n in $LABS; do
	[ -f "$OUT/lab$n.result" ] || printf '%s\tcheck\tFAIL\t0\tdid not run\n' "$n" > "$OUT/lab$n.result"
	while IFS='	' read -r l name result took details; do
		printf '%-4s  %-32s  %-6s  %6s  %s\n' "$l" "$name" "$result" "$(secs "$took")" "$details"
		total=$((total + 1))
		[ "$result" = ok ] && continue
		failed=$((failed + 1))
		case " $logs " in *" $OUT/lab$n.log "*) ;; *) logs="$logs $OUT/lab$n.log";; esac
	done < "$OUT/lab$n.result"
done
elapsed=$(secs $(( $(now) - start )))
if [ $failed -ne 0 ]; then
	echo "handout-check: $failed of $total checks FAILED in $elapsed; see$logs"
	exit 1
fi
echo "handout-check: all $total checks passed in $elapsed"
