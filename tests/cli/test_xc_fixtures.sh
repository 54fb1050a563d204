# xc_core dumps of every shape and every kind of damage, written by
# gcfixture (tests/fixtures/gcfixture.c, docs/fixtures.md): each command's
# output, each check finding's exact text and exit code, and that damaged
# input never crashes, hangs or allocates without bound.
. "$(dirname "$0")/lib.sh"

if [ ! -x "$GCFIX" ]; then
	fail "gcfixture" "fixture writer $GCFIX not built"
	exit 0
fi

# fx NAME OPTIONS... : write $T/NAME.core
fx() {
	local name=$1
	shift
	if ! "$GCFIX" -o "$T/$name.core" "$@" 2>"$T/fx.err"; then
		fail "fixture-$name" "gcfixture $* failed: $(cat "$T/fx.err")"
		return 1
	fi
}

# finding NAME DUMP SEVERITY 'MESSAGE' : check exits 1 and prints exactly
# that finding line (offsets appear in [offset 0x..] only for problems)
finding() {
	local name=$1 dump=$2 sev=$3 msg=$4
	run_gc "$name" 1 check "$dump" || return
	if printf '%s\n' "$OUT" | grep -qxF -- "$(printf '  %-8s %s' "$sev" "$msg")"; then
		pass "$name"
	else
		fail "$name" "no line '  $sev $msg' in: $(printf '%s\n' "$OUT" | grep -v '^  ok' | head -8)"
	fi
}

# note_line NAME DUMP 'MESSAGE': check exits 0 and lists the note
note_line() {
	local name=$1 dump=$2 msg=$3
	run_gc "$name" 0 check "$dump" || return
	if printf '%s\n' "$OUT" | grep -qxF -- "  note     $msg"; then
		pass "$name"
	else
		fail "$name" "no note '$msg' in: $(printf '%s\n' "$OUT" | head -8)"
	fi
}

# ---------------------------------------------------------------------
# clean shapes: check exits 0 with "result: clean"

fx pv64 --pages 256 || exit 0
fx hvm --hvm --pfns 0-1023,2048-4095
fx frag --mfns fragmented --pages 1000 --seed 7
fx runs --mfns runs:64 --pages 1000
fx be --endian big --vcpus 2
fx c32 --class 32
fx c32be --class 32 --endian big --width 32 --pae-cr3 --mfn-base 0x123400
fx w32 --width 32 --pae-cr3 --mfn-base 0x123400
fx hvmbe --hvm --endian big --pfns 0-15,32-63
fx leg --legacy
fx leg4 --legacy --legacy-entry 4
fx legbe --legacy --endian big --width 32
fx leghvm --legacy --hvm --pfns 0-99,200-299
fx stamp --fast-pages --mfns fragmented --pages 4096
fx pg64k --page-size 65536 --pages 16
# the largest page sizes the readers take: converting one page to ELF
# spun forever (the writer's gather round held no 512 KiB page), and
# --verify read the output with 4 KiB pages
for ps in 524288 1048576; do
	fx pg$ps --hvm --page-size $ps --pages 1
	for f in elf kdump; do
		timeout -s KILL 60 "$GC" convert --format $f --no-kernel --verify \
			-o "$T/pg$ps.$f" "$T/pg$ps.core" > "$T/pg.out" 2>&1
		rc=$?
		if [ $rc = 0 ] && grep -q "verify: 1 pages identical, 0 excluded (zero), 0 missing in the source, 0 mismatches, 0 extra" "$T/pg.out"; then
			pass "convert-page-size-$ps-$f"
		else
			fail "convert-page-size-$ps-$f" "exit $rc: $(head -3 "$T/pg.out")"
		fi
	done
done
for c in pv64 hvm frag runs be c32 c32be w32 hvmbe leg4 leg legbe stamp pg64k; do
	expect_out "check-clean-$c" 0 "result: clean" check "$T/$c.core"
done
note_line "check-legacy-hvm-holes" "$T/leghvm.core" \
	"100 of the 300 index positions (= pfns) hold ~0, the legacy marker of a pfn that was not dumped; the first is pfn 0x64"
note_line "check-legacy-pv-note" "$T/leg.core" \
	"legacy PV dumps list machine frames only; reads by pfn need the guest's own p2m, rebuilt from guest memory by the kernel layer when it finds the kernel (else read by mfn, -m)"
fx tail --invalid-tail 5
note_line "check-invalid-tail" "$T/tail.core" \
	"5 invalid (~0) entries pad the end of the index from entry 256 (the domain had fewer pages than xch_nr_pages when dumped); their pages are zero-filled and not addressable"
fx offline --vcpus 3 --offline-vcpu 2
note_line "check-vcpu-offline" "$T/offline.core" \
	"vcpu 2 is offline (VGCF_online clear, cr3 0); nothing to check"
fx noshinfo --no-shared-info
note_line "check-no-shared-info" "$T/noshinfo.core" \
	"no .xen_shared_info section (optional): the guest's p2m frame-list root is not recorded"
