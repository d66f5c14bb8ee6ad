/*
 * env.c - creating, running and destroying user environments.
 *
 * A new environment gets a page directory that copies kern_pgdir above
 * UTOP (so the kernel, the monitor and the kernel stack are there when a
 * trap arrives) and maps the program's ELF segments and a stack below it,
 * all with PTE_U.  The program images are ELF files linked into the
 * kernel (see userprogs.S, made by kern/Makefrag): there is no file
 * system to load them from.
 *
 *	USTACKTOP ->	+------------------+
 *			| user stack       |  USTACKSIZE, PTE_U | PTE_W
 *			+------------------+
 *			       ...
 *			| .data .bss       |  PTE_U | PTE_W
 *			| .text .rodata    |  PTE_U (read-only)
 *	UTEXT ->	+------------------+
 */
#include "kern/types.h"
#include "kern/x86.h"
#include "kern/string.h"
#include "kern/printf.h"
#include "kern/error.h"
#include "kern/elf.h"
#include "kern/gdt.h"
#include "kern/pmap.h"
#include "kern/sched.h"
#include "kern/env.h"

struct env envs[NENV];
struct env *curenv;
static bool initialized;

void
env_init(void)
{
	memset(envs, 0, sizeof(envs));
	curenv = NULL;
	initialized = true;
}

bool
env_ready(void)
{
	return initialized;
}

/*
 * Map fresh zeroed pages over [va, va + len) in e, with perm; pages
 * already mapped (two segments can share a page) only gain PTE_W if asked.
 */
static int
region_alloc(struct env *e, uintptr_t va, size_t len, int perm)
{
	uintptr_t p, end = ROUNDUP(va + len, PGSIZE);
	struct page *pp;
	pte_t *pte;

	for (p = ROUNDDOWN(va, PGSIZE); p < end; p += PGSIZE) {
		if (page_lookup(e->pgdir, p, &pte) != NULL) {
			*pte |= perm & PTE_W;
			continue;
		}
		if ((pp = page_alloc(ALLOC_ZERO)) == NULL)
			return -E_NO_MEM;
		if (page_insert(e->pgdir, pp, p, perm) < 0) {
			page_free(pp);
			return -E_NO_MEM;
		}
	}
	return 0;
}

/* Copy len bytes from the kernel's src to e's va, through the direct map. */
static void
copy_to_user(struct env *e, uintptr_t va, const uint8_t *src, size_t len)
{
	size_t n;
	struct page *pp;

	while (len > 0) {
		pp = page_lookup(e->pgdir, va, NULL);
		assert(pp != NULL);
		n = MIN(len, PGSIZE - PGOFF(va));
		memcpy((uint8_t *) page2kva(pp) + PGOFF(va), src, n);
		va += n;
		src += n;
		len -= n;
	}
}

/* Check an ELF image and load its segments into e; set its entry point. */
static int
load_program(struct env *e, const uint8_t *image, uint32_t size)
{
	const struct elf_header *eh = (const void *) image;
	const struct elf_phdr *ph;
	int i, r;

	if (size < sizeof(*eh) || *(const uint32_t *) eh->e_ident != ELF_MAGIC ||
	    eh->e_ident[EI_CLASS] != ELFCLASS32 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_type != ET_EXEC || eh->e_machine != EM_386 ||
	    eh->e_phentsize != sizeof(*ph) ||
	    eh->e_phoff > size ||
	    eh->e_phnum > (size - eh->e_phoff) / sizeof(*ph) ||
	    eh->e_entry >= UTOP)
		return -E_BAD_ELF;

	ph = (const void *) (image + eh->e_phoff);
	for (i = 0; i < eh->e_phnum; i++, ph++) {
		if (ph->p_type != PT_LOAD || ph->p_memsz == 0)
			continue;
		/* Everything must lie in the file and below UTOP, without
		 * wrapping around. */
		if (ph->p_filesz > ph->p_memsz || ph->p_offset > size ||
		    ph->p_filesz > size - ph->p_offset ||
		    ph->p_vaddr < PGSIZE || ph->p_vaddr >= UTOP ||
		    ph->p_memsz > UTOP - ph->p_vaddr)
			return -E_BAD_ELF;
		r = region_alloc(e, ph->p_vaddr, ph->p_memsz,
				 PTE_U | (ph->p_flags & PF_W ? PTE_W : 0));
		if (r < 0)
			return r;
		copy_to_user(e, ph->p_vaddr, image + ph->p_offset, ph->p_filesz);
	}
	e->tf.eip = eh->e_entry;
	return region_alloc(e, USTACKTOP - USTACKSIZE, USTACKSIZE,
			    PTE_U | PTE_W);
}

