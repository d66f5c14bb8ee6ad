/*
 * unit_bt_translate.c - the binary translator's classes, units and
 * translation rules (vmm/bt/), held to Capstone.
 *
 * Translated code runs at ring 1 in the monitor; here, on a 64-bit host,
 * it cannot run, so its bytes are read back by an independent
 * disassembler and checked against each rule of vmm/bt/translate.c: an
 * IDENT instruction's bytes are the guest's, at the offset the map says;
 * every branch the translator wrote lands on an exit stub (or, for
 * loop and jecxz, on the jumps of its own pattern); every stub is an
 * int to BT_EXIT_VEC; a direct exit's target is the guest branch's own
 * target as Capstone reads it from the guest's bytes; an inline
 * sequence touches only the rseg and the guest's stack slot, and says at
 * each of its instructions how the CPU's state differs from the guest's.
 * The last test does all of that over every function of guest_xv6's
 * kernel.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <capstone/capstone.h>
#include <criterion/criterion.h>

#include "vmm/decode.h"
#include "vmm/bt/class.h"
#include "vmm/bt/tu.h"
#include "vmm/bt/translate.h"
#include "vmm/bt/rseg.h"
#include "grade/unit/elffuncs.h"

#define GUEST_EIP	0x80101000u	/* where the test code "is" */
#define CACHE_SIZE	(1u << 20)

static csh cs;

static void
cs_setup(void)
{
	cr_assert_eq(cs_open(CS_ARCH_X86, CS_MODE_32, &cs), CS_ERR_OK);
	cr_assert_eq(cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON), CS_ERR_OK);
}

static void
cs_teardown(void)
{
	cs_close(&cs);
}

/* ------------------------------------------------------------------------
 * Guest code and the translation cache
 * ------------------------------------------------------------------------ */

/* The guest's code: bytes at an EIP, mapped up to `mapped` bytes. */
struct code {
	uint32_t eip;
	const uint8_t *bytes;
	uint32_t mapped;
};

static size_t
fetch(void *ctx, uint32_t eip, uint8_t *buf, size_t len)
{
	const struct code *c = ctx;
	uint32_t off = eip - c->eip;

	if (eip < c->eip || off >= c->mapped)
		return 0;
	if (len > c->mapped - off)
		len = c->mapped - off;
	memcpy(buf, c->bytes + off, len);
	return len;
}

static uint8_t cache[CACHE_SIZE];

static struct bt_buf
fresh_cache(void)
{
	return (struct bt_buf) { .code = cache, .cap = CACHE_SIZE };
}

/* Form and translate the unit at the start of @bytes. */
static void
translate_code(const uint8_t *bytes, uint32_t n, struct bt_tu *tu,
	       struct bt_buf *b, struct bt_translation *tx)
{
	struct code c = { .eip = GUEST_EIP, .bytes = bytes, .mapped = n };

	bt_tu_form(tu, GUEST_EIP, BT_TU_MAX, fetch, &c);
	cr_assert_eq(bt_translate(tu, b, tx), 0, "the unit did not fit");
}

/* One instruction of translated code as Capstone reads it. */
struct out {
	uint32_t off, size;
	char text[CS_MNEMONIC_SIZE + 160 + 1];	/* mnemonic, space, operands */
	unsigned id;
	bool branch;		/* a jmp, jcc or loop with an immediate target */
	uint32_t target;	/* its target, a buffer offset */
	uint32_t imm;		/* push imm / int imm */
};

/* Disassemble @tx's bytes; fails the test if any byte does not decode. */
static unsigned
disasm(const struct bt_buf *b, const struct bt_translation *tx,
       struct out *o, unsigned max)
{
	const uint8_t *p = b->code + tx->start;
	size_t left = tx->len;
	uint64_t addr = tx->start;
	cs_insn *ci = cs_malloc(cs);
	unsigned n = 0;

	while (left > 0) {
		uint32_t off = addr;
		cs_x86 *x;

		cr_assert(cs_disasm_iter(cs, &p, &left, &addr, ci),
			  "translated code at offset %u does not decode", off);
		cr_assert_lt(n, max);
		x = &ci->detail->x86;
		o[n] = (struct out) { .off = off, .size = ci->size, .id = ci->id };
		snprintf(o[n].text, sizeof(o[n].text), "%s %s", ci->mnemonic,
			 ci->op_str);
		if (x->op_count == 1 && x->operands[0].type == X86_OP_IMM) {
			o[n].imm = x->operands[0].imm;
			o[n].branch = cs_insn_group(cs, ci, CS_GRP_JUMP);
			o[n].target = x->operands[0].imm;
		}
		n++;
	}
	cs_free(ci, 1);
	return n;
}

/* The translated instruction at buffer offset @off. */
static const struct out *
out_at(const struct out *o, unsigned n, uint32_t off)
{
	for (unsigned i = 0; i < n; i++)
		if (o[i].off == off)
			return &o[i];
	cr_assert_fail("no translated instruction begins at offset %u", off);
	return NULL;
}

