/*
 * fuzz.c - a guest kernel that runs random kernel code and says, case by
 * case, how it ended.
 *
 * Given "seed=S count=C" on its command line it runs the C cases whose
 * seeds are S, S+1, ...  Each case's code and starting state come from
 * its seed alone (fuzzgen.c); before it runs, the guest puts back every
 * part of the machine a case may have changed - descriptor tables and
 * their registers, TSSs, page tables, control and debug registers, MSRs,
 * the devices it touched, memory - so a case gives the same result first
 * in a run or thousandth, and can be run on its own.  After it, one line:
 *
 *	fz SEED HOW HASH PARTS
 *
 * HOW is "done" (it reached its end), "done3" (at ring 3), or the vector
 * raised, its error code if it had one and where: "v14:0002@00400013".
 * HASH covers the architectural state the case left that deprivileging
 * does not change: the registers (CS and SS without their RPL), EFLAGS,
 * the data segment selectors, CR0, CR2, CR3, CR4, the debug registers,
 * the fault's frame, the scratch page, the stack above ESP, the frames,
 * the fuzz page-table entries (their A and D bits too), the GDT (busy
 * TSSs), and the MSRs and the port it touched.  PARTS has a hex digit
 * per part of that state (hash_parts), so that when two lines differ
 * they say roughly where.  Natively and under a monitor the lines must
 * be the same; grade/fuzz.c compares them.
 * With "dump=1" each case also prints its bytes and the state itself;
 * "skip=HEX" leaves cases out: hex digit k, bit b is case S + 4k + b.
 */
#include "grade/guests/fuzz.h"

/* reset_segments() loads them with gload_tables(), which uses guest.h's. */
_Static_assert(SEL_KCODE == KCODE && SEL_KDATA == KDATA &&
	       SEL_KTSS == KTSS && SEL_KLDT == KLDT,
	       "the fuzz guest's first selectors are every guest's");

#define CR0_PE	0x00000001
#define CR0_ET	0x00000010
#define CR0_PG	0x80000000
#define FL_IF	0x00000200

/* The descriptor tables: built once (setup_tables), put back per case. */
static uint64_t gdt[FZ_GDT_SLOTS] __attribute__((aligned(8)));
static uint64_t gdt_copy[FZ_GDT_SLOTS] __attribute__((aligned(8)));
static uint64_t gdt_init[FZ_GDT_SLOTS];
static uint64_t ldt[2] __attribute__((aligned(8)));
static uint64_t idt[FZ_IDT_VECS] __attribute__((aligned(8)));
static uint64_t idt_alt[FZ_IDT_ALT_VECS] __attribute__((aligned(8)));
static uint32_t tss[26] __attribute__((aligned(8)));
static uint32_t tss2[26] __attribute__((aligned(8)));

/* A few bytes of code run with fz_enter, for what may fault (MSRs).  A
 * page of its own: QEMU's TCG makes every write to a page it has
 * translated code from a slow one, and this would share one with the
 * stack and the TSSs (it made a case ten times slower). */
static uint8_t snippet[4096] __attribute__((aligned(4096)));

static uint32_t cpuid1_edx;
static int dump;

/* ------------------------------------------------------------------------
 * Privileged helpers
 * ------------------------------------------------------------------------ */

static inline uint32_t rcr0(void) { uint32_t v; asm volatile("movl %%cr0, %0" : "=r" (v)); return v; }
static inline uint32_t rcr2(void) { uint32_t v; asm volatile("movl %%cr2, %0" : "=r" (v)); return v; }
static inline uint32_t rcr3(void) { uint32_t v; asm volatile("movl %%cr3, %0" : "=r" (v)); return v; }
static inline uint32_t rcr4(void) { uint32_t v; asm volatile("movl %%cr4, %0" : "=r" (v)); return v; }
static inline void lcr0(uint32_t v) { asm volatile("movl %0, %%cr0" : : "r" (v) : "memory"); }
static inline void lcr2(uint32_t v) { asm volatile("movl %0, %%cr2" : : "r" (v)); }
static inline void lcr3(uint32_t v) { asm volatile("movl %0, %%cr3" : : "r" (v) : "memory"); }
static inline void lcr4(uint32_t v) { asm volatile("movl %0, %%cr4" : : "r" (v) : "memory"); }
static inline void invlpg(uint32_t va) { asm volatile("invlpg (%0)" : : "r" (va) : "memory"); }

