/*
 * fs.c - the file system: blocks, inodes, directories and path names, on
 * the format of fs.h.  Layers, bottom up:
 *
 *	blocks:      balloc/bfree over the free bitmap;
 *	inodes:      an in-memory cache (iget/iput), locking (ilock),
 *	             contents (bmap, readi, writei, itrunc);
 *	directories: inodes of type T_DIR holding struct dentry;
 *	paths:       namei and nameiparent walk directories from / or cwd.
 *
 * Writes go straight to disk through the buffer cache; there is no log.
 */
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/param.h"
#include "kernel/mmu.h"
#include "kernel/proc.h"
#include "kernel/spinlock.h"
#include "kernel/sleeplock.h"
#include "kernel/fs.h"
#include "kernel/buf.h"
#include "kernel/file.h"
#include "kernel/defs.h"

#define min(a, b) ((a) < (b) ? (a) : (b))

static struct superblock sb;

static void
readsb(int dev, struct superblock *s)
{
	struct buf *bp = bread(dev, 1);

	memmove(s, bp->data, sizeof(*s));
	brelse(bp);
}

static void
bzero(int dev, int bno)
{
	struct buf *bp = bread(dev, bno);

	memset(bp->data, 0, BSIZE);
	bwrite(bp);
	brelse(bp);
}

/* A zeroed free block, or panic when the disk is full. */
static uint
balloc(uint dev)
{
	struct buf *bp;
	uint b, bi, m;

	for (b = 0; b < sb.size; b += BPB) {
		bp = bread(dev, BBLOCK(b, sb));
		for (bi = 0; bi < BPB && b + bi < sb.size; bi++) {
			m = 1 << (bi % 8);
			if ((bp->data[bi / 8] & m) == 0) {
				bp->data[bi / 8] |= m;
				bwrite(bp);
				brelse(bp);
				bzero(dev, b + bi);
				return b + bi;
			}
		}
		brelse(bp);
	}
	return 0;
}

static void
bfree(int dev, uint b)
{
	struct buf *bp = bread(dev, BBLOCK(b, sb));
	uint bi = b % BPB, m = 1 << (bi % 8);

	if ((bp->data[bi / 8] & m) == 0)
		panic("bfree: block already free");
	bp->data[bi / 8] &= ~m;
	bwrite(bp);
	brelse(bp);
}

static struct {
	struct spinlock lock;
	struct inode inode[NINODE];
} icache;

void
iinit(int dev)
{
	int i;

	initlock(&icache.lock, "icache");
	for (i = 0; i < NINODE; i++)
		initsleeplock(&icache.inode[i].lock, "inode");
}

void
fsinit(int dev)
{
	iinit(dev);
	readsb(dev, &sb);
	if (sb.magic != FSMAGIC)
		panic("fsinit: not a guest_xv6 file system (run mkfs)");
	cprintf("guest_xv6: fs %d blocks, %d inodes, data from block %d\n",
		sb.size, sb.ninodes, sb.datastart);
}

/* The cached inode for (dev, inum), referenced but neither locked nor
 * read. */
static struct inode *
iget(uint dev, uint inum)
{
	struct inode *ip, *empty = 0;

	acquire(&icache.lock);
	for (ip = &icache.inode[0]; ip < &icache.inode[NINODE]; ip++) {
		if (ip->ref > 0 && ip->dev == dev && ip->inum == inum) {
			ip->ref++;
			release(&icache.lock);
			return ip;
		}
		if (empty == 0 && ip->ref == 0)
			empty = ip;
	}
	if (empty == 0)
		panic("iget: no inodes");
	ip = empty;
	ip->dev = dev;
	ip->inum = inum;
	ip->ref = 1;
	ip->valid = 0;
	release(&icache.lock);
	return ip;
}

struct inode *
ialloc(uint dev, short type)
{
	struct dinode *dip;
	struct buf *bp;
	uint inum;

	for (inum = 1; inum < sb.ninodes; inum++) {
		bp = bread(dev, IBLOCK(inum, sb));
		dip = (struct dinode *)bp->data + inum % IPB;
		if (dip->type == 0) {
			memset(dip, 0, sizeof(*dip));
			dip->type = type;
			bwrite(bp);
			brelse(bp);
			return iget(dev, inum);
		}
		brelse(bp);
	}
	return 0;
}

/* Copy ip's fields to disk.  Caller holds ip->lock. */
void
iupdate(struct inode *ip)
{
	struct buf *bp = bread(ip->dev, IBLOCK(ip->inum, sb));
	struct dinode *dip = (struct dinode *)bp->data + ip->inum % IPB;

	dip->type = ip->type;
	dip->major = ip->major;
	dip->minor = ip->minor;
	dip->nlink = ip->nlink;
	dip->size = ip->size;
	memmove(dip->addrs, ip->addrs, sizeof(ip->addrs));
	bwrite(bp);
	brelse(bp);
}

