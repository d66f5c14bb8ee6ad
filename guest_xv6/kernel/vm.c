/*
 * vm.c - page tables: the kernel's mapping shared by every address space,
 * user address spaces, and the two kinds of user page the page-fault
 * handler fills in on demand:
 *
 *  - lazy pages: sbrk only raises p->sz; a page below sz with no PTE is
 *    allocated (zeroed) on its first touch;
 *  - copy-on-write pages: fork shares every writable page read-only with
 *    PTE_COW set; the first write copies it (or, if no one else shares it
 *    any more, simply makes it writable again).
 *
 * The kernel also touches user memory on a process's behalf (read(2) into
 * a buffer, say); uvm_prepare resolves such pages before it does, so a
 * system call never faults in the kernel on a valid pointer.
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/mmu.h"
#include "kernel/proc.h"
#include "kernel/x86.h"
#include "kernel/spinlock.h"
#include "kernel/sleeplock.h"
#include "kernel/fs.h"
#include "kernel/file.h"
#include "kernel/defs.h"

extern char data[];	/* start of kernel data (kernel.ld) */
static pde_t *kpgdir;	/* the kernel-only page table, for the scheduler */

/* The flat segments every CPU uses; paging does all the protection. */
void
seginit(void)
{
	struct cpu *c = &cpus[cpuid()];

	c->gdt[SEG_KCODE] = SEG(STA_X | STA_R, 0, 0xffffffff, 0);
	c->gdt[SEG_KDATA] = SEG(STA_W, 0, 0xffffffff, 0);
	c->gdt[SEG_UCODE] = SEG(STA_X | STA_R, 0, 0xffffffff, DPL_USER);
	c->gdt[SEG_UDATA] = SEG(STA_W, 0, 0xffffffff, DPL_USER);
	lgdt(c->gdt, sizeof(c->gdt));
	/*
	 * Multiboot leaves the selectors' values undefined: whatever the
	 * loader's GDT used.  Reload every segment register from ours, or
	 * the first trap frame would carry a CS this GDT does not have.
	 */
	asm volatile("ljmp %0, $1f\n1:" : : "i"(SEG_KCODE << 3));
	asm volatile("movw %w0, %%ds; movw %w0, %%es; movw %w0, %%ss"
		     : : "r"(SEG_KDATA << 3));
	asm volatile("movw %w0, %%fs; movw %w0, %%gs" : : "r"(0));
}

/* The PTE for va, making the page table if alloc is set. */
pte_t *
walkpgdir(pde_t *pgdir, const void *va, int alloc)
{
	pde_t *pde = &pgdir[PDX(va)];
	pte_t *pgtab;

	if (*pde & PTE_P) {
		pgtab = (pte_t *)P2V(PTE_ADDR(*pde));
	} else {
		if (!alloc || (pgtab = (pte_t *)kalloc()) == 0)
			return 0;
		memset(pgtab, 0, PGSIZE);
		/* Permissions are checked at the PTE level; the PDE allows all. */
		*pde = V2P(pgtab) | PTE_P | PTE_W | PTE_U;
	}
	return &pgtab[PTX(va)];
}

static int
mappages(pde_t *pgdir, void *va, uint size, uint pa, int perm)
{
	char *a = (char *)PGROUNDDOWN((uint)va);
	char *last = (char *)PGROUNDDOWN(((uint)va) + size - 1);
	pte_t *pte;

	for (;;) {
		if ((pte = walkpgdir(pgdir, a, 1)) == 0)
			return -1;
		if (*pte & PTE_P)
			panic("mappages: remap");
		*pte = pa | perm | PTE_P;
		if (a == last)
			break;
		a += PGSIZE;
		pa += PGSIZE;
	}
	return 0;
}

/* The kernel's half of every address space. */
static struct kmap {
	void *virt;
	uint phys_start;
	uint phys_end;
	int perm;
} kmap[] = {
	{ (void *)KERNBASE, 0, EXTMEM, PTE_W },		/* BIOS area, CGA */
	{ (void *)KERNLINK, V2P(KERNLINK), V2P(data), 0 },	/* text, rodata */
	{ (void *)data, V2P(data), PHYSTOP, PTE_W },	/* data, free memory */
	{ (void *)DEVSPACE, DEVSPACE, 0, PTE_W },	/* IOAPIC, LAPIC */
};

