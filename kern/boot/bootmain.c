/*
 * bootmain.c - load the kernel from the disk and hand over, Multiboot style.
 *
 * bootasm.S calls bootmain in 32-bit protected mode, with flat segments,
 * paging off and the E820 map already in low memory.  The BIOS cannot
 * help any more (its disk services are real-mode code), so we drive the
 * IDE controller ourselves.  Then we do for the disk boot what QEMU's
 * `-kernel` does for the other: describe the machine in a Multiboot
 * information block, load the kernel's ELF segments at their physical
 * addresses, and jump to its entry point.
 *
 * Every byte counts here (the sector holds 510 of them, with bootasm.S),
 * so the checks are few: a disk that is not ours is refused, and the
 * checks of the kernel file that can run on the host are mkimage.sh's.
 */
#include "kern/types.h"
#include "kern/x86.h"
#include "kern/multiboot.h"
#include "kern/boot/boot.h"

/* Just the parts of an ELF file (System V ABI, i386) a loader reads. */
#define ELF_MAGIC	0x464C457F	/* "\x7F" "ELF", read as a little-endian word */
#define ELF_PT_LOAD	1

struct elf_header {
	uint32_t magic;
	uint8_t ident[12];
	uint16_t type;
	uint16_t machine;
	uint32_t version;
	uint32_t entry;			/* physical, for our kernel */
	uint32_t phoff;			/* program headers: file offset */
	uint32_t shoff;
	uint32_t flags;
	uint16_t ehsize;
	uint16_t phentsize;
	uint16_t phnum;			/* ... and how many */
	uint16_t shentsize;
	uint16_t shnum;
	uint16_t shstrndx;
};

struct elf_phdr {
	uint32_t type;
	uint32_t offset;		/* where the segment's bytes are in the file */
	uint32_t vaddr;
	uint32_t paddr;			/* where they go in memory */
	uint32_t filesz;
	uint32_t memsz;			/* beyond filesz: zeros (.bss) */
	uint32_t flags;
	uint32_t align;
};

/* The primary IDE channel's task-file registers. */
#define IDE_DATA	0x1F0
#define IDE_COUNT	0x1F2		/* sectors to transfer */
#define IDE_LBA		0x1F3		/* sector number: 0x1F3-0x1F6, low byte first */
#define IDE_STATUS	0x1F7		/* read */
#define IDE_COMMAND	0x1F7		/* write */
#define   IDE_BSY	0x80
#define   IDE_CMD_READ	0x20		/* READ SECTORS, with retries */
#define IDE_LBA_MASTER	0xE0		/* drive register: LBA mode, drive 0 */

/* Multiboot lets a loader sign its work; the kernel prints it. */
#define LOADER_NAME	"vmlab boot sector"

/* Called from bootasm.S with its arguments in EAX and EDX. */
#define BOOTMAIN_ABI	__attribute__((regparm(2), noreturn))
void bootmain(struct multiboot_info *mbi, uint32_t mmap_next) BOOTMAIN_ABI;

/*
 * Say what went wrong on COM1 and stop.  bootasm.S has set the UART up
 * (8-bit characters, FIFO on), so a message of up to 16 bytes fits in
 * its FIFO and can go out in one burst, without polling the UART for
 * room.  msg is a string literal.  Interrupts are off: hlt stops the CPU
 * for good.
 */
#define boot_fail(msg)	boot_halt(msg, sizeof(msg) - 1)

static void __attribute__((noreturn))
boot_halt(const char *msg, int len)
{
	asm volatile("rep outsb" : "+S" (msg), "+c" (len) : "d" (COM1));
	for (;;)
		hlt();
}

/*
 * Wait while the drive is busy.  Before a command, that means until it
 * can take one; after READ SECTORS, until the sector is in its buffer.
 * (Or until it has given up with an error, which we have no room to
 * check: ELF magic that does not match is the only symptom we catch.)
 */
static void __attribute__((noinline))
ide_wait(void)
{
	while (inb(IDE_STATUS) & IDE_BSY)
		;
}

/*
 * Read sector `lba` to dst with programmed I/O: write the sector number
 * into the task file, issue READ SECTORS, wait for the data, and take it
 * from the data port 4 bytes at a time.  LBA28: the top 4 bits of the
 * sector number share the drive register with the mode bits, so one
 * OR puts both in the byte that goes to 0x1F6.  Returns where the next
 * sector goes (rep insl has moved EDI there already).
 */
