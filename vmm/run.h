/*
 * run.h - running a loaded guest with its engine to the end.
 */
#ifndef VMM_RUN_H
#define VMM_RUN_H

struct vm;

/**
 * @brief Run @p vm (loaded by vm_load(), vm->engine chosen) until the
 * guest ends its run through the debug-exit port or the monitor stops it;
 * the counters stay in vm->st for `vmstat`.
 * @return the status the guest wrote, or -1 if the run ended otherwise
 * (the reason printed, with where the guest was)
 */
int vm_run(struct vm *vm);

#endif
