/*
 * emit.h - writing x86 code into the translation cache.
 *
 * A buffer of bytes and the few instruction forms the translator writes
 * itself (everything else is copied from the guest).  Branches are
 * written with 32-bit displacements only, so that any of them can later
 * be pointed anywhere in the cache (chaining) by rewriting four bytes.
 * Offsets are from the start of the buffer, which is where the cache
 * begins: code in it refers to itself only relatively, so the bytes do
 * not depend on where the cache is mapped.
 */
#ifndef VMM_BT_EMIT_H
#define VMM_BT_EMIT_H

#include "kern/types.h"

struct bt_buf {
	uint8_t *code;		/* the cache's bytes */
	uint32_t cap;		/* its size */
	uint32_t len;		/* bytes written */
	bool full;		/* a write did not fit: the unit must be
				 * written again after a flush */
};

/** @brief Append @p n bytes (or set buf->full and append nothing). */
void bt_emit(struct bt_buf *b, const void *bytes, uint32_t n);

/** @brief Append one byte. */
void bt_emit_u8(struct bt_buf *b, uint8_t v);

/** @brief Append a 32-bit little-endian value. */
void bt_emit_u32(struct bt_buf *b, uint32_t v);

/**
 * @brief Append a branch: opcode bytes @p op (e9 for jmp, 0f 8x for jcc)
 * and a 32-bit displacement to buffer offset @p target.
 * @return the offset of the displacement, for bt_patch_rel32()
 */
uint32_t bt_emit_branch(struct bt_buf *b, const uint8_t *op, uint32_t nop,
			uint32_t target);

/**
 * @brief Point the 32-bit displacement at offset @p at (which ends the
 * instruction) at buffer offset @p target.
 */
void bt_patch_rel32(struct bt_buf *b, uint32_t at, uint32_t target);

#endif