expect_out "check-ok-cr3" 0 "  ok       vcpu 0 cr3 = 0x100001000 -> mfn 0x100001 is page 1 of the dump" check "$T/pv64.core"
expect_out "check-ok-cr3-pae" 0 "  ok       vcpu 0 cr3 = 0x23401001 -> mfn 0x123401 is page 1 of the dump" check "$T/w32.core"
expect_out "check-ok-cr3-hvm" 0 "  ok       vcpu 0 cr3 = 0x1000 -> pfn 0x1 is page 1 of the dump" check "$T/hvm.core"
expect_out "check-ok-vcpus-x86_32" 0 "  ok       1 vCPU context of 5168 bytes (x86_32 layout)" check "$T/w32.core"
expect_out "check-ok-legacy-x86_32" 0 "  ok       1 vCPU context of 2800 bytes (x86_32 layout)" check "$T/legbe.core"
expect_out "check-json-clean" 0 '"clean": true' check --json "$T/pv64.core"

# ---------------------------------------------------------------------
# info: header fields and runs

run_gc "info-pv64" 0 info "$T/pv64.core" && {
	ok=1
	for want in "format:        xc_core (ELF)" "guest:         PV x86_64" \
		"pages:         256" "vcpus:         1" "xen version:   4.17.7" \
		"                xch_magic: f00febed (XC_CORE_MAGIC)" \
		"             xch_nr_pages: 256 (0x100)" \
		"                elf_class: ELFCLASS64" \
		"           format_version: 0000000000000001" \
		"      vcpu_context_stride: 5168" \
		"pfn runs:      0x0-0xff: 256 frames in 1 run" \
		"mfn runs:      0x100000-0x1000ff: 256 frames in 1 run" \
		"problems:      none found"; do
		printf '%s\n' "$OUT" | grep -qxF -- "$want" || { fail "info-pv64" "missing line '$want'"; ok=0; break; }
	done
	[ $ok = 1 ] && pass "info-pv64"
}
expect_out "info-hvm-runs" 0 "frame runs:    0x0-0xfff: 3072 frames in 2 runs
                 0x0-0x3ff (1024)
                 0x800-0xfff (2048)" info "$T/hvm.core"
expect_out "info-hvm-magic" 0 "xch_magic: f00febee (XC_CORE_MAGIC_HVM)" info "$T/hvm.core"
expect_out "info-runs64" 0 "mfn runs:      0x100000-0x10040e: 1000 frames in 16 runs" info "$T/runs.core"
expect_out "info-frag" 0 "1000 frames in 1000 runs" info "$T/frag.core"
expect_out "info-class32" 0 "elf_class: ELFCLASS32" info "$T/c32.core"
expect_out "info-legacy" 0 "format:        xc_core (legacy)" info "$T/leg.core"
expect_out "info-legacy-offsets" 0 "         xch_index_offset: 5192 (0x1448)" info "$T/leg.core"
expect_out "info-w32" 0 "guest:         PV x86_32" info "$T/w32.core"
expect_out "info-json" 0 '"pages": 3072' info --json "$T/hvm.core"

# ---------------------------------------------------------------------
# rd: crash's layout, by pfn and by mfn

expect_out "rd-p-header" 0 "            1000:  6670205849464347 666d203178303d6e   GCFIX pfn=0x1 mf" rd "$T/pv64.core" -p 1000 2
expect_out "rd-m-header" 0 "       100001000:  6670205849464347 666d203178303d6e   GCFIX pfn=0x1 mf" rd "$T/pv64.core" -m 100001000 2
expect_out "rd-p-words" 0 "           ff040:  00000000000ff040 00000000000ff048   @.......H......." rd "$T/pv64.core" -p 0xff040 2
expect_out "rd-p-odd-count" 0 "           ff040:  00000000000ff040                    @......." rd "$T/pv64.core" -p 0xff040 1
expect_out "rd-hvm-hole-side" 0 "          800040:  0000000000800040 0000000000800048   @.......H......." rd "$T/hvm.core" 800040 2
expect_out "rd-be-pages" 0 "            1040:  0000000000001040 0000000000001048" rd "$T/be.core" -p 1040 2
expect_out "rd-legacy-m" 0 "       100002000:  6670205849464347 666d203278303d6e   GCFIX pfn=0x2 mf" rd "$T/leg.core" -m 100002000 2
expect_out "rd-legacy-hvm" 0 "           c8000:  6670205849464347 6820386378303d6e   GCFIX pfn=0xc8 h" rd "$T/leghvm.core" c8000 2
expect_out "rd-json" 0 '"words": [' rd --json "$T/pv64.core" -p 1000 2
# fragmented: pfn 0x10's mfn from p2m, then the same page by mfn
mfn=$("$GC" p2m "$T/frag.core" 10 | sed -n 's/^pfn 0x10 -> mfn 0x//p')
want=$("$GCFIX" --mfns fragmented --pages 1000 --seed 7 --print-map | awk '$2 == "0x10" { print $3 }')
same "p2m-frag-matches-writer" "0x$mfn" "$want"
expect_out "rd-frag-by-mfn" 0 "GCFIX pfn=0x10 m" rd "$T/frag.core" -m "${mfn}000" 2
expect_err "rd-missing-pfn" 1 "guestcore: $T/hvm.core: read at physical address 0x400000: pfn 0x400 is not in the dump" rd "$T/hvm.core" -p 400000 2
expect_err "rd-missing-mfn" 1 "guestcore: $T/pv64.core: read at machine address 0x200000: mfn 0x200 is not in the dump" rd "$T/pv64.core" -m 200000
expect_err "rd-legacy-pv-by-pfn" 2 "guestcore: $T/leg.core: read at physical address 0x2000: legacy PV xc_core dumps have no pfn column and the guest's p2m was not rebuilt (no kernel found); read by machine address (-m)" rd "$T/leg.core" -p 2000
expect_err "rd-hvm-no-mfn-space" 2 "guestcore: $T/hvm.core: machine address: this xc_core (ELF) dump has no machine (mfn) space; use guest-physical addresses" rd "$T/hvm.core" -m 1000
expect_err "rd-bad-address" 2 "guestcore: rd: 'xyz' is not a hexadecimal address" rd "$T/pv64.core" xyz
run_gc "rd-p-and-m" 2 rd "$T/pv64.core" -p -m 1000 && case "$ERR" in
	"guestcore: rd: -p"*"exclude each other") pass "rd-p-and-m-message" ;;
	*) fail "rd-p-and-m-message" "$ERR" ;;
