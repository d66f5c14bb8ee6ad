/*
 * hostile_exc.c - exceptions at awkward moments: a stack that is not
 * mapped, one that runs off the end of RAM, an IDT whose limit cuts a
 * gate in half, an iret whose frame leaves the mapped page.
 *
 * Under te every delivery is the monitor's (vmm/ringcomp/deliver.c): it
 * reads the guest's gate and pushes the frame through the guest's page
 * tables.  What a PC does when that goes wrong - which fault, which
 * error code, which address in CR2, which bytes reach memory before the
 * fault - is what the guest sees natively, and must see under te.  A
 * stack fault during a delivery is a double fault, so the #DF handler is
 * a task with a stack of its own, as a kernel's is when it cares.
 */
#include "grade/guests/hostile.h"

#define TSSDF		HSLOT(0)	/* the double-fault task */
#define NOSTACK		0x4a000000u	/* a region with no page table */
#define STACKPG		0x4a401000u	/* one mapped page, the one below not */

static uint32_t dftss[26] __attribute__((aligned(8)));
static uint8_t dfstack[2048] __attribute__((aligned(16)));
static uint8_t homestack[2048] __attribute__((aligned(16)));
volatile uint32_t df_err, df_cr2;
void df_entry(void);
void df_home(void);

/* The TSS layout, in 32-bit words. */
enum { T_CR3 = 7, T_EIP, T_EFLAGS, T_ESP = 14, T_ES = 18, T_CS, T_SS, T_DS,
       T_FS, T_GS };

/*
 * The double-fault task: note the error code and CR2, then send the
 * interrupted task, by iret, to a fresh stack at df_home, in the kernel,
 * which ends the probe as if it had raised #DF.  Each #DF starts it anew
 * (its saved EIP is the jmp after the iret).
 */
asm(".text\n"
    "df_entry:\n"
    "	popl	df_err\n"
    "	movl	%cr2, %eax\n"
    "	movl	%eax, df_cr2\n"
    "	call	df_redirect\n"
    "	iret\n"
    "	jmp	df_entry\n"
    "df_home:\n"
    "	pushl	$8\n"
    "	call	gtry_abort\n");

/* The interrupted task resumes at df_home, at ring 0, on homestack,
 * with the directory it had: a task switch never saves CR3 into the
 * TSS it leaves, so the return would load what htss held before. */
void __attribute__((used))
df_redirect(void)
{
	htss[T_CR3] = rcr3();
	htss[T_EIP] = (uint32_t) df_home;
	htss[T_ESP] = (uint32_t) homestack + sizeof(homestack);
	htss[T_EFLAGS] = 0x2;
	htss[T_CS] = KCODE;
	htss[T_SS] = htss[T_DS] = htss[T_ES] = KDATA;
	htss[T_FS] = htss[T_GS] = 0;
}

static void
arm_df_task(void)
{
	int i;

	for (i = 0; i < 26; i++)
		dftss[i] = 0;
	dftss[T_CR3] = rcr3();
	dftss[T_EIP] = (uint32_t) df_entry;
	dftss[T_EFLAGS] = 0x2;
	dftss[T_ESP] = (uint32_t) dfstack + sizeof(dfstack);
	dftss[T_CS] = KCODE;
	dftss[T_SS] = dftss[T_DS] = dftss[T_ES] = KDATA;
	dftss[25] = 104 << 16;
	hgdt[TSSDF >> 3] = desc((uint32_t) dftss, sizeof(dftss) - 1, 0x89, 0);
	hload_gdt(sizeof(hgdt));
	hidt[8] = hgate(0, TSSDF, 0x85);
	df_err = df_cr2 = 0xdead;
}

/* ud2 on the stack at esp (then the old stack back, if it returns). */
static void
ud2_on(void *esp)
{
	asm volatile("movl %%esp, %%ebx\n\t"
		     "movl %0, %%esp\n\t"
		     "ud2\n\t"
		     "movl %%ebx, %%esp" : : "r" (esp) : "ebx", "memory");
}

/* iret with the frame at esp. */
static void
iret_on(void *esp)
{
	asm volatile("movl %0, %%esp\n\t"
		     "iret" : : "r" (esp) : "memory");
}

static void
int_41(void *a)
{
	asm volatile("int $0x41");
}

static void
ds_beyond(void *a)
{
	asm volatile("movw %w0, %%ds" : : "r" (0x80));
}

static void
u_nothing(void)
{
}

