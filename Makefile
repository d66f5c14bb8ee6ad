# Top-level Makefile of the course kit.
#
# Every entry point a student, instructor or CI uses lives here; each
# subdirectory contributes its rules through a Makefrag included below.
# Run `make help` for the list.

OBJDIR := obj
V ?= @

# ---------------------------------------------------------------------------
# Toolchain: a cross compiler if one is installed, else host gcc -m32.
# ---------------------------------------------------------------------------
ifndef TOOLPREFIX
TOOLPREFIX := $(shell for p in i386-elf- i386-jos-elf- i686-elf- i686-linux-gnu-; do \
	if $${p}objdump -i 2>&1 | grep -q '^elf32-i386$$' && \
	   command -v $${p}gcc >/dev/null 2>&1; then echo $$p; exit; fi; done; \
	if gcc -m32 -x c -c -o /tmp/.cc-probe-$$$$.o /dev/null >/dev/null 2>&1 && \
	   objdump -f /tmp/.cc-probe-$$$$.o 2>/dev/null | grep -q 'elf32-i386'; then \
		rm -f /tmp/.cc-probe-$$$$.o; echo HOST; exit; fi; \
	rm -f /tmp/.cc-probe-$$$$.o; echo NONE)
endif

# With no compiler, only `make deps` (which installs one) may go on.
ifeq ($(TOOLPREFIX),NONE)
ifeq ($(filter deps help clean,$(MAKECMDGOALS)),)
$(error No i386 compiler found. Install a cross compiler (i386-elf-gcc) or \
the 32-bit support for host gcc: `sudo apt-get install gcc-multilib` \
(or run `make deps`))
endif
endif
ifneq ($(filter HOST NONE,$(TOOLPREFIX)),)
TOOLPREFIX :=
ARCHFLAG := -m32
endif

CC	:= $(TOOLPREFIX)gcc $(ARCHFLAG)
AS	:= $(TOOLPREFIX)as
LD	:= $(TOOLPREFIX)ld
OBJCOPY	:= $(TOOLPREFIX)objcopy
OBJDUMP	:= $(TOOLPREFIX)objdump
NM	:= $(TOOLPREFIX)nm
HOSTCC	:= gcc
PERL	:= perl

# SOL selects the reference solutions in `#if SOL >= N` regions; handouts
# have the regions removed, so the value does not matter there.
SOL ?= 99
WERROR ?= $(if $(CI),-Werror,)

CFLAGS := -O1 -fno-builtin -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -fno-omit-frame-pointer -fno-strict-aliasing \
	-mno-sse -mno-mmx -mno-80387 -fcf-protection=none \
	-gdwarf-4 -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare \
	-std=gnu11 -MD -I. -DSOL=$(SOL) $(WERROR)
ASFLAGS := $(CFLAGS) -DASSEMBLER
LDFLAGS := -m elf_i386 -nostdlib -z noexecstack
LIBGCC := $(shell $(CC) -print-libgcc-file-name)

HOSTCFLAGS := -O2 -g -Wall -Wextra -std=gnu11 -I. $(WERROR)

# ---------------------------------------------------------------------------
# Emulators
# ---------------------------------------------------------------------------
QEMU ?= qemu-system-i386
BOCHS ?= bochs
GDB ?= gdb
ACCEL ?= tcg
CPUS ?= 1
MEM ?= 512
# A per-user GDB port, so several students can share one machine.
GDBPORT := $(shell expr `id -u` % 5000 + 25000)

QEMUOPTS = -m $(MEM) -smp $(CPUS) -no-reboot -net none -accel $(ACCEL) \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 $(QEMUEXTRA)

.DEFAULT_GOAL := all
.PHONY: all help clean deps

all:

