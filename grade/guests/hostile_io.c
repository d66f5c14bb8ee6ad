/*
 * hostile_io.c - attacks through ports and time: ports no device owns,
 * an interrupt storm from the 8253 at 60 kHz, and a guest that keeps
 * the CPU with interrupts off.
 *
 * Under te every in and out traps (the real IOPL is 0) and the device
 * models answer; a port no model claims must look as it does on QEMU's
 * pc machine: reads all ones, writes lost.  The monitor's own clock and
 * its host timer must survive a guest that programs the timer for a
 * storm, and one that spins with its interrupts off (which, with the real
 * IF equal to the virtual one, also blocks the host's): the guest's clock
 * must have moved on by the time it looks again, the interrupt its timer
 * raised meanwhile must come as soon as it opens the window, and its
 * later ticks must come on time.
 */
#include "grade/guests/hostile.h"

/* Ports none of QEMU's pc devices nor the monitor's models claim. */
static const uint16_t unowned[] = {
	0x100, 0x260, 0x278, 0x2e8, 0x2f8, 0x300, 0x330, 0x388, 0x3bc, 0x3e8,
	0x500, 0x1000, 0x2000, 0x8000, 0xfff0,
};
#define NUNOWNED	(sizeof(unowned) / sizeof(unowned[0]))
#define POST		0x80	/* QEMU's port 0x80 takes writes only */

/* The 8253 counts at 1.193182 MHz.  A storm at 60 kHz: faster than te
 * can take the handler's exits, and still slow enough that bare QEMU on
 * a loaded host keeps up (at divisor 2, its fastest, QEMU itself may
 * spend all its time catching up on the timer, and the native run hang). */
#define PIT_STORM	20
#define PIT_20KHZ	60
#define PIT_100HZ	11932
#define STORM_LOOPS	1000000
#define STORM_CAP	2000
#define STORM_MIN_TICKS	10
/* The local APIC, where the BIOS leaves it, and its timer's registers. */
#define LAPIC		0xfee00000u
#define LAPIC_LVT_TIMER	0x320
#define LAPIC_INIT	0x380
#define LAPIC_CUR	0x390
#define LAPIC_DIV	0x3e0

volatile uint32_t io_ticks, io_limit, io_progress, io_stalls, io_seen;
void h_irq0(void);

/* IRQ 0: count, note a stall of the loop, and mask the line once
 * io_limit ticks have come. */
asm(".text\n"
    "h_irq0:\n"
    "	pushl	%eax\n"
    "	incl	io_ticks\n"
    "	movl	io_progress, %eax\n"
    "	cmpl	io_seen, %eax\n"
    "	jne	2f\n"
    "	incl	io_stalls\n"
    "2:	movl	%eax, io_seen\n"
    "	movl	io_ticks, %eax\n"
    "	cmpl	io_limit, %eax\n"
    "	jb	1f\n"
    "	movb	$0xff, %al\n"
    "	outb	%al, $0x21\n"
    "1:	movb	$0x20, %al\n"
    "	outb	%al, $0x20\n"
    "	popl	%eax\n"
    "	iret\n");

static inline uint16_t inw(uint16_t port) { uint16_t v; asm volatile("inw %w1, %0" : "=a" (v) : "Nd" (port)); return v; }
static inline uint64_t rdtsc(void) { uint64_t t; asm volatile("rdtsc" : "=A" (t)); return t; }

/* ------------------------------------------------------------------------
 * Ports nobody owns.
 * ------------------------------------------------------------------------ */

static uint8_t ubuf[4];
static void u_inb_unowned(void) { (void) inb(0x2f8); }
/* The debug-exit port: were it let through, the run would end here. */
static void u_outb_exit(void) { outb(0xf4, 0x7f); }
static void u_rep_insb(void)
{
	asm volatile("cld; rep insb" : : "D" (ubuf), "c" (4), "d" (0x2f8) : "memory");
}

