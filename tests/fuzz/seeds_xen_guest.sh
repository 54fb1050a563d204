#!/bin/sh
# Seed corpus for fuzz_xen_guest, written by gcfixture:
# seeds_xen_guest.sh GCFIXTURE OUTDIR makes OUTDIR/fuzz_xen_guest/ with
# small legacy and ELF xc_core dumps (8 pages).  (mkxenguest's guests are
# 56 MiB and more: too large for a fuzz corpus.)
# seed-tool: gcfixture
set -e
FX=${1:?usage: seeds_xen_guest.sh GCFIXTURE OUTDIR}
OUT=${2:?usage: seeds_xen_guest.sh GCFIXTURE OUTDIR}
o="$OUT/fuzz_xen_guest"
mkdir -p "$o"
s() { name=$1; shift; "$FX" --pages 8 "$@" -o "$o/$name"; }
s leg --legacy
s legfrag --legacy --mfns fragmented --vcpus 2
s leg4 --legacy --legacy-entry 4
s legcr3 --legacy --cr3-missing
s pv --mfns fragmented
s hvm --hvm
