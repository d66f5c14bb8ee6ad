#!/bin/sh
# solutions_stub/handout.sh - export the student handout of one lab.
#
# usage: handout.sh LAB [DEST]		(DEST defaults to handouts/labLAB)
#        handout.sh --solved LAB [DEST]	(DEST defaults to handouts/labLAB-solved)
#        handout.sh --check		only check the regions against the manifest
#        handout.sh --labs		list the labs of the manifest
#
# The handout of lab N is this tree as it stands (tracked files and new ones
# git does not ignore), without .git and the instructor's tooling, with
# `unifdef -DSOL=N-1` applied to every file holding `#if SOL >= K` regions:
# earlier labs keep their solutions, lab N and later keep only their stubs,
# and no marker remains.  Markdown loses its reference-only passages
# (solutions_stub/mdstrip.awk) and may link only to what the export has.
# The export is then checked: no marker and no line of lab N's (or a later
# lab's) solution code may be left anywhere in it.
#
# --solved exports the same tree with lab N's own solution kept
# (`unifdef -DSOL=N`, and only the solutions of labs after N must be
# absent): the handout as a student who finished lab N would have it,
# with lab N's student Makefrag (stage=N, `make grade LAB=N`).
# make handout-check grades it, runs the commands of labs/labN.md in it
# and applies solutions_stub/mutations/labN/ to it.  It is for checking
# the course, never for students.
set -eu

cd "$(dirname "$0")/.."
TOP=$(pwd -P)
HERE=solutions_stub
MANIFEST=$HERE/manifest
# Instructor-only paths, left out of every handout: the tooling, the
# course's CI, and the guide to grading (which shows the markers).
EXCLUDE='^(solutions_stub/|\.ci/|docs/instructor-guide\.md$)'

die() { echo "handout: $*" >&2; exit 1; }

# A handout that failed its checks must not be handed out by mistake.
reject() {
	find "$DEST" -mindepth 1 -delete
	die "$* The export at $DEST was removed."
}

labs() { awk -f $HERE/manifest.awk $MANIFEST; }

usage() {	# WHY
	echo "handout: $1" >&2
	echo "usage: make handout LAB=N [DEST=dir]    (DEST defaults to handouts/labN)" >&2
	echo "       make handout LAB=N SOLVED=1 [DEST=dir]    (lab N solved too: handouts/labN-solved)" >&2
	echo "labs:" >&2
	labs | awk -F '\t' '{ printf "  %2d  %s%s\n", $1, $3, $2 == "ready" ? "" : "  (future: not exportable yet)" }' >&2
	exit 2
}

# The files of the tree, one per line: tracked or new, not ignored, present.
tree_files() {
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files --cached --others --exclude-standard
	else
		echo "handout: not a git work tree; exporting every file but obj/" >&2
		find . -path ./obj -prune -o -path ./handouts -prune -o -path ./.git -prune \
			-o \( -type f -o -type l \) -print | sed 's|^\./||'
	fi | sort -u | while IFS= read -r f; do
		if [ -f "$f" ] || [ -L "$f" ]; then echo "$f"; fi
	done
}

# Check every region against the manifest: show the notes, fail on errors.
check_regions() {	# FILELIST REGIONS
	xargs -r awk -f $HERE/regions.awk < "$1" > "$2"
	{ grep '^error' "$2" || true
	  awk -f $HERE/manifest.awk -v mode=check $MANIFEST "$2" || true
	} > "$2.check"
	sed -n 's/^note\t/handout: note: /p' "$2.check" >&2
	if grep -q '^error' "$2.check"; then
		sed -n 's/^error\t/handout: /p' "$2.check" >&2
		die "the regions and solutions_stub/manifest disagree; fix the lines above"
	fi
}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/handout.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM

