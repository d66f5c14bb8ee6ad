/*
 * unit_emulate_mem.c - the forms a device page or a traced page table
 * sees, on the fake machine (unit_emulate.h): moves, exchanges and the
 * implicit lock, the stack and near branches, far returns, string
 * instructions with rep/repe/repne and DF, faults in the middle of an
 * instruction, and the values the emulator leaves where the SDM leaves
 * a flag or a result undefined (emul_alu.c).  The arithmetic itself is
 * checked against the host CPU in unit_emulate_alu.c and _flags.c.
 */
#include <stdint.h>
#include "grade/unit/unit_emulate.h"

#define DATA	0x4000

static struct vcpu v;
static struct emu_event ev;

static void
setup(void)
{
	memset(&fk, 0, sizeof(fk));
	fk_vcpu(&v);
}

TestSuite(emulate_mem, .init = setup);

/* Run, expecting EMU_DONE. */
static int fk_run_last;

#define DONE(code)	do {						\
	fk_run_last = fk_run(&v, code, &ev);				\
	cr_assert_eq(fk_run_last, EMU_DONE, "%s: %s (vector %d)", #code,	\
		     emu_result_name(fk_run_last), ev.fault.vector);	\
} while (0)

/* A fault: the vcpu's registers, flags and EIP as they were before. */
static void
faults(const char *code, size_t n, int vec, uint32_t err, const char *what)
{
	struct vcpu before = v;

	cr_assert_eq(fk_run_len(&v, code, n, &ev), EMU_FAULT, "%s: no fault", what);
	cr_assert_eq(ev.fault.vector, vec, "%s: vector %d, want %d", what, ev.fault.vector, vec);
	if (vec == T_PGFLT || vec == T_GPFLT)
		cr_assert_eq(ev.fault.err, err, "%s: error %#x, want %#x", what,
			     ev.fault.err, err);
	for (int r = 0; r < NGPRS; r++)
		cr_assert_eq(v.gpr[r], before.gpr[r], "%s: register %d changed", what, r);
	cr_assert_eq(v.eflags, before.eflags, "%s: the flags changed", what);
	cr_assert_eq(v.eip, before.eip, "%s: EIP moved", what);
}
#define FAULTS(code, vec, err)	faults(code, sizeof(code) - 1, vec, err, #code)

/* ------------------------------------------------------------------------
 * Moves.
 * ------------------------------------------------------------------------ */

Test(emulate_mem, mov_forms)
{
	v.gpr[REG_EBX] = DATA;
	v.gpr[REG_EAX] = 0x11223344;
	v.gpr[REG_ECX] = 0xaabbccdd;
	fk_put32(DATA, 0xffffffff);
	DONE("\x66\x89\x03");				/* mov %ax,(%ebx) */
	cr_assert_eq(fk_get32(DATA), 0xffff3344);
	DONE("\x88\x2b");				/* mov %ch,(%ebx) */
	cr_assert_eq(fk_get32(DATA), 0xffff33cc);
	DONE("\x8a\x23");				/* mov (%ebx),%ah */
	cr_assert_eq(v.gpr[REG_EAX], 0x1122cc44);
	DONE("\x66\x8b\x0b");				/* mov (%ebx),%cx */
	cr_assert_eq(v.gpr[REG_ECX], 0xaabb33cc);
	DONE("\xc6\x43\x03\x7e");			/* movb $0x7e,3(%ebx) */
	cr_assert_eq(fk_get32(DATA), 0x7eff33cc);
	DONE("\x66\xc7\x03\x34\x12");			/* movw $0x1234,(%ebx) */
	cr_assert_eq(fk_get32(DATA), 0x7eff1234);
	DONE("\x66\xa1\x00\x40\x00\x00");		/* mov DATA,%ax */
	cr_assert_eq(v.gpr[REG_EAX], 0x11221234);
	DONE("\xa2\x01\x40\x00\x00");			/* mov %al,DATA+1 */
	cr_assert_eq(fk_get32(DATA), 0x7eff3434);
	DONE("\xb4\x99");				/* mov $0x99,%ah */
	cr_assert_eq(v.gpr[REG_EAX], 0x11229934);
	DONE("\x66\xbe\xcd\xab");			/* mov $0xabcd,%si */
	cr_assert_eq(v.gpr[REG_ESI] & 0xffff, 0xabcd);
	/* mov %sreg: 16 bits to memory, zero-extended into a 32-bit register */
	v.seg[SEG_GS].sel = 0x2b;
	DONE("\x8c\x2b");				/* mov %gs,(%ebx) */
	cr_assert_eq(fk_get32(DATA), 0x7eff002b);
	v.gpr[REG_EDX] = 0xffffffff;
	DONE("\x8c\xea");				/* mov %gs,%edx */
	cr_assert_eq(v.gpr[REG_EDX], 0x2b);
	v.gpr[REG_EDX] = 0xffffffff;
	DONE("\x66\x8c\xea");				/* mov %gs,%dx */
	cr_assert_eq(v.gpr[REG_EDX], 0xffff002b);
}

