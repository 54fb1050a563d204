#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# QEMU migration streams (virsh dump) and libvirt save images (virsh save):
# small streams from tests/fixtures/mkqevm.c (every record type, damage
# kinds, both byte orders of the libvirt header, compressed variants) and
# the real 256 MiB q35 save image of ../shared/dumps/virsh-q35-256m-nokaslr.
. "$(dirname "$0")/lib.sh"
MK=$(dirname "$GCFIX")/mkqevm
export GUESTCORE_CACHE_DIR=$T/cache
[ -x "$MK" ] || { fail qevm_tool "$MK not built"; exit 0; }

# word I of pc.ram page P (little endian u64), as rd prints it
word() { printf '%016x' $(( ($1 << 16) | $2 )); }

# rdcheck NAME FILE ADDR EXPECTED_WORD
rdcheck() {
	run_gc "$1" 0 rd "$2" "$3" 1 || return
	case "$OUT" in
	*"$4"*) pass "$1" ;;
	*) fail "$1" "rd $3 gave '$OUT', expected $4" ;;
	esac
}

# ---- a clean stream and save image ------------------------------------------
"$MK" "$T/a.qevm" >/dev/null
expect_out qevm_info 0 "format:        QEMU migration stream" info "$T/a.qevm"
expect_out qevm_info_machine 0 "machine_type: pc-q35-7.2" info "$T/a.qevm"
expect_out qevm_info_block 0 "ram_block: pc.ram: 0x200000 bytes at 0x0-0x1fffff" info "$T/a.qevm"
expect_out qevm_info_bios 0 "pc.bios: 0x10000 bytes at 0xffff0000-0xffffffff" info "$T/a.qevm"
expect_out qevm_info_unplaced 0 "/rom@etc/acpi/tables: 0x2000 bytes (not placed" info "$T/a.qevm"
expect_out qevm_check_clean 0 "result: clean" check "$T/a.qevm"
rdcheck qevm_rd_page "$T/a.qevm" 0x9018 "$(word 9 3)"
rdcheck qevm_rd_end_section "$T/a.qevm" 0x1ff008 "$(word 0x1ff 1)"
rdcheck qevm_rd_zero "$T/a.qevm" 0x3000 0000000000000000
rdcheck qevm_rd_fill "$T/a.qevm" 0x4008 abababababababab
rdcheck qevm_rd_bios "$T/a.qevm" 0xffff1010 "$(printf '%016x' $(( (1 << 56) | (1 << 16) | 2 )))"
expect_out qevm_regs_rip 0 "RIP: ffffffff81000010" regs "$T/a.qevm"
expect_out qevm_regs_rsp 0 "RSP: 0000000000002004" regs "$T/a.qevm"
expect_out qevm_regs_gs 0 "GS_BASE: ffff888000100000" regs "$T/a.qevm"
expect_out qevm_regs_kgs 0 "GS_BASE_KERNEL: 0000000000000056" regs "$T/a.qevm"
expect_out qevm_regs_cr3 0 "CR3: 0000000000004000" regs "$T/a.qevm"
expect_out qevm_regs_source 0 "cpu section (fields by the VM description)" regs "$T/a.qevm"
run_gc qevm_read 0 read "$T/a.qevm" 0x9018 8 -o "$T/w" &&
	same qevm_read "$(od -An -tx8 "$T/w" | tr -d ' ')" "$(word 9 3)"

for v in "" "--be"; do
	n=qevm_save${v:+_be}
	order=little; [ -n "$v" ] && order=big
	"$MK" "$T/s.img" --save $v >/dev/null
	expect_out "${n}_format" 0 "format:        libvirt save image" info "$T/s.img"
	expect_out "${n}_order" 0 "libvirt_byte_order: $order-endian" info "$T/s.img"
	expect_out "${n}_xml" 0 "<name>fixture</name>" info "$T/s.img"
	expect_out "${n}_check" 0 "result: clean" check "$T/s.img"
	rdcheck "${n}_rd" "$T/s.img" 0x9018 "$(word 9 3)"
