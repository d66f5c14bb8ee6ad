#!/usr/bin/env python3
# solutions_stub/mutate.py - the catalogue of students' mistakes: apply one
# to a solved handout, judge what the grader said of it, sum them up.
#
# usage: mutate.py list LAB			the mutations of lab LAB, one per line
#        mutate.py check MUTATION TREE		is it well formed, and does it apply?
#        mutate.py apply MUTATION TREE		make the mistake in TREE
#        mutate.py revert TREE			undo the mistake applied last
#        mutate.py judge MUTATION RESULTS LAB [SECS]	was it caught? (a row, tab-separated)
#        mutate.py budget MUTATION		its time budget in seconds, or nothing
#        mutate.py table OUT ROWS...		the rows as a Markdown table in OUT
#        mutate.py guide GUIDE ROWS...	the table into the instructor guide
#
# A mutation is a file solutions_stub/mutations/labN/NAME.mut: a few
# header lines, then the edit, as exact text (tabs and all):
#
#	# comments start with '#', before the header ends
#	file: vmm/emul_priv.c
#	exercise: 3
#	mistake: one sentence: what the student got wrong
#	--- old
#	<lines of the lab's solution, as they are in the solved handout>
#	--- new
#	<the lines the student wrote instead (none: the lines are deleted)>
#
# Two optional header lines are for hangs.  `budget: SECONDS`: the
# mistake makes the kernel hang, so the lab is graded in full (no
# --fail-fast) and the whole `make grade LAB=N` must end within SECONDS
# (SECS, given to judge).  `sees: REGEX`: the failure text of some failed
# test must match REGEX (Python syntax), e.g. the function the grader
# found the kernel stuck in.
#
# More `--- old` / `--- new` pairs may follow, all in the same file.  Each
# old text must occur exactly once in the file of the solved handout
# (make handout LAB=N SOLVED=1), so that a mutation the solution has
# outgrown stops the check with a message instead of testing nothing.
#
# judge reads the results.json of `make grade LAB=N` on the mutated tree.
# A mutation is caught when (a) some test of lab N failed, so the score
# dropped, (b) the failure text of one of the failed tests names the
# mutation's exercise ("exercise 3", "exercises 1-4", "exercises 1, 2"),
# and (c) no test crashed the grader itself.  Its row: NAME, caught or
# SURVIVED, the points lost, the first line after "got:" the student sees
# (in test order), why it survived if it did (else the test naming the
# exercise), the mistake and its exercise.  judge exits 0 if the mistake
# was caught, 3 if --fail-fast left it undecided (the failures so far name
# another exercise, and tests were not run: grade it in full), else 1.
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BACKUP = ".mutation-backup"	# in the tree: the file as it was, and its name
HEADERS = ("file", "exercise", "mistake", "budget", "sees")


class MutationError(Exception):
    pass