/* lea computes an address and touches no memory, not even a bad one. */
Test(emulate_mem, lea_no_access)
{
	v.gpr[REG_EBX] = FAULT_PAGE;
	v.gpr[REG_ESI] = 3;
	DONE("\x8d\x44\xb3\x10");			/* lea 0x10(%ebx,%esi,4),%eax */
	cr_assert_eq(v.gpr[REG_EAX], FAULT_PAGE + 0x1c);
	cr_assert_eq(fk.nacc, 1, "the fetch only");
	v.gpr[REG_EBX] = 0xfffff;
	v.gpr[REG_ESI] = 0x10002;
	v.gpr[REG_EDX] = 0x55555555;
	DONE("\x66\x67\x8d\x10");			/* lea (%bx,%si),%dx: 16 bits */
	cr_assert_eq(v.gpr[REG_EDX], 0x55550001);
	cr_assert_eq(fk.nacc, 2);
}

Test(emulate_mem, xlat_bound_arpl)
{
	v.gpr[REG_EBX] = DATA;
	v.gpr[REG_EAX] = 0x12345681;
	fk.mem[DATA + 0x81] = 0x5c;
	DONE("\xd7");					/* xlat */
	cr_assert_eq(v.gpr[REG_EAX], 0x1234565c);
	/* bound: within [-2, 9] is fine, else #BR with nothing changed */
	fk_put32(DATA, (uint32_t) -2);
	fk_put32(DATA + 4, 9);
	v.gpr[REG_ECX] = 9;
	DONE("\x62\x0b");				/* bound %ecx,(%ebx) */
	v.gpr[REG_ECX] = (uint32_t) -2;
	DONE("\x62\x0b");
	v.gpr[REG_ECX] = 10;
	FAULTS("\x62\x0b", T_BOUND, 0);
	v.gpr[REG_ECX] = (uint32_t) -3;
	FAULTS("\x62\x0b", T_BOUND, 0);
	/* arpl: the RPL raised to the source's, ZF set; else ZF clear */
	fk_put32(DATA, 0xaaaa0008);
	v.gpr[REG_EDX] = 0x1b;
	DONE("\x63\x13");				/* arpl %dx,(%ebx) */
	cr_assert_eq(fk_get32(DATA), 0xaaaa000b);
	cr_assert(v.eflags & FL_ZF);
	DONE("\x63\x13");
	cr_assert_not(v.eflags & FL_ZF);
	cr_assert_eq(fk_get32(DATA), 0xaaaa000b);
}

/* ------------------------------------------------------------------------
 * Exchanges.  xchg with memory is locked without a prefix; lock changes
 * nothing for an emulated instruction, which is atomic to the guest.
 * ------------------------------------------------------------------------ */

Test(emulate_mem, xchg_forms)
{
	v.gpr[REG_EBX] = DATA;
	fk_put32(DATA, 0x11223344);
	v.gpr[REG_ECX] = 0xaabbccdd;
	DONE("\x86\x2b");				/* xchg %ch,(%ebx) */
	cr_assert_eq(fk_get32(DATA), 0x112233cc);
	cr_assert_eq(v.gpr[REG_ECX], 0xaabb44dd);
	DONE("\x66\x87\x0b");				/* xchg %cx,(%ebx) */
	cr_assert_eq(fk_get32(DATA), 0x112244dd);
	cr_assert_eq(v.gpr[REG_ECX], 0xaabb33cc);
	fk.nacc = 0;
	DONE("\xf0\x87\x0b");				/* lock xchg %ecx,(%ebx) */
	cr_assert_eq(fk_get32(DATA), 0xaabb33cc);
	cr_assert_eq(v.gpr[REG_ECX], 0x112244dd);
	/* the fetch, then one read and one write of the operand: what a
	 * device sees */
	cr_assert_eq(fk.nacc, 3);
	cr_assert_eq(fk.acc[1].la, DATA);
	cr_assert_not(fk.acc[1].write);
	cr_assert(fk.acc[2].write);
	v.gpr[REG_EAX] = 1;
	v.gpr[REG_ESI] = 2;
	DONE("\x96");					/* xchg %eax,%esi */
	cr_assert_eq(v.gpr[REG_EAX], 2);
	cr_assert_eq(v.gpr[REG_ESI], 1);
	v.eip = CODE;
	DONE("\x90");					/* nop */
	cr_assert_eq(v.eip, CODE + 1);
}

