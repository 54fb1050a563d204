#!/usr/bin/env bash
# Run one tests/python/test_*.py with the build tree's package
# ($BUILD/python) and Debian's /usr/bin/python3 (the one python3-dev and
# python3-drgn are for).  Prints SKIP instead when that cannot work.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
PY=${GC_PYTHON:-/usr/bin/python3}
name=$(basename "$1" .py)
if [ ! -x "$PY" ]; then
	echo "SKIP $name: $PY not found"; exit 0
fi
case "$BUILD" in *asan*)
	echo "SKIP $name: the extension is built for the normal build only (an ASan library would need libasan preloaded into python3)"
	exit 0 ;;
esac
if ! ls "$BUILD"/python/guestcore/_guestcore*.so >/dev/null 2>&1; then
	if ! "$PY"-config --includes >/dev/null 2>&1; then
		echo "SKIP $name: python3-dev is missing (apt-get install python3-dev)"
	else
		echo "FAIL $name: $BUILD/python is not built (make python)"
	fi
	exit 0
fi
export PYTHONPATH="$PWD/$BUILD/python" PYTHONDONTWRITEBYTECODE=1
exec "$PY" "$1"