esac

# ---------------------------------------------------------------------
# read: bytes by pfn and mfn against what the writer says each page holds

for pfn in 0 1 7f ff; do
	"$GCFIX" --pages 256 --print-page 0x$pfn > "$T/want.page"
	"$GC" read "$T/pv64.core" -p "${pfn}000" 4096 > "$T/got.page"
	if cmp -s "$T/want.page" "$T/got.page"; then pass "read-p-$pfn"; else fail "read-p-$pfn" "page differs"; fi
done
"$GCFIX" --pages 256 --print-page 0x80 > "$T/want.page"
"$GC" read "$T/pv64.core" -m 100080000 4096 > "$T/got.page"
if cmp -s "$T/want.page" "$T/got.page"; then pass "read-m-80"; else fail "read-m-80" "page differs"; fi
for pfn in 0 3ff 800 fff; do
	"$GCFIX" --hvm --pfns 0-1023,2048-4095 --print-page 0x$pfn > "$T/want.page"
	"$GC" read "$T/hvm.core" "${pfn}000" 4096 > "$T/got.page"
	if cmp -s "$T/want.page" "$T/got.page"; then pass "read-hvm-$pfn"; else fail "read-hvm-$pfn" "page differs"; fi
done
# big endian and ELFCLASS32 files hold the same pages
for c in be c32; do
	"$GC" read "$T/$c.core" 7000 4096 > "$T/got.page"
	"$GCFIX" --print-page 7 > "$T/want.page"
	if cmp -s "$T/want.page" "$T/got.page"; then pass "read-$c"; else fail "read-$c" "page differs"; fi
done
# a range across a page boundary
got=$("$GC" read "$T/pv64.core" 1ff8 16 | od -An -tx8 | tr -s ' ')
same "read-cross-page" "$got" " 0000000000001ff8 6670205849464347"
# -o FILE
expect_rc "read-o" 0 read "$T/pv64.core" -p 5000 8192 -o "$T/out.bin"
same "read-o-size" "$(stat -c %s "$T/out.bin")" 8192
# --list with --length, addresses in both spaces, comments and blank lines
printf '1000\n# a comment\n\n0x2040  # trailing\n' > "$T/list"
"$GC" read "$T/pv64.core" --list "$T/list" --length 16 > "$T/list.out"; rc=$?
same "read-list-rc" "$rc" 0
same "read-list-size" "$(stat -c %s "$T/list.out")" 32
same "read-list-second" "$(tail -c 16 "$T/list.out" | od -An -tx8 | tr -s ' ')" " 0000000000002040 0000000000002048"
printf '100001000\n100002000\n' > "$T/mlist"
"$GC" read "$T/pv64.core" -m --list "$T/mlist" > "$T/mlist.out"
same "read-list-m-default-length" "$(stat -c %s "$T/mlist.out")" 8192
printf '1000\nzz\n' > "$T/badlist"
expect_err "read-list-bad-line" 2 "guestcore: read: $T/badlist line 2: 'zz' is not a hexadecimal address" read "$T/pv64.core" --list "$T/badlist" -o "$T/badlist.out"
# a missing page is an error naming the address, unless --missing=zero
expect_err "read-missing" 2 "guestcore: $T/hvm.core: read at physical address 0x400000: pfn 0x400 is not in the dump" read "$T/hvm.core" 400000 8192
run_gc "read-missing-zero" 0 read "$T/hvm.core" 3ff000 8192 --missing=zero -o "$T/zero.bin" && {
	same "read-missing-zero-msg" "$ERR" "guestcore: read: 1 missing page read as zeroes"
	same "read-missing-zero-size" "$("$GC" read "$T/hvm.core" 3ff000 8192 --missing=zero 2>/dev/null | wc -c)" 8192
	same "read-missing-zero-bytes" "$("$GC" read "$T/hvm.core" 400000 4096 --missing=zero 2>/dev/null | tr -d '\0' | wc -c)" 0
}
expect_err "read-missing-o-removed" 2 "guestcore: $T/hvm.core: read at physical address 0x400000: pfn 0x400 is not in the dump" read "$T/hvm.core" 400000 16 -o "$T/gone.bin"
[ -e "$T/gone.bin" ] && fail "read-missing-o-no-file" "output left behind" || pass "read-missing-o-no-file"
expect_err "read-bad-missing" 2 "guestcore: read: --missing takes 'zero' only" read "$T/pv64.core" 1000 16 --missing=fail

