/*
 * inline.c - the inline rules (vmm/bt/inline.h; Adams & Agesen, section
 * 3.2, "privileged instructions ... handled inline where short").
 *
 * Every sequence reaches the monitor's state only as %gs:offset (struct
 * bt_rseg), touches no guest memory the guest instruction would not, and
 * writes nothing below the guest's stack pointer: a guest can tell none
 * of it from its own instruction.  The three:
 *
 *	cli	movl $0, %gs:vif
 *
 *	pushf	pushfl				; the real image: IOPL 0
 *		movl %eax, %gs:save_eax
 *		movl %ecx, %gs:save_ecx
 *		movl %gs:vif, %eax
 *		movl %gs:pushf_delta(,%eax,4), %eax
 *		movl (%esp), %ecx
 *		leal (%ecx,%eax), %eax		; lea: the flags stay the guest's
 *		movl %eax, (%esp)		; the virtual image: done
 *		movl %gs:save_ecx, %ecx
 *		movl %gs:save_eax, %eax
 *
 *	ret	popl %gs:target			; the ret itself: done
 *		movl %eax, %gs:save_eax
 *		lahf; seto %al			; the arithmetic flags
 *		movl %eax, %gs:save_flags
 *		movl %ecx, %gs:save_ecx
 *		movl %gs:target, %eax
 *		incl %gs:lookups
 *		imull $BT_IND_MUL, %eax, %ecx
 *		shrl $(32 - BT_IND_BITS), %ecx
 *		cmpl %gs:ind(,%ecx,8), %eax
 *		jne miss
 *		movl %gs:ind+4(,%ecx,8), %ecx	; a hit: the target's unit
 *		movl %ecx, %gs:jump
 *		(the flags, ecx and eax back)
 *		jmp *%gs:jump
 *	miss:	(the flags, ecx and eax back)
 *		int $BT_EXIT_VEC		; the monitor looks the target up
 *						; and fills the entry
 *
 *	call *OP, jmp *OP: the target pushed by the guest's own operand
 *		and popped into the rseg, the return address pushed, then
 *		the lookup as for ret (emit_indirect)
 *
 * cli and pushf leave their unit going on.  popf, sti and iret stay exits: each may open the guest to
 * an interrupt that is pending, which is the monitor's to deliver.
 */
#include "kern/types.h"
#include "kern/string.h"
#include "vmm/decode.h"
#include "vmm/vcpu.h"
#include "vmm/bt/bt.h"
#include "vmm/bt/rseg.h"
#include "vmm/bt/inline.h"

#define GS	0x65			/* the %gs segment prefix */
#define MAX_POINTS	40

/* Each rule's instruction boundaries and their fixes: filled once, by
 * writing the rule into a scratch buffer (the bytes never vary). */
struct rule_points {
	unsigned n;
	uint8_t off[MAX_POINTS], fix[MAX_POINTS];
};

static struct rule_points points[BT_NRULES];
static bool points_made;

/* The sequence being written, and the table being made if any. */
struct seq {
	struct bt_buf *b;
	uint32_t start;
	struct rule_points *rec;
};

/* The next instruction of the sequence begins here, with the CPU's
 * state differing from the guest's by @fix. */
static void
at(struct seq *s, unsigned fix)
{
	struct rule_points *r = s->rec;

	if (r && r->n < MAX_POINTS) {
		r->off[r->n] = s->b->len - s->start;
		r->fix[r->n++] = fix;
	}
}

/* gs-prefixed op, ModRM modrm, and a displacement into the rseg; SIB
 * @sib if not 0. */
static void
gs_mem(struct seq *s, uint8_t op, uint8_t modrm, uint8_t sib, uint32_t field)
{
	bt_emit_u8(s->b, GS);
	bt_emit_u8(s->b, op);
	bt_emit_u8(s->b, modrm);
	if (sib)
		bt_emit_u8(s->b, sib);
	bt_emit_u32(s->b, field);
}

