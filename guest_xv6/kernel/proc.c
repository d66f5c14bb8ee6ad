/*
 * proc.c - processes: the table, creation (fork), the first process,
 * exit and wait, sleep and wakeup, kill, and the scheduler.
 *
 * One lock, ptable.lock, guards every process's state field and the
 * parent links; sleep and wakeup use it to avoid lost wakeups.  Each CPU
 * runs scheduler() on its own stack and switches to a process and back
 * with swtch.
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/mmu.h"
#include "kernel/x86.h"
#include "kernel/proc.h"
#include "kernel/spinlock.h"
#include "kernel/defs.h"

static struct {
	struct spinlock lock;
	struct proc proc[NPROC];
} ptable;

static struct proc *initproc;
static int nextpid = 1;

extern void trapret(void);
static void forkret(void);

void
pinit(void)
{
	initlock(&ptable.lock, "ptable");
}

/*
 * This CPU's state, found by its LAPIC ID.  Interrupts must be off, or
 * the process could move to another CPU between the read and the use.
 */
struct cpu *
mycpu(void)
{
	int apicid, i;

	if (readeflags() & FL_IF)
		panic("mycpu called with interrupts on");
	apicid = lapicid();
	for (i = 0; i < ncpu; i++)
		if (cpus[i].apicid == apicid)
			return &cpus[i];
	if (ncpu == 0)
		return &cpus[0];	/* before mpinit */
	panic("mycpu: unknown LAPIC ID");
}

int
cpuid(void)
{
	return mycpu() - cpus;
}

struct proc *
myproc(void)
{
	struct proc *p;

	pushcli();
	p = mycpu()->proc;
	popcli();
	return p;
}

/*
 * Take an unused slot and give it a kernel stack laid out so that its
 * first swtch lands in forkret and then returns to user mode through
 * trapret with the trapframe on top of the stack.
 */
static struct proc *
allocproc(void)
{
	struct proc *p;
	char *sp;

	acquire(&ptable.lock);
	for (p = ptable.proc; p < &ptable.proc[NPROC]; p++)
		if (p->state == UNUSED)
			goto found;
	release(&ptable.lock);
	return 0;

found:
	p->state = EMBRYO;
	p->pid = nextpid++;
	p->killed = 0;
	p->xstate = 0;
	p->divskip = 0;
	release(&ptable.lock);

	if ((p->kstack = kalloc()) == 0) {
		p->state = UNUSED;
		return 0;
	}
	sp = p->kstack + KSTACKSIZE;

	sp -= sizeof(*p->tf);
	p->tf = (struct trapframe *)sp;
	sp -= 4;
	*(uint *)sp = (uint)trapret;
	sp -= sizeof(*p->context);
	p->context = (struct context *)sp;
	memset(p->context, 0, sizeof(*p->context));
	p->context->eip = (uint)forkret;
	return p;
}

/* The first process: an empty address space that forkret fills by exec. */
void
userinit(void)
{
	struct proc *p;

	if ((p = allocproc()) == 0)
		panic("userinit: no process");
	initproc = p;
	if ((p->pgdir = setupkvm()) == 0)
		panic("userinit: out of memory");
	p->sz = 0;
	memset(p->tf, 0, sizeof(*p->tf));
	p->tf->cs = (SEG_UCODE << 3) | DPL_USER;
	p->tf->ds = (SEG_UDATA << 3) | DPL_USER;
	p->tf->es = p->tf->ds;
	p->tf->ss = p->tf->ds;
	p->tf->eflags = FL_IF;
	safestrcpy(p->name, "init", sizeof(p->name));

	acquire(&ptable.lock);
	p->state = RUNNABLE;
	release(&ptable.lock);
}

/*
 * Exec /init in the first process, passing it the program the kernel
 * command line named (split at spaces), if any.
 */
