/*
 * hostile_dt.c - attacks through the descriptor tables.
 *
 * Under te the CPU runs the guest on the monitor's shadow GDT, which holds
 * the guest's descriptors (privilege compressed, limits cut below the
 * monitor) and, past any limit a guest GDT of its size could have, the
 * monitor's own (vmm/ringcomp/shadowdt.h).  The guest's GDTR, IDTR and
 * LDTR are virtual.  So every selector the guest's tables do not hold,
 * every privilege rule and every odd gate must still end as it does on a
 * PC: #GP, #NP or #TS with the error code the CPU gives, or a delivery
 * exactly as the CPU makes it.
 *
 * area_tables() holds what the monitor is meant to get right (the
 * reserved segment registers among it), and reloads the GDTR after each
 * change to its GDT (so that a shadow built at lgdt sees it).
 * area_segments() holds descriptors and uses of the tables a shadow made
 * at lgdt would miss, and descriptors no shadow GDT can hold (a segment
 * reaching into the monitor's range): each may end the run, so each can
 * run on its own (area_segment(), the area seg:NAME).
 */
#include "grade/guests/hostile.h"

/* The area's descriptors, in the slots hostile.h leaves free. */
#define NPCODE		HSLOT(0)	/* code, not present */
#define CONF0		HSLOT(1)	/* conforming code, DPL 0 */
#define CONF3		HSLOT(2)	/* conforming code, DPL 3 */
#define GATE		HSLOT(3)	/* a call gate, rewritten per attempt */
#define R2CODE		HSLOT(4)	/* code, DPL 2 */
#define SEG		HSLOT(5)	/* a data segment, rewritten per attempt */
#define R2DATA		HSLOT(6)	/* data, DPL 2: ring 2's stack */
#define LOWCODE		HSLOT(8)	/* code based at 1 MB, limit 64 KB */
#define BEYOND		(HNGDT * 8)	/* the first selector past the limit */
#define IMAGE		0x00100000u	/* where the guest is linked */

/* Set by the targets of calls and gates (asm below). */
volatile uint32_t dt_ran, dt_cs;
/* The far pointer user-mode probes call through. */
struct farptr {
	uint32_t off;
	uint16_t sel;
} __attribute__((packed)) dt_far;
/* What the 16-bit gates' handler found. */
volatile uint32_t i16_ip, i16_cs, i16_flags, i16_if, i16_esp, i16_esp0,
	i16_flags0;

void gate_target0(void);
void gate_target3(void);
void conf_target(void);
void conf_cli(void);
void low_int(void);
void low_back(void);
void h16(void);

asm(".text\n"
    /* Ring 0 through a call gate: a privileged read proves the ring. */
    "gate_target0:\n"
    "	movl	%cr0, %eax\n"
    "	incl	dt_ran\n"
    "	lret\n"
    "gate_target3:\n"
    "	incl	dt_ran\n"
    "	lret\n"
    /* A conforming segment runs at its caller's privilege. */
    "conf_target:\n"
    "	movl	%cs, %eax\n"
    "	movl	%eax, dt_cs\n"
    "	incl	dt_ran\n"
    "	lret\n"
    "conf_cli:\n"
    "	cli\n"
    "	lret\n"
    /*
     * Code for LOWCODE, whose offsets are the image's minus 1 MB, so that
     * a 16-bit gate's 16-bit offset and its frame's IP reach it.  Called
     * far from KCODE; the int goes through vector 0x46.
     */
    "low_int:\n"
    "	pushfl\n"
    "	popl	i16_flags0\n"
    "	movl	%esp, i16_esp0\n"
    "	int	$0x46\n"
    "low_back:\n"
    "	lret\n"
    /* The handler of both: the 16-bit frame, IF inside, and iretw. */
    "h16:\n"
    "	movl	%esp, i16_esp\n"
    "	movzwl	(%esp), %ecx\n"
    "	movl	%ecx, i16_ip\n"
    "	movzwl	2(%esp), %ecx\n"
    "	movl	%ecx, i16_cs\n"
    "	movzwl	4(%esp), %ecx\n"
    "	movl	%ecx, i16_flags\n"
    "	pushfl\n"
    "	popl	%ecx\n"
    "	andl	$0x200, %ecx\n"
    "	movl	%ecx, i16_if\n"
    "	iretw\n");

