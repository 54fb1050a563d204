#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Piped convert of compressed QEMU streams (docs/qemu-migration.md,
# "Compressed streams: the piped convert"): with no decompressed cache
# yet, a thread decodes the stream and the walk reads it from memory; no
# cache file is written and the output is byte for byte the cache route's
# (the second convert below, after `info` made the cache).  Streams the
# pipe cannot answer for as the cache route would (cut or corrupt
# compressed data, pages never sent, no VM description in the stream's
# tail) take the cache route, whose messages name the compressed offset.
. "$(dirname "$0")/lib.sh"
MK=$(dirname "$GCFIX")/mkqevm
C=$T/cache
route() { echo "$OUT" | grep -E '"(one_pass|piped|cache)"' | tr -d ' \n'; }
# piped NAME IN: piped, no cache file; then the same bytes from the cache
piped() {
	rm -rf "$C" "$T/p.elf" "$T/q.elf"
	GUESTCORE_CACHE_DIR=$C run_gc "$1" 0 convert "$2" -o "$T/p.elf" --json || return
	case "$(route)" in '"one_pass":true,"piped":true,"cache":false') ;;
	*) fail "$1" "route $(route)"; return ;; esac
	[ -z "$(ls -A "$C" 2>/dev/null)" ] || { fail "$1" "a cache file was written: $(ls "$C")"; return; }
	GUESTCORE_CACHE_DIR=$C "$GC" info "$2" >/dev/null
	GUESTCORE_CACHE_DIR=$C run_gc "$1" 0 convert "$2" -o "$T/q.elf" --json || return
	case "$(route)" in '"one_pass":true,"piped":false,"cache":true') ;;
	*) fail "$1" "second convert's route $(route)"; return ;; esac
	cmp -s "$T/p.elf" "$T/q.elf" && pass "$1" || fail "$1" "outputs differ: $(cmp "$T/p.elf" "$T/q.elf" 2>&1)"
}
# fallback NAME IN ROUTE CHECK_SUBSTRING [EXIT]: the cache route ran, check
# says why; a damaged stream converts with exit 1 and its problems counted
fallback() {
	rm -rf "$C" "$T/p.elf"
	GUESTCORE_CACHE_DIR=$C run_gc "$1" "${5:-0}" convert "$2" -o "$T/p.elf" --json || return
	case "$(route)" in "$3") ;; *) fail "$1" "route $(route), expected $3"; return ;; esac
	case "${5:-0}:$OUT" in 0:*'"source_problems": 0,'*|1:*'"source_problems": '[1-9]*) ;;
	*) fail "$1" "$(echo "$OUT" | grep source_problems)"; return ;; esac
	[ -z "$4" ] && { pass "$1"; return; }
	GUESTCORE_CACHE_DIR=$C run_gc "$1" 1 check "$2" || return
	case "$OUT" in *"$4"*) pass "$1" ;; *) fail "$1" "check lacks '$4': $(echo "$OUT" | grep -i error | head -3)" ;; esac
}

# bare streams (as `virsh dump` writes them) of 8 MiB guests, compressed
# by the programs at their fastest levels (the stream spans several of
# the pipe's 1 MiB buffers)
"$MK" "$T/r.qevm" --ram 0x800000 --cpus 2 >/dev/null
for c in "gzip -1" "bzip2 -1" "xz -0 -T1" "lzop -1" "zstd -1"; do
	if ! command -v ${c%% *} >/dev/null; then
		skip "piped_${c%% *}" "no ${c%% *}"
		continue
	fi
	$c -c < "$T/r.qevm" > "$T/b.qevm"
	piped "piped_${c%% *}" "$T/b.qevm"
done
"$MK" "$T/s.img" --save --compress zstd --ram 0x800000 >/dev/null
piped piped_save_zstd "$T/s.img"
# zlib and lzo decode straight into the ring where its buffers are
# dropped from the walk's caches (x86-64 CLFLUSHOPT), else through the
# pipe thread's staging buffer: that route too, as a CPU without it takes
for c in gzip lzop; do
	"$MK" "$T/st.img" --save --compress $c --ram 0x800000 >/dev/null
	GUESTCORE_NO_CACHE_DROP=1 piped "piped_staged_$c" "$T/st.img"
done
"$MK" "$T/d.qevm" --compress gzip --damage dup-page >/dev/null
piped piped_dup_page "$T/d.qevm"
"$MK" "$T/d.qevm" --compress zstd --damage unknown-device >/dev/null
piped piped_unknown_device "$T/d.qevm"
"$MK" "$T/d.qevm" --compress lzop --no-footer >/dev/null
piped piped_no_footer "$T/d.qevm"

# --verify compares the output with the input opened again (the piped
# dump reads its pages back from the output itself)
rm -rf "$C"
"$MK" "$T/s.img" --save --compress zstd --ram 0x800000 >/dev/null
GUESTCORE_CACHE_DIR=$C run_gc piped_verify 0 convert "$T/s.img" -o "$T/v.elf" --json --verify &&
	case "$OUT" in *'"piped": true'*'"compared": 2'*'"mismatches": 0'*) pass piped_verify ;;
	*) fail piped_verify "$(echo "$OUT" | grep -E 'piped|compared|mismatches')" ;; esac

# the cache route: a cut compressed file, a corrupt lzop block, pages
# never sent (the layout does not hold), no VM description (the cache
# route searches more of the stream than the pipe keeps)
gzip -1 -c < "$T/r.qevm" > "$T/s.gz"
sz=$(stat -c %s "$T/s.gz")
head -c $((sz / 2)) "$T/s.gz" > "$T/cut.gz"
fallback piped_cut_gzip "$T/cut.gz" '"one_pass":false,"piped":false,"cache":true' \
	"the gzip stream stops at file offset 0x" 1