# ---------------------------------------------------------------------
# p2m: both directions, exit 1 for frames not in the dump

expect_out "p2m-pfn" 0 "pfn 0x7f -> mfn 0x10007f" p2m "$T/pv64.core" 7f
expect_out "p2m-mfn" 0 "mfn 0x10007f -> pfn 0x7f" p2m "$T/pv64.core" --mfn 10007f
run_gc "p2m-several" 0 p2m "$T/runs.core" 0 3f 40 && same "p2m-several-lines" "$(printf '%s\n' "$OUT" | wc -l)" 3
run_gc "p2m-missing" 1 p2m "$T/pv64.core" 7f 300 && same "p2m-missing-text" "$OUT" "pfn 0x7f -> mfn 0x10007f
pfn 0x300 -> not in the dump: pfn 0x300 is not in the page index (256 pages)"
run_gc "p2m-mfn-missing" 1 p2m "$T/pv64.core" --mfn 5 && same "p2m-mfn-missing-text" "$OUT" "mfn 0x5 -> not in the dump: mfn 0x5 is not among the 256 dumped frames"
expect_out "p2m-json" 1 '"pfn": null' p2m --json "$T/pv64.core" --mfn 5
expect_err "p2m-hvm" 2 "guestcore: $T/hvm.core: pfn to mfn: this xc_core (ELF) dump records no machine frames (the guest is not paravirtualized)" p2m "$T/hvm.core" 1
expect_err "p2m-bad-frame" 2 "guestcore: p2m: 'q' is not a hexadecimal frame number" p2m "$T/pv64.core" q

# ---------------------------------------------------------------------
# regs: x86_64, x86_32, the PAE cr3 encoding

run_gc "regs-x86_64" 0 regs "$T/be.core" && {
	same "regs-x86_64-vcpu1" "$(printf '%s\n' "$OUT" | sed -n '/^vcpu 1:/,$p' | head -2)" "vcpu 1: xen vcpu_guest_context, x86_64, online, in kernel, fpu valid
      RIP: ffffffff81001010      RSP: ffffc90000008000   RFLAGS: 0000000000000246"
	printf '%s\n' "$OUT" | grep -qF "      RAX: 000000000000aa01      RBX: 000000000000bb01      RCX: 000000000000cc01" &&
		pass "regs-x86_64-gprs" || fail "regs-x86_64-gprs" "RAX/RBX/RCX line missing"
	printf '%s\n' "$OUT" | grep -qxF "  page table root: machine address 0x100001000" &&
		pass "regs-x86_64-root" || fail "regs-x86_64-root" "page table root line missing"
}
fx regs_given --reg rip=0xffffffff81234567 --reg 0:rsp=0xffffc90000123450 --reg 1:cr3=0x100002000 --vcpus 2
run_gc "regs-given" 0 regs --json "$T/regs_given.core" &&
	same "regs-given-values" "$(printf '%s\n' "$OUT" | python3 -c 'import json,sys; v=json.load(sys.stdin)["vcpus"]; print(v[0]["regs"]["rip"], v[0]["regs"]["rsp"], v[1]["regs"]["rip"], v[1]["regs"]["cr3"], v[1]["pgd"])')" \
		"0xffffffff81234567 0xffffc90000123450 0xffffffff81234567 0x100002000 0x100002000"
run_gc "regs-x86_32-pae" 0 regs "$T/w32.core" && {
	printf '%s\n' "$OUT" | grep -qxF "vcpu 0: xen vcpu_guest_context, x86_32, online, in kernel, fpu valid" &&
		pass "regs-x86_32-head" || fail "regs-x86_32-head" "$(printf '%s\n' "$OUT" | head -1)"
	printf '%s\n' "$OUT" | grep -qF "      CR3: 0000000023401001" && pass "regs-x86_32-cr3" || fail "regs-x86_32-cr3" "cr3 line missing"
	printf '%s\n' "$OUT" | grep -qxF "  page table root: machine address 0x123401000" &&
		pass "regs-x86_32-pae-decode" || fail "regs-x86_32-pae-decode" "$(printf '%s\n' "$OUT" | tail -1)"
	printf '%s\n' "$OUT" | grep -qF "      RIP: 00000000c1001000      RSP: 00000000c1800000" && pass "regs-x86_32-rip" || fail "regs-x86_32-rip" "rip line missing"
}
expect_out "regs-x86_32-be-elf32" 0 "  page table root: machine address 0x123401000" regs "$T/c32be.core"
expect_out "regs-legacy-x86_32" 0 "  page table root: machine address 0x10001000" regs "$T/legbe.core"
expect_out "regs-hvm-phys-root" 0 "  page table root: physical address 0x1000" regs "$T/hvm.core"
fx novcpu --vcpus 0
expect_out "regs-none" 1 "no vCPU registers in this dump" regs "$T/novcpu.core"

