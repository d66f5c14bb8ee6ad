/*
 * vmm.h - the monitor as the kernel sees it: bring-up and running a guest.
 */
#ifndef VMM_VMM_H
#define VMM_VMM_H

/**
 * @brief Lab 4's bring-up, after the host kernel's (kmain, stage 4):
 * nothing runs yet, the monitor only learns which engine to use.
 */
void vmm_init(void);

/**
 * @brief If the kernel command line says engine=NAME, load the guest
 * module and run it with that engine; returns when the guest's run ends
 * or it could not start (the reason printed).  With no engine= option,
 * returns at once.
 */
void vmm_autorun(void);

/** @brief Print the counters of the last guest's run (`vmstat`). */
void vmm_stats_print(void);

/** @brief test=vmload: load the guest module, report what went where. */
int test_vmload(void);

#endif
