/*
 * sh.c - the shell: commands with arguments, redirection (< > >>),
 * pipelines (|), sequences (;) and background jobs (&).  `cd` is built
 * in; `sh file` runs the commands in file.
 *
 * A line is parsed by recursive descent into a small tree, allocated from
 * an arena that is reset for each line:
 *
 *	line     := pipeline { (';' | '&') pipeline }
 *	pipeline := command { '|' command }
 *	command  := { word | ('<' | '>' | '>>') word }
 */
#include "user/user.h"

#define MAXARGS	16
#define MAXREDIR 4

enum { EXEC, PIPE, LIST, BACK };

struct cmd {
	int type;
	/* EXEC */
	char *argv[MAXARGS + 1];
	int nredir;
	struct {
		char *file;
		int fd;
		int mode;
		int append;
	} redir[MAXREDIR];
	/* PIPE, LIST, BACK */
	struct cmd *left, *right;
};

static char *src;	/* where the parser is in the line */
static char arena[4096];	/* the current line's tree and words */
static int arena_used;

static void die(const char *msg);

static void *
alloc(int n)
{
	void *p;

	n = (n + 3) & ~3;
	if (arena_used + n > (int)sizeof(arena))
		die("line too complex");
	p = arena + arena_used;
	arena_used += n;
	return p;
}

/* Only ever reached in a child: the shell checks each line's syntax in a
 * child (syntax_ok) before parsing it for real. */
static void
die(const char *msg)
{
	fprintf(2, "sh: %s\n", msg);
	exit(1);
}

static int
forkordie(void)
{
	int pid = fork();

	if (pid < 0)
		die("fork failed");
	return pid;
}

static struct cmd *
newcmd(int type)
{
	struct cmd *c = alloc(sizeof(*c));

	memset(c, 0, sizeof(*c));
	c->type = type;
	return c;
}

static int
isspace(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v';
}

/* The next token's first character, without consuming it (0 at end). */
static int
peek(void)
{
	while (*src && isspace(*src))
		src++;
	return *src;
}

/* Consume a word and return a copy of it. */
static char *
word(void)
{
	char *w, *copy;
	int n;

	peek();
	w = src;
	while (*src && !isspace(*src) && !strchr("<>|;&", *src))
		src++;
	if ((n = src - w) == 0)
		die("syntax error: missing file name");
	copy = alloc(n + 1);
	memmove(copy, w, n);
	copy[n] = 0;
	return copy;
}

static struct cmd *
parse_command(void)
{
	struct cmd *c = newcmd(EXEC);
	int argc = 0, c0;

	while ((c0 = peek()) != 0 && !strchr("|;&", c0)) {
		if (c0 == '<' || c0 == '>') {
			if (c->nredir == MAXREDIR)
				die("too many redirections");
			src++;
			if (c0 == '<') {
				c->redir[c->nredir].fd = 0;
				c->redir[c->nredir].mode = O_RDONLY;
			} else if (*src == '>') {
				src++;
				c->redir[c->nredir].fd = 1;
				c->redir[c->nredir].mode = O_RDWR | O_CREATE;
				c->redir[c->nredir].append = 1;
			} else {
				c->redir[c->nredir].fd = 1;
				c->redir[c->nredir].mode =
					O_WRONLY | O_CREATE | O_TRUNC;
			}
			c->redir[c->nredir++].file = word();
			continue;
		}
		if (argc == MAXARGS)
			die("too many arguments");
		c->argv[argc++] = word();
	}
	c->argv[argc] = 0;
	return c;
}

static struct cmd *
parse_pipeline(void)
{
	struct cmd *c = parse_command(), *p;

	if (peek() == '|') {
		src++;
		p = newcmd(PIPE);
		p->left = c;
		p->right = parse_pipeline();
		return p;
	}
	return c;
}

static struct cmd *
parse_line(void)
{
	struct cmd *c, *l;
	int op;

	if (peek() == 0)
		return 0;
	c = parse_pipeline();
	op = peek();
	if (op == '&') {
		src++;
		l = newcmd(BACK);
		l->left = c;
		c = l;
		op = peek();
		if (op == 0)
			return c;
		l = newcmd(LIST);
		l->left = c;
		l->right = parse_line();
		return l;
	}
	if (op == ';') {
		src++;
		if (peek() == 0)
			return c;
		l = newcmd(LIST);
		l->left = c;
		l->right = parse_line();
		return l;
	}
	if (op != 0)
		die("syntax error");
	return c;
}

/* Run c in this process; never returns. */
static void runcmd(struct cmd *c) __attribute__((noreturn));