/* The exit whose stub is at buffer offset @off, checked to be a stub. */
static const struct bt_exit *
stub_at(const struct bt_translation *tx, const struct out *o, unsigned n,
	uint32_t off)
{
	const struct out *s = out_at(o, n, off);
	const struct bt_exit *x = bt_exit_at(tx, off + s->size);

	cr_assert_eq(s->id, X86_INS_INT, "offset %u: %s, not an exit stub",
		     off, s->text);
	cr_assert_eq(s->imm, BT_EXIT_VEC, "offset %u: %s, not int %#x", off,
		     s->text, BT_EXIT_VEC);
	cr_assert_not_null(x, "the stub at offset %u is in no exit", off);
	return x;
}

/* ------------------------------------------------------------------------
 * Classes and units
 * ------------------------------------------------------------------------ */

TestSuite(bt, .init = cs_setup, .fini = cs_teardown);

Test(bt, classes, .description = "each kind of instruction in its class")
{
	static const struct {
		uint8_t bytes[8];
		uint8_t len;
		enum bt_class cls;
		const char *what;
	} cases[] = {
		{ { 0x01, 0xc8 }, 2, BT_IDENT, "add %ecx, %eax" },
		{ { 0x8b, 0x45, 0x08 }, 3, BT_IDENT, "mov 8(%ebp), %eax" },
		{ { 0x55 }, 1, BT_IDENT, "push %ebp" },
		{ { 0xf3, 0xa5 }, 2, BT_IDENT, "rep movsl" },
		{ { 0xe8, 0, 0, 0, 0 }, 5, BT_EXPOSE_EIP, "call rel32" },
		{ { 0xeb, 0x10 }, 2, BT_DIRECT, "jmp rel8" },
		{ { 0x74, 0x10 }, 2, BT_DIRECT, "je rel8" },
		{ { 0x0f, 0x85, 0, 1, 0, 0 }, 6, BT_DIRECT, "jne rel32" },
		{ { 0xe2, 0xfe }, 2, BT_DIRECT, "loop" },
		{ { 0xe3, 0x05 }, 2, BT_DIRECT, "jecxz" },
		{ { 0xc3 }, 1, BT_INDIRECT, "ret" },
		{ { 0xc2, 0x08, 0x00 }, 3, BT_INDIRECT, "ret $8" },
		{ { 0xff, 0xe0 }, 2, BT_INDIRECT, "jmp *%eax" },
		{ { 0xff, 0x10 }, 2, BT_INDIRECT, "call *(%eax)" },
		{ { 0xfa }, 1, BT_PRIV, "cli" },
		{ { 0x9c }, 1, BT_PRIV, "pushf" },
		{ { 0x9d }, 1, BT_PRIV, "popf" },
		{ { 0xec }, 1, BT_PRIV, "in (%dx), %al" },
		{ { 0xf4 }, 1, BT_PRIV, "hlt" },
		{ { 0xcd, 0x40 }, 2, BT_PRIV, "int $0x40" },
		{ { 0xcf }, 1, BT_PRIV, "iret" },
		{ { 0x0f, 0x22, 0xd8 }, 3, BT_PRIV, "mov %eax, %cr3" },
		{ { 0x0f, 0xa2 }, 2, BT_PRIV, "cpuid" },
		{ { 0x0f, 0x31 }, 2, BT_PRIV, "rdtsc" },
		{ { 0x8e, 0xd8 }, 2, BT_IDENT, "mov %eax, %ds" },
		{ { 0x1f }, 1, BT_IDENT, "pop %ds" },
		{ { 0x0f, 0xa1 }, 2, BT_IDENT, "pop %fs" },
		{ { 0x8e, 0xd0 }, 2, BT_PRIV, "mov %eax, %ss" },
		{ { 0x17 }, 1, BT_PRIV, "pop %ss" },
		{ { 0x8e, 0xe8 }, 2, BT_PRIV, "mov %eax, %gs" },
		{ { 0x8c, 0xc8 }, 2, BT_PRIV, "mov %cs, %eax" },
		{ { 0x0e }, 1, BT_PRIV, "push %cs" },
		{ { 0x0f, 0x01, 0x08 }, 3, BT_PRIV, "sidt (%eax)" },
		{ { 0xea, 0, 0, 0, 0, 8, 0 }, 7, BT_PRIV, "ljmp $8, $0" },
		{ { 0x2e, 0x8b, 0x00 }, 3, BT_PRIV, "mov %cs:(%eax), %eax" },
		{ { 0x66, 0xeb, 0x10 }, 3, BT_PRIV, "jmpw rel8 (16-bit EIP)" },
		{ { 0x2e, 0x74, 0x10 }, 3, BT_DIRECT, "je with a branch hint" },
		/* %gs is the monitor's in translated code (vmm/bt/rseg.h). */
		{ { 0x65, 0xa1, 0, 0, 0, 0 }, 6, BT_PRIV, "mov %gs:0, %eax" },
		{ { 0x65, 0x8b, 0x00 }, 3, BT_PRIV, "mov %gs:(%eax), %eax" },
		{ { 0x0f, 0xa8 }, 2, BT_PRIV, "push %gs" },
		{ { 0x8c, 0xe8 }, 2, BT_PRIV, "mov %gs, %eax" },
		{ { 0x0f, 0xa0 }, 2, BT_IDENT, "push %fs" },
		{ { 0x65, 0x0f, 0xce }, 3, BT_IDENT, "bswap %esi, a %gs prefix and no memory" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct insn in;

		cr_assert_eq(insn_decode(&in, cases[i].bytes, cases[i].len),
			     cases[i].len, "%s does not decode", cases[i].what);
		cr_assert_eq(bt_classify(&in), cases[i].cls, "%s: %s, want %s",
			     cases[i].what, bt_class_name(bt_classify(&in)),
			     bt_class_name(cases[i].cls));
	}
}

Test(bt, unit_full, .description = "12 IDENT instructions make a full unit")
{
	uint8_t adds[2 * 14];
	struct code c = { .eip = GUEST_EIP, .bytes = adds, .mapped = sizeof(adds) };
	struct bt_tu tu;

	for (unsigned i = 0; i < sizeof(adds); i += 2)
		adds[i] = 0x01, adds[i + 1] = 0xc8;
	bt_tu_form(&tu, GUEST_EIP, BT_TU_MAX, fetch, &c);
	cr_assert_eq(tu.n, BT_TU_MAX);
	cr_assert_eq(tu.why, BT_END_FULL);
	cr_assert_eq(tu.end, GUEST_EIP + 2 * BT_TU_MAX);
	for (unsigned i = 0; i < tu.n; i++)
		cr_assert_eq(tu.at[i], GUEST_EIP + 2 * i);
}

Test(bt, unit_ends_at_class, .description = "a unit ends with its first "
     "instruction that is not IDENT")
{
	static const uint8_t code[] = { 0x40, 0x48, 0xc3, 0x90, 0x90 };
	struct code c = { .eip = GUEST_EIP, .bytes = code, .mapped = sizeof(code) };
	struct bt_tu tu;

	bt_tu_form(&tu, GUEST_EIP, BT_TU_MAX, fetch, &c);
	cr_assert_eq(tu.n, 3);
	cr_assert_eq(tu.why, BT_END_CLASS);
	cr_assert_eq(tu.cls[2], BT_INDIRECT);
	cr_assert_eq(tu.end, GUEST_EIP + 3);
}

Test(bt, unit_ends_at_unmapped, .description = "an instruction that runs "
     "into unmapped code ends the unit before it; alone, it is a unit of none")
{
	static const uint8_t code[] = { 0x40, 0xb8, 0x01, 0x02, 0x03, 0x04 };
	struct code c = { .eip = GUEST_EIP, .bytes = code, .mapped = 4 };
	struct bt_tu tu;
	struct bt_buf b = fresh_cache();
	struct bt_translation tx;
	struct out o[8];
	unsigned n;

	bt_tu_form(&tu, GUEST_EIP, BT_TU_MAX, fetch, &c);
	cr_assert_eq(tu.n, 1);
	cr_assert_eq(tu.why, BT_END_FETCH);
	cr_assert_eq(tu.end, GUEST_EIP + 1);
	bt_tu_form(&tu, GUEST_EIP + 1, BT_TU_MAX, fetch, &c);
	cr_assert_eq(tu.n, 0);
	cr_assert_eq(tu.why, BT_END_FETCH);
	/* Its translation is one exit: the emulator raises the fault. */
	cr_assert_eq(bt_translate(&tu, &b, &tx), 0);
	n = disasm(&b, &tx, o, 8);
	cr_assert_eq(n, 1);
	cr_assert_eq(stub_at(&tx, o, n, 0)->kind, BT_EXIT_EMULATE);
	cr_assert_eq(tx.exit[0].at, GUEST_EIP + 1);
}

/* ------------------------------------------------------------------------
 * The rules
 * ------------------------------------------------------------------------ */

Test(bt, ident, .description = "IDENT instructions are copied, and a full "
     "unit jumps to a direct exit for the next guest instruction")
{
	uint8_t code[2 * BT_TU_MAX];
	struct bt_tu tu;
	struct bt_buf b = fresh_cache();
	struct bt_translation tx;
	struct out o[32];
	unsigned n, i;
	uint32_t eip;

	for (i = 0; i < sizeof(code); i += 2)
		code[i] = 0x29, code[i + 1] = 0xd0 + i / 2 % 8;	/* sub */
	translate_code(code, sizeof(code), &tu, &b, &tx);
	n = disasm(&b, &tx, o, 32);
	cr_assert_eq(n, BT_TU_MAX + 2, "12 copies, a jmp, its stub: %u", n);
	for (i = 0; i < BT_TU_MAX; i++) {
		cr_assert(bt_guest_eip(&tx, o[i].off, &eip));
		cr_assert_eq(eip, GUEST_EIP + 2 * i);
		cr_assert_eq(memcmp(b.code + o[i].off, code + 2 * i, 2), 0,
			     "instruction %u is not the guest's", i);
	}
	cr_assert_eq(o[i].id, X86_INS_JMP);
	cr_assert_eq(o[i].size, 5, "a rel32 jmp, which chaining can repoint");
	cr_assert_eq(stub_at(&tx, o, n, o[i].target)->target,
		     GUEST_EIP + sizeof(code));
	cr_assert_eq(tx.count[BT_IDENT], BT_TU_MAX);
}

/* A unit of one direct branch at GUEST_EIP: its two exits by Capstone. */
static void
check_jcc(const uint8_t *code, uint32_t len, unsigned cs_id)
{
	struct bt_tu tu;
	struct bt_buf b = fresh_cache();
	struct bt_translation tx;
	struct out o[8];
	struct insn in;
	unsigned n;

	translate_code(code, len, &tu, &b, &tx);
	insn_decode(&in, code, len);
	n = disasm(&b, &tx, o, 8);
	cr_assert_eq(n, 4, "jcc, jmp and two stubs: %u", n);
	cr_assert_eq(o[0].id, cs_id, "%s: the guest's condition is kept", o[0].text);
	cr_assert_eq(o[0].size, 6, "a rel32 jcc");
	cr_assert_eq(o[1].id, X86_INS_JMP);
	cr_assert_eq(stub_at(&tx, o, n, o[0].target)->target,
		     insn_branch_target(&in, GUEST_EIP), "taken: the guest's target");
	cr_assert_eq(stub_at(&tx, o, n, o[1].target)->target, GUEST_EIP + len,
		     "not taken: the next instruction");
	cr_assert_eq(tx.exit[0].patch, o[0].off + 2, "chaining rewrites the "
		     "jcc's displacement");
}

Test(bt, jcc, .description = "jcc (short or near) becomes a rel32 jcc and a "
     "jmp, each to a direct exit")
{
	static const uint8_t je8[] = { 0x74, 0x10 };
	static const uint8_t jne32[] = { 0x0f, 0x85, 0x00, 0x01, 0x00, 0x00 };
	static const uint8_t jl_back[] = { 0x7c, 0xf0 };

	check_jcc(je8, sizeof(je8), X86_INS_JE);
	check_jcc(jne32, sizeof(jne32), X86_INS_JNE);
	check_jcc(jl_back, sizeof(jl_back), X86_INS_JL);
}

Test(bt, loop, .description = "loop and jecxz jump over a jmp to their "
     "fall-through exit")
{
	static const struct { uint8_t op; unsigned id; } forms[] = {
		{ 0xe0, X86_INS_LOOPNE }, { 0xe1, X86_INS_LOOPE },
		{ 0xe2, X86_INS_LOOP }, { 0xe3, X86_INS_JECXZ },
	};

	for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
		uint8_t code[] = { forms[f].op, 0xf0 };
		struct bt_tu tu;
		struct bt_buf b = fresh_cache();
		struct bt_translation tx;
		struct out o[8];
		uint32_t eip;
		unsigned n;

		translate_code(code, sizeof(code), &tu, &b, &tx);
		n = disasm(&b, &tx, o, 8);
		cr_assert_eq(n, 6, "%s: loop, jmp, two jmps, two stubs", o[0].text);
		cr_assert_eq(o[0].id, forms[f].id);
		cr_assert_eq(o[0].target, o[2].off, "%s: taken, to the jmp "
			     "to the target's exit", o[0].text);
		cr_assert_eq(o[1].target, o[3].off, "not taken, to the jmp to "
			     "the next instruction's exit");
		cr_assert_eq(stub_at(&tx, o, n, o[2].target)->target,
			     GUEST_EIP + 2 - 0x10);
		cr_assert_eq(stub_at(&tx, o, n, o[3].target)->target,
			     GUEST_EIP + 2);
		/* Stopped inside the pattern, the guest is where it goes. */
		cr_assert(bt_guest_eip(&tx, o[1].off, &eip) && eip == GUEST_EIP + 2,
			  "fallen through, at the next instruction");
		cr_assert(bt_guest_eip(&tx, o[2].off, &eip) &&
			  eip == GUEST_EIP + 2 - 0x10, "taken, at the target");
		cr_assert(bt_guest_eip(&tx, o[3].off, &eip) && eip == GUEST_EIP + 2);
	}
}

