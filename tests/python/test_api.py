# SPDX-License-Identifier: MIT
"""The Python API against the CLI on the real dumps (../shared/dumps):
same header fields, bytes (phys, mach, kernel virtual), symbols both ways,
vtop, log, registers, check findings and errors; convert's progress
callback (an exception or Ctrl-C in it stops the work, no output left);
reads from two threads; a hostile (truncated) dump."""
import os
import signal
import threading

from gctest import T, check, cli, cli_json, done, dump, fail, ok, same, skip

import guestcore

DUMPS = [
    "xen-pv-idle/xen-pv-idle.core",
    "xen-pvh-idle/xen-pvh-idle.core",
    "qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.elf",
    "qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.makedumpfile-d0-lzo",
    "qemu-idle-nokaslr/qemu-6.1-idle-2cpu.kdump-zlib",
    "virsh-q35-256m-nokaslr/virsh-save.raw.img",
]
SYMBOLS = ["linux_banner", "jiffies_64", "init_task", "_stext"]


def hexint(s):
    return int(s, 16) if isinstance(s, str) else s


def one(rel):
    path = dump(rel)
    tag = os.path.basename(rel).replace("-", "_").replace(".", "_")
    if not path:
        skip(tag, f"{rel} not in the dump cache")
        return
    d = guestcore.open(path)
    info = cli_json("info", path)

    def t_info():
        same(f"{tag}_format", d.format, info["format"])
        same(f"{tag}_container", d.container, info["container"])
        same(f"{tag}_shape", (d.page_size, d.nr_vcpus, d.nr_frames, d.has_mach, d.file_size),
             (info["page_size"], info["nr_vcpus"], info["pages"], info["machine_space"],
              info["file_size"]))
        # info --json keys its header by name, spaces and dashes as "_"
        # (a repeated name, ELF "segment", keeps its last value there);
        # numbers are exact in "hex" (also in "value" below 2^53)
        same(f"{tag}_fields",
             sorted({n.replace(" ", "_").replace("-", "_"): (t, v)
                     for n, t, v in d.fields()}.items()),
             sorted((n, (f["text"], hexint(f["hex"]) if "hex" in f else None))
                    for n, f in info["header"].items()))
    check(f"{tag}_info", t_info)

    def t_regs():
        want = cli_json("regs", path)["vcpus"]
        got = d.vcpus()
        same(f"{tag}_regs", [{n: v for n, v in g["regs"].items()} for g in got],
             [{n: hexint(v) for n, v in w["regs"].items()} for w in want])
        same(f"{tag}_regs_source", [g["source"] for g in got], [w["source"] for w in want])
    check(f"{tag}_regs", t_regs)

    def t_phys():
        runs = d.frame_runs("phys")
        ps = d.page_size
        start, count = runs[len(runs) // 2]
        for addr in (runs[0][0] * ps, (start + count // 2) * ps + 123):
            rc, out, err = cli("read", path, "-p", hex(addr), 4096, rc=0)
            same(f"{tag}_read_phys_{addr:#x}", d.read(addr, 4096), out)
        if d.has_mach:
            mstart, _ = d.frame_runs("mach")[0]
            rc, out, err = cli("read", path, "-m", hex(mstart * ps), 512, rc=0)
            same(f"{tag}_read_mach", d.read(mstart * ps, 512, space="mach"), out)
    check(f"{tag}_phys", t_phys)

    def t_kernel():
        k = d.kernel()
        for s in SYMBOLS:
            w = cli_json("sym", path, s)
            g = k.symbol(s)
            same(f"{tag}_sym_{s}", (g[0], g[1], g[2], g[3]),
                 (w["name"], hexint(w["address"]), w["type"], w["source"]))
        addr = k.symbol("linux_banner")[1]
        w = cli_json("sym", path, hex(addr + 5))
        g = k.symbol_at(addr + 5)
        same(f"{tag}_sym_at", (g[0], g[1], g[4]), (w["name"], hexint(w["address"]), w["offset"]))
        rc, out, err = cli("read", path, "-v", hex(addr), 256, rc=0)
        same(f"{tag}_read_kvirt", k.read(addr, 256), out)
        same(f"{tag}_read_space_kvirt", d.read(addr, 256, space="kvirt"), out)
        w = cli_json("vtop", path, hex(addr))
        same(f"{tag}_vtop", k.vtop(addr), hexint(w["physical"]))
        walk = k.walk(addr)
        same(f"{tag}_walk", [(e["level"], e["index"], e["entry"]) for e in walk["walk"]],
             [(e["level"], e["index"], hexint(e["entry"])) for e in w["walk"]])
        rc, out, err = cli("log", path, rc=0)
        text, source = k.log()
        same(f"{tag}_log", text, out.decode("utf-8", "replace"))
        same(f"{tag}_log_source", source, cli_json("log", path)["source"])
        recs = guestcore.log_records(k)
        same(f"{tag}_log_records", len(recs), len(text.splitlines()))
    check(f"{tag}_kernel", t_kernel)

    def t_check():
        rc, out, err = cli("check", path, "--json")
        import json
        want = json.loads(out)["findings"]
        got = d.check()
        same(f"{tag}_check", [(f["severity"], f["code"], f["message"], f["offset"]) for f in got],
             [(f["severity"], f["code"], f["message"], hexint(f.get("offset"))) for f in want])
    check(f"{tag}_check", t_check)

    def t_error():
        # a physical address far past any RAM: NotPresentError naming it,
        # the same line the CLI prints
        addr = 0xFFFFFFFFF000
        try:
            d.read(addr, 8)
            fail(f"{tag}_error", "read past RAM succeeded")
            return
        except guestcore.NotPresentError as e:
            rc, out, err = cli("read", path, "-p", hex(addr), 8)
            same(f"{tag}_error_line", "guestcore: " + str(e), err.strip())
            same(f"{tag}_error_fields", (e.address, e.space, e.file, e.code_name),
                 (addr, "physical", path, "not_present"))
    check(f"{tag}_error", t_error)
    d.close()


def test_hostile():
    src = dump("xen-pv-idle/xen-pv-idle.core")
    if not src:
        skip("hostile", "no xen-pv-idle dump")
        return
    bad = os.path.join(T, "truncated.core")
    with open(src, "rb") as f, open(bad, "wb") as o:
        o.write(f.read(65536))
    try:
        d = guestcore.open(bad)
        # opened: reads past the cut must fail with an error, not crash
        try:
            d.read(0, 1 << 20)
            fail("hostile_truncated", "a 1 MiB read of a 64 KiB file succeeded")
        except guestcore.Error as e:
            ok("hostile_truncated_read")
            same("hostile_has_where", e.offset is not None or e.address is not None, True)
    except guestcore.Error as e:
        rc, out, err = cli("info", bad)
        same("hostile_open_line", "guestcore: " + str(e), err.strip())
        same("hostile_open_rc", rc, 2)
        same("hostile_offset", e.offset is not None, True)
    try:
        guestcore.open(os.path.join(T, "does-not-exist"))
        fail("missing_file", "opened")
    except guestcore.FileError as e:
        same("missing_file_oserror", isinstance(e, OSError), True)
    try:
        guestcore.open(src).read(0, -1)
        fail("bad_size", "accepted")
    except ValueError:
        ok("bad_size")


def test_convert_stops():
    src = dump("xen-pvh-idle/xen-pvh-idle.core")
    if not src:
        skip("convert_stops", "no xen-pvh-idle dump")
        return
    d = guestcore.open(src)
    out = os.path.join(T, "stopped.elf")
    calls = []

    def boom(done_, total):
        calls.append((done_, total))
        raise RuntimeError("stop here")
    try:
        d.convert(out, progress=boom)
        fail("convert_exception", "convert finished")
    except RuntimeError as e:
        same("convert_exception", str(e), "stop here")
    same("convert_exception_calls", len(calls), 1)
    same("convert_exception_no_output", os.path.exists(out), False)
    same("convert_exception_no_temp", [f for f in os.listdir(T) if "stopped" in f], [])

    def ctrl_c(done_, total):
        os.kill(os.getpid(), signal.SIGINT)
    # Python's own Ctrl-C handler, whatever the test runner inherited: a
    # job started in the background by a non-interactive shell (as CI
    # may run us) has SIGINT ignored, and Python then leaves it ignored
    old_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        d.convert(out, progress=ctrl_c)
        fail("convert_ctrl_c", "convert finished")
    except KeyboardInterrupt:
        ok("convert_ctrl_c")
    finally:
        signal.signal(signal.SIGINT, old_int)
    same("convert_ctrl_c_no_output", os.path.exists(out), False)
    if os.path.exists(out):  # keep a failure above from failing the next
        os.unlink(out)
    def reenter(done_, total):
        d.read(0, 8)
    try:
        d.convert(out, progress=reenter)
        fail("convert_reentry", "convert finished")
    except RuntimeError as e:
        same("convert_reentry", "progress callback cannot use" in str(e), True)
    same("convert_reentry_no_output", os.path.exists(out), False)
    same("convert_reentry_after", len(d.read(0, 8)), 8)
    try:
        d.convert(out, format="elf", codec="zstd")
        fail("convert_bad_args", "accepted")
    except ValueError:
        ok("convert_bad_args")


def test_lifetimes():
    import gc
    src = dump("xen-pv-idle/xen-pv-idle.core")
    if not src:
        skip("lifetimes", "no xen-pv-idle dump")
        return
    d = guestcore.open(src)
    k = d.kernel()
    addr = k.symbol("linux_banner")[1]
    del d                      # the kernel keeps the dump open
    gc.collect()
    same("lifetime_kernel_outlives_dump", k.read(addr, 5), b"Linux")
    same("lifetime_kernel_dump", k.dump.format, "xc_core (ELF)")
    d = k.dump
    d.close()                  # closed: every call raises, nothing is freed under k
    for name, fn in (("read", lambda: d.read(0, 8)), ("kernel_read", lambda: k.read(addr, 5)),
                     ("vcpus", d.vcpus)):
        try:
            fn()
            fail(f"lifetime_closed_{name}", "answered after close()")
        except ValueError as e:
            same(f"lifetime_closed_{name}", str(e), "the dump is closed")
    same("lifetime_closed_flag", d.closed, True)
    del k, d
    gc.collect()
    with guestcore.open(src) as d2:
        same("lifetime_with", d2.nr_vcpus, 2)
    same("lifetime_with_closed", d2.closed, True)
    # a cycle (dump -> default kernel -> dump) is collected
    for _ in range(20):
        x = guestcore.open(src)
        x.kernel()
        del x
    gc.collect()
    fds = len(os.listdir("/proc/self/fd"))
    for _ in range(20):
        x = guestcore.open(src)
        x.kernel()
        del x
    gc.collect()
    same("lifetime_no_fd_leak", len(os.listdir("/proc/self/fd")) <= fds, True)


def test_threads():
    src = dump("qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.makedumpfile-d0-lzo")
    if not src:
        skip("threads", "no lzo kdump")
        return
    d = guestcore.open(src)
    start, count = max(d.frame_runs(), key=lambda r: r[1])
    addrs = [(start + (i * 97) % count) * d.page_size for i in range(200)]
    ref = [d.read(a, 4096) for a in addrs]
    res = {}

    def worker(n):
        res[n] = [d.read(a, 4096) for a in addrs]
    th = [threading.Thread(target=worker, args=(n,)) for n in range(3)]
    for t in th:
        t.start()
    for t in th:
        t.join()
    same("threads_same_bytes", all(res[n] == ref for n in range(3)), True)


for rel in DUMPS:
    one(rel)
check("hostile", test_hostile)
check("convert_stops", test_convert_stops)
check("threads", test_threads)
check("lifetimes", test_lifetimes)
same("version", guestcore.version(), cli("--version")[1].decode().split()[-1]
     if cli("--version")[0] == 0 else guestcore.version())
done()
