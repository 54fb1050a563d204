#!/usr/bin/env bash
# guestcore vmcsinfo / vmcs on the synthetic KVM host image written by
# mkhost (tests/fixtures/hostimg.h documents what it contains).
. "$(dirname "$0")/lib.sh"
MKHOST="$(dirname "$GC")/mkhost"
if [ ! -x "$MKHOST" ]; then
	skip vmx "mkhost not built"
	exit 0
fi
H="$T/host.elf"
SYSFS=$("$MKHOST" "$H" --note-body "$T/note.txt") || { fail mkhost "exit $?"; exit 0; }
same mkhost_sysfs_line "$SYSFS" "1cba8c0 2000"
"$MKHOST" "$T/bare.elf" --no-vmcsinfo >/dev/null || fail mkhost_bare "exit $?"

# vmcsinfo: the note, the bare text, the sysfs pointer
expect_out vmcsinfo_note 0 "VMCS revision 0xd: 174 fields" vmcsinfo "$H"
expect_out vmcsinfo_note_pin 0 "PIN_BASED_VM_EXEC_CONTROL          0x4000   32      control     0x184 0x180" vmcsinfo "$H"
expect_out vmcsinfo_text 0 "source: $T/note.txt" vmcsinfo "$T/note.txt"
expect_out vmcsinfo_sysfs 0 "source: memory at 0x1cba8c0" vmcsinfo "$H" --sysfs "$SYSFS"
echo "$SYSFS" > "$T/sysfs"
expect_out vmcsinfo_sysfs_file 0 "VMCS revision 0xd" vmcsinfo "$H" --sysfs "$T/sysfs"
expect_err vmcsinfo_no_note 2 "guestcore: $T/bare.elf: VMCSINFO note: the dump carries none" vmcsinfo "$T/bare.elf"
expect_out vmcsinfo_json 0 '"revision": "0xd"' vmcsinfo "$H" --json
run_gc vmcsinfo_json_count 0 vmcsinfo "$H" --json &&
	same vmcsinfo_json_count "$(printf '%s\n' "$OUT" | grep -c '"encoding"')" 174

# --emit: a built-in layout, round trip, note form
expect_rc emit_builtin 0 vmcsinfo --emit d -o "$T/d.txt"
if cmp -s "$T/d.txt" "$T/note.txt"; then pass emit_same_as_note; else fail emit_same_as_note "differs"; fi
expect_rc emit_note 0 vmcsinfo --emit 0xd -o "$T/d.note" --note
same emit_note_header "$(head -c 21 "$T/d.note" | tail -c 9 | tr -d '\0')" "VMCSINFO"
expect_out emit_note_parses 0 "VMCS revision 0xd: 174 fields" vmcsinfo "$T/d.note"
expect_rc emit_synth 0 vmcsinfo --emit 5a17 -o "$T/s.txt"
same emit_synth_first "$(head -1 "$T/s.txt")" "REVISION_ID=5a17"
expect_rc emit_usage 2 vmcsinfo --emit d
expect_rc emit_unknown 2 vmcsinfo --emit 77 -o "$T/x.txt"

# a layout with problems: warnings, exit 1
printf 'VMCS_ID=d\nFIELD(GUEST_RIP)=0ff60ff40ff20ff0\nFIELD(BOGUS)=0100\nFIELD(GUEST_CR3)=0100\n' > "$T/bad.txt"
expect_out vmcsinfo_warn 1 "warning: VMCSINFO line 3: field BOGUS is not in the VMCS field table; ignored" vmcsinfo "$T/bad.txt"
expect_out vmcsinfo_warn_width 1 "GUEST_CR3 is a 64-bit field (4 offsets of 4 hex digits) but has '0100'" vmcsinfo "$T/bad.txt"

# vmcs scan
expect_out vmcs_scan 0 "scanned 556 frames: 7 with a known revision id, 3 VMCS regions" vmcs "$H"
expect_out vmcs_scan_a0 0 "VMCS at 0x2345000: revision 0xd, VPID 1, EPT on" vmcs "$H"
expect_out vmcs_scan_rip 0 "  RIP ffffffff810a1b2c  RSP ffffc90000013e58  RFLAGS 00000246" vmcs "$H"
expect_out vmcs_scan_b0 0 "VMCS at 0x9990000: revision 0x5a17, VPID 3, EPT on" vmcs "$H"
expect_out vmcs_guest_a 0 "guest with EPTP 0x301105e: VMCS 0xabc000 0x2345000" vmcs "$H"
expect_out vmcs_guest_b 0 "guest with EPTP 0x3a07026: VMCS 0x9990000" vmcs "$H"
expect_out vmcs_scan_text 0 "host RIP in kernel text" vmcs "$H"
run_gc vmcs_no_decoys 0 vmcs "$H" && case "$OUT" in
	*rejected*) fail vmcs_no_decoys "decoys listed without --verbose" ;;
	*) pass vmcs_no_decoys ;; esac
