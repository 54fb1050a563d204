# ps and sys on the real dumps from ../shared/dumps, without debuginfo:
# asan-pass: skip (ps/sys against drgn and crash on the real dumps; the task walk runs under ASan in test_bt and fuzz_tasks)
#  - ps: the tasks with a pid (pid > 0) equal drgn's for_each_task list
#    (count and sorted comms, expected/*.drgn.txt, and for the Xen and
#    virsh dumps count, comms and pids in tests/cli/ps-referee/; crash 8.0.2 undercounts
#    tasks on 6.1, so drgn is the referee), one idle task per possible CPU,
#    and each CPU's active task equal to crash's `bt -a` (PID, TASK, CPU);
#  - sys: every field crash's `sys` printed (expected/*.crash.txt) except
#    KERNEL, DUMPFILE and TASKS (crash's undercount) is equal;
#  - a damaged task list (a cycle, a broken prev link) made by patching two
#    list pointers of a copy of a real dump: ps ends with exit 1, the
#    tasks read before the damage, and one line naming the node.
. "$(dirname "$0")/lib.sh"

C=$GC_DUMP_CACHE
# drgn's task lists of the Xen and virsh dumps (none in ../shared/dumps):
# drgn 0.0.22 with the debug vmlinux, the xc_core files converted to ELF
R=$(dirname "$0")/ps-referee
S=${GC_SHARED_DUMPS:-}

# section FILE CMD : the output crash printed for "### crash> CMD"
section() {
	awk -v want="### crash> $2" '
		$0 == want { on = 1; next }
		/^### crash> / { on = 0 }
		on { print }' "$1"
}

expected_dir() { # dump path -> its expected/ directory in GC_SHARED_DUMPS
	echo "$S/$(basename "$(dirname "$1")")/expected"
}

# ps_json_check TAG DUMP DRGN CRASH : python does the comparisons
ps_check() {
	local tag=$1 dump=$2 drgn=$3 crashout=$4
	if [ -z "$C" ] || [ ! -f "$dump" ]; then
		skip "ps-$tag" "real dump absent"
		return
	fi
	run_gc "ps-$tag-json" 0 ps --json "$dump" || return
	printf '%s\n' "$OUT" > "$T/ps.json"
	[ -n "$crashout" ] && section "$crashout" "bt -a" | grep '^PID: ' > "$T/bt" || : > "$T/bt"
	python3 - "$T/ps.json" "${drgn:-}" "$T/bt" "$tag" <<'PYEOF'
import json, re, sys
ps = json.load(open(sys.argv[1])); drgn = sys.argv[2]; bt = sys.argv[3]; tag = sys.argv[4]
def res(name, ok, why=""):
    print(("PASS %s" % name) if ok else ("FAIL %s: %s" % (name, why)))
t = ps["tasks"]
res("ps-%s-complete" % tag, ps["complete"] and ps["error"] is None and ps["nr_tasks"] == len(t),
    "complete=%s error=%s" % (ps["complete"], ps["error"]))
idle = [x for x in t if x["pid"] == 0]
res("ps-%s-idle-per-cpu" % tag,
    sorted(x["comm"] for x in idle) == ["swapper/%d" % i for i in range(len(idle))] and len(idle) >= 1
    and all(x["cpu"] == int(x["comm"].split("/")[1]) for x in idle),
    "idle tasks: %s" % [(x["comm"], x["cpu"]) for x in idle])
pids = [x["pid"] for x in t if x["pid"] > 0]
res("ps-%s-unique-pids" % tag, len(pids) == len(set(pids)), "duplicate pids")
known = set(pids) | {0}
res("ps-%s-parents-known" % tag, all(x["ppid"] in known for x in t),
    "ppids without a task: %s" % sorted({x["ppid"] for x in t} - known))
res("ps-%s-pid1-init" % tag, any(x["pid"] == 1 and x["comm"] == "init" and not x["kernel_thread"] for x in t)
    and any(x["pid"] == 2 and x["comm"] == "kthreadd" and x["kernel_thread"] for x in t), "pid 1/2")
res("ps-%s-states" % tag, all(x["state"] in ("RU", "IN", "UN", "ID", "ST", "TR", "ZO", "DE", "PA", "WA", "NE") for x in t),
    "states %s" % sorted({x["state"] for x in t}))
if drgn:
    txt = open(drgn).read()
    # the last (successful) run in the file
    n = re.findall(r"^tasks (\d+)$", txt, re.M)
    c = re.findall(r"^comms (.*)$", txt, re.M)
    got = sorted(x["comm"] for x in t if x["pid"] > 0)
    res("ps-%s-count-equals-drgn" % tag, n and len(got) == int(n[-1]), "%d tasks, drgn %s" % (len(got), n[-1:]))
    p = re.findall(r"^pids (.*)$", txt, re.M)
    if p:
        res("ps-%s-pids-equal-drgn" % tag, sorted(x["pid"] for x in t if x["pid"] > 0) == [int(v) for v in p[-1].split()],
            "pid lists differ")
    res("ps-%s-comms-equal-drgn" % tag, c and got == sorted(c[-1].split()),
        "diff: ours-only %s drgn-only %s" % (sorted(set(got) - set(c[-1].split())) if c else "?",
                                             sorted(set(c[-1].split()) - set(got)) if c else "?"))
act = {x["active_cpu"]: x for x in t if x["active"]}
lines = [l for l in open(bt).read().splitlines() if l.startswith("PID: ")]
if lines:
    exp = {}
    for l in lines:
        m = re.match(r'PID: (\d+)\s+TASK: ([0-9a-f]+)\s+CPU: (\d+)\s+COMMAND: "(.*)"', l)
        if m:
            exp[int(m.group(3))] = (int(m.group(1)), int(m.group(2), 16), m.group(4))
    gotc = {c: (x["pid"], int(x["task"], 16), x["comm"]) for c, x in act.items()}
    res("ps-%s-active-equal-crash-bt" % tag, gotc == exp, "ours %s crash %s" % (gotc, exp))
PYEOF
	# the text table: a header, '>' on the active tasks, kernel threads in []
	run_gc "ps-$tag-text" 0 ps "$dump" || return
	local nact
	nact=$(printf '%s\n' "$OUT" | grep -c '^>')
	if printf '%s\n' "$OUT" | head -1 | grep -q 'PID *PPID *CPU *TASK *ST *%MEM *COMM' &&
	   printf '%s\n' "$OUT" | grep -q '^ *2 *0 .*\[kthreadd\]$' && [ "$nact" -ge 1 ]; then
		pass "ps-$tag-text"
	else
		fail "ps-$tag-text" "$(printf '%s\n' "$OUT" | head -3)"
	fi
}

