/*
 * x86.h - inline wrappers for the i386 instructions C cannot express.
 *
 * Each is one instruction; the `memory` clobbers keep the compiler from
 * moving loads and stores across the ones that change what memory means.
 */
#ifndef KERN_X86_H
#define KERN_X86_H

#include "kern/types.h"

static inline uint8_t
inb(uint16_t port)
{
	uint8_t v;
	asm volatile("inb %w1, %0" : "=a" (v) : "Nd" (port));
	return v;
}

static inline uint16_t
inw(uint16_t port)
{
	uint16_t v;
	asm volatile("inw %w1, %0" : "=a" (v) : "Nd" (port));
	return v;
}

static inline uint32_t
inl(uint16_t port)
{
	uint32_t v;
	asm volatile("inl %w1, %0" : "=a" (v) : "Nd" (port));
	return v;
}

static inline void
outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %w1" : : "a" (v), "Nd" (port));
}

static inline void
outw(uint16_t port, uint16_t v)
{
	asm volatile("outw %0, %w1" : : "a" (v), "Nd" (port));
}

static inline void
outl(uint16_t port, uint32_t v)
{
	asm volatile("outl %0, %w1" : : "a" (v), "Nd" (port));
}

static inline void
insl(uint16_t port, void *addr, int cnt)
{
	asm volatile("cld; rep insl" : "+D" (addr), "+c" (cnt)
		     : "d" (port) : "memory", "cc");
}

static inline void
outsl(uint16_t port, const void *addr, int cnt)
{
	asm volatile("cld; rep outsl" : "+S" (addr), "+c" (cnt)
		     : "d" (port) : "cc");
}

static inline void
cli(void)
{
	asm volatile("cli" ::: "memory");
}

static inline void
sti(void)
{
	asm volatile("sti" ::: "memory");
}

static inline void
hlt(void)
{
	asm volatile("hlt" ::: "memory");
}

static inline void
pause(void)
{
	asm volatile("pause");
}

static inline uint32_t
read_eflags(void)
{
	uint32_t eflags;
	asm volatile("pushfl; popl %0" : "=r" (eflags));
	return eflags;
}

static inline void
write_eflags(uint32_t eflags)
{
	asm volatile("pushl %0; popfl" : : "r" (eflags) : "memory", "cc");
}

static inline uint32_t
read_ebp(void)
{
	uint32_t ebp;
	asm volatile("movl %%ebp, %0" : "=r" (ebp));
	return ebp;
}

static inline uint32_t
read_esp(void)
{
	uint32_t esp;
	asm volatile("movl %%esp, %0" : "=r" (esp));
	return esp;
}

static inline uint32_t
rcr0(void)
{
	uint32_t v;
	asm volatile("movl %%cr0, %0" : "=r" (v));
	return v;
}

static inline void
lcr0(uint32_t v)
{
	asm volatile("movl %0, %%cr0" : : "r" (v) : "memory");
}

static inline uint32_t
rcr2(void)
{
	uint32_t v;
	asm volatile("movl %%cr2, %0" : "=r" (v));
	return v;
}

static inline uint32_t
rcr3(void)
{
	uint32_t v;
	asm volatile("movl %%cr3, %0" : "=r" (v));
	return v;
}

static inline void
lcr3(uint32_t v)
{
	asm volatile("movl %0, %%cr3" : : "r" (v) : "memory");
}

static inline uint32_t
rcr4(void)
{
	uint32_t v;
	asm volatile("movl %%cr4, %0" : "=r" (v));
	return v;
}

static inline void
lcr4(uint32_t v)
{
	asm volatile("movl %0, %%cr4" : : "r" (v) : "memory");
}

static inline void
invlpg(const void *va)
{
	asm volatile("invlpg (%0)" : : "r" (va) : "memory");
}

static inline uint64_t
rdtsc(void)
{
	uint64_t tsc;
	asm volatile("rdtsc" : "=A" (tsc));
	return tsc;
}

static inline void
cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	uint32_t eax, ebx, ecx, edx;
	asm volatile("cpuid" : "=a" (eax), "=b" (ebx), "=c" (ecx), "=d" (edx)
		     : "a" (leaf), "c" (0));
	if (a) *a = eax;
	if (b) *b = ebx;
	if (c) *c = ecx;
	if (d) *d = edx;
}

#endif
