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
# `make qemu-gdb ...` runs on a free port of its own (GDBPORT=), and
# must wait for GDB: a GDB started as `make gdb` starts it, with the
# handout's .gdbinit, must stop at the kernel's _start, and must not stop
# again when it continues (a guest enters at the same address, at ring 1,
# which .gdbinit's condition leaves alone).  `make qemu` runs with no
# window (QEMUEXTRA=-display none).
# Prints one line per command; exits non-zero if any failed.
set -u

DIR=$1 LAB=$2
HERE=$(cd "$(dirname "$0")" && pwd)
LIMIT=${LAB_COMMAND_TIMEOUT:-90}
failed=0
why=

# A TCP port nothing listens on now: other checks and other trees may
# have QEMUs waiting for GDB, and a GDB must attach to ours.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("", 0)); print(s.getsockname()[1])'
}

# Whether something listens on TCP port $1 (Linux: /proc/net/tcp).
listening() {	# PORT
	hex=$(printf '%04X' "$1")
	grep -Eq "^ *[0-9]+: [0-9A-F]+:$hex [0-9A-F]+:0000 0A " /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

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

# End what start_group started: its whole process group (make, the
# shell of its recipe, QEMU).  (No `--` before the group: dash's kill
# takes it for a pid, and kills nothing.)
stop_group() {	# PID
	kill -TERM "-$1" 2>/dev/null
	sleep 0.3
	kill -KILL "-$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# Run COMMAND... in the background as the leader of a new session and
# process group, so that stop_group reaches all of it; its pid in $pid.
# (The exec makes the background job itself the setsid: its pid is the
# group's.  Without it setsid would be a child, and the group unknown.)
start_group() {	# LOG COMMAND-STRING
	eval "exec setsid $2" > "$1" 2>&1 < /dev/null &
	pid=$!
}

run_one() {	# COMMAND LOG
	cmd=$1 log=$2 re=$(expect_of "$1")
	why="no line /$re/ in $LIMIT s"
	extra=
	case $cmd in "make qemu"|"make qemu "*) extra="QEMUEXTRA=-display none";; esac
	case $cmd in
	"make qemu-gdb"*)
		# A .gdbinit made for this port, as make qemu-gdb makes one.
		port=$(free_port)
		rm -f "$DIR/.gdbinit"
		start_group "$log" "env -u MAKEFLAGS -u MAKELEVEL $cmd -C '$DIR' GDBPORT=$port"
		qemu=$pid ok=1
		i=0
		while ! listening "$port" && [ $i -lt $((LIMIT * 5)) ] &&
			kill -0 $qemu 2>/dev/null; do
			sleep 0.2
			i=$((i + 1))
		done
		if ! listening "$port"; then
			why="QEMU never listened for GDB on port $port"
		elif ! grep -q "localhost:$port\$" "$DIR/.gdbinit" 2>/dev/null; then
			why="$DIR/.gdbinit does not attach to port $port"
		else
			# As `make gdb` runs it: continue to _start, then on.
			start_group "$log.gdb" "sh -c 'cd \"$DIR\" && exec gdb -q -nx -batch -x .gdbinit -ex continue -ex \"info registers eip cs\" -ex continue'"
			gdb=$pid
			if wait_for "$log" "$re"; then
				sleep 1	# time for a wrong stop at a guest's entry
				stops=$(grep -c '^Breakpoint 1, ' "$log.gdb")
				start=$(nm "$DIR/obj/kern/kernel" | awk '$3 == "_start" { print $1 }')
				eip=$(awk '$1 == "eip" { print $2 }' "$log.gdb")
				cs=$(awk '$1 == "cs" { print $2 }' "$log.gdb")
				start=${start:-0} eip=${eip:-0} cs=${cs:-0}
				if [ "$stops" -ne 1 ]; then
					why="GDB stopped $stops times at its breakpoint (once expected: the kernel's _start, at ring 0; a guest enters at the same address at ring 1); see $log.gdb"
				elif [ $((eip)) -ne $((0x$start)) ] || [ $((cs & 3)) -ne 0 ]; then
					why="GDB stopped at cs:eip $cs:$eip, not at _start ($start) at ring 0; see $log.gdb"
				else
					ok=0
				fi
			fi
			stop_group $gdb
		fi
		stop_group $qemu;;
	*)
		start_group "$log" "env -u MAKEFLAGS -u MAKELEVEL $cmd -C '$DIR' ${extra:+\"$extra\"}"
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
		echo "lab-commands: FAIL: $cmd: $why; it printed:"
		tail -n 6 "$log" | sed 's/^/    | /'
		failed=$((failed + 1))
	fi
done < "$DIR/.lab-commands"
echo "lab-commands: $n commands of labs/lab$LAB.md, $failed failed"
[ $failed -eq 0 ]
