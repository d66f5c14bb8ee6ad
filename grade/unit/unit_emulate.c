/*
 * unit_emulate.c - the emulator on privileged instructions, MMIO data
 * forms, string I/O, iret frames and faults, with a fake machine
 * (unit_emulate.h).  Flags of the arithmetic forms are checked against
 * the host CPU in unit_emulate_alu.c.
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

TestSuite(emulate, .init = setup);

Test(emulate, cli_sti_iopl)
{
	cr_assert_eq(fk_run(&v, "\xfa", &ev), EMU_DONE);
	cr_assert_not(v.eflags & FL_IF);
	cr_assert_eq(v.eip, CODE + 1);
	cr_assert_eq(fk_run(&v, "\xfb", &ev), EMU_DONE);
	cr_assert(v.eflags & FL_IF);
	cr_assert(v.intr_shadow);
	v.cpl = 3;				/* IOPL 0: cli at ring 3 faults */
	cr_assert_eq(fk_run(&v, "\xfa", &ev), EMU_FAULT);
	cr_assert_eq(ev.fault.vector, T_GPFLT);
	cr_assert(ev.fault.has_err);
	cr_assert_eq(ev.fault.err, 0);
	cr_assert(v.eflags & FL_IF);
	v.eflags |= 3 << FL_IOPL_SHIFT;		/* IOPL 3 allows it */
	cr_assert_eq(fk_run(&v, "\xfa", &ev), EMU_DONE);
	cr_assert_not(v.eflags & FL_IF);
}

Test(emulate, hlt_and_privilege)
{
	cr_assert_eq(fk_run(&v, "\xf4", &ev), EMU_HALT);
	cr_assert(v.halted);
	cr_assert_eq(v.eip, CODE + 1);
	v.cpl = 3;
	v.eip = CODE;
	cr_assert_eq(fk_run(&v, "\xf4", &ev), EMU_FAULT);
	cr_assert_eq(ev.fault.vector, T_GPFLT);
	cr_assert_eq(v.eip, CODE);
	cr_assert_eq(fk_run(&v, "\x0f\x22\xd8", &ev), EMU_FAULT);	/* mov %eax,%cr3 */
	cr_assert_eq(fk_run(&v, "\x0f\x01\x15\x00\x40\x00\x00", &ev), EMU_FAULT);	/* lgdt */
	cr_assert_eq(fk_run(&v, "\x0f\x32", &ev), EMU_FAULT);		/* rdmsr */
}

Test(emulate, in_out)
{
	v.gpr[REG_EAX] = 0x12345678;
	v.gpr[REG_EDX] = 0x3f8;
	cr_assert_eq(fk_run(&v, "\xee", &ev), EMU_DONE);		/* outb %al,%dx */
	cr_assert_eq(fk.io[0].port, 0x3f8);
	cr_assert_eq(fk.io[0].size, 1);
	cr_assert_eq(fk.io[0].val, 0x78);
	cr_assert_eq(fk_run(&v, "\x66\xe7\x70", &ev), EMU_DONE);	/* outw %ax,$0x70 */
	cr_assert_eq(fk.io[1].port, 0x70);
	cr_assert_eq(fk.io[1].val, 0x5678);
	fk.in_next = 0xabcdef01;
	cr_assert_eq(fk_run(&v, "\xec", &ev), EMU_DONE);		/* inb %dx,%al */
	cr_assert_eq(v.gpr[REG_EAX], 0x12345601);
	cr_assert_eq(fk_run(&v, "\xed", &ev), EMU_DONE);		/* inl */
	cr_assert_eq(v.gpr[REG_EAX], 0xabcdef02);
	v.cpl = 3;
	cr_assert_eq(fk_run(&v, "\xee", &ev), EMU_FAULT);		/* user out: #GP */
	cr_assert_eq(ev.fault.vector, T_GPFLT);
	cr_assert_eq(fk.nio, 4);
}

