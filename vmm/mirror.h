/*
 * mirror.h - the LAPIC's registers in a page the guest reads directly.
 *
 * An xv6-style kernel reads the LAPIC ID on every lock acquire, and each
 * read would otherwise be an exit (docs/design.md section 5; the idea of
 * VT-x's virtual-APIC page).  The shadow MMU maps this page read-only
 * wherever the guest maps the LAPIC (shadow_set_mirror); writes still
 * fault and reach the device model.  The page is rewritten before the
 * guest runs again whenever the model says a register changed, and the
 * timer's current count on every entry while the timer runs.  A read
 * through the mirror is as fresh as the last exit: the one place it
 * differs from the device, visible only to a guest that polls the count
 * without ever trapping.
 */
#ifndef VMM_MIRROR_H
#define VMM_MIRROR_H

struct vm;

/** @brief Give @p vm a mirror page (none if the host has no page left). */
void mirror_setup(struct vm *vm);

/** @brief Before each entry: bring the page up to date with the model. */
void mirror_refresh(struct vm *vm);

/** @brief Give the page back. */
void mirror_free(struct vm *vm);

#endif
