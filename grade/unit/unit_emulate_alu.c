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

/*
 * The other encodings of the same eight operations must agree with the
 * host too: op r/m, reg (02/03: the register is the destination), the
 * accumulator with an immediate (04/05), and r/m with an immediate (80,
 * 81, 83 for 16 and 32 bits; 82 is 80's alias in 32-bit code).  Each is run on the operand
 * a and the second operand b, and compared as check_alu() does.
 */
static void
check_encoding(int op, int size, int form, uint32_t a, uint32_t b, uint32_t fin)
{
	uint8_t code[8], *c = code;
	uint32_t want_f = fin, want, fmask = FL_ARITH, got, m = mask(size);
	struct emu_event ev;
	struct vcpu v;

	fk_vcpu(&v);
	a &= m;
	b &= m;
	if (form == 3 && size > 1)
		b = (uint32_t) (int32_t) (int8_t) b & m;	/* 83 sign-extends its ib */
	if (size == 2)
		*c++ = 0x66;
	switch (form) {
	case 0:				/* op (%ebx), %eax: a in %eax, b in memory */
		*c++ = op * 8 + 2 + (size > 1);
		*c++ = 0x03;
		break;
	case 1:				/* op $b, %al/%ax/%eax */
		*c++ = op * 8 + 4 + (size > 1);
		break;
	case 2:				/* 80/81 op $b, (%ebx) */
		*c++ = size > 1 ? 0x81 : (b & 1 ? 0x82 : 0x80);
		*c++ = op << 3 | 3;
		break;
	default:			/* 83 op $ib, (%ebx) */
		*c++ = 0x83;
		*c++ = op << 3 | 3;
		break;
	}
	if (form == 1 || form == 2) {
		memcpy(c, &b, size);
		c += size;
	} else if (form == 3) {
		*c++ = b;
	}
	v.gpr[REG_EBX] = DATA;
	v.gpr[REG_EAX] = form <= 1 ? (0x5a5a5a5a & ~m) | a : 0x5a5a5a5a;
	v.eflags = (v.eflags & ~FL_ARITH) | fin;
	fk_put32(DATA, 0xa5a5a5a5);
	memcpy(fk.mem + DATA, form == 0 ? &b : &a, size);
	want = host_alu(op, a, b, size, &want_f);
	if (op == 1 || op == 4 || op == 6)
		fmask &= ~FL_AF;
	cr_assert_eq(fk_run_len(&v, code, c - code, &ev), EMU_DONE);
	got = form <= 1 ? v.gpr[REG_EAX] : fk_get32(DATA);
	cr_assert_eq(got & m, want & m, "form %d op %d size %d %#x,%#x: %#x, host %#x",
		     form, op, size, a, b, got & m, want & m);
	cr_assert_eq(got & ~m, (form <= 1 ? 0x5a5a5a5a : 0xa5a5a5a5) & ~m,
		     "form %d op %d size %d: bits beyond the operand changed", form, op, size);
	if (form == 0)
		cr_assert_eq(fk_get32(DATA), (0xa5a5a5a5 & ~m) | (b & m));
	cr_assert_eq(v.eflags & fmask, want_f & fmask,
		     "form %d op %d size %d %#x,%#x: flags %#x, host %#x", form, op, size,
		     a, b, v.eflags & fmask, want_f & fmask);
	cr_assert_eq(v.eip, CODE + (c - code));
}

Test(emulate_alu, other_encodings_against_host)
{
	int n = ARRAY_SIZE(edges);

	for (int form = 0; form < 4; form++)
		for (int op = 0; op < 8; op++)
			for (int size = form == 3 ? 2 : 1; size <= 4; size *= 2)
				for (int i = 0; i < n + 8; i++)
					for (int j = 0; j < n + 8; j++) {
						uint32_t a = i < n ? edges[i] : rnd();
						uint32_t b = j < n ? edges[j] : rnd();

						check_encoding(op, size, form, a, b, 0);
						check_encoding(op, size, form, a, b, FL_ARITH);
					}
}