struct inode *
idup(struct inode *ip)
{
	acquire(&icache.lock);
	ip->ref++;
	release(&icache.lock);
	return ip;
}

/* Lock ip, reading it from disk the first time. */
void
ilock(struct inode *ip)
{
	struct dinode *dip;
	struct buf *bp;

	if (ip == 0 || ip->ref < 1)
		panic("ilock");
	acquiresleep(&ip->lock);
	if (ip->valid)
		return;
	bp = bread(ip->dev, IBLOCK(ip->inum, sb));
	dip = (struct dinode *)bp->data + ip->inum % IPB;
	ip->type = dip->type;
	ip->major = dip->major;
	ip->minor = dip->minor;
	ip->nlink = dip->nlink;
	ip->size = dip->size;
	memmove(ip->addrs, dip->addrs, sizeof(ip->addrs));
	brelse(bp);
	ip->valid = 1;
	if (ip->type == 0)
		panic("ilock: inode has no type");
}

void
iunlock(struct inode *ip)
{
	if (ip == 0 || !holdingsleep(&ip->lock) || ip->ref < 1)
		panic("iunlock");
	releasesleep(&ip->lock);
}

/*
 * Drop a reference.  The last reference to an inode no directory links
 * to frees it and its blocks.
 */
void
iput(struct inode *ip)
{
	int r;

	acquiresleep(&ip->lock);
	if (ip->valid && ip->nlink == 0) {
		acquire(&icache.lock);
		r = ip->ref;
		release(&icache.lock);
		if (r == 1) {
			itrunc(ip);
			ip->type = 0;
			iupdate(ip);
			ip->valid = 0;
		}
	}
	releasesleep(&ip->lock);

	acquire(&icache.lock);
	ip->ref--;
	release(&icache.lock);
}

void
iunlockput(struct inode *ip)
{
	iunlock(ip);
	iput(ip);
}

/* The disk block holding byte bn*BSIZE of ip, allocated if missing
 * (0 when the disk is full). */
static uint
bmap(struct inode *ip, uint bn)
{
	struct buf *bp;
	uint addr, *a;

	if (bn < NDIRECT) {
		if ((addr = ip->addrs[bn]) == 0)
			addr = ip->addrs[bn] = balloc(ip->dev);
		return addr;
	}
	bn -= NDIRECT;
	if (bn >= NINDIRECT)
		panic("bmap: block beyond the largest file");
	if ((addr = ip->addrs[NDIRECT]) == 0) {
		if ((addr = balloc(ip->dev)) == 0)
			return 0;
		ip->addrs[NDIRECT] = addr;
	}
	bp = bread(ip->dev, addr);
	a = (uint *)bp->data;
	if ((addr = a[bn]) == 0) {
		if ((addr = balloc(ip->dev)) != 0) {
			a[bn] = addr;
			bwrite(bp);
		}
	}
	brelse(bp);
	return addr;
}

void
itrunc(struct inode *ip)
{
	struct buf *bp;
	uint *a;
	uint i;

	for (i = 0; i < NDIRECT; i++) {
		if (ip->addrs[i]) {
			bfree(ip->dev, ip->addrs[i]);
			ip->addrs[i] = 0;
		}
	}
	if (ip->addrs[NDIRECT]) {
		bp = bread(ip->dev, ip->addrs[NDIRECT]);
		a = (uint *)bp->data;
		for (i = 0; i < NINDIRECT; i++)
			if (a[i])
				bfree(ip->dev, a[i]);
		brelse(bp);
		bfree(ip->dev, ip->addrs[NDIRECT]);
		ip->addrs[NDIRECT] = 0;
	}
	ip->size = 0;
	iupdate(ip);
}

void
stati(struct inode *ip, struct stat *st)
{
	st->dev = ip->dev;
	st->ino = ip->inum;
	st->type = ip->type;
	st->nlink = ip->nlink;
	st->size = ip->size;
}

/* Read n bytes at off into dst (a kernel address, or a user address
 * the caller prepared).  Caller holds ip->lock. */
