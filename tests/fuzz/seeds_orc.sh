#!/bin/sh
# Seed corpus for fuzz_orc: small walks in the input format of
# tests/fuzz/fuzz_orc.c (IRQ stack -> task stack through an indirect
# stack pointer, a pt_regs entry frame, user-mode registers at the end;
# a frame-pointer chain; the 6.4 layout's end-of-stack entry; the first
# walk in Linux 7.x's register numbering).  Written by
# python3; the seed tool is not used.
# seed-tool: gcfixture
set -e
OUT=${2:?usage: seeds_orc.sh GCFIXTURE OUTDIR}
mkdir -p "$OUT/fuzz_orc"
python3 - "$OUT/fuzz_orc" <<'PY'
import struct, sys
out = sys.argv[1]
TEXT, IPT, STACK = 0xffffffff81000000, 0xffffffff82000000, 0xffffc90000000000
def seed(name, flags, ents, ip, sp, bp, stack):
    ipt = b"".join(struct.pack("<i", TEXT + e[0] - (IPT + 4 * i)) for i, e in enumerate(ents))
    orc = b"".join(struct.pack("<hhH", e[1], e[2], e[3]) for e in ents)
    hdr = struct.pack("<BHHHH", flags, len(ents), ip, sp, bp)
    open(f"{out}/{name}", "wb").write(hdr + ipt + orc + bytes(stack))
def w(sp_reg, bp_reg, typ, end=0):
    return sp_reg | bp_reg << 4 | typ << 8 | end << 10
stk = bytearray(0x400)           # task 0..0x200, IRQ 0x200..0x400
def put(off, v): stk[off:off + 8] = struct.pack("<Q", v)
# f1 (IRQ) -> f2 -> (indirect) task -> entry (REGS) -> user
put(0x308, TEXT + 0x220)
put(0x310, STACK + 0x100)
put(0x100, TEXT + 0x410)
regs = [0] * 21
regs[16], regs[17], regs[19], regs[20] = 0x401000, 0x33, 0x7ffd0000, 0x2b
stk[0x110:0x110 + 168] = struct.pack("<21Q", *regs)
ents = [(0x100, 16, 0, w(5, 0, 0)), (0x200, 8, 0, w(9, 0, 0)),
        (0x400, 8, 0, w(5, 0, 1)), (0x500, 0, 0, w(0, 0, 0, 1))]
seed("irq-regs-user", 0, ents, 0x110, 0x300, 0, stk)
# frame pointers below the first entry
fp = bytearray(0x400)
fp[0x80:0x90] = struct.pack("<QQ", STACK + 0xc0, TEXT + 0x40)
fp[0xc0:0xd0] = struct.pack("<QQ", 0, TEXT + 0x48)
seed("frame-pointers", 0, [(0x100, 8, 0, w(5, 0, 0))], 0x20, 0x70, 0x80, fp)
# 6.4 layout: CALL (type 2) then END_OF_STACK (type 1)
e2 = bytearray(0x200)
e2[0x48:0x50] = struct.pack("<Q", TEXT + 0x210)
seed("v2-end", 1, [(0x100, 16, 0, 5 | 2 << 8), (0x200, 0, 0, 1 << 8)], 0x110, 0x40, 0, e2)
# the first walk with Linux 7.x register numbers (SP 3, SP_INDIRECT 9,
# PREV_SP 8), told by flag bit 4, and again guessed from the entries (bit 5)
ax = {5: 3, 9: 9, 0: 0, 1: 8}
ents7 = [(ip, so, bo, (x & ~0xff) | ax[x & 15] | ax[(x >> 4) & 15] << 4)
         for ip, so, bo, x in ents]
seed("irq-regs-user-7x", 16, ents7, 0x110, 0x300, 0, stk)
seed("irq-regs-user-7x-guess", 32, ents7, 0x110, 0x300, 0, stk)
PY
