/*
 * kernsyms.c - ground truth about the kernel image, from host tools.
 *
 * Nothing here trusts the kernel: symbols come from nm, lines from
 * addr2line, load addresses from the ELF headers, so a student's symbol
 * table or address arithmetic is checked against something independent.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "grade/harness.h"
#include "grade/kernsyms.h"

void
ksyms_load(struct ksyms *syms, const char *kernel)
{
	char *out = host_output((const char *const[]) {
		grade_env("NM"), "-n", kernel, NULL });
	char *line, *save, name[256], type;
	unsigned addr;

	syms->v = NULL;
	syms->n = 0;
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* Undefined symbols have no address and do not parse. */
		if (sscanf(line, "%x %c %255s", &addr, &type, name) != 3)
			continue;
		syms->v = realloc(syms->v, (syms->n + 1) * sizeof(*syms->v));
		if (!syms->v)
			abort();
		syms->v[syms->n++] = (struct ksym) { addr, type, strdup(name) };
	}
	free(out);
}

const struct ksym *
ksyms_by_name(const struct ksyms *syms, const char *name)
{
	size_t i;

	for (i = 0; i < syms->n; i++)
		if (strcmp(syms->v[i].name, name) == 0)
			return &syms->v[i];
	return NULL;
}

const struct ksym *
ksyms_function_at(const struct ksyms *syms, uint32_t addr)
{
	const struct ksym *best = NULL;
	size_t i;

	for (i = 0; i < syms->n && syms->v[i].addr <= addr; i++)
		if (syms->v[i].type == 'T' || syms->v[i].type == 't')
			best = &syms->v[i];
	return best;
}

char **
addr2line_lines(const char *kernel, const uint32_t *addrs, size_t n)
{
	const char **argv = calloc(n + 4, sizeof(*argv));
	char **lines = calloc(n, sizeof(*lines)), **hex = calloc(n, sizeof(*hex));
	char cwd[PATH_MAX], *out, *line, *save, *p;
	size_t i, k = 0, cwdlen;

	if (!argv || !lines || !hex || !getcwd(cwd, sizeof(cwd)))
		abort();
	cwdlen = strlen(cwd);
	argv[k++] = grade_env("ADDR2LINE");
	argv[k++] = "-e";
	argv[k++] = kernel;
	for (i = 0; i < n; i++) {
		if (asprintf(&hex[i], "0x%08x", addrs[i]) < 0)
			abort();
		argv[k++] = hex[i];
	}
	out = host_output(argv);
	line = strtok_r(out, "\n", &save);
	for (i = 0; i < n; i++, line = strtok_r(NULL, "\n", &save)) {
		if (!line) {
			lines[i] = strdup("??:0");
			continue;
		}
		/* "FILE:LINE (discriminator N)": the extra words are not ours. */
		if ((p = strchr(line, ' ')))
			*p = '\0';
		if (strncmp(line, cwd, cwdlen) == 0 && line[cwdlen] == '/')
			line += cwdlen + 1;
		while (strncmp(line, "./", 2) == 0)
			line += 2;
		lines[i] = strdup(line);
	}
	for (i = 0; i < n; i++)
		free(hex[i]);
	free(hex);
	free(argv);
	free(out);
	return lines;
}

bool
elf_virt_to_phys(const char *kernel, uint32_t va, uint32_t *pa)
{
	Elf32_Ehdr eh;
	Elf32_Phdr ph;
	FILE *f = fopen(kernel, "rb");
	bool found = false;
	int i;

	if (!f)
		return false;
	if (fread(&eh, sizeof(eh), 1, f) != 1 ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS32)
		goto out;
	for (i = 0; i < eh.e_phnum && !found; i++) {
		if (fseek(f, eh.e_phoff + (long) i * eh.e_phentsize, SEEK_SET) != 0 ||
		    fread(&ph, sizeof(ph), 1, f) != 1)
			break;
		/* The end of a segment counts: `end` is exactly there. */
		if (ph.p_type == PT_LOAD && va >= ph.p_vaddr &&
		    va <= ph.p_vaddr + ph.p_memsz) {
			*pa = va - ph.p_vaddr + ph.p_paddr;
			found = true;
		}
	}
out:
	fclose(f);
	return found;
}