Test(emulate_mem, xadd_cmpxchg)
{
	v.gpr[REG_EBX] = DATA;
	fk_put32(DATA, 40);
	v.gpr[REG_EDX] = 2;
	DONE("\xf0\x0f\xc1\x13");			/* lock xadd %edx,(%ebx) */
	cr_assert_eq(fk_get32(DATA), 42);
	cr_assert_eq(v.gpr[REG_EDX], 40);
	v.gpr[REG_EDX] = 5;
	DONE("\x0f\xc1\xd2");				/* xadd %edx,%edx: the sum wins */
	cr_assert_eq(v.gpr[REG_EDX], 10);
	/* cmpxchg, equal: the source goes in, ZF set */
	v.gpr[REG_EAX] = 42;
	v.gpr[REG_ECX] = 7;
	DONE("\xf0\x0f\xb1\x0b");			/* lock cmpxchg %ecx,(%ebx) */
	cr_assert_eq(fk_get32(DATA), 7);
	cr_assert(v.eflags & FL_ZF);
	cr_assert_eq(v.gpr[REG_EAX], 42);
	/* unequal: the accumulator gets the operand, which is written back */
	fk.nacc = 0;
	DONE("\x0f\xb1\x0b");
	cr_assert_eq(v.gpr[REG_EAX], 7);
	cr_assert_not(v.eflags & FL_ZF);
	cr_assert_eq(fk_get32(DATA), 7);
	cr_assert_eq(fk.nacc, 3, "fetch, read, and the write-back cycle");
	cr_assert(fk.acc[2].write);
	/* byte form, on %ah */
	fk_put32(DATA, 0x000000ee);
	v.gpr[REG_EAX] = 0xee;
	v.gpr[REG_EDX] = 0x1100;
	DONE("\x0f\xb0\x33");				/* cmpxchg %dh,(%ebx) */
	cr_assert_eq(fk_get32(DATA), 0x11);
}

Test(emulate_mem, cmpxchg8b)
{
	v.gpr[REG_ESI] = DATA;
	fk_put32(DATA, 0x11111111);
	fk_put32(DATA + 4, 0x22222222);
	v.gpr[REG_EAX] = 0x11111111;
	v.gpr[REG_EDX] = 0x22222222;
	v.gpr[REG_EBX] = 0x33333333;
	v.gpr[REG_ECX] = 0x44444444;
	v.eflags |= FL_CF | FL_SF;
	DONE("\xf0\x0f\xc7\x0e");			/* lock cmpxchg8b (%esi) */
	cr_assert_eq(fk_get32(DATA), 0x33333333);
	cr_assert_eq(fk_get32(DATA + 4), 0x44444444);
	cr_assert(v.eflags & FL_ZF);
	cr_assert_eq(v.eflags & (FL_CF | FL_SF), FL_CF | FL_SF, "ZF is the only flag");
	/* within a page: 4-byte accesses, all a device register takes */
	for (int i = 1; i < fk.nacc; i++)
		cr_assert_eq(fk.acc[i].size, 4);
	cr_assert_eq(fk.nacc, 5);
	/* unequal: edx:eax loaded, memory written back as it was */
	DONE("\x0f\xc7\x0e");
	cr_assert_not(v.eflags & FL_ZF);
	cr_assert_eq(v.gpr[REG_EAX], 0x33333333);
	cr_assert_eq(v.gpr[REG_EDX], 0x44444444);
	cr_assert_eq(fk_get32(DATA + 4), 0x44444444);
	/* across into a read-only page: #PF, nothing written, nothing changed */
	v.gpr[REG_ESI] = RO_PAGE - 4;
	fk_put32(RO_PAGE - 4, 0x33333333);
	FAULTS("\x0f\xc7\x0e", T_PGFLT, FEC_WR | FEC_PR);
	cr_assert_eq(fk_get32(RO_PAGE - 4), 0x33333333);
	/* a register operand is #UD (the decoder refuses it) */
	{
		struct insn in;

		cr_assert_lt(insn_decode(&in, (const uint8_t *) "\x0f\xc7\xce", 3), 0);
	}
}

/* setcc to a byte register, and cmov's read even when it moves nothing. */
Test(emulate_mem, setcc_cmov_details)
{
	v.gpr[REG_EAX] = 0x12345678;
	v.eflags |= FL_ZF;
	DONE("\x0f\x94\xc4");				/* sete %ah */
	cr_assert_eq(v.gpr[REG_EAX], 0x12340178);
	v.gpr[REG_EBX] = FAULT_PAGE;
	FAULTS("\x0f\x45\x03", T_PGFLT, 0);		/* cmovne (%ebx),%eax: false, reads */
}

/* ------------------------------------------------------------------------
 * The stack and near branches.
 * ------------------------------------------------------------------------ */