static void
check_unowned(void)
{
	uint32_t bad[3] = { 0, 0, 0 }, i;
	uint8_t buf[16];
	int j, badrep = 0;

	for (i = 0; i < NUNOWNED; i++) {
		bad[0] += inb(unowned[i]) != 0xff;
		bad[1] += inw(unowned[i]) != 0xffff;
		bad[2] += inl(unowned[i]) != 0xffffffff;
	}
	gresult("unowned-ports-inb", bad[0] == 0, "%u ports read otherwise", bad[0]);
	gresult("unowned-ports-inw", bad[1] == 0, "%u ports read otherwise", bad[1]);
	gresult("unowned-ports-inl", bad[2] == 0, "%u ports read otherwise", bad[2]);
	for (i = 0, bad[0] = 0; i < NUNOWNED; i++) {
		outb(unowned[i], 0x5a);
		outw(unowned[i], 0x1234);
		outl(unowned[i], 0);
		bad[0] += inl(unowned[i]) != 0xffffffff;
	}
	gresult("unowned-ports-keep-no-write", bad[0] == 0, "%u ports kept a "
		"write", bad[0]);
	for (j = 0; j < 16; j++)
		buf[j] = 0;
	asm volatile("cld; rep insb" : : "D" (buf), "c" (16), "d" (0x2f8) : "memory");
	for (j = 0; j < 16; j++)
		badrep += buf[j] != 0xff;
	asm volatile("cld; rep outsb" : : "S" (buf), "c" (16), "d" (0x2f8) : "memory");
	gresult("unowned-port-rep-ins", badrep == 0, "%d of 16 bytes not ff",
		badrep);
	outb(POST, 0x55);
	gcheck("post-port-reads-ones", inb(POST) == 0xff, inb(POST), 0xff);
	/* From user mode, IOPL 0 and no I/O bitmap in the guest's TSS:
	 * every port is #GP(0), owned or not, the monitor's included. */
	expect_user_fault("user-inb-unowned", u_inb_unowned, 13, 0);
	expect_user_fault("user-outb-debug-exit", u_outb_exit, 13, 0);
	expect_user_fault("user-rep-insb", u_rep_insb, 13, 0);
}

/* ------------------------------------------------------------------------
 * Time: the 8259s remapped to 0x20, IRQ 0 alone unmasked when asked.
 * ------------------------------------------------------------------------ */

static void
pic_init(void)
{
	outb(0x20, 0x11);
	outb(0x21, V_IRQ0);
	outb(0x21, 0x04);
	outb(0x21, 0x01);
	outb(0xa0, 0x11);
	outb(0xa1, V_IRQ0 + 8);
	outb(0xa1, 0x02);
	outb(0xa1, 0x01);
	outb(0xa1, 0xff);
	outb(0x21, 0xff);
}

static void
pit_periodic(uint16_t divisor)
{
	outb(0x43, 0x34);		/* channel 0, lo/hi, mode 2 */
	outb(0x40, divisor & 0xff);
	outb(0x40, divisor >> 8);
}

static uint32_t
lapic_read(uint32_t reg)
{
	return peek(LAPIC + reg);
}

static void
lapic_write(uint32_t reg, uint32_t v)
{
	poke(LAPIC + reg, v);
}

/* Wait, halted, for n more ticks of IRQ 0 (interrupts on meanwhile). */
static void
wait_ticks(uint32_t n)
{
	uint32_t end = io_ticks + n;

	while ((int) (io_ticks - end) < 0)
		asm volatile("sti; hlt; cli");
}

/*
 * The storm: the 8253 at a rate, IRQ 0 unmasked, while the guest's own
 * loop counts to at least @loops and on until @min_ticks interrupts have
 * come (however fast the host runs the loop against the timer), then a
 * wait for one more interrupt; past cap interrupts the handler masks the
 * line.  Each interrupt notes whether the loop moved since the last one.
 */
static void
storm(uint16_t divisor, uint32_t cap, uint32_t loops, uint32_t min_ticks)
{
	io_ticks = io_progress = io_stalls = 0;
	io_limit = cap;
	pit_periodic(divisor);
	outb(0x21, 0xfe);
	asm volatile("sti");
	while (io_progress < loops || io_ticks < min_ticks)
		io_progress++;
	/* However slowly the host ran the timer meanwhile, the storm is
	 * still on: one more interrupt must come (unless the cap masked
	 * the line). */
	asm volatile("cli");
	if (io_ticks < cap)
		wait_ticks(1);
	outb(0x21, 0xff);
}

static void
check_storm(void)
{
	/* At 60 kHz the monitor may take every cycle of the guest's in the
	 * handler's exits: the guest must get through, and its timer work
	 * again after. */
	storm(PIT_STORM, STORM_CAP, STORM_LOOPS, 1);
	gresult("pit-storm-60khz", io_progress >= STORM_LOOPS && io_ticks >= 1 &&
		io_ticks <= STORM_CAP, "%u loops, %u interrupts", io_progress,
		io_ticks);
	/* At 20 kHz, for about 0.2 s and 10 interrupts at least, the loop
	 * must run between interrupts, as on a PC. */
	storm(PIT_20KHZ, 0xffffffff, 20 * STORM_LOOPS, STORM_MIN_TICKS);
	gresult("pit-storm-progress", io_ticks >= STORM_MIN_TICKS &&
		io_stalls * 2 < io_ticks,
		"%u of %u interrupts came before the loop moved on", io_stalls,
		io_ticks);
}

