/*
 * x86.h - inline wrappers for the i386 instructions C cannot express.
 *
 * Each is one instruction; the `memory` clobbers keep the compiler from
 * moving loads and stores across the ones that change what memory means.
 */
#ifndef KERN_X86_H
#define KERN_X86_H

#include "kern/types.h"

/** @brief Read a byte from I/O port @p port. */
static inline uint8_t
inb(uint16_t port)
{
	uint8_t v;
	asm volatile("inb %w1, %0" : "=a" (v) : "Nd" (port));
	return v;
}

/** @brief Read a 16-bit word from I/O port @p port. */
static inline uint16_t
inw(uint16_t port)
{
	uint16_t v;
	asm volatile("inw %w1, %0" : "=a" (v) : "Nd" (port));
	return v;
}

/** @brief Read a 32-bit word from I/O port @p port. */
static inline uint32_t
inl(uint16_t port)
{
	uint32_t v;
	asm volatile("inl %w1, %0" : "=a" (v) : "Nd" (port));
	return v;
}

/** @brief Write byte @p v to I/O port @p port. */
static inline void
outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %w1" : : "a" (v), "Nd" (port));
}

/** @brief Write 16-bit word @p v to I/O port @p port. */
static inline void
outw(uint16_t port, uint16_t v)
{
	asm volatile("outw %0, %w1" : : "a" (v), "Nd" (port));
}

/** @brief Write 32-bit word @p v to I/O port @p port. */
static inline void
outl(uint16_t port, uint32_t v)
{
	asm volatile("outl %0, %w1" : : "a" (v), "Nd" (port));
}

/** @brief Read @p cnt 32-bit words from @p port into @p addr (rep insl). */
static inline void
insl(uint16_t port, void *addr, int cnt)
{
	asm volatile("cld; rep insl" : "+D" (addr), "+c" (cnt)
		     : "d" (port) : "memory", "cc");
}

/** @brief Write @p cnt 32-bit words from @p addr to @p port (rep outsl). */
static inline void
outsl(uint16_t port, const void *addr, int cnt)
{
	asm volatile("cld; rep outsl" : "+S" (addr), "+c" (cnt)
		     : "d" (port) : "cc");
}

/** @brief Disable maskable interrupts (clear EFLAGS.IF). */
static inline void
cli(void)
{
	asm volatile("cli" ::: "memory");
}

/** @brief Enable maskable interrupts (set EFLAGS.IF). */
static inline void
sti(void)
{
	asm volatile("sti" ::: "memory");
}

/** @brief Stop the CPU until the next interrupt. */
static inline void
hlt(void)
{
	asm volatile("hlt" ::: "memory");
}

/** @brief Tell the CPU this is a spin-wait loop. */
static inline void
pause(void)
{
	asm volatile("pause");
}

/** @brief The EFLAGS register. */
static inline uint32_t
read_eflags(void)
{
	uint32_t eflags;
	asm volatile("pushfl; popl %0" : "=r" (eflags));
	return eflags;
}

/** @brief Load EFLAGS with @p eflags (popfl). */
static inline void
write_eflags(uint32_t eflags)
{
	asm volatile("pushl %0; popfl" : : "r" (eflags) : "memory", "cc");
}

/** @brief The frame pointer of the calling function. */
static inline uint32_t
read_ebp(void)
{
	uint32_t ebp;
	asm volatile("movl %%ebp, %0" : "=r" (ebp));
	return ebp;
}

/** @brief The stack pointer. */
static inline uint32_t
read_esp(void)
{
	uint32_t esp;
	asm volatile("movl %%esp, %0" : "=r" (esp));
	return esp;
}

/** @brief Control register 0. */
static inline uint32_t
rcr0(void)
{
	uint32_t v;
	asm volatile("movl %%cr0, %0" : "=r" (v));
	return v;
}

/** @brief Load control register 0. */
static inline void
lcr0(uint32_t v)
{
	asm volatile("movl %0, %%cr0" : : "r" (v) : "memory");
}

/** @brief Control register 2: the address of the last page fault. */
static inline uint32_t
rcr2(void)
{
	uint32_t v;
	asm volatile("movl %%cr2, %0" : "=r" (v));
	return v;
}

/** @brief Control register 3: the physical address of the page directory. */
static inline uint32_t
rcr3(void)
{
	uint32_t v;
	asm volatile("movl %%cr3, %0" : "=r" (v));
	return v;
}

/** @brief Load CR3 (switch page directories, flush the non-global TLB). */
static inline void
lcr3(uint32_t v)
{
	asm volatile("movl %0, %%cr3" : : "r" (v) : "memory");
}

/** @brief Control register 4. */
static inline uint32_t
rcr4(void)
{
	uint32_t v;
	asm volatile("movl %%cr4, %0" : "=r" (v));
	return v;
}

/** @brief Load control register 4. */
static inline void
lcr4(uint32_t v)
{
	asm volatile("movl %0, %%cr4" : : "r" (v) : "memory");
}

/** @brief Drop the TLB entry of the page holding @p va. */
static inline void
invlpg(const void *va)
{
	asm volatile("invlpg (%0)" : : "r" (va) : "memory");
}

/** @brief Load the GDT register from a struct pseudodesc (kern/mmu.h). */
static inline void
lgdt(const void *pd)
{
	asm volatile("lgdt (%0)" : : "r" (pd) : "memory");
}

/** @brief Load the IDT register from a struct pseudodesc (kern/mmu.h). */
static inline void
lidt(const void *pd)
{
	asm volatile("lidt (%0)" : : "r" (pd) : "memory");
}

/** @brief Load the task register with TSS selector @p sel. */
static inline void
ltr(uint16_t sel)
{
	asm volatile("ltr %0" : : "r" (sel));
}

/** @brief Load the LDT register with selector @p sel (0: no LDT). */
static inline void
lldt(uint16_t sel)
{
	asm volatile("lldt %0" : : "r" (sel));
}

/** @brief Read model-specific register @p msr (\#GP if the CPU lacks it). */
static inline uint64_t
rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	asm volatile("rdmsr" : "=a" (lo), "=d" (hi) : "c" (msr));
	return (uint64_t) hi << 32 | lo;
}

/** @brief Write @p val to model-specific register @p msr. */
static inline void
wrmsr(uint32_t msr, uint64_t val)
{
	asm volatile("wrmsr" : : "c" (msr), "a" ((uint32_t) val),
		     "d" ((uint32_t) (val >> 32)));
}

/** @brief The CS selector: its low two bits are the CPL. */
static inline uint16_t
read_cs(void)
{
	uint16_t cs;
	asm volatile("movw %%cs, %0" : "=r" (cs));
	return cs;
}

/** @brief The time-stamp counter. */
static inline uint64_t
rdtsc(void)
{
	uint64_t tsc;
	asm volatile("rdtsc" : "=A" (tsc));
	return tsc;
}

/** @brief Run CPUID leaf @p leaf (subleaf 0); NULL outputs are skipped. */
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
