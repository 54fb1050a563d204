#!/usr/bin/python3
# Re-shape a kdump-compressed file (64-bit x86_64 layout, header_version
# >= 2, as `guestcore convert --format kdump` writes it) without guestcore:
#   kdump_reshape.py flat IN OUT
#       the makedumpfile -F flattened stream of IN: records of 1000 bytes
#       (pages straddle records), the header record last
#   kdump_reshape.py split IN N OUT
#       makedumpfile --split style: OUT, OUT.1 .. OUT.(N-1), each with the
#       whole header and bitmaps, split=1, its [start_pfn, end_pfn) and
#       the descriptors and page data of the dumped frames in that range
# Layout facts: ../shared/spec/kdump-formats.md (the same the reader and
# tests/fixtures/mkvmcore.c follow).
import struct
import sys

PS_OFF = 428


def u32(b, o):
    return struct.unpack_from('<I', b, o)[0]


def u64(b, o):
    return struct.unpack_from('<Q', b, o)[0]


def flat(src, dst):
    img = open(src, 'rb').read()
    out = bytearray(4096)
    out[0:12] = b'makedumpfile'
    struct.pack_into('>QQ', out, 16, 1, 1)

    def rec(off, data):
        out.extend(struct.pack('>qq', off, len(data)))
        out.extend(data)
    for o in range(4096, len(img), 1000):
        rec(o, img[o:o + 1000])
    rec(0, img[0:4096])
    out.extend(struct.pack('>qq', -1, -1))
    open(dst, 'wb').write(out)


def split(src, n, dst):
    img = open(src, 'rb').read()
    assert img[:8] == b'KDUMP   ', 'not kdump-compressed'
    assert u32(img, 8) >= 2, 'header_version < 2 cannot be split'
    ps = u32(img, PS_OFF)
    sub_blocks = u32(img, 432)
    bm_blocks = u32(img, 436)
    sub = ps
    max_mapnr = u64(img, sub + 96) if u32(img, 8) >= 6 else u32(img, 440)
    bm_len = bm_blocks * ps // 2
    bm1 = (1 + sub_blocks) * ps
    bm2 = bm1 + bm_len
    desc = bm1 + bm_blocks * ps
    dumped = [p for p in range(max_mapnr)
              if img[bm2 + p // 8] >> (p % 8) & 1]
    descs = {p: img[desc + 24 * i:desc + 24 * i + 24]
             for i, p in enumerate(dumped)}
    # parts of about equal numbers of dumped frames
    per = (len(dumped) + n - 1) // n
    bounds = [0]
    for k in range(1, n):
        bounds.append(dumped[min(k * per, len(dumped) - 1)])
    bounds.append(max_mapnr)
    for k in range(n):
        lo, hi = bounds[k], bounds[k + 1]
        part = bytearray(img[:desc])
        struct.pack_into('<I', part, sub + 12, 1)
        struct.pack_into('<QQ', part, sub + 16, lo, hi)
        if u32(img, 8) >= 6:
            struct.pack_into('<QQ', part, sub + 80, lo, hi)
        mine = [p for p in dumped if lo <= p < hi]
        data = bytearray()
        base = desc + 24 * len(mine)
        where = {}
        table = bytearray()
        for p in mine:
            d = descs[p]
            off, size, flags, pg = struct.unpack('<QIIQ', d)
            if off not in where:
                where[off] = base + len(data)
                data.extend(img[off:off + size])
            table.extend(struct.pack('<QIIQ', where[off], size, flags, pg))
        part.extend(table)
        part.extend(data)
        open(dst if k == 0 else '%s.%d' % (dst, k), 'wb').write(part)


def main():
    a = sys.argv[1:]
    if len(a) == 3 and a[0] == 'flat':
        flat(a[1], a[2])
    elif len(a) == 4 and a[0] == 'split':
        split(a[1], int(a[2]), a[3])
    else:
        sys.exit('usage: kdump_reshape.py flat IN OUT | split IN N OUT')


main()
