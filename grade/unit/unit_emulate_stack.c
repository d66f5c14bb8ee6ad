/*
 * unit_emulate_stack.c - push, pop, call and ret as the monitor carries
 * them out (vmm/emul_mem.c), on the fake machine of unit_emulate.h.
 *
 * Each instruction is run once where the stack works, and once where its
 * stack access faults: then the fault is the instruction's, and nothing
 * of the vcpu has changed, as on the CPU.
 */
#include "grade/unit/unit_emulate.h"

static struct vcpu v;
static struct emu_event ev;

static void
setup(void)
{
	memset(&fk, 0, sizeof(fk));
	fk_vcpu(&v);
}

TestSuite(emulate_stack, .init = setup);

/* Run code with ESP at FAULT_PAGE's top: the push must fault, #PF,
 * and leave ESP, EIP and the registers alone. */
static void
expect_stack_fault(const char *code, size_t n, const char *what)
{
	struct vcpu before;

	v.gpr[REG_ESP] = FAULT_PAGE + 0x1000;
	before = v;
	cr_assert_eq(fk_run_len(&v, code, n, &ev), EMU_FAULT, "%s on a stack "
		     "that faults did not fault", what);
	cr_assert_eq(ev.fault.vector, T_PGFLT, "%s: vector %d, not #PF", what,
		     ev.fault.vector);
	cr_assert(memcmp(v.gpr, before.gpr, sizeof(v.gpr)) == 0, "%s: a "
		  "faulting push changed the registers", what);
	cr_assert_eq(v.eip, before.eip, "%s: a fault moved EIP", what);
}

Test(emulate_stack, push_pop_registers,
     .description = "push %reg and pop %reg of every register, push %esp "
		    "pushing the old value, pop %esp loading the popped one")
{
	for (int r = 0; r < 8; r++) {
		uint8_t push = 0x50 + r, pop = 0x58 + r;

		setup();
		if (r != REG_ESP)
			v.gpr[r] = 0xa0000000 + r;
		cr_assert_eq(fk_run_len(&v, &push, 1, &ev), EMU_DONE);
		cr_assert_eq(v.gpr[REG_ESP], 0x7ffc, "push r%d: esp %x", r,
			     v.gpr[REG_ESP]);
		cr_assert_eq(fk_get32(0x7ffc), r == REG_ESP ? 0x8000 : 0xa0000000 + r,
			     "push r%d stored %x", r, fk_get32(0x7ffc));
		cr_assert_eq(v.eip, CODE + 1);
		fk_put32(0x7ffc, 0x5000 + r);
		v.eip = CODE;
		cr_assert_eq(fk_run_len(&v, &pop, 1, &ev), EMU_DONE);
		cr_assert_eq(v.gpr[r], 0x5000 + r, "pop r%d loaded %x", r, v.gpr[r]);
		if (r != REG_ESP)
			cr_assert_eq(v.gpr[REG_ESP], 0x8000, "pop r%d: esp %x", r,
				     v.gpr[REG_ESP]);
	}
	expect_stack_fault("\x50", 1, "push %eax");
	expect_stack_fault("\x5b", 1, "pop %ebx");
}

Test(emulate_stack, push_immediates,
     .description = "push imm32, push imm8 sign-extended, and the 16-bit "
		    "forms pushing two bytes")
{
	cr_assert_eq(fk_run(&v, "\x68\x5a\x5a\x00\x00", &ev), EMU_DONE);
	cr_assert_eq(fk_get32(0x7ffc), 0x5a5a);
	cr_assert_eq(v.eip, CODE + 5);
	v.eip = CODE;
	cr_assert_eq(fk_run(&v, "\x6a\x80", &ev), EMU_DONE);
	cr_assert_eq(fk_get32(0x7ff8), 0xffffff80, "push $-128 stored %x",
		     fk_get32(0x7ff8));
	v.eip = CODE;
	fk_put32(0x7ff4, 0);
	cr_assert_eq(fk_run(&v, "\x66\x6a\x07", &ev), EMU_DONE);
	cr_assert_eq(v.gpr[REG_ESP], 0x7ff6, "pushw moved esp to %x",
		     v.gpr[REG_ESP]);
	cr_assert_eq(fk_get32(0x7ff4), 0x00070000);
	expect_stack_fault("\x6a\x00", 2, "push $0");
}

Test(emulate_stack, call_and_ret,
     .description = "call rel32 pushes the next EIP and branches; ret and "
		    "ret $n pop it back; a fault changes nothing")
{
	cr_assert_eq(fk_run(&v, "\xe8\x10\x00\x00\x00", &ev), EMU_DONE);
	cr_assert_eq(v.eip, CODE + 5 + 0x10);
	cr_assert_eq(fk_get32(0x7ffc), CODE + 5);
	cr_assert_eq(fk_run(&v, "\xc3", &ev), EMU_DONE);
	cr_assert_eq(v.eip, CODE + 5);
	cr_assert_eq(v.gpr[REG_ESP], 0x8000);
	v.eip = CODE;
	cr_assert_eq(fk_run(&v, "\xe8\xf0\xff\xff\xff", &ev), EMU_DONE);
	cr_assert_eq(v.eip, CODE + 5 - 0x10, "a backward call went to %x", v.eip);
	cr_assert_eq(fk_run(&v, "\xc2\x08\x00", &ev), EMU_DONE);
	cr_assert_eq(v.eip, CODE + 5);
	cr_assert_eq(v.gpr[REG_ESP], 0x8008, "ret $8 left esp at %x",
		     v.gpr[REG_ESP]);
	v.eip = CODE;
	expect_stack_fault("\xe8\x10\x00\x00\x00", 5, "call");
	expect_stack_fault("\xc3", 1, "ret");
}

Test(emulate_stack, branch_past_cs_limit,
     .description = "a call or ret to an offset past CS's limit is #GP(0), "
		    "with nothing pushed or popped")
{
	v.seg[SEG_CS].limit = 0x1fff;
	cr_assert_eq(fk_run(&v, "\xe8\x00\x10\x00\x00", &ev), EMU_FAULT);
	cr_assert_eq(ev.fault.vector, T_GPFLT);
	cr_assert_eq(v.gpr[REG_ESP], 0x8000);
	fk_put32(0x7ffc, 0x3000);
	v.gpr[REG_ESP] = 0x7ffc;
	cr_assert_eq(fk_run(&v, "\xc3", &ev), EMU_FAULT);
	cr_assert_eq(ev.fault.vector, T_GPFLT);
	cr_assert_eq(v.gpr[REG_ESP], 0x7ffc);
}
