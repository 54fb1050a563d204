#!/bin/sh
# Seed corpus for fuzz_kallsyms: the kallsyms tables of mkvmcore's
# generated kernels (before 6.4, 6.2/6.3 with seqs_of_names, 6.4+,
# absolute-address and 7.0 layouts), cut out of the vmcore from the first
# table to the end of the token index.
# seed-tool: mkvmcore
set -e
MK=${1:?usage: seeds_kallsyms.sh MKVMCORE OUTDIR}
OUT=${2:?usage: seeds_kallsyms.sh MKVMCORE OUTDIR}
mkdir -p "$OUT/fuzz_kallsyms"
for l in old seqs new abs pcrel; do
	"$MK" kernel "$OUT/k.elf" --levels 4 --kaslr 0 --kallsyms $l > /dev/null 2>&1
	# the image is at physical 4 MiB, kallsyms at image offset 0x110000;
	# RAM starts at file offset 0x1000 (after the notes); 2 flag bytes
	{ printf '\001\000'; tail -c +$((0x1000 + 0x400000 + 0x110000 + 1)) "$OUT/k.elf" |
		head -c 12288; } > "$OUT/fuzz_kallsyms/$l"
done
# the 7.0 tables again, named by VMCOREINFO: the five table offsets (from
# mkvmcore's report, relative to the cut) before the image
"$MK" kernel "$OUT/k.elf" --levels 4 --kaslr 0 --kallsyms pcrel > /dev/null 2> "$OUT/k.ks"
python3 - "$OUT/k.ks" "$OUT/fuzz_kallsyms/pcrel" "$OUT/fuzz_kallsyms/pcrel-vmcoreinfo" <<'PY'
import re, struct, sys
r = open(sys.argv[1]).read()
a = {k: int(v, 16) for k, v in re.findall(r"(\w+) 0x([0-9a-f]+)", r)}
base = 0xffffffff81000000 + 0x110000
offs = [a[k] - base for k in ("num_syms", "names", "token_table", "token_index", "offsets")]
img = open(sys.argv[2], "rb").read()[2:]
open(sys.argv[3], "wb").write(b"\x02\x00" + struct.pack("<5I", *offs) + img)
PY
rm -f "$OUT/k.elf" "$OUT/k.ks"
# Tables named by VMCOREINFO whose first name is as long as an entry can be
# (a two-byte length of 0x3fff), in 64 KiB: larger inputs than the cut
# tables above, so libFuzzer (whose -max_len follows the corpus) can reach
# lengths past the limit.  num_syms 2 at 0, token_index at 0x200 (token i
# is the two bytes i+1, NUL), token_table at 0x800, offsets at 0xc00,
# relative_base right after, names at 0x1000.
python3 - "$OUT/fuzz_kallsyms/vmcoreinfo-longest-name" <<'PY'
import struct, sys
img = bytearray(0x10000)
struct.pack_into("<I", img, 0, 2)
for i in range(256):
    struct.pack_into("<H", img, 0x200 + 2 * i, 2 * i)
    img[0x800 + 2 * i] = (i % 94) + 33
struct.pack_into("<ii", img, 0xc00, 0x10, 0x20)
names = bytes([0xff, 0x7f]) + bytes((i % 200) + 40 for i in range(0x3fff)) + bytes([2, 65, 66])
img[0x1000:0x1000 + len(names)] = names
hdr = bytes([2 | 4 | 8, 0]) + struct.pack("<5I", 0, 0x1000, 0x800, 0x200, 0xc00)
open(sys.argv[1], "wb").write(hdr + bytes(img))
PY
