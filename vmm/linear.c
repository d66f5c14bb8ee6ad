/*
 * linear.c - guest-linear memory through the guest's own page tables.
 *
 * Adams & Agesen, section 2.4: the shadow page tables are the CPU's;
 * the guest's are the truth.  Everything the monitor reads or writes on
 * the guest's behalf goes through here, so that it sees the guest's
 * mappings, sets the guest's accessed and dirty bits, raises the faults
 * the guest's tables call for, and finds RAM, a device or nothing behind
 * each address as the guest's CPU would (vmm/linear.h).
 */
#include "kern/types.h"
#include "kern/string.h"
#include "kern/mmu.h"
#include "kern/memlayout.h"
#include "vmm/vm.h"
#include "vmm/gmem.h"
#include "vmm/shadow.h"
#include "vmm/linear.h"
#include "vmm/desc.h"

int
linear_translate(struct vm *vm, uint32_t la, unsigned access, uint32_t *gpa,
		 struct emu_fault *f)
{
	struct ptwalk w;

	if (!(vm->vcpu.cr0 & CR0_PG)) {
		*gpa = la;
		return 0;
	}
	if (ptwalk(vm, la, access | PTW_SET_AD, &w) < 0) {
		*f = (struct emu_fault) {
			.vector = T_PGFLT, .has_err = true, .err = w.err, .cr2 = la,
		};
		if (w.bad_table)
			vm_kill(vm, "the guest's page tables lie outside its RAM "
				"(its CR3 or a directory entry is wrong)");
		return -1;
	}
	*gpa = w.gpa;
	return 0;
}

/*
 * One piece of an access, inside one page of guest-physical memory: RAM
 * (telling the shadow MMU of a write, which may hit a traced page table),
 * else device registers, else an open bus.
 */
static void
phys_access(struct vm *vm, uint32_t gpa, uint8_t *buf, size_t n, bool write)
{
	uint32_t val = 0;

	if (write && gmem_write(vm, gpa, buf, n) == 0) {
		shadow_guest_wrote(vm, gpa, n);
		if (vm->engine->watched_write &&
		    shadow_watched(vm, gpa >> PGSHIFT))
			vm->engine->watched_write(vm, gpa, n);
	} else if (!write && gmem_read(vm, gpa, buf, n) == 0) {
		return;
	} else if (vplat_is_mmio(gpa) && (n == 1 || n == 2 || n == 4)) {
		if (write) {
			memcpy(&val, buf, n);
			vplat_mmio_write(&vm->plat, gpa, n, val);
		} else {
			val = vplat_mmio_read(&vm->plat, gpa, n);
			memcpy(buf, &val, n);
		}
	} else if (!write) {
		memset(buf, 0xff, n);
	}
}

/* Translate every page of [la, la + len) into gpas[] (at most two pages). */
static int
translate_range(struct vm *vm, uint32_t la, size_t len, unsigned access,
		uint32_t gpas[2], struct emu_fault *f)
{
	uint32_t second = ROUNDUP(la + 1, PGSIZE);

	if (linear_translate(vm, la, access, &gpas[0], f) < 0)
		return -1;
	gpas[1] = gpas[0] + (second - la);
	if (la + len > second)
		return linear_translate(vm, second, access, &gpas[1], f);
	return 0;
}

/* Copy between buf and guest memory, two pages at a time, translating
 * both before touching either. */
static int
linear_copy(struct vm *vm, uint32_t la, void *buf, size_t len,
	    unsigned access, struct emu_fault *f)
{
	uint8_t *b = buf;
	uint32_t gpas[2];
	size_t n, part;
	int i;

	while (len > 0) {
		/* An instruction's operand spans at most two pages, and
		 * each must fault before anything is written. */
		n = MIN(len, (size_t) (2 * PGSIZE - PGOFF(la)));
		if (translate_range(vm, la, n, access, gpas, f) < 0)
			return -1;
		for (i = 0; i < 2 && n > 0; i++) {
			part = MIN(n, (size_t) (PGSIZE - PGOFF(gpas[i])));
			phys_access(vm, gpas[i], b, part, access & PTW_WRITE);
			b += part;
			la += part;
			len -= part;
			n -= part;
		}
	}
	return 0;
}

int
linear_read(struct vm *vm, uint32_t la, void *buf, size_t len,
	    unsigned access, struct emu_fault *f)
{
	return linear_copy(vm, la, buf, len, access & ~PTW_WRITE, f);
}

int
linear_write(struct vm *vm, uint32_t la, const void *buf, size_t len,
	     unsigned access, struct emu_fault *f)
{
	return linear_copy(vm, la, (void *) buf, len, access | PTW_WRITE, f);
}

int
linear_read_desc(struct vm *vm, uint16_t sel, uint64_t *d)
{
	struct emu_fault f;
	uint32_t la;

	if (desc_locate(&vm->vcpu, sel, &la) < 0)
		return -1;
	return linear_read(vm, la, d, sizeof(*d), 0, &f);
}
