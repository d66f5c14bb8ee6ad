/*
 * translate.c - the translation rules, one per class (vmm/bt/translate.h;
 * Adams & Agesen, section 3.2).
 *
 *	IDENT		the guest's bytes, unchanged
 *	direct		jmp and jcc become their rel32 forms aimed at exit
 *			stubs, one per target, after the unit's code;
 *			loop and jecxz, which have only an 8-bit form,
 *			jump over a jmp to their fall-through stub:
 *
 *				loop  taken        ; the guest's condition
 *				jmp   fall
 *			taken:	jmp   stub(target) ; rel32: chained later
 *			fall:	jmp   stub(next)
 *
 *	exposes EIP	call pushes the guest's return address as a
 *			constant, then jumps like a direct jmp
 *	inline		cli, pushf, ret, call * and jmp *: a sequence that
 *			does the instruction's work through the rseg
 *			(vmm/bt/inline.c)
 *	indirect,	an exit that asks the monitor to emulate the guest
 *	privileged	instruction
 *
 * A unit of BT_TU_MAX IDENT instructions ends with a direct jmp to the
 * next guest instruction, so it chains like any other.
 */
#include "kern/types.h"
#include "kern/string.h"
#include "vmm/decode.h"
#include "vmm/bt/translate.h"

static const uint8_t OP_JMP32[] = { 0xe9 };
static const uint8_t OP_INT_EXIT[] = { 0xcd, BT_EXIT_VEC };

/* Record that guest instruction @eip's translation begins here. */
static void
map_insn(struct bt_translation *tx, const struct bt_buf *b, uint32_t eip)
{
	tx->map[tx->nmap++] = (struct bt_insn_map) { .off = b->len, .eip = eip,
						     .rule = BT_RULE_NONE };
}

/* Record that the guest's state at this point of the code stands for
 * guest EIP @eip, unless a guest instruction's translation begins here. */
static void
mark_point(struct bt_translation *tx, const struct bt_buf *b, uint32_t eip)
{
	if (tx->nmap > 0 && tx->map[tx->nmap - 1].off == b->len)
		return;
	tx->point[tx->npoints++] = (struct bt_insn_map) { .off = b->len,
							   .eip = eip,
							   .rule = BT_RULE_NONE };
}

/* A jump to a direct exit's stub, which comes later: its stub offset is
 * filled in by emit_stubs().  Where the jump is, the guest is bound for
 * @target already, unless it is a jcc still to decide. */
static void
direct_exit(struct bt_translation *tx, struct bt_buf *b, const uint8_t *op,
	    uint32_t nop, uint32_t at, uint32_t target)
{
	struct bt_exit *x = &tx->exit[tx->nexits++];

	if (op == OP_JMP32)
		mark_point(tx, b, target);

	*x = (struct bt_exit) { .kind = BT_EXIT_DIRECT, .at = at,
				.target = target };
	x->patch = bt_emit_branch(b, op, nop, b->len);
}

/* An exit in line: the monitor emulates the instruction at @at. */
static void
emulate_exit(struct bt_translation *tx, struct bt_buf *b, uint32_t at)
{
	struct bt_exit *x = &tx->exit[tx->nexits++];

	*x = (struct bt_exit) { .kind = BT_EXIT_EMULATE, .at = at,
				.stub = b->len };
	bt_emit(b, OP_INT_EXIT, sizeof(OP_INT_EXIT));
}

/* The condition code of a jcc, short (7x) or near (0f 8x). */
static uint8_t
jcc_cond(const struct insn *in)
{
	return in->op & 0x0f;
}

