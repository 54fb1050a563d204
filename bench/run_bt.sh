#!/usr/bin/env bash
# bt -a on each real dump: guestcore (ORC read from the dump, no
# debuginfo) against crash (startup with the debug vmlinux + the same
# bt -a), wall time, both in the same run on the same files.
# Usage: bench/run_bt.sh [BUILD_DIR]
#   GC_DUMP_CACHE  decompressed real dumps (default build/dump-cache)
#   GC_VMLINUX     the debug vmlinux for crash
#                  (default ~/.cache/guestcore/vmlinux-6.1.0-56-amd64)
#   GC_BT_REPS     guestcore runs per dump, the median is kept (default 5)
# Without crash or the vmlinux only guestcore's times are printed.
set -u
BUILD=${1:-build}
CACHE=${GC_DUMP_CACHE:-build/dump-cache}
VMLINUX=${GC_VMLINUX:-$HOME/.cache/guestcore/vmlinux-6.1.0-56-amd64}
REPS=${GC_BT_REPS:-5}
GC=$BUILD/guestcore
TMP=$(mktemp -d /tmp/gc-bench-bt.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
printf 'bt -a\nq\n' > "$TMP/cmds"
have_crash=0
command -v crash > /dev/null && [ -r "$VMLINUX" ] && have_crash=1
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
[ $have_crash = 1 ] || echo "crash or $VMLINUX absent: guestcore only"
# measure CMD...: "WALL_MS CPU_MS" (CPU = user + system, children too)
measure() {
	/usr/bin/time -o "$TMP/t" -f '%e %U %S' "$@" > /dev/null 2>&1
	awk '{ printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000 }' "$TMP/t"
}
median() { sort -n | awk '{ v[NR] = $0 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v c="$1" -v g="$2" 'BEGIN { printf "%.0fx", c / (g ? g : 1) }'; }
printf '%-50s %21s %21s %7s %7s\n' "" "guestcore bt -a" "crash + bt -a" "" ""
printf '%-50s %10s %10s %10s %10s %7s %7s\n' dump "wall ms" "cpu ms" "wall ms" "cpu ms" "wall" "cpu"
for dump in qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.elf \
	    qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.makedumpfile-d0-lzo \
	    qemu-idle-nokaslr/qemu-6.1-idle-2cpu.elf \
	    qemu-idle-nokaslr/qemu-6.1-idle-2cpu.kdump-zlib \
	    qemu-idle-nokaslr/qemu-6.1-idle-2cpu.makedumpfile-d31-zlib \
	    xen-pv-idle/xen-pv-idle.core xen-pvh-idle/xen-pvh-idle.core; do
	f=$CACHE/$dump
	[ -f "$f" ] || { echo "$dump: absent"; continue; }
	cat "$f" > /dev/null   # both read from the page cache
	# the median run by wall time, and its CPU time
	read -r gw gc < <(for i in $(seq "$REPS"); do measure "$GC" bt "$f" -a; done | median)
	cw=- cc=- rw=- rc=-
	if [ $have_crash = 1 ]; then
		read -r cw cc < <(measure crash -s "$VMLINUX" "$f" -i "$TMP/cmds")
		rw=$(ratio "$cw" "$gw")
		rc=$(ratio "$cc" "$gc")
	fi
	printf '%-50s %10s %10s %10s %10s %7s %7s\n' "${dump#*/}" "$gw" "$gc" "$cw" "$cc" "$rw" "$rc"
done