done
"$MK" "$T/v1.img" --save --lv-version 1 >/dev/null
expect_out qevm_save_v1 0 "libvirt_version: 1" info "$T/v1.img"
rdcheck qevm_save_v1_rd "$T/v1.img" 0x9018 "$(word 9 3)"
printf '\003' | dd of="$T/v1.img" bs=1 seek=16 conv=notrunc status=none
expect_err qevm_save_badversion 2 "guestcore: $T/v1.img: libvirt save header at offset 0x10: version 0x00000003 in either byte order (1 or 2 expected)" info "$T/v1.img"
# inside a container these readers do not unwrap (they index the file):
# refused by name, not misread at a raw offset
"$MK" "$T/fl.img" --save >/dev/null
"$MK" "$T/fl.qevm" >/dev/null
MKV=$(dirname "$GCFIX")/mkvmcore
"$MKV" flatten "$T/fl.img" "$T/fl.img.flat"
"$MKV" flatten "$T/fl.qevm" "$T/fl.qevm.flat"
expect_err qevm_save_flattened 2 "guestcore: $T/fl.img.flat: libvirt save image at offset 0x0: a libvirt save image is read only from a plain file, not from a flattened one (makedumpfile -F): reassemble it first with makedumpfile -R" info "$T/fl.img.flat"
expect_err qevm_stream_flattened 2 "guestcore: $T/fl.qevm.flat: QEMU migration stream at offset 0x0: a QEMU migration stream is read only from a plain file, not from a flattened one (makedumpfile -F): reassemble it first with makedumpfile -R" info "$T/fl.qevm.flat"
# a header naming gzip over a raw stream: the message shows the stream's
# first bytes ("QEVM"), not an uninitialised buffer's
printf '\001' | dd of="$T/fl.img" bs=1 seek=28 conv=notrunc status=none
run_gc qevm_save_codec_mismatch 2 info "$T/fl.img" &&
case "$ERR" in
*"the header says gzip, the data starts 51 45 56 4d (no known magic)") pass qevm_save_codec_mismatch ;;
*) fail qevm_save_codec_mismatch "$ERR" ;;
esac
"$MK" "$T/p.img" --save --partial >/dev/null
expect_out qevm_partial 1 "libvirt had not finished writing this save image" check "$T/p.img"

# ---- without the JSON description, without footers, version 2 ------------------
"$MK" "$T/n.qevm" --no-vmdesc >/dev/null
expect_out qevm_novmdesc_regs 0 "cpu section (version 12 layout)" regs "$T/n.qevm"
expect_out qevm_novmdesc_rip 0 "RIP: ffffffff81000010" regs "$T/n.qevm"
expect_out qevm_novmdesc_note 0 "device sections delimited by searching for their footer" check "$T/n.qevm"
"$MK" "$T/n11.qevm" --no-vmdesc --cpu-version 11 >/dev/null
expect_out qevm_cpu_v11 1 "version 11 without a VM description: the register layout is known for version 12 only" check "$T/n11.qevm"
"$MK" "$T/nf.qevm" --no-vmdesc --no-footer >/dev/null
# what old machine types write (a real pc-i440fx-2.0 save image): the
# device sections cannot be delimited, which is not damage (check was an
# error on those real files); the cpu sections are found by their headers
expect_out qevm_nofooter 0 "device sections from file offset 0x1c918c on are not delimited (no section footers and no VM description: what old machine types write)" check "$T/nf.qevm"
expect_out qevm_nofooter_clean 0 "result: clean" check "$T/nf.qevm"
expect_out qevm_nofooter_cpu_search 0 "2 cpu sections found by searching the device state for their headers" check "$T/nf.qevm"
# ... and a stream whose last byte is not QEMU_VM_EOF is cut there
head -c $((0x1c97a4)) "$T/nf.qevm" > "$T/nfx.qevm"
expect_out qevm_nofooter_cut 1 "the stream's last byte is not QEMU_VM_EOF: it is cut in the device state" check "$T/nfx.qevm"
expect_out qevm_nofooter_regs 0 "RIP: ffffffff81000010" regs "$T/nf.qevm"
expect_out qevm_nofooter_regs_v12 0 "cpu section (version 12 layout)" regs "$T/nf.qevm"
"$MK" "$T/v2.qevm" --version 2 >/dev/null
expect_out qevm_v2 0 "machine_type: (none: version 2 stream)" info "$T/v2.qevm"
rdcheck qevm_v2_rd "$T/v2.qevm" 0x9018 "$(word 9 3)"

