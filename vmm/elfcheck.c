/*
 * elfcheck.c - is this file a guest?  The checks a PC loader would make.
 *
 * The monitor plays the part of GRUB or QEMU's -kernel for its guest
 * (docs/design.md section 4), so it must refuse what they refuse, and more:
 * a segment that would land on the monitor (Adams & Agesen, section 3.2:
 * the top of the address space is the monitor's) or beyond the memory the
 * guest was given.  Pure code: the image is only read, through bounds
 * checked against its size, so a hostile file cannot make it read past
 * the end; the unit tests feed it truncated and corrupt files.
 *
 * Each refusal names the problem and the fix in one sentence, because the
 * person reading it is a student who just built a guest and wants to know
 * which flag is wrong.
 */
#include "kern/types.h"
#include "kern/string.h"
#include "kern/printf.h"
#include "kern/elf.h"
#include "kern/multiboot.h"
#include "kern/memlayout.h"
#include "vmm/elfcheck.h"

/* Refuse: fill msg and return err. */
#define REFUSE(err, ...) do {					\
	snprintf(msg, msgsize, __VA_ARGS__);			\
	return (err);						\
} while (0)

static uint32_t
rd32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t) p[3] << 24;
}

/*
 * The Multiboot header: magic, flags and a checksum that makes the three
 * sum to zero, 4-byte aligned within the first 8 KB.  Its flags may ask for
 * nothing we provide; we give memory information and a map regardless.
 */
static int
find_mbheader(const uint8_t *img, size_t size, uint32_t *where)
{
	size_t off, end = MIN(size, (size_t) MB_HEADER_SEARCH);

	for (off = 0; off + 12 <= end; off += 4) {
		if (rd32(img + off) != MULTIBOOT_HEADER_MAGIC)
			continue;
		if (rd32(img + off) + rd32(img + off + 4) + rd32(img + off + 8) == 0) {
			*where = off;
			return 0;
		}
	}
	return -1;
}

int
elfcheck(const uint8_t *img, size_t size, uint32_t ram, uint32_t monbase,
	 struct guest_image *out, char *msg, size_t msgsize)
{
	struct elf_header eh;
	struct elf_phdr ph;
	struct guest_segment *s;
	uint64_t phend, end;
	uint32_t i;

	memset(out, 0, sizeof(*out));
	if (size < sizeof(eh))
		REFUSE(EC_TOOSMALL, "the guest image is only %u bytes, too short "
		       "for an ELF file: give the monitor the guest kernel's ELF "
		       "executable (e.g. obj/grade/guests/privsuite)", (unsigned) size);
	memcpy(&eh, img, sizeof(eh));
	if (rd32(eh.e_ident) != ELF_MAGIC)
		REFUSE(EC_NOTELF, "the guest image is not an ELF file (it starts "
		       "%02x %02x %02x %02x): give the monitor the guest kernel's "
		       "ELF executable, not a disk image or a raw binary",
		       img[0], img[1], img[2], img[3]);
	if (eh.e_ident[EI_CLASS] != ELFCLASS32 || eh.e_ident[EI_DATA] != ELFDATA2LSB)
		REFUSE(EC_NOT32, "the guest image is a %s ELF file; the monitor "
		       "runs 32-bit i386 guests: build it with -m32 and link it "
		       "with -m elf_i386", eh.e_ident[EI_CLASS] == 2 ? "64-bit" :
		       "non-ELF32-little-endian");
	if (eh.e_machine != EM_386 || eh.e_type != ET_EXEC)
		REFUSE(EC_NOTI386, "the guest image is an ELF32 file for machine %u, "
		       "type %u, not an i386 executable (machine 3, type 2): "
		       "build it for i386 and link it into an executable",
		       eh.e_machine, eh.e_type);
	if (size > ram)
		REFUSE(EC_TOOBIG, "the guest image (%u KB) is larger than guest "
		       "memory (%u KB): raise guestmem= on the kernel command "
		       "line", (unsigned) (size >> 10), ram >> 10);
	if (find_mbheader(img, size, &out->mbhdr_offset) < 0)
		REFUSE(EC_NOMB, "the guest image has no Multiboot header in its "
		       "first %u bytes: add one (magic 0x1BADB002, flags, "
		       "checksum) in a section the linker script puts first",
		       MB_HEADER_SEARCH);

	phend = (uint64_t) eh.e_phoff + (uint64_t) eh.e_phnum * sizeof(ph);
	if (eh.e_phentsize != sizeof(ph) || phend > size)
		REFUSE(EC_BADPHDR, "the guest image's program headers (%u of %u "
		       "bytes at offset %u) do not fit its %u bytes: the file is "
		       "truncated or corrupt; rebuild it", eh.e_phnum,
		       eh.e_phentsize, eh.e_phoff, (unsigned) size);

	out->lo = 0xffffffff;
	for (i = 0; i < eh.e_phnum; i++) {
		memcpy(&ph, img + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		if (out->nsegs == MB_MAX_SEGMENTS)
			REFUSE(EC_MANYSEG, "the guest image has more than %u "
			       "loadable segments: merge its sections in the "
			       "linker script", MB_MAX_SEGMENTS);
		if (ph.p_filesz > ph.p_memsz ||
		    (uint64_t) ph.p_offset + ph.p_filesz > size)
			REFUSE(EC_SEGFILE, "guest segment %u (offset %u, %u bytes) "
			       "lies outside the %u-byte file: the file is "
			       "truncated or corrupt; rebuild it", i, ph.p_offset,
			       ph.p_filesz, (unsigned) size);
		end = (uint64_t) ph.p_paddr + ph.p_memsz;
		if (end > monbase)
			REFUSE(EC_MONITOR, "guest segment %u [%08x, %08llx) "
			       "overlaps the monitor's range, %08x and up: link "
			       "the guest at lower physical addresses (AT() in "
			       "the linker script)", i, ph.p_paddr,
			       (unsigned long long) end, monbase);
		if (end > ram)
			REFUSE(EC_OUTSIDE, "guest segment %u [%08x, %08llx) lies "
			       "beyond guest memory (%u MB): raise guestmem= on "
			       "the kernel command line or link the guest lower",
			       i, ph.p_paddr, (unsigned long long) end, ram >> 20);
		s = &out->segs[out->nsegs++];
		s->offset = ph.p_offset;
		s->paddr = ph.p_paddr;
		s->filesz = ph.p_filesz;
		s->memsz = ph.p_memsz;
		out->lo = MIN(out->lo, ph.p_paddr);
		out->hi = MAX(out->hi, (uint32_t) end);
	}
	if (out->nsegs == 0)
		REFUSE(EC_NOSEG, "the guest image has no loadable segment: link "
		       "it as an executable with its code in a PT_LOAD segment");

	/*
	 * Paging is off at entry, so e_entry is a physical address; a
	 * higher-half kernel (xv6) says so by linking its entry there.
	 */
	for (i = 0; i < out->nsegs; i++) {
		s = &out->segs[i];
		if (eh.e_entry >= s->paddr && eh.e_entry - s->paddr < s->memsz)
			break;
	}
	if (i == out->nsegs)
		REFUSE(EC_ENTRY, "the guest's entry point %08x is in none of its "
		       "segments: with paging off at entry it must be a physical "
		       "address (set ENTRY() to the physical entry symbol)",
		       eh.e_entry);
	out->entry = eh.e_entry;
	return EC_OK;
}