expect_out vmcs_verbose_abort 0 "rejected 0x8000000 (revision 0xd): VMX-abort indicator is 0x1, not 0" vmcs "$H" --verbose
expect_out vmcs_verbose_link 0 "rejected 0x8001000 (revision 0xd): VMCS link pointer 0x0 is not ~0" vmcs "$H" --verbose
expect_out vmcs_verbose_eptp 0 "rejected 0x8002000 (revision 0xd): EPTP: 0x301101b has memory type 3" vmcs "$H" --verbose
expect_out vmcs_json 0 '"guest_rip": "0xffffffff81d0e0f0"' vmcs "$H" --json
run_gc vmcs_json_count 0 vmcs "$H" --json --verbose &&
	same vmcs_json_count "$(printf '%s\n' "$OUT" | grep -c '"valid": true'),$(printf '%s\n' "$OUT" | grep -c '"valid": false')" "3,4"
# without the note the built-in rev 0xd layout still finds guest A
expect_out vmcs_bare 0 "3 VMCS regions" vmcs "$T/bare.elf"
# a --layout that moves every field: guest A's VMCS is no longer plausible
printf 'REVISION_ID=d\nFIELD(GUEST_RIP)=0ff60ff40ff20ff0\n' > "$T/rip-only.txt"
expect_out vmcs_layout_override 0 "1 VMCS region" vmcs "$T/bare.elf" --layout "$T/rip-only.txt"

# vmcs --at: decode by name
expect_out at_rip 0 "  GUEST_RIP                          0x681e 64  0xffffffff810a1b2c" vmcs "$H" --at 2345000
expect_out at_ar 0 "  GUEST_CS_AR_BYTES                  0x4816 32  0x0000a09b" vmcs "$H" --at 0x2345000
expect_out at_sel 0 "  GUEST_CS_SELECTOR                  0x0802 16  0x0010" vmcs "$H" --at 0x2345000
expect_out at_synth 0 "  GUEST_RIP                          0x681e 64  0x0000000000007c00" vmcs "$H" --at 0x9990000
expect_out at_decoy 1 "rejected: VMX-abort indicator is 0x1, not 0" vmcs "$H" --at 0x8000000
expect_err at_unknown 2 "guestcore: VMCS at 0x8004000: no layout for revision 0x230045 (give one with --layout)" vmcs "$H" --at 0x8004000
expect_out at_ept 1 "  gpa 0x000200000-0x0003fffff -> host 0x007e00000  rwx- WB" vmcs "$H" --at 0x2345000 --ept
expect_out at_ept_1g 1 "  gpa 0x040000000-0x07fffffff -> host 0x100000000  rwx- WB" vmcs "$H" --at 0x2345000 --ept
expect_out at_ept_bad 1 "(guest-physical 0x600000) is misconfigured: write permission without read" vmcs "$H" --at 0x2345000 --ept
expect_out at_ept_5l 0 "EPT 0x3a07026: 4 guest frames mapped in 2 pieces" vmcs "$H" --at 0x9990000 --ept
expect_out at_ept_json 1 '"hpa": "0x7e00000"' vmcs "$H" --at 0x2345000 --ept --json
expect_rc vmcs_usage 2 vmcs "$H" --ept

# real guest dumps (no VMX inside): nothing may be reported as a VMCS
if [ -n "${GC_DUMP_CACHE:-}" ]; then
	for f in qemu-idle-nokaslr/qemu-6.1-idle-2cpu.elf \
		 qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.makedumpfile-d0-lzo; do
		if [ -s "$GC_DUMP_CACHE/$f" ]; then
			expect_out "real_no_vmcs_$(basename "$f")" 0 " 0 VMCS regions" vmcs "$GC_DUMP_CACHE/$f"
		else
			skip "real_no_vmcs_$(basename "$f")" "not in the dump cache"
		fi
	done
	f=qemu-idle-nokaslr/qemu-6.1-idle-2cpu.elf
	[ -s "$GC_DUMP_CACHE/$f" ] &&
		expect_err real_no_vmcsinfo 2 "guestcore: $GC_DUMP_CACHE/$f: VMCSINFO note: the dump carries none" vmcsinfo "$GC_DUMP_CACHE/$f"
fi

# the same host as a kdump-compressed dump (written by convert): the
# VMCSINFO note comes through kdump's note area
K="$T/host.kdump"
if "$GC" convert "$H" -o "$K" --format kdump --force > /dev/null 2>&1; then
	expect_out kdump_vmcsinfo 0 "source: note in $K" vmcsinfo "$K"
	expect_out kdump_scan 0 "scanned 556 frames: 7 with a known revision id, 3 VMCS regions" vmcs "$K"
	expect_out kdump_at_rip 0 "  GUEST_RIP                          0x681e 64  0xffffffff81d0e0f0" vmcs "$K" --at 0xabc000
	expect_out kdump_ept 1 "  gpa 0x000009000-0x000009fff -> host 0x005000000  rwx- WB" vmcs "$K" --at 0xabc000 --ept
else
	fail kdump_convert "guestcore convert to kdump failed"
fi