static void
start_init(void)
{
	static char words[CMDLINE_MAX];
	char *argv[MAXARG];
	char *s;
	int argc = 0;

	argv[argc++] = "/init";
	safestrcpy(words, bootcmd, sizeof(words));
	for (s = words; *s && argc < MAXARG - 1;) {
		while (*s == ' ')
			*s++ = 0;
		if (!*s)
			break;
		argv[argc++] = s;
		while (*s && *s != ' ')
			s++;
	}
	argv[argc] = 0;
	if (exec("/init", argv) < 0)
		panic("cannot exec /init");
}

/*
 * sbrk: growing only raises sz (pages come on first touch); shrinking
 * frees the pages at once.
 */
int
growproc(int n)
{
	struct proc *p = myproc();
	uint sz = p->sz, newsz = sz + n;

	if (n > 0) {
		if (newsz < sz || newsz >= KERNBASE)
			return -1;
	} else if (n < 0) {
		if (newsz > sz)
			return -1;
		deallocuvm(p->pgdir, sz, newsz);
	}
	p->sz = newsz;
	switchuvm(p);	/* reload CR3: freed pages must leave the TLB */
	return 0;
}

int
fork(void)
{
	struct proc *np, *p = myproc();
	int i, pid;

	if ((np = allocproc()) == 0)
		return -1;
	if ((np->pgdir = copyuvm(p->pgdir, p->sz)) == 0) {
		kfree(np->kstack);
		np->kstack = 0;
		np->state = UNUSED;
		return -1;
	}
	np->sz = p->sz;
	np->parent = p;
	*np->tf = *p->tf;
	np->tf->eax = 0;	/* fork returns 0 in the child */
	for (i = 0; i < NOFILE; i++)
		if (p->ofile[i])
			np->ofile[i] = filedup(p->ofile[i]);
	np->cwd = idup(p->cwd);
	safestrcpy(np->name, p->name, sizeof(p->name));
	pid = np->pid;

	acquire(&ptable.lock);
	np->state = RUNNABLE;
	release(&ptable.lock);
	return pid;
}

/* Wake every process sleeping on chan; ptable.lock must be held. */
static void
wakeup1(void *chan)
{
	struct proc *p;

	for (p = ptable.proc; p < &ptable.proc[NPROC]; p++)
		if (p->state == SLEEPING && p->chan == chan)
			p->state = RUNNABLE;
}

/*
 * Leave as a zombie until the parent waits.  When init itself exits (it
 * does so after the program the command line named), the run is over.
 */
void
exit(int status)
{
	struct proc *p, *cur = myproc();
	int fd;

	if (cur == initproc)
		machine_halt(status);
	for (fd = 0; fd < NOFILE; fd++) {
		if (cur->ofile[fd]) {
			fileclose(cur->ofile[fd]);
			cur->ofile[fd] = 0;
		}
	}
	iput(cur->cwd);
	cur->cwd = 0;

	acquire(&ptable.lock);
	wakeup1(cur->parent);
	/* Orphans go to init, which reaps them. */
	for (p = ptable.proc; p < &ptable.proc[NPROC]; p++) {
		if (p->parent == cur) {
			p->parent = initproc;
			if (p->state == ZOMBIE)
				wakeup1(initproc);
		}
	}
	cur->xstate = status;
	cur->state = ZOMBIE;
	sched();
	panic("zombie exit");
}

/* Reap a child: its pid, with its exit status in *status. */
int
wait(int *status)
{
	struct proc *p, *cur = myproc();
	int havekids, pid;

	acquire(&ptable.lock);
	for (;;) {
		havekids = 0;
		for (p = ptable.proc; p < &ptable.proc[NPROC]; p++) {
			if (p->parent != cur)
				continue;
			havekids = 1;
			if (p->state != ZOMBIE)
				continue;
			pid = p->pid;
			if (status)
				*status = p->xstate;
			kfree(p->kstack);
			p->kstack = 0;
			freevm(p->pgdir);
			p->pgdir = 0;
			p->pid = 0;
			p->parent = 0;
			p->name[0] = 0;
			p->killed = 0;
			p->state = UNUSED;
			release(&ptable.lock);
			return pid;
		}
		if (!havekids || cur->killed) {
			release(&ptable.lock);
			return -1;
		}
		sleep(cur, &ptable.lock);
	}
}

