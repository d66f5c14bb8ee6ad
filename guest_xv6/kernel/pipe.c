/*
 * pipe.c - pipes: a ring buffer shared by a read end and a write end.
 * Readers sleep while it is empty, writers while it is full; closing the
 * last writer lets readers see end of file.
 */
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/mmu.h"
#include "kernel/proc.h"
#include "kernel/spinlock.h"
#include "kernel/sleeplock.h"
#include "kernel/fs.h"
#include "kernel/file.h"
#include "kernel/defs.h"

#define PIPESIZE 512

struct pipe {
	struct spinlock lock;
	char data[PIPESIZE];
	uint nread;	/* bytes read, ever */
	uint nwrite;	/* bytes written, ever */
	int readopen;
	int writeopen;
};

int
pipealloc(struct file **f0, struct file **f1)
{
	struct pipe *p = 0;

	*f0 = *f1 = 0;
	if ((*f0 = filealloc()) == 0 || (*f1 = filealloc()) == 0)
		goto bad;
	if ((p = (struct pipe *)kalloc()) == 0)
		goto bad;
	p->readopen = 1;
	p->writeopen = 1;
	p->nwrite = 0;
	p->nread = 0;
	initlock(&p->lock, "pipe");
	(*f0)->type = FD_PIPE;
	(*f0)->readable = 1;
	(*f0)->writable = 0;
	(*f0)->pipe = p;
	(*f1)->type = FD_PIPE;
	(*f1)->readable = 0;
	(*f1)->writable = 1;
	(*f1)->pipe = p;
	return 0;

bad:
	if (p)
		kfree((char *)p);
	if (*f0)
		fileclose(*f0);
	if (*f1)
		fileclose(*f1);
	return -1;
}

void
pipeclose(struct pipe *p, int writable)
{
	acquire(&p->lock);
	if (writable) {
		p->writeopen = 0;
		wakeup(&p->nread);
	} else {
		p->readopen = 0;
		wakeup(&p->nwrite);
	}
	if (p->readopen == 0 && p->writeopen == 0) {
		release(&p->lock);
		kfree((char *)p);
	} else {
		release(&p->lock);
	}
}

int
pipewrite(struct pipe *p, char *addr, int n)
{
	int i;

	acquire(&p->lock);
	for (i = 0; i < n; i++) {
		while (p->nwrite == p->nread + PIPESIZE) {
			if (p->readopen == 0 || myproc()->killed) {
				release(&p->lock);
				return -1;
			}
			wakeup(&p->nread);
			sleep(&p->nwrite, &p->lock);
		}
		p->data[p->nwrite++ % PIPESIZE] = addr[i];
	}
	wakeup(&p->nread);
	release(&p->lock);
	return n;
}

int
piperead(struct pipe *p, char *addr, int n)
{
	int i;

	acquire(&p->lock);
	while (p->nread == p->nwrite && p->writeopen) {
		if (myproc()->killed) {
			release(&p->lock);
			return -1;
		}
		sleep(&p->nread, &p->lock);
	}
	for (i = 0; i < n && p->nread != p->nwrite; i++)
		addr[i] = p->data[p->nread++ % PIPESIZE];
	wakeup(&p->nwrite);
	release(&p->lock);
	return i;
}