Test(emulate_mem, push_pop_registers)
{
	v.gpr[REG_ESI] = 0xabcd1234;
	DONE("\x56");					/* push %esi */
	cr_assert_eq(fk_get32(0x8000 - 4), 0xabcd1234);
	DONE("\x54");					/* push %esp: the value before */
	cr_assert_eq(fk_get32(0x8000 - 8), 0x8000 - 4);
	DONE("\x5c");					/* pop %esp: the popped value */
	cr_assert_eq(v.gpr[REG_ESP], 0x8000 - 4);
	DONE("\x66\x5f");				/* pop %di */
	cr_assert_eq(v.gpr[REG_EDI] & 0xffff, 0x1234);
	cr_assert_eq(v.gpr[REG_ESP], 0x8000 - 2);
	v.gpr[REG_ESP] = 0x8000;
	DONE("\x6a\xfe");				/* push $-2: sign-extended */
	cr_assert_eq(fk_get32(0x8000 - 4), 0xfffffffe);
	DONE("\x68\x78\x56\x34\x12");			/* push $0x12345678 */
	cr_assert_eq(fk_get32(0x8000 - 8), 0x12345678);
	DONE("\x66\x6a\x80");				/* pushw $-128 */
	cr_assert_eq(v.gpr[REG_ESP], 0x8000 - 10);
	cr_assert_eq(fk_get32(0x8000 - 10) & 0xffff, 0xff80);
	/* push of a segment register: zero-extended to 32 bits */
	v.gpr[REG_ESP] = 0x8000;
	fk_put32(0x8000 - 4, 0xaaaaaaaa);
	v.seg[SEG_FS].sel = 0x33;
	DONE("\x0f\xa0");				/* push %fs */
	cr_assert_eq(v.gpr[REG_ESP], 0x8000 - 4);
	cr_assert_eq(fk_get32(0x8000 - 4), 0x33);
	DONE("\x66\x0f\xa0");				/* pushw %fs */
	cr_assert_eq(v.gpr[REG_ESP], 0x8000 - 6);
	cr_assert_eq(fk_get32(0x8000 - 6), 0x00330033);
	v.seg[SEG_DS].sel = 0x23;
	DONE("\x1e");					/* push %ds */
	cr_assert_eq(fk_get32(0x8000 - 10), 0x23);
}

Test(emulate_mem, pusha_popa_enter_leave)
{
	for (int r = 0; r < 8; r++)
		if (r != REG_ESP)
			v.gpr[r] = 0x100 * (r + 1);
	DONE("\x60");					/* pusha */
	cr_assert_eq(v.gpr[REG_ESP], 0x8000 - 32);
	cr_assert_eq(fk_get32(0x8000 - 4), 0x100);		/* eax first */
	cr_assert_eq(fk_get32(0x8000 - 20), 0x8000);		/* the original esp */
	cr_assert_eq(fk_get32(0x8000 - 32), 0x800);		/* edi last */
	fk_put32(0x8000 - 20, 0xdead);				/* popa ignores it */
	for (int r = 0; r < 8; r++)
		if (r != REG_ESP)
			v.gpr[r] = 0;
	DONE("\x61");					/* popa */
	cr_assert_eq(v.gpr[REG_ESP], 0x8000);
	for (int r = 0; r < 8; r++)
		if (r != REG_ESP)
			cr_assert_eq(v.gpr[r], 0x100 * (r + 1u));
	/* enter $16, $0 then leave: a frame, and back */
	v.gpr[REG_EBP] = 0x7777;
	DONE("\xc8\x10\x00\x00");
	cr_assert_eq(v.gpr[REG_EBP], 0x8000 - 4);
	cr_assert_eq(v.gpr[REG_ESP], 0x8000 - 4 - 16);
	cr_assert_eq(fk_get32(0x8000 - 4), 0x7777);
	DONE("\xc9");					/* leave */
	cr_assert_eq(v.gpr[REG_EBP], 0x7777);
	cr_assert_eq(v.gpr[REG_ESP], 0x8000);
	/* enter $8, $2: the old frame pointer, one copied, the new one */
	v.gpr[REG_EBP] = 0x7000;
	fk_put32(0x7000 - 4, 0x6000);
	DONE("\xc8\x08\x00\x02");
	cr_assert_eq(fk_get32(0x8000 - 4), 0x7000);
	cr_assert_eq(fk_get32(0x8000 - 8), 0x6000);
	cr_assert_eq(fk_get32(0x8000 - 12), 0x8000 - 4);
	cr_assert_eq(v.gpr[REG_EBP], 0x8000 - 4);
	cr_assert_eq(v.gpr[REG_ESP], 0x8000 - 12 - 8);
}

Test(emulate_mem, near_branches)
{
	v.gpr[REG_EBX] = DATA;
	fk_put32(DATA, 0x3000);
	DONE("\xff\x13");				/* call *(%ebx) */
	cr_assert_eq(v.eip, 0x3000);
	cr_assert_eq(v.gpr[REG_ESP], 0x8000 - 4);
	cr_assert_eq(fk_get32(0x8000 - 4), CODE + 2);
	v.eip = CODE;
	DONE("\xc3");					/* ret */
	cr_assert_eq(v.eip, CODE + 2);
	cr_assert_eq(v.gpr[REG_ESP], 0x8000);
	v.eip = CODE;
	DONE("\xff\x23");				/* jmp *(%ebx) */
	cr_assert_eq(v.eip, 0x3000);
	cr_assert_eq(v.gpr[REG_ESP], 0x8000);
	v.eip = CODE;
	DONE("\xe8\x10\x00\x00\x00");			/* call .+0x15 */
	cr_assert_eq(v.eip, CODE + 0x15);
	v.eip = CODE;
	DONE("\xc2\x08\x00");				/* ret $8 */
	cr_assert_eq(v.eip, CODE + 5);
	cr_assert_eq(v.gpr[REG_ESP], 0x8000 + 8);
	/* past CS's limit: #GP(0) before the push */
	v.eip = CODE;
	v.gpr[REG_ESP] = 0x8000;
	v.seg[SEG_CS].limit = 0x2fff;
	FAULTS("\xff\x13", T_GPFLT, 0);
	cr_assert_eq(fk_get32(0x8000 - 4), CODE + 5, "a return address was pushed");
	/* the stack faults: nothing moves */
	v.seg[SEG_CS].limit = 0xffffffff;
	v.gpr[REG_ESP] = RO_PAGE + 0x10;
	FAULTS("\xff\x13", T_PGFLT, FEC_WR | FEC_PR);
	FAULTS("\xff\x33", T_PGFLT, FEC_WR | FEC_PR);	/* push (%ebx) */
	FAULTS("\x60", T_PGFLT, FEC_WR | FEC_PR);	/* pusha */
	FAULTS("\xc8\x04\x00\x00", T_PGFLT, FEC_WR | FEC_PR);
}

