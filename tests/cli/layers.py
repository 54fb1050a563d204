#!/usr/bin/env python3
"""Check src/lib against src/lib/LAYERS: no include of a higher layer, no
include cycle between modules (a module is a .c/.h pair).  Prints one
PASS/FAIL line per rule, then the offending includes or cycles."""
import os, re, sys

root = sys.argv[1] if len(sys.argv) > 1 else "."
lib = os.path.join(root, "src/lib")
order, dirs = {}, {}
for line in open(os.path.join(lib, "LAYERS")):
    line = line.split("#", 1)[0].split()
    if not line:
        continue
    order[line[0]] = len(order)
    for d in line[1:]:
        dirs[os.path.normpath(d)] = line[0]

def layer_of(rel):  # rel: path relative to src/lib
    d = os.path.dirname(rel) or "."
    while True:
        if d in dirs:
            return dirs[d]
        if d in (".", ""):
            return None
        d = os.path.dirname(d) or "."

def module_of(rel):  # foo.c, foo.h and foo_internal.h are one module
    m = os.path.splitext(rel)[0]
    return m[:-len("_internal")] if m.endswith("_internal") else m

files = []
for dp, _, fns in os.walk(lib):
    for fn in fns:
        if fn.endswith((".c", ".h")):
            files.append(os.path.relpath(os.path.join(dp, fn), lib))
inc_re = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
bad, unknown, edges = [], [], {}
for rel in sorted(files):
    me = layer_of(rel)
    if me is None:
        unknown.append(rel)
        continue
    mod = module_of(rel)
    for inc in inc_re.findall(open(os.path.join(lib, rel), errors="replace").read()):
        if inc.startswith("guestcore/"):
            continue  # the public API is below everything
        cand = os.path.normpath(os.path.join(os.path.dirname(rel), inc))
        if not os.path.exists(os.path.join(lib, cand)):
            cand = os.path.normpath(inc)
        if not os.path.exists(os.path.join(lib, cand)):
            continue
        other = layer_of(cand)
        if other is None:
            continue
        if order[other] > order[me]:
            bad.append(f"{rel} ({me}) includes {cand} ({other})")
        omod = module_of(cand)
        if omod != mod:
            edges.setdefault(mod, set()).add(omod)

# Tarjan's strongly connected components over the module graph.
index, low, stack, on, sccs, n = {}, {}, [], set(), [], [0]
def visit(v):
    index[v] = low[v] = n[0]; n[0] += 1
    stack.append(v); on.add(v)
    for w in edges.get(v, ()):
        if w not in index:
            visit(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            sccs.append(sorted(comp))
sys.setrecursionlimit(10000)
for v in sorted(edges):
    if v not in index:
        visit(v)

ok = True
def report(name, items):
    global ok
    if items:
        ok = False
        print(f"FAIL {name}: {len(items)}")
        for i in items:
            print("   ", i)
    else:
        print(f"PASS {name}")
report("layers: every src/lib directory is in LAYERS", unknown)
report("layers: no file includes a higher layer", bad)
report("layers: no include cycle between modules", [" <-> ".join(c) for c in sccs])
sys.exit(0 if ok else 1)
