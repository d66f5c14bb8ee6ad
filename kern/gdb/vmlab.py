# vmlab.py - GDB commands for looking inside the monitor
# (docs/design.md section 9).
#
# Loaded by the generated .gdbinit (kern/gdbinit.tmpl) and by
# `make demo-faults` (kern/gdb/demo-faults.sh).  The commands read the
# monitor's own structures, struct vm and struct shadow, through GDB's
# knowledge of their types, so they keep working when a field moves:
#
#   vmm-vcpu            the guest's virtual CPU
#   vmm-walk ADDR       the guest's page walk beside the shadow walk, and
#                       what an access to ADDR does
#   vmm-faults          the shadow MMU's counters, by fault class
#   vmm-shadow          the cached shadow roots
#   vmm-guest-symbols   load guest_xv6's symbols beside the kernel's
#   vmm-demo-faults     the lab 5 demonstration (docs/demo-faults.md)
#
# Everything, struct vm as much as the page tables, is read as physical
# memory: through QEMU's gdbstub in its physical-memory mode when it has
# one (so the commands work wherever the CPU stopped, even inside the
# guest, whose address space maps of the monitor only the world switch),
# else through the kernel's own mappings of physical memory
# (kern/memlayout.h), which exist when the CPU is in the monitor.

import re
import subprocess
import tempfile
import textwrap

import gdb

# kern/memlayout.h and kern/mmu.h: macros leave no trace in the debug
# information, so the few the commands need are repeated here.
MONBASE = 0xFC000000
KERNBASE = 0xC0000000
PGSIZE = 4096
PTE_P, PTE_W, PTE_U, PTE_A, PTE_D, PTE_PS = 0x1, 0x2, 0x4, 0x20, 0x40, 0x80
CR0_PG, CR0_WP = 0x80000000, 0x00010000
CR4_PSE = 0x10
PFERR_P, PFERR_W, PFERR_U = 0x1, 0x2, 0x4

PTE_BITS = [(0x1, "P"), (0x2, "W"), (0x4, "U"), (0x8, "PWT"), (0x10, "PCD"),
            (0x20, "A"), (0x40, "D"), (0x80, "PS"), (0x100, "G")]
EFLAGS_BITS = [(0x1, "CF"), (0x4, "PF"), (0x10, "AF"), (0x40, "ZF"),
               (0x80, "SF"), (0x100, "TF"), (0x200, "IF"), (0x400, "DF"),
               (0x800, "OF"), (0x4000, "NT"), (0x10000, "RF"),
               (0x20000, "VM"), (0x40000, "AC")]
CR0_BITS = [(0x1, "PE"), (0x2, "MP"), (0x4, "EM"), (0x8, "TS"), (0x10, "ET"),
            (0x20, "NE"), (0x10000, "WP"), (0x40000, "AM"),
            (0x20000000, "NW"), (0x40000000, "CD"), (0x80000000, "PG")]
CR4_BITS = [(0x1, "VME"), (0x2, "PVI"), (0x4, "TSD"), (0x8, "DE"),
            (0x10, "PSE"), (0x20, "PAE"), (0x40, "MCE"), (0x80, "PGE")]

# What each fault class means, for the counters and the demonstration
# (the names are enum sh_class's, vmm/shadow.h, without SH_).
CLASS_MEANING = {
    "true": "the guest's own tables forbid the access: #PF injected",
    "fill": "shadow miss: the entry is made from the guest's",
    "dirty": "first write to a clean page: the guest's D bit set",
    "trace": "write to a guest page table: emulated, propagated",
    "mmio": "device page: the device model does the access",
    "monitor": "the monitor occupies the address: emulated",
    "wpemu": "CR0.WP=0 kernel write to a read-only page: emulated",
    "gdt": "write to the page of the guest's GDT: emulated, copied",
}


# The widest line the commands print: docs/demo-faults.md promises that a
# terminal this wide shows a stop of the demonstration unwrapped.
WIDTH = 120


class VmlabError(Exception):
    """A condition the user should read about, not a Python traceback."""


def u32(v):
    return int(v) & 0xFFFFFFFF


def bits(val, table):
    names = [n for b, n in table if val & b]
    return " ".join(names) if names else "-"


def has_field(v, name):
    t = v.type.strip_typedefs()
    return any(f.name == name for f in t.fields())


def fit(lines):
    """lines, each one longer than WIDTH broken at spaces, the rest of it
    indented two columns more than its start."""
    out = []
    for line in lines:
        if len(line) <= WIDTH:
            out.append(line)
            continue
        lead = line[:len(line) - len(line.lstrip())]
        out.extend(textwrap.wrap(line, WIDTH, subsequent_indent=lead + "  ",
                                 break_long_words=False,
                                 break_on_hyphens=False))
    return out


def say(text):
    """Write text, its lines fitted to WIDTH, and show it now."""
    gdb.write("\n".join(fit(text.split("\n"))) + "\n")
    gdb.flush()


def sym_exists(name):
    try:
        return gdb.lookup_global_symbol(name) is not None or \
            gdb.lookup_symbol(name)[0] is not None
    except gdb.error:
        return False


# ---------------------------------------------------------------------------
# Memory
# ---------------------------------------------------------------------------

def pa2kva(pa):
    """Where the host kernel maps physical address pa: the direct map
    (kern/kvm.c)."""
    return pa + KERNBASE


def kva2pa(va):
    if va >= MONBASE:
        return va - MONBASE
    if va >= KERNBASE:
        return va - KERNBASE
    raise VmlabError("%#x is not a kernel address" % va)


_phys_mode = None       # None: not tried yet; True/False: QEMU has it or not
# Inside a breakpoint's stop method GDB runs no commands (the target counts
# as running), so no mode switch either: the monitor's code, where those
# breakpoints are, runs on the host's page directory, which maps it all.
_in_stop = False


def _qemu_phys(on):
    try:
        out = gdb.execute("maintenance packet Qqemu.PhyMemMode:%d" % on,
                          to_string=True)
    except gdb.error:
        return False
    return '"OK"' in out


def read_phys(pa, n):
    """n bytes of host-physical memory at pa."""
    global _phys_mode
    inf = gdb.selected_inferior()
    if _phys_mode is not False and not _in_stop:
        if _qemu_phys(1):
            _phys_mode = True
            try:
                return bytes(inf.read_memory(pa, n))
            except gdb.MemoryError:
                raise VmlabError("cannot read host-physical %#x" % pa)
            finally:
                _qemu_phys(0)
        _phys_mode = False
    try:
        return bytes(inf.read_memory(pa2kva(pa), n))
    except gdb.MemoryError:
        raise VmlabError("cannot read host-physical %#x through %#x (this "
                         "gdbstub has no physical-memory mode)%s" %
                         (pa, pa2kva(pa), unmapped_hint()))


def phys32(pa):
    return int.from_bytes(read_phys(pa, 4), "little")


def phys_words(pa, count):
    b = read_phys(pa, 4 * count)
    return [int.from_bytes(b[i:i + 4], "little") for i in range(0, len(b), 4)]


def monitor_mapped():
    """Whether the CPU's page tables map the monitor's data: not in guest
    code, nor in the world switch while it runs on the guest's tables."""
    try:
        gdb.selected_inferior().read_memory(
            u32(gdb.parse_and_eval("&curvm")), 1)
    except gdb.MemoryError:
        return False
    except gdb.error:
        pass            # no kernel symbols: nothing to say either way
    return True


def unmapped_hint():
    """Where to go, when only the monitor's own page directory can help."""
    if monitor_mapped():
        return ""
    return (": the CPU is in the guest's address space, which does not "
            "map the monitor's data; break in the monitor (break vm_run, "
            "or on shadow_fault) and try again")


# ---------------------------------------------------------------------------
# The monitor's data, read as physical memory
# ---------------------------------------------------------------------------
#
# GDB reads a variable at its linked address, which only the host's page
# directory maps: stopped in the guest, `print *curvm` fails.  So the
# commands never have GDB read the monitor's memory itself: they take an
# address (&curvm needs no read), read the bytes with read_phys and build
# the value from them.  A pointer in such a value is followed with
# deref(), never with Value.dereference(), which would read through the
# CPU's page tables again.

# Objects up to a page are read at once; a bigger one (struct vm is over
# 200 KB) becomes a MonObject, whose members are read as they are used.
WHOLE_READ = PGSIZE


