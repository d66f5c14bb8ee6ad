/*
 * sysproc.c - system calls about processes, time and the machine.
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/mmu.h"
#include "kernel/proc.h"
#include "kernel/x86.h"
#include "kernel/spinlock.h"
#include "kernel/bench.h"
#include "kernel/defs.h"

int
sys_fork(void)
{
	return fork();
}

int
sys_exit(void)
{
	int status;

	if (argint(0, &status) < 0)
		status = -1;
	exit(status);
}

int
sys_wait(void)
{
	int addr, status = 0, pid;

	if (argint(0, &addr) < 0)
		return -1;
	pid = wait(&status);
	if (pid > 0 && addr != 0 &&
	    copyout(myproc()->pgdir, addr, &status, sizeof(status)) < 0)
		return -1;
	return pid;
}

int
sys_kill(void)
{
	int pid;

	if (argint(0, &pid) < 0)
		return -1;
	return kill(pid);
}

int
sys_getpid(void)
{
	return myproc()->pid;
}

int
sys_sbrk(void)
{
	int n, addr;

	if (argint(0, &n) < 0)
		return -1;
	addr = myproc()->sz;
	if (growproc(n) < 0)
		return -1;
	return addr;
}

int
sys_sleep(void)
{
	int n;
	uint ticks0;

	if (argint(0, &n) < 0)
		return -1;
	acquire(&tickslock);
	ticks0 = ticks;
	while (ticks - ticks0 < (uint)n) {
		if (myproc()->killed) {
			release(&tickslock);
			return -1;
		}
		sleep(&ticks, &tickslock);
	}
	release(&tickslock);
	return 0;
}

/* Timer ticks since boot (HZ per second). */
int
sys_uptime(void)
{
	uint t;

	acquire(&tickslock);
	t = ticks;
	release(&tickslock);
	return t;
}

/* End the run with a status (see machine_halt). */
int
sys_halt(void)
{
	int status;

	if (argint(0, &status) < 0)
		return -1;
	machine_halt(status);
}

/* bench(op, n, &cycles): run op n times in the kernel (bench.c). */
int
sys_bench(void)
{
	int op, n;
	uint64 cycles;
	char *out;

	if (argint(0, &op) < 0 || argint(1, &n) < 0 ||
	    argptr_w(2, &out, sizeof(cycles)) < 0)
		return -1;
	if (bench_run(op, n, &cycles) < 0)
		return -1;
	return copyout(myproc()->pgdir, (uint)out, &cycles, sizeof(cycles));
}

/*
 * divskip(len): from now on a divide error in user mode skips the len
 * bytes of the faulting instruction instead of killing the process (0
 * restores the default).  nanobench's divzero test uses it.
 */
int
sys_divskip(void)
{
	int len;

	if (argint(0, &len) < 0 || len < 0 || len > 15)
		return -1;
	myproc()->divskip = len;
	return 0;
}

/*
 * Page faults the kernel has taken so far (all processes).  faultdemo
 * prints it around each step: under a monitor, faults the guest never
 * sees (hidden faults) do not appear here.
 */
int
sys_pfcount(void)
{
	return pagefaults;
}