static void
runexec(struct cmd *c)
{
	char path[64], buf[128];
	int i, fd;

	if (c->argv[0] == 0)
		exit(0);
	for (i = 0; i < c->nredir; i++) {
		fd = c->redir[i].fd;
		close(fd);
		if (open(c->redir[i].file, c->redir[i].mode) != fd) {
			fprintf(2, "sh: cannot open %s\n", c->redir[i].file);
			exit(1);
		}
		/* There is no lseek: read to the end to append. */
		while (c->redir[i].append && read(fd, buf, sizeof(buf)) > 0)
			;
	}
	exec(c->argv[0], c->argv);
	/* Not found here: try the root directory, where programs live. */
	if (c->argv[0][0] != '/' && strlen(c->argv[0]) + 2 < sizeof(path)) {
		path[0] = '/';
		strcpy(path + 1, c->argv[0]);
		exec(path, c->argv);
	}
	fprintf(2, "sh: cannot run %s\n", c->argv[0]);
	exit(127);
}

static void
runcmd(struct cmd *c)
{
	int p[2], status = 0, pid;

	switch (c->type) {
	case EXEC:
		runexec(c);
		break;
	case LIST:
		if (forkordie() == 0)
			runcmd(c->left);
		wait(0);
		runcmd(c->right);
	case BACK:
		if ((pid = forkordie()) == 0)
			runcmd(c->left);
		printf("[%d]\n", pid);
		exit(0);
	case PIPE:
		if (pipe(p) < 0)
			die("pipe failed");
		if (forkordie() == 0) {
			close(1);
			dup(p[1]);
			close(p[0]);
			close(p[1]);
			runcmd(c->left);
		}
		if ((pid = forkordie()) == 0) {
			close(0);
			dup(p[0]);
			close(p[0]);
			close(p[1]);
			runcmd(c->right);
		}
		close(p[0]);
		close(p[1]);
		/* The pipeline's status is the last command's. */
		while (wait(&status) != pid)
			;
		wait(0);
		exit(status);
	}
	exit(1);
}

static int
getcmd(int fd, char *buf, int max, int interactive)
{
	int i, n;
	char ch;

	if (interactive)
		fprintf(2, "$ ");
	for (i = 0; i + 1 < max;) {
		if ((n = read(fd, &ch, 1)) < 1)
			break;
		buf[i++] = ch;
		if (ch == '\n')
			break;
	}
	buf[i] = 0;
	return i == 0 ? -1 : 0;
}

/* Wait for pid, reaping finished background jobs too. */
static int
waitfor(int pid)
{
	int w, status = 0;

	while ((w = wait(&status)) >= 0 && w != pid)
		;
	return status;
}

/*
 * Run the top-level sequence in the shell itself, so that cd and exit in
 * it act on the shell; everything else runs in children.
 */
static int
runline(struct cmd *c, int status)
{
	struct cmd *item;
	int pid;

	for (; c; c = c->type == LIST ? c->right : 0) {
		item = c->type == LIST ? c->left : c;
		if (item->type == EXEC && item->argv[0] &&
		    strcmp(item->argv[0], "cd") == 0) {
			if (chdir(item->argv[1] ? item->argv[1] : "/") < 0) {
				fprintf(2, "sh: cannot cd %s\n", item->argv[1]);
				status = 1;
			} else {
				status = 0;
			}
		} else if (item->type == EXEC && item->argv[0] &&
			   strcmp(item->argv[0], "exit") == 0) {
			exit(item->argv[1] ? atoi(item->argv[1]) : status);
		} else if (item->type == BACK) {
			if ((pid = forkordie()) == 0)
				runcmd(item->left);
			printf("[%d]\n", pid);
			status = 0;
		} else {
			if ((pid = forkordie()) == 0)
				runcmd(item);
			status = waitfor(pid);
		}
	}
	return status;
}

/* Parse in a child first so that a syntax error cannot kill the shell. */
static int
syntax_ok(char *line)
{
	int status, pid;

	if ((pid = forkordie()) == 0) {
		arena_used = 0;
		src = line;
		parse_line();
		exit(0);
	}
	status = waitfor(pid);
	return status == 0;
}

int
main(int argc, char **argv)
{
	static char buf[256], copy[256];
	int fd = 0, status = 0;

	if (argc > 1 && (fd = open(argv[1], O_RDONLY)) < 0) {
		fprintf(2, "sh: cannot open %s\n", argv[1]);
		exit(1);
	}
	while (getcmd(fd, buf, sizeof(buf), fd == 0) >= 0) {
		strcpy(copy, buf);
		if (!syntax_ok(copy)) {
			status = 1;
			continue;
		}
		arena_used = 0;
		src = buf;
		status = runline(parse_line(), status);
	}
	exit(status);
}
