# SPDX-License-Identifier: MIT
"""Type hints for the _guestcore extension (re-exported by guestcore)."""
import os
from typing import (Callable, Dict, List, Literal, NamedTuple, Optional, Sequence, Tuple,
                    TypedDict, Union, overload)

__version__: str

Space = Union[Literal["phys", "physical", "mach", "machine", "kvirt", "kernel virtual"], int]
PathLike = Union[str, bytes, os.PathLike]
Progress = Callable[[int, int], object]

class Error(Exception):
    """A libguestcore error.  str(e) is the line the CLI prints after
    "guestcore: "."""
    code: int
    code_name: str          # "format", "not_present", ...
    file: Optional[str]
    offset: Optional[int]   # the file offset it is about
    address: Optional[int]  # the address it is about ...
    space: Optional[str]    # ... in this space ("physical", "machine", "kernel virtual")
    what: Optional[str]
    why: Optional[str]
    context: Optional[str]
    tasks: List["Task"]     # Kernel.tasks() on a damaged list only: those read before the damage

class FileError(Error, OSError): ...
class FormatError(Error): ...
class TruncatedError(FormatError): ...
class CorruptError(FormatError): ...
class NotPresentError(Error): ...
class ExcludedError(NotPresentError): ...
class InvalidArgumentError(Error, ValueError): ...
class UnsupportedError(Error): ...
class TranslationError(Error): ...
class CancelledError(Error): ...

class Vcpu(TypedDict):
    id: int
    arch: str
    width: int
    source: Optional[str]
    pid: Optional[int]
    xen_flags: Optional[int]
    pgd: Optional[int]
    pgd_space: Optional[str]
    regs: Dict[str, int]

class Finding(TypedDict):
    severity: str   # "ok", "note", "warning", "error"
    code: str
    message: str
    offset: Optional[int]

class Fact(TypedDict):
    value: Union[int, str]
    text: str
    type: str
    origin: str
    source: str
    space: Optional[str]

class WalkLevel(TypedDict):
    level: str
    table: int
    table_phys: Optional[int]
    index: int
    entry: Optional[int]
    entry_pseudo: Optional[int]

class Walk(TypedDict):
    virtual: int
    levels: int
    xen_pv: bool
    walk: List[WalkLevel]
    mapped: bool
    physical: Optional[int]
    machine: Optional[int]
    page_size: Optional[int]
    why: Optional[str]

class Task(NamedTuple):
    """One task (a struct sequence), as `guestcore ps` lists it."""
    addr: int
    pid: int
    tgid: int
    ppid: int
    cpu: int
    state: int
    state_name: str
    exit_state: int
    comm: str
    active: bool
    active_cpu: int
    mm: int
    stack: int
    rss_pages: Optional[int]

class Sys(TypedDict):
    time: Optional[int]
    time_source: Optional[str]
    uptime_ns: Optional[int]
    uptime_seconds: Optional[float]
    uptime_source: Optional[str]
    hz: Optional[int]
    avenrun: Optional[List[int]]
    load_average: Optional[List[float]]
    memory_pages: Optional[int]
    totalram_pages: Optional[int]
    cpus: Optional[int]
    cpus_online: Optional[int]
    cpu_khz: Optional[int]
    panic_cpu: Optional[int]
    panic_task: Optional[int]
    panic_pid: Optional[int]
    missing: str

class _FrameBase(TypedDict):
    kind: str            # "call", "exception", "user registers"
    pc: int
    sp: int
    symbol: Optional[str]
    offset: Optional[int]
    module: Optional[str]
    stack: str           # "task", "IRQ", "NMI", ...
    how: Optional[str]   # "registers", "ORC", "frame pointer", ...

class Frame(_FrameBase, total=False):
    regs: Dict[str, int]         # register frames only
    regs_addr: Optional[int]
    partial: bool
    user: bool

class Stack(TypedDict):
    task: Optional[int]
    cpu: Optional[int]
    frames: List[Frame]
    stop: str
    stop_reason: str
    orc_layout: str

