# guestcore convert: real Xen PV/PVH dumps to ELF and kdump (every codec),
# verified page by page (--verify) and by an independent reader
# (tests/cli/vmcore_tool.py: its own ELF parser, libkdumpfile for kdump);
# round trips ELF -> kdump -> ELF; the PV output's page tables walked with
# a plain 4-level walk; notes and VMCOREINFO of the QEMU dumps kept;
# atomic output, --force, progress only on a terminal.
. "$(dirname "$0")/lib.sh"
TOOL="$(cd "$(dirname "$0")" && pwd)/vmcore_tool.py"
PY=/usr/bin/python3
have_kdf=0
if $PY -c 'import kdumpfile' 2>/dev/null; then have_kdf=1; fi
[ $have_kdf = 1 ] || skip "convert-libkdumpfile" "python3-libkdumpfile (import kdumpfile) is absent: kdump outputs are checked with --verify only"

jget() { # JSON-KEY-PATH (python expression on d) from $OUT
	echo "$OUT" | $PY -c "import json,sys; d=json.load(sys.stdin); print($1)"
}
allsha() { $PY "$TOOL" allsha "$1" 2>&1; }

# ---- options and output handling (no real dump needed) -----------------
expect_rc "convert-usage" 2 convert
run_gc "convert-compress-needs-kdump" 2 convert x -o "$T/y" --compress zstd &&
	case "$ERR" in *"--compress needs --format kdump"*) pass "convert-compress-needs-kdump" ;;
	*) fail "convert-compress-needs-kdump" "$ERR" ;; esac
# --exclude zero is valid for ELF too since issue #13 (p_memsz tails, as
# makedumpfile -E -d 1): the error is the missing input, not the format
run_gc "convert-exclude-zero-elf-accepted" 2 convert x -o "$T/y" --exclude zero &&
	case "$ERR" in *"needs --format kdump"*) fail "convert-exclude-zero-elf-accepted" "$ERR" ;;
	*) pass "convert-exclude-zero-elf-accepted" ;; esac
expect_rc "convert-bad-codec" 2 convert x -o "$T/y" --format kdump --compress lz4

# ---- a hostile VMCOREINFO: KERNEL_IMAGE_SIZE 2^62 sized the ELF output's
# program header table for 2^42 text segments ("File too large" at
# 224 TiB); a size past x86_64's 1 GiB is not taken, and the table holds
# no more text segments than RAM segments
mkimg() { # OUT KERNEL_IMAGE_SIZE: one page at 16 MiB, VMCOREINFO only
	python3 - "$1" "$2" <<'PYEOF'
import struct, sys
vi = ("OSRELEASE=6.1.0\nPAGESIZE=4096\nNUMBER(phys_base)=0\n"
      "SYMBOL(_stext)=ffffffff81000000\nNUMBER(KERNEL_IMAGE_SIZE)=%s\n"
      % sys.argv[2]).encode()
name = b"VMCOREINFO\0"
pad = lambda b: b + b"\0" * (-len(b) % 4)
note = struct.pack("<III", len(name), len(vi), 0) + pad(name) + pad(vi)
eh = bytearray(64)
eh[0:7] = b"\x7fELF\x02\x01\x01"
struct.pack_into("<HHIQQQIHHHHHH", eh, 16, 4, 62, 1, 0, 64, 0, 0, 64, 56, 2, 0, 0, 0)
ph = struct.pack("<IIQQQQQQ", 4, 0, 64 + 112, 0, 0, len(note), len(note), 0)
ph += struct.pack("<IIQQQQQQ", 1, 7, 4096, 0xffff888001000000, 0x1000000, 4096, 4096, 0)
f = bytes(eh) + ph + note
f += b"\0" * (4096 - len(f)) + bytes((i * 7) & 0xff for i in range(4096))
open(sys.argv[1], "wb").write(f)
PYEOF
}
for sz in 4611686018427387904 1073741824; do
	mkimg "$T/kis.elf" $sz
	rm -f "$T/kis.out.elf"
	run_gc "convert-kernel-image-size-$sz" 0 convert --no-kernel --verify -o "$T/kis.out.elf" "$T/kis.elf" &&
	same "convert-kernel-image-size-$sz" "$(stat -c %s "$T/kis.out.elf") $(readelf -lW "$T/kis.out.elf" | grep -c LOAD)" "8192 2"
