#!/usr/bin/env bash
# Other kernel versions (`make check-kernels`; not part of the default
# suite): the real dumps in ../shared/dumps all run Debian's 6.1, while
# customers' dumps run whatever they run.  For each kernel in GC_KABIS
# (Debian package ABI names; default the newest linux-image-6.12.*-amd64
# this machine's apt knows with a -dbg package, the newest Debian 11
# 5.10.0-N-amd64 and the newest NAME+deb14-amd64 of Debian unstable, the
# last two fetched through private apt lists),
# ../shared/tools/make-qemu-dumps.sh boots it under QEMU (TCG) and dumps
# it: set A (2 vCPUs, no KASLR, idle; ELF, QEMU kdump zlib, makedumpfile
# -d 31 zlib), set B (2 vCPUs, KASLR, panic; ELF and makedumpfile -d 0 lzo)
# and set C (4 vCPUs, 5-level paging where the kernel has it, panic; ELF
# and kdump zlib), into $GC_REFEREE_CACHE/kernels/KABI (minutes the first
# time, and the ~1 GB
# debug package; kept).  Each dump is then read by guestcore without
# debuginfo and by drgn with the debug vmlinux (tests/kver_drgn.py, on
# guestcore's ELF conversion, since drgn 0.0.22 reads neither QEMU's ELF
# nor, on 6.12, makedumpfile's output through its own paging code):
#   - check is clean; sys names the release; info and convert exit 0;
#   - ps lists drgn's tasks (pid and comm) plus one idle task per vCPU,
#     in drgn's states (task_state_to_char, as crash's ps letters);
#   - mod lists drgn's modules at drgn's base addresses;
#   - log has drgn's number of records and the same last record;
#   - bt -a: every vCPU's walk ends at the end of its stacks;
#   - guestcore.drgn.crashed_thread() is sys's panic task;
#   - bt of every task gives drgn's DWARF program counters (drgn stops at
#     a module's frame, having no module debuginfo: there only the first
#     pc is compared; where drgn cannot start a task, it is skipped);
#   - BTF layouts of task_struct, mm_struct, module, page against the
#     vmlinux's DWARF (tests/btf_dwarf.py, pahole);
#   - a KVM host running the kernel (make-kvm-host-dump.sh --l2 vmm into
#     KABI/kvm-host-vmm, a few minutes once) through tests/kvm_host_check.sh:
#     guests, extract --verify, the guest's memory and registers against the
#     VMM's own truth (GC_KVER_KVM=0 leaves it out).
# crash 8.0.2 (Debian 12) cannot open 6.12 dumps at all, so it is no
# referee here.  Prints PASS/FAIL/SKIP lines and a summary.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
GC="$PWD/$BUILD/guestcore"
RC=${GC_REFEREE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/guestcore}
TOOLS=${GC_SHARED_TOOLS:-$PWD/../shared/tools}
T=$(mktemp -d /tmp/gckver.XXXXXX)
trap 'rm -rf "$T"' EXIT
npass=0 nfail=0 nskip=0
pass() { echo "PASS $1"; npass=$((npass + 1)); }
fail() { echo "FAIL $1${2:+: $2}"; nfail=$((nfail + 1)); }
skip() { echo "SKIP $1${2:+: $2}"; nskip=$((nskip + 1)); }
[ -x "$GC" ] || { echo "no $GC: build first"; exit 2; }

