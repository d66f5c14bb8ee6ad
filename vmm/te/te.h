/*
 * te.h - the trap-and-emulate engine, as the engine table sees it.
 */
#ifndef VMM_TE_TE_H
#define VMM_TE_TE_H

#include "vmm/engine.h"

/* engine=te (vmm/te/te.c). */
extern const struct engine te_engine;

/**
 * @brief Make cpuid fault at CPL > 0 while the guest runs, if the CPU
 * offers CPUID faulting; say which (vmm/te/cpuid_fault.c).
 */
void te_cpuid_fault_on(void);

/** @brief Turn CPUID faulting off again, if te_cpuid_fault_on() set it. */
void te_cpuid_fault_off(void);

#endif