static uint8_t *
ide_read_sector(uint8_t *dst, uint32_t lba)
{
	int i, n = SECTSIZE / 4;

	ide_wait();
	outb(IDE_COUNT, 1);
	lba |= (uint32_t) IDE_LBA_MASTER << 24;
	for (i = 0; i < 4; i++, lba >>= 8)
		outb(IDE_LBA + i, lba);
	outb(IDE_COMMAND, IDE_CMD_READ);
	ide_wait();
	asm volatile("rep insl"
		     : "+D" (dst), "+c" (n) : "d" (IDE_DATA) : "memory");
	return dst;
}

/*
 * Read count bytes at byte offset off of the disk to dst.  Disks deal in
 * whole sectors, so off must be a multiple of SECTSIZE (mkimage.sh checks
 * that the kernel's segments start on sector boundaries in its file,
 * which costs no bytes here), and the last sector may spill up to 511
 * bytes past dst + count: into the segment's .bss, zeroed next, or into
 * free memory after it.
 */
static void
read_disk(uint8_t *dst, uint32_t count, uint32_t off)
{
	uint8_t *end = dst + count;

	for (off /= SECTSIZE; dst < end; off++)
		dst = ide_read_sector(dst, off);
}

void BOOTMAIN_ABI
bootmain(struct multiboot_info *mbi, uint32_t mmap_next)
{
	struct elf_header *elf = (struct elf_header *) BOOT_ELFHDR;
	struct multiboot_mmap_entry *e;
	uint32_t mmap_end = mmap_next - 4;	/* see the E820 loop */
	struct elf_phdr *ph;
	uint32_t start;
	int n;

	/*
	 * First, write down what we know for the kernel: the Multiboot
	 * information block, which bootasm.S has zeroed and whose memory map
	 * it has filled.  mem_lower and mem_upper are the older summary:
	 * the KB of RAM from address 0, and from 1 MB up to the first hole.
	 * So they come from the E820 records of usable RAM that start at 0
	 * and at 1 MB, and the start in MB picks the field.  The record at
	 * 1 MB ends below 4 GB (the PCI window is in the way), so its length
	 * fits in 32 bits.
	 */
	mbi->flags = MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE |
		MULTIBOOT_INFO_MEM_MAP | MULTIBOOT_INFO_LOADER_NAME;
	for (e = (void *) BOOT_MMAP; (uint32_t) e < mmap_end; e++) {
		start = e->addr;
		if (e->type == MULTIBOOT_MEMORY_AVAILABLE && !(e->addr >> 32) &&
		    (start == 0 || start == 0x100000))
			(&mbi->mem_lower)[start >> 20] =	/* or mem_upper */
				(uint32_t) e->len >> 10;
	}
	mbi->cmdline = BOOT_CMDLINE;
	mbi->mmap_addr = BOOT_MMAP;
	mbi->mmap_length = mmap_end - BOOT_MMAP;
	mbi->boot_loader_name = (uint32_t) LOADER_NAME;

	/*
	 * The command line (sector 1) and the first page of the kernel
	 * file after it, which holds the ELF header and the program headers.
	 * A disk that does not start with an ELF file is not ours, and
	 * jumping into it would only make a mystery of the failure.
	 */
	read_disk((uint8_t *) BOOT_CMDLINE, SECTSIZE + BOOT_ELFHDR_SIZE,
		  CMDLINE_SECTOR * SECTSIZE);
	if (elf->magic != ELF_MAGIC)
		boot_fail("boot: not ELF\r\n");

	/*
	 * Each loadable segment goes to its physical address (the kernel is
	 * linked high but loaded at 1 MB; p_paddr says where).  The part of
	 * memsz beyond filesz is the .bss: zeros the file does not store.
	 * (mkimage.sh has made sure there is a segment, hence do-while.)
	 */
	ph = (struct elf_phdr *) ((uint8_t *) elf + elf->phoff);
	n = elf->phnum;
	do {
		if (ph->type == ELF_PT_LOAD) {
			read_disk((uint8_t *) ph->paddr, ph->filesz,
				  KERNEL_SECTOR * SECTSIZE + ph->offset);
			asm volatile("rep stosb"
				     : : "D" (ph->paddr + ph->filesz),
					 "c" (ph->memsz - ph->filesz), "a" (0)
				     : "memory");
		}
		ph++;
	} while (--n > 0);

	/*
	 * The handoff: the Multiboot magic in EAX tells the kernel who
	 * called it, EBX says where the information block is, and e_entry
	 * is a physical address.  There is no coming back.
	 */
	asm volatile("jmp *%0"
		     : : "m" (elf->entry), "a" (MULTIBOOT_BOOTLOADER_MAGIC),
			 "b" (mbi));
	__builtin_unreachable();
}
