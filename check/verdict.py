#!/usr/bin/env python3
"""verdict.py - per-test verdicts of one 'make check' group from its logs.

Usage: check/verdict.py --group NAME --dir DIR [--flavour F] [--kunit]
                          [--inventory FILE] [--known-skips FILE] PROGRAM...
       check/verdict.py --parse FILE [--kunit]

Reads the (K)TAP that a group's guest left in DIR:
  KUnit      DIR/kunit/SUITE.ktap (copies of /sys/kernel/debug/kunit/SUITE/
             results, made by vm/init) or, when there are none, the
             timestamped KTAP lines of the guest console, DIR/serial.log
  kselftest  DIR/PROGRAM.tap for each PROGRAM (e.g. zram:zram.sh), the
             output of run_kselftest.sh
and prints one line per test case, 'STATUS NAME (detail)', STATUS being
PASS, FAIL or SKIP, then 'NOTE ...' lines that count for nothing, then
'GROUP: N passed, N failed, N skipped'.

Names: GROUP/kunit/SUITE.CASE for KUnit; GROUP/PROGRAM/SUBTEST[/SUBTEST...]
for kselftests, with every nesting level counted (a program's own TAP,
mm/run_vmtests.sh's programs and their harness tests), run_vmtests'
'# SKIP ./prog' lines, and upstream zram01/zram02's 'NAME : [PASS|FAIL]'
and 'FAIL ...' lines. Parenthesised figures are dropped from names
('compaction migrated zsmalloc pages (67945)' -> '... pages').

Counting: ok = pass; ok/not ok '# SKIP' = skip; anything else = fail. A
block whose plan (1..N) promises more results than it has, one cut by
'Bail out!', and a result line that never came (the log ends: a crash or
a panic) count as failures, but a missing test named in the inventory is
counted once. A parent result that says 'not ok' while all its subtests
passed counts one failure of its own. A skip passes only when
check/known-skips lists it (or a parent of it) for this flavour, else it
is a failure. Every test in check/inventory for this group and flavour
must have a result (a skipped parent covers its children); tests without
an inventory entry are reported as NOTE extra. The exit status is 0
unless the arguments or files are wrong (2).
"""
import argparse
import glob
import os
import re
import sys

TS = re.compile(r'^\[\s*\d+\.\d+\] ?')
RESULT = re.compile(r'^(not ok|ok)\b\s*(\d+)?\s*(?:-\s*)?(.*?)\s*$')
PLAN = re.compile(r'^1\.\.(\d+)\s*(?:#\s*(.*))?$')
HEADER = re.compile(r'^(K?TAP) version \d+')
BAIL = re.compile(r'^Bail out!\s*(.*)$')
SUBTEST = re.compile(r'^Subtest:\s*(\S.*)$')
PROG_SKIP = re.compile(r'^SKIP\s+\./(\S+)\s*$')       # run_vmtests.sh
MARKER = re.compile(r'^(\S+)\s*:\s*\[(PASS|FAIL|SKIP)\]\s*$')  # zram01.sh
FAIL_LINE = re.compile(r'^FAIL\s+(\S.*)$')             # zram_lib.sh


def clean_name(name):
    name = re.sub(r'\s*\([^()]*\)', '', name)
    return re.sub(r'\s+', ' ', name).strip()


def split_depth(line):
    """Strip '# ' (kselftest) and 4-space (KTAP) nesting prefixes."""
    depth = 0
    while True:
        if line.startswith('# '):
            line = line[2:]
        elif line.startswith('    '):
            line = line[4:]
        else:
            return depth, line
        depth += 1


class Node:
    def __init__(self, name, status, detail='', planned=True):
        self.name = name
        self.status = status        # PASS FAIL SKIP
        self.detail = detail
        self.planned = planned      # counts toward the block's plan
        self.children = None        # Block, when it had subtests


class Block:
    def __init__(self, depth):
        self.depth = depth
        self.name = None            # from '# Subtest: NAME'
        self.plan = None
        self.plan_skip = None       # '1..0 # SKIP reason'
        self.results = []
        self.bail = None
        self.fail_lines = []
        self.truncated = False      # its parent result never came

    def empty(self):
        return (not self.results and self.plan is None and
                self.bail is None and not self.fail_lines)


