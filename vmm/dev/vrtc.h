/*
 * vrtc.h - the MC146818 real-time clock and CMOS memory (index 0x70,
 * data 0x71).
 */
#ifndef VMM_DEV_RTC_H
#define VMM_DEV_RTC_H

#include "kern/types.h"

#define VRTC_INDEX	0x70
#define VRTC_DATA	0x71

struct vrtc {
	uint8_t index;
	bool nmi_disabled;	/* bit 7 of the last index written */
	uint8_t cmos[128];	/* status and memory bytes; time bytes only under SET */
	uint64_t epoch;		/* Unix seconds at virtual time 0 */
	int64_t offset;		/* seconds the guest moved the clock by */
	uint64_t now_ns;
	uint64_t uf_sec;	/* virtual second of the last read of status C */
};

/** @brief Reset the clock: it reads @p epoch (Unix seconds) at virtual time 0;
 *  the CMOS memory-size bytes describe @p ram_bytes of RAM. */
void vrtc_init(struct vrtc *r, uint64_t epoch, uint32_t ram_bytes);
/** @brief Describe hard disk @p n (0 master, 1 slave) in the CMOS, with its geometry. */
void vrtc_set_disk(struct vrtc *r, int n, uint16_t cyls, uint8_t heads, uint8_t spt);
/** @brief Guest read of port 0x70 or 0x71. */
uint8_t vrtc_read(struct vrtc *r, uint16_t port);
/** @brief Guest write of @p val to port 0x70 or 0x71. */
void vrtc_write(struct vrtc *r, uint16_t port, uint8_t val);
/** @brief The Unix time that CMOS bytes @p cmos (indexed as the CMOS: 0x00-0x32, status B
 *  at 0x0B saying BCD or binary, 12 or 24 hours) show. */
uint64_t vrtc_unix_time(const uint8_t *cmos);
/** @brief Bring the clock to virtual time @p now_ns. */
void vrtc_advance(struct vrtc *r, uint64_t now_ns);

#endif
