/*
 * elffuncs.h - the functions of an i386 ELF file, for tests that read
 * the kit's real code (the decoder against Capstone, the translator over
 * the guest kernel).  Include Criterion's header first.
 */
#ifndef GRADE_UNIT_ELFFUNCS_H
#define GRADE_UNIT_ELFFUNCS_H

#include <stddef.h>
#include <stdint.h>

/** A function's code: its address, its bytes, its size. */
typedef void (*elf_func_fn)(void *ctx, const char *path, uint32_t addr,
			    const uint8_t *code, uint32_t size);

/**
 * @brief Call @p fn for every function symbol of the i386 ELF file at
 * $GRADE_OBJDIR/@p rel (obj/ by default) that has a size and code.
 * Skips the test, saying so, if the file is not built (`make` builds it,
 * `make unit` runs after it).
 * @return the number of functions
 */
int elf_each_func(const char *rel, elf_func_fn fn, void *ctx);

#endif