sys_check() {
	local tag=$1 dump=$2 crashout=$3
	if [ -z "$C" ] || [ ! -f "$dump" ] || [ ! -f "$crashout" ]; then
		skip "sys-$tag" "real dump or crash output absent"
		return
	fi
	run_gc "sys-$tag" 0 sys "$dump" || return
	printf '%s\n' "$OUT" > "$T/sys-got"
	section "$crashout" sys > "$T/sys-exp"
	local f want got
	for f in CPUS DATE UPTIME "LOAD AVERAGE" NODENAME RELEASE VERSION MACHINE MEMORY PANIC; do
		want=$(grep -m1 "^ *$f: " "$T/sys-exp" | sed "s/^ *$f: //")
		got=$(grep -m1 "^ *$f: " "$T/sys-got" | sed "s/^ *$f: //")
		same "sys-$tag-${f// /_}-equals-crash" "$got" "$want"
	done
	# DUMPFILE: the same file name and [PARTIAL DUMP] marker
	want=$(grep -m1 '^ *DUMPFILE: ' "$T/sys-exp" | sed 's/^ *DUMPFILE: //')
	got=$(grep -m1 '^ *DUMPFILE: ' "$T/sys-got" | sed 's/^ *DUMPFILE: //')
	same "sys-$tag-DUMPFILE-equals-crash" "$(basename "$got")" "$want"
	# TASKS: ours counts every task (crash's is lower on 6.1)
	got=$(grep -m1 '^ *TASKS: ' "$T/sys-got" | awk '{print $2}')
	run_gc "sys-$tag-tasks" 0 ps --json "$dump" || return
	same "sys-$tag-TASKS-equals-ps" "$got" "$(printf '%s\n' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["nr_tasks"])')"
	run_gc "sys-$tag-json" 0 sys --json "$dump" || return
	if printf '%s\n' "$OUT" | python3 -c '
import json, sys
j = json.load(sys.stdin)
assert j["schema"].startswith("guestcore.sys/"), j["schema"]
assert j["release"] == "6.1.0-56-amd64" and j["cpus"] == 2
assert j["date_source"] and j["uptime_source"] and isinstance(j["uptime_seconds"], float)
assert len(j["load_average"]) == 3 and j["memory_bytes"] > 100 << 20
'; then pass "sys-$tag-json"; else fail "sys-$tag-json" "$(printf '%s\n' "$OUT" | head -5)"; fi
}