/* ------------------------------------------------------------------------
 * Probes.  The selector or vector they use is their argument, or for
 * user mode, usel.
 * ------------------------------------------------------------------------ */

static volatile uint16_t usel;
static uint8_t r2stack[1024] __attribute__((aligned(16)));

static void load_ds(void *s) { asm volatile("movw %w0, %%ds" : : "r" (s)); }
static void load_es(void *s) { asm volatile("movw %w0, %%es" : : "r" (s)); }
static void load_fs(void *s) { asm volatile("movw %w0, %%fs" : : "r" (s)); }
static void load_gs(void *s) { asm volatile("movw %w0, %%gs" : : "r" (s)); }
static void load_ss(void *s) { asm volatile("movw %w0, %%ss" : : "r" (s)); }
static void do_ltr(void *s) { asm volatile("ltr %w0" : : "r" (s)); }
static void do_lldt(void *s) { asm volatile("lldt %w0" : : "r" (s)); }
static void ljmp_ffc0(void *a) { asm volatile("ljmp $0xffc0, $0"); }
static void lcall_ffc0(void *a) { asm volatile("lcall $0xffc0, $0"); }
static void lcall_far(void *a) { asm volatile("lcall *dt_far" : : : "memory"); }
static void u_load_ds(void) { asm volatile("movw %w0, %%ds" : : "r" (usel)); }
static void u_load_ss(void) { asm volatile("movw %w0, %%ss" : : "r" (usel)); }
static void u_lcall(void) { asm volatile("lcall *dt_far" : : : "memory"); }
static void u_ljmp(void) { asm volatile("ljmp *dt_far" : : : "memory"); }

/* int $n for the vectors the IDT attempts use (int needs a constant). */
#define INTS(X) X(0x40) X(0x41) X(0x42) X(0x43) X(0x44) X(0x45) X(0x48) \
	X(0x49) X(0x4a) X(0x4b) X(0x4c) X(0x4d) X(0x4e) X(0x4f)
#define INT_PROBE(n) static void int_##n(void *a) { asm volatile("int $" #n); }
INTS(INT_PROBE)
static void u_int_4f(void) { asm volatile("int $0x4f"); }

/* lar, lsl, verr, verw: whether the instruction accepted the selector. */
static int
zf_of(int which, uint16_t sel)
{
	uint32_t v = 0;
	uint8_t zf;

	switch (which) {
	case 0: asm volatile("larl %w2, %0; setz %1" : "+r" (v), "=q" (zf) : "r" (sel)); break;
	case 1: asm volatile("lsll %w2, %0; setz %1" : "+r" (v), "=q" (zf) : "r" (sel)); break;
	case 2: asm volatile("verr %w1; setz %0" : "=q" (zf) : "r" (sel)); break;
	default: asm volatile("verw %w1; setz %0" : "=q" (zf) : "r" (sel)); break;
	}
	return zf;
}

/* Put the data segments back after probes that loaded them. */
static void
reload_data(void)
{
	asm volatile("movw %w0, %%ds; movw %w0, %%es; movw %w0, %%ss; "
		     "movw %w1, %%fs; movw %w1, %%gs" : : "r" (KDATA), "r" (0));
}

/* ------------------------------------------------------------------------
 * Selectors the guest's GDT does not hold: past its limit, in the slots
 * the monitor keeps for itself, in a descriptor the limit cuts in half.
 * ------------------------------------------------------------------------ */

