#!/usr/bin/env bash
# Overrides are checked against the dump (issue 13): a --vmcoreinfo that is
# not VMCOREINFO is an error; a --system-map or --vmlinux for another build
# is refused with both values named (the text at its linux_banner against
# VMCOREINFO's OSRELEASE; the vmlinux's build-id against BUILD-ID).
. "$(dirname "$0")/lib.sh"
HERE="$(dirname "$0")"

printf 'hello\n' > "$T/hostname"
expect_err ovr-vmcoreinfo-not-text 2 "guestcore: $T/hostname: --vmcoreinfo: VMCOREINFO text: no KEY=VALUE line the kernel writes (OSRELEASE=, PAGESIZE=, SYMBOL(name)=, ...) in 6 bytes: not a VMCOREINFO file" \
	info "$T/hostname" --vmcoreinfo "$T/hostname"
printf 'OSRELEASE=6.1\n\001\002binary' > "$T/bin"
expect_err ovr-vmcoreinfo-binary 2 "guestcore: $T/bin: --vmcoreinfo: VMCOREINFO text at offset 0xe: byte 0x01 is not text: not a VMCOREINFO file" \
	sym "$T/bin" x --vmcoreinfo "$T/bin"

D=${GC_DUMP_CACHE:-}/qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.elf
if [ -z "${GC_DUMP_CACHE:-}" ] || [ ! -f "$D" ]; then
	skip overrides-real "real dump absent"
	exit 0
fi
VI="$HERE/../fuzz/seeds/fuzz_vmcoreinfo/qemu-6.1-kaslr.txt"
expect_out ovr-vmcoreinfo-good 0 "ffffffff9ef61900 (D) linux_banner" sym "$D" linux_banner --vmcoreinfo "$VI"
# info and check would only note an unusable kernel layer: the option
# itself is refused
expect_rc ovr-vmcoreinfo-info 2 info "$D" --vmcoreinfo "$T/hostname"
expect_rc ovr-vmcoreinfo-check 2 check "$D" --vmcoreinfo "$T/hostname"

# System.map of this build (addresses before the KASLR slide 0x1ce00000)
printf 'ffffffff81000000 T _text\nffffffff82161900 D linux_banner\nffffffff82a1aa40 D init_task\nffffffff84430000 B _end\n' > "$T/good.map"
expect_out ovr-map-good 0 "ffffffff9f81aa40 (D) init_task" sym "$D" init_task --system-map "$T/good.map"
# another build: every symbol 8 bytes further (linux_banner included)
python3 -c 'import sys
for l in open(sys.argv[1]):
    a, t, n = l.split()
    print("%016x %s %s" % (int(a, 16) + 8, t, n))' "$T/good.map" > "$T/shifted.map"
expect_err ovr-map-other-build 2 "guestcore: $D: $T/shifted.map at kernel virtual address 0xffffffff9ef61908: --system-map is for another build: its linux_banner reads \"rsion 6.1.0-56-amd64 (debian-kernel@lists.debian.org) (gcc-12...\" in the dump, expected \"Linux version 6.1.0-56-amd64 ...\" (VMCOREINFO OSRELEASE)" \
	sym "$D" init_task --system-map "$T/shifted.map"
# every kernel command refuses it (vtop, log, struct, rd -v)
expect_rc ovr-map-other-build-vtop 2 vtop "$D" ffffffff9ef61900 --system-map "$T/shifted.map"
expect_rc ovr-map-other-build-log 2 log "$D" --system-map "$T/shifted.map"
# the right map but a VMCOREINFO of another release: refused, both named
sed 's/^OSRELEASE=.*/OSRELEASE=6.1.0-99-amd64/' "$VI" > "$T/vi99"
run_gc ovr-map-other-release 2 sym "$D" init_task --system-map "$T/good.map" --vmcoreinfo "$T/vi99" &&
case "$ERR" in *'its linux_banner reads "Linux version 6.1.0-56-amd64 (debian-kernel'*'expected "Linux version 6.1.0-99-amd64 ..." (VMCOREINFO OSRELEASE)'*) pass ovr-map-other-release-message ;;
*) fail ovr-map-other-release-message "$ERR" ;; esac
# an unparsable map is an error for every command
printf 'not a map\n' > "$T/bad.map"
run_gc ovr-map-unparsable 2 vtop "$D" ffffffff9ef61900 --system-map "$T/bad.map" &&
case "$ERR" in *"--system-map: reading $T/bad.map: System.map: no 'ADDRESS TYPE NAME' line"*) pass ovr-map-unparsable-message ;;
*) fail ovr-map-unparsable-message "$ERR" ;; esac
# a map without linux_banner cannot be checked: used, with a note
printf 'ffffffff81000000 T _text\nffffffff82a1aa40 D init_task\n' > "$T/nobanner.map"
expect_out ovr-map-unchecked 0 "ffffffff9f81aa40 (D) init_task" sym "$D" init_task --system-map "$T/nobanner.map"
expect_out ovr-map-unchecked-note 0 "--system-map $T/nobanner.map: not checked against the dump (no linux_banner in it)" info "$D" --system-map "$T/nobanner.map"

# --vmlinux: the build-id must be VMCOREINFO's BUILD-ID
BID=$(sed -n 's/^BUILD-ID=//p' "$VI")
python3 "$HERE/mkvmlinux.py" "$T/good.vmlinux" "$BID" _text=ffffffff81000000 linux_banner=ffffffff82161900 init_task=ffffffff82a1aa40 _end=ffffffff84430000
python3 "$HERE/mkvmlinux.py" "$T/other.vmlinux" 00112233445566778899aabbccddeeff00112233 _text=ffffffff81000000 linux_banner=ffffffff82161900 _end=ffffffff84430000
expect_out ovr-vmlinux-good 0 "ffffffff9f81aa40 (D) init_task" sym "$D" init_task --vmlinux "$T/good.vmlinux"
expect_err ovr-vmlinux-other-build 2 "guestcore: $D: $T/other.vmlinux: --vmlinux is for another build: its build-id is 00112233445566778899aabbccddeeff00112233, the dump's VMCOREINFO BUILD-ID is $BID" \
	sym "$D" init_task --vmlinux "$T/other.vmlinux"