Q1=$C/qemu-idle-nokaslr
Q2=$C/qemu-panic-kaslr
for f in qemu-6.1-idle-2cpu.elf qemu-6.1-idle-2cpu.kdump-zlib qemu-6.1-idle-2cpu.makedumpfile-d31-zlib; do
	e=$(expected_dir "$Q1/$f")
	# drgn could not open QEMU's kdump-zlib (no ARCH_NAME): the ELF
	# dump of the same moment is its referee
	dr=$e/$f.drgn.txt
	grep -q '^tasks ' "$dr" 2>/dev/null || dr=$e/qemu-6.1-idle-2cpu.elf.drgn.txt
	ps_check "$f" "$Q1/$f" "$dr" "$e/$f.crash.txt"
	sys_check "$f" "$Q1/$f" "$e/$f.crash.txt"
done
for f in qemu-6.1-panic-kaslr-2cpu.elf qemu-6.1-panic-kaslr-2cpu.makedumpfile-d0-lzo; do
	e=$(expected_dir "$Q2/$f")
	ps_check "$f" "$Q2/$f" "$e/$f.drgn.txt" "$e/$f.crash.txt"
	sys_check "$f" "$Q2/$f" "$e/$f.crash.txt"
done
for g in pv pvh; do
	f=$C/xen-$g-idle/xen-$g-idle.core
	e=$(expected_dir "$f")
	ps_check "xen-$g" "$f" "$R/xen-$g.drgn.txt" "$e/xen-$g-idle.crash.txt"
	sys_check "xen-$g" "$f" "$e/xen-$g-idle.crash.txt"
done
# virsh save and the same moment's memory-only dump: the same task list
V=$C/virsh-q35-256m-nokaslr
ps_check virsh-save "$V/virsh-save.raw.img" "$R/virsh-ref.drgn.txt" ""
if [ -n "$C" ] && [ -f "$V/ref.elf" ] && [ -f "$V/virsh-save.raw.img" ]; then
	a=$("$GC" ps "$V/virsh-save.raw.img" 2>&1); b=$("$GC" ps "$V/ref.elf" 2>&1)
	same "ps-virsh-save-equals-ref-elf" "$a" "$b"
fi

# sys on the panic dump names the panicking task (crash's bt: pid 1 on CPU 0)
if [ -n "$C" ] && [ -f "$Q2/qemu-6.1-panic-kaslr-2cpu.elf" ]; then
	expect_out sys-panic-task 0 "PANIC TASK: 1 (init) ffff8dfa449fa100 on CPU 0" sys "$Q2/qemu-6.1-panic-kaslr-2cpu.elf"
	expect_out ps-pid-filter 0 "[kthreadd]" ps "$Q2/qemu-6.1-panic-kaslr-2cpu.elf" 2
	run_gc ps-pid-filter-one-row 0 ps "$Q2/qemu-6.1-panic-kaslr-2cpu.elf" 2 &&
		same ps-pid-filter-one-row "$(printf '%s\n' "$OUT" | wc -l)" 2
	expect_out ps-parents 0 ' PID: 2     TASK: ffff8dfa449fc200  CPU: 0   COMMAND: "kthreadd"' ps -p "$Q2/qemu-6.1-panic-kaslr-2cpu.elf" 3
	run_gc ps-user-only 0 ps -u "$Q2/qemu-6.1-panic-kaslr-2cpu.elf" &&
		same ps-user-only "$(printf '%s\n' "$OUT" | awk 'NR > 1 {print $NF}' | tr '\n' ' ')" "init "
	expect_rc ps-unknown-pid 1 ps "$Q2/qemu-6.1-panic-kaslr-2cpu.elf" 99999
fi