pde_t *
setupkvm(void)
{
	struct kmap *k;
	pde_t *pgdir;

	if ((pgdir = (pde_t *)kalloc()) == 0)
		return 0;
	memset(pgdir, 0, PGSIZE);
	if (kpgdir) {
		/*
		 * Every address space shares the kernel's page tables, so a
		 * fork costs one page directory, not 60 page tables.
		 */
		memmove(&pgdir[PDX(KERNBASE)], &kpgdir[PDX(KERNBASE)],
			(NPDENTRIES - PDX(KERNBASE)) * sizeof(pde_t));
		return pgdir;
	}
	for (k = kmap; k < &kmap[NELEM(kmap)]; k++) {
		if (mappages(pgdir, k->virt, k->phys_end - k->phys_start,
			     k->phys_start, k->perm) < 0) {
			freevm(pgdir);
			return 0;
		}
	}
	return pgdir;
}

void
kvmalloc(void)
{
	if ((kpgdir = setupkvm()) == 0)
		panic("kvmalloc: out of memory");
	switchkvm();
}

void
switchkvm(void)
{
	lcr3(V2P(kpgdir));
}

/* Run p: its kernel stack for traps from user mode, its page table. */
void
switchuvm(struct proc *p)
{
	struct cpu *c;

	if (p == 0 || p->kstack == 0 || p->pgdir == 0)
		panic("switchuvm: no process");
	pushcli();
	c = mycpu();
	c->gdt[SEG_TSS] = SEG16(STS_T32A, &c->ts, sizeof(c->ts) - 1, 0);
	c->gdt[SEG_TSS].s = 0;
	c->ts.ss0 = SEG_KDATA << 3;
	c->ts.esp0 = (uint)p->kstack + KSTACKSIZE;
	/* An I/O map offset past the TSS limit: user in/out raise #GP. */
	c->ts.iomb = (ushort)0xFFFF;
	ltr(SEG_TSS << 3);
	lcr3(V2P(p->pgdir));
	popcli();
}

/* Read a program segment into pages allocuvm already mapped. */
int
loaduvm(pde_t *pgdir, char *addr, struct inode *ip, uint offset, uint sz)
{
	uint i, n, pa;
	pte_t *pte;

	if ((uint)addr % PGSIZE != 0)
		panic("loaduvm: unaligned");
	for (i = 0; i < sz; i += PGSIZE) {
		if ((pte = walkpgdir(pgdir, addr + i, 0)) == 0)
			panic("loaduvm: page missing");
		pa = PTE_ADDR(*pte);
		n = sz - i < PGSIZE ? sz - i : PGSIZE;
		if (readi(ip, P2V(pa), offset + i, n) != (int)n)
			return -1;
	}
	return 0;
}

/* Grow to newsz with real pages now (exec); sbrk grows lazily instead. */
int
allocuvm(pde_t *pgdir, uint oldsz, uint newsz)
{
	char *mem;
	uint a;

	if (newsz >= KERNBASE)
		return 0;
	if (newsz < oldsz)
		return oldsz;
	for (a = PGROUNDUP(oldsz); a < newsz; a += PGSIZE) {
		if ((mem = kalloc()) == 0) {
			deallocuvm(pgdir, newsz, oldsz);
			return 0;
		}
		memset(mem, 0, PGSIZE);
		if (mappages(pgdir, (char *)a, PGSIZE, V2P(mem),
			     PTE_W | PTE_U) < 0) {
			kfree(mem);
			deallocuvm(pgdir, newsz, oldsz);
			return 0;
		}
	}
	return newsz;
}

/* Shrink from oldsz to newsz, dropping the pages that exist. */
int
deallocuvm(pde_t *pgdir, uint oldsz, uint newsz)
{
	pte_t *pte;
	uint a;

	if (newsz >= oldsz)
		return oldsz;
	for (a = PGROUNDUP(newsz); a < oldsz; a += PGSIZE) {
		pte = walkpgdir(pgdir, (char *)a, 0);
		if (!pte) {
			/* No page table: skip to the next one. */
			a = PGADDR(PDX(a) + 1, 0, 0) - PGSIZE;
			continue;
		}
		if (*pte & PTE_P) {
			kfree(P2V(PTE_ADDR(*pte)));
			*pte = 0;
		}
	}
	return newsz;
}

void
freevm(pde_t *pgdir)
{
	uint i;

	if (pgdir == 0)
		panic("freevm: no pgdir");
	deallocuvm(pgdir, KERNBASE, 0);
	/* Only the user half: the kernel's page tables are shared. */
	for (i = 0; i < PDX(KERNBASE); i++)
		if (pgdir[i] & PTE_P)
			kfree(P2V(PTE_ADDR(pgdir[i])));
	kfree((char *)pgdir);
}

/* Make a page inaccessible to user mode (the stack guard page). */
void
clearpteu(pde_t *pgdir, char *uva)
{
	pte_t *pte;

	if ((pte = walkpgdir(pgdir, uva, 0)) == 0)
		panic("clearpteu");
	*pte &= ~PTE_U;
}

