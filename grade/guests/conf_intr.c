/*
 * conf_intr.c - interrupts, exceptions and tasks as the CPU delivers them.
 *
 * A kernel finds out what its IDT and GDT are worth when something goes
 * wrong: a gate that is not present, a handler whose code segment is
 * gone, a fault while delivering a fault (a double fault), a task gate
 * (the way a kernel survives a double fault on a broken stack).  Each
 * probe runs under gtry() and checks the vector and the error code the
 * CPU raised, with the EXT and IDT bits of the SDM (vol. 3, 6.13); then
 * the task switch itself: call and jmp to a TSS and to a task gate, int n
 * through a task gate, iret back, with the busy bits, the back link and
 * NT as the CPU leaves them.  Natively every check passes; under the
 * monitor every line must be the same (grade/conf_intr.c).
 */
#include "grade/guests/guest.h"

#define NPCODE	0x28	/* a code segment that is not present */
#define TSSB	0x30	/* the second task */
#define TSSDF	0x38	/* the double-fault task */
#define TASKGB	0x40	/* a task gate to TSSB, in the GDT */
#define CALLG	0x48	/* a call gate to KCODE:gate_target */
#define NGDT	10
#define NIDT	0x60	/* vectors the IDT has room for */

static uint64_t gdt[NGDT] __attribute__((aligned(8)));
static uint64_t ldt[2] __attribute__((aligned(8)));
static uint32_t tss[26] __attribute__((aligned(8)));
static uint32_t tssb[26] __attribute__((aligned(8)));
static uint32_t tssdf[26] __attribute__((aligned(8)));
static uint64_t idt[NIDT] __attribute__((aligned(8)));
static uint8_t stack_b[4096] __attribute__((aligned(16)));
static uint8_t stack_df[4096] __attribute__((aligned(16)));
static uint8_t stack_home[1024] __attribute__((aligned(16)));

/* Filled by the other tasks and the gate's target (asm below). */
volatile uint32_t task_b_ran, task_b_eflags, task_b_link, df_err, gate_ran;

/* The TSS layout, in 32-bit words. */
enum { T_LINK = 0, T_CR3 = 7, T_EIP, T_EFLAGS, T_EAX, T_ECX, T_EDX, T_EBX,
       T_ESP, T_EBP, T_ESI, T_EDI, T_ES, T_CS, T_SS, T_DS, T_FS, T_GS, T_LDT };

void task_b_call_entry(void);
void task_b_jmp_entry(void);
void df_task_entry(void);
void gate_target(void);
void df_home(void);

/*
 * The second task: note that it ran, its EFLAGS and its back link, and
 * return (iret: NT is set when it was called).  It starts afresh each
 * time: the iret saves the EIP after it, which jumps back to the top.
 * The jmp variant goes home with a jmp to the first task's TSS.
 */
asm(".text\n"
    "task_b_call_entry:\n"
    "	movl	$1, task_b_ran\n"
    "	pushfl\n"
    "	popl	task_b_eflags\n"
    "	movzwl	tssb, %eax\n"
    "	movl	%eax, task_b_link\n"
    "	iret\n"
    "	jmp	task_b_call_entry\n"
    "task_b_jmp_entry:\n"
    "	movl	$2, task_b_ran\n"
    "	pushfl\n"
    "	popl	task_b_eflags\n"
    "	ljmp	$0x18, $0\n"
    "	jmp	task_b_jmp_entry\n"
    /* The double-fault task: its error code, then home by iret to a
     * place in the first task that ends the probe. */
    "df_task_entry:\n"
    "	popl	df_err\n"
    "	movl	$df_home, tss + 32\n"
    "	movl	$stack_home + 1024, tss + 56\n"
    "	iret\n"
    "	jmp	df_task_entry\n"
    "df_home:\n"
    "	pushl	$8\n"
    "	call	gtry_abort\n"
    "gate_target:\n"
    "	movl	$1, gate_ran\n"
    "	lret\n");

static void
init_tss(uint32_t *t, void (*entry)(void), uint8_t *stack)
{
	int i;

	for (i = 0; i < 26; i++)
		t[i] = 0;
	t[T_EIP] = (uint32_t) entry;
	t[T_EFLAGS] = 0x2;
	t[T_ESP] = (uint32_t) stack + 4096;
	t[T_CS] = KCODE;
	t[T_SS] = t[T_DS] = t[T_ES] = t[T_FS] = t[T_GS] = KDATA;
	t[25] = 104 << 16;	/* no I/O bitmap */
}

