# guestcore convert, issue #13 and the writers' stream/damage rules, on the
# real QEMU KASLR panic dump:
#  - --exclude zero keeps zero pages readable (kdump: one shared zero-page
#    descriptor; ELF: p_memsz tails), `rd` reads them, --verify is clean;
#  - a flattened kdump to standard output (-o - --flatten) is the same file
#    as the direct one once makedumpfile -R has placed its records, and
#    guestcore reads the flattened stream saved to a file;
#  - undecodable source pages (a truncated copy, a corrupt compressed page)
#    are refused by default with the pfn and the file offset named, or
#    written as zeroes / left out with --missing zero|skip (exit 1, counted).
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
jget() { echo "$OUT" | $PY -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

run_gc "convert-stdout-needs-flatten" 2 convert x -o - --format kdump &&
	case "$ERR" in *"--flatten"*) pass "convert-stdout-needs-flatten" ;;
	*) fail "convert-stdout-needs-flatten" "$ERR" ;; esac
expect_rc "convert-missing-bad-value" 2 convert x -o "$T/y" --missing drop

# A flattened ELF of a small input: its headers and notes end before 512
# bytes and its data starts on a page boundary, so no record holds the
# bytes between; opening it read a 512-byte head across that hole and
# failed ("no flattened record holds logical offset 0x16c").
MKQ0=$(dirname "$GCFIX")/mkqevm
if [ -x "$MKQ0" ] && "$MKQ0" "$T/small.qevm" --ram 4096 --tiny --damage dup-page > /dev/null 2>&1; then
	# (the tiny stream is damaged on purpose: converted, exit 1)
	run_gc "convert-small-flatten" 1 convert "$T/small.qevm" -o "$T/small.flat" --flatten &&
		pass "convert-small-flatten"
	run_gc "convert-small-flatten-reopen" 0 check "$T/small.flat" &&
		case "$OUT" in *"result: clean"*) pass "convert-small-flatten-reopen" ;;
		*) fail "convert-small-flatten-reopen" "$OUT" ;; esac
	run_gc "convert-small-flatten-rd" 0 rd "$T/small.flat" 0x10 2 &&
		case "$OUT" in *"0000000000000002 0000000000000003"*) pass "convert-small-flatten-rd" ;;
		*) fail "convert-small-flatten-rd" "$OUT" ;; esac
	rm -f "$T/small.qevm" "$T/small.flat"
else
	skip "convert-small-flatten" "no mkqevm next to $GCFIX"
fi

IN="${GC_DUMP_CACHE:-}/qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.elf"
KD="${GC_DUMP_CACHE:-}/qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.makedumpfile-d0-lzo"
if [ ! -f "$IN" ] || [ ! -f "$KD" ]; then
	skip "convert-zero-real" "qemu-panic-kaslr dumps absent from GC_DUMP_CACHE"
	exit 0
fi
# 0x330f000..0x3311fff are zero pages of that dump (pages.sha256 in
# ../shared/dumps/qemu-panic-kaslr/expected agree)
ZP=0x330f000

for fmt in kdump elf; do
	run_gc "convert-zero-$fmt" 0 convert "$IN" -o "$T/z.$fmt" --format $fmt \
		--exclude zero --verify --json || continue
	same() { [ "$2" = "$3" ] && pass "$1" || fail "$1" "got '$2', expected '$3'"; }
	same "convert-zero-$fmt-verify-clean" \
		"$(jget '(d["verify"]["mismatches"], d["verify"]["compared"] + d["verify"]["excluded"])')" \
		"(0, 36896)"
	[ "$(jget 'd["pages_excluded"]')" -gt 10000 ] && pass "convert-zero-$fmt-zero-pages-stored-once" ||
		fail "convert-zero-$fmt-zero-pages-stored-once" "$(jget 'd["pages_excluded"]')"
	run_gc "convert-zero-$fmt-rd-zero-page" 0 rd "$T/z.$fmt" -p $ZP 8 &&
		case "$OUT" in *"330f000:  0000000000000000 0000000000000000"*)
			pass "convert-zero-$fmt-rd-zero-page" ;;
		*) fail "convert-zero-$fmt-rd-zero-page" "$OUT" ;; esac
	rm -f "$T/z.$fmt"
