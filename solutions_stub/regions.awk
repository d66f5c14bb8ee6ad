# solutions_stub/regions.awk - find the `#if SOL >= N` regions of source files.
#
# usage: awk -f regions.awk [-v mode=MODE] [-v lab=N] FILE...
#
# mode=regions (the default) prints, tab-separated,
#	region	FILE	LINE	LAB	FUNCTION	(FUNCTION is "-" outside one)
#	error	FILE:LINE: what is wrong
# for every region and every misuse of SOL: a marker in any other form than
# `#if SOL >= N`, a region without its `#else` stub, a stub without its
# `LAB N:` comment, nested regions, a region left open, a marker in a file
# unifdef will not process.
#
# mode=solution prints each line (trimmed) that exists in the files only as
# solution code of labs >= lab: a handout for `lab` must contain none of them.
#
# Only C, assembly, linker-script and header files carry regions; a marker
# elsewhere is an error, except in Markdown, where it is an example.

function trim(s) {
	sub(/^[ \t]+/, "", s)
	sub(/[ \t\r]+$/, "", s)
	return s
}

function err(msg) {
	printf "error\t%s:%d: %s\n", FILENAME, FNR, msg
}

# Close a file: report a region left open, reset the per-file state.
function endfile() {
	if (fname != "" && reg_lab)
		printf "error\t%s:%d: region for lab %d has no #endif\n", fname, reg_line, reg_lab
	depth = 0; reg_lab = 0; reg_depth = 0; in_else = 0
	fn = "-"; candidate = ""
}

BEGIN {
	if (mode == "")
		mode = "regions"
	fname = ""
}

FNR == 1 {
	endfile()
	fname = FILENAME
	source = FILENAME ~ /\.(c|h|S|s|ld|lds|inc)$/
	doc = FILENAME ~ /\.md$/
	asm = FILENAME ~ /\.[Ss]$/
}

{
	line = $0
	t = trim(line)
	is_cond = t ~ /^#[ \t]*(if|ifdef|ifndef|elif)[ \t(]/
	names_sol = is_cond && (" " t " ") ~ /[^A-Za-z0-9_]SOL[^A-Za-z0-9_]/
	solution_line = 0
}

# Outside source files: nothing to parse, but a marker means a mistake.
!source {
	if (names_sol && !doc)
		err("SOL marker in a file unifdef does not process (only C, assembly and headers)")
	if (mode == "solution")
		other[t] = 1
	next
}

# Which function are we in?  Kernel style puts the name at the start of a
# line and the braces of a body in column 0; assembly has labels.
asm && /^[A-Za-z_][A-Za-z0-9_]*:/ { fn = $0; sub(/:.*/, "", fn) }
!asm && /^[A-Za-z_][A-Za-z0-9_]*\(/ { candidate = $0; sub(/\(.*/, "", candidate) }
!asm && /^\{/ { fn = candidate != "" ? candidate : "-" }
!asm && /^\}/ { fn = "-"; candidate = "" }

# Conditionals: track nesting so each region's #else and #endif are its own.
is_cond && t !~ /^#[ \t]*elif/ {
	depth++
	if (names_sol) {
		if (t !~ /^#[ \t]*if[ \t]+SOL[ \t]*>=[ \t]*[0-9]+$/)
			err("write SOL markers exactly as `#if SOL >= N` (found `" t "`)")
		else if (reg_lab)
			err("region nested in the region for lab " reg_lab " (line " reg_line ")")
		else {
			n = t; sub(/.*>=[ \t]*/, "", n)
			reg_lab = n + 0; reg_line = FNR; reg_depth = depth
			in_else = 0; has_stub = 0; reg_fn = fn
			if (reg_lab < 1)
				err("lab numbers start at 1")
		}
	}
	next
}
t ~ /^#[ \t]*elif/ {
	if (names_sol || (reg_lab && depth == reg_depth))
		err("#elif in a SOL region: use `#if SOL >= N` ... `#else` ... `#endif`")
	next
}
t ~ /^#[ \t]*else/ && reg_lab && depth == reg_depth {
	in_else = 1
	next
}
t ~ /^#[ \t]*endif/ {
	if (reg_lab && depth == reg_depth) {
		if (!in_else)
			printf "error\t%s:%d: region for lab %d has no #else: the handout needs a stub there\n", FILENAME, reg_line, reg_lab
		else if (!has_stub)
			printf "error\t%s:%d: the stub of this region lacks its `LAB %d: your code here` comment\n", FILENAME, reg_line, reg_lab
		if (mode == "regions")
			printf "region\t%s\t%d\t%d\t%s\n", FILENAME, reg_line, reg_lab, reg_fn
		reg_lab = 0
	}
	if (depth > 0)
		depth--
	next
}

# Any other line: inside a region's solution, inside its stub, or neither.
reg_lab && in_else && index(line, "LAB " reg_lab ":") { has_stub = 1 }
reg_lab && !in_else { solution_line = 1 }

mode == "solution" {
	if (solution_line && reg_lab >= lab)
		sol[t] = 1
	else
		other[t] = 1
}

END {
	endfile()
	if (mode == "solution")
		for (s in sol)
			if (!(s in other) && length(s) >= 8)
				print s
}