/* lret: to the same ring, and out to ring 3 with a new stack. */
Test(emulate_mem, far_return)
{
	static const uint32_t d[][2] = {
		{ 0, 0 }, { 0xffff, 0xcf9a00 }, { 0xffff, 0xcf9200 },
		{ 0xffff, 0xcffa00 }, { 0xffff, 0xcff200 },
	};

	for (int i = 0; i < 5; i++) {
		fk_put32(0x2000 + 8 * i, d[i][0]);
		fk_put32(0x2000 + 8 * i + 4, d[i][1]);
	}
	v.gdtr = (struct vdtr) { .base = 0x2000, .limit = 5 * 8 - 1 };
	v.gpr[REG_ESP] = 0x7000;
	fk_put32(0x7000, 0x1234);
	fk_put32(0x7004, 0x8);
	DONE("\xcb");					/* lret */
	cr_assert_eq(v.eip, 0x1234);
	cr_assert_eq(v.seg[SEG_CS].sel, 0x8);
	cr_assert_eq(v.gpr[REG_ESP], 0x7008);
	/* lret $8 out to ring 3: parameters released on both stacks */
	v.eip = CODE;
	v.gpr[REG_ESP] = 0x7000;
	fk_put32(0x7000, 0x800000);
	fk_put32(0x7004, 0x1b);
	fk_put32(0x7010, 0x6000);
	fk_put32(0x7014, 0x23);
	DONE("\xca\x08\x00");
	cr_assert_eq(v.cpl, 3);
	cr_assert_eq(v.eip, 0x800000);
	cr_assert_eq(v.seg[SEG_SS].sel, 0x23);
	cr_assert_eq(v.gpr[REG_ESP], 0x6008);
	cr_assert_eq(v.seg[SEG_DS].sel, 0, "a ring-0 data segment is nulled");
	/* back inward from ring 3 is refused */
	v.eip = CODE;
	v.gpr[REG_ESP] = 0x7000;
	fk_put32(0x7004, 0x8);
	FAULTS("\xcb", T_GPFLT, 0x8);
}

/* ------------------------------------------------------------------------
 * String instructions.
 * ------------------------------------------------------------------------ */

Test(emulate_mem, repe_cmps_stops_on_difference)
{
	memcpy(fk.mem + DATA, "abcdefgh", 8);
	memcpy(fk.mem + DATA + 0x100, "abcXefgh", 8);
	v.gpr[REG_ESI] = DATA;
	v.gpr[REG_EDI] = DATA + 0x100;
	v.gpr[REG_ECX] = 8;
	DONE("\xf3\xa6");				/* repe cmpsb */
	cr_assert_eq(v.gpr[REG_ECX], 4);
	cr_assert_eq(v.gpr[REG_ESI], DATA + 4);
	cr_assert_eq(v.gpr[REG_EDI], DATA + 0x104);
	cr_assert_not(v.eflags & FL_ZF);
	cr_assert_not(v.eflags & FL_CF, "'d' - 'X' borrows nothing");
}

Test(emulate_mem, repne_scas_finds)
{
	memcpy(fk.mem + DATA, "hello\0world", 12);
	v.gpr[REG_EDI] = DATA;
	v.gpr[REG_ECX] = 0xffffffff;
	v.gpr[REG_EAX] = 0;
	DONE("\xf2\xae");				/* repne scasb: strlen */
	cr_assert_eq(v.gpr[REG_EDI], DATA + 6);
	cr_assert_eq(v.gpr[REG_ECX], 0xffffffff - 6);
	cr_assert(v.eflags & FL_ZF);
	cr_assert_eq(v.eip, CODE + 2);
	/* and with DF set, 16-bit elements, backwards */
	fk_put32(DATA + 0x20, 0x00070001);
	fk_put32(DATA + 0x24, 0x00030002);
	v.eip = CODE;
	v.gpr[REG_EDI] = DATA + 0x26;
	v.gpr[REG_ECX] = 4;
	v.gpr[REG_EAX] = 7;
	v.eflags |= FL_DF;
	DONE("\x66\xf2\xaf");				/* repne scasw */
	cr_assert_eq(v.gpr[REG_EDI], DATA + 0x20);
	cr_assert_eq(v.gpr[REG_ECX], 1);
	cr_assert(v.eflags & FL_ZF);
}

