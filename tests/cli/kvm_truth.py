#!/usr/bin/env python3
"""Compare guestcore's view of a real KVM host with the dump's truth.json.

  kvm_truth.py guests TRUTH GUESTS.json     the VM list (guests --json)
  kvm_truth.py regs TRUTH REGS.json         vCPU registers of the extracted
                                            vmcore (regs --json)
  kvm_truth.py memory TRUTH VMCORE          every slot's sha256, read from
                                            the vmcore's PT_LOADs
  kvm_truth.py pages L2.elf VMCORE          every page of the guest's own dump
                                            (--l2 linux) equal in the vmcore
  kvm_truth.py l2regs L2REGS.json REGS.json the vCPUs' registers of both
  kvm_truth.py scan TRUTH|- SCAN.json KVM.json  the VMCB scan's VMs (guests
                                            --scan --json) equal the KVM
                                            structures' (guests --json) and
                                            the truth's VMCB save areas
  kvm_truth.py samepages A B NAME           every page of A equal in B
  kvm_truth.py poke ELF PA VALUE [WORDS]    write VALUE (hex) WORDS times
                                            (default 2) at physical PA
  kvm_truth.py host TRUTH INFO.json         the host kernel view (info --json):
                                            paging depth, KASLR offset,
                                            page_offset
  kvm_truth.py structs TRUTH GUESTS.json    the VMs, every slot (both address
                                            spaces) and vCPU of guests --json
                                            against drgn's walk (any L2 mode)
  kvm_truth.py extract TRUTH OUT.txt        extract --verify's report: pages
                                            verified, the NPT cross-check,
                                            the vCPUs in guest mode
TRUTH may end in "#host-panic" to compare with another dump of the same
run (truth.json "dumps"; default "host").
Prints PASS/FAIL lines (tests/cli/lib.sh)."""
import hashlib
import json
import struct
import sys


def out(ok, name, why=""):
    print(("PASS " + name) if ok else ("FAIL %s: %s" % (name, why)))


def h(x):
    return int(x, 16) if isinstance(x, str) else x


DUMP = "host"


def truth_vm(truth):
    return truth["dumps"][DUMP]["kvm"]["vms"][0]


def no_drgn(truth, what):
    """True (and a SKIP line) when truth.json has no drgn walk of DUMP:
    the referee failed there (drgn 0.0.22 cannot place a 6.4+ kernel's
    module debuginfo, so kvm.ko's vm_list is out of its reach); only the
    VMM's own truth is left to compare with."""
    if "kvm" in truth["dumps"].get(DUMP, {}):
        return False
    print("SKIP %s: truth.json has no drgn walk of %s (the referee failed "
          "on this host kernel)" % (what, DUMP))
    return True


def vmm_slots_equal(truth, vm):
    ts = truth["vmm"]["memslots"]
    slots = [s for s in vm["slots"] if s["as_id"] == 0]
    ok = len(slots) == len(ts) and all(
        h(s["gpa"]) == h(t["guest_phys_addr"]) and
        s["npages"] * 4096 == h(t["memory_size"]) and
        h(s["userspace_addr"]) == h(t["userspace_addr"])
        for s, t in zip(slots, ts))
    out(ok, "kvm memory slots", json.dumps(slots))


def guests(truth, path):
    g = json.load(open(path))["guests"]
    if no_drgn(truth, "kvm struct kvm, pgd, kvm_vcpu, VMCB and nested_cr3 against drgn"):
        out(len(g) == 1, "kvm guests count (the VMM's one VM)", "%d VMs" % len(g))
        if not g:
            return
        vm = g[0]
        out(vm["vmm_pid"] == truth["vmm"]["vmm_pid"], "kvm VMM pid", str(vm["vmm_pid"]))
        vmm_slots_equal(truth, vm)
        tids = [v["thread_pid"] for v in vm["vcpus"]]
        out(tids == truth["vmm"]["vcpu_tids"], "kvm vCPU threads equal the VMM's",
            "%s, want %s" % (tids, truth["vmm"]["vcpu_tids"]))
        return
    tv = truth_vm(truth)
    out(len(g) == len(truth["dumps"][DUMP]["kvm"]["vms"]), "kvm guests count",
        "%d VMs" % len(g))
    vm = g[0]
    out(h(vm["kvm"]) == h(tv["kvm"]), "kvm struct kvm address", vm["kvm"])
    out(vm["vmm_pid"] == truth["vmm"]["vmm_pid"] == tv["userspace_pid"],
        "kvm VMM pid", str(vm["vmm_pid"]))
    out(h(vm["pgd"]) == h(tv["mm_pgd_phys"]), "kvm VMM pgd", vm["pgd"])
    vmm_slots_equal(truth, vm)
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
        want = s["sha256"]
        if s["slot"] == 1 and truth["vmm"].get("slot1_sha256_now"):
            # kvm-host-memfd: the VMM punched pages out of the memfd after
            # hashing; its second hash has them zero (what the guest reads)
            want = truth["vmm"]["slot1_sha256_now"]
        out(len(buf) == size and d == want,
            "kvm slot %d memory sha256 equals the truth" % s["slot"],
            "%d of %d bytes, %s" % (len(buf), size, d))


