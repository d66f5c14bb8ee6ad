/*
 * unit_emulate_alu.c - emulated arithmetic on memory against the host CPU.
 *
 * The oracle is honest: the host executes the same operation on the same
 * operands with the same incoming flags (inline asm), and the emulator,
 * running the guest's instruction on a memory operand, must produce the
 * same result and the same CF, PF, AF, ZF, SF, OF.  Operands are edge
 * values (0, 1, sign boundaries, all ones) crossed with random ones.
 */
#include <stdint.h>
#include "grade/unit/unit_emulate.h"

#define DATA	0x4000	/* the memory operand: (%ebx) */

static const uint32_t edges[] = {
	0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000,
	0x7fffffff, 0x80000000, 0xffffffff, 0x0f, 0x10, 0xfffffffe, 0x12345678,
};

static uint64_t seed = 0x243f6a8885a308d3ULL;

static uint32_t
rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed >> 32;
}

/* The host's answer: result and flags of `insn b, a` at the given size. */
#define HOST(insn, a, b, f, size) do {						\
	if ((size) == 1)							\
		__asm__ volatile("push %[f]; popfq; " insn "b %b[b], %b[a]; pushfq; pop %[f]" \
			: [a] "+r" (a), [f] "+r" (f) : [b] "r" (b) : "cc");	\
	else if ((size) == 2)							\
		__asm__ volatile("push %[f]; popfq; " insn "w %w[b], %w[a]; pushfq; pop %[f]" \
			: [a] "+r" (a), [f] "+r" (f) : [b] "r" (b) : "cc");	\
	else									\
		__asm__ volatile("push %[f]; popfq; " insn "l %k[b], %k[a]; pushfq; pop %[f]" \
			: [a] "+r" (a), [f] "+r" (f) : [b] "r" (b) : "cc");	\
} while (0)

static uint32_t
host_alu(int op, uint32_t a32, uint32_t b32, int size, uint32_t *flags)
{
	uint64_t a = a32, b = b32, f = *flags;

	switch (op) {
	case 0: HOST("add", a, b, f, size); break;
	case 1: HOST("or", a, b, f, size); break;
	case 2: HOST("adc", a, b, f, size); break;
	case 3: HOST("sbb", a, b, f, size); break;
	case 4: HOST("and", a, b, f, size); break;
	case 5: HOST("sub", a, b, f, size); break;
	case 6: HOST("xor", a, b, f, size); break;
	case 7: HOST("cmp", a, b, f, size); break;
	}
	*flags = f;
	return a;
}

static uint32_t
mask(int size)
{
	return size == 4 ? 0xffffffff : (1u << (8 * size)) - 1;
}

/* Put a (memory) and b (%eax) in place, run `code`, compare with the host. */
static void
check_alu(int op, int size, uint32_t a, uint32_t b, uint32_t fin)
{
	static const char *names[] = { "add", "or", "adc", "sbb", "and", "sub", "xor", "cmp" };
	/* op %eax,(%ebx): opcode op*8 + (size > 1), ModRM 03; 66 for size 2 */
	uint8_t code[3] = { 0x66 }, *c = size == 2 ? code + 1 : code;
	uint32_t want_f = fin, want, fmask = FL_ARITH;
	struct emu_event ev;
	struct vcpu v;

	fk_vcpu(&v);
	c[0] = op * 8 + (size > 1);
	c[1] = 0x03;
	a &= mask(size);
	b &= mask(size);
	v.gpr[REG_EBX] = DATA;
	v.gpr[REG_EAX] = b;
	v.eflags = (v.eflags & ~FL_ARITH) | fin;
	fk_put32(DATA, 0xa5a5a5a5);
	memcpy(fk.mem + DATA, &a, size);
	want = host_alu(op, a, b, size, &want_f);
	if (op == 1 || op == 4 || op == 6)
		fmask &= ~FL_AF;		/* undefined for logical operations */
	cr_assert_eq(fk_run_len(&v, code, c - code + 2, &ev), EMU_DONE);
	cr_assert_eq(fk_get32(DATA) & mask(size), want & mask(size),
		     "%s%d %#x,%#x: result %#x, host %#x", names[op], size * 8, a, b,
		     fk_get32(DATA) & mask(size), want & mask(size));
	if (size < 4)
		cr_assert_eq(fk_get32(DATA) & ~mask(size), 0xa5a5a5a5 & ~mask(size));
	cr_assert_eq(v.eflags & fmask, want_f & fmask,
		     "%s%d %#x,%#x (flags in %#x): flags %#x, host %#x", names[op], size * 8,
		     a, b, fin, v.eflags & fmask, want_f & fmask);
	cr_assert_eq(v.eip, CODE + (c - code) + 2);
}

