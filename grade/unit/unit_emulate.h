/*
 * unit_emulate.h - a fake machine for the emulator's unit tests.
 *
 * A flat guest with 64 KB of memory at linear 0, one page (FAULT_PAGE)
 * that is not present, one (RO_PAGE) that can be read but not written,
 * a log of every memory access (so a test can see how an operand was
 * read and written, as a device would), and ports that log what was
 * written and return a known pattern.  Shared by unit_emulate*.c;
 * everything is static so each file has its own copy.
 */
#ifndef GRADE_UNIT_UNIT_EMULATE_H
#define GRADE_UNIT_UNIT_EMULATE_H

#include <string.h>
#include <criterion/criterion.h>

#include "kern/mmu.h"
#include "vmm/emulate.h"

/* The callbacks take what struct emu_ops says, used or not. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#define FL_ARITH	(FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)
#define MEMSIZE		0x10000
#define FAULT_PAGE	0xf000	/* reads and writes here raise #PF */
#define RO_PAGE		0xd000	/* writes here raise #PF (present, read-only) */
#define NACC		64	/* memory accesses the log keeps */
#define CODE		0x1000	/* where test instructions are placed */

static struct fake {
	uint8_t mem[MEMSIZE];
	struct { uint16_t port; unsigned size; uint32_t val; bool out; } io[256];
	int nio;
	uint32_t in_next;	/* value the next in returns (then +1) */
	int cr_writes, last_cr;
	uint32_t last_cr_val;
	int dtr_loads;
	bool dtr_refuse;	/* the engine refuses the next table: #GP(0) */
	uint32_t invlpg;
	struct { uint32_t la; unsigned size; bool write; } acc[NACC];
	int nacc;
} fk;

static void
fk_log(uint32_t la, unsigned size, bool write)
{
	if (fk.nacc < NACC)
		fk.acc[fk.nacc] = (typeof(fk.acc[0])) { la, size, write };
	fk.nacc++;
}

static int
fk_read(void *ctx, uint32_t la, void *buf, unsigned size, struct emu_fault *f)
{
	if ((la & ~0xfffu) == FAULT_PAGE || la + size > MEMSIZE) {
		*f = (struct emu_fault) { .vector = T_PGFLT, .has_err = true, .err = 0, .cr2 = la };
		return -1;
	}
	fk_log(la, size, false);
	memcpy(buf, fk.mem + la, size);
	return 0;
}

static int
fk_write(void *ctx, uint32_t la, const void *buf, unsigned size, struct emu_fault *f)
{
	if ((la & ~0xfffu) == FAULT_PAGE || la + size > MEMSIZE) {
		*f = (struct emu_fault) { .vector = T_PGFLT, .has_err = true, .err = FEC_WR,
					  .cr2 = la };
		return -1;
	}
	if ((la & ~0xfffu) == RO_PAGE || ((la + size - 1) & ~0xfffu) == RO_PAGE) {
		*f = (struct emu_fault) { .vector = T_PGFLT, .has_err = true,
					  .err = FEC_WR | FEC_PR,
					  .cr2 = (la & ~0xfffu) == RO_PAGE ? la : RO_PAGE };
		return -1;
	}
	fk_log(la, size, true);
	memcpy(fk.mem + la, buf, size);
	return 0;
}

static uint32_t
fk_in(void *ctx, uint16_t port, unsigned size)
{
	uint32_t v = fk.in_next++ & (size == 4 ? 0xffffffff : (1u << (8 * size)) - 1);

	fk.io[fk.nio++ & 255] = (typeof(fk.io[0])) { port, size, v, false };
	return v;
}

static void
fk_out(void *ctx, uint16_t port, unsigned size, uint32_t val)
{
	fk.io[fk.nio++ & 255] = (typeof(fk.io[0])) { port, size, val, true };
}

static int
fk_write_cr(void *ctx, int cr, uint32_t val, struct emu_fault *f)
{
	fk.cr_writes++;
	fk.last_cr = cr;
	fk.last_cr_val = val;
	return 0;
}

static int
fk_load_dtr(void *ctx, enum emu_dtr which, struct emu_fault *f)
{
	fk.dtr_loads++;
	if (fk.dtr_refuse) {
		*f = (struct emu_fault) { .vector = T_GPFLT, .has_err = true };
		return -1;
	}
	return 0;
}

static void
fk_invlpg(void *ctx, uint32_t la)
{
	fk.invlpg = la;
}

/* Leaves 1 and up echo the question; leaf 1 says CMPXCHG8B, CMOV,
 * CLFLUSH, SSE2 and POPCNT are there; the highest leaves are 7 and
 * 0x80000001. */
static void
fk_cpuid(void *ctx, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
	out[0] = leaf;
	out[1] = sub;
	out[2] = 0x1234;
	out[3] = 0x5678;
	if (leaf == 0 || leaf == 0x80000000)
		out[0] = leaf + (leaf ? 1 : 7);
	if (leaf == 1) {
		out[2] = 1u << 23;
		out[3] = 1u << 6 | 1u << 8 | 1u << 15 | 1u << 19 | 1u << 26;
	}
}

static uint64_t
fk_rdtsc(void *ctx)
{
	return 1000000;
}

static const struct emu_ops fk_ops = {
	.read = fk_read, .write = fk_write, .in = fk_in, .out = fk_out,
	.write_cr = fk_write_cr, .load_dtr = fk_load_dtr, .invlpg = fk_invlpg,
	.cpuid = fk_cpuid, .rdtsc = fk_rdtsc,
};

/* A flat ring-0 vcpu: 4 GB segments, IF set, stack at 0x8000. */
static void
fk_vcpu(struct vcpu *v)
{
	*v = (struct vcpu) { .eip = CODE, .eflags = 0x2 | FL_IF, .cr0 = CR0_PE | CR0_ET };
	for (int s = 0; s < NSREGS; s++)
		v->seg[s] = (struct vseg) { .sel = s == SEG_CS ? 0x8 : 0x10, .limit = 0xffffffff,
					    .attr = s == SEG_CS ? 0xc9b : 0xc93 };
	v->gpr[REG_ESP] = 0x8000;
}

/* Place the instruction at CS:EIP, fetch, decode and emulate it. */
static int
fk_run_len(struct vcpu *v, const void *code, size_t n, struct emu_event *ev)
{
	struct insn in;
	int r;

	memcpy(fk.mem + v->eip, code, n);
	r = emu_fetch(v, &in, &fk_ops, NULL, ev);
	cr_assert_eq(r, EMU_DONE, "fetch failed: vector %d", ev->fault.vector);
	cr_assert_eq(in.len, n, "decoded length %d, want %zu", in.len, n);
	return emulate(v, &in, &fk_ops, NULL, ev);
}

#define fk_run(v, s, ev)	fk_run_len((v), (s), sizeof(s) - 1, (ev))

static inline uint32_t
fk_get32(uint32_t la)
{
	uint32_t v;

	memcpy(&v, fk.mem + la, 4);
	return v;
}

static inline void
fk_put32(uint32_t la, uint32_t v)
{
	memcpy(fk.mem + la, &v, 4);
}

#endif
