#!/usr/bin/env python3
"""Summarise run.sh's fio-ALGO.json files.

Usage: summary.py [DIR [REF]]  (default: this folder, REF s39)

Per kernel, algo, phase and figure: the median over repetitions (min-max);
for each other kernel, KERNEL/REF as the ratio of the medians with the
extremes the ranges allow; then, per repetition, the idle MB/s ratios of
the kernels booted in that repetition. Writes DIR/summary.md."""
import glob, json, os, statistics, sys

here = os.path.dirname(os.path.abspath(__file__))
top = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else here
ref = sys.argv[2] if len(sys.argv) > 2 else 's39'
runs = {}
for f in sorted(glob.glob(os.path.join(top, '*-*', 'fio-*.json'))):
    rep, kernel = os.path.basename(os.path.dirname(f)).split('-', 1)
    d = json.load(open(f))
    runs.setdefault(kernel, {}).setdefault(d['algo'], {})[int(rep)] = d
if ref not in runs:
    sys.exit('no fio JSON of %s under %s' % (ref, top))
others = sorted(k for k in runs if k != ref)
out = ['Reference: %s; %s. Figures: MB/s, and completion latency in us.' %
       (ref, ', '.join('%s: %d reps' % (k, len(runs[k].get('zstd', {}))) for k in [ref] + others)), '',
       '| algo | phase | figure | ' + ' | '.join('%s median (min-max)' % k for k in [ref] + others) +
       ' | ' + ' | '.join('%s/%s (range)' % (k, ref) for k in others) + ' |',
       '| --- ' * (3 + 1 + 2 * len(others)) + '|']
for algo in ('lz4', 'zstd'):
    for phase in ('idle', 'busy'):
        for fig in ('mbps', 'p50_us', 'p99_us', 'max_us'):
            v = {k: [d[phase][fig] for d in runs[k].get(algo, {}).values()] for k in [ref] + others}
            if any(not x for x in v.values()):
                continue
            m = {k: statistics.median(x) for k, x in v.items()}
            cells = ['%.1f (%.1f-%.1f)' % (m[k], min(v[k]), max(v[k])) for k in [ref] + others]
            cells += ['%.2fx (%.2f-%.2f)' % (m[k] / m[ref], min(v[k]) / max(v[ref]), max(v[k]) / min(v[ref]))
                      for k in others]
            out.append('| %s | %s | %s | %s |' % (algo, phase, fig, ' | '.join(cells)))
out += ['', 'Per repetition, idle MB/s over %s\'s in the same repetition:' % ref]
for algo in ('lz4', 'zstd'):
    r0 = runs[ref].get(algo, {})
    for k in others:
        rk = runs[k].get(algo, {})
        out.append('- %s %s: %s' % (algo, k, ', '.join('rep %d %.2f' % (r, rk[r]['idle']['mbps'] / r0[r]['idle']['mbps'])
                                                      for r in sorted(set(r0) & set(rk)))))
text = '\n'.join(out) + '\n'
open(os.path.join(top, 'summary.md'), 'w').write(text)
print(text)
