#!/usr/bin/env bash
# Referee run (not part of the default suite; `make check-referees`):
# convert the real dumps with `guestcore convert` and open the results in
# crash (sys, bt -a, log) and drgn (plain `drgn -c OUT -s vmlinux`, no
# DRGN_USE_LIBKDUMPFILE_FOR_ELF).  The debug vmlinux comes from Debian's
# linux-image-6.1.0-56-amd64-dbg, downloaded once into a cache
# ($GC_REFEREE_CACHE, default ~/.cache/guestcore); skipped with a message
# when it cannot be had.  Prints PASS/FAIL/SKIP lines and a summary.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
GC="$PWD/$BUILD/guestcore"
CACHE=${GC_DUMP_CACHE:-$PWD/build/dump-cache}
RC=${GC_REFEREE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/guestcore}
PY=/usr/bin/python3
T=$(mktemp -d /tmp/gcref.XXXXXX)
trap 'rm -rf "$T"' EXIT
. tests/debug_files.sh
npass=0 nfail=0 nskip=0
pass() { echo "PASS $1"; npass=$((npass + 1)); }
fail() { echo "FAIL $1: $2"; nfail=$((nfail + 1)); }
skip() { echo "SKIP $1: $2"; nskip=$((nskip + 1)); }

[ -x "$GC" ] || { echo "no $GC: build first (make BUILD=$BUILD)"; exit 2; }


if ! debug_files; then
	skip referees "debug vmlinux for $KVER unavailable"
	echo "$npass passed, $nfail failed, $nskip skipped"
	exit 0
fi

inputs=()
for f in xen-pv-idle/xen-pv-idle.core xen-pvh-idle/xen-pvh-idle.core \
	 qemu-idle-nokaslr/qemu-6.1-idle-2cpu.elf \
	 qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.elf \
	 qemu-idle-nokaslr/qemu-6.1-idle-2cpu.makedumpfile-d31-zlib; do
	[ -f "$CACHE/$f" ] && inputs+=("$CACHE/$f") || skip "input-$f" "absent from $CACHE"
done

crash_check() { # name dump
	local name=$1 dump=$2
	printf 'sys\nbt -a\nlog\nquit\n' > "$T/cmds"
	timeout 300 crash -s "$VMLINUX" "$dump" -i "$T/cmds" > "$T/$name.crash" 2>&1 < /dev/null
	local rc=$?
	cp "$T/$name.crash" "$RC/last-$name.crash.txt" 2>/dev/null
	if grep -q "RELEASE: $KVER" "$T/$name.crash" &&
	   grep -q '^PID: ' "$T/$name.crash" &&
	   grep -q 'Linux version' "$T/$name.crash"; then
		pass "crash-$name (sys, bt -a, log)"
	else
		fail "crash-$name" "exit $rc: $(grep -m3 -iE 'error|fatal|cannot|invalid' "$T/$name.crash" | tr '\n' ' ')"
	fi
}

drgn_check() { # name dump
	local name=$1 dump=$2
	cat > "$T/drgn.py" <<'PYEOF'
from drgn.helpers.linux.pid import find_task
print("release", prog["init_uts_ns"].name.release.string_().decode())
print("banner", prog["linux_banner"].string_().decode()[:40])
for cpu in range(2):
    try:
        t = prog.crashed_thread() if cpu < 0 else None
    except Exception:
        pass
print(prog.stack_trace(find_task(prog, 1)))
PYEOF
	timeout 300 drgn -c "$dump" -s "$VMLINUX" "$T/drgn.py" > "$T/$name.drgn" 2>&1 < /dev/null
	local rc=$?
	cp "$T/$name.drgn" "$RC/last-$name.drgn.txt" 2>/dev/null
	if [ $rc = 0 ] && grep -q "release $KVER" "$T/$name.drgn" &&
	   grep -q "banner Linux version" "$T/$name.drgn"; then
		pass "drgn-$name (release, linux_banner, stack of pid 1)"
	else
		fail "drgn-$name" "exit $rc: $(tail -3 "$T/$name.drgn" | tr '\n' ' ')"
	fi
}

