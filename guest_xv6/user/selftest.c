/*
 * selftest.c - the guest's test suite, in the spirit of xv6's usertests:
 * every system call, pipes, the file system, fork/exec/wait under load,
 * sbrk growth and shrinking, copy-on-write, lazy allocation, bad pointers
 * handed to system calls, and processes killed for bad accesses while the
 * system carries on.
 *
 * Each test runs in a child process, so a test that crashes fails alone.
 * A test passes when its child exits 0.  The last line is
 *	selftest: N passed, M failed
 * and the exit status is M, so `run=selftest` ends the run with 0 when
 * everything passed.  The output is the same natively and under every
 * monitor engine (the differential test of the course).
 */
#include "user/user.h"
#include "kernel/fs.h"

#define PGSIZE		4096
#define KERNADDR	0x80000000

static char buf[8192];

#define CHECK(cond) do { \
	if (!(cond)) { \
		printf("selftest:   check failed at line %d: %s\n", \
		       __LINE__, #cond); \
		exit(1); \
	} \
} while (0)

/* Run fn in a child; its exit status. */
static int
inchild(void (*fn)(void))
{
	int pid, status = -1;

	if ((pid = fork()) == 0) {
		fn();
		exit(0);
	}
	if (pid < 0 || wait(&status) != pid)
		return -1;
	return status;
}

/* ---- processes ---- */

static void
t_getpid(void)
{
	int pid = getpid(), status;

	CHECK(pid > 0 && getpid() == pid);
	if (fork() == 0)
		exit(getpid() == pid ? 1 : 0);
	CHECK(wait(&status) > 0 && status == 0);
}

static void
t_forkwait(void)
{
	int pid, status, i;

	for (i = 0; i < 5; i++) {
		if ((pid = fork()) == 0)
			exit(40 + i);
		CHECK(pid > 0);
		CHECK(wait(&status) == pid && status == 40 + i);
	}
	CHECK(wait(&status) == -1);	/* no children left */
	CHECK(wait(0) == -1);
}

static void
t_kill(void)
{
	int pid, status;

	if ((pid = fork()) == 0)
		for (;;)
			;
	CHECK(pid > 0);
	sleep(1);
	CHECK(kill(pid) == 0);
	CHECK(wait(&status) == pid && status == -1);
	/* A sleeping process wakes up to die. */
	if ((pid = fork()) == 0) {
		sleep(1000);
		exit(0);
	}
	sleep(1);
	CHECK(kill(pid) == 0);
	CHECK(wait(&status) == pid && status == -1);
	CHECK(kill(99999) == -1);
}

static void
t_sleep(void)
{
	int t0 = uptime();

	CHECK(t0 >= 0);
	CHECK(sleep(3) == 0);
	CHECK(uptime() - t0 >= 3);
}

/* Many processes at once, each forking again. */
static void
t_forkload(void)
{
	int i, n = 0, status, pid;

	for (i = 0; i < 20; i++) {
		if ((pid = fork()) == 0) {
			if (fork() == 0)
				exit(0);
			exit(wait(0) > 0 ? 0 : 1);
		}
		if (pid > 0)
			n++;
	}
	CHECK(n == 20);
	while (n > 0) {
		CHECK(wait(&status) > 0 && status == 0);
		n--;
	}
}

/* Fork until the process table is full, then recover. */
static void
t_forkfull(void)
{
	int n, pid;

	for (n = 0; n < 200; n++) {
		if ((pid = fork()) < 0)
			break;
		if (pid == 0) {
			sleep(5);
			exit(0);
		}
	}
	CHECK(n > 10 && n < 200);
	while (n-- > 0)
		CHECK(wait(0) > 0);
	CHECK(wait(0) == -1);
}