int
readi(struct inode *ip, char *dst, uint off, uint n)
{
	struct buf *bp;
	uint tot, m, addr;

	if (ip->type == T_DEV) {
		if (ip->major < 0 || ip->major >= NDEV || !devsw[ip->major].read)
			return -1;
		return devsw[ip->major].read(ip, dst, n);
	}
	if (off > ip->size || off + n < off)
		return -1;
	if (off + n > ip->size)
		n = ip->size - off;
	for (tot = 0; tot < n; tot += m, off += m, dst += m) {
		if ((addr = bmap(ip, off / BSIZE)) == 0)
			break;
		bp = bread(ip->dev, addr);
		m = min(n - tot, BSIZE - off % BSIZE);
		memmove(dst, bp->data + off % BSIZE, m);
		brelse(bp);
	}
	return tot;
}

int
writei(struct inode *ip, char *src, uint off, uint n)
{
	struct buf *bp;
	uint tot, m, addr;

	if (ip->type == T_DEV) {
		if (ip->major < 0 || ip->major >= NDEV || !devsw[ip->major].write)
			return -1;
		return devsw[ip->major].write(ip, src, n);
	}
	if (off > ip->size || off + n < off)
		return -1;
	if (off + n > MAXFILE * BSIZE)
		return -1;
	for (tot = 0; tot < n; tot += m, off += m, src += m) {
		if ((addr = bmap(ip, off / BSIZE)) == 0)
			break;	/* disk full: a short write */
		bp = bread(ip->dev, addr);
		m = min(n - tot, BSIZE - off % BSIZE);
		memmove(bp->data + off % BSIZE, src, m);
		bwrite(bp);
		brelse(bp);
	}
	if (n > 0 && off > ip->size)
		ip->size = off;
	/* bmap may have changed addrs even if the size did not change. */
	iupdate(ip);
	return tot;
}

int
namecmp(const char *s, const char *t)
{
	return strncmp(s, t, DIRSIZ);
}

/* Look name up in directory dp (locked); the entry's offset in *poff. */
struct inode *
dirlookup(struct inode *dp, char *name, uint *poff)
{
	struct dentry de;
	uint off;

	if (dp->type != T_DIR)
		panic("dirlookup: not a directory");
	for (off = 0; off < dp->size; off += sizeof(de)) {
		if (readi(dp, (char *)&de, off, sizeof(de)) != sizeof(de))
			panic("dirlookup: short read");
		if (de.inum == 0)
			continue;
		if (namecmp(name, de.name) == 0) {
			if (poff)
				*poff = off;
			return iget(dp->dev, de.inum);
		}
	}
	return 0;
}

/* Add name -> inum to dp (locked), reusing a free slot. */
int
dirlink(struct inode *dp, char *name, uint inum)
{
	struct dentry de;
	struct inode *ip;
	uint off;

	if ((ip = dirlookup(dp, name, 0)) != 0) {
		iput(ip);
		return -1;
	}
	for (off = 0; off < dp->size; off += sizeof(de)) {
		if (readi(dp, (char *)&de, off, sizeof(de)) != sizeof(de))
			panic("dirlink: short read");
		if (de.inum == 0)
			break;
	}
	memset(&de, 0, sizeof(de));
	strncpy(de.name, name, DIRSIZ);
	de.inum = inum;
	if (writei(dp, (char *)&de, off, sizeof(de)) != sizeof(de))
		return -1;
	return 0;
}

/*
 * Copy the next element of path into name and return what follows it,
 * or 0 at the end.  "a/bb/c" -> "a", "bb/c"; "///a//bb" -> "a", "bb".
 */
static char *
skipelem(char *path, char *name)
{
	char *s;
	int len;

	while (*path == '/')
		path++;
	if (*path == 0)
		return 0;
	s = path;
	while (*path != '/' && *path != 0)
		path++;
	len = path - s;
	if (len >= DIRSIZ)
		memmove(name, s, DIRSIZ);
	else {
		memmove(name, s, len);
		name[len] = 0;
	}
	while (*path == '/')
		path++;
	return path;
}

static struct inode *
namex(char *path, int parent, char *name)
{
	struct inode *ip, *next;

	if (*path == '/')
		ip = iget(ROOTDEV, ROOTINO);
	else
		ip = idup(myproc()->cwd);

	while ((path = skipelem(path, name)) != 0) {
		ilock(ip);
		if (ip->type != T_DIR) {
			iunlockput(ip);
			return 0;
		}
		if (parent && *path == 0) {
			iunlock(ip);	/* stop one level early */
			return ip;
		}
		if ((next = dirlookup(ip, name, 0)) == 0) {
			iunlockput(ip);
			return 0;
		}
		iunlockput(ip);
		ip = next;
	}
	if (parent) {
		iput(ip);
		return 0;
	}
	return ip;
}

struct inode *
namei(char *path)
{
	char name[DIRSIZ];

	return namex(path, 0, name);
}

struct inode *
nameiparent(char *path, char *name)
{
	return namex(path, 1, name);
}