def parse(path):
    """The header (a dict) and the hunks [(old, new)] of a mutation file."""
    try:
        lines = open(path, encoding="utf-8").read().split("\n")
    except OSError as e:
        raise MutationError("%s: %s" % (path, e.strerror))
    if lines and lines[-1] == "":
        lines.pop()
    head, hunks, i = {}, [], 0
    while i < len(lines) and not lines[i].startswith("--- "):
        line = lines[i]
        i += 1
        if not line.strip() or line.startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep or key.strip() not in HEADERS:
            raise MutationError("%s:%d: expected one of %s, got %r"
                                % (path, i, ", ".join("`%s:`" % h for h in
                                                      HEADERS), line))
        head[key.strip()] = value.strip()
    for key in ("file", "exercise", "mistake"):
        if not head.get(key):
            raise MutationError("%s: no `%s:` line before the first "
                                "`--- old`" % (path, key))
    if not re.fullmatch(r"[0-9]+", head["exercise"]):
        raise MutationError("%s: `exercise: %s` is not one exercise's "
                            "number" % (path, head["exercise"]))
    if "budget" in head and not re.fullmatch(r"[0-9]+", head["budget"]):
        raise MutationError("%s: `budget: %s` is not a number of seconds"
                            % (path, head["budget"]))
    if "sees" in head:
        try:
            re.compile(head["sees"])
        except re.error as e:
            raise MutationError("%s: `sees: %s`: %s" % (path, head["sees"], e))
    while i < len(lines):
        if lines[i] != "--- old":
            raise MutationError("%s:%d: expected `--- old`, got %r"
                                % (path, i + 1, lines[i]))
        j = i + 1
        while j < len(lines) and lines[j] != "--- new":
            if lines[j] == "--- old":
                break
            j += 1
        if j == len(lines) or lines[j] != "--- new":
            raise MutationError("%s:%d: this `--- old` has no `--- new` "
                                "after it" % (path, i + 1))
        k = j + 1
        while k < len(lines) and lines[k] != "--- old":
            k += 1
        old = "".join(l + "\n" for l in lines[i + 1:j])
        new = "".join(l + "\n" for l in lines[j + 1:k])
        if not old.strip():
            raise MutationError("%s:%d: the old text is empty" % (path, i + 1))
        if old == new:
            raise MutationError("%s:%d: the new text is the old one"
                                % (path, i + 1))
        hunks.append((old, new))
        i = k
    if not hunks:
        raise MutationError("%s: no `--- old` / `--- new` edit" % path)
    return head, hunks


def mutated(mut, tree):
    """The file's path in tree, its text, and its text with the mistake."""
    head, hunks = parse(mut)
    target = os.path.join(tree, head["file"])
    try:
        text = open(target, encoding="utf-8").read()
    except OSError as e:
        raise MutationError("%s: file: %s: %s" % (mut, target, e.strerror))
    out = text
    for n, (old, new) in enumerate(hunks, 1):
        count = out.count(old)
        if count != 1:
            first = old.strip().split("\n")[0].strip()
            raise MutationError(
                "%s: the old text of edit %d (it starts %r) occurs %s in %s: %s"
                % (mut, n, first, "nowhere" if count == 0 else "%d times" % count,
                   target, "the solution changed; update the mutation"
                   if count == 0 else "add lines around it until it occurs once"))
        out = out.replace(old, new)
    return target, text, out


def cmd_list(lab):
    d = os.path.join(HERE, "mutations", "lab%s" % lab)
    if os.path.isdir(d):
        for f in sorted(os.listdir(d)):
            if f.endswith(".mut"):
                print(os.path.join(d, f))


def cmd_check(mut, tree):
    mutated(mut, tree)


def cmd_apply(mut, tree):
    backup = os.path.join(tree, BACKUP)
    if os.path.exists(backup):
        raise MutationError("%s: a mutation is applied already (%s): "
                            "`mutate.py revert %s` first" % (tree, backup, tree))
    target, text, out = mutated(mut, tree)
    os.makedirs(backup)
    with open(os.path.join(backup, "file"), "w", encoding="utf-8") as f:
        f.write(target + "\n")
    with open(os.path.join(backup, "text"), "w", encoding="utf-8") as f:
        f.write(text)
    with open(target, "w", encoding="utf-8") as f:
        f.write(out)


def cmd_revert(tree):
    backup = os.path.join(tree, BACKUP)
    if not os.path.isdir(backup):
        return
    target = open(os.path.join(backup, "file"), encoding="utf-8").read().strip()
    text = open(os.path.join(backup, "text"), encoding="utf-8").read()
    # Written anew, so that make sees it newer than what the mistake built.
    with open(target, "w", encoding="utf-8") as f:
        f.write(text)
    for name in ("file", "text"):
        os.unlink(os.path.join(backup, name))
    os.rmdir(backup)


def exercises(text):
    """Every exercise number a text names: "exercise 3", "exercises 1-4",
    "exercises 1, 2 and 3", "exercises 2, 3"."""
    found = set()
    for m in re.finditer(r"\bexercises?\s+([0-9]+(?:\s*(?:-|,|and|to)\s*[0-9]+)*)",
                         text, re.I):
        for a, b in re.findall(r"([0-9]+)(?:\s*(?:-|to)\s*([0-9]+))?", m.group(1)):
            lo, hi = int(a), int(b or a)
            found.update(range(lo, hi + 1))
    return found


