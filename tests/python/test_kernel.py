# SPDX-License-Identifier: MIT
"""Kernel analysis and KVM guests through the Python package against the
CLI's --json on the real dumps (issue #17): tasks (ps), sys, stacks (bt -a
and bt PID), modules and their symbols (mod --symbols), printk records
(log --json), types (struct --json), KVM VMs of a real host (guests --json)
with their memory and registers against `extract --vm 0`."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gctest import T, check, cli, done, dump, fail, ok, same, skip  # noqa: E402

import guestcore  # noqa: E402


def hexint(s):
    return None if s is None else int(s, 16)


def jcli(*args):
    """--json output of a command that may exit 0 or 1 (answered)."""
    rc, out, err = cli(*args, "--json")
    if rc not in (0, 1):
        raise AssertionError(f"guestcore {' '.join(map(str, args))}: exit {rc}: {err[:300]}")
    return json.loads(out)


def kernel_tests(rel):
    path = dump(rel)
    tag = os.path.basename(rel).replace("-", "_").replace(".", "_")
    if not path:
        skip(tag, f"{rel} not in the dump cache")
        return
    d = guestcore.open(path)
    k = d.kernel()

    def t_tasks():
        want = jcli("ps", path)["tasks"]
        got = k.tasks()
        same(f"{tag}_ps", [(t.addr, t.pid, t.tgid, t.ppid, t.cpu, t.state_name, t.state,
                            t.exit_state, t.comm, t.active, t.active_cpu, t.mm, t.stack,
                            t.rss_pages) for t in got],
             [(hexint(w["task"]), w["pid"], w["tgid"], w["ppid"], w["cpu"], w["state"],
               w["state_raw"], w["exit_state"], w["comm"], w["active"], w["active_cpu"],
               hexint(w["mm"]), hexint(w["stack"]), w["rss_pages"]) for w in want])
        t1 = k.task(1)
        same(f"{tag}_task_1", t1, next(t for t in got if t.pid == 1))
        try:
            k.task(99999)
            fail(f"{tag}_task_absent", "no error for a pid no task has")
        except guestcore.NotPresentError as e:
            rc, out, err = cli("bt", path, 99999)
            same(f"{tag}_task_absent", (rc, "no task has pid" in str(e)), (1, True))
    check(f"{tag}_tasks", t_tasks)

    def t_sys():
        w = jcli("sys", path)
        g = k.sys()
        same(f"{tag}_sys", (g["time"], g["time_source"], g["uptime_source"], g["cpus"],
                            g["cpus_online"], g["panic_cpu"], g["panic_task"], g["panic_pid"],
                            g["missing"]),
             (w.get("date_epoch"), w.get("date_source"), w.get("uptime_source"), w["cpus"],
              w["cpus_online"], None if w.get("panic_cpu") == -1 else w.get("panic_cpu"), hexint(w.get("panic_task")),
              w.get("panic_pid"), w["missing"]))
        same(f"{tag}_sys_uptime", round(g["uptime_seconds"], 3) if g["uptime_seconds"] is not None
             else None, w.get("uptime_seconds"))
        # the CLI prints the load as crash does: LOAD_INT.LOAD_FRAC of
        # avenrun + FIXED_1/200 (two decimals, rounded)
        same(f"{tag}_sys_load", [(a + 10) // 2048 + ((a + 10) % 2048) * 100 // 2048 / 100
                                 for a in g["avenrun"]], w.get("load_average"))
        same(f"{tag}_sys_load_float", [round(x, 6) for x in g["load_average"]],
             [round(a / 2048, 6) for a in g["avenrun"]])
        same(f"{tag}_sys_memory", g["memory_pages"] * d.page_size if g["memory_pages"] else None,
             w.get("memory_bytes"))
    check(f"{tag}_sys", t_sys)

    def frames(fr):
        return [(f["kind"], f["pc"], f["sp"], f["symbol"], f["offset"], f["module"], f["stack"],
                 f["how"], f.get("regs")) for f in fr]

    def want_frames(fr):
        return [(f["kind"], hexint(f["pc"]), hexint(f["sp"]), f.get("function"), f.get("offset"),
                 f.get("module"), f["stack"], f["how"],
                 {n: hexint(v) for n, v in f["regs"].items()} if "regs" in f else None)
                for f in fr]

    def t_stack():
        want = jcli("bt", path, "-a")["traces"]
        for w in want:
            g = k.stack(cpu=w["cpu"])
            same(f"{tag}_bt_cpu{w['cpu']}", (g["task"], g["cpu"], g["stop"], g["stop_reason"],
                                              g["orc_layout"], frames(g["frames"])),
                 (hexint(w["task"]), w["cpu"], w["stop"], w["stop_reason"], w["orc_layout"],
                  want_frames(w["frames"])))
        # a sleeping task by address, and a running one by address (its vCPU)
        tasks = k.tasks()
        sleeper = next(t for t in tasks if not t.active and t.pid > 1)
        for t in [sleeper] + [t for t in tasks if t.active and t.pid > 0][:1]:
            w = jcli("bt", path, t.pid)["traces"][0]
            g = k.stack(task=t.addr)
            same(f"{tag}_bt_pid{t.pid}", (g["task"], g["stop"], frames(g["frames"])),
                 (hexint(w["task"]), w["stop"], want_frames(w["frames"])))
        try:
            k.stack()
            fail(f"{tag}_bt_args", "stack() without cpu or task accepted")
        except ValueError:
            ok(f"{tag}_bt_args")
    check(f"{tag}_stack", t_stack)

    def t_modules():
        w = jcli("mod", path, "--symbols")
        if "modules" not in w:
            g = None
            try:
                k.modules()
            except guestcore.Error as e:
                g = str(e)
            same(f"{tag}_mod_none", g is not None, True)
            return
        got = k.modules()
        same(f"{tag}_mod", [(m["name"], m["addr"], m["base"], m["size"], m["init_base"],
                             m["init_size"], m["state"], m["state_name"], m["taints"],
                             m["nr_symbols"]) for m in got],
             [(m["name"], hexint(m["module"]), hexint(m["base"]), m["size"],
               hexint(m["init_base"]), m["init_size"], m["state"], m["state_name"],
               m["taints"], m["nr_symbols"]) for m in w["modules"]])
        same(f"{tag}_mod_symbols", [[(s[0], s[1], s[2]) for s in m["symbols"]] for m in got],
             [[(s["name"], hexint(s["address"]), s["type"]) for s in m.get("symbols", [])]
              for m in w["modules"]])
        same(f"{tag}_mod_problems", k.module_problems(), w.get("problems", []))
    check(f"{tag}_modules", t_modules)

    def t_log():
        w = jcli("log", path)["records"]
        g = k.log_records()
        same(f"{tag}_log_records", [(r["ts_nsec"], r["seq"], r["level"], r["facility"],
                                     r["caller"], r["text"]) for r in g],
             [(r.get("ts_nsec"), r.get("seq"), r.get("level"), r.get("facility"),
               r.get("caller"), r["text"]) for r in w])
    check(f"{tag}_log", t_log)

    def t_types():
        w = jcli("struct", path, "task_struct.pid,thread.sp,comm")
        same(f"{tag}_sizeof", k.sizeof("task_struct"), w["size"])
        same(f"{tag}_offsetof", [k.offsetof("task_struct", m["name"]) for m in w["members"]],
             [m["offset"] for m in w["members"]])
        same(f"{tag}_member", [(k.member("task_struct", m["name"])["type"],
                                k.member("task_struct", m["name"])["size"])
                               for m in w["members"]],
             [(m["type"], m["size"]) for m in w["members"]])
        try:
            k.offsetof("task_struct", "no_such_member")
            fail(f"{tag}_offsetof_absent", "no error")
        except guestcore.Error as e:
            rc, out, err = cli("struct", path, "task_struct.no_such_member")
            same(f"{tag}_offsetof_absent", (rc != 0, "no_such_member" in str(e)), (True, True))
    check(f"{tag}_types", t_types)

    def t_no_kvm():
        rc, out, err = cli("guests", path, "--json")
        same(f"{tag}_guests_kvm_none", (h_guests(d), rc, json.loads(out).get("guests", [])),
             ([], 1, []))
        try:
            d.guests(source="xen")
            fail(f"{tag}_guests_bad_source", "accepted")
        except ValueError:
            ok(f"{tag}_guests_bad_source")
    check(f"{tag}_no_kvm", t_no_kvm)


def damaged_tasks():
    """A copy of the idle ELF dump with task 6's tasks.next pointed at task
    3's (a cycle): tasks() raises naming it, with the tasks read before
    the damage as the exception's `tasks`, as `ps --json` lists them."""
    src = dump("qemu-idle-nokaslr/qemu-6.1-idle-2cpu.elf")
    if not src:
        skip("tasks_damaged", "the idle ELF dump is not in the dump cache")
        return
    import shutil
    import struct
    k0 = guestcore.open(src).kernel()
    off = k0.offsetof("task_struct", "tasks")
    b, c = k0.task(3).addr, k0.task(6).addr
    pc = k0.vtop(c + off)
    bad = os.path.join(T, "py2-bad-tasks.elf")
    shutil.copyfile(src, bad)
    with open(bad, "r+b") as f:
        h = f.read(64)
        phoff, = struct.unpack_from("<Q", h, 32)
        phnum, = struct.unpack_from("<H", h, 56)
        f.seek(phoff)
        ph = f.read(56 * phnum)
        for i in range(phnum):
            t, _, o, _va, p, fsz, _msz, _ = struct.unpack_from("<IIQQQQQQ", ph, 56 * i)
            if t == 1 and p <= pc < p + fsz:
                f.seek(o + pc - p)
                f.write(struct.pack("<Q", b + off))
                break
    try:
        k = guestcore.open(bad).kernel()
        try:
            k.tasks()
            fail("tasks_damaged", "no error for a cycle")
        except guestcore.Error as e:
            w = jcli("ps", bad)
            same("tasks_damaged_partial", [(t.pid, t.addr) for t in e.tasks],
                 [(t["pid"], hexint(t["task"])) for t in w["tasks"]])
            same("tasks_damaged_names_node", (f"{b + off:x}" in str(e), "cycle" in str(e),
                                              w["complete"]), (True, True, False))
    finally:
        os.unlink(bad)


