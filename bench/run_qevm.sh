#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# QEMU migration streams: convert of a raw libvirt save image against cp of
# the same file, convert of compressed ones (cold decompressed cache)
# against the same library decompressing to /dev/null (bench_qevm), and the
# time to open (index) a raw stream and a cached compressed one.  Ratios of
# one run on one machine; see docs/qemu-migration.md.
#   bench/run_qevm.sh [BUILD_DIR] [SAVE_IMAGE]
# GC_BENCH_QEVM_BIG=BYTES (e.g. 1073741824) adds a save image of that much
# RAM written by build/mkqevm --big under /tmp (raw, and zstd-compressed):
# convert of the raw one against cp, best of 3 runs each, outputs on the
# same file system ($TMPDIR), and of the zstd one against the library.
# GC_BENCH_OUT=DIR puts outputs (cp's copy, convert's ELF) there instead,
# e.g. /dev/shm: on a shared ext4 disk, writeback of other tenants moves
# cp's own figure by 5x between runs.
# GC_BENCH_QEVM_OPEN4G=1 adds the open (index) of a 4 GiB raw stream
# (mkqevm --big, ~2 minutes to write on this VM), cached.
# Convert of a stream takes the one-pass route (docs/qemu-migration.md):
# the "one_pass" lines say whether it did.
set -eu
BUILD=${1:-build}
SAVE=${2:-${GC_DUMP_CACHE:-$PWD/build/dump-cache}/virsh-q35-256m-nokaslr/virsh-save.raw.img}
GC=$BUILD/guestcore
B=$BUILD/bench_qevm
[ -f "$SAVE" ] || { echo "no $SAVE: skipped"; exit 0; }
W=$(mktemp -d /tmp/qevm-bench.XXXXXX)
O=${GC_BENCH_OUT:-$W}
[ "$O" = "$W" ] || O=$(mktemp -d "$O/qevm-bench.XXXXXX")
trap 'rm -rf "$W" "$O"' EXIT
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
export GUESTCORE_CACHE_DIR=$W/cache
# the stream offset: 92 + data_len (le32 at 20)
off=$(( 92 + $(od -An -tu4 -j20 -N4 "$SAVE") ))
# CPU seconds (user + system) of a command: the machine is shared, so
# wall-clock time measures the other users as much as the command
wall() { /usr/bin/time -f "%U %S" -o "$W/time" "$@" >/dev/null; awk '{printf "%.3f", $1 + $2}' "$W/time"; }
ratio() { awk "BEGIN{printf \"%.2f\", $1 / $2}"; }

# best of N (CPU seconds) of a command, removing OUT after each run
best() { # N OUT CMD...
	local n=$1 out=$2 b=""; shift 2
	for _ in $(seq "$n"); do
		local t; t=$(wall "$@"); rm -f "$out"
		b=$(awk -v a="$t" -v b="$b" 'BEGIN{print (b == "" || a < b) ? a : b}')
	done
	echo "$b"
}
cat "$SAVE" > /dev/null
"$GC" convert "$SAVE" -o "$O/out.elf" --no-kernel --json | grep -o '"one_pass": [a-z]*' | sed 's/^/raw save image: /'
rm -f "$O/out.elf"
tcp=$(best 3 "$O/copy" cp "$SAVE" "$O/copy")
tcv=$(best 3 "$O/out.elf" "$GC" convert "$SAVE" -o "$O/out.elf" --no-kernel)
echo "raw save image $(stat -c %s "$SAVE") bytes (best of 3, CPU seconds): cp ${tcp}s, convert (ELF) ${tcv}s: convert at $(ratio "$tcp" "$tcv")x cp's throughput"
# the bare stream `virsh dump` writes: the same bytes without the header
tail -c +$((off + 1)) "$SAVE" > "$W/bare.qevm"
tcp=$(best 3 "$O/copy" cp "$W/bare.qevm" "$O/copy")
tcv=$(best 3 "$O/out.elf" "$GC" convert "$W/bare.qevm" -o "$O/out.elf" --no-kernel)
echo "bare raw stream $(stat -c %s "$W/bare.qevm") bytes (best of 3, CPU seconds): cp ${tcp}s, convert (ELF) ${tcv}s: convert at $(ratio "$tcp" "$tcv")x cp's throughput"
rm -f "$W/bare.qevm"
o=$($B open "$SAVE" 5)
echo "open (index) raw: $o"