done

# ---- interrupted: SIGINT while writing leaves neither OUT nor a temp file -
# A 4 GiB (sparse) guest: the signal is sent as soon as the temporary file
# appears, long before the copy can end.
"$GCFIX" --pages 1048576 --fast-pages -o "$T/big.core" >/dev/null
mkdir -p "$T/intr"
"$GC" convert "$T/big.core" -o "$T/intr/out.elf" 2>"$T/intr.err" &
cpid=$!
for _ in $(seq 1 500); do
	ls -a "$T/intr" | grep -q gctmp && break
	sleep 0.01
done
kill -INT $cpid 2>/dev/null
wait $cpid; crc=$?
same "convert-sigint-exit-130" "$crc" "130"
case "$(cat "$T/intr.err")" in *"interrupted at pfn 0x"*"partial output was removed"*)
	pass "convert-sigint-message" ;;
*) fail "convert-sigint-message" "$(cat "$T/intr.err")" ;; esac
same "convert-sigint-nothing-left" "$(ls -A "$T/intr")" ""
rm -f "$T/big.core"

for kind in pv pvh; do
	core="$GC_DUMP_CACHE/xen-$kind-idle/xen-$kind-idle.core"
	exp="$GC_SHARED_DUMPS/xen-$kind-idle/expected"
	if [ -z "$GC_DUMP_CACHE" ] || [ ! -f "$core" ]; then
		skip "convert-xen-$kind" "real dump absent"
		continue
	fi
	D="$T/$kind"; mkdir -p "$D"
	# ---- to ELF, verified --------------------------------------------
	run_gc "convert-$kind-elf" 0 convert "$core" -o "$D/a.elf" --verify --json || continue
	total=$(jget 'd["pages_total"]')
	same "convert-$kind-elf-verify-all-pages" \
		"$(jget '(d["verify"]["compared"], d["verify"]["mismatches"], d["verify"]["missing"])')" \
		"($total, 0, 0)"
	[ "$ERR" = "" ] && pass "convert-$kind-stderr-silent-without-tty" ||
		fail "convert-$kind-stderr-silent-without-tty" "stderr: $ERR"
	ls -a "$D" | grep -q gctmp && fail "convert-$kind-no-temp-left" "$(ls -a "$D")" ||
		pass "convert-$kind-no-temp-left"
	# pages by pfn against libkdumpfile's checksums of the input
	got=$($PY "$TOOL" pagesha "$D/a.elf" $(cut -d' ' -f1 "$exp/pages.sha256"))
	same "convert-$kind-elf-pages-match-libkdumpfile-sha" "$got" "$(cat "$exp/pages.sha256")"
	E0=$(allsha "$D/a.elf")
	case "$E0" in "$total "*) pass "convert-$kind-elf-readable-by-independent-parser" ;;
	*) fail "convert-$kind-elf-readable-by-independent-parser" "$E0" ;; esac
	if [ $kind = pv ]; then
		same "convert-pv-is-pv" "$(jget 'd["xen_pv"]')" "True"
		[ "$(jget 'd["pt_pages"]')" -gt 100 ] && pass "convert-pv-rewrote-page-tables" ||
			fail "convert-pv-rewrote-page-tables" "$(jget 'd["pt_pages"]') pages"
		# crash treats a non-NULL xen_start_info as "Xen PV, entries are mfns"
		case "$(jget 'd["patched"]')" in *"xen_start_info"*"set to NULL, was 0xffff888004a00000"*)
			pass "convert-pv-xen_start_info-cleared" ;;
		*) fail "convert-pv-xen_start_info-cleared" "$(jget 'd["patched"]')" ;; esac
		strings "$D/a.elf" | grep -q '^changed=8 bytes at physical 0x33190c0: xen_start_info' &&
			pass "convert-pv-provenance-records-patch" ||
			fail "convert-pv-provenance-records-patch" "$(strings "$D/a.elf" | grep -m3 '^changed=')"
		strings "$D/a.elf" | grep -q '^changed=page-table entries rewritten mfn->pfn in [0-9]* pages' &&
			pass "convert-pv-provenance-records-rewrite" ||
			fail "convert-pv-provenance-records-rewrite" "$(strings "$D/a.elf" | grep -m3 '^changed=')"
		same "convert-pv-xen_start_info-zero-in-output" \
			"$($PY "$TOOL" walk "$D/a.elf" 2a10000 ffffffff833190c0 8)" "0000000000000000"
	fi

	# ---- to kdump, every codec, direct and as ELF -> kdump -> ELF ------
	for c in zstd zlib lzo snappy none; do
		ex=(); [ $c = zstd ] || [ $c = lzo ] && ex=(--exclude zero)
		run_gc "convert-$kind-kdump-$c" 0 convert "$core" -o "$D/k.$c" --format kdump \
			--compress $c "${ex[@]}" --verify --json || continue
		same "convert-$kind-kdump-$c-verify" \
			"$(jget '(d["verify"]["compared"] + d["verify"]["excluded"], d["verify"]["mismatches"])')" \
			"($total, 0)"
		if [ ${#ex[@]} = 2 ]; then
			[ "$(jget 'd["pages_excluded"]')" -gt 1000 ] && pass "convert-$kind-kdump-$c-excluded-zero" ||
				fail "convert-$kind-kdump-$c-excluded-zero" "$(jget 'd["pages_excluded"]')"
		fi
		if [ $have_kdf = 1 ]; then
			got=$($PY "$TOOL" pagesha "$D/k.$c" $(cut -d' ' -f1 "$exp/pages.sha256"))
			same "convert-$kind-kdump-$c-libkdumpfile-pages" "$got" "$(cat "$exp/pages.sha256")"
		fi
		# round trip from the ELF (every codec on PVH; PV: zstd, lzo)
		[ $kind = pv ] && [ $c != zstd ] && [ $c != lzo ] && { rm -f "$D/k.$c"; continue; }
		run_gc "convert-$kind-rt-$c-1" 0 convert "$D/a.elf" -o "$D/r.$c" --format kdump \
			--compress $c "${ex[@]}" --verify || continue
		run_gc "convert-$kind-rt-$c-2" 0 convert "$D/r.$c" -o "$D/r.$c.elf" --verify || continue
		same "convert-$kind-elf-kdump-$c-elf-identical-pages" "$(allsha "$D/r.$c.elf")" "$E0"
		rm -f "$D/k.$c" "$D/r.$c" "$D/r.$c.elf"
	done

	# ---- PV: the output's page tables work without Xen knowledge -------
	if [ $kind = pv ]; then
		run_gc "convert-pv-kdump-for-walk" 0 convert "$core" -o "$D/w.kdump" --format kdump
		for sym in linux_banner init_task; do
			va=$(sed -n "s/^\([0-9a-f]*\) (D) $sym\$/\1/p" "$exp/xen-pv-idle.crash.txt" | head -1)
			pa=$(grep -A2 "crash> vtop $va" "$exp/xen-pv-idle.crash.txt" | sed -n "s/^$va  *\([0-9a-f]*\).*/\1/p")
			if [ -z "$va" ] || [ -z "$pa" ]; then
				fail "convert-pv-walk-$sym" "symbol/vtop not found in crash output"; continue
			fi
			# init_top_pgt's pfn = its symbol - __START_KERNEL_map
			# (PV kernels are not relocated); crash shows it as the
			# PGD DIRECTORY of its vtop
			pgd_va=$(grep -A8 "crash> vtop $va" "$exp/xen-pv-idle.crash.txt" | sed -n 's/^PGD DIRECTORY: \([0-9a-f]*\).*/\1/p')
			pgd=$(printf '%x' $((0x$pgd_va - 0xffffffff80000000)))
			want=$("$GC" read "$core" -p "$pa" 64 | od -An -v -tx1 | tr -d ' \n')
			for out in "$D/a.elf" "$D/w.kdump"; do
				case $out in *.kdump) [ $have_kdf = 1 ] || continue ;; esac
				got=$($PY "$TOOL" walk "$out" "$pgd" "$va" 64)
				same "convert-pv-plain-walk-$sym-$(basename "$out")" "$got" "$want"
			done
		done
		banner=$($PY "$TOOL" walk "$D/a.elf" 2a10000 ffffffff82161900 28 | xxd -r -p)
		same "convert-pv-plain-walk-banner-text" "$banner" "Linux version 6.1.0-56-amd64"
		rm -f "$D/w.kdump"
	fi

	# ---- atomic output and --force ------------------------------------
	before=$(stat -c %s "$D/a.elf")
	run_gc "convert-$kind-refuses-overwrite" 2 convert "$core" -o "$D/a.elf" &&
		same "convert-$kind-refuses-overwrite-message" "$ERR" \
			"guestcore: $D/a.elf: output: exists (use --force to overwrite)"
	same "convert-$kind-refused-output-intact" "$(stat -c %s "$D/a.elf")" "$before"
	expect_rc "convert-$kind-force" 0 convert "$core" -o "$D/a.elf" --force
	run_gc "convert-$kind-missing-dir" 2 convert "$core" -o "$D/nodir/x.elf" &&
		case "$ERR" in *"cannot create a temporary file"*) pass "convert-$kind-missing-dir-message" ;;
		*) fail "convert-$kind-missing-dir-message" "$ERR" ;; esac
	ls -a "$D" | grep -q gctmp && fail "convert-$kind-no-temp-after-errors" "$(ls -a "$D")" ||
		pass "convert-$kind-no-temp-after-errors"
	# progress bar on a terminal (script(1) gives a pty)
	if [ $kind = pvh ] && command -v script >/dev/null; then
		script -qec "$GC convert $core -o $D/tty.elf" /dev/null > "$D/tty.out" 2>&1
		grep -q "ETA" "$D/tty.out" && pass "convert-progress-on-tty" ||
			fail "convert-progress-on-tty" "$(head -c 300 "$D/tty.out")"
	fi
	rm -rf "$D"