static void
set_debug_regs(void)
{
	uint32_t z = 0, dr6 = 0xffff0ff0, dr7 = 0x400;

	asm volatile("movl %0, %%dr7\n\t"
		     "movl %1, %%dr0\n\tmovl %1, %%dr1\n\t"
		     "movl %1, %%dr2\n\tmovl %1, %%dr3\n\t"
		     "movl %2, %%dr6" : : "r" (dr7), "r" (z), "r" (dr6));
}

/*
 * The MSRs a case may write (fuzzgen.c, g_msr) and the value put back
 * before a case that touches MSRs: the SYSENTER MSRs, PAT (its power-on
 * value), the microcode signature.  All of them, whatever CPUID says: QEMU takes writes to
 * MSRs its CPU model does not announce, and a value left behind would
 * reach the next case.  After a case, the ones it wrote are read back
 * into the hash.
 */
const uint32_t fz_msrs[FZ_NMSRS] = { 0x174, 0x175, 0x176, 0x277, 0x8b };
static const uint64_t msr_reset[FZ_NMSRS] = { 0, 0, 0, 0x0007040600070406ull, 0 };
#define NMSRS	FZ_NMSRS

/* Run snippet[] (which ends in a jump to fz_done) on the case stack; a
 * fault ends it as it would a case.  Returns the vector, or FZ_DONE. */
static uint32_t
run_snippet(uint8_t *end)
{
	end[0] = 0xe9;
	*(uint32_t *) (end + 1) = (uint32_t) fz_done - (uint32_t) (end + 5);
	fz_in = (struct fzregs) {
		.gpr = { [4] = FZ_ESP0 }, .eflags = 0x2, .eip = (uint32_t) snippet,
		.ds = SEL_KDATA, .es = SEL_KDATA, .fs = SEL_KDATA, .gs = SEL_KDATA,
	};
	fz_in.gpr[0] = fz_out.gpr[0];
	fz_in.gpr[1] = fz_out.gpr[1];
	fz_in.gpr[2] = fz_out.gpr[2];
	fz_enter();
	return fz_out.vec;
}

/* rdmsr or wrmsr that may fault: ecx, edx:eax through fz_out's slots. */
static uint32_t
msr_op(int write, uint32_t msr, uint64_t *val)
{
	uint8_t *p = snippet;
	uint32_t vec;

	fz_out.gpr[0] = *val;
	fz_out.gpr[1] = msr;
	fz_out.gpr[2] = *val >> 32;
	*p++ = 0x0f;
	*p++ = write ? 0x30 : 0x32;
	vec = run_snippet(p);
	*val = (uint64_t) fz_out.gpr[2] << 32 | fz_out.gpr[0];
	return vec;
}

static void
restore_msrs(void)
{
	uint64_t v;
	unsigned i;

	for (i = 0; i < NMSRS; i++) {
		v = msr_reset[i];
		msr_op(1, fz_msrs[i], &v);
	}
}

/* ------------------------------------------------------------------------
 * The machine, once: tables, TSSs, page tables, the 8259s
 * ------------------------------------------------------------------------ */

static uint64_t
gate_desc(uint32_t off, uint32_t sel, uint32_t access)
{
	return (off & 0xffff) | (uint64_t) sel << 16 | (uint64_t) access << 40 |
		(uint64_t) (off >> 16) << 48;
}

/* Present interrupt gate, DPL 0, 32-bit. */
#define GATE_INT	0x8e
#define GATE_TRAP	0x8f

