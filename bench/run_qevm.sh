#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# QEMU migration streams: convert of a raw libvirt save image against cp of
# the same file, convert of compressed ones (cold decompressed cache)
# against the same library decompressing to /dev/null (bench_qevm), and the
# time to open (index) a raw stream and a cached compressed one.  Ratios of
# one run on one machine; see docs/qemu-migration.md.
#   bench/run_qevm.sh [BUILD_DIR] [SAVE_IMAGE]
set -eu
BUILD=${1:-build}
SAVE=${2:-${GC_DUMP_CACHE:-$PWD/build/dump-cache}/virsh-q35-256m-nokaslr/virsh-save.raw.img}
GC=$BUILD/guestcore
B=$BUILD/bench_qevm
[ -f "$SAVE" ] || { echo "no $SAVE: skipped"; exit 0; }
W=$(mktemp -d /tmp/qevm-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
export GUESTCORE_CACHE_DIR=$W/cache
# the stream offset: 92 + data_len (le32 at 20)
off=$(( 92 + $(od -An -tu4 -j20 -N4 "$SAVE") ))
# CPU seconds (user + system) of a command: the machine is shared, so
# wall-clock time measures the other users as much as the command
wall() { /usr/bin/time -f "%U %S" -o "$W/time" "$@" >/dev/null; awk '{printf "%.3f", $1 + $2}' "$W/time"; }
ratio() { awk "BEGIN{printf \"%.2f\", $1 / $2}"; }

cat "$SAVE" > /dev/null
tcp=$(wall cp "$SAVE" "$W/copy"); rm -f "$W/copy"
tcv=$(wall "$GC" convert "$SAVE" -o "$W/out.elf" --no-kernel); rm -f "$W/out.elf"
echo "raw save image $(stat -c %s "$SAVE") bytes (CPU seconds): cp ${tcp}s, convert (ELF) ${tcv}s: convert at $(ratio "$tcp" "$tcv")x cp's throughput"
o=$($B open "$SAVE" 5)
echo "open (index) raw: $o"

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
	tcv=$(wall "$GC" convert "$img" -o "$W/out.elf" --no-kernel); rm -f "$W/out.elf"
	tre=$(wall "$GC" convert "$img" -o "$W/out.elf" --no-kernel); rm -f "$W/out.elf"
	o=$($B open "$img" 3)
	rm -rf "$GUESTCORE_CACHE_DIR"
	top=$(wall "$B" open "$img" 1)
	echo "$name ($(stat -c %s "$img") bytes; CPU seconds): library to /dev/null ${bs}s; open cold (decompress to the cache + index) ${top}s = $(ratio "$bs" "$top")x; convert cold ${tcv}s = $(ratio "$bs" "$tcv")x the library's speed; convert with the cache ${tre}s; open with the cache: $o"
	rm -f "$img"
done
