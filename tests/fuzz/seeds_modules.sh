#!/bin/sh
# Seed corpus for fuzz_modules: the synthetic three-module memory image of
# tests/fixtures/modimg.h in both struct module layouts (6.1 core_layout,
# 6.4 mem[]), written by mkmodimg.
# seed-tool: mkmodimg
set -e
MK=${1:?usage: seeds_modules.sh MKMODIMG OUTDIR}
OUT=${2:?usage: seeds_modules.sh MKMODIMG OUTDIR}
"$MK" "$OUT"
