/*
 * wc.c - count lines, words and bytes.
 */
#include "user/user.h"

static char buf[512];

static int
wc(int fd, const char *name)
{
	int i, n, lines = 0, words = 0, bytes = 0, inword = 0;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++) {
			bytes++;
			if (buf[i] == '\n')
				lines++;
			if (strchr(" \r\t\n\v", buf[i]))
				inword = 0;
			else if (!inword) {
				words++;
				inword = 1;
			}
		}
	}
	if (n < 0) {
		fprintf(2, "wc: read error\n");
		return 1;
	}
	printf("%d %d %d %s\n", lines, words, bytes, name);
	return 0;
}

int
main(int argc, char **argv)
{
	int fd, i, r = 0;

	if (argc <= 1)
		return wc(0, "");
	for (i = 1; i < argc; i++) {
		if ((fd = open(argv[i], O_RDONLY)) < 0) {
			fprintf(2, "wc: cannot open %s\n", argv[i]);
			return 1;
		}
		r |= wc(fd, argv[i]);
		close(fd);
	}
	return r;
}
