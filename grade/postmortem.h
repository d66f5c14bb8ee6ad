/*
 * postmortem.h - where a run that went wrong had got to (postmortem.c).
 */
#ifndef GRADE_POSTMORTEM_H
#define GRADE_POSTMORTEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** The CPU as QEMU's monitor reports it. */
struct cpu_state {
	bool valid;
	uint32_t eip;
	uint16_t cs;
	int cpl;
	bool halted;		/* in hlt, waiting for an interrupt */
	uint32_t ebp;
	/* The return addresses of the frames above, from the EBP chain
	 * (kernel frames only: the kernel keeps its frame pointers). */
	uint32_t callers[8];
	int ncallers;
};

/**
 * @brief Ask the QEMU whose monitor listens on @p socket_path for its CPU's
 * registers ("info registers").
 * @return false if it does not answer (within about two seconds)
 */
bool qemu_cpu_state(const char *socket_path, struct cpu_state *st);

/**
 * @brief "FUNC+OFF (FILE:LINE)" for @p eip: in @p guest's symbols if it is
 * below the host kernel's link address and a guest image is given, else
 * in @p kernel's.
 */
void where_is(uint32_t eip, const char *kernel, const char *guest, char *buf,
	      size_t size);

/**
 * @brief Whether @p n looks at a running CPU (each with its callers) show
 * it stuck: one function is on every look's stack, below the monitor's
 * run loop.  If so, @p buf names it, where each look found the CPU, and
 * the function's callers.
 */
bool stuck_story(const struct cpu_state *looks, int n, const char *kernel,
		 const char *guest, char *buf, size_t size);

/**
 * @brief Run the QEMU command @p argv again with its interrupt log on, for
 * at most @p timeout seconds (at most 20), and tell in @p buf the last
 * exceptions before the reset; "" if the log says nothing.
 */
void triple_fault_story(char *const argv[], double timeout, const char *kernel,
			char *buf, size_t size);

#endif
