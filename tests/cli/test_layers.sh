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