# ---------------------------------------------------------------------
# check findings for every kind of damage (exit 1, exact text)

fx cr3m --cr3-missing --vcpus 2
finding "check-cr3-missing" "$T/cr3m.core" error \
	"vcpu 0 cr3 = 0x100200000 -> mfn 0x100200 is not among the 256 dumped frames; page-table walks from this cr3 cannot start (the kernel's own top-level table, found by symbol, is the way around it)"
fx cr3mh --hvm --cr3-missing
finding "check-cr3-missing-hvm" "$T/cr3mh.core" error \
	"vcpu 0 cr3 = 0x200000 -> pfn 0x200 is not among the 256 dumped frames; page-table walks from this cr3 cannot start"
fx cutp --cut-pages 3
finding "check-pages-truncated" "$T/cutp.core" error \
	"page data is truncated: the file ends at 0x101000, so 3 of 256 listed pages have no data, from index 253 (pfn 0xfd) on [offset 0x101000]"
finding "check-pages-section-bounds" "$T/cutp.core" error \
	"section .xen_pages (offset 0x4000, size 0x100000) ends at 0x104000, past the end of the file (size 0x101000): 0x3000 bytes are missing [offset 0x4000]"
expect_err "read-truncated-page" 2 "guestcore: $T/cutp.core: read at physical address 0xfe000: pfn 0xfe is listed but its data lies past the end of the (truncated) file" read "$T/cutp.core" fe000 16
expect_out "read-before-truncation" 0 "GCFIX pfn=0xfc m" rd "$T/cutp.core" fc000 2
fx cutlast --cut-pages 255 --vcpus 1
finding "check-cr3-truncated" "$T/cutlast.core" error \
	"vcpu 0 cr3 = 0x100001000 -> mfn 0x100001 is listed as page 1 but its data is past the end of the truncated file; page-table walks from this cr3 cannot start"
fx cutleg --legacy --cut-pages 2
finding "check-legacy-truncated" "$T/cutleg.core" error \
	"page data is truncated: the file ends at 0x100000, so 2 of 256 listed pages have no data, from index 254 (pfn 0xfe) on [offset 0x100000]"
fx unsorted --unsorted
finding "check-unsorted" "$T/unsorted.core" warning \
	".xen_p2m is not in ascending pfn order: entry 129 has pfn 0x80 after pfn 0x81; lookups use a hash instead of binary search [offset 0x103810]"
expect_out "read-unsorted-by-hash" 0 "GCFIX pfn=0x80 m" rd "$T/unsorted.core" 80000 2
fx duppfn --dup-pfn
finding "check-dup-pfn" "$T/duppfn.core" error \
	"1 duplicate pfn entry; the first is pfn 0x7f again at entry 128 (reads use the first copy) [offset 0x103800]"
expect_out "read-dup-pfn-first" 0 "GCFIX pfn=0x7f m" rd "$T/duppfn.core" 7f000 2
fx dupmfn --dup-mfn --damage-at 10
finding "check-dup-mfn" "$T/dupmfn.core" error \
	"1 duplicate mfn entry; the first is mfn 0x100009 again at entry 10 (two pages claim one machine frame; reads by mfn use the first) [offset 0x1030a0]"
fx invmid --invalid-middle 3
finding "check-invalid-middle" "$T/invmid.core" warning \
	"3 invalid (~0) entries, the first at entry 128, sit before valid ones; the writer only pads the tail, so the index is damaged [offset 0x103800]"
expect_out "invalid-middle-pages" 0 "pages:         253" info "$T/invmid.core"
# a pfn past the physical address space: ignored with an error, and
# convert neither crashes (the kdump bitmap's size wrapped: SIGSEGV) nor
# writes the page at a wrapped address (ELF)
fx wildpfn --hvm --pfns 0-3,0xfffffffffffffffe
finding "check-wild-pfn" "$T/wildpfn.core" error \
	"1 page index entry names a frame past the 52-bit physical address space and is ignored (the first: entry 4, frame 0xfffffffffffffffe) [offset 0x8020]"
for f in kdump elf; do
	run_gc "convert-wild-pfn-$f" 1 convert --format $f --no-kernel -o "$T/wildpfn.$f" "$T/wildpfn.core" &&
	case "$OUT" in
	*"pages: 4 in source, 4 written"*) pass "convert-wild-pfn-$f" ;;
	*) fail "convert-wild-pfn-$f" "$OUT" ;;
	esac
done
same "convert-wild-pfn-elf-segments" "$(readelf -lW "$T/wildpfn.elf" | awk '$1 == "LOAD" { print $4 }' | sort -u | tr '\n' ' ')" \
	"0x0000000000000000 "
fx badprs --bad-offset prstatus
finding "check-bad-prstatus" "$T/badprs.core" error \
	"section .xen_prstatus (offset 0x204048, size 0x1430) ends at 0x205478, past the end of the file (size 0x104048): 0x1430 bytes are missing [offset 0x204048]"
