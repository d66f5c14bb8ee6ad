/*
 * mkfs.c - build a guest_xv6 file system image on the host.
 *
 *	mkfs [-s blocks] [-i inodes] fs.img path...
 *
 * Each path that is a file goes into the root directory under its base
 * name, less a leading '_' (the build names user programs _sh, _ls, ...
 * so that they do not clash with host files).  Each path that is a
 * directory has its contents copied, recursively, into the root, so
 * `mkfs fs.img tree/` reproduces tree/.  The image is assembled in memory
 * and written at the end; the format is kernel/fs.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/fs.h"

static uint8_t *img;
static struct superblock sb;
static uint32_t nextinum = 1;
static uint32_t nextblock;	/* next free data block */

static void
die(const char *fmt, const char *arg)
{
	fprintf(stderr, "mkfs: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(1);
}

static uint8_t *
block(uint32_t b)
{
	if (b >= sb.size)
		die("block %s out of range", "");
	return img + (size_t)b * BSIZE;
}

static struct dinode *
dinode(uint32_t inum)
{
	return (struct dinode *)block(IBLOCK(inum, sb)) + inum % IPB;
}

static uint32_t
balloc(void)
{
	uint32_t b = nextblock++;

	if (b >= sb.size)
		die("image full (%s); use -s for more blocks", "data");
	block(BBLOCK(b, sb))[(b % BPB) / 8] |= 1 << (b % 8);
	return b;
}

static uint32_t
ialloc(int16_t type)
{
	uint32_t inum = nextinum++;
	struct dinode *d;

	if (inum >= sb.ninodes)
		die("out of inodes (%s); use -i for more", "");
	d = dinode(inum);
	memset(d, 0, sizeof(*d));
	d->type = type;
	d->nlink = 1;
	return inum;
}

/* The disk block holding file block fbn of inode d, allocated. */
static uint32_t
fileblock(struct dinode *d, uint32_t fbn)
{
	uint32_t *ind;

	if (fbn < NDIRECT) {
		if (d->addrs[fbn] == 0)
			d->addrs[fbn] = balloc();
		return d->addrs[fbn];
	}
	fbn -= NDIRECT;
	if (fbn >= NINDIRECT)
		die("file too large (%s)", "max 140 blocks");
	if (d->addrs[NDIRECT] == 0)
		d->addrs[NDIRECT] = balloc();
	ind = (uint32_t *)block(d->addrs[NDIRECT]);
	if (ind[fbn] == 0)
		ind[fbn] = balloc();
	return ind[fbn];
}

static void
iappend(uint32_t inum, const void *data, uint32_t n)
{
	struct dinode *d = dinode(inum);
	const uint8_t *p = data;
	uint32_t off, m, b;

	while (n > 0) {
		off = d->size;
		b = fileblock(d, off / BSIZE);
		d = dinode(inum);	/* (the image does not move; clarity) */
		m = BSIZE - off % BSIZE;
		if (m > n)
			m = n;
		memcpy(block(b) + off % BSIZE, p, m);
		d->size += m;
		p += m;
		n -= m;
	}
}

static void
dirent_add(uint32_t dir, const char *name, uint32_t inum)
{
	struct dentry de;

	if (strlen(name) > DIRSIZ)
		die("name too long: %s", name);
	memset(&de, 0, sizeof(de));
	de.inum = inum;
	memcpy(de.name, name, strlen(name));	/* NUL-padded, not terminated */
	iappend(dir, &de, sizeof(de));
}

static uint32_t
newdir(uint32_t parent)
{
	uint32_t inum = ialloc(T_DIR);

	dirent_add(inum, ".", inum);
	dirent_add(inum, "..", parent ? parent : inum);
	dinode(inum)->nlink = 1;
	if (parent) {
		dinode(parent)->nlink++;	/* its ".." points back */
	}
	return inum;
}

static void
addfile(uint32_t dir, const char *name, const char *hostpath)
{
	char buf[BSIZE];
	uint32_t inum;
	ssize_t n;
	int fd;

	if ((fd = open(hostpath, O_RDONLY)) < 0)
		die("cannot open %s", hostpath);
	inum = ialloc(T_FILE);
	dirent_add(dir, name, inum);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		iappend(inum, buf, n);
	if (n < 0)
		die("cannot read %s", hostpath);
	close(fd);
}

static void addtree(uint32_t dir, const char *hostdir);

static void
addpath(uint32_t dir, const char *name, const char *hostpath)
{
	struct stat st;
	uint32_t sub;

	if (stat(hostpath, &st) < 0)
		die("cannot stat %s", hostpath);
	if (S_ISDIR(st.st_mode)) {
		sub = newdir(dir);
		dirent_add(dir, name, sub);
		addtree(sub, hostpath);
	} else if (S_ISREG(st.st_mode)) {
		addfile(dir, name, hostpath);
	}
}

static int
byname(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Copy the contents of hostdir into dir, in name order (reproducible). */
static void
addtree(uint32_t dir, const char *hostdir)
{
	char **names = NULL, path[4096];
	size_t n = 0, i;
	struct dirent *e;
	DIR *d;

	if ((d = opendir(hostdir)) == NULL)
		die("cannot open directory %s", hostdir);
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), byname);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", hostdir, names[i]);
		addpath(dir, names[i], path);
		free(names[i]);
	}
	free(names);
}