static void
setup(void)
{
	uint32_t gt = (uint32_t) gate_target;

	gdt[1] = desc(0, 0xfffff, 0x9a, 0xc);
	gdt[2] = desc(0, 0xfffff, 0x92, 0xc);
	gdt[3] = desc((uint32_t) tss, sizeof(tss) - 1, 0x89, 0);
	gdt[4] = desc((uint32_t) ldt, sizeof(ldt) - 1, 0x82, 0);
	gdt[NPCODE >> 3] = desc(0, 0xfffff, 0x1a, 0xc);	/* P = 0 */
	gdt[TSSB >> 3] = desc((uint32_t) tssb, sizeof(tssb) - 1, 0x89, 0);
	gdt[TSSDF >> 3] = desc((uint32_t) tssdf, sizeof(tssdf) - 1, 0x89, 0);
	gdt[TASKGB >> 3] = (uint64_t) TSSB << 16 | (uint64_t) 0x85 << 40;
	gdt[CALLG >> 3] = (gt & 0xffff) | (uint64_t) KCODE << 16 |
		(uint64_t) 0x8c << 40 | (uint64_t) (gt >> 16) << 48;
	init_tss(tss, 0, stack_home);
	gtry_gates(idt);
	gload_tables(gdt, sizeof(gdt), idt, sizeof(idt));
}

/* A gate of the IDT to KCODE:stub with access byte access. */
static uint64_t
gate_with(uint32_t target, uint16_t sel, uint8_t access)
{
	return (target & 0xffff) | (uint64_t) sel << 16 |
		(uint64_t) access << 40 | (uint64_t) (target >> 16) << 48;
}

/* The probes. */
static void int50(void *a) { asm volatile("int $0x50"); }
static void int51(void *a) { asm volatile("int $0x51"); }
static void int52(void *a) { asm volatile("int $0x52"); }
static void int53(void *a) { asm volatile("int $0x53"); }
static void int70(void *a) { asm volatile("int $0x70"); }
static void ud2(void *a) { asm volatile("ud2"); }
static void bad_ds(void *a) { asm volatile("movw %w0, %%ds" : : "r" (0x1000)); }
static void call_tss(void *a) { asm volatile("lcall $0x30, $0" : : : "memory"); }
static void jmp_gate(void *a) { asm volatile("ljmp $0x40, $0" : : : "memory"); }
static void call_gate(void *a) { asm volatile("lcall $0x48, $0" : : : "memory"); }

/* Run probe fn; it must raise vector with error code err (its bits in
 * mask compared). */
static void
expect_fault_masked(const char *name, void (*fn)(void *), int vector,
		    uint32_t err, uint32_t mask)
{
	struct gfault f;
	int v = gtry(fn, 0, &f);

	gresult(name, v == vector && (f.err & mask) == (err & mask), "vector %d "
		"error %x, want vector %d error %x", v, v >= 0 ? f.err : 0,
		vector, err);
}

static void
expect_fault(const char *name, void (*fn)(void *), int vector, uint32_t err)
{
	expect_fault_masked(name, fn, vector, err, ~0u);
}

/* Bad gates and handlers: the fault, with EXT for a hardware event. */
static void
check_gates(void)
{
	uint32_t stub = gtry_stubs[3];

	idt[0x50] = gate_with(stub, NPCODE, 0x8e);
	expect_fault("gate-cs-not-present", int50, 11, NPCODE);
	idt[0x51] = gate_with(stub, KCODE, 0x0e);		/* P = 0 */
	expect_fault("gate-not-present", int51, 11, 0x51 * 8 + 2);
	idt[0x52] = gate_with(stub, KCODE, 0x92);		/* data */
	expect_fault("gate-not-a-gate", int52, 13, 0x52 * 8 + 2);
	expect_fault("beyond-idt-limit", int70, 13, 0x70 * 8 + 2);
	/*
	 * #UD through a gate to an absent segment: #NP with the selector.
	 * The CPU sets EXT (bit 0: the fault arose delivering an exception);
	 * QEMU's TCG does not, the monitor does: the bit is not compared.
	 */
	idt[6] = gate_with(gtry_stubs[6], NPCODE, 0x8e);
	expect_fault_masked("exception-gate-cs-absent", ud2, 11, NPCODE, ~1u);
	idt[6] = gate((void *) gtry_stubs[6], 0);
}