def mon_value(va, typ):
    """The monitor's object of type typ at kernel address va."""
    if typ.strip_typedefs().sizeof > WHOLE_READ:
        return MonObject(va, typ)
    return gdb.Value(read_phys(kva2pa(va), typ.sizeof), typ)


class MonObject:
    """A big struct or array of the monitor's, by address: indexing it (by
    member name, or by element for an array) reads just that part."""

    def __init__(self, va, typ):
        self.va = va
        self.type = typ

    def __getitem__(self, key):
        t = self.type.strip_typedefs()
        if isinstance(key, str):
            f = next((f for f in t.fields() if f.name == key), None)
            if f is None:
                raise VmlabError("%s has no member %s: is kern/gdb/vmlab.py "
                                 "older than the kernel?" % (t, key))
            if f.bitsize:
                raise VmlabError("%s.%s is a bit-field: vmlab.py reads only "
                                 "whole bytes" % (t, key))
            return mon_value(self.va + f.bitpos // 8, f.type)
        elem = t.target()
        return mon_value(self.va + int(key) * elem.sizeof, elem)


def deref(p):
    """*p, for p (a gdb.Value) a pointer into the monitor's memory."""
    return mon_value(u32(p), p.type.strip_typedefs().target())


# ---------------------------------------------------------------------------
# The guest: struct vm, its memory
# ---------------------------------------------------------------------------

def the_vm():
    """*curvm, or an error saying why there is none."""
    if gdb.selected_inferior().pid == 0:
        raise VmlabError("GDB is attached to no machine (the guest has ended, "
                         "or `target remote` has not run): `make qemu-gdb` in "
                         "one terminal, `make gdb` in another")
    if not sym_exists("curvm"):
        raise VmlabError("no symbol curvm: load the kernel's symbols "
                         "(symbol-file obj/kern/kernel)")
    p = mon_value(u32(gdb.parse_and_eval("&curvm")),
                  gdb.lookup_type("struct vm").pointer())
    if int(p) == 0:
        raise VmlabError("no guest is running (curvm is NULL): the monitor "
                         "sets it when a run starts (engine=te on the kernel "
                         "command line)")
    return deref(p)


def shadow_of(vm):
    return vm["sh"] if has_field(vm, "sh") else None


class GuestMem:
    """Guest-physical memory: physmap's tables map it to host pages."""

    def __init__(self, vm):
        self.ram = u32(vm["ram"])
        self.physmap_pa = kva2pa(u32(vm["physmap"]))
        self._pts = {}

    def hpa(self, gpa):
        """The host-physical address behind gpa, or None."""
        pdx = gpa >> 22
        if pdx not in self._pts:
            pde = phys32(self.physmap_pa + 4 * pdx)
            self._pts[pdx] = pde & ~0xFFF if pde & PTE_P else None
        pt = self._pts[pdx]
        if pt is None:
            return None
        pte = phys32(pt + 4 * ((gpa >> 12) & 0x3FF))
        if not pte & PTE_P:
            return None
        return (pte & ~0xFFF) | (gpa & 0xFFF)

    def read32(self, gpa):
        h = self.hpa(gpa) if gpa < self.ram else None
        return None if h is None else phys32(h)


def monitor_image_end(vm):
    """The end of what the monitor maps of itself in every guest address
    space: the present directory entries of physmap from MONBASE up (one,
    the world switch's page table: vmm/ringcomp/monview.c)."""
    pa = kva2pa(u32(vm["physmap"]))
    pdes = phys_words(pa + 4 * (MONBASE >> 22), 1024 - (MONBASE >> 22))
    n = 0
    while n < len(pdes) and pdes[n] & PTE_P:
        n += 1
    return (MONBASE + n * (4 << 20)) & 0xFFFFFFFF


# ---------------------------------------------------------------------------
# Walks
# ---------------------------------------------------------------------------

class GuestWalk:
    """The guest's own page tables for one linear address, read the way
    the CPU reads them (two levels, 4 MB pages with CR4.PSE, CR0.WP)."""

    def __init__(self, vm, mem, la):
        v = vm["vcpu"]
        self.la = la
        self.cr0, self.cr3, self.cr4 = u32(v["cr0"]), u32(v["cr3"]), u32(v["cr4"])
        self.paging = bool(self.cr0 & CR0_PG)
        self.wp = bool(self.cr0 & CR0_WP)
        self.pde = self.pte = self.pde_gpa = self.pte_gpa = None
        self.big = False
        self.present = False
        self.missing = None       # which level is not present
        self.problem = None       # tables outside guest RAM
        self.gpa = None
        self.user = self.write = False
        self.accessed = self.dirty = False
        if not self.paging:
            self.present, self.gpa = True, la
            self.user = self.write = self.accessed = self.dirty = True
            return
        self.pde_gpa = (self.cr3 & ~0xFFF) + 4 * (la >> 22)
        self.pde = mem.read32(self.pde_gpa)
        if self.pde is None:
            self.problem = "the directory is not in guest RAM"
            return
        if not self.pde & PTE_P:
            self.missing = "directory"
            return
        if self.pde & PTE_PS and self.cr4 & CR4_PSE:
            self.big = True
            self.pte = self.pde
            self.gpa = (self.pde & 0xFFC00000) | (la & 0x3FFFFF)
        else:
            self.pte_gpa = (self.pde & ~0xFFF) + 4 * ((la >> 12) & 0x3FF)
            self.pte = mem.read32(self.pte_gpa)
            if self.pte is None:
                self.problem = "the page table is not in guest RAM"
                return
            if not self.pte & PTE_P:
                self.missing = "table"
                return
            self.gpa = (self.pte & ~0xFFF) | (la & 0xFFF)
        self.present = True
        self.user = bool(self.pde & self.pte & PTE_U)
        self.write = bool(self.pde & self.pte & PTE_W)
        self.accessed = bool(self.pte & PTE_A)
        self.dirty = bool(self.pte & PTE_D)

    def may_write(self, user):
        """Whether the guest's tables allow a write at this privilege."""
        if not self.present or (user and not self.user):
            return False
        return self.write or (not user and not self.wp)

    def rights(self):
        if not self.present:
            return "no access"
        if not self.paging:
            return "any access (paging off)"
        who = "user" if self.user else "kernel only"
        rw = "read+write" if self.write else "read-only"
        if not self.write and not self.wp:
            rw += " (kernel writes too: CR0.WP clear)"
        return "%s, %s" % (who, rw)


class ShadowWalk:
    """What the CPU really walks for the address: the shadow root the
    guest runs on (or physmap itself while guest paging is off)."""

    def __init__(self, vm, la):
        self.la = la
        self.root = None
        self.root_pa = None
        self.sde = self.ste = self.sde_pa = self.ste_pa = None
        self.big = False
        self.present = False
        self.missing = None
        self.hpa = None
        self.user = self.write = False
        self.table = None         # the struct spage of the shadow table
        sh = shadow_of(vm)
        on = sh is not None and bool(sh["on"])
        if not on:
            self.kind = "physmap"
            self.root_pa = kva2pa(u32(vm["physmap"]))
        else:
            cur = sh["cur"]
            if int(cur) == 0:
                self.kind = "none"
                return
            self.kind = "shadow"
            self.root = deref(cur)
            self.root_pa = u32(self.root["pa"])
        pdx = la >> 22
        self.sde_pa = self.root_pa + 4 * pdx
        self.sde = phys32(self.sde_pa)
        if not self.sde & PTE_P:
            self.missing = "directory"
            return
        if self.sde & PTE_PS:
            self.big = True
            self.ste = self.sde
            self.hpa = (self.sde & 0xFFC00000) | (la & 0x3FFFFF)
        else:
            self.ste_pa = (self.sde & ~0xFFF) + 4 * ((la >> 12) & 0x3FF)
            self.ste = phys32(self.ste_pa)
            if self.kind == "shadow":
                self.table = self._table_spage(sh, pdx)
            if not self.ste & PTE_P:
                self.missing = "table"
                return
            self.hpa = (self.ste & ~0xFFF) | (la & 0xFFF)
        self.present = True
        self.user = bool(self.sde & self.ste & PTE_U)
        self.write = bool(self.sde & self.ste & PTE_W)

    def _table_spage(self, sh, pdx):
        """The shadow page behind root entry pdx: root->back[pdx] holds its
        index in the pool (vmm/shadow.c, table_for)."""
        if not has_field(self.root, "back"):
            return None
        try:
            idx = phys32(kva2pa(u32(self.root["back"])) + 4 * pdx)
            pool = sh["pool"]
            if idx >= pool.type.strip_typedefs().range()[1] + 1:
                return None
            return pool[idx]
        except (VmlabError, gdb.error):
            return None

    def rights(self):
        if not self.present:
            return "no entry"
        who = "user" if self.user else "supervisor (rings 0-2)"
        return "%s, %s" % (who, "read+write" if self.write else "read-only")


def traced(vm, gfn):
    """Whether the shadow MMU traces guest frame gfn (vmm/shadow.c, frame)."""
    sh = shadow_of(vm)
    if sh is None or not has_field(sh, "frames") or gfn >= u32(sh["nframes"]):
        return None
    try:
        gf = gdb.lookup_type("struct gframe")
        per_page = PGSIZE // gf.sizeof
        dirp = kva2pa(u32(sh["frames"]))
        page = phys32(dirp + 4 * (gfn // per_page))
        if page == 0:
            return None
        off = [f for f in gf.fields() if f.name == "traced"][0].bitpos // 8
        at = kva2pa(page) + (gfn % per_page) * gf.sizeof + off
        return int.from_bytes(read_phys(at, 2), "little") > 0
    except (VmlabError, gdb.error, IndexError):
        return None


def shadows_of_frame(vm, gfn):
    """The shadow pages copying guest frame gfn, from the hash by frame."""
    sh = shadow_of(vm)
    out = []
    if sh is None or not has_field(sh, "hash"):
        return out
    n = sh["hash"].type.strip_typedefs().range()[1] + 1
    sp = sh["hash"][gfn % n]
    guard = 0
    while int(sp) != 0 and guard < 64:
        s = deref(sp)
        if u32(s["key"]) == gfn:
            out.append(s)
        sp = s["hnext"]
        guard += 1
    return out


SP_KIND_TEXT = {"root": "root", "pt": "shadow table",
                "big": "shadow table for a 4 MB page"}


def spage_kind(s):
    """enum sp_kind's name, without SP_ and lower case (root, pt, big)."""
    try:
        t = gdb.lookup_type("enum sp_kind")
        names = {int(f.enumval): f.name[3:].lower() for f in t.fields()}
    except gdb.error:
        names = {}
    return names.get(int(s["kind"]), str(int(s["kind"])))


def describe_spage(s):
    k = spage_kind(s)
    if k == "root":
        return "root for guest CR3 %#010x" % u32(s["cr3"])
    role = int(s["role"])
    return "%s for guest frame %#x, directory rights %s, %d reference%s" % (
        SP_KIND_TEXT.get(k, k), u32(s["key"]), bits(role, PTE_BITS),
        int(s["refs"]),
        "" if int(s["refs"]) == 1 else "s")


def verdict(vm, mem, gw, sw):
    """One line: what an access to the address does, and why."""
    la = gw.la
    if sw.kind == "none":
        return "the guest has paging on but runs on no shadow root yet"
    mon_end = monitor_image_end(vm)
    if MONBASE <= la < mon_end:
        return ("the monitor's view, the world switch, is mapped here "
                "(supervisor-only in every shadow): any guest access takes a hidden fault, "
                "class monitor, and is emulated on the guest's mapping")
    if gw.problem:
        return "the guest's tables are broken here: %s" % gw.problem
    if not gw.present:
        if sw.present:
            return ("WRONG: the guest maps nothing here, yet the shadow maps "
                    "hpa %#x: a stale shadow entry (a missed invlpg or "
                    "traced write?)" % sw.hpa)
        return ("the guest's %s entry is not present: any access is a true "
                "fault, injected as #PF (error code 0, not present, plus W "
                "for a write and U from user mode)" % gw.missing)
    if gw.gpa >= mem.ram:
        if not gw.paging:
            return ("guest paging is off and gpa %#x is beyond RAM: a device "
                    "register or open bus, every access faults and is "
                    "emulated (class mmio once paging is on)" % gw.gpa)
        if sw.present and not sw.write:
            return ("a device page (gpa %#x): reads go to what the shadow "
                    "maps read-only (the monitor's mirror of the LAPIC "
                    "registers), writes take a hidden fault, class mmio"
                    % gw.gpa)
        return ("a device page (gpa %#x): every access takes a hidden fault, "
                "class mmio, and the device model performs it" % gw.gpa)
    want = mem.hpa(gw.gpa & ~0xFFF)
    if not gw.paging and sw.present and sw.write and sw.user:
        return ("guest paging is off, linear = physical, and physmap maps "
                "this RAM page to the guest at any ring: accesses run at full "
                "speed, no fault")
    if not sw.present:
        why = "" if gw.accessed else \
            " (the guest's accessed bit is clear: the shadow waits for it)"
        return ("the guest allows %s; the shadow has no entry yet: the first "
                "access takes a hidden fault, class fill%s"
                % (gw.rights(), why))
    if want is not None and (sw.hpa & ~0xFFF) != want:
        return ("WRONG: the shadow maps hpa %#x, but the guest's gpa %#x is "
                "at hpa %#x" % (sw.hpa & ~0xFFF, gw.gpa & ~0xFFF, want))
    if sw.user and not gw.user:
        return "WRONG: the shadow lets user mode reach a kernel-only page"
    if sw.write and not gw.may_write(False):
        return "WRONG: the shadow allows writes the guest's tables forbid"
    user = gw.user
    if gw.may_write(user) and not sw.write:
        t = traced(vm, gw.gpa >> 12)
        if t:
            return ("the guest allows %s, the shadow maps it read-only: this "
                    "frame holds a guest page table, traced, so every write "
                    "takes a hidden fault (class trace), emulated and "
                    "propagated to the shadow" % gw.rights())
        if not gw.dirty:
            return ("the guest allows %s, the shadow maps it read-only: a "
                    "write takes a hidden dirty-bit fault (class dirty; the "
                    "guest's D bit is clear)" % gw.rights())
        if not gw.write:
            return ("kernel-only and read-only, but CR0.WP is clear so the "
                    "guest kernel may write: the shadow maps it read-only, a "
                    "kernel write takes a hidden fault (class wpemu)")
        return ("the guest allows %s, the shadow maps it read-only (left so "
                "by a trace that has ended): a write takes a hidden fault "
                "that refills the entry writable" % gw.rights())
    if not gw.may_write(user):
        return ("read-only on both sides (%s): reads run at full speed, a "
                "write is a true fault" % gw.rights())
    return ("the shadow grants what the guest does (%s): accesses run at "
            "full speed, no fault" % gw.rights())


# ---------------------------------------------------------------------------
# Printing walks
# ---------------------------------------------------------------------------

def fmt_entry(name, idx, where, val):
    if val is None:
        return ["%s[%#05x] @%s" % (name, idx, where), "= (unreadable)"]
    return ["%s[%#05x] @%s" % (name, idx, where),
            "= %#010x %s" % (val, bits(val, PTE_BITS))]


def guest_column(gw, mem):
    la = gw.la
    rows = {}
    if not gw.paging:
        rows["root"] = ["paging off (CR0.PG clear):", "linear = physical"]
        rows["page"] = ["gpa %#010x" % la]
    else:
        rows["root"] = ["CR3 %#010x" % gw.cr3]
        if gw.pde_gpa is not None:
            rows["directory"] = fmt_entry("PDE", la >> 22,
                                          "gpa %#010x" % gw.pde_gpa, gw.pde)
        if gw.big:
            rows["table"] = ["(a 4 MB page: no table)"]
        elif gw.pte_gpa is not None:
            rows["table"] = fmt_entry("PTE", (la >> 12) & 0x3FF,
                                      "gpa %#010x" % gw.pte_gpa, gw.pte)
        if gw.problem:
            rows["page"] = [gw.problem]
        elif not gw.present:
            rows["page"] = ["%s entry not present" % gw.missing]
        else:
            rows["page"] = ["gpa %#010x" % gw.gpa]
    if gw.present:
        if gw.gpa >= mem.ram:
            rows["page"].append("(beyond RAM: a device)")
        else:
            h = mem.hpa(gw.gpa)
            rows["page"].append("-> hpa %#010x" % h if h is not None
                                else "(no host page)")
    rows["rights"] = [gw.rights()]
    return rows


def shadow_column(sw):
    la = sw.la
    rows = {}
    if sw.kind == "none":
        rows["root"] = ["no shadow root yet"]
        return rows
    if sw.kind == "physmap":
        rows["root"] = ["physmap %#010x" % sw.root_pa, "(guest paging off)"]
    else:
        rows["root"] = ["root %#010x" % sw.root_pa,
                        "(for guest CR3 %#010x)" % u32(sw.root["cr3"])]
    rows["directory"] = fmt_entry("PDE", la >> 22, "hpa %#010x" % sw.sde_pa,
                                  sw.sde)
    if sw.big:
        rows["table"] = ["(a 4 MB page: no table)"]
    elif sw.ste_pa is not None:
        rows["table"] = fmt_entry("PTE", (la >> 12) & 0x3FF,
                                  "hpa %#010x" % sw.ste_pa, sw.ste)
    rows["page"] = ["hpa %#010x" % sw.hpa] if sw.present else \
        ["%s entry not present" % sw.missing]
    rows["rights"] = [sw.rights()]
    return rows


# The two walks side by side: a row's label, the guest's column, then the
# shadow's, each wrapped to its own width so that the whole fits WIDTH.
LABEL_W = 10
LEFT_W = 32
RIGHT_W = WIDTH - (2 + LABEL_W + 1 + LEFT_W + 1)


def column_row(label, left, right, out):
    """Append one row (left and right are lists of texts) to out."""
    a = [w for t in left for w in textwrap.wrap(t, LEFT_W) or [""]]
    b = [w for t in right for w in textwrap.wrap(t, RIGHT_W) or [""]]
    for i in range(max(len(a), len(b))):
        out.append(("  %-*s %-*s %s" % (
            LABEL_W, label if i == 0 else "", LEFT_W,
            a[i] if i < len(a) else "", b[i] if i < len(b) else "")).rstrip())


def print_columns(left, right, ltitle, rtitle, out):
    column_row("", [ltitle], [rtitle], out)
    for key in ["root", "directory", "table", "page", "rights"]:
        column_row(key, left.get(key, []), right.get(key, []), out)


def walk_lines(vm, la, before=None):
    """The guest's walk beside the shadow walk, and the verdict."""
    mem = GuestMem(vm)
    gw = GuestWalk(vm, mem, la)
    sw = ShadowWalk(vm, la)
    out = ["linear address %#010x" % la]
    print_columns(guest_column(gw, mem), shadow_column(sw),
                  "guest (its own tables)", "shadow (what the CPU walks)", out)
    if before is not None and before != (sw.sde, sw.ste):
        old = before[1] if before[0] is not None and before[0] & PTE_P \
            else None
        column_row("before", [], ["PTE was %#010x %s" % (
            old, bits(old, PTE_BITS)) if old is not None
            else "no shadow table there"], out)
    if sw.table is not None:
        column_row("", [], [describe_spage(sw.table)], out)
    if gw.present and gw.paging and gw.gpa < mem.ram:
        t = traced(vm, gw.gpa >> 12)
        if t:
            users = shadows_of_frame(vm, gw.gpa >> 12)
            what = "; ".join(describe_spage(s) for s in users) or "?"
            out.append("  gpa %#x is a guest page table the shadow copies "
                       "(traced): %s" % (gw.gpa & ~0xFFF, what))
    out.append("  verdict: " + verdict(vm, mem, gw, sw))
    return out


def shadow_snapshot(vm, la):
    """The shadow entries for la now, to show what a fault changed."""
    try:
        sw = ShadowWalk(vm, la)
        return (sw.sde, sw.ste)
    except (VmlabError, gdb.error):
        return None


# ---------------------------------------------------------------------------
# Counters
# ---------------------------------------------------------------------------

def class_names():
    """enum sh_class, as [(value, "fill"), ...] without SH_NCLASS."""
    t = gdb.lookup_type("enum sh_class")
    out = []
    for f in t.fields():
        if f.name == "SH_NCLASS":
            continue
        out.append((int(f.enumval), f.name[3:].lower()))
    return out


def fault_counts(vm):
    st = shadow_of(vm)["st"]
    return {name: int(st["faults"][val]) for val, name in class_names()}


def counter_lines(vm, brief=False):
    out = []
    sh = shadow_of(vm)
    if sh is None:
        out.append("this kernel has no shadow MMU (struct vm has no member sh)")
    else:
        st = sh["st"]
        counts = fault_counts(vm)
        if brief:
            out.append("  counters: " + ", ".join(
                "%s %d" % (n, c) for n, c in counts.items()) +
                "; exits %d" % int(vm["st"]["exits"]))
            return out
        total = sum(counts.values())
        hidden = total - counts.get("true", 0)
        out.append("shadow MMU page faults: %d (%d true, %d hidden)"
                   % (total, counts.get("true", 0), hidden))
        for name, c in counts.items():
            kind = "true  " if name == "true" else "hidden"
            out.append("  %-8s %s %10d  %s" % (name, kind, c,
                                               CLASS_MEANING.get(name, "")))
        for f in st.type.strip_typedefs().fields():
            if f.name == "faults":
                continue
            out.append("  %-16s %d" % (f.name, int(st[f.name])))
    if has_field(vm, "st"):
        out.append("vmm: %d exits" % int(vm["st"]["exits"]))
    return out


# ---------------------------------------------------------------------------
# Guest symbols
# ---------------------------------------------------------------------------

def guest_symbol(addr):
    """'func+off' for an address, from whichever symbol file knows it."""
    try:
        s = gdb.execute("info symbol %#x" % addr, to_string=True).strip()
    except gdb.error:
        return ""
    if s.startswith("No symbol"):
        return ""
    m = re.match(r"(\S+)(?: \+ (\d+))? in section \S+(?: of (\S+))?", s)
    if not m:
        return ""
    name = m.group(1) + ("+%s" % m.group(2) if m.group(2) else "")
    if m.group(3):
        name += " in " + m.group(3).split("/")[-1].lstrip("_")
    return name


# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------

class VmlabCommand(gdb.Command):
    """Base: an error becomes one line instead of a Python traceback."""

    def invoke(self, arg, from_tty):
        try:
            lines = self.run(arg)
        except VmlabError as e:
            raise gdb.GdbError(str(e))
        except gdb.MemoryError as e:
            # GDB itself read an expression the user gave at the monitor's
            # linked addresses (vmm-walk curvm->vcpu.cr2).
            raise gdb.GdbError("%s%s" % (e, unmapped_hint()))
        except gdb.error as e:
            raise gdb.GdbError(str(e))
        for line in fit(lines):
            gdb.write(line + "\n")


class VcpuCommand(VmlabCommand):
    """Show the guest's virtual CPU: registers, virtual EFLAGS.IF and IOPL,
CPL, control registers, descriptor tables.

Usage: vmm-vcpu

The vcpu holds what the guest believes: while the guest kernel runs at
ring 1 its CPL is 0, its IF and IOPL are virtual, its CR0/CR3/CR4 are
not the CPU's.  Stopped inside the guest, the general registers and EIP
below are as of the last exit; the CPU's are the live ones (info regs)."""

    def __init__(self):
        super().__init__("vmm-vcpu", gdb.COMMAND_DATA)

    def run(self, arg):
        vm = the_vm()
        v = vm["vcpu"]
        out = []
        try:
            img = vm["image"].string()
            cmd = vm["cmdline"].string()
        except gdb.error:
            img, cmd = "?", ""
        out.append("guest %s, %d MB of RAM" % (
            '"%s"' % cmd if cmd.startswith(img) else
            '%s "%s"' % (img, cmd), u32(vm["ram"]) >> 20))
        if not monitor_mapped():
            out.append("(the CPU is in the guest's address space: registers "
                       "below are as of the last exit; `info registers` has "
                       "the live ones)")
        regs = [f.name[4:].lower() for f in
                gdb.lookup_type("enum gpr").fields() if f.name != "NGPRS"]
        gpr = v["gpr"]
        line = "  ".join("%s %08x" % (n, u32(gpr[i]))
                         for i, n in enumerate(regs))
        out.append(line)
        eip = u32(v["eip"])
        sym = guest_symbol(eip)
        cpl = int(v["cpl"])
        out.append("eip %08x%s   cpl %d (the CPU runs it at ring %d)" % (
            eip, " <%s>" % sym if sym else "", cpl, 1 if cpl == 0 else cpl))
        ef = u32(v["eflags"])
        out.append("eflags %08x [%s] IOPL %d   (IF and IOPL virtual: the "
                   "real IF follows IF, the real IOPL is 0)" % (
                       ef, bits(ef, EFLAGS_BITS), (ef >> 12) & 3))
        cr0, cr4 = u32(v["cr0"]), u32(v["cr4"])
        out.append("cr0 %08x [%s]  cr2 %08x  cr3 %08x  cr4 %08x [%s]" % (
            cr0, bits(cr0, CR0_BITS), u32(v["cr2"]), u32(v["cr3"]), cr4,
            bits(cr4, CR4_BITS)))
        for name in ("gdtr", "idtr"):
            if has_field(v, name):
                out.append("%s base %08x limit %04x" % (
                    name, u32(v[name]["base"]), int(v[name]["limit"])))
        for name in ("ldtr", "tr"):
            if has_field(v, name):
                r = v[name]
                out.append("%-4s sel %04x base %08x limit %08x" % (
                    name, int(r["sel"]), u32(r["base"]), u32(r["limit"])))
        if has_field(v, "seg"):
            names = [f.name[4:].lower() for f in
                     gdb.lookup_type("enum sreg").fields()
                     if f.name != "NSREGS"]
            for i, n in enumerate(names):
                s = v["seg"][i]
                out.append("%s  sel %04x base %08x limit %08x attr %04x" % (
                    n, int(s["sel"]), u32(s["base"]), u32(s["limit"]),
                    int(s["attr"])))
        flags = []
        for name in ("halted", "intr_shadow"):
            if has_field(v, name) and bool(v[name]):
                flags.append(name)
        if flags:
            out.append("state: " + ", ".join(flags))
        return out


class WalkCommand(VmlabCommand):
    """Walk a guest linear address through the guest's page tables and the
shadow's, side by side, and say what an access to it does.

Usage: vmm-walk ADDR      (any expression: 0x80100000, $cr2, curvm->vcpu.eip;
                          stopped in the guest, GDB cannot read the monitor's
                          variables such as curvm: give a number or $eip)

Left, the guest's own tables: CR3, the directory entry, the table entry,
the guest-physical page (and the host page behind it).  Right, what the
CPU really walks: the shadow root for the guest's CR3 (or physmap while
guest paging is off), the shadow entries, the host-physical page.  The
verdict says whether an access runs at full speed, takes a hidden fault
(and of which class) or is a true fault the guest handles itself."""

    def __init__(self):
        super().__init__("vmm-walk", gdb.COMMAND_DATA)

    def run(self, arg):
        if not arg.strip():
            raise VmlabError("usage: vmm-walk ADDR")
        vm = the_vm()
        try:
            la = u32(gdb.parse_and_eval(arg))
        except gdb.MemoryError as e:
            if monitor_mapped():
                raise
            # GDB reads the monitor's variables at addresses the guest's
            # page tables leave out; only these commands read physically.
            raise VmlabError("vmm-walk: cannot evaluate %s in the guest's "
                             "address space (%s): give the address as a "
                             "number, or break in the monitor (break vm_run, "
                             "or on shadow_fault) and try again"
                             % (arg.strip(), e))
        return walk_lines(vm, la)


class FaultsCommand(VmlabCommand):
    """Show the shadow MMU's counters: page faults by class (true, and the
hidden ones: fill, dirty, trace, mmio, monitor, wpemu), the other
shadow_stats counters, and the engine's exits.

Usage: vmm-faults"""

    def __init__(self):
        super().__init__("vmm-faults", gdb.COMMAND_DATA)

    def run(self, arg):
        return counter_lines(the_vm())


class ShadowCommand(VmlabCommand):
    """List the shadow roots the shadow MMU has cached, one per guest CR3
(a guest process, for xv6), and how many shadow pages are in use.

Usage: vmm-shadow"""

    def __init__(self):
        super().__init__("vmm-shadow", gdb.COMMAND_DATA)

    def run(self, arg):
        vm = the_vm()
        sh = shadow_of(vm)
        if sh is None:
            raise VmlabError("this kernel has no shadow MMU "
                             "(struct vm has no member sh)")
        out = ["guest paging %s; guest CR3 %#010x" % (
            "on" if bool(sh["on"]) else "off (the guest runs on physmap)",
            u32(vm["vcpu"]["cr3"]))]
        cur = int(sh["cur"])
        roots = sh["roots"]
        n = roots.type.strip_typedefs().range()[1] + 1
        for i in range(n):
            r = roots[i]
            if int(r) == 0:
                continue
            s = deref(r)
            ents = phys_words(u32(s["pa"]), MONBASE >> 22)
            used = sum(1 for e in ents if e & PTE_P)
            # (The root's key, its guest directory's frame, is CR3 >> 12.)
            out.append("  %s slot %2d: guest CR3 %#010x, root at hpa %#010x, "
                       "%d directory entries filled below the monitor, last "
                       "used %d" % ("*" if int(r) == cur else " ", i,
                                    u32(s["cr3"]), u32(s["pa"]), used,
                                    int(s["used"])))
        st = sh["st"]
        pool = sh["pool"].type.strip_typedefs().range()[1] + 1
        if len(out) == 1:
            out.append("  no shadow root cached")
        else:
            out.append("  (* the root the guest runs on)")
        out.append("shadow pages in use: %d (at most %d so far, room for %d)"
                   % (int(st["pages"]), int(st["pages_max"]), pool))
        return out


class GuestSymbolsCommand(VmlabCommand):
    """Load guest_xv6's symbols beside the kernel's, so that guest addresses
print as functions (x/i, info symbol, vmm-vcpu's eip).

Usage: vmm-guest-symbols [KERNEL [USERPROG...]]
Default: obj/guest_xv6/kernel.  User programs (obj/guest_xv6/user/_NAME)
are linked at 0, so load at most one of them at a time.

Not loaded by default: the guest kernel has functions named like the
host kernel's (trap, main...), and `break trap` would then stop in both."""

    def __init__(self):
        super().__init__("vmm-guest-symbols", gdb.COMMAND_FILES)

    def run(self, arg):
        files = gdb.string_to_argv(arg) or ["obj/guest_xv6/kernel"]
        out = []
        for f in files:
            try:
                gdb.execute("add-symbol-file %s" % f, to_string=True)
                out.append("loaded %s" % f)
            except gdb.error as e:
                raise VmlabError("cannot load %s: %s" % (f, e))
        return out


# ---------------------------------------------------------------------------
# The binary translator (vmm/bt/): its cache, a unit beside its guest code
# ---------------------------------------------------------------------------

# vmm/bt/cache.c's hash_of(): the index from guest-linear EIP to units.
BT_HASH_MUL = 2654435761
BT_HASH_BITS = 12


def bt_cache():
    """vmm/bt/cache.c's static `cache`, or an error if this kernel has
    no binary translator."""
    try:
        p = gdb.parse_and_eval("&'vmm/bt/cache.c'::cache")
    except gdb.error:
        raise VmlabError("this kernel has no binary translator "
                         "(vmm/bt/cache.c's cache)")
    return MonObject(u32(p), p.type.target())


def disassemble(data, vma):
    """[(address, instruction text)] of data as i386 code at vma, read by
    objdump (GDB's disassembler reads only memory the CPU maps)."""
    with tempfile.NamedTemporaryFile(suffix=".bin") as f:
        f.write(data)
        f.flush()
        try:
            out = subprocess.run(["objdump", "-D", "-b", "binary", "-m",
                                  "i386", "--adjust-vma=%#x" % vma, f.name],
                                 capture_output=True, text=True).stdout
        except OSError as e:
            raise VmlabError("cannot run objdump: %s" % e)
    insns = []
    for line in out.splitlines():
        m = re.match(r"^\s*([0-9a-f]+):\t[0-9a-f ]+\t(.*)$", line)
        if m:
            insns.append((int(m.group(1), 16), m.group(2).strip()))
    return insns


def bt_unit_at(cache, la, eip):
    """The unit of the cache whose guest code begins at eip (linear la),
    through the cache's own hash; None if there is none."""
    h = ((la * BT_HASH_MUL) & 0xFFFFFFFF) >> (32 - BT_HASH_BITS)
    i = int(cache["hash"][h])
    while i != -1:
        u = cache["unit"][i]
        if u32(u["tx"]["eip"]) == eip:
            return i, u
        i = int(u["next"])
    return None


EXIT_KINDS = {0: "direct", 1: "emulate", 2: "indirect (lookup missed)"}


def bt_unit_lines(cache, i, u):
    tx = u["tx"]
    eip, end = u32(tx["eip"]), u32(tx["end"])
    start, length = u32(tx["start"]), u32(tx["len"])
    tc = u32(gdb.parse_and_eval("&bt_tc"))
    out = ["unit %d: guest %08x-%08x, %d bytes of translation at TC+%#x "
           "(%08x)%s%s" % (i, eip, end, length, start, tc + start,
                           "" if bool(u["chainable"]) else
                           ", not chained (its frames are not watched)",
                           ", run alone" if has_field(u, "single") and
                           bool(u["single"]) else "")]
    off_copy = [f for f in cache.type.strip_typedefs().fields()
                if f.name == "copy"][0].bitpos // 8
    guest = read_phys(kva2pa(cache.va + off_copy + u32(u["copy"])), end - eip)
    out.append("  the guest's code:")
    for a, text in disassemble(guest, eip):
        sym = guest_symbol(a)
        out.append("    %08x%s  %s" % (a, " <%s>" % sym if sym else "", text))
    nmap = int(tx["nmap"])
    starts = {}
    rules = [f.name[8:].lower().replace("_ind", " *")
             for f in gdb.lookup_type("enum bt_rule").fields()]
    for k in range(nmap):
        m = tx["map"][k]
        rule = int(m["rule"]) if has_field(m, "rule") else len(rules)
        starts[u32(m["off"])] = "%08x%s" % (
            u32(m["eip"]), " (%s in line)" % rules[rule]
            if rule < len(rules) - 2 else "")
    exits = {}
    for k in range(int(tx["nexits"])):
        x = tx["exit"][k]
        kind = EXIT_KINDS.get(int(x["kind"]), "?")
        what = "exit: %s" % kind
        if int(x["kind"]) == 0:
            what += ", to %08x" % u32(x["target"])
        else:
            what += ", for the instruction at %08x" % u32(x["at"])
        exits[u32(x["stub"])] = what
    out.append("  its translation (guest EIP where an instruction of the "
               "guest's begins):")
    code = read_phys(kva2pa(tc + start), length)
    for a, text in disassemble(code, start):
        note = ""
        if a in starts:
            note = "   <- %s" % starts[a]
        if a in exits:
            note += "   " + exits[a]
        out.append("    TC+%05x  %-44s%s" % (a, rseg_names(text), note))
    return out


def rseg_names(text):
    """An instruction's %gs:OFFSET operands named by struct bt_rseg's
    field (vmm/bt/rseg.h): translated code reaches the monitor's state
    through %gs alone."""
    fields = [(f.bitpos // 8, f.name) for f in
              gdb.lookup_type("struct bt_rseg").fields()]

    def name(m):
        off = int(m.group(1), 16)
        best = max((f for f in fields if f[0] <= off), default=None)
        return m.group(0) + ("<%s>" % best[1] if best else "")
    return re.sub(r"%gs:0x([0-9a-f]+)", name, text)


def bt_counter_lines(cache, vm):
    st = cache["st"]
    names = [f.name[3:] for f in gdb.lookup_type("enum bt_class").fields()
             if f.name != "BT_NCLASSES"]
    rules = [f.name[8:].lower().replace("_ind", "*")
             for f in gdb.lookup_type("enum bt_rule").fields()
             if f.name not in ("BT_NRULES", "BT_RULE_NONE")]
    by_class = ", ".join("%s %d" % (n, int(st["by_class"][k]))
                         for k, n in enumerate(names))
    by_rule = ", ".join("%s %d" % (n, int(st["by_rule"][k]))
                        for k, n in enumerate(rules))
    r = vm["bt"]
    rseg = mon_value(u32(gdb.parse_and_eval("&bt_rseg")),
                     gdb.lookup_type("struct bt_rseg"))
    return [
        "translations %d of %d guest instructions (%s)" % (
            int(st["translations"]), int(st["guest_insns"]), by_class),
        "in line: %s; indirect lookups %d, %d missed" % (
            by_rule, u32(rseg["lookups"]), int(r["ind_misses"])),
        "cache: %d units, %d bytes of translated code; %d lookups, %d "
        "stale; dropped %d times full, %d for a write to guest code, %d "
        "for a remap" % (int(cache["nunits"]), u32(cache["buf"]["len"]),
                         int(st["lookups"]), int(st["stale"]),
                         int(st["flushes"]), int(st["code_writes"]),
                         int(st["remaps"])),
        "chains made %d; paging changes %d" % (int(st["chains"]),
                                               int(st["paging_checks"])),
        "entries to translated code %d, left by %d direct exits, %d "
        "emulate exits, %d traps; %d interrupt windows; %d entries to "
        "untranslated code" % (int(r["units_run"]), int(r["direct_exits"]),
                               int(r["emulate_exits"]), int(r["traps"]),
                               int(r["windows"]), int(r["untranslated"])),
    ]


class BtCommand(VmlabCommand):
    """Show the binary translator's cache: its counters, or one unit's
translation beside the guest code it was made from.

Usage: vmm-bt          the counters (translations by class, the inline
                       rules, lookups, chains, exits)
       vmm-bt EIP      the unit that begins at guest EIP (an expression:
                       0x80103abc, $eip, curvm->vcpu.eip), both sides
                       disassembled: each translated instruction that
                       begins a guest instruction's translation is marked
                       with its guest EIP, each exit stub with its kind

Every guest instruction of a unit is IDENT (copied), or rewritten by its
class (vmm/bt/translate.c) or by an inline rule (vmm/bt/inline.c); exits
are int $49 stubs the monitor knows from the unit's table."""

    def __init__(self):
        super().__init__("vmm-bt", gdb.COMMAND_DATA)

    def run(self, arg):
        vm = the_vm()
        cache = bt_cache()
        if not arg.strip():
            return bt_counter_lines(cache, vm)
        eip = u32(gdb.parse_and_eval(arg))
        cs_base = u32(vm["vcpu"]["seg"][1]["base"])
        found = bt_unit_at(cache, (cs_base + eip) & 0xFFFFFFFF, eip)
        if found is None:
            raise VmlabError("no unit begins at guest EIP %08x (the guest "
                             "has not run it translated since the cache "
                             "was last dropped, or it is inside a unit)"
                             % eip)
        return bt_unit_lines(cache, *found)


VcpuCommand()
WalkCommand()
FaultsCommand()
ShadowCommand()
GuestSymbolsCommand()
BtCommand()


# ---------------------------------------------------------------------------
# The demonstration (make demo-faults, docs/demo-faults.md)
# ---------------------------------------------------------------------------
#
# The boot of guest_xv6 takes thousands of page faults before faultdemo
# runs, and stopping GDB on each would take minutes.  So the fault
# breakpoints are armed only once faultdemo has started: a breakpoint on
# the monitor's handler of the guest's console output (vmm/board.c's
# console_out, one call per byte the guest's UART sends) collects the
# guest's lines, and the line faultdemo prints before its first step opens
# the gate.  That costs one quick stop per byte of boot output (a few
# hundred) instead of one per fault, needs no guest address, and is the
# very line the audience sees on the console.

START_SYMBOL = "vm_run"
END_SYMBOLS = [("_panic", "the kernel panicked (stopped in _panic, before "
                "its message: `bt` says where)"),
               ("monitor", "the monitor gave the guest up (the console above "
                "says why); the kernel monitor's prompt is next")]
GATE_SYMBOL = "console_out"
GATE_LINE = r"^faultdemo: 1\."
# The stops, in the order faultdemo's story needs them (docs/demo-faults.md).
DEFAULT_CLASSES = ["fill", "dirty", "trace", "true"]


class Demo:
    def __init__(self, batch, expected, gate_re):
        self.batch = batch
        self.expected = expected
        self.gate_re = re.compile(gate_re)
        self.line = ""
        self.gate_open = False
        self.shown = []           # classes shown, in order
        self.pending_show = None  # what the next stop event prints
        self.entry = None         # (la, err, snapshot) at shadow_fault entry
        self.finished = False
        self.detached = False     # GDB let go of the target (quit)
        self.capturing = False
        self.interrupted = False
        self.gave_up = None       # why the run went wrong, if it did
        self.started = False
        self.state = "boot"       # then "gate", "armed"
        self.exit_code = None
        self.names = dict(class_names())
        self.gate_bp = None
        self.entry_bp = None
        self.done_bp = None


demo = None


class DemoBreakpoint(gdb.Breakpoint):
    """A breakpoint whose stop method may read memory (see _in_stop)."""

    def stop(self):
        global _in_stop
        _in_stop = True
        try:
            return self.decide()
        except (gdb.error, VmlabError, ValueError):
            return False
        finally:
            _in_stop = False


class GateBreakpoint(DemoBreakpoint):
    """Collects the guest's console output; stops once at the gate line."""

    def decide(self):
        try:
            c = int(gdb.selected_frame().read_var("c")) & 0xFF
        except (gdb.error, ValueError):
            return False
        if c == 10:
            line, demo.line = demo.line, ""
            if demo.gate_re.search(line):
                demo.gate_open = True
                return True
        elif c != 13 and len(demo.line) < 400:
            demo.line += chr(c)
        return False


class EntryBreakpoint(DemoBreakpoint):
    """At shadow_fault's entry: the shadow entries before the decision."""

    def decide(self):
        try:
            fr = gdb.selected_frame()
            la = u32(fr.read_var("la"))
            err = u32(fr.read_var("hw_err"))
            demo.entry = (la, err, shadow_snapshot(the_vm(), la))
        except (gdb.error, VmlabError, ValueError):
            demo.entry = None
        return False


def fault_args():
    """shadow_fault_done's la and *f.  Where the compiler inlined the call
    into shadow_fault, the arguments may be optimized out at the
    breakpoint: then the same struct sh_fault is found up the stack
    (shadow_fault's out, its caller's own variable), and f->walk.la is
    the address."""
    fr = gdb.selected_frame()
    for _ in range(6):
        if fr is None:
            break
        for name in ("f", "out", "sf"):
            try:
                f = fr.read_var(name)
                if f.type.strip_typedefs().code == gdb.TYPE_CODE_PTR:
                    f = f.dereference()
                if f.type.strip_typedefs().tag != "sh_fault":
                    continue
                return u32(f["walk"]["la"]), f
            except (ValueError, gdb.error):
                continue
        fr = fr.older()
    raise ValueError("no struct sh_fault in the frames at shadow_fault_done")


class DoneBreakpoint(DemoBreakpoint):
    """At shadow_fault_done: stop on the first fault of the next class of
    the story.  One class at a time, in order: the LAPIC writes of the
    timer's interrupts (mmio) come at any time, and would otherwise stop
    first, or between the fill and the dirty bit that explains it."""

    def decide(self):
        try:
            la, f = fault_args()
            cls = demo.names.get(int(f["class"]), "?")
        except (gdb.error, ValueError):
            return False
        if cls != next_class():
            return False
        demo.shown.append(cls)
        demo.pending_show = (la, f, demo.entry)
        return True


def next_class():
    """The class the demonstration waits for, or None once all are shown."""
    return next((c for c in demo.expected if c not in demo.shown), None)


def error_code_text(err):
    return "%s, %s, %s" % ("protection" if err & PFERR_P else "not present",
                           "write" if err & PFERR_W else "read",
                           "user" if err & PFERR_U else "kernel")


def show_fault(la, f, entry):
    vm = the_vm()
    v = vm["vcpu"]
    cls = demo.names.get(int(f["class"]), "?")
    n = len(demo.shown)
    true = cls == "true"
    since = "faultdemo started" if n == 1 else "stop %d" % (n - 1)
    out = ["", "=" * 78,
           "demo-faults: stop %d: class %s, a %s fault (the first since %s)"
           % (n, cls, "TRUE" if true else "HIDDEN", since),
           "=" * 78]
    hw = entry[1] if entry and entry[0] == la else None
    eip = u32(v["eip"])
    sym = guest_symbol(eip)
    who = "faultdemo (user mode)" if int(v["cpl"]) == 3 else "the guest kernel"
    verb = "accessed" if hw is None else "wrote" if hw & PFERR_W else "read"
    out.append("The CPU faulted: %s at eip %#010x%s %s %#010x%s" % (
        who, eip, " <%s>" % sym if sym else "", verb, la,
        "," if hw is not None else "."))
    if hw is not None:
        out.append("  hardware error code %#x (%s)." %
                   (hw, error_code_text(hw)))
    why = f["why"].string() if int(f["why"]) else ""
    if true:
        err = u32(f["err"])
        out.append("Decision: TRUE fault: %s. The monitor injects #PF into "
                   "the guest (CR2 = %#x, error code %#x: %s); its own "
                   "handler runs." % (why, la, err, error_code_text(err)))
    else:
        out.append("Decision: HIDDEN fault, class %s: %s. The guest never "
                   "sees it." % (cls, why))
    out.extend(walk_lines(vm, la, before=entry[2] if entry and
                          entry[0] == la else None))
    if cls == "trace":
        out.extend(traced_entry_lines(vm, la))
    out.extend(counter_lines(vm, brief=True))
    left = [c for c in demo.expected if c not in demo.shown]
    if demo.batch:
        out.append("  (batch: going on)")
    elif left:
        out.append("  Next: `continue` runs to the next fault of class %s%s."
                   % (left[0], " (then %s)" % ", ".join(left[1:])
                      if left[1:] else ""))
        out.append("  Meanwhile try vmm-walk ADDR, vmm-vcpu, vmm-faults, "
                   "vmm-shadow.")
    else:
        out.append("  Every stop of the demonstration has been shown: "
                   "`continue` runs the guest to its end, without stopping "
                   "again (inspect first, if you like).")
    say("\n".join(out))


def traced_entry_lines(vm, la):
    """For a traced write: which guest entry the write changes, and what
    that entry maps, so the audience sees why the shadow must know."""
    mem = GuestMem(vm)
    gw = GuestWalk(vm, mem, la)
    if not gw.present or not gw.paging:
        return []
    gpa = gw.gpa & ~3
    frame = gpa & ~0xFFF
    idx = (gpa & 0xFFF) // 4
    cr3 = gw.cr3 & ~0xFFF
    if frame == cr3:
        return ["  the write changes PDE[%#05x] of the guest's page directory: "
                "linear %#010x-%#010x" % (idx, idx << 22,
                                          ((idx + 1) << 22) - 1)]
    h = mem.hpa(cr3)
    if h is None:
        return []
    pdes = phys_words(h, 1024)
    users = [i for i, e in enumerate(pdes)
             if e & PTE_P and not e & PTE_PS and e & ~0xFFF == frame]
    if not users:
        return ["  the write changes entry %#x of guest page table %#x "
                "(another process's: this CR3 does not use it)"
                % (idx, frame)]
    i = users[0]
    old = mem.read32(gpa)
    return ["  the write changes PTE[%#05x] of that table, which the guest's "
            "PDE[%#05x] points to: it maps linear %#010x (now %#010x %s); "
            "the shadow's copy of it is brought up to date after the write"
            % (idx, i, (i << 22) | (idx << 12), old, bits(old, PTE_BITS))]


def on_stop(event):
    if demo is None:
        return
    if isinstance(event, gdb.SignalEvent):
        demo.interrupted = True
    # While run_until_stop captures GDB's output, it does what follows.
    if demo.capturing:
        return
    if demo.gave_up:
        say("\ndemo-faults: %s.  Look around (bt, vmm-vcpu, "
            "vmm-faults) before `continue`." % demo.gave_up)
        return
    # The instructor typed `continue` after interrupting the script.
    if demo.state == "boot" and demo.started:
        start_gate()
        say("demo-faults: the monitor is starting the guest: "
            "`continue`.")
    elif demo.state == "gate" and demo.gate_open:
        arm_faults()
        say("`continue` runs to the first stop.")
    else:
        show_pending()


def show_pending():
    if demo.pending_show is None:
        return
    la, f, entry = demo.pending_show
    demo.pending_show = None
    try:
        show_fault(la, f, entry)
    except (VmlabError, gdb.error) as e:
        say("demo-faults: cannot show this fault: %s" % e)
    if all(c in demo.shown for c in demo.expected):
        # The rest of the run at full speed: no more stops per fault.  Now,
        # while stopped: a breakpoint deleted while the target runs stays
        # in QEMU, which then reports a trap GDB no longer expects.
        disarm()


def disarm():
    for name in ("entry_bp", "done_bp"):
        bp = getattr(demo, name)
        if bp is not None and bp.is_valid():
            bp.delete()
        setattr(demo, name, None)


def on_exit(event):
    if demo is None:
        return
    # A detach (GDB quitting) also ends up here, with no exit code; the
    # connection closes next, and that is no end of the guest either.
    if not hasattr(event, "exit_code"):
        demo.detached = True
        return
    demo.finished = True
    demo.exit_code = event.exit_code
    if demo.batch:
        return
    status = ""
    if demo.exit_code is not None and demo.exit_code & 1:
        status = " with status %d" % (demo.exit_code >> 1)
    say("\ndemo-faults: the guest has finished%s (faultdemo's summary "
        "and the monitor's counters are above).  Classes shown: %s.  "
        "`quit` leaves GDB." % (status, ", ".join(demo.shown) or "none"))


def on_connection_removed(event):
    """QEMU exited (the guest wrote the debug-exit port): GDB only learns
    that the connection closed."""
    if demo is None or demo.finished or demo.detached:
        return
    demo.finished = True
    if demo.batch or demo.capturing:
        return
    say("\ndemo-faults: the guest has finished (faultdemo's summary "
        "and the monitor's counters are above).  Classes shown: %s.  "
        "`quit` leaves GDB." % (", ".join(demo.shown) or "none"))


class StartBreakpoint(gdb.Breakpoint):
    """vm_run: the kernel runs at its linked addresses, the guest not yet."""

    def stop(self):
        demo.started = True
        return True


class EndBreakpoint(gdb.Breakpoint):
    """The run going wrong: a kernel panic (the machine exits right after)
    or the monitor giving the guest up (the kernel monitor's prompt, which
    would wait for input forever).  Stop there, before it is too late to
    look."""

    def __init__(self, spec, what):
        super().__init__(spec, internal=True)
        self.silent = True
        self.what = what

    def stop(self):
        demo.gave_up = self.what
        return True


def start_gate():
    """From the start of the run: keep breakpoints in, watch the console.

    GDB normally takes its breakpoints out of the target at every stop and
    puts them back at every resume, and QEMU drops its translated code each
    time: with a stop per byte of output, then per fault, the guest would
    crawl (and its timer, were it on host time, would interrupt it ever
    more often).  Inserting them for good is possible from here on; at
    the reset vector nothing is mapped at the kernel's addresses yet."""
    gdb.execute("set breakpoint always-inserted on")
    for spec, what in END_SYMBOLS:
        if sym_exists(spec):
            EndBreakpoint(spec, what)
    demo.gate_bp = GateBreakpoint(GATE_SYMBOL, internal=True)
    demo.gate_bp.silent = True
    demo.state = "gate"


def arm_faults():
    """The gate has opened: break on the shadow MMU's decisions from now."""
    demo.state = "armed"
    demo.gate_bp.delete()
    demo.gate_bp = None
    demo.entry_bp = EntryBreakpoint("shadow_fault", internal=True)
    demo.done_bp = DoneBreakpoint("shadow_fault_done", internal=True)
    demo.done_bp.silent = True
    say("\ndemo-faults: faultdemo has started: breakpoints on the "
        "shadow MMU's decision (shadow_fault_done) are armed.")


def report():
    """Batch mode's verdict: 0 if every expected class was shown."""
    missing = [c for c in demo.expected if c not in demo.shown]
    say("\ndemo-faults: classes shown, in order: %s" %
        (", ".join(demo.shown) or "none"))
    if not demo.gate_open:
        say("demo-faults: FAIL: the guest never printed the line "
            "that starts faultdemo (%s)" % demo.gate_re.pattern)
        return 1
    if missing:
        say("demo-faults: FAIL: never reached: %s (the stops come in the "
            "order of DEMO_CLASSES: no %s fault followed %s)" % (
                ", ".join(missing), missing[0],
                "stop %d" % len(demo.shown) if demo.shown
                else "faultdemo's start"))
        return 1
    if not demo.finished:
        say("demo-faults: FAIL: the guest did not finish")
        return 1
    say("demo-faults: every expected class shown (%s)" %
        ", ".join(demo.expected))
    return 0


def run_until_stop():
    """continue, without GDB's own report of where it stopped (our
    breakpoints' locations say nothing the display does not); False once
    the target has gone (QEMU exited)."""
    demo.capturing = True
    demo.interrupted = False
    try:
        gdb.execute("continue", to_string=True)
    except gdb.error as e:
        if demo.finished or "not being run" in str(e) or \
                "connection closed" in str(e).lower():
            demo.finished = True
            return False
        raise
    finally:
        demo.capturing = False
    if demo.interrupted:
        return False
    if demo.gave_up:
        say("\ndemo-faults: %s." % demo.gave_up)
        return False
    show_pending()
    return not demo.finished and gdb.selected_inferior().pid != 0


class DemoCommand(gdb.Command):
    """Run the true-versus-hidden page fault demonstration (lab 5).

Usage: vmm-demo-faults [--batch] [--classes=fill,dirty,trace,true] [--gate=REGEX]

Expects the kernel stopped at its start with engine=te and guest_xv6
running faultdemo (`make demo-faults` sets all this up).  Runs the boot
without stopping; once faultdemo prints its first step (the guest line
matching --gate), stops at the first page fault of each class of
--classes, in that order (the first fill, then the first dirty-bit fault
after it, and so on), and shows the guest's walk beside the shadow walk,
the decision and the counters.  `continue` goes on to the next class.

--batch: no prompts; runs to the end and quits GDB with status 0 if every
class of --classes was shown and the guest finished, 1 otherwise."""

    def __init__(self):
        super().__init__("vmm-demo-faults", gdb.COMMAND_RUNNING)

    def invoke(self, arg, from_tty):
        global demo
        batch = False
        classes = list(DEFAULT_CLASSES)
        gate = GATE_LINE
        for a in gdb.string_to_argv(arg):
            if a == "--batch":
                batch = True
            elif a.startswith("--classes="):
                classes = [c for c in a[10:].replace(",", " ").split() if c]
            elif a.startswith("--gate="):
                gate = a[7:]
            else:
                raise gdb.GdbError("vmm-demo-faults: unknown argument %s "
                                   "(help vmm-demo-faults)" % a)
        for sym in (START_SYMBOL, GATE_SYMBOL, "shadow_fault",
                    "shadow_fault_done"):
            if not sym_exists(sym):
                raise gdb.GdbError("vmm-demo-faults: the kernel has no %s: "
                                   "this demonstration needs lab 5's shadow "
                                   "MMU (vmm/shadow.c)" % sym)
        try:
            known = [n for _, n in class_names()]
        except gdb.error:
            raise gdb.GdbError("vmm-demo-faults: no enum sh_class in the "
                               "kernel's debug information")
        bad = [c for c in classes if c not in known]
        if bad:
            raise gdb.GdbError("vmm-demo-faults: no class %s (the classes: %s)"
                               % (", ".join(bad), ", ".join(known)))
        demo = Demo(batch, classes, gate)
        gdb.events.stop.connect(on_stop)
        gdb.events.exited.connect(on_exit)
        if hasattr(gdb.events, "connection_removed"):
            gdb.events.connection_removed.connect(on_connection_removed)
        say("demo-faults: booting guest_xv6 under the te engine; the "
            "boot's faults are not shown.")
        start = StartBreakpoint(START_SYMBOL, internal=True, temporary=True)
        start.silent = True
        if run_until_stop() and demo.started:
            start_gate()
            while not demo.gate_open and run_until_stop():
                pass
        if demo.gate_open:
            arm_faults()
            run_until_stop()
        if demo.interrupted:
            say("demo-faults: interrupted; `continue` goes on with the "
                "demonstration.")
            return
        if not batch:
            return
        while not demo.gave_up and run_until_stop():
            pass
        if demo.gave_up:
            say("demo-faults: FAIL: %s" % demo.gave_up.split(" (")[0])
            gdb.execute("quit 1")
        status = report()
        gdb.execute("quit %d" % status)


DemoCommand()