static void
setup_gdt(void)
{
	uint64_t *g = gdt_init;
	uint32_t b16 = (uint32_t) fz_gate16 & 0xffff0000;

	g[0] = 0;
	g[SEL_KCODE >> 3] = desc(0, 0xfffff, 0x9b, 0xc);
	g[SEL_KDATA >> 3] = desc(0, 0xfffff, 0x93, 0xc);
	g[SEL_KTSS >> 3] = desc((uint32_t) tss, sizeof(tss) - 1, 0x89, 0);
	g[SEL_KLDT >> 3] = desc((uint32_t) ldt, sizeof(ldt) - 1, 0x82, 0);
	g[SEL_KCODE2 >> 3] = desc(0, 0xfffff, 0x9b, 0xc);
	g[SEL_KCONF >> 3] = desc(0, 0xfffff, 0x9f, 0xc);
	g[SEL_UCODE >> 3] = desc(0, 0xfffff, 0xfb, 0xc);
	g[SEL_UDATA >> 3] = desc(0, 0xfffff, 0xf3, 0xc);
	g[SEL_DATA1 >> 3] = desc(0, 0xfffff, 0xb3, 0xc);
	g[SEL_DATA2 >> 3] = desc(0, 0xfffff, 0xd3, 0xc);
	g[SEL_DATAB >> 3] = desc(0x1000, 0xfffff, 0x93, 0xc);
	g[SEL_DATARO >> 3] = desc(0, 0xfffff, 0x91, 0xc);
	g[SEL_DATANP >> 3] = desc(0, 0xfffff, 0x13, 0xc);
	g[SEL_CODEXO >> 3] = desc(0, 0xfffff, 0x99, 0xc);
	g[SEL_DATAED >> 3] = desc(0, 0, 0x97, 0xc);
	g[SEL_KTSS2 >> 3] = desc((uint32_t) tss2, sizeof(tss2) - 1, 0x89, 0);
	g[SEL_TSSNP >> 3] = desc((uint32_t) tss2, sizeof(tss2) - 1, 0x09, 0);
	g[SEL_CODE1 >> 3] = desc(0, 0xfffff, 0xbb, 0xc);
	g[SEL_CODENP >> 3] = desc(0, 0xfffff, 0x1b, 0xc);
	g[SEL_CALLG >> 3] = gate_desc((uint32_t) fz_lret_stub, SEL_KCODE, 0x8c);
	g[SEL_DATA16 >> 3] = desc(0, 0xfffff, 0x93, 0x8);
	g[SEL_CODE16B >> 3] = desc(b16, 0xfffff - (b16 >> 12), 0x9b, 0xc);
	ldt[0] = desc(0, 0xfffff, 0x93, 0xc);
	ldt[1] = desc(0, 0xfffff, 0xf3, 0xc);
}

/* The vector's gate in the main IDT: fuzz.h says what each one is. */
static uint64_t
idt_gate(int v)
{
	uint32_t h = fz_vectors[v];

	if (v == V_TIMER)
		return gate_desc((uint32_t) fz_timer, SEL_KCODE, GATE_INT);
	if (v >= V_RET0 && v <= V_RETUSER)
		return gate_desc(fz_ret_handlers[v - V_RET0], SEL_KCODE,
				 v == V_RETTRAP ? GATE_TRAP : v == V_RETUSER ? 0xee : GATE_INT);
	switch (v) {
	case V_NOTPRESENT:	return gate_desc(h, SEL_KCODE, 0x0e);
	case V_TOUSER:		return gate_desc(h, SEL_UCODE, GATE_INT);
	case V_TASK:		return gate_desc(0, SEL_KTSS, 0x85);
	case V_GATE16:		return gate_desc((uint32_t) fz_gate16 & 0xffff, SEL_CODE16B, 0x86);
	case V_NULLSEL:		return gate_desc(h, 0, GATE_INT);
	case V_CODENP:		return gate_desc(h, SEL_CODENP, GATE_INT);
	case V_DATASEL:		return gate_desc(h, SEL_KDATA, GATE_INT);
	case V_TOCODE1:		return gate_desc(h, SEL_CODE1, GATE_INT);
	case V_USERDONE:	return gate_desc(h, SEL_KCODE, 0xee);
	}
	return gate_desc(h, SEL_KCODE, GATE_INT);
}

