# Kernel layer, part two: kallsyms found by searching the kernel image
# (the path kernels < 6.0 need), 5-level paging and randomised direct maps
# end to end on generated vmcores, and vtop --json checked field by field
# against crash's vtop on the real dumps.
. "$(dirname "$0")/lib.sh"

MK="$(dirname "$GC")/mkvmcore"
HERE="$(cd "$(dirname "$0")" && pwd)"

# section FILE CMD : the output crash printed for "### crash> CMD"
section() {
	awk -v want="### crash> $2" '
		$0 == want { on = 1; next }
		/^### crash> / { on = 0 }
		on { print }' "$1"
}

# kallsyms_fact DUMP : the "kallsyms" fact (table addresses) of a search,
# then where VMCOREINFO came from, then phys_base (decimal)
kallsyms_fact() {
	GUESTCORE_KALLSYMS=search "$GC" info --json "$1" 2>/dev/null |
		python3 -c 'import json,sys; k=json.load(sys.stdin)["kernel"]; print(k["kallsyms"]["value"]); print(k["vmcoreinfo"]["source"]); v=k["phys_base"]["value"]; print(("-" if v.startswith("-") else "") + str(int(v.lstrip("-"), 16)))' 2>/dev/null
}

# vmcoreinfo_text DUMP SOURCE : the raw VMCOREINFO, read without guestcore's
# parser (file offset) or with a plain physical read (found in memory)
vmcoreinfo_text() {
	local off
	case "$2" in
	*"at file offset 0x"*)
		off=$(printf '%s\n' "$2" | sed 's/.*file offset 0x\([0-9a-f]*\).*/\1/')
		tail -c +$((0x$off + 1)) "$1" | head -c 8192 ;;
	*"at physical address 0x"*)
		off=$(printf '%s\n' "$2" | sed 's/.*physical address 0x\([0-9a-f]*\).*/\1/')
		"$GC" read "$1" -p "0x$off" 4000 ;;
	esac | tr '\0' '\n'
}

# ---- 1. kallsyms by search on the real dumps ---------------------------
# The search must find the very tables VMCOREINFO points at (6.1 kernels
# carry the pointers, so they are the referee), and give crash's answers.
real_search() {
	local tag=$1 dump=$2 crashout=$3 names=$4
	if [ -z "$GC_DUMP_CACHE" ] || [ ! -f "$dump" ]; then
		skip "kmore-$tag-search" "real dump absent"
		return
	fi
	local fact src want got
	kallsyms_fact "$dump" > "$T/fact"
	sed -n 3p "$T/fact" > "$T/physbase-$tag"
	fact=$(sed -n 1p "$T/fact")
	src=$(sed -n 2p "$T/fact")
	if [ -z "$fact" ]; then
		fail "kmore-$tag-search-finds-tables" "no kallsyms fact with GUESTCORE_KALLSYMS=search"
		return
	fi
	vmcoreinfo_text "$dump" "$src" > "$T/vi"
	for t in token_table token_index names num_syms offsets relative_base; do
		want=$(grep -a "^SYMBOL(kallsyms_$t)=" "$T/vi" | cut -d= -f2)
		got=$(printf '%s\n' "$fact" | sed -n "s/.* $t 0x\([0-9a-f]*\).*/\1/p")
		if [ -n "$want" ]; then
			same "kmore-$tag-search-$t-is-vmcoreinfos" "$got" "$want"
		else
			fail "kmore-$tag-search-$t-is-vmcoreinfos" "no SYMBOL(kallsyms_$t) in VMCOREINFO ($src)"
		fi
	done
	[ "$names" = names ] || return
	# every symbol crash was asked about, by name, as crash printed it
	local first=1
	grep '^### crash> sym ' "$crashout" | sed 's/^### crash> sym //' > "$T/names"
	while read -r name; do
		want=$(section "$crashout" "sym $name" | head -1 | awk '{print $1, $2, $3}')
		run_gc "kmore-$tag-search-sym-$name" 0 sym "$dump" "$name" --kallsyms search || continue
		same "kmore-$tag-search-sym-$name" "$OUT" "$want"
		[ $first = 1 ] || continue
		first=0
		# and back: the address + 16 resolves as with VMCOREINFO's
		# pointers
		a=$(printf '0x%x' $((0x${want%% *} + 16)))
		s1=$("$GC" sym "$dump" "$a" --kallsyms search 2>&1)
		s2=$("$GC" sym "$dump" "$a" --kallsyms vmcoreinfo 2>&1)
		case "$s2" in *"+16") same "kmore-$tag-search-sym-addr-$name" "$s1" "$s2" ;;
		*) fail "kmore-$tag-search-sym-addr-$name" "vmcoreinfo mode said $s2" ;; esac
	done < "$T/names"
}

