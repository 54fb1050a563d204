#!/bin/sh
# Seed corpus for fuzz_xc_core, written by gcfixture:
# seeds_xc_core.sh GCFIXTURE OUTDIR makes OUTDIR/fuzz_xc_core/ with small
# xc_core dumps (512-byte pages) of every shape and every kind of damage.
# seed-tool: gcfixture
set -e
FX=${1:?usage: seeds_xc_core.sh GCFIXTURE OUTDIR}
OUT=${2:?usage: seeds_xc_core.sh GCFIXTURE OUTDIR}
o="$OUT/fuzz_xc_core"
mkdir -p "$o"
s() { name=$1; shift; "$FX" --page-size 512 --pages 8 "$@" -o "$o/$name"; }
s pv
s hvm --hvm --pfns 0-3,8-11 --invalid-tail 2
s frag --mfns fragmented --vcpus 2
s be --endian big --mfns runs:3
s c32 --class 32 --width 32 --pae-cr3 --mfn-base 0x123400
s c32be --class 32 --endian big --hvm
s leg --legacy --vcpus 1
s leg4 --legacy --legacy-entry 4 --width 32
s leghvm --legacy --hvm --pfns 0-2,5-7
s legbe --legacy --endian big
s cr3 --cr3-missing
s cut --cut-pages 2
s unsorted --unsorted
s duppfn --dup-pfn
s dupmfn --dup-mfn
s invmid --invalid-middle 2 --damage-at 3
s badidx --bad-offset index
s badprs --bad-offset prstatus
s absurd --set-nr-pages 0xffffffffffff --set-nr-vcpus 0xffffffff
s ext --set-shnum 0x10000
s overrun --note-overrun version
s nofmt --no-note format --no-note none
s entsz --set-entsize 0 --stride 2800
s noshinfo --no-shared-info --vcpus 0
