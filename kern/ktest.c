/*
 * ktest.c - kernel tests the grader starts with `test=NAME`.
 *
 * A test prints what the grader checks and returns a status; the run then
 * ends through machine_exit.  Each test names the lab (stage) whose
 * bring-up it needs, and runs as soon as kmain has finished that stage.  Some tests misbehave on purpose (panic, hang,
 * triple fault) so the grader's own detection of those is tested too.
 * Later labs add their tests to the table.
 */
#include "kern/x86.h"
#include "kern/string.h"
#include "kern/printf.h"
#include "kern/serial.h"
#include "kern/kdebug.h"
#include "kern/power.h"
#include "kern/assert.h"
#include "kern/bootinfo.h"
#include "kern/monitor.h"
#include "kern/ktest.h"
#include "vmm/vmm.h"

struct ktest {
	const char *name;
	int stage;		/* the lab whose bring-up the test needs */
	int (*run)(void);
};

/* Print every case of kern/printf_cases.h as "printf-case N: [text]". */
static int
test_printf(void)
{
#define PRINTF_CASE(n, fmt, ...) \
	cprintf("printf-case %d: [" fmt "]\n", n, ##__VA_ARGS__);
#define PRINTF_PTR_CASE(n, value, expected) \
	cprintf("printf-ptr %d: [%p]\n", n, (void *) (value));
#include "kern/printf_cases.h"
#undef PRINTF_CASE
#undef PRINTF_PTR_CASE
	return EXIT_SUCCESS;
}

/*
 * A recursion whose frames the backtrace must show.  noinline and the
 * call after the recursion keep the compiler from flattening it.
 */
__attribute__((noinline)) int
backtrace_depth(int depth, int a, int b)
{
	int r;

	if (depth == 0) {
		print_backtrace(read_ebp());
		return 0;
	}
	r = backtrace_depth(depth - 1, a + 1, b * 2);
	asm volatile("" : : : "memory");
	return r + depth;
}

static int test_backtrace(void);

/*
 * Addresses where functions start, looked up exactly there: a symbol
 * table entry begins at each, which a return address never hits, so the
 * "at most addr" of search_by_address is checked here.
 */
static void
lookup_starts(void)
{
	const uintptr_t starts[] = {
		(uintptr_t) backtrace_depth, (uintptr_t) test_backtrace,
		(uintptr_t) print_backtrace, (uintptr_t) cprintf,
	};
	struct eipinfo info;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(starts); i++) {
		debuginfo_eip(starts[i], &info);
		cprintf("lookup %08x: %s:%d: %s+%d\n", starts[i], info.file,
			info.line, info.fn_name, (int) (starts[i] - info.fn_addr));
	}
}

static int
test_backtrace(void)
{
	cprintf("backtrace_depth returned %d\n", backtrace_depth(5, 0, 1));
	lookup_starts();
	return EXIT_SUCCESS;
}

static int
test_panic(void)
{
	panic("this panic is expected (test=panic)");
}

static int __attribute__((noreturn))
test_hang(void)
{
	cprintf("hanging on purpose\n");
	for (;;)
		pause();
}

/* Load an empty IDT and raise an exception: the CPU triple-faults. */
static int
test_triplefault(void)
{
	struct { uint16_t limit; uint32_t base; } __attribute__((packed)) idtr = { 0, 0 };

	cprintf("triple-faulting on purpose\n");
	serial_flush();
	asm volatile("lidt %0; int3" : : "m" (idtr));
	return EXIT_FAILURE;
}

static const struct ktest ktests[] = {
	{ "printf", 1, test_printf },
	{ "backtrace", 1, test_backtrace },
	{ "panic", 1, test_panic },
	{ "hang", 1, test_hang },
	{ "triplefault", 1, test_triplefault },
	{ "memmap", 2, test_memmap },
	{ "page_alloc", 2, test_page_alloc },
	{ "page_double_free", 2, test_page_double_free },
	{ "page_free_busy", 2, test_page_free_busy },
	{ "page_table", 2, test_page_table },
	{ "kern_pgdir", 2, test_kern_pgdir },
	{ "idt", 3, test_idt },
	{ "traps", 3, test_traps },
	{ "timer", 3, test_timer },
	{ "vmload", 4, test_vmload },
};

static const struct ktest *
find_test(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ktests); i++)
		if (strcmp(ktests[i].name, name) == 0)
			return &ktests[i];
	cprintf("ktest: no test named '%s'; the tests are:", name);
	for (i = 0; i < ARRAY_SIZE(ktests); i++)
		cprintf(" %s", ktests[i].name);
	cprintf("\n");
	machine_exit(EXIT_FAILURE);
}

void
boot_stage(int stage)
{
	char name[32], stop[8];
	const struct ktest *t;

	if (cmdline_option("test", name, sizeof(name))) {
		t = find_test(name);
		if (t->stage == stage) {
			cprintf("ktest %s: start\n", name);
			machine_exit(t->run());
		}
	}
	if (cmdline_option("stage", stop, sizeof(stop)) &&
	    strtol(stop, NULL, 10) == stage)
		monitor();
}
