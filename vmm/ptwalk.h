/*
 * ptwalk.h - the guest's page tables, walked as the CPU walks them.
 *
 * Adams & Agesen, section 2.4: the monitor must know, for any guest
 * linear address, what the guest's own page tables say - whether the
 * access is allowed, where it lands, and which accessed and dirty bits
 * the CPU would have set on the way.  Every engine asks this one walker:
 * the shadow MMU (vmm/shadow.c) to tell true faults from hidden ones, the
 * emulator's memory accesses, interrupt delivery, descriptor reads.
 *
 * The semantics are those of QEMU's 32-bit CPU, the kit's reference:
 * two-level paging (4 MB pages when CR4.PSE is on) or, with CR4.PAE,
 * three levels of 8-byte entries (2 MB pages); present, writable and user
 * bits combined across the levels, CR0.WP for supervisor writes, reserved
 * bits as page faults with PFERR_RSVD, 32 physical address bits and no
 * execute-disable (so a fetch has the rights of a read and the error code
 * no I/D bit).
 */
#ifndef VMM_PTWALK_H
#define VMM_PTWALK_H

#include "kern/types.h"

struct vm;

/* What kind of access a walk is for (combine with |). */
#define PTW_WRITE	0x1	/* a write; otherwise a read */
#define PTW_USER	0x2	/* at CPL 3; otherwise a supervisor access */
#define PTW_FETCH	0x4	/* an instruction fetch: a read's rights */
#define PTW_SET_AD	0x8	/* on success, set accessed/dirty bits as the CPU does */

/* The page-fault error code the CPU pushes (bits 0-2). */
#define PFERR_P		0x1	/* a protection violation; 0: not present */
#define PFERR_W		0x2	/* the access was a write */
#define PFERR_U		0x4	/* the access was made at CPL 3 */
#define PFERR_RSVD	0x8	/* a present entry had a reserved bit set */

/* A walk's outcome. */
struct ptwalk {
	uint32_t la;		/* the linear address walked */
	uint32_t gpa;		/* success: the guest-physical address */
	/* PAE: the low halves of the entries (the flags, the frame). */
	uint32_t pde;		/* the directory entry, after any A/D update */
	uint32_t pte;		/* the table entry (big page: equal to pde) */
	uint32_t pde_gpa;	/* where the entries live, guest-physical */
	uint32_t pte_gpa;	/* (4 MB page: equal to pde_gpa) */
	bool big;		/* a 4 MB page (CR4.PSE and PDE.PS) or PAE's 2 MB */
	uint32_t rights;	/* PTE_U and PTE_W as both levels combine them */
	bool set_a;		/* this walk set an accessed bit (PDE or PTE) */
	bool set_d;		/* this walk set the dirty bit */
	uint32_t err;		/* failure: the page-fault error code */
	bool bad_table;		/* failure: a table lies outside guest RAM */
};

/**
 * @brief Walk the guest's page tables (v->cr3, v->cr0.WP, v->cr4.PSE and
 * PAE of @p vm's vcpu) for an access of kind @p access to linear address
 * @p la.
 *
 * Reads and updates guest-physical memory through vmm/gmem.h, never
 * through any shadow.  With PTW_SET_AD the walk sets accessed and dirty
 * bits exactly when the CPU would: the accessed bit of each entry that
 * names a table as soon as the walk follows it (so a walk that fails
 * further down leaves it set), and on success the accessed bit and, for
 * a write, the dirty bit of the entry that maps the page.
 * @return 0 with w->gpa filled, or -1 with w->err holding the error code
 * the CPU would push (w->bad_table if a table was not in guest RAM)
 */
int ptwalk(struct vm *vm, uint32_t la, unsigned access, struct ptwalk *w);

#endif
