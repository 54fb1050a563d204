#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The same key for the same thing across commands (docs/cli.md, JSON):
a key that holds a list in one command's --json must not hold a count (a
number) in another's, nor the other way round; a count is named nr_THING
beside a list THING.

  json_keys.py FILE...   (each FILE: one command's --json output)

Keys under maps whose keys are names taken from the dump (register names,
header fields, C members: DATA_MAPS, as json_check.py) are not keys of
ours and are skipped, and so is all of struct's C value below "value" /
"members".  Prints one line per clash and exits 1 if any.
"""
import json
import sys

DATA_MAPS = {"regs", "header", "fields", "value", "members", "kernel", "registers"}
# everything below these is the C object's own names (struct's value and
# members: nested structs and arrays of the dump's types)
C_VALUES = {"value", "members"}


def kind(v):
    if isinstance(v, list):
        return "list"
    if isinstance(v, int) and not isinstance(v, bool):
        return "number"
    return None


def walk(v, where, seen, data_map):
    if isinstance(v, dict):
        for k, x in v.items():
            if not data_map:
                t = kind(x)
                if t:
                    seen.setdefault(k, {}).setdefault(t, where)
            if k not in C_VALUES:
                walk(x, where, seen, k in DATA_MAPS)
    elif isinstance(v, list):
        for x in v:
            walk(x, where, seen, False)


def main():
    seen = {}
    for path in sys.argv[1:]:
        with open(path) as f:
            try:
                doc = json.load(f)
            except ValueError:
                continue  # json_check.py reports it
        where = doc.get("schema", path) if isinstance(doc, dict) else path
        walk(doc, where, seen, False)
    bad = 0
    for k, kinds in sorted(seen.items()):
        if "list" in kinds and "number" in kinds:
            print("key %r is a list in %s but a number in %s (a count is nr_%s)"
                  % (k, kinds["list"], kinds["number"], k))
            bad = 1
    return bad


if __name__ == "__main__":
    sys.exit(main())
