/*
 * elffuncs.c - walking the function symbols of an i386 ELF file
 * (grade/unit/elffuncs.h).
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <criterion/criterion.h>

#include "grade/unit/elffuncs.h"

/* Read a whole file; NULL if it is not there. */
static uint8_t *
slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	*size = ftell(f);
	rewind(f);
	buf = malloc(*size);
	cr_assert_eq(fread(buf, 1, *size, f), *size);
	fclose(f);
	return buf;
}

/* Whether symbol @sym is a function with code in a section of @eh. */
static bool
is_code(const Elf32_Ehdr *eh, const Elf32_Shdr *sh, const Elf32_Sym *sym)
{
	if (ELF32_ST_TYPE(sym->st_info) != STT_FUNC || sym->st_size == 0 ||
	    sym->st_shndx == SHN_UNDEF || sym->st_shndx >= eh->e_shnum)
		return false;
	return sh[sym->st_shndx].sh_type == SHT_PROGBITS;
}

int
elf_each_func(const char *rel, elf_func_fn fn, void *ctx)
{
	const char *objdir = getenv("GRADE_OBJDIR");
	char path[256];
	size_t size;
	uint8_t *img;
	Elf32_Ehdr *eh;
	Elf32_Shdr *sh;
	int s, i, nsym, funcs = 0;

	snprintf(path, sizeof(path), "%s/%s", objdir ? objdir : "obj", rel);
	if ((img = slurp(path, &size)) == NULL)
		cr_skip_test("%s not built (run make first)", path);
	eh = (Elf32_Ehdr *) img;
	cr_assert_eq(eh->e_machine, EM_386, "%s: not i386", path);
	sh = (Elf32_Shdr *) (img + eh->e_shoff);
	for (s = 0; s < eh->e_shnum; s++) {
		const Elf32_Sym *sym = (const Elf32_Sym *) (img + sh[s].sh_offset);

		if (sh[s].sh_type != SHT_SYMTAB)
			continue;
		nsym = sh[s].sh_size / sizeof(*sym);
		for (i = 0; i < nsym; i++) {
			const Elf32_Shdr *sec = &sh[sym[i].st_shndx];

			if (!is_code(eh, sh, &sym[i]))
				continue;
			fn(ctx, path, sym[i].st_value, img + sec->sh_offset +
			   (sym[i].st_value - sec->sh_addr), sym[i].st_size);
			funcs++;
		}
	}
	free(img);
	return funcs;
}