int
main(int argc, char **argv)
{
	uint32_t size = 4096, ninodes = 200, root, ninodeblocks, nbitmap, b;
	const char *base, *out;
	struct stat st;
	int opt, fd;

	while ((opt = getopt(argc, argv, "s:i:")) != -1) {
		if (opt == 's')
			size = strtoul(optarg, NULL, 0);
		else if (opt == 'i')
			ninodes = strtoul(optarg, NULL, 0);
		else
			die("usage: mkfs [-s blocks] [-i inodes] fs.img path...%s", "");
	}
	if (optind >= argc)
		die("usage: mkfs [-s blocks] [-i inodes] fs.img path...%s", "");
	out = argv[optind++];
	if (size < 64 || ninodes < 2)
		die("image too small%s", "");

	ninodeblocks = (ninodes + IPB - 1) / IPB;
	nbitmap = (size + BPB - 1) / BPB;
	sb.magic = FSMAGIC;
	sb.size = size;
	sb.ninodes = ninodes;
	sb.inodestart = 2;
	sb.bmapstart = 2 + ninodeblocks;
	sb.datastart = sb.bmapstart + nbitmap;
	sb.nblocks = size - sb.datastart;
	if ((img = calloc(size, BSIZE)) == NULL)
		die("out of memory%s", "");
	memcpy(block(1), &sb, sizeof(sb));

	/* The metadata blocks are in use too. */
	for (b = 0; b < sb.datastart; b++)
		block(BBLOCK(b, sb))[(b % BPB) / 8] |= 1 << (b % 8);
	nextblock = sb.datastart;

	root = newdir(0);
	if (root != ROOTINO)
		die("root is not inode 1%s", "");
	for (; optind < argc; optind++) {
		if (stat(argv[optind], &st) < 0)
			die("cannot stat %s", argv[optind]);
		if (S_ISDIR(st.st_mode)) {
			addtree(root, argv[optind]);
			continue;
		}
		base = strrchr(argv[optind], '/');
		base = base ? base + 1 : argv[optind];
		if (base[0] == '_')
			base++;
		addfile(root, base, argv[optind]);
	}

	if ((fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
		die("cannot create %s", out);
	if (write(fd, img, (size_t)size * BSIZE) != (ssize_t)size * BSIZE)
		die("cannot write %s", out);
	close(fd);
	printf("mkfs: %s: %u blocks (%u used), %u inodes (%u used)\n", out,
	       size, nextblock, ninodes, nextinum - 1);
	return 0;
}