# Kernels this machine's apt does not know come through a private apt
# state per suite (lists and downloads under $RC/kernels/apt-SUITE; the
# system's apt configuration is not touched): Debian 11's 5.10.0-N
# ("bullseye") and the newest kernel of Debian unstable ("sid", NAME+deb14
# and later).  sid moves on: its lists are fetched again when a week old.
papt() { # SUITE apt-get/apt-cache ARGS...
	local b=$RC/kernels/apt-$1 tool=$2
	shift 2
	timeout 1200 "$tool" -o Dir::Etc::sourcelist="$b/sources.list" -o Dir::Etc::sourceparts=- \
		-o Dir::State::Lists="$b/lists" -o Dir::Cache="$b/cache" "$@"
}
papt_update() { # SUITE
	local b=$RC/kernels/apt-$1
	if [ -n "$(ls "$b"/lists/*Packages* 2>/dev/null)" ]; then
		[ "$1" != sid ] && return 0
		[ -z "$(find "$b"/lists -maxdepth 1 -name '*Packages*' -mtime +7)" ] && return 0
	fi
	mkdir -p "$b/lists/partial" "$b/cache/archives/partial"
	case "$1" in
	bullseye) printf 'deb http://deb.debian.org/debian bullseye main\ndeb http://deb.debian.org/debian-security bullseye-security main\n' ;;
	*) printf 'deb http://deb.debian.org/debian %s main\n' "$1" ;;
	esac > "$b/sources.list"
	papt "$1" apt-get update -q > "$T/papt.log" 2>&1
}
suite_of() { # KABI -> the private suite that has it ("" for this machine's)
	case "$1" in
	5.10.0-*) echo bullseye ;;
	*+deb1[4-9]-*) echo sid ;;
	esac
}
# seed KABI CACHEDIR: a kernel this machine's apt does not know, fetched
# from its suite and unpacked where make-qemu-dumps.sh looks for it
# Debian's 7.x packages are split: linux-image-KABI is a metapackage, the
# kernel is linux-binary-KABI (usr/lib/modules/KABI/vmlinuz), the modules
# linux-modules-KABI, config and System.map linux-base-KABI; the -dbg
# package's vmlinux is usr/lib/debug/lib/modules/KABI/vmlinux.  Links make
# that the layout the dump scripts know (boot/vmlinuz-KABI, lib/modules).
seed() {
	local kabi=$1 c=$2 deb suite split="" p debs
	[ -f "$c/kernel/boot/vmlinuz-$kabi" ] && [ -s "$c/dbg/vmlinux" ] && return 0
	apt-cache show "linux-image-$kabi" > /dev/null 2>&1 && return 0
	suite=$(suite_of "$kabi")
	[ -n "$suite" ] || return 0
	papt_update "$suite" || return 1
	papt "$suite" apt-cache show "linux-binary-$kabi" > /dev/null 2>&1 && split=1
	debs="linux-image-$kabi linux-image-$kabi-dbg"
	[ -n "$split" ] && debs="linux-binary-$kabi linux-modules-$kabi linux-base-$kabi linux-image-$kabi-dbg"
	rm -rf "$c/debs" "$c/kernel" "$c/dbg"
	mkdir -p "$c/debs" "$c/kernel" "$c/dbg"
	(cd "$c/debs" && papt "$suite" apt-get download -q $debs) > "$T/seed.log" 2>&1 || return 1
	for p in $debs; do
		case "$p" in *-dbg) continue ;; esac
		dpkg-deb -x "$c"/debs/"$p"_*.deb "$c/kernel" || return 1
	done
	local dv=usr/lib/debug/boot/vmlinux-$kabi
	if [ -n "$split" ]; then
		mkdir -p "$c/kernel/boot" "$c/kernel/lib"
		for p in vmlinuz config System.map; do
			ln -sfn "../usr/lib/modules/$kabi/$p" "$c/kernel/boot/$p-$kabi"
		done
		ln -sfn ../usr/lib/modules "$c/kernel/lib/modules"
		dv=usr/lib/debug/lib/modules/$kabi/vmlinux
	fi
	deb=$(ls "$c"/debs/linux-image-"$kabi"-dbg_*.deb) || return 1
	# and what make-kvm-host-dump.sh would fetch into its cache (the
	# sibling kvm-cache): the kernel, the vmlinux, kvm.ko and kvm-amd.ko
	local kc=$c/../kvm-cache rel=usr/lib/debug/lib/modules/$kabi/kernel/arch/x86/kvm
	mkdir -p "$kc/dbg" "$kc/dbgmods"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$c/dbg" "./$dv" "./$rel/kvm.ko" "./$rel/kvm-amd.ko" &&
		mv "$c/dbg/$dv" "$c/dbg/vmlinux" &&
		mkdir -p "$kc/dbgmods/$rel" && mv "$c/dbg/$rel"/kvm*.ko "$kc/dbgmods/$rel/" &&
		ln -sfn "$c/kernel" "$kc/kernel" && ln -sf "$c/dbg/vmlinux" "$kc/dbg/vmlinux" &&
		rm -rf "$c/dbg/usr" "$c"/debs/*.deb
}
# tools_for KABI CACHEDIR: the directory of the dump scripts to run for
# KABI, copies adjusted to an older kernel's modules where needed:
#   - pvpanic: both scripts look for drivers/misc/pvpanic/pvpanic{,-mmio}.ko
#     (Linux >= 5.12); before that it is drivers/misc/pvpanic.ko, which
#     make-kvm-host-dump.sh stops on ("missing module") and
#     make-qemu-dumps.sh leaves out (then it waits 5 minutes for a panic
#     event that never comes);
#   - ccp (which kvm-amd needs) depends on rng-core in 5.10, which the KVM
#     host's initramfs does not load ("FAILED to load ccp", no /dev/kvm);
#   - the KVM host's drgn truth reads task_struct.thread_info.cpu (5.16+;
#     before, task_struct.cpu) and stops with AttributeError.
tools_for() {
	local m=$2/kernel/lib/modules/$1/kernel ed=()
	case "$1" in
	[1-4].*|5.[0-9].*|5.1[0-5].*)
		ed+=(-e 's|"cpu": int(t\.thread_info\.cpu),|"cpu": int(t.thread_info.cpu if hasattr(t.thread_info, "cpu") else t.cpu),|') ;;
	esac
	ls "$m"/drivers/misc/pvpanic.ko* > /dev/null 2>&1 &&
		ed+=(-e 's|drivers/misc/pvpanic/pvpanic drivers/misc/pvpanic/pvpanic-mmio|drivers/misc/pvpanic|')
	ls "$m"/drivers/char/hw_random/rng-core.ko* > /dev/null 2>&1 &&
		ed+=(-e 's|virt/lib/irqbypass arch/x86/kvm/kvm drivers/crypto/ccp/ccp|virt/lib/irqbypass arch/x86/kvm/kvm drivers/char/hw_random/rng-core drivers/crypto/ccp/ccp|')
	if [ ${#ed[@]} -eq 0 ]; then
		echo "$TOOLS"
		return
	fi
	local d=$T/tools-$1 f
	mkdir -p "$d"
	for f in "$TOOLS"/*; do
		case "$f" in
		*.sh) sed "${ed[@]}" "$f" > "$d/$(basename "$f")" ;;
		*) cp "$f" "$d/" ;;
		esac
	done
	echo "$d"
}

kabis=${GC_KABIS:-}
if [ -z "$kabis" ]; then
	kabis=$(apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64-dbg$' 2>/dev/null |
		sed -n 's/^linux-image-\(6\.12\.[0-9]*+deb12-amd64\)-dbg .*/\1/p' | sort -V | tail -1)
	if papt_update bullseye; then
		kabis="$kabis $(papt bullseye apt-cache search --names-only '^linux-image-5\.10\.0-[0-9]+-amd64-dbg$' 2>/dev/null |
			sed -n 's/^linux-image-\(5\.10\.0-[0-9]*-amd64\)-dbg .*/\1/p' | sort -V | tail -1)"
	else
		skip kernels-5.10 "the Debian 11 (bullseye) package lists could not be fetched: $(tail -1 "$T/papt.log")"
	fi
	if papt_update sid; then
		kabis="$kabis $(papt sid apt-cache search --names-only '^linux-image-[0-9.]+\+deb1[4-9]-amd64-dbg$' 2>/dev/null |
			sed -n 's/^linux-image-\([0-9.]*+deb1[4-9]-amd64\)-dbg .*/\1/p' | sort -V | tail -1)"
	else
		skip kernels-sid "the Debian unstable (sid) package lists could not be fetched: $(tail -1 "$T/papt.log")"
	fi
