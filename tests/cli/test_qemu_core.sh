#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# guestcore extract-qemu against real QEMU: boot the tiny multiboot payload
# (tests/qemu/payload.S) under TCG on pc and q35 with 64 MiB, take QEMU's own
# dump-guest-memory ELF and a gdb gcore of the QEMU process, extract the guest
# from the process core and compare it page for page with QEMU's dump.
# Also damaged cores (pages not dumped, truncated file, headers cut).
# Set GC_QEMU_BIG=1 (make check-qemu-big) for -m 4200M (RAM above 4 GiB).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../qemu/guest.sh"
CMP="python3 $QDIR/elfcmp.py"
trap 'qemu_stop_guest "$T/cur"' EXIT

if missing=$(qemu_tools_ok); then :; else
	skip qemu_core "$missing not installed"
	exit 0
fi
build_payload || { fail qemu_payload "cannot assemble tests/qemu/payload.S"; exit 0; }

# counts LINE KEY : value of KEY=N in elfcmp's first line
counts() { echo "$1" | head -1 | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# check_cmp NAME REF OURS SAME STAMPED_MIN ONLY_REF : exact page accounting
check_cmp() {
	local name=$1 out s d r o st
	out=$($CMP "$2" "$3") || { fail "$name" "elfcmp failed"; return; }
	s=$(counts "$out" same); d=$(counts "$out" differ); r=$(counts "$out" only_ref)
	o=$(counts "$out" only_ours); st=$(counts "$out" stamped)
	if [ "$s" = "$4" ] && [ "$d" = 0 ] && [ "$o" = 0 ] && [ "$r" = "$6" ] && [ "$st" -ge "$5" ]; then
		pass "$name"
	else
		fail "$name" "expected same=$4 differ=0 only_ours=0 only_ref=$6 stamped>=$5, got: $(echo "$out" | head -4 | tr '\n' ';')"
	fi
}

one_machine() {
	local m=$1 mem=$2 pages=$3 d=$T/$1
	if ! msg=$(boot_guest "$d" "$m" "$mem"); then
		fail "qemu_boot_$m" "$msg"
		return
	fi
	pass "qemu_boot_$m"
	local core=$d/core ref=$d/qemu.elf
	# 1. no hints: RAM mapping recognised by size + machine layout
	run_gc "qemu_${m}_layout_rc" 0 extract-qemu "$core" -o "$d/layout.elf" --verify --json &&
		pass "qemu_${m}_layout_rc"
	echo "$OUT" > "$d/layout.json"
	same "qemu_${m}_layout_method" "$(json_field "$d/layout.json" method)" layout
	same "qemu_${m}_layout_machine" "$(json_field "$d/layout.json" machine)" "$m"
	same "qemu_${m}_layout_ramsize" "$(json_field "$d/layout.json" ram_size)" $((pages * 4096))
	same "qemu_${m}_layout_verify" "$(json_field "$d/layout.json" verify.pages_compared)/$(json_field "$d/layout.json" verify.pages_differ)" "$pages/0"
	same "qemu_${m}_cmdline" "$(json_field "$d/layout.json" command_line_source | cut -c1-13)" "initial stack"
	# QEMU's dump also has the 256 KiB BIOS ROM at 0xfffc0000 (64 pages)
	check_cmp "qemu_${m}_layout_vs_qemu_dump" "$ref" "$d/layout.elf" "$pages" $((pages - 200)) 64
	# 2. --mtree with `info mtree -f` + `info ramblock`: exactly QEMU's view
	expect_out "qemu_${m}_mtree_rc" 0 "method mtree" extract-qemu "$core" -o "$d/mtree.elf" --mtree "$d/mtree.txt" --verify
	case "$OUT" in *"verify: ok: $((pages + 64)) pages compared, 0 differ"*) pass "qemu_${m}_mtree_verify" ;;
	*) fail "qemu_${m}_mtree_verify" "$(echo "$OUT" | grep verify)" ;; esac
	check_cmp "qemu_${m}_mtree_vs_qemu_dump" "$ref" "$d/mtree.elf" $((pages + 64)) $((pages - 200)) 0
	# text output says what was not recovered
	case "$OUT" in *"vCPU registers: not recovered"*) pass "qemu_${m}_vcpu_said" ;;
	*) fail "qemu_${m}_vcpu_said" "no vCPU line" ;; esac
}