static void
t_exec(void)
{
	char *argv[] = { "echo", "exec", "works", 0 };
	int fd, pid, status, n;

	unlink("exec.out");
	if ((pid = fork()) == 0) {
		close(1);
		CHECK(open("exec.out", O_CREATE | O_WRONLY) == 1);
		exec("/echo", argv);
		exit(99);
	}
	CHECK(wait(&status) == pid && status == 0);
	CHECK((fd = open("exec.out", O_RDONLY)) >= 0);
	n = read(fd, buf, sizeof(buf));
	CHECK(n == 11 && memcmp(buf, "exec works\n", 11) == 0);
	close(fd);
	unlink("exec.out");
	CHECK(exec("/nonexistent", argv) == -1);
	CHECK(exec("/console", argv) == -1);	/* not an ELF file */
}

/* exec in many processes at once. */
static void
t_execload(void)
{
	char *argv[] = { "echo", "x", 0 };
	int i, status, fd;

	for (i = 0; i < 8; i++) {
		if (fork() == 0) {
			if ((fd = open("/console", O_RDWR)) < 0)
				exit(1);
			close(1);
			open("/nowhere", O_CREATE | O_WRONLY);
			exec("/echo", argv);
			exit(1);
		}
	}
	for (i = 0; i < 8; i++)
		CHECK(wait(&status) > 0 && status == 0);
	unlink("/nowhere");
}

/* ---- memory ---- */

static void
t_sbrk(void)
{
	char *a, *b, *c;
	int i, status, pid;

	a = sbrk(0);
	b = sbrk(10 * PGSIZE);
	CHECK(a == b);
	for (i = 0; i < 10 * PGSIZE; i += 512)
		b[i] = i / 512;
	for (i = 0; i < 10 * PGSIZE; i += 512)
		CHECK(b[i] == (char)(i / 512));
	c = sbrk(-10 * PGSIZE);
	CHECK(c == a + 10 * PGSIZE);
	CHECK(sbrk(0) == a);
	/* The memory is gone: touching it kills the child. */
	if ((pid = fork()) == 0) {
		b[PGSIZE] = 1;
		exit(0);
	}
	CHECK(wait(&status) == pid && status == -1);
	/* Regrown memory is zero again. */
	b = sbrk(PGSIZE);
	CHECK(b[0] == 0 && b[100] == 0);
	sbrk(-PGSIZE);
	CHECK(sbrk(0x7fffffff) == (char *)-1);
	CHECK(sbrk(0) == a);
}

/* A huge sbrk costs nothing until touched, and reads as zero. */
static void
t_lazy(void)
{
	int n = 100 * 1024 * 1024, i;
	char *a = sbrk(n);

	CHECK(a != (char *)-1);
	CHECK(a[0] == 0 && a[n / 2] == 0 && a[n - 1] == 0);
	for (i = 0; i < n; i += n / 16)
		a[i] = 7;
	for (i = 0; i < n; i += n / 16)
		CHECK(a[i] == 7);
	CHECK(sbrk(-n) == a + n);
}

static void
t_malloc(void)
{
	char *p[50];
	int i, j;

	for (i = 0; i < 50; i++) {
		p[i] = malloc(100 + i * 97);
		CHECK(p[i] != 0);
		memset(p[i], i, 100 + i * 97);
	}
	for (i = 0; i < 50; i++) {
		for (j = 0; j < 100 + i * 97; j += 37)
			CHECK(p[i][j] == (char)i);
		free(p[i]);
	}
}

/* Copy-on-write: parent and child see their own writes only. */
static char cowbuf[8 * PGSIZE];

static void
t_cow(void)
{
	int i, pid, status;

	for (i = 0; i < (int)sizeof(cowbuf); i++)
		cowbuf[i] = i % 251;
	if ((pid = fork()) == 0) {
		for (i = 0; i < (int)sizeof(cowbuf); i++)
			if (cowbuf[i] != (char)(i % 251))
				exit(2);
		for (i = 0; i < (int)sizeof(cowbuf); i++)
			cowbuf[i] = 1;
		for (i = 0; i < (int)sizeof(cowbuf); i++)
			if (cowbuf[i] != 1)
				exit(3);
		exit(0);
	}
	CHECK(wait(&status) == pid && status == 0);
	for (i = 0; i < (int)sizeof(cowbuf); i++)
		CHECK(cowbuf[i] == (char)(i % 251));
}