static void
rep_io(bool df, bool out)
{
	v.gpr[REG_EDX] = 0x1f0;
	v.gpr[REG_ECX] = 4;
	v.gpr[REG_EDI] = v.gpr[REG_ESI] = DATA + 0x100;
	if (df)
		v.eflags |= FL_DF;
	for (int i = 0; i < 8; i++)
		fk_put32(DATA + 0xf0 + 4 * i, 0x100 + i);
	fk.in_next = 7;
	cr_assert_eq(fk_run_len(&v, out ? "\xf3\x6f" : "\xf3\x6d", 2, &ev), EMU_DONE);
	cr_assert_eq(v.gpr[REG_ECX], 0);
	cr_assert_eq(v.eip, CODE + 2);
	cr_assert_eq(fk.nio, 4);
	for (int i = 0; i < 4; i++) {
		uint32_t la = DATA + 0x100 + (df ? -4 * i : 4 * i);

		cr_assert_eq(fk.io[i].port, 0x1f0);
		cr_assert_eq(fk.io[i].size, 4);
		cr_assert_eq(fk.io[i].out, out);
		cr_assert_eq(out ? fk.io[i].val : fk_get32(la), out ? fk_get32(la) : 7u + i);
	}
	cr_assert_eq(out ? v.gpr[REG_ESI] : v.gpr[REG_EDI], DATA + 0x100 + (df ? -16 : 16));
}

Test(emulate, rep_insl_df_clear) { rep_io(false, false); }
Test(emulate, rep_insl_df_set) { rep_io(true, false); }
Test(emulate, rep_outsl_df_clear) { rep_io(false, true); }
Test(emulate, rep_outsl_df_set) { rep_io(true, true); }

Test(emulate, rep_stos_fault_midway)
{
	/* rep stosl across into the fault page: 2 stores done, then #PF */
	v.gpr[REG_EDI] = FAULT_PAGE - 8;
	v.gpr[REG_ECX] = 5;
	v.gpr[REG_EAX] = 0xdeadbeef;
	cr_assert_eq(fk_run(&v, "\xf3\xab", &ev), EMU_FAULT);
	cr_assert_eq(ev.fault.vector, T_PGFLT);
	cr_assert_eq(ev.fault.err, FEC_WR);
	cr_assert_eq(ev.fault.cr2, FAULT_PAGE);
	cr_assert_eq(v.gpr[REG_ECX], 3);
	cr_assert_eq(v.gpr[REG_EDI], FAULT_PAGE);
	cr_assert_eq(v.eip, CODE);			/* restarts the instruction */
	cr_assert_eq(fk_get32(FAULT_PAGE - 4), 0xdeadbeef);
}

Test(emulate, movs_and_lods)
{
	fk_put32(DATA, 0x11223344);
	v.gpr[REG_ESI] = DATA;
	v.gpr[REG_EDI] = DATA + 0x10;
	cr_assert_eq(fk_run(&v, "\xa5", &ev), EMU_DONE);
	cr_assert_eq(fk_get32(DATA + 0x10), 0x11223344);
	cr_assert_eq(v.gpr[REG_ESI], DATA + 4);
	v.gpr[REG_ESI] = DATA;
	cr_assert_eq(fk_run(&v, "\x66\xad", &ev), EMU_DONE);	/* lodsw */
	cr_assert_eq(v.gpr[REG_EAX] & 0xffff, 0x3344);
	cr_assert_eq(v.gpr[REG_ESI], DATA + 2);
}

Test(emulate, mmio_mov_forms)
{
	v.gpr[REG_EBX] = DATA;
	fk_put32(DATA + 0x20, 0xfee00001);
	cr_assert_eq(fk_run(&v, "\x8b\x43\x20", &ev), EMU_DONE);	/* mov 0x20(%ebx),%eax */
	cr_assert_eq(v.gpr[REG_EAX], 0xfee00001);
	cr_assert_eq(fk_run(&v, "\xc7\x43\x24\x78\x56\x34\x12", &ev), EMU_DONE);
	cr_assert_eq(fk_get32(DATA + 0x24), 0x12345678);
	cr_assert_eq(fk_run(&v, "\xa1\x24\x40\x00\x00", &ev), EMU_DONE);	/* moffs */
	cr_assert_eq(v.gpr[REG_EAX], 0x12345678);
	v.gpr[REG_EAX] = 0xcafe;
	cr_assert_eq(fk_run(&v, "\xa3\x28\x40\x00\x00", &ev), EMU_DONE);
	cr_assert_eq(fk_get32(DATA + 0x28), 0xcafe);
	fk_put32(DATA, 0x80ff);
	cr_assert_eq(fk_run(&v, "\x0f\xb6\x0b", &ev), EMU_DONE);	/* movzbl */
	cr_assert_eq(v.gpr[REG_ECX], 0xff);
	cr_assert_eq(fk_run(&v, "\x0f\xbe\x0b", &ev), EMU_DONE);	/* movsbl */
	cr_assert_eq(v.gpr[REG_ECX], 0xffffffff);
	cr_assert_eq(fk_run(&v, "\x0f\xbf\x0b", &ev), EMU_DONE);	/* movswl */
	cr_assert_eq(v.gpr[REG_ECX], 0xffff80ff);
	v.gpr[REG_EDX] = 0x55;
	cr_assert_eq(fk_run(&v, "\x87\x13", &ev), EMU_DONE);		/* xchg */
	cr_assert_eq(v.gpr[REG_EDX], 0x80ff);
	cr_assert_eq(fk_get32(DATA), 0x55);
	cr_assert_eq(fk_run(&v, "\x88\x33", &ev), EMU_DONE);		/* mov %dh,(%ebx) */
	cr_assert_eq(fk_get32(DATA), 0x80);
}

