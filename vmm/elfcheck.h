/*
 * elfcheck.h - deciding whether a file can be a guest, before loading it.
 *
 * The monitor promises every guest the boot a PC loader gives it
 * (docs/design.md section 4): a Multiboot ELF whose segments go to their
 * physical addresses.  Everything about the image is checked here, by pure code
 * that reads bytes and touches no memory of its own, so the host unit
 * tests (grade/unit/unit_elfcheck.c) can feed it every kind of bad file.
 * A refusal comes with one sentence naming the problem and the fix.
 */
#ifndef VMM_ELFCHECK_H
#define VMM_ELFCHECK_H

#include "kern/types.h"

/* The Multiboot specification: the header lies in the first 8 KB. */
#define MB_HEADER_SEARCH	8192
#define MB_MAX_SEGMENTS		16

/* What a checked image holds: the segments to copy and where to start. */
struct guest_segment {
	uint32_t offset;	/* in the file */
	uint32_t paddr;		/* guest-physical destination */
	uint32_t filesz;	/* bytes copied from the file */
	uint32_t memsz;		/* bytes in guest memory (the rest zeroed) */
};

struct guest_image {
	uint32_t entry;		/* guest-physical: paging is off at entry */
	uint32_t mbhdr_offset;	/* where the Multiboot header was found */
	uint32_t nsegs;
	struct guest_segment segs[MB_MAX_SEGMENTS];
	uint32_t lo, hi;	/* guest-physical span of all segments */
};

/* Why an image was refused (negative, so 0 can mean "fine"). */
enum elfcheck_error {
	EC_OK = 0,
	EC_TOOSMALL = -1,	/* shorter than an ELF header */
	EC_NOTELF = -2,		/* no \x7fELF magic */
	EC_NOT32 = -3,		/* not ELFCLASS32 little-endian */
	EC_NOTI386 = -4,	/* e_machine is not EM_386, or not executable */
	EC_NOMB = -5,		/* no Multiboot header in the first 8 KB */
	EC_BADPHDR = -6,	/* program headers outside the file */
	EC_NOSEG = -7,		/* nothing to load */
	EC_MANYSEG = -8,	/* more loadable segments than we keep */
	EC_SEGFILE = -9,	/* a segment's bytes lie outside the file */
	EC_MONITOR = -10,	/* a segment overlaps the monitor's range */
	EC_OUTSIDE = -11,	/* a segment lies beyond guest memory */
	EC_ENTRY = -12,		/* the entry point is in no segment */
	EC_TOOBIG = -13,	/* the file is larger than guest memory */
};

/**
 * @brief Check that @p img (@p size bytes) is a Multiboot i386 ELF that
 * fits a guest with @p ram bytes of memory at guest-physical 0, keeping
 * clear of the monitor (@p monbase and up).  Where the information block
 * goes is the loader's choice, made around the segments (vmm/loader.c).
 *
 * @param out	the segments and entry point, when the image is fine
 * @param msg	on refusal, one sentence naming the problem and the fix
 * @return EC_OK, or a negative enum elfcheck_error
 */
int elfcheck(const uint8_t *img, size_t size, uint32_t ram, uint32_t monbase,
	     struct guest_image *out, char *msg, size_t msgsize);

#endif