static void
check_beyond_limit(void)
{
	static const char *const names[4] = { "lar", "lsl", "verr", "verw" };
	static const uint16_t sels[] = { BEYOND, MON_CS, MON_DS, MON_TSS };
	int i, w, bad = 0;

	expect_fault("ds-beyond-gdt", load_ds, (void *) BEYOND, 13, BEYOND);
	expect_fault("es-beyond-gdt", load_es, (void *) (BEYOND | 3), 13, BEYOND);
	expect_fault("ss-beyond-gdt", load_ss, (void *) BEYOND, 13, BEYOND);
	expect_fault("ds-monitor-code", load_ds, (void *) MON_CS, 13, MON_CS);
	expect_fault("ss-monitor-data", load_ss, (void *) MON_DS, 13, MON_DS);
	expect_fault("fs-monitor-data-rpl1", load_fs, (void *) (MON_DS | 1), 13,
		     MON_DS);
	expect_fault("gs-monitor-tss", load_gs, (void *) MON_TSS, 13, MON_TSS);
	expect_fault("ljmp-monitor-code", ljmp_ffc0, 0, 13, MON_CS);
	expect_fault("lcall-monitor-code", lcall_ffc0, 0, 13, MON_CS);
	expect_fault("ltr-monitor-tss", do_ltr, (void *) MON_TSS, 13, MON_TSS);
	expect_fault("lldt-monitor-data", do_lldt, (void *) MON_DS, 13, MON_DS);
	usel = MON_DS | 3;
	expect_user_fault("user-ds-monitor-data", u_load_ds, 13, MON_DS);
	reload_data();
	for (i = 0; i < 4; i++)
		for (w = 0; w < 4; w++)
			if (zf_of(w, sels[i])) {
				gprintf("hostile: %s accepted %x\n", names[w],
					sels[i]);
				bad++;
			}
	gresult("lar-lsl-verr-verw-beyond-gdt", bad == 0, "%d accepted", bad);

	/* The last descriptor cut in half by the limit. */
	hgdt[HNGDT - 1] = desc(0, 0xfffff, 0x92, 0xc);
	hload_gdt(HNGDT * 8 - 4);
	expect_fault("ds-half-descriptor", load_ds, (void *) ((HNGDT - 1) * 8),
		     13, (HNGDT - 1) * 8);
	gresult("lar-half-descriptor", !zf_of(0, (HNGDT - 1) * 8), "accepted");
	hload_gdt(sizeof(hgdt));
	expect_no_fault("ds-whole-descriptor", load_ds, (void *) ((HNGDT - 1) * 8));
	reload_data();
	hgdt[HNGDT - 1] = 0;
}

/* ------------------------------------------------------------------------
 * The segment registers that do not exist: mov's reg field 6 and 7 name
 * none, and CS is loaded only by far transfers.  Each is #UD, from the
 * kernel and from user mode, whatever the source register holds.
 * ------------------------------------------------------------------------ */

static void mov_to_sreg6(void *a) { asm volatile(".byte 0x8e, 0xf0" : : "a" (KDATA)); }
static void mov_to_sreg7(void *a) { asm volatile(".byte 0x8e, 0xf8" : : "a" (KDATA)); }
static void mov_to_cs(void *a) { asm volatile(".byte 0x8e, 0xc8" : : "a" (KCODE)); }
static void mov_from_sreg6(void *a) { asm volatile(".byte 0x8c, 0xf0" : : : "eax"); }
static void mov_from_sreg7_mem(void *a) { asm volatile(".byte 0x8c, 0x38" : : "a" (&dt_ran) : "memory"); }
static void u_mov_to_sreg6(void) { asm volatile(".byte 0x8e, 0xf0" : : "a" (UDATA | 3)); }
static void u_mov_to_cs(void) { asm volatile(".byte 0x8e, 0xc8" : : "a" (UCODE | 3)); }

static void
check_reserved_sregs(void)
{
	expect_fault("mov-to-sreg6", mov_to_sreg6, 0, 6, 0);
	expect_fault("mov-to-sreg7", mov_to_sreg7, 0, 6, 0);
	expect_fault("mov-to-cs", mov_to_cs, 0, 6, 0);
	expect_fault("mov-from-sreg6", mov_from_sreg6, 0, 6, 0);
	expect_fault("mov-from-sreg7-to-memory", mov_from_sreg7_mem, 0, 6, 0);
	expect_user_fault("user-mov-to-sreg6", u_mov_to_sreg6, 6, 0);
	expect_user_fault("user-mov-to-cs", u_mov_to_cs, 6, 0);
	reload_data();
}

/* ------------------------------------------------------------------------
 * Privilege: DPL and RPL against CPL, and conforming code.
 * ------------------------------------------------------------------------ */

