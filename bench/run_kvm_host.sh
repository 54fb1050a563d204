#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A KVM host dump's guests from the host kernel's KVM structures against
# the page scans that find them without those structures, same host, same
# run (issue #16):
#   guests         `guestcore guests HOST` (vm_list, slots, vCPUs, VMCBs)
#   guests --scan  `guestcore guests --scan HOST` (the VMCB page scan)
#   bench_kvm      the library calls behind them plus the VMCS page scan
#                  (gc_kvm_list / gc_vmx_find_guests / gc_svm_find_guests)
# Wall and CPU (user + system) seconds, each the best of GC_BENCH_RUNS
# (default 3) runs, and the ratios scan/structures of the bests.  The
# first run of each reads the file from disk when it is not in the page
# cache (best of N keeps the warm runs).
# Hosts: the arguments, or by default the shared 1 GiB kvm-host-vmm (in
# GC_DUMP_CACHE, default build/dump-cache) and the 6 GiB
# kvm-host-vmm-6g (under GC_KVM_HOSTS, default ~/.cache/guestcore; made
# by `GC_KVM_HOST_BIG=1 make check-kvm-host`, docs/kvm.md); an absent
# host is skipped with the reason.
# Usage: bench/run_kvm_host.sh [BUILD_DIR] [HOST.elf...]
set -u
BUILD=${1:-build}
[ $# -gt 0 ] && shift
GC=$BUILD/guestcore
RUNS=${GC_BENCH_RUNS:-3}
CACHE=${GC_DUMP_CACHE:-build/dump-cache}
HOSTS=${GC_KVM_HOSTS:-${XDG_CACHE_HOME:-$HOME/.cache}/guestcore}
if [ $# -gt 0 ]; then
	set -- "$@"
else
	set -- "$CACHE/kvm-host-vmm/host.elf" "$HOSTS/kvm-host-vmm-6g/host.elf"
fi
[ -x "$GC" ] && [ -x "$BUILD/bench_kvm" ] ||
	{ echo "run_kvm_host.sh: build $GC and $BUILD/bench_kvm first (make -C bench kvm)" >&2; exit 2; }
TMPS=$(mktemp -d /tmp/gc-bench-kvmhost.XXXXXX)
trap 'rm -rf "$TMPS"' EXIT
echo "load: $(uptime)"

# "WALL CPU": the best wall and the best CPU (user + system) seconds of
# RUNS runs of "$@"; the first run's output is kept in $TMPS/out.
best() {
	local i w u s bw='' bc='' c
	for ((i = 0; i < RUNS; i++)); do
		/usr/bin/time -f '%e %U %S' -o "$TMPS/time" "$@" > "$TMPS/out.$i" 2>&1 < /dev/null
		[ "$i" = 0 ] && mv "$TMPS/out.0" "$TMPS/out"
		read -r w u s < <(tail -1 "$TMPS/time")
		c=$(awk -v u="$u" -v s="$s" 'BEGIN {printf "%.2f", u + s}')
		bw=$(awk -v a="${bw:-$w}" -v b="$w" 'BEGIN {print (b < a ? b : a)}')
		bc=$(awk -v a="${bc:-$c}" -v b="$c" 'BEGIN {print (b < a ? b : a)}')
	done
	echo "$bw $bc"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.1fx", a / b; else print "-"}'; }

for h in "$@"; do
	if [ ! -f "$h" ]; then
		case "$h" in
		*kvm-host-vmm-6g*) echo "SKIP $h: absent (GC_KVM_HOST_BIG=1 make check-kvm-host makes it)" ;;
		*) echo "SKIP $h: absent (make check decompresses ../shared/dumps into GC_DUMP_CACHE)" ;;
		esac
		continue
	fi
	echo "== $h ($(stat -c %s "$h") bytes, best of $RUNS)"
	read -r gw gc < <(best "$GC" guests "$h")
	echo "guests:        wall $gw s, CPU $gc s: $(head -1 "$TMPS/out")"
	read -r sw sc < <(best "$GC" guests --scan "$h")
	echo "guests --scan: wall $sw s, CPU $sc s: $(grep -v '^(' "$TMPS/out" | head -1)"
	echo "ratio guests --scan / guests: $(ratio "$sw" "$gw") wall, $(ratio "$sc" "$gc") CPU"
	"$BUILD/bench_kvm" "$h" --rounds "$RUNS"
done
