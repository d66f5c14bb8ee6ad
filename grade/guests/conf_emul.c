/*
 * conf_emul.c - every instruction form the emulator carries out, run on
 * memory that traps under the monitor and compared with the same form
 * on RAM.
 *
 * Adams & Agesen, sections 2 and 2.4: under trap-and-emulate, an access
 * to a device page, a write to a page table the shadow traces, and any
 * access to a page the monitor's own range hides trap, and the monitor
 * carries the instruction out itself (vmm/emul_*.c).  If the emulator is
 * right the guest cannot tell.  So this kernel runs each form of that
 * repertoire on a 32-byte window of RAM, then on windows that trap:
 *
 *   io8	the IOAPIC's IOREGSEL (0xFEC00000): one byte of storage
 *   io32	its IOWIN, on pin 23's destination (register 0x3F): the top
 *		byte is storage, as QEMU's IOAPIC and the monitor's model
 *		both keep it (the other IOAPIC bytes read 0 and ignore
 *		writes; only 32-bit accesses reach IOWIN, only bytes and the
 *		low bytes of 16-bit reads IOREGSEL)
 *   mon	a RAM page mapped at 0xFC100000, inside the monitor's range:
 *		under te every access to it is emulated
 *   pt		eight entries of a page table the guest uses, so that the
 *		shadow traces it: under te every write to it is emulated
 *
 * first with paging off (the IOAPIC only), then with paging on.  A run
 * compares every register, the flags the SDM defines for the form (never
 * an undefined one), any exception it raises, and the window's contents
 * as far as the target stores them; the RAM run is given only what the
 * target can hold.  One line per form and phase: "conf_emul: FORM: ok".
 * Then the PTE checks: live page-table entries rewritten with xchg,
 * cmpxchg, cmpxchg8b, xadd, or/and, bts/btr, rep stos and rep movs take
 * effect as on a bare PC, and a write the emulator does not know (an
 * MMX store) still lands.  Last, faults in the middle: a rep stos that
 * runs into an unmapped page, operands that cross into one.
 *
 * Natively every check must pass (QEMU's pc machine is the reference);
 * under engine=te the lines must be the same.
 */
#include "grade/guests/guest.h"

#define CR0_PG		0x80000000
#define CR0_WP		0x00010000
#define PF_P		1
#define PF_W		2

#define FL_CF		0x001
#define FL_PF		0x004
#define FL_AF		0x010
#define FL_ZF		0x040
#define FL_SF		0x080
#define FL_DF		0x400
#define FL_OF		0x800
#define FL_ARITH	(FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)

#define T_DE		0
#define T_PF		14

#define IOAPIC		0xfec00000u
#define IOWIN		0x10
#define IO_REG		0x3f		/* pin 23's destination: nothing drives the pin */
#define MONLA		0xfc100000u	/* the monitor's range under te */
#define TESTLA		0x40000000u	/* what tpt maps */
#define PT_SLOT		600		/* the pt window: tpt[600..607] */
#define FRAME(n)	(0x00500000u + (n) * PGSIZE)
#define MAGIC(pa)	(0x5ad00000u ^ (pa))
#define PDX(la)		((la) >> 22)
#define PTX(la)		(((la) >> 12) & 0x3ff)

enum { REG_EAX, REG_ECX, REG_EDX, REG_EBX, REG_ESP, REG_EBP, REG_ESI, REG_EDI };

typedef uint32_t pte_t;

static pte_t pgdir[1024] __attribute__((aligned(PGSIZE)));
static pte_t idpt[2][1024] __attribute__((aligned(PGSIZE)));
static pte_t tpt[1024] __attribute__((aligned(PGSIZE)));
static pte_t mpt[1024] __attribute__((aligned(PGSIZE)));
static pte_t iopt[1024] __attribute__((aligned(PGSIZE)));
static uint32_t monpage[1024] __attribute__((aligned(PGSIZE)));

static uint64_t gdt[5] __attribute__((aligned(8)));
static uint64_t ldt[2] __attribute__((aligned(8)));
static uint32_t tss[26] __attribute__((aligned(8)));
static uint64_t idt[32] __attribute__((aligned(8)));

/* ------------------------------------------------------------------------
 * The forms.  Each is a function of its own, made by STUB: it loads the
 * flags and all eight registers from st_in (ESP too, so that a stack
 * can be a window), runs the instruction, and saves them in st_out.
 * gtry() runs it and catches what it raises.
 * ------------------------------------------------------------------------ */

uint32_t st_in[8], st_out[8], st_fl_in, st_fl_out, st_host_esp;

#define PRO								\
	"pushal\n\t"							\
	"movl %esp, st_host_esp\n\t"					\
	"pushl st_fl_in\n\t"						\
	"popfl\n\t"							\
	"movl st_in+0, %eax\n\t"					\
	"movl st_in+4, %ecx\n\t"					\
	"movl st_in+8, %edx\n\t"					\
	"movl st_in+12, %ebx\n\t"					\
	"movl st_in+20, %ebp\n\t"					\
	"movl st_in+24, %esi\n\t"					\
	"movl st_in+28, %edi\n\t"					\
	"movl st_in+16, %esp\n\t"
/* Nothing between the form and pushfl may change a flag: mov does not. */
#define EPI								\
	"movl %esp, st_out+16\n\t"					\
	"movl st_host_esp, %esp\n\t"					\
	"pushfl\n\t"							\
	"popl st_fl_out\n\t"						\
	"movl %eax, st_out+0\n\t"					\
	"movl %ecx, st_out+4\n\t"					\
	"movl %edx, st_out+8\n\t"					\
	"movl %ebx, st_out+12\n\t"					\
	"movl %ebp, st_out+20\n\t"					\
	"movl %esi, st_out+24\n\t"					\
	"movl %edi, st_out+28\n\t"					\
	"cld\n\t"							\
	"popal\n\t"							\
	"ret\n\t"

/* How a form uses its window (for which IOAPIC register may stand in). */
enum { U_R = 1, U_W = 2, U_RW = 3 };

/* Flags and properties of a form (struct form.flags). */
#define F_STACK		0x01	/* ESP points into the window: RAM-like targets only */
#define F_NOIO		0x02	/* needs more storage than the IOAPIC has */
#define F_PTRMEM	0x04	/* writes addresses of the window into it */
#define F_MOFFS		0x08	/* an absolute address, patched in per run */
/*
 * Not on a read-only target (pt, under te): when the store of rcl or rcr
 * faults, QEMU's TCG reports the flags as the rotate left them, not as
 * they were, so the monitor would be handed the wrong CF.  (A bare CPU's
 * exceptions are precise; the bug is the emulator under the monitor's.)
 */
#define F_NOTRACE	0x10

/* Which flags the SDM defines after the form (FM_*, or a shift's code). */
#define FM_ALL		1	/* all six, computed or unaffected */
#define FM_LOGIC	2	/* all but AF */
#define FM_CO		3	/* CF, OF: mul, imul */
#define FM_Z		4	/* ZF: bsf, bsr, cmpxchg8b, arpl */
#define FM_C		5	/* CF: bt* */
#define FM_NONE		6	/* none: div, idiv */
#define FM_SHIFT(op, n)	(0x1000 | (op) << 8 | (n))	/* n 0xff: by %cl */
#define FM_SHD(n)	(0x2000 | (n))			/* shld, shrd */

/* How a form's operands are chosen (struct form.gen). */
enum {
	G_STD,		/* (%ebx) is the window; registers and flags at random */
	G_CNT,		/* %cl a shift count */
	G_DIV,		/* %edx:%eax a dividend, small or large */
	G_BIT,		/* %ecx a bit offset, reaching the whole window */
	G_BSF,		/* the source sometimes 0 (the destination is then undefined) */
	G_CMPX,		/* the accumulator often equal to the operand */
	G_CX8,		/* (%esi) is the window; %edx:%eax often equal to it */
	G_XLAT,		/* %al indexes the window */
	G_BOUND,	/* %ecx sometimes within the bounds */
	G_SRC,		/* string: %esi the window, %edi the aux buffer */
	G_DST,		/* string: %edi the window, %esi the aux buffer */
	G_STK,		/* %esp in the middle of the window, %ebp at its top */
	G_STKTOP,	/* %esp at the window's end (pushal) */
	G_STKBOT,	/* %esp at the window's start (popal) */
	G_POPF,		/* the window holds a flags image */
	G_LEAVE,	/* %ebp in the window, which holds the old %ebp */
	G_CALL,		/* the window holds ret_only's address */
	G_JMP,		/* the window holds jmp_back's address */
	G_IDX,		/* %eax 1: an index register */
};