# ---- VMCOREINFO through the vmcoreinfo device --------------------------------------
expect_out qevm_vmcoreinfo 0 "VMCOREINFO (76 bytes) from the vmcoreinfo device's note at guest-physical 0x20000" check "$T/a.qevm"
"$MK" "$T/nv.qevm" --no-vmcoreinfo >/dev/null
expect_out qevm_no_vmcoreinfo 0 "no VMCOREINFO from a vmcoreinfo device" check "$T/nv.qevm"

# ---- damage -------------------------------------------------------------------------
"$MK" "$T/d.qevm" --damage dup-page >/dev/null
expect_out qevm_dup_note 0 "1 pages were sent more than once" check "$T/d.qevm"
rdcheck qevm_dup_last_wins "$T/d.qevm" 0x5018 "$(printf '%016x' $(( ~((5 << 16) | 3) )))"
for k in xbzrle compress-page; do
	"$MK" "$T/d.qevm" --damage $k >/dev/null
	expect_out "qevm_${k}_check" 1 "the xbzrle/compress capabilities were on" check "$T/d.qevm"
	expect_out "qevm_${k}_pages" 1 "1 last sent as XBZRLE/compressed" check "$T/d.qevm"
	run_gc "qevm_${k}_rd" 1 rd "$T/d.qevm" 0x6000 1 &&
		case "$ERR" in *"pfn 0x6 is not in the dump"*) pass "qevm_${k}_rd" ;;
		*) fail "qevm_${k}_rd" "$ERR" ;; esac
	rdcheck "qevm_${k}_other_pages" "$T/d.qevm" 0x7000 "$(word 7 0)"
done
"$MK" "$T/d.qevm" --damage bad-block >/dev/null
expect_out qevm_bad_block 1 "RAM record names block 'nosuch.ram', which the MEM_SIZE list does not have" check "$T/d.qevm"
"$MK" "$T/d.qevm" --damage multifd >/dev/null
expect_out qevm_multifd 1 "the multifd capability was on" check "$T/d.qevm"
# mapped-ram (QEMU 9.0+; no QEMU here writes it): announced in the configuration
# section's "configuration/capabilities" subsection, refused there with the
# capability's name and the subsection's offset, bare and in a compressed save image
"$MK" "$T/d.qevm" --capability mapped-ram --offsets > "$T/capoffs"
capoff=$(printf '0x%x' "$(sed -n 's/^capabilities //p' "$T/capoffs")")
for v in bare save-xz; do
	[ $v = save-xz ] && "$MK" "$T/d.qevm" --capability mapped-ram --save --compress xz >/dev/null
	run_gc "qevm_mapped_ram_$v" 2 check "$T/d.qevm" &&
		case "$ERR" in *"offset $capoff: no RAM block list: the mapped-ram capability is on"*) pass "qevm_mapped_ram_$v" ;;
		*"offset 0x$(printf '%x' $((capoff + 0x200))): no RAM block list: the mapped-ram capability is on"*)
			[ $v = save-xz ] && pass "qevm_mapped_ram_$v" || fail "qevm_mapped_ram_$v" "$ERR" ;;
		*) fail "qevm_mapped_ram_$v" "$ERR" ;; esac
done
"$MK" "$T/d.qevm" --damage unknown-type >/dev/null
expect_out qevm_unknown_type 1 "unknown section type 0x42" check "$T/d.qevm"
"$MK" "$T/d.qevm" --damage unknown-device >/dev/null
expect_out qevm_unknown_device 0 "1 device sections delimited by searching for their footer" check "$T/d.qevm"
"$MK" "$T/d.qevm" --damage bad-footer >/dev/null
expect_out qevm_bad_footer 1 "section footer names section 99, the section before it is 5" check "$T/d.qevm"
"$MK" "$T/d.qevm" --damage no-ram-end >/dev/null
expect_out qevm_no_ram_end 1 "274 never sent" check "$T/d.qevm"