Test(bt, call, .description = "a direct call pushes the guest's return "
     "address and jumps to its target's exit")
{
	static const uint8_t code[] = { 0x90, 0xe8, 0x00, 0x10, 0x00, 0x00 };
	struct bt_tu tu;
	struct bt_buf b = fresh_cache();
	struct bt_translation tx;
	struct out o[8];
	uint32_t eip;
	unsigned n;

	translate_code(code, sizeof(code), &tu, &b, &tx);
	n = disasm(&b, &tx, o, 8);
	cr_assert_eq(n, 4, "nop, push, jmp, stub: %u", n);
	cr_assert_eq(o[1].id, X86_INS_PUSH);
	cr_assert_eq(o[1].imm, GUEST_EIP + sizeof(code), "%s: the guest's "
		     "return address", o[1].text);
	cr_assert_eq(stub_at(&tx, o, n, o[2].target)->target,
		     GUEST_EIP + sizeof(code) + 0x1000);
	/* A fault on the push is the call's; between push and jmp, the
	 * call has been made: the guest is at its target. */
	cr_assert(bt_guest_eip(&tx, o[1].off, &eip));
	cr_assert_eq(eip, GUEST_EIP + 1);
	cr_assert(bt_guest_eip(&tx, o[2].off, &eip));
	cr_assert_eq(eip, GUEST_EIP + sizeof(code) + 0x1000);
	cr_assert_not(bt_guest_eip(&tx, o[1].off + 1, &eip), "inside the push");
	cr_assert_eq(tx.count[BT_EXPOSE_EIP], 1);
}

