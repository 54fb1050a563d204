#!/bin/sh
# Seed corpus for fuzz_svm: seeds_svm.sh TOOL OUTDIR writes OUTDIR/fuzz_svm/
# with a small host image (input layout of tests/fuzz/fuzz_svm.c): a VMCB
# as KVM leaves it (kvm-host-vmm's vCPU 0 values) at 0x1000 and an NPT at
# 0x2000 (4 KiB, 2 MiB, 1 GiB leaves, KVM's MMIO marker), and damaged
# variants.  TOOL is not used (python3 writes the bytes).
# seed-tool: gcfixture
set -e
OUT=${2:?usage: seeds_svm.sh TOOL OUTDIR}
o="$OUT/fuzz_svm"
mkdir -p "$o"
python3 - "$o" <<'PY'
import struct, sys
o = sys.argv[1]
def image(ncr3=0x2000, gpa=0x10, lv=0, tweak=None):
    h = bytearray(0x12000)
    def q(a, v): struct.pack_into("<Q", h, a, v)
    def d(a, v): struct.pack_into("<I", h, a, v)
    def w(a, v): struct.pack_into("<H", h, a, v)
    v = 0x1000
    d(v + 0x10, 0x6e4f); q(v + 0x40, 0x4000); q(v + 0x48, 0x6000)
    d(v + 0x58, 6); q(v + 0x90, 1); q(v + 0xb0, ncr3)
    for s in range(6):
        w(v + 0x400 + 16 * s, 8 if s == 1 else 0x10)
        w(v + 0x402 + 16 * s, 0xa9b if s == 1 else 0xc93)
        d(v + 0x404 + 16 * s, 0xffffffff)
    w(v + 0x492, 0x8b); q(v + 0x4d0, 0x1500); q(v + 0x548, 0x660)
    q(v + 0x550, 0x1000); q(v + 0x558, 0x80050033); q(v + 0x570, 2)
    q(v + 0x578, 0x8070); q(v + 0x5d8, 0x9f00)
    q(0x2000, 0x3007); q(0x3000, 0x4007); q(0x3008, 0x87)
    q(0x4000, 0x5007); q(0x4008, 0x200087); q(0x4010, 0x402087)
    q(0x5000, 0x10007); q(0x5010, (1 << 51) | 0x10007)
    if tweak:
        tweak(h)
    return struct.pack("<QQB", ncr3, gpa, lv) + bytes(h)
open(o + "/vmcb-npt.bin", "wb").write(image())
open(o + "/gpa-2m.bin", "wb").write(image(gpa=0x212345))
open(o + "/gpa-1g.bin", "wb").write(image(gpa=0x40012345))
open(o + "/mmio.bin", "wb").write(image(gpa=0x2000))
open(o + "/l5.bin", "wb").write(image(lv=1))
open(o + "/loop.bin", "wb").write(image(tweak=lambda h: struct.pack_into("<Q", h, 0x3000, 0x2007)))
open(o + "/no-svme.bin", "wb").write(image(tweak=lambda h: struct.pack_into("<Q", h, 0x14d0, 0x500)))
PY
