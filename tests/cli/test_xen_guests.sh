# Generated Xen guests with real kernel structures (tests/fixtures/mkxenguest.c):
# vtop (text and --json, every level against the generator's own walk), sym,
# log, info, check (p2m agreement and injected disagreements), the missing-cr3
# seed case, legacy PV dumps read by pfn through the rebuilt p2m, and convert.
. "$(dirname "$0")/lib.sh"

MK="$(dirname "$GC")/mkxenguest"
if [ ! -x "$MK" ]; then
	skip "xen-guests" "mkxenguest not built"
	exit 0
fi

# gen NAME OPTS... : write $T/NAME.core, .info and .map; remember the options
gen() {
	local name=$1
	shift
	if "$MK" "$@" -o "$T/$name.core" --info "$T/$name.info" \
		--system-map "$T/$name.map" 2> "$T/mkerr"; then
		echo "$*" > "$T/$name.opts"
	else
		fail "gen-$name" "mkxenguest $*: $(cat "$T/mkerr")"
	fi
}
# val NAME KEY : a value from the generator's --info
val() { sed -n "s/^$2=//p" "$T/$1.info" | head -1; }

rm -f "$T/walks"
gen pv --pv
gen pvtree --pv --p2m tree --p2m-bad 0x10=0x99999 --p2m-missing 0x2001
gen pvold --pv --p2m tree --no-kallsyms --seed 3
gen pvbad --pv --p2m-bad 0x1234 --p2m-missing 0x3401
gen hvm --hvm
gen pvmiss --pv --cr3-missing
gen hvmmiss --hvm --cr3-missing
gen leg --pv --legacy
gen legtree --pv --legacy --p2m tree --seed 7
gen leghvm --hvm --legacy
gen legmiss --pv --legacy --cr3-missing

# The generator's --walk output against vtop --json (every level's table
# address machine and physical, index, entry, pseudo entry; the result).
cat > "$T/cmpwalk.py" << 'EOF'
import json, sys

def cmp(walk, js, kind):
    want = [l.split() for l in open(walk) if l.strip()]
    got = json.load(open(js))
    pv = kind == "pv"
    errs = []
    lv = [w for w in want if w[0] in ("PGD", "PUD", "PMD", "PTE")]
    if got.get("xen_pv") != pv:
        errs.append("xen_pv %s" % got.get("xen_pv"))
    if len(got["walk"]) != len(lv):
        errs.append("levels %d != %d" % (len(got["walk"]), len(lv)))
    for w, g in zip(lv, got["walk"]):
        f = dict(x.split("=") for x in w[1:])
        if g["level"] != w[0]:
            errs.append("level %s != %s" % (g["level"], w[0]))
        checks = [("index", "index"), ("entry", "entry")]
        if pv:
            checks += [("table_machine", "table_mach"),
                       ("table_physical", "table_phys"),
                       ("entry_pseudo", "pseudo")]
        else:
            checks += [("table", "table_phys")]
        for gk, wk in checks:
            gv = g.get(gk)
            if gv is None or int(str(gv), 0) != int(f[wk], 0):
                errs.append("%s %s: %s != %s" % (w[0], gk, gv, f[wk]))
    res = [w for w in want if w[0] == "PHYS"][0]
    if int(got["physical"], 0) != int(res[1], 0):
        errs.append("physical %s != %s" % (got["physical"], res[1]))
    if pv and int(got.get("machine", "-1"), 0) != int(res[3], 0):
        errs.append("machine %s != %s" % (got.get("machine"), res[3]))
    if int(got["page_size"]) != int(res[5], 0):
        errs.append("page_size %s != %s" % (got["page_size"], res[5]))
    if not got.get("mapped"):
        errs.append("not mapped")
    return errs

# One python run for every comparison (suite time).
for line in open(sys.argv[1]):
    name, walk, js, kind = line.split()
    try:
        errs = cmp(walk, js, kind)
    except Exception as e:
        errs = ["%s: %s" % (type(e).__name__, e)]
    if errs:
        print("FAIL %s: %s" % (name, "; ".join(errs)))
    else:
        print("PASS %s" % name)
EOF

