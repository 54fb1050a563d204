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