finding "check-bad-prstatus-vcpus" "$T/badprs.core" error \
	"the header lists 1 vCPU contexts of 5168 bytes but only 0 fit in the 0x0 bytes available [offset 0x100]"
fx badshinfo --bad-offset shared_info
finding "check-bad-shared-info" "$T/badshinfo.core" error \
	"section .xen_shared_info (offset 0x204048, size 0x1000) ends at 0x205048, past the end of the file (size 0x104048): 0x1000 bytes are missing [offset 0x204048]"
# offset + size past 2^64: the message named the wrapped sum ("ends at 0xff8")
fx badshwrap --bad-offset shared_info=0xfffffffffffffff8
finding "check-section-wraps" "$T/badshwrap.core" error \
	"section .xen_shared_info (offset 0xfffffffffffffff8, size 0x1000) ends past 2^64, past the end of the file (size 0x104048): 0x1000 bytes are missing [offset 0xfffffffffffffff8]"
fx badpages --bad-offset pages
finding "check-bad-pages" "$T/badpages.core" error \
	"page data is truncated: the file ends at 0x104048, so 256 of 256 listed pages have no data, from index 0 (pfn 0x0) on [offset 0x204048]"
finding "check-bad-pages-align" "$T/badpages.core" warning \
	".xen_pages starts at 0x204048, not page aligned [offset 0x180]"
fx badindex --bad-offset index
finding "check-bad-index" "$T/badindex.core" error \
	"the page index is cut short by the end of the file: 0 of 256 entries are readable; pages of the missing entries cannot be placed [offset 0x204048]"
fx absurdpages --set-nr-pages 0xffffffffffff
finding "check-absurd-nr-pages" "$T/absurdpages.core" error \
	"the index .xen_p2m is 0x1000 bytes: (index end 0x104000 - index start 0x103000) / 16 = 256, but xch_nr_pages is 281474976710655 [offset 0x1c0]"
expect_out "absurd-nr-pages-still-reads" 0 "GCFIX pfn=0x3 m" rd "$T/absurdpages.core" 3000 2
fx absurdvcpus --set-nr-vcpus 0xffffffffffff
finding "check-absurd-nr-vcpus" "$T/absurdvcpus.core" error \
	"the header lists 281474976710655 vCPU contexts of 5168 bytes but only 1 fit in the 0x1430 bytes available [offset 0x100]"
fx legabsurdv --legacy --set-nr-vcpus 0xffffffff
finding "check-legacy-absurd-vcpus" "$T/legabsurdv.core" error \
	"the vCPU context stride is 0; contexts cannot be located [offset 0x4]"
# a context stride shorter than a vcpu_guest_context: cr3 was never
# decoded, yet check said "ok vcpu 0 cr3 = 0x0 -> pfn 0x0 is page 0" and
# "result: clean" (the unset register read as 0, the unknown root space
# looked up as a pfn)
fx shortctx --stride 16 --vcpus 2
finding "check-short-stride" "$T/shortctx.core" error \
	"the vCPU context stride is 16 bytes, shorter than an x86_64 vcpu_guest_context (5168 bytes): only the first 16 bytes of each context are read, and the registers past them (cr3 at byte 5008) are unknown [offset 0x100]"
finding "check-short-stride-cr3-unknown" "$T/shortctx.core" warning \
	"vcpu 1 cr3 is unknown: its 16-byte context ends before the register; page-table walks from this vCPU cannot start"
same "check-short-stride-no-ok-cr3" "$(printf '%s\n' "$OUT" | grep -c '^  ok .*\(cr3\|vCPU context\)')" 0
same "check-short-stride-result" "$(printf '%s\n' "$OUT" | tail -1)" "result: 3 problems (1 error, 2 warnings)"
# regs says no register is known, exit 1 (it printed the header alone, exit 0)
run_gc "regs-short-stride" 1 regs "$T/shortctx.core" &&
same "regs-short-stride" "$(printf '%s\n' "$OUT" | grep -c 'no register is known')" 2
fx legshortctx --legacy --stride 100
finding "check-legacy-short-stride" "$T/legshortctx.core" error \
	"the vCPU context stride is 100 bytes, shorter than an x86_32 vcpu_guest_context (2800 bytes): only the first 100 bytes of each context are read, and the registers past them (cr3 at byte 2728) are unknown [offset 0x4]"
# cut after cr3: still an error, but cr3 itself is known and checked
fx cutctx --stride 5100
finding "check-cut-stride-cr3-known" "$T/cutctx.core" error \
	"the vCPU context stride is 5100 bytes, shorter than an x86_64 vcpu_guest_context (5168 bytes): only the first 5100 bytes of each context are read, and the registers past them (cr3 at byte 5008) are unknown [offset 0x100]"
case "$OUT" in
*"  ok       vcpu 0 cr3 = 0x100001000 -> mfn 0x100001 is page 1 of the dump"*) pass "check-cut-stride-cr3-ok" ;;
*) fail "check-cut-stride-cr3-ok" "$OUT" ;;
esac
fx legabsurdp --legacy --set-nr-pages 0xffffffff
finding "check-legacy-absurd-pages" "$T/legabsurdp.core" error \
	"xch_nr_pages is 4294967295 but only 750 index entries of 4 bytes fit before 0x2000 [offset 0x1448]"
