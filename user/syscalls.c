/*
 * syscalls.c - call each system call and check what comes back.
 *
 * Prints "syscalls: all results as expected" and exits 0 when every
 * result is right, else names what was wrong and exits 1.  The last call,
 * sys_cgetc, waits (politely, yielding) for a key: type one.
 */
#include "user/lib/ulib.h"

static int wrong;

static void
expect(const char *call, int32_t got, int32_t want)
{
	printf("syscalls: %s -> %d (expected %d)%s\n", call, got, want,
	       got == want ? "" : "  WRONG");
	wrong += got != want;
}

int
umain(void)
{
	int32_t id, c;

	id = sys_getenvid();
	printf("syscalls: getenvid -> %08x\n", id);
	if (id <= 0) {
		printf("syscalls: an id must be positive  WRONG\n");
		wrong++;
	}
	expect("getenvid again", sys_getenvid(), id);
	expect("cputs(\"ok\\n\", 3)", sys_cputs("ok\n", 3), 0);
	expect("cputs(\"\", 0)", sys_cputs("", 0), 0);
	expect("yield", sys_yield(), 0);
	expect("syscall 1000", syscall(1000, 0, 0, 0, 0, 0), -E_NOSYS);
	expect("syscall NSYSCALLS", syscall(NSYSCALLS, 0, 0, 0, 0, 0), -E_NOSYS);
	expect("set_trap_handler(UTOP)",
	       sys_set_trap_handler((void (*)(void)) UTOP), -E_INVAL);
	expect("set_trap_handler(0)", sys_set_trap_handler(0), 0);

	printf("syscalls: type a key\n");
	while ((c = sys_cgetc()) == 0)
		sys_yield();
	printf("syscalls: cgetc -> %d '%c'\n", c, c >= ' ' && c < 127 ? c : '?');

	if (wrong) {
		printf("syscalls: %d results wrong\n", wrong);
		return 1;
	}
	printf("syscalls: all results as expected\n");
	return 0;
}