# (the KASLR ELF dump's twin, makedumpfile lzo, stands for both)
for q in qemu-idle-nokaslr/qemu-6.1-idle-2cpu.elf \
	 qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.makedumpfile-d0-lzo; do
	case $q in *lzo) n=names ;; *) n=tables-only ;; esac
	real_search "$(basename "$q" | sed 's/qemu-6.1-//; s/-2cpu//')" "$GC_DUMP_CACHE/$q" \
		"$GC_SHARED_DUMPS/$(dirname "$q")/expected/$(basename "$q").crash.txt" $n
done
# (sym by name through the search: on the KASLR dump and the PV guest; the
# other two check the tables only, to keep this script short)
for kind in pv pvh; do
	[ $kind = pv ] && n=names || n=tables-only
	real_search "xen-$kind" "$GC_DUMP_CACHE/xen-$kind-idle/xen-$kind-idle.core" \
		"$GC_SHARED_DUMPS/xen-$kind-idle/expected/xen-$kind-idle.crash.txt" $n
done
kd="$GC_DUMP_CACHE/qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.elf"
if [ -f "$kd" ]; then
	# the facts that need kallsyms come out the same either way
	GUESTCORE_KALLSYMS=search expect_out "kmore-kaslr-search-cpus-online" 0 "cpus_online: 1  [kallsyms (found by searching the kernel image)]" \
		info "$kd"
	# the env var only sets the default; the option wins
	GUESTCORE_KALLSYMS=search run_gc "kmore-kallsyms-option-wins" 0 sym "$kd" --json start_kernel --kallsyms vmcoreinfo &&
	case "$OUT" in *'"source": "kallsyms"'*) pass "kmore-kallsyms-option-wins" ;;
	*) fail "kmore-kallsyms-option-wins" "$OUT" ;; esac
fi
expect_err "kmore-kallsyms-bad-mode" 2 "guestcore: --kallsyms takes auto, vmcoreinfo or search" \
	sym /dev/null _stext --kallsyms sideways

# ---- 2. generated kernels: 5-level, randomised direct maps, kallsyms ----
if [ ! -x "$MK" ]; then
	skip "kmore-fixtures" "mkvmcore not built"
