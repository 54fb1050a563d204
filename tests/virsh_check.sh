#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make check-virsh: real `virsh save` / `virsh dump` files of one guest
# moment (libvirt 9.0, QEMU 7.2 TCG), made by
# ../shared/tools/make-virsh-dumps.sh into $GC_VIRSH_DIR when absent (root,
# libvirtd; minutes per format).  Every stream file must equal ref.elf page
# for page and truth.json register for register (test_qemu_stream's
# virsh_dir_all_files), and its ELF conversion must open in crash (sys,
# bt -a, log) and drgn when they and the debug vmlinux are available.
# Ends "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
DIR=${GC_VIRSH_DIR:-/tmp/gc-virsh/q35-256m-kaslr}
FORMATS=${GC_VIRSH_FORMATS:-raw,gzip,bzip2,xz,lzop}
TOOLS=${GC_SHARED:-$(cd .. && pwd)/shared}/tools
if [ ! -f "$DIR/truth.json" ]; then
	"$TOOLS/make-virsh-dumps.sh" --formats "$FORMATS" --no-qmp "$DIR" ||
		{ echo "FAIL virsh-make: make-virsh-dumps.sh failed"; echo "0 passed, 1 failed"; exit 1; }
fi
T=$(mktemp -d /tmp/gcvirsh.XXXXXX)
trap 'rm -rf "$T"' EXIT
export GUESTCORE_CACHE_DIR=$T/cache
p=0 f=0
res() { case "$1" in PASS*) p=$((p + 1)) ;; FAIL*) f=$((f + 1)) ;; esac; echo "$1"; }
GC_VIRSH_DIR=$DIR "$BUILD/tests/test_qemu_stream" > "$T/unit.log" 2>&1
grep '^#' "$T/unit.log"
while read -r l; do res "$l"; done < <(grep -E '^(PASS|FAIL)' "$T/unit.log")
KVER=6.1.0-56-amd64
VMLINUX=${GC_VMLINUX:-${GC_REFEREE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/guestcore}/vmlinux-$KVER}
for s in "$DIR"/virsh-save.*.img "$DIR"/virsh-dump.*; do
	[ -f "$s" ] || continue
	n=$(basename "$s")
	if ! "$BUILD/guestcore" convert "$s" -o "$T/out.elf" > "$T/conv.log" 2>&1; then
		res "FAIL convert-$n: $(tail -1 "$T/conv.log")"
		continue
	fi
	res "PASS convert-$n"
	if [ -f "$VMLINUX" ] && command -v crash >/dev/null; then
		printf 'sys\nbt -a\nlog\nquit\n' > "$T/cmds"
		timeout 300 crash -s "$VMLINUX" "$T/out.elf" -i "$T/cmds" > "$T/crash.txt" 2>&1 < /dev/null
		if grep -q "RELEASE: $KVER" "$T/crash.txt" && grep -q '^PID: ' "$T/crash.txt" &&
		   grep -q 'Linux version' "$T/crash.txt"; then
			res "PASS crash-$n (sys, bt -a, log)"
		else
			res "FAIL crash-$n: $(grep -m2 -iE 'error|cannot|invalid' "$T/crash.txt" | tr '\n' ' ')"
		fi
	else
		echo "SKIP crash-$n: crash or $VMLINUX absent"
	fi
	if /usr/bin/python3 -c 'import drgn' 2>/dev/null && [ -f "$VMLINUX" ]; then
		if /usr/bin/python3 -m drgn -c "$T/out.elf" -s "$VMLINUX" -e \
		   'print(prog["init_uts_ns"].name.release.string_().decode())' 2>&1 | grep -q "$KVER"; then
			res "PASS drgn-$n"
		else
			res "FAIL drgn-$n"
		fi
	else
		echo "SKIP drgn-$n: drgn or $VMLINUX absent"
	fi
	rm -f "$T/out.elf"
done
echo "$p passed, $f failed"
[ "$f" = 0 ]
