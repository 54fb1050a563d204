# Kernel awareness on the real dumps from ../shared/dumps (Xen PV and PVH
# asan-pass: skip (log/vtop/sym/rd against crash's output on the real dumps; the same paths run under ASan in test_kernel_more, test_xen_real and test_bt)
# first, then the QEMU ones): log, vtop, sym and rd -v against what crash
# 8.0.2 printed with the debug vmlinux (expected/*.crash.txt), with and
# without KASLR -- guestcore itself uses no debuginfo.
. "$(dirname "$0")/lib.sh"

# section FILE CMD : the output crash printed for "### crash> CMD"
section() {
	awk -v want="### crash> $2" '
		$0 == want { on = 1; next }
		/^### crash> / { on = 0 }
		on { print }' "$1"
}

# vtop output up to the leaf entry's FLAGS line (guestcore prints no
# struct page line).
vtop_part() {
	awk '{ print } hdr { exit } / FLAGS$/ { hdr = 1 }'
}

check_dump() {
	local tag=$1 dump=$2 crashout=$3 log=$4
	if [ -z "$GC_DUMP_CACHE" ] || [ ! -f "$dump" ]; then
		skip "kern-$tag" "real dump absent"
		return
	fi
	if ! "$GC" log "$dump" > "$T/log-got" 2> /dev/null; then
		skip "kern-$tag" "this build cannot open $(basename "$dump") yet"
		return
	fi
	# log: equal to crash's log (minus crash's own WARNING lines)
	if [ -f "$log" ]; then
		grep -v '^WARNING: ' "$log" | sed '/./,$!d' > "$T/log-exp"
		if cmp -s "$T/log-got" "$T/log-exp"; then
			pass "kern-$tag-log-matches-crash"
		else
			fail "kern-$tag-log-matches-crash" "$(diff "$T/log-got" "$T/log-exp" | head -5)"
		fi
	fi
	# sym and vtop for every address crash was asked about
	grep '^### crash> sym ' "$crashout" | sed 's/^### crash> sym //' |
	while read -r name; do
		want=$(section "$crashout" "sym $name" | head -1 | awk '{print $1, $2, $3}')
		run_gc "kern-$tag-sym-$name" 0 sym "$dump" "$name" || continue
		same "kern-$tag-sym-$name" "$OUT" "$want"
	done
	grep '^### crash> vtop ' "$crashout" | sed 's/^### crash> vtop //' |
	while read -r va; do
		section "$crashout" "vtop $va" | vtop_part > "$T/vtop-exp"
		run_gc "kern-$tag-vtop-$va" 0 vtop "$dump" "$va" || continue
		if printf '%s\n' "$OUT" | cmp -s - "$T/vtop-exp"; then
			pass "kern-$tag-vtop-$va-matches-crash"
		else
			fail "kern-$tag-vtop-$va-matches-crash" "$(printf '%s\n' "$OUT" | diff - "$T/vtop-exp" | head -6)"
		fi
	done
	# rd of linux_banner through kernel virtual addresses
	local rdcmd
	rdcmd=$(grep -m1 '^### crash> rd ffff' "$crashout" | sed 's/^### crash> //')
	if [ -n "$rdcmd" ]; then
		set -- $rdcmd
		section "$crashout" "$rdcmd" > "$T/rd-exp"
		run_gc "kern-$tag-rd-v" 0 rd "$dump" -v "$2" "$3" &&
		if printf '%s\n' "$OUT" | cmp -s - "$T/rd-exp"; then
			pass "kern-$tag-rd-v-matches-crash"
		else
			fail "kern-$tag-rd-v-matches-crash" "$(printf '%s\n' "$OUT" | diff - "$T/rd-exp" | head -4)"
		fi
	fi
	# the banner read with -v equals the one read by default (kernel half)
	local a b
	a=$("$GC" rd "$dump" -v "$("$GC" sym "$dump" linux_banner | cut -d' ' -f1)" 4 2>&1)
	b=$("$GC" rd "$dump" "$("$GC" sym "$dump" linux_banner | cut -d' ' -f1)" 4 2>&1)
	case "$a" in *"Linux ve"*) same "kern-$tag-rd-default-virtual" "$b" "$a" ;;
	*) fail "kern-$tag-rd-default-virtual" "banner not read: $a" ;; esac
}

for kind in pv pvh; do
	d="$GC_SHARED_DUMPS/xen-$kind-idle/expected"
	check_dump "xen-$kind" "$GC_DUMP_CACHE/xen-$kind-idle/xen-$kind-idle.core" \
		"$d/xen-$kind-idle.crash.txt" "$d/crash-log.txt"
