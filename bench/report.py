#!/usr/bin/python3
"""report.py - tables and plots of a benchmark run, for either suite.

Usage: bench/report.py [--suite alloc|latency] [--out OUTDIR] DIR

Reads the JSON that bench/bench.sh gathered in DIR and writes, into OUTDIR
(default DIR):
  alloc    (DIR/bench.json, make bench): table.md, highalloc.png, cma.png,
           migcost.png, fio.png, teardown.png, swapin.png
  latency  (DIR/latency.json, make bench-latency): latency.md, latency.png
Without --suite, every suite whose JSON is in DIR (there must be one).
Nothing is hard-coded: every number comes from the JSON. The plots are
drawn with matplotlib (Debian's python3-matplotlib, hence /usr/bin/python3).

Every figure is the median over the repetitions with its range (min-max).
Beyond the spread, the one rule for every figure of both suites: a
difference between two kernels is beyond the run-to-run spread only when
the min-max ranges of their per-repetition values do not overlap. Such a
figure is bold in the tables and starred in the plots. A ratio between
kernels is printed as the ratio of the medians with, in brackets, the
extreme ratios the two ranges allow (min/max to max/min); it is never
marked on its own, only when its two figures are beyond the spread.

The plots show each repetition's value as a point next to the median (a
bar, or a line on a log scale).

Exit status: 0 when everything was written; 1, with one line saying why
and nothing written, when DIR or its JSON is missing, unreadable or not
what bench/bench.sh writes, a guest of the run failed, or the figures
are impossible (fewer than 3 repetitions, failed data verification, no
huge page or CMA page at all, nothing migrated where zsmalloc pages are
movable, fio without I/O; the problems are listed first); 2 on bad usage.
"""
import importlib.util
import json
import math
import os
import statistics
import sys

PROG = "report.py"
RULE = ("**Beyond the spread** (bold): the min–max ranges of the two kernels' "
        "per-repetition values do not overlap. Ratios between kernels are the "
        "ratio of the medians, in brackets the extremes the two ranges allow "
        "(min/max to max/min); a ratio is never marked on its own, only when "
        "its two figures are beyond the spread.")


class Fail(Exception):
    """A one-line reason to stop without writing anything."""


def die(msg, status=1):
    print("%s: error: %s" % (PROG, msg), file=sys.stderr)
    sys.exit(status)


# ---------------------------------------------------------------- numbers

class Stats:
    def __init__(self, vals):
        self.vals = list(vals)
        v = sorted(self.vals)
        self.n, self.min, self.max = len(v), v[0], v[-1]
        self.med = statistics.median(v)


def stats(vals):
    v = [x for x in vals if x is not None]
    return Stats(v) if v else None


def apart(a, b):
    """The rule: beyond the spread when the ranges do not overlap."""
    return a is not None and b is not None and (a.min > b.max or a.max < b.min)


def ratio(a, b):
    """a / b: the ratio of the medians and the extremes the ranges allow."""
    if a is None or b is None or not b.med or not b.min or not b.max:
        return None
    return (a.med / b.med, a.min / b.max, a.max / b.min)


def num(x, d=0):
    """x rounded to d decimals (halves away from zero), without trailing zeros."""
    if x is None:
        return "n/a"
    q = 10 ** d
    s = "%.*f" % (d, math.copysign(math.floor(abs(x) * q + 0.5) / q, x))
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def rng(s, d=0, bold=False):
    """'median (min–max)', the median bold when asked."""
    if s is None:
        return "n/a"
    m = num(s.med, d)
    if bold:
        m = "**%s**" % m
    return m + (" (%s–%s)" % (num(s.min, d), num(s.max, d)) if s.n > 1 else "")


def rrng(r, d=2, bold=False, ge=False):
    if r is None:
        return "n/a"
    m = ("≥ " if ge else "") + num(r[0], d)
    if bold:
        m = "**%s**" % m
    return "%s (%s–%s)" % (m, num(r[1], d), num(r[2], d))


def get(obj, path):
    for p in path.split("."):
        if not isinstance(obj, dict):
            return None
        obj = obj.get(p)
    return obj


def row(cells):
    return "| " + " | ".join(str(c) for c in cells) + " |"


def head(cells):
    return [row(cells), row(["---"] * len(cells))]


# ------------------------------------------------------------------ plots

COLOURS = {"base": "#4f81bd", "pinned": "#c0504d", "series": "#9bbb59"}


def colour(k, i):
    return COLOURS.get(k, "C%d" % i)


def figure(rows, cols, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 4.2 * rows), squeeze=False)
    fig.suptitle(title, fontsize=10, x=0.01, ha="left")
    return fig, [ax for r in axes for ax in r]


def panel(ax, groups, kernels, values, title, ylabel, log=False):
    """One panel: per group, per kernel, the median (a bar, or a line on a
    log scale) with each repetition's value as a point right next to it; a
    star over a kernel beyond the spread of base. values[(group, kernel)]
    is the list of per-repetition values."""
    n = max(len(kernels), 1)
    width = 0.8 / n
    top = 0
    for i, k in enumerate(kernels):
        for j, g in enumerate(groups):
            v = [x for x in values.get((g, k), []) if x is not None]
            if log:
                v = [x for x in v if x > 0]
            if not v:
                continue
            x0 = j + (i - (n - 1) / 2) * width
            med = statistics.median(v)
            c = colour(k, i)
            # the median on the left of the kernel's slot, the points right of it
            xm, wm = x0 - width * 0.17, width * 0.5
            if log:
                ax.hlines(med, xm - wm / 2, xm + wm / 2, colors=c, linewidth=3,
                          label=k if j == 0 else None)
            else:
                ax.bar(xm, med, wm, color=c, alpha=0.55, edgecolor=c, label=k if j == 0 else None)
            m = len(v)
            xs = [x0 + width * (0.14 + 0.24 * (r / (m - 1) if m > 1 else 0.5)) for r in range(m)]
            ax.plot(xs, v, "o", color=c, markeredgecolor="black", markersize=4.5, zorder=3)
            top = max(top, max(v))
            b = stats(values.get((g, "base"), []))
            if k != "base" and apart(stats(v), b):
                ax.annotate("*", (x0, max(v)), textcoords="offset points", xytext=(0, 2),
                            ha="center", fontsize=14, fontweight="bold")
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels([str(g) for g in groups])
    ax.set_xlim(-0.5, len(groups) - 0.5)
    ax.set_title(title, fontsize=10)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", linestyle=":", alpha=0.6)
    if log:
        ax.set_yscale("log")
    else:
        ax.set_ylim(0, top * 1.15 if top > 0 else 1)


