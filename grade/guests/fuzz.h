/*
 * fuzz.h - the fuzz guest's fixed layout and the records its three files
 * share: fuzz.c (the machine each case starts from, the hash, the lines),
 * fuzzgen.c (the instruction generator) and fuzzrun.S (into a case and
 * back out of it, however it ends).
 *
 * Everything a case may touch sits at a fixed physical address, so the
 * generator can name it in absolute operands and a case's bytes mean the
 * same thing in every run, natively and under the monitor:
 *
 *	0x400000  FZ_CODE	the case's instructions (8 KB), then stubs
 *	0x402000  FZ_SCRATCH	memory operands: hashed
 *	0x403000  FZ_STACK	the case's stack: hashed from ESP up
 *	0x404000  FZ_KSTACK	where a trap out of ring 3 lands (TSS esp0)
 *	0x405000  FZ_SINK	what must not be hashed: sgdt, sidt, sldt, str
 *	0x406000  FZ_CONST	pseudo-descriptors and far pointers, read only
 *	0x800000  FZ_FRAMES	8 frames the fuzz page tables map: hashed
 *	0xc00000  FZ_TABLES	PD_A, PD_B, PT_FZ_A, PT_FZ_B, then PT_WIN,
 *				the two identity tables
 *
 * Linear, with paging on: [0, 8 MB) is identity-mapped (user-accessible,
 * so a case that returns to ring 3 can go on); [FZ_VA, +4 MB) is the fuzz
 * region, through PT_FZ_A or PT_FZ_B or a 4 MB page; [FZ_WIN, +16 KB) maps
 * the first four tables at their own addresses, so a page-table write is
 * a plain store the generator can emit, and means the same with paging
 * off.  FZ_VA is FZ_FRAMES' own address for the same reason.
 */
#ifndef GRADE_GUESTS_FUZZ_H
#define GRADE_GUESTS_FUZZ_H

#define FZ_CODE		0x00400000
#define FZ_CODE_SIZE	0x2000
#define FZ_SCRATCH	0x00402000
#define FZ_STACK	0x00403000
#define FZ_STACK_TOP	0x00404000
#define FZ_ESP0		0x00403800	/* a case's first ESP */
#define FZ_ESP3		0x00403600	/* the ESP of an iret to ring 3 */
#define FZ_KSTACK_TOP	0x00405000
#define FZ_SINK		0x00405000
#define FZ_CONST	0x00406000
#define FZ_FRAMES	0x00800000
#define FZ_NFRAMES	8
#define FZ_VA		0x00800000
#define FZ_TABLES	0x00c00000
#define FZ_PD_A		0x00c00000
#define FZ_PD_B		0x00c01000
#define FZ_PT_A		0x00c02000
#define FZ_PT_B		0x00c03000
#define FZ_PT_WIN	0x00c04000
#define FZ_PT_ID0	0x00c05000
#define FZ_PT_ID1	0x00c06000
#define FZ_WIN		0x00c00000
#define FZ_PDX		2		/* the fuzz region's directory slot */
#define FZ_NPTE		8		/* fuzz pages the generator touches */

/* FZ_CONST: what lgdt, lidt and the far loads read (fuzz.c fills it). */
#define FZ_PD_GDT	(FZ_CONST + 0x00)	/* the GDT */
#define FZ_PD_GDT_SHORT	(FZ_CONST + 0x08)	/* the GDT, its first 6 slots */
#define FZ_PD_GDT_COPY	(FZ_CONST + 0x10)	/* the same GDT elsewhere */
#define FZ_PD_IDT	(FZ_CONST + 0x18)
#define FZ_PD_IDT_ALT	(FZ_CONST + 0x20)	/* the other IDT */

/* The GDT: what each selector names (fuzz.c builds it). */
#define SEL_KCODE	0x08	/* code, DPL 0, flat */
#define SEL_KDATA	0x10	/* data, DPL 0, flat */
#define SEL_KTSS	0x18	/* the TSS loaded at each case's start */
#define SEL_KLDT	0x20
#define SEL_KCODE2	0x28	/* a second flat DPL 0 code segment */
#define SEL_KCONF	0x30	/* conforming code, DPL 0 */
#define SEL_UCODE	0x38	/* code, DPL 3 */
#define SEL_UDATA	0x40	/* data, DPL 3 */
#define SEL_DATA1	0x48	/* data, DPL 1 */
#define SEL_DATA2	0x50	/* data, DPL 2 */
#define SEL_DATAB	0x58	/* data, DPL 0, base 0x1000 */
#define SEL_DATARO	0x60	/* read-only data */
#define SEL_DATANP	0x68	/* data, not present */
#define SEL_CODEXO	0x70	/* execute-only code */
#define SEL_DATAED	0x78	/* expand-down data (covers all but offset 0) */
#define SEL_KTSS2	0x80	/* an available TSS: ltr, task switches */
#define SEL_TSSNP	0x88	/* a TSS, not present */
#define SEL_CODE1	0x90	/* code, DPL 1 */
#define SEL_CODENP	0x98	/* code, not present */
#define SEL_CALLG	0xa0	/* a call gate to SEL_KCODE:FZ_STUB_LRET */
#define SEL_DATA16	0xa8	/* data, B = 0 */
#define SEL_CODE16B	0xb0	/* code whose base is fz_gate16's 64 KB block */
#define SEL_LDATA	0x04	/* LDT slot 0: data, DPL 0 */
#define SEL_LUDATA	0x0c	/* LDT slot 1: data, DPL 3 */
#define FZ_GDT_SLOTS	23