/* A fault delivering a fault: contributory after contributory. */
static void
check_double_fault(void)
{
	uint64_t gp = idt[13];

	idt[13] &= ~(1ull << 47);
	expect_fault("double-fault", bad_ds, 8, 0);
	/* The same through a task gate: the #DF handler is a task. */
	init_tss(tssdf, df_task_entry, stack_df);
	idt[8] = (uint64_t) TSSDF << 16 | (uint64_t) 0x85 << 40;
	df_err = 0xdead;
	expect_fault("double-fault-task", bad_ds, 8, 0);
	gcheck("double-fault-task-error", df_err == 0, df_err, 0);
	gcheck("double-fault-task-link", (uint16_t) tssdf[T_LINK] == 0x18,
	       (uint16_t) tssdf[T_LINK], 0x18);
	idt[8] = gate((void *) gtry_stubs[8], 0);
	idt[13] = gp;
	/* The double-fault task's TSS is left busy: its iret did not free it
	 * for good (a nested task's iret clears its own busy bit). */
	gcheck("double-fault-task-free", ((gdt[TSSDF >> 3] >> 40) & 0xf) == 0x9,
	       (gdt[TSSDF >> 3] >> 40) & 0xf, 0x9);
}

static uint32_t
type_of(uint16_t sel)
{
	return (gdt[sel >> 3] >> 40) & 0xf;
}

static void
check_tasks(void)
{
	uint32_t ebx;

	init_tss(tssb, task_b_call_entry, stack_b);
	task_b_ran = 0;
	asm volatile("movl $0x600dcafe, %%ebx; lcall $0x30, $0; movl %%ebx, %0"
		     : "=r" (ebx) : : "ebx", "eax", "memory");
	gcheck("call-tss", task_b_ran == 1, task_b_ran, 1);
	gcheck("call-tss-nt", (task_b_eflags >> 14) & 1, task_b_eflags, 1 << 14);
	gcheck("call-tss-link", task_b_link == 0x18, task_b_link, 0x18);
	gcheck("call-tss-registers", ebx == 0x600dcafe, ebx, 0x600dcafe);
	gcheck("call-tss-busy-after", type_of(TSSB) == 0x9, type_of(TSSB), 0x9);
	gcheck("main-tss-busy", type_of(0x18) == 0xb, type_of(0x18), 0xb);

	/* A jmp through a task gate, and a jmp back to our own TSS. */
	init_tss(tssb, task_b_jmp_entry, stack_b);
	task_b_ran = 0;
	gtry(jmp_gate, 0, 0);
	gcheck("jmp-task-gate", task_b_ran == 2, task_b_ran, 2);
	gcheck("jmp-task-no-nt", !((task_b_eflags >> 14) & 1), task_b_eflags, 0);
	gcheck("jmp-task-busy", type_of(TSSB) == 0x9, type_of(TSSB), 0x9);

	/* int n through a task gate, then the call to a busy TSS: #GP. */
	init_tss(tssb, task_b_call_entry, stack_b);
	task_b_ran = 0;
	idt[0x53] = (uint64_t) TSSB << 16 | (uint64_t) 0x85 << 40;
	gtry(int53, 0, 0);
	gcheck("int-task-gate", task_b_ran == 1, task_b_ran, 1);
	gdt[TSSB >> 3] |= (uint64_t) 0x2 << 40;		/* busy */
	expect_fault("call-busy-tss", call_tss, 13, TSSB);
	gdt[TSSB >> 3] &= ~((uint64_t) 0x2 << 40);
}

static void
check_call_gate(void)
{
	gate_ran = 0;
	gresult("call-gate", gtry(call_gate, 0, 0) == -1 && gate_ran == 1,
		"ran %u", gate_ran);
}

void
gmain(uint32_t magic, uint32_t info)
{
	ginit();
	setup();
	gsuite("conf_intr");
	check_gates();
	check_double_fault();
	check_tasks();
	check_call_gate();
	gdone();
}