static void
check_privilege(void)
{
	usel = KDATA;
	expect_user_fault("user-ds-kernel-data", u_load_ds, 13, KDATA);
	usel = KDATA;
	expect_user_fault("user-ss-kernel-data", u_load_ss, 13, KDATA);
	usel = KCODE;
	expect_user_fault("user-ds-kernel-code", u_load_ds, 13, KCODE);
	usel = UDATA;		/* RPL 0 of a DPL 3 segment: allowed */
	expect_user_no_fault("user-ds-rpl0", u_load_ds);
	expect_fault("ss-user-data", load_ss, (void *) UDATA, 13, UDATA);
	expect_fault("ss-user-data-rpl3", load_ss, (void *) (UDATA | 3), 13,
		     UDATA);
	expect_fault("ss-code", load_ss, (void *) KCODE, 13, KCODE);
	reload_data();
	dt_far = (struct farptr) { (uint32_t) gate_target0, KCODE };
	expect_user_fault("user-lcall-kernel-code", u_lcall, 13, KCODE);
	expect_user_fault("user-ljmp-kernel-code", u_ljmp, 13, KCODE);

	/* Conforming code runs at the caller's ring: user mode stays user. */
	hgdt[CONF0 >> 3] = desc(0, 0xfffff, 0x9e, 0xc);
	hload_gdt(sizeof(hgdt));
	dt_far = (struct farptr) { (uint32_t) conf_target, CONF0 };
	dt_ran = dt_cs = 0;
	expect_user_no_fault("user-lcall-conforming", u_lcall);
	gresult("user-conforming-ring", dt_ran == 1 && (dt_cs & 3) == 3, "ran %u, "
		"%%cs %x", dt_ran, dt_cs);
	dt_far.off = (uint32_t) conf_cli;
	expect_user_fault("user-conforming-cli", u_lcall, 13, 0);
	dt_far.off = (uint32_t) conf_target;
	dt_ran = 0;
	expect_no_fault("kernel-lcall-conforming", lcall_far, 0);
	gcheck("kernel-conforming-ran", dt_ran == 1, dt_ran, 1);
	/* Conforming code of a less privileged ring is not for the kernel. */
	hgdt[CONF3 >> 3] = desc(0, 0xfffff, 0xfe, 0xc);
	hload_gdt(sizeof(hgdt));
	dt_far = (struct farptr) { (uint32_t) conf_target, CONF3 };
	expect_fault("kernel-lcall-conforming-user", lcall_far, 0, 13, CONF3);
}

/* ------------------------------------------------------------------------
 * Call gates, and where they lead.
 * ------------------------------------------------------------------------ */

/* The gate at GATE: to sel:off, access byte access; called from ring 3. */
static void
user_gate_fault(const char *name, uint16_t sel, uint32_t off, uint8_t access,
		int vector, uint32_t err)
{
	hgdt[GATE >> 3] = hgate(off, sel, access);
	hload_gdt(sizeof(hgdt));
	dt_far = (struct farptr) { 0, GATE | 3 };
	expect_user_fault(name, u_lcall, vector, err);
}

