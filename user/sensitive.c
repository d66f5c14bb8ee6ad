/*
 * sensitive.c - which instructions trap at ring 3, and which quietly do
 * something else?  The preparation for lab 4.
 *
 * Popek and Goldberg call an instruction *sensitive* if it reads or
 * changes the machine's privileged state, and *privileged* if it traps
 * when run outside the most privileged mode.  A machine can be virtualized
 * by trap-and-emulate only if every sensitive instruction is privileged.
 * This program tries each instruction below in user mode, under utry(),
 * and reports whether it trapped or what it did instead.  The i386 fails
 * the test: look for the sensitive instructions that do not trap.
 */
#include "user/lib/ulib.h"

static uint32_t val1, val2;
static struct pseudodesc desc;
static uint16_t sel;

static void
try_cli(void *arg)
{
	asm volatile("cli");
	asm volatile("pushfl; popl %0" : "=r" (val1));
}

static void
try_sti(void *arg)
{
	asm volatile("sti");
}

static void
try_popf_if(void *arg)
{
	/* Read EFLAGS, clear IF in the copy, load it, read EFLAGS again. */
	asm volatile("pushfl; popl %0\n\t"
		     "movl %0, %1\n\t"
		     "andl %2, %1\n\t"
		     "pushl %1; popfl\n\t"
		     "pushfl; popl %1"
		     : "=&r" (val1), "=&r" (val2) : "i" (~FL_IF) : "cc", "memory");
}

static void
try_popf_iopl(void *arg)
{
	asm volatile("pushfl; popl %0\n\t"
		     "movl %0, %1\n\t"
		     "orl %2, %1\n\t"
		     "pushl %1; popfl\n\t"
		     "pushfl; popl %1"
		     : "=&r" (val1), "=&r" (val2) : "i" (FL_IOPL_MASK)
		     : "cc", "memory");
}

static void
try_pushf(void *arg)
{
	asm volatile("pushfl; popl %0" : "=r" (val1));
}

static void
try_sgdt(void *arg)
{
	asm volatile("sgdt %0" : "=m" (desc));
}

static void
try_sidt(void *arg)
{
	asm volatile("sidt %0" : "=m" (desc));
}

static void
try_sldt(void *arg)
{
	asm volatile("sldt %0" : "=r" (sel));
}

static void
try_smsw(void *arg)
{
	asm volatile("smsw %0" : "=r" (sel));
}

static void
try_str(void *arg)
{
	asm volatile("str %0" : "=r" (sel));
}

static void
try_mov_cs(void *arg)
{
	asm volatile("movw %%cs, %0" : "=r" (sel));
}

static void
try_lgdt(void *arg)
{
	static struct pseudodesc empty;

	asm volatile("lgdt %0" : : "m" (empty));
}

static void
try_hlt(void *arg)
{
	asm volatile("hlt");
}

static void
try_in(void *arg)
{
	asm volatile("inb $0x60, %%al" : : : "eax");
}

static void
try_mov_cr0(void *arg)
{
	asm volatile("movl %%cr0, %0" : "=r" (val1));
}

/* What each instruction did when it did not trap. */

static void
say_if(char *buf, size_t n)
{
	snprintf(buf, n, "EFLAGS.IF is still %u", (val1 & FL_IF) != 0);
}

static void
say_nothing(char *buf, size_t n)
{
	snprintf(buf, n, "(no visible effect)");
}

static void
say_popf_if(char *buf, size_t n)
{
	snprintf(buf, n, "IF was %u, popf cleared it, IF is now %u: the change "
		 "was silently ignored", (val1 & FL_IF) != 0, (val2 & FL_IF) != 0);
}

static void
say_popf_iopl(char *buf, size_t n)
{
	snprintf(buf, n, "IOPL was %u, popf set 3, IOPL is now %u: silently "
		 "ignored", (val1 & FL_IOPL_MASK) >> FL_IOPL_SHIFT,
		 (val2 & FL_IOPL_MASK) >> FL_IOPL_SHIFT);
}

static void
say_pushf(char *buf, size_t n)
{
	snprintf(buf, n, "EFLAGS %08x: the real IF=%u and IOPL=%u", val1,
		 (val1 & FL_IF) != 0, (val1 & FL_IOPL_MASK) >> FL_IOPL_SHIFT);
}

static void
say_table(char *buf, size_t n)
{
	snprintf(buf, n, "base %08x limit %04x: %s", desc.base, desc.limit,
		 desc.base >= UTOP ? "the kernel's own table" : "a user address");
}

static void
say_sel(char *buf, size_t n)
{
	snprintf(buf, n, "%04x", sel);
}

static void
say_smsw(char *buf, size_t n)
{
	snprintf(buf, n, "CR0 low bits %04x (PE=%u)", sel, sel & CR0_PE);
}

static void
say_cs(char *buf, size_t n)
{
	snprintf(buf, n, "CS %04x: its low bits show the CPL, %u", sel, sel & 3);
}

static const struct {
	const char *insn;
	void (*fn)(void *);
	void (*say)(char *, size_t);
} probes[] = {
	{ "cli", try_cli, say_if },
	{ "sti", try_sti, say_nothing },
	{ "popf (clear IF)", try_popf_if, say_popf_if },
	{ "popf (IOPL=3)", try_popf_iopl, say_popf_iopl },
	{ "pushf", try_pushf, say_pushf },
	{ "sgdt", try_sgdt, say_table },
	{ "sidt", try_sidt, say_table },
	{ "sldt", try_sldt, say_sel },
	{ "smsw", try_smsw, say_smsw },
	{ "str", try_str, say_sel },
	{ "mov %cs, %ax", try_mov_cs, say_cs },
	{ "lgdt", try_lgdt, say_nothing },
	{ "hlt", try_hlt, say_nothing },
	{ "in $0x60", try_in, say_nothing },
	{ "mov %cr0, %eax", try_mov_cr0, say_nothing },
};

/* The short names of the exceptions these instructions can raise. */
static const char *
mnemonic(uint32_t trapno)
{
	switch (trapno) {
	case 0: return "#DE";
	case 6: return "#UD";
	case 13: return "#GP";
	case 14: return "#PF";
	default: return "#??";
	}
}

int
umain(void)
{
	struct utrap t;
	char what[128];
	size_t i, trapped = 0;

	printf("sensitive: each instruction at ring 3 (CPL 3, IOPL 0)\n");
	for (i = 0; i < ARRAY_SIZE(probes); i++) {
		if (utry(probes[i].fn, NULL, &t)) {
			printf("sensitive: %-16s trapped: %s (trap %u), error %x, "
			       "at eip %08x\n", probes[i].insn, mnemonic(t.trapno),
			       t.trapno, t.err, t.eip);
			trapped++;
		} else {
			probes[i].say(what, sizeof(what));
			printf("sensitive: %-16s no trap: %s\n", probes[i].insn, what);
		}
	}
	printf("sensitive: %u of %u trapped\n", (unsigned) trapped,
	       (unsigned) ARRAY_SIZE(probes));
	return 0;
}
