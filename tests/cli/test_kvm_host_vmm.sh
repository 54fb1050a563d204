# `make check-kvm-host` (slow, not in make check): any vmm-mode real KVM
# host made by ../shared/tools/make-kvm-host-dump.sh --l2 vmm (4-level or,
# with --cpu max, 5-level LA57), in GC_KVM_HOST_DIR, against the truth.json
# the script wrote (drgn with debuginfo, and the VMM itself): the host
# kernel view (paging depth, KASLR offset, page_offset), the VM, its slots
# and vCPUs, extract --verify, the NPT cross-check, every register and
# every slot's sha256 of the extraction; for host.elf and, when present,
# host-panic.elf (the same L2 after the host panicked).  Nothing in it is
# specific to one run: pids, addresses and counts come from truth.json.
. "$(dirname "$0")/lib.sh"
TOOLS=$(cd "$(dirname "$0")" && pwd)
if [ -z "$GC_KVM_HOST_DIR" ]; then
	skip "kvm vmm host" "make check-kvm-host runs it (GC_KVM_HOST_DIR)"
	exit 0
fi
D=$GC_KVM_HOST_DIR
TR="$D/truth.json"
if [ ! -f "$D/host.elf" ] || [ ! -f "$TR" ]; then
	fail "kvm vmm host" "no $D/host.elf or $TR"
	exit 0
fi
for dump in host host-panic; do
	H="$D/$dump.elf"
	[ -f "$H" ] || continue
	python3 -c 'import json, sys; json.load(open(sys.argv[1]))["dumps"][sys.argv[2]]' \
		"$TR" "$dump" 2>/dev/null || { fail "kvm $dump" "no dumps.$dump in $TR"; continue; }
	tag() { sed "s/^\(....\) kvm/\1 kvm $dump:/"; }
	if run_gc "kvm $dump: info --json" 0 info --json "$H"; then
		echo "$OUT" > "$T/info.json"
		python3 "$TOOLS/kvm_truth.py" host "$TR#$dump" "$T/info.json" | tag
	fi
	if run_gc "kvm $dump: guests --json" 0 guests --json "$H"; then
		echo "$OUT" > "$T/guests.json"
		python3 "$TOOLS/kvm_truth.py" guests "$TR#$dump" "$T/guests.json" | tag
	fi
	rm -f "$T/g.vmcore"
	if run_gc "kvm $dump: extract --vm 0 --verify" 0 extract "$H" --vm 0 -o "$T/g.vmcore" --verify; then
		echo "$OUT" > "$T/extract.txt"
		python3 "$TOOLS/kvm_truth.py" extract "$TR#$dump" "$T/extract.txt" | tag
		python3 "$TOOLS/kvm_truth.py" memory "$TR#$dump" "$T/g.vmcore" | tag
		if run_gc "kvm $dump: regs of the extraction" 0 regs --json "$T/g.vmcore"; then
			echo "$OUT" > "$T/regs.json"
			python3 "$TOOLS/kvm_truth.py" regs "$TR#$dump" "$T/regs.json" | tag
		fi
	fi
	rm -f "$T/g.vmcore"
	# kvm-host-memfd (tests/make_kvm_host_memfd.sh): check of the host
	# counts the guest pages only the memfd's page cache holds
	pc=$(python3 -c 'import json, sys; v = json.load(open(sys.argv[1]))["vmm"]; z = v.get("slot1_zapped"); h = v.get("slot1_punched", [0, 0])[1]; print("%d guest pages from the VMM'"'"'s page cache (memfd), %d read as zero" % (z[1] - h, h) if z else "")' "$TR")
	if [ -n "$pc" ] && run_gc "kvm $dump: check" 0 check "$H"; then
		case "$OUT" in
		*"KVM VM 0: $pc"*)
			pass "kvm $dump: check: $pc" ;;
		*) fail "kvm $dump: check counts the page cache" "$(echo "$OUT" | grep KVM)" ;;
		esac
	fi
done
