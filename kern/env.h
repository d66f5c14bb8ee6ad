/*
 * env.h - user environments: a user program and the state it runs in.
 *
 * An environment is a process without the frills: an address space (a
 * page directory whose part above UTOP is the kernel's), the registers it
 * last stopped with (a trap frame), and an id.  The kernel runs one at a
 * time, at ring 3, and round-robins between them (kern/sched.c).
 */
#ifndef KERN_ENV_H
#define KERN_ENV_H

#include "kern/types.h"
#include "kern/mmu.h"
#include "kern/trap.h"

typedef int32_t envid_t;

#define NENV		16	/* environments at once */
#define ENVGENSHIFT	12	/* id = generation << ENVGENSHIFT | index */

enum env_status {
	ENV_FREE = 0,		/* slot unused */
	ENV_RUNNABLE,		/* waiting for its turn */
	ENV_RUNNING,		/* on the CPU: curenv */
};

struct env {
	struct trapframe tf;	/* registers when it last left ring 3 */
	envid_t id;		/* unique over time: the generation changes */
	enum env_status status;
	pde_t *pgdir;		/* its address space (kernel virtual address) */
	char name[16];		/* the program it runs */
	uint32_t trap_handler;	/* SYS_set_trap_handler's entry, 0 if none */
	uint32_t runs;		/* times it was given the CPU */
	uint32_t slice_start;	/* the tick count when its time slice began */
};

extern struct env envs[NENV];
extern struct env *curenv;	/* the environment on the CPU, or NULL */

/* A program image linked into the kernel (the generated userprogs.S). */
struct user_program {
	const char *name;
	const uint8_t *image;	/* its ELF file */
	uint32_t size;
};
extern const struct user_program user_programs[];	/* ends with a NULL name */

/** @brief Mark every environment slot free. */
void env_init(void);

/** @brief Whether env_init() has run, so programs can be started. */
bool env_ready(void);

/**
 * @brief Start the built-in user program @p name in a new environment,
 * ready to run.
 * @return its id, or -E_NOT_FOUND, -E_NO_FREE_ENV, -E_NO_MEM, -E_BAD_ELF
 */
envid_t env_create(const char *name);

/**
 * @brief Run @p e at ring 3 from its trap frame, in its address space.
 * It becomes curenv.  Never returns: the kernel comes back on a trap.
 */
void env_run(struct env *e) __attribute__((noreturn));

/**
 * @brief Free @p e and everything it owns.  If it is curenv, go on with
 * another environment (this call then does not return).
 */
void env_destroy(struct env *e);

/**
 * @brief Check that @p e may touch [va, va + len) with permissions
 * @p perm (PTE_U is implied; add PTE_W for writes).
 * @return 0, or -E_FAULT with the first bad address in *bad
 */
int env_check_user_mem(struct env *e, uintptr_t va, size_t len, int perm,
		       uintptr_t *bad);

/** @brief Print the names of the built-in user programs on one line. */
void user_program_list(void);

#endif
