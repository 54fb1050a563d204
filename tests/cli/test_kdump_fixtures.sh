# Generated ELF vmcores and kdump-compressed files (tests/fixtures/mkvmcore.c)
# for what the real dumps lack: every codec, every header_version, 32-bit
# layouts, flattened, split, excluded and zero pages, PN_XNUM, overlapping
# segments, and damaged files with their exact messages.
. "$(dirname "$0")/lib.sh"
MK="$(dirname "$GC")/mkvmcore"
[ -x "$MK" ] || { fail "mkvmcore" "$MK not built"; exit 0; }
SEEDS="$(cd "$(dirname "$0")/../fuzz/seeds" && pwd)"
cd "$T" || exit 1

# word 1 of pfn 3 is 0x0000000300000001 (mkvmcore's pattern)
RD3="            3008:  0000000300000001 0000000300000002   ................"

for codec in raw zlib lzo snappy zstd; do
	"$MK" kdump k-$codec --codec $codec --zero 5,7 --exclude 10-12
	expect_out "kdump-$codec-info" 0 "format:        kdump-compressed" info k-$codec
	expect_out "kdump-$codec-deep" 0 "all 61 dumped pages decode to 4096 bytes" check --deep k-$codec
	same "kdump-$codec-rd" "$("$GC" rd k-$codec -p 3008 2)" "$RD3"
	same "kdump-$codec-zero-page" "$("$GC" read k-$codec -p 0x5000 4096 | tr -d '\0' | wc -c)" "0"
	expect_err "kdump-$codec-excluded" 2 \
		"guestcore: k-$codec: read at physical address 0xa000: pfn 0xa was excluded when the dump was made" \
		read k-$codec -p 0xa000 8
	expect_err "kdump-$codec-absent" 2 \
		"guestcore: k-$codec: read at physical address 0x50000: pfn 0x50 is not in the dump" \
		read k-$codec -p 0x50000 8
done
# zero pages compressed one by one (makedumpfile -d0): read in one process,
# zero, 0x01-filled, zero, filled, so a decoder that remembered the zero
# page's stored bytes must still tell the filled page (whose stored bytes
# differ) from it; then check --deep decodes all of them
Z4K="$(head -c 4096 /dev/zero | sha256sum)"
F4K="$(head -c 4096 /dev/zero | tr '\0' '\1' | sha256sum)"
for codec in zlib lzo snappy zstd; do
	"$MK" kdump kz-$codec --codec $codec --czero 3,5,20-23 --fill 4,6
	"$GC" read kz-$codec -p 0x3000 0x4000 > kz-$codec.bin
	same "kdump-$codec-czero-fill-order" \
		"$(for p in 0 1 2 3; do dd if=kz-$codec.bin bs=4096 skip=$p count=1 2>/dev/null | sha256sum; done)" \
		"$(printf '%s\n%s\n%s\n%s' "$Z4K" "$F4K" "$Z4K" "$F4K")"
	same "kdump-$codec-czero-run" "$("$GC" read kz-$codec -p 0x14000 0x4000 | tr -d '\0' | wc -c)" "0"
	same "kdump-$codec-czero-neighbour" "$("$GC" rd kz-$codec -p 7008 2)" \
		"            7008:  0000000700000001 0000000700000002   ................"
	expect_out "kdump-$codec-czero-deep" 0 "all 64 dumped pages decode" check --deep kz-$codec
done