else
	# kv FILE KEY : a value mkvmcore printed
	kv() { sed -n "s/^$2=//p" "$1"; }
	fixture() { # NAME ARGS... : writes $T/NAME.elf, .out, .ks
		local n=$1
		shift
		"$MK" kernel "$T/$n.elf" "$@" > "$T/$n.out" 2> "$T/$n.ks"
	}
	fixture k5 --levels 5 --page-offset ff3d8e8040000000 --kaslr 1ce00000
	fixture k5q --levels 5 --page-offset ff11000000000000 --kaslr 0 --qemu --no-vmcoreinfo
	fixture k4 --levels 4 --page-offset ffff9a5c80000000 --kaslr 3a000000 --kallsyms new
	fixture k4abs --levels 4 --kaslr 0 --kallsyms abs
	fixture k4none --levels 4 --page-offset ffffa11c00000000 --kallsyms none
	fixture k4pc --levels 4 --kaslr 2a000000 --kallsyms pcrel
	fixture k4seq --levels 4 --kaslr 0 --kallsyms seqs
	fixture k4seq4 --levels 4 --kaslr 4000000 --kallsyms seqs4

	# info: levels, the randomised direct map, phys_base, uts
	run_gc "kmore-l5-info" 0 info "$T/k5.elf" &&
	for want in "paging_levels: 5  [VMCOREINFO NUMBER(pgtable_l5_enabled)]" \
		    "page_offset: 0xff3d8e8040000000  [page tables" \
		    "kaslr_offset: 0x1ce00000" "phys_base: -0x1da00000" \
		    "release: 6.1.0-fixture  [init_uts_ns in memory (name at +4)]" \
		    "page_table: physical 0x700000"; do
		case "$OUT" in *"$want"*) pass "kmore-l5-info-${want%%:*}" ;;
		*) fail "kmore-l5-info-${want%%:*}" "no '$want' in: $(echo "$OUT" | grep -A20 kernel:)" ;; esac
	done
	# vtop through all five levels: text (2 MiB), direct map, vmalloc (4 KiB)
	b=$(kv "$T/k5.out" banner)
	run_gc "kmore-l5-vtop-text" 0 vtop "$T/k5.elf" "$b" --json &&
	same "kmore-l5-vtop-text" "$(echo "$OUT" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["levels"], [l["level"] for l in j["walk"]], j["physical"], j["page_size"])')" \
		"5 ['PML5', 'PGD', 'PUD', 'PMD'] 0x500000 2097152"
	run_gc "kmore-l5-vtop-directmap" 0 vtop "$T/k5.elf" 0xff3d8e8040345678 --json &&
	same "kmore-l5-vtop-directmap" "$(echo "$OUT" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["walk"][0]["index"], j["walk"][1]["index"], j["physical"])')" \
		"317 285 0x345678"
	run_gc "kmore-l5-vtop-vmalloc-4k" 0 vtop "$T/k5.elf" "$(kv "$T/k5.out" vmalloc)" &&
	case "$OUT" in *"80000000007ff163    7ff000  (PRESENT|RW|ACCESSED|DIRTY|GLOBAL|NX)"*) pass "kmore-l5-vtop-vmalloc-4k" ;;
	*) fail "kmore-l5-vtop-vmalloc-4k" "$OUT" ;; esac
	# rd -v: the banner through the kernel mapping and the direct map
	expect_out "kmore-l5-rd-v-text" 0 "Linux version 6." rd "$T/k5.elf" -v "$b" 2
	expect_out "kmore-l5-rd-v-directmap" 0 "Linux version 6." rd "$T/k5.elf" -v 0xff3d8e8040500000 2
	# a 4-level address is not canonical here
	run_gc "kmore-l5-vtop-noncanonical" 1 vtop "$T/k5.elf" 0xfe00000000000000 &&
	case "$OUT" in *"not a canonical 5-level address"*) pass "kmore-l5-vtop-noncanonical" ;;
	*) fail "kmore-l5-vtop-noncanonical" "$OUT" ;; esac
	# sym: VMCOREINFO SYMBOL()s and kallsyms found by search (auto: no
	# pointers in this VMCOREINFO, as on Linux < 6.0)
	expect_out "kmore-l5-sym-vmcoreinfo" 0 "ffffffff9e100000 (D) init_top_pgt" sym "$T/k5.elf" init_top_pgt
	expect_out "kmore-l5-sym-kallsyms" 0 "ffffffff9de00120 (t) fixture_func_017" sym "$T/k5.elf" fixture_func_017
	expect_out "kmore-l5-sym-percpu" 0 "000000000001a000 (D) cpu_number" sym "$T/k5.elf" cpu_number
	expect_out "kmore-l5-sym-addr" 0 "ffffffff9de01125 (T) fixture_func_273+5" sym "$T/k5.elf" 0xffffffff9de01125
	expect_out "kmore-l5-sym-type-in-token" 0 "(t) fixture_func_002" sym "$T/k5.elf" fixture_func_002
	# the tables found are where mkvmcore put them
	for f in k5 k4 k4abs k4pc k4seq k4seq4; do
		want=$(sed -n 's/^kallsyms: \([0-9]* symbols; token_table [^ ]* token_index [^ ]* markers [^ ]* names [^ ]* num_syms [^ ]*\).*/\1/p' "$T/$f.ks")
		got=$(kallsyms_fact "$T/$f.elf" | head -1 | sed 's/ \(offsets\|addresses\) .*//')
		same "kmore-$f-search-locates-tables" "$got" "$want"
	done
	expect_out "kmore-k4-layout-6.4" 0 "after kallsyms_token_index (6.4+)" info "$T/k4.elf"
	expect_out "kmore-k4abs-layout-absolute" 0 "kallsyms_addresses before kallsyms_num_syms" info "$T/k4abs.elf"
	expect_out "kmore-k4abs-sym" 0 "ffffffff81000120 (t) fixture_func_017" sym "$T/k4abs.elf" fixture_func_017
	# Linux 7.0+: no kallsyms_relative_base, every offset relative to its
	# own address, num_syms right before the names; VMCOREINFO points at
	# the tables without a base (both ways must decode them)
	for how in vmcoreinfo search; do
		expect_out "kmore-k4pc-$how-sym" 0 "ffffffffab000120 (t) fixture_func_017" \
			sym "$T/k4pc.elf" fixture_func_017 --kallsyms $how
		expect_out "kmore-k4pc-$how-percpu-in-image" 0 "ffffffffab39c000 (D) cpu_number" \
			sym "$T/k4pc.elf" cpu_number --kallsyms $how
	done
	GUESTCORE_KALLSYMS=search expect_out "kmore-k4pc-layout-7.0" 0 "each relative to itself (7.0+)" info "$T/k4pc.elf"
	# a kallsyms_names entry longer than scripts/kallsyms.c can write (a
	# two-byte length over 0x3fff) is refused with its address, by both
	# ways of finding the tables (it overran a stack buffer: SIGSEGV)
	cp "$T/k4pc.elf" "$T/k4big.elf"
	nm=$(sed -n 's/.* names 0x\([0-9a-f]*\) .*/\1/p' "$T/k4pc.ks")
	printf '\377\377' | dd of="$T/k4big.elf" bs=1 conv=notrunc status=none \
		seek=$((0x$nm - 0xffffffffab000000 + 0x400000 + 0x1000))
	want="kallsyms_names at kernel virtual address 0x$nm: entry 0 claims 32767 bytes (scripts/kallsyms.c writes at most 16383)"
	for how in vmcoreinfo auto; do
		run_gc "kmore-kallsyms-entry-too-long-$how" 2 sym "$T/k4big.elf" fixture_func_017 --kallsyms $how &&
		case "$ERR" in *"$want") pass "kmore-kallsyms-entry-too-long-$how" ;;
		*) fail "kmore-kallsyms-entry-too-long-$how" "stderr: $ERR" ;; esac
	done
	run_gc "kmore-kallsyms-entry-too-long-search" 2 sym "$T/k4big.elf" fixture_func_017 --kallsyms search &&
	case "$ERR" in *"a token table at 0x"*" has no markers and names before it)") pass "kmore-kallsyms-entry-too-long-search" ;;
	*) fail "kmore-kallsyms-entry-too-long-search" "stderr: $ERR" ;; esac
	# names are bytes from the dump: an ESC in the "fixture_" token and a
	# non-ASCII type token reach no output (they were printed raw); both
	# show as '?', and info counts the names
	python3 - "$T/k4pc.elf" "$T/k4pc.ks" "$T/k4esc.elf" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
