#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Check one command's --json output (stdin) against the JSON rules of
docs/cli.md:  json_check.py COMMAND

- one top-level object whose first key is "schema": "guestcore.COMMAND/1";
- keys are snake_case ([a-z0-9_]+), except the members of maps whose keys
  are names taken from the dump (register names, header fields, C member
  names: DATA_MAPS below), which must still have no spaces;
- an address is a "0x..." string: the keys in ADDR_KEYS (and *_addr,
  *_address, *_paddr) hold strings or null, never numbers;
- no integer needs more than 53 bits (JSON readers lose them), except
  the C values struct prints under "value" (integers as the C type has
  them; pointers are hex strings);
- an "error" member is an object with at least "message".
Prints one line per problem and exits 1 if there is any.
"""
import json
import re
import sys

SNAKE = re.compile(r"^[a-z0-9_]+$")
DATA_MAPS = {"regs", "header", "fields", "value", "members", "kernel", "registers"}
ADDR_KEYS = {"address", "addr", "paddr", "gpa", "hpa", "hva", "virtual", "physical",
             "pgd", "cr3", "eptp", "root", "entry", "table_physical", "table_machine",
             "machine", "entry_pseudo", "vmcs", "phys_base", "page_offset", "kaslr_offset"}


def walk(v, path, data_map, problems, c_values=False):
    if isinstance(v, dict):
        for k, x in v.items():
            p = path + "." + k
            if " " in k:
                problems.append("key with a space: %s" % p)
            elif not data_map and not SNAKE.match(k):
                problems.append("key not snake_case: %s" % p)
            if not c_values and (k in ADDR_KEYS or k.endswith(("_addr", "_address", "_paddr"))) and \
                    isinstance(x, (int, float)) and not isinstance(x, bool):
                problems.append("address as a number: %s = %r" % (p, x))
            if isinstance(x, str) and k in ADDR_KEYS and re.match(r"^[0-9a-f]{8,}$", x):
                problems.append("address without 0x: %s = %s" % (p, x))
            if k == "error" and isinstance(x, str):
                problems.append("error is a string, not an object: %s" % p)
            walk(x, p, k in DATA_MAPS, problems, c_values or (CMD == "struct" and k == "value"))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            walk(x, "%s[%d]" % (path, i), False, problems, c_values)
    elif isinstance(v, int) and not isinstance(v, bool) and abs(v) >= 1 << 53 and not c_values:
        problems.append("integer past 2^53 (use a hex string): %s = %d" % (path, v))


CMD = None


def main():
    global CMD
    cmd = CMD = sys.argv[1]
    text = sys.stdin.read()
    try:
        doc = json.loads(text)
    except ValueError as e:
        print("not JSON: %s" % e)
        return 1
    problems = []
    if not isinstance(doc, dict):
        problems.append("top level is not an object")
    else:
        keys = list(doc)
        if not keys or keys[0] != "schema" or doc["schema"] != "guestcore.%s/1" % cmd:
            problems.append("first key is not schema guestcore.%s/1: %r" % (cmd, keys[:1]))
        walk(doc, "", False, problems)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