Test(emulate, bit_ops)
{
	v.gpr[REG_EBX] = DATA;
	fk_put32(DATA, 0);
	fk_put32(DATA + 4, 0x2);
	v.gpr[REG_ECX] = 33;				/* reaches the next dword */
	cr_assert_eq(fk_run(&v, "\x0f\xa3\x0b", &ev), EMU_DONE);	/* bt %ecx,(%ebx) */
	cr_assert(v.eflags & FL_CF);
	cr_assert_eq(fk_run(&v, "\x0f\xb3\x0b", &ev), EMU_DONE);	/* btr */
	cr_assert(v.eflags & FL_CF);
	cr_assert_eq(fk_get32(DATA + 4), 0);
	v.gpr[REG_ECX] = (uint32_t) -1;			/* bit 31 of the dword below */
	fk_put32(DATA - 4, 0);
	cr_assert_eq(fk_run(&v, "\x0f\xab\x0b", &ev), EMU_DONE);	/* bts */
	cr_assert_not(v.eflags & FL_CF);
	cr_assert_eq(fk_get32(DATA - 4), 0x80000000);
	cr_assert_eq(fk_run(&v, "\x0f\xba\x33\x05", &ev), EMU_DONE);	/* btrl $5 */
	cr_assert_not(v.eflags & FL_CF);
	cr_assert_eq(fk_run(&v, "\x0f\xba\x2b\x25", &ev), EMU_DONE);	/* btsl $37: bit 5 */
	cr_assert_eq(fk_get32(DATA), 0x20);
}

Test(emulate, push_pop_mem)
{
	fk_put32(DATA, 0x1234);
	cr_assert_eq(fk_run(&v, "\xff\x35\x00\x40\x00\x00", &ev), EMU_DONE);	/* pushl DATA */
	cr_assert_eq(v.gpr[REG_ESP], 0x8000 - 4);
	cr_assert_eq(fk_get32(0x8000 - 4), 0x1234);
	cr_assert_eq(fk_run(&v, "\x8f\x05\x10\x40\x00\x00", &ev), EMU_DONE);	/* popl DATA+16 */
	cr_assert_eq(fk_get32(DATA + 16), 0x1234);
	cr_assert_eq(v.gpr[REG_ESP], 0x8000);
}

Test(emulate, fault_leaves_registers)
{
	v.gpr[REG_EBX] = FAULT_PAGE;
	v.gpr[REG_EAX] = 1;
	v.eflags |= FL_CF;
	cr_assert_eq(fk_run(&v, "\x01\x03", &ev), EMU_FAULT);	/* add %eax,(%ebx) */
	cr_assert_eq(ev.fault.vector, T_PGFLT);
	cr_assert_eq(ev.fault.cr2, FAULT_PAGE);
	cr_assert_eq(ev.fault.err, 0);				/* the read faulted */
	cr_assert_eq(v.eip, CODE);
	cr_assert(v.eflags & FL_CF);
	/* push of a faulting operand: ESP must not move */
	cr_assert_eq(fk_run(&v, "\xff\x33", &ev), EMU_FAULT);
	cr_assert_eq(v.gpr[REG_ESP], 0x8000);
	/* a segment limit: #GP(0), the engine's callback never called */
	v.gpr[REG_EBX] = DATA;
	v.seg[SEG_DS].limit = DATA + 1;
	cr_assert_eq(fk_run(&v, "\x8b\x03", &ev), EMU_FAULT);
	cr_assert_eq(ev.fault.vector, T_GPFLT);
}

