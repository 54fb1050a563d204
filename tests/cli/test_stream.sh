# Containers (io/stream.h): a flattened file (makedumpfile -F records) is
# read like its plain original whatever the format inside: ELF vmcore
# (mkvmcore --flat, and makedumpfile -F -E of a real guest when both are
# here), xc_core and kdump (mkvmcore flatten of any file).  Each flattened
# dump must read, check and convert page for page like the plain one.
. "$(dirname "$0")/lib.sh"
MK="$(dirname "$GC")/mkvmcore"
[ -x "$MK" ] || { fail "mkvmcore" "$MK not built"; exit 0; }
cd "$T" || exit 1
sha() { "$GC" read "$@" 2> /dev/null | sha256sum; }

# ELF vmcore written flattened by the fixture writer (records of 1000
# bytes, pages straddle them, a junk record overwritten later, the header
# record last)
"$MK" elf e.elf --pages 0-63,100-130
"$MK" elf ef.elf --pages 0-63,100-130 --flat
expect_out "flat-elf-format" 0 "format:        ELF vmcore" info ef.elf
expect_out "flat-elf-container" 0 "container:     flattened" info ef.elf
expect_out "flat-elf-field" 0 "flattened: " info ef.elf
expect_out "flat-elf-json" 0 '"container": "flattened"' info --json ef.elf
same "flat-elf-reads" "$(sha ef.elf -p 0 0x83000 --missing=zero)" \
	"$(sha e.elf -p 0 0x83000 --missing=zero)"
same "flat-elf-rd-straddle" "$("$GC" rd ef.elf -p 0x3ff8 4)" "$("$GC" rd e.elf -p 0x3ff8 4)"
expect_out "flat-elf-deep" 0 "all 95 pages read back" check --deep ef.elf
expect_out "flat-elf-overlap-note" 0 "flattened records overwrite earlier ones (later records win)" check ef.elf
expect_err "flat-elf-absent" 2 \
	"guestcore: ef.elf: read at physical address 0x40000: pfn 0x40 is not in the dump" \
	read ef.elf -p 0x40000 8
"$GC" convert e.elf -o e.conv > /dev/null
"$GC" convert ef.elf -o ef.conv > /dev/null
if cmp -s e.conv ef.conv; then pass "flat-elf-converts-like-plain"; else fail "flat-elf-converts-like-plain" "outputs differ"; fi
"$GC" convert ef.elf -o ef.kd --format kdump --compress zstd > /dev/null
"$GC" convert e.elf -o e.kd --format kdump --compress zstd > /dev/null
same "flat-elf-to-kdump" "$(sha ef.kd -p 0 0x83000 --missing=zero)" "$(sha e.kd -p 0 0x83000 --missing=zero)"
expect_out "plain-container-not-shown" 0 '"container": "plain"' info --json e.elf

# xc_core and kdump flattened by mkvmcore flatten (any file)
"$GCFIX" --pages 300 -o x.core > /dev/null
"$MK" flatten x.core xf.core
expect_out "flat-xc-format" 0 "format:        xc_core (ELF)" info xf.core
expect_out "flat-xc-container" 0 "container:     flattened" info xf.core
same "flat-xc-reads-pfn" "$(sha xf.core -p 0 0x12c000)" "$(sha x.core -p 0 0x12c000)"
same "flat-xc-p2m" "$("$GC" p2m xf.core 2>&1 | sha256sum)" "$("$GC" p2m x.core 2>&1 | sha256sum)"
expect_out "flat-xc-deep" 0 "result: clean" check --deep xf.core
"$GC" convert x.core -o x.conv > /dev/null
"$GC" convert xf.core -o xf.conv > /dev/null
if cmp -s x.conv xf.conv; then pass "flat-xc-converts-like-plain"; else fail "flat-xc-converts-like-plain" "outputs differ"; fi
"$MK" kdump k.kd --codec lzo
"$MK" flatten k.kd kf.kd
expect_out "flat-kdump-format" 0 "format:        kdump-compressed (flattened)" info kf.kd
same "flat-kdump-reads" "$(sha kf.kd -p 0 0x40000)" "$(sha k.kd -p 0 0x40000)"

