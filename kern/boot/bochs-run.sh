#!/bin/sh
# bochs-run.sh - boot a disk image in Bochs, headless, console on stdio.
#
#	sh kern/boot/bochs-run.sh IMAGE [DISK...]
#
# IMAGE is a boot disk made by mkimage.sh; more DISKs become the primary
# slave, secondary master and secondary slave.  The guest's COM1 is this
# script's stdin and stdout, and nothing else is written there: Bochs's
# own messages go to a log in a run directory (under $TMPDIR, default
# /tmp), which is removed after a clean run and kept, with its path on
# stderr, after any other.  The run ends when the kernel writes
# "Shutdown" to port 0x8900 (kern/power.c), or on a triple fault or a
# Bochs panic.  Exit status:
#
#	0-119	the kernel shut the machine down; this is the N of the
#		"exit status N" it printed last (119 for N outside 0-119)
#	120	triple fault ("bochs: triple fault" on stderr)
#	121	Bochs stopped otherwise: a panic, a crash (message on stderr)
#	122	Bochs could not be run: bad arguments, missing files, ...
#	127	Bochs is not installed
#	128+N	stopped by signal N (^C, or the grader's timeout)
#
# Environment: BOCHS (the program, default bochs), MEM (MB of RAM,
# default 512), BOCHS_CPU (a model from `bochs --help cpu`, default
# corei7_sandy_bridge_2600k), BXSHARE (where the BIOS images are, default
# /usr/share/bochs), BOCHS_KEEP=1 keeps the run directory even after a
# clean run.

here=$(dirname "$0")
BOCHS=${BOCHS:-bochs}
MEM=${MEM:-512}
BOCHS_CPU=${BOCHS_CPU:-corei7_sandy_bridge_2600k}
BXSHARE=${BXSHARE:-/usr/share/bochs}

fail() {
	echo "bochs-run: $*" >&2
	[ -n "$dir" ] && rm -rf "$dir"
	exit 122
}

dir=
if [ $# -lt 1 ] || [ $# -gt 4 ]; then
	fail "usage: sh kern/boot/bochs-run.sh IMAGE [DISK...] (at most 4 disks)"
fi
if ! command -v "$BOCHS" >/dev/null 2>&1; then
	echo "bochs not found: install it with \`sudo apt-get install bochs bochsbios vgabios bochs-term\` or run \`make deps\` as root" >&2
	exit 127
fi
command -v perl >/dev/null 2>&1 ||
	fail "perl not found; it joins Bochs's COM1 to the terminal (install perl-base)"
for rom in "$BXSHARE/BIOS-bochs-latest" "$BXSHARE/VGABIOS-lgpl-latest"; do
	[ -r "$rom" ] ||
		fail "no $rom: install it with \`sudo apt-get install bochsbios vgabios\`"
done
case $MEM in
''|*[!0-9]*) fail "MEM=$MEM: want a number of megabytes" ;;
esac
case $BOCHS_CPU in
''|*[!a-z0-9_]*) fail "BOCHS_CPU=$BOCHS_CPU: want a model from \`bochs --help cpu\`" ;;
esac
for img in "$@"; do
	[ -f "$img" ] || fail "no disk image $img"
done

dir=$(mktemp -d "${TMPDIR:-/tmp}/vmlab-bochs.XXXXXX") ||
	fail "cannot make a run directory in ${TMPDIR:-/tmp}"

# Bochs runs on copies of the disks, for three reasons.  It wants a
# cylinder/head/sector geometry that covers the file exactly, so each
# copy is padded to whole cylinders of 16 heads x 63 sectors (sparse, so
# nearly free).  It locks every image it opens and leaves the lock behind
# when it ends in a panic, which is how every run ends.  And so a run
# never changes its input, and parallel runs can share one image, as
# with QEMU's -snapshot.
i=0
for img; do
	i=$((i + 1))
	case $i in
	1) slot=ata0-master ;;
	2) slot=ata0-slave ;;
	3) slot=ata1-master ;;
	4) slot=ata1-slave ;;
	esac
	copy="$dir/disk$i.img"
	cp "$img" "$copy" || fail "cannot copy $img to $dir"
	size=$(wc -c < "$copy")
	cyl=$(((size + 16 * 63 * 512 - 1) / (16 * 63 * 512)))
	[ "$cyl" -ge 1 ] || cyl=1
	truncate -s $((cyl * 16 * 63 * 512)) "$copy" || fail "cannot pad $copy"
	echo "$slot: type=disk, path=\"$copy\", mode=flat, cylinders=$cyl, heads=16, spt=63"
done > "$dir/disks" || fail "cannot write $dir/disks"

# The configuration, but for the COM1 port, which the bridge picks.
sed -e "s|@CPU@|$BOCHS_CPU|" -e "s|@MEGS@|$MEM|" \
    -e "s|@BIOS@|$BXSHARE/BIOS-bochs-latest|" \
    -e "s|@VGABIOS@|$BXSHARE/VGABIOS-lgpl-latest|" \
    -e "s|@LOG@|$dir/bochs.log|" \
    -e "/^@DISKS@\$/r $dir/disks" -e "/^@DISKS@\$/d" \
    "$here/bochsrc.in" > "$dir/bochsrc.pre" || fail "cannot write $dir/bochsrc.pre"

# Bochs here has its internal debugger, which stops before the first
# instruction: tell it to go on, and to quit should anything stop it
# again (rather than wait for commands on a terminal it does not have).
printf 'continue\nquit\n' > "$dir/debugger.rc" || fail "cannot write $dir/debugger.rc"

exec perl "$here/bochs-serial.pl" "$BOCHS" "$dir"
