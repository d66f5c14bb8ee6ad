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

ifeq ($(TOOLPREFIX),NONE)
$(error No i386 compiler found. Install a cross compiler (i386-elf-gcc) or \
the 32-bit support for host gcc: `sudo apt-get install gcc-multilib` \
(or run `make deps` as root))
endif
ifeq ($(TOOLPREFIX),HOST)
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
include kern/Makefrag
include kern/boot/Makefrag
include user/Makefrag
include guest_xv6/Makefrag
include grade/Makefrag
include solutions_stub/Makefrag
include docs/Makefrag

-include $(shell find $(OBJDIR) -name '*.d' 2>/dev/null)