tree_files | grep -Ev "$EXCLUDE" > "$TMP/files" || true
[ -s "$TMP/files" ] || die "no files to export"
# git quotes names with unusual characters; such a name cannot be exported.
if grep '^"' "$TMP/files" >&2; then die "rename the files above to export them"; fi

case ${1:-} in
--labs)	labs; exit 0;;
--check)
	check_regions "$TMP/files" "$TMP/regions"
	echo "handout: $(grep -c '^region' "$TMP/regions") regions checked against the manifest"
	exit 0;;
esac

# Labs up to KEEP keep their solutions: the ones before LAB, or with
# --solved LAB itself too.
SOLVED=
if [ "${1:-}" = --solved ]; then SOLVED=1; shift; fi
LAB=${1:-}
[ -n "$LAB" ] || usage "say which lab: LAB=N"
STATE=$(labs | awk -F '\t' -v n="$LAB" '$1 == n { print $2 }')
[ -n "$STATE" ] || usage "there is no lab '$LAB'"
[ "$STATE" = ready ] || usage "lab $LAB is planned but not written yet"
TITLE=$(labs | awk -F '\t' -v n="$LAB" '$1 == n { print $3 }')
if [ -n "$SOLVED" ]; then
	KEEP=$LAB
	DEST=${2:-handouts/lab$LAB-solved}
else
	KEEP=$((LAB - 1))
	DEST=${2:-handouts/lab$LAB}
fi

command -v unifdef >/dev/null 2>&1 ||
	die "unifdef not found: install it with \`sudo apt-get install unifdef\` (or run \`make deps\` as root)"

check_regions "$TMP/files" "$TMP/regions"

# --- Where to: never over the tree itself or a directory we did not make. ---
DEST=$(realpath -m "$DEST")
case $TOP/ in
"${DEST%/}"/*) die "DEST=$DEST holds this tree; choose another directory";;
esac
case $DEST in
"$TOP"/*)
	git check-ignore -q "$DEST" 2>/dev/null ||
		die "DEST=$DEST is inside this tree and not ignored by git: the next handout would include it";;
esac
mkdir -p "$DEST"
if [ -n "$(ls -A "$DEST")" ]; then
	grep -qs '^HANDOUT_LAB' "$DEST/$HERE/Makefrag" ||
		die "DEST=$DEST is not empty and is not an earlier handout; remove it or choose another"
	find "$DEST" -mindepth 1 -delete
fi

# --- Copy, then strip the regions. ---
tar -cf - -T "$TMP/files" | tar -xf - -C "$DEST"

awk -F '\t' '$1 == "region" { print $2 }' "$TMP/regions" | sort -u > "$TMP/sources"
(cd "$DEST" && xargs -r unifdef -x2 -m -DSOL=$KEEP < "$TMP/sources") ||
	reject "unifdef failed on the files above."

# The top Makefile includes solutions_stub/Makefrag: put the student's in
# (a solved export says what it is at its top, lest it be handed out).
mkdir -p "$DEST/$HERE"
{
	sed -n 1p $HERE/student.mk | sed "s/@LAB@/$LAB/g"
	[ -z "$SOLVED" ] || printf '%s\n' "#" \
		"# SOLVED: lab $LAB's own solution is in this tree too (make handout" \
		"# --solved, for make handout-check): never give it to students."
	sed 1d $HERE/student.mk | sed "s/@LAB@/$LAB/g"
} > "$DEST/$HERE/Makefrag"

# --- Markdown: the reference tree's own passages go, no link may dangle. ---
# A passage between the lines `<!-- reference-only -->` and
# `<!-- /reference-only -->` is about the reference tree (how to export a
# handout, the instructor guide): a handout has neither.
(cd "$DEST" && find . -name '*.md' -type f | sed 's|^\./||' | LC_ALL=C sort) > "$TMP/md"
while IFS= read -r f; do
	grep -q 'reference-only' "$DEST/$f" || continue
	awk -f $HERE/mdstrip.awk "$DEST/$f" > "$TMP/md.out" ||
		reject "$f: unbalanced <!-- reference-only --> lines (see $HERE/mdstrip.awk)."
	cat "$TMP/md.out" > "$DEST/$f"
	if grep -n 'reference-only' "$DEST/$f" > "$TMP/md.left"; then
		sed "s|^|handout: $DEST/$f:|" "$TMP/md.left" >&2
		reject "$f: a reference-only marker is not on a line of its own, as <!-- reference-only --> or <!-- /reference-only -->."
	fi
done < "$TMP/md"
# Every relative link of the exported Markdown must reach a file or a
# directory of the export (the instructor guide, say, is not in it).
while IFS= read -r f; do
	awk -f $HERE/mdstrip.awk -v mode=links "$DEST/$f" | while IFS= read -r l; do
		target=${l#*	}
		case $target in
		/*) ;;
		*) target=$(dirname "$f")/$target;;
		esac
		[ -e "$DEST/$target" ] || echo "$f:${l%%	*}: link to ${l#*	}, which the handout lacks"
	done
done < "$TMP/md" > "$TMP/dangling"
if [ -s "$TMP/dangling" ]; then
	sed "s|^|handout: $DEST/|" "$TMP/dangling" >&2
	reject "Markdown links to files the handout leaves out (above): put the passage between <!-- reference-only --> lines, or link to something the handout has."
fi

# --- Prove it: no marker, and no line only a solution of lab > KEEP has. ---
(cd "$DEST" && find . -type f -print | sed 's|^\./||' | LC_ALL=C sort |
	xargs -r awk -f "$TOP/$HERE/regions.awk" | cut -f2- |
	sed 's/^\([^\t]*\)\t\([0-9]*\)\t\([0-9]*\).*/\1:\2: region for lab \3/'
 cd "$DEST" && grep -rnw SOL --include='*.[chSs]' --include='*.ld' --include='*.inc' . |
	sed 's|^\./||') > "$TMP/left" || true