one_machine pc 64M 16384
one_machine q35 64M 16384

d=$T/q35
if [ -s "$d/core" ] && [ -s "$d/layout.json" ]; then
	core=$d/core
	hva=$(json_field "$d/layout.json" ranges.0.hva)
	# 3. explicit --ram gives the same guest
	expect_out qemu_explicit_ram 0 "method explicit" extract-qemu "$core" -o "$d/explicit.elf" --ram "0:64M@$hva"
	if cmp -s "$d/explicit.elf" "$d/layout.elf"; then pass qemu_explicit_same_file; else fail qemu_explicit_same_file "differs from the layout output"; fi
	# kdump-compressed through the shared writer, verified by the team's reader
	expect_out qemu_kdump_verify 0 "verify: ok: 16384 pages compared, 0 differ" \
		extract-qemu "$core" -o "$d/k.kdump" --format kdump --verify
	# 4. only `info ramblock` (QEMU 7.2 has no HVA column): block found by size
	sed -n '/Block Name/,$p' "$d/mtree.txt" > "$d/ramblock.txt"
	expect_out qemu_ramblock_only 0 "GPA 0x0-0x3ffffff (64.00 MiB) <- HVA $hva pc.ram" \
		extract-qemu "$core" -o "$d/rb.elf" --mtree "$d/ramblock.txt"
	# 5. half of the RAM segment not dumped (p_filesz < p_memsz)
	old=$(set_phdr_filesz "$core" "$hva" 0x2000000)
	run_gc qemu_not_dumped_rc 1 extract-qemu "$core" -o "$d/half.elf" --verify --json && pass qemu_not_dumped_rc
	echo "$OUT" > "$d/half.json"
	same qemu_not_dumped_gap "$(json_field "$d/half.json" missing.0.gpa) $(json_field "$d/half.json" missing.0.size) $(json_field "$d/half.json" missing.0.reason)" "0x2000000 0x2000000 not dumped"
	same qemu_not_dumped_written "$(json_field "$d/half.json" pages_written)/$(json_field "$d/half.json" verify.ok)" "8192/True"
	out=$($CMP "$d/qemu.elf" "$d/half.elf")
	same qemu_not_dumped_not_zeroed "$(counts "$out" same)/$(counts "$out" differ)/$(counts "$out" only_ref)" "8192/0/8256"
	expect_out qemu_not_dumped_text 1 "missing: GPA 0x2000000-0x3ffffff (8192 pages" extract-qemu "$core" -o "$d/half.elf" --force
	set_phdr_filesz "$core" "$hva" 0 >/dev/null
	expect_rc qemu_nothing_dumped 2 extract-qemu "$core" -o "$d/none.elf"
	case "$ERR" in *"none of the 16384 pages of the map is in the process core"*) pass qemu_nothing_dumped_msg ;;
	*) fail qemu_nothing_dumped_msg "$ERR" ;; esac
	[ -e "$d/none.elf" ] && fail qemu_nothing_dumped_nofile "output exists" || pass qemu_nothing_dumped_nofile
	set_phdr_filesz "$core" "$hva" "$old" >/dev/null
	# 6. core truncated 16 MiB + 100 bytes into guest RAM (gcore puts the
	# notes last, so the command line is gone too: --ram is needed)
	off=$(phdr_offset "$core" "$hva")
	head -c $((off + 0x1000000 + 100)) "$core" > "$d/trunc.core"
	expect_rc qemu_trunc_needs_hint 2 extract-qemu "$d/trunc.core" -o "$d/t.elf"
	case "$ERR" in *"give --ram GPA:SIZE@HVA or --mtree FILE"*) pass qemu_trunc_hint_msg ;; *) fail qemu_trunc_hint_msg "$ERR" ;; esac
	run_gc qemu_trunc_rc 1 extract-qemu "$d/trunc.core" -o "$d/t.elf" --ram "0:64M@$hva" --json && pass qemu_trunc_rc
	echo "$OUT" > "$d/trunc.json"
	same qemu_trunc_gap "$(json_field "$d/trunc.json" missing.0.gpa) $(json_field "$d/trunc.json" missing.0.reason) $(json_field "$d/trunc.json" pages_written)" "0x1000000 truncated 4096"
	rm -f "$d/trunc.core"
	# 7. headers cut / not a process core / bad options
	head -c 100 "$core" > "$d/tiny.core"
	expect_rc qemu_headers_cut 2 extract-qemu "$d/tiny.core" -o "$d/x.elf"
	case "$ERR" in "guestcore: $d/tiny.core: "*"program header table"*) pass qemu_headers_cut_msg ;; *) fail qemu_headers_cut_msg "$ERR" ;; esac
	expect_rc qemu_guest_dump_as_core 2 extract-qemu "$d/qemu.elf" -o "$d/x.elf"
	# QEMU's dump of this 32-bit guest is an EM_386 ET_CORE: refused as a host core
	case "$ERR" in *"e_machine at offset 0x12: 3: only x86-64"*) pass qemu_guest_dump_msg ;; *) fail qemu_guest_dump_msg "$ERR" ;; esac
	expect_err qemu_bad_ram 2 "guestcore: --ram: '0:64M' is not GPA:SIZE@HVA" extract-qemu "$core" -o "$d/x.elf" --ram 0:64M
	expect_rc qemu_no_output 2 extract-qemu "$core"