Test(bt, emulated, .description = "indirect and privileged instructions end "
     "their unit with an exit that names them")
{
	static const uint8_t sti[] = { 0x90, 0xfb };
	static const uint8_t ret[] = { 0x40, 0x5d, 0xc2, 0x04, 0x00 };
	static const uint8_t ljmp_ind[] = { 0xff, 0x28 };
	static const uint8_t jmpw_ind[] = { 0x66, 0xff, 0xe0 };
	static const struct { const uint8_t *code; uint32_t len, last; } units[] = {
		{ sti, sizeof(sti), 1 }, { ret, sizeof(ret), 2 },
		{ ljmp_ind, sizeof(ljmp_ind), 0 }, { jmpw_ind, sizeof(jmpw_ind), 0 },
	};

	for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
		struct bt_tu tu;
		struct bt_buf b = fresh_cache();
		struct bt_translation tx;
		struct out o[8];
		const struct bt_exit *x;
		unsigned n;

		translate_code(units[u].code, units[u].len, &tu, &b, &tx);
		n = disasm(&b, &tx, o, 8);
		cr_assert_eq(n, units[u].last + 1);
		x = stub_at(&tx, o, n, o[n - 1].off);
		cr_assert_eq(x->kind, BT_EXIT_EMULATE);
		cr_assert_eq(x->at, GUEST_EIP + units[u].last, "the exit names "
			     "the instruction to emulate");
	}
}

