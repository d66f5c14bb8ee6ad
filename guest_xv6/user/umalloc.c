/*
 * umalloc.c - malloc and free for user programs: a circular free list of
 * blocks sorted by address, grown with sbrk, neighbours merged on free.
 */
#include "user/user.h"

struct header {
	struct header *next;
	uint units;	/* size in headers, including this one */
};

static struct header base;
static struct header *freep;

void
free(void *ap)
{
	struct header *bp = (struct header *)ap - 1, *p;

	/* Find the free block just before bp. */
	for (p = freep; !(bp > p && bp < p->next); p = p->next)
		if (p >= p->next && (bp > p || bp < p->next))
			break;	/* bp is at either end of the arena */
	if (bp + bp->units == p->next) {
		bp->units += p->next->units;
		bp->next = p->next->next;
	} else {
		bp->next = p->next;
	}
	if (p + p->units == bp) {
		p->units += bp->units;
		p->next = bp->next;
	} else {
		p->next = bp;
	}
	freep = p;
}

static struct header *
morecore(uint units)
{
	struct header *h;
	char *p;

	if (units < 4096)
		units = 4096;
	p = sbrk(units * sizeof(struct header));
	if (p == (char *)-1)
		return 0;
	h = (struct header *)p;
	h->units = units;
	free(h + 1);
	return freep;
}

void *
malloc(uint nbytes)
{
	uint units = (nbytes + sizeof(struct header) - 1) /
		sizeof(struct header) + 1;
	struct header *p, *prev;

	if ((prev = freep) == 0) {
		base.next = freep = prev = &base;
		base.units = 0;
	}
	for (p = prev->next;; prev = p, p = p->next) {
		if (p->units >= units) {
			if (p->units == units) {
				prev->next = p->next;
			} else {
				/* Hand out the tail of the block. */
				p->units -= units;
				p += p->units;
				p->units = units;
			}
			freep = prev;
			return p + 1;
		}
		if (p == freep && (p = morecore(units)) == 0)
			return 0;
	}
}
