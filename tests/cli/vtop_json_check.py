#!/usr/bin/env python3
# vtop_json_check.py CRASH_VTOP_TEXT GUESTCORE_JSON PHYS_BASE
#
# Compares `guestcore vtop --json` field by field with the text crash's
# vtop printed for the same address (native and Xen PV layouts): every
# level's entry address (table + 8 * index), entry, the Xen PV
# pseudo-physical tables and entries, the page and the leaf.  PHYS_BASE
# turns crash's "PGD DIRECTORY" (a kernel virtual address) into the
# table's physical address.  Prints "ok" or the first difference and
# exits 1.
import json
import re
import sys

MASK = 0x000FFFFFFFFFF000
START_KERNEL_MAP = 0xFFFFFFFF80000000


def fail(msg):
    print(msg)
    sys.exit(1)


def h(s):
    return int(s, 16)


def main():
    text = open(sys.argv[1]).read().splitlines()
    j = json.load(open(sys.argv[2]))
    phys_base = int(sys.argv[3], 0) & 0xFFFFFFFFFFFFFFFF
    walk = j["walk"]
    pv = j["xen_pv"]
    va = h(j["virtual"])
    if not j["mapped"]:
        fail("guestcore: not mapped")
    # indices from the address itself
    first = 0 if j["levels"] == 5 else 1
    for i, lv in enumerate(walk):
        shift = 12 + 9 * (4 - (first + i))
        if lv["index"] != (va >> shift) & 511:
            fail("%s index %d != %d" % (lv["level"], lv["index"],
                                        (va >> shift) & 511))
    # each table is the previous entry's frame (machine and pseudo)
    for i in range(1, len(walk)):
        prev, lv = walk[i - 1], walk[i]
        if pv:
            if h(lv["table_machine"]) != h(prev["entry"]) & MASK:
                fail("%s machine table != previous entry" % lv["level"])
            if h(lv["table_physical"]) != h(prev["entry_pseudo"]) & MASK:
                fail("%s physical table != previous pseudo entry"
                     % lv["level"])
        elif h(lv["table"]) != h(prev["entry"]) & MASK:
            fail("%s table != previous entry" % lv["level"])

    def table_phys(lv):
        return h(lv["table_physical"] if pv else lv["table"])

    by = {lv["level"]: lv for lv in walk}
    seen = set()
    leaf_line = False
    for line in text:
        m = re.match(r"^([0-9a-f]{16})  ([0-9a-f]+)\s*$", line)
        if m and not seen:
            if h(m.group(1)) != va or h(m.group(2)) != h(j["physical"]):
                fail("VIRTUAL/PHYSICAL line differs: %s" % line)
            seen.add("top")
            continue
        m = re.match(r"^PGD DIRECTORY: ([0-9a-f]+)$", line)
        if m:
            want = h(m.group(1)) - START_KERNEL_MAP + phys_base
            want &= 0xFFFFFFFFFFFFFFFF
            if table_phys(walk[0]) != want:
                fail("PGD DIRECTORY %s: table 0x%x, expected 0x%x"
                     % (m.group(1), table_phys(walk[0]), want))
            seen.add("pgd")
            continue
        m = re.match(r"^PAGE DIRECTORY: ([0-9a-f]+)( \[machine\])?$", line)
        if m:
            if h(walk[0]["entry"]) != h(m.group(1)):
                fail("PAGE DIRECTORY entry differs")
            seen.add("pd")
            continue
        # "   PUD: ADDR => ENTRY [machine]"
        m = re.match(r"^\s+(PGD|PUD|PMD|PTE): ([0-9a-f]+) => ([0-9a-f]+)"
                     r"( \[machine\])?$", line)
        if m:
            lv = by.get(m.group(1))
            if not lv:
                fail("no %s level in the JSON" % m.group(1))
            if table_phys(lv) + 8 * lv["index"] != h(m.group(2)):
                fail("%s entry address 0x%x != %s" % (
                    m.group(1), table_phys(lv) + 8 * lv["index"],
                    m.group(2)))
            if h(lv["entry"]) != h(m.group(3)):
                fail("%s entry %s != %s" % (m.group(1), lv["entry"],
                                            m.group(3)))
            seen.add(m.group(1))
            continue
        # Xen PV: "\tPGD: PSEUDO" / "   PMD: PSEUDO" / "   PTE: PSEUDO"
        m = re.match(r"^\s+(PGD|PUD|PMD|PTE): ([0-9a-f]+)$", line)
        if m and pv:
            lvl = m.group(1)
            # crash names the pseudo-physical line of the PML4 entry "PGD"
            lv = walk[0] if lvl == "PGD" else by[lvl]
            got = h(lv["entry_pseudo"])
            if lvl != "PTE":
                got &= MASK
            if got != h(m.group(2)):
                fail("pseudo %s 0x%x != %s" % (lvl, got, m.group(2)))
            seen.add("pseudo-" + lvl)
            continue
        m = re.match(r"^\s+PAGE: ([0-9a-f]+)( \[machine\])?(\s+\((2MB|1GB)\))?$",
                     line)
        if m:
            size = {None: 4096, "2MB": 2 << 20, "1GB": 1 << 30}[m.group(4)]
            if j["page_size"] != size:
                fail("page size %d != %d" % (j["page_size"], size))
            key = "machine" if m.group(2) else "physical"
            if h(j[key]) & ~(size - 1) != h(m.group(1)):
                fail("PAGE %s differs from %s %s" % (m.group(1), key,
                                                      j[key]))
            seen.add("page-" + key)
            continue
        if re.match(r"^\s+PTE\s+PHYSICAL\s+FLAGS$", line):
            leaf_line = True
            continue
        m = re.match(r"^\s*([0-9a-f]+)\s+([0-9a-f]+)\s+\(", line)
        if m and leaf_line:
            last = walk[-1]
            leaf = h(last["entry_pseudo"] if pv else last["entry"])
            if leaf != h(m.group(1)):
                fail("leaf entry 0x%x != %s" % (leaf, m.group(1)))
            base = h(j["physical"]) & ~(j["page_size"] - 1)
            if base != h(m.group(2)):
                fail("leaf physical 0x%x != %s" % (base, m.group(2)))
            seen.add("leaf")
            leaf_line = False
    need = {"top", "pgd", "pd", "PUD", "PMD", "page-physical", "leaf"}
    if pv:
        need |= {"pseudo-PGD", "pseudo-PUD", "pseudo-PMD", "PTE",
                 "pseudo-PTE", "page-machine"}
    if not need <= seen:
        fail("crash text lines not matched: %s" % sorted(need - seen))
    print("ok %d fields" % len(seen))


main()
