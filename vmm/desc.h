/*
 * desc.h - segment and gate descriptors as the guest writes them.
 *
 * The one place the monitor spells out the 8-byte descriptor format
 * (Intel SDM vol. 3, 3.4.5 and 6.11): the emulator's segment loads and
 * iret, interrupt delivery through the guest's IDT, the shadow GDT and the
 * VMCS's segment fields all read descriptors through these.  The type
 * values (STA_*, STS_*) are the kernel's own, kern/mmu.h.
 *
 * A segment register's cache (struct vseg) keeps the descriptor's
 * attributes in the VMCS access-rights layout: descriptor bits 40-47
 * (type, S, DPL, P) in bits 0-7, bits 52-55 (AVL, L, D/B, G) in 12-15.
 */
#ifndef VMM_DESC_H
#define VMM_DESC_H

#include "kern/types.h"
#include "kern/mmu.h"
#include "vmm/vcpu.h"

/* Fields of a descriptor held in a uint64_t. */
#define DESC_P		(1ull << 47)
#define DESC_S		(1ull << 44)	/* code or data; 0: a system descriptor */
#define DESC_DB		(1ull << 54)	/* 32-bit segment */
#define DESC_G		(1ull << 55)	/* limit in 4 KB units */
#define DESC_DPL_SHIFT	45
#define DESC_TYPE_SHIFT	40

/* System descriptor types the kernel's header does not name. */
#define STS_T16A	0x1	/* available 16-bit TSS */
#define STS_LDT		0x2	/* local descriptor table */
#define STS_T16B	0x3	/* busy 16-bit TSS */
#define STS_CG16	0x4	/* 16-bit call gate */
#define STS_TASK	0x5	/* task gate */
#define STS_IG16	0x6	/* 16-bit interrupt gate */
#define STS_TG16	0x7	/* 16-bit trap gate */
#define STS_CG32	0xC	/* 32-bit call gate */

/* The same fields in struct vseg's attr (the VMCS layout). */
#define ATTR_TYPE(a)	((a) & 0xf)
#define ATTR_S		0x10
#define ATTR_DPL(a)	(((a) >> 5) & 3)
#define ATTR_P		0x80
#define ATTR_CODE	(ATTR_S | STA_X)	/* S and executable */
#define ATTR_DB		0x4000	/* D/B: 32-bit code, stack or expand-down top */

/** @brief The type field (bits 40-43) of descriptor @p d. */
static inline unsigned
desc_type(uint64_t d)
{
	return (d >> DESC_TYPE_SHIFT) & 0xf;
}

/** @brief The DPL of descriptor @p d. */
static inline unsigned
desc_dpl(uint64_t d)
{
	return (d >> DESC_DPL_SHIFT) & 3;
}

/** @brief The base address of segment descriptor @p d. */
static inline uint32_t
desc_base(uint64_t d)
{
	return (uint32_t) ((d >> 16) & 0xffffff) | (uint32_t) (d >> 56) << 24;
}

/** @brief The limit of descriptor @p d in bytes, granularity (G) applied. */
static inline uint32_t
desc_limit(uint64_t d)
{
	uint32_t lim = (uint32_t) (d & 0xffff) | (uint32_t) ((d >> 48) & 0xf) << 16;

	return d & DESC_G ? lim << 12 | 0xfff : lim;
}

/** @brief A gate's target selector. */
static inline uint16_t
gate_selector(uint64_t g)
{
	return (g >> 16) & 0xffff;
}

/** @brief A gate's target offset. */
static inline uint32_t
gate_offset(uint64_t g)
{
	return (uint32_t) (g & 0xffff) | (uint32_t) (g >> 48) << 16;
}

/**
 * @brief Load a segment register's cache from its selector and 8-byte
 * descriptor, as the CPU does on a segment load: the one place
 * descriptors become struct vseg.
 */
static inline void
vseg_from_desc(struct vseg *s, uint16_t sel, uint64_t d)
{
	s->sel = sel;
	s->base = desc_base(d);
	s->limit = desc_limit(d);
	s->attr = (d >> 40) & 0xf0ff;
}

/**
 * @brief The 8-byte descriptor a segment register's cache @p s stands
 * for: vseg_from_desc() undone (the limit in the units its G bit says).
 */
static inline uint64_t
desc_from_vseg(const struct vseg *s)
{
	uint32_t lim = (s->attr & 0x8000) ? s->limit >> 12 : s->limit;

	return (uint64_t) (lim & 0xffff) | (uint64_t) (s->base & 0xffffff) << 16 |
	       (uint64_t) (s->attr & 0xf0ff) << 40 |
	       (uint64_t) ((lim >> 16) & 0xf) << 48 |
	       (uint64_t) (s->base >> 24) << 56;
}

/**
 * @brief Whether offsets @p off to @p off + @p size - 1 all lie within
 * segment @p s (SDM vol. 3, 5.3): up to the limit for code and
 * expand-up data; above the limit and up to 0xffff, or 0xffffffff with
 * D/B set, for expand-down data.  An access that wraps is outside.
 */
static inline bool
vseg_covers(const struct vseg *s, uint32_t off, uint32_t size)
{
	uint32_t last = off + size - 1;
	bool expand_down = (s->attr & (ATTR_S | STA_X | STA_E)) ==
			   (ATTR_S | STA_E);
	uint32_t upper = s->attr & ATTR_DB ? 0xffffffff : 0xffff;

	if (size == 0 || last < off)
		return false;
	if (expand_down)
		return off > s->limit && last <= upper;
	return last <= s->limit;
}

/**
 * @brief Where the descriptor selected by @p sel lies for the guest
 * described by @p v: in its GDT, or in its LDT when SEL_TI is set.
 * @return 0 with *@p la the descriptor's linear address, or -1 if the
 * selector points past the table's limit (or at a null LDT): the CPU's
 * \#GP(selector)
 */
static inline int
desc_locate(const struct vcpu *v, uint16_t sel, uint32_t *la)
{
	bool ldt = sel & SEL_TI;
	uint32_t off = sel & ~7u;
	uint32_t limit = ldt ? v->ldtr.limit : v->gdtr.limit;

	if ((ldt && (v->ldtr.sel & ~3u) == 0) || off + 7 > limit)
		return -1;
	*la = (ldt ? v->ldtr.base : v->gdtr.base) + off;
	return 0;
}

#endif