# ---- truncation at each level: the offsets named are the mkqevm's ---------------------
off() { sed -n "s/^$1 //p" "$T/offs"; }
"$MK" "$T/full.qevm" --offsets > "$T/offs"
expect_err qevm_cut_magic 2 "guestcore: $T/c.qevm: stream version at offset 0x4: 4 bytes at stream offset 0x4 run past the end of the stream (0x6 bytes)" \
	info "$("$MK" "$T/c.qevm" --cut magic >/dev/null; echo "$T/c.qevm")"
"$MK" "$T/c.qevm" --cut config >/dev/null
run_gc qevm_cut_config 2 info "$T/c.qevm" &&
	case "$ERR" in *"no RAM block list"*"configuration section at offset 0x9"*) pass qevm_cut_config ;;
	*) fail qevm_cut_config "$ERR" ;; esac
"$MK" "$T/c.qevm" --cut blocklist >/dev/null
expect_out qevm_cut_blocklist 1 "RAM block name at offset 0x40" check "$T/c.qevm"
"$MK" "$T/c.qevm" --cut page >/dev/null
expect_out qevm_cut_page 1 "1 cut by the end of the stream" check "$T/c.qevm"
expect_out qevm_cut_page_where 1 "page 0x9 of block 'pc.ram'" check "$T/c.qevm"
rdcheck qevm_cut_page_before "$T/c.qevm" 0x8000 "$(word 8 0)"
run_gc qevm_cut_page_rd 1 rd "$T/c.qevm" 0x9000 1 &&
	case "$ERR" in *"pfn 0x9 is listed but its data lies past the end"*) pass qevm_cut_page_rd ;;
	*) fail qevm_cut_page_rd "$ERR" ;; esac
"$MK" "$T/c.qevm" --cut cpu >/dev/null
expect_out qevm_cut_cpu 1 "no footer for section 7" check "$T/c.qevm"
expect_out qevm_cut_cpu_vcpu0 0 "RIP: ffffffff81000000" regs "$T/c.qevm"
"$MK" "$T/c.qevm" --cut eof >/dev/null
expect_out qevm_cut_eof 1 "the stream does not reach QEMU_VM_EOF" check "$T/c.qevm"
"$MK" "$T/c.qevm" --cut vmdesc >/dev/null
expect_out qevm_cut_vmdesc 0 "no JSON VM description" check "$T/c.qevm"
expect_out qevm_cut_vmdesc_regs 0 "cpu section (version 12 layout)" regs "$T/c.qevm"