# codec failures, with exact messages: data cut short, data that decodes to
# two pages, data that decodes to half a page (pfn 2 each time)
damage_msg() {  # codec damage -> the expected message's tail
	case "$1:$2" in
	zlib:truncated-data) echo "offset 0x5c5e: zlib data (410 bytes) does not decompress: corrupt or truncated data" ;;
	zlib:long-data) echo "offset 0x5c5e: zlib data (31 bytes) does not decompress: more than one page of output" ;;
	lzo:truncated-data) echo "offset 0x622a: lzo1x data (779 bytes) does not decompress: truncated data (lzo error -4)" ;;
	lzo:long-data) echo "offset 0x622a: lzo1x data (60 bytes) does not decompress: more than one page of output (lzo error -5)" ;;
	snappy:truncated-data) echo "offset 0x6618: snappy data (1032 bytes) does not decompress: corrupt data" ;;
	snappy:long-data) echo "offset 0x6618: snappy data (388 bytes) does not decompress: more than one page of output" ;;
	zstd:truncated-data) echo "offset 0x5b33: zstd frame (285 bytes) does not decompress: Src size is incorrect" ;;
	zstd:long-data) echo "offset 0x5b33: zstd frame (19 bytes) does not decompress: Destination buffer is too small" ;;
	zlib:short-data) echo "offset 0x5c5e: decompressed to 2048 bytes, not the page size 4096" ;;
	lzo:short-data) echo "offset 0x622a: decompressed to 2048 bytes, not the page size 4096" ;;
	snappy:short-data) echo "offset 0x6618: decompressed to 2048 bytes, not the page size 4096" ;;
	zstd:short-data) echo "offset 0x5b33: decompressed to 2048 bytes, not the page size 4096" ;;
	esac
}
for codec in zlib lzo snappy zstd; do
	for dm in truncated-data long-data short-data; do
		"$MK" kdump kd-$codec-$dm --codec $codec --damage $dm
		expect_err "damage-$codec-$dm" 2 \
			"guestcore: kd-$codec-$dm: reading pfn 0x2: page data at $(damage_msg $codec $dm)" \
			read kd-$codec-$dm -p 0x2000 8
	done
	expect_out "damage-$codec-long-data-deep" 1 "1 of 64 pages fail to decode; the first is pfn 0x2" check --deep kd-$codec-long-data
	same "damage-$codec-others-fine" "$("$GC" rd kd-$codec-long-data -p 3008 2)" "$RD3"
done

expect_out "kdump-snappy-descriptor-codecs" 0 "(raw 2, zlib 0, lzo 0, snappy 59, zstd 0)" check k-snappy
expect_out "kdump-zstd-descriptor-codecs" 0 "(raw 2, zlib 0, lzo 0, snappy 0, zstd 59)" check k-zstd
expect_out "kdump-excluded-count" 0 "3 excluded by dump_level 31" check k-zlib

# every header_version: fields, vmcoreinfo and notes only when valid
for v in 1 2 3 4 5 6; do
	"$MK" kdump kv$v --version $v --codec lzo --eraseinfo
	same "kdump-v$v-rd" "$("$GC" rd kv$v -p 3008 2)" "$RD3"
	run_gc "kdump-v$v-info" 0 info kv$v || continue
	has() { echo "$OUT" | grep -q "^ *$1:"; }
	want_split=$([ $v -ge 2 ] && echo y || echo n)
	want_vmci=$([ $v -ge 3 ] && echo y || echo n)
	want_note=$([ $v -ge 4 ] && echo y || echo n)
	want_erase=$([ $v -ge 5 ] && echo y || echo n)
	same "kdump-v$v-split-field" "$(has start_pfn && echo y || echo n)" "$want_split"
	same "kdump-v$v-vmcoreinfo" "$(has 'vmcoreinfo OSRELEASE' && echo y || echo n)" "$want_vmci"
	same "kdump-v$v-notes" "$(echo "$OUT" | sed -n 's/^vcpus: *//p')" "$([ $want_note = y ] && echo 2 || echo 0)"
	same "kdump-v$v-eraseinfo" "$(has eraseinfo && echo y || echo n)" "$want_erase"
done
expect_out "kdump-v5-eraseinfo-text" 0 "eraseinfo: erase modules:mod_x foo" info kv5
# makedumpfile --config poisons what it erases with 'X': check warns
# (exit 1), and convert carries the eraseinfo into both output formats
# (ELF: an ERASEINFO note, as makedumpfile -E writes; kdump: the section)
ERASED="makedumpfile --config poisoned kernel data with 'X' (0x58) before writing this dump: 1 erase command (the first: 'erase modules:mod_x foo')"
expect_out "kdump-erased-check" 1 "$ERASED" check kv5
expect_out "kdump-erased-convert" 1 "source problems: 1" convert kv5 -o kv5.elf
expect_out "kdump-erased-elf-check" 1 "$ERASED" check kv5.elf
expect_out "kdump-erased-elf-field" 0 "eraseinfo: erase modules:mod_x foo" info kv5.elf
grep -aq "eraseinfo=carried over" kv5.elf && pass kdump-erased-provenance ||
	fail kdump-erased-provenance "no eraseinfo line in the GUESTCORE note"
