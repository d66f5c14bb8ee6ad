/*
 * gmem.h - guest-physical memory: allocating it and reaching into it.
 *
 * Guest RAM is host pages from the lab-2 allocator, found through the
 * physical-mode page directory (struct vm.physmap), which doubles as the
 * gpa -> hpa table.  The monitor reaches a guest page through the host's
 * direct map, from the trap path, which runs on the host's page
 * directory (the guest's address space maps, of the monitor, only the
 * world switch's pages).
 */
#ifndef VMM_GMEM_H
#define VMM_GMEM_H

#include "kern/types.h"
#include "vmm/vm.h"

/**
 * @brief Give @p vm @p ram bytes (a multiple of 4 MB) of zeroed RAM at
 * guest-physical 0 and build its physical-mode page directory.
 * @return 0, or -E_NO_MEM with a message printed naming the fix
 */
int gmem_alloc(struct vm *vm, uint32_t ram);

/** @brief Give back every page gmem_alloc() took. */
void gmem_free(struct vm *vm);

/**
 * @brief The page of guest RAM holding @p gpa, through the host's direct
 * map (valid while the guest lives), or NULL if it is not RAM: for a
 * caller that reads the same guest page on every exit.
 */
void *gmem_page(const struct vm *vm, uint32_t gpa);

/**
 * @brief Let the guest write page @p gpa of its RAM directly with its
 * paging off (@p writable), or make each write fault to the monitor:
 * the page's entry in the physical-mode directory.
 */
void gmem_set_writable(struct vm *vm, uint32_t gpa, bool writable);

/**
 * @brief The host-physical address behind guest-physical @p gpa, or
 * (physaddr_t) -1 if gpa is not guest RAM.
 */
physaddr_t gmem_hpa(const struct vm *vm, uint32_t gpa);

/**
 * @brief Copy @p len bytes from guest-physical @p gpa into @p buf.
 * @return 0, or -1 (nothing copied) if the range is not all guest RAM
 */
int gmem_read(const struct vm *vm, uint32_t gpa, void *buf, size_t len);

/**
 * @brief Copy @p len bytes from @p buf to guest-physical @p gpa; a NULL
 * @p buf writes zeros.
 * @return 0, or -1 (nothing copied) if the range is not all guest RAM
 */
int gmem_write(const struct vm *vm, uint32_t gpa, const void *buf, size_t len);

#endif
