#!/usr/bin/env python3
"""Compare a struct's layout from the dump's BTF (guestcore struct --json)
with the same struct in DWARF (pahole -F dwarf -C NAME FILE): total size,
and every member's name, offset (bits for bitfields) and size, anonymous
members flattened.  Prints one PASS/FAIL line; exit 0 when equal."""
import json, os, re, subprocess, sys

gc, dump, name, dwarf, label = sys.argv[1:6]

def btf_members():
    extra = os.environ.get("GC_STRUCT_ARGS", "").split()
    out = subprocess.run([gc, "struct", dump, name, "--json"] + extra,
                         capture_output=True, text=True, timeout=300)
    if out.returncode:
        raise SystemExit(f"FAIL btf-{label}: guestcore struct: {out.stderr.strip()}")
    d = json.loads(out.stdout)
    got = {}
    def walk(ms):
        for m in ms:
            if not m["name"]:
                walk(m.get("members", []))
                continue
            if "bitfield_size" in m:
                got[m["name"]] = ("bits", m["bit_offset"], m["bitfield_size"])
            else:
                got[m["name"]] = ("bytes", m["offset"], m["size"])
    walk(d["members"])
    return d["size"], d["source"], got

line_re = re.compile(r"^\t+(.*?);\s*/\*\s*(\d+)(?::\s*(\d+))?\s+(\d+)\s*\*/")
attr_re = re.compile(r"\s*__attribute__\(\(.*?\)\)\)?")
def dwarf_members():
    out = subprocess.run(["pahole", "-F", "dwarf", "-C", name, dwarf],
                         capture_output=True, text=True, timeout=600)
    if out.returncode or "size:" not in out.stdout:
        raise SystemExit(f"FAIL btf-{label}: pahole: {out.stderr.strip() or 'no struct ' + name}")
    size = int(re.search(r"/\* size: (\d+)", out.stdout).group(1))
    # pahole expands anonymous types in place: "union {" ... "};" (an
    # anonymous member: its members count as the parent's) or "} name;"
    # (a named member of an anonymous type: its members are its own)
    stack = [{}]
    for ln in out.stdout.splitlines()[1:]:
        if re.match(r"^\t+(struct|union)\s*\{\s*$", ln):
            stack.append({})
            continue
        m = line_re.match(ln)
        if not m:
            continue
        decl, off, bit, sz = m.group(1).strip(), int(m.group(2)), m.group(3), int(m.group(4))
        decl = attr_re.sub("", decl).strip()
        if decl.startswith("}"):
            inner = stack.pop() if len(stack) > 1 else {}
            nm = decl[1:].strip()
            if nm:
                stack[-1][nm] = ("bytes", off, sz)
            else:
                stack[-1].update(inner)
            continue
        fp = re.search(r"\(\*\s*(\w+)\)", decl)
        bf = re.search(r"(\w+)\s*:\s*(\d+)$", decl)
        if fp:
            nm = fp.group(1)
        elif bf:
            stack[-1][bf.group(1)] = ("bits", off * 8 + int(bit or 0), int(bf.group(2)))
            continue
        else:
            nm = re.search(r"(\w+)\s*(\[[^\]]*\])*$", decl).group(1)
        stack[-1][nm] = ("bytes", off, sz)
    return size, stack[0]

bsize, source, got = btf_members()
dsize, want = dwarf_members()
bad = []
if bsize != dsize:
    bad.append(f"size {bsize} (BTF) != {dsize} (DWARF)")
for k in sorted(set(got) | set(want)):
    if got.get(k) != want.get(k):
        bad.append(f"{k}: BTF {got.get(k)} DWARF {want.get(k)}")
if bad:
    print(f"FAIL btf-{label}: {len(bad)} differences: " + "; ".join(bad[:8]))
    sys.exit(1)
print(f"PASS btf-{label}: struct {name} {bsize} bytes, {len(got)} members equal "
      f"(guestcore: {source}; pahole: {dwarf.rsplit('/', 1)[-1]})")
