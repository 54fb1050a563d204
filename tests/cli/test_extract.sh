#!/usr/bin/env bash
# guestcore extract: KVM guests out of synthetic host dumps that mkhost
# builds around the REAL QEMU guest dumps (tests/fixtures/hostguest.h):
# the extracted vmcore must match the original guest (pages, registers,
# log, sym, vtop).
. "$(dirname "$0")/lib.sh"
MKHOST="$(dirname "$GC")/mkhost"
IDLE="${GC_DUMP_CACHE:-/nonexistent}/qemu-idle-nokaslr/qemu-6.1-idle-2cpu.elf"
PANIC="${GC_DUMP_CACHE:-/nonexistent}/qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.elf"
if [ ! -x "$MKHOST" ]; then
	skip extract "mkhost not built"
	exit 0
fi
if [ ! -s "$IDLE" ] || [ ! -s "$PANIC" ]; then
	skip extract "real QEMU guest dumps not available"
	exit 0
fi

# same_cmd NAME ORIG COPY ARGS...: "guestcore CMD DUMP ARGS" identical
same_cmd() {
	local name=$1 a=$2 b=$3 cmd=$4
	shift 4
	local x y
	x=$("$GC" "$cmd" "$a" "$@" 2>&1); local ra=$?
	y=$("$GC" "$cmd" "$b" "$@" 2>&1); local rb=$?
	if [ "$ra" != 0 ] || [ "$rb" != 0 ]; then
		fail "$name" "exit $ra / $rb: $(echo "$y" | head -2)"
	elif [ "$x" != "$y" ]; then
		fail "$name" "output differs: $(diff <(echo "$x") <(echo "$y") | head -4)"
	else
		pass "$name"
	fi
}

# same_bytes NAME ORIG COPY ARGS...: raw output of "guestcore read" identical
same_bytes() {
	local name=$1 a=$2 b=$3
	shift 3
	local x y
	x=$("$GC" read "$a" "$@" | sha256sum)
	y=$("$GC" read "$b" "$@" | sha256sum)
	if [ "$x" = "$y" ] && [ "$x" != "$(printf '' | sha256sum)" ]; then
		pass "$name"
	else
		fail "$name" "read $* differs"
	fi
}

# regs_of DUMP: RIP, RSP, CR3 of every vCPU
regs_of() {
	"$GC" regs "$1" | grep -oE '(RIP|RSP|CR3): [0-9a-f]+'
}

# The checks every extracted guest must pass against its original.
compare_guest() {
	local tag=$1 orig=$2 copy=$3
	same "${tag}_regs" "$(regs_of "$copy")" "$(regs_of "$orig")"
	same "${tag}_regs_count" "$(regs_of "$copy" | wc -l)" 6
	same_cmd "${tag}_log" "$orig" "$copy" log
	local a
	for s in init_task jiffies_64 linux_banner; do
		same_cmd "${tag}_sym_$s" "$orig" "$copy" sym "$s"
	done
	for s in init_task linux_banner; do
		a=$("$GC" sym "$orig" "$s" | awk '{print $1}')
		same_cmd "${tag}_vtop_$s" "$orig" "$copy" vtop "$a"
	done
	same_bytes "${tag}_read_kernel" "$orig" "$copy" -p 0x1000000 0x10000
	same_bytes "${tag}_read_bios" "$orig" "$copy" -p 0xffff0000 0x10000
}

# ---- one guest, built-in rev 0xd layout ---------------------------------
H1="$T/host1.elf"
L1=$("$MKHOST" "$H1" --guest "$IDLE") || { fail mkhost_guest "exit $?"; exit 0; }
V1=$(echo "$L1" | sed -n 's/^guest 0 eptp 0x[0-9a-f]* vmcs //p')
same mkhost_guest_line "$L1" "guest 0 eptp 0x2f0005e vmcs 0x2345000,0x1aac000"
expect_out extract_rev_d 0 "verify: ok: 36896 pages compared, 0 differ, 0 extra in the output" \
	extract "$H1" --vmcs "$V1" -o "$T/g1.vmcore" --verify
case "$OUT" in
*"EPT: 294880 guest frames mapped in"*": 36896 with data, 0 missing, 257984 outside the host dump's memory"*)
	pass extract_rev_d_counts ;;
*) fail extract_rev_d_counts "$(echo "$OUT" | grep EPT:)" ;;
esac
case "$OUT" in
*"vCPU 1: VMCS 0x1aac000 revision 0xd, VPID 2, layout note in $H1"*) pass extract_rev_d_vcpu ;;
*) fail extract_rev_d_vcpu "$(echo "$OUT" | grep 'vCPU 1')" ;;
esac
case "$OUT" in
*"VMCOREINFO: stored, found in guest memory"*) pass extract_rev_d_vmcoreinfo ;;
*) fail extract_rev_d_vmcoreinfo "$(echo "$OUT" | grep VMCOREINFO)" ;;
esac
compare_guest rev_d "$IDLE" "$T/g1.vmcore"
expect_out extract_check_clean 0 "result: clean" check "$T/g1.vmcore"
# the provenance note
if strings "$T/g1.vmcore" | grep -q "^vmcs=0x2345000,0x1aac000$" &&
	strings "$T/g1.vmcore" | grep -q "^eptp=0x2f0005e (4-level)$" &&
	strings "$T/g1.vmcore" | grep -q "^extracted_from=host dump $H1 (ELF vmcore)$"; then
	pass extract_provenance