static void
check_call_gates(void)
{
	uint32_t t0 = (uint32_t) gate_target0;

	hgdt[NPCODE >> 3] = desc(0, 0xfffff, 0x1a, 0xc);
	dt_ran = 0;
	user_gate_fault("gate-to-ring0", KCODE, t0, 0xec, -1, 0);
	gcheck("gate-to-ring0-ran", dt_ran == 1, dt_ran, 1);
	user_gate_fault("gate-to-ring3", UCODE | 3, (uint32_t) gate_target3,
			0xec, -1, 0);
	user_gate_fault("gate-to-null", 0, t0, 0xec, 13, 0);
	user_gate_fault("gate-beyond-gdt", BEYOND, t0, 0xec, 13, BEYOND);
	user_gate_fault("gate-to-monitor-code", MON_CS, t0, 0xec, 13, MON_CS);
	user_gate_fault("gate-to-data", KDATA, t0, 0xec, 13, KDATA);
	user_gate_fault("gate-to-absent-code", NPCODE, t0, 0xec, 11, NPCODE);
	user_gate_fault("gate-dpl0-from-user", KCODE, t0, 0x8c, 13, GATE);
	user_gate_fault("gate-not-present", KCODE, t0, 0x6c, 11, GATE);
	hgdt[GATE >> 3] = hgate(t0, KCODE, 0xec);
	hload_gdt(sizeof(hgdt));
	dt_far = (struct farptr) { 0, GATE | 3 };
	expect_user_fault("jmp-gate-inward", u_ljmp, 13, KCODE);
	/*
	 * The inner stack the TSS names must be a stack of the gate's ring.
	 * Ring 2's, so that the #TS itself still reaches ring 0 on a good
	 * stack (TSS words 5 and 6: esp2, ss2).
	 */
	hgdt[R2CODE >> 3] = desc(0, 0xfffff, 0xda, 0xc);
	hgdt[R2DATA >> 3] = desc(0, 0xfffff, 0xd2, 0xc);
	hload_gdt(sizeof(hgdt));
	htss[5] = (uint32_t) r2stack + sizeof(r2stack);
	htss[6] = R2DATA | 2;
	dt_ran = 0;
	user_gate_fault("gate-to-ring2", R2CODE, (uint32_t) gate_target3, 0xec,
			-1, 0);
	gcheck("gate-to-ring2-ran", dt_ran == 1, dt_ran, 1);
	htss[6] = 0;
	user_gate_fault("gate-tss-null-ss", R2CODE, (uint32_t) gate_target3,
			0xec, 10, 0);
	htss[6] = KCODE;
	user_gate_fault("gate-tss-code-ss", R2CODE, (uint32_t) gate_target3,
			0xec, 10, KCODE);
	htss[6] = KDATA;
	user_gate_fault("gate-tss-ring0-ss", R2CODE, (uint32_t) gate_target3,
			0xec, 10, KDATA);
	htss[5] = htss[6] = 0;
	hgdt[GATE >> 3] = 0;
}

/* ------------------------------------------------------------------------
 * The IDT: gates of every type, and gates that are not gates.
 * ------------------------------------------------------------------------ */

static void
check_odd_gates(void)
{
	static const struct {
		const char *name;
		uint8_t access;
	} bad[] = {
		{ "idt-type-0", 0x80 }, { "idt-16bit-tss", 0x81 },
		{ "idt-ldt", 0x82 }, { "idt-16bit-busy-tss", 0x83 },
		{ "idt-16bit-call-gate", 0x84 }, { "idt-type-8", 0x88 },
		{ "idt-32bit-tss", 0x89 }, { "idt-type-a", 0x8a },
		{ "idt-32bit-busy-tss", 0x8b }, { "idt-32bit-call-gate", 0x8c },
		{ "idt-type-d", 0x8d }, { "idt-code-segment", 0x9a },
		{ "idt-data-segment", 0x92 },
	};
	static void (*const probes[])(void *) = {
#define INT_NAME(n) int_##n,
		INTS(INT_NAME)
	};
	static const uint8_t vecs[] = {
#define INT_VEC(n) n,
		INTS(INT_VEC)
	};
	uint32_t stub = gtry_stubs[3];
	unsigned i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		hidt[vecs[i]] = hgate(stub, KCODE, bad[i].access);
		expect_fault(bad[i].name, probes[i], 0, 13, vecs[i] * 8 + 2);
		hidt[vecs[i]] = 0;
	}
	/* The gate's selector names what the guest's GDT lacks. */
	hidt[0x4e] = hgate(stub, MON_CS, 0x8e);
	expect_fault("idt-gate-to-monitor-code", int_0x4e, 0, 13, MON_CS);
	hidt[0x4e] = hgate(stub, 0x0c, 0x8e);	/* LDT slot 1: empty */
	expect_fault("idt-gate-to-ldt", int_0x4e, 0, 13, 0x0c);
	/* A DPL 0 gate from user mode, present or not: DPL comes first. */
	hidt[0x4f] = hgate(stub, KCODE, 0x8e);
	expect_user_fault("idt-dpl0-from-user", u_int_4f, 13, 0x4f * 8 + 2);
	hidt[0x4f] = hgate(stub, KCODE, 0x0e);
	expect_user_fault("idt-dpl0-absent-from-user", u_int_4f, 13,
			  0x4f * 8 + 2);
	hidt[0x4e] = hidt[0x4f] = 0;
}