struct form {
	const char *name;
	void (*fn)(void *);
	uint8_t size, use, gen, flags;
	uint16_t fm;
	uint8_t *moffs;		/* F_MOFFS: where the address is in fn's code */
};

#define ALU(X, op, fm, u)						\
	X(f_##op##b_mr, 1, u, G_STD, 0, fm, #op "b %cl, (%ebx)")		\
	X(f_##op##w_mr, 2, u, G_STD, 0, fm, #op "w %cx, (%ebx)")		\
	X(f_##op##l_mr, 4, u, G_STD, 0, fm, #op "l %ecx, (%ebx)")		\
	X(f_##op##b_rm, 1, U_R, G_STD, 0, fm, #op "b (%ebx), %cl")		\
	X(f_##op##w_rm, 2, U_R, G_STD, 0, fm, #op "w (%ebx), %cx")		\
	X(f_##op##l_rm, 4, U_R, G_STD, 0, fm, #op "l (%ebx), %ecx")		\
	X(f_##op##b_im, 1, u, G_STD, 0, fm, #op "b $0x5a, (%ebx)")		\
	X(f_##op##w_im, 2, u, G_STD, 0, fm, #op "w $0x8001, (%ebx)")		\
	X(f_##op##l_im, 4, u, G_STD, 0, fm, #op "l $0x7ffffff3, (%ebx)")	\
	X(f_##op##w_i8, 2, u, G_STD, 0, fm, #op "w $-3, (%ebx)")		\
	X(f_##op##l_i8, 4, u, G_STD, 0, fm, #op "l $0x7f, (%ebx)")

#define UNARY(X, op)							\
	X(f_##op##b, 1, U_RW, G_STD, 0, FM_ALL, #op "b (%ebx)")		\
	X(f_##op##w, 2, U_RW, G_STD, 0, FM_ALL, #op "w (%ebx)")		\
	X(f_##op##l, 4, U_RW, G_STD, 0, FM_ALL, #op "l (%ebx)")

/* by 1 (d0/d1), by 5 (c0/c1), by %cl (d2/d3); op is the ModRM reg field */
#define SHIFT(X, op, n, fl)						\
	X(f_##op##b1, 1, U_RW, G_STD, fl, FM_SHIFT(n, 1), #op "b (%ebx)")	\
	X(f_##op##w1, 2, U_RW, G_STD, fl, FM_SHIFT(n, 1), #op "w (%ebx)")	\
	X(f_##op##l1, 4, U_RW, G_STD, fl, FM_SHIFT(n, 1), #op "l (%ebx)")	\
	X(f_##op##b5, 1, U_RW, G_STD, fl, FM_SHIFT(n, 5), #op "b $5, (%ebx)") \
	X(f_##op##w5, 2, U_RW, G_STD, fl, FM_SHIFT(n, 5), #op "w $5, (%ebx)") \
	X(f_##op##l5, 4, U_RW, G_STD, fl, FM_SHIFT(n, 5), #op "l $5, (%ebx)") \
	X(f_##op##bc, 1, U_RW, G_CNT, fl, FM_SHIFT(n, 0xff), #op "b %cl, (%ebx)") \
	X(f_##op##wc, 2, U_RW, G_CNT, fl, FM_SHIFT(n, 0xff), #op "w %cl, (%ebx)") \
	X(f_##op##lc, 4, U_RW, G_CNT, fl, FM_SHIFT(n, 0xff), #op "l %cl, (%ebx)")

#define MULDIV(X, op, fm, g)						\
	X(f_##op##b, 1, U_R, g, 0, fm, #op "b (%ebx)")			\
	X(f_##op##w, 2, U_R, g, 0, fm, #op "w (%ebx)")			\
	X(f_##op##l, 4, U_R, g, 0, fm, #op "l (%ebx)")

#define BITS(X, op, u)							\
	X(f_##op##w, 2, u, G_BIT, 0, FM_C, #op "w %cx, (%ebx)")		\
	X(f_##op##l, 4, u, G_BIT, 0, FM_C, #op "l %ecx, (%ebx)")		\
	X(f_##op##wi, 2, u, G_STD, 0, FM_C, #op "w $13, (%ebx)")		\
	X(f_##op##li, 4, u, G_STD, 0, FM_C, #op "l $29, (%ebx)")

#define CC(X, c)							\
	X(f_set##c, 1, U_W, G_STD, 0, FM_ALL, "set" #c " (%ebx)")		\
	X(f_cmov##c, 4, U_R, G_STD, 0, FM_ALL, "cmov" #c "l (%ebx), %ecx")

/* string forms: plain and repeated, the window as source or destination */
#define STR3(X, id, txt, g, u, fm, tag)					\
	X(f_##id##b, 1, u, g, 0, fm, txt "b # " txt "b " tag)		\
	X(f_##id##w, 2, u, g, 0, fm, txt "w # " txt "w " tag)		\
	X(f_##id##l, 4, u, g, 0, fm, txt "l # " txt "l " tag)

#define FORMS(X)							\
	ALU(X, add, FM_ALL, U_RW) ALU(X, or, FM_LOGIC, U_RW)		\
	ALU(X, adc, FM_ALL, U_RW) ALU(X, sbb, FM_ALL, U_RW)		\
	ALU(X, and, FM_LOGIC, U_RW) ALU(X, sub, FM_ALL, U_RW)		\
	ALU(X, xor, FM_LOGIC, U_RW) ALU(X, cmp, FM_ALL, U_R)		\
	X(f_add82, 1, U_RW, G_STD, 0, FM_ALL, ".byte 0x82, 0x03, 0xa5 # addb $0xa5, (%ebx) [82]") \
	X(f_lockadd, 4, U_RW, G_STD, 0, FM_ALL, "lock addl %ecx, (%ebx)")	\
	X(f_lockor, 2, U_RW, G_STD, 0, FM_LOGIC, "lock orw $0x8421, (%ebx)")	\
	X(f_lockand, 1, U_RW, G_STD, 0, FM_LOGIC, "lock andb %ch, (%ebx)")	\
	X(f_testb, 1, U_R, G_STD, 0, FM_LOGIC, "testb %cl, (%ebx)")		\
	X(f_testw, 2, U_R, G_STD, 0, FM_LOGIC, "testw %cx, (%ebx)")		\
	X(f_testl, 4, U_R, G_STD, 0, FM_LOGIC, "testl %ecx, (%ebx)")		\
	X(f_testbi, 1, U_R, G_STD, 0, FM_LOGIC, "testb $0x81, (%ebx)")	\
	X(f_testwi, 2, U_R, G_STD, 0, FM_LOGIC, "testw $0x8001, (%ebx)")	\
	X(f_testli, 4, U_R, G_STD, 0, FM_LOGIC, "testl $0x80000001, (%ebx)") \
	UNARY(X, not) UNARY(X, neg) UNARY(X, inc) UNARY(X, dec)		\
	X(f_lockinc, 4, U_RW, G_STD, 0, FM_ALL, "lock incl (%ebx)")		\
	X(f_lockneg, 2, U_RW, G_STD, 0, FM_ALL, "lock negw (%ebx)")		\
	SHIFT(X, rol, 0, 0) SHIFT(X, ror, 1, 0)				\
	SHIFT(X, rcl, 2, F_NOTRACE) SHIFT(X, rcr, 3, F_NOTRACE)		\
	SHIFT(X, shl, 4, 0) SHIFT(X, shr, 5, 0) SHIFT(X, sar, 7, 0)		\
	X(f_shlc01, 4, U_RW, G_STD, 0, FM_SHIFT(4, 1), ".byte 0xc1, 0x23, 0x01 # shll $1, (%ebx) [c1]") \
	X(f_shldwi, 2, U_RW, G_STD, 0, FM_SHD(5), "shldw $5, %dx, (%ebx)")	\
	X(f_shldli, 4, U_RW, G_STD, 0, FM_SHD(5), "shldl $5, %edx, (%ebx)")	\
	X(f_shldwc, 2, U_RW, G_CNT, 0, FM_SHD(0xff), "shldw %cl, %dx, (%ebx)") \
	X(f_shldlc, 4, U_RW, G_CNT, 0, FM_SHD(0xff), "shldl %cl, %edx, (%ebx)") \
	X(f_shrdwi, 2, U_RW, G_STD, 0, FM_SHD(1), "shrdw $1, %dx, (%ebx)")	\
	X(f_shrdli, 4, U_RW, G_STD, 0, FM_SHD(31), "shrdl $31, %edx, (%ebx)") \
	X(f_shrdwc, 2, U_RW, G_CNT, 0, FM_SHD(0xff), "shrdw %cl, %dx, (%ebx)") \
	X(f_shrdlc, 4, U_RW, G_CNT, 0, FM_SHD(0xff), "shrdl %cl, %edx, (%ebx)") \
	MULDIV(X, mul, FM_CO, G_STD) MULDIV(X, imul, FM_CO, G_STD)		\
	MULDIV(X, div, FM_NONE, G_DIV) MULDIV(X, idiv, FM_NONE, G_DIV)	\
	X(f_imul2w, 2, U_R, G_STD, 0, FM_CO, "imulw (%ebx), %cx")		\
	X(f_imul2l, 4, U_R, G_STD, 0, FM_CO, "imull (%ebx), %ecx")		\
	X(f_imul3w, 2, U_R, G_STD, 0, FM_CO, "imulw $0x1234, (%ebx), %cx")	\
	X(f_imul3l, 4, U_R, G_STD, 0, FM_CO, "imull $0x12345, (%ebx), %ecx") \
	X(f_imul3bw, 2, U_R, G_STD, 0, FM_CO, "imulw $-7, (%ebx), %cx")	\
	X(f_imul3bl, 4, U_R, G_STD, 0, FM_CO, "imull $-7, (%ebx), %ecx")	\
	BITS(X, bt, U_R) BITS(X, bts, U_RW) BITS(X, btr, U_RW) BITS(X, btc, U_RW) \
	X(f_lockbts, 4, U_RW, G_BIT, 0, FM_C, "lock btsl %ecx, (%ebx)")	\
	X(f_lockbtr, 4, U_RW, G_STD, 0, FM_C, "lock btrl $7, (%ebx)")	\
	X(f_bsfw, 2, U_R, G_BSF, 0, FM_Z, "bsfw (%ebx), %cx")		\
	X(f_bsfl, 4, U_R, G_BSF, 0, FM_Z, "bsfl (%ebx), %ecx")		\
	X(f_bsrw, 2, U_R, G_BSF, 0, FM_Z, "bsrw (%ebx), %cx")		\
	X(f_bsrl, 4, U_R, G_BSF, 0, FM_Z, "bsrl (%ebx), %ecx")		\
	X(f_tzcnt, 4, U_R, G_BSF, 0, FM_Z, "tzcntl (%ebx), %ecx")		\
	X(f_lzcnt, 2, U_R, G_BSF, 0, FM_Z, "lzcntw (%ebx), %cx")		\
	X(f_popcnt, 4, U_R, G_STD, 0, FM_ALL, "popcntl (%ebx), %ecx")	\
	X(f_movzbw, 1, U_R, G_STD, 0, FM_ALL, "movzbw (%ebx), %cx")		\
	X(f_movzbl, 1, U_R, G_STD, 0, FM_ALL, "movzbl (%ebx), %ecx")		\
	X(f_movzwl, 2, U_R, G_STD, 0, FM_ALL, "movzwl (%ebx), %ecx")		\
	X(f_movsbw, 1, U_R, G_STD, 0, FM_ALL, "movsbw (%ebx), %cx")		\
	X(f_movsbl, 1, U_R, G_STD, 0, FM_ALL, "movsbl (%ebx), %ecx")		\
	X(f_movswl, 2, U_R, G_STD, 0, FM_ALL, "movswl (%ebx), %ecx")		\
	X(f_movb_rm, 1, U_W, G_STD, 0, FM_ALL, "movb %ch, (%ebx)")		\
	X(f_movw_rm, 2, U_W, G_STD, 0, FM_ALL, "movw %cx, (%ebx)")		\
	X(f_movl_rm, 4, U_W, G_STD, 0, FM_ALL, "movl %ecx, 0(%ebx)")		\
	X(f_movb_mr, 1, U_R, G_STD, 0, FM_ALL, "movb (%ebx), %dh")		\
	X(f_movw_mr, 2, U_R, G_STD, 0, FM_ALL, "movw (%ebx), %cx")		\
	X(f_movl_mr, 4, U_R, G_STD, 0, FM_ALL, "movl (%ebx), %ecx")		\
	X(f_movb_im, 1, U_W, G_STD, 0, FM_ALL, "movb $0x96, (%ebx)")		\
	X(f_movw_im, 2, U_W, G_STD, 0, FM_ALL, "movw $0x8765, (%ebx)")	\
	X(f_movl_im, 4, U_W, G_STD, 0, FM_ALL, "movl $0xfedcba98, (%ebx)")	\
	X(f_movl_idx, 4, U_W, G_IDX, 0, FM_ALL, "movl %ecx, -8(%ebx,%eax,8)") \
	X(f_moffsb_r, 1, U_R, G_STD, F_MOFFS, FM_ALL, "movb 0x0badf00d, %al") \
	X(f_moffsw_r, 2, U_R, G_STD, F_MOFFS, FM_ALL, "movw 0x0badf00d, %ax") \
	X(f_moffsl_r, 4, U_R, G_STD, F_MOFFS, FM_ALL, "movl 0x0badf00d, %eax") \
	X(f_moffsb_w, 1, U_W, G_STD, F_MOFFS, FM_ALL, "movb %al, 0x0badf00d") \
	X(f_moffsw_w, 2, U_W, G_STD, F_MOFFS, FM_ALL, "movw %ax, 0x0badf00d") \
	X(f_moffsl_w, 4, U_W, G_STD, F_MOFFS, FM_ALL, "movl %eax, 0x0badf00d") \
	X(f_movsreg, 2, U_W, G_STD, 0, FM_ALL, "movw %ds, (%ebx)")		\
	X(f_movnti, 4, U_W, G_STD, 0, FM_ALL, "movnti %ecx, (%ebx)")		\
	X(f_xchgb, 1, U_RW, G_STD, 0, FM_ALL, "xchgb %cl, (%ebx)")		\
	X(f_xchgw, 2, U_RW, G_STD, 0, FM_ALL, "xchgw %cx, (%ebx)")		\
	X(f_xchgl, 4, U_RW, G_STD, 0, FM_ALL, "xchgl (%ebx), %ecx")		\
	X(f_lockxchg, 4, U_RW, G_STD, 0, FM_ALL, "lock xchgl %edx, (%ebx)")	\
	X(f_xaddb, 1, U_RW, G_STD, 0, FM_ALL, "xaddb %cl, (%ebx)")		\
	X(f_xaddw, 2, U_RW, G_STD, 0, FM_ALL, "xaddw %cx, (%ebx)")		\
	X(f_xaddl, 4, U_RW, G_STD, 0, FM_ALL, "xaddl %ecx, (%ebx)")		\
	X(f_lockxadd, 4, U_RW, G_STD, 0, FM_ALL, "lock xaddl %ecx, (%ebx)")	\
	X(f_cmpxchgb, 1, U_RW, G_CMPX, 0, FM_ALL, "cmpxchgb %cl, (%ebx)")	\
	X(f_cmpxchgw, 2, U_RW, G_CMPX, 0, FM_ALL, "cmpxchgw %cx, (%ebx)")	\
	X(f_cmpxchgl, 4, U_RW, G_CMPX, 0, FM_ALL, "cmpxchgl %ecx, (%ebx)")	\
	X(f_lockcmpxchg, 4, U_RW, G_CMPX, 0, FM_ALL, "lock cmpxchgl %ecx, (%ebx)") \
	X(f_cmpxchg8b, 8, U_RW, G_CX8, 0, FM_Z, "cmpxchg8b (%esi)")		\
	X(f_lockcx8b, 8, U_RW, G_CX8, 0, FM_Z, "lock cmpxchg8b (%esi)")	\
	X(f_pushm, 4, U_R, G_STD, 0, FM_ALL, "pushl (%ebx); popl %edx")	\
	X(f_pushmw, 2, U_R, G_STD, 0, FM_ALL, "pushw (%ebx); popw %dx")	\
	X(f_popm, 4, U_W, G_STD, 0, FM_ALL, "pushl %ecx; popl (%ebx)")	\
	X(f_popmw, 2, U_W, G_STD, 0, FM_ALL, "pushw %cx; popw (%ebx)")	\
	X(f_pushr, 4, U_W, G_STK, F_STACK, FM_ALL, "pushl %ecx")		\
	X(f_pushrw, 2, U_W, G_STK, F_STACK, FM_ALL, "pushw %cx")		\
	X(f_popr, 4, U_R, G_STK, F_STACK, FM_ALL, "popl %ecx")		\
	X(f_poprw, 2, U_R, G_STK, F_STACK, FM_ALL, "popw %cx")		\
	X(f_pushi, 4, U_W, G_STK, F_STACK, FM_ALL, "pushl $0x12345678")	\
	X(f_pushib, 4, U_W, G_STK, F_STACK, FM_ALL, "pushl $-2")		\
	X(f_pushiw, 2, U_W, G_STK, F_STACK, FM_ALL, "pushw $-5")		\
	X(f_pushds, 4, U_W, G_STK, F_STACK, FM_ALL, "pushl %ds")		\
	X(f_pushfs, 2, U_W, G_STK, F_STACK, FM_ALL, "pushw %fs")		\
	X(f_pusha, 4, U_W, G_STKTOP, F_STACK | F_PTRMEM, FM_ALL, "pushal")	\
	X(f_popa, 4, U_R, G_STKBOT, F_STACK, FM_ALL, "popal")		\
	X(f_pushf, 4, U_W, G_STK, F_STACK, FM_ALL, "pushfl")			\
	X(f_popf, 4, U_R, G_POPF, F_STACK, FM_ALL, "popfl")			\
	X(f_callret, 4, U_RW, G_STK, F_STACK, FM_ALL, "call 1f; 1: popl %ecx") \
	X(f_ret, 4, U_RW, G_STK, F_STACK, FM_ALL, "pushl $1f; ret; 1:")	\
	X(f_retn, 4, U_RW, G_STK, F_STACK, FM_ALL, "pushl $1f; ret $4; 1:")	\
	X(f_lret, 4, U_RW, G_STK, F_STACK, FM_ALL, "pushl $8; pushl $1f; lret; 1:") \
	X(f_lretn, 4, U_RW, G_STK, F_STACK, FM_ALL, "pushl $8; pushl $1f; lret $4; 1:") \
	X(f_enter0, 4, U_RW, G_STK, F_STACK | F_PTRMEM, FM_ALL, "enter $8, $0") \
	X(f_enter2, 4, U_RW, G_STK, F_STACK | F_PTRMEM, FM_ALL, "enter $4, $2") \
	X(f_leave, 4, U_R, G_LEAVE, F_STACK, FM_ALL, "leave")			\
	X(f_callm, 4, U_R, G_CALL, F_NOIO, FM_ALL, "call *(%ebx)")		\
	X(f_jmpm, 4, U_R, G_JMP, F_NOIO, FM_ALL, "jmp *(%ebx); .globl jmp_back; jmp_back:") \
	CC(X, o) CC(X, no) CC(X, b) CC(X, ae) CC(X, e) CC(X, ne) CC(X, be) CC(X, a) \
	CC(X, s) CC(X, ns) CC(X, p) CC(X, np) CC(X, l) CC(X, ge) CC(X, le) CC(X, g) \
	X(f_cmovew, 2, U_R, G_STD, 0, FM_ALL, "cmovew (%ebx), %cx")		\
	X(f_cmovaw, 2, U_R, G_STD, 0, FM_ALL, "cmovaw (%ebx), %cx")		\
	X(f_xlat, 1, U_R, G_XLAT, 0, FM_ALL, "xlatb")			\
	X(f_boundl, 8, U_R, G_BOUND, 0, FM_ALL, "boundl %ecx, (%ebx)")	\
	X(f_boundw, 4, U_R, G_BOUND, F_NOIO, FM_ALL, "boundw %cx, (%ebx)")	\
	X(f_arpl, 2, U_RW, G_STD, 0, FM_Z, "arpl %cx, (%ebx)")		\
	X(f_clflush, 1, U_R, G_STD, 0, FM_ALL, "clflush (%ebx)")		\
	STR3(X, movs_from, "movs", G_SRC, U_R, FM_ALL, "from")		\
	STR3(X, movs_to, "movs", G_DST, U_W, FM_ALL, "to")			\
	STR3(X, repmovs_from, "rep movs", G_SRC, U_R, FM_ALL, "from")	\
	STR3(X, repmovs_to, "rep movs", G_DST, U_W, FM_ALL, "to")		\
	STR3(X, cmps_from, "cmps", G_SRC, U_R, FM_ALL, "from")		\
	STR3(X, cmps_to, "cmps", G_DST, U_R, FM_ALL, "to")			\
	STR3(X, repecmps, "repe cmps", G_SRC, U_R, FM_ALL, "from")		\
	STR3(X, repnecmps, "repne cmps", G_DST, U_R, FM_ALL, "to")		\
	STR3(X, stos, "stos", G_DST, U_W, FM_ALL, "")			\
	STR3(X, repstos, "rep stos", G_DST, U_W, FM_ALL, "")			\
	STR3(X, lods, "lods", G_SRC, U_R, FM_ALL, "")			\
	STR3(X, replods, "rep lods", G_SRC, U_R, FM_ALL, "")			\
	STR3(X, scas, "scas", G_DST, U_R, FM_ALL, "")			\
	STR3(X, repescas, "repe scas", G_DST, U_R, FM_ALL, "")		\
	STR3(X, repnescas, "repne scas", G_DST, U_R, FM_ALL, "")

#define STUB(id, sz, u, g, fl, fm, text)					\
	void id(void *);						\
	asm(".text\n\t.p2align 4\n\t.globl " #id "\n\t.type " #id ", @function\n" \
	    #id ":\n\t" PRO text "\n\t" EPI ".size " #id ", . - " #id "\n");
FORMS(STUB)

#define ENTRY(id, sz, u, g, fl, fm, text)	{ text, id, sz, u, g, fl, fm, 0 },
static struct form forms[] = { FORMS(ENTRY) };
#define NFORMS	(sizeof(forms) / sizeof(forms[0]))

/*
 * The exception entries: each notes the registers and flags as the
 * exception left them (st_out, st_fl_out), then goes on to gtry()'s
 * stub for its vector.  So a fault half-way through a form shows what
 * the instruction had done: a rep instruction's completed iterations,
 * or nothing at all.  No privilege change: the frame is on the form's
 * stack, EFLAGS 8 bytes up (12 past an error code).
 */
#define CAPTURE(n, ec)							\
	asm(".text\n\t.p2align 2\ncapture" #n ":\n\t"			\
	    "movl %eax, st_out+0\n\t"					\
	    "movl %ecx, st_out+4\n\t"					\
	    "movl %edx, st_out+8\n\t"					\
	    "movl %ebx, st_out+12\n\t"					\
	    "movl %ebp, st_out+20\n\t"					\
	    "movl %esi, st_out+24\n\t"					\
	    "movl %edi, st_out+28\n\t"					\
	    "movl " #ec "+8(%esp), %eax\n\t"				\
	    "movl %eax, st_fl_out\n\t"					\
	    "leal " #ec "+12(%esp), %eax\n\t"				\
	    "movl %eax, st_out+16\n\t"					\
	    "movl st_out+0, %eax\n\t"					\
	    "jmp *gtry_stubs+4*" #n "\n");
CAPTURE(0, 0) CAPTURE(1, 0) CAPTURE(2, 0) CAPTURE(3, 0) CAPTURE(4, 0) CAPTURE(5, 0)
CAPTURE(6, 0) CAPTURE(7, 0) CAPTURE(8, 4) CAPTURE(9, 0) CAPTURE(10, 4) CAPTURE(11, 4)
CAPTURE(12, 4) CAPTURE(13, 4) CAPTURE(14, 4) CAPTURE(15, 0) CAPTURE(16, 0)
CAPTURE(17, 4) CAPTURE(18, 0) CAPTURE(19, 0)
extern char capture0[], capture1[], capture2[], capture3[], capture4[], capture5[],
	capture6[], capture7[], capture8[], capture9[], capture10[], capture11[],
	capture12[], capture13[], capture14[], capture15[], capture16[], capture17[],
	capture18[], capture19[];

/* What call *(%ebx) calls, and where jmp *(%ebx) goes (inside f_jmpm). */
asm(".text\n\t.globl ret_only\nret_only:\n\tret\n");
extern char ret_only[], jmp_back[];

/* ------------------------------------------------------------------------
 * Targets: where a window is, what of it the target stores, and how the
 * harness fills and reads it without the form's help.
 * ------------------------------------------------------------------------ */

enum { T_RAM, T_MON, T_PT, T_IO8, T_IO32 };

struct target {
	const char *name;
	int kind;
	uint32_t win;		/* the window's linear address */
	uint32_t poff;		/* where in it the form's pointer goes */
	uint32_t mask[8];	/* per dword: the bits it stores and reads back */
};

static uint32_t ramwin[8] __attribute__((aligned(32)));
static uint32_t aux[8] __attribute__((aligned(32)));	/* strings' other side */
static uint32_t xstack[64] __attribute__((aligned(16)));	/* forms' own stack */

static const struct target t_mon = { "mon", T_MON, MONLA + 0x100, 16,
	{ ~0u, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u } };
static const struct target t_pt = { "pt", T_PT, (uint32_t) &tpt[PT_SLOT], 16,
	{ ~0u, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u } };
static const struct target t_io8 = { "io8", T_IO8, IOAPIC, 0,
	{ 0xff, 0, 0, 0, 0, 0, 0, 0 } };
static const struct target t_io32 = { "io32", T_IO32, IOAPIC, IOWIN,
	{ 0, 0, 0, 0, 0xff000000u, 0, 0, 0 } };

static volatile uint32_t *
io32(uint32_t off)
{
	return (volatile uint32_t *) (IOAPIC + off);
}

/* Fill the window (mem already masked), by a way that is not the form's. */
static void
win_put(const struct target *t, const uint32_t *mem)
{
	volatile uint32_t *w = t->kind == T_RAM ? ramwin :
		t->kind == T_MON ? &monpage[0x100 / 4] : (volatile uint32_t *) t->win;
	int i;

	switch (t->kind) {
	case T_IO8:
		*(volatile uint8_t *) IOAPIC = mem[0];
		break;
	case T_IO32:
		*io32(0) = IO_REG;
		*io32(IOWIN) = mem[4];
		break;
	default:
		for (i = 0; i < 8; i++)
			w[i] = mem[i];
	}
}

static void
win_get(const struct target *t, uint32_t *mem)
{
	volatile uint32_t *w = t->kind == T_RAM ? ramwin :
		t->kind == T_MON ? &monpage[0x100 / 4] : (volatile uint32_t *) t->win;
	int i;

	for (i = 0; i < 8; i++)
		mem[i] = 0;
	switch (t->kind) {
	case T_IO8:
		mem[0] = *(volatile uint8_t *) IOAPIC;
		break;
	case T_IO32:
		mem[4] = *io32(IOWIN);
		break;
	default:
		for (i = 0; i < 8; i++)
			mem[i] = w[i];
	}
}

/* Can form f run on target t (beyond RAM)? */
static int
applies(const struct form *f, const struct target *t)
{
	if (t->kind == T_PT)
		return !(f->flags & F_NOTRACE);
	if (t->kind == T_MON)
		return 1;
	if (f->flags & (F_STACK | F_NOIO))
		return 0;
	if (t->kind == T_IO8)
		return f->size == 1 || (f->size == 2 && f->use == U_R);
	return f->size >= 4;
}

/* ------------------------------------------------------------------------
 * Operands: a fixed sequence, so that every run sees the same ones.
 * ------------------------------------------------------------------------ */

static uint32_t seed = 0x2545f491;

static uint32_t
rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 17;
	seed ^= seed << 5;
	return seed;
}

static uint32_t
pick(void)
{
	static const uint32_t pool[] = {
		0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff,
		0x80000000, 0xffffffff, 0x12345678, 0xdeadbeef, 0x0f0f0f0f, 0x00ff00ff,
	};
	uint32_t r = rnd();

	return (r & 1) ? pool[(r >> 1) % 16] : rnd();
}

/* A value whose bits are only where mask has them: a byte, spread. */
static uint32_t
fit(uint32_t v, uint32_t mask)
{
	if (mask == ~0u || mask == 0)
		return v & mask;
	return mask == 0xff ? v & 0xff : (v & 0xff) << 24;
}

struct vec {
	uint32_t mem[8];	/* the window */
	uint32_t reg[8];
	uint8_t rel;		/* bit r: reg[r] is an offset into the window */
	uint8_t relout;		/* the same, after the form */
	uint32_t fl;
	uint32_t aux[8];
};

#define NVEC	10

static void
gen(const struct form *f, const struct target *t, int k, struct vec *v)
{
	static const uint8_t counts[] = { 0, 1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33, 0xe1 };
	uint32_t p = t->poff / 4;
	int io = t->kind == T_IO8 || t->kind == T_IO32, i, rep;

	for (i = 0; i < 8; i++) {
		v->mem[i] = fit(pick(), t->mask[i]);
		v->reg[i] = pick();
		v->aux[i] = pick();
	}
	v->rel = 1 << REG_EBX;
	v->reg[REG_EBX] = t->poff;
	v->reg[REG_ESP] = (uint32_t) &xstack[48];
	v->fl = rnd() & FL_ARITH;
	switch (f->gen) {
	case G_CNT:
		v->reg[REG_ECX] = counts[rnd() % sizeof(counts)];
		/* a 16-bit shld/shrd past 16 leaves its result undefined */
		if ((f->fm & 0xf000) == 0x2000 && f->size == 2 && (v->reg[REG_ECX] & 31) > 16)
			v->reg[REG_ECX] = 16;
		break;
	case G_DIV:
		v->reg[REG_EDX] = k % 4 == 0 ? 0 : k % 4 == 1 ? pick() & 0xff :
				  k % 4 == 2 ? ~0u : pick();
		if (k == 3)
			v->mem[p] = 0;			/* #DE */
		break;
	case G_BIT:
		/* a register bit offset reaches the units around the operand;
		 * a device register is one unit */
		v->reg[REG_ECX] = io ? rnd() % (8 * f->size) :
				  (uint32_t) ((int) (rnd() % 256) - 128);
		break;
	case G_BSF:
		if (k % 3 == 0)
			v->mem[p] = 0;
		break;
	case G_CMPX:
		if (k & 1)
			v->reg[REG_EAX] = v->mem[p];
		break;
	case G_CX8:
		v->rel = 1 << REG_ESI;
		v->reg[REG_ESI] = t->poff;
		if (k & 1) {
			v->reg[REG_EAX] = v->mem[p];
			v->reg[REG_EDX] = v->mem[p + 1];
		}
		break;
	case G_XLAT:
		v->reg[REG_EAX] = (v->reg[REG_EAX] & ~0xffu) | (rnd() % 16);
		break;
	case G_BOUND:
		if (k & 1)
			v->reg[REG_ECX] = v->mem[p] + (rnd() & 0xff);
		break;
	case G_SRC:
	case G_DST:
		/* strings: a few elements, either way; from the IOAPIC's IOREGSEL
		 * only forwards, since nothing of it lies below */
		rep = rnd() % 4;
		v->reg[REG_ECX] = rep;
		v->fl |= (rnd() & 1) && !(t->kind == T_IO8 && rep > 1) ? FL_DF : 0;
		v->rel = 1 << (f->gen == G_SRC ? REG_ESI : REG_EDI);
		v->reg[f->gen == G_SRC ? REG_ESI : REG_EDI] = t->poff;
		v->reg[f->gen == G_SRC ? REG_EDI : REG_ESI] = (uint32_t) &aux[4];
		/* equal elements, so that repe goes on; one different, sometimes */
		for (i = 0; i < 8; i++)
			v->aux[i] = v->mem[i];
		if (k & 1)
			v->aux[rnd() % 8] ^= 1u << (rnd() % 32);
		if (k & 2)
			v->reg[REG_EAX] = v->mem[p];
		if (t->kind == T_IO8)
			v->reg[REG_EAX] &= ~0xff00u;	/* IOREGSEL reads as one byte */
		break;
	case G_STK:
	case G_STKTOP:
	case G_STKBOT:
	case G_POPF:
	case G_LEAVE:
		/* popal and leave load %ebp from the window */
		v->rel = 1 << REG_ESP | (f->gen == G_STKBOT ? 0 : 1 << REG_EBP);
		v->relout = 1 << REG_ESP | (f->gen == G_STKBOT || f->gen == G_LEAVE ? 0 :
					    1 << REG_EBP);
		v->reg[REG_ESP] = f->gen == G_STKTOP ? 32 : f->gen == G_STKBOT ? 0 : 16;
		if (v->rel & 1 << REG_EBP)
			v->reg[REG_EBP] = 28;
		if (f->gen == G_POPF)
			v->mem[4] = (pick() & FL_ARITH) | (rnd() & FL_DF) | 0x2;
		break;
	case G_CALL:
		v->mem[p] = (uint32_t) ret_only;
		break;
	case G_JMP:
		v->mem[p] = (uint32_t) jmp_back;
		break;
	case G_IDX:
		v->reg[REG_EAX] = 1;
		break;
	}
	if (f->gen < G_STK || f->gen > G_LEAVE)
		v->relout = v->rel;
}

/* ------------------------------------------------------------------------
 * One run, and the comparison of two.
 * ------------------------------------------------------------------------ */

struct result {
	int vec;		/* gtry: -1, or the exception */
	uint32_t err, eip, cr2;
	uint32_t reg[8], fl, mem[8], aux[8];
};

/* Patch the address of the window's pointer into a moffs form. */
static void
patch_moffs(const struct form *f, uint32_t la)
{
	volatile uint8_t *p = f->moffs;

	p[0] = la;
	p[1] = la >> 8;
	p[2] = la >> 16;
	p[3] = la >> 24;
}

/* Under te, make the shadow trace tpt again: a fill through it. */
static void
retrace(void)
{
	asm volatile("invlpg (%0)" : : "r" (TESTLA) : "memory");
	(void) *(volatile uint32_t *) TESTLA;
}

static void
run(const struct form *f, const struct target *t, const struct vec *v,
    struct result *r)
{
	uint32_t mem[8], win = t->kind == T_RAM ? (uint32_t) ramwin : t->win;
	struct gfault gf;
	int i;

	for (i = 0; i < 8; i++) {
		mem[i] = v->mem[i];
		aux[i] = v->aux[i];
	}
	win_put(t, mem);
	if (t->kind == T_PT)
		retrace();
	for (i = 0; i < 8; i++)
		st_in[i] = v->reg[i] + ((v->rel >> i) & 1 ? win : 0);
	st_fl_in = v->fl | 0x2;
	if (f->flags & F_MOFFS)
		patch_moffs(f, win + t->poff);
	r->vec = gtry(f->fn, 0, &gf);
	asm volatile("cld");
	r->err = r->vec >= 0 ? gf.err : 0;
	r->eip = r->vec >= 0 ? gf.eip : 0;
	r->cr2 = r->vec == T_PF ? gf.cr2 - win : 0;
	for (i = 0; i < 8; i++)
		r->reg[i] = st_out[i] - ((v->relout >> i) & 1 ? win : 0);
	r->fl = st_fl_out;
	win_get(t, r->mem);
	for (i = 0; i < 8; i++) {
		/* addresses in the window, as offsets (pushal, enter) */
		if ((f->flags & F_PTRMEM) && r->mem[i] - win <= 32)
			r->mem[i] = 0xeeee0000 | (r->mem[i] - win);
		r->aux[i] = aux[i];
	}
}

/* The flags to compare after form f on operands v. */
static uint32_t
flag_mask(const struct form *f, const struct vec *v)
{
	unsigned c, op, bits = 8 * f->size;

	switch (f->fm) {
	case FM_ALL: return FL_ARITH | FL_DF;
	case FM_LOGIC: return (FL_ARITH & ~FL_AF) | FL_DF;
	case FM_CO: return FL_CF | FL_OF | FL_DF;
	case FM_Z: return FL_ZF | FL_DF;
	case FM_C: return FL_CF | FL_DF;
	case FM_NONE: return FL_DF;
	}
	c = (f->fm & 0xff) == 0xff ? v->reg[REG_ECX] & 0x1f : f->fm & 0x1f;
	if (c == 0)
		return FL_ARITH | FL_DF;	/* nothing changes */
	if ((f->fm & 0xf000) == 0x2000)	/* shld, shrd */
		return FL_CF | FL_PF | FL_ZF | FL_SF | (c == 1 ? FL_OF : 0) | FL_DF;
	op = (f->fm >> 8) & 7;
	if (op < 4)			/* rotates: CF, OF; the rest unaffected */
		return (FL_ARITH & ~(c == 1 ? 0 : FL_OF)) | FL_DF;
	/* shifts: AF undefined, OF past 1, CF of shl/shr from the size on */
	return FL_PF | FL_ZF | FL_SF | (c == 1 ? FL_OF : 0) |
	       (op == 7 || c < bits ? FL_CF : 0) | FL_DF;
}

/* How a run differed from the RAM run: what, and the two values. */
struct diff {
	const char *what;
	uint32_t got, want;
};

static const char *const regname[] = {
	"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"
};
static const char *const memname[] = {
	"window dword 0", "window dword 1", "window dword 2", "window dword 3",
	"window dword 4", "window dword 5", "window dword 6", "window dword 7",
};
static const char *const auxname[] = {
	"aux dword 0", "aux dword 1", "aux dword 2", "aux dword 3",
	"aux dword 4", "aux dword 5", "aux dword 6", "aux dword 7",
};

static int
differ(struct diff *d, const char *what, uint32_t got, uint32_t want)
{
	d->what = what;
	d->got = got;
	d->want = want;
	return got != want;
}

/* Does b, on target t, match the RAM run a?  If not, d says where. */
static int
same(const struct form *f, const struct target *t, const struct vec *v,
     const struct result *a, const struct result *b, struct diff *d)
{
	uint32_t fm = flag_mask(f, v);
	int i, skip = -1;

	/* bsf and bsr of 0 leave the destination undefined */
	if (f->gen == G_BSF && (v->mem[t->poff / 4] & (f->size == 2 ? 0xffff : ~0u)) == 0)
		skip = REG_ECX;
	if (differ(d, "exception", b->vec, a->vec) ||
	    differ(d, "error code", b->err, a->err) ||
	    differ(d, "faulting eip", b->eip, a->eip) ||
	    differ(d, "cr2 in the window", b->cr2, a->cr2) ||
	    differ(d, "flags", b->fl & fm, a->fl & fm))
		return 0;
	for (i = 0; i < 8; i++)
		if (i != skip && differ(d, regname[i], b->reg[i], a->reg[i]))
			return 0;
	for (i = 0; i < 8; i++)
		if (differ(d, memname[i], b->mem[i] & t->mask[i], a->mem[i] & t->mask[i]) ||
		    differ(d, auxname[i], b->aux[i], a->aux[i]))
			return 0;
	return 1;
}

/*
 * A check's name, one word: prefix, then the form's text (what follows
 * "# " if it has a comment: the .byte forms say there what they are),
 * a space after ',' or ';' dropped and the others made '-'.
 */
static const char *
check_name(char *buf, int n, const char *prefix, const char *text)
{
	const char *t;
	int i = 0;

	for (t = text; *t; t++)
		if (t[0] == '#' && t[1] == ' ')
			text = t + 2;
	while (*prefix && i < n - 1)
		buf[i++] = *prefix++;
	for (; *text && i < n - 1; text++) {
		if (*text != ' ')
			buf[i++] = *text;
		else if (i > 0 && buf[i - 1] != ',' && buf[i - 1] != ';')
			buf[i++] = '-';
	}
	if (i > 0 && buf[i - 1] == '-')
		i--;
	buf[i] = 0;
	return buf;
}

/* Form f on every target of this phase, NVEC operand sets each: one check. */
static void
check_form(const struct form *f, const struct target *const *ts, int nt, int phys)
{
	struct result a, b;
	struct diff d;
	struct vec v;
	char name[96];
	int i, k, runs = 0;

	check_name(name, sizeof(name), phys ? "phys/" : "", f->name);
	for (i = 0; i < nt; i++) {
		struct target ref = *ts[i];

		if (!applies(f, ts[i]))
			continue;
		/* the RAM run sees the target's geometry, and what it stores */
		ref.kind = T_RAM;
		ref.name = "ram";
		for (k = 0; k < NVEC; k++) {
			gen(f, ts[i], k, &v);
			run(f, &ref, &v, &a);
			run(f, ts[i], &v, &b);
			runs++;
			if (!same(f, ts[i], &v, &a, &b, &d)) {
				gresult(name, 0, "on %s, operands %d: %s %x, on RAM %x",
					ts[i]->name, k, d.what, d.got, d.want);
				return;
			}
		}
	}
	if (runs > 0)
		gresult(name, 1, "%s", "");
}

/* Find the moffs forms' address bytes (0x0badf00d) in their code. */
static void
find_moffs(void)
{
	unsigned i, j;

	for (i = 0; i < NFORMS; i++) {
		uint8_t *c = (uint8_t *) forms[i].fn;

		if (!(forms[i].flags & F_MOFFS))
			continue;
		for (j = 0; j < 256; j++)
			if (c[j] == 0x0d && c[j + 1] == 0xf0 && c[j + 2] == 0xad && c[j + 3] == 0x0b)
				break;
		forms[i].moffs = c + j;
	}
}

/* ------------------------------------------------------------------------
 * Setting up: tables, then paging.
 * ------------------------------------------------------------------------ */

static void
setup(void)
{
	uint32_t i, j;

	gflat_gdt(gdt, tss, sizeof(tss), ldt, sizeof(ldt));
	static char *const capture[] = {
		capture0, capture1, capture2, capture3, capture4, capture5, capture6,
		capture7, capture8, capture9, capture10, capture11, capture12, capture13,
		capture14, capture15, capture16, capture17, capture18, capture19,
	};

	tss[25] = sizeof(tss) << 16;		/* no I/O bitmap */
	gtry_gates(idt);
	for (i = 0; i < sizeof(capture) / sizeof(capture[0]); i++)
		idt[i] = gate(capture[i], 0);
	gload_tables(gdt, sizeof(gdt), idt, sizeof(idt));

	for (i = 0; i < 2; i++) {
		for (j = 0; j < 1024; j++)
			idpt[i][j] = (i << 22 | j << 12) | PTE_P | PTE_W;
		pgdir[i] = (uint32_t) idpt[i] | PTE_P | PTE_W;
	}
	pgdir[PDX(TESTLA)] = (uint32_t) tpt | PTE_P | PTE_W;
	for (i = 0; i < 32; i++)
		tpt[i] = FRAME(i) | PTE_P | PTE_W;
	/* the monitor's range: one page, then nothing (the fault checks) */
	pgdir[PDX(MONLA)] = (uint32_t) mpt | PTE_P | PTE_W;
	mpt[PTX(MONLA)] = (uint32_t) monpage | PTE_P | PTE_W;
	pgdir[PDX(IOAPIC)] = (uint32_t) iopt | PTE_P | PTE_W;
	iopt[PTX(IOAPIC)] = IOAPIC | PTE_P | PTE_W | PTE_PCD | PTE_PWT;
	for (i = 0; i < 32; i++)
		*(volatile uint32_t *) FRAME(i) = MAGIC(FRAME(i));
}

static void
paging_on(void)
{
	uint32_t cr0;

	asm volatile("movl %0, %%cr3" : : "r" (pgdir) : "memory");
	asm volatile("movl %%cr0, %0" : "=r" (cr0));
	asm volatile("movl %0, %%cr0" : : "r" (cr0 | CR0_PG | CR0_WP) : "memory");
	/* use tpt, so that the shadow copies it (and traces it) */
	retrace();
}

/* ------------------------------------------------------------------------
 * Page-table entries rewritten in place: the mapping must follow.
 * ------------------------------------------------------------------------ */

static void
invlpg(uint32_t la)
{
	asm volatile("invlpg (%0)" : : "r" (la) : "memory");
}

static uint32_t
peek(uint32_t la)
{
	return *(volatile uint32_t *) la;
}

/* A read or write of la under gtry: the vector, -1 if none; f says how. */
static uint32_t probe_la, probe_val;

static void
probe_read_fn(void *arg)
{
	(void) arg;
	probe_val = *(volatile uint32_t *) probe_la;
}

static void
probe_write_fn(void *arg)
{
	(void) arg;
	*(volatile uint32_t *) probe_la = probe_val;
}

static int
probe(uint32_t la, int write, uint32_t val, struct gfault *f)
{
	probe_la = la;
	probe_val = val;
	return gtry(write ? probe_write_fn : probe_read_fn, 0, f);
}

/* Page i of TESTLA, through tpt[i], reads frame n's magic. */
static int
maps(uint32_t i, uint32_t n)
{
	invlpg(TESTLA + i * PGSIZE);
	return peek(TESTLA + i * PGSIZE) == MAGIC(FRAME(n));
}

static void
test_pte(void)
{
	pte_t *e = &tpt[8], old, cf;
	uint32_t lo, hi, src[4];
	struct gfault f;
	int v, i, ok;

	(void) maps(8, 8);
	/* xchg: the new entry in, the old out (accessed by the read above) */
	old = FRAME(9) | PTE_P | PTE_W;
	asm volatile("xchgl %0, %1" : "+r" (old), "+m" (*e) : : "memory");
	gcheck("pte-xchg", old == (FRAME(8) | PTE_P | PTE_W | PTE_A) && maps(8, 9), old,
	       FRAME(8) | PTE_P | PTE_W | PTE_A);
	/* lock cmpxchg: equal, replaced; unequal, left */
	old = *e;
	lo = FRAME(10) | PTE_P | PTE_W;
	asm volatile("lock cmpxchgl %2, %1" : "+a" (old), "+m" (*e) : "r" (lo) : "memory", "cc");
	ok = maps(8, 10);
	old = FRAME(3);
	asm volatile("lock cmpxchgl %2, %1" : "+a" (old), "+m" (*e) : "r" (FRAME(4) | PTE_P) :
		     "memory", "cc");
	gcheck("pte-cmpxchg", ok && old == (FRAME(10) | PTE_P | PTE_W | PTE_A) && maps(8, 10),
	       old, FRAME(10) | PTE_P | PTE_W | PTE_A);
	/* and, or: write-protect, then writable again */
	asm volatile("lock andl %1, %0" : "+m" (*e) : "ir" (~PTE_W) : "memory", "cc");
	invlpg(TESTLA + 8 * PGSIZE);
	v = probe(TESTLA + 8 * PGSIZE, 1, 0x1234, &f);
	gresult("pte-and-write-protects", v == T_PF && f.err == (PF_P | PF_W) &&
		f.cr2 == TESTLA + 8 * PGSIZE, "got vector %d err %x cr2 %x", v, f.err, f.cr2);
	asm volatile("lock orl %1, %0" : "+m" (*e) : "ir" (PTE_W) : "memory", "cc");
	invlpg(TESTLA + 8 * PGSIZE);
	v = probe(TESTLA + 8 * PGSIZE, 1, MAGIC(FRAME(10)), &f);
	gcheck("pte-or-write-enables", v < 0 && (*e & PTE_D), *e,
	       FRAME(10) | PTE_P | PTE_W | PTE_A | PTE_D);
	/* btr P: not present; bts P: back */
	asm volatile("lock btrl $0, %0; setc %b1" : "+m" (*e), "=q" (cf) : : "memory", "cc");
	invlpg(TESTLA + 8 * PGSIZE);
	v = probe(TESTLA + 8 * PGSIZE, 0, 0, &f);
	gresult("pte-btr-unmaps", (cf & 0xff) == 1 && v == T_PF && f.err == 0,
		"got CF %d vector %d err %x", cf & 0xff, v, f.err);
	asm volatile("btsl $0, %0; setc %b1" : "+m" (*e), "=q" (cf) : : "memory", "cc");
	gresult("pte-bts-maps", (cf & 0xff) == 0 && maps(8, 10), "got CF %d, entry %x",
		cf & 0xff, *e);
	/* xadd: the next frame */
	lo = PGSIZE;
	asm volatile("lock xaddl %0, %1" : "+r" (lo) : "m" (*e) : "memory", "cc");
	gcheck("pte-xadd", (lo & ~0xfffu) == FRAME(10) && maps(8, 11), lo, FRAME(10));
	/* cmpxchg8b: two entries at once */
	lo = tpt[8];
	hi = tpt[9];
	asm volatile("lock cmpxchg8b %0" : "+m" (*(volatile uint64_t *) &tpt[8]), "+a" (lo),
		     "+d" (hi) : "b" (FRAME(12) | PTE_P | PTE_W), "c" (FRAME(13) | PTE_P | PTE_W) :
		     "memory", "cc");
	gresult("pte-cmpxchg8b", maps(8, 12) && maps(9, 13), "got entries %x %x", tpt[8], tpt[9]);
	/* rep stos: four entries cleared */
	for (i = 0; i < 4; i++)
		(void) maps(16 + i, 16 + i);
	{
		uint32_t *dst = &tpt[16], n = 4;

		asm volatile("cld; rep stosl" : "+D" (dst), "+c" (n) : "a" (0) : "memory");
	}
	ok = 1;
	for (i = 0; i < 4; i++) {
		invlpg(TESTLA + (16 + i) * PGSIZE);
		ok &= probe(TESTLA + (16 + i) * PGSIZE, 0, 0, &f) == T_PF;
	}
	gresult("pte-rep-stos", ok, "a cleared entry still maps");
	/* rep movs: four entries copied in */
	for (i = 0; i < 4; i++)
		src[i] = FRAME(20 + i) | PTE_P | PTE_W;
	{
		uint32_t *dst = &tpt[16], *s = src, n = 4;

		asm volatile("cld; rep movsl" : "+D" (dst), "+S" (s), "+c" (n) : : "memory");
	}
	ok = 1;
	for (i = 0; i < 4; i++)
		ok &= maps(16 + i, 20 + i);
	gresult("pte-rep-movs", ok, "entries %x %x %x %x", tpt[16], tpt[17], tpt[18], tpt[19]);
	/*
	 * An MMX store, which the emulator does not know: under te the
	 * monitor stops shadowing the table and lets the guest retry, so
	 * the store must land all the same.
	 */
	lo = FRAME(24) | PTE_P | PTE_W;
	(void) maps(24, 24);
	asm volatile("movd %1, %%mm0; movd %%mm0, %0; emms" : "=m" (tpt[24]) : "r" (lo) : "memory");
	retrace();
	gresult("pte-unknown-store", tpt[24] == lo && maps(24, 24), "got entry %x", tpt[24]);
	lo = FRAME(25) | PTE_P | PTE_W;
	asm volatile("movd %1, %%mm0; movd %%mm0, %0; emms" : "=m" (tpt[24]) : "r" (lo) : "memory");
	gresult("pte-unknown-store-maps", maps(24, 25), "got entry %x", tpt[24]);
}

/* ------------------------------------------------------------------------
 * Faults half-way: the same on RAM (TESTLA page 28, then an unmapped
 * page) as in the monitor's range (the page at MONLA, then nothing).
 * ------------------------------------------------------------------------ */

static void
fault_run(uint32_t base, const struct form *f, const uint32_t *regs, struct result *r)
{
	struct gfault gf;
	int i;

	for (i = 0; i < 8; i++)
		st_in[i] = regs[i] + (i == REG_EDI || i == REG_EBX ? base : 0);
	st_fl_in = 0x2;
	r->vec = gtry(f->fn, 0, &gf);
	asm volatile("cld");
	r->err = gf.err;
	r->cr2 = gf.cr2 - base;
	for (i = 0; i < 8; i++)
		r->reg[i] = st_out[i] - (i == REG_EDI || i == REG_EBX ? base : 0);
}

static const struct form *
form_named(void (*fn)(void *))
{
	unsigned i;

	for (i = 0; i < NFORMS; i++)
		if (forms[i].fn == fn)
			return &forms[i];
	return &forms[0];
}

static void
test_midway(void)
{
	static const struct { const char *name; void (*fn)(void *); uint32_t off, ecx; } c[] = {
		{ "midway-rep-stos", f_repstosl, PGSIZE - 8, 5 },
		{ "midway-rep-movs", f_repmovs_tol, PGSIZE - 12, 7 },
		{ "midway-read-crossing", f_movl_mr, PGSIZE - 2, 0 },
		{ "midway-write-crossing", f_movl_rm, PGSIZE - 3, 0x1234 },
	};
	uint32_t regs[8];
	struct result a, b;
	unsigned i, j;
	int ok;

	tpt[28] = FRAME(28) | PTE_P | PTE_W;
	tpt[29] = 0;
	invlpg(TESTLA + 29 * PGSIZE);
	retrace();
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		for (j = 0; j < 8; j++)
			regs[j] = 0x11111111 * (j + 1);
		regs[REG_EDI] = regs[REG_EBX] = c[i].off;
		regs[REG_ESI] = (uint32_t) aux;
		regs[REG_ECX] = c[i].ecx;
		regs[REG_ESP] = (uint32_t) &xstack[48];
		fault_run(TESTLA + 28 * PGSIZE, form_named(c[i].fn), regs, &a);
		fault_run(MONLA, form_named(c[i].fn), regs, &b);
		ok = a.vec == T_PF && b.vec == T_PF && a.err == b.err && a.cr2 == b.cr2;
		for (j = 0; j < 8; j++)
			ok &= a.reg[j] == b.reg[j];
		gresult(c[i].name, ok, "vector %d err %x cr2 +%x ecx %x edi +%x, on RAM %d "
			"err %x cr2 +%x ecx %x edi +%x", b.vec, b.err, b.cr2, b.reg[REG_ECX],
			b.reg[REG_EDI], a.vec, a.err, a.cr2, a.reg[REG_ECX], a.reg[REG_EDI]);
	}
}

void
gmain(uint32_t magic, uint32_t info)
{
	static const struct target *const phys[] = { &t_io8, &t_io32 };
	static const struct target *const paged[] = { &t_mon, &t_pt, &t_io8, &t_io32 };
	unsigned i;

	(void) magic, (void) info;
	ginit();
	gsuite("conf_emul");
	setup();
	find_moffs();
	gprintf("conf_emul: %d forms\n", (int) NFORMS);
	for (i = 0; i < NFORMS; i++)
		check_form(&forms[i], phys, 2, 1);
	paging_on();
	for (i = 0; i < NFORMS; i++)
		check_form(&forms[i], paged, 4, 0);
	test_pte();
	test_midway();
	gdone();
}