def loads_of(path):
    f = open(path, "rb")
    h = f.read(64)
    phoff, = struct.unpack_from("<Q", h, 0x20)
    phnum, = struct.unpack_from("<H", h, 0x38)
    f.seek(phoff)
    ph = f.read(56 * phnum)
    out_ = []
    for i in range(phnum):
        typ, flags, off, va, pa, filesz, memsz = struct.unpack_from(
            "<IIQQQQQ", ph, 56 * i)
        if typ == 1 and filesz:
            out_.append((pa, off, filesz))
    return f, sorted(out_)


def page_at(f, loads, pa):
    for lpa, off, fs in loads:
        if lpa <= pa and pa + 4096 <= lpa + fs:
            f.seek(off + pa - lpa)
            return f.read(4096)
    return None


def pages(l2, vmcore, name="kvm linux guest: every page of l2.elf equal "
          "in the extraction"):
    fa, la = loads_of(l2)
    fb, lb = loads_of(vmcore)
    total = missing = differ = 0
    first = None
    for pa, off, fs in la:
        for a in range(pa, pa + fs - 4095, 4096):
            total += 1
            b = page_at(fb, lb, a)
            if b is None:
                missing += 1
                first = first if first is not None else a
                continue
            fa.seek(off + a - pa)
            if fa.read(4096) != b:
                differ += 1
                first = first if first is not None else a
    out(total and not missing and not differ, name,
        "%d pages, %d missing, %d differ, first 0x%x" %
        (total, missing, differ, first or 0))


def l2regs(want_path, got_path):
    want = json.load(open(want_path))["vcpus"]
    got = json.load(open(got_path))["vcpus"]
    out(len(want) == len(got), "kvm linux guest: vCPU count",
        "%d vs %d" % (len(got), len(want)))
    for w, g in zip(want, got):
        keys = GPRS + ["rip", "rflags", "cr0", "cr3", "cr4", "cs", "ss"]
        bad = [k for k in keys if h(g["regs"].get(k, "-1")) !=
               h(w["regs"].get(k, "-2"))]
        out(not bad, "kvm linux guest: vCPU %d registers equal l2.elf's" %
            w["vcpu"], ", ".join("%s %s vs %s" % (k, g["regs"].get(k),
                                                   w["regs"].get(k))
                                 for k in bad))


def scan(truth_path, scan_path, kvm_path):
    sc = json.load(open(scan_path))["guests"]
    kv = json.load(open(kvm_path))["guests"]
    out(len(sc) == len(kv), "svm scan: as many VMs as the KVM structures",
        "%d vs %d" % (len(sc), len(kv)))
    tv = {}
    if truth_path != "-":
        for vm in json.load(open(truth_path))["dumps"]["host"]["kvm"]["vms"]:
            for c in vm["vcpus"]:
                tv[h(c["current_vmcb_pa"])] = c
    for vm in kv:
        want = sorted(h(c["vmcb"]) for c in vm["vcpus"])
        g = [x for x in sc if sorted(h(c["vmcb"]) for c in x["vcpus"]) ==
             want]
        out(len(g) == 1, "svm scan: VM %d's VMCBs found as one VM (%s)" %
            (vm["index"], ",".join(hex(a) for a in want)), json.dumps(sc))
        if len(g) != 1:
            continue
        g = g[0]
        ncr3 = set(h(c["nested_cr3"]) for c in vm["vcpus"])
        out(ncr3 == {h(g["nested_cr3"])}, "svm scan: VM %d nested_cr3 %s" %
            (vm["index"], g["nested_cr3"]), str(ncr3))
        bycb = dict((h(c["vmcb"]), c) for c in g["vcpus"])
        for c in vm["vcpus"]:
            s_ = bycb[h(c["vmcb"])]
            t = tv.get(h(c["vmcb"]))
            if t:
                # the VMCB's own values (KVM's arch.regs may be newer:
                # a dirty RIP)
                ts = t["vmcb_save"]
                bad = [k for k in ("rip", "rsp", "rax", "cr3")
                       if h(s_[k]) != h(ts[k])]
                what = "truth's VMCB save area"
            else:
                bad = [k for k in ("rsp", "cr3") if h(s_[k]) != h(c[k])]
                what = "KVM structures"
            out(not bad, "svm scan: VM %d vCPU %d (VMCB %s) registers equal"
                " the %s" % (vm["index"], c["vcpu_id"], c["vmcb"], what),
                ", ".join("%s %s" % (k, s_[k]) for k in bad))


