#!/bin/sh
# Seed corpus for fuzz_extract, written by mkhost:
# seeds_extract.sh MKHOST OUTDIR makes OUTDIR/fuzz_extract/ with the
# synthetic KVM host of tests/fixtures/hostimg.h (two guests, rev 0xd and
# 0x5a17 layouts, 4- and 5-level EPT, decoys) and the same without its
# VMCSINFO note.
# seed-tool: mkhost
set -e
MK=${1:?usage: seeds_extract.sh MKHOST OUTDIR}
OUT=${2:?usage: seeds_extract.sh MKHOST OUTDIR}
o="$OUT/fuzz_extract"
mkdir -p "$o"
"$MK" "$o/host.elf" > /dev/null
"$MK" "$o/bare.elf" --no-vmcsinfo > /dev/null
