/*
 * guest.h - what every test guest shares: ports, printing, ending the run.
 *
 * The test guests are tiny kernels of their own, written for the PC of
 * docs/design.md section 4, so that they run the same natively under QEMU and
 * under the monitor; only what they print should differ.
 */
#ifndef GRADE_GUESTS_GUEST_H
#define GRADE_GUESTS_GUEST_H

typedef unsigned char uint8_t;
typedef unsigned short uint16_t;
typedef unsigned int uint32_t;
typedef unsigned long long uint64_t;

static inline void outb(uint16_t port, uint8_t v) { asm volatile("outb %0, %w1" : : "a" (v), "Nd" (port)); }
static inline void outw(uint16_t port, uint16_t v) { asm volatile("outw %0, %w1" : : "a" (v), "Nd" (port)); }
static inline void outl(uint16_t port, uint32_t v) { asm volatile("outl %0, %w1" : : "a" (v), "Nd" (port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; asm volatile("inb %w1, %0" : "=a" (v) : "Nd" (port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; asm volatile("inl %w1, %0" : "=a" (v) : "Nd" (port)); return v; }

static inline uint64_t
rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a" (lo), "=d" (hi) : "c" (msr));
	return (uint64_t) hi << 32 | lo;
}

static inline void
wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "c" (msr), "a" ((uint32_t) v),
		     "d" ((uint32_t) (v >> 32)));
}

/* Page-table entry bits, for the guests that build their own tables. */
#define PGSIZE		4096
#define PTE_P		0x001
#define PTE_W		0x002
#define PTE_U		0x004
#define PTE_PWT		0x008
#define PTE_PCD		0x010
#define PTE_A		0x020
#define PTE_D		0x040
#define PTE_PS		0x080
#define PTE_G		0x100

/* The selectors every test guest's GDT uses (see gload_tables). */
#define KCODE	0x08
#define KDATA	0x10
#define KTSS	0x18
#define KLDT	0x20

/* The operand of lgdt/lidt and the result of sgdt/sidt. */
struct pseudodesc {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

/** @brief A segment descriptor: base, 20-bit limit, access byte, flags nibble. */
uint64_t desc(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags);
/**
 * @brief The entries every test guest's GDT starts with: KCODE and KDATA
 * flat, KTSS for @p tss and KLDT for @p ldt (their sizes in bytes).
 */
void gflat_gdt(uint64_t *gdt, const uint32_t *tss, uint32_t tss_bytes,
	       const uint64_t *ldt, uint32_t ldt_bytes);
/**
 * @brief Load the GDT and IDT given (sizes in bytes), reload every segment
 * register with KCODE/KDATA, and load TR = KTSS and LDTR = KLDT.
 */
void gload_tables(const uint64_t *gdt, uint32_t gdt_bytes,
		  const uint64_t *idt, uint32_t idt_bytes);

/** @brief Print to the first UART (polled). */
void gprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** @brief End the run with @p status through the debug-exit port. */
void gexit(int status) __attribute__((noreturn));
/** @brief Set up the UART and mask the 8259s (no interrupt until asked). */
void ginit(void);

/** @brief A 32-bit interrupt gate to @p handler in KCODE, callable from @p dpl. */
uint64_t gate(void *handler, int dpl);

/** @brief Name the suite whose checks follow (the prefix of their lines). */
void gsuite(const char *name);
/**
 * @brief Count one check and print "SUITE: NAME: ok", or when !@p ok
 * "SUITE: NAME: FAIL (...)" with @p fmt saying what was wrong.
 */
void gresult(const char *name, int ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/** @brief gresult() for a value: "got GOT, want WANT" on failure. */
void gcheck(const char *name, int ok, uint32_t got, uint32_t want);
/** @brief Print "SUITE: P of N checks passed" and end the run: 0 if all passed. */
void gdone(void) __attribute__((noreturn));

/* The CPU as the loader left it at the guest's entry (boot.S). */
struct gboot_state {
	uint32_t eax, ebx, ecx, edx, esi, edi, ebp, esp, eflags;
	uint16_t cs, ds, es, fs, gs, ss;
	uint32_t cr0;
};
extern struct gboot_state gboot_state;

/* What gtry() caught. */
struct gfault {
	uint32_t vector;
	uint32_t err;		/* the error code, 0 where the vector has none */
	uint32_t eip;		/* where the exception was raised */
	uint32_t cr2;
};

/* The exception stubs gtry() resumes from, one per vector 0-31: put them
 * in the IDT (gtry_gates()) before calling it (grade/guests/gtry.S). */
extern const uint32_t gtry_stubs[32];

/**
 * @brief Run fn(arg) at ring 0.  If it raises an exception, the stack and
 * registers of the call are restored, the data segments reloaded with
 * KDATA, and *@p f tells what was raised.
 * @return -1 if fn returned, else the vector of the exception
 */
int gtry(void (*fn)(void *), void *arg, struct gfault *f);

/** @brief End the gtry() probe in flight, from anywhere (a task of its
 *  own, another stack), as if it had raised @p vector. */
void gtry_abort(int vector) __attribute__((noreturn));

/** @brief Fill idt[0..31] with interrupt gates to the gtry() stubs. */
void gtry_gates(uint64_t *idt);

#endif