def parse_result(m):
    ok = m.group(1) == 'ok'
    rest = m.group(3)
    directive = ''
    if '#' in rest:
        rest, directive = rest.split('#', 1)
        directive = directive.strip()
    name = clean_name(rest)
    if re.match(r'(?i)skip\b', directive):
        return name, 'SKIP', directive[4:].strip() or 'skipped'
    if ok:
        return name, 'PASS', ''
    return name, 'FAIL', directive or 'not ok'


def parse(lines, kselftest):
    """Build the result tree; returns the root Block."""
    stack = [Block(0)]

    def top():
        return stack[-1]

    def fold(into, child):
        # an unconsumed child block: its results join its parent's
        for r in child.results:
            r.planned = False
        into.results.extend(child.results)
        into.fail_lines.extend(child.fail_lines)

    def open_to(depth):
        while top().depth < depth:
            stack.append(Block(top().depth + 1))

    def trim(depth):
        """Pop the blocks deeper than depth, folding them."""
        while top().depth > depth:
            b = stack.pop()
            fold(top(), b)

    def children_of(depth):
        """The block at depth+1 (popped), for a result at depth."""
        trim(depth + 1)
        if top().depth == depth + 1:
            return stack.pop()
        return None

    for raw in lines:
        line = raw.rstrip('\n').rstrip('\r')
        if not line.strip():
            continue
        depth, rest = split_depth(line)
        m = RESULT.match(rest)
        if m:
            children = children_of(depth)
            open_to(depth)
            name, status, detail = parse_result(m)
            node = Node(name, status, detail)
            if children is not None and not children.empty():
                node.children = children
            top().results.append(node)
            continue
        m = HEADER.match(rest)
        if m:
            if depth == 0:
                trim(0)
            else:
                blk = children_of(depth - 1)
                if blk is not None and not blk.empty():
                    fold(top(), blk)
            open_to(depth)
            continue
        m = PLAN.match(rest)
        if m:
            trim(depth)
            open_to(depth)
            top().plan = int(m.group(1))
            if m.group(2) and re.match(r'(?i)skip\b', m.group(2)):
                top().plan_skip = m.group(2)[4:].strip() or 'skipped'
            continue
        m = BAIL.match(rest)
        if m:
            trim(depth)
            open_to(depth)
            top().bail = m.group(1).strip() or 'no reason given'
            continue
        if depth >= 1:
            m = SUBTEST.match(rest)
            if m:
                trim(depth - 1)
                open_to(depth - 1)
                top().name = m.group(1).strip()
                continue
            m = PROG_SKIP.match(rest)
            if m:
                trim(depth - 1)
                open_to(depth - 1)
                top().results.append(Node(m.group(1), 'SKIP', rest, planned=False))
                continue
        if kselftest and depth >= 1:
            m = MARKER.match(rest)
            if m:
                trim(depth)
                open_to(depth)
                status = m.group(2)
                detail = ''
                if top().fail_lines:
                    status, detail = 'FAIL', top().fail_lines[0]
                    top().fail_lines = []
                elif status == 'FAIL':
                    detail = '[FAIL]'
                top().results.append(Node(clean_name(m.group(1)), status,
                                          detail, planned=False))
                continue
            m = FAIL_LINE.match(rest)
            if m:
                trim(depth)
                open_to(depth)
                top().fail_lines.append(m.group(1).strip())
                continue
    # The log ends: every block still open lacks the result that would
    # have closed it.
    while len(stack) > 1:
        b = stack.pop()
        node = Node(b.name or '', 'FAIL', 'no result line: the log ends here')
        node.children = b
        b.truncated = True
        top().results.append(node)
    return stack[0]


def kunit_lines(path):
    """The KTAP lines of a console log: kernel lines (timestamped) from
    the first 'KTAP version' on; all lines when none is timestamped."""
    with open(path, errors='replace') as f:
        lines = f.read().splitlines()
    stamped = [TS.sub('', l) for l in lines if TS.match(l)]
    src = stamped if stamped else lines
    for i, l in enumerate(src):
        if HEADER.match(l):
            return src[i:]
    return []


