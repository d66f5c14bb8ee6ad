/*
 * class.h - what the binary translator does with one guest instruction.
 *
 * Adams & Agesen, section 3.2: most guest kernel instructions are
 * translated IDENT, copied unchanged into the translation cache, and run
 * at full speed.  The rest fall into four classes, each translated by a
 * rule of its own (vmm/bt/translate.c) and counted:
 *
 *	BT_EXPOSE_EIP	the instruction shows the guest its own EIP: a direct
 *			call pushes a guest return address, so the
 *			translation pushes it as a constant
 *	BT_DIRECT	direct control flow (jmp, jcc, loop, jecxz): the
 *			target is known at translation time, so the exit
 *			is a jump that chaining later points straight at the
 *			target's translation
 *	BT_INDIRECT	indirect control flow (ret, jmp *, call *): the
 *			target is a guest address known only when it runs,
 *			and must be looked up
 *	BT_PRIV		privileged and sensitive instructions, and anything
 *			that shows or depends on the CPU's real privilege:
 *			carried out by the monitor on the virtual CPU
 *
 * The decoder (vmm/decode.h) has already sorted every instruction by the
 * properties these classes need; this file only reads its flags.
 */
#ifndef VMM_BT_CLASS_H
#define VMM_BT_CLASS_H

#include "kern/types.h"
#include "vmm/decode.h"

enum bt_class {
	BT_IDENT,
	BT_EXPOSE_EIP,
	BT_DIRECT,
	BT_INDIRECT,
	BT_PRIV,
	BT_NCLASSES
};

/**
 * @brief The class of decoded guest kernel instruction @p in.
 *
 * Every control transfer that changes CS, every int, iret, I/O, segment
 * load or read of a segment register, privileged or sensitive
 * instruction, every memory access through a CS override, and every
 * control transfer with a 16-bit operand or address size is BT_PRIV:
 * the monitor's one emulator
 * carries it out exactly, and nothing the guest runs reveals that it is
 * not at ring 0.
 */
enum bt_class bt_classify(const struct insn *in);

/** @brief The class's name, for counters ("IDENT", "direct", ...). */
const char *bt_class_name(enum bt_class c);

#endif
