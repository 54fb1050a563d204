#!/usr/bin/env bash
# Long fuzzing, accounted in CPU time and resumable (make fuzz-long).
#
# usage: tests/fuzz/campaign.sh [--goal CPU_SECONDS] [--chunk SECONDS]
#            [--until EPOCH] [--ledger FILE] [--corpus DIR] [--timeout S] [--jobs N]
#            [--report] [TARGET...]
#
# Each round picks the target (among TARGETs, default all tests/fuzz/fuzz_*.c)
# with the least CPU time in the ledger that is still below --goal (3600,
# the issue's CPU-hour), runs it for --chunk wall seconds (600; less when the goal is nearer) through
# smoke.sh on the corpus kept in --corpus (~/.cache/guestcore/fuzz-corpus,
# so every round continues from what earlier rounds found) and appends one
# line to the ledger (tests/fuzz/ledger.tsv):
#   date  commit  target  wall_s  cpu_s  runs  edges  features  corpus  result
# The fuzzer's own user+system time is what counts (the machine may be
# shared and the run niced), never the wall clock.  It stops when every
# target has reached the goal, at --until, or on Ctrl-C (the round under way
# is not recorded).  A FAIL (crash, leak, timeout, over-large allocation)
# is recorded with its input in build-fuzz/crashes/ and the campaign goes
# on with the other targets; that target is not run again until the ledger
# line is removed or a later line says "fixed".  libFuzzer's per-input
# limit (--timeout, 60 s here against smoke.sh's 10) is wall clock, so a
# niced round on a loaded machine can see a quick input starved past it:
# a timeout's (or slow unit's) input is run again alone, and recorded as
# a finding only when it is slow then too ("not a finding: ..."
# otherwise).  The same holds for a campaign stopped with SIGSTOP (to
# measure something else on the machine) while an input ran.
# --jobs N runs the N targets with the least CPU time at once, each its
# own round (on 2 cores, 2 when nothing else needs the machine).
# --report prints each target's totals from the ledger and exits: the
# `N passed, N failed` line counts targets at the goal with no open finding
# as passed, targets with an open finding as failed; the rest are listed
# as "short" with their CPU seconds.
set -u
cd "$(dirname "$0")/../.."
GOAL=3600 CHUNK=600 UNTIL=0 REPORT=0 TIMEOUT=60 JOBS=1
LEDGER=tests/fuzz/ledger.tsv
CORPUS=${HOME:-/root}/.cache/guestcore/fuzz-corpus
targets=()
while [ $# -gt 0 ]; do
	case "$1" in
	--goal) GOAL=$2; shift 2 ;;
	--chunk) CHUNK=$2; shift 2 ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--jobs) JOBS=$2; shift 2 ;;
	--until) UNTIL=$2; shift 2 ;;
	--ledger) LEDGER=$2; shift 2 ;;
	--corpus) CORPUS=$2; shift 2 ;;
	--report) REPORT=1; shift ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) echo "campaign.sh: unknown option '$1'" >&2; exit 2 ;;
	*) targets+=("${1#fuzz_}"); shift ;;
	esac