# vt NAME TAG VADDR : vtop (JSON and text) against the generator's walk
vt() {
	local name=$1 tag=$2 va=$3 kind
	kind=$(val "$name" type)
	local w="$T/walk-$name-$tag.txt" j="$T/vt-$name-$tag.json"
	# shellcheck disable=SC2046
	"$MK" $(cat "$T/$name.opts") --walk "$va" > "$w"
	if ! "$GC" vtop "$T/$name.core" "$va" --json > "$j" 2> "$T/stderr"; then
		fail "vtop-json-$name-$tag" "exit $?: $(cat "$T/stderr")"
		return
	fi
	echo "vtop-json-$name-$tag $w $j $kind" >> "$T/walks"
	local phys
	phys=$(awk '$1 == "PHYS" { sub(/^0x/, "", $2); print $2 }' "$w")
	expect_out "vtop-text-$name-$tag" 0 "$(printf '%016x  %-16s' "$va" "$phys")" \
		vtop "$T/$name.core" "$va"
}

for g in pv hvm leg leghvm; do
	[ -f "$T/$g.info" ] || continue
	text=$(val $g text_va)
	vt $g text2m "$(printf '0x%x' $((text + 0x2345a8)))"
	vt $g data4k "$(val $g sym_init_uts_ns)"
	vt $g directmap "$(val $g marker_va)"
	vt $g vmalloc "$(printf '0x%x' $(($(val $g vmalloc_va) + 0x18)))"
done
vt legtree directmap "$(val legtree marker_va)"
# PV direct map: a 2 MiB page (machine-contiguous chunk 1) and a 4 KiB one
vt pv directmap-2m "$(printf '0x%x' $(($(val pv page_offset) + 0x200000 + 0x1238)))"
vt pv p2m-list "$(printf '0x%x' $(($(val pv p2m_va) + 0x2008)))"
vt hvm directmap-1g "$(printf '0x%x' $(($(val hvm page_offset) + 0x2345678)))"
pgdva=$(val pv sym_init_top_pgt)
expect_out "vtop-pv-pgd" 0 "PGD DIRECTORY: ${pgdva#0x}" vtop "$T/pv.core" "$(val pv marker_va)"
expect_out "vtop-pv-2m-page" 0 "  PAGE: $(val pv text_pa | sed 's/^0x//')  (2MB)" vtop "$T/pv.core" "$(val pv text_va)"
expect_out "vtop-unmapped" 1 "WALK STOPPED" vtop "$T/pv.core" 0xffffc90000003000

# sym: names, addresses, NAME+OFF; kallsyms and System.map (pvold has no
# kallsyms in VMCOREINFO, as a pre-6.0 kernel)
sk=$(val pv sym_start_kernel)
expect_out "sym-name" 0 "${sk#0x} (T) start_kernel" sym "$T/pv.core" start_kernel
expect_out "sym-addr" 0 "$(printf '%016x' $((sk + 16))) (T) start_kernel+16" sym "$T/pv.core" "$(printf '%x' $((sk + 16)))"
expect_out "sym-data" 0 "$(val pv sym_xen_p2m_addr | sed 's/^0x//') (D) xen_p2m_addr" sym "$T/pv.core" xen_p2m_addr
expect_out "sym-hvm-kaslr" 0 "$(val hvm sym_panic | sed 's/^0x//') (T) panic" sym "$T/hvm.core" panic
expect_out "sym-system-map" 0 "$(val pvold sym_p2m_top | sed 's/^0x//') (b) p2m_top" \
	sym "$T/pvold.core" p2m_top --system-map "$T/pvold.map"
expect_out "sym-vmcoreinfo-only" 0 "$(val pvold sym_init_top_pgt | sed 's/^0x//') (?) init_top_pgt" \
	sym "$T/pvold.core" init_top_pgt
expect_out "check-no-symbols" 0 "the guest's own p2m was not rebuilt: no xen_p2m_addr/xen_p2m_size or p2m_top symbol" \
	check "$T/pvold.core"

# log: exactly the lines put in (the data ring wraps between two of them)
for g in pv hvm leg leghvm; do
	[ -f "$T/$g.info" ] || continue
	"$GC" log "$T/$g.core" > "$T/log.got" 2> "$T/stderr"
	val $g log > /dev/null
	sed -n 's/^log=//p' "$T/$g.info" > "$T/log.want"
	if cmp -s "$T/log.got" "$T/log.want"; then
		pass "log-$g"
	else
		fail "log-$g" "$(diff "$T/log.want" "$T/log.got" | head -5)"
	fi
done

