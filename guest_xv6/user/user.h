/*
 * user.h - what user programs can call: the system calls and a small C
 * library (ulib.c, printf.c, umalloc.c).
 */
#ifndef GX_USER_H
#define GX_USER_H

#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"

/* System calls */
int fork(void);
void exit(int status) __attribute__((noreturn));
int wait(int *status);
int pipe(int *fds);
int write(int fd, const void *buf, int n);
int read(int fd, void *buf, int n);
int close(int fd);
int kill(int pid);
int exec(const char *path, char **argv);
int open(const char *path, int mode);
int mknod(const char *path, short major, short minor);
int unlink(const char *path);
int fstat(int fd, struct stat *st);
int link(const char *old, const char *new);
int mkdir(const char *path);
int chdir(const char *path);
int dup(int fd);
int getpid(void);
char *sbrk(int n);
int sleep(int ticks);
int uptime(void);
void halt(int status) __attribute__((noreturn));
int bench(int op, int n, uint64 *cycles);
int divskip(int len);
int pfcount(void);

/* ulib.c */
int stat(const char *path, struct stat *st);
char *strcpy(char *dst, const char *src);
void *memmove(void *dst, const void *src, int n);
void *memcpy(void *dst, const void *src, int n);
char *strchr(const char *s, char c);
int strcmp(const char *p, const char *q);
int strncmp(const char *p, const char *q, int n);
char *gets(char *buf, int max);
uint strlen(const char *s);
void *memset(void *dst, int c, uint n);
int memcmp(const void *a, const void *b, uint n);
int atoi(const char *s);

/* printf.c: printf writes to fd 1, fprintf to fd. */
void printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fprintf(int fd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* umalloc.c */
void *malloc(uint n);
void free(void *p);

#define HZ 100	/* uptime() ticks per second */

static inline uint64
rdtsc(void)
{
	uint lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64)hi << 32) | lo;
}

#endif
