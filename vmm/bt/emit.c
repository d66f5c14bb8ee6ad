/*
 * emit.c - the translation cache's bytes (vmm/bt/emit.h).
 */
#include "kern/types.h"
#include "kern/string.h"
#include "vmm/bt/emit.h"

void
bt_emit(struct bt_buf *b, const void *bytes, uint32_t n)
{
	if (b->full || n > b->cap - b->len) {
		b->full = true;
		return;
	}
	memcpy(b->code + b->len, bytes, n);
	b->len += n;
}

void
bt_emit_u8(struct bt_buf *b, uint8_t v)
{
	bt_emit(b, &v, 1);
}

void
bt_emit_u32(struct bt_buf *b, uint32_t v)
{
	uint8_t le[4] = { v, v >> 8, v >> 16, v >> 24 };

	bt_emit(b, le, sizeof(le));
}

uint32_t
bt_emit_branch(struct bt_buf *b, const uint8_t *op, uint32_t nop,
	       uint32_t target)
{
	uint32_t at;

	bt_emit(b, op, nop);
	at = b->len;
	bt_emit_u32(b, 0);
	if (!b->full)
		bt_patch_rel32(b, at, target);
	return at;
}

void
bt_patch_rel32(struct bt_buf *b, uint32_t at, uint32_t target)
{
	/* The displacement counts from the end of the instruction, which
	 * these four bytes end. */
	uint32_t rel = target - (at + 4);
	uint8_t le[4] = { rel, rel >> 8, rel >> 16, rel >> 24 };

	memcpy(b->code + at, le, sizeof(le));
}