run_gc "kdump-erased-kdump" 1 convert kv5 -o kv5b.kdump --format kdump && pass kdump-erased-kdump
expect_out "kdump-erased-kdump-field" 0 "eraseinfo: erase modules:mod_x foo" info kv5b.kdump
expect_out "kdump-erased-kdump-check" 1 "$ERASED" check kv5b.kdump
run_gc "kdump-erased-back" 1 convert kv5.elf -o kv5c.kdump --format kdump && pass kdump-erased-back
expect_out "kdump-erased-back-check" 1 "$ERASED" check kv5c.kdump
rm -f kv5.elf kv5b.kdump kv5c.kdump
expect_out "kdump-v6-max_mapnr_64" 0 "max_mapnr: 128 (max_mapnr_64)" info kv6
expect_out "kdump-v5-max_mapnr" 0 "max_mapnr: 128" info kv5
expect_err "kdump-v3-no-regs-vmcoreinfo" 1 "" regs kv3

# registers from the kdump notes (NT_PRSTATUS + QEMU), cr3 masked for pgd
run_gc "kdump-regs-json" 0 regs --json kv6 &&
same "kdump-regs-cpu1" "$(echo "$OUT" | python3 -c 'import json,sys; v=json.load(sys.stdin)["vcpus"][1]; r=v["regs"]; print(r["rip"], r["rsp"], r["rax"], r["cr3"], v["pgd"], v["pgd_space"])')" \
	"0xffffffff81000010 0xffffc90000001000 0x1111000000000001 0xb801 0xb000 physical"

# 32-bit producer layout
"$MK" kdump k32 --32 --codec zlib
expect_out "kdump-32bit-layout" 0 "layout: 32-bit producer, little endian" info k32
same "kdump-32bit-rd" "$("$GC" rd k32 -p 3008 2)" "$RD3"
expect_out "kdump-32bit-regs" 0 "vcpu 1: NT_PRSTATUS + QEMU CPU state, x86_32" regs k32
expect_out "kdump-32bit-eip" 0 "RIP: 00000000c1000010" regs k32

# flattened: records of 1000 bytes (pages straddle them), a junk record
# overwritten later, the header record last
for codec in zlib zstd raw; do
	"$MK" kdump kf-$codec --flat --codec $codec
	expect_out "flat-$codec-format" 0 "format:        kdump-compressed (flattened)" info kf-$codec
	expect_out "flat-$codec-deep" 0 "all 64 dumped pages decode" check --deep kf-$codec
	same "flat-$codec-rd" "$("$GC" rd kf-$codec -p 3008 2)" "$RD3"
	"$MK" kdump kp-$codec --codec $codec
	same "flat-$codec-equals-plain" "$("$GC" read kf-$codec -p 0 0x40000 | sha256sum)" \
		"$("$GC" read kp-$codec -p 0 0x40000 | sha256sum)"
done
expect_out "flat-overlap-note" 0 "flattened records overwrite earlier ones (later records win)" check kf-zlib
head -c 20000 kf-zlib > kf-trunc
expect_err "flat-truncated-header-record-lost" 2 \
	"guestcore: kf-trunc: disk_dump_header at offset 0x0: no flattened record holds logical offset 0x0 (kf-trunc)" info kf-trunc

# split: three files, each a pfn range; also flattened parts
"$MK" kdump ks --split 3 --codec lzo
expect_out "split-info" 0 "split_file: ks.1: pfn 0x2b-0x56 (21 pages)" info ks --split ks.1 --split ks.2
expect_out "split-deep" 0 "result: clean" check --deep ks --split ks.1 --split ks.2
same "split-rd-part2" "$("$GC" rd ks --split ks.1 --split ks.2 -p 3f008 1)" \
	"           3f008:  0000003f00000001                    ....?..."
same "split-order-free" "$("$GC" read ks.2 --split ks --split ks.1 -p 0 0x40000 | sha256sum)" \
	"$("$GC" read kp-zlib -p 0 0x40000 | sha256sum)"
# a part not given: its dumped pages are neither "not in the dump" nor a
# clean check
expect_err "split-part-missing" 2 \
	"guestcore: ks: split part: pfn 0x3f was dumped into a part that was not given (--split FILE)" \
	read ks -p 0x3f000 8
expect_out "split-part-missing-check" 1 \
	"ks is one part of a split dump, and the parts given do not hold 21 dumped pages in 1 pfn range (the first: pfn 0x2b-0x55); give every part with --split FILE" \
	check ks --split ks.2
expect_err "split-excluded-still-excluded" 2 \
	"guestcore: ks: read at physical address 0x7f000: pfn 0x7f is not in the dump" \
	read ks -p 0x7f000 8
