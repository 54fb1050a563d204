#!/usr/bin/env bash
# Finding the kernel without reading all memory: `info`, `check` and `log`
# on generated Xen PV dumps, with the bounded VMCOREINFO search (the
# default) against the old scan of every page (GUESTCORE_VMCOREINFO_SCAN=
# full) measured in the same run on the same files.  Each figure is the
# best of N runs (default 3): wall seconds and CPU seconds (user+sys, all
# threads).  Usage: bench/run_kernel_search.sh [BUILD_DIR]
#   nokernel  1,048,576 pages, vCPU cr3 present, no Linux in memory
#   nocr3     1,048,576 pages, vCPU 0's cr3 not in the dump, no Linux
#   kernel    262,144 pages (mkxenguest's maximum): a Linux guest whose
#             VMCOREINFO is only in memory (xc_core has no note)
set -eu
BUILD=${1:-build}
DIR=${GC_BENCH_DIR:-/tmp/gc-bench}
N=${GC_BENCH_RUNS:-3}
mkdir -p "$DIR"
gen() { # name command...
	local f="$DIR/ks-$1.core"
	shift
	[ -s "$f" ] || { echo "generating $f" >&2; "$@" -o "$f" > /dev/null; }
	echo "$f"
}
NOK=$(gen nokernel "$BUILD/gcfixture" --pages 1048576 --fast-pages)
NOCR3=$(gen nocr3 "$BUILD/gcfixture" --pages 1048576 --fast-pages --cr3-missing)
KER=$(gen kernel "$BUILD/mkxenguest" --pages 262144)
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
best() { # mode cmd file -> "wall cpu"
	local mode=$1 cmd=$2 f=$3 bw= bc= out
	for _ in $(seq "$N"); do
		GUESTCORE_VMCOREINFO_SCAN=$mode /usr/bin/time -o "$DIR/time.txt" -f "%e %U %S" \
			"$BUILD/guestcore" "$cmd" "$f" > /dev/null 2>&1 || true
		read -r w u s < <(tail -1 "$DIR/time.txt")
		c=$(echo "$u + $s" | bc)
		if [ -z "$bw" ] || [ "$(echo "$w < $bw" | bc)" = 1 ]; then bw=$w; fi
		if [ -z "$bc" ] || [ "$(echo "$c < $bc" | bc)" = 1 ]; then bc=$c; fi
	done
	echo "$bw $bc"
}
printf '%-9s %-6s %18s %18s %14s\n' dump cmd "bounded wall/cpu" "full scan wall/cpu" "cpu ratio"
for d in "nokernel:$NOK" "nocr3:$NOCR3" "kernel:$KER"; do
	name=${d%%:*} f=${d#*:}
	cat "$f" > /dev/null   # warm the page cache for both modes
	for cmd in info check log; do
		read -r bw bc <<< "$(best "" "$cmd" "$f")"
		read -r fw fc <<< "$(best full "$cmd" "$f")"
		printf '%-9s %-6s %8ss %7ss %8ss %7ss %13sx\n' "$name" "$cmd" "$bw" "$bc" "$fw" "$fc" \
			"$(echo "scale=1; $fc / ($bc + 0.005)" | bc)"
	done
done
