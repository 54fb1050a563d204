#!/usr/bin/env bash
# Converted vmcores carry each CPU's current task pid in NT_PRSTATUS
# (pr_pid), as the kernel's own crash dumps do, so that drgn and crash
# attribute every vCPU's registers to the task that was running.
. "$(dirname "$0")/lib.sh"
tool=$(dirname "$0")/prstatus_pids.py
check() {  # TAG DUMP WANT (crash's bt -a: PID per CPU)
	local tag=$1 dump=$2 want=$3
	if [ -z "$GC_DUMP_CACHE" ] || [ ! -f "$dump" ]; then
		skip "prpid-$tag" "real dump absent"; return
	fi
	run_gc "prpid-$tag-convert" 0 convert "$dump" -o "$T/$tag.elf" || return
	case "$OUT" in *"pr_pid of "*" vCPUs from per-CPU current_task"*) pass "prpid-$tag-said" ;;
	*) fail "prpid-$tag-said" "$(echo "$OUT" | grep 'facts used')" ;; esac
	got=$(python3 "$tool" "$T/$tag.elf")
	[ "$got" = "$want" ] && pass "prpid-$tag" || fail "prpid-$tag" "pr_pid '$got', crash says '$want'"
}
# crash 8.0.2, bt -a: CPU 0 PID 1 "init" (the panicking task), CPU 1 PID 0
check panic "$GC_DUMP_CACHE/qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.elf" "1 0"
# Xen PV idle: both CPUs idle (swapper/0, swapper/1); the source has pr_pid 0
check xenpv "$GC_DUMP_CACHE/xen-pv-idle/xen-pv-idle.core" "0 0"
