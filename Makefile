# zram/zsmalloc movable-memory series: build, boot and test under QEMU.
# Every target is a thin wrapper around one script (see its --help): lib/
# for the series and the kernel builds, vm/ for the guest, check/ for the
# tests and their verdicts, demo/ and bench/ for the demo and benchmarks.

SHELL := /bin/bash
FLAVOUR ?= test

.PHONY: help deps tree build series series-check kselftest demo check \
	check-kasan check-rt checkpatch clean distclean bench bench-latency \
	bisect-check mutants soak deb \
	selftest lint

help:
	@echo "make demo          compaction moving zram's memory, with a report"
	@echo "make check         build the test kernel, run KUnit + kselftests"
	@echo "make check-kasan   the same on a KASAN kernel"
	@echo "make check-rt      the same on a PREEMPT_RT kernel"
	@echo "make selftest      self-test of the harness's verdicts and bad input (seconds)"
	@echo "make lint          shellcheck and pyflakes3 on every script (lib/lint.sh)"
	@echo "make deps          install what is missing (apt-get)"
	@echo "make tree          build/linux = Debian base + patches/"
	@echo "make build         kernel for FLAVOUR=$(FLAVOUR) (flavours below)"
	@echo "make kselftest     build and install the kselftests (FLAVOUR's object dir)"
	@echo "make series        export build/linux to patches/"
	@echo "make series-check  fail if build/linux holds work patches/ lacks"
	@echo "make checkpatch    checkpatch.pl --strict on every patch"
	@echo "make bisect-check  build every prefix of the series, KUnit where locking changes"
	@echo "make mutants       build each deliberate bug in check/mutants/, check a test catches it"
	@echo "make soak          stress + fault injection on the KASAN kernel (DURATION=s, 3600)"
	@echo "make bench         pinned, base and series benchmarks (QUICK=1: short; REPS=N)"
	@echo "make bench-latency preempt-off, cyclictest, fio: base vs series (REPS=N)"
	@echo "make deb           the series as Debian packages (bindeb-pkg; CONFIG=FILE: start from a full config)"
	@echo "make clean         remove guest logs and object dirs (keeps ccache)"
	@echo "make distclean     remove build/ (the kernel tree too)"
	@echo
	@echo "Flavours (FLAVOUR=, config fragments from configs/):"
	@lib/build.sh --list-flavours | sed 's/^/  /'

deps:
	lib/deps.sh

tree: deps
	lib/tree.sh

build: tree
	lib/build.sh --flavour $(FLAVOUR)

series:
	lib/series.sh

series-check:
	lib/series.sh --check

kselftest: build
	check/kselftest-build.sh --obj build/obj-$(FLAVOUR)

demo:
	demo/demo.sh

check:
	check/check.sh

selftest:
	check/selftest.sh

lint:
	lib/lint.sh

check-kasan:
	check/check.sh --flavour kasan

check-rt:
	check/check.sh --flavour rt

checkpatch: tree
	lib/checkpatch.sh

bisect-check: tree
	lib/bisect-check.sh

mutants: tree
	check/mutants.sh

soak: tree
	check/soak.sh --duration $(or $(DURATION),3600)

bench:
	bench/bench.sh alloc $(if $(QUICK),--quick) $(if $(REPS),--reps $(REPS))

bench-latency:
	bench/bench.sh latency $(if $(REPS),--reps $(REPS))

deb:
	lib/deb.sh $(if $(CONFIG),--config $(CONFIG))

clean:
	rm -rf build/vm build/check build/check-* build/demo build/selftest build/obj-* build/kselftest \
		build/accel build/bench build/bench-src build/bench-latency build/lat-src \
		build/bisect build/mutants build/soak
	[ ! -d build/linux/.git ] || git -C build/linux worktree prune

distclean:
	rm -rf build
