#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The README's tour shows real output: every `$ guestcore ...` line of the
# "A tour" section whose block shows output is run on the real dump it
# names, and what it prints must be what the README shows.  A README line
# that is only "..." stands for any number of lines; "..." inside a line
# stands for any text; trailing blanks do not count.  A command followed
# by no output in the README (an example of crash or drgn) is not run.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
C=$GC_DUMP_CACHE
PV=$C/xen-pv-idle/xen-pv-idle.core
HOST=$C/kvm-host-vmm/host.elf
if [ -z "$C" ] || [ ! -f "$PV" ] || [ ! -f "$HOST" ]; then
	skip readme_tour "real dumps absent"
	exit 0
fi
"$GCFIX" --desc "$ROOT/tests/fixtures/seed-case.desc" -o "$T/seed-case.core" >/dev/null ||
	{ fail readme_tour_seed "gcfixture could not write the seed case"; exit 0; }
mkdir -p "$T/tour/bin"
ln -sf "$GC" "$T/tour/bin/guestcore"
ln -sf "$PV" "$T/tour/xen-pv-idle.core"
ln -sf "$HOST" "$T/tour/host.elf"
ln -sf "$T/seed-case.core" "$T/tour/seed-case.core"

python3 - "$ROOT/README.md" "$T/tour" <<'EOF'
import os, re, subprocess, sys
readme, work = sys.argv[1], sys.argv[2]
lines = open(readme, encoding="utf-8").read().split("\n")
try:
    start = next(i for i, l in enumerate(lines) if l.startswith("## A tour"))
except StopIteration:
    print("FAIL readme_tour: no '## A tour' section in README.md")
    sys.exit(0)
cmds, cur, inblock = [], None, False
for l in lines[start + 1:]:
    if l.startswith("## "):
        break
    if l.startswith("```"):
        if inblock and cur:
            cmds.append(cur)
        cur, inblock = None, not inblock
        continue
    if not inblock:
        continue
    if l.startswith("$ "):
        if cur:
            cmds.append(cur)
        cur = [l[2:], []] if l.startswith("$ guestcore ") else None
    elif cur is not None:
        cur[1].append(l.rstrip())

def line_matches(pat, got):
    if "..." not in pat:
        return pat == got
    parts = [re.escape(p) for p in pat.split("...")]
    return re.fullmatch(".*".join(parts), got, re.S) is not None

def matches(exp, got):
    # exp may hold "..." lines (any number of lines); simple backtracking
    if not exp:
        return not got
    if exp[0] == "...":
        return any(matches(exp[1:], got[k:]) for k in range(len(got) + 1))
    return bool(got) and line_matches(exp[0], got[0]) and matches(exp[1:], got[1:])

env = dict(os.environ, PATH=work + "/bin:" + os.environ["PATH"], COLUMNS="100")
ran = 0
for cmd, exp in cmds:
    while exp and exp[-1] == "":
        exp.pop()
    name = "readme_tour: " + cmd
    if not exp:
        continue
    ran += 1
    p = subprocess.run(cmd, shell=True, cwd=work, env=env, capture_output=True, text=True)
    got = [g.rstrip() for g in (p.stdout + p.stderr).rstrip("\n").split("\n")]
    if matches(exp, got):
        print("PASS " + name)
    else:
        diff = [f"  want: {e}" for e in exp[:3]] + [f"  got:  {g}" for g in got[:3]]
        print("FAIL " + name + ": output differs from README.md\n" + "\n".join(diff))
if ran < 8:
    print(f"FAIL readme_tour_count: only {ran} tour commands with output found in README.md")
else:
    print(f"PASS readme_tour_count ({ran} commands)")
EOF
