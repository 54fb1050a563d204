#!/usr/bin/env bash
# `guestcore ps` (and `sys`) on each real dump, wall time, against
# baselines measured in the same run on the same file:
#   open   `guestcore sym DUMP init_task` -- opening the dump and the kernel
#          (VMCOREINFO, page tables, kallsyms) and nothing else, so
#          ps/open is what the BTF load and the task walk cost on top;
#   crash  `crash -s VMLINUX DUMP` with `ps` then `exit` (startup + ps),
#          when crash and the debug vmlinux (tests/debug_files.sh puts it
#          in ~/.cache/guestcore) are present; skipped otherwise;
#   drgn   `drgn -c DUMP -s VMLINUX` listing for_each_task, likewise.
# Each guestcore figure is the median of GC_BENCH_RUNS (default 5) runs,
# crash's and drgn's of GC_BENCH_REF_RUNS (default 1: crash takes 10-30 s
# per start on a shared machine), files in the page cache.
# Usage: bench/run_ps.sh [BUILD_DIR]
set -u
BUILD=${1:-build}
GC=$BUILD/guestcore
CACHE=${GC_DUMP_CACHE:-build/dump-cache}
RUNS=${GC_BENCH_RUNS:-5}
REF_RUNS=${GC_BENCH_REF_RUNS:-1}
RC=${GC_REFEREE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/guestcore}
VMLINUX=$RC/vmlinux-6.1.0-56-amd64
echo "load: $(uptime)"

# median wall seconds of N runs of "$@" (output discarded)
median_n() {
	local n=$1 i t0 t1 ts=()
	shift
	for ((i = 0; i < n; i++)); do
		t0=$(date +%s%N)
		"$@" > /dev/null 2>&1 < /dev/null
		t1=$(date +%s%N)
		ts+=($(( (t1 - t0) / 1000 )))
	done
	printf '%s\n' "${ts[@]}" | sort -n | awk '{a[NR] = $1} END {printf "%.3f", a[int((NR + 1) / 2)] / 1e6}'
}
median() { median_n "$RUNS" "$@"; }

have_crash=0; have_drgn=0
[ -s "$VMLINUX" ] && command -v crash > /dev/null && have_crash=1
[ -s "$VMLINUX" ] && command -v drgn > /dev/null && have_drgn=1
[ $have_crash = 1 ] || echo "crash: skipped (crash or $VMLINUX absent)"
[ $have_drgn = 1 ] || echo "drgn: skipped (drgn or $VMLINUX absent)"
printf 'crash_ps() { printf "ps\\nexit\\n" | crash -s "%s" "$1"; }\n' "$VMLINUX" > /tmp/gc-bench-ps-fn.sh
. /tmp/gc-bench-ps-fn.sh
drgn_ps() {
	drgn -q -c "$1" -s "$VMLINUX" -e 'from drgn.helpers.linux.pid import for_each_task
print(len(list(for_each_task(prog))))'
}

printf '%-48s %6s %8s %8s %8s %10s %8s %10s\n' dump tasks "open s" "ps s" "sys s" "ps/open" "crash s" "crash/ps"
for f in "$CACHE"/qemu-*/*.elf "$CACHE"/qemu-*/*kdump-zlib "$CACHE"/qemu-*/*makedumpfile* \
	 "$CACHE"/xen-*/*.core "$CACHE"/virsh-*/virsh-save.raw.img "$CACHE"/virsh-*/ref.elf; do
	[ -e "$f" ] || continue
	cat "$f" > /dev/null
	n=$("$GC" ps "$f" 2>/dev/null | tail -n +2 | wc -l)
	o=$(median "$GC" sym "$f" init_task)
	p=$(median "$GC" ps "$f")
	s=$(median "$GC" sys "$f")
	c=-; cr=-
	if [ $have_crash = 1 ]; then
		c=$(median_n "$REF_RUNS" crash_ps "$f")
		cr=$(awk -v a="$c" -v b="$p" 'BEGIN {printf "%.1fx", a / b}')
	fi
	printf '%-48s %6s %8s %8s %8s %10s %8s %10s\n' "${f#"$CACHE"/}" "$n" "$o" "$p" "$s" \
		"$(awk -v a="$p" -v b="$o" 'BEGIN {printf "%.2fx", a / b}')" "$c" "$cr"
	if [ $have_drgn = 1 ]; then
		d=$(median_n "$REF_RUNS" drgn_ps "$f")
		echo "  drgn for_each_task: $d s ($(awk -v a="$d" -v b="$p" 'BEGIN {printf "%.1fx", a / b}') ps)"
	fi
done
rm -f /tmp/gc-bench-ps-fn.sh