/* inc, dec, not, neg of 8 and 16 bits (fe /0 /1, f6 /2 /3, and 66 ff, 66 f7). */
static uint32_t
host_unary_narrow(int which, int size, uint32_t a32, uint32_t *flags)
{
	uint64_t a = a32, f = *flags;

#define U(insn) do {								\
	if (size == 1)								\
		__asm__ volatile("lea -128(%%rsp), %%rsp; push %[f]; popfq; " insn "b %b[a]; " \
				 "pushfq; pop %[f]; lea 128(%%rsp), %%rsp"	\
				 : [a] "+r" (a), [f] "+r" (f) :: "cc");		\
	else									\
		__asm__ volatile("lea -128(%%rsp), %%rsp; push %[f]; popfq; " insn "w %w[a]; " \
				 "pushfq; pop %[f]; lea 128(%%rsp), %%rsp"	\
				 : [a] "+r" (a), [f] "+r" (f) :: "cc");		\
} while (0)
	switch (which) {
	case 0: U("inc"); break;
	case 1: U("dec"); break;
	case 2: U("not"); break;
	case 3: U("neg"); break;
	}
#undef U
	*flags = f;
	return a;
}

Test(emulate_alu, unary_narrow_against_host)
{
	int n = ARRAY_SIZE(edges);

	for (int size = 1; size <= 2; size++)
		for (int w = 0; w < 4; w++)
			for (int i = 0; i < n + 64; i++)
				for (int cf = 0; cf < 2; cf++) {
					uint32_t a = (i < n ? edges[i] : rnd()) & mask(size);
					uint32_t f = cf ? FL_ARITH : 0, want, got;
					uint8_t code[3] = { 0x66 }, *c = size == 2 ? code + 1 : code;
					struct emu_event ev;
					struct vcpu v;

					c[0] = (w < 2 ? 0xfe : 0xf6) + (size > 1);
					c[1] = w << 3 | 3;
					want = host_unary_narrow(w, size, a, &f);
					fk_vcpu(&v);
					v.gpr[REG_EBX] = DATA;
					v.eflags |= cf ? FL_ARITH : 0;
					fk_put32(DATA, 0xa5a5a5a5);
					memcpy(fk.mem + DATA, &a, size);
					cr_assert_eq(fk_run_len(&v, code, c - code + 2, &ev), EMU_DONE);
					got = fk_get32(DATA);
					cr_assert_eq(got & mask(size), want & mask(size),
						     "op %d size %d of %#x: %#x, host %#x", w, size, a,
						     got & mask(size), want & mask(size));
					cr_assert_eq(got & ~mask(size), 0xa5a5a5a5 & ~mask(size));
					cr_assert_eq(v.eflags & FL_ARITH, f & FL_ARITH,
						     "op %d size %d of %#x: flags %#x, host %#x", w,
						     size, a, v.eflags & FL_ARITH, f & FL_ARITH);
				}
}

/* inc and dec of a register (40-4f), 16 and 32 bits. */
Test(emulate_alu, incdec_register)
{
	struct emu_event ev;
	struct vcpu v;

	fk_vcpu(&v);
	v.gpr[REG_ESI] = 0x7fffffff;
	v.eflags |= FL_CF;
	cr_assert_eq(fk_run(&v, "\x46", &ev), EMU_DONE);		/* inc %esi */
	cr_assert_eq(v.gpr[REG_ESI], 0x80000000);
	cr_assert_eq(v.eflags & FL_ARITH, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF);
	v.gpr[REG_EDI] = 0x12340000;
	cr_assert_eq(fk_run(&v, "\x66\x4f", &ev), EMU_DONE);		/* dec %di */
	cr_assert_eq(v.gpr[REG_EDI], 0x1234ffff);
	cr_assert_eq(v.eflags & FL_ARITH, FL_CF | FL_SF | FL_AF | FL_PF);
}