/* Task gates in the IDT that lead to no free TSS. */
static void
check_task_gates(void)
{
	hidt[0x48] = hgate(0, KDATA, 0x85);
	expect_fault("task-gate-to-data", int_0x48, 0, 13, KDATA);
	hidt[0x48] = hgate(0, BEYOND, 0x85);
	expect_fault("task-gate-beyond-gdt", int_0x48, 0, 13, BEYOND);
	hidt[0x48] = hgate(0, MON_TSS, 0x85);
	expect_fault("task-gate-to-monitor-tss", int_0x48, 0, 13, MON_TSS);
	hidt[0x48] = hgate(0, KTSS, 0x85);	/* our own: busy */
	expect_fault("task-gate-to-busy-tss", int_0x48, 0, 13, KTSS);
	hidt[0x48] = 0;
}

/* One 16-bit gate at vector 0x46, with access byte access: IF as the
 * CPU leaves it inside. */
static void
check_16bit_gate(const char *name, uint8_t access, uint32_t want_if)
{
	uint32_t ip = (uint32_t) low_back - IMAGE, flags, sp;
	int v;

	i16_ip = i16_cs = i16_flags = i16_esp = i16_esp0 = 0;
	i16_if = 0xdead;
	hidt[0x46] = hgate((uint32_t) h16 - IMAGE, LOWCODE, access);
	dt_far = (struct farptr) { (uint32_t) low_int - IMAGE, LOWCODE };
	asm volatile("sti");
	v = gtry((void (*)(void *)) lcall_far, 0, 0);
	asm volatile("cli");
	flags = i16_flags0 & 0xffff;
	sp = i16_esp0 - i16_esp;
	gresult(name, v == -1 && i16_ip == ip && i16_cs == LOWCODE &&
		i16_flags == flags && sp == 6 && i16_if == want_if,
		"vector %d; frame ip %x cs %x flags %x, %u bytes, IF %x inside; "
		"want ip %x cs %x flags %x, 6 bytes, IF %x", v, i16_ip, i16_cs,
		i16_flags, sp, i16_if, ip, LOWCODE, flags, want_if);
	hidt[0x46] = 0;
}

static void
check_16bit_gates(void)
{
	if ((uint32_t) h16 - IMAGE > 0xffff) {
		gresult("idt-16bit-gates", 0, "the handler is past 64 KB");
		return;
	}
	hgdt[LOWCODE >> 3] = desc(IMAGE, 0xffff, 0x9a, 0x4);
	hload_gdt(sizeof(hgdt));
	check_16bit_gate("idt-16bit-interrupt-gate", 0x86, 0);
	check_16bit_gate("idt-16bit-trap-gate", 0x87, 0x200);
}

/* ------------------------------------------------------------------------
 * Tables that run past the end of RAM: their entries there read as zeros.
 * ------------------------------------------------------------------------ */

static void
check_tables_past_ram(void)
{
	uint64_t *t = (uint64_t *) (ram_end - 64 * 8);
	int i;

	for (i = 0; i < 64; i++)
		t[i] = hidt[i];
	hload_idt(t, HNIDT * 8);
	expect_fault("idt-past-ram", int_0x4c, 0, 13, 0x4c * 8 + 2);
	hload_idt(hidt, sizeof(hidt));

	t = (uint64_t *) (ram_end - 8 * 8);
	for (i = 0; i < 8; i++)
		t[i] = hgdt[i];
	{
		struct pseudodesc gd = { 0xffff, (uint32_t) t };

		asm volatile("lgdt %0" : : "m" (gd) : "memory");
	}
	expect_fault("gdt-past-ram", load_ds, (void *) 0x48, 13, 0x48);
	expect_no_fault("gdt-near-ram-end", load_ds, (void *) KDATA);
	hload_gdt(sizeof(hgdt));
}

void
area_tables(void)
{
	check_beyond_limit();
	check_reserved_sregs();
	check_privilege();
	check_call_gates();
	check_odd_gates();
	check_task_gates();
	check_16bit_gates();
	check_tables_past_ram();
	hreset_tables();
}

