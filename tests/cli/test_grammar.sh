#!/usr/bin/env bash
# One command-line grammar: getopt_long semantics, named unknown options,
# per-command help, --version, and a man page that documents every option
# each command's --help lists.
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/../.."

"$GCFIX" --pages 64 -o "$T/pv.core" >/dev/null
D=$T/pv.core

expect_out "grammar: --version" 0 "guestcore " --version
expect_out "grammar: -V" 0 "guestcore " -V
expect_out "grammar: help CMD" 0 "usage: guestcore check DUMP" help check
expect_out "grammar: CMD --help" 0 "usage: guestcore check DUMP" check --help
expect_out "grammar: CMD -h lists the options" 0 "--deep" check -h
run_gc "grammar: help of an unknown command" 2 help frobnicate && pass "grammar: help of an unknown command"

# unknown options are named, with exit 2
OUT=$("$GC" check "$D" --bogus 2>&1); RC=$?
[ $RC = 2 ] && [[ "$OUT" == *"unknown or ambiguous option '--bogus'"* ]] &&
	pass "grammar: an unknown long option is named" || fail "grammar: an unknown long option is named" "$RC $OUT"
OUT=$("$GC" rd "$D" -z 0 2>&1); RC=$?
[ $RC = 2 ] && [[ "$OUT" == *"unknown option '-z'"* ]] &&
	pass "grammar: an unknown short option is named" || fail "grammar: an unknown short option is named" "$RC $OUT"
OUT=$("$GC" vtop "$D" ffffffff81000000 --cr3 2>&1); RC=$?
[ $RC = 2 ] && [[ "$OUT" == *"needs a value"* ]] &&
	pass "grammar: a missing value is named" || fail "grammar: a missing value is named" "$RC $OUT"

# --opt=value and --opt value, options before or after operands, prefixes
a=$("$GC" read "$D" -p 0 32 --missing=zero | od -An -tx1)
b=$("$GC" read "$D" --missing zero -p 0 32 | od -An -tx1)
c=$("$GC" read --phys "$D" 0 32 --miss=zero | od -An -tx1)
[ -n "$a" ] && [ "$a" = "$b" ] && [ "$a" = "$c" ] && pass "grammar: --opt=value, --opt value and prefixes agree" ||
	fail "grammar: --opt=value, --opt value and prefixes agree" "'$a' '$b' '$c'"
x=$("$GC" check --json "$D"); y=$("$GC" check "$D" --json)
[ "$x" = "$y" ] && pass "grammar: options before and after operands" || fail "grammar: options before and after operands" "differ"

# kernel options are accepted by every command that reads kernel memory
for cmd in info check sym vtop log rd read; do
	"$GC" help $cmd | grep -q -- "--vmcoreinfo FILE" && pass "grammar: $cmd takes the kernel options" ||
		fail "grammar: $cmd takes the kernel options" "not in its help"
done
run_gc "grammar: a missing --vmcoreinfo file is an error" 2 info "$D" --vmcoreinfo "$T/nonexistent" &&
	pass "grammar: a missing --vmcoreinfo file is an error"

# the man page documents every option of every command's --help
man=man/guestcore.1
for cmd in $("$GC" --help | awk '/^commands:/ {on=1; next} on && /^  [a-z]/ {print $1}'); do
	help=$("$GC" help "$cmd" 2>/dev/null) || { fail "man: $cmd" "no help"; continue; }
	mcmd=$(echo "$cmd" | sed 's/-/\\\\-/g')
	missing=""
	for o in $(echo "$help" | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u); do
		case "$o" in --help|--split|--vmcoreinfo|--system-map|--vmlinux|--kallsyms) continue ;; esac
		grep -q -- "$(echo "$o" | sed 's/-/\\\\-/g')" <<<"$(grep -A1000 -E "^\\.BI? \"?$mcmd[ \"]" "$man" | sed -n '1,/^\.S[HS]/p')" || missing="$missing $o"
	done
	[ -z "$missing" ] && pass "man: every option of $cmd is documented" || fail "man: every option of $cmd is documented" "missing:$missing"
done
for o in --vmcoreinfo --system-map --vmlinux --kallsyms --split GUESTCORE_KALLSYMS; do
	grep -q -- "$(echo "$o" | sed 's/-/\\\\-/g')" "$man" && pass "man: $o" || fail "man: $o" "not documented"
done
for s in "EXIT STATUS" ENVIRONMENT EXAMPLES; do
	grep -q "^\.SH $s" "$man" && pass "man: section $s" || fail "man: section $s" "missing"
done

# --json: one top-level object whose first key is the schema
schema_of() { python3 -c 'import json,sys; o=json.load(sys.stdin); print(type(o).__name__, list(o)[0] if isinstance(o, dict) else "", o.get("schema") if isinstance(o, dict) else "")'; }
for args in "info $D" "check $D" "regs $D" "p2m $D 5" "rd $D -p 0 2"; do
	cmd=${args%% *}
	got=$("$GC" $args --json 2>/dev/null | schema_of 2>&1)
	[ "$got" = "dict schema guestcore.$cmd/1" ] && pass "json: $cmd has schema guestcore.$cmd/1 first" ||
		fail "json: $cmd has schema guestcore.$cmd/1 first" "$got"
done