Test(emulate, pushf_popf)
{
	v.eflags = 0x2 | FL_IF | FL_CF | (1 << FL_IOPL_SHIFT);
	cr_assert_eq(fk_run(&v, "\x9c", &ev), EMU_DONE);
	cr_assert_eq(fk_get32(v.gpr[REG_ESP]), v.eflags);
	fk_put32(v.gpr[REG_ESP], 0x2 | FL_ZF | (3 << FL_IOPL_SHIFT));
	cr_assert_eq(fk_run(&v, "\x9d", &ev), EMU_DONE);	/* CPL 0: IF, IOPL change */
	cr_assert_eq(v.eflags, 0x2 | FL_ZF | (3 << FL_IOPL_SHIFT));
	v.cpl = 3;
	v.eflags = 0x2 | (0 << FL_IOPL_SHIFT);
	v.gpr[REG_ESP] -= 4;
	fk_put32(v.gpr[REG_ESP], 0x2 | FL_IF | FL_CF | (3 << FL_IOPL_SHIFT));
	cr_assert_eq(fk_run(&v, "\x9d", &ev), EMU_DONE);	/* CPL 3: neither changes */
	cr_assert_eq(v.eflags, 0x2 | FL_CF);
}

Test(emulate, int_n)
{
	cr_assert_eq(fk_run(&v, "\xcd\x40", &ev), EMU_SOFTINT);
	cr_assert_eq(ev.fault.vector, 0x40);
	cr_assert_eq(v.eip, CODE + 2);
	cr_assert_eq(fk_run(&v, "\xcc", &ev), EMU_SOFTINT);
	cr_assert_eq(ev.fault.vector, T_BRKPT);
	cr_assert_eq(fk_run(&v, "\xce", &ev), EMU_DONE);	/* into, OF clear */
	v.eflags |= FL_OF;
	cr_assert_eq(fk_run(&v, "\xce", &ev), EMU_SOFTINT);
	cr_assert_eq(ev.fault.vector, T_OFLOW);
}

Test(emulate, control_registers)
{
	v.gpr[REG_EAX] = 0x5000;
	cr_assert_eq(fk_run(&v, "\x0f\x22\xd8", &ev), EMU_DONE);	/* mov %eax,%cr3 */
	cr_assert_eq(v.cr3, 0x5000);
	cr_assert_eq(fk.last_cr, 3);
	cr_assert_eq(fk_run(&v, "\x0f\x20\xc1", &ev), EMU_DONE);	/* mov %cr0,%ecx */
	cr_assert_eq(v.gpr[REG_ECX], CR0_PE | CR0_ET);
	v.gpr[REG_EAX] = CR0_PG;				/* PG without PE */
	cr_assert_eq(fk_run(&v, "\x0f\x22\xc0", &ev), EMU_FAULT);
	cr_assert_eq(ev.fault.vector, T_GPFLT);
	v.cr0 |= CR0_TS;
	cr_assert_eq(fk_run(&v, "\x0f\x06", &ev), EMU_DONE);		/* clts */
	cr_assert_not(v.cr0 & CR0_TS);
	v.gpr[REG_EAX] = 0x400;
	cr_assert_eq(fk_run(&v, "\x0f\x23\xf8", &ev), EMU_DONE);	/* mov %eax,%dr7 */
	cr_assert_eq(v.dr[7], 0x400);
	cr_assert_eq(fk_run(&v, "\x0f\x21\xea", &ev), EMU_DONE);	/* mov %dr5,%edx */
	cr_assert_eq(v.gpr[REG_EDX], 0x400);
	v.gpr[REG_EBX] = 0x3000;
	cr_assert_eq(fk_run(&v, "\x0f\x01\x3b", &ev), EMU_DONE);	/* invlpg (%ebx) */
	cr_assert_eq(fk.invlpg, 0x3000);
}

