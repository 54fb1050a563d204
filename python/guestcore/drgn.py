# SPDX-License-Identifier: MIT
"""drgn on any dump guestcore reads, without converting it.

``program(path, vmlinux=None, guest=None)`` returns a ``drgn.Program`` whose
memory is read through guestcore: one physical segment per run of frames the
dump holds, and the whole kernel half of the address space as one virtual
segment read through guestcore's own translation (so Xen PV page tables,
which hold machine frames, work; drgn's own page-table walker would read
them as physical addresses).

How the kernel is handed to drgn 0.0.22 (Debian 12), which has no API to
mark a program as a Linux kernel or to give it VMCOREINFO directly
(``Program(vmcoreinfo=...)`` and ``--vmcoreinfo`` came later): a tiny ELF
core file is written holding only notes -- VMCOREINFO (the dump's, or the
one guestcore found in guest memory: drgn takes KERNELOFFSET, i.e. KASLR,
from it) and one NT_PRSTATUS per vCPU with its registers and, as pr_pid, the
pid of the task that CPU was running -- and opened with
``Program.set_core_dump``.  A core with a VMCOREINFO note makes drgn set
``ProgramFlags.IS_LINUX_KERNEL``; it has no PT_LOAD, so every byte drgn reads
comes from the segments added afterwards.  The note file is unlinked at once
(drgn keeps its descriptor).  ``prog.crashed_thread()`` is drgn's: the
task on ``crashing_cpu``, which only the kexec crash path sets, else CPU
0's -- after a panic without kdump on another CPU that is not the task that
panicked; ``crashed_thread(prog)`` here asks ``panic_cpu`` first.  Its
``stack_trace()`` starts from that vCPU's registers; any other task running
on a CPU is unwound from its vCPU's registers, sleeping tasks from their
saved frame, as drgn does for a vmcore.

``python3 -m guestcore.drgn DUMP [-s VMLINUX] [--guest N] [-- SCRIPT ARGS...]``
opens drgn's interactive shell (or runs SCRIPT) on the dump; ``--qemu`` (or
any of ``--ram``, ``--mtree``, ``--machine``, ``--ram-size``, as
``guestcore extract-qemu`` takes them) opens the guest inside a QEMU process
core instead.  A QEMU process core holds no guest vCPU registers: the
program has no threads on CPUs (``crashed_thread()`` raises), sleeping and
running tasks alike are unwound from their saved context.
"""
import os
import struct
import sys
import tempfile
from typing import Any, Dict, List, Optional, Sequence, Union

import drgn as _drgn

import guestcore as _gc

__all__ = ["program", "crashed_thread", "note_file_bytes", "main"]

# Lowest kernel-half address on x86_64 (4- and 5-level paging alike).
_KERNEL_HALF = 0xFFFF800000000000

# NT_PRSTATUS pr_reg order on x86_64 (struct user_regs_struct).
_PR_REGS = (
    "r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8",
    "rax", "rcx", "rdx", "rsi", "rdi", "orig_rax", "rip", "cs", "rflags",
    "rsp", "ss", "fs_base", "gs_base", "ds", "es", "fs", "gs",
)
_NT_PRSTATUS = 1
_PRSTATUS_SIZE = 336
_PR_PID_OFFSET = 32
_PR_REG_OFFSET = 112


def _note(name: bytes, ntype: int, desc: bytes) -> bytes:
    name = name + b"\0"
    pad = lambda b: b + b"\0" * (-len(b) % 4)  # noqa: E731
    return struct.pack("<III", len(name), len(desc), ntype) + pad(name) + pad(desc)


def _prstatus(pid: int, regs: Dict[str, int]) -> bytes:
    b = bytearray(_PRSTATUS_SIZE)
    struct.pack_into("<I", b, _PR_PID_OFFSET, pid & 0xFFFFFFFF)
    for i, name in enumerate(_PR_REGS):
        struct.pack_into("<Q", b, _PR_REG_OFFSET + 8 * i, regs.get(name, 0) & (2**64 - 1))
    return bytes(b)


def note_file_bytes(vmcoreinfo: str, vcpus: Sequence[Dict[str, Any]],
                    pids: Sequence[int]) -> bytes:
    """An ELF64 x86_64 core file holding only a PT_NOTE: NT_PRSTATUS for
    each vCPU (pid PIDS[i], its registers) and VMCOREINFO."""
    notes = b"".join(_note(b"CORE", _NT_PRSTATUS, _prstatus(pid, v["regs"]))
                     for v, pid in zip(vcpus, pids))
    notes += _note(b"VMCOREINFO", 0, vmcoreinfo.encode())
    ehsize, phsize = 64, 56
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + b"\0" * 8
    ehdr = ident + struct.pack("<HHIQQQIHHHHHH", 4, 62, 1, 0, ehsize, 0, 0,
                               ehsize, phsize, 1, 0, 0, 0)
    phdr = struct.pack("<IIQQQQQQ", 4, 0, ehsize + phsize, 0, 0, len(notes),
                       0, 4)
    return ehdr + phdr + notes