def poke(path, pa, val, words=2):
    """Write VAL WORDS times (default twice: a list head's next and prev)
    at physical PA of the ELF dump PATH; exit 1 when PA is in no PT_LOAD."""
    f, loads = loads_of(path)
    f.close()
    for lpa, off, fs in loads:
        if lpa <= pa and pa + 8 * words <= lpa + fs:
            with open(path, "r+b") as w:
                w.seek(off + pa - lpa)
                w.write(struct.pack("<%dQ" % words, *[val] * words))
            return
    sys.exit(1)
def host(truth, path):
    k = json.load(open(path))["kernel"]

    def fact(name):
        f = k.get(name)
        return f["value"] if isinstance(f, dict) else None
    if no_drgn(truth, "kvm host page_offset against drgn"):
        # the L1 init's own report: "_text ADDR T _text", "la57=N"
        rep = " ".join(truth["l1"].get("init_report", []))
        import re
        m = re.search(r"_text ([0-9a-f]+) T _text", rep)
        la = re.search(r"la57=(\d)", rep)
        if m:
            want = int(m.group(1), 16) - 0xffffffff81000000
            ko = fact("kaslr_offset")
            out(ko is not None and h(ko) == want,
                "kvm host KASLR offset (L1's _text)", "%s, want 0x%x" % (ko, want))
        if la:
            want = 5 if la.group(1) == "1" else 4
            lv = fact("paging_levels")
            out(lv is not None and int(lv) == want,
                "kvm host paging depth %d levels (L1's la57)" % want, str(lv))
        return
    tk = truth["dumps"][DUMP]["kvm"]
    tv = truth_vm(truth)
    lv = fact("paging_levels")
    out(lv is not None and int(lv) == tk["l1_paging_levels"],
        "kvm host paging depth %d levels" % tk["l1_paging_levels"], str(lv))
    ko = fact("kaslr_offset")
    out(ko is not None and h(ko) == h(tk["l1_kaslr_offset"]),
        "kvm host KASLR offset", "%s, want %s" % (ko, tk["l1_kaslr_offset"]))
    # the direct map: struct mm's pgd (kernel virtual) minus its physical
    po = fact("page_offset")
    want = h(tv["mm_pgd"]) - h(tv["mm_pgd_phys"])
    out(po is not None and h(po) == want, "kvm host page_offset",
        "%s, want 0x%x" % (po, want))


def structs(truth, path):
    g = json.load(open(path))["guests"]
    if no_drgn(truth, "kvm structures against drgn's walk"):
        return
    tvms = truth["dumps"][DUMP]["kvm"]["vms"]
    out(len(g) == len(tvms), "kvm guests count (drgn)", "%d VMs" % len(g))
    for vm, tv in zip(g, tvms):
        out(h(vm["kvm"]) == h(tv["kvm"]) and
            vm["vmm_pid"] == tv["userspace_pid"] and
            h(vm["pgd"]) == h(tv["mm_pgd_phys"]),
            "kvm VM %d: struct kvm, VMM pid, pgd equal drgn's" % vm["index"],
            "%s %s %s" % (vm["kvm"], vm["vmm_pid"], vm["pgd"]))
        ts = sorted(tv["memslots"], key=lambda t: (t["as_id"], h(t["base_gfn"])))
        ok = len(vm["slots"]) == len(ts) and all(
            s["as_id"] == t["as_id"] and h(s["gpa"]) == h(t["base_gfn"]) << 12
            and s["npages"] == t["npages"] and
            h(s["userspace_addr"]) == h(t["userspace_addr"])
            for s, t in zip(vm["slots"], ts))
        out(ok, "kvm VM %d: %d memory slots equal drgn's" % (vm["index"], len(ts)),
            json.dumps(vm["slots"])[:300])
        tc = tv["vcpus"]
        ok = len(vm["vcpus"]) == len(tc) and all(
            h(v["kvm_vcpu"]) == h(t["kvm_vcpu"]) and
            h(v["vmcb"]) == h(t["current_vmcb_pa"]) and
            h(v["nested_cr3"]) == h(t["vmcb_control"]["n_cr3"]) and
            v["thread_pid"] == t["thread_pid"] and
            v["in_guest_mode"] == (t["mode"] == "IN_GUEST_MODE")
            for v, t in zip(vm["vcpus"], tc))
        out(ok, "kvm VM %d: vCPUs (kvm_vcpu, VMCB, nested_cr3, thread, mode) "
            "equal drgn's" % vm["index"], json.dumps(vm["vcpus"])[:300])