Test(emulate_mem, rep_count_zero_changes_nothing)
{
	v.gpr[REG_ESI] = DATA;
	v.gpr[REG_EDI] = DATA + 0x100;
	v.gpr[REG_ECX] = 0;
	v.eflags |= FL_ZF | FL_CF;
	DONE("\xf3\xa7");				/* repe cmpsl */
	cr_assert_eq(v.eflags & FL_ARITH, FL_ZF | FL_CF);
	cr_assert_eq(v.gpr[REG_ESI], DATA);
	cr_assert_eq(v.eip, CODE + 2);
	cr_assert_eq(fk.nacc, 1, "only the fetch");
}

/* A fault in iteration 3: two done and committed, EIP on the instruction. */
Test(emulate_mem, rep_movs_fault_commits_iterations)
{
	fk_put32(FAULT_PAGE - 8, 1);
	fk_put32(FAULT_PAGE - 4, 2);
	v.gpr[REG_ESI] = FAULT_PAGE - 8;
	v.gpr[REG_EDI] = DATA;
	v.gpr[REG_ECX] = 10;
	cr_assert_eq(fk_run(&v, "\xf3\xa5", &ev), EMU_FAULT);
	cr_assert_eq(ev.fault.vector, T_PGFLT);
	cr_assert_eq(ev.fault.cr2, FAULT_PAGE);
	cr_assert_eq(v.gpr[REG_ECX], 8);
	cr_assert_eq(v.gpr[REG_ESI], FAULT_PAGE);
	cr_assert_eq(v.gpr[REG_EDI], DATA + 8);
	cr_assert_eq(v.eip, CODE);
	cr_assert_eq(fk_get32(DATA + 4), 2);
	/* and repe cmps likewise, with the flags of the last comparison */
	fk_put32(DATA, 1);
	v.gpr[REG_ESI] = FAULT_PAGE - 8;
	v.gpr[REG_EDI] = DATA;
	v.gpr[REG_ECX] = 10;
	cr_assert_eq(fk_run(&v, "\xf3\xa7", &ev), EMU_FAULT);
	cr_assert_eq(v.gpr[REG_ECX], 8);
	cr_assert(v.eflags & FL_ZF);
	cr_assert_eq(v.eip, CODE);
}

/* stos and lods, and movs with a 16-bit address size. */
Test(emulate_mem, stos_lods_adsize16)
{
	v.gpr[REG_EDI] = DATA;
	v.gpr[REG_EAX] = 0x5a;
	v.gpr[REG_ECX] = 3;
	DONE("\xf3\xaa");				/* rep stosb */
	cr_assert_eq(fk_get32(DATA), 0x005a5a5a);
	v.gpr[REG_ESI] = DATA + 1;
	v.eflags |= FL_DF;
	DONE("\x66\xad");				/* lodsw, backwards */
	cr_assert_eq(v.gpr[REG_EAX], 0x5a5a);
	cr_assert_eq(v.gpr[REG_ESI], DATA - 1);
	v.eflags &= ~FL_DF;
	/* 67: SI and DI wrap at 64 KB, the upper halves stay */
	fk.mem[0] = 0x77;
	v.gpr[REG_ESI] = 0x12340000;
	v.gpr[REG_EDI] = 0x4560 << 16 | DATA;
	v.eflags |= FL_DF;
	DONE("\x67\xa4");				/* movsb (%si),(%di), backwards */
	cr_assert_eq(fk.mem[DATA], 0x77);
	cr_assert_eq(v.gpr[REG_ESI], 0x1234ffff);
	cr_assert_eq(v.gpr[REG_EDI], (0x4560 << 16 | DATA) - 1);
}

/* rep_stop ends a rep instruction early, EIP on it, ECX counting the rest. */
static int stops_after;

static bool
stop_early(void *ctx)
{
	return --stops_after <= 0;
}

Test(emulate_mem, rep_stop_hook)
{
	struct emu_ops ops = fk_ops;
	struct insn in;

	ops.rep_stop = stop_early;
	stops_after = 3;
	v.gpr[REG_EDI] = DATA;
	v.gpr[REG_ECX] = 10;
	memcpy(fk.mem + CODE, "\xf3\xab", 2);
	cr_assert_eq(emu_fetch(&v, &in, &ops, NULL, &ev), EMU_DONE);
	cr_assert_eq(emulate(&v, &in, &ops, NULL, &ev), EMU_DONE);
	cr_assert_eq(v.gpr[REG_ECX], 7);
	cr_assert_eq(v.eip, CODE);
}

/* ------------------------------------------------------------------------
 * Faults in the middle: a read that succeeds, then a write that faults,
 * must leave every register as it was.
 * ------------------------------------------------------------------------ */

