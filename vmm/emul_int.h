/*
 * emul_int.h - what the emulator's files share (not for the engine).
 *
 * One instruction is emulated on a working copy of the registers
 * (struct emu): every memory access goes through the engine's callbacks
 * and may fault, and a fault must leave the guest's registers as they
 * were, so the copy reaches the vcpu only when the instruction is done.
 * Paper section 2: the monitor performs the trapped instruction's effect
 * on the virtual machine state.
 */
#ifndef VMM_EMUL_INT_H
#define VMM_EMUL_INT_H

#include "vmm/emulate.h"

struct emu {
	struct vcpu *v;
	const struct insn *in;
	const struct emu_ops *ops;
	void *ctx;
	struct emu_event *ev;
	uint32_t gpr[NGPRS];	/* working copies, committed by emu_commit */
	uint32_t eflags;
	uint32_t eip;		/* where the instruction goes next */
};

/* The arithmetic flags every ALU instruction defines. */
#define FL_ARITH	(FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)

/* Group-1 ALU operations, in their encoding order (ModRM reg of 80-83). */
enum alu_op {
	ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP
};

/**
 * @brief One group-1 ALU operation of @p size bytes; updates *flags.
 * @return the result (unchanged a for ALU_CMP, which writes nothing).
 */
uint32_t alu(enum alu_op op, uint32_t a, uint32_t b, int size, uint32_t *flags);
/** @brief inc (@p delta 1) or dec (-1): CF is kept. */
uint32_t alu_incdec(uint32_t a, int delta, int size, uint32_t *flags);
/** @brief neg: 0 - a, CF set unless a is 0. */
uint32_t alu_neg(uint32_t a, int size, uint32_t *flags);
/** @brief The bits of an operand of @p size bytes (1, 2 or 4). */
uint32_t alu_mask(int size);

/* Shifts and rotates, in their encoding order (ModRM reg of c0-c1, d0-d3). */
enum shift_op {
	SH_ROL, SH_ROR, SH_RCL, SH_RCR, SH_SHL, SH_SHR, SH_SAL, SH_SAR
};

/**
 * @brief A shift or rotate of @p size bytes by @p count (masked to 5
 * bits, as the CPU masks it); updates *flags as the SDM defines.
 * @return the result
 */
uint32_t alu_shift(enum shift_op op, uint32_t a, unsigned count, int size,
		   uint32_t *flags);
/**
 * @brief shld (@p left) or shrd: @p dst shifted by @p count with the
 * bits of @p src coming in; size 2 or 4.
 * @return the new destination
 */
uint32_t alu_shd(bool left, uint32_t dst, uint32_t src, unsigned count,
		 int size, uint32_t *flags);
/**
 * @brief The full product of two operands of @p size bytes, signed or
 * not; CF and OF say whether it needs more than @p size bytes.
 */
uint64_t alu_mul(bool is_signed, uint32_t a, uint32_t b, int size,
		 uint32_t *flags);
/**
 * @brief Divide the 2 * @p size byte dividend @p n by @p d, as div or
 * idiv do.  No flag is defined afterwards; none is changed.
 * @return false where the CPU raises \#DE: d is 0 or the quotient does
 *	not fit in @p size bytes
 */
bool alu_div(bool is_signed, uint64_t n, uint32_t d, int size, uint32_t *q,
	     uint32_t *r);

/* What alu_bitscan() looks for. */
enum scan_op {
	SCAN_BSF, SCAN_BSR, SCAN_TZCNT, SCAN_LZCNT
};

/**
 * @brief bsf, bsr, tzcnt or lzcnt of @p src; updates ZF (and CF for
 * tzcnt and lzcnt).
 * @return the bit index or count; -1 for bsf or bsr of 0, whose
 *	destination is left as it was
 */
int alu_bitscan(enum scan_op op, uint32_t src, int size, uint32_t *flags);
/** @brief Condition code @p cc (the low nibble of jcc, setcc, cmovcc) on @p flags. */
bool alu_cond(uint32_t flags, int cc);

/** @brief Fill ev with exception @p vec (error code @p err if has_err). */
int emu_fault(struct emu *e, int vec, bool has_err, uint32_t err);
/** @brief A general-protection fault with error code err: the most common answer. */
int emu_gp(struct emu *e, uint32_t err);
/** @brief Give up on the instruction, with a reason for the log. */
int emu_unhandled(struct emu *e, const char *why);

