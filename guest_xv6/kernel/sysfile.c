/*
 * sysfile.c - system calls on files: argument checking here, the work in
 * file.c and fs.c.
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/stat.h"
#include "kernel/mmu.h"
#include "kernel/proc.h"
#include "kernel/spinlock.h"
#include "kernel/sleeplock.h"
#include "kernel/fs.h"
#include "kernel/file.h"
#include "kernel/fcntl.h"
#include "kernel/defs.h"

/* The open file for descriptor argument n. */
static int
argfd(int n, int *pfd, struct file **pf)
{
	struct file *f;
	int fd;

	if (argint(n, &fd) < 0)
		return -1;
	if (fd < 0 || fd >= NOFILE || (f = myproc()->ofile[fd]) == 0)
		return -1;
	if (pfd)
		*pfd = fd;
	if (pf)
		*pf = f;
	return 0;
}

/* The lowest free descriptor, now referring to f. */
static int
fdalloc(struct file *f)
{
	struct proc *p = myproc();
	int fd;

	for (fd = 0; fd < NOFILE; fd++) {
		if (p->ofile[fd] == 0) {
			p->ofile[fd] = f;
			return fd;
		}
	}
	return -1;
}

int
sys_dup(void)
{
	struct file *f;
	int fd;

	if (argfd(0, 0, &f) < 0)
		return -1;
	if ((fd = fdalloc(f)) < 0)
		return -1;
	filedup(f);
	return fd;
}

int
sys_read(void)
{
	struct file *f;
	char *p;
	int n;

	if (argfd(0, 0, &f) < 0 || argint(2, &n) < 0 ||
	    argptr_w(1, &p, n) < 0)
		return -1;
	return fileread(f, p, n);
}

int
sys_write(void)
{
	struct file *f;
	char *p;
	int n;

	if (argfd(0, 0, &f) < 0 || argint(2, &n) < 0 || argptr(1, &p, n) < 0)
		return -1;
	return filewrite(f, p, n);
}

int
sys_close(void)
{
	struct file *f;
	int fd;

	if (argfd(0, &fd, &f) < 0)
		return -1;
	myproc()->ofile[fd] = 0;
	fileclose(f);
	return 0;
}

int
sys_fstat(void)
{
	struct file *f;
	struct stat st;
	char *p;

	if (argfd(0, 0, &f) < 0 || argptr_w(1, &p, sizeof(st)) < 0)
		return -1;
	if (filestat(f, &st) < 0)
		return -1;
	return copyout(myproc()->pgdir, (uint)p, &st, sizeof(st));
}

/* link(old, new): another name for a file (not a directory). */
int
sys_link(void)
{
	char name[DIRSIZ], *new, *old;
	struct inode *dp, *ip;

	if (argstr(0, &old) < 0 || argstr(1, &new) < 0)
		return -1;
	if ((ip = namei(old)) == 0)
		return -1;
	ilock(ip);
	if (ip->type == T_DIR) {
		iunlockput(ip);
		return -1;
	}
	ip->nlink++;
	iupdate(ip);
	iunlock(ip);

	if ((dp = nameiparent(new, name)) == 0)
		goto bad;
	ilock(dp);
	if (dp->dev != ip->dev || dirlink(dp, name, ip->inum) < 0) {
		iunlockput(dp);
		goto bad;
	}
	iunlockput(dp);
	iput(ip);
	return 0;

bad:
	ilock(ip);
	ip->nlink--;
	iupdate(ip);
	iunlockput(ip);
	return -1;
}

/* Only "." and ".." left? */
static int
isdirempty(struct inode *dp)
{
	struct dentry de;
	uint off;

	for (off = 2 * sizeof(de); off < dp->size; off += sizeof(de)) {
		if (readi(dp, (char *)&de, off, sizeof(de)) != sizeof(de))
			panic("isdirempty: short read");
		if (de.inum != 0)
			return 0;
	}
	return 1;
}

int
sys_unlink(void)
{
	char name[DIRSIZ], *path;
	struct inode *ip, *dp;
	struct dentry de;
	uint off;

	if (argstr(0, &path) < 0)
		return -1;
	if ((dp = nameiparent(path, name)) == 0)
		return -1;
	ilock(dp);
	if (namecmp(name, ".") == 0 || namecmp(name, "..") == 0)
		goto bad;
	if ((ip = dirlookup(dp, name, &off)) == 0)
		goto bad;
	ilock(ip);
	if (ip->nlink < 1)
		panic("unlink: nlink < 1");
	if (ip->type == T_DIR && !isdirempty(ip)) {
		iunlockput(ip);
		goto bad;
	}
	memset(&de, 0, sizeof(de));
	if (writei(dp, (char *)&de, off, sizeof(de)) != sizeof(de))
		panic("unlink: writei");
	if (ip->type == T_DIR) {
		dp->nlink--;	/* the child's ".." */
		iupdate(dp);
	}
	iunlockput(dp);
	ip->nlink--;
	iupdate(ip);
	iunlockput(ip);
	return 0;

bad:
	iunlockput(dp);
	return -1;
}

