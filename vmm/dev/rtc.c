/*
 * rtc.c - the MC146818 real-time clock and its CMOS memory.
 *
 * guest_xv6 reads the date for its `date` program: status B says whether
 * fields are BCD (the PC default) or binary, status A's UIP bit says an
 * update is under way, and the guest reads the fields until two reads
 * agree.  BIOS-era guests (JOS among them) also read the memory size the
 * BIOS left in CMOS bytes 0x15-0x18 and 0x30-0x35.  Port 0x70's bit 7
 * masks NMI on a PC; it is remembered and otherwise has no effect.  The
 * paper's section 2: a VMM emulates every device the guest touches.
 *
 * The time is the configured epoch plus virtual time plus whatever the
 * guest set it to; it is never stored field by field, so it cannot drift
 * from the virtual clock.  Periodic, alarm and update interrupts (IRQ 8)
 * are not modelled: status C always reads 0.
 */
#include "vmm/dev/vrtc.h"
#include "kern/string.h"

#define SEC	0x00
#define MIN_	0x02
#define HOUR	0x04
#define WDAY	0x06
#define MDAY	0x07
#define MONTH	0x08
#define YEAR	0x09
#define STATA	0x0A
#define STATB	0x0B
#define STATC	0x0C
#define STATD	0x0D
#define CENTURY	0x32

#define STATA_UIP	0x80
#define STATB_SET	0x80	/* updates halted while the guest sets the time */
#define STATB_BINARY	0x04
#define STATB_24H	0x02

#define NS	1000000000ULL
#define UIP_NS	244000ULL	/* UIP rises this long before each second */

struct date {
	unsigned sec, min, hour, wday, mday, month, year;	/* year: full, e.g. 2025 */
};

static bool
leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned
month_days(unsigned m, unsigned y)
{
	static const uint8_t days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return days[m - 1] + (m == 2 && leap(y));
}

/* Unix seconds to a date, by counting: clear, and fast enough for a clock. */
static void
to_date(uint64_t t, struct date *d)
{
	uint64_t days = t / 86400;
	unsigned s = t % 86400;

	d->sec = s % 60;
	d->min = s / 60 % 60;
	d->hour = s / 3600;
	d->wday = (days + 4) % 7 + 1;	/* 1970-01-01 was a Thursday; Sunday is 1 */
	for (d->year = 1970; days >= 365u + leap(d->year); d->year++)
		days -= 365 + leap(d->year);
	for (d->month = 1; days >= month_days(d->month, d->year); d->month++)
		days -= month_days(d->month, d->year);
	d->mday = days + 1;
}

static uint64_t
from_date(const struct date *d)
{
	uint64_t days = 0;
	unsigned y, m;

	for (y = 1970; y < d->year; y++)
		days += 365 + leap(y);
	for (m = 1; m < d->month && m <= 12; m++)
		days += month_days(m, d->year);
	days += d->mday - 1;
	return days * 86400 + d->hour * 3600 + d->min * 60 + d->sec;
}

static uint64_t
now_sec(const struct vrtc *r)
{
	return (uint64_t) ((int64_t) (r->epoch + r->now_ns / NS) + r->offset);
}

static uint8_t
encode(const struct vrtc *r, unsigned v)
{
	return (r->cmos[STATB] & STATB_BINARY) ? v : (v / 10) << 4 | v % 10;
}

static unsigned
decode(const struct vrtc *r, uint8_t v)
{
	return (r->cmos[STATB] & STATB_BINARY) ? v : (v >> 4) * 10 + (v & 15);
}

/* The hour register: 12-hour mode puts PM in bit 7 and counts 12, 1, ..., 11. */
static uint8_t
encode_hour(const struct vrtc *r, unsigned h)
{
	unsigned h12;

	if (r->cmos[STATB] & STATB_24H)
		return encode(r, h);
	h12 = h % 12 == 0 ? 12 : h % 12;
	return encode(r, h12) | (h >= 12 ? 0x80 : 0);
}

static unsigned
decode_hour(const struct vrtc *r, uint8_t v)
{
	unsigned h;

	if (r->cmos[STATB] & STATB_24H)
		return decode(r, v);
	h = decode(r, v & 0x7F) % 12;
	return (v & 0x80) ? h + 12 : h;
}

