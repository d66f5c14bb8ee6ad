/*
 * unit_sysenter.c - instructions the fuzzer found stopping the monitor
 * where the CPU runs them (grade/fuzz.c): sysenter and sysexit, which
 * ring compression makes trap, the group-7 register forms QEMU's CPU
 * model does not have, which must be #UD as there, not "cannot emulate",
 * CR4.PAE set with paging off, which the CPU takes, and the bits of
 * SYSENTER_CS, DR6 and DR7 a read gives back.
 */
#include <stdint.h>
#include "grade/unit/unit_emulate.h"
#include "vmm/desc.h"

static struct vcpu v;
static struct emu_event ev;

static void
setup(void)
{
	memset(&fk, 0, sizeof(fk));
	fk_vcpu(&v);
}

TestSuite(sysenter, .init = setup);

/* Fetch and emulate n bytes as the monitor does (vm_emulate): the decoder
 * may refuse the instruction itself, with the same fault. */
static int
run_any(const void *code, size_t n)
{
	struct insn in;
	int r;

	memcpy(fk.mem + v.eip, code, n);
	r = emu_fetch(&v, &in, &fk_ops, NULL, &ev);
	return r == EMU_DONE ? emulate(&v, &in, &fk_ops, NULL, &ev) : r;
}

Test(sysenter, null_cs_is_gp0)
{
	/* SYSENTER_CS 0 (the reset value): #GP(0), both ways, at the
	 * instruction. */
	cr_assert_eq(fk_run(&v, "\x0f\x34", &ev), EMU_FAULT);
	cr_assert_eq(ev.fault.vector, T_GPFLT);
	cr_assert_eq(ev.fault.err, 0);
	cr_assert_eq(v.eip, CODE);
	cr_assert_eq(fk_run(&v, "\x0f\x35", &ev), EMU_FAULT);
	cr_assert_eq(ev.fault.vector, T_GPFLT);
	cr_assert_eq(v.eip, CODE);
}

Test(sysenter, enter_then_exit)
{
	v.sysenter_cs = 0x3b;		/* RPL bits are ignored */
	v.sysenter_esp = 0x7000;
	v.sysenter_eip = 0x2345;
	v.cpl = 3;
	v.eflags |= FL_RF;
	cr_assert_eq(fk_run(&v, "\x0f\x34", &ev), EMU_DONE);
	cr_assert_eq(v.cpl, 0);
	cr_assert_eq(v.seg[SEG_CS].sel, 0x38);
	cr_assert_eq(v.seg[SEG_SS].sel, 0x40);
	cr_assert_eq(v.seg[SEG_CS].limit, 0xffffffff);
	cr_assert_eq(ATTR_DPL(v.seg[SEG_SS].attr), 0);
	cr_assert_eq(v.eip, 0x2345);
	cr_assert_eq(v.gpr[REG_ESP], 0x7000);
	cr_assert_not(v.eflags & (FL_IF | FL_RF));

	v.gpr[REG_EDX] = CODE;
	v.gpr[REG_ECX] = 0x6000;
	cr_assert_eq(fk_run(&v, "\x0f\x35", &ev), EMU_DONE);
	cr_assert_eq(v.cpl, 3);
	cr_assert_eq(v.seg[SEG_CS].sel, 0x4b);
	cr_assert_eq(v.seg[SEG_SS].sel, 0x53);
	cr_assert_eq(ATTR_DPL(v.seg[SEG_CS].attr), 3);
	cr_assert_eq(v.eip, CODE);
	cr_assert_eq(v.gpr[REG_ESP], 0x6000);

	/* sysexit from ring 3: #GP(0) */
	cr_assert_eq(fk_run(&v, "\x0f\x35", &ev), EMU_FAULT);
	cr_assert_eq(ev.fault.vector, T_GPFLT);
}

Test(sysenter, group7_register_forms_are_ud)
{
	static const char *const forms[] = {
		"\x0f\x01\xc1", "\x0f\x01\xc8", "\x0f\x01\xc9", "\x0f\x01\xd0",
		"\x0f\x01\xd1", "\x0f\x01\xf8", "\x0f\x01\xf9",
	};

	for (int ring = 0; ring <= 3; ring += 3) {
		v.cpl = ring;
		for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
			v.eip = CODE;
			cr_assert_eq(run_any(forms[i], 3), EMU_FAULT,
				     "form %zu at ring %d", i, ring);
			cr_assert_eq(ev.fault.vector, T_ILLOP, "form %zu at ring %d: "
				     "vector %d", i, ring, ev.fault.vector);
			cr_assert_eq(v.eip, CODE);
		}
	}
	/* smsw's register form still works, at any ring (no UMIP) */
	v.eip = CODE;
	v.cpl = 0;
	cr_assert_eq(fk_run(&v, "\x0f\x01\xe0", &ev), EMU_DONE);
	cr_assert_eq(v.gpr[REG_EAX] & 0xffff, v.cr0 & 0xffff);
}

Test(sysenter, cr4_pae_with_paging_off)
{
	/* mov %eax, %cr4 with PAE: taken (the CPUID has PAE), no #GP */
	v.gpr[REG_EAX] = CR4_PAE | CR4_PSE;
	cr_assert_eq(fk_run(&v, "\x0f\x22\xe0", &ev), EMU_DONE);
	cr_assert_eq(v.cr4, CR4_PAE | CR4_PSE);
	/* VMXE is still refused */
	v.eip = CODE;
	v.gpr[REG_EAX] = 1u << 13;
	cr_assert_eq(fk_run(&v, "\x0f\x22\xe0", &ev), EMU_FAULT);
	cr_assert_eq(ev.fault.vector, T_GPFLT);
}

Test(sysenter, what_reads_back)
{
	/* SYSENTER_CS keeps 16 bits, as QEMU's CPU */
	v.gpr[REG_ECX] = MSR_SYSENTER_CS;
	v.gpr[REG_EAX] = 0x4027e0;
	v.gpr[REG_EDX] = 0;
	cr_assert_eq(fk_run(&v, "\x0f\x30", &ev), EMU_DONE);
	cr_assert_eq(v.sysenter_cs, 0x27e0);
	/* mov to DR6, DR7: their always-1 bits stay 1 */
	v.eip = CODE;
	v.gpr[REG_EAX] = 0;
	cr_assert_eq(fk_run(&v, "\x0f\x23\xf0", &ev), EMU_DONE);	/* mov %eax, %dr6 */
	cr_assert_eq(v.dr[6], 0xffff0ff0);
	v.eip = CODE;
	cr_assert_eq(fk_run(&v, "\x0f\x23\xf8", &ev), EMU_DONE);	/* mov %eax, %dr7 */
	cr_assert_eq(v.dr[7], 0x400);
	v.eip = CODE;
	v.gpr[REG_EAX] = 3;
	cr_assert_eq(fk_run(&v, "\x0f\x23\xc0", &ev), EMU_DONE);	/* mov %eax, %dr0 */
	cr_assert_eq(v.dr[0], 3);
}
