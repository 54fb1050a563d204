#!/usr/bin/env python3
"""A synthetic host kernel memory image holding one KVM VM, in the Linux 6.1
x86_64 layout (kvm_layout_linux61_svm in src/lib/guests/kvm/layout.c): the
seed of fuzz_kvm and the image test_kvm.c builds the same way.  Byte I of
the image is kernel virtual KBASE + I; vm_list's head is at KBASE.
  kvm_image.py OUT [damage]   damage: none, loop, deep, vcpus, hugetlb
  (hugetlb: slot 0's VMA is a hugetlbfs mapping, VM_HUGETLB | VM_SHARED)
"pcache*" images add two VMAs with their files' page caches (pcache.c):
slot B's 16 MiB at 0x7f1000000000 a MAP_SHARED memfd ("memfd:guest-ram",
tmpfs superblock) whose xarray (a shift-6 node over a shift-0 node) holds
index 0-3 pages pfn 0x10-0x13, 4 a swap entry, 5 nothing, 6-7 a 2-page
folio (pfn 0x20, slot 7 a sibling), 64+ nothing; and a private mapping of a
regular file at 0x7f2000000000 (16 pages, vm_pgoff 0x10) whose index 0x10
is pfn 0x30, 0x11 a shadow (value) entry, 0x12 nothing; and a hugetlbfs
mapping at 0x7f3000000000 (2 huge pages of 2 MiB, from file offset 2 MiB)
whose huge index 1 is pfn 0x200 and 2 nothing.  struct page of
pfn P at KBASE + 0x20000 + 64 P (the vmemmap).  Damaged: pcache-shift (the
leaf node's shift 12 under a shift-6 node), pcache-page (index 1's entry
off the vmemmap's grid), pcache-index (index 2's page says index 9),
pcache-sibling (slot 7 a sibling of slot 9), pcache-loop (the top node's
slot 0 is the top node itself).  The hugetlbfs page cache the way Linux
>= 6.7 indexes it (in base pages, each huge page one multi-index entry of
its order): pcache-hbase (a shift-6 node: slots 0-7 the huge page at file
offset 0, pfn 0x400, not mapped by the VMA; slots 8-15 huge page 1 at
index 0x200, pfn 0x200; index 0x400 nothing), pcache-hmixed (both ways at
once: slot 0 a shift-0 node whose slot 1 is a single-index huge page 1,
pfn 0x400, besides slots 8-15), pcache-h1g (1 GiB pages, order 18: the VMA
maps the file from 1 GiB, vm_pgoff 0x40000; a shift-18 node whose slot 1
is that huge page at index 0x40000, pfn 0x300).
"array*" images hold slots and vCPUs the way Linux < 5.17 did (kvm_memslots
.memslots[used_slots] sorted by base_gfn descending, kvm.vcpus[] pointers)
at the offsets of kvm_layout_pre517_synthetic() (layout.c), and no gfn tree
or vcpu_array: array (intact), array-order (slots ascending: out of order),
array-used (used_slots 2^31-1)."""
import struct
import sys

KBASE = 0xffff888000000000
damage = sys.argv[2] if len(sys.argv) > 2 else "none"
img = bytearray(0x1b000 if not damage.startswith("pcache") else
                0x31000 if damage.startswith("pcache-h") else 0x29000)


def p64(off, v):
    struct.pack_into("<Q", img, off, v & (2**64 - 1))


def p32(off, v):
    struct.pack_into("<I", img, off, v & 0xffffffff)


def p16(off, v):
    struct.pack_into("<H", img, off, v & 0xffff)


K = lambda off: KBASE + off
HEAD, KVM, MM, MS, XA, TASK, SLOTA, SLOTB = (0, 0x1000, 0xc000, 0xd000,
                                             0xe000, 0x10000, 0x13000, 0x13200)
VCPU = [0x14000, 0x16000]
VMCB = [0x18000, 0x19000]
PID = 0x1a000

p64(HEAD, K(KVM + 4472))
p64(HEAD + 8, K(KVM + 4472))
p64(KVM + 4472, K(HEAD) if damage != "loop" else K(KVM + 4472))
p64(KVM + 4472 + 8, K(HEAD))
p64(KVM + 72, K(MM))
p64(KVM + 80, 0x5000)
p64(KVM + 4376, K(MS))
if not damage.startswith("array"):
    p64(KVM + 4392 + 8, K(XA) | 2)