"$MK" kdump ksf --split 2 --flat --codec snappy
expect_out "split-flat-deep" 0 "result: clean" check --deep ksf --split ksf.1
expect_err "split-needs-file" 2 "guestcore: info: option '--split' needs a value" info ks --split

# damage, with exact messages
"$MK" kdump d1 --codec zstd --damage desc-past-eof
expect_out "damage-desc-past-eof" 1 \
	"d1: bitmap 2 marks 64 pages dumped but only 32 page descriptors fit before the end of the dump (size 0x430a); 32 pages read as truncated" check d1
expect_err "damage-desc-past-eof-read" 2 \
	"guestcore: d1: read at physical address 0x3f000: pfn 0x3f is listed but its data lies past the end of the (truncated) file" \
	read d1 -p 0x3f000 8
"$MK" kdump d2 --codec zstd --damage bad-csize
expect_err "damage-bad-csize" 2 \
	"guestcore: d2: page descriptor at offset 0x4030: pfn 0x2: stored size 4196 is impossible for a 4096-byte block (compressed)" \
	read d2 -p 0x2000 8
expect_out "damage-bad-csize-check" 1 "1 of 64 page descriptors are bad; the first: descriptor 2 (offset 0x5b33, size 4196, flags 0x20): impossible stored size" check d2
"$MK" kdump d3 --codec zstd --damage corrupt-zstd
expect_err "damage-corrupt-zstd" 2 \
	"guestcore: d3: reading pfn 0x2: page data at offset 0x5b33: zstd frame (571 bytes) does not decompress: Unknown frame descriptor" \
	read d3 -p 0x2000 8
expect_out "damage-corrupt-zstd-shallow-clean" 0 "result: clean" check d3
expect_out "damage-corrupt-zstd-deep" 1 "1 of 64 pages fail to decode; the first is pfn 0x2" check --deep d3
same "damage-corrupt-zstd-others-fine" "$("$GC" rd d3 -p 3008 2)" "$RD3"
"$MK" kdump d4 --zero 5 --damage no-desc
expect_out "damage-no-desc" 1 \
	"d4: bitmap 2 marks 65 pages dumped, so the descriptor array would end at 0x4618, but page data starts at 0x4600 (room for 64 descriptors): bitmap and descriptors disagree" check d4
expect_err "damage-no-desc-read" 2 \
	"guestcore: d4: page descriptor at offset 0x4600: pfn 0x7f: stored size 0 is impossible for a 4096-byte block (raw)" \
	read d4 -p 0x7f000 8
# bitmap 2 marks pages dumped at or past max_mapnr: said, not silently
# absent
for v in 5 6; do
	"$MK" kdump km$v --pages 0-7 --damage past-mapnr --version $v
	expect_out "damage-past-mapnr-v$v" 1 \
		"km$v: bitmap 2 marks 4 pages dumped at or past max_mapnr 0x4; they are not read [offset 0x3000]" check km$v
done
# two descriptors naming the stored bytes of pfn 1 with half the length
# (pfn 2) or another codec (pfn 3): read after pfn 1, whose page the
# decoded-page cache then holds, each must still fail as it does alone
"$MK" kdump d6 --codec zlib --pages 0-7 --damage shared-data
same "damage-shared-data-pfn1" "$("$GC" rd d6 -p 1008 2)" \
	"            1008:  0000000100000001 0000000100000002   ................"
if run_gc "damage-shared-data-after-pfn1" 2 read d6 -p 0x1000 0x2000; then
	case "$ERR" in
	*"reading pfn 0x2: page data at offset "*"zlib data ("*" bytes) does not decompress"*)
		pass "damage-shared-data-after-pfn1" ;;
	*) fail "damage-shared-data-after-pfn1" "stderr: $ERR" ;;
	esac
fi
expect_rc "damage-shared-data-pfn3-alone" 2 read d6 -p 0x3000 8
expect_out "damage-shared-data-deep" 1 "2 of 8 pages fail to decode; the first is pfn 0x2" \
	check --deep d6
printf 'KDUMP   \006\0\0\0' > d5
expect_err "damage-short-header" 2 \
	"guestcore: d5: disk_dump_header at offset 0x0: the dump is 12 bytes, shorter than its header" info d5

