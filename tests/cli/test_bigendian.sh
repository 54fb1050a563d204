# Big-endian fixtures (mkvmcore --big-endian): ELF64, ELF32 and
# kdump-compressed (64- and 32-bit producer layouts, flattened, split)
# with every structure big-endian.  Page contents are the same bytes as
# the little-endian fixtures', so every read is compared with those, and
# notes, registers and the exact errors must come out as for them.
. "$(dirname "$0")/lib.sh"
MK="$(dirname "$GC")/mkvmcore"
[ -x "$MK" ] || { fail "mkvmcore" "$MK not built"; exit 0; }
cd "$T" || exit 1

RD3="            3008:  0000000300000001 0000000300000002   ................"
sha() { "$GC" read "$@" | sha256sum; }

# kdump, every codec: same bytes as the little-endian twin
for codec in raw zlib lzo snappy zstd; do
	"$MK" kdump kb-$codec --codec $codec --zero 5,7 --exclude 10-12 --big-endian
	"$MK" kdump kl-$codec --codec $codec --zero 5,7 --exclude 10-12
	expect_out "be-kdump-$codec-layout" 0 "layout: 64-bit producer, big endian" info kb-$codec
	expect_out "be-kdump-$codec-deep" 0 "all 61 dumped pages decode to 4096 bytes" check --deep kb-$codec
	same "be-kdump-$codec-rd" "$("$GC" rd kb-$codec -p 3008 2)" "$RD3"
	same "be-kdump-$codec-equals-le" "$(sha kb-$codec -p 0 0xa000)" "$(sha kl-$codec -p 0 0xa000)"
	expect_err "be-kdump-$codec-excluded" 2 \
		"guestcore: kb-$codec: read at physical address 0xa000: pfn 0xa was excluded when the dump was made" \
		read kb-$codec -p 0xa000 8
done
expect_out "be-kdump-descriptor-codecs" 0 "(raw 2, zlib 0, lzo 0, snappy 0, zstd 59)" check kb-zstd
expect_out "be-kdump-max_mapnr_64" 0 "max_mapnr: 128 (max_mapnr_64)" info kb-zlib
expect_out "be-kdump-vmcoreinfo" 0 "vmcoreinfo OSRELEASE: 6.1.0-fixture" info kb-zlib
"$MK" kdump kbe --codec zlib --big-endian --eraseinfo
expect_out "be-kdump-eraseinfo" 0 "eraseinfo: erase modules:mod_x foo" info kbe
expect_out "be-kdump-eraseinfo-check" 1 "1 erase command (the first: 'erase modules:mod_x foo')" check kbe
expect_out "be-kdump-notes" 0 "notes: 5 (2 NT_PRSTATUS, 2 QEMU CPU state, 1 VMCOREINFO, 0 Xen crash, 0 other)" info kb-zlib
# registers from big-endian NT_PRSTATUS and QEMU notes: the same values
run_gc "be-kdump-regs-json" 0 regs --json kb-lzo &&
same "be-kdump-regs-cpu1" "$(echo "$OUT" | python3 -c 'import json,sys; v=json.load(sys.stdin)["vcpus"][1]; r=v["regs"]; print(r["rip"], r["rsp"], r["rax"], r["cr3"], v["pgd"], v["pgd_space"])')" \
	"0xffffffff81000010 0xffffc90000001000 0x1111000000000001 0xb801 0xb000 physical"
same "be-kdump-regs-equal-le" "$("$GC" regs kb-lzo)" "$("$GC" regs kl-lzo)"

# every header_version
for v in 1 3 5; do
	"$MK" kdump kbv$v --version $v --codec zlib --big-endian
	same "be-kdump-v$v-rd" "$("$GC" rd kbv$v -p 3008 2)" "$RD3"
done
expect_out "be-kdump-v5-max_mapnr" 0 "max_mapnr: 128" info kbv5

# 32-bit producer layout
"$MK" kdump kb32 --32 --codec zlib --big-endian
expect_out "be-kdump-32bit-layout" 0 "layout: 32-bit producer, big endian" info kb32
same "be-kdump-32bit-rd" "$("$GC" rd kb32 -p 3008 2)" "$RD3"
expect_out "be-kdump-32bit-regs" 0 "vcpu 1: NT_PRSTATUS + QEMU CPU state, x86_32" regs kb32
expect_out "be-kdump-32bit-eip" 0 "RIP: 00000000c1000010" regs kb32

# flattened (the stream headers are big-endian in both byte orders)
"$MK" kdump kbf --flat --codec lzo --big-endian
expect_out "be-flat-format" 0 "format:        kdump-compressed (flattened)" info kbf
expect_out "be-flat-deep" 0 "all 64 dumped pages decode" check --deep kbf
"$MK" kdump klf --flat --codec lzo
same "be-flat-equals-le" "$(sha kbf -p 0 0x40000)" "$(sha klf -p 0 0x40000)"

