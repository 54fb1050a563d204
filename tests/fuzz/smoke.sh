#!/usr/bin/env bash
# Fuzz smoke run (make check calls it): build every tests/fuzz/fuzz_*.c
# with tests/fuzz/fuzz.mk, make each target's seed corpus with the
# tests/fuzz/seeds_*.sh scripts, run each target for FUZZ_SECONDS (5)
# seconds, print PASS/FAIL per target and end with "N passed, N failed".
#
# Seeds: each seeds_X.sh is called as `seeds_X.sh TOOL OUTDIR` and writes
# OUTDIR/<target>/...; TOOL is the fixture writer named by a
# "# seed-tool: NAME" line in the script (or by its usage line), taken
# from the normal build ($BUILD, default build, built here if missing).
# Targets without seeds start from an empty corpus.
#
# `make fuzz-long [FUZZ_SECONDS=N]` runs this with FUZZ_SECONDS=3600 by
# default.  FUZZ_TARGETS="ept pgwalk ..." limits the run to those targets;
# FUZZ_CORPUS=DIR keeps each target's corpus in DIR/<target> across runs
# (default: a temporary directory).  FUZZ_TIME_LOG=FILE writes the
# fuzzer process's wall, user and system seconds there (campaign.sh);
# FUZZ_TIMEOUT=N sets libFuzzer's per-input limit (10 s, wall clock).  Each target's line gives its runs,
# the coverage (cov: edges, ft: features) and corpus size libFuzzer
# reported last.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
SECS=${FUZZ_SECONDS:-5}
WORK=$(mktemp -d /tmp/gcfuzz.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
passed=0 failed=0

if ! command -v clang >/dev/null; then
	echo "FAIL fuzz-build: clang not found"
	echo "0 passed, 1 failed"
	exit 1
fi
make -s -k -f tests/fuzz/fuzz.mk -j2 FUZZ_BUILD="$FUZZ_BUILD" > "$WORK/build.log" 2>&1
build_rc=$?

# seed corpora
for s in tests/fuzz/seeds_*.sh; do
	[ -f "$s" ] || continue
	tool=$(sed -n 's/^# seed-tool: *\([A-Za-z0-9_-]*\).*/\1/p' "$s" | head -1)
	[ -n "$tool" ] || tool=$(sed -n 's/.*usage: [^ ]* \([A-Z0-9_]*\).*/\1/p' "$s" | head -1 | tr 'A-Z' 'a-z')
	if [ -z "$tool" ]; then
		echo "note: $s names no seed tool; skipped"
		continue
	fi
	[ -x "$BUILD/$tool" ] || make -s BUILD="$BUILD" "$BUILD/$tool" > /dev/null 2>&1
	if [ ! -x "$BUILD/$tool" ]; then
		echo "note: $s: $BUILD/$tool could not be built; its targets start unseeded"
		continue
	fi
	sh "$s" "$BUILD/$tool" "$WORK/seeds" > "$WORK/seeds.log" 2>&1 ||
		echo "note: $s failed: $(tail -1 "$WORK/seeds.log")"
done

for src in tests/fuzz/fuzz_*.c; do
	[ -f "$src" ] || continue
	name=$(basename "$src" .c)
	if [ -n "${FUZZ_TARGETS:-}" ]; then
		case " $FUZZ_TARGETS " in *" ${name#fuzz_} "*|*" $name "*) ;; *) continue ;; esac
	fi
	bin="$FUZZ_BUILD/$name"
	if [ ! -x "$bin" ] || [ "$bin" -ot "$src" ]; then
		echo "FAIL $name: did not build ($(grep -m1 -E "error" "$WORK/build.log" || echo "see make -f tests/fuzz/fuzz.mk"))"
		failed=$((failed + 1))
		continue
	fi
	corpus="${FUZZ_CORPUS:-$WORK/corpus}/$name"
	mkdir -p "$corpus"
	[ -d "$WORK/seeds/$name" ] && cp "$WORK/seeds/$name"/* "$corpus"/ 2>/dev/null
	nseeds=$(ls "$corpus" | wc -l)
	timer=()
	[ -n "${FUZZ_TIME_LOG:-}" ] && timer=(/usr/bin/time -o "$FUZZ_TIME_LOG" -f "%e %U %S")
	"${timer[@]}" "$bin" -max_total_time="$SECS" -rss_limit_mb=2048 -malloc_limit_mb=1024 \
		-timeout="${FUZZ_TIMEOUT:-10}" -artifact_prefix="$WORK/$name-" "$corpus" > "$WORK/$name.log" 2>&1
	rc=$?
	runs=$(grep -o 'Done [0-9]* runs' "$WORK/$name.log" | grep -o '[0-9]*')
	last=$(grep -E '^#[0-9]+' "$WORK/$name.log" | tail -1)
	cov=$(echo "$last" | grep -o 'cov: [0-9]*' | grep -o '[0-9]*')
	ft=$(echo "$last" | grep -o 'ft: [0-9]*' | grep -o '[0-9]*')
	corp=$(echo "$last" | grep -o 'corp: [0-9]*' | grep -o '[0-9]*')
	if [ $rc = 0 ]; then
		echo "PASS $name (${runs:-?} runs in ${SECS}s, $nseeds seeds, cov ${cov:-?} edges, ft ${ft:-?}, corpus ${corp:-?})"
		passed=$((passed + 1))
	else
		art=$(ls "$WORK/$name-"* 2>/dev/null | head -1)
		keep=""
		if [ -n "$art" ]; then
			mkdir -p "$FUZZ_BUILD/crashes"
			cp "$art" "$FUZZ_BUILD/crashes/" && keep=" input kept in $FUZZ_BUILD/crashes/$(basename "$art")"
		fi
		echo "FAIL $name: exit $rc:$keep"
		grep -m3 -E 'ERROR|runtime error|SUMMARY' "$WORK/$name.log" | sed 's/^/    /'
		failed=$((failed + 1))
	fi
done
[ $build_rc = 0 ] || echo "note: some fuzz sources did not build (make -f tests/fuzz/fuzz.mk)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