# ELF: 64 and 32 bit, QEMU notes, overlap, memsz tail, PN_XNUM, note overrun
"$MK" elf e64 --qemu --overlap --memsz-tail 2
expect_out "elf64-format" 0 "format:        ELF vmcore" info e64
same "elf64-rd" "$("$GC" rd e64 -p 3008 2)" "$RD3"
same "elf64-overlap-ram-wins" "$("$GC" rd e64 -p 0 1)" \
	"               0:  0000000000000000                    ........"
expect_out "elf64-overlap-note" 0 "1 PT_LOAD segment overlaps another in physical addresses" check e64
expect_err "elf64-memsz-tail" 2 \
	"guestcore: e64: read at physical address 0x40000: pfn 0x40 was excluded when the dump was made" \
	read e64 -p 0x40000 8
expect_err "elf64-past-tail" 2 \
	"guestcore: e64: read at physical address 0x42000: pfn 0x42 is not in the dump" \
	read e64 -p 0x42000 8
same "elf64-missing-zero" "$("$GC" read e64 -p 0x40000 8 --missing=zero | od -An -tx1 | tr -d ' \n')" "0000000000000000"
expect_out "elf64-vmcoreinfo" 0 "vmcoreinfo KERNELOFFSET: 1ce00000" info e64
run_gc "elf64-regs" 0 regs --json e64 &&
same "elf64-regs-cpu0" "$(echo "$OUT" | python3 -c 'import json,sys; v=json.load(sys.stdin)["vcpus"][0]; r=v["regs"]; print(v["source"], r["rip"], r["cr3"], r["gs_base_kernel"], v["pgd"])')" \
	"NT_PRSTATUS + QEMU CPU state 0xffffffff81000000 0x6801 0xffff888007a00000 0x6000"
# segment boundaries inside a page: the page is read from the segment its
# first byte is in; its rest comes from the next segment when that one's
# data follow in the file, and it is refused (never zero-filled) when they
# lie elsewhere; also with VMCOREINFO's PAGESIZE making 4 KiB boundaries
# fall inside pages (the checks run with the final page size)
W7F="            7ff0:  00000007000001fe 00000007000001ff   ................"
"$MK" elf eb-joined --boundary joined
same "elf-boundary-joined-rd" "$("$GC" rd eb-joined -p 7ff0 2)" "$W7F"
expect_out "elf-boundary-joined-clean" 0 "result: clean" check eb-joined
"$MK" elf eb-split --boundary split
expect_err "elf-boundary-split-refused" 2 \
	"guestcore: eb-split: PT_LOAD data at offset 0x8000: the page at physical address 0x7000 is split: its first 0x800 bytes are PT_LOAD 1's, the rest PT_LOAD 2's at another file offset (0x9800)" \
	rd eb-split -p 7ff0 2
expect_out "elf-boundary-split-check" 1 \
	"PT_LOAD 1's data end at 0x7800 inside the page at 0x7000, whose rest PT_LOAD 2 holds at another file offset: that page is refused, not read with zeros" \
	check eb-split
expect_out "elf-boundary-split-deep" 1 "1 of 64 pages cannot be read; the first is pfn 0x7" check --deep eb-split
same "elf-boundary-split-neighbour" "$("$GC" rd eb-split -p 8000 1)" \
	"            8000:  0000000800000000                    ........"
for m in joined split; do
	python3 -c 'import sys; b=open(sys.argv[1],"rb").read(); open(sys.argv[2],"wb").write(b.replace(b"PAGESIZE=4096",b"PAGESIZE=8192"))' eb-$m eb8-$m
done
same "elf-boundary-8k-joined-rd" "$("$GC" rd eb8-joined -p 7ff0 2)" "$W7F"
expect_out "elf-boundary-8k-split-check" 1 \
	"PT_LOAD 1's data end at 0x7800 inside the page at 0x6000, whose rest PT_LOAD 2 holds" check eb8-split
expect_rc "elf-boundary-8k-split-refused" 2 rd eb8-split -p 6000 1
"$MK" elf eb-end --boundary end-mid
expect_out "elf-boundary-end-mid-note" 0 \
	"1 PT_LOAD segment ends inside a page no other segment continues; the rest of such a page is not in the dump and reads as zero (the first: PT_LOAD 1, 0x400 bytes from 0x3fc00)" \
	check eb-end
"$MK" elf eb-ov --boundary ram-overlap
expect_out "elf-boundary-ram-overlap" 1 \
	"PT_LOAD 1 and PT_LOAD 2 both hold physical addresses from 0x3e000 (neither is kernel text); reads use PT_LOAD 1, the earlier header" \
	check eb-ov
