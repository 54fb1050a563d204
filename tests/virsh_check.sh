#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make check-virsh: real `virsh save` / `virsh dump` files of one guest
# moment each (libvirt 9.0, QEMU 7.2 TCG), made by
# ../shared/tools/make-virsh-dumps.sh (docs/qemu-migration.md says how).
#
# GC_VIRSH_DIR names one set (a directory with truth.json) or a directory
# of sets (default ~/.cache/guestcore/virsh); when it holds none, the
# default set q35-256m-kaslr is made there (root, libvirtd; minutes).
# For every set:
#  * test_qemu_stream's virsh_dir_all_files: every stream file equals
#    ref.elf page for page and truth.json register for register (every vCPU);
#  * per stream file: check (clean), log (the banner), convert to ELF and to
#    kdump with --verify, and crash (sys, bt -a, log) and drgn (release, the
#    task list, a stack trace) on both conversions when crash/drgn and the
#    debug vmlinux are there.  A conversion byte-identical to one already
#    opened in this set is not opened again (said so, counted as passed).
# Prints PASS/FAIL lines prefixed with the set's name, a summary line per
# set (also written to SET/check-virsh.txt) and "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ROOT=${GC_VIRSH_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/guestcore/virsh}
FORMATS=${GC_VIRSH_FORMATS:-raw,gzip,bzip2,xz,lzop}
TOOLS=${GC_SHARED:-$(cd .. && pwd)/shared}/tools
KVER=6.1.0-56-amd64
VMLINUX=${GC_VMLINUX:-${GC_REFEREE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/guestcore}/vmlinux-$KVER}
PY=/usr/bin/python3

sets=()
if [ -f "$ROOT/truth.json" ]; then
	sets=("$ROOT")