Test(emulate, descriptor_tables)
{
	/* lgdt: limit 0x2f, base 0x2000; sgdt reads the vcpu back */
	fk.mem[DATA] = 0x2f;
	fk_put32(DATA + 2, 0x2000);
	cr_assert_eq(fk_run(&v, "\x0f\x01\x15\x00\x40\x00\x00", &ev), EMU_DONE);
	cr_assert_eq(v.gdtr.base, 0x2000);
	cr_assert_eq(v.gdtr.limit, 0x2f);
	cr_assert_eq(fk.dtr_loads, 1);
	/* An lgdt the engine refuses: #GP, and the GDTR as it was. */
	fk.dtr_refuse = true;
	fk_put32(DATA + 2, 0x9000);
	cr_assert_eq(fk_run(&v, "\x0f\x01\x15\x00\x40\x00\x00", &ev), EMU_FAULT);
	fk.dtr_refuse = false;
	cr_assert_eq(ev.fault.vector, T_GPFLT);
	cr_assert_eq(v.gdtr.base, 0x2000, "a refused lgdt left the GDTR at %x",
		     v.gdtr.base);
	fk_put32(DATA + 2, 0x2000);
	cr_assert_eq(fk_run(&v, "\x0f\x01\x05\x10\x40\x00\x00", &ev), EMU_DONE);
	cr_assert_eq(fk.mem[DATA + 0x10], 0x2f);
	cr_assert_eq(fk_get32(DATA + 0x12), 0x2000);
	/* ltr 0x28: an available TSS at GDT entry 5 becomes busy */
	fk_put32(0x2000 + 0x28, 0x30000067);
	fk_put32(0x2000 + 0x2c, 0x00008900);
	v.gpr[REG_EAX] = 0x28;
	cr_assert_eq(fk_run(&v, "\x0f\x00\xd8", &ev), EMU_DONE);
	cr_assert_eq(v.tr.sel, 0x28);
	cr_assert_eq(v.tr.base, 0x3000);
	cr_assert_eq(v.tr.limit, 0x67);
	cr_assert_eq(fk_get32(0x2000 + 0x2c), 0x00008b00);
	cr_assert_eq(fk_run(&v, "\x0f\x00\xd8", &ev), EMU_FAULT);	/* busy now: #GP */
	cr_assert_eq(ev.fault.err, 0x28);
	cr_assert_eq(fk_run(&v, "\x0f\x00\xc9", &ev), EMU_DONE);	/* str %ecx */
	cr_assert_eq(v.gpr[REG_ECX], 0x28);
}

Test(emulate, msr_cpuid_rdtsc)
{
	v.gpr[REG_ECX] = MSR_SYSENTER_EIP;
	v.gpr[REG_EAX] = 0xc0100000;
	cr_assert_eq(fk_run(&v, "\x0f\x30", &ev), EMU_DONE);
	cr_assert_eq(v.sysenter_eip, 0xc0100000);
	v.gpr[REG_EAX] = 0;
	cr_assert_eq(fk_run(&v, "\x0f\x32", &ev), EMU_DONE);
	cr_assert_eq(v.gpr[REG_EAX], 0xc0100000);
	v.gpr[REG_ECX] = 0x12345;				/* unknown: #GP(0) */
	cr_assert_eq(fk_run(&v, "\x0f\x32", &ev), EMU_FAULT);
	cr_assert_eq(ev.fault.vector, T_GPFLT);
	v.tsc_offset = 5;
	cr_assert_eq(fk_run(&v, "\x0f\x31", &ev), EMU_DONE);
	cr_assert_eq(v.gpr[REG_EAX], 1000005);
	v.gpr[REG_EAX] = 7;
	v.gpr[REG_ECX] = 1;
	cr_assert_eq(fk_run(&v, "\x0f\xa2", &ev), EMU_DONE);
	cr_assert_eq(v.gpr[REG_EAX], 7);
	cr_assert_eq(v.gpr[REG_EBX], 1);
	cr_assert_eq(v.gpr[REG_EDX], 0x5678);
	cr_assert_eq(fk_run(&v, "\x0f\x09", &ev), EMU_DONE);	/* wbinvd */
}

/* A GDT at 0x2000: kernel code/data (DPL 0) at 8/0x10, user at 0x18/0x20. */
static void
gdt(void)
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
}

Test(emulate, iret_same_ring)
{
	gdt();
	v.eflags &= ~FL_IF;
	v.gpr[REG_ESP] = 0x7000;
	fk_put32(0x7000, 0x1234);
	fk_put32(0x7004, 0x8);
	fk_put32(0x7008, 0x2 | FL_IF | FL_ZF);
	cr_assert_eq(fk_run(&v, "\xcf", &ev), EMU_DONE);
	cr_assert_eq(v.eip, 0x1234);
	cr_assert_eq(v.seg[SEG_CS].sel, 0x8);
	cr_assert_eq(v.eflags, 0x2 | FL_IF | FL_ZF);
	cr_assert_eq(v.gpr[REG_ESP], 0x700c);
	cr_assert_eq(v.cpl, 0);
}

Test(emulate, iret_16bit)
{
	gdt();
	v.eflags = 0x2 | FL_CF | 0x40000;	/* AC: above the low half */
	v.gpr[REG_ESP] = 0x7000;
	fk_put32(0x7000, 0x00081234);		/* ip 1234, cs 8 */
	fk_put32(0x7004, 0xdead0000 | 0x2 | FL_IF | FL_ZF);	/* flags */
	cr_assert_eq(fk_run(&v, "\x66\xcf", &ev), EMU_DONE, "iretw: %s",
		     ev.reason ? ev.reason : "a fault");
	cr_assert_eq(v.eip, 0x1234);
	cr_assert_eq(v.seg[SEG_CS].sel, 0x8);
	cr_assert_eq(v.gpr[REG_ESP], 0x7006, "iretw popped %u bytes",
		     v.gpr[REG_ESP] - 0x7000);
	cr_assert_eq(v.eflags, 0x2 | FL_IF | FL_ZF | 0x40000, "iretw left "
		     "EFLAGS %08x: only the low 16 bits are loaded", v.eflags);
}