run_gc "elf-boundary-ram-overlap-no-alias-note" 1 check eb-ov &&
case "$OUT" in *"kernel-text alias"*) fail "elf-boundary-ram-overlap-no-alias-note" "$OUT" ;;
*) pass "elf-boundary-ram-overlap-no-alias-note" ;; esac
# more CPU notes than the table takes: the extra ones are ignored with a
# warning (it was "out of memory", naming no file or offset)
"$MK" elf emany --cpus 65537 --pages 0-3
expect_out "elf-cpu-notes-too-many" 1 \
	"PT_NOTE (program header 0): more than 65536 NT_PRSTATUS notes; this one and any after it are ignored" check emany
expect_out "elf-cpu-notes-too-many-info" 0 "vcpus:         65536" info emany
rm -f emany
"$MK" elf e32 --class 32
expect_out "elf32-class" 0 "elf_class: ELFCLASS32, little endian" info e32
same "elf32-rd" "$("$GC" rd e32 -p 3008 2)" "$RD3"
expect_out "elf32-regs" 0 "vcpu 1: NT_PRSTATUS, x86_32" regs e32
"$MK" elf ex --xnum 70000
expect_out "elf-pn-xnum" 0 "e_phnum: 70000 (PN_XNUM: real count from section header 0)" info ex
same "elf-pn-xnum-rd" "$("$GC" rd ex -p 3008 2)" "$RD3"
"$MK" elf eo --note-overrun
expect_out "elf-note-overrun" 1 \
	"PT_NOTE (program header 0): note 3 (namesz 5, descsz 4096, type 0x1) runs 4092 bytes past the end of the 912-byte area; it and any notes after it are ignored" check eo
expect_out "elf-deep" 0 "all 64 pages read back" check --deep e32
head -c 100000 e32 > et
expect_out "elf-truncated" 1 "runs past the end of the file" check et
expect_err "elf-truncated-read" 2 \
	"guestcore: et: read at physical address 0x3f000: pfn 0x3f is listed but its data lies past the end of the (truncated) file" \
	read et -p 0x3f000 8
# A file guestcore wrote names, in its GUESTCORE note, the registers its
# source did not know (written as 0): they are left out, not shown as 0,
# a cleared CR3 takes the page-table root with it, and names the arch does
# not have (or empty ones) are ignored
"$MK" elf eu --pages 0-3 --qemu --guestcore-note 'producer=guestcore 0.1.0\nvcpu0_unknown_registers=rax,rip,cr3,nonesuch,,rip\nvcpu1_unknown_registers='
run_gc "elf-unknown-regs" 0 regs --json eu &&
same "elf-unknown-regs-json" "$(echo "$OUT" | python3 -c 'import json,sys; c=json.load(sys.stdin)["vcpus"]; print(sorted({"rip","rax","cr3"} & set(c[0]["regs"])), "pgd" in c[0], c[0]["regs"]["rsp"], c[1]["regs"]["rip"], c[1]["regs"]["cr3"], c[1]["pgd"])')" \
	"[] False 0xffffc90000000000 0xffffffff81000010 0xb801 0xb000"
expect_out "elf-unknown-regs-source" 0 \
	"vcpu 0: NT_PRSTATUS + QEMU CPU state, with the registers guestcore's source did not know left out, x86_64" regs eu
case "$OUT" in
*"vcpu 1: NT_PRSTATUS + QEMU CPU state, x86_64"*) pass "elf-unknown-regs-vcpu1" ;;
*) fail "elf-unknown-regs-vcpu1" "$(echo "$OUT" | grep 'vcpu 1')" ;;
esac
rm -f eu
# fuzz_xen_guest: a 938-byte ELF whose segment claims 2^50 frames of data
# past the end of the file; the page-by-page VMCOREINFO search read every
# one of them (for ever): it now gives up after 2^20 unreadable pages
HANG="$SEEDS/fuzz_xen_guest/regress-timeout-vmcoreinfo-scan"
cp "$HANG" hang.elf
out=$(timeout 60 "$GC" log hang.elf 2>&1); rc=$?
case "$rc:$out" in
"2:"*"not found at the start of 1048576 pages of guest memory; the search stopped there, after 1048576 pages that could not be read (of 1548112371908608 the dump lists)"*)
	pass "elf-vmcoreinfo-scan-bounded" ;;
*) fail "elf-vmcoreinfo-scan-bounded" "exit $rc: $out" ;;
esac
