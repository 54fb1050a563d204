#!/usr/bin/env bash
# make demo: write a realistic sample Xen PV dump with gcfixture and show
# the main commands on it, each command line printed before its output;
# then the crash-utility "cannot find mfn ... in page index" seed case and
# what `guestcore check` says about it.  Usage: tests/demo.sh BUILD_DIR
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-build}
GC="$BUILD/guestcore"
FX="$BUILD/gcfixture"
DIR="$BUILD/demo"
for b in "$GC" "$FX"; do
	[ -x "$b" ] || { echo "demo: $b is not built (run make BUILD=$BUILD)" >&2; exit 2; }
done
mkdir -p "$DIR"

show() {
	echo
	echo "\$ guestcore $*"
	"$GC" "$@" 2>&1
	local rc=$?
	[ $rc = 0 ] || echo "(exit status $rc)"
	return 0
}

echo "== writing $DIR/sample.core: a PV domU of 32768 pages (128 MiB), two"
echo "   pfn ranges with a hole, fragmented machine frames, 2 vCPUs"
"$FX" -o "$DIR/sample.core" --pfns 0-16383,20480-36863 --mfns fragmented \
	--seed 42 --vcpus 2 --content text --reg 1:rip=0xffffffff81c0a2b4 ||
	exit 2
pfn=1234
mfn=$("$GC" p2m "$DIR/sample.core" "$pfn" | sed -n 's/.*-> mfn 0x//p')

show info "$DIR/sample.core"
show check "$DIR/sample.core"
show regs "$DIR/sample.core"
show rd "$DIR/sample.core" -p "${pfn}000" 8
show p2m "$DIR/sample.core" "$pfn"
show rd "$DIR/sample.core" -m "${mfn}000" 8
echo
echo "== a pfn in the hole between the two ranges: an error naming the address"
show rd "$DIR/sample.core" -p 4000000 2

echo
echo "== the seed case ($DIR/seed-case.core, tests/fixtures/seed-case.desc):"
echo "   crash said \"cannot find mfn 874307 (0xd5743) in page index\" and"
echo "   \"cannot read/find cr3 page\" for this domU; check explains why"
"$FX" --desc tests/fixtures/seed-case.desc -o "$DIR/seed-case.core" || exit 2
show check --quiet "$DIR/seed-case.core"
show rd "$DIR/seed-case.core" -p 200000 2
echo
echo "demo files are in $DIR"
exit 0
