#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Compare two ELF vmcores page by page by guest-physical address.

  elfcmp.py REFERENCE OURS [PATTERN_MAX_GPA]

REFERENCE is QEMU's own dump-guest-memory file, OURS the extracted guest.
Prints one line of counts:
  same=N differ=N only_ref=N only_ours=N stamped=N stamped_hi=N (above 4 GiB)
and then 'only_ref GPA-GPA' / 'differ GPA' lines (ranges).  stamped counts
pages of OURS that carry the test payload's stamp (their GPA at +0, "GCPG"
at +8, ~GPA at +4092).
"""
import struct
import sys

PAGE = 4096


def loads(path):
    with open(path, "rb") as f:
        eh = f.read(64)
        assert eh[:4] == b"\x7fELF" and eh[4] == 2, path + ": not ELF64"
        phoff, = struct.unpack_from("<Q", eh, 32)
        phentsize, phnum = struct.unpack_from("<HH", eh, 54)
        pages = {}
        for i in range(phnum):
            f.seek(phoff + i * phentsize)
            ph = f.read(56)
            typ, = struct.unpack_from("<I", ph, 0)
            if typ != 1:
                continue
            off, vaddr, paddr, filesz, memsz = struct.unpack_from("<QQQQQ", ph, 8)
            for k in range(0, filesz - filesz % PAGE, PAGE):
                pages[paddr + k] = off + k
        return pages


def ranges(addrs):
    out = []
    for a in sorted(addrs):
        if out and out[-1][1] == a:
            out[-1][1] = a + PAGE
        else:
            out.append([a, a + PAGE])
    return out


def main():
    ref_path, our_path = sys.argv[1], sys.argv[2]
    ref, ours = loads(ref_path), loads(our_path)
    same = differ = stamped = stamped_hi = 0
    diffs = []
    with open(ref_path, "rb") as fr, open(our_path, "rb") as fo:
        for gpa, off in sorted(ours.items()):
            fo.seek(off)
            mine = fo.read(PAGE)
            lo, hi, magic = struct.unpack_from("<II4s", mine, 0)
            tail, = struct.unpack_from("<I", mine, PAGE - 4)
            if magic == b"GCPG" and lo == gpa & 0xffffffff and hi == gpa >> 32 and \
               tail == (~gpa) & 0xffffffff:
                stamped += 1
                if gpa >= 1 << 32:
                    stamped_hi += 1
            if gpa not in ref:
                continue
            fr.seek(ref[gpa])
            if fr.read(PAGE) == mine:
                same += 1
            else:
                differ += 1
                diffs.append(gpa)
    only_ref = set(ref) - set(ours)
    only_ours = set(ours) - set(ref)
    print("same=%d differ=%d only_ref=%d only_ours=%d stamped=%d stamped_hi=%d" %
          (same, differ, len(only_ref), len(only_ours), stamped, stamped_hi))
    for a, b in ranges(only_ref):
        print("only_ref 0x%x-0x%x" % (a, b - 1))
    for a, b in ranges(only_ours):
        print("only_ours 0x%x-0x%x" % (a, b - 1))
    for a, b in ranges(diffs)[:20]:
        print("differ 0x%x-0x%x" % (a, b - 1))


if __name__ == "__main__":
    main()