# split, and a little-endian part mixed in
"$MK" kdump kbs --split 3 --codec snappy --big-endian
expect_out "be-split-deep" 0 "result: clean" check --deep kbs --split kbs.1 --split kbs.2
same "be-split-rd" "$("$GC" rd kbs --split kbs.1 --split kbs.2 -p 3f008 1)" \
	"           3f008:  0000003f00000001                    ....?..."
"$MK" kdump kls --split 3 --codec snappy
expect_err "be-split-mixed-endian" 2 \
	"guestcore: kbs: split file at offset 0x0: kls.1 has block size 4096 (little endian), the first file 4096 (big endian): not parts of one dump" \
	info kbs --split kls.1

# damage, with the same exact messages as little-endian
"$MK" kdump bd1 --codec zstd --damage desc-past-eof --big-endian
expect_out "be-damage-desc-past-eof" 1 \
	"bd1: bitmap 2 marks 64 pages dumped but only 32 page descriptors fit before the end of the dump (size 0x430a); 32 pages read as truncated" check bd1
"$MK" kdump bd2 --codec zstd --damage bad-csize --big-endian
expect_err "be-damage-bad-csize" 2 \
	"guestcore: bd2: page descriptor at offset 0x4030: pfn 0x2: stored size 4196 is impossible for a 4096-byte block (compressed)" \
	read bd2 -p 0x2000 8
"$MK" kdump bd3 --codec zstd --damage corrupt-zstd --big-endian
expect_err "be-damage-corrupt-zstd" 2 \
	"guestcore: bd3: reading pfn 0x2: page data at offset 0x5b33: zstd frame (571 bytes) does not decompress: Unknown frame descriptor" \
	read bd3 -p 0x2000 8
expect_out "be-damage-corrupt-zstd-deep" 1 "1 of 64 pages fail to decode; the first is pfn 0x2" check --deep bd3

# ELF64 big-endian with QEMU notes, overlap and a memsz tail
"$MK" elf eb64 --qemu --overlap --memsz-tail 2 --big-endian
"$MK" elf el64 --qemu --overlap --memsz-tail 2
expect_out "be-elf64-class" 0 "elf_class: ELFCLASS64, big endian" info eb64
same "be-elf64-rd" "$("$GC" rd eb64 -p 3008 2)" "$RD3"
same "be-elf64-equals-le" "$(sha eb64 -p 0 0x40000)" "$(sha el64 -p 0 0x40000)"
expect_out "be-elf64-vmcoreinfo" 0 "vmcoreinfo KERNELOFFSET: 1ce00000" info eb64
expect_out "be-elf64-overlap-note" 0 "1 PT_LOAD segment overlaps another in physical addresses" check eb64
expect_err "be-elf64-memsz-tail" 2 \
	"guestcore: eb64: read at physical address 0x40000: pfn 0x40 was excluded when the dump was made" \
	read eb64 -p 0x40000 8
run_gc "be-elf64-regs" 0 regs --json eb64 &&
same "be-elf64-regs-cpu0" "$(echo "$OUT" | python3 -c 'import json,sys; v=json.load(sys.stdin)["vcpus"][0]; r=v["regs"]; print(v["source"], r["rip"], r["cr3"], r["gs_base_kernel"], v["pgd"])')" \
	"NT_PRSTATUS + QEMU CPU state 0xffffffff81000000 0x6801 0xffff888007a00000 0x6000"

# ELF32 big-endian
"$MK" elf eb32 --class 32 --big-endian
expect_out "be-elf32-class" 0 "elf_class: ELFCLASS32, big endian" info eb32
same "be-elf32-rd" "$("$GC" rd eb32 -p 3008 2)" "$RD3"
expect_out "be-elf32-regs" 0 "vcpu 1: NT_PRSTATUS, x86_32" regs eb32
expect_out "be-elf32-eip" 0 "RIP: 00000000c1000010" regs eb32
expect_out "be-elf32-deep" 0 "all 64 pages read back" check --deep eb32
head -c 100000 eb32 > ebt
expect_err "be-elf-truncated-read" 2 \
	"guestcore: ebt: read at physical address 0x3f000: pfn 0x3f is listed but its data lies past the end of the (truncated) file" \
	read ebt -p 0x3f000 8
"$MK" elf ebo --note-overrun --big-endian
expect_out "be-elf-note-overrun" 1 \
	"PT_NOTE (program header 0): note 3 (namesz 5, descsz 4096, type 0x1) runs 4092 bytes past the end of the 912-byte area; it and any notes after it are ignored" check ebo
