#!/usr/bin/env bash
# asan-pass: skip (the exit-code table; the same commands run under ASan in their own scripts)
# One exit-code rule for every command (README, man page EXIT STATUS):
# 0 answered, 1 answered with problems or not found, 2 unusable input or
# usage, 130 interrupted.  A table of (command, input, expected exit).
# `info` answers what a dump is (0) even when it counts problems; `check`
# is the command whose exit says whether there are any.
. "$(dirname "$0")/lib.sh"

CMDS="info check rd read p2m regs extract-qemu extract vtop sym log struct convert vmcsinfo vmcs"
for c in $CMDS; do
	expect_rc "exit-$c-usage" 2 "$c"
	expect_rc "exit-$c-unknown-option" 2 "$c" --no-such-option x
	expect_rc "exit-$c-missing-file" 2 "$c" "$T/nonexistent" 1 2
	expect_rc "exit-$c-help" 0 "$c" --help
done

"$GCFIX" --pages 64 -o "$T/f.core" > /dev/null
"$GCFIX" --pages 64 --cut-pages 3 -o "$T/cut.core" > /dev/null
"$GCFIX" --pages 64 --vcpus 0 -o "$T/nocpu.core" > /dev/null
printf 'not a dump at all\n' > "$T/text"
# NAME RC ARGS...
while read -r name rc args; do
	[ -n "$name" ] && [ "${name#\#}" = "$name" ] || continue
	eval "set -- $args"
	expect_rc "exit-$name" "$rc" "$@"
done <<EOF_TABLE
info-clean          0 info "$T/f.core"
info-not-a-dump     2 info "$T/text"
check-clean         0 check "$T/f.core"
check-damaged       1 check "$T/cut.core"
check-not-a-dump    2 check "$T/text"
rd-present          0 rd "$T/f.core" -p 0 2
rd-bad-address      2 rd "$T/f.core" xyz
read-present        0 read "$T/f.core" -p 0 64 -o "$T/r.bin"
read-existing-out   2 read "$T/f.core" -p 0 64 -o "$T/r.bin"
regs                0 regs "$T/f.core"
regs-none           1 regs "$T/nocpu.core"
vtop-bad-address    2 vtop "$T/f.core" xyz
convert             0 convert "$T/f.core" -o "$T/c.elf"
convert-existing    2 convert "$T/f.core" -o "$T/c.elf"
convert-onto-input  2 convert "$T/f.core" -o "$T/f.core" --force
convert-damaged     2 convert "$T/cut.core" -o "$T/d.elf"
convert-damaged-zero 1 convert "$T/cut.core" -o "$T/d.elf" --missing zero
EOF_TABLE

C=${GC_DUMP_CACHE:-}
Q=$C/qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.elf
X=$C/xen-pv-idle/xen-pv-idle.core
if [ -z "$C" ] || [ ! -f "$Q" ] || [ ! -f "$X" ]; then
	skip exit-real "real dumps absent"
	exit 0
fi
while read -r name rc args; do
	[ -n "$name" ] || continue
	eval "set -- $args"
	expect_rc "exit-$name" "$rc" "$@"
done <<EOF_TABLE
sym-name            0 sym "$Q" linux_banner
sym-not-there       1 sym "$Q" no_such_symbol_zz
sym-refused-addr    1 sym "$Q" ffffffffffffffff
sym-module-addr     1 sym "$Q" ffffffffc0400000
ps-all              0 ps "$Q"
rd-not-in-dump      1 rd "$Q" -p 100000000000 2
struct-known        0 struct "$Q" task_struct.pid
struct-unknown      1 struct "$Q" no_such_type_zz
ps-pid-absent       1 ps "$Q" 99999
sys                 0 sys "$Q"
bt-all              0 bt "$Q" -a
bt-pid              0 bt "$Q" 2
bt-pid-absent       1 bt "$Q" 99999
mod                 0 mod "$Q"
guests-no-kvm       1 guests "$Q"
sym-in-image        0 sym "$Q" ffffffff9ef61905
vtop-mapped         0 vtop "$Q" ffffffff9ef61900
vtop-unmapped       1 vtop "$Q" ffff888000000000
p2m-present         0 p2m "$X" 1
p2m-not-there       1 p2m "$X" 1 fffffffff
log                 0 log "$Q"
struct              0 struct "$Q" task_struct
struct-object       0 struct "$Q" task_struct ffffffff9f81aa40
vmcsinfo-none       2 vmcsinfo "$Q"
vmcoreinfo-missing  2 sym "$Q" linux_banner --vmcoreinfo "$T/nonexistent"
EOF_TABLE

# 130: SIGINT stops a long convert, which removes its temporary output
"$GC" convert "$X" -o "$T/big.kdump" --format kdump --compress zlib > /dev/null 2>"$T/int.err" &
pid=$!
# once its temporary output exists (the handler is installed before)
for _ in $(seq 100); do
	ls -a "$T" | grep -q big && break
	sleep 0.1
done
kill -INT "$pid" 2>/dev/null
wait "$pid"
rc=$?
if [ "$rc" = 130 ] && [ ! -e "$T/big.kdump" ] && [ -z "$(ls "$T" | grep -v -e '^f.core$' -e '^cut.core$' -e '^nocpu.core$' -e '^text$' -e '^r.bin$' -e '^c.elf$' -e '^d.elf$' -e '^int.err$' -e '^stderr$')" ]; then
	pass exit-convert-sigint-130
else
	fail exit-convert-sigint-130 "exit $rc; left: $(ls "$T" | tr '\n' ' '); stderr: $(cat "$T/int.err")"
fi