for in in "${inputs[@]}"; do
	base=$(basename "$in"); base=${base%.*}
	# makedumpfile -d 31 (free, cache, user and zero pages excluded):
	# in an ELF output long excluded runs are left out, short ones are
	# zero pages, as makedumpfile -E writes them
	case $in in *-d31-*) base=qemu-idle-d31 ;; esac
	# zero-*: --exclude zero (issue #13: zero pages must stay readable,
	# crash said "page excluded: kernel virtual address"); flat-stdout: a
	# flattened kdump written to standard output, placed by makedumpfile -R
	fmts="elf kdump-zlib kdump-zstd"
	case $base in qemu-6.1-panic-kaslr-2cpu|xen-pv-idle)
		fmts="$fmts zero-kdump zero-elf flat-stdout" ;;
	qemu-idle-d31) fmts="elf zero-elf kdump-zstd" ;; esac
	for fmt in $fmts; do
		out="$T/$base.$fmt"
		case $fmt in
		elf) args=(--format elf) ;;
		kdump-*) args=(--format kdump --compress "${fmt#kdump-}") ;;
		zero-*) args=(--format "${fmt#zero-}" --exclude zero) ;;
		flat-stdout) args=(--format kdump --exclude zero --flatten) ;;
		esac
		if [ $fmt = flat-stdout ]; then
			if ! "$GC" convert "$in" -o - "${args[@]}" 2> "$T/conv.log" |
			     makedumpfile -R "$out" > /dev/null 2>> "$T/conv.log"; then
				fail "convert-$base-$fmt" "$(tail -1 "$T/conv.log")"
				continue
			fi
		elif ! "$GC" convert "$in" -o "$out" "${args[@]}" > "$T/conv.log" 2>&1; then
			fail "convert-$base-$fmt" "$(tail -1 "$T/conv.log")"
			continue
		fi
		crash_check "$base-$fmt" "$out"
		drgn_check "$base-$fmt" "$out"
		rm -f "$out"
	done
done
# makedumpfile --config (needs the debug vmlinux): it poisons what it
# erases with 'X' and lists it in the eraseinfo section.  check warns, and
# convert carries the list into an ELF note or the kdump section; crash and
# drgn open both outputs.
IDLE="$CACHE/qemu-idle-nokaslr/qemu-6.1-idle-2cpu.elf"
if [ -f "$IDLE" ] && command -v makedumpfile > /dev/null; then
	printf '[vmlinux]\nerase init_uts_ns.name.nodename\n' > "$T/erase.conf"
	if "$GC" convert "$IDLE" -o "$T/plain.elf" --no-kernel > /dev/null 2>&1 &&
	   makedumpfile -c -d 31 -x "$VMLINUX" --config "$T/erase.conf" \
		"$T/plain.elf" "$T/erased.kdump" > "$T/md.log" 2>&1; then
		if "$GC" check "$T/erased.kdump" | grep -q "poisoned kernel data with 'X' (0x58) before writing this dump: 1 erase command (the first: 'erase init_uts_ns.name.nodename size 65')"; then
			pass "erased-check"
		else
			fail "erased-check" "$("$GC" check "$T/erased.kdump" | grep -i erase)"
		fi
		if "$GC" sys "$T/erased.kdump" 2> /dev/null | grep -q 'NODENAME: XXXXXXXXXXXXXXXX*  \[erased by makedumpfile --config\]'; then
			pass "erased-sys-marked"
		else
			fail "erased-sys-marked" "$("$GC" sys "$T/erased.kdump" 2>&1 | grep -i node)"
		fi
		for fmt in elf kdump; do
			"$GC" convert "$T/erased.kdump" -o "$T/erased-out.$fmt" --format $fmt > /dev/null 2>&1
			if "$GC" info "$T/erased-out.$fmt" | grep -q 'eraseinfo: erase init_uts_ns.name.nodename size 65'; then
				pass "erased-carried-$fmt"
			else
				fail "erased-carried-$fmt" "no eraseinfo in the $fmt output"
			fi
			crash_check "erased-$fmt" "$T/erased-out.$fmt"
			drgn_check "erased-$fmt" "$T/erased-out.$fmt"
		done
		rm -f "$T/plain.elf" "$T/erased.kdump" "$T"/erased-out.*
	else
		fail "erased-makedumpfile" "$(tail -1 "$T/md.log" 2>/dev/null)"
	fi
else
	skip "erased" "makedumpfile or $IDLE absent"
fi
# guestcore extract: a KVM guest out of a synthetic host built around the
# real idle guest (mkhost --guest), opened in crash and drgn.
MKHOST="$PWD/$BUILD/mkhost"
IDLE="$CACHE/qemu-idle-nokaslr/qemu-6.1-idle-2cpu.elf"
if [ -x "$MKHOST" ] && [ -f "$IDLE" ]; then
	if vm=$("$MKHOST" "$T/host.elf" --guest "$IDLE") &&
	   "$GC" extract "$T/host.elf" --vmcs "${vm##* }" -o "$T/kvm-guest.vmcore" > "$T/ext.log" 2>&1; then
		crash_check extract-kvm-guest "$T/kvm-guest.vmcore"
		drgn_check extract-kvm-guest "$T/kvm-guest.vmcore"
	else
		fail extract-kvm-guest "$(tail -1 "$T/ext.log" 2>/dev/null)"
	fi
	rm -f "$T/host.elf" "$T/kvm-guest.vmcore"
else
	skip extract-kvm-guest "mkhost or $IDLE absent"
fi
echo "$npass passed, $nfail failed, $nskip skipped (outputs of the last run: $RC/last-*)"
[ "$nfail" -eq 0 ]
