#!/usr/bin/env bash
# Fleet triage figures (docs/fleet.md): `guestcore check --json` and
# `guestcore info --json` over many dumps with GNU parallel, one JSON
# document per dump and command, and the rate in dumps per minute per core.
#
#   bench/fleet.sh [-j JOBS] [-r ROUNDS] [-o OUTDIR] [DUMP...]
#
# Without DUMPs: every dump in $GC_DUMP_CACHE (default build/dump-cache,
# the real dumps tests/run.sh decompressed).  The baseline, measured in the
# same run on the same files: the same commands one after the other
# (-j 1).  Each pass runs ROUNDS times over the list (default 3) so the
# page cache is warm after the first; the first round is reported apart.
# Needs GNU parallel (apt-get install parallel); falls back to xargs -P.
set -u
cd "$(dirname "$0")/.."
GC=${GC:-$PWD/build/guestcore}
JOBS=$(nproc)
ROUNDS=3
OUT=$(mktemp -d /tmp/gc-fleet.XXXXXX)
while getopts "j:r:o:" o; do
	case $o in
	j) JOBS=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	o) OUT=$OPTARG ;;
	*) echo "usage: $0 [-j JOBS] [-r ROUNDS] [-o OUTDIR] [DUMP...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -eq 0 ]; then
	cache=${GC_DUMP_CACHE:-$PWD/build/dump-cache}
	mapfile -t dumps < <(find -L "$cache" -type f \( -name '*.core' -o -name '*.elf' \
		-o -name '*.kdump-*' -o -name '*makedumpfile*' -o -name '*.img' \) | sort)
else
	dumps=("$@")
fi
[ ${#dumps[@]} -gt 0 ] || { echo "no dumps" >&2; exit 2; }
[ -x "$GC" ] || { echo "$GC not built" >&2; exit 2; }
mkdir -p "$OUT"
list=$OUT/dumps.txt
printf '%s\n' "${dumps[@]}" > "$list"
bytes=$(du -cLb "${dumps[@]}" | tail -1 | cut -f1)

# One dump: OUT/<sha of its path>.CMD.json (one JSON document), and its
# exit status in the job log.  check exits 1 when it found problems and 2
# for a damaged dump: those are answers, not failures.
export GC OUT
triage() {  # CMD DUMP
	local id
	id=$(printf '%s' "$2" | sha1sum | cut -c1-16)
	"$GC" "$1" --json "$2" > "$OUT/$id.$1.json" 2> "$OUT/$id.$1.err"
	local rc=$?
	[ "$rc" -le 2 ]
}
export -f triage

run_pass() {  # JOBS CMD -> "wall cpu" seconds for ROUNDS rounds
	local jobs=$1 cmd=$2 t0 t1 c0 c1 me=$BASHPID
	read -r c0 < <(awk '{print $14 + $15 + $16 + $17}' "/proc/$me/stat")
	t0=$(date +%s.%N)
	for ((r = 0; r < ROUNDS; r++)); do
		if command -v parallel >/dev/null; then
			parallel --will-cite -j "$jobs" --joblog "$OUT/joblog.$cmd.$jobs" \
				triage "$cmd" :::: "$list"
		else
			xargs -P "$jobs" -I{} bash -c 'triage "$0" "$1"' "$cmd" {} < "$list"
		fi
	done
	t1=$(date +%s.%N)
	# children's CPU time (user + system), clock ticks
	local tk; tk=$(getconf CLK_TCK)
	read -r c1 < <(awk '{print $14 + $15 + $16 + $17}' "/proc/$me/stat")
	echo "$t0 $t1 $c0 $c1 $tk" | awk '{printf "%.3f %.3f\n", $2 - $1, ($4 - $3) / $5}'
}

n=${#dumps[@]}
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs; $n dumps, $((bytes / 1048576)) MiB; $ROUNDS rounds; $(command -v parallel >/dev/null && parallel --version | head -1 || echo 'xargs -P (no GNU parallel)')"
for cmd in info check; do
	read -r w1 c1 < <(run_pass 1 "$cmd")
	read -r wj cj < <(run_pass "$JOBS" "$cmd")
	awk -v cmd="$cmd" -v n="$n" -v r="$ROUNDS" -v j="$JOBS" \
	    -v w1="$w1" -v c1="$c1" -v wj="$wj" -v cj="$cj" 'BEGIN {
		d = n * r
		printf "%-5s -j 1 (baseline): %6.2f s wall, %6.2f CPU-s: %7.1f dumps/min (wall), %7.1f dumps per CPU-minute\n", cmd, w1, c1, d * 60 / w1, d * 60 / c1
		printf "%-5s -j %d:            %6.2f s wall, %6.2f CPU-s: %7.1f dumps/min (wall) = %.1f per core-minute; speed-up %.2fx over -j 1\n", cmd, j, wj, cj, d * 60 / wj, d * 60 / wj / j, w1 / wj
	}'
done
docs=$(find "$OUT" -name '*.json' | wc -l)
bad=0
for f in "$OUT"/*.json; do
	/usr/bin/python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$f" 2>/dev/null || bad=$((bad + 1))
done
echo "output: $docs JSON documents in $OUT ($bad not valid JSON); problems: $(grep -l '"severity": "\(warning\|error\)"' "$OUT"/*.check.json 2>/dev/null | wc -l) dumps with check warnings/errors"