/* ------------------------------------------------------------------------
 * Descriptors a shadow GDT cannot give the CPU as they are, and uses of
 * the tables a shadow made at lgdt does not follow.
 * ------------------------------------------------------------------------ */

#define HIGH		0xfe000000u	/* above the monitor: xv6's devices */
#define INMON		(MONBASE + 0x3ff000)

/* Load SEG = d into %fs and read the word at %fs:off. */
static uint32_t
read_through(uint64_t d, uint32_t off)
{
	uint32_t v;

	hgdt[SEG >> 3] = d;
	hload_gdt(sizeof(hgdt));
	asm volatile("movw %w1, %%fs; movl %%fs:(%2), %0; movw %w3, %%fs"
		     : "=&r" (v) : "r" (SEG), "r" (off), "r" (0));
	return v;
}

/* The word at %fs:0 with %fs = sel, as it stands in the tables. */
static uint32_t
read_sel(uint16_t sel)
{
	uint32_t v;

	asm volatile("movw %w1, %%fs; movl %%fs:0, %0; movw %w2, %%fs"
		     : "=&r" (v) : "r" (sel), "r" (0));
	return v;
}

static void
lgdt_unmapped(void *a)
{
	struct pseudodesc gd = { 0x7f, 0x70000000 };
	struct pseudodesc back = { sizeof(hgdt) - 1, (uint32_t) hgdt };

	asm volatile("lgdt %0; lgdt %1" : : "m" (gd), "m" (back) : "memory");
}

/* A GDT of null descriptors, in FRAME(7). */
static void
lgdt_elsewhere(void *a)
{
	struct pseudodesc gd = { 0x7f, FRAME(7) };
	struct pseudodesc back = { sizeof(hgdt) - 1, (uint32_t) hgdt };

	/* The segment registers keep what they loaded before: nothing here
	 * reloads one until the GDT is back. */
	asm volatile("lgdt %0; nop; lgdt %1" : : "m" (gd), "m" (back) : "memory");
}

static void
seg_lgdt_unmapped(void)
{
	expect_no_fault("lgdt-unmapped-base", lgdt_unmapped, 0);
}

static void
seg_gdt_moved(void)
{
	int i;

	for (i = 0; i < 16; i++)
		((uint64_t *) FRAME(7))[i] = 0;
	expect_no_fault("gdt-moved-under-selectors", lgdt_elsewhere, 0);
}

static void
seg_base_above(void)
{
	uint32_t v = read_through(desc(HIGH, 0xfff, 0x92, 0x4), 0);

	gcheck("data-base-above-monitor", v == MAGIC(FRAME(1)), v, MAGIC(FRAME(1)));
}

static void
seg_base_in(void)
{
	uint32_t v = read_through(desc(INMON, 0xfff, 0x92, 0x4), 0);

	gcheck("data-base-in-monitor", v == MAGIC(FRAME(2)), v, MAGIC(FRAME(2)));
}

/* Expand-down: the offsets above the limit, here [64 KB, 4 GB). */
static void
seg_expand_down(void)
{
	uint32_t v = read_through(desc(0, 0xffff, 0x96, 0x4), FRAME(3));

	gcheck("expand-down-data", v == MAGIC(FRAME(3)), v, MAGIC(FRAME(3)));
}

/*
 * An expand-down stack: SS loaded with one, then a push, a call, and an
 * int whose frame the CPU pushes there (ring 0 to ring 0, no stack
 * switch) and whose handler's iret pops it.  What was pushed comes back.
 */
#define V_STACK_IRET	0x49
uint32_t ed_got, ed_ret;
asm(".text\n"
    "ed_handler:\n"
    "	iret\n"
    "ed_stack_run:\n"			/* %ecx: the selector, %ebx: the top */
    "	pushl	%esi\n"
    "	pushl	%edi\n"
    "	movl	%esp, %esi\n"
    "	movw	%ss, %di\n"
    "	movw	%cx, %ss\n"
    "	movl	%ebx, %esp\n"
    "	pushl	$0x5ad00000\n"		/* MAGIC(0): a word to pop back */
    "	call	1f\n"
    "ed_return:\n"
    "1:	popl	ed_ret\n"
    "	int	$0x49\n"
    "	popl	ed_got\n"
    "	movw	%di, %ss\n"
    "	movl	%esi, %esp\n"
    "	popl	%edi\n"
    "	popl	%esi\n"
    "	ret\n");