/* Several children writing the same shared pages. */
static void
t_cowmany(void)
{
	int i, k, status;

	memset(cowbuf, 'p', sizeof(cowbuf));
	for (k = 0; k < 10; k++) {
		if (fork() == 0) {
			for (i = 0; i < (int)sizeof(cowbuf); i += 100)
				cowbuf[i] = k;
			sleep(1);
			for (i = 0; i < (int)sizeof(cowbuf); i += 100)
				if (cowbuf[i] != k)
					exit(1);
			exit(0);
		}
	}
	for (k = 0; k < 10; k++)
		CHECK(wait(&status) > 0 && status == 0);
	for (i = 0; i < (int)sizeof(cowbuf); i++)
		CHECK(cowbuf[i] == 'p');
}

/* The kernel writing into a copy-on-write page (read from a pipe). */
static void
t_cowsyscall(void)
{
	int p[2], pid, status, i;

	memset(cowbuf, 'a', sizeof(cowbuf));
	CHECK(pipe(p) == 0);
	if ((pid = fork()) == 0) {
		close(p[1]);
		for (i = 0; i < 3 * PGSIZE;) {
			int n = read(p[0], cowbuf + PGSIZE + i, 3 * PGSIZE - i);

			if (n <= 0)
				exit(1);
			i += n;
		}
		for (i = 0; i < 3 * PGSIZE; i++)
			if (cowbuf[PGSIZE + i] != 'b')
				exit(2);
		exit(0);
	}
	close(p[0]);
	memset(buf, 'b', sizeof(buf));
	CHECK(write(p[1], buf, 2 * PGSIZE) == 2 * PGSIZE);
	CHECK(write(p[1], buf, PGSIZE) == PGSIZE);
	close(p[1]);
	CHECK(wait(&status) == pid && status == 0);
	for (i = 0; i < (int)sizeof(cowbuf); i++)
		CHECK(cowbuf[i] == 'a');
}

/* The kernel writing into lazy pages (read and fstat into new sbrk). */
static void
t_lazysyscall(void)
{
	struct stat *st;
	char *a;
	int fd;

	a = sbrk(4 * PGSIZE);
	CHECK((fd = open("/init", O_RDONLY)) >= 0);
	CHECK(read(fd, a + PGSIZE - 2, 100) == 100);
	CHECK(a[PGSIZE - 1] == 'E' && a[PGSIZE] == 'L');
	st = (struct stat *)(a + 3 * PGSIZE);
	CHECK(fstat(fd, st) == 0 && st->type == T_FILE && st->size > 1000);
	close(fd);
	sbrk(-4 * PGSIZE);
}

/* ---- files ---- */

static void
t_files(void)
{
	struct stat st;
	int fd, i;

	unlink("f1");
	CHECK((fd = open("f1", O_CREATE | O_RDWR)) >= 0);
	for (i = 0; i < 10; i++)
		CHECK(write(fd, "0123456789", 10) == 10);
	CHECK(fstat(fd, &st) == 0 && st.type == T_FILE && st.size == 100);
	CHECK(st.nlink == 1);
	close(fd);
	CHECK((fd = open("f1", O_RDONLY)) >= 0);
	CHECK(read(fd, buf, sizeof(buf)) == 100);
	CHECK(memcmp(buf + 90, "0123456789", 10) == 0);
	CHECK(read(fd, buf, sizeof(buf)) == 0);
	CHECK(write(fd, "x", 1) == -1);	/* read-only */
	close(fd);
	CHECK((fd = open("f1", O_WRONLY | O_TRUNC)) >= 0);
	CHECK(read(fd, buf, 1) == -1);	/* write-only */
	CHECK(fstat(fd, &st) == 0 && st.size == 0);
	close(fd);
	CHECK(unlink("f1") == 0);
	CHECK(open("f1", O_RDONLY) == -1);
	CHECK(unlink("f1") == -1);
	CHECK(close(fd) == -1);
	CHECK(close(-1) == -1 && close(1000) == -1);
}

