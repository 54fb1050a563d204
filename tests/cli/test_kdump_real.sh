# The real QEMU/KVM-guest Linux dumps from ../shared/dumps: ELF vmcores,
# QEMU's flattened kdump-zlib, makedumpfile -d31 zlib and -d0 lzo.  Every
# page checksum, `rd -p` against crash word for word, CPU count and
# registers against crash's bt, VMCOREINFO keys against libkdumpfile/drgn.
. "$(dirname "$0")/lib.sh"

set_dumps() {
	case $1 in
	qemu-idle-nokaslr) echo "qemu-6.1-idle-2cpu.elf qemu-6.1-idle-2cpu.kdump-zlib qemu-6.1-idle-2cpu.makedumpfile-d31-zlib" ;;
	qemu-panic-kaslr) echo "qemu-6.1-panic-kaslr-2cpu.elf qemu-6.1-panic-kaslr-2cpu.makedumpfile-d0-lzo" ;;
	esac
}

for set in qemu-idle-nokaslr qemu-panic-kaslr; do
	exp="$GC_SHARED_DUMPS/$set/expected"
	for name in $(set_dumps $set); do
		dump="$GC_DUMP_CACHE/$set/$name"
		t="$set/$name"
		if [ -z "$GC_DUMP_CACHE" ] || [ ! -f "$dump" ]; then
			skip "$t" "real dump absent"
			continue
		fi
		case $name in
		*.elf) fmt="ELF vmcore" ;;
		*.kdump-zlib) fmt="kdump-compressed (flattened)" ;;
		*) fmt="kdump-compressed" ;;
		esac
		expect_out "$t-info-format" 0 "format:        $fmt" info "$dump"
		# VMCOREINFO keys vs libkdumpfile's reading
		kf="$exp/$name.kdumpfile.txt"
		osr=$(sed -n 's/^OSRELEASE //p' "$kf")
		same "$t-vmcoreinfo-OSRELEASE" "$(echo "$OUT" | sed -n 's/^ *vmcoreinfo OSRELEASE: //p')" "$osr"
		same "$t-vmcoreinfo-PAGESIZE" "$(echo "$OUT" | sed -n 's/^ *vmcoreinfo PAGESIZE: //p')" "4096"
		ko=$(sed -n 's/^KERNELOFFSET //p' "$kf")
		got=$(echo "$OUT" | sed -n 's/^ *vmcoreinfo KERNELOFFSET: //p')
		same "$t-vmcoreinfo-KERNELOFFSET" "$((16#$got))" "$((16#${ko#0x}))"
		l5=$(sed -n 's/^PGTABLE_L5 //p' "$kf")
		same "$t-vmcoreinfo-pgtable_l5" "$(echo "$OUT" | sed -n 's/^ *vmcoreinfo pgtable_l5: //p')" "$l5"
		# CPU count: libkdumpfile (or crash's bt -a when it has none)
		cpus=$(sed -n 's/^CPUS \([0-9]*\)$/\1/p' "$kf")
		[ -n "$cpus" ] || cpus=$(grep -c '^PID: .*CPU: [0-9]' "$exp/$name.crash.txt")
		same "$t-vcpus" "$(echo "$OUT" | sed -n 's/^vcpus: *//p')" "$cpus"
		# check: clean, and --deep decodes every page
		expect_out "$t-check-clean" 0 "result: clean" check "$dump"
		expect_out "$t-check-deep" 0 "result: clean" check --deep "$dump"
		# pages: sha256 from libkdumpfile
		while read -r addr sha; do
			got=$("$GC" read "$dump" -p "$addr" 4096 | sha256sum | cut -d' ' -f1)
			same "$t-page-$addr" "$got" "$sha"
		done < "$exp/pages.sha256"
		# the same pages through read --list
		cut -d' ' -f1 "$exp/pages.sha256" > "$T/list"
		"$GC" read "$dump" -p --list "$T/list" --length 4096 > "$T/list.bin"
		i=0
		while read -r addr sha; do
			got=$(dd if="$T/list.bin" bs=4096 skip=$i count=1 2>/dev/null | sha256sum | cut -d' ' -f1)
			same "$t-list-page-$addr" "$got" "$sha"
			i=$((i + 1))
		done < "$exp/pages.sha256"
		# rd -p 1000000 64, word for word as crash printed it
		sed -n '/crash> rd -p/,/^### crash>/p' "$exp/$name.crash.txt" |
			sed '1d;$d' | grep -v '^$' > "$T/rd-exp"
		"$GC" rd "$dump" -p 1000000 64 > "$T/rd-got"
		if [ -s "$T/rd-exp" ] && cmp -s "$T/rd-got" "$T/rd-exp"; then
			pass "$t-rd-p-matches-crash"
		else
			fail "$t-rd-p-matches-crash" "$(diff "$T/rd-got" "$T/rd-exp" | head -3)"
		fi
		# registers: each CPU's RIP/RSP as crash's bt -a shows the
		# exception frame (QEMU notes hold the interrupted state)
		run_gc "$t-regs" 0 regs --json "$dump" || continue
		echo "$OUT" > "$T/regs.json"
		sed -n '/crash> bt -a/,/^### crash>/p' "$exp/$name.crash.txt" > "$T/bt"
		ncpu=$(grep -c '^PID: ' "$T/bt")
		for cpu in $(seq 0 $((ncpu - 1))); do
			awk -v c="CPU: $cpu " '/^PID: /{on = index($0, c) > 0} on' "$T/bt" > "$T/bt$cpu"
			got=$(python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))["vcpus"][int(sys.argv[2])]["regs"]; print("%016x %016x" % (int(v["rip"],16), int(v["rsp"],16)))' "$T/regs.json" "$cpu")
			if grep -q 'exception RIP:' "$T/bt$cpu"; then
				# crash took this CPU's state from the dump's notes
				want=$(awk '/^ *RIP: /{print $2, $4; exit}' "$T/bt$cpu")
				same "$t-regs-cpu$cpu-rip-rsp-vs-crash-bt" "$got" "$want"
				continue
			fi
			# crash unwound from saved task state: our rsp must be on
			# the stack whose frames crash lists first for this CPU
			sps=$(sed -n '1,/^---/s/^ *#[0-9]* \[\([0-9a-f]*\)\].*/\1/p' "$T/bt$cpu")
			lo=$(echo "$sps" | head -1); hi=$(echo "$sps" | tail -1); rsp=${got#* }
			if [ -n "$lo" ] && [ $((16#$rsp)) -ge $((16#$lo - 4096)) ] && [ $((16#$rsp)) -le $((16#$hi)) ]; then
				pass "$t-regs-cpu$cpu-rsp-on-crash-bt-stack"
			else
				fail "$t-regs-cpu$cpu-rsp-on-crash-bt-stack" "rsp $rsp not in [$lo - 4096, $hi]"
			fi
		done
	done
done

# The three files of the idle set hold the same memory: whole-range
# equality of every present frame in the first 16 MiB across formats.
d="$GC_DUMP_CACHE/qemu-idle-nokaslr"
if [ -n "$GC_DUMP_CACHE" ] && [ -f "$d/qemu-6.1-idle-2cpu.elf" ]; then
	a=$("$GC" read "$d/qemu-6.1-idle-2cpu.elf" -p 0x100000 0xf00000 | sha256sum)
	b=$("$GC" read "$d/qemu-6.1-idle-2cpu.kdump-zlib" -p 0x100000 0xf00000 | sha256sum)
	same "idle-elf-equals-flattened-kdump-15MiB" "$a" "$b"
	# -d31 excluded pages: reading one is an error naming the exclusion
	run_gc "d31-excluded" 0 info "$d/qemu-6.1-idle-2cpu.makedumpfile-d31-zlib"
	expect_out "d31-dump-level" 0 "dump_level: 31" info "$d/qemu-6.1-idle-2cpu.makedumpfile-d31-zlib"
	# ... and an ELF file made of it: long runs of excluded pages are
	# left out, short ones between stored pages are zero pages, counted
	# and named in the GUESTCORE note (they were all zero pages, and the
	# note said "changed=none"); the kernel text mapping is one PT_LOAD
	# per RAM segment, so that drgn can read swapper_pg_dir
	D31=$d/qemu-6.1-idle-2cpu.makedumpfile-d31-zlib
	expect_out "d31-elf-missing" 0 "missing in source: 13335 left out (no PT_LOAD covers them), 1106 written as zeroes" \
		convert "$D31" -o "$T/d31.elf" --verify
	expect_out "d31-elf-verify" 0 "verify: 18295 pages identical, 0 excluded (zero), 14441 missing in the source, 0 mismatches" \
		convert "$D31" -o "$T/d31.elf" --verify --force
	grep -a -q 'missing_pages_zeroed=1106 ' "$T/d31.elf" && pass d31-elf-note ||
		fail d31-elf-note "no missing_pages_zeroed=1106 in the GUESTCORE note"
	expect_out "d31-elf-check-note" 0 "note     1106 zero pages of this file stand for pages its source (kdump-compressed) had excluded" \
		check "$T/d31.elf"
	run_gc "d31-elf-left-out" 1 rd "$T/d31.elf" -p 0x120000 1 &&
		case "$ERR" in *"pfn 0x120 is not in the dump"*) pass d31-elf-left-out ;;
		*) fail d31-elf-left-out "$ERR" ;; esac
	run_gc "d31-src-excluded" 1 rd "$D31" -p 0x28f1000 1 &&
		case "$ERR" in *"pfn 0x28f1 was excluded"*) pass d31-src-excluded ;;
		*) fail d31-src-excluded "$ERR" ;; esac
	expect_out "d31-elf-zeroed" 0 "28f1000:  0000000000000000" rd "$T/d31.elf" -p 0x28f1000 1
	n=$(python3 - "$T/d31.elf" <<'PY'
import struct, sys
f = open(sys.argv[1], 'rb'); h = f.read(64)
phoff, = struct.unpack_from('<Q', h, 32); phnum, = struct.unpack_from('<H', h, 56)
f.seek(phoff); ph = f.read(56 * phnum)
print(sum(1 for i in range(phnum) if struct.unpack_from('<I', ph, 56 * i)[0] == 1
          and struct.unpack_from('<Q', ph, 56 * i + 16)[0] >= 0xffffffff80000000))
PY
)
	[ "$n" = 7 ] && pass d31-elf-text-pieces || fail d31-elf-text-pieces "$n kernel text PT_LOADs, expected 7"
	rm -f "$T/d31.elf"
fi