# info: KASLR offset, phys_base, paging levels, table, each with its source
expect_out "info-pv-kaslr" 0 "kaslr_offset: 0x1200000  [VMCOREINFO KERNELOFFSET]" info "$T/pv.core"
expect_out "info-pv-physbase" 0 "phys_base: 0x0  [VMCOREINFO NUMBER(phys_base)]" info "$T/pv.core"
expect_out "info-pv-levels" 0 "paging_levels: 4  [VMCOREINFO NUMBER(pgtable_l5_enabled)]" info "$T/pv.core"
expect_out "info-pv-table" 0 "page_table: machine $(val pv cr3)  [init_top_pgt (VMCOREINFO SYMBOL" info "$T/pv.core"
expect_out "info-pv-vmcoreinfo" 0 "[found in guest memory: vmcoreinfo text page at physical address 0x2601000" info "$T/pv.core"
expect_out "info-pv-page-offset" 0 "page_offset: 0xffff888000000000  [page tables" info "$T/pv.core"
expect_out "info-hvm-kaslr" 0 "kaslr_offset: 0x2a00000  [VMCOREINFO KERNELOFFSET]" info "$T/hvm.core"
expect_out "info-hvm-physbase" 0 "phys_base: -0x1600000  [VMCOREINFO NUMBER(phys_base)]" info "$T/hvm.core"
expect_out "info-hvm-table" 0 "page_table: physical 0x2800000  [init_top_pgt" info "$T/hvm.core"
expect_out "info-hvm-page-offset" 0 "page_offset: 0xffff9a0c40000000  [page tables" info "$T/hvm.core"
expect_out "info-hvm-uts" 0 "nodename: gcguest  [init_uts_ns in memory (name at +0)]" info "$T/hvm.core"
expect_out "info-panic" 0 "panic: Kernel panic - not syncing: sysrq triggered crash  [kernel log]" info "$T/pv.core"
expect_out "info-cpus" 0 "cpus_online: 2  [kallsyms]" info "$T/pv.core"

# check: the guest's p2m agrees (frame-list-list, linear list, 3-level tree)
expect_out "check-pv-fll" 0 "ok       the guest's p2m via shared_info frame-list-list agrees with the dump's index for all 15360 dumped pfns it maps" check "$T/pv.core"
expect_out "check-pv-linear" 0 "ok       the guest's linear p2m list (xen_p2m_addr) agrees with the dump's index for all 15360 dumped pfns it maps" check "$T/pv.core"
expect_out "check-pv-clean" 0 "result: clean" check "$T/pv.core"
m10=$(val pvtree mfn_of_0x10)
expect_out "check-tree-bad" 1 "warning  the guest's 3-level p2m tree (p2m_top): pfn 0x10 -> mfn 0x99999 in the guest's p2m, but the dump's index says mfn $m10" \
	check "$T/pvtree.core"
expect_out "check-tree-missing" 1 "warning  the guest's 3-level p2m tree (p2m_top): pfn 0x2001 is missing (~0) in the guest's p2m, but the dump's index maps it to mfn" \
	check "$T/pvtree.core"
expect_out "check-tree-fll-bad" 1 "warning  the guest's p2m via shared_info frame-list-list: pfn 0x10 -> mfn 0x99999 in the guest's p2m, but the dump's index says mfn $m10" \
	check "$T/pvtree.core"
expect_out "check-tree-summary" 1 "the guest's 3-level p2m tree (p2m_top) disagrees with the dump's index for 2 pfns (15359 compared, 1 dumped pfns missing in the guest's map" \
	check "$T/pvtree.core"
# pvbad: pfn 0x1234's mfn is replaced by 0 in the guest's linear list
expect_out "check-linear-bad" 1 "warning  the guest's linear p2m list (xen_p2m_addr): pfn 0x1234 -> mfn 0x0 in the guest's p2m, but the dump's index says mfn" \
	check "$T/pvbad.core"
expect_out "check-linear-missing" 1 "pfn 0x3401 is missing (~0) in the guest's p2m, but the dump's index maps it to mfn" \
	check "$T/pvbad.core"