class Verdict:
    def __init__(self, sep):
        self.sep = sep              # '.' for KUnit suite.case, '/' else
        self.cases = []             # (name, status, detail)
        self.missing = []           # (parent, count, got, plan, why)

    def walk(self, block, prefix, top_name=None):
        seen = {}
        failed = False
        for r in block.results:
            name = r.name or '#%d' % (block.results.index(r) + 1)
            if top_name is not None:
                name = top_name
            n = seen.get(name, 0) + 1
            seen[name] = n
            if n > 1:
                name = '%s #%d' % (name, n)
            full = prefix + name if not prefix else prefix + self.sep_for(prefix) + name
            if r.children is not None and r.status == 'SKIP' and \
                    not r.children.results:
                # a skipped suite or program: its plan is void
                r.detail = r.children.plan_skip or r.detail
                r.children = None
            if r.children is None:
                self.cases.append((full, r.status, r.detail))
                failed |= r.status == 'FAIL'
                continue
            sub_failed = self.walk(r.children, full)
            if r.status == 'FAIL' and not sub_failed:
                self.cases.append((full, 'FAIL', r.detail + ' (its subtests passed)'))
                sub_failed = True
            failed |= sub_failed
        if block.plan_skip is not None and not block.results:
            self.cases.append((prefix, 'SKIP', block.plan_skip))
        got = sum(1 for r in block.results if r.planned)
        miss = 0
        if block.plan is not None and got < block.plan:
            miss = block.plan - got
        if block.bail is not None:
            miss = max(miss, 1)
        if miss:
            self.missing.append((prefix, miss, got, block.plan,
                                 'Bail out! ' + block.bail if block.bail is not None
                                 else 'crash or timeout?'))
            failed = True
        for msg in block.fail_lines:
            self.cases.append((prefix + self.sep_for(prefix) + 'FAIL line',
                               'FAIL', msg))
            failed = True
        return failed

    def sep_for(self, prefix):
        # GROUP/kunit/SUITE.CASE: the separator after the suite is '.'
        if self.sep == '.' and prefix.count('/') >= 2:
            return '.'
        return '/'


def read_keyed(path, flavour):
    """KEY or KEY@FLAVOURS (a,b or !a) lines, optional TAB and text."""
    out = {}
    if not path:
        return out
    with open(path) as f:
        for line in f:
            line = line.rstrip('\n')
            if not line.strip() or line.lstrip().startswith('#'):
                continue
            key, _, text = line.partition('\t')
            key = key.strip()
            if '@' in key:
                key, fl = key.rsplit('@', 1)
                fls = fl.split(',')
                neg = [x[1:] for x in fls if x.startswith('!')]
                pos = [x for x in fls if not x.startswith('!')]
                if pos and flavour not in pos:
                    continue
                if flavour in neg:
                    continue
            out[key] = text.strip()
    return out


def ancestors(name):
    while True:
        yield name
        cut = max(name.rfind('/'), name.rfind('.', name.rfind('/') + 1))
        if cut <= 0:
            return
        name = name[:cut]


