#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Wrap the RAM of a guest ELF vmcore into a minimal x86-64 process core.

  fake_core.py GUEST.elf OUT.core HVA MAXGPA

Every PT_LOAD of GUEST.elf below MAXGPA becomes a PT_LOAD of OUT.core at
host address HVA + p_paddr (holes between them stay unmapped), so
`extract-qemu --ram 0:MAXGPA@HVA` must give the guest back.  Used to run
extract-qemu on real Linux guest memory without a Linux guest at test time.
"""
import struct
import sys


def main():
    src, dst, hva, maxgpa = sys.argv[1], sys.argv[2], int(sys.argv[3], 0), int(sys.argv[4], 0)
    with open(src, "rb") as f:
        eh = f.read(64)
        phoff, = struct.unpack_from("<Q", eh, 32)
        phentsize, phnum = struct.unpack_from("<HH", eh, 54)
        loads = []
        for i in range(phnum):
            f.seek(phoff + i * phentsize)
            typ, flags, off, vaddr, paddr, filesz, memsz = struct.unpack_from("<IIQQQQQ", f.read(56))
            if typ == 1 and paddr + filesz <= maxgpa and filesz == memsz:
                loads.append((paddr, off, filesz))
        data_off = (64 + 56 * len(loads) + 4095) & ~4095
        out = open(dst, "wb")
        ehdr = bytearray(64)
        ehdr[:7] = b"\x7fELF\x02\x01\x01"
        struct.pack_into("<HHIQQQIHHHHHH", ehdr, 16, 4, 62, 1, 0, 64, 0, 0, 64, 56, len(loads), 0, 0, 0)
        out.write(ehdr)
        pos = data_off
        for paddr, off, size in loads:
            out.write(struct.pack("<IIQQQQQQ", 1, 6, pos, hva + paddr, 0, size, size, 4096))
            pos += size
        out.seek(data_off)
        for paddr, off, size in loads:
            f.seek(off)
            left = size
            while left:
                chunk = f.read(min(left, 1 << 22))
                out.write(chunk)
                left -= len(chunk)
        out.close()


if __name__ == "__main__":
    main()
