/*
 * translate.h - one translation unit into translated code.
 *
 * Adams & Agesen, section 3.2.  The translation of a unit is its guest
 * instructions rewritten by class (vmm/bt/class.h), followed by the
 * stubs of its direct exits; the table beside the code says, for each
 * exit, where the guest is when it is taken, and for each guest
 * instruction, where its translation begins, so that a fault in
 * translated code is the guest instruction's, precisely.
 */
#ifndef VMM_BT_TRANSLATE_H
#define VMM_BT_TRANSLATE_H

#include "kern/types.h"
#include "vmm/bt/bt.h"
#include "vmm/bt/class.h"
#include "vmm/bt/tu.h"
#include "vmm/bt/emit.h"
#include "vmm/bt/inline.h"

/* Exits of one unit at most: a jcc's two, or one of any other kind. */
#define BT_MAX_EXITS	2

/* What the monitor does when the guest leaves translated code. */
enum bt_exit_kind {
	BT_EXIT_DIRECT,		/* continue at a guest EIP known when it was
				 * translated: translate it, chain to it */
	BT_EXIT_EMULATE,	/* the guest instruction at `at` is the
				 * monitor's (BT_PRIV, BT_INDIRECT, or one
				 * that could not be fetched): emulate it,
				 * then continue wherever it leads */
	BT_EXIT_INDIRECT,	/* the inline lookup of the ret, call *
				 * or jmp * at `at` missed: it is done, the
				 * guest goes on at the target the rseg
				 * holds */
};

struct bt_exit {
	enum bt_exit_kind kind;
	uint32_t stub;		/* offset of its int BT_EXIT_VEC */
	uint32_t at;		/* guest EIP of the instruction it stands for */
	uint32_t target;	/* DIRECT: where the guest goes on */
	uint32_t patch;		/* DIRECT: offset of the displacement that
				 * jumps to the stub, which chaining points
				 * at the target's translation instead */
};

/* Where the translation of one guest instruction begins. */
struct bt_insn_map {
	uint32_t off;		/* in the buffer */
	uint32_t eip;		/* the guest instruction's */
	uint16_t len;		/* an inline sequence's bytes, else 0 */
	uint8_t head;		/* the guest instruction's bytes */
	uint8_t rule;		/* its rule (vmm/bt/inline.h), else
				 * BT_RULE_NONE */
};

/* Points inside a rewritten sequence where the CPU may stop (a host
 * interrupt) at most: the jumps of a loop's pattern. */
#define BT_MAX_POINTS	3

struct bt_translation {
	uint32_t eip, end;	/* the guest code translated: [eip, end) */
	uint32_t start, len;	/* its bytes in the buffer */
	unsigned nexits;
	struct bt_exit exit[BT_MAX_EXITS];
	unsigned nmap;
	struct bt_insn_map map[BT_TU_MAX + 1];
	/* Other instruction boundaries of the translation, each with the
	 * guest EIP the guest's state there stands for (after a call's
	 * push, the call's target): with map and the exits' stubs, every
	 * point a trap can leave the CPU at. */
	unsigned npoints;
	struct bt_insn_map point[BT_MAX_POINTS];
	unsigned count[BT_NCLASSES];	/* its instructions by class */
};

/**
 * @brief Translate unit @p tu into @p b at its current end, describing
 * the result in @p tx.
 * @return 0, or -1 if @p b had no room (b->full; nothing usable written)
 */
int bt_translate(const struct bt_tu *tu, struct bt_buf *b,
		 struct bt_translation *tx);

/**
 * @brief The exit of @p tx whose stub's int returns to buffer offset
 * @p ret (the EIP the CPU saves for the trap), or NULL.
 */
const struct bt_exit *bt_exit_at(const struct bt_translation *tx,
				 uint32_t ret);

/**
 * @brief The guest EIP that buffer offset @p off stands for: the guest
 * instruction whose translation begins there, or, inside a rewritten
 * sequence or at a direct exit's stub, the instruction the guest's state
 * there is about to run (after a call's push, its target).
 * @return true and *@p eip, or false if @p off is no instruction
 * boundary of @p tx
 */
bool bt_guest_eip(const struct bt_translation *tx, uint32_t off,
		  uint32_t *eip);

/**
 * @brief What the monitor must undo or complete (BT_FIX_*) at buffer
 * offset @p off, an instruction boundary of @p tx, for the guest's state
 * to be that of the instruction bt_guest_eip() names (or, with
 * BT_FIX_NEXT, the one after it; with BT_FIX_TARGET, the target of its
 * ret, call * or jmp *).
 * 0 outside the inline sequences.
 */
unsigned bt_point_fix(const struct bt_translation *tx, uint32_t off);

#endif
