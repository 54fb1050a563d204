#!/usr/bin/env bash
# BTF against DWARF (`make check-btf`; not part of the default suite): the
# layouts guestcore reads from each real dump's own BTF (kernel BTF in
# memory, modules' split BTF) against the DWARF of Debian's debug vmlinux
# and kvm.ko / kvm-amd.ko for the dumps' kernel, read by pahole -F dwarf.
# Every member's offset (bit offset for bitfields) and size and each total
# size must be equal (tests/btf_dwarf.py).  The debug files come from
# linux-image-6.1.0-56-amd64-dbg, downloaded once into the referee cache
# ($GC_REFEREE_CACHE, default ~/.cache/guestcore, shared with
# tests/referees.sh).  Prints PASS/FAIL/SKIP lines and a summary.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
GC="$PWD/$BUILD/guestcore"
CACHE=${GC_DUMP_CACHE:-$PWD/build/dump-cache}
RC=${GC_REFEREE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/guestcore}
T=$(mktemp -d /tmp/gcbtf.XXXXXX)
trap 'rm -rf "$T"' EXIT
. tests/debug_files.sh
npass=0 nfail=0 nskip=0
skip() { echo "SKIP $1: $2"; nskip=$((nskip + 1)); }

[ -x "$GC" ] || { echo "no $GC: build first (make BUILD=$BUILD)"; exit 2; }
command -v pahole >/dev/null || { skip btf-dwarf "pahole not installed (apt-get install dwarves)"; echo "0 passed, 0 failed, 1 skipped"; exit 0; }


if ! debug_files; then
	skip btf-dwarf "debug vmlinux/kvm.ko for $KVER unavailable"
	echo "$npass passed, $nfail failed, $nskip skipped"
	exit 0
fi

compare() { # label dump type dwarf-file
	local out
	out=$(python3 tests/btf_dwarf.py "$GC" "$2" "$3" "$4" "$1" 2>&1)
	echo "$out" | tail -1
	case "$out" in
	*PASS*) npass=$((npass + 1)) ;;
	*) nfail=$((nfail + 1)) ;;
	esac
}

for f in qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.elf xen-pv-idle/xen-pv-idle.core \
	 qemu-idle-nokaslr/qemu-6.1-idle-2cpu.makedumpfile-d31-zlib kvm-host-vmm/host.elf; do
	d="$CACHE/$f"
	n=$(dirname "$f")
	[ -f "$d" ] || { skip "btf-$n" "$d absent"; continue; }
	for ty in task_struct mm_struct module page; do
		compare "$n-$ty" "$d" "$ty" "$VMLINUX"
	done
done
h="$CACHE/kvm-host-vmm/host.elf"
if [ -f "$h" ]; then
	# struct kvm is in the vmlinux BTF too; its authority is kvm.ko
	compare kvm-host-vmm-kvm "$h" kvm "$KVM"
	compare kvm-host-vmm-kvm_vcpu "$h" kvm_vcpu "$KVM"
	compare kvm-host-vmm-kvm_mmu_page "$h" kvm_mmu_page "$KVM"   # kvm.ko's BTF
	compare kvm-host-vmm-vcpu_svm "$h" vcpu_svm "$KVM_AMD"       # kvm_amd's BTF
fi
# The DWARF provider (libdw) through the CLI: --vmlinux with its .BTF
# section renamed away, so the types come from its DWARF.
d="$CACHE/qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.elf"
if [ -f "$d" ] && objcopy --rename-section .BTF=.BTF_hidden "$VMLINUX" "$T/vmlinux-nobtf" 2>"$T/objcopy.log"; then
	for ty in task_struct mm_struct; do
		out=$(GC_STRUCT_ARGS="--vmlinux $T/vmlinux-nobtf" python3 tests/btf_dwarf.py "$GC" "$d" "$ty" "$VMLINUX" "dwarf-provider-$ty" 2>&1)
		echo "$out" | tail -1
		case "$out" in
		*PASS*"guestcore: DWARF of $T/vmlinux-nobtf"*) npass=$((npass + 1)) ;;
		*) nfail=$((nfail + 1)) ;;
		esac
	done
	rm -f "$T/vmlinux-nobtf"
else
	skip btf-dwarf-provider "objcopy failed or $d absent: $(tail -1 "$T/objcopy.log" 2>/dev/null)"
fi
echo "$npass passed, $nfail failed, $nskip skipped"
[ "$nfail" -eq 0 ]
