#!/usr/bin/env bash
# make install PREFIX=... installs a guestcore.pc for that prefix, and a
# program using only the public headers builds and runs against it.
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/../.."
B=$(realpath --relative-to="$PWD" "${GC%/guestcore}")
case "$B" in *asan*) skip "install" "the sanitizer build is not installed"; exit 0 ;; esac
P=$T/prefix
if ! make -s install BUILD="$B" PREFIX="$P" >"$T/install.log" 2>&1; then
	fail "install" "$(tail -3 "$T/install.log")"
	exit 0
fi
grep -q "^prefix=$P\$" "$P/lib/pkgconfig/guestcore.pc" && pass "install: guestcore.pc names the install prefix" ||
	fail "install: guestcore.pc names the install prefix" "$(head -1 "$P/lib/pkgconfig/guestcore.pc")"
flags=$(PKG_CONFIG_PATH=$P/lib/pkgconfig pkg-config --cflags --libs guestcore)
if cc -std=c11 -Wall -Wextra -Werror examples/pfn2mfn.c $flags -Wl,-rpath,"$P/lib" -o "$T/pfn2mfn" 2>"$T/cc.log"; then
	pass "install: the example builds with pkg-config's flags"
	"$GCFIX" --pages 64 -o "$T/pv.core" >/dev/null
	out=$("$T/pfn2mfn" "$T/pv.core" 5 2>&1)
	case "$out" in
	*"xc_core (ELF)"*"pfn 5 -> mfn 0x"*) pass "install: the example runs against the installed library" ;;
	*) fail "install: the example runs against the installed library" "$out" ;;
	esac
else
	fail "install: the example builds with pkg-config's flags" "$(head -5 "$T/cc.log")"
fi
for h in include/guestcore/*.h; do
	[ -f "$P/include/guestcore/$(basename "$h")" ] || fail "install: header $(basename "$h")" "not installed"
done
[ -f "$P/include/guestcore/json.h" ] && fail "install: no CLI-only header" "json.h installed" || pass "install: no CLI-only header"
# the Python package, next to the library in the system python3's layout
if /usr/bin/python3-config --includes >/dev/null 2>&1; then
	site=$(ls -d "$P"/lib/python3*/dist-packages 2>/dev/null | head -1)
	out=$(cd "$T" && PYTHONPATH="$site" /usr/bin/python3 -c \
		'import guestcore, sys; d = guestcore.open(sys.argv[1]); print(d.format, d.pfn_to_mfn(5) > 0, guestcore.__file__)' \
		"$T/pv.core" 2>&1)
	case "$out" in
	"xc_core (ELF) True $site/guestcore/__init__.py") pass "install: the Python package imports from site-packages" ;;
	*) fail "install: the Python package imports from site-packages" "$out" ;;
	esac
	[ -x "$P/bin/guestcore-drgn" ] && pass "install: guestcore-drgn" ||
		fail "install: guestcore-drgn" "not in $P/bin"
else
	skip "install: python" "python3-dev missing: the package is not installed"
fi
