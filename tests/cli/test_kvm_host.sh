# KVM guests of a real host dump through the host kernel's KVM structures
# (source "kvm", docs/kvm.md): ../shared/dumps/kvm-host-vmm, a Debian 6.1
# host running kvm_amd with one VM of the script's small VMM.  Every slot,
# vCPU and register is compared with the dump's truth.json (drgn with
# debuginfo, and the VMM itself), and the extracted vmcore's memory with
# the slots' sha256.  A makedumpfile -d 31 copy (user pages filtered) made
# here must say so in one line; -d 17 must keep the guest.
. "$(dirname "$0")/lib.sh"
TOOLS=$(cd "$(dirname "$0")" && pwd)
D="$GC_DUMP_CACHE/kvm-host-vmm"
H="$D/host.elf"
TR="$D/truth.json"
[ -f "$TR" ] || TR="${GC_SHARED_DUMPS:-../shared/dumps}/kvm-host-vmm/truth.json"
if [ -z "$GC_DUMP_CACHE" ] || [ ! -f "$H" ] || [ ! -f "$TR" ]; then
	skip "kvm host" "no kvm-host-vmm dump (GC_DUMP_CACHE)"
	exit 0
fi

expect_out "kvm guests lists the VM" 0 "pid 122 (vmm)" guests "$H"
case "$OUT" in
*"memory 80 MiB in 2 slots  2 vCPUs  svm"*"source kvm"*) pass "kvm guests line" ;;
*) fail "kvm guests line" "$OUT" ;;
esac
[ "$(echo "$OUT" | wc -l)" = 1 ] && pass "kvm guests one line per VM" ||
	fail "kvm guests one line per VM" "$OUT"
if run_gc "kvm guests --json" 0 guests --json "$H"; then
	echo "$OUT" > "$T/guests.json"
	python3 "$TOOLS/kvm_truth.py" guests "$TR" "$T/guests.json"
fi

if run_gc "kvm extract --vm 0" 0 extract "$H" --vm 0 -o "$T/g0.vmcore" --verify; then
	pass "kvm extract --vm 0"
	case "$OUT" in
	*"verify: ok: 20480 pages compared, 0 differ"*) pass "kvm extract verify" ;;
	*) fail "kvm extract verify" "$OUT" ;;
	esac
	case "$OUT" in
	*"vCPU 0 was executing in guest mode on host CPU 0"*) pass "kvm vCPU in guest mode said" ;;
	*) fail "kvm vCPU in guest mode said" "$OUT" ;;
	esac
	# truth: pages_not_mapped_in_npt 0, pages_npt_vs_vmm_mismatch 0
	case "$OUT" in
	*"NPT cross-check (nested_cr3 0x1d56e000): 20480 guest pages agree with the VMM's page tables, 0 not in the NPT"*) pass "kvm NPT cross-check agrees" ;;
	*) fail "kvm NPT cross-check agrees" "$OUT" ;;
	esac
	python3 "$TOOLS/kvm_truth.py" memory "$TR" "$T/g0.vmcore"
	if run_gc "kvm regs of the extracted vmcore" 0 regs --json "$T/g0.vmcore"; then
		echo "$OUT" > "$T/regs.json"
		python3 "$TOOLS/kvm_truth.py" regs "$TR" "$T/regs.json"
	fi
fi
# check of the host itself: its CPU 0 register note is the guest's
expect_out "kvm check: host CPU 0 was in the guest" 0 \
	"host CPU 0 was executing KVM guest 0 (VMM pid 122 vmm) vCPU 0 when the dump was taken: the dump's register note for CPU 0 holds the guest's registers (guest rip 0x8070), not the host's" \
	check "$H"