/* A file using the indirect block, written and read in odd sizes. */
static void
t_bigfile(void)
{
	int fd, i, n, total = 60000;

	unlink("big");
	CHECK((fd = open("big", O_CREATE | O_WRONLY)) >= 0);
	for (i = 0; i < total; i += n) {
		n = total - i < 1000 ? total - i : 1000;
		memset(buf, i / 1000, n);
		CHECK(write(fd, buf, n) == n);
	}
	close(fd);
	CHECK((fd = open("big", O_RDONLY)) >= 0);
	for (i = 0; i < total; i += 1000) {
		if ((n = read(fd, buf, 1000)) != 1000)
			printf("selftest:   read at %d returned %d\n", i, n);
		CHECK(n == 1000);
		CHECK(buf[0] == (char)(i / 1000) && buf[999] == buf[0]);
	}
	close(fd);
	CHECK(unlink("big") == 0);
	/* Past the largest file size: a short or failed write. */
	CHECK((fd = open("big", O_CREATE | O_WRONLY)) >= 0);
	for (i = 0; i < MAXFILE * BSIZE; i += sizeof(buf))
		if (write(fd, buf, sizeof(buf)) != sizeof(buf))
			break;
	CHECK(i < MAXFILE * BSIZE);
	close(fd);
	CHECK(unlink("big") == 0);
}

static void
t_dirs(void)
{
	struct stat st;
	int fd;

	CHECK(mkdir("sd") == 0);
	CHECK(mkdir("sd") == -1);
	CHECK(mkdir("sd/sub") == 0);
	CHECK(chdir("sd/sub") == 0);
	CHECK((fd = open("file", O_CREATE | O_WRONLY)) >= 0);
	close(fd);
	CHECK(chdir("../..") == 0);
	CHECK(open("sd/sub/file", O_RDONLY) >= 0);
	CHECK(stat("sd/sub", &st) == 0 && st.type == T_DIR);
	CHECK(open("sd", O_WRONLY) == -1);	/* no writing directories */
	CHECK(unlink("sd/sub") == -1);		/* not empty */
	CHECK(unlink("sd/sub/.") == -1);
	CHECK(unlink("sd/sub/file") == 0);
	CHECK(unlink("sd/sub") == 0);
	CHECK(unlink("sd") == 0);
	CHECK(chdir("sd") == -1);
	CHECK(chdir("/init") == -1);		/* not a directory */
	CHECK(mkdir("/init/x") == -1);
	CHECK(open("/nodir/x", O_CREATE | O_RDWR) == -1);
}

static void
t_link(void)
{
	struct stat st;
	int fd;

	unlink("la");
	unlink("lb");
	CHECK((fd = open("la", O_CREATE | O_WRONLY)) >= 0);
	CHECK(write(fd, "hello", 5) == 5);
	close(fd);
	CHECK(link("la", "lb") == 0);
	CHECK(link("la", "lb") == -1);
	CHECK(link("nope", "lc") == -1);
	CHECK(link("/", "lroot") == -1);	/* no links to directories */
	CHECK(stat("lb", &st) == 0 && st.nlink == 2);
	CHECK(unlink("la") == 0);
	CHECK((fd = open("lb", O_RDONLY)) >= 0);
	CHECK(read(fd, buf, 10) == 5 && memcmp(buf, "hello", 5) == 0);
	CHECK(fstat(fd, &st) == 0 && st.nlink == 1);
	close(fd);
	CHECK(unlink("lb") == 0);
}

/* An open file outlives its last name. */
static void
t_unlinkopen(void)
{
	int fd;

	CHECK((fd = open("uo", O_CREATE | O_RDWR)) >= 0);
	CHECK(unlink("uo") == 0);
	CHECK(write(fd, "abc", 3) == 3);
	close(fd);
	CHECK(open("uo", O_RDONLY) == -1);
}