/* movl %eax, %gs:field and back: the moffs forms. */
static void
gs_store_eax(struct seq *s, uint32_t field)
{
	bt_emit_u8(s->b, GS);
	bt_emit_u8(s->b, 0xa3);
	bt_emit_u32(s->b, field);
}

static void
gs_load_eax(struct seq *s, uint32_t field)
{
	bt_emit_u8(s->b, GS);
	bt_emit_u8(s->b, 0xa1);
	bt_emit_u32(s->b, field);
}

static void
emit_cli(struct seq *s)
{
	at(s, 0);
#if SOL >= 6
	gs_mem(s, 0xc7, 0x05, 0, BT_RSEG_FIELD(vif));	/* movl $0, %gs:vif */
	bt_emit_u32(s->b, 0);
#else
	/* LAB 6: your code here.
	 * cli clears the virtual IF, which lives in the rseg while
	 * translated code runs (struct bt_rseg's vif: 0 clear, 1 set):
	 * one store through %gs does it, movl $0, %gs:vif (c7 /0 with a
	 * disp32: gs_mem() writes all but the immediate).  Until then the
	 * guest's own cli is copied: at ring 1, with IOPL 0, it traps, and
	 * the monitor emulates it, as te does. */
	bt_emit_u8(s->b, 0xfa);
#endif
}

static void
emit_pushf(struct seq *s)
{
	static const uint8_t build[] = {
		0x8b, 0x0c, 0x24,	/* movl (%esp), %ecx */
		0x8d, 0x04, 0x01,	/* leal (%ecx,%eax), %eax */
	};
	const unsigned undo = BT_FIX_ESP4 | BT_FIX_EAX | BT_FIX_ECX;

	at(s, 0);
	bt_emit_u8(s->b, 0x9c);				/* pushfl */
	at(s, BT_FIX_ESP4);
	gs_store_eax(s, BT_RSEG_FIELD(save_eax));
	at(s, BT_FIX_ESP4 | BT_FIX_EAX);
	gs_mem(s, 0x89, 0x0d, 0, BT_RSEG_FIELD(save_ecx));
	at(s, undo);
	gs_load_eax(s, BT_RSEG_FIELD(vif));
	at(s, undo);
	/* movl %gs:pushf_delta(,%eax,4), %eax */
	gs_mem(s, 0x8b, 0x04, 0x85, BT_RSEG_FIELD(pushf_delta));
	at(s, undo);
	bt_emit(s->b, build, 3);
	at(s, undo);
	bt_emit(s->b, build + 3, 3);
	at(s, undo);
	bt_emit(s->b, (const uint8_t[]) { 0x89, 0x04, 0x24 }, 3);
	at(s, BT_FIX_NEXT | BT_FIX_EAX | BT_FIX_ECX);
	gs_mem(s, 0x8b, 0x0d, 0, BT_RSEG_FIELD(save_ecx));
	at(s, BT_FIX_NEXT | BT_FIX_EAX);
	gs_load_eax(s, BT_RSEG_FIELD(save_eax));
}

/* The guest's flags, ecx and eax back from the rseg, each a boundary
 * with every fix of a done ret. */
static void
ret_restore(struct seq *s, unsigned all)
{
	at(s, all);
	gs_load_eax(s, BT_RSEG_FIELD(save_flags));
	at(s, all);
	bt_emit(s->b, (const uint8_t[]) { 0x04, 0x7f }, 2);	/* OF from al */
	at(s, all);
	bt_emit_u8(s->b, 0x9e);					/* sahf */
	at(s, all);
	gs_mem(s, 0x8b, 0x0d, 0, BT_RSEG_FIELD(save_ecx));
	at(s, all);
	gs_load_eax(s, BT_RSEG_FIELD(save_eax));
}

/* The lookup of the target in the rseg (the guest's control transfer
 * done), a jump to its translation or an exit; returns the exit's
 * offset in the sequence. */