/*
 * fork's copy of an address space: share every page, writable ones
 * read-only and marked copy-on-write in both parent and child.
 */
pde_t *
copyuvm(pde_t *pgdir, uint sz)
{
	pde_t *d;
	pte_t *pte;
	uint pa, i, flags;

	if ((d = setupkvm()) == 0)
		return 0;
	for (i = 0; i < sz; i += PGSIZE) {
		pte = walkpgdir(pgdir, (void *)i, 0);
		if (!pte) {
			i = PGADDR(PDX(i) + 1, 0, 0) - PGSIZE;
			continue;
		}
		if (!(*pte & PTE_P))
			continue;	/* lazy page: stays lazy in both */
		pa = PTE_ADDR(*pte);
		flags = PTE_FLAGS(*pte) & ~(PTE_A | PTE_D);
		if (flags & PTE_W) {
			flags = (flags & ~PTE_W) | PTE_COW;
			*pte = pa | flags | (*pte & (PTE_A | PTE_D));
		}
		if (mappages(d, (void *)i, PGSIZE, pa, flags & ~PTE_P) < 0) {
			freevm(d);
			return 0;
		}
		kref_inc(pa);
	}
	/* The parent's pages just became read-only: drop stale TLB entries. */
	lcr3(V2P(pgdir));
	return d;
}

/*
 * Resolve a fault at user address va of the current process p: a lazy
 * page or a copy-on-write page.  Returns -1 for a true error (the address
 * is not the process's, or memory ran out), after which p is killed.
 */
int
uvm_fault(struct proc *p, uint va, int write)
{
	pte_t *pte;
	char *mem;
	uint pa;

	if (va >= p->sz || va >= KERNBASE)
		return -1;
	va = PGROUNDDOWN(va);
	pte = walkpgdir(p->pgdir, (void *)va, 0);
	if (!pte || !(*pte & PTE_P)) {
		if ((mem = kalloc()) == 0)
			return -1;
		memset(mem, 0, PGSIZE);
		if (mappages(p->pgdir, (void *)va, PGSIZE, V2P(mem),
			     PTE_W | PTE_U) < 0) {
			kfree(mem);
			return -1;
		}
		return 0;
	}
	if (!(*pte & PTE_U) || !write || (*pte & PTE_W) || !(*pte & PTE_COW))
		return -1;
	pa = PTE_ADDR(*pte);
	if (kref_get(pa) == 1) {
		/* The others sharing it are gone: just take it back. */
		*pte = (*pte | PTE_W) & ~PTE_COW;
	} else {
		if ((mem = kalloc()) == 0)
			return -1;
		memmove(mem, P2V(pa), PGSIZE);
		*pte = V2P(mem) | ((PTE_FLAGS(*pte) | PTE_W) & ~PTE_COW);
		kfree(P2V(pa));
	}
	invlpg((void *)va);
	return 0;
}

/*
 * Make [va, va+len) of the current process ready for the kernel to read
 * (or write): allocate lazy pages, break copy-on-write sharing.
 */
int
uvm_prepare(struct proc *p, uint va, uint len, int write)
{
	uint a, end = va + len;
	pte_t *pte;

	if (end < va || end > p->sz)
		return -1;
	for (a = PGROUNDDOWN(va); a < end; a += PGSIZE) {
		pte = walkpgdir(p->pgdir, (void *)a, 0);
		if (pte && (*pte & PTE_P) && !(*pte & PTE_U))
			return -1;
		if (!pte || !(*pte & PTE_P) || (write && !(*pte & PTE_W)))
			if (uvm_fault(p, a, write) < 0)
				return -1;
	}
	return 0;
}

/*
 * Copy len bytes from kernel p to user va in pgdir, which need not be the
 * current page table (exec fills the new one before switching to it).
 */
int
copyout(pde_t *pgdir, uint va, void *p, uint len)
{
	struct proc *cur = myproc();
	char *buf = p;
	uint n, va0;
	pte_t *pte;

	if (cur && pgdir == cur->pgdir && uvm_prepare(cur, va, len, 1) < 0)
		return -1;
	while (len > 0) {
		va0 = PGROUNDDOWN(va);
		pte = walkpgdir(pgdir, (void *)va0, 0);
		if (!pte || (*pte & (PTE_P | PTE_U | PTE_W)) !=
		    (PTE_P | PTE_U | PTE_W))
			return -1;
		n = PGSIZE - (va - va0);
		if (n > len)
			n = len;
		memmove((char *)P2V(PTE_ADDR(*pte)) + (va - va0), buf, n);
		len -= n;
		buf += n;
		va = va0 + PGSIZE;
	}
	return 0;
}
