/*
 * bt.h - the binary translator's shared definitions.
 *
 * Adams & Agesen, section 3: the guest kernel's code is not run as it
 * is but translated, a basic block at a time, into a translation cache
 * that runs at ring 1 on the guest's own registers and data segments.
 * Most instructions are copied unchanged (IDENT); those that would show
 * the guest it is not at ring 0, or not at its own address, are
 * rewritten (vmm/bt/class.h).  The pieces, one file each:
 *
 *	class.c		which class a guest instruction is in
 *	tu.c		a translation unit: the guest instructions that are
 *			translated together
 *	emit.c		the bytes of x86 code the translator writes
 *	translate.c	the rules: one translation unit in, code and its
 *			exits out
 *
 * Translated code leaves the cache only through exits, each an `int`
 * to the monitor's BT_EXIT_VEC gate whose address the translation's
 * table of exits names (struct bt_exit): the CPU's registers are then
 * exactly the guest's at that exit's guest address, so the monitor
 * needs no state but the table to continue the guest there.
 */
#ifndef VMM_BT_BT_H
#define VMM_BT_BT_H

/* Guest instructions in one translation unit at most (the paper's 12). */
#define BT_TU_MAX	12

/* The vector of the monitor's gate that every exit stub traps through
 * (the last of vmm/ringcomp/shadowdt.h's MIDT_NVEC, above the host's
 * IRQs; its gate admits ring 1 only while translated code runs). */
#define BT_EXIT_VEC	49

#endif