def save(fig, axes, path):
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper left", bbox_to_anchor=(0.005, 0.97), ncol=len(labels),
               fontsize=9, frameon=False)
    fig.text(0.5, 0.005, "bar (or line, on a log scale): median; points next to it: each "
             "repetition; *: beyond the spread of base (the min-max ranges do not overlap)",
             ha="center", fontsize=8)
    fig.tight_layout(rect=(0, 0.03, 1, 0.90))
    fig.savefig(path, dpi=90)
    import matplotlib.pyplot as plt
    plt.close(fig)


# ----------------------------------------------------------- alloc suite

def alloc_report(data):
    """make bench: returns {file name: text or a plot function}."""
    meta, runs = data.get("meta") or {}, data.get("runs")
    if not isinstance(runs, list) or not runs:
        raise Fail("bench.json has no runs")
    kernels = meta.get("kernels") or sorted({r.get("name") for r in runs})
    for r in runs:
        if not isinstance(r, dict) or "name" not in r or "scenario" not in r or "rep" not in r:
            raise Fail("bench.json: a run without name, scenario or rep")
    scen = [s for s in ("highalloc", "cma", "migcost", "fio", "teardown", "swapin")
            if any(r["scenario"] == s for r in runs)]
    pcts = sorted({r.get("pct") for r in runs if r["scenario"] == "highalloc"})
    algos = sorted({r.get("algo") for r in runs if r["scenario"] == "fio"})

    def sel(sc, key=None, val=None):
        return lambda r: r["scenario"] == sc and (key is None or r.get(key) == val)

    def vals(s, f, k):
        out = []
        for r in runs:
            if r["name"] == k and s(r):
                try:
                    out.append(f(r))
                except (TypeError, ZeroDivisionError):
                    out.append(None)
        return out

    def st(s, f, k):
        return stats(vals(s, f, k))

    def cell(s, f, k, d):
        a = st(s, f, k)
        return rng(a, d, k != "base" and apart(a, st(s, f, "base")))

    def rcell(s, f, k, d):
        if k == "base":
            return "1"
        a, b = st(s, f, k), st(s, f, "base")
        return rrng(ratio(a, b), d, apart(a, b))

    def g(path, mul=1):
        def f(r):
            v = get(r, path)
            return None if v is None else v * mul
        return f

    # Impossible figures stop the report before anything is written.
    problems = []
    for k in kernels:
        for sc in scen:
            # release scenarios run on some kernels only (not pinned)
            if sc in ("teardown", "swapin") and not any(r["name"] == k and r["scenario"] == sc
                                                         for r in runs):
                continue
            keys = {"highalloc": ("pct", pcts), "fio": ("algo", algos)}.get(sc, (None, [None]))
            for v in keys[1]:
                n = len({r["rep"] for r in runs if r["name"] == k and sel(sc, keys[0], v)(r)})
                if n < 3:
                    problems.append("%s: %s%s has %d repetitions, fewer than 3"
                                    % (k, sc, "" if v is None else " %s" % v, n))
    for r in runs:
        if r.get("verified") is False:
            problems.append("%s rep %s: %s data verification failed" % (r["name"], r["rep"], r["scenario"]))
    for p in pcts:
        v = [r.get("hugepages_compacted") or 0 for r in runs if sel("highalloc", "pct", p)(r)]
        if v and max(v) == 0:
            problems.append("highalloc %s%%: no huge page on any kernel" % p)
    v = [r.get("got_pages") or 0 for r in runs if r["scenario"] == "cma"]
    if v and max(v) == 0:
        problems.append("cma: no page of the area obtained on any kernel")
    for r in runs:
        if r["scenario"] == "migcost" and r["name"] != "pinned" and not get(r, "zram.vm.pgmigrate_success"):
            problems.append("%s rep %s: compaction migrated no page with zram data" % (r["name"], r["rep"]))
        if r["scenario"] == "migcost" and r["name"] == "series" and not get(r, "zram.vm.zs_migrated"):
            problems.append("series rep %s: compaction migrated no zsmalloc page" % r["rep"])
        if r["scenario"] == "fio" and (not get(r, "idle.ios") or not get(r, "busy.ios")):
            problems.append("%s rep %s: fio %s did no I/O" % (r["name"], r["rep"], r.get("algo")))
        if r["scenario"] == "teardown":
            for ph in r.get("phases") or []:
                if not ph.get("zs_pages_held", 0) > ph.get("zs_pages_before", 0) or \
                   not isinstance(ph.get("secs"), (int, float)):
                    problems.append("%s rep %s: teardown of %s processes held nothing in zram"
                                    % (r["name"], r["rep"], ph.get("procs")))
        if r["scenario"] == "swapin":
            for ph in r.get("phases") or []:
                if ph.get("bad") != 0 or not ph.get("pages"):
                    problems.append("%s rep %s: swap-in read %s pages, %s wrong"
                                    % (r["name"], r["rep"], ph.get("pages"), ph.get("bad")))
    if problems:
        for p in problems:
            print("%s: %s" % (PROG, p), file=sys.stderr)
        raise Fail("impossible results in bench.json (%d problems above): no table written"
                   % len(problems))

    first = {sc: next(r for r in runs if r["scenario"] == sc) for sc in scen}
    m = meta
    L = ["# zram benchmarks: %s" % ", ".join(kernels), ""]
    L.append("Run %s on `%s` (%s, %s cores), mode `%s`: %s repetitions, kernels interleaved "
             "within each; guests %s, %s vCPUs, accelerator `%s`. Building took %s min, the "
             "guests %s min%s." % (
                 m.get("date", "?"), m.get("host", "?"), m.get("host_cpu", "?"),
                 m.get("host_cpus", "?"), m.get("mode", "?"), m.get("reps", "?"),
                 m.get("guest_mem", "?"), m.get("guest_cpus", "?"), m.get("accel", "?"),
                 num((m.get("build_secs") or 0) / 60, 1), num((m.get("guest_secs") or 0) / 60, 1),
                 " (after a resume: the part run since then; same kernels)" if m.get("resumed") else ""))
    L += ["", "Kernels (same `perf` config, no debug options): **pinned** = Debian 6.12 + "
          "`bench/pinned.patch` (zsmalloc pages unmovable, as before 2016); **base** = Debian "
          "6.12 unpatched; **series** = base + `patches/`.", ""]
    L.append(("**Times are emulated (QEMU TCG)**: compare them only as ratios within this run. "
              if m.get("accel") == "tcg" else "")
             + "Each cell is the median over the repetitions, then (min–max).")
    L += ["", RULE + " Bold marks a kernel against base.", ""]

    if "highalloc" in scen:
        L += ["## 1. High-order allocation with swap on zram", "",
              "Swap on zram (lz4) holding the given share of guest memory (uncompressed). A "
              "fragmenter (`bench/frag.c`) first locks all available memory but one page in two, "
              "so that zram gets its pages from the gaps, all over memory, while reclaim pushes "
              "the data out; then it exits. Then `nr_hugepages` asks for every 2 MiB page (direct "
              "compaction only), and once more after `compact_memory`. Success = huge pages "
              "obtained / (MemAvailable / 2 MiB before the first request). Counters are deltas "
              "over each step (first request; compact_memory and the second request).", ""]
        cols = [("success %", "success", 100, 1), ("success % after compact_memory", "success_compacted", 100, 1),
                ("huge pages", "hugepages", 1, 0), ("after compact_memory", "hugepages_compacted", 1, 0),
                ("limit", "limit", 1, 0), ("free order≥9 blocks before", "free_order9", 1, 0),
                ("compact_stall", "vm.compact_stall", 1, 0), ("compact_success", "vm.compact_success", 1, 0),
                ("compact_fail", "vm.compact_fail", 1, 0), ("pgmigrate_success", "vm.pgmigrate_success", 1, 0),
                ("zsmalloc pages migrated", "vm.zs_migrated", 1, 0),
                ("pgmigrate_success, compact_memory", "vm_compacted.pgmigrate_success", 1, 0),
                ("zsmalloc pages migrated, compact_memory", "vm_compacted.zs_migrated", 1, 0)]
        L += head(["data in zram", "kernel"] + [c[0] for c in cols])
        for p in pcts:
            for k in kernels:
                L.append(row(["%s %%" % p, k] + [cell(sel("highalloc", "pct", p), g(c[1], c[2]), k, c[3])
                                                 for c in cols]))
        L.append("")

    if "cma" in scen:
        c = first["cma"]
        L += ["## 2. CMA allocation with zram full", "",
              "A `cma=` area of %s MiB; while a process holds all memory but the area and 32 MiB "
              "(so that movable allocations take CMA pageblocks), %s MiB of data are swapped out "
              "to zram; that process exits. The area is then allocated through debugfs "
              "`cma/*/alloc` in chunks of %s pages until it is exhausted or a chunk fails. In use "
              "before = CmaTotal − CmaFree (movable pages the kernel put in the area)."
              % (num((c.get("area_pages") or 0) * 4 / 1024), c.get("hold_mb", "?"), c.get("chunk_pages", "?")), ""]
        L += head(["kernel", "share obtained %", "time (s, emulated)", "time / base",
                   "area in use before (MiB)", "pgmigrate_success", "zsmalloc pages migrated"])
        s = sel("cma")
        for k in kernels:
            L.append(row([k, cell(s, g("share", 100), k, 1), cell(s, g("secs"), k, 2),
                          rcell(s, g("secs"), k, 2), cell(s, g("cma_used_mb"), k, 0),
                          cell(s, g("vm.pgmigrate_success"), k, 0), cell(s, g("vm.zs_migrated"), k, 0)]))
        L.append("")

    if "migcost" in scen:
        c = first["migcost"]
        L += ["## 3. Migration cost per page", "",
              "In one guest: %s MiB written to each of two zram block devices at once, the second "
              "then discarded; after a reset, two processes fault in as much anonymous memory as "
              "one device's zsmalloc pages at once, the second then exits; each time one "
              "`compact_memory` follows. Cost = its wall time / pages migrated "
              "(`pgmigrate_success`). On pinned the zram case moves no zsmalloc page: its figure "
              "is the cost of scanning past them." % c.get("data_mb", "?"), ""]
        L += head(["kernel", "zram: µs/page", "zram: pages migrated", "zsmalloc pages migrated",
                   "anon: µs/page", "anon: pages migrated", "zram / anon"])
        s = sel("migcost")
        for k in kernels:
            L.append(row([k, cell(s, g("zram.us_per_page"), k, 1), cell(s, g("zram.vm.pgmigrate_success"), k, 0),
                          cell(s, g("zram.vm.zs_migrated"), k, 0), cell(s, g("anon.us_per_page"), k, 1),
                          cell(s, g("anon.vm.pgmigrate_success"), k, 0),
                          cell(s, lambda r: get(r, "zram.us_per_page") / get(r, "anon.us_per_page"), k, 2)]))
        L.append("")

    if "fio" in scen:
        c = first["fio"]
        L += ["## 4. zram I/O under compaction (fio)", "",
              "fio on a %s MiB zram block device, filled first: %s %s (50 %% reads), O_DIRECT "
              "psync, numjobs = %s (= vCPUs), `buffer_compress_percentage=%s` with refilled "
              "buffers, %s s per phase; reads and writes reported together. Idle, then with a "
              "loop writing `compact_memory`. Drop = 1 − busy MB/s / idle MB/s; latencies in µs "
              "(emulated)." % (c.get("dev_mb", "?"), c.get("bs", "?"), c.get("rw", "?"),
                                c.get("numjobs", "?"), c.get("buffer_compress_percentage", "?"),
                                c.get("runtime", "?")), ""]
        L += head(["algo", "kernel", "MB/s idle", "MB/s busy", "drop %", "idle MB/s / base",
                   "busy MB/s / base", "compactions", "pgmigrate_success", "zsmalloc pages migrated"])
        for a in algos:
            s = sel("fio", "algo", a)
            for k in kernels:
                L.append(row([a, k, cell(s, g("idle.mbps"), k, 2), cell(s, g("busy.mbps"), k, 2),
                              cell(s, g("mbps_drop", 100), k, 1), rcell(s, g("idle.mbps"), k, 2),
                              rcell(s, g("busy.mbps"), k, 2), cell(s, g("compactions"), k, 0),
                              cell(s, g("vm.pgmigrate_success"), k, 0), cell(s, g("vm.zs_migrated"), k, 0)]))
        L.append("")
        L += head(["algo", "kernel", "p50 idle", "p50 busy", "p99 idle", "p99 busy", "p99 busy / idle",
                   "max idle", "max busy"])
        for a in algos:
            s = sel("fio", "algo", a)
            for k in kernels:
                L.append(row([a, k] + [cell(s, g(p), k, 0) for p in ("idle.p50_us", "busy.p50_us",
                                                                      "idle.p99_us", "busy.p99_us")]
                             + [cell(s, g("p99_ratio"), k, 2), cell(s, g("idle.max_us"), k, 0),
                                cell(s, g("busy.max_us"), k, 0)]))
        L.append("")
    def phase(match, fld, mul=1):
        """fld of the phase of a run whose keys equal match's."""
        def f(r):
            for ph in r.get("phases") or []:
                if all(ph.get(a) == b for a, b in match.items()):
                    v = get(ph, fld)
                    return None if v is None else v * mul
            return None
        return f

    rel = [k for k in kernels if any(r["name"] == k and r["scenario"] in ("teardown", "swapin")
                                     for r in runs)]
    procs = sorted({ph.get("procs") for r in runs if r["scenario"] == "teardown"
                    for ph in r.get("phases") or []})
    writers = sorted({ph.get("writers") for r in runs if r["scenario"] == "swapin"
                      for ph in r.get("phases") or []})
    if "teardown" in scen:
        c = first["teardown"]
        L += ["## 5. Teardown: processes with their memory in zram exit", "",
              "Swap on zram (lz4). N processes each fill %s MiB of anonymous memory and push it "
              "to zram (MADV_PAGEOUT); then all are killed at once and the time until the last "
              "one is reaped is measured: each swap slot they held is freed on the way "
              "(zs_free()). Once idle, once while a loop writes `compact_memory`. Busy / idle "
              "compares the same kernel's two phases." % c.get("mb_per_proc", "?"), ""]
        L += head(["processes", "kernel", "idle (s, emulated)", "idle / base",
                   "under compaction (s)", "under compaction / base", "busy / idle",
                   "compactions", "zsmalloc pages held"])
        s = sel("teardown")
        for n in procs:
            for k in rel:
                L.append(row([n, k, cell(s, phase({"procs": n, "compact": False}, "secs"), k, 3),
                              rcell(s, phase({"procs": n, "compact": False}, "secs"), k, 2),
                              cell(s, phase({"procs": n, "compact": True}, "secs"), k, 3),
                              rcell(s, phase({"procs": n, "compact": True}, "secs"), k, 2),
                              cell(s, lambda r, n=n: phase({"procs": n, "compact": True}, "secs")(r)
                                   / phase({"procs": n, "compact": False}, "secs")(r), k, 2),
                              cell(s, phase({"procs": n, "compact": True}, "compactions"), k, 0),
                              cell(s, phase({"procs": n, "compact": False}, "zs_pages_held"), k, 0)]))
        L.append("")
    if "swapin" in scen:
        c = first["swapin"]
        L += ["## 6. Swap-in latency behind compressing writers", "",
              "Swap on zram, zstd level %s. A reader pushes %s MiB to zram, then reads one word "
              "of each page in a shuffled order, timing every fault (`bench/swapin.c`): alone, "
              "then while one writer per vCPU rewrites %s MiB and pushes it to the same device "
              "in a loop. Latencies in µs (emulated)." % (c.get("zstd_level", "?"),
                                                          c.get("reader_mb", "?"), c.get("writer_mb", "?")), ""]
        L += head(["writers", "kernel", "mean", "p50", "p99", "p99 / base", "p99.9", "max",
                   "max / base", "writer rounds"])
        s = sel("swapin")
        for w in writers:
            for k in rel:
                f = lambda key, w=w: phase({"writers": w}, key, 0.001)
                L.append(row([w, k, cell(s, f("mean_ns"), k, 0), cell(s, f("p50_ns"), k, 0),
                              cell(s, f("p99_ns"), k, 0), rcell(s, f("p99_ns"), k, 2),
                              cell(s, f("p999_ns"), k, 0), cell(s, f("max_ns"), k, 0),
                              rcell(s, f("max_ns"), k, 2),
                              cell(s, phase({"writers": w}, "writer_rounds"), k, 0)]))
        L.append("")
    L += ["zsmalloc pages migrated: `n/a` on kernels without the series' counters "
          "(mm_stat columns 10-13).", ""]

    # Every pair of kernels, for the main figures.
    specs = []
    for p in pcts:
        s = sel("highalloc", "pct", p)
        specs += [("highalloc %s %%: success %%" % p, s, g("success", 100), 1),
                  ("highalloc %s %%: success %% after compact_memory" % p, s, g("success_compacted", 100), 1),
                  ("highalloc %s %%: free order≥9 blocks" % p, s, g("free_order9"), 0)]
    if "cma" in scen:
        s = sel("cma")
        specs += [("cma: share obtained %", s, g("share", 100), 1), ("cma: time (s)", s, g("secs"), 2),
                  ("cma: area in use before (MiB)", s, g("cma_used_mb"), 0)]
    if "migcost" in scen:
        s = sel("migcost")
        specs += [("migcost: zram µs/page", s, g("zram.us_per_page"), 1),
                  ("migcost: anon µs/page", s, g("anon.us_per_page"), 1)]
    for n in procs:
        s = sel("teardown")
        specs += [("teardown %s processes: idle (s)" % n, s, phase({"procs": n, "compact": False}, "secs"), 3),
                  ("teardown %s processes: under compaction (s)" % n, s,
                   phase({"procs": n, "compact": True}, "secs"), 3)]
    for w in writers:
        s = sel("swapin")
        specs += [("swap-in, %s writers: p99 (µs)" % w, s, phase({"writers": w}, "p99_ns", 0.001), 0),
                  ("swap-in, %s writers: max (µs)" % w, s, phase({"writers": w}, "max_ns", 0.001), 0)]
    for a in algos:
        s = sel("fio", "algo", a)
        specs += [("fio %s: MB/s idle" % a, s, g("idle.mbps"), 2),
                  ("fio %s: MB/s busy" % a, s, g("busy.mbps"), 2),
                  ("fio %s: MB/s drop %%" % a, s, g("mbps_drop", 100), 1),
                  ("fio %s: p99 busy/idle" % a, s, g("p99_ratio"), 2)]
    L += ["## Differences beyond the run-to-run spread", "",
          "Pairs of kernels whose ranges (min–max over the repetitions) do not overlap, for the "
          "main figures; the ratio is the second kernel's over the first's (medians, and the "
          "extremes the ranges allow):", ""]
    found = 0
    for title, s, f, d in specs:
        for i, a in enumerate(kernels):
            for b in kernels[i + 1:]:
                sa, sb = st(s, f, a), st(s, f, b)
                if apart(sa, sb):
                    found += 1
                    L.append("- %s: %s %s vs %s %s, ratio %s" % (title, b, rng(sb, d), a, rng(sa, d),
                                                               rrng(ratio(sb, sa), 2)))
    if not found:
        L.append("- none")
    L += ["", "Generated by `bench/report.py` from `bench.json`; plots: %s." % ", ".join(
        "%s.png" % sc for sc in scen), ""]

    files = {"table.md": "\n".join(L)}
    title = "%s %s, %s, %s reps" % (m.get("date", "?"), m.get("host", "?"), m.get("mode", "?"), m.get("reps", "?"))

    if "highalloc" in scen:
        def plot_highalloc(path):
            fig, ax = figure(1, 3, "High-order allocation with swap on zram: " + title)
            grp = ["%s %% in zram" % p for p in pcts]
            for a, (fld, mul, t, y) in zip(ax, [
                    ("success", 100, "2 MiB pages obtained / limit, direct compaction", "%"),
                    ("success_compacted", 100, "the same, after compact_memory", "%"),
                    ("free_order9", 1, "free order≥9 blocks before the request", "blocks")]):
                panel(a, grp, kernels, {(gl, k): vals(sel("highalloc", "pct", p), g(fld, mul), k)
                                        for gl, p in zip(grp, pcts) for k in kernels}, t, y)
            save(fig, ax, path)
        files["highalloc.png"] = plot_highalloc
    if "cma" in scen:
        def plot_cma(path):
            fig, ax = figure(1, 3, "CMA allocation with zram full: " + title)
            s = sel("cma")
            for a, (fld, mul, t, y) in zip(ax, [
                    ("cma_used_mb", 1, "CMA area in use before the allocation", "MiB"),
                    ("secs", 1, "time to allocate the area (emulated)", "s"),
                    ("share", 100, "share of the area obtained", "%")]):
                panel(a, ["cma"], kernels, {("cma", k): vals(s, g(fld, mul), k) for k in kernels}, t, y)
            save(fig, ax, path)
        files["cma.png"] = plot_cma
    if "migcost" in scen:
        def plot_migcost(path):
            fig, ax = figure(1, 2, "Migration cost per page: " + title)
            s = sel("migcost")
            grp = ["zsmalloc (zram)", "anonymous"]
            for a, (fld, t, y) in zip(ax, [
                    ("us_per_page", "compact_memory time per page migrated (emulated)", "µs / page"),
                    ("vm.pgmigrate_success", "pages compact_memory migrated", "pages")]):
                panel(a, grp, kernels, {(gl, k): vals(s, g("%s.%s" % (w, fld)), k)
                                        for gl, w in zip(grp, ("zram", "anon")) for k in kernels}, t, y)
            save(fig, ax, path)
        files["migcost.png"] = plot_migcost
    if "fio" in scen:
        def plot_fio(path):
            fig, ax = figure(2, len(algos), "fio 4 KiB randrw on zram, idle and under a "
                             "compact_memory loop: " + title)
            grp = ["idle", "busy (compact_memory loop)"]
            for i, al in enumerate(algos):
                s = sel("fio", "algo", al)
                panel(ax[i], grp, kernels, {(gl, k): vals(s, g("%s.mbps" % ph), k)
                                            for gl, ph in zip(grp, ("idle", "busy")) for k in kernels},
                      "%s: throughput, reads + writes" % al, "MB/s")
                panel(ax[len(algos) + i], grp, kernels,
                      {(gl, k): vals(s, g("%s.p99_us" % ph), k)
                       for gl, ph in zip(grp, ("idle", "busy")) for k in kernels},
                      "%s: p99 completion latency (emulated)" % al, "µs")
            save(fig, ax, path)
        files["fio.png"] = plot_fio
    if "teardown" in scen:
        def plot_teardown(path):
            fig, ax = figure(1, 2, "Teardown of processes with their memory in zram: " + title)
            s = sel("teardown")
            grp = ["N = %s" % n for n in procs]
            for a, (busy, t) in zip(ax, [(False, "idle"), (True, "under a compact_memory loop")]):
                panel(a, grp, rel, {(gl, k): vals(s, phase({"procs": n, "compact": busy}, "secs"), k)
                                    for gl, n in zip(grp, procs) for k in rel},
                      "time until all have exited, " + t, "s (emulated)")
            save(fig, ax, path)
        files["teardown.png"] = plot_teardown
    if "swapin" in scen:
        def plot_swapin(path):
            fig, ax = figure(1, 2, "Swap-in fault latency, alone and behind writers: " + title)
            s = sel("swapin")
            grp = ["alone" if w == 0 else "%s writers" % w for w in writers]
            for a, (key, t) in zip(ax, [("p99_ns", "p99"), ("max_ns", "max")]):
                panel(a, grp, rel, {(gl, k): vals(s, phase({"writers": w}, key, 0.001), k)
                                    for gl, w in zip(grp, writers) for k in rel},
                      "%s fault latency" % t, "µs (emulated)", log=True)
            save(fig, ax, path)
        files["swapin.png"] = plot_swapin
    return files


