#!/usr/bin/env bash
# make check: the normal build's tests, the ASan+UBSan build's tests and
# the fuzz smoke runs, with one closing line "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
total_p=0 total_f=0
run_part() {
	local label=$1; shift
	echo "=== $label"
	"$@" 2>&1 | tee /tmp/gc-check-part.$$
	local line p f
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' /tmp/gc-check-part.$$ | tail -1)
	if [ -z "$line" ]; then
		echo "FAIL $label: produced no result line"
		total_f=$((total_f + 1))
	else
		p=${line%% passed*}; f=${line#*, }; f=${f%% failed*}
		total_p=$((total_p + p)); total_f=$((total_f + f))
	fi
	rm -f /tmp/gc-check-part.$$
}
# The sanitizer build compiles while the normal build's tests run.
asan_pid=
if [ "${GC_SKIP_ASAN:-0}" != 1 ]; then
	make -s asan >/tmp/gc-check-asan.$$ 2>&1 &
	asan_pid=$!
fi
# and the fuzz targets too (smoke.sh finds them built; it builds what is
# missing itself, so a failure here only costs the head start)
fuzz_pid=
if [ "${GC_SKIP_FUZZ:-0}" != 1 ] && command -v clang >/dev/null; then
	nice make -s -k -f tests/fuzz/fuzz.mk -j2 >/dev/null 2>&1 &
	fuzz_pid=$!
fi
run_part "tests (build)" env BUILD=build tests/run.sh
if [ -n "$asan_pid" ]; then
	if ! wait "$asan_pid"; then
		cat /tmp/gc-check-asan.$$
		make asan
	fi
	rm -f /tmp/gc-check-asan.$$
	run_part "tests (ASan+UBSan)" env BUILD=build-asan GC_ASAN_PASS=1 \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 tests/run.sh
fi
[ -n "$fuzz_pid" ] && wait "$fuzz_pid"
if [ "${GC_SKIP_FUZZ:-0}" != 1 ] && [ -x tests/fuzz/smoke.sh ]; then
	run_part "fuzz smoke" env FUZZ_SECONDS=${FUZZ_SECONDS:-2} tests/fuzz/smoke.sh
fi
echo "$total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
