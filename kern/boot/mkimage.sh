#!/bin/sh
# mkimage.sh - put the boot sector, a command line and the kernel on a disk.
#
#	sh kern/boot/mkimage.sh BOOTBLOCK KERNEL "CMDLINE" OUT.img
#
# The layout is the one kern/boot/boot.h describes: sector 0 the boot
# sector, sector 1 the command line (NUL-terminated), sectors 2.. the
# kernel ELF file, padded to a whole sector.  The boot sector has no room
# for checks, so the ones that can be made here are made here: the kernel
# is a 32-bit ELF file whose loadable segments start on sector boundaries
# in the file, lie above the boot sector's memory (1 MB and up), and whose
# program headers are in its first page.  The grader calls this script
# too, once per command line.

usage() {
	echo "usage: sh kern/boot/mkimage.sh BOOTBLOCK KERNEL \"CMDLINE\" OUT.img" >&2
	exit 2
}

die() {
	echo "mkimage: $*" >&2
	rm -f "$tmp"
	exit 1
}

[ $# -eq 4 ] || usage
bootblock=$1
kernel=$2
cmdline=$3
out=$4
tmp=

[ -f "$bootblock" ] || die "no boot sector at $bootblock: run make first"
[ -f "$kernel" ] || die "no kernel at $kernel: run make first"

# COUNT unsigned SIZE-byte integers (host order: little-endian) at OFFSET:
#	uints FILE SIZE OFFSET COUNT
uints() {
	od -An -v -t "u$2" -j "$3" -N $(($2 * $4)) "$1"
}

# The boot sector: exactly one sector, ending in the signature.
size=$(wc -c < "$bootblock")
[ "$size" -eq 512 ] || die "$bootblock is $size bytes; a boot sector is 512"
[ "$(uints "$bootblock" 2 510 1 | tr -d ' ')" -eq 43605 ] ||
	die "$bootblock does not end in the boot signature 0x55 0xAA"

# The command line: sector 1, NUL-terminated.
len=$(printf '%s' "$cmdline" | wc -c)
[ "$len" -le 511 ] ||
	die "the command line is $len bytes; sector 1 holds at most 511 and a NUL"

# The kernel: ELF, 32-bit, segments the boot sector can load.  (`set --`
# splits od's numbers into $1, $2, ... on purpose.)
# shellcheck disable=SC2046
set -- $(uints "$kernel" 1 0 5)
[ "$1 $2 $3 $4" = "127 69 76 70" ] || die "$kernel is not an ELF file"
[ "${5:-0}" -eq 1 ] || die "$kernel is not a 32-bit ELF file (the boot sector loads i386 kernels)"
phoff=$(uints "$kernel" 4 28 1)
phnum=$(uints "$kernel" 2 44 1)
[ $((phoff + phnum * 32)) -le 4096 ] ||
	die "$kernel: program headers beyond its first 4 KB, which is all the boot sector reads"
loads=0
i=0
while [ "$i" -lt "$phnum" ]; do
	# shellcheck disable=SC2046
	set -- $(uints "$kernel" 4 $((phoff + i * 32)) 6)
	# type offset vaddr paddr filesz memsz
	if [ "$1" -eq 1 ]; then
		[ $(($2 % 512)) -eq 0 ] ||
			die "$kernel: segment $i starts at file offset $2, not on a 512-byte sector boundary"
		[ "$4" -ge 1048576 ] ||
			die "$kernel: segment $i loads at $(printf '%#x' "$4"), below 1 MB where the boot sector lives"
		loads=$((loads + 1))
	fi
	i=$((i + 1))
done
[ "$loads" -gt 0 ] || die "$kernel has no loadable segment"

[ -d "$(dirname "$out")" ] || die "no directory for $out"

# Write to a temporary file, then rename: a grader running tests in
# parallel must never boot a half-written image.
tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' INT TERM HUP
{
	cat "$bootblock"
	printf '%s' "$cmdline"
	head -c $((512 - len)) /dev/zero
	cat "$kernel"
	ksize=$(wc -c < "$kernel")
	head -c $(((512 - ksize % 512) % 512)) /dev/zero
} > "$tmp" || die "cannot write $tmp"
mv -f "$tmp" "$out" || die "cannot write $out"
