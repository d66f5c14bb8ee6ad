# mdstrip.awk - the Markdown of a handout (solutions_stub/handout.sh).
#
# Default: print the file without its reference-only passages, each the
# lines from `<!-- reference-only -->` to `<!-- /reference-only -->`
# (both included) and the blank line after them; exit 1 if the marker
# lines do not pair up.  On GitHub and in Doxygen the markers are
# comments, so the reference tree reads as if they were not there.
#
# mode=links: print "LINE<TAB>TARGET" for every relative link (inline
# [text](target), or a reference definition [name]: target) outside code,
# its #fragment removed, for the export's check that none dangles.

function report(t) {
	sub(/^</, "", t)
	sub(/>$/, "", t)
	# A URL (https:, mailto:) or an anchor in the same page.
	if (t ~ /^[A-Za-z][A-Za-z0-9+.-]*:/ || t ~ /^#/)
		return
	sub(/#.*/, "", t)
	if (t != "")
		printf "%d\t%s\n", FNR, t
}

function links(line,    t) {
	# Code spans hold no links.
	gsub(/`[^`]*`/, "", line)
	if (match(line, /^[ ]*\[[^]]+\]:[ \t]+[^ \t]+/)) {
		t = substr(line, RSTART, RLENGTH)
		sub(/^[^]]*\]:[ \t]+/, "", t)
		report(t)
		return
	}
	while (match(line, /\]\([^) \t]+/)) {
		report(substr(line, RSTART + 2, RLENGTH - 2))
		line = substr(line, RSTART + RLENGTH)
	}
}

mode == "links" {
	if ($0 ~ /^[ ]*(```|~~~)/)
		fence = !fence
	else if (!fence)
		links($0)
	next
}

/^<!-- reference-only -->[ \t]*$/ {
	if (skip)
		bad = 1
	skip = 1
	next
}
/^<!-- \/reference-only -->[ \t]*$/ {
	if (!skip)
		bad = 1
	skip = 0
	after = 1
	next
}
skip { next }
after && /^[ \t]*$/ { after = 0; next }
{ after = 0; print }

END {
	if (mode != "links" && (skip || bad))
		exit 1
}