Test(emulate_mem, write_fault_after_read)
{
	v.gpr[REG_EBX] = RO_PAGE + 8;
	fk_put32(RO_PAGE + 8, 5);
	v.gpr[REG_EAX] = 1;
	v.gpr[REG_EDX] = 9;
	FAULTS("\x87\x13", T_PGFLT, FEC_WR | FEC_PR);		/* xchg */
	FAULTS("\x0f\xc1\x13", T_PGFLT, FEC_WR | FEC_PR);	/* xadd */
	FAULTS("\x0f\xb1\x13", T_PGFLT, FEC_WR | FEC_PR);	/* cmpxchg, unequal */
	FAULTS("\x01\x03", T_PGFLT, FEC_WR | FEC_PR);		/* add */
	FAULTS("\xd1\x23", T_PGFLT, FEC_WR | FEC_PR);		/* shl */
	FAULTS("\x0f\xab\x13", T_PGFLT, FEC_WR | FEC_PR);	/* bts */
	FAULTS("\x0f\xa5\x13", T_PGFLT, FEC_WR | FEC_PR);	/* shld %cl */
	FAULTS("\xf7\x1b", T_PGFLT, FEC_WR | FEC_PR);		/* neg */
	FAULTS("\x0f\x94\x03", T_PGFLT, FEC_WR | FEC_PR);	/* sete */
	v.gpr[REG_ESI] = DATA;
	v.gpr[REG_EDI] = RO_PAGE;
	FAULTS("\xa5", T_PGFLT, FEC_WR | FEC_PR);		/* movs */
	/* pop (%ebx): the stack read succeeds, the store faults, ESP stays */
	FAULTS("\x8f\x03", T_PGFLT, FEC_WR | FEC_PR);
	/* and a read that faults: mul, div leave edx:eax */
	v.gpr[REG_EBX] = FAULT_PAGE;
	FAULTS("\xf7\x23", T_PGFLT, 0);
	FAULTS("\xf7\x33", T_PGFLT, 0);
}

/* #DE: divide by zero and quotient overflow, nothing changed. */
Test(emulate_mem, divide_errors)
{
	v.gpr[REG_EBX] = DATA;
	fk_put32(DATA, 0);
	v.gpr[REG_EAX] = 100;
	v.gpr[REG_EDX] = 0;
	FAULTS("\xf7\x33", T_DIVIDE, 0);			/* div (%ebx) by 0 */
	FAULTS("\xf6\x3b", T_DIVIDE, 0);			/* idivb by 0 */
	fk_put32(DATA, 2);
	v.gpr[REG_EDX] = 2;
	FAULTS("\xf7\x33", T_DIVIDE, 0);			/* quotient > 2^32 */
	cr_assert_not(ev.fault.has_err);
	v.gpr[REG_EDX] = 1;
	DONE("\xf7\x33");					/* (2^32 + 100) / 2 */
	cr_assert_eq(v.gpr[REG_EAX], 0x80000032);
	cr_assert_eq(v.gpr[REG_EDX], 0);
}

/* ------------------------------------------------------------------------
 * What the SDM leaves undefined: emul_alu.c's choices.
 * ------------------------------------------------------------------------ */

Test(emulate_mem, undefined_flags_kept)
{
	uint32_t keep = FL_SF | FL_AF | FL_PF;

	v.gpr[REG_EBX] = DATA;
	/* mul: SF ZF AF PF kept (CF OF say the product fits) */
	fk_put32(DATA, 3);
	v.gpr[REG_EAX] = 5;
	v.eflags |= keep | FL_ZF;
	DONE("\xf7\x23");
	cr_assert_eq(v.eflags & FL_ARITH, keep | FL_ZF);
	/* div: all six kept */
	v.eflags |= FL_ARITH;
	DONE("\xf7\x33");
	cr_assert_eq(v.eflags & FL_ARITH, FL_ARITH);
	/* shl by 2: OF and AF kept */
	v.eflags = 0x2 | FL_OF | FL_AF;
	fk_put32(DATA, 1);
	DONE("\xc1\x23\x02");
	cr_assert_eq(v.eflags & (FL_OF | FL_AF), FL_OF | FL_AF);
	/* bt: OF SF AF PF kept, ZF untouched */
	v.eflags = 0x2 | FL_OF | FL_SF | FL_AF | FL_PF | FL_ZF;
	DONE("\x0f\xba\x23\x00");				/* bt $0,(%ebx) of 4 */
	cr_assert_eq(v.eflags & FL_ARITH, FL_OF | FL_SF | FL_AF | FL_PF | FL_ZF);
	/* bsf of 0: ZF set, the destination as it was, CF OF SF AF PF kept */
	fk_put32(DATA, 0);
	v.gpr[REG_EDX] = 0x1234;
	v.eflags = 0x2 | FL_CF;
	DONE("\x0f\xbc\x13");
	cr_assert_eq(v.gpr[REG_EDX], 0x1234);
	cr_assert_eq(v.eflags & FL_ARITH, FL_CF | FL_ZF);
	DONE("\x0f\xbd\x13");
	cr_assert_eq(v.gpr[REG_EDX], 0x1234);
	/* 16-bit shld by 17..31: undefined result, left unchanged */
	fk_put32(DATA, 0xabcd);
	v.gpr[REG_ECX] = 20;
	v.eflags = 0x2;
	DONE("\x66\x0f\xa5\x13");
	cr_assert_eq(fk_get32(DATA), 0xabcd);
	cr_assert_eq(v.eflags, 0x2);
	/* logical operations clear AF */
	v.eflags |= FL_AF;
	DONE("\x09\x13");					/* or %edx,(%ebx) */
	cr_assert_not(v.eflags & FL_AF);
}

