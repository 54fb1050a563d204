#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# QEMU migration streams: convert of a raw libvirt save image against cp of
# the same file, convert of compressed ones (no decompressed cache yet: the
# piped route, docs/qemu-migration.md) against the same library
# decompressing to /dev/null (bench_qevm), wall clock and CPU, and the
# time to open (index) a raw stream and a cached compressed one.  Ratios of
# one run on one machine; see docs/qemu-migration.md.
#   bench/run_qevm.sh [BUILD_DIR] [SAVE_IMAGE]
# GC_BENCH_QEVM_BIG=BYTES (e.g. 1073741824) adds a save image of that much
# RAM written by build/mkqevm --big under /tmp (raw, and compressed with
# each of GC_BENCH_QEVM_BIG_CODECS, default "zstd gzip lzop"): convert of
# the raw one against cp, best of 3 runs each, outputs on the same file
# system ($TMPDIR), and of the compressed ones against the library.
# GC_BENCH_OUT=DIR puts outputs (cp's copy, convert's ELF) there instead,
# e.g. /dev/shm: on a shared ext4 disk, writeback of other tenants moves
# cp's own figure by 5x between runs.
# GC_BENCH_QEVM_OPEN4G=1 adds the open (index) of a 4 GiB raw stream
# (mkqevm --big, ~2 minutes to write on this VM), cached.
# Each input is synced to disk before it is timed: the writeback of a
# freshly written 1 GiB image otherwise lands in the middle of the
# measurements (kernel threads on both cores while the convert needs two).
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
# "WALL CPU" seconds of a command, to the microsecond (the kernel's
# rusage of the child; /usr/bin/time prints 10 ms, a tenth of what some
# of these commands take)
run_timed() {
	/usr/bin/python3 -c 'import resource, subprocess, sys, time
t = time.monotonic()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
w = time.monotonic() - t
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.4f %.4f" % (w, r.ru_utime + r.ru_stime))' "$@"
}
# CPU seconds (user + system) of a command: the machine is shared, so
# wall-clock time measures the other users as much as the command
wall() { local t; t=$(run_timed "$@"); echo "${t#* }"; }
ratio() { awk "BEGIN{printf \"%.2f\", $1 / $2}"; }
# "WALL CPU" seconds of a command (wall clock is what the piped convert
# gains on 2 cores: decoding and writing overlap)
wc2() { run_timed "$@"; }
# best of N of wall and of CPU (each the minimum over the runs), removing
# OUT and the decompressed cache before each run (every run cold)
best2() { # N OUT CMD...
	local n=$1 out=$2 bw="" bc=""; shift 2
	for _ in $(seq "$n"); do
		rm -rf "$out" "$GUESTCORE_CACHE_DIR"
		local t; t=$(wc2 "$@"); rm -f "$out"
		bw=$(awk -v a="${t% *}" -v b="$bw" 'BEGIN{print (b == "" || a < b) ? a : b}')
		bc=$(awk -v a="${t#* }" -v b="$bc" 'BEGIN{print (b == "" || a < b) ? a : b}')
	done
	echo "$bw $bc"
}
# best of N of bench_qevm decompress: "WALL CPU"
bestlib() { # N CODEC FILE SKIP
	local n=$1 bw="" bc=""; shift
	for _ in $(seq "$n"); do
		local t; t=$("$B" decompress "$@")
		local w c; w=$(echo "$t" | awk '{print $2}'); c=$(echo "$t" | awk '{print $4}')
		bw=$(awk -v a="$w" -v b="$bw" 'BEGIN{print (b == "" || a < b) ? a : b}')
		bc=$(awk -v a="$c" -v b="$bc" 'BEGIN{print (b == "" || a < b) ? a : b}')
	done
	echo "$bw $bc"
}
# the line issue #15 asks for: NAME LIB("W C") CONV("W C") N
vsline() {
	local lw=${2% *} lc=${2#* } cw=${3% *} cc=${3#* }
	echo "$1: convert vs library to /dev/null (best of $4, both in this run): wall ${cw}s vs ${lw}s = $(ratio "$lw" "$cw")x, CPU ${cc}s vs ${lc}s = $(ratio "$lc" "$cc")x the library's speed (target >= 0.9x, issue #15)"
}

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
	sync "$big"; cat "$big" > /dev/null
	tcp=$(best 3 "$O/copy" cp "$big" "$O/copy")
	tcv=$(best 3 "$O/out.elf" "$GC" convert "$big" -o "$O/out.elf" --no-kernel)
	echo "mkqevm raw save image $(stat -c %s "$big") bytes (best of 3, CPU seconds): cp ${tcp}s, convert (ELF) ${tcv}s: convert at $(ratio "$tcp" "$tcv")x cp's throughput"
	rm -f "$big"
	for name in ${GC_BENCH_QEVM_BIG_CODECS:-zstd gzip lzop}; do
		"$BUILD/mkqevm" "$big" --save --big --ram "$GC_BENCH_QEVM_BIG" --compress "$name" > /dev/null
		sync "$big"; cat "$big" > /dev/null
		boff=$(( 92 + $(od -An -tu4 -j20 -N4 "$big") ))
		lib=$(bestlib 3 "$name" "$big" "$boff")
		conv=$(best2 3 "$O/out.elf" "$GC" convert "$big" -o "$O/out.elf" --no-kernel)
		"$GC" convert "$big" -o "$O/out.elf" --no-kernel --json | grep -o '"piped": [a-z]*' | sed "s/^/mkqevm $name: /"
		rm -rf "$O/out.elf" "$GUESTCORE_CACHE_DIR"
		vsline "mkqevm $name save image $(stat -c %s "$big") bytes" "$lib" "$conv" 3
		rm -f "$big"
	done
fi

for c in gzip:1 bzip2:2 xz:3 lzop:4 zstd:5; do
	name=${c%:*} id=${c#*:}
	img=$W/save.$name.img
	head -c "$off" "$SAVE" > "$img"
	printf "$(printf '\\%03o' "$id")" | dd of="$img" bs=1 seek=28 conv=notrunc status=none
	case $name in
	gzip) tail -c +$((off + 1)) "$SAVE" | gzip -c >> "$img" ;;
	bzip2) tail -c +$((off + 1)) "$SAVE" | bzip2 -c >> "$img" ;;
	xz) tail -c +$((off + 1)) "$SAVE" | xz -c -T1 >> "$img" ;;
	lzop) tail -c +$((off + 1)) "$SAVE" | lzop -c >> "$img" ;;
	zstd) tail -c +$((off + 1)) "$SAVE" | zstd -q -c >> "$img" ;;
	esac
	sync "$img"
	n=3; [ "$name" = bzip2 ] && n=1
	lib=$(bestlib "$n" "$name" "$img" "$off")
	conv=$(best2 "$n" "$O/out.elf" "$GC" convert "$img" -o "$O/out.elf" --no-kernel)
	"$GC" convert "$img" -o "$O/out.elf" --no-kernel --json | grep -o '"piped": [a-z]*' | sed "s/^/$name save image: /"
	rm -f "$O/out.elf"
	vsline "$name ($(stat -c %s "$img") bytes)" "$lib" "$conv" "$n"
	rm -rf "$GUESTCORE_CACHE_DIR"
	top=$(wall "$B" open "$img" 1)
	o=$($B open "$img" 3)
	tre=$(best 3 "$O/out.elf" "$GC" convert "$img" -o "$O/out.elf" --no-kernel)
	echo "$name: open cold (decompress to the cache + index) ${top}s CPU; with the cache (convert then reads it): convert ${tre}s CPU (best of 3), open $o"
	rm -rf "$img" "$GUESTCORE_CACHE_DIR"
done

if [ -n "${GC_BENCH_QEVM_OPEN4G:-}" ]; then
	big=$W/big4g.qevm
	"$BUILD/mkqevm" "$big" --big --ram 4294967296 > /dev/null
	sync "$big"; cat "$big" > /dev/null
	echo "open (index) of a 4 GiB raw stream ($(stat -c %s "$big") bytes, cached): $($B open "$big" 3)"
	rm -f "$big"
fi
