#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make check-valgrind: the CLI under valgrind's memcheck on small inputs
# the fixture writers make (and the real QEMU save image when it is in
# the dump cache).  Each command must finish with no memcheck error and
# no leak ("definitely" or "indirectly" lost); its own exit code is not
# judged here (the other tests do).  Prints PASS/FAIL lines and
# "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
B="$PWD/$BUILD"
GC="$B/guestcore"
CACHE=${GC_DUMP_CACHE:-$PWD/build/dump-cache}
T=$(mktemp -d /tmp/gcvg.XXXXXX)
trap 'rm -rf "$T"' EXIT
npass=0 nfail=0
command -v valgrind > /dev/null || { echo "SKIP valgrind: not installed"; echo "0 passed, 0 failed"; exit 0; }
vg() { # NAME ARGS...
	local name=$1; shift
	valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect \
		"$GC" "$@" > /dev/null 2> "$T/vg.err"
	if [ $? = 99 ] || grep -q '==[0-9]*== ' "$T/vg.err"; then
		echo "FAIL $name: $(grep -m3 '==[0-9]*== [A-Z0-9]' "$T/vg.err" | tr '\n' ' ')"
		nfail=$((nfail + 1))
	else
		echo "PASS $name"
		npass=$((npass + 1))
	fi
}
"$B/gcfixture" --pages 64 -o "$T/pv.core" > /dev/null
"$B/gcfixture" --pages 64 --cut-pages 3 -o "$T/cut.core" > /dev/null
"$B/mkvmcore" kdump "$T/k.kdump" --codec zlib --eraseinfo > /dev/null
"$B/mkvmcore" elf "$T/e.elf" --pages 0-3 --qemu > /dev/null
"$B/mkqevm" "$T/a.qevm" > /dev/null
head -c 9000 "$T/a.qevm" > "$T/cut.qevm"
vg info-xc_core info "$T/pv.core"
vg check-xc_core check "$T/pv.core"
vg regs-xc_core regs --json "$T/pv.core"
vg p2m-xc_core p2m "$T/pv.core" 1
vg convert-xc_core convert "$T/pv.core" -o "$T/o1.elf"
vg convert-cut-zero convert "$T/cut.core" -o "$T/o2.elf" --missing zero
vg convert-refused convert "$T/cut.core" -o "$T/o3.elf"
vg check-kdump check --deep "$T/k.kdump"
vg convert-kdump-elf convert "$T/k.kdump" -o "$T/o4.elf" --verify
vg check-converted check "$T/o4.elf"
vg convert-kdump-kdump convert "$T/k.kdump" -o "$T/o5.kdump" --format kdump --compress zstd
vg info-elf info --json "$T/e.elf"
vg rd-elf rd "$T/e.elf" -p 0 4
vg info-qevm info "$T/a.qevm"
vg convert-qevm convert "$T/a.qevm" -o "$T/o6.elf"
vg convert-cut-qevm convert "$T/cut.qevm" -o "$T/o7.elf"
vg usage-unknown-option info --no-such-option
vg help convert --help
S=$CACHE/virsh-q35-256m-nokaslr/virsh-save.raw.img
if [ -f "$S" ]; then
	vg real-save-sys sys "$S"
	vg real-save-log log "$S"
else
	echo "SKIP real-save: $S absent"
fi
echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
