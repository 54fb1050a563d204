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
LOG="$GC_TEST_TMP/log"
tally() {
	# $1 = label; reads test output from $LOG
	local p f s
	p=$(grep -c '^PASS ' "$LOG"); f=$(grep -c '^FAIL ' "$LOG"); s=$(grep -c '^SKIP ' "$LOG")
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	if [ "$f" -gt 0 ] || [ "${VERBOSE:-0}" = 1 ]; then
		cat "$LOG"
	else
		grep '^SKIP ' "$LOG" || true
	fi
	printf '%-40s %4d passed, %d failed\n' "$1" "$p" "$f"
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	"$t" > "$LOG" 2>&1
	rc=$?
	if [ $rc -ne 0 ] && ! grep -q '^FAIL ' "$LOG"; then
		echo "FAIL $(basename "$t"): exited $rc without reporting" >> "$LOG"
	fi
	tally "$(basename "$t")"
done

for s in tests/cli/test_*.sh; do
	[ -f "$s" ] || continue
	export T="$GC_TEST_TMP/$(basename "$s" .sh)"
	mkdir -p "$T"
	bash "$s" > "$LOG" 2>&1
	rc=$?
	if [ $rc -ne 0 ] && ! grep -q '^FAIL ' "$LOG"; then
		echo "FAIL $(basename "$s"): exited $rc without reporting" >> "$LOG"
	fi
	tally "$(basename "$s")"
done

echo "skipped: $skipped"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
