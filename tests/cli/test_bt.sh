#!/usr/bin/env bash
# bt: stack traces without debuginfo (ORC read from the dump) against what
# crash 8.0.2 printed with the debug vmlinux (expected/*.crash.txt, "bt -a")
# and the kernel's own "Call Trace" in the panic dump's log.
#
# crash's bt is a heuristic: it also lists stale return addresses it finds
# on the stack (the kernel's log marks the same ones with "?"), and where
# a dump gives no registers (Xen PVH) it starts from the task's saved
# context.  The comparisons below say which frames each referee vouches
# for; docs/stacks.md lists the differences.
. "$(dirname "$0")/lib.sh"
S=${GC_SHARED_DUMPS:-$(dirname "$0")/../../../shared/dumps}

# crash's output of CMD; kernel log lines that crash's console glued into
# it (the ELF idle dump's "    [ex[    1.896285] IPI ...") are cut out
section() {
	awk -v want="### crash> $2" '
		$0 == want { on = 1; next }
		/^### crash> / { on = 0 }
		!on { next }
		/^\[ *[0-9]+\.[0-9]+\] / || /^               / { next }
		/.\[ *[0-9]+\.[0-9]+\] / { sub(/\[ *[0-9]+\.[0-9]+\] .*/, ""); pend = pend $0; next }
		{ print pend $0; pend = "" }' "$1"
}
# cpu_block CPU < bt output : the lines of CPU's trace (header to blank)
cpu_block() {
	awk -v cpu="$1" '
		/^PID: / { on = ($0 ~ ("CPU: " cpu " ")) ; if (on) print; next }
		/^$/ { on = 0 }
		/^\[/ { on = 0 }      # crash: a log line glued into the output
		on { print }'
}
# frames : "[sp] func" per call frame (+offset and the module dropped)
frames() {
	sed -n 's/^ *#[0-9]* \[\([0-9a-f]*\)\] \([^ +]*\).* at .*/[\1] \2/p'
}
funcs() { frames | sed 's/^\[[0-9a-f]*\] //'; }

bt_dump() {  # TAG DUMP : runs bt -a into $T/TAG.bt
	"$GC" bt "$2" -a > "$T/$1.bt" 2> "$T/$1.err"
}

D=$GC_DUMP_CACHE
if [ -z "$D" ] || [ ! -d "$D" ]; then
	skip "bt-real" "real dumps absent (GC_DUMP_CACHE)"
else
	# ---- idle QEMU dumps: every frame, slot and exception RIP equal crash's
	for f in elf kdump-zlib makedumpfile-d31-zlib; do
		dump=$D/qemu-idle-nokaslr/qemu-6.1-idle-2cpu.$f
		exp=$S/qemu-idle-nokaslr/expected/qemu-6.1-idle-2cpu.$f.crash.txt
		[ -f "$dump" ] && [ -f "$exp" ] || { skip "bt-idle-$f" "dump absent"; continue; }
		if ! bt_dump "idle-$f" "$dump"; then
			fail "bt-idle-$f" "exit $? ($(cat "$T/idle-$f.err"))"
			continue
		fi
		section "$exp" "bt -a" > "$T/idle-$f.crash"
		for cpu in 0 1; do
			got=$(cpu_block $cpu < "$T/idle-$f.bt" | frames)
			want=$(cpu_block $cpu < "$T/idle-$f.crash" | frames)
			[ -n "$got" ] && same "bt-idle-$f-cpu$cpu-frames-equal-crash" "$got" "$want"
			got=$(cpu_block $cpu < "$T/idle-$f.bt" | grep -E '^    (\[exception|RIP:)')
			want=$(cpu_block $cpu < "$T/idle-$f.crash" | grep -E '^    (\[exception|RIP:)')
			same "bt-idle-$f-cpu$cpu-exception-rip-equal-crash" "$got" "$want"
			got=$(cpu_block $cpu < "$T/idle-$f.bt" | head -1)
			want=$(cpu_block $cpu < "$T/idle-$f.crash" | head -1)
			same "bt-idle-$f-cpu$cpu-header-equal-crash" "$got" "$want"
		done
	done

	# ---- the panic dump (KASLR): CPU 0 panicked in pvpanic's notifier
	for f in elf makedumpfile-d0-lzo; do
		dump=$D/qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.$f
		exp=$S/qemu-panic-kaslr/expected/qemu-6.1-panic-kaslr-2cpu.$f.crash.txt
		[ -f "$dump" ] && [ -f "$exp" ] || { skip "bt-panic-$f" "dump absent"; continue; }
		if ! bt_dump "panic-$f" "$dump"; then
			fail "bt-panic-$f" "exit $? ($(cat "$T/panic-$f.err"))"
			continue
		fi
		b=$T/panic-$f.bt
		section "$exp" "bt -a" > "$T/panic-$f.crash"
		# the kernel's own Call Trace: reliable frames are those without "?"
		log=$(section "$exp" "log | tail -40")
		[ -n "$log" ] || log=$(cat "$S/qemu-panic-kaslr/expected/crash-log.txt")
		reliable=$(echo "$log" | sed -n '/Call Trace:/,/<\/TASK>/p' |
			sed -n 's/^\[[ 0-9.]*\]  \([a-zA-Z_][a-zA-Z0-9_.]*\)+0x.*/\1/p')
		# from panic on, ours = the kernel's reliable frames
		got=$(cpu_block 0 < "$b" | funcs | sed -n '/^panic$/,$p')
		want=$(echo "$reliable" | sed -n '/^panic$/,$p')
		[ -n "$want" ] && same "bt-panic-$f-cpu0-equals-kernel-call-trace" "$got" "$want"
		# and crash's frames: ours (slot and function) are all among
		# crash's, and crash's others are frames the kernel marks stale (?)
		stale=$(echo "$log" | sed -n '/Call Trace:/,/<\/TASK>/p' |
			sed -n 's/^\[[ 0-9.]*\]  ? \([a-zA-Z_][a-zA-Z0-9_.]*\)+0x.*/\1/p' | sort -u)
		cpu_block 0 < "$T/panic-$f.crash" | frames | sort > "$T/crash0"
		cpu_block 0 < "$b" | frames | sed -n '/ panic$/,$p' | sort > "$T/ours0"
		same "bt-panic-$f-cpu0-frames-from-panic" "$(wc -l < "$T/ours0")" 9
		same "bt-panic-$f-cpu0-frames-are-crash-frames" "$(comm -23 "$T/ours0" "$T/crash0")" ""
		extra=$(comm -13 "$T/ours0" "$T/crash0" | cut -d' ' -f2 | sort -u)
		[ -n "$stale" ] && same "bt-panic-$f-cpu0-crash-extras-are-stale" "$(comm -23 <(echo "$extra") <(echo "$stale"))" ""
		# below panic: the pvpanic notifier (a module) and the chain
		got=$(cpu_block 0 < "$b" | grep -m1 'exception RIP')
		same "bt-panic-$f-cpu0-starts-in-pvpanic" "$got" "    [exception RIP: pvpanic_panic_notify+96 [pvpanic]]"
		got=$(cpu_block 0 < "$b" | funcs | head -1)
		same "bt-panic-$f-cpu0-module-orc-to-notifier-chain" "$got" "atomic_notifier_call_chain"
		# the user registers of the syscall entry are crash's
		got=$(cpu_block 0 < "$b" | sed -n '/entry_SYSCALL_64_after_hwframe/,$p' | tail -n +2)
		want=$(cpu_block 0 < "$T/panic-$f.crash" | sed -n '/entry_SYSCALL_64_after_hwframe/,$p' | tail -n +2)
		same "bt-panic-$f-cpu0-user-regs-equal-crash" "$got" "$want"
		# bt without a selector: the panicking CPU (panic_cpu), as crash
		got=$("$GC" bt "$dump" | grep -c '^PID: ')
		hdr=$("$GC" bt "$dump" | head -1)
		same "bt-panic-$f-default-is-the-panic-cpu" "$got $hdr" "1 $(cpu_block 0 < "$T/panic-$f.crash" | head -1)"
		# CPU 1: stopped by the reboot IPI on its IRQ stack
		# (crash shows stop_this_cpu as the exception RIP with the lzo
		# file's registers, as a stale call frame in the ELF file's)
		upto_irq() {
			sed -n '1,/IRQ stack/p' | grep -v sched_clock_idle_wakeup_event |
			sed -n 's/.*exception RIP: \([^+]*\)+.*/\1/p; s/^ *#[0-9]* \[\([0-9a-f]*\)\] \([^ +]*\).* at .*/\2/p; s/^--- <IRQ stack> ---$/IRQ/p'
		}
		got=$(cpu_block 1 < "$b" | upto_irq | tr '\n' ' ')
		want=$(cpu_block 1 < "$T/panic-$f.crash" | upto_irq | tr '\n' ' ')
		same "bt-panic-$f-cpu1-irq-stack-frames-equal-crash" "$got" "$want"
		same "bt-panic-$f-cpu1-irq-stack-frames" "$got" "stop_this_cpu __sysvec_reboot sysvec_reboot IRQ "
		slots=$(cpu_block 1 < "$T/panic-$f.crash" | frames | grep -E 'sysvec_reboot$' | head -2)
		same "bt-panic-$f-cpu1-irq-stack-slots-equal-crash" "$(cpu_block 1 < "$b" | frames | head -2)" "$slots"
		first_regs() { awk '/exception RIP/ { on = 1; next } /^ *#/ { if (on) exit } on'; }
		want=$(cpu_block 1 < "$T/panic-$f.crash" | first_regs)
		if [ -n "$want" ]; then
			got=$(cpu_block 1 < "$b" | first_regs)
			same "bt-panic-$f-cpu1-regs-equal-crash" "$got" "$want"
		fi
		# below the IRQ stack crash gives up ("possibly bogus exception
		# frame"); the ORC walk goes through asm_sysvec_reboot's pt_regs
		# into the idle loop, whose frames crash lists on the idle dump
		got=$(cpu_block 1 < "$b" | sed -n '/IRQ stack/,$p' | funcs | tr '\n' ' ')
		idle=$(section "$S/qemu-idle-nokaslr/expected/qemu-6.1-idle-2cpu.elf.crash.txt" "bt -a" |
			cpu_block 1 | funcs | tr '\n' ' ')
		same "bt-panic-$f-cpu1-below-irq-is-the-idle-loop" "$got" "asm_sysvec_reboot $idle"
		got=$(cpu_block 1 < "$b" | sed -n '/asm_sysvec_reboot/,/^ #/p' | grep 'exception RIP')
		same "bt-panic-$f-cpu1-interrupted-in-safe-halt" "$got" "    [exception RIP: native_safe_halt+11]"
	done

	# ---- Xen PV: crash's frames, then startup_xen (crash stops one early)
	dump=$D/xen-pv-idle/xen-pv-idle.core
	exp=$S/xen-pv-idle/expected/xen-pv-idle.crash.txt
	if [ -f "$dump" ] && bt_dump pv "$dump"; then
		section "$exp" "bt -a" > "$T/pv.crash"
		got=$(cpu_block 0 < "$T/pv.bt" | frames)
		want=$(cpu_block 0 < "$T/pv.crash" | frames)
		same "bt-xen-pv-cpu0-frames-equal-crash" "$(echo "$got" | head -n -1)" "$want"
		same "bt-xen-pv-cpu0-ends-in-startup_xen" "$(echo "$got" | tail -1 | cut -d' ' -f2)" "startup_xen"
		got=$(cpu_block 1 < "$T/pv.bt" | frames)
		want=$(cpu_block 1 < "$T/pv.crash" | frames | sed -n '/xen_safe_halt/,$p')
		same "bt-xen-pv-cpu1-frames-equal-crash" "$got" "$want"
		got=$(cpu_block 0 < "$T/pv.bt" | grep 'exception RIP')
		same "bt-xen-pv-cpu0-in-the-hypercall" "$got" "    [exception RIP: xen_hypercall_pv+5]"
	else
		skip "bt-xen-pv" "dump absent or bt failed: $(cat "$T/pv.err" 2>/dev/null)"
	fi

	# ---- Xen PVH: crash starts from a saved context (stale frames); the
	# vCPU's registers say native_safe_halt; the frames from
	# default_idle_call on are crash's
	dump=$D/xen-pvh-idle/xen-pvh-idle.core
	exp=$S/xen-pvh-idle/expected/xen-pvh-idle.crash.txt
	if [ -f "$dump" ] && bt_dump pvh "$dump"; then
		section "$exp" "bt -a" > "$T/pvh.crash"
		for cpu in 0 1; do
			got=$(cpu_block $cpu < "$T/pvh.bt" | frames | sed -n '/default_idle_call/,$p')
			want=$(cpu_block $cpu < "$T/pvh.crash" | frames | sed -n '/default_idle_call/,$p')
			[ -n "$want" ] && same "bt-xen-pvh-cpu$cpu-frames-equal-crash-from-default_idle_call" "$got" "$want"
			got=$(cpu_block $cpu < "$T/pvh.bt" | head -1)
			want=$(cpu_block $cpu < "$T/pvh.crash" | head -1)
			same "bt-xen-pvh-cpu$cpu-header-equal-crash" "$got" "$want"
		done
	else
		skip "bt-xen-pvh" "dump absent or bt failed"
	fi

	# ---- the KVM host: CPU 0 was running the guest, so its notes hold
	# the guest's registers (rip 0x8070, ring 0): no kernel frame may be
	# made of them; CPU 1 idles as on the QEMU dumps
	dump=$D/kvm-host-vmm/host.elf
	if [ -f "$dump" ]; then
		run_gc "bt-kvm-host-cpu0-guest-regs" 1 bt "$dump" --cpu 0 && {
			got=$(echo "$OUT" | grep -c '^ *#')
			last=$(echo "$OUT" | grep "stack walk stopped")
			same "bt-kvm-host-cpu0-no-frames-from-guest-regs" "$got $last" \
				"0     (stack walk stopped: not kernel text: 0x8070 is not in the kernel's text nor in a module's)"
		}
		got=$("$GC" bt "$dump" --cpu 1 | funcs | tr '\n' ' ')
		same "bt-kvm-host-cpu1-idle" "$got" "amd_e400_idle default_idle_call do_idle cpu_startup_entry start_secondary secondary_startup_64_no_verify "
	fi

	dump=$D/qemu-idle-nokaslr/qemu-6.1-idle-2cpu.elf
	if [ -f "$dump" ]; then
		# a task given by address: the active one is its vCPU's trace
		a=$("$GC" bt "$dump" ffff888004a64200)
		b=$("$GC" bt "$dump" --cpu 1)
		[ -n "$a" ] && same "bt-taskaddr-of-an-active-task-is-its-cpu" "$a" "$b"
		# a sleeping task from its saved context: init (pid 1) sleeps in
		# a system call: __schedule first, user registers last
		init=$("$GC" struct "$dump" task_struct.tasks ffffffff82a1aa40 2>/dev/null |
			sed -n 's/.*next = 0x\([0-9a-f]*\).*/\1/p' | head -1)
		off=$("$GC" struct "$dump" task_struct 2>/dev/null |
			sed -n 's/^ *\[\([0-9]*\)\] struct list_head tasks;.*/\1/p')
		if [ -n "$init" ] && [ -n "$off" ]; then
			task=$(printf '%x' $((0x$init - off)))
			run_gc "bt-sleeping-task" 0 bt "$dump" "$task" && {
				hdr=$(echo "$OUT" | head -1)
				case "$hdr" in
				"PID: 1 "*"CPU: "[01]" "*) pass "bt-sleeping-task-header" ;;
				*) fail "bt-sleeping-task-header" "$hdr" ;;
				esac
				same "bt-sleeping-task-starts-in-__schedule" "$(echo "$OUT" | funcs | head -1)" "__schedule"
				same "bt-sleeping-task-ends-at-syscall-entry" "$(echo "$OUT" | funcs | tail -1)" "entry_SYSCALL_64_after_hwframe"
				echo "$OUT" | grep -q "CS: 0033  SS: 002b" && pass "bt-sleeping-task-user-regs" ||
					fail "bt-sleeping-task-user-regs" "$(echo "$OUT" | tail -3)"
			}
		else
			skip "bt-sleeping-task" "no task list from struct ($init, $off)"
		fi
		# an address that is no task: one line, exit 2
		run_gc "bt-not-a-task" 2 bt "$dump" ffffffff82a1aa48 &&
			{ [ "$(echo "$ERR" | wc -l)" = 1 ] && pass "bt-not-a-task-one-line" || fail "bt-not-a-task-one-line" "$ERR"; }
		expect_rc "bt-cpu-out-of-range" 2 bt "$dump" --cpu 7
		run_gc "bt-json" 0 bt "$dump" -a --json && {
			v=$(echo "$OUT" | python3 -c '
import json, sys
o = json.load(sys.stdin)
t = o["traces"]
f = t[1]["frames"]
print(o["schema"], len(t), t[1]["cpu"], t[1]["active"], t[1]["task"], f[0]["kind"], f[0]["function"],
      f[1]["level"], f[1]["function"], f[1]["sp"], f[-1]["function"], t[1]["stop"])')
			same "bt-json-fields" "$v" "guestcore.bt/1 2 1 True 0xffff888004a64200 exception native_safe_halt 0 amd_e400_idle 0xffffc9000009bed8 secondary_startup_64_no_verify end of stack"
		}
	fi
fi

# a dump without a kernel: one line, exit 2
"$GCFIX" --pages 64 -o "$T/pv.core" > /dev/null
run_gc "bt-no-kernel" 2 bt "$T/pv.core" -a && {
	[ "$(echo "$ERR" | wc -l)" = 1 ] && pass "bt-no-kernel-one-line" || fail "bt-no-kernel-one-line" "$ERR"
}
expect_rc "bt-usage-two-selectors" 2 bt "$T/pv.core" -a --cpu 0

# bt PID through the task list (ps's): a sleeping task from its saved
# context, the panicking task from its vCPU, a pid with no task (exit 1)
PE=$D/qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.elf
if [ -f "$PE" ]; then
	run_gc "bt-pid-sleeping" 0 bt "$PE" 2 && {
		same "bt-pid-2-header" "$(echo "$OUT" | head -1 | tr -s ' ')" "PID: 2 TASK: ffff8dfa449fc200 CPU: 0 COMMAND: \"kthreadd\""
		same "bt-pid-2-frames" "$(echo "$OUT" | sed -n 's/^ *#[0-9]* \[[0-9a-f]*\] \([^+ ]*\).*/\1/p' | tr '\n' ' ')" "__schedule schedule kthreadd ret_from_fork "
	}
	run_gc "bt-pid-active" 0 bt "$PE" 1 && same "bt-pid-1-is-cpu0-panic" "$(echo "$OUT" | grep -m1 'exception RIP')" "    [exception RIP: pvpanic_panic_notify+96 [pvpanic]]"
	expect_rc "bt-pid-absent-exit-1" 1 bt "$PE" 99999
	# bt --tasks (crash's foreach bt): every task of ps, each trace the
	# one bt TASKADDR gives; --state keeps crash's state names
	run_gc "bt-tasks" 0 bt "$PE" --tasks --json && {
		echo "$OUT" > "$T/tasks.json"
		"$GC" ps "$PE" --json > "$T/ps.json"
		v=$(python3 - "$T/tasks.json" "$T/ps.json" <<'PY'
import json, sys
b = json.load(open(sys.argv[1])); p = json.load(open(sys.argv[2]))
bt = sorted(t["task"] for t in b["traces"]); ps = sorted(t["task"] for t in p["tasks"])
print(b["shown"], len(b["traces"]), bt == ps,
      sorted({t["stop"] for t in b["traces"]}),
      [t["pid"] for t in b["traces"] if t["active"]])
PY
)
		same "bt-tasks-every-ps-task" "$v" "54 54 True ['end of stack'] [0, 1]"
		for task in ffff8dfa449fc200 ffff8dfa44a6a100; do
			"$GC" bt "$PE" "$task" --json > "$T/one.json"
			v=$(python3 -c '
import json, sys
one = json.load(open(sys.argv[1]))["traces"][0]
print([t for t in json.load(open(sys.argv[2]))["traces"] if t["task"] == "0x" + sys.argv[3]] == [one])' \
				"$T/one.json" "$T/tasks.json" "$task")
			same "bt-tasks-$task-equals-bt-taskaddr" "$v" True
		done
	}
	run_gc "bt-tasks-state" 0 bt "$PE" --tasks --state RU,un && {
		same "bt-tasks-state-ru-headers" "$(echo "$OUT" | grep '^PID:' | awk '{ print $2 }' | tr '\n' ' ')" "0 0 1 17 "
		same "bt-tasks-state-count" "$(cat "$T/stderr")" "4 tasks in state RU,un"
	}
	expect_rc "bt-tasks-state-unknown-exit-2" 2 bt "$PE" --tasks --state XX
	expect_rc "bt-state-without-tasks-exit-2" 2 bt "$PE" --state UN
	expect_rc "bt-tasks-and-a-exit-2" 2 bt "$PE" --tasks -a
fi
