#!/usr/bin/env python3
"""Print the pr_pid of every NT_PRSTATUS note of an ELF64 little-endian
vmcore, space-separated, in note order."""
import struct, sys

with open(sys.argv[1], 'rb') as f:
    head = f.read(64)
    phoff, = struct.unpack_from('<Q', head, 32)
    phnum, = struct.unpack_from('<H', head, 56)
    f.seek(phoff)
    ph = f.read(56 * phnum)
    pids = []
    for i in range(phnum):
        typ, _, off, _, _, filesz = struct.unpack_from('<IIQQQQ', ph, 56 * i)
        if typ != 4:
            continue
        f.seek(off)
        n = f.read(filesz)
        p = 0
        while p + 12 <= len(n):
            nsz, dsz, t = struct.unpack_from('<III', n, p)
            name = n[p + 12:p + 12 + nsz]
            d = p + 12 + ((nsz + 3) & ~3)
            if t == 1 and name.rstrip(b'\0') == b'CORE':
                pids.append(struct.unpack_from('<I', n, d + 32)[0])
            p = d + ((dsz + 3) & ~3)
print(' '.join(map(str, pids)))
