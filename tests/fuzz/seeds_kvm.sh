#!/bin/sh
# Seed corpus for fuzz_kvm: synthetic host kernel images with one KVM VM
# (tests/fuzz/kvm_image.py), intact and damaged (vm_list loop, a gfn tree
# pointing at itself, 2^31 vCPUs online), and in the Linux < 5.17 array
# layout (intact, slots out of order, 2^31 used slots), and with the page
# caches of a memfd and a file VMA (intact and damaged: pcache.c), and a
# hugetlbfs page cache indexed in base pages (Linux >= 6.7), both ways at
# once, and with 1 GiB pages.
# seed-tool: gcfixture
set -e
OUT=${2:?usage: seeds_kvm.sh TOOL OUTDIR}
o="$OUT/fuzz_kvm"
mkdir -p "$o"
for d in none loop deep vcpus array array-order array-used pcache \
	 pcache-shift pcache-page pcache-index pcache-sibling pcache-loop \
	 pcache-hbase pcache-hmixed pcache-h1g; do
	python3 "$(dirname "$0")/kvm_image.py" "$o/$d.img" "$d"
done