def main():
    ap = argparse.ArgumentParser(add_help=False)
    ap.add_argument('--group')
    ap.add_argument('--dir')
    ap.add_argument('--flavour', default='test')
    ap.add_argument('--kunit', action='store_true')
    ap.add_argument('--inventory')
    ap.add_argument('--known-skips')
    ap.add_argument('--parse')
    ap.add_argument('-h', '--help', action='store_true')
    ap.add_argument('programs', nargs='*')
    a = ap.parse_args()
    if a.help:
        print(__doc__.strip())
        return 0
    if a.parse:
        lines = kunit_lines(a.parse) if a.kunit else open(a.parse, errors='replace').read().splitlines()
        v = Verdict('.' if a.kunit else '/')
        v.walk(parse(lines, not a.kunit), 'x/kunit' if a.kunit else 'x/prog')
        for c in v.cases:
            print('%s %s%s' % (c[1], c[0], ' (%s)' % c[2] if c[2] else ''))
        for m in v.missing:
            print('MISSING %s: %d (%d of %s, %s)' % m)
        return 0
    if not a.group or not a.dir:
        print('verdict.py: --group and --dir are required (see --help)', file=sys.stderr)
        return 2
    g = a.group
    cases, missing, notes = [], [], []

    def take(v):
        cases.extend(v.cases)
        missing.extend(v.missing)

    if a.kunit:
        files = sorted(glob.glob(os.path.join(a.dir, 'kunit', '*.ktap')))
        v = Verdict('.')
        if files:
            notes.append('KUnit from %s/kunit/*.ktap (debugfs)' % a.dir)
            for f in files:
                with open(f, errors='replace') as fh:
                    v.walk(parse(fh.read().splitlines(), False), g + '/kunit')
        else:
            log = os.path.join(a.dir, 'serial.log')
            lines = kunit_lines(log) if os.path.exists(log) else []
            if lines:
                notes.append('KUnit from %s (console)' % log)
                v.walk(parse(lines, False), g + '/kunit')
            else:
                v.cases.append((g + '/kunit', 'FAIL',
                                'no KUnit results (no %s/kunit/*.ktap, no KTAP in %s)'
                                % (a.dir, log)))
        take(v)
    for p in a.programs:
        f = os.path.join(a.dir, p + '.tap')
        v = Verdict('/')
        if not os.path.exists(f):
            v.cases.append((g + '/' + p, 'FAIL', 'did not run (no %s)' % f))
        else:
            with open(f, errors='replace') as fh:
                root = parse(fh.read().splitlines(), True)
            if not root.results and root.plan is None:
                v.cases.append((g + '/' + p, 'FAIL', 'no TAP results in %s' % f))
            else:
                # the runner's single top-level result is the program
                v.walk(root, g, top_name=p)
        take(v)

    inv = read_keyed(a.inventory, a.flavour)
    inv = {k: t for k, t in inv.items() if k.startswith(g + '/')}
    known = read_keyed(a.known_skips, a.flavour)
    have = {c[0] for c in cases}
    skipped = [c for c in cases if c[1] == 'SKIP']

    def under(name, parent):
        return name.startswith(parent + '/') or name.startswith(parent + '.')

    out = []
    inv_missing = []
    for name in sorted(inv):
        if name in have or any(under(c, name) for c in have):
            continue
        cover = [c for c in skipped if under(name, c[0])]
        if cover:
            out.append((name, 'SKIP', cover[0][2] + ', its parent skipped'))
        else:
            inv_missing.append(name)
    # A failure that stands for tests the inventory names (a program that
    # did not run, no KUnit results) is counted through those tests.
    kept = []
    for name, status, detail in cases:
        named = [m for m in inv_missing if under(m, name)]
        if status == 'SKIP':
            named = [o[0] for o in out if o[1] == 'SKIP' and under(o[0], name)]
            if named:
                notes.append('%s: skipped (%s), counted as its %d tests'
                             % (name, detail, len(named)))
                continue
        if status == 'FAIL' and named:
            notes.append('%s: %s (counted as its %d tests)' % (name, detail, len(named)))
            for m in named:
                out.append((m, 'FAIL', 'no result: ' + detail))
            inv_missing = [m for m in inv_missing if m not in named]
            continue
        kept.append((name, status, detail))
    for name in inv_missing:
        out.append((name, 'FAIL', 'no result; listed in check/inventory'))
    for par, n, got, plan, why in missing:
        named = sum(1 for m in inv if under(m, par) and m not in have)
        notes.append('%s: %d results of %s planned (%s)' % (par, got, plan, why))
        for i in range(n - named):
            out.append(('%s/#%d' % (par, got + i + 1), 'FAIL',
                        'missing: %d results of %s planned (%s)' % (got, plan, why)))
    for name, status, detail in kept:
        if inv and name not in inv and not any(under(name, k) for k in inv):
            notes.append('extra: %s (%s; not in check/inventory)' % (name, status))
        out.append((name, status, detail))

    final = []
    for name, status, detail in out:
        if status == 'SKIP':
            key = next((k for k in ancestors(name) if k in known), None)
            if key is None:
                status = 'FAIL'
                detail = 'unexpected skip (%s), not in check/known-skips' % detail
            else:
                detail = '%s; known: %s' % (detail, known[key])
        final.append((name, status, detail))
    n = {'PASS': 0, 'FAIL': 0, 'SKIP': 0}
    for name, status, detail in final:
        n[status] += 1
        print('%s %s%s' % (status, name, ' (%s)' % detail if detail else ''))
    for note in notes:
        print('NOTE ' + note)
    print('%s: %d passed, %d failed, %d skipped' % (g, n['PASS'], n['FAIL'], n['SKIP']))
    return 0


if __name__ == '__main__':
    sys.exit(main())
