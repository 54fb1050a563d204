# SPDX-License-Identifier: MIT
"""drgn through guestcore (guestcore.drgn.program) against drgn on
guestcore's converted ELF vmcore of the same dump: the raw Xen PV and PVH
dumps, and a KVM guest inside a synthetic host dump (mkhost around the real
QEMU idle guest) against drgn on its extracted vmcore.  Equal: the task
list (pid, comm), uname, the printk records, the crashed thread and its
stack trace.  Also: Dump.convert writes the bytes `guestcore convert` does.
Needs drgn (python3-drgn) and Debian's debug vmlinux (make check-referees
fetches it into ~/.cache/guestcore)."""
import hashlib
import os
import subprocess
import sys
import time

from gctest import GC, T, check, cli, done, dump, ok, same, skip

import guestcore

try:
    import drgn
    from drgn.helpers.linux.pid import for_each_task
    from drgn.helpers.linux.printk import get_printk_records

    import guestcore.drgn as gdrgn
except ImportError as e:
    skip("drgn", f"drgn is not importable ({e}): apt-get install python3-drgn")
    done()

CACHE = os.environ.get("GC_REFEREE_CACHE") or os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "guestcore")
VMLINUX = os.path.join(CACHE, "vmlinux-6.1.0-56-amd64")


def sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()


def facts(prog):
    """What both programs must agree on."""
    tasks = sorted((int(t.pid), t.comm.string_().decode()) for t in for_each_task(prog))
    uts = prog["init_uts_ns"].name
    uname = tuple(getattr(uts, f).string_().decode() for f in ("release", "version", "nodename"))
    log = [r.text.decode(errors="replace") for r in get_printk_records(prog)]
    th = prog.crashed_thread()
    trace = [(f.pc, f.name if hasattr(f, "name") else str(f)) for f in th.stack_trace()]
    return tasks, uname, log, th.tid, trace


def prog_tasks(prog):
    return list(for_each_task(prog))


def compare(tag, ours, ref_path, min_frames=4):
    t0 = time.monotonic()
    a = facts(ours)
    t1 = time.monotonic()
    ref = drgn.Program()
    ref.set_core_dump(ref_path)
    ref.load_debug_info([VMLINUX])
    b = facts(ref)
    tasks, uname, log, tid, trace = a
    same(f"{tag}_tasks", a[0], b[0])
    same(f"{tag}_uname", a[1], b[1])
    same(f"{tag}_printk", a[2], b[2])
    same(f"{tag}_crashed_tid", a[3], b[3])
    same(f"{tag}_stack_trace", a[4], b[4])
    same(f"{tag}_has_tasks", len(tasks) > 10 and len(log) > 100 and len(trace) >= min_frames, True)
    print(f"# {tag}: {len(tasks)} tasks, {len(log)} printk records, "
          f"{len(trace)} frames; drgn through guestcore {t1 - t0:.2f} s")


def xen(rel, tag):
    path = dump(rel)
    if not path:
        skip(tag, f"{rel} not in the dump cache")
        return
    d = guestcore.open(path)
    ours = os.path.join(T, f"{tag}.py.elf")
    st = d.convert(ours, progress=lambda done_, total: None)
    same(f"{tag}_convert_pages", st["pages_written"], d.nr_frames)
    # which route ran, as convert --json says: a raw save image in one pass
    same(f"{tag}_convert_route", (st["one_pass"], st["piped"]), (tag == "virsh_save", False))
    theirs = os.path.join(T, f"{tag}.cli.elf")
    cli("convert", path, "-o", theirs, rc=0)
    same(f"{tag}_convert_same_bytes", sha(ours), sha(theirs))
    os.unlink(theirs)
    t0 = time.monotonic()
    prog = gdrgn.program(path, vmlinux=VMLINUX)
    same(f"{tag}_is_kernel", bool(prog.flags & drgn.ProgramFlags.IS_LINUX_KERNEL), True)
    print(f"# {tag}: program() {time.monotonic() - t0:.2f} s")
    compare(tag, prog, ours)
    os.unlink(ours)
    if tag == "xen_pv":
        # the entry point: python3 -m guestcore.drgn DUMP -s VMLINUX -- SCRIPT
        script = os.path.join(T, "count.py")
        with open(script, "w") as f:
            f.write("import sys\nfrom drgn.helpers.linux.pid import for_each_task\n"
                    "print(sys.argv[1], len(list(for_each_task(prog))))\n")
        r = subprocess.run([sys.executable, "-m", "guestcore.drgn", path, "-s", VMLINUX,
                            "--", script, "tasks"], capture_output=True, text=True)
        same(f"{tag}_module_entry", (r.returncode, r.stdout), (0, f"tasks {len(prog_tasks(prog))}\n"))


