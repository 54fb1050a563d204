#!/bin/sh
# Seed corpora for fuzz_ept, fuzz_pgwalk, fuzz_printk, fuzz_qemu_core,
# fuzz_qemu_text and fuzz_vmcoreinfo: built by seeds_small.py in each
# target's input layout, plus the committed real data in tests/fuzz/seeds/
# (VMCOREINFO of the Debian 6.1 dumps, a System.map slice, QEMU 7.2
# `info mtree -f` / `info ramblock` text).  The tool argument is unused
# (python3 writes the seeds); smoke.sh passes one.
# seed-tool: mkvmcore
set -e
OUT=${2:?usage: seeds_small.sh MKVMCORE OUTDIR}
python3 "$(dirname "$0")/seeds_small.py" "$OUT"