static uint32_t
emit_lookup(struct seq *s)
{
	const unsigned all = BT_FIX_TARGET | BT_FIX_EAX | BT_FIX_ECX |
			     BT_FIX_FLAGS;
	uint32_t jne, stub;

	at(s, BT_FIX_TARGET);
	gs_store_eax(s, BT_RSEG_FIELD(save_eax));
	at(s, BT_FIX_TARGET | BT_FIX_EAX);
	bt_emit_u8(s->b, 0x9f);					/* lahf */
	at(s, BT_FIX_TARGET | BT_FIX_EAX);
	bt_emit(s->b, (const uint8_t[]) { 0x0f, 0x90, 0xc0 }, 3); /* seto */
	at(s, BT_FIX_TARGET | BT_FIX_EAX);
	gs_store_eax(s, BT_RSEG_FIELD(save_flags));
	at(s, BT_FIX_TARGET | BT_FIX_EAX);
	gs_mem(s, 0x89, 0x0d, 0, BT_RSEG_FIELD(save_ecx));
	at(s, all);
	gs_load_eax(s, BT_RSEG_FIELD(target));
	at(s, all);
	gs_mem(s, 0xff, 0x05, 0, BT_RSEG_FIELD(lookups));	/* incl */
	at(s, all);
	bt_emit(s->b, (const uint8_t[]) { 0x69, 0xc8 }, 2);	/* imull */
	bt_emit_u32(s->b, BT_IND_MUL);
	at(s, all);
	bt_emit(s->b, (const uint8_t[]) { 0xc1, 0xe9, 32 - BT_IND_BITS }, 3);
	at(s, all);
	/* cmpl %gs:ind(,%ecx,8), %eax */
	gs_mem(s, 0x3b, 0x04, 0xcd, BT_RSEG_FIELD(ind));
	at(s, all);
	bt_emit(s->b, (const uint8_t[]) { 0x75, 0 }, 2);	/* jne miss */
	jne = s->b->len;
	at(s, all);
	/* movl %gs:ind+4(,%ecx,8), %ecx */
	gs_mem(s, 0x8b, 0x0c, 0xcd, BT_RSEG_FIELD(ind) + 4);
	at(s, all);
	gs_mem(s, 0x89, 0x0d, 0, BT_RSEG_FIELD(jump));
	ret_restore(s, all);
	at(s, all);
	gs_mem(s, 0xff, 0x25, 0, BT_RSEG_FIELD(jump));		/* jmp * */
	if (!s->b->full)
		s->b->code[jne - 1] = s->b->len - jne;
	ret_restore(s, all);
	at(s, all);
	stub = s->b->len - s->start;
	bt_emit(s->b, (const uint8_t[]) { 0xcd, BT_EXIT_VEC }, 2);
	return stub;
}

static uint32_t
emit_ret(struct seq *s)
{
	at(s, 0);
	gs_mem(s, 0x8f, 0x05, 0, BT_RSEG_FIELD(target));	/* popl */
	return emit_lookup(s);
}

/*
 * call *OP and jmp *OP: push OP (the guest's own operand, so its address
 * is computed, and faults, as the guest's instruction would: only the
 * ModRM's opcode field changes), pop it into the rseg, and for a call
 * push the return address; then the lookup.  Between the two pops the
 * slot below the guest's stack pointer holds the target: a call writes
 * it next, a jmp leaves it as a push-and-pop would.
 */
static uint32_t
emit_indirect(struct seq *s, const struct insn *in, uint32_t next, bool call)
{
	uint8_t op[INSN_MAXLEN];

	memcpy(op, in->bytes, in->len);
	op[in->npfx + 1] = (in->modrm & 0xc7) | (6 << 3);	/* ff /6 */
	at(s, 0);
	bt_emit(s->b, op, in->len);
	at(s, BT_FIX_ESP4);
	gs_mem(s, 0x8f, 0x05, 0, BT_RSEG_FIELD(target));	/* popl */
	if (call) {
		at(s, 0);
		bt_emit_u8(s->b, 0x68);				/* pushl $next */
		bt_emit_u32(s->b, next);
	}
	return emit_lookup(s);
}