fi
kabis=$(echo $kabis)
[ -n "$kabis" ] || { skip kernels "no kernel with a -dbg package found (set GC_KABIS)"; echo "0 passed, 0 failed, 1 skipped"; exit 0; }
command -v drgn > /dev/null || { skip kernels "drgn not installed"; echo "0 passed, 0 failed, 1 skipped"; exit 0; }

# ps/mod/log/bt of guestcore as lines comparable with kver_drgn.py's
ours() { # DUMP
	"$GC" ps "$1" --json > "$T/ps.json" 2> "$T/ps.err"
	echo $? > "$T/ps.rc"
	python3 -c '
import json, sys
for t in json.load(sys.stdin)["tasks"]:
    print("TASK", t["pid"], t["comm"])
    print("STATE", t["pid"], t["state"])' < "$T/ps.json" > "$T/ps" || return 1
	"$GC" mod "$1" --json | python3 -c '
import json, sys
for m in json.load(sys.stdin)["modules"]:
    print("MOD", m["name"], m["base"])' > "$T/mod" || return 1
	"$GC" log "$1" --json | python3 -c '
import json, sys
r = json.load(sys.stdin)["records"]
print("LOG", len(r)); print("LOGLAST", r[-1]["text"])' > "$T/log" || return 1
}
bt_all() { # DUMP -> "TASKADDR pcs" of every task's kernel frames (bt --tasks)
	"$GC" bt "$1" --tasks --json 2> /dev/null | python3 -c '
import json, sys
for t in json.load(sys.stdin)["traces"]:
    print(t["task"][2:], " ".join(f["pc"] for f in t["frames"] if f["kind"] != "user registers"))'
}
bt_of() { # DUMP TASKADDR -> pcs of its kernel frames (a task --tasks
	   # did not reach: a dump that lost part of the task list)
	"$GC" bt "$1" "$2" --json 2> /dev/null | python3 -c '
import json, sys
for t in json.load(sys.stdin)["traces"]:
    print(" ".join(f["pc"] for f in t["frames"] if f["kind"] != "user registers"))'
}