# .xen_shared_info damage: a section too short for arch.max_pfn and the
# frame-list-list, an offset whose + 3088 wraps around 2^64, one that runs
# past the end of the file, and a frame-list-list mfn past the 52-bit
# machine space.  Each is one p2m-fll warning and the rest of check (the
# linear list) goes on.  Before: exit 2 with no findings at all; the
# wrapped read took bytes from the start of the file as max_pfn and
# frame-list-list; mfn << 12 overflowed.
gen sishort --pv --shared-info-at end-16 --shared-info-size 16
gen siwrap --pv --shared-info-at 0xfffffffffffffff8
gen sipast --pv --shared-info-at end-16
gen siwild --pv --shared-info-fll 0xffffffff81027ee0
# si_check NAME 'LINE' : check exits 1, prints LINE and still checks the
# linear p2m list
si_check() {
	run_gc "check-$1" 1 check "$T/$1.core" || return
	if printf '%s\n' "$OUT" | grep -qxF -- "$2"; then
		pass "check-$1"
	else
		fail "check-$1" "no line '$2' in: $(printf '%s\n' "$OUT" | grep -v '^  ok' | head -5)"
	fi
	if printf '%s\n' "$OUT" | grep -qxF -- "  ok       the guest's linear p2m list (xen_p2m_addr) agrees with the dump's index for all 15360 dumped pfns it maps"; then
		pass "check-$1-goes-on"
	else
		fail "check-$1-goes-on" "no linear-list result in: $(printf '%s\n' "$OUT" | tail -3)"
	fi
}
if [ -f "$T/sishort.core" ] && [ -f "$T/sipast.core" ]; then
	sz=$(stat -c %s "$T/sishort.core")
	si_check sishort "  warning  the .xen_shared_info section is 0x10 bytes, too short to hold arch.max_pfn and pfn_to_mfn_frame_list_list (bytes 0xc10-0xc1f): the frame-list-list cannot be checked [offset $(printf '0x%x' $((sz - 16)))]"
	sz=$(stat -c %s "$T/sipast.core")
	si_check sipast "  warning  shared_info's arch.max_pfn and frame-list-list cannot be read: shared_info.arch at offset $(printf '0x%x' $((sz - 16 + 3088))): needs 0x10 bytes but the file ends at $(printf '0x%x' "$sz") [offset $(printf '0x%x' $((sz - 16 + 3088)))]"
fi
si_check siwrap "  warning  the .xen_shared_info section at offset 0xfffffffffffffff8 wraps around the 64-bit file offset space: the frame-list-list cannot be checked [offset 0xfffffffffffffff8]"
si_check siwild "  warning  the frame-list-list at mfn 0xffffffff81027ee0 cannot be read: p2m frame: mfn 0xffffffff81027ee0 is past the 52-bit machine address space"

# IDENTITY / FOREIGN p2m entries (Linux's bits 62 / 63) name no frame of
# the guest's RAM.  pfn 0x3000 (in the ballooned hole, not dumped) is
# IDENTITY_FRAME(0x3000), and with --mfn-base 0x2000 mfn 0x3000 is another
# pfn's dumped frame; pfn 0x1010 is FOREIGN_FRAME(0x5).  Before, the flag
# bits were stripped: the legacy view read pfn 0x3000 as that other page,
# and check compared 0x5 with pfn 0x1010's mfn as if it were a frame.
gen pvflag --pv --p2m-bad 0x3000=0x4000000000003000 --p2m-bad 0x1010=0x8000000000000005
gen legflag --pv --legacy --mfn-base 0x2000 --p2m-bad 0x3000=0x4000000000003000 --p2m-bad 0x1010=0x8000000000000005
# has_line NAME 'LINE' : $OUT has exactly that line
has_line() {
	if printf '%s\n' "$OUT" | grep -qxF -- "$2"; then
		pass "$1"
	else
		fail "$1" "no line '$2' in: $(printf '%s\n' "$OUT" | grep -v '^  ok' | head -6)"
	fi
}
if run_gc "check-flagged-elf" 1 check "$T/pvflag.core"; then
	has_line "check-flagged-foreign" "  warning  the guest's linear p2m list (xen_p2m_addr): pfn 0x1010 is a FOREIGN entry (0x8000000000000005) in the guest's p2m, not a frame of its RAM, but the dump's index maps it to mfn $(val pvflag mfn_of_0x1010)"
	has_line "check-flagged-summary" "  warning  the guest's linear p2m list (xen_p2m_addr) disagrees with the dump's index for 1 pfns (15360 compared, 0 dumped pfns missing in the guest's map; first 20 listed) (1 IDENTITY/FOREIGN entry for pfns not in the dump: not RAM, not compared)"