p32(KVM + 4456, 2 if damage != "vcpus" else 0x7fffffff)
p32(KVM + 40408, 122)
p64(MM + 72, K(0x20000 - 0x1000))   # pgd (never walked here)
p64(MM + 928, K(TASK))
p64(MM + 312, 0x1a800)
p64(MM + 320, 0x1a800 + 32)
img[0x1a800:0x1a800 + 32] = b"qemu\0-name\0guest=vm1,debug=on\0".ljust(32, b"\0")
# the VMM's VMAs: a one-node maple tree (leaf_64, root) whose slot 1 is
# the anonymous private VMA of slot A's memory
MAPLE, VMA = 0x1a900, 0x1aa00
p64(MM + 8, K(MAPLE) | (1 << 3) | 2)
p64(MAPLE + 8, 0x7effffffffff)
p64(MAPLE + 16, 0x7f0003ffffff)
p64(MAPLE + 24, 2**64 - 1)
p64(MAPLE + 128 + 8, K(VMA))
p64(VMA + 0, 0x7f0000000000)
p64(VMA + 8, 0x7f0004000000)
p64(VMA + 32, 0x8200073 if damage != "hugetlb" else 0x860007b)
p32(TASK + 2416, 122)
img[TASK + 2976:TASK + 2976 + 8] = b"qemu-kvm"
SLOTS = ((0, 0x4000, 0x7f0000000000, 0), (0x100000, 0x1000, 0x7f1000000000, 1))
if damage.startswith("array"):
    # kvm_memslots: generation, id_to_index[512], last_used_slot,
    # used_slots (1032), memslots[] (1040) of 64-byte slots: base_gfn 0,
    # npages 8, userspace_addr 40, flags 48, id 52, as_id 54
    p32(MS + 1032, 2 if damage != "array-used" else 0x7fffffff)
    order = SLOTS if damage == "array-order" else SLOTS[::-1]
    for i, (gfn, n, ua, sid) in enumerate(order):
        a = MS + 1040 + 64 * i
        p64(a, gfn)
        p64(a + 8, n)
        p64(a + 40, ua)
        p32(a + 48, 0)
        p16(a + 52, sid)
        p16(MS + 8 + 2 * sid, i)        # id_to_index
    p64(KVM + 8192, K(VCPU[0]))         # struct kvm_vcpu *vcpus[288]
    p64(KVM + 8192 + 8, K(VCPU[1]))
else:
    p64(MS + 32, K(SLOTA + 128))
    p32(MS + 1064, 0)
    for s, (gfn, n, ua, sid), right in ((SLOTA, SLOTS[0], K(SLOTB + 128)),
                                        (SLOTB, SLOTS[1], 0)):
        p64(s + 128 + 8, right)
        if damage == "deep":
            p64(s + 128 + 16, K(s + 128))   # rb_left: itself
        p64(s + 176, gfn)
        p64(s + 184, n)
        p64(s + 248, ua)
        p32(s + 256, 0)
        p16(s + 260, sid)
    p64(XA + 40, K(VCPU[0]))
    p64(XA + 48, K(VCPU[1]))
for i, v in enumerate(VCPU):
    p32(v + 36, i)
    p32(v + 40, i)
    p32(v + 48, 1 if i == 0 else 0)
    p32(v + 32, 0)
    p64(v + 120, K(PID + 0x100 * i))
    p32(PID + 0x100 * i + 96, 125 + i)
    for r in range(17):
        p64(v + 296 + 8 * r, 0x1111111111111111 * (r % 15 + 1) + i)
    p64(v + 296 + 16 * 8, 0x8070 + i)
    p32(v + 296 + 136, 0xfffdffff)
    p32(v + 296 + 140, 0)
    p64(v + 296 + 144, 0x80050033)
    p64(v + 296 + 168, 0x1000)
    p64(v + 296 + 176, 0x620)
    p64(v + 296 + 224, 0x500)
    p32(v + 296 + 308, 0 if i == 0 else 3)
    p64(v + 6552, K(VMCB[i]))
    p64(v + 6592, K(v + 6560))
    p64(v + 6560 + 8, VMCB[i])
    b = VMCB[i]
    p64(b + 0xb0, 0x1d56e000)
    p64(b + 0x70, 0x60)
    p16(b + 0x410, 0x8)
    p16(b + 0x420, 0x10)
    p32(b + 0x464, 0x27)
    p64(b + 0x468, 0x500)
    p64(b + 0x570, 0x2)
    p64(b + 0x578, 0x8070 + i)
