#!/usr/bin/env bash
# Random 4 KiB reads on a generated 1,048,576-page PV dump with fully
# fragmented mfns, through libguestcore and libkdumpfile (same file, same
# addresses, same run).  Usage: bench/run_xen.sh [BUILD_DIR]
set -eu
BUILD=${1:-build}
DIR=${GC_BENCH_DIR:-/tmp/gc-bench}
mkdir -p "$DIR"
DUMP="$DIR/pv-1m-fragmented.core"
if [ ! -s "$DUMP" ]; then
	echo "generating $DUMP (1,048,576 pages, fully fragmented mfns)"
	"$BUILD/gcfixture" --pages 1048576 --mfns fragmented --seed 1 --fast-pages -o "$DUMP"
fi
# warm the page cache so both libraries read from memory
cat "$DUMP" > /dev/null
"$BUILD/bench_xen" "$DUMP" --reads 1000000 --baseline-seconds ${GC_BASELINE_SECONDS:-20}