static void
setup_idts(void)
{
	int v;

	for (v = 0; v < FZ_IDT_VECS; v++)
		idt[v] = idt_gate(v);
	/* The other IDT: shorter, and #UD's gate missing (so a #UD becomes
	 * #NP), #DB's a trap gate. */
	for (v = 0; v < FZ_IDT_ALT_VECS; v++)
		idt_alt[v] = idt[v];
	idt_alt[6] = gate_desc(fz_vectors[6], SEL_KCODE, 0x0e);
	idt_alt[1] = gate_desc(fz_vectors[1], SEL_KCODE, GATE_TRAP);
}

static void
setup_const(void)
{
	struct pseudodesc *pd = (struct pseudodesc *) FZ_CONST;

	pd[0] = (struct pseudodesc) { sizeof(gdt) - 1, (uint32_t) gdt };
	((struct pseudodesc *) FZ_PD_GDT_SHORT)[0] =
		(struct pseudodesc) { 6 * 8 - 1, (uint32_t) gdt };
	((struct pseudodesc *) FZ_PD_GDT_COPY)[0] =
		(struct pseudodesc) { sizeof(gdt_copy) - 1, (uint32_t) gdt_copy };
	((struct pseudodesc *) FZ_PD_IDT)[0] =
		(struct pseudodesc) { sizeof(idt) - 1, (uint32_t) idt };
	((struct pseudodesc *) FZ_PD_IDT_ALT)[0] =
		(struct pseudodesc) { sizeof(idt_alt) - 1, (uint32_t) idt_alt };
}

/* The identity map and the window; the fuzz slots are each case's. */
static void
setup_paging(void)
{
	uint32_t *id0 = (uint32_t *) FZ_PT_ID0, *id1 = (uint32_t *) FZ_PT_ID1;
	uint32_t *win = (uint32_t *) FZ_PT_WIN;
	int i, t;

	for (i = 0; i < 1024; i++) {
		id0[i] = i * 0x1000 | PTE_P | PTE_W | PTE_U;
		id1[i] = (0x400000 + i * 0x1000) | PTE_P | PTE_W | PTE_U;
		win[i] = i < 4 ? (FZ_TABLES + i * 0x1000) | PTE_P | PTE_W : 0;
		for (t = 0; t < 4; t++)
			((uint32_t *) (FZ_TABLES + t * 0x1000))[i] = 0;
	}
	for (t = 0; t < 2; t++) {
		uint32_t *pd = (uint32_t *) (t ? FZ_PD_B : FZ_PD_A);

		pd[0] = FZ_PT_ID0 | PTE_P | PTE_W | PTE_U;
		pd[1] = FZ_PT_ID1 | PTE_P | PTE_W | PTE_U;
		pd[3] = FZ_PT_WIN | PTE_P | PTE_W | PTE_U;
	}
}

