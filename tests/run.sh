#!/usr/bin/env bash
# Run the whole suite: unit test binaries, command-line scripts, the
# real dumps from ../shared/dumps when present.  Ends with the line
# "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SHARED=${GC_SHARED:-$(cd .. && pwd)/shared}
export GC="$PWD/$BUILD/guestcore" GCFIX="$PWD/$BUILD/gcfixture"
export GC_TEST_TMP=$(mktemp -d /tmp/gctest.XXXXXX)
trap 'rm -rf "$GC_TEST_TMP"' EXIT
export GC_SHARED_DUMPS="$SHARED/dumps"

# The scripts start python3 hundreds of times (JSON checks, small parsers;
# standard library only).  A python3 first on PATH that is a version
# manager's shim (pyenv's bash wrapper here) costs ~0.35 s a start against
# ~0.03 s for the interpreter itself, a minute or more of the suite's
# budget: the scripts get the Debian interpreter the Python bindings are
# built for (the Makefile's PYTHON) under the name python3.
if [ -x /usr/bin/python3 ] && [ "$(command -v python3)" != /usr/bin/python3 ]; then
	mkdir -p "$GC_TEST_TMP/bin"
	ln -s /usr/bin/python3 "$GC_TEST_TMP/bin/python3"
	export PATH="$GC_TEST_TMP/bin:$PATH"
fi

# Real dumps: decompress the .zst files once into a cache directory.
export GC_DUMP_CACHE=${GC_DUMP_CACHE:-$PWD/build/dump-cache}
if [ -d "$SHARED/dumps" ]; then
	mkdir -p "$GC_DUMP_CACHE"
	for z in "$SHARED"/dumps/*/*.zst; do
		[ -e "$z" ] || continue
		rel=${z#"$SHARED/dumps/"}
		out="$GC_DUMP_CACHE/${rel%.zst}"
		mkdir -p "$(dirname "$out")"
		if [ ! -s "$out" ]; then
			zstd -q -d --long=31 -f "$z" -o "$out.tmp" && mv "$out.tmp" "$out"
		fi
	done
	for f in "$SHARED"/dumps/*/*; do
		case "$f" in *.zst|*.md|*/expected|*.log) continue ;; esac
		[ -f "$f" ] || continue
		rel=${f#"$SHARED/dumps/"}
		mkdir -p "$GC_DUMP_CACHE/$(dirname "$rel")"
		ln -sf "$f" "$GC_DUMP_CACHE/$rel"
	done
	echo "real dumps: $SHARED/dumps (decompressed into $GC_DUMP_CACHE)"
else
	echo "real dumps: ABSENT ($SHARED/dumps not found): real-dump tests are skipped"
	GC_DUMP_CACHE=
fi

passed=0 failed=0 skipped=0
LOGS="$GC_TEST_TMP/logs"
mkdir -p "$LOGS"
tally() {
	# $1 = label, $2 = its log
	local p f s t log=$2
	p=$(grep -c '^PASS ' "$log"); f=$(grep -c '^FAIL ' "$log"); s=$(grep -c '^SKIP ' "$log")
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	if [ "$f" -gt 0 ] || [ "${VERBOSE:-0}" = 1 ]; then
		cat "$log"
	else
		grep '^SKIP ' "$log" || true
	fi
	t=$(sed -n 's/^TIME //p' "$log" | tail -1)
	printf '%-40s %4d passed, %d failed  %6s s\n' "$1" "$p" "$f" "${t:-?}"
}

# Each unit binary and each CLI script runs on its own (own scratch dir
# $T, own log); GC_TEST_JOBS of them at a time (default: the CPUs), then
# the logs are tallied in a fixed order.
run_one() {  # LABEL LOG CMD...
	local label=$1 log=$2 rc t0
	shift 2
	t0=$(date +%s.%N)
	"$@" > "$log" 2>&1
	rc=$?
	echo "TIME $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')" >> "$log"
	if [ $rc -ne 0 ] && ! grep -q '^FAIL ' "$log"; then
		echo "FAIL $label: exited $rc without reporting" >> "$log"
	fi
}
JOBS=${GC_TEST_JOBS:-$(nproc 2>/dev/null || echo 1)}
labels=() logs=()
running=0
launch() {  # LABEL CMD...
	local label=$1 log="$LOGS/${#labels[@]}.log"
	shift
	labels+=("$label"); logs+=("$log")
	if [ "$running" -ge "$JOBS" ]; then
		wait -n
		running=$((running - 1))
	fi
	run_one "$label" "$log" "$@" &
	running=$((running + 1))
}

# The scripts (the slow part) first, then the unit binaries.
scripts=()
for s in tests/cli/test_*.sh; do
	[ -f "$s" ] && scripts+=("$s")
done
# The sanitizer pass (GC_ASAN_PASS=1, from check-all.sh) leaves out the
# scripts marked "# asan-pass: skip": they compare outputs with referees
# on the real dumps through code every other script also runs, and the
# normal pass runs them (the suite's 15-minute budget on 2 cores).
for s in "${scripts[@]}"; do
	name=$(basename "$s" .sh)
	if [ "${GC_ASAN_PASS:-0}" = 1 ] && grep -q '^# asan-pass: skip' "$s"; then
		echo "SKIP $name.sh: $(sed -n 's/^# asan-pass: skip *//p' "$s" | head -1)" > "$LOGS/skip-$name.log"
		labels+=("$(basename "$s")"); logs+=("$LOGS/skip-$name.log")
		continue
	fi
	mkdir -p "$GC_TEST_TMP/$name"
	launch "$(basename "$s")" env T="$GC_TEST_TMP/$name" bash "$s"
done
# The Python package against the CLI and drgn (tests/python/run.sh: SKIP
# lines when python3-dev, the built package or drgn is missing).
for s in tests/python/test_*.py; do
	[ -f "$s" ] || continue
	name=$(basename "$s" .py)
	mkdir -p "$GC_TEST_TMP/$name"
	launch "$(basename "$s")" env T="$GC_TEST_TMP/$name" BUILD="$BUILD" \
		bash tests/python/run.sh "$s"
done
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	launch "$(basename "$t")" "$t"
done
wait
for i in "${!labels[@]}"; do
	tally "${labels[$i]}" "${logs[$i]}"
done

echo "skipped: $skipped"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
