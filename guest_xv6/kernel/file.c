/*
 * file.c - open files: a table of them shared by all processes (fork and
 * dup share entries), each a pipe end or an inode with an offset.
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/stat.h"
#include "kernel/spinlock.h"
#include "kernel/sleeplock.h"
#include "kernel/fs.h"
#include "kernel/file.h"
#include "kernel/defs.h"

struct devsw devsw[NDEV];

static struct {
	struct spinlock lock;
	struct file file[NFILE];
} ftable;

void
fileinit(void)
{
	initlock(&ftable.lock, "ftable");
}

struct file *
filealloc(void)
{
	struct file *f;

	acquire(&ftable.lock);
	for (f = ftable.file; f < ftable.file + NFILE; f++) {
		if (f->ref == 0) {
			f->ref = 1;
			release(&ftable.lock);
			return f;
		}
	}
	release(&ftable.lock);
	return 0;
}

struct file *
filedup(struct file *f)
{
	acquire(&ftable.lock);
	if (f->ref < 1)
		panic("filedup");
	f->ref++;
	release(&ftable.lock);
	return f;
}

void
fileclose(struct file *f)
{
	struct file ff;

	acquire(&ftable.lock);
	if (f->ref < 1)
		panic("fileclose");
	if (--f->ref > 0) {
		release(&ftable.lock);
		return;
	}
	ff = *f;
	f->ref = 0;
	f->type = FD_NONE;
	release(&ftable.lock);

	/* The last close may sleep (disk, pipe wakeups): no locks held. */
	if (ff.type == FD_PIPE)
		pipeclose(ff.pipe, ff.writable);
	else if (ff.type == FD_INODE)
		iput(ff.ip);
}

int
filestat(struct file *f, struct stat *st)
{
	if (f->type != FD_INODE)
		return -1;
	ilock(f->ip);
	stati(f->ip, st);
	iunlock(f->ip);
	return 0;
}

int
fileread(struct file *f, char *addr, int n)
{
	int r;

	if (!f->readable)
		return -1;
	if (f->type == FD_PIPE)
		return piperead(f->pipe, addr, n);
	if (f->type != FD_INODE)
		panic("fileread");
	ilock(f->ip);
	if ((r = readi(f->ip, addr, f->off, n)) > 0)
		f->off += r;
	iunlock(f->ip);
	return r;
}

int
filewrite(struct file *f, char *addr, int n)
{
	int r;

	if (!f->writable)
		return -1;
	if (f->type == FD_PIPE)
		return pipewrite(f->pipe, addr, n);
	if (f->type != FD_INODE)
		panic("filewrite");
	ilock(f->ip);
	if ((r = writei(f->ip, addr, f->off, n)) > 0)
		f->off += r;
	iunlock(f->ip);
	if (r < 0)
		return -1;
	return r;
}
