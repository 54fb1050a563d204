#!/usr/bin/env python3
"""A synthetic host kernel memory image holding one KVM VM, in the Linux 6.1
x86_64 layout (kvm_layout_linux61_svm in src/lib/guests/kvm/layout.c): the
seed of fuzz_kvm and the image test_kvm.c builds the same way.  Byte I of
the image is kernel virtual KBASE + I; vm_list's head is at KBASE.
  kvm_image.py OUT [damage]   damage: none, loop, deep, vcpus, hugetlb
  (hugetlb: slot 0's VMA is a hugetlbfs mapping, VM_HUGETLB | VM_SHARED)
"array*" images hold slots and vCPUs the way Linux < 5.17 did (kvm_memslots
.memslots[used_slots] sorted by base_gfn descending, kvm.vcpus[] pointers)
at the offsets of kvm_layout_pre517_synthetic() (layout.c), and no gfn tree
or vcpu_array: array (intact), array-order (slots ascending: out of order),
array-used (used_slots 2^31-1)."""
import struct
import sys

KBASE = 0xffff888000000000
img = bytearray(0x1b000)


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
damage = sys.argv[2] if len(sys.argv) > 2 else "none"

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
open(sys.argv[1], "wb").write(bytes(img))
