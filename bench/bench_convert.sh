#!/usr/bin/env bash
# guestcore convert throughput:
#   ELF -> ELF        vs  cp of the same file
#   ELF -> kdump zstd vs  makedumpfile -z -d 0 (or -c, zlib, where makedumpfile lacks zstd)
#   ELF -> kdump zlib vs  makedumpfile -c -d 0 (same codec, like for like)
# Usage: bench/bench_convert.sh [BUILD_DIR] [INPUT.elf]
# GC_BENCH_ELF_ONLY=1: only ELF -> ELF against cp (for multi-GiB inputs).
# The input is read once first so that every run starts with it cached; each
# measurement is the best of 3 runs.  Outputs go to a temporary directory
# next to the input's cache (same file system for all runs).
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-${BUILD:-build}}
GC="$PWD/$BUILD/guestcore"
SRC=${2:-${GC_DUMP_CACHE:-$PWD/build/dump-cache}/qemu-idle-nokaslr/qemu-6.1-idle-2cpu.elf}
[ -x "$GC" ] || { echo "no $GC (make BUILD=$BUILD)"; exit 2; }
[ -f "$SRC" ] || { echo "input $SRC absent (run tests/run.sh once to decompress the real dumps)"; exit 2; }
T=$(mktemp -d "${TMPDIR:-/tmp}/gcbench.XXXXXX")
trap 'rm -rf "$T"' EXIT
# makedumpfile 1.7.2 cannot read QEMU's ELF layout (e_phoff 192), so the
# common input is SRC converted to the /proc/vmcore layout by guestcore.
IN="$T/input.elf"
"$GC" convert "$SRC" -o "$IN" > /dev/null || { echo "cannot convert $SRC"; exit 2; }
cat "$IN" > /dev/null
sync
size=$(stat -c %s "$IN")

best() { # best wall time of 3 runs of "$@" (seconds, incl. sync); sets CPU=user+sys of that run
	local b= bc_=
	for _ in 1 2 3; do
		rm -f "$T"/out*
		local s e t c
		s=$(date +%s.%N)
		/usr/bin/time -f '%U %S' -o "$T/time" "$@" > "$T/log" 2>&1 ||
			{ echo "FAILED: $* ($(tail -1 "$T/log"))" >&2; echo 0; return; }
		sync
		e=$(date +%s.%N)
		t=$(echo "$e - $s" | bc -l)
		c=$(awk '{print $1 + $2}' "$T/time")
		if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; bc_=$c; fi
	done
	echo "$bc_" > "$T/cpu"
	printf '%.3f' "$b"
}
cpu() { cat "$T/cpu"; }
mbs() { echo "scale=1; $size / 1048576 / $1" | bc -l; }
ratio() { echo "scale=2; $1 / $2" | bc -l; }

echo "input: $SRC as /proc/vmcore-style ELF ($((size / 1048576)) MiB), $(nproc) CPUs"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) (wall times include sync; CPU = user+sys)"
t_cp=$(best cp "$IN" "$T/out.cp"); c_cp=$(cpu)
t_elf=$(best "$GC" convert "$IN" -o "$T/out.elf"); c_elf=$(cpu)
printf '%-34s %8ss %8s MiB/s  cpu %ss\n' "cp" "$t_cp" "$(mbs "$t_cp")" "$c_cp"
printf '%-34s %8ss %8s MiB/s  cpu %ss\n' "guestcore convert ELF->ELF" "$t_elf" "$(mbs "$t_elf")" "$c_elf"
if [ "${GC_BENCH_ELF_ONLY:-0}" = 1 ]; then
	echo "throughput convert/cp (wall, sync included): $(ratio "$t_cp" "$t_elf")"
	exit 0
fi

# makedumpfile without zstd support still accepts -z and writes pages
# uncompressed: look at the header's status (0x20 = zstd).
if makedumpfile -z -d 0 "$IN" "$T/probe.md" > /dev/null 2>&1 &&
   [ "$(od -An -tu4 -j424 -N4 "$T/probe.md" | tr -d ' ')" = 32 ]; then mdz=-z; mdname="makedumpfile -z -d 0 (zstd)"; else mdz=-c; mdname="makedumpfile -c -d 0 (zlib: no zstd)"; fi
t_gz=$(best "$GC" convert "$IN" -o "$T/out.kz" --format kdump --compress zstd); c_gz=$(cpu)
"$GC" convert "$IN" -o "$T/size.kz" --format kdump --compress zstd > /dev/null 2>&1
t_gzl=$(best "$GC" convert "$IN" -o "$T/out.kzl" --format kdump --compress zlib); c_gzl=$(cpu)
"$GC" convert "$IN" -o "$T/size.kzl" --format kdump --compress zlib > /dev/null 2>&1
t_md=$(best makedumpfile $mdz -d 0 "$IN" "$T/out.md"); c_md=$(cpu)
makedumpfile $mdz -d 0 "$IN" "$T/size.md" > /dev/null 2>&1
t_mdc=$(best makedumpfile -c -d 0 "$IN" "$T/out.mdc"); c_mdc=$(cpu)
makedumpfile -c -d 0 "$IN" "$T/size.mdc" > /dev/null 2>&1
sz() { echo "$(( $(stat -c %s "$1" 2>/dev/null || echo 0) / 1048576 )) MiB"; }
printf '%-34s %8ss %8s MiB/s  cpu %ss  output %s\n' "guestcore convert kdump zstd" "$t_gz" "$(mbs "$t_gz")" "$c_gz" "$(sz "$T/size.kz")"
printf '%-34s %8ss %8s MiB/s  cpu %ss  output %s\n' "$mdname" "$t_md" "$(mbs "$t_md")" "$c_md" "$(sz "$T/size.md")"
printf '%-34s %8ss %8s MiB/s  cpu %ss  output %s\n' "guestcore convert kdump zlib" "$t_gzl" "$(mbs "$t_gzl")" "$c_gzl" "$(sz "$T/size.kzl")"
printf '%-34s %8ss %8s MiB/s  cpu %ss  output %s\n' "makedumpfile -c -d 0 (zlib)" "$t_mdc" "$(mbs "$t_mdc")" "$c_mdc" "$(sz "$T/size.mdc")"
echo "ratios guestcore/other (wall time; lower = guestcore faster):"
echo "  ELF->ELF / cp:                                $(ratio "$t_elf" "$t_cp")"
echo "  kdump zstd / $mdname: $(ratio "$t_gz" "$t_md")"
echo "  kdump zlib / makedumpfile -c -d 0:            $(ratio "$t_gzl" "$t_mdc")"
