/*
 * exec.c - replace a process's memory with a program from the file
 * system: load its ELF segments, build a stack holding argc and argv
 * under a guard page, and switch to the new address space only once
 * everything has succeeded.
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/mmu.h"
#include "kernel/proc.h"
#include "kernel/x86.h"
#include "kernel/elf.h"
#include "kernel/spinlock.h"
#include "kernel/sleeplock.h"
#include "kernel/fs.h"
#include "kernel/file.h"
#include "kernel/defs.h"

int
exec(char *path, char **argv)
{
	struct proc *p = myproc();
	uint argc, sz, sp, ustack[3 + MAXARG + 1];
	pde_t *pgdir = 0, *oldpgdir;
	struct inode *ip;
	struct proghdr ph;
	struct elfhdr elf;
	char *s, *last;
	int i, off;

	if ((ip = namei(path)) == 0)
		return -1;
	ilock(ip);

	/* Only regular files: reading a device could block forever. */
	if (ip->type != T_FILE ||
	    readi(ip, (char *)&elf, 0, sizeof(elf)) != sizeof(elf) ||
	    elf.magic != ELF_MAGIC)
		goto bad;
	if ((pgdir = setupkvm()) == 0)
		goto bad;

	sz = 0;
	for (i = 0, off = elf.phoff; i < elf.phnum; i++, off += sizeof(ph)) {
		if (readi(ip, (char *)&ph, off, sizeof(ph)) != sizeof(ph))
			goto bad;
		if (ph.type != ELF_PROG_LOAD)
			continue;
		if (ph.memsz < ph.filesz || ph.vaddr + ph.memsz < ph.vaddr ||
		    ph.vaddr % PGSIZE != 0)
			goto bad;
		if ((sz = allocuvm(pgdir, sz, ph.vaddr + ph.memsz)) == 0)
			goto bad;
		if (loaduvm(pgdir, (char *)ph.vaddr, ip, ph.off, ph.filesz) < 0)
			goto bad;
	}
	iunlockput(ip);
	ip = 0;

	/* Two pages: an inaccessible guard, then the stack. */
	sz = PGROUNDUP(sz);
	if ((sz = allocuvm(pgdir, sz, sz + 2 * PGSIZE)) == 0)
		goto bad;
	clearpteu(pgdir, (char *)(sz - 2 * PGSIZE));
	sp = sz;

	for (argc = 0; argv[argc]; argc++) {
		if (argc >= MAXARG)
			goto bad;
		sp = (sp - (strlen(argv[argc]) + 1)) & ~3;
		if (copyout(pgdir, sp, argv[argc], strlen(argv[argc]) + 1) < 0)
			goto bad;
		ustack[3 + argc] = sp;
	}
	ustack[3 + argc] = 0;
	ustack[0] = 0xffffffff;		/* a fake return address */
	ustack[1] = argc;
	ustack[2] = sp - (argc + 1) * 4;	/* argv */
	sp -= (3 + argc + 1) * 4;
	if (copyout(pgdir, sp, ustack, (3 + argc + 1) * 4) < 0)
		goto bad;

	for (last = s = path; *s; s++)
		if (*s == '/')
			last = s + 1;
	safestrcpy(p->name, last, sizeof(p->name));

	oldpgdir = p->pgdir;
	p->pgdir = pgdir;
	p->sz = sz;
	p->tf->eip = elf.entry;
	p->tf->esp = sp;
	p->divskip = 0;
	switchuvm(p);
	freevm(oldpgdir);
	return 0;

bad:
	if (pgdir)
		freevm(pgdir);
	if (ip)
		iunlockput(ip);
	return -1;
}