static uint32_t
emit_rule(struct seq *s, enum bt_rule rule, const struct insn *in,
	  uint32_t next)
{
	switch (rule) {
	case BT_RULE_CLI:
		emit_cli(s);
		return 0;
	case BT_RULE_PUSHF:
		emit_pushf(s);
		return 0;
	case BT_RULE_RET:
		return emit_ret(s);
	case BT_RULE_CALL_IND:
		return emit_indirect(s, in, next, true);
	case BT_RULE_JMP_IND:
		return emit_indirect(s, in, next, false);
	default:
		return 0;
	}
}

/*
 * Each rule's table of boundaries, made by writing it once.  The indirect
 * call and jmp begin with the guest's own operand, of any length: their
 * tables are made with one of CANON_HEAD bytes, and bt_inline_fix()
 * shifts the rest by the real one.
 */
#define CANON_HEAD	2

static void
make_points(void)
{
	static const uint8_t call_eax[] = { 0xff, 0x10 }, jmp_eax[] = { 0xff, 0x20 };
	uint8_t scratch[256];
	struct bt_buf b = { .code = scratch, .cap = sizeof(scratch) };
	struct insn in[BT_NRULES];
	unsigned r;

	memset(in, 0, sizeof(in));
	insn_decode(&in[BT_RULE_CALL_IND], call_eax, CANON_HEAD);
	insn_decode(&in[BT_RULE_JMP_IND], jmp_eax, CANON_HEAD);
	for (r = 0; r < BT_NRULES; r++) {
		struct seq s = { .b = &b, .start = b.len = 0, .rec = &points[r] };

		emit_rule(&s, r, &in[r], 0);
	}
	points_made = true;
}

/* Whether rule begins with the guest's own instruction, rewritten. */
static bool
has_guest_head(enum bt_rule rule)
{
	return rule == BT_RULE_CALL_IND || rule == BT_RULE_JMP_IND;
}

enum bt_rule
bt_inline_rule(const struct insn *in)
{
	/* call *, jmp *: near, 32-bit, through any data segment. */
	if (in->map == MAP_ONE && in->op == 0xff && !(in->prefixes & ~PFX_SEG) &&
	    (in->reg == 2 || in->reg == 4) &&
	    !((in->prefixes & PFX_SEG) && (in->seg == SEG_CS || in->seg == SEG_GS)))
		return in->reg == 2 ? BT_RULE_CALL_IND : BT_RULE_JMP_IND;
	if (in->map != MAP_ONE || (in->prefixes & ~PFX_REP))
		return BT_RULE_NONE;
	switch (in->op) {
	case 0xfa:
		return BT_RULE_CLI;
	case 0x9c:
		return BT_RULE_PUSHF;
	case 0xc3:			/* ret, and gcc's `rep ret` */
		return BT_RULE_RET;
	default:
		return BT_RULE_NONE;
	}
}

uint32_t
bt_emit_inline(struct bt_buf *b, enum bt_rule rule, const struct insn *in,
	       uint32_t next)
{
	struct seq s = { .b = b, .start = b->len };

	if (!points_made)
		make_points();
	return emit_rule(&s, rule, in, next);
}

bool
bt_inline_fix(enum bt_rule rule, uint32_t rel, uint32_t head, unsigned *fix)
{
	const struct rule_points *r;
	unsigned i;

	if (!points_made)
		make_points();
	if (rule >= BT_NRULES)
		return false;
	if (has_guest_head(rule) && rel > 0) {
		if (rel < head)
			return false;
		rel = rel - head + CANON_HEAD;
	}
	r = &points[rule];
	for (i = 0; i < r->n; i++)
		if (r->off[i] == rel) {
			*fix = r->fix[i];
			return true;
		}
	return false;
}

const char *
bt_rule_name(enum bt_rule rule)
{
	static const char *const names[BT_NRULES] = {
		[BT_RULE_CLI] = "cli",
		[BT_RULE_PUSHF] = "pushf",
		[BT_RULE_RET] = "ret",
		[BT_RULE_CALL_IND] = "call*",
		[BT_RULE_JMP_IND] = "jmp*",
	};

	return rule < BT_NRULES ? names[rule] : "?";
}
