/*
 * kalloc.c - the physical page allocator: a free list of 4 KB pages from
 * the end of the kernel to PHYSTOP, plus a reference count per page so
 * that copy-on-write fork can share pages between address spaces.
 *
 * kfree drops one reference and frees the page when none are left.  Freed
 * pages are filled with junk so that a use after free shows up quickly;
 * at boot this touches every page of memory, as xv6 does.
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/mmu.h"
#include "kernel/spinlock.h"
#include "kernel/defs.h"

extern char end[];

struct run {
	struct run *next;
};

static struct {
	struct spinlock lock;
	int use_lock;	/* off during early boot, before locks can work */
	struct run *freelist;
	int nfree;
	ushort ref[PHYSTOP / PGSIZE];
} kmem;

static void
freerange(void *vstart, void *vend)
{
	char *p;

	for (p = (char *)PGROUNDUP((uint)vstart); p + PGSIZE <= (char *)vend;
	     p += PGSIZE) {
		kmem.ref[V2P(p) / PGSIZE] = 1;
		kfree(p);
	}
}

/* Early boot: the memory the entry page directory maps. */
void
kinit1(void *vstart, void *vend)
{
	initlock(&kmem.lock, "kmem");
	kmem.use_lock = 0;
	freerange(vstart, vend);
}

/* After the full kernel page table is on: the rest. */
void
kinit2(void *vstart, void *vend)
{
	freerange(vstart, vend);
	kmem.use_lock = 1;
}

void
kfree(char *v)
{
	struct run *r;
	uint pa;

	if ((uint)v % PGSIZE || v < end || V2P(v) >= PHYSTOP)
		panic("kfree: bad address");
	pa = V2P(v);
	if (kmem.use_lock)
		acquire(&kmem.lock);
	if (kmem.ref[pa / PGSIZE] == 0)
		panic("kfree: page already free");
	if (--kmem.ref[pa / PGSIZE] > 0) {
		if (kmem.use_lock)
			release(&kmem.lock);
		return;
	}
	memset(v, 1, PGSIZE);
	r = (struct run *)v;
	r->next = kmem.freelist;
	kmem.freelist = r;
	kmem.nfree++;
	if (kmem.use_lock)
		release(&kmem.lock);
}

/* One page with one reference, or 0 when memory is exhausted. */
char *
kalloc(void)
{
	struct run *r;

	if (kmem.use_lock)
		acquire(&kmem.lock);
	r = kmem.freelist;
	if (r) {
		kmem.freelist = r->next;
		kmem.nfree--;
		kmem.ref[V2P(r) / PGSIZE] = 1;
	}
	if (kmem.use_lock)
		release(&kmem.lock);
	return (char *)r;
}

void
kref_inc(uint pa)
{
	acquire(&kmem.lock);
	if (pa >= PHYSTOP || kmem.ref[pa / PGSIZE] == 0)
		panic("kref_inc: page not allocated");
	kmem.ref[pa / PGSIZE]++;
	release(&kmem.lock);
}

int
kref_get(uint pa)
{
	int r;

	acquire(&kmem.lock);
	r = kmem.ref[pa / PGSIZE];
	release(&kmem.lock);
	return r;
}

int
kfree_pages(void)
{
	return kmem.nfree;
}
