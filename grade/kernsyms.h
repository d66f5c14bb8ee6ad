/*
 * kernsyms.h - the kernel's symbols as the host's own tools see them.
 *
 * When a test checks what the kernel says about itself (a backtrace, the
 * addresses kerninfo prints), the truth comes from independent tools run
 * on the same ELF file: nm for symbols, addr2line for source lines, and the
 * ELF program headers for where each part is loaded.
 */
#ifndef GRADE_KERNSYMS_H
#define GRADE_KERNSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** One symbol of `nm -n`. */
struct ksym {
	uint32_t addr;
	char type;		/* nm's letter: T/t text, D/d data, B/b bss... */
	char *name;
};

/** A kernel's symbol table, sorted by address. */
struct ksyms {
	struct ksym *v;
	size_t n;
};

/**
 * @brief Load the symbols of @p kernel with nm.  Fails the test, naming
 * the tool, if nm cannot run.
 */
void ksyms_load(struct ksyms *syms, const char *kernel);

/** @brief The symbol called @p name, or NULL. */
const struct ksym *ksyms_by_name(const struct ksyms *syms, const char *name);

/**
 * @brief The text symbol (function or assembly label) that @p addr lies
 * in: the last one at or below it.  NULL if there is none.
 */
const struct ksym *ksyms_function_at(const struct ksyms *syms, uint32_t addr);

/**
 * @brief Ask addr2line for the source line of each of @p n addresses.
 * @return n strings "FILE:LINE" with FILE relative to the top of the tree,
 *	   as the kernel's own symbol table writes it.  Fails the test if
 *	   addr2line cannot run.
 */
char **addr2line_lines(const char *kernel, const uint32_t *addrs, size_t n);

/**
 * @brief Translate a link (virtual) address of @p kernel to the physical
 * address it is loaded at, from the ELF program headers.
 * @return false if no loadable segment covers @p va (or the file is not a
 *	   32-bit ELF)
 */
bool elf_virt_to_phys(const char *kernel, uint32_t va, uint32_t *pa);

#endif
