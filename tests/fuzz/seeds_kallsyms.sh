#!/bin/sh
# Seed corpus for fuzz_kallsyms: the kallsyms tables of mkvmcore's
# generated kernels (before 6.4, 6.4+ and absolute-address layouts), cut
# out of the vmcore from the first table to the end of the token index.
# seed-tool: mkvmcore
set -e
MK=${1:?usage: seeds_kallsyms.sh MKVMCORE OUTDIR}
OUT=${2:?usage: seeds_kallsyms.sh MKVMCORE OUTDIR}
mkdir -p "$OUT/fuzz_kallsyms"
for l in old new abs; do
	"$MK" kernel "$OUT/k.elf" --levels 4 --kaslr 0 --kallsyms $l > /dev/null 2>&1
	# the image is at physical 4 MiB, kallsyms at image offset 0x110000;
	# RAM starts at file offset 0x1000 (after the notes); 2 flag bytes
	{ printf '\001\000'; tail -c +$((0x1000 + 0x400000 + 0x110000 + 1)) "$OUT/k.elf" |
		head -c 12288; } > "$OUT/fuzz_kallsyms/$l"
done
rm -f "$OUT/k.elf"
