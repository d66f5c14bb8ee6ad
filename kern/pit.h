/*
 * pit.h - the 8253/8254 programmable interval timer: the kernel's clock.
 */
#ifndef KERN_PIT_H
#define KERN_PIT_H

#include "kern/types.h"

/* Timer interrupts per second. */
#define TIMER_HZ	100

/**
 * @brief Make channel 0 interrupt (IRQ 0) @p hz times a second, and
 * unmask IRQ 0.
 */
void pit_init(unsigned hz);

/** @brief Count one timer interrupt (called from trap dispatch). */
void pit_tick(void);

#endif
