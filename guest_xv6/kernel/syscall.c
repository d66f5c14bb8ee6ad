/*
 * syscall.c - system call dispatch and argument fetching.
 *
 * Arguments are on the user stack (the int $64 convention of user/usys.S:
 * number in %eax, arguments above the return address).  Every pointer a
 * user passes is checked against the process's size and its pages made
 * present before the kernel touches them: a bad pointer makes the call
 * fail with -1, it never faults in the kernel.
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/mmu.h"
#include "kernel/proc.h"
#include "kernel/x86.h"
#include "kernel/syscall.h"
#include "kernel/defs.h"

int
fetchint(uint addr, int *ip)
{
	struct proc *p = myproc();

	if (addr >= p->sz || addr + 4 > p->sz || addr + 4 < addr)
		return -1;
	if (uvm_prepare(p, addr, 4, 0) < 0)
		return -1;
	*ip = *(int *)addr;
	return 0;
}

/* A NUL-terminated string at addr: its length, and *pp pointing at it. */
int
fetchstr(uint addr, char **pp)
{
	struct proc *p = myproc();
	char *s;
	uint a;

	for (a = addr; a < p->sz; a++) {
		/* Make each page present as the scan reaches it. */
		if (a == addr || a % PGSIZE == 0)
			if (uvm_prepare(p, a, 1, 0) < 0)
				return -1;
		s = (char *)a;
		if (*s == 0) {
			*pp = (char *)addr;
			return a - addr;
		}
	}
	return -1;
}

int
argint(int n, int *ip)
{
	return fetchint(myproc()->tf->esp + 4 + 4 * n, ip);
}

static int
argptr_mode(int n, char **pp, int size, int write)
{
	struct proc *p = myproc();
	int i;

	if (argint(n, &i) < 0)
		return -1;
	if (size < 0 || (uint)i >= p->sz || (uint)i + size > p->sz ||
	    (uint)i + size < (uint)i)
		return -1;
	if (size > 0 && uvm_prepare(p, i, size, write) < 0)
		return -1;
	*pp = (char *)i;
	return 0;
}

/* A pointer the kernel will read size bytes from. */
int
argptr(int n, char **pp, int size)
{
	return argptr_mode(n, pp, size, 0);
}

/* A pointer the kernel will write size bytes to. */
int
argptr_w(int n, char **pp, int size)
{
	return argptr_mode(n, pp, size, 1);
}

int
argstr(int n, char **pp)
{
	int addr;

	if (argint(n, &addr) < 0)
		return -1;
	return fetchstr(addr, pp);
}

extern int sys_chdir(void);
extern int sys_close(void);
extern int sys_dup(void);
extern int sys_exec(void);
extern int sys_exit(void);
extern int sys_fork(void);
extern int sys_fstat(void);
extern int sys_getpid(void);
extern int sys_kill(void);
extern int sys_link(void);
extern int sys_mkdir(void);
extern int sys_mknod(void);
extern int sys_open(void);
extern int sys_pipe(void);
extern int sys_read(void);
extern int sys_sbrk(void);
extern int sys_sleep(void);
extern int sys_unlink(void);
extern int sys_wait(void);
extern int sys_write(void);
extern int sys_uptime(void);
extern int sys_halt(void);
extern int sys_bench(void);
extern int sys_divskip(void);
extern int sys_pfcount(void);

static int (*syscalls[])(void) = {
	[SYS_fork] = sys_fork,
	[SYS_exit] = sys_exit,
	[SYS_wait] = sys_wait,
	[SYS_pipe] = sys_pipe,
	[SYS_read] = sys_read,
	[SYS_kill] = sys_kill,
	[SYS_exec] = sys_exec,
	[SYS_fstat] = sys_fstat,
	[SYS_chdir] = sys_chdir,
	[SYS_dup] = sys_dup,
	[SYS_getpid] = sys_getpid,
	[SYS_sbrk] = sys_sbrk,
	[SYS_sleep] = sys_sleep,
	[SYS_uptime] = sys_uptime,
	[SYS_open] = sys_open,
	[SYS_write] = sys_write,
	[SYS_mknod] = sys_mknod,
	[SYS_unlink] = sys_unlink,
	[SYS_link] = sys_link,
	[SYS_mkdir] = sys_mkdir,
	[SYS_close] = sys_close,
	[SYS_halt] = sys_halt,
	[SYS_bench] = sys_bench,
	[SYS_divskip] = sys_divskip,
	[SYS_pfcount] = sys_pfcount,
};

void
syscall(void)
{
	struct proc *p = myproc();
	uint num = p->tf->eax;

	if (num > 0 && num < NELEM(syscalls) && syscalls[num]) {
		p->tf->eax = syscalls[num]();
	} else {
		cprintf("pid %d %s: unknown system call %d\n",
			p->pid, p->name, num);
		p->tf->eax = -1;
	}
}