class Module(TypedDict):
    name: str
    addr: int
    base: int
    size: int
    init_base: int
    init_size: int
    state: int
    state_name: Optional[str]
    taints: Optional[int]
    nr_symbols: int
    symbols: Optional[List[Tuple[str, int, str]]]   # (name, address, type)

class LogRecordDict(TypedDict):
    ts_nsec: Optional[int]
    seq: Optional[int]
    level: Optional[int]
    facility: Optional[int]
    caller: Optional[str]   # "T<pid>" or "C<cpu>"
    text: str

class Member(TypedDict):
    name: str
    type: Optional[str]
    offset: int
    bit_offset: int
    bitfield_size: int
    size: Optional[int]
    source: Optional[str]

class KvmSlot(TypedDict):
    addr: int
    as_id: int
    id: int
    base_gfn: int
    gpa: int
    npages: int
    userspace_addr: int
    flags: int

class KvmVm(TypedDict):
    kvm: int
    vendor: str            # "svm", "vmx", "unknown"
    vmm_pid: int
    userspace_pid: int
    comm: str
    name: str
    cmdline: Optional[str]
    mm: int
    pgd: int               # physical
    pgd_virt: int
    nr_vcpus: int
    memory_bytes: int
    slots: List[KvmSlot]
    problems: str

# (name, address, type letter, source, offset from the symbol or None)
Symbol = Tuple[str, int, str, str, Optional[int]]

class Dump:
    path: str
    format: str
    container: str
    page_size: int
    file_size: int
    nr_vcpus: int
    nr_frames: int
    has_mach: bool
    closed: bool
    def close(self) -> None: ...
    def __enter__(self) -> "Dump": ...
    def __exit__(self, *exc: object) -> None: ...
    def fields(self) -> List[Tuple[str, str, Optional[int]]]: ...
    def frame_runs(self, space: Space = "phys") -> List[Tuple[int, int]]: ...
    @overload
    def read(self, address: int, size: int, space: Space = "phys",
             fill: Literal[False] = False) -> bytes: ...
    @overload
    def read(self, address: int, size: int, space: Space,
             fill: Literal[True]) -> Tuple[bytes, int]: ...  # (bytes, pages filled)
    def page_state(self, frame: int, space: Space = "phys") -> str: ...
    def pfn_to_mfn(self, pfn: int) -> int: ...
    def mfn_to_pfn(self, mfn: int) -> int: ...
    def vcpus(self) -> List[Vcpu]: ...
    def check(self, deep: bool = False, kernel: bool = True) -> List[Finding]: ...
    def vmcoreinfo(self) -> Optional[str]: ...
    def notes(self) -> List[Tuple[str, int, bytes, int]]: ...
    def kernel(self, vmcoreinfo: Optional[str] = None, system_map: Optional[str] = None,
               vmlinux: Optional[str] = None, kallsyms: Optional[str] = None) -> "Kernel": ...
    def convert(self, output: PathLike, format: Literal["elf", "kdump"] = "elf",
                codec: Optional[str] = None, exclude_zero: bool = False,
                force: bool = False, progress: Optional[Progress] = None,
                kernel: bool = True, verify: bool = False,
                threads: int = 0) -> Dict[str, object]: ...
    def guests(self, source: Optional[Literal["kvm", "vmx"]] = None) -> List["Guest"]: ...