def first_got(output):
    """The first line after "got:" in a failure (with the next one when it
    ends in a colon: the list it announces), else its first line of
    explanation (the one after the FAIL: description)."""
    lines = output.split("\n")
    for i, line in enumerate(lines):
        m = re.match(r"\s*got:\s*(.*)", line)
        if m and m.group(1).strip():
            got = m.group(1).strip()
            if got.endswith(":") and i + 1 < len(lines):
                got += " " + lines[i + 1].strip()
            return got
    for line in lines[1:]:
        if line.strip():
            return re.sub(r"^grade/[^:]*:[0-9]+: ", "", line.strip())
    return "(no explanation)"


def cmd_budget(mut):
    head, _ = parse(mut)
    if "budget" in head:
        print(head["budget"])


def cmd_judge(mut, results, lab, secs=None):
    head, _ = parse(mut)
    name = os.path.basename(mut)[:-4]
    exercise = int(head["exercise"])
    row = [name, "SURVIVED", "0", "", ""]
    try:
        tests = json.load(open(results, encoding="utf-8"))["tests"]
    except (OSError, ValueError, KeyError) as e:
        row[4] = "no results from the grader (%s): did the build fail?" % e
        print("\t".join(row + [head["mistake"], head["exercise"]]))
        return 1
    mine = [t for t in tests if t["name"].startswith("lab%s/" % lab)]
    failed = [t for t in mine if t["status"] != "passed"
              and not t.get("extra_data", {}).get("not_gradable")
              and not t["output"].startswith("NOT RUN:")]
    not_run = [t for t in mine if t["output"].startswith("NOT RUN:")]
    crashed = [t["name"] for t in mine if "the test itself crashed" in t["output"]]
    lost = sum(t["max_score"] for t in failed)
    row[2] = ("%d+" % lost) if not_run else "%d" % lost
    # What the student reads first: the first failure that costs points.
    if failed:
        scored = [t for t in failed if t["max_score"] > 0] or failed
        row[3] = first_got(scored[0]["output"])
    named = [t for t in failed if exercise in exercises(t["output"])]
    sees = head.get("sees")
    seen = [t for t in failed if sees and re.search(sees, t["output"])]
    budget = int(head["budget"]) if "budget" in head else None
    if budget is not None and secs is not None:
        row[2] += " (whole grade: %d s)" % secs
    if crashed:
        row[4] = "the grader crashed in %s" % ", ".join(crashed)
    elif not mine:
        row[4] = "results.json has no test of lab %s" % lab
    elif not failed:
        row[4] = "every test of lab %s passed: the mistake earns full marks" % lab
    elif not named and not_run:
        # --fail-fast stopped the tests that would have said more.
        row[1] = "UNDECIDED"
        row[4] = ("the failed tests name no exercise %d, and %d were not "
                  "run: grade in full" % (exercise, len(not_run)))
    elif not named:
        row[4] = ("no failed test names exercise %d (they name: %s)"
                  % (exercise, ", ".join("%s: %s" % (t["name"],
                     sorted(exercises(t["output"])) or "none") for t in failed)))
    elif sees and not seen:
        row[4] = "no failed test's text matches /%s/" % sees
    elif budget is not None and secs is None:
        row[4] = "a mutation with a budget needs the grading's time"
    elif budget is not None and secs > budget:
        row[4] = ("the grading took %d s, over the budget of %d s: a hang "
                  "costs the student too long" % (secs, budget))
    else:
        row[1] = "caught"
        row[4] = named[0]["name"]
    row += [head["mistake"], head["exercise"]]
    print("\t".join(c.replace("\t", " ").replace("\n", " ") for c in row))
    return {"caught": 0, "UNDECIDED": 3}.get(row[1], 1)


def md(cell):
    """cell as text in a Markdown table cell that GitHub and Doxygen both
    show as it is: no column break, code span, tag or Doxygen link."""
    for a, b in (("\\", "\\\\"), ("|", "\\|"), ("`", "'"), ("#", "\\#"),
                 ("<", "&lt;"), (">", "&gt;"), ("@", "\\@")):
        cell = cell.replace(a, b)
    return cell