fi

# 8. a core written by the kernel (QEMU killed with SIGABRT): notes first,
# p_filesz 0 for mappings coredump_filter leaves out
case "$(cat /proc/sys/kernel/core_pattern)" in
"|"*) skip qemu_kernel_core "core_pattern pipes cores to a helper" ;;
*)
	d=$T/kcore
	if msg=$(boot_guest "$d" q35 64M kcore); then
		run_gc qemu_kcore_rc 0 extract-qemu "$d/core" -o "$d/k.elf" --verify --json && pass qemu_kcore_rc
		echo "$OUT" > "$d/k.json"
		same qemu_kcore_verify "$(json_field "$d/k.json" method) $(json_field "$d/k.json" verify.pages_compared) $(json_field "$d/k.json" verify.ok)" "layout 16384 True"
		out=$($CMP "$d/qemu.elf" "$d/k.elf")
		same qemu_kcore_vs_qemu_dump "$(counts "$out" same)/$(counts "$out" differ)/$(counts "$out" only_ours)/$(counts "$out" only_ref)" "16384/0/0/64"
	else
		fail qemu_kcore_boot "$msg"
	fi
	rm -rf "$d"
	# dump-guest-core=off: QEMU marks guest RAM MADV_DONTDUMP, the kernel
	# writes its segment with p_filesz 0
	d=$T/kcore-off
	if msg=$(boot_guest "$d" q35,dump-guest-core=off 64M kcore); then
		expect_rc qemu_kcore_dontdump 2 extract-qemu "$d/core" -o "$d/k.elf" --force
		case "$ERR" in *"none of the 16384 pages of the map is in the process core"*) pass qemu_kcore_dontdump_msg ;;
		*) fail qemu_kcore_dontdump_msg "$ERR" ;; esac
	else
		fail qemu_kcore_off_boot "$msg"
	fi
	rm -rf "$d"
	;;
esac

