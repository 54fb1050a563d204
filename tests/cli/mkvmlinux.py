#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A minimal vmlinux stand-in for --vmlinux tests: an ELF64 with a GNU
build-id note and a .symtab (no code, no DWARF).

  mkvmlinux.py OUT BUILD_ID_HEX NAME=ADDR...
"""
import struct
import sys


def main():
    out, bid = sys.argv[1], bytes.fromhex(sys.argv[2])
    syms = [a.split("=") for a in sys.argv[3:]]
    note = struct.pack("<III", 4, len(bid), 3) + b"GNU\0" + bid
    note += b"\0" * (-len(note) % 4)
    strtab = b"\0"
    symtab = bytes(24)
    for name, addr in syms:
        off = len(strtab)
        strtab += name.encode() + b"\0"
        info = 0x12 if name in ("_text", "_stext") else 0x11
        symtab += struct.pack("<IBBHQQ", off, info, 0, 1, int(addr, 16), 0)
    shstr = b"\0.notes\0.symtab\0.strtab\0.shstrtab\0"
    names = {n: shstr.index(n.encode()) for n in (".notes", ".symtab", ".strtab", ".shstrtab")}
    blobs = [note, symtab, strtab, shstr]
    off = 64
    offs = []
    for b in blobs:
        offs.append(off)
        off += len(b)
    shoff = (off + 7) & ~7
    eh = bytearray(64)
    eh[:7] = b"\x7fELF\x02\x01\x01"
    struct.pack_into("<HHIQQQIHHHHHH", eh, 16, 2, 62, 1, 0, 0, shoff, 0, 64, 0, 0, 64, 5, 4)
    sh = bytes(64)
    sh += struct.pack("<IIQQQQIIQQ", names[".notes"], 7, 2, 0, offs[0], len(note), 0, 0, 4, 0)
    sh += struct.pack("<IIQQQQIIQQ", names[".symtab"], 2, 0, 0, offs[1], len(symtab), 3, 1, 8, 24)
    sh += struct.pack("<IIQQQQIIQQ", names[".strtab"], 3, 0, 0, offs[2], len(strtab), 0, 0, 1, 0)
    sh += struct.pack("<IIQQQQIIQQ", names[".shstrtab"], 3, 0, 0, offs[3], len(shstr), 0, 0, 1, 0)
    with open(out, "wb") as f:
        f.write(bytes(eh) + b"".join(blobs) + b"\0" * (shoff - off) + sh)


if __name__ == "__main__":
    main()