fi
expect_err "legacy-identity-not-read" 2 "guestcore: $T/legflag.core: read at physical address 0x3000000: pfn 0x3000 is not in the dump" \
	read "$T/legflag.core" -p 0x3000000 16
run_gc "legacy-foreign-p2m" 1 p2m "$T/legflag.core" 1010 &&
	same "legacy-foreign-p2m-text" "$OUT" "pfn 0x1010 -> not in the dump: pfn 0x1010 has no dumped frame in the guest's p2m (16384 entries)"
if run_gc "check-flagged-legacy" 0 check "$T/legflag.core"; then
	has_line "check-flagged-legacy-note" "  note     the dump has no pfn column; its pfn map is the guest's own p2m (the guest's linear p2m list (xen_p2m_addr 0xffffc90000400000, xen_p2m_size 16384), without 1 IDENTITY and 1 FOREIGN entries (not the guest's RAM), read through vcpu 0 cr3 (16384 entries; 15359 of 15360 dumped frames get a pfn)), so there is nothing independent to compare it with"
fi

# Two pfns naming one dumped frame in a legacy dump's p2m: pfn 0x10 says
# pfn 0x1010's mfn.  Which is right is unknown, so neither is read (before,
# pfn 0x10 read pfn 0x1010's page), and check warns.
m1010=$(val leg mfn_of_0x1010)
gen legdup --pv --legacy --p2m-bad "0x10=$m1010"
expect_err "legacy-many-to-one-not-read" 2 "guestcore: $T/legdup.core: read at physical address 0x10000: pfn 0x10 is not in the dump" \
	read "$T/legdup.core" -p 0x10000 16
expect_err "legacy-many-to-one-other-not-read" 2 "guestcore: $T/legdup.core: read at physical address 0x1010000: pfn 0x1010 is not in the dump" \
	read "$T/legdup.core" -p 0x1010000 16
if run_gc "check-legacy-many-to-one" 1 check "$T/legdup.core"; then
	has_line "check-legacy-many-to-one-line" "  warning  2 pfns of the guest's p2m name 1 dumped frame that another pfn names too (the first: mfn $m1010, named by pfn 0x10 and pfn 0x1010); which of them is right is unknown, so all are left unmapped"
fi

# The seed case: vCPU 0's cr3 frame is not in the dump; init_top_pgt is used
expect_out "cr3-missing-note" 0 "note: vcpu 0 cr3 0x7f743000 (machine frame 0x7f743) is not in the dump; the kernel's init_top_pgt is used instead" \
	info "$T/pvmiss.core"
expect_out "cr3-missing-table" 0 "page_table: machine $(val pvmiss cr3)  [init_top_pgt" info "$T/pvmiss.core"
expect_out "cr3-missing-check" 1 "error    vcpu 0 cr3 = 0x7f743000 -> mfn 0x7f743 is not among the 15360 dumped frames" check "$T/pvmiss.core"
expect_out "cr3-missing-kernel-note" 1 "note     vcpu 0 cr3 0x7f743000 (machine frame 0x7f743) is not in the dump; the kernel's init_top_pgt is used instead" check "$T/pvmiss.core"
vt pvmiss directmap "$(val pvmiss marker_va)"
expect_out "cr3-missing-log" 0 "[   12.345679] Kernel panic - not syncing: sysrq triggered crash" log "$T/pvmiss.core"
expect_out "cr3-missing-hvm" 0 "note: vcpu 0 cr3 0x3043000 (physical frame 0x3043) is not in the dump; the kernel's init_top_pgt is used instead" \
	info "$T/hvmmiss.core"
vt hvmmiss text "$(val hvmmiss text_va)"

# Legacy PV (no pfn column): reads by pfn through the rebuilt p2m
mk=$(val leg marker_pfn)
expect_out "legacy-p2m-source" 0 "p2m_source: the guest's linear p2m list (xen_p2m_addr 0xffffc90000400000, xen_p2m_size 16384), read through vcpu 0 cr3 (16384 entries; 15360 of 15360 dumped frames get a pfn)" \
	info "$T/leg.core"
expect_out "legacy-cr3-missing-p2m" 0 "read through vcpu 1 cr3 (16384 entries; 15360 of 15360 dumped frames get a pfn)" \
	info "$T/legmiss.core"
