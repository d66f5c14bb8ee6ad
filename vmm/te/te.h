/*
 * te.h - the trap-and-emulate engine, as the engine table sees it.
 */
#ifndef VMM_TE_TE_H
#define VMM_TE_TE_H

#include "vmm/engine.h"

/* engine=te (vmm/te/te.c). */
extern const struct engine te_engine;

#endif
