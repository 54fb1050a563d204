#!/usr/bin/env bash
# 4 KiB reads (random and sequential) through libguestcore, with and
# without read-ahead, and libkdumpfile on the same files and addresses in
# the same run (bench/bench_kdump.c): the real ELF and kdump-compressed
# dumps, then a generated 4 GiB guest converted to kdump-compressed with
# each codec (kept in $GC_BENCH_DIR, default /tmp/gc-bench-kdump; about
# 4.3 GB of input plus 5 GB of outputs).
# Usage: bench/run_kdump.sh [BUILD_DIR]
# GC_BENCH_READS (random reads, default 200000), GC_BENCH_SEQ (pages of
# the sequential pass of a generated dump, default 262144 = 1 GiB),
# GC_BASELINE_SECONDS (CPU-seconds cap per libkdumpfile pass, default 20),
# GC_BENCH_REAL_ONLY=1 skips the generated dumps.
set -eu
BUILD=${1:-build}
DIR=${GC_BENCH_DIR:-/tmp/gc-bench-kdump}
CACHE=${GC_DUMP_CACHE:-build/dump-cache}
READS=${GC_BENCH_READS:-200000}
SEQ=${GC_BENCH_SEQ:-262144}
BASE=${GC_BASELINE_SECONDS:-20}
echo "load: $(uptime)"
run() {
	cat "$1" > /dev/null  # both libraries read from the page cache
	"$BUILD/bench_kdump" "$@" --reads "$READS" --baseline-seconds "$BASE" || true
	echo
}
for f in "$CACHE"/*/*.kdump-zlib "$CACHE"/*/*makedumpfile-d31-zlib \
	 "$CACHE"/*/*makedumpfile-d0-lzo "$CACHE"/*/*.elf; do
	[ -e "$f" ] && run "$f"
done
[ "${GC_BENCH_REAL_ONLY:-0}" = 1 ] && exit 0
mkdir -p "$DIR"
SRC="$DIR/hvm-4g.core"
for codec in zstd lzo snappy zlib; do
	OUT="$DIR/hvm-4g.kdump-$codec"
	if [ ! -s "$OUT" ]; then
		if [ ! -s "$SRC" ]; then
			echo "generating $SRC (1,048,576 pages, 4 GiB)"
			"$BUILD/gcfixture" --hvm --pages 1048576 --content words --seed 1 -o "$SRC"
		fi
		echo "converting to $OUT"
		"$BUILD/guestcore" convert "$SRC" -o "$OUT" --format kdump --compress $codec --no-kernel
	fi
	run "$OUT" --seq "$SEQ"
done
