#!/usr/bin/env python3
"""Compare guestcore's view of a real KVM host with the dump's truth.json.

  kvm_truth.py guests TRUTH GUESTS.json     the VM list (guests --json)
  kvm_truth.py regs TRUTH REGS.json         vCPU registers of the extracted
                                            vmcore (regs --json)
  kvm_truth.py memory TRUTH VMCORE          every slot's sha256, read from
                                            the vmcore's PT_LOADs
Prints PASS/FAIL lines (tests/cli/lib.sh)."""
import hashlib
import json
import struct
import sys


def out(ok, name, why=""):
    print(("PASS " + name) if ok else ("FAIL %s: %s" % (name, why)))


def h(x):
    return int(x, 16) if isinstance(x, str) else x


def truth_vm(truth):
    return truth["dumps"]["host"]["kvm"]["vms"][0]


def guests(truth, path):
    g = json.load(open(path))["guests"]
    tv = truth_vm(truth)
    out(len(g) == len(truth["dumps"]["host"]["kvm"]["vms"]), "kvm guests count",
        "%d VMs" % len(g))
    vm = g[0]
    out(h(vm["kvm"]) == h(tv["kvm"]), "kvm struct kvm address", vm["kvm"])
    out(vm["vmm_pid"] == truth["vmm"]["vmm_pid"] == tv["userspace_pid"],
        "kvm VMM pid", str(vm["vmm_pid"]))
    out(h(vm["pgd"]) == h(tv["mm_pgd_phys"]), "kvm VMM pgd", vm["pgd"])
    ts = truth["vmm"]["memslots"]
    slots = [s for s in vm["slots"] if s["as_id"] == 0]
    ok = len(slots) == len(ts) and all(
        h(s["gpa"]) == h(t["guest_phys_addr"]) and
        s["npages"] * 4096 == h(t["memory_size"]) and
        h(s["userspace_addr"]) == h(t["userspace_addr"])
        for s, t in zip(slots, ts))
    out(ok, "kvm memory slots", json.dumps(slots))
    tc = tv["vcpus"]
    ok = len(vm["vcpus"]) == len(tc) and all(
        h(v["kvm_vcpu"]) == h(t["kvm_vcpu"]) and
        h(v["vmcb"]) == h(t["current_vmcb_pa"]) and
        h(v["nested_cr3"]) == h(t["vmcb_control"]["n_cr3"]) and
        v["thread_pid"] == t["thread_pid"] and
        v["in_guest_mode"] == (t["mode"] == "IN_GUEST_MODE")
        for v, t in zip(vm["vcpus"], tc))
    out(ok, "kvm vCPUs (kvm_vcpu, VMCB, nested_cr3, thread, mode)",
        json.dumps(vm["vcpus"]))


GPRS = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9",
        "r10", "r11", "r12", "r13", "r14", "r15"]


def regs(truth, path):
    got = json.load(open(path))["vcpus"]
    want = truth["vmm"]["vcpus"]
    out(len(got) == len(want), "kvm vCPU notes", "%d" % len(got))
    for g, w in zip(got, want):
        r = g["regs"]
        bad = [k for k in GPRS + ["rflags", "cr0", "cr3", "cr4"]
               if h(r.get(k, "-1")) != h(w[k])]
        if h(r.get("rip", "-1")) != h(w["rip_expected"]):
            bad.append("rip")
        if h(r.get("gdt_base", "-1")) != h(w["gdt_base"]):
            bad.append("gdt_base")
        if h(r.get("cs", "-1")) != h(w["cs_sel"]):
            bad.append("cs")
        out(not bad, "kvm vCPU %d registers equal the truth" % w["id"],
            ", ".join("%s=%s want %s" % (k, r.get(k), w.get(k, w.get(
                "rip_expected"))) for k in bad))
    # EFER is in the PRSTATUS-less QEMU note only; checked via guests --json


def memory(truth, path):
    data = open(path, "rb").read()
    e_phoff, = struct.unpack_from("<Q", data, 0x20)
    e_phentsize, e_phnum = struct.unpack_from("<HH", data, 0x36)
    loads = []
    for i in range(e_phnum):
        p = e_phoff + i * e_phentsize
        typ, flags, off, va, pa, filesz, memsz = struct.unpack_from(
            "<IIQQQQQ", data, p)
        if typ == 1:
            loads.append((pa, off, filesz))
    for s in truth["vmm"]["memslots"]:
        gpa, size = h(s["guest_phys_addr"]), h(s["memory_size"])
        buf = bytearray()
        a = gpa
        while a < gpa + size:
            seg = [l for l in loads if l[0] <= a < l[0] + l[2]]
            if not seg:
                break
            pa, off, fs = seg[0]
            n = min(gpa + size - a, pa + fs - a)
            buf += data[off + (a - pa):off + (a - pa) + n]
            a += n
        d = hashlib.sha256(bytes(buf)).hexdigest()
        out(len(buf) == size and d == s["sha256"],
            "kvm slot %d memory sha256 equals the truth" % s["slot"],
            "%d of %d bytes, %s" % (len(buf), size, d))


if __name__ == "__main__":
    truth = json.load(open(sys.argv[2]))
    {"guests": guests, "regs": regs, "memory": memory}[sys.argv[1]](
        truth, sys.argv[3])
