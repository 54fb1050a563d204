#!/usr/bin/env bash
# The bounded VMCOREINFO search: found from the kernel image's pointers on
# the real Xen dumps (the same note the every-page scan finds), info and
# check never scan every page, the other commands still do when nothing
# bounds the search.
. "$(dirname "$0")/lib.sh"

# no vCPU page tables, no kernel: info/check say what was not searched;
# log falls back to reading every page and says how many
"$GCFIX" --pages 4096 --cr3-missing -o "$T/nocr3.core" > /dev/null
expect_out "search-info-bounded" 0 "guest memory was not searched page by page" info "$T/nocr3.core"
OUT=$("$GC" log "$T/nocr3.core" 2>&1); RC=$?
[ $RC = 2 ] && [[ "$OUT" == *"not found at the start of any of 4096 pages of guest memory"* ]] &&
	pass "search-log-falls-back" || fail "search-log-falls-back" "exit $RC: $OUT"
OUT=$(GUESTCORE_VMCOREINFO_SCAN=full "$GC" info "$T/nocr3.core" 2>&1)
[[ "$OUT" == *"not found at the start of any of 4096 pages"* ]] &&
	pass "search-env-full" || fail "search-env-full" "$OUT"

C=$GC_DUMP_CACHE
X=$C/xen-pv-idle/xen-pv-idle.core
if [ -z "$C" ] || [ ! -f "$X" ]; then
	skip "search-real" "real dumps absent"
	exit 0
fi
vi() { "$GC" info --json "$1" | python3 -c '
import json,sys
k=json.load(sys.stdin)["kernel"]
print(k["vmcoreinfo"]["source"]); print(k["osrelease"]["value"], k["build_id"]["value"])'; }
for d in xen-pv-idle/xen-pv-idle.core xen-pvh-idle/xen-pvh-idle.core; do
	[ -f "$C/$d" ] || continue
	n=$(basename "$d" .core)
	b=$(vi "$C/$d") f=$(GUESTCORE_VMCOREINFO_SCAN=full vi "$C/$d")
	[[ "$(echo "$b" | head -1)" == *"pointed to from 0xffffffff83fd6930 in the kernel image"* ]] &&
		pass "search-$n-from-image" || fail "search-$n-from-image" "$b"
	[[ "$(echo "$f" | head -1)" == *"of 655"*" scanned)"* ]] &&
		pass "search-$n-full-scan" || fail "search-$n-full-scan" "$f"
	same "search-$n-same-vmcoreinfo" "$(echo "$b" | tail -1)" "$(echo "$f" | tail -1)"
	[ "$(echo "$b" | tail -1)" = "6.1.0-56-amd64 eb4fbcd037e7253717950bf2b93bd5566f47c56f" ] &&
		pass "search-$n-osrelease" || fail "search-$n-osrelease" "$b"
done
