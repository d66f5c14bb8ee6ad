#!/bin/sh
# solutions_stub/lab-commands.sh - run, in a lab's handout, every command
# the lab's text tells students to run.
#
# usage: lab-commands.sh DIR LAB
#
# Each `make run...`/`make qemu...` command of DIR/labs/labLAB.md
# (solutions_stub/lab_commands.py finds them) runs in DIR, as typed, until
# the line that shows it started what the text says appears, then stops:
#
#	a guest for the monitor (GUEST=, run, run-te)	"vmm: running ..."
#	guest_xv6 natively (run-native)			"guest_xv6: ..."
#	a kernel test (CMDLINE=test=NAME)		"ktest NAME: start"
#	a user program (CMDLINE=run=PROG)		"vmlab kernel booting"
#	the kernel alone				"Welcome to the kernel monitor"
#
# `make qemu-gdb ...` must wait for GDB, and start when a GDB attached to
# it continues.  `make qemu` runs with no window (QEMUEXTRA=-display none).
# Prints one line per command; exits non-zero if any failed.
set -u

DIR=$1 LAB=$2
HERE=$(cd "$(dirname "$0")" && pwd)
LIMIT=${LAB_COMMAND_TIMEOUT:-90}
# A GDB port of this lab's own: handout checks run two labs at a time.
PORT=$(( 26000 + LAB * 10 + $$ % 10 ))
failed=0

expect_of() {	# COMMAND
	case $1 in
	*"GUEST="*|"make run"|"make run "*|"make run-te"*) echo '^vmm: running ';;
	"make run-native"*) echo '^guest_xv6: ';;
	*CMDLINE=test=*)
		t=${1##*CMDLINE=test=}; t=${t%% *}
		echo "^ktest $t: start";;
	*CMDLINE=run=*) echo '^vmlab kernel booting';;
	*) echo '^Welcome to the kernel monitor';;
	esac
}

# Wait until FILE has a line matching RE, or LIMIT seconds pass.
wait_for() {	# FILE RE
	i=0
	while [ $i -lt $((LIMIT * 5)) ]; do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}

stop_group() {	# PID
	kill -TERM -- "-$1" 2>/dev/null
	sleep 0.3
	kill -KILL -- "-$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

run_one() {	# COMMAND LOG
	cmd=$1 log=$2 re=$(expect_of "$1")
	extra=
	case $cmd in "make qemu"|"make qemu "*) extra="QEMUEXTRA=-display none";; esac
	case $cmd in
	"make qemu-gdb"*)
		rm -f "$DIR/.gdbinit"
		eval "setsid env -u MAKEFLAGS -u MAKELEVEL $cmd -C '$DIR' GDBPORT=$PORT" \
			> "$log" 2>&1 < /dev/null &
		qemu=$!
		if wait_for "$log" "make gdb"; then
			sleep 1
			( cd "$DIR" && setsid gdb -q -nx -batch -x .gdbinit \
				-ex 'delete' -ex 'continue' ) > "$log.gdb" 2>&1 < /dev/null &
			gdb=$!
			wait_for "$log" "$re"; ok=$?
			stop_group $gdb
		else
			ok=1
		fi
		stop_group $qemu;;
	*)
		eval "setsid env -u MAKEFLAGS -u MAKELEVEL $cmd -C '$DIR' ${extra:+\"$extra\"}" \
			> "$log" 2>&1 < /dev/null &
		pid=$!
		wait_for "$log" "$re"; ok=$?
		stop_group $pid;;
	esac
	return $ok
}

n=0
python3 "$HERE/lab_commands.py" "$DIR/labs/lab$LAB.md" > "$DIR/.lab-commands" || exit 1
while IFS= read -r cmd; do
	n=$((n + 1))
	log=$DIR/.lab-command-$n.log
	if run_one "$cmd" "$log"; then
		echo "lab-commands: ok: $cmd"
	else
		echo "lab-commands: FAIL: $cmd: no line /$(expect_of "$cmd")/ in $LIMIT s; it printed:"
		tail -n 6 "$log" | sed 's/^/    | /'
		failed=$((failed + 1))
	fi
done < "$DIR/.lab-commands"
echo "lab-commands: $n commands of labs/lab$LAB.md, $failed failed"
[ $failed -eq 0 ]
