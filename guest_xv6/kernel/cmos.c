/*
 * cmos.c - the real-time clock in the CMOS (index port 0x70, data 0x71).
 */
#include "kernel/types.h"
#include "kernel/x86.h"
#include "kernel/defs.h"

#define CMOS_INDEX	0x70
#define CMOS_DATA	0x71
#define CMOS_STATA	0x0A
#define  STATA_UIP	0x80	/* an update is in progress */
#define CMOS_STATB	0x0B
#define  STATB_BINARY	0x04

static uint
cmos_read(uint reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

static void
read_fields(struct rtcdate *r)
{
	r->second = cmos_read(0x00);
	r->minute = cmos_read(0x02);
	r->hour = cmos_read(0x04);
	r->day = cmos_read(0x07);
	r->month = cmos_read(0x08);
	r->year = cmos_read(0x09);
}

void
cmostime(struct rtcdate *r)
{
	struct rtcdate t1, t2;
	int bcd = !(cmos_read(CMOS_STATB) & STATB_BINARY);
	int tries;

	/* Read twice until both reads agree, so no update splits them. */
	for (tries = 0; tries < 100; tries++) {
		while (cmos_read(CMOS_STATA) & STATA_UIP)
			;
		read_fields(&t1);
		read_fields(&t2);
		if (memcmp(&t1, &t2, sizeof(t1)) == 0)
			break;
	}
	if (bcd) {
#define BCD(x) ((x) = (((x) >> 4) * 10) + ((x) & 0xf))
		BCD(t1.second);
		BCD(t1.minute);
		BCD(t1.hour);
		BCD(t1.day);
		BCD(t1.month);
		BCD(t1.year);
#undef BCD
	}
	*r = t1;
	r->year += 2000;
}