fx nonone --no-note none
finding "check-no-none-note" "$T/nonone.core" warning \
	".note.Xen lacks the DUMPCORE_NONE note the writer always emits [offset 0x200]"
fx noformat --no-note format
finding "check-no-format-note" "$T/noformat.core" warning \
	".note.Xen lacks the DUMPCORE_FORMAT_VERSION note the writer always emits [offset 0x200]"
fx overver --note-overrun version
finding "check-note-overrun" "$T/overver.core" warning \
	"note type 0x2000002 claims 4 name + 5376 descriptor bytes but only 1308 remain in .note.Xen; later notes are ignored [offset 0x240]"
fx fmtver --format-version 0x100000000
finding "check-format-version" "$T/fmtver.core" warning \
	"format_version is 0x0000000100000000; only 0x0000000000000001 (0.1) is known [offset 0x200]"
fx entsize --set-entsize 24
finding "check-entsize" "$T/entsize.core" warning \
	".xen_p2m sh_entsize is 24, expected 16; using 16 [offset 0x1c0]"
fx noprs --no-section prstatus
finding "check-no-prstatus" "$T/noprs.core" error \
	"there is no .xen_prstatus section: no vCPU registers and no cr3"
fx magicidx --set-magic 0xf00febee
finding "check-magic-vs-index" "$T/magicidx.core" warning \
	"xch_magic says HVM but the index is .xen_p2m (PV); trusting the index [offset 0x220]"
fx dupsec --dup-section index
finding "check-duplicate-section" "$T/dupsec.core" warning \
	"section .xen_p2m appears twice (headers 6 and 7); the first is used [offset 0x200]"
fx pagesshort --pages-section-short 3
finding "check-pages-section-size" "$T/pagesshort.core" error \
	"the pages section holds 253 pages but the index lists 256 [offset 0x180]"
fx novcpus --vcpus 0
finding "check-vcpus-none" "$T/novcpus.core" warning \
	"the header lists no vCPU contexts (xch_nr_vcpus = 0): no registers and no cr3 [offset 0x100]"
fx extranote --extra-note 0x1234
note_line "check-unknown-note" "$T/extranote.core" "unknown note type 0x1234 (8 bytes) ignored"
run_gc "check-json-findings" 1 check --json "$T/cr3m.core" &&
	same "check-json-cr3-code" "$(printf '%s\n' "$OUT" | python3 -c 'import json,sys; print([f["code"] for f in json.load(sys.stdin)["findings"] if f["severity"]=="error"])')" "['cr3-missing']"
run_gc "check-quiet" 1 check --quiet "$T/cr3m.core" &&
	same "check-quiet-lines" "$(printf '%s\n' "$OUT" | grep -c '^  ok')" 0

# ---------------------------------------------------------------------
# unreadable input: exit 2 with one exact line

unreadable() {
	local name=$1 line=$2
	shift 2
	fx "$name" "$@" || return
	expect_err "open-$name" 2 "guestcore: $T/$name.core: $line" check "$T/$name.core"
}
unreadable badnote "section .note.Xen at offset 0xc0: starts at 0x204048, past the end of the file (size 0x104048), so the dump-core notes are missing" --bad-offset note
unreadable badstrtab "section name table (.shstrtab) at offset 0x204048: 0x48 bytes run past the end of the file (size 0x104048)" --bad-offset strtab
unreadable badshoff "section header table at offset 0x204048: 7 headers of 64 bytes run past the end of the file (size 0x104048)" --bad-offset shoff
unreadable shnum "section header table at offset 0x40: 65535 headers of 64 bytes run past the end of the file (size 0x104048)" --set-shnum 0xffff
unreadable shnumext "section header table at offset 0x40: 2147483647 headers of 64 bytes run past the end of the file (size 0x104048)" --set-shnum 0x7fffffff
unreadable shorthdr "note DUMPCORE_HEADER at offset 0x210: descriptor is 24 bytes, expected 32" --header-descsz 24
unreadable overhdr "note DUMPCORE_HEADER at offset 0x210: name 4 + descriptor 4128 bytes run past the end of .note.Xen (0x54c bytes left)" --note-overrun header
unreadable nohdr "section .note.Xen at offset 0x200: has no DUMPCORE_HEADER note (type 0x2000001); the page count and page size are unknown" --no-note header
unreadable magic "xch_magic at offset 0x220: 0x12345678 is neither 0xf00febed (PV) nor 0xf00febee (HVM)" --set-magic 0x12345678
unreadable psize "xch_page_size at offset 0x238: page size 4095 is not a power of two between 512 and 1048576" --set-page-size 4095
unreadable psize0 "xch_page_size at offset 0x238: page size 0 is not a power of two between 512 and 1048576" --set-page-size 0
unreadable eiclass "e_ident[EI_CLASS] at offset 0x4: 3 is neither ELFCLASS32 (1) nor ELFCLASS64 (2)" --set-ei-class 3
unreadable eidata "e_ident[EI_DATA] at offset 0x5: 0 is neither little (1) nor big (2) endian" --set-ei-data 0
unreadable nopages "section .xen_pages: missing: the dump holds no page data" --no-section pages
unreadable noindex "sections .xen_p2m / .xen_pfn: both missing: there is no page index, so no page can be placed" --no-section index
unreadable nonotesec "section .note.Xen: missing: the file has no Xen dump-core notes, so it is not an xc_core dump" --no-section note
unreadable cutb "section name table (.shstrtab) at offset 0x104000: 0x48 bytes run past the end of the file (size 0x103fe4)" --cut-bytes 100
unreadable legctxt "xch_ctxt_offset at offset 0xc: 0x202000 is past the end of the file (size 0x102000)" --legacy --bad-offset ctxt
unreadable legindex "xch_index_offset at offset 0x10: 0x202000 is past the end of the file (size 0x102000)" --legacy --bad-offset index
unreadable legpages "xch_pages_offset at offset 0x14: 0x202000 is past the end of the file (size 0x102000)" --legacy --bad-offset pages
printf 'not a dump at all' > "$T/junk.core"
expect_err "open-junk" 2 "guestcore: $T/junk.core: file header at offset 0x0: not a dump format guestcore knows (first bytes 6e 6f 74 20)" info "$T/junk.core"
expect_err "open-missing-file" 2 "guestcore: $T/nonexistent.core: cannot open: No such file or directory" info "$T/nonexistent.core"