r = open(sys.argv[2]).read()
tt = int(r.split("token_table 0x")[1].split()[0], 16)
ti = int(r.split("token_index 0x")[1].split()[0], 16)
at = lambda va: va - 0xffffffffab000000 + 0x400000 + 0x1000
idx = [int.from_bytes(b[at(ti) + 2 * i:at(ti) + 2 * i + 2], "little") for i in range(256)]
toks = {bytes(b[at(tt) + o:b.index(0, at(tt) + o)]): at(tt) + o for o in idx}
b[toks[b"fixture_"]] = 0x1b
b[toks[b"T"]] = 0xfe
open(sys.argv[3], "wb").write(b)
PY
	expect_out "kmore-kallsyms-esc-sym" 0 "ffffffffab000012 (?) ?ixture_func_000+2" \
		sym "$T/k4esc.elf" 0xffffffffab000012
	case "$OUT" in *$'\033'*) fail "kmore-kallsyms-esc-raw" "ESC in: $OUT" ;; *) pass "kmore-kallsyms-esc-raw" ;; esac
	expect_out "kmore-kallsyms-esc-info" 0 "kallsyms_unprintable: 136 of 308 symbol names or types hold bytes outside printable ASCII (shown as ?)" \
		info "$T/k4esc.elf"
	run_gc "kmore-kallsyms-clean-no-fact" 0 info "$T/k4pc.elf" &&
	case "$OUT" in *kallsyms_unprintable*) fail "kmore-kallsyms-clean-no-fact" "$OUT" ;;
	*) pass "kmore-kallsyms-clean-no-fact" ;; esac
	# Linux 6.2/6.3: kallsyms_seqs_of_names (3 bytes a symbol; 4 in the
	# patches before the merge) between the markers and the token table
	expect_out "kmore-k4seq-layout-6.2" 0 "kallsyms_seqs_of_names between the markers and the token table (6.2/6.3)" info "$T/k4seq.elf"
	expect_out "kmore-k4seq-sym" 0 "ffffffff81000120 (t) fixture_func_017" sym "$T/k4seq.elf" fixture_func_017
	expect_out "kmore-k4seq-sym-last" 0 "(B) jiffies_64" sym "$T/k4seq.elf" jiffies_64
	expect_out "kmore-k4seq4-layout-6.2" 0 "kallsyms_seqs_of_names between the markers and the token table (6.2/6.3)" info "$T/k4seq4.elf"
	expect_out "kmore-k4seq4-sym" 0 "ffffffff85000120 (t) fixture_func_017" sym "$T/k4seq4.elf" fixture_func_017
	run_gc "kmore-k4-no-seqs-gap" 0 info "$T/k4.elf" &&
	case "$OUT" in *seqs_of_names*) fail "kmore-k4-no-seqs-gap" "$(echo "$OUT" | grep kallsyms)" ;;
	*) pass "kmore-k4-no-seqs-gap" ;; esac
	# without VMCOREINFO: CR4.LA57 from the QEMU note says 5 levels,
	# the cr3 is used, the direct map is found, kallsyms still are
	run_gc "kmore-l5-nvi-info" 0 info "$T/k5q.elf" &&
	for want in "paging_levels: 5  [vCPU CR4.LA57]" \
		    "page_offset: 0xff11000000000000" \
		    "page_table: physical 0x700000  [vcpu 0 cr3" \
		    "kallsyms: 308 symbols"; do
		case "$OUT" in *"$want"*) pass "kmore-l5-nvi-${want%%:*}" ;;
		*) fail "kmore-l5-nvi-${want%%:*}" "no '$want' in: $(echo "$OUT" | grep -A20 kernel:)" ;; esac
	done
	expect_out "kmore-l5-nvi-sym" 0 "ffffffff81100000 (D) linux_banner" sym "$T/k5q.elf" linux_banner
	# 4-level with a randomised direct map (not ffff888000000000)
	expect_out "kmore-l4-random-directmap" 0 "page_offset: 0xffff9a5c80000000  [page tables" info "$T/k4.elf"
	expect_out "kmore-l4-rd-v-directmap" 0 "Linux version 6." rd "$T/k4.elf" -v 0xffff9a5c80500000 2
	expect_out "kmore-l4none-directmap" 0 "page_offset: 0xffffa11c00000000" info "$T/k4none.elf"
	# no kallsyms in the image: names from VMCOREINFO still resolve,
	# addresses fail with the reason
	expect_out "kmore-nokallsyms-sym-name" 0 "(?) init_uts_ns" sym "$T/k4none.elf" init_uts_ns
	run_gc "kmore-nokallsyms-sym-addr" 2 sym "$T/k4none.elf" 0xffffffff9de00100 &&
	case "$ERR" in *"no kallsyms tables found in "*"KiB of the kernel image"*) pass "kmore-nokallsyms-sym-addr" ;;
	*) fail "kmore-nokallsyms-sym-addr" "$ERR" ;; esac
	run_gc "kmore-nokallsyms-vmcoreinfo-mode" 2 sym "$T/k4none.elf" 0xffffffff9de00100 --kallsyms vmcoreinfo &&
	case "$ERR" in *"VMCOREINFO does not locate the kallsyms tables (Linux < 6.0)"*) pass "kmore-nokallsyms-vmcoreinfo-mode" ;;
	*) fail "kmore-nokallsyms-vmcoreinfo-mode" "$ERR" ;; esac

	# init_uts_ns.name after a 4-byte kref (Linux <= 5.10) with no
	# OFFSET(uts_namespace.name) in VMCOREINFO, as x86 kernels write it:
	# found at +4 (read at +0 it gave an empty release on a real 5.10 dump)
	fixture kuts --levels 4 --no-uts-offset
	expect_out "kmore-uts-offset-4-found" 0 "release: 6.1.0-fixture  [init_uts_ns in memory (name at +4)]" info "$T/kuts.elf"
	expect_out "kmore-uts-offset-4-sys" 1 "     RELEASE: 6.1.0-fixture" sys "$T/kuts.elf"
	fixture kutsx --levels 4 --no-uts-offset --uts-release 9.9.9-other
	expect_out "kmore-uts-release-disagrees" 0 "note: init_uts_ns says release '9.9.9-other', VMCOREINFO OSRELEASE says '6.1.0-fixture'" info "$T/kutsx.elf"
	fixture kutsbad --levels 4 --no-uts-offset --uts-release "$(printf 'x\001')"
	run_gc "kmore-uts-none" 0 info "$T/kutsbad.elf" &&
	case "$OUT" in *" release: "*) fail "kmore-uts-none" "a release from init_uts_ns: $(echo "$OUT" | grep release)" ;;
	*"holds no utsname at offset 0, 4 or 8"*) pass "kmore-uts-none" ;;
	*) fail "kmore-uts-none" "no note: $(echo "$OUT" | grep note)" ;; esac
	# sys on a kernel without BTF: what is unknown is said, exit 1 (the
	# timekeeper's error was freed twice: abort)
	run_gc "kmore-sys-no-btf" 1 sys "$T/kutsbad.elf" &&
	case "$OUT$ERR" in *"RELEASE: 6.1.0-fixture"*"timekeeper (date, uptime)"*) pass "kmore-sys-no-btf" ;;
	*) fail "kmore-sys-no-btf" "$OUT $ERR" ;; esac