if [ -n "${GC_BENCH_QEVM_BIG:-}" ]; then
	big=$W/big.img
	"$BUILD/mkqevm" "$big" --save --big --ram "$GC_BENCH_QEVM_BIG" > /dev/null
	cat "$big" > /dev/null
	tcp=$(best 3 "$O/copy" cp "$big" "$O/copy")
	tcv=$(best 3 "$O/out.elf" "$GC" convert "$big" -o "$O/out.elf" --no-kernel)
	echo "mkqevm raw save image $(stat -c %s "$big") bytes (best of 3, CPU seconds): cp ${tcp}s, convert (ELF) ${tcv}s: convert at $(ratio "$tcp" "$tcv")x cp's throughput"
	rm -f "$big"
	"$BUILD/mkqevm" "$big" --save --big --ram "$GC_BENCH_QEVM_BIG" --compress zstd > /dev/null
	boff=$(( 92 + $(od -An -tu4 -j20 -N4 "$big") ))
	bs=$(best 3 "$W/none" "$B" decompress zstd "$big" "$boff")
	rm -rf "$GUESTCORE_CACHE_DIR"
	tcv=$(wall "$GC" convert "$big" -o "$O/out.elf" --no-kernel); rm -f "$O/out.elf"
	tre=$(best 3 "$O/out.elf" "$GC" convert "$big" -o "$O/out.elf" --no-kernel)
	echo "mkqevm zstd save image $(stat -c %s "$big") bytes (CPU seconds): library to /dev/null ${bs}s (best of 3); convert cold ${tcv}s = $(ratio "$bs" "$tcv")x the library's speed; convert with the cache ${tre}s (best of 3)"
	rm -f "$big"; rm -rf "$GUESTCORE_CACHE_DIR"
fi

for c in gzip:1 bzip2:2 xz:3 zstd:5; do
	name=${c%:*} id=${c#*:}
	img=$W/save.$name.img
	head -c "$off" "$SAVE" > "$img"
	printf "$(printf '\\%03o' "$id")" | dd of="$img" bs=1 seek=28 conv=notrunc status=none
	case $name in
	gzip) tail -c +$((off + 1)) "$SAVE" | gzip -c >> "$img" ;;
	bzip2) tail -c +$((off + 1)) "$SAVE" | bzip2 -c >> "$img" ;;
	xz) tail -c +$((off + 1)) "$SAVE" | xz -c -T1 >> "$img" ;;
	zstd) tail -c +$((off + 1)) "$SAVE" | zstd -q -c >> "$img" ;;
	esac
	base=$($B decompress "$name" "$img" "$off")
	bs=$(echo "$base" | awk '{print $4}')
	rm -rf "$GUESTCORE_CACHE_DIR"
	tcv=$(wall "$GC" convert "$img" -o "$O/out.elf" --no-kernel); rm -f "$O/out.elf"
	tre=$(best 3 "$O/out.elf" "$GC" convert "$img" -o "$O/out.elf" --no-kernel)
	o=$($B open "$img" 3)
	rm -rf "$GUESTCORE_CACHE_DIR"
	top=$(wall "$B" open "$img" 1)
	echo "$name ($(stat -c %s "$img") bytes; CPU seconds): library to /dev/null ${bs}s; open cold (decompress to the cache + index) ${top}s = $(ratio "$bs" "$top")x; convert cold ${tcv}s = $(ratio "$bs" "$tcv")x the library's speed; convert with the cache ${tre}s (best of 3); open with the cache: $o"
	rm -f "$img"
done

if [ -n "${GC_BENCH_QEVM_OPEN4G:-}" ]; then
	big=$W/big4g.qevm
	"$BUILD/mkqevm" "$big" --big --ram 4294967296 > /dev/null
	cat "$big" > /dev/null
	echo "open (index) of a 4 GiB raw stream ($(stat -c %s "$big") bytes, cached): $($B open "$big" 3)"
	rm -f "$big"
fi