Test(emulate_alu, group1_against_host)
{
	int n = ARRAY_SIZE(edges), count = 0;

	for (int op = 0; op < 8; op++)
		for (int size = 1; size <= 4; size *= 2)
			for (int i = 0; i < n + 24; i++)
				for (int j = 0; j < n + 24; j++) {
					uint32_t a = i < n ? edges[i] : rnd();
					uint32_t b = j < n ? edges[j] : rnd();

					check_alu(op, size, a, b, (i + j) & 1 ? FL_CF : 0);
					check_alu(op, size, a, b, FL_ARITH & ~FL_CF);
					count += 2;
				}
	cr_assert_gt(count, 10000);
}

/* The unary group: inc, dec (ff /0, /1), not, neg (f7 /2, /3), on (%ebx). */
static uint32_t
host_unary(int which, uint32_t a32, uint32_t *flags)
{
	uint64_t a = a32, f = *flags;

	switch (which) {
	case 0: __asm__ volatile("push %[f]; popfq; incl %k[a]; pushfq; pop %[f]" : [a] "+r" (a), [f] "+r" (f) :: "cc"); break;
	case 1: __asm__ volatile("push %[f]; popfq; decl %k[a]; pushfq; pop %[f]" : [a] "+r" (a), [f] "+r" (f) :: "cc"); break;
	case 2: __asm__ volatile("push %[f]; popfq; notl %k[a]; pushfq; pop %[f]" : [a] "+r" (a), [f] "+r" (f) :: "cc"); break;
	case 3: __asm__ volatile("push %[f]; popfq; negl %k[a]; pushfq; pop %[f]" : [a] "+r" (a), [f] "+r" (f) :: "cc"); break;
	}
	*flags = f;
	return a;
}

Test(emulate_alu, unary_against_host)
{
	static const uint8_t codes[4][2] = { { 0xff, 0x03 }, { 0xff, 0x0b }, { 0xf7, 0x13 },
					     { 0xf7, 0x1b } };
	int n = ARRAY_SIZE(edges);

	for (int w = 0; w < 4; w++)
		for (int i = 0; i < n + 200; i++)
			for (int cf = 0; cf < 2; cf++) {
				uint32_t a = i < n ? edges[i] : rnd(), f = cf ? FL_ARITH : 0;
				uint32_t want = host_unary(w, a, &f);
				struct emu_event ev;
				struct vcpu v;

				fk_vcpu(&v);
				v.gpr[REG_EBX] = DATA;
				v.eflags |= cf ? FL_ARITH : 0;
				fk_put32(DATA, a);
				cr_assert_eq(fk_run_len(&v, codes[w], 2, &ev), EMU_DONE);
				cr_assert_eq(fk_get32(DATA), want);
				cr_assert_eq(v.eflags & FL_ARITH, f & FL_ARITH,
					     "op %d of %#x: flags %#x, host %#x", w, a,
					     v.eflags & FL_ARITH, f & FL_ARITH);
			}
}

Test(emulate_alu, imm_forms_and_test)
{
	struct emu_event ev;
	struct vcpu v;

	fk_vcpu(&v);
	v.gpr[REG_EBX] = DATA;
	fk_put32(DATA, 5);
	cr_assert_eq(fk_run(&v, "\x83\x2b\x07", &ev), EMU_DONE);	/* subl $7,(%ebx) */
	cr_assert_eq(fk_get32(DATA), (uint32_t) -2);
	cr_assert(v.eflags & FL_CF);
	cr_assert(v.eflags & FL_SF);
	v.eip = CODE;
	cr_assert_eq(fk_run(&v, "\x81\x03\x02\x00\x00\x00", &ev), EMU_DONE);	/* addl $2 */
	cr_assert_eq(fk_get32(DATA), 0);
	cr_assert(v.eflags & FL_ZF);
	v.eip = CODE;
	fk_put32(DATA, 0x80);
	cr_assert_eq(fk_run(&v, "\xf6\x03\x80", &ev), EMU_DONE);	/* testb $0x80 */
	cr_assert_not(v.eflags & FL_ZF);
	cr_assert(v.eflags & FL_SF);
	cr_assert_eq(fk_get32(DATA), 0x80);
	v.eip = CODE;
	v.gpr[REG_ECX] = 0xff;
	cr_assert_eq(fk_run(&v, "\x85\x0b", &ev), EMU_DONE);		/* test %ecx,(%ebx) */
	cr_assert_eq(v.eflags & (FL_ZF | FL_CF | FL_OF), 0);
	v.eip = CODE;
	cr_assert_eq(fk_run(&v, "\x80\x3b\x80", &ev), EMU_DONE);	/* cmpb $0x80 */
	cr_assert(v.eflags & FL_ZF);
	cr_assert_eq(fk_get32(DATA), 0x80);
}