done
# kdump: every zero page shares the descriptor of the first data page
run_gc "convert-zero-kdump-again" 0 convert "$IN" -o "$T/z.kdump" --format kdump --exclude zero
$PY - "$T/z.kdump" > "$T/desc.txt" <<'PYEOF'
import struct, sys
f = open(sys.argv[1], 'rb'); h = f.read(464)
bs, sub, bmb = struct.unpack_from('<III', h, 428 + 0)[0], struct.unpack_from('<I', h, 432)[0], struct.unpack_from('<I', h, 436)[0]
f.seek((1 + sub) * bs); bm = f.read(bmb * bs); bm2 = bm[len(bm) // 2:]
n = sum(bin(b).count('1') for b in bm2)
f.seek((1 + sub + bmb) * bs); d = f.read(24 * n)
offs = {}
for i in range(n):
    off, size, flags = struct.unpack_from('<QII', d, 24 * i)
    offs.setdefault((off, size, flags), 0); offs[(off, size, flags)] += 1
(off, size, flags), cnt = max(offs.items(), key=lambda kv: kv[1])
print(n, cnt, size == bs, flags)
PYEOF
read -r ndesc nzero israw zflags < "$T/desc.txt"
[ "$ndesc" = 36896 ] && [ "$nzero" -gt 10000 ] && [ "$israw" = True ] && [ "$zflags" = 0 ] &&
	pass "convert-zero-kdump-shared-descriptor" ||
	fail "convert-zero-kdump-shared-descriptor" "$(cat "$T/desc.txt")"

# ---- flattened to standard output ------------------------------------------
if "$GC" convert "$IN" -o - --format kdump --flatten --exclude zero > "$T/s.flat" 2> "$T/s.err"; then
	grep -q '^converted .* -> - (kdump' "$T/s.err" && pass "convert-stdout-summary-on-stderr" ||
		fail "convert-stdout-summary-on-stderr" "$(head -2 "$T/s.err")"
	[ "$(head -c 12 "$T/s.flat")" = makedumpfile ] && pass "convert-stdout-flattened-header" ||
		fail "convert-stdout-flattened-header" "$(head -c 16 "$T/s.flat" | od -c | head -1)"
	run_gc "convert-stdout-read-back" 0 rd "$T/s.flat" -p $ZP 2 &&
		pass "convert-stdout-read-back"
	run_gc "convert-stdout-reconvert" 0 convert "$T/s.flat" -o "$T/s.elf" --verify --json &&
		[ "$(jget 'd["verify"]["mismatches"]')" = 0 ] && pass "convert-stdout-reconvert-verify" ||
		fail "convert-stdout-reconvert-verify" "$OUT"
	rm -f "$T/s.elf"
	if command -v makedumpfile > /dev/null; then
		makedumpfile -R "$T/s.kdump" < "$T/s.flat" > /dev/null 2>&1
		if cmp -s "$T/s.kdump" "$T/z.kdump"; then
			pass "convert-stdout-makedumpfile-R-identical"
		else
			fail "convert-stdout-makedumpfile-R-identical" "$(cmp "$T/s.kdump" "$T/z.kdump" 2>&1 | head -1)"
		fi
	else
		skip "convert-stdout-makedumpfile-R-identical" "makedumpfile absent"
	fi
else
	fail "convert-stdout" "$(tail -1 "$T/s.err")"
fi
rm -f "$T/s.flat" "$T/s.kdump" "$T/z.kdump"
# an ELF vmcore flattened to stdout: the same bytes as the direct file
if command -v makedumpfile > /dev/null &&
   "$GC" convert "$IN" -o "$T/d.elf" --exclude zero > /dev/null 2>&1; then
	"$GC" convert "$IN" -o - --flatten --exclude zero 2> /dev/null |
		makedumpfile -R "$T/r.elf" > /dev/null 2>&1
	cmp -s "$T/d.elf" "$T/r.elf" && pass "convert-stdout-elf-makedumpfile-R-identical" ||
		fail "convert-stdout-elf-makedumpfile-R-identical" "$(cmp "$T/d.elf" "$T/r.elf" 2>&1 | head -1)"
fi
rm -f "$T/d.elf" "$T/r.elf"

# ---- undecodable source pages ------------------------------------------------
head -c 20000000 "$KD" > "$T/trunc.kdump"
run_gc "convert-truncated-refused" 2 convert "$T/trunc.kdump" -o "$T/t.elf" &&
	case "$ERR" in *"pfn 0x2413"*"--missing"*"offset 0x131267c"*)
		pass "convert-truncated-refused" ;;
	*) fail "convert-truncated-refused" "$ERR" ;; esac