# --------------------------------------------------------- latency suite

LAT_FIGURES = [
    ("sz_max", "sections.zram.max_us"),
    ("sz_p99", "sections.zram.p99_us"),
    ("sz_p999", "sections.zram.p999_us"),
    ("sz_n", "sections.zram.sections"),
    ("s_n", "sections.sections"),
    ("s_span", "sections.span_secs"),
    ("po", "preemptoff.max_us"),
    ("cmax", "cyclictest.max_us"),
    ("cp99", "cyclictest.p99_us"),
    ("fio", "fio_mbps.total"),
    ("fio_loaded", "fio_loaded_mbps.total"),
    ("swapout", "swap.pswpout"),
    ("swapin", "swap.pswpin"),
]


def latency_report(data):
    """make bench-latency: returns {file name: text or a plot function}."""
    meta, runs = data.get("meta") or {}, data.get("runs")
    if not isinstance(runs, list) or not runs:
        raise Fail("latency.json has no runs")
    for r in runs:
        if not isinstance(r, dict) or "kernel" not in r or "rep" not in r:
            raise Fail("latency.json: a run without kernel or rep")
    failed = [r for r in runs if r.get("failed")]
    if failed:
        r = failed[0]
        raise Fail("latency.json records failed guests (%d; the first: %s rep %s, serial log %s): "
                   "no table written" % (len(failed), r["kernel"], r["rep"], r.get("serial_log", "?")))
    kernels = meta.get("kernels") or sorted({r["kernel"] for r in runs})
    comps = []
    for r in runs:
        for c in r.get("compressors") or []:
            if c.get("compressor") not in comps:
                comps.append(c.get("compressor"))
    if not comps:
        raise Fail("latency.json: no compressor in any run")

    def records(k, comp):
        return sorted(((r["rep"], c) for r in runs if r["kernel"] == k
                       for c in r.get("compressors") or [] if c.get("compressor") == comp),
                      key=lambda x: x[0])

    problems = []
    for k in kernels:
        for comp in comps:
            recs = records(k, comp)
            if len({rep for rep, _ in recs}) < 3:
                problems.append("%s, %s: %d repetitions, fewer than 3" % (k, comp, len(recs)))
            for rep, c in recs:
                if get(c, "fio_mbps.error") or not get(c, "fio_mbps.total"):
                    problems.append("%s rep %s: fio %s did no I/O or failed" % (k, rep, comp))
                if not get(c, "sections.sections"):
                    problems.append("%s rep %s, %s: no preempt-off section recorded" % (k, rep, comp))
                # The figures are of a zram swap load only if it ran: every
                # loop verified a round trip and pages went out and came in.
                loops = get(c, "swap.loop_cycles")
                if not isinstance(loops, list) or not loops or min(loops) < 1:
                    problems.append("%s rep %s, %s: a swap loop verified no round trip in the "
                                    "loaded phase (per loop: %s): the load did not run"
                                    % (k, rep, comp, "not recorded" if loops is None else loops))
                if not get(c, "swap.pswpout") or not get(c, "swap.pswpin"):
                    problems.append("%s rep %s, %s: swap out/in %s/%s pages in the loaded phase: "
                                    "the load did not run" % (k, rep, comp, get(c, "swap.pswpout"),
                                                             get(c, "swap.pswpin")))
    if problems:
        for p in problems:
            print("%s: %s" % (PROG, p), file=sys.stderr)
        raise Fail("impossible results in latency.json (%d problems above): no table written"
                   % len(problems))

    S = {}
    for k in kernels:
        for comp in comps:
            recs = records(k, comp)
            e = {"n": len(recs)}
            for key, path in LAT_FIGURES:
                e[key] = stats(get(c, path) for _, c in recs)
                e[key + "_v"] = [get(c, path) for _, c in recs]
            # The longest zram/zsmalloc section the tracer saw: a window's
            # maximum in zram code; a repetition where none was counts its
            # overall maximum as a bound (every section was shorter).
            zv, nb = [], 0
            for _, c in recs:
                z = get(c, "preemptoff.zram_max_us")
                if z is None:
                    z = get(c, "preemptoff.max_us")
                    nb += z is not None
                zv.append(z)
            e["zram"], e["zram_none"] = stats(zv), nb
            sz = [get(c, "sections.zram") for _, c in recs]
            sz = [z for z in sz if isinstance(z, dict) and z.get("max_us") is not None]
            e["sz_worst"] = max(sz, key=lambda z: z["max_us"]) if sz else None
            worst = [get(c, "preemptoff.worst") or {} for _, c in recs]
            worst = [w for w in worst if w.get("latency_us") is not None]
            e["worst"] = max(worst, key=lambda w: w["latency_us"]) if worst else None
            zw = [get(c, "preemptoff.zram_worst") or {} for _, c in recs]
            zw = [w for w in zw if w.get("latency_us") is not None]
            e["zram_worst"] = max(zw, key=lambda w: w["latency_us"]) if zw else None
            S[(k, comp)] = e

    def cell(k, comp, key, d=0):
        a = S[(k, comp)][key]
        b = S[("base", comp)][key] if ("base", comp) in S else None
        return rng(a, d, k != "base" and apart(a, b))

    def site(w):
        if not w:
            return "n/a"
        s = "`%s` .. `%s`" % (w.get("started_at"), w.get("ended_at"))
        zm = w.get("zram_match")
        if w.get("zram") and zm and zm not in (w.get("started_at"), w.get("ended_at")):
            s += " (via `%s`)" % zm
        return s

    def zcell(e):
        if e["zram"] is None:
            return "n/a"
        if e["zram_none"] == e["zram"].n:
            return "none was the longest; < %s" % rng(e["zram"])
        s = rng(e["zram"])
        if e["zram_none"]:
            s += " (%d of %d reps: none was the longest, their max counted as a bound)" % (
                e["zram_none"], e["zram"].n)
        return s

    m = meta
    commits = m.get("commits") or {}
    L = ["# zram latency benchmark: base 6.12 vs the preemptible-zram series", ""]
    L.append("Run %s on %s (%s, %s host CPUs), QEMU %s, guests with %s vCPUs and %s, flavour %s; "
             "%s repetitions, kernels interleaved (order alternating); %s s loaded phase and %s s "
             "fio-only phase per compressor. Commits: base %s, series %s (patch set %s). Build %s "
             "min, guests %s min." % (
                 m.get("date", "?"), m.get("host", "?"), m.get("host_cpu", "?"), m.get("host_cpus", "?"),
                 str(m.get("accel", "?")).upper(), m.get("guest_cpus", "?"), m.get("guest_mem", "?"),
                 m.get("flavour", "?"), m.get("reps", "?"), m.get("loaded_secs", "?"),
                 m.get("fio_secs", "?"), commits.get("base") or "-", commits.get("series") or "-",
                 (m.get("series_patch_set") or "-")[:12], (m.get("build_secs") or 0) // 60,
                 (m.get("guest_secs") or 0) // 60))
    L.append("")
    if m.get("accel") != "kvm":
        L += ["**TCG: times are emulated (every guest microsecond is host instructions, on 2 shared "
              "host cores); compare the ratios between kernels within this run only, never the "
              "absolute figures.**", ""]
    L += [RULE + " Bold marks series against base.", ""]
    L += ["Load, on all vCPUs at once: fio 4 KiB randrw (50/50, O_DIRECT, numjobs = vCPUs, "
          "buffer_compress_percentage=50) on a zram block device, one `zram_mem hold -p` loop per "
          "vCPU pushing memory through swap on zram and back, cyclictest -m -p95 -i1000 -S; the "
          "preemptoff tracer's `tracing_max_latency` is read and reset every 5 s. Median (min–max) "
          "over the repetitions.", ""]
    # The swap load ran in every run (checked above); how much of it.
    trips = []
    for comp in comps:
        for k in kernels:
            lc = [n for _, c in records(k, comp) for n in get(c, "swap.loop_cycles") or []]
            mb = sorted({get(c, "swap.hold_mb") for _, c in records(k, comp)} - {None})
            if lc:
                trips.append("%s %s %d–%d (%s MiB each)" % (comp, k, min(lc), max(lc),
                                                          "/".join(str(m) for m in mb) or "?"))
    if trips:
        L += ["Verified round trips per swap loop in the loaded phase (min–max over the loops "
              "and repetitions): %s." % "; ".join(trips), ""]
    L += ["Every preempt-off section, from the `preemptirq:preempt_disable`/`preempt_enable` "
          "events (outermost transitions, paired per CPU) over the first part of the loaded phase "
          "(a 16 MiB-per-CPU buffer; span and number of sections below). A section is "
          "zram/zsmalloc's when the disabling or enabling call site or its parent is in zram, "
          "zsmalloc, zcomp, zpool, lz4 or zstd code.", ""]
    L += head(["compressor", "kernel", "zram/zsmalloc sections", "longest (us)", "p99 (us)",
               "p99.9 (us)", "site of the longest (all reps)", "all sections", "span (s)"])
    for comp in comps:
        for k in kernels:
            e = S[(k, comp)]
            w = e["sz_worst"]
            L.append(row([comp, k, cell(k, comp, "sz_n"), cell(k, comp, "sz_max"), cell(k, comp, "sz_p99"),
                          cell(k, comp, "sz_p999"),
                          ("`%s` (%s us)" % (w.get("max_site"), num(w["max_us"]))) if w else "none",
                          cell(k, comp, "s_n"), cell(k, comp, "s_span", 1)]))
    L += ["", "The preemptoff tracer (`tracing_max_latency`, the longest section in the whole "
          "system per 5 s window) and cyclictest, over the whole loaded phase; fio throughput:", ""]
    L += head(["compressor", "kernel", "preempt-off max (us)", "its site (longest of all reps)",
               "longest zram/zsmalloc section (us)", "cyclictest max (us)", "cyclictest p99 (us)",
               "fio MB/s, tracer off", "fio MB/s under load", "swap out / in (pages)"])
    for comp in comps:
        for k in kernels:
            e = S[(k, comp)]
            L.append(row([comp, k, cell(k, comp, "po"),
                          site(e["worst"]) + ("" if not e["worst"] else
                                              (" — zram/zsmalloc" if e["worst"].get("zram") else " — not zram")),
                          zcell(e), cell(k, comp, "cmax"), cell(k, comp, "cp99"), cell(k, comp, "fio", 1),
                          cell(k, comp, "fio_loaded", 1),
                          "%s / %s" % (cell(k, comp, "swapout"), cell(k, comp, "swapin"))]))
    L.append("")

    if "base" in kernels and "series" in kernels:
        L += ["Ratios between the kernels (medians; in brackets the extremes the two ranges "
              "allow). The last column names the figures beyond the spread (their ranges do not "
              "overlap); a ratio is bold only then. The tracer's zram/zsmalloc window maximum is "
              "never marked when a repetition's figure is only a bound.", ""]
        L += head(["compressor", "longest zram/zsmalloc section base/series (events)",
                   "its p99 base/series", "preempt-off max base/series (tracer)",
                   "zram/zsmalloc window max base/series (tracer)", "cyclictest max base/series",
                   "cyclictest p99 base/series", "fio throughput series/base", "beyond the spread"])
        verdicts = []
        for comp in comps:
            b, s = S[("base", comp)], S[("series", comp)]
            ex = []
            for key, name in (("sz_max", "longest zram section"), ("sz_p99", "zram section p99"),
                              ("po", "preempt-off max"), ("cmax", "cyclictest max"),
                              ("cp99", "cyclictest p99"), ("fio", "fio throughput")):
                if apart(b[key], s[key]):
                    ex.append(name)
            bounds = b["zram_none"] or s["zram_none"]
            if not bounds and apart(b["zram"], s["zram"]):
                ex.append("zram window max")
            # base's zram figure is a bound where no window's maximum was
            # zram's: its ratio is then not given; series' bounds make the
            # ratio a lower bound.
            zr = ratio(b["zram"], s["zram"]) if b["zram"] and b["zram_none"] < b["zram"].n else None
            if b["sz_max"] is not None and s["sz_max"] is None and s["sz_n"] is not None:
                szr = szp = "no zram section in series"
            else:
                szr = rrng(ratio(b["sz_max"], s["sz_max"]), 1, apart(b["sz_max"], s["sz_max"]))
                szp = rrng(ratio(b["sz_p99"], s["sz_p99"]), 1, apart(b["sz_p99"], s["sz_p99"]))
            L.append(row([comp, szr, szp, rrng(ratio(b["po"], s["po"]), 2, apart(b["po"], s["po"])),
                          rrng(zr, 2, not bounds and apart(b["zram"], s["zram"]), ge=s["zram_none"] > 0),
                          rrng(ratio(b["cmax"], s["cmax"]), 2, apart(b["cmax"], s["cmax"])),
                          rrng(ratio(b["cp99"], s["cp99"]), 2, apart(b["cp99"], s["cp99"])),
                          rrng(ratio(s["fio"], b["fio"]), 3, apart(s["fio"], b["fio"])),
                          ", ".join(ex) or "none"]))
            verdicts.append((comp, ratio(b["sz_max"], s["sz_max"]), apart(b["sz_max"], s["sz_max"]),
                             ratio(s["fio"], b["fio"]), apart(s["fio"], b["fio"])))
        L += ["", "Against the issue's goal (the longest zram/zsmalloc preempt-off section, from the "
              "events, at least 10x shorter; throughput within 5% of base):", ""]
        for comp, zr, zapart, fr, fapart in verdicts:
            if zr is None:
                zt = "zram/zsmalloc section ratio: not measurable"
            else:
                zt = "zram/zsmalloc section %.1fx shorter (extremes %.1f-%.1f), %s: %s" % (
                    zr[0], zr[1], zr[2], "beyond the spread" if zapart else "within the spread",
                    "goal met" if zr[1] >= 10 else
                    ("goal met on the medians, not over the whole spread" if zr[0] >= 10 else "goal NOT met"))
            if fr is None:
                ft = "throughput: n/a"
            elif fr[0] < 0.95:
                ft = "throughput series/base %.3f (extremes %.3f-%.3f): median more than 5%% lower" % fr
            elif fr[1] >= 0.95:
                ft = "throughput series/base %.3f (extremes %.3f-%.3f): within 5%% of base or better over the whole spread" % fr
            else:
                ft = ("throughput series/base %.3f (extremes %.3f-%.3f), %s: median not more than 5%% "
                      "lower, but the spread reaches %.0f%% lower: not shown"
                      % (fr + ("beyond the spread" if fapart else "within the spread", (1 - fr[1]) * 100)))
            L.append("- %s: %s; %s." % (comp, zt, ft))
        L.append("")

    L += ["Sites of the longest preempt-off section per repetition (start .. end of the section as "
          "the tracer names them; 'zram' when the start, end or the stack at the end is in "
          "zram/zsmalloc/zcomp/lz4/zstd code):", ""]
    for comp in comps:
        for k in kernels:
            parts = []
            for rep, c in records(k, comp):
                w = get(c, "preemptoff.worst") or {}
                if w.get("latency_us") is None:
                    continue
                parts.append("rep %s: %s us `%s` .. `%s`%s" % (rep, num(w["latency_us"]), w.get("started_at"),
                                                             w.get("ended_at"), " (zram)" if w.get("zram") else ""))
            zw = S[(k, comp)]["zram_worst"]
            z = ""
            if zw:
                z = "; longest zram one: %s us `%s` .. `%s`, stack %s" % (
                    num(zw["latency_us"]), zw.get("started_at"), zw.get("ended_at"),
                    " < ".join("`%s`" % f for f in (zw.get("stack") or [])[:6]) or "n/a")
            L.append("- %s, %s: %s%s" % (k, comp, "; ".join(parts) or "n/a", z))
    L += ["", "Generated by `bench/report.py` from `latency.json`.", "", "![latency](latency.png)", ""]
    files = {"latency.md": "\n".join(L)}

    def plot_latency(path):
        tcg = ", TCG: emulated times, compare ratios only" if m.get("accel") != "kvm" else ""
        fig, ax = figure(2, 3, "base 6.12 vs series, %s, %s reps%s" % (m.get("date", "?"), m.get("reps", "?"), tcg))
        for a, (key, t, y, log) in zip(ax, [
                ("sz_max", "longest zram/zsmalloc section (events)", "µs", True),
                ("sz_p99", "zram/zsmalloc sections' p99 (events)", "µs", True),
                ("fio", "zram throughput, fio randrw, tracer off", "MB/s", False),
                ("po", "longest preempt-off section, any (tracer)", "µs", True),
                ("cmax", "cyclictest max wakeup latency", "µs", True),
                ("cp99", "cyclictest p99 wakeup latency", "µs", False)]):
            panel(a, comps, kernels, {(comp, k): S[(k, comp)][key + "_v"] for comp in comps for k in kernels},
                  t, y, log=log)
        save(fig, ax, path)
    files["latency.png"] = plot_latency
    return files


# ------------------------------------------------------------------ main

SUITES = {"alloc": ("bench.json", alloc_report), "latency": ("latency.json", latency_report)}


def main(argv):
    suite, out, args = None, None, []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        if a in ("--suite", "--out"):
            if i + 1 >= len(argv) or argv[i + 1].startswith("--"):
                die("%s needs a value (see --help)" % a, 2)
            if a == "--suite":
                suite = argv[i + 1]
            else:
                out = argv[i + 1]
            i += 2
            continue
        if a.startswith("-"):
            die("unknown option '%s' (see --help)" % a, 2)
        args.append(a)
        i += 1
    if len(args) != 1:
        die("one results directory expected (see --help)", 2)
    if suite is not None and suite not in SUITES:
        die("unknown suite '%s' (alloc, latency)" % suite, 2)
    d = args[0]
    out = out or d
    if not os.path.isdir(d):
        die("%s: no such directory" % d)
    suites = [suite] if suite else [s for s in SUITES if os.path.isfile(os.path.join(d, SUITES[s][0]))]
    if not suites:
        die("%s has no bench.json or latency.json (see --help)" % d)
    files = {}
    try:
        for s in suites:
            name, fn = SUITES[s]
            path = os.path.join(d, name)
            if not os.path.isfile(path):
                raise Fail("%s not found" % path)
            try:
                with open(path) as f:
                    data = json.load(f)
            except (OSError, ValueError) as e:
                raise Fail("%s: not readable JSON (%s)" % (path, str(e).splitlines()[0]))
            if not isinstance(data, dict):
                raise Fail("%s: not a JSON object" % path)
            try:
                files.update(fn(data))
            except (KeyError, TypeError, ValueError, AttributeError, IndexError,
                    ZeroDivisionError, StopIteration) as e:
                raise Fail("%s: unexpected content (%s: %s)" % (path, type(e).__name__, e))
    except Fail as e:
        die(str(e))
    if importlib.util.find_spec("matplotlib") is None:
        die("matplotlib is missing: install python3-matplotlib (make deps)")
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as e:
        die("cannot make %s: %s" % (out, e.strerror))
    # Everything is written under a temporary name first, then renamed:
    # on any failure no table or plot of this run is left behind.
    tmp = {}
    try:
        for name, what in files.items():
            t = os.path.join(out, ".%s.tmp%s" % (name, os.path.splitext(name)[1]))
            if callable(what):
                what(t)
            else:
                with open(t, "w") as f:
                    f.write(what)
            tmp[name] = t
    except Exception as e:  # a plot that fails must not leave half a report
        for t in tmp.values():
            os.unlink(t)
        die("writing %s failed: %s" % (name, str(e).splitlines()[0] if str(e) else type(e).__name__))
    for name, t in tmp.items():
        os.replace(t, os.path.join(out, name))
    print("%s: wrote %s in %s" % (PROG, ", ".join(sorted(files)), out), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
