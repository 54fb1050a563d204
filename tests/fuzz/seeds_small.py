#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Seed corpora for the fuzz targets that read small structures:
fuzz_ept, fuzz_pgwalk, fuzz_printk, fuzz_qemu_core, fuzz_qemu_text and
fuzz_vmcoreinfo.  Each seed is built here in the target's input layout
(see the comment at the top of each tests/fuzz/fuzz_X.c) so that the
fuzzer starts from inputs that walk whole structures: 4- and 5-level page
tables with 4 KiB/2 MiB/1 GiB leaves, EPT tables, printk rings of the
three layouts, an x86-64 process core with every note the parser reads,
and QEMU monitor text.  Real data (VMCOREINFO of the Debian 6.1 dumps, a
System.map slice) is committed in tests/fuzz/seeds/ and copied as is.

  seeds_small.py OUTDIR      writes OUTDIR/fuzz_<target>/<seed>
"""
import os
import shutil
import struct
import sys

PAGE = 4096


def put(out, target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def q(v):
    return struct.pack("<Q", v & 0xFFFFFFFFFFFFFFFF)


# ---- x86-64 page tables (fuzz_pgwalk: va, mode, image) --------------------
def x86_tables(va, levels, leaf_level, root=0x1000):
    """Tables from ROOT, one page each, for VA; the leaf is at LEAF_LEVEL
    (1 = PTE 4 KiB, 2 = PMD 2 MiB, 3 = PUD 1 GiB).  Returns the image."""
    img = bytearray(root + PAGE * (levels + 1))
    table = root
    nxt = root + PAGE
    for lvl in range(levels, 0, -1):
        idx = (va >> (12 + 9 * (lvl - 1))) & 0x1FF
        if lvl == leaf_level:
            if lvl == 1:
                ent = nxt | 0x63
            else:
                ent = (0x40000000 if lvl == 3 else 0x200000) | 0xE3
            struct.pack_into("<Q", img, table + 8 * idx, ent)
            break
        struct.pack_into("<Q", img, table + 8 * idx, nxt | 0x63)
        table = nxt
        nxt += PAGE
    img[-PAGE:-PAGE + 16] = b"leaf page data.."
    return bytes(img)


def pgwalk(out):
    root = 0x1000
    mode_root = root << 8
    cases = [
        ("l4-4k", 0xFFFFFFFF81234567, 4, 1, 0),
        ("l4-2m", 0xFFFF888000345678, 4, 2, 0),
        ("l4-1g", 0xFFFF888040000123, 4, 3, 0),
        ("l5-4k", 0xFF11223344556789, 5, 1, 1),
        ("l4-sme", 0xFFFFFFFF81000000, 4, 1, 4),
        ("l4-user", 0x00007F1234567000, 4, 1, 0),
    ]
    for name, va, levels, leaf, bits in cases:
        img = x86_tables(va, levels, leaf, root)
        put(out, "fuzz_pgwalk", name, q(va) + q(mode_root | bits) + img)
    # Xen PV: the walker reads machine addresses (the target permutes them
    # with ^0x5000); the tables point at themselves so entries stay in range
    img = bytearray(x86_tables(0xFFFFFFFF81000000, 4, 1, root))
    put(out, "fuzz_pgwalk", "xenpv", q(0xFFFFFFFF81000000) + q(mode_root | 2) + bytes(img))
    # a self-referencing root (recursive mapping) and an empty table
    img = bytearray(2 * PAGE)
    struct.pack_into("<Q", img, root + 8 * 0x1ED, root | 0x63)
    put(out, "fuzz_pgwalk", "recursive", q(0xFFFFF6FB7DBED000) + q(mode_root) + bytes(img))


# ---- EPT (fuzz_ept: selector, gpa, host memory from 0) --------------------
def ept(out):
    def tables(gpa, leaf_level):
        mem = bytearray(PAGE * 5)
        table, nxt = 0, PAGE
        for lvl in range(4, 0, -1):
            idx = (gpa >> (12 + 9 * (lvl - 1))) & 0x1FF
            if lvl == leaf_level:
                if lvl == 1:
                    ent = nxt | 0x7 | (6 << 3)
                else:
                    ent = 0x7 | (6 << 3) | 0x80  # 2 MiB / 1 GiB leaf
                struct.pack_into("<Q", mem, table + 8 * idx, ent)
                break
            struct.pack_into("<Q", mem, table + 8 * idx, nxt | 0x7)
            table = nxt
            nxt += PAGE
        mem[4 * PAGE:4 * PAGE + 16] = b"guest page 0x..."
        return bytes(mem)
    eptp_low = 6 | (3 << 3)  # write-back, 4-level walk, root page 0
    for name, gpa, leaf in (("4k", 0x12345000, 1), ("2m", 0x7FE00000, 2),
                            ("1g", 0x40000000, 3), ("low", 0x1000, 1)):
        put(out, "fuzz_ept", name, q(eptp_low) + q(gpa) + tables(gpa, leaf))
    # accessed/dirty enabled and a 5-level selector over the same tables
    put(out, "fuzz_ept", "ad", q(eptp_low | 0x40) + q(0x12345000) + tables(0x12345000, 1))
    put(out, "fuzz_ept", "l5", q(6 | (4 << 3)) + q(0x12345000) + tables(0x12345000, 1))


# ---- printk (fuzz_printk: layout byte, memory at BASE) --------------------
def prb_ring(texts):
    """Linux >= 5.10 lockless ring with the default offsets the reader
    uses when VMCOREINFO gives none (printk_info: seq, ts_nsec, text_len,
    facility, flags:5/level:3, caller_id)."""
    mem = bytearray(0x1000)
    base = 0xFFFFFFFF80000000
    rb, descs, infos, data = 0x100, 0x200, 0x300, 0x800
    count_bits, size_bits = 2, 10
    struct.pack_into("<Q", mem, 0, base + rb)
    struct.pack_into("<I", mem, rb + 0, count_bits)
    struct.pack_into("<QQQQ", mem, rb + 8, base + descs, base + infos,
                     len(texts) - 1, 0)
    struct.pack_into("<I", mem, rb + 48, size_bits)
    struct.pack_into("<Q", mem, rb + 56, base + data)
    pos = 0
    for i, (ts, level, caller, text) in enumerate(texts):
        t = text.encode()
        blk = (8 + len(t) + 7) & ~7
        struct.pack_into("<Q", mem, data + pos, i)
        mem[data + pos + 8:data + pos + 8 + len(t)] = t
        struct.pack_into("<QQQ", mem, descs + 24 * i, (1 << 62) | i, pos, pos + blk)
        struct.pack_into("<QQHBBI", mem, infos + 88 * i, i, ts, len(t), 0,
                         level << 5, caller)
        pos += blk
    return bytes(mem)


def printk(out):
    recs = [(0, 5, 0x80000000, "Linux version 6.1.0-56-amd64"),
            (1500000, 6, 1, "Command line: console=ttyS0"),
            (2000000000, 0, 0x80000001, "Kernel panic - not syncing: sysrq\nsecond line")]
    put(out, "fuzz_printk", "prb", b"\x00" + prb_ring(recs))
    # printk_log records (3.5 - 5.9): SIZE(printk_log)=16, ts 0, len 8,
    # text_len 10; log_buf at BASE+0x100, 512 bytes
    mem = bytearray(0x400)
    base = 0xFFFFFFFF80000000
    struct.pack_into("<QIII", mem, 0, base + 0x100, 512, 0, 0)
    idx = 0
    for ts, level, _, text in recs:
        t = text.encode()
        rl = (16 + len(t) + 7) & ~7
        struct.pack_into("<QHHHBB", mem, 0x100 + idx, ts, rl, len(t), 0, 0, level << 5)
        mem[0x100 + idx + 16:0x100 + idx + 16 + len(t)] = t
        idx += rl
    struct.pack_into("<I", mem, 0x10, idx)
    put(out, "fuzz_printk", "records", b"\x01" + bytes(mem))
    # plain log_buf (< 3.5): log_buf_len a power of two, log_end counts bytes
    text = b"<6>Linux version 2.6.32\n<4>old kernel line\n"
    mem = bytearray(0x200)
    struct.pack_into("<QII", mem, 0, base + 0x100, 256, len(text))
    mem[0x100:0x100 + len(text)] = text
    put(out, "fuzz_printk", "plain", b"\x02" + bytes(mem))
    # a wrapped plain ring (log_end past log_buf_len)
    struct.pack_into("<QII", mem, 0, base + 0x100, 256, 256 + 20)
    put(out, "fuzz_printk", "plain-wrap", b"\x02" + bytes(mem))


# ---- QEMU process core (fuzz_qemu_core) ------------------------------------
def note(name, typ, desc):
    n = name.encode() + b"\0"
    h = struct.pack("<III", len(n), len(desc), typ)
    pad = lambda b: b + b"\0" * (-len(b) % 4)
    return h + pad(n) + pad(desc)


def qemu_core(out, ram_pages=16, hva=0x7F0000000000, threads=2, with_files=True):
    notes = b""
    for t in range(threads):
        st = bytearray(336)
        struct.pack_into("<I", st, 0, 11 if t == 0 else 0)  # si_signo
        struct.pack_into("<I", st, 32, 1000 + t)            # pr_pid
        for r in range(27):                                 # pr_reg
            struct.pack_into("<Q", st, 112 + 8 * r, 0x1000 * (t + 1) + r)
        notes += note("CORE", 1, bytes(st))
    ps = bytearray(136)
    ps[40:56] = b"qemu-system-x86\0"
    args = b"qemu-system-x86_64 -m 64M -machine q35 -smp 2"
    ps[56:56 + len(args)] = args
    notes += note("CORE", 3, bytes(ps))
    notes += note("CORE", 6, q(31) + q(0x7FFFF000) + q(6) + q(4096) + q(0) + q(0))
    if with_files:
        names = [b"/usr/bin/qemu-system-x86_64", b"/dev/shm/pc.ram (deleted)"]
        nt = q(2) + q(PAGE)
        nt += q(0x555555554000) + q(0x555555556000) + q(0)
        nt += q(hva) + q(hva + ram_pages * PAGE) + q(0)
        nt += b"\0".join(names) + b"\0"
        notes += note("CORE", 0x46494C45, nt)
    # segments: a small executable mapping, guest RAM, the stack page with
    # the command line (AT_EXECFN points into it)
    stack = bytearray(PAGE)
    argv = b"qemu-system-x86_64\0-m\0" + b"64M\0-machine\0q35\0"
    stack[PAGE - len(argv) - 64:PAGE - 64] = argv
    ram = bytearray(ram_pages * PAGE)
    for i in range(ram_pages):
        ram[i * PAGE:i * PAGE + 8] = q(i * PAGE)
    segs = [(0x555555554000, bytes(PAGE)), (hva, bytes(ram)), (0x7FFFF000, bytes(stack))]
    phnum = 1 + len(segs)
    off = 64 + 56 * phnum
    note_off = off
    off = (off + len(notes) + PAGE - 1) & ~(PAGE - 1)
    ph = struct.pack("<IIQQQQQQ", 4, 0, note_off, 0, 0, len(notes), len(notes), 4)
    body = bytearray()
    for va, data in segs:
        ph += struct.pack("<IIQQQQQQ", 1, 6, off + len(body), va, 0, len(data), len(data), PAGE)
        body += data
    eh = bytearray(64)
    eh[:7] = b"\x7fELF\x02\x01\x01"
    struct.pack_into("<HHIQQQIHHHHHH", eh, 16, 4, 62, 1, 0, 64, 0, 0, 64, 56, phnum, 0, 0, 0)
    img = bytearray(eh) + ph + notes
    img += b"\0" * (((len(img) + PAGE - 1) & ~(PAGE - 1)) - len(img))
    img += body
    # the last byte sizes the RAM layout in the target: 16 pages
    return bytes(img[:-1]) + bytes([ram_pages - 1])


def qemu(out):
    put(out, "fuzz_qemu_core", "core-2threads", qemu_core(out))
    put(out, "fuzz_qemu_core", "core-nofiles", qemu_core(out, threads=1, with_files=False))
    c = qemu_core(out)
    put(out, "fuzz_qemu_core", "core-cut", c[:len(c) // 2])


def qemu_text(out, seeds_dir):
    for f in sorted(os.listdir(seeds_dir)):
        shutil.copy(os.path.join(seeds_dir, f), os.path.join(out, "fuzz_qemu_text", f))
    put(out, "fuzz_qemu_text", "ram-arg", b"0:0x4000000@0x7f2a00000000\n")
    put(out, "fuzz_qemu_text", "ram-arg-hole", b"0x100000000:0x40000000@0x7f2a80000000\n")


def main():
    out = sys.argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    committed = os.path.join(here, "seeds")
    for t in sorted(os.listdir(committed)):
        os.makedirs(os.path.join(out, t), exist_ok=True)
        if t == "fuzz_qemu_text":
            continue
        for f in sorted(os.listdir(os.path.join(committed, t))):
            shutil.copy(os.path.join(committed, t, f), os.path.join(out, t, f))
    pgwalk(out)
    ept(out)
    printk(out)
    qemu(out)
    qemu_text(out, os.path.join(committed, "fuzz_qemu_text"))


if __name__ == "__main__":
    main()
