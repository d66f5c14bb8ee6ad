/*
 * platform.h - the virtual PC every guest sees (docs/design.md section 4), as
 * the engines call it.
 *
 * A VMM must emulate every device the guest touches (the paper's section
 * 2): each `in`, `out` and MMIO access the engine traps lands here and is
 * routed to one device model.  The models are pure state machines: they
 * know no host hardware, take time from the caller and give output through
 * callbacks, so the same files run in the kernel and in host unit tests.
 *
 * How an engine uses it:
 *   vplat_init(&plat, &cfg)              once, before the guest runs
 *   vbios_setup(&writer, ram_bytes)      after loading the guest image
 *   vplat_advance(&plat, now)            on every exit, before dispatching
 *                                        (timers, and the time device
 *                                        reads see)
 *   vplat_pio_in/out, vplat_mmio_*       for each trapped access
 *   v = vplat_pending_interrupt(&plat)   when the virtual IF is set
 *   vplat_ack_interrupt(&plat)           when injecting v
 *   vplat_next_deadline(&plat)           when the guest halts: sleep until then
 *   vplat_exit_requested(&plat, &st)     after a port write: the run is over
 *
 * Interrupt chain: device lines go to both the 8259 pair and the IOAPIC
 * (ISA IRQ n on IOAPIC pin n).  The IOAPIC delivers to the LAPIC, which
 * offers its highest IRR vector above PPR.  The 8259's output reaches the
 * CPU directly when the LAPIC is software-disabled (as at reset), and
 * through LINT0 when that is unmasked ExtINT.  There is no IMCR, as on
 * QEMU's pc machine.
 */
#ifndef VMM_DEV_PLATFORM_H
#define VMM_DEV_PLATFORM_H

#include "kern/types.h"
#include "vmm/dev/virq.h"
#include "vmm/dev/vuart.h"
#include "vmm/dev/vcga.h"
#include "vmm/dev/vkbd.h"
#include "vmm/dev/vpic.h"
#include "vmm/dev/vpit.h"
#include "vmm/dev/vrtc.h"
#include "vmm/dev/vlapic.h"
#include "vmm/dev/vioapic.h"
#include "vmm/dev/vide.h"
#include "vmm/dev/vdebugexit.h"
#include "vmm/dev/vbios.h"

#define VPLAT_NIRQ	16	/* ISA lines */
#define VPLAT_POST	0x80	/* POST code port: the `in` nanobenchmark reads it */

/* A disk image in host memory (the loader's module, through the direct
 * map); data NULL means no drive. */
struct vplat_disk {
	uint8_t *data;
	uint32_t bytes;		/* a multiple of 512 */
	bool readonly;
};

struct vplat_config {
	uint32_t ram_bytes;	/* guest RAM size: the CMOS reports it */
	void (*console_out)(void *arg, uint8_t c);	/* UART transmit */
	void *console_arg;
	struct vplat_disk disk[2];	/* primary master, primary slave */
	uint64_t rtc_epoch;	/* Unix seconds the RTC shows at virtual time 0 */
	uint64_t now_ns;	/* virtual time at reset */
	const char *cmdline;	/* unused by the devices */
};

/* What the engine reports at the end of a run. */
struct vplat_stats {
	uint64_t pio_in, pio_out;
	uint64_t mmio_read, mmio_write;
	uint64_t unknown_in, unknown_out;	/* ports no device claims */
	uint16_t last_unknown_port;
	uint64_t unknown_mmio;		/* MMIO to an unmodelled offset or size */
	uint64_t post;			/* accesses to port 0x80 */
	uint64_t injected;		/* interrupts acknowledged */
};

struct vplatform {
	struct vuart uart;
	struct vcga cga;
	struct vkbd kbd;
	struct vpic pic;
	struct vpit pit;
	struct vrtc rtc;
	struct vlapic lapic;
	struct vioapic ioapic;
	struct vide ide;
	struct vdebugexit exit;
	uint8_t port92;		/* fast A20 and reset */
	uint8_t post_code;	/* last value written to port 0x80 (reads give 0xFF) */
	uint32_t lines;		/* ISA line levels */
	uint64_t now_ns;
	struct vplat_stats stats;
};

/** @brief Reset every device of @p p from @p cfg.  Returns 0, or -1 if cfg is unusable. */
int vplat_init(struct vplatform *p, const struct vplat_config *cfg);

/** @brief Guest `in` of @p size (1, 2 or 4) bytes from @p port; unclaimed ports read all ones.
 *  Each byte of a wider access is a port of its own, as on the ISA bus. */
uint32_t vplat_pio_in(struct vplatform *p, uint16_t port, int size);
/** @brief Guest `out` of @p size bytes of @p val to @p port; unclaimed ports ignore it. */
void vplat_pio_out(struct vplatform *p, uint16_t port, int size, uint32_t val);

/** @brief True if guest-physical @p gpa is in an emulated MMIO page (LAPIC, IOAPIC). */
bool vplat_is_mmio(uint32_t gpa);
/** @brief Guest read of @p size bytes at MMIO address @p gpa. */
uint32_t vplat_mmio_read(struct vplatform *p, uint32_t gpa, int size);
/** @brief Guest write of @p size bytes of @p val at MMIO address @p gpa. */
void vplat_mmio_write(struct vplatform *p, uint32_t gpa, int size, uint32_t val);

/** @brief Bring every timer to virtual time @p now_ns (monotonic), raising due interrupts. */
void vplat_advance(struct vplatform *p, uint64_t now_ns);
/** @brief The earliest virtual time a timer will interrupt, or UINT64_MAX. */
uint64_t vplat_next_deadline(const struct vplatform *p);

/** @brief The vector the CPU would take next if its IF were set, or -1. */
int vplat_pending_interrupt(const struct vplatform *p);
/** @brief The CPU takes that interrupt (INTA): returns its vector, or -1 if none. */
int vplat_ack_interrupt(struct vplatform *p);

/** @brief True once the guest asked to end the run; the status goes to @p status. */
bool vplat_exit_requested(const struct vplatform *p, uint32_t *status);

/** @brief A byte typed on the serial line; false if the UART's queue is full. */
bool vplat_uart_input(struct vplatform *p, uint8_t c);
/** @brief A scancode from the keyboard; false if the controller's queue is full. */
bool vplat_kbd_input(struct vplatform *p, uint8_t scancode);

/** @brief The LAPIC, read-only: its generation says when vlapic_fill_page must run again. */
const struct vlapic *vplat_lapic(const struct vplatform *p);

#endif