done

# ---- QEMU dumps: notes, registers and VMCOREINFO preserved ------------
for f in qemu-idle-nokaslr/qemu-6.1-idle-2cpu.elf qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.elf \
	 qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.makedumpfile-d0-lzo; do
	in="$GC_DUMP_CACHE/$f"
	name=$(basename "$f")
	if [ -z "$GC_DUMP_CACHE" ] || [ ! -f "$in" ]; then
		skip "convert-$name" "real dump absent"; continue
	fi
	run_gc "convert-$name-info-in" 0 info "$in" || continue
	if [ "${in##*.}" != elf ]; then
		vin=$(echo "$OUT" | grep -c 'vmcoreinfo')
	fi
	for fmt in elf kdump; do
		out="$T/$name.$fmt"
		run_gc "convert-$name-$fmt" 0 convert "$in" -o "$out" --format $fmt --verify --json || continue
		same "convert-$name-$fmt-verify" "$(jget '(d["verify"]["mismatches"], d["verify"]["compared"] == d["pages_total"])')" "(0, True)"
		same "convert-$name-$fmt-vmcoreinfo-kept" "$(jget 'd["vmcoreinfo"]')" "True"
		# registers (rip, rsp, cr3 of every vCPU) read back the same
		r_in=$("$GC" regs --json "$in" | $PY -c 'import json,sys; print([(v["regs"].get("rip"), v["regs"].get("rsp"), v["regs"].get("cr3")) for v in json.load(sys.stdin)["vcpus"]])')
		r_out=$("$GC" regs --json "$out" | $PY -c 'import json,sys; print([(v["regs"].get("rip"), v["regs"].get("rsp"), v["regs"].get("cr3")) for v in json.load(sys.stdin)["vcpus"]])')
		same "convert-$name-$fmt-registers" "$r_out" "$r_in"
		run_gc "convert-$name-$fmt-info" 0 info "$out" &&
		case "$OUT" in *"2 NT_PRSTATUS, 2 QEMU CPU state, 1 VMCOREINFO"*) pass "convert-$name-$fmt-notes" ;;
		*) fail "convert-$name-$fmt-notes" "$(echo "$OUT" | grep 'notes:')" ;; esac
		if [ $have_kdf = 1 ] || [ $fmt = elf ]; then
			vi_in=$($PY "$TOOL" vmcoreinfo "$in" | md5sum)
			vi_out=$($PY "$TOOL" vmcoreinfo "$out" | md5sum)
			same "convert-$name-$fmt-vmcoreinfo-identical" "$vi_out" "$vi_in"
		fi
		# the provenance note says where the dump came from
		case "$(strings "$out" | grep -m1 '^source_format=')" in
		source_format=*) pass "convert-$name-$fmt-provenance-note" ;;
		*) fail "convert-$name-$fmt-provenance-note" "no GUESTCORE note text" ;; esac
		rm -f "$out"
	done
done