extern char ed_handler[], ed_return[];

static void
stack_expand_down(void *a)
{
	(void) a;
	asm volatile("call ed_stack_run" : : "c" (SEG), "b" (FRAME(3) + PGSIZE)
		     : "eax", "edx", "memory");
}

static void
seg_expand_down_stack(void)
{
	hgdt[SEG >> 3] = desc(0, 0xffff, 0x96, 0x4);
	hload_gdt(sizeof(hgdt));
	hidt[V_STACK_IRET] = hgate((uint32_t) ed_handler, KCODE, 0x8e);
	ed_got = ed_ret = 0;
	expect_no_fault("expand-down-stack", stack_expand_down, 0);
	hidt[V_STACK_IRET] = 0;
	gcheck("expand-down-stack-pop", ed_got == MAGIC(0), ed_got, MAGIC(0));
	gcheck("expand-down-stack-call", ed_ret == (uint32_t) ed_return, ed_ret,
	       (uint32_t) ed_return);
}

/* A descriptor written after lgdt, then loaded: the CPU reads it from
 * memory at the load. */
static void
seg_written_after_lgdt(void)
{
	uint32_t v;

	hgdt[SEG >> 3] = desc(FRAME(4), 0xfff, 0x92, 0x4);
	v = read_sel(SEG);
	gcheck("descriptor-written-after-lgdt", v == MAGIC(FRAME(4)), v,
	       MAGIC(FRAME(4)));
}

static void
seg_ldt_data(void)
{
	uint64_t *ldt = (uint64_t *) FRAME(5);
	uint32_t v;

	ldt[0] = 0;
	ldt[1] = desc(FRAME(6), 0xfff, 0x92, 0x4);
	hgdt[SEG >> 3] = desc(FRAME(5), 15, 0x82, 0);
	hload_gdt(sizeof(hgdt));
	asm volatile("lldt %w0" : : "r" (SEG));
	v = read_sel(0x0c);
	asm volatile("lldt %w0" : : "r" (KLDT));
	gcheck("ldt-data-segment", v == MAGIC(FRAME(6)), v, MAGIC(FRAME(6)));
}

/* Readable user code in a data segment register, still loaded when user
 * mode traps into the kernel. */
static void
seg_user_code_in_ds(void)
{
	usel = UCODE | 3;
	expect_user_no_fault("user-ds-user-code", u_load_ds);
	reload_data();
}

/* One run each (grade/hostile.c): an attempt te cannot follow ends it. */
static const struct {
	const char *name;
	void (*run)(void);
} seg_attempts[] = {
	{ "lgdt-unmapped", seg_lgdt_unmapped },
	{ "base-above", seg_base_above },
	{ "base-in", seg_base_in },
	{ "expand-down", seg_expand_down },
	{ "expand-down-stack", seg_expand_down_stack },
	{ "written-after-lgdt", seg_written_after_lgdt },
	{ "ldt-data", seg_ldt_data },
	{ "gdt-moved", seg_gdt_moved },
	{ "user-code-in-ds", seg_user_code_in_ds },
};
#define NSEG	(sizeof(seg_attempts) / sizeof(seg_attempts[0]))

/* Run the attempts named @p name ("" for all), on the address space they
 * expect; the number run. */
static int
run_segments(const char *name)
{
	unsigned i;
	int n = 0;

	paging_on();
	fill_frames(FRAME(0), 8);
	map(HIGH, FRAME(1), PTE_P | PTE_W);
	map(INMON, FRAME(2), PTE_P | PTE_W);
	for (i = 0; i < NSEG; i++) {
		if (name[0] && !hstreq(name, seg_attempts[i].name))
			continue;
		seg_attempts[i].run();
		n++;
	}
	paging_off();
	hreset_tables();
	return n;
}

void
area_segments(void)
{
	run_segments("");
}

int
area_segment(const char *name)
{
	return run_segments(name);
}