/* ------------------------------------------------------------------------
 * The inline rules (vmm/bt/inline.c)
 * ------------------------------------------------------------------------ */

/* Capstone's reading of the translated instruction at buffer offset @off. */
static cs_insn *
insn_at(const struct bt_buf *b, uint32_t off)
{
	const uint8_t *p = b->code + off;
	size_t left = b->len - off;
	uint64_t addr = off;
	cs_insn *ci = cs_malloc(cs);

	cr_assert(cs_disasm_iter(cs, &p, &left, &addr, ci),
		  "offset %u does not decode", off);
	return ci;
}

/*
 * Every memory operand of an inline sequence is the rseg's, through %gs
 * and inside struct bt_rseg, or the guest's stack slot at (%esp): the
 * sequence reaches nothing else of the guest's (but for the operand of a
 * call * or jmp *, its own).
 */
static void
check_operands(const cs_insn *ci)
{
	const cs_x86 *x = &ci->detail->x86;

	if (ci->id == X86_INS_LEA)
		return;			/* an address, not an access */
	for (unsigned k = 0; k < x->op_count; k++) {
		const cs_x86_op *op = &x->operands[k];

		if (op->type != X86_OP_MEM)
			continue;
		if (op->mem.segment == X86_REG_GS) {
			cr_assert_eq(op->mem.base, X86_REG_INVALID, "%s %s",
				     ci->mnemonic, ci->op_str);
			cr_assert(op->mem.disp >= 0 &&
				  op->mem.disp < (int64_t) sizeof(struct bt_rseg),
				  "%s %s: outside the rseg", ci->mnemonic,
				  ci->op_str);
		} else {
			cr_assert(op->mem.base == X86_REG_ESP && op->mem.disp == 0 &&
				  op->mem.index == X86_REG_INVALID, "%s %s: guest "
				  "memory other than the stack slot", ci->mnemonic,
				  ci->op_str);
		}
	}
}