/* Both 8259s at vectors 0x20-0x2f, every line masked. */
static void
setup_pic(void)
{
	outb(0x20, 0x11); outb(0x21, 0x20); outb(0x21, 0x04); outb(0x21, 0x01);
	outb(0xa0, 0x11); outb(0xa1, 0x28); outb(0xa1, 0x02); outb(0xa1, 0x01);
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

static void
setup(void)
{
	uint32_t a, b, c;

	asm volatile("cpuid" : "=a" (a), "=b" (b), "=c" (c), "=d" (cpuid1_edx) : "0" (1));
	setup_gdt();
	setup_idts();
	setup_const();
	setup_paging();
	setup_pic();
}

/* ------------------------------------------------------------------------
 * Each case's start: everything put back, then the case's own state
 * ------------------------------------------------------------------------ */

/* A TSS as each case starts with it.  A task switch into it goes on at
 * eip: the case's own for SEL_KTSS2 (g_task), else fz_done, which ends
 * the case with the task's registers (with the GDT copy, whose SEL_KTSS
 * is not busy, a far call to SEL_KTSS switches into that one). */
static void
reset_tss(uint32_t *t, const struct fzcase *c, uint32_t eip)
{
	int i;

	for (i = 0; i < 26; i++)
		t[i] = 0;
	t[1] = FZ_KSTACK_TOP;		/* esp0, ss0 */
	t[2] = SEL_KDATA;
	t[7] = c->cr3;
	t[8] = eip;
	t[9] = 0x2;
	t[10] = 0x7a5c0000;		/* eax..edi: the new task's, recognisable */
	t[11] = 0x7a5c0001;
	t[12] = 0x7a5c0002;
	t[13] = 0x7a5c0003;
	t[14] = FZ_ESP0;
	t[15] = FZ_SCRATCH + 0x800;
	t[16] = 0x7a5c0006;
	t[17] = 0x7a5c0007;
	t[18] = t[20] = t[21] = t[22] = t[23] = SEL_KDATA;
	t[19] = SEL_KCODE;
	t[24] = SEL_KLDT;
	t[25] = sizeof(tss) << 16;	/* no I/O bitmap */
}

/* The GDT and LDT as built, loaded, and every segment register. */
static void
reset_segments(const struct fzcase *c)
{
	int i;

	for (i = 0; i < FZ_GDT_SLOTS; i++)
		gdt[i] = gdt_copy[i] = gdt_init[i];
	reset_tss(tss, c, (uint32_t) fz_done);
	reset_tss(tss2, c, c->task_eip ? c->task_eip : (uint32_t) fz_done);
	gload_tables(gdt, sizeof(gdt), idt, sizeof(idt));
}

/* The memory a case sees: each word from the case's fill seed. */
static void
fill(uint32_t *p, uint32_t words, uint32_t seed)
{
	struct fzrand r;
	uint32_t i;

	fzr_seed(&r, seed);
	for (i = 0; i < words; i++)
		p[i] = fzr_next(&r);
}

/* One fuzz table slot, written (through the window) only if it differs:
 * each write is a traced one under a shadow MMU. */
static void
set_entry(uint32_t table, int i, uint32_t v)
{
	volatile uint32_t *e = (uint32_t *) table + i;

	if (*e != v)
		*e = v;
}

/*
 * A case that armed the PIT may have taken its IRQ 0 through a gate of
 * its own, which sends no EOI, or left the request waiting behind the
 * mask: the 8259 would keep IRQ 0 in service, and the next case's sti;
 * hlt wait for ever, or take it at once, on bare QEMU as under the
 * monitor, as the PIT's timing fell.  So the PIT's channel 0 is stopped
 * (a mode word with no count: its output low) and both 8259s initialised
 * again, which forgets what was requested and in service: each case that
 * arms the timer starts from the same quiet PIC.
 */
static void
reset_timer_irq(void)
{
	outb(0x43, 0x30);
	setup_pic();
}

/* What the last case run touched: put back before the next, whatever
 * that one touches (an IRQ 0 left unmasked by a case that faulted before
 * its hlt would otherwise tick into the next). */
static uint32_t last_touched;

static void
reset_machine(const struct fzcase *c)
{
	uint32_t touched = c->touched | last_touched;
	int t, i;

	asm volatile("cli");
	set_debug_regs();
	lcr4(0);
	lcr0(CR0_PE | CR0_ET);		/* paging off: frames by address */
	reset_segments(c);
	fill((uint32_t *) FZ_SCRATCH, 0x1000 / 4, c->fill);
	fill((uint32_t *) FZ_STACK, 0x1000 / 4, c->fill + 1);
	fill((uint32_t *) FZ_FRAMES, FZ_NFRAMES * 0x1000 / 4, c->fill + 2);
	asm volatile("fninit");
	lcr2(0);
	if (touched & TOUCH_PORTS)
		outb(0x3ff, 0);
	if (touched & TOUCH_PIC)
		reset_timer_irq();
	if (touched & TOUCH_MSR)
		restore_msrs();
	last_touched = c->touched;

	/* The fuzz tables, with paging on as an OS writes its tables. */
	lcr3(FZ_PD_A);
	lcr0(CR0_PE | CR0_ET | CR0_PG);
	for (t = 0; t < 2; t++) {
		set_entry(t ? FZ_PD_B : FZ_PD_A, FZ_PDX, c->pde[t]);
		for (i = 0; i < FZ_NPTE; i++)
			set_entry(t ? FZ_PT_B : FZ_PT_A, i, c->pte[t][i]);
	}
	for (i = 0; i < FZ_NPTE; i++)
		invlpg(FZ_VA + i * 0x1000);

	/* The case's own paging and control bits. */
	lcr4(c->cr4);
	lcr3(c->cr3);
	lcr0(c->cr0);
}

/* ------------------------------------------------------------------------
 * The hash, and the lines
 * ------------------------------------------------------------------------ */

static uint32_t
hash_words(uint32_t h, const uint32_t *p, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x01000193u;
	return h;
}

static uint32_t
hash_word(uint32_t h, uint32_t w)
{
	return hash_words(h, &w, 1);
}

/* What the case left, by part, so a dump can say which part differs. */
struct result {
	struct fzregs r;
	uint32_t cr0, cr3, cr4;
	uint32_t msr[NMSRS][3];	/* low, how the read ended, high */
	uint32_t uart;
	uint32_t h_scratch, h_stack, h_frames, h_gdt, h_tables;
	uint32_t pde[2], pte[2][FZ_NPTE];
};

/* Read what the case left, before anything else changes it. */
static void
collect(const struct fzcase *c, struct result *res)
{
	uint32_t esp = res->r.gpr[4], n;
	uint64_t v;
	unsigned i;
	int t;

	res->cr0 = rcr0();
	res->cr3 = rcr3();
	res->cr4 = rcr4();
	asm volatile("cli");
	lcr4(0);
	lcr0(CR0_PE | CR0_ET);
	res->h_scratch = hash_words(0x811c9dc5u, (uint32_t *) FZ_SCRATCH, 0x1000 / 4);
	n = esp >= FZ_STACK && esp < FZ_STACK_TOP ? (FZ_STACK_TOP - esp) / 4 : 0;
	res->h_stack = hash_words(0x811c9dc5u, (uint32_t *) (FZ_STACK_TOP - 4 * n), n);
	res->h_frames = hash_words(0x811c9dc5u, (uint32_t *) FZ_FRAMES,
				   FZ_NFRAMES * 0x1000 / 4);
	res->h_gdt = hash_words(0x811c9dc5u, (uint32_t *) gdt, sizeof(gdt) / 4);
	for (t = 0; t < 2; t++) {
		res->pde[t] = ((uint32_t *) (t ? FZ_PD_B : FZ_PD_A))[FZ_PDX];
		for (i = 0; i < FZ_NPTE; i++)
			res->pte[t][i] = ((uint32_t *) (t ? FZ_PT_B : FZ_PT_A))[i];
	}
	res->h_tables = hash_words(hash_words(0x811c9dc5u, res->pde, 2),
				   &res->pte[0][0], 2 * FZ_NPTE);
	if (c->touched & TOUCH_PORTS)
		res->uart = inb(0x3ff);
	if (c->msr_written) {
		/* Segments first: the snippet runs on the guest's own. */
		reset_segments(c);
		for (i = 0; i < NMSRS; i++) {
			if (!(c->msr_written & 1u << i))
				continue;
			v = 0;
			res->msr[i][1] = msr_op(0, fz_msrs[i], &v);
			res->msr[i][0] = v;
			res->msr[i][2] = v >> 32;
		}
	}
}

/* The state's parts, in the order of the line's part digest. */
enum { P_GPR, P_FLAGS, P_SEGS, P_CR, P_DR, P_MEM, P_TABLES, P_OTHER, NPARTS };

/* Each part's hash (the frame's vector, error code and EIP count as
 * part of the registers). */
static void
hash_parts(const struct result *res, uint32_t part[NPARTS])
{
	const struct fzregs *r = &res->r;
	uint32_t h0 = 0x811c9dc5u;

	part[P_GPR] = hash_words(hash_words(h0, r->gpr, 8), &r->vec, 4);
	part[P_FLAGS] = hash_word(h0, r->eflags);
	part[P_SEGS] = hash_words(h0, &r->cs, 6);
	part[P_CR] = hash_word(hash_word(hash_word(hash_word(h0, res->cr0), r->cr2),
					 res->cr3), res->cr4);
	part[P_DR] = hash_words(h0, r->dr, 6);
	part[P_MEM] = hash_word(hash_word(hash_word(h0, res->h_scratch),
					  res->h_stack), res->h_frames);
	part[P_TABLES] = hash_word(hash_word(h0, res->h_tables), res->h_gdt);
	part[P_OTHER] = hash_word(hash_words(h0, &res->msr[0][0], 3 * NMSRS),
				  res->uart);
}

/* The line's two numbers: the hash of everything, and one hex digit per
 * part, so that a difference says where it is. */
static void
hash_result(const struct result *res, uint32_t *hash, uint32_t *digest)
{
	uint32_t part[NPARTS], h;
	int i;

	hash_parts(res, part);
	*hash = hash_words(0x811c9dc5u, part, NPARTS);
	*digest = 0;
	for (i = 0; i < NPARTS; i++) {
		h = part[i] ^ part[i] >> 16;
		h ^= h >> 8;
		*digest = *digest << 4 | ((h ^ h >> 4) & 0xf);
	}
}

static void
print_bytes(uint32_t seed, const uint8_t *p, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (i % 24 == 0)
			gprintf("%sfz %u code:", i ? "\n" : "", seed);
		gprintf(" %02x", p[i]);
	}
	gprintf("\n");
}

