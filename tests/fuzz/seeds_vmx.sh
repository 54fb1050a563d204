#!/bin/sh
# Seed corpus for fuzz_vmcsinfo, written by mkhost:
# seeds_vmx.sh MKHOST OUTDIR makes OUTDIR/fuzz_vmcsinfo/ with the built-in
# rev 0xd VMCSINFO text and a few damaged variants.
# seed-tool: mkhost
set -e
MK=${1:?usage: seeds_vmx.sh MKHOST OUTDIR}
OUT=${2:?usage: seeds_vmx.sh MKHOST OUTDIR}
o="$OUT/fuzz_vmcsinfo"
mkdir -p "$o"
"$MK" "$OUT/host.elf" --note-body "$o/rev-d.txt" > /dev/null
rm -f "$OUT/host.elf"
head -c 300 "$o/rev-d.txt" > "$o/cut.txt"
printf 'VMCS_ID=5a17\r\nFIELD(GUEST_RIP)=0ff60ff40ff20ff0\r\nFIELD(GUEST_RSP)=0ff60ff40ff20ff0\n' > "$o/overlap.txt"
printf 'REVISION_ID=d\nFIELD(EPT_POINTER_HIGH)=01020100\nFIELD(EPT_POINTER)=0106010401020100\n' > "$o/high.txt"