/* Walk the inline sequence of map entry m: every boundary stands for a
 * guest EIP; returns how many instructions, each fix in fix[]. */
static unsigned
walk_sequence(const struct bt_buf *b, const struct bt_translation *tx,
	      const struct bt_insn_map *m, unsigned *fix, cs_insn **ins,
	      unsigned max)
{
	uint32_t off = m->off, eip;
	unsigned n = 0;

	cr_assert_neq(m->rule, BT_RULE_NONE);
	while (off < m->off + m->len) {
		cr_assert_lt(n, max);
		cr_assert(bt_guest_eip(tx, off, &eip), "offset %u of the %s "
			  "sequence stands for no guest EIP", off - m->off,
			  bt_rule_name(m->rule));
		fix[n] = bt_point_fix(tx, off);
		ins[n] = insn_at(b, off);
		/* call * and jmp * begin with the guest's own operand. */
		if (n > 0 || (m->rule != BT_RULE_CALL_IND &&
			      m->rule != BT_RULE_JMP_IND))
			check_operands(ins[n]);
		off += ins[n]->size;
		n++;
	}
	cr_assert_eq(off, m->off + m->len);
	return n;
}

static void
free_insns(cs_insn **ins, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		cs_free(ins[i], 1);
}

Test(bt, inline_cli, .description = "cli is a store of 0 to the virtual IF, "
     "and its unit goes on")
{
	static const uint8_t code[] = { 0x90, 0xfa, 0x40 };
	struct bt_buf b = fresh_cache();
	struct bt_translation tx;
	struct bt_tu tu;
	unsigned fix[4];
	cs_insn *ins[4];
	const cs_x86 *x;

	translate_code(code, sizeof(code), &tu, &b, &tx);
	cr_assert_eq(tu.n, 3, "the unit ended at the cli");
	cr_assert_eq(walk_sequence(&b, &tx, &tx.map[1], fix, ins, 4), 1);
	x = &ins[0]->detail->x86;
	cr_assert_eq(ins[0]->id, X86_INS_MOV, "%s", ins[0]->mnemonic);
	cr_assert_eq(x->operands[0].mem.disp, BT_RSEG_FIELD(vif));
	cr_assert_eq(x->operands[1].type, X86_OP_IMM);
	cr_assert_eq(x->operands[1].imm, 0);
	cr_assert_eq(fix[0], 0);
	cr_assert_eq(tx.nexits, 1, "only the unit's own end exits");
	free_insns(ins, 1);
}

Test(bt, inline_pushf, .description = "pushf pushes the real image, adds the "
     "virtual IF and IOPL without touching the flags, and says at each "
     "point how to undo or finish it")
{
	static const uint8_t code[] = { 0x9c, 0x40 };
	struct bt_buf b = fresh_cache();
	struct bt_translation tx;
	struct bt_tu tu;
	unsigned fix[16], n, i, commit = 0;
	cs_insn *ins[16];
	uint32_t eip;

	translate_code(code, sizeof(code), &tu, &b, &tx);
	n = walk_sequence(&b, &tx, &tx.map[0], fix, ins, 16);
	cr_assert_eq(ins[0]->id, X86_INS_PUSHFD);
	cr_assert_eq(fix[0], 0);
	for (i = 1; i < n; i++) {
		/* Nothing between the push and the end changes the flags:
		 * no fix restores them. */
		cr_assert_eq(ins[i]->detail->x86.eflags, 0, "%s %s changes "
			     "the flags", ins[i]->mnemonic, ins[i]->op_str);
		cr_assert_not(fix[i] & BT_FIX_FLAGS);
		if (commit == 0 && (fix[i] & BT_FIX_NEXT))
			commit = i;
	}
	cr_assert(commit > 1, "no point finishes the pushf");
	for (i = 1; i < n; i++) {
		cr_assert_eq(!!(fix[i] & BT_FIX_ESP4), i < commit, "point %u", i);
		cr_assert(bt_guest_eip(&tx, ins[i]->address, &eip));
		cr_assert_eq(eip, i < commit ? GUEST_EIP : GUEST_EIP + 1,
			     "point %u", i);
	}
	/* The store that finishes it writes the slot the push made. */
	cr_assert_eq(ins[commit - 1]->id, X86_INS_MOV);
	cr_assert_eq(ins[commit - 1]->detail->x86.operands[0].mem.base,
		     X86_REG_ESP);
	free_insns(ins, n);
}