"$MK" "$T/s.img" --save --compress lzop --ram 0x800000 >/dev/null
sz=$(stat -c %s "$T/s.img")
printf '\125\252\125\252' | dd of="$T/s.img" bs=1 seek=$((sz / 2)) conv=notrunc status=none
fallback piped_corrupt_lzop "$T/s.img" '"one_pass":false,"piped":false,"cache":true' \
	"lzop block does not decompress" 1
# A bad lzop block ends the output exactly at its start: check names
# that block's data offset and the bytes decoded before it (a block
# decoded straight into the output buffer counts only once its checksum
# held).  The blocks are found from the file's own headers.
lzblocks() { # FILE: "index data_offset dlen" per block of a lzop stream
	python3 - "$1" <<'PY'
import struct, sys
f = open(sys.argv[1], 'rb').read()
k = f.find(b'\x89LZO\x00\r\n\x1a\n') + 9
ver, = struct.unpack_from('>H', f, k); k += 4 + (2 if ver >= 0x940 else 0)
k += 1 + (1 if ver >= 0x940 else 0)
flags, = struct.unpack_from('>I', f, k)
k += 4 + (4 if flags & 0x800 else 0) + 8 + (4 if ver >= 0x940 else 0)
k += 1 + f[k] + 4
i = 0
while True:
    dlen, = struct.unpack_from('>I', f, k)
    if not dlen:
        break
    clen, = struct.unpack_from('>I', f, k + 4)
    q = k + 8 + (4 if flags & 0x101 else 0) + (4 if clen < dlen and flags & 0x202 else 0)
    print(i, q, dlen)
    k = q + clen; i += 1
PY
}
"$MK" "$T/lz.img" --save --compress lzop --ram 0x800000 >/dev/null
for b in 4 5; do
	read -r _ q dl < <(lzblocks "$T/lz.img" | awk -v b=$b '$1 == b')
	cp "$T/lz.img" "$T/lzb.img"
	printf '\377\377\377\377\377\377\377\377' | dd of="$T/lzb.img" bs=1 seek=$((q + 100)) conv=notrunc status=none
	rm -rf "$C"
	GUESTCORE_CACHE_DIR=$C run_gc lzop_bad_block_$b 1 check "$T/lzb.img" &&
	case "$OUT" in *"lzop stream stops at file offset $(printf 0x%x "$q") after $((b * dl)) bytes of output: lzop block does not decompress"*)
		pass lzop_bad_block_$b ;;
	*) fail lzop_bad_block_$b "$(echo "$OUT" | grep -i lzop | head -2)" ;; esac
done
# as the lzop program writes it (an adler32 of each block's data): a
# wrong checksum in block 3 stops there
if command -v lzop >/dev/null; then
	lzop -1 -c < "$T/r.qevm" > "$T/lzp.qevm"
	read -r _ q dl < <(lzblocks "$T/lzp.qevm" | awk '$1 == 3')
	printf '\0\0\0\1' | dd of="$T/lzp.qevm" bs=1 seek=$((q - 4)) conv=notrunc status=none
	rm -rf "$C"
	GUESTCORE_CACHE_DIR=$C run_gc lzop_bad_checksum_odd 1 check "$T/lzp.qevm" &&
	case "$OUT" in *"stops at file offset $(printf 0x%x "$q") after $((3 * dl)) bytes of output: lzop data checksum 0x00000001"*)
		pass lzop_bad_checksum_odd ;;
	*) fail lzop_bad_checksum_odd "$(echo "$OUT" | grep -i lzop | head -2)" ;; esac
else
	skip lzop_bad_checksum_odd "no lzop program"
fi
"$MK" "$T/p.qevm" --compress zstd --sparse --ram 0x10000000 --machine pc-i440fx-7.2 >/dev/null
fallback piped_sparse "$T/p.qevm" '"one_pass":false,"piped":false,"cache":true' "" 1
"$MK" "$T/n.qevm" --compress lzop --no-vmdesc >/dev/null
fallback piped_no_vmdesc "$T/n.qevm" '"one_pass":true,"piped":false,"cache":true' ""
[ -z "$(ls -A "$T" | grep gctmp)" ] && pass piped_no_tmp || fail piped_no_tmp "$(ls -A "$T")"

# the real save image (libvirt 9.0, QEMU 7.2) zstd-compressed as libvirt
# does it: piped, and the same bytes as the raw image's one-pass convert
S=${GC_DUMP_CACHE:-}/virsh-q35-256m-nokaslr/virsh-save.raw.img
if [ -n "${GC_DUMP_CACHE:-}" ] && [ -f "$S" ] && command -v zstd >/dev/null; then
	off=$(( 92 + $(od -An -tu4 -j20 -N4 "$S") ))
	head -c "$off" "$S" > "$T/real.img"
	printf '\005' | dd of="$T/real.img" bs=1 seek=28 conv=notrunc status=none
	tail -c +$((off + 1)) "$S" | zstd -q -1 -c >> "$T/real.img"
	rm -rf "$C" "$T/p.elf" "$T/r.elf"
	GUESTCORE_CACHE_DIR=$C run_gc piped_real 0 convert "$T/real.img" -o "$T/p.elf" --json &&
	case "$(route)" in '"one_pass":true,"piped":true,"cache":false')
		"$GC" convert "$S" -o "$T/r.elf" >/dev/null 2>&1
		cmp -s "$T/p.elf" "$T/r.elf" && pass piped_real ||
			fail piped_real "differs from the raw image's convert" ;;
	*) fail piped_real "route $(route)" ;; esac
	rm -f "$T/real.img" "$T/p.elf" "$T/r.elf"
else
	skip piped_real "no $S or no zstd"
fi