def _fault(e: "_gc.Error", address: int) -> "_drgn.FaultError":
    return _drgn.FaultError(str(e), address)


def _open(path: Union[str, "_gc.Dump"], guest: Union[None, int, str, "_gc.Guest"],
          qemu: Dict[str, Any]):
    """The Dump to read and the objects that must stay alive with it."""
    if isinstance(guest, _gc.Guest):
        return guest.dump(), [guest]
    if guest == "qemu":
        g = _gc.open_qemu(path, **qemu)
        return g.dump(), [g]
    if isinstance(guest, str):
        raise ValueError(f"guest is an index, a Guest or 'qemu', not {guest!r}")
    dump = path if isinstance(path, _gc.Dump) else _gc.open(path)
    if guest is None:
        return dump, [dump]
    guests = dump.guests()
    if not 0 <= guest < len(guests):
        raise ValueError(f"{dump.path}: guest {guest} asked for, "
                         f"{len(guests)} found")
    g = guests[guest]
    return g.dump(), [dump, g]


def program(path: Union[str, "_gc.Dump"], vmlinux: Union[None, str, Sequence[str]] = None,
            guest: Union[None, int, str, "_gc.Guest"] = None,
            default_debug_info: bool = True, **qemu: Any) -> "_drgn.Program":
    """A drgn.Program over PATH (any dump guestcore reads, or an open Dump),
    or over guest number GUEST found in it (Dump.guests() order) or a Guest
    (e.g. guestcore.open_qemu(...)).  GUEST="qemu": PATH is a core file of
    a QEMU process and the program is its guest, placed by the RAM map
    that QEMU keyword arguments give (ram=, mtree=, mtree_text=, machine=,
    ram_size=: guestcore.open_qemu's, i.e. extract-qemu's options).

    VMLINUX: debug info to load (a path or paths); without it drgn's
    default search runs when DEFAULT_DEBUG_INFO is true (a missing vmlinux
    is not an error here: memory and registers still work).  Raises
    guestcore.Error when the dump cannot be read and ValueError when no
    VMCOREINFO is found (drgn needs it to know the kernel)."""
    if qemu and guest != "qemu":
        raise TypeError("ram/mtree/mtree_text/machine/ram_size are for guest='qemu'")
    dump, keep = _open(path, guest, qemu)
    kernel = dump.kernel()
    vmcoreinfo = kernel.vmcoreinfo()
    if not vmcoreinfo:
        raise ValueError(f"{dump.path}: no VMCOREINFO in the dump or in "
                         "guest memory; drgn needs it to know the kernel")
    vcpus = dump.vcpus()
    pids = []
    for i, v in enumerate(vcpus):
        try:
            pids.append(kernel.cpu_task(i)[1])
        except _gc.Error:
            pids.append(v["pid"] if v["pid"] is not None else 0)

    prog = _drgn.Program()
    fd, notes = tempfile.mkstemp(prefix="guestcore-drgn-", suffix=".core")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(note_file_bytes(vmcoreinfo, vcpus, pids))
        prog.set_core_dump(notes)
    finally:
        os.unlink(notes)

    def read_phys(address: int, count: int, offset: int, physical: bool) -> bytes:
        try:
            return dump.read(address, count)
        except _gc.Error as e:
            raise _fault(e, address) from None

    def read_kvirt(address: int, count: int, offset: int, physical: bool) -> bytes:
        try:
            return kernel.read(address, count)
        except _gc.Error as e:
            raise _fault(e, address) from None

    ps = dump.page_size
    for start, count in dump.frame_runs("phys"):
        prog.add_memory_segment(start * ps, count * ps, read_phys, True)
    prog.add_memory_segment(_KERNEL_HALF, 2**64 - _KERNEL_HALF, read_kvirt, False)
    # The readers hold DUMP and KERNEL; the Program holds the readers.
    read_phys.keep = keep  # type: ignore[attr-defined]

    if vmlinux is not None:
        paths = [vmlinux] if isinstance(vmlinux, (str, os.PathLike)) else list(vmlinux)
        prog.load_debug_info(paths)
    elif default_debug_info:
        try:
            prog.load_default_debug_info()
        except _drgn.MissingDebugInfoError:
            pass
    return prog