if [ -s "$TMP/left" ]; then
	sed "s|^|handout: $DEST/|" "$TMP/left" >&2
	reject "SOL markers remain in the handout (above)."
fi

# (One awk over every file: the lines outside solutions count tree-wide.)
(set -f; IFS='
'; awk -f $HERE/regions.awk -v mode=solution -v lab=$((KEEP + 1)) $(cat "$TMP/files")) > "$TMP/solution"
(cd "$DEST" && find . -type f -print | sed 's|^\./||' | xargs -r grep -Il '' |
	xargs -r awk -v fp="$TMP/solution" '
		BEGIN { while ((getline s < fp) > 0) sol[s] = 1 }
		{ t = $0; sub(/^[ \t]+/, "", t); sub(/[ \t\r]+$/, "", t) }
		t in sol { printf "%s:%d: %s\n", FILENAME, FNR, t }') > "$TMP/leaks" || true
if [ -s "$TMP/leaks" ]; then
	head -n 20 "$TMP/leaks" | sed "s|^|handout: $DEST/|" >&2
	[ "$(wc -l < "$TMP/leaks")" -le 20 ] ||
		echo "handout: ... and $(($(wc -l < "$TMP/leaks") - 20)) more lines" >&2
	reject "Solution code of lab $((KEEP + 1)) or later remains in the handout (above)."
fi

stubbed=$(awk -F '\t' -v n="$KEEP" '$1 == "region" && $4 > n' "$TMP/regions" | wc -l)
kept=$(awk -F '\t' -v n="$KEEP" '$1 == "region" && $4 <= n' "$TMP/regions" | wc -l)
echo "handout: lab $LAB ($TITLE) exported to $DEST${SOLVED:+, with its own solution}"
echo "handout: $(wc -l < "$TMP/files") files; $stubbed regions of labs > $KEEP stubbed," \
	"$kept of labs <= $KEEP solved; checked: no markers, no solution lines"
