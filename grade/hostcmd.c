/*
 * hostcmd.c - running host tools (nm, addr2line, the image builder).
 *
 * The grader checks the kernel's claims against independent tools on the
 * host, so it needs their output as a string, and a clear message when a
 * tool is missing or fails.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "grade/harness.h"
#include "grade/grade.h"

/* Read fd to its end into b. */
static void
slurp(int fd, struct strbuf *b)
{
	char chunk[4096];
	ssize_t n;

	strbuf_add(b, "", 0);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		strbuf_add(b, chunk, n);
	}
}

/*
 * Read fd to its end into b, unless give_up() says to stop first (it is
 * asked every 200 ms): then kill pid's process group.
 */
static void
slurp_until(int fd, struct strbuf *b, pid_t pid, bool (*give_up)(void))
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char chunk[4096];
	ssize_t n;

	strbuf_add(b, "", 0);
	for (;;) {
		if (give_up && give_up()) {
			kill(-pid, SIGTERM);
			sleep(1);
			kill(-pid, SIGKILL);
			return;
		}
		if (poll(&p, 1, 200) <= 0)
			continue;
		if ((n = read(fd, chunk, sizeof(chunk))) == 0)
			return;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return;
		strbuf_add(b, chunk, n);
	}
}

int
run_command(const char *const argv[], char **out, char **err)
{
	return run_command_until(argv, out, err, NULL);
}

int
run_command_until(const char *const argv[], char **out, char **err,
		  bool (*give_up)(void))
{
	struct strbuf ob = { 0 }, eb = { 0 };
	FILE *errf;
	int fds[2], status;
	pid_t pid;

	/* stderr goes to a file, so a chatty tool cannot fill a second pipe
	 * while we wait on the first. */
	errf = tmpfile();
	if (!errf)
		return -1;
	if (pipe(fds) < 0) {
		fclose(errf);
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		fclose(errf);
		return -1;
	}
	if (pid == 0) {
		/* A group of its own, for give_up's kill. */
		if (give_up)
			setpgid(0, 0);
		dup2(fds[1], 1);
		dup2(fileno(errf), 2);
		close(fds[0]);
		close(fds[1]);
		execvp(argv[0], (char *const *) argv);
		fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	if (give_up)
		slurp_until(fds[0], &ob, pid, give_up);
	else
		slurp(fds[0], &ob);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	lseek(fileno(errf), 0, SEEK_SET);
	slurp(fileno(errf), &eb);
	fclose(errf);
	if (out)
		*out = ob.s;
	else
		free(ob.s);
	if (err)
		*err = eb.s;
	else
		free(eb.s);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

char *
host_output(const char *const argv[])
{
	struct strbuf cmd = { 0 };
	char path[PATH_MAX], *out, *err;
	int i, rc;

	for (i = 0; argv[i]; i++)
		strbuf_printf(&cmd, "%s%s", i ? " " : "", argv[i]);
	if (!find_program(argv[0], path, sizeof(path)))
		grade_fail(__FILE__, __LINE__, NULL,
			   "cannot check the kernel: the host tool %s is not "
			   "installed (install binutils: `sudo apt-get install "
			   "binutils`, or run `make deps` as root)", argv[0]);
	rc = run_command(argv, &out, &err);
	if (rc != 0)
		grade_fail(__FILE__, __LINE__, NULL,
			   "the host command `%s` failed (status %d):\n%s",
			   cmd.s, rc, err ? err : "");
	free(cmd.s);
	free(err);
	return out;
}
