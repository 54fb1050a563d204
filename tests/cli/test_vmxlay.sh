#!/usr/bin/env bash
# Intel hosts without a VMCSINFO note (as every real host is): the
# published layouts (Sandy Bridge rev 0x10 here) and layout inference
# (vmcs --infer).  The hosts are SYNTHETIC (mkhost around the real QEMU
# guest dump); no Intel KVM host dump exists in this project.
. "$(dirname "$0")/lib.sh"
MKHOST="$(dirname "$GC")/mkhost"
IDLE="${GC_DUMP_CACHE:-/nonexistent}/qemu-idle-nokaslr/qemu-6.1-idle-2cpu.elf"
if [ ! -x "$MKHOST" ]; then
	skip vmxlay "mkhost not built"
	exit 0
fi
if [ ! -s "$IDLE" ]; then
	skip vmxlay "real QEMU guest dump not available"
	exit 0
fi

# ---- published layout, no note --------------------------------------------
H="$T/sandy.elf"
L=$("$MKHOST" "$H" --guest "$IDLE" --layout-rev 10 --no-vmcsinfo) || { fail mkhost_sandy "exit $?"; exit 0; }
same mkhost_sandy_line "$L" "guest 0 eptp 0x2f0005e vmcs 0x2345000,0x1aac000"
expect_err sandy_no_note 2 "guestcore: $H: VMCSINFO note: the dump carries none" vmcsinfo "$H"
expect_out sandy_scan 0 "2 VMCS regions" vmcs "$H"
expect_out sandy_scan_rev 0 "VMCS at 0x2345000: revision 0x10, VPID 1, EPT on" vmcs "$H"
expect_out sandy_scan_json 0 '"layout": "published rev 0x10 (Sandy Bridge)' vmcs "$H" --json
expect_out sandy_extract 0 "verify: ok: 36896 pages compared, 0 differ, 0 extra in the output" \
	extract "$H" --vmcs 0x2345000,0x1aac000 -o "$T/g.vmcore" --verify
case "$OUT" in
*"vCPU 0: VMCS 0x2345000 revision 0x10, VPID 1, layout published rev 0x10 (Sandy Bridge)"*) pass sandy_extract_layout ;;
*) fail sandy_extract_layout "$(echo "$OUT" | grep 'vCPU 0')" ;;
esac
# the guest's registers as in the original (RIP/RSP/CR3 of both vCPUs)
regs() { "$GC" regs "$1" 2>/dev/null | grep -oE '(RIP|RSP|CR3): [0-9a-f]+' | tr '\n' ' '; }
same sandy_regs "$(regs "$T/g.vmcore")" "$(regs "$IDLE")"
expect_out sandy_at 0 "layout published rev 0x10 (Sandy Bridge)" vmcs "$H" --at 0x1aac000
expect_out sandy_emit 0 "" vmcsinfo --emit 10 -o "$T/sandy.txt"
expect_out sandy_emit_parses 0 "VMCS revision 0x10: 118 fields" vmcsinfo "$T/sandy.txt"

# ---- inference from known values -----------------------------------------
K=(--known GUEST_RIP=0xffffffff81a592eb
   --known GUEST_RSP=0xffffffff82a03e98,0xffffc9000009bed8
   --known GUEST_CR3=0x6048000,0x2a10000
   --known HOST_CR3=0x1a0b000 --known HOST_RIP=0xffffffff8103c0de
   --known HOST_CR4=0x3726f0 --known VMCS_LINK_POINTER=0xffffffffffffffff
   --known EPT_POINTER=0x2f0005e
   --known CPU_BASED_VM_EXEC_CONTROL=0xb5a06dfa
   --known SECONDARY_VM_EXEC_CONTROL=0xa2
   --known GUEST_CR0=0x80050033)
expect_out infer_summary 1 "inferred layout for revision 0x10 from 2 VMCS regions: 10 of 11 fields confirmed, 1 ambiguous (refused), 0 unknown" \
	vmcs "$H" --infer --at 0x2345000,0x1aac000 "${K[@]}" -o "$T/inferred.txt"
