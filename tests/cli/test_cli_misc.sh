#!/usr/bin/env bash
# Issue 13 rough edges: 5-level vtop labelled as crash prints it (PGD
# DIRECTORY, PAGE DIRECTORY, P4D, PUD, PMD, PTE); VMCSINFO warnings name
# their file; info shows phys_base one way (signed hex) in every line.
. "$(dirname "$0")/lib.sh"

MK="$(dirname "$GC")/mkvmcore"
if [ -x "$MK" ]; then
	"$MK" kernel "$T/k5.elf" --levels 5 --page-offset ff3d8e8040000000 --kaslr 1ce00000 > "$T/k5.out" 2>/dev/null
	v=$(sed -n 's/^vmalloc=//p' "$T/k5.out")
	run_gc misc-l5-vtop-labels 0 vtop "$T/k5.elf" "$v" &&
	same misc-l5-vtop-labels "$(echo "$OUT" | sed -n '4,9p' | sed 's/:.*//; s/^ *//' | tr '\n' ,)" \
		"PGD DIRECTORY,PAGE DIRECTORY,P4D,PUD,PMD,PTE,"
	case "$OUT" in *PML5*) fail misc-l5-no-pml5 "$OUT" ;; *) pass misc-l5-no-pml5 ;; esac
	# 4 levels unchanged: PGD DIRECTORY, PAGE DIRECTORY, PUD, PMD, PTE
	"$MK" kernel "$T/k4.elf" --levels 4 --page-offset ffff9a5c80000000 --kaslr 3a000000 > "$T/k4.out" 2>/dev/null
	v=$(sed -n 's/^vmalloc=//p' "$T/k4.out")
	run_gc misc-l4-vtop-labels 0 vtop "$T/k4.elf" "$v" &&
	same misc-l4-vtop-labels "$(echo "$OUT" | sed -n '4,8p' | sed 's/:.*//; s/^ *//' | tr '\n' ,)" \
		"PGD DIRECTORY,PAGE DIRECTORY,PUD,PMD,PTE,"
	rm -f "$T/k5.elf" "$T/k4.elf"
fi

# VMCSINFO warnings name the file and the offset in it; an ESC from the
# file is escaped
printf 'REVISION_ID=d\nFIELD(GUEST_RIP)=0ff60ff40ff20ff0\nFIELD(NO\033[31mSUCH)=01020100\n' > "$T/layout.txt"
expect_out misc-vmcsinfo-warning-file 1 "warning: VMCSINFO line 3: field NO?[31mSUCH is not in the VMCS field table; ignored [$T/layout.txt at offset 0x30]" \
	vmcsinfo "$T/layout.txt"
case "$OUT" in *$'\033'*) fail misc-vmcsinfo-no-esc "raw ESC printed" ;; *) pass misc-vmcsinfo-no-esc ;; esac

# phys_base one way: the header's VMCOREINFO line, the kdump header and the
# kernel fact all print -0x1ce00000 on the KASLR panic dump
D=${GC_DUMP_CACHE:-}/qemu-panic-kaslr
if [ -n "${GC_DUMP_CACHE:-}" ] && [ -f "$D/qemu-6.1-panic-kaslr-2cpu.makedumpfile-d0-lzo" ]; then
	for f in qemu-6.1-panic-kaslr-2cpu.elf qemu-6.1-panic-kaslr-2cpu.makedumpfile-d0-lzo; do
		run_gc "misc-physbase-$f" 0 info "$D/$f" &&
		same "misc-physbase-$f" "$(echo "$OUT" | grep 'phys_base:' | sed 's/.*phys_base: *//; s/ .*//' | sort -u)" "-0x1ce00000"
	done
else
	skip misc-physbase "real dump absent"
fi
