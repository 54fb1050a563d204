#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# One-pass convert of raw QEMU migration streams (docs/qemu-migration.md,
# "One-pass convert"): pages written while the stream is indexed, the
# fallback to the random-access route when the stream lacks pages its
# layout promised, and the output equal to the random-access route's
# (--format kdump always takes that route: its pages, frame runs and
# registers are the reference).
. "$(dirname "$0")/lib.sh"
MK=$(dirname "$GCFIX")/mkqevm
word() { printf '%016x' $(( ($1 << 16) | $2 )); }
rdcheck() {
	run_gc "$1" 0 rd "$2" "$3" 1 || return
	case "$OUT" in
	*"$4"*) pass "$1" ;;
	*) fail "$1" "rd $3 gave '$OUT', expected $4" ;;
	esac
}
# onepass NAME IN WANT(true|false) [RC]: convert IN --verify --json
onepass() {
	rm -f "$T/o.elf"
	run_gc "$1" "${4:-0}" convert "$2" -o "$T/o.elf" --json --verify || return 1
	case "$OUT" in
	*"\"one_pass\": $3"*"\"mismatches\": 0"*) pass "$1" ;;
	*) fail "$1" "one_pass not $3 or mismatches: $(echo "$OUT" | grep -E 'one_pass|mismatches')"; return 1 ;;
	esac
}
# sameroute NAME IN [RC]: frame runs, registers and the first 2 MiB equal
# to the random-access route's output (a kdump file)
sameroute() {
	rm -f "$T/f.kdump"
	run_gc "$1" "${3:-0}" convert "$2" -o "$T/f.kdump" --format kdump || return
	local a b
	a=$("$GC" info "$T/o.elf" | sed -n '/^frame runs/,/^kernel/p')
	b=$("$GC" info "$T/f.kdump" | sed -n '/^frame runs/,/^kernel/p')
	[ -n "$a" ] && [ "$a" = "$b" ] || { fail "$1" "frame runs differ: '$a' vs '$b'"; return; }
	a=$("$GC" regs "$T/o.elf"); b=$("$GC" regs "$T/f.kdump")
	[ -n "$a" ] && [ "$a" = "$b" ] || { fail "$1" "registers differ"; return; }
	rm -f "$T/ra" "$T/rb"
	a=$("$GC" read "$T/o.elf" 0 0x200000 -o "$T/ra" 2>&1; [ ! -f "$T/ra" ] || md5sum < "$T/ra")
	b=$("$GC" read "$T/f.kdump" 0 0x200000 -o "$T/rb" 2>&1; [ ! -f "$T/rb" ] || md5sum < "$T/rb")
	# whole paths: the temporary directory's random name may hold "ra"/"rb"
	a=${a//"$T/o.elf"/OUT}; a=${a//"$T/ra"/R}; b=${b//"$T/f.kdump"/OUT}; b=${b//"$T/rb"/R}
	same "$1" "$a" "$b"
}

"$MK" "$T/a.qevm" >/dev/null
onepass onepass_bare "$T/a.qevm" true &&
	sameroute onepass_bare_same "$T/a.qevm"
rdcheck onepass_rd_page "$T/o.elf" 0x9018 "$(word 9 3)"
rdcheck onepass_rd_zero "$T/o.elf" 0x3000 0000000000000000
rdcheck onepass_rd_fill "$T/o.elf" 0x4008 abababababababab
rdcheck onepass_rd_bios "$T/o.elf" 0xffff1010 "$(printf '%016x' $(( (1 << 56) | (1 << 16) | 2 )))"
expect_out onepass_regs 0 "RIP: ffffffff81000010" regs "$T/o.elf"
expect_out onepass_vmcoreinfo 0 "VMCOREINFO" info "$T/o.elf"
# a zero page sent once is a hole: the output is sparse
alloc=$(( $(stat -c %b "$T/o.elf") * $(stat -c %B "$T/o.elf") ))
size=$(stat -c %s "$T/o.elf")
[ "$alloc" -lt "$size" ] && pass onepass_sparse || fail onepass_sparse "allocated $alloc of $size bytes"

for v in "" "--be"; do
	"$MK" "$T/s.img" --save $v >/dev/null
	onepass "onepass_save${v:+_be}" "$T/s.img" true
done

# page 5 sent twice: the last copy (every word inverted) wins, in place
"$MK" "$T/d.qevm" --damage dup-page >/dev/null
onepass onepass_dup "$T/d.qevm" true && sameroute onepass_dup_same "$T/d.qevm"
rdcheck onepass_dup_rd "$T/o.elf" 0x5008 "$(printf '%016x' $(( ~((5 << 16) | 1) )))"

# pages never sent: the layout does not hold, the random-access route
"$MK" "$T/p.qevm" --sparse --ram 0x10000000 --machine pc-i440fx-7.2 >/dev/null
# (pages never sent are a problem check reports: convert exits 1)
onepass onepass_sparse_fallback "$T/p.qevm" false 1 && sameroute onepass_sparse_same "$T/p.qevm" 1
# a compressed stream: the walk of its decompressed cache writes the pages
"$MK" "$T/z.img" --save --compress gzip >/dev/null
GUESTCORE_CACHE_DIR=$T/cache onepass onepass_gzip "$T/z.img" true &&
	GUESTCORE_CACHE_DIR=$T/cache sameroute onepass_gzip_same "$T/z.img"
"$MK" "$T/z.qevm" --compress zstd >/dev/null
GUESTCORE_CACHE_DIR=$T/cache onepass onepass_zstd_bare "$T/z.qevm" true

# damage the one-pass walk meets: accounted for as by the random-access
# route (a page whose last copy is XBZRLE / compressed, or cut off, is a
# gap: the fallback); damage after RAM keeps the one pass.  Every one but
# an unknown device is a problem check reports, and convert exits 1.
for k in "xbzrle false 1" "compress-page false 1" "no-ram-end false 1" "bad-footer true 1" "unknown-device true 0"; do
	set -- $k
	"$MK" "$T/d.qevm" --damage $1 >/dev/null
	onepass "onepass_$1" "$T/d.qevm" $2 $3 && sameroute "onepass_$1_same" "$T/d.qevm" $3
done
for k in "page false" "cpu true" "eof true"; do
	"$MK" "$T/c.qevm" --cut ${k% *} >/dev/null
	onepass "onepass_cut_${k% *}" "$T/c.qevm" ${k#* } 1 && sameroute "onepass_cut_${k% *}_same" "$T/c.qevm" 1
done
"$MK" "$T/c.qevm" --cut blocklist >/dev/null
onepass onepass_cut_blocklist "$T/c.qevm" false 1

# an existing output: refused before any work, nothing left behind
: > "$T/exists.elf"
run_gc onepass_exists 2 convert "$T/a.qevm" -o "$T/exists.elf" &&
	{ [ ! -s "$T/exists.elf" ] && [ -z "$(ls -A "$T" | grep gctmp)" ] && pass onepass_exists ||
		fail onepass_exists "output or temporary file changed"; }
run_gc onepass_force 0 convert "$T/a.qevm" -o "$T/exists.elf" --force --json &&
	case "$OUT" in *'"one_pass": true'*) pass onepass_force ;; *) fail onepass_force "$OUT" ;; esac
[ -z "$(ls -A "$T" | grep gctmp)" ] && pass onepass_no_tmp || fail onepass_no_tmp "$(ls -A "$T")"

# the real save image (libvirt 9.0, QEMU 7.2): one pass, pages equal
S=${GC_DUMP_CACHE:-}/virsh-q35-256m-nokaslr/virsh-save.raw.img
if [ -n "${GC_DUMP_CACHE:-}" ] && [ -f "$S" ]; then
	onepass onepass_real "$S" true
	expect_out onepass_real_regs 0 "RIP: ffffffff81a592eb" regs "$T/o.elf"
else
	skip onepass_real "no $S"
fi