# Subdirectories add their rules and their targets to `all`.
include vmm/Makefrag
include kern/Makefrag
include kern/boot/Makefrag
include user/Makefrag
include guest_xv6/Makefrag
# (after guest_xv6/Makefrag: the demonstration boots the guest)
include kern/gdb/Makefrag
include grade/Makefrag
include grade/guests/Makefrag
include solutions_stub/Makefrag
include docs/Makefrag

# ---------------------------------------------------------------------------
# Running the kernel
# ---------------------------------------------------------------------------
.PHONY: run qemu qemu-nox qemu-gdb qemu-nox-gdb gdb test grade-engines print-gdbport

# What the kernel is started with; `make qemu-nox CMDLINE=test=printf`.
# A guest for the monitor (lab 4 on): `make run ENGINE=te GUEST='image
# args,module,...' DISK=disk.img` passes the image, its own Multiboot
# modules and its disk as the kernel's modules, and engine=te disk=... on
# its command line (vmm/bootmods.h).
CMDLINE ?=
ENGINE ?=
GUEST ?=
DISK ?=
# A guest with no engine named runs under the first one (te).
KERNEL_CMDLINE = $(strip $(CMDLINE) \
	$(if $(or $(ENGINE),$(GUEST)),engine=$(or $(ENGINE),$(firstword $(VMM_ENGINES)))) \
	$(if $(DISK),disk=$(DISK)))
QEMU_KERNEL = -kernel $(KERNEL) -append "$(KERNEL_CMDLINE)" \
	$(if $(GUEST),-initrd '$(GUEST)$(if $(DISK),$(comma)$(DISK))')
comma := ,

check-qemu = @command -v $(QEMU) >/dev/null 2>&1 || { \
	echo "$(QEMU) not found: install it with \`sudo apt-get install qemu-system-x86\` (or run \`make deps\` as root)"; \
	exit 1; }; \
	$(check-engine)

# An engine the kernel does not have would leave you at its prompt in QEMU:
# say so here instead (the engines: vmm/Makefrag, VMM_ENGINES).
check-engine = case " $(VMM_ENGINES) " in *" $(or $(ENGINE),$(firstword $(VMM_ENGINES))) "*) ;; \
	*) echo "ENGINE=$(ENGINE): $(if $(filter $(ENGINE),$(VMM_PLANNED)),not built yet: a later lab builds it,no such engine); this kernel has: $(VMM_ENGINES)"; exit 2;; esac

# QEMU's isa-debug-exit device makes QEMU exit with 2 * status + 1; undo
# that so make's exit status is the kernel's.  A plain 0 means QEMU quit
# without one: you quit it, or the machine reset (with -no-reboot, a
# triple fault ends that way).
qemu-exit-status = rc=$$?; \
	if [ $$rc -eq 0 ]; then \
		echo "qemu: stopped without an exit status (quit by hand, or a triple fault)" >&2; \
		exit 1; \
	fi; \
	exit $$((rc >> 1))

## run: the finished system: guest_xv6 boots to its shell under the monitor (engine=te)
# (A sub-make, so that `make deps run` detects the compiler deps installed.)
# With GUEST= given, that guest instead (`make run ENGINE=te GUEST=...`).
run:
	@$(MAKE) --no-print-directory $(if $(GUEST),qemu-nox,run-te)

## qemu: boot the kernel in a QEMU window, serial console in this terminal
qemu: all
	$(check-qemu)
	$(QEMU) $(QEMUOPTS) -serial mon:stdio $(QEMU_KERNEL); $(qemu-exit-status)

## qemu-nox: boot the kernel with no window; Ctrl-a x quits QEMU
qemu-nox: all
	$(check-qemu)
	@echo "*** Console on this terminal. Ctrl-a x quits QEMU."
	$(QEMU) $(QEMUOPTS) -nographic $(QEMU_KERNEL); $(qemu-exit-status)

.gdbinit: kern/gdbinit.tmpl
	sed -e "s/@PORT@/$(GDBPORT)/" -e "s|@KERNEL@|$(KERNEL)|" \
		-e "s|@VMLAB@|kern/gdb/vmlab.py|" $< > $@

