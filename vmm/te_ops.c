/*
 * te_ops.c - the machine as the emulator sees it under trap-and-emulate.
 *
 * Adams & Agesen, section 2: the monitor carries out a trapped
 * instruction on the virtual CPU, and the instruction's effects on the
 * rest of the machine go through struct emu_ops (vmm/emulate.h).  Under
 * te they land here: memory through the guest's own page tables
 * (vmm/linear.h) with device pages sent to the models, ports to the
 * models, control-register and descriptor-table loads to the shadows
 * that follow them (the shadow MMU, the shadow GDT).
 */
#include "kern/types.h"
#include "kern/string.h"
#include "kern/x86.h"
#include "kern/mmu.h"
#include "kern/memlayout.h"
#include "kern/serial.h"
#include "vmm/gmem.h"
#include "vmm/linear.h"
#include "vmm/shadow.h"
#include "vmm/emulate.h"
#include "vmm/te.h"

struct vplatform te_plat;
const char *te_stop_reason;

/*
 * One piece of an access, inside one page of guest-physical memory: RAM
 * (telling the shadow MMU of a write, which may hit a traced page table),
 * else device registers, else an open bus that reads all ones and
 * ignores writes.
 */
static void
phys_access(struct vm *vm, uint32_t gpa, uint8_t *buf, unsigned n, bool write)
{
	uint32_t val = 0;

	if (write && gmem_write(vm, gpa, buf, n) == 0) {
		shadow_guest_wrote(vm, gpa, n);
	} else if (!write && gmem_read(vm, gpa, buf, n) == 0) {
		return;
	} else if (vplat_is_mmio(gpa) && (n == 1 || n == 2 || n == 4)) {
		if (write) {
			memcpy(&val, buf, n);
			vplat_mmio_write(&te_plat, gpa, n, val);
		} else {
			val = vplat_mmio_read(&te_plat, gpa, n);
			memcpy(buf, &val, n);
		}
	} else if (!write) {
		memset(buf, 0xff, n);
	}
}

/*
 * The emulator's memory: guest-linear addresses, through the guest's page
 * tables at the guest's privilege (vmm/linear.h).  An access (at most an
 * instruction's 15 bytes) spans at most two pages, and each may be RAM
 * or a device on its own; both are translated before either is touched,
 * so that a fault on the second leaves the first as it was, as on a CPU.
 */
static int
te_access(struct vm *vm, uint32_t la, void *buf, unsigned size, bool write,
	  struct emu_fault *f)
{
	unsigned access = (vm->vcpu.cpl == 3 ? PTW_USER : 0) |
			  (write ? PTW_WRITE : 0);
	unsigned first = MIN(size, (unsigned) (PGSIZE - PGOFF(la)));
	uint32_t gpa[2] = { 0, 0 };
	int r;

	if ((r = linear_translate(vm, la, access, &gpa[0], f)) == 0 &&
	    first < size)
		r = linear_translate(vm, la + first, access, &gpa[1], f);
	if (r == LINEAR_BAD_TABLE)
		te_stop_reason = "the guest's page tables lie outside its RAM "
			"(its CR3 or a directory entry is wrong)";
	if (r < 0)
		return -1;
	phys_access(vm, gpa[0], buf, first, write);
	if (first < size)
		phys_access(vm, gpa[1], (uint8_t *) buf + first, size - first,
			    write);
	return 0;
}

static int
te_read(void *ctx, uint32_t la, void *buf, unsigned size, struct emu_fault *f)
{
	return te_access(ctx, la, buf, size, false, f);
}

static int
te_write(void *ctx, uint32_t la, const void *buf, unsigned size,
	 struct emu_fault *f)
{
	return te_access(ctx, la, (void *) buf, size, true, f);
}

/*
 * Bytes typed on the host's serial line go to the guest's UART.  The host
 * polls its UART (no receive interrupt), so we look whenever the guest
 * looks at its own (a read of COM1's ports) and while it idles.  A byte
 * the virtual UART has no room for waits here for the next look.
 */
void
te_poll_host_input(void)
{
	static int held = -1;

	if (held < 0)
		held = serial_getc();
	while (held >= 0 && vplat_uart_input(&te_plat, held))
		held = serial_getc();
}

static uint32_t
te_in(void *ctx, uint16_t port, unsigned size)
{
	(void) ctx;
	if (port >= 0x3f8 && port <= 0x3ff)
		te_poll_host_input();
	return vplat_pio_in(&te_plat, port, size);
}

static void
te_out(void *ctx, uint16_t port, unsigned size, uint32_t val)
{
	(void) ctx;
	vplat_pio_out(&te_plat, port, size, val);
}

static int
te_write_cr(void *ctx, int cr, uint32_t val, struct emu_fault *f)
{
	(void) f;
	/* Accepted, so the guest's view stays exact; the loop stops the run
	 * right after, before anything runs on tables we cannot shadow. */
	if (cr == 4 && (val & CR4_PAE))
		te_stop_reason = "the guest turned on PAE paging, which the shadow "
			"MMU does not implement (two-level i386 paging only)";
	shadow_write_cr(ctx, cr, val);
	return 0;
}

static void
te_invlpg(void *ctx, uint32_t la)
{
	shadow_invlpg(ctx, la);
}

static int
te_load_dtr(void *ctx, enum emu_dtr which, struct emu_fault *f)
{
	struct vm *vm = ctx;

	/* The IDTR, LDTR and TR stay virtual: vmm/intr.c reads the guest's
	 * IDT and TSS when it delivers.  Only the GDT has a shadow. */
	if (which != EMU_GDTR || sdt_shadow_gdt(vm) == 0)
		return 0;
	*f = (struct emu_fault) { .vector = T_GP, .has_err = true, .err = 0 };
	return -1;
}

static void
te_cpuid(void *ctx, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
	(void) ctx;
	asm volatile("cpuid" : "=a" (out[0]), "=b" (out[1]), "=c" (out[2]),
		     "=d" (out[3]) : "a" (leaf), "c" (subleaf));
	/* docs/design.md section 4: no VMX (leaf 1) and no SVM (0x80000001). */
	if (leaf == 1)
		out[2] &= ~(1u << 5);
	if (leaf == 0x80000001)
		out[2] &= ~(1u << 2);
}

static uint64_t
te_rdtsc(void *ctx)
{
	(void) ctx;
	return rdtsc();
}

/*
 * The frame a traced write is being emulated for, or NO_GFN.  A string
 * instruction that fills a page table the guest is tearing down gets the
 * frame unshadowed (SHADOW_FLOOD) after a few iterations; from then on
 * the guest may finish the rest itself, at full speed.
 */
uint32_t te_tracing_gfn = NO_GFN;

static bool
te_rep_stop(void *ctx)
{
	return te_tracing_gfn != NO_GFN && !shadow_traced(ctx, te_tracing_gfn);
}

const struct emu_ops te_ops = {
	.read = te_read,
	.write = te_write,
	.in = te_in,
	.out = te_out,
	.write_cr = te_write_cr,
	.invlpg = te_invlpg,
	.load_dtr = te_load_dtr,
	.cpuid = te_cpuid,
	.rdtsc = te_rdtsc,
	.rep_stop = te_rep_stop,
};
