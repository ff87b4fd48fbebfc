#!/usr/bin/env python3
"""bench-latency-report.py - table and plot from a 'make bench-latency' run.

Usage: scripts/bench-latency-report.py DIR

Reads DIR/latency.json (scripts/bench-latency.sh: metadata and one record
per kernel and repetition) and writes DIR/latency.md and DIR/latency.png
(gnuplot). Figures are medians over the repetitions with their range
(min-max); a difference between base and series "exceeds the spread" when
the two ranges do not overlap. Nothing is hard-coded: every number comes
from the JSON.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile

if len(sys.argv) != 2 or sys.argv[1] in ("-h", "--help"):
    print(__doc__.strip())
    sys.exit(0 if len(sys.argv) == 2 else 2)
d = sys.argv[1]
if not os.path.isfile(os.path.join(d, "latency.json")):
    sys.exit("bench-latency-report.py: error: %s not found: run "
             "scripts/bench-latency.sh" % os.path.join(d, "latency.json"))
with open(os.path.join(d, "latency.json")) as f:
    data = json.load(f)
meta, runs = data["meta"], data["runs"]
kernels = meta["kernels"]
ok = [r for r in runs if not r.get("failed")]
failed = [r for r in runs if r.get("failed")]
comps = []
for r in ok:
    for c in r["compressors"]:
        if c["compressor"] not in comps:
            comps.append(c["compressor"])
if not ok or not comps:
    sys.exit("bench-latency-report.py: no successful run in %s" % d)


def records(k, comp):
    out = []
    for r in ok:
        if r["kernel"] != k:
            continue
        for c in r["compressors"]:
            if c["compressor"] == comp:
                out.append((r["rep"], c))
    return out


def get(c, path):
    for p in path.split("."):
        if c is None:
            return None
        c = c.get(p)
    return c


def stats(vals):
    v = sorted(x for x in vals if x is not None)
    if not v:
        return None
    return {"n": len(v), "min": v[0], "med": statistics.median(v), "max": v[-1]}


def fmt(s, nd=0, unit=""):
    if s is None:
        return "n/a"
    f = "%%.%df" % nd
    if s["min"] == s["max"]:
        return (f % s["med"]) + unit
    return "%s (%s-%s)%s" % (f % s["med"], f % s["min"], f % s["max"], unit)



# Per-compressor figures summarised over the repetitions: key -> JSON path.
# The sections.* ones come from the preempt_disable/enable events.
FIGURES = [
    ("sz_max", "sections.zram.max_us"),
    ("sz_p99", "sections.zram.p99_us"),
    ("sz_p999", "sections.zram.p999_us"),
    ("sz_n", "sections.zram.sections"),
    ("s_n", "sections.sections"),
    ("s_span", "sections.span_secs"),
    ("cmax", "cyclictest.max_us"),
    ("cp99", "cyclictest.p99_us"),
    ("fio", "fio_mbps.total"),
    ("fio_loaded", "fio_loaded_mbps.total"),
    ("swapout", "swap.pswpout"),
    ("swapin", "swap.pswpin"),
]

def disjoint(a, b):
    return a is not None and b is not None and (a["max"] < b["min"] or b["max"] < a["min"])


S = {}
for k in kernels:
    for comp in comps:
        recs = records(k, comp)
        e = {"n": len(recs)}
        e["po"] = stats(get(c, "preemptoff.max_us") for _, c in recs)
        # Longest zram/zsmalloc section seen: a window's maximum that is in
        # zram code. A run in which no window's maximum was in zram code
        # bounds it by its overall maximum (every section was shorter).
        # Per repetition: the longest window maximum in zram code, or,
        # when there is none, that repetition's overall maximum as a bound.
        zv, nb = [], 0
        for _, c in recs:
            z = get(c, "preemptoff.zram_max_us")
            if z is None:
                z = get(c, "preemptoff.max_us")
                nb += z is not None
            zv.append(z)
        e["zram"] = stats(zv)
        e["zram_none"] = nb
        for key, path in FIGURES:
            e[key] = stats(get(c, path) for _, c in recs)
        sz = [get(c, "sections.zram") for _, c in recs]
        sz = [z for z in sz if z and z.get("max_us") is not None]
        e["sz_worst"] = max(sz, key=lambda z: z["max_us"]) if sz else None
        # the sites of the longest section over all repetitions, and per rep
        worst = [(get(c, "preemptoff.worst") or {}) for _, c in recs]
        worst = [w for w in worst if w.get("latency_us") is not None]
        e["worst"] = max(worst, key=lambda w: w["latency_us"]) if worst else None
        e["worst_sites"] = sorted({"%s .. %s" % (w["started_at"], w["ended_at"]) for w in worst})
        e["worst_zram"] = sum(1 for w in worst if w.get("zram"))
        zw = [(get(c, "preemptoff.zram_worst") or {}) for _, c in recs]
        zw = [w for w in zw if w.get("latency_us") is not None]
        e["zram_worst"] = max(zw, key=lambda w: w["latency_us"]) if zw else None
        S[(k, comp)] = e


def site(w):
    if not w:
        return "n/a"
    s = "`%s` .. `%s`" % (w["started_at"], w["ended_at"])
    if w.get("zram") and w.get("zram_match") and w["zram_match"] not in (w["started_at"], w["ended_at"]):
        s += " (via `%s`)" % w["zram_match"]
    return s


def zcell(e):
    if e["zram"] is None:
        return "n/a"
    if e["zram_none"] == e["zram"]["n"]:
        return "none was the longest; < %s" % fmt(e["zram"])
    s = fmt(e["zram"])
    if e["zram_none"]:
        s += " (%d of %d reps: none was the longest, their max counted as a bound)" % (
            e["zram_none"], e["zram"]["n"])
    return s


L = []
L.append("# zram latency benchmark: base 6.12 vs the preemptible-zram series")
L.append("")
L.append("Run %s on %s (%s, %d host CPUs), QEMU %s, guests with %d vCPUs and %s, "
         "flavour %s; %d repetitions, kernels interleaved (order alternating); "
         "%d s loaded phase and %d s fio-only phase per compressor. "
         "Commits: base %s, series %s (patch set %s). "
         "Build %d min, guests %d min."
         % (meta["date"], meta["host"], meta["host_cpu"], meta["host_cpus"],
            meta["accel"].upper(), meta["guest_cpus"], meta["guest_mem"],
            meta["flavour"], meta["reps"], meta["loaded_secs"], meta["fio_secs"],
            meta["commits"].get("base") or "-", meta["commits"].get("series") or "-",
            (meta.get("series_patch_set") or "-")[:12],
            meta["build_secs"] // 60, meta["guest_secs"] // 60))
L.append("")
if meta["accel"] != "kvm":
    L.append("**TCG: times are emulated (every guest microsecond is host "
             "instructions, on 2 shared host cores); compare the ratios between "
             "kernels within this run only, never the absolute figures.**")
    L.append("")
L.append("Load, on all vCPUs at once: fio 4 KiB randrw (50/50, O_DIRECT, numjobs = "
         "vCPUs, buffer_compress_percentage=50) on a zram block device, one "
         "`zram_mem hold -p` loop per vCPU pushing memory through swap on zram and back, "
         "cyclictest -m -p95 -i1000 -S; the preemptoff tracer's "
         "`tracing_max_latency` is read and reset every 5 s. Median (min-max) "
         "over the repetitions.")
L.append("")
L.append("Every preempt-off section, from the `preemptirq:preempt_disable`/"
         "`preempt_enable` events (outermost transitions, paired per CPU) over "
         "the first part of the loaded phase (a 16 MiB-per-CPU buffer; span and "
         "number of sections below). A section is zram/zsmalloc's when the "
         "disabling or enabling call site or its parent is in zram, zsmalloc, "
         "zcomp, zpool, lz4 or zstd code.")
L.append("")
L.append("| compressor | kernel | zram/zsmalloc sections | longest (us) | p99 (us) | p99.9 (us) | "
         "site of the longest (all reps) | all sections | span (s) |")
L.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for comp in comps:
    for k in kernels:
        e = S[(k, comp)]
        w = e["sz_worst"]
        L.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            comp, k, fmt(e["sz_n"]), fmt(e["sz_max"]), fmt(e["sz_p99"]), fmt(e["sz_p999"]),
            ("`%s` (%d us)" % (w["max_site"], w["max_us"])) if w else "none",
            fmt(e["s_n"]), fmt(e["s_span"], 1)))
L.append("")
L.append("The preemptoff tracer (`tracing_max_latency`, the longest section in "
         "the whole system per 5 s window) and cyclictest, over the whole loaded phase:")
L.append("")
L.append("| compressor | kernel | preempt-off max (us) | its site (longest of all reps) | "
         "longest zram/zsmalloc section (us) | cyclictest max (us) | cyclictest p99 (us) | "
         "fio MB/s, tracer off | fio MB/s under load | swap out / in (pages) |")
L.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for comp in comps:
    for k in kernels:
        e = S[(k, comp)]
        L.append("| %s | %s | %s | %s%s | %s | %s | %s | %s | %s | %s / %s |" % (
            comp, k, fmt(e["po"]), site(e["worst"]),
            "" if not e["worst"] else (" — zram/zsmalloc" if e["worst"].get("zram") else " — not zram"),
            zcell(e), fmt(e["cmax"]), fmt(e["cp99"]), fmt(e["fio"], 1),
            fmt(e["fio_loaded"], 1), fmt(e["swapout"]), fmt(e["swapin"])))
L.append("")

# Ratios, from the medians; in brackets the range that the spread allows
# (worst case to best case).
def ratio(a, b):
    if a is None or b is None or not b["med"] or not b["min"] or not b["max"]:
        return None
    return (a["med"] / b["med"], a["min"] / b["max"], a["max"] / b["min"])


def rfmt(r, nd=2, ge=False):
    if r is None:
        return "n/a"
    f = "%%.%df" % nd
    return "%s%s (%s-%s)" % (">= " if ge else "", f % r[0], f % r[1], f % r[2])


if "base" in kernels and "series" in kernels:
    L.append("Ratios (from the medians; in brackets the extremes the run-to-run "
             "spread allows: min/max to max/min). A difference **exceeds the spread** "
             "when the base and series ranges do not overlap.")
    L.append("")
    L.append("| compressor | longest zram/zsmalloc section base/series (events) | "
             "its p99 base/series | preempt-off max base/series (tracer) | "
             "zram/zsmalloc window max base/series (tracer) | "
             "cyclictest max base/series | cyclictest p99 base/series | "
             "fio throughput series/base | exceeds the spread |")
    L.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    verdicts = []
    for comp in comps:
        b, s = S[("base", comp)], S[("series", comp)]
        # base's figure is a lower bound where seen; series' is an upper
        # bound where none was seen: the ratio is then a lower bound too.
        zr = ratio(b["zram"], s["zram"]) if b["zram_none"] < (b["zram"] or {}).get("n", 0) else None
        zge = s["zram_none"] > 0
        ex = []
        for key, name in (("sz_max", "longest zram section"), ("sz_p99", "zram section p99"),
                          ("po", "preempt-off max"), ("cmax", "cyclictest max"),
                          ("cp99", "cyclictest p99"), ("fio", "fio throughput")):
            if disjoint(b[key], s[key]):
                ex.append(name)
        if disjoint(b["zram"], s["zram"]):
            ex.append("zram section")
        if b["sz_max"] is not None and s["sz_max"] is None and s["sz_n"] is not None:
            szr = "no zram section in series"
            szp = szr
        else:
            szr = rfmt(ratio(b["sz_max"], s["sz_max"]), 1)
            szp = rfmt(ratio(b["sz_p99"], s["sz_p99"]), 1)
        L.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            comp, szr, szp, rfmt(ratio(b["po"], s["po"])), rfmt(zr, ge=zge),
            rfmt(ratio(b["cmax"], s["cmax"])), rfmt(ratio(b["cp99"], s["cp99"])),
            rfmt(ratio(s["fio"], b["fio"]), 3), ", ".join(ex) or "none"))
        verdicts.append((comp, ratio(b["sz_max"], s["sz_max"]), False, ratio(s["fio"], b["fio"])))
    L.append("")
    L.append("Against the issue's goal (the longest zram/zsmalloc preempt-off section, "
             "from the events, at least 10x shorter; throughput within 5% of base):")
    L.append("")
    for comp, zr, zge, fr in verdicts:
        if zr is None:
            zt = "zram/zsmalloc section ratio: not measurable"
        else:
            zt = "zram/zsmalloc section %s%.1fx shorter (spread %.1f-%.1f): %s" % (
                ">= " if zge else "", zr[0], zr[1], zr[2],
                "goal met" if zr[1] >= 10 else
                ("goal met on the medians, not over the whole spread" if zr[0] >= 10 else
                 ("goal not shown (a lower bound below 10x)" if zge else "goal NOT met")))
        if fr is None:
            ft = "throughput: n/a"
        else:
            ft = "throughput series/base %.3f (spread %.3f-%.3f): %s" % (
                fr[0], fr[1], fr[2],
                ("within 5%% of base or better, beyond the spread" if fr[1] >= 0.95 else
                 "median not more than 5%% lower, but the spread reaches %.0f%% lower: not shown" % ((1 - fr[1]) * 100))
                if fr[0] >= 0.95 else "median more than 5% lower")
        L.append("- %s: %s; %s." % (comp, zt, ft))
    L.append("")

# the sites that were the longest section, per kernel and compressor
L.append("Sites of the longest preempt-off section per repetition (start .. end "
         "of the section as the tracer names them; 'zram' when the start, end or "
         "the stack at the end is in zram/zsmalloc/zcomp/lz4/zstd code):")
L.append("")
for comp in comps:
    for k in kernels:
        parts = []
        for rep, c in sorted(records(k, comp), key=lambda x: x[0]):
            w = get(c, "preemptoff.worst") or {}
            if w.get("latency_us") is None:
                continue
            parts.append("rep %d: %d us `%s` .. `%s`%s" % (
                rep, w["latency_us"], w["started_at"], w["ended_at"],
                " (zram)" if w.get("zram") else ""))
        zw = S[(k, comp)]["zram_worst"]
        z = ""
        if zw:
            z = "; longest zram one: %d us `%s` .. `%s`, stack %s" % (
                zw["latency_us"], zw["started_at"], zw["ended_at"],
                " < ".join("`%s`" % f for f in zw["stack"][:6]) or "n/a")
        L.append("- %s, %s: %s%s" % (k, comp, "; ".join(parts) or "n/a", z))
L.append("")
if failed:
    L.append("Failed guests (not in the figures):")
    L.append("")
    for r in failed:
        first = (r.get("report") or "").strip().splitlines()
        L.append("- %s, rep %d: exit %s, serial log `%s`%s" % (
            r["kernel"], r["rep"], r["rc"], r["serial_log"],
            (": `%s`" % first[0].strip()) if first else ""))
    L.append("")
L.append("![latency](latency.png)")
L.append("")
with open(os.path.join(d, "latency.md"), "w") as f:
    f.write("\n".join(L))

# The plot: medians with min-max error bars, per compressor and kernel.
tmp = tempfile.TemporaryDirectory()
dat = os.path.join(tmp.name, "latency.dat")
with open(dat, "w") as f:
    f.write("# label po po_min po_max cmax cmax_min cmax_max cp99 cp99_min cp99_max fio fio_min fio_max zr zr_min zr_max\n")
    i = 0
    for comp in comps:
        for k in kernels:
            e = S[(k, comp)]
            row = ['"%s\\n%s"' % (comp, k)]
            for key in ("po", "cmax", "cp99", "fio", "sz_max"):
                s = e[key]
                row += ["NaN"] * 3 if s is None else [str(s["med"]), str(s["min"]), str(s["max"])]
            f.write(" ".join(row) + "\n")
            i += 1
png = os.path.join(d, "latency.png")
tcg = "TCG: emulated times, compare ratios only" if meta["accel"] != "kvm" else ""
gp = """
set terminal pngcairo size 1500,620 font ",10" noenhanced
set output '%(png)s'
set multiplot layout 1,3 title "base 6.12 vs series, %(n)d reps, median and min-max. %(tcg)s"
set style data histogram
set style histogram errorbars gap 1 lw 1
set style fill solid 0.6 border -1
set boxwidth 0.9
set xtics rotate by 0 font ",9"
set grid ytics
set key below
set bmargin 6
set logscale y
set title "longest preempt-off section (us)"
plot '%(dat)s' using 2:3:4:xtic(1) title "any section (tracing_max_latency)" lc rgb "#c0504d", \
     '' using 14:15:16 title "longest zram/zsmalloc section (events)" lc rgb "#4f81bd"
set title "cyclictest wakeup latency (us)"
plot '%(dat)s' using 5:6:7:xtic(1) title "max" lc rgb "#c0504d", \
     '' using 8:9:10 title "p99" lc rgb "#9bbb59"
unset logscale y
set yrange [0:*]
set title "zram throughput, fio 4 KiB randrw, tracer off (MB/s)"
plot '%(dat)s' using 11:12:13:xtic(1) title "read + write" lc rgb "#4f81bd"
unset multiplot
""" % {"png": png, "dat": dat, "n": meta["reps"], "tcg": tcg}
subprocess.run(["gnuplot"], input=gp, text=True, check=True)
print("bench-latency-report.py: wrote %s and %s" % (os.path.join(d, "latency.md"), png), file=sys.stderr)