else
	fail extract_provenance "$(strings "$T/g1.vmcore" | grep -E '^(vmcs|eptp|extracted_from)=')"
fi
# the output exists: no overwrite without --force
expect_err extract_exists 2 "guestcore: $T/g1.vmcore: output: exists (use --force to overwrite)" \
	extract "$H1" --vmcs "$V1" -o "$T/g1.vmcore"
# --json
expect_out extract_json 0 '"frames_present": 36896' extract "$H1" --vmcs "$V1" -o "$T/g1.vmcore" --force --json
if echo "$OUT" | python3 -c 'import json, sys
d = json.load(sys.stdin)
assert d["frames_present"] == 36896 and d["frames_missing"] == 0, d
assert [v["rip"] for v in d["vcpus"]] == ["0xffffffff81a592eb"] * 2
assert d["vmcoreinfo"] is True and d["pt_loads"] == 5' 2>"$T/json.err"; then
	pass extract_json_parses
else
	fail extract_json_parses "$(tail -1 "$T/json.err")"
fi
# kdump-compressed output, an explicit --layout file
"$GC" vmcsinfo --emit d -o "$T/layout-d.txt" >/dev/null
expect_out extract_kdump 0 "layout $T/layout-d.txt" extract "$H1" --vmcs "$V1" -o "$T/g1.kdump" \
	--format kdump --compress zstd --layout "$T/layout-d.txt" --verify
case "$OUT" in *"verify: ok"*) pass extract_kdump_verify ;; *) fail extract_kdump_verify "$(echo "$OUT" | tail -2)" ;; esac
same_cmd kdump_log "$IDLE" "$T/g1.kdump" log
expect_out kdump_format 0 "kdump-compressed" info "$T/g1.kdump"
# a layout without the guest's RIP and RSP: those are unknown, not 0, in
# the summary, the JSON and the written file (its GUESTCORE note names
# them and guestcore reading the file leaves them out)
grep -v 'FIELD(GUEST_R[IS]P)' "$T/layout-d.txt" > "$T/layout-norip.txt"
expect_out extract_norip 0 "    RIP unknown  RSP unknown  RFLAGS 00000246" \
	extract "$H1" --vmcs "$V1" -o "$T/norip.vmcore" --layout "$T/layout-norip.txt"
case "$OUT" in
*"CR3 0000000006048000"*) pass extract_norip_cr3 ;;
*) fail extract_norip_cr3 "$(echo "$OUT" | grep CR3 | head -1)" ;;
esac
expect_out extract_norip_json 0 '"rip": null' \
	extract "$H1" --vmcs "$V1" -o "$T/norip.vmcore" --force --layout "$T/layout-norip.txt" --json
if strings "$T/norip.vmcore" | grep -qx "vcpu1_unknown_registers=rax,rbx,rcx,rdx,rsi,rdi,rbp,rsp,r8,r9,r10,r11,r12,r13,r14,r15,rip,gs_base_kernel,cr1,cr2,orig_rax"; then
	pass extract_norip_note
else
	fail extract_norip_note "$(strings "$T/norip.vmcore" | grep unknown_registers)"
fi
run_gc extract_norip_regs 0 regs "$T/norip.vmcore"
case "$OUT" in
*"RIP:"*|*"RSP:"*|*"RAX:"*) fail extract_norip_regs "$(echo "$OUT" | head -3)" ;;
*"vcpu 1: NT_PRSTATUS + QEMU CPU state, with the registers guestcore's source did not know left out"*"CR3: 0000000002a10000"*)
	pass extract_norip_regs ;;
*) fail extract_norip_regs "$(echo "$OUT" | head -3)" ;;
esac
# with the layout's RIP, the registers a VMCS lacks are still named
run_gc extract_unknown_regs 0 regs "$T/g1.vmcore"
case "$OUT" in
*"RAX:"*) fail extract_unknown_regs "RAX listed: $(echo "$OUT" | grep RAX | head -1)" ;;
*"RIP: ffffffff81a592eb"*) pass extract_unknown_regs ;;
*) fail extract_unknown_regs "$(echo "$OUT" | head -3)" ;;
esac

# ---- the other built-in layout (rev 0x5a17), the KASLR guest, a seed -----
H2="$T/host2.elf"
L2=$("$MKHOST" "$H2" --guest "$PANIC" --layout-rev 5a17 --seed 7) || fail mkhost_synth "exit $?"
V2=$(echo "$L2" | sed -n 's/^guest 0 eptp 0x[0-9a-f]* vmcs //p')
expect_out extract_rev_synth 0 "vCPU 0: VMCS 0x2345000 revision 0x5a17" \
	extract "$H2" --vmcs "$V2" -o "$T/g2.vmcore"
