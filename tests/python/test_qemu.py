# SPDX-License-Identifier: MIT
"""The guest inside a QEMU process core through the Python package (issue
#17's last item) against `guestcore extract-qemu` on the same core, and drgn
through guestcore against drgn on the vmcore extract-qemu writes.

The core: the real Linux guest of ../shared/dumps/qemu-idle-nokaslr (QEMU's
ELF dump, 128 MiB) wrapped into an x86-64 process core by
tests/qemu/fake_core.py (as tests/cli/test_qemu_core.sh does; ~2 s, under
$T).  Its RAM map is given as --ram and as saved `info mtree -f` + `info
ramblock` text.  Equal: the RAM map, the extracted file's bytes, guest
memory, vCPU registers (a process core has none: both say so), symbols,
the kernel log, tasks and a stack, and the error lines."""
import hashlib
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gctest import T, check, cli, done, dump, fail, ok, same, skip  # noqa: E402

import guestcore  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
HVA = 0x7F1000000000
RAM = "0:128M@7f1000000000"
# `info mtree -f` + `info ramblock` (QEMU 7.2 with the HVA column) for a
# pc machine with -m 128M whose pc.ram QEMU mapped at HVA
MTREE = """FlatView #0
 AS "memory", root: system
 AS "cpu-memory-0", root: system
 Root memory region: system
  0000000000000000-000000000009ffff (prio 0, ram): pc.ram
  00000000000a0000-00000000000bffff (prio 1, i/o): vga-lowmem
  00000000000c0000-0000000007ffffff (prio 0, ram): pc.ram @00000000000c0000
  00000000fffc0000-00000000ffffffff (prio 0, rom): pc.bios

              Block Name    PSize              Offset               Used              Total                HVA
                  pc.ram    4 KiB  0x0000000000000000 0x0000000008000000 0x0000000008000000 0x00007f1000000000
"""


def hexint(s):
    return None if s is None else int(s, 16)


def sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()


def jcli(*args):
    rc, out, err = cli(*args, "--json")
    if rc not in (0, 1):
        raise AssertionError(f"guestcore {' '.join(map(str, args))}: exit {rc}: {err[:300]}")
    return json.loads(out)


def cli_map(j):
    return {"method": j["method"], "why": j["why"], "machine": j["machine"],
            "ram_size": j["ram_size"], "notes": j["notes"],
            "ranges": [{"gpa": hexint(r["gpa"]), "size": hexint(r["size"]),
                        "hva": hexint(r["hva"]), "block": r["block"]} for r in j["ranges"]]}


src = dump("qemu-idle-nokaslr/qemu-6.1-idle-2cpu.elf")
if not src:
    skip("qemu_core", "qemu-idle-nokaslr not in GC_DUMP_CACHE")
    done()
CORE = os.path.join(T, "py-qemu-linux.core")
MT = os.path.join(T, "py-qemu-mtree.txt")
subprocess.run([sys.executable, os.path.join(HERE, "..", "qemu", "fake_core.py"), src, CORE,
                hex(HVA), "0x8000000"], check=True)
with open(MT, "w") as f:
    f.write(MTREE)
CLI_ELF = os.path.join(T, "py-qemu-cli.elf")
CLI_MT = os.path.join(T, "py-qemu-cli-mtree.elf")
cj = jcli("extract-qemu", CORE, "-o", CLI_ELF, "--ram", RAM, "--force")
cjm = jcli("extract-qemu", CORE, "-o", CLI_MT, "--mtree", MT, "--force")