/* Take a free slot and give it an address space and ring-3 registers. */
static int
env_alloc(struct env **out)
{
	struct env *e;
	struct page *pp;
	int i, gen;

	for (i = 0; i < NENV && envs[i].status != ENV_FREE; i++)
		;
	if (i == NENV)
		return -E_NO_FREE_ENV;
	e = &envs[i];
	if ((pp = page_alloc(ALLOC_ZERO)) == NULL)
		return -E_NO_MEM;
	pp->refs++;
	e->pgdir = page2kva(pp);
	pgdir_copy_kernel(e->pgdir);

	gen = (e->id >> ENVGENSHIFT) + 1;
	e->id = gen << ENVGENSHIFT | i;
	e->trap_handler = 0;
	e->runs = 0;
	/* Ring 3 everywhere (RPL 3); interrupts on, so the timer can take
	 * the CPU back; IOPL 0, so ring 3 may not turn them off. */
	memset(&e->tf, 0, sizeof(e->tf));
	e->tf.ds = e->tf.es = e->tf.fs = e->tf.gs = GD_UD | 3;
	e->tf.ss = GD_UD | 3;
	e->tf.cs = GD_UT | 3;
	e->tf.esp = USTACKTOP;
	e->tf.eflags = FL_IF;
	e->status = ENV_RUNNABLE;
	*out = e;
	return 0;
}

/* Unmap and free everything below UTOP, then the directory itself. */
static void
env_free(struct env *e)
{
	uint32_t pdx, ptx;
	pte_t *pt;

	/* Never free the page directory the CPU is using. */
	if (rcr3() == kva2pa(e->pgdir))
		pgdir_load(kern_pgdir);
	for (pdx = 0; pdx < PDX(UTOP); pdx++) {
		if (!(e->pgdir[pdx] & PTE_P))
			continue;
		pt = pa2kva(PTE_ADDR(e->pgdir[pdx]));
		for (ptx = 0; ptx < NPTENTRIES; ptx++)
			if (pt[ptx] & PTE_P)
				page_remove(e->pgdir, (uintptr_t) PGADDR(pdx, ptx, 0));
		page_decref(pa2page(PTE_ADDR(e->pgdir[pdx])));
		e->pgdir[pdx] = 0;
	}
	page_decref(pa2page(kva2pa(e->pgdir)));
	e->pgdir = NULL;
	e->status = ENV_FREE;
}

static const struct user_program *
find_program(const char *name)
{
	const struct user_program *p;

	for (p = user_programs; p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

void
user_program_list(void)
{
	const struct user_program *p;

	for (p = user_programs; p->name; p++)
		cprintf("%s%s", p == user_programs ? "" : " ", p->name);
	cprintf("\n");
}

envid_t
env_create(const char *name)
{
	const struct user_program *prog = find_program(name);
	struct env *e;
	int r;

	if (prog == NULL)
		return -E_NOT_FOUND;
	if ((r = env_alloc(&e)) < 0)
		return r;
	strlcpy(e->name, name, sizeof(e->name));
	if ((r = load_program(e, prog->image, prog->size)) < 0) {
		env_free(e);
		return r;
	}
	cprintf("[%08x] new env '%s'\n", e->id, e->name);
	return e->id;
}

void
env_run(struct env *e)
{
	if (curenv && curenv->status == ENV_RUNNING)
		curenv->status = ENV_RUNNABLE;
	curenv = e;
	e->status = ENV_RUNNING;
	e->runs++;
	if (rcr3() != kva2pa(e->pgdir))
		pgdir_load(e->pgdir);
	trapframe_pop(&e->tf);
}

void
env_destroy(struct env *e)
{
	env_free(e);
	if (e == curenv) {
		curenv = NULL;
		sched_yield();
	}
}

int
env_check_user_mem(struct env *e, uintptr_t va, size_t len, int perm,
		   uintptr_t *bad)
{
	uintptr_t p, end = va + len;
	pte_t *pte;

	perm |= PTE_U | PTE_P;
	if (end < va || end > UTOP) {
		*bad = va >= UTOP ? va : UTOP;
		return -E_FAULT;
	}
	for (p = ROUNDDOWN(va, PGSIZE); p < end; p += PGSIZE) {
		pte = pgdir_walk(e->pgdir, p, false);
		if (pte == NULL || (*pte & perm) != perm) {
			*bad = MAX(p, va);
			return -E_FAULT;
		}
	}
	return 0;
}
