#!/usr/bin/env python3
# solutions_stub/lab_commands.py - the commands a lab's text tells students
# to run, so that handout-check can run them in the lab's handout.
#
# usage: lab_commands.py labs/labN.md
#
# Prints, one per line, every `make run...`, `make qemu...` and
# `make run-te/run-native` command of the handout: the lines of its code
# blocks and its inline code (an inline span may wrap), without shell
# comments.  Commands with placeholders (NAME, ADDR, ..., a bare =) are
# templates, not commands, and are left out.
import re
import sys

TARGETS = r"(?:run-te|run-native|run|qemu-nox|qemu-gdb|qemu)(?![\w-])"
COMMAND = re.compile(r"make " + TARGETS + r"(?:\s+[A-Z_]+=(?:'[^']*'|\"[^\"]*\"|\S+))*")
PLACEHOLDER = re.compile(r"\.\.\.|NAME|ADDR|PROG|ARGS|IMAGE|DISK|=\s|=$")


def candidates(text):
    # Inline spans first (outside the code blocks, whose fences would pair
    # up with them), joined across the line breaks they may hold.
    prose = re.sub(r"^[ \t]*```.*?^[ \t]*```", "", text, flags=re.S | re.M)
    for para in re.split(r"\n\s*\n", prose):
        # A quoted paragraph (> ...) keeps its spans across its lines.
        para = re.sub(r"^>\s?", "", para, flags=re.M)
        for span in re.findall(r"`([^`]+)`", para):
            yield " ".join(span.split())
    in_block = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            in_block = not in_block
            continue
        if in_block:
            yield line.split(" #")[0].strip()


def main():
    text = open(sys.argv[1], encoding="utf-8").read()
    seen = []
    for c in candidates(text):
        for m in COMMAND.finditer(c):
            cmd = m.group(0).strip()
            if PLACEHOLDER.search(cmd) or cmd in seen:
                continue
            seen.append(cmd)
            print(cmd)


main()
