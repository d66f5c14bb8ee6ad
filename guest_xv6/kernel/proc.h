/*
 * proc.h - per-CPU and per-process state.
 */
#ifndef GX_PROC_H
#define GX_PROC_H

#include "kernel/param.h"
#include "kernel/mmu.h"
#include "kernel/x86.h"

/* What swtch saves: the callee-saved registers and the return address. */
struct context {
	uint edi;
	uint esi;
	uint ebx;
	uint ebp;
	uint eip;
};

struct cpu {
	uchar apicid;		/* how mycpu() recognises this CPU */
	struct context *scheduler;
	struct taskstate ts;	/* gives the kernel stack on traps from user */
	struct segdesc gdt[NSEGS];
	volatile uint started;
	int ncli;		/* depth of pushcli */
	int intena;		/* were interrupts on before the first pushcli? */
	struct proc *proc;
};

extern struct cpu cpus[NCPU];
extern int ncpu;

enum procstate { UNUSED, EMBRYO, SLEEPING, RUNNABLE, RUNNING, ZOMBIE };

struct proc {
	uint sz;		/* user memory size; pages above it are unmapped,
				 * pages below it may not exist yet (lazy sbrk) */
	pde_t *pgdir;
	char *kstack;
	enum procstate state;
	int pid;
	struct proc *parent;
	struct trapframe *tf;
	struct context *context;
	void *chan;		/* what it sleeps on */
	int killed;
	int xstate;		/* exit status, for wait */
	int divskip;		/* skip divide errors instead of dying (nanobench) */
	struct file *ofile[NOFILE];
	struct inode *cwd;
	char name[16];
};

#endif
