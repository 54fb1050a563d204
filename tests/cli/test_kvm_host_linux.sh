# `make check-kvm-host` (slow, not in make check): a real KVM host running
# a Linux guest under QEMU -accel kvm (../shared/tools/make-kvm-host-dump.sh
# --l2 linux, cached in GC_KVM_HOST_DIR): the guest found through the host
# kernel's KVM structures and extracted must equal the guest's own
# dump-guest-memory l2.elf page for page, with the same registers, and log
# and sym on both must agree.
. "$(dirname "$0")/lib.sh"
TOOLS=$(cd "$(dirname "$0")" && pwd)
if [ -z "$GC_KVM_HOST_DIR" ]; then
	skip "kvm linux host" "make check-kvm-host runs it (GC_KVM_HOST_DIR)"
	exit 0
fi
D=$GC_KVM_HOST_DIR
H="$D/host.elf"
L2="$D/l2.elf"
if [ ! -f "$H" ] || [ ! -f "$L2" ]; then
	fail "kvm linux host" "no $H or $L2"
	exit 0
fi
expect_out "kvm linux host: guests" 0 "source kvm" guests "$H"
case "$OUT" in
*"qemu-system-x86"*) pass "kvm linux host: the VMM is QEMU" ;;
*) fail "kvm linux host: the VMM is QEMU" "$OUT" ;;
esac
if run_gc "kvm linux host: extract" 0 extract "$H" --vm 0 -o "$T/l2x.vmcore" --verify; then
	pass "kvm linux host: extract"
	python3 "$TOOLS/kvm_truth.py" pages "$L2" "$T/l2x.vmcore"
	"$GC" regs --json "$L2" > "$T/want.json" 2>/dev/null
	"$GC" regs --json "$T/l2x.vmcore" > "$T/got.json" 2>/dev/null
	python3 "$TOOLS/kvm_truth.py" l2regs "$T/want.json" "$T/got.json"
	for c in "log" "sym linux_banner" "sym init_task"; do
		a=$("$GC" $c "$L2" 2>&1)
		b=$("$GC" $c "$T/l2x.vmcore" 2>&1)
		same "kvm linux host: $c equal on l2.elf and the extraction" "$b" "$a"
	done
	# the kernel analysis commands (the DUMPFILE line names the file)
	for c in "ps" "bt -a" "sys" "mod"; do
		a=$("$GC" $c "$L2" 2>&1 | grep -v DUMPFILE)
		b=$("$GC" $c "$T/l2x.vmcore" 2>&1 | grep -v DUMPFILE)
		same "kvm linux host: $c equal on l2.elf and the extraction" "$b" "$a"
	done
	va=$("$GC" sym "$L2" init_task 2>/dev/null | cut -d' ' -f1)
	same "kvm linux host: vtop init_task equal on l2.elf and the extraction" \
		"$("$GC" vtop "$T/l2x.vmcore" "$va" 2>&1)" "$("$GC" vtop "$L2" "$va" 2>&1)"
	n=$("$GC" ps "$T/l2x.vmcore" 2>/dev/null | grep -c '^[ >]')
	[ "$n" -gt 40 ] && pass "kvm linux guest: ps lists its $n tasks" ||
		fail "kvm linux guest: ps lists its tasks" "$n"
	# the referees open it on their ordinary paths
	VMLINUX=${GC_VMLINUX:-$HOME/.cache/guestcore/vmlinux-6.1.0-56-amd64}
	if [ -f "$VMLINUX" ] && /usr/bin/python3 -c 'import drgn' 2>/dev/null; then
		r=$(/usr/bin/python3 -c 'import drgn, drgn.helpers.linux.pid as P, sys
p = drgn.Program(); p.set_core_dump(sys.argv[1]); p.load_debug_info([sys.argv[2]])
print(len(list(P.for_each_task(p))))' "$T/l2x.vmcore" "$VMLINUX" 2>/dev/null)
		w=$("$GC" ps "$T/l2x.vmcore" 2>/dev/null | awk 'NR > 1 && $1 != 0 && $1 != ">" { n++ } NR > 1 && $1 == ">" && $2 != 0 { n++ } END { print n }')
		if [ -n "$r" ]; then
			same "kvm linux guest: drgn opens the extraction, task count equal to ps" "$r" "$w"
			# drgn through guestcore on the host dump itself, no
			# extraction (python/guestcore/drgn.py)
			PY=${GC_PYTHONPATH:-$(dirname "$GC")/python}
			g=$(PYTHONPATH=$PY /usr/bin/python3 -c 'import sys, guestcore.drgn as gd, drgn.helpers.linux.pid as P
p = gd.program(sys.argv[1], vmlinux=sys.argv[2], guest=0)
print(len(list(P.for_each_task(p))))' "$H" "$VMLINUX" 2>&1 | tail -1)
			same "kvm linux guest: guestcore.drgn on the host dump, task count equal to drgn on the extraction" "$g" "$r"
		else
			fail "kvm linux guest: drgn opens the extraction" "drgn failed"
		fi
	fi
	# crash opens the extraction and says what it says on l2.elf
	if [ -f "$VMLINUX" ] && command -v crash >/dev/null; then
		printf 'sys\nps\nlog\nbt -a\nquit\n' > "$T/crash.cmds"
		for f in "$L2" "$T/l2x.vmcore"; do
			timeout 600 crash -s "$VMLINUX" "$f" -i "$T/crash.cmds" < /dev/null 2>&1 |
				grep -vE 'DUMPFILE|^crash [0-9]|^$' > "$T/crash-$(basename "$f").txt"
		done
		if grep -q '^PID: ' "$T/crash-l2x.vmcore.txt" && grep -q 'Linux version' "$T/crash-l2x.vmcore.txt"; then
			pass "kvm linux guest: crash opens the extraction (sys, ps, log, bt -a)"
		else
			fail "kvm linux guest: crash opens the extraction" "$(grep -m2 -iE 'error|cannot|invalid' "$T/crash-l2x.vmcore.txt" | tr '\n' ' ')"
		fi
		if cmp -s "$T/crash-l2x.vmcore.txt" "$T/crash-$(basename "$L2").txt"; then
			pass "kvm linux guest: crash's sys, ps, log, bt -a equal on l2.elf and the extraction"
		else
			fail "kvm linux guest: crash's sys, ps, log, bt -a equal on l2.elf and the extraction" \
				"$(diff "$T/crash-$(basename "$L2").txt" "$T/crash-l2x.vmcore.txt" | head -6 | tr '\n' ' ')"
		fi
	fi
fi
# The AMD fallback on this host (docs/kvm.md, "The VMCB scan"): the VMCB
# scan's VMs equal the structures' (VMCBs, nested_cr3, rsp/cr3), every
# page the NPT maps equal in l2.elf, and with vm_list damaged in a copy
# the scan answers.  No CPU of this host was in the guest (both idle in
# the host when it was dumped): regs says nothing of one.
if run_gc "svm linux host: regs" 0 regs "$H"; then
	case "$OUT" in
	*"was executing"*) fail "svm linux host: regs: no CPU in a guest" "$OUT" ;;
	*) pass "svm linux host: regs: no CPU in a guest" ;;
	esac