# ---------------------------------------------------------------------
# the seed case: a 521792-page PV dump whose vcpu 0 cr3 (0xd5743000)
# names an mfn that is not dumped (crash: "cannot find mfn 874307
# (0xd5743) in page index" / "cannot read/find cr3 page")

fx seed --desc "$(dirname "$0")/../fixtures/seed-case.desc" && {
	# (one run each: check and info on this 2 GiB sparse file are slow)
	finding "seed-check-cr3" "$T/seed.core" error \
		"vcpu 0 cr3 = 0xd5743000 -> mfn 0xd5743 is not among the 521792 dumped frames; page-table walks from this cr3 cannot start (the kernel's own top-level table, found by symbol, is the way around it)"
	same "seed-check-result" "$(printf '%s\n' "$OUT" | tail -1)" "result: 1 problem (1 error, 0 warnings)"
	expect_out "seed-info" 0 "xch_nr_pages: 521792 (0x7f640)" info "$T/seed.core"
	case "$OUT" in *"vcpus:         7"*) pass "seed-info-vcpus" ;; *) fail "seed-info-vcpus" "no 'vcpus: 7'" ;; esac
	want=$("$GCFIX" --desc "$(dirname "$0")/../fixtures/seed-case.desc" --print-map | awk '$1 == 512 { print $3 }')
	want16=$(printf '%016x' "$want")
	expect_out "seed-rd-p" 0 "          200000:  0000000000000200 $want16" rd "$T/seed.core" -p 200000 2
	expect_out "seed-rd-m" 0 ":  0000000000000200 $want16" rd "$T/seed.core" -m "${want#0x}000" 2
	expect_out "seed-p2m" 0 "pfn 0x200 -> mfn $want" p2m "$T/seed.core" 200
	expect_out "seed-regs-cr1" 0 "      CR0: 0000000080050033      CR1: 00000000d5742000      CR2: 0000000000000000" regs "$T/seed.core"
}

# ---------------------------------------------------------------------
# every damaged input through every command: exit 0, 1 or 2, never a
# crash (signal or sanitizer report), hang or unbounded allocation

asan=0
grep -q __asan_init "$GC" 2>/dev/null && asan=1
robust=0 nfiles=0
clean=" pv64 hvm frag runs be c32 c32be w32 hvmbe leg leg4 legbe leghvm stamp pg64k tail offline noshinfo regs_given novcpu seed extranote "
for f in "$T"/*.core; do
	name=$(basename "$f" .core)
	case "$clean" in *" $name "*) continue ;; esac
	nfiles=$((nfiles + 1))
	for cmd in "info" "check" "regs" "rd -p 1000 4" "rd -m 100001000 4" \
		"p2m 1 2" "read -p 0 8192 --missing=zero"; do
		set -- $cmd
		sub=$1
		shift
		if [ $asan = 0 ]; then
			( ulimit -v 1048576; timeout 30 "$GC" "$sub" "$f" "$@" ) > /dev/null 2> "$T/robust.err"
		else
			timeout 60 "$GC" "$sub" "$f" "$@" > /dev/null 2> "$T/robust.err"
		fi
		rc=$?
		if [ $rc -gt 2 ] || grep -q 'Sanitizer\|runtime error' "$T/robust.err"; then
			fail "robust-$name-${cmd// /_}" "exit $rc: $(head -3 "$T/robust.err")"
			robust=1
		elif [ $rc = 2 ] && [ "$(wc -l < "$T/robust.err")" != 1 ]; then
			fail "robust-$name-${cmd// /_}" "exit 2 without exactly one line: $(head -3 "$T/robust.err")"
			robust=1
		fi
	done
done
[ $robust = 0 ] && pass "robust-every-damaged-fixture-every-command ($nfiles files)"
