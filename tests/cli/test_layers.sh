#!/usr/bin/env bash
# The library's layering (src/lib/LAYERS) and the exported symbols.
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/../.."
python3 tests/cli/layers.py .
# Only what include/guestcore/ declares leaves the shared library.
so=${GC%/guestcore}/libguestcore.so.0
if [ -f "$so" ]; then
	decl=$(cat include/guestcore/*.h | grep -oE '\bgc_[a-z0-9_]+\b' | sort -u)
	extra=$(nm -D --defined-only "$so" | awk '{print $3}' | grep '^gc_' | sort -u |
		comm -23 - <(echo "$decl"))
	if [ -z "$extra" ]; then
		pass "exports: every dynamic symbol is declared in include/guestcore"
	else
		fail "exports: every dynamic symbol is declared in include/guestcore" \
			"$(echo $extra | wc -w) undeclared: $(echo $extra | head -c 300)"
	fi
	other=$(nm -D --defined-only "$so" | awk '{print $3}' | grep -v '^gc_' | grep -v '^_' | head -5)
	[ -z "$other" ] && pass "exports: nothing but gc_ symbols" || fail "exports: nothing but gc_ symbols" "$other"
else
	skip "exports" "no $so"
fi
# guestcore.h is the umbrella: every public header, and it compiles alone
# in C and C++.
missing=""
for h in include/guestcore/*.h; do
	b=$(basename "$h")
	[ "$b" = guestcore.h ] && continue
	grep -q "#include \"$b\"" include/guestcore/guestcore.h || missing="$missing $b"
done
[ -z "$missing" ] && pass "api: guestcore.h includes every public header" ||
	fail "api: guestcore.h includes every public header" "missing:$missing"
printf '#include <guestcore/guestcore.h>\nint main(void) { return gc_version()[0] == 0; }\n' > "$T/umbrella.c"
if cc -std=c11 -Wall -Wextra -Werror -Iinclude -c "$T/umbrella.c" -o "$T/umbrella.o" 2>"$T/cc.err"; then
	pass "api: guestcore.h compiles alone (C11, -Wall -Wextra -Werror)"
else
	fail "api: guestcore.h compiles alone (C11, -Wall -Wextra -Werror)" "$(head -3 "$T/cc.err")"
fi
if command -v c++ >/dev/null; then
	cp "$T/umbrella.c" "$T/umbrella.cc"
	c++ -Wall -Wextra -Werror -Iinclude -c "$T/umbrella.cc" -o "$T/umbrella2.o" 2>"$T/cxx.err" &&
		pass "api: guestcore.h compiles as C++" || fail "api: guestcore.h compiles as C++" "$(head -3 "$T/cxx.err")"
fi
