/*
 * unit_elfcheck.c - the guest image checks of vmm/elfcheck.c, on the host.
 *
 * Each test builds a small ELF image in memory, breaks one thing about it,
 * and checks that elfcheck() refuses it with the right code and a message
 * that names the fix.  The good image is a Multiboot kernel at 1 MB, as
 * the test guests are.
 */
#include <stdint.h>
#include <string.h>
#include <criterion/criterion.h>

#undef static_assert
#undef MIN
#undef MAX
#include "kern/elf.h"
/* The kernel's elfcheck, renamed for the host (grade/unit/kern_names.h). */
#define elfcheck	kern_elfcheck
#include "vmm/elfcheck.h"

#define RAM	(16u << 20)
#define MON	0xFC000000u

static uint8_t img[16384];
static struct guest_image gi;
static char msg[256];

/* An ELF header, one PT_LOAD of 8 KB at paddr 1 MB, a Multiboot header. */
static void
good_image(void)
{
	struct elf_header *eh = (void *) img;
	struct elf_phdr *ph = (void *) (img + sizeof(*eh));
	uint32_t *mb = (void *) (img + 4096);

	memset(img, 0, sizeof(img));
	memcpy(eh->e_ident, "\x7f" "ELF", 4);
	eh->e_ident[EI_CLASS] = ELFCLASS32;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_386;
	eh->e_entry = 0x100010;
	eh->e_phoff = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 1;
	ph->p_type = PT_LOAD;
	ph->p_offset = 4096;
	ph->p_paddr = 0x100000;
	ph->p_filesz = 8192;
	ph->p_memsz = 12288;
	mb[0] = 0x1BADB002;
	mb[1] = 0;
	mb[2] = -0x1BADB002u;
}

static int
check(size_t size)
{
	return kern_elfcheck(img, size, RAM, MON, &gi, msg, sizeof(msg));
}

static struct elf_phdr *
phdr(void)
{
	return (void *) (img + sizeof(struct elf_header));
}

Test(elfcheck, good)
{
	good_image();
	cr_assert_eq(check(sizeof(img)), EC_OK, "%s", msg);
	cr_assert_eq(gi.entry, 0x100010);
	cr_assert_eq(gi.nsegs, 1);
	cr_assert_eq(gi.segs[0].paddr, 0x100000);
	cr_assert_eq(gi.segs[0].memsz, 12288);
	cr_assert_eq(gi.mbhdr_offset, 4096);
	cr_assert_eq(gi.hi, 0x103000);
}

Test(elfcheck, too_small)
{
	good_image();
	cr_assert_eq(check(10), EC_TOOSMALL);
}

Test(elfcheck, not_elf)
{
	good_image();
	memcpy(img, "#!/b", 4);
	cr_assert_eq(check(sizeof(img)), EC_NOTELF);
	cr_assert(strstr(msg, "not an ELF file"), "%s", msg);
}

Test(elfcheck, elf64)
{
	good_image();
	img[EI_CLASS] = 2;
	cr_assert_eq(check(sizeof(img)), EC_NOT32);
	cr_assert(strstr(msg, "64-bit") && strstr(msg, "-m32"), "%s", msg);
}

Test(elfcheck, not_i386)
{
	good_image();
	((struct elf_header *) img)->e_machine = 62;
	cr_assert_eq(check(sizeof(img)), EC_NOTI386);
}

Test(elfcheck, no_multiboot)
{
	good_image();
	memset(img + 4096, 0, 12);
	cr_assert_eq(check(sizeof(img)), EC_NOMB);
	cr_assert(strstr(msg, "Multiboot header"), "%s", msg);
}

Test(elfcheck, multiboot_bad_checksum)
{
	good_image();
	((uint32_t *) (img + 4096))[2] = 0;
	cr_assert_eq(check(sizeof(img)), EC_NOMB);
}

Test(elfcheck, multiboot_past_8k)
{
	good_image();
	memmove(img + 12288, img + 4096, 12);
	memset(img + 4096, 0, 12);
	cr_assert_eq(check(sizeof(img)), EC_NOMB);
}

Test(elfcheck, phdrs_outside_file)
{
	good_image();
	((struct elf_header *) img)->e_phoff = sizeof(img) - 8;
	cr_assert_eq(check(sizeof(img)), EC_BADPHDR);
}

Test(elfcheck, segment_outside_file)
{
	good_image();
	phdr()->p_filesz = 12288 + 4096;
	phdr()->p_memsz = 12288 + 4096;
	cr_assert_eq(check(sizeof(img)), EC_SEGFILE);
}

Test(elfcheck, segment_beyond_ram)
{
	good_image();
	phdr()->p_paddr = RAM - 4096;
	((struct elf_header *) img)->e_entry = RAM - 4096;
	cr_assert_eq(check(sizeof(img)), EC_OUTSIDE);
	cr_assert(strstr(msg, "guestmem="), "%s", msg);
}

Test(elfcheck, segment_on_monitor)
{
	good_image();
	phdr()->p_paddr = 0xFC100000;
	cr_assert_eq(check(sizeof(img)), EC_MONITOR);
	cr_assert(strstr(msg, "monitor"), "%s", msg);
}

Test(elfcheck, segment_wraps)
{
	good_image();
	phdr()->p_paddr = 0xFFFFF000;
	cr_assert_eq(check(sizeof(img)), EC_MONITOR);
}

Test(elfcheck, segment_in_low_memory,
     .description = "a kernel linked below 1 MB, over 0x9000, is accepted: the "
		    "loader puts the information block elsewhere")
{
	good_image();
	phdr()->p_paddr = 0x8000;
	((struct elf_header *) img)->e_entry = 0x8000;
	cr_assert_eq(check(sizeof(img)), EC_OK, "%s", msg);
}

Test(elfcheck, no_segments)
{
	good_image();
	phdr()->p_type = 4;
	cr_assert_eq(check(sizeof(img)), EC_NOSEG);
}

Test(elfcheck, entry_outside)
{
	good_image();
	((struct elf_header *) img)->e_entry = 0xC0100000;
	cr_assert_eq(check(sizeof(img)), EC_ENTRY);
	cr_assert(strstr(msg, "physical"), "%s", msg);
}

Test(elfcheck, too_big)
{
	static uint8_t big[RAM + 4096];

	good_image();
	memcpy(big, img, sizeof(img));
	cr_assert_eq(kern_elfcheck(big, sizeof(big), RAM, MON, &gi, msg,
				   sizeof(msg)), EC_TOOBIG);
}
