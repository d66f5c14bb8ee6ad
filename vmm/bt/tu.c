/*
 * tu.c - forming translation units (vmm/bt/tu.h; Adams & Agesen,
 * section 3.2).
 *
 * Guest code is read a whole instruction's worth at a time, so that an
 * instruction that crosses into a page the guest does not map ends the
 * unit before it instead of being half-read: the CPU would fault on it
 * only when it runs it, and so must the translation.
 */
#include "kern/types.h"
#include "kern/string.h"
#include "vmm/decode.h"
#include "vmm/bt/tu.h"
#include "vmm/bt/inline.h"

/* Decode the instruction at @eip into @in; false if it cannot be. */
static bool
fetch_insn(uint32_t eip, bt_fetch_fn fetch, void *ctx, struct insn *in)
{
	uint8_t buf[INSN_MAXLEN];
	size_t got = fetch(ctx, eip, buf, sizeof(buf));

	return got > 0 && insn_decode(in, buf, got) > 0;
}

void
bt_tu_form(struct bt_tu *tu, uint32_t eip, unsigned max, bt_fetch_fn fetch,
	   void *ctx)
{
	memset(tu, 0, sizeof(*tu));
	tu->eip = tu->end = eip;
	tu->why = BT_END_FULL;
	while (tu->n < max && tu->n < BT_TU_MAX) {
		struct insn *in = &tu->insn[tu->n];

		if (!fetch_insn(tu->end, fetch, ctx, in)) {
			tu->why = BT_END_FETCH;
			return;
		}
		tu->at[tu->n] = tu->end;
		tu->cls[tu->n] = bt_classify(in);
		tu->end += in->len;
		/* A privileged instruction done in line does not end it. */
		if (tu->cls[tu->n++] != BT_IDENT &&
		    !(tu->cls[tu->n - 1] == BT_PRIV &&
		      bt_inline_rule(in) != BT_RULE_NONE)) {
			tu->why = BT_END_CLASS;
			return;
		}
	}
}