def kvm_guest():
    idle = dump("qemu-idle-nokaslr/qemu-6.1-idle-2cpu.elf")
    mkhost = os.path.join(os.path.dirname(GC), "mkhost")
    if not idle or not os.access(mkhost, os.X_OK):
        skip("kvm_guest", "no QEMU idle dump or mkhost not built")
        return
    host = os.path.join(T, "host.elf")
    line = subprocess.run([mkhost, host, "--guest", idle], capture_output=True,
                          text=True, check=True).stdout.strip()
    same("kvm_host_made", line.startswith("guest 0 eptp"), True)
    h = guestcore.open(host)
    guests = h.guests()
    same("kvm_guests_found", len(guests), 1)
    g = guests[0]
    same("kvm_guest_vcpus", len(g.vcpus()), 2)
    out = os.path.join(T, "guest0.vmcore")
    st = g.extract(out, verify=True)
    same("kvm_guest_extract_verify", (st["verify"]["ok"], st["verify"]["pages_differ"]), (True, 0))
    prog = gdrgn.program(host, vmlinux=VMLINUX, guest=0)
    compare("kvm_guest", prog, out)
    # and the tasks drgn's ground truth lists for the guest's own dump
    # (drgn 0.0.22 reads that QEMU ELF only through libkdumpfile: its
    # own reader stops at "recursive address translation"; so does the
    # guest's dump through guestcore.drgn below, which works)
    truth = ground_truth("qemu-idle-nokaslr/expected/qemu-6.1-idle-2cpu.elf.drgn.txt")
    if truth:
        comms = sorted(set(t.comm.string_().decode() for t in for_each_task(prog)))
        same("kvm_guest_tasks_vs_truth", (len(list(for_each_task(prog))), comms),
             (int(truth["tasks"]), sorted(truth["comms"].split())))
        own = gdrgn.program(idle, vmlinux=VMLINUX)
        same("qemu_elf_via_guestcore_vs_truth",
             (own["init_uts_ns"].name.release.string_().decode(),
              len(list(for_each_task(own)))),
             (truth["release"], int(truth["tasks"])))
    else:
        skip("kvm_guest_tasks_vs_truth", "no drgn ground truth in the shared dumps")
    os.unlink(out)
    os.unlink(host)


def panic_kdump():
    # a KASLR guest that panicked, in a makedumpfile lzo file drgn reads
    # itself (libkdumpfile): the same answers both ways, crashed thread =
    # the panicking task
    path = dump("qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.makedumpfile-d0-lzo")
    if not path:
        skip("panic_kdump", "not in the dump cache")
        return
    prog = gdrgn.program(path, vmlinux=VMLINUX)
    # the panicking task's first frame is in module space (0xffffffffc0...)
    # whose debug info is not loaded: drgn, alone or through guestcore,
    # unwinds one frame there
    compare("panic_kdump", prog, path, min_frames=1)
    same("panic_kdump_crashed_is_init", prog.crashed_thread().object.comm.string_(), b"init")
    # panic_cpu is 0 here, drgn's own choice: guestcore.drgn.crashed_thread
    # agrees (the 6.12 dumps of make check-kernels panic on CPU 1, where it
    # does not)
    same("panic_kdump_crashed_thread_helper",
         (gdrgn.crashed_thread(prog).tid, int(prog["panic_cpu"].counter)), (1, 0))
    # an idle dump: no panic CPU (-1), so drgn's answer
    idle = dump("qemu-idle-nokaslr/qemu-6.1-idle-2cpu.elf")
    if idle:
        iprog = gdrgn.program(idle, vmlinux=VMLINUX)
        same("idle_crashed_thread_helper",
             (gdrgn.crashed_thread(iprog).tid, int(iprog["panic_cpu"].counter)),
             (iprog.crashed_thread().tid, -1))


def ground_truth(rel):
    """KEY VALUE lines after the libkdumpfile retry in a *.drgn.txt."""
    shared = os.environ.get("GC_SHARED_DUMPS", "")
    p = os.path.join(shared, rel)
    if not shared or not os.path.exists(p):
        return None
    out = {}
    with open(p) as f:
        for line in f:
            if line.startswith("#") or line.startswith(" ") or ":" in line.split(" ")[0]:
                continue
            k, _, v = line.rstrip("\n").partition(" ")
            out.setdefault(k, v)
    return out


def no_vmcoreinfo():
    # a dump without a kernel drgn can know: a clear ValueError
    fake = os.path.join(T, "notes-only.core")
    with open(fake, "wb") as f:
        f.write(gdrgn.note_file_bytes("OSRELEASE=x\n", [], []))
    try:
        gdrgn.program(fake)
    except guestcore.Error:
        ok("not_a_dump_is_guestcore_error")


if not os.path.exists(VMLINUX):
    skip("drgn", f"{VMLINUX} missing (make check-referees downloads it)")
    done()
check("xen_pv", lambda: xen("xen-pv-idle/xen-pv-idle.core", "xen_pv"))
check("xen_pvh", lambda: xen("xen-pvh-idle/xen-pvh-idle.core", "xen_pvh"))
check("virsh_save", lambda: xen("virsh-q35-256m-nokaslr/virsh-save.raw.img", "virsh_save"))
check("panic_kdump", panic_kdump)
check("kvm_guest", kvm_guest)
check("no_vmcoreinfo", no_vmcoreinfo)
done()