/* Before the case runs (so that a case that never ends is seen too). */
static void
print_start(const struct fzcase *c)
{
	int i;

	print_bytes(c->seed, (const uint8_t *) FZ_CODE, c->len);
	gprintf("fz %u start: cr0 %08x cr3 %08x cr4 %08x eflags %08x "
		"ds %x es %x fs %x gs %x\n", c->seed, c->cr0, c->cr3, c->cr4,
		c->eflags, c->ds, c->es, c->fs, c->gs);
	gprintf("fz %u start: pde %08x %08x pte", c->seed, c->pde[0], c->pde[1]);
	for (i = 0; i < FZ_NPTE; i++)
		gprintf(" %08x/%08x", c->pte[0][i], c->pte[1][i]);
	gprintf("\n");
}

static void
print_end(const struct fzcase *c, const struct result *res)
{
	const struct fzregs *r = &res->r;
	int i;

	gprintf("fz %u end: vec %x err %x/%u eip %08x cs %x ss %x eflags %08x\n",
		c->seed, r->vec, r->err, r->has_err, r->eip, r->cs, r->ss, r->eflags);
	gprintf("fz %u end: eax %08x ecx %08x edx %08x ebx %08x esp %08x "
		"ebp %08x esi %08x edi %08x\n", c->seed, r->gpr[0], r->gpr[1],
		r->gpr[2], r->gpr[3], r->gpr[4], r->gpr[5], r->gpr[6], r->gpr[7]);
	gprintf("fz %u end: ds %x es %x fs %x gs %x cr0 %08x cr2 %08x cr3 %08x "
		"cr4 %08x\n", c->seed, r->ds, r->es, r->fs, r->gs, res->cr0,
		r->cr2, res->cr3, res->cr4);
	gprintf("fz %u end: dr0 %08x dr1 %08x dr2 %08x dr3 %08x dr6 %08x "
		"dr7 %08x\n", c->seed, r->dr[0], r->dr[1], r->dr[2], r->dr[3],
		r->dr[4], r->dr[5]);
	gprintf("fz %u end: msr", c->seed);
	for (i = 0; i < (int) NMSRS; i++)
		gprintf(" %x=%08x%08x/%x", fz_msrs[i], res->msr[i][2], res->msr[i][0],
			res->msr[i][1]);
	gprintf(" uart %x\n", res->uart);
	gprintf("fz %u end: scratch %08x stack %08x frames %08x gdt %08x\n",
		c->seed, res->h_scratch, res->h_stack, res->h_frames, res->h_gdt);
	gprintf("fz %u end: pde %08x %08x pte", c->seed, res->pde[0], res->pde[1]);
	for (i = 0; i < FZ_NPTE; i++)
		gprintf(" %08x/%08x", res->pte[0][i], res->pte[1][i]);
	gprintf("\n");
}

