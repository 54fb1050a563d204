# Shared helpers for the command-line tests (sourced by tests/cli/*.sh).
# Each check prints "PASS name" or "FAIL name: why"; tests/run.sh counts them.
# Environment from tests/run.sh: GC (the guestcore binary), GCFIX (the
# fixture writer), T (a scratch dir for this script), GC_DUMP_CACHE (real
# dumps decompressed from ../shared/dumps, may be empty).

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
skip() { echo "SKIP $1: $2"; }

# run_gc NAME EXPECTED_RC ARGS... : runs $GC ARGS, captures $OUT / $ERR.
run_gc() {
	local name=$1 want=$2
	shift 2
	OUT=$("$GC" "$@" 2>"$T/stderr"); RC=$?
	ERR=$(cat "$T/stderr")
	if [ "$RC" != "$want" ]; then
		fail "$name" "exit $RC, expected $want (stderr: $ERR)"
		return 1
	fi
	return 0
}

# expect_rc NAME EXPECTED_RC ARGS...
expect_rc() {
	local name=$1
	run_gc "$@" && pass "$name"
}

# expect_out NAME EXPECTED_RC SUBSTRING ARGS... : stdout contains SUBSTRING
expect_out() {
	local name=$1 want=$2 sub=$3
	shift 3
	run_gc "$name" "$want" "$@" || return
	case "$OUT" in
	*"$sub"*) pass "$name" ;;
	*) fail "$name" "stdout lacks '$sub': $(echo "$OUT" | head -5)" ;;
	esac
}

# expect_err NAME EXPECTED_RC EXACT_STDERR ARGS... : one exact stderr line
expect_err() {
	local name=$1 want=$2 line=$3
	shift 3
	run_gc "$name" "$want" "$@" || return
	if [ "$ERR" = "$line" ]; then
		pass "$name"
	else
		fail "$name" "stderr was '$ERR', expected '$line'"
	fi
}

# same NAME A B : strings equal
same() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "'$2' != '$3'"; fi
}
