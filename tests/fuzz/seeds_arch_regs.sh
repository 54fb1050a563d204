#!/bin/sh
# Seed corpus for fuzz_arch_regs: register records of the exact layout
# sizes (x86_64 and i386 NT_PRSTATUS, QEMU CPU state 432/440, Xen
# vcpu_guest_context x86_64 5168 / x86_32 2800) with a recognisable
# pattern.  The tool argument is not needed (generated with od/printf).
# seed-tool: gcfixture
set -e
OUT=${2:?usage: seeds_arch_regs.sh TOOL OUTDIR}
o="$OUT/fuzz_arch_regs"
mkdir -p "$o"
# rec NAME SELECTOR MACHINE SIZE: selector byte, machine byte, SIZE bytes
rec() {
	{ printf "\\$(printf %03o "$2")\\$(printf %03o "$3")"
	  i=0; while [ $i -lt "$4" ]; do printf '\201\377\377\377\377\377\377\377'; i=$((i + 8)); done
	} | head -c $(($4 + 2)) > "$o/$1"
}
rec prs64 0 2 336
rec prs32 0 1 144
rec prs64be 16 2 336
rec qemu440 1 2 440
rec qemu432 1 0 432
rec xen64pv 67 2 5168
rec xen32pv 99 1 2800
rec xen64hvm 3 0 5168
rec aarch64 0 3 392
