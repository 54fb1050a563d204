# The AMD fallback (docs/kvm.md, "The VMCB scan"): the VMs of the VMCB page
# scan + NPT walk on the real host ../shared/dumps/kvm-host-vmm equal those
# of the host kernel's KVM structures (VMCB addresses, nested_cr3,
# rip/rsp/rax/cr3 of the truth's VMCB save areas, the guest's memory page
# for page over what the NPT maps, the slots' sha256).  The copy with a
# damaged vm_list is in tests/cli/svm_damaged.sh (make check-kvm-host).
. "$(dirname "$0")/lib.sh"
TOOLS=$(cd "$(dirname "$0")" && pwd)
D="$GC_DUMP_CACHE/kvm-host-vmm"
H="$D/host.elf"
TR="$D/truth.json"
[ -f "$TR" ] || TR="${GC_SHARED_DUMPS:-../shared/dumps}/kvm-host-vmm/truth.json"
if [ -z "$GC_DUMP_CACHE" ] || [ ! -f "$H" ] || [ ! -f "$TR" ]; then
	skip "svm scan" "no kvm-host-vmm dump (GC_DUMP_CACHE)"
	exit 0
fi

expect_out "svm guests --scan" 0 "nested_cr3 0x1d56e000  2 vCPUs  vmcb 0x1d534000,0x1d539000  memory 80 MiB mapped by the NPT  svm  source svm-scan" guests --scan "$H"
case "$OUT" in
*"rbx,rcx,rdx,rsi,rdi,rbp,r8-r15 unknown"*) pass "svm scan says which registers are unknown" ;;
*) fail "svm scan says which registers are unknown" "$OUT" ;;
esac
if run_gc "svm guests --scan --json" 0 guests --scan --json "$H" &&
	echo "$OUT" > "$T/scan.json" &&
	run_gc "svm guests --json (structures)" 0 guests --json "$H"; then
	echo "$OUT" > "$T/kvm.json"
	python3 "$TOOLS/kvm_truth.py" scan "$TR" "$T/scan.json" "$T/kvm.json"
fi

# memory through the NPT: the slots' sha256, and page for page the same as
# the extraction through the structures (VMM page tables)
if run_gc "svm extract --vm 0 --scan" 0 extract "$H" --vm 0 --scan -o "$T/s0.vmcore" --verify; then
	case "$OUT" in
	*"NPT: 20480 guest frames mapped: 20480 with data, 0 missing"*"verify: ok: 20480 pages compared, 0 differ"*) pass "svm extract: 20480 NPT pages, verified" ;;
	*) fail "svm extract: 20480 NPT pages, verified" "$OUT" ;;
	esac
	python3 "$TOOLS/kvm_truth.py" memory "$TR" "$T/s0.vmcore"
	if run_gc "svm extract --vm 0 (structures)" 0 extract "$H" --vm 0 -o "$T/k0.vmcore"; then
		python3 "$TOOLS/kvm_truth.py" samepages "$T/s0.vmcore" "$T/k0.vmcore" \
			"svm scan: every NPT-mapped page equal through the KVM structures"
	fi
	if run_gc "svm regs of the scan's vmcore" 0 regs --json "$T/s0.vmcore"; then
		echo "$OUT" | python3 -c '
import json, sys
v = json.load(sys.stdin)["vcpus"]
r = v[1]["regs"]
ok = int(r["rip"], 16) == 0x8081 and int(r["rax"], 16) == 0x1011111111111111
print(("PASS" if ok else "FAIL") + " svm vmcore vCPU 1 rip/rax from its VMCB" + ("" if ok else ": %s" % r))'
	fi
	if head -c 65536 "$T/s0.vmcore" | strings | grep -q "^registers=.*written as 0 in PRSTATUS and not the guest's values: rbx,rcx,rdx,rsi,rdi,rbp,r8-r15 (KVM keeps them" &&
		head -c 65536 "$T/s0.vmcore" | strings | grep -q "^vmcb=0x1d534000,0x1d539000$"; then
		pass "svm provenance names the VMCBs and the unknown registers"
	else
		fail "svm provenance names the VMCBs and the unknown registers" "$(head -c 65536 "$T/s0.vmcore" | strings | grep -E '^(vmcb|registers)=')"
	fi
fi

expect_err "svm extract --vmcb: not a VMCB" 2 "guestcore: $H: VMCB at physical address 0x1000: not a usable VMCB: VMRUN intercept clear (VMRUN refuses such a VMCB)" extract "$H" --vmcb 0x1000 -o "$T/bad.vmcore"

# vmcs: no VMCS on this AMD host, the VMCB scan lists both VMCBs as one
# guest; real guest dumps (no SVM inside) have none
if run_gc "svm vmcs lists VMCBs" 0 vmcs "$H"; then
	case "$OUT" in
	*"0 VMCS regions"*", 2 VMCBs"*"VMCB at 0x1d534000: ASID 6, nested_cr3 0x1d56e000, exit code 0x60"*"VMCB at 0x1d539000: ASID 2"*"guest with nested_cr3 0x1d56e000: VMCB 0x1d534000 0x1d539000"*) pass "svm vmcs lists VMCBs" ;;
	*) fail "svm vmcs lists VMCBs" "$OUT" ;;
	esac
fi
for f in qemu-idle-nokaslr/qemu-6.1-idle-2cpu.elf \
	 qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.makedumpfile-d0-lzo; do
	[ -s "$GC_DUMP_CACHE/$f" ] &&
		expect_out "svm no VMCB in $(basename "$f")" 0 " 0 VMCBs" vmcs "$GC_DUMP_CACHE/$f"
done

# a CPU stopped inside a guest (truth: L1 CPU 0 ran vCPU 0 in L2, rip
# 0x8070; CPU 1 idle in the host): regs of the host says so for CPU 0 only
if run_gc "svm regs of the host" 0 regs "$H"; then
	case "$OUT" in
	"vcpu 0: "*"
  note: host CPU 0 was executing KVM guest 0 (VMM pid 122 vmm) vCPU 0 (kvm_vcpu.mode IN_GUEST_MODE, guest rip 0x8070; the note's CR3 is the guest's): these are the guest's registers, not the host's
      RIP: 0000000000008070"*) pass "svm regs marks host CPU 0 as in the guest" ;;
	*) fail "svm regs marks host CPU 0 as in the guest" "$OUT" ;;
	esac
	[ "$(echo "$OUT" | grep -c '^  note: host CPU')" = 1 ] && pass "svm regs: only CPU 0 in a guest" ||
		fail "svm regs: only CPU 0 in a guest" "$OUT"
fi
if run_gc "svm regs --json of the host" 0 regs --json "$H"; then
	echo "$OUT" | python3 -c '
import json, sys
v = json.load(sys.stdin)["vcpus"]
ok = "vCPU 0 (kvm_vcpu.mode IN_GUEST_MODE" in v[0].get("in_guest", "") and "in_guest" not in v[1]
print(("PASS" if ok else "FAIL") + " svm regs --json: in_guest on vcpu 0 only" + ("" if ok else ": %s" % v))'
fi

# the damaged-vm_list fallback copies the whole host (1 GiB): it runs in
# `make check-kvm-host` (tests/cli/svm_damaged.sh on both real hosts)