static void
run_case(uint32_t seed)
{
	struct fzcase c;
	struct result res = { 0 };
	const struct fzregs *r = &res.r;
	uint32_t hash, digest;
	int i;

	fz_generate(seed, &c);
	if (dump)
		print_start(&c);
	reset_machine(&c);
	fz_in = (struct fzregs) {
		.eflags = c.eflags, .eip = FZ_CODE,
		.ds = c.ds, .es = c.es, .fs = c.fs, .gs = c.gs,
	};
	for (i = 0; i < 8; i++)
		fz_in.gpr[i] = c.gpr[i];
	fz_out = (struct fzregs) { 0 };
	fz_enter();
	res.r = fz_out;
	collect(&c, &res);

	gprintf("fz %u ", seed);
	if (r->vec == FZ_DONE)
		gprintf("done");
	else if (r->vec == V_USERDONE)
		gprintf("done3");
	else if (r->has_err)
		gprintf("v%u:%04x@%08x", r->vec, r->err, r->eip);
	else
		gprintf("v%u@%08x", r->vec, r->eip);
	hash_result(&res, &hash, &digest);
	gprintf(" %08x %08x\n", hash, digest);
	if (dump)
		print_end(&c, &res);
}

/* ------------------------------------------------------------------------
 * The command line, the run
 * ------------------------------------------------------------------------ */