fi

# ---- 3. vtop --json against crash's vtop, field by field -----------------
vtop_json() {
	local tag=$1 dump=$2 crashout=$3
	if [ -z "$GC_DUMP_CACHE" ] || [ ! -f "$dump" ]; then
		skip "kmore-$tag-vtop-json" "real dump absent"
		return
	fi
	local pb
	# phys_base as guestcore found it in section 1
	pb=$(cat "$T/physbase-$tag" 2>/dev/null)
	[ -n "$pb" ] || pb=$("$GC" info --json "$dump" | python3 -c 'import json,sys; v=json.load(sys.stdin)["kernel"]["phys_base"]["value"]; print(("-" if v.startswith("-") else "") + str(int(v.lstrip("-"), 16)))')
	grep '^### crash> vtop ' "$crashout" | sed 's/^### crash> vtop //' |
	while read -r va; do
		section "$crashout" "vtop $va" > "$T/vtop-crash"
		run_gc "kmore-$tag-vtop-json-$va" 0 vtop "$dump" "$va" --json || continue
		printf '%s\n' "$OUT" > "$T/vtop.json"
		r=$(python3 "$HERE/vtop_json_check.py" "$T/vtop-crash" "$T/vtop.json" "$pb")
		case "$r" in ok*) pass "kmore-$tag-vtop-json-$va" ;;
		*) fail "kmore-$tag-vtop-json-$va" "$r" ;; esac
	done
}
vtop_json idle-nokaslr.elf "$GC_DUMP_CACHE/qemu-idle-nokaslr/qemu-6.1-idle-2cpu.elf" \
	"$GC_SHARED_DUMPS/qemu-idle-nokaslr/expected/qemu-6.1-idle-2cpu.elf.crash.txt"