Test(emulate, iret_to_user)
{
	gdt();
	v.gpr[REG_ESP] = 0x7000;
	fk_put32(0x7000, 0x800000);
	fk_put32(0x7004, 0x1b);
	fk_put32(0x7008, 0x2 | FL_IF);
	fk_put32(0x700c, 0xeebfe000);
	fk_put32(0x7010, 0x23);
	cr_assert_eq(fk_run(&v, "\xcf", &ev), EMU_DONE);
	cr_assert_eq(v.cpl, 3);
	cr_assert_eq(v.eip, 0x800000);
	cr_assert_eq(v.seg[SEG_CS].sel, 0x1b);
	cr_assert_eq(v.seg[SEG_SS].sel, 0x23);
	cr_assert_eq(v.gpr[REG_ESP], 0xeebfe000);
	cr_assert(v.eflags & FL_IF);
	cr_assert_eq(v.seg[SEG_DS].sel, 0);	/* a DPL-0 data segment is nulled */
}

Test(emulate, iret_bad_frames)
{
	gdt();
	v.gpr[REG_ESP] = 0x7000;
	fk_put32(0x7000, 0x800000);
	fk_put32(0x7004, 0x1b);
	fk_put32(0x7008, 0x2);
	fk_put32(0x700c, 0xeebfe000);
	fk_put32(0x7010, 0x10);			/* kernel SS for a ring-3 return */
	cr_assert_eq(fk_run(&v, "\xcf", &ev), EMU_FAULT);
	cr_assert_eq(ev.fault.vector, T_GPFLT);
	cr_assert_eq(ev.fault.err, 0x10);
	cr_assert_eq(v.cpl, 0);
	cr_assert_eq(v.gpr[REG_ESP], 0x7000);
	fk_put32(0x7004, 0x28 | 3);		/* beyond the GDT */
	cr_assert_eq(fk_run(&v, "\xcf", &ev), EMU_FAULT);
	cr_assert_eq(ev.fault.err, 0x28);
	v.cpl = 3;				/* to ring 0 from ring 3 */
	fk_put32(0x7004, 0x8);
	cr_assert_eq(fk_run(&v, "\xcf", &ev), EMU_FAULT);
	cr_assert_eq(ev.fault.vector, T_GPFLT);
	v.gpr[REG_ESP] = FAULT_PAGE;		/* the frame itself faults */
	v.cpl = 0;
	cr_assert_eq(fk_run(&v, "\xcf", &ev), EMU_FAULT);
	cr_assert_eq(ev.fault.vector, T_PGFLT);
	cr_assert_eq(v.eip, CODE);
}

/* A segment load that faults: the vector and error code, nothing changed. */
static void
seg_fault(const char *code, size_t n, int vec, uint32_t err, const char *what)
{
	struct vseg before = v.seg[SEG_DS], ss = v.seg[SEG_SS];
	uint32_t esp = v.gpr[REG_ESP];

	cr_assert_eq(fk_run_len(&v, code, n, &ev), EMU_FAULT, "%s: no fault", what);
	cr_assert_eq(ev.fault.vector, vec, "%s: vector %d, want %d", what,
		     ev.fault.vector, vec);
	cr_assert_eq(ev.fault.err, err, "%s: error code %x, want %x", what,
		     ev.fault.err, err);
	cr_assert_eq(v.seg[SEG_DS].sel, before.sel, "%s: %%ds changed", what);
	cr_assert_eq(v.seg[SEG_SS].sel, ss.sel, "%s: %%ss changed", what);
	cr_assert_eq(v.gpr[REG_ESP], esp, "%s: ESP moved", what);
	cr_assert_eq(v.eip, CODE, "%s: EIP moved", what);
}

