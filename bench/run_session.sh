#!/usr/bin/env bash
# ps + bt -a as one analysis session (one kernel open, through the Python
# package: Kernel.tasks() and Kernel.stack() of every vCPU), best of N, per
# real dump in the dump cache; beside it the same two answers as two CLI
# processes.  The baseline for the ratio is crash's startup + ps + bt -a
# (bench/run_bt.sh, bench/run_ps.sh measure it; 23-42 s on these dumps).
#   bench/run_session.sh [BUILD] [ROUNDS]
set -u
BUILD=${1:-build}; N=${2:-3}
CACHE=${GC_DUMP_CACHE:-$BUILD/dump-cache}
[ -d "$BUILD/python/guestcore" ] || { echo "build the Python package first (make python)"; exit 2; }
printf '%-50s %10s %10s\n' dump session_s two_cli_s
for f in "$CACHE"/qemu-*/*.elf "$CACHE"/qemu-*/*lzo "$CACHE"/xen-*/*.core; do
	[ -f "$f" ] || continue
	s=$(PYTHONPATH=$BUILD/python /usr/bin/python3 - "$f" "$N" <<'EOF_PY'
import sys, time, guestcore
best = 1e9
for _ in range(int(sys.argv[2])):
    t = time.perf_counter()
    d = guestcore.open(sys.argv[1]); k = d.kernel()
    k.tasks(); [k.stack(cpu=c) for c in range(d.nr_vcpus)]
    best = min(best, time.perf_counter() - t)
    del k, d
print("%.3f" % best)
EOF_PY
)
	c=999
	for _ in $(seq "$N"); do
		a=$(date +%s.%N)
		"$BUILD/guestcore" ps "$f" > /dev/null 2>&1
		"$BUILD/guestcore" bt -a "$f" > /dev/null 2>&1
		b=$(date +%s.%N)
		c=$(echo "t = $b - $a; if (t < $c) t else $c" | bc)
	done
	printf '%-50s %10s %10.3f\n' "$(basename "$f")" "$s" "$c"
done