def crashed_thread(prog: "_drgn.Program") -> "_drgn.Thread":
    """The thread that panicked, on any drgn program of a kernel dump.

    drgn 0.0.22's ``prog.crashed_thread()`` takes the CPU from
    ``crashing_cpu``, which only the kexec crash path sets: after a panic
    without kdump (QEMU's pvpanic, ``virsh dump`` or ``xl dump-core`` of a
    panicked guest) it is -1, and drgn answers with CPU 0's task wherever
    panic() ran.  This asks ``panic_cpu`` first (Linux >= 4.5; -1 until a
    panic) and returns the task running on that CPU; without a panic CPU,
    or when it is the CPU drgn picks, it is ``prog.crashed_thread()``.
    LookupError when the panic ran in the idle task (pid 0) of another CPU:
    drgn 0.0.22 has no Thread for it (``prog.stack_trace(task)`` of that
    CPU's ``runqueues.idle`` unwinds it)."""
    from drgn.helpers.linux.percpu import per_cpu

    try:
        cpu = int(prog["panic_cpu"].counter)
    except (KeyError, LookupError, AttributeError):
        cpu = -1
    if cpu < 0:
        return prog.crashed_thread()
    try:
        drgn_cpu = int(prog["crashing_cpu"])
    except KeyError:
        drgn_cpu = 0
    if drgn_cpu == -1:
        drgn_cpu = 0
    if cpu == drgn_cpu:
        return prog.crashed_thread()
    task = per_cpu(prog["runqueues"], cpu).curr
    pid = int(task.pid)
    if pid == 0:
        raise LookupError(f"the panic ran in CPU {cpu}'s idle task, for which "
                          "drgn has no Thread; unwind it with "
                          f"prog.stack_trace(per_cpu(prog['runqueues'], {cpu}).idle)")
    return prog.thread(pid)


def _shell(prog: "_drgn.Program", banner_extra: str) -> None:
    import code
    import importlib

    globs: Dict[str, Any] = {"prog": prog, "drgn": _drgn, "__name__": "__main__",
                             "__doc__": None}
    names = ["NULL", "Object", "cast", "container_of", "execscript", "offsetof",
             "reinterpret", "sizeof"]
    for n in names:
        globs[n] = getattr(_drgn, n)
    for modname in ("drgn.helpers.common", "drgn.helpers.linux"):
        m = importlib.import_module(modname)
        for n in m.__dict__["__all__"]:
            globs[n] = getattr(m, n)
    try:
        import readline

        from drgn.internal.rlcompleter import Completer

        readline.parse_and_bind("tab: complete")
        readline.set_completer(Completer(globs).complete)
    except ImportError:
        pass
    try:
        from drgn.internal.cli import displayhook

        sys.displayhook = displayhook
    except ImportError:
        pass
    banner = (f"drgn {_drgn.__version__} on guestcore {_gc.version()}\n"
              "For help, type help(drgn).\n>>> import drgn\n"
              f">>> from drgn import {', '.join(names)}\n"
              ">>> from drgn.helpers.common import *\n"
              ">>> from drgn.helpers.linux import *" + banner_extra)
    code.interact(banner=banner, exitmsg="", local=globs)


def main(argv: Optional[List[str]] = None) -> int:
    """guestcore-drgn DUMP: drgn's shell (or a script) on any dump."""
    import argparse
    import runpy

    p = argparse.ArgumentParser(
        prog="python3 -m guestcore.drgn",
        description="drgn on any dump guestcore reads (Xen xc_core, ELF, "
                    "kdump, virsh files, KVM guests in host dumps, the guest in a QEMU "
                    "process core)")
    p.add_argument("dump", help="the dump file")
    p.add_argument("-s", "--symbols", metavar="VMLINUX", action="append",
                   help="debug info to load (repeat for more)")
    p.add_argument("--guest", type=int, metavar="N",
                   help="the N-th KVM guest found in a host dump")
    p.add_argument("--qemu", action="store_true",
                   help="DUMP is a core file of a QEMU process: open its guest "
                        "(as guestcore extract-qemu)")
    p.add_argument("--ram", action="append", metavar="GPA:SIZE@HVA",
                   help="a guest RAM range and the process address holding it "
                        "(repeat; implies --qemu)")
    p.add_argument("--mtree", metavar="FILE",
                   help="saved `info mtree -f` / `info ramblock` monitor text "
                        "(implies --qemu)")
    p.add_argument("--machine", metavar="TYPE",
                   help="QEMU machine type when the core does not say (implies --qemu)")
    p.add_argument("--ram-size", metavar="SIZE",
                   help="guest RAM size when the core does not say (implies --qemu)")
    p.add_argument("--no-default-symbols", action="store_true",
                   help="do not search for debug info")
    p.add_argument("script", nargs="*",
                   help="script (and its arguments, after --) to run with "
                        "`prog` set, instead of the shell")
    a = p.parse_intermixed_args(argv)
    qemu = {k: v for k, v in (("ram", a.ram), ("mtree", a.mtree), ("machine", a.machine),
                              ("ram_size", a.ram_size)) if v is not None}
    if (a.qemu or qemu) and a.guest is not None:
        p.error("--guest N is for host dumps; a QEMU process core has one guest")
    try:
        prog = program(a.dump, vmlinux=a.symbols,
                       guest="qemu" if (a.qemu or qemu) else a.guest,
                       default_debug_info=not a.no_default_symbols, **qemu)
    except (_gc.Error, ValueError, OSError) as e:
        print(f"guestcore-drgn: {e}", file=sys.stderr)
        return 2
    if a.script:
        sys.argv = a.script
        runpy.run_path(a.script[0], init_globals={"prog": prog},
                       run_name="__main__")
        return 0
    _shell(prog, "")
    return 0


if __name__ == "__main__":
    sys.exit(main())
