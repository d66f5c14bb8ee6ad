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
 * from the virtual clock.  While status B's SET bit is on, the clock
 * stands still and the time bytes are plain memory, read back exactly as
 * written (as on QEMU: even an invalid 0x99); when SET goes off, the clock
 * starts again from them, read in the format they were written in (B's
 * before the write that ends SET), carrying any field that overflows.  Status C's update flag is set at every second's
 * update, with its interrupt enabled or not, and cleared by reading C;
 * the interrupts themselves (IRQ 8: periodic, alarm, update) are not
 * modelled.
 *
 * Beside the memory sizes, the CMOS describes the hard disks as QEMU's
 * firmware tables do: their types at 0x12, 0x19-0x1A and their geometry
 * at 0x1B (master) and 0x24 (slave), which old kernels read instead of
 * asking the drive.
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
#define STATB_UIE	0x10	/* update-ended interrupt enable */
#define STATB_BINARY	0x04
#define STATB_24H	0x02
#define STATC_IRQF	0x80
#define STATC_UF	0x10
#define PS2_CENTURY	0x37	/* IBM PS/2's copy of the century, set once */
#define DISK_TYPES	0x12
#define DISK_EXT_TYPE	0x19	/* 0x19 master, 0x1A slave */
#define DISK_PARAMS	0x1B	/* 0x1B master, 0x24 slave: 9 bytes each */
#define DISK_USER_TYPE	47	/* "user defined": the geometry follows */

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

/* A date to Unix seconds; fields past their range carry, as mktime's do. */
static uint64_t
from_date(const struct date *d)
{
	int64_t days = 0, t;
	unsigned y, m;

	for (y = 1970; y < d->year; y++)
		days += 365 + leap(y);
	for (m = 1; m < d->month && m <= 12; m++)
		days += month_days(m, d->year);
	days += (int64_t) d->mday - 1;
	t = days * 86400 + d->hour * 3600 + d->min * 60 + d->sec;
	return t < 0 ? 0 : (uint64_t) t;
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
	struct date d;

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
	r->uf_sec = 0;
	to_date(epoch, &d);
	r->cmos[PS2_CENTURY] = encode(r, d.year / 100);
}

void
vrtc_set_disk(struct vrtc *r, int n, uint16_t cyls, uint8_t heads, uint8_t spt)
{
	uint8_t *p = &r->cmos[DISK_PARAMS + 9 * (n & 1)];

	r->cmos[DISK_TYPES] |= (n & 1) ? 0x0F : 0xF0;	/* "see the extended type" */
	r->cmos[DISK_EXT_TYPE + (n & 1)] = DISK_USER_TYPE;
	p[0] = cyls;
	p[1] = cyls >> 8;
	p[2] = heads;
	p[3] = p[4] = 0xFF;		/* write precompensation: none */
	p[5] = 0xC0 | (heads > 8 ? 0x08 : 0);	/* control: no retries, > 8 heads */
	p[6] = cyls;			/* landing zone */
	p[7] = cyls >> 8;
	p[8] = spt;
}

static bool
time_reg(uint8_t i)
{
	return i == SEC || i == MIN_ || i == HOUR || i == WDAY || i == MDAY ||
	    i == MONTH || i == YEAR || i == CENTURY;
}

/* The time bytes as the clock shows them now, in status B's format. */
static uint8_t
clock_reg(const struct vrtc *r, uint8_t i)
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
	default:
		return encode(r, d.year / 100);
	}
}

/* Status C: an update has ended since C was last read (none while SET holds the clock). */
static uint8_t
status_c(struct vrtc *r)
{
	uint64_t sec = r->now_ns / NS;
	uint8_t v = 0;

	if (!(r->cmos[STATB] & STATB_SET) && sec > r->uf_sec)
		v = STATC_UF;
	if ((v & STATC_UF) && (r->cmos[STATB] & STATB_UIE))
		v |= STATC_IRQF;
	r->uf_sec = sec;
	return v;
}

static uint8_t
read_reg(struct vrtc *r, uint8_t i)
{
	if (time_reg(i))
		return (r->cmos[STATB] & STATB_SET) ? r->cmos[i] : clock_reg(r, i);
	switch (i) {
	case STATA:
		if (!(r->cmos[STATB] & STATB_SET) && r->now_ns % NS >= NS - UIP_NS)
			return r->cmos[STATA] | STATA_UIP;
		return r->cmos[STATA];
	case STATC:
		return status_c(r);
	default:
		return r->cmos[i];
	}
}

/* SET goes on: the time bytes become memory, holding the time it stopped at. */
static void
freeze(struct vrtc *r)
{
	static const uint8_t regs[] = { SEC, MIN_, HOUR, WDAY, MDAY, MONTH, YEAR, CENTURY };
	unsigned i;

	for (i = 0; i < sizeof(regs); i++)
		r->cmos[regs[i]] = clock_reg(r, regs[i]);
}

uint64_t
vrtc_unix_time(const uint8_t *cmos)
{
	struct vrtc r;		/* only for the format status B gives */
	struct date d;

	memset(&r, 0, sizeof(r));
	r.cmos[STATB] = cmos[STATB];
	d.sec = decode(&r, cmos[SEC]);
	d.min = decode(&r, cmos[MIN_]);
	d.hour = decode_hour(&r, cmos[HOUR]);
	d.mday = decode(&r, cmos[MDAY]);
	d.month = decode(&r, cmos[MONTH]);
	d.year = decode(&r, cmos[CENTURY]) * 100 + decode(&r, cmos[YEAR]);
	if (d.year < 100)
		d.year += 2000;	/* a clock without a century byte */
	return from_date(&d);
}

/* SET goes off: the clock runs again from what the time bytes say now. */
static void
thaw(struct vrtc *r)
{
	r->offset = (int64_t) vrtc_unix_time(r->cmos) - (int64_t) (r->epoch + r->now_ns / NS);
	r->uf_sec = r->now_ns / NS;
}

static void
write_b(struct vrtc *r, uint8_t val)
{
	uint8_t old = r->cmos[STATB];

	if (val & STATB_SET)
		val &= ~STATB_UIE;	/* the datasheet's rule, and QEMU's */
	/* Both in the old format: the one the clock ran in, the one written in. */
	if ((val & STATB_SET) && !(old & STATB_SET))
		freeze(r);
	if (!(val & STATB_SET) && (old & STATB_SET))
		thaw(r);
	r->cmos[STATB] = val;
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
	if (time_reg(r->index) && (r->cmos[STATB] & STATB_SET)) {
		r->cmos[r->index] = val;	/* taken when SET goes off */
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
	case STATB:
		write_b(r, val);
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
