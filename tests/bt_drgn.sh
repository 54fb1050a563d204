#!/usr/bin/env bash
# bt against drgn (not part of the default suite; `make check-bt-drgn`):
# each real dump is converted with `guestcore convert` (drgn 0.0.22 cannot
# translate the QEMU paging=false ELF files or xc_core itself) and drgn,
# with Debian's debug vmlinux and DWARF unwinding, lists every vCPU's
# current task's frames; their program counters (inlined calls folded into
# their physical frame) must equal `guestcore bt -a`'s, which uses no
# debuginfo.  The debug vmlinux comes from tests/debug_files.sh's cache;
# skipped with a message when it or drgn is absent.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
GC="$PWD/$BUILD/guestcore"
CACHE=${GC_DUMP_CACHE:-$PWD/build/dump-cache}
RC=${GC_REFEREE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/guestcore}
T=$(mktemp -d /tmp/gcbtdrgn.XXXXXX)
trap 'rm -rf "$T"' EXIT
. tests/debug_files.sh
npass=0 nfail=0 nskip=0
pass() { echo "PASS $1"; npass=$((npass + 1)); }
fail() { echo "FAIL $1: $2"; nfail=$((nfail + 1)); }
skip() { echo "SKIP $1: $2"; nskip=$((nskip + 1)); }
[ -x "$GC" ] || { echo "no $GC: build first"; exit 2; }
if ! command -v drgn > /dev/null; then
	skip bt-drgn "drgn not installed"
elif [ ! -s "$VMLINUX" ] && ! debug_files; then
	skip bt-drgn "debug vmlinux for $KVER unavailable"
else
	for f in qemu-idle-nokaslr/qemu-6.1-idle-2cpu.elf \
		 xen-pv-idle/xen-pv-idle.core xen-pvh-idle/xen-pvh-idle.core \
		 qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.elf; do
		in=$CACHE/$f
		name=$(basename "$f")
		[ -f "$in" ] || { skip "bt-drgn-$name" "absent from $CACHE"; continue; }
		"$GC" convert "$in" -o "$T/conv" > "$T/conv.log" 2>&1 ||
			{ fail "bt-drgn-$name" "convert: $(tail -1 "$T/conv.log")"; continue; }
		timeout 300 drgn -q -c "$T/conv" -s "$VMLINUX" tests/bt_drgn.py \
			> "$T/drgn" 2> "$T/drgn.err" < /dev/null
		rm -f "$T/conv"
		"$GC" bt "$in" -a --json | python3 -c '
import json, sys
for t in json.load(sys.stdin)["traces"]:
    pcs = [f["pc"] for f in t["frames"] if f["kind"] != "user registers"]
    print("CPU", t["cpu"], " ".join(pcs))' > "$T/ours"
		for cpu in $(awk '{ print $2 }' "$T/ours"); do
			want=$(awk -v c="$cpu" '$1 == "CPU" && $2 == c && $5 == "PCS" {
				s = ""; for (i = 6; i <= NF && $i != "NAMES"; i++) s = s " " $i; print substr(s, 2) }' "$T/drgn")
			got=$(awk -v c="$cpu" '$2 == c { $1 = $2 = ""; print substr($0, 3) }' "$T/ours")
			if [ -z "$want" ]; then
				skip "bt-drgn-$name-cpu$cpu" "drgn: $(grep "^CPU $cpu " "$T/drgn" | cut -c1-120; tail -1 "$T/drgn.err")"
			elif [ "$(echo "$want" | wc -w)" = 1 ]; then
				# drgn stops at the first frame when it has no debuginfo for
				# it (a module): only that pc is comparable
				[ "$want" = "${got%% *}" ] && pass "bt-drgn-$name-cpu$cpu-first-pc (drgn stops there)" ||
					fail "bt-drgn-$name-cpu$cpu-first-pc" "ours '$got', drgn '$want'"
			elif [ "$got" = "$want" ]; then
				pass "bt-drgn-$name-cpu$cpu-pcs-equal ($(echo "$want" | wc -w) frames)"
			else
				fail "bt-drgn-$name-cpu$cpu-pcs-equal" "ours '$got', drgn '$want'"
			fi
		done
	done
fi
echo "$npass passed, $nfail failed, $nskip skipped"
[ "$nfail" -eq 0 ]
