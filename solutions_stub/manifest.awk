# solutions_stub/manifest.awk - read the manifest, check it against the regions.
#
# usage: awk -f manifest.awk manifest               (mode=list, the default)
#        awk -f manifest.awk -v mode=check manifest REGIONS
#
# mode=list prints one line per lab:  NUMBER<tab>STATE<tab>TITLE
#
# mode=check reads the region list regions.awk printed (REGIONS, or - for
# standard input) and prints one line per disagreement with the manifest,
# "error<tab>..." for a ready lab, where the tools stop: a region of a lab
# the manifest lacks, a region in a function or file its lab does not
# list, an entry holding no region, a ready lab with no region at all.
# A future lab may already have regions (it is being written): for it the
# same findings are "note<tab>..." lines, which the tools only show.

BEGIN { FS = "\t"; if (mode == "") mode = "list" }

function problem(msg) { print "error\t" msg; bad = 1 }
function finding(lab, msg) {
	if (state[lab] == "ready")
		problem(msg)
	else
		print "note\t" msg
}

# --- the manifest (first file) ---
FILENAME == ARGV[1] && /^lab[ \t]/ {
	split($0, w, /[ \t]+/)
	cur = w[2]
	if (cur !~ /^[0-9]+$/ || (w[3] != "ready" && w[3] != "future")) {
		problem("manifest:" FNR ": expected `lab NUMBER ready|future TITLE`")
		cur = ""
		next
	}
	if (cur in state)
		problem("manifest:" FNR ": lab " cur " is listed twice")
	title = $0
	sub(/^lab[ \t]+[0-9]+[ \t]+[a-z]+[ \t]*/, "", title)
	state[cur] = w[3]; titles[cur] = title; order[nlabs++] = cur
	next
}
FILENAME == ARGV[1] && /^[ \t]+[^ \t#]/ {
	if (cur == "") {
		problem("manifest:" FNR ": an owned file outside any lab")
		next
	}
	n = split($0, w, /[ \t]+/)	# w[1] is empty: the line is indented
	file = w[2]
	if (n == 2) {
		owns[cur, file, "-"] = 1; entries[++nentries] = cur SUBSEP file SUBSEP "-"
	}
	for (i = 3; i <= n; i++)
		if (w[i] != "") {
			owns[cur, file, w[i]] = 1; entries[++nentries] = cur SUBSEP file SUBSEP w[i]
		}
	next
}
FILENAME == ARGV[1] { next }

# --- the regions (second file): region FILE LINE LAB FUNCTION ---
$1 == "region" {
	file = $2; line = $3; lab = $4; fn = $5
	where = file ":" line ": region for lab " lab
	if (!(lab in state))
		problem(where ", which solutions_stub/manifest does not list")
	else if (!((lab, file, "-") in owns) && !((lab, file, fn) in owns))
		finding(lab, where (fn == "-" ? " (outside any function)" : " in " fn) \
			" is not listed under lab " lab " in solutions_stub/manifest")
	has[lab, file, fn] = 1; has[lab, file, "-"] = 1; nregions[lab]++
}

END {
	if (mode == "list") {
		for (i = 0; i < nlabs; i++)
			printf "%s\t%s\t%s\n", order[i], state[order[i]], titles[order[i]]
		exit bad
	}
	for (i = 1; i <= nentries; i++) {
		split(entries[i], e, SUBSEP)
		if (!(entries[i] in has))
			finding(e[1], "solutions_stub/manifest: lab " e[1] " lists " e[2] \
				(e[3] == "-" ? "" : " " e[3]) ", which holds no region for lab " e[1])
	}
	for (i = 0; i < nlabs; i++) {
		lab = order[i]
		if (state[lab] == "ready" && !(lab in nregions))
			problem("solutions_stub/manifest: lab " lab " is ready but no `#if SOL >= " \
				lab "` region exists")
		if (state[lab] != "ready" && (lab in nregions))
			print "note\tlab " lab " has " nregions[lab] " regions but is marked future:" \
				" its handout is not made or checked until the manifest says ready"
	}
	exit bad
}