[ -e "$T/t.elf" ] && fail "convert-truncated-no-output" "left $T/t.elf" || pass "convert-truncated-no-output"
run_gc "convert-truncated-zero" 1 convert "$T/trunc.kdump" -o "$T/t.elf" --missing zero --json &&
	[ "$(jget 'd["pages_undecodable"]')" = 23533 ] && pass "convert-truncated-zero-counted" ||
	fail "convert-truncated-zero-counted" "$OUT"
grep -aq '^undecodable_pages=23533 *(--missing zero' "$T/t.elf" && pass "convert-truncated-zero-provenance" ||
	fail "convert-truncated-zero-provenance" "$(strings "$T/t.elf" | grep -m1 undecodable)"
# whoever opens the output later is told: info names its source, check
# warns of the zero pages that stand for undecodable ones (exit 1)
expect_out "convert-truncated-zero-info" 0 "written_by: guestcore " info "$T/t.elf"
expect_out "convert-truncated-zero-check" 1 "warning  23533 pages could not be decoded in the source (kdump-compressed) and are zero pages in this file" \
	check "$T/t.elf"
rm -f "$T/t.elf" "$T/trunc.kdump"
cp "$KD" "$T/corrupt.kdump" && chmod u+w "$T/corrupt.kdump"
printf '\377%.0s' $(seq 3000) | dd of="$T/corrupt.kdump" bs=1 seek=20000000 conv=notrunc status=none
run_gc "convert-corrupt-refused" 2 convert "$T/corrupt.kdump" -o "$T/c.kdump" --format kdump &&
	case "$ERR" in *corrupt.kdump*"pfn 0x2413"*"offset 0x131267c"*"lzo"*)
		pass "convert-corrupt-refused" ;;
	*) fail "convert-corrupt-refused" "$ERR" ;; esac
run_gc "convert-corrupt-skip" 1 convert "$T/corrupt.kdump" -o "$T/c.kdump" --format kdump \
	--missing skip --verify --json &&
	[ "$(jget '(d["pages_undecodable"], d["verify"]["mismatches"])')" = "(2, 0)" ] &&
	pass "convert-corrupt-skip-counted" || fail "convert-corrupt-skip-counted" "$OUT"
expect_out "convert-corrupt-skip-check" 0 "note     2 pages could not be decoded in the source (kdump-compressed) and are left out of this file" \
	check "$T/c.kdump"
run_gc "convert-corrupt-skip-rd" 1 rd "$T/c.kdump" -p 0x2413000 8 &&
	case "$ERR" in *excluded*) pass "convert-corrupt-skip-rd-excluded" ;;
	*) fail "convert-corrupt-skip-rd-excluded" "$ERR" ;; esac
rm -f "$T/corrupt.kdump" "$T/c.kdump"

# ---- migration streams: pages gathered around their record headers ----------
# (preadv of up to 512 page records at a time; a page sent twice must come
# from its last copy, which lies far behind: the gather stops there)
MKQ=$(dirname "$GCFIX")/mkqevm
if [ -x "$MKQ" ]; then
	"$MKQ" "$T/dup.qevm" --ram 4194304 --damage dup-page > /dev/null
	run_gc "convert-qevm-gather-verify" 0 convert "$T/dup.qevm" -o "$T/dup.elf" --verify --json &&
		[ "$(jget '(d["verify"]["mismatches"], d["pages_written"] > 1000)')" = "(0, True)" ] &&
		pass "convert-qevm-gather-verify" || fail "convert-qevm-gather-verify" "$OUT"
	# page 5 of pc.ram, word 0, inverted by the second copy: ~((0 << 56) | (5 << 16) | 0)
	run_gc "convert-qevm-gather-last-copy" 0 rd "$T/dup.elf" -p 0x5000 1 &&
		case "$OUT" in *fffffffffffaffff*) pass "convert-qevm-gather-last-copy" ;;
		*) fail "convert-qevm-gather-last-copy" "$OUT" ;; esac
	rm -f "$T/dup.qevm" "$T/dup.elf"
else
	skip "convert-qevm-gather" "no mkqevm next to $GCFIX"
fi
S="${GC_DUMP_CACHE:-}/virsh-q35-256m-nokaslr/virsh-save.raw.img"
if [ -f "$S" ]; then
	run_gc "convert-virsh-save-verify" 0 convert "$S" -o "$T/v.elf" --verify --json &&
		[ "$(jget '(d["verify"]["compared"], d["verify"]["mismatches"])')" = "(65600, 0)" ] &&
		pass "convert-virsh-save-verify" || fail "convert-virsh-save-verify" "$OUT"
	rm -f "$T/v.elf"
fi