def t_core():
    c = guestcore.open_qemu_core(CORE)
    same("qemu_core_facts", (c.path, c.nr_segments, len(c.threads()), c.nr_mapped_files,
                             c.problems, c.executable, c.command_line, c.file_size),
         (cj["core"], cj["segments"], cj["threads"], cj["mapped_files"], cj["core_problems"],
          cj["executable"], cj["command_line"], os.path.getsize(CORE)))
    same("qemu_ram_map_explicit", c.ram_map(ram=RAM), cli_map(cj))
    same("qemu_ram_map_tuple", c.ram_map(ram=[(0, 128 << 20, HVA)])["ranges"], cli_map(cj)["ranges"])
    same("qemu_ram_map_mtree", c.ram_map(mtree=MT), cli_map(cjm))
    same("qemu_ram_map_mtree_text", c.ram_map(mtree_text=MTREE), cli_map(cjm))
    c.close()
    try:
        c.ram_map(ram=RAM)
        fail("qemu_core_closed", "no error after close()")
    except ValueError:
        ok("qemu_core_closed")
check("qemu_core", t_core)


def t_extract():
    for tag, kw, ref in (("ram", {"ram": RAM}, CLI_ELF), ("mtree", {"mtree": MT}, CLI_MT)):
        g = guestcore.open_qemu(CORE, **kw)
        same(f"qemu_{tag}_source", (g.source, g.host, g.core.path), ("qemu", None, CORE))
        seen = []
        out = os.path.join(T, f"py-qemu-{tag}.elf")
        st = g.extract(out, force=True, progress=lambda d, t: seen.append((d, t)), verify=True)
        same(f"qemu_{tag}_extract_same_bytes", sha(out), sha(ref))
        j = cj if tag == "ram" else cjm
        same(f"qemu_{tag}_extract_stats", (st["pages_written"], st["segments"], st["output_bytes"],
                                           st["vmcoreinfo"], st["vmcoreinfo_source"], st["nr_vcpus"]),
             (j["pages_written"], j["pt_loads"], j["output_bytes"], j["vmcoreinfo"],
              j["vmcoreinfo_source"], 0))
        same(f"qemu_{tag}_extract_progress", bool(seen) and seen[-1][0] == seen[-1][1], True)
        # the CLI's --verify compares the core's pages with the ELF: equal counts
        cv = jcli("extract-qemu", CORE, "-o", os.path.join(T, "py-v.elf"), "--force", "--verify",
                  *(["--ram", RAM] if tag == "ram" else ["--mtree", MT]))["verify"]
        os.unlink(os.path.join(T, "py-v.elf"))
        same(f"qemu_{tag}_verify", (st["verify"]["pages_compared"], st["verify"]["pages_differ"],
                                    st["verify"]["ok"]),
             (cv["pages_compared"], cv["pages_differ"], cv["ok"]))
        gaps = [(x["gfn"] << 12, x["count"] << 12, x["target"]) for x in g.gaps()]
        same(f"qemu_{tag}_gaps", gaps, [(hexint(m["gpa"]), hexint(m["size"]), hexint(m["hva"]))
                                        for m in j["missing"]])
        os.unlink(out)

    # a progress callback that raises stops it; nothing is left behind
    g = guestcore.open_qemu(CORE, ram=RAM)
    out = os.path.join(T, "py-qemu-stopped.elf")

    def stop(d, t):
        raise KeyboardInterrupt

    try:
        g.extract(out, progress=stop)
        fail("qemu_extract_stops", "no exception")
    except KeyboardInterrupt:
        same("qemu_extract_stops", os.path.exists(out), False)
check("qemu_extract", t_extract)