if damage.startswith("pcache"):
    VMA_M, VMA_F, FILE_M, FILE_F = 0x1b000, 0x1b100, 0x1b200, 0x1b300
    INODE_M, INODE_F, SB_TMPFS, SB_EXT4 = 0x1b400, 0x1b480, 0x1b500, 0x1b700
    DENTRY_M, NAME, AS_M, AS_F = 0x1b900, 0x1b980, 0x1ba00, 0x1ba80
    N0, N1, N2, VMEMMAP = 0x1c000, 0x1c400, 0x1c800, 0x20000
    VMA_H, FILE_H, INODE_H, SB_HUGE = 0x1cc00, 0x1cd00, 0x1ce00, 0x1d000
    HSB, HSTATE, AS_H, N3 = 0x1d600, 0x1d700, 0x1d800, 0x1d900
    # the maple leaf: (.., 0x7f0003ffffff] slot A's VMA, then slot B's
    # memfd VMA, then the file VMA
    for i, (piv, ent) in enumerate(((0x7effffffffff, 0), (0x7f0003ffffff, K(VMA)),
                                    (0x7f0fffffffff, 0), (0x7f1000ffffff, K(VMA_M)),
                                    (0x7f1fffffffff, 0), (0x7f200000ffff, K(VMA_F)),
                                    (0x7f2fffffffff, 0), (0x7f30003fffff, K(VMA_H)),
                                    (2**64 - 1, 0))):
        p64(MAPLE + 8 + 8 * i, piv)
        p64(MAPLE + 128 + 8 * i, ent)
    for v, lo, hi, fl, f, pgoff in ((VMA_M, 0x7f1000000000, 0x7f1001000000, 0xfb, FILE_M, 0),
                                    (VMA_F, 0x7f2000000000, 0x7f2000010000, 0x71, FILE_F, 0x10),
                                    (VMA_H, 0x7f3000000000, 0x7f3000400000, 0x4000fb, FILE_H, 0x200)):
        p64(v + 0, lo)
        p64(v + 8, hi)
        p64(v + 32, fl)
        p64(v + 104, pgoff)
        p64(v + 112, K(f))
    p64(FILE_M + 24, K(DENTRY_M))
    p64(FILE_M + 32, K(INODE_M))
    p64(FILE_M + 216, K(AS_M))
    p64(FILE_F + 32, K(INODE_F))
    p64(FILE_F + 216, K(AS_F))
    p64(INODE_M + 40, K(SB_TMPFS))
    p64(INODE_F + 40, K(SB_EXT4))
    p64(SB_TMPFS + 96, 0x01021994)
    p64(SB_EXT4 + 96, 0xef53)
    p64(DENTRY_M + 40, K(NAME))
    img[NAME:NAME + 16] = b"memfd:guest-ram\0"

    def page(pfn, mapping, index, order=0):
        a = VMEMMAP + 64 * pfn
        p64(a + 24, K(mapping))
        p64(a + 32, index)
        if order:
            img[a + 64 + 17] = order
        return K(a)
    # memfd: N0 (shift 6) -> N1 (shift 0)
    p64(AS_M + 16, K(N0) | 2)
    img[N0] = 6
    p64(N0 + 40, K(N1) | 2 if damage != "pcache-loop" else K(N0) | 2)
    img[N1] = 0 if damage != "pcache-shift" else 12
    for i in range(4):
        p64(N1 + 40 + 8 * i, page(0x10 + i, AS_M, i if (i, damage) != (2, "pcache-index") else 9))
    if damage == "pcache-page":
        p64(N1 + 40 + 8, K(VMEMMAP + 64 * 0x11 + 8))
    p64(N1 + 40 + 8 * 4, (0x1234 << 1) | 1)           # a swap entry
    p64(N1 + 40 + 8 * 6, page(0x20, AS_M, 6, order=1))
    p64(N1 + 40 + 8 * 7, (6 << 2) | 2 if damage != "pcache-sibling" else (9 << 2) | 2)
    # the regular file: one shift-0 node
    p64(AS_F + 16, K(N2) | 2)
    p64(N2 + 40 + 8 * 0x10, page(0x30, AS_F, 0x10))
    p64(N2 + 40 + 8 * 0x11, (0x55 << 1) | 1)          # a shadow entry
    # hugetlbfs (2 MiB pages, order 9 from the superblock's hstate): the
    # VMA maps the file from 2 MiB (vm_pgoff 0x200: huge index 1); the
    # page cache is indexed in huge pages: index 1 the huge page at pfn
    # 0x200, index 2 nothing
    p64(FILE_H + 32, K(INODE_H))
    p64(FILE_H + 216, K(AS_H))
    p64(INODE_H + 40, K(SB_HUGE))
    p64(SB_HUGE + 96, 0x958458f6)
    p64(SB_HUGE + 920, K(HSB))
    p64(HSB + 24, K(HSTATE))
    p32(HSTATE + 40, 9)
    p64(AS_H + 16, K(N3) | 2)
    if damage in ("pcache-hbase", "pcache-hmixed"):
        # Linux >= 6.7: base-page indexes, a multi-index entry of order 9
        # (a shift-6 node, the entry and 7 siblings) per huge page
        img[N3] = 6
        for sl in range(8, 16):
            p64(N3 + 40 + 8 * sl, page(0x200, AS_H, 0x200, order=9)
                if sl == 8 else (8 << 2) | 2)
        if damage == "pcache-hbase":
            for sl in range(8):
                p64(N3 + 40 + 8 * sl, page(0x400, AS_H, 0, order=9)
                    if sl == 0 else 2)
        else:
            N4 = 0x1dc00
            p64(N3 + 40, K(N4) | 2)
            p64(N4 + 40 + 8, page(0x400, AS_H, 1, order=9))
    elif damage == "pcache-h1g":
        p32(HSTATE + 40, 18)
        p64(VMA_H + 104, 0x40000)
        img[N3] = 18
        p64(N3 + 40 + 8, page(0x300, AS_H, 0x40000, order=18))
    else:
        p64(N3 + 40 + 8, page(0x200, AS_H, 1, order=9))
open(sys.argv[1], "wb").write(bytes(img))
