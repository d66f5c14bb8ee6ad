#!/bin/sh
# demo-faults.sh - `make demo-faults`: QEMU waiting for GDB, and GDB
# running the demonstration of true and hidden page faults
# (docs/demo-faults.md).
#
# kern/gdb/Makefrag starts it with everything in the environment:
#   QEMU QEMUARGS    the emulator and its arguments (quoted as for sh)
#   GDB KERNEL PORT  the debugger, the kernel's symbols, the gdbstub port
#   GUEST_SYMS       guest symbol files for vmm-guest-symbols
#   BATCH TIMEOUT    batch mode (also when stdin is not a terminal) and
#                    its time limit in seconds
#   CLASSES          the fault classes batch mode must see
#
# One terminal holds both: QEMU's serial console (the guest's output)
# goes to our stdout, and QEMU runs in a session of its own, so that a
# Ctrl-C typed to stop the guest in GDB reaches GDB and not QEMU.
#
# Exit status: 0 if the demonstration ran (batch: every class was shown
# and the guest finished with status 0), 1 otherwise.

set -u

batch=${BATCH:-}
[ -t 0 ] || batch=1
[ "$batch" = 0 ] && batch=
timeout=${TIMEOUT:-300}

# Batch mode must not lose to a `make qemu-gdb` left running on the
# per-user port: take a free one instead.
port_free() {
	python3 -c 'import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null
}
if command -v python3 >/dev/null 2>&1 && ! port_free "$PORT"; then
	if [ -n "$batch" ]; then
		PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	else
		echo "demo-faults: port $PORT is in use (a \`make qemu-gdb\` still running?):" \
			"stop it, or choose another port: make demo-faults DEMO_PORT=n" >&2
		exit 1
	fi
fi

qemu_pid=
cleanup() {
	if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then
		kill "$qemu_pid" 2>/dev/null
		wait "$qemu_pid" 2>/dev/null
	fi
}
trap cleanup EXIT
trap 'exit 1' TERM HUP
# Ctrl-C belongs to GDB (it stops the guest); we just go on waiting.
trap ':' INT

eval "set -- $QEMUARGS -gdb tcp:127.0.0.1:$PORT"
setsid "$QEMU" "$@" </dev/null &
qemu_pid=$!

sleep 0.3
if ! kill -0 "$qemu_pid" 2>/dev/null; then
	wait "$qemu_pid"
	echo "demo-faults: QEMU did not start (its message is above)" >&2
	qemu_pid=
	exit 1
fi

set -- -q -nx \
	-ex "set confirm off" -ex "set pagination off" -ex "set height 0" \
	-ex "file $KERNEL" \
	-ex "target remote 127.0.0.1:$PORT" \
	-x kern/gdb/vmlab.py \
	-ex "vmm-guest-symbols $GUEST_SYMS"
classes=$(echo "$CLASSES" | tr ' ' ',')
if [ -n "$batch" ]; then
	echo "demo-faults: batch mode (time limit ${timeout} s)"
	# KILL: a GDB asked to stop politely first tries to stop the guest.
	timeout -s KILL "$timeout" "$GDB" -batch "$@" \
		-ex "vmm-demo-faults --batch --classes=$classes"
	rc=$?
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		echo "demo-faults: FAIL: time limit of $timeout s reached" \
			"(DEMO_TIMEOUT=n for more)"
		exit 1
	fi
	if [ $rc -ne 0 ]; then
		# The reason is GDB's last words above; QEMU goes with us.
		echo "demo-faults: FAIL (GDB ended with status $rc)"
		exit 1
	fi
else
	"$GDB" "$@" -ex "vmm-demo-faults --classes=$classes"
	# The instructor decided when to stop: that is not a failure.
	exit 0
fi

# GDB saw the guest end; QEMU exits right after.  Its status is the
# guest's (status << 1) | 1 (isa-debug-exit), 0 if it ended otherwise.
n=0
while kill -0 "$qemu_pid" 2>/dev/null && [ $n -lt 50 ]; do
	sleep 0.2
	n=$((n + 1))
done
if kill -0 "$qemu_pid" 2>/dev/null; then
	echo "demo-faults: FAIL: QEMU did not finish"
	exit 1
fi
wait "$qemu_pid"
qrc=$?
qemu_pid=
if [ $((qrc & 1)) -eq 0 ]; then
	echo "demo-faults: FAIL: QEMU ended without the guest's exit status" \
		"(status $qrc: a triple fault, or killed)"
	exit 1
fi
echo "demo-faults: the guest exited with status $((qrc >> 1))"
[ $((qrc >> 1)) -eq 0 ]
