#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make check-kvm-host: every real KVM host dump made by
# ../shared/tools/make-kvm-host-dump.sh, both L2 modes on both paging depths
# (docs/kvm.md "make check-kvm-host"):
#   kvm-host-vmm        --l2 vmm               4-level host, the script's VMM
#   kvm-host-linux      --l2 linux             4-level host, QEMU + Linux L2
#   kvm-host-la57-vmm   --l2 vmm --cpu max     5-level (LA57) host
#   kvm-host-la57-linux --l2 linux --cpu max   5-level host, Linux L2
#   kvm-host-memfd      tests/make_kvm_host_memfd.sh: --l2 vmm, slot 1 a
#                       memfd half of whose pages only the page cache holds
# under GC_KVM_HOSTS (default ~/.cache/guestcore; kvm-host-vmm is also taken
# from GC_DUMP_CACHE, the decompressed ../shared/dumps/kvm-host-vmm), plus
# any other kvm-host-*/ there (GC_KVM_HOST_DIR=DIR: that one only).  A vmm
# host (truth.json, no l2.elf) runs tests/cli/test_kvm_host_vmm.sh against
# the script's truth.json; a linux host (l2.elf) runs
# tests/cli/test_kvm_host_linux.sh against l2.elf.
# A missing host of the four is made with the script first (one QEMU at a
# time, many minutes under TCG) unless GC_KVM_HOST_MAKE=0.  --l2 linux runs
# a patched copy of the script (see make_host).  Ends "N passed, N failed".
# Optional, several GiB (issue #16, bench/run_kvm_host.sh):
#   kvm-host-vmm-6g     --l2 vmm --mem 6144 --no-panic   4-level, 6 GiB L1
# is run when present and made only when GC_KVM_HOST_BIG=1 (3-4 minutes
# here, 6.5 GB of disk; without the panic dump, which would double both).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
# the decompressed ../shared dumps, where make check (tests/run.sh) puts them
GC_DUMP_CACHE=${GC_DUMP_CACHE:-$PWD/build/dump-cache}
HOSTS=${GC_KVM_HOSTS:-${XDG_CACHE_HOME:-$HOME/.cache}/guestcore}
TOOLS=${GC_SHARED:-$(cd .. && pwd)/shared}/tools
MAKE_MISSING=${GC_KVM_HOST_MAKE:-1}
T=$(mktemp -d /tmp/gckvmhost.XXXXXX)
trap 'rm -rf "$T"' EXIT
p=0 f=0
res() { case "$1" in PASS*) p=$((p + 1)) ;; FAIL*) f=$((f + 1)) ;; esac; echo "$1"; }

# The script's --l2 linux mode stalls on this machine: L1's init starts
# `tail -f /tmp/l2-serial.log > /dev/ttyS1` one second after starting the
# L2 QEMU, which under TCG has not created that file yet; busybox tail -f
# then exits ("can't open"), ttyS1 stays empty and the script waits 30
# minutes for L2-READY there although L2 is up.  The copy follows the file
# with tail -F (retry until it appears) and waits for L1's own
# "L1CTL: L2 ready" on the console instead.
make_host() {  # make_host DIR MODE CPU [MORE SCRIPT ARGUMENTS...]
	local dir=$1 mode=$2 cpu=$3 script=$TOOLS/make-kvm-host-dump.sh args
	args=(--l2 "$mode")
	[ "$cpu" = default ] || args+=(--cpu "$cpu")
	args+=("${@:4}")
	if [ "$mode" = linux ]; then
		mkdir -p "$T/tools"
		sed -e 's|^tail -f /tmp/l2-serial.log > /dev/ttyS1 &$|tail -F /tmp/l2-serial.log > /dev/ttyS1 \&|' \
		    -e "s|wait_for \"\$RUN/ttyS1.log\" '^L2-READY' 1800|wait_for \"\$RUN/console.log\" '^L1CTL: L2 ready' 1800|" \
		    "$script" > "$T/tools/make-kvm-host-dump.sh"
		script=$T/tools/make-kvm-host-dump.sh
	fi
	echo "# making $dir: make-kvm-host-dump.sh ${args[*]} (many minutes)"
	mkdir -p "$dir"
	if [ "$mode" = memfd ]; then
		# the VMM's slot 1 a memfd, half of it only in the page cache
		script=tests/make_kvm_host_memfd.sh args=()
		[ "$cpu" = default ] || args+=(--cpu "$cpu")
	fi
	bash "$script" "${args[@]}" "$dir" > "$T/make.log" 2>&1 ||
		{ res "FAIL make $(basename "$dir"): $(tail -3 "$T/make.log" | tr '\n' ' ')"; return 1; }
}