void
vrtc_init(struct vrtc *r, uint64_t epoch, uint32_t ram_bytes)
{
	uint32_t ext_kb, above16;

	memset(r, 0, sizeof(*r));
	r->epoch = epoch;
	r->cmos[STATA] = 0x26;	/* 32.768 kHz base, 1024 Hz rate */
	r->cmos[STATB] = STATB_24H;	/* BCD, as PC BIOSes leave it */
	r->cmos[STATD] = 0x80;	/* the battery is fine */
	/* Memory sizes as a BIOS records them: base KB, KB above 1 MB, 64 KB above 16 MB. */
	r->cmos[0x15] = 640 & 0xFF;
	r->cmos[0x16] = 640 >> 8;
	ext_kb = ram_bytes > 0x100000 ? (ram_bytes - 0x100000) / 1024 : 0;
	if (ext_kb > 0xFFFF)
		ext_kb = 0xFFFF;
	r->cmos[0x17] = r->cmos[0x30] = ext_kb & 0xFF;
	r->cmos[0x18] = r->cmos[0x31] = ext_kb >> 8;
	above16 = ram_bytes > 0x1000000 ? (ram_bytes - 0x1000000) / 65536 : 0;
	if (above16 > 0xFFFF)
		above16 = 0xFFFF;
	r->cmos[0x34] = above16 & 0xFF;
	r->cmos[0x35] = above16 >> 8;
}

static uint8_t
read_reg(struct vrtc *r, uint8_t i)
{
	struct date d;

	to_date(now_sec(r), &d);
	switch (i) {
	case SEC:
		return encode(r, d.sec);
	case MIN_:
		return encode(r, d.min);
	case HOUR:
		return encode_hour(r, d.hour);
	case WDAY:
		return encode(r, d.wday);
	case MDAY:
		return encode(r, d.mday);
	case MONTH:
		return encode(r, d.month);
	case YEAR:
		return encode(r, d.year % 100);
	case CENTURY:
		return encode(r, d.year / 100);
	case STATA:
		if (!(r->cmos[STATB] & STATB_SET) && r->now_ns % NS >= NS - UIP_NS)
			return r->cmos[STATA] | STATA_UIP;
		return r->cmos[STATA];
	case STATC:
		return 0;
	default:
		return r->cmos[i];
	}
}

/* The guest sets a field: move the clock's offset so the field reads back as written. */
static void
set_field(struct vrtc *r, uint8_t i, uint8_t v)
{
	struct date d;
	uint64_t now = now_sec(r);

	to_date(now, &d);
	switch (i) {
	case SEC: d.sec = decode(r, v) % 60; break;
	case MIN_: d.min = decode(r, v) % 60; break;
	case HOUR: d.hour = decode_hour(r, v) % 24; break;
	case MDAY: d.mday = decode(r, v); break;
	case MONTH: d.month = decode(r, v); break;
	case YEAR: d.year = d.year / 100 * 100 + decode(r, v) % 100; break;
	case CENTURY: d.year = decode(r, v) * 100 + d.year % 100; break;
	default: return;	/* the weekday follows from the date */
	}
	if (d.month < 1 || d.month > 12 || d.mday < 1 || d.year < 1970 ||
	    d.mday > month_days(d.month, d.year))
		return;
	r->offset += (int64_t) from_date(&d) - (int64_t) now;
}

uint8_t
vrtc_read(struct vrtc *r, uint16_t port)
{
	if (port == VRTC_INDEX)
		return 0xFF;	/* write-only on a PC */
	return read_reg(r, r->index);
}

void
vrtc_write(struct vrtc *r, uint16_t port, uint8_t val)
{
	if (port == VRTC_INDEX) {
		r->nmi_disabled = val & 0x80;
		r->index = val & 0x7F;
		return;
	}
	switch (r->index) {
	case SEC: case MIN_: case HOUR: case MDAY: case MONTH: case YEAR: case CENTURY:
		set_field(r, r->index, val);
		break;
	case WDAY:
	case STATC:
	case STATD:
		break;		/* computed or read-only */
	case STATA:
		r->cmos[STATA] = val & 0x7F;	/* UIP is read-only */
		break;
	default:
		r->cmos[r->index] = val;
	}
}

void
vrtc_advance(struct vrtc *r, uint64_t now_ns)
{
	if (now_ns > r->now_ns)
		r->now_ns = now_ns;
}
