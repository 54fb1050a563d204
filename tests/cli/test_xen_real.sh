# The real Xen 4.17 domain dumps from ../shared/dumps (xl dump-core, PV and
# PVH): header values, check, registers, pages by pfn and mfn, rd output,
# all against the expected/ ground truth from crash and libkdumpfile.
. "$(dirname "$0")/lib.sh"

for kind in pv pvh; do
	core="$GC_DUMP_CACHE/xen-$kind-idle/xen-$kind-idle.core"
	exp="$GC_SHARED_DUMPS/xen-$kind-idle/expected"
	if [ -z "$GC_DUMP_CACHE" ] || [ ! -f "$core" ]; then
		skip "xen-$kind-real" "real dump absent"
		continue
	fi
	# info: every xc_core header value crash's `help -n` shows
	run_gc "xen-$kind-info" 0 info "$core" || continue
	sed -n '/^ *header:$/,/shared_info_offset/p' "$exp/xen-$kind-idle.crash.txt" |
		grep -v 'header:' > "$T/crash-header"
	ok=1
	while IFS= read -r line; do
		key=$(echo "$line" | sed 's/^ *\([a-z_]*\):.*/\1/')
		val=$(echo "$line" | sed 's/^ *[a-z_]*: //')
		got=$(echo "$OUT" | sed -n "s/^ *$key: //p" | head -1)
		if [ "$got" != "$val" ]; then
			fail "xen-$kind-info-$key" "got '$got', crash says '$val'"; ok=0
		fi
	done < "$T/crash-header"
	[ "$(wc -l < "$T/crash-header")" -ge 10 ] || { fail "xen-$kind-info-header" "crash header block not found"; ok=0; }
	[ $ok = 1 ] && pass "xen-$kind-info-matches-crash-help-n"

	# check: clean
	expect_out "xen-$kind-check-clean" 0 "result: clean" check "$core"

	# regs: for PV, vcpu 0 rip/rsp as crash's debug output read them from
	# the vcpu context; for PVH crash unwinds from saved task state, so
	# rsp must lie inside the stack frames crash's bt shows for CPU 0.
	run_gc "xen-$kind-regs" 0 regs --json "$core" &&
	got=$(echo "$OUT" | python3 -c 'import json,sys; v=json.load(sys.stdin)["vcpus"][0]["regs"]; print("%x %x" % (int(v["rip"],16), int(v["rsp"],16)))')
	if [ $kind = pv ]; then
		want=$(grep -m1 'hooks from vcpu_guest_context' "$exp/xen-$kind-idle.crash-d1.txt" |
			sed 's/.*rip: \([0-9a-f]*\) rsp: \([0-9a-f]*\).*/\1 \2/')
		same "xen-$kind-regs-vcpu0-rip-rsp" "$got" "$want"
	else
		sps=$(sed -n '/crash> bt -a/,/^PID: 0 .*CPU: 1/p' "$exp/xen-$kind-idle.crash.txt" |
			sed -n 's/^ *#[0-9]* \[\([0-9a-f]*\)\].*/\1/p')
		lo=$(echo "$sps" | head -1); hi=$(echo "$sps" | tail -1); rsp=${got#* }
		if [ -n "$lo" ] && [ $((16#$rsp)) -ge $((16#$lo)) ] && [ $((16#$rsp)) -le $((16#$hi)) ]; then
			pass "xen-$kind-regs-vcpu0-rsp-in-crash-bt-stack"
		else
			fail "xen-$kind-regs-vcpu0-rsp-in-crash-bt-stack" "rsp $rsp not in [$lo, $hi]"
		fi
	fi

	# pages by pfn, checksums from libkdumpfile
	while read -r addr sha; do
		got=$("$GC" read "$core" -p "$addr" 4096 | sha256sum | cut -d' ' -f1)
		same "xen-$kind-page-pfn-$addr" "$got" "$sha"
	done < "$exp/pages.sha256"
	# pages by machine address (PV)
	grep '^MFN_PAGE' "$exp/pages.txt" | while read -r _ maddr sha _; do
		got=$("$GC" read "$core" -m "$maddr" 4096 | sha256sum | cut -d' ' -f1)
		same "xen-$kind-page-mfn-$maddr" "$got" "$sha"
	done

	# rd -p 1000000 64, word for word as crash printed it
	sed -n '/crash> rd -p/,/crash> rd ffff/p' "$exp/xen-$kind-idle.crash.txt" | sed '1d;$d' > "$T/rd-exp"
	"$GC" rd "$core" -p 1000000 64 > "$T/rd-got"
	if cmp -s "$T/rd-got" "$T/rd-exp"; then pass "xen-$kind-rd-p-matches-crash"
	else fail "xen-$kind-rd-p-matches-crash" "$(diff "$T/rd-got" "$T/rd-exp" | head -3)"; fi

	# the same page by pfn and by its mfn is the same bytes (PV)
	if [ $kind = pv ]; then
		mfn=$("$GC" p2m "$core" 2a1a | sed 's/.*mfn //')
		same "xen-pv-p2m-2a1a" "$mfn" "0x13721a"
		pfn=$("$GC" p2m "$core" --mfn 13721a | sed 's/.*pfn //')
		same "xen-pv-m2p-13721a" "$pfn" "0x2a1a"
	else
		expect_err "xen-pvh-no-mfn-space" 2 \
			"guestcore: $core: machine address: this xc_core (ELF) dump has no machine (mfn) space; use guest-physical addresses" \
			read "$core" -m 1000 16
	fi
done
