/*
 * decode.h - the monitor's one x86 instruction decoder.
 *
 * Trap-and-emulate (paper section 2) must know exactly what the guest
 * tried to do when it trapped, and the binary translator (section 3) must
 * know how long every guest instruction is and whether it may run IDENT.
 * Both use this decoder: 32-bit protected-mode code, every i386 prefix,
 * the one-byte and 0F opcode maps, ModRM/SIB, every displacement and
 * immediate form.  An undefined encoding is an error, never a guess.
 */
#ifndef VMM_DECODE_H
#define VMM_DECODE_H

#include "kern/types.h"

#define INSN_MAXLEN	15	/* longer raises #GP on real hardware */

/* insn_decode's errors (negative). */
#define DECODE_TRUNC	(-1)	/* the bytes given end inside the instruction */
#define DECODE_UNDEF	(-2)	/* undefined or unsupported encoding: #UD */
#define DECODE_TOOLONG	(-3)	/* more than INSN_MAXLEN bytes: #GP(0) */

/* Prefixes seen (struct insn.prefixes). */
#define PFX_LOCK	0x01	/* f0 */
#define PFX_REPNE	0x02	/* f2 */
#define PFX_REP		0x04	/* f3 (rep / repe) */
#define PFX_OPSIZE	0x08	/* 66 */
#define PFX_ADSIZE	0x10	/* 67 */
#define PFX_SEG		0x20	/* a segment override (which one: insn.seg) */

/* Opcode maps (struct insn.map). */
#define MAP_ONE		0	/* one-byte opcodes */
#define MAP_0F		1	/* 0f xx */

/*
 * Classification (struct insn.flags): what the emulator and the binary
 * translator need to know without a switch over opcodes.
 */
#define INSN_MODRM	0x00000001	/* has a ModRM byte */
#define INSN_PRIV	0x00000002	/* CPL 0 only: #GP(0) elsewhere */
#define INSN_IOPL	0x00000004	/* allowed only if CPL <= IOPL (cli, sti, in, out, ...) */
#define INSN_SENSITIVE	0x00000008	/* reveals or depends on privileged state but
					 * does not trap at CPL > 0 (pushf, popf, sgdt,
					 * smsw, lar, mov from %cs, ...) */
#define INSN_JMP	0x00000010	/* unconditional jump */
#define INSN_JCC	0x00000020	/* conditional jump (jcc, loop, jecxz) */
#define INSN_CALL	0x00000040
#define INSN_RET	0x00000080	/* near or far return */
#define INSN_IRET	0x00000100
#define INSN_INT	0x00000200	/* int n, int3, into */
#define INSN_INDIRECT	0x00000400	/* control flow target from a register/memory */
#define INSN_FAR	0x00000800	/* control flow changes CS */
#define INSN_MEM_R	0x00001000	/* reads memory (explicit or implicit) */
#define INSN_MEM_W	0x00002000	/* writes memory (explicit or implicit) */
#define INSN_STRING	0x00004000	/* movs, cmps, stos, lods, scas, ins, outs */
#define INSN_IO		0x00008000	/* port I/O */
#define INSN_STACK	0x00010000	/* implicit push or pop */
#define INSN_SEGLOAD	0x00020000	/* loads a segment register */
#define INSN_X87	0x00040000	/* d8-df escape */
#define INSN_SIMD	0x00080000	/* MMX/SSE: decoded for its length only */
#define INSN_UD		0x00100000	/* defined to raise #UD (ud2) */

/* Any control transfer: ends a basic block for the translator. */
#define INSN_BRANCH	(INSN_JMP | INSN_JCC | INSN_CALL | INSN_RET | \
			 INSN_IRET | INSN_INT)

/* "No register" in insn.base / insn.index. */
#define INSN_NOREG	(-1)

struct insn {
	uint8_t len;		/* total bytes, prefixes included */
	uint8_t bytes[INSN_MAXLEN];	/* the instruction as fetched */
	uint8_t prefixes;	/* PFX_* */
	uint8_t npfx;		/* how many prefix bytes precede the opcode */
	uint8_t opsize;		/* operand size: 2 or 4 (byte ops say so in opcode) */
	uint8_t adsize;		/* address size: 2 or 4 */
	int8_t seg;		/* segment of the memory operand (enum sreg):
				 * the override if any, else DS or SS */
	uint8_t map;		/* MAP_ONE or MAP_0F */
	uint8_t op;		/* the opcode byte within its map */
	uint32_t flags;		/* INSN_* */

	/* ModRM and SIB, valid when flags & INSN_MODRM. */
	uint8_t modrm, mod, reg, rm;
	bool has_sib;
	uint8_t sib;
	bool mem;		/* the r/m operand is memory (mod != 3) */

	/*
	 * The memory operand's offset is base + index * scale + disp
	 * (truncated to 16 bits when adsize is 2: the 16-bit forms are
	 * mapped onto base/index, e.g. [bx+si] is base EBX, index ESI).
	 * Also set for moffs forms (a0-a3: base and index INSN_NOREG).
	 */
	int8_t base, index;	/* enum gpr or INSN_NOREG */
	uint8_t scale;		/* 1, 2, 4, 8 */
	int32_t disp;		/* sign-extended */
	uint8_t disp_size;	/* 0, 1, 2 or 4 bytes in the encoding */

	/*
	 * Immediates.  imm is sign-extended for ib/iw forms that the
	 * architecture sign-extends (83 /n ib, 6a, 6b, jcc rel8, ...),
	 * zero-extended otherwise.  imm2 holds the second immediate: the
	 * 8-bit nesting level of enter, the 16-bit selector of a far
	 * pointer (ea/9a).
	 */
	uint32_t imm;
	uint8_t imm_size;	/* bytes in the encoding: 0, 1, 2, 4 */
	uint32_t imm2;
	uint8_t imm2_size;
};

/**
 * @brief Decode one 32-bit protected-mode instruction.
 *
 * @param in	filled in on success (zeroed first)
 * @param buf	the instruction's bytes
 * @param avail	how many bytes of buf are valid (more than 15 are not read)
 * @return the instruction's length, or DECODE_TRUNC when avail ends
 *	inside it (fetch more and retry), DECODE_UNDEF for an undefined
 *	encoding, DECODE_TOOLONG past 15 bytes.
 */
int insn_decode(struct insn *in, const uint8_t *buf, size_t avail);

/** @brief A decode error (DECODE_*) as text, for logs. */
const char *insn_strerror(int err);

/**
 * @brief Offset of the memory operand (before adding the segment base).
 *
 * @param gpr	the guest's general registers (struct vcpu.gpr)
 * Valid when in->mem, or for moffs forms.  Wraps at 16 bits for adsize 2.
 */
uint32_t insn_ea(const struct insn *in, const uint32_t *gpr);

/**
 * @brief Target of a direct relative jump, call, jcc, loop or jecxz.
 *
 * @param eip	the address of the instruction itself
 * Truncated to 16 bits for operand size 2, as the CPU does.
 */
uint32_t insn_branch_target(const struct insn *in, uint32_t eip);

#endif