vtop_json panic-kaslr.makedumpfile-d0-lzo "$GC_DUMP_CACHE/qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.makedumpfile-d0-lzo" \
	"$GC_SHARED_DUMPS/qemu-panic-kaslr/expected/qemu-6.1-panic-kaslr-2cpu.makedumpfile-d0-lzo.crash.txt"
for kind in pv pvh; do
	vtop_json "xen-$kind" "$GC_DUMP_CACHE/xen-$kind-idle/xen-$kind-idle.core" \
		"$GC_SHARED_DUMPS/xen-$kind-idle/expected/xen-$kind-idle.crash.txt"
done
# the checker itself catches a wrong entry (it is not a test that cannot fail)
pvd="$GC_DUMP_CACHE/xen-pv-idle/xen-pv-idle.core"
if [ -f "$pvd" ]; then
	section "$GC_SHARED_DUMPS/xen-pv-idle/expected/xen-pv-idle.crash.txt" "vtop ffffffff82161900" > "$T/vtop-crash"
	"$GC" vtop "$pvd" ffffffff82161900 --json | sed 's/"0x2161025"/"0x2162025"/' > "$T/vtop-bad.json"
	r=$(python3 "$HERE/vtop_json_check.py" "$T/vtop-crash" "$T/vtop-bad.json" 0)
	case "$r" in *"pseudo PTE 0x2162025 != 2161025"*) pass "kmore-vtop-json-checker-catches-a-wrong-entry" ;;
	*) fail "kmore-vtop-json-checker-catches-a-wrong-entry" "$r" ;; esac
fi