# ---- damaged task lists (a copy of the idle ELF dump, two pointers patched)
D0=$Q1/qemu-6.1-idle-2cpu.elf
if [ -z "$C" ] || [ ! -f "$D0" ]; then
	skip ps-damaged "real dump absent"
else
	cp "$D0" "$T/bad.elf" && chmod u+w "$T/bad.elf"
	off=$("$GC" struct "$D0" task_struct | awk '/ struct list_head tasks;$/ { gsub(/[][]/, "", $1); print $1 }')
	b=$("$GC" ps --json "$D0" 3 | python3 -c 'import json,sys; print(json.load(sys.stdin)["tasks"][0]["task"])')
	c=$("$GC" ps --json "$D0" 6 | python3 -c 'import json,sys; print(json.load(sys.stdin)["tasks"][0]["task"])')
	pb=$("$GC" vtop --json "$D0" "$(printf '%x' $((b + off)))" | python3 -c 'import json,sys; print(json.load(sys.stdin)["physical"])')
	pc=$("$GC" vtop --json "$D0" "$(printf '%x' $((c + off)))" | python3 -c 'import json,sys; print(json.load(sys.stdin)["physical"])')
	# patch FILE PADDR VALUE: write the u64 VALUE at guest-physical PADDR
	patch() {
		python3 - "$1" "$2" "$3" <<'PYEOF'
import struct, sys
path, pa, val = sys.argv[1], int(sys.argv[2], 0), int(sys.argv[3], 0)
f = open(path, "r+b")
h = f.read(64)
phoff, = struct.unpack_from("<Q", h, 32); phnum, = struct.unpack_from("<H", h, 56)
f.seek(phoff); ph = f.read(56 * phnum)
for i in range(phnum):
    t, _, off, va, p, fsz, msz, _ = struct.unpack_from("<IIQQQQQQ", ph, 56 * i)
    if t == 1 and p <= pa < p + fsz:
        f.seek(off + pa - p); f.write(struct.pack("<Q", val)); break
else:
    sys.exit("paddr not in a PT_LOAD")
PYEOF
	}
	nb=$(printf '0x%x' $((b + off)))
	# pids (JSON order) of what ps printed
	pids_of() { python3 -c 'import json,sys; print(" ".join(str(t["pid"]) for t in json.load(sys.stdin)["tasks"]))'; }
	# C.tasks.next = B.tasks: B is reached twice
	patch "$T/bad.elf" "$pc" "$nb"
	run_gc ps-cycle 1 ps "$T/bad.elf"
	if [ "$RC" = 1 ]; then
		case "$ERR" in
		*"incomplete (8 tasks read)"*"${nb#0x}"*"reached twice"*"cycle"*) pass ps-cycle-names-node ;;
		*) fail ps-cycle-names-node "stderr: $ERR" ;;
		esac
	fi
	# the idle tasks and pids 1..6, nothing after the damage
	run_gc ps-cycle-json 1 ps --json "$T/bad.elf" && {
		same ps-cycle-partial "$(printf '%s\n' "$OUT" | pids_of)" "0 0 1 2 3 4 5 6"
		printf '%s\n' "$OUT" | python3 -c 'import json,sys; j=json.load(sys.stdin); assert not j["complete"] and "cycle" in j["error"]' &&
			pass ps-cycle-json-incomplete || fail ps-cycle-json-incomplete "$(printf '%s\n' "$OUT" | tail -4)"
	}
	expect_out sys-cycle-tasks-incomplete 1 "TASKS: 8 (incomplete)" sys "$T/bad.elf"
	# B.tasks.next = C.tasks (4 and 5 skipped): C's prev does not point back
	cp "$D0" "$T/bad.elf" && patch "$T/bad.elf" "$pb" "$(printf '0x%x' $((c + off)))"
	run_gc ps-broken-prev 1 ps "$T/bad.elf"
	case "$ERR" in
	*"$(printf '%x' $((c + off)))"*"prev is"*"damaged"*) pass ps-broken-prev-names-node ;;
	*) fail ps-broken-prev-names-node "stderr: $ERR" ;;
	esac
	run_gc ps-broken-prev-json 1 ps --json "$T/bad.elf" &&
		same ps-broken-prev-partial "$(printf '%s\n' "$OUT" | pids_of)" "0 0 1 2 3"
	rm -f "$T/bad.elf"
fi