# bt of that CPU stops at the guest's rip and says whose registers they
# are; the host's other CPU walks to the end of its stack
if run_gc "kvm bt -a of the host" 1 bt "$H" -a; then
	case "$OUT" in
	*"(stack walk stopped: not kernel text: 0x8070 is not in the kernel's text nor in a module's)"*"(host CPU 0 was executing KVM guest 0 (VMM pid 122 vmm) vCPU 0"*"not the host's)"*) pass "kvm bt says CPU 0's registers are the guest's" ;;
	*) fail "kvm bt says CPU 0's registers are the guest's" "$OUT" ;;
	esac
	[ "$(echo "$OUT" | grep -c 'stack walk stopped')" = 1 ] && pass "kvm bt -a: CPU 1 reaches the end" ||
		fail "kvm bt -a: CPU 1 reaches the end" "$OUT"
fi
run_gc "kvm bt --json in_guest" 1 bt "$H" --cpu 0 --json &&
	same "kvm bt --json in_guest" "$(echo "$OUT" | python3 -c 'import json, sys; t = json.load(sys.stdin)["traces"][0]; print(t["stop"], t["in_guest"][:36])')" "not kernel text host CPU 0 was executing KVM guest 0"
mkdir -p "$T/all"
# SIGTERM while writing: exit 130, the temporary output removed (extract
# left a partial .gctmp file and died of the signal)
mkdir -p "$T/intr"
"$GC" extract "$H" --vm 0 -o "$T/intr/g.vmcore" 2>"$T/intr.err" &
xpid=$!
for _ in $(seq 1 500); do
	ls -a "$T/intr" | grep -q gctmp && break
	sleep 0.01
done
kill -TERM $xpid 2>/dev/null
wait $xpid; xrc=$?
if [ "$xrc" = 0 ]; then
	skip "kvm extract SIGTERM" "the extraction ended before the signal"
else
	same "kvm extract SIGTERM exit 130" "$xrc" "130"
	same "kvm extract SIGTERM nothing left" "$(ls -A "$T/intr")" ""
fi
expect_out "kvm extract --all" 0 "== guest 0: $T/all/guest0.vmcore" extract "$H" --all -o "$T/all"
cmp -s "$T/all/guest0.vmcore" "$T/g0.vmcore" && pass "kvm --all writes the same vmcore as --vm 0" ||
	fail "kvm --all writes the same vmcore as --vm 0" "differ"
expect_err "kvm extract --vm 1 (no such VM)" 2 \
	"guestcore: $H: KVM guest: no VM 1: the host's vm_list has 1" \
	extract "$H" --vm 1 -o "$T/g1.vmcore"

# kvm_amd without BTF of its own (as on Linux < 5.11): a copy with the
# magic of kvm_amd's BTF (the kernel's struct btf data) cleared.  struct
# vcpu_svm is then unknown and the 4.x-5.12 layout (vmcb, vmcb_pa after
# struct kvm_vcpu) is probed; in this 6.1 kernel the word after vmcb is
# vmcb01.ptr, a virtual address, so the probe refuses: no VMCB, the vendor
# unknown, a problem that says why (exit 1), never another page taken for
# the VMCB.  (A real 5.10 host, where the probe finds every vCPU's VMCB:
# make check-kernels.)
BTFVA=$("$GC" struct "$H" vcpu_svm | sed -n 's/.*\[BTF of module kvm_amd at 0x\([0-9a-f]*\) .*/\1/p')
PA=
[ -n "$BTFVA" ] && PA=$("$GC" vtop "$H" "0x$BTFVA" | awk '/^[0-9a-f]+ +[0-9a-f]+ *$/ {p=$2} END {print p}')
if [ -n "$PA" ] && cp --reflink=auto "$H" "$T/nobtf.elf" &&
	python3 "$TOOLS/kvm_truth.py" poke "$T/nobtf.elf" "$PA" 0 1; then
	run_gc "kvm no vcpu_svm type: guests" 1 guests "$T/nobtf.elf" --json &&
	echo "$OUT" | python3 -c '
