/*
 * defs.h - every function one kernel file offers the others, grouped by
 * the file that defines it.
 */
#ifndef GX_DEFS_H
#define GX_DEFS_H

#include "kernel/types.h"

struct buf;
struct context;
struct file;
struct inode;
struct pipe;
struct proc;
struct rtcdate;
struct spinlock;
struct sleeplock;
struct stat;
struct superblock;
struct trapframe;

/* bench.c */
int		bench_run(int op, int n, uint64 *cycles);
extern uint64	boot_tsc;

/* bio.c */
void		binit(void);
struct buf	*bread(uint dev, uint blockno);
void		brelse(struct buf *b);
void		bwrite(struct buf *b);

/* cga.c */
void		cgainit(void);
void		cgaputc(int c);

/* cmos.c */
struct rtcdate {
	uint second, minute, hour, day, month, year;
};
void		cmostime(struct rtcdate *r);

/* console.c */
void		consoleinit(void);
void		cprintf(const char *fmt, ...);
void		consoleintr(int (*getc)(void));
void		panic(const char *s) __attribute__((noreturn));
void		machine_halt(int status) __attribute__((noreturn));

/* exec.c */
int		exec(char *path, char **argv);

/* file.c */
struct file	*filealloc(void);
void		fileclose(struct file *f);
struct file	*filedup(struct file *f);
void		fileinit(void);
int		fileread(struct file *f, char *addr, int n);
int		filestat(struct file *f, struct stat *st);
int		filewrite(struct file *f, char *addr, int n);

/* fs.c */
void		fsinit(int dev);
int		dirlink(struct inode *dp, char *name, uint inum);
struct inode	*dirlookup(struct inode *dp, char *name, uint *poff);
struct inode	*ialloc(uint dev, short type);
struct inode	*idup(struct inode *ip);
void		iinit(int dev);
void		ilock(struct inode *ip);
void		iput(struct inode *ip);
void		iunlock(struct inode *ip);
void		iunlockput(struct inode *ip);
void		itrunc(struct inode *ip);
void		iupdate(struct inode *ip);
int		namecmp(const char *s, const char *t);
struct inode	*namei(char *path);
struct inode	*nameiparent(char *path, char *name);
int		readi(struct inode *ip, char *dst, uint off, uint n);
void		stati(struct inode *ip, struct stat *st);
int		writei(struct inode *ip, char *src, uint off, uint n);

/* ide.c */
void		ideinit(void);
void		ideintr(void);
void		iderw(struct buf *b);

/* ioapic.c */
void		ioapicenable(int irq, int cpu);
extern uchar	ioapicid;
void		ioapicinit(void);

/* kalloc.c */
char		*kalloc(void);
void		kfree(char *v);
void		kinit1(void *vstart, void *vend);
void		kinit2(void *vstart, void *vend);
void		kref_inc(uint pa);
int		kref_get(uint pa);
int		kfree_pages(void);

/* kbd.c */
void		kbdintr(void);

/* lapic.c */
extern volatile uint *lapic;
int		lapicid(void);
void		lapiceoi(void);
void		lapicinit(void);
void		lapic_settpr(uint v);

/* main.c */
extern char	bootcmd[];

/* mp.c */
extern int	ismp;
void		mpinit(void);

/* picirq.c */
void		picinit(void);

/* pipe.c */
int		pipealloc(struct file **f0, struct file **f1);
void		pipeclose(struct pipe *p, int writable);
int		piperead(struct pipe *p, char *addr, int n);
int		pipewrite(struct pipe *p, char *addr, int n);

/* proc.c */
int		cpuid(void);
void		exit(int status) __attribute__((noreturn));
int		fork(void);
int		growproc(int n);
int		kill(int pid);
struct cpu	*mycpu(void);
struct proc	*myproc(void);
void		pinit(void);
void		procdump(void);
void		scheduler(void) __attribute__((noreturn));
void		sched(void);
void		sleep(void *chan, struct spinlock *lk);
void		userinit(void);
int		wait(int *status);
void		wakeup(void *chan);
void		yield(void);

/* swtch.S */
void		swtch(struct context **old, struct context *new);

/* spinlock.c */
void		acquire(struct spinlock *lk);
void		getcallerpcs(void *v, uint pcs[]);
int		holding(struct spinlock *lk);
void		initlock(struct spinlock *lk, const char *name);
void		release(struct spinlock *lk);
void		pushcli(void);
void		popcli(void);

/* sleeplock.c */
void		acquiresleep(struct sleeplock *lk);
void		releasesleep(struct sleeplock *lk);
int		holdingsleep(struct sleeplock *lk);
void		initsleeplock(struct sleeplock *lk, const char *name);

/* string.c */
int		memcmp(const void *a, const void *b, uint n);
void		*memmove(void *dst, const void *src, uint n);
void		*memcpy(void *dst, const void *src, uint n);
void		*memset(void *dst, int c, uint n);
char		*safestrcpy(char *dst, const char *src, int n);
int		strlen(const char *s);
int		strncmp(const char *p, const char *q, uint n);
char		*strncpy(char *dst, const char *src, int n);

/* syscall.c */
int		argint(int n, int *ip);
int		argptr(int n, char **pp, int size);
int		argptr_w(int n, char **pp, int size);
int		argstr(int n, char **pp);
int		fetchint(uint addr, int *ip);
int		fetchstr(uint addr, char **pp);
void		syscall(void);

/* trap.c */
void		idtinit(void);
extern uint	ticks;
extern uint	pagefaults;
void		tvinit(void);
extern struct spinlock tickslock;

/* uart.c */
void		uartinit(void);
void		uartintr(void);
void		uartputc(int c);

/* vm.c */
void		seginit(void);
void		kvmalloc(void);
pde_t		*setupkvm(void);
int		allocuvm(pde_t *pgdir, uint oldsz, uint newsz);
int		deallocuvm(pde_t *pgdir, uint oldsz, uint newsz);
void		freevm(pde_t *pgdir);
int		loaduvm(pde_t *pgdir, char *addr, struct inode *ip, uint offset,
			uint sz);
pde_t		*copyuvm(pde_t *pgdir, uint sz);
void		switchuvm(struct proc *p);
void		switchkvm(void);
int		copyout(pde_t *pgdir, uint va, void *p, uint len);
void		clearpteu(pde_t *pgdir, char *uva);
pte_t		*walkpgdir(pde_t *pgdir, const void *va, int alloc);
int		uvm_fault(struct proc *p, uint va, int write);
int		uvm_prepare(struct proc *p, uint va, uint len, int write);

#define NELEM(x) (sizeof(x) / sizeof((x)[0]))

#endif
