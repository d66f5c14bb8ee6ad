/*
 * unit_mkfs.c - guest_xv6's mkfs round-trips a directory tree.
 *
 * The test builds a tree of files and directories on the host, runs the
 * real obj/guest_xv6/mkfs on it, and reads the image back with a reader
 * of its own, written from the format in guest_xv6/kernel/fs.h alone:
 * every name, type and byte must come back, directory link counts must
 * agree with their subdirectories, and every block a file uses must be
 * marked in the free bitmap exactly once.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <criterion/criterion.h>

#include "guest_xv6/kernel/fs.h"

static uint8_t *img;
static size_t imglen;
static struct superblock sb;
static uint8_t *owner;	/* blocks seen in use by some inode */

static const uint8_t *
blk(uint32_t b)
{
	cr_assert(b < sb.size, "block %u beyond the image (%u blocks)", b,
		  sb.size);
	return img + (size_t)b * BSIZE;
}

static const struct dinode *
ino(uint32_t inum)
{
	cr_assert(inum > 0 && inum < sb.ninodes, "bad inode number %u", inum);
	return (const struct dinode *)blk(IBLOCK(inum, sb)) + inum % IPB;
}

static void
claim(uint32_t b)
{
	cr_assert(b >= sb.datastart && b < sb.size,
		  "block %u is not a data block", b);
	cr_assert(!owner[b], "block %u used twice", b);
	cr_assert(blk(BBLOCK(b, sb))[(b % BPB) / 8] & (1 << (b % 8)),
		  "block %u in use but free in the bitmap", b);
	owner[b] = 1;
}

/* An inode's contents, as a malloc'd buffer of d->size bytes. */
static uint8_t *
contents(const struct dinode *d)
{
	uint8_t *out = malloc(d->size + 1);
	const uint32_t *ind = NULL;
	uint32_t off, n, b, fbn;

	cr_assert(d->size <= MAXFILE * BSIZE, "file too large: %u", d->size);
	if (d->addrs[NDIRECT]) {
		claim(d->addrs[NDIRECT]);
		ind = (const uint32_t *)blk(d->addrs[NDIRECT]);
	}
	for (off = 0; off < d->size; off += n) {
		fbn = off / BSIZE;
		b = fbn < NDIRECT ? d->addrs[fbn] : ind ? ind[fbn - NDIRECT] : 0;
		cr_assert(b != 0, "hole at offset %u", off);
		claim(b);
		n = d->size - off < BSIZE ? d->size - off : BSIZE;
		memcpy(out + off, blk(b), n);
	}
	return out;
}

/* Compare image directory inum with host directory path, recursively. */
static void
compare_dir(uint32_t inum, uint32_t parent, const char *path)
{
	const struct dinode *d = ino(inum);
	struct dentry *de;
	uint8_t *data, *want;
	char sub[4096], name[DIRSIZ + 1];
	struct stat st;
	size_t i, n, hostn = 0, subdirs = 0;
	DIR *dir;
	FILE *f;

	cr_assert_eq(d->type, T_DIR, "%s: not a directory in the image", path);
	data = contents(d);
	n = d->size / sizeof(*de);
	de = (struct dentry *)data;
	cr_assert(n >= 2 && strcmp(de[0].name, ".") == 0 && de[0].inum == inum,
		  "%s: bad '.'", path);
	cr_assert(strcmp(de[1].name, "..") == 0 && de[1].inum == parent,
		  "%s: bad '..'", path);
	for (i = 2; i < n; i++) {
		if (de[i].inum == 0)
			continue;
		memcpy(name, de[i].name, DIRSIZ);
		name[DIRSIZ] = 0;
		snprintf(sub, sizeof(sub), "%s/%s", path, name);
		cr_assert(stat(sub, &st) == 0, "%s: in the image, not the tree",
			  sub);
		hostn++;
		if (S_ISDIR(st.st_mode)) {
			subdirs++;
			compare_dir(de[i].inum, inum, sub);
			continue;
		}
		cr_assert_eq(ino(de[i].inum)->type, T_FILE, "%s: not a file", sub);
		cr_assert_eq(ino(de[i].inum)->size, (uint32_t)st.st_size,
			     "%s: size %u, want %ld", sub,
			     ino(de[i].inum)->size, (long)st.st_size);
		want = malloc(st.st_size + 1);
		f = fopen(sub, "rb");
		cr_assert(f && fread(want, 1, st.st_size, f) == (size_t)st.st_size);
		fclose(f);
		uint8_t *got = contents(ino(de[i].inum));
		cr_assert(memcmp(got, want, st.st_size) == 0,
			  "%s: contents differ", sub);
		free(got);
		free(want);
	}
	/* Nothing in the tree is missing from the image. */
	n = 0;
	dir = opendir(path);
	cr_assert(dir);
	for (struct dirent *e; (e = readdir(dir)) != NULL;)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(dir);
	cr_assert_eq(n, hostn, "%s: %zu entries in the tree, %zu in the image",
		     path, n, hostn);
	/* The kernel counts one link per subdirectory's "..". */
	cr_assert_eq((size_t)d->nlink, 1 + subdirs, "%s: nlink %d, want %zu",
		     path, d->nlink, 1 + subdirs);
	free(data);
}