fi
if run_gc "svm linux host: guests --scan --json" 0 guests --scan --json "$H" &&
	echo "$OUT" > "$T/scan.json" &&
	run_gc "svm linux host: guests --json" 0 guests --json "$H"; then
	echo "$OUT" > "$T/kvm.json"
	python3 "$TOOLS/kvm_truth.py" scan - "$T/scan.json" "$T/kvm.json"
	SVM_VMCBS=$(python3 -c 'import json,sys; print(",".join(c["vmcb"] for c in json.load(open(sys.argv[1]))["guests"][0]["vcpus"]))' "$T/scan.json")
fi
if run_gc "svm linux host: extract --vm 0 --scan" 0 extract "$H" --vm 0 --scan -o "$T/scan.vmcore"; then
	python3 "$TOOLS/kvm_truth.py" samepages "$T/scan.vmcore" "$L2" \
		"svm linux host: every page the NPT maps equal in l2.elf"
	SVM_PAGES=$(echo "$OUT" | sed -n 's/^wrote .*: \([0-9]*\) pages of guest memory.*/\1/p')
	SVM_INGUEST=
	. "$TOOLS/svm_damaged.sh"
fi
rm -f "$T"/*.vmcore
# With the script's truth.json (drgn with debuginfo; not written with
# --no-truth): the host kernel view (paging depth, KASLR, page_offset) and
# every VM, slot and vCPU equal drgn's, for host.elf and host-running.elf
# (L2 resumed: its memory moves on, so only extract --verify against the
# host dump itself).
if [ -f "$D/truth.json" ]; then
	for dump in host host-running; do
		[ -f "$D/$dump.elf" ] || continue
		tag() { sed "s/^\(....\) kvm/\1 kvm linux $dump:/"; }
		"$GC" info --json "$D/$dump.elf" > "$T/info.json" 2>/dev/null
		python3 "$TOOLS/kvm_truth.py" host "$D/truth.json#$dump" "$T/info.json" | tag
		"$GC" guests --json "$D/$dump.elf" > "$T/guests.json" 2>/dev/null
		python3 "$TOOLS/kvm_truth.py" structs "$D/truth.json#$dump" "$T/guests.json" | tag
	done
	if [ -f "$D/host-running.elf" ] && run_gc "kvm linux host-running: extract --verify" 0 \
		extract "$D/host-running.elf" --vm 0 -o "$T/run.vmcore" --verify; then
		case "$OUT" in
		*"verify: ok: "*", 0 differ"*) pass "kvm linux host-running: extract --verify" ;;
		*) fail "kvm linux host-running: extract --verify" "$OUT" ;;
		esac
	fi
	rm -f "$T"/*.vmcore
fi