# a flattened file whose logical start no record holds
printf 'makedumpfile\0\0\0\0\0\0\0\0\0\0\0\1\0\0\0\0\0\0\0\1' > hole.flat
head -c 4096 /dev/zero | tail -c +33 >> hole.flat
printf '\0\0\0\0\0\0\x10\0\0\0\0\0\0\0\0\x08abcdefgh' >> hole.flat
printf '\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff' >> hole.flat
expect_err "flat-hole-at-start" 2 \
	"guestcore: hole.flat: disk_dump_header at offset 0x0: no flattened record holds logical offset 0x0 (hole.flat)" \
	info hole.flat

# makedumpfile -F -E of a real guest (converted first to the /proc/vmcore
# layout makedumpfile reads): page for page like the plain ELF
SRC=${GC_DUMP_CACHE:-}/qemu-idle-nokaslr/qemu-6.1-idle-2cpu.elf
if [ -f "$SRC" ] && command -v makedumpfile > /dev/null; then
	"$GC" convert "$SRC" -o real.elf > /dev/null
	if makedumpfile -F -E -d 0 real.elf > realf.elf 2> md.log; then
		expect_out "real-flat-elf-container" 0 "container:     flattened" info realf.elf
		same "real-flat-elf-reads" "$(sha realf.elf -p 0 0x100000000 --missing=zero)" \
			"$(sha real.elf -p 0 0x100000000 --missing=zero)"
		expect_out "real-flat-elf-deep" 0 "all 36896 pages read back" check --deep realf.elf
		"$GC" convert realf.elf -o realf.conv > /dev/null
		if cmp -s real.elf realf.conv; then pass "real-flat-elf-converts-like-plain"; else fail "real-flat-elf-converts-like-plain" "outputs differ"; fi
		# cut before its end marker (makedumpfile writes the headers
		# first): still opens, check says what is missing
		head -c 100000000 realf.elf > realf-cut.elf
		expect_out "real-flat-elf-cut-field" 0 "(no end marker)" info realf-cut.elf
		expect_out "real-flat-elf-cut-finding" 1 "runs past the end of the stream" check realf-cut.elf
		rm -f realf-cut.elf
	else
		fail "real-flat-elf" "makedumpfile -F -E failed: $(tail -1 md.log)"
	fi
	rm -f real.elf realf.elf realf.conv
else
	skip "real-flat-elf" "real ELF dump or makedumpfile absent"
fi

# The program header table is read a chunk (1 MiB) at a time, never whole:
# (a) a flattened file whose records claim 1 TiB and whose ELF header
# claims 57054 headers of 57054 bytes (3.2 GB, "inside" the claimed size)
# is refused at the table's first missing byte without allocating it (it
# asked malloc for 3.2 GB: found by fuzz_flat); (b) a real table of 20003
# entries (1.07 MiB) with PT_LOADs at entry 0, at the first entry of the
# second chunk and at the last reads like its plain original.
python3 - big-claim.flat plain-many.elf <<'PY'
import struct, sys
def flat(records):
    h = b"makedumpfile".ljust(16, b"\0") + struct.pack(">qq", 1, 1)
    out = h.ljust(4096, b"\0")
    for off, data in records:
        out += struct.pack(">qq", off, len(data)) + data
    return out + struct.pack(">qq", -1, -1)
ehdr = (b"\x7fELF\x02\x01\x01" + bytes(9) + struct.pack("<HHIQQQIHHHHHH",
        4, 62, 1, 0, 64, 0, 0, 64, 57054, 57054, 0, 0, 0))