static void
write_file(const char *path, size_t size, unsigned seed)
{
	FILE *f = fopen(path, "wb");
	size_t i;

	cr_assert(f, "cannot create %s", path);
	for (i = 0; i < size; i++)
		fputc((int)((i * 31 + seed) % 251), f);
	fclose(f);
}

static void
run_mkfs(const char *image, const char *tree)
{
	char mkfs[4096];
	const char *objdir = getenv("GRADE_OBJDIR");
	int status;
	pid_t pid;

	snprintf(mkfs, sizeof(mkfs), "%s/guest_xv6/mkfs",
		 objdir ? objdir : "obj");
	cr_assert(access(mkfs, X_OK) == 0,
		  "%s is missing: build it with `make guest`", mkfs);
	if ((pid = fork()) == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		execl(mkfs, mkfs, "-s", "2048", "-i", "64", image, tree,
		      (char *)NULL);
		_exit(127);
	}
	cr_assert(pid > 0 && waitpid(pid, &status, 0) == pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "mkfs failed on %s", tree);
}

Test(mkfs, roundtrip, .description = "mkfs writes a tree the reader reads back")
{
	char tree[] = "/tmp/unit_mkfs.XXXXXX", image[4200], p[4200];
	struct stat st;
	uint32_t b;
	FILE *f;

	cr_assert(mkdtemp(tree), "mkdtemp failed");
	snprintf(p, sizeof(p), "%s/empty", tree);
	write_file(p, 0, 1);
	snprintf(p, sizeof(p), "%s/one", tree);
	write_file(p, 1, 2);
	snprintf(p, sizeof(p), "%s/sector", tree);
	write_file(p, BSIZE, 3);
	snprintf(p, sizeof(p), "%s/sector+1", tree);
	write_file(p, BSIZE + 1, 4);
	snprintf(p, sizeof(p), "%s/a", tree);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/a/indirect", tree);
	write_file(p, (NDIRECT + 5) * BSIZE + 17, 5);
	snprintf(p, sizeof(p), "%s/a/b", tree);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/a/b/c", tree);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/a/b/c/largest_file", tree);
	write_file(p, MAXFILE * BSIZE, 6);
	snprintf(p, sizeof(p), "%s/a/emptydir", tree);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/fourteen_chars", tree);
	write_file(p, 100, 7);

	snprintf(image, sizeof(image), "%s.img", tree);
	run_mkfs(image, tree);

	f = fopen(image, "rb");
	cr_assert(f && stat(image, &st) == 0);
	imglen = st.st_size;
	img = malloc(imglen);
	cr_assert(fread(img, 1, imglen, f) == imglen);
	fclose(f);
	memcpy(&sb, img + BSIZE, sizeof(sb));
	cr_assert_eq(sb.magic, FSMAGIC, "bad superblock magic");
	cr_assert_eq((size_t)sb.size * BSIZE, imglen, "size disagrees");
	cr_assert(sb.inodestart < sb.bmapstart && sb.bmapstart < sb.datastart);
	owner = calloc(sb.size, 1);

	compare_dir(ROOTINO, ROOTINO, tree);

	/* The bitmap marks metadata and claimed blocks, nothing else. */
	for (b = sb.datastart; b < sb.size; b++) {
		int marked = !!(blk(BBLOCK(b, sb))[(b % BPB) / 8] & (1 << (b % 8)));

		cr_assert_eq(marked, owner[b], "block %u: bitmap says %d, "
			     "files say %d", b, marked, owner[b]);
	}
	unlink(image);
	snprintf(p, sizeof(p), "rm -rf '%s'", tree);
	cr_assert(system(p) == 0, "cannot remove %s", tree);
}
