#!/bin/sh
# Seed corpus for fuzz_btf: hand-built BTF blobs with every kind, in both
# byte orders, a split (module) blob on its base, and a truncated copy
# (tests/fixtures/btfgen.h via mkbtf).  Real kernel BTF is 4.3 MB, over
# the 1 MiB limit for files in the project, so it is not a seed.
# seed-tool: mkbtf
set -e
MK=${1:?usage: seeds_btf.sh MKBTF OUTDIR}
OUT=${2:?usage: seeds_btf.sh MKBTF OUTDIR}
"$MK" "$OUT"