/** @brief A general register of size 1 (al..bh encoding), 2 or 4. */
uint32_t emu_getreg(struct emu *e, int r, int size);
/** @brief Store into a general register; size 1 and 2 keep the other bits. */
void emu_setreg(struct emu *e, int r, int size, uint32_t val);

/**
 * @brief The linear address of seg:off, once the @p size bytes there
 * have passed the segment's limit check (else the fault, in e->ev).
 */
int emu_linear(struct emu *e, int seg, uint32_t off, int size, uint32_t *la);
/** @brief Read @p size bytes at seg:off (segment limit checked). */
int emu_read(struct emu *e, int seg, uint32_t off, int size, uint32_t *val);
/** @brief Write @p size bytes at seg:off (segment limit checked). */
int emu_write(struct emu *e, int seg, uint32_t off, int size, uint32_t val);
/** @brief Read/write raw bytes at a linear address (descriptor tables). */
int emu_read_lin(struct emu *e, uint32_t la, void *buf, int size);
/** @brief Write raw bytes at a linear address. */
int emu_write_lin(struct emu *e, uint32_t la, const void *buf, int size);

/** @brief Read the r/m operand: a register or the memory operand. */
int emu_rm_read(struct emu *e, int size, uint32_t *val);
/** @brief Write the r/m operand. */
int emu_rm_write(struct emu *e, int size, uint32_t val);

/** @brief Push @p size bytes onto the guest stack (working ESP). */
int emu_push(struct emu *e, int size, uint32_t val);
/** @brief Pop @p size bytes from the guest stack (working ESP). */
int emu_pop(struct emu *e, int size, uint32_t *val);

/** @brief Merge a popped EFLAGS image (popf, iret) by CPL and IOPL rules. */
void emu_load_eflags(struct emu *e, uint32_t val, int size);

/** @brief Read the 8-byte descriptor @p sel selects (GDT or LDT) into *d;
 *  \#GP(selector) past the table's limit. */
int emu_read_desc(struct emu *e, uint16_t sel, uint64_t *d);
/** @brief Load segment register @p seg with @p sel as mov, pop, lds... do,
 *  with the CPU's checks (emul_seg.c). */
int emu_load_seg(struct emu *e, int seg, uint16_t sel);
/**
 * @brief The end of a return out to ring @p rpl (iret, lret): the data
 * segment registers that ring may not use (DPL below it, not conforming
 * code) become null, as the SDM's return-to-outer-level step does.
 */
void emu_null_inner_segments(struct vcpu *v, unsigned rpl);

/**
 * @brief Whether the guest's CPU has a feature: bit @p bit of register
 * @p reg (0 EAX .. 3 EDX) of CPUID leaf @p leaf, through ops->cpuid
 * (false without it, or when the CPU's highest leaf is below @p leaf).
 */
bool emu_cpu_has(struct emu *e, uint32_t leaf, int reg, int bit);

/** @brief Copy the working registers and EIP into the vcpu. */
void emu_commit(struct emu *e);

/** @brief Data moves, exchanges, the stack and near branches: emul_mem.c. */
int emu_mem_insn(struct emu *e);
/** @brief Arithmetic, logic, shifts, multiplication, bit operations: emul_arith.c. */
int emu_arith_insn(struct emu *e);
/** @brief String instructions, rep included: emul_string.c. */
int emu_string(struct emu *e);
/** @brief Privileged and sensitive instructions: emul_priv.c. */
int emu_priv_insn(struct emu *e);
/** @brief Descriptor-table and control-register instructions: emul_sys.c. */
int emu_sys_insn(struct emu *e);
/** @brief iret: emul_iret.c. */
int emu_iret(struct emu *e);
/** @brief Far jmp, call and ret: emul_far.c. */
int emu_far_insn(struct emu *e);
/** @brief sysenter, sysexit: emul_sysenter.c. */
int emu_sysenter(struct emu *e);
/**
 * @brief Switch to the task of TSS selector @p sel for reason @p why, an
 * exception's error code pushed if @p has_err: emul_task.c.
 */
int emu_task_switch(struct emu *e, uint16_t sel, enum emu_task_reason why,
		    bool has_err, uint32_t err);
/** @brief mov, pop and lds/les/lss/lfs/lgs to a segment register: emul_seg.c. */
int emu_seg_insn(struct emu *e);
/** @brief lar, lsl, verr, verw: a selector checked, not loaded (emul_segcheck.c). */
int emu_segcheck(struct emu *e);

#endif