import json, sys
g = json.load(sys.stdin)["guests"][0]
ok = (g["vendor"] == "?" and all(v["vmcb"] == "0x0" for v in g["vcpus"]) and
      "vCPU 0 VMCB: " in g["problems"] and "struct vcpu_svm" in g["problems"] and
      "are not a VMCB pointer and its physical address" in g["problems"])
print(("PASS " if ok else "FAIL ") + "kvm no vcpu_svm type: the VMCB probe refuses the 6.1 layout" +
      ("" if ok else ": %s %s" % (g["vendor"], g["problems"])))'
	rm -f "$T/nobtf.elf"
else
	fail "kvm no vcpu_svm type" "could not make the copy (kvm_amd BTF at '$BTFVA', physical '$PA')"
fi

# makedumpfile -d 31 / -d 17 of the same host (makedumpfile 1.7.2 wants
# the program headers right after the ELF header: a patched copy)
if ! command -v makedumpfile >/dev/null; then
	skip "kvm host -d 31" "no makedumpfile"
	exit 0
fi
cp "$H" "$T/in.elf" && python3 - "$T/in.elf" <<'PYEOF'
import struct, sys
with open(sys.argv[1], "r+b") as f:
    eh = bytearray(f.read(64))
    phoff, = struct.unpack_from("<Q", eh, 32)
    phentsize, phnum = struct.unpack_from("<HH", eh, 54)
    f.seek(phoff)
    table = f.read(phentsize * phnum)
    struct.pack_into("<Q", eh, 32, 64)
    struct.pack_into("<Q", eh, 40, 0)
    struct.pack_into("<HHH", eh, 58, 0, 0, 0)
    f.seek(0)
    f.write(eh)
    f.write(table)
PYEOF
makedumpfile -c -d 31 "$T/in.elf" "$T/d31.kdump" >/dev/null 2>&1
makedumpfile -c -d 17 "$T/in.elf" "$T/d17.kdump" >/dev/null 2>&1
rm -f "$T/in.elf"
if [ ! -f "$T/d31.kdump" ] || [ ! -f "$T/d17.kdump" ]; then
	fail "kvm host makedumpfile" "makedumpfile failed"
	exit 0
fi
NOTE="host dump_level 31 excluded user pages (makedumpfile -d bit 8): no guest RAM in this dump (it is the VMM's user memory); the KVM structures, memory slots and vCPU registers survived; a level without bit 8 (e.g. -d 17) keeps guests"
expect_out "kvm -d 31: guests still listed" 1 "pid 122 (vmm)  name -  memory 80 MiB in 2 slots  2 vCPUs" guests "$T/d31.kdump"
case "$OUT" in
*"$NOTE"*) pass "kvm -d 31: one line naming the dump level" ;;
*) fail "kvm -d 31: one line naming the dump level" "$OUT" ;;
esac
run_gc "kvm -d 31: check" 1 check "$T/d31.kdump" && case "$OUT" in
*"$NOTE"*) pass "kvm -d 31: check names the dump level" ;;
*) fail "kvm -d 31: check names the dump level" "$OUT" ;;
esac
run_gc "kvm -d 31: extract fails" 2 extract "$T/d31.kdump" --vm 0 -o "$T/d31.vmcore" &&
	same "kvm -d 31: extract says why" "$(echo "$ERR" | head -1)" "guestcore: $T/d31.kdump: $NOTE"
[ -e "$T/d31.vmcore" ] && fail "kvm -d 31: no output" "written" || pass "kvm -d 31: no output"
if run_gc "kvm -d 17: extract" 0 extract "$T/d17.kdump" --vm 0 -o "$T/d17.vmcore"; then
	python3 "$TOOLS/kvm_truth.py" memory "$TR" "$T/d17.vmcore" | sed 's/^\(....\) kvm/\1 kvm -d 17:/'
fi
rm -f "$T"/*.kdump "$T"/*.vmcore "$T"/all/*.vmcore