open(sys.argv[1], "wb").write(flat([(0, ehdr), (1 << 40, bytes(16))]))
n = 20003
loads = {0: 0, 18724: 1, n - 1: 2}
data_off = 64 + 56 * n
ph = b""
for i in range(n):
    if i in loads:
        k = loads[i]
        ph += struct.pack("<IIQQQQQQ", 1, 7, data_off + 4096 * k, 0,
                          0x100000 * (k + 1), 4096, 4096, 0)
    else:
        ph += bytes(56)
ehdr = (b"\x7fELF\x02\x01\x01" + bytes(9) + struct.pack("<HHIQQQIHHHHHH",
        4, 62, 1, 0, 64, 0, 0, 64, 56, n, 0, 0, 0))
pages = b"".join(bytes([0x41 + k]) * 4096 for k in range(3))
open(sys.argv[2], "wb").write(ehdr + ph + pages)
PY
if grep -q __asan_init "$GC" 2>/dev/null; then
	run_gc "flat-phdr-claim-bounded" 2 info big-claim.flat
else
	ERR=; OUT=$( (ulimit -v 1048576; "$GC" info big-claim.flat) 2>&1); RC=$?
	[ $RC = 2 ] || fail "flat-phdr-claim-bounded" "exit $RC: $OUT"
fi &&
case "$OUT$ERR" in *"program header table at offset 0x40: no flattened record holds logical offset 0x40"*)
	pass "flat-phdr-claim-bounded" ;;
*) fail "flat-phdr-claim-bounded" "$OUT$ERR" ;; esac
"$MK" flatten plain-many.elf many.flat
for f in plain-many.elf many.flat; do
	expect_out "phdr-chunks-$f" 0 "frame runs:    0x100-0x300: 3 frames in 3 runs" info "$f"
	expect_out "phdr-chunks-$f-2nd-chunk" 0 "segment: paddr 0x200000 vaddr 0x0 filesz 0x1000" info "$f"
done
same "phdr-chunks-read" "$("$GC" rd many.flat -p 0x200000 2)" "$("$GC" rd plain-many.elf -p 0x200000 2)"
expect_out "phdr-chunks-read-last" 0 "4343434343434343 4343434343434343   CCCCCCCCCCCCCCCC" rd many.flat -p 0x300ff0 2
rm -f big-claim.flat plain-many.elf many.flat

# An xc_core index is stored bytes too: a flattened one that claims 2^28
# entries (a 4 GiB .xen_p2m inside a 1 TiB claimed size) is refused
# before anything is allocated for it, naming what the file stores.
"$GCFIX" --pages 300 -o xs.core > /dev/null
python3 - xs.core <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
m = b.find(struct.pack("<Q", 0xf00febed))          # the dump-core header note
struct.pack_into("<Q", b, m + 16, 1 << 28)         # xch_nr_pages
shoff = struct.unpack_from("<Q", b, 0x28)[0]
shnum, shstrndx = struct.unpack_from("<HH", b, 0x3c)
stro = struct.unpack_from("<Q", b, shoff + shstrndx * 64 + 24)[0]
for i in range(shnum):
    o = shoff + i * 64
    name = struct.unpack_from("<I", b, o)[0]
    if b[stro + name:stro + name + 9] == b".xen_p2m\0":
        struct.pack_into("<Q", b, o + 32, (1 << 28) * 16)
open(sys.argv[1], "wb").write(b)
PY
"$MK" flatten xs.core xs.flat
python3 - xs.flat <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
end = struct.pack(">qq", -1, -1)
assert b.endswith(end)
open(sys.argv[1], "wb").write(b[:-16] + struct.pack(">qq", 1 << 40, 16) + bytes(16) + end)
PY
run_gc "flat-xc-index-claim-bounded" 2 info xs.flat &&
case "$ERR" in *"page index at offset 0x12f000: 268435456 entries of 16 bytes cannot be in a file that stores "*" bytes")
	pass "flat-xc-index-claim-bounded" ;;
*) fail "flat-xc-index-claim-bounded" "$ERR" ;; esac
rm -f xs.core xs.flat
