/*
 * inline.h - the translations that do a privileged or indirect
 * instruction's work in line, through the rseg (vmm/bt/rseg.h), instead
 * of exiting to the monitor.
 *
 * Adams & Agesen, section 3.2: "cli" becomes a store to the virtual IF,
 * pushf builds the virtual EFLAGS image, and a ret, call * or jmp * finds
 * its target's translation in a table without leaving the translation
 * cache.  Each
 * rule is a fixed sequence; at every instruction boundary inside it the
 * table of the rule says how the CPU's state differs from the guest's
 * (BT_FIX_*), so that a host interrupt or a fault there is still precise.
 */
#ifndef VMM_BT_INLINE_H
#define VMM_BT_INLINE_H

#include "kern/types.h"
#include "vmm/decode.h"
#include "vmm/bt/emit.h"

/*
 * What the monitor must do to the CPU's state, at a point inside an
 * inline sequence, to make it the guest's (vmm/bt/rseg.h's slots):
 */
#define BT_FIX_EAX	0x01	/* eax from save_eax */
#define BT_FIX_ECX	0x02	/* ecx from save_ecx */
#define BT_FIX_FLAGS	0x04	/* the arithmetic flags from save_flags */
#define BT_FIX_ESP4	0x08	/* esp += 4: undo the sequence's push */
#define BT_FIX_TARGET	0x10	/* the instruction (a branch) is done: the
				 * guest is at the rseg's target */
#define BT_FIX_NEXT	0x20	/* the instruction is done: the guest is
				 * at the next one */

enum bt_rule {
	BT_RULE_CLI,
	BT_RULE_PUSHF,
	BT_RULE_RET,
	BT_RULE_CALL_IND,
	BT_RULE_JMP_IND,
	BT_NRULES,
	BT_RULE_NONE = BT_NRULES
};

/** @brief The inline rule for guest instruction @p in, or BT_RULE_NONE. */
enum bt_rule bt_inline_rule(const struct insn *in);

/**
 * @brief Write rule @p rule's sequence for guest instruction @p in, whose
 * next is at guest EIP @p next, into @p b at its end.
 * @return the sequence's offset of its exit stub (an int BT_EXIT_VEC that
 * the monitor must know as a BT_EXIT_INDIRECT exit), or 0 if it has none
 */
uint32_t bt_emit_inline(struct bt_buf *b, enum bt_rule rule,
			const struct insn *in, uint32_t next);

/**
 * @brief The fixes (BT_FIX_*) at offset @p rel of rule @p rule's
 * sequence, made for a guest instruction of @p head bytes; false if no
 * instruction of the sequence begins there.
 */
bool bt_inline_fix(enum bt_rule rule, uint32_t rel, uint32_t head,
		   unsigned *fix);

/** @brief The rule's name, for counters ("cli", "pushf", "ret"). */
const char *bt_rule_name(enum bt_rule rule);

#endif
