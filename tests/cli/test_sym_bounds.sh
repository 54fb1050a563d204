#!/usr/bin/env bash
# sym ADDR never gives an image symbol to an address outside the kernel
# image (issue: `sym` had no upper bound), and prints the address asked.
. "$(dirname "$0")/lib.sh"

D=$GC_DUMP_CACHE/qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.elf
if [ -z "$GC_DUMP_CACHE" ] || [ ! -f "$D" ]; then
	skip "sym-bounds" "real dump absent"
	exit 0
fi
# refuse NAME ADDR SUBSTRING: exit 1 (answered: no symbol there; issue 13
# exit-code rule), no symbol printed, stderr says where
refuse() {
	OUT=$("$GC" sym "$D" "$2" 2>"$T/err"); RC=$?
	ERR=$(cat "$T/err")
	if [ "$RC" = 1 ] && [ -z "$OUT" ] && [[ "$ERR" == *"not in the kernel image"*"$3"* ]]; then
		pass "$1"
	else
		fail "$1" "exit $RC, out '$OUT', err '$ERR'"
	fi
}
# vCPU 0's RIP in pvpanic.ko (crash: pvpanic_panic_notify+96 [pvpanic])
# in the module area but in no module (ffffffffc0303230, in pvpanic.ko, now
# resolves: tests/cli/test_mod.sh)
refuse "sym-module-address" ffffffffc0400000 "in the module area"
# page_offset_base is 0xffff8dfa40000000 in this KASLR guest
refuse "sym-direct-map" ffff8dfa40123000 "in the direct map (physical 0x123000, pfn 0x123)"
refuse "sym-below-direct-map" ffff888000123456 "below the direct map (which starts at 0xffff8dfa40000000)"
refuse "sym-all-ones" ffffffffffffffff "in the fixmap area"
refuse "sym-vsyscall" ffffffffff600000 "the legacy vsyscall page"
refuse "sym-user" 0x7fff0000 "a user-space address"
refuse "sym-vmalloc" ffffd14a80001000 "in the vmalloc/ioremap area"
# Inside the image: the address asked for, plus the offset (as crash).
expect_out "sym-offset-prints-the-address-asked" 0 "ffffffff9ef61910 (D) linux_banner+16" sym "$D" ffffffff9ef61910
expect_out "sym-exact" 0 "ffffffff9ef61900 (D) linux_banner" sym "$D" ffffffff9ef61900
