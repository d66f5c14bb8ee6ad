#!/bin/sh
# solutions_stub/handout-check.sh - prove the course honest, lab by lab.
#
# usage: handout-check.sh [LAB...]	(default: every ready lab of the manifest)
#
# For each lab N: export its handout to obj/handout-check/labN, build it
# with warnings as errors (CI=1), grade every earlier lab on it (each must
# pass: their solutions are in the handout), and grade lab N with
# GRADE_EXPECT=fail (every lab-N test must fail on the stubs).
#
# Then the same handout with lab N's own solution kept (handout.sh
# --solved, to obj/handout-check/labN-solved): it builds (CI=1), lab N's
# tests pass on it (the solution is honest in handout form), every
# command labs/labN.md gives runs in it (lab-commands.sh), and every
# mistake of solutions_stub/mutations/labN/ is caught: made in the tree
# (mutate.py), built, graded, undone, it must cost points, be explained
# by a failure that names its exercise, and crash no test.  The mutations
# are graded with --fail-fast; MUTATIONS_FULL=1 grades them in full, for
# the exact points lost.  obj/handout-check/mutations.md tables them all.
#
# Labs are checked HANDOUT_JOBS (default 2) at a time, the last lab first
# (it has the most to do); each one's whole output goes to
# obj/handout-check/labN.log, and a table sums up.  Exits non-zero if any
# check failed.
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
		-u GRADE_EXPECT -u GRADE_FLAGS -u SOL -u SOLVED \
		make --no-print-directory -C "$dir" "$@"
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
	rm -rf "$dir" "$dir-solved" "$log" "$res" "$OUT/lab$lab.mutations"
	step "export" - sh solutions_stub/handout.sh "$lab" "$dir" &&
	step "build (CI=1)" - student_make "$dir" -j2 CI=1 || return 0
	for k in $READY; do
		[ "$k" -lt "$lab" ] || continue
		step "lab $k tests pass" "$k" student_make "$dir" grade LAB="$k" || true
	done
	step "lab $lab tests fail on the stubs" "$lab" \
		student_make "$dir" grade LAB="$lab" GRADE_EXPECT=fail || true
	check_solved
}

# Lab $lab with its own solution: its tests, its commands, its mistakes.
check_solved() {
	dir=$OUT/lab$lab-solved
	step "export solved" - sh solutions_stub/handout.sh --solved "$lab" "$dir" &&
	step "build solved (CI=1)" - student_make "$dir" -j2 CI=1 || return 0
	step "lab $lab tests pass, solved" "$lab" student_make "$dir" grade LAB="$lab" || true
	step "lab $lab's commands run" - sh solutions_stub/lab-commands.sh "$dir" "$lab" || true
	for m in $(python3 solutions_stub/mutate.py list "$lab"); do
		mutation "$m" || true
	done
	# Leave the tree built as exported.
	student_make "$dir" -j2 CI=1 >> "$log" 2>&1 || true
}

# make grade LAB=$lab in the mutated tree, with $flags; timed in $secs
# if the mutation has a budget.  The budget is for an idle two-core
# machine: on a loaded one, GRADE_TIMEOUT_SCALE=k (which gives every
# boot k times longer too) divides the time measured by k.
grade_mutation() {
	rm -f "$dir/results.json"
	t0=$(now)
	student_make "$dir" grade LAB="$lab" GRADE_FLAGS="$flags" \
		>> "$log" 2>&1 || true
	[ -z "$budget" ] || secs=$(awk -v ms=$(( $(now) - t0 )) \
		-v k="${GRADE_TIMEOUT_SCALE:-1}" 'BEGIN { printf "%d", ms / 1000 / k }')
}

# One mistake of the catalogue: made, built, graded, judged, undone.
# Its row goes to labN.mutations (for mutations.md) and the table.
mutation() {	# FILE
	m=$1
	name="mutation $(basename "$m" .mut)"
	start=$(now)
	echo "=== $name: $m" >> "$log"
	rm -f "$dir/results.json"
	result=FAIL row=
	if ! msg=$(python3 solutions_stub/mutate.py apply "$m" "$dir" 2>&1); then
		details=$msg
	elif ! student_make "$dir" -j2 CI=1 >> "$log" 2>&1; then
		details="the mistake does not build with CI=1 (see $log): fix $m"
	else
		# A hang is graded in full, and timed: it has a budget.
		budget=$(python3 solutions_stub/mutate.py budget "$m")
		flags=$GRADE_MUT_FLAGS secs=
		[ -z "$budget" ] || flags=
		grade_mutation
		verdict=0
		row=$(python3 solutions_stub/mutate.py judge "$m" "$dir/results.json" "$lab" $secs) ||
			verdict=$?
		if [ $verdict = 3 ]; then	# --fail-fast stopped too soon
			flags=--scored
			grade_mutation
			verdict=0
			row=$(python3 solutions_stub/mutate.py judge "$m" "$dir/results.json" "$lab" $secs) ||
				verdict=$?
		fi
		[ $verdict != 0 ] || result=ok
		# name verdict lost got why mistake exercise
		details=$(printf '%s\n' "$row" | awk -F '\t' '{
			got = length($4) > 56 ? substr($4, 1, 53) "..." : $4
			if ($2 == "caught") printf "%s points lost; got: %s", $3, got
			else printf "%s: %s", $2, $5 }')
	fi
	python3 solutions_stub/mutate.py revert "$dir" >> "$log" 2>&1 || true
	if [ -z "$row" ]; then
		row=$(printf '%s\tERROR\t-\t\t%s\t%s\t%s' "$(basename "$m" .mut)" \
			"$details" "$(sed -n 's/^mistake: *//p' "$m")" \
			"$(sed -n 's/^exercise: *//p' "$m")")
	fi
	printf '%s\n' "$row" | tr -d '\r' >> "$OUT/lab$lab.mutations"
	took=$(( $(now) - start ))
	printf '%s\t%s\t%s\t%s\t%s\n' "$lab" "$name" "$result" "$took" "$details" >> "$res"
	echo "handout-check: lab $lab: $name: $result ($(secs $took)): $details"
	[ $result = ok ]
}

# The mutations' grading: the first failure is enough to judge one, and
# the tests worth no points (the demonstration) are left out.
if [ "${MUTATIONS_FULL:-}" = 1 ]; then GRADE_MUT_FLAGS=--scored; else GRADE_MUT_FLAGS="--fail-fast --scored"; fi

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
for n in $LABS; do echo "$n"; done | sort -rn | xargs -P "$JOBS" -I{} sh "$SELF" --lab {} || true

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
rows=
for n in $LABS; do
	[ ! -f "$OUT/lab$n.mutations" ] || rows="$rows $OUT/lab$n.mutations"
done
if [ -n "$rows" ]; then
	python3 solutions_stub/mutate.py table "$OUT/mutations.md" $rows
	echo "handout-check: the mutations, with what students see: $OUT/mutations.md" \
		"($( [ "${MUTATIONS_FULL:-}" = 1 ] && echo "graded in full" ||
			echo "graded with --fail-fast; MUTATIONS_FULL=1 for the exact points lost"))"
fi
if [ $failed -ne 0 ]; then
	echo "handout-check: $failed of $total checks FAILED in $elapsed; see$logs"
	exit 1
fi
echo "handout-check: all $total checks passed in $elapsed"