# ---- RAM above the PCI hole (sparse streams: only a few pages sent) -------------------
"$MK" "$T/big.qevm" --sparse --ram 0xc0000000 >/dev/null
expect_out qevm_q35_split 0 "pc.ram: 0xc0000000 bytes at 0x0-0x7fffffff, 0x100000000-0x13fffffff" info "$T/big.qevm"
rdcheck qevm_q35_below "$T/big.qevm" 0x7ffff000 "$(word 0x7ffff 0)"
rdcheck qevm_q35_above "$T/big.qevm" 0x100000000 "$(word 0x80000 0)"
rdcheck qevm_q35_last "$T/big.qevm" 0x13ffff000 "$(word 0xbffff 0)"
"$MK" "$T/big.qevm" --sparse --ram 0x100000000 --machine pc-i440fx-7.2 >/dev/null
expect_out qevm_pc_split 0 "pc.ram: 0x100000000 bytes at 0x0-0xbfffffff, 0x100000000-0x13fffffff" info "$T/big.qevm"
rdcheck qevm_pc_below "$T/big.qevm" 0xbffff000 "$(word 0xbffff 0)"
rdcheck qevm_pc_above "$T/big.qevm" 0x100001000 "$(word 0xc0001 0)"
"$MK" "$T/big.qevm" --sparse --ram 0xd0000000 --machine pc-i440fx-7.2 >/dev/null
expect_out qevm_pc_below_e0 0 "pc.ram: 0xd0000000 bytes at 0x0-0xcfffffff" info "$T/big.qevm"
# no configuration section (old machine types, e.g. pc-i440fx-2.0 on QEMU 7.2): a save image takes the
# machine type from its domain XML (pc-i440fx-1.7 keeps 3.5 GiB below 4 GiB;
# pc-i440fx-2.0 splits at 3 GiB, as a real QEMU 7.2 guest showed); a bare
# stream is placed by the current pc rule and says it guessed
"$MK" "$T/big.img" --save --no-config --sparse --ram 0x100000000 --machine pc-i440fx-1.7 >/dev/null
expect_out qevm_noconfig_xml_machine 0 "machine_type: pc-i440fx-1.7 (from the libvirt domain XML" info "$T/big.img"
expect_out qevm_noconfig_xml_split 0 "pc.ram: 0x100000000 bytes at 0x0-0xdfffffff, 0x100000000-0x11fffffff" info "$T/big.img"
rdcheck qevm_noconfig_xml_below "$T/big.img" 0xdffff000 "$(word 0xdffff 0)"
rdcheck qevm_noconfig_xml_above "$T/big.img" 0x100001000 "$(word 0xe0001 0)"
"$MK" "$T/big.img" --save --no-config --sparse --ram 0xf0000000 --machine pc-i440fx-2.0 >/dev/null
expect_out qevm_noconfig_xml_pc20 0 "pc.ram: 0xf0000000 bytes at 0x0-0xbfffffff, 0x100000000-0x12fffffff" info "$T/big.img"
"$MK" "$T/big.img" --save --no-config --sparse --ram 0xc0000000 --machine pc-q35-2.9 --compress gzip >/dev/null
expect_out qevm_noconfig_xml_q35_gz 0 "pc.ram: 0xc0000000 bytes at 0x0-0x7fffffff, 0x100000000-0x13fffffff" info "$T/big.img"
"$MK" "$T/big.qevm" --no-config --sparse --ram 0x100000000 --machine pc-i440fx-1.7 >/dev/null
expect_out qevm_noconfig_bare 0 "machine_type: (none: no configuration section" info "$T/big.qevm"
expect_out qevm_noconfig_bare_warns 1 "the stream names no machine type: pc.ram (0x100000000 bytes) is placed by the rule of pc machines since pc-i440fx-2.0" check "$T/big.qevm"
"$MK" "$T/small.qevm" --no-config >/dev/null
run_gc qevm_noconfig_small_no_warning 0 check "$T/small.qevm" &&
	case "$OUT" in *"names no machine type"*) fail qevm_noconfig_small_no_warning "$OUT" ;;
	*) pass qevm_noconfig_small_no_warning ;; esac

# ---- compressed: whole stream (virsh dump) and after the libvirt header (virsh save) --
for c in gzip bzip2 xz lzop zstd; do
	"$MK" "$T/z.qevm" --compress $c >/dev/null
	expect_out "qevm_${c}_dump" 0 "result: clean" check "$T/z.qevm"
	rdcheck "qevm_${c}_dump_rd" "$T/z.qevm" 0x9018 "$(word 9 3)"
	"$MK" "$T/z.img" --save --compress $c >/dev/null
	expect_out "qevm_${c}_save" 0 "libvirt_compressed: " info "$T/z.img"
	rdcheck "qevm_${c}_save_rd" "$T/z.img" 0x1ff008 "$(word 0x1ff 1)"
	expect_out "qevm_${c}_save_regs" 0 "RIP: ffffffff81000010" regs "$T/z.img"
done
"$MK" "$T/zc.qevm" --compress gzip --cut page >/dev/null
expect_out qevm_gzip_cut 1 "1 cut by the end of the stream" check "$T/zc.qevm"
head -c 20000 "$T/z.img" > "$T/zt.img"
expect_out qevm_zstd_truncated_file 1 "the zstd stream stops at file offset 0x4e20 after" check "$T/zt.img"
# cut before 4 bytes decode: not "decompress it first", which would
# not help, but what is known
zstd -q -c "$T/a.qevm" | head -c 100 > "$T/zt0.img"
expect_err qevm_zstd_cut_before_output 2 "guestcore: $T/zt0.img: file header at offset 0x64: this is a zstd-compressed file cut short: only 0 bytes decode before its end (the zstd stream ends inside a frame (truncated)), too few to tell what it holds" \
	info "$T/zt0.img"