/* f3 0f bc/bd: tzcnt/lzcnt where CPUID says the CPU has them, else bsf/bsr. */
static bool has_bmi1;

static void
bmi_cpuid(void *ctx, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
	out[0] = out[1] = out[2] = out[3] = 0;
	if (leaf == 0 || leaf == 0x80000000)
		out[0] = leaf + 7;		/* the highest leaves */
	if (leaf == 1)
		out[2] = 1u << 23;		/* popcnt */
	if (leaf == 7 && has_bmi1)
		out[1] = 1u << 3;
	if (leaf == 0x80000001 && has_bmi1)
		out[2] = 1u << 5;
}

/* A CPU of 1993: its highest leaf is 1, which reports none of them. */
static void
old_cpuid(void *ctx, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
	out[0] = leaf == 0 ? 1 : 0;
	out[1] = leaf == 1 ? 0 : 1u << 3;	/* what a leaf past the top may say */
	out[2] = leaf == 1 ? 0 : 1u << 5;
	out[3] = 0;
}

static int
run_ops(const struct emu_ops *ops, const char *code, size_t n)
{
	struct insn in;

	memcpy(fk.mem + v.eip, code, n);
	cr_assert_eq(emu_fetch(&v, &in, ops, NULL, &ev), EMU_DONE);
	return emulate(&v, &in, ops, NULL, &ev);
}

Test(emulate_mem, tzcnt_lzcnt_by_cpuid)
{
	struct emu_ops ops = fk_ops;

	ops.cpuid = bmi_cpuid;
	v.gpr[REG_EBX] = DATA;
	fk_put32(DATA, 0x00f0);
	has_bmi1 = true;
	cr_assert_eq(run_ops(&ops, "\xf3\x0f\xbc\x13", 4), EMU_DONE);	/* tzcnt */
	cr_assert_eq(v.gpr[REG_EDX], 4);
	cr_assert_eq(run_ops(&ops, "\xf3\x0f\xbd\x13", 4), EMU_DONE);	/* lzcnt */
	cr_assert_eq(v.gpr[REG_EDX], 24);
	fk_put32(DATA, 0);
	cr_assert_eq(run_ops(&ops, "\x66\xf3\x0f\xbd\x13", 5), EMU_DONE);
	cr_assert_eq(v.gpr[REG_EDX] & 0xffff, 16);
	cr_assert(v.eflags & FL_CF);
	cr_assert_not(v.eflags & FL_ZF);
	/* without BMI1/ABM the prefix is ignored: bsf, bsr */
	has_bmi1 = false;
	fk_put32(DATA, 0x00f0);
	cr_assert_eq(run_ops(&ops, "\xf3\x0f\xbd\x13", 4), EMU_DONE);
	cr_assert_eq(v.gpr[REG_EDX], 7);
	/* popcnt: ZF alone may be set */
	v.eflags |= FL_ARITH;
	cr_assert_eq(run_ops(&ops, "\xf3\x0f\xb8\x13", 4), EMU_DONE);
	cr_assert_eq(v.gpr[REG_EDX], 4);
	cr_assert_eq(v.eflags & FL_ARITH, 0);
	/* a CPU whose highest leaf is below 7 answers leaf 7 with other data */
	ops.cpuid = old_cpuid;
	cr_assert_eq(run_ops(&ops, "\xf3\x0f\xbc\x13", 4), EMU_DONE);
	cr_assert_eq(v.gpr[REG_EDX], 4, "bsf, not tzcnt");
	/* and without popcnt, movnti, clflush, cmov, cmpxchg8b: #UD */
	cr_assert_eq(run_ops(&ops, "\xf3\x0f\xb8\x13", 4), EMU_FAULT);
	cr_assert_eq(ev.fault.vector, T_ILLOP);
	cr_assert_eq(run_ops(&ops, "\x0f\xc3\x13", 3), EMU_FAULT);
	cr_assert_eq(run_ops(&ops, "\x0f\xae\x3b", 3), EMU_FAULT);
	cr_assert_eq(run_ops(&ops, "\x0f\x44\x13", 3), EMU_FAULT);
	v.eip = CODE;
	cr_assert_eq(run_ops(&ops, "\x0f\xc7\x0b", 3), EMU_FAULT);
	cr_assert_eq(ev.fault.vector, T_ILLOP);
	cr_assert_eq(v.eip, CODE);
}

/* Hint nops and clflush: no access, but clflush checks its segment. */
Test(emulate_mem, hint_nops_clflush)
{
	v.gpr[REG_EBX] = FAULT_PAGE;
	DONE("\x0f\x1f\x43\x00");			/* nopl 0(%ebx) */
	DONE("\x0f\x18\x0b");				/* prefetcht0 (%ebx) */
	DONE("\x0f\xae\x3b");				/* clflush (%ebx) */
	cr_assert_eq(fk.nacc, 3, "the fetches only");
	v.seg[SEG_DS].limit = 0x1000;
	FAULTS("\x0f\xae\x3b", T_GPFLT, 0);
}
