/*
 * kdebug.c - the stack backtrace and the symbol table behind it.
 *
 * Every i386 function compiled with a frame pointer begins
 *
 *	push %ebp; mov %esp, %ebp
 *
 * so each frame holds, at its %ebp, the caller's %ebp, and above it the
 * return address and then the arguments the caller pushed:
 *
 *	      +-----------------+
 *	      | argument 2      |  ebp + 12
 *	      | argument 1      |  ebp + 8
 *	      | return address  |  ebp + 4
 *	ebp-> | caller's ebp    |  ebp + 0  --> the caller's frame
 *	      | locals ...      |
 *
 * Following the saved %ebp values walks every frame up to the one entry.S
 * started with %ebp = 0.  The symbol table (built by kern/mksymtab.sh from
 * the kernel's own ELF symbols and DWARF line table) names each return
 * address.
 */
#include "kern/printf.h"
#include "kern/kdebug.h"

/* The tables in .ksymtab, sorted by address. */
struct ksym_func {
	uintptr_t addr;
	uint32_t size;
	const char *name;
};

struct ksym_line {
	uintptr_t addr;
	const char *file;
	uint32_t line;
};

extern const uint32_t ksym_nfuncs, ksym_nlines;
extern const struct ksym_func ksym_funcs[];
extern const struct ksym_line ksym_lines[];

/*
 * Return the index of the last entry whose address is <= addr, or -1.
 * Both tables have the address first, so one search serves both.
 */
static int
search_by_address(const void *table, size_t entry_size, uint32_t n,
		  uintptr_t addr)
{
#if SOL >= 1
	int lo = 0, hi = (int) n - 1, found = -1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		uintptr_t a = *(const uintptr_t *) ((const char *) table + mid * entry_size);

		if (a <= addr) {
			found = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return found;
#else
	/* LAB 1: your code here.
	 * A binary search: the tables are sorted by address, and entry i
	 * starts at (const char *) table + i * entry_size with its address. */
	return -1;
#endif
}

int
debuginfo_eip(uintptr_t eip, struct eipinfo *info)
{
	int f, l;

	info->file = "<unknown>";
	info->line = 0;
	info->fn_name = "<unknown>";
	info->fn_addr = eip;

	f = search_by_address(ksym_funcs, sizeof(ksym_funcs[0]), ksym_nfuncs, eip);
	if (f >= 0 && eip < ksym_funcs[f].addr + ksym_funcs[f].size) {
		info->fn_name = ksym_funcs[f].name;
		info->fn_addr = ksym_funcs[f].addr;
	} else {
		f = -1;
	}
	l = search_by_address(ksym_lines, sizeof(ksym_lines[0]), ksym_nlines, eip);
	if (l >= 0) {
		info->file = ksym_lines[l].file;
		info->line = ksym_lines[l].line;
	}
	return f >= 0 && l >= 0 ? 0 : -1;
}

void
print_backtrace(uint32_t ebp)
{
	cprintf("Stack backtrace:\n");
#if SOL >= 1
	while (ebp != 0) {
		const uint32_t *frame = (const uint32_t *) ebp;
		uintptr_t eip = frame[1];
		struct eipinfo info;

		cprintf("  ebp %08x  eip %08x  args %08x %08x %08x %08x %08x\n",
			ebp, eip, frame[2], frame[3], frame[4], frame[5], frame[6]);
		/* eip is where the call returns to; eip - 1 is inside the
		 * call itself, which matters when the call is the last
		 * instruction of a function that never returns. */
		debuginfo_eip(eip - 1, &info);
		cprintf("         %s:%d: %s+%d\n", info.file, info.line,
			info.fn_name, (int) (eip - info.fn_addr));
		ebp = frame[0];
	}
#else
	/* LAB 1: your code here.
	 * For each frame, print
	 *   "  ebp %08x  eip %08x  args %08x %08x %08x %08x %08x"
	 * and below it "         file:line: function+offset" from
	 * debuginfo_eip(eip - 1, ...): the address inside the call
	 * instruction, since a call can be the last instruction of a
	 * function.  The offset is from the function to eip.  Stop at the
	 * frame whose ebp is 0. */
	cprintf("  backtrace: not implemented (lab 1, exercise 3)\n");
#endif
}