one_dump() { # KABI DUMP VMLINUX
	local kabi=$1 d=$2 v=$3 n
	n="$kabi/$(basename "$(dirname "$d")")/$(basename "$d")"
	"$GC" check "$d" > "$T/check" 2>&1 && grep -q '^result: clean' "$T/check" &&
		pass "$n-check-clean" || fail "$n-check-clean" "$(tail -2 "$T/check")"
	"$GC" sys "$d" > "$T/sys" 2> "$T/sys.err"
	grep -q "^ *RELEASE: $kabi\$" "$T/sys" &&
		pass "$n-sys-release" || fail "$n-sys-release" "$(grep RELEASE "$T/sys"; tail -1 "$T/sys.err")"
	"$GC" info "$d" > /dev/null 2>&1 && pass "$n-info-exit-0" || fail "$n-info-exit-0" "exit $?"
	if ! "$GC" convert "$d" -o "$T/conv" --force > "$T/conv.log" 2>&1; then
		fail "$n-convert" "$(tail -1 "$T/conv.log")"
		return
	fi
	pass "$n-convert"
	timeout 600 /usr/bin/python3 -m drgn -q -c "$T/conv" -s "$v" tests/kver_drgn.py \
		> "$T/drgn" 2> "$T/drgn.err" < /dev/null
	rm -f "$T/conv"
	if ! grep -q '^LOG ' "$T/drgn"; then
		fail "$n-drgn" "drgn did not read the conversion: $(tail -1 "$T/drgn.err")"
		return
	fi
	if ! ours "$d"; then
		fail "$n-ours" "ps, mod or log failed"
		return
	fi
	local ncpu want got ref
	ncpu=$(awk '$1 == "TASK" && $2 == 0' "$T/ps" | wc -l)
	want=$(grep '^TASK' "$T/drgn" | sort)
	got=$(awk '$1 == "TASK" && $2 != 0' "$T/ps" | sort)
	if [ "$(cat "$T/ps.rc")" != 0 ] &&
		grep -q 'the task list is incomplete.*was excluded when the dump was made' "$T/ps.err"; then
		# a filter that took kernel data out (makedumpfile 1.7.2's -d 31
		# of 6.12, which it predates): ps must say so, naming the page,
		# and list only tasks the same moment's ELF dump has (drgn, on
		# the conversion, has a different part of the list)
		ref=$(ls "$(dirname "$d")"/*.elf 2>/dev/null | head -1)
		"$GC" ps "$ref" --json | python3 -c '
import json, sys
for t in json.load(sys.stdin)["tasks"]:
    print("TASK", t["pid"], t["comm"])' | sort > "$T/ref"
		[ -n "$ref" ] && [ -z "$(comm -23 <(echo "$got") "$T/ref")" ] &&
			pass "$n-ps-partial ($(echo "$got" | wc -l) of the ELF dump's $(awk '$2 != 0' "$T/ref" | wc -l) tasks; $(grep -o 'pfn 0x[0-9a-f]* was excluded' "$T/ps.err" | head -1))" ||
			fail "$n-ps-partial" "tasks not in $ref: $(comm -23 <(echo "$got") "$T/ref" | head -3 | tr '\n' ' ')"
		skip "$n-ps-states-equal" "the dump lost part of the task list"
	else
		[ "$want" = "$got" ] && [ "$ncpu" -ge 1 ] &&
			pass "$n-ps-equal ($(echo "$want" | wc -l) tasks + $ncpu idle)" ||
			fail "$n-ps-equal" "$(diff <(echo "$want") <(echo "$got") | head -5 | tr '\n' ' ')"
	fi
	want=$(grep '^STATE' "$T/drgn" | sort)
	got=$(awk '$1 == "STATE" && $2 != 0' "$T/ps" | sort)
	if ! grep -q 'the task list is incomplete' "$T/ps.err"; then
		[ "$want" = "$got" ] && pass "$n-ps-states-equal ($(echo "$want" | awk '{ print $3 }' | sort | uniq -c | tr -s ' ' | tr '\n' ','))" ||
			fail "$n-ps-states-equal" "$(diff <(echo "$want") <(echo "$got") | head -5 | tr '\n' ' ')"
	fi
	# sys: the date is the core timekeeper's xtime_sec drgn reads (no
	# CRASHTIME in QEMU's dumps), HZ the kernel's CONFIG_HZ
	got=$("$GC" sys "$d" --json | python3 -c '
import json, sys
j = json.load(sys.stdin)
print(j["date_epoch"], j["hz"], "from", j["date_source"], "and", j["uptime_source"])')
	want=$(sed -n 's/^XTIME //p' "$T/drgn")
	case "$got" in
	"$want "*) pass "$n-sys-date-is-drgns ($want, ${got#* })" ;;
	*) fail "$n-sys-date-is-drgns" "drgn xtime_sec '$want', sys '$got'" ;;
	esac
	want=$(sed -n 's/^CONFIG_HZ=//p' "$(dirname "$v")/../kernel/boot/config-$kabi" 2>/dev/null)
	if [ -n "$want" ]; then
		[ "$(echo "$got" | awk '{ print $2 }')" = "$want" ] &&
			pass "$n-sys-hz-is-config-hz ($want)" ||
			fail "$n-sys-hz-is-config-hz" "CONFIG_HZ $want, sys '$got'"
	fi
	want=$(grep '^MOD' "$T/drgn" | sort)
	got=$(sort "$T/mod")
	[ "$want" = "$got" ] && pass "$n-mod-equal ($(echo "$want" | wc -l) modules)" ||
		fail "$n-mod-equal" "drgn '$want' ours '$got'"
	want=$(grep '^LOG' "$T/drgn")
	got=$(cat "$T/log")
	[ "$want" = "$got" ] && pass "$n-log-equal ($(sed -n '1s/LOG //p' "$T/log") records)" ||
		fail "$n-log-equal" "drgn '$want' ours '$got'"
	# every vCPU's walk reaches the end of its stacks (drgn cannot start
	# the idle vCPUs' tasks: the IRQ-stack hop there is checked this way)
	got=$("$GC" bt "$d" -a --json | python3 -c '
import json, sys
for t in json.load(sys.stdin)["traces"]:
    if t["stop"] != "end of stack":
        print("cpu%d: %s" % (t["cpu"], t["stop_reason"]))')
	[ -z "$got" ] && pass "$n-bt-a-end-of-stack" || fail "$n-bt-a-end-of-stack" "$got"
	# the panicking task through guestcore.drgn (straight from the dump):
	# drgn's own crashed_thread() takes CPU 0 when crashing_cpu is -1
	# (no kexec), guestcore.drgn.crashed_thread() asks panic_cpu
	# (no panic: drgn's own answer)
	want=$("$GC" sys "$d" --json | python3 -c 'import json, sys; print(json.load(sys.stdin).get("panic_pid"))')
	got=$(printf 'import guestcore.drgn as g\nprint(g.crashed_thread(prog).tid, prog.crashed_thread().tid)\n' > "$T/ct.py" &&
		PYTHONPATH=$PWD/$BUILD/python timeout 600 /usr/bin/python3 -m guestcore.drgn "$d" -s "$v" "$T/ct.py" 2>&1 | tail -1)
	[ "$want" = None ] && want=${got#* }
	case "$got" in
	*FaultError*"was excluded when the dump was made"*)
		# a filter that took kernel data out (makedumpfile 1.7.2 on a
		# newer kernel): drgn, and guestcore.drgn through it, fault
		# on the lost page, as they should
		skip "$n-drgn-crashed-thread" "the task is on a page the dump lost: ${got##*: }" ;;
	*)
		[ -n "$want" ] && [ "${got%% *}" = "$want" ] && pass "$n-drgn-crashed-thread (pid $want)" ||
			fail "$n-drgn-crashed-thread" "sys panic_pid '$want', guestcore.drgn.crashed_thread and drgn's '$got'" ;;
	esac
	# bt of every task drgn could unwind
	local same=0 first=0 bad="" ntask=0 task pcs g
	bt_all "$d" > "$T/bt-all"
	while read -r _ _ task pcs; do
		ntask=$((ntask + 1))
		if grep -q "^${task#0x} " "$T/bt-all"; then
			g=$(awk -v t="${task#0x}" '$1 == t { $1 = ""; sub(/^ /, ""); print; exit }' "$T/bt-all")
		else
			g=$(bt_of "$d" "$task")
		fi
		if [ "$g" = "$pcs" ]; then
			same=$((same + 1))
		elif [ "$(echo "$pcs" | wc -w)" = 1 ] && [ "${g%% *}" = "$pcs" ]; then
			first=$((first + 1))
		else
			bad="$bad $task(ours '$g' drgn '$pcs')"
		fi
	done < <(grep '^BT ' "$T/drgn")
	[ -z "$bad" ] && [ "$same" -gt 0 ] &&
		pass "$n-bt-every-task ($same of $ntask equal, $first first-pc only; $(grep -c '^BTERR' "$T/drgn") drgn could not start)" ||
		fail "$n-bt-every-task" "$(echo "$bad" | cut -c1-400)"
}

for kabi in $kabis; do
	dir=$RC/kernels/$kabi
	mkdir -p "$dir"
	if ! seed "$kabi" "$dir/cache"; then
		fail "$kabi-fetch" "could not fetch linux-image-$kabi from Debian $(suite_of "$kabi"): $(tail -1 "$T/seed.log" 2>/dev/null)"
		continue
	fi
	tools=$(tools_for "$kabi" "$dir/cache")
	if ! KABI=$kabi bash "$tools/make-qemu-dumps.sh" --with-ground-truth --sets A,B,C \
		--cache "$dir/cache" "$dir/out" > "$dir/make.log" 2>&1; then
		fail "$kabi-make-dumps" "make-qemu-dumps.sh failed: $(tail -2 "$dir/make.log" | tr '\n' ' ')"
		continue
	fi
	v=$dir/cache/dbg/vmlinux
	[ -s "$v" ] || { fail "$kabi-vmlinux" "no $v"; continue; }
	n=0
	for d in "$dir"/cache/raw/*/*.elf "$dir"/cache/raw/*/*.kdump-* "$dir"/cache/raw/*/*.makedumpfile-*; do
		[ -f "$d" ] || continue
		n=$((n + 1))
		one_dump "$kabi" "$d" "$v"
	done
	[ "$n" -ge 4 ] && pass "$kabi-dumps ($n)" || fail "$kabi-dumps" "only $n dumps in $dir/cache/raw"
	# a KVM host running this kernel (make-kvm-host-dump.sh --l2 vmm: the
	# script's VMM under kvm_amd with nested paging), checked as make
	# check-kvm-host checks one; its drgn truth may be missing (drgn 0.0.22
	# cannot place kvm.ko's debuginfo on 6.4+), the VMM's own truth is not
	# (an attempt that failed is not made again, up to 20 minutes each,
	# unless GC_KVER_RETRY=1: $h.failed says why)
	h=$dir/kvm-host-vmm
	if [ "${GC_KVER_KVM:-1}" != 0 ] && [ -s "$h.failed" ] && [ "${GC_KVER_RETRY:-0}" != 1 ]; then
		skip "$kabi-kvm-host" "an earlier attempt to make it failed ($(head -1 "$h.failed")); GC_KVER_RETRY=1 tries again"
	elif [ "${GC_KVER_KVM:-1}" != 0 ]; then
		[ -s "$h/truth.json" ] ||
			KABI=$kabi bash "$tools/make-kvm-host-dump.sh" --cache "$dir/kvm-cache" "$h" \
				> "$dir/make-kvm-host.log" 2>&1
		[ -s "$h/host.elf" ] && [ -s "$h/truth.json" ] && rm -f "$h.failed"
		if [ -s "$h/host.elf" ] && [ -s "$h/truth.json" ]; then
			GC_KVM_HOST_DIR=$h GC_KVM_HOST_MAKE=0 BUILD=$BUILD bash tests/kvm_host_check.sh > "$T/kvm" 2>&1
			while read -r line; do
				case "$line" in
				PASS*) pass "$kabi/${line#PASS }" ;;
				FAIL*) fail "$kabi/${line#FAIL }" "" ;;
				SKIP*) skip "$kabi/${line#SKIP }" "" ;;
				esac
			done < "$T/kvm"
			grep -q '^PASS' "$T/kvm" || fail "$kabi-kvm-host" "$(tail -3 "$T/kvm" | tr '\n' ' ')"
		else
			tail -2 "$dir/make-kvm-host.log" | tr '\n' ' ' > "$h.failed"
			fail "$kabi-kvm-host" "make-kvm-host-dump.sh made no host: $(cat "$h.failed")"
		fi
	fi
	# BTF in the dump's memory against the vmlinux's DWARF
	if command -v pahole > /dev/null; then
		for d in "$dir"/cache/raw/*/*.elf; do
			for ty in task_struct mm_struct module page; do
				out=$(python3 tests/btf_dwarf.py "$GC" "$d" "$ty" "$v" \
					"$kabi-$(basename "$d")-btf-$ty" 2>&1)
				case "$out" in
				*PASS*) pass "$(echo "$out" | tail -1 | sed 's/^PASS //')" ;;
				*) fail "$kabi-$(basename "$d")-btf-$ty" "$(echo "$out" | tail -1)" ;;
				esac
			done
		done
	else
		skip "$kabi-btf" "pahole not installed (apt-get install dwarves)"
	fi
done
echo "$npass passed, $nfail failed, $nskip skipped"
[ "$nfail" -eq 0 ]