Test(emulate, segment_loads)
{
	gdt();
	/* mov %ax, %ds of a ring-0 data segment: loaded, and marked
	 * accessed in the GDT as the CPU marks it. */
	v.gpr[REG_EAX] = 0x10;
	cr_assert_eq(fk_run(&v, "\x8e\xd8", &ev), EMU_DONE);
	cr_assert_eq(v.seg[SEG_DS].sel, 0x10);
	cr_assert_eq(v.seg[SEG_DS].limit, 0xffffffff);
	cr_assert_eq(fk_get32(0x2000 + 0x14), 0xcf9300, "the accessed bit");
	/* mov %ax, %ss: loaded, and no interrupt before the next insn */
	v.eip = CODE;
	cr_assert_eq(fk_run(&v, "\x8e\xd0", &ev), EMU_DONE);
	cr_assert(v.intr_shadow, "mov to %%ss leaves no interrupt shadow");
	/* Readable code is a valid data segment. */
	v.eip = CODE;
	v.gpr[REG_EAX] = 0x08;
	cr_assert_eq(fk_run(&v, "\x8e\xc0", &ev), EMU_DONE);
	cr_assert_eq(v.seg[SEG_ES].sel, 0x08);
	/* A null selector: fine for %es, #GP(0) for %ss. */
	v.eip = CODE;
	v.gpr[REG_EAX] = 0;
	cr_assert_eq(fk_run(&v, "\x8e\xc0", &ev), EMU_DONE);
	cr_assert_eq(v.seg[SEG_ES].sel, 0);
	v.eip = CODE;
	seg_fault("\x8e\xd0", 2, T_GPFLT, 0, "a null %ss");
	/* RPL 3 into %ss at CPL 0: #GP(selector) */
	v.gpr[REG_EAX] = 0x23;
	seg_fault("\x8e\xd0", 2, T_GPFLT, 0x20, "%ss of another ring");
	/* Past the GDT's limit. */
	v.gpr[REG_EAX] = 0x28;
	seg_fault("\x8e\xd8", 2, T_GPFLT, 0x28, "beyond the GDT");
	/* Not present: #NP for %ds, #SS for %ss, the selector as the code. */
	fk_put32(0x2000 + 0x14, 0xcf1200);
	v.gpr[REG_EAX] = 0x10;
	seg_fault("\x8e\xd8", 2, T_SEGNP, 0x10, "a not-present %ds");
	seg_fault("\x8e\xd0", 2, T_STACK, 0x10, "a not-present %ss");
	fk_put32(0x2000 + 0x14, 0xcf9200);
	/* %cs is not a mov target: the decoder already says #UD. */
	{
		struct insn in;

		memcpy(fk.mem + v.eip, "\x8e\xc8", 2);
		cr_assert_eq(emu_fetch(&v, &in, &fk_ops, NULL, &ev), EMU_FAULT);
		cr_assert_eq(ev.fault.vector, T_ILLOP);
	}
	/* From ring 3, a ring-0 data segment: #GP(selector). */
	v.cpl = 3;
	seg_fault("\x8e\xd8", 2, T_GPFLT, 0x10, "a ring-0 %ds at CPL 3");
	v.cpl = 0;
}

Test(emulate, segment_pop_and_far_pointer)
{
	gdt();
	/* pop %ds: ESP moves only once the load has been checked. */
	v.gpr[REG_ESP] = 0x7000;
	fk_put32(0x7000, 0x28);
	seg_fault("\x1f", 1, T_GPFLT, 0x28, "pop of a selector past the GDT");
	fk_put32(0x7000, 0x10);
	cr_assert_eq(fk_run(&v, "\x1f", &ev), EMU_DONE);
	cr_assert_eq(v.seg[SEG_DS].sel, 0x10);
	cr_assert_eq(v.gpr[REG_ESP], 0x7004);
	/* lds 0x4000, %eax: the offset, then the selector */
	v.eip = CODE;
	fk_put32(DATA, 0x12345678);
	fk_put32(DATA + 4, 0x2b);
	cr_assert_eq(fk_run(&v, "\xc5\x05\x00\x40\x00\x00", &ev), EMU_FAULT);
	cr_assert_eq(ev.fault.err, 0x28, "lds past the GDT: error %x",
		     ev.fault.err);
	cr_assert_eq(v.gpr[REG_EAX], 0, "a faulting lds changed %%eax");
	/* A ring-3 data segment is fine from ring 0. */
	fk_put32(DATA + 4, 0x20);
	cr_assert_eq(fk_run(&v, "\xc5\x05\x00\x40\x00\x00", &ev), EMU_DONE);
	cr_assert_eq(v.seg[SEG_DS].sel, 0x20);
	v.eip = CODE;
	fk_put32(DATA + 4, 0x10);
	cr_assert_eq(fk_run(&v, "\xc5\x05\x00\x40\x00\x00", &ev), EMU_DONE);
	cr_assert_eq(v.gpr[REG_EAX], 0x12345678);
	cr_assert_eq(v.seg[SEG_DS].sel, 0x10);
}

