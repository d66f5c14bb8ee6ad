/*
 * x86.h - the privileged and I/O instructions the kernel uses, as inline
 * functions so C code can name them.
 *
 * Each of these is an instruction a monitor must trap, translate or let
 * through; keeping them here makes them easy to find.
 */
#ifndef GX_X86_H
#define GX_X86_H

#include "kernel/types.h"

static inline uchar
inb(ushort port)
{
	uchar v;

	asm volatile("inb %1, %0" : "=a"(v) : "d"(port));
	return v;
}

static inline void
outb(ushort port, uchar v)
{
	asm volatile("outb %0, %1" : : "a"(v), "d"(port));
}

static inline void
outw(ushort port, ushort v)
{
	asm volatile("outw %0, %1" : : "a"(v), "d"(port));
}

static inline void
outl(ushort port, uint v)
{
	asm volatile("outl %0, %1" : : "a"(v), "d"(port));
}

static inline void
insl(int port, void *addr, int cnt)
{
	asm volatile("cld; rep insl"
		     : "=D"(addr), "=c"(cnt)
		     : "d"(port), "0"(addr), "1"(cnt)
		     : "memory", "cc");
}

static inline void
outsl(int port, const void *addr, int cnt)
{
	asm volatile("cld; rep outsl"
		     : "=S"(addr), "=c"(cnt)
		     : "d"(port), "0"(addr), "1"(cnt)
		     : "cc");
}

static inline void
stosb(void *addr, int data, int cnt)
{
	asm volatile("cld; rep stosb"
		     : "=D"(addr), "=c"(cnt)
		     : "0"(addr), "1"(cnt), "a"(data)
		     : "memory", "cc");
}

struct segdesc;
struct gatedesc;

static inline void
lgdt(struct segdesc *p, int size)
{
	volatile ushort pd[3];

	pd[0] = size - 1;
	pd[1] = (uint)p;
	pd[2] = (uint)p >> 16;
	asm volatile("lgdt (%0)" : : "r"(pd));
}

static inline void
lidt(struct gatedesc *p, int size)
{
	volatile ushort pd[3];

	pd[0] = size - 1;
	pd[1] = (uint)p;
	pd[2] = (uint)p >> 16;
	asm volatile("lidt (%0)" : : "r"(pd));
}

static inline void
ltr(ushort sel)
{
	asm volatile("ltr %0" : : "r"(sel));
}

/* pushfl: the instruction that lets the lock code check IF for itself. */
static inline uint
readeflags(void)
{
	uint eflags;

	asm volatile("pushfl; popl %0" : "=r"(eflags));
	return eflags;
}

static inline void
loadgs(ushort v)
{
	asm volatile("movw %0, %%gs" : : "r"(v));
}

static inline void
cli(void)
{
	asm volatile("cli");
}

static inline void
sti(void)
{
	asm volatile("sti");
}

static inline void
hlt(void)
{
	asm volatile("hlt");
}

static inline uint
xchg(volatile uint *addr, uint newval)
{
	uint result;

	asm volatile("lock; xchgl %0, %1"
		     : "+m"(*addr), "=a"(result)
		     : "1"(newval)
		     : "cc");
	return result;
}

static inline uint
rcr0(void)
{
	uint v;

	asm volatile("movl %%cr0, %0" : "=r"(v));
	return v;
}

static inline void
lcr0(uint v)
{
	asm volatile("movl %0, %%cr0" : : "r"(v));
}

static inline uint
rcr2(void)
{
	uint v;

	asm volatile("movl %%cr2, %0" : "=r"(v));
	return v;
}

static inline void
lcr3(uint v)
{
	asm volatile("movl %0, %%cr3" : : "r"(v));
}

static inline void
invlpg(void *va)
{
	asm volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline uint64
rdtsc(void)
{
	uint lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64)hi << 32) | lo;
}

/* What the trap entry code pushes, in the order it pushes it. */
struct trapframe {
	/* pushal */
	uint edi;
	uint esi;
	uint ebp;
	uint oesp;
	uint ebx;
	uint edx;
	uint ecx;
	uint eax;

	ushort gs, pad1;
	ushort fs, pad2;
	ushort es, pad3;
	ushort ds, pad4;
	uint trapno;

	/* pushed by the CPU (err by the CPU or by the vector stub) */
	uint err;
	uint eip;
	ushort cs, pad5;
	uint eflags;

	/* only when crossing from user mode */
	uint esp;
	ushort ss, pad6;
};

#endif