/*
 * Each CPU's loop: pick a runnable process, switch to it, and come back
 * here when it gives up the CPU.  Interrupts are enabled on every pass so
 * that an idle CPU still takes device interrupts.
 */
void
scheduler(void)
{
	struct cpu *c = mycpu();
	struct proc *p;
	int ran;

	c->proc = 0;
	for (;;) {
		sti();
		ran = 0;
		acquire(&ptable.lock);
		for (p = ptable.proc; p < &ptable.proc[NPROC]; p++) {
			if (p->state != RUNNABLE)
				continue;
			c->proc = p;
			switchuvm(p);
			p->state = RUNNING;
			swtch(&c->scheduler, p->context);
			switchkvm();
			c->proc = 0;
			ran = 1;
		}
		release(&ptable.lock);
		if (!ran)
			hlt();	/* nothing to run: wait for an interrupt */
	}
}

/* Back to the scheduler, holding only ptable.lock. */
void
sched(void)
{
	struct proc *p = myproc();
	int intena;

	if (!holding(&ptable.lock))
		panic("sched: ptable.lock not held");
	if (mycpu()->ncli != 1)
		panic("sched: other locks held");
	if (p->state == RUNNING)
		panic("sched: still running");
	if (readeflags() & FL_IF)
		panic("sched: interruptible");
	intena = mycpu()->intena;
	swtch(&p->context, mycpu()->scheduler);
	mycpu()->intena = intena;
}

void
yield(void)
{
	acquire(&ptable.lock);
	myproc()->state = RUNNABLE;
	sched();
	release(&ptable.lock);
}

/*
 * A new process's first return from swtch.  The first process also
 * mounts the file system and execs /init here, because both may sleep on
 * the disk, which only a process can.
 */
static void
forkret(void)
{
	static int first = 1;

	release(&ptable.lock);
	if (first) {
		first = 0;
		fsinit(ROOTDEV);
		myproc()->cwd = namei("/");
		start_init();
	}
	/* Return to trapret, then user mode. */
}

void
sleep(void *chan, struct spinlock *lk)
{
	struct proc *p = myproc();

	if (p == 0)
		panic("sleep without a process");
	if (lk == 0)
		panic("sleep without a lock");
	/* Holding ptable.lock, no wakeup can slip in after we drop lk. */
	if (lk != &ptable.lock) {
		acquire(&ptable.lock);
		release(lk);
	}
	p->chan = chan;
	p->state = SLEEPING;
	sched();
	p->chan = 0;
	if (lk != &ptable.lock) {
		release(&ptable.lock);
		acquire(lk);
	}
}

void
wakeup(void *chan)
{
	acquire(&ptable.lock);
	wakeup1(chan);
	release(&ptable.lock);
}

/* Mark pid killed; it exits the next time it crosses into user mode. */
int
kill(int pid)
{
	struct proc *p;

	acquire(&ptable.lock);
	for (p = ptable.proc; p < &ptable.proc[NPROC]; p++) {
		if (p->pid == pid && p->state != UNUSED) {
			p->killed = 1;
			if (p->state == SLEEPING)
				p->state = RUNNABLE;
			release(&ptable.lock);
			return 0;
		}
	}
	release(&ptable.lock);
	return -1;
}

/* ^P on the console: list the processes.  No lock, so it works when
 * the system is wedged. */
void
procdump(void)
{
	static const char *states[] = {
		[UNUSED] = "unused", [EMBRYO] = "embryo",
		[SLEEPING] = "sleep", [RUNNABLE] = "runble",
		[RUNNING] = "run", [ZOMBIE] = "zombie",
	};
	struct proc *p;

	for (p = ptable.proc; p < &ptable.proc[NPROC]; p++) {
		if (p->state == UNUSED)
			continue;
		cprintf("%d %s %s sz %d\n", p->pid, states[p->state],
			p->name, p->sz);
	}
}
