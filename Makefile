# zram/zsmalloc movable-memory series: build, boot and test under QEMU.
# Every target is a thin wrapper around one script in scripts/ (see --help).

SHELL := /bin/bash
FLAVOUR ?= test
S := scripts

.PHONY: help deps tree build series series-check kselftest demo check \
	check-kasan check-rt checkpatch clean distclean bench bench-latency \
	bisect-check mutants soak \
	selftest

help:
	@echo "make demo          compaction moving zram's memory, with a report"
	@echo "make check         build the test kernel, run KUnit + kselftests"
	@echo "make check-kasan   the same on a KASAN kernel"
	@echo "make check-rt      the same on a PREEMPT_RT kernel"
	@echo "make selftest      self-test of check's and demo's verdicts (seconds)"
	@echo "make deps          install what is missing (apt-get)"
	@echo "make tree          build/linux = Debian base + patches/"
	@echo "make build         kernel for FLAVOUR=$(FLAVOUR) (test, perf, kasan)"
	@echo "make series        export build/linux to patches/"
	@echo "make series-check  fail if build/linux holds work patches/ lacks"
	@echo "make checkpatch    checkpatch.pl --strict on every patch"
	@echo "make bisect-check  build every prefix of the series, KUnit where locking changes"
	@echo "make mutants       build each deliberate bug in tests/mutants/, check a test catches it"
	@echo "make soak          stress + fault injection on the KASAN kernel (DURATION=s, 3600)"
	@echo "make bench         pinned, base and series benchmarks (QUICK=1: short)"
	@echo "make bench-latency preempt-off, cyclictest, fio: base vs series (REPS=N)"
	@echo "make clean         remove guest logs and object dirs (keeps ccache)"

deps:
	$(S)/deps.sh

tree: deps
	$(S)/tree.sh

build: tree
	$(S)/build.sh --flavour $(FLAVOUR)

series:
	$(S)/series.sh

series-check:
	$(S)/series.sh --check

kselftest: build
	$(S)/kselftest.sh --obj build/obj-$(FLAVOUR)

demo:
	$(S)/demo.sh

check:
	$(S)/check.sh

selftest:
	$(S)/selftest.sh

check-kasan:
	$(S)/check.sh --flavour kasan

check-rt:
	$(S)/check.sh --flavour rt

checkpatch: tree
	$(S)/checkpatch.sh

bisect-check: tree
	$(S)/bisect-check.sh

mutants: tree
	$(S)/mutants.sh

soak: tree
	$(S)/soak.sh --duration $(or $(DURATION),3600)

bench:
	$(S)/bench.sh $(if $(QUICK),--quick)

bench-latency:
	$(S)/bench-latency.sh $(if $(REPS),--reps $(REPS))

clean:
	rm -rf build/vm build/check build/check-* build/demo build/selftest build/obj-* build/kselftest \
		build/accel build/bench build/bench-src build/bench-latency build/lat-src \
		build/bisect build/mutants build/soak
	[ ! -d build/linux/.git ] || git -C build/linux worktree prune

distclean:
	rm -rf build
