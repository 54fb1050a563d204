#!/usr/bin/python3
# Independent reader for the convert tests (does not use guestcore):
#   vmcore_tool.py walk DUMP PGD_PADDR VADDR LEN
#       plain x86-64 4-level walk (no Xen knowledge); prints the LEN bytes
#       at VADDR as hex, or "FAULT ..." on a non-present entry
#   vmcore_tool.py pagesha DUMP PADDR...     sha256 of the 4 KiB page at each
#   vmcore_tool.py allsha DUMP                one sha256 over every page
#       (ELF: all PT_LOAD RAM segments by paddr; "pfn sha" lines hashed)
#   vmcore_tool.py vmcoreinfo DUMP           the VMCOREINFO text
# ELF vmcores are parsed directly (PT_LOAD p_paddr); anything else goes
# through libkdumpfile (python3-libkdumpfile, `import kdumpfile`).
import hashlib
import struct
import sys


class Elf:
    def __init__(self, path):
        self.f = open(path, 'rb')
        h = self.f.read(64)
        assert h[:4] == b'\x7fELF' and h[4] == 2, 'not ELF64'
        phoff, = struct.unpack_from('<Q', h, 32)
        shoff, = struct.unpack_from('<Q', h, 40)
        phnum, = struct.unpack_from('<H', h, 56)
        if phnum == 0xffff:
            self.f.seek(shoff)
            sh = self.f.read(64)
            phnum, = struct.unpack_from('<I', sh, 44)
        self.f.seek(phoff)
        ph = self.f.read(56 * phnum)
        self.loads = []
        for i in range(phnum):
            t, _, off, va, pa, fsz, msz, _ = struct.unpack_from('<IIQQQQQQ', ph, 56 * i)
            if t == 1:
                self.loads.append((pa, off, fsz, va))
            elif t == 4:
                self.note = (off, fsz)

    def pfns(self):
        seen = set()
        for pa, off, fsz, va in sorted(self.loads):
            if va >= 0xffffffff80000000:
                continue
            for p in range(pa >> 12, (pa + fsz) >> 12):
                if p not in seen:
                    seen.add(p)
                    yield p

    def vmcoreinfo(self):
        off, size = self.note
        self.f.seek(off)
        b = self.f.read(size)
        i = 0
        while i + 12 <= len(b):
            nsz, dsz, typ = struct.unpack_from('<III', b, i)
            name = b[i + 12:i + 12 + nsz].rstrip(b'\0')
            d = i + 12 + ((nsz + 3) & ~3)
            if name == b'VMCOREINFO':
                return b[d:d + dsz].decode()
            i = d + ((dsz + 3) & ~3)
        return ''

    def read(self, paddr, n):
        for pa, off, fsz, va in self.loads:
            if va >= 0xffffffff80000000:
                continue  # kernel text alias: prefer RAM segments
            if pa <= paddr and paddr + n <= pa + fsz:
                self.f.seek(off + paddr - pa)
                return self.f.read(n)
        raise KeyError('paddr %x not in dump' % paddr)


class Kdf:
    def __init__(self, path):
        import kdumpfile
        self.k = kdumpfile.kdumpfile(path)
        self.kdumpfile = kdumpfile

    def read(self, paddr, n):
        return bytes(self.k.read(self.kdumpfile.KDUMP_MACHPHYSADDR, paddr, n))

    def pfns(self):
        # every page libkdumpfile can read (excluded pages read as zero
        # in ELF, so count them as zero pages here too)
        maxpfn = self.k.attr['max_pfn']
        for p in range(maxpfn):
            try:
                self.k.read(self.kdumpfile.KDUMP_MACHPHYSADDR, p << 12, 1)
            except Exception:  # NoDataException: excluded / absent
                continue
            yield p

    def vmcoreinfo(self):
        try:
            return bytes(self.k.attr['linux.vmcoreinfo.raw']).decode()
        except KeyError:
            return ''


def open_dump(path):
    with open(path, 'rb') as f:
        magic = f.read(4)
    return Elf(path) if magic == b'\x7fELF' else Kdf(path)


def walk(d, pgd, va):
    table = pgd
    for level, shift in ((4, 39), (3, 30), (2, 21), (1, 12)):
        idx = (va >> shift) & 511
        e, = struct.unpack('<Q', d.read(table + 8 * idx, 8))
        if not e & 1:
            return None, 'FAULT L%d entry %x' % (level, e)
        if level in (3, 2) and e & 0x80:
            size = 1 << shift
            base = e & 0x000FFFFFFFFFF000 & ~(size - 1)
            return base + (va & (size - 1)), None
        table = e & 0x000FFFFFFFFFF000
    return table + (va & 0xfff), None


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    d = open_dump(path)
    if cmd == 'walk':
        pgd = int(sys.argv[3], 16)
        va = int(sys.argv[4], 16)
        n = int(sys.argv[5])
        pa, err = walk(d, pgd, va)
        if err:
            print(err)
            sys.exit(1)
        print(d.read(pa, n).hex())
    elif cmd == 'pagesha':
        for a in sys.argv[3:]:
            try:
                print(a, hashlib.sha256(d.read(int(a, 16), 4096)).hexdigest())
            except Exception as e:  # absent page
                print(a, 'ERROR', type(e).__name__)
    elif cmd == 'allsha':
        h = hashlib.sha256()
        n = 0
        for pfn in d.pfns():
            h.update(b'%x ' % pfn)
            h.update(d.read(pfn << 12, 4096))
            n += 1
        print(n, h.hexdigest())
    elif cmd == 'vmcoreinfo':
        sys.stdout.write(d.vmcoreinfo())


if __name__ == '__main__':
    main()
