#!/bin/sh
# mksymtab.sh - turn a linked kernel's symbols and DWARF line table into the
# assembly of the .ksymtab section, which the backtrace (kern/kdebug.c)
# searches at run time.
#
# usage: mksymtab.sh NM OBJDUMP kernel-elf > symtab.S
#        mksymtab.sh --empty > symtab.S      (tables for the first link)
#
# The kernel is linked twice: first with empty tables, then with the tables
# made from that first image.  .ksymtab follows .data in kernel.ld, so the
# second link moves no function and the tables stay true.
set -e

header() {
	printf '\t.section .ksymtab, "a"\n\t.p2align 2\n'
}

if [ "$1" = "--empty" ]; then
	header
	printf '\t.globl ksym_nfuncs, ksym_funcs, ksym_nlines, ksym_lines\n'
	printf 'ksym_nfuncs:\n\t.long 0\nksym_funcs:\n'
	printf 'ksym_nlines:\n\t.long 0\nksym_lines:\n'
	exit 0
fi

NM=$1 OBJDUMP=$2 KERNEL=$3
header

# Functions: address, size, name, sorted by address.  Assembly labels
# have no size; theirs runs to the next symbol.
"$NM" -n -S --defined-only "$KERNEL" | awk '
	NF == 4 && $3 ~ /^[Tt]$/ { f[n] = $1; s[n] = $2; name[n] = $4; n++ }
	NF == 3 && $2 ~ /^[Tt]$/ { f[n] = $1; s[n] = ""; name[n] = $3; n++ }
	END {
		printf "\t.globl ksym_nfuncs, ksym_funcs\n"
		printf "ksym_nfuncs:\n\t.long %d\nksym_funcs:\n", n
		for (i = 0; i < n; i++) {
			if (s[i] != "")
				size = "0x" s[i]
			else if (i + 1 < n)
				size = "0x" f[i + 1] " - 0x" f[i]
			else
				size = "0"
			printf "\t.long 0x%s, %s, .Lfn%d\n", f[i], size, i
		}
		for (i = 0; i < n; i++)
			printf ".Lfn%d:\t.asciz \"%s\"\n", i, name[i]
	}'

# Lines: the DWARF line program decoded by objdump.  A heading line ending
# in ':' names the file of the rows after it; a row is
# "basename line address ...".  When several rows share an address, the
# last one is the one in effect there.
"$OBJDUMP" --dwarf=decodedline -w "$KERNEL" | awk '
	/^CU: .*:$/ { sub(/^CU: /, ""); sub(/:$/, ""); sub(/^\.\//, ""); file = $0; next }
	/^[^ ]+:$/ { sub(/:$/, ""); sub(/^\.\//, ""); file = $0; next }
	NF >= 3 && $2 ~ /^[0-9]+$/ && $3 ~ /^0x[0-9a-f]+$/ {
		printf "%s %d %s\n", substr($3, 3), $2, file
	}' | sort -s -k1,1 | awk '
	{
		addr = $1
		if (n > 0 && a[n - 1] == addr) n--
		a[n] = addr; l[n] = $2; fl[n] = $3
		if (!($3 in fid)) { fid[$3] = nf; fname[nf++] = $3 }
		n++
	}
	END {
		printf "\t.globl ksym_nlines, ksym_lines\n"
		printf "ksym_nlines:\n\t.long %d\nksym_lines:\n", n
		for (i = 0; i < n; i++)
			printf "\t.long 0x%s, .Lfile%d, %d\n", a[i], fid[fl[i]], l[i]
		for (i = 0; i < nf; i++)
			printf ".Lfile%d:\t.asciz \"%s\"\n", i, fname[i]
	}'