static void
translate_direct(struct bt_translation *tx, struct bt_buf *b,
		 const struct insn *in, uint32_t at)
{
	uint32_t next = at + in->len, target = insn_branch_target(in, at);
	uint8_t loop[4] = { in->op, 2, 0xeb, 5 };

	if (in->map == MAP_ONE && in->op >= 0xe0 && in->op <= 0xe3) {
		/* loop*, jecxz: rel8 over a jmp rel8, then the two exits;
		 * at the jmp rel8 the loop has fallen through. */
		bt_emit(b, loop, 2);
		mark_point(tx, b, next);
		bt_emit(b, loop + 2, 2);
		direct_exit(tx, b, OP_JMP32, 1, at, target);
		direct_exit(tx, b, OP_JMP32, 1, at, next);
		return;
	}
#if SOL >= 6
	if (in->flags & INSN_JMP) {
		direct_exit(tx, b, OP_JMP32, 1, at, target);
		return;
	}
	/* A jcc: its rel32 form to the taken stub, then a jmp to the
	 * fall-through's. */
	direct_exit(tx, b, (const uint8_t[]) { 0x0f, 0x80 | jcc_cond(in) }, 2,
		    at, target);
	direct_exit(tx, b, OP_JMP32, 1, at, next);
#else
	/* LAB 6: your code here.
	 * A jmp (in->flags & INSN_JMP) becomes one direct exit to target;
	 * a jcc, whatever its encoding (7x rel8 or 0f 8x rel32), its rel32
	 * form (0f, 80 | condition: jcc_cond()) as a direct exit to target,
	 * followed by a jmp (OP_JMP32) that is a direct exit to next.  See
	 * direct_exit() above: it writes the branch, aimed for now at a stub
	 * that emit_stubs() adds after the unit, and records the exit that
	 * bt_cache_chain() will later point at the target's translation.
	 * Until then every jump is the emulator's, which is correct, and
	 * slow: each one leaves the translation cache. */
	(void) jcc_cond;
	emulate_exit(tx, b, at);
#endif
}

/* A direct call: push the guest's return address, jump to the target. */
static void
translate_call(struct bt_translation *tx, struct bt_buf *b,
	       const struct insn *in, uint32_t at)
{
#if SOL >= 6
	bt_emit_u8(b, 0x68);			/* push imm32 */
	bt_emit_u32(b, at + in->len);
	direct_exit(tx, b, OP_JMP32, 1, at, insn_branch_target(in, at));
#else
	/* LAB 6: your code here.
	 * The call's return address is where the guest's code goes on, not
	 * where its translation does: push it as a constant (push imm32 is
	 * 68 and four bytes), then leave by a direct exit to the call's
	 * target, as a jmp does.  Which guest instructions can tell the
	 * difference if you pushed the translation's address instead? */
	emulate_exit(tx, b, at);
#endif
}

/* The direct exits' stubs, after the code, and the jumps aimed at them. */
static void
emit_stubs(struct bt_translation *tx, struct bt_buf *b)
{
	unsigned i;

	for (i = 0; i < tx->nexits; i++) {
		struct bt_exit *x = &tx->exit[i];

		if (x->kind != BT_EXIT_DIRECT)
			continue;
		x->stub = b->len;
		bt_emit(b, OP_INT_EXIT, sizeof(OP_INT_EXIT));
		if (!b->full)
			bt_patch_rel32(b, x->patch, x->stub);
	}
}

/* An instruction with an inline rule (vmm/bt/inline.c): its sequence,
 * and the exit of a ret's lookup miss. */
static void
translate_inline(struct bt_translation *tx, struct bt_buf *b,
		 const struct insn *in, enum bt_rule rule, uint32_t at)
{
	struct bt_insn_map *m = &tx->map[tx->nmap - 1];
	uint32_t stub = bt_emit_inline(b, rule, in, at + in->len);

	m->rule = rule;
	m->head = in->len;
	m->len = b->len - m->off;
	if (stub)
		tx->exit[tx->nexits++] = (struct bt_exit) {
			.kind = BT_EXIT_INDIRECT, .at = at, .stub = m->off + stub };
}