GUIDE_BEGIN = "<!-- mutations: made by make mutation-table; do not edit -->"
GUIDE_END = "<!-- /mutations -->"


def table_text(rows_files):
    """The rows of handout-check's labN.mutations files as Markdown."""
    rows = []
    for path in rows_files:
        lab = re.search(r"lab([0-9]+)", os.path.basename(path)).group(1)
        for line in open(path, encoding="utf-8"):
            cells = line.rstrip("\n").split("\t")
            if len(cells) >= 6:
                rows.append((lab, cells))
    full = os.environ.get("MUTATIONS_FULL") == "1"
    out = ["Each mistake is made in the solved handout of its lab "
           "(solutions_stub/mutations/labN/NAME.mut), which is then built "
           "and graded (%s). \"What the student sees\" is the first line "
           "after `got:` of the first failed test, in the order of the "
           "report.\n" % (
               "in full: the points lost are exact" if full else
               "with --fail-fast: a failed test stops the tests still to "
               "start, so `N+` means at least N points lost; "
               "`make mutation-table` grades in full"),
           "| lab | exercise | mistake (`mutation`) | points lost | what "
           "the student sees | caught by |",
           "|---:|---:|---|---:|---|---|"]
    for lab, c in rows:
        name, verdict, lost, got, why, mistake, exercise = (c + [""] * 7)[:7]
        out.append("| %s | %s | %s (`%s`) | %s | %s | %s |" % (
            lab, exercise, md(mistake), name, lost, md(got),
            "`%s`" % why if verdict == "caught" else
            "**%s**: %s" % (verdict, md(why))))
    return "\n".join(out) + "\n"


def cmd_table(out, rows_files):
    with open(out, "w", encoding="utf-8") as f:
        f.write("# Mutations: students' mistakes and what the grader says\n\n")
        f.write("Made by `make handout-check` (solutions_stub/mutate.py).\n\n")
        f.write(table_text(rows_files))


def cmd_guide(guide, rows_files):
    """Put the table in the guide, between its GUIDE_BEGIN/END lines."""
    text = open(guide, encoding="utf-8").read()
    a, b = text.find(GUIDE_BEGIN + "\n"), text.find(GUIDE_END + "\n")
    if a < 0 or b < a:
        raise MutationError("%s: no lines %r and %r, in that order, to put "
                            "the table between" % (guide, GUIDE_BEGIN, GUIDE_END))
    text = (text[:a + len(GUIDE_BEGIN) + 1] + table_text(rows_files) +
            text[b:])
    with open(guide, "w", encoding="utf-8") as f:
        f.write(text)


def main(argv):
    try:
        if len(argv) == 3 and argv[1] == "list":
            cmd_list(argv[2])
        elif len(argv) == 4 and argv[1] == "check":
            cmd_check(argv[2], argv[3])
        elif len(argv) == 4 and argv[1] == "apply":
            cmd_apply(argv[2], argv[3])
        elif len(argv) == 3 and argv[1] == "revert":
            cmd_revert(argv[2])
        elif len(argv) in (5, 6) and argv[1] == "judge":
            return cmd_judge(argv[2], argv[3], argv[4],
                             int(argv[5]) if len(argv) == 6 else None)
        elif len(argv) == 3 and argv[1] == "budget":
            cmd_budget(argv[2])
        elif len(argv) >= 3 and argv[1] == "table":
            cmd_table(argv[2], argv[3:])
        elif len(argv) >= 3 and argv[1] == "guide":
            cmd_guide(argv[2], argv[3:])
        else:
            sys.stderr.write("usage: mutate.py list LAB | check MUT TREE | "
                             "apply MUT TREE | revert TREE | judge MUT "
                             "RESULTS LAB [SECS] | budget MUT | table OUT "
                             "ROWS... | guide GUIDE ROWS...\n")
            return 2
    except MutationError as e:
        sys.stderr.write("mutate: %s\n" % e)
        return 1
    return 0


sys.exit(main(sys.argv))