expect_out "legacy-cr3-missing-note" 0 "note: vcpu 0 cr3 0x7f743000 (machine frame 0x7f743) is not in the dump; the kernel's init_top_pgt is used instead" \
	info "$T/legmiss.core"
expect_out "legacy-tree-p2m-source" 0 "p2m_source: the guest's 3-level p2m tree (p2m_top 0x" info "$T/legtree.core"
expect_out "legacy-rd-p" 0 "$(printf '%16x' $((mk * 4096))):  2054534555474347 6d2d746365726964   GCGUEST direct-m" \
	rd "$T/leg.core" -p "$(printf '%x' $((mk * 4096)))" 2
expect_out "legacy-tree-rd-p" 0 "GCGUEST direct-m" rd "$T/legtree.core" -p "$(printf '%x' $(($(val legtree marker_pfn) * 4096)))" 2
same "legacy-read-p" "GCGUEST direct-map page pfn=$mk" \
	"$("$GC" read "$T/leg.core" -p "$(printf '0x%x' $((mk * 4096)))" 64 | tr -d '\0' | head -1)"
m=$(val leg mfn_of_0x1010)
expect_out "legacy-p2m-cmd" 0 "pfn 0x1010 -> mfn $m" p2m "$T/leg.core" 1010
expect_out "legacy-m2p-cmd" 0 "mfn $m -> pfn 0x1010" p2m "$T/leg.core" --mfn "${m#0x}"
expect_out "legacy-check" 0 "ok       reads by pfn use the guest's p2m (16384 entries): 15360 of 15360 dumped frames have a pfn; 0 mfns it names are not in the dump" \
	check "$T/leg.core"
expect_out "legacy-check-note" 0 "note     the dump has no pfn column; its pfn map is the guest's own p2m" check "$T/leg.core"
expect_err "legacy-hole" 1 "guestcore: $T/leg.core: read at physical address 0x3000000: pfn 0x3000 is not in the dump" \
	rd "$T/leg.core" -p 3000000
# The same guest, ELF and legacy, reads the same bytes by pfn
for a in 0x2200000 0x2601000 $((mk * 4096)); do
	same "legacy-same-as-elf-$a" "$("$GC" read "$T/pv.core" -p "$(printf '0x%x' $a)" 4096 | md5sum)" \
		"$("$GC" read "$T/leg.core" -p "$(printf '0x%x' $a)" 4096 | md5sum)"
done

# convert: the output's page tables (rewritten to pfns for PV) translate
# kernel addresses to the same bytes as guestcore's Xen-aware translation
for gf in pv.elf pv.kdump hvm.elf hvm.kdump leg.elf; do
	g=${gf%.*} fmt=${gf#*.}
	{
		out="$T/$g.$fmt"
		rm -f "$out"
		expect_out "convert-$g-$fmt" 0 "verify: 15360 pages identical, 0 excluded (zero), 0 missing in the source, 0 mismatches, 0 extra frames in the output" \
			convert "$T/$g.core" -o "$out" --format "$fmt" --verify
		for a in "$(val $g text_va)" "$(printf '0x%x' $(($(val $g text_va) + 0x300100)))" \
			"$(val $g sym_linux_banner)" "$(val $g marker_va)" \
			"$(printf '0x%x' $(($(val $g vmalloc_va) + 0x40)))" \
			"$(printf '0x%x' $(($(val $g page_offset) + 0x200000 + 0x1238)))"; do
			want=$("$GC" rd "$T/$g.core" -v "${a#0x}" 8 2>&1)
			got=$("$GC" rd "$out" -v "${a#0x}" 8 2>&1)
			case "$want" in *guestcore:*) fail "convert-rd-$g-$fmt-$a" "source: $want"; continue ;; esac
			same "convert-rd-$g-$fmt-$a" "$want" "$got"
		done
	}
done
if [ -f "$T/pv.elf" ]; then
	a=$(val pv p2m_va)
	same "convert-rd-pv-p2m-list" "$("$GC" rd "$T/pv.core" -v "${a#0x}" 8)" "$("$GC" rd "$T/pv.elf" -v "${a#0x}" 8)"
	expect_out "convert-pv-log" 0 "[    7.000001] guestcore fixture: a line that wraps the data ring" log "$T/pv.elf"
fi

# the vtop --json comparisons collected above
if [ -s "$T/walks" ]; then
	python3 "$T/cmpwalk.py" "$T/walks" || fail "vtop-json" "the comparison script failed"
fi
