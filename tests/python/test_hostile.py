# SPDX-License-Identifier: MIT
"""Hostile dumps through the Python API: small fixture dumps (xc_core ELF
and legacy, ELF vmcore, kdump zstd) with bytes of their headers and
indexes overwritten by a fixed-seed generator, each opened and driven
through every binding call (fields, runs, reads, vCPUs, check, kernel,
its tasks, sys, stacks, modules, log records and types, guests, convert).  Every call must either answer or raise guestcore.Error (or
ValueError for a meaningless request): the interpreter never crashes (a
crash ends the script without its last line, which tests/run.sh counts
as a failure)."""
import os
import random
import subprocess

from gctest import GC, T, done, fail, ok, same

import guestcore

FIX = os.environ.get("GCFIX", os.path.join(os.path.dirname(GC), "gcfixture"))
MUTANTS = int(os.environ.get("GC_PY_MUTANTS", "60"))


def make_inputs():
    out = []
    pv = os.path.join(T, "pv.core")
    subprocess.run([FIX, "--pages", "64", "--vcpus", "2", "-o", pv], check=True,
                   capture_output=True)
    out.append(pv)
    legacy = os.path.join(T, "legacy.core")
    subprocess.run([FIX, "--legacy", "--pages", "64", "-o", legacy], check=True,
                   capture_output=True)
    out.append(legacy)
    elf = os.path.join(T, "pv.elf")
    subprocess.run([GC, "convert", pv, "-o", elf], check=True, capture_output=True)
    out.append(elf)
    kd = os.path.join(T, "pv.kdump")
    subprocess.run([GC, "convert", pv, "-o", kd, "--format", "kdump"], check=True,
                   capture_output=True)
    out.append(kd)
    return out


def drive(path, outdir):
    """Every call on PATH; returns how many raised guestcore.Error."""
    errors = 0

    def call(fn, *a, **kw):
        nonlocal errors
        try:
            return fn(*a, **kw)
        except (guestcore.Error, ValueError):
            errors += 1
            return None
    d = call(guestcore.open, path)
    if d is None:
        return None
    call(d.fields)
    call(d.notes)
    call(d.vmcoreinfo)
    for space in ("phys", "mach"):
        runs = call(d.frame_runs, space) or []
        for start, count in runs[:4]:
            call(d.read, start * d.page_size, min(count, 4) * d.page_size, space)
            call(d.read, (start + count) * d.page_size - 8, 64, space, fill=True)
    call(d.vcpus)
    call(d.check, deep=True)
    k = call(d.kernel)
    if k is not None:
        call(k.symbol, "linux_banner")
        call(k.log)
        call(k.facts)
        call(k.tasks)
        call(k.task, 1)
        call(k.sys)
        call(k.stack, cpu=0)
        call(k.modules)
        call(k.log_records)
        call(k.sizeof, "task_struct")
        call(k.offsetof, "task_struct", "pid")
    for g in call(d.guests) or []:
        call(g.vcpus)
        call(lambda: g.dump().read(0, 4096))
    out = os.path.join(outdir, "c.elf")
    call(d.convert, out, force=True)
    d.close()
    return errors


def main():
    inputs = make_inputs()
    rnd = random.Random(17)
    refused = total = 0
    for src in inputs:
        data = open(src, "rb").read()
        for i in range(MUTANTS):
            b = bytearray(data)
            # mostly the first 4 KiB (headers, notes, section table), some
            # anywhere (indexes, bitmaps, page descriptors)
            for _ in range(rnd.randint(1, 8)):
                pos = rnd.randrange(min(len(b), 4096)) if rnd.random() < 0.7 else rnd.randrange(len(b))
                b[pos] = rnd.choice((0, 0xff, rnd.randrange(256)))
            if rnd.random() < 0.15:
                b = b[:rnd.randrange(len(b))]
            m = os.path.join(T, "mutant")
            with open(m, "wb") as f:
                f.write(b)
            refused += drive(m, T) is None
            total += 1
    same("hostile_mutants_survived", total, len(inputs) * MUTANTS)
    print(f"# {total} mutants of {len(inputs)} fixture dumps: {refused} refused at "
          f"open with a guestcore.Error, {total - refused} opened and driven; none crashed")
    ok("hostile_no_crash")


def non_utf8_names():
    """Symbol names and types are bytes from the dump: a kallsyms table
    (named by VMCOREINFO, as Linux >= 6.0 does, so no printable-token
    check applies) whose "fixture_" token starts with 0xff and whose type
    token "T" is 0xfe answers with '?' in their place, as the CLI shows
    them (it raised UnicodeDecodeError, neither an answer nor a
    guestcore.Error)."""
    mk = os.path.join(os.path.dirname(GC), "mkvmcore")
    k = os.path.join(T, "k8.elf")
    r = subprocess.run([mk, "kernel", k, "--levels", "4", "--kaslr", "0", "--kallsyms", "pcrel"],
                       check=True, capture_output=True, text=True)
    tt = int(r.stderr.split("token_table 0x")[1].split()[0], 16)
    ti = int(r.stderr.split("token_index 0x")[1].split()[0], 16)
    b = bytearray(open(k, "rb").read())
    at = lambda va: va - 0xffffffff81000000 + 0x400000 + 0x1000  # noqa: E731
    idx = [int.from_bytes(b[at(ti) + 2 * i:at(ti) + 2 * i + 2], "little") for i in range(256)]
    toks = {bytes(b[at(tt) + o:b.index(0, at(tt) + o)]): at(tt) + o for o in idx}
    b[toks[b"fixture_"]] = 0xff
    b[toks[b"T"]] = 0xfe
    open(k, "wb").write(b)
    kern = guestcore.open(k).kernel()
    name, addr, typ, _src, off = kern.symbol_at(0xffffffff81000010 + 2)
    same("hostile_symbol_name_replaced", (name, addr, typ, off),
         ("?ixture_func_000", 0xffffffff81000010, "?", 2))
    name, _addr, typ, _src, _off = kern.symbol_at(0xffffffff81000020)
    # (its name may be spelled with another token: only the type is sure)
    same("hostile_symbol_type_lowercase_kept", (name.endswith("ixture_func_001"), typ), (True, "t"))


try:
    main()
    non_utf8_names()
except Exception as e:  # noqa: BLE001
    fail("hostile", f"{type(e).__name__}: {e}")
done()
