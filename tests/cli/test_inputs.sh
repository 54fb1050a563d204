#!/usr/bin/env bash
# What is not a dump is named, not misread: pipes, devices, compressed
# files, migration streams, process cores.
. "$(dirname "$0")/lib.sh"

# expect_err NAME SUBSTRING ARGS... : exit 2 and stderr contains SUBSTRING
expect_err() {
	local name=$1 sub=$2
	shift 2
	OUT=$(timeout 20 "$GC" "$@" 2>"$T/stderr"); RC=$?
	ERR=$(cat "$T/stderr")
	if [ "$RC" != 2 ]; then
		fail "$name" "exit $RC, expected 2 (stderr: $ERR)"
	elif [[ "$ERR" != *"$sub"* ]]; then
		fail "$name" "stderr lacks '$sub': $ERR"
	else
		pass "$name"
	fi
}

mkfifo "$T/fifo"
expect_err "a FIFO with no writer is refused at once" "is a FIFO (pipe)" info "$T/fifo"
expect_err "a character device is refused" "is a character device" check /dev/zero
expect_err "a directory is refused" "is a directory" info "$T"
(cd "$T" && expect_err "'-' is not standard input for a dump" "no file is named '-', and standard input is not read as a dump" info -)

# Migration streams and libvirt save images are read (docs/qemu-migration.md);
# damaged ones are refused with the offset.
printf 'QEVM\0\0\0\3\2\0\0\0' > "$T/stream"
expect_err "a cut QEMU migration stream names the offset" "migration stream at offset 0x8" info "$T/stream"
printf 'LibvirtQemudSave\2\0\0\0' > "$T/save"
head -c 100 /dev/zero >> "$T/save"
expect_err "a libvirt save image without its XML names the offset" "libvirt domain XML at offset 0x5c" info "$T/save"
MKQEVM=$(dirname "$GCFIX")/mkqevm
if [ -x "$MKQEVM" ]; then
	"$MKQEVM" "$T/part" --save --partial >/dev/null 2>&1
	OUT=$("$GC" check "$T/part" 2>&1); RC=$?
	[ $RC = 1 ] && [[ "$OUT" == *"LibvirtQemudPart"*"not"*"finished"* ]] &&
		pass "an unfinished libvirt save (LibvirtQemudPart) is a check error" ||
		fail "an unfinished libvirt save (LibvirtQemudPart) is a check error" "$RC $OUT"
fi
head -c 4096 /dev/urandom > "$T/raw"
gzip -c "$T/raw" > "$T/raw.gz"
expect_err "gzip is named" "gzip-compressed file: decompress it first" info "$T/raw.gz"
xz -c "$T/raw" > "$T/raw.xz" 2>/dev/null && expect_err "xz is named" "xz-compressed" info "$T/raw.xz"
bzip2 -c "$T/raw" > "$T/raw.bz2" 2>/dev/null && expect_err "bzip2 is named" "bzip2-compressed" info "$T/raw.bz2"
zstd -q -c "$T/raw" > "$T/raw.zst" && expect_err "zstd is named" "zstd-compressed file: decompress it first" info "$T/raw.zst"
expect_err "random bytes are not a dump" "not a dump format guestcore knows" info "$T/raw"

# A core file of an ordinary process is not a machine dump.
if command -v gdb >/dev/null; then
	sleep 60 &
	pid=$!
	gdb -q -batch -p "$pid" -ex "gcore $T/sleep.core" >/dev/null 2>&1
	kill "$pid" 2>/dev/null
	if [ -s "$T/sleep.core" ]; then
		expect_err "a process core is refused, naming the process" \
			"core file of the process 'sleep' (pid $pid), not a machine dump" info "$T/sleep.core"
		expect_err "check refuses a process core too" "not a machine dump" check "$T/sleep.core"
		expect_err "regs does not list host threads as vCPUs" "not a machine dump" regs "$T/sleep.core"
	else
		skip "process core" "gdb could not write a core (ptrace restricted?)"
	fi
	# its command line is bytes of the process: extract-qemu's report
	# escapes them (an ESC in an argument reached the terminal raw)
	sh -c 'sleep 60; :' $'\033[31mred' &
	pid=$!
	sleep 0.2
	gdb -q -batch -p "$pid" -ex "gcore $T/sh.core" >/dev/null 2>&1
	kill "$pid" 2>/dev/null
	if [ -s "$T/sh.core" ]; then
		OUT=$("$GC" extract-qemu "$T/sh.core" -o "$T/sh.vmcore" --dry-run --ram 0:0x1000@0x400000 2>&1)
		case "$OUT" in
		*$'\033'*) fail "extract-qemu escapes the command line" "ESC in: $OUT" ;;
		*"command line ("*' \x1b[31mred'*) pass "extract-qemu escapes the command line" ;;
		*) fail "extract-qemu escapes the command line" "$OUT" ;;
		esac
	fi
else
	skip "process core" "no gdb"
fi

# A flattened kdump cut short: info fails on the page descriptors and frees
# its check report on that path (LeakSanitizer in the ASan run).
F=$GC_DUMP_CACHE/qemu-idle-nokaslr/qemu-6.1-idle-2cpu.kdump-zlib
if [ -n "$GC_DUMP_CACHE" ] && [ -f "$F" ]; then
	head -c 6531596 "$F" > "$T/trunc.kdump"
	expect_err "info on a truncated flattened kdump names the offset" "offset 0x4afe0" info "$T/trunc.kdump"
fi