def extract(truth, path):
    txt = open(path).read()
    if no_drgn(truth, "kvm extract: nested_cr3 and the vCPUs' modes against drgn"):
        n = sum(h(t["memory_size"]) for t in truth["vmm"]["memslots"]) // 4096
        out("verify: ok: %d pages compared, 0 differ" % n in txt,
            "kvm extract --verify: %d pages" % n, txt[-300:])
        import re
        out(re.search(r"NPT cross-check \(nested_cr3 0x[0-9a-f]+\): %d guest "
                      r"pages agree with the VMM's page tables, 0 not in the "
                      r"NPT" % n, txt) is not None,
            "kvm NPT cross-check agrees", txt[-300:])
        return
    tv = truth_vm(truth)
    n = tv["nr_memslot_pages"]
    out("verify: ok: %d pages compared, 0 differ" % n in txt,
        "kvm extract --verify: %d pages" % n, txt[-300:])
    v0 = tv["vcpus"][0]
    ncr3 = h(v0["vmcb_control"]["n_cr3"])
    # kvm-host-memfd (tests/make_kvm_host_memfd.sh): slot 1 is a memfd
    # whose first ZAPPED pages had their PTEs zapped (MADV_DONTNEED): KVM
    # dropped them from the NPT too, and only the page cache holds them
    zap = truth["vmm"].get("slot1_zapped")
    zapped = zap[1] if zap else 0
    want = ("NPT cross-check (nested_cr3 0x%x): %d guest pages agree with "
            "the VMM's page tables, %d not in the NPT" %
            (ncr3, n - zapped, zapped))
    if zap:
        # punched out of the memfd (no page at all): read as zero
        holes = truth["vmm"].get("slot1_punched", [0, 0])[1]
        pc = ("note: %d guest pages from the VMM's page cache (%s), %d read "
              "as zero" % (zapped - holes, truth["vmm"]["slot1_backing"],
                           holes))
        out(pc in txt, "kvm %d guest pages from the VMM's page cache (%s), "
            "%d read as zero" % (zapped - holes,
                                 truth["vmm"]["slot1_backing"], holes),
            "no line '%s'" % pc)
    out(want in txt, "kvm NPT cross-check (%d-level NPT) agrees" %
        tv.get("npt_levels", 0), "no line '%s'" % want)
    for v in tv["vcpus"]:
        line = ("vCPU %d was executing in guest mode on host CPU %d" %
                (v["vcpu_id"], v["last_host_cpu"]))
        ing = v["mode"] == "IN_GUEST_MODE"
        out((line in txt) == ing, "kvm vCPU %d %s guest mode" %
            (v["vcpu_id"], "in" if ing else "not in"), txt[-300:])


if __name__ == "__main__":
    if sys.argv[1] == "poke":
        poke(sys.argv[2], int(sys.argv[3], 16), int(sys.argv[4], 16),
             int(sys.argv[5]) if len(sys.argv) > 5 else 2)
        sys.exit(0)
    if sys.argv[1] == "samepages":
        pages(sys.argv[2], sys.argv[3], sys.argv[4])
        sys.exit(0)
    if sys.argv[1] == "scan":
        scan(sys.argv[2], sys.argv[3], sys.argv[4])
        sys.exit(0)
    if sys.argv[1] == "pages":
        pages(sys.argv[2], sys.argv[3])
        sys.exit(0)
    if sys.argv[1] == "l2regs":
        l2regs(sys.argv[2], sys.argv[3])
        sys.exit(0)
    tpath, _, which = sys.argv[2].partition("#")
    DUMP = which or "host"
    truth = json.load(open(tpath))
    {"guests": guests, "regs": regs, "memory": memory, "host": host,
     "extract": extract, "structs": structs}[sys.argv[1]](
        truth, sys.argv[3])