done
# Xen: VMCOREINFO is found in guest memory (xc_core has no note) and says so
core="$GC_DUMP_CACHE/xen-pv-idle/xen-pv-idle.core"
if [ -f "$core" ]; then
	expect_out "kern-xen-pv-vmcoreinfo-found" 0 "found in guest memory" info "$core"
	expect_out "kern-xen-pv-release" 0 "release: 6.1.0-56-amd64" info "$core"
	# the guest's own p2m (linear list and frame-list-list) agrees with .xen_p2m
	run_gc "kern-xen-pv-p2m-check" 0 check "$core" &&
	case "$OUT" in
	*"linear p2m list (xen_p2m_addr) agrees"*) pass "kern-xen-pv-p2m-linear-agrees" ;;
	*) fail "kern-xen-pv-p2m-linear-agrees" "$(echo "$OUT" | grep -i p2m)" ;;
	esac
	# vtop with the vcpu's own cr3 (a machine address) gives the same page
	cr3=$("$GC" regs --json "$core" | python3 -c 'import json,sys; print(json.load(sys.stdin)["vcpus"][0]["regs"]["cr3"])')
	run_gc "kern-xen-pv-vtop-cr3" 0 vtop "$core" ffffffff82161900 --cr3 "$cr3" --json &&
	same "kern-xen-pv-vtop-cr3-phys" "$(echo "$OUT" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["physical"], j["machine"])')" "0x2161900 0x137d61900"
	# an unmapped address: exit 1 and the walk says where it stopped
	run_gc "kern-xen-pv-vtop-unmapped" 1 vtop "$core" ffffc8ffffe00000 &&
	case "$OUT" in *"WALK STOPPED: "*"not present"*) pass "kern-xen-pv-vtop-unmapped-says-why" ;;
	*) fail "kern-xen-pv-vtop-unmapped-says-why" "$OUT" ;; esac
	expect_out "kern-xen-pv-sym-by-address" 0 "(D) init_top_pgt" sym "$core" ffffffff82a10000
	expect_out "kern-xen-pv-sym-offset" 0 "linux_banner+16" sym "$core" 0xffffffff82161910
	# --system-map override: a two-line map, no KASLR
	printf 'ffffffff82a1aa40 D init_task\nffffffff81000000 T _text\n' > "$T/System.map"
	expect_out "kern-xen-pv-system-map" 0 "ffffffff81000000 (T) _text" sym "$core" _text --system-map "$T/System.map"
	# The seed case: vcpu cr3 names a machine frame that is not in the
	# dump.  A copy with vcpu 0's ctrlreg[3] patched still translates
	# through init_top_pgt, and says so.
	if cp "$core" "$T/seed.core" 2>/dev/null; then
		printf '\x00\x30\x74\xd5\x00\x00\x00\x00' |
			dd of="$T/seed.core" bs=1 seek=$((0x768 + 4984 + 24)) conv=notrunc status=none
		expect_out "kern-seed-note" 0 "vcpu 0 cr3 0xd5743000 (machine frame 0xd5743) is not in the dump; the kernel's init_top_pgt is used instead" info "$T/seed.core"
		run_gc "kern-seed-vtop" 0 vtop "$T/seed.core" ffffffff82161900 &&
		case "$OUT" in *"2161025   2161000  (PRESENT|USER|ACCESSED)"*) pass "kern-seed-vtop-still-works" ;;
		*) fail "kern-seed-vtop-still-works" "$OUT" ;; esac
		run_gc "kern-seed-check" 1 check "$T/seed.core" &&
		case "$OUT" in *"is not in the dump; the kernel's init_top_pgt"*) pass "kern-seed-check-reports-fallback" ;;
		*) fail "kern-seed-check-reports-fallback" "$OUT" ;; esac
		rm -f "$T/seed.core"
	else
		skip "kern-seed" "no room for a copy of the dump"
	fi
fi

for q in qemu-idle-nokaslr/qemu-6.1-idle-2cpu qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu; do
	dir=$(dirname "$q")
	for f in "$GC_DUMP_CACHE/$q".*; do
		[ -f "$f" ] || continue
		ext=${f##*/}; ext=${ext#"${q##*/}".}
		[ -f "$GC_SHARED_DUMPS/$dir/expected/${f##*/}.crash.txt" ] || continue
		check_dump "$dir-$ext" "$f" "$GC_SHARED_DUMPS/$dir/expected/${f##*/}.crash.txt" \
			"$GC_SHARED_DUMPS/$dir/expected/crash-log.txt"
	done
done
# KASLR comes from the dump itself
kd="$GC_DUMP_CACHE/qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.elf"
if [ -f "$kd" ] && "$GC" info "$kd" > /dev/null 2>&1; then
	expect_out "kern-kaslr-offset" 0 "kaslr_offset: 0x1ce00000" info "$kd"
	expect_out "kern-kaslr-panic" 0 "panic: Kernel panic - not syncing: sysrq triggered crash" info "$kd"
fi