def t_guest():
    g = guestcore.open_qemu(CORE, ram=RAM)
    d = g.dump()
    e = guestcore.open(CLI_ELF)
    # memory: pages at the kernel, VMCOREINFO, the top of RAM
    for gpa in (0x1000, 0x1000000, 0x4ada000, 0x7fff000):
        same(f"qemu_read_{gpa:#x}", d.read(gpa, 4096), e.read(gpa, 4096))
    rc, out, err = cli("rd", CLI_ELF, "-p", "1000000", "2")
    want = [int(w, 16) for ln in out.decode().splitlines() for w in ln.split(":", 1)[1].split()[:2]]
    same("qemu_read_vs_rd", [int.from_bytes(d.read(0x1000000 + 8 * i, 8), "little") for i in range(2)],
         want)
    # the VGA hole: not in the core, not in the output; the error names the core
    try:
        d.read(0xa0000, 16)
        fail("qemu_read_hole", "no error")
    except guestcore.NotPresentError as x:
        rc, _, _ = cli("rd", CLI_ELF, "-p", "a0000", "2")
        same("qemu_read_hole", (x.address, x.space, rc), (0xa0000, "physical", 1))
    # registers: a process core holds the host threads', not the guest's
    same("qemu_vcpus", (g.vcpus(), d.vcpus(), d.nr_vcpus),
         ([], [], len(jcli("regs", CLI_ELF)["vcpus"])))
    same("qemu_vcpus_said", "not recovered" in cli("extract-qemu", CORE, "--dry-run", "--ram", RAM)[1].decode()
         + cli("extract-qemu", CORE, "-o", os.path.join(T, "py-x.elf"), "--ram", RAM, "--force")[1].decode(),
         True)
    os.unlink(os.path.join(T, "py-x.elf"))
    k = d.kernel()
    w = jcli("sym", CLI_ELF, "linux_banner")
    s = k.symbol("linux_banner")
    same("qemu_symbol", (s[0], s[1]), (w.get("name", w.get("symbol")), hexint(w.get("address", w.get("addr")))))
    same("qemu_banner", k.read(s[1], 40), e.kernel().read(s[1], 40))
    g_log = k.log_records()
    w_log = jcli("log", CLI_ELF)["records"]
    same("qemu_log_records", [(r["ts_nsec"], r["seq"], r["level"], r["caller"], r["text"]) for r in g_log],
         [(r.get("ts_nsec"), r.get("seq"), r.get("level"), r.get("caller"), r["text"]) for r in w_log])
    same("qemu_log_count", len(g_log) > 100, True)
    tasks = k.tasks()
    same("qemu_tasks", [(t.addr, t.pid, t.comm, t.state_name) for t in tasks],
         [(hexint(t["task"]), t["pid"], t["comm"], t["state"]) for t in jcli("ps", CLI_ELF)["tasks"]])
    bt = k.stack(task=k.task(1).addr)
    wb = jcli("bt", CLI_ELF, 1)["traces"][0]
    same("qemu_stack_pid1", [(f["pc"], f["symbol"], f["offset"]) for f in bt["frames"]],
         [(hexint(f["pc"]), f.get("function"), f.get("offset")) for f in wb["frames"]])
    same("qemu_stack_pid1_depth", len(bt["frames"]) >= 4, True)
check("qemu_guest", t_guest)


def t_errors():
    # no hint and no command line in the core: the CLI's line, exactly
    try:
        guestcore.open_qemu(CORE)
        fail("qemu_error_no_map", "no error")
    except guestcore.NotPresentError as x:
        _, _, err = cli("extract-qemu", CORE, "-o", os.path.join(T, "py-n.elf"))
        same("qemu_error_no_map", ("guestcore: " + str(x), x.file), (err.strip(), CORE))
    try:
        guestcore.open_qemu(CORE, ram="0:64M")
        fail("qemu_error_bad_ram", "no error")
    except guestcore.InvalidArgumentError as x:
        _, _, err = cli("extract-qemu", CORE, "-o", os.path.join(T, "py-n.elf"), "--ram", "0:64M")
        same("qemu_error_bad_ram", "guestcore: " + str(x), err.strip())
    tiny = os.path.join(T, "py-tiny.core")
    with open(CORE, "rb") as f, open(tiny, "wb") as o:
        o.write(f.read(100))
    try:
        guestcore.open_qemu_core(tiny)
        fail("qemu_error_cut", "no error")
    except guestcore.Error as x:
        _, _, err = cli("extract-qemu", tiny, "-o", os.path.join(T, "py-n.elf"))
        same("qemu_error_cut", ("guestcore: " + str(x), x.file, x.offset is not None),
             (err.strip(), tiny, True))
    os.unlink(tiny)
    try:
        guestcore.open_qemu(CORE, mtree=os.path.join(T, "no-such-mtree"))
        fail("qemu_error_mtree_file", "no error")
    except OSError as x:
        same("qemu_error_mtree_file", x.filename, os.path.join(T, "no-such-mtree"))