printf 'not a dump\n' | zstd -q > "$T/text.zst"
expect_err qevm_zstd_other 2 "guestcore: $T/text.zst: file header at offset 0x0: this is a zstd-compressed file: decompress it first (zstd -d --long=31)" info "$T/text.zst"
expect_out qevm_zstd_truncated_why 1 "the zstd stream ends inside a frame (truncated)" check "$T/zt.img"
# the decompressed cache: made once, reused, remade when the file changes
"$MK" "$T/zr.qevm" --compress xz >/dev/null
expect_out qevm_cache_made 0 "decompressed_cache: $GUESTCORE_CACHE_DIR/qevm-" info "$T/zr.qevm"
expect_out qevm_cache_reused 0 ".raw (reused)" info "$T/zr.qevm"
touch -d '2001-01-01' "$T/zr.qevm"
run_gc qevm_cache_stale 0 info "$T/zr.qevm" &&
	case "$OUT" in *"(reused)"*) fail qevm_cache_stale "a changed file reused its cache" ;;
	*) pass qevm_cache_stale ;; esac
GUESTCORE_CACHE_DIR=/proc/nonexistent expect_out qevm_cache_none 0 "(a temporary file: no writable cache directory)" info "$T/zr.qevm"

# ---- convert: an ELF vmcore with the stream's registers and VMCOREINFO ------------------
run_gc qevm_convert 0 convert "$T/a.qevm" -o "$T/a.elf" && pass qevm_convert
expect_out qevm_convert_regs 0 "RIP: ffffffff81000010" regs "$T/a.elf"
expect_out qevm_convert_vmcoreinfo 0 "VMCOREINFO" info "$T/a.elf"
rdcheck qevm_convert_rd "$T/a.elf" 0x9018 "$(word 9 3)"
run_gc qevm_convert_clean_json 0 convert "$T/a.qevm" -o "$T/a.elf" --force --json &&
	case "$OUT" in *'"source_problems": 0,'*'"source_first_problem": null'*) pass qevm_convert_clean_json ;;
	*) fail qevm_convert_clean_json "$OUT" ;; esac
# a cut stream converts as far as it goes, but not as a clean answer: the
# problems `check` finds are counted and the first is named (exit 1)
"$MK" "$T/c.qevm" --cut page >/dev/null
expect_out qevm_convert_cut 1 "source problems: 4 (\`guestcore check $T/c.qevm\` lists them); the first: the stream could not be read past" \
	convert "$T/c.qevm" -o "$T/c.elf"
run_gc qevm_convert_cut_json 1 convert "$T/c.qevm" -o "$T/c.elf" --force --json &&
	case "$OUT" in *'"source_problems": 4,'*'"code": "stream-stopped"'*) pass qevm_convert_cut_json ;;
	*) fail qevm_convert_cut_json "$OUT" ;; esac

# ---- the real virsh save image (libvirt 9.0, QEMU 7.2, q35 256 MiB) ----------------------
R=${GC_DUMP_CACHE:+$GC_DUMP_CACHE/virsh-q35-256m-nokaslr}
if [ -n "$R" ] && [ -f "$R/virsh-save.raw.img" ]; then
	S=$R/virsh-save.raw.img
	expect_out real_save_check 0 "result: clean" check "$S"
	expect_out real_save_stream 0 "stream_offset: 67512 (0x107b8)" info "$S"
	expect_out real_save_regs 0 "RIP: ffffffff81a592eb" regs "$S"
	expect_out real_save_log 0 "Linux version 6.1.0-56-amd64" log "$S"
	expect_out real_save_sym 0 "ffffffff82a1aa40" sym "$S" init_task
	run_gc real_save_convert 0 convert "$S" -o "$T/real.elf" && pass real_save_convert
	expect_out real_convert_regs 0 "RIP: ffffffff81a592eb" regs "$T/real.elf"
	# the same image cut at 40 MB: the RAM it holds converts, without
	# registers (the cpu sections come after RAM), and convert says so
	head -c 40000000 "$S" > "$T/realcut.img"
	expect_out real_cut_convert 1 "source problems: 4 (" convert "$T/realcut.img" -o "$T/real.elf" --force
	expect_out real_cut_convert_first 1 "the first: the stream could not be read past file offset 0x" convert "$T/realcut.img" -o "$T/real.elf" --force
	expect_out real_cut_convert_vcpus 1 "vcpus: 0, VMCOREINFO" convert "$T/realcut.img" -o "$T/real.elf" --force
	rm -f "$T/real.elf" "$T/realcut.img"
else
	skip real_save "virsh-q35-256m-nokaslr not in the dump cache"
fi
