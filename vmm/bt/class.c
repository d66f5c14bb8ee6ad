/*
 * class.c - sorting guest instructions into the translator's classes
 * (vmm/bt/class.h; Adams & Agesen, section 3.2).
 *
 * An instruction is IDENT only if running it unchanged at ring 1, from
 * the translation cache, does exactly what it would do at the guest's
 * ring 0 at its own address.  That rules out whatever reads or changes
 * EIP, CS or the privilege state; everything else - arithmetic, memory
 * through the guest's own data segments, the stack, strings, x87 - is
 * IDENT, and faults it takes are precise, because an IDENT instruction
 * runs on the guest's own registers.
 */
#include "kern/types.h"
#include "vmm/decode.h"
#include "vmm/vcpu.h"
#include "vmm/bt/class.h"

/* Flags that make an instruction the monitor's, whatever else it is. */
#define PRIV_FLAGS	(INSN_PRIV | INSN_IOPL | INSN_SENSITIVE | INSN_IO | \
			 INSN_SEGLOAD | INSN_FAR | INSN_IRET | INSN_INT | INSN_UD)

/* cpuid: not sensitive to the i386, but it shows the host's CPU where the
 * guest must see the virtual one's (filtered) answers. */
static bool
is_cpuid(const struct insn *in)
{
	return in->map == MAP_0F && in->op == 0xa2;
}

/* A near direct call: e8 rel. */
static bool
is_direct_call(const struct insn *in)
{
	return in->map == MAP_ONE && in->op == 0xe8;
}

/* Whether the instruction uses %gs: memory through it, push or pop %gs,
 * mov to or from it, lgs (a %gs prefix on an instruction without memory
 * means nothing). */
static bool
names_gs(const struct insn *in)
{
	if ((in->prefixes & PFX_SEG) && in->seg == SEG_GS &&
	    (in->flags & (INSN_MEM_R | INSN_MEM_W)))
		return true;
	if (in->map == MAP_0F)
		return in->op == 0xa8 || in->op == 0xa9 || in->op == 0xb5;
	return (in->op == 0x8c || in->op == 0x8e) && in->reg == SEG_GS;
}

/*
 * A load of %ds, %es or %fs by mov or pop: the guest's own, run as it is
 * (as te runs it).  The shadow GDT holds the guest's descriptors at DPL
 * 1, so the CPU loads what the guest asked for, and a load it refuses
 * traps at the guest's instruction, for the emulator to fault as ring 0
 * would; the monitor reads the new selector back at the next exit.
 */
static bool
loads_data_seg(const struct insn *in)
{
	if (in->map == MAP_0F)
		return in->op == 0xa1;				/* pop %fs */
	if (in->op == 0x07 || in->op == 0x1f)			/* pop %es, %ds */
		return true;
	return in->op == 0x8e && (in->reg == SEG_ES || in->reg == SEG_DS ||
				  in->reg == SEG_FS);
}

enum bt_class
bt_classify(const struct insn *in)
{
	/* %gs is the monitor's while translated code runs (vmm/bt/rseg.h):
	 * whatever names the guest's is emulated. */
	if (names_gs(in))
		return BT_PRIV;
	/* Translated code runs on the monitor's code segment: a CS
	 * override would read through it, not the guest's CS. */
	if ((in->prefixes & PFX_SEG) && in->seg == SEG_CS &&
	    (in->flags & (INSN_MEM_R | INSN_MEM_W)))
		return BT_PRIV;
	if (loads_data_seg(in) && !(in->flags & INSN_UD))
		return BT_IDENT;
	if ((in->flags & PRIV_FLAGS) || is_cpuid(in))
		return BT_PRIV;
	if (!(in->flags & INSN_BRANCH))
		return BT_IDENT;
	/* A 16-bit control transfer truncates EIP to 16 bits: too rare in
	 * a 32-bit kernel to earn a rule of its own. */
	if (in->opsize == 2 || in->adsize == 2)
		return BT_PRIV;
	if (in->flags & INSN_INDIRECT)
		return BT_INDIRECT;
	if (in->flags & INSN_RET)
		return BT_INDIRECT;
	if (is_direct_call(in))
		return BT_EXPOSE_EIP;
	if (in->flags & (INSN_JMP | INSN_JCC))
		return BT_DIRECT;
	return BT_PRIV;
}

const char *
bt_class_name(enum bt_class c)
{
	static const char *const names[BT_NCLASSES] = {
		[BT_IDENT] = "IDENT",
		[BT_EXPOSE_EIP] = "exposes EIP",
		[BT_DIRECT] = "direct control flow",
		[BT_INDIRECT] = "indirect control flow",
		[BT_PRIV] = "privileged or sensitive",
	};

	return c < BT_NCLASSES ? names[c] : "?";
}
