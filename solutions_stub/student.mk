# solutions_stub/Makefrag - this tree is the student handout of lab @LAB@.
#
# The course's reference tree keeps its handout tooling here; a handout
# keeps only this stand-in, so that the top Makefile still includes a file.
# `make grade LAB=@LAB@` grades your work on lab @LAB@.  Any earlier labs
# come with their solutions, so their tests pass as they are.

HANDOUT_LAB := @LAB@

# Later labs' code is still stubs here, so `make qemu` and friends boot to
# the monitor right after lab @LAB@'s part of kmain (`stage=@LAB@`, see
# kern/ktest.h).  `make qemu-nox CMDLINE=...` chooses otherwise, and so
# does naming a guest or an engine: the monitor then runs the guest.
ifeq ($(strip $(CMDLINE) $(ENGINE) $(GUEST)),)
ifneq ($(origin CMDLINE),command line)
CMDLINE := stage=@LAB@
endif
endif

.PHONY: handout handout-check
handout handout-check:
	@echo "make $@: this is the handout of lab $(HANDOUT_LAB); handouts are" \
		"made and checked from the course's reference tree" >&2
	@exit 1