case "$OUT" in *"GUEST_RIP                    confirmed at 0x1d8"*) pass infer_rip ;; *) fail infer_rip "$OUT" ;; esac
# guest CR0 == host CR0 in this host: found twice, refused
case "$OUT" in *"GUEST_CR0                    ambiguous: at 0x2d8, 0x338 (refused)"*) pass infer_ambiguous ;; *) fail infer_ambiguous "$OUT" ;; esac
# every confirmed offset is the published one
python3 - "$T/inferred.txt" "$T/sandy.txt" > "$T/cmp" 2>&1 <<'PY'
import sys
def load(p):
    return dict(l.strip().split("=", 1) for l in open(p) if l.startswith("FIELD("))
inf, pub = load(sys.argv[1]), load(sys.argv[2])
bad = [k for k in inf if pub.get(k) != inf[k]]
print("fields", len(inf), "differ", len(bad), bad)
PY
same infer_matches_published "$(cat "$T/cmp")" "fields 10 differ 0 []"
# the inferred layout is usable with --layout (it replaces the published one)
expect_out infer_layout_scan 0 "2 VMCS regions" vmcs "$H" --layout "$T/inferred.txt"
# fields the inferred layout lacks are "?" (JSON null), never 0
case "$OUT" in *"VMCS at 0x2345000: revision 0x10, VPID ?, EPT on"*"RFLAGS        ?"*) pass infer_layout_unknown ;; *) fail infer_layout_unknown "$(echo "$OUT" | head -4)" ;; esac
expect_out infer_layout_json_null 0 '"guest_rflags": null' vmcs "$H" --layout "$T/inferred.txt" --json
expect_out infer_layout_extract 0 "verify: ok: 36896 pages compared, 0 differ" \
	extract "$H" --vmcs 0x2345000,0x1aac000 -o "$T/g2.vmcore" --layout "$T/inferred.txt" --verify
same infer_layout_regs "$(regs "$T/g2.vmcore")" "$(regs "$IDLE")"
expect_out infer_json 1 '"confirmed": 10' vmcs "$H" --infer --at 0x2345000,0x1aac000 "${K[@]}" --json
# a planted second copy: one region alone cannot tell HOST_RIP from the
# copy... here: the same value twice (GUEST_RIP of both vCPUs is equal, so
# one region suffices); a wrong value is "not found"
expect_out infer_not_found 1 "GUEST_RIP                    not found" \
	vmcs "$H" --infer --at 0x2345000 --known GUEST_RIP=0xffffffff81a592ec --known HOST_CR3=0x1a0b000
# refused: nothing confirmed, a count mismatch, a bad field, a 0 value
expect_err infer_none 2 "guestcore: VMCS inference: no field confirmed (1 not found or unsearchable, 0 ambiguous) in 1 region(s) of revision 0x10" \
	vmcs "$H" --infer --at 0x2345000 --known GUEST_RIP=0x1234567
expect_rc infer_count 2 vmcs "$H" --infer --at 0x2345000,0x1aac000 --known GUEST_RSP=0x1,0x2,0x3
expect_rc infer_field 2 vmcs "$H" --infer --at 0x2345000 --known NO_SUCH=0x1
expect_out infer_zero 1 "GUEST_CR3                    value 0 (not searchable)" \
	vmcs "$H" --infer --at 0x2345000 --known GUEST_CR3=0 --known HOST_CR3=0x1a0b000
expect_rc infer_usage 2 vmcs "$H" --infer --known GUEST_RIP=0x1
expect_err infer_exists 2 "guestcore: $T/inferred.txt: output: exists (use --force to overwrite)" \
	vmcs "$H" --infer --at 0x2345000,0x1aac000 "${K[@]}" -o "$T/inferred.txt"
# regions of different revisions
expect_rc infer_two_revs 2 vmcs "$H" --infer --at 0x2345000,0x0 --known HOST_CR3=0x1a0b000
# --infer without --at/--known: the values from the host kernel's KVM
# structures (Intel VMs only; the real host here runs kvm_amd)
KH="${GC_DUMP_CACHE:-/nonexistent}/kvm-host-vmm/host.elf"
if [ -s "$KH" ]; then
	expect_err infer_kvm_amd 2 "guestcore: no Intel (kvm_intel) VM with vCPUs in the host's KVM structures" \
		vmcs "$KH" --infer
else
	skip infer_kvm_amd "kvm-host-vmm dump not available"
fi
run_gc infer_kvm_no_kernel 2 vmcs "$H" --infer &&
	case "$ERR" in *"the host kernel (needed for its KVM structures; else give --at and --known)"*) pass infer_kvm_no_kernel ;; *) fail infer_kvm_no_kernel "$ERR" ;; esac
