/*
 * ls.c - list a directory (or describe a file): name, type, inode, size.
 */
#include "user/user.h"
#include "kernel/fs.h"

static void
show(const char *name, struct stat *st)
{
	printf("%s", name);
	for (int i = strlen(name); i < DIRSIZ; i++)
		printf(" ");
	printf(" %d %d %d\n", st->type, st->ino, st->size);
}

static int
ls(const char *path)
{
	char buf[128], *p;
	struct dentry de;
	struct stat st;
	int fd;

	if ((fd = open(path, O_RDONLY)) < 0) {
		fprintf(2, "ls: cannot open %s\n", path);
		return 1;
	}
	if (fstat(fd, &st) < 0) {
		fprintf(2, "ls: cannot stat %s\n", path);
		close(fd);
		return 1;
	}
	if (st.type != T_DIR) {
		show(path, &st);
		close(fd);
		return 0;
	}
	if (strlen(path) + 1 + DIRSIZ + 1 > sizeof(buf)) {
		fprintf(2, "ls: path too long\n");
		close(fd);
		return 1;
	}
	strcpy(buf, path);
	p = buf + strlen(buf);
	*p++ = '/';
	while (read(fd, &de, sizeof(de)) == sizeof(de)) {
		if (de.inum == 0)
			continue;
		memmove(p, de.name, DIRSIZ);
		p[DIRSIZ] = 0;
		if (stat(buf, &st) < 0) {
			fprintf(2, "ls: cannot stat %s\n", buf);
			continue;
		}
		show(p, &st);
	}
	close(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	int i, r = 0;

	if (argc < 2)
		return ls(".");
	for (i = 1; i < argc; i++)
		r |= ls(argv[i]);
	return r;
}
