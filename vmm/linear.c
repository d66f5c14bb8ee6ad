/*
 * linear.c - guest-linear memory through the guest's own page tables.
 *
 * Adams & Agesen, section 2.4: the shadow page tables are the CPU's;
 * the guest's are the truth.  Everything the monitor reads or writes on
 * the guest's behalf goes through here, so that it sees the guest's
 * mappings, sets the guest's accessed and dirty bits, and raises the
 * faults the guest's tables call for (vmm/linear.h).
 */
#include "kern/types.h"
#include "kern/mmu.h"
#include "kern/memlayout.h"
#include "vmm/vm.h"
#include "vmm/gmem.h"
#include "vmm/shadow.h"
#include "vmm/linear.h"

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
			.vector = T_PF, .has_err = true, .err = w.err, .cr2 = la,
		};
		return w.bad_table ? LINEAR_BAD_TABLE : -1;
	}
	*gpa = w.gpa;
	return 0;
}

/* Translate every page of [la, la + len) into gpas[] (at most two pages). */
static int
translate_range(struct vm *vm, uint32_t la, size_t len, unsigned access,
		uint32_t gpas[2], struct emu_fault *f)
{
	uint32_t second = ROUNDUP(la + 1, PGSIZE);
	int r;

	if ((r = linear_translate(vm, la, access, &gpas[0], f)) < 0)
		return r;
	gpas[1] = gpas[0] + (second - la);
	if (la + len > second)
		return linear_translate(vm, second, access, &gpas[1], f);
	return 0;
}

/* Copy between buf and guest RAM, page by page, after translating all. */
static int
linear_copy(struct vm *vm, uint32_t la, void *buf, size_t len,
	    unsigned access, struct emu_fault *f)
{
	uint8_t *b = buf;
	uint32_t gpas[2];
	size_t n;
	int i, r;

	while (len > 0) {
		/* Two pages at a time: an instruction's operand spans at
		 * most two, and each must fault before anything is written. */
		n = MIN(len, (size_t) (2 * PGSIZE - PGOFF(la)));
		if ((r = translate_range(vm, la, n, access, gpas, f)) < 0)
			return r;
		for (i = 0; i < 2 && n > 0; i++) {
			size_t part = MIN(n, (size_t) (PGSIZE - PGOFF(gpas[i])));

			if (access & PTW_WRITE) {
				if (gmem_write(vm, gpas[i], b, part) < 0)
					return LINEAR_NOT_RAM;
				shadow_guest_wrote(vm, gpas[i], part);
			} else if (gmem_read(vm, gpas[i], b, part) < 0) {
				return LINEAR_NOT_RAM;
			}
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