/* The number after "name=" in the Multiboot command line, or dflt. */
static uint32_t
arg(const char *cmdline, const char *name, uint32_t dflt)
{
	const char *p, *q;
	uint32_t v;

	for (p = cmdline; p && *p; p++) {
		if (p != cmdline && p[-1] != ' ')
			continue;
		for (q = name; *q && *p == *q; p++, q++)
			;
		if (*q || *p != '=')
			continue;
		for (v = 0, p++; *p >= '0' && *p <= '9'; p++)
			v = v * 10 + *p - '0';
		return v;
	}
	return dflt;
}

/* The text after " name=" in the command line, or NULL. */
static const char *
arg_text(const char *cmdline, const char *name)
{
	const char *p, *q;

	for (p = cmdline; p && *p; p++) {
		if (p != cmdline && p[-1] != ' ')
			continue;
		for (q = name; *q && p[q - name] == *q; q++)
			;
		if (!*q && p[q - name] == '=')
			return p + (q - name) + 1;
	}
	return 0;
}

/* Whether case i is to be left out: hex digit i / 4 of skip=, bit i % 4. */
static int
skipped(const char *skip, uint32_t i)
{
	uint32_t k;
	char c;

	for (k = 0; skip && k < i / 4; k++)
		if (!skip[k] || skip[k] == ' ')
			return 0;
	if (!skip || !(c = skip[i / 4]) || c == ' ')
		return 0;
	c = c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0';
	return (c >> (i % 4)) & 1;
}

void
gmain(uint32_t magic, uint32_t info)
{
	const char *cmdline = "", *skip;
	uint32_t seed, count, i;

	/* Multiboot: flags bit 2, the command line at offset 16. */
	if (magic == 0x2badb002 && (((uint32_t *) info)[0] & 4))
		cmdline = (const char *) ((uint32_t *) info)[4];
	seed = arg(cmdline, "seed", 1);
	count = arg(cmdline, "count", 1);
	dump = arg(cmdline, "dump", 0);
	skip = arg_text(cmdline, "skip");
	ginit();
	setup();
	reset_segments(&(struct fzcase) { 0 });
	restore_msrs();
	gprintf("fz start seed=%u count=%u cpuid.1:edx=%08x\n", seed, count, cpuid1_edx);
	for (i = 0; i < count; i++)
		if (!skipped(skip, i))
			run_case(seed + i);
	gprintf("fz end\n");
	lcr0(CR0_PE | CR0_ET);
	gexit(0);
}
