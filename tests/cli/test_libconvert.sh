# A library-only caller (tests/fixtures/libconvert.c: gc_dump_open,
# gc_kernel_open, gc_kernel_writer_hints, gc_convert) writes the same
# bytes as `guestcore convert`: on generated Xen PV guests (linear p2m,
# p2m tree, legacy xc_core) and on the real xen-pv-idle dump (where the
# xen_start_info patch applies), to ELF and kdump.
. "$(dirname "$0")/lib.sh"

LC="$(dirname "$GC")/libconvert"
MK="$(dirname "$GC")/mkxenguest"
if [ ! -x "$LC" ] || [ ! -x "$MK" ]; then
	skip "libconvert" "libconvert or mkxenguest not built"
	exit 0
fi

# both NAME IN ARGS... : convert IN with the CLI and with libconvert, cmp
both() {
	local name=$1 in=$2
	shift 2
	rm -f "$T/cli.out" "$T/lib.out"
	if ! "$GC" convert "$in" -o "$T/cli.out" "$@" > "$T/cli.txt" 2> "$T/err"; then
		fail "$name" "guestcore convert: $(cat "$T/err")"
		return 1
	fi
	if ! "$LC" "$in" "$T/lib.out" "$@" > "$T/lib.txt" 2> "$T/err"; then
		fail "$name" "libconvert: $(cat "$T/err")"
		return 1
	fi
	if cmp -s "$T/cli.out" "$T/lib.out"; then
		pass "$name"
	else
		fail "$name" "outputs differ: $(cmp "$T/cli.out" "$T/lib.out" 2>&1 | head -1)"
	fi
	# The same kernel facts were used (the line libconvert prints is the
	# bridge's; the CLI prints it after "kernel facts used:").  Not for
	# legacy PV: the CLI opens the kernel view twice there (cli_open
	# rebuilds the p2m first), so its VMCOREINFO search names a pfn where
	# a single open names the machine address of the same page.
	case "$name" in *-leg-*) return 0 ;; esac
	local a b
	a=$(sed -n 's/^  kernel facts used: //p' "$T/cli.txt")
	b=$(sed -n 's/^kernel facts used: //p' "$T/lib.txt")
	same "$name-facts" "$b" "$a"
}

for g in "pv --pv" "pvtree --pv --p2m tree --seed 5" "leg --pv --legacy"; do
	set -- $g
	name=$1; shift
	if ! "$MK" "$@" -o "$T/$name.core" 2> "$T/mkerr"; then
		fail "gen-$name" "mkxenguest $*: $(cat "$T/mkerr")"
		continue
	fi
	both "libconvert-$name-elf" "$T/$name.core"
	both "libconvert-$name-kdump" "$T/$name.core" --format kdump --compress zlib
done
# The facts line must name the top-level table (the Xen PV rewrite root).
case "$(cat "$T/lib.txt")" in *"top-level table pfn 0x"*)
	pass "libconvert-facts-name-root" ;;
*) fail "libconvert-facts-name-root" "$(cat "$T/lib.txt")" ;; esac

core="$GC_DUMP_CACHE/xen-pv-idle/xen-pv-idle.core"
if [ -z "$GC_DUMP_CACHE" ] || [ ! -f "$core" ]; then
	skip "libconvert-real-pv" "real dump absent"
else
	both "libconvert-real-pv-elf" "$core"
	both "libconvert-real-pv-kdump" "$core" --format kdump
	case "$(cat "$T/lib.txt")" in *"VMCOREINFO (found in guest memory"*"phys_base 0x0"*)
		pass "libconvert-real-pv-facts" ;;
	*) fail "libconvert-real-pv-facts" "$(cat "$T/lib.txt")" ;; esac
	# The xen_start_info patch is in both outputs (GUESTCORE note).
	n=$(grep -c "xen_start_info" "$T/lib.out" 2>/dev/null)
	[ "${n:-0}" -ge 1 ] && pass "libconvert-real-pv-patched" ||
		fail "libconvert-real-pv-patched" "no xen_start_info record in the output"
	rm -f "$T/cli.out" "$T/lib.out"
fi