run_one() {  # run_one DIR
	local dir=$1 name script
	name=$(basename "$dir")
	if [ -f "$dir/l2.elf" ]; then
		script=test_kvm_host_linux.sh
	elif [ -f "$dir/truth.json" ]; then
		script=test_kvm_host_vmm.sh
	else
		res "FAIL $name: neither l2.elf (--l2 linux) nor truth.json (--l2 vmm) in $dir"
		return
	fi
	echo "# $name ($script)"
	mkdir -p "$T/run"
	GC=$PWD/$BUILD/guestcore T=$T/run GC_KVM_HOST_DIR=$dir \
		GC_PYTHONPATH=$PWD/$BUILD/python bash "tests/cli/$script" > "$T/out.log" 2>&1
	while read -r l; do
		case "$l" in
		PASS\ *) res "PASS $name: ${l#PASS }" ;;
		FAIL\ *) res "FAIL $name: ${l#FAIL }" ;;
		*) echo "$l" ;;
		esac
	done < "$T/out.log"
	rm -rf "$T/run"
}

# GC_KVM_HOST_DIR=DIR (the variable of the former single-host target):
# that host only
if [ -n "${GC_KVM_HOST_DIR:-}" ]; then
	run_one "${GC_KVM_HOST_DIR%/}"
	echo "$p passed, $f failed"
	[ "$f" -eq 0 ]
	exit
fi
declare -A seen=()
for spec in kvm-host-vmm:vmm:default kvm-host-linux:linux:default \
	    kvm-host-la57-vmm:vmm:max kvm-host-la57-linux:linux:max \
	    kvm-host-memfd:memfd:default \
	    kvm-host-vmm-6g:vmm:default:big; do
	IFS=: read -r name mode cpu big <<< "$spec"
	dir=$HOSTS/$name
	if [ "$name" = kvm-host-vmm ] && [ ! -f "$dir/host.elf" ] &&
	   [ -f "${GC_DUMP_CACHE:-}/kvm-host-vmm/host.elf" ]; then
		dir=$GC_DUMP_CACHE/kvm-host-vmm
	fi
	seen[$name]=1
	if [ ! -f "$dir/host.elf" ] || { [ "$mode" = linux ] && [ ! -f "$dir/l2.elf" ]; } ||
	   { [ "$mode" != linux ] && [ ! -f "$dir/truth.json" ]; }; then
		if [ "$MAKE_MISSING" = 0 ]; then
			echo "SKIP $name: not in $HOSTS (GC_KVM_HOST_MAKE=0)"
			continue
		fi
		if [ -n "$big" ]; then
			if [ "${GC_KVM_HOST_BIG:-0}" != 1 ]; then
				echo "SKIP $name: not in $HOSTS (optional; GC_KVM_HOST_BIG=1 makes it)"
				continue
			fi
			make_host "$dir" "$mode" "$cpu" --mem 6144 --no-panic || continue
		else
			make_host "$dir" "$mode" "$cpu" || continue
		fi
	fi
	run_one "$dir"
done
for dir in "$HOSTS"/kvm-host-*/; do
	dir=${dir%/}
	[ -d "$dir" ] && [ -z "${seen[$(basename "$dir")]:-}" ] || continue
	[ -f "$dir/host.elf" ] && run_one "$dir"
done
echo "$p passed, $f failed"
[ "$f" -eq 0 ]
