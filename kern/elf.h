/*
 * elf.h - the parts of the ELF format (System V ABI, i386 supplement)
 * the kernel reads to load a user program.
 */
#ifndef KERN_ELF_H
#define KERN_ELF_H

#include "kern/types.h"

#define ELF_MAGIC	0x464C457FU	/* "\x7F" "ELF" as a little-endian word */

/* e_ident[] after the magic */
#define EI_CLASS	4
#define   ELFCLASS32	1
#define EI_DATA		5
#define   ELFDATA2LSB	1

#define ET_EXEC		2	/* e_type: an executable */
#define EM_386		3	/* e_machine: i386 */

struct elf_header {
	uint8_t e_ident[16];	/* magic, class, data, version, ... */
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint32_t e_entry;	/* virtual address of the first instruction */
	uint32_t e_phoff;	/* program headers: file offset ... */
	uint32_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;	/* ... size of each ... */
	uint16_t e_phnum;	/* ... and how many */
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

/* A program header: one segment of the program's memory image. */
struct elf_phdr {
	uint32_t p_type;	/* PT_LOAD: to be loaded */
	uint32_t p_offset;	/* where its bytes are in the file */
	uint32_t p_vaddr;	/* where they go in memory */
	uint32_t p_paddr;
	uint32_t p_filesz;	/* bytes in the file */
	uint32_t p_memsz;	/* bytes in memory: the rest is zeros (.bss) */
	uint32_t p_flags;	/* PF_* */
	uint32_t p_align;
};

#define PT_LOAD		1
#define PF_X		0x1
#define PF_W		0x2
#define PF_R		0x4

#endif
