/*
 * grep.c - print lines matching a pattern: literal characters, '.', '*'
 * after a character, and the anchors '^' and '$'.
 */
#include "user/user.h"

static char buf[1024];

static int matchhere(const char *re, const char *text);

/* c* at the start of re, then the rest. */
static int
matchstar(int c, const char *re, const char *text)
{
	do {
		if (matchhere(re, text))
			return 1;
	} while (*text != 0 && (*text++ == c || c == '.'));
	return 0;
}

static int
matchhere(const char *re, const char *text)
{
	if (re[0] == 0)
		return 1;
	if (re[1] == '*')
		return matchstar(re[0], re + 2, text);
	if (re[0] == '$' && re[1] == 0)
		return *text == 0;
	if (*text != 0 && (re[0] == '.' || re[0] == *text))
		return matchhere(re + 1, text + 1);
	return 0;
}

static int
match(const char *re, const char *text)
{
	if (re[0] == '^')
		return matchhere(re + 1, text);
	do {
		if (matchhere(re, text))
			return 1;
	} while (*text++ != 0);
	return 0;
}

static int
grep(const char *pattern, int fd)
{
	int n, m = 0, found = 0;
	char *p, *q;

	while ((n = read(fd, buf + m, sizeof(buf) - m - 1)) > 0) {
		m += n;
		buf[m] = 0;
		p = buf;
		while ((q = strchr(p, '\n')) != 0) {
			*q = 0;
			if (match(pattern, p)) {
				*q = '\n';
				write(1, p, q + 1 - p);
				found = 1;
			}
			p = q + 1;
		}
		if (p == buf && m == sizeof(buf) - 1)
			m = 0;	/* a line longer than the buffer: drop it */
		else if (m > 0) {
			m -= p - buf;
			memmove(buf, p, m);
		}
	}
	if (m > 0) {
		buf[m] = 0;
		if (match(pattern, buf)) {
			printf("%s\n", buf);
			found = 1;
		}
	}
	return found;
}

int
main(int argc, char **argv)
{
	int fd, i, found = 0;

	if (argc < 2) {
		fprintf(2, "usage: grep pattern [file...]\n");
		return 2;
	}
	if (argc == 2)
		return !grep(argv[1], 0);
	for (i = 2; i < argc; i++) {
		if ((fd = open(argv[i], O_RDONLY)) < 0) {
			fprintf(2, "grep: cannot open %s\n", argv[i]);
			return 2;
		}
		found |= grep(argv[1], fd);
		close(fd);
	}
	return !found;
}