/* A spin of about 0.2 s with nothing to trap. */
static void
spin(void)
{
	volatile uint32_t i;

	for (i = 0; i < 20000000; i++)
		;
}

/* Nanoseconds of the LAPIC timer (1 GHz, divide by 1) per TSC cycle,
 * times 1000, over the interval fn takes. */
static uint32_t
lapic_per_tsc(void (*fn)(void))
{
	uint32_t c0, c1;
	uint64_t t0, t1;

	lapic_write(LAPIC_DIV, 0xb);
	lapic_write(LAPIC_LVT_TIMER, 0x10000 | 0x40);	/* masked */
	lapic_write(LAPIC_INIT, 0xffffffff);
	t0 = rdtsc();
	c0 = lapic_read(LAPIC_CUR);
	fn();
	c1 = lapic_read(LAPIC_CUR);
	t1 = rdtsc();
	return (uint32_t) ((uint64_t) (c0 - c1) * 1000 / (t1 - t0 ? t1 - t0 : 1));
}

static void
three_ticks(void)
{
	wait_ticks(3);
}

/* Whether IRQ 0 waits in the master 8259 (its IRR, through OCW3). */
static int
irq0_waiting(void)
{
	outb(0x20, 0x0a);
	return inb(0x20) & 1;
}

/*
 * The window of sti; nop; cli, twenty times: each time the timer's
 * interrupt is already waiting in the 8259 (the 8253 at 10 kHz, polled
 * with interrupts off until its request is there), and a PC takes it
 * after the nop.  Waiting on the 8259 rather than the count makes the
 * check independent of how late the host runs the timer.
 */
static void
check_windows(void)
{
	uint32_t before, missed = 0, spins;
	int i;

	pit_periodic(119);
	for (i = 0; i < 20; i++) {
		for (spins = 0; !irq0_waiting() && spins < 10000000; spins++)
			;
		before = io_ticks;
		asm volatile("sti; nop; cli" : : : "memory");
		missed += io_ticks == before;
	}
	pit_periodic(PIT_100HZ);
	gresult("irq-in-sti-windows", missed == 0, "%u of 20 windows took no "
		"interrupt", missed);
}

/*
 * A guest that never yields: a long spin with interrupts off, then one
 * instruction's window with them on.  Its clock must have run through
 * the spin as it runs otherwise; its timer's interrupt, raised during
 * the spin, must come in that window; then ticks come as before.
 */
static void
check_no_yield(void)
{
	uint32_t cal, spun, before, after;

	io_ticks = 0;
	io_limit = 0xffffffff;
	pit_periodic(PIT_100HZ);
	outb(0x21, 0xfe);
	wait_ticks(2);
	cal = lapic_per_tsc(three_ticks);
	spun = lapic_per_tsc(spin);
	gresult("clock-runs-through-spin", spun > cal / 2 && spun < cal * 2,
		"the LAPIC counted %u per 1000 TSC cycles through the spin, %u "
		"otherwise", spun, cal);
	before = io_ticks;
	asm volatile("sti; nop; cli" : : : "memory");
	after = io_ticks;
	/* At least the one that waited: a host slow to run the guest may
	 * let the next tick in before the cli too. */
	gresult("irq-in-sti-window", after >= before + 1, "%u interrupts in "
		"the window, want at least 1", after - before);
	check_windows();
	before = io_ticks;
	wait_ticks(5);
	gresult("ticks-after-spin", io_ticks - before >= 5, "%u ticks, want 5",
		io_ticks - before);
	before = io_ticks;
	/* The same spin with interrupts on but the guest's timer masked:
	 * only the monitor's host timer may interrupt it. */
	outb(0x21, 0xff);
	asm volatile("sti");
	spin();
	asm volatile("cli");
	gcheck("no-guest-ticks-when-masked", io_ticks == before,
	       io_ticks - before, 0);
}

void
area_io(void)
{
	check_unowned();
	pic_init();
	hidt[V_IRQ0] = gate(h_irq0, 0);
	check_storm();
	check_no_yield();
	outb(0x21, 0xff);
	outb(0x43, 0x30);		/* channel 0 back to one-shot, stopped */
	outb(0x40, 0);
	outb(0x40, 0);
}

