/*
 * tu.h - a translation unit: the guest instructions translated together.
 *
 * Adams & Agesen, section 3.2: a unit is a basic block of at most
 * BT_TU_MAX instructions, ending early at the first instruction that is
 * not IDENT (a branch, a callout), since what runs after it is decided
 * only when it has run; a privileged instruction translated in line
 * (vmm/bt/inline.h) does not end it.  Units are formed on demand, when the guest
 * first reaches their first instruction.
 */
#ifndef VMM_BT_TU_H
#define VMM_BT_TU_H

#include "kern/types.h"
#include "vmm/decode.h"
#include "vmm/bt/bt.h"
#include "vmm/bt/class.h"

/* Why a unit ended where it did. */
enum bt_tu_end {
	BT_END_CLASS,	/* its last instruction is not IDENT */
	BT_END_FULL,	/* BT_TU_MAX IDENT instructions */
	BT_END_FETCH,	/* the next instruction could not be fetched or
			 * decoded: the emulator will raise its fault */
};

struct bt_tu {
	uint32_t eip;			/* the guest EIP of its first instruction */
	uint32_t end;			/* the guest EIP after its last */
	unsigned n;			/* instructions, 0 to BT_TU_MAX */
	enum bt_tu_end why;
	bool alone;			/* run by itself, back to the monitor
					 * after: its ret may not look up its
					 * target in line (set by the caller) */
	struct insn insn[BT_TU_MAX];
	uint32_t at[BT_TU_MAX];		/* each instruction's guest EIP */
	enum bt_class cls[BT_TU_MAX];
};

/**
 * Read guest code for the translator: up to @p len bytes at guest EIP
 * @p eip into @p buf.  Returns how many bytes could be read, fewer than
 * @p len where the guest's code is not mapped (0 for none).
 */
typedef size_t (*bt_fetch_fn)(void *ctx, uint32_t eip, uint8_t *buf,
			      size_t len);

/**
 * @brief Form the translation unit that starts at guest EIP @p eip, of
 * at most @p max instructions (and BT_TU_MAX), reading the guest's code
 * with @p fetch.
 *
 * Never fails: a unit whose first instruction cannot be fetched or
 * decoded has n = 0 and why = BT_END_FETCH, and its translation hands
 * that instruction to the emulator, which raises the guest's fault.
 */
void bt_tu_form(struct bt_tu *tu, uint32_t eip, unsigned max,
		bt_fetch_fn fetch, void *ctx);

#endif
