#!/bin/sh
# Seed corpora for fuzz_elf_vmcore, fuzz_kdump and fuzz_flat, written by
# the fixture writer: seeds_kdump.sh MKVMCORE OUTDIR makes
# OUTDIR/{fuzz_elf_vmcore,fuzz_kdump,fuzz_flat}/ with small inputs.
# seed-tool: mkvmcore
set -e
MK=${1:?usage: seeds_kdump.sh MKVMCORE OUTDIR}
OUT=${2:?usage: seeds_kdump.sh MKVMCORE OUTDIR}
mkdir -p "$OUT/fuzz_elf_vmcore" "$OUT/fuzz_kdump" "$OUT/fuzz_flat"
e="$OUT/fuzz_elf_vmcore" k="$OUT/fuzz_kdump" f="$OUT/fuzz_flat"
"$MK" elf "$e/e64" --pages 0-3 --qemu --overlap --memsz-tail 1
"$MK" elf "$e/e32" --class 32 --pages 0-1,4
"$MK" elf "$e/eo" --pages 0 --note-overrun
"$MK" elf "$e/eu" --pages 0-1 --qemu --guestcore-note 'producer=guestcore 0.1.0\nvcpu0_unknown_registers=rax,rip,cr3,nonesuch'
for c in raw zlib lzo snappy zstd; do
	"$MK" kdump "$k/k-$c" --codec $c --pages 0-7 --zero 2 --exclude 5 --max-mapnr 16
done
for v in 1 3 4 5; do "$MK" kdump "$k/kv$v" --version $v --pages 0-3 --max-mapnr 8 --eraseinfo; done
"$MK" kdump "$k/k32" --32 --pages 0-3 --max-mapnr 8
"$MK" kdump "$k/kbad" --codec zstd --pages 0-7 --max-mapnr 16 --damage bad-csize
# zero pages compressed one by one next to 0x01 pages (the zero-page memo),
# and codec data that decodes to two pages
for c in zlib lzo snappy zstd; do
	"$MK" kdump "$k/kz-$c" --codec $c --pages 0-7 --czero 1,3,4 --fill 2,5 --max-mapnr 16
	"$MK" kdump "$k/klong-$c" --codec $c --pages 0-3 --max-mapnr 8 --damage long-data
done
"$MK" kdump "$f/flat" --flat --codec zlib --pages 0-3 --max-mapnr 8
"$MK" kdump "$f/flat-raw" --flat --codec raw --pages 0-1 --max-mapnr 8
# flattened ELF vmcores (flattening is the io layer's, for every format)
"$MK" elf "$f/flat-elf" --flat --pages 0-3
"$MK" elf "$f/flat-elf32" --flat --class 32 --pages 0-1