def h_guests(d):
    return d.guests(source="kvm")


def kvm_host():
    path = dump("kvm-host-vmm/host.elf")
    if not path:
        skip("kvm_host", "kvm-host-vmm/host.elf not in the dump cache")
        return
    h = guestcore.open(path)
    want = jcli("guests", path)["guests"]
    gs = h.guests()
    same("kvm_host_guests", [(g.source, g.kvm["kvm"], g.kvm["vendor"], g.kvm["vmm_pid"],
                              g.kvm["comm"], g.kvm["cmdline"], g.kvm["pgd"],
                              g.kvm["memory_bytes"], g.kvm["nr_vcpus"],
                              [(s["id"], s["gpa"], s["npages"], s["userspace_addr"])
                               for s in g.kvm["slots"]]) for g in gs],
         [(w["source"], hexint(w["kvm"]), w["vendor"], w["vmm_pid"], w["comm"], w["cmdline"],
           hexint(w["pgd"]), w["memory_bytes"], len(w["vcpus"]),
           [(s["id"], hexint(s["gpa"]), s["npages"], hexint(s["userspace_addr"]))
            for s in w["slots"]]) for w in want])
    same("kvm_host_guests_kvm_only", len(h.guests(source="kvm")), len(want))
    if not gs:
        return
    g = gs[0]
    same("kvm_guest_vcpu_rip", [(v["regs"]["rip"], v["regs"]["rsp"], v["regs"]["cr3"])
                                for v in g.vcpus()],
         [(hexint(v["rip"]), hexint(v["rsp"]), hexint(v["cr3"])) for v in want[0]["vcpus"]])
    out = os.path.join(T, "py2-kvm-vm0.vmcore")
    rc, _, err = cli("extract", path, "--vm", 0, "-o", out, "--force")
    if rc not in (0, 1):
        fail("kvm_extract", f"exit {rc}: {err[:200]}")
        return
    e = guestcore.open(out)
    gd = g.dump()
    # the extracted ELF has what NT_PRSTATUS and QEMU's CPU state hold
    # (no efer; orig_rax and cr1 as 0): compare the registers both have
    gv, ev = gd.vcpus(), e.vcpus()
    common = [sorted(set(a["regs"]) & set(b["regs"])) for a, b in zip(gv, ev)]
    same("kvm_guest_regs_common", [len(c) >= 30 and "rip" in c and "cr3" in c for c in common],
         [True] * len(ev))
    same("kvm_guest_regs_vs_extract", [{n: a["regs"][n] for n in c} for a, c in zip(gv, common)],
         [{n: b["regs"][n] for n in c} for b, c in zip(ev, common)])
    for addr in (0, 0x8000, 0x100000000, 0x100000000 + 4096 * 4095):
        same(f"kvm_guest_read_{addr:#x}", gd.read(addr, 4096), e.read(addr, 4096))
    rc, outb, err = cli("read", out, "-p", "0x8000", 256, rc=0)
    same("kvm_guest_read_cli", gd.read(0x8000, 256), outb)
    os.unlink(out)
    try:
        import drgn  # noqa: F401
    except ImportError:
        skip("kvm_guest_drgn", "drgn is not installed")
        return
    from guestcore import drgn as gdrgn
    try:
        prog = gdrgn.program(path, guest=0)
        same("kvm_guest_drgn_read", prog.read(0x8000, 256, True), gd.read(0x8000, 256))
    except Exception as ex:  # noqa: BLE001 - the VMM is not Linux
        skip("kvm_guest_drgn", f"drgn on the tiny VMM (not Linux): {type(ex).__name__}: {ex}")


for rel in ("qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.elf",
            "xen-pv-idle/xen-pv-idle.core"):
    kernel_tests(rel)
check("tasks_damaged", damaged_tasks)
check("kvm_host", kvm_host)
done()