/* The IDT: vectors a case may raise or call (fuzz.c, fuzzrun.S). */
#define V_TIMER		0x20	/* the 8259's IRQ 0: hlt's wake-up */
#define V_RET0		0x30	/* 0x30-0x33: handlers that count and iret */
#define V_RETTRAP	0x34	/* a trap gate that counts and irets */
#define V_RETUSER	0x35	/* the same, callable from ring 3 */
#define V_NOTPRESENT	0x36
#define V_TOUSER	0x37	/* an interrupt gate into DPL 3 code */
#define V_TASK		0x38	/* a task gate */
#define V_GATE16	0x39	/* a 16-bit interrupt gate */
#define V_NULLSEL	0x3a	/* a gate with a null selector */
#define V_CODENP	0x3b	/* a gate into a not-present segment */
#define V_DATASEL	0x3c	/* a gate naming a data segment */
#define V_TOCODE1	0x3e	/* a gate into DPL 1 code */
#define V_USERDONE	0x3f	/* ring 3's way out at the end of a case */
#define FZ_IDT_VECS	0x40
#define FZ_IDT_ALT_VECS	0x28

/* struct fzregs, for fuzzrun.S: offsets of its fields. */
#define R_EAX		0
#define R_ECX		4
#define R_EDX		8
#define R_EBX		12
#define R_ESP		16
#define R_EBP		20
#define R_ESI		24
#define R_EDI		28
#define R_EFLAGS	32
#define R_VEC		36	/* -1: the case ran to its end */
#define R_ERR		40
#define R_HASERR	44
#define R_EIP		48
#define R_CS		52
#define R_SS		56
#define R_DS		60
#define R_ES		64
#define R_FS		68
#define R_GS		72
#define R_DR0		76	/* dr0-3, dr6, dr7 */
#define R_CR2		100
#define R_SIZE		104

/* How a case ended, in fzregs.vec: besides an exception vector. */
#define FZ_DONE		0xffffffff

#ifndef __ASSEMBLER__
#include "grade/guests/guest.h"

struct fzregs {
	uint32_t gpr[8];	/* eax ecx edx ebx esp ebp esi edi */
	uint32_t eflags;
	uint32_t vec;		/* FZ_DONE, or what was raised */
	uint32_t err;
	uint32_t has_err;
	uint32_t eip;		/* where it was raised, or the end */
	uint32_t cs, ss, ds, es, fs, gs;
	uint32_t dr[6];		/* dr0-3, dr6, dr7 */
	uint32_t cr2;
};

/* fuzzrun.S */
extern struct fzregs fz_in, fz_out;
/* every vector's entry that ends a case (the catcher) */
extern const uint32_t fz_vectors[FZ_IDT_VECS];
/* the end of every case; fz_flush invalidates the fuzz pages; the targets
 * of a near and a far call */
extern char fz_done[], fz_flush[], fz_ret_stub[], fz_lret_stub[];
extern char fz_timer[], fz_gate16[];
extern const uint32_t fz_ret_handlers[6];
/** @brief Run the code at fz_in.eip with fz_in's registers, until fz_done
 * or a catcher; then fz_out holds how it ended. */
void fz_enter(void);

/* What the generator tells the machine about the case it wrote. */
struct fzcase {
	uint32_t seed;
	uint32_t len;		/* bytes of code at FZ_CODE */
	uint32_t task_eip;	/* where a task switch to SEL_KTSS2 goes on */
	/* the state the case starts from */
	uint32_t gpr[8];
	uint32_t eflags;
	uint32_t cr0, cr3, cr4;	/* paging is on iff cr0 has PG */
	uint32_t pde[2];	/* PD_A's and PD_B's fuzz slot */
	uint32_t pte[2][FZ_NPTE]; /* PT_FZ_A's and PT_FZ_B's first entries */
	uint16_t ds, es, fs, gs;
	uint32_t fill;		/* the seed of the memory's contents */
	uint32_t touched;	/* TOUCH_*: state outside the hash's core */
	uint32_t msr_written;	/* bit i: the case writes fz_msrs[i] */
};

/* The MSRs a case may write, restored before each case that does. */
#define FZ_NMSRS	5
extern const uint32_t fz_msrs[FZ_NMSRS];

/* What a case may change that is restored and hashed only if it did. */
#define TOUCH_MSR	0x1	/* wrmsr, rdmsr */
#define TOUCH_PORTS	0x2	/* the UART's scratch register */
#define TOUCH_PIC	0x4	/* hlt's IRQ 0 */

/** @brief A small PRNG of our own (xorshift32 over a mixed seed). */
struct fzrand {
	uint32_t s;
};
void fzr_seed(struct fzrand *r, uint32_t seed);
uint32_t fzr_next(struct fzrand *r);
/** @brief Uniform in [0, n). */
uint32_t fzr_below(struct fzrand *r, uint32_t n);

/** @brief Write case @p seed's code at FZ_CODE and its start state in @p c. */
void fz_generate(uint32_t seed, struct fzcase *c);

#endif

#endif