Test(bt, inline_ret, .description = "ret pops its target into the rseg, looks "
     "its translation up in line, and jumps there or exits to the monitor "
     "with the guest's registers back")
{
	static const uint8_t code[] = { 0x40, 0xc3 };
	struct bt_buf b = fresh_cache();
	struct bt_translation tx;
	struct bt_tu tu;
	unsigned fix[40], n, i, jne = 0;
	cs_insn *ins[40];
	const cs_x86 *x;

	translate_code(code, sizeof(code), &tu, &b, &tx);
	n = walk_sequence(&b, &tx, &tx.map[1], fix, ins, 40);
	x = &ins[0]->detail->x86;
	cr_assert_eq(ins[0]->id, X86_INS_POP, "%s", ins[0]->mnemonic);
	cr_assert_eq(x->operands[0].mem.disp, BT_RSEG_FIELD(target));
	cr_assert_eq(fix[0], 0, "a fault on the pop is the ret's own");
	for (i = 1; i < n; i++)
		cr_assert(fix[i] & BT_FIX_TARGET, "point %u: the ret is done", i);
	for (i = 0; i < n; i++) {
		if (ins[i]->id == X86_INS_IMUL)
			cr_assert_eq(ins[i]->detail->x86.operands[2].imm,
				     (int64_t) BT_IND_MUL);
		if (ins[i]->id == X86_INS_SHR)
			cr_assert_eq(ins[i]->detail->x86.operands[1].imm,
				     32 - BT_IND_BITS);
		if (ins[i]->id == X86_INS_JNE)
			jne = i;
		/* Once the flags may have changed, every fix restores them. */
		if (i > 0 && ins[i - 1]->detail->x86.eflags &
		    (X86_EFLAGS_MODIFY_ZF | X86_EFLAGS_MODIFY_CF))
			cr_assert(fix[i] & BT_FIX_FLAGS, "point %u", i);
	}
	cr_assert(jne > 0, "no lookup");
	/* The hit path ends with the jump through the rseg; the miss path,
	 * where the jne lands, with the stub of an indirect exit. */
	for (i = jne; i < n && ins[i]->id != X86_INS_JMP; i++)
		;
	cr_assert_lt(i, n);
	cr_assert_eq(ins[i]->detail->x86.operands[0].mem.disp,
		     BT_RSEG_FIELD(jump));
	cr_assert_eq(ins[jne]->detail->x86.operands[0].imm,
		     (int64_t) ins[i + 1]->address, "the miss path follows the hit");
	cr_assert_eq(ins[n - 1]->id, X86_INS_INT);
	cr_assert_eq(tx.nexits, 1);
	cr_assert_eq(tx.exit[0].kind, BT_EXIT_INDIRECT);
	cr_assert_eq(tx.exit[0].stub, ins[n - 1]->address);
	cr_assert_eq(tx.exit[0].at, GUEST_EIP + 1);
	free_insns(ins, n);
}

Test(bt, inline_call_indirect, .description = "call * pushes its target "
     "with the guest's own operand, pops it into the rseg, pushes the return "
     "address, and looks the target up like a ret")
{
	static const uint8_t code[] = { 0xff, 0x54, 0x24, 0x08 };	/* call *8(%esp) */
	struct bt_buf b = fresh_cache();
	struct bt_translation tx;
	struct bt_tu tu;
	unsigned fix[40], n, i;
	cs_insn *ins[40];
	const cs_x86 *x;

	translate_code(code, sizeof(code), &tu, &b, &tx);
	n = walk_sequence(&b, &tx, &tx.map[0], fix, ins, 40);
	x = &ins[0]->detail->x86;
	cr_assert_eq(ins[0]->id, X86_INS_PUSH, "%s", ins[0]->mnemonic);
	cr_assert_eq(x->operands[0].mem.base, X86_REG_ESP);
	cr_assert_eq(x->operands[0].mem.disp, 8, "the guest's operand");
	cr_assert_eq(fix[0], 0);
	cr_assert_eq(ins[1]->id, X86_INS_POP);
	cr_assert_eq(fix[1], BT_FIX_ESP4, "between push and pop: undo the push");
	cr_assert_eq(ins[2]->id, X86_INS_PUSH);
	cr_assert_eq(ins[2]->detail->x86.operands[0].imm, GUEST_EIP + sizeof(code),
		     "the guest's return address");
	cr_assert_eq(fix[2], 0, "the call not begun");
	for (i = 3; i < n; i++)
		cr_assert(fix[i] & BT_FIX_TARGET, "point %u: the call is done", i);
	cr_assert_eq(tx.nexits, 1);
	cr_assert_eq(tx.exit[0].kind, BT_EXIT_INDIRECT);
	cr_assert_eq(tx.exit[0].at, GUEST_EIP);
	free_insns(ins, n);
}

Test(bt, alone_ret_exits, .description = "a ret in a unit run alone (the "
     "instruction after an sti) exits to be emulated instead")
{
	static const uint8_t code[] = { 0xc3 };
	struct code c = { .eip = GUEST_EIP, .bytes = code, .mapped = sizeof(code) };
	struct bt_buf b = fresh_cache();
	struct bt_translation tx;
	struct bt_tu tu;

	bt_tu_form(&tu, GUEST_EIP, 1, fetch, &c);
	tu.alone = true;
	cr_assert_eq(bt_translate(&tu, &b, &tx), 0);
	cr_assert_eq(tx.map[0].rule, BT_RULE_NONE);
	cr_assert_eq(tx.nexits, 1);
	cr_assert_eq(tx.exit[0].kind, BT_EXIT_EMULATE);
}