/* Make a new inode at path; an existing file is fine for open(O_CREATE). */
static struct inode *
create(char *path, short type, short major, short minor)
{
	struct inode *ip, *dp;
	char name[DIRSIZ];

	if ((dp = nameiparent(path, name)) == 0)
		return 0;
	ilock(dp);
	if ((ip = dirlookup(dp, name, 0)) != 0) {
		iunlockput(dp);
		ilock(ip);
		if (type == T_FILE && ip->type == T_FILE)
			return ip;
		iunlockput(ip);
		return 0;
	}
	if ((ip = ialloc(dp->dev, type)) == 0) {
		iunlockput(dp);
		return 0;
	}
	ilock(ip);
	ip->major = major;
	ip->minor = minor;
	ip->nlink = 1;
	iupdate(ip);
	if (type == T_DIR) {
		dp->nlink++;	/* for ".." */
		iupdate(dp);
		if (dirlink(ip, ".", ip->inum) < 0 ||
		    dirlink(ip, "..", dp->inum) < 0)
			panic("create: dots");
	}
	if (dirlink(dp, name, ip->inum) < 0) {
		/* Out of space in the directory: undo. */
		ip->nlink = 0;
		iupdate(ip);
		iunlockput(ip);
		iunlockput(dp);
		return 0;
	}
	iunlockput(dp);
	return ip;
}

int
sys_open(void)
{
	struct file *f;
	struct inode *ip;
	char *path;
	int fd, omode;

	if (argstr(0, &path) < 0 || argint(1, &omode) < 0)
		return -1;
	if (omode & O_CREATE) {
		if ((ip = create(path, T_FILE, 0, 0)) == 0)
			return -1;
	} else {
		if ((ip = namei(path)) == 0)
			return -1;
		ilock(ip);
		if (ip->type == T_DIR && omode != O_RDONLY) {
			iunlockput(ip);
			return -1;
		}
	}
	if ((f = filealloc()) == 0 || (fd = fdalloc(f)) < 0) {
		if (f)
			fileclose(f);
		iunlockput(ip);
		return -1;
	}
	if ((omode & O_TRUNC) && ip->type == T_FILE)
		itrunc(ip);
	iunlock(ip);
	f->type = FD_INODE;
	f->ip = ip;
	f->off = 0;
	f->readable = !(omode & O_WRONLY);
	f->writable = (omode & O_WRONLY) || (omode & O_RDWR);
	return fd;
}

int
sys_mkdir(void)
{
	struct inode *ip;
	char *path;

	if (argstr(0, &path) < 0 || (ip = create(path, T_DIR, 0, 0)) == 0)
		return -1;
	iunlockput(ip);
	return 0;
}

int
sys_mknod(void)
{
	struct inode *ip;
	int major, minor;
	char *path;

	if (argstr(0, &path) < 0 || argint(1, &major) < 0 ||
	    argint(2, &minor) < 0 || major < 0 || major >= NDEV)
		return -1;
	if ((ip = create(path, T_DEV, major, minor)) == 0)
		return -1;
	iunlockput(ip);
	return 0;
}

int
sys_chdir(void)
{
	struct proc *p = myproc();
	struct inode *ip;
	char *path;

	if (argstr(0, &path) < 0 || (ip = namei(path)) == 0)
		return -1;
	ilock(ip);
	if (ip->type != T_DIR) {
		iunlockput(ip);
		return -1;
	}
	iunlock(ip);
	iput(p->cwd);
	p->cwd = ip;
	return 0;
}

int
sys_exec(void)
{
	char *path, *argv[MAXARG];
	uint uargv, uarg;
	int i;

	if (argstr(0, &path) < 0 || argint(1, (int *)&uargv) < 0)
		return -1;
	memset(argv, 0, sizeof(argv));
	for (i = 0;; i++) {
		if (i >= MAXARG)
			return -1;
		if (fetchint(uargv + 4 * i, (int *)&uarg) < 0)
			return -1;
		if (uarg == 0) {
			argv[i] = 0;
			break;
		}
		if (fetchstr(uarg, &argv[i]) < 0)
			return -1;
	}
	return exec(path, argv);
}

int
sys_pipe(void)
{
	struct file *rf, *wf;
	int fd[2], fd0, fd1;
	char *p;

	if (argptr_w(0, &p, sizeof(fd)) < 0)
		return -1;
	if (pipealloc(&rf, &wf) < 0)
		return -1;
	fd0 = -1;
	if ((fd0 = fdalloc(rf)) < 0 || (fd1 = fdalloc(wf)) < 0) {
		if (fd0 >= 0)
			myproc()->ofile[fd0] = 0;
		fileclose(rf);
		fileclose(wf);
		return -1;
	}
	fd[0] = fd0;
	fd[1] = fd1;
	if (copyout(myproc()->pgdir, (uint)p, fd, sizeof(fd)) < 0) {
		myproc()->ofile[fd0] = 0;
		myproc()->ofile[fd1] = 0;
		fileclose(rf);
		fileclose(wf);
		return -1;
	}
	return 0;
}
