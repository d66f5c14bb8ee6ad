/*
 * pic.h - the two 8259A interrupt controllers of the PC.
 */
#ifndef KERN_PIC_H
#define KERN_PIC_H

#include "kern/types.h"

/**
 * @brief Program both 8259s to deliver IRQ n at vector IRQ_OFFSET + n,
 * with every IRQ masked but the cascade.
 */
void pic_init(void);

/** @brief Let IRQ @p irq through to the CPU. */
void pic_unmask(int irq);

/** @brief Tell the 8259s IRQ @p irq has been handled, so it can come again. */
void pic_eoi(int irq);

/**
 * @brief Whether IRQ @p irq (7 or 15) is spurious: the line dropped before
 * the CPU asked which IRQ it was.  A spurious IRQ gets no EOI from its own
 * 8259 (there is nothing in service), but IRQ 15 needs one for the master.
 */
bool pic_spurious(int irq);

#endif