static void
t_dup(void)
{
	int fd, fd2;

	CHECK((fd = open("dupf", O_CREATE | O_RDWR)) >= 0);
	CHECK((fd2 = dup(fd)) > fd);
	CHECK(write(fd, "ab", 2) == 2);
	CHECK(write(fd2, "cd", 2) == 2);	/* shared offset */
	close(fd);
	close(fd2);
	CHECK((fd = open("dupf", O_RDONLY)) >= 0);
	CHECK(read(fd, buf, 10) == 4 && memcmp(buf, "abcd", 4) == 0);
	close(fd);
	CHECK(dup(-1) == -1 && dup(77) == -1);
	unlink("dupf");
}

static void
t_mknod(void)
{
	struct stat st;
	int fd;

	CHECK(mknod("cons2", 1, 0) == 0);
	CHECK((fd = open("cons2", O_WRONLY)) >= 0);
	CHECK(fstat(fd, &st) == 0 && st.type == T_DEV);
	CHECK(write(fd, "", 0) == 0);
	close(fd);
	CHECK(mknod("cons3", 99, 0) == -1);	/* no such major */
	CHECK(unlink("cons2") == 0);
}

/* Running out of file descriptors. */
static void
t_fdlimit(void)
{
	int fds[20], n, i;

	for (n = 0; n < 20; n++)
		if ((fds[n] = open("/init", O_RDONLY)) < 0)
			break;
	CHECK(n > 5 && n < 20);
	for (i = 0; i < n; i++)
		close(fds[i]);
}

/* Several processes creating and deleting files at once. */
static void
t_fsload(void)
{
	char name[4] = "c_";
	int k, i, fd, status;

	for (k = 0; k < 6; k++) {
		if (fork() == 0) {
			name[1] = 'a' + k;
			for (i = 0; i < 10; i++) {
				if ((fd = open(name, O_CREATE | O_RDWR)) < 0)
					exit(1);
				if (write(fd, name, 2) != 2)
					exit(2);
				close(fd);
				if (unlink(name) < 0)
					exit(3);
			}
			exit(0);
		}
	}
	for (k = 0; k < 6; k++)
		CHECK(wait(&status) > 0 && status == 0);
}

/* ---- pipes ---- */

static void
t_pipe(void)
{
	int p[2], pid, status, i, n, total = 0, seq = 0;

	CHECK(pipe(p) == 0);
	if ((pid = fork()) == 0) {
		close(p[0]);
		for (i = 0; i < 20; i++) {
			for (n = 0; n < 1033; n++)
				buf[n] = seq++;
			if (write(p[1], buf, 1033) != 1033)
				exit(1);
		}
		exit(0);
	}
	close(p[1]);
	while ((n = read(p[0], buf, 700)) > 0) {
		for (i = 0; i < n; i++)
			CHECK(buf[i] == (char)seq++);
		total += n;
	}
	CHECK(n == 0 && total == 20 * 1033);
	close(p[0]);
	CHECK(wait(&status) == pid && status == 0);
}

/* Writing to a pipe no one reads fails instead of blocking. */
static void
t_pipeclosed(void)
{
	int p[2];

	CHECK(pipe(p) == 0);
	close(p[0]);
	memset(buf, 0, sizeof(buf));
	CHECK(write(p[1], buf, 2000) == -1);
	close(p[1]);
}

/* ---- bad pointers and bad processes ---- */

static void
t_badptr(void)
{
	char *guard = (char *)(((uint)&guard & ~(PGSIZE - 1)) - PGSIZE);
	char *bad[] = { (char *)KERNADDR, (char *)0xfffff000,
			(char *)0x7fffe000, guard };
	char *argv[] = { (char *)KERNADDR, 0 };
	int fd, i, p[2];

	CHECK((fd = open("/init", O_RDONLY)) >= 0);
	for (i = 0; i < 4; i++) {
		CHECK(read(fd, bad[i], 10) == -1);
		CHECK(write(1, bad[i], 10) == -1);
		CHECK(open(bad[i], O_RDONLY) == -1);
		CHECK(fstat(fd, (struct stat *)bad[i]) == -1);
		CHECK(pipe((int *)bad[i]) == -1);
		CHECK(exec(bad[i], argv) == -1);
		CHECK(mkdir(bad[i]) == -1);
		CHECK(unlink(bad[i]) == -1);
		CHECK(link(bad[i], "x") == -1);
	}
	CHECK(exec("/echo", argv) == -1);
	CHECK(exec("/echo", (char **)KERNADDR) == -1);
	/* A buffer running off the end of memory. */
	CHECK(read(fd, (char *)sbrk(0) - 10, 100) == -1);
	CHECK(read(fd, buf, -1) == -1);
	close(fd);
	/* The bad pointers leaked no descriptors. */
	CHECK(pipe(p) == 0 && p[0] == fd);
	close(p[0]);
	close(p[1]);
}