done
if [ ${#targets[@]} -eq 0 ]; then
	for src in tests/fuzz/fuzz_*.c; do
		n=$(basename "$src" .c)
		targets+=("${n#fuzz_}")
	done
fi
[ -f "$LEDGER" ] || printf 'date\tcommit\ttarget\twall_s\tcpu_s\truns\tedges\tfeatures\tcorpus\tresult\n' > "$LEDGER"

# cpu seconds so far, and "open" if the last FAIL is not followed by "fixed"
cpu_of() { awk -F'\t' -v t="$1" '$3 == t { s += $5 } END { printf "%d", s }' "$LEDGER"; }
open_finding() {
	awk -F'\t' -v t="$1" '$3 == t && $10 ~ /^FAIL/ { o = 1 } $3 == t && $10 ~ /^fixed/ { o = 0 }
		END { exit !o }' "$LEDGER"
}

if [ $REPORT = 1 ]; then
	passed=0 failed=0
	for t in "${targets[@]}"; do
		c=$(cpu_of "$t")
		runs=$(awk -F'\t' -v t="$t" '$3 == t { s += $6 } END { printf "%d", s }' "$LEDGER")
		last=$(awk -F'\t' -v t="$t" '$3 == t && $7 != "" { l = "cov " $7 " ft " $8 " corpus " $9 } END { print l }' "$LEDGER")
		if open_finding "$t"; then
			echo "FAIL fuzz_$t: open finding ($c CPU s; see $LEDGER)"
			failed=$((failed + 1))
		elif [ "$c" -ge "$GOAL" ]; then
			echo "PASS fuzz_$t: $c CPU s, $runs runs, $last"
			passed=$((passed + 1))
		else
			echo "short fuzz_$t: $c of $GOAL CPU s, $runs runs${last:+, $last}"
		fi
	done
	echo "$passed passed, $failed failed"
	[ $failed -eq 0 ]
	exit
fi

mkdir -p "$CORPUS"
work=$(mktemp -d /tmp/gccampaign.XXXXXX)
trap 'rm -rf "$work"; exit 130' INT TERM
trap 'rm -rf "$work"' EXIT
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
# build once here, so that parallel rounds' smoke.sh find it up to date
make -s -k -f tests/fuzz/fuzz.mk -j2 > "$work/build.log" 2>&1

# one round: fuzz_$1 for $2 wall seconds, one ledger line
round() {
	local t=$1 secs=$2 tlog=$work/$1.time
	rm -f "$tlog"
	FUZZ_TARGETS="$t" FUZZ_SECONDS=$secs FUZZ_CORPUS="$CORPUS" FUZZ_TIME_LOG="$tlog" FUZZ_TIMEOUT=$TIMEOUT \
		bash tests/fuzz/smoke.sh > "$tlog.out" 2>&1
	local line wall user sys cpu runs cov ft corp art result
	line=$(grep -E "^(PASS|FAIL) fuzz_$t" "$tlog.out" | head -1)
	read -r wall user sys < <(tail -1 "$tlog" 2>/dev/null || echo "0 0 0")
	cpu=$(awk -v u="${user:-0}" -v s="${sys:-0}" 'BEGIN { printf "%d", u + s + 0.5 }')
	runs=$(echo "$line" | sed -n 's/.*(\([0-9]*\) runs.*/\1/p')
	cov=$(echo "$line" | sed -n 's/.*cov \([0-9]*\) edges.*/\1/p')
	ft=$(echo "$line" | sed -n 's/.*ft \([0-9]*\),.*/\1/p')
	corp=$(echo "$line" | sed -n 's/.*corpus \([0-9]*\)).*/\1/p')
	# libFuzzer's per-input limit is wall clock: a round niced under a
	# loaded machine can see a quick input starved past it.  Run a
	# timeout's input again alone; only one that is slow then is a
	# finding.
	art=$(echo "$line" | sed -n 's/.*input kept in \([^ ]*\(timeout\|slow-unit\)-[^ ]*\).*/\1/p')
	if [ -n "$art" ] && [ -f "$art" ]; then
		local t0 ms
		t0=$(date +%s%N)
		if timeout 300 "build-fuzz/fuzz_$t" -timeout="$TIMEOUT" -runs=3 "$art" > "$tlog.re" 2>&1; then
			ms=$((($(date +%s%N) - t0) / 1000000))
			line="PASS fuzz_$t: not a finding: a timeout under load, the input ran 3 times alone in $ms ms wall ($art)"
		fi
	fi
	case "$line" in
	PASS*not\ a\ finding*) result="PASS ${line#*: }" ;;
	PASS*) result=PASS ;;
	FAIL*) result="FAIL $(echo "$line" | cut -d: -f2- | tr '\t' ' ')" ;;
	*) result="FAIL no result: $(tail -1 "$tlog.out" | tr '\t' ' ')" ;;
	esac
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$commit" "$t" \
		"${wall%.*}" "$cpu" "${runs:-0}" "$cov" "$ft" "$corp" "$result" >> "$LEDGER"
	echo "campaign: fuzz_$t: $cpu CPU s, ${runs:-?} runs, $result"
}

while :; do
	if [ "$UNTIL" -gt 0 ] && [ "$(date +%s)" -ge "$UNTIL" ]; then
		echo "campaign: --until reached"
		break
	fi
	# the JOBS targets with the least CPU time, below the goal and with
	# no open finding
	pick=$(for t in "${targets[@]}"; do
		open_finding "$t" && continue
		c=$(cpu_of "$t")
		[ "$c" -ge "$GOAL" ] && continue
		echo "$c $t"
	done | sort -n | head -n "$JOBS")
	[ -n "$pick" ] || { echo "campaign: every target has reached $GOAL CPU s (or has an open finding)"; break; }
	secs=$CHUNK
	if [ "$UNTIL" -gt 0 ]; then
		left=$((UNTIL - $(date +%s)))
		[ $left -lt $secs ] && secs=$left
		[ $secs -lt 30 ] && { echo "campaign: --until reached"; break; }
	fi
	while read -r c t; do
		# no longer than the target still needs (plus a margin for
		# loading its corpus): a whole round past the goal is CPU
		# the other targets do not get
		s=$((GOAL - c + 20))
		[ $s -gt $secs ] && s=$secs
		echo "campaign: fuzz_$t ($c CPU s so far) for $s s"
		round "$t" "$s" &
	done <<< "$pick"
	wait
done