else
	for d in "$ROOT"/*/; do [ -f "$d/truth.json" ] && sets+=("${d%/}"); done
fi
if [ ${#sets[@]} = 0 ]; then
	# The script's last step lists OUTDIR/qmp, which --no-qmp does not
	# make, so it exits non-zero after writing a complete set: the set is
	# judged by its truth.json (written last, after every file).
	"$TOOLS/make-virsh-dumps.sh" --formats "$FORMATS" --no-qmp "$ROOT/q35-256m-kaslr" ||
		[ -f "$ROOT/q35-256m-kaslr/truth.json" ] ||
		{ echo "FAIL virsh-make: make-virsh-dumps.sh failed"; echo "0 passed, 1 failed"; exit 1; }
	sets=("$ROOT/q35-256m-kaslr")
fi

T=$(mktemp -d /tmp/gcvirsh.XXXXXX)
trap 'rm -rf "$T"' EXIT
cat > "$T/drgn.py" <<'EOF'
from drgn.helpers.linux.pid import for_each_task
print("release", prog["init_uts_ns"].name.release.string_().decode())
print("tasks", sum(1 for _ in for_each_task(prog)))
print("init_frames", len(prog.stack_trace(1)))
EOF
printf 'sys\nbt -a\nlog\nquit\n' > "$T/cmds"
P=0 F=0
SUMMARY=""
for S in "${sets[@]}"; do
	name=$(basename "$S")
	export GUESTCORE_CACHE_DIR=$T/cache-$name
	p=0 f=0 skipped=""
	res() {
		case "$1" in PASS*) p=$((p + 1)) ;; FAIL*) f=$((f + 1)) ;; esac
		echo "$name: $1" | tee -a "$T/$name.log"
	}
	: > "$T/$name.log"
	GC_VIRSH_DIR=$S "$BUILD/tests/test_qemu_stream" > "$T/unit.log" 2>&1
	grep '^#' "$T/unit.log" | sed "s|^|$name: |" | tee -a "$T/$name.log"
	while read -r l; do
		case "$l" in *virsh_dir_all_files*) res "$l" ;; esac
	done < <(grep -E '^(PASS|FAIL|SKIP)' "$T/unit.log")
	declare -A opened=()
	for s in "$S"/virsh-save.*.img "$S"/virsh-dump.*; do
		[ -f "$s" ] || continue
		n=$(basename "$s")
		"$BUILD/guestcore" check "$s" > "$T/o" 2>&1
		crc=$?
		if [ $crc = 0 ] && grep -q '^result: clean' "$T/o"; then
			res "PASS check-$n"
		elif [ $crc -le 1 ] && ! grep '^  warning' "$T/o" | grep -vq 'the stream names no machine type'; then
			# a bare stream of a machine type that writes no
			# configuration section (pc-i440fx-2.0): the one
			# warning is right; the pages are compared above
			res "PASS check-$n (warns: no machine type in the stream)"
		else
			res "FAIL check-$n: $(grep -v '^  ok' "$T/o" | head -3 | tr '\n' ' ')"
		fi
		if "$BUILD/guestcore" log "$s" 2>&1 | grep -q "Linux version $KVER"; then
			res "PASS log-$n"
		else
			res "FAIL log-$n: no 'Linux version $KVER' in the log"
		fi
		for fmt in elf kdump; do
			out=$T/out.$fmt
			rm -f "$out"
			if ! "$BUILD/guestcore" convert "$s" -o "$out" --format $fmt --verify > "$T/conv.log" 2>&1; then
				res "FAIL convert-$fmt-$n: $(tail -1 "$T/conv.log")"
				continue
			fi
			res "PASS convert-$fmt-$n (--verify)"
			h=$(sha256sum "$out" | cut -c1-64)
			if [ -n "${opened[$h]:-}" ]; then
				res "PASS open-$fmt-$n: byte-identical to ${opened[$h]}'s conversion, opened there"
				continue
			fi
			opened[$h]=$n
			if [ -f "$VMLINUX" ] && command -v crash >/dev/null; then
				timeout 300 crash -s "$VMLINUX" "$out" -i "$T/cmds" > "$T/crash.txt" 2>&1 < /dev/null
				if grep -q "RELEASE: $KVER" "$T/crash.txt" && grep -q '^PID: ' "$T/crash.txt" &&
				   grep -q 'Linux version' "$T/crash.txt"; then
					res "PASS crash-$fmt-$n (sys, bt -a: $(grep -c "^PID: " "$T/crash.txt") active tasks, log)"
				else
					res "FAIL crash-$fmt-$n: $(grep -m2 -iE 'error|cannot|invalid' "$T/crash.txt" | tr '\n' ' ')"
				fi
			else
				skipped="crash"
			fi
			if $PY -c 'import drgn' 2>/dev/null && [ -f "$VMLINUX" ]; then
				timeout 300 $PY -m drgn -q -c "$out" -s "$VMLINUX" "$T/drgn.py" > "$T/drgn.txt" 2>&1
				if grep -q "^release $KVER" "$T/drgn.txt" && grep -q '^tasks [1-9]' "$T/drgn.txt" &&
				   grep -q '^init_frames [1-9]' "$T/drgn.txt"; then
					res "PASS drgn-$fmt-$n ($(tr '\n' ' ' < "$T/drgn.txt"))"
				else
					res "FAIL drgn-$fmt-$n: $(tail -2 "$T/drgn.txt" | tr '\n' ' ')"
				fi
			else
				skipped="$skipped drgn"
			fi
		done
		rm -f "$T"/out.*
	done
	unset opened
	rm -rf "$GUESTCORE_CACHE_DIR"
	line="$name: $p passed, $f failed${skipped:+ (not available:$skipped)}"
	{ echo "# check-virsh $(date -u +%Y-%m-%dT%H:%MZ) $(git rev-parse --short HEAD 2>/dev/null)"; echo "$line"; cat "$T/$name.log"; } > "$S/check-virsh.txt" 2>/dev/null || true
	SUMMARY="$SUMMARY$line"$'\n'
	P=$((P + p)) F=$((F + f))
done
printf '%s' "$SUMMARY"
echo "$P passed, $F failed"
[ "$F" = 0 ]
