# SPDX-License-Identifier: MIT
# Helpers for the QEMU process-core tests (sourced by tests/cli/test_qemu_core*.sh).
# Boots the multiboot payload (tests/qemu/payload.S) under TCG, takes QEMU's own
# dump-guest-memory ELF and a gdb gcore of the QEMU process.  Everything lives in
# $T; the QMP socket is a unix socket there (no network).

QDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
QEMU_PID=""

qemu_tools_ok() {
	local t
	for t in qemu-system-x86_64 gdb as ld python3; do
		command -v "$t" >/dev/null 2>&1 || { echo "$t"; return 1; }
	done
	return 0
}

build_payload() {
	as --32 -o "$T/payload.o" "$QDIR/payload.S" &&
	ld -m elf_i386 -T "$QDIR/payload.ld" -o "$T/payload.elf" "$T/payload.o"
}

qemu_stop_guest() {
	if [ -n "$QEMU_PID" ] && kill -0 "$QEMU_PID" 2>/dev/null; then
		python3 "$QDIR/qmp.py" "$1/qmp.sock" quit >/dev/null 2>&1 || kill "$QEMU_PID" 2>/dev/null
		wait "$QEMU_PID" 2>/dev/null
	fi
	QEMU_PID=""
}

# boot_guest DIR MACHINE MEM : boot, wait for READY, stop the vCPUs, save
# DIR/mtree.txt (info mtree -f + info ramblock), DIR/qemu.elf (QEMU's dump),
# DIR/core (gcore of the QEMU process).  Returns non-zero with a message.
# MODE (4th argument) "kcore": instead of gcore, QEMU runs with
# `ulimit -c unlimited` in DIR and is killed with SIGABRT, so the kernel
# writes the core (needs a plain core_pattern such as "core").
boot_guest() {
	local d=$1 machine=$2 mem=$3 mode=${4:-gcore} i
	mkdir -p "$d"
	rm -f "$d/serial.log" "$d/qmp.sock" "$d"/core*
	(ulimit -c unlimited 2>/dev/null; cd "$d" && exec qemu-system-x86_64 -machine "$machine" \
		-accel tcg,tb-size=16 -m "$mem" \
		-nographic -nodefaults -monitor none -serial "file:$d/serial.log" \
		-kernel "$T/payload.elf" -qmp "unix:$d/qmp.sock,server=on,wait=off" \
		</dev/null >"$d/qemu.out" 2>&1) &
	QEMU_PID=$!
	for i in $(seq 1 300); do
		grep -q READY "$d/serial.log" 2>/dev/null && break
		kill -0 "$QEMU_PID" 2>/dev/null || { echo "qemu exited: $(cat "$d/qemu.out")"; return 1; }
		sleep 0.1
	done
	grep -q READY "$d/serial.log" || { echo "guest not READY after 30 s"; qemu_stop_guest "$d"; return 1; }
	python3 "$QDIR/qmp.py" "$d/qmp.sock" stop || { echo "QMP stop failed"; return 1; }
	{ python3 "$QDIR/qmp.py" "$d/qmp.sock" hmp "info mtree -f"
	  python3 "$QDIR/qmp.py" "$d/qmp.sock" hmp "info ramblock"; } > "$d/mtree.txt" || { echo "QMP hmp failed"; return 1; }
	python3 "$QDIR/qmp.py" "$d/qmp.sock" dump "$d/qemu.elf" || { echo "dump-guest-memory failed"; return 1; }
	if [ "$mode" = kcore ]; then
		kill -ABRT "$QEMU_PID"
		wait "$QEMU_PID" 2>/dev/null
		QEMU_PID=""
		local c
		c=$(ls "$d"/core* 2>/dev/null | head -1)
		[ -n "$c" ] && [ -s "$c" ] || { echo "the kernel wrote no core (core_pattern $(cat /proc/sys/kernel/core_pattern))"; return 1; }
		[ "$c" = "$d/core" ] || mv "$c" "$d/core"
		return 0
	fi
	gdb -p "$QEMU_PID" -batch -ex "gcore $d/core" >"$d/gdb.out" 2>&1
	[ -s "$d/core" ] || { echo "gcore failed: $(tail -3 "$d/gdb.out")"; return 1; }
	echo "$QEMU_PID" > "$d/pid"
	qemu_stop_guest "$d"
	return 0
}

# json_field FILE KEY : a top-level string/number field of a --json output
json_field() {
	python3 -c 'import json,sys; v=json.load(open(sys.argv[1])); k=sys.argv[2].split(".")
for p in k: v=v[int(p)] if isinstance(v,list) else v[p]
print(v)' "$1" "$2"
}

# set_phdr_filesz CORE HVA NEWFILESZ : patch p_filesz of the PT_LOAD at HVA
# (prints the old value); used to simulate pages the core left out.
set_phdr_filesz() {
	python3 - "$1" "$2" "$3" <<'PY'
import struct, sys
path, hva, new = sys.argv[1], int(sys.argv[2], 0), int(sys.argv[3], 0)
with open(path, "r+b") as f:
    eh = f.read(64)
    phoff, = struct.unpack_from("<Q", eh, 32)
    phnum, = struct.unpack_from("<H", eh, 56)
    for i in range(phnum):
        f.seek(phoff + 56 * i)
        ph = f.read(56)
        typ, = struct.unpack_from("<I", ph, 0)
        vaddr, = struct.unpack_from("<Q", ph, 16)
        if typ == 1 and vaddr == hva:
            old, = struct.unpack_from("<Q", ph, 32)
            f.seek(phoff + 56 * i + 32)
            f.write(struct.pack("<Q", new))
            print(old)
            sys.exit(0)
sys.exit("no PT_LOAD at 0x%x" % hva)
PY
}

# phdr_offset CORE HVA : file offset of the PT_LOAD data at HVA
phdr_offset() {
	python3 - "$1" "$2" <<'PY'
import struct, sys
path, hva = sys.argv[1], int(sys.argv[2], 0)
with open(path, "rb") as f:
    eh = f.read(64)
    phoff, = struct.unpack_from("<Q", eh, 32)
    phnum, = struct.unpack_from("<H", eh, 56)
    for i in range(phnum):
        f.seek(phoff + 56 * i)
        ph = f.read(56)
        typ, = struct.unpack_from("<I", ph, 0)
        off, vaddr = struct.unpack_from("<QQ", ph, 8)
        if typ == 1 and vaddr == hva:
            print(off)
            sys.exit(0)
sys.exit("no PT_LOAD at 0x%x" % hva)
PY
}
