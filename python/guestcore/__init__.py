# SPDX-License-Identifier: MIT
"""guestcore: read, check and translate virtual machine crash dumps.

Python bindings over libguestcore (docs/python.md)::

    import guestcore
    with guestcore.open("xen-pv-idle.core") as d:
        print(d.format, d.nr_vcpus)
        k = d.kernel()
        addr = k.symbol("linux_banner")[1]
        print(k.read(addr, 64))

Every library error is raised as a guestcore.Error subclass carrying the
error's code, file, offset, address, space, what, why and context.
``guestcore.drgn.program(path)`` opens any dump guestcore reads in drgn.
The guest inside a core file of a QEMU process (what ``guestcore
extract-qemu`` reads) is ``guestcore.open_qemu(core, ram=..., mtree=...)``.
"""
from ._guestcore import (  # noqa: F401
    CancelledError,
    CorruptError,
    Dump,
    Error,
    ExcludedError,
    FileError,
    FormatError,
    Guest,
    InvalidArgumentError,
    Kernel,
    NotPresentError,
    QemuCore,
    Task,
    TranslationError,
    TruncatedError,
    UnsupportedError,
    __version__,
    open,
    open_qemu_core,
    version,
)
import os as _os
import re as _re
from typing import List, NamedTuple, Optional, Sequence, Tuple, Union

__all__ = [
    "open", "open_qemu_core", "open_qemu", "version", "Dump", "Kernel", "Guest",
    "QemuCore", "Task", "LogRecord", "log_records",
    "Error", "FileError", "FormatError", "TruncatedError", "CorruptError",
    "NotPresentError", "ExcludedError", "InvalidArgumentError",
    "UnsupportedError", "TranslationError", "CancelledError",
]


class LogRecord(NamedTuple):
    """One line of the kernel log: seconds since boot (None for a line
    without a timestamp) and its text."""
    timestamp: Optional[float]
    text: str


_TS = _re.compile(r"^\[\s*(\d+)\.(\d+)\] ?")


def log_records(kernel: Kernel) -> List[LogRecord]:
    """The kernel log of KERNEL as records (`guestcore log` line by line)."""
    text, _source = kernel.log()
    out = []
    for line in text.splitlines():
        m = _TS.match(line)
        if m:
            out.append(LogRecord(int(m.group(1)) + int(m.group(2)) / 10 ** len(m.group(2)),
                                 line[m.end():]))
        else:
            out.append(LogRecord(None, line))
    return out


def open_qemu(path: Union[str, "_os.PathLike[str]"],
              ram: Union[None, str, Tuple[int, int, int],
                         Sequence[Union[str, Tuple[int, int, int]]]] = None,
              mtree: Union[None, str, "_os.PathLike[str]"] = None,
              mtree_text: Union[None, str, bytes] = None,
              machine: Optional[str] = None,
              ram_size: Union[None, int, str] = None) -> Guest:
    """The guest inside the QEMU process core PATH, placed by the RAM map
    `guestcore extract-qemu` builds from the same options (RAM: --ram
    'GPA:SIZE@HVA' strings or (gpa, size, hva); MTREE: --mtree FILE;
    MACHINE, RAM_SIZE: --machine, --ram-size).  The Guest keeps the core
    open (``Guest.core``); see QemuCore.guest()."""
    return open_qemu_core(path).guest(ram=ram, mtree=mtree, mtree_text=mtree_text,
                                      machine=machine, ram_size=ram_size)
