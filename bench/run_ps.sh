#!/usr/bin/env bash
# `guestcore ps` (and `sys`) on each real dump, wall time, against
# baselines measured in the same run on the same file:
#   open   `guestcore sym DUMP init_task` -- opening the dump and the kernel
#          (VMCOREINFO, page tables, kallsyms) and nothing else, so
#          ps/open is what the BTF load and the task walk cost on top;
#   crash  `crash -s VMLINUX DUMP` with `ps` then `exit` (startup + ps),
#          when crash and the debug vmlinux (tests/debug_files.sh puts it
#          in ~/.cache/guestcore) are present; skipped otherwise;
#   drgn   `drgn -c DUMP -s VMLINUX` listing for_each_task, likewise
#          (DRGN_USE_LIBKDUMPFILE_FOR_ELF=1, as the ground truth was made;
#          drgn cannot open xc_core files).
# Each guestcore figure is the median of GC_BENCH_RUNS (default 5) runs,
# crash's and drgn's of GC_BENCH_REF_RUNS (default 1: crash takes 10-30 s
# per start on a shared machine), files in the page cache.
# GC_BENCH_FILTER=TEXT keeps the dumps whose path contains TEXT.
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

# "WALL CPU": median wall and CPU (user + system) seconds of N runs of
# "$@" (output discarded): on a loaded machine (2 vCPUs shared) the wall
# time is mostly waiting to be run.
median_n() {
	local n=$1 i ws=() cs=()
	shift
	for ((i = 0; i < n; i++)); do
		/usr/bin/time -f '%e %U %S' -o "$TMPS/time" "$@" > /dev/null 2>&1 < /dev/null
		read -r w u s < <(tail -1 "$TMPS/time")
		ws+=("$w"); cs+=("$(awk -v u="$u" -v s="$s" 'BEGIN {print u + s}')")
	done
	printf '%s %s\n' "$(printf '%s\n' "${ws[@]}" | sort -g | awk '{a[NR] = $1} END {printf "%.2f", a[int((NR + 1) / 2)]}')" \
		"$(printf '%s\n' "${cs[@]}" | sort -g | awk '{a[NR] = $1} END {printf "%.2f", a[int((NR + 1) / 2)]}')"
}
median() { median_n "$RUNS" "$@"; }

have_crash=0; have_drgn=0
[ -s "$VMLINUX" ] && command -v crash > /dev/null && have_crash=1
[ -s "$VMLINUX" ] && command -v drgn > /dev/null && have_drgn=1
[ $have_crash = 1 ] || echo "crash: skipped (crash or $VMLINUX absent)"
[ $have_drgn = 1 ] || echo "drgn: skipped (drgn or $VMLINUX absent)"
# crash and drgn as scripts (/usr/bin/time runs programs, not functions)
TMPS=$(mktemp -d /tmp/gc-bench-ps.XXXXXX)
trap 'rm -rf "$TMPS"' EXIT
printf '#!/bin/sh\nprintf "ps\\nexit\\n" | crash -s "%s" "$1" > "%s/crash.out" 2>&1\n' "$VMLINUX" "$TMPS" > "$TMPS/crash_ps"
printf 'from drgn.helpers.linux.pid import for_each_task\nprint(len(list(for_each_task(prog))))\n' > "$TMPS/drgn.py"
printf '#!/bin/sh\nDRGN_USE_LIBKDUMPFILE_FOR_ELF=1 exec drgn -q -c "$1" -s "%s" "%s/drgn.py"\n' "$VMLINUX" "$TMPS" > "$TMPS/drgn_ps"
chmod +x "$TMPS/crash_ps" "$TMPS/drgn_ps"

printf '%-48s %5s %11s %11s %11s %8s %12s %9s\n' dump tasks "open w/cpu" "ps w/cpu" "sys w/cpu" "ps/open" "crash w/cpu" "crash/ps"
for f in "$CACHE"/qemu-*/*.elf "$CACHE"/qemu-*/*kdump-zlib "$CACHE"/qemu-*/*makedumpfile* \
	 "$CACHE"/xen-*/*.core "$CACHE"/virsh-*/virsh-save.raw.img "$CACHE"/virsh-*/ref.elf; do
	[ -e "$f" ] || continue
	case "$f" in *${GC_BENCH_FILTER:-}*) ;; *) continue ;; esac
	cat "$f" > /dev/null
	n=$("$GC" ps "$f" 2>/dev/null | tail -n +2 | wc -l)
	read -r o oc < <(median "$GC" sym "$f" init_task)
	read -r p pc < <(median "$GC" ps "$f")
	read -r s sc < <(median "$GC" sys "$f")
	c=-; cr=-
	if [ $have_crash = 1 ]; then
		read -r cw cc < <(median_n "$REF_RUNS" "$TMPS/crash_ps" "$f")
		if grep -q '^>' "$TMPS/crash.out"; then   # crash listed tasks
			c=$cw/$cc
			cr=$(awk -v a="$cw" -v b="$p" 'BEGIN {printf "%.0fx", a / b}')
		else
			c=failed
		fi
	fi
	printf '%-48s %5s %11s %11s %11s %8s %12s %9s\n' "${f#"$CACHE"/}" "$n" "$o/$oc" "$p/$pc" "$s/$sc" \
		"$(awk -v a="$pc" -v b="$oc" 'BEGIN {printf "%.2fx", (b > 0 ? a / b : 0)}')" "$c" "$cr"
	if [ $have_drgn = 1 ] && ! "$TMPS/drgn_ps" "$f" > /dev/null 2>&1; then
		echo "  drgn: cannot open this file"
	elif [ $have_drgn = 1 ]; then
		read -r dw dc < <(median_n "$REF_RUNS" "$TMPS/drgn_ps" "$f")
		echo "  drgn for_each_task: $dw s wall, $dc s CPU ($(awk -v a="$dw" -v b="$p" 'BEGIN {printf "%.1fx", a / b}') ps's wall)"
	fi
done