## qemu-gdb: like qemu-nox, stopped at the first instruction for `make gdb`
qemu-gdb qemu-nox-gdb: all .gdbinit
	$(check-qemu)
	@echo "*** Now run 'make gdb' in another terminal (port $(GDBPORT))."
	$(QEMU) $(QEMUOPTS) -nographic $(QEMU_KERNEL) -S -gdb tcp::$(GDBPORT)

## gdb: attach GDB to a waiting `make qemu-gdb`
gdb: .gdbinit
	$(GDB) -q -nx -x .gdbinit

print-gdbport:
	@echo $(GDBPORT)

# ---------------------------------------------------------------------------
# Tests, dependencies, housekeeping
# ---------------------------------------------------------------------------

## test: every test: unit tests, the grader (every engine), the API docs, the handout check
# (A student's handout has no handout tooling, so it stops after the docs.)
test:
	$(MAKE) unit
	$(MAKE) grade
	$(MAKE) grade-engines
	$(MAKE) docs
	$(if $(HANDOUT_LAB),,$(MAKE) handout-check)

## grade-engines: the suites every engine must pass as on bare QEMU, under each engine but the first
# (the conformance and hostile guests, labs 4 and 5: privsuite, shadowsuite
# and guest_xv6; te runs them in `grade`)
ENGINE_SUITES := conformance hostile lab4 lab5
grade-engines:
	@set -e; for e in $(wordlist 2,99,$(VMM_ENGINES)); do \
		for s in $(ENGINE_SUITES); do \
			echo "grade-engines: $$s under engine=$$e"; \
			$(MAKE) --no-print-directory grade LAB=$$s ENGINE=$$e; \
		done; \
	done

DEB_PACKAGES := build-essential gcc-multilib gdb qemu-system-x86 bochs \
	bochsbios vgabios bochs-term libcriterion-dev libcapstone-dev doxygen \
	unifdef gnuplot-nox python3

## deps: install the Debian packages the kit needs (root or sudo), or name them
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; \
	done); \
	if [ -z "$$missing" ]; then echo "deps: everything is installed"; exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then sudo=; \
	elif command -v sudo >/dev/null 2>&1; then sudo=sudo; \
	else \
		echo "deps: missing packages; as root, install them with:"; \
		echo "  apt-get update && apt-get install -y" $$missing; exit 1; \
	fi; \
	echo "deps: installing" $$missing; \
	$$sudo apt-get update -qq && \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing

## clean: remove everything the build made
clean:
	rm -rf $(OBJDIR) .gdbinit results.json

## help: this list
help:
	@echo "Targets:"
	@grep -h '^## ' $(MAKEFILE_LIST) | sed 's/^## /  /' | sed 's/: /\t/' | expand -t 18
	@echo "Variables:"
	@echo "  LAB=N TEST=name  the lab (and one test) of make grade, handout, handout-check"
	@echo "  ENGINE=te        the monitor's engine (run, qemu-nox, grade: $(VMM_ENGINES))"
	@echo "  GUEST='IMAGE ARGS,MODULE,...'  a guest for the monitor (qemu-nox, qemu-gdb, run)"
	@echo "  DISK=disk.img    the guest's disk, its primary slave (with GUEST)"
	@echo "  GUEST_CMD='run=selftest'  guest_xv6's command line (run-te, run-native)"
	@echo "  CMDLINE='test=printf'  the kernel's command line (qemu, qemu-nox, qemu-gdb)"
	@echo "  QEMUEXTRA='-icount shift=0,sleep=off'  more QEMU options (an instruction clock)"
	@echo "  MEM=512 ACCEL=kvm GRADE_TIMEOUT_SCALE=2 CI=1 (warnings are errors)"

-include $(shell find $(OBJDIR) -path $(OBJDIR)/handout-check -prune -o -name '*.d' -print 2>/dev/null)