check("qemu_errors", t_errors)


def t_drgn():
    try:
        import drgn
        from drgn.helpers.linux.pid import find_task, for_each_task
        from drgn.helpers.linux.printk import get_printk_records

        import guestcore.drgn as gdrgn
    except ImportError as x:
        skip("qemu_drgn", f"drgn is not importable ({x})")
        return
    cache = os.environ.get("GC_REFEREE_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "guestcore")
    vmlinux = os.path.join(cache, "vmlinux-6.1.0-56-amd64")
    if not os.path.exists(vmlinux):
        skip("qemu_drgn", f"{vmlinux} missing (make check-referees downloads it)")
        return

    def facts(prog):
        tasks = sorted((int(t.pid), t.comm.string_().decode()) for t in for_each_task(prog))
        uts = prog["init_uts_ns"].name
        uname = tuple(getattr(uts, f).string_().decode() for f in ("release", "version"))
        log = [r.text.decode(errors="replace") for r in get_printk_records(prog)]
        # up to the first user frame (the pc in the syscall's pt_regs):
        # guestcore.drgn maps the kernel half only, so drgn does not unwind
        # the user stack through it (on the vmcore it adds a frame, pc 0)
        trace = []
        for f in prog.stack_trace(find_task(prog, 1)):
            trace.append((f.pc, f.name))
            if f.pc < 0xFFFF800000000000:
                break
        return tasks, uname, log, trace

    ours = facts(gdrgn.program(CORE, vmlinux=vmlinux, guest="qemu", ram=RAM))
    ref = drgn.Program()
    ref.set_core_dump(CLI_ELF)
    ref.load_debug_info([vmlinux])
    theirs = facts(ref)
    for i, what in enumerate(("tasks", "uname", "printk", "stack_pid1")):
        same(f"qemu_drgn_{what}", ours[i], theirs[i])
    same("qemu_drgn_sizes", (len(ours[0]) > 10, len(ours[2]) > 100, len(ours[3]) >= 4), (True,) * 3)
    print(f"# qemu drgn: {len(ours[0])} tasks, {len(ours[2])} printk records, "
          f"{len(ours[3])} frames of pid 1")
    # a Guest object works the same (memory only: no debug info loaded)
    g = guestcore.open_qemu(CORE, mtree=MT)
    banner = g.dump().kernel().symbol("linux_banner")[1]
    same("qemu_drgn_guest_obj_read",
         gdrgn.program(CORE, guest=g, default_debug_info=False).read(banner, 40),
         g.dump().kernel().read(banner, 40))
    # guestcore-drgn on the core, a script printing what drgn sees
    script = os.path.join(T, "py-qemu-drgn.py")
    with open(script, "w") as f:
        f.write("from drgn.helpers.linux.pid import for_each_task\n"
                "print(len(list(for_each_task(prog))), prog['init_uts_ns'].name.release.string_().decode())\n")
    env = dict(os.environ)
    p = subprocess.run([sys.executable, "-m", "guestcore.drgn", CORE, "--mtree", MT, "-s", vmlinux,
                        "--no-default-symbols", "--", script], capture_output=True, env=env)
    same("qemu_guestcore_drgn", (p.returncode, p.stdout.decode().strip()),
         (0, f"{len(ours[0])} {ours[1][0]}"))
    p = subprocess.run([sys.executable, "-m", "guestcore.drgn", CORE, "--qemu", "-s", vmlinux,
                        "--no-default-symbols"], capture_output=True, env=env, stdin=subprocess.DEVNULL)
    same("qemu_guestcore_drgn_no_map", (p.returncode, "give --ram GPA:SIZE@HVA or --mtree FILE" in p.stderr.decode()),
         (2, True))
    os.unlink(script)
check("qemu_drgn", t_drgn)

for p in (CORE, MT, CLI_ELF, CLI_MT):
    if os.path.exists(p):
        os.unlink(p)
done()