/* Expect a double fault through the task, with CR2 = cr2. */
static void
expect_df(const char *name, int v, uint32_t cr2)
{
	gresult(name, v == 8 && df_err == 0 && df_cr2 == cr2, "vector %d, #DF "
		"error %x cr2 %x; want #DF error 0 cr2 %x", v, df_err, df_cr2, cr2);
}

/* Stacks that are not there, at ring 0 and for a trap from ring 3. */
static void
check_unmapped_stacks(void)
{
	volatile uint32_t *low = (volatile uint32_t *) STACKPG;
	int v;

	arm_df_task();
	v = gtry(ud2_on, (void *) NOSTACK, 0);
	expect_df("fault-on-unmapped-stack", v, NOSTACK - 4);

	/* The frame's first word fits the mapped page, the rest does not. */
	arm_df_task();
	low[0] = 0x600d;
	v = gtry(ud2_on, (void *) (STACKPG + 4), 0);
	expect_df("fault-on-half-mapped-stack", v, STACKPG - 4);
	gresult("half-mapped-stack-first-push", low[0] != 0x600d, "the word at "
		"%x kept %x: the push before the fault did not land", STACKPG,
		low[0]);

	/* From user mode, the TSS's ring-0 stack is not mapped. */
	arm_df_task();
	htss[1] = NOSTACK;
	v = gtry_user(u_nothing, 0);
	expect_df("user-trap-unmapped-esp0", v, NOSTACK - 4);
	hreset_tables();
}

static void
check_iret_frame(void)
{
	struct gfault f;
	uint32_t *top = (uint32_t *) (STACKPG + PGSIZE - 8);
	int v;

	top[0] = (uint32_t) u_nothing;
	top[1] = KCODE;
	v = gtry(iret_on, top, &f);
	gresult("iret-frame-leaves-page", v == 14 && f.err == 0 &&
		f.cr2 == STACKPG + PGSIZE, "vector %d error %x cr2 %x, want #PF "
		"error 0 cr2 %x", v, f.err, f.cr2, STACKPG + PGSIZE);
}

/* The stack at the end of RAM, paging off: what lies past it is lost. */
static void
check_ram_end_stacks(void)
{
	struct gfault f;
	int v;

	v = gtry(ud2_on, (void *) ram_end, &f);
	gresult("fault-stack-at-ram-end", v == 6 && f.eip == peek(ram_end - 12) &&
		peek(ram_end - 8) == KCODE, "vector %d at %x, frame eip %x cs %x",
		v, v >= 0 ? f.eip : 0, peek(ram_end - 12), peek(ram_end - 8));
	v = gtry(ud2_on, (void *) (ram_end + 8), &f);
	gresult("fault-stack-across-ram-end", v == 6 && f.eip != 0, "vector %d "
		"at %x", v, v >= 0 ? f.eip : 0);
	/* All of the frame, and the handler's own pushes, past RAM: the
	 * handler pops zeros. */
	v = gtry(ud2_on, (void *) (ram_end + 0x10000), &f);
	gresult("fault-stack-past-ram", v == 0 && f.err == 0 && f.eip == 0,
		"the handler found vector %d error %x eip %x", v,
		v >= 0 ? f.err : 0, v >= 0 ? f.eip : 0);
}

/* An IDT whose limit ends inside a gate: that gate is not there. */
static void
check_idt_limits(void)
{
	hidt[0x41] = gate((void *) gtry_stubs[3], 0);
	hload_idt(hidt, 0x41 * 8 + 4);
	expect_fault("idt-limit-cuts-int-gate", int_41, 0, 13, 0x41 * 8 + 2);
	/* A #GP whose own gate is cut: a double fault, through gate 8. */
	hload_idt(hidt, 13 * 8 + 4);
	expect_fault("idt-limit-cuts-gp-gate", ds_beyond, 0, 8, 0);
	/* A #PF whose gate is cut: #GP, contributory, so a double fault. */
	paging_on();
	hload_idt(hidt, 14 * 8 + 4);
	expect_fault("idt-limit-cuts-pf-gate", probe_read, (void *) NOSTACK, 8, 0);
	hload_idt(hidt, sizeof(hidt));
	paging_off();
}

void
area_exceptions(void)
{
	check_idt_limits();
	check_ram_end_stacks();
	paging_on();
	map(STACKPG, FRAME(0), PTE_P | PTE_W);
	check_unmapped_stacks();
	check_iret_frame();
	paging_off();
}