static void
translate_insn(struct bt_translation *tx, struct bt_buf *b,
	       const struct insn *in, enum bt_class cls, uint32_t at,
	       bool alone)
{
	enum bt_rule rule = bt_inline_rule(in);

	if (alone && (rule == BT_RULE_RET || rule == BT_RULE_CALL_IND ||
		      rule == BT_RULE_JMP_IND))
		rule = BT_RULE_NONE;

	map_insn(tx, b, at);
	tx->count[cls]++;
	if (rule != BT_RULE_NONE && (cls == BT_PRIV || cls == BT_INDIRECT)) {
		translate_inline(tx, b, in, rule, at);
		return;
	}
	switch (cls) {
	case BT_IDENT:
		bt_emit(b, in->bytes, in->len);
		break;
	case BT_DIRECT:
		translate_direct(tx, b, in, at);
		break;
	case BT_EXPOSE_EIP:
		translate_call(tx, b, in, at);
		break;
	case BT_INDIRECT:
	case BT_PRIV:
	default:
		emulate_exit(tx, b, at);
		break;
	}
}

int
bt_translate(const struct bt_tu *tu, struct bt_buf *b,
	     struct bt_translation *tx)
{
	uint32_t start = b->len;
	unsigned i;

	memset(tx, 0, sizeof(*tx));
	tx->eip = tu->eip;
	tx->end = tu->end;
	tx->start = start;
	for (i = 0; i < tu->n; i++)
		translate_insn(tx, b, &tu->insn[i], tu->cls[i], tu->at[i],
			       tu->alone);
	/* The unit ran out of room or of fetchable code: the next guest
	 * instruction is a unit of its own (whose fault, if any, the
	 * emulator raises). */
	if (tu->why != BT_END_CLASS) {
		map_insn(tx, b, tu->end);
		if (tu->n == 0)
			emulate_exit(tx, b, tu->end);
		else
			direct_exit(tx, b, OP_JMP32, 1, tu->end, tu->end);
	}
	emit_stubs(tx, b);
	if (b->full) {
		b->len = start;
		return -1;
	}
	tx->len = b->len - start;
	return 0;
}

const struct bt_exit *
bt_exit_at(const struct bt_translation *tx, uint32_t ret)
{
	unsigned i;

	for (i = 0; i < tx->nexits; i++)
		if (tx->exit[i].stub + sizeof(OP_INT_EXIT) == ret)
			return &tx->exit[i];
	return NULL;
}

/* The map entry of the inline sequence of tx that holds buffer offset
 * off, or NULL; the guest instruction after it in *next. */
static const struct bt_insn_map *
inline_at(const struct bt_translation *tx, uint32_t off, uint32_t *next)
{
	unsigned i;

	for (i = 0; i < tx->nmap; i++) {
		const struct bt_insn_map *m = &tx->map[i];

		if (m->rule != BT_RULE_NONE && off >= m->off &&
		    off < m->off + m->len) {
			*next = i + 1 < tx->nmap ? tx->map[i + 1].eip : tx->end;
			return m;
		}
	}
	return NULL;
}

bool
bt_guest_eip(const struct bt_translation *tx, uint32_t off, uint32_t *eip)
{
	const struct bt_insn_map *l;
	unsigned i, fix;
	uint32_t next;

	for (i = 0; i < tx->nmap; i++)
		if (tx->map[i].off == off) {
			*eip = tx->map[i].eip;
			return true;
		}
	for (i = 0; i < tx->npoints; i++)
		if (tx->point[i].off == off) {
			*eip = tx->point[i].eip;
			return true;
		}
	for (i = 0; i < tx->nexits; i++)
		if (tx->exit[i].kind == BT_EXIT_DIRECT && tx->exit[i].stub == off) {
			*eip = tx->exit[i].target;
			return true;
		}
	if ((l = inline_at(tx, off, &next)) != NULL &&
	    bt_inline_fix(l->rule, off - l->off, l->head, &fix)) {
		*eip = fix & BT_FIX_NEXT ? next : l->eip;
		return true;
	}
	return false;
}

unsigned
bt_point_fix(const struct bt_translation *tx, uint32_t off)
{
	uint32_t next;
	const struct bt_insn_map *l = inline_at(tx, off, &next);
	unsigned fix;

	return l && bt_inline_fix(l->rule, off - l->off, l->head, &fix) ? fix : 0;
}
