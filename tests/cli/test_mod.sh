#!/usr/bin/env bash
# guestcore mod and module symbols on the real dumps, against crash 8.0.2
# (with the debug vmlinux; its output is stored in tests/cli/expected/*.crash-mod.txt
# because the dumps' own expected/ files do not run `mod`).
. "$(dirname "$0")/lib.sh"
EXP=$(cd "$(dirname "$0")" && pwd)/expected

C=$GC_DUMP_CACHE
P=$C/qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu
I=$C/qemu-idle-nokaslr/qemu-6.1-idle-2cpu
if [ -z "$C" ] || [ ! -f "$P.elf" ]; then
	skip "mod" "real dumps absent"
	exit 0
fi
strip() { sed 's/[[:space:]]*$//'; }
# crash's table: the lines from MODULE up to the last module line
table() { grep -E '^( +MODULE|[0-9a-f]{16}  )' "$1"; }
crash_line() { grep -F "$2" "$1" | grep -v '^#' | strip; }

for f in "$P.elf:qemu-6.1-panic-kaslr-2cpu.elf" "$P.makedumpfile-d0-lzo:qemu-6.1-panic-kaslr-2cpu.elf" \
	 "$I.elf:qemu-6.1-idle-2cpu.elf" "$I.kdump-zlib:qemu-6.1-idle-2cpu.elf" \
	 "$I.makedumpfile-d31-zlib:qemu-6.1-idle-2cpu.elf"; do
	dump=${f%%:*} exp=$EXP/${f##*:}.crash-mod.txt
	name="mod-equals-crash-$(basename "$dump")"
	[ -f "$dump" ] || { skip "$name" "absent"; continue; }
	if run_gc "$name" 0 mod "$dump"; then
		want=$(table "$exp")
		[ "$OUT" = "$want" ] && pass "$name" || fail "$name" "$(diff <(echo "$OUT") <(echo "$want") | head -8)"
	fi
done
for x in xen-pv-idle/xen-pv-idle.core xen-pvh-idle/xen-pvh-idle.core; do
	[ -f "$C/$x" ] || { skip "mod-$x" "absent"; continue; }
	expect_out "mod-none-$(basename "$x")" 0 "$(grep -v '^#' "$EXP/xen-idle.crash-mod.txt")" mod "$C/$x"
done

# sym: a vCPU's RIP in pvpanic.ko, and module symbol -> address (as crash)
same "sym-module-address-as-crash" "$("$GC" sym "$P.elf" ffffffffc0303230)" \
	"$(crash_line "$EXP/qemu-6.1-panic-kaslr-2cpu.elf.crash-mod.txt" "ffffffffc0303230 (t)")"
same "sym-module-name-as-crash" "$("$GC" sym "$P.elf" pvpanic_panic_notify)" \
	"$(crash_line "$EXP/qemu-6.1-panic-kaslr-2cpu.elf.crash-mod.txt" "pvpanic_panic_notify [")"
same "sym-module-name-as-crash-idle" "$("$GC" sym "$I.elf" pvpanic_panic_notify)" \
	"$(crash_line "$EXP/qemu-6.1-idle-2cpu.elf.crash-mod.txt" "pvpanic_panic_notify [")"
same "sym-module-address-lzo" "$("$GC" sym "$P.makedumpfile-d0-lzo" ffffffffc0303230)" \
	"ffffffffc0303230 (t) pvpanic_panic_notify+96 [pvpanic]"
# the same address on the idle dump is in no module (crash: invalid address)
OUT=$("$GC" sym "$I.elf" ffffffffc0303230 2>"$T/err"); RC=$?
[ $RC = 1 ] && [ -z "$OUT" ] && grep -q "in the module area, in no loaded module" "$T/err" &&
	pass "sym-module-area-no-module" || fail "sym-module-area-no-module" "exit $RC '$OUT' $(cat "$T/err")"
# JSON
if run_gc "sym-module-json" 0 sym "$P.elf" ffffffffc0303230 --json; then
	echo "$OUT" | python3 -c '
import json,sys
j=json.load(sys.stdin)
assert j["name"]=="pvpanic_panic_notify" and j["module"]=="pvpanic", j
assert j["address"]=="0xffffffffc03031d0" and j["offset"]==96, j' && pass "sym-module-json" || fail "sym-module-json" "$OUT"
fi
if run_gc "mod-json" 0 mod "$P.elf" --json --symbols; then
	echo "$OUT" | python3 -c '
import json,sys
j=json.load(sys.stdin)
m={x["name"]:x for x in j["modules"]}
assert sorted(m)==["pvpanic","pvpanic_mmio","qemu_fw_cfg"], m.keys()
p=m["pvpanic"]
assert p["base"]=="0xffffffffc0303000" and p["size"]==16384 and p["module"]=="0xffffffffc03050c0", p
assert p["state_name"]=="MODULE_STATE_LIVE" and p["init_size"]==0, p
s={x["name"]:x["address"] for x in p["symbols"]}
assert s["pvpanic_panic_notify"]=="0xffffffffc03031d0", s
assert p["nr_symbols"]==len(p["symbols"])>0
assert j["problems"]==[]' && pass "mod-json" || fail "mod-json" "$(echo "$OUT" | head -20)"
fi
# --symbols lists pvpanic_panic_notify in pvpanic's table
expect_out "mod-symbols" 0 "ffffffffc03031d0 (t) pvpanic_panic_notify [pvpanic]" mod "$P.elf" --symbols
# every module symbol equals crash's `sym -m MODULE` (address and name for
# all; the type letter for text symbols: crash prints '?' for data)
if run_gc "mod-symbols-json" 0 mod "$P.elf" --symbols --json; then
	echo "$OUT" > "$T/syms.json"
	python3 - "$T/syms.json" "$EXP/qemu-6.1-panic-kaslr-2cpu.elf.crash-sym-m.txt" <<'PY' && pass "mod-symbols-equal-crash-sym-m" || fail "mod-symbols-equal-crash-sym-m" "see above"
import json, sys
j = json.load(open(sys.argv[1]))
ours = {(m["name"], int(s["address"], 16), s["name"]): s["type"]
        for m in j["modules"] for s in m["symbols"]}
crash, mod = {}, None
for line in open(sys.argv[2]):
    if line.startswith("#"):
        continue
    f = line.split()
    if "MODULE" in f and "START:" in f:
        mod = f[-1]
        continue
    if "MODULE" in f:
        continue
    crash[(mod, int(f[0], 16), f[2])] = f[1].strip("()")
if set(ours) != set(crash):
    print("only ours:", sorted(set(ours) - set(crash))[:5])
    print("only crash:", sorted(set(crash) - set(ours))[:5])
    sys.exit(1)
bad = [(k, ours[k], t) for k, t in crash.items() if t != "?" and ours[k] != t]
if bad or len(crash) < 90:
    print("types differ:", bad[:5], len(crash))
    sys.exit(1)
PY
fi
