# SPDX-License-Identifier: MIT
"""Helpers for tests/python/test_*.py: PASS/FAIL/SKIP lines as
tests/cli/lib.sh prints them (tests/run.sh counts them), the CLI runner
and the real dumps' paths."""
import json
import os
import subprocess
import sys
import traceback

GC = os.environ.get("GC", os.path.join(os.getcwd(), "build", "guestcore"))
CACHE = os.environ.get("GC_DUMP_CACHE", "")
T = os.environ.get("T") or "/tmp"

failures = 0


def ok(name):
    print(f"PASS {name}", flush=True)


def fail(name, why):
    global failures
    failures += 1
    print(f"FAIL {name}: {why}", flush=True)


def skip(name, why):
    print(f"SKIP {name}: {why}", flush=True)


def same(name, got, want):
    if got == want:
        ok(name)
    elif isinstance(got, list) and isinstance(want, list):
        i = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b),
                 min(len(got), len(want)))
        fail(name, f"{len(got)} vs {len(want)} items; first difference at "
                   f"{i}: {got[i:i + 1]!r} != {want[i:i + 1]!r}")
    else:
        g, w = repr(got), repr(want)
        fail(name, f"{g[:300]} != {w[:300]}")


def check(name, fn):
    """Run FN(); an exception is a FAIL naming it."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - report any failure as FAIL
        fail(name, f"{type(e).__name__}: {e} "
                   f"({traceback.format_exc().strip().splitlines()[-3].strip()})")


def cli(*args, rc=None):
    """(exit code, stdout, stderr) of the guestcore CLI."""
    p = subprocess.run([GC, *map(str, args)], capture_output=True)
    if rc is not None and p.returncode != rc:
        raise AssertionError(f"guestcore {' '.join(map(str, args))}: exit "
                             f"{p.returncode}, expected {rc}: {p.stderr.decode()[:300]}")
    return p.returncode, p.stdout, p.stderr.decode()


def cli_json(*args, rc=0):
    return json.loads(cli(*args, "--json", rc=rc)[1])


def dump(rel):
    """Path of a real dump in the cache, or None."""
    if not CACHE:
        return None
    p = os.path.join(CACHE, rel)
    return p if os.path.exists(p) else None


def done():
    sys.exit(1 if failures else 0)