# 9. real Linux guest memory (shared dump set A, QEMU's ELF dump) wrapped in
# a process core by tests/qemu/fake_core.py: VMCOREINFO is found in guest
# memory and stored, the kernel log reads the same, the VGA hole is a gap.
real=${GC_DUMP_CACHE:-}/qemu-idle-nokaslr/qemu-6.1-idle-2cpu.elf
if [ -n "${GC_DUMP_CACHE:-}" ] && [ -s "$real" ]; then
	python3 "$QDIR/fake_core.py" "$real" "$T/linux.core" 0x7f1000000000 0x8000000
	run_gc qemu_linux_rc 1 extract-qemu "$T/linux.core" -o "$T/linux.elf" --ram 0:128M@7f1000000000 --verify --json &&
		pass qemu_linux_rc
	echo "$OUT" > "$T/linux.json"
	same qemu_linux_gap "$(json_field "$T/linux.json" missing.0.gpa) $(json_field "$T/linux.json" missing.0.size) $(json_field "$T/linux.json" missing.0.reason)" "0xa0000 0x20000 unmapped"
	same qemu_linux_vmcoreinfo "$(json_field "$T/linux.json" vmcoreinfo) $(json_field "$T/linux.json" vmcoreinfo_source | sed 's/ (page.*//')" "True found in guest memory: VMCOREINFO ELF note at physical address 0x4ada018"
	same qemu_linux_verify "$(json_field "$T/linux.json" verify.pages_compared) $(json_field "$T/linux.json" verify.ok)" "32736 True"
	if "$GC" log "$real" > "$T/log1" 2>&1 && "$GC" log "$T/linux.elf" > "$T/log2" 2>&1 && [ -s "$T/log1" ] &&
	   cmp -s "$T/log1" "$T/log2"; then
		pass qemu_linux_same_log
	else
		fail qemu_linux_same_log "guestcore log differs or failed: $(diff "$T/log1" "$T/log2" | head -3)"
	fi
	rm -f "$T/linux.core" "$T/linux.elf"
else
	skip qemu_linux "real dump qemu-idle-nokaslr not in GC_DUMP_CACHE"
fi

if [ "${GC_QEMU_BIG:-0}" = 1 ]; then
	# RAM above 4 GiB: pc splits at 3 GiB (gigabyte alignment), q35 at 2 GiB
	for m in pc q35; do
		d=$T/big-$m
		if ! msg=$(boot_guest "$d" "$m" 4200M); then fail "qemu_big_boot_$m" "$msg"; continue; fi
		run_gc "qemu_big_${m}_rc" 0 extract-qemu "$d/core" -o "$d/big.elf" --verify --json && pass "qemu_big_${m}_rc"
		echo "$OUT" > "$d/big.json"
		if [ $m = pc ]; then low=0xc0000000; else low=0x80000000; fi
		same "qemu_big_${m}_split" "$(json_field "$d/big.json" ranges.0.size) $(json_field "$d/big.json" ranges.1.gpa)" "$low 0x100000000"
		total=$((4200 * 256))
		out=$($CMP "$d/qemu.elf" "$d/big.elf")
		same "qemu_big_${m}_vs_qemu_dump" "$(counts "$out" same)/$(counts "$out" differ)/$(counts "$out" only_ours)/$(counts "$out" only_ref)" "$total/0/0/64"
		# the payload stamps one page per MiB below the split, and above 4 GiB
		# the page at 4 GiB + 4 KiB and one page per 16 MiB of the first GiB
		st=$(counts "$out" stamped); sh=$(counts "$out" stamped_hi)
		if [ "$sh" = 65 ] && [ "$st" -ge $(( (low >> 20) - 200 + 65 )) ]; then pass "qemu_big_${m}_stamped"
		else fail "qemu_big_${m}_stamped" "stamped=$st stamped_hi=$sh"; fi
		rm -f "$d/core" "$d/qemu.elf" "$d/big.elf"
	done
fi