static void
bad_kernread(void)
{
	exit(*(volatile int *)KERNADDR);
}

static void
bad_kernwrite(void)
{
	*(volatile int *)(KERNADDR + 0x100000) = 1;
}

static void
bad_null_beyond(void)
{
	*(volatile int *)(sbrk(0) + 10 * PGSIZE) = 1;
}

static void
bad_guard(void)
{
	char *guard = (char *)(((uint)&guard & ~(PGSIZE - 1)) - PGSIZE);

	*guard = 1;
}

static void
bad_out(void)
{
	asm volatile("outb %%al, $0x80" : : "a"(0));
}

static void
bad_cli(void)
{
	asm volatile("cli");
}

static void
bad_divide(void)
{
	uint a = 1, d = 0;

	asm volatile("divl %%ecx" : "+a"(a), "+d"(d) : "c"(0));
	exit(a);
}

/* Recurse until the stack runs into the guard page. */
static int
recurse(int n)
{
	volatile char big[1024];

	big[0] = n;
	if (n > 1000000)
		return 0;
	return recurse(n + 1) + big[0];
}

static void
bad_stack(void)
{
	exit(recurse(0));
}

static void
t_killed(void)
{
	void (*bad[])(void) = { bad_kernread, bad_kernwrite, bad_null_beyond,
				bad_guard, bad_out, bad_cli, bad_divide,
				bad_stack };
	int i;

	for (i = 0; i < (int)(sizeof(bad) / sizeof(bad[0])); i++)
		CHECK(inchild(bad[i]) == -1);
	/* And the system is still fine. */
	CHECK(inchild(t_getpid) == 0);
}

struct test {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{ "getpid", t_getpid },
	{ "forkwait", t_forkwait },
	{ "kill", t_kill },
	{ "sleep", t_sleep },
	{ "forkload", t_forkload },
	{ "forkfull", t_forkfull },
	{ "exec", t_exec },
	{ "execload", t_execload },
	{ "sbrk", t_sbrk },
	{ "lazy", t_lazy },
	{ "malloc", t_malloc },
	{ "cow", t_cow },
	{ "cowmany", t_cowmany },
	{ "cowsyscall", t_cowsyscall },
	{ "lazysyscall", t_lazysyscall },
	{ "files", t_files },
	{ "bigfile", t_bigfile },
	{ "dirs", t_dirs },
	{ "link", t_link },
	{ "unlinkopen", t_unlinkopen },
	{ "dup", t_dup },
	{ "mknod", t_mknod },
	{ "fdlimit", t_fdlimit },
	{ "fsload", t_fsload },
	{ "pipe", t_pipe },
	{ "pipeclosed", t_pipeclosed },
	{ "badptr", t_badptr },
	{ "killed", t_killed },
};

int
main(int argc, char **argv)
{
	int i, status, passed = 0, failed = 0, t0 = uptime();

	chdir("/");
	printf("selftest: starting\n");
	for (i = 0; i < (int)(sizeof(tests) / sizeof(tests[0])); i++) {
		if (argc > 1 && strcmp(argv[1], tests[i].name) != 0)
			continue;
		status = inchild(tests[i].fn);
		if (status == 0) {
			printf("selftest: %s ok\n", tests[i].name);
			passed++;
		} else {
			printf("selftest: %s FAILED (status %d)\n",
			       tests[i].name, status);
			failed++;
		}
	}
	printf("selftest: %d ticks\n", uptime() - t0);
	printf("selftest: %d passed, %d failed\n", passed, failed);
	return failed;
}
