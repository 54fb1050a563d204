#!/bin/sh
# Seed corpus for fuzz_qemu_stream, written by the fixture writer:
# seeds_qemu_stream.sh MKQEVM OUTDIR makes OUTDIR/fuzz_qemu_stream/.
# seed-tool: mkqevm
set -e
MK=${1:?usage: seeds_qemu_stream.sh MKQEVM OUTDIR}
OUT=${2:?usage: seeds_qemu_stream.sh MKQEVM OUTDIR}
o="$OUT/fuzz_qemu_stream"
mkdir -p "$o"
t="--tiny --ram 0x8000 --cpus 1"
"$MK" "$o/plain" $t
"$MK" "$o/save" $t --save
"$MK" "$o/save-be" $t --save --be
"$MK" "$o/partial" $t --save --partial
"$MK" "$o/novmdesc" $t --no-vmdesc
"$MK" "$o/v2" $t --version 2 --no-vmcoreinfo
"$MK" "$o/sparse" --tiny --sparse --ram 0xc0000000 --cpus 1 --no-vmdesc
"$MK" "$o/noconfig-save" $t --save --no-config --machine pc-i440fx-1.7
"$MK" "$o/cap-mapped-ram" $t --capability mapped-ram
"$MK" "$o/nofooter" $t --no-vmdesc --no-footer
for d in dup-page xbzrle compress-page bad-block multifd unknown-type unknown-device bad-footer; do
	"$MK" "$o/d-$d" $t --damage $d
done
for c in page cpu vmdesc; do "$MK" "$o/cut-$c" $t --cut $c; done
for c in gzip bzip2 xz lzop zstd; do
	"$MK" "$o/z-$c" $t --compress $c
	"$MK" "$o/zs-$c" $t --save --compress $c
done