compare_guest rev_synth "$PANIC" "$T/g2.vmcore"

# ---- --all: two guests in one host --------------------------------------
H3="$T/host3.elf"
"$MKHOST" "$H3" --guest "$IDLE" --guest "$PANIC" --seed 3 > "$T/l3" || fail mkhost_two "exit $?"
same mkhost_two_lines "$(wc -l < "$T/l3")" 2
expect_out extract_all_json 0 '"guests": [' extract "$H3" --all -o "$T/all" --json
same extract_all_json_count "$(echo "$OUT" | grep -c '"output": ')" 2
same extract_all_files "$(cd "$T/all" && ls)" "$(printf 'guest0.vmcore\nguest1.vmcore')"
same_cmd all_log0 "$IDLE" "$T/all/guest0.vmcore" log
same_cmd all_log1 "$PANIC" "$T/all/guest1.vmcore" log
same all_regs1 "$(regs_of "$T/all/guest1.vmcore")" "$(regs_of "$PANIC")"

# ---- damage ------------------------------------------------------------------
H4="$T/host4.elf"
"$MKHOST" "$H4" --guest "$IDLE" --drop-gfn 1234 --bad-ept-gfn 42 >/dev/null || fail mkhost_damaged "exit $?"
expect_out extract_missing 1 "missing: guest 0x1234000-0x1234fff (1 pages, host 0x" \
	extract "$H4" --vmcs "$V1" -o "$T/g4.vmcore" --verify
case "$OUT" in
*"EPT problem: EPT entry at host 0x"*"(guest-physical 0x42000) is misconfigured: address above the highest host address"*)
	pass extract_bad_ept ;;
*) fail extract_bad_ept "$(echo "$OUT" | grep -i 'ept')" ;;
esac
case "$OUT" in *"36894 with data, 1 missing"*) pass extract_missing_counts ;; *) fail extract_missing_counts "$(echo "$OUT" | grep EPT:)" ;; esac
if [ -s "$T/g4.vmcore" ]; then pass extract_missing_written; else fail extract_missing_written "no file"; fi
expect_rc missing_page_absent 2 read "$T/g4.vmcore" -p 0x1234000 16
same_bytes missing_neighbour "$IDLE" "$T/g4.vmcore" -p 0x1235000 0x1000
same_cmd missing_log "$IDLE" "$T/g4.vmcore" log
expect_err extract_absent_vmcs 2 \
	"guestcore: $H1: VMCS at 0x7770000: read at physical address 0x7770000: pfn 0x7770 is not in the dump" \
	extract "$H1" --vmcs 0x7770000 -o "$T/none.vmcore"
if [ -e "$T/none.vmcore" ]; then fail extract_absent_no_file "written"; else pass extract_absent_no_file; fi
expect_err extract_decoy 2 \
	"guestcore: $H1: VMCS at physical address 0x8000000: not a usable VMCS: VMX-abort indicator is 0x1, not 0" \
	extract "$H1" --vmcs 0x8000000 -o "$T/none.vmcore"
expect_rc extract_usage_no_out 2 extract "$H1" --vmcs "$V1"
expect_rc extract_usage_both 2 extract "$H1" --vmcs "$V1" --all -o "$T/x"
expect_rc extract_usage_bad_addr 2 extract "$H1" --vmcs 0x2345001 -o "$T/x"
# every usage error after --vmcb frees its list (LeakSanitizer in the
# ASan run of this script)
expect_rc extract_usage_vmcb_bad_format 2 extract "$H1" --vmcb 0x1000 --format bogus -o "$T/x"
expect_rc extract_usage_vmcb_bad_vm 2 extract "$H1" --vmcb 0x1000 --vm x -o "$T/x"
expect_rc extract_usage_vmcb_unknown 2 extract "$H1" --vmcb 0x1000 --bogus -o "$T/x"

# The synthetic host of test_vmx.sh: its guest B has a frame at guest
# frame 0x1000000000 (guest-physical 2^48) behind a 5-level EPT;
# extracting it must not walk the hole below that frame.
"$MKHOST" "$T/syn.elf" >/dev/null || fail mkhost_synthetic "exit $?"
# (exit 1: guest A has a misconfigured EPT entry, listed)
run_gc extract_far_frames 1 extract "$T/syn.elf" --all -o "$T/syn" --json &&
	same extract_far_frames_pages \
		"$(python3 -c 'import json,sys; d=json.load(sys.stdin); print([g["pages_written"] for g in d["guests"]])' <<<"$OUT" 2>&1)" \
		"[526, 4]"
run_gc extract_far_frames_info 0 info "$T/syn/guest1.vmcore" &&
	case "$OUT" in *"0x1000000000-0x1000000000 (1)"*) pass extract_far_frames_range ;;
	*) fail extract_far_frames_range "$OUT" ;; esac
