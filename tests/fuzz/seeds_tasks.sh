#!/bin/sh
# Seed corpus for fuzz_tasks: small kernel memories in fuzz_tasks.c's
# synthetic task_struct layout (0x200 bytes per task at 0xffff888000000000
# + 0x200 * i): a sound list of 4 processes, one with 2 extra threads on
# signal->thread_head; the same with a cycle; the same with a broken prev
# link.  Written with python3 (the seed tool argument is not used).
# seed-tool: guestcore
set -e
OUT=${2:?usage: seeds_tasks.sh GUESTCORE OUTDIR}
mkdir -p "$OUT/fuzz_tasks"
python3 - "$OUT/fuzz_tasks" <<'PYEOF'
import struct, sys
out = sys.argv[1]
BASE = 0xffff888000000000
TS = 0x200
def build(damage):
    n = 8                       # tasks 0..7; 6 is a signal_struct
    mem = bytearray(TS * n)
    def w64(off, v): struct.pack_into("<Q", mem, off, v)
    def w32(off, v): struct.pack_into("<I", mem, off, v)
    procs = [0, 1, 2, 3, 4]     # 0 = init_task (list head)
    for i in range(6):
        a = i * TS
        w32(a + 0x20, i); w32(a + 0x24, i if i != 5 else 4)
        w32(a + 0x28, 1); w32(a + 0x50, i % 2)
        mem[a + 0x40:a + 0x50] = (b"task%d" % i).ljust(16, b"\0")
        w64(a + 0x58, BASE)
        w64(a + 0x38, BASE + 7 * TS if i == 4 else 0)
    # init_task.tasks: 0 -> 1 -> 2 -> 3 -> 4 -> 0
    ring = procs
    for k, i in enumerate(ring):
        nxt, prv = ring[(k + 1) % len(ring)], ring[k - 1]
        w64(i * TS + 0x10, BASE + nxt * TS + 0x10)
        w64(i * TS + 0x18, BASE + prv * TS + 0x10)
    # task 4's signal at 6: thread_head 4 -> 5 -> head (thread_node 0x70)
    sig = 6 * TS
    for i in (4, 5):            # 1..3 have no signal (no threads)
        w64(i * TS + 0x60, BASE + sig)
    head = BASE + sig + 0x10
    w64(sig + 0x10, BASE + 4 * TS + 0x70); w64(sig + 0x18, BASE + 5 * TS + 0x70)
    w64(4 * TS + 0x70, BASE + 5 * TS + 0x70); w64(4 * TS + 0x78, head)
    w64(5 * TS + 0x70, head); w64(5 * TS + 0x78, BASE + 4 * TS + 0x70)
    w64(7 * TS + 0x80, 10); w64(7 * TS + 0x88, 20); w64(7 * TS + 0x98, 3)
    if damage == "cycle":
        w64(3 * TS + 0x10, BASE + 2 * TS + 0x10)
    if damage == "prev":
        w64(2 * TS + 0x10, BASE + 4 * TS + 0x10)
    return bytes(mem)
for name, dmg, flags in (("sound", None, 1 | 2), ("cycle", "cycle", 1 | 2),
                         ("prev", "prev", 1), ("group", None, 0)):
    open("%s/%s" % (out, name), "wb").write(bytes([flags]) + build(dmg))
PYEOF