class Kernel:
    dump: Dump
    vmcoreinfo_source: Optional[str]
    is_xen_pv: bool
    pgd: int
    def read(self, address: int, size: int) -> bytes: ...
    def read_u64(self, address: int) -> int: ...
    def vtop(self, address: int) -> int: ...
    def walk(self, address: int, root: Optional[int] = None) -> Walk: ...
    def symbol(self, name: str) -> Symbol: ...
    def symbol_at(self, address: int) -> Symbol: ...
    def log(self) -> Tuple[str, str]: ...
    def facts(self) -> Dict[str, Fact]: ...
    def fact(self, name: str) -> Optional[Fact]: ...
    def vmcoreinfo(self) -> Optional[str]: ...
    def notes(self) -> List[str]: ...
    def cpu_task(self, cpu: int) -> Tuple[int, int]: ...
    def check(self) -> List[Finding]: ...
    def tasks(self) -> List[Task]: ...
    def task(self, pid: int) -> Task: ...
    def sys(self) -> Sys: ...
    def stack(self, cpu: Optional[int] = None, task: Optional[int] = None) -> Stack: ...
    def modules(self, symbols: bool = True) -> List[Module]: ...
    def module_problems(self) -> List[str]: ...
    def log_records(self) -> List[LogRecordDict]: ...
    def sizeof(self, name: str) -> int: ...
    def offsetof(self, name: str, path: str) -> int: ...
    def member(self, name: str, path: str) -> Member: ...

class QemuRamRange(TypedDict):
    gpa: int
    size: int
    hva: int
    block: str             # RAM block ("pc.ram"), or ""

class QemuRamMap(TypedDict):
    method: str            # "explicit", "mtree", "layout"
    why: str
    machine: Optional[str]
    ram_size: int          # 0 unknown
    ranges: List[QemuRamRange]
    notes: List[str]

class QemuThread(TypedDict):
    pid: int
    signo: int
    note_offset: int
    regs: Dict[str, int]   # the host thread's user_regs_struct, not a vCPU

# --ram: "GPA:SIZE@HVA" (hex, SIZE with K/M/G) or (gpa, size, hva)
RamRange = Union[str, Tuple[int, int, int]]

class QemuCore:
    """A core file of a QEMU process (guestcore.open_qemu_core)."""
    path: str
    closed: bool
    file_size: int
    executable: str
    command_line: Optional[List[str]]
    command_line_source: Optional[str]
    problems: List[str]
    nr_segments: int
    nr_mapped_files: int
    def threads(self) -> List[QemuThread]: ...
    def ram_map(self, ram: Union[None, RamRange, Sequence[RamRange]] = None,
                mtree: Optional[PathLike] = None,
                mtree_text: Union[None, str, bytes] = None,
                machine: Optional[str] = None,
                ram_size: Union[None, int, str] = None) -> QemuRamMap: ...
    def guest(self, ram: Union[None, RamRange, Sequence[RamRange]] = None,
              mtree: Optional[PathLike] = None,
              mtree_text: Union[None, str, bytes] = None,
              machine: Optional[str] = None,
              ram_size: Union[None, int, str] = None) -> "Guest": ...
    def close(self) -> None: ...
    def __enter__(self) -> "QemuCore": ...
    def __exit__(self, *exc: object) -> None: ...

class Guest:
    source: str            # "vmx", "kvm", "qemu"
    kvm: Optional[KvmVm]
    eptp: int
    vmcs: List[int]
    provenance: str
    host: Optional[Dump]   # None for a guest of a QEMU process core
    core: Optional[QemuCore]        # qemu source only
    ram_map: Optional[QemuRamMap]   # qemu source only
    def dump(self) -> Dump: ...
    def vcpus(self) -> List[Vcpu]: ...
    def counts(self) -> Dict[str, int]: ...
    def gaps(self) -> List[Dict[str, Union[int, str]]]: ...
    def findings(self) -> List[Finding]: ...
    def translate(self, gpa: int) -> Tuple[int, int]: ...
    def extract(self, output: PathLike, format: Literal["elf", "kdump"] = "elf",
                codec: Optional[str] = None, force: bool = False,
                progress: Optional[Progress] = None,
                verify: bool = False) -> Dict[str, object]: ...
    def close(self) -> None: ...

def open(path: PathLike, split_files: Optional[Sequence[PathLike]] = None,
         page_size: int = 0, readahead: bool = True) -> Dump: ...
def open_qemu_core(path: PathLike) -> QemuCore: ...
def version() -> str: ...
