#!/usr/bin/env bash
# The one output rule set for every -o (issue 13): extract-qemu refuses an
# existing OUT without --force and takes --force, never writes over its
# core, refuses a directory; extract checks OUT before any work; an output
# named *.kdump / *.elf that contradicts --format is an error in convert,
# extract and extract-qemu.
. "$(dirname "$0")/lib.sh"
FUZZ="$(cd "$(dirname "$0")/../fuzz" && pwd)"

# a 16-page QEMU process core (the fuzz seed writer's): RAM at HVA
# 0x7f0000000000
python3 -c "
import sys; sys.path.insert(0, sys.argv[1]); import seeds_small as s
open(sys.argv[2], 'wb').write(s.qemu_core(None))" "$FUZZ" "$T/q.core" || { fail out-core "python3"; exit 0; }
R="--ram 0:64K@7f0000000000"
expect_rc out-qemu-first 0 extract-qemu "$T/q.core" -o "$T/g.elf" $R
sum=$(cksum < "$T/g.elf")
touch -d '2000-01-01' "$T/g.elf"
expect_err out-qemu-exists 2 "guestcore: $T/g.elf: output: exists (use --force to overwrite)" \
	extract-qemu "$T/q.core" -o "$T/g.elf" $R
same out-qemu-exists-untouched "$(stat -c %Y "$T/g.elf")" "$(date -d '2000-01-01' +%s)"
expect_rc out-qemu-force 0 extract-qemu "$T/q.core" -o "$T/g.elf" $R --force
same out-qemu-force-same-bytes "$(cksum < "$T/g.elf")" "$sum"
expect_err out-qemu-onto-core 2 "guestcore: $T/q.core: output: is the input file itself" \
	extract-qemu "$T/q.core" -o "$T/q.core" $R --force
expect_err out-qemu-directory 2 "guestcore: $T: output: is a directory; only a regular file is ever replaced (even with --force)" \
	extract-qemu "$T/q.core" -o "$T" $R --force
ln -s "$T/g.elf" "$T/link.elf"
run_gc out-qemu-symlink 2 extract-qemu "$T/q.core" -o "$T/link.elf" $R --force && pass out-qemu-symlink
[ -L "$T/link.elf" ] && pass out-qemu-symlink-kept || fail out-qemu-symlink-kept "replaced"
expect_err out-qemu-kdump-name 2 "guestcore: extract-qemu: -o $T/n.kdump is named as a kdump-compressed dump but the output is an ELF vmcore (the default --format elf); give --format kdump or rename it" \
	extract-qemu "$T/q.core" -o "$T/n.kdump" $R
expect_err out-qemu-elf-name 2 "guestcore: extract-qemu: -o $T/n.elf is named as an ELF vmcore but --format kdump writes kdump-compressed; rename it or use --format elf" \
	extract-qemu "$T/q.core" -o "$T/n.elf" $R --format kdump
expect_rc out-qemu-kdump-ok 0 extract-qemu "$T/q.core" -o "$T/n.kdump" $R --format kdump
expect_rc out-qemu-other-name 0 extract-qemu "$T/q.core" -o "$T/n.vmcore" $R --format kdump

# convert: the same name rule
expect_err out-convert-elf-name 2 "guestcore: convert: -o $T/c.elf is named as an ELF vmcore but --format kdump writes kdump-compressed; rename it or use --format elf" \
	convert "$T/g.elf" -o "$T/c.elf" --format kdump
expect_err out-convert-kdump-name 2 "guestcore: convert: -o $T/c.KDUMP is named as a kdump-compressed dump but the output is an ELF vmcore (the default --format elf); give --format kdump or rename it" \
	convert "$T/g.elf" -o "$T/c.KDUMP"
[ ! -e "$T/c.elf" ] && [ ! -e "$T/c.KDUMP" ] && pass out-convert-nothing-written || fail out-convert-nothing-written "$(ls "$T")"

# extract: OUT is checked before the host is read
MKHOST="$(dirname "$GC")/mkhost"
if [ -x "$MKHOST" ]; then
	"$MKHOST" "$T/h.elf" > /dev/null
	: > "$T/e.elf"
	expect_err out-extract-exists 2 "guestcore: $T/e.elf: output: exists (use --force to overwrite)" \
		extract "$T/h.elf" --vmcs 0x2345000 -o "$T/e.elf"
	expect_err out-extract-onto-host 2 "guestcore: $T/h.elf: output: is the input file itself" \
		extract "$T/h.elf" --vmcs 0x2345000 -o "$T/h.elf" --force
	expect_err out-extract-kdump-name 2 "guestcore: extract: -o $T/e.kdump is named as a kdump-compressed dump but the output is an ELF vmcore (the default --format elf); give --format kdump or rename it" \
		extract "$T/h.elf" --vmcs 0x2345000 -o "$T/e.kdump"
	expect_rc out-extract-force 1 extract "$T/h.elf" --vmcs 0x2345000 -o "$T/e.elf" --force
	rm -f "$T/h.elf"
fi