Test(emulate, unhandled_has_reason)
{
	cr_assert_eq(fk_run(&v, "\xd9\x00", &ev), EMU_UNHANDLED);	/* flds (%eax) */
	cr_assert_not_null(ev.reason);
	cr_assert_eq(v.eip, CODE);
	cr_assert_str_eq(emu_result_name(EMU_HALT), "halt");
}

/*
 * lar, lsl, verr, verw ask about a selector from the guest's own GDT
 * (what the binary translator must answer: on the CPU they would read
 * the shadow's DPL 1).  No fault for a selector they reject: ZF clear,
 * the destination as it was.
 */
Test(emulate, lar_lsl_verr_verw)
{
	static const struct { uint32_t lo, hi; } gdt[] = {
		{ 0, 0 },
		{ 0x0000ffff, 0x00cf9a00 },	/* 0x08 code, readable, DPL 0 */
		{ 0x0000ffff, 0x00cf9200 },	/* 0x10 data, writable, DPL 0 */
		{ 0x0000ffff, 0x00cf9800 },	/* 0x18 code, execute-only */
		{ 0x00080000, 0x00008e00 },	/* 0x20 interrupt gate */
		{ 0x30000067, 0x00008900 },	/* 0x28 available 32-bit TSS */
	};
	static const struct {
		const char *code;	/* 3 bytes: the op, %ecx the selector */
		uint16_t sel;
		unsigned cpl;
		bool zf;
		uint32_t eax;		/* lar, lsl: the result if zf */
	} cases[] = {
		{ "\x0f\x02\xc1", 0x08, 0, true, 0x00c09a00 },	/* lar */
		{ "\x0f\x03\xc1", 0x08, 0, true, 0xffffffff },	/* lsl */
		{ "\x0f\x02\xc1", 0x28, 0, true, 0x00008900 },	/* lar TSS */
		{ "\x0f\x03\xc1", 0x28, 0, true, 0x67 },	/* lsl TSS */
		{ "\x0f\x02\xc1", 0x20, 0, false, 0 },		/* lar: a gate it
								 * does not take */
		{ "\x0f\x02\xc1", 0x30, 0, false, 0 },		/* past the limit */
		{ "\x0f\x02\xc1", 0x00, 0, false, 0 },		/* null */
		{ "\x0f\x02\xc1", 0x10, 3, false, 0 },		/* DPL 0 at CPL 3 */
		{ "\x0f\x02\xc1", 0x13, 0, false, 0 },		/* RPL 3 > DPL */
		{ "\x0f\x00\xe1", 0x08, 0, true, 0 },		/* verr code */
		{ "\x0f\x00\xe1", 0x18, 0, false, 0 },		/* execute-only */
		{ "\x0f\x00\xe9", 0x10, 0, true, 0 },		/* verw data */
		{ "\x0f\x00\xe9", 0x08, 0, false, 0 },		/* code: never */
		{ "\x0f\x00\xe9", 0x28, 0, false, 0 },		/* a TSS */
	};

	for (size_t i = 0; i < sizeof(gdt) / sizeof(gdt[0]); i++) {
		fk_put32(0x2000 + 8 * i, gdt[i].lo);
		fk_put32(0x2000 + 8 * i + 4, gdt[i].hi);
	}
	v.gdtr.base = 0x2000;
	v.gdtr.limit = sizeof(gdt) - 1;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v.cpl = cases[i].cpl;
		v.eip = CODE;
		v.eflags = cases[i].zf ? 0x2 : 0x2 | FL_ZF;
		v.gpr[REG_ECX] = cases[i].sel;
		v.gpr[REG_EAX] = 0x5a5a5a5a;
		cr_assert_eq(fk_run_len(&v, cases[i].code, 3, &ev), EMU_DONE,
			     "case %zu: no fault, whatever the selector", i);
		cr_assert_eq(!!(v.eflags & FL_ZF), cases[i].zf, "case %zu "
			     "(selector %x at CPL %u): ZF", i, cases[i].sel,
			     cases[i].cpl);
		cr_assert_eq(v.gpr[REG_EAX], cases[i].zf && cases[i].eax ?
			     cases[i].eax : 0x5a5a5a5a, "case %zu: %%eax %x",
			     i, v.gpr[REG_EAX]);
	}
	/* Not in real mode. */
	v.cr0 &= ~CR0_PE;
	v.eip = CODE;
	cr_assert_eq(fk_run_len(&v, "\x0f\x02\xc1", 3, &ev), EMU_FAULT);
	cr_assert_eq(ev.fault.vector, T_ILLOP);
}