Test(bt, full_cache, .description = "a unit that does not fit leaves the "
     "cache as it was")
{
	static const uint8_t code[] = { 0x74, 0x10 };
	struct code c = { .eip = GUEST_EIP, .bytes = code, .mapped = sizeof(code) };
	uint8_t small[8];
	struct bt_buf b = { .code = small, .cap = sizeof(small), .len = 3 };
	struct bt_translation tx;
	struct bt_tu tu;

	bt_tu_form(&tu, GUEST_EIP, BT_TU_MAX, fetch, &c);
	cr_assert_eq(bt_translate(&tu, &b, &tx), -1);
	cr_assert(b.full);
	cr_assert_eq(b.len, 3);
}

/* ------------------------------------------------------------------------
 * Every unit of guest_xv6's kernel
 * ------------------------------------------------------------------------ */

struct sweep {
	struct bt_buf b;
	unsigned units, insns, exits;
	cs_insn *ci;
};

/* Capstone's target of the guest branch at @eip (bytes @p). */
static uint32_t
guest_target(struct sweep *s, const uint8_t *p, size_t len, uint32_t eip)
{
	uint64_t addr = eip;

	cr_assert(cs_disasm_iter(cs, &p, &len, &addr, s->ci));
	return s->ci->detail->x86.operands[0].imm;
}

/* One unit of real code, translated and checked rule by rule. */
static void
check_unit(struct sweep *s, const struct code *c, const struct bt_tu *tu)
{
	static struct out o[32 * BT_TU_MAX];
	struct bt_translation tx;
	unsigned n, i;
	uint32_t eip;

	if (s->b.len > CACHE_SIZE - 4096)
		s->b.len = 0;		/* a full cache is flushed */
	cr_assert_eq(bt_translate(tu, &s->b, &tx), 0);
	n = disasm(&s->b, &tx, o, 32 * BT_TU_MAX);
	for (i = 0; i < tu->n; i++) {
		const struct out *t = out_at(o, n, tx.map[i].off);

		cr_assert(bt_guest_eip(&tx, t->off, &eip) && eip == tu->at[i]);
		if (tu->cls[i] == BT_IDENT)
			cr_assert_eq(memcmp(s->b.code + t->off, tu->insn[i].bytes,
					    tu->insn[i].len), 0, "%08x: IDENT, "
				     "and not copied", tu->at[i]);
	}
	/* A host interrupt may stop the CPU at any instruction of it. */
	for (i = 0; i < n; i++)
		cr_assert(bt_guest_eip(&tx, o[i].off, &eip), "the unit at %08x: "
			  "offset %u (%s) stands for no guest EIP", tu->eip,
			  o[i].off - tx.start, o[i].text);
	for (i = 0; i < tx.nexits; i++) {
		const struct bt_exit *x = &tx.exit[i];
		const uint8_t *g = c->bytes + (x->at - c->eip);

		cr_assert_eq(stub_at(&tx, o, n, x->stub), x);
		if (x->kind == BT_EXIT_DIRECT && x->target != tu->end)
			cr_assert_eq(x->target, guest_target(s, g, c->mapped -
							     (x->at - c->eip), x->at),
				     "%08x: the exit's target is not the "
				     "guest branch's", x->at);
		s->exits++;
	}
	s->units++;
	s->insns += tu->n;
}

/* Every unit of one function, each starting where the last ended. */
static void
sweep_func(void *ctx, const char *path, uint32_t addr, const uint8_t *code,
	   uint32_t size)
{
	struct sweep *s = ctx;
	struct code c = { .eip = addr, .bytes = code, .mapped = size };
	struct bt_tu tu;
	uint32_t eip = addr;

	(void) path;
	while (eip < addr + size) {
		bt_tu_form(&tu, eip, BT_TU_MAX, fetch, &c);
		check_unit(s, &c, &tu);
		/* An undecodable instruction is the emulator's: skip a byte. */
		eip = tu.n > 0 ? tu.end : eip + 1;
	}
}

Test(bt, guest_xv6_kernel, .description = "every unit of guest_xv6's "
     "kernel, translated: copies, branches and exits by the rules")
{
	struct sweep s = { .b = fresh_cache(), .ci = cs_malloc(cs) };

	elf_each_func("guest_xv6/kernel", sweep_func, &s);
	cs_free(s.ci, 1);
	cr_log_info("guest_xv6 kernel: %u units, %u instructions, %u exits\n",
		    s.units, s.insns, s.exits);
	cr_assert_gt(s.insns, 5000);
}
