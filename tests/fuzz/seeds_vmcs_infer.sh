#!/bin/sh
# Seed corpus for fuzz_vmcs_infer: Sandy Bridge-like regions (revision
# 0x10, values at published offsets) with known values, one planted copy
# (ambiguous) and two regions.
# seeds_vmcs_infer.sh TOOL OUTDIR (TOOL unused: python3 writes them)
# seed-tool: mkhost
set -e
OUT=${2:?usage: seeds_vmcs_infer.sh TOOL OUTDIR}
o="$OUT/fuzz_vmcs_infer"
mkdir -p "$o"
python3 - "$o" <<'PY'
import os, struct, sys
o = sys.argv[1]
# field-table indexes are positions in src/lib/guests/vmx/fields.c; the
# target takes them modulo the table size, so any byte is valid
def region(rip, rsp, plant=False):
    r = bytearray(4096)
    struct.pack_into("<I", r, 0, 0x10)
    struct.pack_into("<Q", r, 0x76 * 4, rip)
    struct.pack_into("<Q", r, 0x74 * 4, rsp)
    struct.pack_into("<Q", r, 0xd0 * 4, 0x1a0b000)
    struct.pack_into("<Q", r, 0x3e * 4, 0xffffffffffffffff)
    if plant:
        struct.pack_into("<Q", r, 0xf00, rip)
    return bytes(r)
def seed(name, idx, vals, regs):
    b = bytes([len(idx) - 1, len(regs) - 1]) + bytes(idx)
    b += b"".join(struct.pack("<Q", v) for v in vals) + b"".join(regs)
    open(os.path.join(o, name), "wb").write(b)
rips = [0xffffffff81a592eb, 0xffffffff81a592eb]
rsps = [0xffffffff82a03e98, 0xffffc9000009bed8]
idx = [151, 150, 160]  # GUEST_RIP, GUEST_RSP, HOST_CR3
seed("one", idx, [rips[0], rsps[0], 0x1a0b000], [region(rips[0], rsps[0])])
seed("planted", idx, [rips[0], rsps[0], 0x1a0b000],
     [region(rips[0], rsps[0], True)])
seed("two", idx, [rips[0], rsps[0], 0x1a0b000, rips[1], rsps[1], 0x1a0b000],
     [region(rips[0], rsps[0], True), region(rips[1], rsps[1])])
PY
